"""Payments follow benefits (issue 12): ``transfers = none`` keeps every party's payments to
the projects it hosts or benefits from and prices that rule; ``transfers = explicit`` shows
the plan as a beneficiary-pays base split plus side payments that reproduce its NPVs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from fairpool.cases.build_cost_cases import river_program
from fairpool.cases.generated import generate_infrastructure_case, infrastructure_rows
from fairpool.models import cost_sharing as cs
from fairpool.models import infrastructure as inf
from fairpool.models.family import PlanResult
from fairpool.models.infrastructure.allocations import may_pay
from fairpool.models.side_payments import PV, net_received, settle, side_payment_frame
from fairpool.models.verdicts import plan_distance
from fairpool.reports.document import case_document
from fairpool.reports.excel import write_results_workbook
from fairpool.reports.text import render_case_result
from tests.models.test_infrastructure import assert_plan_keeps_the_rules

CASES = Path(__file__).resolve().parents[2] / "cases"

# a 4-province generated case where the plan with transfers has parties pay toward projects
# they neither host nor benefit from, and where forbidding that has a price
PRICED_SEED = 0
FREE_SEED = 3


def generated(seed: int) -> inf.InfrastructureCase:
    return generate_infrastructure_case(4, 6, seed, exclusions=False)


def paid_pv(case: inf.InfrastructureCase, result: PlanResult) -> np.ndarray:
    """pay[i, p]: what each party pays toward each project, in present value."""
    return inf.shares_from_frame(case, result.plan_table) @ case.discount


def outside_benefits(case: inf.InfrastructureCase, result: PlanResult) -> float:
    """What the parties pay (present value) toward projects they neither host nor benefit from."""
    return float((paid_pv(case, result) * ~may_pay(case).T).sum())


def test_may_pay_is_hosts_and_beneficiaries_and_the_generated_case_has_outsiders() -> None:
    case = generated(PRICED_SEED)
    allowed = may_pay(case)
    for p, hosts in enumerate(case.hosts):
        for i in range(case.n):
            assert allowed[p, i] == (i in hosts or case.benefit_pv()[p, i] > 0)
    assert (~allowed).any()  # some project has a party that neither hosts nor benefits


@pytest.mark.parametrize("seed", [PRICED_SEED, FREE_SEED])
def test_without_transfers_a_party_pays_nothing_toward_what_it_neither_hosts_nor_benefits_from(
    seed: int,
) -> None:
    case = generated(seed)
    free = inf.solve(case)
    assert outside_benefits(case, free) > 1.0  # the plan with transfers has such payments
    result = inf.solve(case, transfers="none")
    assert outside_benefits(case, result) == 0.0
    assert_plan_keeps_the_rules(case, result)
    (step,) = result.simplifications
    assert step.name == "transfers" and step.applied
    assert step.in_core == result.in_core
    target = np.array([result.target_shares[p] for p in case.parties])
    before = plan_distance(np.array([free.amounts[p] for p in case.parties]), target, "l1")
    after = plan_distance(np.array([result.amounts[p] for p in case.parties]), target, "l1")
    scale = float(np.abs(result.game.values).max())
    assert step.distance_before == pytest.approx(before, abs=1e-6 * scale)
    assert step.distance_after == pytest.approx(after, abs=1e-6 * scale)
    assert step.price == pytest.approx(after - before, abs=1e-6 * scale)
    assert step.price >= -1e-6 * scale  # the rule can only cost fairness


def test_the_priced_case_pays_for_the_rule() -> None:
    result = inf.solve(generated(PRICED_SEED), transfers="none")
    (step,) = result.simplifications
    assert step.price > 0.01 * step.distance_after
    assert f"{step.price:,.4g}" in step.description


def test_allowed_is_todays_plan() -> None:
    case = generated(PRICED_SEED)
    default, allowed = inf.solve(case), inf.solve(case, transfers="allowed")
    assert default.simplifications == () == allowed.simplifications
    assert "side_payments" not in allowed.tables
    assert default.amounts == allowed.amounts
    assert default.plan_table.equals(allowed.plan_table)


def explicit_npv(case: inf.InfrastructureCase, result: PlanResult) -> np.ndarray:
    """Each party's NPV recomputed from what the result shows: its benefits, the base split
    (plan table) and the side payments it makes and receives, each discounted to its year."""
    facts = dict(result.facts)
    benefits = np.array([facts["benefit_" + p] for p in case.parties], dtype=float)
    base = inf.shares_from_frame(case, result.plan_table) @ case.discount
    years = [int(y) for y in case.years]
    received = net_received(result.tables["side_payments"], case.parties, years)
    return benefits - base.sum(axis=1) + received @ case.discount


@pytest.mark.parametrize("seed", [PRICED_SEED, FREE_SEED])
def test_explicit_side_payments_reproduce_the_plans_npvs(seed: int) -> None:
    case = generated(seed)
    result = inf.solve(case, transfers="explicit")
    npv = np.array([result.amounts[p] for p in case.parties])
    assert explicit_npv(case, result) == pytest.approx(npv, rel=1e-6, abs=1e-9)
    side = result.tables["side_payments"]
    assert list(side.columns) == ["payer", "payee", "year", "amount"]
    assert len(side) > 0 and (side["amount"] > 0).all() and (side["payer"] != side["payee"]).all()
    assert dict(result.facts)["side_payments"] == len(side)
    # the base split pays each built project in proportion to its benefits, outsiders nothing
    built = result.tables["build"]["built"].to_numpy() > 0.5
    paid = paid_pv(case, result)
    benefit = np.clip(case.benefit_pv(), 0, None)
    for p in np.flatnonzero(built):
        assert paid[:, p] / paid[:, p].sum() == pytest.approx(benefit[p] / benefit[p].sum())
    assert outside_benefits(case, result) == 0.0
    # no price: the plan is the one with transfers, as fair
    (step,) = result.simplifications
    assert step.price == 0.0
    assert result.distance == pytest.approx(
        inf.solve(case).distance, abs=1e-6 * float(np.abs(result.game.values).max())
    )
    # the cash flows are the base split plus the side payments, year by year
    flows = result.cash_flows.pivot(index="party", columns="year", values="payment")
    base_yearly = inf.shares_from_frame(case, result.plan_table).sum(axis=1)
    net = net_received(side, case.parties, [int(y) for y in case.years])
    expected = base_yearly - net
    scale = float(np.abs(result.game.values).max())  # settle() leaves out solver noise
    assert flows.loc[list(case.parties)].to_numpy() == pytest.approx(expected, abs=1e-6 * scale)


@pytest.fixture(scope="module")
def river() -> inf.InfrastructureCase:
    settings, rows = river_program()
    return inf.case_from_rows(settings, rows)


def test_river_programme_without_transfers_anhui_pays_nothing_toward_the_bridge(river) -> None:
    bridge, anhui = river.project_index("BRIDGE"), river.party_index("AH")
    allowed = inf.solve(river, transfers="allowed")
    assert paid_pv(river, allowed)[anhui, bridge] > 1.0  # 安徽 pays with transfers
    for transfers in ("none", "explicit"):
        result = inf.solve(river, transfers=transfers)
        assert paid_pv(river, result)[anhui, bridge] == 0.0
        assert outside_benefits(river, result) == 0.0
        assert result.in_core
    explicit = inf.solve(river, transfers="explicit")
    npv = np.array([explicit.amounts[p] for p in river.parties])
    assert explicit_npv(river, explicit) == pytest.approx(npv, rel=1e-6)
    # the reports show the side payments: every row in the JSON, every payer in the text
    side = explicit.tables["side_payments"]
    document = case_document(explicit)
    assert len(document["side_payments"]) == len(side)
    assert {r["payer"] for r in document["side_payments"]} == set(side["payer"])
    text = render_case_result(explicit)
    assert "Side payments" in text
    for payer, payee in zip(side["payer"], side["payee"], strict=True):
        assert f"({payer}) pays " in text and f"({payee}) " in text
    assert case_document(allowed)["side_payments"] == []


def test_scaled_case_gives_the_same_shares_and_side_payments() -> None:
    factor = 1e6
    settings, rows = infrastructure_rows(4, 6, PRICED_SEED, 30, False, False)
    scaled_rows = {
        sheet: [{k: v * factor if k == "amount" else v for k, v in row.items()} for row in table]
        for sheet, table in rows.items()
    }
    case = inf.case_from_rows(settings, rows)
    big = inf.case_from_rows(settings, scaled_rows)
    for transfers in ("none", "explicit"):
        base, scaled = inf.solve(case, transfers=transfers), inf.solve(big, transfers=transfers)
        for p in case.parties:
            assert scaled.amounts[p] == pytest.approx(base.amounts[p] * factor, rel=1e-6)
        tolerance = 1e-6 * float(np.abs(base.game.values).max())
        assert paid_pv(big, scaled) / factor == pytest.approx(paid_pv(case, base), abs=tolerance)
        assert [s.price / factor for s in scaled.simplifications] == pytest.approx(
            [s.price for s in base.simplifications], abs=tolerance
        )


def test_settle_closes_a_gap_with_at_most_n_minus_one_transfers() -> None:
    rng = np.random.default_rng(4)
    parties = ("A", "B", "C", "D", "E")
    for _ in range(20):
        gap = rng.normal(size=5) * 100
        gap -= gap.mean()
        payments = settle(gap, parties, PV, 1e-9)
        assert len(payments) <= 4
        received = net_received(side_payment_frame(payments), parties, [PV])[:, 0]
        assert -received == pytest.approx(gap, abs=1e-9)


# -- cost sharing: a party pays toward the facility it uses ------------------------------------


def shared_plant(scale: float = 1.0) -> cs.CostSharingCase:
    """A plant P for three of four towns (A, B, C use it in the grand coalition) and a plant
    of its own for each town; D's presence still saves the others money (it could take a
    place at P), so the Shapley value has A, B and C pay toward D's own plant."""
    facilities = [
        {"facility": "P", "capacity": 3.0, "fixed_cost": 90.0 * scale, "variable_cost": 0.0},
        *(
            {
                "facility": f"OWN_{p}",
                "capacity": 1.0,
                "fixed_cost": 60.0 * scale,
                "variable_cost": 0.0,
                "requires": p,
            }
            for p in "ABCD"
        ),
    ]
    connections = [
        *(
            {"party": p, "facility": "P", "cost": (5.0 if p == "D" else 0.0) * scale}
            for p in "ABCD"
        ),
        *({"party": p, "facility": f"OWN_{p}", "cost": 0.0} for p in "ABCD"),
    ]
    rows = {
        "parties": [{"id": p, "demand": 1.0} for p in "ABCD"],
        "facilities": facilities,
        "connections": connections,
    }
    settings = {"name": "shared plant", "unit": "万元", "target": "shapley", "core": "soft"}
    return cs.case_from_rows(settings, rows)


