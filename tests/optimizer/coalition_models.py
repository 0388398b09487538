"""Coalition models for the engine's tests: a compiled MILP with a brute-force oracle, a slow
formula (no solver) and a model that is infeasible for some coalitions.

They live in this module, not in a test module, because spawned worker processes import a
model's class by its module name: pytest imports test modules under a name of its own
(the repository root is the package ``fairpool``, so it would be ``<folder>.tests...``),
which a fresh process cannot import; ``tests.optimizer.coalition_models`` it can.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledEvaluator,
    CompiledGame,
    content_key,
)


@dataclass(frozen=True, eq=False)
class BudgetedProjects:
    """A small co-funding MILP: v(S) = max Σ_p (Σ_{i∈S} b[p, i] − c_p) y_p over the projects
    whose hosts are all in S, with the chosen projects' costs within S's pooled budget.

    Pyomo form (compiled once): payments x[p, i] ≥ 0, Σ_i x[p, i] = c_p y_p (cover rows),
    Σ_p x[p, i] ≤ B_i [i ∈ S] (budget rows), y_p ≤ [hosts(p) ⊆ S] (column bounds).
    """

    players: tuple[str, ...]
    cost: np.ndarray  # c_p
    benefit: np.ndarray  # b[p, i]
    hosts: np.ndarray  # bitmask per project
    budget: np.ndarray  # B_i

    def cache_key(self) -> str:
        return content_key(self, "test-budgeted-projects/1")

    def open(self) -> CompiledEvaluator:
        return CompiledEvaluator(self)

    def compile(self) -> CompiledGame:
        import pyomo.environ as pyo

        from fairpool.optimizer.solve import compile_pyomo

        projects, parties = self.benefit.shape
        m = pyo.ConcreteModel()
        m.P = pyo.RangeSet(0, projects - 1)
        m.I = pyo.RangeSet(0, parties - 1)
        m.weight = pyo.Param(m.P, mutable=True, initialize=1.0)
        m.y = pyo.Var(m.P, domain=pyo.Binary)
        m.x = pyo.Var(m.P, m.I, domain=pyo.NonNegativeReals)
        m.objective = pyo.Objective(expr=sum(m.weight[p] * m.y[p] for p in m.P), sense=-1)
        m.cover = pyo.Constraint(
            m.P, rule=lambda m, p: sum(m.x[p, i] for i in m.I) == float(self.cost[p]) * m.y[p]
        )
        m.budgets = pyo.Constraint(
            m.I, rule=lambda m, i: sum(m.x[p, i] for p in m.P) <= float(self.budget[i])
        )
        compiled = compile_pyomo(m)
        y = compiled.columns_of(m.y[p] for p in m.P)
        rows = compiled.rows_of(m.budgets[i] for i in m.I)
        return CompiledGame(compiled.program(), y, y, rows, columns={"y": y})

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        member = (masks[:, None] >> np.arange(len(self.players))) & 1
        hosted = (self.hosts[None, :] & masks[:, None]) == self.hosts[None, :]
        return CoalitionNumbers(
            solve=np.ones(len(masks), dtype=bool),
            column_cost=member @ self.benefit.T - self.cost,
            column_lower=np.zeros(len(self.cost)),
            column_upper=hosted.astype(float),
            row_upper=self.budget * member,
        )


def budgeted_projects(parties: int = 6, projects: int = 8, seed: int = 0) -> BudgetedProjects:
    rng = np.random.default_rng(seed)
    hosts = np.array(
        [
            sum(1 << int(i) for i in rng.choice(parties, rng.integers(1, 3), replace=False))
            for _ in range(projects)
        ],
        dtype=np.int64,
    )
    return BudgetedProjects(
        players=tuple("ABCDEFGHIJKLMNOP"[:parties]),
        cost=rng.integers(5, 30, projects).astype(float),
        benefit=rng.integers(0, 12, (projects, parties)).astype(float),
        hosts=hosts,
        budget=rng.integers(5, 25, parties).astype(float),
    )


def brute_force(data: BudgetedProjects) -> np.ndarray:
    """v(S) by enumerating project subsets (pooled budgets: anyone in S may pay for anything)."""
    n = len(data.players)
    projects = len(data.cost)
    values = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        member = (mask >> np.arange(n)) & 1
        weight = data.benefit @ member - data.cost
        hosted = (data.hosts & mask) == data.hosts
        pool = float(data.budget @ member)
        best = 0.0
        for chosen in itertools.product((False, True), repeat=projects):
            on = np.array(chosen)
            if (on & ~hosted).any() or data.cost[on].sum() > pool + 1e-9:
                continue
            best = max(best, float(weight[on].sum()))
        values[mask] = best
    return values


@dataclass(frozen=True)
class SlowFormula:
    """v(S) = Σ_{i∈S} w_i + |S|², computed slowly (``delay`` s per coalition); no solver.

    ``opened_in``: a folder where each process that opens the model leaves a file named by
    its process id. ``killed_after``: the process kills itself (SIGKILL) at that many solves.
    ``worker_dies_at``: a spawned worker process (never the main one) that is to solve this
    mask kills itself (SIGKILL) instead, once: it first creates the file ``death_mark``, and
    no process dies once that file exists. None of these changes v(S) or the cache key.
    """

    players: tuple[str, ...]
    weights: tuple[float, ...]
    delay: float = 0.0
    opened_in: str | None = None
    killed_after: int | None = None
    worker_dies_at: int | None = None
    death_mark: str | None = None

    def cache_key(self) -> str:
        return content_key((self.players, self.weights), "test-slow-formula/1")

    def open(self) -> SlowFormulaEvaluator:
        return SlowFormulaEvaluator(self)


class SlowFormulaEvaluator:
    opened = 0
    solves = 0

    def __init__(self, model: SlowFormula) -> None:
        self.model = model
        self.highs_time = 0.0
        SlowFormulaEvaluator.opened += 1
        if model.opened_in is not None:
            (Path(model.opened_in) / str(os.getpid())).touch()

    def value(self, mask: int) -> float:
        time.sleep(self.model.delay)
        SlowFormulaEvaluator.solves += 1
        if SlowFormulaEvaluator.solves == self.model.killed_after:
            os.kill(os.getpid(), signal.SIGKILL)
        if mask == self.model.worker_dies_at and multiprocessing.parent_process() is not None:
            assert self.model.death_mark is not None
            with contextlib.suppress(FileExistsError):
                Path(self.model.death_mark).touch(exist_ok=False)
                os.kill(os.getpid(), signal.SIGKILL)
        members = [i for i in range(len(self.model.players)) if mask >> i & 1]
        return float(sum(self.model.weights[i] for i in members) + len(members) ** 2)


@dataclass(frozen=True)
class ShortOfCapacity:
    """c(S) = min x s.t. x ≥ demand(S), x ≤ capacity(S): infeasible when S lacks party A."""

    players: tuple[str, ...] = ("A", "B", "C")

    def cache_key(self) -> str:
        return content_key(self, "test-short/1")

    def open(self) -> CompiledEvaluator:
        return CompiledEvaluator(self)

    def compile(self) -> CompiledGame:
        from fairpool.optimizer.solve import CompiledProgram, new_highs

        highs = new_highs()
        highs.addVar(0.0, 1e30)
        highs.changeColCost(0, 1.0)
        highs.addRow(0.0, 1e30, 1, np.array([0], dtype=np.int32), np.array([1.0]))
        only = np.array([0], dtype=np.int32)
        return CompiledGame(CompiledProgram.from_highs(highs), bound_columns=only, bound_rows=only)

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        demand = 10.0 * np.array([bin(int(m)).count("1") for m in masks], dtype=float)
        capacity = np.where(masks & 1, 100.0, 5.0)
        return CoalitionNumbers(
            solve=np.ones(len(masks), dtype=bool),
            column_upper=capacity[:, None],
            row_lower=demand[:, None],
        )
