"""Schema-driven case workbooks: read (and type-check) and write (templates, shipped cases).

The reader owns the mapping from Excel to clean, typed tables: header names are matched to
the schema's columns (case-insensitively), every cell is parsed by its column's type
(:mod:`fairpool.optimizer.workbook.values`), blank cells get the column's default, and every
problem is collected with file, sheet, row and column into one
:class:`~optimizer.errors.CaseError`. Cross-sheet checks (unknown parties, overlapping
phases, …) belong to the model family, which receives the typed tables and the
:meth:`CaseTables.where` helper to name the cells; reading a case
(:meth:`CaseReader.read_case`) hands the reader's problems to those checks instead of raising
them, so one error lists both. The input file is opened read-only and never modified.

The writer produces the template of a model (``instructions`` sheet in English and Chinese,
one sheet per schema sheet with the SPEC's column names as headers, units and descriptions as
header comments, example rows, drop-down validation for party ids and choices) and the shipped
example cases, from the same schema. Files are written atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, SupportsInt, TypeVar

import pandas as pd

from fairpool.optimizer.errors import CaseError, Problem, place
from fairpool.optimizer.workbook.cells import (
    Row,
    SheetCells,
    Uncached,
    check_regular_file,
    close_name,
    read_sheet_cells,
    uncached_message,
    unreadable_workbook,
)
from fairpool.optimizer.workbook.schema import Column, ModelSchema, Sheet
from fairpool.optimizer.workbook.tables import column_letter
from fairpool.optimizer.workbook.template import Rows, cell_value
from fairpool.optimizer.workbook.values import (
    LIST_SEPARATORS,
    as_number,
    blank,
    default_value,
    parse_cell,
    parse_normalised,
    shown,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

ROW = "_row"
"""Column of every table holding the Excel row number of the record (for messages)."""

Record = dict[str, Any]
"""One row of a case table: ``{column: cell value}`` (``None`` for a blank cell)."""


def table_records(table: pd.DataFrame) -> list[Record]:
    """The rows of a case table as :data:`Record` dicts, in order, each cell the object the
    reader put there (what ``DataFrame.iterrows`` gives, read the same way: ``row[ROW]``).

    Why not ``iterrows``: it builds a pandas Series for every row (some 40 µs each), which
    made checking a 14-party yearly workbook of 14,000 rows take half a second; one list
    per column zipped into dicts takes about 1 µs a row.
    """
    columns = list(table.columns)
    cells = [table[column].tolist() for column in columns]
    return [dict(zip(columns, values, strict=True)) for values in zip(*cells, strict=True)]


@dataclass(frozen=True)
class CaseTables:
    """The typed content of a case workbook.

    Attributes:
        path: the file read.
        schema: the model schema used.
        settings: the ``case`` sheet as ``{key: typed value}``, defaults applied.
        tables: one DataFrame per table sheet present (absent optional sheets are missing);
            columns: the schema's columns, then extra columns, then ``_row`` (Excel row).
        warnings: odd-but-readable findings (unknown keys, cells read after normalising
            full-width characters, …).
        problems: what the reader could not read (only when read with ``collect=True``;
            otherwise the reader raises them), so that the family's checks add theirs.
        broken: the cells (sheet, row, column) those problems are about: a check skips a
            cell already reported (its value is blank or ``None``).
        absent: (sheet, None) for a sheet that is missing and (sheet, column) for a required
            column that is missing (its cells read as ``None``).
    """

    path: str
    schema: ModelSchema
    settings: Mapping[str, object]
    tables: Mapping[str, pd.DataFrame]
    warnings: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    broken: frozenset[tuple[str, int | None, str | None]] = frozenset()
    absent: frozenset[tuple[str, str | None]] = frozenset()

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
    return place(path, sheet, row, column)


@dataclass
class _Collector:
    """What reading a workbook found: problems (with the cells they are about), warnings,
    the sheets and required columns that are missing, and the cells read after normalising
    full-width characters."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    broken: set[tuple[str, int | None, str | None]] = field(default_factory=set)
    absent: set[tuple[str, str | None]] = field(default_factory=set)
    normalised: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    def add(self, sheet: str, row: object, column: str | None, message: str) -> None:
        self.problems.append(Problem.at(self.path, sheet, row, column, message))
        number = int(row) if isinstance(row, SupportsInt) else None
        self.broken.add((sheet, number, column))

    def normalised_warnings(self) -> list[str]:
        """One warning per sheet and column whose cells were read after normalising
        full-width characters: the first cell, as typed and as read, and the other rows."""
        groups: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        for sheet, row, column, typed, read in self.normalised:
            groups.setdefault((sheet, column), []).append((row, typed, read))
        found = []
        for (sheet, column), cells in groups.items():
            row, typed, read = cells[0]
            more = ""
            if len(cells) > 1:
                rows = ", ".join(str(r) for r, _, _ in cells[1:6])
                more = f"; also row(s) {rows}{' …' if len(cells) > 6 else ''} ({len(cells)} cells)"
            found.append(
                f"{where(self.path, sheet, row, column)}: {typed!r} read as {read!r} "
                f"(full-width characters normalised){more}"
            )
        return found


