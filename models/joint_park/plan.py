"""The fairest split plan of a park within its rules: a lexicographic solve of the plan model.

    (1) least core violation ε* (``core="soft"``; ``"hard"`` forces ε = 0, ``"off"`` drops the
        core rows),
    (2) the distance to the target allocation (L1 or L∞) given ε ≤ ε*, or for the Nash
        target max Σ_p log(npv_p − v({p})) by tangent cuts,
    (3) a tie-break among equally close plans: ratios closest to the target's share of the
        pool (this also sets the statistic streams' ratios).

Each step runs through :func:`fairpool.models.planning.solve_step`; when the rules admit no
plan, :func:`diagnose_infeasible` names a minimal set of conflicting rules.
"""

from __future__ import annotations

import dataclasses
import math
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Unpack

import numpy as np

from fairpool.models.family import CoreMode, DistanceKind, PlanOptions, PlanResult
from fairpool.models.joint_park.case import TARGETS, JointParkCase, Limit, RatioRule
from fairpool.models.joint_park.coalitions import coalition_values
from fairpool.models.joint_park.flows import (
    Pools,
    cash_flow_frame,
    evaluate_plan,
    park_pools,
    ratios_frame,
    statistics_frame,
)
from fairpool.models.joint_park.plan_model import PlanSpec, build_plan_model, default_spec
from fairpool.models.joint_park.simple import ignored_warnings, solve_simple_plan
from fairpool.models.planning import (
    LexicographicStep,
    PlanGame,
    activate_only,
    keep_distance_within,
    keep_epsilon,
    plan_tolerance,
    solve_lexicographic,
    solve_plan_model,
    solve_step,
    stability_step,
)
from fairpool.models.verdicts import CORE_TOLERANCE, SolvedPlan, plan_result
from fairpool.optimizer.analysis import analyse_game
from fairpool.optimizer.errors import CaseError, InfeasibleError, SolverError
from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions import METHODS, solve_method
from fairpool.optimizer.workbook.checks import dense_values

if TYPE_CHECKING:
    import pyomo.environ as pyo

NASH_TOLERANCE = 1e-6
"""Nash target: stop when Σ log(gain) is within this (absolute) of the LP upper bound."""

NASH_ITERATIONS = 200
"""Nash target: the most tangent-cut rounds before giving up."""


@dataclass(frozen=True)
class ParkGame:
    """A park's coalition game and the pools of the components its grand coalition builds,
    computed once for a solve, a check or a sweep.

    ``warnings``: a ``coalitions`` sheet whose v(N) differs from the components';
    ``seconds``: the time the coalition values took.
    """

    game: Game
    pools: Pools
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


_PARK_GAMES: weakref.WeakKeyDictionary[JointParkCase, ParkGame] = weakref.WeakKeyDictionary()


def park_game(case: JointParkCase) -> ParkGame:
    """v(S) (the MILP, or the ``coalitions`` sheet) and the grand coalition's pools, computed
    once per case object (a case is immutable; the HTML report's explorer sweeps one case
    along two dozen lines, each of which needs its game): ``seconds`` is the first
    computation's.

    A listed v(N) that differs from the components' is warned about: the plan NPVs add up to
    the components' v(N), which is what the pools hold.
    """
    known = _PARK_GAMES.get(case)
    if known is None:
        known = _PARK_GAMES[case] = _compute_park_game(case)
    return known


def _compute_park_game(case: JointParkCase) -> ParkGame:
    started = time.perf_counter()
    values, active = coalition_values(case)
    warnings = []
    if case.coalition_values is not None:
        listed = dense_values(dict(case.coalition_values), case.n)
        if abs(listed[-1] - values[-1]) > CORE_TOLERANCE * float(np.abs(values).max()):
            warnings.append(
                f"the coalitions sheet gives v(N) = {listed[-1]:g} but the park's components "
                f"give {values[-1]:g}; plan NPVs add up to the latter"
            )
        values = listed
    game = Game(case.parties, values, "benefit", case.party_names, case.attributes)
    return ParkGame(game, park_pools(case, active), tuple(warnings), time.perf_counter() - started)


