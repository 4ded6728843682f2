"""Seals on variants the corpus does not make (tests/seal_variants.py: another seal drawer, pen strokes, form and
scanner): pen rings of every kind are no seal, grey and 1-bit scans find the seal or say they cannot, a seal's
ring is read past a code under the name or an inner ring, names that differ only in form match, a 骑缝章's half
is never the applicant's seal. Scans are OCR'd whole: about ten seconds each, so only a few are."""
from __future__ import annotations

import pytest

from tests import seal_variants as sv

from kcjs.pipeline.check import Given, check_document
from kcjs.pipeline.readers import read_bytes

APPLICANT = "江苏省机械工程学会"
OTHER = "南京市化学化工学会"

NEAR_NAME = [("stamp.name_unread", "info")]  # the ring read with a character slipped: said, for a person to check


def check(pack, name: str, data: bytes) -> tuple[list[tuple[str, str]], list[dict], dict]:
    """(stamp findings as (rule, severity), metrics.seals, metrics) of an academician-center application."""
    doc = read_bytes(name, data)
    r = check_document(doc, pack, Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    return [(f["rule"], f["severity"]) for f in r["findings"] if f["rule"].startswith("stamp.")], r["metrics"]["seals"], \
        r["metrics"]


@pytest.fixture(scope="module")
def form():
    return sv.form_pdf(APPLICANT)


@pytest.fixture(scope="module")
def at_line(form):
    n, r = sv.stamp_line(form)
    return n, ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)


# --- pen rings (vector, as an annotator draws them) ---------------------------------------------------------

@pytest.mark.parametrize("target,width,kw", [
    ("申报单位（盖章）", 4.5, {}),                               # a thick marker
    ("申报单位（盖章）", 0.6, {}),                               # a thin ballpoint
    ("申报单位（盖章）", 1.4, {"turns": 2.0, "drift": 0.08}),     # a double loop
    ("申报单位（盖章）", 1.4, {"turns": 2.0, "drift": 0.08, "seed": 10}),  # one read as 一八 (strokes, not a name)
    ("申报单位（盖章）", 1.4, {"turns": 0.8}),                   # an open loop
    ("申报单位（盖章）", 1.4, {"turns": 1.25}),                  # an overlapping loop
    ("产业院士协同创新中心建设项目", 1.5, {"flat": 3.0}),          # an ellipse round a table row
    ("28万元", 1.3, {"r_mm": 9}),                               # round a number
    ("2024年3月20日", 1.8, {"r_mm": 17})])                      # round the date
def test_pen_loops_are_not_seals(pack, form, target, width, kw):
    found, seals, _ = check(pack, "pen.pdf", sv.pen_pdf(form, target, width, **{"seed": len(target), **kw}))
    assert seals == [] and found == [("stamp.missing", "error")]


@pytest.mark.parametrize("note,r_mm", [("同意申报", 18), ("已审核同意申报", 14), ("已审核同意申报", 22)])
def test_pen_loop_round_a_red_note_is_not_a_seal(pack, form, at_line, note, r_mm):
    """Wrong before: red handwriting inside a pen loop ("同意申报") was read as ring text (a seal of "中报息同",
    then stamp.name_mismatch). Ring text runs along the ring; a note inside lies deep, across the middle. Read as
    its characters stand, two of the note's words ("司意") are not a seal's name either."""
    import pymupdf

    from kcjs.corpus.gen import CJK
    n, (cx, cy) = at_line
    doc = pymupdf.open(stream=form, filetype="pdf")
    doc[n].insert_text((cx - 30, cy + 22), note, fontname=CJK, fontsize=13, color=(0.85, 0.1, 0.12))
    found, seals, _ = check(pack, "note.pdf", sv.pen_pdf(doc.tobytes(), "申报单位（盖章）", 1.2, r_mm=r_mm, seed=21))
    assert seals == [] and found == [("stamp.missing", "error")]


# --- seals cut another way ----------------------------------------------------------------------------------

