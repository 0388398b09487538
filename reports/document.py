"""The ``--json`` documents of SPEC §4: plain dicts with stable keys, ready for ``json.dumps``.

Keys (documented in the README): ``players`` [{id, name}], ``orientation``, ``grand_value``,
``solutions`` {method: {party: value}}, ``core`` {``empty``, ``least_core_epsilon``},
``properties`` {name: bool | null}, ``fairness`` {method: {``in_core``,
``individually_rational``, ``worst_coalition``, ``worst_excess``}}; with a proposal also
``allocations.proposal`` and ``fairness.proposal``. Methods that do not apply to the game
are listed under ``skipped`` {method: reason}.
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
    }
    if "proposal" in analysis.allocations:
        proposal = analysis.allocations["proposal"]
        document["allocations"] = {
            "proposal": {p: json_number(x) for p, x in proposal.as_dict().items()}
        }
    return document
