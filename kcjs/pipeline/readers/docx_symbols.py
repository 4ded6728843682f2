"""Symbol-font glyphs (w:sym, or text set in Wingdings/Symbol) as the characters a reader sees.

Check boxes are content: every tick or box glyph becomes TICKED "☑" or UNTICKED "☐" (the contract the
checkers read), other glyphs their Unicode look-alike. Code points from the fonts' published Unicode
mappings (Wingdings, Wingdings 2, Adobe Symbol); Word writes them as F0xx or as the bare byte.
"""
from __future__ import annotations

TICKED, UNTICKED = "☑", "☐"
T, U = TICKED, UNTICKED

_GREEK = dict(zip(range(0x41, 0x5B), "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ"))
_GREEK.update(zip(range(0x61, 0x7B), "αβχδεφγηιϕκλμνοπθρστυϖωξψζ"))

FONTS: dict[str, dict[int, str]] = {
    "wingdings": {
        0xFE: T, 0xFD: T, 0x78: T, 0xFC: T,             # 🗹 ballot box with check, 🗷 with X, ⌧, ✔
        0x6F: U, 0x70: U, 0x71: U, 0x72: U, 0xA8: U,    # □, 🞐, ❑, ❒, ◻
        0xFB: "✗", 0x6E: "■", 0x6C: "●", 0xA1: "○", 0xA4: "◉", 0x9F: "•", 0x9E: "·", 0xA7: "▪",
        0x77: "◆", 0x75: "◆", 0x76: "❖", 0xD8: "➢", 0xE0: "→", 0xE8: "→",
    },
    "wingdings 2": {
        0x52: T, 0x53: T, 0x54: T, 0x51: T, 0x50: T,    # ☑, ⮽, ☒, 🗵 ballot box with X, 🗸 check mark
        0xA8: T,                                         # ▣ square with a black square inside: chosen
        0xA3: U, 0x2A: U, 0xA4: U, 0xA5: U, 0xA6: U,    # □, 🗆, heavy white squares
        0x4F: "✗", 0xA2: "■", 0x97: "●", 0x99: "○",
    },
    "symbol": {
        0xD6: T,                                         # √ (radical) written as the tick of a form
        **{c: chr(c) for c in b"0123456789!#%&()+,./:;<=>?[]_|{}"}, 0x20: " ",
        **_GREEK,
        0x22: "∀", 0x24: "∃", 0x27: "∋", 0x2A: "∗", 0x2D: "−", 0x40: "≅", 0x5C: "∴", 0x5E: "⊥", 0x7E: "∼",
        0xA2: "′", 0xA3: "≤", 0xA5: "∞", 0xAE: "→", 0xB0: "°", 0xB1: "±", 0xB2: "″", 0xB3: "≥", 0xB4: "×",
        0xB5: "∝", 0xB7: "•", 0xB8: "÷", 0xB9: "≠", 0xBA: "≡", 0xBB: "≈", 0xBC: "…", 0xD7: "·", 0xD8: "¬",
        0xDE: "⇒", 0xE0: "◊", 0xE5: "∑",
    },
}
for _t in FONTS.values():
    _t.setdefault(0x20, " ")
FONTS["wingdings2"] = FONTS["wingdings 2"]


def font_table(font: str | None) -> dict[int, str] | None:
    """The glyph table of a symbol font name (case and spaces as Word writes them), or None for text fonts."""
    return FONTS.get(font.strip().lower()) if font else None


def glyph(font: str | None, code: str | int | None) -> str:
    """The character a w:sym (font, hex char code like "F0FE" or "00A3") shows; "" when unknown."""
    table = font_table(font)
    if table is None or code is None:
        return ""
    try:
        n = int(code, 16) if isinstance(code, str) else code
    except ValueError:
        return ""
    if 0xF000 <= n <= 0xF0FF:
        n -= 0xF000
    return table.get(n, "")


def translate(text: str, font: str | None) -> str:
    """Text typed in a symbol font (bytes 0x20–0xFF or their F0xx private-use codes) as what it shows;
    characters outside those ranges (CJK set in the East Asian font) are kept."""
    table = font_table(font)
    if table is None:
        return text
    out = []
    for ch in text:
        n = ord(ch)
        if 0xF000 <= n <= 0xF0FF:
            n -= 0xF000
        elif n > 0xFF or n < 0x20:
            out.append(ch)
            continue
        out.append(table.get(n, ""))
    return "".join(out)
