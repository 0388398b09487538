"""The cost-sharing plan: the target rule's cost shares, moved into the (least) core.

Every cost-allocation rule of the engine is computed side by side with its core check
(:func:`fairpool.optimizer.analysis.analyse_game`). The plan is the target's shares x* when
they are in the core (or core = off); otherwise the shares nearest to x* (L1 or L∞) among
those with the least core violation ε* (soft) or in the core (hard):

    min d(x, x*)  s.t.  Σ_i x_i = c(N),  x(S) ≤ c(S) + ε  for every proper S,
                        ε = ε* (soft, found first) or ε = 0 (hard).

The core rows are the shared benefit-form blocks of :mod:`fairpool.models.planning`, written
on the savings game s(S) = Σ_{i∈S} c({i}) − c(S) in the savings y_i = c({i}) − x_i
(x(S) ≤ c(S) + ε ⟺ y(S) + ε ≥ s(S)).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NamedTuple, Unpack

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.case import CostSharingCase
from fairpool.models.cost_sharing.coalitions import coalition_game, system_frames
from fairpool.models.family import CoreMode, DistanceKind, PlanOptions, PlanResult
from fairpool.models.planning import (
    LexicographicStep,
    define_core_constraints,
    define_distance_objective,
    keep_epsilon,
    money_scale,
    plan_tolerance,
    scaled_game,
    solve_lexicographic,
)
from fairpool.models.verdicts import SolvedPlan, plan_result
from fairpool.optimizer.analysis import analyse_game
from fairpool.optimizer.errors import CaseError, InfeasibleError
from fairpool.optimizer.game import Game
from fairpool.optimizer.solutions import method_names, solve_method

if TYPE_CHECKING:
    import pyomo.environ as pyo


class SharesPlan(NamedTuple):
    """A solved plan: the cost shares, the least core violation ε* (0 unless core = soft
    and the core is empty) and the distance to the target."""

    shares: np.ndarray
    epsilon: float
    distance: float


def no_cash_flows() -> pd.DataFrame:
    """Cost shares have no years: an empty (party, year, amount) table."""
    return pd.DataFrame({"party": [], "year": [], "amount": []})


def define_savings(m: pyo.ConcreteModel, game: Game) -> None:
    """npv_i = c({i}) − x_i (savings, the benefit form); Σ_i x_i = c(N)."""
    import pyomo.environ as pyo

    standalone = game.standalone_values
    m.P = pyo.RangeSet(0, game.n - 1)
    m.x = pyo.Var(m.P)
    m.npv = pyo.Var(m.P)
    m.savings = pyo.Constraint(m.P, rule=lambda m, i: m.npv[i] == float(standalone[i]) - m.x[i])
    m.efficient = pyo.Constraint(expr=sum(m.x[i] for i in m.P) == game.grand_value)


def build_plan_model(
    game: Game, target: np.ndarray, core: CoreMode, distance: DistanceKind = "l1"
) -> pyo.ConcreteModel:
    """Cost shares x closest to the target's, subject to the core rows on the savings game.

    The core of c is the core of its savings game s(S) = Σ_{i∈S} c({i}) − c(S) in the
    savings y_i = c({i}) − x_i, so the shared benefit-form blocks apply to y. Money is in
    units of the case's money scale (``m.money_scale``,
    :func:`~fairpool.models.planning.money_scale`): ``game`` and ``target`` are given in the
    case unit and divided here, so x, ε and the distance are in units of the scale.
    """
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="cost_sharing_plan")
    m.money_scale = scale = money_scale(game)
    game = scaled_game(game, scale)
    define_savings(m, game)
    define_core_constraints(m, game.savings_game(), core)
    target = np.asarray(target, dtype=float) / scale
    define_distance_objective(m, game.standalone_values - target, distance)
    return m


def empty_core() -> InfeasibleError:
    """Why core = hard has no plan: the cost game's core is empty."""
    return InfeasibleError(
        "the core of this cost game is empty, so core = hard admits no cost shares; "
        "use core = soft (the least core)"
    )


