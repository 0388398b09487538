"""Plain-text rendering for the terminal: aligned tables (Chinese names line up) and the
comparison of every method side by side."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fairpool.optimizer.game import Game

if TYPE_CHECKING:
    from fairpool.models.family import PlanResult, SweepResult


def display_width(text: str) -> int:
    """Terminal columns of a text: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_table(
    rows: Sequence[Sequence[str]], right_from: int = 1, left_from: int | None = None
) -> str:
    """Rows of cells as aligned columns; columns ``right_from`` to ``left_from − 1`` (numbers)
    are right-aligned, measured in terminal columns so that Chinese names line up."""
    widths = [max(display_width(row[j]) for row in rows) for j in range(len(rows[0]))]
    stop = len(widths) if left_from is None else left_from

    def aligned(j: int, cell: str) -> str:
        return _pad(cell, widths[j], right=right_from <= j < stop)

    return "\n".join(
        "  ".join(aligned(j, cell) for j, cell in enumerate(row)).rstrip() for row in rows
    )


def party_labels(game: Game) -> list[str]:
    """``"深圳 SZ"`` (display name and id), or the id alone when they are the same."""
    return [
        party if name == party else f"{name} {party}"
        for party, name in zip(game.players, game.names, strict=True)
    ]


def cell(value: float | None) -> str:
    """A money cell: two decimals, thousands separators, no "-0.00"."""
    if value is None:
        return "-"
    return f"{(value if abs(value) >= 0.005 else 0.0):,.2f}"


def render_comparison(game: Game, document: Mapping[str, Any], source: str) -> str:
    """Every method side by side, the core line, properties and core membership.

    ``document`` is the JSON document of :func:`reports.document.game_document`.
    """
    kind = "cost shares" if game.orientation == "cost" else "benefit shares"
    symbol = "c(N)" if game.orientation == "cost" else "v(N)"
    lines = [
        f"{source}: {game.orientation} game, {game.n} parties, "
        f"{symbol} = {game.grand_value:,.2f}  ({kind} by method)",
        "",
    ]
    methods = list(document["solutions"])
    attribute = document.get("details", {}).get("proportional", {}).get("attribute")
    if "proposal" in document.get("allocations", {}):
        methods.append("proposal")
    shares = {**document["solutions"], **document.get("allocations", {})}
    fairness = document["fairness"]
    standalone = game.standalone_values
    labels = party_labels(game)
    verdicts = ["yes" if fairness[m]["in_core"] else "NO" for m in methods]
    worst = [
        f"{fairness[m]['worst_coalition'] or '-'} ({cell(fairness[m]['worst_excess'])})"
        for m in methods
    ]
    if game.n <= len(methods):  # few parties: one row per method
        rows = [
            ["method", *labels, "in core", "worst coalition (excess)"],
            ["alone", *(f"{x:,.2f}" for x in standalone), "", ""],
        ]
        for k, m in enumerate(methods):
            name = f"{m} ({attribute})" if m == "proportional" and attribute else m
            rows.append([name, *(cell(shares[m][p]) for p in game.players), verdicts[k], worst[k]])
        lines.append(render_table(rows, right_from=1, left_from=game.n + 1))
    else:  # many parties: one row per party
        rows = [["party", "alone", *methods]]
        for i, party in enumerate(game.players):
            rows.append(
                [labels[i], f"{standalone[i]:,.2f}", *(cell(shares[m][party]) for m in methods)]
            )
        rows.append(["in core", "", *verdicts])
        rows.append(["worst coalition", "", *worst])
        lines.append(render_table(rows))
    lines.append("")
    core = document["core"]
    epsilon = core["least_core_epsilon"]
    if core["empty"]:
        lines.append(
            f"Core: EMPTY. Least core ε = {epsilon:,.4g}: any split leaves some coalition "
            f"{epsilon:,.4g} better off on its own."
        )
    else:
        lines.append(
            f"Core: non-empty. Least core ε = {epsilon:,.4g}: there are splits where every "
            f"coalition is at least {-epsilon:,.4g} better off staying in."
        )
    properties = document["properties"]
    lines.append(
        "Properties: "
        + ", ".join(
            f"{k} {'yes' if v else 'no' if v is not None else '?'}" for k, v in properties.items()
        )
    )
    for method, reason in document.get("skipped", {}).items():
        lines.append(f"Not applicable: {method}: {reason}")
    lines.append(
        "A positive excess means that coalition would be better off on its own (it blocks)."
    )
    return "\n".join(lines)


