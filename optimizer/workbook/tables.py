"""Small tables read from a CSV file or a workbook sheet, for the explicit game file: cells
as the text a user typed and as numbers, a workbook's sheets as rows, and the players table
(``--players`` or the ``players`` sheet: ids, display names, numeric attributes)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.workbook.cells import (
    Uncached,
    close_name,
    dense_rows,
    read_sheet_cells,
    uncached_message,
    unreadable_workbook,
)

MAX_LISTED = 20
"""At most this many problems of one kind are listed; the rest are counted."""


@dataclass(frozen=True)
class PlayersTable:
    ids: tuple[str, ...]
    names: tuple[str, ...]
    attributes: dict[str, np.ndarray]


def capped(problems: list[Problem], what: str) -> list[Problem]:
    if len(problems) <= MAX_LISTED:
        return problems
    rest = len(problems) - MAX_LISTED
    return [*problems[:MAX_LISTED], Problem("", f"... and {rest} more problems with {what}")]


def to_number(text: object) -> float:
    """A cell as a float; NaN when it is empty or not a number."""
    if isinstance(text, bool):
        return math.nan
    if isinstance(text, int | float):
        return float(text)
    if isinstance(text, Uncached):
        return math.nan
    text = str(text).strip()
    if "_" in text:  # Python's float() reads "1_000"; a spreadsheet would not
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def cell_text(cell: object) -> str:
    """A cell as the text a user typed: ``1`` not ``1.0`` for whole numbers."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def read_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """The sheets ``coalitions`` and ``players`` (their rows from row 1; other sheets are
    listed with no rows). Only cells holding a value are read (a stray cell at XFD1048576
    costs nothing); merged cells in them are an error naming the ranges."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise CaseError(f"{path}: {unreadable_workbook(error)}") from None
    sheets: dict[str, list[tuple[object, ...]]] = {}
    problems: list[Problem] = []
    try:
        for name in book.sheetnames:
            key = name.strip().lower()
            if key not in ("coalitions", "players"):
                sheets[key] = []
                continue
            cells = read_sheet_cells(book, name)
            sheets[key] = dense_rows(cells)
            problems += [
                Problem(
                    f"{path}, sheet {name}, row {first_row(r)}",
                    f"cells {r} are merged; unmerge them (one value a cell)",
                )
                for r in cells.merged
            ]
    finally:
        book.close()
    if problems:
        raise CaseError(problems)
    return sheets


def first_row(cell_range: str) -> int:
    """The first row of a range like ``A7:B9`` (7)."""
    digits = "".join(ch if ch.isdigit() else " " for ch in cell_range.partition(":")[0])
    return int(digits.split()[0]) if digits.split() else 1


def found(names: Sequence[str], needed: str) -> str:
    """The names found, quoted, and the one ``needed`` was probably meant by, if any."""
    shown = [name for name in names if name]
    near = close_name(needed, shown)
    text = ", ".join(repr(name) for name in shown) or "none"
    return f"{text}; did you mean {near!r} for {needed!r}?" if near else text


def column_letter(index: int) -> str:
    """Excel's letter of a 0-based column index (0 → A, 16383 → XFD)."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def read_players(path: Path) -> PlayersTable:
    """A players table: CSV, or the sheet ``players`` of a workbook."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = read_sheets(path)
        if "players" not in sheets:
            raise CaseError(f"{path}: no sheet 'players' (sheets: {', '.join(sheets)})")
        return players_from_table(sheets["players"], f"{path}, sheet players", excel=True)
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
    return players_from_table(table, str(path), excel=False)


def players_from_table(table: list[tuple[object, ...]], where: str, *, excel: bool) -> PlayersTable:
    """Check a players table (header row first) and return ids, names and attributes."""
    if not table:
        raise CaseError(f"{where}: empty; expected the header 'id,name' and one row per party")
    header = [cell_text(c).strip().lower() for c in table[0]]
    if "id" not in header:
        raise CaseError(f"{where}, row 1: no column 'id' (found: {found(header, 'id')})")

    def column_name(j: int) -> str:
        return f"{column_letter(j)} ({header[j]})" if excel else header[j]

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
        if all(cell_text(c).strip() == "" for c in cells):
            continue
        formulas = [(j, c) for j, c in enumerate(cells[: len(header)]) if isinstance(c, Uncached)]
        for j, formula in formulas:
            place = f"{where}, row {number}, column {column_name(j)}"
            problems.append(Problem(place, uncached_message(formula)))
        if formulas:
            continue
        party = "".join(cell_text(cells[id_at]).split())
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
        name = cell_text(cells[name_at]).strip() if name_at is not None else ""
        names.append(name or party)
        for attribute, j in attribute_at.items():
            text = cell_text(cells[j]).strip()
            value = to_number(cells[j]) if text else math.nan
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
        raise CaseError(capped(problems, "players"))
    return PlayersTable(
        tuple(ids), tuple(names), {k: np.array(v, dtype=np.float64) for k, v in attributes.items()}
    )
