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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fairpool.models.family import ALL
from fairpool.optimizer.analysis import GameAnalysis
from fairpool.optimizer.fairness import FairnessReport
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.properties import GameProperties
from fairpool.optimizer.results import Allocation

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.models.family import PlanResult, ProposalCheck, SweepResult


SIGNIFICANT_DIGITS = 12
"""Significant digits of every number in a JSON document (never a fixed number of decimals:
a game in units of 1e-9 keeps its digits, one in 元 at 1e15 loses no whole amounts)."""


def json_number(value: float) -> float | None:
    """A JSON-safe float: None for NaN/±inf, otherwise rounded to 12 significant digits.

    Rounding drops binary noise (0.1 + 0.2 → 0.3) at any scale; ``+ 0.0`` turns −0.0 into 0.0.

    Example:
        >>> json_number(0.1 + 0.2), json_number(1e-9 / 3), json_number(float("nan"))
        (0.3, 3.33333333333e-10, None)
    """
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") + 0.0


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


def shares_entry(allocation: Allocation) -> dict[str, float | None]:
    """``{party: share}`` of one allocation, JSON-safe."""
    return {p: json_number(x) for p, x in allocation.as_dict().items()}


def _game_keys(
    game: Game,
    allocations: Mapping[str, Allocation],
    fairness: Mapping[str, FairnessReport],
    epsilon: float,
    properties: GameProperties,
) -> dict[str, Any]:
    """The keys every document of a game starts with (SPEC §4), in their order."""
    return {
        "players": players_entry(game),
        "orientation": game.orientation,
        "grand_value": json_number(game.grand_value),
        "solutions": {m: shares_entry(a) for m, a in allocations.items() if m != "proposal"},
        "core": {
            "empty": bool(epsilon > tolerance(game.values)),
            "least_core_epsilon": json_number(epsilon),
        },
        "properties": {
            key: (bool(value) if value is not None else None)
            for key, value in dataclasses.asdict(properties).items()
        },
        "fairness": {method: fairness_entry(game, report) for method, report in fairness.items()},
    }


def game_document(analysis: GameAnalysis) -> dict[str, Any]:
    """The JSON document of a game analysis (``fairpool game --json``)."""
    document = _game_keys(
        analysis.game,
        analysis.allocations,
        analysis.fairness,
        analysis.least_core_epsilon,
        analysis.properties,
    )
    document["skipped"] = dict(analysis.skipped)
    document["details"] = {
        method: {k: (json_number(v) if isinstance(v, float) else v) for k, v in a.details.items()}
        for method, a in analysis.allocations.items()
        if a.details
    }
    if "proposal" in analysis.allocations:
        document["allocations"] = {"proposal": shares_entry(analysis.allocations["proposal"])}
    return document


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON records, numbers made JSON-safe."""
    return [
        {
            str(key): json_number(value) if isinstance(value, float) else value
            for key, value in row.items()
        }
        for row in frame.to_dict(orient="records")
    ]


def case_document(result: PlanResult) -> dict[str, Any]:
    """The JSON document of a solved case (``fairpool solve --json``), SPEC §4.

    The game keys of :func:`game_document` (``solutions`` and ``fairness`` from the case's
    own allocations, ``fairness.plan`` for the plan itself), plus ``case`` {name, unit},
    ``coalition_values`` {"A+B": value}, ``allocations`` {method: {party: NPV}} (cost
    sharing: cost shares), ``plan`` {``target``, ``npv`` (cost sharing: ``cost_shares``),
    ``distance``, and ``ratios`` [{party, stream, phase, ratio}] (joint park) or ``shares``
    [{party, project, year, amount}]}, and ``warnings``.
    """
    game = result.game
    document = _game_keys(
        game, result.allocations, result.fairness, result.least_core_epsilon, result.properties
    )
    document["case"] = {"name": result.case_name, "unit": result.unit}
    document["coalition_values"] = {
        label: json_number(value) for label, value in result.coalition_values.items()
    }
    document["allocations"] = dict(document["solutions"])
    document["plan"] = {
        "target": result.target,
        result.amount_kind: {p: json_number(x) for p, x in result.amounts.items()},
        "distance": json_number(result.distance),
        result.plan_kind: records(result.plan_table),
    }
    document["warnings"] = list(result.warnings)
    return document


def check_document(check: ProposalCheck) -> dict[str, Any]:
    """The JSON document of ``fairpool check``: the game keys of the check's analysis (with
    ``allocations.proposal``, the proposal's NPV or cost share per party, and
    ``fairness.proposal``), plus ``distances``, ``rule_violations``, ``verdict``
    (plain-language lines) and ``fair``."""
    document = game_document(check.analysis)
    document["distances"] = {k: json_number(v) for k, v in check.distances.items()}
    document["rule_violations"] = list(check.rule_violations)
    document["verdict"] = list(check.verdict)
    document["fair"] = bool(check.fair)
    return document


def sweep_document(sweep: SweepResult) -> dict[str, Any]:
    """The JSON document of ``fairpool sweep``: the line (``party``, ``stream``, ``phase``,
    ``project``; ``all`` is every one, as on the command line), ``core_band`` ([lo, hi] or
    null) and ``sweep`` (one record per value)."""
    band = sweep.core_band
    line = sweep.line

    def named(value: str) -> str:
        return "all" if value == ALL else value

    return {
        "party": line.party,
        "stream": named(line.stream),
        "phase": named(line.phase),
        "project": named(line.project),
        "core_band": None if band is None else [json_number(band[0]), json_number(band[1])],
        "sweep": records(sweep.table),
    }
