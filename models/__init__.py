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


def case_shapley(
    module: ModuleType,
    case: object,
    *,
    exact_limit: int | None = None,
    permutations: int | None = None,
    seed: int | None = None,
) -> object:
    """The Shapley value of a case's coalition game, without enumerating 2**n coalitions
    when n is above ``exact_limit`` (default 15): permutation sampling then, with standard
    errors in the allocation's details (``optimizer.solutions.sampling``).

    A case that lists its coalition values (a ``coalitions`` sheet) is solved exactly.
    """
    from optimizer.solutions.sampling import model_shapley
    from optimizer.solutions.shapley import shapley

    explicit = getattr(case, "coalition_values", None) is not None or getattr(
        case, "explicit", False
    )
    if explicit:
        return shapley(module.build_coalition_game(case))
    orientation = "cost" if module.MODEL == "cost_sharing" else "benefit"
    return model_shapley(
        module.coalition_model(case),
        orientation,
        exact_limit=exact_limit,
        permutations=permutations,
        seed=seed,
    )
