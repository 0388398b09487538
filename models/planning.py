"""Planning written once, for every model family: the lexicographic plan solve, the one money
scale of a case, core rows (all at once or by row generation), the distance to a target, the
core band of a line of allocations, the coalition table, and the coalition game of a case
(:func:`case_game`). The verdicts and the shared result types are built in
:mod:`fairpool.models.verdicts`.

The lexicographic solve (:func:`solve_lexicographic`) runs a family's steps in order: least
core violation ε* (soft core), then the distance to the target (or the Nash product), then a
tie-break; after each step its optimum is kept, within a slack, as a constraint of the next.

Every plan model has a set ``m.P`` of parties and a variable ``m.npv[p]``: what party p gets
in the benefit form (NPV; cost games plan on their savings game). The blocks below only use
those two, so each family defines its own operational variables (ratios, cost shares) and
links them to ``m.npv``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeAlias, Unpack

import numpy as np
import pandas as pd

from fairpool.models.family import (
    Case,
    CoreMode,
    DistanceKind,
)
from fairpool.optimizer.errors import InfeasibleError, SolverError
from fairpool.optimizer.game import Game, Orientation, coalition_sums, members
from fairpool.optimizer.generation.oracle_game import OracleGame
from fairpool.optimizer.workbook.checks import dense_values

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.optimizer.coalitions import CoalitionModel, EngineOptions
    from fairpool.optimizer.solve import SolveResult

PlanGame: TypeAlias = Game | OracleGame
"""The game a plan model is built on: a full table (:class:`Game`; core rows scanned from it)
or, above the enumeration limit, a game known through its separation oracle
(:class:`OracleGame`; core rows found by one MILP each). Everything in this module and in the
families' plan models takes either."""


# -- the lexicographic solve --------------------------------------------------------------------


@dataclass(frozen=True)
class LexicographicStep:
    """One step of a lexicographic solve: minimise (or maximise) the model's objective
    ``objective`` alone; then ``keep(m, optimum, widen)`` pins the optimum for the later
    steps, within ``widen`` times its slack (see :data:`KEEP_WIDENING`)."""

    objective: str
    what: str
    keep: Keep | None = None
    prepare: Callable[[pyo.ConcreteModel], None] | None = None


Keep = Callable[["pyo.ConcreteModel", float, float], None]
"""``keep(m, optimum, widen)``: bound a solved step's objective by its optimum plus ``widen``
times the step's slack (called again with a larger ``widen`` replaces the bound)."""

KEEP_WIDENING = (1.0, 10.0, 100.0, 1000.0)
"""Factors by which a kept optimum's slack is widened when the next step is reported
infeasible. The kept optimum is feasible by construction (the step before found it), so such
a report is numerical: HiGHS's MIP decides feasibility and integrality within 1e-9, as tight
as the slack (:data:`PLAN_TOLERANCE`), and a big-M row may tip the balance. Widening stops
at 1e-6 of the case's scale, the core tolerance, so no verdict can change; a step still
infeasible then is reported as infeasible."""


def keep_epsilon(slack: float) -> Keep:
    """Keep the least core violation: ε ≤ max(ε*, 0) + widen · slack."""

    def keep(m: pyo.ConcreteModel, optimum: float, widen: float = 1.0) -> None:
        m.epsilon.setub(max(optimum, 0.0) + widen * slack)

    return keep


def keep_distance(slack: float) -> Keep:
    """Keep the distance to the target: distance ≤ d* + widen · slack."""

    def keep(m: pyo.ConcreteModel, optimum: float, widen: float = 1.0) -> None:
        import pyomo.environ as pyo

        if m.component("distance_cap") is not None:
            m.del_component(m.distance_cap)
        m.distance_cap = pyo.Constraint(expr=m.distance <= optimum + widen * slack)

    return keep


def keep_distance_within(fairness_slack: float, slack: float) -> Keep:
    """Keep the distance to the target within ``fairness_slack`` of its optimum (both in the
    model's units): distance ≤ d* + fairness_slack + widen · slack. The later steps
    (stability, tie-break) may then trade that much distance for a steadier plan."""

    def keep(m: pyo.ConcreteModel, optimum: float, widen: float = 1.0) -> None:
        keep_distance(slack)(m, optimum + fairness_slack, widen)

    return keep


