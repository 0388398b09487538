"""Results workbook (plain tables for now; the reports issue adds charts).

Sheets: ``summary`` (case, target, verdict, timings), ``allocations`` (party × method, the
plan's NPV beside them), ``plan`` (ratios: party, stream, phase, ratio), ``cash_flows``,
``statistics`` (statistic credit, not money), ``fairness`` (per party and the worst
coalition), ``coalition_values``, and optionally ``proposal`` and ``sweep_*`` sheets.
The file is written to a temporary file in the target folder and moved into place with
``os.replace``, so a reader never sees half a workbook.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from models.joint_park import JointParkResult, ProposalCheck


def _summary(result: JointParkResult) -> pd.DataFrame:
    rows = [
        ("case", result.case_name),
        ("unit", result.unit),
        ("target", result.target),
        ("core", result.core),
        ("distance_kind", result.distance_kind),
        ("grand_value", result.game.grand_value),
        ("distance", result.distance),
        ("core_violation_epsilon", result.epsilon),
        ("in_core", result.in_core),
        ("worst_coalition", result.worst_coalition),
        ("worst_excess", result.worst_excess),
        ("active_components", "+".join(result.active_components)),
        *((f"time_{k}_s", round(v, 4)) for k, v in result.timings.items()),
        *((f"detail_{k}", v) for k, v in result.details.items()),
        *(("warning", w) for w in result.warnings),
    ]
    return pd.DataFrame(rows, columns=["key", "value"])


def _allocations(result: JointParkResult) -> pd.DataFrame:
    frame = pd.DataFrame({"party": list(result.players), "name": list(result.names)})
    frame["standalone"] = result.game.standalone_values
    for method, allocation in result.allocations.items():
        frame[method] = allocation.shares
    frame["target"] = [result.target_shares[p] for p in result.players]
    frame["plan"] = [result.npv[p] for p in result.players]
    return frame


def _fairness(result: JointParkResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "party": list(result.players),
            "npv": [result.npv[p] for p in result.players],
            "target": [result.target_shares[p] for p in result.players],
            "residual": [result.residual[p] for p in result.players],
            "standalone": result.game.standalone_values,
            "individually_rational": [result.individually_rational[p] for p in result.players],
        }
    )


def _coalitions(result: JointParkResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "coalition": list(result.coalition_values),
            "value": list(result.coalition_values.values()),
        }
    )


def _proposal(check: ProposalCheck) -> pd.DataFrame:
    rows = [
        ("fair", check.fair),
        ("in_core", check.in_core),
        ("worst_coalition", check.worst_coalition),
        ("worst_excess", check.worst_excess),
    ]
    rows += [(f"npv_{p}", v) for p, v in check.npv.items()]
    rows += [(f"individually_rational_{p}", v) for p, v in check.individually_rational.items()]
    rows += [(f"distance_{m}", v) for m, v in check.distances.items()]
    rows += [("verdict", line) for line in check.verdict]
    return pd.DataFrame(rows, columns=["key", "value"])


def write_results_workbook(
    result: JointParkResult,
    path: str | os.PathLike[str],
    check: ProposalCheck | None = None,
    sweeps: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the results of a joint-park solve as an .xlsx workbook, atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sheets: dict[str, pd.DataFrame] = {
        "summary": _summary(result),
        "allocations": _allocations(result),
        "plan": result.ratios,
        "cash_flows": result.cash_flows,
        "statistics": result.statistics,
        "fairness": _fairness(result),
        "coalition_values": _coalitions(result),
    }
    if check is not None:
        sheets["proposal"] = _proposal(check)
        sheets["proposal_ratios"] = check.ratios
    for name, frame in (sweeps or {}).items():
        sheets[f"sweep_{name}"[:31]] = frame
    handle, temp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        with pd.ExcelWriter(temp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                sheet = writer.sheets[name]
                for index, column in enumerate(frame.columns, start=1):
                    letter = sheet.cell(row=1, column=index).column_letter
                    sheet.column_dimensions[letter].width = max(12, len(str(column)) + 4)
                sheet.freeze_panes = "A2"
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
