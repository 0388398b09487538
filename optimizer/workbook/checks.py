"""Cross-sheet checks shared by the model families (STYLE §4: validate before building).

The workbook reader (``optimizer/workbook/reader.py``) has already typed every cell; these
checks look across rows and sheets (ids referenced by a schema column that name no row of
their sheet, duplicates, negative amounts, the target key, the explicit coalition table) and
collect every problem with its file, sheet, row and column in a :class:`CaseChecks`, which
raises one :class:`~fairpool.optimizer.errors.CaseError` at the end.
:func:`check_sweep_party` checks a command's argument and raises at once.

The checks run in the same pass as the reader: :class:`CaseChecks` starts from the cells the
reader could not read, a check skips a cell already reported (it reads as ``None``), and a
check that needs a broken sheet or column waits (:meth:`CaseChecks.skip`) and is named at the
end of the error. An unknown id that is a row's display name, or close to an id or a name,
gets "did you mean <id> (<name>)?" (:func:`unknown_id_message`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import SupportsInt

import numpy as np
import pandas as pd

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.game import coalition_label
from fairpool.optimizer.solutions import method_names
from fairpool.optimizer.workbook.cells import close_name
from fairpool.optimizer.workbook.reader import ROW, CaseTables, table_records
from fairpool.optimizer.workbook.schema import ALL


class CaseChecks:
    """Collects problems (with their place), warnings and the checks skipped; the ``check_*``
    functions add to it.

    It starts from what the reader could not read (:attr:`CaseTables.problems`), so one
    :class:`CaseError` lists the reader's problems and the family's. A problem about a cell
    the reader already reported, or about a missing sheet as a whole, is dropped (the reader's
    message says it first); a check that needs a broken cell is skipped with :meth:`skip`
    and named at the end of the error.
    """

    def __init__(self, tables: CaseTables) -> None:
        self.tables = tables
        self.problems: list[Problem] = list(tables.problems)
        self.warnings: list[str] = list(tables.warnings)
        self.skipped: list[str] = []

    def add(self, sheet: str, row: object, column: str | None, message: str) -> None:
        """Record a problem at ``sheet``/``row``/``column`` (unless the reader already
        reported that cell, or the sheet is a required one that is missing and the problem is
        about all of it)."""
        number = int(row) if isinstance(row, SupportsInt) else None
        if (sheet, number, column) in self.tables.broken:
            return
        if number is None and self.reported_missing(sheet):
            return
        self.problems.append(Problem.at(self.tables.path, sheet, row, column, message))

    def warn(self, sheet: str, row: object, column: str | None, message: str) -> None:
        """Record an odd-but-usable finding, placed like a problem."""
        self.warnings.append(f"{self.tables.where(sheet, row, column)}: {message}")

    def reported_missing(self, sheet: str) -> bool:
        """The sheet is required and missing: the reader has said so already."""
        schema = self.tables.schema
        required = sheet in schema.sheet_names and schema.sheet(sheet).required
        return required and (sheet, None) in self.tables.absent

    def usable(self, sheet: str, column: str | None = None) -> bool:
        """The sheet is present (and, with ``column``, that required column too)."""
        absent = self.tables.absent
        return (sheet, None) not in absent and (column is None or (sheet, column) not in absent)

    def readable(self, sheet: str, columns: Iterable[str]) -> bool:
        """Every cell of ``columns`` in ``sheet`` was read (none is a problem already)."""
        wanted = set(columns)
        if any((sheet, column) in self.tables.absent for column in wanted):
            return False
        return not any(s == sheet and c in wanted for s, _r, c in self.tables.broken)

    def skip(self, check: str) -> None:
        """Record that ``check`` (what it checks, in words) did not run: it needs cells that
        are already reported as problems. Named at the end of the error."""
        if check not in self.skipped:
            self.skipped.append(check)

    def raise_if_any(self) -> None:
        """Raise one :class:`CaseError` listing every problem found so far, sheet by sheet
        in the schema's order and row by row (with the checks skipped and the warnings)."""
        if self.problems:
            order = {name: i for i, name in enumerate(self.tables.schema.sheet_names)}

            def place(problem: Problem) -> tuple[int, int]:
                sheet = -1 if problem.sheet is None else order.get(problem.sheet.lower(), -1)
                return sheet, problem.row or 0

            problems = sorted(self.problems, key=place)
            raise CaseError(problems, skipped=self.skipped, warnings=self.warnings)

    def setting_row(self, key: str) -> object:
        """The Excel row of a ``case`` key (for messages), None if unknown."""
        rows = self.tables.settings.get("_rows")  # {key: Excel row}, set by the reader
        return rows.get(key) if isinstance(rows, Mapping) else None


