"""Model families: each turns a case workbook into a coalition game and a fair plan.

Every family is a package here whose ``FAMILY`` object implements the written contract
:class:`fairpool.models.family.Family` (read a case, its coalition game, solve, check a
proposal, sweep one line of the plan, write a template) and returns the shared result types
(:class:`~fairpool.models.family.PlanResult`, :class:`~fairpool.models.family.ProposalCheck`,
:class:`~fairpool.models.family.SweepResult`). The ``model`` row of a workbook's ``case``
sheet picks the family; the functions below dispatch on it, so callers never branch on a
family's name.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Unpack

from fairpool.models.family import (
    Case,
    Family,
    PlanOptions,
    PlanResult,
    ProposalCheck,
    SweepLine,
    SweepResult,
)
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.results import Allocation

if TYPE_CHECKING:
    from fairpool.optimizer.solutions.sampling import SamplingMethod

FAMILY_NAMES = ("joint_park", "infrastructure", "cost_sharing")
"""Model family names, as written in the ``case`` sheet's ``model`` row."""

AnyFamily = Family[Any, Any]


def family(name: str) -> AnyFamily:
    """The family of a model name (``joint_park``, ...); unknown names are input errors."""
    key = name.strip().lower()
    if key not in FAMILY_NAMES:
        raise CaseError(f"unknown model {name!r}; models are {', '.join(FAMILY_NAMES)}")
    module = importlib.import_module(f"fairpool.models.{key}")
    found: AnyFamily = module.FAMILY
    return found


def family_of(path: str | os.PathLike[str]) -> AnyFamily:
    """The family of a case workbook (its ``case`` sheet's ``model`` row)."""
    from fairpool.optimizer.workbook.reader import read_model_name

    return family(read_model_name(path, FAMILY_NAMES))


def read_case(path: str | os.PathLike[str]) -> Case:
    """The validated case of a workbook, whatever its family."""
    return family_of(path).read_case(path)


def solve(case: Case, /, **options: Unpack[PlanOptions]) -> PlanResult:
    """The fairest plan of a case within its rules (:meth:`Family.solve`): ``target``,
    ``core`` and ``distance`` by keyword, those not given from the case sheet."""
    return family(case.model).solve(case, **options)


def check(case: Case, proposal: object | None = None) -> ProposalCheck:
    """A proposal judged (default: the case's ``proposal`` sheet) (:meth:`Family.check`)."""
    return family(case.model).check(case, proposal)


def sweep(case: Case, line: SweepLine, values: Sequence[float]) -> SweepResult:
    """One line of the plan slid over ``values``, with its exact core band."""
    return family(case.model).sweep(case, line, values)


def case_shapley(
    case: Case,
    *,
    exact_limit: int | None = None,
    permutations: int | None = None,
    seed: int | None = None,
    method: SamplingMethod | None = None,
    evaluations: int | None = None,
) -> Allocation:
    """The Shapley value of a case's coalition game, without enumerating 2**n coalitions
    when n is above ``exact_limit`` (default 15): permutation sampling then, with standard
    errors in the allocation's details (:mod:`fairpool.optimizer.solutions.sampling`).

    A case that lists its coalition values (a ``coalitions`` sheet) is solved exactly.
    """
    from fairpool.optimizer.solutions.sampling import model_shapley
    from fairpool.optimizer.solutions.shapley import shapley

    owner = family(case.model)
    model = owner.coalition_model(case)
    if model is None:
        return shapley(owner.coalition_game(case))
    return model_shapley(
        model,
        owner.orientation,
        exact_limit=exact_limit,
        permutations=permutations,
        seed=seed,
        method=method,
        evaluations=evaluations,
    )


__all__ = [
    "FAMILY_NAMES",
    "case_shapley",
    "check",
    "family",
    "family_of",
    "read_case",
    "solve",
    "sweep",
]
