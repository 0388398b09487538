"""Round shares of the infrastructure plan (issue 12, ``round_to``): every party pays a whole
multiple of ``round_to`` of each built project's cost, the same share every year.

A negotiator signs "安徽 15%, 浙江 30%, 江苏 25%, 上海 30% of the rail link", not a table of
yearly amounts. With the plan's build y fixed (the plan without rounding chose it), the
shares become integer variables:

    c[i, p, t] = round_to · k[i, p] · F[p, t] · y_p,   k[i, p] ∈ {0, 1, …, ⌊1/round_to⌋},

and the funding rows Σ_i c[i, p, t] = F[p, t] y_p of the plan model then ask
Σ_i k[i, p] · round_to = 1 for every built project: no plan when round_to does not divide 1.
Budgets, individual rationality, the core rows and ``transfers = none`` (a party pays only
toward what it hosts or benefits from) hold as in the plan without rounding. The rounded
plan is solved lexicographically as the plain one (least core violation or feasibility,
then the distance to the target), as a MILP with the park's MILP gap and time limit
(:data:`~fairpool.models.simplicity.SIMPLE_MIP_GAP`,
:data:`~fairpool.models.simplicity.SIMPLE_TIME_LIMIT`: the same closest-lattice-point
search). Its price is the extra distance to the target, in money.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.family import CoreMode, DistanceKind, Simplification, Transfers
from fairpool.models.infrastructure.case import InfrastructureCase
from fairpool.models.infrastructure.plan import (
    PlanOutcome,
    PlanSpec,
    build_plan_model,
    explain_infeasible,
    plan_steps,
    plan_values,
)
from fairpool.models.infrastructure.transfers import outcome_npv
from fairpool.models.planning import plan_tolerance, solve_lexicographic
from fairpool.models.simplicity import SIMPLE_MIP_GAP, SIMPLE_TIME_LIMIT, money, settled
from fairpool.models.verdicts import core_tolerance, plan_distance, plan_verdict
from fairpool.optimizer.errors import InfeasibleError, SolverError
from fairpool.optimizer.game import Game

if TYPE_CHECKING:
    import pyomo.environ as pyo


ROUNDING_ABS_GAP = 3e-5
"""Absolute MIP gap of the rounded plan's steps, in units of the money scale (the model's
unit: 3e-5 of the data's largest magnitude). The distance to the target on a grid has a
lower bound of about 0 (the LP relaxation reaches the target), so a relative gap alone
never closes: on the river programme the 5% grid ran into the 20 s limit. A rounded plan is
therefore within 3e-5 of the money scale of the closest plan on its grid (river programme:
0.0077 亿元), and its price, exact for the plan reported, is at most that much above the
least price of rounding. Measured on the river programme's 5% grid (transfers none /
allowed, this 2-core machine under load): gap 1e-5 took 18 / 12 s, 3e-5 1.0 / 4.7 s, 1e-4
0.4 / 2.5 s."""


def grid_steps(round_to: float) -> int:
    """⌊1/round_to⌋: the most grid steps one party's share of a project can take."""
    return int(np.floor(1.0 / round_to + 1e-9))


def define_rounded_shares(m: pyo.ConcreteModel, case: InfrastructureCase, round_to: float) -> None:
    """c[i, p, t] = round_to · k[i, p] · F[p, t] y_p with k[i, p] ∈ {0, …, ⌊1/round_to⌋}
    integer, for every built project p (y fixed in ``m``): each party's share of p, the same
    every year, a multiple of ``round_to`` (module docstring)."""
    import pyomo.environ as pyo

    cost = case.funded_cost / m.money_scale
    build = [float(m.y[p].value or 0.0) for p in m.Pj]
    built = sorted({p for p, _t in m.cells if build[p] > 0})
    m.grid_index = pyo.Set(initialize=[(i, p) for i in range(case.n) for p in built], dimen=2)
    m.grid = pyo.Var(m.grid_index, domain=pyo.NonNegativeIntegers, bounds=(0, grid_steps(round_to)))
    rows = [(i, j) for j, (p, _t) in enumerate(m.cells) if build[p] > 0 for i in range(case.n)]

    def on_grid(m: pyo.ConcreteModel, k: int) -> object:
        i, j = rows[k]
        p, t = m.cells[j]
        return m.c[i, j] == round_to * float(cost[p, t]) * build[p] * m.grid[i, p]

    m.grid_share = pyo.Constraint(range(len(rows)), rule=on_grid)
    unbuilt = [j for j, (p, _t) in enumerate(m.cells) if build[p] <= 0]
    for j in unbuilt:  # funding rows already hold them at 0; no grid variable needed
        for i in m.P:
            m.c[i, j].fix(0.0)


def rounded_infeasible(
    case: InfrastructureCase,
    game: Game,
    welfare: float,
    round_to: float,
    transfers: Transfers,
) -> InfeasibleError:
    """Why no rounded plan exists: the grid first, then the plan's own rules
    (:func:`~fairpool.models.infrastructure.plan.explain_infeasible`)."""
    rules = explain_infeasible(
        case, game, welfare, 0.0, case.individual_rationality, case.core, transfers
    )
    return InfeasibleError(
        f"no cost shares on a {round_to:.4g} grid (the same share of a project every year) "
        "meet the rules; use a round_to that divides 1 (0.01, 0.05, 0.1, ...) or a finer "
        f"one, or leave round_to blank. {rules}"
    )


