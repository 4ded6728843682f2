"""Write the two docxtpl templates (application.docx, deliverable.docx) that `kcjs template` fills.

    python -m kcjs.templates.make_templates

The .docx files are the source staff edit afterwards (fonts, spacing, wording) in Word or WPS; this
script only made their first version. Jinja tags: {{ … }} values, {%p … %} paragraph loops,
{%tr … %} table-row loops. Every figure comes from the context, i.e. from the rule pack.
"""
from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).parent
BODY_FONT, HEAD_FONT, TITLE_FONT = "仿宋", "黑体", "宋体"


def _font(style_or_run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    f = style_or_run.font
    f.name = name
    if size:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    f.color.rgb = RGBColor(0, 0, 0)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _document() -> docx.Document:
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _font(d.styles["Normal"], BODY_FONT, 14)
    d.styles["Normal"].paragraph_format.line_spacing = Pt(28)
    for name, size in (("Heading 1", 16), ("Heading 2", 15), ("Title", 22)):
        st = d.styles[name]
        _font(st, HEAD_FONT if name != "Title" else TITLE_FONT, size, True)
        st.paragraph_format.space_before, st.paragraph_format.space_after = Pt(12), Pt(6)
    footer = sec.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">— </w:t></w:r>'))
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> —</w:t></w:r>'))
    return d


def _title(d, text: str, size: float = 22, space: float = 0) -> None:
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(space)
    _font(p.add_run(text), TITLE_FONT, size, True)


def _table(d, rows: list[list[str]], widths: list[float]):
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    t.autofit = False
    for c, w in enumerate(widths):
        t.columns[c].width = Mm(w)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = t.cell(r, c)
            cell.width = Mm(widths[c])
            cell.paragraphs[0].text = text
            for run in cell.paragraphs[0].runs:
                _font(run, BODY_FONT, 12, r == 0 and len(rows) > 2)
    return t


def application() -> None:
    d = _document()
    _title(d, "{{ program_title }}", 20, 40)
    _title(d, "项目申报书", 28, 24)
    for _ in range(2):
        d.add_paragraph()
    for label in ("项目类别：{{ category }}", "项目名称：{{ v.project }}", "申报单位：{{ v.applicant }}",
                  "项目负责人：{{ v.head }}", "申报日期：{{ v.date }}"):
        p = d.add_paragraph(label)
        p.paragraph_format.left_indent = Mm(20)
    for _ in range(2):
        d.add_paragraph()
    p = d.add_paragraph("{{ program.issuer }}制")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run().add_break(WD_BREAK.PAGE)

    d.add_heading("填写说明", 2)
    d.add_paragraph("{%p for n in notes %}")
    d.add_paragraph("{{ n }}")
    d.add_paragraph("{%p endfor %}")

    d.add_heading("一、{{ s.applicant_info }}", 1)
    _table(d, [["{%tr for f in fields %}", ""], ["{{ f.name }}", "{{ f.value }}"], ["{%tr endfor %}", ""]], [45, 110])
    d.add_paragraph("单位简介：{{ v.intro }}")
    d.add_heading("二、{{ s.basis }}", 1)
    d.add_paragraph("{{ v.basis }}")
    d.add_heading("三、{{ s.plan }}", 1)
    d.add_paragraph("{{ v.plan }}")
    d.add_heading("四、{{ s.targets }}", 1)
    d.add_paragraph("{%p if targets %}")
    d.add_paragraph("填表说明：全年目标不得低于“通知最低要求”，请在“本单位目标值”一栏填写数字。")
    _table(d, [["序号", "年度目标任务", "单位", "通知最低要求", "本单位目标值"],
               ["{%tr for t in targets %}", "", "", "", ""],
               ["{{ loop.index }}", "{{ t.name }}", "{{ t.unit }}", "{{ t.min }}", "{{ t.value }}"],
               ["{%tr endfor %}", "", "", "", ""]], [14, 70, 16, 28, 28])
    d.add_paragraph("{%p endif %}")
    d.add_paragraph("{{ v.goals }}")
    d.add_paragraph("{%p for r in requirements %}")
    d.add_paragraph("通知要求：{{ r }}")
    d.add_paragraph("{%p endfor %}")
    d.add_heading("五、{{ s.budget }}", 1)
    d.add_paragraph("经费上限：{{ cap_text }}")
    d.add_paragraph("申请资助经费：{{ v.budget }}万元")
    _table(d, [["支出科目", "金额（万元）", "测算依据"], ["{%tr for i in budget_items %}", "", ""],
               ["{{ i.item }}", "{{ i.amount }}", "{{ i.basis }}"], ["{%tr endfor %}", "", ""],
               ["合计", "{{ v.budget_total }}", ""]], [55, 40, 60])
    d.add_heading("六、{{ s.opinion }}", 1)
    d.add_paragraph("{{ v.opinion }}")
    d.add_paragraph("单位负责人（签字）：")
    d.add_paragraph("{%p for st in stamps %}")
    p = d.add_paragraph("{{ st.label }}")
    p.paragraph_format.left_indent = Mm(80)
    p = d.add_paragraph("年　　月　　日")
    p.paragraph_format.left_indent = Mm(95)
    d.add_paragraph("{%p endfor %}")
    d.save(HERE / "application.docx")


def deliverable() -> None:
    d = _document()
    header = d.sections[0].header.paragraphs[0]
    header.text = "{{ header }}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _title(d, "{{ title }}", 22, 12)
    d.add_paragraph("{%p for s in sections %}")
    d.add_heading("{{ s.number }}、{{ s.name }}", 1)
    d.add_paragraph("{{ s.text }}")
    d.add_paragraph("{%p endfor %}")
    for text in ("{{ v.unit }}", "{{ v.date }}"):
        p = d.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.save(HERE / "deliverable.docx")


if __name__ == "__main__":
    application()
    deliverable()
    print("kcjs/templates/application.docx, kcjs/templates/deliverable.docx written")
