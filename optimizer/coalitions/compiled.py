"""The compiled coalition model: what a model family hands the engine, and the hot loop.

A family describes its model game as a :class:`CompiledCoalitionModel`: a picklable frozen
dataclass of numpy data whose :meth:`~CompiledCoalitionModel.compile` builds the Pyomo model
once and compiles it (:func:`fairpool.optimizer.solve.compile_pyomo`, notes §4b) into a
:class:`CompiledGame` (the programme as arrays plus the columns and rows a coalition changes),
and whose :meth:`~CompiledCoalitionModel.numbers` computes, with numpy and for a whole block of
coalitions at once, the :class:`CoalitionNumbers` each one puts there. :func:`solve_numbers`
is the one hot loop: push, ``run()``, check, read (≈ HiGHS time + 0.1 ms per coalition).
Models that are not one programme implement the plain :class:`CoalitionModel` (``open()`` →
a :class:`CoalitionEvaluator` of ``value(mask)``).

:func:`content_key` hashes a model description into the key of the disk cache.

A family whose v(S) programme is a Pyomo model extends :class:`PyomoCoalitionModel`, which
writes the cache key, ``open()`` and ``compile()`` once; :func:`link_pairs` and
:func:`define_links` are the dependencies and exclusions between build decisions that the
joint-park and infrastructure models share.

Importing this module imports numpy and the standard library only; highspy is loaded when a
compiled programme is opened.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, TypedDict, runtime_checkable

import numpy as np

from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import coalition_label

if TYPE_CHECKING:
    import highspy
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import CompiledModel, CompiledProgram

Task = tuple[np.ndarray, "CoalitionNumbers | None"]
"""A chunk of work: coalition masks, with their numbers when the model is compiled."""

ChunkResult = tuple[np.ndarray, np.ndarray, float]
"""(masks, their values, HiGHS seconds spent on them)."""


# -- the interface every model family implements -------------------------------------------------


@runtime_checkable
class CoalitionEvaluator(Protocol):
    """An opened model: v(S) (or c(S)) of any coalition, re-solving one live model.

    ``value(mask)`` raises :class:`~fairpool.optimizer.errors.SolverError` naming the
    coalition when a solve ends with anything but optimal. ``highs_time`` is the cumulative
    number of seconds HiGHS itself spent in ``run()`` (the physical limit the benchmark
    compares against).
    """

    highs_time: float

    def value(self, mask: int) -> float: ...


@runtime_checkable
class CoalitionModel(Protocol):
    """A model game's description: picklable (a frozen dataclass of numpy data) and cheap.

    ``players`` are the party ids in bit order (party ``i`` is bit ``i`` of a mask); read-only,
    so a frozen dataclass's field fits. ``cache_key()`` is a stable hash of everything v(S)
    depends on (case content and model version; see :func:`content_key`). ``open()`` builds and
    compiles the model once in the calling process (notes §4b) and returns its
    :class:`CoalitionEvaluator`.
    """

    @property
    def players(self) -> tuple[str, ...]: ...

    def cache_key(self) -> str: ...

    def open(self) -> CoalitionEvaluator: ...


def _no_index() -> np.ndarray:
    return np.zeros(0, dtype=np.int32)


@dataclass(frozen=True, eq=False)
class CompiledGame:
    """A model game's v(S) programme compiled once, and the places where coalitions change it.

    ``program`` is the LP/MILP as arrays (:class:`~fairpool.optimizer.solve.CompiledProgram`: any
    process opens it with highspy alone). A coalition changes the costs of
    ``cost_columns``, the bounds of ``bound_columns`` and the bounds of ``bound_rows``, as
    given by :meth:`CompiledCoalitionModel.numbers`. ``columns`` names groups of column
    indices for reading a solution (e.g. ``{"y": …}``, one per project).

    ``objective_scale`` makes v(S) unit-free: ``program`` holds the objective divided by it,
    every coalition's costs are divided by it before they are pushed and each optimum is
    multiplied by it (:func:`solve_numbers`). HiGHS's optimality and MIP-gap tolerances are
    absolute (``mip_abs_gap`` 1e-6, dual feasibility 1e-7), so a case written in units where
    v(S) ≈ 1e-9 would stop at the first incumbent; divided by a power of two near the
    largest cost (:func:`objective_scale`) the objective is of order one in any unit, and the
    division and the product are exact in floating point.
    """

    program: CompiledProgram
    cost_columns: np.ndarray = dataclasses.field(default_factory=_no_index)
    bound_columns: np.ndarray = dataclasses.field(default_factory=_no_index)
    bound_rows: np.ndarray = dataclasses.field(default_factory=_no_index)
    columns: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    objective_scale: float = 1.0


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


class _Digest(Protocol):
    """What :func:`_feed` needs of a ``hashlib`` hash object."""

    def update(self, data: bytes, /) -> None: ...


def _feed(digest: _Digest, item: object) -> None:
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
    raises :class:`~fairpool.optimizer.errors.SolverError` naming the coalition.
    """
    import highspy

    program = game.program
    optimal = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)
    scale = game.objective_scale
    cost = None if numbers.column_cost is None else numbers.column_cost / scale
    column_lower = _or(numbers.column_lower, program.column_lower[game.bound_columns])
    column_upper = _or(numbers.column_upper, program.column_upper[game.bound_columns])
    row_lower = _or(numbers.row_lower, program.row_lower[game.bound_rows])
    row_upper = _or(numbers.row_upper, program.row_upper[game.bound_rows])
    costs, columns, rows = game.cost_columns, game.bound_columns, game.bound_rows
    n_costs, n_columns, n_rows = len(costs), len(columns), len(rows)
    # highspy's stub (1.16) omits changeRowsBounds, which the extension module has
    change_rows = highs.changeRowsBounds  # type: ignore[attr-defined]
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
        change_rows(n_rows, rows, row_lower, row_upper)
        row_bounds = False
    column_lower_varies, row_lower_varies = column_lower.ndim == 2, row_lower.ndim == 2
    column_upper_varies, row_upper_varies = column_upper.ndim == 2, row_upper.ndim == 2

    change_cost, change_columns = highs.changeColsCost, highs.changeColsBounds
    run, status = highs.run, highs.getModelStatus
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
        values[k] = objective() * scale
    return values, highs.getRunTime() - started, len(solved)