def release_surplus(m: pyo.ConcreteModel) -> None:
    """Let ε of the core rows x(S) + ε ≥ v(S) go below zero, keeping its upper bound (0 for
    a hard core, ε* for a soft one): minimising ε then maximises the smallest coalition
    surplus t = −ε = min_S x(S) − v(S) (the least core's problem, over the plans still
    allowed). Used by the stability step (:func:`stability_step`)."""
    upper = 0.0 if m.epsilon.fixed else m.epsilon.ub
    m.epsilon.unfix()
    m.epsilon.setlb(None)
    m.epsilon.setub(upper)


def keep_surplus(slack: float) -> Keep:
    """Keep the stability step's optimum: ε ≤ ε_stable + widen · slack."""

    def keep(m: pyo.ConcreteModel, optimum: float, widen: float = 1.0) -> None:
        m.epsilon.setub(optimum + widen * slack)

    return keep


def stability_step(slack: float) -> LexicographicStep:
    """The stability step: among the plans the earlier steps allow, the one whose smallest
    coalition surplus min_S x(S) − v(S) over proper S is largest (deepest inside the core
    when it is not empty), by the core rows with ε free (:func:`release_surplus`); the
    rows are generated as for the core step (:func:`solve_plan_model`)."""
    return LexicographicStep(
        "epsilon_objective",
        "stability: largest smallest coalition surplus",
        keep_surplus(slack),
        release_surplus,
    )


def smallest_surplus(game: PlanGame, amounts: np.ndarray) -> float:
    """min over proper coalitions S of x(S) − v(S) (benefit form): how far the allocation
    sits inside the core (≥ 0: in it, up to tolerance); one separation for an
    :class:`OracleGame`."""
    if isinstance(game, OracleGame):
        found = game.most_violated(np.asarray(amounts, dtype=float))
        return -found[0].excess if found else 0.0
    sums = coalition_sums(np.asarray(amounts, dtype=float))
    surplus = sums - np.asarray(game.values, dtype=float)
    return float(surplus[1:-1].min(initial=math.inf)) if game.n > 1 else 0.0


class _StepInfeasible(Exception):
    """A lexicographic step reported infeasible (before any diagnosis is made)."""


def solve_step(
    m: pyo.ConcreteModel,
    objective: str,
    what: str,
    solver: object,
    infeasible: Callable[[], Exception],
) -> float:
    """Activate ``objective`` alone, solve (with core-row generation) and return its optimum.

    Raises ``infeasible()`` (a family's explanation naming the conflicting rules) when the
    model has no solution, and :class:`SolverError` on any other non-optimal outcome (saying
    to raise ``time_limit`` when a limit stopped HiGHS).
    """
    from fairpool.optimizer.solve import SolveStatus

    activate_only(m, objective)
    result = solve_plan_model(m, solver)
    if result.status is SolveStatus.INFEASIBLE:
        raise infeasible()
    if result.status is SolveStatus.LIMIT:
        raise SolverError(
            f"HiGHS stopped at a limit while solving the plan ({what}): {result.highs_status}; "
            "raise time_limit in sheet case (seconds per solve), or leave it blank for none"
        )
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
    its step says; returns the optima.

    A step reported infeasible after an earlier optimum was kept is re-solved with that
    optimum's slack widened (:data:`KEEP_WIDENING`); ``infeasible()`` is raised only when the
    first step, or a step with the widest slack, has no solution.
    """
    optima: list[float] = []
    kept: tuple[Keep, float] | None = None
    for step in steps:
        if step.prepare is not None:
            step.prepare(m)
        widenings = KEEP_WIDENING if kept is not None else KEEP_WIDENING[:1]
        for attempt, widen in enumerate(widenings, start=1):
            if kept is not None and widen != 1.0:
                kept[0](m, kept[1], widen)
            last = attempt == len(widenings)
            try:
                optimum = solve_step(
                    m, step.objective, step.what, solver, infeasible if last else _StepInfeasible
                )
            except _StepInfeasible:
                continue
            break
        if step.keep is not None:
            step.keep(m, optimum, 1.0)
            kept = (step.keep, optimum)
        optima.append(optimum)
    return optima


PLAN_TOLERANCE = 1e-9
"""Relative slack of a kept optimum and of a core row's violation (:func:`plan_tolerance`)."""


