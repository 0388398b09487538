"""The sampled Shapley value: within 4 standard errors of the exact value where both run,
reproducible with a seed, efficient by construction, and switched on above ``exact_limit``
parties for model games (whose coalitions go through the engine and its cache)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.coalitions import CoalitionEngine, coalition_settings
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.solutions.sampling import (
    confidence_interval,
    model_shapley,
    sampled_shapley,
    standard_errors,
)
from fairpool.optimizer.solutions.shapley import shapley
from tests.conftest import party_ids, unanimity_game
from tests.optimizer.coalition_models import SlowFormula, budgeted_projects


def random_game(n: int, seed: int) -> Game:
    """Monotone-ish random benefit game: a random walk over masks plus unanimity terms."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 50, 1 << n)
    for carrier in rng.integers(1, 1 << n, 4):
        values += rng.uniform(0, 100) * unanimity_game(n, int(carrier))
    return Game(party_ids(n), values)


@pytest.mark.parametrize("antithetic", [True, False])
@pytest.mark.parametrize("n, seed", [(4, 0), (6, 1), (8, 2), (10, 3)])
def test_sampled_within_four_standard_errors_of_exact(n: int, seed: int, antithetic: bool) -> None:
    game = random_game(n, seed)
    exact = shapley(game).shares
    estimate = sampled_shapley(game, permutations=3000, seed=seed, antithetic=antithetic)
    errors = standard_errors(estimate)
    assert errors is not None and (errors > 0).all()
    assert (np.abs(estimate.shares - exact) <= 4 * errors + 1e-9).all()
    assert estimate.shares.sum() == pytest.approx(game.grand_value, rel=1e-12)
    assert estimate.details["permutations"] == 3000.0
    interval = confidence_interval(estimate)
    assert interval is not None
    low, high = interval
    assert (low < estimate.shares).all() and (estimate.shares < high).all()


def test_same_seed_same_estimate_other_seed_other_estimate() -> None:
    game = random_game(7, 5)
    first = sampled_shapley(game, permutations=500, seed=42)
    again = sampled_shapley(game, permutations=500, seed=42, batch_size=37)
    other = sampled_shapley(game, permutations=500, seed=43)
    assert np.array_equal(first.shares, again.shares)
    assert first.details == again.details
    assert not np.array_equal(first.shares, other.shares)


@given(st.integers(2, 7), st.integers(0, 2**16))
def test_additive_games_are_estimated_exactly(n: int, seed: int) -> None:
    """v(S) = Σ_{i∈S} a_i: every marginal contribution of i is a_i, so the SE is 0."""
    weights = np.random.default_rng(seed).normal(size=n)
    masks = np.arange(1 << n)
    values = ((masks[:, None] >> np.arange(n)) & 1) @ weights
    estimate = sampled_shapley(lambda m: values[m], n_players=n, permutations=10, seed=seed)
    assert np.allclose(estimate.shares, weights, atol=1e-12)
    errors = standard_errors(estimate)
    assert errors is not None and np.allclose(errors, 0.0, atol=1e-12)
    assert estimate.players == tuple(str(i) for i in range(n))


def test_antithetic_pairs_reduce_the_error_on_a_convex_game() -> None:
    n = 9
    sizes = np.array([bin(m).count("1") for m in range(1 << n)], dtype=float)
    game = Game(party_ids(n), sizes**2 + np.arange(1 << n) % 7)
    plain = standard_errors(sampled_shapley(game, permutations=2000, seed=1, antithetic=False))
    paired = standard_errors(sampled_shapley(game, permutations=2000, seed=1))
    assert paired is not None and plain is not None
    assert paired.mean() < plain.mean()


def test_model_games_sample_through_the_engine_and_its_cache(tmp_path) -> None:
    model = budgeted_projects(parties=6, projects=8, seed=7)
    cache = tmp_path / "c.sqlite"
    exact = model_shapley(model)  # 6 ≤ exact_limit: all 64 coalitions
    assert "standard_error_A" not in exact.details
    with coalition_settings(cache=cache, exact_limit=5, permutations=400, seed=3):
        sampled = model_shapley(model)
    errors = standard_errors(sampled)
    assert errors is not None
    assert (np.abs(sampled.shares - exact.shares) <= 4 * errors + 1e-9).all()
    with CoalitionEngine(model, cache=cache) as engine:  # every prefix met is on disk
        engine.values(np.arange(64))
        assert engine.cached > 0 and engine.cached + engine.solved == 63


def test_sampling_a_model_beyond_dense_storage() -> None:
    """30 parties: no dense game exists; v(S) comes from the evaluator on the prefixes only."""
    n = 30
    weights = tuple(float(i % 5) for i in range(n))
    model = SlowFormula(tuple(f"P{i}" for i in range(n)), weights)
    estimate = sampled_shapley(model, permutations=200, seed=0)
    # v(S) = Σ w_i + |S|²: φ_i = w_i + n (the |S|² part is symmetric, (n² / n) each)
    assert np.allclose(estimate.shares, np.array(weights) + n, atol=1e-9)


def test_too_few_permutations_is_a_clear_error() -> None:
    game = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
    with pytest.raises(CaseError, match="at least 4"):
        sampled_shapley(game, permutations=2, seed=0)
    assert sampled_shapley(game, permutations=4, seed=0).as_dict() == {"A": 2.5, "B": 3.5}
