"""Options, output and cache locations, and files that are not workbooks (on the shipped
park): the ``options_files`` suite."""

from __future__ import annotations

from pathlib import Path

from tests.badinput.generate import (
    PARK,
    BadInput,
    Builder,
    Words,
    fifo,
    folder_named,
    game_xlsx,
    mkdir,
    nothing,
    raw_file,
    shipped_bytes,
    sqlite_with_foreign_table,
    text_file,
    touch,
    with_files,
)
from tests.badinput.records import (
    DID_YOU_MEAN,
    NO_CACHE,
    PLACE_HINT,
    park,
)

# -- options, output and cache locations, files that are not workbooks ----------------------------

OF = "options_files"
PROC = "/proc/fairpool-badinput"
"""A place no one can create files in, not even root (the tests may run as root, where
permission bits do not stop a write)."""


def option(case_id: str, command: tuple[str, ...], words: Words, **more) -> BadInput:
    """An option error: the message names the option and what it accepts, not the file."""
    return BadInput(case_id, OF, park(), command, 2, words, names_file=False, **more)


def sweep(*extra: str) -> tuple[str, ...]:
    return ("sweep", "{input}", "--party", "HOST", *extra, *NO_CACHE)


SOLVE = ("solve", "{input}", "-o", "{out}", *NO_CACHE)
FINITE = ("finite", "a number")

OPTION_CASES = [
    option(
        "opt-workers-negative",
        (*SOLVE, "-j", "-3"),
        (
            ("--workers", "-j"),
            ("0 or more", "≥ 0", ">= 0", "at least 0", "negative", "greater than or equal to 0"),
        ),
    ),
    option("opt-sweep-from-nan", sweep("--from", "nan"), ("--from", FINITE)),
    option("opt-sweep-to-inf", sweep("--to", "inf"), ("--to", FINITE)),
    option("opt-sweep-step-nan", sweep("--step", "nan"), ("--step", FINITE)),
    option("opt-sweep-step-tiny", sweep("--step", "1e-7"), ("--step", "--max-steps"), timeout=60),
    option("opt-sweep-step-zero", sweep("--step", "0"), ("--step", "positive")),
    option("opt-sweep-step-negative", sweep("--step", "-0.1"), ("--step", "positive")),
    option("opt-sweep-reversed", sweep("--from", "0.8", "--to", "0.2"), ("--to", "--from")),
    option(
        "opt-sweep-outside",
        sweep("--from", "0.5", "--to", "1.5"),
        ("1.5", ("outside", "between 0 and 1")),
    ),
    option(
        "opt-sweep-unknown-party",
        ("sweep", "{input}", "--party", "NOBODY", *NO_CACHE),
        ("'NOBODY'", ("known parties", "parties are", DID_YOU_MEAN)),
    ),
    option(
        "opt-sweep-unknown-stream",
        sweep("--stream", "TAX"),
        ("'TAX'", ("known streams", "streams are", DID_YOU_MEAN)),
    ),
    option(
        "opt-sweep-unknown-phase",
        sweep("--phase", "9"),
        ("phase", "'9'", ("known phases", "phases are", DID_YOU_MEAN)),
    ),
    option("opt-core-unknown", (*SOLVE, "--core", "maybe"), ("--core", "'maybe'", "hard")),
    option("opt-distance-unknown", (*SOLVE, "--distance", "l3"), ("--distance", "'l3'", "l1")),
    option(
        "opt-target-unknown",
        (*SOLVE, "--target", "fairest"),
        ("unknown target 'fairest'", "shapley"),
    ),
    option(
        "opt-target-unknown-attribute", (*SOLVE, "--target", "proportional:area"), ("'area'", "gdp")
    ),
    option(
        "opt-shapley-exact-limit-negative",
        ("shapley", "{input}", "--exact-limit", "-1", *NO_CACHE),
        ("--exact-limit",),
    ),
    option(
        "opt-shapley-permutations-negative",
        ("shapley", "{input}", "--permutations", "-5", *NO_CACHE),
        ("--permutations",),
    ),
    option(
        "opt-template-unknown-model",
        ("template", "water_park", "-o", "{out}/t.xlsx"),
        ("unknown model 'water_park'", "joint_park"),
    ),
    BadInput(
        "opt-template-exists",
        OF,
        with_files(park(), touch("existing.xlsx")),
        ("template", "joint_park", "-o", "{folder}/existing.xlsx"),
        2,
        ("existing.xlsx", "--force"),
        names_file=False,
    ),
]


def files(case_id: str, build: Builder, command: tuple[str, ...], words: Words, **more):
    return BadInput(case_id, OF, build, command, 2, words, **more)


def located(case_id: str, extra, command: tuple[str, ...], words: Words) -> BadInput:
    """An output or cache location problem: names the path, found before any solving."""
    return BadInput(case_id, OF, with_files(park(), extra), command, 2, words, names_file=False)


def results_exist(folder: Path) -> None:
    touch("out/park_results.xlsx", b"an earlier result\n")(folder)


