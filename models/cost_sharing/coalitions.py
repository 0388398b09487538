"""The cost game c(S) of a cost-sharing case: the explicit table, or the facility MILP.

One MILP, compiled once; a coalition S changes only bounds and right-hand sides:

    c(S) = min Σ_f φ_f z_f + Σ_{i,f} (κ_f d_i + γ[i, f]) a[i, f]
           Σ_f a[i, f] = u_i                 (every member is served by one option; u = [i ∈ S])
           Σ_i d_i a[i, f] ≤ K_f z_f         (capacity)
           a[i, f] ≤ z_f                     (connect only to what is built)
           0 ≤ z_f ≤ U_f [R_f ⊆ S], z integer, a binary

The engine (:mod:`fairpool.optimizer.coalitions`) owns parallelism, the cache and status
checks; this module only describes the model as data (:class:`FacilityCoalitionModel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.case import CostSharingCase
from fairpool.models.planning import case_game
from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledEvaluator,
    EngineOptions,
    GamePlaces,
    PyomoCoalitionModel,
)
from fairpool.optimizer.game import Game, Orientation, membership_matrix, requirements_met

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import CompiledModel

ORIENTATION: Orientation = "cost"
"""A cost game: c(S) is what S pays to serve its members alone."""


class FacilityEvaluator(CompiledEvaluator):
    """c(S) by re-running the compiled MILP (see :meth:`FacilityCoalitionModel.numbers`)."""

    def configuration(self, mask: int) -> tuple[float, np.ndarray, np.ndarray]:
        """(c(S), units built per option, link use per connectable pair) for one coalition."""
        cost = self.value(mask)
        return cost, np.round(self.column_values("units")), np.round(self.column_values("links"))


@dataclass(frozen=True, eq=False)
class FacilityCoalitionModel(
    PyomoCoalitionModel, version="cost_sharing.coalitions/1", evaluator=FacilityEvaluator
):
    """The c(S) MILP as data: the engine's
    :class:`~fairpool.optimizer.coalitions.PyomoCoalitionModel`.

    ``links`` lists the connectable (party, option) pairs; ``link_cost[k]`` = κ_f d_i + γ[i, f].
    """

    demand: np.ndarray
    capacity: np.ndarray
    fixed_cost: np.ndarray
    max_units: np.ndarray
    requires: np.ndarray
    links: np.ndarray
    link_cost: np.ndarray

    def build(self) -> pyo.ConcreteModel:
        """The c(S) model, built once; a coalition changes only the ``served`` RHS and z bounds.

        min Σ_f φ_f z_f + Σ_k cost_k a_k  s.t.  Σ_{k∋i} a_k = u_i (served),
        Σ_{k∋f} d_i a_k ≤ K_f z_f (capacity),  a_k ≤ z_f (built),  z_f ∈ {0, …, U_f}, a binary.
        """
        import pyomo.environ as pyo

        links = self.links.tolist()
        m = pyo.ConcreteModel(name="cost_sharing_coalitions")
        m.F = pyo.RangeSet(0, len(self.capacity) - 1)
        m.K = pyo.RangeSet(0, len(links) - 1)
        m.I = pyo.RangeSet(0, len(self.players) - 1)
        m.member = pyo.Param(m.I, mutable=True, initialize=1.0)
        m.z = pyo.Var(
            m.F, domain=pyo.NonNegativeIntegers, bounds=lambda m, f: (0, self.max_units[f])
        )
        m.a = pyo.Var(m.K, domain=pyo.Binary)
        m.objective = pyo.Objective(
            expr=sum(float(self.fixed_cost[f]) * m.z[f] for f in m.F)
            + sum(float(self.link_cost[k]) * m.a[k] for k in m.K),
            sense=pyo.minimize,
        )
        m.served = pyo.Constraint(
            m.I, rule=lambda m, i: sum(m.a[k] for k in m.K if links[k][0] == i) == m.member[i]
        )
        m.capacity = pyo.Constraint(
            m.F,
            rule=lambda m, f: (
                sum(float(self.demand[links[k][0]]) * m.a[k] for k in m.K if links[k][1] == f)
                <= float(self.capacity[f]) * m.z[f]
            ),
        )
        m.built = pyo.Constraint(m.K, rule=lambda m, k: m.a[k] <= m.z[links[k][1]])
        return m

    def places(self, m: pyo.ConcreteModel, compiled: CompiledModel) -> GamePlaces:
        """S changes the ``served`` RHS and the bounds of z; the groups ``units`` (z) and
        ``links`` (a) are read by :class:`FacilityEvaluator`."""
        units = compiled.columns_of(m.z[f] for f in m.F)
        served = compiled.rows_of(m.served[i] for i in m.I)
        links = compiled.columns_of(m.a[k] for k in m.K)
        return GamePlaces(
            bound_columns=units, bound_rows=served, columns={"units": units, "links": links}
        )

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """For each S: Σ_k a_k = u_i (row bounds) and z_f ≤ U_f [R_f ⊆ S] (column bounds)."""
        masks = np.asarray(masks, dtype=np.int64)
        members = membership_matrix(masks, len(self.players))
        buildable = requirements_met(masks, self.requires)
        return CoalitionNumbers(
            solve=masks != 0,
            column_lower=np.zeros(len(self.capacity)),
            column_upper=np.where(buildable, self.max_units[None, :], 0.0),
            row_lower=members,
            row_upper=members,
        )


def coalition_model(case: CostSharingCase) -> FacilityCoalitionModel | None:
    """The case's c(S) MILP as engine data (see :class:`FacilityCoalitionModel`); ``None``
    when the case lists its coalition costs (sheet ``coalitions``)."""
    if case.explicit:
        return None
    parties, options = np.nonzero(~np.isnan(case.connection))
    links = np.stack([parties, options], axis=1).astype(np.int64)
    cost = case.variable_cost[options] * case.demand[parties] + case.connection[parties, options]
    return FacilityCoalitionModel(
        players=case.parties,
        demand=case.demand.copy(),
        capacity=case.capacity.copy(),
        fixed_cost=case.fixed_cost.copy(),
        max_units=case.max_units.copy(),
        requires=case.requires.copy(),
        links=links,
        link_cost=cost,
        time_limit=case.time_limit,
    )


def coalition_game(case: CostSharingCase, **engine: Unpack[EngineOptions]) -> Game:
    """The cost game c(S): the explicit table, or the facility MILP through the engine
    (:func:`fairpool.models.planning.case_game`; ``engine``: the options of
    :func:`~fairpool.optimizer.coalitions.coalition_values`)."""
    return case_game(case, coalition_model(case), ORIENTATION, **engine)


def system_frames(case: CostSharingCase) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(facilities built by N, connections of N) from one solve of the grand coalition;
    two empty frames for an explicit case."""
    model = coalition_model(case)
    if model is None:
        return pd.DataFrame(), pd.DataFrame()
    evaluator = FacilityEvaluator(model)
    _, units, used = evaluator.configuration((1 << case.n) - 1)
    served = np.zeros(len(case.facilities))
    rows = []
    for k, (i, f) in enumerate(model.links.tolist()):
        if used[k] > 0.5:
            served[f] += case.demand[i]
            rows.append(
                {
                    "party": case.parties[i],
                    "facility": case.facilities[f],
                    "demand": float(case.demand[i]),
                    "connection_cost": float(case.connection[i, f]),
                    "variable_cost": float(case.variable_cost[f] * case.demand[i]),
                }
            )
    facilities = pd.DataFrame(
        {
            "facility": list(case.facilities),
            "name": list(case.facility_names),
            "units": units,
            "capacity": units * case.capacity,
            "served_demand": served,
            "fixed_cost": units * case.fixed_cost,
        }
    )
    return facilities[facilities["units"] > 0].reset_index(drop=True), pd.DataFrame(rows)


__all__ = [
    "ORIENTATION",
    "FacilityCoalitionModel",
    "FacilityEvaluator",
    "coalition_game",
    "coalition_model",
    "system_frames",
]
