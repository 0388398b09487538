"""cost_sharing: c(S) against a brute-force oracle, every rule with its core check, the plan
moved into the core, explicit tables, proposals, the core band, bad inputs, round trips —
through the family contract (:data:`fairpool.models.cost_sharing.FAMILY`)."""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fairpool.cases.build_cost_cases import water_plant
from fairpool.models import cost_sharing as cs
from fairpool.models import family
from fairpool.models.family import PlanResult, SweepLine
from fairpool.models.planning import coalition_table
from fairpool.optimizer.coalitions import coalition_values
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fairness import check_allocation
from fairpool.reports.excel import write_results_workbook


def brute_force_cost(case: cs.CostSharingCase, mask: int) -> float:
    """c(S): try every assignment of S's members to an option they connect to (the oracle)."""
    members = [i for i in range(case.n) if mask >> i & 1]
    options = [np.flatnonzero(~np.isnan(case.connection[i])) for i in members]
    best = math.inf
    for choice in itertools.product(*options):
        load = np.zeros(len(case.facilities))
        cost = 0.0
        for i, f in zip(members, choice, strict=True):
            load[f] += case.demand[i]
            cost += case.connection[i, f] + case.variable_cost[f] * case.demand[i]
        used = np.array([f in choice for f in range(len(case.facilities))])
        units = np.where(used, np.maximum(np.ceil(load / case.capacity - 1e-12), 1), 0)
        if (units > case.max_units).any():
            continue
        if any(
            units[f] and (case.requires[f] & mask) != case.requires[f] for f in range(len(units))
        ):
            continue
        best = min(best, cost + float(units @ case.fixed_cost))
    return best


def random_case(seed: int) -> cs.CostSharingCase:
    rng = np.random.default_rng(seed)
    ids = ["A", "B", "C", "D"]
    demand = rng.uniform(2, 10, size=4).round(1)
    facilities = [
        {
            "facility": f"OWN_{p}",
            "capacity": float(demand[i] * 1.5),
            "fixed_cost": float(rng.uniform(20, 40)),
            "variable_cost": 2.0,
            "requires": p,
        }
        for i, p in enumerate(ids)
    ]
    facilities += [
        {
            "facility": "HUB",
            "capacity": 12.0,
            "fixed_cost": 45.0,
            "variable_cost": 1.0,
            "requires": "A",
            "max_units": 3,
        },
        {"facility": "EDGE", "capacity": 15.0, "fixed_cost": 30.0, "variable_cost": 1.5},
    ]
    connections = [{"party": p, "facility": f"OWN_{p}", "cost": 0.0} for p in ids]
    connections += [{"party": p, "facility": "HUB", "cost": float(rng.uniform(0, 10))} for p in ids]
    connections += [
        {"party": p, "facility": "EDGE", "cost": float(rng.uniform(0, 10))} for p in ids[1:]
    ]
    rows = {
        "parties": [{"id": p, "demand": float(d)} for p, d in zip(ids, demand, strict=True)],
        "facilities": facilities,
        "connections": connections,
    }
    return cs.case_from_rows({"name": "random", "unit": "万元"}, rows)


@pytest.fixture(scope="module")
def water_case() -> cs.CostSharingCase:
    return cs.read_case(Path(__file__).resolve().parents[2] / "cases" / "water_plant.xlsx")


@pytest.fixture(scope="module")
def water_result(water_case) -> PlanResult:
    return cs.solve(water_case)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coalition_costs_match_the_brute_force_oracle(seed: int) -> None:
    case = random_case(seed)
    oracle = np.array([0.0] + [brute_force_cost(case, m) for m in range(1, 1 << case.n)])
    model = cs.coalition_model(case)
    assert model is not None
    evaluator = model.open()
    assert [evaluator.value(m) for m in range(1 << case.n)] == pytest.approx(oracle)
    assert coalition_values(model) == pytest.approx(oracle)


