"""Native Excel charts of the results workbook (``openpyxl.chart``: charts Excel and
LibreOffice draw from the cells, not pictures).

- Allocations by method: clustered columns, one group per party, one column per method
  (the plan or proposal first), with each party's stand-alone amount and the most (cost
  games: the least) the core can give it as marker series: a column outside the two marks
  is one a coalition would block.
- Each party's yearly net cash flow: clustered columns by year.
- A sweep: each party's amount as the swept ratio moves, the core band shaded behind.

Every series points at cells of the sheet that shows its figures (:class:`ChartTable`): its
name at the row's (or column's) label, its values along the row, so a figure edited in the
table moves the chart. The charts sit on their own sheet, one to a printed page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, NumRef, StrRef
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from fairpool.reports.excel_style import NOTE_FONT

PALETTE = ("1F4E79", "ED7D31", "70AD47", "7F7F7F", "FFC000", "5B9BD5", "9E480E", "264478")
"""Series colours: the plan's blue first, then Office's palette."""

HEADING_COLUMNS = 14
"""Columns a chart's reading note is wrapped over: about the chart's width."""

ROWS_PER_CHART = 30
"""Rows of the charts sheet each chart takes with its heading: one printed page."""


Cells = tuple[int, int, int, int]
"""A block of cells: (first column, first row, last column, last row)."""


@dataclass(frozen=True)
class ChartTable:
    """Where a table's figures are, for the charts that draw them.

    Attributes:
        sheet: the sheet of the table.
        categories: the cells naming the categories (parties, years).
        series: {key: (label column, label row, *values cells)} of each series.
        text_categories: the categories are text (party names), not numbers (years).
    """

    sheet: Worksheet
    categories: Cells
    series: dict[str, tuple[int, int, int, int, int, int]] = field(default_factory=dict)
    text_categories: bool = True

    def reference(self, cells: Cells) -> Reference:
        first_column, first_row, last_column, last_row = cells
        return Reference(
            self.sheet,
            min_col=first_column,
            min_row=first_row,
            max_col=last_column,
            max_row=last_row,
        )

    def series_of(self, key: str) -> Series:
        """The series ``key``: its values and its name, both references to the sheet."""
        label_column, label_row, *cells = self.series[key]
        series = Series(self.reference((cells[0], cells[1], cells[2], cells[3])))
        label = (
            f"{quote_sheetname(self.sheet.title)}!${get_column_letter(label_column)}${label_row}"
        )
        series.tx = SeriesLabel(strRef=StrRef(f=label))
        categories = self.reference(self.categories)
        # party names are text: a string reference, or Excel numbers them 1, 2, 3
        series.cat = (
            AxDataSource(strRef=StrRef(f=str(categories)))
            if self.text_categories
            else AxDataSource(numRef=NumRef(f=str(categories)))
        )
        return series


def _axes(chart: BarChart | LineChart, y_title: str, number_format: str) -> None:
    chart.y_axis.title = y_title
    chart.y_axis.numFmt = number_format
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"
    chart.legend = Legend()
    chart.legend.position = "b"


def _colour(series: Series, index: int, *, line: bool = False) -> None:
    colour = PALETTE[index % len(PALETTE)]
    if line:
        series.graphicalProperties.line.solidFill = colour
    else:
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour


def allocation_chart(
    table: ChartTable,
    bars: Sequence[str],
    marks: Sequence[str],
    *,
    title: str,
    y_title: str,
    number_format: str,
) -> BarChart:
    """Clustered columns of the series ``bars`` by party, and the series ``marks`` (alone,
    the core limit) as markers over them."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.gapWidth = 60
    for index, key in enumerate(bars):
        series = table.series_of(key)
        _colour(series, index)
        chart.series.append(series)
    _axes(chart, y_title, number_format)
    if marks:
        line = LineChart()
        for index, (key, symbol) in enumerate(zip(marks, ("dash", "triangle"), strict=False)):
            series = table.series_of(key)
            series.marker.symbol = symbol
            series.marker.size = 14 if symbol == "dash" else 9
            colour = ("C00000", "000000")[index % 2]
            series.marker.graphicalProperties.solidFill = colour
            series.marker.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.noFill = True
            series.smooth = False
            line.series.append(series)
        chart += line
    chart.width, chart.height = 25.0, 13.5
    return chart


def cash_chart(
    table: ChartTable,
    keys: Sequence[str],
    *,
    title: str,
    y_title: str,
    number_format: str,
) -> BarChart:
    """Clustered columns of each party's yearly net cash flow, the years along the axis."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.gapWidth = 40
    for index, key in enumerate(keys):
        series = table.series_of(key)
        _colour(series, index + 1)
        chart.series.append(series)
    _axes(chart, y_title, number_format)
    chart.x_axis.tickLblSkip = (
        1 if len(keys) and table.categories[3] - table.categories[1] < 25 else 2
    )
    chart.width, chart.height = 25.0, 13.5
    return chart


def sweep_chart(
    table: ChartTable,
    keys: Sequence[str],
    band: str | None,
    *,
    title: str,
    x_title: str,
    y_title: str,
    number_format: str,
) -> BarChart | LineChart:
    """Each party's amount (lines) against the swept value, the core band as shaded columns
    on a hidden second axis (1 inside the band, blank outside) behind the lines."""
    lines = LineChart()
    lines.title = title
    for index, key in enumerate(keys):
        series = table.series_of(key)
        _colour(series, index + 1, line=True)
        series.smooth = False
        series.marker.symbol = "none"
        lines.series.append(series)
    _axes(lines, y_title, number_format)
    lines.x_axis.title = x_title
    lines.x_axis.numFmt = "0%"
    lines.width, lines.height = 25.0, 13.5
    if band is None:
        return lines
    shade = BarChart()
    shade.type = "col"
    shade.gapWidth = 0
    series = table.series_of(band)
    series.graphicalProperties.solidFill = "E2F0D9"
    series.graphicalProperties.line.noFill = True
    shade.series.append(series)
    shade.y_axis.axId = 200
    shade.y_axis.scaling.min = 0
    shade.y_axis.scaling.max = 1
    shade.y_axis.delete = True
    shade.y_axis.crosses = "max"
    lines += shade
    return lines


def place_charts(
    sheet: Worksheet,
    charts: Sequence[tuple[str, BarChart | LineChart]],
) -> None:
    """Each chart under its heading on ``sheet``, one to a printed page (a row break after
    each)."""
    for index, (heading, chart) in enumerate(charts):
        top = 3 + index * ROWS_PER_CHART
        cell = sheet.cell(row=top, column=1, value=heading)
        cell.font = NOTE_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=HEADING_COLUMNS)
        sheet.row_dimensions[top].height = 30
        sheet.add_chart(chart, f"A{top + 1}")
        if index + 1 < len(charts):
            sheet.row_breaks.append(Break(id=top + ROWS_PER_CHART - 1))


__all__ = [
    "HEADING_COLUMNS",
    "ROWS_PER_CHART",
    "ChartTable",
    "allocation_chart",
    "cash_chart",
    "place_charts",
    "sweep_chart",
]
