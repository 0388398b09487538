"""The results workbook, read back with openpyxl: its sheets in both languages, the verdict
sentence, the figures against the result they render, number formats, print setup, formula
injection, and the coalition table's limit. Charts: ``test_excel_charts.py``; the printed
pages: ``test_workbook_pages.py``."""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

import fairpool
from fairpool.models import family
from fairpool.models.family import PlanResult, ProposalCheck
from fairpool.reports import excel_sheets
from fairpool.reports.excel import write_results_workbook
from fairpool.reports.excel_style import text_width
from fairpool.reports.i18n import PHRASES, format_money, phrase

CASES = Path(__file__).resolve().parents[2] / "cases"

SOLVE_SHEETS = {
    "joint_park": [
        "summary",
        "charts",
        "allocations",
        "plan",
        "fairness",
        "cash_flows",
        "statistics",
        "coalitions",
        "run_details",
    ],
    "infrastructure": [
        "summary",
        "charts",
        "allocations",
        "plan",
        "fairness",
        "cash_flows",
        "payments",
        "build",
        "coalitions",
        "run_details",
    ],
    "cost_sharing": [
        "summary",
        "charts",
        "allocations",
        "plan",
        "fairness",
        "facilities",
        "connections",
        "coalitions",
        "run_details",
    ],
}
"""The sheets (code names) of a solve's workbook, in order, per family."""


PHRASE_PATTERN = re.compile(
    "|".join(
        "".join(
            ".+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{\w+\})", zh)
        )
        for _, zh in PHRASES.values()
    )
)
"""Any Chinese phrase of the table, its ``{fields}`` filled with anything."""


def solved(name: str) -> PlanResult:
    return fairpool.solve(fairpool.read_case(CASES / name))


@pytest.fixture(scope="module")
def park() -> PlanResult:
    return solved("sichuan_zhejiang_park.xlsx")


@pytest.fixture(scope="module")
def river() -> PlanResult:
    return solved("river_program.xlsx")


@pytest.fixture(scope="module")
def water() -> PlanResult:
    return solved("water_plant.xlsx")


@pytest.fixture(scope="module")
def relocation() -> PlanResult:
    return solved("jingjinji_relocation.xlsx")


@pytest.fixture(scope="module")
def park_check() -> ProposalCheck:
    case = fairpool.read_case(CASES / "sichuan_zhejiang_park.xlsx")
    return family(case.model).check(case, None)


def written(
    result: PlanResult | ProposalCheck, folder: Path, **options: object
) -> openpyxl.Workbook:
    path = write_results_workbook(result, folder / "results.xlsx", **options)  # type: ignore[arg-type]
    return openpyxl.load_workbook(path)


def sheet(book: openpyxl.Workbook, code: str) -> Worksheet:
    """The sheet whose code name (stable in every language) is ``code``."""
    found = [ws for ws in book.worksheets if ws.sheet_properties.codeName == code]
    assert len(found) == 1, f"{code}: {[ws.sheet_properties.codeName for ws in book.worksheets]}"
    return found[0]


def codes(book: openpyxl.Workbook) -> list[str]:
    return [ws.sheet_properties.codeName for ws in book.worksheets]


def cells(ws: Worksheet) -> Iterator[openpyxl.cell.Cell]:
    for row in ws.iter_rows():
        yield from row


def row_of(ws: Worksheet, text: str, column: int = 1) -> int:
    """The first row whose cell in ``column`` holds ``text``."""
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == text:
            return row
    raise AssertionError(f"{text!r} not in column {column} of {ws.title}")


def header_of(ws: Worksheet, row: int) -> list[object]:
    return [ws.cell(row=row, column=c).value for c in range(1, ws.max_column + 1)]


# -- sheets and languages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["sichuan_zhejiang_park.xlsx", "river_program.xlsx", "water_plant.xlsx"]
)
def test_every_family_gets_its_sheets_in_order(name: str, tmp_path: Path) -> None:
    result = solved(name)
    book = written(result, tmp_path)
    expected = SOLVE_SHEETS[result.model]
    if "side_payments" in result.tables:  # transfers = explicit (the river programme's sheet)
        expected = [*expected[:-2], "side_payments", *expected[-2:]]
    assert codes(book) == expected
    assert next(ws.title for ws in book.worksheets) == "摘要"  # Chinese party names: zh


