"""Results kept in SQLite, keyed by what a result depends on: a second run re-checks only what changed,
and a run killed at any moment keeps every result it had finished (one commit per result)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from kcjs.pipeline import __version__


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
        self.db.commit()

    def get(self, key: str) -> dict | None:
        row = self.db.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, sha256: str, result: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", (key, sha256, json.dumps(result, ensure_ascii=False)))
        self.db.commit()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def close(self) -> None:
        self.db.close()
