"""The shared result types of every family, built once: the one core tolerance and the plan
verdict, the result of a solved plan (:func:`plan_result` of a :class:`SolvedPlan`), a
proposal judged (:func:`judge_proposal`), the rows of a sweep, and the plain-language verdict
a negotiator reads.

Every verdict (in the core, individually rational, the worst coalition) of a plan, a proposal
or a sweep is decided here, with :func:`core_tolerance`, so that the three families and the
reports agree to the last digit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fairpool.models.family import (
    AmountKind,
    Case,
    CoreMode,
    DistanceKind,
    PlanResult,
    PlanSettings,
    PlanTableKind,
    ProposalCheck,
)
from fairpool.optimizer.analysis import GameAnalysis, analyse_game
from fairpool.optimizer.fairness import FairnessReport, check_allocation, worst_coalition
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.results import Allocation

if TYPE_CHECKING:
    pass

CORE_TOLERANCE = 1e-6
"""Relative tolerance of every plan and proposal verdict (:func:`core_tolerance`)."""


def core_tolerance(game: Game) -> float:
    """1e-6 · max |v|: the excess a plan may show and still be called in the core.

    One tolerance for every family's plan, proposal and sweep verdicts, relative to the
    case's scale so that the same case in 元 or 亿元 gets the same verdict. Why 1e-6: plans
    come from LPs solved with HiGHS's feasibility tolerance of 1e-7 on rows whose right-hand
    sides are coalition values, and NPVs are sums of up to thousands of discounted terms; an
    excess a million times smaller than the largest coalition value is rounding, while a
    real blocking coalition in a negotiated case gains far more (a party's share of v(N)).
    """
    return CORE_TOLERANCE * float(np.abs(game.values).max(initial=0.0))


@dataclass(frozen=True)
class PlanVerdict:
    """Whether a plan (or proposal) is stable: the most tempted coalition, its excess, the
    core verdict and each party's individual rationality, all at :func:`core_tolerance`."""

    worst_coalition: str
    worst_excess: float
    in_core: bool
    individually_rational: Mapping[str, bool]


def plan_verdict(game: Game, amounts: np.ndarray) -> PlanVerdict:
    """The verdict on ``amounts`` (the game's orientation: NPVs, or cost shares).

    worst: the proper coalition with the largest excess (v(S) − x(S), or x(S) − c(S)),
    the smallest among near-ties (as :func:`fairpool.optimizer.fairness.check_allocation`
    picks it); in core: its excess ≤ tol; party i rational: its own excess ≤ tol.
    Efficiency is not required: a plan that gives up welfare is judged on what it hands
    out. One excess vector and nothing else (a sweep asks this of every value).
    """
    excesses = game.excesses(np.asarray(amounts, dtype=float))
    worst = worst_coalition(excesses, game.n, tolerance(game.values))
    worst_excess = float(excesses[1:-1].max()) if worst else 0.0
    own = excesses[1 << np.arange(game.n)]
    tol = core_tolerance(game)
    return PlanVerdict(
        worst_coalition=game.label(worst),
        worst_excess=worst_excess,
        in_core=bool(worst_excess <= tol),
        individually_rational={p: bool(own[i] <= tol) for i, p in enumerate(game.players)},
    )


def plan_distance(amounts: np.ndarray, target: np.ndarray, kind: DistanceKind) -> float:
    """Σ_p |x_p − τ_p| (l1) or max_p |x_p − τ_p| (linf)."""
    gap = np.abs(np.asarray(amounts, dtype=float) - np.asarray(target, dtype=float))
    return float(gap.sum() if kind == "l1" else gap.max(initial=0.0))


def method_fairness(
    game: Game, allocations: Mapping[str, Allocation], plan: np.ndarray | None = None
) -> dict[str, FairnessReport]:
    """{method: FairnessReport} of every allocation (and ``plan``), each with its distances
    to the Shapley value and the nucleolus when those are among ``allocations``."""
    reference = {k: allocations[k] for k in ("shapley", "nucleolus") if k in allocations}
    fairness = {
        method: check_allocation(game, allocation, reference=reference)
        for method, allocation in allocations.items()
    }
    if plan is not None:
        fairness["plan"] = check_allocation(game, plan, reference=reference)
    return fairness


def empty_core_warning(
    core: CoreMode, epsilon: float, game: Game, unit: str, worst: str
) -> list[str]:
    """The warning when no plan within the rules is in the core (ε* beyond the tolerance)."""
    if core == "off" or epsilon <= core_tolerance(game):
        return []
    return [
        f"no plan within the rules is in the core: some coalition gains up to "
        f"{epsilon:,.4g} {unit} by leaving (worst: {worst})"
    ]


@dataclass(frozen=True, kw_only=True)
class SolvedPlan:
    """A family's solved plan, before the verdicts that :func:`plan_result` computes for every
    family.

    Attributes:
        amounts: the plan's amount per party, in the game's orientation (NPVs, or cost shares).
        epsilon: the least core violation within the rules (0 when core = off).
        kind, table: the plan as a table, ``ratios`` (party, stream, phase, ratio) or
            ``shares`` (party, project, year, amount).
        cash_flows: amounts per party and year (columns per family; empty without years).
        tables, facts: the family's further tables and summary figures
            (:class:`~fairpool.models.family.PlanResult`).
        warnings: the family's findings while solving (the case's own warnings, the skipped
            methods and an empty core are added by :func:`plan_result`).
        timings: seconds per step.
    """

    amounts: np.ndarray
    epsilon: float
    kind: PlanTableKind
    table: pd.DataFrame
    cash_flows: pd.DataFrame
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    facts: tuple[tuple[str, object], ...] = ()
    warnings: Sequence[str] = ()
    timings: Mapping[str, float] = field(default_factory=dict)


def case_result(case: Case, game: Game) -> dict[str, Any]:
    """The :class:`~fairpool.models.family.CaseResult` fields of a result on ``case``'s
    ``game``, by keyword (the result classes extend CaseResult)."""
    return {
        "model": case.model,
        "case_name": case.name,
        "unit": case.unit,
        "players": game.players,
        "names": game.names,
        "game": game,
    }


def amount_kind(game: Game) -> AmountKind:
    """What a plan's amounts are: NPVs in a benefit game, cost shares in a cost game."""
    return "cost_shares" if game.orientation == "cost" else "npv"


def plan_result(
    case: Case,
    settings: PlanSettings,
    game: Game,
    allocations: Mapping[str, Allocation],
    goal: np.ndarray,
    plan: SolvedPlan,
    analysis: GameAnalysis | None = None,
) -> PlanResult:
    """The :class:`PlanResult` of a solved plan, with every verdict computed here once.

    ``plan.amounts`` are the plan's amounts per party and ``goal`` the target's (the game's
    orientation); ``analysis`` (when the family analysed the game) gives the properties, the
    least core and the skipped methods, which are computed here otherwise. Fairness: every
    allocation and the plan (:func:`method_fairness`); verdict: :func:`plan_verdict`;
    distance: :func:`plan_distance`. Warnings: the case's, the plan's, one per skipped method,
    and one when ε* shows that no plan within the rules is in the core.
    """
    from fairpool.optimizer.properties import game_properties
    from fairpool.optimizer.solutions.nucleolus import least_core_epsilon

    amounts = np.asarray(plan.amounts, dtype=float)
    goal = np.asarray(goal, dtype=float)
    verdict = plan_verdict(game, amounts)
    parties = game.players
    skipped = dict(analysis.skipped) if analysis else {}
    return PlanResult(
        **case_result(case, game),
        coalition_values={game.label(m): float(game.values[m]) for m in range(1, 1 << game.n)},
        allocations=dict(allocations),
        fairness=method_fairness(game, allocations, amounts),
        skipped=skipped,
        properties=analysis.properties if analysis else game_properties(game),
        least_core_epsilon=analysis.least_core_epsilon if analysis else least_core_epsilon(game),
        target=settings.target,
        core=settings.core,
        distance_kind=settings.distance,
        target_shares=dict(zip(parties, map(float, goal), strict=True)),
        amount_kind=amount_kind(game),
        amounts=dict(zip(parties, map(float, amounts), strict=True)),
        distance=plan_distance(amounts, goal, settings.distance),
        residual=dict(zip(parties, map(float, amounts - goal), strict=True)),
        epsilon=float(plan.epsilon),
        worst_coalition=verdict.worst_coalition,
        worst_excess=verdict.worst_excess,
        in_core=verdict.in_core,
        individually_rational=verdict.individually_rational,
        plan_kind=plan.kind,
        plan_table=plan.table,
        cash_flows=plan.cash_flows,
        tables=dict(plan.tables),
        facts=plan.facts,
        warnings=(
            *case.warnings,
            *plan.warnings,
            *(f"allocation {key} not available: {why}" for key, why in skipped.items()),
            *empty_core_warning(
                settings.core, plan.epsilon, game, case.unit, verdict.worst_coalition
            ),
        ),
        timings=dict(plan.timings),
    )


def sweep_row(
    game: Game, column: str, value: float, amounts: np.ndarray, **flags: bool
) -> dict[str, object]:
    """One row of a sweep table: the swept ``value`` under ``column``, each party's amount
    (``npv_<party>``, cost games ``cost_<party>``), ``in_core``, ``worst_coalition``,
    ``worst_excess`` (:func:`plan_verdict`), then ``flags`` (``within_rules``, ...)."""
    verdict = plan_verdict(game, amounts)
    prefix = "cost_" if game.orientation == "cost" else "npv_"
    row: dict[str, object] = {column: float(value)}
    row.update({prefix + p: float(x) for p, x in zip(game.players, amounts, strict=True)})
    row.update(
        in_core=verdict.in_core,
        worst_coalition=verdict.worst_coalition,
        worst_excess=verdict.worst_excess,
    )
    row.update(flags)
    return row


# -- a proposal judged ----------------------------------------------------------------------------


def judge_proposal(
    case: Case,
    game: Game,
    amounts: np.ndarray,
    kind: PlanTableKind,
    table: pd.DataFrame,
    cash_flows: pd.DataFrame,
    *,
    rule_violations: Sequence[str] = (),
    notes: Sequence[str] = (),
    verdict: Sequence[str] | None = None,
    facts: tuple[tuple[str, object], ...] = (),
) -> ProposalCheck:
    """A :class:`ProposalCheck` of ``amounts`` (the game's orientation), computed once.

    ``kind`` and ``table`` give the proposal as ratios or shares, ``cash_flows`` its amounts
    per party and year. Every method and the proposal are analysed together
    (:func:`analyse_game`); the verdict is :func:`plan_verdict`'s; distances are L1 to the
    Shapley value and the nucleolus. ``verdict`` (plain-language lines) defaults to
    :func:`proposal_verdict`, then ``notes``, the distances and the rule violations. Fair:
    rational, in the core, within the rules.
    """
    unit = case.unit
    amounts = np.asarray(amounts, dtype=float)
    analysis = analyse_game(game, proposal=amounts)
    stable = plan_verdict(game, amounts)
    distances = {
        key: float(np.abs(amounts - analysis.allocations[key].shares).sum())
        for key in ("shapley", "nucleolus")
        if key in analysis.allocations
    }
    if verdict is None:
        names = dict(zip(game.players, game.names, strict=True))
        lines = proposal_verdict(game, names, unit, amounts, stable)
        lines += list(notes)
        lines += [
            f"Distance to {k}: {v:,.1f} {unit} (sum over parties)." for k, v in distances.items()
        ]
        lines += [f"The proposal {v}." for v in rule_violations]
    else:
        lines = list(verdict)
    return ProposalCheck(
        **case_result(case, game),
        analysis=analysis,
        plan_kind=kind,
        proposal_table=table.reset_index(drop=True),
        amount_kind=amount_kind(game),
        amounts=dict(zip(game.players, map(float, amounts), strict=True)),
        cash_flows=cash_flows,
        individually_rational=stable.individually_rational,
        in_core=stable.in_core,
        worst_coalition=stable.worst_coalition,
        worst_excess=stable.worst_excess,
        distances=distances,
        rule_violations=tuple(rule_violations),
        verdict=tuple(lines),
        fair=all(stable.individually_rational.values()) and stable.in_core and not rule_violations,
        facts=facts,
    )


def proposal_verdict(
    game: Game,
    names: Mapping[str, str],
    unit: str,
    npv: np.ndarray,
    verdict: PlanVerdict,
) -> list[str]:
    """Plain-language lines for a negotiator on the NPVs ``npv`` of a proposal (benefit form).

    One line per party (in the game's order) that is not individually rational: it would
    walk away; then whether the most tempted coalition blocks the proposal.
    """
    lines = []
    for i, party in enumerate(game.players):
        if not verdict.individually_rational[party]:
            lines.append(
                f"{names[party]} ({party}) gets {npv[i]:,.1f} {unit}, less than the "
                f"{game.standalone_values[i]:,.1f} {unit} it can reach alone: it would walk away."
            )
    if not verdict.in_core:
        members = " + ".join(names[p] for p in verdict.worst_coalition.split("+"))
        lines.append(
            f"{members} would be {verdict.worst_excess:,.1f} {unit} better off on their own: "
            "the proposal is not in the core."
        )
    else:
        lines.append(
            "No party or group of parties would be better off on its own: "
            "the proposal is in the core."
        )
    return lines


__all__ = [
    "CORE_TOLERANCE",
    "PlanVerdict",
    "SolvedPlan",
    "amount_kind",
    "case_result",
    "core_tolerance",
    "empty_core_warning",
    "judge_proposal",
    "method_fairness",
    "plan_distance",
    "plan_result",
    "plan_verdict",
    "proposal_verdict",
    "sweep_row",
]
