"""Seeded Chinese narrative for near-duplicate tests and benchmarks: each document its own sentences,
drawn from the notice's vocabulary with common domain phrases (so unrelated documents share words
and short phrases, as real ones do), and copies planted at a chosen share of a document's text."""
from __future__ import annotations

import random
import re
from functools import lru_cache

from kcjs.pipeline.packloader import DEFAULT_PACK

PHRASES = ("科技创新", "产学研合作", "高质量发展", "科技成果转化", "服务企业", "院士专家", "协同攻关", "学会联合体",
           "产业链", "创新链", "重点产业", "关键核心技术", "人才培养", "学术交流", "决策咨询", "科技服务", "平台建设",
           "组织保障", "经费保障", "绩效评估", "示范引领", "新质生产力", "数字化转型", "绿色低碳", "先进制造业")


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """2–4-character chunks of the notice's Han text (a pseudo-segmentation; deterministic)."""
    text = (DEFAULT_PACK.parent / "notice-2024.txt").read_text(encoding="utf-8")
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", text)
    rng = random.Random(7)
    words = set()
    for r in runs:
        i = 0
        while i < len(r) - 1:
            n = rng.choice((2, 2, 3, 4))
            if i + n <= len(r):
                words.add(r[i:i + n])
            i += n
    return tuple(sorted(words))


def sentence(rng: random.Random) -> str:
    words, vocab = [], vocabulary()
    for k in range(rng.randint(6, 14)):
        words.append(rng.choice(PHRASES) if rng.random() < 0.15 else rng.choice(vocab))
        if k and k % rng.randint(3, 6) == 0:
            words.append("，")
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.randint(2, 60)}{rng.choice('个项次家名场')}")
    return "".join(words).strip("，") + "。"


def paragraphs(seed: int, chars: int) -> list[str]:
    """About `chars` characters of narrative in paragraphs of 150–400 characters, fixed by `seed`."""
    rng = random.Random(seed)
    out, para, total = [], "", 0
    limit = rng.randint(150, 400)
    while total < chars:
        s = sentence(rng)
        para += s
        total += len(s)
        if len(para) >= limit:
            out.append(para)
            para, limit = "", rng.randint(150, 400)
    if para:
        out.append(para)
    return out


def planted(source: list[str], seed: int, share: float, chars: int) -> list[str]:
    """A narrative of about `chars` characters of which `share` is taken from `source` in 2–4 whole
    passages (runs of sentences), at random places, the rest its own."""
    rng = random.Random(seed)
    sents = [s + "。" for p in source for s in p.split("。") if s]
    n = rng.randint(2, 4)
    per, seg = max(1, int(chars * share) // n), max(1, len(sents) // n)
    pieces = []
    for k in range(n):  # one run per n-th of the source: the runs do not overlap
        region = sents[k * seg:(k + 1) * seg]
        lo = hi = rng.randrange(len(region))
        run = region[lo]
        while len(run) < per and (hi + 1 < len(region) or lo > 0):
            if hi + 1 < len(region):
                hi += 1
                run += region[hi]
            else:
                lo -= 1
                run = region[lo] + run
        pieces.append(run[:per + 40])
    own = paragraphs(seed + 1_000_003, max(0, chars - sum(map(len, pieces))))
    out = list(own)
    for p in pieces:
        out.insert(rng.randrange(len(out) + 1), p)
    return out
