"""The infrastructure coalition game: one MILP compiled once, re-run per coalition.

    v(S) = max Σ_p (Σ_{i∈S} Bpv[p, i] − Fpv_p) y_p
           y_p ≤ [H_p ⊆ S]                       (every host is a member)
           y_p ≤ y_q (p needs q),  y_p + y_q ≤ 1 (p excludes q)
           Σ_p F[p, t] y_p ≤ Σ_{i∈S} β[i, t]      (S funds it alone from its pooled budgets)
           y_p ∈ {0, 1}  ([0, 1] for divisible projects)

A coalition changes the objective's weights, the bounds of y and the budget rows' right-hand
sides only, so the engine (:mod:`fairpool.optimizer.coalitions`) compiles the model once and
re-runs HiGHS with each coalition's numbers (in worker processes, cached by content).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import numpy as np

from fairpool.models.infrastructure.case import InfrastructureCase
from fairpool.models.planning import case_game
from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledEvaluator,
    EngineOptions,
    GamePlaces,
    PyomoCoalitionModel,
    define_links,
    link_pairs,
)
from fairpool.optimizer.game import Game, Orientation, membership_matrix, requirements_met

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import CompiledModel

ORIENTATION: Orientation = "benefit"
"""A benefit game: v(S) is the most S gains building alone."""


class InfrastructureEvaluator(CompiledEvaluator):
    """v(S) by re-running the compiled MILP (see :meth:`InfrastructureCoalitionModel.numbers`)."""

    def solution(self) -> np.ndarray:
        """y of the last coalition (one number per project; zeros if nothing could be built)."""
        return self.column_values("y")


@dataclass(frozen=True, eq=False)
class InfrastructureCoalitionModel(
    PyomoCoalitionModel, version="infrastructure.coalitions/1", evaluator=InfrastructureEvaluator
):
    """The v(S) MILP as data: the engine's
    :class:`~fairpool.optimizer.coalitions.PyomoCoalitionModel`.

    ``benefit_pv[p, i]`` and ``cost_pv[p]`` give the objective Σ_p (Σ_{i∈S} Bpv − Fpv) y_p;
    ``host_masks[p]`` the bitmask of H_p; ``yearly_cost[p, t]`` and ``budget[i, t]`` the
    budget rows of the years with any cost (``inf``: no limit; both divided by
    :func:`budget_row_scale`, which leaves the rows' meaning unchanged); ``dependencies``
    rows (p, q): p needs q; ``exclusions`` rows (p, q). Picklable, so workers can open it.
    """

    benefit_pv: np.ndarray
    cost_pv: np.ndarray
    host_masks: np.ndarray
    yearly_cost: np.ndarray
    budget: np.ndarray
    dependencies: np.ndarray
    exclusions: np.ndarray
    divisible: np.ndarray

    def build(self) -> pyo.ConcreteModel:
        """The v(S) model, built once; a coalition changes only costs, bounds and budget RHS.

        max Σ_p w_p y_p  s.t.  Σ_p F[p, t] y_p ≤ B_t (budget rows),  y_p ≤ y_q (p needs q),
        y_p + y_q ≤ 1 (p excludes q),  0 ≤ y_p ≤ 1, y_p binary unless divisible. The
        placeholders w_p = 1 and B_t = 1 are replaced per coalition (a zero coefficient would be
        dropped by the writer).
        """
        import pyomo.environ as pyo

        count, years = self.yearly_cost.shape
        m = pyo.ConcreteModel(name="infrastructure_coalitions")
        m.Pj = pyo.RangeSet(0, count - 1)
        m.T = pyo.RangeSet(0, years - 1) if years else pyo.Set(initialize=[])
        m.weight = pyo.Param(m.Pj, mutable=True, initialize=1.0)
        m.pooled = pyo.Param(m.T, mutable=True, initialize=1.0)
        m.y = pyo.Var(
            m.Pj,
            bounds=(0.0, 1.0),
            domain=lambda m, p: pyo.Reals if self.divisible[p] else pyo.Binary,
        )
        m.objective = pyo.Objective(
            expr=sum(m.weight[p] * m.y[p] for p in m.Pj), sense=pyo.maximize
        )
        m.budget = pyo.Constraint(
            m.T,
            rule=lambda m, t: (
                sum(float(self.yearly_cost[p, t]) * m.y[p] for p in m.Pj if self.yearly_cost[p, t])
                <= m.pooled[t]
            ),
        )
        define_links(m, self.dependencies, self.exclusions)
        return m

    def places(self, m: pyo.ConcreteModel, compiled: CompiledModel) -> GamePlaces:
        """S changes the costs and bounds of y (group ``y``) and the budget rows' RHS."""
        y = compiled.columns_of(m.y[p] for p in m.Pj)
        budgets = compiled.rows_of(m.budget[t] for t in m.T)
        return GamePlaces(cost_columns=y, bound_columns=y, bound_rows=budgets, columns={"y": y})

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """For each S: costs w(S), upper bounds [H_p ⊆ S] of y, pooled budgets as row RHS.

        No solve (v(S) = 0) when S can host no project with a positive weight.
        """
        members = membership_matrix(masks, len(self.players))
        weights = members @ self.benefit_pv.T - self.cost_pv
        allowed = requirements_met(masks, self.host_masks)
        unlimited = np.isinf(self.budget)
        pooled = members @ np.where(unlimited, 0.0, self.budget)
        pooled[(members @ unlimited.astype(float)) > 0] = np.inf
        return CoalitionNumbers(
            solve=(allowed & (weights > 0)).any(axis=1),
            column_cost=weights,
            column_lower=np.zeros(len(self.cost_pv)),
            column_upper=allowed.astype(float),
            row_upper=pooled,
        )


def budget_row_scale(cost: np.ndarray) -> float:
    """The power of two nearest the largest yearly cost (1.0 without costs): both sides of
    every budget row are divided by it, so HiGHS checks the rows at a relative, not an
    absolute, tolerance whatever the case's money unit (the objective, read as v(S), is
    left in the case unit)."""
    largest = float(np.abs(cost).max(initial=0.0))
    return float(2.0 ** round(math.log2(largest))) if largest > 0.0 else 1.0


def compile_coalition_model(case: InfrastructureCase) -> InfrastructureCoalitionModel:
    """The case's v(S) MILP as engine data, always from the projects (also when the case
    lists its coalition values: the welfare plan is solved on it). The budget rows are
    scaled by :func:`budget_row_scale`."""
    cost = case.funded_cost
    years = np.flatnonzero(cost.any(axis=0))
    dependencies, exclusions = link_pairs(case.depends_on, case.excludes)
    rows = budget_row_scale(cost)
    return InfrastructureCoalitionModel(
        players=case.parties,
        benefit_pv=case.benefit_pv(),
        cost_pv=case.cost_pv(),
        host_masks=np.array([sum(1 << i for i in h) for h in case.hosts], dtype=np.int64),
        yearly_cost=cost[:, years] / rows,
        budget=case.budget[:, years] / rows,
        dependencies=dependencies,
        exclusions=exclusions,
        divisible=case.divisible.copy(),
        time_limit=case.time_limit,
    )


def coalition_model(case: InfrastructureCase) -> InfrastructureCoalitionModel | None:
    """The compiled v(S) model of the case (:class:`InfrastructureCoalitionModel`), or
    ``None`` when the case lists its coalition values (a ``coalitions`` sheet)."""
    if case.coalition_values is not None:
        return None
    return compile_coalition_model(case)


def coalition_game(case: InfrastructureCase, **engine: Unpack[EngineOptions]) -> Game:
    """The coalition game v(S): by the engine (cached, parallel) or the ``coalitions`` sheet
    (:func:`fairpool.models.planning.case_game`).

    ``engine`` options (workers, cache, scheduler, progress) go to
    :func:`fairpool.optimizer.coalitions.model_game`; unset ones come from
    ``coalition_settings``.
    """
    return case_game(case, coalition_model(case), ORIENTATION, **engine)


__all__ = [
    "ORIENTATION",
    "InfrastructureCoalitionModel",
    "InfrastructureEvaluator",
    "budget_row_scale",
    "coalition_game",
    "coalition_model",
    "compile_coalition_model",
]