# -- reading ----------------------------------------------------------------------------------


def _read_cell(
    column: Column, value: object, collect: _Collector, sheet: str, row: int, label: str
) -> object:
    """:func:`~fairpool.optimizer.workbook.values.parse_normalised`; a cell read after
    mapping full-width characters is noted for a warning."""
    parsed, typed = parse_normalised(column, value)
    if typed is not None:
        collect.normalised.append((sheet, row, label, typed, shown(parsed)))
    return parsed


def _header(
    header_row: tuple[object, ...], sheet: Sheet, model: str, collect: _Collector
) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Positions of the schema's columns and of extra columns in the header row (row 1).

    A header that is not a column of the sheet but close to a missing one (``schedual`` for
    ``schedule``, ``Min Ratio`` for ``min_ratio``) is an error naming the column meant, so a
    rule does not vanish silently; other extra columns are warned about (``parties``: kept
    as attributes without a word). Returns (positions, extras, columns named by a near miss).
    """
    positions: dict[str, int] = {}
    extras: dict[str, int] = {}
    known = {name.lower(): name for name in sheet.column_names}
    unmatched: list[tuple[int, str]] = []
    for index, cell in enumerate(header_row):
        if blank(cell):
            continue
        if isinstance(cell, Uncached):
            collect.add(sheet.name, 1, column_letter(index), uncached_message(cell))
            continue
        title = str(cell).strip()
        name = known.get(title.lower())
        if name is None:
            unmatched.append((index, title))
        elif name in positions:
            collect.add(sheet.name, 1, title, "this column header appears twice")
        else:
            positions[name] = index
    meant: set[str] = set()
    for index, title in unmatched:
        near = close_name(title, sheet.column_names)
        if near is not None:
            meant.add(near)
            collect.add(
                sheet.name,
                1,
                title,
                f"not a column of sheet {sheet.name} of a {model} case; did you mean {near}?",
            )
        elif title in extras:
            collect.add(sheet.name, 1, title, "this column header appears twice")
        else:
            extras[title] = index
    if extras and not sheet.extra_columns_are_attributes:
        what = "kept but not used" if sheet.allow_extra_columns else "ignored"
        collect.warnings.append(
            f"{where(collect.path, sheet.name, 1)}: column(s) {', '.join(extras)} are not "
            f"columns of a {model} case ({what})"
        )
    return positions, extras, meant


def _outside_cells(
    collect: _Collector, sheet: Sheet, number: int, cells: tuple[object, ...], used: set[int]
) -> None:
    """Warn about values in columns without a header (a stray cell far right or below)."""
    stray = [j for j, c in enumerate(cells) if j not in used and not blank(c)]
    if stray:
        shown = ", ".join(f"{column_letter(j)}{number}" for j in stray[:5])
        collect.warnings.append(
            f"{where(collect.path, sheet.name, number)}: cell(s) {shown} hold a value but "
            "have no column header in row 1; ignored"
        )


def _read_table(
    rows: Sequence[Row], sheet: Sheet, collect: _Collector, model: str = ""
) -> pd.DataFrame | None:
    """A table sheet's records (``rows``: numbered rows holding a value, as read)."""
    header_row = rows[0][1] if rows and rows[0][0] == 1 else ()
    positions, extras, meant = _header(header_row, sheet, model or "this", collect)
    missing = [c.name for c in sheet.columns if c.required and c.name not in positions]
    for name in missing:
        collect.absent.add((sheet.name, name))
        if name not in meant:
            collect.add(sheet.name, 1, name, f"required column {name!r} is missing from the header")
    if extras and not sheet.allow_extra_columns:
        extras = {}
    used = {*positions.values(), *extras.values()}

    records: list[dict[str, object]] = []
    for number, row in rows:
        if number == 1:
            continue
        cells = list(row)
        _outside_cells(collect, sheet, number, row, used)
        if all(blank(cells[j]) for j in used if j < len(cells)):
            continue
        first = next(cells[j] for j in sorted(used) if j < len(cells) and not blank(cells[j]))
        if isinstance(first, str) and first.strip().startswith("#"):
            continue  # comment row
        record: dict[str, object] = {}
        for column in sheet.columns:
            at = positions.get(column.name)
            if at is None and column.name in missing:
                record[column.name] = None  # reported once, for the header
                continue
            value = cells[at] if at is not None and at < len(cells) else None
            if blank(value):
                if column.required:
                    collect.add(sheet.name, number, column.name, "a value is required here")
                record[column.name] = default_value(column)
                continue
            try:
                record[column.name] = _read_cell(
                    column, value, collect, sheet.name, number, column.name
                )
            except ValueError as error:
                collect.add(sheet.name, number, column.name, str(error))
                record[column.name] = None
        for name, index in extras.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, Uncached):
                collect.add(sheet.name, number, name, uncached_message(value))
                value = None
            record[name] = None if blank(value) else value
        record[ROW] = number
        records.append(record)
    frame = pd.DataFrame(records, columns=[*sheet.column_names, *extras, ROW], dtype=object)
    for name in extras:  # numeric extra columns become float columns (party attributes)
        values = frame[name].dropna()
        try:
            numbers = [as_number(v) for v in values]
        except ValueError:
            continue
        frame[name] = pd.Series([None] * len(frame), dtype=float)
        frame.loc[values.index, name] = numbers
    return frame


