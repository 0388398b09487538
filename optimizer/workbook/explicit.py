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

Speed: a million-row CSV is read by a byte-level fast path (labels: :mod:`cases.labels`,
values: pandas' C parser) when the file is plain ``coalition,value`` text without quotes;
anything else (quotes, blank lines, more columns, Excel) goes through pandas/openpyxl cells
and the same vectorised label scanner.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.game import MAX_PLAYERS, Game, Orientation
from fairpool.optimizer.workbook.labels import LabelScan, parse_label, scan_labels

FILL_METHODS = ("partition",)
"""Ways to fill missing coalitions (SPEC §2.4); ``None`` means every coalition is required."""

_MAX_LISTED = 20
"""At most this many problems of one kind are listed; the rest are counted."""


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


@dataclass(frozen=True)
class _PlayersTable:
    ids: tuple[str, ...]
    names: tuple[str, ...]
    attributes: dict[str, np.ndarray]


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
    players_table: _PlayersTable | None = None
    if players_path is not None:
        players_path = Path(players_path)
        _check_readable(players_path)
        players_table = _read_players(players_path)
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
    players_table: _PlayersTable | None,
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
        problems += _capped(label_problems, "coalition labels")

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
    empty_rows = np.flatnonzero(good & (masks == 0) & (rows.values != 0))
    for r in empty_rows:
        value_problems.append(
            Problem(
                _where(rows, int(r), rows.value_column),
                "the empty coalition must have value 0 (or leave it out)",
            )
        )
    problems += _capped(value_problems, "values")

    n = len(players)
    listed = masks[good]
    problems += _capped(_duplicate_problems(rows, masks, good, players), "duplicate coalitions")

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


def _capped(problems: list[Problem], what: str) -> list[Problem]:
    if len(problems) <= _MAX_LISTED:
        return problems
    rest = len(problems) - _MAX_LISTED
    return [*problems[:_MAX_LISTED], Problem("", f"... and {rest} more problems with {what}")]


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
    if not path.exists():
        raise CaseError(f"file not found: {path}")
    if path.is_dir():
        raise CaseError(f"{path} is a folder; expected a .csv or .xlsx file")


# -- CSV ---------------------------------------------------------------------------------
def _read_coalitions_csv(path: Path, players: tuple[str, ...] | None) -> _CoalitionRows:
    """Read a coalition CSV: the byte-level fast path when the file allows it, else cells."""
    raw = path.read_bytes()
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
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
    columns = [c.strip().strip('"').lower() for c in header.split(",")]
    for needed in ("coalition", "value"):
        if needed not in columns:
            raise CaseError(
                f"{path}, row 1: no column {needed!r} (found: {', '.join(columns)}); "
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
                _to_number(scan.buffer[start : start + length].decode("utf-8", "replace"))
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
    values = np.array([_to_number(t) for t in value_texts], dtype=np.float64)
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


def _to_number(text: object) -> float:
    """A cell as a float; NaN when it is empty or not a number."""
    if isinstance(text, bool):
        return math.nan
    if isinstance(text, int | float):
        return float(text)
    text = str(text).strip()
    if "_" in text:  # Python's float() reads "1_000"; a spreadsheet would not
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _cell_text(cell: object) -> str:
    """A cell as the text a user typed: ``1`` not ``1.0`` for whole numbers."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


# -- Excel -------------------------------------------------------------------------------
def _read_coalitions_xlsx(path: Path) -> tuple[_CoalitionRows, _PlayersTable | None]:
    """Sheet ``coalitions`` (and ``players`` if present) of a workbook."""
    sheets = _read_sheets(path)
    if "coalitions" not in sheets:
        raise CaseError(
            f"{path}: no sheet 'coalitions' (sheets: {', '.join(sheets) or 'none'}); "
            "put the coalition table in a sheet named 'coalitions'"
        )
    where = f"{path}, sheet coalitions"
    table = sheets["coalitions"]
    header = [_cell_text(c).strip().lower() for c in (table[0] if table else [])]
    for needed in ("coalition", "value"):
        if needed not in header:
            raise CaseError(
                f"{where}, row 1: no column {needed!r} (found: {', '.join(filter(None, header))}); "
                "expected the header 'coalition | value'"
            )
    label_at, value_at = header.index("coalition"), header.index("value")
    numbers, labels, texts, cells = [], [], [], []
    for number, given in enumerate(table[1:], start=2):
        row = [*given, *[None] * (len(header) - len(given))]
        if all(c is None or _cell_text(c).strip() == "" for c in row):
            continue
        numbers.append(number)
        labels.append(_cell_text(row[label_at]))
        texts.append(_cell_text(row[value_at]))
        cells.append(row[value_at])
    rows = _cells_to_rows(
        where,
        np.array(numbers, dtype=np.int64),
        labels,
        texts,
        value_column=f"{_column_letter(value_at)} (value)",
        label_column=f"{_column_letter(label_at)} (coalition)",
    )
    rows.values = np.array([_to_number(c) for c in cells], dtype=np.float64)
    players = None
    if "players" in sheets:
        players = _players_from_table(sheets["players"], f"{path}, sheet players", excel=True)
    return rows, players


def _read_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise CaseError(f"{path}: cannot be opened as an Excel workbook: {error}") from None
    try:
        return {
            name.strip().lower(): list(book[name].iter_rows(min_row=1, values_only=True))
            for name in book.sheetnames
        }
    finally:
        book.close()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# -- players -----------------------------------------------------------------------------
def _read_players(path: Path) -> _PlayersTable:
    """A players table: CSV, or the sheet ``players`` of a workbook."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _read_sheets(path)
        if "players" not in sheets:
            raise CaseError(f"{path}: no sheet 'players' (sheets: {', '.join(sheets)})")
        return _players_from_table(sheets["players"], f"{path}, sheet players", excel=True)
    import pandas as pd

    try:
        frame = pd.read_csv(
            path, dtype=str, na_filter=False, keep_default_na=False, encoding="utf-8-sig"
        )
    except UnicodeDecodeError:
        raise CaseError(f"{path}: not UTF-8 text; save it as 'CSV UTF-8'") from None
    except (ValueError, pd.errors.ParserError) as error:
        raise CaseError(f"{path}: cannot be read as CSV: {error}") from None
    table = [tuple(frame.columns), *frame.itertuples(index=False, name=None)]
    return _players_from_table(table, str(path), excel=False)


def _players_from_table(
    table: list[tuple[object, ...]], where: str, *, excel: bool
) -> _PlayersTable:
    """Check a players table (header row first) and return ids, names and attributes."""
    if not table:
        raise CaseError(f"{where}: empty; expected the header 'id,name' and one row per party")
    header = [_cell_text(c).strip().lower() for c in table[0]]
    if "id" not in header:
        raise CaseError(f"{where}, row 1: no column 'id' (found: {', '.join(header)})")

    def column_name(j: int) -> str:
        return f"{_column_letter(j)} ({header[j]})" if excel else header[j]

    id_at = header.index("id")
    name_at = header.index("name") if "name" in header else None
    attribute_at = {
        h: j for j, h in enumerate(header) if h and h not in ("id", "name") and j != id_at
    }
    problems: list[Problem] = []
    ids: list[str] = []
    names: list[str] = []
    attributes: dict[str, list[float]] = {h: [] for h in attribute_at}
    first_row: dict[str, int] = {}
    for number, row in enumerate(table[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        if all(_cell_text(c).strip() == "" for c in cells):
            continue
        party = "".join(_cell_text(cells[id_at]).split())
        at = f"{where}, row {number}, column {column_name(id_at)}"
        if party == "":
            problems.append(Problem(at, "no party id"))
            continue
        if "+" in party or "," in party:
            problems.append(Problem(at, f"party id {party!r} must not contain '+' or ','"))
            continue
        if party in first_row:
            problems.append(
                Problem(at, f"party id {party!r} is listed twice (also row {first_row[party]})")
            )
            continue
        first_row[party] = number
        ids.append(party)
        name = _cell_text(cells[name_at]).strip() if name_at is not None else ""
        names.append(name or party)
        for attribute, j in attribute_at.items():
            text = _cell_text(cells[j]).strip()
            value = _to_number(cells[j]) if text else math.nan
            if not math.isfinite(value):
                problems.append(
                    Problem(
                        f"{where}, row {number}, column {column_name(j)}",
                        f"expected a number for {attribute!r}, got {text!r}"
                        if text
                        else f"no value for {attribute!r}: expected a number",
                    )
                )
            attributes[attribute].append(value)
    if not ids and not problems:
        problems.append(Problem(where, "no parties listed"))
    if problems:
        raise CaseError(_capped(problems, "players"))
    return _PlayersTable(
        tuple(ids), tuple(names), {k: np.array(v, dtype=np.float64) for k, v in attributes.items()}
    )