# -- conflicting rules -----------------------------------------------------------------------------

RuleSource = (
    RatioRule | Limit | Literal["one_ratio", "core", "round_to", "uniform_streams", "max_changes"]
)
"""One rule source of a plan: a rules row, a limits row, the one-ratio key, the hard core,
or a simplicity option (issue 12)."""


def rule_sources(spec: PlanSpec) -> list[RuleSource]:
    """Every rule source of ``spec``, in the order the deletion filter tries them."""
    sources: list[RuleSource] = [*spec.rules, *spec.limits]
    if spec.one_ratio:
        sources.append("one_ratio")
    if spec.core == "hard":
        sources.append("core")
    if spec.round_to is not None:
        sources.append("round_to")
    if spec.uniform_streams:
        sources.append("uniform_streams")
    if spec.max_changes is not None:
        sources.append("max_changes")
    return sources


def spec_with(spec: PlanSpec, sources: Sequence[RuleSource]) -> PlanSpec:
    """``spec`` keeping only ``sources`` (the core off unless the hard core is among them)."""
    return PlanSpec(
        tuple(s for s in sources if isinstance(s, RatioRule)),
        tuple(s for s in sources if isinstance(s, Limit)),
        "one_ratio" in sources,
        "hard" if "core" in sources else "off",
        spec.schedules,
        spec.fixed,
        spec.sweep,
        spec.round_to if "round_to" in sources else None,
        "uniform_streams" in sources,
        spec.max_changes if "max_changes" in sources else None,
    )


def feasible(case: JointParkCase, game: PlanGame, pools: Pools, spec: PlanSpec) -> bool:
    """Whether some plan meets ``spec``'s rules (a zero objective solved once)."""
    from fairpool.optimizer.solve import SolveStatus

    m = build_plan_model(case, game, pools, np.zeros(case.n), spec)
    activate_only(m, "feasibility_objective")
    status = solve_plan_model(m).status
    if status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        raise SolverError(f"HiGHS could not decide whether the rules are feasible ({status.value})")
    return status is SolveStatus.OPTIMAL


def describe_source(source: RuleSource) -> str:
    """Where a rule source is written, for the infeasibility message."""
    if source == "one_ratio":
        return "sheet case, key one_ratio_for_all_streams (TRUE)"
    if source == "core":
        return (
            "the core constraints (core = hard): no plan within the rules is in the core; "
            "use core = soft"
        )
    if source == "round_to":
        return "round_to (every ratio on its grid; --round-to)"
    if source == "uniform_streams":
        return "uniform_streams (one ratio for every cash stream; --uniform-streams)"
    if source == "max_changes":
        return "max_changes (how often a party's ratio may change; --max-changes)"
    return source.describe()


def diagnose_infeasible(
    case: JointParkCase, game: PlanGame, pools: Pools, spec: PlanSpec
) -> InfeasibleError:
    """An :class:`InfeasibleError` naming a minimal set of conflicting rules (deletion filter).

    Drop each rule source in turn; keep it dropped if the rest is still infeasible. What
    remains is irreducible: removing any one of them makes the plan feasible.
    """
    sources = rule_sources(spec)
    needed: list[RuleSource] = []
    if feasible(case, game, pools, spec_with(spec, [])):
        needed = list(sources)
        for source in sources:
            trial = [s for s in needed if s is not source]
            if not feasible(case, game, pools, spec_with(spec, trial)):
                needed = trial
    lines = [describe_source(source) for source in needed] or [
        "the ratios of each stream and phase must add up to 1 (fixed proposal "
        "ratios or the park's pools admit no plan)"
    ]
    return InfeasibleError(
        "The rules admit no split plan. These rules conflict (relax any one of them):\n  - "
        + "\n  - ".join(lines)
    )


