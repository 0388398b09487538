"""infrastructure: v(S) and the welfare optimum against a brute-force oracle, plans that keep
budgets, hosts, dependencies and subsidies, Owen's dual in the core of LP games, the core
band against a grid, bad inputs named, the template round trip."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fairpool.cases.build_cost_cases import river_program
from fairpool.cases.generated import generate_infrastructure_case, infrastructure_rows
from fairpool.models import infrastructure as inf
from fairpool.models.family import PlanResult, SweepLine
from fairpool.models.planning import coalition_table
from fairpool.models.side_payments import net_received
from fairpool.optimizer.coalitions import coalition_values
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fairness import check_allocation
from fairpool.reports.excel import write_results_workbook

# -- helpers --------------------------------------------------------------------------------


def feasible_for(case: inf.InfrastructureCase, mask: int, chosen: np.ndarray) -> bool:
    """Hosts in S, dependencies, exclusions and S's pooled budgets hold for a 0/1 build."""
    if any(chosen[p] and not all(mask >> h & 1 for h in case.hosts[p]) for p in range(len(chosen))):
        return False
    for p in np.flatnonzero(chosen):
        if any(not chosen[q] for q in case.depends_on[p]):
            return False
        if any(chosen[q] for q in case.excludes[p]):
            return False
    members = [i for i in range(case.n) if mask >> i & 1]
    spent = chosen @ case.funded_cost
    pooled = case.budget[members].sum(axis=0)
    return bool((spent <= pooled + 1e-7).all())


def brute_force_values(case: inf.InfrastructureCase) -> np.ndarray:
    """v(S) by enumerating every subset of projects (the oracle; binary projects only)."""
    benefit, cost = case.benefit_pv(), case.cost_pv()
    count = len(case.projects)
    subsets = np.array(list(itertools.product((0.0, 1.0), repeat=count)))
    values = np.zeros(1 << case.n)
    for mask in range(1, 1 << case.n):
        u = np.array([mask >> i & 1 for i in range(case.n)], dtype=float)
        weights = benefit @ u - cost
        best = 0.0
        for chosen in subsets:
            if chosen @ weights > best and feasible_for(case, mask, chosen):
                best = float(chosen @ weights)
        values[mask] = best
    return values


def assert_plan_keeps_the_rules(case: inf.InfrastructureCase, result: PlanResult) -> None:
    """Funding, budgets, hosts, dependencies, exclusions and subsidies hold; NPVs recompute.

    With ``transfers = explicit`` the plan table is the beneficiary-pays base split, which need
    not fit the yearly budgets by itself: each party's outlay is the base split plus the side
    payments it makes, less those it receives, and that outlay keeps the budgets and gives
    the NPVs."""
    assert result.model == "infrastructure" and result.amount_kind == "npv"
    assert list(result.plan_table.columns) == ["party", "project", "year", "amount"]
    shares = inf.shares_from_frame(case, result.plan_table)
    build = result.tables["build"]["built"].to_numpy()
    assert (shares >= 0).all()
    funded = shares.sum(axis=0)
    # every built project's cost net of the subsidy is paid in full, every year; no more
    expected = build[:, None] * ((1 - case.subsidy_share)[:, None] * case.capex + case.om)
    assert np.allclose(funded, expected, atol=1e-6)
    outlay = shares.sum(axis=1)
    if "side_payments" in result.tables:
        years = [int(y) for y in case.years]
        outlay = outlay - net_received(result.tables["side_payments"], case.parties, years)
    assert (outlay <= case.budget + 1e-6).all()
    assert feasible_for(case, (1 << case.n) - 1, np.round(build))
    npv = build @ case.benefit_pv() - outlay @ case.discount
    assert np.allclose(npv, [result.amounts[p] for p in case.parties], atol=1e-6)
    facts = dict(result.facts)
    assert facts["welfare"] == pytest.approx(npv.sum(), abs=1e-6)
    assert facts["built_projects"] == "+".join(
        p for p, y in zip(case.projects, build, strict=True) if y > 1e-9
    )
    benefit = build @ case.benefit_pv()
    for i, party in enumerate(case.parties):
        assert facts[f"benefit_{party}"] == pytest.approx(benefit[i], abs=1e-6)


@pytest.fixture(scope="module")
def river_case() -> inf.InfrastructureCase:
    return inf.read_case(Path(__file__).resolve().parents[2] / "cases" / "river_program.xlsx")


@pytest.fixture(scope="module")
def river_result(river_case) -> PlanResult:
    return inf.solve(river_case)


