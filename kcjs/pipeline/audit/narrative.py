"""Near-duplicate narratives across submissions and across years (`dup.narrative`).

A checked document keeps its text units (paragraphs and table cells as written, with their places),
the names removed from it, its shingle hashes and a MinHash signature in the result store (`capture`,
in the worker). The batch then compares documents without re-reading any file (`check`): MinHash
LSH (datasketch) proposes candidate pairs, the exact Jaccard of the shingle sets decides, and a
sequence matcher (difflib, over shingle sequences) finds the longest shared passages.

Normalised text = Han characters and letters only (NFKC-folded, lower case); numbers and the applicant's names are
removed. Template wording proves no copying and is known without comparing documents (`Template`): a shingle made only
of characters our forms or the notice print (a shingle of theirs covers the character, or the character's whole text
unit is one of their texts, such as a table label) is left out, also across units (label cell, next label cell), so a
batch of two forms filled from one blank template shares no template text. Text that nearly all compared documents
share (80 %, at least 5) is common text, not copying between two.
"""
from __future__ import annotations

import json
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np

from kcjs.checkers.registry import rule

DUP = rule("dup.narrative", "warning", "不同申报单位的材料正文大段重合，或与往年材料重合（疑似抄袭或重复申报）")

SHINGLE = 6           # characters per shingle (Han characters and letters, after normalising)
NUM_PERM = 256        # MinHash permutations
LSH_PARAMS = (128, 2)  # bands × rows: a pair at Jaccard 0.18 becomes a candidate with p ≈ 0.985
THRESHOLD = 0.15      # default: report a pair whose shingle Jaccard is at least this
COMMON_SHARE = 0.8    # a shingle in at least this share of the compared documents (and ≥ COMMON_MIN) is common text
COMMON_MIN = 5
GAP = 2               # characters: a run this short between template wording is template too (a form's 制, 人, 是)
SAME_TEXT = 0.8       # this batch's documents at least this close form one group (3+ applicants: one finding)
MIN_SHARED = 100      # shingles (≈ characters) two narratives must share to be a pair at all
PASSAGES = 3          # longest shared passages shown per pair
MIN_PASSAGE = 12      # normalised characters: shorter shared runs are not shown
QUOTE = 300           # characters of a passage kept in the report
SCHEME = f"kcjs-neardup-3 k={SHINGLE} perm={NUM_PERM} affine32 quarter template-chars"  # how stored signatures were made
_BASE = np.uint32(1_000_003)
_COUNTER_BITS = 22    # fixed-size document-frequency counter: memory does not grow with the batch

_NUMBER = re.compile(r"[0-9][0-9.,，．%％]*|[〇零一二两三四五六七八九十百千万亿]+(?=[个项次家名人场篇份批期届年月日元])"
                     r"|[〇零一二两三四五六七八九十百千]{2,}"
                     r"|[一二三四五六七八九十]+(?=[、．.])|(?<=[（(])[一二三四五六七八九十]+(?=[)）])")  # list ordinals: 六、（三）
_PREFIX = re.compile(r"^(江苏省|江苏|省)")


# --- text units and names (worker side) ----------------------------------------------------------

def text_units(doc) -> list[dict]:
    """The body's text units in order: each paragraph or heading, and each distinct table cell, with its
    place ({page?, section?, paragraph | table+cell}, counted from 0 as findings' locations) and text."""
    units, para_n, table_n, section = [], 0, 0, None
    for b in doc.blocks:
        if b.type in ("paragraph", "heading"):
            text = (b.text or "").strip()
            if b.type == "heading" and text:
                section = re.sub(r"^[（(]?[一二三四五六七八九十0-9]+[)）、.．]\s*", "", text)[:30]
            if text:
                units.append({"place": _place(b.page, section, paragraph=para_n), "text": text})
            para_n += 1
        elif b.type == "table":
            for r, row in enumerate(b.rows or []):
                for c, cell in enumerate(row):
                    if (r, c) in b.copies or not cell or not cell.strip():
                        continue
                    units.append({"place": _place(b.page, section, table=table_n, cell=[r, c]), "text": cell.strip()})
            table_n += 1
    return units


