"""`kcjs check a b c …`: the files share one long-lived reading child (as `kcjs audit`'s workers do) and a hostile
one costs only its own limit; `--annotate` marks the copy from the Document the check read (each file read once)."""
from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from kcjs.corpus.build import application
from kcjs.corpus.gen import docx_bytes, pdf_bytes
from kcjs.pipeline import readers
from kcjs.pipeline.cli import app

_READS: dict = {}


def _counted_read(path, limits=readers.Limits()):
    """read_document, and a line `pid<TAB>file name` in the log (appended from whichever process reads)."""
    with open(_READS["log"], "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\t{os.path.basename(str(path))}\n")
    return _READS["real"](path, limits)


@pytest.fixture
def reads(tmp_path, monkeypatch):
    """The reads made from now on (in this process or its forked children): [(pid, file name)] in order."""
    log = tmp_path / "reads.log"
    log.touch()
    _READS.update(log=str(log), real=readers.read_document)
    monkeypatch.setattr(readers, "read_document", _counted_read)

    def got() -> list[tuple[int, str]]:
        return [(int(p), n) for p, n in (line.split("\t") for line in log.read_text(encoding="utf-8").splitlines())]
    return got


def app_docx(pack, i: int) -> bytes:
    """A 学会联合体 申报书 of its own applicant (so no two files are the same)."""
    content = application(pack, pack.subprogram("society-consortium"), "compliant", "table")
    content[2].rows[0][1] = f"江苏省{'机械电子化工材料'[i % 8]}{i}工程学会"
    return docx_bytes(content, seal="inline")


def test_annotate_reads_each_file_once(pack, tmp_path, reads):
    """A .docx and a text PDF checked with --annotate: two copies written, and each file read once (the copy is
    marked from the Document the check read, not from a second reading)."""
    content = application(pack, pack.subprogram("academician-center"), "target-below", "table")
    (tmp_path / "甲.docx").write_bytes(docx_bytes(content))
    (tmp_path / "乙.pdf").write_bytes(pdf_bytes(content))
    out = tmp_path / "批注"
    r = CliRunner().invoke(app, ["check", str(tmp_path / "甲.docx"), str(tmp_path / "乙.pdf"), "--annotate", "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert sorted(p.name for p in out.iterdir()) == ["乙.kcjs批注.pdf", "甲.kcjs批注.docx"]
    assert sorted(n for _, n in reads()) == ["乙.pdf", "甲.docx"]
    one = tmp_path / "one"
    one.mkdir()
    (one / "丙.docx").write_bytes(docx_bytes(content))
    r = CliRunner().invoke(app, ["check", str(one / "丙.docx"), "--annotate", "-o", str(out)])
    assert r.exit_code == 1 and (out / "丙.kcjs批注.docx").is_file()
    assert [n for _, n in reads()].count("丙.docx") == 1


class _Checker:
    def __init__(self, fn):
        self.check = fn


def _hostile_by_name(doc, req):
    if "loop" in doc.path:
        while True:  # a parser loop: CPU, not sleep
            pass
    if "greedy" in doc.path:
        return [bytearray(8 * 2**30)]  # more than the child's address space
    return []


def test_files_share_one_reading_child_and_a_hostile_one_costs_only_its_own_limit(pack, tmp_path, monkeypatch, reads):
    """Six files in one `kcjs check`: the good ones before and after a looping and a memory-greedy one are all checked
    in a long-lived reading child (not one per file); the looping one ends as file.timeout, the greedy one as
    file.too_large, and the child is replaced after the timeout."""
    from kcjs.pipeline import check as check_mod
    monkeypatch.setattr(check_mod, "CHECKERS", [*check_mod.CHECKERS, _Checker(_hostile_by_name)])
    names = ["good1.docx", "good2.docx", "loop.docx", "good3.docx", "greedy.docx", "good4.docx"]
    for i, name in enumerate(names):
        (tmp_path / name).write_bytes(app_docx(pack, i))
    r = CliRunner().invoke(app, ["check", *(str(tmp_path / n) for n in names), "--format", "json", "--timeout", "8"])
    assert r.exit_code == 1, r.output
    results = {os.path.basename(x["file"]): x for x in json.loads(r.output)}
    assert all(results[n]["status"] != "error" for n in names if n.startswith("good")), r.output
    assert [f["rule"] for f in results["loop.docx"]["findings"]] == ["file.timeout"]
    assert [f["rule"] for f in results["greedy.docx"]["findings"]] == ["file.too_large"]
    pid = dict((n, p) for p, n in reads())
    assert sorted(pid) == sorted(names) and os.getpid() not in pid.values()  # each read once, never in this process
    assert pid["good1.docx"] == pid["good2.docx"] == pid["loop.docx"]  # one child served them
    assert pid["good3.docx"] == pid["greedy.docx"] == pid["good4.docx"] != pid["good1.docx"]  # a new one after the loop
