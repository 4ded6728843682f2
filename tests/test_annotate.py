"""Annotated copies (`kcjs check --annotate`): comments read back from the .docx, highlights from the PDF,
and the .docx rendered by LibreOffice."""
from __future__ import annotations

import hashlib
import io
import subprocess

import docx
import pymupdf
import pytest
from typer.testing import CliRunner

from kcjs.corpus.build import application
from kcjs.corpus.gen import Para, Tbl, docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline.annotate import annotate_bytes, annotated_name
from kcjs.pipeline.check import check_document
from kcjs.pipeline.cli import app
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import read_bytes
from tests.tools import needs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def flawed(pack) -> list:
    """An academician-center 申报书 with a target below the minimum (a table cell), a placeholder left in the
    information table (another cell) and no seal at the stamp line (a paragraph)."""
    body = application(pack, pack.subprogram("academician-center"), "target-below", "table")
    info = next(b for b in body if isinstance(b, Tbl))
    info.rows[1][3] = "【请填写】"
    return body


def anchored_text(data: bytes) -> dict[str, str]:
    """comment id -> the body text between its commentRangeStart and commentRangeEnd."""
    root = docx.Document(io.BytesIO(data)).element.body
    open_, text = set(), {}
    for el in root.iter():
        if el.tag == W + "commentRangeStart":
            open_.add(el.get(W + "id"))
            text.setdefault(el.get(W + "id"), "")
        elif el.tag == W + "commentRangeEnd":
            open_.discard(el.get(W + "id"))
        elif el.tag == W + "t" and el.text:
            for cid in open_:
                text[cid] += el.text
    return text


def checked(pack, data: bytes, name: str):
    doc = read_bytes(name, data)
    return doc, check_document(doc, pack)


def test_docx_comment_at_each_finding(pack):
    data = docx_bytes(flawed(pack), style="bold")
    doc, result = checked(pack, data, "申报书.docx")
    rules = {f["rule"] for f in result["findings"]}
    assert {"target.below_minimum", "template.placeholder_left", "stamp.missing"} <= rules
    copy, fmt = annotate_bytes(data, doc, result)
    assert fmt == "docx"
    d = docx.Document(io.BytesIO(copy))
    comments = {str(c.comment_id): c for c in d.comments}
    anchors = anchored_text(copy)
    placed = [f for f in result["findings"] if "block" in f["location"]]
    assert len(comments) == len(placed) + 1  # one per placed finding, one summary on the title
    assert all(c.author == "kcjs" for c in comments.values())

    def comment_for(rule: str):
        f = next(f for f in result["findings"] if f["rule"] == rule)
        cid = next(k for k, c in comments.items() if c.text.startswith(f"【错误】{f['message']}"))
        return f, comments[cid], anchors[cid]

    f, c, anchor = comment_for("target.below_minimum")
    target = pack.subprogram("academician-center").targets[0]
    assert anchor == str(int(target.min - 1))  # the applicant's value, in its own cell
    assert f"要求：{f['expected']}" in c.text and f"建议：{f['hint']}" in c.text
    assert "本单位目标值" in c.text  # the column named, not only counted
    f, c, anchor = comment_for("template.placeholder_left")
    assert anchor == "【请填写】"
    f, c, anchor = comment_for("stamp.missing")
    assert anchor == "申报单位（盖章）"
    summary = next(cid for cid, c in comments.items() if c.text.startswith("kcjs 检查结论：不通过"))
    assert anchors[summary] == "2024年度“科创江苏”专项计划项目申报书"
    assert "已自动识别" in comments[summary].text  # a finding without a place is listed on the title
    highlighted = [r for r in d.element.body.iter(W + "r")
                   if r.find(f"{W}rPr/{W}highlight") is not None and r.findtext(f"{W}t")]
    assert {r.findtext(f"{W}t") for r in highlighted} >= {"【请填写】", "申报单位（盖章）"}
    again = check_document(read_bytes("copy.docx", copy), pack)  # the marks change nothing the checker reads
    assert [g["rule"] for g in again["findings"]] == [g["rule"] for g in result["findings"]]


