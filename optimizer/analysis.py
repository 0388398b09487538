"""Everything fairpool says about one game: allocations by every method, their fairness,
the game's properties and its least core, in one frozen result.

This is what ``fairpool game`` prints and what the model families report for their coalition
games. A method that does not apply to a game (the nucleolus of a game without imputations,
the τ-value of a game that is not quasi-balanced, a proportional rule without attributes)
is listed in ``skipped`` with the reason, instead of failing the whole analysis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fairpool.optimizer.errors import CaseError, InfeasibleError
from fairpool.optimizer.fairness import FairnessReport, check_allocation
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.properties import GameProperties, game_properties
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions import method_names, solve_method
from fairpool.optimizer.solutions.nucleolus import least_core_epsilon

REFERENCE_METHODS = ("shapley", "nucleolus")
"""Allocations every fairness report measures its distance to."""


@dataclass(frozen=True)
class GameAnalysis:
    """Allocations, fairness and properties of one game.

    Attributes:
        game: the game analysed.
        allocations: method key → allocation, in the order asked (``"proposal"`` last).
        fairness: method key → fairness report of that allocation.
        skipped: method key → why it does not apply to this game.
        properties: superadditive, convex, monotone, essential.
        least_core_epsilon: ε* (SPEC §4 convention); the core is empty iff ε* > 0.
    """

    game: Game
    allocations: Mapping[str, Allocation]
    fairness: Mapping[str, FairnessReport]
    skipped: Mapping[str, str]
    properties: GameProperties
    least_core_epsilon: float

    @property
    def core_empty(self) -> bool:
        """The core is empty iff ε* > 0 (beyond the numerical tolerance)."""
        return self.least_core_epsilon > tolerance(self.game.values)


def _reference_allocations(
    game: Game, allocations: Mapping[str, Allocation]
) -> dict[str, Allocation]:
    """Shapley and nucleolus, reused from ``allocations`` or computed (skipped if they
    do not apply, e.g. no nucleolus without imputations)."""
    reference = {}
    for method in REFERENCE_METHODS:
        if method in allocations:
            reference[method] = allocations[method]
            continue
        try:
            reference[method] = solve_method(game, method)
        except (CaseError, InfeasibleError):
            continue
    return reference


def analyse_game(
    game: Game,
    methods: Sequence[str] | None = None,
    proposal: np.ndarray | None = None,
) -> GameAnalysis:
    """Compute the allocations of ``methods`` (default: all that apply), check each, and the
    ``proposal`` (shares in the game's orientation) if given.

    Unknown method keys raise :class:`CaseError`; a method that does not apply to this game
    (:class:`CaseError` or :class:`InfeasibleError` from it) lands in ``skipped``.
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
            allocations[method] = solve_method(game, method)
        except (CaseError, InfeasibleError) as error:
            if method.partition(":")[0] not in method_names():
                raise
            skipped[method] = str(error)
    if "least_core" in allocations:
        epsilon = float(allocations["least_core"].details["epsilon"])
    else:
        epsilon = least_core_epsilon(game)
    if proposal is not None:
        allocations["proposal"] = Allocation("proposal", game.players, proposal)
    reference = _reference_allocations(game, allocations)
    fairness = {
        method: check_allocation(game, allocation, reference=reference)
        for method, allocation in allocations.items()
    }
    return GameAnalysis(
        game=game,
        allocations=allocations,
        fairness=fairness,
        skipped=skipped,
        properties=game_properties(game),
        least_core_epsilon=epsilon,
    )