def test_the_language_follows_the_case_and_can_be_overridden(park, tmp_path: Path) -> None:
    zh = written(park, tmp_path / "zh")
    en = written(park, tmp_path / "en", lang="en")
    for code in ("summary", "allocations", "fairness", "coalitions", "run_details"):
        assert sheet(zh, code).title == phrase(f"wb_sheet_{code}", "zh")
        assert sheet(en, code).title == phrase(f"wb_sheet_{code}", "en")
    latin = dataclasses.replace(park, case_name="Park", names=("Sender", "Host", "Province"))
    book = written(latin, tmp_path / "latin")
    assert sheet(book, "summary").title == "Summary"
    party_header = row_of(sheet(book, "summary"), "Party")
    assert sheet(book, "summary").cell(row=party_header + 1, column=1).value == "Sender"


def test_a_check_renders_the_proposal(park_check, tmp_path: Path) -> None:
    book = written(park_check, tmp_path)
    assert "plan" in codes(book) and sheet(book, "plan").title == "提议"
    allocations = sheet(book, "allocations")
    first = row_of(allocations, "提议")
    shares = [allocations.cell(row=first, column=2 + i).value for i in range(3)]
    assert shares == pytest.approx([park_check.amounts[p] for p in park_check.players], rel=1e-9)
    verdict = sheet(book, "summary").cell(row=4, column=1).value
    if park_check.in_core:
        assert verdict == phrase("verdict_stable", "zh", what="提议")
    else:
        leaving = park_check.worst_coalition.split("+")
        names = " + ".join(park_check.names[park_check.players.index(p)] for p in leaving)
        assert verdict.startswith(f"{names}退出可多得")


# -- the summary ------------------------------------------------------------------------------


def test_the_summary_says_the_verdict_in_one_sentence(park, relocation, tmp_path: Path) -> None:
    stable = sheet(written(park, tmp_path / "a"), "summary")
    assert stable.cell(row=1, column=1).value == park.case_name
    assert stable.cell(row=4, column=1).value == phrase("verdict_stable", "zh", what="方案")
    assert stable.cell(row=4, column=1).fill.fgColor.rgb.endswith("C6EFCE")  # green
    blocked = sheet(written(relocation, tmp_path / "b"), "summary")
    sentence = blocked.cell(row=4, column=1).value
    beijing = relocation.names[relocation.players.index(relocation.worst_coalition)]
    amount = format_money(relocation.worst_excess, "万元", 0)
    assert sentence == phrase("verdict_blocked", "zh", parties=beijing, amount=amount)
    assert amount == "2,494 万元" and beijing in sentence
    assert blocked.cell(row=4, column=1).fill.fgColor.rgb.endswith("FFC7CE")  # red
    english = sheet(written(relocation, tmp_path / "c", lang="en"), "summary")
    assert english.cell(row=4, column=1).value == f"{beijing} would gain {amount} by leaving: " + (
        "the split is not stable."
    )


def test_the_summary_table_shows_each_party(park, tmp_path: Path) -> None:
    summary = sheet(written(park, tmp_path), "summary")
    header = row_of(summary, "参与方")
    assert header_of(summary, header)[:7] == [
        "参与方",
        "单独",
        "方案",
        "沙普利值",
        "核仁",
        "较单独所得",
        "个体理性",
    ]
    for i, party in enumerate(park.players):
        row = [summary.cell(row=header + 1 + i, column=c).value for c in range(1, 8)]
        alone = park.game.standalone_values[i]
        assert row[0] == park.names[i]
        assert row[1:6] == pytest.approx(
            [
                alone,
                park.amounts[party],
                park.allocations["shapley"].shares[i],
                park.allocations["nucleolus"].shares[i],
                park.amounts[party] - alone,
            ],
            abs=1e-6,
        )
        assert row[6] == "是"
    total = header + 1 + len(park.players)
    assert summary.cell(row=total, column=3).value == pytest.approx(park.game.grand_value)


def test_the_summary_prints_on_one_landscape_page(park, tmp_path: Path) -> None:
    summary = sheet(written(park, tmp_path), "summary")
    setup = summary.page_setup
    assert setup.orientation == "landscape"
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 1)
    assert summary.sheet_properties.pageSetUpPr.fitToPage