def _place(page, section, **where) -> dict:
    out = {"page": page} if page else {}
    if section:
        out["section"] = section
    return {**out, **where}


def name_variants(names) -> list[str]:
    """Each name as written and without a 江苏省/江苏/省 prefix, longest first (≥ 2 characters)."""
    out = set()
    for n in names:
        n = unicodedata.normalize("NFKC", n or "").strip()
        for v in (n, _PREFIX.sub("", n), re.sub(r"\s+", "", n)):
            if len(v) >= 2:
                out.add(v)
    return sorted(out, key=lambda v: (-len(v), v))


def names_of(doc, result: dict) -> list[str]:
    """Names of the applicant the check found in the document: the 申报书's applicant field, or the
    unit that signs a deliverable (落款). The batch adds the manifest's or folder's name."""
    from kcjs.pipeline.check import signer
    return name_variants(n for n in ((result.get("metrics") or {}).get("applicant_name"), signer(doc)) if n)


# --- normalising and shingling -----------------------------------------------------------------------

@dataclass
class Normalised:
    """A document's normalised text and, for each of its characters, the unit and offset it came from."""
    chars: str
    unit: np.ndarray    # int32
    offset: np.ndarray  # int32, in the unit's text as stored


@lru_cache(maxsize=1)
def _fold() -> dict[int, str]:
    """One-to-one NFKC folds that matter for kept characters: full-width forms (Ａ → a, ０ → 0),
    compatibility ideographs and radicals; lower case. Length-preserving, so offsets stay exact."""
    table = {}
    for lo, hi in ((0xFF01, 0xFF5E), (0xF900, 0xFAFF), (0x2F00, 0x2FDF), (0x2E80, 0x2EFF), (0x41, 0x5A)):
        for c in range(lo, hi + 1):
            n = unicodedata.normalize("NFKC", chr(c)).lower()
            if len(n) == 1 and n != chr(c):
                table[c] = n
    return table


def _kept(cp: np.ndarray) -> np.ndarray:
    return (((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x3400) & (cp <= 0x4DBF)) | ((cp >= 0x20000) & (cp <= 0x3134F))
            | ((cp >= 0xF900) & (cp <= 0xFAFF)) | ((cp >= 0x61) & (cp <= 0x7A)))


def normalise(units: list[dict], names: list[str]) -> Normalised:
    """Han characters and letters of the units (folded as NFKC), without numbers and the given names."""
    fold = _fold()
    variants = [v.translate(fold) for v in name_variants(names)]
    texts = [u["text"].translate(fold) for u in units]
    starts = np.cumsum([0] + [len(t) + 1 for t in texts])  # units joined by "\n", which is never kept
    text = "\n".join(texts)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    keep = _kept(cp)
    for rx in ((re.compile("|".join(re.escape(v) for v in variants)) if variants else None), _NUMBER):
        if rx is not None:
            for m in rx.finditer(text):
                keep[m.start():m.end()] = False
    pos = np.flatnonzero(keep)
    unit = (np.searchsorted(starts, pos, side="right") - 1).astype(np.int32)
    return Normalised(cp[pos].tobytes().decode("utf-32-le"), unit, (pos - starts[unit]).astype(np.int32))


def shingle_hashes(chars: str) -> np.ndarray:
    """32-bit hash of every SHINGLE-character window, in order (uint32; polynomial in code points)."""
    if len(chars) < SHINGLE:
        return np.zeros(0, dtype=np.uint32)
    cp = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
    h = np.zeros(len(cp) - SHINGLE + 1, dtype=np.uint32)
    for j in range(SHINGLE):
        h = h * _BASE + cp[j:len(cp) - SHINGLE + 1 + j]
    return h


@dataclass(frozen=True, eq=False)
class Template:
    """What our forms and the notice print, normalised: `hashes`, the sorted unique shingle hashes (uint32) of the
    notice and of every template text; `phrases`, every template text whole (table labels shorter than a shingle)."""
    hashes: np.ndarray
    phrases: frozenset

    def __len__(self) -> int:
        return len(self.hashes)


