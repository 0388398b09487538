"""Unit-free numerics: the same game in any money unit gets the same answer, scaled.

A seeded corpus of games (random benefit and cost tables, convex games, voting games, games
with an empty core and games without imputations) is analysed at unit scale and at the scales
1e-9 … 1e15. Every allocation, ε* and worst excess must equal the unit-scale result times the
scale (1e-6 of the scale), and every verdict (core emptiness, in the core, individually
rational, efficient, the worst coalition, the skipped methods, the game's properties) must be
identical. Before the engine solved its LPs on unit-range data, games around 1e6 and above
failed with "nucleolus stage 2: Infeasible", values ≥ 1e20 ended in an IndexError, and a
majority game worth 1e-9 had a "non-empty core".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.analysis import GameAnalysis, analyse_game
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fairness import check_allocation
from fairpool.optimizer.game import MAX_VALUE, Game, Orientation, coalition_sizes, tolerance
from fairpool.optimizer.properties import game_properties
from fairpool.optimizer.solutions.nucleolus import (
    kohlberg_check,
    least_core_epsilon,
    nucleolus,
    prenucleolus,
)
from fairpool.optimizer.solutions.shapley import shapley
from tests.conftest import any_games, party_ids

SCALES = (1e-9, 1e-3, 1.0, 1e5, 1e10, 1e15)
RELATIVE = 1e-6


def _random_benefit(rng: np.random.Generator, n: int) -> np.ndarray:
    """Positive values growing with |S| (often an empty core, sometimes not)."""
    sizes = coalition_sizes(n).astype(np.float64)
    return rng.uniform(0.0, 1.0, 1 << n) * sizes**1.3


def _convex(rng: np.random.Generator, n: int) -> np.ndarray:
    sizes = coalition_sizes(n).astype(np.float64)
    masks = np.arange(1 << n)
    values = rng.uniform(0, 1) * sizes**2 + rng.uniform(-1, 1) * sizes
    for carrier in rng.integers(1, 1 << n, size=3):
        values = values + rng.uniform(0, 2) * ((masks & carrier) == carrier)
    return values


def _voting(rng: np.random.Generator, n: int) -> np.ndarray:
    weights = rng.integers(0, 6, size=n)
    sums = np.zeros(1)
    for weight in weights:
        sums = np.concatenate([sums, sums + weight])
    quota = max(1, int(weights.sum()) // 2 + 1)
    return (sums >= quota).astype(np.float64)


def _cost_table(rng: np.random.Generator, n: int) -> np.ndarray:
    """Positive costs; subadditive on average but not everywhere."""
    sizes = coalition_sizes(n).astype(np.float64)
    return rng.uniform(0.5, 1.0, 1 << n) * sizes**0.8


def _no_imputations(rng: np.random.Generator, n: int) -> np.ndarray:
    values = _random_benefit(rng, n)
    values[1 << np.arange(n)] = values[-1]  # Σ v({i}) > v(N): no nucleolus, no Gately
    return values


def corpus() -> list[tuple[str, np.ndarray, Orientation]]:
    """(name, values, orientation): 25 seeded games of 2 … 6 parties, largest |v| = 1."""
    rng = np.random.default_rng(20_260_9)
    kinds: list[tuple[str, Callable[[np.random.Generator, int], np.ndarray], Orientation]] = [
        ("benefit", _random_benefit, "benefit"),
        ("convex", _convex, "benefit"),
        ("voting", _voting, "benefit"),
        ("cost", _cost_table, "cost"),
        ("no-imputations", _no_imputations, "benefit"),
    ]
    games = []
    for n in range(2, 7):
        for name, make, orientation in kinds:
            values = make(rng, n)
            values = values / max(float(np.abs(values).max()), 1e-300)  # largest |v| is 1
            games.append((f"{name}-{n}", values, orientation))
    return games


CORPUS = corpus()
_UNIT: dict[str, GameAnalysis] = {}


def _analysis(
    name: str, values: np.ndarray, orientation: Orientation, scale: float
) -> GameAnalysis:
    n = int(np.log2(len(values)))
    game = Game(party_ids(n), values * scale, orientation)
    return analyse_game(game, proposal=_proposal(game))


def _proposal(game: Game) -> np.ndarray:
    """A proposal that gives the first party a bit more than an equal split."""
    shares = np.full(game.n, game.grand_value / game.n)
    shift = 0.1 * game.grand_value / game.n
    shares[0] += shift
    shares[-1] -= shift
    return shares


def _unit(name: str, values: np.ndarray, orientation: Orientation) -> GameAnalysis:
    if name not in _UNIT:
        _UNIT[name] = _analysis(name, values, orientation, 1.0)
    return _UNIT[name]


def _close(got: float | np.ndarray, expected: float | np.ndarray, scale: float) -> None:
    """Equal within 1e-6 of the scale (the game's largest value is about 1 before scaling)."""
    np.testing.assert_allclose(got, expected, rtol=RELATIVE, atol=RELATIVE * scale)


@pytest.mark.parametrize("scale", [s for s in SCALES if s != 1.0])
@pytest.mark.parametrize(("name", "values", "orientation"), CORPUS, ids=[c[0] for c in CORPUS])
def test_every_answer_is_the_unit_answer_times_the_scale(
    name: str, values: np.ndarray, orientation: Orientation, scale: float
) -> None:
    unit = _unit(name, values, orientation)
    scaled = _analysis(name, values, orientation, scale)
    assert scaled.skipped.keys() == unit.skipped.keys()
    assert scaled.allocations.keys() == unit.allocations.keys()
    for method, allocation in unit.allocations.items():
        _close(scaled.allocations[method].shares, allocation.shares * scale, scale)
    _close(scaled.least_core_epsilon, unit.least_core_epsilon * scale, scale)
    assert scaled.core_empty == unit.core_empty
    assert scaled.properties == unit.properties
    for method, report in unit.fairness.items():
        other = scaled.fairness[method]
        verdicts = (report.in_core, report.individually_rational, report.efficient)
        assert (other.in_core, other.individually_rational, other.efficient) == verdicts, method
        assert other.worst_coalition_label == report.worst_coalition_label, method
        _close(other.worst_excess, report.worst_excess * scale, scale)


def test_the_corpus_has_every_kind_of_verdict() -> None:
    """The scale test means something: the corpus holds empty and non-empty cores, skipped
    nucleoli, blocked and unblocked proposals."""
    analyses = [_unit(*game) for game in CORPUS]
    assert {a.core_empty for a in analyses} == {True, False}
    assert any("nucleolus" in a.skipped for a in analyses)
    assert {a.fairness["proposal"].in_core for a in analyses} == {True, False}
    assert {a.fairness["shapley"].in_core for a in analyses} == {True, False}


@pytest.mark.parametrize("scale", [1e5, 1e6, 1e7, 1e8, 1e10, 1e13, 1e15])
def test_random_games_at_large_scales_solve(scale: float) -> None:
    """The issue's failures: nucleolus stage LPs infeasible from about 1e5 upwards (4 of 90
    random games at 1e5, 62 of 96 at 1e10–1e13). Every one of these must solve and pass
    Kohlberg's criterion (which ``nucleolus``/``prenucleolus`` check before returning)."""
    rng = np.random.default_rng(int(np.log10(scale)))
    for _ in range(12):
        n = int(rng.integers(3, 7))
        game = Game(party_ids(n), _random_benefit(rng, n) * scale)
        x = prenucleolus(game).shares
        assert x.sum() == pytest.approx(game.grand_value, rel=1e-12)
        if game.standalone_values.sum() <= game.grand_value:
            nucleolus(game)
        least_core_epsilon(game)


@pytest.mark.parametrize("seed", [113, 334, 357])
def test_four_party_games_of_millions_have_the_nucleolus_of_the_same_games_in_millions(
    seed: int,
) -> None:
    """The issue's example: values 1e6 … 4e7 failed ("nucleolus stage 2: Infeasible", these
    three seeds did before the LPs were scaled); the same game ÷ 1e6 solved."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(1, 40, 16)
    small[-1] = small.max() + rng.uniform(0, 5)
    big = Game(party_ids(4), small * 1e6)
    for solution in (nucleolus, prenucleolus):
        expected = solution(Game(party_ids(4), small)).shares * 1e6
        _close(solution(big).shares, expected, 4e7)


@pytest.mark.parametrize("power", [-30, -1, 7, 40])
def test_a_power_of_two_unit_gives_bit_identical_answers(power: int) -> None:
    """The LPs divide by a power of two (exact), so scaling a game by 2**k scales the
    nucleolus, prenucleolus and ε* exactly."""
    factor = 2.0**power
    for name, values, orientation in CORPUS[:10]:
        n = int(np.log2(len(values)))
        game = Game(party_ids(n), values, orientation)
        scaled = Game(party_ids(n), values * factor, orientation)
        assert np.array_equal(prenucleolus(scaled).shares, prenucleolus(game).shares * factor)
        assert least_core_epsilon(scaled) == least_core_epsilon(game) * factor, name


# -- the majority game of value 1e-9 -------------------------------------------------------


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_majority_game_has_an_empty_core_in_any_unit(unit: float) -> None:
    """v(S) = unit when |S| ≥ 2: ε* = unit/3 > 0, so the core is empty; the proposal
    (unit, 0, 0) is blocked by B+C, which would get unit on its own."""
    game = Game.from_function("ABC", lambda s: unit if len(s) >= 2 else 0.0)
    analysis = analyse_game(game, ["shapley", "least_core"], proposal=np.array([unit, 0, 0]))
    assert analysis.least_core_epsilon == pytest.approx(unit / 3, rel=1e-9)
    assert analysis.core_empty
    report = analysis.fairness["proposal"]
    assert not report.in_core
    assert report.worst_coalition_label == "B+C"
    assert report.worst_excess == pytest.approx(unit, rel=1e-12)
    assert report.individually_rational and report.efficient


def test_tolerance_has_no_unit_floor() -> None:
    values = np.array([0.0, 1.0, -3.0])
    for scale in SCALES:
        assert tolerance(values * scale) == pytest.approx(3e-9 * scale, rel=1e-12)


# -- the zero game and the limits of a float -----------------------------------------------


@pytest.mark.parametrize("orientation", ["benefit", "cost"])
def test_the_zero_game_is_shared_as_zeros(orientation: Orientation) -> None:
    game = Game(party_ids(4), np.zeros(16), orientation)
    analysis = analyse_game(game, proposal=np.zeros(4))
    for method in ("shapley", "nucleolus", "prenucleolus", "least_core"):
        assert np.all(analysis.allocations[method].shares == 0.0), method
    assert analysis.least_core_epsilon == 0.0 and not analysis.core_empty
    assert all(report.in_core for report in analysis.fairness.values())
    assert not check_allocation(game, np.array([1.0, -1.0, 0.0, 0.0])).in_core


def test_values_up_to_2_to_the_53_are_accepted() -> None:
    rng = np.random.default_rng(53)
    values = _random_benefit(rng, 4)
    game = Game(party_ids(4), values / values.max() * MAX_VALUE)
    assert kohlberg_check(game, nucleolus(game).shares, imputations=True).passed


@pytest.mark.parametrize("value", [1e16, -3e17, 1e20, 1e300])
def test_values_beyond_what_a_float_holds_to_the_unit_are_refused(value: float) -> None:
    values = {"A": 1.0, "B": 2.0, "A+B": value}
    with pytest.raises(CaseError, match=r"A\+B.*larger unit") as error:
        Game.from_mapping(["A", "B"], values)
    assert f"{value:.6g}" in str(error.value)


def test_a_cost_game_whose_savings_exceed_the_limit_still_solves() -> None:
    """The savings game s(S) = Σ c({i}) − c(S) of a cost game can be up to (n + 1)·max |c|:
    it is derived, not written by the user, so the limit does not apply to it."""
    costs = np.array([0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.1]) * MAX_VALUE
    costs[3] = costs[5] = costs[6] = 0.5 * MAX_VALUE
    game = Game(party_ids(3), costs, "cost")
    assert game.savings_game().values.max() > MAX_VALUE
    shares = nucleolus(game).shares
    assert shares.sum() == pytest.approx(0.1 * MAX_VALUE, rel=1e-12)
    _close(shares, np.full(3, 0.1 * MAX_VALUE / 3), MAX_VALUE)


# -- properties at any scale (hypothesis) ----------------------------------------------------


@given(any_games(min_n=1, max_n=5), st.sampled_from(SCALES))
def test_shapley_properties_and_verdicts_do_not_depend_on_the_unit(
    game: Game, scale: float
) -> None:
    largest = float(np.abs(game.values).max())
    unit = Game(game.players, game.values / (largest or 1.0), game.orientation)
    scaled = Game(game.players, unit.values * scale, game.orientation)
    _close(shapley(scaled).shares, shapley(unit).shares * scale, scale)
    assert game_properties(scaled) == game_properties(unit)
    shares = shapley(unit).shares
    report, other = check_allocation(unit, shares), check_allocation(scaled, shares * scale)
    assert (other.in_core, other.individually_rational, other.worst_coalition) == (
        report.in_core,
        report.individually_rational,
        report.worst_coalition,
    )
