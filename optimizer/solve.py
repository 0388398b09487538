"""The one place that talks to HiGHS.

fairpool's engine LPs (nucleolus stages, least core, balancedness checks) are small and
solved many times, so they go straight to ``highspy`` (no Pyomo in the loop; see
``shared/notes/pyomo_highs.md``: Pyomo adds 1–3 ms per solve).

HiGHS statuses are mapped to :class:`SolveStatus` in one table, :data:`STATUS_TABLE`, so that
solver quirks never leak out of this module.

Tolerances: HiGHS's feasibility tolerances are absolute, so every model handed to this module
is expected in a unit range (its numbers divided by the data's scale, and the answer scaled
back by the caller): the engine LPs divide by max |v| (``optimizer.game.unit_scale``) and use
``optimizer.game.LP_FEASIBILITY_TOLERANCE``; the 1e-9 of :func:`pyomo_solver` is likewise
meant for unit-range plan models.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from fairpool.optimizer.errors import SolverError

if TYPE_CHECKING:
    import highspy
    from pyomo.contrib.solver.solvers.highs import Highs as PyomoHighs
    from pyomo.environ import ConcreteModel

    from fairpool.optimizer.plan_solver import CompiledPlanSolver


class SolveStatus(Enum):
    """What a solve ended with, in fairpool's words."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    LIMIT = "limit reached"
    ERROR = "solver error"


def _status_table() -> dict[object, SolveStatus]:
    import highspy

    status = highspy.HighsModelStatus
    return {
        status.kOptimal: SolveStatus.OPTIMAL,
        status.kModelEmpty: SolveStatus.OPTIMAL,
        status.kInfeasible: SolveStatus.INFEASIBLE,
        status.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
        status.kUnbounded: SolveStatus.UNBOUNDED,
        status.kTimeLimit: SolveStatus.LIMIT,
        status.kIterationLimit: SolveStatus.LIMIT,
        status.kSolutionLimit: SolveStatus.LIMIT,
        status.kObjectiveBound: SolveStatus.LIMIT,
        status.kObjectiveTarget: SolveStatus.LIMIT,
        status.kInterrupt: SolveStatus.LIMIT,
        status.kMemoryLimit: SolveStatus.ERROR,
    }


STATUS_TABLE: dict[object, SolveStatus] = {}
"""HiGHS model status → :class:`SolveStatus`; anything not listed is ``ERROR``."""


@dataclass(frozen=True)
class SolveResult:
    """The outcome of one HiGHS run: status, objective and HiGHS's own run time (s)."""

    status: SolveStatus
    objective: float
    runtime: float
    highs_status: str

    @property
    def optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


_banner_shown = False


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Silence file descriptor 1 (HiGHS prints its banner from C++ on first construction)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(threads: int | None = None, mip_rel_gap: float = 0.0) -> highspy.Highs:
    """A quiet HiGHS instance: no banner, no log, exact MIP gap.

    ``mip_rel_gap = 0`` because the default 1e-4 would make coalition values inexact.
    ``threads`` is left alone unless given: HiGHS's thread scheduler is global to a process
    and fixed by the first instance that runs, and a later instance asking for another
    count fails to run. Worker processes set it once, first thing.
    """
    global _banner_shown
    import highspy

    if not STATUS_TABLE:
        STATUS_TABLE.update(_status_table())
    if _banner_shown:
        highs = highspy.Highs()
    else:
        with _stdout_silenced():
            highs = highspy.Highs()
        _banner_shown = True
    highs.setOptionValue("output_flag", False)
    if threads is not None:
        highs.setOptionValue("threads", threads)
    highs.setOptionValue("mip_rel_gap", mip_rel_gap)
    return highs


def pin_threads(count: int = 1) -> None:
    """Fix HiGHS's process-wide thread scheduler at ``count`` threads.

    HiGHS keeps one thread scheduler per process, created by the first run; an instance that
    later asks for a different ``threads`` value fails to run. fairpool's own instances
    leave ``threads`` at its default (which accepts the existing scheduler), and each worker
    process of a parallel coalition run calls this once, first thing, so that its MILPs use
    one thread each (``shared/notes/pyomo_highs.md`` §4c).
    """
    import highspy

    highspy.Highs.resetThreadScheduler(True)
    highs = new_highs(threads=count)
    highs.addVar(0.0, 1.0)
    highs.run()