def toward(result: PlanResult) -> dict[tuple[str, str], float]:
    """{(party, facility): amount} of a cost-sharing plan table."""
    table = result.plan_table
    return {
        (str(p), str(f)): float(a)
        for p, f, a in zip(table["party"], table["project"], table["amount"], strict=True)
    }


def test_cost_sharing_without_transfers_each_party_pays_only_toward_the_plant_it_uses() -> None:
    case = shared_plant()
    free = cs.solve(case)
    assert free.amounts["D"] < 60.0 - 1.0  # A, B and C pay toward D's own plant today
    result = cs.solve(case, transfers="none")
    paid = toward(result)
    assert {f for (p, f) in paid if p == "D"} == {"OWN_D"}
    assert {p for (p, f) in paid if f == "P"} == {"A", "B", "C"}
    assert paid["D", "OWN_D"] == pytest.approx(60.0)
    assert sum(result.amounts.values()) == pytest.approx(case_cost(result))
    (step,) = result.simplifications
    target = np.array([result.target_shares[p] for p in case.parties])
    before = plan_distance(np.array([free.amounts[p] for p in case.parties]), target, "l1")
    after = plan_distance(np.array([result.amounts[p] for p in case.parties]), target, "l1")
    assert step.distance_before == pytest.approx(before)
    assert step.price == pytest.approx(after - before)
    assert step.price > 1.0 and step.in_core == result.in_core


