"""Write the two docxtpl templates (application.docx, deliverable.docx) that `kcjs template` fills.

    python -m kcjs.templates.make_templates

The .docx files are the source staff edit afterwards (fonts, spacing, wording) in Word or WPS; this
script only made their first version. Jinja tags: {{ … }} values, {%p … %} paragraph loops,
{%tr … %} table-row loops. Every figure comes from the context, i.e. from the rule pack.
"""
from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

HERE = Path(__file__).parent
# Official forms: 仿宋_GB2312 body (仿宋 where it is not installed), 黑体 headings, 宋体 titles; Latin in Times New Roman.
BODY_FONT, HEAD_FONT, TITLE_FONT, LATIN_FONT = "仿宋_GB2312", "黑体", "宋体", "Times New Roman"
# name -> (altName Word/WPS/LibreOffice use when the font is missing, charset, family, panose-1)
FONT_TABLE = {"仿宋_GB2312": ("仿宋", "86", "modern", "02010609030101010101"),
              "仿宋": ("FangSong", "86", "modern", "02010609060101010101"),
              "黑体": ("SimHei", "86", "modern", "02010609060101010101"),
              "宋体": ("SimSun", "86", "auto", "02010600030101010101")}
TEXT_WIDTH_MM = 156
OPINION_ROW_MM = (62, 58)  # least heights of the 承诺 row and of each opinion row: room to write, sign and stamp  # A4 210 mm less the 28 mm and 26 mm side margins