def money_scale(game: PlanGame) -> float:
    """The one money scale of a case: the power of two nearest max_S |v(S)| (1.0 for a zero
    game).

    Every plan and core-band model is built on the case's money divided by this scale and
    its results are multiplied back, so HiGHS (whose feasibility tolerances are absolute)
    sees numbers of order 1 whether the case is written in 元, 万元 or 亿元, and every
    tolerance here is relative to it. A power of two, so that dividing and multiplying back
    are exact in floating point: the same case in two units gives the same scaled model up
    to the rounding of the unit change itself.

    Example: v(S) up to 230.65 (亿元) gives 256.0; the same case in 元 (×1e8) gives 2**34.
    An :class:`OracleGame` takes max(|v(N)|, max_i |v({i})|) instead, the largest numbers
    known without the table.
    """
    if isinstance(game, OracleGame):
        largest = game.scale_basis()
    else:
        largest = float(np.abs(game.values).max(initial=0.0))
    if not (largest > 0.0 and math.isfinite(largest)):
        return 1.0
    return float(2.0 ** round(math.log2(largest)))


def scaled_game(game: PlanGame, scale: float) -> PlanGame:
    """``game`` with every value divided by ``scale`` (:func:`money_scale`): the game a
    plan or core-band model holds."""
    if scale == 1.0:
        return game
    if isinstance(game, OracleGame):
        return game.scaled(scale)
    values = np.asarray(game.values, dtype=float) / scale
    return Game(game.players, values, game.orientation, game.names, game.attributes)


def plan_tolerance(game: PlanGame) -> float:
    """1e-9 · :func:`money_scale`: the slack when re-imposing an optimum as a constraint,
    and the violation above which a generated core row is added (in the game's units; a
    model built on :func:`scaled_game` uses ``plan_tolerance(game) / scale`` = 1e-9)."""
    return PLAN_TOLERANCE * money_scale(game)


ALL_CORE_ROWS_UP_TO = 10
"""Plans of games with at most this many parties get every core row at once; larger games
get them by row generation (:func:`solve_plan_model`)."""

CORE_ROWS_PER_ROUND = 64
"""Row generation adds at most this many of the most violated core rows per round."""

ORACLE_ROWS_PER_ROUND = 8
"""With an :class:`OracleGame`, the most rows one separation offers: its exact worst
coalition and the violated neighbours it found on the way."""

GUIDE_WEIGHT = 1e-3
"""A plan's first step with generated rows (least core violation, or feasibility) is solved
first with this weight on the distance to the target added (:func:`solve_plan_model`)."""

GUIDED_STEPS = ("epsilon_objective", "feasibility_objective")
"""The objectives whose row generation is guided toward the target."""


@dataclass
class CoreRows:
    """The core rows a plan model holds: the game they come from and the masks added."""

    game: PlanGame
    mode: CoreMode
    added: set[int] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return self.mode == "off" or len(self.added) == self.game.grand_mask - 1

    def value(self, mask: int) -> float:
        """v(S) of a row: from the table, or from the oracle (remembered by the game)."""
        if isinstance(self.game, Game):
            return float(self.game.values[mask])
        return self.game.value(mask)


