"""Every ``--json`` document against the JSON Schema shipped for it (issue 11).

The schemas live in the package (``fairpool/reports/schemas/*.json``, draft 2020-12, loaded
with :func:`fairpool.reports.document.json_schema`). Every shipped case goes through every
case command with ``--json``, the shipped game table through ``game``, ``demo`` once, and
broken inputs through the error path; each run must print exactly one JSON document on
stdout that its schema accepts, with ``ok`` telling success from failure and the exit code
the document names.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.reports.document import JSON_SCHEMAS, json_schema

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
SHIPPED = sorted(path.name for path in CASES.glob("*.xlsx"))
CASE_COMMANDS = ("validate", "coalitions", "solve", "check", "sweep", "shapley")

runner = CliRunner()


@pytest.fixture(scope="module")
def registry() -> Registry:
    """Every shipped schema, by its ``$id`` (they refer to ``common`` by it)."""
    schemas = [json_schema(name) for name in (*JSON_SCHEMAS, "common")]
    return Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )


def validator(name: str, registry: Registry) -> Draft202012Validator:
    return Draft202012Validator(json_schema(name), registry=registry)


def problems(name: str, document: Any, registry: Registry) -> list[str]:
    """What the schema ``name`` finds wrong with ``document`` (empty: it conforms)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message[:200]}"
        for error in validator(name, registry).iter_errors(document)
    ]


