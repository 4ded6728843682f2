"""`kcjs audit` as staff use it: manifests from WPS/Excel with title rows, kept inside the input folder;
names as people write them; a verdict per applicant; run settings; a report that prints and links."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook

from kcjs.checkers import limits as cross
from kcjs.checkers.names import applicant_key, name_similarity
from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes
from kcjs.pipeline.audit import settings as run_settings
from kcjs.pipeline.audit.batch import AuditOptions, audit
from kcjs.pipeline.audit.report import write_html, write_xlsx
from kcjs.pipeline.audit.tables import TableError, load_manifest, read_rows
from tests.tools import needs


def app_doc(pack, sid: str, unit: str | None = None, fmt: str = "docx", variant: str = "compliant") -> bytes:
    content = application(pack, pack.subprogram(sid), variant, "table", None)
    if unit:
        content[2].rows[0][1] = unit
    return docx_bytes(content, seal="inline") if fmt == "docx" else pdf_bytes(content, seal_on_stamp_line=True)


def as_wps_saves_it(xlsx: bytes) -> bytes:
    """The same workbook with the sheet's stored size set to A1, as WPS 表格 writes it."""
    src, buf = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            z.writestr(info, data)
    return buf.getvalue()


def manifest_xlsx(rows: list[list[str]], instructions: bool = False) -> bytes:
    """A manifest as staff make one: a merged title row and a note above the header, a 序号 column
    (and, if asked, a sheet of instructions before it)."""
    wb = Workbook()
    ws = wb.active
    if instructions:
        ws.title = "填表说明"
        ws.append(["请按下表填写，每个文件一行"])
        ws = wb.create_sheet("清单")
    ws.append(["2024 年“科创江苏”申报材料清单"])
    ws.merge_cells("A1:E1")
    ws.append(["说明：文件名须与压缩包内一致"])
    ws.append(["序号", "文件名称", "申报单位名称", "申报子项目", "材料类型（必填）"])
    for i, r in enumerate(rows, 1):
        ws.append([i, *r])
    buf = io.BytesIO()
    wb.save(buf)
    return as_wps_saves_it(buf.getvalue())


# --- tables --------------------------------------------------------------------------------------------

def test_wps_manifest_is_read_whole_and_its_header_found_below_the_title(tmp_path):
    data = manifest_xlsx([["a.docx", "江苏省机械工程学会", "学会联合体", "申报书"],
                          ["b.pdf", "省电子学会", "", ""]])
    assert b'<dimension ref="A1"/>' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    path = tmp_path / "清单.xlsx"
    path.write_bytes(data)
    assert len(read_rows(path)) == 5  # read-only openpyxl alone would see one cell
    rows = load_manifest(path)
    assert [(r["file"], r["applicant"], r["_line"]) for r in rows] == [("a.docx", "江苏省机械工程学会", 4),
                                                                        ("b.pdf", "省电子学会", 5)]
    assert rows[0]["subprogram"] == "学会联合体" and rows[0]["kind"] == "申报书"
    path.write_bytes(manifest_xlsx([["c.docx", "江苏省电子学会", "", ""]], instructions=True))
    assert [r["file"] for r in load_manifest(path)] == ["c.docx"]
    bad = tmp_path / "x.csv"
    bad.write_text("标题\n名称,数量\n甲,1\n", encoding="utf-8")
    with pytest.raises(TableError, match="找不到含 文件"):
        load_manifest(bad)


# --- names ---------------------------------------------------------------------------------------------

