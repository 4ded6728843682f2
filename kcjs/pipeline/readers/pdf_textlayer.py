"""How far a PDF page's text layer can be trusted, and its text as a person sees the page.

- Fake bold: a glyph drawn twice (or more) ≤ 1 pt apart is one character.
- /Rotate 90/180/270: boxes are turned into the displayed page's frame.
- A page image under a text layer drawn invisible (text render mode 3: a scanner's own OCR, which
  keeps no table rules) is reported as a scan to be OCRed again.
- A text layer that is garbage (a CJK font without ToUnicode: control characters, private-use
  characters, U+FFFD, code points no Chinese text uses) or absent while the page shows glyphs drawn as
  vector outlines (转曲) is reported, so the reader OCRs that page.
"""
from __future__ import annotations

import math
import re
import unicodedata

import pymupdf

FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
DOUBLE_PT = 1.0          # a glyph drawn again within this distance (pt) is fake bold, counted once
GARBAGE_SHARE = 0.3      # share of implausible characters above which a text layer is garbage
GARBAGE_MIN_CHARS = 20
OUTLINE_MIN_GLYPHS = 30  # glyph-sized filled paths on a page without text: text drawn as outlines
OUTLINE_SEGMENTS = 3     # segments (lines, curves) a glyph outline has at least
OUTLINE_SHARE = 2.0      # a page with text drawing this many times more outline glyphs than text characters
                         # is outlined text under a header or page number stamped on afterwards
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]")

REASONS = {  # why a page was OCRed, as the file.ocr finding says it
    "scan": "为扫描页",
    "hidden": "为带隐藏文字层的扫描页（扫描软件识别的文字不含表格结构，已重新识别）",
    "outlines": "的文字为矢量轮廓（转曲），没有文字层",
    "garbage": "的文字层无法解码（字体缺少 ToUnicode 映射，提取出乱码）",
}


Piece = tuple[str, float, float, float, float]  # text, x0, x1, baseline y, size (pt): a span or a glyph


def page_text(page) -> tuple[list[tuple[tuple, list[dict]]], list[Piece]]:
    """The page's text lines and its text as pieces, in the displayed page's frame (pt), each glyph once.

    lines: (bbox, spans) of each line with visible text; spans are PyMuPDF dict spans (text, size,
    flags, font). pieces: for filling table cells, every span (blank ones too) as (text, x0, x1,
    baseline y, size), or every glyph when the page draws glyphs twice (fake bold). One extraction."""
    m = page.rotation_matrix if page.rotation else None
    data = page.get_text("dict", flags=FLAGS)
    raw, pieces = [], []
    for blk in data["blocks"]:
        for ln in blk.get("lines", ()):
            spans = []
            for s in ln["spans"]:
                b = s["bbox"]
                pieces.append((s["text"], b[0], b[2], s["origin"][1], s["size"]) if m is None
                              else _turned(s["text"], b, s["origin"], s["size"], m))
                if s["text"].strip():
                    spans.append(s)
            if spans:
                raw.append((ln["bbox"], spans))
    if m is not None:
        raw = [(tuple(pymupdf.Rect(b) * m), sp) for b, sp in raw]
    if _doubled(raw) or _overlapping(raw):
        raw, pieces = [], []
        lines = list(_dedup(page.get_text("rawdict", flags=FLAGS)))
        if m is not None:
            lines = [(tuple(pymupdf.Rect(b) * m), sp, [(c, tuple(pymupdf.Rect(g) * m), tuple(pymupdf.Point(o) * m), size)
                                                        for c, g, o, size in glyphs]) for b, sp, glyphs in lines]
        for bbox, spans, glyphs in _merge_overlapping(lines):
            raw.append((bbox, spans))
            pieces += [(c, g[0], g[2], o[1], size) for c, g, o, size in glyphs]
    for _, spans in raw:
        for s in spans:
            if _COMPAT.search(s["text"]):
                s["text"] = unify(s["text"])
    if _COMPAT.search("".join(p[0] for p in pieces)):
        pieces = [(unify(p[0]), *p[1:]) for p in pieces]
    return raw, pieces


