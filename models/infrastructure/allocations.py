"""Allocations side by side: every rule on the payment game, the territorial rule, and
Owen's dual allocation of linear production games.

The side-by-side allocations (and the plan's targets) are computed on the *payment game*
pc(S) = Σ_{i∈S} B_i − v(S) (B_i = Bpv of the built plan to party i), a cost game whose cost
shares are the parties' payments (present values): its core is the core of v, and the cost
rules mean what practitioners mean by them — ``equal_bcr`` equalises every party's
benefit–cost ratio B_i / pay_i (the Hong Kong–Zhuhai–Macao Bridge rule), ``scrb`` is the
water-resources SCRB with B_i as the benefit cap, ``proportional:<a>`` splits the payments by
attribute a, ``territorial`` has each host pay the cost inside its territory, and ``dual``
(Owen 1975) prices the grand coalition's LP when the game is a linear production game (all
projects divisible, no exclusions, Bpv ≥ 0), which puts it in the core in one solve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairpool.models.infrastructure.case import InfrastructureCase
from fairpool.models.side_payments import proportional_split
from fairpool.optimizer.errors import CaseError, InfeasibleError, SolverError, VerificationError
from fairpool.optimizer.fairness import check_allocation
from fairpool.optimizer.game import Game, coalition_sums
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions import method_names, solve_method


def linear_production_reasons(case: InfrastructureCase) -> list[str]:
    """Why the coalition model is not a linear production game (empty: it is one).

    Owen (1975): v(S) = max{c·x : A x ≤ Σ_{i∈S} r_i} with c independent of S. Here that needs
    divisible projects (an LP), no exclusions (their right-hand side 1 is not a sum of the
    members' resources) and Bpv ≥ 0 (so that "i collects its benefit only if in S" is a
    resource row z_{p,i} ≤ u_i).
    """
    reasons = []
    if not case.divisible.all():
        indivisible = [p for p, d in zip(case.projects, case.divisible, strict=True) if not d]
        reasons.append(f"projects {', '.join(indivisible[:5])} are not divisible (binaries)")
    if any(case.excludes):
        reasons.append("some projects exclude others")
    if (case.benefit_pv() < -1e-9).any():
        reasons.append("some party's benefit from a project is negative")
    if case.coalition_values is not None:
        reasons.append("the coalition values come from the coalitions sheet")
    return reasons


def dual_allocation(case: InfrastructureCase, game: Game) -> Allocation:
    """Owen's core allocation: the dual prices of the grand coalition's production LP.

    The LP with every resource explicit (u_i = 1 for all i):

        max Σ_{p,i} Bpv[p, i] z[p, i] − Σ_p Fpv_p y_p
        z[p, i] ≤ y_p,   z[p, i] ≤ u_i  (presence of i: price π[p, i])
        y_p ≤ u_h for every host h      (host consent: price η[p, h])
        Σ_p F[p, t] y_p ≤ Σ_i β[i, t]    (budgets: price λ_t)
        y_p ≤ y_q                       (dependencies, no resource)

    gives x_i = Σ_t λ_t β[i, t] + Σ_p η[p, i] + Σ_p π[p, i]. Any dual solution of N's LP is
    feasible for every S's dual, so v(S) ≤ x(S) by weak duality and x(N) = v(N) by strong
    duality (G. Owen, "On the core of linear production games", Math. Programming 9, 1975).
    The result is verified with :func:`~fairpool.optimizer.fairness.check_allocation`.

    Raises:
        CaseError: the model is not a linear production game (reasons listed).
        VerificationError: the prices fail the core check (should not happen).
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import compile_pyomo, run_optimal

    reasons = linear_production_reasons(case)
    if reasons:
        raise CaseError("dual needs a linear production game: " + "; ".join(reasons))
    benefit = case.benefit_pv()
    cost_pv = case.cost_pv()
    cost = case.funded_cost
    budget_years = [
        t
        for t in range(len(case.years))
        if cost[:, t].any() and np.isfinite(case.budget[:, t]).all()
    ]
    count, n = len(case.projects), case.n
    pairs = [(p, i) for p in range(count) for i in range(n) if benefit[p, i] > 0]
    host_pairs = [(p, h) for p in range(count) for h in sorted(case.hosts[p])]
    m = pyo.ConcreteModel(name="infrastructure_production_lp")
    m.y = pyo.Var(range(count), bounds=(0.0, None))
    m.z = pyo.Var(range(len(pairs)), bounds=(0.0, None))
    m.objective = pyo.Objective(
        expr=-sum(float(benefit[p, i]) * m.z[j] for j, (p, i) in enumerate(pairs))
        + sum(float(cost_pv[p]) * m.y[p] for p in range(count)),
        sense=pyo.minimize,
    )
    m.accrues = pyo.Constraint(range(len(pairs)), rule=lambda m, j: m.z[j] <= m.y[pairs[j][0]])
    m.presence = pyo.Constraint(range(len(pairs)), rule=lambda m, j: m.z[j] <= 1.0)
    m.consent = pyo.Constraint(
        range(len(host_pairs)), rule=lambda m, j: m.y[host_pairs[j][0]] <= 1.0
    )
    m.budget = pyo.Constraint(
        budget_years,
        rule=lambda m, t: (
            sum(float(cost[p, t]) * m.y[p] for p in range(count) if cost[p, t])
            <= float(case.budget[:, t].sum())
        ),
    )
    dependencies = [(p, q) for p in range(count) for q in sorted(case.depends_on[p])]
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    compiled = compile_pyomo(m)
    run_optimal(compiled.highs, "the grand coalition's production LP (dual prices)")
    row_dual = np.asarray(compiled.highs.getSolution().row_dual)

    def price(constraint: object) -> float:
        row = compiled.row(constraint)
        return 0.0 if row is None else max(-float(row_dual[row]), 0.0)

    shares = np.zeros(n)
    for j, (_p, i) in enumerate(pairs):
        shares[i] += price(m.presence[j])
    for j, (_p, h) in enumerate(host_pairs):
        shares[h] += price(m.consent[j])
    for t in budget_years:
        shares += price(m.budget[t]) * case.budget[:, t]
    report = check_allocation(game, shares)
    if not report.in_core:
        raise VerificationError(
            f"the dual prices are not in the core (worst {report.worst_coalition_label}, "
            f"excess {report.worst_excess:g}, efficiency gap {report.efficiency_gap:g})"
        )
    return Allocation("dual", game.players, shares, {"lp_value": float(shares.sum())})


