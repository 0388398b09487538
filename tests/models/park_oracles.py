"""Oracles of the joint-park tests: v(S) by enumerating component subsets, and the reference
coalition path (the same Pyomo MILP re-solved by a persistent solver, notes §4a)."""

from __future__ import annotations

import itertools

import numpy as np

from fairpool.models.joint_park import JointParkCase, ParkCoalitionModel, coalition_milp
from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import coalition_label


def brute_force_values(case: JointParkCase) -> np.ndarray:
    """v(S) by enumerating every subset of components (the oracle)."""
    weights = case.component_npv()
    count = len(case.components)
    values = np.zeros(1 << case.n)
    for mask in range(1, 1 << case.n):
        allowed = np.array([all(mask >> i & 1 for i in req) for req in case.requires])
        best = 0.0
        for chosen in itertools.product((0, 1), repeat=count):
            on = np.array(chosen, dtype=bool)
            if (on & ~allowed).any():
                continue
            if any(on[c] and not on[d] for c in range(count) for d in case.depends_on[c]):
                continue
            if any(on[c] and on[e] for c in range(count) for e in case.excludes[c]):
                continue
            best = max(best, float(weights[on].sum()))
        values[mask] = best
    return values


class PyomoCoalitionSolver:
    """The reference path (notes §4a): the same Pyomo model re-solved by a persistent solver.

    Slower than :class:`~fairpool.models.joint_park.ParkEvaluator` (Pyomo adds 1–3 ms per
    solve); the tests check that both give the same v(S), i.e. that compiling the model
    loses nothing.
    """

    def __init__(self, model: ParkCoalitionModel) -> None:
        from fairpool.optimizer.solve import persistent_pyomo_solver

        self.data = model
        self.model = model.build()
        self.solver = persistent_pyomo_solver(model.time_limit)

    def value(self, mask: int) -> float:
        """v(S) for a coalition mask."""
        return self.solve(mask)[0]

    def solve(self, mask: int) -> tuple[float, np.ndarray]:
        """(v(S), which components S activates) for a coalition mask."""
        from fairpool.optimizer.solve import solve_pyomo

        allowed = self.data.allowed(mask)
        if mask == 0 or not allowed.any():
            return 0.0, np.zeros(len(allowed), dtype=bool)
        for c in self.model.C:
            self.model.allowed[c] = float(allowed[c])
        result = solve_pyomo(self.model, self.solver)
        if not result.optimal:
            raise SolverError(
                f"HiGHS could not solve the value of coalition "
                f"{coalition_label(self.data.players, mask)}: {result.highs_status}"
            )
        values = np.array([self.model.y[c].value or 0.0 for c in self.model.C])
        return float(result.objective), values > 0.5


def pyomo_coalition_values(case: JointParkCase) -> tuple[np.ndarray, np.ndarray]:
    """(v(S) for every mask, the grand coalition's active components), every coalition
    through :class:`PyomoCoalitionSolver` in this process."""
    solver = PyomoCoalitionSolver(coalition_milp(case))
    values = np.array([solver.value(mask) for mask in range(1 << case.n)])
    return values, solver.solve((1 << case.n) - 1)[1]
