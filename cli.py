"""The ``fairpool`` command: parse options, call the engine, print. Nothing else.

Errors become exit codes and one-line messages in
:func:`fairpool.commands.running.reporting_errors` (2 bad input, 3 solver trouble; 1 when
``--strict`` and a proposal is not in the core). numpy, pandas and HiGHS are imported inside
the commands so that ``fairpool --help`` starts fast.

No ``from __future__ import annotations`` here: typer reads every command's signature on
every run, and string annotations cost it a compile and an ``eval`` each (10–30 ms a run);
annotations that name types imported only for the type checker are quoted instead.
"""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

# One OpenBLAS thread per process, unless the user says otherwise: fairpool's numpy linear
# algebra is on matrices of at most a few dozen columns, where threads only cost their start
# (about 50 ms at import on a busy 2-core machine) and, with ``-j N`` worker processes,
# oversubscribe the cores. Set before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import typer

from fairpool.commands.large import warn_enumerating
from fairpool.commands.options import (
    CachePath,
    CaseFile,
    ChartsFolder,
    FairnessSlack,
    FewestDistinctFlag,
    Force,
    ForceReports,
    Generate,
    HtmlReport,
    JsonFlag,
    MaxChanges,
    NoCache,
    ReportLang,
    RoundTo,
    SamplingChoice,
    Scheduler,
    SimplePreset,
    Transfers,
    UniformStreams,
    Workers,
    at_least,
)
from fairpool.commands.running import (
    EXIT_CHECK_FAILED,
    MAX_SWEEP_STEPS,
    check_choice,
    echo_json,
    engine,
    read_case,
    reporting_errors,
    results_path,
    sweep_ratio_count,
)

if TYPE_CHECKING:
    from fairpool.models.family import CoreMode, DistanceKind
    from fairpool.optimizer.solutions.sampling import SamplingMethod
    from fairpool.reports.i18n import Language

app = typer.Typer(
    name="fairpool",
    help="Fair shares of the gains and costs of regional cooperation "
    "(Shapley value, nucleolus, core, fairness checks).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
    core: Annotated[
        bool,
        typer.Option("--core", help="With --method: also say whether the core is empty (ε*)."),
    ] = False,
    properties: Annotated[
        bool,
        typer.Option("--properties", help="With --method: also check the game's properties."),
    ] = False,
) -> None:
    """Every method on an explicit coalition table (CSV or .xlsx)."""
    with reporting_errors(file, as_json):
        from fairpool.commands.game import print_game_analysis
        from fairpool.optimizer.workbook.explicit import read_game_file

        the_game = read_game_file(
            file,
            orientation="cost" if cost else "benefit",
            fill=fill,
            players_path=players,
        )
        asked = (core, properties) if method else (True, True)  # no --method: everything
        print_game_analysis(the_game, method, allocation, as_json, strict, str(file), asked)