@lru_cache(maxsize=4)
def stop_hashes(pack_key: tuple) -> Template:
    """The template wording of a pack (see `Template`): the notice and `template_texts`."""
    pack, pack_path = pack_key[0].pack, pack_key[1]
    texts = {normalise([{"text": t}], []).chars for t in template_texts(pack)}
    texts.discard("")
    notice = _notice_text(pack, pack_path)
    parts = [shingle_hashes(t) for t in texts] + ([shingle_hashes(normalise([{"text": notice}], []).chars)] if notice else [])
    hashes = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint32)
    return Template(hashes, frozenset(texts))


@lru_cache(maxsize=4)
def _short_phrases(stop: Template):
    """One pattern for the template texts of 3 to SHINGLE-1 characters (labels such as 项目类别, 年月日), longest
    first; None when there are none. Longer texts are found by their shingles; shorter ones (单位, 建议: words of any
    narrative) only as a whole text unit."""
    short = sorted((p for p in stop.phrases if 3 <= len(p) < SHINGLE), key=lambda p: (-len(p), p))
    return re.compile("|".join(map(re.escape, short))) if short else None


def template_mask(n: Normalised, h: np.ndarray, stop: Template) -> np.ndarray:
    """For each shingle of `n` (`h`, in order): True when every one of its characters is template wording: it lies in
    a shingle of `stop.hashes`, in a text unit whose whole normalised text is one of `stop.phrases`, in a short phrase
    (`_short_phrases`), or in a run of at most GAP other characters between template wording."""
    size = len(n.chars)
    if not len(h):
        return np.zeros(0, dtype=bool)
    edge = np.zeros(size + 1, dtype=np.int32)
    starts = np.flatnonzero(np.isin(h, stop.hashes)) if len(stop.hashes) else np.zeros(0, dtype=np.int64)
    np.add.at(edge, starts, 1)
    np.add.at(edge, starts + SHINGLE, -1)
    covered = np.cumsum(edge[:-1]) > 0
    if stop.phrases:
        cuts = np.flatnonzero(n.unit[1:] != n.unit[:-1]) + 1
        for a, b in zip(np.concatenate(([0], cuts)).tolist(), np.concatenate((cuts, [size])).tolist()):
            if not covered[a:b].all() and n.chars[a:b] in stop.phrases:
                covered[a:b] = True
        short = _short_phrases(stop)
        if short is not None:
            for m in short.finditer(n.chars):
                covered[m.start():m.end()] = True
    edges = np.diff(np.concatenate(([1], covered.view(np.int8), [1])))
    for a, b in zip(np.flatnonzero(edges == -1).tolist(), np.flatnonzero(edges == 1).tolist()):
        if 0 < a and b < size and b - a <= GAP:  # 制 after 江苏省科学技术协会, a table's unit 人, 是
            covered[a:b] = True
    open_ = np.concatenate(([0], np.cumsum(~covered)))
    return (open_[SHINGLE:] - open_[:-SHINGLE]) == 0


class _PackRef:
    """Hashable by identity, so a loaded pack can key the stop-set cache."""

    def __init__(self, pack) -> None:
        self.pack = pack

    def __hash__(self) -> int:
        return id(self.pack)

    def __eq__(self, other) -> bool:
        return isinstance(other, _PackRef) and other.pack is self.pack


def stop_set(pack, pack_path: str | None = None) -> Template:
    return stop_hashes((_PackRef(pack), str(pack_path) if pack_path else None))


def _notice_text(pack, pack_path: str | None) -> str:
    from kcjs.pipeline.packloader import DEFAULT_PACK
    name = pack.program.notice_file
    if not name:
        return ""
    for folder in ([Path(pack_path).parent] if pack_path else []) + [DEFAULT_PACK.parent]:
        p = folder / name
        if p.is_file():
            return "".join(p.read_text(encoding="utf-8", errors="replace").split())
    return ""


