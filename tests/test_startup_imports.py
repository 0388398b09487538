"""What a command imports: ``fairpool game`` on a small table must start fast (issue 14), so it
loads the engine, numpy and typer, and none of the libraries the case workbooks need.

Each command runs in a fresh interpreter (``fairpool.cli.main`` with its argv), which then
prints the names in ``sys.modules``: an import added at the top of a module that ``game``
reaches (pandas in a report, the model families in a result type) fails here, naming the
module. Times are not measured: the machine's speed decides nothing in these tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from fairpool.cli import main

sys.argv = ["fairpool", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as done:
    code = done.code
sys.stdout.flush()
print("\\nLOADED " + json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""
"""Runs the CLI with the given argv, then prints its exit code and every loaded module."""

WORKBOOK_LIBRARIES = ("pandas", "pyomo", "openpyxl", "matplotlib")
"""Libraries of the case workbooks, their models and their reports: never for a game table."""

NOT_FOR_A_GAME_TABLE = (*WORKBOOK_LIBRARIES, "fairpool.models", "fairpool.cases")
"""Model families and shipped cases are not needed either (their result types included)."""


def loaded_modules(*argv: str) -> set[str]:
    """The modules ``fairpool <argv>`` has loaded when it exits (0 expected)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True
    )
    report = json.loads(done.stdout.rpartition("\nLOADED ")[2])
    assert report["exit"] in (0, None), done.stdout + done.stderr
    return set(report["modules"])


def imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The loaded modules that are one of ``names`` or inside one of them."""
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


@pytest.fixture(scope="module")
def small_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-party benefit game as a coalition CSV (symmetric: every method gives 2 each)."""
    path = tmp_path_factory.mktemp("game") / "three.csv"
    rows = ["A,1", "B,1", "C,1", "A+B,3", "A+C,3", "B+C,3", "A+B+C,6"]
    path.write_text("coalition,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "options",
    [pytest.param((), id="every-method-as-text"), pytest.param(("--json",), id="json")],
)
def test_game_loads_no_workbook_library(small_table: Path, options: tuple[str, ...]) -> None:
    modules = loaded_modules("game", str(small_table), *options)
    assert imported(modules, NOT_FOR_A_GAME_TABLE) == []
    # the probe sees what the command does load: the table reader and the engine
    assert {"numpy", "fairpool.optimizer.workbook.explicit", "fairpool.optimizer.analysis"} <= (
        modules
    )


def test_game_with_shapley_alone_loads_no_lp_solver(small_table: Path) -> None:
    modules = loaded_modules("game", str(small_table), "--method", "shapley", "--json")
    assert imported(modules, (*NOT_FOR_A_GAME_TABLE, "highspy")) == []
    assert "fairpool.optimizer.solutions.shapley" in modules


def test_help_loads_neither_numpy_nor_the_engine() -> None:
    modules = loaded_modules("--help")
    assert imported(modules, ("numpy", "fairpool.optimizer", *WORKBOOK_LIBRARIES)) == []
    assert "typer" in modules


def test_command_signatures_are_not_strings() -> None:
    """typer reads every command's signature on every run: string annotations (``from
    __future__ import annotations`` in cli.py) would cost it a compile and an eval each."""
    import inspect

    from fairpool.cli import app

    commands = [info.callback for info in app.registered_commands]
    assert len(commands) >= 10
    for command in commands:
        assert command is not None
        for parameter in inspect.signature(command).parameters.values():
            assert not isinstance(parameter.annotation, str), (command.__name__, parameter.name)
