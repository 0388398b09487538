"""The coalition game of a park: v(S), one MILP formulated once and compiled for the engine.

    v(S) = max Σ_c w_c y_c   over y ∈ {0,1}^C with
           y_c ≤ [R_c ⊆ S]        (only components whose required parties are all in S)
           y_c ≤ y_d              (c depends on d),   y_c + y_e ≤ 1   (c excludes e)
    w_c  = Σ_t d_t (Σ_{k cash} R[c, k, t] − Σ_p C[c, p, t])

A coalition changes only the right-hand sides of the ``allow`` rows, so the coalition engine
(:mod:`fairpool.optimizer.coalitions`) compiles the MILP once and re-runs HiGHS per
coalition, in parallel and cached. Statistic streams never enter w_c. A ``coalitions``
sheet overrides v(S).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from fairpool.models.joint_park.case import JointParkCase
from fairpool.optimizer.coalitions import (
    CoalitionEngine,
    CoalitionNumbers,
    CompiledEvaluator,
    CompiledGame,
    content_key,
    model_game,
)
from fairpool.optimizer.game import Game, requirements_met
from fairpool.optimizer.workbook.checks import dense_values

if TYPE_CHECKING:
    import pyomo.environ as pyo

COALITION_MODEL_VERSION = "joint_park.coalitions/1"
"""Part of the cache key of v(S): bump it when the coalition MILP's formulation changes."""


@dataclass(frozen=True, eq=False)
class ParkCoalitionModel:
    """The v(S) MILP of a park as data: the engine's compiled coalition model.

    ``weights[c]`` = w_c (the component's NPV), ``required[c]`` = the bitmask of R_c (required
    parties and payers), ``dependencies`` rows (c, d): c depends on d, ``exclusions`` rows
    (c, e): c excludes e. Picklable and cheap; a coalition changes only the right-hand sides
    of the ``allow`` rows (:meth:`numbers`).
    """

    players: tuple[str, ...]
    weights: np.ndarray
    required: np.ndarray
    dependencies: np.ndarray
    exclusions: np.ndarray
    time_limit: float | None = None

    def cache_key(self) -> str:
        """Hash of the players, weights, requirements, dependencies and exclusions."""
        numbers = (self.players, self.weights, self.required, self.dependencies, self.exclusions)
        return content_key(numbers, COALITION_MODEL_VERSION)

    def open(self) -> ParkEvaluator:
        """Build and compile the MILP once in this process."""
        return ParkEvaluator(self)

    def compile(self) -> CompiledGame:
        """The MILP compiled once (notes §4b): S changes the upper bounds of the ``allow`` rows."""
        from fairpool.optimizer.solve import compile_pyomo

        m = build_coalition_model(self)
        compiled = compile_pyomo(m)
        return CompiledGame(
            program=compiled.program(self.time_limit),
            bound_rows=compiled.rows_of(m.allow[c] for c in m.C),
            columns={"y": compiled.columns_of(m.y[c] for c in m.C)},
        )

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """allowed_c = [R_c ⊆ S] as the ``allow`` rows' upper bounds; no solve if none is.

        Coalitions allowing the same components have equal numbers: the engine solves
        them once.
        """
        allowed = requirements_met(masks, self.required)
        solve = np.asarray(allowed.any(axis=1), dtype=bool)
        return CoalitionNumbers(solve=solve, row_upper=allowed.astype(float))

    def allowed(self, mask: int) -> np.ndarray:
        """[R_c ⊆ S] for every component c."""
        return requirements_met(np.array([mask]), self.required)[0]


