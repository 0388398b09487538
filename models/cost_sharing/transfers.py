"""Payments follow use (issue 12): the cost-sharing plan under ``transfers``.

What a party "benefits from" in a cost-sharing system is what it uses: the facility option
it is connected to in the grand coalition's system (:func:`use_split`), and its own
connection. A facility's fixed cost is paid by the parties connected to it and by those it
``requires`` (the hosts whose consent it needs); each party's connection and variable cost
(κ_f d_i + γ[i, f]) is its own. So

- ``none``: x_i = own_i + Σ_f q[i, f], q[i, f] ≥ 0 only where i uses or hosts f,
  Σ_i q[i, f] = the fixed cost of f: a party pays nothing toward a facility it neither uses
  nor hosts; the price is the extra distance to the target;
- ``explicit``: the plan with transfers, shown as the beneficiary-pays base split (each
  facility's fixed cost in proportion to the demand it serves, each connection by its
  party) plus side payments in present value that reproduce the plan's shares exactly.

A case whose coalition costs are listed (sheet ``coalitions``) has no facilities to follow:
there ``transfers`` does not apply (a warning says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.case import CostSharingCase
from fairpool.models.cost_sharing.coalitions import system_frames
from fairpool.models.side_payments import PV, SidePayment, proportional_split, settle

if TYPE_CHECKING:
    import pyomo.environ as pyo


@dataclass(frozen=True)
class UseSplit:
    """Who uses what in the grand coalition's system.

    Attributes:
        facilities: the options built (ids), the columns below.
        own: own[i, f]: party i's connection and variable cost at f (0 when not connected).
        fixed: fixed[f]: the fixed cost of the units of f built.
        may_pay: may_pay[f, i]: i is connected to f or f requires i.
        weights: weights[f, i]: i's share of f's fixed cost in the base split (the demand it
            has served by f; a facility serving nobody: its required parties, equally).
    """

    facilities: tuple[str, ...]
    own: np.ndarray
    fixed: np.ndarray
    may_pay: np.ndarray
    weights: np.ndarray

    def base_split(self) -> np.ndarray:
        """base[i, f] = own[i, f] + weights[f, i] · fixed[f]: the beneficiary-pays split."""
        return self.own + (self.weights * self.fixed[:, None]).T


def use_split(case: CostSharingCase) -> UseSplit | None:
    """The grand coalition's system as a :class:`UseSplit` (one solve of c(N)); ``None`` for
    a case that lists its coalition costs."""
    if case.explicit:
        return None
    facilities, connections = system_frames(case)
    ids = tuple(str(f) for f in facilities["facility"]) if len(facilities) else ()
    column = {f: k for k, f in enumerate(ids)}
    n = case.n
    own = np.zeros((n, len(ids)))
    demand = np.zeros((len(ids), n))
    for _, row in connections.iterrows():
        i, f = case.party_index(str(row["party"])), column[str(row["facility"])]
        own[i, f] += float(row["connection_cost"]) + float(row["variable_cost"])
        demand[f, i] += float(row["demand"])
    required = np.zeros((len(ids), n), dtype=bool)
    for k, facility in enumerate(ids):
        mask = int(case.requires[case.facilities.index(facility)])
        required[k] = [(mask >> i) & 1 == 1 for i in range(n)]
    connected = (own.T > 0) | (demand > 0)
    may_pay = connected | required
    fallback = np.where(required.any(axis=1, keepdims=True), required, connected)
    fallback = fallback / np.maximum(fallback.sum(axis=1, keepdims=True), 1)
    fixed = facilities["fixed_cost"].to_numpy(dtype=float) if len(ids) else np.zeros(0)
    weights = proportional_split(demand, fallback)
    return UseSplit(ids, own, fixed, may_pay, weights)


def define_use_payments(m: pyo.ConcreteModel, split: UseSplit) -> None:
    """x_i = Σ_f own[i, f] + Σ_f q[i, f], q[i, f] ≥ 0 (0 unless i may pay toward f),
    Σ_i q[i, f] = fixed[f] (in the model's money units), on
    :func:`~fairpool.models.cost_sharing.plan.build_plan_model`'s x. The sum of the shares
    is then the system's cost, so the model's own efficiency row steps aside (it states the
    same c(N), up to the solver's gap)."""
    import pyomo.environ as pyo

    scale = float(m.money_scale)
    count = len(split.facilities)
    m.q_f = range(count)
    m.q = pyo.Var(m.P, m.q_f, bounds=(0.0, None))
    for i in m.P:
        for f in range(count):
            if not split.may_pay[f, i]:
                m.q[i, f].fix(0.0)
    m.use_payments = pyo.Constraint(
        m.P,
        rule=lambda m, i: (
            m.x[i] == float(split.own[i].sum()) / scale + sum(m.q[i, f] for f in range(count))
        ),
    )
    m.fixed_paid = pyo.Constraint(
        range(count),
        rule=lambda m, f: sum(m.q[i, f] for i in m.P) == float(split.fixed[f]) / scale,
    )
    m.efficient.deactivate()


def base_split_frame(
    case: CostSharingCase, split: UseSplit, toward: np.ndarray | None = None
) -> pd.DataFrame:
    """What each party pays toward each facility, as plan-table rows (party, project =
    facility, year blank, amount; zero amounts left out): ``toward[i, f]``, or the base
    split (:meth:`UseSplit.base_split`) when ``None``."""
    base = split.base_split() if toward is None else toward
    i, f = np.nonzero(base > 1e-9 * float(np.abs(base).max(initial=0.0)))
    return pd.DataFrame(
        {
            "party": [case.parties[k] for k in i],
            "project": [split.facilities[k] for k in f],
            "year": None,
            "amount": base[i, f],
        },
        columns=["party", "project", "year", "amount"],
    )


def side_payments(
    case: CostSharingCase, split: UseSplit, shares: np.ndarray, tolerance: float
) -> list[SidePayment]:
    """The side payments (present value) that turn the base split into the plan's shares
    (:func:`~fairpool.models.side_payments.settle`)."""
    gap = np.asarray(shares, dtype=float) - split.base_split().sum(axis=1)
    return settle(gap, case.parties, PV, tolerance)


__all__ = [
    "UseSplit",
    "base_split_frame",
    "define_use_payments",
    "side_payments",
    "use_split",
]
