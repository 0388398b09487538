"""The plan and the yearly sheets of the results workbook: the plan as a matrix, cash flows
per party and year, the family's own tables and the sweeps.

- Joint park: one row per stream and party, one column per phase, split ratios as
  percentages, each stream's column sum under it; a statistic stream (GDP credit) is marked,
  with a note that it may sum above 100% (it is credited, not paid).
- Infrastructure and cost sharing: one row per party, one column per project (cost sharing:
  the whole cost), the payments summed over the years and each party's share of the
  project's total.
- Cash flows: one row per year, one block of party columns per measure (net first).

Nothing is computed beyond sums over parties or years and shares of a total.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from openpyxl.workbook import Workbook

from fairpool.reports.excel_charts import ChartTable
from fairpool.reports.excel_sheets import new_sheet, yes_no
from fairpool.reports.excel_style import (
    BOLD,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    ITALIC,
    NOTE_FONT,
    RULE,
    SheetWriter,
    quantity_format,
)
from fairpool.reports.excel_view import WorkbookView
from fairpool.reports.i18n import PHRASES, format_ratio

if TYPE_CHECKING:
    from fairpool.models.results import SweepResult


def column_label(view: WorkbookView, column: str) -> str:
    """A family table's column for people: the phrase ``wb_col_<column>``, a method's label,
    or the column name itself when neither exists."""
    if f"wb_col_{column}" in PHRASES:
        return view.say(f"wb_col_{column}")
    return view.method(column)


# -- the plan ---------------------------------------------------------------------------------


def write_plan(book: Workbook, view: WorkbookView) -> None:
    """The plan (or proposal) as a matrix a person reads: ratios by stream and phase, or
    cost shares by project."""
    sheet = new_sheet(book, view, "plan", title_key=f"wb_sheet_{view.what}")
    w = SheetWriter(sheet, view.lang, view.unit)
    what = view.say(f"what_{view.what}")
    if view.plan_kind == "ratios":
        w.title(view.say("wb_plan_ratios_title", what=what), view.say("wb_plan_ratios_note"))
        header = _ratio_matrix(w, view)
        freeze = f"C{header + 1}"
    else:
        w.title(
            view.say("wb_plan_shares_title", what=what),
            view.say("wb_plan_shares_note", unit=view.unit or "—"),
        )
        header = _share_matrix(w, view)
        freeze = f"B{header + 1}"
    w.finish(view.case_name, freeze=freeze, title_rows=(header, header))


def _ratio_matrix(w: SheetWriter, view: WorkbookView) -> int:
    table = view.plan_table
    streams = list(dict.fromkeys(str(s) for s in table["stream"]))
    phases = list(dict.fromkeys(str(p) for p in table["phase"]))
    columns = (table["party"], table["stream"], table["phase"], table["ratio"].astype(float))
    ratio = {
        (str(party), str(stream), str(phase)): float(value)
        for party, stream, phase, value in zip(*columns, strict=True)
    }
    statistics = view.tables.get("statistics")
    statistic = set() if statistics is None else {str(s) for s in statistics["stream"]}
    header = w.header(
        [view.say("stream"), view.say("party"), *(view.say("wb_phase", phase=p) for p in phases)]
    )
    for stream in streams:
        label = f"{stream} {view.say('wb_statistic_mark')}" if stream in statistic else stream
        for k, (party, name) in enumerate(zip(view.players, view.names, strict=True)):
            if k == 0:
                w.text(w.row, 1, label, font=BOLD)
            w.text(w.row, 2, name)
            for j, phase in enumerate(phases):
                w.ratio(w.row, 3 + j, ratio.get((party, stream, phase), math.nan))
            w.row += 1
        w.text(w.row, 2, view.say("wb_sum"), font=ITALIC)
        for j, phase in enumerate(phases):
            total = sum(ratio.get((p, stream, phase), 0.0) for p in view.players)
            w.ratio(w.row, 3 + j, total, font=ITALIC)
        for column in range(2, 3 + len(phases)):
            w.sheet.cell(row=w.row, column=column).border = RULE
        w.row += 1
    if statistic:
        w.row += 1
        w.note(view.say("wb_statistic_note", streams=", ".join(sorted(statistic))))
    return header


def _share_matrix(w: SheetWriter, view: WorkbookView) -> int:
    table = view.plan_table
    if "project" not in table:  # a cost-sharing proposal: shares of the whole cost
        table = table.assign(project="*")
    projects = list(dict.fromkeys(str(p) for p in table["project"]))
    amounts = table.assign(project=table["project"].astype(str), party=table["party"].astype(str))
    summed = amounts.groupby(["party", "project"], sort=False)["amount"].sum()
    grid = np.array(
        [[float(summed.get((p, j), 0.0)) for j in projects] for p in view.players], dtype=float
    )
    build = view.tables.get("build")
    names: Mapping[str, str] = {}
    if build is not None and "name" in build:
        names = {str(p): str(n) for p, n in zip(build["project"], build["name"], strict=True)}
    labels = [view.say("wb_all_costs") if p == "*" else p for p in projects]
    decimals = view.decimals(grid)
    header = 0
    for block in ("amounts", "shares"):
        w.section(view.say(f"wb_plan_{block}"))
        row = w.header([view.say("party"), *labels, view.say("wb_total")])
        header = header or row
        if names:
            for j, project in enumerate(projects):
                w.text(w.row, 2 + j, names.get(project, ""), font=NOTE_FONT, fit=False, wrap=True)
            w.sheet.row_dimensions[w.row].height = 40
            w.row += 1
        totals = grid.sum(axis=0)
        for i, name in enumerate(view.names):
            w.text(w.row, 1, name)
            row_values = [*grid[i], grid[i].sum()]
            for j, value in enumerate(row_values):
                whole = totals[j] if j < len(projects) else totals.sum()
                if block == "amounts":
                    w.money(w.row, 2 + j, float(value), decimals)
                else:
                    w.ratio(w.row, 2 + j, float(value / whole) if whole else math.nan)
            w.row += 1
        w.text(w.row, 1, view.say("wb_total"), font=BOLD)
        for j, total in enumerate([*totals, totals.sum()]):
            if block == "amounts":
                w.money(w.row, 2 + j, float(total), decimals, font=BOLD)
            else:
                w.ratio(w.row, 2 + j, 1.0 if total else math.nan, font=BOLD)
            w.sheet.cell(row=w.row, column=2 + j).border = RULE
        w.row += 2
    return header


# -- cash flows -------------------------------------------------------------------------------

CASH_ORDER = ("net", "take", "benefit", "cost", "payment", "amount", "discounted_net")
"""Measures of a cash-flow table in the order shown: net first, discounted net last."""


def write_cash_flows(book: Workbook, view: WorkbookView) -> ChartTable | None:
    """Year rows and, per measure (net first), a column per party; the net block adds the
    total of every party; the last row sums each column over the years (the discounted net's
    sum is the party's NPV). ``None`` when the plan has no years."""
    flows = view.cash_flows
    if flows.empty or "year" not in flows:
        return None
    sheet = new_sheet(book, view, "cash_flows")
    w = SheetWriter(sheet, view.lang, view.unit, units=False)
    w.title(
        view.say("wb_cash_title", what=view.say(f"what_{view.what}")),
        view.say("wb_cash_note", unit=view.unit or "—"),
    )
    measures = [c for c in flows.columns if c not in ("party", "year", "discount_factor")]
    measures.sort(key=lambda c: CASH_ORDER.index(c) if c in CASH_ORDER else len(CASH_ORDER))
    years = sorted(int(y) for y in flows["year"].unique())
    group_row, party_row = w.row, w.row + 1
    w.text(group_row, 1, view.say("year"), font=HEADER_FONT, fill=HEADER_FILL)
    w.sheet.merge_cells(start_row=group_row, start_column=1, end_row=party_row, end_column=1)
    column = 2
    has_discount = "discount_factor" in flows
    if has_discount:
        w.text(
            group_row, 2, column_label(view, "discount_factor"), font=HEADER_FONT, fill=HEADER_FILL
        )
        w.sheet.merge_cells(start_row=group_row, start_column=2, end_row=party_row, end_column=2)
        column = 3
    first_data = party_row + 1
    blocks: dict[str, int] = {}
    for measure in measures:
        grid = flows.pivot_table(index="year", columns="party", values=measure, aggfunc="sum")
        grid = grid.reindex(index=years, columns=list(view.players)).fillna(0.0)
        with_total = measure == "net"
        width = len(view.players) + (1 if with_total else 0)
        blocks[measure] = column
        w.text(
            group_row,
            column,
            column_label(view, measure),
            font=HEADER_FONT,
            fill=HEADER_FILL,
            fit=False,
        )
        if width > 1:
            w.sheet.merge_cells(
                start_row=group_row,
                start_column=column,
                end_row=group_row,
                end_column=column + width - 1,
            )
        decimals = view.decimals(grid.to_numpy())
        heads = [*view.names, *([view.say("wb_total")] if with_total else [])]
        for k, head in enumerate(heads):
            w.text(party_row, column + k, head, font=HEADER_FONT, fill=HEADER_FILL)
        values = grid.to_numpy()
        if with_total:
            values = np.column_stack([values, values.sum(axis=1)])
        for t in range(len(years)):
            for k in range(width):
                w.money(first_data + t, column + k, float(values[t, k]), decimals)
        for k in range(width):
            w.money(
                first_data + len(years), column + k, float(values[:, k].sum()), decimals, font=BOLD
            )
        column += width
    for r in (group_row, party_row):
        for c in range(1, column):
            w.sheet.cell(row=r, column=c).alignment = CENTER
    for t, year in enumerate(years):
        w.number(first_data + t, 1, year, "0")
        if has_discount:
            factor = flows.loc[flows["year"] == year, "discount_factor"].iloc[0]
            w.number(first_data + t, 2, float(factor), "0.0000")
    total_row = first_data + len(years)
    w.text(total_row, 1, view.say("wb_total"), font=BOLD)
    for c in range(1, column):
        w.sheet.cell(row=total_row, column=c).border = RULE
    w.row = total_row + 2
    if "discounted_net" in blocks:
        w.note(view.say("wb_cash_npv_note"))
    w.finish(
        view.case_name,
        freeze=f"{'C' if has_discount else 'B'}{first_data}",
        title_rows=(group_row, party_row),
    )
    net = blocks.get("net", blocks[measures[0]] if measures else column)
    return ChartTable(
        sheet,
        text_categories=False,
        categories=(1, first_data, 1, first_data + len(years) - 1),
        series={
            party: (net + k, party_row, net + k, first_data, net + k, first_data + len(years) - 1)
            for k, party in enumerate(view.players)
        },
    )


# -- the family's own tables ------------------------------------------------------------------

RATIO_COLUMNS = ("built", "subsidy_share")
"""Columns of fractions (shown as percentages) in the family tables; other numbers are money
unless they are plain quantities (:data:`_QUANTITIES`)."""


def write_family_table(book: Workbook, view: WorkbookView, name: str, frame: pd.DataFrame) -> None:
    """One of the family's further tables (statistic credit, payments by method, the build
    plan, facilities, connections) with its columns named and formatted."""
    sheet = new_sheet(book, view, name, title_key=f"wb_sheet_{name}")
    w = SheetWriter(sheet, view.lang, view.unit, units=name != "statistics")
    note_key = f"wb_table_note_{name}"
    w.title(sheet.title, view.say(note_key, unit=view.unit or "—") if note_key in PHRASES else "")
    if name == "statistics" and {"party", "stream", "year", "amount"} <= set(frame.columns):
        header = _statistics(w, view, frame)
        w.finish(view.case_name, freeze=f"B{header + 1}", title_rows=(header, header))
        return
    if name == "payments" and {"party", "name"} <= set(frame.columns):
        frame = frame.drop(columns=["name"]).set_index("party").T.reset_index(names="method")
        frame.columns = ["method", *(view.name_of(str(p)) for p in frame.columns[1:])]
        frame["method"] = [view.method(str(m)) for m in frame["method"]]
    header = _generic(w, view, frame)
    w.finish(view.case_name, freeze=f"B{header + 1}", title_rows=(header, header))


def _statistics(w: SheetWriter, view: WorkbookView, frame: pd.DataFrame) -> int:
    header = 0
    for stream in dict.fromkeys(str(s) for s in frame["stream"]):
        part = frame[frame["stream"].astype(str) == stream]
        grid = part.pivot_table(index="year", columns="party", values="amount", aggfunc="sum")
        grid = grid.reindex(columns=list(view.players)).fillna(0.0)
        w.section(stream)
        row = w.header([view.say("year"), *view.names])
        header = header or row
        decimals = view.decimals(grid.to_numpy())
        for year, values in zip(grid.index, grid.to_numpy(), strict=True):
            w.number(w.row, 1, int(year), "0")
            for k, value in enumerate(values):
                w.money(w.row, 2 + k, float(value), decimals)
            w.row += 1
        w.row += 1
    return header


def _generic(w: SheetWriter, view: WorkbookView, frame: pd.DataFrame) -> int:
    header = w.header([column_label(view, str(c)) for c in frame.columns])
    for k, column in enumerate(frame.columns):
        values = frame[column].tolist()
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        )
        name = str(column)
        decimals = view.decimals([float(v) for v in values]) if numeric else 0
        number_format = quantity_format([float(v) for v in values]) if numeric else ""
        for r, value in enumerate(values):
            row = header + 1 + r
            if numeric and name in RATIO_COLUMNS:
                w.ratio(row, 1 + k, float(value))
            elif numeric and name in _QUANTITIES:
                w.number(row, 1 + k, float(value), number_format)
            elif numeric:
                w.money(row, 1 + k, float(value), decimals)
            elif name == "party":
                w.text(row, 1 + k, view.name_of(str(value)))
            elif name == "hosts":
                w.text(row, 1 + k, view.coalition_names(str(value)))
            else:
                w.text(row, 1 + k, "" if value is None else str(value))
    w.row = header + 1 + len(frame)
    return header