def template_texts(pack):
    """Every text our forms print: the templates' fixed wording and each subprogram's prompts, notes,
    requirements, section and field names, blank and as filled from the example data file (`kcjs template
    --data-example`) (kcjs/templates/*.docx, kcjs/pipeline/forms.py, kcjs/pipeline/form_data.py)."""
    import zipfile

    from kcjs.pipeline import forms
    from kcjs.pipeline.form_data import example_row, row_values
    for name in ("application.docx", "deliverable.docx"):
        try:
            with zipfile.ZipFile(forms.TEMPLATES / name) as z:
                xml = z.read("word/document.xml").decode("utf-8", "replace")
        except (OSError, KeyError, zipfile.BadZipFile):
            continue
        for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
            text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para))
            yield re.sub(r"\{[{%].*?[%}]\}", "", text)
    for kind in pack.document_kinds:
        for s in kind.sections:
            yield s.name
            yield from s.synonyms
        for f in getattr(kind, "fields", ()) or ():
            yield f.name
    for sub in pack.subprograms:
        for d in sub.directions or [None]:
            try:
                yield from _strings(forms.application_context(pack, sub, d, None))
            except Exception:  # noqa: BLE001  (a pack the forms cannot render still gets compared)
                pass
        try:
            _, d, example = row_values(pack, example_row(pack, sub))
            yield from _strings(forms.application_context(pack, sub, d, example))
        except Exception:  # noqa: BLE001
            pass
        for dl in sub.deliverables:
            try:
                yield from _strings(forms.deliverable_context(pack, sub, dl.kind, None))
            except Exception:  # noqa: BLE001
                pass


def _strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _strings(v)
    elif hasattr(x, "model_dump"):
        yield from _strings(x.model_dump())


def shingle_set(units: list[dict], names: list[str], stop: Template) -> np.ndarray:
    """Sorted unique shingle hashes of the normalised units, without those made only of template wording (`stop`)."""
    n = normalise(units, names)
    h = shingle_hashes(n.chars)
    return np.unique(h[~template_mask(n, h, stop)]) if len(h) else h


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash (datasketch, NUM_PERM permutations, affine32) of a set of shingle hashes (uint32), taken
    over a fixed quarter of the shingles (the same quarter in every document, chosen by a mixed hash):
    the sampled sets' Jaccard estimates the full one; pairs are then decided on the full sets."""
    m = _empty_minhash().copy()
    sample = hashes[(hashes * np.uint32(0x9E3779B1)) >> np.uint32(30) == 0] if len(hashes) >= 400 else hashes
    if len(sample):
        m.update_batch(sample.tolist())
    return m.hashvalues


@lru_cache(maxsize=1)
def _empty_minhash():
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)


def capture(doc, result: dict, pack, pack_path: str | None = None) -> dict | None:
    """What a checked document keeps for comparison (stored beside its result, not in it): text units,
    names removed, shingle hashes and MinHash signature. None when it has no text."""
    if not getattr(doc, "readable", True):
        return None
    try:
        units = text_units(doc)
        if not units:
            return None
        names = names_of(doc, result)
        hashes = shingle_set(units, names, stop_set(pack, pack_path))
        return {"scheme": SCHEME, "units": units, "names": names, "hashes": hashes, "signature": signature(hashes)}
    except Exception:  # noqa: BLE001  (a bug here costs the comparison of one document, never its check)
        return None


def open_against(path: Path, out: Path):
    """The result store of an earlier audit: its kcjs-cache.sqlite, or the folder (its -o) holding one.
    Raises LookupError (in Chinese) when there is none or it lists no audited files."""
    from kcjs.pipeline.audit.store import Store
    path = Path(path)
    db = path / "kcjs-cache.sqlite" if path.is_dir() else path
    if not db.is_file():
        raise LookupError(f"--against：{path} 中没有往年审核的结果库 kcjs-cache.sqlite（先用 kcjs audit 往年材料 -o {path} 审核一次）")
    if db.resolve() == (out / "kcjs-cache.sqlite").resolve():
        raise LookupError("--against 不能指向本次审核的输出目录")
    store = Store(db)
    if not store.audited():
        store.close()
        raise LookupError(f"--against：{db} 中没有记录审核过的文件（请用当前版本的 kcjs 重新审核往年材料）")
    return store


def pack_row(n: dict) -> tuple:
    """A captured narrative as store columns (scheme, units, names, hashes, signature): compressed blobs."""
    return (n["scheme"], zlib.compress(json.dumps(n["units"], ensure_ascii=False).encode("utf-8"), 1),
            json.dumps(n["names"], ensure_ascii=False), zlib.compress(np.asarray(n["hashes"], np.uint32).tobytes(), 1),
            np.asarray(n["signature"], np.uint32).tobytes())


