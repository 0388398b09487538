"""The compiled plan solver (:mod:`fairpool.optimizer.plan_solver`) against Pyomo's persistent
HiGHS interface (:func:`~fairpool.optimizer.solve.persistent_pyomo_solver`), the reference.

Two layers: small models put through every change a plan solve makes (objective switch and
sense, bounds, fix/unfix, added, deleted, re-added and (de)activated rows, Params in
coefficients, bounds and costs, integrality, statuses, a quadratic objective that falls back
to Pyomo), solved after each change by both solvers on twin copies, with the same status,
objective and variable values; and the shipped cases' ``solve`` / ``check`` / ``sweep``
JSON documents, identical to 1e-9 relative whichever solver the plans go through.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.solvers.highs import Highs as PyomoHighs
from typer.testing import CliRunner

import fairpool.optimizer.solve as solve_module
from fairpool.cli import app
from fairpool.optimizer.plan_solver import CompiledPlanSolver
from fairpool.optimizer.solve import (
    SolveStatus,
    persistent_pyomo_solver,
    pyomo_solver,
    solve_pyomo,
)

CASES = Path(__file__).resolve().parents[2] / "cases"

Change = Callable[[pyo.ConcreteModel], None]


def small_model() -> pyo.ConcreteModel:
    """A little LP/MILP with the parts a plan model has: shares x ≥ 0 summing to a total,
    an ε row per pair, a mutable target, two objectives, an integer count."""
    m = pyo.ConcreteModel()
    m.P = pyo.RangeSet(0, 2)
    m.x = pyo.Var(m.P, bounds=(0.0, None))
    m.epsilon = pyo.Var(bounds=(0.0, None))
    m.k = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(0, 10))
    m.target = pyo.Param(m.P, mutable=True, initialize={0: 1.0, 1: 2.0, 2: 3.0})
    m.total = pyo.Param(mutable=True, initialize=6.0)
    m.weight = pyo.Param(m.P, mutable=True, initialize=1.0)
    m.above = pyo.Var(m.P, bounds=(0.0, None))
    m.below = pyo.Var(m.P, bounds=(0.0, None))
    m.efficient = pyo.Constraint(expr=sum(m.x[p] for p in m.P) == m.total)
    m.deviation = pyo.Constraint(
        m.P, rule=lambda m, p: m.x[p] - m.target[p] == m.above[p] - m.below[p]
    )
    m.core = pyo.ConstraintList()
    m.core.add(m.x[0] + m.x[1] + m.epsilon >= 2.5)
    m.count = pyo.Constraint(expr=m.x[2] <= 0.5 * m.k)
    m.distance = pyo.Expression(expr=sum(m.weight[p] * (m.above[p] + m.below[p]) for p in m.P))
    m.distance_objective = pyo.Objective(expr=m.distance)
    m.epsilon_objective = pyo.Objective(expr=m.epsilon + 0.01 * m.k)
    m.epsilon_objective.deactivate()
    return m


def activate(name: str) -> Change:
    def change(m: pyo.ConcreteModel) -> None:
        for objective in m.component_objects(pyo.Objective):
            objective.deactivate()
        m.component(name).activate()

    return change


def keep_distance(m: pyo.ConcreteModel) -> None:
    if m.component("distance_cap") is not None:
        m.del_component(m.distance_cap)
    m.distance_cap = pyo.Constraint(expr=m.distance <= pyo.value(m.distance) + 0.25)


def set_parameter(name: str, value: float, index: int | None = None) -> Change:
    def change(m: pyo.ConcreteModel) -> None:
        parameter = m.component(name)
        (parameter if index is None else parameter[index]).set_value(value)

    return change


def release_epsilon(m: pyo.ConcreteModel) -> None:
    """ε free, no core rows, minimised: unbounded."""
    activate("epsilon_objective")(m)
    m.epsilon.setlb(None)
    m.epsilon.setub(None)
    m.core.deactivate()


CHANGES: list[tuple[str, Change]] = [
    ("first solve", lambda m: None),
    ("target Param", set_parameter("target", 2.5, 1)),
    ("bound Param", set_parameter("total", 7.0)),
    ("cost Param", set_parameter("weight", 3.0, 0)),
    ("switch objective", activate("epsilon_objective")),
    ("bound", lambda m: m.epsilon.setub(0.75)),
    ("add core row", lambda m: m.core.add(m.x[1] + m.x[2] + m.epsilon >= 4.0)),
    ("infeasible row", lambda m: m.core.add(m.x[0] + m.epsilon >= 8.0)),
    ("deactivate row", lambda m: m.core[3].deactivate()),
    ("raise ε", lambda m: m.core.add(m.x[0] + m.epsilon >= 3.5)),
    ("fix", lambda m: m.x[0].fix(3.0)),
    ("switch back", activate("distance_objective")),
    ("refix", lambda m: m.x[0].fix(3.25)),
    ("unfix", lambda m: m.x[0].unfix()),
    ("keep distance", keep_distance),
    ("keep distance again", keep_distance),
    ("deactivate count", lambda m: m.count.deactivate()),
    ("reactivate count", lambda m: m.count.activate()),
    ("fix integer", lambda m: m.k.fix(5)),
    ("maximise", lambda m: setattr(m.distance_objective, "sense", pyo.maximize)),
    ("unfix integer", lambda m: m.k.unfix()),
    ("unbounded", release_epsilon),
]


def outcomes(
    changes: list[tuple[str, Change]],
    solver: CompiledPlanSolver | PyomoHighs,
    build: Callable[[], pyo.ConcreteModel] | None = None,
) -> Iterator[tuple[str, SolveStatus, float, dict[str, float | None]]]:
    """Apply each change to a fresh model (``build``, :func:`small_model` by default) and
    solve: (what, status, objective, values of every variable) after each."""
    m = (build or small_model)()
    for what, change in changes:
        change(m)
        result = solve_pyomo(m, solver)
        values = {v.name: v.value for v in m.component_data_objects(pyo.Var)}
        yield what, result.status, result.objective, values


def test_every_change_of_a_plan_solve_matches_pyomo() -> None:
    compiled = list(outcomes(CHANGES, pyomo_solver()))
    reference = list(outcomes(CHANGES, persistent_pyomo_solver()))
    statuses = {what: status for what, status, _, _ in compiled}
    assert statuses["infeasible row"] is SolveStatus.INFEASIBLE
    assert statuses["unbounded"] in (SolveStatus.UNBOUNDED, SolveStatus.INFEASIBLE)
    optimal = [what for what, status in statuses.items() if status is SolveStatus.OPTIMAL]
    assert len(optimal) == len(CHANGES) - 2
    for (what, status, objective, values), (_, status_ref, objective_ref, values_ref) in zip(
        compiled, reference, strict=True
    ):
        assert status is status_ref, what
        if status is SolveStatus.OPTIMAL:
            assert objective == pytest.approx(objective_ref, rel=1e-12, abs=1e-12), what
            for name, value in values_ref.items():
                assert values[name] == pytest.approx(value, rel=1e-9, abs=1e-12), (what, name)
        else:
            assert math.isnan(objective), what


def cost_share_model() -> pyo.ConcreteModel:
    """The rows a large plan is made of (an infrastructure plan's, in small): projects y
    built (fixed), shares c[i, p] funding them, c − ω_i·F_p·y_p = a − b (ω mutable), NPVs
    as a named sum of fixed and free terms, core rows x(S) + ε ≥ v(S), budgets."""
    m = pyo.ConcreteModel()
    m.P, m.J = pyo.RangeSet(0, 2), pyo.RangeSet(0, 3)
    cost = {0: 0.0129, 1: 1.0 / 3.0, 2: 2.5, 3: 0.7}
    m.y = pyo.Var(m.J, domain=pyo.Binary)
    for p in m.J:
        m.y[p].fix(1.0 if p != 2 else 0.0)
    m.c = pyo.Var(m.P, m.J, bounds=(0.0, None))
    m.above = pyo.Var(m.P, m.J, bounds=(0.0, None))
    m.below = pyo.Var(m.P, m.J, bounds=(0.0, None))
    m.npv = pyo.Var(m.P)
    m.epsilon = pyo.Var(bounds=(0.0, None))
    m.omega = pyo.Param(m.P, mutable=True, initialize=1.0 / 3.0)
    m.funded = pyo.Constraint(
        m.J, rule=lambda m, p: sum(m.c[i, p] for i in m.P) == cost[p] * m.y[p]
    )
    m.deviation = pyo.Constraint(
        m.P,
        m.J,
        rule=lambda m, i, p: (
            m.c[i, p] - m.omega[i] * cost[p] * m.y[p] == m.above[i, p] - m.below[i, p]
        ),
    )
    m.benefit = pyo.Expression(m.P, rule=lambda m, i: sum((i + p + 1) * 0.3 * m.y[p] for p in m.J))
    m.npv_definition = pyo.Constraint(
        m.P, rule=lambda m, i: m.npv[i] == m.benefit[i] - sum(m.c[i, p] for p in m.J)
    )
    m.core = pyo.ConstraintList()
    for members, value in (((0,), 1.0), ((1,), 1.5), ((0, 1), 3.25), ((1, 2), 4.0)):
        m.core.add(sum(m.npv[i] for i in members) + m.epsilon >= value)
    m.budget = pyo.Constraint(expr=sum(m.c[0, p] for p in m.J) <= 1.2)
    m.epsilon_objective = pyo.Objective(expr=m.epsilon)
    m.tie_objective = pyo.Objective(expr=sum(m.above[k] + m.below[k] for k in m.above))
    m.tie_objective.deactivate()
    return m


def set_weights(m: pyo.ConcreteModel) -> None:
    for i, weight in enumerate((0.5, 0.3, 0.2)):
        m.omega[i].set_value(weight)


COST_SHARE_CHANGES: list[tuple[str, Change]] = [
    ("first solve", lambda m: None),
    ("keep ε", lambda m: m.epsilon.setub(m.epsilon.value + 1e-9)),
    ("tie-break", activate("tie_objective")),
    ("weights", set_weights),
    ("weight again", set_parameter("omega", 0.25, 2)),
    ("build another", lambda m: m.y[2].fix(1.0)),
    ("unfix a build", lambda m: m.y[0].unfix()),
    ("add core row", lambda m: m.core.add(m.npv[0] + m.npv[2] + m.epsilon >= 2.0)),
]


def test_the_rows_of_a_large_plan_match_pyomo() -> None:
    """Rows read in one pass (fixed builds substituted, ω·F·y under a negation, named NPV
    sums) re-read after ω changes and re-added after a build's fixing changes."""
    compiled = list(outcomes(COST_SHARE_CHANGES, pyomo_solver(), cost_share_model))
    reference = list(outcomes(COST_SHARE_CHANGES, persistent_pyomo_solver(), cost_share_model))
    for (what, status, objective, values), (_, status_ref, objective_ref, values_ref) in zip(
        compiled, reference, strict=True
    ):
        assert status is status_ref is SolveStatus.OPTIMAL, what
        assert objective == pytest.approx(objective_ref, rel=1e-12, abs=1e-12), what
        for name, value in values_ref.items():
            assert values[name] == pytest.approx(value, rel=1e-9, abs=1e-12), (what, name)


def test_pyomo_solver_is_the_compiled_one_and_takes_gaps_and_limits() -> None:
    solver = pyomo_solver(time_limit=30.0)
    assert isinstance(solver, CompiledPlanSolver)
    assert solver.config.time_limit == 30.0
    solver.config.rel_gap = 0.5  # what the simplified plans set
    m = small_model()
    m.k.setlb(1)
    result = solve_pyomo(m, solver)
    assert result.optimal
    assert result.runtime >= 0.0
    assert m.k.value == pytest.approx(round(m.k.value))


def test_a_quadratic_objective_goes_through_pyomo() -> None:
    m = small_model()
    m.k.domain = pyo.NonNegativeReals  # HiGHS solves QPs, not MIQPs
    m.distance_objective.deactivate()
    m.squares = pyo.Objective(expr=sum((m.x[p] - m.target[p]) ** 2 for p in m.P))
    result = solve_pyomo(m, pyomo_solver())
    assert result.optimal
    assert [m.x[p].value for p in m.P] == pytest.approx([1.0, 2.0, 3.0], abs=1e-6)


def test_a_new_model_is_compiled_afresh() -> None:
    solver = pyomo_solver()
    first, second = small_model(), small_model()
    second.total.set_value(9.0)
    assert solve_pyomo(first, solver).objective == pytest.approx(0.0, abs=1e-12)
    assert solve_pyomo(second, solver).objective == pytest.approx(3.0)
    assert sum(second.x[p].value for p in second.P) == pytest.approx(9.0)


# -- the shipped cases, end to end -----------------------------------------------------------

runner = CliRunner()

COMMANDS = [
    ("solve", "sichuan_zhejiang_park.xlsx"),
    ("solve", "sichuan_zhejiang_park.xlsx", "--target", "nash"),
    ("solve", "river_program.xlsx"),
    ("solve", "water_plant.xlsx"),
    ("solve", "jingjinji_relocation.xlsx"),
    ("check", "river_program.xlsx", "--share", "AH=0.1,ZJ=0.2,JS=0.3,SH=0.4"),
    ("sweep", "sichuan_zhejiang_park.xlsx", "--party", "SEND", "--step", "0.25"),
]

NOT_COMPARED = {"seconds", "results_workbook"}
"""Fields that differ between two runs whatever the solver: timings and output paths."""


def assert_same(reference: object, found: object, where: str = "") -> None:
    """Equal JSON documents, numbers to 1e-9 relative (1e-9 absolute near zero)."""
    if isinstance(reference, dict):
        assert isinstance(found, dict) and reference.keys() == found.keys(), where
        for key, value in reference.items():
            if key not in NOT_COMPARED:
                assert_same(value, found[key], f"{where}/{key}")
    elif isinstance(reference, list):
        assert isinstance(found, list) and len(reference) == len(found), where
        for i, (a, b) in enumerate(zip(reference, found, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(reference, float) and isinstance(found, float):
        assert found == pytest.approx(reference, rel=1e-9, abs=1e-9), where
    else:
        assert found == reference, where


def run_json(arguments: tuple[str, ...], folder: Path) -> object:
    command, case, *options = arguments
    extra = ["-o", str(folder), "--force"] if command == "solve" else []
    result = runner.invoke(
        app, [command, str(CASES / case), *options, *extra, "--json", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("arguments", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_shipped_cases_give_the_same_documents(
    arguments: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = run_json(arguments, tmp_path / "compiled")
    with monkeypatch.context() as patch:
        patch.setattr(solve_module, "pyomo_solver", persistent_pyomo_solver)
        reference = run_json(arguments, tmp_path / "pyomo")
    assert_same(reference, found)