def _turned(text: str, bbox, origin, size: float, m) -> Piece:
    """A span or glyph of a /Rotate page as a Piece in the displayed frame (`m`: its rotation matrix)."""
    r = pymupdf.Rect(bbox) * m
    return text, r.x0, r.x1, (pymupdf.Point(origin) * m).y, size


_COMPAT = re.compile(r"[\uf900-\ufaff\U0002f800-\U0002fa1f]")


def unify(text: str) -> str:
    """CJK compatibility ideographs as the ideographs they stand for (度 for U+FA01): embedded CJK fonts
    share one glyph between both, and a subset's ToUnicode map may name either."""
    return _COMPAT.sub(lambda m: unicodedata.normalize("NFC", m.group()), text)


def chars(page, clip=None) -> list[tuple[str, float, float, float, float]]:
    """Every glyph once as (char, x0, x1, baseline y, size) in the displayed page's frame (pt); only
    those inside `clip` (a rect in that frame) when given."""
    m = page.rotation_matrix if page.rotation else None
    if clip is not None and m is not None:
        clip = pymupdf.Rect(clip) * page.derotation_matrix
    out = []
    for _, spans, glyphs in _dedup(page.get_text("rawdict", flags=FLAGS, clip=clip)):
        for c, bbox, origin, size in glyphs:
            c = unify(c) if _COMPAT.match(c) else c
            if m is None:
                out.append((c, bbox[0], bbox[2], origin[1], size))
            else:
                r = pymupdf.Rect(bbox) * m
                out.append((c, r.x0, r.x1, (pymupdf.Point(origin) * m).y, size))
    return out


def table_chars(textpage) -> list[tuple[str, float, float, float, float]]:
    """Every glyph once, as `chars` gives them, from the TextPage PyMuPDF's table finder built (already
    clipped to the ruled area and in the displayed page's frame): no second pass over the page."""
    out = []
    for _, _, glyphs in _dedup(textpage.extractRAWDICT()):
        for c, bbox, origin, size in glyphs:
            out.append((unify(c) if _COMPAT.match(c) else c, bbox[0], bbox[2], origin[1], size))
    return out


