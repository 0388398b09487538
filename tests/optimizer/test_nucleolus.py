"""The nucleolus, prenucleolus and least core against independent evidence.

* a brute-force oracle: the textbook sequential LP over *all* coalitions, which fixes a
  coalition only after an extra LP proves it tight at every optimum (no duals, no row
  generation, no span trick — none of the shortcuts of the engine);
* Kohlberg's criterion (and that it rejects anything but the nucleolus);
* the core: the nucleolus lies in it whenever ε* ≤ 0;
* prenucleolus = nucleolus when the prenucleolus is individually rational.
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.errors import InfeasibleError
from fairpool.optimizer.fairness import check_allocation
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.solutions.nucleolus import (
    kohlberg_check,
    least_core,
    least_core_epsilon,
    nucleolus,
    prenucleolus,
)
from tests.conftest import any_games, convex_games, cost_games, party_ids, random_games


def _lp(
    n: int, rows: list[tuple[list[float], float, float]], cost: list[float], lower: list[float]
) -> tuple[float, np.ndarray] | None:
    """min cost·z over z = (x, ε) with the given rows (coefficients, lower, upper)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    inf = highspy.kHighsInf
    h.addVars(n + 1, np.array(lower), np.full(n + 1, inf))
    for j, c in enumerate(cost):
        h.changeColCost(j, c)
    for coefficients, lo, up in rows:
        index = np.flatnonzero(coefficients).astype(np.int32)
        h.addRow(lo, up, len(index), index, np.array(coefficients)[index])
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return h.getInfo().objective_function_value, np.array(h.getSolution().col_value)


def brute_force_nucleolus(game: Game, imputations: bool) -> np.ndarray:
    """Maschler–Peleg–Shapley with every coalition in every LP (benefit form)."""
    v = game.savings_game().values
    n = game.n
    if n == 1:
        return np.array([v[1]])
    grand = (1 << n) - 1
    vec = {s: [float(s >> i & 1) for i in range(n)] for s in range(1, grand + 1)}
    lower = [v[1 << i] if imputations else -1e9 for i in range(n)] + [-1e9]
    fixed = {grand: v[grand]}
    free = set(range(1, grand))
    tol = 1e-9 * max(1.0, float(np.abs(v).max()))
    while True:
        base = [([*vec[s], 0.0], value, value) for s, value in fixed.items()]
        free_rows = [([*vec[s], 1.0], v[s], highspy.kHighsInf) for s in free]
        epsilon, z = _lp(n, base + free_rows, [0.0] * n + [1.0], lower)
        face = base + free_rows + [([0.0] * n + [1.0], epsilon, epsilon)]
        newly_fixed = []
        for s in free:
            # min e(S) = max x(S) over the optimal face; tight everywhere iff it equals ε
            best, _ = _lp(n, face, [-c for c in vec[s]] + [0.0], lower)
            if v[s] + best >= epsilon - tol:
                newly_fixed.append(s)
        for s in newly_fixed:
            fixed[s] = v[s] - epsilon
            free.discard(s)
        spans_all = np.linalg.matrix_rank(np.array([vec[s] for s in fixed])) == n
        if spans_all or not free:
            return game.to_orientation(z[:n])


def _rounded(game: Game) -> Game:
    """The game with values on a 1e-3 grid: LP solvers resolve about 1e-9, so values that
    differ by 1e-10 (which hypothesis likes to draw) make near-ties that neither method
    can tell apart; on a grid, ties are exact and the comparison is meaningful."""
    return Game(
        game.players, np.round(game.values, 3), game.orientation, attributes=game.attributes
    )


def small_games(max_n: int = 4) -> st.SearchStrategy[Game]:
    return st.one_of(random_games(2, max_n), convex_games(2, max_n), cost_games(2, max_n)).map(
        _rounded
    )


@given(small_games())
def test_prenucleolus_matches_brute_force(game: Game) -> None:
    expected = brute_force_nucleolus(game, imputations=False)
    got = prenucleolus(game).shares
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * tolerance(game.values) * 1e9)


@given(small_games())
def test_nucleolus_matches_brute_force(game: Game) -> None:
    benefit = game.savings_game()
    if benefit.standalone_values.sum() > benefit.grand_value + tolerance(benefit.values):
        with pytest.raises(InfeasibleError, match="imputations"):
            nucleolus(game)
        return
    expected = brute_force_nucleolus(game, imputations=True)
    got = nucleolus(game).shares
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * tolerance(game.values) * 1e9)


