"""Build broken inputs from the shipped cases and run them through the real ``fairpool`` command.

A :class:`BadInput` is one declarative record: how to break an input (a :data:`Builder` that
writes files into the case's own folder), the command line, the expected exit code and the
words the error message must contain. :func:`run_case` builds the case in a fresh folder,
photographs the folder (every file's bytes and mode), runs ``fairpool`` as a subprocess in its
own process group and returns what is wrong with the outcome:

- the exit code differs from the expected one (2 bad input, 3 infeasible), or the command did
  not end within the case's time bound (a hang; its process group is killed);
- stderr lacks one of the expected words (the file, sheet, row, column and the hint on what to
  do; a tuple of words means "any one of them");
- ``Traceback`` appears anywhere, or anything was printed on stdout (no partial result);
- the folder changed: an input's bytes, a file's mode, or a new file or folder (a partial or
  temporary output, a cache created for a refused run, a results file replaced).

Placeholders in command words and message words: ``{input}`` (the broken input's path),
``{name}`` (its file name), ``{folder}`` (the case folder), ``{out}`` (an empty ``out`` folder
in it), ``{players}`` and ``{proposal}`` (side files a builder wrote).

Run ``python -m tests.badinput.generate [ID_PREFIX ...]`` for a table of every case's outcome.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

CASES = Path(__file__).resolve().parents[2] / "cases"
"""The shipped cases the corpus breaks (never written to: every case works on a copy)."""

PARK = "sichuan_zhejiang_park.xlsx"
RIVER = "river_program.xlsx"
WATER = "water_plant.xlsx"
GAME_CSV = "shared_water_plant.csv"
PLAYERS_CSV = "shared_water_plant_players.csv"

Builder = Callable[[Path], Path]
"""Writes a case's files into its folder and returns the path of the (broken) input."""

Words = tuple[str | tuple[str, ...], ...]
"""Words the message must contain; a tuple inside means any one of them."""


@dataclass(frozen=True)
class BadInput:
    """One broken input: how to make it, how to run it, what must come out."""

    id: str
    suite: str
    build: Builder
    command: tuple[str, ...]
    exit_code: int
    words: Words
    names_file: bool = True
    """The message must name the input's file name (not for option errors)."""
    timeout: float = 60.0
    """Seconds after which the run counts as a hang (a bound, not a measurement)."""
    note: str = field(default="", compare=False)


@dataclass(frozen=True)
class Outcome:
    """What one run printed and what was wrong with it (empty ``problems``: as intended)."""

    case: BadInput
    exit_code: int | None
    stderr: str
    seconds: float
    problems: tuple[str, ...]

    @property
    def first_line(self) -> str:
        lines = [line.strip() for line in self.stderr.replace("\r", "\n").splitlines()]
        messages = [line for line in lines if line and not line.startswith("coalitions ")]
        if not messages:
            return "(nothing on stderr)"
        if messages[0].endswith("problems found:") and len(messages) > 1:
            return f"{messages[0]} {messages[1]}"
        return messages[0]

    def summary(self) -> str:
        code = "timeout" if self.exit_code is None else f"exit {self.exit_code}"
        return f"{self.case.id}: {code} ({self.seconds:.1f} s): {self.first_line}"


# -- builders -------------------------------------------------------------------------------------

Edit = Callable[[Workbook], None]


def workbook(shipped: str, *edits: Edit, name: str | None = None) -> Builder:
    """A copy of a shipped workbook, edited with openpyxl (values, sheets, merges, formulas)."""

    def build(folder: Path) -> Path:
        book = openpyxl.load_workbook(CASES / shipped)
        for edit in edits:
            edit(book)
        path = folder / (name or shipped)
        book.save(path)
        return path

    return build


def cells(sheet: str, values: dict[str, object]) -> Edit:
    """Set cells by reference, e.g. ``{"D2": "lots"}``."""

    def edit(book: Workbook) -> None:
        for ref, value in values.items():
            book[sheet][ref] = value

    return edit


def rename_sheet(old: str, new: str) -> Edit:
    def edit(book: Workbook) -> None:
        book[old].title = new

    return edit


def drop_sheet(sheet: str) -> Edit:
    def edit(book: Workbook) -> None:
        del book[sheet]

    return edit


def merge(sheet: str, cell_range: str) -> Edit:
    def edit(book: Workbook) -> None:
        book[sheet].merge_cells(cell_range)

    return edit


