"""Ring-text accuracy of the seal reader on seals drawn here: fonts (fonts-noto-cjk and PyMuPDF's CJK font),
wear, rotation, partial overlap with print, round and oval, 100–300 dpi.

Each seal is stamped (multiplied, as ink over toner) over lines of print on a page rendered at the dpi,
JPEG-compressed, then searched and read as a scanned page is. Prints x/N: seals found, ring text read
exactly, and the name decision right (the seal matches its own unit and not another unit of the list).

Run: .venv/bin/python bench/bench_ring_text.py [N]
"""
from __future__ import annotations

import itertools
import random
import sys

from kcjs.checkers.names import SEAL_MIN_RATIO, seal_name_ratio
from kcjs.corpus.build import UNIT_NAMES
from kcjs.corpus.stamps import FONTS, stamped_over_print
from kcjs.pipeline.seals import find_seals

NAMES = sorted(set(UNIT_NAMES.values()) | {"中国机械工程学会", "江苏省示例产业技术创新学会", "江苏省电子学会"})


def main(n: int) -> None:
    rng = random.Random(7)
    combos = list(itertools.product(FONTS, (100, 150, 200, 300), (0.0, 0.25, 0.4), (0, 25, 70, 160), ("round", "oval")))
    rng.shuffle(combos)
    tally = {shape: [0, 0, 0, 0] for shape in ("round", "oval")}  # seals, found, exact, decided
    misses = []
    for k, (font, dpi, wear, angle, shape) in enumerate(combos[:n]):
        name = NAMES[k % len(NAMES)]
        seals = find_seals(stamped_over_print(name, dpi, font, wear, angle, shape, k), dpi)
        text = seals[0].text if seals else None
        other = NAMES[(k + 1) % len(NAMES)]
        ok = bool(text) and seal_name_ratio(text, name) >= SEAL_MIN_RATIO and seal_name_ratio(text, other) < SEAL_MIN_RATIO
        t = tally[shape]
        t[0] += 1
        t[1] += bool(seals)
        t[2] += text == name
        t[3] += ok
        if text != name:
            misses.append(f"  {font:<10} {dpi:>3} dpi wear {wear:.2f} {angle:>3}° {shape:<5} {name} -> {text}")
    print(f"\nRing text on {n} drawn seals (fonts {', '.join(FONTS)}; 100–300 dpi; wear; rotation; over print)")
    rows = [*tally.items(), ("all", [sum(t[i] for t in tally.values()) for i in range(4)])]
    for shape, (m, found, exact, decided) in rows:
        print(f"{shape:<6} seals found {found}/{m}; ring text exact {exact}/{m}; name decision right {decided}/{m}")
    print("\n".join(misses))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
