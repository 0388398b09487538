"""The ``fairpool`` command: parse options, call the engine, print. Nothing else.

This is the only module that turns :class:`~optimizer.errors.FairpoolError` into exit codes
(2 bad input, 3 solver trouble; 1 when ``--strict`` and a proposal is not in the core) and
prints error messages, on stderr and without a traceback. numpy, pandas and HiGHS are
imported inside the commands so that ``fairpool --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case, CoreMode, DistanceKind
    from fairpool.optimizer.game import Game
    from fairpool.optimizer.results import Allocation

app = typer.Typer(
    name="fairpool",
    help="Fair shares of the gains and costs of regional cooperation "
    "(Shapley value, nucleolus, core, fairness checks).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CHECK_FAILED = 1
MAX_SWEEP_STEPS = 10_000
"""Steps one sweep takes at most (``--step`` 1e-4 from 0 to 1) unless ``--max-steps`` says."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fairpool")
    except PackageNotFoundError:
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"fairpool {_version()}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """fairpool: who should pay what, and is that fair?"""


@contextlib.contextmanager
def _reporting_errors(source: Path | None = None) -> Iterator[None]:
    """Turn fairpool's own errors into a message on stderr and their exit code; an infeasible
    plan or a solver failure (exit 3) about the input ``source`` starts with the file's path
    when it does not name it yet (input errors name their file, sheet, row and column)."""
    from fairpool.optimizer.errors import FairpoolError

    try:
        yield
    except FairpoolError as error:
        message = str(error)
        if source is not None and error.exit_code == 3 and source.name not in message:
            message = f"{source}: {message}"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("\ninterrupted: coalition values solved so far stay in the cache", err=True)
        raise typer.Exit(130) from None
    except OSError as error:
        typer.echo(f"error: {_os_error_message(error)}", err=True)
        raise typer.Exit(2) from None


def _os_error_message(error: OSError) -> str:
    """An operating-system error as "path: reason; what to do" (no traceback)."""
    paths = [str(p) for p in (error.filename, error.filename2) if p is not None]
    where = " → ".join(paths) or "a file"
    reason = error.strerror or str(error) or type(error).__name__
    return f"{where}: {reason}; check that path (does it exist? may you write there? disk full?)"


# -- fairpool game -----------------------------------------------------------------------
@app.command()
def game(
    file: Annotated[Path, typer.Argument(help="Coalition table: CSV (coalition,value) or .xlsx.")],
    cost: Annotated[
        bool, typer.Option("--cost", help="Values are costs c(S) (less is better).")
    ] = False,
    players: Annotated[
        Path | None,
        typer.Option("--players", help="CSV with id,name and numeric attributes per party."),
    ] = None,
    fill: Annotated[
        str | None,
        typer.Option(
            "--fill", help="Fill missing coalitions: 'partition' (best split into listed ones)."
        ),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option("--method", "-m", help="Solution method (repeatable); default: all."),
    ] = None,
    allocation: Annotated[
        str | None,
        typer.Option("--allocation", help='A proposal to check, e.g. "SZ=40,SW=25,HY=35".'),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (keys in the README).")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with 1 when the proposal is not in the core.")
    ] = False,
) -> None:
    """Solve an explicit game file with every method and compare them."""
    with _reporting_errors(file):
        from fairpool.optimizer.workbook.explicit import read_game_file

        the_game = read_game_file(
            file,
            orientation="cost" if cost else "benefit",
            fill=fill,
            players_path=players,
        )
        _solve_and_print(the_game, method, allocation, as_json, strict, source=str(file))


# -- case workbooks: template, validate, solve, check, sweep, coalitions -------------------
CaseFile = Annotated[Path, typer.Argument(help="Case workbook (.xlsx) made from a template.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document (see README).")]


Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        "-j",
        min=0,
        help="Processes solving coalition values: this one and N−1 workers (0 = every core).",
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing results workbook.")]
CachePath = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help="SQLite cache of coalition values (default: $FAIRPOOL_CACHE or "
        "~/.cache/fairpool/coalitions.sqlite); an interrupted run resumes from it.",
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Solve every coalition afresh.")]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address: solve coalitions on a cluster."),
]


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
def _engine(
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


def _results_path(folder: Path | None, file_name: str, force: bool, source: Path | None) -> Path:
    """Where a command's results workbook goes, checked before any solve (see
    optimizer.workbook.files.check_output_file): ``folder/file_name``, ``folder`` defaulting
    to the folder of the input ``source``."""
    from fairpool.optimizer.workbook.files import check_output_file

    if folder is None and source is not None:
        folder, what_to_do = source.parent, "pass -o FOLDER to write the results elsewhere"
    else:
        what_to_do = "pass -o another folder"
    return check_output_file((folder or Path()) / file_name, force, what_to_do)


def _read_case(file: Path) -> tuple[AnyFamily, Case]:
    """(model family, validated case) of a workbook."""
    from fairpool.models import family_of

    family = family_of(file)
    return family, family.read_case(file)


def _echo_json(document: Mapping[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


@app.command()
def template(
    model: Annotated[str, typer.Argument(help="joint_park | infrastructure | cost_sharing")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a case workbook template: every sheet, instructions (EN/中文), examples."""
    with _reporting_errors():
        from fairpool.models import family
        from fairpool.optimizer.workbook.files import check_output_file

        chosen = family(model)
        check_output_file(output, force, "choose another path with -o")
        written = chosen.write_template(output)
        typer.echo(f"wrote {written} — fill it in, then: fairpool validate {written}")


