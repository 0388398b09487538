"""``fairpool batch``: many cases in one run, in parallel, with a summary and ``--resume``.

Steps (:func:`run_batch`):

1. **Find the cases** (:func:`find_cases`): every case workbook (``*.xlsx``, its family read
   from its ``case`` sheet) and explicit game table (``*.csv``, read as ``fairpool game``
   reads it, with ``--cost`` and a ``<stem>_players.csv`` beside it as its players table) in
   the folders and files given. Two cases that would write the same output file are refused
   before any work.
2. **Plan** (:func:`plan_batch`): with ``--resume``, a case whose input is unchanged (same
   content hash) and whose outputs are intact is kept from the manifest; every output file is
   checked before any solve: an existing file is replaced only with ``--force``, or with
   ``--resume`` when the manifest says an earlier batch wrote it. A case's outputs are
   :func:`~fairpool.commands.batch_case.output_suffixes`: its results workbook, and with
   ``--html`` a case workbook's HTML report (part of the fingerprint, as ``--lang`` is, so
   ``--resume --html`` solves again a case kept without its report).
3. **Run** the other cases (:func:`run_cases`): ``-j N`` solves N at a time, in this
   process and N − 1 worker processes (:mod:`fairpool.commands.batch_pool`), ``-j 1`` one
   after another in this process; each case runs
   :func:`~fairpool.commands.batch_case.solve_case`. A case's outputs are moved into the
   output folder only once all of them are written, and the manifest is rewritten after each
   case. A bad case is a row of the summary (with the single-case command's message); it
   never stops the batch. A worker that dies fails its case only; a new one takes over.
4. **Summarise**: ``summary.xlsx`` and ``summary.csv`` (:mod:`fairpool.commands.batch_record`).

Why a pool of cases rather than the coalition engine's workers: most cases are small (a few
to a few hundred coalitions), below the engine's threshold for starting workers, and most of
their time is Python (reading, building models, writing workbooks), which only processes run
in parallel. Measured by ``benchmarks/batch.py`` (50 small cases, two cores): about 0.2 s a
case in one batch process against 1.2 s a separate ``solve`` process (mostly start-up); the
engine's two workers per case gave the same time as one process (9.4 s against 9.9 s), and
two cases at a time 7.0 s when the second core was free.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from fairpool.commands.batch_case import (
    CaseJob,
    CaseKind,
    CaseOutcome,
    CaseRow,
    output_suffixes,
    solve_case,
)
from fairpool.commands.batch_record import (
    MANIFEST,
    SUMMARY_CSV,
    SUMMARY_XLSX,
    Manifest,
    ManifestEntry,
    case_fingerprint,
    read_manifest,
    verdict_text,
    write_manifest,
    write_summary,
)
from fairpool.optimizer.errors import CaseError

if TYPE_CHECKING:
    from fairpool.reports.i18n import Language

STAGING = ".fairpool-batch-staging"
"""Folder in the output folder where cases write their outputs before they are moved."""

WORKBOOK_SUFFIXES = (".xlsx",)
GAME_SUFFIXES = (".csv",)
PLAYERS_SUFFIX = "_players.csv"
"""``<stem>_players.csv`` beside ``<stem>.csv`` is that game's players table, not a case."""


@dataclass(frozen=True)
class BatchOptions:
    """What ``fairpool batch`` was asked (see its ``--help``).

    Attributes:
        inputs: files and folders; output: the output folder.
        jobs: cases at once (0 = one per core; 1 = in this process, one after another).
        cost: game tables hold costs; lang: the results' language (None: each case's own,
            and English for the summary).
        resume, force: keep unchanged cases; replace existing files.
        cache, scheduler: the coalition engine's cache file (None: none) and Dask address.
        html: also write each case workbook's HTML report (game tables get none).
    """

    inputs: Sequence[Path]
    output: Path
    jobs: int = 1
    cost: bool = False
    lang: Language | None = None
    resume: bool = False
    force: bool = False
    cache: Path | None = None
    scheduler: str | None = None
    html: bool = False


