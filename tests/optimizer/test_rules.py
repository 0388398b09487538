"""Closed-form rules: equal split, proportional, equal BCR, SCRB, Gately point, τ-value."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.rules import (
    equal_bcr,
    equal_split,
    gately,
    minimal_rights,
    proportional,
    scrb,
    tau_value,
    utopia_payoffs,
)
from tests.conftest import any_games, convex_games, cost_games, random_games

LEMAIRE = Game.from_mapping(
    ["1", "2", "3"],
    {
        "1": 46125,
        "2": 17437.5,
        "3": 5812.5,
        "1+2": 69187.5,
        "1+3": 53812.5,
        "2+3": 30750,
        "1+2+3": 90000,
    },
)

GLOVES = Game.from_mapping(
    ["L1", "L2", "R"],
    {"L1": 0, "L2": 0, "R": 0, "L1+L2": 0, "L1+R": 1, "L2+R": 1, "L1+L2+R": 1},
)


def proportional_to_benefit(game: Game) -> Allocation:
    return proportional(game, "benefit")


EVERY_RULE: dict[str, Callable[[Game], Allocation]] = {
    "equal": equal_split,
    "proportional": proportional_to_benefit,
    "equal_bcr": equal_bcr,
    "scrb": scrb,
    "gately": gately,
    "tau": tau_value,
}


@pytest.mark.parametrize("method", EVERY_RULE)
@given(game=cost_games())
def test_cost_shares_add_up_to_the_joint_cost(method: str, game: Game) -> None:
    try:
        allocation = EVERY_RULE[method](game)
    except CaseError:
        return  # the rule is not defined for this game, and says so
    assert allocation.method == method
    assert allocation.players == game.players
    assert allocation.shares.sum() == pytest.approx(game.grand_value, rel=1e-9, abs=1e-9)


# -- equal split and proportional ---------------------------------------------------------


def test_equal_split() -> None:
    assert equal_split(LEMAIRE).as_dict() == {"1": 30000, "2": 30000, "3": 30000}


def test_proportional_to_a_named_attribute() -> None:
    game = Game(LEMAIRE.players, LEMAIRE.values, attributes={"population": [1, 2, 3]})
    allocation = proportional(game, "population")
    np.testing.assert_allclose(allocation.shares, [15000, 30000, 45000])
    assert allocation.details == {"attribute": "population"}


def test_proportional_names_a_missing_attribute_and_the_known_ones() -> None:
    game = Game(LEMAIRE.players, LEMAIRE.values, attributes={"gdp": [1, 2, 3]})
    with pytest.raises(CaseError, match=r"'population'.*known attributes: gdp"):
        proportional(game, "population")


@pytest.mark.parametrize(
    ("weights", "message"),
    [([1, -2, 3], r"'gdp'.*negative for 2"), ([0, 0, 0], r"'gdp'.*adds up to zero")],
)
def test_proportional_refuses_unusable_weights(weights: list[float], message: str) -> None:
    game = Game(LEMAIRE.players, LEMAIRE.values, attributes={"gdp": weights})
    with pytest.raises(CaseError, match=message):
        proportional(game, "gdp")


# -- equal benefit-cost ratio -------------------------------------------------------------


@given(cost_games())
def test_equal_bcr_gives_every_party_the_same_ratio(game: Game) -> None:
    allocation = equal_bcr(game)
    if game.grand_value == 0:  # nothing to pay: the ratios are infinite
        assert "benefit_cost_ratio" not in allocation.details
        return
    ratios = game.attribute("benefit") / allocation.shares
    np.testing.assert_allclose(ratios, allocation.details["benefit_cost_ratio"], rtol=1e-9)


def test_equal_bcr_needs_a_benefit_attribute() -> None:
    with pytest.raises(CaseError, match="'benefit'"):
        equal_bcr(LEMAIRE)


# -- SCRB ---------------------------------------------------------------------------------

WATER_PROJECT = Game.from_mapping(
    ["A", "B", "C"],
    {"A": 120, "B": 100, "C": 80, "A+B": 180, "A+C": 170, "B+C": 150, "A+B+C": 230},
    "cost",
    attributes={"benefit": [150, 90, 100]},
)


def test_scrb_textbook_water_project() -> None:
    # Three towns share a reservoir. By hand:
    #   separable costs SC = c(N) - c(N∖i): A 230-150 = 80, B 230-170 = 60, C 230-180 = 50
    #   non-separable cost = 230 - (80 + 60 + 50) = 40
    #   alternative costs min(benefit, c({i})): A min(150, 120) = 120, B min(90, 100) = 90,
    #                                           C min(100, 80) = 80
    #   remaining benefits = alternative - separable: A 40, B 30, C 30 (total 100)
    #   shares = SC + remaining/100 * 40: A 80 + 16 = 96, B 60 + 12 = 72, C 50 + 12 = 62
    allocation = scrb(WATER_PROJECT)
    np.testing.assert_allclose(allocation.shares, [96, 72, 62])
    assert allocation.details["nonseparable_cost"] == pytest.approx(40)


def test_scrb_without_benefits_uses_standalone_costs() -> None:
    # Remaining benefits become c({i}) - SC: A 40, B 40, C 30 (total 110).
    game = Game(WATER_PROJECT.players, WATER_PROJECT.values, "cost")
    expected = [80 + 40 / 110 * 40, 60 + 40 / 110 * 40, 50 + 30 / 110 * 40]
    np.testing.assert_allclose(scrb(game).shares, expected)


@given(random_games(min_n=1, max_n=5))
def test_scrb_of_a_benefit_game_is_scrb_of_its_negation(game: Game) -> None:
    negated = Game(game.players, -game.values, "cost")
    try:
        expected = -scrb(negated).shares
    except CaseError:
        with pytest.raises(CaseError):
            scrb(game)
        return
    np.testing.assert_allclose(scrb(game).shares, expected, atol=1e-9)


def test_scrb_refuses_when_no_benefit_remains() -> None:
    game = Game(
        WATER_PROJECT.players, WATER_PROJECT.values, "cost", attributes={"benefit": [10, 10, 10]}
    )
    with pytest.raises(CaseError, match="remaining benefits"):
        scrb(game)


# -- Gately point -------------------------------------------------------------------------


def propensities_by_definition(game: Game, shares: np.ndarray) -> list[float]:
    """d_i = (x(N∖i) − v(N∖i)) / (x_i − v(i)) on the benefit form, party by party."""
    benefit = game.savings_game()
    y = game.to_benefit_form(shares)
    n = game.n
    result = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        others_mask = sum(1 << j for j in others)
        others_loss = sum(y[j] for j in others) - benefit.values[others_mask]
        result.append(others_loss / (y[i] - benefit.values[1 << i]))
    return result


@given(st.one_of(any_games(min_n=2, max_n=5), convex_games(min_n=2)))
def test_gately_point_equalises_the_propensity_to_disrupt(game: Game) -> None:
    try:
        allocation = gately(game)
    except CaseError:
        return
    assert allocation.shares.sum() == pytest.approx(game.grand_value, abs=1e-9)
    benefit = game.savings_game()
    margin = utopia_payoffs(game) - benefit.standalone_values
    gain = benefit.grand_value - benefit.standalone_values.sum()
    if gain <= 1e-6 or margin.min() <= 1e-6:
        return  # the propensities are 0/0 or undefined for some party
    propensities = propensities_by_definition(game, allocation.shares)
    np.testing.assert_allclose(propensities, propensities[0], rtol=1e-6)
    assert allocation.details["propensity_to_disrupt"] == pytest.approx(propensities[0])


def test_gately_point_agrees_with_coopgame() -> None:
    import coopgame

    expected = np.array(coopgame.gately_point(coopgame.Game(LEMAIRE.values[1:])))
    np.testing.assert_allclose(gately(LEMAIRE).shares, expected, rtol=1e-9)


def test_gately_point_of_a_cost_game_goes_through_the_savings_game() -> None:
    # Savings game: s(A) = s(B) = 0, s(A+B) = 6 + 5 - 9 = 2, so each saves 1 on its own cost.
    game = Game.from_mapping(["A", "B"], {"A": 6, "B": 5, "A+B": 9}, "cost")
    np.testing.assert_allclose(gately(game).shares, [5, 4])


def test_gately_point_refuses_games_where_parties_are_better_off_alone() -> None:
    game = Game.from_mapping(["A", "B"], {"A": 3, "B": 3, "A+B": 5})
    with pytest.raises(CaseError, match="worse off than alone"):
        gately(game)


# -- τ-value ------------------------------------------------------------------------------


def test_tau_value_of_lemaire_by_hand() -> None:
    # Utopia M = v(N) - v(N∖i) = (59250, 36187.5, 20812.5).
    # Minimal rights: the best S ∋ i of v(S) - Σ_{j∈S∖i} M_j is the singleton for every
    # party here, so m = (46125, 17437.5, 5812.5). Σm = 69375, ΣM = 116250,
    # λ = (90000 - 69375) / (116250 - 69375) = 0.44, τ = m + 0.44 (M - m).
    np.testing.assert_allclose(utopia_payoffs(LEMAIRE), [59250, 36187.5, 20812.5])
    np.testing.assert_allclose(minimal_rights(LEMAIRE), [46125, 17437.5, 5812.5])
    allocation = tau_value(LEMAIRE)
    np.testing.assert_allclose(allocation.shares, [51900, 25687.5, 12412.5])
    assert allocation.details["lambda"] == pytest.approx(0.44)


def test_tau_value_of_the_glove_game() -> None:
    # M = (0, 0, 1); the right glove's minimal right is v(L1+R) - M_L1 = 1: τ = (0, 0, 1).
    np.testing.assert_allclose(tau_value(GLOVES).shares, [0, 0, 1], atol=1e-12)


def test_tau_value_with_minimal_rights_above_standalone_values() -> None:
    # Utopia M = v(N) - v(N∖i) = (12 - 4, 12 - 0, 12 - 10) = (8, 12, 2).
    # Minimal rights over S = {i}, the two pairs with i, and N:
    # m_A = max(0, 10 - 12, 0 - 2, 12 - 14) = 0,
    # m_B = max(0, 10 - 8, 4 - 2, 12 - 10) = 2, m_C = max(0, 0 - 8, 4 - 12, 12 - 20) = 0.
    # Σm = 2, ΣM = 22, λ = (12 - 2) / 20 = 0.5, τ = (4, 7, 1).
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A+B": 10, "A+C": 0, "B+C": 4, "A+B+C": 12}
    )
    np.testing.assert_allclose(minimal_rights(game), [0, 2, 0])
    np.testing.assert_allclose(tau_value(game).shares, [4, 7, 1])


@given(convex_games(min_n=1, max_n=6))
def test_tau_value_lies_between_minimal_rights_and_utopia(game: Game) -> None:
    allocation = tau_value(game)
    assert allocation.shares.sum() == pytest.approx(game.grand_value, abs=1e-9)
    assert np.all(allocation.shares >= minimal_rights(game) - 1e-9)
    assert np.all(allocation.shares <= utopia_payoffs(game) + 1e-9)


def test_tau_value_agrees_with_coopgame() -> None:
    import coopgame

    game = Game.from_function("ABCD", lambda s: len(s) ** 2 + ("A" in s) * 3)
    expected = np.array(coopgame.tau_value(coopgame.Game(game.values[1:])))
    np.testing.assert_allclose(tau_value(game).shares, expected, rtol=1e-9)


def test_tau_value_refuses_a_game_that_is_not_quasi_balanced() -> None:
    # Every pair is worth 1, the grand coalition 1: M = (0, 0, 0) but v(N) = 1 > ΣM.
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A+B": 1, "A+C": 1, "B+C": 1, "A+B+C": 1}
    )
    with pytest.raises(CaseError, match="quasi-balanced"):
        tau_value(game)
