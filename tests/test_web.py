"""`kcjs serve` endpoints through FastAPI's TestClient: real documents, real checks, every value escaped."""
from __future__ import annotations

import io
import json
import logging
import re
import tempfile
import zipfile
from urllib.parse import unquote

import docx
import pytest
from fastapi.testclient import TestClient

from kcjs.corpus.build import application
from kcjs.corpus.gen import Tbl, docx_bytes
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.web.app import BodyLimit, create_app
from kcjs.pipeline.web.service import Settings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOSTILE = "<img src=x onerror=alert(1)>\"'&.docx"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.fixture()
def client(private_tmp):
    return TestClient(create_app(Settings(max_file_mb=5)), base_url="http://localhost")


def flawed(pack, placeholder: str = "【请填写】") -> bytes:
    body = application(pack, pack.subprogram("academician-center"), "target-below", "table")
    next(b for b in body if isinstance(b, Tbl)).rows[1][3] = placeholder
    return docx_bytes(body, style="bold")


def test_page_loads_nothing_from_the_network(client):
    r = client.get("/")
    assert r.status_code == 200 and "申报单位自查" in r.text and "空白表格与批量审核" in r.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", r.text)
    assert "default-src 'none'" in r.headers["content-security-policy"]
    for asset in re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", r.text):
        assert client.get(asset).status_code == 200
    assert "产业院士协同创新中心" in r.text  # the subprogram select, from the rule pack


def test_check_shows_verdict_findings_and_gives_the_annotated_copy(client, pack, private_tmp):
    r = client.post("/check?partial=1", files={"file": ("申报书.docx", flawed(pack), DOCX)})
    assert r.status_code == 200
    assert 'data-status="fail"' in r.text and "不通过" in r.text
    target = pack.subprogram("academician-center").targets[0]
    assert f"“{target.name.split('（')[0]}”目标为" in r.text and "本单位目标值" in r.text and "怎么改" in r.text
    assert r.text.index("错误（") < r.text.index("提示（")  # grouped by severity, errors first
    assert "--subprogram" not in r.text and "在上方“子项目”" in r.text  # told for the page, not the command line
    link = re.search(r'href="(/download/[^"]+)"', r.text).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.headers["content-type"] == DOCX
    assert unquote(got.headers["content-disposition"].split("filename*=UTF-8''")[1]) == "申报书.kcjs批注.docx"
    comments = docx.Document(io.BytesIO(got.content)).comments
    assert any(c.text.startswith(f"【错误】“{target.name.split('（')[0]}”") for c in comments)
    assert not list(private_tmp.glob("kcjs-web-*"))  # the upload is gone once answered


def test_api_check_and_chosen_subprogram(client, pack):
    data = flawed(pack)
    r = client.post("/api/check", files={"file": ("a.docx", data, DOCX)})
    body = r.json()
    assert body["status"] == "fail" and body["subprogram"] == "academician-center" and body["file"] == "a.docx"
    assert body["annotated"]["url"].startswith("/download/")
    assert "detect.inferred" in {f["rule"] for f in body["findings"]}
    chosen = client.post("/api/check", files={"file": ("a.docx", data, DOCX)},
                         data={"subprogram": "academician-center", "kind": "application"}).json()
    assert "detect.inferred" not in {f["rule"] for f in chosen["findings"]}
    bad = client.post("/api/check", files={"file": ("a.docx", data, DOCX)}, data={"subprogram": "不存在的子项目"})
    assert bad.status_code == 400 and "不存在的子项目" in bad.json()["error"]