def test_money_is_in_the_case_unit_with_decimals_by_magnitude(park, river, tmp_path: Path) -> None:
    wan = sheet(written(park, tmp_path / "park"), "summary")
    yi = sheet(written(river, tmp_path / "river"), "summary")
    grand_wan = wan.cell(row=row_of(wan, "全体合作的总净现值"), column=2)
    grand_yi = yi.cell(row=row_of(yi, "全体合作的总净现值"), column=2)
    assert grand_wan.value == pytest.approx(park.game.grand_value)
    assert grand_wan.number_format == '#,##0" 万元"'  # 37,606: whole 万元
    assert grand_yi.number_format == '#,##0.0" 亿元"'  # 230.7: one decimal
    assert text_width("37,606 万元") == 11


# -- allocations ------------------------------------------------------------------------------


def test_allocations_put_methods_in_rows_and_shade_blocked_ones(park, tmp_path: Path) -> None:
    allocations = sheet(written(park, tmp_path), "allocations")
    header = row_of(allocations, "方法")
    assert header_of(allocations, header)[:7] == [
        "方法",
        *park.names,
        "合计",
        "在核心内",
        "阻断的联盟",
    ]
    for method, allocation in park.allocations.items():
        label = PHRASES.get(method, PHRASES.get(f"method_{method}", (method, method)))[1]
        row = row_of(allocations, label)
        values = [allocations.cell(row=row, column=2 + i).value for i in range(3)]
        assert values == pytest.approx(list(allocation.shares), abs=1e-6)
        blocked = not park.fairness[method].in_core
        fill = allocations.cell(row=row, column=2).fill.fgColor.rgb
        assert fill.endswith("FFC7CE") == blocked, method
        assert (allocations.cell(row=row, column=6).value == "否") == blocked
        if blocked:
            assert allocations.cell(row=row, column=7).value  # the coalition, by name
    shares = row_of(allocations, "占总额")
    equal = next(
        r
        for r in range(shares, allocations.max_row + 1)
        if allocations.cell(row=r, column=1).value == "平均分配"
    )
    assert allocations.cell(row=equal, column=2).value == pytest.approx(1 / 3)
    assert allocations.cell(row=equal, column=2).number_format == "0.0%"


def test_allocations_turn_when_parties_outnumber_methods(water, tmp_path: Path) -> None:
    few = dataclasses.replace(water, allocations={"shapley": water.allocations["shapley"]})
    allocations = sheet(written(few, tmp_path), "allocations")
    header = row_of(allocations, "参与方")
    assert header_of(allocations, header)[:5] == ["参与方", "方案", "沙普利值", "单独", "核心下限"]
    for i, name in enumerate(water.names):
        assert allocations.cell(row=header + 1 + i, column=1).value == name
        assert allocations.cell(row=header + 1 + i, column=3).value == pytest.approx(
            water.allocations["shapley"].shares[i]
        )


# -- the plan ---------------------------------------------------------------------------------


def test_the_park_plan_is_a_matrix_of_percentages(park, tmp_path: Path) -> None:
    plan = sheet(written(park, tmp_path), "plan")
    header = row_of(plan, "税种")
    phases = list(dict.fromkeys(park.plan_table.phase))
    assert header_of(plan, header) == ["税种", "参与方", *(f"第{p}阶段" for p in phases)]
    vat = row_of(plan, "VAT")
    for i, party in enumerate(park.players):
        for j, phase in enumerate(phases):
            table = park.plan_table
            expected = table[
                (table.party == party) & (table.stream == "VAT") & (table.phase == phase)
            ].ratio.item()
            cell = plan.cell(row=vat + i, column=3 + j)
            assert cell.value == pytest.approx(expected) and cell.number_format == "0.0%"
    assert plan.cell(row=vat + 3, column=2).value == "合计"
    assert plan.cell(row=vat + 3, column=3).value == pytest.approx(1.0)
    gdp = row_of(plan, "GDP （统计）")
    assert plan.cell(row=gdp + 3, column=3).value > 1.0  # credited to several parties
    notes = [c.value for c in cells(plan) if isinstance(c.value, str) and "统计分算" in c.value]
    assert notes and "100%" in notes[0]


