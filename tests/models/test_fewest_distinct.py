"""Issue 12 for the joint park: ``fewest_distinct``, the plan whose neighbouring phases and
streams share their ratios most within the fairest, steadiest plans, priced like the other
simplifications.

On both shipped parks and on a small generated one: the fewest-distinct plan holds no more
distinct ratios than the plain plan (as ``check`` counts them), breaks no rule (the family's
own check), its price is the recomputed distance difference, and its total variation is the
optimum of an independent LP written here in highspy over the ratios (the NPVs and yearly
takes are affine in the ratios when no cap binds: their coefficients are read off
:func:`evaluate_plan` at unit ratios, not from the plan model).
"""

from __future__ import annotations

import dataclasses
import itertools

import highspy
import numpy as np
import pytest

from fairpool.cases import case_path
from fairpool.models import family
from fairpool.models.family import read_fewest_distinct
from fairpool.models.joint_park.case import JointParkCase, RatioRule
from fairpool.models.joint_park.flows import evaluate_plan
from fairpool.models.joint_park.generate import generated_case
from fairpool.models.joint_park.plan import park_game
from fairpool.models.joint_park.rules import matches, ratio_bounds
from fairpool.models.planning import money_scale
from fairpool.models.verdicts import plan_distance
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import members

PARK = family("joint_park")
SHIPPED = ("sichuan_zhejiang_park.xlsx", "jingjinji_relocation.xlsx")
GENERATED = "generated park (4 cities, 3 streams × 3 phases)"
PINNED = "generated park, C02 holding 60% of VAT in phase 1"


def read(name: str) -> JointParkCase:
    """A shipped park, or the small generated one. Its rules (0–80 % for every city) let
    every city keep one ratio throughout at the best distance (the least variation is 0), so
    :data:`PINNED` adds a rules row fixing one cell, which forces the others to vary."""
    if name in (GENERATED, PINNED):
        case = generated_case(4, seed=3, streams=3, phases=3, years=12)
        if name == GENERATED:
            return case
        pinned = RatioRule(
            row=len(case.rules) + 2,
            party="C02",
            stream="VAT",
            phase="1",
            min_ratio=0.6,
            max_ratio=0.6,
            schedule="free",
        )
        return dataclasses.replace(case, rules=(*case.rules, pinned))
    return PARK.read_case(case_path(name))


def ratios_of(case: JointParkCase, table) -> np.ndarray:
    """The plan table (party, stream, phase, ratio) as r[p, k, h]."""
    r = np.zeros((case.n, len(case.streams), len(case.phases)))
    streams = [s.stream for s in case.streams]
    phases = [p.phase for p in case.phases]
    for row in table.itertuples():
        r[case.party_index(row.party), streams.index(row.stream), phases.index(row.phase)] = (
            row.ratio
        )
    return r


