"""``check`` and ``solve`` by constraint generation (issue 13), through the real command.

The independent evidence is enumeration: on generated cases small enough to enumerate, the
generated answers (worst coalition and its excess, least-core ε*, nucleolus) must equal the
full-table ones of ``--exact`` to 1e-6 of the game's scale, in every family. A 40-party case
is answered (exit 0) with a certificate, and the default rule (generation above 15 parties)
and its refusals are checked as a user meets them.
"""

from __future__ import annotations

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
from fairpool.models.cost_sharing.generate import write_generated_workbook as water_workbook
from fairpool.models.infrastructure.generate import write_generated_workbook as programme
from fairpool.models.joint_park.generate import write_generated_workbook as park_workbook
from fairpool.models.large import ENUMERATION_LIMIT, use_generation
from fairpool.optimizer.solutions.nucleolus import least_core_epsilon, nucleolus
from fairpool.reports.document import JSON_SCHEMAS, json_schema
from tests.models.test_scaled_cases import write_scaled

runner = CliRunner()

WRITERS = {
    "joint_park": lambda path, n, seed: park_workbook(path, n, seed, years=10, phases=2),
    "infrastructure": lambda path, n, seed: programme(path, n, seed, years=20),
    "cost_sharing": lambda path, n, seed: water_workbook(path, n, seed),
}


def run_json(*args: object) -> dict[str, Any]:
    """Run a command with ``--json``: its one document, checked against its shipped schema
    (``check_generated`` / ``solve_generated`` when generation answered)."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    command = str(args[0])
    name = f"{command}_generated" if document.get("method") == "generation" else command
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema))
        for schema in (json_schema(n) for n in (*JSON_SCHEMAS, "common"))
    )
    errors = list(Draft202012Validator(json_schema(name), registry=registry).iter_errors(document))
    assert not errors, [e.message[:200] for e in errors]
    return document


@pytest.fixture(scope="module", params=[(name, seed) for name in WRITERS for seed in (1, 2)])
def small_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name, seed = request.param
    folder = tmp_path_factory.mktemp(f"{name}{seed}")
    return WRITERS[name](folder / f"{name}_{seed}.xlsx", 7, seed)


def test_the_default_rule_enumerates_up_to_the_limit_and_generates_above() -> None:
    assert not use_generation(ENUMERATION_LIMIT, None)
    assert use_generation(ENUMERATION_LIMIT + 1, None)
    assert use_generation(3, True) and not use_generation(40, False)


def test_a_generated_check_equals_the_enumerated_one(small_case: Path) -> None:
    exact = run_json("check", small_case, "--exact", "--json")
    generated = run_json("check", small_case, "--generate", "--json")
    assert generated["method"] == "generation"
    case = family_case(small_case)
    game = family(case.model).coalition_game(case)
    scale = float(np.abs(game.values).max())
    worst = generated["worst_coalition"]
    # the proposal's worst excess: the same number both ways (the coalition may tie)
    exact_excess = max(v["worst_excess"] for k, v in exact["fairness"].items() if k == "proposal")
    assert worst["excess"] == pytest.approx(exact_excess, abs=1e-6 * scale)
    assert game.values[game.mask(worst["coalition"].split("+"))] == pytest.approx(
        worst["value"], abs=1e-6 * scale
    )
    assert generated["least_core_epsilon"] == pytest.approx(
        least_core_epsilon(game), abs=1e-6 * scale
    )
    assert generated["in_core"] == (exact_excess <= 1e-6 * scale)
    assert generated["simplicity"] == exact["simplicity"]  # counted from the proposal alone


def test_a_generated_nucleolus_equals_the_enumerated_one(small_case: Path) -> None:
    document = run_json("solve", small_case, "--generate", "--target", "nucleolus", "--json")
    case = family_case(small_case)
    game = family(case.model).coalition_game(case)
    scale = float(np.abs(game.values).max())
    expected = nucleolus(game).as_dict()
    for party, amount in document["allocation"].items():
        assert amount == pytest.approx(expected[party], abs=1e-6 * scale)
    assert document["certificate"]["passed"] is True
    assert document["method"] == "generation"
    assert document["work"]["separations"] >= 1


def family_case(path: Path) -> Any:
    from fairpool.models import read_case

    return read_case(path)


def test_forty_towns_are_checked_exactly_with_a_certificate(tmp_path: Path) -> None:
    path = water_workbook(tmp_path / "water40.xlsx", 40, 0)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert "generation:" in result.stderr  # progress on stderr, never on stdout
    document = run_json("check", path, "--json")
    assert document["method"] == "generation"  # the default above 15 parties
    worst = document["worst_coalition"]
    # the certificate is self-consistent: excess = allocated − c(S) for a cost game
    assert worst["excess"] == pytest.approx(worst["allocated"] - worst["value"], rel=1e-9)
    assert len(document["amounts"]) == 40


def test_a_target_that_needs_every_coalition_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = water_workbook(tmp_path / "water20.xlsx", 20, 0)
    result = runner.invoke(app, ["solve", str(path), "--target", "equal_gain"])
    assert result.exit_code == 2
    assert "--target nucleolus" in result.output and "--exact" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("factor", [1e-6, 1e8])
def test_generation_is_unit_free(small_case: Path, factor: float, tmp_path: Path) -> None:
    """The same case with every money amount × factor: the same worst coalition, and its
    excess, ε* and the nucleolus × factor (1e-6 of the scaled game's scale)."""
    scaled = write_scaled(small_case, factor, tmp_path / f"scaled_{small_case.name}")
    base_check = run_json("check", small_case, "--generate", "--json")
    check = run_json("check", scaled, "--generate", "--json")
    scale = max(abs(v) for v in base_check["alone"].values()) or 1.0
    scale = max(scale, abs(sum(base_check["amounts"].values())))
    tolerance = 1e-6 * scale * factor
    assert check["worst_coalition"]["excess"] == pytest.approx(
        base_check["worst_coalition"]["excess"] * factor, abs=tolerance
    )
    assert check["least_core_epsilon"] == pytest.approx(
        base_check["least_core_epsilon"] * factor, abs=tolerance
    )
    assert check["in_core"] == base_check["in_core"]
    base = run_json("solve", small_case, "--generate", "--target", "nucleolus", "--json")
    solved = run_json("solve", scaled, "--generate", "--target", "nucleolus", "--json")
    for party, amount in base["allocation"].items():
        assert solved["allocation"][party] == pytest.approx(amount * factor, abs=tolerance)
