"""The results workbook: what a negotiator opens, reads on one page and forwards.

:func:`write_results_workbook` renders a solve (:class:`~fairpool.models.results.PlanResult`)
or a check (:class:`~fairpool.models.results.ProposalCheck`) of any model family the same way,
in English or Chinese, and computes nothing. Sheets, in order (their tab names in the
workbook's language; each sheet's code name is the stable key in brackets):

1. Summary [summary]: the case, the verdict in one sentence, the key figures with units and
   each party alone, under the plan (or proposal), Shapley and nucleolus; one printed page.
2. Charts [charts]: native Excel charts drawn from the cells: allocations by method with
   each party's stand-alone amount and core limit, each party's yearly net cash, the sweeps.
3. Allocations [allocations]: methods by parties (transposed when parties outnumber
   methods), amounts and shares of the total; blocked methods shaded red.
4. Plan or proposal [plan]: the ratios by stream and phase, or the cost shares by project.
5. Fairness [fairness]: every method and the plan: in the core, individually rational, the
   coalition most tempted to leave and its gain; red and green by conditional formatting.
6. Cash flows [cash_flows]: per year and party (when the plan has years).
7. The family's own tables: statistic credit, payments by method, the build plan,
   facilities, connections (as the family returns them).
8. Coalition values [coalitions]: every coalition, what the plan gives it, its gain by
   leaving.
9. Sweeps [sweep_1, …]: when sweeps are passed.
10. Run details [run_details]: settings, ε*, tolerances, facts, warnings, timings.

Formats: money in the case's unit with thousands separators and 0–2 decimals by magnitude,
ratios to 0.1%, frozen headers, columns as wide as their text (Chinese counted double), and a
print setup of landscape A4 fitted to the width with the header rows repeated
(:mod:`fairpool.reports.excel_style`). The file is written to a temporary file in the target
folder and moved into place (a reader never sees half a workbook), and text from the case
stays text: a party named ``=HYPERLINK(…)`` is never a live formula
(:func:`~fairpool.reports.excel_bulk.save_results`, as
:func:`~fairpool.optimizer.workbook.files.atomic_save`). The coalition sheet's rows, up to
65,536 of them, are written into the sheet's XML as the file is saved
(:mod:`fairpool.reports.excel_bulk`): a 14-party workbook in about half a second.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from openpyxl import Workbook

from fairpool.reports.excel_bulk import save_results
from fairpool.reports.excel_charts import (
    HEADING_COLUMNS,
    ChartTable,
    allocation_chart,
    cash_chart,
    place_charts,
    sweep_chart,
)
from fairpool.reports.excel_sheets import (
    COALITION_ROWS,
    EXCEL_MAX_ROWS,
    amount_label,
    new_sheet,
    write_allocations,
    write_coalitions,
    write_fairness,
    write_run_details,
    write_summary,
)
from fairpool.reports.excel_style import SheetWriter, money_format
from fairpool.reports.excel_tables import (
    column_label,
    sweep_band_words,
    write_cash_flows,
    write_family_table,
    write_plan,
    write_sweep,
)
from fairpool.reports.excel_view import WorkbookView, workbook_view
from fairpool.reports.i18n import Language, case_language

if TYPE_CHECKING:
    from openpyxl.chart import BarChart, LineChart
    from openpyxl.worksheet.worksheet import Worksheet

    from fairpool.models.results import PlanResult, ProposalCheck, SweepResult

CHART_BARS = 6
"""Most methods drawn in the allocation chart: the plan (or proposal), Shapley, nucleolus
and the next methods whose amounts differ from those already drawn."""


def write_results_workbook(
    result: PlanResult | ProposalCheck,
    path: str | os.PathLike[str],
    *,
    lang: Language | None = None,
    sweeps: Sequence[SweepResult] = (),
) -> Path:
    """Write the results of a solve or a check as an .xlsx workbook, atomically.

    Args:
        result: a family's ``solve`` or ``check`` result.
        path: the workbook to write (its folder is created; an existing file is replaced:
            the caller checks ``--force``).
        lang: ``en`` or ``zh``; ``None``: the case's language
            (:func:`~fairpool.reports.i18n.case_language`).
        sweeps: sweeps of the same case to add, each with its sheet and chart.

    Returns:
        The path written.
    """
    language = lang or case_language(result.case_name, result.names)
    view = workbook_view(result, language)
    book = Workbook()
    book.remove(book.active)
    write_summary(book, view)
    charts_sheet = new_sheet(book, view, "charts")
    allocations = write_allocations(book, view)
    write_plan(book, view)
    write_fairness(book, view)
    cash = write_cash_flows(book, view)
    for name, frame in view.tables.items():
        write_family_table(book, view, name, frame)
    coalitions = write_coalitions(book, view)
    side = "cost" if view.cost else "benefit"
    charts: list[tuple[str, BarChart | LineChart]] = [
        (view.say(f"wb_chart_allocations_read_{side}"), _allocation_chart(view, allocations))
    ]
    if cash is not None:
        charts.append(
            (view.say("wb_chart_cash_read", unit=view.unit or "—"), _cash_chart(view, cash))
        )
    for index, sweep in enumerate(sweeps, start=1):
        table, keys, band, what = write_sweep(book, view, sweep, index)
        chart = sweep_chart(
            table,
            keys,
            band,
            title=what,
            x_title=column_label(view, sweep.value_column),
            y_title=_unit_title(view),
            number_format=money_format("", view.money_decimals),
        )
        charts.append((sweep_band_words(view, sweep), chart))
    write_run_details(book, view)
    _charts_sheet(view, charts_sheet, charts)
    return save_results(book, Path(path), [coalitions])


def _unit_title(view: WorkbookView) -> str:
    label = amount_label(view)
    return view.say("wb_with_unit", label=label, unit=view.unit) if view.unit else label


def chart_methods(view: WorkbookView) -> list[str]:
    """The methods the allocation chart draws: the plan (or proposal), Shapley and nucleolus,
    then the next methods whose amounts differ from all those drawn (many coincide, e.g. the
    nucleolus and the least core), up to :data:`CHART_BARS`."""
    drawn: list[tuple[str, np.ndarray]] = []
    tolerance = view.report.tolerance
    for method, shares in view.methods_with_plan():
        required = method in (view.what, "shapley", "nucleolus")
        new = all(not np.allclose(shares, seen, rtol=0.0, atol=tolerance) for _, seen in drawn)
        if required or (new and len(drawn) < CHART_BARS):
            drawn.append((method, shares))
    return [method for method, _ in drawn]


def _allocation_chart(view: WorkbookView, table: ChartTable) -> BarChart:
    return allocation_chart(
        table,
        chart_methods(view),
        ["alone", "core_limit"],
        title=view.say("wb_chart_allocations", amount=amount_label(view)),
        y_title=_unit_title(view),
        number_format=money_format("", view.money_decimals),
    )


def _cash_chart(view: WorkbookView, table: ChartTable) -> BarChart:
    return cash_chart(
        table,
        list(view.players),
        title=view.say("wb_chart_cash", what=view.say(f"what_{view.what}")),
        y_title=view.unit,
        number_format=money_format("", view.money_decimals),
    )


def _charts_sheet(
    view: WorkbookView, sheet: Worksheet, charts: Sequence[tuple[str, BarChart | LineChart]]
) -> None:
    w = SheetWriter(sheet, view.lang, view.unit)
    for column in range(1, HEADING_COLUMNS + 1):
        w.fit(column, "0" * 7)  # the width of the charts, for the notes above them
    w.title(view.say("wb_sheet_charts"), view.say("wb_charts_note"))
    place_charts(sheet, charts)
    w.finish(view.case_name, shrink=False)


__all__ = ["COALITION_ROWS", "EXCEL_MAX_ROWS", "write_results_workbook"]