def test_water_plant_has_economies_of_scale_and_every_rule_is_checked(water_result) -> None:
    r = water_result
    game = r.game
    assert game.orientation == "cost" and game.n == 6
    assert r.model == "cost_sharing" and family("cost_sharing") is cs.FAMILY
    assert r.properties.superadditive  # cost game: subadditive, sharing pays
    assert game.grand_value < game.standalone_values.sum()
    for method, allocation in r.allocations.items():
        assert allocation.shares.sum() == pytest.approx(game.grand_value)
        report = check_allocation(game, allocation)
        assert report.in_core == r.fairness[method].in_core, method
    assert r.fairness["shapley"].in_core and r.fairness["nucleolus"].in_core
    assert not r.fairness["equal"].in_core
    assert r.in_core and r.amounts == pytest.approx(r.target_shares)
    assert r.amount_kind == "cost_shares" and r.plan_kind == "shares"
    plan = r.plan_table
    assert list(plan.party) == list(game.players) and set(plan.project) == {"*"}
    assert plan.amount.to_numpy() == pytest.approx([r.amounts[p] for p in game.players])
    assert r.cash_flows.empty and list(r.cash_flows.columns) == ["party", "year", "amount"]
    savings = dict(r.facts)
    for i, p in enumerate(game.players):
        assert savings[f"savings_{p}"] == pytest.approx(game.standalone_values[i] - r.amounts[p])
    assert list(r.tables) == ["facilities", "connections"]
    assert set(r.tables["facilities"].facility) == {"TAIHU_L"}
    assert r.tables["connections"].demand.sum() == pytest.approx(190.0)


def test_a_target_outside_the_core_is_moved_into_it(water_case, water_result) -> None:
    result = cs.solve(water_case, target="equal", core="hard", game=water_result.game)
    assert not result.fairness["equal"].in_core
    assert result.in_core and result.distance > 0
    assert sum(result.amounts.values()) == pytest.approx(water_result.game.grand_value)
    off = cs.solve(water_case, target="equal", core="off", game=water_result.game)
    assert off.amounts == pytest.approx(off.target_shares) and not off.in_core


def test_explicit_table_and_missing_coalitions() -> None:
    rows = {
        "parties": [{"id": "A"}, {"id": "B"}],
        "coalitions": [
            {"coalition": "A", "value": 6},
            {"coalition": "B", "value": 5},
            {"coalition": "A+B", "value": 9},
        ],
    }
    case = cs.case_from_rows({}, rows)
    assert cs.coalition_model(case) is None
    result = cs.solve(case)
    assert result.allocations["scrb"].as_dict() == pytest.approx({"A": 5.0, "B": 4.0})
    assert result.tables == {}
    broken = copy.deepcopy(rows)
    broken["coalitions"].pop()
    with pytest.raises(
        CaseError, match=r"sheet coalitions.*1 coalitions have no value \(e.g. A\+B\)"
    ):
        cs.case_from_rows({}, broken)


def test_proposal_check_and_core_band_agree_with_a_grid(water_case, water_result) -> None:
    check = cs.check(water_case, game=water_result.game)
    grand = water_result.game.grand_value
    assert check.amount_kind == "cost_shares" and check.plan_kind == "shares"
    assert sum(check.amounts.values()) == pytest.approx(grand)
    assert check.proposal_table.share.to_numpy() == pytest.approx(water_case.proposal)
    assert check.allocation.shares == pytest.approx(water_case.proposal * grand)
    assert check.in_core is False and check.worst_excess > 0  # pro rata demand is blocked
    assert not check.fair and check.rule_violations == ()
    assert check.verdict[0] == f"The shares add up to {grand:,.2f} 亿元, the joint cost."
    assert any("not in the core" in line for line in check.verdict)
    assert check.distances["shapley"] == pytest.approx(
        np.abs(check.allocation.shares - water_result.allocations["shapley"].shares).sum()
    )
    grid = np.linspace(0, 1, 401)
    swept = cs.sweep(water_case, SweepLine("SZ"), grid)
    band, table = swept.core_band, swept.table
    assert swept.value_column == "share" and swept.line.party == "SZ"
    assert table.share.to_numpy() == pytest.approx(grid)
    inside = grid[table.in_core.to_numpy()]
    if band is None:
        assert inside.size == 0
    else:
        assert inside.min() == pytest.approx(band[0], abs=0.003)
        assert inside.max() == pytest.approx(band[1], abs=0.003)


def test_bad_inputs_are_named_by_sheet_row_and_column() -> None:
    settings, rows = dict(cs.TEMPLATE_SETTINGS), copy.deepcopy(cs.template_rows())
    rows["connections"][0]["facility"] = "NOWHERE"
    rows["facilities"][1]["fixed_cost"] = -1.0
    rows["parties"][2]["demand"] = None
    rows["proposal"][0]["share"] = 0.9
    with pytest.raises(CaseError) as error:
        cs.case_from_rows(settings, rows, source="bad.xlsx")
    text = str(error.value)
    assert "bad.xlsx, sheet connections, row 2, column facility: unknown facility option" in text
    assert "sheet facilities, row 3, column fixed_cost" in text
    assert "sheet parties, row 4, column demand" in text
    assert "sheet proposal, row 2, column share: the shares add up to" in text


