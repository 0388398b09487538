"""The negotiation sheets of the results workbook: summary, allocations, fairness, coalition
values and run details.

Each ``write_*`` function adds one sheet to the workbook from a
:class:`~fairpool.reports.excel_view.WorkbookView` and returns what the charts need to point
at (:class:`~fairpool.reports.excel_charts.ChartTable`). Every label comes from the phrase
table; the only arithmetic is a sum or a difference of figures the result holds (a total,
a share of the total, a gain over going alone, what a coalition's members get together).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from openpyxl.formatting.rule import FormulaRule
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fairpool.reports.excel_bulk import BulkColumn, BulkRows
from fairpool.reports.excel_charts import ChartTable
from fairpool.reports.excel_simplicity import write_prices, write_simplicity
from fairpool.reports.excel_style import (
    BOLD,
    GREEN_FILL,
    GREEN_FONT,
    ITALIC,
    PLAN_FILL,
    RED_FILL,
    RED_FONT,
    RULE,
    VERDICT_FONT,
    SheetWriter,
)
from fairpool.reports.excel_view import WorkbookView
from fairpool.reports.i18n import PHRASES, format_money

EXCEL_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet."""

COALITION_ROWS = 1 << 16
"""The most coalitions the coalition sheet lists (every coalition of up to 16 parties); a
larger game lists those with the largest gain by leaving and says how many it leaves out."""

PRINTED_COALITIONS = 64
"""The coalitions a printout of the coalition sheet shows (those closest to leaving): every
coalition of up to six parties, and two or three pages however many parties there are."""


def new_sheet(
    book: Workbook, view: WorkbookView, key: str, *, title_key: str = "", **fields: object
) -> Worksheet:
    """A sheet titled with the phrase ``title_key`` (default ``wb_sheet_<key>``, filled with
    ``fields``; 31 characters at most), its code name the stable ``key`` so that programs
    find it in either language."""
    sheet = book.create_sheet(sheet_title(view.say(title_key or f"wb_sheet_{key}", **fields)))
    sheet.sheet_properties.codeName = key
    return sheet


def sheet_title(text: str) -> str:
    """``text`` as a sheet name: without the characters Excel forbids, 31 characters."""
    for forbidden in "[]:*?/\\":
        text = text.replace(forbidden, " ")
    return text.strip("'")[:31] or "sheet"


def yes_no(view: WorkbookView, flag: bool) -> str:
    """ "Yes" or "No" in the workbook's language (the text the conditional formats test)."""
    return view.say("wb_yes" if flag else "wb_no")


def verdict_sentence(view: WorkbookView) -> str:
    """The verdict on the plan or proposal in one sentence: in the core, blocked by a named
    coalition, or the core is empty and the plan keeps the largest gain by leaving small."""
    what = view.say(f"what_{view.what}")
    amount = format_money(view.worst_excess, view.unit, view.money_decimals)
    if view.in_core:
        return view.say("verdict_stable", what=what)
    if view.core_empty:
        return view.say("verdict_core_empty", what=what, amount=amount)
    return view.say(
        "verdict_blocked", parties=view.coalition_names(view.worst_coalition), amount=amount
    )


def amount_label(view: WorkbookView) -> str:
    """What the amounts of the case are: NPVs, or cost shares."""
    return view.say("cost_share" if view.cost else "npv")


# -- summary ----------------------------------------------------------------------------------


def write_summary(book: Workbook, view: WorkbookView) -> None:
    """The case, the verdict in one sentence, the key figures with units, and each party's
    amount alone, under the plan (or proposal), Shapley and nucleolus, and its gain over
    going alone; printed on one page."""
    sheet = new_sheet(book, view, "summary")
    w = SheetWriter(sheet, view.lang, view.unit)
    model = f"wb_model_{view.model}"
    family = view.say(model) if model in PHRASES else view.model
    w.title(
        view.case_name,
        " · ".join([family, view.say("wb_amounts_in", unit=view.unit or "—")]),
    )
    span = 5 + len([m for m in ("shapley", "nucleolus") if m in view.allocations])
    verdict_row = w.row
    good = view.fair if view.what == "proposal" else view.in_core
    w.text(
        verdict_row,
        1,
        verdict_sentence(view),
        font=VERDICT_FONT,
        fill=GREEN_FILL if good else RED_FILL,
        fit=False,
    )
    w.paragraph(verdict_row, span, size=12.0)
    w.row += 1
    for line in (*view.rule_violations, *view.warnings):
        w.note(line, span=span)
    w.row += 1
    _key_figures(w, view, span)
    w.row += 1
    _party_table(w, view)
    w.finish(view.case_name, one_page=True)


