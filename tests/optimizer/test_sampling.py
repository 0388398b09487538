"""The sampled Shapley value: every method within 4 standard errors of the exact value where
both run, standard errors that shrink with the budget, reproducible with a seed, efficient
(by construction, or by the correction), and switched on above ``exact_limit`` parties for
model games (whose coalitions go through the engine and its cache)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.coalitions import CoalitionEngine, coalition_settings
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.sampling import (
    DEFAULT_METHOD,
    METHODS,
    SamplingMethod,
    confidence_interval,
    model_shapley,
    sampled_shapley,
    standard_errors,
)
from fairpool.optimizer.solutions.shapley import shapley
from fairpool.optimizer.solutions.stratified import (
    allocate,
    shapley_stratum_weights,
    stratified_estimate,
)
from tests.conftest import party_ids, unanimity_game
from tests.optimizer.coalition_models import SlowFormula, budgeted_projects


def random_game(n: int, seed: int) -> Game:
    """Monotone-ish random benefit game: a random walk over masks plus unanimity terms."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 50, 1 << n)
    for carrier in rng.integers(1, 1 << n, 4):
        values += rng.uniform(0, 100) * unanimity_game(n, int(carrier))
    return Game(party_ids(n), values)


def errors_of(allocation: Allocation) -> np.ndarray:
    errors = standard_errors(allocation)
    assert errors is not None
    return errors


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n, seed", [(6, 1), (7, 2), (8, 3), (8, 4)])
def test_sampled_within_four_standard_errors_of_exact(
    n: int, seed: int, method: SamplingMethod
) -> None:
    """The stratified samplers get 2000 values: their per-stratum variances need draws."""
    game = random_game(n, seed)
    exact = shapley(game).shares
    budget = 2_000 if method.startswith("stratified") else 600
    estimate = sampled_shapley(game, evaluations=budget, seed=seed, method=method)
    errors = errors_of(estimate)
    assert (errors >= 0).all()  # 0 where every stratum was enumerated (n = 6: all of them)
    assert (np.abs(estimate.shares - exact) <= 4 * errors + 1e-9).all()
    assert estimate.shares.sum() == pytest.approx(game.grand_value, rel=1e-12)
    assert estimate.details["method"] == method
    assert 0 < float(estimate.details["distinct_coalitions"]) <= 1 << n
    assert float(estimate.details["evaluations"]) <= 1.1 * budget  # stratified: less if enumerated
    interval = confidence_interval(estimate)
    assert interval is not None
    low, high = interval
    assert (low <= estimate.shares).all() and (estimate.shares <= high).all()


