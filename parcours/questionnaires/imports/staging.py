"""Checked rows wait in a throwaway SQLite file between the two phases of an import.

The first phase reads every table once and keeps the rows here, indexed by their parent's key; the second walks
the main rows in file order and fetches each one's repeat rows. Memory stays flat whatever the export's size
(100,000 households with their members would not fit comfortably in a worker's memory as Python objects).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

_BATCH = 2000


class Staging:
    def __init__(self, directory: Path):
        self.db = sqlite3.connect(directory / "rows.sqlite3", isolation_level=None)
        # A scratch file: nothing to recover after a crash, so no journal and no fsync.
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE rows (tbl INTEGER, seq INTEGER PRIMARY KEY, line INTEGER, parent TEXT, "
                        "data TEXT)")
        self.db.execute("BEGIN")
        self.pending: list[tuple] = []

    def add(self, table: int, line: int, parent: str, data: dict) -> None:
        self.pending.append((table, line, parent, json.dumps(data, ensure_ascii=False, separators=(",", ":"))))
        if len(self.pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO rows (tbl, line, parent, data) VALUES (?, ?, ?, ?)", self.pending)
        self.pending = []

    def seal(self) -> None:
        """End of the first phase: write what is pending and index the rows by parent."""
        self._flush()
        self.db.execute("COMMIT")
        self.db.execute("CREATE INDEX rows_parent ON rows (tbl, parent, seq)")

    def rows(self, table: int) -> Iterator[tuple[int, dict]]:
        cursor = self.db.execute("SELECT line, data FROM rows WHERE tbl = ? ORDER BY seq", (table,))
        for line, data in cursor:
            yield line, json.loads(data)

    def children(self, table: int, parent: str) -> list[tuple[int, dict]]:
        cursor = self.db.execute("SELECT line, data FROM rows WHERE tbl = ? AND parent = ? ORDER BY seq",
                                 (table, parent))
        return [(line, json.loads(data)) for line, data in cursor]

    def close(self) -> None:
        self.db.close()


def link(kind: str, value: str) -> str:
    """How a parent key is stored: its kind (index, key, uuid, id) and its value."""
    return f"{kind}\x1f{value}"