def _key_figures(w: SheetWriter, view: WorkbookView, span: int) -> None:
    decimals = view.money_decimals
    alone = float(np.sum(view.standalone))
    grand = view.game.grand_value
    side = "cost" if view.cost else "benefit"
    w.section(view.say("wb_key_figures"))
    rows: list[tuple[str, object]] = [
        (view.say(f"wb_grand_value_{side}"), grand),
        (view.say(f"wb_sum_alone_{side}"), alone),
        (view.say(f"wb_cooperation_gain_{side}"), alone - grand if view.cost else grand - alone),
    ]
    if view.what == "plan":
        rows.append((view.say("wb_plan_target"), view.method(view.target.strip() or "shapley")))
        rows.append((view.say(f"wb_distance_{view.distance_kind}"), view.distance))
    else:
        for method, distance in view.distances.items():
            rows.append((view.say("wb_distance_to", method=view.method(method)), distance))
        rows.append((view.say("wb_fair"), yes_no(view, view.fair)))
    rows.append(
        (view.say("wb_core"), view.say("wb_core_empty" if view.core_empty else "wb_core_not_empty"))
    )
    rows.append((view.say("worst_coalition"), view.coalition_names(view.worst_coalition)))
    rows.append((view.say("wb_gain_by_leaving"), view.worst_excess))
    for key, value in view.facts:
        if f"wb_fact_{key}" in _FACT_KEYS:
            shown = value if isinstance(value, float | int) else str(value).replace("+", " + ")
            rows.append((view.say(f"wb_fact_{key}"), shown))
    for label, value in rows:
        w.text(w.row, 1, label)
        if isinstance(value, float | int) and not isinstance(value, bool):
            w.money(w.row, 2, float(value), decimals, font=BOLD)
        else:
            w.text(w.row, 2, str(value), font=BOLD, fit=False)
            w.paragraph(w.row, span, first_column=2)
        w.row += 1
    w.note(view.say(f"wb_excess_sign_{side}"), span=span)


_FACT_KEYS = ("wb_fact_active_components", "wb_fact_built_projects", "wb_fact_welfare")
"""The family facts the summary shows (the others are on the run-details sheet)."""


def _party_table(w: SheetWriter, view: WorkbookView) -> None:
    decimals = view.money_decimals
    w.section(view.say("wb_by_party", amount=amount_label(view)))
    methods = [m for m in ("shapley", "nucleolus") if m in view.allocations]
    gain = "wb_saving_over_alone" if view.cost else "gain_over_alone"
    w.header(
        [
            view.say("party"),
            view.say("alone"),
            view.say(view.what),
            *(view.method(m) for m in methods),
            view.say(gain),
            view.say("individually_rational"),
        ]
    )
    for i, (party, name) in enumerate(zip(view.players, view.names, strict=True)):
        alone, amount = float(view.standalone[i]), float(view.amounts[i])
        w.text(w.row, 1, name)
        w.money(w.row, 2, alone, decimals)
        w.money(w.row, 3, amount, decimals, font=BOLD, fill=PLAN_FILL)
        for offset, method in enumerate(methods):
            w.money(w.row, 4 + offset, float(view.allocations[method].shares[i]), decimals)
        w.money(w.row, 4 + len(methods), alone - amount if view.cost else amount - alone, decimals)
        rational = bool(view.individually_rational.get(party, True))
        w.text(
            w.row,
            5 + len(methods),
            yes_no(view, rational),
            font=GREEN_FONT if rational else RED_FONT,
            fill=GREEN_FILL if rational else RED_FILL,
        )
        w.row += 1
    w.text(w.row, 1, view.say("wb_total"), font=BOLD)
    totals = [
        float(np.sum(view.standalone)),
        float(np.sum(view.amounts)),
        *(float(np.sum(view.allocations[m].shares)) for m in methods),
    ]
    totals.append(totals[0] - totals[1] if view.cost else totals[1] - totals[0])
    for offset, total in enumerate(totals):
        w.money(w.row, 2 + offset, total, decimals, font=BOLD)
    for column in range(1, 6 + len(methods)):
        w.sheet.cell(row=w.row, column=column).border = RULE
    w.row += 1


