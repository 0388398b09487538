"""Span-aware separation on the families' models, against brute force.

``ModelSeparator.most_violated_outside_span`` must return, first, the exact maximiser of
e(S, x) over the *free* coalitions (Zᵀ1_S ≠ 0 for the null-space basis Z of a random fixed
collection), every coalition it returns must be free, and the persistent MILP must be the
same afterwards. The generated nucleolus over the MILP oracle (which then uses the span-aware
separation in every stage after the least core) must equal the enumerated nucleolus on small
generated cases of each family.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from fairpool.models import family
from fairpool.models.cost_sharing.generate import generated_case as water_case
from fairpool.models.infrastructure.generate import generated_case as infrastructure_case
from fairpool.models.joint_park.generate import generated_case as park_case
from fairpool.optimizer.coalitions import CompiledCoalitionModel, model_game
from fairpool.optimizer.game import Orientation
from fairpool.optimizer.generation.nucleolus import generated_nucleolus
from fairpool.optimizer.generation.separation import ModelSeparator
from fairpool.optimizer.generation.span import ExactSpan, SpanSeparation, outside_span
from fairpool.optimizer.solutions.nucleolus import nucleolus
from tests.optimizer.test_separation import enumerated, excesses, facility, infrastructure, park

FAMILIES: dict[str, tuple[Callable[[int, int], CompiledCoalitionModel], Orientation]] = {
    "park": (park, "benefit"),
    "infrastructure": (infrastructure, "benefit"),
    "facility": (facility, "cost"),
}


def _fixed_collection(rng: np.random.Generator, n: int) -> ExactSpan:
    """N and 0 … n − 2 random coalitions: a span of rank < n."""
    span = ExactSpan(n)
    span.add((1 << n) - 1)
    for _ in range(int(rng.integers(0, n - 1))):
        span.add(int(rng.integers(1, (1 << n) - 1)))
    return span


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_outside_span_equals_the_brute_force_maximum(name: str, seed: int) -> None:
    build, orientation = FAMILIES[name]
    n = 6
    model = build(n, seed)
    values = enumerated(model)
    scale = max(1.0, float(np.abs(values).max()))
    separator = ModelSeparator(model, orientation)
    assert isinstance(separator, SpanSeparation)
    rng = np.random.default_rng(seed)
    everyone = np.arange(1 << n, dtype=np.int64)
    for _ in range(3):
        span = _fixed_collection(rng, n)
        if span.rank == n:
            continue
        null = span.null_basis()
        free = outside_span(everyone, null, n)
        assert np.array_equal(free, ~span.contains(everyone.tolist()))
        free[[0, -1]] = False
        shares = rng.normal(0.0, 1.0, n) * scale / n
        excess = excesses(values, shares, orientation)
        found = separator.most_violated_outside_span(shares, null, count=4)
        assert found[0].excess == pytest.approx(excess[free].max(), abs=1e-7 * scale)
        assert all(free[v.mask] for v in found)
        assert [v.excess for v in found] == sorted((v.excess for v in found), reverse=True)
        for violation in found:
            assert violation.excess == pytest.approx(excess[violation.mask], abs=1e-7 * scale)
        # the span rows are gone: the plain separation is the maximum over all coalitions
        plain = separator.most_violated(shares)
        excess[[0, -1]] = -np.inf
        assert plain[0].excess == pytest.approx(excess.max(), abs=1e-7 * scale)


def test_a_large_null_space_entry_falls_back_to_lazy_cuts() -> None:
    """Python-int (object) bases are answered by no-good cuts, with the same maximum."""
    n = 6
    model = park(n, 3)
    values = enumerated(model)
    separator = ModelSeparator(model, "benefit")
    span = ExactSpan(n)
    for mask in ((1 << n) - 1, 0b000011, 0b000110):
        span.add(mask)
    null = span.null_basis().astype(object)
    shares = np.full(n, float(values[-1]) / n)
    excess = excesses(values, shares, "benefit")
    free = outside_span(np.arange(1 << n, dtype=np.int64), null, n)
    free[[0, -1]] = False
    found = separator.most_violated_outside_span(shares, null, count=3)
    scale = max(1.0, float(np.abs(values).max()))
    assert found[0].excess == pytest.approx(excess[free].max(), abs=1e-7 * scale)
    assert all(free[v.mask] for v in found)


CASES = {
    "infrastructure": lambda n: infrastructure_case(n, 1),
    "park": lambda n: park_case(n, 1),
    "water": lambda n: water_case(n, 1),
}


@pytest.mark.parametrize(
    ("name", "n"),
    [
        ("infrastructure", 7),
        ("infrastructure", 10),
        ("park", 6),
        ("park", 9),
        ("water", 8),
        ("water", 9),
    ],
)
def test_generated_nucleolus_equals_the_enumerated_one(name: str, n: int) -> None:
    case = CASES[name](n)
    chosen = family(case.model)
    model = chosen.coalition_model(case)
    assert model is not None
    game = model_game(model, chosen.orientation)
    expected = nucleolus(game).shares
    oracle = ModelSeparator(model, chosen.orientation)
    found = generated_nucleolus(oracle, imputations=True)
    scale = max(1.0, float(np.abs(game.values).max()))
    np.testing.assert_allclose(found.shares, expected, atol=1e-6 * scale, rtol=0)
    assert found.excluded == 0  # the span-aware separation never needs an exclusion
    assert found.certificate.passed
