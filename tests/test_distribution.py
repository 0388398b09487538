"""The wheel installs one import name, ``fairpool``, with the shipped cases and the command.

The wheel is built from a copy of the repository's sources (``pip wheel --no-build-isolation``,
so the build needs no network: ``setuptools`` and ``wheel`` come with the ``test`` extra) and
installed with ``--no-deps`` into a fresh virtual environment. That environment sees this
environment's dependencies through a ``.pth`` path line naming this environment's purelib
folder; a path line only adds the folder to ``sys.path``, so the ``.pth`` files inside it (the
editable install's import hook among them) do not run, and ``fairpool`` can come only from
the wheel. Every command runs from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SUBPACKAGE_FOLDERS = ("optimizer", "models", "cases", "reports", "commands")
"""The repository folders that are subpackages of ``fairpool``."""

BARE_NAMES = ("optimizer", "models", "cases", "reports", "commands", "cli")
"""Folder names of the repository that must not be importable from an installed wheel."""

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@dataclass(frozen=True)
class Installed:
    """A wheel built from the repository and a fresh environment it is installed in."""

    wheel: Path
    venv: Path
    outside: Path  # a working folder outside the repository

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    def run(self, *command: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command of the fresh environment from outside the repository."""
        return subprocess.run(
            [str(part) for part in command],
            cwd=self.outside,
            env=clean_environment(),
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def python(self, code: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(self.bin / "python", "-c", code, check=check)


SEARCH_PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
"""Environment variables that would add folders to ``sys.path`` or pick another Python."""


def clean_environment() -> dict[str, str]:
    """This process's environment without what would add folders to ``sys.path``."""
    environment = {
        key: value for key, value in os.environ.items() if key not in SEARCH_PATH_VARIABLES
    }
    environment["PYTHONNOUSERSITE"] = "1"
    return environment


def package_sources() -> set[str]:
    """The package's modules as wheel paths: ``fairpool/<path in the repository>``."""
    modules = {"fairpool/__init__.py", "fairpool/cli.py"}
    for folder in SUBPACKAGE_FOLDERS:
        modules |= {
            "fairpool/" + path.relative_to(ROOT).as_posix()
            for path in (ROOT / folder).rglob("*.py")
            if "__pycache__" not in path.parts
        }
    return modules


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel (from a copy: an in-tree build would leave build/ in the repository)
    and install it, alone, into a fresh virtual environment."""
    work = tmp_path_factory.mktemp("distribution")
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            "__pycache__",
            "*.egg-info",
            "build",
            "dist",
            ".*_cache",
            ".hypothesis",
            ".venv",
        ),
    )
    wheels = work / "wheels"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("--quiet", "--disable-pip-version-check", "-w", str(wheels), str(source)),
        ],
        check=True,
        cwd=work,
        timeout=300,
    )
    (wheel,) = wheels.glob("fairpool-*.whl")

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    result = Installed(wheel, venv, work)
    site_packages = Path(
        result.python("import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    )
    ours = {sysconfig.get_paths()[kind] for kind in ("purelib", "platlib")}
    (site_packages / "dependencies_of_the_test_environment.pth").write_text(
        "".join(f"{folder}\n" for folder in sorted(ours)), encoding="utf-8"
    )
    result.run(
        result.bin / "pip",
        "install",
        "--no-deps",
        "--no-index",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
    )
    return result


def test_the_wheel_holds_one_import_name_the_cases_and_the_command(installed: Installed) -> None:
    assert installed.wheel.name.startswith(f"fairpool-{VERSION}-")
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        commands = wheel.read(entry_points).decode()
    assert {name.split("/")[0] for name in names} == {"fairpool", f"fairpool-{VERSION}.dist-info"}
    shipped = {
        "fairpool/" + path.relative_to(ROOT).as_posix()
        for folder, pattern in (
            ("cases", "*.xlsx"),
            ("cases", "*.csv"),
            ("reports/schemas", "*.json"),  # the --json documents' schemas
            ("reports/html_assets", "*.*"),  # the HTML report's script and styles
        )
        for path in (ROOT / folder).glob(pattern)
    }
    assert shipped and shipped <= set(names), shipped - set(names)
    # every module of the package, and no other: a subpackage missing from pyproject's
    # `packages` list would be left out of the wheel silently
    modules = {name for name in names if name.endswith(".py")}
    assert modules == package_sources(), modules ^ package_sources()
    assert "[console_scripts]" in commands
    assert "fairpool = fairpool.cli:main" in commands.splitlines()


EDITABLE_PROBE = (
    "import sys, numpy\n"
    "print(numpy.__file__)\n"
    "hooks = [*sys.meta_path, *sys.path_hooks]\n"
    "print(sorted({getattr(hook, '__module__', '') for hook in hooks}))\n"
    "print(sorted(name for name in sys.modules if name.startswith('__editable__')))"
)
"""Prints where numpy comes from, the modules of the import hooks, and editable hook modules."""


def test_the_fresh_environment_sees_the_dependencies_but_not_the_editable_install(
    installed: Installed,
) -> None:
    """The ``.pth`` path line makes numpy (etc.) importable without running the editable
    install's hook: no import hook of it is installed, no module of it is loaded."""
    numpy_file, hooks, editable = installed.python(EDITABLE_PROBE).stdout.splitlines()
    assert Path(numpy_file).is_relative_to(Path(sysconfig.get_paths()["purelib"]))
    assert "editable" not in hooks
    assert editable == "[]"
    if any(name.startswith("__editable__") for name in sys.modules):
        # the same probe does see the hook where it runs: here, in the test environment
        done = subprocess.run(
            [sys.executable, "-c", EDITABLE_PROBE],
            cwd=installed.outside,
            env=clean_environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        _, hooks, editable = done.stdout.splitlines()
        assert "editable" in hooks and editable != "[]"


def test_the_installed_command_and_package_come_from_the_fresh_environment(
    installed: Installed,
) -> None:
    version = installed.run(installed.bin / "fairpool", "--version")
    assert version.stdout.strip() == f"fairpool {VERSION}"
    done = installed.python(
        "import fairpool, fairpool.optimizer.game; print(fairpool.optimizer.game.__file__)"
    )
    game_file = Path(done.stdout.strip())
    assert game_file.is_relative_to(installed.venv), game_file
    assert game_file.parts[-3:] == ("fairpool", "optimizer", "game.py")


@pytest.mark.parametrize("name", BARE_NAMES)
def test_the_repository_folders_are_not_import_names(installed: Installed, name: str) -> None:
    done = installed.python(f"import {name}", check=False)
    assert done.returncode == 1
    assert f"ModuleNotFoundError: No module named '{name}'" in done.stderr
