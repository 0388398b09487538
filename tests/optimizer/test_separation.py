"""The separation MILP against brute force: for random small models of the three families,
the first violation is the enumerated maximiser of e(S, x), its value is v(S), excluded
coalitions are skipped, and the answer does not depend on the money unit."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairpool.models.cost_sharing.coalitions import FacilityCoalitionModel
from fairpool.models.infrastructure.coalitions import InfrastructureCoalitionModel
from fairpool.models.joint_park.coalitions import ParkCoalitionModel
from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledCoalitionModel,
    CompiledEvaluator,
)
from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import Game, Orientation, coalition_sums
from fairpool.optimizer.generation.oracle import CoalitionOracle
from fairpool.optimizer.generation.separation import ModelSeparator, separator_for
from fairpool.optimizer.solutions.nucleolus import prenucleolus

PLAYERS = tuple("ABCDEFGHIJKLMNOP")


def _some(rng: np.random.Generator, n: int, low: int, high: int) -> int:
    """A random coalition mask of low … high − 1 members."""
    size = int(rng.integers(low, high))
    return sum(1 << int(i) for i in rng.choice(n, size, replace=False))


def _links(rng: np.random.Generator, count: int, pairs: int) -> np.ndarray:
    links = {tuple(sorted(rng.choice(count, 2, replace=False).tolist())) for _ in range(pairs)}
    return np.array(sorted(links), dtype=np.int64).reshape(-1, 2)


def park(n: int, seed: int, scale: float = 1.0) -> ParkCoalitionModel:
    """Random components: NPVs of both signs, 1–3 required parties, links."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(4, 10))
    return ParkCoalitionModel(
        players=PLAYERS[:n],
        weights=rng.normal(2.0, 10.0, count) * scale,
        required=np.array([_some(rng, n, 1, 4) for _ in range(count)], dtype=np.int64),
        dependencies=_links(rng, count, 2)[:, ::-1].copy(),
        exclusions=_links(rng, count, 1),
    )


def infrastructure(n: int, seed: int, scale: float = 1.0) -> InfrastructureCoalitionModel:
    """Random projects: hosts, yearly budgets (some unlimited), links, some divisible."""
    rng = np.random.default_rng(seed)
    count, years = int(rng.integers(3, 8)), int(rng.integers(1, 4))
    budget = rng.uniform(0.0, 8.0, (n, years))
    budget[rng.random((n, years)) < 0.1] = np.inf
    return InfrastructureCoalitionModel(
        players=PLAYERS[:n],
        benefit_pv=rng.uniform(0.0, 10.0, (count, n)) * (rng.random((count, n)) < 0.6) * scale,
        cost_pv=rng.uniform(5.0, 30.0, count) * scale,
        host_masks=np.array([_some(rng, n, 1, 3) for _ in range(count)], dtype=np.int64),
        yearly_cost=rng.uniform(0.0, 10.0, (count, years)),
        budget=budget,
        dependencies=_links(rng, count, 1)[:, ::-1].copy(),
        exclusions=_links(rng, count, 1),
        divisible=rng.random(count) < 0.4,
    )


def facility(n: int, seed: int, scale: float = 1.0) -> FacilityCoalitionModel:
    """Random facility options (option 0 open to all, unlimited units), connections."""
    rng = np.random.default_rng(seed)
    options = int(rng.integers(2, 4))
    links = np.array(
        [(i, f) for i in range(n) for f in range(options) if f == 0 or rng.random() < 0.6],
        dtype=np.int64,
    )
    requires = np.array([0] + [_some(rng, n, 1, 3) for _ in range(options - 1)], dtype=np.int64)
    return FacilityCoalitionModel(
        players=PLAYERS[:n],
        demand=rng.uniform(1.0, 5.0, n),
        capacity=rng.uniform(6.0, 15.0, options),
        fixed_cost=rng.uniform(5.0, 20.0, options) * scale,
        max_units=np.array([float(n)] + [float(rng.integers(1, 3)) for _ in range(options - 1)]),
        requires=requires,
        links=links,
        link_cost=rng.uniform(1.0, 6.0, len(links)) * scale,
    )


FAMILIES: dict[str, tuple[Callable[..., CompiledCoalitionModel], Orientation]] = {
    "joint_park": (park, "benefit"),
    "infrastructure": (infrastructure, "benefit"),
    "cost_sharing": (facility, "cost"),
}


def enumerated(model: CompiledCoalitionModel) -> np.ndarray:
    """v(S) of every mask by the engine's own evaluator."""
    return CompiledEvaluator(model).values(np.arange(1 << len(model.players)))


