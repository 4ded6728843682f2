"""PDFs as real clients write them: fake bold, /Rotate, covers with values above their underlines,
embedded CJK fonts in ruled tables, text drawn as outlines (转曲), a text layer without ToUnicode."""
from __future__ import annotations

import io

import numpy as np
import pytest

from kcjs.checkers.counting import count
from kcjs.corpus import real_pdf as rp
from kcjs.corpus.gen import Para, Tbl, pdf_bytes, sample_application, scan_pdf_bytes
from kcjs.pipeline.check import Given, check_document
from kcjs.pipeline.readers import Limits, read_bytes
from kcjs.pipeline.readers.pdf_textlayer import garbage
from tests.test_read_pdf import han_recall

NO_SEALS = Limits(seals=False)
needs_noto = pytest.mark.skipif(rp.noto_cjk() is None, reason=f"fonts-noto-cjk ({rp.NOTO_CJK}) is not installed")


@pytest.fixture(scope="module")
def base():
    data = pdf_bytes(sample_application(3))
    return data, read_bytes("a.pdf", data, NO_SEALS)


def test_fake_bold_glyphs_count_once(base):
    data, doc = base
    bold = rp.fake_bold(data)
    import pymupdf
    naive = "".join(p.get_text() for p in pymupdf.open(stream=bold, filetype="pdf"))
    assert count(naive) > count(doc.body_text()) + 50  # the text layer does hold every doubled glyph
    got = read_bytes("b.pdf", bold, NO_SEALS)
    assert got.body_text() == doc.body_text()
    assert [b.text for b in got.blocks if b.type == "heading"] == [b.text for b in doc.blocks if b.type == "heading"]


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_rotated_page_reads_in_display_order(base, angle):
    data, doc = base
    got = read_bytes("r.pdf", rp.rotated_pages(data, {1: angle}), NO_SEALS)
    assert got.body_text() == doc.body_text()
    t = next(b for b in got.blocks if b.type == "table")
    assert t.rows[0] == ["单位名称", "江苏省机械工程学会", "单位类型", "省级学会"]
    assert (got.pages[0].width, got.pages[0].height) == (595, 842)


COVER = [("项目类别", "产业院士协同创新中心"), ("项目名称", "示例产业协同创新服务平台建设"), ("申报单位", "江苏省示例学会"),
         ("项目负责人", "王一"), ("联系电话", "025-12345678"), ("申报日期", "2024年3月20日")]


@pytest.mark.parametrize("rise", [6.0, 10.0, 15.0])
def test_cover_value_above_its_underline_is_label_colon_value(pack, rise):
    cover = rp.cover_page(["2024年度“科创江苏”专项计划", "项目申报书"], COVER, rise=rise)
    doc = read_bytes("c.pdf", rp.with_cover(cover, pdf_bytes(sample_application(1))))
    texts = [b.text for b in doc.blocks if b.page == 1 and b.type == "paragraph"]
    assert texts == [f"{label}：{value}" for label, value in COVER]
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    assert r["metrics"]["applicant_name"] == "江苏省示例学会"
    assert "template.placeholder_left" not in {f["rule"] for f in r["findings"]}


def test_applicant_name_leaves_out_a_stamp_note_written_after_it(pack):
    """申报单位：江苏省示例学会 （盖章） on a cover: the applicant is 江苏省示例学会 (reports and the audit show that)."""
    fields = [(k, "江苏省示例学会 （盖章）" if k == "申报单位" else v) for k, v in COVER]
    doc = read_bytes("c.pdf", rp.with_cover(rp.cover_page(["项目申报书"], fields, rise=6.0),
                                            pdf_bytes(sample_application(1))), NO_SEALS)
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    assert r["metrics"]["applicant_name"] == "江苏省示例学会"


def test_ordinary_short_lines_are_not_taken_for_cover_fields(base):
    _, doc = base  # headings and table rows of an ordinary page stay as they were
    assert not any("：" in b.text for b in doc.blocks if b.type == "heading")


BUDGET = "申请资助经费28.5万元；其中会议费10.5万元、差旅费8万元。"


@needs_noto
def test_ruled_cells_keep_reading_order_with_an_embedded_cjk_font(pack):
    content = [Para("2024年度“科创江苏”专项计划项目申报书", 0), Para("五、经费预算", 1),
               Tbl([["项目类别", "产业院士协同创新中心"], ["经费预算", BUDGET],
                    ["进度安排", "2024.04.01～2024.12.31完成建设（场地、设备等）；"]])]
    for border_lines in (False, True):
        doc = read_bytes("t.pdf", pdf_bytes(content, fontfile=rp.noto_cjk(), border_lines=border_lines), NO_SEALS)
        t = next(b for b in doc.blocks if b.type == "table")
        assert t.rows == [list(r) for r in content[2].rows]


