"""The case-workbook reader's limits and messages (issue 9): used range, near-miss names,
non-regular files, full-width numbers, formulas without a saved value, merged cells, dates
in year cells, declared minimums."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.cases import case_path
from fairpool.models.joint_park.schema import JOINT_PARK
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.cells import (
    Uncached,
    close_name,
    edit_distance,
    plain_name,
    read_sheet_cells,
)
from fairpool.optimizer.workbook.reader import parse_cell, read_case_tables, read_model_name
from fairpool.optimizer.workbook.schema import Column, Sheet

PARK = "sichuan_zhejiang_park.xlsx"


def edited(tmp_path: Path, change: Callable[[openpyxl.Workbook], None], name: str = PARK) -> Path:
    """A copy of a shipped case with ``change`` applied (openpyxl, formulas kept as written)."""
    book = openpyxl.load_workbook(case_path(name))
    change(book)
    target = tmp_path / name
    book.save(target)
    return target


def problems_of(path: Path) -> str:
    with pytest.raises(CaseError) as caught:
        read_case_tables(path, JOINT_PARK)
    return str(caught.value)


# -- used range ---------------------------------------------------------------------------------


def _stray(book: openpyxl.Workbook) -> None:
    book["parties"]["XFD1048576"] = "x"
    book["rules"]["XFD1048576"].number_format = "0.00"  # formatted, no value


def test_the_used_range_ends_at_the_last_cell_holding_a_value(tmp_path: Path) -> None:
    path = edited(tmp_path, _stray)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        assert book["parties"].max_row == 1048576  # the recorded dimension is padded
        parties = read_sheet_cells(book, "parties")
        rules = read_sheet_cells(book, "rules")
    finally:
        book.close()
    assert [number for number, _ in parties.rows] == [1, 2, 3, 4, 1048576]
    assert len(parties.rows[-1][1]) == 16384 and parties.rows[-1][1][-1] == "x"
    assert sum(len(cells) for _, cells in parties.rows[:-1]) == 16  # 4 rows × A:D
    assert [number for number, _ in rules.rows] == list(range(1, 10))


def test_a_stray_cell_is_a_warning_naming_it(tmp_path: Path) -> None:
    tables = read_case_tables(edited(tmp_path, _stray), JOINT_PARK)
    assert len(tables.table("parties")) == 3
    assert any("XFD1048576" in w and "sheet parties" in w for w in tables.warnings)


# -- sheet and column names ---------------------------------------------------------------------


def test_a_misspelled_optional_sheet_is_an_error_naming_the_sheet_meant(tmp_path: Path) -> None:
    def rename(book: openpyxl.Workbook) -> None:
        book["limits"].title = "Limit"

    message = problems_of(edited(tmp_path, rename))
    assert f"{PARK}, sheet Limit: not a sheet of a joint_park case; did you mean limits?" in (
        message
    )


def test_a_misspelled_column_is_an_error_naming_the_column_meant(tmp_path: Path) -> None:
    def rename(book: openpyxl.Workbook) -> None:
        book["rules"]["F1"] = "schedual"

    message = problems_of(edited(tmp_path, rename))
    assert "sheet rules, row 1, column schedual" in message
    assert "did you mean schedule?" in message


def test_a_misspelled_key_is_an_error(tmp_path: Path) -> None:
    def add(book: openpyxl.Workbook) -> None:
        book["case"].append(["time_limt", 60])

    assert "'time_limt' is not a key of a joint_park case; did you mean time_limit?" in (
        problems_of(edited(tmp_path, add))
    )


def test_unknown_sheets_and_columns_are_warnings(tmp_path: Path) -> None:
    def add(book: openpyxl.Workbook) -> None:
        book.create_sheet("notes")["A1"] = "met on 3 May"
        book["rules"]["G1"] = "comment"
        book["rules"]["G2"] = "agreed"

    tables = read_case_tables(edited(tmp_path, add), JOINT_PARK)
    assert any("sheet notes: not a sheet of a joint_park case" in w for w in tables.warnings)
    assert any("sheet rules" in w and "comment" in w for w in tables.warnings)
    assert not any("instructions" in w for w in tables.warnings)


def test_party_attribute_columns_are_not_warned_about() -> None:
    tables = read_case_tables(case_path(PARK), JOINT_PARK)
    assert tables.warnings == ()


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("Limit", "limits"),
        ("schedual", "schedule"),
        ("Min Ratio", "min_ratio"),
        ("min-ratio", "min_ratio"),
        ("RULES", "rules"),
        ("stream", "streams"),
    ],
)
def test_close_names(name: str, meant: str) -> None:
    names = [*JOINT_PARK.sheet_names, "min_ratio", "schedule"]
    assert close_name(name, names) == meant


@pytest.mark.parametrize("name", ["notes", "gdp", "population", "area", "comment", "x"])
def test_names_far_from_every_schema_name_are_not_close(name: str) -> None:
    names = [*JOINT_PARK.sheet_names, *JOINT_PARK.sheet("rules").column_names, "id", "name"]
    assert close_name(name, names) is None


def _brute_distance(a: str, b: str) -> int:
    """Edit distance by breadth-first search over single edits (tiny alphabets only)."""
    alphabet = set(a + b)
    seen, frontier, steps = {a}, {a}, 0
    while b not in seen:
        following = set()
        for text in frontier:
            for i in range(len(text) + 1):
                for ch in alphabet:
                    following.add(text[:i] + ch + text[i:])
                if i < len(text):
                    following.add(text[:i] + text[i + 1 :])
                    for ch in alphabet:
                        following.add(text[:i] + ch + text[i + 1 :])
                if i + 1 < len(text):
                    following.add(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
        frontier = following - seen
        seen |= frontier
        steps += 1
    return steps


@given(st.text("abc", max_size=4), st.text("abc", max_size=4))
def test_edit_distance_is_at_most_the_fewest_single_edits(a: str, b: str) -> None:
    # OSA never exceeds the true (unrestricted) distance by more than the restriction allows;
    # on these short strings with at most one swap they agree.
    brute = _brute_distance(a, b)
    assert brute <= edit_distance(a, b) <= brute + 1
    assert edit_distance(a, b) == edit_distance(b, a)


@given(st.sampled_from(JOINT_PARK.sheet_names), st.integers(0, 20), st.sampled_from("xyzq"))
def test_one_typo_in_a_sheet_name_finds_that_sheet(name: str, at: int, ch: str) -> None:
    at %= len(name)
    typo = name[:at] + ch + name[at + 1 :]
    found = close_name(typo, JOINT_PARK.sheet_names)
    if len(name) >= 3:
        assert found is not None
        assert edit_distance(plain_name(typo), plain_name(found)) <= 1


# -- files that are not regular files ---------------------------------------------------------


@pytest.fixture
def fifo(named_pipe: Callable[[str], Path]) -> Path:
    """A named pipe (``named_pipe``): reading it would block, not fail."""
    return named_pipe("case.xlsx")


def test_a_fifo_is_refused_at_once(fifo: Path) -> None:
    for read in (lambda: read_case_tables(fifo, JOINT_PARK), lambda: read_model_name(fifo)):
        with pytest.raises(CaseError, match=r"is a named pipe \(FIFO\); give the path of a"):
            read()


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.xlsx"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(CaseError, match="not a regular file"):
            read_case_tables(path, JOINT_PARK)
    finally:
        server.close()


# -- cell messages ------------------------------------------------------------------------------


def _column(kind: str, **kwargs: object) -> Column:
    return Column("x", kind, "d", "说明", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "cell", "expected"),
    [
        ("ratio", "６０％", 0.6),
        ("number", "３００", 300.0),
        ("number", "１，２００．５", 1200.5),
        ("number", "－５", -5.0),
        ("integer", "２０３０", 2030),
    ],
)
def test_full_width_numbers_read_like_ascii(kind: str, cell: str, expected: object) -> None:
    assert parse_cell(_column(kind), cell) == expected


FULL_WIDTH = str.maketrans("0123456789.-%", "０１２３４５６７８９．－％")


@given(st.floats(-1e9, 1e9, allow_nan=False), st.booleans())
def test_a_full_width_number_is_the_same_number(value: float, percent: bool) -> None:
    text = f"{value!r}%" if percent else repr(value)
    if "e" in text:
        return
    column = _column("number")
    assert parse_cell(column, text.translate(FULL_WIDTH)) == parse_cell(column, text)


def test_a_formula_without_a_saved_value_says_why(tmp_path: Path) -> None:
    def formula(book: openpyxl.Workbook) -> None:
        book["rules"]["D2"] = "=0.1*2"

    message = problems_of(edited(tmp_path, formula))
    assert "sheet rules, row 2, column min_ratio: the formula =0.1*2 has no saved value" in message
    assert "never opened in Excel" in message and "open and save it in Excel or LibreOffice" in (
        message
    )
    assert "a value is required" not in message


def test_uncached_is_told_apart_from_an_empty_result() -> None:
    assert str(Uncached("=A1")) == "=A1"
    with pytest.raises(ValueError, match="never opened in Excel"):
        parse_cell(_column("number"), Uncached("=A1"))


def test_merged_cells_are_named(tmp_path: Path) -> None:
    def merge(book: openpyxl.Workbook) -> None:
        book["rules"].merge_cells("D2:E2")

    assert "sheet rules: cells D2:E2 are merged; unmerge them" in problems_of(
        edited(tmp_path, merge)
    )


def test_a_date_in_a_year_cell_is_reported_as_a_date(tmp_path: Path) -> None:
    def date(book: openpyxl.Workbook) -> None:
        book["revenues"]["C2"] = dt.datetime(2030, 1, 1)

    message = problems_of(edited(tmp_path, date))
    assert "sheet revenues, row 2, column year: 2030-01-01 is a date; write the year, 2030" in (
        message
    )


def test_a_date_in_an_amount_cell_is_reported_as_a_date() -> None:
    with pytest.raises(ValueError, match="2030-01-01 is a date; write a number"):
        parse_cell(_column("number"), dt.date(2030, 1, 1))


# -- declared minimums --------------------------------------------------------------------------


TIME_LIMIT = Sheet.case("joint_park").column("time_limit")


@pytest.mark.parametrize("limit", [-5, 0, "-1"])
def test_a_time_limit_must_be_positive(limit: object) -> None:
    with pytest.raises(ValueError, match=r"expected a number > 0 \(s\)"):
        parse_cell(TIME_LIMIT, limit)


def test_a_negative_time_limit_fails_validation_with_its_place(tmp_path: Path) -> None:
    def negative(book: openpyxl.Workbook) -> None:
        sheet = book["case"]
        rows = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "time_limit"]
        row = rows[0] if rows else sheet.max_row + 1
        sheet.cell(row, 1, "time_limit")
        sheet.cell(row, 2, -5)

    message = problems_of(edited(tmp_path, negative))
    assert "sheet case" in message and "column value (time_limit): expected a number > 0" in (
        message
    )


@given(st.floats(0, 1e6, allow_nan=False), st.booleans())
def test_a_declared_minimum_is_enforced_exactly(minimum: float, exclusive: bool) -> None:
    column = _column("number", minimum=minimum, exclusive_minimum=exclusive)
    assert parse_cell(column, minimum + 1) == minimum + 1
    if exclusive:
        with pytest.raises(ValueError):
            parse_cell(column, minimum)
    else:
        assert parse_cell(column, minimum) == minimum
    if minimum > 0:
        with pytest.raises(ValueError):
            parse_cell(column, -minimum)
