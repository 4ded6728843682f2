"""Seals: the detector on its own, and the stamp check on .docx, PDFs, scans and e-seals."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from kcjs.corpus import stamps as st
from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes, scan_pdf_bytes, seal_png
from kcjs.pipeline.check import Given, check_document
from kcjs.pipeline.readers import read_bytes
from kcjs.pipeline.seals import find_seals, image_seal


def rgb_of(png: bytes, size_px: int) -> np.ndarray:
    im = Image.open(io.BytesIO(png)).convert("RGBA")
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    white.alpha_composite(im)
    page = Image.new("RGB", (size_px, size_px), (255, 255, 255))
    page.paste(white.convert("RGB"), ((size_px - im.width) // 2, (size_px - im.height) // 2))
    return np.asarray(page)


@pytest.mark.parametrize("args,shape", [({}, "round"), ({"shape": "oval"}, "oval"), ({"shape": "square"}, "square"),
                                        ({"color": (238, 150, 150)}, "round")])
def test_detector_finds_every_shape_with_its_size(args, shape):
    # a 40 mm seal drawn at 200 dpi (315 px)
    seals = find_seals(rgb_of(seal_png(diameter_px=315, **args), 600), dpi=200)
    assert [s.shape for s in seals] == [shape]
    assert 30 <= seals[0].width_mm <= 42 and seals[0].confidence > 0.6


def test_detector_size_limits():
    assert find_seals(rgb_of(seal_png(diameter_px=60), 200), dpi=200) == []          # 7.6 mm: a logo, not a seal
    assert len(find_seals(rgb_of(seal_png(diameter_px=140), 300), dpi=200)) == 1     # 17.8 mm: a small seal
    assert find_seals(rgb_of(seal_png(diameter_px=600), 700), dpi=200) == []         # 76 mm: too big
    assert find_seals(rgb_of(st.solid_disk_png(300), 400), dpi=200) == []           # a solid disk
    assert find_seals(rgb_of(seal_png(diameter_px=315, color=(30, 60, 200)), 600), dpi=200) == []  # blue


def test_docx_image_is_judged_at_its_displayed_size():
    got = image_seal(seal_png(diameter_px=400), width_mm=40)
    assert got.shape == "round" and got.text == "江苏省机械工程学会"
    assert image_seal(seal_png(diameter_px=400), width_mm=8) is None  # the same picture shrunk to a logo


@pytest.fixture(scope="module")
def base(pack):
    s = pack.subprogram("academician-center")
    content = application(pack, s, "compliant", "table")
    return content, pdf_bytes(content)


def stamp_findings(pack, name: str, data: bytes, sid: str = "academician-center"):
    doc = read_bytes(name, data)
    r = check_document(doc, pack, Given(subprogram=pack.subprogram(sid), kind=pack.kind("application")))
    return [(f["rule"], f["severity"]) for f in r["findings"] if f["rule"].startswith("stamp.")], r["metrics"]["seals"]


def test_pdf_seal_on_its_line_far_and_on_another_page(pack, base):
    _, pdf = base
    found, seals = stamp_findings(pack, "a.pdf", st.add_seal(pdf))
    assert found == [] and seals[0]["source"] == "pdf-image" and seals[0]["page"] == 2
    assert stamp_findings(pack, "b.pdf", st.add_seal(pdf, "far"))[0] == [("stamp.far", "warning")]
    assert stamp_findings(pack, "c.pdf", st.add_seal(pdf, "other-page"))[0] == [("stamp.missing", "error")]
    assert stamp_findings(pack, "d.pdf", pdf)[0] == [("stamp.missing", "error")]


@pytest.mark.parametrize("kind", ["letterhead", "red-title", "underline", "logo", "handwriting", "blue-seal"])
def test_distractors_are_not_seals_and_do_not_hide_one(pack, base, kind):
    _, pdf = base
    assert stamp_findings(pack, "x.pdf", st.add_distractor(pdf, kind))[0] == [("stamp.missing", "error")]
    if kind != "blue-seal":
        found, seals = stamp_findings(pack, "y.pdf", st.add_seal(st.add_distractor(pdf, kind)))
        assert found == [] and len(seals) == 1


def test_scanned_seal_over_text(pack, base):
    _, pdf = base
    found, seals = stamp_findings(pack, "s.pdf", scan_pdf_bytes(st.add_seal(pdf, angle=20), dpi=150, rotate_deg=0.6,
                                                                  jpeg_quality=55))
    assert found == [] and seals[0]["source"] == "raster" and 30 <= seals[0]["width_mm"] <= 42


def test_docx_inline_floating_and_missing(pack, base):
    content, _ = base
    for seal in ("inline", "floating"):
        found, seals = stamp_findings(pack, "a.docx", docx_bytes(content, seal=seal))
        assert found == [] and seals[0]["source"] == "docx-image"
    assert stamp_findings(pack, "b.docx", docx_bytes(content))[0] == [("stamp.missing", "error")]


def test_joint_application_needs_both_seals(pack):
    s = pack.subprogram("society-local-cooperation")
    content = application(pack, s, "compliant", "table")
    assert stamp_findings(pack, "j.pdf", pdf_bytes(content, seal_on_stamp_line=True), s.id)[0] == []
    found, _ = stamp_findings(pack, "j1.pdf", pdf_bytes(content, seal_on_stamp_line=True, seals=1), s.id)
    assert found == [("stamp.missing", "error")]


def test_recommender_seal_is_a_warning(pack):
    s = pack.subprogram("enterprise-expert-center")
    content = application(pack, s, "compliant", "table")
    found, _ = stamp_findings(pack, "e.docx", docx_bytes(content, seal="inline", seals=1), s.id)
    assert found == [("stamp.missing", "warning")]


def test_electronic_seals(pack, base):
    _, pdf = base
    found, seals = stamp_findings(pack, "signed.pdf", st.sign(pdf))
    assert found == [] and seals == [{"page": 2, "box": seals[0]["box"], "shape": "signature", "source": "signature",
                                      "signed": True, "intact": True, "name": "applicant_seal"}]
    assert stamp_findings(pack, "u.pdf", st.unsigned_field(pdf))[0] == [("stamp.missing", "error")]
    found, _ = stamp_findings(pack, "t.pdf", st.tamper(st.sign(pdf)))
    assert sorted(found) == [("stamp.missing", "error"), ("stamp.signature_invalid", "error")]
