"""The views a check derives from a document once (Document.derived: body text, counts, fields, sections,
amount, targets) give the very results computed afresh by every user, and never outlive the check."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from kcjs.corpus.build import application, deliverable
from kcjs.corpus.gen import docx_bytes, pdf_bytes
from kcjs.pipeline.check import check_document
from kcjs.pipeline.document import Block, Document
from kcjs.pipeline.readers import read_bytes


def documents(pack) -> list[Document]:
    """Real generated submissions: applications of several subprograms with violations, as .docx and text
    PDF (tables ruled with lines), an English one, and deliverables near their length limits."""
    docs = []
    for n, (sub, variant, layout) in enumerate([("academician-center", "target-below", "table"),
                                                 ("society-consortium", "over-cap", "prose"),
                                                 ("academician-center", "placeholder", "synonyms"),
                                                 ("academician-center", "english", "table")]):
        content = application(pack, pack.subprogram(sub), variant, layout)
        docs.append(read_bytes(f"{n}.docx", docx_bytes(content, style=("styles", "bold")[n % 2], seal="inline")))
        docs.append(read_bytes(f"{n}.pdf", pdf_bytes(content, seal_on_stamp_line=True, border_lines=bool(n % 2))))
    s = next(s for s in pack.subprograms if any(pack.resolve_length(d.length) for d in s.deliverables))
    d = next(d for d in s.deliverables if pack.resolve_length(d.length))
    ln = pack.resolve_length(d.length)
    for words in (ln.min - 5, ln.min + 3):
        docs.append(read_bytes(f"{d.kind}-{words}.docx", docx_bytes(deliverable(pack, s, d.kind, words, "2024年11月20日"))))
    return docs


def test_shared_views_give_the_results_of_a_fresh_compute(pack, monkeypatch):
    docs = documents(pack)
    shared = [check_document(doc, pack) for doc in docs]
    assert {r["status"] for r in shared} >= {"fail"}
    assert any(f["rule"] == "target.below_minimum" for r in shared for f in r["findings"])
    assert any(f["rule"] == "budget.over_cap" for r in shared for f in r["findings"])
    assert any(f["rule"] == "language.not_chinese" for r in shared for f in r["findings"])
    assert any(f["rule"].startswith("length.") for r in shared for f in r["findings"])
    monkeypatch.setattr(Document, "checking", contextmanager(lambda self: (yield)))  # no views: all afresh
    fresh = [check_document(doc, pack) for doc in docs]
    assert shared == fresh


def test_views_live_only_while_checking_and_follow_the_blocks(pack):
    doc = Document(path="x.docx", format="docx", blocks=[Block("paragraph", "第一段"), Block("paragraph", "第二段")])
    check_document(doc, pack)
    assert "_views" not in vars(doc)  # dropped after the check
    doc.blocks[0].text = "改过的第一段"
    assert doc.body_text() == "改过的第一段\n第二段"  # outside a check: computed afresh
    with doc.checking():
        assert doc.body_text() == "改过的第一段\n第二段"
        doc.blocks.append(Block("paragraph", "第三段"))  # a changed block list drops the views
        assert doc.body_text().endswith("第三段")
        calls = []
        assert doc.derived(("n",), lambda: calls.append(1) or len(calls)) == 1
        assert doc.derived(("n",), lambda: calls.append(1) or len(calls)) == 1  # computed once
        with doc.checking():  # re-entrant: the inner scope keeps the outer's views
            assert doc.derived(("n",), lambda: 99) == 1
        assert doc.derived(("n",), lambda: 99) == 1
    assert "_views" not in vars(doc)


def test_a_pickled_document_carries_no_views(pack):
    import pickle
    doc = Document(path="x.docx", format="docx", blocks=[Block("paragraph", "正文")])
    with doc.checking():
        doc.body_text()
        copy = pickle.loads(pickle.dumps(doc))
    assert "_views" not in vars(copy) and copy.body_text() == "正文"
