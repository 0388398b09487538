"""Cross-sheet checks shared by the model families (STYLE §4: validate before building).

The workbook reader (``optimizer/workbook/reader.py``) has already typed every cell; these
checks look across rows and sheets (ids referenced by a schema column that name no row of
their sheet, duplicates, negative amounts, the target key, the explicit coalition table) and
collect every problem with its file, sheet, row and column in a :class:`CaseChecks`, which
raises one :class:`~fairpool.optimizer.errors.CaseError` at the end.
:func:`check_sweep_party` checks a command's argument and raises at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.game import coalition_label
from fairpool.optimizer.solutions import method_names
from fairpool.optimizer.workbook.reader import ROW, CaseTables
from fairpool.optimizer.workbook.schema import ALL


class CaseChecks:
    """Collects problems (with their place) and warnings; the ``check_*`` functions add to it."""

    def __init__(self, tables: CaseTables) -> None:
        self.tables = tables
        self.problems: list[Problem] = []
        self.warnings: list[str] = list(tables.warnings)

    def add(self, sheet: str, row: object, column: str | None, message: str) -> None:
        """Record a problem at ``sheet``/``row``/``column``."""
        self.problems.append(Problem(self.tables.where(sheet, row, column), message))

    def warn(self, sheet: str, row: object, column: str | None, message: str) -> None:
        """Record an odd-but-usable finding, placed like a problem."""
        self.warnings.append(f"{self.tables.where(sheet, row, column)}: {message}")

    def raise_if_any(self) -> None:
        """Raise one :class:`CaseError` listing every problem found so far."""
        if self.problems:
            raise CaseError(self.problems)

    def setting_row(self, key: str) -> object:
        """The Excel row of a ``case`` key (for messages), None if unknown."""
        rows = self.tables.settings.get("_rows")  # {key: Excel row}, set by the reader
        return rows.get(key) if isinstance(rows, Mapping) else None


def known_list(kind: str, names: Iterable[str]) -> str:
    """``"known parties: A, B, C"`` (at most 12 shown) for error messages."""
    names = list(names)
    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    return f"known {kind}: {shown}" if names else f"no {kind} are defined"


def unique_ids(checks: CaseChecks, table: pd.DataFrame, sheet: str, column: str) -> list[str]:
    """The ids of ``table[column]`` in order; a repeated id is a problem naming both rows."""
    seen: dict[str, int] = {}
    for _, row in table.iterrows():
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
    """Every id in ``table[column]`` (an id or a tuple of ids) names a known row of ``kind``."""
    known_set = set(known)
    singular = {"parties": "party", "facility options": "facility option"}.get(kind, kind[:-1])
    for _, row in table.iterrows():
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
                    f"unknown {singular} {item!r}; " + known_list(kind, known),
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
    for _, row in table.iterrows():
        value = row[column]
        if value is not None and value < 0:
            checks.add(sheet, row[ROW], column, f"{what} {value:g} is negative; it must be ≥ 0")


def check_years(checks: CaseChecks, table: pd.DataFrame, sheet: str, base_year: object) -> None:
    """Years lie within 200 years of the base year (typos like 226 instead of 2026)."""
    if not isinstance(base_year, int):
        return
    for _, row in table.iterrows():
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
    the row. Returns None when the sheet is absent or empty. Missing coalitions are reported
    unless the sheet names an unknown party, or (``missing_only_if_clean``) unless any problem
    at all has been recorded in ``checks`` by then; the message ends "… to let the model
    compute <computed>".
    """
    if table.empty:
        return None
    index = {p: i for i, p in enumerate(party_ids)}
    values: dict[int, float] = {}
    rows: dict[int, int] = {}
    bad = False
    for _, row in table.iterrows():
        mask = 0
        for party in row["coalition"] or ():
            if party not in index:
                checks.add(
                    sheet,
                    row[ROW],
                    "coalition",
                    f"unknown party {party!r}; " + known_list("parties", party_ids),
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
    if missing and not (checks.problems if missing_only_if_clean else bad):
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
    "CaseChecks",
    "check_non_negative",
    "check_sweep_party",
    "check_target",
    "check_unknown_ids",
    "check_years",
    "dense_values",
    "known_list",
    "party_attributes",
    "read_coalition_sheet",
    "unique_ids",
]