def test_seal_with_a_code_under_the_name_reads_the_name(pack, form):
    """Wrong before: the digits along the lower arc (统一社会信用代码) spoiled the read ("江苏考机械人邻系乡") and
    the applicant's own seal was a name mismatch."""
    found, seals, _ = check(pack, "code.pdf", sv.put_image(form, sv.seal(APPLICANT, 320, code="3201000058762")))
    assert found == [] and [(s["text"], s["inner"]) for s in seals] == [(APPLICANT, None)]  # a 公章, not a 专用章


def test_seal_with_an_inner_ring_is_read(pack, form):
    """Wrong before: a thin inner ring was taken for the ring text's band (stamp.name_unread)."""
    found, seals, _ = check(pack, "inner.pdf", sv.put_image(form, sv.seal(APPLICANT, 320, font="serif", inner_ring=True)))
    assert found == [] and [(s["text"], s["inner"]) for s in seals] == [(APPLICANT, None)]


SPECIAL = [("stamp.special_seal", "error")]


@pytest.mark.parametrize("inner,font,shape,span,angle,exact", [
    ("财务专用章", "kai", "round", 240, 0, True), ("合同专用章", "serif", "round", 200, 20, True),
    ("合同专用章", "kai", "oval", 0, 0, True), ("财务专用章", "serif", "round", 0, -25, False),
    ("合同专用章", "serif", "oval", 0, -25, True), ("财务专用章", "kai", "oval", 0, 20, False)])
