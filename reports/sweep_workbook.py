"""``fairpool sweep -o FILE``: the sweep as a workbook of its own, a formatted table and a
native Excel chart, in the case's language (or ``--lang``).

One sheet, ``sweep``: the sentences of :mod:`fairpool.reports.sweep_words` (what slides, the
baseline, how the other parties move, the core band, the band within the rules and the rules
that cut it), then one row per swept value: the value as a percentage, each party's NPV (cost
games: cost share) in the case's unit with thousands separators and the decimals the amounts
need (:func:`~fairpool.reports.i18n.money_decimals`), whether the value is in the core, the
rules flag, the coalition most tempted to leave and its gain, and two marker columns (1 in
the core band; 1 in the core band and within the rules) that the chart shades.

The chart is a native ``openpyxl`` line chart (Excel and LibreOffice draw it from the cells):
each party's amount against the swept value, the core band shaded light green behind the
lines and the part within the rules darker, on a hidden second axis. The file is written
atomically and its text stays text (:func:`~fairpool.optimizer.workbook.files.atomic_save`);
the command checks the path (no overwrite without ``--force``) before any work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, cast

from fairpool.reports.excel_charts import PALETTE, ChartTable
from fairpool.reports.excel_style import (
    GREEN_FILL,
    GREEN_FONT,
    RED_FILL,
    RED_FONT,
    SheetWriter,
)
from fairpool.reports.i18n import LANGUAGES, Language, case_language, money_decimals, phrase
from fairpool.reports.sweep_words import band_words, baseline_words, heading, line_words
from fairpool.reports.sweep_words import value_decimals as percent_decimals

if TYPE_CHECKING:
    from openpyxl.chart import BarChart
    from openpyxl.worksheet.worksheet import Worksheet

    from fairpool.models.results import SweepResult

CORE_SHADE = "E2F0D9"
"""The core band's shade in the chart (light green)."""

RULES_SHADE = "A9D08E"
"""The shade of the part of the core band within the rules (darker green)."""


def sweep_language(sweep: SweepResult, lang: str | None) -> Language:
    """``lang`` when it is one of :data:`~fairpool.reports.i18n.LANGUAGES`, else the case's
    (:func:`~fairpool.reports.i18n.case_language`)."""
    if lang in LANGUAGES:
        return cast(Language, lang)
    return case_language(sweep.case_name, sweep.names)


def percent_format(decimals: int) -> str:
    """Excel's number format of a percentage with ``decimals`` places (``0.0%``)."""
    return "0" + ("." + "0" * decimals if decimals else "") + "%"


def write_sweep_workbook(
    sweep: SweepResult, path: str | os.PathLike[str], lang: str | None = None
) -> Path:
    """Write ``sweep`` to a new workbook at ``path`` (atomically) and return the path; the
    caller has checked that the path may be written (``check_output_file``)."""
    from openpyxl import Workbook

    from fairpool.optimizer.workbook.files import atomic_save

    language = sweep_language(sweep, lang)
    book = Workbook()
    sheet = cast("Worksheet", book.active)
    sheet.title = phrase("sw_sheet", language)
    sheet.sheet_properties.codeName = "sweep"
    table = write_sweep_sheet(sheet, sweep, language)
    chart = sweep_line_chart(sweep, table, language)
    sheet.add_chart(chart, f"B{sheet.max_row + 3}")
    return atomic_save(book, path)


