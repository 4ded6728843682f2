"""The body must be Chinese: the Han share of its letters, and where that is low langdetect (seeded, so the same
file always gets the same answer) names the language."""
from __future__ import annotations

import re

from kcjs.checkers.context import Requirements
from kcjs.checkers.counting import HAN
from kcjs.checkers.registry import rule
from kcjs.checkers.text import quote
from kcjs.pipeline.document import Document
from kcjs.pipeline.findings import Finding, Location

NOT_CHINESE = rule("language.not_chinese", "error", "正文不是中文")
FOREIGN_PASSAGE = rule("language.foreign_passage", "warning", "正文中有较长的外文段落")

MIN_HAN_SHARE = 0.3          # of letters: below this, a body is not Chinese whatever langdetect says
FOREIGN_PASSAGE_CHARS = 200  # a paragraph this long with almost no Han is a foreign passage
_LETTER = re.compile(rf"[{HAN}A-Za-z\u00c0-\u024f\u0400-\u04ff\u3040-\u30ff\uac00-\ud7af]")
_HAN = re.compile(f"[{HAN}]")


def han_share(text: str) -> float:
    letters = _LETTER.findall(text)
    return sum(1 for ch in letters if _HAN.match(ch)) / len(letters) if letters else 1.0


def detect(text: str) -> str | None:
    from langdetect import DetectorFactory, LangDetectException, detect as _detect
    DetectorFactory.seed = 0
    try:
        return _detect(text[:5000])
    except LangDetectException:
        return None


def check(doc: Document, req: Requirements) -> list[Finding]:
    text = doc.body_text()
    if not _LETTER.search(text):
        return []
    share = han_share(text)
    lang = detect(text) if share < MIN_HAN_SHARE else None  # langdetect (~0.2 s to load) only where its answer counts
    out = []
    if share < MIN_HAN_SHARE and lang not in ("zh-cn", "zh-tw"):
        out.append(Finding(NOT_CHINESE, "error", f"正文不是中文（识别为 {lang or '未知语言'}，汉字仅占 {share:.0%}）",
                           Location(), expected="中文", actual=lang, hint="申报材料须用中文撰写"))
        return out
    for i, b in enumerate(doc.blocks):
        if b.type == "paragraph" and len(b.text) >= FOREIGN_PASSAGE_CHARS and han_share(b.text) < 0.1:
            out.append(Finding(FOREIGN_PASSAGE, "warning", f"第 {i + 1} 段是一大段外文（{len(b.text)} 字符）",
                               Location(page=b.page, paragraph=i, quote=quote(b.text)), actual=detect(b.text),
                               hint="如为引文，请附中文译文"))
    return out