@pytest.mark.parametrize("method", ["stratified", "stratified_antithetic"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stratified_samplers_with_strata_left_to_sample(method: SamplingMethod, seed: int) -> None:
    """10 parties, 4000 values: most strata are sampled (not enumerated), and the estimate
    is still within 4 of its standard errors of the exact value."""
    game = random_game(10, seed)
    estimate = sampled_shapley(game, evaluations=4_000, seed=seed, method=method)
    errors = errors_of(estimate)
    assert (errors > 0).all()
    assert float(estimate.details["distinct_coalitions"]) < 1 << 10
    assert (np.abs(estimate.shares - shapley(game).shares) <= 4 * errors).all()


@pytest.mark.parametrize("method", METHODS)
def test_standard_errors_shrink_as_the_budget_grows(method: SamplingMethod) -> None:
    """Four times the budget: about half the standard error (1/√m), and never more."""
    game = random_game(12, 4)
    small = errors_of(sampled_shapley(game, evaluations=4_000, seed=5, method=method))
    large = errors_of(sampled_shapley(game, evaluations=16_000, seed=5, method=method))
    assert large.mean() < 0.75 * small.mean()


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_estimate_other_seed_other_estimate(method: SamplingMethod) -> None:
    game = random_game(10, 5)
    first = sampled_shapley(game, evaluations=3_000, seed=42, method=method)
    again = sampled_shapley(game, evaluations=3_000, seed=42, method=method, batch_size=37)
    other = sampled_shapley(game, evaluations=3_000, seed=43, method=method)
    assert np.array_equal(first.shares, again.shares)
    assert first.details == again.details
    assert not np.array_equal(first.shares, other.shares)


def test_the_budget_counts_coalition_values_like_orders() -> None:
    """``permutations`` orders cost permutations · (n − 1) + 2 values, whatever the method."""
    game = random_game(10, 6)
    for method in METHODS:
        estimate = sampled_shapley(game, permutations=90, seed=0, method=method)
        asked = float(estimate.details["evaluations"])
        assert asked == pytest.approx(90 * 9 + 2, rel=0.1), method
        assert float(estimate.details["distinct_coalitions"]) <= asked


def test_stratified_efficiency_correction_and_raw_estimate() -> None:
    """The raw stratified estimate misses v(N) by ``efficiency_gap``; the corrected one does
    not, and its standard errors are smaller (it uses v(N), which is known exactly)."""
    game = random_game(10, 7)
    raw = sampled_shapley(game, evaluations=3_000, seed=1, method="stratified", efficient=False)
    corrected = sampled_shapley(game, evaluations=3_000, seed=1, method="stratified")
    gap = game.grand_value - raw.shares.sum()
    assert float(raw.details["efficiency_gap"]) == pytest.approx(gap, abs=1e-9)
    assert corrected.shares.sum() == pytest.approx(game.grand_value, rel=1e-12)
    raw_in_details = [float(corrected.details[f"raw_estimate_{p}"]) for p in game.players]
    assert np.allclose(raw_in_details, raw.shares)
    assert (errors_of(corrected) <= errors_of(raw) + 1e-12).all()
    assert raw.details["efficiency"] == "raw" and corrected.details["efficiency"] == "corrected"


@given(st.integers(2, 7), st.integers(0, 2**16), st.sampled_from(METHODS))
def test_additive_games_are_estimated_exactly(n: int, seed: int, method: SamplingMethod) -> None:
    """v(S) = Σ_{i∈S} a_i: every marginal contribution of i is a_i, so the SE is 0."""
    weights = np.random.default_rng(seed).normal(size=n)
    masks = np.arange(1 << n)
    values = ((masks[:, None] >> np.arange(n)) & 1) @ weights
    estimate = sampled_shapley(
        lambda m: values[m],
        n_players=n,
        evaluations=40 * n * n,
        seed=seed,
        method=method,
    )
    assert np.allclose(estimate.shares, weights, atol=1e-12)
    assert np.allclose(errors_of(estimate), 0.0, atol=1e-12)
    assert estimate.players == tuple(str(i) for i in range(n))


def test_rotations_with_reverses_cost_no_more_than_rotations() -> None:
    """The reverse of a rotated order has the complements of its prefixes as prefixes, and
    complements of cyclic intervals are cyclic intervals: the pairs need no new coalitions."""
    game = random_game(12, 8)
    plain = sampled_shapley(game, evaluations=3_000, seed=2, method="rotations")
    paired = sampled_shapley(game, evaluations=3_000, seed=2, method="rotations_antithetic")
    assert float(paired.details["distinct_coalitions"]) == float(
        plain.details["distinct_coalitions"]
    )
    assert float(paired.details["permutations"]) == 2 * float(plain.details["permutations"])


def test_the_antithetic_keyword_still_chooses_the_permutation_samplers() -> None:
    game = random_game(8, 9)
    assert sampled_shapley(game, permutations=40).details["method"] == DEFAULT_METHOD
    assert sampled_shapley(game, permutations=40, antithetic=True).details["method"] == (
        "antithetic"
    )
    plain = sampled_shapley(game, permutations=40, antithetic=False)
    assert plain.details["method"] == "permutation" and plain.details["antithetic"] == "no"
    with pytest.raises(CaseError, match="contradicts"):
        sampled_shapley(game, permutations=40, antithetic=False, method="antithetic")
    with pytest.raises(CaseError, match="unknown sampling method"):
        sampled_shapley(game, permutations=40, method="owen")  # type: ignore[arg-type]


def test_antithetic_pairs_reduce_the_error_on_a_convex_game() -> None:
    n = 9
    sizes = np.array([bin(m).count("1") for m in range(1 << n)], dtype=float)
    game = Game(party_ids(n), sizes**2 + np.arange(1 << n) % 7)
    plain = errors_of(sampled_shapley(game, permutations=2000, seed=1, method="permutation"))
    paired = errors_of(sampled_shapley(game, permutations=2000, seed=1, method="antithetic"))
    assert paired.mean() < plain.mean()


def test_stratified_sampling_enumerates_small_strata_and_is_exact_on_a_full_budget() -> None:
    game = random_game(7, 10)
    exact = shapley(game).shares
    result = stratified_estimate(
        game.values.__getitem__, 7, shapley_stratum_weights(7), 100_000, seed=0
    )
    assert result.sampled_cells == 0 and np.allclose(result.variance, 0.0)
    assert np.allclose(result.estimate, exact, atol=1e-9)
    assert result.distinct == 1 << 7
    draws, enumerated = allocate(100, np.array([3.0, 1e6, 1e6]), np.ones(3))
    assert enumerated.tolist() == [True, False, False]
    assert draws[0] == 3 and draws[1:].sum() == 97


def test_model_games_sample_through_the_engine_and_its_cache(tmp_path: Path) -> None:
    model = budgeted_projects(parties=6, projects=8, seed=7)
    cache = tmp_path / "c.sqlite"
    exact = model_shapley(model)  # 6 ≤ exact_limit: all 64 coalitions
    assert "standard_error_A" not in exact.details
    with coalition_settings(cache=cache, exact_limit=5, permutations=40, seed=3):
        sampled = model_shapley(model)
    assert sampled.details["method"] == DEFAULT_METHOD
    errors = errors_of(sampled)
    assert (np.abs(sampled.shares - exact.shares) <= 4 * errors + 1e-9).all()
    with CoalitionEngine(model, cache=cache) as engine:  # every coalition met is on disk
        engine.values(np.arange(64))
        assert (
            engine.cached == float(sampled.details["distinct_coalitions"]) - 1
        )  # v(∅) is not solved
        assert engine.cached + engine.solved == 63
    stratified = model_shapley(model, exact_limit=5, method="stratified", evaluations=300)
    assert stratified.details["method"] == "stratified"


@pytest.mark.parametrize("method", METHODS)
def test_sampling_a_model_beyond_dense_storage(method: SamplingMethod) -> None:
    """30 parties: no dense game exists; v(S) comes from the evaluator on the coalitions met."""
    n = 30
    weights = tuple(float(i % 5) for i in range(n))
    model = SlowFormula(tuple(f"P{i}" for i in range(n)), weights)
    estimate = sampled_shapley(model, permutations=200, seed=0, method=method)
    # v(S) = Σ w_i + |S|²: φ_i = w_i + n (the |S|² part is symmetric, (n² / n) each)
    exact = np.array(weights) + n
    if method == "permutation":  # a random position per order: sampling error remains
        assert (np.abs(estimate.shares - exact) <= 4 * errors_of(estimate) + 1e-9).all()
    else:  # i's positions come in pairs k, n−1−k or in full rotations: the |S|² part is exact
        assert np.allclose(estimate.shares, exact, atol=1e-9)
        assert np.allclose(errors_of(estimate), 0.0, atol=1e-9)


@pytest.mark.parametrize(
    "method, message",
    [
        ("antithetic", "at least 4"),
        ("permutation", "at least 2"),
        ("rotations", "at least 6"),
        ("stratified", "at least"),
    ],
)
def test_too_small_a_budget_is_a_clear_error(method: SamplingMethod, message: str) -> None:
    game = Game.from_mapping(
        ["A", "B", "C"], {"A": 1, "B": 2, "C": 0, "A+B": 6, "A+C": 1, "B+C": 2, "A+B+C": 9}
    )
    with pytest.raises(CaseError, match=message):
        sampled_shapley(game, permutations=1, seed=0, method=method)
    two = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
    shares = sampled_shapley(two, permutations=4, seed=0, method=method).as_dict()
    if method != "permutation":  # pairs, rotations and strata cover both orders of two
        assert shares == {"A": 2.5, "B": 3.5}