def test_infrastructure_shares_are_amounts_and_percentages_by_project(
    river, tmp_path: Path
) -> None:
    plan = sheet(written(river, tmp_path), "plan")
    projects = list(dict.fromkeys(river.plan_table.project))
    header = row_of(plan, "参与方")
    assert header_of(plan, header) == ["参与方", *projects, "合计"]
    sums = river.plan_table.groupby(["party", "project"]).amount.sum()
    first = header + 2  # the project names row under the header
    for i, party in enumerate(river.players):
        for j, project in enumerate(projects):
            shown = plan.cell(row=first + i, column=2 + j).value
            assert shown == pytest.approx(sums.get((party, project), 0.0), abs=1e-6)
    shares = next(
        r
        for r in range(first + 5, plan.max_row + 1)
        if plan.cell(row=r, column=1).value == "参与方"
    )
    column = [plan.cell(row=shares + 2 + i, column=2).value for i in range(len(river.players))]
    assert sum(column) == pytest.approx(1.0)


def test_cost_sharing_plan_is_party_by_cost(water, tmp_path: Path) -> None:
    plan = sheet(written(water, tmp_path), "plan")
    header = row_of(plan, "参与方")
    assert header_of(plan, header) == ["参与方", "全部成本", "合计"]
    amounts = [plan.cell(row=header + 1 + i, column=2).value for i in range(6)]
    assert amounts == pytest.approx([water.amounts[p] for p in water.players])


# -- fairness, cash flows, coalitions, run details -------------------------------------------


def test_fairness_lists_every_method_with_red_and_green(park, tmp_path: Path) -> None:
    fairness = sheet(written(park, tmp_path), "fairness")
    header = row_of(fairness, "方法")
    labels = []  # the methods table ends at its first blank row (the simplicity counts follow)
    for r in range(header + 1, fairness.max_row + 1):
        if fairness.cell(row=r, column=1).value is None:
            break
        labels.append(fairness.cell(row=r, column=1).value)
    assert labels[0] == "方案" and len(labels) == len(park.fairness)
    for r, (method, report) in enumerate(
        [("plan", park.fairness["plan"])]
        + [(m, f) for m, f in park.fairness.items() if m != "plan"]
    ):
        row = header + 1 + r
        in_core = park.in_core if method == "plan" else report.in_core
        assert fairness.cell(row=row, column=2).value == ("是" if in_core else "否")
        excess = park.worst_excess if method == "plan" else report.worst_excess
        assert fairness.cell(row=row, column=5).value == pytest.approx(excess, abs=1e-6)
    rules = [
        (str(ranges.sqref), rule.dxf.fill.fgColor.rgb)
        for ranges in fairness.conditional_formatting
        for rule in ranges.rules
    ]
    assert any(ref.startswith("B") and fill.endswith("FFC7CE") for ref, fill in rules)
    assert any(ref.startswith("B") and fill.endswith("C6EFCE") for ref, fill in rules)
    note = fairness.cell(row=2, column=1).value
    assert "v(S) − x(S)" in note  # the excess's sign explained


def test_cash_flows_are_years_by_party(park, tmp_path: Path) -> None:
    flows = sheet(written(park, tmp_path), "cash_flows")
    party_row = row_of(flows, "浙江飞出市", column=3)
    years = sorted(park.cash_flows.year.unique())
    assert flows.cell(row=party_row + 1, column=1).value == years[0]
    net = park.cash_flows.pivot(index="year", columns="party", values="net")
    for t, year in enumerate(years):
        for k, party in enumerate(park.players):
            value = flows.cell(row=party_row + 1 + t, column=3 + k).value
            assert value == pytest.approx(net.loc[year, party], abs=1e-6)
    assert flows.freeze_panes == f"C{party_row + 1}"
    discounted = next(
        c.column for c in flows[party_row - 1] if c.value == phrase("wb_col_discounted_net", "zh")
    )
    npv = flows.cell(row=party_row + 1 + len(years), column=discounted).value
    assert npv == pytest.approx(park.amounts["SEND"], rel=1e-9)