def solve_plan(
    game: Game, target: np.ndarray, core: CoreMode, distance: DistanceKind = "l1"
) -> SharesPlan:
    """The cost shares nearest to ``target`` with the least core violation ε* (soft: found
    first, then kept within :func:`~fairpool.models.planning.plan_tolerance`) or in the
    core (hard; :class:`InfeasibleError` when the core is empty)."""
    from fairpool.optimizer.solve import pyomo_solver

    m = build_plan_model(game, target, core, distance)
    scale = float(m.money_scale)
    steps = [LexicographicStep("distance_objective", "distance to the target")]
    if core == "soft":
        slack = plan_tolerance(game) / scale  # in the model's units
        least = LexicographicStep("epsilon_objective", "least core violation", keep_epsilon(slack))
        steps.insert(0, least)
    optima = solve_lexicographic(m, steps, pyomo_solver(), empty_core)
    epsilon = max(optima[0], 0.0) * scale if core == "soft" else 0.0
    shares = np.array([m.x[i].value for i in m.P], dtype=float) * scale
    return SharesPlan(shares, epsilon, optima[-1] * scale)


def solve(
    case: CostSharingCase,
    /,
    *,
    game: Game | None = None,
    **options: Unpack[PlanOptions],
) -> PlanResult:
    """Solve a cost-sharing case: c(S) (or ``game`` when the caller has it), every rule with
    its core check, and the plan (the target's cost shares, moved into the least core when
    core is hard or soft and they are not in it). Settings left ``None`` come from the case.

    The result's plan table lists each party's cost share of the whole system (project
    ``*``, no year); its tables are the grand coalition's ``facilities`` and
    ``connections`` (generated cases); its facts are each party's savings c({i}) − x_i.
    """
    settings = case.plan_settings(**options)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    game = game if game is not None else coalition_game(case)
    timings["coalition_values"] = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyse_game(game, plan_methods(case, settings.target))
    allocations = {k.partition(":")[0]: a for k, a in analysis.allocations.items()}
    target_in_core = {k.partition(":")[0]: r.in_core for k, r in analysis.fairness.items()}
    key = settings.target.partition(":")[0]
    if key not in allocations:
        reason = analysis.skipped.get(settings.target, "not available")
        raise CaseError(f"target {settings.target!r} does not apply to this case: {reason}")
    goal = allocations[key].shares
    timings["allocations"] = time.perf_counter() - started
    started = time.perf_counter()
    if settings.core == "off" or target_in_core[key]:
        shares = goal.copy()
        epsilon = 0.0 if settings.core == "off" else max(analysis.least_core_epsilon, 0.0)
    else:
        shares, epsilon, _ = solve_plan(game, goal, settings.core, settings.distance)
    facilities, connections = system_frames(case)
    timings["plan"] = time.perf_counter() - started
    tables = {"facilities": facilities, "connections": connections}
    savings = game.standalone_values - shares
    plan = SolvedPlan(
        amounts=shares,
        epsilon=epsilon,
        kind="shares",
        table=pd.DataFrame(
            {"party": list(case.parties), "project": "*", "year": None, "amount": shares}
        ),
        cash_flows=no_cash_flows(),
        tables={name: frame for name, frame in tables.items() if not frame.empty},
        facts=tuple((f"savings_{p}", float(s)) for p, s in zip(case.parties, savings, strict=True)),
        timings=timings,
    )
    return plan_result(case, settings, game, allocations, goal, plan, analysis)


def plan_methods(case: CostSharingCase, target: str) -> list[str]:
    """The rules computed for a case: every engine method, ``proportional`` on the target's
    attribute (else on the first attribute other than ``benefit``, if any), and
    ``equal_bcr`` only when the parties have a ``benefit``."""
    methods = [m for m in method_names() if m != "proportional"]
    if target.startswith("proportional"):
        methods.append(target)
    else:
        weights = [a for a in case.attributes if a != "benefit"]
        if weights:
            methods.append(f"proportional:{weights[0]}")
    if "benefit" not in case.attributes:
        methods.remove("equal_bcr")
    return methods


def target_shares(game: Game, target: str) -> np.ndarray:
    """The cost shares of rule ``target`` alone (a sweep's default base line)."""
    try:
        return solve_method(game, target).shares
    except (CaseError, InfeasibleError) as error:
        raise CaseError(f"target {target!r} does not apply to this case: {error}") from error


__all__ = [
    "SharesPlan",
    "build_plan_model",
    "define_savings",
    "empty_core",
    "no_cash_flows",
    "plan_methods",
    "solve",
    "solve_plan",
    "target_shares",
]