_QUANTITIES = ("units", "capacity", "served_demand", "demand", "year")
"""Columns of plain numbers (not money) in the family tables."""


# -- sweeps -----------------------------------------------------------------------------------


def write_sweep(
    book: Workbook, view: WorkbookView, sweep: SweepResult, index: int
) -> tuple[ChartTable, list[str], str | None, str]:
    """One sweep: the swept value, each party's amount, the core verdict, the coalition
    most tempted to leave and its gain, and the core band; returns what its chart draws
    (the table, the party series, the band series, a description of the line swept)."""
    sheet = new_sheet(book, view, f"sweep_{index}", title_key="wb_sheet_sweep", number=index)
    w = SheetWriter(sheet, view.lang, view.unit)
    what = _sweep_line(view, sweep)
    w.title(what, sweep_band_words(view, sweep))
    table = sweep.table
    value_column = sweep.value_column
    prefix = "cost_" if view.cost else "npv_"
    flags = [sweep.rules_flag] if sweep.rules_flag and sweep.rules_flag in table else []
    heads = [
        column_label(view, value_column),
        *view.names,
        view.say("in_core"),
        *(column_label(view, f) for f in flags),
        view.say("worst_coalition"),
        view.say("wb_gain_by_leaving"),
        view.say("core_band"),
    ]
    header = w.header(heads)
    amounts = np.column_stack([table[f"{prefix}{p}"].to_numpy(dtype=float) for p in view.players])
    decimals = view.decimals(amounts)
    n = len(view.players)
    for r, values in enumerate(table.to_dict("records")):
        at = header + 1 + r
        w.ratio(at, 1, float(values[value_column]))
        for k in range(n):
            w.money(at, 2 + k, float(amounts[r, k]), decimals)
        in_core = bool(values["in_core"])
        w.text(at, 2 + n, yes_no(view, in_core))
        for j, flag in enumerate(flags):
            w.text(at, 3 + n + j, yes_no(view, bool(values[flag])))
        w.text(at, 3 + n + len(flags), view.coalition_names(str(values["worst_coalition"])))
        w.money(at, 4 + n + len(flags), float(values["worst_excess"]), decimals)
        if in_core:
            w.number(at, 5 + n + len(flags), 1, "0")
    w.row = header + 2 + len(table)
    for cut in sweep.cuts:
        for rule in cut.rules:
            w.note(rule)
    w.finish(view.case_name, freeze=f"B{header + 1}", title_rows=(header, header))
    last = header + len(table)
    band_column = 5 + n + len(flags)
    series = {
        p: (2 + k, header, 2 + k, header + 1, 2 + k, last) for k, p in enumerate(view.players)
    }
    series["band"] = (band_column, header, band_column, header + 1, band_column, last)
    chart_table = ChartTable(
        sheet, categories=(1, header + 1, 1, last), series=series, text_categories=False
    )
    return chart_table, list(view.players), "band" if sweep.core_band is not None else None, what