# -- allocations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationLine:
    """One method's (or the plan's, or a reference's) amounts for every party."""

    key: str
    label: str
    values: np.ndarray
    kind: str  # "plan", "method" or "reference"
    in_core: bool | None = None
    blocked_by: str = ""


def allocation_lines(view: WorkbookView) -> list[AllocationLine]:
    """The plan (or proposal), every method, then the references: each party alone and the
    most the core can give it (v(N) − v(N∖{i}); cost games: the least, c(N) − c(N∖{i}))."""
    lines = []
    for method, shares in view.methods_with_plan():
        report = view.fairness.get(method)
        in_core = view.in_core if method == view.what else (report.in_core if report else None)
        worst = (
            view.worst_coalition
            if method == view.what
            else (report.worst_coalition if report else 0)
        )
        lines.append(
            AllocationLine(
                method,
                view.method(method),
                np.asarray(shares, dtype=float),
                "plan" if method == view.what else "method",
                None if in_core is None else bool(in_core),
                "" if in_core in (True, None) else view.coalition_names(worst),
            )
        )
    game = view.game
    others = game.values[game.grand_mask ^ (1 << np.arange(game.n))]
    limit = game.grand_value - others
    lines.append(
        AllocationLine("alone", view.say("alone"), np.asarray(view.standalone), "reference")
    )
    side = "cost" if view.cost else "benefit"
    lines.append(
        AllocationLine("core_limit", view.say(f"wb_core_limit_{side}"), limit, "reference")
    )
    return lines


def write_allocations(book: Workbook, view: WorkbookView) -> ChartTable:
    """Methods as rows and parties as columns (parties as rows when they outnumber the
    methods), the amounts and each party's share of the total; methods a coalition blocks
    shaded red, with the coalition named."""
    sheet = new_sheet(book, view, "allocations")
    w = SheetWriter(sheet, view.lang, view.unit)
    w.title(
        view.say("wb_allocations_title", amount=amount_label(view)),
        view.say("wb_allocations_note", unit=view.unit or "—"),
    )
    lines = allocation_lines(view)
    transposed = len(view.players) > len(lines)
    decimals = view.decimals(np.concatenate([line.values for line in lines]))
    w.section(amount_label(view))
    header_row = w.row
    table = _line_matrix(w, view, lines, transposed, decimals, shares=False)
    w.row += 1
    w.section(view.say("share_of_total"))
    _line_matrix(
        w, view, [ln for ln in lines if ln.kind != "reference"], transposed, decimals, shares=True
    )
    w.row += 1
    side = "cost" if view.cost else "benefit"
    w.note(view.say(f"wb_core_limit_note_{side}"))
    for method, why in view.skipped.items():
        w.note(view.say("wb_skipped", method=view.method(method), why=why))
    w.finish(
        view.case_name,
        freeze=f"B{header_row + 1}",
        title_rows=(header_row, header_row),
    )
    return table


