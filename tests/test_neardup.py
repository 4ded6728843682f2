"""Near-duplicate narratives (dup.narrative): pairs across applicants and across years, passages side by side."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kcjs.corpus import prose
from kcjs.corpus.build import application
from kcjs.corpus.gen import Para, docx_bytes
from kcjs.pipeline.audit import narrative
from kcjs.pipeline.audit.batch import AuditOptions, audit
from kcjs.pipeline.audit.report import write_html, write_xlsx
from kcjs.pipeline.audit.store import NARRATIVE, Store
from kcjs.pipeline.cli import app
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.packloader import DEFAULT_PACK

UNITS = [f"江苏省{x}学会" for x in ("机械工程", "化学化工", "电子", "土木建筑", "农学", "药学", "计算机", "仪器仪表", "环境科学",
                                    "食品科学", "汽车工程", "通信", "水利", "测绘地理信息", "生物技术")]


def notice_passage(start: int, chars: int = 600) -> str:
    """A stretch of the notice itself, as applicants quote it."""
    text = "".join((DEFAULT_PACK.parent / "notice-2024.txt").read_text(encoding="utf-8").split())
    return text[start:start + chars]


def text_doc(unit: str, paras: list[str], quote_notice: bool = True) -> Document:
    """A 申报书 body as the readers give it: a heading, the applicant named in prose, the narrative,
    a template prompt and (optionally) a quoted stretch of the notice."""
    blocks = [Block("heading", "二、项目实施方案", level=1, page=1),
              Block("paragraph", f"{unit}成立于1982年，现有会员3200名。", page=1),
              Block("paragraph", "【请填写：建设目标、主要任务、进度安排、保障措施】", page=1)]
    blocks += [Block("paragraph", p, page=2 + k // 4) for k, p in enumerate(paras)]
    if quote_notice:
        blocks.append(Block("paragraph", notice_passage(2000), page=9))
    return Document("x.docx", "docx", blocks)


def compare(tmp_path, docs: dict[str, tuple[str, Document]], pack, **kw) -> list[dict]:
    """Capture every document into a store as the workers do, then run the batch's comparison."""
    store = Store(tmp_path / "kcjs-cache.sqlite")
    documents, keys = [], {}
    for name, (unit, doc) in docs.items():
        result = {"file": name, "status": "pass", "metrics": {"applicant_name": unit, "content_sha256": name}}
        result[NARRATIVE] = narrative.capture(doc, result, pack)
        store.put(name, name, result)
        assert NARRATIVE not in result and NARRATIVE not in store.get(name)  # the result JSON stays as it was
        documents.append({**result, "applicant": unit})
        keys[name] = name
    try:
        return narrative.check(documents, keys, store, pack, **kw)
    finally:
        store.close()


def test_thirty_documents_planted_pairs_found_and_nothing_else(tmp_path, pack):
    """30 narratives: 5 planted copies (30–90 % of the copy's text), 3 light overlaps (5–10 %), the rest
    unrelated; every one quotes the notice, carries a template prompt, numbers and its applicant's name."""
    sources = {i: prose.paragraphs(100 + i, 3000) for i in range(30)}
    planted = {(0, 1): 0.3, (2, 3): 0.5, (4, 5): 0.7, (6, 7): 0.9, (8, 9): 0.4}
    light = {(10, 11): 0.05, (12, 13): 0.08, (14, 15): 0.1}
    for (a, b), share in {**planted, **light}.items():
        sources[b] = prose.planted(sources[a], 7 * b, share, 3000)
    docs = {f"d{i:02d}.docx": (UNITS[i % len(UNITS)] + ("" if i < 15 else "分会"), text_doc(UNITS[i % len(UNITS)], p))
            for i, p in sources.items()}
    found = compare(tmp_path, docs, pack)
    got = {tuple(sorted(f["files"])) for f in found}
    assert got == {(f"d{a:02d}.docx", f"d{b:02d}.docx") for a, b in planted}
    for f in found:
        assert f["rule"] == "dup.narrative" and f["severity"] == "warning" and narrative.THRESHOLD <= f["overlap"] <= 1
        assert 1 <= len(f["passages"]) <= 3 and f["left"]["applicant"] != f["right"]["applicant"]
        for p in f["passages"]:  # each passage is text both documents really contain, at the place given
            a, b = docs[f["left"]["files"][0]][1], docs[f["right"]["files"][0]][1]
            core = re.sub(r"……（共 \d+ 字）$", "", p["left"]["text"]).split("\n")[0][:40]
            assert core and any(core in blk.text for blk in a.blocks) and any(core in blk.text for blk in b.blocks)
            assert p["left"]["where"].startswith("第") and "段" in p["right"]["where"] and p["length"] >= narrative.MIN_PASSAGE
    by_files = {tuple(sorted(f["files"])): f["overlap"] for f in found}
    assert by_files[("d06.docx", "d07.docx")] > by_files[("d02.docx", "d03.docx")] > by_files[("d00.docx", "d01.docx")]