def test_a_party_that_cannot_stand_alone_is_reported() -> None:
    settings, rows = dict(cs.TEMPLATE_SETTINGS), copy.deepcopy(cs.template_rows())
    rows["connections"] = [c for c in rows["connections"] if c["facility"] != "OWN_C"]
    with pytest.raises(CaseError, match="party C cannot be served on its own"):
        cs.case_from_rows(settings, rows)


def test_template_fill_read_solve_write_read(tmp_path) -> None:
    path = cs.write_template(tmp_path / "template.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"instructions", "case", "parties", "facilities", "connections", "coalitions"} <= set(
        sheets
    )
    case = cs.read_case(path)
    assert cs.read_proposal(path, case) == pytest.approx(case.proposal)
    result = cs.solve(case)
    out = write_results_workbook(result, tmp_path / "results.xlsx")
    checked = write_results_workbook(
        cs.check(case, game=result.game),
        tmp_path / "check.xlsx",
        sweeps=[cs.sweep(case, SweepLine("A"), [0.2, 0.4])],
    )
    codes = {
        path: {s.sheet_properties.codeName for s in openpyxl.load_workbook(path).worksheets}
        for path in (out, checked)
    }
    assert {"summary", "allocations", "plan", "fairness", "facilities"} <= codes[out]
    assert {"summary", "plan", "fairness", "sweep_1"} <= codes[checked]
    table = coalition_table(result.game)
    assert table.value.iloc[-1] == pytest.approx(result.game.grand_value)


def test_shipped_workbook_matches_its_generator(water_case) -> None:
    settings, rows = water_plant()
    rebuilt = cs.case_from_rows(settings, rows)
    assert rebuilt.parties == water_case.parties
    assert np.allclose(rebuilt.fixed_cost, water_case.fixed_cost)


def test_without_a_proposal_the_sweep_slides_from_the_target(tmp_path) -> None:
    """No proposal sheet: the others share the rest as in the target rule (the Shapley value
    here), so at the party's own Shapley share every cost is its Shapley cost; checking
    the case's proposal, or reading one from a workbook without one, names the file."""
    settings, rows = dict(cs.TEMPLATE_SETTINGS), copy.deepcopy(cs.template_rows())
    rows["proposal"] = []
    path = cs.write_case(tmp_path / "no_proposal.xlsx", settings, rows)
    case = cs.read_case(path)
    assert case.proposal is None
    game = cs.coalition_game(case)
    shapley = cs.solve(case, game=game).allocations["shapley"].shares
    own = shapley[1] / game.grand_value
    swept = cs.sweep(case, SweepLine("B"), [0.0, own, 1.0], game=game)
    costs = swept.table[[f"cost_{p}" for p in case.parties]].to_numpy()
    assert costs[1] == pytest.approx(shapley)
    assert costs.sum(axis=1) == pytest.approx(np.full(3, game.grand_value))
    assert bool(swept.table.in_core[1]) and swept.core_band is not None
    assert swept.core_band[0] <= own <= swept.core_band[1]
    with pytest.raises(CaseError, match=r"no_proposal\.xlsx: no proposal sheet"):
        cs.check(case)
    with pytest.raises(CaseError, match=r"no_proposal\.xlsx: no proposal sheet"):
        cs.read_proposal(path, case)
    with pytest.raises(CaseError, match=r"sweep share 1\.5 is outside \[0, 1\]"):
        cs.sweep(case, SweepLine("B"), [1.5])


def test_a_proposal_from_another_workbook_is_read_in_the_case_order(tmp_path) -> None:
    settings, rows = dict(cs.TEMPLATE_SETTINGS), copy.deepcopy(cs.template_rows())
    case = cs.case_from_rows(settings, rows)
    rows["parties"].reverse()
    rows["proposal"] = [
        {"party": "A", "share": 0.5},
        {"party": "B", "share": 0.3},
        {"party": "C", "share": 0.2},
    ]
    path = cs.write_case(tmp_path / "proposal.xlsx", settings, rows)
    assert cs.read_case(path).parties == ("C", "B", "A")
    assert cs.read_proposal(path, case) == pytest.approx([0.5, 0.3, 0.2])
    rows["parties"] = rows["parties"][:2]
    rows["proposal"] = [{"party": "C", "share": 0.5}, {"party": "B", "share": 0.5}]
    rows["facilities"] = [f for f in rows["facilities"] if f["facility"] in ("OWN_B", "OWN_C")]
    rows["connections"] = [c for c in rows["connections"] if c["facility"] in ("OWN_B", "OWN_C")]
    fewer = cs.write_case(tmp_path / "fewer.xlsx", settings, rows)
    # only the proposal sheet is read: A, not named, pays nothing (as in a case's own sheet)
    assert cs.read_proposal(fewer, case) == pytest.approx([0.0, 0.5, 0.5])