def define_core_constraints(m: pyo.ConcreteModel, game: PlanGame, core: CoreMode) -> None:
    """x(S) + ε ≥ v(S) for every proper coalition S; ε ≥ 0 (soft) or ε = 0 (hard).

    Games of up to :data:`ALL_CORE_ROWS_UP_TO` parties get all 2ⁿ − 2 rows here. Larger ones
    start from the 2n rows of the singletons and their complements; :func:`solve_plan_model`
    adds the violated ones as the plan is solved, so the model never holds 2ⁿ rows. An
    :class:`OracleGame` always starts from those 2n rows and its ``seed`` coalitions,
    whatever its size.
    """
    import pyomo.environ as pyo

    m.epsilon = pyo.Var(bounds=(0.0, None))
    if core == "hard":
        m.epsilon.fix(0.0)
    m.core = pyo.ConstraintList()
    m.core_rows = CoreRows(game, core)
    if core != "off":
        grand = game.grand_mask
        if game.n <= ALL_CORE_ROWS_UP_TO and isinstance(game, Game):
            masks = np.arange(1, grand, dtype=np.int64)
        else:
            singletons = 1 << np.arange(game.n, dtype=np.int64)
            seed = [m for m in game.seed if 0 < m < grand] if isinstance(game, OracleGame) else []
            masks = np.unique(np.concatenate([singletons, grand ^ singletons, seed]))
        add_core_rows(m, masks)
    m.epsilon_objective = pyo.Objective(expr=m.epsilon, sense=pyo.minimize)
    m.epsilon_objective.deactivate()


def add_core_rows(m: pyo.ConcreteModel, masks: np.ndarray) -> None:
    """Add the rows x(S) + ε ≥ v(S) of ``masks`` (those not yet in the model)."""
    rows: CoreRows = m.core_rows
    for mask in np.asarray(masks, dtype=np.int64).tolist():
        if mask in rows.added:
            continue
        in_s = members(mask, rows.game.n)
        m.core.add(sum(m.npv[i] for i in in_s) + m.epsilon >= rows.value(mask))
        rows.added.add(mask)


def violated_core_rows(m: pyo.ConcreteModel, limit: int = CORE_ROWS_PER_ROUND) -> np.ndarray:
    """The masks (most violated first, at most ``limit``) of proper coalitions whose core row
    is not in the model and is violated by its current solution: v(S) − x(S) − ε > tolerance.

    An :class:`OracleGame` is asked by separation (:func:`_separated_rows`): its exact worst
    coalition and a few neighbours; when the worst coalition's row is already in the model,
    every coalition's row holds within the solver's tolerance and none is returned.
    """
    rows: CoreRows = m.core_rows
    if rows.complete:
        return np.zeros(0, dtype=np.int64)
    game = rows.game
    x = np.array([m.npv[i].value or 0.0 for i in range(game.n)])
    epsilon = float(m.epsilon.value or 0.0)
    if isinstance(game, OracleGame):
        return _separated_rows(game, rows, x, epsilon, limit)
    excess = game.values - coalition_sums(x) - epsilon
    excess[0] = excess[-1] = -np.inf
    if rows.added:
        excess[np.fromiter(rows.added, np.int64, len(rows.added))] = -np.inf
    violated = np.flatnonzero(excess > plan_tolerance(game))
    if len(violated) > limit:
        violated = violated[np.argpartition(-excess[violated], limit)[:limit]]
    return violated[np.argsort(-excess[violated], kind="stable")]


def _separated_rows(
    game: OracleGame, rows: CoreRows, x: np.ndarray, epsilon: float, limit: int
) -> np.ndarray:
    """:func:`violated_core_rows` of an :class:`OracleGame` (its docstring)."""
    found = game.most_violated(x, count=min(limit, ORACLE_ROWS_PER_ROUND))
    if not found or found[0].mask in rows.added:
        return np.zeros(0, dtype=np.int64)
    tolerance = plan_tolerance(game)
    fresh = [v.mask for v in found if v.mask not in rows.added and v.excess - epsilon > tolerance]
    return np.array(fresh, dtype=np.int64)


def solve_plan_model(m: pyo.ConcreteModel, solver: object | None = None) -> SolveResult:
    """Solve a plan model (:func:`optimizer.solve.solve_pyomo`) with core-row generation:
    after each optimum, add the violated core rows and solve again, until none is violated.

    Exact: the final model's feasible set contains the full one's and its optimum is
    feasible for the full one, so it is the full optimum too (LP or MILP alike); and a
    model infeasible with some of the rows is infeasible with all. Models holding every row
    (small games, core = off) are solved once.
    """
    rows: CoreRows | None = getattr(m, "core_rows", None)
    if rows is not None and isinstance(rows.game, OracleGame):
        guided = _guided_solve(m, solver)
        if guided is not None:
            return guided
    return _generate_rows(m, solver)