def sweep_band_words(view: WorkbookView, sweep: SweepResult) -> str:
    """The sweep's exact core band in words, and the part of it within the rules when the
    rules cut it."""
    if sweep.core_band is None:
        return view.say("wb_core_band_none")
    low, high = (format_ratio(v) for v in sweep.core_band)
    words = view.say("wb_core_band_range", low=low, high=high)
    within = sweep.band_within_rules
    if within == sweep.core_band:
        return words
    if within is None:
        return f"{words} {view.say('wb_rules_band_none')}"
    low, high = (format_ratio(v) for v in within)
    return f"{words} {view.say('wb_rules_band_range', low=low, high=high)}"


def _sweep_line(view: WorkbookView, sweep: SweepResult) -> str:
    """The line swept in words: whose ratio of which stream and phase, or share of what."""
    line = sweep.line
    party = view.name_of(line.party)
    if sweep.value_column == "ratio":
        stream = (
            view.say("wb_every_stream")
            if line.stream == "*"
            else view.say("wb_one_stream", stream=line.stream)
        )
        phase = (
            view.say("wb_every_phase")
            if line.phase == "*"
            else view.say("wb_phase", phase=line.phase)
        )
        return view.say("wb_sweep_ratio", party=party, stream=stream, phase=phase)
    if view.cost:
        return view.say("wb_sweep_total", party=party)
    project = (
        view.say("wb_every_project")
        if line.project == "*"
        else view.say("wb_one_project", project=line.project)
    )
    return view.say("wb_sweep_share", party=party, project=project)
