"""The coalition engine: v(S) of a model game for many coalitions, at the speed of HiGHS.

A *model game* gives v(S) (or c(S)) by solving an optimisation model restricted to S. Real
cases spend their time here: 2**n solves. The engine does them once, well, for every model
family (SPEC §6; measurements in ``shared/notes/pyomo_highs.md``):

- **Built once, re-solved per coalition.** A family describes its model as a
  :class:`CompiledCoalitionModel`: a picklable frozen dataclass of numpy data whose
  :meth:`~CompiledCoalitionModel.compile` builds the Pyomo model once and compiles it
  (:func:`optimizer.solve.compile_pyomo`, notes §4b) into a :class:`CompiledGame` — the
  programme as arrays plus the columns and rows a coalition changes — and whose
  :meth:`~CompiledCoalitionModel.numbers` computes, with numpy and for a whole block of
  coalitions at once, the costs, bounds and right-hand sides each one puts there.
  :func:`solve_numbers` is the one hot loop: push, ``run()``, check, read (≈ HiGHS time +
  0.1 ms per coalition, against ≈ 9 ms of overhead for a rebuild). Coalitions whose numbers
  are equal are solved once; a coalition whose numbers say "nothing to build" is 0 without
  a solve. Models that are not one programme (tests, formulas) implement the plain
  :class:`CoalitionModel` (``open()`` → an evaluator of ``value(mask)``) and get everything
  below too, mask by mask.
- **Exact and checked.** ``mip_rel_gap = 0`` (the default 1e-4 makes v(S) inexact) and the
  termination status of every solve is checked: anything but optimal raises
  :class:`~optimizer.errors.SolverError` naming the coalition.
- **Parallel** (``workers`` = W): W − 1 ``spawn`` processes (a ``fork`` after HiGHS ran can
  deadlock, notes §3) with HiGHS pinned to one thread, plus a solving thread in this process
  (HiGHS releases the GIL), which starts at once while the workers start up; HiGHS's thread
  scheduler is per process, so this process runs HiGHS on one thread from then on (plans
  solved afterwards measured no slower). Workers start only when the work pays for them:
  one task is timed here first, and below :data:`PARALLEL_FROM_SECONDS` of estimated work
  the rest is solved here too. Workers of a compiled model receive the
  :class:`CompiledGame` and the numbers of their chunk, so they import numpy and highspy
  only — no Pyomo, pandas or model family code.
- **Distributed** (``scheduler="tcp://host:8786"``): the same chunks go to a Dask cluster; each
  worker thread opens the compiled game (or the model) once and keeps it, keyed by the model's
  :meth:`~CoalitionModel.cache_key` (optional extra ``fairpool[dask]``).
- **Cached on disk** (``cache="coalitions.sqlite"``): one SQLite table of
  (key, mask, value) in WAL mode, committed at least every :data:`COMMIT_SECONDS`, so a killed
  run resumes where it stopped and a second run of the same case re-solves nothing. The key is
  a hash of everything v(S) depends on (case content and model version), never a file name.
- **Progress** is a callback ``progress(done, total)``; the engine prints nothing.

Serial, parallel and Dask runs give identical values for MILPs (HiGHS is deterministic; the
notes found 1024 MILP values bit-for-bit equal across 18 configurations). LP values may differ
in the last bits (≈1e-14) with the solve order, because HiGHS warm-starts from the last basis.

Settings (workers, cache, scheduler, progress, sampling seed …) can be passed per call or set
once for a block of code with :func:`coalition_settings`; a ``None`` argument means "from the
current settings". That is how a command line applies ``--workers/--cache/--scheduler`` to every
model family without threading the options through each function::

    with coalition_settings(workers=4, cache="~/.cache/fairpool/coalitions.sqlite"):
        result = joint_park.solve_case(case)

Importing this module imports numpy and the standard library only; HiGHS, Pyomo and Dask are
loaded when a model is opened or a cluster is used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import multiprocessing
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from fairpool.optimizer.errors import CaseError, FairpoolError, SolverError
from fairpool.optimizer.game import MAX_PLAYERS, Game, Orientation, coalition_label

if TYPE_CHECKING:
    import highspy

    from fairpool.optimizer.solve import CompiledProgram

Progress = Callable[[int, int], None]
"""``progress(done, total)``: coalitions with a value so far (cached ones included) / asked for."""

COMMIT_SECONDS = 0.5
"""The disk cache commits at least this often (and at the end, and on any exception)."""

PARALLEL_FROM_SECONDS = 0.5
"""Worker processes are started only when the work left after one timed task is estimated
at this many seconds or more (a spawned worker needs ≈ 0.2 s to start)."""

NUMBERS_BLOCK = 1 << 15
"""A compiled model's numbers are computed for at most this many coalitions at a time."""


# -- the interface every model family implements -------------------------------------------------


