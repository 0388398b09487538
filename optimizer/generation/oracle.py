"""The separation oracle: which coalition does a split hurt most, without enumerating 2^n.

Every core question about a split x is a question about its *excesses*

    e(S, x) = v(S) − x(S)   (benefit games: what S gains alone beyond what x gives it)
    e(S, x) = x(S) − c(S)   (cost games: what x charges S beyond its stand-alone cost)

(the same number the engine's ``Game.excesses`` reports, in the game's own orientation), and
"max over S of e(S, x)" answers them all: x is in the core iff that maximum is ≤ 0 (within
the tolerance), the least core is the smallest such maximum, the nucleolus the
lexicographically smallest vector of them. :class:`CoalitionOracle` is that maximisation as
an interface, so that the constraint-generation algorithms of this package
(Hallefjord, Helming & Jørnsten 1995) never need a table of 2^n values:

* :class:`EnumeratedOracle` answers from a :class:`~fairpool.optimizer.game.Game`'s full
  table (the brute-force oracle of the tests, and the fast path up to ~20 parties);
* :class:`~fairpool.optimizer.generation.separation.ModelSeparator` answers with one MILP over
  membership binaries added to a family's compiled coalition model (40 parties and more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from fairpool.optimizer.game import Game, Orientation, coalition_sums


@dataclass(frozen=True)
class Violation:
    """One coalition found by the oracle: its ``mask``, its stand-alone ``value`` (v(S) or
    c(S), in the game's own orientation and unit) and its ``excess`` e(S, x) at the x asked
    about."""

    mask: int
    value: float
    excess: float


@dataclass
class OracleStatistics:
    """What the oracle has spent so far: separation calls, MILP (or scan) solves, coalition
    values solved for certificates, and seconds inside the solver."""

    separations: int = 0
    solves: int = 0
    values: int = 0
    solver_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class CoalitionOracle(Protocol):
    """The coalition game seen only through questions, never as a table.

    ``players`` in bit order (party i is bit i of a mask); ``orientation`` "benefit" or
    "cost"; ``grand_value`` v(N) or c(N).

    ``value(mask)`` is v(S) (c(S)) of one coalition, solved exactly: the certificate of a
    coalition the oracle named.

    ``most_violated(x, excluded=…, count=k)`` returns up to k proper, non-empty coalitions
    (neither ∅ nor N) that are not in ``excluded``, sorted by decreasing excess e(S, x); the
    first is an exact maximiser of e(S, x) over all such coalitions (to the solver's
    tolerance, relative to the game's scale), the others are the best the oracle found
    cheaply (they may not be the true 2nd…kth). An empty list means every proper coalition
    is excluded.
    """

    @property
    def players(self) -> tuple[str, ...]: ...

    @property
    def orientation(self) -> Orientation: ...

    @property
    def grand_value(self) -> float: ...

    @property
    def statistics(self) -> OracleStatistics: ...

    def value(self, mask: int) -> float: ...

    def most_violated(
        self, shares: np.ndarray, *, excluded: Sequence[int] = (), count: int = 1
    ) -> list[Violation]: ...


class EnumeratedOracle:
    """A :class:`CoalitionOracle` over a full table of values: one vectorised scan per call.

    Exact by construction, so it is the oracle the generation algorithms are tested against.
    """

    def __init__(self, game: Game) -> None:
        self.game = game
        self._statistics = OracleStatistics()

    @property
    def players(self) -> tuple[str, ...]:
        return tuple(self.game.players)

    @property
    def orientation(self) -> Orientation:
        return self.game.orientation

    @property
    def grand_value(self) -> float:
        return float(self.game.grand_value)

    @property
    def statistics(self) -> OracleStatistics:
        return self._statistics

    def value(self, mask: int) -> float:
        self._statistics.values += 1
        return float(self.game.values[mask])

    def most_violated(
        self, shares: np.ndarray, *, excluded: Sequence[int] = (), count: int = 1
    ) -> list[Violation]:
        self._statistics.separations += 1
        self._statistics.solves += 1
        values = self.game.values
        sums = coalition_sums(np.asarray(shares, dtype=np.float64))
        excess = values - sums if self.orientation == "benefit" else sums - values
        excess = excess.astype(np.float64, copy=True)
        excess[0] = -np.inf
        excess[self.game.grand_mask] = -np.inf
        if len(excluded):
            excess[np.asarray(excluded, dtype=np.int64)] = -np.inf
        finite = np.flatnonzero(np.isfinite(excess))
        if finite.size == 0:
            return []
        k = min(count, finite.size)
        top = finite[np.argpartition(-excess[finite], k - 1)[:k]]
        top = top[np.argsort(-excess[top], kind="stable")]
        return [Violation(int(m), float(values[m]), float(excess[m])) for m in top]


__all__ = ["CoalitionOracle", "EnumeratedOracle", "OracleStatistics", "Violation"]
