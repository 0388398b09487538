"""Results workbook (plain tables for now; the reports issue adds charts).

The writer renders the family contract's typed results
(:class:`~fairpool.models.family.PlanResult`, :class:`~fairpool.models.family.ProposalCheck`)
the same way for every family and computes nothing. The file is written to a temporary file
in the target folder and moved into place with ``os.replace``, so a reader never sees half a
workbook. Text is written as text: a party named ``=HYPERLINK(…)`` stays that text in Excel,
never a live formula (:func:`~fairpool.optimizer.workbook.files.keep_text`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from fairpool.optimizer.workbook.files import atomic_output, keep_text

if TYPE_CHECKING:
    from fairpool.models.family import PlanResult, ProposalCheck
    from fairpool.optimizer.fairness import FairnessReport


def _summary(result: PlanResult) -> pd.DataFrame:
    rows: list[tuple[str, object]] = [
        ("case", result.case_name),
        ("model", result.model),
        ("unit", result.unit),
        ("orientation", result.game.orientation),
        ("target", result.target),
        ("core", result.core),
        ("distance_kind", result.distance_kind),
        ("grand_value", result.game.grand_value),
        ("distance", result.distance),
        ("core_violation_epsilon", result.epsilon),
        ("in_core", result.in_core),
        ("worst_coalition", result.worst_coalition),
        ("worst_excess", result.worst_excess),
        *result.facts,
        *((f"time_{k}_s", round(v, 4)) for k, v in result.timings.items()),
        *(("warning", w) for w in result.warnings),
    ]
    return pd.DataFrame(rows, columns=["key", "value"])


def _allocations(result: PlanResult) -> pd.DataFrame:
    frame = pd.DataFrame({"party": list(result.players), "name": list(result.names)})
    frame["standalone"] = result.game.standalone_values
    for method, allocation in result.allocations.items():
        frame[method] = allocation.shares
    frame["target"] = [result.target_shares[p] for p in result.players]
    frame["plan"] = [result.amounts[p] for p in result.players]
    return frame


def _fairness(result: PlanResult) -> pd.DataFrame:
    """One row per party: the plan's amount, the target, the residual, alone, rational."""
    return pd.DataFrame(
        {
            "party": list(result.players),
            result.amount_kind: [result.amounts[p] for p in result.players],
            "target": [result.target_shares[p] for p in result.players],
            "residual": [result.residual[p] for p in result.players],
            "standalone": result.game.standalone_values,
            "individually_rational": [result.individually_rational[p] for p in result.players],
        }
    )


def _core_checks(fairness: Mapping[str, FairnessReport]) -> pd.DataFrame:
    """One row per method (and the plan or proposal): in core, IR, the worst coalition and
    its excess, the efficiency gap."""
    return pd.DataFrame(
        [
            {
                "method": method,
                "in_core": bool(report.in_core),
                "individually_rational": bool(report.individually_rational),
                "worst_coalition": report.worst_coalition_label,
                "worst_excess": report.worst_excess,
                "efficiency_gap": report.efficiency_gap,
            }
            for method, report in fairness.items()
        ]
    )


EXCEL_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet, header included (a game of 21+ parties has more coalitions)."""


def _coalitions(result: PlanResult) -> pd.DataFrame:
    """One row per coalition; beyond Excel's sheet size, the first ones and a closing note."""
    labels = list(result.coalition_values)
    values = list(result.coalition_values.values())
    room = EXCEL_MAX_ROWS - 2  # the header and the note
    if len(labels) > room + 1:
        rest = len(labels) - room
        labels = [*labels[:room], f"… {rest:,} more: fairpool coalitions FILE --json lists all"]
        values = [*values[:room], float("nan")]
    return pd.DataFrame({"coalition": labels, "value": values})


def _proposal(check: ProposalCheck) -> pd.DataFrame:
    rows: list[tuple[str, object]] = [
        ("fair", check.fair),
        ("in_core", check.in_core),
        ("worst_coalition", check.worst_coalition),
        ("worst_excess", check.worst_excess),
        *((f"{check.amount_kind}_{p}", v) for p, v in check.amounts.items()),
        *((f"individually_rational_{p}", v) for p, v in check.individually_rational.items()),
        *((f"distance_{m}", v) for m, v in check.distances.items()),
        *check.facts,
        *(("rule_violation", v) for v in check.rule_violations),
        *(("verdict", line) for line in check.verdict),
    ]
    return pd.DataFrame(rows, columns=["key", "value"])


def write_results_workbook(
    result: PlanResult,
    path: str | os.PathLike[str],
    check: ProposalCheck | None = None,
    sweeps: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the results of a solve (any model family) as an .xlsx workbook, atomically.

    Sheets: ``summary``, ``allocations`` (party × method, the plan beside them), ``plan``
    (the plan table), the family's own tables (``statistics``, ``build``, ``payments``,
    ``facilities``, ...), ``cash_flows``, ``fairness`` (per party), ``core_checks`` (per
    method and the plan), ``coalition_values``; with a check ``proposal``,
    ``proposal_plan`` and ``proposal_checks``; ``sweep_*`` for sweeps.
    """
    target = Path(path)
    sheets: dict[str, pd.DataFrame] = {
        "summary": _summary(result),
        "allocations": _allocations(result),
        "plan": result.plan_table,
    }
    for name, frame in result.tables.items():
        if not frame.empty:
            sheets[name] = frame
    if not result.cash_flows.empty:
        sheets["cash_flows"] = result.cash_flows
    sheets["fairness"] = _fairness(result)
    sheets["core_checks"] = _core_checks(result.fairness)
    sheets["coalition_values"] = _coalitions(result)
    if check is not None:
        sheets["proposal"] = _proposal(check)
        sheets["proposal_plan"] = check.proposal_table
        sheets["proposal_checks"] = _core_checks(check.analysis.fairness)
    for name, frame in (sweeps or {}).items():
        sheets[f"sweep_{name}"[:31]] = frame
    with atomic_output(target) as temp, pd.ExcelWriter(temp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for index, column in enumerate(frame.columns, start=1):
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = max(12, len(str(column)) + 4)
            sheet.freeze_panes = "A2"
            keep_text(sheet)
    return target
