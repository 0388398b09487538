"""What the corpus's records share: the words that locate a cell, the hints, the three
shipped workbooks as builders, and the ``validate``/``solve`` command shapes."""

from __future__ import annotations

from tests.badinput.generate import (
    PARK,
    RIVER,
    WATER,
    BadInput,
    Builder,
    Words,
    workbook,
)

NO_CACHE = ("--no-cache",)
FORMULA_HINT = ("open it in Excel", "open and save", "save it", "write values", "write the value")
NEGATIVE = ("negative", "≥ 0", ">= 0", "at least 0")
DUPLICATE = ("more than once", "twice", "duplicate", "already")
DID_YOU_MEAN = "did you mean"
PLACE_HINT = ("not a folder", "is a file", "in the way", "folder")

KNOWN = {
    "parties": "known parties",
    "components": "known components",
    "streams": "known streams",
    "phases": "known phases",
    "projects": "known projects",
    "facilities": "known facility",
}


def where(sheet: str, row: int, column: str | None = None) -> Words:
    """The words locating a cell: ``sheet S``, ``row R`` and ``column C``."""
    words: list[str | tuple[str, ...]] = [f"sheet {sheet}", f"row {row}"]
    if column is not None:
        words.append(f"column {column}")
    return tuple(words)


def unknown(sheet: str, row: int, column: str, value: str, kind: str) -> Words:
    """An unknown id: located, quoted, and the known ids (or a suggestion) given."""
    return (*where(sheet, row, column), f"'{value}'", (KNOWN[kind], DID_YOU_MEAN))


# -- builders of the three workbooks -----------------------------------------------------------


def park(*edits) -> Builder:
    return workbook(PARK, *edits, name="park.xlsx")


def river(*edits) -> Builder:
    return workbook(RIVER, *edits, name="river.xlsx")


def water(*edits) -> Builder:
    return workbook(WATER, *edits, name="water.xlsx")


def validate(case_id: str, suite: str, build: Builder, words: Words, **more) -> BadInput:
    return BadInput(case_id, suite, build, ("validate", "{input}"), 2, words, **more)


def solve(case_id: str, suite: str, build: Builder, code: int, words: Words, *extra: str, **more):
    command = ("solve", "{input}", "-o", "{out}", *NO_CACHE, *extra)
    return BadInput(case_id, suite, build, command, code, words, **more)
