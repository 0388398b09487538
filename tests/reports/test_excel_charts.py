"""The workbook's native charts, read from the saved file's chart parts (``xl/charts/*.xml``):
how many, of which kind, and that every series points at the cells that show its figures
(its name at the method's or party's label, its values along the row or column)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

import fairpool
from fairpool.models import family
from fairpool.models.family import PlanResult, SweepLine, SweepResult
from fairpool.reports.excel import write_results_workbook

CASES = Path(__file__).resolve().parents[2] / "cases"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@dataclass(frozen=True)
class ChartSeries:
    kind: str  # barChart, lineChart
    name: str  # the reference of its name
    categories: str
    values: str


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[ChartSeries]

    def kinds(self) -> set[str]:
        return {s.kind for s in self.series}


def charts_of(path: Path) -> list[Chart]:
    """Every chart part of the workbook, in order: its title text and its series."""
    found = []
    with zipfile.ZipFile(path) as archive:
        names = sorted(
            (n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
            key=lambda n: int(re.findall(r"\d+", n)[0]),
        )
        for name in names:
            root = ElementTree.fromstring(archive.read(name))
            heading = root.find(f"{C}chart/{C}title")
            title = "".join(t.text or "" for t in heading.iter(f"{A}t"))
            series = []
            for plot in root.find(f"{C}chart/{C}plotArea"):
                for ser in plot.findall(f"{C}ser"):
                    series.append(
                        ChartSeries(
                            plot.tag.removeprefix(C),
                            ser.find(f"{C}tx//{C}f").text,
                            ser.find(f"{C}cat//{C}f").text,
                            ser.find(f"{C}val//{C}f").text,
                        )
                    )
            found.append(Chart(title, series))
    return found


def resolve(book: openpyxl.Workbook, reference: str) -> list[object]:
    """The values of the cells ``'Sheet'!$B$5:$D$5`` (or one cell)."""
    sheet_name, _, cells = reference.rpartition("!")
    sheet = book[sheet_name.strip("'")]
    block = sheet[cells.replace("$", "")]
    if not isinstance(block, tuple):
        return [block.value]
    return [c.value for row in block for c in (row if isinstance(row, tuple) else (row,))]


@pytest.fixture(scope="module")
def park() -> PlanResult:
    return fairpool.solve(fairpool.read_case(CASES / "sichuan_zhejiang_park.xlsx"))


def test_the_allocation_chart_draws_each_method_from_its_row(park, tmp_path: Path) -> None:
    path = write_results_workbook(park, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    allocation, cash = charts_of(path)
    assert allocation.title == "各方法的净现值"  # Chinese labels
    assert allocation.kinds() == {"barChart", "lineChart"}
    bars = [s for s in allocation.series if s.kind == "barChart"]
    marks = [s for s in allocation.series if s.kind == "lineChart"]
    assert [resolve(book, s.name)[0] for s in bars][:3] == ["方案", "沙普利值", "核仁"]
    assert [resolve(book, s.name)[0] for s in marks] == ["单独", "核心上限"]
    for series in bars:
        assert resolve(book, series.categories) == list(park.names)
    plan, shapley = bars[0], bars[1]
    assert resolve(book, plan.values) == pytest.approx([park.amounts[p] for p in park.players])
    assert resolve(book, shapley.values) == pytest.approx(list(park.allocations["shapley"].shares))
    assert resolve(book, marks[0].values) == pytest.approx(list(park.game.standalone_values))
    game = park.game
    ceiling = [game.grand_value - game.values[game.grand_mask ^ (1 << i)] for i in range(3)]
    assert resolve(book, marks[1].values) == pytest.approx(ceiling)
    drawn = [resolve(book, s.values) for s in bars]
    assert len({tuple(round(v, 6) for v in d) for d in drawn[1:]}) == len(drawn) - 1
    assert cash.title == "方案下各方逐年净现金流"


def test_the_cash_chart_draws_each_party_by_year(park, tmp_path: Path) -> None:
    path = write_results_workbook(park, tmp_path / "r.xlsx", lang="en")
    book = openpyxl.load_workbook(path)
    cash = charts_of(path)[1]
    assert cash.title == "Each party's yearly net cash flow under the plan"
    assert cash.kinds() == {"barChart"}
    years = sorted(park.cash_flows.year.unique())
    net = park.cash_flows.pivot(index="year", columns="party", values="net")
    for series, party, name in zip(cash.series, park.players, park.names, strict=True):
        assert resolve(book, series.name) == [name]
        assert resolve(book, series.categories) == years
        assert resolve(book, series.values) == pytest.approx(list(net[party]), abs=1e-6)


def test_a_cost_game_has_no_cash_chart_and_marks_its_floor(tmp_path: Path) -> None:
    water = fairpool.solve(fairpool.read_case(CASES / "water_plant.xlsx"))
    path = write_results_workbook(water, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    (chart,) = charts_of(path)
    assert chart.title == "各方法的成本分摊"
    marks = [s for s in chart.series if s.kind == "lineChart"]
    assert [resolve(book, s.name)[0] for s in marks] == ["单独", "核心下限"]


def test_a_sweep_gets_its_sheet_and_a_chart_with_the_core_band(tmp_path: Path) -> None:
    case = fairpool.read_case(CASES / "river_program.xlsx")
    river = family(case.model)
    sweep: SweepResult = river.sweep(case, SweepLine("AH"), [i / 10 for i in range(11)])
    assert sweep.core_band is not None
    path = write_results_workbook(river.check(case, None), tmp_path / "r.xlsx", sweeps=[sweep])
    book = openpyxl.load_workbook(path)
    codes = [ws.sheet_properties.codeName for ws in book.worksheets]
    assert codes[-2:] == ["sweep_1", "run_details"]
    chart = charts_of(path)[-1]
    assert chart.kinds() == {"lineChart", "barChart"}
    lines = [s for s in chart.series if s.kind == "lineChart"]
    (band,) = [s for s in chart.series if s.kind == "barChart"]
    assert [resolve(book, s.name)[0] for s in lines] == list(case.party_names)
    assert resolve(book, lines[0].categories) == pytest.approx(list(sweep.table.share))
    assert resolve(book, lines[0].values) == pytest.approx(list(sweep.table.npv_AH))
    marks = resolve(book, band.values)
    assert [m == 1 for m in marks] == list(sweep.table.in_core)
    low, high = sweep.core_band
    title = book.worksheets[codes.index("sweep_1")]["A2"].value
    assert f"{low:.1%}" in title and f"{high:.1%}" in title
