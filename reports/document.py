"""The ``--json`` documents of SPEC §4: plain dicts with stable keys, ready for ``json.dumps``.

Keys (documented in the README): ``players`` [{id, name}], ``orientation``, ``grand_value``,
``solutions`` {method: {party: value}}, ``core`` {``empty``, ``least_core_epsilon``},
``properties`` {name: bool | null}, ``fairness`` {method: {``in_core``,
``individually_rational``, ``worst_coalition``, ``worst_excess``}}; with a proposal also
``allocations.proposal`` and ``fairness.proposal``. Methods that do not apply to the game
are listed under ``skipped`` {method: reason}; ``details`` {method: {...}} holds what a
method reports beside its shares (the least core's ``epsilon``, the attribute of
``proportional``, the nucleolus's ``levels`` and ``lp_solves``).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from optimizer.analysis import GameAnalysis
from optimizer.fairness import FairnessReport
from optimizer.game import Game


def json_number(value: float) -> float | None:
    """A JSON-safe float: None for NaN/inf, rounded to 10 decimals to drop binary noise."""
    value = float(value)
    return round(value, 10) + 0.0 if math.isfinite(value) else None


def fairness_entry(game: Game, report: FairnessReport) -> dict[str, Any]:
    """One ``fairness`` entry: in_core, individually_rational, worst_coalition, worst_excess."""
    return {
        "in_core": bool(report.in_core),
        "individually_rational": bool(report.individually_rational),
        "worst_coalition": game.label(int(report.worst_coalition)),
        "worst_excess": json_number(report.worst_excess),
    }


def players_entry(game: Game) -> list[dict[str, str]]:
    return [{"id": p, "name": name} for p, name in zip(game.players, game.names, strict=True)]


def game_document(analysis: GameAnalysis) -> dict[str, Any]:
    """The JSON document of a game analysis (``fairpool game --json``)."""
    game = analysis.game
    solutions = {
        method: {p: json_number(x) for p, x in allocation.as_dict().items()}
        for method, allocation in analysis.allocations.items()
        if method != "proposal"
    }
    properties = {
        key: (bool(value) if value is not None else None)
        for key, value in dataclasses.asdict(analysis.properties).items()
    }
    document: dict[str, Any] = {
        "players": players_entry(game),
        "orientation": game.orientation,
        "grand_value": json_number(game.grand_value),
        "solutions": solutions,
        "core": {
            "empty": analysis.core_empty,
            "least_core_epsilon": json_number(analysis.least_core_epsilon),
        },
        "properties": properties,
        "fairness": {
            method: fairness_entry(game, report) for method, report in analysis.fairness.items()
        },
        "skipped": dict(analysis.skipped),
        "details": {
            method: {
                k: (json_number(v) if isinstance(v, float) else v)
                for k, v in allocation.details.items()
            }
            for method, allocation in analysis.allocations.items()
            if allocation.details
        },
    }
    if "proposal" in analysis.allocations:
        proposal = analysis.allocations["proposal"]
        document["allocations"] = {
            "proposal": {p: json_number(x) for p, x in proposal.as_dict().items()}
        }
    return document


def _records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as JSON records, numbers made JSON-safe."""
    records = []
    for row in frame.to_dict(orient="records"):
        records.append(
            {
                key: json_number(value) if isinstance(value, float) else value
                for key, value in row.items()
            }
        )
    return records


def case_document(result: Any) -> dict[str, Any]:
    """The JSON document of a solved case (``fairpool solve --json``), SPEC §4.

    The game keys of :func:`game_document`, plus ``coalition_values`` {"A+B": value},
    ``allocations`` {method: {party: NPV}}, ``plan`` {``target``, ``npv``, ``distance``,
    and ``ratios`` [{party, stream, phase, ratio}] or ``shares`` [{party, project, year,
    amount}]}, and ``fairness.plan`` for the plan itself. ``result`` is a model family's
    result object (e.g. ``JointParkResult``).
    """
    document = game_document(result.analysis)
    game = result.game
    document["case"] = {"name": result.case_name, "unit": result.unit}
    document["coalition_values"] = {
        label: json_number(value) for label, value in result.coalition_values.items()
    }
    document["allocations"] = {
        method: {p: json_number(x) for p, x in allocation.as_dict().items()}
        for method, allocation in result.allocations.items()
    }
    plan: dict[str, Any] = {
        "target": result.target,
        "npv": {p: json_number(x) for p, x in result.npv.items()},
        "distance": json_number(result.distance),
    }
    for key in ("ratios", "shares"):
        frame = getattr(result, key, None)
        if frame is not None:
            plan[key] = _records(frame)
    document["plan"] = plan
    from optimizer.fairness import check_allocation

    shares = [result.npv[p] for p in game.players]
    document["fairness"]["plan"] = fairness_entry(game, check_allocation(game, shares))
    document["warnings"] = list(result.warnings)
    return document


def check_document(check: Any) -> dict[str, Any]:
    """The JSON document of ``fairpool check``: the game keys plus ``allocations.proposal``
    (NPV per party under the proposal), ``fairness.proposal``, ``distances`` and
    ``verdict`` (plain-language lines)."""
    from optimizer.analysis import analyse_game

    game = check.game
    analysis = analyse_game(game, proposal=check.allocation.shares)
    document = game_document(analysis)
    document["distances"] = {k: json_number(v) for k, v in check.distances.items()}
    document["rule_violations"] = list(check.rule_violations)
    document["verdict"] = list(check.verdict)
    document["fair"] = bool(check.fair)
    return document
