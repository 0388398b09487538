"""``fairpool sweep`` that answers in words, and ``fairpool check --ratio/--share``, through the
real command (typer's CliRunner; JSON read from stdout only).

Oracles: the case's own proposal sheet (``--ratio`` must judge what the same rows in a
workbook are judged), party ids (names must give the same answers), and for the bands the
family's own rule check and core verdict evaluated on a fine grid of ratios built here,
independently of the sweep's code: every ratio of the grid that is in the core and within
the rules lies in the band within the rules, and they reach its ends.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.models import family_of
from fairpool.models.joint_park.flows import evaluate_plan, ratios_from_frame
from fairpool.models.joint_park.plan import park_game
from fairpool.models.joint_park.rules import proposal_violations
from fairpool.models.verdicts import plan_verdict
from tests.models.test_scaled_cases import write_scaled

CASES = Path(__file__).resolve().parents[1] / "cases"
PARK = CASES / "sichuan_zhejiang_park.xlsx"
RIVER = CASES / "river_program.xlsx"
WATER = CASES / "water_plant.xlsx"
NO_CACHE = ("--no-cache",)

runner = CliRunner()


def run(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


def document(*args: object) -> dict:
    result = run(*args, "--json", *NO_CACHE)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(*args: object) -> str:
    result = run(*args, *NO_CACHE)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture(scope="module")
def plan_park(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Sichuan–Zhejiang park without its proposal sheet: sweeps start from the plan,
    which keeps the rules, so the band within the rules is not empty."""
    path = tmp_path_factory.mktemp("park") / "park_plan.xlsx"
    book = openpyxl.load_workbook(PARK)
    del book["proposal"]
    book.save(path)
    return path


# -- check --ratio / --share --------------------------------------------------------------------


