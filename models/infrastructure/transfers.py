"""Payments follow benefits (issue 12): the infrastructure plan under ``transfers``.

``allowed`` (the default) lets any party pay toward any project, so every party tends to pay
about the same percentage of every project; ``none`` lets a party pay only toward the
projects it hosts or draws a positive benefit from, and reports the price (the extra distance
to the target); ``explicit`` keeps the fair plan but shows it as the beneficiary-pays base
split (each project's cost in proportion to its benefits) plus explicit side payments
between the parties, year by year, that reproduce the plan's NPVs exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.family import DistanceKind, Simplification, Transfers
from fairpool.models.infrastructure.allocations import beneficiary_shares
from fairpool.models.infrastructure.case import InfrastructureCase
from fairpool.models.planning import plan_tolerance
from fairpool.models.side_payments import SidePayment, proportional_split, settle
from fairpool.models.verdicts import core_tolerance, plan_distance, plan_verdict
from fairpool.optimizer.errors import InfeasibleError
from fairpool.optimizer.game import Game

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.models.infrastructure.plan import PlanOutcome


SIDE_VOLUME_WEIGHT = 1e-3
"""ω: the weight of the side payments' volume beside their year-to-year changes in the
``transfers = explicit`` tie-break (:func:`define_side_payment_objective`); small, so that
volume only chooses among equally steady schedules."""


def define_side_payment_objective(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """min Σ_{i,t} |g[i, t] − g[i, t−1]| + ω Σ_{i,t} |g[i, t]| (ω = :data:`SIDE_VOLUME_WEIGHT`),
    where g[i, t] = Σ_p c[i, p, t] − Σ_p w[p, i] F[p, t] y_p is what party i pays in year t
    beyond its beneficiary-pays base split
    (:func:`~fairpool.models.infrastructure.allocations.beneficiary_shares`): the tie-break
    of ``transfers = explicit``.

    Why steadiness first: the plan's NPVs fix only each party's side payments in present
    value, Σ_t d_t g[i, t]; the least volume alone put them in a few arbitrary years with
    arbitrary amounts, and another optimal vertex on another solver. An agreement states
    them as steady yearly amounts ("江苏 pays 浙江 1.2 亿元 a year, 2027–2031"): g constant
    over the years, changing only where a budget or a non-negative payment makes it.
    """
    import pyomo.environ as pyo

    cost = case.funded_cost / m.money_scale
    weights = proportional_split(case.benefit_pv(), case.territorial)
    by_year: dict[int, list[int]] = {}
    for j, (_p, t) in enumerate(m.cells):
        by_year.setdefault(t, []).append(j)
    years = sorted(by_year)
    rows = [(i, t) for i in range(case.n) for t in years]
    m.side_out = pyo.Var(range(len(rows)), bounds=(0.0, None))
    m.side_in = pyo.Var(range(len(rows)), bounds=(0.0, None))

    def gap(m: pyo.ConcreteModel, k: int) -> object:
        i, t = rows[k]
        cells = [m.cells[j] for j in by_year[t]]
        return (
            sum(m.c[i, j] for j in by_year[t])
            - sum(float(weights[p, i] * cost[p, t]) * m.y[p] for p, _t in cells if weights[p, i])
            == m.side_out[k] - m.side_in[k]
        )

    m.side_gap = pyo.Constraint(range(len(rows)), rule=gap)
    changes = [k for k in range(len(rows)) if k % len(years) > 0]  # (i, t) after (i, t − 1)
    m.side_up = pyo.Var(changes, bounds=(0.0, None))
    m.side_down = pyo.Var(changes, bounds=(0.0, None))
    m.side_change = pyo.Constraint(
        changes,
        rule=lambda m, k: (
            m.side_out[k] - m.side_in[k] - m.side_out[k - 1] + m.side_in[k - 1]
            == m.side_up[k] - m.side_down[k]
        ),
    )
    m.side_objective = pyo.Objective(
        expr=sum(m.side_up[k] + m.side_down[k] for k in changes)
        + SIDE_VOLUME_WEIGHT * sum(m.side_out[k] + m.side_in[k] for k in range(len(rows))),
        sense=pyo.minimize,
    )
    m.side_objective.deactivate()


@dataclass(frozen=True)
class TransferPlan:
    """The plan solved under a ``transfers`` setting.

    Attributes:
        outcome: the plan (its cost shares are what each party pays, side payments included).
        side_payments: ``explicit``: the transfers that turn the beneficiary-pays base split
            into the plan, year by year; otherwise ``None``.
        simplification: ``none``/``explicit``: the price, given the game and the plan's NPVs
            (:class:`~fairpool.models.family.Simplification`); ``allowed``: ``None``.
        warnings: e.g. payments that cannot follow benefits (the plan is then without it).
        mode: the ``transfers`` the outcome was solved with (``allowed`` when ``none`` had
            no plan), for later steps (``round_to``) that re-solve it.
    """

    outcome: PlanOutcome
    side_payments: list[SidePayment] | None = None
    simplification: Callable[[Game, np.ndarray], Simplification] | None = None
    warnings: tuple[str, ...] = ()
    mode: Transfers = "allowed"


def transfer_plan(
    solved: Callable[[Transfers], PlanOutcome],
    case: InfrastructureCase,
    game: Game,
    goal: np.ndarray,
    distance: DistanceKind,
    transfers: Transfers,
) -> TransferPlan:
    """The plan under ``transfers`` (issue 12: payments follow benefits).

    ``allowed``: today's plan. ``none``: the plan without transfers (each project paid only
    by its hosts and beneficiaries) and its price, the distance to the target beyond that of
    the plan with transfers; when no plan meets the rules without transfers, the plan with
    them and a simplification saying so. ``explicit``: the plan with transfers, its side
    payments against the beneficiary-pays base split (:func:`plan_side_payments`), price 0.
    ``solved(mode)`` solves the plan with ``transfers = mode``
    (:func:`fairpool.models.infrastructure.plan.solve_plan`).
    """

    unit = case.unit
    if transfers == "allowed":
        return TransferPlan(solved("allowed"))
    if transfers == "explicit":
        outcome = solved("explicit")
        payments = plan_side_payments(case, game, outcome)
        return TransferPlan(
            outcome, payments, explicit_step(case, goal, distance, payments), mode="explicit"
        )
    with_transfers = solved("allowed")
    before = plan_distance(outcome_npv(case, with_transfers), goal, distance)
    try:
        outcome = solved("none")
    except InfeasibleError as error:
        why = str(error)

        def refused(game: Game, npv: np.ndarray) -> Simplification:
            return Simplification(
                "transfers",
                "payments cannot follow benefits (transfers = none) within the rules; the plan "
                f"keeps transfers. {why}",
                before,
                before,
                0.0,
                plan_verdict(game, npv).in_core,
                applied=False,
            )

        return TransferPlan(
            with_transfers,
            None,
            refused,
            ("transfers = none is infeasible: the plan keeps transfers",),
            mode="allowed",
        )

    def priced(game: Game, npv: np.ndarray) -> Simplification:
        after = plan_distance(npv, goal, distance)
        in_core = plan_verdict(game, npv).in_core
        price = 0.0 if abs(after - before) <= core_tolerance(game) else after - before  # noise
        return Simplification(
            "transfers",
            "payments follow benefits (each project paid only by its hosts and beneficiaries): "
            f"{price:,.4g} {unit} further from the target; "
            + ("still in the core" if in_core else "not in the core"),
            before,
            after,
            price,
            in_core,
        )

    return TransferPlan(outcome, None, priced, mode="none")


def explicit_step(
    case: InfrastructureCase, goal: np.ndarray, distance: DistanceKind, payments: list[SidePayment]
) -> Callable[[Game, np.ndarray], Simplification]:
    """The ``transfers = explicit`` entry of a plan shown with ``payments``: how many side
    payments and their present value; no price (the plan is the fair one with transfers)."""

    def shown(game: Game, npv: np.ndarray) -> Simplification:
        d = plan_distance(npv, goal, distance)
        discount = dict(zip(case.years.tolist(), case.discount.tolist(), strict=True))
        moved = sum(s.amount * discount[int(s.year)] for s in payments)
        return Simplification(
            "transfers",
            f"payments follow benefits, with {len(payments)} yearly side payments "
            f"({moved:,.4g} {case.unit} in present value) that keep the fair plan; no price",
            d,
            d,
            0.0,
            plan_verdict(game, npv).in_core,
        )

    return shown


def plan_side_payments(
    case: InfrastructureCase, game: Game, outcome: PlanOutcome
) -> list[SidePayment]:
    """The side payments, year by year, that turn the beneficiary-pays base split of the
    plan's build (:func:`~fairpool.models.infrastructure.allocations.beneficiary_shares`)
    into the plan's payments (:func:`~fairpool.models.side_payments.settle`; amounts below
    1e-9 of the money scale are left out)."""
    base = beneficiary_shares(case, outcome.build).sum(axis=1)
    gap = outcome.shares.sum(axis=1) - base
    tolerance = plan_tolerance(game)
    payments: list[SidePayment] = []
    for t, year in enumerate(case.years):
        payments += settle(gap[:, t], case.parties, int(year), tolerance)
    return payments


def side_payment_facts(
    case: InfrastructureCase, payments: list[SidePayment]
) -> list[tuple[str, object]]:
    """``side_payments`` (how many) and ``side_payments_pv`` (their present value)."""
    discount = dict(zip(case.years.tolist(), case.discount.tolist(), strict=True))
    moved = sum(s.amount * discount[int(s.year)] for s in payments)
    return [("side_payments", len(payments)), ("side_payments_pv", float(moved))]


def outcome_npv(case: InfrastructureCase, outcome: PlanOutcome) -> np.ndarray:
    """npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t] of a solved plan."""
    return outcome.build @ case.benefit_pv() - (outcome.shares @ case.discount).sum(axis=1)


__all__ = [
    "SIDE_VOLUME_WEIGHT",
    "TransferPlan",
    "define_side_payment_objective",
    "explicit_step",
    "outcome_npv",
    "plan_side_payments",
    "side_payment_facts",
    "transfer_plan",
]