FILE_CASES = [
    located("files-results-exist", results_exist, SOLVE, ("park_results.xlsx", "--force")),
    located(
        "files-results-exist-beside-input",
        touch("park_results.xlsx", b"earlier\n"),
        ("solve", "{input}", *NO_CACHE),
        ("park_results.xlsx", "--force"),
    ),
    located(
        "files-output-names-a-file",
        touch("afile"),
        ("solve", "{input}", "-o", "{folder}/afile", *NO_CACHE),
        ("afile", PLACE_HINT),
    ),
    located(
        "files-output-parent-is-a-file",
        touch("afile"),
        ("solve", "{input}", "-o", "{folder}/afile/sub", *NO_CACHE),
        ("afile", PLACE_HINT),
    ),
    located(
        "files-output-folder-in-the-way",
        mkdir("out/park_results.xlsx"),
        SOLVE,
        ("park_results.xlsx", ("folder", "directory")),
    ),
    located(
        "files-output-unwritable",
        lambda f: None,
        ("solve", "{input}", "-o", PROC, *NO_CACHE),
        (PROC,),
    ),
    located(
        "files-cache-parent-is-a-file",
        touch("afile"),
        ("solve", "{input}", "-o", "{out}", "--cache", "{folder}/afile/c.sqlite"),
        ("afile", "cache"),
    ),
    located(
        "files-cache-is-a-folder",
        mkdir("cachedir"),
        ("solve", "{input}", "-o", "{out}", "--cache", "{folder}/cachedir"),
        ("cachedir", ("folder", "directory")),
    ),
    located(
        "files-cache-not-sqlite",
        touch("notes.txt", b"my notes\n"),
        ("solve", "{input}", "-o", "{out}", "--cache", "{folder}/notes.txt"),
        ("notes.txt", "SQLite"),
    ),
    located(
        "files-cache-foreign-table",
        sqlite_with_foreign_table("other.sqlite"),
        ("solve", "{input}", "-o", "{out}", "--cache", "{folder}/other.sqlite"),
        ("other.sqlite", ("table", "another program", "not a fairpool cache")),
    ),
    located(
        "files-cache-unwritable",
        lambda f: None,
        ("solve", "{input}", "-o", "{out}", "--cache", f"{PROC}/c.sqlite"),
        (PROC,),
    ),
    located(
        "files-template-parent-is-a-file",
        touch("afile"),
        ("template", "joint_park", "-o", "{folder}/afile/t.xlsx"),
        ("afile", PLACE_HINT),
    ),
    located(
        "files-template-unwritable",
        lambda f: None,
        ("template", "joint_park", "-o", f"{PROC}/t.xlsx"),
        (PROC,),
    ),
    located(
        "files-template-folder-in-the-way",
        mkdir("t.xlsx"),
        ("template", "joint_park", "-o", "{folder}/t.xlsx"),
        ("t.xlsx", ("folder", "directory")),
    ),
    located(
        "files-demo-output-is-a-file",
        touch("afile"),
        ("demo", "-o", "{folder}/afile"),
        ("afile", PLACE_HINT),
    ),
    located("files-demo-unwritable", lambda f: None, ("demo", "-o", PROC), (PROC,)),
    files(
        "files-fifo-workbook",
        fifo("park.xlsx"),
        ("validate", "{input}"),
        (("FIFO", "named pipe", "not a regular file"),),
        timeout=60,
    ),
    files(
        "files-fifo-solve",
        fifo("park.xlsx"),
        SOLVE,
        (("FIFO", "named pipe", "not a regular file"),),
        timeout=60,
    ),
    files("files-empty-workbook", raw_file("park.xlsx", b""), ("validate", "{input}"), ("empty",)),
    files(
        "files-not-a-workbook",
        raw_file("park.xlsx", b"hello, this is text\n"),
        ("validate", "{input}"),
        (("Excel workbook", "not a workbook", ".xlsx workbook"),),
    ),
    files(
        "files-truncated-workbook",
        shipped_bytes(PARK, "park.xlsx", keep=0.5),
        ("validate", "{input}"),
        (("damaged", "corrupt", "truncated", "Excel workbook", "cannot be opened as an .xlsx"),),
    ),
    files(
        "files-csv-as-workbook",
        text_file("park.csv", "coalition,value\nA,1\n"),
        ("validate", "{input}"),
        ("Excel workbook",),
    ),
    files(
        "files-missing-workbook",
        nothing("park.xlsx"),
        ("solve", "{input}", *NO_CACHE),
        ("not found",),
    ),
    files(
        "files-folder-as-workbook",
        folder_named("park.xlsx"),
        ("validate", "{input}"),
        (("folder", "directory"),),
    ),
    files(
        "files-workbook-without-case-sheet",
        game_xlsx(lambda rows: rows),
        ("validate", "{input}"),
        ("sheet case", "required sheet 'case'"),
    ),
    BadInput(
        "files-check-proposal-missing",
        OF,
        park(),
        ("check", "{input}", "--proposal", "{folder}/nope.xlsx", *NO_CACHE),
        2,
        ("nope.xlsx", "not found"),
        names_file=False,
    ),
]