def coalition_milp(case: JointParkCase) -> ParkCoalitionModel:
    """The park's v(S) MILP as engine data (see :class:`ParkCoalitionModel`), also for a case
    that lists its coalition values (its plan still needs the grand coalition's components)."""
    required = np.array([sum(1 << i for i in req) for req in case.requires], dtype=np.int64)
    components = range(len(case.components))
    dependencies = [(c, d) for c in components for d in sorted(case.depends_on[c])]
    exclusions = sorted({(min(c, e), max(c, e)) for c in components for e in case.excludes[c]})
    return ParkCoalitionModel(
        players=case.parties,
        weights=case.component_npv(),
        required=required,
        dependencies=np.array(dependencies, dtype=np.int64).reshape(-1, 2),
        exclusions=np.array(exclusions, dtype=np.int64).reshape(-1, 2),
        time_limit=case.time_limit,
    )


def coalition_model(case: JointParkCase) -> ParkCoalitionModel | None:
    """The compiled v(S) model of the contract: ``None`` when the case lists v(S) (a
    ``coalitions`` sheet), else :func:`coalition_milp`."""
    return None if case.coalition_values is not None else coalition_milp(case)


def build_coalition_model(data: ParkCoalitionModel) -> pyo.ConcreteModel:
    """The v(S) MILP, built once; membership enters only through the mutable ``allowed``.

    max Σ_c w_c y_c  s.t.  y_c ≤ allowed_c,  y_c ≤ y_d (c depends on d),
    y_c + y_e ≤ 1 (c excludes e),  y ∈ {0, 1}.
    """
    import pyomo.environ as pyo

    weights = data.weights
    dependencies = data.dependencies.tolist()
    exclusions = data.exclusions.tolist()
    m = pyo.ConcreteModel(name="joint_park_coalitions")
    m.C = pyo.RangeSet(0, len(weights) - 1)
    m.allowed = pyo.Param(m.C, mutable=True, initialize=1.0)
    m.y = pyo.Var(m.C, domain=pyo.Binary)
    m.objective = pyo.Objective(
        expr=sum(float(weights[c]) * m.y[c] for c in m.C), sense=pyo.maximize
    )
    m.allow = pyo.Constraint(m.C, rule=lambda m, c: m.y[c] <= m.allowed[c])
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    m.exclude = pyo.Constraint(
        range(len(exclusions)), rule=lambda m, j: m.y[exclusions[j][0]] + m.y[exclusions[j][1]] <= 1
    )
    return m


class ParkEvaluator(CompiledEvaluator):
    """v(S) of a park by re-running the compiled MILP, with the active components at hand."""

    def solve(self, mask: int) -> tuple[float, np.ndarray]:
        """(v(S), which components S activates) for a coalition mask."""
        value = self.value(mask)
        return value, self.column_values("y") > 0.5


def coalition_values(case: JointParkCase) -> tuple[np.ndarray, np.ndarray]:
    """(v(S) for every mask, the grand coalition's active components) from the MILP.

    The coalition engine computes every v(S) with the current settings (workers, cache,
    scheduler, progress: :func:`fairpool.optimizer.coalitions.coalition_settings`); the
    grand coalition's components are read from the MILP solved once more in this process.
    The ``coalitions`` sheet is ignored here (see :func:`coalition_game`).
    """
    model = coalition_milp(case)
    with CoalitionEngine(model) as engine:
        values = engine.values()
        evaluator = cast(ParkEvaluator, engine.evaluator())  # model.open() is a ParkEvaluator
        active = evaluator.solve((1 << case.n) - 1)[1]
    return values, active


def coalition_game(case: JointParkCase) -> Game:
    """The coalition game v(S) of a case (MILP per coalition, or the ``coalitions`` sheet).

    v(S) = best NPV S can reach activating only the components whose required parties are all
    in S (dependencies and exclusions respected); statistic streams never count.
    """
    if case.coalition_values is not None:
        values = dense_values(dict(case.coalition_values), case.n)
        return Game(case.parties, values, "benefit", case.party_names, case.attributes)
    return model_game(
        coalition_milp(case), "benefit", names=case.party_names, attributes=case.attributes
    )


__all__ = [
    "COALITION_MODEL_VERSION",
    "ParkCoalitionModel",
    "ParkEvaluator",
    "build_coalition_model",
    "coalition_game",
    "coalition_milp",
    "coalition_model",
    "coalition_values",
]
