"""The PDF reader: text PDFs as Word exports them, scans through OCR, mixed documents."""
from __future__ import annotations

import dataclasses
import difflib
import re

import pymupdf
import pytest

from kcjs.corpus.gen import FILLER, Para, pdf_bytes, sample_application, scan_pdf_bytes
from kcjs.pipeline.readers import ocr, read_bytes

HEADINGS = [(0, "2024年度“科创江苏”专项计划项目申报书"), (1, "一、申报单位基本情况"), (1, "二、项目实施方案"),
            (2, "（一）建设目标"), (2, "（二）年度目标任务"), (1, "三、经费预算"), (1, "四、申报单位意见")]


def han(s: str) -> str:
    return "".join(re.findall(r"[\u4e00-\u9fff]", s))


def han_recall(source: str, got: str) -> float:
    a, b = han(source), han(got)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(m.size for m in sm.get_matching_blocks()) / len(a)


def visible_cells(t) -> str:
    return "".join(cell for r, row in enumerate(t.rows) for c, cell in enumerate(row)
                   if not any(r0 <= r <= r1 and c0 <= c <= c1 and (r, c) != (r0, c0) for r0, c0, r1, c1 in t.merges))


@pytest.fixture(scope="module")
def text_pdf():
    return read_bytes("a.pdf", pdf_bytes(sample_application(12), seal_on_stamp_line=True))


def test_text_pdf_headings_paragraphs_and_pages(text_pdf):
    doc = text_pdf
    assert doc.page_count == 2 and all(p.source == "text" for p in doc.pages)
    assert [(b.level, b.text) for b in doc.blocks if b.type == "heading"] == HEADINGS
    fillers = [b for b in doc.blocks if b.type == "paragraph" and b.text.startswith("围绕")]
    assert len(fillers) == 12 and all(b.text == FILLER for b in fillers)  # wrapped lines joined, indent dropped
    assert {b.page for b in fillers} == {1, 2}


def test_running_header_and_page_numbers_are_not_body(text_pdf):
    doc = text_pdf
    assert doc.headers == ["2024年度科创江苏专项计划"]
    assert doc.footers == ["第 1 页 共 2 页", "第 2 页 共 2 页"]
    body = doc.body_text()
    assert "共 2 页" not in body and "2024年度科创江苏专项计划" not in body


def test_table_cells_and_image_box(text_pdf):
    doc = text_pdf
    t = next(b for b in doc.blocks if b.type == "table")
    assert t.rows[0] == ["单位名称", "江苏省机械工程学会", "单位类型", "省级学会"]
    assert t.rows[2] == ["项目名称"] + ["高端装备产业院士协同创新中心"] * 3 and (2, 2) in t.copies
    assert not any(b.type == "paragraph" and b.text == "单位名称" for b in doc.blocks)
    im = next(b for b in doc.blocks if b.type == "image")
    assert im.page == 2 and im.image.width_mm == pytest.approx(38.8, abs=0.5)
    stamp = next(b for b in doc.blocks if b.text == "申报单位（盖章）")
    assert im.box[1] < stamp.box[1] < im.box[3]  # the seal overlaps its stamp line


def test_signature_fields():
    doc = pymupdf.open(stream=pdf_bytes([Para("申报单位（盖章）")]), filetype="pdf")
    w = pymupdf.Widget()
    w.field_type, w.field_name, w.rect = pymupdf.PDF_WIDGET_TYPE_SIGNATURE, "applicant_seal", pymupdf.Rect(100, 100, 250, 180)
    doc[0].add_widget(w)
    read = read_bytes("s.pdf", doc.tobytes())
    assert [(s.name, s.page, s.signed) for s in read.signatures] == [("applicant_seal", 1, False)]
    assert read.signatures[0].box == pytest.approx((100, 100, 250, 180))


@pytest.fixture(scope="module")
def scanned():
    source = sample_application(3)
    data = scan_pdf_bytes(pdf_bytes(source), dpi=200, rotate_deg=0.7, noise=8, jpeg_quality=60, seal_pages=(1,))
    return source, read_bytes("scan.pdf", data)


def test_scan_is_read_by_ocr_with_headings(scanned):
    source, doc = scanned
    assert doc.pages[0].source == "ocr" and doc.pages[0].ocr_confidence > 0.9
    heads = [(b.level, han(b.text)) for b in doc.blocks if b.type == "heading"]
    assert [(lv, han(t)) for lv, t in HEADINGS[1:]] == [h for h in heads if h[0] >= 1]
    assert all(b.source == "ocr" and b.confidence is not None for b in doc.blocks if b.type != "image")
    assert any(f.rule == "file.ocr" for f in doc.findings)


def test_scan_text_under_the_seal_is_recovered(scanned):
    source, doc = scanned
    text = "".join(p.text if isinstance(p, Para) else visible_cells(p) for p in source)
    assert han_recall(text, doc.body_text()) >= 0.98
    assert "江苏省机械工程学会" in doc.body_text()  # the unit's name lies under the seal
    assert "第1页" not in doc.body_text()


@pytest.mark.skipif(not ocr.openvino_available(),
                    reason="optional OpenVINO engine: the openvino package is absent here (OCR runs on onnxruntime)")
def test_openvino_engine_reads_the_scan_as_onnxruntime_does(scanned, monkeypatch):
    """The optional OpenVINO engine runs the same shipped models: same headings, same recall."""
    source, by_onnx = scanned
    scan = scan_pdf_bytes(pdf_bytes(source), dpi=200, rotate_deg=0.7, noise=8, jpeg_quality=60, seal_pages=(1,))
    monkeypatch.setattr(ocr, "SETTINGS", dataclasses.replace(ocr.SETTINGS, openvino=True))
    doc = read_bytes("scan.pdf", scan)
    assert "OpenVINO" in type(ocr.engine().text_rec.session).__name__
    text = "".join(p.text if isinstance(p, Para) else visible_cells(p) for p in source)
    assert han_recall(text, doc.body_text()) >= 0.98
    assert [b.text for b in doc.blocks if b.type == "heading"] == [b.text for b in by_onnx.blocks if b.type == "heading"]


def test_mixed_document_page_by_page():
    data = scan_pdf_bytes(pdf_bytes(sample_application(12)), text_pages=(1,), seal_pages=(2,))
    doc = read_bytes("mixed.pdf", data)
    assert [p.source for p in doc.pages] == ["text", "ocr"]
    assert {b.source for b in doc.blocks if b.page == 1 and b.type != "image"} == {"text"}
    assert any(b.text.endswith("申报单位（盖章）") and b.source == "ocr" for b in doc.blocks)


def test_pdf_as_word_and_libreoffice_export_it():
    """Borders drawn as lines (no rectangles), and a title written in runs of different fonts."""
    data = pdf_bytes(sample_application(2), border_lines=True)
    doc = pymupdf.open(stream=data, filetype="pdf")
    page = doc[0]
    x = 150.0
    for text, font in (("2025", "helv"), ("年度“", "china-s"), ("示范", "china-s"), ("”专项", "china-s")):
        page.insert_text((x, 760), text, fontname=font, fontsize=14)
        x += pymupdf.get_text_length(text, fontname=font, fontsize=14) + 0.5
    read = read_bytes("export.pdf", doc.tobytes())
    t = next(b for b in read.blocks if b.type == "table")
    assert t.rows[0] == ["单位名称", "江苏省机械工程学会", "单位类型", "省级学会"]
    assert any(b.text == "2025年度“示范”专项" for b in read.blocks)
