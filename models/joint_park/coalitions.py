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
from typing import TYPE_CHECKING, Unpack, cast

import numpy as np

from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.planning import case_game
from fairpool.optimizer.coalitions import (
    CoalitionEngine,
    CoalitionNumbers,
    CompiledEvaluator,
    EngineOptions,
    GamePlaces,
    PyomoCoalitionModel,
    content_key,
    define_links,
    link_pairs,
)
from fairpool.optimizer.game import Game, Orientation, requirements_met

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import CompiledModel

ORIENTATION: Orientation = "benefit"
"""A benefit game: v(S) is the best NPV S reaches on its own."""


class ParkEvaluator(CompiledEvaluator):
    """v(S) of a park by re-running the compiled MILP, with the active components at hand."""

    def solve(self, mask: int) -> tuple[float, np.ndarray]:
        """(v(S), which components S activates) for a coalition mask."""
        value = self.value(mask)
        return value, self.column_values("y") > 0.5


@dataclass(frozen=True, eq=False)
class ParkCoalitionModel(
    PyomoCoalitionModel, version="joint_park.coalitions/1", evaluator=ParkEvaluator
):
    """The v(S) MILP of a park as data: the engine's
    :class:`~fairpool.optimizer.coalitions.PyomoCoalitionModel`.

    ``weights[c]`` = w_c (the component's NPV), ``required[c]`` = the bitmask of R_c (required
    parties and payers), ``dependencies`` rows (c, d): c depends on d, ``exclusions`` rows
    (c, e): c excludes e. Picklable and cheap; a coalition changes only the right-hand sides
    of the ``allow`` rows (:meth:`numbers`).
    """

    weights: np.ndarray
    required: np.ndarray
    dependencies: np.ndarray
    exclusions: np.ndarray

    def cache_key(self) -> str:
        """Hash of the players, weights, requirements, dependencies and exclusions, and
        :attr:`VERSION`: the time limit changes no v(S), so it is not part of the key."""
        numbers = (self.players, self.weights, self.required, self.dependencies, self.exclusions)
        return content_key(numbers, self.VERSION)

    def build(self) -> pyo.ConcreteModel:
        """The v(S) MILP, built once; membership enters only through the mutable ``allowed``.

        max Σ_c w_c y_c  s.t.  y_c ≤ allowed_c,  y_c ≤ y_d (c depends on d),
        y_c + y_e ≤ 1 (c excludes e),  y ∈ {0, 1}.
        """
        import pyomo.environ as pyo

        weights = self.weights
        m = pyo.ConcreteModel(name="joint_park_coalitions")
        m.C = pyo.RangeSet(0, len(weights) - 1)
        m.allowed = pyo.Param(m.C, mutable=True, initialize=1.0)
        m.y = pyo.Var(m.C, domain=pyo.Binary)
        m.objective = pyo.Objective(
            expr=sum(float(weights[c]) * m.y[c] for c in m.C), sense=pyo.maximize
        )
        m.allow = pyo.Constraint(m.C, rule=lambda m, c: m.y[c] <= m.allowed[c])
        define_links(m, self.dependencies, self.exclusions)
        return m

    def places(self, m: pyo.ConcreteModel, compiled: CompiledModel) -> GamePlaces:
        """S changes the upper bounds of the ``allow`` rows; the group ``y`` is read by
        :class:`ParkEvaluator`."""
        allow = compiled.rows_of(m.allow[c] for c in m.C)
        return GamePlaces(bound_rows=allow, columns={"y": compiled.columns_of(m.y[c] for c in m.C)})

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
    dependencies, exclusions = link_pairs(case.depends_on, case.excludes)
    return ParkCoalitionModel(
        players=case.parties,
        weights=case.component_npv(),
        required=required,
        dependencies=dependencies,
        exclusions=exclusions,
        time_limit=case.time_limit,
    )


def coalition_model(case: JointParkCase) -> ParkCoalitionModel | None:
    """The compiled v(S) model of the contract: ``None`` when the case lists v(S) (a
    ``coalitions`` sheet), else :func:`coalition_milp`."""
    return None if case.coalition_values is not None else coalition_milp(case)


def coalition_game(case: JointParkCase, **engine: Unpack[EngineOptions]) -> Game:
    """The coalition game v(S) of a case (MILP per coalition, or the ``coalitions`` sheet;
    :func:`fairpool.models.planning.case_game`).

    v(S) = best NPV S can reach activating only the components whose required parties are all
    in S (dependencies and exclusions respected); statistic streams never count.
    """
    return case_game(case, coalition_model(case), ORIENTATION, **engine)


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


__all__ = [
    "ORIENTATION",
    "ParkCoalitionModel",
    "ParkEvaluator",
    "coalition_game",
    "coalition_milp",
    "coalition_model",
    "coalition_values",
]
