"""``fairpool validate`` finds everything in one pass (issue 11), through the real command.

What the reader cannot read no longer hides what the family's checks find: one run lists
both, each with file, sheet, row and column, as text and as ``--json``. A display name typed
where an id belongs gets "did you mean <id> (<name>)?"; full-width ``＋ ， ％``, digits and
spaces are read and reported as warnings; a revenue year outside every phase is a problem;
rules that cannot hold together are found by the feasibility LP of ``solve`` and reported
with their rows (exit 3, as ``solve`` exits). Checks that need a broken cell wait, and say so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from fairpool.cli import app

CASES = Path(__file__).resolve().parents[1] / "cases"
PARK = "sichuan_zhejiang_park.xlsx"
RIVER = "river_program.xlsx"
WATER = "water_plant.xlsx"

runner = CliRunner()


def edited(folder: Path, shipped: str, cells: dict[str, dict[str, object]]) -> Path:
    """A copy of a shipped workbook with ``{sheet: {cell: value}}`` written into it (the
    park's copy is ``park.xlsx``)."""
    path = folder / ("park.xlsx" if shipped == PARK else shipped)
    shutil.copy(CASES / shipped, path)
    book = openpyxl.load_workbook(path)
    for sheet, values in cells.items():
        for ref, value in values.items():
            book[sheet][ref] = value
    book.save(path)
    return path


def validate(path: Path, *options: str) -> Any:
    return runner.invoke(app, ["validate", str(path), *options])


def document(result: Any) -> dict[str, Any]:
    """The one JSON document on stdout (json.loads fails on anything else)."""
    return dict(json.loads(result.stdout))


def places(doc: dict[str, Any]) -> set[tuple[object, ...]]:
    return {(e["sheet"], e["row"], e["column"]) for e in doc["errors"]}


# the workbook: three cells the reader refuses, and four problems its checks find
BROKEN = {
    "costs": {"D2": "lots"},  # text in a number
    "rules": {"F3": "sometimes"},  # not a schedule
    "revenues": {"C2": "twenty", "C3": 2050},  # text in a year; a year in no phase
    "components": {
        "B5": "浙江飞出市+四川承接县",  # display names typed for SEND+HOST
        "B6": "SEND＋HOST＋PROV",  # full-width plus signs
    },
}


def test_reader_problems_do_not_hide_the_family_checks(tmp_path: Path) -> None:
    result = validate(edited(tmp_path, PARK, BROKEN))
    assert result.exit_code == 2
    message = result.stderr
    assert "6 problems found" in message
    for words in (
        ("sheet costs, row 2, column amount", "'lots'"),
        ("sheet rules, row 3, column schedule", "'sometimes'"),
        ("sheet revenues, row 2, column year", "'twenty'"),
        ("sheet revenues, row 3, column year", "2050", "no phase"),
        (
            "sheet components, row 5, column requires",
            "'浙江飞出市'",
            "did you mean SEND (浙江飞出市)?",
        ),
        (
            "sheet components, row 5, column requires",
            "'四川承接县'",
            "did you mean HOST (四川承接县)?",
        ),
    ):
        assert any(all(word in line for word in words) for line in message.splitlines()), words
    # the full-width row is read, not refused: a warning names it
    assert "SEND＋HOST＋PROV" not in message.split("warning:")[0]
    assert "warning: park.xlsx, sheet components, row 6, column requires" in message
    assert "read as 'SEND+HOST+PROV'" in message
    assert "Traceback" not in result.output


def test_the_json_error_document_places_every_problem(tmp_path: Path) -> None:
    result = validate(edited(tmp_path, PARK, BROKEN), "--json")
    assert result.exit_code == 2
    doc = document(result)
    assert doc["ok"] is False and doc["exit_code"] == 2
    assert {e["file"] for e in doc["errors"]} == {"park.xlsx"}
    assert places(doc) == {
        ("costs", 2, "amount"),
        ("rules", 3, "schedule"),
        ("revenues", 2, "year"),
        ("revenues", 3, "year"),
        ("components", 5, "requires"),
    }
    assert len(doc["errors"]) == 6
    assert all(not e["message"].startswith("park.xlsx") for e in doc["errors"])
    assert any("read as 'SEND+HOST+PROV'" in w for w in doc["warnings"])
    # listed sheet by sheet in the workbook's order, rows ascending
    order = [(e["sheet"], e["row"]) for e in doc["errors"]]
    assert order.index(("components", 5)) < order.index(("revenues", 2))
    assert order.index(("revenues", 2)) < order.index(("revenues", 3))
    assert order.index(("revenues", 3)) < order.index(("costs", 2))


def test_fixing_the_problems_leaves_no_second_round(tmp_path: Path) -> None:
    """Once the listed cells are fixed, nothing new turns up: the first run said it all."""
    fixed = {
        "costs": {"D2": 2500},
        "rules": {"F3": None},
        "revenues": {"C2": 2025, "C3": 2026},
        "components": {"B5": "SEND+HOST", "B6": "SEND＋HOST＋PROV"},
    }
    result = validate(edited(tmp_path, PARK, fixed), "--json")
    assert result.exit_code == 0, result.output
    doc = document(result)
    assert doc["valid"] is True and doc["rules_checked"] is True
    assert any("column requires" in w and "SEND+HOST+PROV" in w for w in doc["warnings"])


def test_full_width_digits_percent_commas_and_spaces_are_read_and_reported(
    tmp_path: Path,
) -> None:
    cells = {
        "rules": {"D2": "２０％"},  # 0.2, as the rule had it
        "revenues": {"C5": "２０２８"},  # the year the row had
        "components": {"B6": "SEND，HOST，　PROV"},  # full-width commas and an ideographic space
        "case": {"B6": "２０２５"},  # base_year on the key | value sheet
    }
    result = validate(edited(tmp_path, PARK, cells), "--json")
    assert result.exit_code == 0, result.output
    warnings = document(result)["warnings"]
    expected = {
        "sheet rules, row 2, column min_ratio": "read as '0.2'",
        "sheet revenues, row 5, column year": "read as '2028'",
        "sheet components, row 6, column requires": "read as 'SEND+HOST+PROV'",
        "sheet case, row 6, column value (base_year)": "read as '2025'",
    }
    for place, read in expected.items():
        assert any(place in w and read in w and "full-width" in w for w in warnings), place


def test_many_full_width_cells_of_a_column_make_one_warning(tmp_path: Path) -> None:
    years = {
        f"C{row}": f"{2026 + row - 23:d}".translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        )
        for row in range(23, 30)
    }
    result = validate(edited(tmp_path, PARK, {"revenues": years}), "--json")
    assert result.exit_code == 0, result.output
    about_years = [w for w in document(result)["warnings"] if "column year" in w]
    assert len(about_years) == 1
    assert "row 23" in about_years[0] and "7 cells" in about_years[0]


