"""The stamp corpus, counted: seals found, ring text right and false seals, per kind of case.

Every seal and distractor case the corpus builder makes (kcjs.corpus.build._stamp_cases), each red distractor of
kcjs.corpus.stamps (pen rings, ticks and highlighter too) alone and beside a real seal, and grey and
black-and-white rescans, read as `check` reads them. A seal case counts as found when a seal is read, its ring
text as exact when it is the applicant's name and as right when it matches that name (seal_name_ratio ≥
SEAL_MIN_RATIO); a false seal is any seal beyond the real ones.

Run: .venv/bin/python bench/bench_stamp_corpus.py
"""
from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path

from kcjs.checkers.names import SEAL_MIN_RATIO, seal_name_ratio
from kcjs.corpus import stamps as st
from kcjs.corpus.build import _stamp_cases, application
from kcjs.corpus.gen import pdf_bytes
from kcjs.pipeline.packloader import load_pack
from kcjs.pipeline.readers import read_bytes

APPLICANT = "江苏省机械工程学会"  # academician-center's applicant in the corpus, and the seal drawn by default


def main() -> None:
    pack = load_pack()
    s = pack.subprogram("academician-center")
    pdf = pdf_bytes(application(pack, s, "compliant", "table"))
    cases: list[tuple[str, bytes, int]] = []  # (kind, file bytes, real seals in it)
    with tempfile.TemporaryDirectory() as tmp:
        for it in _stamp_cases(pack, Path(tmp), scans=3):
            if it.subprogram != s.id or it.note.startswith(("e-seal", "tampered", "empty field")):
                continue
            data = (Path(tmp) / it.file).read_bytes()
            kind = it.note.replace("distractor=", "distractor: ").replace("distractor+seal=", "seal beside: ")
            kind = "square seal (no ring)" if "square" in it.file else kind
            real = 0 if it.note.startswith(("no seal", "distractor=")) else 1
            cases.append((f"{kind} ({Path(it.file).suffix[1:]})", data, real))
    for kind in ("pen-circle", "pen-tick", "highlighter"):
        for seed in range(3):
            cases.append((f"distractor: {kind}", st.add_distractor(pdf, kind, seed=seed), 0))
            cases.append((f"seal beside: {kind}", st.add_seal(st.add_distractor(pdf, kind, seed=seed)), 1))
    for mode in ("grey", "bw"):
        cases.append((f"{mode} rescan, seal", st.rescan(st.add_seal(pdf), mode=mode), 1))
        cases.append((f"{mode} rescan, no seal", st.rescan(pdf, mode=mode), 0))
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # files, seals, found, exact, right, false
    for kind, data, real in cases:
        seals = read_bytes("x" + (".docx" if kind.endswith("(docx)") else ".pdf"), data).seals
        r = rows[kind]
        r[0] += 1
        r[1] += real
        texts = [x.text for x in seals]
        if real:
            r[2] += bool(seals)
            ring = "square" not in kind
            r[3] += APPLICANT in texts if ring else 0
            r[4] += any(t and seal_name_ratio(t, APPLICANT) >= SEAL_MIN_RATIO for t in texts) if ring else 0
        r[5] += max(0, len(seals) - real)
    print("\nfound: seals found / real seals; exact, right: ring text exactly the applicant's / matching it, of the"
          "\nround and oval seals; false seals: seals found beyond the real ones / files")
    print(f"{'case':<36}{'found':>8}{'exact':>8}{'right':>8}{'false seals':>13}")
    total = [0] * 7
    for kind, (n, real, found, exact, right, false) in rows.items():
        rings = 0 if "square" in kind else real
        total = [a + b for a, b in zip(total, (n, real, found, exact, right, false, rings))]
        print(f"{kind:<36}{(f'{found}/{real}' if real else '-'):>8}{(f'{exact}/{rings}' if rings else '-'):>8}"
              f"{(f'{right}/{rings}' if rings else '-'):>8}{f'{false}/{n}':>13}")
    n, real, found, exact, right, false, rings = total
    print(f"{'all':<36}{f'{found}/{real}':>8}{f'{exact}/{rings}':>8}{f'{right}/{rings}':>8}{f'{false}/{n}':>13}")


if __name__ == "__main__":
    main()