def _doubled(raw) -> bool:
    """Cheap test on PyMuPDF's lines: two lines starting within DOUBLE_PT of each other, or a span
    whose characters come in pairs ("关关于于"): a glyph was drawn twice."""
    starts = sorted((b[1], b[0], b[3]) for b, _ in raw)
    for i, (y0, x0, y1) in enumerate(starts):
        for y0b, x0b, y1b in starts[i + 1:]:
            if y0b - y0 > DOUBLE_PT:
                break
            if abs(x0b - x0) <= DOUBLE_PT and abs(y1b - y1) <= DOUBLE_PT:
                return True
    for _, spans in raw:
        for s in spans:
            t = s["text"].replace(" ", "")
            if len(t) >= 6 and sum(a == b for a, b in zip(t[::2], t[1::2])) >= 0.8 * (len(t) // 2):
                return True
    return False


def _overlapping(raw) -> bool:
    """Two lines on one baseline that overlap: glyphs drawn out of reading order (a fallback font's
    digits and punctuation drawn after the line's Han characters: PyMuPDF starts a new line where the
    pen moves back, and a span "差旅费万元" spans the "8" drawn later)."""
    rows = sorted((b[3], b[0], b[2], b[3] - b[1]) for b, _ in raw)
    for i, (y1, x0, x1, h) in enumerate(rows):
        for y1b, x0b, x1b, hb in rows[i + 1:]:
            if y1b - y1 > 0.3 * min(h, hb):
                break
            if min(x1, x1b) - max(x0, x0b) > 1.0:
                return True
    return False


def _merge_overlapping(lines: list) -> list:
    """Lines (bbox, spans, glyphs) on one baseline that overlap, as one line of their glyphs left to
    right (in the displayed page's frame); the others as they are."""
    lines = sorted(lines, key=lambda ln: (ln[0][3], ln[0][0]))
    out: list[list] = []
    for bbox, spans, glyphs in lines:
        h = bbox[3] - bbox[1]
        into = next((o for o in reversed(out[-4:]) if abs(o[0][3] - bbox[3]) <= 0.3 * min(h, o[0][3] - o[0][1])
                     and min(o[0][2], bbox[2]) - max(o[0][0], bbox[0]) > 1.0), None)
        if into is None:
            out.append([bbox, spans, list(glyphs)])
            continue
        into[0] = (min(into[0][0], bbox[0]), min(into[0][1], bbox[1]), max(into[0][2], bbox[2]), max(into[0][3], bbox[3]))
        into[2] += glyphs
        into[2].sort(key=lambda g: g[2][0])
        first = into[1][0]
        into[1] = [{**first, "text": "".join(g[0] for g in into[2])}]
    return [tuple(o) for o in out]


_NEAR = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


def _dedup(raw: dict):
    """Lines of a rawdict with every glyph drawn again ≤ DOUBLE_PT from one already kept dropped:
    yields (bbox, spans, glyphs) with glyphs (char, bbox, origin, size)."""
    kept: dict[tuple[str, int, int], list[tuple[float, float]]] = {}  # (char, x, y) on a DOUBLE_PT grid
    for blk in raw["blocks"]:
        for ln in blk.get("lines", []):
            spans, glyphs, boxes = [], [], []
            for s in ln["spans"]:
                text = []
                for ch in s["chars"]:
                    c, (x, y) = ch["c"], ch["origin"]
                    if not c.isspace():
                        gx, gy = math.floor(x / DOUBLE_PT), math.floor(y / DOUBLE_PT)
                        if any(abs(x - kx) <= DOUBLE_PT + 1e-6 and abs(y - ky) <= DOUBLE_PT + 1e-6
                               for dx, dy in _NEAR for kx, ky in kept.get((c, gx + dx, gy + dy), ())):
                            continue
                        kept.setdefault((c, gx, gy), []).append((x, y))
                        boxes.append(ch["bbox"])
                    glyphs.append((c, ch["bbox"], ch["origin"], s["size"]))
                    text.append(c)
                t = "".join(text)
                if t.strip():
                    spans.append({"text": t, "size": s["size"], "flags": s["flags"], "font": s["font"],
                                  "alpha": s.get("alpha", 255)})
            if spans and boxes:
                bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
                yield bbox, spans, glyphs


def hidden_share(raw) -> float:
    """Share of the characters of `page_text` lines drawn invisible (PyMuPDF's span alpha 0: text
    render mode 3, the searchable layer scanner software lays over its page image)."""
    total = hidden = 0
    for _, spans in raw:
        for s in spans:
            n = len(s["text"].strip())
            total += n
            hidden += n if s.get("alpha", 255) == 0 else 0
    return hidden / total if total else 0.0


def garbage(text: str) -> bool:
    """A text layer no person wrote: ≥ GARBAGE_SHARE of its characters are control or private-use
    characters, U+FFFD, or outside GB2312 (the 6,763 Han characters and symbols Chinese text uses)."""
    text = "".join(text.split())
    if len(text) < GARBAGE_MIN_CHARS:
        return False
    bad = len(_CONTROL.findall(text))
    bad += text.encode("gb2312", "replace").count(b"?") - text.count("?")
    return bad >= GARBAGE_SHARE * len(text)


def outline_glyphs(paths: list[dict]) -> int:
    """Glyphs drawn as filled vector outlines (转曲) among `page.get_drawings()` (see `glyph_count`)."""
    return sum(glyph_count(path) for path in paths)


def glyph_count(path: dict) -> int:
    """How many glyphs a drawing is when it is text drawn as filled outlines, else 0: a filled path of
    glyph height (2–40 pt) with several segments is one glyph, or a run of width/height glyphs when one
    compound path draws a whole line (Illustrator, some print-shop tools), at OUTLINE_SEGMENTS segments
    a glyph at least (a bar, box or arrow of a chart has fewer; rectangles alone are never glyphs)."""
    r = path["rect"]
    if path.get("fill") is None or not 2 <= r.height <= 40 or r.width < 2:
        return 0
    items = path["items"]
    glyphs = max(1, int(r.width / r.height)) if r.width > 40 else 1
    if len(items) < OUTLINE_SEGMENTS * glyphs or all(it[0] == "re" for it in items):
        return 0
    return glyphs
