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

import dataclasses
import time
from typing import TYPE_CHECKING, NamedTuple, Unpack

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.case import CostSharingCase
from fairpool.models.cost_sharing.coalitions import coalition_game, system_frames
from fairpool.models.cost_sharing.transfers import (
    UseSplit,
    base_split_frame,
    define_use_payments,
    side_payments,
    use_split,
)
from fairpool.models.family import (
    CoreMode,
    DistanceKind,
    PlanOptions,
    PlanResult,
    Simplification,
)
from fairpool.models.planning import (
    LexicographicStep,
    PlanGame,
    define_core_constraints,
    define_distance_objective,
    keep_epsilon,
    money_scale,
    plan_tolerance,
    scaled_game,
    solve_lexicographic,
)
from fairpool.models.side_payments import side_payment_frame
from fairpool.models.verdicts import SolvedPlan, plan_distance, plan_result, plan_verdict
from fairpool.optimizer.analysis import analyse_game
from fairpool.optimizer.errors import CaseError, InfeasibleError
from fairpool.optimizer.game import Game
from fairpool.optimizer.solutions import method_names, solve_method

if TYPE_CHECKING:
    import pyomo.environ as pyo


class SharesPlan(NamedTuple):
    """A solved plan: the cost shares, the least core violation ε* (0 unless core = soft
    and the core is empty) and the distance to the target; ``toward[i, f]``: what each party
    pays toward each facility when payments follow use (``None`` otherwise)."""

    shares: np.ndarray
    epsilon: float
    distance: float
    toward: np.ndarray | None = None


def no_cash_flows() -> pd.DataFrame:
    """Cost shares have no years: an empty (party, year, amount) table."""
    return pd.DataFrame({"party": [], "year": [], "amount": []})


def define_savings(m: pyo.ConcreteModel, game: PlanGame) -> None:
    """npv_i = c({i}) − x_i (savings, the benefit form); Σ_i x_i = c(N)."""
    import pyomo.environ as pyo

    standalone = game.standalone_values
    m.P = pyo.RangeSet(0, game.n - 1)
    m.x = pyo.Var(m.P)
    m.npv = pyo.Var(m.P)
    m.savings = pyo.Constraint(m.P, rule=lambda m, i: m.npv[i] == float(standalone[i]) - m.x[i])
    m.efficient = pyo.Constraint(expr=sum(m.x[i] for i in m.P) == game.grand_value)


