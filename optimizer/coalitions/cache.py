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

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

COMMIT_SECONDS = 0.5
"""The disk cache commits at least this often (and at the end, and on any exception)."""


# -- the disk cache -------------------------------------------------------------------------------


class CoalitionCache:
    """Coalition values on disk: one SQLite table ``coalition_values(key, mask, value)``.

    WAL journal (readers never block the writer; a killed process loses only what it had not
    committed) and ``synchronous=NORMAL``. Writes are buffered by :meth:`add` and committed by
    :meth:`flush` at least every :data:`COMMIT_SECONDS`.

    Who writes: each coalition engine opens its own connection, in the process that runs it;
    the engine's solving workers (processes or Dask) only return values to it. Several
    processes may write one cache at once: ``fairpool batch -j N`` runs a case (and its
    engine) in each of its processes, and two commands may share a ``--cache`` file. SQLite
    serialises them: a commit holds the database's write lock for one short transaction
    (one ``INSERT`` batch), and a writer that finds it taken waits for it (the connection's
    60 s busy timeout) rather than failing. Reads run outside any transaction, so a reader
    never has to turn into a writer (which WAL could refuse without waiting). Two processes
    storing the same coalition store the same value (the key is a content hash), so
    ``INSERT OR REPLACE`` keeps it whichever commits last. WAL needs the processes on one
    machine: a cache on a network file system is not supported.

    Opening checks everything that would otherwise fail only at the first commit, after the
    work: a folder or a file in the way, a folder that cannot be created or written, a
    read-only file, a file that is not SQLite or holds another program's tables, a database
    that refuses a write. Each raises :class:`~fairpool.optimizer.errors.CaseError` with the
    path and the reason.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._check_location()
        try:
            self.connection = sqlite3.connect(self.path, timeout=60.0)
        except sqlite3.Error as error:
            raise self._refused(str(error)) from None
        try:
            self._check_tables()
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS coalition_values ("
                " key TEXT NOT NULL, mask INTEGER NOT NULL, value REAL NOT NULL,"
                " PRIMARY KEY (key, mask)) WITHOUT ROWID"
            )
            self.connection.commit()
            self._check_writes()
        except sqlite3.Error as error:
            self.connection.close()
            raise self._refused(str(error)) from None
        except CaseError:
            self.connection.close()
            raise
        self._pending: list[tuple[str, int, float]] = []
        self._last_commit = time.monotonic()

    def _refused(self, reason: str) -> CaseError:
        return CaseError(
            f"cannot use {self.path} as a coalition cache: {reason}; pass another --cache "
            "file, or --no-cache"
        )

    def _check_location(self) -> None:
        """Before opening: a file (or nothing) at the path, in a folder that exists or can
        be created and that is writable (SQLite writes ``-wal`` and ``-shm`` files beside the
        cache), a writable SQLite file if it exists."""
        if self.path.is_dir():
            raise self._refused("it is a folder")
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            blocker = next((p for p in (folder, *folder.parents) if p.is_file()), None)
            reason = f"{blocker} is a file" if blocker else error.strerror or str(error)
            raise self._refused(f"cannot create its folder {folder} ({reason})") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise self._refused(
                f"its folder {folder} is not writable (SQLite writes a -wal file beside it)"
            )
        if not self.path.exists():
            return
        if not os.access(self.path, os.R_OK | os.W_OK):
            raise self._refused("the file is read-only")
        try:
            with self.path.open("rb") as file:
                header = file.read(len(SQLITE_HEADER))
        except OSError as error:
            raise self._refused(error.strerror or str(error)) from None
        if header and header != SQLITE_HEADER:
            raise self._refused("it is not a SQLite file")

    def _check_tables(self) -> None:
        """A fairpool cache holds one table, ``coalition_values(key, mask, value)``; a SQLite
        file with any other table belongs to someone else and is not written to."""
        tables = [
            name
            for (name,) in self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
            if not name.startswith("sqlite_")
        ]
        foreign = sorted(set(tables) - {"coalition_values"})
        if foreign:
            raise self._refused(
                f"it holds other tables ({', '.join(foreign)}), so it is not a fairpool cache"
            )
        if tables:
            columns = [
                row[1] for row in self.connection.execute("PRAGMA table_info(coalition_values)")
            ]
            if columns != ["key", "mask", "value"]:
                raise self._refused(
                    f"its table coalition_values has the columns {', '.join(columns)}, not "
                    "key, mask, value, so it is not a fairpool cache"
                )

    def _check_writes(self) -> None:
        """Write a row and roll it back: a cache that cannot be written fails here, before
        any solve, rather than at the first commit (when the work would be lost)."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            self.connection.execute(
                "INSERT OR REPLACE INTO coalition_values (key, mask, value) VALUES (?, ?, ?)",
                ("fairpool-write-probe", -1, 0.0),
            )
        finally:
            self.connection.rollback()

    def load(self, key: str, masks: np.ndarray | None = None) -> dict[int, float]:
        """Cached values of ``key``: all of them, or only those of ``masks``."""
        query = "SELECT mask, value FROM coalition_values WHERE key = ?"
        try:
            if masks is None:
                return dict(self.connection.execute(query, (key,)))
            found: dict[int, float] = {}
            masks = np.asarray(masks, dtype=np.int64)
            for start in range(0, len(masks), 900):
                batch = [int(m) for m in masks[start : start + 900]]
                marks = ",".join("?" * len(batch))
                found.update(
                    self.connection.execute(f"{query} AND mask IN ({marks})", (key, *batch))
                )
        except sqlite3.Error as error:
            raise CaseError(
                f"cannot read the coalition cache {self.path}: {error}; delete it (it is "
                "rebuilt) or pass another --cache file"
            ) from None
        return found

    def add(self, key: str, masks: Iterable[int], values: Iterable[float]) -> None:
        """Buffer values; commit if the last commit is older than :data:`COMMIT_SECONDS`."""
        self._pending.extend((key, int(m), float(v)) for m, v in zip(masks, values, strict=True))
        if time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write and commit every buffered value."""
        if self._pending:
            try:
                self.connection.executemany(
                    "INSERT OR REPLACE INTO coalition_values (key, mask, value) VALUES (?, ?, ?)",
                    self._pending,
                )
                self.connection.commit()
            except sqlite3.Error as error:
                raise CaseError(
                    f"cannot write the coalition cache {self.path}: {error}; the values solved "
                    "since the last commit are lost; free the disk or pass another --cache file"
                ) from None
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