def test_coalitions_show_their_value_and_gain_by_leaving(relocation, tmp_path: Path) -> None:
    coalitions = sheet(written(relocation, tmp_path), "coalitions")
    header = row_of(coalitions, "联盟")
    rows = {
        coalitions.cell(row=r, column=2).value: [
            coalitions.cell(row=r, column=c).value for c in (3, 4, 5, 6)
        ]
        for r in range(header + 1, header + 4)
    }
    assert rows["BJ"] == pytest.approx(
        [1, 3632.880313, relocation.amounts["BJ"], relocation.worst_excess], rel=1e-6
    )
    assert rows["BJ+HB"][1] == pytest.approx(relocation.game.grand_value)
    rule = next(iter(coalitions.conditional_formatting))
    assert str(rule.sqref) == f"F{header + 1}:F{header + 3}"


def test_a_coalition_table_longer_than_the_limit_keeps_the_most_tempted(
    water, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel_sheets, "COALITION_ROWS", 10)
    monkeypatch.setattr(excel_sheets, "PRINTED_COALITIONS", 4)
    coalitions = sheet(written(water, tmp_path), "coalitions")
    header = row_of(coalitions, "联盟")
    gains = [coalitions.cell(row=header + 1 + k, column=6).value for k in range(10)]
    masks = np.arange(1, 64)
    amounts = np.array([water.amounts[p] for p in water.players])
    excess = np.array([amounts[[i for i in range(6) if m >> i & 1]].sum() for m in masks])
    excess = excess - water.game.values[masks]
    assert gains == pytest.approx(sorted(excess, reverse=True)[:10])  # closest to leaving first
    note = coalitions.cell(row=header + 11, column=1).value
    assert note.startswith("另有53个联盟未列出")
    assert coalitions.cell(row=3, column=1).value.startswith("打印：最接近退出的4个联盟")
    assert coalitions.print_area == f"'{coalitions.title}'!$A$1:$F${header + 4}"
    assert coalitions.auto_filter.ref == f"A{header}:F{header + 10}"


def test_timings_appear_only_on_the_run_details(park, tmp_path: Path) -> None:
    book = written(park, tmp_path)
    steps = set(park.timings)
    for ws in book.worksheets:
        texts = {c.value for c in cells(ws) if isinstance(c.value, str)}
        if ws.sheet_properties.codeName == "run_details":
            assert steps <= texts
        else:
            assert not steps & texts, ws.title


# -- text, formats, widths, print ---------------------------------------------------------------


def test_names_that_look_like_formulas_stay_text(park, tmp_path: Path) -> None:
    sly = dataclasses.replace(
        park, case_name='=HYPERLINK("http://x")', names=("=1+1", "+SUM(A1)", "@cmd")
    )
    book = written(sly, tmp_path)
    seen = 0
    for ws in book.worksheets:
        for cell in cells(ws):
            if isinstance(cell.value, str) and cell.value[:1] in "=+@":
                assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                seen += 1
    assert seen > 10


def test_widths_count_chinese_characters_double(park, tmp_path: Path) -> None:
    fairness = sheet(written(park, tmp_path), "fairness")
    widest = max(text_width(str(c.value)) for c in fairness["D"] if c.row > 3 and c.value)
    assert fairness.column_dimensions["D"].width >= widest
    assert text_width("浙江飞出市 + 四川承接县") == 23


def test_tables_repeat_their_header_rows_and_freeze_them(river, tmp_path: Path) -> None:
    book = written(river, tmp_path)
    for code in ("allocations", "plan", "fairness", "cash_flows", "coalitions"):
        ws = sheet(book, code)
        assert ws.print_title_rows, code
        assert ws.freeze_panes, code
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1


def test_every_header_is_a_phrase_or_a_name(park, river, water, tmp_path: Path) -> None:
    """Blue header cells hold only labels of the phrase table, party names, stream or
    project ids: no internal key reaches a reader."""
    for result in (park, river, water):
        book = written(result, tmp_path / result.model)
        words = set(result.names) | {str(v) for v in result.plan_table.get("project", [])}
        for ws in book.worksheets:
            for cell in cells(ws):
                if cell.fill.fgColor.rgb == "001F4E79" and cell.value is not None:
                    text = str(cell.value)
                    assert text in words or PHRASE_PATTERN.fullmatch(text), (ws.title, text)


def test_the_workbook_gets_the_permissions_of_a_new_file(water, tmp_path: Path) -> None:
    """Written atomically through a temporary file, yet not left owner-only (0600)."""
    umask = os.umask(0o022)
    try:
        path = write_results_workbook(water, tmp_path / "results.xlsx")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["results.xlsx"]  # no temporary left
