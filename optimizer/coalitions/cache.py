"""The disk cache of coalition values: one SQLite table, safe against a killed run.

The key of a model's values is a hash of everything v(S) depends on (case content and model
version, :func:`~fairpool.optimizer.coalitions.compiled.content_key`), never a file name, so a
second run of the same case re-solves nothing and a killed run resumes where it stopped.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from fairpool.optimizer.errors import CaseError

COMMIT_SECONDS = 0.5
"""The disk cache commits at least this often (and at the end, and on any exception)."""


# -- the disk cache -------------------------------------------------------------------------------


class CoalitionCache:
    """Coalition values on disk: one SQLite table ``coalition_values(key, mask, value)``.

    WAL journal (readers never block the writer; a killed process loses only what it had not
    committed) and ``synchronous=NORMAL``. Writes are buffered by :meth:`add` and committed by
    :meth:`flush` at least every :data:`COMMIT_SECONDS`. Only the main process writes.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = sqlite3.connect(self.path, timeout=60.0)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS coalition_values ("
                " key TEXT NOT NULL, mask INTEGER NOT NULL, value REAL NOT NULL,"
                " PRIMARY KEY (key, mask)) WITHOUT ROWID"
            )
            self.connection.commit()
        except sqlite3.Error as error:
            raise CaseError(
                f"cannot use {self.path} as a coalition cache ({error}); pass another --cache "
                "file or delete this one"
            ) from error
        self._pending: list[tuple[str, int, float]] = []
        self._last_commit = time.monotonic()

    def load(self, key: str, masks: np.ndarray | None = None) -> dict[int, float]:
        """Cached values of ``key``: all of them, or only those of ``masks``."""
        query = "SELECT mask, value FROM coalition_values WHERE key = ?"
        if masks is None:
            return dict(self.connection.execute(query, (key,)))
        found: dict[int, float] = {}
        masks = np.asarray(masks, dtype=np.int64)
        for start in range(0, len(masks), 900):
            batch = [int(m) for m in masks[start : start + 900]]
            marks = ",".join("?" * len(batch))
            found.update(self.connection.execute(f"{query} AND mask IN ({marks})", (key, *batch)))
        return found

    def add(self, key: str, masks: Iterable[int], values: Iterable[float]) -> None:
        """Buffer values; commit if the last commit is older than :data:`COMMIT_SECONDS`."""
        self._pending.extend((key, int(m), float(v)) for m, v in zip(masks, values, strict=True))
        if time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write and commit every buffered value."""
        if self._pending:
            self.connection.executemany(
                "INSERT OR REPLACE INTO coalition_values (key, mask, value) VALUES (?, ?, ?)",
                self._pending,
            )
            self.connection.commit()
            self._pending.clear()
        self._last_commit = time.monotonic()

    def count(self, key: str) -> int:
        """How many values of ``key`` are stored."""
        (count,) = self.connection.execute(
            "SELECT COUNT(*) FROM coalition_values WHERE key = ?", (key,)
        ).fetchone()
        return int(count)

    def close(self) -> None:
        """Flush and close the connection."""
        try:
            self.flush()
        finally:
            self.connection.close()
