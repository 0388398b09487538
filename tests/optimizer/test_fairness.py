"""Fairness check: core membership and excesses against brute-force enumeration, individual
rationality, Gately propensities, distances and the plain-language description."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fairness import check_allocation, describe
from fairpool.optimizer.game import Game
from fairpool.optimizer.solutions.shapley import shapley
from tests.conftest import any_games, convex_games, cost_games


def brute_force_excesses(game: Game, shares: np.ndarray) -> dict[frozenset[int], float]:
    """e(S, x) for every proper non-empty coalition, built from party sets one at a time."""
    n = game.n
    excesses = {}
    for size in range(1, n):
        for coalition in combinations(range(n), size):
            value = game.value([game.players[i] for i in coalition])
            paid = sum(shares[i] for i in coalition)
            excess = value - paid if game.orientation == "benefit" else paid - value
            excesses[frozenset(coalition)] = excess
    return excesses


def brute_force_in_core(game: Game, shares: np.ndarray, tol: float) -> bool:
    if abs(sum(shares) - game.grand_value) > tol:
        return False
    return all(excess <= tol for excess in brute_force_excesses(game, shares).values())


@st.composite
def games_with_allocations(draw: st.DrawFn) -> tuple[Game, np.ndarray]:
    """A game and an allocation: Shapley, Shapley nudged, or an efficient random split."""
    game = draw(any_games(min_n=1, max_n=6))
    kind = draw(st.sampled_from(["shapley", "nudged", "random"]))
    shares = shapley(game).shares.copy()
    if kind == "nudged":
        shares += np.array(draw(st.lists(st.floats(-1, 1), min_size=game.n, max_size=game.n)))
    elif kind == "random":
        weights = np.array(draw(st.lists(st.floats(0, 1), min_size=game.n, max_size=game.n)))
        shares = game.grand_value * (weights + 1e-3) / (weights + 1e-3).sum()
    return game, shares


@given(games_with_allocations())
def test_core_check_agrees_with_brute_force(case: tuple[Game, np.ndarray]) -> None:
    game, shares = case
    report = check_allocation(game, shares)
    assert report.in_core == brute_force_in_core(game, shares, report.tolerance)
    excesses = brute_force_excesses(game, shares)
    if excesses:
        assert report.worst_excess == pytest.approx(max(excesses.values()), abs=1e-9)
        worst = frozenset(i for i in range(game.n) if report.worst_coalition >> i & 1)
        assert excesses[worst] >= report.worst_excess - report.tolerance - 1e-12
        assert all(
            len(worst) <= len(coalition)
            for coalition, excess in excesses.items()
            if excess >= report.worst_excess - report.tolerance + 1e-12
        )
        assert report.worst_coalition_label == "+".join(game.players[i] for i in sorted(worst))
    assert report.efficiency_gap == pytest.approx(sum(shares) - game.grand_value, abs=1e-9)


@given(games_with_allocations())
def test_individual_rationality_party_by_party(case: tuple[Game, np.ndarray]) -> None:
    game, shares = case
    report = check_allocation(game, shares)
    for i in range(game.n):
        alone = game.values[1 << i]
        worse_by = alone - shares[i] if game.orientation == "benefit" else shares[i] - alone
        assert report.ir_shortfall[i] == pytest.approx(max(worse_by, 0.0), abs=1e-12)
    assert report.individually_rational == all(
        report.ir_shortfall[i] <= report.tolerance for i in range(game.n)
    )


@given(convex_games())
def test_shapley_value_of_a_convex_game_passes_every_check(game: Game) -> None:
    report = check_allocation(game, shapley(game))
    assert report.in_core
    assert report.individually_rational
    assert report.efficient


@given(cost_games(min_n=2))
def test_gately_propensity_matches_its_definition(game: Game) -> None:
    shares = shapley(game).shares
    report = check_allocation(game, shares)
    n = game.n
    for i in range(n):
        others = [game.players[j] for j in range(n) if j != i]
        others_loss = game.value(others) - sum(shares[j] for j in range(n) if j != i)
        own_loss = game.values[1 << i] - shares[i]
        if own_loss > report.tolerance:
            expected = others_loss / own_loss
            assert report.propensity_to_disrupt[i] == pytest.approx(expected, rel=1e-9)
        elif abs(own_loss) > report.tolerance or abs(others_loss) > report.tolerance:
            assert report.propensity_to_disrupt[i] == np.inf
    assert report.gately_propensity == max(report.propensity_to_disrupt)


THREE_CITIES = Game.from_mapping(
    ["H", "K", "S"],
    {"H": 5, "K": 4, "S": 3, "H+K": 7, "H+S": 7, "K+S": 6, "H+K+S": 9},
    "cost",
    names=["杭州", "昆山", "上海"],
)


def test_cost_game_report_and_description() -> None:
    # H+K pay 4.5 + 3.7 = 8.2 but would pay 7 on their own: excess 1.2.
    shares = np.array([4.5, 3.7, 0.8])
    report = check_allocation(
        THREE_CITIES, shares, reference={"shapley": shapley(THREE_CITIES).shares}
    )
    assert not report.in_core
    assert report.worst_coalition_label == "H+K"
    assert report.worst_excess == pytest.approx(1.2)
    assert report.individually_rational
    text = describe(report, THREE_CITIES, unit="¥bn")
    assert "杭州+昆山 would pay 1.20 ¥bn less on their own" in text
    assert "not in the core" in text
    assert "shapley" in text
    assert report.distances["shapley"] == pytest.approx(
        np.abs(shares - shapley(THREE_CITIES).shares).max()
    )


def test_benefit_game_description_names_the_blocking_coalition_and_the_shortfall() -> None:
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 1, "B": 1, "C": 1, "A+B": 6, "A+C": 2, "B+C": 2, "A+B+C": 8}
    )
    report = check_allocation(game, [2.6, 2.6, 0.8])
    assert report.worst_coalition_label == "A+B"
    assert report.ir_shortfall.tolist() == pytest.approx([0, 0, 0.2])
    text = describe(report, game)
    assert "A+B would be 0.80 better off on their own" in text
    assert "C gets 0.20 less than it would on its own" in text


def test_core_allocation_is_described_as_such() -> None:
    report = check_allocation(THREE_CITIES, [3.5, 3.0, 2.5])
    assert report.in_core
    text = describe(report, THREE_CITIES)
    assert "Every coalition is better off together: the allocation is in the core." in text
    assert "The shares add up to 9.00, the joint cost." in text


def test_inefficient_allocation_is_not_in_the_core() -> None:
    report = check_allocation(THREE_CITIES, [3.0, 3.0, 2.0])
    assert report.efficiency_gap == pytest.approx(-1.0)
    assert not report.in_core
    assert report.worst_excess <= 0
    text = describe(report, THREE_CITIES)
    assert "1.00 of the joint cost uncovered" in text
    assert "shares do not add up to the total" in text


def test_ties_prefer_the_smallest_coalition() -> None:
    # A alone and A+B both have excess 1: the report names A.
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 2, "B": 0, "C": 0, "A+B": 2, "A+C": 1, "B+C": 0, "A+B+C": 3}
    )
    report = check_allocation(game, [1.0, 0.0, 2.0])
    assert report.worst_coalition_label == "A"
    assert report.worst_excess == pytest.approx(1.0)
    assert "A would be 1.00 better off on its own" in describe(report, game)


def test_one_party_game_has_no_proper_coalition() -> None:
    game = Game(("A",), [0.0, 5.0])
    report = check_allocation(game, [5.0])
    assert report.in_core
    assert report.worst_coalition == 0
    assert report.worst_excess == 0.0


def test_wrong_number_of_shares_is_a_case_error() -> None:
    with pytest.raises(CaseError, match="3 parties need 3 shares"):
        check_allocation(THREE_CITIES, [1.0, 2.0])
