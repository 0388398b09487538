"""The simplicity tables of the results workbook (issue 12), below the Fairness sheet's
method table: the price of each simplification a plan took, and how simple the plan or the
proposal is to sign.

- The price of simplicity: one row per step taken after the fairness step
  (:attr:`~fairpool.models.results.PlanResult.simplifications`): the step, its price in the
  case unit (the extra distance to the target; "Not applied" when it made the rules
  infeasible), whether the plan is still in the core, and the family's note. Shown only when
  the plan took such a step.
- How simple to sign (:class:`~fairpool.models.results.ProposalSimplicity`): distinct
  values, the coarsest grid, ratio changes across phases per party and one ratio for every
  cash stream (joint park), or the payments toward what a party neither hosts nor benefits
  from (cost families). Shown when the result carries the counts.

Labels come from the phrase table in the workbook's language; the notes are the family's
own sentences, as the text report prints them. Nothing is computed here.
"""

from __future__ import annotations

from fairpool.reports.excel_style import BOLD, HEADER_FILL, SheetWriter
from fairpool.reports.excel_view import WorkbookView
from fairpool.reports.i18n import PHRASES

NOTE_COLUMNS = (4, 6)
"""The columns the note of a simplification wraps over (those of the method table)."""


def simplification_label(view: WorkbookView, name: str) -> str:
    """A simplification's name for people (``round_to`` → "Round ratios or shares"); an
    unknown name (a step added later) as itself."""
    key = f"simplification_{name}"
    return view.say(key) if key in PHRASES else name


def write_prices(w: SheetWriter, view: WorkbookView) -> int | None:
    """The price of simplicity, from ``w.row`` on: a section title, a note with the unit,
    the header (simplification, price, still in the core, note) and one row per step.
    Returns the header's row, or ``None`` (nothing written) when the plan took no step."""
    if not view.simplifications:
        return None
    w.row += 1
    w.section(view.say("wb_prices_title"))
    w.note(view.say("wb_prices_note", unit=view.unit or "—"))
    header = w.header(
        [
            view.say("wb_col_simplification"),
            view.say("wb_col_price"),
            view.say("wb_col_still_in_core"),
            view.say("wb_col_note"),
        ]
    )
    first, last = NOTE_COLUMNS
    for column in range(first + 1, last + 1):  # the note's header spans the note's columns
        w.sheet.cell(row=header, column=column).fill = HEADER_FILL
    decimals = view.decimals([step.price for step in view.simplifications])
    for step in view.simplifications:
        row = w.row
        w.text(row, 1, simplification_label(view, step.name), font=BOLD)
        if step.applied:
            w.money(row, 2, float(step.price), decimals)
        else:
            w.text(row, 2, view.say("wb_not_applied"))
        w.text(row, 3, view.say("wb_yes" if step.in_core else "wb_no"))
        w.text(row, first, step.description, fit=False)
        w.paragraph(row, last, size=11.0, first_column=first)
        w.row += 1
    return header


def write_simplicity(w: SheetWriter, view: WorkbookView) -> int | None:
    """How simple the plan or proposal is to sign, from ``w.row`` on: a section title and
    one row per measure (measure, value). Returns the header's row, or ``None`` when the
    result carries no counts."""
    simplicity = view.simplicity
    if simplicity is None:
        return None
    w.row += 1
    w.section(view.say("wb_simplicity_title", what=view.say(view.what)))
    header = w.header([view.say("wb_col_measure"), view.say("batch_value")])
    grid = simplicity.grid
    rows: list[tuple[str, str | int | float]] = [
        (view.say(f"wb_distinct_{simplicity.value_kind}"), simplicity.distinct_values),
        (view.say("wb_values_counted"), simplicity.values),
        (
            view.say("wb_grid"),
            f"{100 * grid:g}%" if grid is not None else view.say("wb_no_grid"),
        ),
    ]
    for party, changes in simplicity.changes.items():
        rows.append((view.say("wb_changes_of", party=view.name_of(party)), changes))
    if simplicity.most_changes is not None:
        rows.append((view.say("wb_most_changes"), simplicity.most_changes))
    if simplicity.uniform_streams is not None:
        flag = simplicity.uniform_streams
        rows.append((view.say("wb_uniform_streams"), view.say("wb_yes" if flag else "wb_no")))
    kind = "cost_shares" if view.cost else "npv"
    if simplicity.outside_payments is not None:
        rows.append((view.say(f"wb_outside_payments_{kind}"), simplicity.outside_payments))
        rows.append((view.say("wb_outside_amount"), float(simplicity.outside_amount or 0.0)))
    money = view.money_decimals
    for label, value in rows:
        w.text(w.row, 1, label)
        if isinstance(value, float):
            w.money(w.row, 2, value, money)
        elif isinstance(value, int):
            w.number(w.row, 2, value, "0")
        else:
            w.text(w.row, 2, value)
        w.row += 1
    return header


__all__ = ["NOTE_COLUMNS", "simplification_label", "write_prices", "write_simplicity"]
