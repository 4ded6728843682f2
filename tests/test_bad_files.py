"""Bad input ends as status error with one clear file.* finding; never a traceback."""
from __future__ import annotations

import io
import json
import time
import zipfile

import pymupdf
import pytest

from kcjs.corpus.gen import Para, docx_bytes, pdf_bytes, sample_application
from kcjs.pipeline import readers
from kcjs.pipeline.readers import Limits, read_document, read_isolated


def write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def only_error(doc, rule: str):
    assert not doc.readable
    assert [f.rule for f in doc.findings] == [rule], doc.findings
    f = doc.findings[0]
    assert f.severity == "error" and f.message and "Traceback" not in f.message
    return f


def zip_with(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


def good_docx() -> bytes:
    return docx_bytes(sample_application())


def test_empty_file(tmp_path):
    f = only_error(read_document(write(tmp_path, "a.docx", b"")), "file.empty")
    assert f.hint and "重新" in f.hint  # says what to do
    only_error(read_document(write(tmp_path, "b.pdf", b"  \n ")), "file.empty")


def test_document_without_text(tmp_path):
    f = only_error(read_document(write(tmp_path, "blank.docx", docx_bytes([], header=None, footer=None))), "file.empty")
    assert "正文" in f.message
    blank = pymupdf.open()
    blank.new_page()
    only_error(read_document(write(tmp_path, "blank.pdf", blank.tobytes())), "file.empty")


@pytest.mark.parametrize("name,make", [
    ("truncated.docx", lambda: good_docx()[:3000]),
    ("truncated.pdf", lambda: pdf_bytes(sample_application())[:400]),
    ("garbage.pdf", lambda: b"this is not a pdf at all" * 50),
    ("garbage.docx", lambda: bytes(range(256)) * 20),
])
def test_corrupt_and_truncated(tmp_path, name, make):
    doc = read_document(write(tmp_path, name, make()))
    assert only_error(doc, "file.unreadable").hint  # every unreadable file says what to do


def test_corrupt_member_in_docx(tmp_path):
    data = bytearray(good_docx())
    i = data.find(b"word/document.xml")
    i = data.find(b"word/document.xml", i + 1) if data.count(b"word/document.xml") > 1 else i
    data[i + 200:i + 260] = b"\x00" * 60  # damage compressed bytes of the main part
    doc = read_document(write(tmp_path, "crc.docx", bytes(data)))
    assert not doc.readable and doc.findings[0].rule == "file.unreadable"


def test_encrypted_pdf(tmp_path):
    src = pymupdf.open(stream=pdf_bytes(sample_application()), filetype="pdf")
    data = src.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    f = only_error(read_document(write(tmp_path, "locked.pdf", data)), "file.encrypted")
    assert "密码" in f.message and f.hint


def test_pdf_with_owner_password_only_is_read(tmp_path):
    src = pymupdf.open(stream=pdf_bytes(sample_application()), filetype="pdf")
    data = src.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", permissions=0)
    doc = read_document(write(tmp_path, "restricted.pdf", data))
    assert doc.readable and any(b.text == "三、经费预算" for b in doc.blocks)


def test_encrypted_docx(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(good_docx())).encrypt("secret", out)
    only_error(read_document(write(tmp_path, "locked.docx", out.getvalue())), "file.encrypted")


@pytest.mark.parametrize("name,data,words", [
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") * 4, ".docx"),
    ("old.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000, ".docx"),
    ("form.ofd", zip_with({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}), "PDF"),
    ("form.odt", zip_with({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), ".docx"),
    ("sheet.xlsx", zip_with({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}), ".docx"),
    ("notes.txt", "申报书正文".encode(), ".docx"),
])
def test_unsupported_formats_say_what_to_do(tmp_path, monkeypatch, name, data, words):
    monkeypatch.setattr("kcjs.pipeline.readers.legacy.soffice", lambda: None)  # legacy files: no LibreOffice here
    f = only_error(read_document(write(tmp_path, name, data)), "file.unsupported")
    assert words in (f.hint or "")


def test_pdf_named_docx_and_docx_named_pdf_are_read_with_a_warning(tmp_path):
    doc = read_document(write(tmp_path, "really_pdf.docx", pdf_bytes(sample_application())))
    assert doc.readable and doc.format == "pdf"
    assert [(f.rule, f.severity) for f in doc.findings] == [("file.mislabelled", "warning")]
    doc = read_document(write(tmp_path, "really_docx.pdf", good_docx()))
    assert doc.readable and doc.format == "docx" and doc.findings[0].rule == "file.mislabelled"


def test_too_large(tmp_path):
    p = write(tmp_path, "big.docx", good_docx())
    f = only_error(read_document(p, Limits(max_bytes=1000)), "file.too_large")
    assert "MB" in f.message


def test_zip_bomb_refused_before_parsing(tmp_path):
    data = good_docx()
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {i.filename: src.read(i) for i in src.infolist()}
    members["word/media/bomb.bin"] = b"\x00" * (60 * 2**20)
    f = only_error(read_document(write(tmp_path, "bomb.docx", zip_with(members))), "file.unreadable")
    assert "压缩" in f.message
    f = only_error(read_document(write(tmp_path, "bomb2.docx", zip_with(members)), Limits(max_unzipped_bytes=10 * 2**20)),
                   "file.unreadable")
    assert "解压后" in f.message


def test_xml_entity_expansion_refused(tmp_path):
    data = good_docx()
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {i.filename: src.read(i) for i in src.infolist()}
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
    members["word/document.xml"] = lol + members["word/document.xml"].split(b"?>", 1)[1]
    f = only_error(read_document(write(tmp_path, "lol.docx", zip_with(members))), "file.unreadable")
    assert "实体" in f.message


def test_time_limit_in_isolated_read(tmp_path, monkeypatch):
    p = write(tmp_path, "slow.docx", good_docx())
    monkeypatch.setattr(readers, "read_bytes", lambda *a, **k: time.sleep(30))
    t0 = time.monotonic()
    f = only_error(read_isolated(p, Limits(timeout_s=1.5)), "file.timeout")
    assert time.monotonic() - t0 < 10 and "秒" in f.message


def test_crash_in_isolated_read(tmp_path, monkeypatch):
    import os
    p = write(tmp_path, "crash.docx", good_docx())
    monkeypatch.setattr(readers, "read_bytes", lambda *a, **k: os._exit(3))
    only_error(read_isolated(p), "file.unreadable")


def test_isolated_read_returns_the_document(tmp_path):
    doc = read_isolated(write(tmp_path, "ok.docx", good_docx()))
    assert doc.readable and [b.text for b in doc.blocks if b.type == "heading"][1] == "一、申报单位基本情况"


def test_inspect_batch_goes_on_after_bad_files(tmp_path, kcjs):
    files = [write(tmp_path, "ok.docx", good_docx()), write(tmp_path, "bad.pdf", b"%PDF-1.7 broken"),
             write(tmp_path, "form.ofd", zip_with({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"})),
             write(tmp_path, "ok.pdf", pdf_bytes([Para("一、基本情况", 1), Para("正文内容。")]))]
    code, stdout, _ = kcjs("inspect", *map(str, files), "--format", "json")
    data = json.loads(stdout)
    assert code == 1
    assert [d["status"] for d in data] == ["ok", "error", "error", "ok"]
    assert [d["findings"][0]["rule"] for d in data[1:3]] == ["file.unreadable", "file.unsupported"]
    assert data[3]["blocks"][0] == {"type": "heading", "text": "一、基本情况", "level": 1, "page": 1, "source": "text",
                                    "box": data[3]["blocks"][0]["box"]}
    table = next(b for b in data[0]["blocks"] if b["type"] == "table")
    assert table["rows"][0][0] == "单位名称" and "单位名称\t江苏省机械工程学会" in table["text"]


def test_inspect_missing_file(tmp_path, kcjs):
    code, stdout, _ = kcjs("inspect", str(tmp_path / "none.docx"), "--format", "json")
    assert code == 1 and json.loads(stdout)["findings"][0]["rule"] == "file.unreadable"


def test_list_checks_names_the_file_rules(kcjs_json):
    _, data = kcjs_json("rules", "--list-checks", "--format", "json")
    ids = {r["id"] for r in data}
    assert {"file.unreadable", "file.encrypted", "file.too_large", "file.unsupported", "file.empty"} <= ids


def test_a_photo_of_a_page_is_read_as_a_scan(tmp_path):
    import pymupdf
    from kcjs.corpus.gen import scan_pdf_bytes
    page = pymupdf.open(stream=scan_pdf_bytes(pdf_bytes(sample_application(1)), dpi=150), filetype="pdf")[0]
    jpg = page.get_pixmap(dpi=150).tobytes("jpeg")
    doc = read_document(write(tmp_path, "photo.jpg", jpg))
    assert doc.readable and doc.pages[0].source == "ocr"
    assert [f.rule for f in doc.findings][:1] == ["file.image"]
    assert any(b.text == "三、经费预算" for b in doc.blocks)
    f = only_error(read_document(write(tmp_path, "bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)), "file.unreadable")
    assert "图片" in f.message
