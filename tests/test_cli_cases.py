"""``fairpool template / validate / solve / check / sweep / coalitions`` on case workbooks,
through typer's CliRunner: exit codes, JSON keys, error paths, files written."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fairpool.cli import app

CASES = Path(__file__).resolve().parents[1] / "cases"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def park(tmp_path: Path) -> Path:
    """A copy of the shipped Sichuan–Zhejiang park (tests never write next to shipped files)."""
    copy = tmp_path / "park.xlsx"
    shutil.copy(CASES / "sichuan_zhejiang_park.xlsx", copy)
    return copy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_template_then_validate_then_solve(tmp_path: Path) -> None:
    workbook = tmp_path / "my_park.xlsx"
    assert run("template", "joint_park", "-o", workbook).exit_code == 0
    assert {
        "case",
        "parties",
        "components",
        "revenues",
        "costs",
        "phases",
        "rules",
        "streams",
        "proposal",
    } <= set(openpyxl.load_workbook(workbook).sheetnames)
    again = run("template", "joint_park", "-o", workbook)
    assert again.exit_code == 2 and "--force" in again.output
    validated = run("validate", workbook)
    assert validated.exit_code == 0, validated.output
    solved = run("solve", workbook, "-o", tmp_path / "out", "--json")
    assert solved.exit_code == 0, solved.output
    assert (tmp_path / "out" / "my_park_results.xlsx").is_file()


def test_unknown_model_is_a_clear_error(tmp_path: Path) -> None:
    result = run("template", "water_park", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert "unknown model" in result.output and "joint_park" in result.output


def test_solve_json_keys_and_input_untouched(park: Path, tmp_path: Path) -> None:
    before = digest(park)
    result = run("solve", park, "-o", tmp_path, "--json", "--target", "nucleolus")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    for key in (
        "players",
        "orientation",
        "grand_value",
        "solutions",
        "core",
        "properties",
        "fairness",
        "coalition_values",
        "allocations",
        "plan",
    ):
        assert key in document
    assert document["plan"]["target"] == "nucleolus"
    assert {"party", "stream", "phase", "ratio"} <= set(document["plan"]["ratios"][0])
    assert "四川省" in result.stdout  # ensure_ascii=False
    assert "plan" in document["fairness"]
    assert digest(park) == before


def test_solve_text_names_the_verdict(park: Path, tmp_path: Path) -> None:
    result = run("solve", park, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Verdict:" in result.stdout and "Results workbook" in result.stdout


def test_bad_option_values_exit_2(park: Path) -> None:
    assert run("solve", park, "--core", "maybe").exit_code == 2
    result = run("solve", park, "--target", "fairest")
    assert result.exit_code == 2 and "unknown target" in result.output


def test_check_strict_exits_1_when_the_proposal_is_unfair(park: Path) -> None:
    """The shipped proposal leaves the province below its standalone value."""
    plain = run("check", park)
    assert plain.exit_code == 0, plain.output
    assert "walk away" in plain.stdout
    strict = run("check", park, "--strict", "--json")
    assert strict.exit_code == 1
    document = json.loads(strict.stdout)
    assert document["fair"] is False
    assert document["fairness"]["proposal"]["individually_rational"] is False
    assert set(document["distances"]) == {"shapley", "nucleolus"}


def test_sweep_reports_the_core_band(park: Path) -> None:
    result = run(
        "sweep",
        park,
        "--party",
        "HOST",
        "--stream",
        "all",
        "--from",
        "0.3",
        "--to",
        "0.6",
        "--step",
        "0.1",
        "--json",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [row["ratio"] for row in document["sweep"]] == pytest.approx([0.3, 0.4, 0.5, 0.6])
    assert "core_band" in document


def test_sweep_unknown_party_exits_2(park: Path) -> None:
    result = run("sweep", park, "--party", "NOBODY", "--stream", "VAT")
    assert result.exit_code == 2
    assert "NOBODY" in result.output and "Traceback" not in result.output


def test_coalitions_table(park: Path) -> None:
    result = run("coalitions", park, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["coalition_values"]) == 7
    assert document["coalition_values"]["PROV"] == 0


def test_validate_lists_problems_with_sheet_and_row(park: Path) -> None:
    book = openpyxl.load_workbook(park)
    sheet = book["costs"]
    sheet.cell(row=2, column=4).value = "lots"  # text in a number cell
    book.save(park)
    result = run("validate", park)
    assert result.exit_code == 2
    assert "costs" in result.output and "row 2" in result.output
    assert "Traceback" not in result.output


def test_missing_workbook_exits_2(tmp_path: Path) -> None:
    result = run("solve", tmp_path / "nothing.xlsx")
    assert result.exit_code == 2


def test_cache_is_filled_and_parallel_runs_agree(park: Path, tmp_path: Path) -> None:
    import sqlite3

    cache = tmp_path / "values.sqlite"
    serial = run("coalitions", park, "--json", "--cache", cache)
    assert serial.exit_code == 0, serial.output
    with sqlite3.connect(cache) as connection:
        (stored,) = connection.execute("SELECT COUNT(*) FROM coalition_values").fetchone()
    assert stored >= 7 - 1  # every non-empty coalition (v(∅) is never solved)
    parallel = run("coalitions", park, "--json", "--no-cache", "--workers", "2")
    assert parallel.exit_code == 0, parallel.output
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)


def test_other_families_solve_from_the_command_line(tmp_path: Path) -> None:
    for name, key in (("river_program", "npv"), ("water_plant", "cost_shares")):
        result = run("solve", CASES / f"{name}.xlsx", "-o", tmp_path, "--json")
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert key in document["plan"] and "shares" in document["plan"]
        assert (tmp_path / f"{name}_results.xlsx").is_file()


def test_shapley_exact_and_sampled_agree_within_their_error() -> None:
    exact = run("shapley", CASES / "river_program.xlsx", "--json")
    assert exact.exit_code == 0, exact.output
    exact_values = json.loads(exact.stdout)["shapley"]
    assert json.loads(exact.stdout)["standard_error"] is None
    sampled = run(
        "shapley",
        CASES / "river_program.xlsx",
        "--json",
        "--exact-limit",
        "2",
        "--permutations",
        "600",
        "--seed",
        "7",
    )
    assert sampled.exit_code == 0, sampled.output
    document = json.loads(sampled.stdout)
    for party, value in document["shapley"].items():
        error = document["standard_error"][party]
        assert error > 0
        assert abs(value - exact_values[party]) <= 4 * error
    assert sum(document["shapley"].values()) == pytest.approx(sum(exact_values.values()))
    again = run(
        "shapley",
        CASES / "river_program.xlsx",
        "--json",
        "--exact-limit",
        "2",
        "--permutations",
        "600",
        "--seed",
        "7",
    )
    assert json.loads(again.stdout) == document  # same seed, same answer


def test_shapley_above_fifteen_parties_is_sampled(tmp_path: Path) -> None:
    """16 parties: 65,535 coalitions are not enumerated; 40 orders are sampled instead."""
    from fairpool.cases.generated import write_generated_infrastructure_case
    from fairpool.models import family
    from fairpool.optimizer.coalitions import coalition_values

    workbook = write_generated_infrastructure_case(
        tmp_path / "big.xlsx", parties=16, projects=12, seed=3
    )
    result = run("shapley", workbook, "--json", "--permutations", "40", "--no-cache")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["shapley"]) == 16 and len(document["standard_error"]) == 16
    assert document["details"]["estimator"] == "permutation sampling"
    infrastructure = family("infrastructure")
    model = infrastructure.coalition_model(infrastructure.read_case(workbook))
    assert model is not None
    grand = coalition_values(model, [(1 << 16) - 1])[0]
    assert sum(document["shapley"].values()) == pytest.approx(grand, rel=1e-9)
