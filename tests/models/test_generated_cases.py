"""Generated cases (issues 12 and 13) of the three families: the same seed gives the same
case, the workbook reads back to the case it was written from, ``fairpool validate`` passes
on 6 and 40 parties, and the 6-party game solves with a non-empty core."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.models import cost_sharing, infrastructure, joint_park
from fairpool.models.cost_sharing import generate as water
from fairpool.models.infrastructure import generate as programme
from fairpool.models.joint_park import generate as park
from fairpool.optimizer.game import RELATIVE_TOLERANCE
from fairpool.optimizer.solutions.nucleolus import least_core_epsilon

GENERATORS: dict[str, tuple[ModuleType, ModuleType]] = {
    "joint_park": (park, joint_park),
    "infrastructure": (programme, infrastructure),
    "cost_sharing": (water, cost_sharing),
}
SIZES = (6, 12, 40)
SHAPES: dict[tuple[str, int], dict[str, int]] = {
    ("joint_park", 40): {"years": 10, "phases": 2},
    ("infrastructure", 40): {"years": 20},
}
"""Shorter horizons for the 40-party workbooks (the test file stays fast; the parties, the
point of these cases, are all there)."""
BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_cases.py"
runner = CliRunner()


def assert_same(left: Any, right: Any, where: str = "case") -> None:
    """Field by field equality of two cases (arrays, frames, mappings, nested dataclasses);
    ``source`` (the file the case came from) is left out."""
    if dataclasses.is_dataclass(left) and not isinstance(left, type):
        assert type(left) is type(right), where
        for field in dataclasses.fields(left):
            if field.name != "source":
                assert_same(getattr(left, field.name), getattr(right, field.name), field.name)
    elif isinstance(left, np.ndarray):
        np.testing.assert_array_equal(left, right, err_msg=where)
    elif isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left, right, obj=where)
    elif isinstance(left, Mapping):
        assert set(left) == set(right), where
        for key in left:
            assert_same(left[key], right[key], f"{where}[{key}]")
    elif isinstance(left, tuple | list):
        assert len(left) == len(right), where
        for k, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{where}[{k}]")
    else:
        assert left == right, f"{where}: {left!r} != {right!r}"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, int], Path]:
    """The generated workbook of a family and size (seed 0), written once per module."""
    folder = tmp_path_factory.mktemp("generated")
    written: dict[tuple[str, int], Path] = {}

    def workbook(family: str, n: int) -> Path:
        if (family, n) not in written:
            generator = GENERATORS[family][0]
            written[family, n] = generator.write_generated_workbook(
                folder / f"{family}_{n}.xlsx", n, seed=0, **SHAPES.get((family, n), {})
            )
        return written[family, n]

    return workbook


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("family", GENERATORS)
def test_generation_is_deterministic_per_seed(family: str, n: int) -> None:
    """The same seed gives the same rows (a case is a function of its rows), another seed
    other rows."""
    generator = GENERATORS[family][0]
    settings, rows = generator.generated_rows(n, seed=3)
    assert generator.generated_rows(n, seed=3) == (settings, rows)
    assert generator.generated_rows(n, seed=4)[1] != rows
    assert len(rows["parties"]) == n


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("family", GENERATORS)
def test_the_workbook_reads_back_to_the_generated_case(
    family: str, n: int, workbooks: Callable[[str, int], Path]
) -> None:
    generator, module = GENERATORS[family]
    case = generator.generated_case(n, seed=0, **SHAPES.get((family, n), {}))
    read = module.read_case(workbooks(family, n))
    assert read.n == n
    assert_same(read, case)


@pytest.mark.parametrize("n", (6, 40))
@pytest.mark.parametrize("family", GENERATORS)
def test_fairpool_validate_passes(
    family: str, n: int, workbooks: Callable[[str, int], Path]
) -> None:
    result = runner.invoke(app, ["validate", str(workbooks(family, n))])
    assert result.exit_code == 0, result.output
    assert f"valid {family} case, {n} parties" in result.output


@pytest.mark.parametrize("family", GENERATORS)
def test_the_six_party_game_solves_with_a_non_empty_core(family: str) -> None:
    generator, module = GENERATORS[family]
    game = module.coalition_game(generator.generated_case(6, seed=0))
    values = np.asarray(game.values)
    assert game.n == 6 and np.isfinite(values).all()
    scale = max(float(np.abs(values).max()), 1.0)
    assert least_core_epsilon(game) <= RELATIVE_TOLERANCE * scale


def test_some_coalitions_cannot_build_what_the_grand_coalition_builds() -> None:
    """Hosts and sites matter: a coalition missing a host (a site town) cannot build (use)
    the project (plant), so in each family some pair of parties gains from the third."""
    for family, (generator, module) in GENERATORS.items():
        values = np.asarray(module.coalition_game(generator.generated_case(6, seed=0)).values)
        masks = np.arange(values.size)
        singles = np.array([sum(values[1 << i] for i in range(6) if m >> i & 1) for m in masks])
        gain = singles - values if family == "cost_sharing" else values - singles
        assert gain[-1] > 0, family
        assert (gain[1:-1] <= 1e-9 * abs(values[-1])).any(), family


def test_the_benchmark_command_writes_a_readable_workbook(tmp_path: Path) -> None:
    out = tmp_path / "park.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            "--family",
            "park",
            "--parties",
            "4",
            "--seed",
            "2",
            "--out",
            str(out),
            "--streams",
            "3",
            "--phases",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    case = joint_park.read_case(out)
    assert (case.n, len(case.streams), len(case.phases)) == (4, 3, 2)
    assert_same(case, park.generated_case(4, seed=2, streams=3, phases=2))
