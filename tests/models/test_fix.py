"""The smallest fix of a proposal (``fairpool check``) against independent oracles.

Each family's fix is compared with the same question asked of HiGHS directly
(:mod:`tests.models.fix_oracles`: no Pyomo, no plan model, each party's amount measured from
the family's own evaluation of a proposal): the fix's L1 change equals the oracle's least
one (so no smaller change exists), the fixed proposal is in the core by enumeration of every
coalition, and judged again as a proposal it is fair. When no fix exists, the rules named are
checked to be a minimal conflicting set by judging the case with only them, and with each of
them dropped.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

import fairpool
from fairpool.models import cost_sharing as cs
from fairpool.models import infrastructure as inf
from fairpool.models import joint_park as jp
from fairpool.models.family import ProposalCheck
from fairpool.models.fixing import (
    BLOCKING_SHOWN,
    blocking_coalitions,
    irreducible_conflict,
    smallest_change,
)
from fairpool.models.infrastructure.case import ProposalShares
from fairpool.models.infrastructure.plan import welfare_plan
from fairpool.models.joint_park.flows import ratios_frame, ratios_from_frame
from fairpool.models.joint_park.plan import park_game
from fairpool.models.verdicts import core_tolerance
from fairpool.optimizer.game import Game
from tests.models.fix_oracles import (
    cost_sharing_fix_oracle,
    infrastructure_fix_oracle,
    park_fix_oracle,
    worst_excess,
)
from tests.models.test_scaled_cases import write_scaled

CASES = Path(__file__).resolve().parents[2] / "cases"
L1_TOLERANCE = 1e-6
"""How far the fix's L1 change may be from the oracle's (fractions: HiGHS tolerances 1e-9)."""


def changed_values(check: ProposalCheck) -> dict[tuple[str, str, str, str], float]:
    assert check.fix is not None
    return {(c.party, c.stream, c.phase, c.project): c.after for c in check.fix.changes}


def assert_fixed_in_core(check: ProposalCheck) -> None:
    """The fix's amounts are in the core by enumeration, within the core tolerance."""
    fix = check.fix
    assert fix is not None and fix.status == "found"
    assert fix.changes and fix.in_core and not fix.rule_violations
    amounts = [fix.amounts[p] for p in check.players]
    assert worst_excess(check.game, amounts) <= core_tolerance(check.game)
    assert fix.worst_excess == pytest.approx(worst_excess(check.game, amounts), abs=1e-9)


# -- the shared parts ---------------------------------------------------------------------------


def test_the_second_step_keeps_the_least_change_and_changes_fewest_entries() -> None:
    """z₁ + z₂ + z₃ ≥ 1.2 from z = 0: every split of 1.2 is an L1 optimum; the fewest entries
    is one value of 1 and one of 0.2 (each z ≤ 1)."""
    m = pyo.ConcreteModel()
    m.z = pyo.Var(range(3), bounds=(0.0, 1.0))
    m.need = pyo.Constraint(expr=sum(m.z[j] for j in range(3)) >= 1.2)
    values = smallest_change(m, [m.z[j] for j in range(3)], np.zeros(3))
    assert values is not None
    assert values.sum() == pytest.approx(1.2, abs=1e-9)
    assert int((values > 1e-8).sum()) == 2 and values.max() == pytest.approx(1.0)


def test_an_infeasible_model_has_no_change() -> None:
    m = pyo.ConcreteModel()
    m.z = pyo.Var(range(2), bounds=(0.0, 1.0))
    m.need = pyo.Constraint(expr=m.z[0] + m.z[1] >= 3)
    assert smallest_change(m, [m.z[0], m.z[1]], np.zeros(2)) is None


def test_the_deletion_filter_keeps_a_minimal_infeasible_set() -> None:
    """Sources are intervals; a set is feasible when they intersect."""
    sources = [(0, 5), (1, 6), (7, 9), (2, 3), (8, 10)]

    def feasible(chosen: list[tuple[int, int]]) -> bool:
        return not chosen or max(a for a, _ in chosen) <= min(b for _, b in chosen)

    conflict = irreducible_conflict(sources, feasible)
    assert not feasible(conflict)
    assert all(feasible([s for s in conflict if s is not dropped]) for dropped in conflict)


def test_blocking_coalitions_come_largest_first_at_most_five() -> None:
    """Five parties alone worth 1, pairs 5, larger coalitions 2 per member, all five 10; x = 2
    each but A 1.5: every pair blocks (A's by 1.5, the others by 1), and so do the triples and
    quadruples holding A (by 0.5)."""
    n = 5
    values = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        size = bin(mask).count("1")
        values[mask] = {1: 1.0, 2: 5.0}.get(size, 2.0 * size)
    values[-1] = 10.0
    game = Game(tuple("ABCDE"), values, "benefit")
    amounts = np.array([1.5, 2.0, 2.0, 2.0, 2.0])
    shown, count = blocking_coalitions(game, amounts)
    assert count == 10 + 6 + 4
    assert len(shown) == BLOCKING_SHOWN
    assert [b.coalition for b in shown] == ["A+B", "A+C", "A+D", "A+E", "B+C"]
    assert [b.excess for b in shown] == pytest.approx([1.5] * 4 + [1.0])
    assert shown[4].names == ("B", "C")


