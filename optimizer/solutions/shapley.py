"""The Shapley value (Shapley 1953), exact, in one pass over the dense bitmask array.

Definition, for a game v on the parties N with n = |N|:

    φ_i(v) = Σ_{S ⊆ N∖{i}} w(|S|) · (v(S ∪ {i}) − v(S)),   w(s) = s! (n − s − 1)! / n!

the average marginal contribution of party i over the n! orders in which the grand coalition
can form (L. S. Shapley, "A value for n-person games", Contributions to the Theory of
Games II, 1953).

One sum per party. Every coalition S appears in φ_i once: as S ∪ {i} when i ∈ S (weight
w(|S| − 1)) and as S when i ∉ S (weight −w(|S|)). With Σ_{S∌i} = Σ_S − Σ_{S∋i},

    φ_i = Σ_{S ∋ i} c(|S|) v(S) − B,   c(s) = w(s − 1) + w(s),   B = Σ_S w(|S|) v(S),

(w(−1) = w(n) = 0): a sum over the coalitions that contain i, minus one constant.

Folding. The sums Σ_{S∋i} u(S) of an array u over all masks come, for every i at once, from
folding it in half n times: the upper half of u holds the masks with the top party, so its
total is that party's sum, and adding it onto the lower half leaves the same array for the
other n − 1 parties (:func:`member_sums`). The 2**n values are read once, in blocks of
2**14 that stay in the cache: each block is weighted by c(|S|), added onto one accumulator
block and totalled; the accumulator is then folded for the low parties and the block totals
for the high ones. B needs no pass of its own (see :func:`shapley_values`). Time: one read
of the array (n = 24, 16.7 million coalitions: about 0.06 s); memory: two blocks and the
weights of a block for each count of high parties (about 1 MiB at n = 20).

Cost games: the Shapley value is linear and efficient, so applying the formula to c itself
gives cost shares that sum to c(N). They equal the shares obtained through the savings game
(x_i = c({i}) − φ_i(s)), because s is c's negation plus an additive game.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from fairpool.optimizer.game import Game, coalition_sizes
from fairpool.optimizer.results import Allocation

BLOCK_BITS = 14
"""Coalitions are read in blocks of 2**14 (128 KiB of float64: they stay in the cache)."""


def shapley_weights(n: int) -> np.ndarray:
    """w(s) = s!(n − s − 1)!/n! for s = 0 … n − 1, and w(n) = 0 (no party is outside N).

    Example:
        >>> shapley_weights(3).tolist()
        [0.3333333333333333, 0.16666666666666666, 0.3333333333333333, 0.0]
    """
    weights = [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)]
    return np.array([*weights, 0.0])


def fold(array: np.ndarray, out: np.ndarray) -> None:
    """``out[j]`` = the total of ``array`` over the masks holding bit j, for an array over
    2**k masks (k = ``len(out)``), by k folds in place (``array`` is overwritten).

    Example:
        >>> sums = np.empty(2); fold(np.array([1.0, 2.0, 4.0, 8.0]), sums); sums.tolist()
        [10.0, 12.0]
    """
    for j in range(len(out) - 1, -1, -1):
        half = 1 << j
        upper = array[half : 2 * half]
        out[j] = upper.sum()
        array[:half] += upper


def member_sums(
    values: np.ndarray, n: int, weights: np.ndarray | None = None, block_bits: int | None = None
) -> tuple[np.ndarray, float]:
    """For every party i, Σ_{S∋i} a(|S|) v(S), and the total Σ_S a(|S|) v(S) over all masks.

    ``weights`` a is indexed by coalition size (length n + 1); None means 1 for every size.
    One pass over ``values`` in blocks of 2**``block_bits`` (default :data:`BLOCK_BITS`; see
    the module docstring): block h (its high bits) has the sizes |low| + popcount(h).
    """
    values = np.asarray(values, dtype=np.float64)
    k = min(n, BLOCK_BITS if block_bits is None else block_bits)
    block = 1 << k
    accumulator = np.zeros(block)
    weighted = np.empty(block)
    block_totals = np.empty(1 << (n - k))
    by_size = None
    if weights is not None:  # row p: the weights of a block whose high bits count p parties
        sizes = coalition_sizes(k)[None, :] + np.arange(n - k + 1, dtype=np.int8)[:, None]
        by_size = weights[sizes]
    for h, high in enumerate(coalition_sizes(n - k).tolist()):
        part = values[h * block : (h + 1) * block]
        if by_size is None:
            accumulator += part
            block_totals[h] = part.sum()
        else:
            np.multiply(part, by_size[high], out=weighted)
            accumulator += weighted
            block_totals[h] = weighted.sum()
    total = float(block_totals.sum())
    sums = np.empty(n)
    fold(accumulator, sums[:k])
    fold(block_totals, sums[k:])
    return sums, total


def shapley_values(values: np.ndarray, n: int) -> np.ndarray:
    """φ for a dense bitmask array of 2**n coalition values: φ_i = Σ_{S∋i} c(|S|) v(S) − B
    (see the module docstring), all n sums by folding, in one pass.

    The constant needs no pass of its own: w(s) = s · c(s) / n − [s = n] / n for 1 ≤ s ≤ n
    and w(0) = 1 / n,
    so B = (Σ_j Σ_{S∋j} c(|S|) v(S) − v(N) + v(∅)) / n.
    """
    w = shapley_weights(n)
    c = w.copy()
    c[1:] += w[:-1]  # c(s) = w(s) + w(s − 1); c(0) would weigh v(∅), a member of no S ∋ i
    sums, _ = member_sums(values, n, c)
    constant = (float(sums.sum()) - float(values[-1]) + float(values[0])) / n
    return sums - constant


def shapley(game: Game) -> Allocation:
    """The Shapley value of a game, in the game's orientation (cost games: cost shares).

    φ_i = Σ_{S⊆N∖{i}} |S|!(n−|S|−1)!/n! · (v(S∪{i}) − v(S))   (Shapley 1953).

    Example:
        >>> g = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
        >>> shapley(g).as_dict()
        {'A': 2.5, 'B': 3.5}
    """
    return Allocation("shapley", game.players, shapley_values(game.values, game.n))
