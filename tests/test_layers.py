"""Imports flow one way: ``cli`` → ``commands`` → ``models``, ``reports`` → ``optimizer``;
nothing imports ``cli``, and only ``cli`` imports ``commands``.

Every module of the package is parsed (no import is run) and each ``import``/``from … import``
statement, at any depth (functions and ``TYPE_CHECKING`` blocks too: a type is a dependency),
is checked against the rules below. A failure names the module, the line and the import.

- ``optimizer/`` (the engine) imports nothing from ``fairpool.models``, ``fairpool.reports``,
  ``fairpool.cases`` or ``fairpool.cli``;
- ``models/`` imports nothing from ``fairpool.reports``, ``fairpool.cases`` or
  ``fairpool.cli``;
- ``reports/`` imports nothing from ``fairpool.cases`` or ``fairpool.cli``, and from
  ``fairpool.models`` only the result types (``fairpool.models.results``,
  ``fairpool.models.large_results`` and ``fairpool.models.large_sweep_results``): no family
  package, no planning;
- ``cases/`` imports ``fairpool.models`` only in the builders of the shipped cases, and nothing
  from ``fairpool.reports`` or ``fairpool.cli``;
- ``commands/`` (what the commands share) imports nothing from ``fairpool.cli``; no other
  layer imports ``fairpool.commands``;
- no package module imports ``fairpool.cli``, the front door ``fairpool`` itself (its names
  load model families lazily) or anything relatively;
- no module anywhere, tests and benchmarks included, imports the bare top-level names
  ``optimizer``, ``models``, ``cases``, ``reports`` or ``cli``: the one import name is
  ``fairpool``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS = ("optimizer", "models", "reports", "cases", "commands")
"""The package's subpackages: folders of the repository root."""

FORBIDDEN = {
    "optimizer": (
        "fairpool.models",
        "fairpool.reports",
        "fairpool.cases",
        "fairpool.commands",
        "fairpool.cli",
    ),
    "models": ("fairpool.reports", "fairpool.cases", "fairpool.commands", "fairpool.cli"),
    "reports": ("fairpool.cases", "fairpool.commands", "fairpool.cli"),
    "cases": ("fairpool.reports", "fairpool.commands", "fairpool.cli"),
    "commands": ("fairpool.cli",),
    "root": ("fairpool.cli",),
}
"""Layer → module prefixes its modules must not import (a prefix covers its submodules)."""

REPORTS_MAY_IMPORT_FROM_MODELS = (
    "fairpool.models.results",
    "fairpool.models.large_results",
    "fairpool.models.large_sweep_results",
)
"""The only part of ``fairpool.models`` that reports may import: the result types."""

CASE_BUILDERS = (
    "cases/build_cases.py",
    "cases/build_cost_cases.py",
    "cases/generated.py",
    "cases/shared_water_plant.py",
)
"""The modules of ``cases/`` that build the shipped cases and so may import model families."""

BARE_NAMES = ("optimizer", "models", "cases", "reports", "commands", "cli")
"""Top-level names that exist only as folders of the repository, never as import names."""


def package_modules() -> list[Path]:
    """Every module of the package ``fairpool``: the root's two files and the subpackages."""
    modules = [ROOT / "__init__.py", ROOT / "cli.py"]
    for layer in LAYERS:
        modules += sorted((ROOT / layer).rglob("*.py"))
    return modules


def all_modules() -> list[Path]:
    """The package's modules, the tests and the benchmarks."""
    return (
        package_modules()
        + sorted((ROOT / "tests").rglob("*.py"))
        + sorted((ROOT / "benchmarks").rglob("*.py"))
    )


def layer_of(path: str) -> str | None:
    """The layer of a module given by its path inside the repository (``None``: not package)."""
    first = path.split("/")[0]
    if first in LAYERS:
        return first
    if path in ("__init__.py", "cli.py"):
        return "root"
    return None


