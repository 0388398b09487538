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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.infrastructure.case import InfrastructureCase
from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledEvaluator,
    CompiledGame,
    content_key,
    model_game,
)
from fairpool.optimizer.game import Game, membership_matrix, requirements_met
from fairpool.optimizer.workbook.checks import dense_values

if TYPE_CHECKING:
    import pyomo.environ as pyo

COALITION_MODEL_VERSION = "infrastructure.coalitions/1"
"""Part of the cache key of v(S): bump it when the coalition MILP's formulation changes."""


@dataclass(frozen=True, eq=False)
class InfrastructureCoalitionModel:
    """The v(S) MILP as data: the engine's
    :class:`~fairpool.optimizer.coalitions.CompiledCoalitionModel`.

    ``benefit_pv[p, i]`` and ``cost_pv[p]`` give the objective Σ_p (Σ_{i∈S} Bpv − Fpv) y_p;
    ``host_masks[p]`` the bitmask of H_p; ``yearly_cost[p, t]`` and ``budget[i, t]`` the
    budget rows of the years with any cost (``inf``: no limit); ``dependencies`` rows (p, q):
    p needs q; ``exclusions`` rows (p, q). Picklable, so workers can open it.
    """

    players: tuple[str, ...]
    benefit_pv: np.ndarray
    cost_pv: np.ndarray
    host_masks: np.ndarray
    yearly_cost: np.ndarray
    budget: np.ndarray
    dependencies: np.ndarray
    exclusions: np.ndarray
    divisible: np.ndarray
    time_limit: float | None = None

    def cache_key(self) -> str:
        """Hash of every number v(S) depends on (and the formulation's version)."""
        return content_key(self, COALITION_MODEL_VERSION)

    def open(self) -> InfrastructureEvaluator:
        """Build the Pyomo model once, compile it to HiGHS (notes §4b), return the evaluator."""
        return InfrastructureEvaluator(self)

    def compile(self) -> CompiledGame:
        """The v(S) MILP compiled once; S changes the costs and bounds of y and the budget RHS."""
        from fairpool.optimizer.solve import compile_pyomo

        m = build_coalition_model(self)
        compiled = compile_pyomo(m)
        y = compiled.columns_of(m.y[p] for p in m.Pj)
        return CompiledGame(
            program=compiled.program(self.time_limit),
            cost_columns=y,
            bound_columns=y,
            bound_rows=compiled.rows_of(m.budget[t] for t in m.T),
            columns={"y": y},
        )

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


def compile_coalition_model(case: InfrastructureCase) -> InfrastructureCoalitionModel:
    """The case's v(S) MILP as engine data, always from the projects (also when the case
    lists its coalition values: the welfare plan is solved on it)."""
    cost = case.funded_cost
    years = np.flatnonzero(cost.any(axis=0))
    count = len(case.projects)
    dependencies = [(p, q) for p in range(count) for q in sorted(case.depends_on[p])]
    exclusions = sorted({(min(p, q), max(p, q)) for p in range(count) for q in case.excludes[p]})
    return InfrastructureCoalitionModel(
        players=case.parties,
        benefit_pv=case.benefit_pv(),
        cost_pv=case.cost_pv(),
        host_masks=np.array([sum(1 << i for i in h) for h in case.hosts], dtype=np.int64),
        yearly_cost=cost[:, years],
        budget=case.budget[:, years],
        dependencies=np.array(dependencies, dtype=np.int64).reshape(-1, 2),
        exclusions=np.array(exclusions, dtype=np.int64).reshape(-1, 2),
        divisible=case.divisible.copy(),
        time_limit=case.time_limit,
    )


def coalition_model(case: InfrastructureCase) -> InfrastructureCoalitionModel | None:
    """The compiled v(S) model of the case (:class:`InfrastructureCoalitionModel`), or
    ``None`` when the case lists its coalition values (a ``coalitions`` sheet)."""
    if case.coalition_values is not None:
        return None
    return compile_coalition_model(case)


def build_coalition_model(model: InfrastructureCoalitionModel) -> pyo.ConcreteModel:
    """The v(S) model, built once; a coalition changes only costs, bounds and budget RHS.

    max Σ_p w_p y_p  s.t.  Σ_p F[p, t] y_p ≤ B_t (budget rows),  y_p ≤ y_q (p needs q),
    y_p + y_q ≤ 1 (p excludes q),  0 ≤ y_p ≤ 1, y_p binary unless divisible. The
    placeholders w_p = 1 and B_t = 1 are replaced per coalition (a zero coefficient would be
    dropped by the writer).
    """
    import pyomo.environ as pyo

    count, years = model.yearly_cost.shape
    m = pyo.ConcreteModel(name="infrastructure_coalitions")
    m.Pj = pyo.RangeSet(0, count - 1)
    m.T = pyo.RangeSet(0, years - 1) if years else pyo.Set(initialize=[])
    m.weight = pyo.Param(m.Pj, mutable=True, initialize=1.0)
    m.pooled = pyo.Param(m.T, mutable=True, initialize=1.0)
    m.y = pyo.Var(
        m.Pj,
        bounds=(0.0, 1.0),
        domain=lambda m, p: pyo.Reals if model.divisible[p] else pyo.Binary,
    )
    m.objective = pyo.Objective(expr=sum(m.weight[p] * m.y[p] for p in m.Pj), sense=pyo.maximize)
    m.budget = pyo.Constraint(
        m.T,
        rule=lambda m, t: (
            sum(float(model.yearly_cost[p, t]) * m.y[p] for p in m.Pj if model.yearly_cost[p, t])
            <= m.pooled[t]
        ),
    )
    dependencies = model.dependencies.tolist()
    exclusions = model.exclusions.tolist()
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    m.exclude = pyo.Constraint(
        range(len(exclusions)), rule=lambda m, j: m.y[exclusions[j][0]] + m.y[exclusions[j][1]] <= 1
    )
    return m


class InfrastructureEvaluator(CompiledEvaluator):
    """v(S) by re-running the compiled MILP (see :meth:`InfrastructureCoalitionModel.numbers`)."""

    def solution(self) -> np.ndarray:
        """y of the last coalition (one number per project; zeros if nothing could be built)."""
        return self.column_values("y")


def coalition_game(case: InfrastructureCase, **engine: object) -> Game:
    """The coalition game v(S): by the engine (cached, parallel) or the ``coalitions`` sheet.

    ``engine`` options (workers, cache, scheduler, progress) go to
    :func:`fairpool.optimizer.coalitions.model_game`; unset ones come from
    ``coalition_settings``.
    """
    model = coalition_model(case)
    if model is None:
        values = dense_values(dict(case.coalition_values or {}), case.n)
        return Game(case.parties, values, "benefit", case.party_names, case.attributes)
    return model_game(
        model,
        "benefit",
        names=case.party_names,
        attributes=case.attributes,
        **engine,
    )


__all__ = [
    "COALITION_MODEL_VERSION",
    "InfrastructureCoalitionModel",
    "InfrastructureEvaluator",
    "build_coalition_model",
    "coalition_game",
    "coalition_model",
    "compile_coalition_model",
]
