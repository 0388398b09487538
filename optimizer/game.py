"""The transferable-utility game: fairpool's front door.

A game on the parties N = {0, …, n−1} gives every coalition S ⊆ N a number: its value v(S)
(benefit games, more is better) or its cost c(S) (cost games, less is better). Coalitions are
bitmasks: party ``i`` is in ``S`` iff bit ``i`` of the mask is set, so the grand coalition is
``2**n − 1`` and ``values[mask]`` is the value of that coalition. Dense arrays, not dicts of
frozensets: n = 20 is a million coalitions, and every scan over them is a numpy operation.

Solution concepts are functions on a ``Game`` (``optimizer.solutions``); they work on the
*benefit form* of a game: the game itself for benefit games and the savings game
s(S) = Σ_{i∈S} c({i}) − c(S) for cost games, then turn the result back into cost shares
with x_i = c({i}) − y_i (see :meth:`Game.to_orientation`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from fairpool.optimizer.errors import CaseError

Orientation = Literal["benefit", "cost"]
MAX_PLAYERS = 25
"""Dense storage limit: 2**25 coalitions are 256 MiB of float64."""


# -- numerics: the one place that defines the engine's tolerances ---------------------------
# Every tolerance of the engine is relative to the scale of the game's values, so that a game
# written in 元 and the same game in 亿元 (or in units of 1e-9) are judged alike, and every
# engine LP is solved on the values divided by a power of two near that scale (a unit range,
# :func:`unit_scale`), then scaled back.

RELATIVE_TOLERANCE = 1e-9
"""Comparisons of values and shares allow 1e-9 times the scale of the game's values."""

LP_FEASIBILITY_TOLERANCE = 1e-10
"""HiGHS's primal and dual feasibility tolerance for the engine LPs, which are solved on
values scaled to a unit range (:func:`value_scale`): an order below
:data:`RELATIVE_TOLERANCE`, so that LP errors never decide a verdict."""

VERIFICATION_TOLERANCE = 1e-7
"""Relative slack of Kohlberg's check, which re-derives excess levels from the reported
shares (looser than :data:`RELATIVE_TOLERANCE`: it verifies, it does not decide verdicts)."""

MAX_VALUE = float(2**53)
"""Largest |v(S)| a game accepts: 2**53 ≈ 9.007e15, beyond which a float64 no longer holds
every whole amount exactly (1e16 + 1 is stored as 1e16). Larger values are refused with a
:class:`CaseError` asking for a larger unit: the engine itself is scale-free, but amounts
that size are almost always a unit mistake (1e16 元 is a hundred times China's GDP)."""


SMALLEST_TOLERANCE = float(np.finfo(np.float64).tiny)
"""≈ 2.2e-308, the smallest normal float: the one floor of :func:`tolerance`. It is not a
unit (it changes nothing for any game whose largest value exceeds ≈ 1e-299). Below it floats
lose their relative precision (subnormals: 5e-324 / 2 is 0), so a :class:`Game` stores
values smaller than this as 0."""


def value_scale(values: np.ndarray) -> float:
    """max |v|, the scale every tolerance is relative to; 0.0 for a zero (or empty) game.

    Example:
        >>> value_scale(np.array([0.0, 5e6, -2e7]))
        20000000.0
    """
    return float(np.abs(values).max()) if np.size(values) else 0.0


def tolerance(values: np.ndarray, relative: float = RELATIVE_TOLERANCE) -> float:
    """relative · max |v|: the slack allowed when comparing sums of these values.

    No absolute floor: a game in units of 1e-9 is judged exactly like the same game in units
    of 1 (a floor such as max(1, max |v|) would wave through a blocking coalition worth
    1e-9). The only floor is :data:`SMALLEST_TOLERANCE`, the float format's own limit.

    Example:
        >>> tolerance(np.array([0.0, 5e6, -2e7]))
        0.02
        >>> tolerance(np.array([0.0, 1e-9, -2e-9]))
        2e-18
    """
    return max(relative * value_scale(values), SMALLEST_TOLERANCE)


def unit_scale(values: np.ndarray) -> float:
    """The divisor that brings ``values`` to a unit range before an LP: the power of two
    2**e with max |v| in [2**(e−1), 2**e), or 1.0 for a zero game (whose LPs then see the
    zeros as they are). A power of two divides every float exactly, so the scaled LP data
    carry no rounding of their own, and a game and the same game times 2**k solve alike.

    Example:
        >>> unit_scale(np.array([0.0, 3.0, -5.0])), unit_scale(np.zeros(4))
        (8.0, 1.0)
    """
    scale = value_scale(values)
    return math.ldexp(1.0, math.frexp(scale)[1]) if scale > 0.0 else 1.0


@lru_cache(maxsize=32)
def coalition_sizes(n: int) -> np.ndarray:
    """|S| for every coalition mask 0 … 2**n − 1 (read-only int8 array)."""
    sizes = np.zeros(1, dtype=np.int8)
    for _ in range(n):
        sizes = np.concatenate([sizes, sizes + 1])
    sizes.setflags(write=False)
    return sizes