def build_plan_model(
    game: PlanGame, target: np.ndarray, core: CoreMode, distance: DistanceKind = "l1"
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


def no_plan_following_use() -> InfeasibleError:
    """Why ``transfers = none`` has no plan within the core rules."""
    return InfeasibleError(
        "no cost shares in which each party pays only toward the facilities it uses or hosts "
        "meet core = hard; use core = soft, or transfers = explicit or allowed"
    )


def no_rounded_plan() -> InfeasibleError:
    """Why ``round_to`` has no plan: no grid of shares meets the rules."""
    return InfeasibleError(
        "no cost shares on the round_to grid add up to the whole cost within the rules (core "
        "= hard, transfers = none); use a round_to that divides 1 (0.01, 0.05, 0.1, ...), "
        "core = soft, or leave round_to blank"
    )


def solve_plan(
    game: PlanGame,
    target: np.ndarray,
    core: CoreMode,
    distance: DistanceKind = "l1",
    split: UseSplit | None = None,
    round_to: float | None = None,
) -> SharesPlan:
    """The cost shares nearest to ``target`` with the least core violation ε* (soft: found
    first, then kept within :func:`~fairpool.models.planning.plan_tolerance`) or in the
    core (hard; :class:`InfeasibleError` when the core is empty). With ``split``, payments
    follow use (``transfers = none``,
    :func:`~fairpool.models.cost_sharing.transfers.define_use_payments`); with ``round_to``,
    every share of c(N) a multiple of it (:func:`define_rounded_shares`, a MILP)."""
    from fairpool.optimizer.solve import pyomo_solver

    m = build_plan_model(game, target, core, distance)
    if split is not None:
        define_use_payments(m, split)
    if round_to is not None:
        define_rounded_shares(m, game, round_to)
    scale = float(m.money_scale)
    steps = [LexicographicStep("distance_objective", "distance to the target")]
    if core == "soft":
        slack = plan_tolerance(game) / scale  # in the model's units
        least = LexicographicStep("epsilon_objective", "least core violation", keep_epsilon(slack))
        steps.insert(0, least)
    infeasible = empty_core if split is None else no_plan_following_use
    if round_to is not None:
        infeasible = no_rounded_plan
    optima = solve_lexicographic(m, steps, pyomo_solver(), infeasible)
    epsilon = max(optima[0], 0.0) * scale if core == "soft" else 0.0
    shares = np.array([m.x[i].value for i in m.P], dtype=float) * scale
    toward = None
    if split is not None:
        paid = np.array([[m.q[i, f].value or 0.0 for f in m.q_f] for i in m.P]) * scale
        toward = split.own + np.clip(paid, 0.0, None)
    return SharesPlan(shares, epsilon, optima[-1] * scale, toward)


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
        shares, epsilon = solve_plan(game, goal, settings.core, settings.distance)[:2]
    facilities, connections = system_frames(case)
    tables = {"facilities": facilities, "connections": connections}
    warnings = list(settings.ignored(("transfers", "round_to")))
    facts: list[tuple[str, object]] = []
    steps: list[Simplification] = []
    split = use_split(case) if settings.transfers != "allowed" else None
    following: UseSplit | None = None  # the split the plan's payments follow (none)
    toward: np.ndarray | None = None
    if settings.transfers != "allowed" and split is None:
        warnings.append(
            f"transfers = {settings.transfers} does not apply to a case that lists its "
            "coalition costs (sheet coalitions): there are no facilities to follow"
        )
    elif split is not None and settings.transfers == "none":
        before = plan_distance(shares, goal, settings.distance)
        try:
            solved = solve_plan(game, goal, settings.core, settings.distance, split)
        except InfeasibleError as error:
            warnings.append("transfers = none is infeasible: the plan keeps transfers")
            steps.append(transfers_step(game, shares, before, before, case.unit, str(error)))
        else:
            shares, epsilon, toward, following = solved.shares, solved.epsilon, solved.toward, split
            after = plan_distance(shares, goal, settings.distance)
            steps.append(transfers_step(game, shares, before, after, case.unit))
    if settings.round_to is not None:
        before = plan_distance(shares, goal, settings.distance)
        try:
            solved = solve_plan(
                game, goal, settings.core, settings.distance, following, settings.round_to
            )
        except InfeasibleError as error:
            warnings.append(f"round_to = {settings.round_to:g} is infeasible: shares not rounded")
            steps.append(
                rounding_step(
                    game, shares, before, before, settings.round_to, case.unit, str(error)
                )
            )
        else:
            shares, epsilon, toward = solved.shares, solved.epsilon, solved.toward
            after = plan_distance(shares, goal, settings.distance)
            steps.append(rounding_step(game, shares, before, after, settings.round_to, case.unit))
    table = pd.DataFrame(
        {"party": list(case.parties), "project": "*", "year": None, "amount": shares}
    )
    if following is not None and toward is not None:
        table = base_split_frame(case, following, toward)
    elif split is not None and settings.transfers == "explicit":
        payments = side_payments(case, split, shares, plan_tolerance(game))
        table = base_split_frame(case, split)
        tables["side_payments"] = side_payment_frame(payments)
        moved = float(sum(s.amount for s in payments))
        facts += [("side_payments", len(payments)), ("side_payments_pv", moved)]
        distance = plan_distance(shares, goal, settings.distance)
        steps.insert(
            0,
            Simplification(
                "transfers",
                f"each party pays toward the facility it uses, with {len(payments)} side "
                f"payments ({moved:,.4g} {case.unit}) that keep the fair shares; no price",
                distance,
                distance,
                0.0,
                plan_verdict(game, shares).in_core,
            ),
        )
    timings["plan"] = time.perf_counter() - started
    savings = game.standalone_values - shares
    facts[:0] = [(f"savings_{p}", float(s)) for p, s in zip(case.parties, savings, strict=True)]
    plan = SolvedPlan(
        amounts=shares,
        epsilon=epsilon,
        kind="shares",
        table=table,
        cash_flows=no_cash_flows(),
        tables={name: frame for name, frame in tables.items() if not frame.empty},
        facts=tuple(facts),
        warnings=warnings,
        timings=timings,
    )
    result = plan_result(case, settings, game, allocations, goal, plan, analysis)
    if not steps:
        return result
    return dataclasses.replace(result, simplifications=(*result.simplifications, *steps))


def rounding_step(
    game: Game,
    shares: np.ndarray,
    before: float,
    after: float,
    round_to: float,
    unit: str,
    why: str | None = None,
) -> Simplification:
    """The price of ``round_to``: the distance before and after rounding every share of
    c(N) to the grid; when no rounded plan meets the rules (``why``) a step saying so."""
    in_core = plan_verdict(game, shares).in_core
    if why is not None:
        return Simplification(
            "round_to",
            f"shares cannot all be multiples of {round_to:.4g} within the rules: {why}",
            before,
            after,
            0.0,
            in_core,
            applied=False,
        )
    return Simplification(
        "round_to",
        f"rounding every share to {round_to:.4g} of the cost moves the plan "
        f"{after - before:,.4g} {unit} further from the target; "
        + ("still in the core" if in_core else "not in the core"),
        before,
        after,
        after - before,
        in_core,
    )


def define_rounded_shares(m: pyo.ConcreteModel, game: PlanGame, round_to: float) -> None:
    """x_i = k_i · round_to · c(N), k_i ∈ {0, 1, …}: every share of the whole cost a
    multiple of ``round_to`` (a MILP; the shares add up to 1 only when 1/round_to is a whole
    number of steps, else the model is infeasible)."""
    import pyomo.environ as pyo

    step = round_to * float(game.grand_value) / float(m.money_scale)
    most = int(np.ceil(1.0 / round_to + 1e-9))
    m.k = pyo.Var(m.P, domain=pyo.NonNegativeIntegers, bounds=(0, most))
    m.rounded = pyo.Constraint(m.P, rule=lambda m, i: m.x[i] == step * m.k[i])


def transfers_step(
    game: Game,
    shares: np.ndarray,
    before: float,
    after: float,
    unit: str,
    why: str | None = None,
) -> Simplification:
    """The price of ``transfers = none``: the distance with and without it; when it could
    not be applied (``why``: the reason) a step saying so, price 0."""
    in_core = plan_verdict(game, shares).in_core
    if why is not None:
        return Simplification(
            "transfers",
            f"payments cannot follow use (transfers = none) within the rules: {why}",
            before,
            after,
            0.0,
            in_core,
            applied=False,
        )
    return Simplification(
        "transfers",
        "payments follow use (each party pays only toward the facilities it uses or hosts): "
        f"{after - before:,.4g} {unit} further from the target; "
        + ("still in the core" if in_core else "not in the core"),
        before,
        after,
        after - before,
        in_core,
    )


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
    "define_rounded_shares",
    "define_savings",
    "empty_core",
    "no_cash_flows",
    "no_plan_following_use",
    "no_rounded_plan",
    "plan_methods",
    "rounding_step",
    "solve",
    "solve_plan",
    "target_shares",
    "transfers_step",
]
