"""字数 as Word and WPS count it (DESIGN.md, "Counting 字数"), and the two alternative modes."""
from __future__ import annotations

import re

# An "Asian" character counts 1: Han (all extensions), kana, Hangul, bopomofo,
# CJK symbols and punctuation U+3001–303F, full-width forms U+FF01–FF60 and U+FFE0–FFE6.
ASIAN = ("\u1100-\u11ff\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf"
         "\u31c0-\u31ef\u31f0-\u31ff\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
         "\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6\U00020000-\U0003134f")
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SPACE = r"\s\u200b-\u200d\u2060\ufeff"  # Python's \s has U+3000 and NBSP; add zero-width ones
_WORD_TOKEN = re.compile(f"[{ASIAN}]|[^{_SPACE}{ASIAN}]+")
_NON_SPACE = re.compile(f"[^{_SPACE}]")
_HAN = re.compile(f"[{HAN}]")

MODES = ("word", "chars", "hanzi")
MODE_NAMES = {"word": "Word 字数统计", "chars": "字符数（不计空格）", "hanzi": "汉字数"}


def count(text: str, mode: str = "word") -> int:
    """字数 of `text`: 'word' (Word/WPS 字数统计), 'chars' (字符数不计空格) or 'hanzi' (Han only)."""
    if mode == "word":
        return len(_WORD_TOKEN.findall(text))
    if mode == "chars":
        return len(_NON_SPACE.findall(text))
    if mode == "hanzi":
        return len(_HAN.findall(text))
    raise ValueError(f"unknown count mode {mode!r}")


def count_all(text: str) -> dict[str, int]:
    return {m: count(text, m) for m in MODES}


def body_count(doc, mode: str = "word") -> int:
    """字数 of a Document's body text (Document.body_text) in `mode`; computed once per mode while the
    document is checked (Document.derived), so the length check and metrics() share it."""
    return doc.derived(("count", mode), lambda: count(doc.body_text(), mode))
