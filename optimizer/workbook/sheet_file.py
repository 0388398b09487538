"""One sheet of a case workbook, from a file of its own: a workbook holding that sheet, or a
CSV file with its columns (``fairpool check --proposal offer.csv``).

A negotiator writes a proposal as a few rows, not as a copy of the whole case: this reader
takes the one sheet a command needs from an ``.xlsx`` workbook (any other sheet, a whole
case's included, is not read) or from a ``.csv`` file (UTF-8, or the GB 18030 that Excel
writes on a Chinese system; comma, semicolon or tab separated), and parses its cells exactly
as :func:`~fairpool.optimizer.workbook.reader.read_case_tables` parses the case's own sheet,
so the same rows give the same table whichever file they come in. Rows keep their numbers
in the file (the CSV's line numbers), for messages.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from pathlib import Path

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.workbook.cells import check_regular_file, close_name
from fairpool.optimizer.workbook.reader import (
    CaseTables,
    case_tables_from_rows,
    read_case_tables,
)
from fairpool.optimizer.workbook.schema import ModelSchema

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Encodings a CSV is read in, in order: UTF-8 (with or without Excel's BOM), then GB 18030
(a superset of the GBK that Excel's plain "CSV" writes on a Chinese system)."""


def one_sheet_schema(schema: ModelSchema, sheet: str) -> ModelSchema:
    """``schema`` with only sheet ``sheet``, optional (a file without it reads as empty)."""
    chosen = dataclasses.replace(schema.sheet(sheet), required=False)
    return dataclasses.replace(schema, sheets=(chosen,))


def read_sheet_file(path: str | os.PathLike[str], schema: ModelSchema, sheet: str) -> CaseTables:
    """Sheet ``sheet`` of ``schema`` from the file at ``path``, as typed tables.

    An ``.xlsx`` workbook: its sheet ``sheet`` (the other sheets are not read); a ``.csv``
    file: its header names the sheet's columns (any case), each line is a row. Cells are
    parsed as in a case workbook; problems name the file, the row and the column. The table
    is absent from the result when the workbook has no such sheet (the caller says what it
    needed). Other file types, unreadable text and a CSV without a required column are
    :class:`CaseError` s at once.
    """
    file = check_regular_file(path, "proposal file (.xlsx or .csv)")
    suffix = file.suffix.lower()
    only = one_sheet_schema(schema, sheet)
    if suffix in WORKBOOK_SUFFIXES:
        tables = read_case_tables(file, only)
        other_sheet = "; ignored"
        kept = tuple(w for w in tables.warnings if not w.endswith(other_sheet))
        return dataclasses.replace(tables, warnings=kept)
    if suffix in CSV_SUFFIXES:
        return case_tables_from_rows(
            only, {}, {sheet: csv_records(file, only, sheet)}, source=str(file)
        )
    raise CaseError(
        f"{file.name}: expected an Excel workbook (.xlsx) or a CSV file (.csv), got "
        f"{file.suffix or 'no extension'!r}"
    )


def csv_text(file: Path) -> str:
    """The text of a CSV file in the first of :data:`CSV_ENCODINGS` that reads it."""
    raw = file.read_bytes()
    if b"\0" in raw:
        raise CaseError(
            f"{file.name}: not CSV text (it holds NUL bytes, as a binary file does); save "
            "the table as 'CSV UTF-8'"
        )
    for encoding in CSV_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CaseError(f"{file.name}: not UTF-8 or GB 18030 text; save the table as 'CSV UTF-8'")


def csv_records(file: Path, schema: ModelSchema, sheet: str) -> list[dict[str, object]]:
    """The rows of a CSV file as {column: text} (``None`` for a blank cell), one per line
    after the header, blank lines included (so that row numbers are line numbers).

    The header's names are matched to the sheet's columns case-insensitively; a required
    column missing from it is a :class:`CaseError` naming the file, row 1 and the columns
    found (with the one a near miss was probably meant to be).
    """
    text = csv_text(file)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise CaseError(
            f"{file.name}: the file is empty; expected a header row "
            f"({', '.join(schema.sheet(sheet).column_names)}) and one row per entry"
        )
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise CaseError(f"{file.name}: cannot be read as CSV: {error}") from None
    declared = schema.sheet(sheet)
    known = {name.lower(): name for name in declared.column_names}
    header = [cell.strip() for cell in rows[0]]
    names = [known.get(cell.lower(), cell) for cell in header]
    problems = []
    for column in declared.columns:
        if column.required and column.name not in names:
            near = close_name(column.name, [n for n in names if n not in known.values()])
            hint = f" ({near!r} is it? name it {column.name})" if near else ""
            problems.append(
                Problem.at(
                    str(file),
                    None,
                    1,
                    column.name,
                    f"required column {column.name!r} is missing from the header{hint}; the "
                    f"header has {', '.join(header) or 'nothing'}",
                )
            )
    if problems:
        raise CaseError(problems)
    records = []
    for cells in rows[1:]:
        record: dict[str, object] = {}
        for name, cell in zip(names, cells, strict=False):
            if name:
                record[name] = cell if cell.strip() else None
        records.append(record)
    return records


__all__ = [
    "CSV_ENCODINGS",
    "CSV_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "csv_records",
    "csv_text",
    "one_sheet_schema",
    "read_sheet_file",
]