def test_names_as_people_write_them(pack):
    same = [("江苏省机械工程学会", "省机械工程学会（盖章）"), ("江苏省机械工程学会", " 江苏 机械工程学会 "),
            ("南京江宁经济技术开发区管理委员会", "南京江宁经开区管委会"), ("苏州市科学技术协会", "苏州市科协"),
            ("中国（江苏）自贸区研究会", "中国江苏自贸区研究会"), ("南京某某科技有限责任公司", "南京某某科技有限公司")]
    for a, b in same:
        assert applicant_key(a) == applicant_key(b), (a, b)
    ratio = pack.screening.name_match_min_ratio
    near = [("江苏人工智能学会（筹）", "江苏省人工智能学会"), ("南京江宁经开区管委会", "江宁经济技术开发区管理委员会"),
            ("江苏省机械工程学会", "江苏省机械工程学学会")]
    far = [("中国机械工程学会", "江苏省机械工程学会"), ("江苏省电子学会", "江苏省电工学会"),
           ("南京市机械工程学会", "江苏省机械工程学会"), ("江苏省化学化工学会", "江苏省化工学会")]
    for a, b in near:
        assert name_similarity(applicant_key(a), applicant_key(b)) >= ratio, (a, b)
    for a, b in far:
        assert name_similarity(applicant_key(a), applicant_key(b)) < ratio, (a, b)


def test_blacklist_exact_after_normalising_and_possible_when_near(pack):
    e = lambda f, name: cross.Entry(f, name, applicant_key(name), "society-consortium", None, "application", f, f)
    black = [{"applicant": "江苏省机械工程学会", "reason": "两年内被省科协通报并限期整改", "_line": 2},
             {"applicant": "江苏人工智能学会（筹）", "reason": "两年内受到行政处罚", "_line": 3},
             {"applicant": "中国电子学会", "_line": 4}]
    found = cross.check([e("1.docx", "省机械工程学会"), e("2.docx", "江苏省人工智能学会"), e("3.docx", "江苏省电子学会")],
                        pack, black, "application")
    by = {(f["rule"], f["files"][0]): f for f in found}
    hit = by[("eligibility.blacklisted", "1.docx")]
    assert "限期整改" in hit["message"] and "名单上写作“江苏省机械工程学会”" in hit["message"]
    near = by[("eligibility.blacklist_possible", "2.docx")]
    assert near["severity"] == "warning" and "江苏省人工智能学会" in near["message"] and "江苏人工智能学会（筹）" in near["message"]
    assert not [f for f in found if "3.docx" in f["files"]]  # 江苏省电子学会 is not 中国电子学会
    assert len(found) == 2


# --- a batch as staff send it --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def staff_batch(tmp_path_factory, pack):
    """A folder with its own manifest (title rows, WPS-saved) inside; one row names a missing file, one
    file has no row; a blacklist outside that names one applicant exactly and one nearly."""
    base = tmp_path_factory.mktemp("staff")
    root = base / "申报材料"
    files = {"联合体/申报书.docx": app_doc(pack, "society-consortium", "江苏省智能制造学会联合体"),
             "平台/申报书.pdf": app_doc(pack, "national-society-platform", "中国电子学会", "pdf", "over-cap"),
             "院士中心/申报书.docx": app_doc(pack, "academician-center", "江苏省机械工程学会"),
             "未列入.docx": app_doc(pack, "academic-conference", "江苏省人工智能学会")}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "清单.xlsx").write_bytes(manifest_xlsx([
        ["联合体/申报书.docx", "江苏省智能制造学会联合体", "学会联合体", "申报书"],
        ["平台\\申报书.pdf", "中国电子学会", "国家级学会实体化平台", "申报书"],
        ["申报书.docx", "省机械工程学会（盖章）", "产业院士协同创新中心", "申报书"],
        ["缺失的文件.docx", "江苏省化学化工学会", "学会联合体", "申报书"]]))
    black = base / "不得申报名单.csv"
    with open(black, "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位名称", "原因"])
        w.writerow(["江苏省机械工程学会", "两年内被省科协通报并限期整改"])
        w.writerow(["江苏人工智能学会（筹）", "两年内受到行政处罚"])
    out = base / "报告"
    report = audit(root, out, pack, None, AuditOptions(blacklist=black, workers=1, quiet=True))
    write_xlsx(report, out / "kcjs-report.xlsx")
    write_html(report, out / "kcjs-report.html")
    return root, out, report


