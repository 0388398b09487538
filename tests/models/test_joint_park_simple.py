"""Issue 12 for the joint park: the stability step and the simplicity options, each priced.

The ``--simple`` plan of each shipped park keeps one ratio per party and phase across the
cash streams, every ratio on the grid, stays within the rules (the family's own rule check),
and each reported price is the recomputed distance difference; the stability step's
smallest coalition surplus equals an independent LP over the NPVs; the same case in another
money unit gets the same simplified ratios.
"""

from __future__ import annotations

import re
from pathlib import Path

import highspy
import numpy as np
import pytest

from fairpool.cases import case_path
from fairpool.commands.simple import simplicity_options
from fairpool.models import family
from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.flows import evaluate_plan
from fairpool.models.joint_park.plan import park_game
from fairpool.models.joint_park.plan_model import cash_streams
from fairpool.models.joint_park.rules import proposal_violations
from fairpool.models.planning import money_scale, smallest_surplus
from fairpool.models.verdicts import plan_distance
from fairpool.optimizer.game import members

PARKS = ("sichuan_zhejiang_park.xlsx", "jingjinji_relocation.xlsx")
PARK = family("joint_park")


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


@pytest.fixture(scope="module", params=PARKS)
def simple(request):
    case = PARK.read_case(case_path(request.param))
    return case, PARK.solve(case, **simplicity_options(simple=True))


def test_simple_plan_is_simple_within_the_rules_and_priced(simple) -> None:
    case, result = simple
    r = ratios_of(case, result.plan_table)
    names = [s.name for s in result.simplifications]
    assert names[0] == "stability" and set(names[1:]) == {
        "round_to",
        "uniform_streams",
        "max_changes",
        "fewest_distinct",
    }
    applied = {s.name for s in result.simplifications if s.applied}
    cash = cash_streams(case)
    if "uniform_streams" in applied:
        assert np.ptp(r[:, cash, :], axis=1).max() <= 1e-9
    if "round_to" in applied:
        grid = r / 0.05
        assert np.abs(grid - np.round(grid)).max() <= 1e-9 / 0.05
    if "max_changes" in applied:
        changes = (np.abs(np.diff(r[:, cash, :], axis=2)) > 1e-9).any(axis=1).sum(axis=1)
        assert changes.max() <= 1
    pools = park_game(case).pools
    flows = evaluate_plan(case, pools, r)
    assert proposal_violations(case, pools, r, flows) == []
    goal = np.array([result.target_shares[p] for p in case.parties])
    distance = plan_distance(flows.npv, goal, "l1")
    scale = money_scale(park_game(case).game)
    assert abs(distance - result.distance) <= 1e-6 * scale
    previous = None
    for step in result.simplifications:
        # the price is the distance difference, reported as 0 when within the core tolerance
        # (solver noise, not money a party sees)
        difference = step.distance_after - step.distance_before
        assert step.price == pytest.approx(difference, abs=1e-6 * scale)
        assert step.price == 0.0 or abs(step.price) > 1e-6 * scale * 0.5
        if previous is not None:
            assert step.distance_before == pytest.approx(previous, abs=1e-6 * scale)
        previous = step.distance_after
    assert previous == pytest.approx(distance, abs=1e-6 * scale)


def independent_least_surplus(game, goal: np.ndarray, distance: float) -> float:
    """max t s.t. x(S) − v(S) ≥ t for proper S, Σ x = v(N), Σ |x − τ| ≤ distance: highspy
    directly over the NPVs (x, u ≥ |x − τ|, t)."""
    n = game.n
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    for _ in range(n):
        h.addVar(-inf, inf)
    for _ in range(n):
        h.addVar(0, inf)
    h.addVar(-inf, inf)
    t = 2 * n
    h.changeColCost(t, -1.0)
    for mask in range(1, (1 << n) - 1):
        idx = [*members(mask, n), t]
        h.addRow(float(game.values[mask]), inf, len(idx), idx, [1.0] * (len(idx) - 1) + [-1.0])
    grand = float(game.values[-1])
    h.addRow(grand, grand, n, list(range(n)), [1.0] * n)
    for p in range(n):
        h.addRow(-inf, float(goal[p]), 2, [p, n + p], [1.0, -1.0])
        h.addRow(float(goal[p]), inf, 2, [p, n + p], [1.0, 1.0])
    h.addRow(-inf, distance, n, list(range(n, 2 * n)), [1.0] * n)
    h.run()
    return float(h.getSolution().col_value[t])