def unpack_row(row) -> dict:
    """Store columns back to a narrative; `units` None (not read) when the row left them out."""
    scheme, units, names, hashes, sig = row
    return {"scheme": scheme, "units": json.loads(zlib.decompress(units)) if units is not None else None,
            "names": json.loads(names),
            "hashes": np.frombuffer(zlib.decompress(hashes), dtype=np.uint32),
            "signature": np.frombuffer(sig, dtype=np.uint32)}


# --- comparing (parent side) -------------------------------------------------------------------------

@dataclass
class Item:
    """One document to compare: its file(s), applicant and where its narrative is stored."""
    files: list[str]
    applicant: str
    key: str                  # normalised applicant (tables.applicant_key)
    store_key: str
    source: object            # the Store its narrative is in
    year: str = ""            # "" for this batch, else a label for an earlier audit ("往年")
    names: list[str] = field(default_factory=list)  # extra names to remove (manifest, folder)
    group: int = 0            # > 0: stands for a group of this many near-identical documents (collapse)
    group_of: Item | None = None  # for a group's own finding: the group's first member, on the other side
    fixed: np.ndarray | None = None  # shingle hashes recomputed here (names the store lacked, an older scheme)
    sig: np.ndarray | None = None
    size: int = 0


def _load(item: Item, stop: Template) -> np.ndarray | None:
    """The item's shingle hashes from the store (recomputed from its text units when the batch knows a
    name the document did not give, or the store's scheme is older); sets its signature. None: no text."""
    n = item.source.narrative(item.store_key, units=False)
    if n is None:
        return None
    extra = [v for v in name_variants(item.names) if v not in n["names"]]
    if extra or n["scheme"] != SCHEME:
        n = item.source.narrative(item.store_key)
        extra = [v for v in extra if any(v in u["text"] for u in n["units"])]
    if extra or n["scheme"] != SCHEME:
        item.fixed = shingle_set(n["units"], n["names"] + extra, stop)
        item.sig = signature(item.fixed)
        return item.fixed
    item.sig = n["signature"]
    return n["hashes"]


def _hashes(item: Item, common: np.ndarray) -> np.ndarray:
    h = item.fixed if item.fixed is not None else item.source.narrative(item.store_key, units=False)["hashes"]
    return h[~np.isin(h, common, assume_unique=True)] if len(common) else h


def common_hashes(hashes, n_items: int) -> np.ndarray:
    """Shingle hashes that at least COMMON_SHARE of the items (and ≥ COMMON_MIN) contain: common text.
    `hashes()` yields each item's hashes (called twice at most); a fixed-size counter (2^22 buckets)
    finds the candidates, so memory does not grow with the number of documents."""
    need = max(COMMON_MIN, int(np.ceil(COMMON_SHARE * n_items)))
    if n_items < need:
        return np.zeros(0, dtype=np.uint32)
    mask = np.uint32((1 << _COUNTER_BITS) - 1)
    counter = np.zeros(1 << _COUNTER_BITS, dtype=np.uint32)
    for h in hashes():
        counter[h & mask] += 1  # fancy-index increment: a bucket counts once per document
    hot = counter >= need
    del counter
    if not hot.any():
        return np.zeros(0, dtype=np.uint32)
    found = [h[hot[h & mask]] for h in hashes()]
    cand, counts = np.unique(np.concatenate(found), return_counts=True) if found else (np.zeros(0, np.uint32), [])
    return cand[counts >= need]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _shared(a: np.ndarray, b: np.ndarray, j: float) -> float:
    """Size of the intersection of two sets from their sizes and Jaccard."""
    return j * (len(a) + len(b)) / (1 + j)


LSH_CHUNK = 16  # bands indexed at a time: the index of a chunk is dropped before the next is built


