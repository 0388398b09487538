"""The bad-input corpus: every broken input of issue 9 and of the older error tests, declared.

Each record says how the input is broken (a builder from :mod:`.generate` applied to a shipped
case), the command, the exit code (2 bad input, 3 the rules admit no solution) and the words
the message must hold: the sheet, row and column where the input has them, and the hint on
what to do. Rows are numbered as in Excel (header = row 1). Suites: ``game`` (the explicit game
file, CSV and xlsx, and ``--players``), ``joint_park``, ``infrastructure``, ``cost_sharing``
(each family's shipped workbook) and ``options_files`` (options, output and cache locations,
files that are not workbooks).
"""

from __future__ import annotations

from tests.badinput.game_cases import GAME_CASES
from tests.badinput.generate import BadInput
from tests.badinput.option_cases import FILE_CASES, OPTION_CASES
from tests.badinput.workbook_cases import CS_CASES, INF_CASES, JP_CASES

CORPUS: tuple[BadInput, ...] = (
    *GAME_CASES,
    *JP_CASES,
    *INF_CASES,
    *CS_CASES,
    *OPTION_CASES,
    *FILE_CASES,
)
"""Every broken input, in suite order."""

SUITES: tuple[str, ...] = tuple(dict.fromkeys(case.suite for case in CORPUS))