def _line_matrix(
    w: SheetWriter,
    view: WorkbookView,
    lines: Sequence[AllocationLine],
    transposed: bool,
    decimals: int,
    *,
    shares: bool,
) -> ChartTable:
    """The lines as a matrix: a row per line (a column per line when ``transposed``), the
    parties across, a total, and (amounts only) the core verdict and the blocking coalition."""
    parties = list(view.names)
    flags = not shares
    extra = [view.say("wb_total")] + (
        [view.say("in_core"), view.say("wb_blocked_by")] if flags else []
    )
    start = w.row
    if not transposed:
        w.header([view.say("method"), *parties, *extra])
        for line in lines:
            row = w.row
            _line_cells(w, view, line, row, 2, decimals, shares, across=True)
            w.row += 1
        table = ChartTable(
            w.sheet,
            categories=(2, start, 1 + len(parties), start),
            series={
                ln.key: (1, start + 1 + k, 2, start + 1 + k, 1 + len(parties), start + 1 + k)
                for k, ln in enumerate(lines)
            },
        )
        return table
    w.header([view.say("party"), *(line.label for line in lines)])
    for k, name in enumerate(parties):
        w.text(start + 1 + k, 1, name)
    for j, line in enumerate(lines):
        _line_cells(w, view, line, start + 1, 2 + j, decimals, shares, across=False)
    labels = [
        view.say("wb_total"),
        *([view.say("in_core"), view.say("wb_blocked_by")] if flags else []),
    ]
    for k, label in enumerate(labels):
        w.text(start + 1 + len(parties) + k, 1, label, font=BOLD)
    w.row = start + 1 + len(parties) + len(labels)
    return ChartTable(
        w.sheet,
        categories=(1, start + 1, 1, start + len(parties)),
        series={
            ln.key: (2 + j, start, 2 + j, start + 1, 2 + j, start + len(parties))
            for j, ln in enumerate(lines)
        },
    )


def _line_cells(
    w: SheetWriter,
    view: WorkbookView,
    line: AllocationLine,
    row: int,
    column: int,
    decimals: int,
    shares: bool,
    *,
    across: bool,
) -> None:
    """One line's cells: its label (across only), a value per party, the total and flags."""
    blocked = line.in_core is False
    font = BOLD if line.kind == "plan" else ITALIC if line.kind == "reference" else None
    fill = RED_FILL if blocked else PLAN_FILL if line.kind == "plan" else None
    total = float(np.sum(line.values))
    values = [*line.values, total]
    if shares:
        values = [v / total if total else math.nan for v in values]

    def place(k: int) -> tuple[int, int]:
        return (row, column + k) if across else (row + k, column)

    if across:
        w.text(row, 1, line.label, font=font, fill=fill)
    for k, value in enumerate(values):
        r, c = place(k)
        if shares:
            w.ratio(r, c, float(value), font=font, fill=fill)
        else:
            w.money(r, c, float(value), decimals, font=font, fill=fill)
    if shares or line.kind == "reference" or line.in_core is None:
        return
    r, c = place(len(values))
    w.text(
        r,
        c,
        yes_no(view, line.in_core),
        font=RED_FONT if blocked else GREEN_FONT,
        fill=RED_FILL if blocked else GREEN_FILL,
    )
    r, c = place(len(values) + 1)
    w.text(r, c, line.blocked_by, fill=fill)


# -- fairness ---------------------------------------------------------------------------------


def write_fairness(book: Workbook, view: WorkbookView) -> None:
    """Every method and the plan (or proposal): in the core, individually rational, the
    coalition most tempted to leave by name and its excess, with the sign explained; red
    and green by conditional formatting on the verdict columns. Below it, the price of each
    simplification the plan took and how simple the plan or proposal is to sign
    (:mod:`fairpool.reports.excel_simplicity`), when the result holds them."""
    sheet = new_sheet(book, view, "fairness")
    w = SheetWriter(sheet, view.lang, view.unit)
    side = "cost" if view.cost else "benefit"
    w.title(view.say("wb_fairness_title"), view.say(f"wb_excess_sign_{side}"))
    header = w.header(
        [
            view.say("method"),
            view.say("in_core"),
            view.say("individually_rational"),
            view.say("worst_coalition"),
            view.say("wb_gain_by_leaving"),
            view.say("wb_below_alone"),
        ]
    )
    decimals = view.money_decimals
    for method, _ in view.methods_with_plan():
        report = view.fairness.get(method)
        if report is None:
            continue
        is_plan = method == view.what
        in_core = view.in_core if is_plan else bool(report.in_core)
        rational = (
            all(view.individually_rational.values())
            if is_plan
            else bool(report.individually_rational)
        )
        worst = view.worst_coalition if is_plan else report.worst_coalition
        excess = view.worst_excess if is_plan else float(report.worst_excess)
        short = [
            view.names[i]
            for i, gap in enumerate(report.ir_shortfall)
            if (
                not view.individually_rational.get(view.players[i], True)
                if is_plan
                else gap > report.tolerance
            )
        ]
        row = w.row
        w.text(
            row,
            1,
            view.method(method),
            font=BOLD if is_plan else None,
            fill=PLAN_FILL if is_plan else None,
        )
        w.text(row, 2, yes_no(view, in_core))
        w.text(row, 3, yes_no(view, rational))
        w.text(row, 4, view.coalition_names(worst))
        w.money(row, 5, excess, decimals)
        w.text(row, 6, "、".join(short) if view.lang == "zh" else ", ".join(short))
        w.row += 1
    last = w.row - 1
    if last > header:
        _verdict_colours(sheet, view, header + 1, last)
    write_prices(w, view)
    write_simplicity(w, view)
    w.finish(view.case_name, freeze=f"B{header + 1}", title_rows=(header, header))


