"""Planning written once, for every model family: the lexicographic plan solve, core rows
(all at once or by row generation), the distance to a target, the one core tolerance and the
plan verdict, the result of a solved plan (:func:`plan_result` of a :class:`SolvedPlan`), a
proposal judged, the core band of a line of allocations, the coalition table, and the
coalition game of a case (:func:`case_game`).

The lexicographic solve (:func:`solve_lexicographic`) runs a family's steps in order: least
core violation ε* (soft core), then the distance to the target (or the Nash product), then a
tie-break; after each step its optimum is kept, within a slack, as a constraint of the next.

Every plan model has a set ``m.P`` of parties and a variable ``m.npv[p]``: what party p gets
in the benefit form (NPV; cost games plan on their savings game). The blocks below only use
those two, so each family defines its own operational variables (ratios, cost shares) and
links them to ``m.npv``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Unpack

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
from fairpool.optimizer.errors import InfeasibleError, SolverError
from fairpool.optimizer.fairness import FairnessReport, check_allocation
from fairpool.optimizer.game import Game, Orientation, coalition_sums, members
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.workbook.checks import dense_values

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.optimizer.coalitions import CoalitionModel, EngineOptions
    from fairpool.optimizer.solve import SolveResult

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
    the smallest among near-ties (:func:`fairpool.optimizer.fairness.check_allocation`);
    in core: its excess ≤ tol; party i rational: its own excess ≤ tol. Efficiency is not
    required: a plan that gives up welfare is judged on what it hands out.
    """
    report = check_allocation(game, np.asarray(amounts, dtype=float))
    tol = core_tolerance(game)
    return PlanVerdict(
        worst_coalition=report.worst_coalition_label,
        worst_excess=float(report.worst_excess),
        in_core=bool(report.worst_excess <= tol),
        individually_rational={
            p: bool(report.ir_shortfall[i] <= tol) for i, p in enumerate(game.players)
        },
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


# -- the lexicographic solve --------------------------------------------------------------------


@dataclass(frozen=True)
class LexicographicStep:
    """One step of a lexicographic solve: minimise (or maximise) the model's objective
    ``objective`` alone; then ``keep(m, optimum)`` pins the optimum for the later steps."""

    objective: str
    what: str
    keep: Callable[[pyo.ConcreteModel, float], None] | None = None


def keep_epsilon(slack: float) -> Callable[[pyo.ConcreteModel, float], None]:
    """Keep the least core violation: ε ≤ max(ε*, 0) + slack."""

    def keep(m: pyo.ConcreteModel, optimum: float) -> None:
        m.epsilon.setub(max(optimum, 0.0) + slack)

    return keep


def keep_distance(slack: float) -> Callable[[pyo.ConcreteModel, float], None]:
    """Keep the distance to the target: distance ≤ d* + slack."""

    def keep(m: pyo.ConcreteModel, optimum: float) -> None:
        import pyomo.environ as pyo

        m.distance_cap = pyo.Constraint(expr=m.distance <= optimum + slack)

    return keep


def solve_step(
    m: pyo.ConcreteModel,
    objective: str,
    what: str,
    solver: object,
    infeasible: Callable[[], InfeasibleError],
) -> float:
    """Activate ``objective`` alone, solve (with core-row generation) and return its optimum.

    Raises ``infeasible()`` (a family's explanation naming the conflicting rules) when the
    model has no solution, and :class:`SolverError` on any other non-optimal outcome.
    """
    from fairpool.optimizer.solve import SolveStatus

    activate_only(m, objective)
    result = solve_plan_model(m, solver)
    if result.status is SolveStatus.INFEASIBLE:
        raise infeasible()
    if not result.optimal:
        raise SolverError(f"HiGHS could not solve the plan ({what}): {result.highs_status}")
    return float(result.objective)


def solve_lexicographic(
    m: pyo.ConcreteModel,
    steps: Sequence[LexicographicStep],
    solver: object,
    infeasible: Callable[[], InfeasibleError],
) -> list[float]:
    """Solve ``steps`` in order on one model (:func:`solve_step`), keeping each optimum as
    its step says; returns the optima."""
    optima = []
    for step in steps:
        optimum = solve_step(m, step.objective, step.what, solver, infeasible)
        if step.keep is not None:
            step.keep(m, optimum)
        optima.append(optimum)
    return optima


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


def plan_tolerance(game: Game) -> float:
    """1e-9 · max(1, max |v|): slack when re-imposing an optimum as a constraint."""
    return 1e-9 * max(1.0, float(np.abs(game.values).max(initial=0.0)))


ALL_CORE_ROWS_UP_TO = 10
"""Plans of games with at most this many parties get every core row at once; larger games
get them by row generation (:func:`solve_plan_model`)."""

CORE_ROWS_PER_ROUND = 64
"""Row generation adds at most this many of the most violated core rows per round."""


@dataclass
class CoreRows:
    """The core rows a plan model holds: the game they come from and the masks added."""

    game: Game
    mode: CoreMode
    added: set[int] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return self.mode == "off" or len(self.added) == self.game.grand_mask - 1


def define_core_constraints(m: pyo.ConcreteModel, game: Game, core: CoreMode) -> None:
    """x(S) + ε ≥ v(S) for every proper coalition S; ε ≥ 0 (soft) or ε = 0 (hard).

    Games of up to :data:`ALL_CORE_ROWS_UP_TO` parties get all 2ⁿ − 2 rows here. Larger ones
    start from the 2n rows of the singletons and their complements; :func:`solve_plan_model`
    adds the violated ones as the plan is solved, so the model never holds 2ⁿ rows.
    """
    import pyomo.environ as pyo

    m.epsilon = pyo.Var(bounds=(0.0, None))
    if core == "hard":
        m.epsilon.fix(0.0)
    m.core = pyo.ConstraintList()
    m.core_rows = CoreRows(game, core)
    if core != "off":
        grand = game.grand_mask
        if game.n <= ALL_CORE_ROWS_UP_TO:
            masks = np.arange(1, grand, dtype=np.int64)
        else:
            singletons = 1 << np.arange(game.n, dtype=np.int64)
            masks = np.unique(np.concatenate([singletons, grand ^ singletons]))
        add_core_rows(m, masks)
    m.epsilon_objective = pyo.Objective(expr=m.epsilon, sense=pyo.minimize)
    m.epsilon_objective.deactivate()


def add_core_rows(m: pyo.ConcreteModel, masks: np.ndarray) -> None:
    """Add the rows x(S) + ε ≥ v(S) of ``masks`` (those not yet in the model)."""
    rows: CoreRows = m.core_rows
    values = rows.game.values
    for mask in np.asarray(masks, dtype=np.int64).tolist():
        if mask in rows.added:
            continue
        in_s = members(mask, rows.game.n)
        m.core.add(sum(m.npv[i] for i in in_s) + m.epsilon >= float(values[mask]))
        rows.added.add(mask)


def violated_core_rows(m: pyo.ConcreteModel, limit: int = CORE_ROWS_PER_ROUND) -> np.ndarray:
    """The masks (most violated first, at most ``limit``) of proper coalitions whose core row
    is not in the model and is violated by its current solution: v(S) − x(S) − ε > tolerance.
    """
    rows: CoreRows = m.core_rows
    if rows.complete:
        return np.zeros(0, dtype=np.int64)
    game = rows.game
    x = np.array([m.npv[i].value or 0.0 for i in range(game.n)])
    excess = game.values - coalition_sums(x) - float(m.epsilon.value or 0.0)
    excess[0] = excess[-1] = -np.inf
    if rows.added:
        excess[np.fromiter(rows.added, np.int64, len(rows.added))] = -np.inf
    violated = np.flatnonzero(excess > plan_tolerance(game))
    if len(violated) > limit:
        violated = violated[np.argpartition(-excess[violated], limit)[:limit]]
    return violated[np.argsort(-excess[violated], kind="stable")]


def solve_plan_model(m: pyo.ConcreteModel, solver: object | None = None) -> SolveResult:
    """Solve a plan model (:func:`optimizer.solve.solve_pyomo`) with core-row generation:
    after each optimum, add the violated core rows and solve again, until none is violated.

    Exact: the final model's feasible set contains the full one's and its optimum is
    feasible for the full one, so it is the full optimum too (LP or MILP alike); and a
    model infeasible with some of the rows is infeasible with all. Models holding every row
    (small games, core = off) are solved once.
    """
    from fairpool.optimizer.solve import solve_pyomo

    rows: CoreRows | None = getattr(m, "core_rows", None)
    while True:
        result = solve_pyomo(m, solver)
        if not result.optimal or rows is None or rows.complete:
            return result
        missing = violated_core_rows(m)
        if not missing.size:
            return result
        add_core_rows(m, missing)


def define_distance_objective(m: pyo.ConcreteModel, target: np.ndarray, kind: DistanceKind) -> None:
    """L1: min Σ_p |npv_p − τ_p|;  L∞: min max_p |npv_p − τ_p| (target τ, mutable)."""
    import pyomo.environ as pyo

    m.target = pyo.Param(m.P, mutable=True, initialize=lambda m, p: float(target[p]))
    m.above = pyo.Var(m.P, bounds=(0.0, None))
    m.below = pyo.Var(m.P, bounds=(0.0, None))
    m.deviation = pyo.Constraint(
        m.P, rule=lambda m, p: m.npv[p] - m.target[p] == m.above[p] - m.below[p]
    )
    if kind == "linf":
        m.largest = pyo.Var(bounds=(0.0, None))
        m.largest_bound = pyo.Constraint(
            m.P, rule=lambda m, p: m.above[p] + m.below[p] <= m.largest
        )
        m.distance = pyo.Expression(expr=m.largest)
    else:
        m.distance = pyo.Expression(expr=sum(m.above[p] + m.below[p] for p in m.P))
    m.distance_objective = pyo.Objective(expr=m.distance, sense=pyo.minimize)
    m.distance_objective.deactivate()


def activate_only(m: pyo.ConcreteModel, name: str) -> None:
    """Deactivate every objective of ``m`` but ``name`` (one step of a lexicographic solve)."""
    import pyomo.environ as pyo

    for objective in m.component_objects(pyo.Objective):
        objective.deactivate()
    getattr(m, name).activate()


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


def core_band_on_line(
    game: Game, base: np.ndarray, slope: np.ndarray, low: float = 0.0, high: float = 1.0
) -> tuple[float, float] | None:
    """The interval of ρ ∈ [low, high] where x(ρ) = base + ρ · slope is in the core, exactly.

    Every proper coalition S gives one linear inequality e_S(ρ) = e_S(0) + ρ · Δ_S ≤ 0 with
    e the excess (v(S) − x(S), or x(S) − c(S)) and Δ_S its change per unit of ρ; the band is
    the intersection of these half-lines (Σ slope = 0 keeps x efficient). ``None`` if empty.
    """
    tol = 1e-9 * max(1.0, float(np.abs(game.values).max(initial=0.0)))
    at_zero = game.excesses(np.asarray(base, dtype=float))[1:-1]
    sums = coalition_sums(np.asarray(slope, dtype=float))[1:-1]
    change = -sums if game.orientation == "benefit" else sums
    lo, hi = low, high
    rising = change > 1e-15
    falling = change < -1e-15
    flat = ~(rising | falling)
    if (at_zero[flat] > tol).any():
        return None
    if rising.any():
        hi = min(hi, float(((tol - at_zero[rising]) / change[rising]).min()))
    if falling.any():
        lo = max(lo, float(((tol - at_zero[falling]) / change[falling]).max()))
    return (lo, hi) if lo <= hi + 1e-12 else None


def coalition_table(game: Game) -> pd.DataFrame:
    """The v(S) table: coalition ("A+B"), size, value — for ``fairpool coalitions``."""
    masks = np.arange(1, 1 << game.n)
    return pd.DataFrame(
        {
            "coalition": [game.label(int(m)) for m in masks],
            "size": [bin(int(m)).count("1") for m in masks],
            "value": game.values[1:],
        }
    )


def case_game(
    case: Case,
    model: CoalitionModel | None,
    orientation: Orientation,
    **engine: Unpack[EngineOptions],
) -> Game:
    """The coalition game of a case: the values its ``coalitions`` sheet lists when ``model``
    is ``None`` (the family's ``coalition_model`` says so), else v(S) (or c(S)) of ``model``
    for every coalition by the coalition engine (:func:`~fairpool.optimizer.coalitions.model_game`;
    ``engine``: its options, unset ones from ``coalition_settings``)."""
    from fairpool.optimizer.coalitions import model_game

    if model is None:
        values = dense_values(dict(case.coalition_values or {}), case.n)
        return Game(case.parties, values, orientation, case.party_names, case.attributes)
    names, attributes = case.party_names, case.attributes
    return model_game(model, orientation, names=names, attributes=attributes, **engine)


__all__ = [
    "ALL_CORE_ROWS_UP_TO",
    "CORE_TOLERANCE",
    "CoreRows",
    "LexicographicStep",
    "PlanVerdict",
    "SolvedPlan",
    "activate_only",
    "add_core_rows",
    "amount_kind",
    "case_game",
    "case_result",
    "coalition_table",
    "core_band_on_line",
    "core_tolerance",
    "define_core_constraints",
    "define_distance_objective",
    "empty_core_warning",
    "judge_proposal",
    "keep_distance",
    "keep_epsilon",
    "method_fairness",
    "plan_distance",
    "plan_result",
    "plan_tolerance",
    "plan_verdict",
    "proposal_verdict",
    "solve_lexicographic",
    "solve_plan_model",
    "solve_step",
    "sweep_row",
    "violated_core_rows",
]
