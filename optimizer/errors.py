"""fairpool's exceptions.

The library raises these and never calls ``sys.exit``; only ``cli.py`` maps them to exit
codes (2 for bad input, 3 for solver trouble) and prints their message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class FairpoolError(Exception):
    """Base class of every error fairpool raises on purpose."""

    exit_code: int = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what was expected.

    ``where`` names the file, sheet, row and column as far as they are known, e.g.
    ``"game.csv, row 7, column coalition"``.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class CaseError(FairpoolError):
    """Bad input: every problem found in a file, reported together."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem] | str, where: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(where, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems found:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


class InfeasibleError(FairpoolError):
    """The rules admit no solution (e.g. an empty imputation set for the nucleolus)."""

    exit_code = 3


class SolverError(FairpoolError):
    """HiGHS failed or returned a status fairpool cannot use."""

    exit_code = 3


class VerificationError(FairpoolError):
    """A computed solution failed its independent check (e.g. Kohlberg's criterion).

    fairpool never reports a solution that failed its check; this error says so instead.
    """

    exit_code = 3