@runtime_checkable
class CoalitionEvaluator(Protocol):
    """An opened model: v(S) (or c(S)) of any coalition, re-solving one live model.

    ``value(mask)`` raises :class:`~optimizer.errors.SolverError` naming the coalition when a
    solve ends with anything but optimal. ``highs_time`` is the cumulative number of seconds
    HiGHS itself spent in ``run()`` (the physical limit the benchmark compares against).
    """

    highs_time: float

    def value(self, mask: int) -> float: ...


@runtime_checkable
class CoalitionModel(Protocol):
    """A model game's description: picklable (a frozen dataclass of numpy data) and cheap.

    ``players`` are the party ids in bit order (party ``i`` is bit ``i`` of a mask).
    ``cache_key()`` is a stable hash of everything v(S) depends on (case content and model
    version; see :func:`content_key`). ``open()`` builds and compiles the model once in the
    calling process (notes §4b) and returns its :class:`CoalitionEvaluator`.
    """

    players: tuple[str, ...]

    def cache_key(self) -> str: ...

    def open(self) -> CoalitionEvaluator: ...


def _no_index() -> np.ndarray:
    return np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, eq=False)
class CompiledGame:
    """A model game's v(S) programme compiled once, and the places where coalitions change it.

    ``program`` is the LP/MILP as arrays (:class:`~optimizer.solve.CompiledProgram`: any
    process opens it with highspy alone). A coalition changes the costs of
    ``cost_columns``, the bounds of ``bound_columns`` and the bounds of ``bound_rows``, as
    given by :meth:`CompiledCoalitionModel.numbers`. ``columns`` names groups of column
    indices for reading a solution (e.g. ``{"y": …}``, one per project).
    """

    program: CompiledProgram
    cost_columns: np.ndarray = dataclasses.field(default_factory=_no_index)
    bound_columns: np.ndarray = dataclasses.field(default_factory=_no_index)
    bound_rows: np.ndarray = dataclasses.field(default_factory=_no_index)
    columns: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class CoalitionNumbers:
    """What each of a batch of coalitions changes in a :class:`CompiledGame` (row k: mask k).

    ``solve[k]`` False says v(S) = 0 without a solve (S can build nothing worth building).
    The other fields match the game's places: ``column_cost`` (k × cost columns),
    ``column_lower``/``column_upper`` (k × bound columns), ``row_lower``/``row_upper``
    (k × bound rows); ``None`` = not changed; a 1-d array = the same for every coalition.
    Infinite bounds are ±inf (HiGHS's ``kHighsInf``).
    """

    solve: np.ndarray
    column_cost: np.ndarray | None = None
    column_lower: np.ndarray | None = None
    column_upper: np.ndarray | None = None
    row_lower: np.ndarray | None = None
    row_upper: np.ndarray | None = None

    def per_coalition(self) -> list[str]:
        """Names of the fields that differ by coalition (2-d arrays)."""
        return [
            name
            for name in ("column_cost", "column_lower", "column_upper", "row_lower", "row_upper")
            if getattr(self, name) is not None and getattr(self, name).ndim == 2
        ]

    def take(self, rows: np.ndarray) -> CoalitionNumbers:
        """The numbers of some coalitions only (rows by index)."""
        return dataclasses.replace(
            self,
            solve=self.solve[rows],
            **{name: getattr(self, name)[rows] for name in self.per_coalition()},
        )


@runtime_checkable
class CompiledCoalitionModel(CoalitionModel, Protocol):
    """A :class:`CoalitionModel` whose v(S) is one programme with coalition-dependent numbers.

    ``compile()`` builds the Pyomo model once and compiles it (notes §4b); ``numbers(masks)``
    computes, with numpy and for many coalitions at once, what each changes in it. The engine
    then needs no family code to solve: worker processes receive the compiled programme and
    the numbers, import neither Pyomo nor pandas, and only re-run HiGHS; coalitions with
    identical numbers are solved once.
    """

    def compile(self) -> CompiledGame: ...

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers: ...


# -- keys -----------------------------------------------------------------------------------------


def content_key(model: object, version: str) -> str:
    """A stable SHA-256 of a model description: its type name, ``version`` and every field.

    Numpy arrays are hashed by dtype, shape and bytes; floats by their exact ``repr``; tuples,
    mappings, sets and nested dataclasses recursively. Bump ``version`` whenever the model's
    formulation changes, so that old cached values are not reused.

    Example:
        >>> content_key((1, 2.5, "A"), "v1") == content_key((1, 2.5, "A"), "v1")
        True
    """
    digest = hashlib.sha256()
    _feed(digest, (type(model).__module__, type(model).__qualname__, version, model))
    return digest.hexdigest()


