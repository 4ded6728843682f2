"""The labelled corpus: every rule at precision and recall 1.0, every document recognised."""
from __future__ import annotations

import pytest

from kcjs.corpus.build import build
from kcjs.pipeline.evaluate import evaluate

REQUIRED = {"section.missing", "length.too_short", "length.too_long", "target.below_minimum", "target.missing",
            "budget.over_cap", "budget.missing", "template.placeholder_left", "language.not_chinese",
            "eligibility.applicant_type", "date.late", "file.unreadable", "file.encrypted", "file.empty",
            "file.unsupported", "section.empty", "section.order", "length.near_limit", "length.modes_disagree",
            "stamp.missing", "stamp.far", "stamp.signature_invalid"}


@pytest.fixture(scope="module")
def report(tmp_path_factory, pack):
    out = tmp_path_factory.mktemp("corpus")
    build(out, scans=2)
    return evaluate(out, pack)


def test_every_rule_at_precision_and_recall_one(report):
    assert report["mistakes"] == []
    for r in report["rules"]:
        assert (r["precision"], r["recall"]) == (1.0, 1.0), r


def test_corpus_exercises_the_rules(report):
    seen = {r["rule"] for r in report["rules"] if r["tp"] > 0}
    assert REQUIRED <= seen, REQUIRED - seen


def test_every_document_recognised_without_being_told(report):
    assert report["wrong_detection"] == []
    assert report["files_by_format"]["scan"] >= 2 and report["files_by_format"]["docx"] > 100


def test_no_distractor_taken_for_a_seal(report):
    assert set(report["distractors"]) >= {"letterhead", "red-title", "underline", "logo", "handwriting", "blue-seal"}
    assert all(v["false_alarms"] == 0 for v in report["distractors"].values())
