"""The sampled Banzhaf value: every method within 4 standard errors of the exact raw and
normalised values, standard errors that shrink with the budget, reproducible with a seed,
exact on additive games, and sampled through the coalition engine for model games."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.coalitions import model_game
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.banzhaf import banzhaf, banzhaf_raw
from fairpool.optimizer.solutions.banzhaf_sampling import (
    BANZHAF_METHODS,
    DEFAULT_BANZHAF_METHOD,
    BanzhafSampling,
    sampled_banzhaf,
)
from fairpool.optimizer.solutions.sampling import standard_errors
from tests.conftest import party_ids, unanimity_game
from tests.optimizer.coalition_models import SlowFormula, budgeted_projects


def random_game(n: int, seed: int) -> Game:
    """Monotone-ish random benefit game: noise over masks plus unanimity terms."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 50, 1 << n)
    for carrier in rng.integers(1, 1 << n, 4):
        values += rng.uniform(0, 100) * unanimity_game(n, int(carrier))
    return Game(party_ids(n), values)


def errors_of(allocation: Allocation) -> np.ndarray:
    errors = standard_errors(allocation)
    assert errors is not None
    return errors


@pytest.mark.parametrize("method", BANZHAF_METHODS)
@pytest.mark.parametrize("n, seed", [(6, 1), (7, 2), (8, 3), (10, 4)])
def test_raw_estimate_within_four_standard_errors(
    n: int, seed: int, method: BanzhafSampling
) -> None:
    game = random_game(n, seed)
    estimate = sampled_banzhaf(game, evaluations=3_000, seed=seed, method=method, normalised=False)
    errors = errors_of(estimate)
    assert (np.abs(estimate.shares - banzhaf_raw(game)) <= 4 * errors + 1e-9).all()
    assert estimate.details["method"] == method and estimate.details["normalised"] == "no"
    assert float(estimate.details["evaluations"]) <= 3_000 * 1.1
    assert 0 < float(estimate.details["distinct_coalitions"]) <= 1 << n


@pytest.mark.parametrize("method", BANZHAF_METHODS)
def test_normalised_estimate_adds_up_and_is_near_the_exact_one(method: BanzhafSampling) -> None:
    game = random_game(9, 5)
    estimate = sampled_banzhaf(game, evaluations=4_000, seed=2, method=method)
    assert estimate.shares.sum() == pytest.approx(game.grand_value, rel=1e-12)
    assert (np.abs(estimate.shares - banzhaf(game).shares) <= 4 * errors_of(estimate)).all()
    raw = [float(estimate.details[f"raw_estimate_{p}"]) for p in game.players]
    assert float(estimate.details["scale"]) == pytest.approx(game.grand_value / sum(raw))


@pytest.mark.parametrize("method", BANZHAF_METHODS)
def test_standard_errors_shrink_as_the_budget_grows(method: BanzhafSampling) -> None:
    game = random_game(12, 6)
    small = sampled_banzhaf(game, evaluations=4_000, seed=1, method=method, normalised=False)
    large = sampled_banzhaf(game, evaluations=16_000, seed=1, method=method, normalised=False)
    assert errors_of(large).mean() < 0.75 * errors_of(small).mean()


@pytest.mark.parametrize("method", BANZHAF_METHODS)
def test_same_seed_same_estimate_other_seed_other_estimate(method: BanzhafSampling) -> None:
    game = random_game(10, 7)
    first = sampled_banzhaf(game, evaluations=3_000, seed=4, method=method)
    again = sampled_banzhaf(game, evaluations=3_000, seed=4, method=method, batch_size=5)
    other = sampled_banzhaf(game, evaluations=3_000, seed=5, method=method)
    assert np.array_equal(first.shares, again.shares) and first.details == again.details
    assert not np.array_equal(first.shares, other.shares)


@given(st.integers(2, 7), st.integers(0, 2**16), st.sampled_from(BANZHAF_METHODS))
def test_additive_games_are_estimated_exactly(n: int, seed: int, method: BanzhafSampling) -> None:
    """v(S) = Σ_{i∈S} a_i: every marginal contribution of i is a_i, so the SE is 0."""
    weights = np.random.default_rng(seed).normal(size=n)
    masks = np.arange(1 << n)
    values = ((masks[:, None] >> np.arange(n)) & 1) @ weights
    estimate = sampled_banzhaf(
        lambda m: values[m],
        n_players=n,
        evaluations=40 * n * n,
        seed=seed,
        method=method,
        normalised=False,
    )
    assert np.allclose(estimate.shares, weights, atol=1e-12)
    assert np.allclose(errors_of(estimate), 0.0, atol=1e-12)


def test_model_games_are_sampled_through_the_engine() -> None:
    model = budgeted_projects(parties=6, projects=8, seed=7)
    exact = banzhaf_raw(model_game(model))
    estimate = sampled_banzhaf(model, evaluations=2_000, seed=3, normalised=False)
    assert estimate.details["method"] == DEFAULT_BANZHAF_METHOD
    assert estimate.players == model.players
    assert (np.abs(estimate.shares - exact) <= 4 * errors_of(estimate) + 1e-9).all()


def test_thirty_parties_beyond_dense_storage() -> None:
    """v(S) = Σ w_i + |S|²: β_i = w_i + E[2|S| + 1] = w_i + n (|S| ~ Binomial(n − 1, ½))."""
    n = 30
    weights = tuple(float(i % 5) for i in range(n))
    model = SlowFormula(tuple(f"P{i}" for i in range(n)), weights)
    estimate = sampled_banzhaf(model, evaluations=8_000, seed=0, normalised=False)
    exact = np.array(weights) + n
    assert (np.abs(estimate.shares - exact) <= 4 * errors_of(estimate) + 1e-9).all()
    stratified = sampled_banzhaf(model, evaluations=8_000, method="stratified", normalised=False)
    assert np.allclose(stratified.shares, exact, atol=1e-9)  # no spread within a stratum


def test_bad_requests_are_clear_errors() -> None:
    game = random_game(5, 8)
    with pytest.raises(CaseError, match="unknown Banzhaf sampling method"):
        sampled_banzhaf(game, method="owen")  # type: ignore[arg-type]
    with pytest.raises(CaseError, match="at least"):
        sampled_banzhaf(game, evaluations=10, method="uniform")
    values = np.array([0.0, 1.0, -1.0, 0.0])  # β = (1, −1): sums to v(N) = 0, scale 1
    zero = sampled_banzhaf(lambda m: values[m], n_players=2, evaluations=40, method="stratified")
    assert float(zero.details["scale"]) == 1.0
    # n = 3: Σ β = Σ_S v(S)(2|S| − 3)/4 = (−15 + 0 + 3·5)/4 = 0, but v(N) = 5
    lopsided = np.array([0.0, 5.0, 5.0, 0.0, 5.0, 0.0, 0.0, 5.0])
    with pytest.raises(CaseError, match="sum to zero"):
        sampled_banzhaf(lambda m: lopsided[m], n_players=3, evaluations=60, method="stratified")