@dataclass(frozen=True)
class BatchCase:
    """A case found: its label (file name), input, kind, players table, output stem, the
    fingerprint of everything its outputs depend on, and whether they include the HTML
    report."""

    label: str
    path: Path
    kind: CaseKind
    players: Path | None
    stem: str
    fingerprint: str
    html: bool = False

    @property
    def outputs(self) -> list[str]:
        """The files this case writes in this batch (its settings' outputs)."""
        return [self.stem + suffix for suffix in output_suffixes(self.kind, self.html)]


@dataclass
class BatchReport:
    """A batch's outcome: one row per case in input order, which were kept, the files."""

    output: Path
    rows: list[CaseRow]
    kept: set[str] = field(default_factory=set)
    summary: tuple[Path, Path] | None = None
    seconds: float = 0.0
    jobs: int = 1
    lang: Language = "en"

    @property
    def failed(self) -> list[CaseRow]:
        return [row for row in self.rows if row.status != "solved"]


def several_cases_message(files: Sequence[Path]) -> CaseError:
    """What ``fairpool solve`` says when given several cases: use ``batch``."""
    shown = " ".join(str(path) for path in files[:3]) + (" …" if len(files) > 3 else "")
    return CaseError(
        f"solve takes one case workbook, got {len(files)} ({shown}); to solve several in "
        f"one run, with a summary table: fairpool batch {shown} -o OUT (or a folder: "
        "fairpool batch FOLDER -o OUT)"
    )


# -- 1. the cases ---------------------------------------------------------------------------------


def find_cases(inputs: Sequence[Path], options: BatchOptions) -> list[BatchCase]:
    """Every case of ``inputs``, in the order given (a folder's cases sorted by name).

    In a folder (not its subfolders): ``*.xlsx`` case workbooks and ``*.csv`` game tables,
    leaving out hidden files, Excel's ``~$`` lock files, results workbooks
    (``*_results.xlsx``), the summary of a batch written into that folder and players
    tables (``<stem>_players.csv`` beside ``<stem>.csv``).
    A file named explicitly is always a case (``.csv`` a game table, anything else a
    workbook, whose reading says what is wrong with it). Missing paths and two cases that
    would write the same output are input errors, found before any work.
    """
    missing = [str(path) for path in inputs if not path.exists()]
    if missing:
        raise CaseError(
            f"no such file or folder: {', '.join(missing)}; give case workbooks (.xlsx), "
            "game tables (.csv) or folders holding them"
        )
    found: dict[Path, Path] = {}  # resolved → as given
    output = options.output.expanduser().resolve()
    for given in inputs:
        if given.is_dir():
            for path in sorted(given.iterdir()):
                if _is_case_file(path, output):
                    found.setdefault(path.resolve(), path)
        else:
            found.setdefault(given.resolve(), given)
    if not found:
        folders = ", ".join(str(p) for p in inputs)
        raise CaseError(
            f"no case workbooks (.xlsx) or game tables (.csv) in {folders}; "
            "make one with: fairpool template MODEL -o FILE"
        )
    cases = [_batch_case(path, options) for path in found.values()]
    _check_unique_outputs(cases, options.output)
    return cases


def _is_case_file(path: Path, output: Path) -> bool:
    name = path.name
    if not path.is_file() or name.startswith((".", "~$")):
        return False
    if path.resolve().parent == output and name in (SUMMARY_XLSX, SUMMARY_CSV):
        return False
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return not name.lower().endswith("_results.xlsx")
    if suffix in GAME_SUFFIXES:
        return not _game_of_players(path)
    return False


def _game_of_players(path: Path) -> bool:
    """Whether ``path`` is ``<stem>_players.csv`` beside a game table ``<stem>.csv``."""
    name = path.name
    if not name.lower().endswith(PLAYERS_SUFFIX):
        return False
    return (path.parent / (name[: -len(PLAYERS_SUFFIX)] + path.suffix)).is_file()