def payment_game(game: Game, benefits: np.ndarray) -> Game:
    """pc(S) = Σ_{i∈S} B_i − v(S): the cost game of the parties' payments (present values).

    Cost shares of pc are payments: npv_i = B_i − pay_i, so pc's core is v's core; the
    ``benefit`` attribute is B_i (for equal_bcr and scrb).
    """
    values = coalition_sums(benefits) - game.values
    attributes = {k: v for k, v in game.attributes.items() if k != "benefit"}
    attributes["benefit"] = np.asarray(benefits, dtype=float)
    return Game(game.players, values, "cost", game.names, attributes)


def may_pay(case: InfrastructureCase) -> np.ndarray:
    """allowed[p, i]: party i hosts project p or draws a positive benefit from it (present
    value): the parties that pay toward p when payments follow benefits (``transfers =
    none``)."""
    allowed = case.benefit_pv() > 0
    for p, hosts in enumerate(case.hosts):
        allowed[p, sorted(hosts)] = True
    return allowed


def beneficiary_shares(case: InfrastructureCase, build: np.ndarray) -> np.ndarray:
    """The beneficiary-pays base split c[i, p, t] = w[p, i] F[p, t] y_p: each built project's
    yearly cost in proportion to its benefits to each party (present values, negative ones
    counted as 0); a project that benefits no party is split by its territorial shares."""
    weights = proportional_split(case.benefit_pv(), case.territorial)
    return np.einsum("pi,pt,p->ipt", weights, case.funded_cost, build)