# -- case workbooks: template, validate, solve, check, sweep, coalitions -------------------
@app.command()
def template(
    model: Annotated[str, typer.Argument(help="joint_park | infrastructure | cost_sharing")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a case workbook template to fill in."""
    with reporting_errors():
        from fairpool.models import family
        from fairpool.optimizer.workbook.files import check_output_file

        chosen = family(model)
        check_output_file(output, force, "choose another path with -o")
        written = chosen.write_template(output)
        typer.echo(f"wrote {written} — fill it in, then: fairpool validate {written}")


@app.command()
def validate(file: CaseFile, as_json: JsonFlag = False) -> None:
    """List every problem of a case workbook, each with its place."""
    with reporting_errors(file, as_json):
        from fairpool.commands.validate import validate_case, validation_document

        validation = validate_case(file)
        if as_json:
            echo_json(validation_document(file, validation))
            return
        family, case = validation.family, validation.case
        typer.echo(f"{file}: valid {family.name} case, {len(case.parties)} parties")
        for warning in validation.warnings:
            typer.echo(f"warning: {warning}")


@app.command(context_settings={"allow_extra_args": True})  # several files: point to batch
def solve(
    context: typer.Context,
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
    round_to: RoundTo = None,
    uniform_streams: UniformStreams = False,
    max_changes: MaxChanges = None,
    transfers: Transfers = None,
    fairness_slack: FairnessSlack = None,
    fewest_distinct: FewestDistinctFlag = False,
    simple: SimplePreset = False,
    generate: Generate = None,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
    force: Force = False,
    html: HtmlReport = None,
    charts: ChartsFolder = None,
    lang: ReportLang = None,
) -> None:
    """Coalition values, every allocation and the fairest plan."""
    with reporting_errors(file, as_json):
        if context.args:
            from fairpool.commands.batch import several_cases_message

            raise several_cases_message([file, *map(Path, context.args)])
    with reporting_errors(file, as_json), engine(workers, cache, no_cache, scheduler):
        from fairpool.commands.outputs import echo_reports, report_request, write_reports
        from fairpool.reports.document import case_document
        from fairpool.reports.excel import write_results_workbook
        from fairpool.reports.text import render_case_result

        check_choice("--core", core, ("hard", "soft", "off"))
        check_choice("--distance", distance, ("l1", "linf"))
        from fairpool.commands.simple import simplicity_options

        simplicity = simplicity_options(
            round_to=round_to,
            uniform_streams=uniform_streams,
            max_changes=max_changes,
            transfers=transfers,
            fairness_slack=fairness_slack,
            simple=simple,
        )
        family, case = read_case(file)
        from fairpool.models.large import use_generation

        if use_generation(len(case.parties), generate):
            from fairpool.commands.large import solve_by_generation, unwritten_outputs

            unwritten_outputs(**{"--output": output, "--html": html, "--charts": charts})
            solve_by_generation(
                family,
                case,
                target,
                as_json,
                core=cast("CoreMode | None", core),
                distance=cast("DistanceKind | None", distance),
            )
            return
        written_path = results_path(output, f"{file.stem}_results.xlsx", force, source=file)
        request = report_request(html, charts, lang, force)
        warn_enumerating("solve", len(case.parties))
        simplicity["target"] = target
        if fewest_distinct:  # the case sheet's mode (count) when it names one
            simplicity["fewest_distinct"] = case.simplicity.get("fewest_distinct") or "variation"
        simplicity["core"] = cast("CoreMode | None", core)
        simplicity["distance"] = cast("DistanceKind | None", distance)
        result = family.solve(case, **simplicity)
        written = write_results_workbook(result, written_path, lang=request.lang)
        reports = write_reports(request, family, case, result)
        if as_json:
            echo_json({**case_document(result), "results_workbook": str(written), **reports})
            return
        typer.echo(render_case_result(result))
        typer.echo(f"\nResults workbook: {written}")
        echo_reports(reports)


@app.command()
def check(
    file: CaseFile,
    proposal: Annotated[
        Path | None,
        typer.Option(
            help="Proposal to judge: a workbook with a 'proposal' sheet (no other sheet "
            "needed) or a CSV with its columns (default: the case's proposal sheet)."
        ),
    ] = None,
    ratio: Annotated[
        str | None,
        typer.Option(
            help='Joint park: split ratios, e.g. "SZ=0.40,SW=0.25,GD=0.35" (ids or names; '
            "40% works), for every stream and phase unless --stream/--phase narrow them."
        ),
    ] = None,
    share: Annotated[
        str | None,
        typer.Option(
            help='Cost families: cost shares, e.g. "A=0.3,B=0.7" (ids or names), for every '
            "project unless --project narrows them."
        ),
    ] = None,
    stream: Annotated[
        str | None, typer.Option(help="With --ratio: only this stream (others: the baseline).")
    ] = None,
    phase: Annotated[
        str | None, typer.Option(help="With --ratio: only this phase (others: the baseline).")
    ] = None,
    project: Annotated[
        str | None, typer.Option(help="With --share: only this project (others: the baseline).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with 1 when the proposal is not fair.")
    ] = False,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
    html: HtmlReport = None,
    charts: ChartsFolder = None,
    lang: ReportLang = None,
    force: ForceReports = False,
    generate: Generate = None,
) -> None:
    """Judge a proposal: who would leave, and the smallest fix."""
    with reporting_errors(file, as_json), engine(workers, cache, no_cache, scheduler):
        from fairpool.commands.outputs import echo_reports, report_request, write_reports
        from fairpool.commands.proposals import read_given_proposal
        from fairpool.reports.document import check_document

        request = report_request(html, charts, lang, force)
        family, case = read_case(file)
        given = read_given_proposal(
            family,
            case,
            proposal=proposal,
            ratio=ratio,
            share=share,
            scope={"stream": stream, "phase": phase, "project": project},
        )
        from fairpool.models.large import use_generation

        if use_generation(len(case.parties), generate):
            from fairpool.commands.large import check_by_generation, unwritten_outputs

            unwritten_outputs(**{"--html": html, "--charts": charts})
            check_by_generation(family, case, given, as_json, strict)
            return
        judged = family.check(case, given)
        reports = write_reports(request, family, case, judged, proposal=given)
        if as_json:
            echo_json({**check_document(judged), **reports})
        else:
            from fairpool.reports.text import render_check

            typer.echo(render_check(judged))
            echo_reports(reports)
        if strict and not judged.fair:
            raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def sweep(
    file: CaseFile,
    party: Annotated[
        str, typer.Option(help="Party whose ratio (or cost share) slides: its id or its name.")
    ],
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
        int,
        typer.Option(callback=at_least(1), help="Most steps one sweep may take (each is a solve)."),
    ] = MAX_SWEEP_STEPS,
    against: Annotated[
        str | None,
        typer.Option(
            help="The one party that gives up or takes the difference (id or name); "
            "default: the other parties share the rest in the baseline's proportions."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Also write the sweep as a workbook (table and chart)."
        ),
    ] = None,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
    html: HtmlReport = None,
    charts: ChartsFolder = None,
    lang: ReportLang = None,
    force: ForceReports = False,
    generate: Generate = None,
) -> None:
    """Slide one ratio or cost share: NPVs and the core band."""
    with reporting_errors(file, as_json), engine(workers, cache, no_cache, scheduler):
        import numpy as np

        from fairpool.commands.outputs import (
            echo_reports,
            report_of_sweep,
            report_request,
            write_reports,
        )
        from fairpool.models.family import ALL, SweepLine
        from fairpool.optimizer.workbook.files import check_output_file
        from fairpool.reports.document import sweep_document
        from fairpool.reports.sweep_workbook import write_sweep_workbook
        from fairpool.reports.text import render_sweep

        sweep_ratio_count(start, stop, step, max_steps)
        request = report_request(html, charts, lang, force, swept=True)
        if output is not None:
            check_output_file(output, force, "choose another file with -o")
        family, case = read_case(file)

        def picked(value: str) -> str:
            return ALL if value.lower() in ("all", ALL) else value

        line = SweepLine(party, picked(stream), picked(phase), picked(project), against)
        ratios = np.round(np.arange(start, stop + step / 2, step), 10)
        from fairpool.models.large import use_generation

        if use_generation(len(case.parties), generate):
            from fairpool.commands.large import unwritten_outputs
            from fairpool.commands.large_sweep import sweep_by_generation

            unwritten_outputs(**{"--output": output, "--html": html, "--charts": charts})
            sweep_by_generation(family, case, line, ratios.tolist(), as_json)
            return
        warn_enumerating("sweep", len(case.parties))
        result = family.sweep(case, line, ratios.tolist())
        written = None if output is None else write_sweep_workbook(result, output, lang)
        reports = {
            **(
                write_reports(request, family, case, report_of_sweep(family, case), sweep=result)
                if request.wanted
                else {}
            ),
            **({} if written is None else {"sweep_workbook": str(written)}),
        }
        if as_json:
            echo_json({**sweep_document(result), **reports})
        else:
            typer.echo(render_sweep(result))
            echo_reports(reports)
            if written is not None:
                typer.echo(f"Sweep workbook: {written}")


@app.command()
def coalitions(
    file: CaseFile,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """The coalition values v(S) of a case."""
    with reporting_errors(file, as_json), engine(workers, cache, no_cache, scheduler):
        from fairpool.reports.document import json_number, players_entry
        from fairpool.reports.text import cell, render_table

        family, case = read_case(file)
        game = family.coalition_game(case)
        labels = [game.label(mask) for mask in range(1, 1 << game.n)]
        if as_json:
            echo_json(
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
        typer.Option(
            callback=at_least(1), help="Exact up to this many parties (2^n solves); sampled above."
        ),
    ] = 15,
    permutations: Annotated[
        int,
        typer.Option(
            callback=at_least(1), help="Sampling budget, in random orders' worth of values."
        ),
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the sampling: same seed, same answer.")] = 0,
    method: SamplingChoice = None,
    as_json: JsonFlag = False,
    workers: Workers = 1,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """The Shapley value of a case, for any number of parties."""
    with reporting_errors(file, as_json), engine(workers, cache, no_cache, scheduler):
        from fairpool.commands.shapley import print_shapley
        from fairpool.models import case_shapley
        from fairpool.optimizer.solutions.sampling import METHODS

        check_choice("--method", method, METHODS)
        _, case = read_case(file)
        allocation = case_shapley(
            case,
            exact_limit=exact_limit,
            permutations=permutations,
            seed=seed,
            method=cast("SamplingMethod | None", method),
        )
        print_shapley(case, allocation, as_json)


# -- fairpool batch ----------------------------------------------------------------------
@app.command()
def batch(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Case workbooks (.xlsx), game tables (.csv), or folders of them."),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder for each case's results and the summary."),
    ],
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            callback=at_least(0),
            help="Cases solved at once: this process and N−1 worker processes (0 = every "
            "core; 1 = one after another in this process).",
        ),
    ] = 0,
    cost: Annotated[
        bool, typer.Option("--cost", help="Game tables hold costs c(S), as for `game --cost`.")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Keep the cases whose input and outputs are unchanged since the "
            "last batch into the same folder; solve the others.",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace existing files in the output folder.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            help="en | zh: the summary's language (default en) and every results "
            "workbook's (default: each case's own)."
        ),
    ] = None,
    html: Annotated[
        bool,
        typer.Option(
            "--html",
            help="Also write each case workbook's HTML negotiation report, "
            "<stem>_report.html (game tables get none); about 1–2 s more a case.",
        ),
    ] = False,
    as_json: JsonFlag = False,
    cache: CachePath = None,
    no_cache: NoCache = False,
    scheduler: Scheduler = None,
) -> None:
    """Solve many cases in one run, with a summary table."""
    with reporting_errors(as_json=as_json):
        from fairpool.commands.batch import BatchOptions, batch_document, render_batch, run_batch
        from fairpool.optimizer.coalitions import default_cache_path

        check_choice("--lang", lang, ("en", "zh"))
        options = BatchOptions(
            inputs=inputs,
            output=output,
            jobs=jobs,
            cost=cost,
            lang=cast("Language | None", lang),
            resume=resume,
            force=force,
            cache=None if no_cache else (cache or default_cache_path()),
            scheduler=scheduler,
            html=html,
        )
        report = run_batch(options)
        if as_json:
            echo_json(batch_document(report))
        else:
            typer.echo(render_batch(report))
        if report.failed:
            raise typer.Exit(EXIT_CHECK_FAILED)


# -- fairpool demo -----------------------------------------------------------------------
@app.command()
def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the demo's results.")
    ] = Path("fairpool-demo"),
    as_json: JsonFlag = False,
    force: Force = False,
    lang: ReportLang = None,
) -> None:
    """Solve the shipped park: its HTML report and workbook."""
    with reporting_errors(as_json=as_json):
        from fairpool.cases import case_path
        from fairpool.commands.outputs import demo_instructions, report_request, write_reports
        from fairpool.models import family
        from fairpool.reports.document import case_document
        from fairpool.reports.excel import write_results_workbook
        from fairpool.reports.text import render_case_result

        source = case_path("sichuan_zhejiang_park.xlsx")
        park = family("joint_park")
        case = park.read_case(source)
        written_path = results_path(output, source.stem + "_results.xlsx", force, source=None)
        request = report_request(output / f"{source.stem}_report.html", None, lang, force)
        from fairpool.commands.simple import demo_options, plan_to_sign

        result = park.solve(case, **demo_options())
        written = write_results_workbook(result, written_path, lang=request.lang)
        reports = write_reports(request, park, case, result)
        if as_json:
            echo_json({**case_document(result), "results_workbook": str(written), **reports})
            return
        typer.echo(
            "Demo: a sending city, a host county and their province co-build an industrial\n"
            "park and split its local taxes by ratio. Which split is fair?\n"
        )
        typer.echo(render_case_result(result))
        typer.echo("")
        typer.echo("\n".join(plan_to_sign(result)))
        typer.echo("")
        typer.echo(demo_instructions(written, reports["html_report"]))
        typer.echo(
            f"Your own case: fairpool template joint_park -o my_park.xlsx  (source: {source})"
        )


def main() -> None:
    """Console entry point (``fairpool = "fairpool.cli:main"``)."""
    app(prog_name="fairpool")


if __name__ == "__main__":
    main()
    sys.exit(0)
