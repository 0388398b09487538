"""Schema-driven case workbooks: read (and type-check) and write (templates, shipped cases).

The reader owns the mapping from Excel to clean, typed tables: header names are matched to
the schema's columns (case-insensitively), every cell is parsed by its column's type, blank
cells get the column's default, and every problem is collected with file, sheet, row and
column into one :class:`~optimizer.errors.CaseError`. Cross-sheet checks (unknown parties,
overlapping phases, …) belong to the model family, which receives the typed tables and the
:meth:`CaseTables.where` helper to name the cells. The input file is opened read-only and
never modified.

The writer produces the template of a model (``instructions`` sheet in English and Chinese,
one sheet per schema sheet with the SPEC's column names as headers, units and descriptions as
header comments, example rows, drop-down validation for party ids and choices) and the shipped
example cases, from the same schema. Files are written atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, SupportsInt, TypeVar

import pandas as pd

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.workbook.schema import Column, ModelSchema, Sheet
from fairpool.optimizer.workbook.template import Rows, cell_value

if TYPE_CHECKING:
    from openpyxl import Workbook

ROW = "_row"
"""Column of every table holding the Excel row number of the record (for messages)."""

LIST_SEPARATORS = re.compile(r"[+,;、，；]")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "对", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "错", "f"})


@dataclass(frozen=True)
class CaseTables:
    """The typed content of a case workbook.

    Attributes:
        path: the file read.
        schema: the model schema used.
        settings: the ``case`` sheet as ``{key: typed value}``, defaults applied.
        tables: one DataFrame per table sheet present (absent optional sheets are missing);
            columns: the schema's columns, then extra columns, then ``_row`` (Excel row).
        warnings: odd-but-readable findings (unknown keys, …).
    """

    path: str
    schema: ModelSchema
    settings: Mapping[str, object]
    tables: Mapping[str, pd.DataFrame]
    warnings: tuple[str, ...] = ()

    def where(self, sheet: str, row: object = None, column: str | None = None) -> str:
        """``"park.xlsx, sheet rules, row 5, column min_ratio"`` for messages."""
        return where(self.path, sheet, row, column)

    def table(self, sheet: str) -> pd.DataFrame:
        """A sheet's table, or an empty table with the schema's columns if the sheet is absent."""
        if sheet in self.tables:
            return self.tables[sheet]
        columns = [*self.schema.sheet(sheet).column_names, ROW]
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


def where(path: str, sheet: str, row: object = None, column: str | None = None) -> str:
    """Name a place in a workbook: file, sheet, row and column as far as known."""
    parts = [Path(path).name, f"sheet {sheet}"]
    if row is not None:
        parts.append(f"row {int(row) if isinstance(row, SupportsInt) else row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


@dataclass
class _Collector:
    path: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, sheet: str, row: object, column: str | None, message: str) -> None:
        self.problems.append(Problem(where(self.path, sheet, row, column), message))


# -- reading ----------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _as_number(value: object) -> float:
    """A cell as a float; text like ``"1,200"`` or ``"50%"`` is accepted, other text raises."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").replace(" ", "")
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            number = float(text) * scale
        except ValueError:
            raise ValueError(f"expected a number, got text {str(value)!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _as_id(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_cell(column: Column, value: object) -> object:
    """Parse one non-blank cell by its column's type; raises ``ValueError`` with the reason."""
    kind = column.type
    if kind == "text":
        return _as_id(value) if isinstance(value, float) else str(value).strip()
    if kind in ("id", "id_or_all"):
        return _as_id(value)
    if kind == "id_list":
        tokens = [token.strip() for token in LIST_SEPARATORS.split(_as_id(value))]
        return tuple(token for token in tokens if token)
    if kind == "number":
        return _as_number(value)
    if kind == "ratio":
        number = _as_number(value)
        if not -1e-12 <= number <= 1 + 1e-12:
            raise ValueError(f"expected a ratio between 0 and 1, got {number:g}")
        return min(max(number, 0.0), 1.0)
    if kind == "integer":
        number = _as_number(value)
        if not number.is_integer():
            raise ValueError(f"expected a whole number, got {number:g}")
        return int(number)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = _as_id(value).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(f"expected TRUE or FALSE, got {value!r}")
    if kind == "choice":
        text = str(value).strip().lower()
        if text not in column.choices:
            raise ValueError(f"expected one of {', '.join(column.choices)}, got {value!r}")
        return text
    raise AssertionError(f"unknown column type {kind!r}")


def _default(column: Column) -> object:
    if column.type == "id_list":
        return tuple(LIST_SEPARATORS.split(str(column.default))) if column.default else ()
    return column.default


def _read_table(
    rows: list[tuple[object, ...]], sheet: Sheet, collect: _Collector
) -> pd.DataFrame | None:
    header_row = rows[0] if rows else ()
    positions: dict[str, int] = {}
    extras: dict[str, int] = {}
    known = {name.lower(): name for name in sheet.column_names}
    for index, cell in enumerate(header_row):
        if _blank(cell):
            continue
        title = str(cell).strip()
        name = known.get(title.lower())
        target = positions if name is not None else extras
        key = name if name is not None else title
        if key in positions or key in extras:
            collect.add(sheet.name, 1, title, "this column header appears twice")
            continue
        target[key] = index
    missing = [c.name for c in sheet.columns if c.required and c.name not in positions]
    for name in missing:
        collect.add(sheet.name, 1, name, f"required column {name!r} is missing from the header")
    if missing:
        return None
    if extras and not sheet.allow_extra_columns:
        collect.warnings.append(f"sheet {sheet.name}: ignored columns {', '.join(extras)}")
        extras = {}

    records: list[dict[str, object]] = []
    for offset, row in enumerate(rows[1:], start=2):
        cells = list(row)
        if all(_blank(c) for c in cells):
            continue
        first = next(c for c in cells if not _blank(c))
        if isinstance(first, str) and first.strip().startswith("#"):
            continue  # comment row
        record: dict[str, object] = {}
        for column in sheet.columns:
            at = positions.get(column.name)
            value = cells[at] if at is not None and at < len(cells) else None
            if _blank(value):
                if column.required:
                    collect.add(sheet.name, offset, column.name, "a value is required here")
                record[column.name] = _default(column)
                continue
            try:
                record[column.name] = parse_cell(column, value)
            except ValueError as error:
                collect.add(sheet.name, offset, column.name, str(error))
                record[column.name] = None
        for name, index in extras.items():
            value = cells[index] if index < len(cells) else None
            record[name] = None if _blank(value) else value
        record[ROW] = offset
        records.append(record)
    frame = pd.DataFrame(records, columns=[*sheet.column_names, *extras, ROW], dtype=object)
    for name in extras:  # numeric extra columns become float columns (party attributes)
        values = frame[name].dropna()
        try:
            numbers = [_as_number(v) for v in values]
        except ValueError:
            continue
        frame[name] = pd.Series([None] * len(frame), dtype=float)
        frame.loc[values.index, name] = numbers
    return frame


def _read_key_value(
    rows: Sequence[tuple[object, ...]], sheet: Sheet, collect: _Collector
) -> dict[str, object]:
    known = {c.name.lower(): c for c in sheet.columns}
    settings: dict[str, object] = {}
    seen_rows: dict[str, int] = {}
    for offset, row in enumerate(rows, start=1):
        cells = [*list(row), None, None]
        key_cell, value = cells[0], cells[1]
        if _blank(key_cell):
            continue
        key = str(key_cell).strip()
        if key.lower() in ("key", "键") or key.startswith("#"):
            continue
        column = known.get(key.lower())
        if column is None:
            collect.warnings.append(
                f"sheet {sheet.name}, row {offset}: unknown key {key!r} ignored"
            )
            continue
        if column.name in seen_rows:
            collect.add(
                sheet.name,
                offset,
                "key",
                f"key {key!r} already given in row {seen_rows[column.name]}",
            )
            continue
        seen_rows[column.name] = offset
        if _blank(value):
            continue
        try:
            settings[column.name] = parse_cell(column, value)
        except ValueError as error:
            collect.add(sheet.name, offset, f"value ({column.name})", str(error))
    for column in sheet.columns:
        if column.name not in settings and column.name not in seen_rows and column.required:
            collect.add(sheet.name, None, "key", f"required key {column.name!r} is missing")
            continue
        if column.name not in settings:
            if column.required and column.name in seen_rows:
                collect.add(sheet.name, seen_rows[column.name], "value", "a value is required")
            settings.setdefault(column.name, _default(column))
    settings["_rows"] = dict(seen_rows)
    return settings


def _open(path: str | os.PathLike[str], collect: _Collector) -> Workbook:
    import openpyxl

    file = Path(path)
    if not file.exists():
        raise CaseError(f"file not found: {file}; check the path")
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        raise CaseError(f"{file.name}: expected an Excel workbook (.xlsx), got {file.suffix!r}")
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        raise CaseError(f"{file.name}: cannot be opened as an .xlsx workbook ({error})") from None


def _sheet_lookup(book: Workbook) -> dict[str, str]:
    return {name.strip().lower(): name for name in book.sheetnames}


def read_model_name(path: str | os.PathLike[str]) -> str:
    """The ``model`` key of a workbook's ``case`` sheet (to pick the model family)."""
    collect = _Collector(str(path))
    book = _open(path, collect)
    try:
        lookup = _sheet_lookup(book)
        if "case" not in lookup:
            raise CaseError([Problem(where(str(path), "case"), "required sheet 'case' is missing")])
        for row in book[lookup["case"]].iter_rows(values_only=True):
            cells = [*list(row), None, None]
            if not _blank(cells[0]) and str(cells[0]).strip().lower() == "model":
                if _blank(cells[1]):
                    break
                return str(cells[1]).strip().lower()
    finally:
        book.close()
    raise CaseError(
        [Problem(where(str(path), "case"), "the key 'model' is missing (e.g. model | joint_park)")]
    )


def read_case_tables(path: str | os.PathLike[str], schema: ModelSchema) -> CaseTables:
    """Read every sheet of ``schema`` from a workbook into typed tables.

    Raises :class:`CaseError` listing every problem found (missing sheets or columns, text in a
    number cell, a ratio outside [0, 1], a wrong choice, …), each naming file, sheet, row and
    column. Sheets not in the schema (``instructions``, notes) are ignored.
    """
    collect = _Collector(str(path))
    book = _open(path, collect)
    settings: dict[str, object] = {}
    tables: dict[str, pd.DataFrame] = {}
    try:
        lookup = _sheet_lookup(book)
        for sheet in schema.sheets:
            actual = lookup.get(sheet.name.lower())
            if actual is None:
                if sheet.required:
                    collect.add(
                        sheet.name,
                        None,
                        None,
                        f"required sheet {sheet.name!r} is missing "
                        f"(run `fairpool template {schema.model}` for the layout)",
                    )
                continue
            rows = list(book[actual].iter_rows(values_only=True))
            if sheet.layout == "key_value":
                settings = _read_key_value(rows, sheet, collect)
                continue
            table = _read_table(rows, sheet, collect)
            if table is not None:
                tables[sheet.name] = table
    finally:
        book.close()
    model = settings.get("model")
    if model is not None and model != schema.model:
        collect.add("case", None, "model", f"expected model {schema.model!r}, got {model!r}")
    if collect.problems:
        raise CaseError(collect.problems)
    return CaseTables(str(path), schema, settings, tables, tuple(collect.warnings))


def case_tables_from_rows(
    schema: ModelSchema,
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    source: str = "case.xlsx",
) -> CaseTables:
    """Typed tables from in-memory rows, through exactly the parsing of :func:`read_case_tables`.

    ``rows`` is ``{sheet: [{column: cell value}]}``; a sheet absent from ``rows`` is absent from
    the workbook (so a missing required sheet is reported). Used to build cases in code (tests,
    generators) without writing a file; row numbers in messages are those the file would have.
    """
    collect = _Collector(source)
    parsed: dict[str, object] = {}
    tables: dict[str, pd.DataFrame] = {}
    for sheet in schema.sheets:
        if sheet.layout == "key_value":
            cells = [(k, cell_value(v)) for k, v in settings.items()]
            parsed = _read_key_value(cells, sheet, collect)
            continue
        if sheet.name not in rows:
            if sheet.required:
                collect.add(sheet.name, None, None, f"required sheet {sheet.name!r} is missing")
            continue
        records = list(rows[sheet.name])
        names = list(dict.fromkeys([*sheet.column_names, *(k for r in records for k in r)]))
        grid = [tuple(names)] + [tuple(cell_value(r.get(n)) for n in names) for r in records]
        table = _read_table(grid, sheet, collect)
        if table is not None:
            tables[sheet.name] = table
    if collect.problems:
        raise CaseError(collect.problems)
    return CaseTables(source, schema, parsed, tables, tuple(collect.warnings))


CaseT = TypeVar("CaseT")


@dataclass(frozen=True)
class CaseReader(Generic[CaseT]):
    """How a model family reads its cases: its ``schema``, and ``build``, which runs the
    family's checks on the typed tables and builds its case (one CaseError for every problem).

    The two ways into a case, a workbook or in-memory rows, are the same for every family, so
    they are written here once; a family exposes them as its ``read_case`` and
    ``case_from_rows`` (``read_case = READER.read_case``).
    """

    schema: ModelSchema
    build: Callable[[CaseTables], CaseT]

    def read_case(self, path: str | os.PathLike[str]) -> CaseT:
        """Read and validate a case workbook; raises :class:`CaseError` listing every problem
        (sheet, row, column) at once."""
        return self.build(read_case_tables(path, self.schema))

    def case_from_rows(
        self, settings: Mapping[str, object], rows: Rows, source: str = "case.xlsx"
    ) -> CaseT:
        """A validated case from in-memory rows (the same parsing and checks as
        :meth:`read_case`); the ``case`` sheet's ``model`` defaults to the family's."""
        settings = {"model": self.schema.model, **settings}
        return self.build(case_tables_from_rows(self.schema, settings, rows, source))
