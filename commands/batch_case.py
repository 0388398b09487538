"""One case of a batch: read it, solve it, write its outputs, and say how it went in one row.

:func:`solve_case` is what a batch's worker process (or, with ``-j 1``, the batch's own
process) runs for each case: a case workbook is solved as ``fairpool solve FILE`` solves it,
an explicit game table is analysed as ``fairpool game FILE`` analyses it, and the outcome is
a :class:`CaseRow` (the case's line of the summary, JSON-safe, so the manifest can keep it)
and the files written. It never raises for a bad case: the error becomes the row's status
and message, worded exactly as the single-case command prints it
(:func:`single_case_message` runs the command's own error mapper,
:func:`fairpool.commands.running.reporting_errors`).

Outputs go to a staging folder first (:func:`write_case_outputs`, the one place that decides
what a case writes, and :func:`output_suffixes`, the one that says which files those are);
the batch moves them into the output folder once all of them are complete, so a failed case
leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import math
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case, PlanResult
    from fairpool.optimizer.analysis import GameAnalysis
    from fairpool.reports.i18n import Language

CaseKind = Literal["workbook", "game"]
"""A case workbook (``fairpool solve``) or an explicit coalition table (``fairpool game``)."""

Status = Literal["solved", "bad_input", "not_solved", "crashed"]
"""How a case ended: solved; bad input (exit 2 of the single-case command); infeasible rules
or solver trouble (exit 3); anything else (a fairpool bug, or its process died)."""

STATUS_OF_EXIT: dict[int, Status] = {2: "bad_input", 3: "not_solved"}
"""The single-case command's exit code → the case's status."""

RESULTS_SUFFIX = "_results.xlsx"
"""Every solved case's results workbook, ``<stem>_results.xlsx``."""

HTML_SUFFIX = "_report.html"
"""A case workbook's HTML negotiation report with ``batch --html`` (a game table has none)."""

OUTPUT_SUFFIXES = (RESULTS_SUFFIX, HTML_SUFFIX)
"""Every file a case may write, ``<stem><suffix>`` each; :func:`output_suffixes` says which
of them one case writes."""


def output_suffixes(kind: CaseKind, html: bool) -> tuple[str, ...]:
    """The files a case of ``kind`` writes, ``<stem><suffix>`` each: the results workbook,
    and with ``html`` (``batch --html``) a case workbook's HTML report. What
    :func:`write_case_outputs` writes, what the batch checks before any work, and what
    ``--resume`` requires of a kept case."""
    return (RESULTS_SUFFIX, HTML_SUFFIX) if html and kind == "workbook" else (RESULTS_SUFFIX,)


GAME_TARGET = "shapley"
"""The method whose shares a game's summary row shows (a game has no target of its own)."""


@dataclass(frozen=True)
class CaseJob:
    """What a worker needs to run one case (picklable).

    Attributes:
        label: the case's name in the batch (its file name, unique in the batch).
        path: the input; kind: workbook or game; players: a game's players table, if any.
        orientation: a game's (``benefit`` or ``cost``).
        stem: the output files' stem (``<stem>_results.xlsx``).
        staging: the folder where this case's outputs are written before the batch moves them.
        cache, scheduler: the coalition engine's cache file (``None``: none) and Dask address.
        lang: the results' language (``None``: each case's own).
        html: also write a case workbook's HTML report (``<stem>_report.html``).
    """

    label: str
    path: Path
    kind: CaseKind
    players: Path | None
    orientation: Literal["benefit", "cost"]
    stem: str
    staging: Path
    cache: Path | None
    scheduler: str | None
    lang: Language | None
    html: bool = False