# -- the coalition game ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coalition_values_match_the_brute_force_oracle(seed: int) -> None:
    case = generate_infrastructure_case(parties=4, projects=8, seed=seed)
    oracle = brute_force_values(case)
    model = inf.coalition_model(case)
    evaluator = model.open()
    loop = np.array([evaluator.value(m) for m in range(1 << case.n)])
    assert loop == pytest.approx(oracle, abs=1e-6)
    assert coalition_values(model) == pytest.approx(oracle, abs=1e-6)
    assert evaluator.highs_time > 0


def test_budgets_bind_in_the_oracle_cases() -> None:
    """The generated cases are not trivial: some coalition is held back by its budgets."""
    held_back = 0
    for seed in (1, 2, 3):
        case = generate_infrastructure_case(parties=4, projects=8, seed=seed)
        unlimited = copy.copy(case)
        object.__setattr__(unlimited, "budget", np.full_like(case.budget, np.inf))
        held_back += int((brute_force_values(unlimited) > brute_force_values(case) + 1e-6).sum())
    assert held_back > 0


def test_cache_key_changes_with_the_data() -> None:
    case = generate_infrastructure_case(parties=3, projects=5, seed=4)
    model = inf.coalition_model(case)
    assert model.cache_key() == inf.coalition_model(case).cache_key()
    richer = copy.copy(model)
    object.__setattr__(richer, "cost_pv", model.cost_pv * 1.01)
    assert richer.cache_key() != model.cache_key()


# -- the plan -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 5])
def test_welfare_optimum_matches_the_oracle_and_the_plan_keeps_the_rules(seed: int) -> None:
    case = generate_infrastructure_case(parties=4, projects=8, seed=seed)
    result = inf.solve(case, core="soft")
    oracle = brute_force_values(case)
    facts = dict(result.facts)
    assert facts["best_welfare"] == pytest.approx(oracle[-1], abs=1e-6)
    assert facts["welfare"] == pytest.approx(oracle[-1], abs=1e-5)
    assert_plan_keeps_the_rules(case, result)


@pytest.mark.parametrize(("seed", "divisible"), [(2, False), (3, True), (6, False)])
def test_welfare_step_on_the_small_model_equals_the_plan_models_own(
    seed: int, divisible: bool
) -> None:
    """welfare_plan solves v(N) on the coalition model; the plan model (shares within each
    party's budget) reaches the same welfare with that build plan and no more without it."""
    from fairpool.models.planning import activate_only
    from fairpool.optimizer.solve import pyomo_solver, solve_pyomo

    case = generate_infrastructure_case(parties=5, projects=9, seed=seed, divisible=divisible)
    build, welfare = inf.welfare_plan(case)
    game = inf.coalition_game(case)
    results = []
    for fixed in (None, build):
        m = inf.build_plan_model(case, game, np.zeros(case.n), inf.PlanSpec("off", "off", fixed))
        activate_only(m, "welfare_objective")
        result = solve_pyomo(m, pyomo_solver())
        assert result.optimal
        results.append(result.objective * m.money_scale)  # the model's money unit
    assert results == pytest.approx([welfare, welfare], rel=1e-9, abs=1e-6)


def test_river_program_plan_is_in_the_core_and_keeps_the_rules(river_case, river_result) -> None:
    r = river_result
    assert r.players == ("AH", "ZJ", "JS", "SH")
    assert_plan_keeps_the_rules(river_case, r)
    assert r.in_core and all(r.individually_rational.values())
    assert r.amounts == pytest.approx(r.target_shares, abs=1e-4)  # Shapley is in the core here
    built = dict(r.facts)["built_projects"].split("+")
    assert "SH_TUNNEL" not in built and "BRIDGE" in built
    assert {"shapley", "nucleolus", "scrb", "equal_bcr", "territorial"} <= set(r.allocations)
    # payments by rule: npv = benefit − payment
    benefit = r.tables["build"]["built"].to_numpy() @ river_case.benefit_pv()
    payments = r.tables["payments"]
    assert list(payments.party) == list(r.players) and list(payments.name) == list(r.names)
    methods = [c for c in payments.columns if c not in ("party", "name")]
    assert methods == list(r.allocations)
    for method in methods:
        paid = payments[method].to_numpy()
        assert r.allocations[method].shares == pytest.approx(benefit - paid, abs=1e-6)
    bcr = benefit / payments["equal_bcr"].to_numpy()
    assert bcr == pytest.approx(np.full(4, bcr[0]))
    # the rail link's subsidy is not paid by the provinces
    plan = r.plan_table
    rail = plan[plan.project == "RAIL"].amount.sum()
    k = river_case.project_index("RAIL")
    assert rail == pytest.approx(0.6 * river_case.capex[k].sum() + river_case.om[k].sum())