def test_location_names_section_quote_row_and_column(pack):
    data = docx_bytes(flawed(pack), style="bold")
    _, result = checked(pack, data, "申报书.docx")
    f = next(f for f in result["findings"] if f["rule"] == "target.below_minimum")
    loc = f["location"]
    target = pack.subprogram("academician-center").targets[0]
    assert loc["section"].endswith("年度目标任务")
    assert loc["row"] == 2 and loc["column"] == 5
    assert loc["row_label"] == target.name.split("（")[0] and loc["column_label"] == "本单位目标值"
    p = next(f for f in result["findings"] if f["rule"] == "template.placeholder_left")["location"]
    assert p["section"] == "一、申报单位基本情况" and p["row_label"] == "项目负责人" and "column_label" not in p
    s = next(f for f in result["findings"] if f["rule"] == "stamp.missing")["location"]
    assert s["section"] == "六、申报单位意见" and s["quote"] == "申报单位（盖章）"


def test_text_pdf_highlights_the_words(pack):
    data = pdf_bytes(flawed(pack))
    doc, result = checked(pack, data, "申报书.pdf")
    copy, fmt = annotate_bytes(data, doc, result)
    assert fmt == "pdf"
    pdf = pymupdf.open(stream=copy, filetype="pdf")
    marks = [(p, a) for p in pdf for a in p.annots() if a.type[1] == "Highlight"]
    placed = [f for f in result["findings"] if "block" in f["location"]]
    assert len(marks) == len(placed)
    under = {a.info["content"].split("\n")[0]: p.get_textbox(a.rect + (0, 1, 0, -1)).strip() for p, a in marks}
    assert any("填写提示" in k and v == "【请填写】" for k, v in under.items())
    target = pack.subprogram("academician-center").targets[0]
    assert any("目标为" in k and v == str(int(target.min - 1)) for k, v in under.items())
    notes = [a for p in pdf for a in p.annots() if a.type[1] == "Text"]
    assert len(notes) == len(placed) + 1 and any(a.info["content"].startswith("kcjs 检查结论：不通过") for a in notes)
    assert pymupdf.open(stream=data, filetype="pdf")[0].first_annot is None  # the original is untouched


def test_scanned_pdf_marks_the_ocr_lines(pack):
    body = application(pack, pack.subprogram("academician-center"), "compliant", "table")
    data = scan_pdf_bytes(pdf_bytes(body), dpi=150, noise=3, text_pages=(1,))  # page 2, the stamp line, scanned
    doc, result = checked(pack, data, "扫描件.pdf")
    # the stamp line of a scan: stamp.missing on a colour scan, stamp.unverifiable on a grey one
    f = next(f for f in result["findings"] if f["rule"] in ("stamp.missing", "stamp.unverifiable"))
    assert doc.pages[f["location"]["page"] - 1].source == "ocr"
    block = doc.blocks[f["location"]["block"]]
    copy, _ = annotate_bytes(data, doc, result)
    page = pymupdf.open(stream=copy, filetype="pdf")[block.page - 1]
    marks = [a for a in page.annots() if a.type[1] == "Highlight" and f["message"] in a.info["content"]]
    assert len(marks) == 1 and marks[0].rect.intersects(pymupdf.Rect(block.box))


def test_cli_annotate_writes_a_copy_and_leaves_the_original(pack, tmp_path):
    src = tmp_path / "我的申报书.docx"
    src.write_bytes(docx_bytes(flawed(pack), style="bold"))
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "批注"
    r = CliRunner().invoke(app, ["check", str(src), "--annotate", "-o", str(out)])
    assert r.exit_code == 1, r.output
    copy = out / "我的申报书.kcjs批注.docx"
    assert copy.is_file() and hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert len(docx.Document(str(copy)).comments) >= 4


