"""`kcjs serve` in a real browser: Playwright drives the system Chromium (never a downloaded one) against the
server on a free loopback port: pick and drop files, read the verdict, change a select, download the copy."""
from __future__ import annotations

import base64
import io
import shutil
import socket
import threading
import time

import docx
import pytest

from kcjs.corpus.build import application
from kcjs.corpus.gen import Tbl, docx_bytes
from kcjs.pipeline.packloader import load_pack
from tests.tools import needs, which_any

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOSTILE = "<img src=x onerror=alert(1)>.docx"
SCRIPT = "<script>alert('kcjs')</script>"


def chromium() -> str | None:
    return which_any("chromium", "chromium-browser")


class Server:
    """uvicorn with the kcjs app in a thread, on a free port of 127.0.0.1; stopped on exit."""

    def __enter__(self):
        import uvicorn

        from kcjs.pipeline.web.app import BodyLimit, create_app
        from kcjs.pipeline.web.service import Settings
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(BodyLimit(create_app(Settings()), 50 * 2**20), host="127.0.0.1", port=self.port,
                                log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def pack():
    return load_pack()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which(chromium() or "chromium"), args=["--no-sandbox"])
        yield b
        b.close()


def flawed(pack, placeholder: str) -> bytes:
    body = application(pack, pack.subprogram("academician-center"), "target-below", "table")
    next(b for b in body if isinstance(b, Tbl)).rows[1][3] = placeholder
    return docx_bytes(body, style="bold")


@needs("chromium", "chromium-browser")
def test_upload_verdict_findings_download(browser, pack, tmp_path):
    target = pack.subprogram("academician-center").targets[0].name.split("（")[0]
    dialogs = []
    with Server() as server:
        page = browser.new_page(accept_downloads=True)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server.url)
        assert page.locator("h1").inner_text() == "“科创江苏”申报材料自查"
        # pick a file with a hostile name and HTML inside: it is checked at once, no button needed
        page.set_input_files("#file", files=[{"name": HOSTILE, "mimeType": DOCX,
                                               "buffer": flawed(pack, "【请填写】" + SCRIPT)}])
        page.wait_for_selector("#result .result", timeout=120_000)
        result = page.locator("#result .result")
        assert result.get_attribute("data-status") == "fail"
        assert page.locator("#result .badge").inner_text() == "不通过"
        assert page.locator("#result .verdict .file").inner_text() == HOSTILE  # shown as text, not markup
        assert page.locator("#result img").count() == 0 and page.locator("#result script").count() == 0
        errors = page.locator("#result .sev-error .finding .msg").all_inner_texts()
        assert any(t.startswith(f"“{target}”目标为") for t in errors)
        assert any(SCRIPT in t for t in page.locator("#result q").all_inner_texts())  # the quote, literally
        assert page.locator("#subprogram").input_value() == "academician-center"  # detected, shown in the select
        # the annotated copy, downloaded as a person would
        with page.expect_download() as got:
            page.click("#download")
        path = tmp_path / got.value.suggested_filename
        got.value.save_as(path)
        assert got.value.suggested_filename.endswith(".kcjs批注.docx")
        comments = [c.text for c in docx.Document(str(path)).comments]
        assert any(c.startswith(f"【错误】“{target}”目标为") for c in comments)
        assert any(c.startswith("kcjs 检查结论：不通过") for c in comments)
        # change the kind: the same file is checked again as that kind
        page.select_option("#kind", "advisory-report")
        page.wait_for_function("() => document.querySelector('#result .result')?.dataset.kind === 'advisory-report'",
                               timeout=120_000)
        # drop a second file on the drop zone
        data = base64.b64encode(docx_bytes(application(pack, pack.subprogram("society-consortium"), "compliant", "table"),
                                           style="bold", seal="floating")).decode()
        dt = page.evaluate_handle("""(b64) => { const bin = atob(b64); const u = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
            const dt = new DataTransfer(); dt.items.add(new File([u], '联合体申报书.docx')); return dt; }""", data)
        page.dispatch_event("#drop", "drop", {"dataTransfer": dt})
        page.wait_for_function("() => document.querySelector('#result .verdict .file')?.textContent === '联合体申报书.docx'",
                               timeout=120_000)
        assert page.locator("#result .result").get_attribute("data-subprogram") == "society-consortium"
        assert page.locator("#kind").input_value() == "application"  # detected afresh, not the last file's choice
    assert dialogs == []  # no script from the file name or the document ever ran


@needs("chromium", "chromium-browser")
def test_staff_tab_downloads_a_blank_form(browser, tmp_path):
    with Server() as server:
        page = browser.new_page(accept_downloads=True)
        page.goto(server.url)
        page.click("a[data-tab=staff]")
        assert page.locator("#staff").is_visible() and not page.locator("#self").is_visible()
        page.select_option("#t-subprogram", label="学会联合体")
        page.select_option("#t-kind", "application")
        with page.expect_download() as got:
            page.click("#template-form button")
        assert got.value.suggested_filename.endswith("申报书.docx")
        path = tmp_path / "form.docx"
        got.value.save_as(path)
        form = docx.Document(str(path))  # the stamp lines stand in the cover and opinion tables
        cells = [c.text for t in form.tables for row in t.rows for c in row.cells]
        assert any("申报单位（盖章）" in t for t in [p.text for p in form.paragraphs] + cells)
