"""Running a command: fairpool's errors as exit codes, the coalition engine's settings and
progress bar, where results go, and the options parsed beyond typer's types.

:func:`reporting_errors` is the one place that turns fairpool's own errors
(:class:`~fairpool.optimizer.errors.FairpoolError`) into exit codes: 2 bad input, 3 infeasible
rules or solver trouble, 1 when ``--strict`` and a proposal is not fair, 130 on Ctrl-C. It
prints the message on stderr without a traceback. numpy, pandas and HiGHS are imported inside
the functions so that ``fairpool --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case
    from fairpool.optimizer.game import Game
    from fairpool.optimizer.results import Allocation

EXIT_CHECK_FAILED = 1
MAX_SWEEP_STEPS = 10_000
"""Steps one sweep takes at most (``--step`` 1e-4 from 0 to 1) unless ``--max-steps`` says."""


@contextlib.contextmanager
def reporting_errors(source: Path | None = None, as_json: bool = False) -> Iterator[None]:
    """Turn fairpool's own errors into a message on stderr and their exit code; an infeasible
    plan or a solver failure (exit 3) about the input ``source`` starts with the file's path
    when it does not name it yet (input errors name their file, sheet, row and column).

    With ``as_json`` (a command's ``--json``) the error is also printed on stdout as the one
    JSON document of the run, ``{"ok": false, "errors": [{file, sheet, row, column,
    message}], ...}`` (:func:`fairpool.reports.document.error_document`), with the same exit
    code, so that a script reads one document whatever happened. Warnings found before the
    error (e.g. cells read after normalising full-width characters) follow the message.
    """
    from fairpool.optimizer.errors import FairpoolError, Problem

    try:
        yield
    except FairpoolError as error:
        message = str(error)
        if source is not None and error.exit_code == 3 and source.name not in message:
            message = f"{source}: {message}"
        _report(message, error.warnings, error.exit_code, as_json, error, source)
    except KeyboardInterrupt:
        message = "interrupted: coalition values solved so far stay in the cache"
        _report(f"\n{message}", (), 130, as_json, [Problem("", message)], source)
    except MemoryError:
        message = (
            "the machine ran out of memory: the case is too large to solve here (each party "
            "more doubles the coalitions); use `fairpool shapley` (sampled Shapley value), "
            "fewer parties, fewer workers (-j), or a machine with more memory"
        )
        _report(message, (), 2, as_json, [Problem("", message)], source)
    except OSError as error:
        file = next((f for f in (error.filename, error.filename2) if f is not None), None)
        name = None if file is None else Path(str(file)).name
        problem = Problem("", os_error_message(error), file=name)
        _report(f"error: {problem.message}", (), 2, as_json, [problem], source)


def _report(
    message: str,
    warnings: Sequence[str],
    exit_code: int,
    as_json: bool,
    error: object,
    source: Path | None,
) -> None:
    """Print a failed run (message and warnings on stderr; with ``as_json`` the error
    document on stdout) and exit with ``exit_code``."""
    from fairpool.optimizer.errors import FairpoolError, Problem
    from fairpool.reports.document import error_document

    text = message if message.startswith(("error: ", "\n")) else f"error: {message}"
    typer.echo(text, err=True)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        if isinstance(error, FairpoolError):
            document = error_document(
                error.problems,
                exit_code,
                source=source,
                skipped=getattr(error, "skipped", ()),
                warnings=warnings,
            )
        else:
            problems = cast("Sequence[Problem]", error)
            document = error_document(problems, exit_code, source=source)
        echo_json(document)
    raise typer.Exit(exit_code) from None


def os_error_message(error: OSError) -> str:
    """An operating-system error as "path: reason; what to do" (no traceback)."""
    paths = [str(p) for p in (error.filename, error.filename2) if p is not None]
    where = " → ".join(paths) or "a file"
    reason = error.strerror or str(error) or type(error).__name__
    return f"{where}: {reason}; check that path (does it exist? may you write there? disk full?)"


class ProgressBar:
    """Coalitions done / total and an ETA, on stderr, once a run has lasted a second.

    The rate is measured from the first report, whose count includes values already in the
    cache, so a resumed run does not promise too early an end.
    """

    def __init__(self) -> None:
        import time

        self.clock = time.monotonic
        self.started = self.clock()
        self.first: tuple[float, int] | None = None
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.first is None:
            self.first = (now, done)
        if now - self.started < 1.0 and not self.shown:
            return
        since, done_then = self.first
        rate = (done - done_then) / (now - since) if now > since else 0.0
        eta = f", about {(total - done) / rate:,.0f} s left" if rate > 0 and done < total else ""
        typer.echo(f"\rcoalitions {done:,}/{total:,}{eta}    ", err=True, nl=done >= total)
        self.shown = True


@contextlib.contextmanager
def engine(
    workers: int, cache: Path | None, no_cache: bool, scheduler: str | None
) -> Iterator[None]:
    """The coalition-engine settings of one command (see optimizer.coalitions); the cache is
    opened once here, so that a cache that cannot be used is reported before any work."""
    from fairpool.optimizer.coalitions import coalition_settings, default_cache_path
    from fairpool.optimizer.coalitions.cache import CoalitionCache

    path = None if no_cache else (cache if cache is not None else default_cache_path())
    if path is not None:
        CoalitionCache(path).close()
    with coalition_settings(
        workers=workers, cache=path, scheduler=scheduler, progress=ProgressBar()
    ):
        yield


def results_path(folder: Path | None, file_name: str, force: bool, source: Path | None) -> Path:
    """Where a command's results workbook goes, checked before any solve (see
    optimizer.workbook.files.check_output_file): ``folder/file_name``, ``folder`` defaulting
    to the folder of the input ``source``."""
    from fairpool.optimizer.workbook.files import check_output_file

    if folder is None and source is not None:
        folder, what_to_do = source.parent, "pass -o FOLDER to write the results elsewhere"
    else:
        what_to_do = "pass -o another folder"
    return check_output_file((folder or Path()) / file_name, force, what_to_do)


def read_case(file: Path) -> tuple[AnyFamily, Case]:
    """(model family, validated case) of a workbook."""
    from fairpool.models import family_of

    family = family_of(file)
    return family, family.read_case(file)


def echo_json(document: Mapping[str, Any]) -> None:
    """Print one JSON document on stdout; a command's result gets ``"ok": true`` as its first
    key (an error document carries ``"ok": false`` already)."""
    if "ok" not in document:
        document = {"ok": True, **document}
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def sweep_ratio_count(start: float, stop: float, step: float, max_steps: int) -> int:
    """How many ratios ``--from start --to stop --step step`` gives (both ends included, as
    ``numpy.arange(start, stop + step / 2, step)`` counts them), checked before reading or
    solving anything: finite, ordered, within [0, 1] (every family's ratios and cost shares
    are fractions) and at most ``max_steps`` steps (``max_steps + 1`` ratios, each a solve;
    0 to 1 by 1e-4 is allowed by default)."""
    import math

    from fairpool.optimizer.errors import CaseError

    for option, value in (("--from", start), ("--to", stop), ("--step", step)):
        if not math.isfinite(value):
            raise CaseError(f"{option} must be a finite number, got {value}")
    if step <= 0 or stop < start:
        raise CaseError("--step must be positive and --to at least --from")
    if start < 0 or stop > 1:
        raise CaseError(
            f"--from {start} --to {stop} is outside [0, 1]: a ratio or cost share is between "
            "0 and 1; pass --from and --to between 0 and 1"
        )
    ratios = ((stop + step / 2) - start) / step  # numpy.arange's length, before its ceil
    if ratios > max_steps + 1:
        many = f"{math.ceil(ratios) - 1:,}" if ratios < 1e12 else f"{ratios:.3g}"
        raise CaseError(
            f"--from {start} --to {stop} --step {step} gives {many} steps, a solve each; "
            f"a sweep takes at most {max_steps:,} steps: pass a larger --step, or --max-steps "
            "to allow more"
        )
    return math.ceil(ratios)


def check_choice(option: str, value: str | None, choices: Sequence[str]) -> None:
    from fairpool.optimizer.errors import CaseError

    if value is not None and value not in choices:
        raise CaseError(f"{option} must be one of {', '.join(choices)}, got {value!r}")


def parse_allocation(text: str, the_game: Game) -> Allocation:
    """``"SZ=40,SW=25,HY=35"`` (ids or display names) as an Allocation in player order.

    Every party must be given exactly once; unknown or missing parties are input errors.
    """
    import math

    import numpy as np

    from fairpool.optimizer.errors import CaseError, Problem
    from fairpool.optimizer.parties import PartyNames
    from fairpool.optimizer.results import Allocation

    parties = PartyNames(the_game.players, the_game.names)  # ids or names, loosely spelled
    lookup = {p: i for i, p in enumerate(the_game.players)}
    shares: dict[int, float] = {}
    problems = []
    for item in filter(None, (part.strip() for part in text.replace("，", ",").split(","))):
        party, sep, amount = (s.strip() for s in item.partition("="))
        if not sep:
            problems.append(Problem("--allocation", f"expected PARTY=AMOUNT, got {item!r}"))
            continue
        unknown = parties.problem(party)
        if unknown is not None:
            problems.append(Problem("--allocation", unknown))
            continue
        party = parties.resolve(party)
        try:
            value = float(amount)
        except ValueError:
            problems.append(Problem("--allocation", f"{party}: expected a number, got {amount!r}"))
            continue
        if not math.isfinite(value):
            problems.append(
                Problem("--allocation", f"{party}: expected a finite number, got {amount!r}")
            )
            continue
        if lookup[party] in shares:
            problems.append(Problem("--allocation", f"party {party!r} is given twice"))
        shares[lookup[party]] = value
    missing = [the_game.players[i] for i in range(the_game.n) if i not in shares]
    if missing and not problems:
        problems.append(
            Problem("--allocation", f"no amount for {', '.join(missing)}: give every party")
        )
    if problems:
        raise CaseError(problems)
    return Allocation(
        "proposal", the_game.players, np.array([shares[i] for i in range(the_game.n)])
    )