def imported_modules(tree: ast.AST) -> list[tuple[int, str, int]]:
    """(line, module imported, relative level) for every import statement in ``tree``.

    ``from fairpool.models import family`` imports the module ``fairpool.models.family``;
    ``from fairpool.models import FAMILIES`` imports ``fairpool.models`` (a name in it).
    """
    found: list[tuple[int, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                found.append((node.lineno, base, node.level))
                continue
            for alias in node.names:
                module = f"{base}.{alias.name}"
                found.append((node.lineno, module if resolves_to_module(module) else base, 0))
    return found


def is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def resolves_to_module(name: str) -> bool:
    """Is ``fairpool.x.y`` a module or package of this repository (not a name inside one)?"""
    parts = name.split(".")
    if parts[0] != "fairpool":
        return False
    path = ROOT.joinpath(*parts[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_violations(path: str, source: str) -> list[str]:
    """The rule-breaking imports of one module, given its path in the repository and source.

    Each message names the module, the line, the import and the rule it breaks.
    """
    layer = layer_of(path)
    problems: list[str] = []
    for line, module, level in imported_modules(ast.parse(source, filename=path)):
        where = f"{path}:{line} imports"
        if level:
            if layer is not None:
                problems.append(f"{where} {'.' * level}{module} (relative: write fairpool.…)")
            continue
        if module.split(".")[0] in BARE_NAMES:
            problems.append(f"{where} {module} (a bare top-level name: write fairpool.{module})")
        if layer is None:
            continue
        if module == "fairpool" and layer != "root":
            problems.append(f"{where} fairpool (the front door is for users, not the package)")
        problems += [
            f"{where} {module} ({layer} must not import {prefix})"
            for prefix in FORBIDDEN[layer]
            if is_under(module, prefix)
        ]
        if is_under(module, "fairpool.models"):
            if layer == "reports" and not any(
                is_under(module, allowed) for allowed in REPORTS_MAY_IMPORT_FROM_MODELS
            ):
                problems.append(f"{where} {module} (reports may import only the result types)")
            if layer == "cases" and path not in CASE_BUILDERS:
                problems.append(
                    f"{where} {module} (only the case builders may import fairpool.models)"
                )
    return problems


@pytest.mark.parametrize(
    "module", all_modules(), ids=lambda module: module.relative_to(ROOT).as_posix()
)
def test_imports_flow_one_way(module: Path) -> None:
    path = module.relative_to(ROOT).as_posix()
    problems = import_violations(path, module.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_every_layer_has_modules_to_check() -> None:
    """The scan finds the package: a moved folder would otherwise make the rules vacuous."""
    paths = {module.relative_to(ROOT).as_posix() for module in package_modules()}
    for layer in LAYERS:
        assert any(path.startswith(f"{layer}/") for path in paths), layer
    assert {"optimizer/coalitions/engine.py", "models/family.py", *CASE_BUILDERS} <= paths


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (
            "optimizer/solve.py",
            "from fairpool.models.family import PlanResult\n",
            "optimizer/solve.py:1 imports fairpool.models.family (optimizer must not import"
            " fairpool.models)",
        ),
        (
            "optimizer/game.py",
            "def f():\n    from fairpool import models\n",
            "optimizer/game.py:2 imports fairpool.models (optimizer must not import"
            " fairpool.models)",
        ),
        (
            "models/planning.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import fairpool.cli\n",
            "models/planning.py:3 imports fairpool.cli (models must not import fairpool.cli)",
        ),
        (
            "models/joint_park/plan.py",
            "from fairpool.cases import case_path\n",
            "models/joint_park/plan.py:1 imports fairpool.cases (models must not import"
            " fairpool.cases)",
        ),
        (
            "reports/text.py",
            "from fairpool.models.planning import plan_verdict\n",
            "reports/text.py:1 imports fairpool.models.planning (reports may import only"
            " the result types)",
        ),
        (
            "reports/excel.py",
            "from fairpool.models import FAMILIES\n",
            "reports/excel.py:1 imports fairpool.models (reports may import only the result types)",
        ),
        (
            "cases/__init__.py",
            "from fairpool.models.joint_park import write_case\n",
            "cases/__init__.py:1 imports fairpool.models.joint_park (only the case builders may"
            " import fairpool.models)",
        ),
        (
            "optimizer/fill.py",
            "from .game import Game\n",
            "optimizer/fill.py:1 imports .game (relative: write fairpool.…)",
        ),
        (
            "tests/test_x.py",
            "import optimizer.game\n",
            "tests/test_x.py:1 imports optimizer.game (a bare top-level name: write"
            " fairpool.optimizer.game)",
        ),
        (
            "benchmarks/x.py",
            "from models import joint_park\n",
            "benchmarks/x.py:1 imports models (a bare top-level name: write fairpool.models)",
        ),
        (
            "reports/document.py",
            "import fairpool\n",
            "reports/document.py:1 imports fairpool (the front door is for users, not the package)",
        ),
    ],
)
def test_the_checker_names_a_bad_import(path: str, source: str, expected: str) -> None:
    assert expected in import_violations(path, source)


def test_the_checker_lets_the_allowed_imports_pass() -> None:
    assert import_violations("reports/text.py", "from fairpool.models.results import ALL\n") == []
    assert import_violations("reports/text.py", "from fairpool.models import results\n") == []
    assert import_violations("cases/generated.py", "from fairpool.models import joint_park\n") == []
    assert import_violations("models/family.py", "import fairpool.optimizer.game\n") == []
    assert import_violations("cli.py", "from fairpool.reports.text import render\n") == []
    assert import_violations("tests/test_cli.py", "from fairpool.cli import app\n") == []
