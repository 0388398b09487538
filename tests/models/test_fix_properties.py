"""Properties of the smallest fix, on proposals drawn at random (hypothesis, derandomized):

- whatever the proposal, the fix agrees with the independent oracle
  (:mod:`tests.models.fix_oracles`): it exists exactly when the oracle's problem is feasible,
  its L1 change is the oracle's least one (0 when no change is needed), and the fixed
  proposal is in the core (by enumeration) and within the rules (the family's own check);
- a proposal already in the core and within the rules gets an empty fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fairpool.models import cost_sharing as cs
from fairpool.models import infrastructure as inf
from fairpool.models import joint_park as jp
from fairpool.models.family import ProposalCheck
from fairpool.models.infrastructure.case import ProposalShares
from fairpool.models.infrastructure.plan import welfare_plan
from fairpool.models.joint_park.flows import ratios_frame, ratios_from_frame
from fairpool.models.joint_park.plan import ParkGame, park_game
from fairpool.models.verdicts import core_tolerance
from fairpool.optimizer.game import Game
from tests.models.fix_oracles import (
    cost_sharing_fix_oracle,
    infrastructure_fix_oracle,
    park_fix_oracle,
    worst_excess,
)

CASES = Path(__file__).resolve().parents[2] / "cases"
SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
L1_TOLERANCE = 1e-6


def weights(count: int) -> st.SearchStrategy[list[float]]:
    """``count`` weights in [0, 1], not all zero (a split once normalised)."""
    return st.lists(st.floats(0.0, 1.0), min_size=count, max_size=count).filter(
        lambda w: sum(w) > 0.05
    )


def assert_agrees_with_oracle(
    check: ProposalCheck, oracle: tuple[float, np.ndarray] | None
) -> None:
    """The fix against the oracle's least change (``None``: no proposal within the rules is
    in the core)."""
    fix = check.fix
    assert fix is not None
    event(f"fix {fix.status}")
    if oracle is None:
        assert fix.status == "impossible" and fix.obstacles and not fix.changes
        return
    assert fix.status in ("found", "not_needed")
    assert fix.l1_change == pytest.approx(oracle[0], abs=L1_TOLERANCE)
    assert fix.in_core and not fix.rule_violations
    amounts = [fix.amounts[p] for p in check.players]
    assert worst_excess(check.game, amounts) <= core_tolerance(check.game)
    if fix.status == "not_needed":
        assert check.fair and not fix.changes and oracle[0] <= L1_TOLERANCE


# -- joint park: ratios per party, stream and phase ---------------------------------------------


@pytest.fixture(scope="module")
def sichuan() -> jp.JointParkCase:
    return jp.read_case(CASES / "sichuan_zhejiang_park.xlsx")


@pytest.fixture(scope="module")
def sichuan_park(sichuan: jp.JointParkCase) -> ParkGame:
    return park_game(sichuan)


def cell_count(case: jp.JointParkCase) -> int:
    return len(case.streams) * len(case.phases)


@SETTINGS
@given(data=st.data())
def test_any_park_split_gets_the_oracles_fix(
    sichuan: jp.JointParkCase, sichuan_park: ParkGame, data: st.DataObject
) -> None:
    case = sichuan
    shape = (case.n, len(case.streams), len(case.phases))
    ratios = np.zeros(shape)
    for k in range(len(case.streams)):
        for h in range(len(case.phases)):
            w = np.array(data.draw(weights(case.n)))
            ratios[:, k, h] = w / w.sum()
    check = jp.check(case, ratios_frame(case, ratios))
    assert_agrees_with_oracle(check, park_fix_oracle(case, sichuan_park, ratios))


@pytest.fixture(scope="module")
def fair_park_splits(sichuan: jp.JointParkCase) -> tuple[np.ndarray, np.ndarray]:
    """The plan's ratios and the shipped proposal's fixed ratios: both in the core within
    the rules."""
    plan = ratios_from_frame(sichuan, jp.solve(sichuan).plan_table)
    shipped = jp.check(sichuan)
    fixed = ratios_from_frame(sichuan, sichuan.proposal)
    assert shipped.fix is not None and shipped.fix.status == "found"
    for change in shipped.fix.changes:
        index = (sichuan.party_index(change.party), sichuan.stream_index(change.stream))
        fixed[(*index, sichuan.phase_index(change.phase))] = change.after
    return plan, fixed


@SETTINGS
@given(t=st.floats(0.0, 1.0))
def test_a_park_split_in_the_core_within_the_rules_needs_no_fix(
    sichuan: jp.JointParkCase, fair_park_splits: tuple[np.ndarray, np.ndarray], t: float
) -> None:
    """Between the fixed shipped proposal and the plan (the rules and the core are convex in
    the ratios when no cap applies)."""
    plan, fixed = fair_park_splits
    check = jp.check(sichuan, ratios_frame(sichuan, t * plan + (1 - t) * fixed))
    assert check.fair
    assert check.fix is not None and check.fix.status == "not_needed" and not check.fix.changes


# -- infrastructure: shares per party and project -----------------------------------------------


@pytest.fixture(scope="module")
def river() -> inf.InfrastructureCase:
    return inf.read_case(CASES / "river_program.xlsx")


@settings(SETTINGS, max_examples=6)  # each example computes the river's v(S) again (~1 s)
@given(data=st.data())
def test_any_cost_split_of_the_river_program_gets_the_oracles_fix(
    river: inf.InfrastructureCase, data: st.DataObject
) -> None:
    shares = np.zeros((river.n, len(river.projects)))
    for p in range(len(river.projects)):
        w = np.array(data.draw(weights(river.n)))
        shares[:, p] = w / w.sum()
    proposal = ProposalShares(shares, np.zeros(len(river.projects), dtype=bool), shares[:, 0])
    check = inf.check(river, proposal)
    build, _ = welfare_plan(river)
    assert_agrees_with_oracle(check, infrastructure_fix_oracle(river, check.game, build, shares))


# -- cost sharing: shares of c(N) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def water() -> cs.CostSharingCase:
    return cs.read_case(CASES / "water_plant.xlsx")


@pytest.fixture(scope="module")
def water_check(water: cs.CostSharingCase) -> ProposalCheck:
    return cs.check(water)


@SETTINGS
@given(
    demand=st.lists(st.floats(1.0, 10.0), min_size=6, max_size=6),
    power=st.floats(0.5, 1.0),
    noise=st.lists(st.floats(-0.15, 0.15), min_size=63, max_size=63),
    data=st.data(),
)
def test_any_cost_split_of_any_cost_game_gets_the_oracles_fix(
    water: cs.CostSharingCase,
    demand: list[float],
    power: float,
    noise: list[float],
    data: st.DataObject,
) -> None:
    """c(S) = (Σ_{i∈S} d_i)^power · (1 + noise_S): economies of scale, perturbed (the core
    may be empty)."""
    sizes = np.array(demand)
    values = np.zeros(64)
    for mask in range(1, 64):
        members = [i for i in range(6) if mask >> i & 1]
        values[mask] = sizes[members].sum() ** power * (1 + noise[mask - 1])
    game = Game(water.parties, values, "cost", water.party_names)
    w = np.array(data.draw(weights(6)))
    shares = w / w.sum()
    check = cs.check(water, shares, game=game)
    assert_agrees_with_oracle(check, cost_sharing_fix_oracle(game, shares))


@SETTINGS
@given(t=st.floats(0.0, 1.0))
def test_cost_shares_in_the_core_need_no_fix(
    water: cs.CostSharingCase, water_check: ProposalCheck, t: float
) -> None:
    """Between the Shapley value and the nucleolus, both in the water plant's core."""
    game = water_check.game
    first = water_check.analysis.allocations
    between = t * first["shapley"].shares + (1 - t) * first["nucleolus"].shares
    check = cs.check(water, between / game.grand_value, game=game)
    assert check.fair and check.fix is not None
    assert check.fix.status == "not_needed" and not check.fix.changes and not check.blocking