def run(highs: highspy.Highs) -> SolveResult:
    """Run HiGHS on its current model and map the outcome to a :class:`SolveResult`."""
    started = highs.getRunTime()
    run_status = highs.run()
    model_status = highs.getModelStatus()
    status = STATUS_TABLE.get(model_status, SolveStatus.ERROR)
    runtime = highs.getRunTime() - started
    if status is SolveStatus.OPTIMAL:  # no strings, no getInfo on the optimal path
        return SolveResult(status, float(highs.getObjectiveValue()), runtime, "Optimal")
    return SolveResult(
        status=status,
        objective=np.nan,
        runtime=runtime,
        highs_status=f"{highs.modelStatusToString(model_status)} (run: {run_status.name})",
    )


def run_optimal(highs: highspy.Highs, what: str) -> SolveResult:
    """Run HiGHS and raise :class:`SolverError` naming ``what`` unless the result is optimal."""
    result = run(highs)
    if not result.optimal:
        raise SolverError(f"HiGHS could not solve {what}: {result.highs_status}")
    return result


# -- Pyomo models -------------------------------------------------------------------------------
# Model families build Pyomo models; ``solve_pyomo`` with a ``pyomo_solver`` is how they get
# solved: compiled once into highspy (optimizer/plan_solver.py, issue 14). The Pyomo interface
# kept as reference and fallback is pinned here: ``pyomo.contrib.solver.solvers.highs.Highs``
# (the "new" persistent interface), imported explicitly, never by name (notes §1).


def _pyomo_status_table() -> dict[object, SolveStatus]:
    from pyomo.contrib.solver.common.results import TerminationCondition as Condition

    return {
        Condition.convergenceCriteriaSatisfied: SolveStatus.OPTIMAL,
        Condition.emptyModel: SolveStatus.OPTIMAL,
        Condition.provenInfeasible: SolveStatus.INFEASIBLE,
        Condition.locallyInfeasible: SolveStatus.INFEASIBLE,
        Condition.infeasibleOrUnbounded: SolveStatus.INFEASIBLE,
        Condition.unbounded: SolveStatus.UNBOUNDED,
        Condition.maxTimeLimit: SolveStatus.LIMIT,
        Condition.iterationLimit: SolveStatus.LIMIT,
        Condition.objectiveLimit: SolveStatus.LIMIT,
        Condition.minStepLength: SolveStatus.LIMIT,
        Condition.interrupted: SolveStatus.LIMIT,
    }


PYOMO_STATUS_TABLE: dict[object, SolveStatus] = {}
"""Pyomo ``TerminationCondition`` → :class:`SolveStatus`; anything not listed is ``ERROR``."""


def pyomo_solver(time_limit: float | None = None) -> CompiledPlanSolver:
    """The solver of plan, core-band and smallest-fix models: compiled once into HiGHS
    (:class:`~fairpool.optimizer.plan_solver.CompiledPlanSolver`, issue 14).

    Re-solving the same model object with the same solver pushes only what changed (the
    active objective, bounds, fixings, Params, added or removed rows) to one live HiGHS
    instance; models it cannot compile go to :func:`persistent_pyomo_solver`. Quiet, exact
    MIP gaps, feasibility tolerances 1e-9, ``time_limit`` seconds per run when given.
    ``threads`` is not set: see :func:`pin_threads`.
    """
    from fairpool.optimizer.plan_solver import CompiledPlanSolver

    if not STATUS_TABLE:
        STATUS_TABLE.update(_status_table())
    return CompiledPlanSolver(time_limit)


