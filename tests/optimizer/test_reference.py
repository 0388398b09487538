"""Published reference values (tests/data/reference_games.json, a copy of
shared/reference/games.json), pinned to a relative tolerance of 1e-6.

Every ``expected`` entry of every case becomes one test, identified as ``case-method``. A
method runs when :data:`SOLUTIONS` has a function for it; an entry whose method has no
function yet is skipped with that reason. To pin a new method, add it to :data:`SOLUTIONS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.nucleolus import nucleolus, prenucleolus
from fairpool.optimizer.solutions.shapley import shapley

REFERENCE_FILE = Path(__file__).resolve().parents[1] / "data" / "reference_games.json"

SOLUTIONS: dict[str, Callable[[Game], Allocation]] = {
    "shapley": shapley,
    "nucleolus": nucleolus,
    "prenucleolus": prenucleolus,
}
"""Method key (SPEC §4) → the function that computes it."""


def reference_cases() -> list[dict]:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["cases"]


def reference_game(case: dict) -> Game:
    return Game.from_mapping(case["players"], case["coalitions"], case["orientation"])


PINNED = [
    pytest.param(case, method, id=f"{case['name']}-{method}")
    for case in reference_cases()
    for method in case["expected"]
]


@pytest.mark.parametrize(("case", "method"), PINNED)
def test_published_value(case: dict, method: str) -> None:
    if method not in SOLUTIONS:
        pytest.skip(reason=f"no function registered for {method!r} in SOLUTIONS yet")
    allocation = SOLUTIONS[method](reference_game(case))
    expected = case["expected"][method]
    assert allocation.method == method
    computed = allocation.as_dict()
    assert set(computed) == set(expected)
    for party, value in expected.items():
        assert computed[party] == pytest.approx(value, rel=1e-6, abs=1e-9), (
            f"{case['name']}: {method} of party {party}"
        )