def test_manifest_inside_the_input_is_used_and_not_a_submission(staff_batch):
    root, _, report = staff_batch
    docs = {d["file"]: d for d in report["documents"]}
    assert set(docs) == {"联合体/申报书.docx", "平台/申报书.pdf", "院士中心/申报书.docx", "未列入.docx"}
    assert report["summary"]["tables"] == [{"file": "清单.xlsx", "role": "manifest", "used": True}]
    assert docs["平台/申报书.pdf"]["applicant_source"] == "manifest"  # a backslash path matched
    assert docs["院士中心/申报书.docx"]["applicant"] == "省机械工程学会（盖章）"  # matched by file name alone
    assert docs["未列入.docx"]["applicant_source"] == "document"


def test_a_report_folder_inside_the_input_is_not_audited(staff_batch, pack):
    root, _, _ = staff_batch
    inside = root / "报告"
    try:
        first = audit(root, inside, pack, None, AuditOptions(workers=1, quiet=True))
        write_xlsx(first, inside / "kcjs-report.xlsx")
        again = audit(root, inside, pack, None, AuditOptions(workers=1, quiet=True))
    finally:
        shutil.rmtree(inside, ignore_errors=True)  # the other tests audit this folder too
    assert sorted(d["file"] for d in again["documents"]) == sorted(d["file"] for d in first["documents"])
    assert len(again["documents"]) == 4 and again["summary"]["checked_now"] == 0
    assert {d["link"] for d in again["documents"]} >= {"../联合体/申报书.docx", "../未列入.docx"}


def test_manifest_rows_and_files_that_do_not_meet_are_findings(staff_batch):
    _, _, report = staff_batch
    missing = [f for f in report["findings"] if f["rule"] == "manifest.file_missing"]
    assert len(missing) == 1 and missing[0]["files"] == ["缺失的文件.docx"] and missing[0]["line"] == 7
    assert missing[0]["applicant"] == "江苏省化学化工学会" and "第 7 行" in missing[0]["message"]
    unlisted = [f for f in report["findings"] if f["rule"] == "manifest.file_unlisted"]
    assert [f["files"] for f in unlisted] == [["未列入.docx"]] and unlisted[0]["severity"] == "warning"


def test_a_verdict_per_applicant_decided_by_the_packs_fatal_rules(staff_batch, pack):
    _, _, report = staff_batch
    v = {x["applicant"]: x for x in report["verdicts"]}
    assert {r.rule for r in pack.screening.fatal} >= {"eligibility.blacklisted", "limit.platform_exclusive"}
    reject = v["省机械工程学会（盖章）"]
    assert reject["verdict_name"] == "不予受理" and [x["rule"] for x in reject["decided_by"]] == ["eligibility.blacklisted"]
    fix = v["中国电子学会"]
    assert fix["verdict_name"] == "需补正" and "budget.over_cap" in [x["rule"] for x in fix["decided_by"]]
    assert v["江苏省化学化工学会"]["verdict_name"] == "需补正" and v["江苏省化学化工学会"]["files"] == []
    assert v["江苏省智能制造学会联合体"]["verdict_name"] == "合格"
    near = v["江苏省人工智能学会"]
    assert near["verdict_name"] == "合格" and near["warnings"] >= 2  # blacklist_possible and file_unlisted: warnings
    assert report["verdicts"][0]["verdict"] == "reject"  # 不予受理 first
    assert report["summary"]["verdicts"] == {"reject": 1, "fix": 2, "pass": 2}