def _generate_rows(m: pyo.ConcreteModel, solver: object | None) -> SolveResult:
    """Solve, add the violated core rows, solve again, until none is violated."""
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


def _guided_solve(m: pyo.ConcreteModel, solver: object | None) -> SolveResult | None:
    """The first step of a plan whose rows come from an oracle, generated near the target.

    min ε (or a feasibility step) has a wide optimal face: its LP jumps from vertex to vertex
    of it, and each vertex violates a few new coalitions, so the rows come a handful per
    re-solve of a model with thousands of columns (hundreds of rounds at 20 parties). Solved
    first as min ε + :data:`GUIDE_WEIGHT` · distance to the target (the target, e.g. the
    nucleolus, is in or near the core), its rows are generated around the target and few
    rounds suffice. Exact: when the guided optimum has ε at its lower bound (0 for a soft
    core) or the step is a feasibility one, it is an optimum of the step itself (with every
    row, since none is violated), and is returned with the step's objective value; otherwise
    ``None``, and the step is solved as it is, starting from the rows found.
    """
    import pyomo.environ as pyo

    active = [o for o in m.component_objects(pyo.Objective, active=True)]
    distance = m.component("distance")
    if len(active) != 1 or active[0].local_name not in GUIDED_STEPS or distance is None:
        return None
    step = active[0]
    if m.component("guided_objective") is not None:
        m.del_component(m.guided_objective)
    m.guided_objective = pyo.Objective(expr=step.expr + GUIDE_WEIGHT * distance)
    step.deactivate()
    try:
        result = _generate_rows(m, solver)
    finally:
        m.guided_objective.deactivate()
        step.activate()
    if not result.optimal:
        return None
    if step.local_name == "feasibility_objective":
        return replace(result, objective=0.0)
    epsilon = float(m.epsilon.value or 0.0)
    lower = m.epsilon.lb if not m.epsilon.fixed else m.epsilon.value
    if lower is None or epsilon > float(lower) + plan_tolerance(m.core_rows.game):
        return None
    return replace(result, objective=epsilon)


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


def core_band_on_line(
    game: Game, base: np.ndarray, slope: np.ndarray, low: float = 0.0, high: float = 1.0
) -> tuple[float, float] | None:
    """The interval of ρ ∈ [low, high] where x(ρ) = base + ρ · slope is in the core, exactly.

    Every proper coalition S gives one linear inequality e_S(ρ) = e_S(0) + ρ · Δ_S ≤ 0 with
    e the excess (v(S) − x(S), or x(S) − c(S)) and Δ_S its change per unit of ρ; the band is
    the intersection of these half-lines (Σ slope = 0 keeps x efficient). ``None`` if empty.
    Excesses are compared in units of :func:`money_scale` (tolerance 1e-9 of it), so the band
    does not depend on the case's money unit.
    """
    scale = money_scale(game)
    tol = PLAN_TOLERANCE  # excesses and their changes below are in units of the scale
    at_zero = game.excesses(np.asarray(base, dtype=float))[1:-1] / scale
    sums = coalition_sums(np.asarray(slope, dtype=float))[1:-1] / scale
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
    "GUIDED_STEPS",
    "GUIDE_WEIGHT",
    "ORACLE_ROWS_PER_ROUND",
    "PLAN_TOLERANCE",
    "CoreRows",
    "LexicographicStep",
    "PlanGame",
    "activate_only",
    "add_core_rows",
    "case_game",
    "coalition_table",
    "core_band_on_line",
    "define_core_constraints",
    "define_distance_objective",
    "keep_distance",
    "keep_distance_within",
    "keep_epsilon",
    "keep_surplus",
    "money_scale",
    "plan_tolerance",
    "release_surplus",
    "scaled_game",
    "smallest_surplus",
    "solve_lexicographic",
    "solve_plan_model",
    "solve_step",
    "stability_step",
    "violated_core_rows",
]