def candidates(items: list[Item]) -> set[tuple[int, int]]:
    """Pairs of items (indices) sharing a bucket in some band of MinHash LSH (datasketch, LSH_PARAMS),
    built LSH_CHUNK bands at a time so the index never holds all bands of every document at once."""
    from datasketch import LeanMinHash, MinHashLSH
    bands, rows = LSH_PARAMS
    out: set[tuple[int, int]] = set()
    for c0 in range(0, bands, LSH_CHUNK):
        nb = min(LSH_CHUNK, bands - c0)
        lsh = MinHashLSH(num_perm=nb * rows, params=(nb, rows))
        with lsh.insertion_session() as session:
            for i, it in enumerate(items):
                if it.size:
                    part = it.sig[c0 * rows:(c0 + nb) * rows]
                    session.insert(i, LeanMinHash(seed=1, hashvalues=part, scheme="affine32"), check_duplication=False)
        for table in lsh.hashtables:
            for bucket in table.keys():
                members = table.get(bucket)
                if len(members) > 1:
                    members = sorted(members)
                    out.update((members[x], members[y]) for x in range(len(members)) for y in range(x + 1, len(members)))
        del lsh
    return out


def pairs(items: list[Item], threshold: float, stop: Template) -> tuple[list[tuple[Item, Item, float]], np.ndarray]:
    """Pairs of items (at least one of this batch) whose shingle Jaccard is ≥ threshold, best first, and
    the common shingles left out. Pairs within one applicant of this batch are its own reuse, not copying.
    Only signatures stay in memory; shingle sets are read from the store when a pair needs them."""
    loaded = []
    for it in items:
        h = _load(it, stop)
        if h is not None:
            it.size = len(h)
            loaded.append(it)
    items = loaded
    common = common_hashes(lambda: (_hashes(it, np.zeros(0, np.uint32)) for it in items), len(items))
    if len(common):
        for it in items:
            kept = _hashes(it, common)
            if len(kept) < 0.95 * it.size:  # a little common text barely moves the estimate: keep the signature
                it.sig = signature(kept)
            it.size = len(kept)
    cache: dict[int, np.ndarray] = {}

    def hashes_of(i: int) -> np.ndarray:
        h = cache.get(i)
        if h is None:
            if len(cache) >= 256:
                cache.pop(next(iter(cache)))
            h = cache[i] = _hashes(items[i], common)
        return h

    out = []
    for i, j in sorted(candidates(items)):
        a, b = items[i], items[j]
        if a.year and b.year or (not a.year and not b.year and a.key and a.key == b.key):
            continue
        if a.year:
            a, b, i, j = b, a, j, i
        ha, hb = hashes_of(i), hashes_of(j)
        j_exact = jaccard(ha, hb)
        if j_exact >= threshold and _shared(ha, hb, j_exact) >= MIN_SHARED:
            out.append((a, b, j_exact))
    out.sort(key=lambda p: (-p[2], p[0].files[0], p[1].files[0]))
    return out, common


def passages(a: dict, b: dict, names_a: list[str], names_b: list[str], stop: Template, common: np.ndarray,
             top: int = PASSAGES) -> list[dict]:
    """The `top` longest passages two narratives share, longest first: where each starts and ends in
    each document, and its text there. Aligned with difflib's SequenceMatcher over the shingle
    sequences (shingles the other text lacks folded into one gap marker per gap), order-free: each
    passage found is masked before the next is sought; a shared run made only of ignored shingles
    (template, notice, common text) is skipped, and one that has some is shown without those at its ends."""
    na, nb = normalise(a["units"], names_a), normalise(b["units"], names_b)
    ha, hb = shingle_hashes(na.chars), shingle_hashes(nb.chars)
    counted = ~template_mask(na, ha, stop)
    if len(common):
        counted &= ~np.isin(ha, common)
    sa, ia = _folded(ha, np.isin(ha, hb), -1)
    sb, ib = _folded(hb, np.isin(hb, ha), -(1 << 40))
    sm = SequenceMatcher(None, sa, sb, autojunk=False)
    found, used_b = [], []
    for _ in range(6 * top):
        m = sm.find_longest_match(0, len(sa), 0, len(sb))
        if m.size == 0 or m.size + SHINGLE - 1 < MIN_PASSAGE:
            break
        i0, j0 = int(ia[m.a]), int(ib[m.b])
        fresh = all(j0 + m.size <= u0 or j0 >= u1 for u0, u1 in used_b)
        own = np.flatnonzero(counted[i0:i0 + m.size])
        if fresh and len(own) + SHINGLE - 1 >= MIN_PASSAGE:
            lo = int(own[0])  # shown without the template wording at its ends
            length = int(own[-1]) + 1 - lo + SHINGLE - 1
            found.append({"length": length, "left": _span(a["units"], na, i0 + lo, i0 + lo + length),
                          "right": _span(b["units"], nb, j0 + lo, j0 + lo + length)})
            used_b.append((j0, j0 + m.size))
            if len(found) == top:
                break
        sa[m.a:m.a + m.size] = [-1 - (1 << 20) - k for k in range(m.a, m.a + m.size)]  # matches nothing again
        sm.set_seq1(sa)
    return sorted(found, key=lambda p: -p["length"])


