"""Results kept in SQLite, keyed by what a result depends on: a second run re-checks only what changed,
and a run killed at any moment keeps every result it had finished (one commit per result).
A damaged store is moved aside (with a warning) and rebuilt: it is a cache, never the only copy."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path

from kcjs.pipeline import __version__
from kcjs.pipeline.safe_output import dumps

NARRATIVE = "narrative"  # a result's key for its captured narrative: stored in its own table, never in the result


def result_key(sha256: str, pack_hash: str, given: tuple, count_mode: str | None) -> str:
    raw = json.dumps([sha256, pack_hash, __version__, list(given), count_mode])
    return hashlib.sha256(raw.encode()).hexdigest()


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.warnings: list[str] = []
        if path.is_dir() or (path.exists() and not path.is_file()):
            self._move_aside()
        try:
            self.db = self._open()
        except sqlite3.DatabaseError as e:
            if _unwritable(e):
                raise
            self._move_aside()
            self.db = self._open()
        self._narrative_tables()
        self.db.commit()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, sha256 TEXT, result TEXT)")
            db.commit()
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            db.execute("SELECT key, sha256, result FROM results LIMIT 1").fetchall()  # the columns we need
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists() or p.is_symlink():
                os.replace(p, Path(str(aside) + suffix))
        msg = f"结果缓存 {self.path.name} 已损坏，已移到 {aside.name} 并重建（本次全部重新检查）"
        self.warnings.append(msg)
        sys.stderr.write(f"警告：{msg}\n")

    def get(self, key: str) -> dict | None:
        try:
            row = self.db.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, ValueError, TypeError):  # a damaged row is a miss: check again
            return None

    def put(self, key: str, sha256: str, result: dict) -> None:
        self.put_narrative(key, result.pop(NARRATIVE, None))
        try:
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", (key, sha256, dumps(result)))
            self.db.commit()
        except sqlite3.DatabaseError as e:
            if _unwritable(e):
                raise
            if not self.warnings:  # damaged under our feet: the run goes on, its results only in the report
                self.warnings.append(f"结果缓存 {self.path.name} 写入失败（文件已损坏），本次结果未缓存")

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    # --- narratives (near-duplicate comparison, kcjs.pipeline.audit.narrative) ---------------------------

    def _narrative_tables(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS narratives (key TEXT PRIMARY KEY, scheme TEXT, units BLOB, names TEXT, "
                        "hashes BLOB, signature BLOB)")
        self.db.execute("CREATE TABLE IF NOT EXISTS audited (file TEXT PRIMARY KEY, key TEXT, applicant TEXT, "
                        "subprogram TEXT, kind TEXT, audited TEXT)")

    def put_narrative(self, key: str, narrative: dict | None) -> None:
        """Keep a document's captured narrative (text units, names, shingle hashes, MinHash) under its result key."""
        if narrative:
            from kcjs.pipeline.audit.narrative import pack_row
            self.db.execute("INSERT OR REPLACE INTO narratives VALUES (?, ?, ?, ?, ?, ?)", (key, *pack_row(narrative)))
            self.db.commit()

    def narrative(self, key: str, units: bool = True) -> dict | None:
        """A stored narrative (see kcjs.pipeline.audit.narrative.capture); without its text units if not `units`."""
        cols = "scheme, units, names, hashes, signature" if units else "scheme, NULL, names, hashes, signature"
        row = self.db.execute(f"SELECT {cols} FROM narratives WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        from kcjs.pipeline.audit.narrative import unpack_row
        return unpack_row(row)

    def record_audit(self, rows: list[dict], when: str) -> None:
        """The files of the last audit written into this store (file, key, applicant, subprogram, kind):
        what a later year's `--against` compares with."""
        self.db.execute("DELETE FROM audited")
        self.db.executemany("INSERT OR REPLACE INTO audited VALUES (?, ?, ?, ?, ?, ?)",
                            [(r["file"], r["key"], r.get("applicant"), r.get("subprogram"), r.get("kind"), when) for r in rows])
        self.db.commit()

    def audited(self) -> list[dict]:
        cur = self.db.execute("SELECT file, key, applicant, subprogram, kind, audited FROM audited ORDER BY file")
        return [dict(zip(("file", "key", "applicant", "subprogram", "kind", "audited"), r)) for r in cur]

    def close(self) -> None:
        self.db.close()


def _unwritable(e: sqlite3.Error) -> bool:
    """Read-only or full OUT: not damage; the caller reports it (moving files would fail as well)."""
    text = str(e).lower()
    return any(w in text for w in ("readonly", "read-only", "disk is full", "unable to open", "locked", "disk i/o"))