def persistent_pyomo_solver(time_limit: float | None = None) -> PyomoHighs:
    """Pyomo's persistent HiGHS solver set up once: quiet, exact MIP gap (the reference path,
    and the fallback of :func:`pyomo_solver` for models it cannot compile).

    ``threads`` is not set: see :func:`pin_threads`.

    Re-solving the same model object with the same solver pushes only changed numbers
    (mutable Params, bounds, new constraints) to HiGHS. Options are set here once because
    they are sticky on a persistent solver (notes §3). No exception on a non-optimal result:
    :func:`solve_pyomo` maps every termination condition through one table.
    """
    from pyomo.contrib.solver.solvers.highs import Highs

    if not PYOMO_STATUS_TABLE:
        PYOMO_STATUS_TABLE.update(_pyomo_status_table())
    solver = Highs()
    config = solver.config
    config.load_solutions = False
    config.raise_exception_on_nonoptimal_result = False
    config.rel_gap = 0.0
    config.abs_gap = 0.0
    config.time_limit = time_limit
    config.solver_options.update(
        {
            "output_flag": False,
            # plans are reported to the cent and ratios to 1e-9: HiGHS's default 1e-6 MIP
            # feasibility tolerance would let a "fixed" or monotone ratio drift by 1e-6
            "mip_feasibility_tolerance": 1e-9,
            "primal_feasibility_tolerance": 1e-9,
        }
    )
    return solver


def solve_pyomo(
    model: ConcreteModel, solver: CompiledPlanSolver | PyomoHighs | None = None
) -> SolveResult:
    """Solve a Pyomo model with HiGHS; load the variable values when optimal.

    ``solver`` (from :func:`pyomo_solver`, or :func:`persistent_pyomo_solver`) makes
    repeated solves persistent; without it a fresh :func:`pyomo_solver` is used. The outcome
    is mapped through :data:`STATUS_TABLE` (or :data:`PYOMO_STATUS_TABLE`), so callers see
    only :class:`SolveStatus`; ``objective`` is NaN unless optimal.
    """
    from fairpool.optimizer.plan_solver import CompiledPlanSolver

    solver = solver if solver is not None else pyomo_solver()
    if isinstance(solver, CompiledPlanSolver):
        return solver.solve(model)
    if not PYOMO_STATUS_TABLE:
        PYOMO_STATUS_TABLE.update(_pyomo_status_table())
    try:
        results = solver.solve(model)
    except Exception as error:
        raise SolverError(f"HiGHS (via Pyomo) failed: {error}") from error
    condition = results.termination_condition
    status = PYOMO_STATUS_TABLE.get(condition, SolveStatus.ERROR)
    objective = np.nan
    if status is SolveStatus.OPTIMAL:
        results.solution_loader.load_vars()
        value = results.incumbent_objective
        objective = float(value) if value is not None else 0.0
    runtime = results.timing_info.wall_time if results.timing_info.wall_time else 0.0
    return SolveResult(status, objective, float(runtime), str(condition.name))


@dataclass(frozen=True)
class CompiledModel:
    """A Pyomo model compiled once into a live HiGHS instance (notes §4b).

    The model is written as an LP file with symbolic labels and read by HiGHS; afterwards the
    caller changes numbers at known places (column costs/bounds, row bounds) through
    ``highs`` and calls :func:`run`. :meth:`column` and :meth:`row` map Pyomo components to
    HiGHS indices (``None`` if the writer dropped them, e.g. a variable in no row);
    :meth:`columns_of` and :meth:`rows_of` map many at once and insist that none was dropped.
    """

    highs: highspy.Highs
    columns: dict[str, int]
    rows: dict[str, int]
    symbol: Callable[[object], str]

    def column(self, var: object) -> int | None:
        return self.columns.get(self.symbol(var))

    def row(self, constraint: object) -> int | None:
        return self.rows.get(self.symbol(constraint))

    def columns_of(self, variables: Iterable[object]) -> np.ndarray:
        """HiGHS column indices (int32) of Pyomo variables; SolverError if one was dropped."""
        return _indices(variables, self.column)

    def rows_of(self, constraints: Iterable[object]) -> np.ndarray:
        """HiGHS row indices (int32) of Pyomo constraints; SolverError if one was dropped."""
        return _indices(constraints, self.row)

    def program(self, time_limit: float | None = None) -> CompiledProgram:
        """The compiled model as arrays, for processes without Pyomo (:class:`CompiledProgram`)."""
        return CompiledProgram.from_highs(self.highs, time_limit)


def _indices(components: Iterable[object], index_of: Callable[[object], int | None]) -> np.ndarray:
    indices = []
    for component in components:
        index = index_of(component)
        if index is None:
            name = getattr(component, "name", component)
            raise SolverError(f"the compiled model lost {name} (dropped by the LP writer)")
        indices.append(index)
    return np.array(indices, dtype=np.int32)


