"""Every shipped case through every case command, as text and as ``--json``: the guard that no
family falls behind the others (a missing key, a traceback, a missing workbook sheet).

Each command must exit 0, print no traceback, and (with ``--json``) print exactly one JSON
document with the keys SPEC §4 and the README promise. The results workbook of every family
has the same sheets (found by their code names, the same in English and Chinese), the
per-method fairness sheet included.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.reports.i18n import phrase

CASES = Path(__file__).resolve().parents[1] / "cases"
SHIPPED = sorted(path.name for path in CASES.glob("*.xlsx"))
COMMANDS = ("validate", "coalitions", "solve", "check", "sweep", "shapley")
GAME_KEYS = {"players", "orientation", "grand_value", "solutions", "core", "properties", "fairness"}
JSON_KEYS = {
    "validate": {"valid", "model", "warnings"},
    "coalitions": {"players", "coalition_values"},
    "solve": GAME_KEYS
    | {"case", "coalition_values", "allocations", "plan", "warnings", "results_workbook"},
    "check": GAME_KEYS | {"allocations", "distances", "rule_violations", "verdict", "fair"},
    "sweep": {"party", "stream", "phase", "project", "core_band", "sweep"},
    "shapley": {"shapley", "standard_error", "details"},
}
WORKBOOK_SHEETS = {
    "summary",
    "charts",
    "allocations",
    "plan",
    "fairness",
    "coalitions",
    "run_details",
}
"""Code names of the sheets every family's results workbook has."""

runner = CliRunner()


def first_party(case: Path) -> str:
    result = runner.invoke(app, ["coalitions", str(case), "--json"])
    return str(json.loads(result.stdout)["players"][0]["id"])


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of the shipped cases (tests never write beside the shipped files)."""
    folder = tmp_path_factory.mktemp("shipped")
    for name in SHIPPED:
        shutil.copy(CASES / name, folder / name)
    return folder


def command_line(command: str, case: Path, out: Path) -> list[str]:
    args = [command, str(case)]
    if command == "solve":
        args += ["-o", str(out)]
    if command == "sweep":
        args += ["--party", first_party(case), "--step", "0.25"]
    return args


def test_every_family_is_shipped() -> None:
    from fairpool.models import FAMILY_NAMES, family_of

    assert {family_of(CASES / name).name for name in SHIPPED} == set(FAMILY_NAMES)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", SHIPPED)
def test_command_as_json(name: str, command: str, shipped: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, [*command_line(command, shipped / name, tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    missing = JSON_KEYS[command] - set(document)
    assert not missing, f"{command} {name}: keys {sorted(missing)} missing"
    if command == "check":
        assert set(document["fairness"]["proposal"]) == {
            "in_core",
            "individually_rational",
            "worst_coalition",
            "worst_excess",
        }
        assert set(document["allocations"]["proposal"]) == {p["id"] for p in document["players"]}
    if command == "solve":
        assert "plan" in document["fairness"]
        assert {"target", "distance"} <= set(document["plan"])


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", SHIPPED)
def test_command_as_text(name: str, command: str, shipped: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, command_line(command, shipped / name, tmp_path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.output.strip()


@pytest.mark.parametrize("name", SHIPPED)
def test_results_workbook_has_the_same_sheets_in_every_family(
    name: str, shipped: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["solve", str(shipped / name), "-o", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(json.loads(result.stdout)["results_workbook"])
    sheets = {sheet.sheet_properties.codeName: sheet for sheet in book.worksheets}
    missing = WORKBOOK_SHEETS - set(sheets)
    assert not missing, f"{name}: sheets {sorted(missing)} missing from the results workbook"
    methods = {row[0] for row in sheets["fairness"].iter_rows(values_only=True)}
    assert {phrase("plan", "zh"), phrase("shapley", "zh")} <= methods