def test_notice_template_numbers_and_names_are_not_copying(tmp_path, pack):
    """Two applicants whose only common text is the notice, our template's prompts, numbers and the
    applicant's own name: no pair. The same narrative with another name and other numbers: a pair near 1."""
    own_a, own_b = prose.paragraphs(1, 800), prose.paragraphs(2, 800)
    long_quote = [notice_passage(s, 700) for s in (500, 3000, 5000)]
    a = text_doc(UNITS[0], own_a + long_quote)
    b = text_doc(UNITS[1], own_b + long_quote)
    assert not compare(tmp_path / "1", {"a.docx": (UNITS[0], a), "b.docx": (UNITS[1], b)}, pack)
    copied = [re.sub(r"\d+", "7", p) for p in prose.paragraphs(3, 2000)]
    c = text_doc(UNITS[2], [f"{UNITS[2]}{p}" for p in prose.paragraphs(3, 2000)])
    d = text_doc(UNITS[3], [f"{UNITS[3]}{p}" for p in copied])
    found = compare(tmp_path / "2", {"c.docx": (UNITS[2], c), "d.docx": (UNITS[3], d)}, pack)
    assert len(found) == 1 and found[0]["overlap"] > 0.95


def filled(pack, sid: str, unit: str, paras: list[str]) -> bytes:
    """A real 申报书 (.docx) of `unit` whose narrative paragraphs are `paras`."""
    content = application(pack, pack.subprogram(sid), "compliant", "table")
    content[2].rows[0][1] = unit
    body, placed = [], False
    for p in content:
        if isinstance(p, Para) and p.level is None and len(p.text) >= 30 and "承诺" not in p.text:
            if not placed:
                body += [Para(x) for x in paras]
                placed = True
            continue
        body.append(p)
    return docx_bytes(body, seal="inline")


@pytest.fixture(scope="module")
def years(tmp_path_factory, pack):
    """Last year's audit (three applicants) and this year's: a copy between two applicants, one
    applicant's document sent in two subprograms, and last year's text resubmitted."""
    root = tmp_path_factory.mktemp("years")
    x, y, z, w = UNITS[:4]
    a_text, c_text, old = prose.paragraphs(11, 2500), prose.paragraphs(12, 2500), prose.paragraphs(13, 2500)
    last, now = root / "2023", root / "2024"
    for folder, files in {last: {"甲/申报书.docx": filled(pack, "society-consortium", w, old),
                                 "乙/申报书.docx": filled(pack, "academic-conference", z, prose.paragraphs(14, 2500))},
                          now: {"x/学会联合体.docx": filled(pack, "society-consortium", x, a_text),
                                "x/学会联合体-另投.docx": filled(pack, "society-consortium", x, a_text),
                                "y/学会联合体.docx": filled(pack, "society-consortium", y, prose.planted(a_text, 5, 0.5, 2500)),
                                "z/学术会议.docx": filled(pack, "academic-conference", z, c_text),
                                "w/学会联合体.docx": filled(pack, "society-consortium", w, prose.planted(old, 9, 0.6, 2500))}}.items():
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    audit(last, root / "out2023", pack, None, AuditOptions(workers=1, quiet=True))
    report = audit(now, root / "out2024", pack, None, AuditOptions(workers=1, quiet=True, against=root / "out2023"))
    return root, report


def test_copy_between_applicants_and_same_document_twice(years):
    _, report = years
    dups = [f for f in report["findings"] if f["rule"] == "dup.narrative"]
    now = [f for f in dups if "year" not in f["right"]]
    assert len(now) == 1, dups  # y copied x; x's two copies of one document are one side, not a pair
    f = now[0]
    assert set(f["files"]) == {"x/学会联合体.docx", "x/学会联合体-另投.docx", "y/学会联合体.docx"}
    assert {f["left"]["applicant"], f["right"]["applicant"]} == {UNITS[0], UNITS[1]}
    assert 0.2 < f["overlap"] < 0.6 and len(f["passages"]) == 3
    same = [g for g in report["findings"] if g["rule"] == "file.duplicate"]
    assert len(same) == 1 and set(same[0]["files"]) == {"x/学会联合体.docx", "x/学会联合体-另投.docx"}
    docs = {d["file"]: d for d in report["documents"]}
    assert docs["z/学术会议.docx"]["cross"] == [] and "dup.narrative" in docs["y/学会联合体.docx"]["cross"]


