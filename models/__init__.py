"""Model families: each builds a coalition game and a plan model from a case (Pyomo + HiGHS).

Every family module has the same shape and public names, so that the commands work on any
case workbook: ``write_template(path)``, ``read_case(path)``, ``build_coalition_game(case)``,
``solve_case(case, target=None, core=None, distance=None)``, ``check_proposal(case, ...)``,
``sweep(...)`` and ``core_band(...)``. The ``model`` key of a workbook's ``case`` sheet picks
the family.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from optimizer.errors import CaseError

FAMILIES = ("joint_park", "infrastructure", "cost_sharing")
"""Model family names, as written in the ``case`` sheet's ``model`` row."""


def family(name: str) -> ModuleType:
    """The module of a model family, by name (``joint_park``, ...)."""
    key = name.strip().lower()
    if key not in FAMILIES:
        raise CaseError(f"unknown model {name!r}; models are {', '.join(FAMILIES)}")
    try:
        return importlib.import_module(f"models.{key}")
    except ModuleNotFoundError as error:
        if error.name == f"models.{key}":
            raise CaseError(f"model {key!r} is not available in this version") from None
        raise


def family_of(path: str | os.PathLike[str]) -> ModuleType:
    """The model family of a case workbook (its ``case`` sheet's ``model`` row)."""
    from cases.workbook import read_model_name

    return family(read_model_name(path))


def sweep_line(
    module: ModuleType,
    case: object,
    party: str,
    values: object,
    *,
    stream: str = "*",
    phase: str = "*",
    project: str = "*",
) -> tuple[object, tuple[float, float] | None]:
    """(sweep table, exact core band) of one party's split ratio (joint park: per stream and
    phase) or cost share (infrastructure: per project; cost sharing: of the whole cost)."""
    if module.MODEL == "joint_park":
        line: tuple[str, ...] = (stream, phase)
    elif module.MODEL == "infrastructure":
        line = (project,)
    else:
        line = ()
    table = module.sweep(case, party, *line, values)
    return table, module.core_band(case, party, *line)