def drop_rows(sheet: str, column: int, value: object) -> Edit:
    """Delete every data row whose cell in ``column`` (1-based) equals ``value``."""

    def edit(book: Workbook) -> None:
        table = book[sheet]
        doomed = [c.row for c in table[openpyxl.utils.get_column_letter(column)] if c.row > 1]
        doomed = [row for row in doomed if table.cell(row=row, column=column).value == value]
        for row in reversed(doomed):
            table.delete_rows(row)

    return edit


def fill_sheet(sheet: str, rows: Sequence[Sequence[object]]) -> Edit:
    """Append data rows below a sheet's header."""

    def edit(book: Workbook) -> None:
        for row in rows:
            book[sheet].append(list(row))

    return edit


def date(year: int) -> dt.datetime:
    """A cell formatted as a date, as Excel stores one typed as ``2026/1/1``."""
    return dt.datetime(year, 1, 1)


def text_file(name: str, text: str, encoding: str = "utf-8") -> Builder:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.encode(encoding))
        return path

    return build


def raw_file(name: str, data: bytes) -> Builder:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def shipped_bytes(shipped: str, name: str, keep: float = 1.0) -> Builder:
    """A shipped file's bytes (``keep`` < 1: only that leading fraction, a truncated copy)."""

    def build(folder: Path) -> Path:
        data = (CASES / shipped).read_bytes()
        path = folder / name
        path.write_bytes(data[: int(len(data) * keep)])
        return path

    return build


def fifo(name: str) -> Builder:
    """A named pipe where a file is expected: reading it would block forever."""

    def build(folder: Path) -> Path:
        path = folder / name
        os.mkfifo(path)
        return path

    return build


def folder_named(name: str) -> Builder:
    def build(folder: Path) -> Path:
        path = folder / name
        path.mkdir()
        return path

    return build


def nothing(name: str) -> Builder:
    """A path that does not exist."""
    return lambda folder: folder / name


def game_csv(
    edit: Callable[[list[str]], list[str]] | None = None,
    players: Callable[[list[str]], list[str]] | None = None,
    name: str = "game.csv",
) -> Builder:
    """The shipped explicit game (and its players file, as ``players.csv``), lines edited."""

    def build(folder: Path) -> Path:
        lines = (CASES / GAME_CSV).read_text(encoding="utf-8").splitlines()
        people = (CASES / PLAYERS_CSV).read_text(encoding="utf-8").splitlines()
        path = folder / name
        path.write_text("\n".join(edit(lines) if edit else lines) + "\n", encoding="utf-8")
        (folder / "players.csv").write_text(
            "\n".join(players(people) if players else people) + "\n", encoding="utf-8"
        )
        return path

    return build


def game_xlsx(edit: Callable[[list[list[object]]], list[list[object]]], **sheet: Edit) -> Builder:
    """The shipped explicit game as a workbook (a ``coalitions`` sheet), rows edited."""

    def build(folder: Path) -> Path:
        lines = (CASES / GAME_CSV).read_text(encoding="utf-8").splitlines()
        rows: list[list[object]] = [lines[0].split(",")]
        rows += [[label, float(value)] for label, value in (ln.split(",") for ln in lines[1:])]
        book = openpyxl.Workbook()
        table = book.active
        assert table is not None
        table.title = "coalitions"
        for row in edit(copy.deepcopy(rows)):
            table.append(row)
        for change in sheet.values():
            change(book)
        path = folder / "game.xlsx"
        book.save(path)
        return path

    return build


def with_files(build: Builder, *extras: Callable[[Path], object]) -> Builder:
    """``build``, then side files or folders (an existing results file, a file in the way)."""

    def both(folder: Path) -> Path:
        path = build(folder)
        for extra in extras:
            extra(folder)
        return path

    return both


def touch(relative: str, data: bytes = b"in the way\n") -> Callable[[Path], object]:
    def make(folder: Path) -> object:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.write_bytes(data)

    return make


def mkdir(relative: str) -> Callable[[Path], object]:
    return lambda folder: (folder / relative).mkdir(parents=True, exist_ok=True)


def sqlite_with_foreign_table(relative: str) -> Callable[[Path], object]:
    """Another program's SQLite database where the cache should be."""

    def make(folder: Path) -> object:
        import sqlite3

        connection = sqlite3.connect(folder / relative)
        connection.execute("CREATE TABLE invoices (number INTEGER, customer TEXT)")
        connection.execute("INSERT INTO invoices VALUES (1, 'someone')")
        connection.commit()
        connection.close()
        return None

    return make


# -- running --------------------------------------------------------------------------------------


