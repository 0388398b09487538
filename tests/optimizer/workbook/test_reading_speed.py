"""Reading a case fast gives what the slow way gave (issue 14).

The sheet reader reads plain cells itself instead of through openpyxl's rich-text objects,
and the checks walk a table's rows as dicts instead of ``iterrows``; both must give exactly
what openpyxl and ``iterrows`` give, cell for cell, including the cells that still go
through openpyxl (rich text, phonetic runs, dates, booleans, errors, cached formulas).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fairpool.cases import case_path
from fairpool.models.joint_park.case import read_case as read_park_case
from fairpool.optimizer.workbook.cells import read_sheet_cells
from fairpool.optimizer.workbook.reader import ROW, read_case_tables, table_records

HANDWRITTEN_ROWS = (
    # plain inline strings, with and without spaces kept, and an empty one
    '<row r="5"><c r="A5" t="inlineStr"><is><t>plain</t></is></c>'
    '<c r="B5" t="inlineStr"><is><t xml:space="preserve"> padded </t></is></c>'
    '<c r="C5" t="inlineStr"><is><t/></is></c>'
    '<c r="D5" t="inlineStr"><is><t>深圳＋SW</t></is></c></row>'
    # rich text and a phonetic run: openpyxl's own path
    '<row r="6"><c r="A6" t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r>'
    '</is></c><c r="B6" t="inlineStr"><is><t>ph</t><rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
    "</row>"
    # numbers in every spelling, cells without a reference (placed after the previous one)
    '<row r="7"><c r="A7"><v>42</v></c><c r="B7"><v>1.5E-3</v></c><c><v>-7</v></c>'
    '<c><v>0</v></c><c r="G7"><v>2.50</v></c></row>'
    # booleans, errors, cached formulas (number, text) and a formula saved as ""
    '<row r="8"><c r="A8" t="b"><v>1</v></c><c r="B8" t="e"><v>#N/A</v></c>'
    '<c r="C8"><f>1+1</f><v>2</v></c><c r="D8" t="str"><f>A5</f><v>plain</v></c>'
    '<c r="E8" t="str"><f>""</f><v></v></c><c r="F8" t="n"><v>3</v></c></row>'
)


def handwritten_workbook(tmp_path: Path) -> Path:
    """A workbook from openpyxl (shared strings, a date, a boolean, a float, a blank) with rows
    of cells written by hand after them, as other programs write them (inline strings)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "data"
    sheet.append(["id", "name", 3, 2.25, True])
    sheet.append([dt.datetime(2026, 5, 17), dt.date(2030, 1, 1), None, "x", -1e300])
    sheet.append(["shared", "shared", 1234567890123, 0.1, False])
    written = tmp_path / "written.xlsx"
    book.save(written)
    target = tmp_path / "handwritten.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                assert "</sheetData>" in text
                text = text.replace("</sheetData>", HANDWRITTEN_ROWS + "</sheetData>")
                data = text.encode()
            copy.writestr(item, data)
    return target


def openpyxl_rows(path: Path) -> list[tuple[int, tuple[object, ...]]]:
    """The rows holding a value as openpyxl's read-only, values-only reading gives them."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book["data"]
        sheet.reset_dimensions()  # the rows written by hand lie outside the saved dimension
        found = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [None if value == "" else value for value in row]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                found.append((number, tuple(cells)))
        return found
    finally:
        book.close()


def test_sheet_cells_are_what_openpyxl_reads(tmp_path: Path) -> None:
    path = handwritten_workbook(tmp_path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = read_sheet_cells(book, "data").rows
    finally:
        book.close()
    expected = openpyxl_rows(path)
    assert rows == tuple(expected)
    read = dict(rows)
    assert read[5] == ("plain", " padded ", None, "深圳＋SW")
    assert read[6] == ("rich", "ph")
    assert read[7] == (42, 0.0015, -7, 0, None, None, 2.5)
    assert [type(v) for v in read[7][:4]] == [int, float, int, int]
    assert read[8][:4] == (True, "#N/A", 2, "plain")
    assert read[2][:2] == (dt.datetime(2026, 5, 17), dt.datetime(2030, 1, 1))


def test_table_records_are_the_rows_iterrows_gives() -> None:
    frame = pd.DataFrame(
        {
            "party": pd.Series(["A", None, "C"], dtype=object),
            "share": pd.Series([0.5, None, 2], dtype=object),
            "gdp": pd.Series([1.5, np.nan, 3.0], dtype=float),
            ROW: pd.Series([2, 3, 5], dtype=object),
        }
    )
    records = table_records(frame)
    assert [list(r) for r in records] == [list(frame.columns)] * 3
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        for column in frame.columns:
            mine, theirs = record[column], row[column]
            assert type(mine) is type(theirs)
            assert mine == theirs or (mine != mine and theirs != theirs)  # NaN
    assert table_records(frame.iloc[:0]) == []


@pytest.mark.parametrize("name", ["sichuan_zhejiang_park.xlsx", "river_program.xlsx"])
def test_shipped_tables_match_openpyxl_cells(name: str) -> None:
    """Every typed table of a shipped case holds the values openpyxl reads in its cells."""
    from fairpool.models import family_of

    path = case_path(name)
    tables = read_case_tables(path, family_of(path).schema)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet, table in tables.tables.items():
            grid = {
                number: row
                for number, row in enumerate(book[sheet].iter_rows(values_only=True), start=1)
            }
            header = [str(c).strip().lower() if c is not None else "" for c in grid[1]]
            for record in table_records(table):
                cells = grid[record[ROW]]
                for column in ("amount", "year", "project", "party", "stream", "component"):
                    if column in header and column in record:
                        assert record[column] == cells[header.index(column)], (sheet, column)
    finally:
        book.close()


def test_derived_park_arrays_are_computed_once_and_read_only() -> None:
    case = read_park_case(case_path("sichuan_zhejiang_park.xlsx"))
    phases = case.phase_of_year
    assert phases is case.phase_of_year
    assert not phases.flags.writeable and not case.cash.flags.writeable
    expected = np.full(len(case.years), -1)
    for h, phase in enumerate(case.phases):
        expected[(case.years >= phase.start_year) & (case.years <= phase.end_year)] = h
    assert np.array_equal(phases, expected)
    assert np.array_equal(case.cash, [s.kind == "cash" for s in case.streams])
    with pytest.raises(ValueError):
        phases[0] = 7
    assert [case.stream_index(s.stream) for s in case.streams] == list(range(len(case.streams)))
    assert case.phase_index(case.phases[-1].phase) == len(case.phases) - 1
    with pytest.raises(ValueError, match="not in list"):
        case.stream_index("no such stream")