def test_a_name_typed_for_an_id_anywhere_gets_the_id(tmp_path: Path) -> None:
    cells = {"costs": {"B2": "四川承接县"}, "rules": {"A4": "四川省"}, "limits": {"A2": "四川承接"}}
    result = validate(edited(tmp_path, PARK, cells), "--json")
    assert result.exit_code == 2
    messages = {(e["sheet"], e["row"]): e["message"] for e in document(result)["errors"]}
    assert "did you mean HOST (四川承接县)?" in messages[("costs", 2)]
    assert "did you mean PROV (四川省)?" in messages[("rules", 4)]
    assert "did you mean HOST (四川承接县)?" in messages[("limits", 2)]  # a near miss of a name


def test_a_year_outside_every_phase_is_a_problem(tmp_path: Path) -> None:
    result = validate(edited(tmp_path, PARK, {"revenues": {"C10": 2060}}), "--json")
    assert result.exit_code == 2
    (error,) = document(result)["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("revenues", 10, "year")
    assert "2060 is in no phase" in error["message"]


def test_a_check_that_needs_a_broken_cell_waits_and_says_so(tmp_path: Path) -> None:
    """A phase whose end year cannot be read would make its revenues look outside every
    phase: that check waits, and the error names it."""
    result = validate(edited(tmp_path, PARK, {"phases": {"C3": "later"}}))
    assert result.exit_code == 2
    assert "sheet phases, row 3, column end_year" in result.stderr
    assert "in no phase" not in result.stderr
    assert "not checked until the problems above are fixed" in result.stderr
    assert "revenue year lies in a phase" in result.stderr
    doc = document(validate(tmp_path / "park.xlsx", "--json"))
    assert any("revenue year" in s for s in doc["skipped"])


def test_one_problem_per_cell(tmp_path: Path) -> None:
    """A blank required cell is reported by the reader alone (the family's check of the same
    cell, "name at least one party", is not said twice)."""
    result = validate(edited(tmp_path, PARK, {"components": {"B3": None}}), "--json")
    assert result.exit_code == 2
    (error,) = document(result)["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("components", 3, "requires")


def test_a_missing_sheet_is_one_problem_not_a_flood(tmp_path: Path) -> None:
    path = edited(tmp_path, PARK, {})
    book = openpyxl.load_workbook(path)
    del book["parties"]
    book.save(path)
    result = validate(path, "--json")
    assert result.exit_code == 2
    doc = document(result)
    assert [e["sheet"] for e in doc["errors"]] == ["parties"]
    assert "required sheet 'parties'" in doc["errors"][0]["message"]
    assert any("parties named in other sheets" in s for s in doc["skipped"])  # they wait


def test_a_missing_column_keeps_the_other_columns_checked(tmp_path: Path) -> None:
    cells = {"costs": {"B1": "payer", "A3": "NOPE"}}
    result = validate(edited(tmp_path, PARK, cells), "--json")
    assert result.exit_code == 2
    assert places(document(result)) >= {("costs", 1, "party"), ("costs", 3, "component")}


def test_rules_that_cannot_hold_together_are_found_with_their_rows(tmp_path: Path) -> None:
    path = edited(tmp_path, PARK, {"rules": {"D2": 0.6, "D3": 0.6}})
    result = validate(path)
    assert result.exit_code == 3
    assert "sheet rules row 2" in result.stderr and "sheet rules row 3" in result.stderr
    doc = document(validate(path, "--json"))
    assert doc["exit_code"] == 3
    assert places(doc) == {("rules", 2, None), ("rules", 3, None)}
    assert all("cannot hold together" in e["message"] for e in doc["errors"])
    solved = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path), "--no-cache"])
    assert solved.exit_code == 3  # the same verdict as solve's


