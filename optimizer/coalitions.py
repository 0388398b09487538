"""The coalition engine: v(S) of a model game for many coalitions, at the speed of HiGHS.

A *model game* gives v(S) (or c(S)) by solving an optimisation model restricted to S. Real
cases spend their time here: 2**n solves. The engine does them once, well, for every model
family (SPEC §6; measurements in ``shared/notes/pyomo_highs.md``):

- **Built once, re-solved per coalition.** A family describes its model as a
  :class:`CoalitionModel`: a picklable frozen dataclass of numpy data whose :meth:`open
  <CoalitionModel.open>` builds the Pyomo model once, compiles it into a live HiGHS instance
  (:func:`optimizer.solve.compile_pyomo`, notes §4b) and returns a :class:`CoalitionEvaluator`
  that only changes costs, bounds and right-hand sides per coalition and re-runs HiGHS
  (≈ HiGHS time + 0.2 ms per coalition, against ≈ 9 ms of overhead for a rebuild).
  :class:`CompiledEvaluator` is that loop, ready to subclass.
- **Exact and checked.** ``mip_rel_gap = 0`` (the default 1e-4 makes v(S) inexact) and the
  termination status of every solve is checked: anything but optimal raises
  :class:`~optimizer.errors.SolverError` naming the coalition.
- **Parallel** (``workers``): ``spawn`` processes (a ``fork`` after HiGHS ran can deadlock,
  notes §3), each opening the model once in its initializer with HiGHS pinned to one thread,
  fed chunks of coalitions through ``imap_unordered``.
- **Distributed** (``scheduler="tcp://host:8786"``): the same chunks go to a Dask cluster; each
  worker thread opens the model once and keeps the evaluator, keyed by the model's
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

from optimizer.errors import CaseError, FairpoolError, SolverError
from optimizer.game import MAX_PLAYERS, Game, Orientation

if TYPE_CHECKING:
    from optimizer.solve import CompiledModel

Progress = Callable[[int, int], None]
"""``progress(done, total)``: coalitions with a value so far (cached ones included) / asked for."""

COMMIT_SECONDS = 0.5
"""The disk cache commits at least this often (and at the end, and on any exception)."""


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


def coalition_label(players: Sequence[str], mask: int) -> str:
    """``"A+B"`` for a mask (``"∅"`` for the empty coalition): how errors name coalitions."""
    label = "+".join(p for i, p in enumerate(players) if mask >> i & 1)
    return label or "∅"


# -- a ready-made evaluator for compiled models ---------------------------------------------------


class CompiledEvaluator:
    """v(S) by re-running one compiled HiGHS model (notes §4b): the loop every family shares.

    A subclass implements :meth:`restrict`: push S's numbers (column costs, column bounds,
    row bounds: ``highs.changeColsCost``, ``changeColsBounds``, ``changeRowsBounds``) into
    ``self.highs``, or return False when v(S) = 0 is known without a solve (e.g. S can
    build nothing worth building). :meth:`value` then runs HiGHS, checks the status, adds
    HiGHS's own run time to :attr:`highs_time` and returns the objective in the model's
    sense (max for benefit games, min for cost games), objective constant included.
    v(∅) = 0 without a solve.
    """

    def __init__(self, compiled: CompiledModel, players: Sequence[str]) -> None:
        self.compiled = compiled
        self.highs = compiled.highs
        self.players = tuple(players)
        self.highs_time = 0.0
        self.solves = 0

    def restrict(self, mask: int) -> bool | None:
        """Change the model's numbers so that it describes coalition ``mask``.

        Return False to say v(S) = 0 without a solve; None or True to solve.
        """
        raise NotImplementedError

    def value(self, mask: int) -> float:
        """v(S): restrict, run, check the status (SolverError naming S unless optimal)."""
        from optimizer.solve import run

        if mask == 0 or self.restrict(mask) is False:
            return 0.0
        result = run(self.highs)
        self.highs_time += result.runtime
        self.solves += 1
        if not result.optimal:
            raise SolverError(
                f"HiGHS could not solve coalition {coalition_label(self.players, mask)}: "
                f"{result.highs_status}. Check that the case's data for these parties is "
                "complete (budgets, hosts, costs)."
            )
        return result.objective


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

ChunkResult = tuple[np.ndarray, np.ndarray, float]
"""(masks, their values, HiGHS seconds spent on them)."""

_WORKER: dict[str, object] = {}
"""The evaluator (or the error opening it) of this worker process."""

_THREAD = threading.local()
"""Per-thread evaluators of a Dask worker, by cache key (HiGHS objects are not thread-safe)."""

DASK_EVALUATORS_PER_THREAD = 4
"""A Dask worker thread keeps the evaluators of at most this many models open."""


def _evaluate_chunk(evaluator: CoalitionEvaluator, masks: np.ndarray) -> ChunkResult:
    before = evaluator.highs_time
    values = np.array([evaluator.value(int(mask)) for mask in masks], dtype=np.float64)
    return masks, values, evaluator.highs_time - before


def _open_in_worker(model: CoalitionModel) -> None:
    """Pool initializer: one HiGHS thread for this process, then open the model once."""
    from optimizer.solve import pin_threads

    try:
        pin_threads(1)
        _WORKER["evaluator"] = model.open()
    except Exception as error:  # a failing initializer would make the Pool respawn forever
        _WORKER["error"] = (
            error
            if isinstance(error, FairpoolError)
            else SolverError(f"a worker could not open the coalition model: {error!r}")
        )


def _evaluate_in_worker(masks: np.ndarray) -> ChunkResult:
    if "error" in _WORKER:
        raise _WORKER["error"]  # type: ignore[misc]
    return _evaluate_chunk(_WORKER["evaluator"], masks)  # type: ignore[arg-type]


def _evaluate_on_dask_worker(
    masks: np.ndarray, model: CoalitionModel, model_key: str
) -> ChunkResult:
    """A Dask task: reuse this thread's evaluator of the model (opened on first use)."""
    evaluators: dict[str, CoalitionEvaluator] | None = getattr(_THREAD, "evaluators", None)
    if evaluators is None:
        from optimizer.solve import pin_threads

        pin_threads(1)  # HiGHS's scheduler is per thread: this thread's MILPs use one thread
        evaluators = _THREAD.evaluators = {}
    evaluator = evaluators.get(model_key)
    if evaluator is None:
        while len(evaluators) >= DASK_EVALUATORS_PER_THREAD:
            evaluators.pop(next(iter(evaluators)))
        evaluator = evaluators[model_key] = model.open()
    return _evaluate_chunk(evaluator, masks)


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
        self._model_future: object | None = None

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
        """Contiguous chunks: ~32 per worker (load balance) of 1 … 256 masks."""
        size = max(1, min(256, len(masks) // (32 * parallel)))
        return [masks[start : start + size] for start in range(0, len(masks), size)]

    def _evaluate(self, masks: np.ndarray) -> Iterator[ChunkResult]:
        if not masks.size:
            return
        if self.scheduler:
            yield from self._evaluate_dask(masks)
        elif self.workers > 1:
            yield from self._evaluate_pool(masks)
        else:
            evaluator = self.evaluator()
            for chunk in self._chunks(masks, 1):
                yield _evaluate_chunk(evaluator, chunk)

    def _evaluate_pool(self, masks: np.ndarray) -> Iterator[ChunkResult]:
        if not _spawn_can_start():
            warnings.warn(
                "worker processes cannot start from a script read from standard input "
                "(spawn re-imports the main file); computing coalition values serially",
                RuntimeWarning,
                stacklevel=4,
            )
            self.workers = 1
            yield from self._evaluate(masks)
            return
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(
                self.workers, initializer=_open_in_worker, initargs=(self.model,)
            )
        yield from self._pool.imap_unordered(_evaluate_in_worker, self._chunks(masks, self.workers))

    def _evaluate_dask(self, masks: np.ndarray) -> Iterator[ChunkResult]:
        try:
            from distributed import Client, as_completed
        except ImportError as error:
            raise CaseError(
                "a Dask scheduler needs dask.distributed: pip install 'fairpool[dask]'"
            ) from error
        if self._client is None:
            try:
                self._client = Client(self.scheduler, set_as_default=False, timeout="30s")
            except (OSError, TimeoutError) as error:
                raise CaseError(
                    f"cannot reach the Dask scheduler at {self.scheduler} ({error}); "
                    "check the address (e.g. tcp://host:8786) and that the scheduler runs"
                ) from error
            self._model_future = self._client.scatter(self.model, broadcast=True, hash=False)
        client = self._client
        workers = max(1, sum(client.nthreads().values()))  # type: ignore[attr-defined]
        futures = client.map(  # type: ignore[attr-defined]
            _evaluate_on_dask_worker,
            self._chunks(masks, workers),
            model=self._model_future,
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
    "CoalitionCache",
    "CoalitionEngine",
    "CoalitionEvaluator",
    "CoalitionModel",
    "CoalitionSettings",
    "CompiledEvaluator",
    "Progress",
    "coalition_label",
    "coalition_settings",
    "coalition_values",
    "content_key",
    "current_settings",
    "default_cache_path",
    "model_game",
    "resolve_workers",
]