# -- joint park ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sichuan() -> jp.JointParkCase:
    return jp.read_case(CASES / "sichuan_zhejiang_park.xlsx")


@pytest.fixture(scope="module")
def sichuan_check(sichuan) -> ProposalCheck:
    return jp.check(sichuan)


def test_the_shipped_park_proposal_gets_the_oracles_least_change(sichuan, sichuan_check) -> None:
    check = sichuan_check
    assert not check.fair and check.fix is not None
    assert_fixed_in_core(check)
    park = park_game(sichuan)
    start = ratios_from_frame(sichuan, sichuan.proposal)
    oracle = park_fix_oracle(sichuan, park, start)
    assert oracle is not None
    assert check.fix.l1_change == pytest.approx(oracle[0], abs=L1_TOLERANCE)
    assert check.fix.l1_change == pytest.approx(
        sum(abs(c.after - c.before) for c in check.fix.changes), abs=1e-7
    )


def test_the_fixed_park_proposal_judged_again_is_fair(sichuan, sichuan_check) -> None:
    ratios = ratios_from_frame(sichuan, sichuan.proposal)
    for (party, stream, phase, _), after in changed_values(sichuan_check).items():
        index = (sichuan.party_index(party), sichuan.stream_index(stream))
        ratios[(*index, sichuan.phase_index(phase))] = after
    again = jp.check(sichuan, ratios_frame(sichuan, ratios))
    assert again.fair and not again.rule_violations
    assert again.fix is not None and again.fix.status == "not_needed" and not again.fix.changes
    assert [again.amounts[p] for p in again.players] == pytest.approx(
        [sichuan_check.fix.amounts[p] for p in again.players], abs=1e-6
    )


def test_each_party_is_shown_with_its_position(sichuan, sichuan_check) -> None:
    check = sichuan_check
    assert [p.party for p in check.parties] == list(sichuan.parties)
    shapley = check.analysis.allocations["shapley"].shares
    for i, p in enumerate(check.parties):
        assert p.name == sichuan.party_names[i]
        assert p.alone == pytest.approx(check.game.standalone_values[i])
        assert p.gain_over_alone == pytest.approx(p.proposal - p.alone)
        assert p.shapley == pytest.approx(shapley[i])
        assert p.individually_rational == (p.gain_over_alone >= -core_tolerance(check.game))
    assert [b.coalition for b in check.blocking] == ["PROV"] and check.blocking_count == 1


@pytest.mark.parametrize("name", ["sichuan_zhejiang_park.xlsx", "water_plant.xlsx"])
@pytest.mark.parametrize("factor", [1e6, 1e-4], ids=lambda f: f"x{f:g}")
def test_the_fix_is_the_same_in_another_money_unit(
    name: str, factor: float, tmp_path: Path
) -> None:
    """The same case ×1e6 (元 for 万元 ×100) or ×1e-4: the same ratios (shares) change to the
    same values, with the same L1 change; the amounts after the fix scale."""
    base = fairpool.check(fairpool.read_case(CASES / name))
    path = write_scaled(CASES / name, factor, tmp_path / f"x{factor:g}_{name}")
    check = fairpool.check(fairpool.read_case(path))
    assert base.fix is not None and check.fix is not None
    assert check.fix.status == base.fix.status == "found"
    got, want = changed_values(check), changed_values(base)
    assert got.keys() == want.keys()
    assert list(got.values()) == pytest.approx(list(want.values()), abs=1e-9)
    assert check.fix.l1_change == pytest.approx(base.fix.l1_change, abs=1e-9)
    scale = float(np.abs(base.game.values).max())
    for p in check.players:
        assert check.fix.amounts[p] == pytest.approx(
            base.fix.amounts[p] * factor, abs=1e-9 * scale * factor
        )


def test_a_park_whose_rules_keep_every_split_out_of_the_core_names_them() -> None:
    """Beijing–Hebei: every ratio is fixed by a rule and Beijing's take is capped; no split
    within the rules gives Beijing its stand-alone NPV."""
    case = jp.read_case(CASES / "jingjinji_relocation.xlsx")
    check = jp.check(case)
    fix = check.fix
    assert fix is not None and fix.status == "impossible" and fix.conflict
    assert not fix.changes and not fix.amounts
    plan = fairpool.solve(case, core="soft")
    assert fix.least_excess == pytest.approx(plan.epsilon, rel=1e-6)
    named_rules = [r for r in case.rules if any(f"rules row {r.row} " in o for o in fix.obstacles)]
    named_limits = [
        lim for lim in case.limits if any(f"limits row {lim.row} " in o for o in fix.obstacles)
    ]
    assert len(named_rules) + len(named_limits) == len(fix.obstacles) >= 1

    def fix_status(rules: list, limits: list) -> str:
        trial = dataclasses.replace(case, rules=tuple(rules), limits=tuple(limits))
        judged = jp.check(trial)
        assert judged.fix is not None
        return judged.fix.status

    assert fix_status(named_rules, named_limits) == "impossible"
    for k in range(len(named_rules)):
        assert fix_status(named_rules[:k] + named_rules[k + 1 :], named_limits) == "found"
    for k in range(len(named_limits)):
        assert fix_status(named_rules, named_limits[:k] + named_limits[k + 1 :]) == "found"