def test_hard_core_on_a_blocked_target_moves_the_plan_into_the_core(river_case) -> None:
    result = inf.solve(river_case, target="equal", core="hard")
    assert not result.fairness["equal"].in_core
    assert result.in_core and result.epsilon == 0.0
    assert_plan_keeps_the_rules(river_case, result)


def test_check_proposal_and_core_band_agree_with_a_grid(river_case, river_result) -> None:
    check = inf.check(river_case)
    assert check.model == "infrastructure" and check.amount_kind == "npv"
    assert set(check.amounts) == set(river_case.parties)
    assert check.game.values == pytest.approx(river_result.game.values)
    assert dict(check.facts)["welfare_loss"] == pytest.approx(0.0, abs=1e-6)
    assert check.allocation.shares == pytest.approx([check.amounts[p] for p in check.players])
    grid = np.linspace(0, 1, 201)
    swept = inf.sweep(river_case, SweepLine("AH"), grid)
    assert swept.value_column == "share" and swept.line == SweepLine("AH")
    band = swept.core_band
    assert band is not None
    table = swept.table
    assert list(table.columns[:1]) == ["share"] and "within_budgets" in table
    inside = grid[table.in_core.to_numpy()]
    assert inside.min() == pytest.approx(band[0], abs=0.006)
    assert inside.max() == pytest.approx(band[1], abs=0.006)


# -- Owen's theorem -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dual_prices_lie_in_the_core_of_linear_production_games(seed: int) -> None:
    case = generate_infrastructure_case(
        parties=5, projects=9, seed=seed, divisible=True, exclusions=False
    )
    assert inf.linear_production_reasons(case) == []
    game = inf.coalition_game(case)
    dual = inf.dual_allocation(case, game)
    report = check_allocation(game, dual)
    assert report.efficient and report.in_core


def test_dual_is_refused_for_a_milp_game(river_case, river_result) -> None:
    assert "dual" not in river_result.allocations
    with pytest.raises(CaseError, match="linear production game"):
        inf.dual_allocation(river_case, river_result.game)


# -- bad inputs -----------------------------------------------------------------------------


def _rows():
    settings, rows = inf.template.TEMPLATE_SETTINGS, inf.template.template_rows()
    return dict(settings), copy.deepcopy(rows)


def test_bad_inputs_are_named_by_sheet_row_and_column() -> None:
    settings, rows = _rows()
    rows["projects"][1]["hosts"] = "AH+XX"
    rows["capex"][1]["amount"] = -5.0
    rows["projects"][0]["territorial"] = "0.7+0.4"
    rows["benefits"][0]["party"] = "NOPE"
    rows["proposal"][0]["share"] = 0.7
    settings["target"] = "fairest"
    with pytest.raises(CaseError) as error:
        inf.case_from_rows(settings, rows, source="bad.xlsx")
    text = str(error.value)
    assert "bad.xlsx, sheet projects, row 3, column hosts: unknown party 'XX'" in text
    assert "sheet capex, row 3, column amount" in text and "negative" in text
    assert "sheet projects, row 2, column territorial: shares add up to 1.1" in text
    assert "sheet benefits, row 2, column party" in text
    assert "sheet proposal, row 2, column share" in text
    assert "column value (target): unknown target 'fairest'" in text


def test_text_in_a_number_cell_is_named() -> None:
    settings, rows = _rows()
    rows["budgets"][2]["amount"] = "lots"
    with pytest.raises(CaseError, match=r"sheet budgets, row 4, column amount: expected a number"):
        inf.case_from_rows(settings, rows)


def test_territorial_shares_parse_by_position_or_by_name() -> None:
    assert inf.parse_territorial("0.6+0.4", ["A", "B"]) == {"A": 0.6, "B": 0.4}
    assert inf.parse_territorial("B:0.3, A:0.7", ["A", "B"]) == {"B": 0.3, "A": 0.7}
    assert inf.parse_territorial("", ["A", "B"]) == {"A": 0.5, "B": 0.5}
    with pytest.raises(ValueError, match="not a host"):
        inf.parse_territorial("C:1", ["A", "B"])


# -- round trip -----------------------------------------------------------------------------