def test_a_floor_no_split_can_meet_is_found_alone(tmp_path: Path) -> None:
    doc = document(validate(edited(tmp_path, PARK, {"limits": {"F2": 500000}}), "--json"))
    assert doc["exit_code"] == 3
    assert places(doc) == {("limits", 2, None)}


@pytest.mark.parametrize("shipped", [PARK, RIVER, WATER, "jingjinji_relocation.xlsx"])
def test_every_shipped_case_is_valid(shipped: str, tmp_path: Path) -> None:
    path = tmp_path / shipped
    shutil.copy(CASES / shipped, path)
    result = validate(path, "--json")
    assert result.exit_code == 0, result.output
    doc = document(result)
    assert doc["ok"] is True and doc["valid"] is True and doc["file"] == shipped
    assert doc["rules_checked"] is (doc["model"] == "joint_park")


def test_infrastructure_and_cost_sharing_collect_in_one_pass(tmp_path: Path) -> None:
    river = edited(tmp_path, RIVER, {"budgets": {"C4": "lots"}, "capex": {"A2": "NOPE"}})
    assert places(document(validate(river, "--json"))) == {
        ("budgets", 4, "amount"),
        ("capex", 2, "project"),
    }
    water = edited(tmp_path, WATER, {"parties": {"C2": "lots"}, "connections": {"A2": "苏州"}})
    doc = document(validate(water, "--json"))
    assert places(doc) == {("parties", 2, "demand"), ("connections", 2, "party")}
    assert any("did you mean SZ (苏州)?" in e["message"] for e in doc["errors"])
    assert any("served on its own" in s for s in doc["skipped"])