# -- the lexicographic solve -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOutcome:
    """The solved plan: ratios, ε*, distance, Nash details and solver time."""

    ratios: np.ndarray
    epsilon: float
    distance: float
    runtime: float
    details: Mapping[str, float] = field(default_factory=dict)
    surplus: float | None = None


def solve_plan(
    case: JointParkCase,
    game: PlanGame,
    pools: Pools,
    target: np.ndarray | None,
    core: CoreMode,
    distance: DistanceKind = "l1",
    spec: PlanSpec | None = None,
    *,
    stability: bool = False,
    fairness_slack: float = 0.0,
    mip_gap: float = 0.0,
    time_limit: float | None = None,
) -> PlanOutcome:
    """Lexicographic plan solve: least ε (soft core), then distance (or Nash), then with
    ``stability`` the largest smallest coalition surplus (core not off, a distance target),
    then tie-break.

    ``target`` None: the Nash target. Each optimum is kept, within
    :func:`~fairpool.models.planning.plan_tolerance`, as a constraint of the later steps;
    the distance within ``fairness_slack`` (a share of the money scale) more. The model
    holds money in units of the case's money scale s (``m.money_scale``), so the optima ε*,
    d* and the surplus are multiplied back by s here, and Σ log gains is shifted by n log s.
    Raises :class:`InfeasibleError` naming the conflicting rules when no plan meets them.
    """
    from fairpool.optimizer.solve import pyomo_solver

    spec = spec or default_spec(case, core)
    started = time.perf_counter()
    m = build_plan_model(case, game, pools, target, spec, distance)
    solver = pyomo_solver(time_limit or case.time_limit)
    solver.config.rel_gap = mip_gap  # simplified plans: integer ratios (see simple.py)
    scale = float(m.money_scale)
    slack = plan_tolerance(game) / scale  # in the model's units

    def infeasible() -> InfeasibleError:
        return diagnose_infeasible(case, game, pools, spec)

    def solve(objective: str, what: str) -> float:
        return solve_step(m, objective, what, solver, infeasible)

    steps = []
    if core == "soft":
        steps.append(
            LexicographicStep("epsilon_objective", "least core violation", keep_epsilon(slack))
        )
    if target is not None:
        keep = keep_distance_within(fairness_slack, slack)
        steps.append(LexicographicStep("distance_objective", "distance to the target", keep))
    optima = solve_lexicographic(m, steps, solver, infeasible)
    epsilon = max(optima[0], 0.0) * scale if core == "soft" else 0.0
    best = optima[-1] * scale if target is not None else 0.0
    stable = stability and target is not None and core != "off"
    bounds = (m.epsilon.lb, m.epsilon.ub, m.epsilon.fixed)
    surplus = stable_surplus(m, solver, slack) if stable else None
    details: dict[str, float] = {}
    if target is None:
        import pyomo.environ as pyo

        details = solve_nash(m, solve, game.standalone_values / scale, slack, scale)
        m.nash_cap = pyo.Constraint(
            expr=sum(m.log_gain[p] for p in m.P) >= details["nash_lower_bound"] - 1e-9
        )
        shift = case.n * math.log(scale)  # Σ log(g / s) = Σ log g − n log s
        details["nash_lower_bound"] += shift
        details["nash_upper_bound"] += shift

    def tie_break() -> None:
        try:
            solve("tie_objective", "tie-break")
        except SolverError:
            # a simplified plan's MILP tie-break at its time limit: the ratios of the last
            # step (still loaded: only optimal solutions are) meet every kept optimum
            if mip_gap <= 0:
                raise

    if surplus is None:
        tie_break()
    else:
        try:
            solve_step(m, "tie_objective", "tie-break", solver, _StabilityFailed)
        except _StabilityFailed:  # the kept surplus at HiGHS's tolerance edge: drop it
            restore_epsilon(m, bounds)
            surplus = None
            tie_break()
        except SolverError:
            if mip_gap <= 0:
                raise
        surplus = None if surplus is None else surplus * scale
    ratios = np.zeros((case.n, len(case.streams), len(case.phases)))
    for index in m.r:
        ratios[index] = m.r[index].value or 0.0
    ratios = np.clip(ratios, 0.0, 1.0)
    runtime = time.perf_counter() - started
    return PlanOutcome(ratios, epsilon, best, runtime, details, surplus)