@dataclass
class CaseRow:
    """A case's line of the batch summary (JSON-safe: the manifest keeps it for ``--resume``).

    Attributes:
        case: the label; model: the family name, or ``game``; parties: how many (None when
            the case could not be read).
        status, exit_code: how it ended (0 solved, else the single-case command's exit code;
            None when it crashed); seconds: wall time of read, solve and write.
        grand_value: v(N) (cost games: c(N)); unit: the case's.
        target: the method whose shares are shown; shares: {party id: amount by it}.
        in_core, core_empty, worst_coalition, worst_excess, judged: the verdict's data (of the
            plan, or of a game's Shapley value), rendered in the summary's language.
        error: the message the single-case command prints (after ``error: ``).
    """

    case: str
    model: str = ""
    parties: int | None = None
    status: Status = "crashed"
    exit_code: int | None = None
    seconds: float = 0.0
    grand_value: float | None = None
    unit: str = ""
    target: str = ""
    shares: dict[str, float] = field(default_factory=dict)
    judged: Literal["plan", "shapley", ""] = ""
    in_core: bool | None = None
    core_empty: bool | None = None
    worst_coalition: str = ""
    worst_excess: float | None = None
    error: str = ""

    def as_record(self) -> dict[str, Any]:
        """The row as JSON (NaN and ±∞ as null)."""
        record = dataclasses.asdict(self)
        return {
            key: None if isinstance(value, float) and not math.isfinite(value) else value
            for key, value in record.items()
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CaseRow:
        """A row kept by the manifest (unknown keys ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})


@dataclass(frozen=True)
class CaseOutcome:
    """What a worker hands back: the row and the files it staged ({file name: sha256})."""

    row: CaseRow
    staged: dict[str, str] = field(default_factory=dict)


# -- the work of one case -------------------------------------------------------------------------


def solve_case(job: CaseJob) -> CaseOutcome:
    """Read, solve and write one case; a failure becomes the row's status and message.

    The coalition engine runs serially in this process (a batch runs cases in parallel, not
    their coalitions), with the batch's cache and Dask scheduler and no progress bar.
    """
    from fairpool.optimizer.coalitions import coalition_settings

    row = CaseRow(case=job.label)
    started = time.perf_counter()
    shutil.rmtree(job.staging, ignore_errors=True)
    try:
        solve = _solve_game if job.kind == "game" else _solve_workbook
        engine = coalition_settings(
            workers=1, cache=job.cache, scheduler=job.scheduler, progress=None
        )
        with engine:
            staged = solve(job, row)
        row.status, row.exit_code = "solved", 0
    except Exception as error:  # every failure of one case is reported, none stops the batch
        shutil.rmtree(job.staging, ignore_errors=True)
        code, message = single_case_message(error, job.path)
        row.status = STATUS_OF_EXIT.get(code, "crashed") if code is not None else "crashed"
        row.exit_code, row.error, staged = code, message, {}
    row.seconds = time.perf_counter() - started
    return CaseOutcome(row, staged)


def _solve_workbook(job: CaseJob, row: CaseRow) -> dict[str, str]:
    """A case workbook, as ``fairpool solve FILE`` solves it (the case sheet's settings)."""
    from fairpool.models import family_of
    from fairpool.models.verdicts import core_tolerance

    family = family_of(job.path)
    case = family.read_case(job.path)
    row.model, row.parties, row.unit = family.name, case.n, case.unit
    result = family.solve(case)
    row.grand_value = float(result.game.grand_value)
    row.target = result.target
    row.shares = {p: float(result.target_shares[p]) for p in result.players}
    row.judged, row.in_core = "plan", bool(result.in_core)
    row.core_empty = bool(result.least_core_epsilon > core_tolerance(result.game))
    row.worst_coalition = result.worst_coalition
    row.worst_excess = float(result.worst_excess)
    return write_case_outputs(job, result, family=family, case=case)


def _solve_game(job: CaseJob, row: CaseRow) -> dict[str, str]:
    """An explicit game table, as ``fairpool game FILE [--cost] [--players P]`` reads it."""
    from fairpool.optimizer.analysis import analyse_game
    from fairpool.optimizer.workbook.explicit import read_game_file

    game = read_game_file(job.path, orientation=job.orientation, players_path=job.players)
    row.model, row.parties = "game", game.n
    analysis = analyse_game(game)
    row.grand_value = float(game.grand_value)
    row.target = GAME_TARGET
    if GAME_TARGET in analysis.allocations:
        row.shares = {p: float(x) for p, x in analysis.allocations[GAME_TARGET].as_dict().items()}
        report = analysis.fairness[GAME_TARGET]
        row.judged, row.in_core = "shapley", bool(report.in_core)
        row.worst_coalition = report.worst_coalition_label
        row.worst_excess = float(report.worst_excess)
    row.core_empty = bool(analysis.core_empty)
    return write_case_outputs(job, analysis)


def write_case_outputs(
    job: CaseJob,
    result: PlanResult | GameAnalysis,
    *,
    family: AnyFamily | None = None,
    case: Case | None = None,
) -> dict[str, str]:
    """Every output file of one case, written into ``job.staging``: {file name: sha256}.

    This is the one place that decides what a case writes (:func:`output_suffixes` names the
    files): the results workbook ``<stem>_results.xlsx``, and for a case workbook with
    ``job.html`` the HTML negotiation report ``<stem>_report.html``, written as ``solve
    --html`` writes it (:func:`~fairpool.commands.outputs.write_reports`, which needs the
    case's ``family`` and ``case`` to run its explorer's sweeps). The batch moves the files
    into the output folder only when this returns, so a case whose outputs fail leaves none.
    """
    from fairpool.models.family import PlanResult

    job.staging.mkdir(parents=True, exist_ok=True)
    wanted = output_suffixes("workbook" if isinstance(result, PlanResult) else "game", job.html)
    workbook = job.staging / f"{job.stem}{RESULTS_SUFFIX}"
    if isinstance(result, PlanResult):
        from fairpool.reports.excel import write_results_workbook

        write_results_workbook(result, workbook, lang=job.lang)
        if HTML_SUFFIX in wanted:
            from fairpool.commands.outputs import ReportRequest, write_reports

            if family is None or case is None:
                raise TypeError("the HTML report of a case needs its family and case")
            page = job.staging / f"{job.stem}{HTML_SUFFIX}"
            request = ReportRequest(html=page, lang=job.lang, force=True)
            write_reports(request, family, case, result)
    else:
        write_game_workbook(result, workbook, job.lang)
    written = {path.name: file_digest(path) for path in sorted(job.staging.iterdir())}
    expected = {f"{job.stem}{suffix}" for suffix in wanted}
    if set(written) != expected:  # a writer left a stray file or skipped one: a fairpool bug
        raise RuntimeError(f"{job.label} wrote {sorted(written)}, not {sorted(expected)}")
    return written


def write_game_workbook(analysis: GameAnalysis, path: Path, lang: Language | None) -> Path:
    """The results workbook of an explicit game (what ``fairpool game`` prints, as sheets):
    a summary (orientation, v(N), the core, methods that do not apply), the allocations
    (party × method, alone first), the fairness of each method and the coalition values;
    headings in ``lang`` (None: the parties' language), from :mod:`fairpool.reports.i18n`.

    Written as :func:`fairpool.reports.excel.write_results_workbook` writes a case's
    (atomically, text kept as text), without its styling and charts; it belongs beside it in
    ``reports/`` (a game is not a :class:`~fairpool.models.family.PlanResult`).
    """
    import pandas as pd

    from fairpool.optimizer.workbook.files import atomic_output, keep_text
    from fairpool.reports.excel_view import method_label
    from fairpool.reports.i18n import case_language, phrase

    game = analysis.game
    language = lang or case_language("", game.names)

    def said(key: str) -> str:
        return phrase(key, language)

    summary = [
        (said("batch_orientation"), said(f"batch_{game.orientation}")),
        (said("batch_grand_value"), game.grand_value),
        (said("batch_core_empty"), analysis.core_empty),
        (said("batch_least_core_epsilon"), analysis.least_core_epsilon),
        *((method_label(m, language), why) for m, why in analysis.skipped.items()),
    ]
    allocations = pd.DataFrame({said("party"): list(game.players), said("batch_name"): game.names})
    allocations[said("alone")] = game.standalone_values
    for method, allocation in analysis.allocations.items():
        allocations[method_label(method, language)] = allocation.shares
    checks = pd.DataFrame(
        [
            {
                said("method"): method_label(method, language),
                said("in_core"): bool(report.in_core),
                said("individually_rational"): bool(report.individually_rational),
                said("worst_coalition"): report.worst_coalition_label,
                said("excess"): report.worst_excess,
            }
            for method, report in analysis.fairness.items()
        ]
    )
    masks = range(1, 1 << game.n)
    coalitions = pd.DataFrame(
        {
            said("batch_coalition"): [game.label(m) for m in masks],
            said("batch_value"): game.values[1:],
        }
    )
    sheets = {
        said("summary"): pd.DataFrame(summary, columns=[said("batch_item"), said("batch_value")]),
        said("allocations"): allocations,
        said("fairness"): checks,
        said("coalition_values"): coalitions,
    }
    with atomic_output(path) as temp, pd.ExcelWriter(temp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for index, column in enumerate(frame.columns, start=1):
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = max(12, 2 * len(str(column)) + 2)
            keep_text(sheet)
    return path


def single_case_message(error: Exception, source: Path) -> tuple[int | None, str]:
    """(exit code, message) of ``error`` as the single-case command reports it: fairpool's
    own errors and file errors through :func:`~fairpool.commands.running.reporting_errors`
    itself (its text after ``error: ``); anything else is a bug, named with its type
    (exit code None: the single-case command would show a traceback)."""
    import typer

    from fairpool.commands.running import reporting_errors

    printed = io.StringIO()
    try:
        with contextlib.redirect_stderr(printed), reporting_errors(source):
            raise error
    except typer.Exit as stopped:
        lines = printed.getvalue().strip()
        return stopped.exit_code, lines.removeprefix("error: ")
    except Exception:  # reporting_errors passed it on: not one of fairpool's errors
        reason = str(error) or "no message"
        return None, f"{source}: unexpected {type(error).__name__}: {reason} (a fairpool bug)"
    return None, f"{source}: {error}"  # pragma: no cover - raise always leaves the block


def file_digest(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