def test_staff_turn_rules_off_or_down_for_a_run(staff_batch, pack, tmp_path):
    root, out, _ = staff_batch
    cfg = tmp_path / "kcjs.toml"
    cfg.write_text('[rules]\n"manifest.file_*" = "off"\n"budget.over_cap" = "warning"\n'
                   '[verdict]\nfatal = ["limit.*"]\n', encoding="utf-8")
    known = {r.id for r in __import__("kcjs.checkers.registry", fromlist=["x"]).all_rules()}
    choice = run_settings.load(cfg, [], ["eligibility.blacklisted=warning"], known)
    black = root.parent / "不得申报名单.csv"
    report = audit(root, out, pack, None, AuditOptions(blacklist=black, workers=1, quiet=True, settings=choice))
    assert report["summary"]["checked_now"] == 0  # the same files: results come from the store
    docs = {d["file"]: d for d in report["documents"]}
    assert docs["平台/申报书.pdf"]["status"] == "pass"
    over = next(f for f in docs["平台/申报书.pdf"]["findings"] if f["rule"] == "budget.over_cap")
    assert over["severity"] == "warning" and over["severity_was"] == "error"
    assert not [f for f in report["findings"] if f["rule"].startswith("manifest.")]
    v = {x["applicant"]: x["verdict_name"] for x in report["verdicts"]}
    assert v["中国电子学会"] == "合格" and v["省机械工程学会（盖章）"] == "合格"  # blacklisted made a warning
    text = "\n".join(report["summary"]["settings_text"])
    assert "manifest.file_*" in text and "budget.over_cap" in text and "limit.*" in text and str(cfg) in text
    with pytest.raises(run_settings.SettingsError, match="没有规则"):
        run_settings.load(None, ["no.such_rule"], [], known)
    with pytest.raises(run_settings.SettingsError, match="规则=级别"):
        run_settings.load(None, [], ["budget.over_cap=fatal"], known)


def test_cli_records_settings_and_rejects_unknown_rules(staff_batch, kcjs, tmp_path):
    root, _, _ = staff_batch
    code, out, _ = kcjs("audit", str(root), "-o", str(tmp_path / "r"), "-q", "-j", "1",
                        "--disable", "manifest.file_unlisted", "--severity", "budget.over_cap=warning")
    assert code == 1 and "审核结论：" in out and "已关闭规则：manifest.file_unlisted" in out
    ws = load_workbook(tmp_path / "r" / "kcjs-report.xlsx")["运行设置"]
    assert "级别改为警告：budget.over_cap" in [c.value for c in ws["B"]]
    code, _, err = kcjs("audit", str(root), "-o", str(tmp_path / "r2"), "--disable", "budget.overcap")
    assert code == 2 and "没有规则" in err


# --- the reports ---------------------------------------------------------------------------------------

_HYPERLINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')


def _link_of(cell) -> tuple[str, str] | None:
    m = _HYPERLINK.match(str(cell.value or ""))
    return (m[1].replace('""', '"'), m[2].replace('""', '"')) if m else None