# -- infrastructure -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def river() -> inf.InfrastructureCase:
    return inf.read_case(CASES / "river_program.xlsx")


def river_proposal(case: inf.InfrastructureCase, shares: np.ndarray) -> ProposalShares:
    """Shares of every project of the welfare plan (a ``*`` proposal)."""
    return ProposalShares(
        shares=shares, named=np.zeros(len(case.projects), dtype=bool), default=shares[:, 0]
    )


def test_a_proposal_in_the_core_needs_no_fix(river) -> None:
    check = inf.check(river)
    assert check.fair and check.fix is not None
    assert check.fix.status == "not_needed" and not check.fix.changes and not check.blocking


def test_a_skewed_cost_split_gets_the_oracles_least_change(river) -> None:
    """Anhui pays 70% of every project: it would rather stay out."""
    shares = np.tile(np.array([[0.7], [0.1], [0.1], [0.1]]), (1, len(river.projects)))
    check = inf.check(river, river_proposal(river, shares))
    assert not check.in_core
    assert_fixed_in_core(check)
    build, _ = welfare_plan(river)
    oracle = infrastructure_fix_oracle(river, check.game, build, shares)
    assert oracle is not None
    assert check.fix.l1_change == pytest.approx(oracle[0], abs=L1_TOLERANCE)
    fixed = shares.copy()
    for (party, _, _, project), after in changed_values(check).items():
        fixed[river.party_index(party), river.project_index(project)] = after
    again = inf.check(river, river_proposal(river, fixed))
    assert again.fair and again.fix is not None and again.fix.status == "not_needed"


def test_a_budget_that_keeps_every_split_out_of_the_core_is_named(river) -> None:
    """Anhui's yearly budgets cut to a fifth: no split of the costs is in the core within
    them, and without them (the same game) one is."""
    budget = river.budget.copy()
    budget[0][np.isfinite(budget[0])] *= 0.2
    tight = dataclasses.replace(river, budget=budget)
    shares = np.tile(np.array([[0.7], [0.1], [0.1], [0.1]]), (1, len(river.projects)))
    check = inf.check(tight, river_proposal(tight, shares))
    fix = check.fix
    assert fix is not None and fix.status == "impossible" and fix.conflict
    assert fix.obstacles == ("the yearly budgets of 安徽 (AH) in sheet budgets",)
    assert fix.least_excess is not None and fix.least_excess > core_tolerance(check.game)
    build, _ = welfare_plan(tight)
    assert infrastructure_fix_oracle(tight, check.game, build, shares) is None
    loose = budget.copy()
    loose[0] = np.inf
    untied = dataclasses.replace(tight, budget=loose)
    assert infrastructure_fix_oracle(untied, check.game, build, shares) is not None


# -- cost sharing -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def water() -> cs.CostSharingCase:
    return cs.read_case(CASES / "water_plant.xlsx")


def test_the_shipped_cost_proposal_gets_the_oracles_least_change(water) -> None:
    check = cs.check(water)
    assert_fixed_in_core(check)
    oracle = cost_sharing_fix_oracle(check.game, water.proposal)
    assert oracle is not None
    assert check.fix.l1_change == pytest.approx(oracle[0], abs=L1_TOLERANCE)
    fixed = water.proposal.copy()
    for (party, _, _, _), after in changed_values(check).items():
        fixed[water.parties.index(party)] = after
    again = cs.check(water, fixed, game=check.game)
    assert again.fair and again.fix is not None and again.fix.status == "not_needed"
    assert check.parties[0].gain_over_alone == pytest.approx(
        check.game.standalone_values[0] - check.amounts[water.parties[0]]
    )


def test_an_empty_core_has_no_fix_and_says_so(water) -> None:
    """Six parties, every pair served for 1 but all six for 4 (three pairs pay 3): the core
    is empty and the least core leaves every pair 1/3 better off alone."""
    n = water.n
    values = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        values[mask] = min(bin(mask).count("1"), 1.0 if bin(mask).count("1") <= 2 else 6.0)
    values[-1] = 4.0
    game = Game(water.parties, values, "cost", water.party_names)
    check = cs.check(water, np.full(n, 1 / n), game=game)
    fix = check.fix
    assert fix is not None and fix.status == "impossible" and not fix.conflict
    assert "core is empty" in fix.obstacles[0]
    assert fix.least_excess == pytest.approx(1 / 3, rel=1e-6)
    assert cost_sharing_fix_oracle(game, np.full(n, 1 / n)) is None