def write_sweep_sheet(sheet: Worksheet, sweep: SweepResult, lang: Language) -> ChartTable:
    """The sentences and the table of a sweep on ``sheet``; returns where the chart's
    series are (:class:`~fairpool.reports.excel_charts.ChartTable`)."""
    writer = SheetWriter(sheet, lang, sweep.unit, units=False)
    unit = f" ({sweep.unit})" if sweep.unit else ""
    writer.title(heading(sweep, lang), "  ".join(baseline_words(sweep, lang)))
    for level, sentence in band_words(sweep, lang):
        writer.note(("    " * level) + sentence)
    writer.row += 1
    table = sweep.table
    cost = sweep.game.orientation == "cost"
    amount_key = "sw_col_amount_cost" if cost else "sw_col_amount_npv"
    flag = sweep.rules_flag
    rules_word = phrase("sw_budgets" if flag == "within_budgets" else "sw_rules", lang)
    heads = [
        phrase("wb_col_ratio" if sweep.value_column == "ratio" else "wb_col_share", lang),
        *(phrase(amount_key, lang, party=name) + unit for name in sweep.names),
        phrase("sw_col_in_core", lang),
        *([phrase(f"wb_col_{flag}", lang)] if flag else []),
        phrase("sw_col_worst", lang),
        phrase("sw_col_gain", lang) + unit,
        phrase("sw_col_band", lang),
        phrase("sw_col_band_rules", lang, rules=rules_word),
    ]
    header = writer.header(heads)
    prefix = "cost_" if cost else "npv_"
    amounts = [table[prefix + p].to_numpy(dtype=float) for p in sweep.players]
    decimals = money_decimals(
        [float(v) for column in amounts for v in column] + table["worst_excess"].tolist()
    )
    value_format = percent_format(percent_decimals(table[sweep.value_column].tolist()))
    n = len(sweep.players)
    names = dict(zip(sweep.players, sweep.names, strict=True))
    for r, record in enumerate(table.to_dict(orient="records")):
        row = header + 1 + r
        writer.number(row, 1, float(record[sweep.value_column]), value_format)
        for k in range(n):
            writer.money(row, 2 + k, float(amounts[k][r]), decimals)
        column = 2 + n
        in_core = bool(record["in_core"])
        _yes_no(writer, row, column, in_core, lang)
        within = in_core
        if flag:
            column += 1
            _yes_no(writer, row, column, bool(record[flag]), lang)
            within = in_core and bool(record[flag])
        worst = str(record["worst_coalition"] or "")
        writer.text(row, column + 1, " + ".join(names.get(p, p) for p in worst.split("+") if p))
        writer.money(row, column + 2, float(record["worst_excess"]), decimals)
        if in_core:
            writer.number(row, column + 3, 1, "0")
        if within:
            writer.number(row, column + 4, 1, "0")
    last = header + len(table)
    band_column = 2 + n + (1 if flag else 0) + 3
    writer.row = last + 1
    writer.note(phrase("wb_charts_note", lang))
    writer.finish(sweep.case_name, freeze=f"B{header + 1}", title_rows=(header, header))
    series = {
        p: (2 + k, header, 2 + k, header + 1, 2 + k, last) for k, p in enumerate(sweep.players)
    }
    series["core_band"] = (band_column, header, band_column, header + 1, band_column, last)
    series["rules_band"] = (
        band_column + 1,
        header,
        band_column + 1,
        header + 1,
        band_column + 1,
        last,
    )
    return ChartTable(sheet, categories=(1, header + 1, 1, max(last, header + 1)), series=series)


def _yes_no(writer: SheetWriter, row: int, column: int, flag: bool, lang: Language) -> None:
    """A yes/no cell, green or red."""
    writer.text(
        row,
        column,
        phrase("wb_yes" if flag else "wb_no", lang),
        font=GREEN_FONT if flag else RED_FONT,
        fill=GREEN_FILL if flag else RED_FILL,
    )


def sweep_line_chart(sweep: SweepResult, table: ChartTable, lang: Language) -> BarChart:
    """Each party's amount against the swept value (lines), the core band and the part of it
    within the rules shaded behind them (columns, 1 in the band, on a hidden axis of 0 to 1).

    The shade is the chart's first plot and the lines are added to it: LibreOffice draws no
    columns of a bar plot added to a line chart, while both draw this order. The amounts'
    unit is in the title, and the axes have none (LibreOffice draws an axis title of the
    added plot on the far side, and the category axis's twice).
    """
    from openpyxl.chart import BarChart, LineChart
    from openpyxl.chart.legend import Legend

    cost = sweep.game.orientation == "cost"
    amount = phrase("sw_amount_cost" if cost else "sw_amount_npv", lang)
    unit = f" ({sweep.unit})" if sweep.unit else ""
    shade = BarChart()
    shade.type = "col"
    shade.grouping = "standard"
    shade.overlap = 100
    shade.gapWidth = 0
    shade.title = phrase("sw_chart_title", lang, amount=amount + unit, line=line_words(sweep, lang))
    for key, colour in (("core_band", CORE_SHADE), ("rules_band", RULES_SHADE)):
        if key == "rules_band" and sweep.rules_flag is None:
            continue
        band = table.series_of(key)
        band.graphicalProperties.solidFill = colour
        band.graphicalProperties.line.noFill = True
        shade.series.append(band)
    shade.set_categories(table.reference(table.categories))
    shade.y_axis.axId = 200
    shade.y_axis.scaling.min = 0
    shade.y_axis.scaling.max = 1
    shade.y_axis.delete = True
    shade.x_axis.numFmt = "0%"
    shade.x_axis.tickLblPos = "low"
    shade.x_axis.delete = False
    count = table.categories[3] - table.categories[1] + 1
    shade.x_axis.tickLblSkip = max(1, count // 20)
    lines = LineChart()
    for index, party in enumerate(sweep.players):
        series = table.series_of(party)
        series.graphicalProperties.line.solidFill = PALETTE[(index + 1) % len(PALETTE)]
        series.graphicalProperties.line.width = 22000
        series.smooth = False
        series.marker.symbol = "none"
        lines.series.append(series)
    lines.y_axis.numFmt = "#,##0"
    lines.y_axis.delete = False
    lines.x_axis.delete = True  # the columns' category axis serves both
    shade.legend = Legend()
    shade.legend.position = "b"
    shade.width, shade.height = 25.0, 13.5
    shade += lines
    return shade


__all__ = [
    "CORE_SHADE",
    "RULES_SHADE",
    "percent_format",
    "sweep_language",
    "sweep_line_chart",
    "write_sweep_sheet",
    "write_sweep_workbook",
]
