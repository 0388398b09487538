"""fairpool: fair shares of the gains and costs of regional cooperation.

The library's front door. A game is data, solution concepts are functions, a case workbook
belongs to a model family::

    import fairpool

    game = fairpool.Game(("A", "B", "C"), [0, 0, 0, 0, 0, 0, 60, 60], "benefit")
    fairpool.shapley(game).as_dict()          # {'A': 0.0, 'B': 30.0, 'C': 30.0}
    case = fairpool.read_case("cases/sichuan_zhejiang_park.xlsx")
    result = fairpool.solve(case)             # a PlanResult: allocations, plan, fairness

Names are loaded on first use (PEP 562), so ``import fairpool.optimizer.game`` (as a worker
process does) imports no model family, Pyomo or pandas.

The distribution installs this one import name: the repository's ``optimizer/``,
``models/``, ``cases/`` and ``reports/`` folders are its subpackages and ``cli.py`` is
``fairpool.cli``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fairpool.models import check, family_of, read_case, solve, sweep
    from fairpool.models.family import (
        Family,
        PlanResult,
        ProposalCheck,
        SweepLine,
        SweepResult,
    )
    from fairpool.optimizer.analysis import analyse_game
    from fairpool.optimizer.errors import (
        CaseError,
        FairpoolError,
        InfeasibleError,
        SolverError,
        VerificationError,
    )
    from fairpool.optimizer.fairness import check_allocation
    from fairpool.optimizer.game import Game
    from fairpool.optimizer.results import Allocation
    from fairpool.optimizer.solutions import solve_method
    from fairpool.optimizer.solutions.nucleolus import least_core, nucleolus
    from fairpool.optimizer.solutions.shapley import shapley
    from fairpool.optimizer.workbook.explicit import read_game_file

_EXPORTS = {
    "Game": "fairpool.optimizer.game",
    "Allocation": "fairpool.optimizer.results",
    "FairpoolError": "fairpool.optimizer.errors",
    "CaseError": "fairpool.optimizer.errors",
    "InfeasibleError": "fairpool.optimizer.errors",
    "SolverError": "fairpool.optimizer.errors",
    "VerificationError": "fairpool.optimizer.errors",
    "analyse_game": "fairpool.optimizer.analysis",
    "check_allocation": "fairpool.optimizer.fairness",
    "solve_method": "fairpool.optimizer.solutions",
    "shapley": "fairpool.optimizer.solutions.shapley",
    "nucleolus": "fairpool.optimizer.solutions.nucleolus",
    "least_core": "fairpool.optimizer.solutions.nucleolus",
    "read_game_file": "fairpool.optimizer.workbook.explicit",
    "read_case": "fairpool.models",
    "family_of": "fairpool.models",
    "solve": "fairpool.models",
    "check": "fairpool.models",
    "sweep": "fairpool.models",
    "Family": "fairpool.models.family",
    "PlanResult": "fairpool.models.family",
    "ProposalCheck": "fairpool.models.family",
    "SweepLine": "fairpool.models.family",
    "SweepResult": "fairpool.models.family",
}

__all__ = [
    "Allocation",
    "CaseError",
    "FairpoolError",
    "Family",
    "Game",
    "InfeasibleError",
    "PlanResult",
    "ProposalCheck",
    "SolverError",
    "SweepLine",
    "SweepResult",
    "VerificationError",
    "analyse_game",
    "check",
    "check_allocation",
    "family_of",
    "least_core",
    "nucleolus",
    "read_case",
    "read_game_file",
    "shapley",
    "solve",
    "solve_method",
    "sweep",
]


def __getattr__(name: str) -> Any:
    """Load a front-door name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fairpool' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
