"""--fill partition agrees with enumerating every partition into listed coalitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fill import MAX_FILL_PARTIES, fill_by_partition


def partitions(items: list[int]):
    """Every set partition of ``items`` (as lists of blocks)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for choice in range(1 << len(rest)):
        block = [first] + [x for k, x in enumerate(rest) if choice >> k & 1]
        remaining = [x for k, x in enumerate(rest) if not choice >> k & 1]
        for tail in partitions(remaining):
            yield [block, *tail]


def brute_force_fill(values: np.ndarray, orientation: str) -> np.ndarray:
    n = values.size.bit_length() - 1
    pick = min if orientation == "cost" else max
    filled = values.copy()
    for coalition in range(1, 1 << n):
        if not np.isnan(values[coalition]):
            continue
        members = [i for i in range(n) if coalition >> i & 1]
        totals = []
        for partition in partitions(members):
            masks = [sum(1 << i for i in block) for block in partition]
            if not any(np.isnan(values[m]) for m in masks):
                totals.append(sum(values[m] for m in masks))
        filled[coalition] = pick(totals)
    return filled


@st.composite
def tables_with_gaps(draw):
    n = draw(st.integers(1, 6))
    values = np.array(
        draw(st.lists(st.integers(1, 30), min_size=1 << n, max_size=1 << n)), dtype=float
    )
    values[0] = 0.0
    gaps = draw(st.lists(st.booleans(), min_size=1 << n, max_size=1 << n))
    for mask, gap in enumerate(gaps):
        if gap and mask & (mask - 1):  # never a singleton or the empty set
            values[mask] = np.nan
    return values


@given(tables_with_gaps(), st.sampled_from(["cost", "benefit"]))
def test_fill_matches_brute_force(values, orientation):
    filled = fill_by_partition(values, orientation)
    assert np.allclose(filled, brute_force_fill(values, orientation))


def test_listed_values_are_kept_even_if_a_partition_is_better():
    values = np.array([0, 1, 1, 5, 1, np.nan, np.nan, np.nan])
    filled = fill_by_partition(values, "cost")
    assert filled[3] == 5  # listed: kept
    assert filled[7] == 3  # A + B + C apart is cheapest
    assert fill_by_partition(values, "benefit")[7] == 6  # A+B listed at 5, plus C


def test_missing_singleton_is_named():
    with pytest.raises(CaseError, match="missing: B"):
        fill_by_partition(np.array([0, 1, np.nan, 3]), "cost", players=["A", "B"])


def test_too_many_parties_refused():
    n = MAX_FILL_PARTIES + 1
    values = np.ones(1 << n)
    values[3] = np.nan
    with pytest.raises(CaseError, match=f"at most {MAX_FILL_PARTIES} parties"):
        fill_by_partition(values, "cost")
