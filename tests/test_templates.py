"""`kcjs template`: every form, blank and filled, read back by `kcjs check`."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import docx
import pytest
import yaml

from kcjs.corpus.build import SENTENCES, UNIT_NAMES
from kcjs.pipeline.check import check_document
from kcjs.pipeline.forms import Form, forms_of, render, write_all
from kcjs.pipeline.readers import read_document

UNFILLED = {"template.placeholder_left", "target.missing", "budget.missing", "stamp.missing", "length.too_short",
            "requirement.unstated"}  # a blank form does not yet say who gives the keynote or leads the team


def text_of(path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    parts += [p.text for s in d.sections for p in s.header.paragraphs]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def all_forms(tmp_path_factory, pack):
    out = tmp_path_factory.mktemp("forms")
    return out, write_all(pack, out)


def test_all_forms_in_a_tidy_tree(all_forms, pack):
    out, paths = all_forms
    assert len(paths) == 26 and all(p.exists() for p in paths)
    rel = {str(p.relative_to(out)) for p in paths}
    assert "平台建设类/产业院士协同创新中心/意见建议.docx" in rel
    assert "项目活动类/服务“科创江苏”其他专项/青少年科普-申报书.docx" in rel
    kinds = {k.id for k in pack.document_kinds} - {"application"}
    seen = {f.kind for s in pack.subprograms for f in forms_of(s)} - {"application"}
    assert seen == kinds  # every deliverable kind has a form


def test_each_application_names_subprogram_cap_minimums_and_stamp_lines(all_forms, pack):
    out, paths = all_forms
    for s in pack.subprograms:
        for p in [p for p in paths if s.name.replace('"', "“", 1).replace('"', "”", 1) in str(p) and p.name.endswith("申报书.docx")]:
            text = text_of(p)
            cap = next((d.cap_wan for d in s.directions if d.name in p.name), s.cap_wan)
            assert f"不超过 {cap:g} 万元" in text, p
            for t in s.targets:
                assert t.name.split("（")[0] in text and f"\n{t.min:g}\n" in f"\n{text}\n", (p, t.id)
            for st in s.stamps:
                assert st.label in text


def test_every_number_on_a_form_comes_from_the_pack(all_forms, pack):
    _, paths = all_forms
    allowed = {str(pack.program.year), "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}  # list numbering
    d = pack.dates
    for dt in (d.online_open, d.online_close, d.paper_deadline.date()):
        allowed |= {f"{dt.year}", f"{dt.month:02d}", f"{dt.day:02d}"}
    allowed |= {f"{d.paper_deadline:%H}", f"{d.paper_deadline:%M}"}
    for c in pack.classes:
        allowed.add(f"{c.disbursement_on_approval_pct:g}")
    for s in pack.subprograms:
        allowed |= {f"{s.cap_wan:g}"} | {f"{x.cap_wan:g}" for x in s.directions} | {f"{t.min:g}" for t in s.targets}
        for dl in s.deliverables:
            ln = pack.resolve_length(dl.length)
            if ln:
                allowed |= {str(v) for v in (ln.min, ln.max, ln.nominal) if v is not None}
            if dl.due:
                allowed |= {f"{dl.due.year}", f"{dl.due.month:02d}", f"{dl.due.day:02d}"}
    allowed |= set(re.findall(r"\d+", " ".join(_texts(pack.model_dump()))))  # 2023 in a condition's text
    for p in paths:
        numbers = set(re.findall(r"\d+", text_of(p)))
        assert numbers <= allowed, (p, numbers - allowed)


def _texts(obj):
    """Every string of the pack but its source quotes (the notice itself is not a figure of the pack)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in ("source", "cap_source", "paper_source"):
                yield from _texts(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _texts(v)
    elif isinstance(obj, str):
        yield obj


def kinds_found(result) -> set[str]:
    return {f["rule"] for f in result["findings"] if f["severity"] == "error"}


def test_blank_forms_fail_only_for_unfilled_fields(all_forms, pack):
    _, paths = all_forms
    for p in paths:
        r = check_document(read_document(p), pack)
        assert r["status"] == "fail" and r["subprogram"] and r["kind"], p
        assert kinds_found(r) <= UNFILLED, (p, kinds_found(r) - UNFILLED)
        assert not [f for f in r["findings"] if f["severity"] == "warning" and f["rule"] not in UNFILLED], p
        if r["kind"] == "application":
            sub = pack.subprogram(r["subprogram"])
            assert sum(f["rule"] == "target.missing" for f in r["findings"]) == len(sub.targets)


def _evidence(sub) -> str:
    """What a compliant applicant writes for the notice's qualitative requirements (主报告人为院士…)."""
    return "".join(f"{r.evidence.subjects[0]}为中国工程院{r.evidence.qualifiers[0]}王立新教授。"
                   for r in sub.requirements if r.evidence and r.evidence.subjects)


def compliant_values(pack, sub, direction=None) -> dict:
    unit = UNIT_NAMES[sub.applicants.types[0]]
    v = {"subprogram": sub.id, "applicant": unit, "project": f"{unit}服务产业创新项目", "head": "王明", "contact": "张华",
         "phone": "025-83625054", "date": "2024年3月20日", "intro": SENTENCES[0] + _evidence(sub), "basis": SENTENCES[1],
         "plan": "".join(SENTENCES), "opinion": "同意申报，所填内容真实有效。",
         "budget": direction.cap_wan if direction else sub.cap_wan,
         "targets": {t.id: t.min + 1 for t in sub.targets}}
    if direction:
        v["direction"] = direction.id
    v["period"] = "2024年4月1日至2024年12月31日"
    if sub.applicants.joint == "required":
        v["partner"] = UNIT_NAMES[sub.applicants.joint_types[0]]
        v["partner_info"] = {"signed": "是", "contact": "李强", "phone": "010-68787000", "role": "组织学会专家深入园区开展服务"}
    if sub.team:
        rows = int(next(t.min for t in sub.targets if t.id == sub.team.members_target)) if sub.team.members_target \
            else sub.team.rows
        v["team"] = [{"name": f"专家{k}", "unit": "东南大学", "title": "中国工程院院士" if k == 1 else "教授",
                      "role": "领衔专家" if k == 1 else "技术咨询"} for k in range(1, rows + 1)]
    for st in sub.stamps[1:]:
        if st.field is None:
            v[st.id] = UNIT_NAMES["city-cast"]  # the 设区市科协 that recommends it
            v[f"{st.id}_opinion"] = "同意推荐。"
        else:
            v[f"{st.id}_opinion"] = "同意联合申报。"
    if not sub.targets:
        v["goals"] = "建立协同工作机制和年度活动计划，按计划开展服务活动。"
    return v


def test_filled_forms_pass_every_text_rule(tmp_path, pack):
    for sub in pack.subprograms:
        for direction in sub.directions or [None]:
            path = render(pack, Form(sub, "application", direction), tmp_path / f"{sub.id}.docx",
                          compliant_values(pack, sub, direction))
            r = check_document(read_document(path), pack)
            assert (r["subprogram"], r["direction"]) == (sub.id, direction.id if direction else None)
            assert kinds_found(r) <= {"stamp.missing"}, (sub.id, kinds_found(r))
            assert not [f for f in r["findings"] if f["severity"] == "warning" and f["rule"] != "stamp.missing"], \
                (sub.id, r["findings"])
            assert r["metrics"]["targets"] == {t.id: t.min + 1 for t in sub.targets}


def test_filled_deliverable_of_the_right_length_passes(tmp_path, pack):
    sub = pack.subprogram("academician-center")
    k = pack.kind("advisory-report")
    per = 4500 // len(k.sections)
    text = ("".join(SENTENCES) * 200)
    sections = {s.id: text[:per - 1] + "。" for s in k.sections}
    path = render(pack, Form(sub, "advisory-report"), tmp_path / "adv.docx",
                  {"sections": sections, "unit": "江苏省机械工程学会", "date": "2024年11月20日"})
    r = check_document(read_document(path), pack)
    assert r["status"] == "pass", r["findings"]
    assert 4000 <= r["metrics"]["count"]["word"] <= 5000


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_filled_forms_from_data(tmp_path, kcjs, pack, fmt):
    rows = [compliant_values(pack, pack.subprogram("society-consortium")),
            compliant_values(pack, pack.subprogram("special-service"), pack.subprogram("special-service").directions[1])]
    flat = []
    for r in rows:
        sub = pack.subprogram(r["subprogram"])
        row = {("子项目" if k == "subprogram" else k): v for k, v in r.items()
               if k not in ("targets", "team", "partner_info")}
        if "team" in r:  # one member a line, as staff type it in a cell
            row["团队成员"] = "\n".join("，".join(m.values()) for m in r["team"])
        names = {"signed": "是否已与省科协签约", "contact": "学会联系人", "phone": "学会联系电话", "role": "合作分工"}
        row.update({names[k]: v for k, v in (r.get("partner_info") or {}).items()})
        row.update({t.name.split("（")[0]: r["targets"][t.id] for t in sub.targets})
        flat.append(row)
    data = tmp_path / f"rows.{fmt}"
    if fmt == "yaml":
        data.write_text(yaml.safe_dump(flat, allow_unicode=True), encoding="utf-8")
    elif fmt == "json":
        data.write_text(json.dumps({"applicants": flat}, ensure_ascii=False), encoding="utf-8")
    else:
        from openpyxl import Workbook
        wb = Workbook()
        ws = wb.active
        header = sorted({k for r in flat for k in r})
        ws.append(header)
        for r in flat:
            ws.append([r.get(h) for h in header])
        wb.save(data)
    code, stdout, _ = kcjs("template", "--data", str(data), "-o", str(tmp_path / "out"))
    files = stdout.split()
    assert code == 0 and len(files) == 2
    assert "学会联合体-江苏省智能制造学会联合体-申报书.docx" in files[0]
    results = [check_document(read_document(f), pack) for f in files]
    assert [r["subprogram"] for r in results] == ["society-consortium", "special-service"]
    assert results[1]["direction"] == "rural-revitalization"
    assert all(kinds_found(r) <= {"stamp.missing"} for r in results), [kinds_found(r) for r in results]


def test_bad_template_requests_exit_2(kcjs, tmp_path):
    assert kcjs("template", "学会联合体", "--kind", "advisory-report", "-o", str(tmp_path))[0] == 2
    assert kcjs("template", "-o", str(tmp_path))[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {申报单位: 某学会}\n", encoding="utf-8")
    code, _, err = kcjs("template", "--data", str(bad), "-o", str(tmp_path))
    assert code == 2 and "子项目" in err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_forms_open_in_libreoffice(all_forms, tmp_path):
    _, paths = all_forms
    picks = [p for p in paths if p.name in ("申报书.docx", "意见建议.docx")][:2]
    for p in picks:
        shutil.copy(p, tmp_path / f"{len(list(tmp_path.iterdir()))}.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *map(str, tmp_path.glob("*.docx"))], capture_output=True, timeout=180)
    import pymupdf
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == len(picks)
    for pdf in pdfs:
        doc = pymupdf.open(pdf)
        assert len(doc) >= 1 and "【请填写" in "".join(page.get_text() for page in doc)
