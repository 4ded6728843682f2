"""Start-up: `kcjs check FILE` as a person runs it (a new process), CPU (user + system) of the whole process
tree (the reading child included), against a fresh process reading the same file at the floor (bench_read.py)
and, with --against REF, against git revision REF's kcjs (same interpreter and packages); runs interleaved,
the median of each. Then the peak PSS of each one's whole process tree (one run each).

    .venv/bin/python bench/bench_startup.py [--against REF] [--repeat N]

Files: a .docx without images, the same with a seal image (OpenCV + RapidOCR read its ring), a text PDF.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from timing import env_for, peak_tree_pss_mib, quick, run_cpu, tree_at
from bench_read import FLOOR_SCRIPT


def files(out: Path) -> dict[str, Path]:
    from kcjs.corpus.build import application
    from kcjs.corpus.gen import docx_bytes, pdf_bytes
    from kcjs.pipeline.packloader import load_pack
    pack = load_pack()
    body = application(pack, pack.subprogram("academician-center"), "compliant", "table")
    made = {"docx, no image": ("plain.docx", docx_bytes(body)),
            "docx, seal image": ("sealed.docx", docx_bytes(body, seal="inline")),
            "text PDF, seal": ("text.pdf", pdf_bytes(body, seal_on_stamp_line=True, border_lines=True))}
    for name, data in made.values():
        (out / name).write_bytes(data)
    return {label: out / name for label, (name, _) in made.items()}


def main(against: str | None, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tree_at(against, tmp / "base") if against else None
        kcjs = [sys.executable, "-m", "kcjs", "check", "--format", "json"]
        print(f"\n`kcjs check FILE` start-up: CPU s of the process tree, median of {repeat} interleaved runs")
        head = f"{'file':<20}{'floor':>8}{'kcjs':>8}{'kcjs/floor':>12}"
        if base:
            head += f"{against[:10]:>12}{'kcjs/' + against[:10]:>18}"
        print(head)
        for label, path in files(tmp).items():
            kind = "pdf" if path.suffix == ".pdf" else "docx"
            runs = {"floor": lambda: run_cpu([sys.executable, "-c", FLOOR_SCRIPT[kind], str(path)]),
                    "kcjs": lambda: run_cpu(kcjs + [str(path)], env=env_for(None), cwd=tmp)}
            if base:
                runs["base"] = lambda: run_cpu(kcjs + [str(path)], env=env_for(base), cwd=tmp)
            got: dict[str, list[float]] = {k: [] for k in runs}
            names = list(runs)
            for r in range(repeat):
                for k in names[r % len(names):] + names[:r % len(names)]:
                    got[k].append(runs[k]())
            med = {k: statistics.median(v) for k, v in got.items()}
            line = f"{label:<20}{med['floor']:>8.2f}{med['kcjs']:>8.2f}{med['kcjs'] / med['floor']:>11.1f}×"
            if base:
                line += f"{med['base']:>12.2f}{med['kcjs'] / med['base']:>17.2f}×"
            print(line)
            mem = {"floor": peak_tree_pss_mib([sys.executable, "-c", FLOOR_SCRIPT[kind], str(path)])[0],
                   "kcjs": peak_tree_pss_mib(kcjs + [str(path)], env=env_for(None), cwd=tmp)[0]}
            line = f"{'  peak PSS, MiB':<20}{mem['floor']:>8.0f}{mem['kcjs']:>8.0f}{mem['kcjs'] / mem['floor']:>11.1f}×"
            if base:
                mem["base"] = peak_tree_pss_mib(kcjs + [str(path)], env=env_for(base), cwd=tmp)[0]
                line += f"{mem['base']:>12.0f}{mem['kcjs'] / mem['base']:>17.2f}×"
            print(line)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--against", help="a git revision to compare with (e.g. main, a commit)")
    ap.add_argument("--repeat", type=int, default=3 if quick() else 5)
    a = ap.parse_args()
    main(a.against, a.repeat)
