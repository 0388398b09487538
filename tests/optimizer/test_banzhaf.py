"""Banzhaf value: raw values against a loop over coalitions, normalisation, known games."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.solutions.banzhaf import banzhaf, banzhaf_raw
from fairpool.optimizer.solutions.shapley import shapley
from tests.conftest import any_games, cost_games, random_games


def banzhaf_by_enumeration(game: Game) -> np.ndarray:
    """β_i = Σ_{S∌i} (v(S∪{i}) − v(S)) / 2^{n−1}, one coalition at a time."""
    n = game.n
    raw = np.zeros(n)
    for i in range(n):
        for mask in range(1 << n):
            if not mask >> i & 1:
                raw[i] += game.values[mask | 1 << i] - game.values[mask]
    return raw / 2 ** (n - 1)


WEIGHTED_VOTING_50_49_1 = Game.from_mapping(
    ["A", "B", "C"],
    {"A": 0, "B": 0, "C": 0, "A+B": 1, "A+C": 1, "B+C": 0, "A+B+C": 1},
)


@given(any_games(max_n=6))
def test_raw_values_match_a_loop_over_coalitions(game: Game) -> None:
    np.testing.assert_allclose(banzhaf_raw(game), banzhaf_by_enumeration(game), atol=1e-9)


@given(any_games(max_n=6))
def test_normalised_shares_add_up_and_are_proportional_to_raw(game: Game) -> None:
    raw = banzhaf_raw(game)
    try:
        allocation = banzhaf(game)
    except CaseError:
        assert abs(raw.sum()) < 1e-9
        return
    assert allocation.method == "banzhaf"
    assert allocation.shares.sum() == pytest.approx(game.grand_value, abs=1e-6)
    np.testing.assert_allclose(allocation.shares, raw * allocation.details["scale"], atol=1e-9)


@given(random_games(min_n=1, max_n=2))
def test_equals_shapley_for_at_most_two_parties(game: Game) -> None:
    np.testing.assert_allclose(banzhaf_raw(game), shapley(game).shares, atol=1e-9)


@given(cost_games())
def test_cost_shares_add_up_to_the_joint_cost(game: Game) -> None:
    assert banzhaf(game).shares.sum() == pytest.approx(game.grand_value, rel=1e-9, abs=1e-9)


def test_weighted_voting_50_49_1_quota_51() -> None:
    # A swings in 3 of the 4 coalitions without it ({B}, {C}, {B, C}); B only in {A}; C in {A}.
    np.testing.assert_allclose(banzhaf_raw(WEIGHTED_VOTING_50_49_1), [0.75, 0.25, 0.25])
    np.testing.assert_allclose(banzhaf(WEIGHTED_VOTING_50_49_1).shares, [0.6, 0.2, 0.2])
    raw = banzhaf(WEIGHTED_VOTING_50_49_1, normalised=False)
    assert raw.details["normalised"] == "no"
    np.testing.assert_allclose(raw.shares, [0.75, 0.25, 0.25])


def test_additive_cost_game_charges_each_party_its_own_cost() -> None:
    game = Game.from_mapping(
        ["A", "B", "C"],
        {"A": 3, "B": 5, "C": 7, "A+B": 8, "A+C": 10, "B+C": 12, "A+B+C": 15},
        "cost",
    )
    np.testing.assert_allclose(banzhaf(game).shares, [3, 5, 7])


def test_raw_values_summing_to_zero_cannot_be_normalised() -> None:
    # Σβ = Σ_S v(S)(2|S| - n)/2^(n-1) = (-3 + 0 + 3)/4 = 0, but v(N) = 1.
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 1, "B": 1, "C": 1, "A+B": 0, "A+C": 0, "B+C": 0, "A+B+C": 1}
    )
    with pytest.raises(CaseError, match="sum to zero"):
        banzhaf(game)
    np.testing.assert_allclose(banzhaf(game, normalised=False).shares, [0, 0, 0])


def test_raw_values_already_adding_up_to_zero_are_kept() -> None:
    game = Game.from_mapping(["A", "B"], {"A": 1, "B": -1, "A+B": 0})
    allocation = banzhaf(game)
    np.testing.assert_allclose(allocation.shares, [1, -1])
    assert allocation.details["scale"] == 1.0


def test_agrees_with_coopgame_on_a_random_7_party_game() -> None:
    import coopgame

    values = np.random.default_rng(3).normal(size=1 << 7)
    game = Game(tuple("ABCDEFG"), values)
    expected = np.array(coopgame.banzhaf(coopgame.Game(game.values[1:])))
    np.testing.assert_allclose(banzhaf_raw(game), expected, atol=1e-12)