class _StabilityFailed(Exception):
    """The stability step reported infeasible (numerically: the kept plan meets it)."""


def stable_surplus(m: pyo.ConcreteModel, solver: object, slack: float) -> float | None:
    """The stability step on a solved plan model (:func:`~fairpool.models.planning.
    stability_step`): maximise the smallest coalition surplus within the kept optima, keep
    it, and return it (model units). The plan solved so far meets the step's rows, so an
    "infeasible" report is HiGHS's tolerances on a MILP (caps, grids) at their edge: the
    step is then skipped (ε's bounds restored, ``None``) rather than failing the plan."""
    step = stability_step(slack)
    bounds = (m.epsilon.lb, m.epsilon.ub, m.epsilon.fixed)
    assert step.prepare is not None and step.keep is not None
    step.prepare(m)
    try:
        optimum = solve_step(m, step.objective, step.what, solver, _StabilityFailed)
    except _StabilityFailed:
        restore_epsilon(m, bounds)
        return None
    step.keep(m, optimum, 1.0)
    return -optimum


def restore_epsilon(m: pyo.ConcreteModel, bounds: tuple[float | None, float | None, bool]) -> None:
    """Put ε's bounds back as they were before the stability step (lower, upper, fixed)."""
    lower, upper, fixed = bounds
    m.epsilon.setlb(lower)
    m.epsilon.setub(upper)
    if fixed:
        m.epsilon.fix(0.0)


def solve_nash(
    m: pyo.ConcreteModel,
    solve: Callable[[str, str], float],
    standalone: np.ndarray,
    tol: float,
    scale: float = 1.0,
) -> dict[str, float]:
    """Outer approximation of max Σ log g_p by tangent cuts, to :data:`NASH_TOLERANCE`.

    Start from the plan of the largest least gain min_p g_p (none > 0: no Nash plan). The
    cuts over-estimate log (concave), so each LP optimum U is an upper bound and the LP's
    point gives the lower bound L = Σ log g_p; stop when U − L ≤ NASH_TOLERANCE. ``solve``
    (objective, what) solves one LP (:func:`fairpool.models.planning.solve_step`).
    ``standalone`` and ``tol`` are in the model's money units; ``scale`` is the case unit's
    money per model unit (for the message). The bounds returned are in model units too.
    """
    m.least_gain_bound.activate()
    least = solve("least_gain_objective", "Nash start: largest least gain")
    if least <= tol:
        raise InfeasibleError(
            "target = nash needs a plan giving every party more than it gets alone, and the "
            f"rules allow none (best least gain {least * scale:g}); choose another target"
        )
    m.least_gain_bound.deactivate()
    n = len(standalone)

    def gains() -> np.ndarray:
        return np.array([m.npv[p].value for p in range(n)]) - standalone

    def cut_at(point: np.ndarray) -> None:
        for p in range(n):
            g0 = float(point[p])
            m.tangents.add(m.log_gain[p] <= math.log(g0) + (m.npv[p] - standalone[p] - g0) / g0)

    cut_at(np.maximum(gains(), least))
    lower, upper = -math.inf, math.inf
    for iterations in range(1, NASH_ITERATIONS + 1):
        upper = solve("nash_objective", "Nash target")
        point = gains()
        if (point > 0).all():
            lower = max(lower, float(np.log(point).sum()))
        if upper - lower <= NASH_TOLERANCE:
            return {
                "nash_lower_bound": lower,
                "nash_upper_bound": upper,
                "nash_iterations": iterations,
            }
        cut_at(np.maximum(point, least * 1e-3))
    raise SolverError(f"the Nash target did not converge (gap {upper - lower:g})")