def _feed(digest: hashlib._Hash, item: object) -> None:  # type: ignore[name-defined]
    """Feed one value into a hash with a type tag, so that (1, "1") and ("1", 1) differ."""
    if isinstance(item, np.ndarray):
        array = np.ascontiguousarray(item)
        digest.update(f"A{array.dtype.str}{array.shape}".encode())
        if array.dtype.hasobject:
            _feed(digest, array.tolist())
        else:
            digest.update(array.tobytes())
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        digest.update(f"D{type(item).__qualname__}".encode())
        for field in dataclasses.fields(item):
            digest.update(field.name.encode())
            _feed(digest, getattr(item, field.name))
    elif isinstance(item, Mapping):
        digest.update(f"M{len(item)}".encode())
        for key in sorted(item, key=repr):
            _feed(digest, key)
            _feed(digest, item[key])
    elif isinstance(item, set | frozenset):
        digest.update(f"S{len(item)}".encode())
        for member in sorted(item, key=repr):
            _feed(digest, member)
    elif isinstance(item, tuple | list):
        digest.update(f"T{len(item)}".encode())
        for member in item:
            _feed(digest, member)
    elif item is None or isinstance(item, str | bytes | bool | int | float | np.generic):
        digest.update(f"{type(item).__name__}:{item!r};".encode())
    elif isinstance(item, Path):
        digest.update(f"P{item!s};".encode())
    else:
        raise TypeError(f"cannot hash a {type(item).__name__} into a cache key")


# -- compiled models: one programme, numbers per coalition ---------------------------------------


def solve_numbers(
    highs: highspy.Highs,
    game: CompiledGame,
    masks: np.ndarray,
    numbers: CoalitionNumbers,
    players: Sequence[str],
) -> tuple[np.ndarray, float, int]:
    """v(S) for each mask: push its numbers into ``highs`` (holding ``game.program``), re-run.

    The hot loop of every coalition run (notes §4b): per coalition at most three array calls
    (costs, column bounds, row bounds), ``run()``, the status and the objective — no
    ``getInfo()``, no strings. Numbers that are the same for every coalition are pushed once.
    Returns (values, HiGHS's own seconds for them, solves). Anything but an optimal status
    raises :class:`~optimizer.errors.SolverError` naming the coalition.
    """
    import highspy

    program = game.program
    optimal = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)
    cost = numbers.column_cost
    column_lower = _or(numbers.column_lower, program.column_lower[game.bound_columns])
    column_upper = _or(numbers.column_upper, program.column_upper[game.bound_columns])
    row_lower = _or(numbers.row_lower, program.row_lower[game.bound_rows])
    row_upper = _or(numbers.row_upper, program.row_upper[game.bound_rows])
    costs, columns, rows = game.cost_columns, game.bound_columns, game.bound_rows
    n_costs, n_columns, n_rows = len(costs), len(columns), len(rows)
    # numbers shared by every coalition go in once; the loop pushes only what varies
    if cost is not None and cost.ndim == 1:
        highs.changeColsCost(n_costs, costs, cost)
        cost = None
    column_bounds = numbers.column_lower is not None or numbers.column_upper is not None
    if column_bounds and column_lower.ndim == 1 and column_upper.ndim == 1:
        highs.changeColsBounds(n_columns, columns, column_lower, column_upper)
        column_bounds = False
    row_bounds = numbers.row_lower is not None or numbers.row_upper is not None
    if row_bounds and row_lower.ndim == 1 and row_upper.ndim == 1:
        highs.changeRowsBounds(n_rows, rows, row_lower, row_upper)
        row_bounds = False
    column_lower_varies, row_lower_varies = column_lower.ndim == 2, row_lower.ndim == 2
    column_upper_varies, row_upper_varies = column_upper.ndim == 2, row_upper.ndim == 2

    change_cost, change_columns = highs.changeColsCost, highs.changeColsBounds
    change_rows, run, status = highs.changeRowsBounds, highs.run, highs.getModelStatus
    objective = highs.getObjectiveValue
    values = np.zeros(len(masks))
    started = highs.getRunTime()  # cumulative over runs: read twice per call, not per solve
    solved = np.flatnonzero(numbers.solve & (masks != 0)).tolist()
    for k in solved:
        if cost is not None:
            change_cost(n_costs, costs, cost[k])
        if column_bounds:
            change_columns(
                n_columns,
                columns,
                column_lower[k] if column_lower_varies else column_lower,
                column_upper[k] if column_upper_varies else column_upper,
            )
        if row_bounds:
            change_rows(
                n_rows,
                rows,
                row_lower[k] if row_lower_varies else row_lower,
                row_upper[k] if row_upper_varies else row_upper,
            )
        run()
        model_status = status()
        if model_status not in optimal:
            raise SolverError(
                f"HiGHS could not solve coalition {coalition_label(players, int(masks[k]))}: "
                f"{highs.modelStatusToString(model_status)}. Check that the case's data for "
                "these parties is complete (budgets, hosts, costs)."
            )
        values[k] = objective()
    return values, highs.getRunTime() - started, len(solved)


def _or(given: np.ndarray | None, default: np.ndarray) -> np.ndarray:
    return default if given is None else given


