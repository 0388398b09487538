"""``fairpool check`` shows every party and the smallest fix, through the real command
(typer's CliRunner): the party table of every shipped case, the blocking coalitions in words,
the fix as sentences (or the rules in the way), the JSON ``parties`` and ``fix``, and the
fixed proposal, written back into the workbook and checked again, fair."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

import fairpool
from fairpool.cli import app

CASES = Path(__file__).resolve().parents[1] / "cases"
SHIPPED = sorted(path.name for path in CASES.glob("*.xlsx"))
runner = CliRunner()


def run(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def check_json(path: Path) -> dict[str, Any]:
    result = run("check", path, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """Copies of the shipped cases (tests never write beside the shipped files)."""
    for name in SHIPPED:
        shutil.copy(CASES / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("name", SHIPPED)
def test_every_party_is_in_the_table_of_every_shipped_case(name: str, shipped: Path) -> None:
    result = run("check", shipped / name)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    text = result.stdout
    document = check_json(shipped / name)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("party "))
    gain = "saving vs alone" if document["orientation"] == "cost" else "gain over alone"
    for column in ("proposal", "alone", "Shapley", "nucleolus", gain, "verdict"):
        assert column in header, f"{name}: column {column!r} missing"
    table = lines[lines.index(header) + 1 : lines.index(header) + 1 + len(document["players"])]
    for player, row in zip(document["players"], table, strict=True):
        assert player["id"] in row and player["name"] in row, f"{name}: {player} not in {row!r}"
    assert [p["id"] for p in document["parties"]] == [p["id"] for p in document["players"]]
    for party in document["parties"]:
        assert party["proposal"] == pytest.approx(document["allocations"]["proposal"][party["id"]])
        assert party["shapley"] == pytest.approx(document["solutions"]["shapley"][party["id"]])
    assert "Smallest fix" in text
    fix = document["fix"]
    assert (fix["status"] == "not_needed") == document["fair"]


def test_the_park_fix_reads_as_sentences_and_its_ratios_make_the_proposal_fair(
    shipped: Path,
) -> None:
    path = shipped / "sichuan_zhejiang_park.xlsx"
    text = run("check", path).stdout
    assert "四川省 would gain 4,047 万元 by leaving" in text
    assert "raise 四川省's VAT ratio in phase" in text and "taken from" in text
    assert "After the fix the proposal is in the core, within the rules." in text
    fix = check_json(path)["fix"]
    assert fix["status"] == "found" and fix["value_kind"] == "ratio"
    assert {c["party"] for c in fix["changes"]} >= {"PROV"}
    assert all(c["project"] is None for c in fix["changes"])

    frame = fairpool.read_case(path).proposal.copy()
    for change in fix["changes"]:
        row = (
            (frame.party == change["party"])
            & (frame.stream == change["stream"])
            & (frame.phase == change["phase"])
        )
        assert row.sum() == 1
        frame.loc[row, "ratio"] = change["to"]
    write_proposal(path, [list(r) for r in frame[["party", "stream", "phase", "ratio"]].values])
    again = check_json(path)
    assert again["fair"] is True and again["fix"]["status"] == "not_needed"
    assert again["allocations"]["proposal"] == pytest.approx(fix["amounts"], abs=1e-6)


def test_the_cost_fix_moves_shares_and_the_fixed_shares_are_fair(shipped: Path) -> None:
    path = shipped / "water_plant.xlsx"
    text = run("check", path).stdout
    assert "would save 0.54 亿元 by leaving" in text
    assert "cost share from" in text and "relieving" in text
    fix = check_json(path)["fix"]
    assert fix["status"] == "found" and fix["value_kind"] == "share"
    case = fairpool.read_case(path)
    shares = dict(zip(case.parties, case.proposal, strict=True))
    for change in fix["changes"]:
        shares[change["party"]] = change["to"]
    write_proposal(path, [[party, share] for party, share in shares.items()])
    again = check_json(path)
    assert again["fair"] is True and again["fix"]["status"] == "not_needed"


def test_rules_that_keep_every_split_out_of_the_core_are_named(shipped: Path) -> None:
    path = shipped / "jingjinji_relocation.xlsx"
    text = run("check", path).stdout
    assert "no change within the rules puts the proposal in the core" in text
    assert "sheet rules row 7" in text and "sheet limits row 2" in text
    assert "walk away" in text
    fix = check_json(path)["fix"]
    assert fix["status"] == "impossible" and fix["conflict"] is True
    assert fix["changes"] == [] and len(fix["obstacles"]) == 2
    assert fix["least_excess"] == pytest.approx(fix["worst_excess"], rel=1e-6)


def test_a_proposal_in_the_core_needs_no_fix_and_strict_passes(shipped: Path) -> None:
    path = shipped / "river_program.xlsx"
    result = run("check", path, "--strict")
    assert result.exit_code == 0, result.output
    assert "No coalition would gain by leaving." in result.stdout
    assert "Smallest fix: none needed" in result.stdout
    document = check_json(path)
    assert document["blocking_coalitions"] == [] and document["blocking_count"] == 0
    assert document["fix"]["changes"] == []
    assert all(p["blocks_with"] is None for p in document["parties"])


def test_strict_still_fails_an_unfair_proposal_with_its_fix_shown(shipped: Path) -> None:
    result = run("check", shipped / "sichuan_zhejiang_park.xlsx", "--strict")
    assert result.exit_code == 1
    assert "Smallest fix (" in result.stdout


def write_proposal(path: Path, rows: list[list[object]]) -> None:
    """Replace the rows of the workbook's ``proposal`` sheet (its header kept)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["proposal"]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_places_with_the_same_change_are_said_once(shipped: Path) -> None:
    """One split for every stream and phase breaks the province's zero rules in every phase
    of the land stream: the fix says the four phases in one sentence."""
    path = shipped / "sichuan_zhejiang_park.xlsx"
    result = run("check", path, "--ratio", "SEND=0.5,HOST=0.3,PROV=0.2")
    assert result.exit_code == 0, result.output
    assert "LAND ratio in phases 1, 2, 3 and 4 from 30% to 50%, taken from 四川省 (20% → 0%)" in (
        result.stdout
    )
    assert "After the fix the proposal is in the core, within the rules." in result.stdout


def test_an_infrastructure_fix_names_the_projects(shipped: Path) -> None:
    path = shipped / "river_program.xlsx"
    result = run("check", path, "--share", "AH=0.7,ZJ=0.1,JS=0.1,SH=0.1")
    assert result.exit_code == 0, result.output
    assert "安徽 would gain" in result.stdout
    assert "share of the cost of" in result.stdout and "relieving 安徽" in result.stdout
    document = json.loads(
        run("check", path, "--share", "AH=0.7,ZJ=0.1,JS=0.1,SH=0.1", "--json").stdout
    )
    fix = document["fix"]
    assert fix["status"] == "found" and fix["in_core"] and fix["rule_violations"] == []
    projects = {c["project"] for c in fix["changes"]}
    assert projects and None not in projects and "*" not in projects
