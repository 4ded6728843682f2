"""The .docx package and body read as Word shows them: content controls, nested tables, altChunk, ISO Strict,
check boxes, bounded spans and legacy formats converted with LibreOffice. Every input is built here."""
from __future__ import annotations

import io
import subprocess
import zipfile

import pytest

from kcjs.corpus import real_docx as real
from kcjs.corpus.build import application
from kcjs.corpus.gen import Para, Tbl, docx_bytes, sample_application
from kcjs.pipeline.check import Given, check_document
from kcjs.pipeline.readers import read_bytes, read_document, sniff
from kcjs.pipeline.readers.docx_symbols import TICKED, UNTICKED
from tests.tools import needs


@pytest.fixture(scope="module")
def center(pack):
    """A compliant 产业院士协同创新中心 申报书 (targets in a table) and its plain .docx."""
    s = pack.subprogram("academician-center")
    content = application(pack, s, "compliant", "table")
    return s, content, docx_bytes(content, style="bold", seal="inline")


def tables(doc):
    return [b.rows for b in doc.blocks if b.type == "table"]


def checked(doc, pack, s, kind="application"):
    return check_document(doc, pack, Given(subprogram=s, kind=pack.kind(kind)))


def errors(result):
    return sorted(f["rule"] for f in result["findings"] if f["severity"] == "error")


# --- content controls and custom XML around cells and rows -------------------------------------

@pytest.mark.parametrize("what", ["cell", "row"])
@pytest.mark.parametrize("wrapper", ["sdt", "customXml"])
def test_cells_and_rows_in_content_controls_stay_in_place(center, pack, what, wrapper):
    s, _, plain = center
    doc = read_bytes("a.docx", real.wrap_in_controls(plain, what, wrapper))
    assert tables(doc) == tables(read_bytes("a.docx", plain))
    result = checked(doc, pack, s)
    assert errors(result) == [] and result["status"] == "pass"
    assert result["metrics"]["targets"] == {t.id: t.min + (2 if t.min < 20 else 5) for t in s.targets}


def test_runs_in_smart_tags_moves_and_controls_keep_their_text():
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    d = docx.Document(io.BytesIO(docx_bytes([Para("结尾。")], header=None, footer=None)))
    d.element.body.insert(0, parse_xml(
        f'<w:p {nsdecls("w")}><w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t>南京</w:t></w:r></w:smartTag>'
        '<w:moveTo w:id="1" w:author="a"><w:r><w:t>移入</w:t></w:r></w:moveTo>'
        '<w:moveFrom w:id="2" w:author="a"><w:r><w:t>移出</w:t></w:r></w:moveFrom>'
        '<w:sdt><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt>'
        '<w:customXml w:element="x"><w:r><w:t>标记</w:t></w:r></w:customXml></w:p>'))
    buf = io.BytesIO()
    d.save(buf)
    assert [b.text for b in read_bytes("a.docx", buf.getvalue()).blocks] == ["南京移入控件标记", "结尾。"]


# --- nested tables -----------------------------------------------------------------------------

def test_table_nested_in_a_cell_is_a_table_block_of_its_own(center, pack):
    s, content, plain = center
    doc = read_bytes("a.docx", real.nest_tables(plain))
    flat = tables(read_bytes("a.docx", plain))
    got = tables(doc)
    assert len(got) == 2 * len(flat) - 1
    for inner in flat[1:]:  # each nested table follows its outer table, whole
        k = got.index(inner)
        assert got[k - 1][1] == ["（见下表）"] and "（全年）" in got[k - 1][0][0]
    result = checked(doc, pack, s)
    assert errors(result) == [] and result["metrics"]["targets"]


def test_nested_table_images_anchor_to_the_nested_table():
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    data = docx_bytes(sample_application(), seal="cell")
    d = docx.Document(io.BytesIO(data))
    inner = d.tables[-1]._tbl
    outer = parse_xml(f'<w:tbl {nsdecls("w")}><w:tblGrid><w:gridCol w:w="8000"/></w:tblGrid>'
                      '<w:tr><w:tc><w:p><w:r><w:t>外层</w:t></w:r></w:p></w:tc></w:tr></w:tbl>')
    inner.addprevious(outer)
    outer.find(".//{*}tc").append(inner)
    outer.find(".//{*}tc").append(parse_xml(f'<w:p {nsdecls("w")}/>'))
    buf = io.BytesIO()
    d.save(buf)
    doc = read_bytes("a.docx", buf.getvalue())
    im = next(b for b in doc.blocks if b.type == "image")
    assert doc.blocks[im.anchor].rows[0][0] == "推荐单位（盖章）" and im.cell == (0, 1)
    assert doc.blocks[im.anchor - 1].rows == [["外层"]]