class ProgramRunner:
    """A :class:`CompiledGame` opened in this process: runs tasks of (masks, numbers).

    What a worker process holds (it needs no model family code); ``highs_time`` and
    ``solves`` add up over its runs.
    """

    def __init__(self, game: CompiledGame, players: Sequence[str]) -> None:
        self.game = game
        self.players = tuple(players)
        self.highs = game.program.open()
        self.highs_time = 0.0
        self.solves = 0

    def run(self, masks: np.ndarray, numbers: CoalitionNumbers) -> np.ndarray:
        """v(S) of each mask, given the masks' numbers (see :func:`solve_numbers`)."""
        values, seconds, solves = solve_numbers(self.highs, self.game, masks, numbers, self.players)
        self.highs_time += seconds
        self.solves += solves
        return values

    def __call__(self, task: Task) -> ChunkResult:
        masks, numbers = task
        assert numbers is not None
        before = self.highs_time
        values = self.run(masks, numbers)
        return masks, values, self.highs_time - before


class CompiledEvaluator(ProgramRunner):
    """v(S) of a :class:`CompiledCoalitionModel` in this process, for any coalition.

    For reading plans: after :meth:`value`, :meth:`column_values` gives the solution on a
    named column group (zeros when v(S) = 0 was known without a solve: nothing is built).
    Families subclass it to say what the columns mean.
    """

    def __init__(self, model: CompiledCoalitionModel, game: CompiledGame | None = None) -> None:
        super().__init__(game if game is not None else model.compile(), model.players)
        self.model = model
        self._last_solved = False

    def values(self, masks: np.ndarray | Sequence[int]) -> np.ndarray:
        """v(S) for each mask (v(∅) = 0 without a solve)."""
        masks = np.asarray(masks, dtype=np.int64).ravel()
        numbers = self.model.numbers(masks)
        values = self.run(masks, numbers)
        self._last_solved = bool(masks.size and masks[-1] and numbers.solve[-1])
        return values

    def value(self, mask: int) -> float:
        """v(S) of one coalition."""
        return float(self.values([mask])[0])

    def column_values(self, group: str) -> np.ndarray:
        """The last coalition's solution on the columns ``game.columns[group]``."""
        columns = self.game.columns[group]
        if not self._last_solved:
            return np.zeros(len(columns))
        return np.asarray(self.highs.getSolution().col_value)[columns]


# -- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoalitionSettings:
    """How coalition values are computed; see :func:`coalition_settings`.

    Attributes:
        workers: processes to use; 1 = serial in this process, ≤ 0 = one per CPU core.
        cache: SQLite file of cached coalition values (created if missing); None = no cache.
        scheduler: a Dask scheduler address (``"tcp://10.0.0.5:8786"``); overrides workers.
        progress: ``progress(done, total)`` called after every chunk of coalitions.
        seed: seed of the permutation sampling of the Shapley value.
        permutations: permutations drawn by the sampled Shapley value.
        exact_limit: model games with more parties than this get the sampled Shapley value.
    """

    workers: int = 1
    cache: str | os.PathLike[str] | None = None
    scheduler: str | None = None
    progress: Progress | None = None
    seed: int = 0
    permutations: int = 2000
    exact_limit: int = 15


_SETTINGS: ContextVar[CoalitionSettings] = ContextVar(
    "fairpool_coalition_settings",
    default=CoalitionSettings(),  # noqa: B039 - frozen, immutable
)


@contextlib.contextmanager
def coalition_settings(**changes: object) -> Iterator[CoalitionSettings]:
    """Set coalition-engine settings for a block of code (fields of :class:`CoalitionSettings`).

    Calls inside the block that leave an option at ``None`` use these. Example::

        with coalition_settings(workers=2, cache="run.sqlite", progress=bar.update):
            game = model_game(model)
    """
    unknown = set(changes) - {f.name for f in dataclasses.fields(CoalitionSettings)}
    if unknown:
        raise TypeError(f"unknown coalition settings: {', '.join(sorted(unknown))}")
    token = _SETTINGS.set(dataclasses.replace(_SETTINGS.get(), **changes))  # type: ignore[arg-type]
    try:
        yield _SETTINGS.get()
    finally:
        _SETTINGS.reset(token)


