"""Build the labelled corpus: for every subprogram a compliant 申报书 and one variant per violation,
deliverables in range / short / long, .docx, text PDF and scanned PDF, other layouts, bad files.

    python -m kcjs.corpus.build OUT_DIR [--scans N]

Labels go to OUT_DIR/labels.json: for each file, what it is and the rule ids a correct check reports.
Every figure comes from the rule pack, so the corpus follows the pack.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cn2an

from kcjs.checkers.counting import count
from kcjs.corpus.gen import FILLER, Para, Tbl, docx_bytes, pdf_bytes, scan_pdf_bytes
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.rulepack import RulePack, Subprogram, plain

UNIT_NAMES = {  # a plausible unit name for each applicant type of the 2024 pack
    "provincial-society": "江苏省机械工程学会", "national-society": "中国机械工程学会",
    "provincial-consortium-lead": "江苏省智能制造学会联合体", "city-cast": "南京市科学技术协会",
    "institution-cast": "东南大学科学技术协会", "enterprise-cast": "江苏恒瑞装备有限公司科学技术协会",
    "county-cast": "江宁区科学技术协会", "local-government": "无锡市科学技术局",
    "county-government": "宜兴市人民政府", "development-zone": "南京江宁经济技术开发区管理委员会",
    "cast-affiliate": "江苏省科协青少年科技中心",
}
OUTSIDER = "江苏恒瑞装备有限公司"  # an enterprise: may apply to none but through its 科协
SENTENCES = [
    "围绕全省重点产业链开展需求调研，组织专家深入园区和企业开展技术咨询。",
    "联合国家级学会和高校院所组建专家团队，聚焦关键共性技术开展协同攻关。",
    "建立需求清单、专家清单和项目清单，推动供需精准对接和成果转化落地。",
    "完善工作机制和服务流程，定期召开推进会，跟踪评估服务成效。",
    "加强宣传推广，总结形成可复制、可推广的经验做法和典型案例。",
]


@dataclass
class Item:
    file: str
    subprogram: str | None
    kind: str | None
    expect: list[str]
    direction: str | None = None
    note: str = ""
    content: list = field(default_factory=list, repr=False)


def _n(x: float) -> str:
    return str(plain(float(x)))


def application(pack: RulePack, s: Subprogram, variant: str, layout: str, direction=None) -> list:
    """A 申报书 for `s`, compliant unless `variant` names the one violation to put in."""
    cls = pack.program_class(s.class_)
    unit = UNIT_NAMES[s.applicants.types[0]]
    if variant == "wrong-applicant":
        unit = OUTSIDER if "enterprise-cast" not in s.applicants.types else UNIT_NAMES["city-cast"]
    category = f"{cls.name}—{s.name}" + (f"（{direction.name}）" if direction else "")
    if variant in ("ticked-category", "two-ticks"):
        category = _checkboxes(pack, s, direction, variant == "two-ticks")
    info = [["申报单位", unit, "项目名称", f"{s.name.replace(chr(34), '')}建设项目"],
            ["项目类别", category, "项目负责人", "【请填写】" if variant == "placeholder" else "王明"],
            ["联系人", "张华", "联系电话", "025-83625054"],
            ["申报日期", "2024年4月5日" if variant == "late-date" else "2024年3月20日", "", ""]]
    merges = [(3, 1, 3, 3)]
    if s.applicants.joint == "required" and variant != "joint-missing":
        info.insert(1, ["联合申报单位", UNIT_NAMES[s.applicants.joint_types[0]], "", ""])
        merges = [(1, 1, 1, 3), (4, 1, 4, 3)]
    names = {"plan": "项目实施方案", "targets": "年度目标任务", "budget": "经费预算"}
    if layout == "synonyms":
        names = {"plan": "建设内容", "targets": "绩效目标", "budget": "经费概算"}
    if variant == "typo-heading":  # one character mistyped: found by fuzzy matching, with a warning
        names["plan"] = names["plan"][:-1] + TYPOS.get(names["plan"][-1], "口")
    body: list = [Para("2024年度“科创江苏”专项计划项目申报书", 0), Para("一、申报单位基本情况", 1), Tbl(info, merges),
                  Para(f"{unit}长期服务全省重点产业发展，具备开展本项目的组织基础和专家资源。"),
                  *evidence(s, variant),
                  Para("二、前期工作基础", 1), Para(SENTENCES[0] + SENTENCES[1])]
    if variant != "missing-section":
        body += [Para(f"三、{names['plan']}", 1), Para("（一）总体思路", 2), Para(FILLER), Para("（二）主要任务", 2),
                 Para("".join(SENTENCES[1:]))]
    targets = _targets(s, variant, layout, names["targets"])
    budget = _budget(s, variant, names["budget"], direction)
    body += budget + targets if variant == "section-order" else targets + budget
    if variant == "empty-section":
        at = next(k for k, p in enumerate(body) if isinstance(p, Para) and p.text.startswith("二、"))
        del body[at + 1]
    if variant == "foreign-passage":
        body.insert(4, Para("The platform cooperates with national societies and universities on key technologies. " * 4))
    body += [Para("六、申报单位意见", 1), Para("本单位承诺所填内容真实有效，同意申报。"), Para("单位负责人（签字）：")]
    body += [Para(st.label) for st in s.stamps]
    body += [Para("2024年3月20日")]
    if variant == "english":
        body = [Para(p.text, p.level) if isinstance(p, Para) and p.level is not None else p for p in body[:3]] + \
               [Para("This project builds an innovation platform with academicians and enterprises. " * 8)] * 6
    return body


TYPOS = {"案": "桉", "容": "溶", "算": "箅", "务": "物", "标": "摽"}  # a wrong character that looks or sounds alike
TICKS = (("☑", "☐"), ("√", "□"), ("（√）", "（ ）"))  # as the .docx reader writes boxes, and as people type them


def _checkboxes(pack: RulePack, s: Subprogram, direction, two: bool) -> str:
    """项目类别 as a check-box list: the subprograms of its class (or its directions), one ticked (two when `two`)."""
    on, off = TICKS[len(s.id) % len(TICKS)]
    if direction is not None:
        others = [d for d in s.directions if d is not direction]
        picked = {direction.id} | ({others[0].id} if two else set())
        return f"{s.name}：" + "　".join((on if d.id in picked else off) + d.name for d in s.directions)
    same = [x for x in pack.subprograms if x.class_ == s.class_]
    other = next(x for x in same if x is not s)
    picked = {s.id} | ({other.id} if two else set())
    return "　".join((on if x.id in picked else off) + x.name for x in same)


def evidence(s: Subprogram, variant: str) -> list:
    """What the applicant writes to meet the notice's qualitative requirements (pack: requirements.evidence):
    a sentence naming the subject and its qualifier, and a member list as long as the target asks."""
    out: list = []
    for r in s.requirements:
        ev = r.evidence
        if ev is None:
            continue
        if ev.subjects and ev.qualifiers and variant != "requirement-unstated":
            out.append(Para(f"{ev.subjects[0]}为中国工程院{ev.qualifiers[0]}王立新教授。"))
        if ev.members_target:
            t = next(t for t in s.targets if t.id == ev.members_target)
            n = int(t.min) - 1 if variant == "members-below" else int(t.min) + 2
            rows = [["序号", "姓名", "职称", "工作单位"]]
            rows += [[str(k + 1), f"专家{'甲乙丙丁戊己庚辛壬癸子丑寅卯'[k]}", "教授" if k else "中国工程院院士", "东南大学"]
                     for k in range(n)]
            out += [Para("科技服务团成员名单如下："), Tbl(rows)]
    return out


def _targets(s: Subprogram, variant: str, layout: str, title: str) -> list:
    values = {t.id: t.min + (2 if t.min < 20 else 5) for t in s.targets}
    targets = list(s.targets)
    if s.targets and variant == "target-below":
        values[s.targets[0].id] = s.targets[0].min - 1
    if s.targets and variant == "target-missing":
        targets = targets[:-1]
    out: list = [Para(f"四、{title}", 1)]
    if not s.targets:
        return out + [Para("建立协同工作机制和年度活动计划，按计划开展各项服务活动。")]
    if layout == "prose":
        text = "，".join(f"{t.name.split('（')[0]}不少于{_n(values[t.id])}{t.unit}" for t in targets)
        return out + [Para(f"全年{text}。")]
    if variant == "targets-in-cells":  # the form is a ruled table: heading as a cell's first line, or a row label
        lines = [f"全年{t.name.split('（')[0]}不少于{_n(values[t.id])}{t.unit}。" for t in targets]
        if len(s.id) % 2:
            return [Tbl([[f"四、{title}\n" + "\n".join(lines)]])]
        return [Tbl([[title, "".join(lines)]])]
    if variant == "ge-values":  # value cells as people fill them
        forms = ("≥{v}{u}", "不少于{v}{u}", ">={v}", "{v}{u}以上", "{v}（{u}）")
        rows = [["序号", "目标任务", "通知最低要求", "本单位目标值"]]
        rows += [[str(i + 1), t.name.split("（")[0], _n(t.min), forms[i % len(forms)].format(v=_n(values[t.id]), u=t.unit)]
                 for i, t in enumerate(targets)]
        return out + [Tbl(rows)]
    rows = [["序号", "目标任务", "单位", "通知最低要求", "本单位目标值"]]
    rows += [[str(i + 1), t.name.split("（")[0], t.unit, _n(t.min), _n(values[t.id])] for i, t in enumerate(targets)]
    return out + [Tbl(rows)]


def _budget(s: Subprogram, variant: str, title: str, direction) -> list:
    cap = direction.cap_wan if direction else s.cap_wan
    ask = cap + 5 if variant == "over-cap" else cap
    out: list = [Para(f"五、{title}", 1)]
    if variant == "budget-missing":
        return out + [Para("经费预算详见附件。")]
    if variant in ("cn-decimal-over-cap", "label-unit-over-cap"):
        ask = cap + 1.5
    items = [("专家咨询费", round(ask * 0.4, 1)), ("会议费", round(ask * 0.3, 1))]
    items.append(("差旅费", round(ask - sum(v for _, v in items), 1)))
    total = ask + 1 if variant == "sum-mismatch" else ask
    rows = [["支出科目", "金额（万元）", "测算依据"]] + [[k, _n(v), "按实际需要测算"] for k, v in items]
    rows.append(["合计", _n(total), ""])
    said = f"申请资助经费{_n(ask)}万元，全部用于项目实施。"
    if variant == "cn-decimal-over-cap":  # 十六点五万元
        said = f"申请资助经费{cn2an.an2cn(_n(ask), 'low')}万元，全部用于项目实施。"
    elif variant == "capital-amount":  # 人民币壹拾伍万元整
        said = f"申请资助经费人民币{cn2an.an2cn(_n(ask), 'up')}万元整，全部用于项目实施。"
    elif variant == "label-unit-over-cap":  # the unit in the label, as in a table
        said = f"申请资助经费（万元）：{_n(ask)}"
    return out + [Para(said), Tbl(rows)]


def deliverable(pack: RulePack, s: Subprogram, kind_id: str, words: int, date: str) -> list:
    """A deliverable of `kind_id` with exactly `words` 字 (Word count) in its body."""
    kind = pack.kind(kind_id)
    title = f"{s.name.replace(chr(34), '')}{next(d.name for d in s.deliverables if d.kind == kind_id).split('（')[0]}"
    nums = "一二三四五六七八九十"
    body: list = [Para(title, 0)]
    for i, sec in enumerate(kind.sections):
        body += [Para(f"{nums[i]}、{sec.name}", 1), Para(SENTENCES[i % len(SENTENCES)])]
    body.append(Para("江苏省机械工程学会"))
    body.append(Para(date))
    rng = random.Random(words)
    need = words - sum(count(p.text) for p in body)
    text = ""
    while len(text) < need:
        text += rng.choice(SENTENCES)
    text = text[:need - 1] + "。"  # every character here is Asian: one 字 each
    assert count(text) == need
    paras = [text[k:k + 300] for k in range(0, len(text), 300)]
    insert_at = 3
    for k, p in enumerate(paras):
        body.insert(insert_at + k, Para(p))
    return body


def build(out: Path, scans: int = 6, pack_path=None) -> list[Item]:
    pack = load_pack(pack_path)
    out.mkdir(parents=True, exist_ok=True)
    items: list[Item] = []
    variants = {"compliant": [], "missing-section": ["section.missing"], "target-below": ["target.below_minimum"],
                "target-missing": ["target.missing"], "over-cap": ["budget.over_cap"], "budget-missing": ["budget.missing"],
                "placeholder": ["template.placeholder_left"], "wrong-applicant": ["eligibility.applicant_type"],
                "late-date": ["date.late"], "sum-mismatch": ["budget.sum_mismatch"],
                "joint-missing": ["eligibility.joint_missing"], "english": ["language.not_chinese"],
                "empty-section": ["section.empty"], "section-order": ["section.order"],
                "foreign-passage": ["language.foreign_passage"],
                # forms as people fill them: each must be read right (issue 11)
                "targets-in-cells": [], "ge-values": [], "cn-decimal-over-cap": ["budget.over_cap"], "capital-amount": [],
                "label-unit-over-cap": ["budget.over_cap"], "typo-heading": ["section.fuzzy_heading"],
                "ticked-category": [], "two-ticks": ["detect.ambiguous"],
                "requirement-unstated": ["requirement.unstated"], "members-below": ["requirement.members_below"]}
    layouts = ["table", "prose", "synonyms"]
    for n, s in enumerate(pack.subprograms):
        direction = s.directions[n % len(s.directions)] if s.directions else None
        for v, expect in variants.items():
            if v in ("target-below", "target-missing") and not s.targets:
                continue
            if v == "joint-missing" and s.applicants.joint != "required":
                continue
            if v in ("targets-in-cells", "ge-values") and not s.targets:
                continue
            if v == "requirement-unstated" and not any(r.evidence and r.evidence.subjects for r in s.requirements):
                continue
            if v == "members-below" and not any(r.evidence and r.evidence.members_target for r in s.requirements):
                continue
            if v in ("capital-amount", "label-unit-over-cap", "two-ticks") and n % 2:
                continue
            if v in ("english", "foreign-passage", "empty-section", "section-order") and n % 3:
                continue
            layout = layouts[(n + len(items)) % 3]
            if v == "english":
                expect = ["language.not_chinese", "section.missing", "target.missing", "budget.missing", "stamp.missing"]
                expect = [e for e in expect if e != "target.missing" or s.targets]
                if any(r.evidence and r.evidence.subjects for r in s.requirements):
                    expect.append("requirement.unstated")
            items.append(Item(f"{s.id}--{v}.docx", None if v == "two-ticks" else s.id, "application", list(expect),
                              direction.id if direction else None, f"layout={layout}",
                              application(pack, s, v, layout, direction)))
            if v in ("compliant", "target-below", "over-cap", "missing-section", "ge-values", "cn-decimal-over-cap",
                     "typo-heading", "members-below"):
                items.append(Item(f"{s.id}--{v}.pdf", s.id, "application", list(expect),
                                  direction.id if direction else None, f"layout={layout}",
                                  application(pack, s, v, layout, direction)))
        for d in s.deliverables:
            ln = pack.resolve_length(d.length)
            if ln is None:
                continue
            lo = ln.min
            hi = ln.max or ln.warn_above
            cases = [("in-range", (lo + (ln.max or lo * 1.2)) // 2 if ln.max else round(lo * 1.1), []),
                     ("short", round(lo * 0.9), ["length.too_short"]),
                     ("long", round(hi * 1.2), ["length.too_long"] if ln.max else ["length.above_nominal"])]
            if ln.max:  # over by Word's count, within the range by Han characters alone
                cases.append(("long-by-punctuation", ln.max + 40, ["length.too_long", "length.modes_disagree"]))
            # just above the lower limit by Word's count; Han characters alone fall short of it
            cases.append(("near-lower-limit", lo + max(1, lo // 400), ["length.near_limit", "length.modes_disagree"]))
            for label, words, expect in cases:
                date = "2024年11月20日" if d.due else "2024年12月20日"
                items.append(Item(f"{s.id}--{d.kind}--{label}.docx", s.id, d.kind, expect, None, f"{words} 字",
                                  deliverable(pack, s, d.kind, int(words), date)))
            if d.due:
                ld = dt.date.fromordinal(d.due.toordinal() + 15)
                items.append(Item(f"{s.id}--{d.kind}--late.pdf", s.id, d.kind, ["date.late"], None, "late",
                                  deliverable(pack, s, d.kind, int(cases[0][1]), f"{ld.year}年{ld.month}月{ld.day}日")))
    for it in items:
        h = zlib.crc32(it.file.encode())
        style = ("styles", "bold", "outline", "chinese")[h % 4]
        if it.file.endswith(".docx"):
            data = docx_bytes(it.content, style=style, seal=("inline", "floating")[h % 2])
        else:  # half the PDFs with borders drawn as lines, as Word and LibreOffice export them
            data = pdf_bytes(it.content, seal_on_stamp_line=True, border_lines=bool(h % 2))
        (out / it.file).write_bytes(data)
    # scanned copies of some applications: the paper form, printed, stamped and scanned
    scanned = [it for it in items if it.kind == "application" and it.file.endswith(".docx")
               and ("compliant" in it.file or "over-cap" in it.file)][:scans]
    for k, it in enumerate(scanned):
        name = it.file.replace(".docx", "--scan.pdf")
        (out / name).write_bytes(scan_pdf_bytes(pdf_bytes(it.content, seal_on_stamp_line=True), dpi=200,
                                                rotate_deg=0.4 * (k % 3), noise=6,
                                                jpeg_quality=70, seal_pages=(), seed=k))
        items.append(Item(name, it.subprogram, it.kind, list(it.expect), it.direction, "scan"))
    items += _stamp_cases(pack, out, scans)
    items += _reading_cases(pack, out, scans)
    items += _bad_files(out)
    labels = [{k: v for k, v in vars(it).items() if k != "content"} for it in items]
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8")
    return items


DISTRACTORS = ("letterhead", "red-title", "underline", "logo", "handwriting", "blue-seal")


def _stamp_cases(pack: RulePack, out: Path, scans: int) -> list[Item]:
    """Seals of every shape and source, seals in the wrong place, and red marks that are not seals."""
    from kcjs.corpus import stamps as st
    s = pack.subprogram("academician-center")
    content = application(pack, s, "compliant", "table")
    pdf = pdf_bytes(content)
    cases: list[tuple] = [  # (file name, bytes, expected rules, note[, subprogram id when not s])
        ("none.pdf", pdf, ["stamp.missing"], "no seal"),
        ("round.pdf", st.add_seal(pdf), [], "seal"), ("oval.pdf", st.add_seal(pdf, shape="oval", angle=15), [], "seal"),
        ("square.pdf", st.add_seal(pdf, shape="square"), [], "seal"),
        ("faint.pdf", st.add_seal(pdf, color=(238, 150, 150)), [], "seal"),
        ("rotated.pdf", st.add_seal(pdf, angle=35), [], "seal"),
        ("small.pdf", st.add_seal(pdf, diameter_mm=22), [], "seal"),
        ("far.pdf", st.add_seal(pdf, "far"), ["stamp.far"], "seal far from its line"),
        ("other-page.pdf", st.add_seal(pdf, "other-page"), ["stamp.missing"], "seal on another page"),
        ("signed.pdf", st.sign(pdf), [], "e-seal"), ("unsigned-field.pdf", st.unsigned_field(pdf), ["stamp.missing"], "empty field"),
        ("tampered.pdf", st.tamper(st.sign(pdf)), ["stamp.signature_invalid", "stamp.missing"], "tampered e-seal"),
        ("docx-none.docx", docx_bytes(content), ["stamp.missing"], "no seal"),
        ("docx-inline.docx", docx_bytes(content, seal="inline"), [], "seal"),
        ("docx-floating.docx", docx_bytes(content, seal="floating"), [], "seal"),
        ("docx-opaque.docx", docx_bytes(content, seal="inline", seal_args={"alpha": False}), [], "seal"),
        ("docx-square.docx", docx_bytes(content, seal="floating", seal_args={"shape": "square"}), [], "seal"),
        ("docx-blue.docx", docx_bytes(content, seal="inline", seal_args={"color": (30, 60, 200)}), ["stamp.missing"],
         "distractor=blue-seal"),
        ("docx-logo.docx", docx_bytes(content, seal="inline", seal_image=st.solid_disk_png()), ["stamp.missing"],
         "distractor=logo"),
    ]
    for kind in DISTRACTORS:
        cases.append((f"{kind}.pdf", st.add_distractor(pdf, kind), ["stamp.missing"], f"distractor={kind}"))
        if kind != "blue-seal":
            cases.append((f"{kind}-and-seal.pdf", st.add_seal(st.add_distractor(pdf, kind)), [], f"distractor+seal={kind}"))
    for dpi in (100, 200, 300)[:max(1, scans)]:
        cases.append((f"scan-{dpi}dpi.pdf", scan_pdf_bytes(st.add_seal(pdf, angle=10), dpi=dpi, rotate_deg=0.5, noise=7,
                                                           jpeg_quality=60, seed=dpi), [], "scanned seal"))
    if scans:
        cases.append(("scan-none.pdf", scan_pdf_bytes(st.add_distractor(pdf, "letterhead"), dpi=150, seed=1),
                      ["stamp.missing"], "distractor=letterhead (scan)"))
    joint = pack.subprogram("society-local-cooperation")
    jc = application(pack, joint, "compliant", "table")
    cases.append(("joint-one-seal.docx", docx_bytes(jc, seal="inline", seals=1), ["stamp.missing"], "joint: one seal", joint.id))
    cases.append(("joint-one-seal.pdf", pdf_bytes(jc, seal_on_stamp_line=True, seals=1), ["stamp.missing"], "joint: one seal",
                  joint.id))
    ent = pack.subprogram("enterprise-expert-center")
    ec = application(pack, ent, "compliant", "table")
    cases.append(("no-recommender-seal.pdf", pdf_bytes(ec, seal_on_stamp_line=True, seals=1), ["stamp.missing"],
                  "recommender seal missing (warning)", ent.id))
    items = []
    for name, data, expect, note, *sid in cases:
        sid = sid[0] if sid else s.id
        (out / f"stamp--{name}").write_bytes(data)
        items.append(Item(f"stamp--{name}", sid, "application", expect, None, note))
    return items


def _reading_cases(pack: RulePack, out: Path, scans: int) -> list[Item]:
    """PDFs as real clients write them (kcjs.corpus.real_pdf): each must read like the plain PDF."""
    from kcjs.corpus import real_pdf as rp
    s = pack.subprogram("academician-center")
    content = application(pack, s, "compliant", "table")
    pdf = pdf_bytes(content, seal_on_stamp_line=True)
    d = next(d for d in s.deliverables if pack.resolve_length(d.length) is not None)
    lo = pack.resolve_length(d.length).min
    short = deliverable(pack, s, d.kind, round(lo * 0.93), "2024年11月20日")  # doubled glyphs would lift it over lo
    fields = [("项目类别", s.name.replace(chr(34), "")), ("项目名称", f"{s.name.replace(chr(34), '')}建设项目"),
              ("申报单位", UNIT_NAMES[s.applicants.types[0]]), ("项目负责人", "王明"), ("申报日期", "2024年3月20日")]
    cases: list[tuple] = [  # (file name, bytes, kind, expected rules, note)
        ("fake-bold.pdf", rp.fake_bold(pdf), "application", [], "glyphs drawn twice"),
        ("fake-bold-short.pdf", rp.fake_bold(pdf_bytes(short), lead_chars=40), d.kind, ["length.too_short"],
         "glyphs drawn twice, too short"),
        ("rotate-90.pdf", rp.rotated_pages(pdf, {2: 90}), "application", [], "/Rotate 90"),
        ("cover-above-underline.pdf", rp.with_cover(rp.cover_page(["2024年度“科创江苏”专项计划", "项目申报书"], fields),
                                                    pdf), "application", [], "cover values above underlines"),
    ]
    if rp.noto_cjk():
        cases.append(("embedded-cjk-font.pdf", pdf_bytes(content, seal_on_stamp_line=True, fontfile=rp.noto_cjk(),
                                                         border_lines=True), "application", [], "embedded Noto CJK"))
    if scans >= 1:
        cases.append(("outlines.pdf", rp.outlined(pdf), "application", [], "text as vector outlines (OCR)"))
    if scans >= 2:
        cases.append(("scan-sideways.pdf", scan_pdf_bytes(pdf, dpi=150, turns={2: 1}, seed=7), "application", [],
                      "scan, page 2 fed sideways"))
    items = []
    for name, data, kind, expect, note in cases:
        (out / f"read--{name}").write_bytes(data)
        items.append(Item(f"read--{name}", s.id, kind, expect, None, note))
    return items


def _bad_files(out: Path) -> list[Item]:
    import pymupdf
    good = pdf_bytes([Para("一、基本情况", 1), Para("正文。")])
    locked = pymupdf.open(stream=good, filetype="pdf").tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    bad = {"bad--empty.docx": (b"", "file.empty"), "bad--truncated.pdf": (good[: len(good) // 3], "file.unreadable"),
           "bad--encrypted.pdf": (locked, "file.encrypted"),
           "bad--legacy.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "file.unsupported")}
    items = []
    for name, (data, rule_id) in bad.items():
        (out / name).write_bytes(data)
        items.append(Item(name, None, None, [rule_id], note="bad file"))
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--scans", type=int, default=6)
    args = ap.parse_args()
    items = build(args.out, args.scans)
    print(f"{len(items)} files written to {args.out}")


if __name__ == "__main__":
    main()