def test_workbook_verdicts_names_links_and_print_setup(staff_batch):
    _, out, report = staff_batch
    wb = load_workbook(out / "kcjs-report.xlsx")
    assert wb.sheetnames == ["审核结论", "汇总", "问题明细", "申报单位", "跨申报检查", "文本重合", "运行设置"]
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert (ps.orientation, ps.fitToWidth, ps.fitToHeight) == ("landscape", 1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1" and ws.freeze_panes in ("A2", "B2")
    vs = wb["审核结论"]
    header = [c.value for c in vs[1]]
    rows = {r[0].value: r for r in vs.iter_rows(min_row=2)}
    rejected = rows["省机械工程学会（盖章）"][header.index("结论")]
    assert rejected.value == "不予受理" and rejected.fill.fgColor.rgb.endswith("FFC7CE")
    assert "eligibility.blacklisted 申报单位在不得申报名单上" in rows["省机械工程学会（盖章）"][header.index("决定结论的规则")].value
    fs = wb["问题明细"]
    header = [c.value for c in fs[1]]
    assert header[3:5] == ["规则", "规则名称"]
    body = list(fs.iter_rows(min_row=2))
    assert not [r for r in body if r[3].value == "detect.inferred"]  # in the 自动识别 column instead
    over = next(r for r in body if r[3].value == "budget.over_cap")
    assert over[4].value == "申请资助经费超过子项目上限"
    target, text = _link_of(over[0])
    assert text == "平台/申报书.pdf" and re.fullmatch(r"\.\./申报材料/平台/申报书\.pdf#page=\d+", target)
    assert (out / target.split("#")[0]).resolve() == (out.parent / "申报材料/平台/申报书.pdf").resolve()
    ss = wb["汇总"]
    header = [c.value for c in ss[1]]
    links = [_link_of(r[0]) for r in ss.iter_rows(min_row=2)]
    assert all(links) and all((out / t).is_file() for t, _ in links) and not any("#" in t for t, _ in links)
    auto = {_link_of(r[0])[1]: r[header.index("自动识别")].value for r in ss.iter_rows(min_row=2)}
    assert "申报单位取自文中" in auto["未列入.docx"]
    cross = [r[2].value for r in wb["跨申报检查"].iter_rows(min_row=2)]
    assert "manifest.file_missing" in cross and "eligibility.blacklist_possible" in cross


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.scripts, self.sections, self.tables, self.filters = [], [], 0, 0, 0
        self._a = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self._a = [a.get("href"), ""]
        elif tag == "script":
            self.scripts.append(a.get("src"))
        elif tag == "section" and a.get("class") == "applicant":
            self.sections += 1
        elif tag == "table" and a.get("class") == "data":
            self.tables += 1
        elif tag == "tr" and a.get("class") == "filters":
            self.filters += 1

    def handle_data(self, data):
        if self._a is not None:
            self._a[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append(tuple(self._a))
            self._a = None


def test_html_links_print_css_and_local_sorting(staff_batch):
    _, out, report = staff_batch
    html = (out / "kcjs-report.html").read_text(encoding="utf-8")
    p = _Page()
    p.feed(html)
    assert p.scripts == [None] and "http" not in html.split("<script>")[1]  # local JS, no CDN
    assert p.tables == p.filters and p.tables >= 4
    assert p.sections == len(report["verdicts"])  # one part per applicant, a page each when printed
    assert "section.applicant+section.applicant{break-before:page}" in html and "thead{display:table-header-group}" in html
    assert "@page{size:A4 landscape" in html
    for href, text in p.links:
        assert (out / unquote(href.split("#")[0])).is_file(), href
    pdf = [h for h, t in p.links if t == "平台/申报书.pdf" and "#page=" in h]
    assert pdf and all(h.startswith("../%E7%94%B3") or h.startswith("../申报材料") for h in pdf)


@needs("soffice")
def test_a_document_exported_to_pdf_is_a_duplicate_of_its_docx(tmp_path, pack):
    from kcjs.pipeline.readers import read_document
    src = tmp_path / "in"
    src.mkdir()
    (src / "申报书.docx").write_bytes(app_doc(pack, "society-consortium"))
    (src / "其他.docx").write_bytes(app_doc(pack, "academic-conference"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(src / "申报书.docx")],
                   check=True, capture_output=True, timeout=180)
    (tmp_path / "pdf" / "申报书.pdf").rename(src / "申报书-导出.pdf")
    docx, pdf = read_document(src / "申报书.docx"), read_document(src / "申报书-导出.pdf")
    assert docx.body_text() != pdf.body_text() and docx.content_digest() == pdf.content_digest()
    report = audit(src, tmp_path / "out", pack, None, AuditOptions(workers=1, quiet=True))
    dup = [f for f in report["findings"] if f["rule"] == "file.duplicate"]
    assert [f["files"] for f in dup] == [["申报书-导出.pdf", "申报书.docx"]]


@needs("soffice")
def test_workbook_prints_landscape_on_few_pages(staff_batch, tmp_path):
    import pymupdf
    _, out, _ = staff_batch
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(out / "kcjs-report.xlsx")], check=True, capture_output=True, timeout=180)
    doc = pymupdf.open(tmp_path / "kcjs-report.pdf")
    assert 7 <= doc.page_count <= 9  # one page per sheet for a small batch (7 sheets)
    assert all(pg.rect.width > pg.rect.height for pg in doc)
    text = "".join(pg.get_text() for pg in doc)
    assert "不予受理" in text and "平台/申报书.pdf" in text  # links print as their file names


