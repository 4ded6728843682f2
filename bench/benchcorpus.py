"""The corpus the benchmarks read: `kcjs eval`'s labelled corpus (kcjs.corpus.build: every subprogram's
申报书 and deliverables as .docx and text PDF, tables ruled or drawn with lines, seal images, signed and
tampered PDFs, real-client layouts), built once into build/bench-corpus (about 20 s CPU) and reused.
Scans are left out: OCR is measured apart (bench_read.py without --quick)."""
from __future__ import annotations

from pathlib import Path

from timing import ROOT

CORPUS = ROOT / "build" / "bench-corpus"


def corpus(out: Path = CORPUS) -> Path:
    """The built corpus folder (built now if it is not there)."""
    if not (out / "labels.json").is_file():
        from kcjs.corpus.build import build
        print(f"(building the corpus into {out.relative_to(ROOT)} once)", flush=True)
        build(out, scans=0)
    return out


def text_files(folder: Path) -> dict[str, list[Path]]:
    """{"docx": [...], "pdf": [...]}: the .docx files python-docx opens and the PDFs whose every page has a
    text layer (bad files, converted formats, scanned or outlined pages left out), sorted by name."""
    import pymupdf

    from kcjs.pipeline.readers import sniff
    out: dict[str, list[Path]] = {"docx": [], "pdf": []}
    for f in sorted(folder.iterdir()):
        if f.suffix not in (".docx", ".pdf"):
            continue
        data = f.read_bytes()
        kind = sniff(data)
        if kind != f.suffix[1:]:
            continue
        if kind == "docx":  # the floor is python-docx: files it cannot open (ISO Strict …) have no floor
            import docx
            try:
                docx.Document(str(f))
            except Exception:
                continue
        if kind == "pdf":
            try:
                pages = list(pymupdf.open(stream=data, filetype="pdf"))
            except Exception:
                continue
            if not pages or any(len(p.get_text().strip()) < 20 for p in pages):
                continue
        out[kind].append(f)
    return out


def sample(files: list[Path], n: int) -> list[Path]:
    """n files spread evenly over the sorted list (every subprogram and layout, not the first n)."""
    if n >= len(files):
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]
