"""Shapley value: the four axioms as properties, a permutation oracle, the core of convex
games, cost games, and speed at n = 20."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.fairness import check_allocation
from fairpool.optimizer.game import Game
from fairpool.optimizer.solutions.shapley import shapley, shapley_values
from tests.conftest import (
    all_masks,
    any_games,
    convex_games,
    cost_games,
    party_ids,
    random_games,
    values_arrays,
)


def shapley_by_permutations(game: Game) -> np.ndarray:
    """φ_i = average over all n! orders of i's marginal contribution (the definition)."""
    n = game.n
    total = np.zeros(n)
    orders = list(permutations(range(n)))
    for order in orders:
        coalition = 0
        for player in order:
            total[player] += game.values[coalition | 1 << player] - game.values[coalition]
            coalition |= 1 << player
    return total / len(orders)


def swap_parties(n: int, i: int, j: int) -> np.ndarray:
    """The mask of σ(S) for every S, with σ swapping parties i and j."""
    masks = all_masks(n)
    bit_i, bit_j = masks >> i & 1, masks >> j & 1
    return masks & ~((1 << i) | (1 << j)) | bit_i << j | bit_j << i


@given(any_games(max_n=5))
def test_matches_the_average_over_all_orders(game: Game) -> None:
    np.testing.assert_allclose(shapley(game).shares, shapley_by_permutations(game), atol=1e-9)


@given(any_games(max_n=6))
def test_efficiency(game: Game) -> None:
    allocation = shapley(game)
    assert allocation.method == "shapley"
    assert allocation.players == game.players
    assert allocation.shares.sum() == pytest.approx(game.grand_value, abs=1e-9)


@given(random_games(min_n=2, max_n=6), st.data())
def test_symmetric_parties_get_the_same(game: Game, data: st.DataObject) -> None:
    i, j = data.draw(st.lists(st.integers(0, game.n - 1), min_size=2, max_size=2, unique=True))
    symmetric = Game(game.players, (game.values + game.values[swap_parties(game.n, i, j)]) / 2)
    shares = shapley(symmetric).shares
    assert shares[i] == pytest.approx(shares[j], abs=1e-9)


@given(random_games(min_n=2, max_n=6), st.data())
def test_null_party_gets_nothing(game: Game, data: st.DataObject) -> None:
    null = data.draw(st.integers(0, game.n - 1))
    masks = all_masks(game.n)
    without_null = Game(game.players, game.values[masks & ~(1 << null)])
    assert shapley(without_null).shares[null] == pytest.approx(0.0, abs=1e-9)


@given(st.integers(1, 6).flatmap(lambda n: st.tuples(values_arrays(n), values_arrays(n))))
def test_additivity(pair: tuple[np.ndarray, np.ndarray]) -> None:
    first, second = pair
    players = party_ids(int(np.log2(first.size)))
    both = shapley(Game(players, first + second)).shares
    separately = shapley(Game(players, first)).shares + shapley(Game(players, second)).shares
    np.testing.assert_allclose(both, separately, atol=1e-9)


@given(convex_games())
def test_in_the_core_of_every_convex_game(game: Game) -> None:
    assert check_allocation(game, shapley(game).shares).in_core


@given(cost_games())
def test_cost_shares_sum_to_the_joint_cost_and_match_the_savings_game(game: Game) -> None:
    shares = shapley(game).shares
    assert shares.sum() == pytest.approx(game.grand_value, abs=1e-9)
    through_savings = game.to_orientation(shapley(game.savings_game()).shares)
    np.testing.assert_allclose(shares, through_savings, atol=1e-9)


def test_two_party_game_splits_the_surplus_equally() -> None:
    game = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
    assert shapley(game).as_dict() == {"A": 2.5, "B": 3.5}


def test_agrees_with_coopgame_on_a_random_8_party_game() -> None:
    import coopgame

    values = np.random.default_rng(7).normal(size=1 << 8)
    values[0] = 0.0
    expected = np.array(coopgame.shapley(coopgame.Game(values[1:])))
    np.testing.assert_allclose(shapley_values(values, 8), expected, atol=1e-12)


def test_twenty_parties_is_efficient() -> None:
    """n = 20 (a million coalitions) runs and stays efficient; its speed is benchmarked in
    benchmarks/run.py, not timed here."""
    values = np.random.default_rng(20).normal(size=1 << 20)
    game = Game(party_ids(20), values)
    allocation = shapley(game)
    assert allocation.shares.sum() == pytest.approx(game.grand_value, abs=1e-8)