def neighbours(case: JointParkCase) -> list[tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """Neighbouring cells, as the option defines them: the next phase of each stream, and the
    next stream of the same kind (cash or statistic) in each phase."""
    pairs = []
    for p in range(case.n):
        for k in range(len(case.streams)):
            pairs += [((p, k, h), (p, k, h + 1)) for h in range(len(case.phases) - 1)]
        for kind in ("cash", "statistic"):
            same = [k for k, s in enumerate(case.streams) if s.kind == kind]
            for k, after in itertools.pairwise(same):
                pairs += [((p, k, h), (p, after, h)) for h in range(len(case.phases))]
    return pairs


def variation(ratios: np.ndarray, pairs) -> float:
    return float(sum(abs(ratios[a] - ratios[b]) for a, b in pairs))


@pytest.fixture(scope="module", params=[*SHIPPED, GENERATED, PINNED])
def solved(request):
    """The case, its plain plan and its fewest-distinct plan."""
    case = read(request.param)
    return case, PARK.solve(case), PARK.solve(case, fewest_distinct="variation")


def test_fewer_distinct_ratios_within_the_rules_and_priced(solved) -> None:
    case, plain, fewest = solved
    assert fewest.simplicity.distinct_values <= plain.simplicity.distinct_values
    check = PARK.check(case, fewest.plan_table)
    assert check.rule_violations == ()
    assert check.simplicity.distinct_values == fewest.simplicity.distinct_values
    step = fewest.simplifications[-1]
    assert step.name == "fewest_distinct" and step.applied
    scale = money_scale(park_game(case).game)
    goal = np.array([fewest.target_shares[p] for p in case.parties])
    pools = park_game(case).pools
    npv = evaluate_plan(case, pools, ratios_of(case, fewest.plan_table)).npv
    after = plan_distance(npv, goal, "l1")
    assert step.distance_after == pytest.approx(after, abs=1e-6 * scale)
    assert step.distance_before == pytest.approx(plain.distance, abs=1e-6 * scale)
    assert step.price == pytest.approx(after - plain.distance, abs=1e-6 * scale)
    assert fewest.distance == pytest.approx(after, abs=1e-6 * scale)


def independent_least_variation(case: JointParkCase, result) -> float:
    """min Σ |r_a − r_b| over neighbouring cells, by highspy over the ratios: the split rows,
    the rules' bounds and schedules, the floors (every cash stream), the distance to the
    target within the plan's, and every coalition's surplus at least the plan's smallest
    (the optima the fewest-distinct step keeps). NPVs and takes are affine in the ratios
    (no caps): coefficients from :func:`evaluate_plan` at zero and at unit ratios."""
    assert not any(limit.limit == "cap" for limit in case.limits)
    park = park_game(case)
    game, pools = park.game, park.pools
    shape = (case.n, len(case.streams), len(case.phases))
    cells = list(np.ndindex(shape))
    column = {cell: j for j, cell in enumerate(cells)}
    base = evaluate_plan(case, pools, np.zeros(shape))
    npv_slope, take_slope = [], []
    for cell in cells:
        unit = np.zeros(shape)
        unit[cell] = 1.0
        flows = evaluate_plan(case, pools, unit)
        npv_slope.append(flows.npv - base.npv)
        take_slope.append(flows.take - base.take)
    npv_slope, take_slope = np.array(npv_slope), np.array(take_slope)  # [cell, p], [cell, p, t]
    scale = money_scale(game)
    pairs = neighbours(case)
    inf = highspy.kHighsInf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    lo, hi = ratio_bounds(case)
    for cell in cells:
        h.addVar(float(lo[cell]), float(hi[cell]))
    n_cells = len(cells)
    for _ in pairs:  # d_j ≥ |r_a − r_b|
        h.addVar(0.0, inf)
    for _ in range(case.n):  # u_p ≥ |npv_p − τ_p| (in units of the scale)
        h.addVar(0.0, inf)
    for j, (a, b) in enumerate(pairs):
        h.changeColCost(n_cells + j, 1.0)
        for sign in (1.0, -1.0):
            h.addRow(-inf, 0.0, 3, [column[a], column[b], n_cells + j], [sign, -sign, -1.0])
    for k, stream in enumerate(case.streams):
        for ph in range(len(case.phases)):
            idx = [column[(p, k, ph)] for p in range(case.n)]
            upper = inf if stream.double_count else 1.0
            h.addRow(1.0, upper, case.n, idx, [1.0] * case.n)
    for rule in case.rules:
        if rule.schedule == "free":
            continue
        sign = -1.0 if rule.schedule == "nonincreasing" else 1.0
        p = case.party_index(rule.party)
        for k, stream in enumerate(case.streams):
            if matches(rule.stream, stream.stream):
                for ph in range(len(case.phases) - 1):
                    idx = [column[(p, k, ph + 1)], column[(p, k, ph)]]
                    h.addRow(0.0, inf, 2, idx, [sign, -sign])
    for limit in case.limits:
        assert limit.limit == "floor" and sorted(limit.streams) == sorted(
            s.stream for s in case.streams if s.kind == "cash"
        )
        p = case.party_index(limit.party)
        for t in np.flatnonzero((case.years >= limit.start_year) & (case.years <= limit.end_year)):
            need = limit.amount + (pools.cost[p, t] if limit.plus_costs else 0.0)
            coefficients = take_slope[:, p, t] / scale
            h.addRow((need - base.take[p, t]) / scale, inf, n_cells, range(n_cells), coefficients)
    goal = np.array([result.target_shares[q] for q in case.parties])
    u = n_cells + len(pairs)
    for p in range(case.n):  # ±(npv_p − τ_p) ≤ u_p
        constant = (base.npv[p] - goal[p]) / scale
        for sign in (1.0, -1.0):
            idx = [*range(n_cells), u + p]
            values = [*(sign * npv_slope[:, p] / scale), -1.0]
            h.addRow(-inf, -sign * constant, len(idx), idx, values)
    tol = 1e-9
    h.addRow(-inf, result.distance / scale + tol, case.n, range(u, u + case.n), [1.0] * case.n)
    surplus = dict(result.facts).get("smallest_surplus")
    if surplus is not None:
        for mask in range(1, game.grand_mask):
            group = members(mask, case.n)
            coefficients = npv_slope[:, group].sum(axis=1) / scale
            floor = (game.values[mask] + surplus - base.npv[group].sum()) / scale
            h.addRow(floor - tol, inf, n_cells, range(n_cells), coefficients)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@pytest.mark.parametrize("name", ["sichuan_zhejiang_park.xlsx", GENERATED, PINNED])
def test_total_variation_is_the_independent_lp_optimum(name: str) -> None:
    case = read(name)
    fewest = PARK.solve(case, fewest_distinct="variation")
    plain = PARK.solve(case)
    pairs = neighbours(case)
    reached = variation(ratios_of(case, fewest.plan_table), pairs)
    least = independent_least_variation(case, fewest)
    assert reached == pytest.approx(least, abs=1e-6)
    assert reached < variation(ratios_of(case, plain.plan_table), pairs) - 0.1
    if name == GENERATED:
        assert least == pytest.approx(0.0, abs=1e-9)  # one ratio per city throughout
        assert fewest.simplicity.distinct_values <= case.n
    else:
        assert least > 0.5


def test_a_park_whose_rules_fix_every_ratio_keeps_its_plan() -> None:
    """jingjinji: every ratio is fixed by a rules row, so the option has nothing to tie
    (and its cap makes the plan a MILP): the same ratios, no price."""
    case = read("jingjinji_relocation.xlsx")
    plain, fewest = PARK.solve(case), PARK.solve(case, fewest_distinct="count")
    assert np.allclose(
        plain.plan_table["ratio"].to_numpy(), fewest.plan_table["ratio"].to_numpy(), atol=1e-9
    )
    assert fewest.simplifications[-1].price == 0.0


def test_the_count_mode_ties_at_least_as_many_neighbours() -> None:
    """``count``: the fewest neighbouring ratios that differ (binaries) — no more than the
    variation's plan leaves differing, no more distinct ratios than the plain plan."""
    case = read("sichuan_zhejiang_park.xlsx")
    plain = PARK.solve(case)
    by_variation = PARK.solve(case, fewest_distinct="variation")
    by_count = PARK.solve(case, fewest_distinct="count")
    pairs = neighbours(case)

    def differing(result) -> int:
        r = ratios_of(case, result.plan_table)
        return sum(abs(r[a] - r[b]) > 1e-6 for a, b in pairs)

    assert differing(by_count) <= differing(by_variation) <= differing(plain)
    assert by_count.simplicity.distinct_values <= plain.simplicity.distinct_values
    assert PARK.check(case, by_count.plan_table).rule_violations == ()
    step = by_count.simplifications[-1]
    assert step.name == "fewest_distinct" and step.applied and step.price == 0.0


def test_the_option_is_read_from_the_case_and_from_the_keywords() -> None:
    case = read("jingjinji_relocation.xlsx")
    assert case.plan_settings().fewest_distinct is None
    assert case.plan_settings(fewest_distinct="count").fewest_distinct == "count"
    sheet = dataclasses.replace(case, simplicity={**case.simplicity, "fewest_distinct": "count"})
    settings = sheet.plan_settings()
    assert settings.fewest_distinct == "count" and "fewest_distinct" in settings.simplicity
    assert read_fewest_distinct(True, "here") == "variation"
    assert read_fewest_distinct(" Count ", "here") == "count"
    assert read_fewest_distinct(None, "here") is None
    assert read_fewest_distinct(False, "here") is None
    with pytest.raises(CaseError, match="fewest_distinct"):
        read_fewest_distinct("fewest", "sheet case, row 9")


def test_solve_takes_the_flag(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from fairpool.cli import app

    path = case_path("sichuan_zhejiang_park.xlsx")
    run = CliRunner().invoke(
        app, ["solve", str(path), "--fewest-distinct", "--json", "-o", str(tmp_path)]
    )
    assert run.exit_code == 0, run.output
    steps = json.loads(run.stdout)["simplifications"]
    assert [s["name"] for s in steps] == ["stability", "fewest_distinct"]
    assert "distinct" in steps[-1]["description"]
    assert "--fewest-distinct" in CliRunner().invoke(app, ["solve", "--help"]).output


def test_on_a_grid_count_counts_the_values_and_no_mode_adds_one() -> None:
    """The demo's settings (5% grid, one change per party): ``count`` counts the distinct
    values themselves (one binary per grid level), so its plan holds no more than the plan
    before; ``variation`` ties neighbours, which on a grid can add values elsewhere: the step
    is then not applied and the plan stays as it was."""
    from fairpool.commands.simple import demo_options

    case = read("sichuan_zhejiang_park.xlsx")
    base = PARK.solve(case, **demo_options())
    scale = money_scale(park_game(case).game)
    for mode in ("variation", "count"):
        result = PARK.solve(case, **{**demo_options(), "fewest_distinct": mode})
        assert result.simplicity.distinct_values <= base.simplicity.distinct_values
        assert result.simplicity.grid == 0.05
        assert PARK.check(case, result.plan_table).rule_violations == ()
        step = result.simplifications[-1]
        assert step.name == "fewest_distinct"
        assert step.price == pytest.approx(
            step.distance_after - step.distance_before, abs=1e-6 * scale
        )
        assert result.distance == pytest.approx(step.distance_after, abs=1e-6 * scale)
        if not step.applied:
            assert "more distinct" in step.description
            assert np.allclose(
                result.plan_table["ratio"].to_numpy(), base.plan_table["ratio"].to_numpy()
            )
        if mode == "count":
            assert step.applied and "counted on the 5% grid" in step.description


def test_the_case_key_and_the_json_document(tmp_path) -> None:
    """The ``case`` sheet key (with the template's row) and ``solve --json``'s schema."""
    import json

    import openpyxl
    from typer.testing import CliRunner

    from fairpool.cli import app
    from tests.test_json_schema import problems, registry

    template = tmp_path / "template.xlsx"
    PARK.write_template(template)
    keys = [row[0].value for row in openpyxl.load_workbook(template)["case"].iter_rows()]
    assert "fewest_distinct" in keys
    book = openpyxl.load_workbook(case_path("sichuan_zhejiang_park.xlsx"))
    book["case"].append(["fewest_distinct", "count"])
    book.save(tmp_path / "park.xlsx")
    case = PARK.read_case(tmp_path / "park.xlsx")
    assert case.plan_settings().fewest_distinct == "count"
    run = CliRunner().invoke(
        app, ["solve", str(tmp_path / "park.xlsx"), "--json", "-o", str(tmp_path)]
    )
    assert run.exit_code == 0, run.output
    document = json.loads(run.stdout)
    assert problems("solve", document, registry.__wrapped__()) == []
    assert document["simplifications"][-1]["name"] == "fewest_distinct"
