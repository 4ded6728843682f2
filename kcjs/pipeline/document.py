"""The one view of a submission every checker gets, whatever the file format."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal, TypeVar

from kcjs.pipeline.findings import Finding

T = TypeVar("T")
BlockType = Literal["heading", "paragraph", "table", "image"]
SourceT = Literal["text", "ocr"]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points (1/72 inch)


@dataclass
class ImageInfo:
    width_px: int | None = None
    height_px: int | None = None
    placement: Literal["inline", "floating"] = "inline"
    behind_text: bool = False
    width_mm: float | None = None
    height_mm: float | None = None
    format: str | None = None
    ref: str | None = None  # where the bytes are: docx part name, or "xref:N" in a PDF


@dataclass
class Block:
    type: BlockType
    text: str = ""
    level: int | None = None           # headings: 0 title, 1 一、, 2 （一）, 3 1., 4 1.1 / （1）
    page: int | None = None            # 1-based, where the format has pages
    source: SourceT = "text"
    confidence: float | None = None    # OCR confidence, 0–1
    box: Box | None = None
    rows: list[list[str]] | None = None  # tables: merged cells repeated in every grid position
    copies: set[tuple[int, int]] = field(default_factory=set)  # grid positions that repeat a merged cell
    image: ImageInfo | None = None
    anchor: int | None = None          # images: index of the block they are anchored in
    cell: tuple[int, int] | None = None  # images in a table: (row, column) of the anchor table
    bold: bool = False
    style: str | None = None


@dataclass
class Signature:
    name: str
    page: int
    box: Box
    signed: bool
    intact: bool | None = None  # signed: does the signature cover the file unchanged (pyHanko)


@dataclass
class Page:
    number: int
    width: float
    height: float
    source: SourceT = "text"
    ocr_confidence: float | None = None
    ocr_reason: str | None = None      # why the page was OCRed: 'scan', 'hidden' (a scan's invisible OCR layer), 'outlines' (转曲), 'garbage' text layer
    colourless: bool = False  # a scanned page with no colour at all (grey or black-and-white scan): red seals cannot show


@dataclass
class Document:
    path: str
    format: Literal["docx", "pdf"] | None = None
    blocks: list[Block] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    footers: list[str] = field(default_factory=list)
    textboxes: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    seals: list = field(default_factory=list)  # kcjs.pipeline.seals.Seal: red official seals found
    blue_seals: list = field(default_factory=list)  # seals in blue ink: not 公章, kept to say why a line has none
    seal_parts: list = field(default_factory=list)  # kcjs.pipeline.seals.EdgePart: partial seals cut by a page edge (骑缝章)
    findings: list[Finding] = field(default_factory=list)
    properties: dict = field(default_factory=dict)  # e.g. app.xml <Words>, title, author
    readable: bool = True
    sha256: str | None = None

    @property
    def page_count(self) -> int | None:
        return len(self.pages) if self.pages else None

    def headings(self) -> list[tuple[int, Block]]:
        return [(i, b) for i, b in enumerate(self.blocks) if b.type == "heading"]

    @contextmanager
    def checking(self) -> Iterator[None]:
        """A scope in which the blocks are final (kcjs.pipeline.check.check_document): views derived from
        them (`derived`) are computed once and shared by the checkers and metrics(), then dropped. Outside
        it every view is computed afresh. Re-entrant."""
        outer = "_views" in self.__dict__
        if not outer:
            self.__dict__["_views"] = ({}, self._blocks_stamp())
        try:
            yield
        finally:
            if not outer:
                self.__dict__.pop("_views", None)

    def __getstate__(self) -> dict:  # a pickled Document (a reading child's answer) carries no views
        state = dict(self.__dict__)
        state.pop("_views", None)
        return state

    def _blocks_stamp(self) -> tuple[int, int]:
        return id(self.blocks), len(self.blocks)

    def derived(self, key: tuple, compute: Callable[[], T]) -> T:
        """compute(), once per `key` inside `checking` (key names the view and every argument it depends on
        besides the blocks, e.g. ("fields", id(kind))); the caller must not modify what it returns.
        Views are dropped if the block list is replaced or changes length (a cheap guard, not a promise:
        a checker never edits the blocks)."""
        views = self.__dict__.get("_views")
        if views is None:
            return compute()
        memo, stamp = views
        if stamp != self._blocks_stamp():
            memo.clear()
            self.__dict__["_views"] = (memo, self._blocks_stamp())
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def body_text(self) -> str:
        """Headings, paragraphs and table cells of the body, one block per line."""
        return self.derived(("body_text",), self._body_text)

    def _body_text(self) -> str:
        parts = []
        for b in self.blocks:
            if b.type == "table" and b.rows:
                parts.append(table_text(b.rows, b.copies))
            elif b.type != "image":
                parts.append(b.text)
        return "\n".join(p for p in parts if p)

    def content_digest(self) -> str | None:
        """sha256 (hex) of the body text's letters and digits, NFKC-folded: the same document saved twice
        (new zip timestamps, re-saved by WPS) or exported to PDF (where punctuation and spaces may come out
        in another order) has one digest; None when there is no text."""
        return self.derived(("content_digest",), self._content_digest)

    def _content_digest(self) -> str | None:
        import hashlib
        import unicodedata
        text = "".join(ch for ch in unicodedata.normalize("NFKC", self.body_text()) if unicodedata.category(ch)[0] in "LN")
        return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


def table_text(rows: list[list[str]], copies: set[tuple[int, int]] = frozenset()) -> str:
    """A table's text, each merged cell once, cells separated by tabs and rows by newlines."""
    lines = []
    for r, row in enumerate(rows):
        lines.append("\t".join(c for k, c in enumerate(row) if c and (r, k) not in copies))
    return "\n".join(line for line in lines if line)