def compile_pyomo(model: ConcreteModel) -> CompiledModel:
    """Translate a Pyomo model into a HiGHS instance once (LP file with symbolic labels).

    Mutable Params must hold non-zero placeholders where they are coefficients (a zero
    coefficient is dropped by the writer). Ranged constraints become two rows; the symbol map
    names the ``r_l_`` one.
    """
    import tempfile

    import highspy

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.lp")
        _, symbol_map_id = model.write(path, io_options={"symbolic_solver_labels": True})
        highs = new_highs()
        if highs.readModel(path) != highspy.HighsStatus.kOk:
            raise SolverError("HiGHS could not read the compiled model")
    symbol_map = model.solutions.symbol_map[symbol_map_id]
    lp = highs.getLp()
    columns = {name: j for j, name in enumerate(lp.col_names_)}
    rows = {name: j for j, name in enumerate(lp.row_names_)}
    return CompiledModel(highs, columns, rows, symbol_map.getSymbol)


@dataclass(frozen=True, eq=False)
class CompiledProgram:
    """A compiled LP/MILP as plain numpy arrays: picklable, and opened without Pyomo.

    Worker processes of the coalition engine receive this instead of the case, so they import
    numpy and highspy only (≈ 0.2 s) instead of pandas and Pyomo (≈ 1 s). The constraint
    matrix is stored as HiGHS holds it (``starts``, ``indices``, ``values``; column-wise
    unless ``rowwise``); ``integrality`` is HiGHS's per-column variable type (empty for an
    LP); ``sense`` is 1 (min) or −1 (max). Names are dropped: callers address columns and
    rows by index.
    """

    sense: int
    offset: float
    column_cost: np.ndarray
    column_lower: np.ndarray
    column_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    integrality: np.ndarray
    rowwise: bool = False
    time_limit: float | None = None

    @classmethod
    def from_highs(cls, highs: highspy.Highs, time_limit: float | None = None) -> CompiledProgram:
        """The model held by a HiGHS instance, as arrays (the instance is left as it is)."""
        import highspy

        lp = highs.getLp()
        matrix = lp.a_matrix_
        return cls(
            sense=1 if lp.sense_ == highspy.ObjSense.kMinimize else -1,
            offset=float(lp.offset_),
            column_cost=np.array(lp.col_cost_, dtype=np.float64),
            column_lower=np.array(lp.col_lower_, dtype=np.float64),
            column_upper=np.array(lp.col_upper_, dtype=np.float64),
            row_lower=np.array(lp.row_lower_, dtype=np.float64),
            row_upper=np.array(lp.row_upper_, dtype=np.float64),
            starts=np.array(matrix.start_, dtype=np.int32),
            indices=np.array(matrix.index_, dtype=np.int32),
            values=np.array(matrix.value_, dtype=np.float64),
            integrality=np.array([int(t) for t in lp.integrality_], dtype=np.uint8),
            rowwise=matrix.format_ == highspy.MatrixFormat.kRowwise,
            time_limit=time_limit,
        )

    def open(self) -> highspy.Highs:
        """A quiet, exact HiGHS instance (see :func:`new_highs`) holding this program."""
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = len(self.column_cost)
        lp.num_row_ = len(self.row_lower)
        lp.sense_ = highspy.ObjSense.kMinimize if self.sense == 1 else highspy.ObjSense.kMaximize
        lp.offset_ = self.offset
        lp.col_cost_ = self.column_cost
        lp.col_lower_ = self.column_lower
        lp.col_upper_ = self.column_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        matrix = highspy.MatrixFormat
        lp.a_matrix_.format_ = matrix.kRowwise if self.rowwise else matrix.kColwise
        lp.a_matrix_.num_col_ = lp.num_col_
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = self.starts
        lp.a_matrix_.index_ = self.indices
        lp.a_matrix_.value_ = self.values
        if len(self.integrality):
            lp.integrality_ = [highspy.HighsVarType(int(t)) for t in self.integrality]
        highs = new_highs()
        if highs.passModel(lp) != highspy.HighsStatus.kOk:
            raise SolverError("HiGHS refused the compiled coalition model")
        if self.time_limit:
            highs.setOptionValue("time_limit", float(self.time_limit))
        return highs