def _font(style_or_run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a style's or run's font: `name` for East Asian text, Times New Roman for Latin; size in pt."""
    f = style_or_run.font
    if size:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    f.color.rgb = RGBColor(0, 0, 0)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):  # theme fonts (asciiTheme, eastAsiaTheme …) would override the names
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), name)


def _font_table(d) -> None:
    """Declare the Chinese fonts with their altName, so a machine without 仿宋_GB2312 uses 仿宋 (FangSong)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    part = next(r.target_part for r in d.part.rels.values() if r.reltype == RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, (alt, charset, family, panose) in FONT_TABLE.items():
        for old in root.findall(f"{{{w}}}font[@{{{w}}}name='{name}']"):
            root.remove(old)
        root.append(parse_xml(f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                              f'<w:panose1 w:val="{panose}"/><w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
                              f'<w:pitch w:val="variable"/></w:font>'))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _document() -> docx.Document:
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)  # A4
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _font(d.styles["Normal"], BODY_FONT, 14)
    d.styles["Normal"].paragraph_format.line_spacing = Pt(28)
    for name, size in (("Heading 1", 16), ("Heading 2", 15), ("Title", 22)):
        st = d.styles[name]
        _font(st, HEAD_FONT if name != "Title" else TITLE_FONT, size, name == "Title")
        st.paragraph_format.space_before, st.paragraph_format.space_after = Pt(12), Pt(6)
        st.paragraph_format.keep_with_next = True
    _font_table(d)
    footer = sec.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">— </w:t></w:r>'))
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> —</w:t></w:r>'))
    return d


def _title(d, text: str, size: float = 22, space: float = 0, font: str = TITLE_FONT) -> None:
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(space)
    _font(p.add_run(text), font, size, True)


def _row_props(row, *props: str) -> None:
    """Add row properties (cantSplit, tblHeader) to a table row's w:trPr."""
    tr_pr = row._tr.get_or_add_trPr()
    for prop in props:
        if tr_pr.find(qn(f"w:{prop}")) is None:
            tr_pr.append(parse_xml(f"<w:{prop} {nsdecls('w')}/>"))


def _keep_with_next(row) -> None:
    """Every paragraph of the row keeps with the next, so the row never ends a page before the 合计 row."""
    for cell in row.cells:
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True


def _caption(d, condition: str, text: str) -> None:
    """`{%p if condition %}` and a centred 14 pt 黑体 caption kept with the table that follows."""
    d.add_paragraph(f"{{%p if {condition} %}}")
    p = d.add_paragraph(text)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    _font(p.runs[0], HEAD_FONT, 14)


def _loop_rows(var: str, items: str, cells: list[str], header: list[str] | None = None,
               after: list[list[str]] = ()) -> list[list[str]]:
    """The rows of a table with one row per item (docxtpl `{%tr for var in items %}`): the header, the repeated row,
    then `after` (a 合计 row)."""
    blank = [""] * (len(cells) - 1)
    return ([header] if header else []) + [[f"{{%tr for {var} in {items} %}}", *blank], cells,
                                           ["{%tr endfor %}", *blank], *after]


def _table(d, rows: list[list[str]], widths: list[float], header: bool = True, size: float = 12, keep: int = 0):
    """A ruled table: rows never split across pages; with `header`, the first row is bold and repeats on each page;
    the `keep` rows before the last (the 合计 row) keep with it."""
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
            cell.paragraphs[0].paragraph_format.line_spacing = Pt(20)
            if header and r == 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in cell.paragraphs[0].runs:
                _font(run, HEAD_FONT if header and r == 0 else BODY_FONT, size)
        _row_props(t.rows[r], "cantSplit")
    if header:
        _row_props(t.rows[0], "cantSplit", "tblHeader")
    for r in range(max(0, len(rows) - 1 - keep), len(rows) - 1) if keep else ():
        _keep_with_next(t.rows[r])
    if not header:  # a short label | value table stays on one page
        for row in t.rows:
            _keep_with_next(row)
    return t


def _widths(t, widths) -> None:
    """Fixed column widths in mm: the grid (what LibreOffice and WPS lay out by) and every cell."""
    t.autofit = False
    for c, w in enumerate(widths):
        t.columns[c].width = Mm(w)
        for cell in t.columns[c].cells:
            cell.width = Mm(w)


def _no_borders(t) -> None:
    tbl_pr = t._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>' + "".join(
        f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"))


def _underline_cell(cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(parse_xml(f'<w:tcBorders {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
                           "</w:tcBorders>"))


def _cover(d) -> None:
    """Page 1: staff-only 项目编号, the titles, then label/value lines with the stamp lines (申报单位（盖章） …)."""
    p = d.add_paragraph()
    _font(p.add_run("{{ staff_field }}："), BODY_FONT, 12)
    blank = p.add_run("　" * 12)  # underlined full-width spaces: a blank for staff, not a prompt to fill
    _font(blank, BODY_FONT, 12)
    blank.font.underline = True
    _title(d, "{{ program_title }}", 20, 30)
    _title(d, "项目申报书", 30, 12)
    p = d.add_paragraph("项目类别：{{ category }}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(6), Pt(18)
    t = d.add_table(rows=3, cols=2)
    _no_borders(t)
    widths = (62, 94)
    _widths(t, widths)
    t.alignment = 1  # centred
    texts = [["{%tr for c in cover %}", ""], ["{{ c.label }}：", "{{ c.value }}"], ["{%tr endfor %}", ""]]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            cell = t.cell(r, c)
            cell.width = Mm(widths[c])
            para = cell.paragraphs[0]
            para.text = text
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER
            para.paragraph_format.space_before = Pt(8)
            _room_for_seal(para)
            for run in para.runs:
                _font(run, HEAD_FONT if c == 0 else BODY_FONT, 14)
        _row_props(t.rows[r], "cantSplit")
    _underline_cell(t.cell(1, 1))
    p = d.add_paragraph("{{ program.issuer }}制")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(24)
    _font(p.runs[0], HEAD_FONT, 16)
    p.add_run().add_break(WD_BREAK.PAGE)


def _opinions(d) -> None:
    """The 承诺 and opinion blocks, one row each: text, then signature, seal and date lines at the right."""
    t = d.add_table(rows=5, cols=2)
    t.style = "Table Grid"
    widths = (34, TEXT_WIDTH_MM - 34)
    _widths(t, widths)
    rows = [("申报单位承诺", ["{{ commitment }}", "", "单位负责人（签字）：", "年　　月　　日"]),
            ("申报单位意见", ["{{ v.opinion }}", "", "单位负责人（签字）：", "{{ applicant_stamp }}", "年　　月　　日"]),
            ("{%tr for o in other_opinions %}", [""]),
            ("{{ o.title }}", ["{{ o.text }}", "", "负责人（签字）：", "{{ o.label }}", "年　　月　　日"]),
            ("{%tr endfor %}", [""])]
    for r, (label, paras) in enumerate(rows):
        left, right = t.cell(r, 0), t.cell(r, 1)
        left.width, right.width = Mm(widths[0]), Mm(widths[1])
        left.paragraphs[0].text = label
        left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        left.vertical_alignment = 1  # centre
        for run in left.paragraphs[0].runs:
            _font(run, HEAD_FONT, 13)
        for k, text in enumerate(paras):
            para = right.paragraphs[0] if k == 0 else right.add_paragraph()
            para.text = text
            if k >= 2:  # signature, seal and date lines: right half of the cell
                para.paragraph_format.left_indent = Mm(60)
                _room_for_seal(para)
            for run in para.runs:
                _font(run, BODY_FONT, 14)
        _row_props(t.rows[r], "cantSplit")
        t.rows[r].height = Mm(OPINION_ROW_MM[0] if r == 0 else OPINION_ROW_MM[1])  # at least: room to write and stamp


def _room_for_seal(para) -> None:
    """Line spacing 'at least' (not the body's exact 28 pt) where a seal goes: a seal picture put in line with the
    text grows its line instead of being cut to a 28 pt strip in print and in the PDF."""
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    para.paragraph_format.line_spacing = Pt(28)


def _no_page_number_on_cover(sec) -> None:
    """A cover carries no page number: a different first page (w:titlePg) with an empty first-page footer."""
    sec.different_first_page_header_footer = True
    sec.first_page_footer.is_linked_to_previous = False  # an empty footer part of its own, not the numbered one


def application() -> None:
    d = _document()
    _no_page_number_on_cover(d.sections[0])
    _cover(d)

    d.add_heading("填写说明", 2)
    d.add_paragraph("{%p for n in notes %}")
    d.add_paragraph("{{ n }}")
    d.add_paragraph("{%p endfor %}")

    d.add_heading("一、{{ s.applicant_info }}", 1)
    _table(d, _loop_rows("f", "fields", ["{{ f.name }}", "{{ f.value }}"]), [45, 111], header=False)
    d.add_paragraph("单位简介：{{ v.intro }}")
    _caption(d, "team", "{{ team.caption }}")
    _table(d, _loop_rows("m", "team.members", ["{{ loop.index }}", "{{ m.name }}", "{{ m.unit }}", "{{ m.title }}",
                                               "{{ m.role }}"], ["序号", "姓名", "单位", "职称/称号", "分工"]),
           [14, 24, 52, 36, 30])
    d.add_paragraph("{%p endif %}")
    _caption(d, "partner_rows", "{{ partner_caption }}")
    _table(d, _loop_rows("f", "partner_rows", ["{{ f.name }}", "{{ f.value }}"]), [45, 111], header=False)
    d.add_paragraph("{%p endif %}")
    d.add_heading("二、{{ s.basis }}", 1)
    d.add_paragraph("{{ v.basis }}")
    d.add_heading("三、{{ s.plan }}", 1)
    d.add_paragraph("{{ v.plan }}")
    d.add_heading("四、{{ s.targets }}", 1)
    d.add_paragraph("{%p if targets %}")
    d.add_paragraph("填表说明：全年目标不得低于“通知最低要求”，请在“本单位目标值”一栏填写数字。")
    _table(d, _loop_rows("t", "targets", ["{{ loop.index }}", "{{ t.name }}", "{{ t.unit }}", "{{ t.min }}", "{{ t.value }}"],
                         ["序号", "年度目标任务", "单位", "通知最低要求", "本单位目标值"]), [14, 70, 16, 28, 28])
    d.add_paragraph("{%p endif %}")
    d.add_paragraph("{{ v.goals }}")
    d.add_paragraph("{%p for r in requirements %}")
    d.add_paragraph("通知要求：{{ r }}")
    d.add_paragraph("{%p endfor %}")
    d.add_heading("五、{{ s.budget }}", 1)
    d.add_paragraph("经费上限：{{ cap_text }}")
    d.add_paragraph("申请资助经费：{{ v.budget }}万元")
    p = d.add_paragraph("经费支出预算（单位：万元）")
    p.paragraph_format.keep_with_next = True
    _table(d, _loop_rows("i", "budget_items", ["{{ i.item }}", "{{ i.amount }}", "{{ i.basis }}"],
                         ["支出科目", "金额（万元）", "测算依据"], [["{{ budget_total_label }}", "{{ v.budget_total }}", ""]]),
           [50, 36, 70], keep=2)
    p = d.add_paragraph("经费来源（单位：万元）")
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(12)
    _table(d, _loop_rows("i", "budget_sources", ["{{ i.item }}", "{{ i.amount }}", "{{ i.basis }}"],
                         ["经费来源", "金额（万元）", "说明"], [["{{ budget_total_label }}", "{{ v.sources_total }}", ""]]),
           [50, 36, 70], keep=2)
    h = d.add_heading("六、{{ s.opinion }}", 1)
    h.paragraph_format.page_break_before = True
    _opinions(d)
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
