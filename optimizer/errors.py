"""fairpool's exceptions, and the problems they carry.

The library raises these and never calls ``sys.exit``; only the command layer
(``commands/running.py``) maps them to exit codes (2 for bad input, 3 for infeasible rules or
solver trouble) and prints their message, as text or as a JSON document.

Every error carries its :class:`Problem` s: where each one is (file, sheet, row, column, as
far as they apply; ``None`` where they do not) and what is wrong, so that ``--json`` can list
them as records and the terminal as lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, SupportsInt


def place(
    file: str | None = None,
    sheet: str | None = None,
    row: object = None,
    column: str | None = None,
) -> str:
    """Name a place in an input: ``"park.xlsx, sheet rules, row 5, column min_ratio"``, as far
    as known (the file by its name, not its folder).

    Example:
        >>> place("/data/park.xlsx", "rules", 5, "min_ratio")
        'park.xlsx, sheet rules, row 5, column min_ratio'
        >>> place("park.xlsx", "case")
        'park.xlsx, sheet case'
    """
    parts = [Path(file).name] if file else []
    if sheet is not None:
        parts.append(f"sheet {sheet}")
    if row is not None:
        parts.append(f"row {int(row) if isinstance(row, SupportsInt) else row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


_ROW = re.compile(r"row (\d+)")


def _parse_place(where: str) -> tuple[str | None, str | None, int | None, str | None] | None:
    """(file name, sheet, row, column) of a place written as :func:`place` writes it (a file,
    then ``sheet S``, ``row R``, ``column C`` in that order, each optional), or None when
    ``where`` is something else (an option such as ``--allocation``).

    Example:
        >>> _parse_place("/data/game.csv, row 7, column coalition")
        ('game.csv', None, 7, 'coalition')
        >>> _parse_place("--allocation") is None
        True
    """
    file = sheet = column = None
    row: int | None = None
    parts = where.split(", ")
    for position, part in enumerate(parts):
        if part.startswith("column "):
            column = ", ".join([part[len("column ") :], *parts[position + 1 :]])
            break
        if part.startswith("sheet ") and sheet is None and row is None:
            sheet = part[len("sheet ") :]
        elif (found := _ROW.fullmatch(part)) and row is None:
            row = int(found.group(1))
        elif position == 0 and not part.startswith("-"):
            file = Path(part).name
        else:
            return None
    return file, sheet, row, column


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what is wrong.

    ``where`` names the place as one string (``"game.csv, row 7, column coalition"``);
    ``file``, ``sheet``, ``row`` and ``column`` name it field by field (``None`` where not
    applicable). Build a located problem with :meth:`at`; a problem made from ``where`` alone
    reads the fields off it when it is written as :func:`place` writes places.
    """

    where: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        if self.where and (self.file, self.sheet, self.row, self.column) == (None,) * 4:
            parsed = _parse_place(self.where)
            if parsed is not None:
                for name, value in zip(("file", "sheet", "row", "column"), parsed, strict=True):
                    object.__setattr__(self, name, value)

    @classmethod
    def at(
        cls,
        file: str | None,
        sheet: str | None,
        row: object,
        column: str | None,
        message: str,
    ) -> Problem:
        """A problem at a place given field by field (any of them ``None``)."""
        number = int(row) if isinstance(row, SupportsInt) else None
        return cls(
            place(file, sheet, row, column),
            message,
            Path(file).name if file else None,
            sheet,
            number,
            column,
        )

    @property
    def located(self) -> bool:
        """Whether the fields hold the place (else the place is only in :attr:`where`)."""
        return (self.file, self.sheet, self.row, self.column) != (None,) * 4

    def as_record(self) -> dict[str, Any]:
        """``{file, sheet, row, column, message}`` for a JSON document; a place the fields
        cannot hold (an option name) stays in front of the message."""
        message = self.message if self.located or not self.where else str(self)
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": message,
        }

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class FairpoolError(Exception):
    """Base class of every error fairpool raises on purpose.

    :attr:`problems` lists what went wrong, each with its place; an error raised with a
    message alone has one problem holding that message.
    """

    exit_code: int = 2

    @property
    def problems(self) -> tuple[Problem, ...]:
        return getattr(self, "_problems", None) or (Problem("", str(self)),)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Odd-but-usable findings made before the error (e.g. cells read after
        normalising full-width characters)."""
        return tuple(getattr(self, "_warnings", ()))


class CaseError(FairpoolError):
    """Bad input: every problem found in a file, reported together.

    ``skipped`` names the checks that could not run because they need a cell that is
    broken (they run once the problems are fixed); ``warnings`` the odd-but-usable findings.
    """

    exit_code = 2

    def __init__(
        self,
        problems: Sequence[Problem] | str,
        where: str = "",
        *,
        skipped: Sequence[str] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        if isinstance(problems, str):
            problems = [Problem(where, problems)]
        self._problems: tuple[Problem, ...] = tuple(problems)
        self.skipped: tuple[str, ...] = tuple(skipped)
        self._warnings = tuple(warnings)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self._problems) == 1:
            lines = [str(self._problems[0])]
        else:
            lines = [f"{len(self._problems)} problems found:"]
            lines += [f"  - {problem}" for problem in self._problems]
        if self.skipped:
            lines.append("not checked until the problems above are fixed:")
            lines += [f"  - {what}" for what in self.skipped]
        return "\n".join(lines)


class InfeasibleError(FairpoolError):
    """The rules admit no solution (e.g. an empty imputation set for the nucleolus).

    ``problems``, when given, name the conflicting rows one by one (sheet and row), for
    ``--json``; the message says the same in words.
    """

    exit_code = 3

    def __init__(
        self, message: str, problems: Sequence[Problem] = (), *, warnings: Sequence[str] = ()
    ) -> None:
        self._problems = tuple(problems)
        self._warnings = tuple(warnings)
        super().__init__(message)


class SolverError(FairpoolError):
    """HiGHS failed or returned a status fairpool cannot use."""

    exit_code = 3


class VerificationError(FairpoolError):
    """A computed solution failed its independent check (e.g. Kohlberg's criterion).

    fairpool never reports a solution that failed its check; this error says so instead.
    """

    exit_code = 3
