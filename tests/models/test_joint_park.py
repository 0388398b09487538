"""joint_park: v(S) against a brute-force oracle, plans that keep every rule, the core band
against a grid, the fixed Beijing–Tianjin–Hebei rule reproduced, bad inputs named."""

from __future__ import annotations

import copy
import dataclasses
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fairpool.cases.build_cases import JINGJINJI_PRE_MOVE_TAX, JINGJINJI_TAX, generated_park
from fairpool.models import joint_park as jp
from fairpool.models.family import PlanResult, SweepLine
from fairpool.optimizer.errors import CaseError, InfeasibleError
from fairpool.reports.excel import write_results_workbook
from tests.models.park_oracles import brute_force_values, pyomo_coalition_values

# -- helpers --------------------------------------------------------------------------------


def small_random_case(seed: int, parties: int = 3, components: int = 5) -> jp.JointParkCase:
    settings, rows = generated_park(parties, 3, 6, components, seed=seed)
    rows["components"][1]["excludes"] = "C1"  # always some exclusions and dependencies
    rows["components"][3]["depends_on"] = "C3"
    return jp.case_from_rows(settings, rows)


def assert_plan_keeps_the_rules(case: jp.JointParkCase, result: PlanResult) -> None:
    """Ratio bounds, sums, schedules, floors and caps hold; NPVs match a plain recomputation."""
    ratios = jp.ratios_from_frame(case, result.plan_table)
    lo, hi = jp.ratio_bounds(case)
    tol = 1e-7
    assert (ratios >= lo - tol).all() and (ratios <= hi + tol).all()
    sums = ratios.sum(axis=0)
    for k, stream in enumerate(case.streams):
        if stream.double_count:
            assert (sums[k] >= 1 - tol).all()
        else:
            assert np.allclose(sums[k], 1.0, atol=tol)
    for rule in case.rules:
        if rule.schedule == "free":
            continue
        p = case.party_index(rule.party)
        steps = np.diff(ratios[p], axis=1)
        assert (steps <= tol).all() if rule.schedule == "nonincreasing" else (steps >= -tol).all()
    flows = result.cash_flows
    for limit in case.limits:
        mine = flows[
            (flows.party == limit.party)
            & (flows.year >= limit.start_year)
            & (flows.year <= limit.end_year)
        ]
        if limit.limit == "floor":
            need = limit.amount + (mine.cost if limit.plus_costs else 0)
            assert (mine["take"] >= need - 1e-6).all(), limit.describe()
    _, active = jp.coalition_values(case)
    recomputed = jp.evaluate_plan(case, jp.park_pools(case, active), ratios)
    npv = np.array([result.amounts[p] for p in case.parties])
    assert np.allclose(recomputed.npv, npv, rtol=1e-9, atol=1e-6)
    assert math.isclose(npv.sum(), result.game.grand_value, rel_tol=1e-9, abs_tol=1e-6)


# -- the coalition game ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_milp_coalition_values_match_brute_force(seed: int) -> None:
    case = small_random_case(seed, parties=3, components=6)
    values, _ = jp.coalition_values(case)
    assert np.allclose(values, brute_force_values(case), rtol=1e-9, atol=1e-6)


def test_persistent_pyomo_and_compiled_highspy_agree() -> None:
    case = small_random_case(11, parties=4, components=7)
    fast, active_fast = jp.coalition_values(case)
    slow, active_slow = pyomo_coalition_values(case)
    assert np.allclose(fast, slow, rtol=1e-12, atol=1e-9)
    assert np.allclose(fast, brute_force_values(case), rtol=1e-9, atol=1e-6)
    weights = case.component_npv()
    assert math.isclose(weights[active_fast].sum(), fast[-1], rel_tol=1e-9)
    assert math.isclose(weights[active_slow].sum(), fast[-1], rel_tol=1e-9)


def test_shipped_park_game(sichuan_zhejiang_case) -> None:
    game = jp.coalition_game(sichuan_zhejiang_case)
    assert np.allclose(game.values, brute_force_values(sichuan_zhejiang_case))
    assert game.value("PROV") == 0.0  # the province alone builds nothing
    assert game.value("SEND+HOST+PROV") > game.value("SEND+HOST") > game.value("SEND")