def test_template_fill_read_solve_write_read(tmp_path) -> None:
    path = inf.write_template(tmp_path / "template.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets["projects"].columns[:7]) == [
        "project",
        "name",
        "hosts",
        "depends_on",
        "excludes",
        "life_years",
        "subsidy_share",
    ]
    assert {"instructions", "capex", "om", "benefits", "budgets", "proposal"} <= set(sheets)
    case = inf.read_case(path)
    assert case.parties == ("AH", "JS") and case.warnings == ()
    result = inf.solve(case)
    assert_plan_keeps_the_rules(case, result)
    out = write_results_workbook(result, tmp_path / "results.xlsx")
    checked = write_results_workbook(
        inf.check(case),
        tmp_path / "check.xlsx",
        sweeps=[inf.sweep(case, SweepLine("AH"), [0.4, 0.5])],
    )
    solved_sheets = sheet_codes(out)
    assert {"summary", "allocations", "plan", "payments", "build", "fairness"} <= solved_sheets
    assert {"summary", "plan", "fairness", "sweep_1"} <= sheet_codes(checked)
    table = coalition_table(result.game)
    assert dict(zip(table.coalition, table.value, strict=True)) == pytest.approx(
        dict(result.coalition_values)
    )


def sheet_codes(path: Path) -> set[str]:
    """The code names of a results workbook's sheets (the same in every language)."""
    return {sheet.sheet_properties.codeName for sheet in openpyxl.load_workbook(path).worksheets}


def test_shipped_workbook_matches_its_generator(river_case) -> None:
    settings, rows = river_program()
    rebuilt = inf.case_from_rows(settings, rows)
    assert rebuilt.projects == river_case.projects
    assert np.allclose(rebuilt.benefit, river_case.benefit)
    assert np.allclose(rebuilt.capex, river_case.capex)


def test_generated_benchmark_case_has_the_asked_size() -> None:
    _, rows = infrastructure_rows(parties=12, projects=40, seed=0)
    assert len(rows["parties"]) == 12 and len(rows["projects"]) == 40


# -- the family contract --------------------------------------------------------------------


def test_the_family_is_the_package_and_its_coalition_model_steps_aside_for_listed_values(
    tmp_path,
) -> None:
    from fairpool.models import family

    assert family("infrastructure") is inf.FAMILY
    assert inf.FAMILY.schema is inf.INFRASTRUCTURE and inf.FAMILY.orientation == "benefit"
    settings, rows = _rows()
    case = inf.case_from_rows(settings, rows)
    assert case.model == "infrastructure"
    assert isinstance(inf.coalition_model(case), inf.InfrastructureCoalitionModel)
    rows["coalitions"] = [
        {"coalition": "AH", "value": 1.0},
        {"coalition": "JS", "value": 2.0},
        {"coalition": "AH+JS", "value": 10.0},
    ]
    listed = inf.case_from_rows(settings, rows)
    assert inf.coalition_model(listed) is None
    assert inf.coalition_game(listed).values == pytest.approx([0.0, 1.0, 2.0, 10.0])


def test_read_proposal_takes_another_workbooks_sheet_or_names_the_file(tmp_path) -> None:
    settings, rows = _rows()
    case = inf.case_from_rows(settings, rows)
    rows["proposal"] = [
        {"party": "AH", "project": "BRIDGE", "share": 0.3},
        {"party": "JS", "project": "BRIDGE", "share": 0.7},
    ]
    other = inf.write_case(tmp_path / "offer.xlsx", settings, rows)
    proposal = inf.read_proposal(other, case)
    assert proposal.shares[:, case.project_index("BRIDGE")] == pytest.approx([0.3, 0.7])
    assert inf.check(case, proposal).amounts != inf.check(case).amounts
    rows["proposal"] = []
    empty = inf.write_case(tmp_path / "empty.xlsx", settings, rows)
    with pytest.raises(CaseError, match=r"empty\.xlsx: no proposal sheet"):
        inf.read_proposal(empty, case)


def test_sweep_refuses_shares_outside_zero_one_and_projects_not_built(river_case) -> None:
    with pytest.raises(CaseError, match="outside"):
        inf.sweep(river_case, SweepLine("AH"), [0.5, 1.5])
    with pytest.raises(CaseError, match="not built"):
        inf.sweep(river_case, SweepLine("AH", project="SH_TUNNEL"), [0.5])
    with pytest.raises(CaseError, match="unknown project"):
        inf.sweep(river_case, SweepLine("AH", project="NOPE"), [0.5])