# --- altChunk --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["html", "docx"])
def test_body_imported_as_altchunk_is_read_in_place(center, pack, kind):
    s, content, plain = center
    doc = read_bytes("a.docx", real.altchunk_docx(plain, content, kind))
    want = read_bytes("a.docx", plain)
    texts = [b.text for b in doc.blocks if b.type in ("heading", "paragraph")]
    assert texts == [b.text for b in want.blocks if b.type in ("heading", "paragraph")]
    assert [(b.level, b.text) for b in doc.blocks if b.type == "heading"] == \
        [(b.level, b.text) for b in want.blocks if b.type == "heading"]
    assert tables(doc) == tables(want)
    result = checked(doc, pack, s)
    assert result["metrics"]["targets"] == checked(want, pack, s)["metrics"]["targets"]


def test_text_altchunk_gives_its_lines_as_paragraphs():
    content = [Para("意见建议", 0), Para("一、基本情况", 1), Para("第一段正文。"), Para("第二段正文。")]
    doc = read_bytes("a.docx", real.altchunk_docx(docx_bytes(content), content, "text"))
    assert [(b.type, b.text) for b in doc.blocks] == [("heading", "意见建议"), ("heading", "一、基本情况"),
                                                      ("paragraph", "第一段正文。"), ("paragraph", "第二段正文。")]


def test_html_chunk_spans_nested_tables_line_breaks_and_charset():
    from kcjs.pipeline.readers.docx_altchunk import chunk_blocks
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
            "<style>p{color:red}</style></head><body><p><b>一、基本情况</b></p><p>第一行<br>第二行</p>"
            "<table><tr><td rowspan=2>合并</td><td colspan=2>跨两列</td></tr><tr><td>a</td><td>b"
            "<table><tr><td>内</td></tr></table></td></tr></table><script>x=1</script></body></html>")
    blocks = chunk_blocks(page.encode("gb2312"), "text/html")
    assert [(b.type, b.level, b.text) for b in blocks[:2]] == [("heading", 1, "一、基本情况"),
                                                             ("paragraph", None, "第一行\n第二行")]
    assert blocks[2].rows == [["合并", "跨两列", "跨两列"], ["合并", "a", "b"]]
    assert blocks[2].copies == {(0, 2), (1, 0)}
    assert blocks[3].rows == [["内"]] and len(blocks) == 4


def test_docx_chunks_nested_past_the_limit_stop():
    content = [Para("正文。")]
    data = docx_bytes(content)
    for _ in range(6):
        data = real.altchunk_docx(data, content, "docx", keep=0)
    assert read_bytes("a.docx", real.altchunk_docx(docx_bytes(content), content, "docx", keep=0)).blocks[0].text == "正文。"
    with pytest.raises(Exception):  # past the nesting limit nothing is left: an empty document
        read_bytes("a.docx", data)


# --- the package: main part through _rels/.rels, ISO Strict ---------------------------------------

@pytest.mark.parametrize("main", ["word/document.xml", "word/document2.xml"])
def test_strict_ooxml_reads_like_transitional(center, pack, main):
    s, _, plain = center
    strict = real.strict_docx(plain, main=main)
    assert b"purl.oclc.org/ooxml/wordprocessingml/main" in zipfile.ZipFile(io.BytesIO(strict)).read(main)
    assert sniff(strict) == "docx"
    doc, want = read_bytes("a.docx", strict), read_bytes("a.docx", plain)
    assert [(b.type, b.text, b.level, b.rows) for b in doc.blocks] == [(b.type, b.text, b.level, b.rows) for b in want.blocks]
    assert doc.headers == want.headers and doc.footers == want.footers
    assert doc.properties.get("app_words") == want.properties.get("app_words")
    assert errors(checked(doc, pack, s)) == []


def test_main_part_is_found_through_rels_not_by_name():
    data = real.strict_docx(docx_bytes(sample_application()), main="word/document2.xml")
    members = {i.filename for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert "word/document.xml" not in members
    doc = read_bytes("a.docx", data)
    assert doc.blocks[0].text == "2024年度“科创江苏”专项计划项目申报书"


def test_a_workbook_is_not_a_word_document():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                    'spreadsheetml.sheet.main+xml"/></Types>')
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(buf.getvalue()) == "zip"


# --- check boxes -------------------------------------------------------------------------------

OPTIONS = ["产业院士协同创新中心", "企业院士专家创新中心", "学会产业研究院"]