@app.command()
def validate(file: CaseFile, as_json: JsonFlag = False) -> None:
    """Check a case workbook and list every problem with its sheet, row and column."""
    with _reporting_errors(file):
        family, case = _read_case(file)
        warnings = list(case.warnings)
        if as_json:
            _echo_json({"valid": True, "model": family.name, "warnings": warnings})
            return
        typer.echo(f"{file}: valid {family.name} case, {len(case.parties)} parties")
        for warning in warnings:
            typer.echo(f"warning: {warning}")


@app.command()
def solve(
    file: CaseFile,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the results workbook.")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(help="shapley | nucleolus | proportional:<attr> | equal_gain | nash ..."),
    ] = None,
    core: Annotated[str | None, typer.Option(help="Core constraints: hard | soft | off.")] = None,
    distance: Annotated[str | None, typer.Option(help="Distance to target: l1 | linf.")] = None,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Solve a case: coalition values, every allocation, the fairest plan, a results workbook."""
    with _reporting_errors(file), _engine(workers, cache, no_cache, scheduler):
        from fairpool.reports.document import case_document
        from fairpool.reports.excel import write_results_workbook
        from fairpool.reports.text import render_case_result

        _check_choice("--core", core, ("hard", "soft", "off"))
        _check_choice("--distance", distance, ("l1", "linf"))
        family, case = _read_case(file)
        results_path = _results_path(output, f"{file.stem}_results.xlsx", force, source=file)
        if len(case.parties) > 15:
            typer.echo(
                f"warning: {len(case.parties)} parties: solve computes all "
                f"{(1 << len(case.parties)) - 1:,} coalition values (cached; --workers "
                f"shares them out); `fairpool shapley {file}` samples the Shapley value instead",
                err=True,
            )
        result = family.solve(
            case,
            target=target,
            core=cast("CoreMode | None", core),
            distance=cast("DistanceKind | None", distance),
        )
        written = write_results_workbook(result, results_path)
        if as_json:
            _echo_json({**case_document(result), "results_workbook": str(written)})
            return
        typer.echo(render_case_result(result))
        typer.echo(f"\nResults workbook: {written}")


@app.command()
def check(
    file: CaseFile,
    proposal: Annotated[
        Path | None,
        typer.Option(help="Workbook whose 'proposal' sheet to judge (default: the case's)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with 1 when the proposal is not fair.")
    ] = False,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """Judge a proposal: each party's NPV, who would walk away, the core, distances."""
    with _reporting_errors(file), _engine(workers, cache, no_cache, scheduler):
        from fairpool.reports.document import check_document

        family, case = _read_case(file)
        given = None if proposal is None else family.read_proposal(proposal, case)
        judged = family.check(case, given)
        if as_json:
            _echo_json(check_document(judged))
        else:
            for line in judged.verdict:
                typer.echo(line)
        if strict and not judged.fair:
            raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def sweep(
    file: CaseFile,
    party: Annotated[str, typer.Option(help="Party whose ratio (or cost share) slides.")],
    stream: Annotated[
        str, typer.Option(help="Joint park: stream, or 'all' for one ratio on every stream.")
    ] = "all",
    phase: Annotated[str, typer.Option(help="Joint park: phase, or 'all'.")] = "all",
    project: Annotated[
        str, typer.Option(help="Infrastructure: project, or 'all' for every project.")
    ] = "all",
    start: Annotated[float, typer.Option("--from", help="First ratio.")] = 0.0,
    stop: Annotated[float, typer.Option("--to", help="Last ratio.")] = 1.0,
    step: Annotated[float, typer.Option(help="Ratio step.")] = 0.05,
    max_steps: Annotated[
        int, typer.Option(min=1, help="Most steps one sweep may take (each is a solve).")
    ] = MAX_SWEEP_STEPS,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """Slide one ratio or cost share: NPVs, core verdicts and the exact core band."""
    with _reporting_errors(file), _engine(workers, cache, no_cache, scheduler):
        import numpy as np

        from fairpool.models.family import ALL, SweepLine
        from fairpool.reports.document import sweep_document
        from fairpool.reports.text import render_sweep

        sweep_ratio_count(start, stop, step, max_steps)
        family, case = _read_case(file)

        def picked(value: str) -> str:
            return ALL if value.lower() in ("all", ALL) else value

        line = SweepLine(party, picked(stream), picked(phase), picked(project))
        ratios = np.round(np.arange(start, stop + step / 2, step), 10)
        result = family.sweep(case, line, ratios.tolist())
        if as_json:
            _echo_json(sweep_document(result))
        else:
            typer.echo(render_sweep(result))


@app.command()
def coalitions(
    file: CaseFile,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """The coalition values v(S) of a case: what every group of parties reaches alone."""
    with _reporting_errors(file), _engine(workers, cache, no_cache, scheduler):
        from fairpool.reports.document import json_number, players_entry
        from fairpool.reports.text import cell, render_table

        family, case = _read_case(file)
        game = family.coalition_game(case)
        labels = [game.label(mask) for mask in range(1, 1 << game.n)]
        if as_json:
            _echo_json(
                {
                    "players": players_entry(game),
                    "coalition_values": {
                        label: json_number(game.values[mask])
                        for mask, label in enumerate(labels, start=1)
                    },
                }
            )
            return
        rows = [["coalition", "value"]]
        rows += [[label, cell(game.values[mask])] for mask, label in enumerate(labels, start=1)]
        typer.echo(render_table(rows))


@app.command()
def shapley(
    file: CaseFile,
    exact_limit: Annotated[
        int,
        typer.Option(min=1, help="Exact up to this many parties (2^n solves); sampled above."),
    ] = 15,
    permutations: Annotated[
        int, typer.Option(min=1, help="Random orders drawn when sampling (antithetic pairs).")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the sampling: same seed, same answer.")] = 0,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """Shapley value of a case, for any number of parties: sampled with standard errors above
    the exact limit."""
    with _reporting_errors(file), _engine(workers, cache, no_cache, scheduler):
        from fairpool.models import case_shapley
        from fairpool.optimizer.solutions.sampling import standard_errors
        from fairpool.reports.document import json_number
        from fairpool.reports.text import cell, render_table

        _, case = _read_case(file)
        allocation = case_shapley(
            case, exact_limit=exact_limit, permutations=permutations, seed=seed
        )
        errors = standard_errors(allocation)
        if as_json:
            _echo_json(
                {
                    "shapley": {p: json_number(x) for p, x in allocation.as_dict().items()},
                    "standard_error": None
                    if errors is None
                    else {
                        p: json_number(e) for p, e in zip(allocation.players, errors, strict=True)
                    },
                    "details": {
                        k: v for k, v in allocation.details.items() if not k.startswith("standard")
                    },
                }
            )
            return
        names = dict(zip(case.parties, case.party_names, strict=True))
        rows = [["party", "Shapley value", "± 1.96 SE (95%)" if errors is not None else ""]]
        for i, (party, value) in enumerate(allocation.as_dict().items()):
            label = party if names[party] == party else f"{names[party]} {party}"
            margin = "" if errors is None else cell(1.96 * errors[i])
            rows.append([label, cell(value), margin])
        typer.echo(render_table(rows))
        if errors is None:
            typer.echo(f"exact: all {(1 << len(case.parties)) - 1:,} coalitions solved")
        else:
            typer.echo(
                f"sampled: {int(allocation.details['permutations']):,} random orders "
                f"(antithetic), seed {seed}; the shares add up to the grand coalition exactly"
            )


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


def _check_choice(option: str, value: str | None, choices: Sequence[str]) -> None:
    from fairpool.optimizer.errors import CaseError

    if value is not None and value not in choices:
        raise CaseError(f"{option} must be one of {', '.join(choices)}, got {value!r}")


# -- fairpool demo -----------------------------------------------------------------------
@app.command()
def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the demo's results.")
    ] = Path("fairpool-demo"),
    as_json: JsonFlag = False,
    force: Force = False,
) -> None:
    """Solve the shipped three-party co-built park (四川–浙江 style) and write its results."""
    with _reporting_errors():
        from fairpool.cases import case_path
        from fairpool.models import family
        from fairpool.reports.document import case_document
        from fairpool.reports.excel import write_results_workbook
        from fairpool.reports.text import render_case_result

        source = case_path("sichuan_zhejiang_park.xlsx")
        park = family("joint_park")
        case = park.read_case(source)
        results_path = _results_path(output, source.stem + "_results.xlsx", force, source=None)
        result = park.solve(case)
        written = write_results_workbook(result, results_path)
        if as_json:
            _echo_json({**case_document(result), "results_workbook": str(written)})
            return
        typer.echo(
            "Demo: a sending city, a host county and their province co-build an industrial\n"
            "park and split its local taxes by ratio. Which split is fair?\n"
        )
        typer.echo(render_case_result(result))
        typer.echo(f"\nResults workbook: {written}")
        typer.echo(
            f"Your own case: fairpool template joint_park -o my_park.xlsx  (source: {source})"
        )


# -- shared by game and demo -------------------------------------------------------------
def _solve_and_print(
    the_game: Game,
    methods: Sequence[str] | None,
    allocation: str | None,
    as_json: bool,
    strict: bool,
    source: str,
) -> None:
    from fairpool.optimizer.analysis import analyse_game
    from fairpool.optimizer.fairness import describe
    from fairpool.reports.document import game_document
    from fairpool.reports.text import render_comparison

    proposal = parse_allocation(allocation, the_game) if allocation is not None else None
    analysis = analyse_game(
        the_game,
        methods=list(methods) if methods else None,
        proposal=proposal.shares if proposal is not None else None,
    )
    document = game_document(analysis)
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_comparison(the_game, document, source))
        if proposal is not None:
            typer.echo("")
            typer.echo(describe(analysis.fairness["proposal"], the_game))
    if strict and proposal is not None and not analysis.fairness["proposal"].in_core:
        raise typer.Exit(EXIT_CHECK_FAILED)


def parse_allocation(text: str, the_game: Game) -> Allocation:
    """``"SZ=40,SW=25,HY=35"`` (ids or display names) as an Allocation in player order.

    Every party must be given exactly once; unknown or missing parties are input errors.
    """
    import math

    import numpy as np

    from fairpool.optimizer.errors import CaseError, Problem
    from fairpool.optimizer.results import Allocation

    lookup = {p: i for i, p in enumerate(the_game.players)}
    lookup.update({name: i for i, name in enumerate(the_game.names) if name not in lookup})
    shares: dict[int, float] = {}
    problems = []
    for item in filter(None, (part.strip() for part in text.replace("，", ",").split(","))):
        party, sep, amount = (s.strip() for s in item.partition("="))
        if not sep:
            problems.append(Problem("--allocation", f"expected PARTY=AMOUNT, got {item!r}"))
            continue
        if party not in lookup:
            problems.append(
                Problem(
                    "--allocation",
                    f"unknown party {party!r}; parties are {', '.join(the_game.players)}",
                )
            )
            continue
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


def main() -> None:
    """Console entry point (``fairpool = "fairpool.cli:main"``)."""
    app(prog_name="fairpool")


if __name__ == "__main__":
    main()
    sys.exit(0)
