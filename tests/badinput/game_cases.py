"""The explicit game file (CSV and the ``coalitions`` sheet of an xlsx) and ``--players``: its
broken inputs, from ``cases/shared_water_plant.csv``. Rows as in Excel (header = row 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.badinput.generate import (
    CASES,
    PLAYERS_CSV,
    BadInput,
    Builder,
    Words,
    date,
    fifo,
    folder_named,
    game_csv,
    game_xlsx,
    merge,
    nothing,
    raw_file,
    rename_sheet,
    text_file,
    with_files,
)
from tests.badinput.records import (
    DID_YOU_MEAN,
    DUPLICATE,
    FORMULA_HINT,
    where,
)

# -- the explicit game file ---------------------------------------------------------------------

GAME = ("game", "{input}", "--cost", "--players", "{players}")
GAME_XLSX = ("game", "{input}", "--cost")


def line(index: int, text: str):
    """Replace line ``index`` (0 = header; Excel row = index + 1)."""
    return lambda lines: [text if i == index else t for i, t in enumerate(lines)]


def append(*texts: str):
    return lambda lines: [*lines, *texts]


def game(case_id: str, build: Builder, words: Words, *extra: str, **more) -> BadInput:
    return BadInput(case_id, "game", build, (*GAME, *extra), 2, words, **more)


def xlsx_row(index: int, value: object):
    """Set the value of table row ``index`` (0 = header) of the game workbook."""

    def edit(rows):
        rows[index][1] = value
        return rows

    return edit


TWENTY_FIVE = "coalition,value\n" + "".join(f"P{i:02d},1\n" for i in range(1, 26))
TWENTY_FIVE += "+".join(f"P{i:02d}" for i in range(1, 26)) + ",40\n"


def players_file(folder: Path) -> None:
    """The shipped players file, as ``players.csv``, beside an input that is not a CSV game."""
    shutil.copyfile(CASES / PLAYERS_CSV, folder / "players.csv")


GAME_CASES = [
    game(
        "game-text-value",
        game_csv(line(6, "SZ+DG,lots")),
        ("row 7", "column value", "expected a finite number"),
    ),
    game(
        "game-unknown-id",
        game_csv(line(7, "SZ+XX,44.45")),
        ("row 8", "column coalition", "'XX'", ("known parties", "parties are", DID_YOU_MEAN)),
    ),
    game(
        "game-mixed-case-id",
        game_csv(line(6, "sz+DG,50.35")),
        ("row 7", "column coalition", "'sz'", (DID_YOU_MEAN, "'SZ'", "known parties")),
    ),
    game(
        "game-fullwidth-plus",
        game_csv(append("SZ＋DG,50.35")),
        ("row 33", "column coalition", ("＋", "more than once")),
    ),
    game(
        "game-duplicate-coalition",
        game_csv(append("DG+SZ,50.35")),
        ("listed more than once", "rows 7, 33"),
    ),
    game(
        "game-id-twice",
        game_csv(line(6, "SZ+SZ,50.35")),
        ("row 7", "column coalition", "listed twice"),
    ),
    game(
        "game-missing-coalition",
        game_csv(lambda ls: ls[:6] + ls[7:]),
        ("have no value", "SZ+DG", "--fill"),
    ),
    game(
        "game-empty-coalition-nonzero",
        game_csv(lambda ls: [ls[0], ",3", *ls[1:]]),
        ("row 2", "column value", "empty coalition"),
    ),
    game(
        "game-value-column-misspelled",
        game_csv(line(0, "coalition,valeu")),
        ("row 1", "valeu", (DID_YOU_MEAN, "no column 'value'")),
    ),
    game("game-value-nan", game_csv(line(6, "SZ+DG,nan")), ("row 7", "column value", "finite")),
    game("game-value-inf", game_csv(line(6, "SZ+DG,inf")), ("row 7", "column value", "finite")),
    game(
        "game-value-1e20",
        game_csv(line(31, "SZ+DG+HZ+HY+SW,1e20")),
        ("row 32", "column value", ("unit", "scale")),
    ),
    game("game-empty-file", with_files(raw_file("game.csv", b""), players_file), ("empty",)),
    game(
        "game-header-only",
        game_csv(lambda ls: ls[:1]),
        (("empty", "no coalition", "no rows", "have no value"),),
    ),
    game(
        "game-not-text",
        game_csv(lambda ls: ["\x00\x89PNG\x1a\n\x00\x00garbage\xff"]),
        (("CSV", "UTF-8", "text"),),
    ),
    game(
        "game-fifo",
        with_files(fifo("game.csv"), players_file),
        (("FIFO", "named pipe", "not a regular file"),),
        timeout=60,
    ),
    game(
        "game-folder",
        with_files(folder_named("game.csv"), players_file),
        (("folder", "directory"),),
    ),
    game("game-missing-file", with_files(nothing("game.csv"), players_file), ("not found",)),
    BadInput(
        "game-players-missing-file",
        "game",
        game_csv(),
        ("game", "{input}", "--cost", "--players", "{folder}/nope.csv"),
        2,
        ("nope.csv", "not found"),
        names_file=False,
    ),
    game(
        "game-players-unknown-id",
        game_csv(players=lambda ps: [p for p in ps if not p.startswith("HY,")]),
        ("row 5", "column coalition", "'HY'", ("known parties", "parties are", "players.csv")),
    ),
    BadInput(
        "game-players-duplicate-id",
        "game",
        game_csv(players=append("SZ,深圳二,1,1,1")),
        GAME,
        2,
        ("players.csv", "row 7", "column id", DUPLICATE),
        names_file=False,
    ),
    BadInput(
        "game-players-text-attribute",
        "game",
        game_csv(players=line(1, ("SZ,深圳,many,60.0,54.0"))),
        GAME,
        2,
        ("players.csv", "row 2", "column population", "expected a"),
        names_file=False,
    ),
    BadInput(
        "game-players-no-id-column",
        "game",
        game_csv(players=line(0, ("code,name,population,demand,benefit"))),
        GAME,
        2,
        ("players.csv", "row 1", "id"),
        names_file=False,
    ),
    BadInput(
        "game-allocation-unknown",
        "game",
        game_csv(),
        (*GAME, "--allocation", "SZ=30,DG=20,HZ=10,HY=10,XX=8.68"),
        2,
        ("--allocation", "unknown party 'XX'"),
        names_file=False,
    ),
    BadInput(
        "game-allocation-missing",
        "game",
        game_csv(),
        (*GAME, "--allocation", "SZ=40"),
        2,
        ("--allocation", "no amount for"),
        names_file=False,
    ),
    BadInput(
        "game-allocation-text",
        "game",
        game_csv(),
        (*GAME, "--allocation", "SZ=lots,DG=20,HZ=10,HY=10,SW=8"),
        2,
        ("--allocation", "expected a number"),
        names_file=False,
    ),
    BadInput(
        "game-allocation-nan",
        "game",
        game_csv(),
        (*GAME, "--allocation", "SZ=nan,DG=20,HZ=10,HY=10,SW=8"),
        2,
        ("--allocation", ("finite", "nan")),
        names_file=False,
    ),
    BadInput(
        "game-method-unknown",
        "game",
        game_csv(),
        (*GAME, "--method", "magic"),
        2,
        ("unknown method 'magic'", "shapley"),
        names_file=False,
    ),
    BadInput(
        "game-fill-unknown",
        "game",
        game_csv(),
        (*GAME, "--fill", "best"),
        2,
        ("unknown fill method 'best'", "partition"),
        names_file=False,
    ),
    BadInput(
        "game-25-players",
        "game",
        text_file("game25.csv", TWENTY_FIVE),
        ("game", "{input}"),
        2,
        ("have no value", ("--fill", "fairpool shapley")),
        timeout=60,
    ),
    BadInput(
        "game-xlsx-text-value",
        "game",
        game_xlsx(xlsx_row(3, "lots")),
        GAME_XLSX,
        2,
        (*where("coalitions", 4), "value", "expected a"),
    ),
    BadInput(
        "game-xlsx-duplicate",
        "game",
        game_xlsx(lambda rows: [*rows, ["DG+SZ", 50.35]]),
        GAME_XLSX,
        2,
        ("sheet coalitions", "listed more than once", "rows 7, 33"),
    ),
    BadInput(
        "game-xlsx-formula",
        "game",
        game_xlsx(xlsx_row(6, "=50+0.35")),
        GAME_XLSX,
        2,
        (*where("coalitions", 7), "formula", FORMULA_HINT),
    ),
    BadInput(
        "game-xlsx-merged",
        "game",
        game_xlsx(lambda rows: rows, m=merge("coalitions", "A7:B7")),
        GAME_XLSX,
        2,
        ("sheet coalitions", "A7:B7", "merged", "unmerge"),
    ),
    BadInput(
        "game-xlsx-date",
        "game",
        game_xlsx(xlsx_row(6, date(2026))),
        GAME_XLSX,
        2,
        (*where("coalitions", 7), "date"),
    ),
    BadInput(
        "game-xlsx-sheet-misspelled",
        "game",
        game_xlsx(lambda rows: rows, r=rename_sheet("coalitions", "coalition")),
        GAME_XLSX,
        2,
        (("'coalition'", "sheets: coalition"), (DID_YOU_MEAN, "in a sheet named 'coalitions'")),
    ),
]