def test_garbage_detector():
    assert not garbage(sample_text := "".join(p.text for p in sample_application(2) if isinstance(p, Para)))
    assert not garbage("The platform cooperates with national societies and universities on key technologies.")
    assert garbage("榼陴顫Ⲃ篺顠\x13\x19\x0f\x16┒⩕յ䄐亸顠ն)FMMP榼陴顫Ⲃ篺顠")
    assert garbage("\ue001\ue002\ue003" * 10)
    assert not garbage(sample_text.replace("。", "\ufffd", 2))


def one_page(n_filler: int = 1) -> bytes:
    return pdf_bytes([Para("2024年度“科创江苏”专项计划项目申报书", 0), Para("一、申报单位基本情况", 1),
                      *[Para(p.text) for p in sample_application(n_filler)[5:5 + n_filler]],
                      Para("二、年度目标任务", 1), Para("全年推动解决企业重点难点技术问题不少于6个。")], header=None)


def test_text_drawn_as_outlines_is_ocred():
    data = one_page()
    source = read_bytes("a.pdf", data, NO_SEALS).body_text()
    doc = read_bytes("o.pdf", rp.outlined(data), NO_SEALS)
    assert [p.source for p in doc.pages] == ["ocr"] and doc.pages[0].ocr_reason == "outlines"
    f = next(f for f in doc.findings if f.rule == "file.ocr")
    assert "第 1 页" in f.message and "转曲" in f.message
    assert han_recall(source, doc.body_text()) >= 0.95


@needs_noto
def test_text_layer_without_tounicode_is_ocred():
    data = pdf_bytes([Para("一、申报单位基本情况", 1), Para(sample_application(1)[5].text),
                      Para("全年推动解决企业重点难点技术问题不少于6个。")], header=None, fontfile=rp.noto_cjk())
    source = read_bytes("a.pdf", data, NO_SEALS)
    assert source.pages[0].source == "text"  # with its ToUnicode map the text layer is trusted
    doc = read_bytes("g.pdf", rp.without_tounicode(data), NO_SEALS)
    assert doc.pages[0].ocr_reason == "garbage"
    assert "乱码" in next(f.message for f in doc.findings if f.rule == "file.ocr")
    assert han_recall(source.body_text(), doc.body_text()) >= 0.95


def test_photo_exif_orientation_is_applied():
    from PIL import Image

    from kcjs.pipeline.readers.photo import exif_upright
    data = one_page()
    import pymupdf
    pix = pymupdf.open(stream=data, filetype="pdf")[0].get_pixmap(dpi=40, alpha=False)
    upright = np.asarray(Image.frombytes("RGB", (pix.w, pix.h), pix.samples)).mean(axis=2)
    for orientation in (3, 6, 8):
        got = np.asarray(Image.open(io.BytesIO(exif_upright(rp.photo_jpeg(data, dpi=40, orientation=orientation)))))
        assert got.shape[:2] == upright.shape
        assert np.abs(got.mean(axis=2) - upright).mean() < 8  # the same page, not a turned one


# --- scans: one small page each (150 dpi), OCR is slow ------------------------------------------

def _list_page(pack):
    """A page with a numbered target list ("1." then a gap) and a stamp line and date under a red seal."""
    s = pack.subprogram("academician-center")
    values = {t.id: int(t.min) + 1 + k for k, t in enumerate(s.targets)}
    items = [f"{k}.\u3000\u3000\u3000{t.name.split('（')[0]}：{values[t.id]}{t.unit}" for k, t in enumerate(s.targets, 1)]
    content = [Para("三、年度目标任务", 1), *[Para(i) for i in items], Para("四、申报单位意见", 1),
               Para("申报单位（盖章）"), Para("2024年3月20日")]
    data = pdf_bytes(content, header=None, page_numbers=False)
    text = read_bytes("a.pdf", data, NO_SEALS)
    stamp = next(b for b in text.blocks if b.text == "申报单位（盖章）")
    # the seal's top-left corner so that it covers the stamp line and the date below it
    seal_at = ((stamp.box[0] + 30) / 595, (stamp.box[1] - 45) / 842)
    return data, seal_at, items, values


@pytest.mark.parametrize("turns", [1, 2])
def test_scan_fed_sideways_or_upside_down_reads_upright(pack, turns):
    data, seal_at, items, values = _list_page(pack)
    scan = scan_pdf_bytes(data, dpi=150, seal_pages=(1,), seal_at=seal_at, turns={1: turns}, seed=turns)
    doc = read_bytes("s.pdf", scan, NO_SEALS)
    assert doc.pages[0].source == "ocr" and (doc.pages[0].width, doc.pages[0].height) == (595, 842)
    assert not [b for b in doc.blocks if b.type == "table"]  # a numbered list is not a two-column table
    texts = [b.text for b in doc.blocks if b.type != "image"]
    assert texts[0] == "三、年度目标任务" and texts[-2:] == ["申报单位（盖章）", "2024年3月20日"]  # under the seal
    listed = [t for t in texts if t[:1].isdigit() and not t.startswith("2024")]
    assert [t.split(".")[0] for t in listed] == [str(k) for k in range(1, len(items) + 1)]
    assert han_recall("".join(items), "".join(listed)) >= 0.95
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    assert r["metrics"]["targets"] == values  # the list number is never a target's value
