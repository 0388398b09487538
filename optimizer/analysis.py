"""Everything fairpool says about one game: allocations by the methods asked for, their
fairness, and, when asked, the game's properties and its least core, in one frozen result.

This is what ``fairpool game`` prints and what the model families report for their coalition
games. A method that does not apply to a game (the nucleolus of a game without imputations,
the τ-value of a game that is not quasi-balanced, a proportional rule without attributes)
is listed in ``skipped`` with the reason, instead of failing the whole analysis.

Only the work asked for is done: each method's fairness entry needs one scan of the
excesses, nothing more; the least core (ε*, one LP stage with row generation), the four
properties (convexity alone is n(n−1)/2 passes over the 2**n values) and the reference
allocations of the distances (Shapley, and the nucleolus: a sequence of LPs) are computed
only when asked (``core``, ``properties``, ``references``), and ``not_computed`` says which
were left out. The library default asks for everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import numpy as np

from fairpool.optimizer.errors import CaseError, InfeasibleError
from fairpool.optimizer.fairness import FairnessReport, check_allocation
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.properties import GameProperties, game_properties
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions import method_names, solve_method

REFERENCE_METHODS = ("shapley", "nucleolus")
"""Allocations every fairness report measures its distance to."""

NOT_ASKED = "not asked for"
"""The reason in ``not_computed`` for a part left out."""

_T = TypeVar("_T")


class MemoryRefusal(CaseError):
    """A part of the analysis needs more memory than the machine can give (exit 2, with the
    figures), raised instead of a ``MemoryError``."""


@dataclass(frozen=True)
class GameAnalysis:
    """Allocations, fairness and properties of one game.

    Attributes:
        game: the game analysed.
        allocations: method key → allocation, in the order asked (``"proposal"`` last).
        fairness: method key → fairness report of that allocation.
        skipped: method key → why it does not apply to this game.
        not_computed: part (``"core"``, ``"properties"``) → why it was left out; a report
            prints that instead of the part. Reading the part anyway computes it then.
        properties: superadditive, convex, monotone, essential (computed when first read
            if :func:`analyse_game` was not asked for them).
        least_core_epsilon: ε* (SPEC §4 convention); the core is empty iff ε* > 0 (the same).
    """

    game: Game
    allocations: Mapping[str, Allocation]
    fairness: Mapping[str, FairnessReport]
    skipped: Mapping[str, str]
    not_computed: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def properties(self) -> GameProperties:
        return _within_memory(self.game, "the game's properties", game_properties)

    @cached_property
    def least_core_epsilon(self) -> float:
        return _within_memory(self.game, "the least core", least_core_epsilon)

    @property
    def core_empty(self) -> bool:
        """The core is empty iff ε* > 0 (beyond the numerical tolerance)."""
        return self.least_core_epsilon > tolerance(self.game.values)


def least_core_epsilon(game: Game) -> float:
    """ε* (:func:`fairpool.optimizer.solutions.nucleolus.least_core_epsilon`), its module
    imported on the first call: an analysis not asked for the core loads no LP code."""
    from fairpool.optimizer.solutions import nucleolus

    return nucleolus.least_core_epsilon(game)


def _within_memory(game: Game, what: str, compute: Callable[[Game], _T]) -> _T:
    """``compute(game)``, with a :class:`CaseError` giving the figures instead of a
    ``MemoryError`` when the machine cannot hold what it needs."""
    try:
        return compute(game)
    except MemoryError:
        from fairpool.optimizer.workbook.cells import available_memory

        available = available_memory()
        free = f"; {available / 1e9:.1f} GB is free on this machine" if available else ""
        raise MemoryRefusal(
            f"{what} of this {game.n}-party game ({1 << game.n:,} coalitions, "
            f"{(8 << game.n) / 1e9:.2f} GB per array of their values) needs more memory than "
            f"this process can get (the system refused it{free}: a limit on the process, "
            "such as ulimit -v or a container's, may be lower); ask for fewer methods "
            "(--method), or group parties so that fewer remain"
        ) from None


def _reference_allocations(
    game: Game, allocations: Mapping[str, Allocation], compute: bool
) -> dict[str, Allocation]:
    """Shapley and nucleolus, reused from ``allocations`` or (``compute``) computed; skipped
    if they do not apply, e.g. no nucleolus without imputations."""
    reference = {}
    for method in REFERENCE_METHODS:
        if method in allocations:
            reference[method] = allocations[method]
        elif compute:
            try:
                reference[method] = _within_memory(game, method, _solver(method))
            except MemoryRefusal:
                raise
            except (CaseError, InfeasibleError):
                continue
    return reference


def _solver(method: str) -> Callable[[Game], Allocation]:
    return lambda game: solve_method(game, method)


def analyse_game(
    game: Game,
    methods: Sequence[str] | None = None,
    proposal: np.ndarray | None = None,
    *,
    core: bool = True,
    properties: bool = True,
    references: bool = True,
) -> GameAnalysis:
    """Compute the allocations of ``methods`` (default: all that apply), check each, and the
    ``proposal`` (shares in the game's orientation) if given.

    ``core``: compute ε* (free when ``least_core`` is among the methods); ``properties``: the
    four properties; ``references``: compute Shapley and nucleolus for the distances of the
    fairness reports even when they are not among the methods. What is left out is listed in
    ``not_computed``.

    Unknown method keys raise :class:`CaseError`; a method that does not apply to this game
    (:class:`CaseError` or :class:`InfeasibleError` from it) lands in ``skipped``; a method
    that needs more memory than the machine holds raises :class:`MemoryRefusal` (a
    :class:`CaseError`) with the figures.
    """
    asked = list(methods) if methods else method_names()
    if not methods and not game.attributes:
        asked.remove("proportional")
    if not methods and "benefit" not in game.attributes:
        asked.remove("equal_bcr")
    allocations: dict[str, Allocation] = {}
    skipped: dict[str, str] = {}
    for method in asked:
        try:
            allocations[method] = _within_memory(game, method, _solver(method))
        except MemoryRefusal:
            raise
        except (CaseError, InfeasibleError) as error:
            if method.partition(":")[0] not in method_names():
                raise
            skipped[method] = str(error)
    if proposal is not None:
        allocations["proposal"] = Allocation("proposal", game.players, proposal)
    reference = _reference_allocations(game, allocations, references)
    fairness = {
        method: _within_memory(
            game, f"the fairness check of {method}", _checker(allocation, reference)
        )
        for method, allocation in allocations.items()
    }
    not_computed = {}
    if not core and "least_core" not in allocations:
        not_computed["core"] = NOT_ASKED
    if not properties:
        not_computed["properties"] = NOT_ASKED
    analysis = GameAnalysis(game, allocations, fairness, skipped, not_computed)
    if "least_core" in allocations:  # ε* comes with it
        epsilon = float(allocations["least_core"].details["epsilon"])
        analysis.__dict__["least_core_epsilon"] = epsilon  # the cached_property's value
    elif core:
        _ = analysis.least_core_epsilon
    if properties:
        _ = analysis.properties
    return analysis


def _checker(
    allocation: Allocation, reference: Mapping[str, Allocation]
) -> Callable[[Game], FairnessReport]:
    return lambda game: check_allocation(game, allocation, reference=reference)
