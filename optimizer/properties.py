"""Properties of a game: superadditive, convex (supermodular), monotone, essential.

Superadditivity, convexity and essentialness are properties of the *benefit form* v
(``game.savings_game()``): for a cost game they say that c is subadditive, concave
(submodular) and that c(N) < Σ c({i}). Monotonicity is checked on the game as stated: a
benefit game whose value never falls when a party joins, or a cost game whose cost never
falls when a party joins.

Every comparison allows the tolerance 1e-9 · max |v| (``game.tolerance``), relative to the
game's scale so that the properties do not depend on the money unit.

Superadditivity quantifies over all pairs of disjoint coalitions, 3^n of them, and no
faster exact test is known in general. fairpool decides it this way:

1. a convex game is superadditive (v(S ∪ T) − v(S) − v(T) ≥ v(S ∩ T) = 0): True;
2. the O(n·2^n) screen v(S ∪ {i}) ≥ v(S) + v({i}) for all i ∉ S finds most violations:
   False;
3. otherwise, for n ≤ :data:`FULL_SUPERADDITIVITY_LIMIT` parties, all 3^n/2 unordered
   disjoint pairs are checked exactly (vectorised, about half a second at n = 16);
4. above that limit the answer is ``None``: not decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairpool.optimizer.game import Game, tolerance

FULL_SUPERADDITIVITY_LIMIT = 16
"""Largest n for which superadditivity is checked over all 3^n disjoint pairs."""

_LOW_BLOCK = 12
"""Parties enumerated inside numpy arrays (3^12 pairs); the rest are looped over in Python."""


@dataclass(frozen=True)
class GameProperties:
    """Properties of a game (benefit form unless stated).

    Attributes:
        superadditive: v(S ∪ T) ≥ v(S) + v(T) for all disjoint S, T (cost games: c(S ∪ T) ≤
            c(S) + c(T)); ``None`` when not decided (only possible above
            :data:`FULL_SUPERADDITIVITY_LIMIT` parties, see the module docstring).
        convex: v(S ∪ T) + v(S ∩ T) ≥ v(S) + v(T) for all S, T (supermodular; cost games:
            c submodular). Convex games have a non-empty core containing the Shapley value
            (Shapley 1971).
        monotone: S ⊆ T implies v(S) ≤ v(T) (cost games: c(S) ≤ c(T)), on the game as stated.
        essential: Σ_i v({i}) < v(N): cooperation gains something (cost games:
            c(N) < Σ_i c({i})).
    """

    superadditive: bool | None
    convex: bool
    monotone: bool
    essential: bool


def is_convex(values: np.ndarray, n: int, tol: float) -> bool:
    """Supermodularity by its local form (Shapley 1971):

        v(S ∪ {i, j}) − v(S ∪ {i}) − v(S ∪ {j}) + v(S) ≥ 0   for all i < j and S ∌ i, j.

    For each pair, ``values.reshape(2**(n−j−1), 2, 2**(j−i−1), 2, 2**i)`` puts the four
    masks S, S∪{i}, S∪{j}, S∪{i,j} on axes 1 (bit j) and 3 (bit i): n(n−1)/2 array
    operations, none per coalition.
    """
    for j in range(1, n):
        for i in range(j):
            blocks = values.reshape(-1, 2, 1 << (j - i - 1), 2, 1 << i)
            second_difference = (
                blocks[:, 1, :, 1, :]
                - blocks[:, 1, :, 0, :]
                - blocks[:, 0, :, 1, :]
                + blocks[:, 0, :, 0, :]
            )
            if second_difference.min() < -tol:
                return False
    return True


def is_monotone(values: np.ndarray, n: int, tol: float) -> bool:
    """v(S) ≤ v(S ∪ {i}) for every party i and S ∌ i, which gives S ⊆ T ⇒ v(S) ≤ v(T)."""
    for i in range(n):
        pairs = values.reshape(-1, 2, 1 << i)
        if (pairs[:, 1, :] - pairs[:, 0, :]).min() < -tol:
            return False
    return True


def _single_party_screen(values: np.ndarray, n: int, tol: float) -> bool:
    """v(S ∪ {i}) ≥ v(S) + v({i}) for all i and S ∌ i: necessary for superadditivity."""
    for i in range(n):
        pairs = values.reshape(-1, 2, 1 << i)
        if (pairs[:, 1, :] - pairs[:, 0, :]).min() < values[1 << i] - tol:
            return False
    return True


def _disjoint_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """All 3^k pairs (S, T) of disjoint coalitions of the parties 0 … k−1, as two mask arrays.

    Each party is outside both, in S, or in T; built by tripling, like ``coalition_sums``.
    """
    first = np.zeros(1, dtype=np.int64)
    second = np.zeros(1, dtype=np.int64)
    for i in range(k):
        bit = 1 << i
        first = np.concatenate([first, first | bit, first])
        second = np.concatenate([second, second, second | bit])
    return first, second


def _all_pairs_superadditive(values: np.ndarray, n: int, tol: float) -> bool:
    """v(S ∪ T) ≥ v(S) + v(T) over all disjoint pairs, in 3^n/2 vectorised comparisons.

    Parties below ``_LOW_BLOCK`` are enumerated in numpy arrays; for each split of the other
    parties into (S_high, T_high) one vectorised comparison covers every low split. The swap
    (S, T) → (T, S) is skipped by keeping only S_high ≤ T_high (equal only when both are ∅).
    """
    low = min(n, _LOW_BLOCK)
    first_low, second_low = _disjoint_pairs(low)
    union_low = first_low | second_low
    first_high, second_high = _disjoint_pairs(n - low)
    for first, second in zip(
        (first_high << low).tolist(), (second_high << low).tolist(), strict=True
    ):
        if first > second:
            continue
        union = values[(first | second) + union_low]
        if np.any(union < values[first + first_low] + values[second + second_low] - tol):
            return False
    return True


def is_superadditive(values: np.ndarray, n: int, tol: float, convex: bool) -> bool | None:
    """Superadditivity of a benefit form, decided as the module docstring describes."""
    if convex:
        return True
    if not _single_party_screen(values, n, tol):
        return False
    if n <= FULL_SUPERADDITIVITY_LIMIT:
        return _all_pairs_superadditive(values, n, tol)
    return None


def game_properties(game: Game) -> GameProperties:
    """Superadditive, convex, monotone and essential, for any game up to 25 parties.

    Example (v(S) = |S|², convex hence superadditive):
        >>> g = Game.from_function("ABC", lambda s: len(s) ** 2)
        >>> game_properties(g)
        GameProperties(superadditive=True, convex=True, monotone=True, essential=True)
    """
    benefit = game.savings_game()
    tol = tolerance(benefit.values)
    convex = is_convex(benefit.values, game.n, tol)
    return GameProperties(
        superadditive=is_superadditive(benefit.values, game.n, tol, convex),
        convex=convex,
        monotone=is_monotone(game.values, game.n, tolerance(game.values)),
        essential=bool(benefit.grand_value - benefit.standalone_values.sum() > tol),
    )
