"""The .docx reader on documents written the ways applicants write them."""
from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from kcjs.corpus.gen import Para, Tbl, docx_bytes, sample_application
from kcjs.pipeline.readers import read_bytes

EXPECTED_HEADINGS = [(0, "2024年度“科创江苏”专项计划项目申报书"), (1, "一、申报单位基本情况"), (1, "二、项目实施方案"),
                     (2, "（一）建设目标"), (2, "（二）年度目标任务"), (1, "三、经费预算"), (1, "四、申报单位意见")]


def read(data: bytes, name: str = "a.docx"):
    doc = read_bytes(name, data)
    assert doc.readable
    return doc


@pytest.mark.parametrize("style", ["styles", "chinese", "outline", "bold"])
def test_heading_levels_in_every_authoring_style(style):
    doc = read(docx_bytes(sample_application(), style=style))
    assert [(b.level, b.text) for b in doc.blocks if b.type == "heading"] == EXPECTED_HEADINGS
    assert sum(b.type == "paragraph" for b in doc.blocks) == 5


@pytest.mark.parametrize("style", ["styles", "chinese", "outline"])
def test_unnumbered_headings_come_from_styles_and_outline_levels(style):
    content = [Para("申报单位意见", 1), Para("正文一段。"), Para("经费预算说明", 2), Para("正文二段。")]
    doc = read(docx_bytes(content, style=style))
    assert [(b.type, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "申报单位意见"), ("paragraph", None, "正文一段。"),
        ("heading", 2, "经费预算说明"), ("paragraph", None, "正文二段。")]


def test_numbered_list_items_are_not_headings():
    content = [Para("1. 全年推动解决企业重点难点技术问题不少于6个，推动科技成果转化落地不少于4项。"),
               Para("（1）新增企业会员单位12家；"), Para("2.1 组织梳理区域重点产业创新需求35项并开展系列考察对接")]
    doc = read(docx_bytes(content, style="bold"))
    assert [b.type for b in doc.blocks] == ["paragraph"] * 3


def test_tables_resolve_merged_cells():
    doc = read(docx_bytes([Tbl([["项目", "金额", "备注"], ["会议费", "10", "已含"], ["合计", "30", "30"]],
                               merges=[(1, 2, 2, 2)])]))
    t = next(b for b in doc.blocks if b.type == "table")
    assert t.rows == [["项目", "金额", "备注"], ["会议费", "10", "已含"], ["合计", "30", "已含"]]
    assert t.copies == {(2, 2)}
    from kcjs.pipeline.document import table_text
    assert table_text(t.rows, t.copies) == "项目\t金额\t备注\n会议费\t10\t已含\n合计\t30"


def test_horizontal_merge_repeats_and_is_counted_once():
    doc = read(docx_bytes(sample_application()))
    t = next(b for b in doc.blocks if b.type == "table")
    assert t.rows[2] == ["项目名称"] + ["高端装备产业院士协同创新中心"] * 3
    assert doc.body_text().count("高端装备产业院士协同创新中心") == 1


@pytest.mark.parametrize("seal,placement,behind", [("inline", "inline", False), ("floating", "floating", True)])
def test_images_anchored_to_the_stamp_line(seal, placement, behind):
    doc = read(docx_bytes(sample_application(), seal=seal))
    images = [b for b in doc.blocks if b.type == "image"]
    assert len(images) == 1
    im = images[0]
    assert doc.blocks[im.anchor].text == "申报单位（盖章）"
    assert (im.image.placement, im.image.behind_text) == (placement, behind)
    assert im.image.width_mm == pytest.approx(40, abs=0.2) and im.image.width_px > 200 and im.image.format == "png"


def test_image_in_a_table_cell_knows_its_cell():
    doc = read(docx_bytes(sample_application(), seal="cell"))
    im = next(b for b in doc.blocks if b.type == "image")
    table = doc.blocks[im.anchor]
    assert table.type == "table" and im.cell == (0, 1) and table.rows[0][0] == "推荐单位（盖章）"


def test_vml_image_is_found():
    d = docx.Document(io.BytesIO(docx_bytes(sample_application(), seal="inline")))
    rid = next(iter(d.part.rels))
    rid = next(r for r, rel in d.part.rels.items() if "image" in rel.reltype)
    d.element.body.insert(0, parse_xml(
        f'<w:p {nsdecls("w", "r")} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:t>VML 图片</w:t></w:r><w:r><w:pict>'
        f'<v:shape style="position:absolute;margin-left:10pt;width:113.4pt;height:113.4pt;z-index:-1">'
        f'<v:imagedata r:id="{rid}"/></v:shape></w:pict></w:r></w:p>'))
    buf = io.BytesIO()
    d.save(buf)
    doc = read(buf.getvalue())
    vml = next(b for b in doc.blocks if b.type == "image" and doc.blocks[b.anchor].text == "VML 图片")
    assert vml.image.placement == "floating" and vml.image.behind_text and vml.image.width_mm == pytest.approx(40, abs=0.1)


def test_scopes_kept_apart_from_the_body():
    doc = read(docx_bytes(sample_application(), header="页眉文字", footer="第 1 页", textbox="文本框里的字",
                          footnote="脚注内容", app_words=4321))
    body = doc.body_text()
    assert doc.headers == ["页眉文字"] and doc.footers == ["第 1 页"]
    assert doc.textboxes == ["文本框里的字"] and doc.footnotes == ["脚注内容"]
    for scoped in ("页眉文字", "第 1 页", "文本框里的字", "脚注内容"):
        assert scoped not in body
    assert doc.properties["app_words"] == 4321


def test_tracked_changes_and_content_controls():
    d = docx.Document(io.BytesIO(docx_bytes([Para("开头。")], header=None, footer=None)))
    d.element.body.insert(0, parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t>保留</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="a"><w:r><w:delText>删除</w:delText></w:r></w:del></w:p>'))
    d.element.body.insert(0, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    buf = io.BytesIO()
    d.save(buf)
    doc = read(buf.getvalue())
    assert [b.text for b in doc.blocks] == ["控件里的段落", "保留插入", "开头。"]
