"""The simplicity of a plan or proposal in the reports (issue 12): ``check``'s text names the
distinct ratios, the grid, the changes and the payments outside benefits; the results
workbook's Fairness sheet holds the price of each simplification (one row each: name,
price in the case unit, still in the core, note) in Chinese and English, and the counts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

import fairpool
from fairpool.cli import app
from fairpool.models.joint_park.proposal import plan_simplicity
from fairpool.models.results import PlanResult, ProposalCheck, Simplification
from fairpool.reports.excel import write_results_workbook
from fairpool.reports.i18n import Language, phrase
from fairpool.reports.text import render_case_result, render_check

CASES = Path(__file__).resolve().parents[2] / "cases"
PARK = CASES / "sichuan_zhejiang_park.xlsx"


@pytest.fixture(scope="module")
def park_check() -> ProposalCheck:
    return fairpool.check(fairpool.read_case(PARK))


@pytest.fixture(scope="module")
def simple_plan() -> PlanResult:
    """The park on the 5% grid with one ratio per stream (the grid alone keeps HiGHS at its
    time limit on this case, which the plan then reports as not applied), its counts set as
    the lead's solve will set them."""
    case = fairpool.read_case(PARK)
    result = fairpool.solve(case, round_to=0.05, uniform_streams=True)
    return dataclasses.replace(result, simplicity=plan_simplicity(case, result))


def fairness_sheet(path: Path, lang: Language) -> Worksheet:
    book = openpyxl.load_workbook(path)
    title = phrase("wb_sheet_fairness", lang)
    return next(ws for ws in book.worksheets if ws.title == title)


def rows_after(sheet: Worksheet, heading: str) -> list[tuple[object, ...]]:
    """The rows below the section ``heading`` up to the next blank row (its note and header
    included)."""
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    start = next(k for k, row in enumerate(rows) if row[0] == heading)
    found = []
    for row in rows[start + 1 :]:
        if all(value is None for value in row):
            break
        found.append(row)
    return found


def test_check_text_tells_the_proposal_s_simplicity(park_check: ProposalCheck) -> None:
    text = render_check(park_check)
    assert "Simplicity (how easy it is to sign):" in text
    assert "9 distinct ratios among 48; every ratio on the 5% grid" in text
    assert (
        "ratio changes across phases: 浙江飞出市 SEND 2, 四川承接县 HOST 1, 四川省 PROV 2" in text
    )
    assert "one ratio per party and phase for every cash stream: no" in text
    assert text.index("Simplicity") < text.index("Smallest fix")


def test_check_text_of_the_cost_families_names_payments_outside_benefits() -> None:
    river = render_check(fairpool.check(fairpool.read_case(CASES / "river_program.xlsx")))
    assert "3 distinct shares among 36; every share on the 5% grid" in river
    assert "10 payments toward projects the party neither hosts nor benefits from" in river
    water = render_check(fairpool.check(fairpool.read_case(CASES / "water_plant.xlsx")))
    assert "not every share on a 5% or 1% grid" in water
    assert "1 payment toward facilities the party neither uses nor hosts (0.54 亿元)" in water


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_has_one_price_row_per_simplification(
    simple_plan: PlanResult, lang: Language, tmp_path: Path
) -> None:
    steps = simple_plan.simplifications
    assert [s.name for s in steps][:1] == ["stability"] and "round_to" in [s.name for s in steps]
    path = write_results_workbook(simple_plan, tmp_path / "park.xlsx", lang=lang)
    rows = rows_after(fairness_sheet(path, lang), phrase("wb_prices_title", lang))
    assert rows[0][0] == phrase("wb_prices_note", lang, unit="万元")
    header = [phrase(f"wb_col_{key}", lang) for key in ("simplification", "price")]
    header += [phrase(f"wb_col_{key}", lang) for key in ("still_in_core", "note")]
    assert list(rows[1][:4]) == header
    table = rows[2:]
    assert len(table) == len(steps)
    for row, step in zip(table, steps, strict=True):
        assert row[0] == phrase(f"simplification_{step.name}", lang)
        if step.applied:
            assert row[1] == pytest.approx(step.price, abs=0.01)
        else:
            assert row[1] == phrase("wb_not_applied", lang)
        assert row[2] == phrase("wb_yes" if step.in_core else "wb_no", lang)
        assert row[3] == step.description