def run_json(args: Sequence[object]) -> tuple[int, dict[str, Any]]:
    """Run ``fairpool ARGS --json``: (exit code, the one JSON document on stdout)."""
    result = runner.invoke(app, [*map(str, args), "--json"])
    assert "Traceback" not in result.output
    return result.exit_code, dict(json.loads(result.stdout))  # one document, nothing else


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of the shipped cases (tests never write beside the shipped files)."""
    folder = tmp_path_factory.mktemp("shipped")
    for name in SHIPPED:
        shutil.copy(CASES / name, folder / name)
    return folder


def test_every_schema_is_a_valid_draft_2020_12_schema_and_ships_in_the_package() -> None:
    folder = ROOT / "reports" / "schemas"
    assert {path.stem for path in folder.glob("*.json")} == {*JSON_SCHEMAS, "common"}
    for name in (*JSON_SCHEMAS, "common"):
        schema = json_schema(name)
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"urn:fairpool:schema:{name}"
    # in the wheel: tests/test_distribution.py builds it and finds every schema there


def test_a_schema_refuses_what_it_should(registry: Registry) -> None:
    """The schemas are not vacuous: a document missing a stable key, with a wrong type or
    with ``ok`` the wrong way round is refused."""
    error = {"ok": False, "exit_code": 2, "errors": [], "skipped": [], "warnings": []}
    assert problems("error", error, registry)  # at least one error
    record = {"file": "a.xlsx", "sheet": "costs", "row": 2, "column": "amount", "message": "x"}
    assert not problems("error", error | {"errors": [record]}, registry)
    assert problems("error", error | {"errors": [record | {"row": "2"}]}, registry)
    assert problems("error", error | {"errors": [{"message": "x"}]}, registry)
    shapley = {"ok": True, "shapley": {"A": 1.0}, "standard_error": None, "details": {}}
    assert not problems("shapley", shapley, registry)
    assert problems("shapley", shapley | {"ok": False}, registry)
    assert problems("shapley", {k: v for k, v in shapley.items() if k != "details"}, registry)


def case_args(command: str, case: Path, out: Path) -> list[object]:
    args: list[object] = [command, case]
    if command == "solve":
        args += ["-o", out, "--force"]
    if command == "sweep":
        _, coalitions = run_json(["coalitions", case])
        args += ["--party", coalitions["players"][0]["id"], "--step", "0.25"]
    return args


@pytest.mark.parametrize("command", CASE_COMMANDS)
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_case_conforms_for_every_command(
    name: str, command: str, shipped: Path, tmp_path: Path, registry: Registry
) -> None:
    code, document = run_json(case_args(command, shipped / name, tmp_path))
    assert code == 0, document
    assert document["ok"] is True
    assert next(iter(document)) == "ok"
    assert not problems(command, document, registry)


def test_the_shipped_game_table_conforms(registry: Registry) -> None:
    table = CASES / "shared_water_plant.csv"
    players = CASES / "shared_water_plant_players.csv"
    code, document = run_json(["game", table, "--cost", "--players", players])
    assert code == 0
    assert not problems("game", document, registry)
    ids = [p["id"] for p in document["players"]]
    allocation = ",".join(f"{p}={document['solutions']['shapley'][p]}" for p in ids)
    code, judged = run_json(
        ["game", table, "--cost", "--players", players, "--allocation", allocation]
    )
    assert code == 0 and "proposal" in judged["allocations"]
    assert not problems("game", judged, registry)


def test_the_demo_conforms(tmp_path: Path, registry: Registry) -> None:
    code, document = run_json(["demo", "-o", tmp_path])
    assert code == 0
    assert not problems("demo", document, registry)
    assert document["skipped"] == {} or isinstance(document["skipped"], dict)
    assert document["details"]  # the least core's epsilon, the nucleolus's levels, ...


def broken_park(folder: Path, cells: dict[str, dict[str, object]]) -> Path:
    path = folder / "park.xlsx"
    shutil.copy(CASES / "sichuan_zhejiang_park.xlsx", path)
    book = openpyxl.load_workbook(path)
    for sheet, values in cells.items():
        for ref, value in values.items():
            book[sheet][ref] = value
    book.save(path)
    return path


BAD_CELLS = {"costs": {"D2": "lots"}, "components": {"B2": "MARS"}}
"""Text in a cost and an unknown party: every case command refuses the case (exit 2)."""

CONFLICTING_RULES = {"rules": {"D2": 0.6, "D3": 0.6}}
"""Two parties each with a 0.6 minimum: ``validate`` and ``solve`` exit 3 (the commands that
plan nothing, or judge a given proposal, are not stopped by the rules)."""


def failed_run(command: str, path: Path, out: Path) -> tuple[int, dict[str, Any]]:
    args: list[object] = [command, path]
    if command != "validate":
        args.append("--no-cache")
    if command == "solve":
        args += ["-o", out]
    if command == "sweep":
        args += ["--party", "SEND"]
    return run_json(args)


@pytest.mark.parametrize("command", CASE_COMMANDS)
def test_bad_cells_give_one_error_document_in_every_command(
    command: str, tmp_path: Path, registry: Registry
) -> None:
    exit_code, document = failed_run(command, broken_park(tmp_path, BAD_CELLS), tmp_path / "out")
    assert exit_code == 2
    assert document["ok"] is False and document["exit_code"] == 2
    assert not problems("error", document, registry)
    located = {(e["file"], e["sheet"], e["row"], e["column"]) for e in document["errors"]}
    assert located == {
        ("park.xlsx", "components", 2, "requires"),
        ("park.xlsx", "costs", 2, "amount"),
    }


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_rules_that_conflict_give_an_error_document_with_exit_3(
    command: str, tmp_path: Path, registry: Registry
) -> None:
    path = broken_park(tmp_path, CONFLICTING_RULES)
    exit_code, document = failed_run(command, path, tmp_path / "out")
    assert exit_code == 3
    assert document["ok"] is False and document["exit_code"] == 3
    assert not problems("error", document, registry)
    assert all(e["file"] == "park.xlsx" for e in document["errors"])
    words = " ".join(e["message"] for e in document["errors"])
    assert "row 2" in words and "row 3" in words


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "{folder}/nothing.xlsx"],
        ["sweep", "{park}", "--party", "SEND", "--from", "0.5", "--to", "1.5"],
        ["sweep", "{park}", "--party", "NOBODY"],
        ["game", "{folder}/bad.csv"],
        ["game", "{csv}", "--allocation", "SZ=1,XX=2"],
        ["check", "{park}", "--proposal", "{folder}/nothing.xlsx"],
    ],
    ids=[
        "missing file",
        "sweep outside",
        "unknown party",
        "bad game",
        "bad allocation",
        "proposal",
    ],
)
def test_every_error_path_prints_an_error_document(
    args: list[str], tmp_path: Path, registry: Registry
) -> None:
    (tmp_path / "bad.csv").write_text("coalition,value\nA,1\nB,x\n", encoding="utf-8")
    park = tmp_path / "park.xlsx"
    shutil.copy(CASES / "sichuan_zhejiang_park.xlsx", park)
    given = {"folder": tmp_path, "park": park, "csv": CASES / "shared_water_plant.csv"}
    exit_code, document = run_json([arg.format(**given) for arg in args])
    assert exit_code == 2
    assert document["ok"] is False and document["exit_code"] == 2
    assert not problems("error", document, registry)
