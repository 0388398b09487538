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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fairpool.optimizer.analysis import GameAnalysis
from fairpool.optimizer.errors import Problem
from fairpool.optimizer.fairness import FairnessReport
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.properties import GameProperties
from fairpool.optimizer.results import Allocation

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.models.large_sweep_results import LargeSweep
    from fairpool.models.results import PlanResult, ProposalCheck, ProposalFix, SweepResult


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
    """The JSON document of a game analysis (``fairpool game --json``).

    A part the analysis left out (``core``, ``properties``) keeps its keys with ``null``
    values, and ``not_computed`` {part: why} (present only then) says so; it is never computed
    here.
    """
    left_out = analysis.not_computed
    placeholder = GameProperties(None, False, False, False)  # replaced by nulls below
    document = _game_keys(
        analysis.game,
        analysis.allocations,
        analysis.fairness,
        math.nan if "core" in left_out else analysis.least_core_epsilon,
        placeholder if "properties" in left_out else analysis.properties,
    )
    if "core" in left_out:
        document["core"] = {"empty": None, "least_core_epsilon": None}
    if "properties" in left_out:
        document["properties"] = dict.fromkeys(document["properties"])
    if left_out:
        document["not_computed"] = dict(left_out)
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
    [{party, project, year, amount}]}, ``side_payments`` [{payer, payee, year (or "pv"),
    amount}] (``transfers = explicit``; else empty), ``skipped`` {method: why it does not apply},
    ``details`` {method: {...}} (as :func:`game_document`'s) and ``warnings``.
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
    side_payments = result.tables.get("side_payments")
    document["side_payments"] = [] if side_payments is None else records(side_payments)
    document["skipped"] = dict(result.skipped)
    document["simplicity"] = None if result.simplicity is None else result.simplicity.record()
    document["details"] = {
        method: {k: (json_number(v) if isinstance(v, float) else v) for k, v in a.details.items()}
        for method, a in result.allocations.items()
        if a.details
    }
    document["simplifications"] = [
        {
            "name": step.name,
            "description": step.description,
            "distance_before": json_number(step.distance_before),
            "distance_after": json_number(step.distance_after),
            "price": json_number(step.price),
            "in_core": step.in_core,
            "applied": step.applied,
        }
        for step in result.simplifications
    ]
    document["warnings"] = list(result.warnings)
    return document


def check_document(check: ProposalCheck) -> dict[str, Any]:
    """The JSON document of ``fairpool check``: the game keys of the check's analysis (with
    ``allocations.proposal``, the proposal's NPV or cost share per party, and
    ``fairness.proposal``), plus ``distances``, ``rule_violations``, ``verdict``
    (plain-language lines), ``fair``, ``parties`` (one row per party: ``id``, ``name``,
    ``proposal``, ``alone``, ``shapley``, ``nucleolus``, ``gain_over_alone``,
    ``individually_rational``, ``blocks_with``), ``blocking_coalitions`` (largest excess
    first, at most five: ``coalition``, ``names``, ``excess``), ``blocking_count`` and
    ``fix`` (:func:`fix_document`; null when not computed)."""
    document = game_document(check.analysis)
    document["distances"] = {k: json_number(v) for k, v in check.distances.items()}
    document["rule_violations"] = list(check.rule_violations)
    document["verdict"] = list(check.verdict)
    document["fair"] = bool(check.fair)
    document["simplicity"] = None if check.simplicity is None else check.simplicity.record()
    document["parties"] = [
        {
            "id": p.party,
            "name": p.name,
            "proposal": json_number(p.proposal),
            "alone": json_number(p.alone),
            "shapley": None if p.shapley is None else json_number(p.shapley),
            "nucleolus": None if p.nucleolus is None else json_number(p.nucleolus),
            "gain_over_alone": json_number(p.gain_over_alone),
            "individually_rational": bool(p.individually_rational),
            "blocks_with": p.blocks_with or None,
        }
        for p in check.parties
    ]
    document["blocking_coalitions"] = [
        {"coalition": b.coalition, "names": list(b.names), "excess": json_number(b.excess)}
        for b in check.blocking
    ]
    document["blocking_count"] = int(check.blocking_count)
    document["fix"] = None if check.fix is None else fix_document(check.fix)
    return document


def fix_document(fix: ProposalFix) -> dict[str, Any]:
    """The ``fix`` of a check document: ``status`` (``not_needed``, ``found``,
    ``impossible``), ``value_kind`` (``ratio`` or ``share``), ``changes`` [{``party``,
    ``stream``, ``phase``, ``project`` (null where they do not apply), ``from``, ``to``}],
    ``l1_change``, ``amounts`` {party: amount after the fix}, ``in_core``,
    ``worst_coalition``, ``worst_excess``, ``rule_violations``, ``obstacles``, ``conflict``
    (the obstacles are a minimal set of conflicting rules), ``least_excess`` and
    ``seconds``."""
    return {
        "status": fix.status,
        "value_kind": fix.value_kind,
        "changes": [
            {
                "party": c.party,
                "stream": c.stream or None,
                "phase": c.phase or None,
                "project": c.project or None,
                "from": json_number(c.before),
                "to": json_number(c.after),
            }
            for c in fix.changes
        ],
        "l1_change": json_number(fix.l1_change),
        "amounts": {p: json_number(v) for p, v in fix.amounts.items()},
        "in_core": bool(fix.in_core),
        "worst_coalition": fix.worst_coalition,
        "worst_excess": json_number(fix.worst_excess),
        "rule_violations": list(fix.rule_violations),
        "obstacles": list(fix.obstacles),
        "conflict": bool(fix.conflict),
        "least_excess": None if fix.least_excess is None else json_number(fix.least_excess),
        "seconds": json_number(fix.seconds),
    }


def swept_line_entries(
    sweep: SweepResult | LargeSweep,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parts of a sweep's JSON document that the enumerated sweep (:func:`sweep_document`)
    and the sweep by constraint generation (``reports.large_sweep``) share: the line
    (``party``, ``stream``, ``phase``, ``project``: ``all`` is every one, ``null`` where the
    family has no such field; ``against``, ``baseline``, ``target``, ``baseline_value``,
    ``value_column``, ``value_range``), and the bands (``core_band``,
    ``core_band_within_rules``, ``rules_flag``, ``cuts``)."""
    from fairpool.models.results import ALL  # here: `fairpool game --json` needs no models

    line = sweep.line
    fields = {"stream": line.stream, "phase": str(line.phase), "project": line.project}

    def named(field: str) -> str | None:
        if field not in sweep.line_fields:
            return None
        return "all" if fields[field] == ALL else fields[field]

    def band(values: tuple[float, float] | None) -> list[float | None] | None:
        return None if values is None else [json_number(values[0]), json_number(values[1])]

    line_entries = {
        "party": line.party,
        "stream": named("stream"),
        "phase": named("phase"),
        "project": named("project"),
        "against": line.against,
        "baseline": sweep.baseline,
        "target": sweep.target,
        "baseline_value": None
        if sweep.baseline_value is None
        else json_number(sweep.baseline_value),
        "value_column": sweep.value_column,
        "value_range": band(sweep.value_range),
    }
    band_entries = {
        "core_band": band(sweep.core_band),
        "core_band_within_rules": band(sweep.band_within_rules),
        "rules_flag": sweep.rules_flag,
        "cuts": [
            {
                "side": cut.side,
                "at": None if cut.at is None else json_number(cut.at),
                "rules": list(cut.rules),
            }
            for cut in sweep.cuts
        ],
    }
    return line_entries, band_entries


def sweep_document(sweep: SweepResult) -> dict[str, Any]:
    """The JSON document of ``fairpool sweep``.

    Keys: the line, ``party``, ``stream``, ``phase``, ``project`` (``all`` is every one, as
    on the command line; ``null`` where the family has no such field: an infrastructure
    sweep has a ``project`` and no stream or phase) and ``against`` (the one counterparty,
    or ``null``: the others rescaled in proportion); ``baseline`` (``proposal``, ``plan`` or
    ``given``), ``target`` (the plan's), ``baseline_value`` (the swept line's value in the
    baseline, ``null`` when its cells differ); ``value_column`` (``ratio`` or ``share``),
    ``value_range`` [lo, hi]; ``unit`` and ``players`` [{id, name}]; ``core_band`` and
    ``core_band_within_rules`` ([lo, hi] or ``null``), ``rules_flag`` (the table's rules
    column, or ``null``), ``cuts`` [{side, at, rules}] (why the two bands differ); and
    ``sweep``, one record per value.
    """
    line_entries, band_entries = swept_line_entries(sweep)
    return {
        **line_entries,
        "unit": sweep.unit,
        "players": players_entry(sweep.game),
        **band_entries,
        "sweep": records(sweep.table),
    }


def error_document(
    problems: Sequence[Problem],
    exit_code: int,
    *,
    source: Path | None = None,
    skipped: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> dict[str, Any]:
    """The JSON document of a run that failed (any command's ``--json``): ``ok`` false, the
    ``exit_code`` (2 bad input, 3 infeasible rules or solver trouble, 130 interrupted),
    ``errors`` [{file, sheet, row, column, message}] (``null`` where a field does not apply),
    ``skipped`` (checks that wait for the errors to be fixed) and ``warnings``.

    A problem written as one message that starts with the input's place (``park.xlsx: …``,
    ``park.xlsx, sheet case, row 2: …``) is split into its fields; one that names the input
    elsewhere, and an infeasible plan or a solver failure (exit 3), are about the input
    ``source``.
    """
    records = []
    for problem in problems:
        record = problem.as_record()
        if record["file"] is None and source is not None:
            record = _placed(record, source, exit_code)
        records.append(record)
    return {
        "ok": False,
        "exit_code": exit_code,
        "errors": records,
        "skipped": list(skipped),
        "warnings": list(warnings),
    }


def _placed(record: dict[str, Any], source: Path, exit_code: int) -> dict[str, Any]:
    """``record`` with its place read off the front of its message when that names the
    ``source`` file (``park.xlsx, sheet case: …``), else with ``file`` set to the source when
    the message names it elsewhere (``file not found: park.xlsx``) or for an exit-3 error (it
    is about the whole input)."""
    message = str(record["message"])
    for name in (str(source), source.name):
        if message.startswith(name) and message[len(name) : len(name) + 2] in (": ", ", "):
            where, separator, rest = message.partition(": ")
            parsed = Problem(where, rest)
            if separator and parsed.located:
                return parsed.as_record() | {"file": source.name}
    if exit_code == 3 or source.name in message:
        return record | {"file": source.name}
    return record


JSON_SCHEMAS = (
    "game",
    "validate",
    "solve",
    "check",
    "sweep",
    "coalitions",
    "shapley",
    "demo",
    "error",
    "check_generated",
    "solve_generated",
    "sweep_generated",
)
"""The documents whose JSON Schema (draft 2020-12) ships in ``fairpool/reports/schemas``: one
per command's ``--json`` and ``error`` for any failed run; ``common`` holds their shared
definitions. Each schema's ``$id`` is ``urn:fairpool:schema:<name>`` and refers to
``urn:fairpool:schema:common``."""


def json_schema(name: str) -> dict[str, Any]:
    """The shipped JSON Schema of document ``name`` (one of :data:`JSON_SCHEMAS`, or
    ``common``), as a dict, for a script validating fairpool's output."""
    import json
    from importlib.resources import files

    if name not in (*JSON_SCHEMAS, "common"):
        raise ValueError(f"no JSON schema {name!r}; schemas are {', '.join(JSON_SCHEMAS)}")
    text = files("fairpool.reports").joinpath("schemas", f"{name}.json").read_text("utf-8")
    return dict(json.loads(text))