@pytest.mark.parametrize("style", ["wingdings2", "wingdings", "symbol", "font", "sdt", "formfield"])
def test_check_boxes_come_out_ticked_and_unticked(style):
    data = docx_bytes([Para("申报书", 0), Tbl([["申报单位", "江苏省示例学会"], ["项目类别", "待选"]])])
    doc = read_bytes("a.docx", real.category_checkboxes(data, OPTIONS, OPTIONS[2], style))
    cell = tables(doc)[0][1][1]
    boxes = [ch for ch in cell if ch in (TICKED, UNTICKED)]
    if style == "symbol":  # the tick is a Symbol glyph; the empty brackets are typed and stay as typed
        assert boxes == [TICKED] and cell.startswith("（  ）" + OPTIONS[0]) and f"（{TICKED}）{OPTIONS[2]}" in cell
        return
    assert boxes == [UNTICKED, UNTICKED, TICKED], cell
    assert cell.startswith(UNTICKED + OPTIONS[0]) and (TICKED + OPTIONS[2]) in cell
    for other in ("☒", "\uf052", "\uf0a3", "R", "£"):
        assert other not in cell


def test_typed_marks_are_left_as_typed():
    typed = "☑产业院士协同创新中心 □企业院士专家创新中心 ☒学会 ■其他 （√）甲 （ ）乙"
    doc = read_bytes("a.docx", docx_bytes([Para("申报书", 0), Tbl([["项目类别", typed]])]))
    assert tables(doc)[0][0][1] == typed


def test_unticked_lists_keep_every_option_name():
    data = docx_bytes([Para("申报书", 0), Tbl([["项目类别", "待选"]])])
    doc = read_bytes("a.docx", real.category_checkboxes(data, OPTIONS, "none", "wingdings2"))
    cell = tables(doc)[0][0][1]
    assert cell.count(UNTICKED) == 3 and TICKED not in cell and all(o in cell for o in OPTIONS)


# --- bounded spans (issue 18) --------------------------------------------------------------------

def test_huge_grid_span_is_bounded_by_the_grid():
    import docx
    d = docx.Document(io.BytesIO(docx_bytes([Tbl([["a", "b", "c"], ["d", "e", "f"]])])))
    tc = d.tables[0]._tbl.findall(".//{*}tc")[3]
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    tc.get_or_add_tcPr().append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="1000000"/>'))
    tr = d.tables[0]._tbl.findall(".//{*}tr")[1]
    tr.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="99999999999"/></w:trPr>'))
    buf = io.BytesIO()
    d.save(buf)
    rows = tables(read_bytes("a.docx", buf.getvalue()))[0]
    # the span takes what is left of the 3-column grid; the row's two other cells still follow it
    assert rows[1][:3] == ["d", "d", "d"] and rows[1][3:] == ["e", "f"] and rows[0][:3] == ["a", "b", "c"]


# --- legacy formats: LibreOffice -----------------------------------------------------------------

LEGACY = [Para("2024年度“科创江苏”专项计划项目申报书", 0), Para("一、申报单位基本情况", 1),
          Para("本单位长期服务全省重点产业发展。"), Tbl([["申报单位", "江苏省机械工程学会"], ["项目类别", "学会产业研究院"]])]


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory):
    """A .doc LibreOffice writes from a generated .docx, and RTF and ODT written here."""
    tmp = tmp_path_factory.mktemp("legacy")
    src = tmp / "form.docx"
    src.write_bytes(docx_bytes(LEGACY))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    "doc", "--outdir", str(tmp), str(src)], check=True, capture_output=True, timeout=180)
    (tmp / "form.rtf").write_bytes(real.rtf_bytes(LEGACY))
    (tmp / "form.odt").write_bytes(real.odt_bytes(LEGACY))
    return tmp


@needs("soffice")
@pytest.mark.parametrize("ext,name", [(".doc", "旧版 Word 文档（.doc）"), (".rtf", "RTF 文档（.rtf）"),
                                      (".odt", "OpenDocument 文档（.odt）")])
def test_legacy_formats_are_converted_and_read(legacy_files, ext, name):
    doc = read_document(legacy_files / f"form{ext}")
    assert doc.readable, doc.findings
    assert [(f.rule, f.severity) for f in doc.findings] == [("file.converted", "info")]
    assert name in doc.findings[0].message
    texts = [b.text for b in doc.blocks if b.type in ("heading", "paragraph")]
    assert texts[:3] == [p.text for p in LEGACY[:3]]
    assert tables(doc)[0] == LEGACY[3].rows


@needs("soffice")
def test_corrupt_legacy_file_is_a_file_error(tmp_path):
    p = tmp_path / "broken.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") * 4)
    doc = read_document(p)
    assert not doc.readable and [f.rule for f in doc.findings] == ["file.unreadable"]


def test_legacy_formats_without_libreoffice_are_unsupported(tmp_path, monkeypatch):
    monkeypatch.setattr("kcjs.pipeline.readers.legacy.soffice", lambda: None)
    for name, data in (("a.rtf", real.rtf_bytes(LEGACY)), ("a.odt", real.odt_bytes(LEGACY))):
        (tmp_path / name).write_bytes(data)
        doc = read_document(tmp_path / name)
        assert [f.rule for f in doc.findings] == ["file.unsupported"] and ".docx" in doc.findings[0].hint
