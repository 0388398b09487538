"""Results workbook (plain tables for now; the reports issue adds charts).

Sheets: ``summary`` (case, target, verdict, timings), ``allocations`` (party × method, the
plan beside them), ``plan`` (joint park: ratios party, stream, phase, ratio; infrastructure
and cost sharing: cost shares party, project, year, amount), ``cash_flows``, ``statistics``
(statistic credit, not money), ``fairness`` (per party), ``core_checks`` (every method's
core verdict and worst coalition), ``coalition_values``, and where the family has them
``payments`` (infrastructure: present value each party pays, by method), ``build``
(projects), ``facilities`` and ``connections`` (cost sharing), and optionally ``proposal``
and ``sweep_*`` sheets. The writer depends only on the result objects' documented fields
(``models.joint_park.JointParkResult``, ``models.infrastructure.InfrastructureResult``,
``models.cost_sharing.CostSharingResult``). The file is written to a temporary file in the
target folder and moved into place with ``os.replace``, so a reader never sees half a
workbook.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from fairpool.optimizer.workbook.files import atomic_output

ResultLike = Any
"""A JointParkResult, InfrastructureResult or CostSharingResult (duck-typed by field)."""


def _plan_values(result: ResultLike) -> tuple[str, list[float]]:
    """(column name, the plan's number per party): NPVs, or cost shares for cost games."""
    if hasattr(result, "npv"):
        return "npv", [result.npv[p] for p in result.players]
    return "cost_share", [result.cost_shares[p] for p in result.players]


def _summary(result: ResultLike) -> pd.DataFrame:
    built = getattr(result, "built_projects", None)
    rows = [
        ("case", result.case_name),
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
    ]
    if built is not None:
        rows.append(("built_projects", "+".join(built)))
        rows.append(("welfare", result.welfare))
        rows.append(("best_welfare", result.best_welfare))
    elif hasattr(result, "active_components"):
        rows.append(("active_components", "+".join(result.active_components)))
    if hasattr(result, "verdict"):
        rows += [("verdict", line) for line in str(result.verdict).splitlines()]
    rows += [
        *((f"time_{k}_s", round(v, 4)) for k, v in result.timings.items()),
        *((f"detail_{k}", v) for k, v in getattr(result, "details", {}).items()),
        *(("warning", w) for w in result.warnings),
    ]
    return pd.DataFrame(rows, columns=["key", "value"])


def _allocations(result: ResultLike) -> pd.DataFrame:
    frame = pd.DataFrame({"party": list(result.players), "name": list(result.names)})
    frame["standalone"] = result.game.standalone_values
    for method, allocation in result.allocations.items():
        frame[method] = allocation.shares
    frame["target"] = [result.target_shares[p] for p in result.players]
    frame["plan"] = _plan_values(result)[1]
    return frame


def _fairness(result: ResultLike) -> pd.DataFrame:
    name, values = _plan_values(result)
    return pd.DataFrame(
        {
            "party": list(result.players),
            name: values,
            "target": [result.target_shares[p] for p in result.players],
            "residual": [result.residual[p] for p in result.players],
            "standalone": result.game.standalone_values,
            "individually_rational": [result.individually_rational[p] for p in result.players],
        }
    )


def _core_checks(result: ResultLike) -> pd.DataFrame:
    """One row per method (and the plan): in core, IR, the worst coalition and its excess."""
    rows = []
    for method, report in getattr(result, "fairness", {}).items():
        rows.append(
            {
                "method": method,
                "in_core": bool(report.in_core),
                "individually_rational": bool(report.individually_rational),
                "worst_coalition": report.worst_coalition_label,
                "worst_excess": report.worst_excess,
                "efficiency_gap": report.efficiency_gap,
            }
        )
    return pd.DataFrame(rows)


def _payments(result: ResultLike) -> pd.DataFrame:
    frame = pd.DataFrame({"party": list(result.players), "name": list(result.names)})
    for method, payments in result.payments.items():
        frame[method] = [payments[p] for p in result.players]
    return frame


EXCEL_MAX_ROWS = 1_048_576
"""Rows of an Excel sheet, header included (a game of 21+ parties has more coalitions)."""


def _coalitions(result: ResultLike) -> pd.DataFrame:
    """One row per coalition; beyond Excel's sheet size, the first ones and a closing note."""
    labels = list(result.coalition_values)
    values = list(result.coalition_values.values())
    room = EXCEL_MAX_ROWS - 2  # the header and the note
    if len(labels) > room + 1:
        rest = len(labels) - room
        labels = [*labels[:room], f"… {rest:,} more: fairpool coalitions FILE --json lists all"]
        values = [*values[:room], float("nan")]
    return pd.DataFrame({"coalition": labels, "value": values})


def _proposal(check: Any) -> pd.DataFrame:
    rows = [
        ("fair", check.fair),
        ("in_core", check.in_core),
        ("worst_coalition", check.worst_coalition),
        ("worst_excess", check.worst_excess),
    ]
    amounts = check.npv if hasattr(check, "npv") else check.cost_shares
    label = "npv" if hasattr(check, "npv") else "cost_share"
    rows += [(f"{label}_{p}", v) for p, v in amounts.items()]
    rows += [(f"individually_rational_{p}", v) for p, v in check.individually_rational.items()]
    rows += [(f"distance_{m}", v) for m, v in check.distances.items()]
    rows += [("verdict", line) for line in check.verdict]
    return pd.DataFrame(rows, columns=["key", "value"])


def write_results_workbook(
    result: ResultLike,
    path: str | os.PathLike[str],
    check: Any | None = None,
    sweeps: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the results of a solve (any model family) as an .xlsx workbook, atomically."""
    target = Path(path)
    sheets: dict[str, pd.DataFrame] = {
        "summary": _summary(result),
        "allocations": _allocations(result),
        "plan": result.ratios if hasattr(result, "ratios") else result.shares,
    }
    if hasattr(result, "payments"):
        sheets["payments"] = _payments(result)
    for optional in ("build", "facilities", "connections", "cash_flows", "statistics"):
        frame = getattr(result, optional, None)
        if isinstance(frame, pd.DataFrame) and not frame.empty:
            sheets[optional] = frame
    sheets["fairness"] = _fairness(result)
    if getattr(result, "fairness", None):
        sheets["core_checks"] = _core_checks(result)
    sheets["coalition_values"] = _coalitions(result)
    if check is not None:
        sheets["proposal"] = _proposal(check)
        sheets["proposal_ratios" if hasattr(result, "ratios") else "proposal_shares"] = check.ratios
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
    return target
