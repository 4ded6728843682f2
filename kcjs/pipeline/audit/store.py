"""Results kept in SQLite, keyed by what a result depends on: a second run re-checks only what changed,
and a run killed at any moment keeps every result it had finished (one commit per result)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from kcjs.pipeline import __version__

NARRATIVE = "narrative"  # a result's key for its captured narrative: stored in its own table, never in the result


def result_key(sha256: str, pack_hash: str, given: tuple, count_mode: str | None) -> str:
    raw = json.dumps([sha256, pack_hash, __version__, list(given), count_mode])
    return hashlib.sha256(raw.encode()).hexdigest()


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, sha256 TEXT, result TEXT)")
        self._narrative_tables()
        self.db.commit()

    def get(self, key: str) -> dict | None:
        row = self.db.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, sha256: str, result: dict) -> None:
        self.put_narrative(key, result.pop(NARRATIVE, None))
        self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", (key, sha256, json.dumps(result, ensure_ascii=False)))
        self.db.commit()

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