def case_cost(result: PlanResult) -> float:
    return float(result.game.grand_value)


@pytest.mark.parametrize("scale", [1.0, 1e6])
def test_cost_sharing_explicit_side_payments_reproduce_the_plans_shares(scale: float) -> None:
    case = shared_plant(scale)
    result = cs.solve(case, transfers="explicit")
    base = {p: 0.0 for p in case.parties}
    for (party, _facility), amount in toward(result).items():
        base[party] += amount
    received = net_received(result.tables["side_payments"], case.parties, [PV])[:, 0]
    shares = np.array([result.amounts[p] for p in case.parties])
    rebuilt = np.array([base[p] for p in case.parties]) - received
    assert rebuilt == pytest.approx(shares, rel=1e-6)
    assert shares == pytest.approx(
        np.array([cs.solve(case).amounts[p] for p in case.parties]), rel=1e-6
    )
    assert toward(result)["D", "OWN_D"] == pytest.approx(60.0 * scale)
    assert set(result.tables["side_payments"]["payee"]) == {"D"}
    assert result.simplifications[0].price == 0.0


@pytest.mark.parametrize("family", ["infrastructure", "cost_sharing"])
def test_the_results_workbook_has_a_side_payments_sheet(family: str, tmp_path) -> None:
    if family == "cost_sharing":
        result = cs.solve(shared_plant(), transfers="explicit")
    else:
        result = inf.solve(generated(PRICED_SEED), transfers="explicit")
    path = write_results_workbook(result, tmp_path / "results.xlsx", lang="en")
    sheet = openpyxl.load_workbook(path)["Side payments"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    side = result.tables["side_payments"]
    assert "Payer" in cells and "Payee" in cells
    for payer in set(side["payer"]):
        assert any(payer in c for c in cells)


def test_cost_sharing_transfers_do_not_apply_to_listed_costs() -> None:
    settings = {"name": "listed", "unit": "万元", "target": "shapley", "core": "soft"}
    rows = {
        "parties": [{"id": "A"}, {"id": "B"}],
        "coalitions": [
            {"coalition": "A", "value": 10.0},
            {"coalition": "B", "value": 10.0},
            {"coalition": "A+B", "value": 15.0},
        ],
    }
    case = cs.case_from_rows(settings, rows)
    result = cs.solve(case, transfers="none")
    assert any("transfers = none does not apply" in w for w in result.warnings)
    assert result.simplifications == ()
    assert result.amounts == cs.solve(case).amounts


def test_when_payments_cannot_follow_benefits_the_plan_keeps_transfers_and_says_why() -> None:
    settings = {
        "name": "one project",
        "unit": "万元",
        "discount_rate": 0.0,
        "base_year": 2026,
        "target": "shapley",
        "core": "soft",
        "welfare_tolerance": 0.0,
        "individual_rationality": "off",
    }
    rows = {
        "parties": [{"id": "A"}, {"id": "B"}],
        "projects": [{"project": "X", "hosts": "A"}],
        "capex": [{"project": "X", "year": 2026, "amount": 100.0}],
        "benefits": [
            {"project": "X", "party": "A", "year": y, "amount": 30.0} for y in range(2027, 2032)
        ],
        # A alone cannot pay for X in 2026: only B's budget makes it possible
        "budgets": [
            {"party": "A", "year": 2026, "amount": 40.0},
            {"party": "B", "year": 2026, "amount": 100.0},
        ],
    }
    case = inf.case_from_rows(settings, rows)
    result = inf.solve(case, transfers="none")
    (step,) = result.simplifications
    assert not step.applied and step.price == 0.0
    assert "transfers = none" in step.description and "budgets" in step.description
    assert any("transfers = none is infeasible" in w for w in result.warnings)
    assert result.amounts == inf.solve(case).amounts


# -- cost sharing: round_to (every share of the whole cost on a grid) ----------------------------


def grid_points(parties: int, steps: int) -> np.ndarray:
    """Every way of writing ``steps`` as an ordered sum of ``parties`` whole numbers ≥ 0."""
    if parties == 1:
        return np.array([[steps]])
    return np.array(
        [[k, *rest] for k in range(steps + 1) for rest in grid_points(parties - 1, steps - k)]
    )


def test_cost_sharing_round_to_matches_the_brute_force_over_the_grid() -> None:
    case = cs.read_case(CASES / "water_plant.xlsx")
    plain = cs.solve(case)
    result = cs.solve(case, round_to=0.05)
    game, grand = result.game, result.game.grand_value
    shares = np.array([result.amounts[p] for p in case.parties])
    steps = shares / (0.05 * grand)
    assert steps == pytest.approx(np.round(steps), abs=1e-6)
    assert shares.sum() == pytest.approx(grand)
    # the oracle: every grid point, least core violation first, then the L1 distance
    points = grid_points(case.n, 20) * 0.05 * grand
    masks = np.arange(1, (1 << case.n) - 1)
    member = (masks[:, None] >> np.arange(case.n)) & 1
    violation = np.clip((points @ member.T - game.values[masks]).max(axis=1), 0.0, None)
    target = np.array([result.target_shares[p] for p in case.parties])
    distance = np.abs(points - target).sum(axis=1)
    tolerance = 1e-6 * float(np.abs(game.values).max())
    least = violation.min()
    best = distance[violation <= least + tolerance].min()
    assert result.epsilon == pytest.approx(least, abs=tolerance)
    assert result.distance == pytest.approx(best, abs=tolerance)
    (step,) = result.simplifications
    assert step.name == "round_to" and step.applied and step.in_core == result.in_core
    assert step.distance_before == pytest.approx(plain.distance, abs=tolerance)
    assert step.price == pytest.approx(result.distance - plain.distance, abs=tolerance)


def test_cost_sharing_round_to_off_the_grid_of_one_keeps_the_plan_and_says_why() -> None:
    case = shared_plant()
    result = cs.solve(case, round_to=0.3)
    (step,) = result.simplifications
    assert not step.applied and "0.3" in step.description
    assert result.amounts == cs.solve(case).amounts


@pytest.mark.parametrize("scale", [1.0, 1e6])
def test_cost_sharing_round_to_with_payments_following_use(scale: float) -> None:
    case = shared_plant(scale)
    result = cs.solve(case, round_to=0.05, transfers="none")
    grand = result.game.grand_value
    steps = np.array([result.amounts[p] for p in case.parties]) / (0.05 * grand)
    assert steps == pytest.approx(np.round(steps), abs=1e-6)
    paid = toward(result)
    assert {f for (p, f) in paid if p == "D"} == {"OWN_D"}
    assert [s.name for s in result.simplifications] == ["transfers", "round_to"]
    reference = cs.solve(shared_plant(), round_to=0.05, transfers="none")
    for p in case.parties:
        assert result.amounts[p] == pytest.approx(reference.amounts[p] * scale, rel=1e-6)
