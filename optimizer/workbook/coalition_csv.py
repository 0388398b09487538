"""Stream a plain ``coalition,value`` CSV into a coalition table, at disk speed.

The file is read in chunks of whole lines (:data:`CHUNK_BYTES`), once. Each chunk goes
through a fixed number of numpy passes over its bytes: the label scanner
(:class:`~fairpool.optimizer.workbook.labels.LabelScanner`: delimiters, token keys, party
bits, one running sum per row) gives the masks; the values are parsed by pandas' C reader
(exact: the same float as Python's ``float(text)``) when the file is large, by ``float``
when it is not (importing pandas would cost more than it saves: up to 18 parties). Then the
rows are checked and their values put in the dense table
(:class:`~fairpool.optimizer.workbook.coalition_table.CoalitionTable`). Memory: the table
(12 bytes per coalition) and one chunk's working set; the file itself is never held whole.

A file this reader does not take (quotes, other columns, a row without exactly one comma, a
header not ``coalition,value``) makes :func:`read_coalition_csv` return ``None``: the cell
reader then reads it whole and words its problems. Messages name the row (header = row 1)
and column, with the text as written; whitespace anywhere in a label or a value is ignored
(``A + B``, ``1 000``), as full-width joins are read as ``+``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.cells import memory_refusal
from fairpool.optimizer.workbook.coalition_table import CoalitionTable
from fairpool.optimizer.workbook.labels import LabelScan, LabelScanner, normalise_label_bytes
from fairpool.optimizer.workbook.tables import to_number

CHUNK_BYTES = 2 << 20
"""Bytes read at a time (whole lines): the working set is about 25 times this."""

PANDAS_FILE_BYTES = 32 << 20
"""Files of at least this size have their values parsed by pandas' C reader (0.1 µs a value,
but 0.35–0.8 s to import); smaller ones by ``float`` (0.3–0.45 µs a value), unless pandas is
imported already. Measured break-even: about a million values (``benchmarks/engine_io.py``,
18 parties better without pandas, 20 better with it)."""

HEAD_BYTES = 64 << 10
"""The header line is looked for in the first 64 KiB (else the cell reader reads the file)."""

_NEWLINE = ord("\n")


def not_csv_text(path: Path) -> CaseError:
    return CaseError(
        f"{path}: not CSV text (it holds NUL bytes, as a binary file does); save the "
        "table as 'CSV UTF-8'"
    )


def not_utf8(path: Path, byte: int) -> CaseError:
    return CaseError(f"{path}: not UTF-8 text (byte {byte}); save it as 'CSV UTF-8'")


def read_coalition_csv(path: Path, players: tuple[str, ...] | None) -> CoalitionTable | None:
    """The rows of a plain ``coalition,value`` CSV, checked; ``None`` when the file needs
    the cell reader (see the module docstring). ``players``: the ids of a players table.

    Raises:
        CaseError: NUL bytes (anywhere in the file: they are named before a UTF-8 error),
            text that is not UTF-8 (with the byte offset), or too little memory.
    """
    file_bytes = path.stat().st_size
    try:
        return _read(path, players, file_bytes)
    except MemoryError:  # a chunk's working set refused: the process is held below it
        parties = len(players) if players else None
        raise CaseError(memory_refusal(path, file_bytes, parties)) from None


def _read(path: Path, players: tuple[str, ...] | None, file_bytes: int) -> CoalitionTable | None:
    with path.open("rb") as file:
        head = file.read(max(CHUNK_BYTES, HEAD_BYTES))
        start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
        header_end = head.find(b"\n", start)
        if header_end < 0 or head[start:].strip() == b"":
            return None  # a header-only, empty or one-line file: the cell reader words it
        header = head[start:header_end].decode("utf-8", "replace").strip("\r")
        columns = [c.strip().strip('"').lower() for c in header.split(",")]
        if columns != ["coalition", "value"] or b'"' in head[:header_end]:
            return None
        table = CoalitionTable(str(path), players, file_bytes=file_bytes)
        scanner = LabelScanner(players)
        row = 2  # the first data row, as the user numbers it (header = row 1)
        by_pandas = values_by_pandas(file_bytes)
        for offset, chunk in _chunks(file, head, header_end + 1):
            if b'"' in chunk:
                return None
            if b"\0" in chunk:
                raise not_csv_text(path)
            if not chunk.isascii():
                _check_utf8(path, file, offset, chunk)
                chunk = normalise_label_bytes(chunk, 0)
            scan = scanner.scan(chunk)
            if (scan.value_starts < 0).any():
                return None
            count = len(scan.masks)
            values = parse_values(scan, scan.value_starts, scan.value_lengths, by_pandas)
            table.add(scan, values, np.arange(row, row + count), _RowTexts(chunk))
            row += count
        return table


def values_by_pandas(file_bytes: int) -> bool:
    """Parse the values with pandas: a large file, or pandas imported already."""
    return file_bytes >= PANDAS_FILE_BYTES or "pandas" in sys.modules


def _chunks(file: BinaryIO, head: bytes, body_start: int) -> Iterator[tuple[int, bytes]]:
    """(file offset, bytes) of successive runs of whole lines, from ``body_start``; the
    last may lack its final newline."""
    data, offset = head[body_start:], body_start
    while True:
        block = file.read(CHUNK_BYTES)
        if not block:
            if data:
                yield offset, data
            return
        data += block
        cut = data.rfind(b"\n") + 1
        if cut:
            yield offset, data[:cut]
            offset += cut
            data = data[cut:]


def _check_utf8(path: Path, file: BinaryIO, offset: int, chunk: bytes) -> None:
    """A UTF-8 error in ``chunk`` (at file ``offset``), after a NUL byte anywhere later."""
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        while block := file.read(CHUNK_BYTES):
            if b"\0" in block:
                raise not_csv_text(path) from None
        raise not_utf8(path, offset + error.start) from None


class _RowTexts:
    """The label and value text of a row of a chunk, as written (for messages)."""

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk
        self._starts: np.ndarray | None = None

    def __call__(self, row: int) -> tuple[str, str]:
        if self._starts is None:
            ends = np.flatnonzero(np.frombuffer(self.chunk, dtype=np.uint8) == _NEWLINE)
            self._starts = np.r_[0, ends + 1]
        start = int(self._starts[row])
        end = self.chunk.find(b"\n", start)
        line = self.chunk[start : end if end >= 0 else len(self.chunk)]
        label, _, value = line.partition(b",")
        return label.decode("utf-8", "replace"), value.decode("utf-8", "replace")


def parse_values(
    scan: LabelScan, starts: np.ndarray, lengths: np.ndarray, by_pandas: bool
) -> np.ndarray:
    """The value of each row: ``float`` of its text (``scan.buffer[start : start + length]``),
    NaN where it is not a number (as :func:`~fairpool.optimizer.workbook.tables.to_number`).

    ``by_pandas``: pandas' C reader on the whole chunk (rows ``label,value``), the texts
    pandas reads as booleans (``True``, ``false``) made NaN; else ``float`` on each text. A
    chunk where some text is not a plain number is read text by text with ``to_number``.
    """
    buffer = scan.buffer
    if by_pandas and len(starts):
        values = _pandas_values(buffer, scan.start, starts)
        if values is not None:
            return values
    texts = [buffer[s : s + n] for s, n in zip(starts.tolist(), lengths.tolist(), strict=True)]
    try:
        values = np.array(list(map(float, texts)), dtype=np.float64)
    except ValueError:
        return np.array([to_number(t.decode("utf-8", "replace")) for t in texts], dtype=np.float64)
    if b"_" in buffer:  # float() reads "1_000"; a spreadsheet (and to_number) does not
        values[[r for r, text in enumerate(texts) if b"_" in text]] = np.nan
    return values


def _pandas_values(buffer: bytes, body_start: int, starts: np.ndarray) -> np.ndarray | None:
    import pandas as pd

    body = memoryview(buffer)[body_start:]
    # pandas 2's default float parser is not always exact; pandas 3's is (and deprecates the
    # option): 440,000 hard cases (ties, 25 digits, exponents ±330) read as float() does
    precision: Literal["round_trip"] | None = None
    if int(pd.__version__.split(".")[0]) < 3:
        precision = "round_trip"
    try:
        column = pd.read_csv(
            io.BytesIO(body),
            header=None,
            names=["coalition", "value"],
            usecols=["value"],
            dtype={"value": np.float64},
            engine="c",
            skip_blank_lines=False,
            float_precision=precision,
        )["value"]
    except (ValueError, pd.errors.ParserError):
        return None
    values = column.to_numpy(dtype=np.float64, copy=True)  # pandas 3 lends it read-only
    if len(values) != len(starts):
        return None
    # pandas reads True/False (any case) as 1/0; float() does not
    zero_one = np.flatnonzero((values == 0.0) | (values == 1.0))
    if zero_one.size:
        first = np.frombuffer(buffer, dtype=np.uint8)[starts[zero_one]] | 0x20
        values[zero_one[(first == ord("t")) | (first == ord("f"))]] = np.nan
    return values