def _verdict_colours(sheet: Worksheet, view: WorkbookView, first: int, last: int) -> None:
    """Red where the verdict is "no", green where "yes" (conditional formatting, so the
    colours follow a verdict edited by hand); the excess takes the core verdict's colour."""
    no, yes = view.say("wb_no"), view.say("wb_yes")
    for column in ("B", "C"):
        cells = f"{column}{first}:{column}{last}"
        sheet.conditional_formatting.add(
            cells, FormulaRule(formula=[f'{column}{first}="{no}"'], fill=RED_FILL, font=RED_FONT)
        )
        sheet.conditional_formatting.add(
            cells,
            FormulaRule(formula=[f'{column}{first}="{yes}"'], fill=GREEN_FILL, font=GREEN_FONT),
        )
    sheet.conditional_formatting.add(
        f"D{first}:E{last}",
        FormulaRule(formula=[f'$B{first}="{no}"'], fill=RED_FILL, font=RED_FONT),
    )
    sheet.conditional_formatting.add(
        f"D{first}:E{last}",
        FormulaRule(formula=[f'$B{first}="{yes}"'], fill=GREEN_FILL, font=GREEN_FONT),
    )


# -- coalition values ---------------------------------------------------------------------------


def write_coalitions(book: Workbook, view: WorkbookView) -> BulkRows:
    """Every coalition, the closest to leaving first: its parties, what it reaches alone
    v(S) (cost: c(S)), what the plan (or proposal) gives its members together, and its gain
    by leaving; a gain that shows above zero is shaded red (conditional formatting), and a
    filter finds a coalition by name. A long table prints only its first
    :data:`PRINTED_COALITIONS` rows, and a game beyond :data:`COALITION_ROWS` coalitions
    lists only those closest to leaving.

    The rows are written when the workbook is saved (:mod:`fairpool.reports.excel_bulk`):
    the table returned goes to ``save_results``."""
    sheet = new_sheet(book, view, "coalitions")
    w = SheetWriter(sheet, view.lang, view.unit)
    side = "cost" if view.cost else "benefit"
    what = view.say(f"what_{view.what}")
    w.title(view.say("coalition_values"), view.say(f"wb_coalitions_note_{side}", what=what))
    game = view.game
    masks = np.arange(1, 1 << game.n)
    together = _coalition_sums(view.amounts)[masks]
    values = game.values[masks]
    gains = together - values if view.cost else values - together
    order = np.argsort(-gains, kind="stable")[: min(COALITION_ROWS, EXCEL_MAX_ROWS - 8)]
    left_out = len(masks) - len(order)
    masks, together, values, gains = masks[order], together[order], values[order], gains[order]
    if len(masks) > PRINTED_COALITIONS:
        w.row = 3
        w.note(view.say("wb_coalitions_printed", printed=PRINTED_COALITIONS, count=len(masks)))
        w.row = 4
    header = w.header(
        [
            view.say("wb_coalition"),
            view.say("wb_ids"),
            view.say("wb_size"),
            view.say(f"wb_value_{side}"),
            view.say("wb_members_get", what=what),
            view.say("wb_gain_by_leaving"),
        ]
    )
    decimals = view.decimals(np.concatenate([values, together]))
    mask_list = masks.tolist()
    names = view.many_coalition_names(mask_list)
    labels = view.many_coalition_labels(mask_list)
    for k in range(min(PRINTED_COALITIONS, len(mask_list))):
        w.fit(1, names[k])
        w.fit(2, labels[k])
    sizes = np.array([mask.bit_count() for mask in mask_list], dtype=np.int64)
    table = w.rows(
        header + 1,
        [
            BulkColumn(names),
            BulkColumn(labels),
            BulkColumn(sizes),
            w.money_column(4, values, decimals),
            w.money_column(5, together, decimals),
            w.money_column(6, gains, decimals),
        ],
    )
    last = header + len(masks)
    w.row = last + 1
    if left_out:
        w.note(view.say("wb_coalitions_left_out", count=f"{left_out:,}"))
    if len(masks):
        threshold = max(view.report.tolerance, 0.5 * 10.0**-decimals)
        sheet.conditional_formatting.add(
            f"F{header + 1}:F{last}",
            FormulaRule(formula=[f"F{header + 1}>{threshold!r}"], fill=RED_FILL, font=RED_FONT),
        )
        sheet.auto_filter.ref = f"A{header}:F{last}"
    if len(masks) > PRINTED_COALITIONS:
        sheet.print_area = f"A1:F{header + PRINTED_COALITIONS}"
    w.fit(3, view.say("wb_size"))
    w.finish(view.case_name, freeze=f"C{header + 1}", title_rows=(header, header))
    return table


