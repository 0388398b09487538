"""cost_sharing: c(S) against a brute-force oracle, every rule with its core check, the plan
moved into the core, explicit tables, proposals, the core band, bad inputs, round trips."""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairpool.cases.build_cases import water_plant
from fairpool.models import cost_sharing as cs
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
def water_result(water_case) -> cs.CostSharingResult:
    return cs.solve_case(water_case)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coalition_costs_match_the_brute_force_oracle(seed: int) -> None:
    case = random_case(seed)
    oracle = np.array([0.0] + [brute_force_cost(case, m) for m in range(1, 1 << case.n)])
    model = cs.coalition_model(case)
    evaluator = model.open()
    assert [evaluator.value(m) for m in range(1 << case.n)] == pytest.approx(oracle)
    assert coalition_values(model) == pytest.approx(oracle)


def test_water_plant_has_economies_of_scale_and_every_rule_is_checked(water_result) -> None:
    r = water_result
    game = r.game
    assert game.orientation == "cost" and game.n == 6
    assert r.analysis.properties.superadditive  # cost game: subadditive, sharing pays
    assert game.grand_value < game.standalone_values.sum()
    for method, allocation in r.allocations.items():
        assert allocation.shares.sum() == pytest.approx(game.grand_value)
        report = check_allocation(game, allocation)
        assert report.in_core == r.fairness[method].in_core, method
    assert r.fairness["shapley"].in_core and r.fairness["nucleolus"].in_core
    assert not r.fairness["equal"].in_core
    assert r.in_core and r.cost_shares == pytest.approx(r.target_shares)
    assert set(r.facilities.facility) == {"TAIHU_L"}
    assert r.connections.demand.sum() == pytest.approx(190.0)


def test_a_target_outside_the_core_is_moved_into_it(water_case, water_result) -> None:
    result = cs.solve_case(water_case, target="equal", core="hard", game=water_result.game)
    assert not result.fairness["equal"].in_core
    assert result.in_core and result.distance > 0
    off = cs.solve_case(water_case, target="equal", core="off", game=water_result.game)
    assert off.cost_shares == pytest.approx(off.target_shares) and not off.in_core


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
    result = cs.solve_case(case)
    assert result.allocations["scrb"].as_dict() == pytest.approx({"A": 5.0, "B": 4.0})
    assert result.facilities.empty
    broken = copy.deepcopy(rows)
    broken["coalitions"].pop()
    with pytest.raises(
        CaseError, match=r"sheet coalitions.*1 coalitions have no value \(e.g. A\+B\)"
    ):
        cs.case_from_rows({}, broken)


def test_proposal_check_and_core_band_agree_with_a_grid(water_case, water_result) -> None:
    check = cs.check_proposal(water_case, game=water_result.game)
    assert sum(check.cost_shares.values()) == pytest.approx(water_result.game.grand_value)
    assert check.in_core is False and check.worst_excess > 0  # pro rata demand is blocked
    band = cs.core_band(water_case, "SZ")
    grid = np.linspace(0, 1, 401)
    table = cs.sweep(water_case, "SZ", grid)
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
    result = cs.solve_case(case)
    out = write_results_workbook(
        result,
        tmp_path / "results.xlsx",
        check=cs.check_proposal(case, game=result.game),
        sweeps={"A": cs.sweep(case, "A", [0.2, 0.4])},
    )
    written = pd.read_excel(out, sheet_name=None)
    assert {"summary", "allocations", "plan", "core_checks", "facilities", "proposal"} <= set(
        written
    )
    table = coalition_table(result)
    assert table.value.iloc[-1] == pytest.approx(result.game.grand_value)


def test_shipped_workbook_matches_its_generator(water_case) -> None:
    settings, rows = water_plant()
    rebuilt = cs.case_from_rows(settings, rows)
    assert rebuilt.parties == water_case.parties
    assert np.allclose(rebuilt.fixed_cost, water_case.fixed_cost)