def test_the_workbook_tells_the_plan_s_and_the_proposal_s_simplicity(
    simple_plan: PlanResult, park_check: ProposalCheck, tmp_path: Path
) -> None:
    plan = simple_plan.simplicity
    assert plan is not None and plan.grid == 0.05 and plan.uniform_streams
    text = render_case_result(simple_plan)
    assert f"{plan.distinct_values} distinct ratios among 48; every ratio on the 5% grid" in text
    assert "one ratio per party and phase for every cash stream: yes" in text
    path = write_results_workbook(simple_plan, tmp_path / "plan.xlsx", lang="en")
    heading = phrase("wb_simplicity_title", "en", what="Plan")
    measures = dict(row[:2] for row in rows_after(fairness_sheet(path, "en"), heading)[1:])
    assert measures["Distinct ratios"] == plan.distinct_values
    assert measures["Coarsest grid of every value"] == "5%"
    assert measures["One ratio for every cash stream"] == "Yes"
    assert measures["Ratio changes across phases: 四川省"] == plan.changes["PROV"]
    path = write_results_workbook(park_check, tmp_path / "check.xlsx", lang="zh")
    heading = phrase("wb_simplicity_title", "zh", what="提议")
    measures = dict(row[:2] for row in rows_after(fairness_sheet(path, "zh"), heading)[1:])
    assert measures["不同比例的个数"] == 9
    assert measures["单方最多调整次数"] == 2
    assert measures["各现金税种同一比例"] == "否"
    assert phrase("wb_prices_title", "zh") not in [
        row[0] for row in fairness_sheet(path, "zh").iter_rows(values_only=True)
    ]  # a check took no simplification


def test_a_step_that_was_not_applied_and_an_unknown_step_read_plainly(
    simple_plan: PlanResult, tmp_path: Path
) -> None:
    steps = (
        Simplification("round_to", "rounding to 3% leaves no plan", 5.0, 5.0, 0.0, True, False),
        Simplification("seasonal_split", "fewer values", 5.0, 7.5, 2.5, False),
    )
    result = dataclasses.replace(simple_plan, simplifications=steps, simplicity=None)
    path = write_results_workbook(result, tmp_path / "steps.xlsx", lang="en")
    sheet = fairness_sheet(path, "en")
    table = rows_after(sheet, "The price of simplicity")[2:]
    assert [row[:4] for row in table] == [
        ("Round ratios or shares", "Not applied", "Yes", "rounding to 3% leaves no plan"),
        ("seasonal_split", 2.5, "No", "fewer values"),
    ]
    assert "How simple the Plan is to sign" not in [
        row[0] for row in sheet.iter_rows(values_only=True)
    ]
    text = render_case_result(result)
    assert "seasonal_split: price +2.5" in text and "How easy" not in text


def test_solve_round_to_writes_the_price_table(tmp_path: Path) -> None:
    """Through the real command: ``solve --round-to 0.05 --uniform-streams`` writes the
    results workbook with the price table on its Fairness sheet."""
    result = CliRunner().invoke(
        app,
        ["solve", str(PARK), "--round-to", "0.05", "--uniform-streams", "-o", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.xlsx")
    rows = rows_after(fairness_sheet(path, "zh"), phrase("wb_prices_title", "zh"))[2:]
    names = [row[0] for row in rows]
    for key in ("stability", "uniform_streams", "round_to"):
        assert phrase(f"simplification_{key}", "zh") in names