def coalition_sums(x: np.ndarray) -> np.ndarray:
    """x(S) = Σ_{i∈S} x_i for every coalition mask, in O(2**n) by doubling.

    The array for players 0 … k is the array for 0 … k−1 followed by itself plus x_k,
    which is exactly bitmask order; each doubling writes its upper half in place, so the
    2**n sums take one array and one pass (n = 24: 3× faster than concatenating, half the
    memory).
    """
    x = np.asarray(x, dtype=np.float64)
    sums = np.empty(1 << x.size)
    sums[0] = 0.0
    for i, x_i in enumerate(x.tolist()):
        half = 1 << i
        np.add(sums[:half], x_i, out=sums[half : 2 * half])
    return sums


def members(mask: int, n: int) -> list[int]:
    """The party indices in a coalition mask, in increasing order."""
    return [i for i in range(n) if mask >> i & 1]


def membership_matrix(masks: np.ndarray, n: int) -> np.ndarray:
    """Rows of 0/1 membership: entry (k, i) is 1.0 iff party i is in coalition masks[k]."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def requirements_met(masks: np.ndarray, required: np.ndarray) -> np.ndarray:
    """[R_j ⊆ S_k] for every coalition masks[k] and every required set (mask) required[j]."""
    masks = np.asarray(masks, dtype=np.int64)
    return (required[None, :] & masks[:, None]) == required[None, :]


def coalition_label(players: Sequence[str], mask: int) -> str:
    """``"A+B"`` for a coalition mask (ids in player order; ``""`` for the empty set)."""
    return "+".join(p for i, p in enumerate(players) if mask >> i & 1)


@dataclass(frozen=True, eq=False)
class Game:
    """A TU game over up to 25 parties, stored densely by coalition bitmask.

    Attributes:
        players: party ids (``"SZ"``), in bit order: party ``i`` is bit ``i``.
        values: v(S) (or c(S) for cost games) for every mask; ``values[0] == 0``. Read-only.
            |v(S)| ≤ :data:`MAX_VALUE` (larger values are refused); values below
            :data:`SMALLEST_TOLERANCE` in magnitude (subnormal floats) are stored as 0.
        orientation: ``"benefit"`` (v, more is better) or ``"cost"`` (c, less is better).
        names: display names (``"深圳"``); default: the ids.
        attributes: numeric party attributes by name (population, demand, benefit, …),
            one array of length n each, in player order.

    Example:
        >>> g = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
        >>> g.value("A+B"), g.label(0b01)
        (6.0, 'A')
    """

    players: tuple[str, ...]
    values: np.ndarray
    orientation: Orientation = "benefit"
    names: tuple[str, ...] = ()
    attributes: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        players = tuple(str(p) for p in self.players)
        n = len(players)
        if n == 0:
            raise CaseError("a game needs at least one party")
        if n > MAX_PLAYERS:
            raise CaseError(f"{n} parties: dense games hold at most {MAX_PLAYERS}")
        if len(set(players)) != n:
            raise CaseError(f"party ids must be unique, got {list(players)}")
        if self.orientation not in ("benefit", "cost"):
            raise CaseError(f"orientation must be 'benefit' or 'cost', got {self.orientation!r}")
        values = np.array(self.values, dtype=np.float64)
        if values.shape != (1 << n,):
            raise CaseError(f"{n} parties need {1 << n} coalition values, got {values.shape}")
        if not np.all(np.isfinite(values)):
            raise CaseError("coalition values must be finite numbers")
        values[0] = 0.0
        values[np.abs(values) < SMALLEST_TOLERANCE] = 0.0  # subnormals: see SMALLEST_TOLERANCE
        _check_magnitude(players, values)
        values.setflags(write=False)
        names = tuple(str(s) for s in self.names) if self.names else players
        if len(names) != n:
            raise CaseError(f"{n} parties but {len(names)} display names")
        attributes = {}
        for key, column in dict(self.attributes).items():
            array = np.array(column, dtype=np.float64)
            if array.shape != (n,):
                raise CaseError(f"attribute {key!r} needs one number per party")
            array.setflags(write=False)
            attributes[key] = array
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "attributes", attributes)

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_function(
        cls,
        players: Iterable[str],
        coalition_value: Callable[[frozenset[str]], float],
        orientation: Orientation = "benefit",
        *,
        names: Sequence[str] = (),
        attributes: Mapping[str, np.ndarray] | None = None,
    ) -> Game:
        """Build a game by calling ``coalition_value(S)`` on every non-empty coalition."""
        players = tuple(players)
        n = len(players)
        values = np.zeros(1 << n)
        for mask in range(1, 1 << n):
            values[mask] = coalition_value(frozenset(players[i] for i in members(mask, n)))
        return cls(players, values, orientation, tuple(names), dict(attributes or {}))

    @classmethod
    def from_mapping(
        cls,
        players: Iterable[str],
        coalition_values: Mapping[str, float],
        orientation: Orientation = "benefit",
        *,
        names: Sequence[str] = (),
        attributes: Mapping[str, np.ndarray] | None = None,
    ) -> Game:
        """Build a game from ``{"A+B": value}``; every non-empty coalition must be listed."""
        players = tuple(players)
        values = np.full(1 << len(players), np.nan)
        values[0] = 0.0
        index = {p: i for i, p in enumerate(players)}
        for label, value in coalition_values.items():
            values[_mask_of_label(label, index)] = float(value)
        missing = np.flatnonzero(np.isnan(values))
        if missing.size:
            labels = ", ".join(coalition_label(players, int(m)) for m in missing[:5])
            raise CaseError(f"{missing.size} coalitions have no value (e.g. {labels})")
        return cls(players, values, orientation, tuple(names), dict(attributes or {}))

    # -- size and coalitions -----------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of parties."""
        return len(self.players)

    @property
    def grand_mask(self) -> int:
        """Bitmask of the grand coalition N."""
        return (1 << self.n) - 1

    @property
    def grand_value(self) -> float:
        """v(N), or c(N) for a cost game: the amount every allocation distributes."""
        return float(self.values[-1])

    @property
    def standalone_values(self) -> np.ndarray:
        """v({i}) (or c({i})) for each party, in player order."""
        return self.values[1 << np.arange(self.n)]

    def mask(self, coalition: str | Iterable[str]) -> int:
        """Bitmask of a coalition given as ``"A+B"`` or as an iterable of party ids."""
        index = {p: i for i, p in enumerate(self.players)}
        if isinstance(coalition, str):
            return _mask_of_label(coalition, index)
        mask = 0
        for party in coalition:
            if party not in index:
                raise CaseError(f"unknown party {party!r}; parties are {', '.join(self.players)}")
            mask |= 1 << index[party]
        return mask

    def label(self, mask: int) -> str:
        """``"A+B"`` for a coalition mask (ids in player order; ``""`` for the empty set)."""
        return coalition_label(self.players, mask)

    def value(self, coalition: str | Iterable[str] | int) -> float:
        """v(S) of a coalition given as a mask, ``"A+B"`` or an iterable of ids."""
        mask = coalition if isinstance(coalition, int) else self.mask(coalition)
        return float(self.values[mask])

    # -- orientation ---------------------------------------------------------------------
    def savings_game(self) -> Game:
        """The benefit form: s(S) = Σ_{i∈S} c({i}) − c(S) for a cost game, itself otherwise."""
        if self.orientation == "benefit":
            return self
        savings = coalition_sums(self.standalone_values) - self.values
        savings.setflags(write=False)
        # Built without __post_init__: this game was checked, and its savings may exceed
        # MAX_VALUE (up to (n + 1)·max |c|) without any amount the user wrote doing so.
        game = object.__new__(Game)
        for name, value in (
            ("players", self.players),
            ("values", savings),
            ("orientation", "benefit"),
            ("names", self.names),
            ("attributes", self.attributes),
        ):
            object.__setattr__(game, name, value)
        return game

    def to_orientation(self, benefit_shares: np.ndarray) -> np.ndarray:
        """Turn an allocation of the benefit form back into this game's terms.

        Cost games: x_i = c({i}) − y_i, so that Σ x_i = c(N) when Σ y_i = s(N).
        """
        shares = np.asarray(benefit_shares, dtype=np.float64)
        if self.orientation == "benefit":
            return shares
        return self.standalone_values - shares

    def to_benefit_form(self, shares: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_orientation`: y_i = c({i}) − x_i for cost games."""
        return self.to_orientation(shares)

    def excesses(self, shares: np.ndarray) -> np.ndarray:
        """How much better off each coalition would be on its own, for every mask.

        v(S) − x(S) for benefit games and x(S) − c(S) for cost games: > 0 means S blocks x.
        """
        sums = coalition_sums(shares)
        if self.orientation == "benefit":
            return self.values - sums
        return sums - self.values

    def attribute(self, name: str) -> np.ndarray:
        """A party attribute by name, with an error listing the known ones."""
        if name not in self.attributes:
            known = ", ".join(sorted(self.attributes)) or "none"
            raise CaseError(f"no party attribute {name!r} (known attributes: {known})")
        return self.attributes[name]


def _check_magnitude(players: Sequence[str], values: np.ndarray) -> None:
    """Refuse values beyond :data:`MAX_VALUE`, naming the largest and its coalition."""
    largest = int(np.argmax(np.abs(values)))
    if abs(values[largest]) > MAX_VALUE:
        raise CaseError(
            f"coalition {coalition_label(players, largest)} has the value "
            f"{values[largest]:.6g}, beyond {MAX_VALUE:.4g} (2**53), the largest amount a "
            "float holds to the unit: write the amounts in a larger unit (e.g. 万元 or 亿元 "
            "instead of 元)"
        )


def _mask_of_label(label: str, index: Mapping[str, int]) -> int:
    mask = 0
    for token in str(label).replace(" ", "").split("+"):
        if token == "":
            continue
        if token not in index:
            raise CaseError(f"unknown party {token!r} in coalition {label!r}")
        bit = 1 << index[token]
        if mask & bit:
            raise CaseError(f"party {token!r} appears twice in coalition {label!r}")
        mask |= bit
    return mask