def _folded(h: np.ndarray, shared: np.ndarray, tag: int) -> tuple[list, np.ndarray]:
    """The shared shingles in order, each run of unshared ones replaced by one unique marker; and, for
    each item kept, its index in `h` (markers: -1)."""
    keep = shared | np.concatenate(([True], shared[:-1])) if len(h) else shared
    idx = np.flatnonzero(keep)
    seq = [int(v) if s else tag - k for k, (v, s) in enumerate(zip(h[idx].tolist(), shared[idx].tolist()))]
    return seq, np.where(shared[idx], idx, -1)


def _span(units: list[dict], n: Normalised, start: int, end: int) -> dict:
    """A passage [start, end) of normalised characters as places and original text."""
    u0, o0, u1, o1 = int(n.unit[start]), int(n.offset[start]), int(n.unit[end - 1]), int(n.offset[end - 1])
    if u0 == u1:
        text = units[u0]["text"][o0:o1 + 1]
    else:
        text = "\n".join([units[u0]["text"][o0:]] + [units[u]["text"] for u in range(u0 + 1, u1)] + [units[u1]["text"][:o1 + 1]])
    where = _where(units[u0]["place"])
    if u1 != u0:
        where += f" 至 {_where(units[u1]['place'])}"
    return {"place": units[u0]["place"], "end": units[u1]["place"], "where": where,
            "text": text if len(text) <= QUOTE else text[:QUOTE] + f"……（共 {len(text)} 字）"}


def _where(place: dict) -> str:
    from kcjs.pipeline.check_view import where
    return where(place) or "正文"


# --- the batch's step --------------------------------------------------------------------------------

def check(documents: list[dict], keys: dict[str, str], store, pack, pack_path=None, against=None,
          threshold: float = THRESHOLD, against_label: str = "往年") -> list[dict]:
    """`dup.narrative` findings of one audit: pairs of this batch's documents (identical contents once)
    and, with `against` (an earlier audit's Store), pairs with that audit's documents."""
    from kcjs.pipeline.audit.tables import applicant_key
    stop = stop_set(pack, pack_path)
    items: dict[str, Item] = {}
    for d in documents:
        skey = keys.get(d["file"])
        if not skey or d.get("status") == "error":
            continue
        content = (d.get("metrics") or {}).get("content_sha256") or skey
        it = items.get(content)
        if it is None:
            names = [d.get("applicant") or ""]
            items[content] = Item([d["file"]], d.get("applicant") or "", applicant_key(d.get("applicant") or ""), skey,
                                  store, names=names)
        else:  # the same document sent again: file.duplicate says so; compared once
            it.files.append(d["file"])
            if d.get("applicant") and d["applicant"] not in it.names:
                it.names.append(d["applicant"])
    earlier = []
    if against is not None:
        for row in against.audited():
            earlier.append(Item([row["file"]], row["applicant"] or "", applicant_key(row["applicant"] or ""),
                                row["key"], against, year=row.get("label") or against_label,
                                names=[row["applicant"] or ""]))
    found, common = pairs(list(items.values()) + _dedup(earlier), threshold, stop)
    found = collapse(found)
    out = []
    for left, right, j in found:
        na, nb = left.source.narrative(left.store_key), right.source.narrative(right.store_key)
        shown = passages(na, nb, na["names"] + left.names, nb["names"] + right.names, stop, common)
        out.append(_finding(left, right, j, shown))
    return out