def test_against_last_year_finds_resubmitted_text(years):
    _, report = years
    old = [f for f in report["findings"] if f["rule"] == "dup.narrative" and f["right"].get("year")]
    assert len(old) == 1, old
    f = old[0]
    assert f["files"] == ["w/学会联合体.docx"] and f["right"]["files"] == ["甲/申报书.docx"] and f["right"]["year"] == "往年"
    assert "往年" in f["message"] and f["overlap"] >= narrative.THRESHOLD


def test_pairs_in_workbook_and_html_side_by_side(years, tmp_path):
    _, report = years
    wb = load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))
    ws = wb["文本重合"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 6 and all(r["甲处原文"] and r["乙处原文"] and "段" in r["甲处位置"] for r in rows)
    assert ws["A2"].number_format == "0%" and 0 < rows[0]["重合度"] <= 1
    html = write_html(report, tmp_path / "r.html").read_text(encoding="utf-8")
    section = html.split("文本重合（疑似抄袭或重复申报）")[1].split("<h2>问题明细")[0]
    assert section.count('<table class="side">') == 2 and section.count('class="quote"') == 12
    assert rows[0]["甲处原文"].split("\n")[0][:20] in section


def test_against_needs_an_earlier_store(tmp_path):
    r = CliRunner().invoke(app, ["audit", str(tmp_path), "--against", str(tmp_path / "nothing"), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "kcjs-cache.sqlite" in r.output


def test_one_boilerplate_across_many_applicants_is_one_finding(tmp_path, pack):
    """Four applicants with the same narrative (a consultancy's draft) and one that took 40 % of it: two
    findings (the group of four, and the fifth against the group), not six plus four pairs."""
    base = prose.paragraphs(21, 2500)
    docs = {f"g{i}.docx": (UNITS[i], text_doc(UNITS[i], [f"{UNITS[i]}{p}" for p in base])) for i in range(4)}
    docs["h.docx"] = (UNITS[5], text_doc(UNITS[5], prose.planted(base, 3, 0.4, 2500)))
    for k in range(4):  # text in nearly all of a batch (80 %, at least 5) would be common text, not copying
        docs[f"solo{k}.docx"] = (UNITS[6 + k], text_doc(UNITS[6 + k], prose.paragraphs(22 + k, 2500)))
    found = compare(tmp_path, docs, pack)
    assert len(found) == 2, [f["message"] for f in found]
    group = next(f for f in found if "h.docx" not in f["files"])
    assert group["files"] == ["g0.docx", "g1.docx", "g2.docx", "g3.docx"] and "4 份材料" in group["message"]
    other = next(f for f in found if "h.docx" in f["files"])
    assert set(other["files"]) == {"h.docx", "g0.docx", "g1.docx", "g2.docx", "g3.docx"} and other["overlap"] < 0.8


# --- forms filled from one blank template by different applicants (the template's wording is no copying) ----------

PEOPLE = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
UNIVERSITIES = ("南京大学", "河海大学", "江南大学", "苏州大学", "扬州大学", "南京工业大学", "江苏大学", "南京农业大学")


def template_form(pack, sid: str, unit: str, seed: int, plan: list[str] | None = None, chars=(100, 200, 300)) -> bytes:
    """A real 申报书 (.docx) as an applicant fills `kcjs template`'s form (from the `--data-example` row): its own
    name, project, people, team, opinion and a short narrative (单位简介, 前期工作基础, 项目实施方案 of `chars`
    characters, or `plan` as the 实施方案)."""
    import random
    import tempfile
    from pathlib import Path

    from kcjs.pipeline import forms
    from kcjs.pipeline.form_data import example_row, row_values
    rng = random.Random(seed)
    person = lambda: rng.choice(PEOPLE) + "".join(rng.sample("伟芳敏静丽强磊军洋勇艳杰涛超秀霞平刚桂英", 2))  # noqa: E731
    sub = pack.subprogram(sid)
    row = example_row(pack, sub)
    names = {f.id: f.name for f in pack.kind("application").fields}
    row.update({names["applicant"]: unit, names["project"]: f"{unit[3:5]}助力{('新材料', '集成电路', '生物医药', '高端装备', '现代农业')[seed % 5]}产业创新",
                names["head"]: person(), names["contact"]: person(), names["phone"]: f"025-{rng.randrange(10**7, 10**8)}",
                "申报单位意见": ("同意申报。", "经审核，同意推荐申报。", "材料属实，同意申报。")[seed % 3]})
    if "团队成员" in row:
        row["团队成员"] = "\n".join(f"{person()}，{rng.choice(UNIVERSITIES)}，{rng.choice(['教授', '研究员'])}，"
                                    f"{rng.choice(['产业对接', '人才培训', '项目评估'])}" for _ in row["团队成员"].split("\n"))
    own = [prose.paragraphs(seed * 10 + k, c) for k, c in enumerate(chars)]
    row["单位简介"], row["前期工作基础"] = "".join(own[0]), "".join(own[1])
    row["项目实施方案"] = "\n".join(plan) if plan else "".join(own[2])
    _, direction, values = row_values(pack, row)
    with tempfile.TemporaryDirectory() as tmp:
        return forms.render(pack, forms.Form(sub, "application", direction), Path(tmp) / "申报书.docx", values).read_bytes()


@pytest.fixture(scope="module")
def template_batches(tmp_path_factory, pack):
    """Four `kcjs audit` batches of forms from one blank template: 2, 3 and 4 applicants, each with its own short
    narrative; and 3 applicants of whom one copied half of another's 实施方案."""
    root = tmp_path_factory.mktemp("template-forms")
    own = prose.paragraphs(31, 1500)
    batches = {"two": [("society-consortium", UNITS[k], k + 1, None) for k in range(2)],
               "three": [("expert-service-tour", UNITS[k], k + 11, None) for k in range(3)],
               "four": [("academic-conference", UNITS[k], k + 21, None) for k in range(4)],
               "copy": [("society-consortium", UNITS[0], 31, own),
                        ("society-consortium", UNITS[1], 32, prose.planted(own, 4, 0.5, 1500)),
                        ("society-consortium", UNITS[2], 33, prose.paragraphs(34, 1500))]}
    reports = {}
    for name, forms_ in batches.items():
        for sid, unit, seed, plan in forms_:
            path = root / name / unit / "申报书.docx"
            path.parent.mkdir(parents=True)
            path.write_bytes(template_form(pack, sid, unit, seed, plan))
        reports[name] = audit(root / name, root / f"out-{name}", pack, None, AuditOptions(workers=1, quiet=True))
    return reports, own


@pytest.mark.parametrize("batch", ["two", "three", "four"])
def test_forms_from_one_template_are_not_copying(template_batches, batch):
    """Different applicants' forms from one blank template (fewer than the 5 documents common text needs) share the
    template's labels, headings, notes and 承诺, the notice's quotes and the example data's wording: no dup.narrative."""
    reports, _ = template_batches
    report = reports[batch]
    assert len(report["documents"]) == {"two": 2, "three": 3, "four": 4}[batch]
    assert {d["status"] for d in report["documents"]} != {"error"}
    dups = [f["message"] for f in report["findings"] if f["rule"] == "dup.narrative"]
    assert dups == []


def test_copy_between_forms_from_one_template_is_found(template_batches):
    """Three applicants on one template, one of whom copied half of another's 实施方案: one pair, those two, and every
    passage shown is narrative both really wrote (no template wording)."""
    reports, own = template_batches
    dups = [f for f in reports["copy"]["findings"] if f["rule"] == "dup.narrative"]
    assert len(dups) == 1, [f["message"] for f in dups]
    f = dups[0]
    assert {f["left"]["applicant"], f["right"]["applicant"]} == {UNITS[0], UNITS[1]} and f["overlap"] >= narrative.THRESHOLD
    assert f["passages"]
    plan = "".join(own)
    for p in f["passages"]:
        core = re.sub(r"……（共 \d+ 字）$", "", p["left"]["text"]).split("\n")[0][:30]
        assert len(core) >= 10 and core in plan, p


def test_template_wording_is_masked_across_cells(pack):
    """The mask marks a shingle made of template characters only: label cells side by side (会议费 差旅费 …), a
    heading's 六、 and a table's unit column are template; a sentence of one's own is not."""
    units = [{"text": t} for t in ("支出科目", "会议费", "差旅费", "专家咨询费", "劳务费", "合计", "六、申报单位意见",
                                     "青年人才托举", "人", "本会曾在盐城港口举办风电叶片材料沙龙并邀请同行交流心得")]
    stop = narrative.stop_set(pack)
    n = narrative.normalise(units, [])
    h = narrative.shingle_hashes(n.chars)
    mask = narrative.template_mask(n, h, stop)
    own = n.chars.index("本会曾在")
    assert mask[:own - narrative.SHINGLE + 1].all() and not mask[own:].any()