def _read_key_value(
    rows: Sequence[Row], sheet: Sheet, collect: _Collector, model: str = ""
) -> dict[str, object]:
    """The ``key | value`` sheet (``rows``: numbered rows holding a value, as read).

    A key close to one of the sheet's (``time_limt``) is an error naming the key meant;
    other unknown keys are warnings.
    """
    known = {c.name.lower(): c for c in sheet.columns}
    settings: dict[str, object] = {}
    seen_rows: dict[str, int] = {}
    meant: set[str] = set()  # keys a near-miss key was probably meant to be
    for offset, row in rows:
        cells = [*list(row), None, None]
        key_cell, value = cells[0], cells[1]
        if blank(key_cell):
            continue
        if isinstance(key_cell, Uncached):
            collect.add(sheet.name, offset, "key", uncached_message(key_cell))
            continue
        key = str(key_cell).strip()
        if key.lower() in ("key", "键") or key.startswith("#"):
            continue
        column = known.get(key.lower())
        if column is None:
            near = close_name(key, sheet.column_names)
            if near is not None:
                collect.add(
                    sheet.name,
                    offset,
                    "key",
                    f"{key!r} is not a key of a {model or 'this'} case; did you mean {near}?",
                )
                meant.add(near)
            else:
                collect.warnings.append(
                    f"{where(collect.path, sheet.name, offset)}: unknown key {key!r} ignored"
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
        if blank(value):
            continue
        label = f"value ({column.name})"
        try:
            settings[column.name] = _read_cell(column, value, collect, sheet.name, offset, label)
        except ValueError as error:
            collect.add(sheet.name, offset, label, str(error))
    for column in sheet.columns:
        absent = column.name not in settings and column.name not in seen_rows
        if absent and column.required:
            if column.name not in meant:
                collect.add(sheet.name, None, "key", f"required key {column.name!r} is missing")
            continue
        if column.name not in settings:
            if column.required and column.name in seen_rows:
                collect.add(sheet.name, seen_rows[column.name], "value", "a value is required")
            settings.setdefault(column.name, default_value(column))
    settings["_rows"] = dict(seen_rows)
    return settings


def _open(path: str | os.PathLike[str], collect: _Collector) -> Workbook:
    import openpyxl

    file = check_regular_file(path, "Excel workbook (.xlsx)")
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        raise CaseError(f"{file.name}: expected an Excel workbook (.xlsx), got {file.suffix!r}")
    if file.stat().st_size == 0:
        raise CaseError(
            f"{file.name}: the file is empty (0 bytes); save the workbook again, or start "
            "from `fairpool template <model>`"
        )
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        raise CaseError(f"{file.name}: {unreadable_workbook(error)}") from None


def _sheet_lookup(book: Workbook) -> dict[str, str]:
    return {name.strip().lower(): name for name in book.sheetnames}


def _sheet_rows(book: Workbook, name: str, collect: _Collector) -> tuple[Row, ...]:
    """The rows of a schema sheet holding a value; merged ranges are problems (a merged
    range leaves every cell but its first blank, so values would shift or vanish)."""
    cells: SheetCells = read_sheet_cells(book, name)
    for ranged in cells.merged:
        collect.add(
            name.strip(), None, None, f"cells {ranged} are merged; unmerge them (one value a cell)"
        )
    return cells.rows


def _other_sheets(book: Workbook, schema: ModelSchema, collect: _Collector) -> None:
    """Sheets that are not the schema's: close to a missing one (``Limit`` for ``limits``) is
    an error naming it; any other (notes, …) is a warning, except the template's
    ``instructions``."""
    for actual in book.sheetnames:
        name = actual.strip()
        if name.lower() in schema.sheet_names or name.lower() in ("instructions", "说明"):
            continue
        near = close_name(name, schema.sheet_names)
        if near is not None:
            collect.add(
                name, None, None, f"not a sheet of a {schema.model} case; did you mean {near}?"
            )
        else:
            collect.warnings.append(
                f"{where(collect.path, name)}: not a sheet of a {schema.model} case; ignored"
            )


def read_model_name(path: str | os.PathLike[str], known: Sequence[str] = ()) -> str:
    """The ``model`` key of a workbook's ``case`` sheet (to pick the model family); with
    ``known`` (the family names), any other name is an error naming its cell."""
    collect = _Collector(str(path))
    book = _open(path, collect)
    try:
        lookup = _sheet_lookup(book)
        if "case" not in lookup:
            near = close_name("case", book.sheetnames)
            hint = f"; is sheet {near!r} meant to be it? name it 'case'" if near else ""
            raise CaseError(
                [Problem(where(str(path), "case"), f"required sheet 'case' is missing{hint}")]
            )
        for number, row in read_sheet_cells(book, lookup["case"]).rows:
            cells = [*list(row), None, None]
            if not blank(cells[0]) and str(cells[0]).strip().lower() == "model":
                if blank(cells[1]) or isinstance(cells[1], Uncached):
                    break
                name = str(cells[1]).strip().lower()
                if known and name not in known:
                    near = close_name(name, known)
                    hint = f"did you mean {near}?" if near else f"models are {', '.join(known)}"
                    raise CaseError(
                        [
                            Problem(
                                where(str(path), "case", number, "value"),
                                f"unknown model {name!r}; {hint}",
                            )
                        ]
                    )
                return name
    finally:
        book.close()
    raise CaseError(
        [Problem(where(str(path), "case"), "the key 'model' is missing (e.g. model | joint_park)")]
    )


def read_case_tables(
    path: str | os.PathLike[str], schema: ModelSchema, *, collect: bool = False
) -> CaseTables:
    """Read every sheet of ``schema`` from a workbook into typed tables.

    Raises :class:`CaseError` listing every problem found (missing sheets or columns, a sheet
    or column name close to the schema's, text in a number cell, a ratio outside [0, 1], a
    wrong choice, a formula without a saved value, merged cells, …), each naming file, sheet,
    row and column. With ``collect`` the problems are returned in the tables instead
    (:attr:`CaseTables.problems`; a broken cell reads as ``None``, a missing sheet as an
    empty table), so that the family's checks find theirs in the same pass. Other sheets and
    columns not in the schema are warnings, and so are cells read after normalising
    full-width characters (``SZ＋SW``, ``６０％``); the template's ``instructions`` sheet is
    ignored. Only cells holding a value are read, so a stray cell far down or right costs
    nothing. A file that cannot be opened as a workbook raises at once.
    """
    found = _Collector(str(path))
    book = _open(path, found)
    settings: dict[str, object] = {}
    tables: dict[str, pd.DataFrame] = {}
    try:
        lookup = _sheet_lookup(book)
        _other_sheets(book, schema, found)
        for sheet in schema.sheets:
            actual = lookup.get(sheet.name.lower())
            if actual is None:
                found.absent.add((sheet.name, None))
                if sheet.required:
                    found.add(
                        sheet.name,
                        None,
                        None,
                        f"required sheet {sheet.name!r} is missing "
                        f"(run `fairpool template {schema.model}` for the layout)",
                    )
                continue
            rows = _sheet_rows(book, actual, found)
            if sheet.layout == "key_value":
                settings = _read_key_value(rows, sheet, found, schema.model)
                continue
            table = _read_table(rows, sheet, found, schema.model)
            if table is not None:
                tables[sheet.name] = table
    finally:
        book.close()
    model = settings.get("model")
    if model is not None and model != schema.model:
        found.add("case", None, "model", f"expected model {schema.model!r}, got {model!r}")
    return _tables(found, schema, settings, tables, collect)


def _tables(
    found: _Collector,
    schema: ModelSchema,
    settings: Mapping[str, object],
    tables: Mapping[str, pd.DataFrame],
    collect: bool,
) -> CaseTables:
    """The typed tables and what reading them found; raises the problems unless ``collect``."""
    warnings = (*found.warnings, *found.normalised_warnings())
    if found.problems and not collect:
        raise CaseError(found.problems, warnings=warnings)
    return CaseTables(
        found.path,
        schema,
        settings,
        tables,
        warnings,
        tuple(found.problems),
        frozenset(found.broken),
        frozenset(found.absent),
    )


def case_tables_from_rows(
    schema: ModelSchema,
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    source: str = "case.xlsx",
    *,
    collect: bool = False,
) -> CaseTables:
    """Typed tables from in-memory rows, through exactly the parsing of :func:`read_case_tables`
    (``collect`` as there).

    ``rows`` is ``{sheet: [{column: cell value}]}``; a sheet absent from ``rows`` is absent from
    the workbook (so a missing required sheet is reported). Used to build cases in code (tests,
    generators) without writing a file; row numbers in messages are those the file would have.
    """
    found = _Collector(source)
    parsed: dict[str, object] = {}
    tables: dict[str, pd.DataFrame] = {}
    for sheet in schema.sheets:
        if sheet.layout == "key_value":
            cells = [(k, cell_value(v)) for k, v in settings.items()]
            parsed = _read_key_value(list(enumerate(cells, start=1)), sheet, found, schema.model)
            continue
        if sheet.name not in rows:
            found.absent.add((sheet.name, None))
            if sheet.required:
                found.add(sheet.name, None, None, f"required sheet {sheet.name!r} is missing")
            continue
        records = list(rows[sheet.name])
        names = list(dict.fromkeys([*sheet.column_names, *(k for r in records for k in r)]))
        grid = [tuple(names)] + [tuple(cell_value(r.get(n)) for n in names) for r in records]
        table = _read_table(list(enumerate(grid, start=1)), sheet, found, schema.model)
        if table is not None:
            tables[sheet.name] = table
    return _tables(found, schema, parsed, tables, collect)


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
        (sheet, row, column) at once: what the reader could not read and what the family's
        checks find in the rest, in one pass."""
        return self.build(read_case_tables(path, self.schema, collect=True))

    def case_from_rows(
        self, settings: Mapping[str, object], rows: Rows, source: str = "case.xlsx"
    ) -> CaseT:
        """A validated case from in-memory rows (the same parsing and checks as
        :meth:`read_case`); the ``case`` sheet's ``model`` defaults to the family's."""
        settings = {"model": self.schema.model, **settings}
        return self.build(case_tables_from_rows(self.schema, settings, rows, source, collect=True))


__all__ = [
    "LIST_SEPARATORS",
    "ROW",
    "CaseReader",
    "CaseTables",
    "Record",
    "case_tables_from_rows",
    "parse_cell",
    "read_case_tables",
    "read_model_name",
    "table_records",
    "where",
]