def excesses(values: np.ndarray, shares: np.ndarray, orientation: Orientation) -> np.ndarray:
    """e(S, x) of every proper non-empty S (−inf at ∅ and N)."""
    sums = coalition_sums(shares)
    excess = values - sums if orientation == "benefit" else sums - values
    excess[0] = excess[-1] = -np.inf
    return excess


def check_separation(
    separator: ModelSeparator,
    values: np.ndarray,
    shares: np.ndarray,
    excluded: tuple[int, ...] = (),
    count: int = 1,
) -> None:
    """The first violation is a brute-force maximiser with its v(S); the rest are proper,
    non-excluded, in decreasing order, with their values. Within 1e-6 of the game's scale:
    max |v|, max |x| or, for a game whose values are all ≈ 0 while its programme's costs are
    not, the programme's objective scale (which the engine's own v(S) are exact to)."""
    excess = excesses(values, shares, separator.orientation)
    excess[list(excluded)] = -np.inf
    scale = max(np.abs(values).max(), np.abs(shares).max(), separator.game.objective_scale)
    slack = 1e-6 * float(scale)
    found = separator.most_violated(shares, excluded=excluded, count=count)
    assert 1 <= len(found) <= count
    assert found[0].excess == pytest.approx(float(excess.max()), abs=slack)
    for violation in found:
        assert 0 < violation.mask < len(values) - 1 and violation.mask not in excluded
        assert violation.value == pytest.approx(values[violation.mask], abs=slack)
        assert violation.excess == pytest.approx(excess[violation.mask], abs=slack)
    assert all(a.excess >= b.excess for a, b in itertools.pairwise(found))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_is_separated_exactly(family: str) -> None:
    """Nine parties: random splits, the prenucleolus (many tied excesses), a rounded split."""
    build, orientation = FAMILIES[family]
    model = build(9, seed=11)
    values = enumerated(model)
    separator = separator_for(model, orientation)
    assert isinstance(separator, CoalitionOracle)
    assert separator.grand_value == pytest.approx(values[-1])
    rng = np.random.default_rng(5)
    point = prenucleolus(Game(model.players, values, orientation)).shares
    splits = [point, np.round(point), rng.uniform(-1.0, 1.0, 9) * np.abs(values).max() / 4]
    for shares in splits:
        check_separation(separator, values, np.asarray(shares, dtype=float), count=4)
    statistics = separator.statistics
    assert statistics.separations == statistics.solves == len(splits)
    assert statistics.values >= len(splits)


@settings(max_examples=24, deadline=None)
@given(
    family=st.sampled_from(sorted(FAMILIES)),
    n=st.integers(4, 7),
    seed=st.integers(0, 10_000),
    spread=st.floats(0.0, 2.0),
)
def test_random_models_and_splits(family: str, n: int, seed: int, spread: float) -> None:
    build, orientation = FAMILIES[family]
    model = build(n, seed=seed)
    values = enumerated(model)
    separator = ModelSeparator(model, orientation)
    rng = np.random.default_rng(seed)
    even = np.full(n, values[-1] / n)
    shares = even + spread * rng.normal(0.0, 1.0, n) * max(float(np.abs(values).max()), 1.0) / n
    check_separation(separator, values, shares, count=3)
    check_separation(separator, values, np.round(shares))  # ties among coalitions


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_excluded_coalitions_are_skipped(family: str) -> None:
    """Excluding the top coalitions gives the next; excluding all gives nothing."""
    build, orientation = FAMILIES[family]
    model = build(5, seed=3)
    values = enumerated(model)
    separator = ModelSeparator(model, orientation)
    shares = np.full(5, values[-1] / 5)
    excess = excesses(values, shares, orientation)
    order = [int(m) for m in np.argsort(-excess, kind="stable")]
    for top in (1, 3, 6):
        check_separation(separator, values, shares, excluded=tuple(order[:top]), count=2)
    check_separation(separator, values, shares)  # the pool of cuts is switched off again
    assert separator.most_violated(shares, excluded=tuple(range(1, 31))) == []
    last = separator.most_violated(shares, excluded=tuple(range(2, 31)))
    assert [v.mask for v in last] == [1]


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("unit", [1e-6, 1e8])
def test_the_money_unit_does_not_matter(family: str, unit: float) -> None:
    """The model and the split in another unit: the same coalition, excesses × unit."""
    build, orientation = FAMILIES[family]
    model, scaled = build(6, seed=7), build(6, seed=7, scale=unit)
    values, scaled_values = enumerated(model), enumerated(scaled)
    shares = prenucleolus(Game(model.players, values, orientation)).shares.copy()
    shares[0] += 0.1 * abs(values[-1])
    shares[1] -= 0.1 * abs(values[-1])
    found = ModelSeparator(model, orientation).most_violated(shares)[0]
    check_separation(ModelSeparator(scaled, orientation), scaled_values, shares * unit)
    again = ModelSeparator(scaled, orientation).most_violated(shares * unit)[0]
    assert again.excess == pytest.approx(found.excess * unit, rel=1e-6, abs=1e-9 * unit)


