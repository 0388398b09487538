"""Fill the missing coalitions of a game table by the best partition into listed coalitions.

Water-resources studies publish cost tables with only the coalitions that were costed; a
coalition that was not costed can always do what its parts do separately, so its cost is the
cheapest way to split it into costed coalitions (SPEC §2.4, ``--fill partition``). For a
benefit game it is the most valuable split.

For a missing coalition S the filled value is

    f(S) = best over partitions {T₁, …, T_k} of S into listed coalitions of Σⱼ listed(Tⱼ),

with "best" = min for cost games and max for benefit games; listed coalitions keep their
listed value. The best partition g(S) satisfies the recursion (g(∅) = 0)

    g(S) = best over listed T ⊆ S with min(S) ∈ T of listed(T) ⊕ g(S ∖ T),

where ⊕ is + and min(S) is the lowest party index in S: fixing the block that holds min(S)
enumerates each partition once. Coalitions are processed by decreasing min(S), so g(S ∖ T)
(whose parties all lie above min(S)) is final when needed. Over all S this visits every pair
(T, S∖T) of disjoint sets once: O(3ⁿ) time, done here in numpy in blocks of 3^(n−1−b) pairs,
which limits it to n ≤ :data:`MAX_FILL_PARTIES` (3¹⁶ ≈ 43 million pairs: a few seconds).

Example (cost game, A+B missing):
    >>> import numpy as np
    >>> fill_by_partition(np.array([0, 4, 5, np.nan]), "cost").tolist()
    [0.0, 4.0, 5.0, 9.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from fairpool.optimizer.errors import CaseError

MAX_FILL_PARTIES = 16
"""Largest game the O(3ⁿ) partition fill accepts."""


def fill_by_partition(
    values_with_nan: np.ndarray,
    orientation: str,
    players: Sequence[str] | None = None,
) -> np.ndarray:
    """Values for every coalition mask, NaN entries replaced by their best partition.

    Args:
        values_with_nan: v(S) (or c(S)) by coalition bitmask, length 2**n; NaN = not listed.
            The empty coalition (index 0) is taken as 0.
        orientation: ``"cost"`` (missing = cheapest partition) or ``"benefit"`` (most valuable).
        players: party ids, only to name the parties in error messages.

    Raises:
        CaseError: n > :data:`MAX_FILL_PARTIES`, or some singleton {i} is not listed (then some
            coalitions have no partition into listed ones).
    """
    values = np.array(values_with_nan, dtype=np.float64)
    n = values.size.bit_length() - 1
    if values.size != 1 << n:
        raise ValueError(f"need 2**n values, got {values.size}")
    if orientation not in ("cost", "benefit"):
        raise ValueError(f"orientation must be 'cost' or 'benefit', got {orientation!r}")
    values[0] = 0.0
    listed = ~np.isnan(values)
    if listed.all():
        return values
    names = list(players) if players is not None else [f"party {i + 1}" for i in range(n)]
    if n > MAX_FILL_PARTIES:
        raise CaseError(
            f"--fill partition handles at most {MAX_FILL_PARTIES} parties (it takes 3^n steps); "
            f"this game has {n}: list every coalition instead"
        )
    singleton_missing = [names[i] for i in range(n) if not listed[1 << i]]
    if singleton_missing:
        raise CaseError(
            "--fill partition needs the value of every party on its own; missing: "
            + ", ".join(singleton_missing)
        )

    sign = 1.0 if orientation == "cost" else -1.0
    listed_cost = np.where(listed, sign * values, np.inf)
    best = _best_partition_costs(listed_cost, n)
    filled = np.where(listed, values, sign * best)
    return filled


def _best_partition_costs(listed_cost: np.ndarray, n: int) -> np.ndarray:
    """g(S) for every mask: the least total cost of a partition of S into listed coalitions.

    ``listed_cost`` holds +inf for coalitions that are not listed.
    """
    best = np.full(1 << n, np.inf)
    best[0] = 0.0
    if n == 0:
        return best
    block_parts, block_owners, block_starts = _submask_pairs(n - 1)
    for low in range(n - 1, -1, -1):
        m = n - 1 - low  # parties above ``low``
        pairs = 3**m
        part = block_parts[:pairs]  # T ∖ {low}, as an m-bit set of the parties above low
        rest = block_owners[:pairs] ^ part  # S ∖ T, in the same coordinates
        shift = low + 1
        candidates = listed_cost[(1 << low) | (part.astype(np.int64) << shift)]
        candidates = candidates + best[rest.astype(np.int64) << shift]
        owners = (1 << low) | (np.arange(1 << m, dtype=np.int64) << shift)
        best[owners] = np.minimum.reduceat(candidates, block_starts[: 1 << m])
    return best


@lru_cache(maxsize=4)
def _submask_pairs(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (A, A₁ ⊆ A) of m-bit sets, grouped by A in increasing order.

    Returns ``(parts, owners, starts)``: pair k is (owners[k], parts[k]); the block of A
    starts at ``starts[A]`` and has 2^|A| pairs. The pairs of all A < 2^j come first
    (3^j of them), so one table serves every smaller m as a prefix. Built by doubling: the
    block of A + 2^j is the block of A followed by the block of A with bit j added.
    """
    parts = np.zeros(1, dtype=np.int32)
    owners = np.zeros(1, dtype=np.int32)
    element_start = np.zeros(1, dtype=np.int64)  # start of the block each pair is in
    element_size = np.ones(1, dtype=np.int64)
    for j in range(m):
        size = parts.size
        index = np.arange(size, dtype=np.int64)
        first = index + element_start
        second = first + element_size
        new_parts = np.empty(2 * size, dtype=np.int32)
        new_parts[first] = parts
        new_parts[second] = parts | (1 << j)
        new_owners = np.empty(2 * size, dtype=np.int32)
        new_owners[first] = owners | (1 << j)
        new_owners[second] = owners | (1 << j)
        new_start = np.empty(2 * size, dtype=np.int64)
        new_start[first] = size + 2 * element_start
        new_start[second] = size + 2 * element_start
        new_size = np.empty(2 * size, dtype=np.int64)
        new_size[first] = 2 * element_size
        new_size[second] = 2 * element_size
        parts = np.concatenate([parts, new_parts])
        owners = np.concatenate([owners, new_owners])
        element_start = np.concatenate([element_start, new_start])
        element_size = np.concatenate([element_size, new_size])
    starts = np.zeros(1 << m, dtype=np.int64)
    starts[owners[1:][owners[1:] != owners[:-1]]] = np.flatnonzero(owners[1:] != owners[:-1]) + 1
    for array in (parts, owners, starts):
        array.setflags(write=False)
    return parts, owners, starts