def _batch_case(path: Path, options: BatchOptions) -> BatchCase:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("fairpool")
    except PackageNotFoundError:
        release = "unknown"
    kind: CaseKind = "game" if path.suffix.lower() in GAME_SUFFIXES else "workbook"
    players = None
    if kind == "game":
        beside = path.with_name(path.stem + PLAYERS_SUFFIX)
        players = beside if beside.is_file() else None
    settings = [release, f"lang={options.lang or ''}"]
    if kind == "game":
        settings.append("cost" if options.cost else "benefit")
    else:  # a game's outputs are the same with or without --html
        settings.append(f"html={options.html}")
    inputs = [path] if players is None else [path, players]
    try:
        fingerprint = case_fingerprint(kind, inputs, settings)
    except OSError as error:  # unreadable: the case fails with the reader's own message
        fingerprint = f"unreadable: {error}"
    return BatchCase(path.name, path, kind, players, path.stem, fingerprint, options.html)


def _check_unique_outputs(cases: Sequence[BatchCase], output: Path) -> None:
    by_output: dict[str, list[BatchCase]] = {}
    for case in cases:
        for name in case.outputs:
            by_output.setdefault(name, []).append(case)
    clashes = [
        f"{' and '.join(str(c.path) for c in clash)} would all write {output / name}"
        for name, clash in by_output.items()
        if len(clash) > 1
    ]
    if clashes:
        raise CaseError(
            f"{'; '.join(clashes)}: rename one of them, or run them in separate batches"
        )


# -- 2. the plan ----------------------------------------------------------------------------------


def plan_batch(
    cases: Sequence[BatchCase], options: BatchOptions
) -> tuple[list[BatchCase], dict[str, CaseRow], Manifest]:
    """(cases to run, rows kept by ``--resume``, the manifest to extend), after checking
    every output file the batch may write (all problems in one error, before any work)."""
    from fairpool.optimizer.workbook.files import check_output_file, check_writable_folder

    folder = options.output
    check_writable_folder(folder, "pass -o another folder")
    manifest = None
    if folder.is_dir():
        try:
            manifest = read_manifest(folder)
        except CaseError:
            if not options.force:  # --force: an unreadable manifest is replaced
                raise
    if manifest is not None and not options.resume and not options.force:
        raise CaseError(
            f"{folder} holds an earlier batch ({MANIFEST}); pass --resume to continue it "
            "(unchanged cases are kept), --force to solve every case again, or -o another "
            "folder"
        )
    manifest = manifest or Manifest()
    kept: dict[str, CaseRow] = {}
    to_run: list[BatchCase] = []
    for case in cases:
        if options.resume and manifest.intact(folder, case.label, case.fingerprint, case.outputs):
            kept[case.label] = manifest.cases[case.label].row
        else:
            to_run.append(case)
    own = manifest.own_files() if options.resume else set()
    names = [name for case in to_run for name in case.outputs]
    names += [SUMMARY_XLSX, SUMMARY_CSV, MANIFEST]
    problems = []
    for name in names:
        try:
            check_output_file(folder / name, options.force or name in own, "pass -o another folder")
        except CaseError as error:
            problems.append(str(error))
    if problems:
        raise CaseError("; ".join(problems))
    return to_run, kept, manifest


# -- 3. running the cases -------------------------------------------------------------------------


def run_batch(options: BatchOptions) -> BatchReport:
    """Find, plan, run and summarise a batch (see the module docstring)."""
    started = time.perf_counter()
    if options.cache is not None:  # a cache that cannot be used is reported before any work
        from fairpool.optimizer.coalitions.cache import CoalitionCache

        CoalitionCache(options.cache).close()
    if options.scheduler:
        check_scheduler(options.scheduler)
    cases = find_cases(options.inputs, options)
    to_run, kept, manifest = plan_batch(cases, options)
    folder = options.output
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # a killed batch's leftovers
    rows: dict[str, CaseRow] = dict(kept)
    progress = BatchProgress(len(cases), len(kept))
    jobs = [_job(case, staging, options) for case in to_run]
    by_label = {case.label: case for case in to_run}

    def record(outcome: CaseOutcome) -> None:
        case = by_label[outcome.row.case]
        rows[case.label] = outcome.row
        _settle(case, outcome, manifest, folder, staging)
        progress.case_done(outcome.row.status != "solved")

    workers = resolve_jobs(options.jobs, len(jobs))
    progress.show()
    try:
        run_cases(jobs, workers, record, progress)
    except KeyboardInterrupt:
        progress.finish()
        done = sum(1 for label in rows if label not in kept)
        typer.echo(
            f"interrupted after {done} of {len(jobs)} cases, which {folder / MANIFEST} "
            "records (no summary written); run the same command with --resume for the rest",
            err=True,
        )
        raise  # the command's error mapper exits with 130 (and its --json document)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress.finish()
    ordered = [rows[case.label] for case in cases]
    summary = write_summary(folder, ordered, options.lang or "en")
    return BatchReport(
        output=folder,
        rows=ordered,
        kept=set(kept),
        summary=summary,
        seconds=time.perf_counter() - started,
        jobs=workers,
        lang=options.lang or "en",
    )


