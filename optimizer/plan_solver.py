"""Plan models compiled once into HiGHS and re-solved by changing numbers (issue 14).

A plan, core band or smallest-fix model is a Pyomo model solved many times: the steps of a
lexicographic solve switch the active objective, move bounds (ε ≤ ε* + tol, ``fix``), add
core rows found violated (row generation), replace a ``distance_cap`` row, and set a
mutable Param (the tie-break's weights ω). Pyomo's persistent HiGHS interface re-checks the
whole model and re-evaluates every Param-dependent coefficient on every solve: on a
14-party infrastructure plan that was 8 of every 10 seconds (issue 14). This solver keeps
one live ``highspy.Highs`` per model and pushes only what differs from what HiGHS holds:

1. **compile once**: every active row's linear form a·x + k is read
   (:func:`~fairpool.optimizer.pyomo_reading.linear_form`: plain sums in one pass, the
   rest by Pyomo's LP-writer visitor, the same numbers either way); fixed variables are
   substituted into k, and mutable Params evaluated, both noted so that the row is read
   again when they change;
2. **before each run**, diff the model against what HiGHS holds and push only that, in one
   array call per kind where HiGHS has one: rows deleted or deactivated (``deleteRows``),
   rows whose Params changed value (``changeCoeff``, ``changeRowsBounds``), new or
   re-activated rows (``addRows``), rows holding a variable fixed, unfixed or fixed at
   another value since (deleted and added again), the active objective when it is another
   one, its sense changed or its Params did (``changeColsCost``), column bounds that moved
   (``changeColsBounds``);
3. run, map the model status through :data:`~fairpool.optimizer.solve.STATUS_TABLE`, and
   load the column values back into the Pyomo variables.

Column bounds, fixing and values are read and written through ``VarData``'s slots, and
the visitor is watched through its dispatcher hooks (Pyomo 6.10's, pinned below 7:
:mod:`~fairpool.optimizer.pyomo_reading`); ``tests/optimizer/test_plan_solver.py`` checks
every change a plan solve makes against Pyomo's interface, so a Pyomo release that moves
them fails there, not in a plan. Between runs with nothing changed, an update costs two
passes over the columns and one over the constraints (about 14 ms for 23,000 columns and
8,400 rows).

HiGHS holds the very model Pyomo's persistent interface builds — same rows and columns in
the same order (columns in order of first use, fixed variables as columns fixed by their
bounds, columns no longer used deleted, rows re-added at the end when a variable's fixing
changes) — so it takes the same path and returns the same plan among equally good ones:
on a degenerate LP another row order may give another optimal vertex. HiGHS keeps its
basis between runs on the same instance, so an LP re-solved after a small change starts
hot. Anything this does not handle — a nonlinear or quadratic row or objective,
an SOS constraint — sends that model to Pyomo's persistent interface
(:func:`~fairpool.optimizer.solve.persistent_pyomo_solver`), with the same options, for the
rest of its solves. Not tracked after the first solve: a variable's domain (integrality)
and a constraint's expression replaced in place (``set_value``); no fairpool model does
either (they add, delete, (de)activate rows, move bounds and set Params).

Options are those of :func:`~fairpool.optimizer.solve.pyomo_solver`: quiet, exact MIP gaps
(``mip_rel_gap = mip_abs_gap = 0``), MIP and primal feasibility tolerances 1e-9 (plans are
reported to the cent and ratios to 1e-9), ``time_limit`` per run when given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Any

import numpy as np

from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.pyomo_reading import (
    LinearForm,
    Unsupported,
    VariableRecorder,
    column_states,
    domain_bounds,
    linear_form,
    linear_reader,
    load_values,
    parameter_values,
    variable_domains,
)
from fairpool.optimizer.solve import STATUS_TABLE, SolveResult, SolveStatus, new_highs

if TYPE_CHECKING:
    import highspy
    from pyomo.contrib.solver.solvers.highs import Highs as PyomoHighs
    from pyomo.environ import ConcreteModel

PLAN_HIGHS_OPTIONS: dict[str, float | bool] = {
    "output_flag": False,
    "mip_feasibility_tolerance": 1e-9,
    "primal_feasibility_tolerance": 1e-9,
}
"""HiGHS options of every plan solve (:func:`~fairpool.optimizer.solve.pyomo_solver`'s);
the gaps and the time limit come from :class:`PlanSolverConfig`."""

_highs_seconds = [0.0]


def plan_highs_seconds() -> float:
    """HiGHS's own clock summed over every run of every :class:`CompiledPlanSolver` in this
    process (for ``benchmarks/plan_time.py``: the plan step against its physical limit)."""
    return _highs_seconds[0]


_ROW_CONSTRAINT = attrgetter("constraint")


@dataclass
class _Row:
    """A constraint in HiGHS: its Pyomo object, linear form and bounds (with the form's
    constant moved to the right-hand side)."""

    constraint: Any
    form: LinearForm
    lower: float
    upper: float


@dataclass
class _CompiledModel:
    """What one HiGHS instance holds of one Pyomo model: columns (variables, their bounds
    and fixing as pushed, how many rows and objectives use each), rows, the objective."""

    model: Any
    highs: highspy.Highs
    recorder: VariableRecorder = field(default_factory=VariableRecorder)
    variables: list[Any] = field(default_factory=list)
    column_of: dict[int, int] = field(default_factory=dict)
    added: set[int] = field(default_factory=set)
    columns_deleted: int = 0
    uses: dict[int, int] = field(default_factory=dict)
    lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    upper: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    domains: list[Any] = field(default_factory=list)
    floor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ceiling: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rows: list[_Row] = field(default_factory=list)
    row_of: dict[int, int] = field(default_factory=dict)
    parameter_values: list[Any] = field(default_factory=list)
    objective: Any = None
    objective_sense: int = 0
    objective_form: LinearForm | None = None
    options: dict[str, float] = field(default_factory=dict)


@dataclass
class PlanSolverConfig:
    """Per-run settings of a :class:`CompiledPlanSolver`, read before every run (the names
    of Pyomo's solver config, so callers set ``solver.config.rel_gap`` on either solver):
    ``time_limit`` seconds (None: none), MIP relative and absolute gaps (0: exact)."""

    time_limit: float | None = None
    rel_gap: float = 0.0
    abs_gap: float = 0.0


class CompiledPlanSolver:
    """Solve Pyomo plan models in one live HiGHS instance, pushing only what changed
    (module docstring). Use through :func:`fairpool.optimizer.solve.solve_pyomo` with the
    solver :func:`fairpool.optimizer.solve.pyomo_solver` returns; one solver follows one
    model at a time (a new model object is compiled afresh)."""

    def __init__(self, time_limit: float | None = None) -> None:
        self.config = PlanSolverConfig(time_limit)
        self._compiled: _CompiledModel | None = None
        self._fallback: PyomoHighs | None = None
        self._fallback_model: object = None

    # -- the one public verb ----------------------------------------------------------------

    def solve(self, model: ConcreteModel) -> SolveResult:
        """Bring HiGHS up to date with ``model``, run it and load the values when optimal."""
        if self._fallback is not None and self._fallback_model is model:
            return self._solve_by_pyomo(model)
        try:
            compiled = self._compiled
            if compiled is None or compiled.model is not model:
                compiled = self._compiled = self._open(model)
            _update(compiled)
        except Unsupported:
            self._compiled = None
            self._fallback = None
            return self._solve_by_pyomo(model)
        except BaseException:
            self._compiled = None  # half updated: compile afresh next time
            raise
        return self._run(compiled)

    # -- internals ---------------------------------------------------------------------------

    def _open(self, model: ConcreteModel) -> _CompiledModel:
        from pyomo.environ import SOSConstraint

        if next(model.component_data_objects(SOSConstraint, active=True), None) is not None:
            raise Unsupported("SOS constraints")
        highs = new_highs()
        for name, option in PLAN_HIGHS_OPTIONS.items():
            highs.setOptionValue(name, option)
        return _CompiledModel(model, highs)

    def _solve_by_pyomo(self, model: ConcreteModel) -> SolveResult:
        from fairpool.optimizer.solve import persistent_pyomo_solver, solve_pyomo

        if self._fallback is None or self._fallback_model is not model:
            self._fallback = persistent_pyomo_solver(self.config.time_limit)
            self._fallback_model = model
        config = self._fallback.config
        config.time_limit = self.config.time_limit
        config.rel_gap = self.config.rel_gap
        config.abs_gap = self.config.abs_gap
        return solve_pyomo(model, self._fallback)

    def _run(self, compiled: _CompiledModel) -> SolveResult:
        highs = compiled.highs
        settings = self.config
        limit = settings.time_limit if settings.time_limit else math.inf
        for name, option in (
            ("time_limit", float(limit)),
            ("mip_rel_gap", float(settings.rel_gap)),
            ("mip_abs_gap", float(settings.abs_gap)),
        ):
            if compiled.options.get(name) != option:
                highs.setOptionValue(name, option)
                compiled.options[name] = option
        started = highs.getRunTime()
        run_status = highs.run()
        runtime = highs.getRunTime() - started
        _highs_seconds[0] += runtime
        model_status = highs.getModelStatus()
        status = STATUS_TABLE.get(model_status, SolveStatus.ERROR)
        if status is not SolveStatus.OPTIMAL:
            return SolveResult(
                status,
                math.nan,
                runtime,
                f"{highs.modelStatusToString(model_status)} (run: {run_status.name})",
            )
        _load_solution(compiled)
        return SolveResult(status, float(highs.getObjectiveValue()), runtime, "Optimal")


# -- bringing HiGHS up to date ------------------------------------------------------------------


def _update(compiled: _CompiledModel) -> None:
    """Push every difference between the model and what HiGHS holds, in the order of
    Pyomo's persistent ``update`` (module docstring)."""
    from pyomo.environ import Constraint

    model = compiled.model
    before = list(compiled.variables)
    deleted_before = compiled.columns_deleted
    compiled.added = set()
    domains = variable_domains(before)
    if len(domains) != len(compiled.domains) or not all(map(is_, domains, compiled.domains)):
        compiled.floor, compiled.ceiling = domain_bounds(domains)  # a domain was replaced
        compiled.domains = domains
    lower, upper, fixed = column_states(before, compiled.floor, compiled.ceiling)
    refixing = (fixed != compiled.fixed) | (fixed & (lower != compiled.lower))
    refixed = {id(before[j]) for j in np.flatnonzero(refixing).tolist()}
    parameters = parameter_values(model)
    parameters_changed = parameters != compiled.parameter_values
    compiled.parameter_values = parameters
    visitor = linear_reader(compiled.recorder)

    active = list(model.component_data_objects(Constraint, active=True))
    held = list(map(_ROW_CONSTRAINT, compiled.rows))
    if len(active) != len(held) or not all(map(is_, active, held)):  # rows came or went
        active_ids = set(map(id, active))
        _remove_rows(compiled, [i for i, c in enumerate(held) if id(c) not in active_ids])
    if parameters_changed:
        _reread_rows(compiled, visitor)
    if len(active) != len(compiled.rows):
        _add_rows(compiled, visitor, [c for c in active if id(c) not in compiled.row_of])
    # variables fixed, unfixed or fixed at another value: their rows are read again (Pyomo
    # removes and adds them), in the order of the variables' columns, then of the rows
    refixed &= compiled.column_of.keys() - compiled.added
    if refixed:
        again: dict[int, int] = {}
        for var in compiled.variables:
            if id(var) in refixed:
                for i, row in enumerate(compiled.rows):
                    if id(var) in row.form.variables:
                        again.setdefault(id(row.constraint), i)
        constraints = [compiled.rows[i].constraint for i in again.values()]
        _remove_rows(compiled, list(again.values()))
        _add_rows(compiled, visitor, constraints)
    _update_objective(compiled, visitor, parameters_changed, refixed)
    _update_bounds(compiled, before, deleted_before, lower, upper, fixed)


def _row(visitor: Any, constraint: Any) -> _Row:
    """A constraint lower ≤ body ≤ upper as a row: bounds minus the body's constant."""
    lower, body, upper = constraint.to_bounded_expression()
    form = linear_form(visitor, body)
    return _Row(
        constraint,
        form,
        _bound_value(lower, form, -math.inf) - form.constant,
        _bound_value(upper, form, math.inf) - form.constant,
    )


def _bound_value(bound: Any, form: LinearForm, missing: float) -> float:
    """A row bound as a number (``missing`` when absent); a Param bound makes the row
    parametric."""
    if bound is None:
        return missing
    if bound.__class__ not in (int, float):
        from pyomo.environ import value

        form.parametric = True
        bound = value(bound)
        if bound is None:
            return missing
    return float(bound)


# -- columns ------------------------------------------------------------------------------------


def _use(compiled: _CompiledModel, forms: Iterable[LinearForm]) -> None:
    """Count the forms' uses of their variables, adding a column (in one call) for each
    variable not yet held, in order of first use."""
    uses = compiled.uses
    new: dict[int, Any] = {}
    for form in forms:
        for key, var in form.variables.items():
            if key in uses:
                uses[key] += 1
            else:
                uses[key] = 1
                new[key] = var
    if new:
        _add_columns(compiled, list(new.values()))


def _release(compiled: _CompiledModel, forms: Iterable[LinearForm]) -> None:
    """Uncount the forms' uses; delete (in one call) the columns no longer used."""
    uses = compiled.uses
    unused = []
    for form in forms:
        for key in form.variables:
            uses[key] -= 1
            if not uses[key]:
                del uses[key]
                unused.append(compiled.column_of[key])
    if unused:
        indices = np.array(sorted(unused), dtype=np.int32)
        compiled.highs.deleteVars(len(indices), indices.tolist())
        compiled.columns_deleted += len(indices)
        dropped = set(unused)
        compiled.variables = [v for j, v in enumerate(compiled.variables) if j not in dropped]
        compiled.column_of = {id(var): j for j, var in enumerate(compiled.variables)}
        compiled.lower = np.delete(compiled.lower, indices)
        compiled.upper = np.delete(compiled.upper, indices)
        compiled.fixed = np.delete(compiled.fixed, indices)
        compiled.domains = [d for j, d in enumerate(compiled.domains) if j not in dropped]
        compiled.floor = np.delete(compiled.floor, indices)
        compiled.ceiling = np.delete(compiled.ceiling, indices)


def _add_columns(compiled: _CompiledModel, variables: list[Any]) -> None:
    """New columns: bounds, and integrality from the variable's domain."""
    import highspy

    first = len(compiled.variables)
    domains = variable_domains(variables)
    floor, ceiling = domain_bounds(domains)
    lower, upper, fixed = column_states(variables, floor, ceiling)
    compiled.domains.extend(domains)
    compiled.floor = np.concatenate([compiled.floor, floor])
    compiled.ceiling = np.concatenate([compiled.ceiling, ceiling])
    compiled.highs.addVars(len(variables), lower, upper)
    one_per_domain = dict(zip(map(id, domains), variables, strict=True))
    integral = {key: var.is_integer() for key, var in one_per_domain.items()}
    integer = first + np.flatnonzero(
        np.fromiter(map(integral.__getitem__, map(id, domains)), bool, len(domains))
    )
    if integer.size:  # is_integer depends on the domain alone: asked once per domain
        kinds = np.full(integer.size, highspy.HighsVarType.kInteger)
        compiled.highs.changeColsIntegrality(integer.size, integer.astype(np.int32), kinds)
    keys = list(map(id, variables))
    compiled.column_of.update(zip(keys, range(first, first + len(keys)), strict=True))
    compiled.added.update(keys)
    compiled.variables.extend(variables)
    compiled.lower = np.concatenate([compiled.lower, lower])
    compiled.upper = np.concatenate([compiled.upper, upper])
    compiled.fixed = np.concatenate([compiled.fixed, fixed])


def _update_bounds(
    compiled: _CompiledModel,
    before: list[Any],
    deleted_before: int,
    lower: np.ndarray,
    upper: np.ndarray,
    fixed: np.ndarray,
) -> None:
    """Push the bounds that moved (``setub``, ``fix``...) of the columns held before this
    update (``before``, in their order then, when ``deleted_before`` columns had been
    deleted; ``lower``, ``upper``, ``fixed``: their states
    read at its start); columns added since got theirs when added."""
    if compiled.columns_deleted == deleted_before:  # no column deleted: the same places
        then = now = np.arange(len(before))
    else:
        places = [(j, compiled.column_of.get(id(var), -1)) for j, var in enumerate(before)]
        kept = [(j, k) for j, k in places if k >= 0]
        if not kept:
            return
        then, now = (np.array(side, dtype=np.int64) for side in zip(*kept, strict=True))
    moved = (lower[then] != compiled.lower[now]) | (upper[then] != compiled.upper[now])
    if moved.any():
        columns = now[moved]
        compiled.highs.changeColsBounds(
            len(columns), columns.astype(np.int32), lower[then][moved], upper[then][moved]
        )
        compiled.lower[columns] = lower[then][moved]
        compiled.upper[columns] = upper[then][moved]
    compiled.fixed[now] = fixed[then]


# -- rows ---------------------------------------------------------------------------------------


def _remove_rows(compiled: _CompiledModel, indices: list[int]) -> None:
    """Delete rows (and the columns only they used)."""
    if not indices:
        return
    gone = np.array(sorted(indices), dtype=np.int32)
    compiled.highs.deleteRows(len(gone), gone)
    dropped = set(indices)
    removed = [row for i, row in enumerate(compiled.rows) if i in dropped]
    compiled.rows = [row for i, row in enumerate(compiled.rows) if i not in dropped]
    compiled.row_of = {id(row.constraint): i for i, row in enumerate(compiled.rows)}
    _release(compiled, (row.form for row in removed))


def _add_rows(compiled: _CompiledModel, visitor: Any, constraints: list[Any]) -> None:
    """Read constraints and append them as rows (and columns for new variables)."""
    if not constraints:
        return
    rows = [_row(visitor, constraint) for constraint in constraints]
    _use(compiled, (row.form for row in rows))
    column_of = compiled.column_of
    first = len(compiled.rows)
    lower = np.array([row.lower for row in rows], dtype=np.float64)
    upper = np.array([row.upper for row in rows], dtype=np.float64)
    sizes = np.array([len(row.form.terms) for row in rows], dtype=np.int64)
    starts = np.zeros(len(rows), dtype=np.int32)
    np.cumsum(sizes[:-1], out=starts[1:])
    total = int(sizes.sum())
    indices = np.fromiter(
        (column_of[key] for row in rows for key in row.form.terms), np.int32, total
    )
    values = np.fromiter(
        (value for row in rows for value in row.form.terms.values()), np.float64, total
    )
    compiled.highs.addRows(len(rows), lower, upper, total, starts, indices, values)
    for i, row in enumerate(rows, start=first):
        compiled.row_of[id(row.constraint)] = i
    compiled.rows.extend(rows)


def _reread_rows(compiled: _CompiledModel, visitor: Any) -> None:
    """Rows that depend on Params (one changed value): push their changed coefficients and
    bounds in place, as Pyomo's ``update_parameters`` does."""
    highs = compiled.highs
    column_of = compiled.column_of
    bound_rows, bound_lower, bound_upper = [], [], []
    for i, row in enumerate(compiled.rows):
        if not row.form.parametric:
            continue
        fresh = _row(visitor, row.constraint)
        old, new = row.form.terms, fresh.form.terms
        for key, value in new.items():
            if old.get(key) != value:
                highs.changeCoeff(i, column_of[key], value)
        for key in old.keys() - new.keys():
            highs.changeCoeff(i, column_of[key], 0.0)
        if (fresh.lower, fresh.upper) != (row.lower, row.upper):
            bound_rows.append(i)
            bound_lower.append(fresh.lower)
            bound_upper.append(fresh.upper)
        fresh.form.variables = row.form.variables  # the same expression: the same uses
        compiled.rows[i] = fresh
    if bound_rows:
        highs.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, not its stub
            len(bound_rows),
            np.array(bound_rows, dtype=np.int32),
            np.array(bound_lower, dtype=np.float64),
            np.array(bound_upper, dtype=np.float64),
        )


# -- the objective ------------------------------------------------------------------------------


def _update_objective(
    compiled: _CompiledModel, visitor: Any, parameters_changed: bool, refixed: set[int]
) -> None:
    """Push the active objective's costs, offset and sense when it is another objective,
    its sense changed, or a Param or fixed variable in it did."""
    from pyomo.environ import Objective, maximize

    active = list(compiled.model.component_data_objects(Objective, active=True))
    if len(active) > 1:
        raise SolverError(f"a plan model has {len(active)} active objectives; activate one")
    objective = active[0] if active else None
    sense = 0 if objective is None else (-1 if objective.sense == maximize else 1)
    old = compiled.objective_form
    same = objective is compiled.objective and sense == compiled.objective_sense
    if same and (old is None or refixed.isdisjoint(old.variables)):
        if old is None or objective is None or not (parameters_changed and old.parametric):
            return
        # a Param changed: new costs in place, the same columns (Pyomo's update_parameters)
        form = linear_form(visitor, objective.expr)
        form.variables = old.variables
        _push_objective(compiled, form, sense)
        return
    if old is not None:
        _release(compiled, (old,))
    if objective is None:
        form = LinearForm({}, 0.0, {}, False)
    else:
        form = linear_form(visitor, objective.expr)
    _use(compiled, (form,))
    compiled.objective = objective
    _push_objective(compiled, form, sense)


def _push_objective(compiled: _CompiledModel, form: LinearForm, sense: int) -> None:
    """Set every column's cost, the offset and the sense of HiGHS's objective to ``form``."""
    import highspy

    costs = np.zeros(len(compiled.variables))
    for key, value in form.terms.items():
        costs[compiled.column_of[key]] = value
    highs = compiled.highs
    highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
    highs.changeObjectiveOffset(form.constant)
    highs.changeObjectiveSense(
        highspy.ObjSense.kMaximize if sense == -1 else highspy.ObjSense.kMinimize
    )
    compiled.objective_sense, compiled.objective_form = sense, form


def _load_solution(compiled: _CompiledModel) -> None:
    """Copy HiGHS's column values into the Pyomo variables (fixed ones keep theirs)."""
    load_values(compiled.variables, compiled.highs.getSolution().col_value)


__all__ = ["PLAN_HIGHS_OPTIONS", "CompiledPlanSolver", "PlanSolverConfig", "plan_highs_seconds"]
