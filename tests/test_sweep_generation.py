"""``sweep`` by constraint generation (issue 13): the table and the core band without 2^n values.

The independent evidence is enumeration: on generated cases of 7 parties, every swept value's
worst excess and core verdict, and the core band, must equal the enumerated sweep's
(``family.sweep``): excesses to 1e-6 of the game's scale, band ends to 1e-6 (ρ is a
fraction). The baselines are the generated proposals (far from the core: no band) and
proposals built to give the nucleolus (in the core: a band around it). A symmetric water
system has many tied coalitions; the same case in 1e-6 and 1e8 times its unit gives the same
band; a 40-town sweep runs through the real command.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.models import family
from fairpool.models.cost_sharing.case import case_from_rows as water_from_rows
from fairpool.models.cost_sharing.generate import generated_case as water
from fairpool.models.cost_sharing.generate import write_generated_workbook as water_workbook
from fairpool.models.cost_sharing.template import write_case as write_water
from fairpool.models.family import SweepLine
from fairpool.models.infrastructure.case import ProposalShares
from fairpool.models.infrastructure.generate import generated_case as programme
from fairpool.models.infrastructure.plan import welfare_plan
from fairpool.models.joint_park.case import Limit
from fairpool.models.joint_park.coalitions import ParkEvaluator, coalition_milp
from fairpool.models.joint_park.flows import evaluate_plan, park_pools, ratios_frame
from fairpool.models.joint_park.generate import generated_case as park
from fairpool.models.large_sweep import SweepAxis, affinity_gap, sweep_large
from fairpool.optimizer.generation.oracle import EnumeratedOracle
from fairpool.optimizer.solutions.nucleolus import nucleolus
from fairpool.reports.document import JSON_SCHEMAS, json_schema
from tests.models.test_scaled_cases import write_scaled

runner = CliRunner()

VALUES = [round(0.1 * i, 10) for i in range(11)]
RELATIVE = 1e-6


def park_at_nucleolus(case: Any) -> Any:
    """The park with a proposal of one ratio per party on every cash cell that gives each
    party its nucleolus NPV: npv = npv(r = 0) + w · A for uniform ratios w."""
    game = family("joint_park").coalition_game(case)
    target = nucleolus(game).shares
    _, active = ParkEvaluator(coalition_milp(case)).solve((1 << case.n) - 1)
    pools = park_pools(case, active)
    shape = (case.n, len(case.streams), len(case.phases))
    nothing = evaluate_plan(case, pools, np.zeros(shape)).npv
    first = np.zeros(shape)
    first[0] = 1.0
    pool = evaluate_plan(case, pools, first).npv[0] - nothing[0]
    weights = (target - nothing) / pool
    assert (weights >= 0).all() and abs(weights.sum() - 1) < 1e-9
    ratios = np.broadcast_to(weights[:, None, None], shape).copy()
    ratios[:, ~case.cash, :] = 0.0
    frame = ratios_frame(case, ratios)
    frame.loc[
        ~frame["stream"].isin([s.stream for s in case.streams if s.kind == "cash"]), "ratio"
    ] = np.nan
    return dataclasses.replace(case, proposal=frame)


def programme_at_nucleolus(case: Any) -> Any:
    """The programme with one cost share per party on every built project giving each party
    its nucleolus NPV: npv_i = B_i − w_i · F (B the built projects' benefits, F their cost)."""
    game = family("infrastructure").coalition_game(case)
    target = nucleolus(game).shares
    build, _ = welfare_plan(case)
    benefits = build @ case.benefit_pv()
    funded = float(((build[:, None] * case.funded_cost) @ case.discount).sum())
    weights = (benefits - target) / funded
    assert (weights >= 0).all()
    shares = np.tile(weights[:, None], (1, len(case.projects)))
    return dataclasses.replace(case, proposal=ProposalShares(shares, build > 1e-9, None))


def water_at_nucleolus(case: Any) -> Any:
    """The water system with the nucleolus's shares of c(N) as its proposal."""
    game = family("cost_sharing").coalition_game(case)
    return dataclasses.replace(case, proposal=nucleolus(game).shares / game.grand_value)


CASES = {
    "park, its proposal": ("joint_park", lambda: park(7, 2, years=10, phases=2)),
    "park at the nucleolus": (
        "joint_park",
        lambda: park_at_nucleolus(park(7, 2, years=10, phases=2)),
    ),
    "programme, its proposal": ("infrastructure", lambda: programme(7, 3, years=20)),
    "programme at the nucleolus": (
        "infrastructure",
        lambda: programme_at_nucleolus(programme(7, 3, years=20)),
    ),
    "water, its proposal": ("cost_sharing", lambda: water(7, 1)),
    "water at the nucleolus": ("cost_sharing", lambda: water_at_nucleolus(water(7, 1))),
}


def assert_same_sweep(name: str, case: Any, line: SweepLine) -> tuple[Any, Any]:
    """The generated sweep of ``line`` equals the enumerated one (module docstring)."""
    chosen = family(name)
    exact = chosen.sweep(case, line, VALUES)
    generated = sweep_large(chosen, case, line, VALUES)
    scale = float(np.abs(exact.game.values).max())
    assert list(generated.table.columns) == list(exact.table.columns)
    for column in generated.table.columns:
        if column.startswith(("npv_", "cost_", "worst_excess", "share", "ratio")):
            got = generated.table[column].to_numpy(dtype=float)
            want = exact.table[column].to_numpy(dtype=float)
            assert np.allclose(got, want, rtol=0, atol=RELATIVE * scale), column
    assert generated.table["in_core"].tolist() == exact.table["in_core"].tolist()
    if exact.rules_flag is not None:
        flag = exact.rules_flag
        assert generated.table[flag].tolist() == exact.table[flag].tolist()
    assert (generated.core_band is None) == (exact.core_band is None)
    if exact.core_band is not None and generated.core_band is not None:
        assert np.allclose(generated.core_band, exact.core_band, rtol=0, atol=RELATIVE)
    assert (generated.band_within_rules is None) == (exact.band_within_rules is None)
    if exact.band_within_rules is not None and generated.band_within_rules is not None:
        assert np.allclose(
            generated.band_within_rules, exact.band_within_rules, rtol=0, atol=RELATIVE
        )
    assert [c.side for c in generated.cuts] == [c.side for c in exact.cuts]
    assert generated.band_refusal is None
    assert generated.method == "generation" and generated.baseline == "proposal"
    return exact, generated


@pytest.mark.parametrize("label", list(CASES))
def test_a_generated_sweep_equals_the_enumerated_one(label: str) -> None:
    name, build = CASES[label]
    case = build()
    exact, generated = assert_same_sweep(name, case, SweepLine(case.parties[1]))
    if "nucleolus" in label:  # the baseline is in the core: so is its value of the line
        assert exact.core_band is not None and generated.core_band is not None
        low, high = generated.core_band
        assert low - RELATIVE <= float(generated.baseline_value) <= high + RELATIVE


def test_a_sweep_against_one_counterparty_equals_the_enumerated_one() -> None:
    case = programme_at_nucleolus(programme(7, 3, years=20))
    exact, generated = assert_same_sweep(
        "infrastructure", case, SweepLine(case.parties[2], against=case.parties[0])
    )
    assert generated.value_range == pytest.approx(exact.value_range)
    if exact.band_within_rules is not None:
        assert np.allclose(generated.band_within_rules, exact.band_within_rules, atol=RELATIVE)


def test_a_park_with_caps_is_swept_piece_by_piece_and_equals_the_enumerated_one() -> None:
    """Caps truncate a party's take once its cumulative take reaches them, so the NPVs are
    affine in ρ only piecewise: the band is the hull of the bands of the pieces."""
    case = park_at_nucleolus(park(7, 2, years=10, phases=2))
    cash = tuple(s.stream for s in case.streams if s.kind == "cash")
    first, last = int(case.years[0]), int(case.years[-1])
    caps = (
        Limit(2, case.parties[1], "cap", cash, first, last, 100000.0, overflow_to=case.parties[0]),
        Limit(3, case.parties[3], "cap", cash, first, 2030, 30000.0, overflow_to=case.parties[2]),
    )
    capped = dataclasses.replace(case, limits=caps)
    exact, generated = assert_same_sweep("joint_park", capped, SweepLine(case.parties[1]))
    assert exact.core_band is not None
    assert any("pieces" in note for note in generated.notes)


def symmetric_water(n: int, factor: float = 1.0) -> tuple[dict[str, object], dict[str, Any]]:
    """n identical towns: the same demand, the same own plant, the same pipe to one shared
    plant that needs no town, so c(S) depends on |S| only (every coalition of a size ties)."""
    towns = [f"T{i + 1}" for i in range(n)]
    facilities: list[dict[str, object]] = [
        {
            "facility": "PLANT",
            "name": "shared plant",
            "capacity": 2.0 * n,
            "fixed_cost": 9000.0 * factor,
            "variable_cost": 1700.0 * factor,
            "requires": "",
        }
    ]
    connections: list[dict[str, object]] = []
    for town in towns:
        facilities.append(
            {
                "facility": f"OWN_{town}",
                "name": f"{town} own plant",
                "capacity": 2.4,
                "fixed_cost": 10000.0 * factor,
                "variable_cost": 2800.0 * factor,
                "requires": town,
            }
        )
        connections += [
            {"party": town, "facility": "PLANT", "cost": 800.0 * factor},
            {"party": town, "facility": f"OWN_{town}", "cost": 0.0},
        ]
    rows: dict[str, Any] = {
        "parties": [{"id": t, "name": t, "demand": 2.0, "population": 20.0} for t in towns],
        "facilities": facilities,
        "connections": connections,
        "proposal": [{"party": t, "share": 1.0 / n} for t in towns],
    }
    settings: dict[str, object] = {"name": "symmetric towns", "unit": "万元", "target": "shapley"}
    return settings, rows


def test_a_symmetric_case_with_many_tied_coalitions_sweeps_alike() -> None:
    settings, rows = symmetric_water(7)
    case = water_from_rows(settings, rows, source="symmetric.xlsx")
    game = family("cost_sharing").coalition_game(case)
    sizes = [bin(m).count("1") for m in range(1 << case.n)]
    assert len({round(float(v), 6) for v, s in zip(game.values, sizes, strict=True) if s == 3}) == 1
    exact, generated = assert_same_sweep("cost_sharing", case, SweepLine("T1"))
    assert exact.core_band is not None  # equal shares are in the core of a symmetric game
    assert generated.core_band is not None
    assert generated.core_band[0] <= 1 / 7 <= generated.core_band[1]


def test_the_band_does_not_depend_on_the_money_unit(tmp_path: Path) -> None:
    source = write_water(tmp_path / "symmetric.xlsx", *symmetric_water(7))
    chosen = family("cost_sharing")
    bands: list[tuple[float, float]] = []
    verdicts: list[list[bool]] = []
    for factor in (1.0, 1e-6, 1e8):
        path = (
            source if factor == 1.0 else write_scaled(source, factor, tmp_path / f"{factor}.xlsx")
        )
        case = chosen.read_case(path)
        result = sweep_large(chosen, case, SweepLine(case.parties[0]), VALUES)
        assert result.core_band is not None
        bands.append(result.core_band)
        verdicts.append(result.table["in_core"].tolist())
    assert verdicts[1] == verdicts[0] and verdicts[2] == verdicts[0]
    assert bands[0][0] < 1 / 7 < bands[0][1]  # a band of some width, not a point
    assert np.allclose(bands[1], bands[0], atol=RELATIVE)
    assert np.allclose(bands[2], bands[0], atol=RELATIVE)


def test_a_case_without_a_proposal_sweeps_from_its_plan_by_generation() -> None:
    """No proposal sheet: the baseline is the plan toward the case's target, by generation
    too; for water with the nucleolus as target (in the core: the plan is the nucleolus
    itself) it equals the enumerated sweep from its plan."""
    case = dataclasses.replace(water(6, 1), proposal=None, target="nucleolus")
    chosen = family("cost_sharing")
    line = SweepLine(case.parties[0])
    exact = chosen.sweep(case, line, VALUES)
    generated = sweep_large(chosen, case, line, VALUES)
    assert generated.baseline == exact.baseline == "plan"
    scale = float(np.abs(exact.game.values).max())
    for column in [c for c in exact.table.columns if c.startswith("cost_")]:
        got = generated.table[column].to_numpy(dtype=float)
        assert np.allclose(got, exact.table[column].to_numpy(dtype=float), atol=RELATIVE * scale)
    assert generated.baseline_value == pytest.approx(exact.baseline_value, abs=RELATIVE)
    assert (generated.core_band is None) == (exact.core_band is None)
    if exact.core_band is not None and generated.core_band is not None:
        assert np.allclose(generated.core_band, exact.core_band, rtol=0, atol=RELATIVE)


def test_a_target_generation_samples_starts_from_the_plan_toward_the_nucleolus() -> None:
    case = dataclasses.replace(water(6, 1), proposal=None, target="shapley")
    generated = sweep_large(family("cost_sharing"), case, SweepLine(case.parties[0]), VALUES)
    assert generated.target == "nucleolus" and generated.baseline == "plan"
    assert any("plan toward the nucleolus" in note for note in generated.notes)
    from fairpool.reports.large_sweep import render_large_sweep

    assert "Baseline: the plan toward the nucleolus" in render_large_sweep(generated)


def test_a_40_town_sweep_runs_through_the_command_and_prints_the_band(tmp_path: Path) -> None:
    path = water_workbook(tmp_path / "water40.xlsx", 40, 1)
    result = runner.invoke(app, ["sweep", str(path), "--party", "T01", "--step", "0.25"])
    assert result.exit_code == 0, result.output
    assert "Core band (exact, by constraint generation)" in result.stdout
    assert "constraint generation" in result.stdout
    document = runner.invoke(
        app, ["sweep", str(path), "--party", "T01", "--step", "0.25", "--json"]
    )
    assert document.exit_code == 0, document.output
    parsed = json.loads(document.stdout)
    assert parsed["method"] == "generation" and len(parsed["sweep"]) == 5
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema))
        for schema in (json_schema(n) for n in (*JSON_SCHEMAS, "common"))
    )
    validator = Draft202012Validator(json_schema("sweep_generated"), registry=registry)
    assert not [e.message[:200] for e in validator.iter_errors(parsed)]
    assert len(parsed["sweep"][0]) == 1 + 40 + 3  # the value, every party, the verdict
    assert "core_band" in parsed and parsed["core_band_refused"] is None