# -- the target and the result ---------------------------------------------------------------------


def target_allocation(game: Game, target: str) -> Allocation:
    """The allocation the plan aims at.

    shapley / nucleolus / any METHODS key: the engine's solution; proportional:<a>:
    x_p = v(N) a_p / Σ a; equal_gain: x_p = v({p}) + (v(N) − Σ_q v({q}))/n.
    """
    if target == "equal_gain":
        standalone = game.standalone_values
        shares = standalone + (game.grand_value - standalone.sum()) / game.n
        return Allocation("equal_gain", game.players, shares)
    if target.startswith("proportional"):
        attribute = target.partition(":")[2].strip()
        weights = game.attribute(attribute)
        if (weights < 0).any() or weights.sum() <= 0:
            raise CaseError(f"party attribute {attribute!r} cannot weight a proportional target")
        shares = game.grand_value * weights / weights.sum()
        return Allocation("proportional", game.players, shares, {"attribute": attribute})
    if target not in METHODS:
        raise CaseError(f"unknown target {target!r}; expected {TARGETS}")
    return solve_method(game, target)


def solve(case: JointParkCase, /, **options: Unpack[PlanOptions]) -> PlanResult:
    """Solve a joint-park case: v(S), every allocation, and the fairest plan within the rules.

    ``target``, ``core`` and ``distance`` default to the case sheet's settings (shapley, soft,
    l1). The result's amounts are NPVs; its plan table the ratios (party, stream, phase,
    ratio); its cash flows (party, year, take, cost, net, discount_factor, discounted_net);
    ``tables["statistics"]`` the statistic credit (party, stream, year, amount); its facts the
    components built and, for the Nash target, the bounds and iterations. Allocations: every
    engine method, the target (and ``nash_plan`` for the Nash target). Raises
    :class:`InfeasibleError` naming the conflicting rules if no plan meets them.
    """
    settings = case.plan_settings(**options)
    park = park_game(case)
    game = park.game
    timings = {"coalition_values": park.seconds}
    started = time.perf_counter()
    analysis = analyse_game(game)
    allocations = dict(analysis.allocations)
    goal: np.ndarray | None = None
    if settings.target != "nash":
        goal_allocation = target_allocation(game, settings.target)
        allocations.setdefault(goal_allocation.method, goal_allocation)
        goal = goal_allocation.shares
    timings["allocations"] = time.perf_counter() - started
    outcome = solve_simple_plan(case, game, park.pools, goal, settings)
    timings.update(outcome.timings)
    flows = evaluate_plan(case, park.pools, outcome.ratios)
    if goal is None:
        goal = flows.npv
        allocations["nash_plan"] = Allocation(
            "nash_plan", game.players, flows.npv, dict(outcome.details)
        )
    built = (c for c, on in zip(case.components, park.pools.active, strict=True) if on)
    plan = SolvedPlan(
        amounts=flows.npv,
        epsilon=outcome.epsilon,
        kind="ratios",
        table=ratios_frame(case, outcome.ratios),
        cash_flows=cash_flow_frame(case, flows),
        tables={"statistics": statistics_frame(case, flows)},
        facts=(
            ("active_components", "+".join(built)),
            *outcome.details.items(),
            *((("smallest_surplus", outcome.surplus),) if outcome.surplus is not None else ()),
        ),
        warnings=(*park.warnings, *ignored_warnings(settings, settings.target == "nash")),
        timings=timings,
    )
    result = plan_result(case, settings, game, allocations, goal, plan, analysis)
    return dataclasses.replace(result, simplifications=outcome.simplifications)


__all__ = [
    "NASH_TOLERANCE",
    "ParkGame",
    "PlanOutcome",
    "diagnose_infeasible",
    "park_game",
    "solve",
    "solve_nash",
    "solve_plan",
    "target_allocation",
]