def fairpool_command() -> str:
    """The installed ``fairpool`` executable (of the environment running the tests)."""
    found = shutil.which("fairpool") or shutil.which(
        "fairpool", path=str(Path(sys.executable).parent)
    )
    if found is None:
        raise RuntimeError("the fairpool command is not installed in this environment")
    return found


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: kind, mode and (regular files) the SHA-256 of its bytes.

    FIFOs are recorded without being opened (opening one would block).
    """
    entries: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for entry in (*dirs, *files):
            path = Path(root) / entry
            info = path.lstat()
            relative = str(path.relative_to(folder))
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[relative] = f"file {oct(info.st_mode)} {digest}"
            else:
                entries[relative] = f"{stat.filemode(info.st_mode)}"
    return entries


def _run(argv: list[str], folder: Path, timeout: float, env: dict[str, str]):
    """(exit code or None on timeout, stdout, stderr) of one command in its own process group."""
    process = subprocess.Popen(
        argv,
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group this run started, nothing else
        out, err = process.communicate()
        return None, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    return process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def run_case(case: BadInput, root: Path, command: str | None = None) -> Outcome:
    """Build ``case`` in ``root/<id>``, run it, and list what differs from the intended outcome."""
    folder = root / case.id
    folder.mkdir(parents=True)
    (folder / "out").mkdir()
    path = case.build(folder)
    places = {
        "input": str(path),
        "name": path.name,
        "folder": str(folder),
        "out": str(folder / "out"),
        "players": str(folder / "players.csv"),
        "proposal": str(folder / "proposal.xlsx"),
    }
    argv = [command or fairpool_command(), *(word.format(**places) for word in case.command)]
    env = {
        **os.environ,
        "FAIRPOOL_CACHE": str(root / "_ambient" / case.id / "coalitions.sqlite"),
        "COLUMNS": "200",
        "PYTHONIOENCODING": "utf-8",
    }
    before = snapshot(folder)
    started = time.monotonic()
    code, out, err = _run(argv, folder, case.timeout, env)
    seconds = time.monotonic() - started
    after = snapshot(folder)

    problems: list[str] = []
    if code is None:
        problems.append(f"no end within {case.timeout:.0f} s (killed)")
    elif code != case.exit_code:
        problems.append(f"exit code {code}, expected {case.exit_code}")
    if "Traceback" in out or "Traceback" in err:
        problems.append("a Python traceback was printed")
    if code is not None and out.strip():
        problems.append(f"printed on stdout: {out.strip().splitlines()[0][:100]!r}")
    said = err.replace(str(folder), "<folder>")  # the case id in the path says nothing
    wanted: list[str | tuple[str, ...]] = list(case.words)
    if case.names_file:
        wanted.insert(0, path.name)
    for word in wanted:
        options = (word,) if isinstance(word, str) else word
        options = tuple(option.format(**places) for option in options)
        if not any(option in said for option in options):
            shown = options[0] if len(options) == 1 else " | ".join(options)
            problems.append(f"message lacks {shown!r}")
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    if changed:
        problems.append(f"changed: {', '.join(changed)}")
    if added:
        problems.append(f"left behind: {', '.join(added)}")
    if removed:
        problems.append(f"removed: {', '.join(removed)}")
    return Outcome(case, code, err, seconds, tuple(problems))


def run_cases(
    cases: Iterable[BadInput], root: Path, threads: int = 3, command: str | None = None
) -> list[Outcome]:
    """Run cases in parallel (each in its own folder under ``root``), in the given order."""
    executable = command or fairpool_command()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda case: run_case(case, root, executable), cases))


def failure_report(outcomes: Iterable[Outcome]) -> str:
    """One paragraph per failing case: its id, exit code, first message line, the problems."""
    blocks = []
    for outcome in outcomes:
        if outcome.problems:
            reasons = "\n".join(f"    - {problem}" for problem in outcome.problems)
            blocks.append(f"{outcome.summary()}\n{reasons}")
    return "\n".join(blocks)


def main(argv: Sequence[str]) -> int:
    """Run the corpus (or the cases whose id starts with one of ``argv``) and print a table."""
    import tempfile

    from tests.badinput.corpus import CORPUS

    chosen = [c for c in CORPUS if not argv or any(c.id.startswith(p) for p in argv)]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fairpool-badinput-") as root:
        outcomes = run_cases(chosen, Path(root))
    failing = [o for o in outcomes if o.problems]
    for outcome in outcomes:
        mark = "FAIL" if outcome.problems else "ok  "
        print(f"{mark} {outcome.summary()}")
        for problem in outcome.problems:
            print(f"       - {problem}")
    print(
        f"\n{len(outcomes)} cases, {len(failing)} failing, "
        f"{time.monotonic() - started:.0f} s wall time"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