REFERENCED_SHEETS = {"facility options": "facilities"}
"""The sheet of a kind of id named in words (kinds are otherwise sheet names)."""


def display_names(tables: CaseTables, kind: str) -> dict[str, str]:
    """{display name: id} of the rows of the sheet holding ``kind`` (its ``name`` column;
    blank names and names equal to their id left out), for "did you mean" hints."""
    sheet = REFERENCED_SHEETS.get(kind, kind)
    if sheet not in tables.schema.sheet_names:
        return {}
    table = tables.table(sheet)
    key = tables.schema.sheet(sheet).columns[0].name
    if "name" not in table.columns or key not in table.columns:
        return {}
    names: dict[str, str] = {}
    for row in table_records(table):
        name, identifier = row["name"], row[key]
        if isinstance(name, str) and name and identifier is not None and name != identifier:
            names.setdefault(name, identifier)
    return names


def ids_readable(checks: CaseChecks, kind: str) -> bool:
    """The ids of ``kind`` can all be read: its sheet is present (or optional) and no cell of
    its key column is a problem already."""
    sheet = REFERENCED_SHEETS.get(kind, kind)
    schema = checks.tables.schema
    if sheet not in schema.sheet_names:
        return True
    declared = schema.sheet(sheet)
    if not checks.usable(sheet):
        return not declared.required
    return checks.readable(sheet, [declared.columns[0].name])


def unknown_id_message(
    singular: str, item: str, kind: str, known: Sequence[str], names: Mapping[str, str]
) -> str:
    """``unknown party '深圳'; did you mean SZ (深圳)? known parties: …``: a display name
    typed where an id belongs, or an id close to a known one, gets a hint."""
    hint = ""
    if item in names:
        hint = f"; did you mean {names[item]} ({item})? this column takes ids, not names"
    else:
        near = close_name(item, known) or close_name(item, names)
        if near is not None:
            identifier = names.get(near, near)
            shown = f"{identifier} ({near})" if near in names else identifier
            hint = f"; did you mean {shown}?"
    return f"unknown {singular} {item!r}{hint}; " + known_list(kind, known)


def known_list(kind: str, names: Iterable[str]) -> str:
    """``"known parties: A, B, C"`` (at most 12 shown) for error messages."""
    names = list(names)
    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    return f"known {kind}: {shown}" if names else f"no {kind} are defined"


def unique_ids(checks: CaseChecks, table: pd.DataFrame, sheet: str, column: str) -> list[str]:
    """The ids of ``table[column]`` in order; a repeated id is a problem naming both rows."""
    seen: dict[str, int] = {}
    for row in table_records(table):
        value = row[column]
        if value is None:
            continue
        if value in seen:
            checks.add(sheet, row[ROW], column, f"{value!r} already defined in row {seen[value]}")
        else:
            seen[value] = row[ROW]
    if table.empty:
        checks.add(sheet, None, column, f"sheet {sheet} needs at least one row")
    return list(seen)