def current_settings(**overrides: object) -> CoalitionSettings:
    """The settings in force, with every non-``None`` override applied."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return dataclasses.replace(_SETTINGS.get(), **given)  # type: ignore[arg-type]


def default_cache_path() -> Path:
    """``$FAIRPOOL_CACHE`` or ``$XDG_CACHE_HOME/fairpool/coalitions.sqlite`` (~/.cache/…).

    A suggestion for a command line's ``--cache`` default; the engine caches only when told.
    """
    if os.environ.get("FAIRPOOL_CACHE"):
        return Path(os.environ["FAIRPOOL_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(base).expanduser() / "fairpool" / "coalitions.sqlite"


# -- the disk cache -------------------------------------------------------------------------------


class CoalitionCache:
    """Coalition values on disk: one SQLite table ``coalition_values(key, mask, value)``.

    WAL journal (readers never block the writer; a killed process loses only what it had not
    committed) and ``synchronous=NORMAL``. Writes are buffered by :meth:`add` and committed by
    :meth:`flush` at least every :data:`COMMIT_SECONDS`. Only the main process writes.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = sqlite3.connect(self.path, timeout=60.0)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute(
                "CREATE TABLE IF NOT EXISTS coalition_values ("
                " key TEXT NOT NULL, mask INTEGER NOT NULL, value REAL NOT NULL,"
                " PRIMARY KEY (key, mask)) WITHOUT ROWID"
            )
            self.connection.commit()
        except sqlite3.Error as error:
            raise CaseError(
                f"cannot use {self.path} as a coalition cache ({error}); pass another --cache "
                "file or delete this one"
            ) from error
        self._pending: list[tuple[str, int, float]] = []
        self._last_commit = time.monotonic()

    def load(self, key: str, masks: np.ndarray | None = None) -> dict[int, float]:
        """Cached values of ``key``: all of them, or only those of ``masks``."""
        query = "SELECT mask, value FROM coalition_values WHERE key = ?"
        if masks is None:
            return dict(self.connection.execute(query, (key,)))
        found: dict[int, float] = {}
        masks = np.asarray(masks, dtype=np.int64)
        for start in range(0, len(masks), 900):
            batch = [int(m) for m in masks[start : start + 900]]
            marks = ",".join("?" * len(batch))
            found.update(self.connection.execute(f"{query} AND mask IN ({marks})", (key, *batch)))
        return found

    def add(self, key: str, masks: Iterable[int], values: Iterable[float]) -> None:
        """Buffer values; commit if the last commit is older than :data:`COMMIT_SECONDS`."""
        self._pending.extend((key, int(m), float(v)) for m, v in zip(masks, values, strict=True))
        if time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write and commit every buffered value."""
        if self._pending:
            self.connection.executemany(
                "INSERT OR REPLACE INTO coalition_values (key, mask, value) VALUES (?, ?, ?)",
                self._pending,
            )
            self.connection.commit()
            self._pending.clear()
        self._last_commit = time.monotonic()

    def count(self, key: str) -> int:
        """How many values of ``key`` are stored."""
        (count,) = self.connection.execute(
            "SELECT COUNT(*) FROM coalition_values WHERE key = ?", (key,)
        ).fetchone()
        return int(count)

    def close(self) -> None:
        """Flush and close the connection."""
        try:
            self.flush()
        finally:
            self.connection.close()


# -- workers ----------------------------------------------------------------------------------

Task = tuple[np.ndarray, "CoalitionNumbers | None"]
"""A chunk of work: coalition masks, with their numbers when the model is compiled."""

ChunkResult = tuple[np.ndarray, np.ndarray, float]
"""(masks, their values, HiGHS seconds spent on them)."""

_WORKER: dict[str, object] = {}
"""The task runner (or the error opening it) of this worker process."""

_THREAD = threading.local()
"""Per-thread task runners of a Dask worker, by cache key (HiGHS objects are not thread-safe)."""

DASK_EVALUATORS_PER_THREAD = 4
"""A Dask worker thread keeps the runners of at most this many models open."""


def _evaluate_chunk(evaluator: CoalitionEvaluator, task: Task) -> ChunkResult:
    masks = task[0]
    before = evaluator.highs_time
    values = np.array([evaluator.value(int(mask)) for mask in masks], dtype=np.float64)
    return masks, values, evaluator.highs_time - before


def task_runner(evaluator: CoalitionEvaluator) -> Callable[[Task], ChunkResult]:
    """How ``evaluator`` runs a task: a compiled one with its numbers, any other mask by mask."""
    if isinstance(evaluator, ProgramRunner):
        return evaluator
    return functools.partial(_evaluate_chunk, evaluator)


@dataclass(frozen=True, eq=False)
class WorkerRecipe:
    """What a worker process (or Dask thread) opens once to run tasks.

    For a compiled model: its compiled game and the players, so the worker imports numpy and
    highspy only. For any other model: the model itself, opened in the worker.
    """

    players: tuple[str, ...]
    game: CompiledGame | None = None
    model: CoalitionModel | None = None

    def open(self) -> Callable[[Task], ChunkResult]:
        if self.game is not None:
            return ProgramRunner(self.game, self.players)
        assert self.model is not None
        return task_runner(self.model.open())


def _open_in_worker(recipe: WorkerRecipe) -> None:
    """Pool initializer: one HiGHS thread for this process, then open the recipe once."""
    from fairpool.optimizer.solve import pin_threads

    try:
        pin_threads(1)
        _WORKER["run"] = recipe.open()
    except Exception as error:  # a failing initializer would make the Pool respawn forever
        _WORKER["error"] = (
            error
            if isinstance(error, FairpoolError)
            else SolverError(f"a worker could not open the coalition model: {error!r}")
        )


def _evaluate_in_worker(task: Task) -> ChunkResult:
    if "error" in _WORKER:
        raise _WORKER["error"]  # type: ignore[misc]
    return _WORKER["run"](task)  # type: ignore[operator]


def _evaluate_on_dask_worker(task: Task, recipe: WorkerRecipe, model_key: str) -> ChunkResult:
    """A Dask task: reuse this thread's runner of the model (opened on first use)."""
    runners: dict[str, Callable[[Task], ChunkResult]] | None = getattr(_THREAD, "runners", None)
    if runners is None:
        from fairpool.optimizer.solve import pin_threads

        pin_threads(1)  # one HiGHS thread for the MILPs solved on this worker
        runners = _THREAD.runners = {}
    run = runners.get(model_key)
    if run is None:
        while len(runners) >= DASK_EVALUATORS_PER_THREAD:
            runners.pop(next(iter(runners)))
        run = runners[model_key] = recipe.open()
    return run(task)