def test_special_purpose_seal_is_no_official_seal(pack, form, inner, font, shape, span, angle, exact):
    """Wrong before: a 财务专用章 or 合同专用章 on the applicant's line passed as its 公章 with no finding (reviewer).
    The line across the middle is read upright to the seal (turned ±25° here) and is stamp.special_seal; the ends of
    that line reaching into the ring's band are still not read as the name (江苏省机械工程学会尊由至号种 before)."""
    im = sv.seal(APPLICANT, 340 if shape == "oval" else 320, shape=shape, font=font, inner=inner, span_deg=span,
                 angle=angle)
    r = check_document(read_bytes("fin.pdf", sv.put_image(form, im, width_mm=45 if shape == "oval" else 40)), pack,
                       Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    found = [f for f in r["findings"] if f["rule"] == "stamp.special_seal"]
    seals = r["metrics"]["seals"]
    assert [s["inner"] for s in seals] == [inner]
    assert len(found) == 1 and found[0]["severity"] == "error" and f"加盖的是“{inner}”，应加盖单位公章" in found[0]["message"]
    if exact:  # (turned, some read a stray character or 单苏省…: the ring reader's, said as stamp.name_unread)
        assert [s["text"] for s in seals] == [APPLICANT]
        assert [f["rule"] for f in r["findings"] if f["rule"].startswith("stamp.")] == ["stamp.special_seal"]


@pytest.mark.parametrize("inner,font,shape,angle", [
    ("财务专用章", "sans-bold", "round", 0), ("合同专用章", "serif-bold", "round", 20),
    ("财务专用章", "serif-bold", "oval", 20), ("合同专用章", "sans-bold", "oval", 0)])
def test_corpus_drawn_special_purpose_seal_is_no_official_seal(pack, form, inner, font, shape, angle):
    """The same with the corpus's seal drawer (its own fonts and layout: an oval's line just below the middle)."""
    from PIL import Image

    from kcjs.corpus.stamps import draw_seal
    im = draw_seal(APPLICANT, 320, shape=shape, font_name=font, inner=inner)
    if angle:
        im = im.rotate(angle, resample=Image.BICUBIC, expand=True)
    found, seals, _ = check(pack, "ds.pdf", sv.put_image(form, im, width_mm=45 if shape == "oval" else 40))
    assert found == SPECIAL and [(s["text"], s["inner"]) for s in seals] == [(APPLICANT, inner)]


def test_special_purpose_seal_with_a_stray_character_left_is_no_mismatch(pack, form):
    """A stray character still read beside the whole name (今江苏省机械工程学会) is said for a person to check, naming
    it, not quoted as a name misread (wrong before: “印文读作‘基用至目浙江苏省机械工程学会’…可能是识别误差”). The seal
    stamped upside down is still read as the 项目专用章 it is: stamp.special_seal."""
    im = sv.seal(APPLICANT, 320, font="kai", inner="项目专用章", angle=200)
    r = check_document(read_bytes("fin.pdf", sv.put_image(form, im)), pack,
                       Given(subprogram=pack.subprogram("academician-center"), kind=pack.kind("application")))
    found = [f for f in r["findings"] if f["rule"].startswith("stamp.") and f["rule"] != "stamp.special_seal"]
    assert APPLICANT in r["metrics"]["seals"][0]["text"] and r["metrics"]["seals"][0]["inner"] == "项目专用章"
    assert [f["rule"] for f in r["findings"] if f["rule"] == "stamp.special_seal"] == ["stamp.special_seal"]
    assert all(f["rule"] == "stamp.name_unread" and f"含申报单位“{APPLICANT}”，另读到" in f["message"] for f in found)


def test_star_stamp_without_text_is_a_seal_whose_name_is_unknown(pack, form):
    found, seals, _ = check(pack, "star.pdf", sv.put_image(form, sv.seal("", 320)))
    assert found == [("stamp.name_unread", "info")] and len(seals) == 1 and seals[0]["star"]


@pytest.mark.parametrize("seed", [0, 3])
def test_worn_seal_is_found_with_its_name_unread(pack, form, seed):
    """Wrong before: a dry, unevenly pressed seal (wear 0.6: the ring in broken arcs, the characters in pieces, the
    star broken) read no sure ring text and no star, and was taken for a pen ring: stamp.missing, an error. Its ring
    in many pieces and read in part as Han characters make it a seal whose name a person checks."""
    from kcjs.corpus.stamps import draw_seal
    found, seals, _ = check(pack, "worn.pdf", sv.put_image(form, draw_seal(APPLICANT, 320, wear=0.6, seed=seed)))
    assert len(seals) == 1 and seals[0]["shape"] == "round"
    assert found in ([], NEAR_NAME) and (seals[0]["text"] is None or seals[0]["text"][:2] == APPLICANT[:2])


@pytest.mark.parametrize("applicant,ring,shape", [
    (APPLICANT, "机械工程学会", "round"),                       # 江苏省 left off the ring
    ("机械工程学会", APPLICANT, "round"),                       # 江苏省 left off the form
    ("江苏省机械工程学会(筹)", "江苏省机械工程学会（筹）", "round"),  # half- against full-width brackets
    ("南京市科学技术协会", "南京市科学技术协会", "round"),
    (APPLICANT, APPLICANT, "oval")])
def test_names_that_differ_only_in_form_match(pack, applicant, ring, shape):
    pdf = sv.put_image(sv.form_pdf(applicant), sv.seal(ring, 340 if shape == "oval" else 320, shape=shape),
                       width_mm=45 if shape == "oval" else 40)
    found, seals, _ = check(pack, "m.pdf", pdf)
    assert found == [] and [s["shape"] for s in seals] == [shape]


def test_seal_of_another_unit_in_a_text_pdf_and_a_docx(pack, form):
    from kcjs.corpus.build import application
    from kcjs.corpus.gen import docx_bytes
    found, seals, _ = check(pack, "o.pdf", sv.put_image(form, sv.seal(OTHER, 320)))
    assert found == [("stamp.name_mismatch", "error")] and seals[0]["text"][:8] == OTHER[:8]  # 会 may read 會
    content = application(pack, pack.subprogram("academician-center"), "compliant", "table")
    for place in ("inline", "floating"):
        found, seals, _ = check(pack, "o.docx", docx_bytes(content, seal=place, seal_image=sv.png(sv.seal(OTHER, 400))))
        assert found == [("stamp.name_mismatch", "error")], place
    # the applicant's own seal in a .docx, 江苏省 left off and a code under the name: no finding (wrong before)
    own = sv.png(sv.seal("机械工程学会", 400, code="3201000058762"))
    found, seals, _ = check(pack, "own.docx", docx_bytes(content, seal="floating", seal_image=own))
    assert found == [] and seals[0]["text"] == "机械工程学会"


def test_a_half_seal_at_the_page_edge_is_not_the_applicants_seal(pack, form, at_line):
    import pymupdf
    n, (_, cy) = at_line
    doc = pymupdf.open(stream=form, filetype="pdf")
    d = 40 * sv.MM
    doc[n].insert_image(pymupdf.Rect(595 - d * 0.4, cy - d / 2, 595 + d * 0.6, cy + d / 2),
                        stream=sv.png(sv.seal(APPLICANT, 320)))
    found, seals, _ = check(pack, "edge.pdf", doc.tobytes())
    assert seals == [] and found == [("stamp.missing", "error")]


# --- scans (OCR'd whole: a few only) --------------------------------------------------------------------

@pytest.mark.parametrize("dpi,width_mm", [(150, 1.6), (300, 0.4)])
def test_scanned_pen_loop_is_not_a_seal(pack, form, at_line, dpi, width_mm):
    n, c = at_line
    found, seals, _ = check(pack, "sp.pdf", sv.scan(form, dpi, marks=sv.pen_marks(n, c, width_mm, seed=dpi)))
    assert seals == [] and found == [("stamp.missing", "error")]


@pytest.mark.parametrize("dpi,kw", [(150, {}), (200, {"gain": 0.9, "bias": -30})])
def test_grey_scan_reads_the_seal_past_the_print_under_it(pack, form, at_line, dpi, kw):
    """Wrong before: the black print under a grey seal was read with its ring ("参机械工年报", "首机械报") and the
    applicant's own seal was a name mismatch. The print (near black) is now taken out as a colour scan's red
    takes it out."""
    n, c = at_line
    marks = sv.stamp_marks(sv.seal(APPLICANT, int(dpi * 40 / 25.4)), n, c)
    found, seals, _ = check(pack, "g.pdf", sv.scan(form, dpi, mode="grey", marks=marks, **kw))
    assert found in ([], NEAR_NAME) and [s["mode"] for s in seals] == ["grey"] and seals[0]["text"].startswith(APPLICANT)


def test_grey_star_stamp_over_print_is_a_seal_whose_name_is_unread(pack, form, at_line):
    """Wrong before: the print under a star-only stamp was read as its ring text ("盖章）年申报"), a name mismatch."""
    n, c = at_line
    marks = sv.stamp_marks(sv.seal("", int(200 * 40 / 25.4)), n, c)
    found, seals, _ = check(pack, "gs.pdf", sv.scan(form, 200, mode="grey", marks=marks))
    assert found == [("stamp.name_unread", "info")] and [(s["text"], s["star"]) for s in seals] == [(None, True)]


def test_one_bit_scan_finds_the_seal_by_shape_and_an_unstamped_one_cannot_tell(pack, form, at_line):
    n, c = at_line
    marks = sv.stamp_marks(sv.seal(APPLICANT, int(200 * 40 / 25.4)), n, c)
    found, seals, _ = check(pack, "bw.pdf", sv.scan(form, 200, mode="grey", marks=marks, threshold=150))
    assert found in ([], NEAR_NAME) and [s["mode"] for s in seals] == ["grey"]
    # the unstamped page as a 1-bit /ImageMask (a stencil painted black)
    found, seals, _ = check(pack, "bw0.pdf", sv.scan(form, 200, mode="grey", threshold=150, stencil=True))
    assert seals == [] and found == [("stamp.unverifiable", "warning")]


def test_colour_scan_at_100_dpi_with_a_turned_seal(pack, form, at_line):
    n, c = at_line
    marks = sv.stamp_marks(sv.seal(APPLICANT, int(100 * 40 / 25.4), angle=7), n, c)
    found, seals, _ = check(pack, "c.pdf", sv.scan(form, 100, marks=marks))
    assert found == [] and len(seals) == 1 and seals[0]["mode"] == "colour"


def test_cross_page_seal_on_two_scanned_pages(pack):
    """A 骑缝章 across the spread of pages 1–2 of a scan, and the applicant's seal on its line: the halves are
    reported in metrics.cross_page_seals, never counted as seals."""
    form = sv.form_pdf(APPLICANT, paras=6)
    n, r = sv.stamp_line(form)
    half = sv.seal(APPLICANT, int(200 * 40 / 25.4))

    def marks(k, img, dpi):
        from PIL import Image, ImageChops
        layer = Image.new("RGB", img.size, (255, 255, 255))
        y = int(img.height * 0.45)
        if k in (0, 1):
            layer.paste(half, (img.width - half.width // 2 if k == 0 else -half.width // 2, y), half)
        img = ImageChops.multiply(img, layer)
        return sv.stamp_marks(half, n, ((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2))(k, img, dpi)

    found, seals, metrics = check(pack, "x.pdf", sv.scan(form, 200, marks=marks))
    assert found == [] and len(seals) == 1 and seals[0]["page"] == n + 1
    assert [c["pages"] for c in metrics["cross_page_seals"]] == [[1, 2]]


# --- whose seal: the name decision -------------------------------------------------------------------------

@pytest.mark.parametrize("ring,name", [
    ("江苏省机械工程学会", "南京市机械工程学会"),       # the provincial society's seal on its city namesake's form
    ("南京市科学技术局", "南京市科学技术协会"),         # another kind of unit in the same city
    ("江苏省科学技术协会", "东南大学科学技术协会"),     # the provincial 科协 on a university 科协's form
    ("南京市化学化工学会", "南京市机械工程学会")])      # two societies of one city
def test_other_units_that_share_most_of_a_name_do_not_match(ring, name):
    """Wrong before (all four matched, 82–100): the 江苏省 prefix was left out of one side only, and a ring read
    in part was aligned anywhere inside the name."""
    from kcjs.checkers.names import SEAL_UNSURE_RATIO, seal_name_ratio
    assert seal_name_ratio(ring, name) < SEAL_UNSURE_RATIO


@pytest.mark.parametrize("ring,name", [("江区省机械工程单台", APPLICANT), ("工苏省机械工程学台", APPLICANT),
                                       ("江苏省机械工程学會", APPLICANT), ("省机械工程会", APPLICANT),
                                       ("无成市科学技术局", "无锡市科学技术局")])
def test_misreads_of_the_name_still_match(ring, name):
    """Reads seen on 100 dpi and grey scans (and in bench/bench_ring_text.py): a slip in 江苏省 or in a city's name
    is not taken for another place."""
    from kcjs.checkers.names import SEAL_MIN_RATIO, seal_name_ratio
    assert seal_name_ratio(ring, name) >= SEAL_MIN_RATIO


def test_a_city_namesakes_seal_is_a_mismatch_and_a_half_read_one_is_unsure(pack):
    found, _, _ = check(pack, "city.pdf", sv.put_image(sv.form_pdf("南京市机械工程学会"), sv.seal(APPLICANT, 320)))
    assert found == [("stamp.name_mismatch", "error")]
    from types import SimpleNamespace

    from kcjs.checkers.stamps import _whose
    from kcjs.pipeline.findings import Location
    from kcjs.pipeline.rulepack import StampLine
    line = StampLine(id="applicant", label="申报单位（盖章）", field="applicant")
    got = _whose(line, SimpleNamespace(text="参机械工年报", shape="round", page=1), {"applicant": ("申报单位", APPLICANT)},
                 Location(page=1))
    assert [(f.severity, f.actual) for f in got] == [("info", "参机械工年报")] and "识别不清" in got[0].message
