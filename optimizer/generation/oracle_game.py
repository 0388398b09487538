"""A coalition game known only through its separation oracle, for the plan models.

A plan model (ratios or cost shares under the rules, closest to a target, with core rows
x(S) + ε ≥ v(S)) needs of its game only: the parties, v(N), the stand-alone values, one
money scale, and the core rows it actually holds. Above the enumeration limit those rows
come by constraint generation, exactly as the least core's do (Hallefjord, Helming &
Jørnsten 1995): solve the plan with the rows found so far, ask the oracle for the coalition
the plan's amounts hurt most, add its row, solve again; stop when no coalition is violated.
:class:`OracleGame` offers exactly those numbers, so the same plan code runs on a full
:class:`~fairpool.optimizer.game.Game` (rows scanned from the table) or on an oracle (rows
found by one MILP each), and never holds 2^n values.

Two derived views are what the plan models build on: :meth:`OracleGame.scaled` (every
amount divided by the case's money scale, so HiGHS sees numbers of order 1) and
:meth:`OracleGame.savings_game` (s(S) = Σ_{i∈S} c({i}) − c(S), the benefit form in which
cost games are planned). Both are answered through the one oracle of the case's own game.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from fairpool.optimizer.game import Orientation, members
from fairpool.optimizer.generation.oracle import CoalitionOracle, OracleStatistics, Violation


@dataclass(frozen=True)
class _View:
    """How an :class:`OracleGame`'s numbers derive from its oracle's: divided by
    ``divisor``, and as the savings game of a cost game when ``savings``."""

    divisor: float = 1.0
    savings: bool = False


@dataclass(eq=False)
class OracleGame:
    """The coalition game of a case seen through ``oracle`` (module docstring).

    ``values`` is deliberately absent: code that needs the whole table cannot run on this
    game by mistake. ``known`` holds the oracle's values of the coalitions learned so far
    (given, solved or named by a separation), so none is solved twice; it and the
    ``standalone_values`` (solved once, on first use) are shared by every view. ``seed``:
    coalitions known to matter (e.g. those the nucleolus generated), whose core rows a plan
    model holds from the start, so that its row generation starts near its end.
    """

    oracle: CoalitionOracle
    names: tuple[str, ...] = ()
    attributes: Mapping[str, np.ndarray] = field(default_factory=dict)
    known: dict[int, float] = field(default_factory=dict)
    seed: frozenset[int] = frozenset()
    view: _View = field(default_factory=_View)
    _standalone: list[np.ndarray] = field(default_factory=list, repr=False)

    # -- what a Game also offers ------------------------------------------------------------

    @property
    def players(self) -> tuple[str, ...]:
        return tuple(self.oracle.players)

    @property
    def n(self) -> int:
        return len(self.oracle.players)

    @property
    def grand_mask(self) -> int:
        return (1 << self.n) - 1

    @property
    def orientation(self) -> Orientation:
        return "benefit" if self.view.savings else self.oracle.orientation

    @property
    def grand_value(self) -> float:
        return self.value(self.grand_mask)

    @property
    def standalone_values(self) -> np.ndarray:
        alone = self._raw_standalone()
        if self.view.savings:
            return np.zeros(self.n)
        return alone / self.view.divisor

    @property
    def statistics(self) -> OracleStatistics:
        return self.oracle.statistics

    def attribute(self, name: str) -> np.ndarray:
        return np.asarray(self.attributes[name], dtype=float)

    # -- the numbers of single coalitions ---------------------------------------------------

    def value(self, mask: int) -> float:
        """v(S) (c(S); s(S) for the savings view) of one coalition, solved exactly."""
        if mask == self.grand_mask:
            return self._from_raw(mask, self.oracle.grand_value)
        if mask not in self.known:
            self.known[mask] = self.oracle.value(mask)
        return self._from_raw(mask, self.known[mask])

    def values_of(self, masks: Sequence[int]) -> np.ndarray:
        """:meth:`value` of each of ``masks``."""
        return np.array([self.value(int(mask)) for mask in masks], dtype=np.float64)

    def scale_basis(self) -> float:
        """max(|v(N)|, max_i |v({i})|) of the case's own numbers (c for a savings view), in
        this view's units: what the money scale is taken from when the table is not at hand
        (1.0 for a zero game)."""
        largest = max(
            abs(self.oracle.grand_value), float(np.abs(self._raw_standalone()).max(initial=0))
        )
        return largest / self.view.divisor if largest > 0.0 else 1.0

    # -- the separation ---------------------------------------------------------------------

    def most_violated(self, shares: np.ndarray, count: int = 1) -> list[Violation]:
        """The coalitions ``shares`` hurt most, in this view's orientation and units: excess
        v(S) − x(S) (benefit, savings) or x(S) − c(S) (cost). For the savings view the
        savings y are turned back into cost shares x_i = c({i}) − y_i, whose cost excess
        x(S) − c(S) = s(S) − y(S) is the savings excess itself."""
        shares = np.asarray(shares, dtype=np.float64) * self.view.divisor
        if self.view.savings:
            shares = self._raw_standalone() - shares
        found = self.oracle.most_violated(shares, count=count)
        self.known.update((v.mask, v.value) for v in found)
        return [
            Violation(v.mask, self._from_raw(v.mask, v.value), v.excess / self.view.divisor)
            for v in found
        ]

    # -- views ------------------------------------------------------------------------------

    def scaled(self, divisor: float) -> OracleGame:
        """This game with every amount divided by ``divisor``."""
        return self._with(_View(self.view.divisor * divisor, self.view.savings))

    def savings_game(self) -> OracleGame:
        """s(S) = Σ_{i∈S} c({i}) − c(S) of a cost game (benefit orientation)."""
        if self.oracle.orientation != "cost" or self.view.savings:
            raise ValueError("the savings game is defined for a cost game only")
        return self._with(_View(self.view.divisor, True))

    def _with(self, view: _View) -> OracleGame:
        return OracleGame(
            self.oracle, self.names, self.attributes, self.known, self.seed, view, self._standalone
        )

    def _from_raw(self, mask: int, own: float) -> float:
        """This view's number of coalition ``mask`` from the oracle's own value of it."""
        if self.view.savings:
            own = float(self._raw_standalone()[members(mask, self.n)].sum()) - own
        return own / self.view.divisor

    def _raw_standalone(self) -> np.ndarray:
        if not self._standalone:
            for i in range(self.n):
                if 1 << i not in self.known:
                    self.known[1 << i] = self.oracle.value(1 << i)
            alone = [self.known[1 << i] for i in range(self.n)]
            self._standalone.append(np.array(alone, dtype=np.float64))
        return self._standalone[0]


__all__ = ["OracleGame"]
