"""The coalition engine: v(S) of a model game for many coalitions, at the speed of HiGHS.

A *model game* gives v(S) (or c(S)) by solving an optimisation model restricted to S. Real
cases spend their time here: 2**n solves. The engine does them once, well, for every model
family (SPEC §6; measurements in ``shared/notes/pyomo_highs.md``):

- **Built once, re-solved per coalition.** A family describes its model as a
  :class:`CompiledCoalitionModel`: a picklable frozen dataclass of numpy data whose
  :meth:`~CompiledCoalitionModel.compile` builds the Pyomo model once and compiles it
  (:func:`fairpool.optimizer.solve.compile_pyomo`, notes §4b) into a :class:`CompiledGame` — the
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
  :class:`~fairpool.optimizer.errors.SolverError` naming the coalition.
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
        result = fairpool.solve(case)

The package's modules, by responsibility:

- :mod:`~fairpool.optimizer.coalitions.compiled`: what a family hands the engine (the
  protocols, :class:`CompiledGame`, :class:`CoalitionNumbers`, :func:`content_key`, the base
  :class:`PyomoCoalitionModel` with :func:`link_pairs` and :func:`define_links`) and the
  hot loop (:func:`solve_numbers`, :class:`ProgramRunner`, :class:`CompiledEvaluator`);
- :mod:`~fairpool.optimizer.coalitions.settings`: :func:`coalition_settings` and friends;
- :mod:`~fairpool.optimizer.coalitions.cache`: the SQLite :class:`CoalitionCache`;
- :mod:`~fairpool.optimizer.coalitions.workers`: what a worker process or Dask thread runs
  (it imports numpy and highspy only);
- :mod:`~fairpool.optimizer.coalitions.engine`: :class:`CoalitionEngine`,
  :func:`coalition_values`, :func:`model_game`.

Importing this package imports numpy and the standard library only; HiGHS, Pyomo and Dask are
loaded when a model is opened or a cluster is used.
"""

from fairpool.optimizer.coalitions.cache import COMMIT_SECONDS, CoalitionCache
from fairpool.optimizer.coalitions.compiled import (
    ChunkResult,
    CoalitionEvaluator,
    CoalitionModel,
    CoalitionNumbers,
    CompiledCoalitionModel,
    CompiledEvaluator,
    CompiledGame,
    GamePlaces,
    ProgramRunner,
    PyomoCoalitionModel,
    Task,
    content_key,
    define_links,
    link_pairs,
    solve_numbers,
)
from fairpool.optimizer.coalitions.engine import (
    NUMBERS_BLOCK,
    PARALLEL_FROM_SECONDS,
    CoalitionEngine,
    coalition_values,
    model_game,
    resolve_workers,
)
from fairpool.optimizer.coalitions.settings import (
    CoalitionSettings,
    EngineOptions,
    Progress,
    SettingsChanges,
    SettingsOverrides,
    coalition_settings,
    current_settings,
    default_cache_path,
)
from fairpool.optimizer.coalitions.workers import WorkerRecipe, task_runner

__all__ = [
    "COMMIT_SECONDS",
    "NUMBERS_BLOCK",
    "PARALLEL_FROM_SECONDS",
    "ChunkResult",
    "CoalitionCache",
    "CoalitionEngine",
    "CoalitionEvaluator",
    "CoalitionModel",
    "CoalitionNumbers",
    "CoalitionSettings",
    "CompiledCoalitionModel",
    "CompiledEvaluator",
    "CompiledGame",
    "EngineOptions",
    "GamePlaces",
    "ProgramRunner",
    "Progress",
    "PyomoCoalitionModel",
    "SettingsChanges",
    "SettingsOverrides",
    "Task",
    "WorkerRecipe",
    "coalition_settings",
    "coalition_values",
    "content_key",
    "current_settings",
    "default_cache_path",
    "define_links",
    "link_pairs",
    "model_game",
    "resolve_workers",
    "solve_numbers",
    "task_runner",
]