def collapse(found: list[tuple[Item, Item, float]]) -> list[tuple[Item, Item, float]]:
    """Near-identical narratives of three or more applicants of this batch (pairs ≥ SAME_TEXT, joined)
    become one group, reported once (its first member against the others), and each other document or
    group is paired with the group once (its closest member): one boilerplate across a dozen
    applicants is one finding, not 66."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    by_id = {}
    for a, b, j in found:
        by_id[id(a)], by_id[id(b)] = a, b
        if j >= SAME_TEXT and not a.year and not b.year:
            ra, rb = root(id(a)), root(id(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[Item]] = {}
    for i, it in by_id.items():
        members.setdefault(root(i), []).append(it)
    groups = {r: sorted(ms, key=lambda it: it.files[0]) for r, ms in members.items() if len(ms) >= 3}
    if not groups:
        return found
    group_of = {id(it): r for r, ms in groups.items() for it in ms}

    def whole(r: int, via: Item, skip: Item | None = None) -> Item:
        ms = [it for it in groups[r] if it is not skip]
        return Item([f for it in ms for f in it.files], "、".join(dict.fromkeys(it.applicant or "未知单位" for it in ms)), "",
                    via.store_key, via.source, names=list(via.names), group=len(ms))

    best: dict[tuple, tuple[Item, Item, float]] = {}
    inside: dict[int, list[float]] = {}
    for a, b, j in found:
        ga, gb = group_of.get(id(a)), group_of.get(id(b))
        if ga is not None and ga == gb:
            inside.setdefault(ga, []).append(j)
            continue
        k = (ga if ga is not None else id(a), gb if gb is not None else id(b))
        if k not in best or j > best[k][2]:
            best[k] = (a, b, j)
    out = []
    for (ka, kb), (a, b, j) in best.items():
        out.append((whole(ka, a) if ka in groups else a, whole(kb, b) if kb in groups else b, j))
    for r, ms in groups.items():
        first, second = ms[0], ms[1]
        rest = whole(r, second, skip=first)
        rest.group_of = first
        out.append((first, rest, min(inside[r])))
    out.sort(key=lambda p: (-p[2], p[0].files[0], p[1].files[0]))
    return out


def _dedup(items: list[Item]) -> list[Item]:
    by_key: dict[str, Item] = {}
    for it in items:
        if it.store_key in by_key:
            by_key[it.store_key].files.extend(f for f in it.files if f not in by_key[it.store_key].files)
        else:
            by_key[it.store_key] = it
    return list(by_key.values())


def _finding(left: Item, right: Item, j: float, shown: list[dict]) -> dict:
    pct = f"{j:.0%}"
    who_l = left.applicant or "未知单位"
    who_r = right.applicant or "未知单位"
    lf, rf = "、".join(left.files), "、".join(right.files)
    if right.year:
        msg = (f"{who_l}的“{lf}”与{right.year}材料“{rf}”（{who_r}）正文重合度 {pct}（Jaccard），"
               f"疑似重复申报往年材料")
        files, applicant = list(left.files), who_l
    elif right.group_of is left:
        msg = (f"{len(left.files) + len(right.files)} 份材料（{who_l}、{who_r}）正文几乎相同，两两重合度不低于 {pct}（Jaccard），"
               f"疑似使用同一底稿：“{lf}”与“{rf}”")
    else:
        msg = f"{who_l}的“{lf}”与{who_r}的“{rf}”正文重合度 {pct}（Jaccard），疑似相互抄袭"
    if not right.year:
        files, applicant = left.files + right.files, "、".join(dict.fromkeys([who_l, who_r]))
    if shown:
        msg += f"；最长重合段落 {shown[0]['length']} 字"
    side = lambda it: {"files": list(it.files), "applicant": it.applicant, **({"year": it.year} if it.year else {})}
    return {"rule": DUP, "severity": "warning", "applicant": applicant, "files": sorted(files), "message": msg,
            "overlap": round(j, 3), "left": side(left), "right": side(right), "passages": shown,
            "hint": "请人工比对两份材料的重合段落；模板提示语、通知原文、数字和单位名称已不计入"}