def test_annotated_name_is_never_a_path():
    assert annotated_name("申报书.docx", "docx") == "申报书.kcjs批注.docx"
    assert "/" not in annotated_name("../../etc/passwd", "pdf") and "\\" not in annotated_name("..\\a\\b.docx", "docx")


@needs("soffice")
def test_libreoffice_shows_the_comments_and_highlights(pack, tmp_path):
    """LibreOffice opens the copy, exports every comment as a PDF note, and paints the highlights."""
    data = docx_bytes(flawed(pack), style="bold")
    doc, result = checked(pack, data, "申报书.docx")
    copy, _ = annotate_bytes(data, doc, result)
    (tmp_path / "a.docx").write_bytes(copy)
    (tmp_path / "o.docx").write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                    "--outdir", str(tmp_path), str(tmp_path / "a.docx"), str(tmp_path / "o.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = pymupdf.open(tmp_path / "a.pdf")
    notes = [a.info["content"] for p in pdf for a in p.annots() if a.type[1] == "Text"]
    assert len(notes) == len(docx.Document(io.BytesIO(copy)).comments)
    assert any(n.startswith("kcjs 检查结论") for n in notes)

    def yellow(path) -> int:
        n = 0
        for p in pymupdf.open(path):
            pix = p.get_pixmap(dpi=40, annots=False)
            s = pix.samples
            n += sum(1 for i in range(0, len(s), 3) if s[i] > 220 and s[i + 1] > 220 and s[i + 2] < 80)
        return n
    assert yellow(tmp_path / "a.pdf") > 20 and yellow(tmp_path / "o.pdf") == 0


def test_annotate_file_reads_the_file_again_when_not_given_the_document(pack, tmp_path):
    """The batch audit's contract: annotate_file(path, result, out_dir) with only the JSON result at hand."""
    from kcjs.pipeline.annotate import annotate_file
    src = tmp_path / "申报书.docx"
    src.write_bytes(docx_bytes(flawed(pack), style="bold"))
    _, result = checked(pack, src.read_bytes(), str(src))
    made = annotate_file(src, result, tmp_path / "out")
    assert made == tmp_path / "out" / "申报书.kcjs批注.docx"
    anchors = set(anchored_text(made.read_bytes()).values())
    assert {"【请填写】", "申报单位（盖章）"} <= anchors


def test_row_band_of_a_scanned_table():
    from kcjs.pipeline.annotate import _row_band
    from kcjs.pipeline.document import Block
    table = Block(type="table", rows=[["序号", "目标"], ["1", "解决企业\n技术问题"]], box=(0, 100, 200, 160))
    assert tuple(_row_band(table, 1)) == (0, 120, 200, 160)  # two lines of three: the lower two thirds
    joined = Block(type="table", rows=[["x"]] * 12, box=(0, 100, 200, 160))  # rows went on over the page
    assert tuple(_row_band(joined, 3)) == (0, 100, 200, 160)


def test_body_imported_as_altchunk_goes_to_the_title_comment(pack):
    """Blocks read from an altChunk part have no place in document.xml to hang a comment on: their findings join
    the title's comment, and the blocks before the chunk keep their own comments."""
    from kcjs.corpus.real_docx import altchunk_docx
    body = flawed(pack)
    data = altchunk_docx(docx_bytes(body, style="bold"), body, kind="docx", keep=1)
    doc, result = checked(pack, data, "申报书.docx")
    assert "template.placeholder_left" in {f["rule"] for f in result["findings"]}  # read from the chunk
    copy, _ = annotate_bytes(data, doc, result)
    comments = docx.Document(io.BytesIO(copy)).comments
    summary = next(c.text for c in comments if c.text.startswith("kcjs 检查结论"))
    assert "填写提示" in summary and len(comments) == 1
