"""JSON numbers: 12 significant digits at every scale, never a fixed number of decimals.

With a fixed 10 decimals, a game in units of 1e-9 had Shapley values that no longer summed
to v(N) in the ``--json`` document (and values below 5e-11 came out as 0).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.analysis import analyse_game
from fairpool.optimizer.game import Game
from fairpool.reports.document import SIGNIFICANT_DIGITS, game_document, json_number
from tests.conftest import party_ids

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
def test_json_numbers_keep_12_significant_digits(value: float) -> None:
    number = json_number(value)
    assert number is not None
    assert number == float(f"{value:.12g}")
    assert abs(number - value) <= 5e-12 * abs(value)
    assert json.loads(json.dumps(number)) == number


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_json_numbers_that_are_not_finite_become_null(value: float) -> None:
    assert json_number(value) is None


def test_json_numbers_drop_binary_noise_and_negative_zero() -> None:
    assert SIGNIFICANT_DIGITS == 12
    assert json_number(0.1 + 0.2) == 0.3
    assert json_number(1e-9 * (0.1 + 0.2)) == 3e-10
    assert json_number(1e15 / 3) == 333333333333000.0
    assert math.copysign(1.0, json_number(-0.0) or 0.0) == 1.0
    assert math.copysign(1.0, json_number(-1e-20) or 0.0) == -1.0  # small is not zero


@pytest.mark.parametrize("unit", [1e-9, 1e-3, 1.0, 1e5, 1e10, 1e15])
def test_shapley_values_in_json_sum_to_the_grand_value_in_any_unit(unit: float) -> None:
    rng = np.random.default_rng(12)
    for n in (3, 5, 7):
        values = rng.uniform(0, 1, 1 << n) * unit
        game = Game(party_ids(n), values)
        document = json.loads(json.dumps(game_document(analyse_game(game, ["shapley"]))))
        shares = document["solutions"]["shapley"]
        assert len(shares) == n and all(share != 0.0 for share in shares.values())
        total = math.fsum(shares.values())
        assert total == pytest.approx(document["grand_value"], rel=1e-11)
        assert document["grand_value"] == pytest.approx(game.grand_value, rel=5e-12)


def test_a_majority_game_of_1e_9_has_an_empty_core_in_json() -> None:
    game = Game.from_function("ABC", lambda s: 1e-9 if len(s) >= 2 else 0.0)
    analysis = analyse_game(game, ["shapley", "least_core"], proposal=np.array([1e-9, 0, 0]))
    document = json.loads(json.dumps(game_document(analysis)))
    assert document["core"] == {"empty": True, "least_core_epsilon": pytest.approx(1e-9 / 3)}
    assert document["solutions"]["shapley"] == {p: pytest.approx(1e-9 / 3) for p in "ABC"}
    assert document["fairness"]["proposal"]["in_core"] is False
    assert document["fairness"]["proposal"]["worst_coalition"] == "B+C"
    assert document["fairness"]["proposal"]["worst_excess"] == 1e-9