def _coalition_sums(amounts: np.ndarray) -> np.ndarray:
    """x(S) for every mask S (the engine's coalition sums of the amounts)."""
    from fairpool.optimizer.game import coalition_sums

    return coalition_sums(np.asarray(amounts, dtype=float))


# -- run details --------------------------------------------------------------------------------


def write_run_details(book: Workbook, view: WorkbookView) -> None:
    """The settings, the game's properties, the least core ε*, every family fact, the
    warnings, the methods left out and the seconds each step took: what an analyst checks
    and a negotiator does not need."""
    sheet = new_sheet(book, view, "run_details")
    w = SheetWriter(sheet, view.lang, view.unit)
    w.title(view.say("run_details"))
    decimals = view.money_decimals
    rows: list[tuple[str, object]] = [
        (view.say("wb_model"), view.model),
        (view.say("wb_orientation"), view.game.orientation),
        (view.say("unit"), view.unit),
        (
            view.say("wb_parties"),
            ", ".join(f"{p} = {n}" for p, n in zip(view.players, view.names, strict=True)),
        ),
    ]
    if view.what == "plan":
        rows += [
            (view.say("target"), view.target),
            (view.say("wb_core_mode"), view.core_mode),
            (view.say("wb_distance_kind"), view.distance_kind),
        ]
    props = view.properties
    for name, flag in (
        ("superadditive", props.superadditive),
        ("convex", props.convex),
        ("monotone", props.monotone),
        ("essential", props.essential),
    ):
        shown = "—" if flag is None else yes_no(view, bool(flag))
        rows.append((view.say(f"wb_property_{name}"), shown))
    rows.append((view.say("wb_least_core_epsilon"), view.least_core_epsilon))
    rows.append((view.say("wb_tolerance"), float(view.report.tolerance)))
    rows += [(key, value) for key, value in view.facts]
    for label, value in rows:
        w.text(w.row, 1, label)
        if isinstance(value, float) and label == view.say("wb_tolerance"):
            w.number(w.row, 2, value, "0.00E+00")
        elif isinstance(value, float | int) and not isinstance(value, bool):
            w.money(w.row, 2, float(value), decimals)
        else:
            w.text(w.row, 2, str(value), wrap=True)
        w.row += 1
    if view.timings:
        w.row += 1
        w.section(view.say("wb_timings"))
        for step, seconds in view.timings.items():
            w.text(w.row, 1, step)
            w.number(w.row, 2, float(seconds), '0.000" s"')
            w.row += 1
    for heading, lines in (
        ("wb_warnings", view.warnings),
        ("wb_rule_violations", view.rule_violations),
        ("wb_skipped_methods", tuple(f"{m}: {why}" for m, why in view.skipped.items())),
    ):
        if lines:
            w.row += 1
            w.section(view.say(heading))
            for line in lines:
                w.text(w.row, 1, line, fit=False)
                w.paragraph(w.row)
                w.row += 1
    w.finish(view.case_name, portrait=True)