def resolve_jobs(jobs: int, cases: int) -> int:
    """Processes to run ``cases`` on: ``jobs`` (0: one per core), never more than the cases."""
    wanted = jobs if jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, cases))


def _job(case: BatchCase, staging: Path, options: BatchOptions) -> CaseJob:
    return CaseJob(
        label=case.label,
        path=case.path,
        kind=case.kind,
        players=case.players,
        orientation="cost" if options.cost else "benefit",
        stem=case.stem,
        staging=staging / case.stem,
        cache=options.cache,
        scheduler=options.scheduler,
        lang=options.lang,
        html=case.html,
    )


def _settle(
    case: BatchCase, outcome: CaseOutcome, manifest: Manifest, folder: Path, staging: Path
) -> None:
    """Record a case in the manifest and put its outputs in place: a solved case's staged
    files moved in, a failed case's outputs of an earlier run removed (they would no longer
    match its input).

    The order keeps every file in the folder either listed by the manifest or never there,
    whenever the batch is killed: earlier outputs are removed before the manifest forgets
    them, and new ones are listed (with their hashes) before they are moved in, so that a
    ``--resume`` after a kill finds only its own files (and re-solves a case whose listed
    outputs are missing or differ).
    """
    earlier = manifest.cases.get(case.label)
    outputs = dict(outcome.staged) if outcome.row.status == "solved" else {}
    for name in earlier.outputs if earlier is not None else ():
        if name not in outputs:
            (folder / name).unlink(missing_ok=True)
    manifest.cases[case.label] = ManifestEntry(
        str(case.path.resolve()), case.fingerprint, outputs, outcome.row
    )
    write_manifest(folder, manifest)
    for name in outputs:
        os.replace(staging / case.stem / name, folder / name)
    shutil.rmtree(staging / case.stem, ignore_errors=True)


def run_cases(
    jobs: Sequence[CaseJob],
    workers: int,
    record: Callable[[CaseOutcome], None],
    progress: BatchProgress,
) -> None:
    """Run every job and hand each outcome to ``record`` as it comes: one after another in
    this process when ``workers`` is 1, else in this process and on ``workers − 1`` worker
    processes (:func:`~fairpool.commands.batch_pool.run_shared`)."""
    from fairpool.commands.batch_pool import run_shared

    if workers <= 1:
        for job in jobs:
            record(solve_case(job))
        return
    run_shared(jobs, workers, record, progress.show)


def check_scheduler(address: str) -> None:
    """Reach the Dask scheduler once before any case (else every case would wait for it)."""
    try:
        from distributed import Client
    except ImportError as error:
        raise CaseError(
            "a Dask scheduler needs dask.distributed: pip install 'fairpool[dask]'"
        ) from error
    try:
        client = Client(address, set_as_default=False, timeout="30s")
    except (OSError, TimeoutError) as error:
        raise CaseError(
            f"cannot reach the Dask scheduler at {address} ({error}); check the address "
            "(e.g. tcp://host:8786) and that the scheduler runs"
        ) from error
    client.close()


# -- progress and what the command prints ---------------------------------------------------------