def render_case_result(result: PlanResult) -> str:
    """A solved case for the terminal: coalition values, methods side by side, the plan
    (ratio schedule, or cost shares by project), each party against the target, the verdict."""
    from fairpool.reports.document import case_document

    game = result.game
    document = case_document(result)
    unit = f" {result.unit}" if result.unit else ""
    lines = [f"Case: {result.case_name}  ({game.n} parties; amounts in{unit or ' case units'})"]
    lines.append("")
    if game.n <= 4:
        rows = [["coalition", "value"]]
        rows += [[label, cell(value)] for label, value in result.coalition_values.items()]
        lines.append("Coalition values (what each group reaches on its own):")
        lines.append(render_table(rows))
        lines.append("")
    else:
        lines.append(f"{(1 << game.n) - 1} coalition values: see `fairpool coalitions`.\n")
    what = "cost shares" if result.amount_kind == "cost_shares" else "NPV"
    lines.append(render_comparison(game, document, f"Allocations ({what})"))
    lines.append("")
    lines.append(
        f"Plan: target {result.target}, core {result.core}, distance {result.distance_kind}"
    )
    lines.append(_plan_table(result))
    labels = dict(zip(game.players, party_labels(game), strict=True))
    plan_label = "plan NPV" if result.amount_kind == "npv" else "plan cost share"
    table = [["party", plan_label, "target", "plan − target", "alone", "better off?"]]
    for i, party in enumerate(game.players):
        table.append(
            [
                labels[party],
                cell(result.amounts[party]),
                cell(result.target_shares[party]),
                cell(result.residual[party]),
                cell(game.standalone_values[i]),
                "yes" if result.individually_rational[party] else "NO",
            ]
        )
    lines.append("")
    lines.append(render_table(table, right_from=1, left_from=5))
    lines.append(f"Distance to target: {result.distance:,.4g}{unit}")
    if result.in_core:
        lines.append("Verdict: the plan is in the core — no group of parties gains by leaving.")
    else:
        lines.append(
            f"Verdict: NOT in the core — {result.worst_coalition} would be "
            f"{result.worst_excess:,.2f}{unit} better off on its own."
        )
    lines += [f"Warning: {warning}" for warning in result.warnings]
    return "\n".join(lines)


def _plan_table(result: PlanResult) -> str:
    """Joint park: ratio per party and stream (rows) and phase (columns). Infrastructure and
    cost sharing: each party's payments summed over the years, per project."""
    plan = result.plan_table
    if not len(plan):
        return "(no plan table)"
    if result.plan_kind == "ratios":
        pivot = plan.pivot_table(
            index=["party", "stream"], columns="phase", values="ratio", sort=False
        )
        table = [["party", "stream", *map(str, pivot.columns)]]
        for (party, stream), values in zip(pivot.index, pivot.to_numpy(), strict=True):
            table.append([str(party), str(stream), *(f"{v:.4f}" for v in values)])
        return render_table(table, right_from=2)
    pivot = plan.pivot_table(
        index="party", columns="project", values="amount", aggfunc="sum", sort=False
    ).fillna(0.0)
    table = [["party (sum over years)", *map(str, pivot.columns)]]
    for party, amounts in zip(pivot.index, pivot.to_numpy(), strict=True):
        table.append([str(party), *(cell(v) for v in amounts)])
    return render_table(table)


def render_sweep(sweep: SweepResult) -> str:
    """A sweep for the terminal: one row per value, then the exact core band."""
    table = sweep.table
    rows = [list(map(str, table.columns))]
    for record in table.itertuples(index=False):
        rows.append([f"{v:,.4f}" if isinstance(v, float) else str(v) for v in record])
    band = sweep.core_band
    if band is None:
        closing = "Core band: none — whatever this ratio, some coalition would leave."
    else:
        closing = f"Core band: {band[0]:.4f} … {band[1]:.4f} (no coalition blocks)"
    return f"{render_table(rows)}\n\n{closing}"