def test_hostile_name_and_html_in_the_document_are_escaped(client, pack):
    script = "<script>alert('kcjs')</script>"
    r = client.post("/check", files={"file": (HOSTILE, flawed(pack, "【请填写】" + script), DOCX)})
    assert r.status_code == 200
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(" in r.text
    link = re.search(r'href="(/download/[^"]+)"', r.text).group(1)
    disposition = client.get(link).headers["content-disposition"]
    assert "<" not in disposition.split("filename*=")[0] and "/" not in unquote(disposition.split("filename*=UTF-8''")[1])


def test_bad_files_get_a_chinese_message_never_a_traceback(client, pack):
    r = client.post("/check?partial=1", files={"file": ("坏.pdf", b"%PDF-1.7\n1 0 obj <<", "application/pdf")})
    assert r.status_code == 200 and 'data-status="error"' in r.text and "无法读取" in r.text
    assert "Traceback" not in r.text
    r = client.post("/check?partial=1", files={"file": ("空.docx", b"", DOCX)})
    assert r.status_code == 400 and "空的" in r.text
    r = client.post("/check?partial=1", files={"file": ("大.pdf", b"%PDF-1.7\n" + b"0" * (6 * 2**20), "application/pdf")})
    assert r.status_code == 400 and "5 MB" in r.text
    r = client.post("/check?partial=1")
    assert r.status_code == 400 and "请选择要上传的文件" in r.text
    assert client.get("/download/nothing-here").status_code == 404


def test_a_crash_is_a_message_and_a_log_line(client, pack, caplog, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("secret internal detail")
    monkeypatch.setattr(client.app.state.service, "check", boom)
    with caplog.at_level(logging.ERROR, logger="kcjs.web"):
        r = client.post("/check?partial=1", files={"file": ("a.docx", flawed(pack), DOCX)})
    assert r.status_code == 500 and "服务器处理时出错" in r.text
    assert "secret internal detail" not in r.text and "Traceback" not in r.text
    assert any("secret internal detail" in (rec.exc_text or str(rec.exc_info)) for rec in caplog.records)


def test_only_localhost_by_default(private_tmp):
    app = create_app(Settings())
    assert TestClient(app, base_url="http://evil.example").get("/").status_code == 421
    assert TestClient(app, base_url="http://127.0.0.1:8000").get("/").status_code == 200
    assert TestClient(create_app(Settings(), loopback_only=False), base_url="http://10.0.0.5").get("/").status_code == 200


def test_body_limit_refuses_large_uploads(private_tmp):
    app = BodyLimit(create_app(Settings()), 10_000)
    r = TestClient(app, base_url="http://localhost").post("/check", files={"file": ("a.pdf", b"x" * 20_000, "application/pdf")})
    assert r.status_code == 413 and "上限" in r.text


def test_blank_form_download(client, pack):
    r = client.get("/template", params={"subprogram": "学会联合体"})
    assert r.status_code == 200 and r.headers["content-type"] == DOCX
    name = unquote(r.headers["content-disposition"].split("filename*=UTF-8''")[1])
    assert name.endswith("申报书.docx") and "学会联合体" in name
    form = docx.Document(io.BytesIO(r.content))
    text = "\n".join([p.text for p in form.paragraphs] + [c.text for t in form.tables for row in t.rows for c in row.cells])
    assert "申报单位（盖章）" in text  # on the cover and in the 申报单位意见 block, both tables
    sub = pack.subprogram("academician-center")
    kind = sub.deliverables[0].kind
    r = client.get("/template", params={"subprogram": sub.id, "kind": kind})
    assert r.status_code == 200 and sub.deliverables[0].name.split("（")[0] in unquote(r.headers["content-disposition"])
    assert client.get("/template", params={"subprogram": "nope"}).status_code == 400


def test_batch_audit_for_staff(client, pack):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("单位甲/申报书.docx", flawed(pack))
        zf.writestr("单位乙/申报书.docx", docx_bytes(application(pack, pack.subprogram("society-consortium"), "compliant",
                                                                    "table"), style="bold", seal="floating"))
    r = client.post("/audit?partial=1", files={"file": ("批次.zip", buf.getvalue(), "application/zip")})
    assert r.status_code == 200, r.text
    assert "共 2 个文件" in r.text and "单位甲/申报书.docx" in r.text
    links = dict(re.findall(r'href="(/download/[^"]+)" download="kcjs-report\.(\w+)"', r.text))
    by_fmt = {v: k for k, v in links.items()}
    report = json.loads(client.get(by_fmt["json"]).content)
    assert report["summary"]["documents"] == 2 and report["summary"]["fail"] >= 1
    assert client.get(by_fmt["xlsx"]).content[:2] == b"PK"
    r = client.post("/audit?partial=1", files={"file": ("x.zip", b"not a zip", "application/zip")})
    assert r.status_code == 400 and "不是有效的 .zip" in r.text