def check_unknown_ids(
    checks: CaseChecks,
    table: pd.DataFrame,
    sheet: str,
    column: str,
    known: Sequence[str],
    kind: str,
    allow_all: bool = False,
) -> None:
    """Every id in ``table[column]`` (an id or a tuple of ids) names a known row of ``kind``;
    a display name typed instead of its id, or a near miss, gets "did you mean" with the id.

    Skipped when the sheet of ``kind`` is missing or its ids cannot all be read (every id
    would look unknown).
    """
    if not ids_readable(checks, kind):
        referenced = REFERENCED_SHEETS.get(kind, kind)
        checks.skip(
            f"the {kind} named in other sheets (sheet {referenced} is missing or its ids "
            "cannot be read)"
        )
        return
    known_set = set(known)
    names = display_names(checks.tables, kind)
    singular = {"parties": "party", "facility options": "facility option"}.get(kind, kind[:-1])
    for row in table_records(table):
        value = row[column]
        if value is None:
            continue
        for item in value if isinstance(value, tuple) else (value,):
            if allow_all and item == ALL:
                continue
            if item not in known_set:
                checks.add(
                    sheet,
                    row[ROW],
                    column,
                    unknown_id_message(singular, item, kind, known, names),
                )


def check_references(
    checks: CaseChecks,
    known: Mapping[str, Sequence[str]],
    skip: Iterable[str] = ("coalitions",),
) -> None:
    """Every id in a column declaring ``references`` in the schema names a known row of that
    sheet (``known``: {sheet: ids}); ``*`` is allowed in ``id_or_all`` columns.

    Driven from the schema, so a new id column is checked as soon as it is declared. The
    ``coalitions`` sheet is skipped: :func:`read_coalition_sheet` checks it with its own
    messages.
    """
    tables = checks.tables
    skipped = set(skip)
    for sheet in tables.schema.sheets:
        if sheet.layout != "table" or sheet.name in skipped:
            continue
        table = tables.table(sheet.name)
        for column in sheet.columns:
            if column.references not in known:
                continue
            check_unknown_ids(
                checks,
                table,
                sheet.name,
                column.name,
                known[column.references],
                column.references,
                allow_all=column.type == "id_or_all",
            )


def check_non_negative(
    checks: CaseChecks, table: pd.DataFrame, sheet: str, column: str, what: str
) -> None:
    """``table[column]`` ≥ 0 in every row (costs, budgets, capacities are amounts)."""
    for row in table_records(table):
        value = row[column]
        if value is not None and value < 0:
            checks.add(sheet, row[ROW], column, f"{what} {value:g} is negative; it must be ≥ 0")


def check_years(checks: CaseChecks, table: pd.DataFrame, sheet: str, base_year: object) -> None:
    """Years lie within 200 years of the base year (typos like 226 instead of 2026)."""
    if not isinstance(base_year, int):
        return
    for row in table_records(table):
        year = row["year"]
        if year is not None and abs(year - base_year) > 200:
            checks.add(
                sheet, row[ROW], "year", f"year {year} is far from base_year {base_year}; a typo?"
            )


def check_target(
    checks: CaseChecks,
    target: str,
    attributes: Sequence[str],
    *,
    example: str,
    targets_help: str,
    own_targets: Iterable[str] = (),
) -> None:
    """The ``target`` key names an engine method, one of the family's ``own_targets`` or
    ``proportional:<attribute>`` with a known attribute (``example``: one for the message)."""
    row = checks.setting_row("target")
    if target.startswith("proportional"):
        attribute = target.partition(":")[2].strip()
        if not attribute or attribute not in attributes:
            checks.add(
                "case",
                row,
                "value (target)",
                f"proportional needs a numeric party attribute, e.g. proportional:{example}; "
                + known_list("attributes", attributes),
            )
    elif target not in method_names() and target not in own_targets:
        checks.add(
            "case", row, "value (target)", f"unknown target {target!r}; expected {targets_help}"
        )


