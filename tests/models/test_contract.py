"""The family contract (:class:`fairpool.models.family.Family`): every family fills every
member, and ``plan_toward`` is the same plan ``solve`` makes.

``plan_toward`` is what ``solve`` by constraint generation plans with, on a game it knows only
through its oracle; here it is given the full table and the target ``solve`` chose, so it must
reach the same distance to that target and the same least core violation (1e-6 of the case's
scale) on every shipped case, with the case's own core mode and distance. ``plan_toward``
applies no simplification; of the shipped case sheets only the river programme's asks for one
(``transfers = explicit``, which keeps the plan's NPVs and distance: its plan is shown as a
base split plus side payments), and both sides run with ``transfers = allowed``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from fairpool.models import FAMILY_NAMES, family, read_case
from fairpool.models.family import Family
from fairpool.models.verdicts import plan_distance

CASES = Path(__file__).resolve().parents[2] / "cases"
SHIPPED = sorted(path.name for path in CASES.glob("*.xlsx"))


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_every_family_fills_every_member_of_the_contract(name: str) -> None:
    members = family(name)
    for field in dataclasses.fields(Family):
        assert getattr(members, field.name) is not None, field.name
        if field.name not in {"name", "schema", "targets", "orientation"}:
            assert callable(getattr(members, field.name)), field.name


@pytest.mark.parametrize("shipped", SHIPPED)
def test_plan_toward_is_the_plan_solve_makes(shipped: str) -> None:
    case = read_case(CASES / shipped)
    members = family(case.model)
    solved = members.solve(case, transfers="allowed")
    game = solved.game
    goal = np.array([solved.target_shares[p] for p in solved.players])
    settings = case.plan_settings(transfers="allowed")
    assert settings.simplicity == ()  # nothing plan_toward would leave out
    planned = members.plan_toward(case, game, goal, settings)
    scale = float(np.abs(game.values).max())
    assert plan_distance(planned.amounts, goal, settings.distance) == pytest.approx(
        solved.distance, abs=1e-6 * scale
    )
    assert planned.epsilon == pytest.approx(solved.epsilon, abs=1e-6 * scale)
    assert planned.kind == solved.plan_kind