def proposal_workbook(rows: list[tuple[object, ...]], path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "proposal"
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def judged(doc: dict) -> tuple[object, ...]:
    return (doc["allocations"]["proposal"], doc["rule_violations"], doc["fair"])


def test_ratio_equals_the_equivalent_workbook(tmp_path: Path) -> None:
    header = ("party", "stream", "phase", "ratio")
    rows = [header, ("SEND", "*", "*", 0.45), ("HOST", "*", "*", 0.35), ("PROV", "*", "*", 0.2)]
    book = proposal_workbook(rows, tmp_path / "offer.xlsx")
    by_file = document("check", PARK, "--proposal", book)
    by_option = document("check", PARK, "--ratio", "SEND=0.45,HOST=0.35,PROV=0.2")
    assert judged(by_option) == judged(by_file)
    by_names = document("check", PARK, "--ratio", "浙江飞出市＝45％，四川承接县=0.35，prov=２０%")
    assert judged(by_names) == judged(by_file)
    assert judged(by_file) != judged(document("check", PARK))  # not the case's own proposal


def test_ratio_narrowed_to_a_phase_changes_only_that_phase(tmp_path: Path) -> None:
    rows = [("party", "stream", "phase", "ratio")]
    own = family_of(PARK).read_case(PARK).proposal
    for party, stream, phase, ratio in own.itertuples(index=False):
        if not np.isnan(ratio):
            value = {"SEND": 0.5, "HOST": 0.3, "PROV": 0.2}[party] if phase == "2" else ratio
            rows.append((party, stream, phase, value))
    book = proposal_workbook(rows, tmp_path / "phase2.xlsx")
    narrowed = document("check", PARK, "--ratio", "SEND=0.5,HOST=0.3,PROV=0.2", "--phase", "2")
    assert judged(narrowed) == judged(document("check", PARK, "--proposal", book))


@pytest.mark.parametrize(
    ("case", "shares", "header", "rows"),
    [
        (
            RIVER,
            "安徽=0.15,ZJ=0.25,JS=0.3,上海=0.3",
            ("party", "project", "share"),
            [("AH", "*", 0.15), ("ZJ", "*", 0.25), ("JS", "*", 0.3), ("SH", "*", 0.3)],
        ),
        (
            WATER,
            "SZ=30%,WX=20%,CZ=15%,HZ=10%,JX=15%,KS=10%",
            ("party", "share"),
            [("SZ", 0.3), ("WX", 0.2), ("CZ", 0.15), ("HZ", 0.1), ("JX", 0.15), ("KS", 0.1)],
        ),
    ],
)
def test_share_equals_the_equivalent_workbook(
    case: Path, shares: str, header: tuple[str, ...], rows: list, tmp_path: Path
) -> None:
    book = proposal_workbook([header, *rows], tmp_path / "offer.xlsx")
    assert judged(document("check", case, "--share", shares)) == judged(
        document("check", case, "--proposal", book)
    )


def test_bad_entries_are_named_and_exit_2() -> None:
    text = refused("check", PARK, "--ratio", "SEND=0.5,MARS=0.3,HOST=abc,PROV")
    assert "--ratio: unknown party 'MARS'" in text
    assert "--ratio: HOST=abc: 'abc' is not a number" in text
    assert "--ratio: 'PROV' is not PARTY=VALUE" in text
    assert "add up to 1.1, not 1" in refused("check", PARK, "--ratio", "SEND=0.5,HOST=0.4,PROV=20%")
    assert "between 0 and 1" in refused("check", PARK, "--ratio", "SEND=45,HOST=35,PROV=20")
    assert "given twice" in refused("check", PARK, "--ratio", "SEND=0.5,浙江飞出市=0.5")
    assert "use --ratio" in refused("check", PARK, "--share", "SEND=0.5,HOST=0.5")
    assert "--stream: unknown stream 'VATT'" in refused(
        "check", PARK, "--ratio", "SEND=0.5,HOST=0.5", "--stream", "VATT"
    )
    assert "--stream: does not apply" in refused(
        "check", RIVER, "--share", "AH=1", "--stream", "VAT"
    )
    assert "--phase: narrows --ratio" in refused("check", PARK, "--phase", "2")


# -- sweep ----------------------------------------------------------------------------------------


def test_names_and_ids_give_the_same_sweep() -> None:
    by_id = document("sweep", PARK, "--party", "PROV", "--against", "HOST", "--step", "0.25")
    by_name = document(
        "sweep", PARK, "--party", "四川省", "--against", "四川承接县", "--step", "0.25"
    )
    assert by_name == by_id
    assert by_id["party"] == "PROV" and by_id["against"] == "HOST"


def test_the_issues_example_says_which_rule_cuts_the_band() -> None:
    """PROV's VAT ratio in phase 2 of the shipped park: in the core from 60.5%, but the rules
    cap PROV at 0.5, so nothing of the core band is within the rules, and the sweep says so."""
    doc = document("sweep", PARK, "--party", "PROV", "--stream", "VAT", "--phase", "2")
    assert doc["core_band"][0] == pytest.approx(0.6053, abs=1e-4) and doc["core_band"][1] == 1.0
    assert doc["core_band_within_rules"] is None
    assert doc["baseline"] == "proposal" and doc["baseline_value"] == pytest.approx(0.2)
    rules = [rule for cut in doc["cuts"] for rule in cut["rules"]]
    assert any("sheet rules row 4 (PROV" in rule for rule in rules)
    text = run("sweep", PARK, "--party", "PROV", "--stream", "VAT", "--phase", "2", *NO_CACHE)
    assert text.exit_code == 0
    for words in (
        "Baseline: the case's proposal sheet; it gives 四川省 (PROV) 20% here.",
        "share the rest in the baseline's proportions",
        "Core band (no coalition blocks): 60.53% … 100.00%",
        "Within the rules: none",
        "breaks sheet rules row 4 (PROV, stream *, phase *: ratio 0–0.5)",
        "NPV, 万元",
        "23,203",
    ):
        assert words in text.stdout


def grid_oracle(case_path: Path, party: str, stream: str, phase: str, grid: np.ndarray):
    """(in core, within the rules) at every ratio of ``grid``, computed here: the plan's
    ratios (the case's proposal, else the sweep's baseline read from its JSON) with
    ``party``'s ratio set on the swept cells and the others rescaled in proportion, judged by
    the family's rule check and core verdict."""
    family = family_of(case_path)
    case = family.read_case(case_path)
    park = park_game(case)
    if case.proposal is not None:
        base = ratios_from_frame(case, case.proposal)
    else:  # the plan: read back the sweep's own NPV-free description is not enough; solve
        plan = family.solve(case)
        base = ratios_from_frame(case, plan.plan_table)
    p = case.party_index(party)
    streams = [
        k for k, s in enumerate(case.streams) if s.kind == "cash" and stream in ("all", s.stream)
    ]
    phases = [h for h, ph in enumerate(case.phases) if phase in ("all", ph.phase)]
    verdicts = []
    for rho in grid:
        ratios = base.copy()
        for k in streams:
            for h in phases:
                rest = 1.0 - base[p, k, h]
                for q in range(case.n):
                    ratios[q, k, h] = rho if q == p else base[q, k, h] / rest * (1.0 - rho)
        flows = evaluate_plan(case, park.pools, ratios)
        in_core = plan_verdict(park.game, flows.npv).in_core
        verdicts.append((in_core, not proposal_violations(case, park.pools, ratios, flows)))
    return verdicts


@pytest.mark.parametrize(
    ("party", "stream", "phase"),
    [("SEND", "all", "all"), ("PROV", "VAT", "2"), ("HOST", "all", "all")],
)
def test_the_band_within_the_rules_is_inside_the_core_band_and_keeps_the_rules(
    plan_park: Path, party: str, stream: str, phase: str
) -> None:
    doc = document("sweep", plan_park, "--party", party, "--stream", stream, "--phase", phase)
    assert doc["baseline"] == "plan"
    core, within = doc["core_band"], doc["core_band_within_rules"]
    assert core is not None and within is not None
    assert core[0] - 1e-9 <= within[0] <= within[1] <= core[1] + 1e-9
    assert doc["cuts"] and all(cut["rules"] for cut in doc["cuts"])
    grid = np.linspace(0.0, 1.0, 401)
    verdicts = grid_oracle(plan_park, party, stream, phase, grid)
    kept = grid[[in_core and ok for in_core, ok in verdicts]]
    step = grid[1] - grid[0]
    assert kept.size
    assert (kept >= within[0] - 1e-7).all() and (kept <= within[1] + 1e-7).all()
    assert kept.min() <= within[0] + step and kept.max() >= within[1] - step
    if party == "PROV":  # the rules cap PROV at 0.5 (sheet rules row 4): the band stops there
        assert within[1] == pytest.approx(0.5, abs=1e-9) and core[1] > 0.5
        assert any("rules row 4" in r for cut in doc["cuts"] for r in cut["rules"])


def test_the_budget_band_agrees_with_the_grid() -> None:
    """Infrastructure: the rows that are in the core and within the budgets lie in the band
    within the budgets and reach its ends; the budgets that cut it are named."""
    doc = document("sweep", RIVER, "--party", "安徽", "--step", "0.0025")
    core, within = doc["core_band"], doc["core_band_within_rules"]
    assert core[0] <= within[0] <= within[1] <= core[1]
    kept = np.array([r["share"] for r in doc["sweep"] if r["in_core"] and r["within_budgets"]])
    assert (kept >= within[0] - 1e-9).all() and (kept <= within[1] + 1e-9).all()
    assert kept.min() <= within[0] + 0.0025 and kept.max() >= within[1] - 0.0025
    cuts = {cut["side"]: cut["rules"] for cut in doc["cuts"]}
    assert any("over its budget (sheet budgets)" in rule for rule in cuts["high"])


def test_against_moves_only_that_party(plan_park: Path) -> None:
    doc = document("sweep", plan_park, "--party", "SEND", "--against", "HOST", "--step", "0.05")
    rows = doc["sweep"]
    high = doc["value_range"][1]
    assert high < 1.0 and max(row["ratio"] for row in rows) <= high + 1e-12
    prov = [row["npv_PROV"] for row in rows]
    assert max(prov) - min(prov) <= 1e-9 * max(abs(v) for v in prov)  # PROV keeps its ratios
    send = [row["npv_SEND"] for row in rows]
    assert send == sorted(send) and send[0] < send[-1]
    proportional = document("sweep", plan_park, "--party", "SEND", "--step", "0.05")
    assert [r["npv_PROV"] for r in proportional["sweep"]] != pytest.approx(prov)
    text = run("sweep", plan_park, "--party", "SEND", "--against", "HOST", *NO_CACHE).stdout
    assert "Only 四川承接县 (HOST) gives up or takes the difference" in text
    assert "higher values are left out" in text
    assert "that is the swept party itself" in refused(
        "sweep", plan_park, "--party", "SEND", "--against", "浙江飞出市"
    )


def test_infrastructure_sweeps_report_their_project() -> None:
    doc = document("sweep", RIVER, "--party", "安徽", "--project", "RAIL_AH", "--step", "0.25")
    assert (doc["party"], doc["project"], doc["stream"], doc["phase"]) == (
        "AH",
        "RAIL_AH",
        None,
        None,
    )
    assert doc["rules_flag"] == "within_budgets" and doc["unit"] == "亿元"
    park = document("sweep", PARK, "--party", "HOST", "--phase", "2", "--step", "0.5")
    assert (park["stream"], park["phase"], park["project"]) == ("all", "2", None)
    water = document("sweep", WATER, "--party", "SZ", "--step", "0.5")
    assert (water["stream"], water["phase"], water["project"]) == (None, None, None)
    assert water["core_band_within_rules"] == water["core_band"] and water["rules_flag"] is None


@pytest.mark.parametrize(
    ("source", "args"),
    [
        ("plan", ("--party", "SEND")),
        ("plan", ("--party", "PROV", "--stream", "VAT", "--phase", "2", "--against", "HOST")),
        (RIVER, ("--party", "AH")),
    ],
)
def test_a_scaled_case_gives_the_same_bands(
    source: object, args: tuple[str, ...], plan_park: Path, tmp_path: Path
) -> None:
    path = plan_park if source == "plan" else Path(str(source))
    scaled = write_scaled(path, 1e6, tmp_path / path.name)
    doc, big = document("sweep", path, *args), document("sweep", scaled, *args)
    for key in ("core_band", "core_band_within_rules", "value_range"):
        assert (big[key] is None) == (doc[key] is None), key
        if doc[key] is not None:
            assert big[key] == pytest.approx(doc[key], abs=1e-7), key
    assert [(c["side"], c["rules"]) for c in big["cuts"]] == [
        (c["side"], c["rules"]) for c in doc["cuts"]
    ]


def test_the_sweep_workbook_has_the_table_and_a_chart_and_is_not_overwritten(
    tmp_path: Path,
) -> None:
    case = tmp_path / "park.xlsx"
    shutil.copy(PARK, case)
    out = tmp_path / "sweep.xlsx"
    args = ("sweep", case, "--party", "四川省", "--stream", "VAT", "--phase", "2", "--step", "0.1")
    doc = document(*args, "-o", out)
    assert doc["sweep_workbook"] == str(out)
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.title == "扫描"  # the case is in Chinese
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "四川省 净现值 (万元)" in cells and "在核心内" in cells
    header = next(r for r in sheet.iter_rows() if r[0].value == "比例")
    first = sheet.cell(row=header[0].row + 1, column=2)
    assert first.number_format.startswith("#,##0") and first.value == pytest.approx(23203, abs=1)
    with zipfile.ZipFile(out) as archive:
        chart = next(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = archive.read(chart).decode()
    assert "lineChart>" in xml and "barChart>" in xml
    before = out.read_bytes()
    text = refused(*args, "-o", out)
    assert "exists; pass --force" in text and out.read_bytes() == before
    assert run(*args, "-o", out, "--force", *NO_CACHE).exit_code == 0
