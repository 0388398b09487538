"""What runs in a worker process or a Dask worker thread: open a recipe once, run tasks.

:class:`WorkerPool` starts the worker processes (``spawn``) and talks to each over a pipe of
its own, one task in hand at a time, so it always knows which worker holds which coalitions
and sees at once, from the process's sentinel, a worker that died (killed, out of memory,
crashed): that ends in :class:`WorkerDied`, never in a wait for an answer that cannot come
(a :class:`multiprocessing.pool.Pool` replaces a dead worker, and its task never calls back).
Workers ignore SIGINT (Ctrl-C reaches a terminal's whole process group): the parent alone
stops the run and ends its workers, so one clean message is printed, not a traceback from
each worker. SIGINT is blocked from the worker's start until it ignores it.

Workers of a compiled model receive the :class:`~fairpool.optimizer.coalitions.compiled.
CompiledGame` and the numbers of their chunk, so they import numpy and highspy only — no
Pyomo, pandas or model family code (a test checks ``sys.modules`` of a fresh interpreter).
Keep this module's imports to numpy, the standard library and the engine's light modules.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from fairpool.optimizer.coalitions.compiled import (
    ChunkResult,
    CoalitionEvaluator,
    CoalitionModel,
    CompiledGame,
    ProgramRunner,
    Task,
)
from fairpool.optimizer.errors import FairpoolError, SolverError


@dataclass
class _WorkerState:
    """This worker process's task runner, or the error that opening it raised."""

    run: Callable[[Task], ChunkResult] | None = None
    error: Exception | None = None


_WORKER = _WorkerState()
"""Set once per worker process by :func:`open_in_worker`."""

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


def open_in_worker(pickled_recipe: bytes) -> None:
    """Pool initializer: one HiGHS thread for this process, then open the recipe once.

    The recipe comes pickled and is unpickled here, inside the ``try``: a worker that dies
    in its initializer (or while unpickling its arguments, e.g. when the model's class lives
    in a module a fresh process cannot import) is respawned by the pool forever, so every
    failure is kept and raised by the first task instead.
    """
    from fairpool.optimizer.solve import pin_threads

    try:
        pin_threads(1)
        recipe = pickle.loads(pickled_recipe)
        _WORKER.run = recipe.open()
    except Exception as error:
        _WORKER.error = (
            error
            if isinstance(error, FairpoolError)
            else SolverError(
                f"a worker process could not open the coalition model: {error!r}. The model's "
                "class must be importable by its module name in a fresh Python process."
            )
        )


def evaluate_in_worker(task: Task) -> ChunkResult:
    """A pool task: run it with this process's runner (or raise why it could not open)."""
    if _WORKER.error is not None:
        raise _WORKER.error
    if _WORKER.run is None:
        raise SolverError("a coalition worker ran a task before opening its model")
    return _WORKER.run(task)


def evaluate_on_dask_worker(task: Task, recipe: WorkerRecipe, model_key: str) -> ChunkResult:
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


# -- worker processes ---------------------------------------------------------------------------


class WorkerDied(SolverError):
    """A worker process ended while it held coalitions (killed, out of memory, crashed).

    ``exitcode`` is the process's (negative: the signal that ended it; None: unknown) and
    ``masks`` the coalitions it was solving, whose values are lost.
    """

    def __init__(self, exitcode: int | None, masks: np.ndarray) -> None:
        self.exitcode = exitcode
        self.masks = masks
        super().__init__(f"a worker process {how_it_ended(exitcode)}")


def how_it_ended(exitcode: int | None) -> str:
    """``exitcode`` of a process in words, e.g. "died (signal 9, perhaps out of memory)"."""
    if exitcode is None:
        return "stopped answering"
    if exitcode >= 0:
        return f"exited with code {exitcode}"
    number = -exitcode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "an unknown signal"
    if number == getattr(signal, "SIGKILL", None):
        return f"died (signal {number}, {name}: killed, perhaps by the system when out of memory)"
    return f"died (signal {number}, {name})"


