"""``--html``, ``--lang`` and ``--charts`` on ``fairpool solve``, ``check`` and ``sweep``, and
``fairpool demo``'s HTML report, through the real command (typer's CliRunner)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.reports.i18n import phrase

CASES = Path(__file__).resolve().parents[2] / "cases"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def park(tmp_path: Path) -> Path:
    copy = tmp_path / "park.xlsx"
    shutil.copy(CASES / "sichuan_zhejiang_park.xlsx", copy)
    return copy


@pytest.fixture
def water(tmp_path: Path) -> Path:
    copy = tmp_path / "water.xlsx"
    shutil.copy(CASES / "water_plant.xlsx", copy)
    return copy


def data_of(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    found = re.search(r'id="fairpool-data">(.*?)</script>', text)
    assert found is not None
    return json.loads(found.group(1))


def test_solve_writes_the_report_in_the_language_asked(park: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    solved = run("solve", park, "-o", tmp_path / "out", "--html", page, "--lang", "en", "--json")
    assert solved.exit_code == 0, solved.output
    document = json.loads(solved.stdout)
    assert document["html_report"] == str(page)
    text = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and phrase("html_explorer_heading", "en") in text
    data = data_of(page)
    assert data["lang"] == "en" and len(data["lines"]) == 24  # 3 parties × (1 + 3 + 4)
    # the plan's numbers are the JSON's
    plan = document["plan"]["npv"]
    assert [p["current"] for p in data["parties"]] == pytest.approx(list(plan.values()))


def test_an_existing_report_needs_force(park: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text("keep me", encoding="utf-8")
    refused = run("solve", park, "-o", tmp_path / "out", "--html", page)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert page.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "out").exists()  # refused before any work
    assert run("sweep", park, "--party", "SEND", "--html", page).exit_code == 2
    forced = run("sweep", park, "--party", "SEND", "--html", page, "--force")
    assert forced.exit_code == 0, forced.output
    assert "HTML report:" in forced.stdout and page.read_text(encoding="utf-8") != "keep me"


def test_an_unknown_language_is_bad_input(park: Path, tmp_path: Path) -> None:
    result = run("check", park, "--html", tmp_path / "r.html", "--lang", "fr")
    assert result.exit_code == 2 and "--lang" in result.output
    assert not (tmp_path / "r.html").exists()


def test_check_reports_the_proposal(water: Path, tmp_path: Path) -> None:
    page = tmp_path / "check.html"
    checked = run("check", water, "--html", page, "--lang", "zh", "--json")
    assert checked.exit_code == 0, checked.output
    document = json.loads(checked.stdout)
    assert document["html_report"] == str(page)
    text = page.read_text(encoding="utf-8")
    assert phrase("html_is_it_fair", "zh", what=phrase("what_proposal", "zh")) in text
    data = data_of(page)
    proposal = document["allocations"]["proposal"]
    assert [p["current"] for p in data["parties"]] == pytest.approx(list(proposal.values()))
    assert {line["kind"] for line in data["lines"]} == {"share"}


def test_sweep_puts_the_asked_line_first(park: Path, tmp_path: Path) -> None:
    page = tmp_path / "sweep.html"
    swept = run(
        "sweep",
        park,
        "--party",
        "PROV",
        "--stream",
        "VAT",
        "--step",
        "0.25",
        "--html",
        page,
        "--json",
    )
    assert swept.exit_code == 0, swept.output
    document = json.loads(swept.stdout)
    first = data_of(page)["lines"][0]
    assert (first["party"], first["stream"], first["phase"]) == ("PROV", "VAT", "*")
    assert first["values"] == [row["ratio"] for row in document["sweep"]]
    assert first["amounts"][2] == pytest.approx([row["npv_PROV"] for row in document["sweep"]])


def test_charts_option_writes_the_charts(park: Path, tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    result = run("solve", park, "-o", tmp_path / "out", "--charts", folder, "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["charts"]
    assert listed and all(Path(p).is_file() and Path(p).parent == folder for p in listed)
    assert {Path(p).suffix for p in listed} == {".png", ".svg"}
    kept = {p: Path(p).read_bytes() for p in listed}
    again = run("solve", park, "-o", tmp_path / "again", "--charts", folder)
    assert again.exit_code == 2 and "--force" in again.output
    assert not (tmp_path / "again").exists()  # refused before any work
    assert all(Path(p).read_bytes() == data for p, data in kept.items())
    forced = run("solve", park, "-o", tmp_path / "again", "--charts", folder, "--force")
    assert forced.exit_code == 0, forced.output
    assert f"Charts: {len(listed)} files" in forced.stdout


def test_demo_writes_the_workbook_and_the_report(tmp_path: Path) -> None:
    out = tmp_path / "fairpool-demo"
    result = run("demo", "-o", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    page = out / "sichuan_zhejiang_park_report.html"
    workbook = out / "sichuan_zhejiang_park_results.xlsx"
    assert page.is_file() and workbook.is_file()
    assert f"HTML report:      {page}" in result.stdout
    assert f"Results workbook: {workbook}" in result.stdout
    assert page.resolve().as_uri() in result.stdout and "browser" in result.stdout
    assert '<html lang="en">' in page.read_text(encoding="utf-8")
    again = run("demo", "-o", out)
    assert again.exit_code == 2 and "--force" in again.output


def test_check_of_another_proposal_slides_from_it(water: Path, tmp_path: Path) -> None:
    parties = ["SZ", "WX", "CZ", "HZ", "JX", "KS"]
    proposal = tmp_path / "equal.csv"
    proposal.write_text(
        "party,share\n" + "".join(f"{p},{1 / 6}\n" for p in parties), encoding="utf-8"
    )
    page = tmp_path / "equal.html"
    checked = run("check", water, "--proposal", proposal, "--html", page, "--json")
    assert checked.exit_code == 0, checked.output
    joint_cost = json.loads(checked.stdout)["grand_value"]
    data = data_of(page)
    assert [p["current"] for p in data["parties"]] == pytest.approx([joint_cost / 6] * 6)
    for line in data["lines"]:  # each party's share slides from the proposal's 1/6
        assert line["marks"]["current"] == pytest.approx(1 / 6)
