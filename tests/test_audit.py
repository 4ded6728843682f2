"""`kcjs audit`: a batch in, one report staff can act on; cross-submission rules; cache and resume."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kcjs.corpus.build import application, deliverable
from kcjs.corpus.gen import docx_bytes, pdf_bytes
from kcjs.pipeline.audit.batch import AuditOptions, audit
from kcjs.pipeline.audit.report import write_html, write_xlsx
from kcjs.pipeline.audit.tables import applicant_key
from kcjs.pipeline.readers import Limits


def app_doc(pack, sid: str, unit: str | None = None, fmt: str = "docx", variant: str = "compliant", direction=None) -> bytes:
    content = application(pack, pack.subprogram(sid), variant, "table", direction)
    if unit:
        content[2].rows[0][1] = unit
    return docx_bytes(content, seal="inline") if fmt == "docx" else pdf_bytes(content, seal_on_stamp_line=True)


def resaved(data: bytes) -> bytes:
    """The same .docx saved again: every zip member with another timestamp, so the bytes differ."""
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 3, 20, 9, 30, 0)), src.read(info))
    return buf.getvalue()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, pack):
    """Four applicants; one over both limits, one blacklisted, one file sent twice."""
    root = tmp_path_factory.mktemp("batch")
    soc = "江苏省机械工程学会"
    files = {
        "a/产业院士中心.docx": app_doc(pack, "academician-center", soc),
        "a/学会产业研究院.pdf": app_doc(pack, "society-research-institute", soc, "pdf"),
        "a/学术大会.docx": app_doc(pack, "academic-conference", soc),
        "a/江苏行.docx": app_doc(pack, "expert-service-tour", soc),
        "a/其他专项.docx": app_doc(pack, "special-service", soc, direction=pack.subprogram("special-service").directions[0]),
        "b/学会联合体.docx": app_doc(pack, "society-consortium"),
        "b/学会联合体-副本.docx": resaved(app_doc(pack, "society-consortium")),
        "c/实体化平台.docx": app_doc(pack, "national-society-platform", variant="over-cap"),
        "d/=HYPERLINK(\"http://x\")<script>.docx": app_doc(pack, "academic-conference", "省 机械工程学会"),
        "e/broken.pdf": b"%PDF-1.7 not really",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    black = root.parent / "blacklist.csv"
    with open(black, "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位名称", "原因", "日期"])
        w.writerow(["中国机械工程学会", "两年内被省科协通报并限期整改", "2023-06-01"])
    out = root.parent / "report"
    report = audit(root, out, pack, None, AuditOptions(blacklist=black, workers=2, quiet=True))
    return root, out, report


def test_cross_submission_rules(batch):
    _, _, report = batch
    by_rule = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    assert set(by_rule) == {"limit.platform_exclusive", "limit.activity_max2", "eligibility.blacklisted", "file.duplicate"}
    pe = by_rule["limit.platform_exclusive"][0]
    assert pe["applicant"] == "江苏省机械工程学会" and pe["actual"] == 2 and len(pe["files"]) == 2
    am = by_rule["limit.activity_max2"][0]
    assert am["actual"] == 4  # 学术大会 twice (one under a differently written name), 江苏行, 其他专项
    assert any("=HYPERLINK" in f for f in am["files"])
    assert by_rule["eligibility.blacklisted"][0]["applicant"] == "中国机械工程学会"
    assert "限期整改" in by_rule["eligibility.blacklisted"][0]["message"]
    assert set(by_rule["file.duplicate"][0]["files"]) == {"b/学会联合体-副本.docx", "b/学会联合体.docx"}, by_rule["file.duplicate"]
    assert len(by_rule["file.duplicate"]) == 1


def test_duplicate_by_content_not_bytes(batch):
    """Re-saved copies differ in bytes (zip timestamps) but are one document; the other files are not duplicates."""
    root, _, report = batch
    assert (root / "b/学会联合体.docx").read_bytes() != (root / "b/学会联合体-副本.docx").read_bytes()
    docs = {d["file"]: d for d in report["documents"]}
    a, b = docs["b/学会联合体.docx"], docs["b/学会联合体-副本.docx"]
    assert a["sha256"] != b["sha256"] and a["metrics"]["content_sha256"] == b["metrics"]["content_sha256"]
    assert a["cross"] == b["cross"] == ["file.duplicate"]


def test_documents_carry_applicant_and_inference(batch):
    _, _, report = batch
    docs = {d["file"]: d for d in report["documents"]}
    assert len(docs) == 10
    d = docs["a/产业院士中心.docx"]
    assert d["applicant"] == "江苏省机械工程学会" and d["applicant_source"] == "document" and d["status"] == "pass"
    assert any("申报单位取自文中" in x for x in d["inferred"]) and d["cross"] == ["limit.platform_exclusive"]
    assert docs["e/broken.pdf"]["status"] == "error" and docs["e/broken.pdf"]["applicant"] == "e"
    assert docs["c/实体化平台.docx"]["status"] == "fail"
    s = report["summary"]
    assert (s["documents"], s["pass"], s["fail"], s["error"]) == (10, 8, 1, 1) and s["applicants"] == 4
    assert sum(s["verdicts"].values()) == s["applicants"] == len(report["verdicts"])  # the counts add up


def test_applicant_names_match_after_normalising():
    assert applicant_key("江苏省机械工程学会") == applicant_key(" 省 机械工程学会 ") == applicant_key("机械工程学会")
    assert applicant_key("中国（江苏）学会") == applicant_key("中国江苏学会")


def test_workbook_for_staff(batch):
    _, out, report = batch
    wb = load_workbook(out / "kcjs-report.xlsx") if (out / "kcjs-report.xlsx").exists() else None
    if wb is None:
        write_xlsx(report, out / "kcjs-report.xlsx")
        wb = load_workbook(out / "kcjs-report.xlsx")
    assert wb.sheetnames == ["审核结论", "汇总", "问题明细", "申报单位", "跨申报检查", "文本重合", "运行设置"]
    ws = wb["汇总"]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    strict = re.compile(r'=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)')  # inside, every quote doubled
    name = lambda v: strict.fullmatch(v)[2].replace('""', '"')  # file names link to the files
    rows = {name(r[0]): dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    over = rows["c/实体化平台.docx"]
    assert over["结论"] == "不通过" and over["申请经费（万元）"] == 25 and over["经费上限（万元）"] == 20 and over["公章数"] == 1
    assert over["公章印文"] and "None" not in over["公章印文"]  # what the seal reads, beside how many
    evil = next(k for k in rows if k.startswith("d/="))
    cell = next(c for c in ws["B"] if c.value == "省 机械工程学会")
    assert name(ws.cell(row=cell.row, column=1).value) == evil  # the name is a string in our formula, never one itself
    status_cell = next(r for r in ws.iter_rows(min_row=2) if name(r[0].value) == "c/实体化平台.docx")[4]
    assert status_cell.fill.fgColor.rgb.endswith("FFC7CE")
    findings = list(wb["问题明细"].iter_rows(min_row=2, values_only=True))
    over_cap = next(r for r in findings if r[3] == "budget.over_cap")
    assert name(over_cap[0]) == "c/实体化平台.docx" and "25" in over_cap[5] and over_cap[7]  # evidence quote
    cross = list(wb["跨申报检查"].iter_rows(min_row=2, values_only=True))
    assert len(cross) == len(report["findings"])


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_escaped(batch, tmp_path):
    _, _, report = batch
    path = write_html(report, tmp_path / "r.html")
    html = path.read_text(encoding="utf-8")
    assert html.count("<script>") == 1 and "&lt;script&gt;" in html  # ours (sorting, filters); the file's is text
    p = _Text()
    p.feed(html)
    assert p.tags.count("script") == 1 and "budget.over_cap" in "".join(p.text)


def test_zip_with_gbk_names_and_hostile_members(tmp_path, pack):
    z = tmp_path / "batch.zip"
    good = app_doc(pack, "society-consortium")
    gbk = "学会联合体/申报书.docx".encode("gbk")
    stand_in = b"q" * (len(gbk) - 5) + b".docx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(stand_in.decode(), good)
        zf.writestr("../../escape.docx", good)
        zf.writestr("__MACOSX/._junk", b"x")
        zf.writestr("big.pdf", b"%PDF-1.7\n" + b"0" * (2 * 2**20))
    z.write_bytes(z.read_bytes().replace(stand_in, gbk))  # GBK bytes, no UTF-8 flag: as Chinese Windows writes it
    report = audit(z, tmp_path / "out", pack, None, AuditOptions(workers=1, quiet=True, limits=Limits(max_bytes=2**20)))
    docs = {d["file"]: d for d in report["documents"]}
    assert set(docs) == {"学会联合体/申报书.docx", "../../escape.docx", "big.pdf"}
    assert docs["学会联合体/申报书.docx"]["status"] == "pass"
    assert docs["../../escape.docx"]["findings"][0]["rule"] == "file.unsafe_path"
    assert docs["big.pdf"]["findings"][0]["rule"] == "file.too_large"
    assert not (tmp_path / "escape.docx").exists() and not (tmp_path / "out" / "escape.docx").exists()


def test_manifest_in_gbk_and_acceptance_stage(tmp_path, pack):
    root = tmp_path / "in"
    root.mkdir()
    sub = pack.subprogram("academician-center")
    (root / "x1.docx").write_bytes(app_doc(pack, sub.id, "江苏省机械工程学会"))
    (root / "x2.docx").write_bytes(docx_bytes(deliverable(pack, sub, "advisory-report", 4500, "2024年11月20日")))
    man = tmp_path / "清单.csv"
    with open(man, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["文件", "申报单位", "子项目", "材料类型"])
        w.writerow(["x1.docx", "江苏省机械工程学会", "产业院士协同创新中心", "申报书"])
        w.writerow(["x2.docx", "省机械工程学会", "academician-center", "advisory-report"])
    report = audit(root, tmp_path / "out", pack, None, AuditOptions(manifest=man, stage="acceptance", workers=1, quiet=True))
    docs = {d["file"]: d for d in report["documents"]}
    assert docs["x2.docx"]["applicant_source"] == "manifest" and docs["x2.docx"]["kind"] == "advisory-report"
    assert not [f for f in docs["x1.docx"]["findings"] if f["rule"] == "detect.inferred"]
    missing = [f for f in report["findings"] if f["rule"] == "deliverable.missing"]
    assert [f["expected"] for f in missing] == ["年度成功合作案例"]  # the 意见建议 is there; the case is not


def test_cli_audit_exit_codes_and_bad_manifest(tmp_path, kcjs, pack):
    root = tmp_path / "in"
    root.mkdir()
    (root / "ok.docx").write_bytes(app_doc(pack, "society-consortium"))
    code, out, _ = kcjs("audit", str(root), "-o", str(tmp_path / "r"), "-q")
    assert code == 0 and "通过 1" in out and (tmp_path / "r" / "kcjs-report.xlsx").exists()
    bad = tmp_path / "m.csv"
    bad.write_text("name,what\nok.docx,x\n", encoding="utf-8")
    code, _, err = kcjs("audit", str(root), "--manifest", str(bad), "-o", str(tmp_path / "r2"))
    assert code == 2 and "找不到含 文件（file） 的表头" in err and "name、what" in err
    assert kcjs("audit", str(tmp_path / "nowhere"), "-o", str(tmp_path / "r3"))[0] == 2


def _run_audit(src: Path, out: Path, workers: int = 1) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kcjs.pipeline.cli", "audit", str(src), "-o", str(out), "-q",
                             "--workers", str(workers), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_second_run_uses_the_store_and_a_killed_run_resumes(tmp_path, pack):
    src = tmp_path / "in"
    src.mkdir()
    subs = list(pack.subprograms)
    for i in range(12):
        (src / f"{i:02d}.pdf").write_bytes(app_doc(pack, subs[i % len(subs)].id, fmt="pdf"))
    out = tmp_path / "out"
    proc = _run_audit(src, out)
    db = out / "kcjs-cache.sqlite"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                stored = sqlite3.connect(str(db)).execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.Error:
                stored = 0
            if stored >= 3:
                break
        time.sleep(0.05)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, at once, mid-batch
    except ProcessLookupError:
        pass  # it had already finished: the resume below then finds everything stored
    proc.wait()
    kept = sqlite3.connect(str(db)).execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert 3 <= kept <= 12
    proc = _run_audit(src, out)
    stdout, _ = proc.communicate(timeout=300)
    resumed = json.loads(stdout)
    assert resumed["summary"]["from_cache"] == kept and resumed["summary"]["checked_now"] == 12 - kept
    fresh = _run_audit(src, tmp_path / "fresh")
    clean = json.loads(fresh.communicate(timeout=300)[0])
    strip = lambda r: sorted((d["file"], d["status"], json.dumps(d["findings"], sort_keys=True)) for d in r["documents"])
    assert strip(resumed) == strip(clean)
    again = json.loads(_run_audit(src, out).communicate(timeout=300)[0])
    assert again["summary"]["checked_now"] == 0 and again["summary"]["from_cache"] == 12


def test_deliverables_grouped_by_their_signing_unit(tmp_path, pack):
    """Without a manifest or folders, a deliverable's 落款 names its applicant (so nothing is called missing)."""
    sub = pack.subprogram("academician-center")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "申报书.docx").write_bytes(app_doc(pack, sub.id, "江苏省机械工程学会"))
    for kind, words in (("advisory-report", 4500), ("success-case", 1600)):
        (tmp_path / "in" / f"{kind}.docx").write_bytes(docx_bytes(deliverable(pack, sub, kind, words, "2024年11月20日")))
    report = audit(tmp_path / "in", tmp_path / "out", pack, None, AuditOptions(stage="acceptance", workers=1, quiet=True))
    assert {d["applicant"] for d in report["documents"]} == {"江苏省机械工程学会"}
    assert not [f for f in report["findings"] if f["rule"] == "deliverable.missing"]


def test_verdict_error_counts_match_the_files_error_counts(batch):
    """审核结论's 错误数 counts findings as 汇总 does: its files' errors plus the cross-submission errors naming it."""
    _, _, report = batch
    docs = {d["file"]: d for d in report["documents"]}
    for v in report["verdicts"]:
        own = sum(f["severity"] == "error" for name in v["files"] for f in docs[name]["findings"])
        cross = sum(f["severity"] == "error" and bool(set(f["files"]) & set(v["files"])) for f in report["findings"])
        assert v["errors"] == own + cross, v["applicant"]
    assert any(v["errors"] for v in report["verdicts"])


def test_an_empty_folder_is_an_error_not_a_clean_batch(tmp_path):
    """A mistyped or empty folder: exit 2 with a Chinese error, no report that says 共 0 个文件 and looks clean."""
    import subprocess
    import sys
    (tmp_path / "空").mkdir()
    r = subprocess.run([sys.executable, "-m", "kcjs", "audit", str(tmp_path / "空"), "-o", str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "没有可检查的文件" in r.stderr + r.stdout
    assert not (tmp_path / "out" / "kcjs-report.json").exists()
