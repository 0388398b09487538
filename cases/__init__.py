"""Shipped example cases, reachable from an installed package as well as from the repo.

``case_path("shared_water_plant.csv")`` is the file's path; the case files are package data
(``pyproject.toml``: ``[tool.setuptools.package-data] cases = [...]``), so they are installed
next to this module by ``pip install .``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fairpool.optimizer.errors import CaseError

CASE_SUFFIXES = (".csv", ".xlsx", ".json")


def shipped_cases() -> list[str]:
    """File names of the shipped cases."""
    folder = resources.files(__name__)
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(CASE_SUFFIXES))


def case_path(name: str) -> Path:
    """Path of a shipped case file, e.g. ``case_path("shared_water_plant.csv")``."""
    path = Path(str(resources.files(__name__).joinpath(name)))
    if not path.is_file():
        raise CaseError(f"no shipped case {name!r}; shipped cases: {', '.join(shipped_cases())}")
    return path