@dataclasses.dataclass(frozen=True, eq=False)
class SquaredBudgets(InfrastructureCoalitionModel, version="tests.squared/1"):
    """Budgets that grow with the square of the pool: neither additive nor all-of."""

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        numbers = super().numbers(masks)
        assert numbers.row_upper is not None
        return dataclasses.replace(numbers, row_upper=numbers.row_upper**2)


def test_a_model_of_another_form_is_refused() -> None:
    base = infrastructure(5, seed=2)
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    fields["budget"] = np.ones_like(base.budget)
    model = SquaredBudgets(**fields)
    with pytest.raises(SolverError, match="enumerated game"):
        ModelSeparator(model, "benefit")


@dataclasses.dataclass(frozen=True, eq=False)
class LazyPark(ParkCoalitionModel, version="tests.lazy/1"):
    """Says single parties are worth 0 without a solve, though their programme is not."""

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        numbers = super().numbers(masks)
        alone = np.array([int(m).bit_count() == 1 for m in masks], dtype=bool)
        return dataclasses.replace(numbers, solve=numbers.solve & ~alone)


def test_a_model_whose_shortcut_differs_from_its_programme_is_refused() -> None:
    model = LazyPark(
        players=PLAYERS[:4],
        weights=np.array([5.0, 3.0]),
        required=np.array([0b0001, 0b0110], dtype=np.int64),
        dependencies=np.zeros((0, 2), dtype=np.int64),
        exclusions=np.zeros((0, 2), dtype=np.int64),
    )
    with pytest.raises(SolverError, match="enumerated game"):
        ModelSeparator(model, "benefit")


@dataclasses.dataclass(frozen=True, eq=False)
class RivalPark(ParkCoalitionModel, version="tests.rival/1"):
    """A component is allowed unless ALL its required parties are in (a bound that tightens
    when a set joins: the all-of form with on < off)."""

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        numbers = super().numbers(masks)
        assert numbers.row_upper is not None
        return CoalitionNumbers(
            solve=np.ones(len(masks), dtype=bool), row_upper=1.0 - numbers.row_upper
        )


def test_a_bound_that_tightens_when_a_set_joins() -> None:
    base = park(6, seed=4)
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    fields["required"] = np.array([0b000111, 0b011000, 0b100001, 0b000010] * 3, dtype=np.int64)[
        : len(base.weights)
    ]
    model = RivalPark(**fields)
    separator = ModelSeparator(model, "benefit")
    assert "all_of" in {form.kind for form in separator.forms["row_upper"]}
    values = enumerated(model)
    rng = np.random.default_rng(0)
    for _ in range(4):
        check_separation(separator, values, rng.uniform(-5.0, 10.0, 6), count=2)


def test_thirteen_parties_are_verified_on_a_sample() -> None:
    """Beyond twelve parties the forms are checked on sampled coalitions; still exact."""
    model = infrastructure(13, seed=21)
    values = enumerated(model)
    separator = ModelSeparator(model, "benefit")
    rng = np.random.default_rng(2)
    for spread in (0.0, 0.3):
        shares = np.full(13, values[-1] / 13) + spread * rng.normal(0.0, 1.0, 13) * values[-1] / 13
        check_separation(separator, values, shares, count=3)


def test_the_forms_each_family_needs() -> None:
    """Park: all-of bounds on the allow rows; infrastructure: affine costs and budgets,
    all-of host bounds; cost sharing: affine served rows, all-of unit bounds."""
    kinds = {
        family: {
            name: {form.kind for form in forms if not form.constant}
            for name, forms in ModelSeparator(build(6, seed=1), orientation).forms.items()
        }
        for family, (build, orientation) in FAMILIES.items()
    }
    assert kinds["joint_park"]["row_upper"] <= {"affine", "all_of"}
    assert kinds["infrastructure"]["column_cost"] == {"affine"}
    assert kinds["infrastructure"]["row_upper"] == {"affine"}
    assert kinds["cost_sharing"]["row_lower"] == kinds["cost_sharing"]["row_upper"] == {"affine"}
