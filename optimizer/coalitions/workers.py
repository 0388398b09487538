"""What runs in a worker process or a Dask worker thread: open a recipe once, run tasks.

Workers of a compiled model receive the :class:`~fairpool.optimizer.coalitions.compiled.
CompiledGame` and the numbers of their chunk, so they import numpy and highspy only — no
Pyomo, pandas or model family code (a test checks ``sys.modules`` of a fresh interpreter).
Keep this module's imports to numpy, the standard library and the engine's light modules.
"""

from __future__ import annotations

import functools
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass

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