@needs("chromium", "chromium-browser")
def test_html_sorts_and_filters_in_a_browser(staff_batch, tmp_path):
    """Click 字数 twice (descending), type 不通过 under 结论: the page's own script reorders and hides rows."""
    from tests.tools import which_any
    _, out, report = staff_batch
    html = (out / "kcjs-report.html").read_text(encoding="utf-8")
    probe = """<script>
var t = document.querySelector("#documents table.data"), h = t.tHead.rows[0].cells;
var col = [].findIndex.call(h, function (c) { return c.textContent === "字数"; });
h[col].click(); h[col].click();
var box = t.tHead.rows[1].cells[4].firstChild; box.value = "不通过"; box.dispatchEvent(new Event("input", {bubbles: true}));
document.title = "PROBE:" + [].map.call(t.tBodies[0].rows, function (r) { return (r.hidden ? "-" : "+") + r.cells[col].textContent; }).join(",");
</script></body>"""
    page = tmp_path / "probe.html"
    page.write_text(html.replace("</body>", probe), encoding="utf-8")
    dom = subprocess.run([which_any("chromium", "chromium-browser"), "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    shown = re.search(r"<title>PROBE:([^<]*)</title>", dom)[1].split(",")
    counts = [int(x[1:]) for x in shown if x[1:]]
    assert counts == sorted(counts, reverse=True) and len(shown) == len(report["documents"])
    failing = {str((d["metrics"].get("count") or {}).get("word")) for d in report["documents"] if d["status"] == "fail"}
    assert {x[1:] for x in shown if x[0] == "+"} == failing and failing


def test_annotated_copies_of_failing_documents_are_linked(staff_batch, pack, tmp_path):
    root, _, _ = staff_batch
    out = tmp_path / "报告"
    report = audit(root, out, pack, None, AuditOptions(workers=1, quiet=True, annotate=True))
    failing = [d for d in report["documents"] if d["status"] in ("fail", "review")]
    assert failing and all(d.get("annotated") and (out / d["annotated"]).is_file() for d in failing)
    assert all(not d.get("annotated") for d in report["documents"] if d["status"] == "pass")
    write_xlsx(report, out / "kcjs-report.xlsx")
    ws = load_workbook(out / "kcjs-report.xlsx")["汇总"]
    col = [c.value for c in ws[1]].index("批注版")
    links = [_link_of(r[col]) for r in ws.iter_rows(min_row=2) if r[col].value]
    assert len(links) == len(failing) and all((out / t).is_file() and text == "批注版" for t, text in links)
    p = _Page()
    p.feed(write_html(report, out / "r.html").read_text(encoding="utf-8"))
    assert {h for h, t in p.links if t == "批注版"} == {d["annotated"] for d in failing}


def test_unreadable_staff_files_are_said_in_chinese(kcjs, tmp_path):
    """A damaged manifest or a bad kcjs.toml: exit 2 with a Chinese reason and where, no Python error text."""
    (tmp_path / "in").mkdir()
    (tmp_path / "清单.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "kcjs.toml").write_text('disable = [oops\n', encoding="utf-8")
    code, _, err = kcjs("audit", str(tmp_path / "in"), "--manifest", str(tmp_path / "清单.xlsx"), "-o", str(tmp_path / "o"))
    assert code == 2 and "无法读取 Excel 文件 清单.xlsx：文件损坏" in err
    code, _, err = kcjs("audit", str(tmp_path / "in"), "--config", str(tmp_path / "kcjs.toml"), "-o", str(tmp_path / "o"))
    assert code == 2 and "第 1 行第 12 列附近" in err
    for e in (err,):
        assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}", e.replace("language.foreign_passage", ""))