@pytest.mark.parametrize("slack", [1e-9, 0.02])
def test_stability_step_reaches_the_least_core_depth(slack: float) -> None:
    """A fairness slack (here 1e-9 of the scale: the exact optimum set, within the solver's
    tolerance) or any simplification turns the stability step on; a plain solve keeps the
    tie-break's plan (see models/joint_park/simple.py)."""
    case = PARK.read_case(case_path("sichuan_zhejiang_park.xlsx"))
    game = park_game(case).game
    base = PARK.solve(case)
    result = PARK.solve(case, fairness_slack=slack)
    scale = money_scale(game)
    goal = np.array([result.target_shares[p] for p in case.parties])
    amounts = np.array([result.amounts[p] for p in case.parties])
    surplus = dict(result.facts)["smallest_surplus"]
    assert surplus == pytest.approx(smallest_surplus(game, amounts), abs=1e-6 * scale)
    best = independent_least_surplus(game, goal, base.distance + slack * scale)
    assert surplus == pytest.approx(best, rel=1e-6, abs=1e-6 * scale)
    assert result.distance <= base.distance + slack * scale + 1e-6 * scale
    assert surplus >= 0


def test_the_same_park_in_yuan_gets_the_same_simplified_ratios(tmp_path: Path) -> None:
    from tests.models.test_scaled_cases import write_scaled

    name = "sichuan_zhejiang_park.xlsx"
    options = simplicity_options(simple=True)
    base = PARK.solve(PARK.read_case(case_path(name)), **options)
    path = write_scaled(case_path(name), 1e6, tmp_path / name)
    scaled = PARK.solve(PARK.read_case(path), **options)
    assert np.allclose(
        base.plan_table["ratio"].to_numpy(), scaled.plan_table["ratio"].to_numpy(), atol=1e-9
    )
    assert [s.applied for s in base.simplifications] == [s.applied for s in scaled.simplifications]


def test_a_key_the_park_does_not_use_is_warned_about() -> None:
    case = PARK.read_case(case_path("sichuan_zhejiang_park.xlsx"))
    result = PARK.solve(case, transfers="none")
    assert any("transfers" in w for w in result.warnings)
    preset = PARK.solve(case, **simplicity_options(simple=True))
    assert not any("transfers" in w for w in preset.warnings)


def test_solve_simple_through_the_command_reports_priced_steps_in_its_schema(
    tmp_path: Path,
) -> None:
    import json

    from typer.testing import CliRunner

    from fairpool.cli import app
    from tests.test_json_schema import problems, registry

    path = case_path("jingjinji_relocation.xlsx")
    run = CliRunner().invoke(app, ["solve", str(path), "--simple", "--json", "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    document = json.loads(run.stdout)
    assert problems("solve", document, registry.__wrapped__()) == []
    steps = document["simplifications"]
    assert steps[0]["name"] == "stability"
    noise = 2e-6 * abs(document["grand_value"])  # the core tolerance, 1e-6 of the scale
    for step in steps:
        difference = step["distance_after"] - step["distance_before"]
        assert step["price"] == pytest.approx(difference, abs=noise)
    bad = CliRunner().invoke(app, ["solve", str(path), "--round-to", "1.5", "-o", str(tmp_path)])
    assert bad.exit_code == 2 and "--round-to" in bad.output


def test_demo_prints_a_plan_to_sign_with_its_price(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from fairpool.cli import app

    run = CliRunner().invoke(app, ["demo", "-o", str(tmp_path)])
    assert run.exit_code == 0, run.output
    text = run.stdout
    assert "A plan to sign" in text and "Price of simplicity:" in text and "万元" in text
    block = text[text.index("A plan to sign") : text.index("Price of simplicity:")]
    sentences = block.splitlines()[1:]
    assert sentences and all("%" in line for line in sentences)
    percents = [float(p) for line in sentences for p in re.findall(r"(\d+(?:\.\d+)?)%", line)]
    assert all(abs(p / 5 - round(p / 5)) < 1e-6 for p in percents)  # on the 5% grid


def test_case_sheet_keys_are_read_and_checked(tmp_path: Path) -> None:
    import openpyxl

    from fairpool.optimizer.errors import CaseError

    source = case_path("jingjinji_relocation.xlsx")

    def with_rows(rows: dict[str, object]) -> Path:
        book = openpyxl.load_workbook(source)
        sheet = book["case"]
        for key, value in rows.items():
            sheet.append([key, value])
        target = tmp_path / f"case_{len(list(tmp_path.iterdir()))}.xlsx"
        book.save(target)
        return target

    case = PARK.read_case(with_rows({"round_to": 0.05, "max_changes": 1}))
    settings = case.plan_settings()
    assert settings.round_to == 0.05 and settings.max_changes == 1
    assert settings.explicit >= {"round_to", "max_changes"}
    result = PARK.solve(case)
    assert {s.name for s in result.simplifications} >= {"round_to", "max_changes"}
    for key, value in (("round_to", 1.5), ("max_changes", -1), ("fairness_slack", -0.1)):
        with pytest.raises(CaseError, match=key):
            PARK.read_case(with_rows({key: value}))
