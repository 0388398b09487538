"""Read an explicit game file: a coalition table in CSV or in an Excel sheet ``coalitions``.

Format (SPEC §3)::

    coalition,value
    SZ,18.6
    DG,12.1
    SZ+DG,27.4
    ...

* ``coalition`` lists party ids joined by ``+``; spaces are ignored; the empty coalition may
  be omitted (if listed, its value must be 0).
* ``value`` is v(S) for benefit games or c(S) for cost games: the caller says which.
* Parties: from a players table (a second CSV, or the sheet ``players`` of the workbook) with
  columns ``id``, ``name`` and any numeric attributes (population, demand, benefit, ...);
  without one, the party ids are those of the coalition labels, in order of first appearance
  (a table listing singletons first therefore fixes the order).
* Unknown ids, empty ids, a party listed twice, a coalition listed twice, non-numeric values
  and missing coalitions (unless ``fill="partition"``) are errors naming the file, sheet, row
  (as numbered in Excel or a text editor, header = row 1) and column; every problem of a file
  is reported in one :class:`~optimizer.errors.CaseError`. Input files are only read.
* Full-width joins typed by a Chinese input method (``＋``, ``，``, ``、``) read as ``+``;
  an id that differs from an earlier one only in case or width (``sz`` and ``SZ``) is named
  on every row it appears in, instead of leaving most coalitions without a value.
* A FIFO or other non-regular file is refused before it is opened; a table whose reading
  would need more memory than is available is refused with the figures before it is read
  (:func:`~fairpool.optimizer.workbook.cells.check_memory`); in a workbook, only cells
  holding a value are read, formulas without a saved value and merged cells are named.

Speed and memory: a plain ``coalition,value`` CSV is streamed in chunks of lines by
:mod:`~fairpool.optimizer.workbook.coalition_csv` (numpy passes over the bytes, the values by
pandas' C reader; 12 bytes per coalition beyond one chunk). Anything else (quotes, blank lines,
more columns, Excel) is read whole, as cells, by pandas/openpyxl and the same label scanner.
Both feed :class:`~fairpool.optimizer.workbook.coalition_table.CoalitionTable`, which checks
every row and words every problem the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.game import Game, Orientation
from fairpool.optimizer.workbook.cells import (
    Uncached,
    check_memory,
    check_regular_file,
    date_message,
    memory_refusal,
    uncached_message,
)
from fairpool.optimizer.workbook.coalition_csv import not_csv_text, not_utf8, read_coalition_csv
from fairpool.optimizer.workbook.coalition_table import CoalitionTable
from fairpool.optimizer.workbook.labels import (
    normalise_labels,
    scan_labels,
)
from fairpool.optimizer.workbook.tables import (
    PlayersTable,
    capped,
    cell_text,
    column_letter,
    found,
    players_from_table,
    read_players,
    read_sheets,
    to_number,
)

FILL_METHODS = ("partition",)
"""Ways to fill missing coalitions (SPEC §2.4); ``None`` means every coalition is required."""


@dataclass
class _CoalitionRows:
    """The coalition table as read by the cell reader: one entry per data row."""

    where: str  # "file.csv" or "book.xlsx, sheet coalitions"
    row_numbers: np.ndarray  # as the user sees them (header = 1)
    values: np.ndarray  # float, NaN where the cell is not a number
    value_texts: list[str]  # original cell text, for messages
    label_lines: bytes  # one line per row, "label\n"
    label_texts: list[str]  # original labels (full-width joins made ASCII)
    value_column: str = "value"
    label_column: str = "coalition"
    problems: list[Problem] = field(default_factory=list)

    def table(self, players: tuple[str, ...] | None, file_bytes: int) -> CoalitionTable:
        """The rows checked and gathered (one chunk holding them all)."""
        table = CoalitionTable(
            self.where,
            players,
            label_column=self.label_column,
            value_column=self.value_column,
            problems=self.problems,
            file_bytes=file_bytes,
        )
        scan = scan_labels(self.label_lines, players)
        table.add(
            scan,
            self.values,
            self.row_numbers,
            lambda r: (self.label_texts[r], self.value_texts[r]),
        )
        return table


def read_game_file(
    path: str | Path,
    *,
    orientation: Orientation = "benefit",
    fill: str | None = None,
    players_path: str | Path | None = None,
) -> Game:
    """Read a coalition table (``.csv`` or ``.xlsx``) into a :class:`Game`.

    Args:
        path: the coalition table: CSV with columns ``coalition,value``, or a workbook with a
            sheet ``coalitions`` (and optionally ``players``).
        orientation: ``"benefit"`` (v(S), more is better) or ``"cost"`` (c(S)).
        fill: ``None`` (every non-empty coalition must be listed) or ``"partition"``: a missing
            coalition gets the best partition into listed coalitions (SPEC §2.4).
        players_path: a CSV (or workbook with a sheet ``players``) with ``id,name`` and numeric
            attributes; it fixes the party order and display names. For a workbook, its own
            ``players`` sheet is used when this is not given.

    Raises:
        CaseError: listing every problem found, each with file, sheet, row and column.
    """
    path = Path(path)
    if orientation not in ("benefit", "cost"):
        raise CaseError(f"orientation must be 'benefit' or 'cost', got {orientation!r}")
    if fill is not None and fill not in FILL_METHODS:
        raise CaseError(f"unknown fill method {fill!r}; expected one of: {', '.join(FILL_METHODS)}")
    _check_readable(path)
    players_table: PlayersTable | None = None
    if players_path is not None:
        players_path = Path(players_path)
        _check_readable(players_path)
        players_table = read_players(players_path)
    suffix = path.suffix.lower()
    file_bytes = path.stat().st_size
    table: CoalitionTable | None = None
    if suffix in (".xlsx", ".xlsm"):
        rows, sheet_players = _read_coalitions_xlsx(path)
        players_table = players_table or sheet_players
        table = rows.table(players_table.ids if players_table else None, file_bytes)
    elif suffix in (".csv", ".txt"):
        given = players_table.ids if players_table else None
        table = read_coalition_csv(path, given)
        if table is None:
            try:
                table = _read_csv_cells(path).table(given, file_bytes)
            except MemoryError:
                raise CaseError(memory_refusal(path, file_bytes, None, whole=True)) from None
    else:
        raise CaseError(f"{path}: expected a .csv or .xlsx coalition table, got {path.suffix!r}")
    return table.game(orientation, fill, players_table)


def _check_readable(path: Path) -> None:
    """A regular file (a FIFO would block the read, a folder cannot be read)."""
    check_regular_file(path, ".csv or .xlsx file")


# -- CSV ---------------------------------------------------------------------------------
def _read_csv_cells(path: Path) -> _CoalitionRows:
    """A CSV the streaming reader does not take (quotes, blank lines, extra columns, another
    header), read whole as cells by pandas, after the checks of the file as text."""
    check_memory(path, path.stat().st_size)
    raw = path.read_bytes()
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if raw[start:].strip() == b"":
        raise CaseError(
            f"{path}: the file is empty; expected the header 'coalition,value' and one row "
            "per coalition"
        )
    if b"\0" in raw:
        raise not_csv_text(path)
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise not_utf8(path, error.start) from None
    header_end = raw.find(b"\n", start)
    header_end = len(raw) if header_end < 0 else header_end
    header = raw[start:header_end].decode("utf-8").strip("\r")
    columns = [c.strip().strip('"').lower() for c in header.split(",")]
    for needed in ("coalition", "value"):
        if needed not in columns:
            raise CaseError(
                f"{path}, row 1: no column {needed!r} (found: {found(columns, needed)}); "
                "expected the header 'coalition,value'"
            )
    del raw
    import pandas as pd

    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except (ValueError, pd.errors.ParserError) as error:
        raise CaseError(f"{path}: cannot be read as CSV: {error}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    numbers = np.arange(2, len(frame) + 2)
    labels = frame["coalition"].astype(str).tolist()
    texts = frame["value"].astype(str).tolist()
    blank = frame.apply(lambda col: col.astype(str).str.strip() == "").all(axis=1).to_numpy()
    keep = np.flatnonzero(~blank)
    return _cells_to_rows(
        str(path),
        numbers[keep],
        [labels[i] for i in keep],
        [texts[i] for i in keep],
    )


def _cells_to_rows(
    where: str,
    row_numbers: np.ndarray,
    labels: list[str],
    value_texts: list[str],
    value_column: str = "value",
    label_column: str = "coalition",
) -> _CoalitionRows:
    values = np.array([to_number(t) for t in value_texts], dtype=np.float64)
    labels = normalise_labels(labels)
    safe = [label.replace(",", "\x01").replace("\n", "\x01") for label in labels]
    label_lines = ("\n".join(safe) + "\n").encode("utf-8") if safe else b""
    return _CoalitionRows(
        where=where,
        row_numbers=np.asarray(row_numbers, dtype=np.int64),
        values=values,
        value_texts=value_texts,
        label_lines=label_lines,
        label_texts=labels,
        value_column=value_column,
        label_column=label_column,
    )


# -- Excel -------------------------------------------------------------------------------
def _read_coalitions_xlsx(path: Path) -> tuple[_CoalitionRows, PlayersTable | None]:
    """Sheet ``coalitions`` (and ``players`` if present) of a workbook."""
    sheets = read_sheets(path)
    if "coalitions" not in sheets:
        raise CaseError(
            f"{path}: no sheet 'coalitions' (sheets: {found(list(sheets), 'coalitions')}); "
            "put the coalition table in a sheet named 'coalitions'"
        )
    where = f"{path}, sheet coalitions"
    table = sheets["coalitions"]
    header = [cell_text(c).strip().lower() for c in (table[0] if table else [])]
    for needed in ("coalition", "value"):
        if needed not in header:
            raise CaseError(
                f"{where}, row 1: no column {needed!r} (found: {found(header, needed)}); "
                "expected the header 'coalition | value'"
            )
    label_at, value_at = header.index("coalition"), header.index("value")
    numbers, labels, texts, cells = [], [], [], []
    uncached: list[Problem] = []
    for number, given in enumerate(table[1:], start=2):
        row = [*given, *[None] * (len(header) - len(given))]
        if all(c is None or cell_text(c).strip() == "" for c in row):
            continue
        for at in (label_at, value_at):
            cell = row[at]
            place = f"{where}, row {number}, column {column_letter(at)} ({header[at]})"
            if isinstance(cell, Uncached):
                uncached.append(Problem(place, uncached_message(cell)))
            elif at == value_at and isinstance(cell, dt.date):
                uncached.append(Problem(place, date_message(cell, year=False)))
        numbers.append(number)
        labels.append(cell_text(row[label_at]))
        texts.append(cell_text(row[value_at]))
        cells.append(row[value_at])
    rows = _cells_to_rows(
        where,
        np.array(numbers, dtype=np.int64),
        labels,
        texts,
        value_column=f"{column_letter(value_at)} (value)",
        label_column=f"{column_letter(label_at)} (coalition)",
    )
    rows.values = np.array([to_number(c) for c in cells], dtype=np.float64)
    rows.problems += capped(uncached, "value cells")
    players = None
    if "players" in sheets:
        players = players_from_table(sheets["players"], f"{path}, sheet players", excel=True)
    return rows, players


# -- players -----------------------------------------------------------------------------
