"""fairpool's engine: games, solution concepts, fairness checks and the HiGHS runner.

Importing the engine imports numpy only; HiGHS is loaded when an LP is first solved and
Pyomo only when a model family builds a model.
"""

from fairpool.optimizer.errors import (
    CaseError,
    FairpoolError,
    InfeasibleError,
    SolverError,
    VerificationError,
)
from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation

__all__ = [
    "Allocation",
    "CaseError",
    "FairpoolError",
    "Game",
    "InfeasibleError",
    "SolverError",
    "VerificationError",
]