def test_statistic_streams_never_enter_coalition_values(small_park_rows) -> None:
    settings, rows = small_park_rows
    base = jp.coalition_game(jp.case_from_rows(settings, rows)).values
    rows = copy.deepcopy(rows)
    for row in rows["revenues"]:
        if row["stream"] == "GDP":
            row["amount"] *= 1000
    assert np.array_equal(jp.coalition_game(jp.case_from_rows(settings, rows)).values, base)


def test_explicit_coalitions_sheet_overrides_the_model(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows = dict(
        rows,
        coalitions=[
            {"coalition": "SEND", "value": 10.0},
            {"coalition": "HOST", "value": 20.0},
            {"coalition": "SEND+HOST", "value": 50.0},
        ],
    )
    game = jp.coalition_game(jp.case_from_rows(settings, rows))
    assert game.values.tolist() == [0.0, 10.0, 20.0, 50.0]


def test_payers_are_required(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows = copy.deepcopy(rows)
    rows["costs"].append({"component": "HOME", "party": "HOST", "year": 2027, "amount": 1.0})
    case = jp.case_from_rows(settings, rows)
    assert any("HOST pay for it" in w for w in case.warnings)
    assert case.requires[case.components.index("HOME")] == frozenset({0, 1})


# -- plans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "core", "distance"),
    [
        ("shapley", "soft", "l1"),
        ("nucleolus", "hard", "linf"),
        ("equal_gain", "off", "l1"),
        ("proportional:gdp", "soft", "linf"),
        ("nash", "soft", "l1"),
    ],
)
def test_every_plan_keeps_the_rules(sichuan_zhejiang_case, target, core, distance) -> None:
    result = jp.solve(sichuan_zhejiang_case, target=target, core=core, distance=distance)
    assert_plan_keeps_the_rules(sichuan_zhejiang_case, result)
    assert list(result.plan_table.columns) == ["party", "stream", "phase", "ratio"]
    assert result.amount_kind == "npv" and result.plan_kind == "ratios"
    if core == "hard":
        assert result.in_core


def test_shapley_plan_of_the_shipped_park_reaches_its_target(sichuan_zhejiang_case) -> None:
    result = jp.solve(sichuan_zhejiang_case)
    shapley = result.allocations["shapley"].shares
    assert np.allclose([result.amounts[p] for p in result.players], shapley, atol=1e-3)
    assert result.distance < 1e-3 and result.in_core and result.epsilon <= 1e-6
    plan = result.plan_table
    gdp = plan[plan.stream == "GDP"].groupby("phase").ratio.sum()
    assert (gdp > 1.0).all()  # GDP credit double-counted, as its rules demand
    statistics = result.tables["statistics"]
    assert list(statistics.columns) == ["party", "stream", "year", "amount"]
    assert set(statistics.stream) == {"GDP"}
    case = sichuan_zhejiang_case
    _, active = jp.coalition_values(case)
    pool = np.einsum("c,ct->t", active.astype(float), case.revenue[:, case.stream_index("GDP")])
    credit = statistics.groupby("year").amount.sum().reindex(case.years).to_numpy()
    assert (credit >= pool - 1e-6).all() and (credit > pool + 1).any()  # counted twice
    host = result.cash_flows[result.cash_flows.party == "HOST"]
    assert (host["take"][host.year >= 2026] >= 500 - 1e-6).all()  # the ¥5 million floor
    assert dict(result.facts)["active_components"] == "EXIST+PARK1+PARK2"


def test_tight_rules_leave_a_residual_that_is_reported(sichuan_zhejiang_case) -> None:
    case = sichuan_zhejiang_case
    tight = [r for r in case.rules if r.party != "PROV"] + [
        jp.RatioRule(99, "PROV", "*", "*", 0.0, 0.05)
    ]
    result = jp.solve(dataclasses.replace(case, rules=tuple(tight)))
    assert result.residual["PROV"] < -1000  # the province cannot reach its Shapley value
    assert result.distance == pytest.approx(sum(abs(v) for v in result.residual.values()))
    assert result.worst_coalition == "PROV" and result.worst_excess > 0
    assert result.epsilon == pytest.approx(result.worst_excess, rel=1e-6)
    assert not result.in_core and any("core" in w for w in result.warnings)


def test_nash_target_reaches_its_tolerance(sichuan_zhejiang_case) -> None:
    nash = jp.solve(sichuan_zhejiang_case, target="nash", core="off")
    facts = dict(nash.facts)
    gap = facts["nash_upper_bound"] - facts["nash_lower_bound"]
    assert 0 <= gap <= jp.NASH_TOLERANCE and facts["nash_iterations"] >= 1
    assert nash.allocations["nash_plan"].details == pytest.approx(
        {k: facts[k] for k in ("nash_lower_bound", "nash_upper_bound", "nash_iterations")}
    )
    assert nash.distance == 0.0  # the Nash plan is its own target
    standalone = nash.game.standalone_values
    log_nash = np.log(np.array(list(nash.amounts.values())) - standalone).sum()
    for target in ("shapley", "nucleolus", "equal_gain"):
        other = jp.solve(sichuan_zhejiang_case, target=target, core="off")
        gains = np.array(list(other.amounts.values())) - standalone
        if (gains > 0).all():
            assert log_nash >= np.log(gains).sum() - 1e-6


def test_caps_truncate_exactly_in_the_plan_model() -> None:
    """A cap with free ratios: the MILP's NPVs equal the chronological truncation."""
    settings, rows = generated_park(2, 3, 10, 4, seed=5)
    rows["limits"] = [
        {
            "party": "P1",
            "limit": "cap",
            "stream": "*",
            "start_year": 2026,
            "end_year": 2031,
            "amount": 400.0,
        }
    ]
    case = jp.case_from_rows(settings, rows)
    for target in ("shapley", "equal_gain"):
        result = jp.solve(case, target=target, core="off")
        assert_plan_keeps_the_rules(case, result)
        take = result.cash_flows[
            (result.cash_flows.party == "P1") & result.cash_flows.year.between(2026, 2031)
        ]["take"]
        assert take.sum() <= 400 + 1e-6


def test_increment_sharing_leaves_the_stock_with_its_owner(sichuan_zhejiang_case) -> None:
    result = jp.solve(sichuan_zhejiang_case)
    case = sichuan_zhejiang_case
    _, active = jp.coalition_values(case)
    pools = jp.park_pools(case, active)
    vat = case.stream_index("VAT")
    assert np.allclose(pools.stock[case.party_index("HOST"), vat, 1:], 300.0)  # 存量不动
    assert np.allclose(pools.stock[case.party_index("SEND"), vat], 0.0)
    total = np.einsum("c,ct->t", active.astype(float), case.revenue[:, vat])
    assert np.allclose(pools.split[vat] + pools.stock[:, vat].sum(axis=0), total)
    assert result.amounts  # the plan solved with the stock in place


# -- the fixed Beijing–Tianjin–Hebei rule ---------------------------------------------------


def test_fixed_relocation_rule_is_reproduced_exactly(jingjinji_case) -> None:
    result = jp.solve(jingjinji_case)
    cap = 3 * JINGJINJI_PRE_MOVE_TAX
    expected_bj, cumulative = {}, 0.0
    for year, tax in JINGJINJI_TAX.items():
        half = 0.5 * tax if year <= 2020 else 0.0
        kept = min(half, cap - cumulative)
        cumulative += kept
        expected_bj[year] = kept
    assert expected_bj[2020] == pytest.approx(650.0)  # the cap binds in the extension's 2nd year
    flows = result.cash_flows.set_index(["party", "year"])
    for year, tax in JINGJINJI_TAX.items():
        assert flows.loc[("BJ", year), "take"] == pytest.approx(expected_bj[year], abs=1e-9)
        assert flows.loc[("HB", year), "take"] == pytest.approx(tax - expected_bj[year], abs=1e-9)
    discount = {y: 1.05 ** -(y - 2015) for y in JINGJINJI_TAX}
    bj_npv = sum(expected_bj[y] * discount[y] for y in JINGJINJI_TAX) - 1500 * discount[2016]
    assert result.amounts["BJ"] == pytest.approx(bj_npv, rel=1e-12)
    ratios = result.plan_table.set_index(["party", "stream", "phase"]).ratio
    assert ratios[("BJ", "VAT", "1")] == 0.5 and ratios[("HB", "CIT", "3")] == 1.0
    shapley = result.allocations["shapley"].as_dict()
    assert result.distance == pytest.approx(
        sum(abs(result.amounts[p] - shapley[p]) for p in shapley)
    )
    check = jp.check(jingjinji_case)
    assert check.amounts["BJ"] == pytest.approx(result.amounts["BJ"], rel=1e-12)
    assert check.distances["shapley"] == pytest.approx(result.distance)
    assert not check.individually_rational["BJ"] and check.worst_coalition == "BJ"


# -- proposals, sweeps, the core band -------------------------------------------------------


def test_check_proposal_names_who_walks_away(sichuan_zhejiang_case) -> None:
    check = jp.check(sichuan_zhejiang_case)
    assert check.model == "joint_park" and check.amount_kind == "npv"
    assert not check.fair and not check.in_core
    assert check.worst_coalition == "PROV" and check.worst_excess > 0
    assert not check.individually_rational["PROV"] and check.individually_rational["HOST"]
    assert any("四川省" in line and "walk away" in line for line in check.verdict)
    assert sum(check.amounts.values()) == pytest.approx(check.game.grand_value, rel=1e-9)
    assert check.allocation.shares.tolist() == list(check.amounts.values())
    assert list(check.proposal_table.columns) == ["party", "stream", "phase", "ratio"]


def test_check_proposal_reports_broken_rules(sichuan_zhejiang_case) -> None:
    proposal = sichuan_zhejiang_case.proposal.copy()
    land = (proposal.stream == "LAND") & (proposal.phase == "2")
    proposal.loc[land & (proposal.party == "PROV"), "ratio"] = 0.2
    proposal.loc[land & (proposal.party == "HOST"), "ratio"] = 0.3
    check = jp.check(sichuan_zhejiang_case, proposal)
    assert any("sheet rules row 6" in v for v in check.rule_violations)


@pytest.fixture(scope="module")
def shapley_plan(sichuan_zhejiang_case) -> pd.DataFrame:
    return jp.solve(sichuan_zhejiang_case).plan_table


@pytest.mark.parametrize("base", ["plan", "proposal"])
@pytest.mark.parametrize(
    ("party", "stream", "phase"),
    [("HOST", "*", "*"), ("SEND", "VAT", "2"), ("PROV", "*", "3"), ("HOST", "LAND", "1")],
)
def test_core_band_matches_a_fine_grid(
    sichuan_zhejiang_case, shapley_plan, party, stream, phase, base
) -> None:
    base_ratios = shapley_plan if base == "plan" else None
    line = SweepLine(party, stream, phase)
    grid = np.linspace(0, 1, 2001)
    swept = jp.sweep(sichuan_zhejiang_case, line, grid, base=base_ratios)
    band, table = swept.core_band, swept.table
    assert swept.line == line and swept.value_column == "ratio"
    inside = table.ratio[table.in_core].to_numpy()
    if base == "plan":
        assert band is not None and band[1] - band[0] > 1e-3  # the plan is inside the core
    if band is None:
        assert inside.size == 0
        return
    low, high = band
    assert inside.size > 0
    step = grid[1] - grid[0]
    assert low - step <= inside.min() <= low + step
    assert high - step <= inside.max() <= high + step
    assert ((inside >= low - 1e-9) & (inside <= high + 1e-9)).all()
    edges = jp.sweep(sichuan_zhejiang_case, line, [low, high], base=base_ratios).table
    assert (edges.worst_excess <= 1e-6).all()
    outside = [r for r in (low - 0.01, high + 0.01) if 0 <= r <= 1]
    if outside:
        beyond = jp.sweep(sichuan_zhejiang_case, line, outside, base=base_ratios).table
        assert (~beyond.in_core).all()


def test_core_band_with_a_binding_cap(jingjinji_case) -> None:
    grid = np.linspace(0, 1, 1001)
    swept = jp.sweep(jingjinji_case, SweepLine("BJ", phase="3"), grid)
    band, table = swept.core_band, swept.table
    inside = table.ratio[table.in_core].to_numpy()
    assert band is not None and inside.size
    assert band[0] == pytest.approx(inside.min(), abs=1e-3)
    assert band[1] == pytest.approx(inside.max(), abs=1e-3)


def test_sweep_columns_and_rules_flag(sichuan_zhejiang_case) -> None:
    table = jp.sweep(sichuan_zhejiang_case, SweepLine("HOST"), [0.1, 0.5]).table
    assert list(table.columns) == [
        "ratio",
        "npv_SEND",
        "npv_HOST",
        "npv_PROV",
        "in_core",
        "worst_coalition",
        "worst_excess",
        "within_rules",
    ]
    assert table.within_rules.tolist() == [False, True]
    sums = table.filter(like="npv_").sum(axis=1)
    assert np.allclose(sums, jp.coalition_game(sichuan_zhejiang_case).grand_value)


# -- bad inputs -----------------------------------------------------------------------------


def _problems(settings, rows) -> str:
    with pytest.raises(CaseError) as caught:
        jp.case_from_rows(settings, rows, source="park.xlsx")
    return str(caught.value)


def test_unknown_party_is_named(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["costs"][0]["party"] = "MARS"
    rows["components"][0]["requires"] = "SEND+VENUS"
    text = _problems(settings, rows)
    assert "park.xlsx, sheet costs, row 2, column party: unknown party 'MARS'" in text
    assert "sheet components, row 2, column requires: unknown party 'VENUS'" in text
    assert "known parties: SEND, HOST" in text


def test_negative_cost_is_named(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["costs"][1]["amount"] = -5.0
    assert "sheet costs, row 3, column amount: cost -5 is negative" in _problems(settings, rows)


def test_overlapping_phases_are_named(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["phases"][1]["start_year"] = 2029
    text = _problems(settings, rows)
    assert (
        "sheet phases, row 3, column start_year: phase '2' starts in 2029, inside phase '1'" in text
    )


def test_min_above_max_is_named(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["rules"][1].update(min_ratio=0.9, max_ratio=0.4)
    assert "sheet rules, row 3, column min_ratio: min_ratio 0.9 is above max_ratio 0.4" in (
        _problems(settings, rows)
    )


def test_text_in_number_cell_and_missing_sheet_are_named(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["revenues"][2]["amount"] = "n/a"
    del rows["phases"]
    text = _problems(settings, rows)
    assert "sheet revenues, row 4, column amount: expected a number, got text 'n/a'" in text
    assert "sheet phases: required sheet 'phases' is missing" in text


def test_revenue_outside_every_phase_and_bad_proposal(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["revenues"].append({"component": "PARK", "stream": "VAT", "year": 2040, "amount": 5.0})
    rows["proposal"][0]["ratio"] = 0.7
    text = _problems(settings, rows)
    assert "column year: year 2040 is in no phase" in text
    assert (
        "sheet proposal, row 2, column ratio: ratios for stream VAT, phase 1 add up to 1.2" in text
    )


def test_infeasible_rules_name_the_conflicting_rows(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["rules"][0].update(min_ratio=0.7, max_ratio=0.8)  # SEND ≥ 0.7 …
    rows["rules"][1].update(min_ratio=0.5, max_ratio=0.8)  # … and HOST ≥ 0.5
    case = jp.case_from_rows(settings, rows)
    with pytest.raises(InfeasibleError) as caught:
        jp.solve(case)
    text = str(caught.value)
    assert "sheet rules row 2 (SEND" in text and "sheet rules row 3 (HOST" in text
    assert "sheet limits" not in text  # the floor is not part of the conflict


def test_infeasible_floor_is_named(small_park_rows) -> None:
    settings, rows = small_park_rows
    rows["limits"][0]["amount"] = 5000.0
    with pytest.raises(InfeasibleError, match=r"sheet limits row 2 \(HOST floor of 5000"):
        jp.solve(jp.case_from_rows(settings, rows))


# -- the family contract --------------------------------------------------------------------


def test_family_wires_the_contract(small_park_rows) -> None:
    settings, rows = small_park_rows
    case = jp.case_from_rows(settings, rows)
    assert jp.FAMILY.name == case.model == "joint_park" and jp.FAMILY.schema is jp.JOINT_PARK
    assert jp.FAMILY.orientation == "benefit" and "nash" in jp.FAMILY.targets
    model = jp.FAMILY.coalition_model(case)
    assert isinstance(model, jp.ParkCoalitionModel)
    game = jp.FAMILY.coalition_game(case)
    assert np.allclose(model.open().values(np.arange(1 << case.n)), game.values)
    listed = jp.case_from_rows(
        settings,
        dict(
            rows,
            coalitions=[
                {"coalition": "SEND", "value": 1.0},
                {"coalition": "HOST", "value": 2.0},
                {"coalition": "SEND+HOST", "value": 5.0},
            ],
        ),
    )
    assert jp.FAMILY.coalition_model(listed) is None  # v(S) is listed: nothing to compile


def test_read_proposal_of_another_workbook(small_park_rows, tmp_path: Path) -> None:
    settings, rows = small_park_rows
    case = jp.case_from_rows(settings, rows)
    offer = copy.deepcopy(rows)
    offer["proposal"] = [
        {"party": "SEND", "stream": "*", "phase": "*", "ratio": 0.3},
        {"party": "HOST", "stream": "*", "phase": "*", "ratio": 0.7},
    ]
    proposal = jp.read_proposal(jp.write_case(tmp_path / "offer.xlsx", settings, offer), case)
    judged = jp.check(case, proposal)
    ratios = judged.proposal_table.set_index(["party", "stream", "phase"]).ratio
    assert ratios[("SEND", "VAT", "2")] == 0.3 and ratios[("HOST", "CIT", "1")] == 0.7
    assert judged.amounts != jp.check(case).amounts  # not the case's own 50/50 proposal
    del offer["proposal"]
    bare = jp.write_case(tmp_path / "bare.xlsx", settings, offer)
    with pytest.raises(CaseError, match=r"bare\.xlsx: no proposal sheet"):
        jp.read_proposal(bare, case)
    longer = copy.deepcopy(rows)
    longer["phases"].append({"phase": "3", "start_year": 2036, "end_year": 2040})
    longer["proposal"] = [
        {"party": "SEND", "stream": "*", "phase": phase, "ratio": 0.5} for phase in ("*", "3")
    ] + [{"party": "HOST", "stream": "*", "phase": phase, "ratio": 0.5} for phase in ("*", "3")]
    other = jp.write_case(tmp_path / "longer.xlsx", settings, longer)
    with pytest.raises(
        CaseError, match=r"longer\.xlsx, sheet proposal, row 3, column phase: unknown phase '3'"
    ):
        jp.read_proposal(other, case)


# -- round trip -----------------------------------------------------------------------------


def test_template_fill_read_solve_write_read(tmp_path: Path) -> None:
    path = jp.write_template(tmp_path / "park.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["parties"]
    sheet.append(["PROV", "省 province", 30000])  # fill: a third party with its own component
    book["components"].append(["GRANT", "SEND+HOST+PROV", "PARK", None, "省补助"])
    for year in range(2026, 2036):
        book["revenues"].append(["GRANT", "CIT", year, 200.0])
    book["costs"].append(["GRANT", "PROV", 2026, 900.0])
    book.save(path)
    case = jp.read_case(path)
    assert case.parties == ("SEND", "HOST", "PROV")
    result = jp.solve(case)
    assert_plan_keeps_the_rules(case, result)
    out = write_results_workbook(result, tmp_path / "out" / "results.xlsx")
    checked = write_results_workbook(
        jp.check(case),
        tmp_path / "out" / "check.xlsx",
        sweeps=[jp.sweep(case, SweepLine("HOST"), [0.3, 0.6])],
    )
    sheets = {s.sheet_properties.codeName: s for s in openpyxl.load_workbook(out).worksheets}
    assert {"summary", "allocations", "plan", "cash_flows", "fairness", "coalitions"} <= set(sheets)
    checked_sheets = openpyxl.load_workbook(checked).worksheets
    assert {"plan", "sweep_1"} <= {s.sheet_properties.codeName for s in checked_sheets}
    rows = sheets["coalitions"].iter_rows(min_row=5, values_only=True)  # below the header
    values = {ids: value for _, ids, _, value, *_ in rows if ids}
    assert values == pytest.approx(dict(result.coalition_values))
    assert not list(tmp_path.joinpath("out").glob(".*"))  # no temp file left behind