def serve_tasks(connection: Connection, pickled_recipe: bytes) -> None:
    """A worker process's main: ignore SIGINT, open the recipe once, answer tasks until None.

    Each answer is ``(True, result)`` or ``(False, the error the task raised)``. A worker
    whose parent has gone (its pipe closed) ends quietly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    open_in_worker(pickled_recipe)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        reply: tuple[bool, Any]
        try:
            reply = (True, evaluate_in_worker(task))
        except Exception as error:  # handed to the parent, which raises it
            reply = (False, error)
        try:
            try:
                connection.send(reply)
            except (pickle.PicklingError, TypeError, AttributeError) as error:
                connection.send((False, SolverError(f"a worker's answer failed: {error!r}")))
        except OSError:
            return


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT held back in this thread (a process started here inherits the mask)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: Connection
    task: Task | None = None
    alive: bool = True


Outcome = ChunkResult | BaseException
"""What a worker hands back: a solved task, the error its task raised, or :class:`WorkerDied`."""


@dataclass(eq=False)
class WorkerPool:
    """``count`` spawned worker processes, each with the recipe opened once and a pipe.

    :meth:`submit` gives a task to an idle worker; :meth:`collect` waits until a worker
    answers or dies (or ``also`` becomes readable) and returns what happened. Use
    :meth:`close` (workers finish and exit) or :meth:`terminate` (SIGTERM now).
    """

    count: int
    pickled_recipe: bytes
    _workers: list[_Worker] = field(default_factory=list)

    def __post_init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        with sigint_blocked():  # no KeyboardInterrupt while a worker imports
            for number in range(1, self.count + 1):
                here, there = context.Pipe()
                process = context.Process(
                    target=serve_tasks,
                    args=(there, self.pickled_recipe),
                    name=f"fairpool-worker-{number}",
                    daemon=True,
                )
                process.start()
                there.close()
                self._workers.append(_Worker(process, here))

    @property
    def busy(self) -> int:
        """Workers holding a task."""
        return sum(worker.task is not None for worker in self._workers)

    @property
    def idle(self) -> int:
        """Living workers without a task."""
        return sum(worker.alive and worker.task is None for worker in self._workers)

    def submit(self, task: Task) -> None:
        """Hand ``task`` to an idle living worker (there must be one: see :attr:`idle`)."""
        worker = next(w for w in self._workers if w.alive and w.task is None)
        worker.task = task
        with contextlib.suppress(OSError):  # it died: collect() reports it with this task
            worker.connection.send(task)

    def collect(self, also: Connection | None = None) -> list[Outcome]:
        """Wait until a busy worker answers or dies, or ``also`` is readable; what happened.

        A worker that died is reported once, as :class:`WorkerDied` with the task it held
        (an idle worker that died is reported when it is next given a task).
        """
        busy = [worker for worker in self._workers if worker.task is not None]
        watched: list[Any] = [also] if also is not None else []
        for worker in busy:
            watched += [worker.connection, worker.process.sentinel]
        if not watched:
            return []
        ready = set(wait(watched))
        outcomes: list[Outcome] = []
        for worker in busy:
            if worker.connection not in ready and worker.process.sentinel not in ready:
                continue
            task, worker.task = worker.task, None
            assert task is not None
            try:
                if not worker.connection.poll():  # the process ended without an answer
                    raise EOFError
                answer = worker.connection.recv()[1]  # (ok, result or the task's error)
            except (EOFError, OSError, pickle.UnpicklingError):
                worker.alive = False
                worker.process.join(timeout=10)
                outcomes.append(WorkerDied(worker.process.exitcode, task[0]))
                continue
            outcomes.append(answer)
        return outcomes

    def close(self) -> None:
        """Let the workers finish their task and exit (those that do not: terminated)."""
        for worker in self._workers:
            if worker.alive:
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
        for worker in self._workers:
            worker.process.join(timeout=10)
        self.terminate()

    def terminate(self) -> None:
        """End every worker now (SIGTERM) and release its pipe."""
        for worker in self._workers:
            if worker.process.exitcode is None:
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join()
            worker.connection.close()
            worker.alive = False
        self._workers.clear()
