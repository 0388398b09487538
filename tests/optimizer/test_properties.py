"""Game properties against brute-force enumeration, and the large-game paths."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.game import Game, coalition_sizes
from fairpool.optimizer.properties import (
    FULL_SUPERADDITIVITY_LIMIT,
    GameProperties,
    game_properties,
)
from tests.conftest import any_games, convex_games, party_ids, weighted_voting_games

TOL = 1e-9
TINY = float(np.finfo(np.float64).tiny)


def coalitions(n: int) -> list[int]:
    return list(range(1 << n))


def brute_force_properties(game: Game) -> GameProperties:
    """Every definition checked literally, one pair of coalitions at a time."""
    v = game.savings_game().values
    c = game.values
    n = game.n
    # relative, no unit floor (only the smallest normal float), as optimizer.game.tolerance
    tol = max(TOL * float(np.abs(v).max()), TINY)
    superadditive = all(
        v[s | t] >= v[s] + v[t] - tol for s in coalitions(n) for t in coalitions(n) if not s & t
    )
    convex = all(
        v[s | t] + v[s & t] >= v[s] + v[t] - tol for s in coalitions(n) for t in coalitions(n)
    )
    monotone_tol = max(TOL * float(np.abs(c).max()), TINY)
    monotone = all(
        c[s] <= c[t] + monotone_tol for s in coalitions(n) for t in coalitions(n) if s & t == s
    )
    essential = v[-1] - sum(v[1 << i] for i in range(n)) > tol  # as the engine rounds it
    return GameProperties(superadditive, convex, monotone, essential)


def game_of(values: np.ndarray) -> Game:
    return Game(party_ids(int(np.log2(values.size))), values)


@given(any_games(max_n=5))
def test_agree_with_brute_force(game: Game) -> None:
    assert game_properties(game) == brute_force_properties(game)


@st.composite
def nearly_superadditive_games(draw: st.DrawFn) -> Game:
    """The superadditive cover of a random game, v̂(S) = max over partitions of S, with
    one coalition possibly lowered: superadditive or only just not."""
    n = draw(st.integers(2, 5))
    values = np.array(draw(st.lists(st.integers(0, 20), min_size=1 << n, max_size=1 << n)))
    values[0] = 0
    cover = values.astype(np.float64)
    for mask in range(1, 1 << n):  # sub-masks are smaller, so already covered
        sub = (mask - 1) & mask
        while sub:
            cover[mask] = max(cover[mask], cover[sub] + cover[mask ^ sub])
            sub = (sub - 1) & mask
    if draw(st.booleans()):
        cover[draw(st.integers(1, (1 << n) - 1))] -= draw(st.sampled_from([0.5, 1e-12]))
    return game_of(cover)


@given(nearly_superadditive_games())
def test_superadditivity_agrees_with_brute_force(game: Game) -> None:
    assert game_properties(game).superadditive == brute_force_properties(game).superadditive


def test_superadditivity_violated_only_by_two_pairs() -> None:
    # A+B and C+D are worth 10 each but all four only 15; no single party is ever a loss,
    # so only the full check over disjoint pairs finds it.
    def value(coalition: frozenset[str]) -> float:
        if len(coalition) == 4:
            return 15
        return 10 if {"A", "B"} <= coalition or {"C", "D"} <= coalition else 0

    game = Game.from_function("ABCD", value)
    assert game_properties(game).superadditive is False
    assert brute_force_properties(game).superadditive is False


@given(convex_games())
def test_convex_games_are_convex_and_superadditive(game: Game) -> None:
    properties = game_properties(game)
    assert properties.convex
    assert properties.superadditive


@given(weighted_voting_games())
def test_weighted_voting_games_are_monotone(game: Game) -> None:
    assert game_properties(game).monotone


def test_cost_game_properties_are_those_of_the_savings_game() -> None:
    # An airport game c(S) = max_{i∈S} a_i is submodular: its savings game is convex.
    game = Game.from_function("ABC", lambda s: max(ord(p) for p in s) - 60 if s else 0, "cost")
    assert game_properties(game) == GameProperties(
        superadditive=True, convex=True, monotone=True, essential=True
    )


def majority_game(n: int) -> Game:
    """v(S) = 1 if |S| > n/2: superadditive, monotone, not convex."""
    return Game(party_ids(n), (coalition_sizes(n) > n / 2).astype(np.float64))


def test_full_superadditivity_check_at_the_limit() -> None:
    properties = game_properties(majority_game(FULL_SUPERADDITIVITY_LIMIT))
    assert properties == GameProperties(
        superadditive=True, convex=False, monotone=True, essential=True
    )


def test_above_the_limit_superadditivity_is_decided_when_it_can_be() -> None:
    n = FULL_SUPERADDITIVITY_LIMIT + 1
    assert game_properties(majority_game(n)).superadditive is None
    convex = Game(party_ids(n), coalition_sizes(n).astype(np.float64) ** 2)
    assert game_properties(convex).superadditive is True
    values = coalition_sizes(n).astype(np.float64) ** 2
    values[0b11] = 100.0  # A+B alone beats A+B+C: C is a loss to it
    assert game_properties(Game(party_ids(n), values)).superadditive is False


def test_literal_pairs_for_a_three_party_example() -> None:
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 1, "B": 1, "C": 1, "A+B": 3, "A+C": 3, "B+C": 3, "A+B+C": 4}
    )
    # Superadditive (3 ≥ 2, 4 ≥ 3 + 1) but not convex: v(N) + v(A) = 5 < v(A+B) + v(A+C) = 6.
    assert game_properties(game) == GameProperties(
        superadditive=True, convex=False, monotone=True, essential=True
    )
