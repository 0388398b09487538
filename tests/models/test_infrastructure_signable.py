"""Infrastructure plans people sign (issue 12): the river programme's shipped plan shows a
beneficiary-pays base split in which 安徽 pays nothing toward the bridge, plus side payments
that reproduce the plan's NPVs; ``round_to`` puts every party's share of each built project
(the same share every year) on a grid, priced in money."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from fairpool.models import infrastructure as inf
from fairpool.models.family import PlanResult
from fairpool.models.infrastructure.allocations import may_pay
from fairpool.models.infrastructure.generate import generated_case
from fairpool.models.side_payments import net_received
from fairpool.models.verdicts import plan_distance
from fairpool.reports.text import render_case_result
from tests.models.test_infrastructure import assert_plan_keeps_the_rules

RIVER = Path(__file__).resolve().parents[2] / "cases" / "river_program.xlsx"


@pytest.fixture(scope="module")
def river() -> inf.InfrastructureCase:
    return inf.read_case(RIVER)


@pytest.fixture(scope="module")
def river_plan(river: inf.InfrastructureCase) -> PlanResult:
    return inf.solve(river)  # the case sheet's settings, as `fairpool solve` uses them


def amounts(result: PlanResult) -> np.ndarray:
    return np.array([result.amounts[p] for p in result.players])


def paid_pv(case: inf.InfrastructureCase, result: PlanResult) -> np.ndarray:
    """pay[i, p]: what the plan table has each party pay toward each project (present value)."""
    return inf.shares_from_frame(case, result.plan_table) @ case.discount


# -- A. the river programme: beneficiary-pays base split plus side payments ----------------------


def test_the_shipped_river_workbook_asks_for_explicit_transfers() -> None:
    sheet = openpyxl.load_workbook(RIVER)["case"]
    keys = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert keys["transfers"] == "explicit"


def test_river_base_split_gives_anhui_no_share_of_the_bridge(river, river_plan) -> None:
    bridge, anhui = river.project_index("BRIDGE"), river.party_index("AH")
    table = river_plan.plan_table
    assert table[(table.party == "AH") & (table.project == "BRIDGE")].empty
    paid = paid_pv(river, river_plan)
    assert paid[anhui, bridge] == 0.0 and paid[:, bridge].sum() > 100.0
    # nobody pays toward a project it neither hosts nor benefits from in the base split
    assert float((paid * ~may_pay(river).T).sum()) == 0.0
    # the base split is each built project's cost in proportion to its benefits
    built = river_plan.tables["build"]["built"].to_numpy() > 0.5
    benefit = np.clip(river.benefit_pv(), 0.0, None)
    for p in np.flatnonzero(built):
        assert paid[:, p] / paid[:, p].sum() == pytest.approx(benefit[p] / benefit[p].sum())
    # with transfers allowed, 安徽 would pay toward the bridge (the complaint)
    assert paid_pv(river, inf.solve(river, transfers="allowed"))[anhui, bridge] > 1.0


def test_river_side_payments_reproduce_the_plans_npvs(river, river_plan) -> None:
    side = river_plan.tables["side_payments"]
    assert len(side) > 0 and (side["amount"] > 0).all()
    facts = dict(river_plan.facts)
    benefits = np.array([facts["benefit_" + p] for p in river.parties], dtype=float)
    base = paid_pv(river, river_plan).sum(axis=1)
    received = net_received(side, river.parties, [int(y) for y in river.years])
    npv = benefits - base + received @ river.discount
    assert npv == pytest.approx(amounts(river_plan), rel=1e-6)
    # the same fair plan as with transfers allowed: on the target, in the core, no price
    allowed = inf.solve(river, transfers="allowed")
    assert amounts(river_plan) == pytest.approx(amounts(allowed), rel=1e-6)
    assert river_plan.in_core
    (step,) = river_plan.simplifications
    assert step.name == "transfers" and step.applied and step.price == 0.0
    # each party's net outlay (base split and side payments) keeps the yearly budgets
    assert_plan_keeps_the_rules(river, river_plan)


def test_river_text_shows_the_base_split_and_the_side_payments(river_plan) -> None:
    text = render_case_result(river_plan)
    lines = text.splitlines()
    at = lines.index("Base split (those who benefit pay, in proportion to their benefits):")
    columns = lines[at + 1].split()[4:]  # after "party (sum over years)"
    anhui = next(line for line in lines[at + 2 :] if line.startswith("AH "))
    assert float(anhui.split()[1 + columns.index("BRIDGE")]) == 0.0
    assert "Side payments (with the split above they make the plan):" in text
    side = river_plan.tables["side_payments"]
    for payer, payee in zip(side["payer"], side["payee"], strict=True):
        assert f"({payer}) pays " in text and f"({payee}) " in text
    # steady yearly amounts, stated as runs of years (the tie-break prefers them)
    assert " 亿元 a year, " in text


# -- B. round_to: each party's share of each built project on a grid ------------------------------


def grid_shares(case: inf.InfrastructureCase, result: PlanResult) -> np.ndarray:
    """share[i, p] of each built project, checked to be the same in every year with a cost."""
    shares = inf.shares_from_frame(case, result.plan_table)
    build = result.tables["build"]["built"].to_numpy()
    cost = build[:, None] * case.funded_cost
    out = np.zeros((case.n, len(case.projects)))
    for p in np.flatnonzero(build > 0):
        years = cost[p] > 0
        yearly = shares[:, p, years] / cost[p, years]
        assert yearly == pytest.approx(np.repeat(yearly[:, :1], years.sum(), axis=1), abs=1e-7)
        out[:, p] = yearly[:, 0]
    return out


@pytest.mark.parametrize(("seed", "step"), [(2, 0.05), (2, 0.01), (3, 0.05)])
def test_round_to_puts_every_share_of_every_project_on_the_grid(seed: int, step: float) -> None:
    case = generated_case(4, seed=seed)
    plain = inf.solve(case)
    result = inf.solve(case, round_to=step)
    shares = grid_shares(case, result)
    assert shares / step == pytest.approx(np.round(shares / step), abs=1e-6)
    built = result.tables["build"]["built"].to_numpy() > 0
    assert shares[:, built].sum(axis=0) == pytest.approx(np.ones(built.sum()))
    assert_plan_keeps_the_rules(case, result)
    assert all(result.individually_rational.values())
    # the price: the recomputed distance difference to the plain plan, in money
    (rounding,) = result.simplifications
    target = np.array([result.target_shares[p] for p in case.parties])
    tolerance = 1e-6 * float(np.abs(result.game.values).max())
    before = plan_distance(amounts(plain), target, "l1")
    after = plan_distance(amounts(result), target, "l1")
    assert rounding.name == "round_to" and rounding.applied
    assert rounding.distance_before == pytest.approx(before, abs=tolerance)
    assert rounding.distance_after == pytest.approx(after, abs=tolerance)
    assert rounding.price == pytest.approx(after - before, abs=tolerance)
    assert rounding.price >= 0.0 and rounding.in_core == result.in_core
    assert f"{100 * step:g}% grid" in rounding.description
    assert "round_to" not in " ".join(result.warnings)  # applies to this family: no warning


def test_round_to_that_does_not_divide_one_keeps_the_plan_and_says_why() -> None:
    case = generated_case(4, seed=2)
    result = inf.solve(case, round_to=0.3)
    (rounding,) = result.simplifications
    assert not rounding.applied and rounding.price == 0.0
    assert "0.3 grid" in rounding.description and "divides 1" in rounding.description
    assert any("round_to = 0.3 is infeasible" in w for w in result.warnings)
    assert amounts(result) == pytest.approx(amounts(inf.solve(case)))


def test_round_to_follows_benefits_on_the_river(river) -> None:
    result = inf.solve(river, round_to=0.01, transfers="none")
    shares = grid_shares(river, result)
    assert shares / 0.01 == pytest.approx(np.round(shares / 0.01), abs=1e-6)
    assert float((shares * ~may_pay(river).T).sum()) == 0.0
    assert_plan_keeps_the_rules(river, result)
    assert [s.name for s in result.simplifications] == ["transfers", "round_to"]
    assert all(s.applied for s in result.simplifications)
    assert result.in_core


def test_round_to_is_left_out_with_explicit_transfers(river, river_plan) -> None:
    result = inf.solve(river, round_to=0.05)  # the case sheet asks for transfers = explicit
    transfers, rounding = result.simplifications
    assert transfers.name == "transfers" and transfers.applied
    assert rounding.name == "round_to" and not rounding.applied and rounding.price == 0.0
    assert "transfers = explicit" in rounding.description
    assert any("does not apply with transfers = explicit" in w for w in result.warnings)
    assert amounts(result) == pytest.approx(amounts(river_plan))
    assert result.tables["side_payments"].equals(river_plan.tables["side_payments"])