def test_exact_keeps_enumeration_and_generate_forces_generation(tmp_path: Path) -> None:
    path = water_workbook(tmp_path / "water6.xlsx", 6, 1)
    args = ["sweep", str(path), "--party", "T01", "--step", "0.5", "--json"]
    exact = json.loads(runner.invoke(app, [*args, "--exact"]).stdout)
    generated = json.loads(runner.invoke(app, [*args, "--generate"]).stdout)
    assert "method" not in exact and generated["method"] == "generation"
    assert [row["in_core"] for row in exact["sweep"]] == [
        row["in_core"] for row in generated["sweep"]
    ]


def test_amounts_off_the_line_are_measured_and_kinks_cut_the_line_into_pieces() -> None:
    """The affinity check that guards the band: a bent line is caught, a kinked line is
    affine on each piece between its kinks."""
    bent = SweepAxis(lambda rho: np.array([rho * rho, -rho * rho]), 1.0, None, "share", ())
    assert affinity_gap(bent, 0.0, 1.0, VALUES) > 0.1
    kinked = SweepAxis(
        lambda rho: np.array([min(rho, 0.4), -min(rho, 0.4)]), 1.0, None, "share", (), kinks=(0.4,)
    )
    assert kinked.pieces() == [(0.0, 0.4), (0.4, 1.0)]
    assert affinity_gap(kinked, 0.0, 1.0, VALUES) > 0.01
    assert max(affinity_gap(kinked, a, b, VALUES) for a, b in kinked.pieces()) < 1e-12


def test_any_oracle_serves_the_sweep_the_listed_table_too() -> None:
    case = water_at_nucleolus(water(6, 2))
    chosen = family("cost_sharing")
    line = SweepLine(case.parties[0])
    by_table = sweep_large(
        chosen, case, line, VALUES, oracle=EnumeratedOracle(chosen.coalition_game(case))
    )
    by_milp = sweep_large(chosen, case, line, VALUES)
    assert by_table.table["in_core"].tolist() == by_milp.table["in_core"].tolist()
    assert np.allclose(by_table.table["worst_excess"], by_milp.table["worst_excess"], atol=1e-6)
    assert (by_table.core_band is None) == (by_milp.core_band is None)
    if by_table.core_band is not None and by_milp.core_band is not None:
        assert np.allclose(by_table.core_band, by_milp.core_band, atol=RELATIVE)
