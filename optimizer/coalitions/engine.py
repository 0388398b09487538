"""The coalition engine: v(S) of a model game for many coalitions, serial, parallel or on Dask.

:class:`CoalitionEngine` owns the evaluator, the worker pool or Dask client, the disk cache
and the progress callback for one model; :func:`coalition_values` and :func:`model_game` are
the one-call forms. See the package docstring (:mod:`fairpool.optimizer.coalitions`) for the
design: built once and re-solved, exact and checked, parallel, distributed, cached.

Faults. A worker process that dies (``kill -9``, the system short of memory, a crash) is seen
at once by :class:`~fairpool.optimizer.coalitions.workers.WorkerPool` and *stops the run*: the
tasks in hand elsewhere finish and their values reach the cache, the other workers are ended,
and :class:`~fairpool.optimizer.errors.SolverError` says what happened, how many values the
cache holds and to run again to resume (e.g. "a worker process died (signal 9, SIGKILL:
killed, perhaps by the system when out of memory) while solving 3 coalitions; 252 coalition
values are in the cache (…); run again to resume (with fewer workers if memory is short)").
The lost coalitions are not re-solved here or in a new worker: whatever killed the worker
(most often memory) would likely strike again, perhaps this process next, and the cache
makes the next run cost only what was lost. An engine asked again after that starts new
workers. Ctrl-C: workers ignore SIGINT, so the ``KeyboardInterrupt`` is this process's alone;
it stops the run, the cache keeps what was solved, and the workers are ended.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Unpack

import numpy as np

from fairpool.optimizer.coalitions.cache import CoalitionCache
from fairpool.optimizer.coalitions.compiled import (
    ChunkResult,
    CoalitionEvaluator,
    CoalitionModel,
    CoalitionNumbers,
    CompiledCoalitionModel,
    ProgramRunner,
    Task,
)
from fairpool.optimizer.coalitions.settings import EngineOptions, Progress, current_settings
from fairpool.optimizer.coalitions.workers import (
    WorkerDied,
    WorkerPool,
    WorkerRecipe,
    evaluate_on_dask_worker,
    task_runner,
)
from fairpool.optimizer.errors import CaseError, SolverError
from fairpool.optimizer.game import MAX_PLAYERS, Game, Orientation

if TYPE_CHECKING:
    from distributed import Client, Future

PARALLEL_FROM_SECONDS = 0.5
"""Worker processes are started only when the work left after one timed task is estimated
at this many seconds or more (a spawned worker needs ≈ 0.2 s to start)."""

NUMBERS_BLOCK = 1 << 15
"""A compiled model's numbers are computed for at most this many coalitions at a time."""


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
        self._pool: WorkerPool | None = None
        self._client: Client | None = None
        self._recipe_future: Future[WorkerRecipe] | None = None

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
            self._pool = None
        if self._client is not None:
            self._client.close()
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
                    "use the sampled Shapley value (fairpool.optimizer.solutions.sampling)"
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
        except WorkerDied as died:
            raise SolverError(self._lost_worker(died)) from died
        finally:
            if self.disk is not None:
                self.disk.flush()
        flat = np.fromiter((known[m] for m in masks.ravel().tolist()), np.float64, masks.size)
        return flat.reshape(masks.shape)

    def _lost_worker(self, died: WorkerDied) -> str:
        """What happened when a worker died, what is kept and what to do."""
        known = len(self._known) - 1  # v(∅) is never stored
        if self.disk is None:
            kept = (
                f"{known:,} coalition values were solved, but no cache is in use to keep them; "
                "run again, with a cache to resume from"
            )
        else:
            kept = (
                f"{known:,} coalition values are in the cache ({self.disk.path}); "
                "run again to resume"
            )
        return (
            f"{died} while solving {len(died.masks):,} coalitions; {kept} "
            "(with fewer workers if memory is short)"
        )

    def _chunks(self, masks: np.ndarray, parallel: int) -> list[np.ndarray]:
        """Contiguous chunks: ~32 per solving process (load balance) of 1 … 256 masks."""
        size = max(1, min(256, len(masks) // (32 * parallel)))
        return [masks[start : start + size] for start in range(0, len(masks), size)]

    def _solvers(self) -> int:
        """How many solve at once: the Dask cluster's threads, or the worker processes."""
        if self.scheduler:
            return max(1, sum(self._dask_client().nthreads().values()))
        return self.workers

    def _evaluate(self, masks: np.ndarray) -> Iterator[ChunkResult]:
        if not masks.size:
            return
        if isinstance(self.model, CompiledCoalitionModel):
            yield from self._evaluate_compiled(self.model, masks)
        else:
            yield from self._run([(chunk, None) for chunk in self._chunks(masks, self._solvers())])

    def _evaluate_compiled(
        self, model: CompiledCoalitionModel, masks: np.ndarray
    ) -> Iterator[ChunkResult]:
        """Numbers by numpy here, in blocks; coalitions with equal numbers solved once."""
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

        The workers take tasks from the front, one in hand each; the thread (HiGHS releases
        the GIL while it solves) takes them from the back. This process starts solving at
        once, while the workers are still starting up, and both stay busy to the last task.

        A worker that dies (killed, out of memory) stops the run: no task is handed out any
        more, the tasks in hand elsewhere finish and are yielded (so their values reach the
        cache), the workers are ended and :class:`WorkerDied` is raised. Its coalitions are
        not re-solved here or in a new worker: what killed it (most often the system, short
        of memory) would likely strike again, and the cache makes the next run resume.
        """
        import queue
        from collections import deque

        if self._pool is None:
            self._pool = WorkerPool(self.workers - 1, pickle.dumps(self._recipe()))
        pool = self._pool
        pending = deque(tasks)
        arrived: queue.SimpleQueue[ChunkResult | BaseException | None] = queue.SimpleQueue()
        woken, wake = multiprocessing.Pipe(duplex=False)  # the thread wakes pool.collect()
        failure: WorkerDied | None = None

        def solve_here() -> None:
            from fairpool.optimizer.solve import pin_threads

            try:
                pin_threads(1)  # one HiGHS thread here too: the cores are the workers'
                while True:
                    try:
                        task = pending.pop()
                    except IndexError:
                        break
                    arrived.put(here(task))
                    wake.send_bytes(b"")
            except BaseException as error:  # handed to the caller's thread
                arrived.put(error)
            finally:
                arrived.put(None)
                wake.send_bytes(b"")

        def feed() -> None:
            while failure is None and pool.idle:
                try:
                    task = pending.popleft()
                except IndexError:
                    return
                pool.submit(task)

        feed()
        helper = threading.Thread(target=solve_here, name="fairpool-coalitions", daemon=True)
        helper.start()
        helper_done = False
        try:
            while not helper_done or pool.busy:
                solved: list[ChunkResult] = []
                for outcome in pool.collect(woken):
                    if isinstance(outcome, WorkerDied):
                        failure = failure or outcome
                        pending.clear()
                    elif isinstance(outcome, BaseException):
                        raise outcome
                    else:
                        solved.append(outcome)
                feed()
                while woken.poll():
                    woken.recv_bytes()
                while True:
                    try:
                        item = arrived.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        helper_done = True
                    elif isinstance(item, BaseException):
                        raise item
                    else:
                        solved.append(item)
                yield from solved
        finally:
            pending.clear()
            helper.join()
            woken.close()
            wake.close()
        if failure is not None:
            self._pool = None
            pool.terminate()
            raise failure

    def _dask_client(self) -> Client:
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
            self._recipe_future = client.scatter(self._recipe(), broadcast=True, hash=False)
        futures = client.map(
            evaluate_on_dask_worker,
            tasks,
            recipe=self._recipe_future,
            model_key=self.key,
            pure=False,
        )
        try:
            for future in as_completed(futures, loop=client.loop):
                yield future.result()
        finally:
            client.cancel(futures)


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
    **same_options: Unpack[EngineOptions],
) -> Game:
    """The dense :class:`~fairpool.optimizer.game.Game` of a model: v(S) for all 2**n coalitions.

    ``same_options`` are those of :func:`coalition_values` (workers, cache, scheduler,
    progress). For more than ``exact_limit`` (15) parties prefer
    :func:`fairpool.optimizer.solutions.sampling.model_shapley`, which samples instead of
    enumerating.
    """
    check_enumeration_memory(model.players)
    values = coalition_values(model, None, **same_options)
    return Game(model.players, values, orientation, tuple(names), dict(attributes or {}))


BYTES_PER_COALITION = 1024
"""Memory one coalition of an enumerated game costs a command, all steps together: its value
and label, the least core's and nucleolus's LP rows, the results' coalition table. Measured
peaks are ≈ 0.2 KB per coalition for an infrastructure case of 14–16 parties (solve, 220–233
MB in all) and ≈ 0.9–1.0 KB per coalition for explicit games of 20–22 parties (938 MiB and
3.9 GiB); the larger figure is used."""

BASE_BYTES = 256 << 20
"""Memory a command needs before any coalition (Python, numpy, pandas, Pyomo, HiGHS)."""


def enumeration_memory(parties: int) -> int:
    """Bytes that solving all 2**parties − 1 coalitions of a case is expected to need
    (:data:`BYTES_PER_COALITION` each, plus :data:`BASE_BYTES`): 20 parties ≈ 1.3 GB, 24
    parties ≈ 17 GB, 26 parties ≈ 69 GB.

    Example:
        >>> round(enumeration_memory(20) / 1e9, 2), round(enumeration_memory(24) / 1e9, 1)
        (1.34, 17.4)
    """
    return BYTES_PER_COALITION * (1 << parties) + BASE_BYTES


def check_enumeration_memory(players: Sequence[str]) -> None:
    """Refuse, before any solve, a game whose 2**n coalitions would not fit in the memory
    this process can use (:func:`~fairpool.optimizer.workbook.cells.available_memory`), with
    the figures and what to do instead. No check when the available memory is unknown."""
    from fairpool.optimizer.workbook.cells import available_memory

    available = available_memory()
    needed = enumeration_memory(len(players))
    if available is None or needed <= available:
        return
    raise CaseError(
        f"{len(players)} parties: solving all {(1 << len(players)) - 1:,} coalitions needs "
        f"about {needed / 1e9:,.1f} GB of memory, but {available / 1e9:.1f} GB is available. "
        "Each party more doubles it. Without --exact, `fairpool check CASE` and `fairpool "
        "solve CASE --target nucleolus` answer by constraint generation (no table of "
        "coalition values); `fairpool shapley CASE` samples the Shapley value with standard "
        "errors; or group parties so that fewer remain"
    )