@given(any_games(2, 6), st.integers(0, 10**6))
def test_kohlberg_rejects_any_other_allocation(game: Game, seed: int) -> None:
    x = prenucleolus(game).shares
    assert kohlberg_check(game, x, imputations=False).passed
    shift = np.random.default_rng(seed).normal(size=game.n)
    shift -= shift.mean()
    shift *= 1e-3 * max(1.0, float(np.abs(game.values).max())) / np.abs(shift).max()
    assert not kohlberg_check(game, x + shift, imputations=False).passed


@given(any_games(2, 6))
def test_nucleolus_in_core_when_least_core_epsilon_not_positive(game: Game) -> None:
    epsilon = least_core(game).details["epsilon"]
    if epsilon > tolerance(game.values):
        return
    report = check_allocation(game, nucleolus(game))
    assert report.in_core
    assert report.worst_excess == pytest.approx(epsilon, abs=1e-6 * max(1, abs(epsilon)))


@given(any_games(2, 6))
def test_prenucleolus_is_nucleolus_when_individually_rational(game: Game) -> None:
    pre = prenucleolus(game)
    if not check_allocation(game, pre).individually_rational:
        return
    np.testing.assert_allclose(
        nucleolus(game).shares, pre.shares, atol=1e-7 * max(1.0, float(np.abs(game.values).max()))
    )


@given(any_games(2, 6))
def test_least_core_epsilon_is_the_smallest_worst_excess(game: Game) -> None:
    """ε* equals the worst excess of its point and no method's allocation does better."""
    lc = least_core(game)
    epsilon = lc.details["epsilon"]
    scale = max(1.0, float(np.abs(game.values).max()))
    assert check_allocation(game, lc).worst_excess == pytest.approx(epsilon, abs=1e-7 * scale)
    equal = np.full(game.n, game.grand_value / game.n)
    assert check_allocation(game, equal).worst_excess >= epsilon - 1e-7 * scale


@pytest.mark.parametrize("n", [8, 12])
def test_row_generation_on_larger_random_games(n: int) -> None:
    """Larger games, where row generation matters, against Kohlberg and the core scan."""
    rng = np.random.default_rng(n)
    values = rng.uniform(0.8, 1.2, 1 << n) * np.array(
        [bin(m).count("1") ** 1.3 for m in range(1 << n)]
    )
    game = Game(party_ids(n), values)
    x = nucleolus(game).shares
    assert kohlberg_check(game, x, imputations=True).passed
    assert x.sum() == pytest.approx(game.grand_value)


def test_no_imputations_is_a_clear_error() -> None:
    game = Game.from_mapping(["A", "B"], {"A": 5, "B": 5, "A+B": 6})
    with pytest.raises(InfeasibleError, match="prenucleolus"):
        nucleolus(game)
    assert prenucleolus(game).as_dict() == pytest.approx({"A": 3.0, "B": 3.0})


def test_cost_game_nucleolus_shares_sum_to_grand_cost() -> None:
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 6, "B": 5, "C": 4, "A+B": 9, "A+C": 8, "B+C": 7, "A+B+C": 11}, "cost"
    )
    allocation = nucleolus(game)
    assert allocation.shares.sum() == pytest.approx(11)
    assert check_allocation(game, allocation).in_core


@given(any_games(2, 6))
def test_least_core_epsilon_alone_matches_the_full_sequence(game: Game) -> None:
    scale = max(1.0, float(np.abs(game.values).max()))
    assert least_core_epsilon(game) == pytest.approx(
        least_core(game).details["epsilon"], abs=1e-9 * scale
    )


@pytest.mark.parametrize("n", [10, 12])
def test_kohlberg_solves_an_lp_only_when_a_level_raises_the_rank(n: int) -> None:
    """At most n balancedness LPs per pass over the levels (a second pass when the first
    256 coalitions do not reach full rank), however many excess levels there are."""
    game = veto_pair_game(n)
    x = nucleolus(game).shares
    result = kohlberg_check(game, x, imputations=True)
    assert result.passed
    assert 1 <= result.balance_checks <= 2 * n < result.levels_checked
    assert not kohlberg_check(game, x + 1e-3 * (np.arange(n) - (n - 1) / 2), True).passed


def veto_pair_game(n: int) -> Game:
    """v(S) = Σ_{i∈S} w_i if A and B are both in S, else 0: many excess levels (the coalitions
    without A or B, each at −x(S)) long before the levels span ℝⁿ."""
    masks = np.arange(1 << n)
    weights = np.random.default_rng(n).integers(1, 20, n).astype(float)
    sums = ((masks[:, None] >> np.arange(n)) & 1) @ weights
    return Game(party_ids(n), np.where((masks & 3) == 3, sums, 0.0))