def party_attributes(parties: pd.DataFrame, exclude: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """Numeric extra columns of the ``parties`` sheet as attributes (NaN where blank)."""
    skip = {"id", "name", ROW, *exclude}
    attributes = {}
    unique = parties.drop_duplicates("id")
    for name in unique.columns:
        if name in skip:
            continue
        column = unique[name]
        if column.dtype.kind == "f":
            attributes[str(name)] = column.to_numpy(dtype=float)
        else:
            try:
                attributes[str(name)] = pd.to_numeric(column).to_numpy(dtype=float)
            except (TypeError, ValueError):
                continue
    return attributes


def read_coalition_sheet(
    checks: CaseChecks,
    table: pd.DataFrame,
    party_ids: Sequence[str],
    sheet: str = "coalitions",
    *,
    computed: str = "them",
    missing_only_if_clean: bool = False,
) -> dict[int, float] | None:
    """An explicit coalition table as ``{mask: value}``; every non-empty coalition is needed.

    Unknown parties, empty or repeated coalitions and missing coalitions are problems naming
    the row. Returns None when the sheet is absent or empty ({} unchecked when sheet parties
    is broken). Missing coalitions are reported unless a cell of the sheet is broken, the
    sheet names an unknown party, or (``missing_only_if_clean``) any problem at all has been
    recorded in ``checks`` by then; the message ends "… to let the model compute
    <computed>".
    """
    if table.empty:
        return None
    if not ids_readable(checks, "parties"):
        checks.skip(f"sheet {sheet} (its coalitions name parties, and sheet parties is broken)")
        return {}
    index = {p: i for i, p in enumerate(party_ids)}
    names = display_names(checks.tables, "parties")
    values: dict[int, float] = {}
    rows: dict[int, int] = {}
    bad = False
    for row in table_records(table):
        mask = 0
        for party in row["coalition"] or ():
            if party not in index:
                checks.add(
                    sheet,
                    row[ROW],
                    "coalition",
                    unknown_id_message("party", party, "parties", party_ids, names),
                )
                mask, bad = -1, True
                break
            mask |= 1 << index[party]
        if mask == 0:
            checks.add(sheet, row[ROW], "coalition", "empty coalition")
        if mask <= 0:
            continue
        if mask in rows:
            checks.add(
                sheet, row[ROW], "coalition", f"coalition already listed in row {rows[mask]}"
            )
            continue
        rows[mask] = row[ROW]
        if row["value"] is not None:
            values[mask] = float(row["value"])
    missing = [m for m in range(1, 1 << len(party_ids)) if m not in values]
    complete = checks.readable(sheet, ["coalition", "value"])
    if missing and complete and not (checks.problems if missing_only_if_clean else bad):
        labels = ", ".join(coalition_label(party_ids, m) for m in missing[:5])
        checks.add(
            sheet,
            None,
            "coalition",
            f"{len(missing)} coalitions have no value (e.g. {labels}); list them all "
            f"or delete the sheet to let the model compute {computed}",
        )
    return values


def check_sweep_party(parties: Sequence[str], party: str) -> None:
    """A sweep slides a known party's share and needs someone to share the rest with."""
    if party not in parties:
        raise CaseError(f"unknown party {party!r}; " + known_list("parties", parties))
    if len(parties) < 2:
        raise CaseError("a sweep needs at least two parties")


def dense_values(values: dict[int, float], n: int) -> np.ndarray:
    """``{mask: value}`` as the dense array of all 2**n coalitions (v(∅) = 0)."""
    dense = np.zeros(1 << n)
    for mask, value in values.items():
        dense[mask] = value
    return dense


__all__ = [
    "REFERENCED_SHEETS",
    "CaseChecks",
    "check_non_negative",
    "check_sweep_party",
    "check_target",
    "check_unknown_ids",
    "check_years",
    "dense_values",
    "display_names",
    "ids_readable",
    "known_list",
    "party_attributes",
    "read_coalition_sheet",
    "unique_ids",
    "unknown_id_message",
]