def territorial_payments(case: InfrastructureCase, build: np.ndarray) -> np.ndarray:
    """pay_i = Σ_p y_p Fpv_p τ[p, i]: each host pays the cost inside its territory."""
    return (build * case.cost_pv()) @ case.territorial


@dataclass(frozen=True)
class SideBySide:
    """Every rule applied to one build plan.

    Attributes:
        allocations: {method: Allocation of NPVs}: every engine method on the payment game,
            ``proportional:<a>`` (the target's attribute, else the first one), then
            ``territorial`` and (linear production games) ``dual``.
        payments: {method: each party's payments (present value)}, npv = B − pay.
        warnings: the methods that do not apply to this game, and why.
    """

    allocations: dict[str, Allocation]
    payments: dict[str, np.ndarray]
    warnings: tuple[str, ...]

    def payments_frame(self, case: InfrastructureCase) -> pd.DataFrame:
        """The payments as a table: party, name, one column per method."""
        frame = pd.DataFrame({"party": list(case.parties), "name": list(case.party_names)})
        for method, paid in self.payments.items():
            frame[method] = np.asarray(paid, dtype=float)
        return frame


def side_by_side(
    case: InfrastructureCase, game: Game, build: np.ndarray, target: str
) -> SideBySide:
    """Every method's NPV allocation and payments for the build plan ``build``, computed on
    the payment game (:func:`payment_game`); ``target = dual`` on a game that is not a
    linear production game is a :class:`CaseError`.
    """
    benefits = build @ case.benefit_pv()
    costs = payment_game(game, benefits)
    allocations: dict[str, Allocation] = {}
    payments: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    methods = [m for m in method_names() if m != "proportional"]
    own_attributes = [a for a in case.attributes if a != "benefit"]
    if target.startswith("proportional:"):
        methods.append(target)
    elif own_attributes:
        methods.append(f"proportional:{own_attributes[0]}")
    for method in methods:
        key = method.partition(":")[0]
        try:
            allocation = solve_method(costs, method)
        except (CaseError, InfeasibleError, SolverError) as error:
            warnings.append(f"allocation {key} not available: {error}")
            continue
        payments[key] = allocation.shares
        allocations[key] = Allocation(
            key, game.players, benefits - allocation.shares, allocation.details
        )
    territorial = territorial_payments(case, build)
    payments["territorial"] = territorial
    allocations["territorial"] = Allocation("territorial", game.players, benefits - territorial)
    reasons = linear_production_reasons(case)
    if not reasons:
        try:
            dual = dual_allocation(case, game)
            allocations["dual"] = dual
            payments["dual"] = benefits - dual.shares
        except (CaseError, SolverError, VerificationError) as error:
            warnings.append(f"allocation dual not available: {error}")
    elif target == "dual":
        raise CaseError("target = dual needs a linear production game: " + "; ".join(reasons))
    return SideBySide(allocations, payments, tuple(warnings))


def target_npv(allocations: Mapping[str, Allocation], target: str) -> np.ndarray:
    """The target's NPVs from the side-by-side allocations (``proportional:<a>`` included)."""
    key = target.partition(":")[0]
    if key not in allocations:
        raise CaseError(
            f"the target {target!r} is not available for this case; targets here: "
            f"{', '.join(allocations)} (--target, or the key target in sheet case)"
        )
    return np.asarray(allocations[key].shares)


__all__ = [
    "SideBySide",
    "beneficiary_shares",
    "dual_allocation",
    "linear_production_reasons",
    "may_pay",
    "payment_game",
    "side_by_side",
    "target_npv",
    "territorial_payments",
]