def solve_rounded_plan(
    case: InfrastructureCase,
    game: Game,
    target: np.ndarray,
    core: CoreMode,
    distance: DistanceKind,
    round_to: float,
    plain: PlanOutcome,
    transfers: Transfers,
) -> PlanOutcome:
    """The plan with every party's share of each built project a multiple of ``round_to``
    (module docstring): the build of ``plain`` (the plan without rounding) kept, then least
    ε (soft core) or feasibility, then the least distance to ``target``; a MILP.

    Raises :class:`InfeasibleError` (:func:`rounded_infeasible`) when no rounded plan meets
    the rules, :class:`SolverError` when HiGHS stops at the time limit.
    """
    from fairpool.optimizer.solve import pyomo_solver

    started = time.perf_counter()
    rational = case.individual_rationality
    spec = PlanSpec(core, rational, plain.build, transfers)
    m = build_plan_model(case, game, target, spec, distance)
    define_rounded_shares(m, case, round_to)
    scale = float(m.money_scale)
    tol = plan_tolerance(game) / scale
    solver = pyomo_solver(case.time_limit or SIMPLE_TIME_LIMIT)
    solver.config.rel_gap = SIMPLE_MIP_GAP
    solver.config.abs_gap = ROUNDING_ABS_GAP

    def infeasible() -> InfeasibleError:
        return rounded_infeasible(case, game, plain.welfare, round_to, transfers)

    steps = plan_steps(core, rational, tol, case.n)
    optima = solve_lexicographic(m, steps, solver, infeasible)
    epsilon = max(optima[0], 0.0) * scale if core == "soft" else 0.0
    build, shares = plan_values(m, case)
    runtime = time.perf_counter() - started
    return PlanOutcome(build, shares, epsilon, optima[-1] * scale, plain.welfare, runtime)


def project_shares(case: InfrastructureCase, outcome: PlanOutcome) -> np.ndarray:
    """share[i, p] = Σ_t d_t c[i, p, t] / Σ_t d_t F[p, t] y_p: each party's share of each
    built project's cost in present value (0 for a project not built)."""
    paid = outcome.shares @ case.discount
    total = (outcome.build[:, None] * case.funded_cost) @ case.discount
    return np.divide(paid, total, out=np.zeros_like(paid), where=total > 0)


@dataclass(frozen=True)
class RoundedPlan:
    """The plan after ``round_to``: the outcome (rounded, or the plan given when rounding is
    impossible), its :class:`~fairpool.models.family.Simplification` and any warning."""

    outcome: PlanOutcome
    simplification: Simplification
    warnings: tuple[str, ...] = ()


def round_plan(
    case: InfrastructureCase,
    game: Game,
    goal: np.ndarray,
    core: CoreMode,
    distance: DistanceKind,
    round_to: float,
    plain: PlanOutcome,
    transfers: Transfers,
) -> RoundedPlan:
    """``plain`` with its shares on the ``round_to`` grid (:func:`solve_rounded_plan`) and the
    price: the extra distance to the target in money (0 within the core tolerance, solver
    noise), the party moved most, and whether the plan is still in the core. When the grid
    leaves no plan within the rules (or HiGHS stops at its time limit), or ``transfers`` is
    ``explicit`` (the plan is shown as the beneficiary-pays base split, whose shares follow
    the benefits, plus side payments: rounded shares would show nowhere), ``plain`` is kept
    and the simplification says why (``applied`` False)."""
    before_npv = outcome_npv(case, plain)
    before = plan_distance(before_npv, goal, distance)
    label = f"each party's share of each project on a {100 * round_to:g}% grid"

    def unrounded(why: str, warning: str) -> RoundedPlan:
        """``plain`` kept, its simplification saying why it was not rounded (price 0)."""
        in_core = plan_verdict(game, before_npv).in_core
        step = Simplification(
            "round_to", f"{label} not applied: {why}", before, before, 0.0, in_core, applied=False
        )
        return RoundedPlan(plain, step, (warning,))

    if transfers == "explicit":
        return unrounded(
            "with transfers = explicit the plan is shown as the beneficiary-pays base split "
            "(each project in proportion to its benefits) plus side payments, so rounded "
            "shares would not be what anyone signs; use transfers = none or allowed to round "
            "the shares",
            f"round_to = {round_to:g} does not apply with transfers = explicit",
        )
    try:
        rounded = solve_rounded_plan(case, game, goal, core, distance, round_to, plain, transfers)
    except (InfeasibleError, SolverError) as error:
        return unrounded(str(error), f"round_to = {round_to:g} is infeasible: shares not rounded")
    after_npv = outcome_npv(case, rounded)
    after = plan_distance(after_npv, goal, distance)
    negligible = core_tolerance(game)
    price = settled(after - before, negligible)
    in_core = plan_verdict(game, after_npv).in_core
    moved = np.abs(after_npv - before_npv)
    p = int(np.argmax(moved))
    if moved[p] <= negligible:
        move = "moves no party's NPV"
    else:
        way = (
            "further from"
            if abs(after_npv[p] - goal[p]) > abs(before_npv[p] - goal[p])
            else "closer to"
        )
        move = f"moves {case.party_names[p]} {money(float(moved[p]), case.unit)} {way} its target"
    step = Simplification(
        "round_to",
        f"{label} (the same share every year) {move} (distance to the target "
        f"{'+' if price >= 0 else ''}{money(price, case.unit)}); "
        + ("still in the core" if in_core else "not in the core"),
        before,
        after,
        price,
        in_core,
    )
    return RoundedPlan(rounded, step)


__all__ = [
    "RoundedPlan",
    "define_rounded_shares",
    "grid_steps",
    "project_shares",
    "round_plan",
    "rounded_infeasible",
    "solve_rounded_plan",
]
