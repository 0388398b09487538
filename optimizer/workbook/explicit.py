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

Speed: a million-row CSV is read by a byte-level fast path (labels: :mod:`cases.labels`,
values: pandas' C parser) when the file is plain ``coalition,value`` text without quotes;
anything else (quotes, blank lines, more columns, Excel) goes through pandas/openpyxl cells
and the same vectorised label scanner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.game import MAX_PLAYERS, MAX_VALUE, Game, Orientation
from fairpool.optimizer.workbook.cells import (
    Uncached,
    check_memory,
    check_regular_file,
    date_message,
    uncached_message,
)
from fairpool.optimizer.workbook.labels import (
    LabelScan,
    normalise_label_bytes,
    normalise_labels,
    parse_label,
    scan_labels,
    spelling_variants,
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
    """The coalition table as read: one entry per data row, before any checking."""

    where: str  # "file.csv" or "book.xlsx, sheet coalitions"
    row_numbers: np.ndarray  # as the user sees them (header = 1)
    values: np.ndarray  # float, NaN where the cell is not a number
    value_texts: list[str] | None  # original cell text, for messages (None: re-read lazily)
    label_lines: bytes  # one line per row, "label\n" or "label,value\n"
    label_texts: list[str] | None  # original labels (None: taken from label_lines)
    label_start: int = 0  # label_lines[label_start:] holds the rows
    scan: LabelScan | None = None  # the fast path has scanned the labels already
    value_column: str = "value"
    label_column: str = "coalition"
    problems: list[Problem] = field(default_factory=list)


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
    if suffix in (".xlsx", ".xlsm"):
        rows, sheet_players = _read_coalitions_xlsx(path)
        players_table = players_table or sheet_players
    elif suffix in (".csv", ".txt"):
        rows = _read_coalitions_csv(path, players_table.ids if players_table else None)
    else:
        raise CaseError(f"{path}: expected a .csv or .xlsx coalition table, got {path.suffix!r}")
    return _build_game(rows, players_table, orientation, fill)


# -- checks and assembly ----------------------------------------------------------------
def _build_game(
    rows: _CoalitionRows,
    players_table: PlayersTable | None,
    orientation: Orientation,
    fill: str | None,
) -> Game:
    problems = list(rows.problems)
    if problems:
        raise CaseError(problems)
    given = players_table.ids if players_table else None
    scan = rows.scan
    if scan is None:
        scan = scan_labels(rows.label_lines, given, rows.label_start)
    players = scan.players
    if len(players) > MAX_PLAYERS:
        shown = ", ".join(players[:30])
        raise CaseError(
            f"{len(players)} different party ids ({shown}, ...): explicit games hold at most "
            f"{MAX_PLAYERS} parties; check the coalition column for typos",
            rows.where,
        )
    masks = scan.masks.copy()
    good = np.ones(len(masks), dtype=bool)
    labels = rows.label_texts
    if scan.flagged_rows.size:
        index = {p: i for i, p in enumerate(players)}
        texts = labels if labels is not None else _label_texts(rows)
        label_problems: list[Problem] = []
        for r in scan.flagged_rows:
            mask, messages = parse_label(texts[r], index)
            masks[r] = mask
            for message in messages:
                label_problems.append(Problem(_where(rows, int(r), rows.label_column), message))
            if messages:
                good[r] = False
        problems += capped(label_problems, "coalition labels")
    if given is None:
        problems += capped(_spelling_problems(rows, masks, good, players), "party id spellings")

    value_problems = []
    bad_values = np.flatnonzero(~np.isfinite(rows.values))
    if bad_values.size:
        texts = rows.value_texts if rows.value_texts is not None else _value_texts(rows)
        for r in bad_values:
            text = texts[r].strip()
            if text == "":
                message = "no value: expected a number"
            else:
                message = f"expected a finite number, got {text!r}"
            value_problems.append(Problem(_where(rows, int(r), rows.value_column), message))
        good[bad_values] = False
    too_large = np.flatnonzero(good & (np.abs(rows.values) > MAX_VALUE))
    for r in too_large:
        value_problems.append(
            Problem(
                _where(rows, int(r), rows.value_column),
                f"{rows.values[r]:.6g} is beyond {MAX_VALUE:.4g} (2**53), the largest amount "
                "a float holds to the unit: write the amounts in a larger unit (e.g. 万元 or "
                "亿元 instead of 元)",
            )
        )
    good[too_large] = False
    empty_rows = np.flatnonzero(good & (masks == 0) & (rows.values != 0))
    for r in empty_rows:
        value_problems.append(
            Problem(
                _where(rows, int(r), rows.value_column),
                "the empty coalition must have value 0 (or leave it out)",
            )
        )
    problems += capped(value_problems, "values")

    n = len(players)
    listed = masks[good]
    problems += capped(_duplicate_problems(rows, masks, good, players), "duplicate coalitions")

    values = np.full(1 << n, np.nan)
    values[listed] = rows.values[good]
    values[0] = 0.0
    missing = np.flatnonzero(np.isnan(values))
    if missing.size and fill is None and not problems:
        shown = ", ".join(_label(int(m), players) for m in missing[:8])
        more = f" and {missing.size - 8} more" if missing.size > 8 else ""
        problems.append(
            Problem(
                rows.where,
                f"{missing.size} of {(1 << n) - 1} coalitions have no value ({shown}{more}): "
                "list every coalition, or fill the missing ones with --fill partition",
            )
        )
    if problems:
        raise CaseError(problems)
    if missing.size:
        from fairpool.optimizer.fill import fill_by_partition

        values = fill_by_partition(values, orientation, players=players)

    names: tuple[str, ...] = players
    attributes: dict[str, np.ndarray] = {}
    if players_table is not None:
        names = players_table.names
        attributes = players_table.attributes
    return Game(players, values, orientation, names=names, attributes=attributes)


def _duplicate_problems(
    rows: _CoalitionRows, masks: np.ndarray, good: np.ndarray, players: Sequence[str]
) -> list[Problem]:
    """One problem per coalition listed on more than one row, naming all its rows."""
    listed_rows = np.flatnonzero(good)
    listed = masks[listed_rows]
    if listed.size < 2:
        return []
    if len(players) <= 22 and np.bincount(listed, minlength=1 << len(players)).max() <= 1:
        return []  # the common case, without sorting a million masks
    order = np.argsort(listed, kind="stable")
    ordered = listed[order]
    repeated = np.flatnonzero(ordered[1:] == ordered[:-1])
    if repeated.size == 0:
        return []
    problems = []
    for mask in np.unique(ordered[repeated + 1]):
        where = listed_rows[order[ordered == mask]]
        numbers = ", ".join(str(int(rows.row_numbers[r])) for r in where)
        label = _label(int(mask), players) or "(empty coalition)"
        problems.append(
            Problem(
                _where(rows, int(where[-1]), rows.label_column),
                f"coalition {label} is listed more than once (rows {numbers})",
            )
        )
    return problems


def _spelling_problems(
    rows: _CoalitionRows, masks: np.ndarray, good: np.ndarray, players: Sequence[str]
) -> list[Problem]:
    """One problem per row naming an id that differs from an earlier one only in case or
    width (``sz`` and ``SZ``): read as two parties, they would leave most coalitions without
    a value, so the row is named instead of only the count of missing coalitions."""
    variants = spelling_variants(players)
    if not variants:
        return []
    bit = {party: 1 << players.index(party) for party in variants}
    variant_bits = sum(bit.values())
    problems = []
    for r in np.flatnonzero(good & ((masks & variant_bits) != 0)):
        named = [v for v in variants if int(masks[r]) & bit[v]]
        fixes = "; ".join(
            f"party id {v!r} differs from {variants[v]!r} only in case or width: write "
            f"{variants[v]!r} (ids are case-sensitive)"
            for v in named
        )
        problems.append(Problem(_where(rows, int(r), rows.label_column), fixes))
    return problems


def _where(rows: _CoalitionRows, r: int, column: str) -> str:
    return f"{rows.where}, row {int(rows.row_numbers[r])}, column {column}"


def _label(mask: int, players: Sequence[str]) -> str:
    return "+".join(p for i, p in enumerate(players) if mask >> i & 1)


def _label_texts(rows: _CoalitionRows) -> list[str]:
    """Labels of the fast path, re-read for messages (only when a row was flagged)."""
    return [
        line.partition(b",")[0].decode("utf-8", errors="replace")
        for line in rows.label_lines[rows.label_start :].split(b"\n")
    ]


def _value_texts(rows: _CoalitionRows) -> list[str]:
    return [
        line.partition(b",")[2].decode("utf-8", errors="replace")
        for line in rows.label_lines[rows.label_start :].split(b"\n")
    ]


def _check_readable(path: Path) -> None:
    """A regular file (a FIFO would block the read, a folder cannot be read)."""
    check_regular_file(path, ".csv or .xlsx file")


# -- CSV ---------------------------------------------------------------------------------
def _read_coalitions_csv(path: Path, players: tuple[str, ...] | None) -> _CoalitionRows:
    """Read a coalition CSV: the byte-level fast path when the file allows it, else cells."""
    check_memory(path, path.stat().st_size)
    raw = path.read_bytes()
    check_memory(path, len(raw), raw)
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if raw[start:].strip() == b"":
        raise CaseError(
            f"{path}: the file is empty; expected the header 'coalition,value' and one row "
            "per coalition"
        )
    if b"\0" in raw:
        raise CaseError(
            f"{path}: not CSV text (it holds NUL bytes, as a binary file does); save the "
            "table as 'CSV UTF-8'"
        )
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CaseError(
                f"{path}: not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'"
            ) from None
    header_end = raw.find(b"\n", start)
    header_end = len(raw) if header_end < 0 else header_end
    header = raw[start:header_end].decode("utf-8").strip("\r")
    raw = normalise_label_bytes(raw, header_end + 1)
    columns = [c.strip().strip('"').lower() for c in header.split(",")]
    for needed in ("coalition", "value"):
        if needed not in columns:
            raise CaseError(
                f"{path}, row 1: no column {needed!r} (found: {found(columns, needed)}); "
                "expected the header 'coalition,value'"
            )
    if columns == ["coalition", "value"] and b'"' not in raw and b"\0" not in raw:
        rows = _read_csv_fast(path, raw, header_end + 1, players)
        if rows is not None:
            return rows
    return _read_csv_cells(path)


def _read_csv_fast(
    path: Path, raw: bytes, body_start: int, players: tuple[str, ...] | None
) -> _CoalitionRows | None:
    """Labels straight from the bytes (no Python loop over rows), values by pandas' C reader.

    Returns ``None`` (use the cell reader) when some line has other than one comma (blank
    lines, extra columns, a '+' or ',' after the comma), which the cell reader reports well.
    """
    if len(raw) <= body_start:
        return None
    scan = scan_labels(raw, players, body_start)
    if (scan.value_starts < 0).any():
        return None
    n_rows = len(scan.masks)
    values = _values_from_csv(raw, n_rows)
    if values is None:
        values = np.array(
            [
                to_number(scan.buffer[start : start + length].decode("utf-8", "replace"))
                for start, length in zip(scan.value_starts, scan.value_lengths, strict=True)
            ],
            dtype=np.float64,
        )
    return _CoalitionRows(
        where=str(path),
        row_numbers=np.arange(2, n_rows + 2),
        values=values,
        value_texts=None,
        label_lines=raw,
        label_texts=None,
        label_start=body_start,
        scan=scan,
    )


def _values_from_csv(raw: bytes, expected_rows: int) -> np.ndarray | None:
    """The ``value`` column parsed by pandas' C reader (exact, like ``float(text)``).

    ``None`` when some cell is not a number, or the rows do not line up: the caller then
    reads the cells one by one to name the bad rows.
    """
    import io

    import pandas as pd

    try:
        column = pd.read_csv(
            io.BytesIO(raw), usecols=["value"], dtype={"value": np.float64}, encoding="utf-8-sig"
        )["value"]
    except (ValueError, pd.errors.ParserError):
        return None
    values = column.to_numpy(dtype=np.float64)
    return values if len(values) == expected_rows else None


def _read_csv_cells(path: Path) -> _CoalitionRows:
    """Any CSV pandas can read (quotes, blank lines, extra columns): cell by cell."""
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
