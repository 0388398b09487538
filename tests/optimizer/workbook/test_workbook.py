"""Schema-driven reading of case workbooks: typed cells, every problem with its place."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from fairpool.models.joint_park import write_template
from fairpool.models.joint_park.schema import JOINT_PARK
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.reader import (
    case_tables_from_rows,
    parse_cell,
    read_case_tables,
    read_model_name,
)
from fairpool.optimizer.workbook.schema import Column
from fairpool.optimizer.workbook.template import write_case_workbook


def _column(kind: str, **kwargs) -> Column:
    return Column("x", kind, "d", "说明", **kwargs)


@pytest.mark.parametrize(
    ("kind", "cell", "expected"),
    [
        ("number", 3, 3.0),
        ("number", "1,200.5", 1200.5),
        ("ratio", "60%", 0.6),
        ("ratio", 0.25, 0.25),
        ("integer", 2026.0, 2026),
        ("id", 1.0, "1"),
        ("id", " HOST ", "HOST"),
        ("id_list", "SEND + HOST", ("SEND", "HOST")),
        ("id_list", "SEND、HOST，PROV", ("SEND", "HOST", "PROV")),
        ("bool", "是", True),
        ("bool", "FALSE", False),
    ],
)
def test_cells_are_parsed_by_their_column_type(kind: str, cell: object, expected: object) -> None:
    assert parse_cell(_column(kind), cell) == expected


@pytest.mark.parametrize(
    ("kind", "cell", "message"),
    [
        ("number", "abc", "expected a number, got text 'abc'"),
        ("ratio", 1.5, "between 0 and 1"),
        ("integer", 2026.5, "whole number"),
        ("bool", "maybe", "TRUE or FALSE"),
    ],
)
def test_bad_cells_say_what_was_expected(kind: str, cell: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_cell(_column(kind), cell)


def test_choice_cells_accept_only_their_choices() -> None:
    column = _column("choice", choices=("floor", "cap"))
    assert parse_cell(column, " Cap ") == "cap"
    with pytest.raises(ValueError, match="floor, cap"):
        parse_cell(column, "ceiling")


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template(tmp_path / "park.xlsx")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_template_reads_back_into_typed_tables(template: Path) -> None:
    before = _digest(template)
    tables = read_case_tables(template, JOINT_PARK)
    assert _digest(template) == before  # the input is never modified
    assert read_model_name(template) == "joint_park"
    assert tables.settings["discount_rate"] == 0.05 and tables.settings["base_year"] == 2025
    components = tables.tables["components"]
    assert components.loc[0, "requires"] == ("SEND", "HOST")
    assert tables.tables["phases"]["start_year"].tolist() == [2026, 2031]
    assert tables.tables["parties"]["gdp"].tolist() == [8000.0, 2000.0]
    assert tables.tables["revenues"]["_row"].iloc[0] == 2


def test_template_has_every_sheet_headers_instructions_and_dropdowns(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[0] == "instructions"
    assert set(JOINT_PARK.sheet_names) <= set(book.sheetnames)
    for sheet in JOINT_PARK.sheets:
        if sheet.layout == "table":
            header = [c.value for c in book[sheet.name][1]]
            assert header[: len(sheet.columns)] == list(sheet.column_names)
    text = " ".join(str(c.value) for row in book["instructions"].iter_rows() for c in row)
    assert "How to fill" in text and "填写说明" in text and "case unit" in text
    formulas = [dv.formula1 for dv in book["rules"].data_validations.dataValidation]
    assert any("parties!$A$2" in f for f in formulas)  # party ids as a drop-down
    assert book["revenues"]["D1"].comment is not None  # unit and description on the header


def _break(template: Path, edits: dict[str, dict[str, object]], drop: str | None = None) -> Path:
    book = openpyxl.load_workbook(template)
    for sheet, cells in edits.items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    if drop:
        del book[drop]
    book.save(template)
    return template


def test_missing_sheet_is_named(template: Path) -> None:
    with pytest.raises(CaseError, match=r"park\.xlsx, sheet costs: required sheet 'costs'"):
        read_case_tables(_break(template, {}, drop="costs"), JOINT_PARK)


def test_text_in_a_number_cell_is_named_with_row_and_column(template: Path) -> None:
    path = _break(template, {"revenues": {"D3": "lots"}})
    with pytest.raises(CaseError) as caught:
        read_case_tables(path, JOINT_PARK)
    assert "sheet revenues, row 3, column amount: expected a number, got text 'lots'" in str(
        caught.value
    )


def test_every_problem_of_a_file_is_reported_together(template: Path) -> None:
    path = _break(
        template,
        {
            "revenues": {"D3": "lots", "C4": "next year"},
            "rules": {"D2": 2.0},
            "case": {"B5": "soon"},
        },
    )
    with pytest.raises(CaseError) as caught:
        read_case_tables(path, JOINT_PARK)
    wheres = [p.where for p in caught.value.problems]
    assert "park.xlsx, sheet revenues, row 3, column amount" in wheres
    assert "park.xlsx, sheet revenues, row 4, column year" in wheres
    assert "park.xlsx, sheet rules, row 2, column min_ratio" in wheres
    assert any(
        w.startswith("park.xlsx, sheet case, row 5, column value (discount_rate)") for w in wheres
    )


def test_missing_required_column_is_named(template: Path) -> None:
    path = _break(template, {"costs": {"B1": "payer"}})
    with pytest.raises(CaseError, match="sheet costs, row 1, column party: required column"):
        read_case_tables(path, JOINT_PARK)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "park.csv"
    path.write_text("a,b\n")
    with pytest.raises(CaseError, match="expected an Excel workbook"):
        read_case_tables(path, JOINT_PARK)
    with pytest.raises(CaseError, match="file not found"):
        read_case_tables(tmp_path / "none.xlsx", JOINT_PARK)


def test_rows_in_memory_parse_like_a_file(small_park_rows, tmp_path: Path) -> None:
    settings, rows = small_park_rows
    memory = case_tables_from_rows(JOINT_PARK, settings, rows)
    path = write_case_workbook(tmp_path / "case.xlsx", JOINT_PARK, settings, rows)
    from_file = read_case_tables(path, JOINT_PARK)
    for sheet in ("revenues", "rules", "components"):
        left, right = memory.tables[sheet], from_file.tables[sheet]
        assert (
            left.drop(columns="_row").values.tolist() == right.drop(columns="_row").values.tolist()
        )
