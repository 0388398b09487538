"""The one-pass sums behind Shapley, Banzhaf and every excess scan: folding against brute
force, with blocks small enough that every game spans many; the Shapley and Banzhaf values
against their marginal (two-sum) forms and the permutation oracle across block sizes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.game import Game, coalition_sizes, coalition_sums
from fairpool.optimizer.solutions import shapley as shapley_module
from fairpool.optimizer.solutions.banzhaf import banzhaf_raw
from fairpool.optimizer.solutions.shapley import fold, member_sums, shapley_values, shapley_weights
from tests.conftest import any_games, party_ids, values_arrays

BLOCKS = st.sampled_from([0, 1, 2, 3, 14])


@contextmanager
def blocks_of(bits: int) -> Iterator[None]:
    """Shapley and Banzhaf read the coalitions in blocks of 2**bits meanwhile."""
    kept = shapley_module.BLOCK_BITS
    shapley_module.BLOCK_BITS = bits
    try:
        yield
    finally:
        shapley_module.BLOCK_BITS = kept


def marginal_shapley(values: np.ndarray, n: int) -> np.ndarray:
    """φ_i = Σ_{S∌i} w(|S|) (v(S ∪ {i}) − v(S)), one party at a time (the definition)."""
    mask_weights = shapley_weights(n)[coalition_sizes(n)]
    phi = np.empty(n)
    for i in range(n):
        pairs = values.reshape(-1, 2, 1 << i)
        without_i = mask_weights.reshape(-1, 2, 1 << i)[:, 0, :]
        phi[i] = np.sum(without_i * (pairs[:, 1, :] - pairs[:, 0, :]))
    return phi


def permutation_shapley(values: np.ndarray, n: int) -> np.ndarray:
    total = np.zeros(n)
    orders = list(permutations(range(n)))
    for order in orders:
        coalition = 0
        for player in order:
            total[player] += values[coalition | 1 << player] - values[coalition]
            coalition |= 1 << player
    return total / len(orders)


def games_with_blocks(max_n: int) -> st.SearchStrategy:
    return st.integers(1, max_n).flatmap(lambda n: st.tuples(st.just(n), values_arrays(n), BLOCKS))


@given(games_with_blocks(8), st.booleans())
def test_member_sums_fold_like_brute_force(
    case: tuple[int, np.ndarray, int], weighted: bool
) -> None:
    n, values, bits = case
    weights = np.linspace(0.5, 2.0, n + 1) if weighted else None
    sums, total = member_sums(values, n, weights, block_bits=bits)
    sizes = coalition_sizes(n)
    scaled = values * (weights[sizes] if weights is not None else 1.0)
    masks = np.arange(1 << n)
    expected = [scaled[(masks >> i) & 1 == 1].sum() for i in range(n)]
    np.testing.assert_allclose(sums, expected, rtol=1e-12, atol=1e-9)
    assert total == pytest.approx(scaled.sum(), abs=1e-9)


@given(games_with_blocks(8))
def test_shapley_by_folding_equals_the_marginal_form(case: tuple[int, np.ndarray, int]) -> None:
    n, values, bits = case
    with blocks_of(bits):
        folded = shapley_values(values, n)
    np.testing.assert_allclose(folded, marginal_shapley(values, n), rtol=1e-12, atol=1e-9)


@given(games_with_blocks(5))
def test_shapley_by_folding_is_the_average_over_all_orders(
    case: tuple[int, np.ndarray, int],
) -> None:
    n, values, bits = case
    values[0] = 0.0
    with blocks_of(bits):
        folded = shapley_values(values, n)
    np.testing.assert_allclose(folded, permutation_shapley(values, n), atol=1e-9)


def test_the_empty_coalition_counts_as_in_the_marginal_form() -> None:
    """A raw array with v(∅) ≠ 0: the constant keeps its v(∅)/n term."""
    values = np.arange(8, dtype=np.float64) + 3.0
    np.testing.assert_allclose(shapley_values(values, 3), marginal_shapley(values, 3))


@given(any_games(max_n=6), BLOCKS)
def test_banzhaf_by_folding_equals_the_marginal_form(game: Game, bits: int) -> None:
    n = game.n
    expected = [
        sum(game.values[m | 1 << i] - game.values[m] for m in range(1 << n) if not m >> i & 1)
        / 2 ** (n - 1)
        for i in range(n)
    ]
    with blocks_of(bits):
        raw = banzhaf_raw(game)
    np.testing.assert_allclose(raw, expected, atol=1e-9)


def test_fold_gives_the_sum_over_the_masks_holding_each_bit() -> None:
    out = np.empty(3)
    fold(np.arange(8, dtype=np.float64), out)
    assert out.tolist() == [1 + 3 + 5 + 7, 2 + 3 + 6 + 7, 4 + 5 + 6 + 7]


@given(st.lists(st.floats(-1e6, 1e6), max_size=10))
def test_coalition_sums_are_the_sums_of_the_members(x: list[float]) -> None:
    sums = coalition_sums(np.array(x))
    assert sums.shape == (1 << len(x),)
    for mask in range(1 << len(x)):
        expected = sum(x[i] for i in range(len(x)) if mask >> i & 1)
        assert sums[mask] == pytest.approx(expected, abs=1e-6)


def test_the_fold_takes_a_few_blocks_of_memory() -> None:
    """n = 20 in blocks of 2**14: beyond the values, two blocks, the weights of a block by
    count of high parties and the block totals (speed: benchmarks/engine_io.py)."""
    import tracemalloc

    n = 20
    values = np.random.default_rng(3).normal(size=1 << n)
    game = Game(party_ids(n), values)
    tracemalloc.start()
    try:
        phi = shapley_values(game.values, n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert phi.sum() == pytest.approx(game.grand_value, abs=1e-8)
    assert peak < (values.nbytes // 4)
