"""Constraint generation over the oracle against the explicit engine and brute force.

With the exact :class:`EnumeratedOracle`, every generated answer must equal the explicit one:
ε* = ``least_core_epsilon``, the nucleolus and prenucleolus, the worst coalition (a scan of
all excesses), the core band (every coalition's half-line intersected). Certificates must
fail when the answer is wrong: an oracle that hides one coalition gives a point a correct
oracle refutes, and a perturbed nucleolus fails Kohlberg's criterion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.errors import InfeasibleError, VerificationError
from fairpool.optimizer.game import (
    RELATIVE_TOLERANCE,
    Game,
    coalition_sizes,
    membership_matrix,
    unit_scale,
    value_scale,
)
from fairpool.optimizer.generation.algorithms import (
    GenerationProgress,
    certify_nucleolus,
    generated_core_interval,
    generated_least_core,
    generated_nucleolus,
    worst_coalition,
)
from fairpool.optimizer.generation.oracle import (
    CoalitionOracle,
    EnumeratedOracle,
    OracleStatistics,
    Violation,
)
from fairpool.optimizer.generation.span import ExactSpan, SpanSeparation
from fairpool.optimizer.solutions.nucleolus import least_core_epsilon, nucleolus, prenucleolus
from tests.conftest import any_games, party_ids, weighted_voting_games

RELATIVE = 1e-6


def _rounded(game: Game) -> Game:
    """Values on a 1e-3 grid: exact ties instead of near-ties neither method can resolve."""
    return Game(game.players, np.round(game.values, 3), game.orientation)


@st.composite
def symmetric_games(draw: st.DrawFn, min_n: int = 2, max_n: int = 6) -> Game:
    """v(S) = f(|S|): every coalition of a size ties with the others."""
    n = draw(st.integers(min_n, max_n))
    by_size = draw(st.lists(st.integers(-20, 40), min_size=n + 1, max_size=n + 1))
    return Game(party_ids(n), np.array(by_size, dtype=float)[coalition_sizes(n)])


def small_games() -> st.SearchStrategy[Game]:
    return st.one_of(any_games(2, 6), symmetric_games(), weighted_voting_games(2, 7)).map(_rounded)


def seeded_games(n: int, seed: int) -> list[Game]:
    """Random, convex, airport (cost), random cost, voting, majority and veto games."""
    rng = np.random.default_rng(seed)
    masks = np.arange(1 << n)
    sizes = coalition_sizes(n).astype(float)
    member = membership_matrix(masks, n)
    weights = rng.integers(1, 6, n).astype(float)
    needs = rng.uniform(1, 50, n)
    airport = 10.0 + np.max(member * needs, axis=1)
    games = [
        Game(party_ids(n), np.round(rng.uniform(0, 1, 1 << n) * sizes**1.3, 3)),
        Game(party_ids(n), np.round(sizes**2 + 3 * ((masks & 5) == 5), 3)),
        Game(party_ids(n), np.round(airport, 3), "cost"),
        Game(party_ids(n), np.round(rng.uniform(5, 100, 1 << n), 3), "cost"),
        Game(party_ids(n), (member @ weights >= weights.sum() / 2).astype(float)),
        Game(party_ids(n), (sizes > n / 2).astype(float)),
        Game(party_ids(n), np.where((masks & 3) == 3, member @ weights, 0.0)),
    ]
    return games


def _scale(game: Game) -> float:
    return max(1.0, value_scale(game.values))


def _close(got: np.ndarray, expected: np.ndarray, game: Game) -> None:
    np.testing.assert_allclose(
        got, expected, rtol=RELATIVE, atol=RELATIVE * value_scale(game.values)
    )


def _check_everything(game: Game) -> None:
    epsilon = generated_least_core(EnumeratedOracle(game))
    assert epsilon.epsilon == pytest.approx(least_core_epsilon(game), abs=1e-7 * _scale(game))
    assert epsilon.certified
    pre = generated_nucleolus(EnumeratedOracle(game), imputations=False)
    _close(pre.shares, prenucleolus(game).shares, game)
    assert pre.certificate.passed
    try:
        expected = nucleolus(game).shares
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            generated_nucleolus(EnumeratedOracle(game), imputations=True)
        return
    got = generated_nucleolus(EnumeratedOracle(game), imputations=True)
    _close(got.shares, expected, game)


@given(small_games())
def test_generated_answers_equal_the_explicit_engine(game: Game) -> None:
    _check_everything(game)


@pytest.mark.parametrize("n", [3, 7, 9, 10])
def test_generated_answers_on_seeded_games(n: int) -> None:
    for game in seeded_games(n, seed=n):
        _check_everything(game)


@given(any_games(2, 7), st.integers(0, 10**6))
def test_worst_coalition_is_the_largest_excess(game: Game, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shares = rng.uniform(-1, 1, game.n) * _scale(game)
    shares += (game.grand_value - shares.sum()) / game.n
    worst = worst_coalition(EnumeratedOracle(game), shares)
    excesses = game.excesses(shares)[1:-1]
    assert worst.excess == pytest.approx(excesses.max(), abs=1e-9 * _scale(game))
    assert game.excesses(shares)[worst.mask] == pytest.approx(worst.excess)
    assert worst.blocks == (worst.excess > worst.tolerance)


def brute_force_band(
    game: Game, base: np.ndarray, slope: np.ndarray, low: float, high: float
) -> tuple[float, float] | None:
    """Every proper coalition's half-line intersected, and efficiency along the line.

    The tolerance is generated_core_interval's: RELATIVE_TOLERANCE of the unit scale of the
    values and the shares at both ends of the line (a game of values ~1e-114 on a line of
    shares ~1 has a core band of width ~1e-9, not none)."""
    ends = np.concatenate([base + low * slope, base + high * slope, base])
    tol = RELATIVE_TOLERANCE * unit_scale(np.append(game.values, ends))
    at_zero = game.excesses(base)[1:-1]
    change = game.excesses(base + slope)[1:-1] - at_zero
    lo, hi = low, high
    for e0, d in zip(at_zero, change, strict=True):
        if abs(d) < 1e-12 * _scale(game):
            if e0 > tol:
                return None
        elif d > 0:
            hi = min(hi, (tol - e0) / d)
        else:
            lo = max(lo, (tol - e0) / d)
    return (lo, hi) if lo <= hi else None


@given(any_games(2, 7), st.integers(0, 10**6))
def test_core_interval_equals_brute_force(game: Game, seed: int) -> None:
    rng = np.random.default_rng(seed)
    try:
        base = nucleolus(game).shares
    except InfeasibleError:
        base = prenucleolus(game).shares
    slope = rng.normal(size=game.n) * _scale(game)
    slope -= slope.mean()
    expected = brute_force_band(game, base, slope, -2.0, 3.0)
    got = generated_core_interval(EnumeratedOracle(game), base, slope, -2.0, 3.0)
    if expected is None or got is None:
        assert got is None and expected is None
        return
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # and a scan of the line agrees with the band
    for t in np.linspace(-2.0, 3.0, 41):
        inside = game.excesses(base + t * slope)[1:-1].max() <= 1e-7 * _scale(game)
        if not (got[0] - 1e-5 <= t <= got[1] + 1e-5):
            assert not inside
        elif got[0] + 1e-5 <= t <= got[1] - 1e-5:
            assert inside


def test_core_interval_is_empty_for_an_empty_core() -> None:
    game = Game(party_ids(3), (coalition_sizes(3) >= 2).astype(float))  # majority game
    base = np.full(3, 1 / 3)
    assert (
        generated_core_interval(EnumeratedOracle(game), base, np.array([1.0, -1.0, 0]), 0, 1)
        is None
    )


@pytest.mark.parametrize("factor", [1e-6, 1e8])
def test_unit_free(factor: float) -> None:
    for game in seeded_games(6, seed=3)[:4]:
        scaled = Game(game.players, game.values * factor, game.orientation)
        one = generated_least_core(EnumeratedOracle(game))
        other = generated_least_core(EnumeratedOracle(scaled))
        assert other.epsilon == pytest.approx(
            one.epsilon * factor, abs=RELATIVE * factor * _scale(game)
        )
        pre = generated_nucleolus(EnumeratedOracle(game), imputations=False).shares
        pre_scaled = generated_nucleolus(EnumeratedOracle(scaled), imputations=False).shares
        np.testing.assert_allclose(pre_scaled, pre * factor, rtol=RELATIVE, atol=RELATIVE * factor)
        slope = np.arange(6) - 2.5
        band = generated_core_interval(EnumeratedOracle(game), pre, slope, -1, 1)
        band_scaled = generated_core_interval(
            EnumeratedOracle(scaled), pre_scaled, slope * factor, -1, 1
        )
        assert (band is None) == (band_scaled is None)
        if band is not None and band_scaled is not None:
            np.testing.assert_allclose(band_scaled, band, atol=1e-6)


class HidingOracle:
    """A faulty oracle: never names ``hidden`` (as if its separation missed it)."""

    def __init__(self, inner: EnumeratedOracle, hidden: int) -> None:
        self.inner = inner
        self.hidden = hidden
        self.players = inner.players
        self.orientation = inner.orientation
        self.grand_value = inner.grand_value
        self.statistics = OracleStatistics()

    def value(self, mask: int) -> float:
        return self.inner.value(mask)

    def most_violated(
        self, shares: np.ndarray, *, excluded: Sequence[int] = (), count: int = 1
    ) -> list[Violation]:
        return self.inner.most_violated(shares, excluded=[*excluded, self.hidden], count=count)


@pytest.mark.parametrize("which", [0, 3])
def test_a_hidden_coalition_is_caught_by_a_correct_oracle(which: int) -> None:
    """Hide the coalition of largest excess at the prenucleolus (not a singleton or a
    complement, which every LP starts with): the faulty run ends elsewhere, certified by its
    own blind oracle, and the correct oracle refutes that point."""
    game = seeded_games(8, seed=0)[which]
    truth = prenucleolus(game).shares
    excess = game.excesses(truth)
    sizes = coalition_sizes(game.n)
    excess[(sizes <= 1) | (sizes >= game.n - 1)] = -np.inf
    faulty = HidingOracle(EnumeratedOracle(game), int(np.argmax(excess)))
    assert isinstance(faulty, CoalitionOracle)
    wrong = generated_nucleolus(faulty, imputations=False)
    assert wrong.certificate.passed
    assert np.abs(wrong.shares - truth).max() > 1e-3
    refuted = certify_nucleolus(EnumeratedOracle(game), wrong.shares, imputations=False)
    assert not refuted.passed
    assert refuted.failed_level is not None
    assert "not balanced" in refuted.reason


@given(any_games(3, 6), st.integers(0, 10**6))
def test_kohlberg_certificate_rejects_a_perturbed_point(game: Game, seed: int) -> None:
    game = _rounded(game)
    result = generated_nucleolus(EnumeratedOracle(game), imputations=False)
    assert certify_nucleolus(EnumeratedOracle(game), result.shares, False).passed
    shift = np.random.default_rng(seed).normal(size=game.n)
    shift -= shift.mean()
    shift *= 1e-3 * _scale(game) / np.abs(shift).max()
    assert not certify_nucleolus(EnumeratedOracle(game), result.shares + shift, False).passed


class LyingOracle(EnumeratedOracle):
    """Claims every coalition is worth one more than it is."""

    def most_violated(
        self, shares: np.ndarray, *, excluded: Sequence[int] = (), count: int = 1
    ) -> list[Violation]:
        found = super().most_violated(shares, excluded=excluded, count=count)
        return [Violation(v.mask, v.value + 1.0, v.excess + 1.0) for v in found]


def test_worst_coalition_refuses_an_inconsistent_oracle() -> None:
    game = seeded_games(4, seed=2)[0]
    with pytest.raises(VerificationError, match="inconsistent"):
        worst_coalition(LyingOracle(game), np.full(4, game.grand_value / 4))


def test_progress_reports_each_round() -> None:
    game = seeded_games(8, seed=5)[0]
    seen: list[GenerationProgress] = []
    result = generated_nucleolus(EnumeratedOracle(game), imputations=True, progress=seen.append)
    assert len(seen) == result.separations
    assert {p.stage for p in seen} == set(range(1, len(result.levels) + 1))
    assert "stage 1, round 1" in str(seen[0])
    assert seen[-1].gap <= 1e-9 * _scale(game)


def test_exact_span_agrees_with_the_rank() -> None:
    rng = np.random.default_rng(7)
    n = 9
    span = ExactSpan(n)
    chosen: list[int] = []
    for mask in rng.integers(1, 1 << n, size=6):
        span.add(int(mask))
        chosen.append(int(mask))
    tests = rng.integers(1, 1 << n, size=200)
    base_rank = np.linalg.matrix_rank(membership_matrix(np.array(chosen), n))
    assert span.rank == base_rank
    for mask, inside in zip(tests, span.contains(tests.tolist()), strict=True):
        grown = np.linalg.matrix_rank(membership_matrix(np.array([*chosen, mask]), n))
        assert inside == (grown == base_rank)


class SpanAwareOracle(EnumeratedOracle):
    """The brute-force oracle with the :class:`SpanSeparation` extension: it skips the
    coalitions in the span of the fixed ones itself, given the integer null-space basis."""

    def most_violated_outside_span(
        self, shares: np.ndarray, null_space: np.ndarray, *, count: int = 1
    ) -> list[Violation]:
        member = membership_matrix(np.arange(1 << self.game.n), self.game.n).astype(np.int64)
        inside = np.all(member.dot(null_space) == 0, axis=1)
        excluded = np.flatnonzero(inside).tolist()
        return self.most_violated(shares, excluded=excluded, count=count)


def test_a_span_aware_oracle_needs_no_exclusions() -> None:
    """The veto game makes lazily excluded lists grow (2^(n−2) in-span coalitions tie); the
    integer null-space basis lets the oracle skip them itself."""
    game = seeded_games(10, seed=1)[-1]
    oracle = SpanAwareOracle(game)
    assert isinstance(oracle, SpanSeparation)
    aware = generated_nucleolus(oracle, imputations=True)
    lazy = generated_nucleolus(EnumeratedOracle(game), imputations=True)
    _close(aware.shares, nucleolus(game).shares, game)
    _close(lazy.shares, aware.shares, game)
    assert aware.excluded == 0 < lazy.excluded
    assert aware.separations <= lazy.separations
    # the certificate closes with one span separation per rank-raising level, no masks
    assert aware.certificate.passed
    assert aware.certificate.separations <= game.n + 1
    assert aware.certificate.collection_size < lazy.certificate.collection_size


@given(small_games(), st.integers(0, 10**6))
def test_span_aware_oracle_gives_the_same_answers(game: Game, seed: int) -> None:
    result = generated_nucleolus(SpanAwareOracle(game), imputations=False)
    _close(result.shares, prenucleolus(game).shares, game)
    shift = np.random.default_rng(seed).normal(size=game.n)
    shift -= shift.mean()
    shift *= 1e-3 * _scale(game) / max(np.abs(shift).max(), 1e-12)
    assert not certify_nucleolus(SpanAwareOracle(game), result.shares + shift, False).passed


def test_sixteen_players_need_few_rows() -> None:
    """Efficiency sanity check (not timed): a 16-party game of 65 536 coalitions."""
    n = 16
    rng = np.random.default_rng(n)
    values = rng.uniform(0.8, 1.2, 1 << n) * coalition_sizes(n).astype(float) ** 1.3
    game = Game(tuple(f"P{i}" for i in range(n)), values)
    result = generated_nucleolus(EnumeratedOracle(game), imputations=True)
    _close(result.shares, nucleolus(game).shares, game)
    assert result.rows < 1_000
    assert result.separations < 50
    assert result.certificate.separations == 1