def _distinct_rows(numbers: CoalitionNumbers) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct set of numbers, in row order; each row's distinct index).

    Coalitions with identical numbers have identical values: they are solved once.
    """
    varying = [getattr(numbers, name) for name in numbers.per_coalition()]
    count = len(numbers.solve)
    if not varying:
        return np.zeros(min(count, 1), dtype=np.int64), np.zeros(count, dtype=np.int64)
    keys = np.ascontiguousarray(np.hstack(varying))
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    rank = np.argsort(first, kind="stable")
    renumber = np.empty_like(rank)
    renumber[rank] = np.arange(len(rank))
    return first[rank], renumber[inverse.ravel()]


# -- the engine -------------------------------------------------------------------------------


def _spawn_can_start() -> bool:
    """False when the main module names a file that does not exist (``python - <<EOF``):
    spawned workers would fail to re-import it and the pool would respawn them forever."""
    import sys

    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def resolve_workers(workers: int) -> int:
    """Worker processes to start: ``workers``, or one per CPU core when ``workers ≤ 0``."""
    return workers if workers > 0 else max(1, os.cpu_count() or 1)


class CoalitionEngine:
    """Coalition values of one model, with its evaluator, pool or Dask client kept open.

    Use it when values are asked for in several rounds (sampling, row generation): the model is
    opened once per process for all rounds, and values already known are never asked again.
    :func:`coalition_values` is the one-call form. Use as a context manager, or call
    :meth:`close`.

    Attributes after a run: ``solved`` (solves done by this engine), ``cached`` (values read
    from the disk cache), ``highs_time`` (HiGHS seconds summed over all workers).
    """

    def __init__(
        self,
        model: CoalitionModel,
        *,
        workers: int | None = None,
        cache: str | os.PathLike[str] | None = None,
        scheduler: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        settings = current_settings(
            workers=workers, cache=cache, scheduler=scheduler, progress=progress
        )
        self.model = model
        self.n = len(model.players)
        self.workers = resolve_workers(int(settings.workers))
        self.scheduler = settings.scheduler
        self.progress = settings.progress
        self.disk = CoalitionCache(settings.cache) if settings.cache is not None else None
        self.solved = 0
        self.cached = 0
        self.highs_time = 0.0
        self._key: str | None = None
        self._known: dict[int, float] = {0: 0.0}
        self._evaluator: CoalitionEvaluator | None = None
        self._pool: multiprocessing.pool.Pool | None = None
        self._client: object | None = None
        self._recipe_future: object | None = None

    @property
    def key(self) -> str:
        """The model's cache key (computed once)."""
        if self._key is None:
            self._key = self.model.cache_key()
        return self._key

    def __enter__(self) -> CoalitionEngine:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close(failed=error is not None)

    def close(self, failed: bool = False) -> None:
        """Commit the cache and stop the pool or the Dask client."""
        if self.disk is not None:
            self.disk.close()
            self.disk = None
        if self._pool is not None:
            if failed:
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None
        if self._client is not None:
            self._client.close()  # type: ignore[attr-defined]
            self._client = None

    def evaluator(self) -> CoalitionEvaluator:
        """The model opened in this process (once), e.g. to read the grand coalition's plan."""
        if self._evaluator is None:
            self._evaluator = self.model.open()
        return self._evaluator

    # -- values ------------------------------------------------------------------------
    def values(self, masks: np.ndarray | Sequence[int] | None = None) -> np.ndarray:
        """v(S) for each mask (same shape), or for all 2**n coalitions in mask order."""
        if masks is None:
            if self.n > MAX_PLAYERS:
                raise CaseError(
                    f"{self.n} parties have 2**{self.n} coalitions, too many to enumerate; "
                    "use the sampled Shapley value (optimizer.solutions.sampling)"
                )
            masks = np.arange(1 << self.n, dtype=np.int64)
        masks = np.asarray(masks, dtype=np.int64)
        if masks.size and (masks.min() < 0 or (self.n < 63 and masks.max() >> self.n)):
            raise CaseError(f"coalition masks must lie in 0 … 2**{self.n} − 1")
        wanted = np.unique(masks)
        known = self._known
        missing = np.array([m for m in wanted.tolist() if m not in known], dtype=np.int64)
        if missing.size and self.disk is not None:
            # many masks: one scan of the key is faster than IN (…) batches
            found = self.disk.load(self.key, None if missing.size > 20_000 else missing)
            self.cached += len(found)
            known.update(found)
            missing = np.array([m for m in missing.tolist() if m not in known], dtype=np.int64)
        total = len(wanted)
        done = total - len(missing)
        if self.progress is not None:
            self.progress(done, total)
        try:
            for chunk, values, seconds in self._evaluate(missing):
                known.update(zip(chunk.tolist(), values.tolist(), strict=True))
                if self.disk is not None:
                    self.disk.add(self.key, chunk, values)
                self.solved += len(chunk)
                self.highs_time += seconds
                done += len(chunk)
                if self.progress is not None:
                    self.progress(done, total)
        finally:
            if self.disk is not None:
                self.disk.flush()
        flat = np.fromiter((known[m] for m in masks.ravel().tolist()), np.float64, masks.size)
        return flat.reshape(masks.shape)

    def _chunks(self, masks: np.ndarray, parallel: int) -> list[np.ndarray]:
        """Contiguous chunks: ~32 per solving process (load balance) of 1 … 256 masks."""
        size = max(1, min(256, len(masks) // (32 * parallel)))
        return [masks[start : start + size] for start in range(0, len(masks), size)]

    def _solvers(self) -> int:
        """How many solve at once: the Dask cluster's threads, or the worker processes."""
        if self.scheduler:
            return max(1, sum(self._dask_client().nthreads().values()))  # type: ignore[attr-defined]
        return self.workers

    def _evaluate(self, masks: np.ndarray) -> Iterator[ChunkResult]:
        if not masks.size:
            return
        if isinstance(self.model, CompiledCoalitionModel):
            yield from self._evaluate_compiled(masks)
        else:
            yield from self._run([(chunk, None) for chunk in self._chunks(masks, self._solvers())])

    def _evaluate_compiled(self, masks: np.ndarray) -> Iterator[ChunkResult]:
        """Numbers by numpy here, in blocks; coalitions with equal numbers solved once."""
        model: CompiledCoalitionModel = self.model  # type: ignore[assignment]
        self.evaluator()  # compile here, the one process that imports Pyomo
        for start in range(0, len(masks), NUMBERS_BLOCK):
            block = masks[start : start + NUMBERS_BLOCK]
            numbers = model.numbers(block)
            solve = numbers.solve & (block != 0)
            if not solve.all():
                yield block[~solve], np.zeros(int((~solve).sum())), 0.0
            todo = np.flatnonzero(solve)
            if not todo.size:
                continue
            block, numbers = block[todo], numbers.take(todo)
            first, distinct = _distinct_rows(numbers)
            if len(first) == len(block):
                chunks = self._chunks(np.arange(len(block)), self._solvers())
                yield from self._run([(block[c], numbers.take(c)) for c in chunks])
                continue
            # solve one representative per distinct set of numbers, then copy its value
            representatives, their_numbers = block[first], numbers.take(first)
            index_of = {mask: i for i, mask in enumerate(representatives.tolist())}
            by_distinct = np.argsort(distinct, kind="stable")
            bounds = np.searchsorted(distinct[by_distinct], np.arange(len(first) + 1))
            chunks = self._chunks(np.arange(len(first)), self._solvers())
            for solved, values, seconds in self._run(
                [(representatives[c], their_numbers.take(c)) for c in chunks]
            ):
                ids = np.array([index_of[mask] for mask in solved.tolist()])
                covered = np.concatenate([by_distinct[bounds[i] : bounds[i + 1]] for i in ids])
                yield block[covered], np.repeat(values, bounds[ids + 1] - bounds[ids]), seconds

    def _recipe(self) -> WorkerRecipe:
        evaluator = self.evaluator()
        if isinstance(evaluator, ProgramRunner):
            return WorkerRecipe(evaluator.players, game=evaluator.game)
        return WorkerRecipe(tuple(self.model.players), model=self.model)

    def _run(self, tasks: list[Task]) -> Iterator[ChunkResult]:
        if self.scheduler:
            yield from self._run_on_dask(tasks)
            return
        if self.workers > 1 and not _spawn_can_start():
            warnings.warn(
                "worker processes cannot start from a script read from standard input "
                "(spawn re-imports the main file); computing coalition values serially",
                RuntimeWarning,
                stacklevel=5,
            )
            self.workers = 1
        here = task_runner(self.evaluator())
        tasks = list(tasks)
        parallel = self.workers > 1
        if parallel and self._pool is None and tasks:
            # start workers only for work that pays for them: time one task here first
            started = time.perf_counter()
            yield here(tasks.pop())
            parallel = (time.perf_counter() - started) * len(tasks) >= PARALLEL_FROM_SECONDS
        if not parallel:
            for task in tasks:
                yield here(task)
            return
        yield from self._run_shared(tasks, here)

    def _run_shared(
        self, tasks: list[Task], here: Callable[[Task], ChunkResult]
    ) -> Iterator[ChunkResult]:
        """Run tasks in ``workers − 1`` spawned processes *and* in a thread of this process.

        The pool takes tasks from the front, two in hand per process so that none waits for
        its next; the thread (HiGHS releases the GIL while it solves) takes them from the
        back. This process starts solving at once, while the workers are still starting up,
        and both stay busy to the last task.
        """
        import queue
        from collections import deque

        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(
                self.workers - 1, initializer=_open_in_worker, initargs=(self._recipe(),)
            )
        pool = self._pool
        pending = deque(tasks)
        arrived: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()

        def solve_here() -> None:
            from fairpool.optimizer.solve import pin_threads

            try:
                pin_threads(1)  # one HiGHS thread here too: the cores are the workers'
                while True:
                    try:
                        task = pending.pop()
                    except IndexError:
                        break
                    arrived.put(("here", here(task)))
            except BaseException as error:  # handed to the caller's thread
                arrived.put(("error", error))
            finally:
                arrived.put(("done", None))

        def send() -> None:
            try:
                task = pending.popleft()
            except IndexError:
                return
            pool.apply_async(
                _evaluate_in_worker,
                (task,),
                callback=lambda result: arrived.put(("pool", result)),
                error_callback=lambda error: arrived.put(("error", error)),
            )
            in_pool[0] += 1

        in_pool = [0]
        for _ in range(2 * (self.workers - 1)):
            send()
        helper = threading.Thread(target=solve_here, name="fairpool-coalitions", daemon=True)
        helper.start()
        helper_done = False
        try:
            while not helper_done or in_pool[0]:
                try:
                    kind, item = arrived.get(timeout=0.5)  # a timeout keeps Ctrl-C responsive
                except queue.Empty:
                    continue
                if kind == "error":
                    raise item  # type: ignore[misc]
                if kind == "done":
                    helper_done = True
                    continue
                if kind == "pool":
                    in_pool[0] -= 1
                    send()
                yield item  # type: ignore[misc]
        finally:
            pending.clear()
            helper.join()

    def _dask_client(self) -> object:
        if self._client is None:
            try:
                from distributed import Client
            except ImportError as error:
                raise CaseError(
                    "a Dask scheduler needs dask.distributed: pip install 'fairpool[dask]'"
                ) from error
            try:
                self._client = Client(self.scheduler, set_as_default=False, timeout="30s")
            except (OSError, TimeoutError) as error:
                raise CaseError(
                    f"cannot reach the Dask scheduler at {self.scheduler} ({error}); "
                    "check the address (e.g. tcp://host:8786) and that the scheduler runs"
                ) from error
        return self._client

    def _run_on_dask(self, tasks: list[Task]) -> Iterator[ChunkResult]:
        from distributed import as_completed

        client = self._dask_client()
        if self._recipe_future is None:
            self._recipe_future = client.scatter(  # type: ignore[attr-defined]
                self._recipe(), broadcast=True, hash=False
            )
        futures = client.map(  # type: ignore[attr-defined]
            _evaluate_on_dask_worker,
            tasks,
            recipe=self._recipe_future,
            model_key=self.key,
            pure=False,
        )
        try:
            for future in as_completed(futures, loop=client.loop):  # type: ignore[attr-defined]
                yield future.result()
        finally:
            client.cancel(futures)  # type: ignore[attr-defined]


def coalition_values(
    model: CoalitionModel,
    masks: np.ndarray | Sequence[int] | None = None,
    *,
    workers: int | None = None,
    cache: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """v(S) of a model game: the dense array of all 2**n values, or the values of ``masks``.

    Solves only what neither this call nor the disk cache already knows (see the module
    docstring for workers, cache, scheduler and progress; ``None`` = from
    :func:`coalition_settings`). v(∅) = 0 is never solved.
    """
    with CoalitionEngine(
        model, workers=workers, cache=cache, scheduler=scheduler, progress=progress
    ) as engine:
        return engine.values(masks)


def model_game(
    model: CoalitionModel,
    orientation: Orientation = "benefit",
    *,
    names: Sequence[str] = (),
    attributes: Mapping[str, np.ndarray] | None = None,
    **same_options: object,
) -> Game:
    """The dense :class:`~optimizer.game.Game` of a model: v(S) for all 2**n coalitions.

    ``same_options`` are those of :func:`coalition_values` (workers, cache, scheduler,
    progress). For more than ``exact_limit`` (15) parties prefer
    :func:`optimizer.solutions.sampling.model_shapley`, which samples instead of enumerating.
    """
    values = coalition_values(model, None, **same_options)  # type: ignore[arg-type]
    return Game(model.players, values, orientation, tuple(names), dict(attributes or {}))


__all__ = [
    "COMMIT_SECONDS",
    "PARALLEL_FROM_SECONDS",
    "CoalitionCache",
    "CoalitionEngine",
    "CoalitionEvaluator",
    "CoalitionModel",
    "CoalitionSettings",
    "CompiledEvaluator",
    "Progress",
    "coalition_settings",
    "coalition_values",
    "content_key",
    "current_settings",
    "default_cache_path",
    "model_game",
    "resolve_workers",
]