def objective_scale(*costs: np.ndarray | None) -> float:
    """A power of two near the largest finite |cost| of the arrays given (1.0 when all are
    zero): dividing the objective by it is exact and makes it of order one in any money unit
    (see :class:`CompiledGame`).

    Example:
        >>> objective_scale(np.array([3e-9, -1e-10]), None), objective_scale(np.zeros(2))
        (3.725290298461914e-09, 1.0)
    """
    largest = max(
        (float(np.max(np.abs(c[np.isfinite(c)]), initial=0.0)) for c in costs if c is not None),
        default=0.0,
    )
    return 1.0 if largest == 0.0 else 2.0 ** round(math.log2(largest))


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


# -- a family's Pyomo model: the common part ------------------------------------------------------


class GamePlaces(TypedDict, total=False):
    """Where coalitions change a compiled programme: the fields of a :class:`CompiledGame`
    besides the programme (see there), as a family's model names them
    (:meth:`PyomoCoalitionModel.places`)."""

    cost_columns: np.ndarray
    bound_columns: np.ndarray
    bound_rows: np.ndarray
    columns: Mapping[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class PyomoCoalitionModel(ABC):
    """What every family's :class:`CompiledCoalitionModel` whose programme is a Pyomo model
    has and does the same way, written once: the players and the solver's time limit, the
    cache key, ``open()`` and ``compile()``.

    A family's model is a frozen dataclass extending this one with the numbers v(S) depends
    on (keyword-only ``players``, the party ids in bit order, and ``time_limit``, seconds per
    solve or ``None``, are here). Its class statement names the formulation's ``version``,
    part of the cache key (bump it when the model changes, so that cached values are not
    reused), and the ``evaluator`` that ``open()`` returns (:class:`CompiledEvaluator` or a
    family's subclass that reads its columns)::

        @dataclass(frozen=True, eq=False)
        class ParkCoalitionModel(PyomoCoalitionModel, version="joint_park.coalitions/1",
                                 evaluator=ParkEvaluator):
            weights: np.ndarray
            ...

    and it implements :meth:`build` (the Pyomo model with placeholder numbers),
    :meth:`places` and :meth:`numbers`.
    """

    VERSION: ClassVar[str]
    EVALUATOR: ClassVar[type[CompiledEvaluator]]
    players: tuple[str, ...] = dataclasses.field(kw_only=True)
    time_limit: float | None = dataclasses.field(default=None, kw_only=True)

    def __init_subclass__(
        cls, *, version: str, evaluator: type[CompiledEvaluator] = CompiledEvaluator
    ) -> None:
        super().__init_subclass__()
        cls.VERSION = version
        cls.EVALUATOR = evaluator

    def cache_key(self) -> str:
        """Hash of every field (every number v(S) depends on) and :attr:`VERSION`
        (:func:`content_key`)."""
        return content_key(self, self.VERSION)

    def open(self) -> CompiledEvaluator:
        """Build and compile the model once in this process (notes §4b); its evaluator."""
        return self.EVALUATOR(self)

    def compile(self) -> CompiledGame:
        """The programme compiled once (notes §4b): :meth:`build`, translated to HiGHS
        (:func:`~fairpool.optimizer.solve.compile_pyomo`) with :attr:`time_limit`, and the
        places a coalition changes (:meth:`places`)."""
        from fairpool.optimizer.solve import compile_pyomo

        m = self.build()
        compiled = compile_pyomo(m)
        program = compiled.program(self.time_limit)
        places = self.places(m, compiled)
        grand = self.numbers(np.array([(1 << len(self.players)) - 1], dtype=np.int64))
        fixed_cost = program.column_cost.copy()
        if grand.column_cost is not None:  # placeholders, replaced by every coalition's costs
            fixed_cost[places.get("cost_columns", _no_index())] = 0.0
        scale = objective_scale(fixed_cost, grand.column_cost)
        program = dataclasses.replace(
            program, column_cost=program.column_cost / scale, offset=program.offset / scale
        )
        return CompiledGame(program=program, objective_scale=scale, **places)

    @abstractmethod
    def build(self) -> pyo.ConcreteModel:
        """The v(S) model, built once: a coalition will change only the numbers at
        :meth:`places` (mutable placeholders must be non-zero, or the writer drops them)."""

    @abstractmethod
    def places(self, m: pyo.ConcreteModel, compiled: CompiledModel) -> GamePlaces:
        """The columns and rows of ``m`` (as compiled) that a coalition changes, and the
        named column groups an evaluator reads."""

    @abstractmethod
    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """What each coalition of ``masks`` puts at :meth:`places` (see
        :class:`CompiledCoalitionModel`)."""


def link_pairs(
    depends_on: Sequence[frozenset[int]], excludes: Sequence[frozenset[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """(dependencies, exclusions) of things that are built or not (projects, components), as
    ``(k, 2)`` int64 arrays of index pairs: (p, q) when p needs q (in the order of p, then
    q), and each excluding pair once as (min, max), sorted."""
    dependencies = [(p, q) for p, needed in enumerate(depends_on) for q in sorted(needed)]
    exclusions = sorted({(min(p, q), max(p, q)) for p, other in enumerate(excludes) for q in other})
    return (
        np.array(dependencies, dtype=np.int64).reshape(-1, 2),
        np.array(exclusions, dtype=np.int64).reshape(-1, 2),
    )


def define_links(m: pyo.ConcreteModel, dependencies: np.ndarray, exclusions: np.ndarray) -> None:
    """y_p ≤ y_q for each (p, q) of ``dependencies`` (p needs q), and y_p + y_q ≤ 1 for each
    (p, q) of ``exclusions``, on the model's build decisions ``m.y`` (:func:`link_pairs`)."""
    import pyomo.environ as pyo

    needs, excluded = dependencies.tolist(), exclusions.tolist()
    m.depends = pyo.Constraint(
        range(len(needs)), rule=lambda m, j: m.y[needs[j][0]] <= m.y[needs[j][1]]
    )
    m.exclude = pyo.Constraint(
        range(len(excluded)), rule=lambda m, j: m.y[excluded[j][0]] + m.y[excluded[j][1]] <= 1
    )