class BatchProgress:
    """``cases 12/50 (3 kept), 1 failed, about 40 s left`` on stderr, rewritten in place.

    Redrawn when a case ends, and every second on a terminal (counting the time left down).
    The time left is the cases left times the time per case so far (cases solved at once
    counted as such; kept cases excluded); before the first case ends, the time elapsed.
    """

    def __init__(self, total: int, kept: int) -> None:
        self.total, self.kept, self.done, self.failed = total, kept, kept, 0
        self.started = time.monotonic()
        self.estimate: tuple[float, float] | None = None  # (when, seconds left then)
        self.last = ""
        self.terminal = sys.stderr.isatty()

    def case_done(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        per_case = (now - self.started) / (self.done - self.kept)
        self.estimate = (now, per_case * (self.total - self.done))
        self.show(changed=True)

    def line(self) -> str:
        now = time.monotonic()
        kept = f" ({self.kept} kept)" if self.kept else ""
        failed = f", {self.failed} failed" if self.failed else ""
        if self.done >= self.total:
            when = ""
        elif self.estimate is None:
            when = f", {now - self.started:,.0f} s so far"
        else:
            then, left = self.estimate
            when = f", about {max(0.0, left - (now - then)):,.0f} s left"
        return f"cases {self.done}/{self.total}{kept}{failed}{when}"

    def show(self, changed: bool = False) -> None:
        if not (changed or self.terminal) and self.last:
            return
        self.last = self.line()
        typer.echo(f"\r{self.last}    ", err=True, nl=not self.terminal)

    def finish(self) -> None:
        if self.terminal and self.last:
            typer.echo("", err=True)


def render_batch(report: BatchReport) -> str:
    """The batch for the terminal: one line per case (headings, statuses and verdicts in the
    summary's language), then the counts and where the summary is."""
    from fairpool.commands.batch_record import STATUS_PHRASES
    from fairpool.reports.i18n import phrase
    from fairpool.reports.text import render_table

    lang = report.lang
    keys = ("case", "batch_model", "batch_parties", "batch_status", "batch_seconds")
    rows = [[phrase(key, lang) for key in keys]]
    rows[0].append(f"{phrase('batch_verdict', lang)} / {phrase('batch_error', lang)}")
    for row in report.rows:
        said = row.error if row.status != "solved" else verdict_text(row, lang)
        kept = f" ({phrase('batch_kept', lang)})" if row.case in report.kept else ""
        rows.append(
            [
                row.case,
                row.model or "-",
                "-" if row.parties is None else str(row.parties),
                phrase(STATUS_PHRASES[row.status], lang) + kept,
                f"{row.seconds:.2f}",
                said.splitlines()[0] if said else "",
            ]
        )
    lines = [render_table(rows, right_from=2, left_from=3)]
    solved = len(report.rows) - len(report.failed)
    lines.append("")
    lines.append(
        f"{solved} of {len(report.rows)} cases solved"
        + (f", {len(report.failed)} failed" if report.failed else "")
        + (f", {len(report.kept)} kept from the earlier run" if report.kept else "")
        + f" in {report.seconds:.1f} s"
        + (f" ({report.jobs} at a time)" if len(report.kept) < len(report.rows) else "")
    )
    if report.summary is not None:
        lines.append(f"Summary: {report.summary[0]}  {report.summary[1]}")
    return "\n".join(lines)


def batch_document(report: BatchReport) -> dict[str, Any]:
    """The batch as one JSON document (``fairpool batch --json``): ``output``, ``summary``
    {xlsx, csv}, ``solved``, ``failed``, ``kept`` (counts) and ``cases``: one record per
    case (the summary row's fields, ``verdict`` in words, ``kept`` true when resumed)."""
    from fairpool.reports.document import json_number

    cases = []
    for row in report.rows:
        record = row.as_record()
        record["grand_value"] = (
            json_number(row.grand_value) if row.grand_value is not None else None
        )
        record["shares"] = {p: json_number(x) for p, x in row.shares.items()}
        record["worst_excess"] = (
            json_number(row.worst_excess) if row.worst_excess is not None else None
        )
        record["seconds"] = round(row.seconds, 3)
        record["verdict"] = verdict_text(row, report.lang)
        record["kept"] = row.case in report.kept
        cases.append(record)
    return {
        "output": str(report.output),
        "summary": {"xlsx": str(report.summary[0]), "csv": str(report.summary[1])}
        if report.summary
        else None,
        "solved": len(report.rows) - len(report.failed),
        "failed": len(report.failed),
        "kept": len(report.kept),
        "cases": cases,
    }
