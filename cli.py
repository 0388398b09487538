"""The ``fairpool`` command: parse options, call the engine, print. Nothing else.

Errors become exit codes and one-line messages in
:func:`fairpool.commands.running.reporting_errors` (2 bad input, 3 solver trouble; 1 when
``--strict`` and a proposal is not in the core). numpy, pandas and HiGHS are imported inside
the commands so that ``fairpool --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from fairpool.commands.running import (
    EXIT_CHECK_FAILED,
    MAX_SWEEP_STEPS,
    check_choice,
    echo_json,
    engine,
    parse_allocation,
    read_case,
    reporting_errors,
    results_path,
    sweep_ratio_count,
)

if TYPE_CHECKING:
    from fairpool.models.family import CoreMode, DistanceKind
    from fairpool.optimizer.game import Game

app = typer.Typer(
    name="fairpool",
    help="Fair shares of the gains and costs of regional cooperation "
    "(Shapley value, nucleolus, core, fairness checks).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
) -> None:
    """Solve an explicit game file with every method and compare them."""
    with reporting_errors(file):
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


@app.command()
def template(
    model: Annotated[str, typer.Argument(help="joint_park | infrastructure | cost_sharing")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a case workbook template: every sheet, instructions (EN/中文), examples."""
    with reporting_errors():
        from fairpool.models import family
        from fairpool.optimizer.workbook.files import check_output_file

        chosen = family(model)
        check_output_file(output, force, "choose another path with -o")
        written = chosen.write_template(output)
        typer.echo(f"wrote {written} — fill it in, then: fairpool validate {written}")


@app.command()
def validate(file: CaseFile, as_json: JsonFlag = False) -> None:
    """Check a case workbook and list every problem with its sheet, row and column."""
    with reporting_errors(file):
        family, case = read_case(file)
        warnings = list(case.warnings)
        if as_json:
            echo_json({"valid": True, "model": family.name, "warnings": warnings})
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
    with reporting_errors(file), engine(workers, cache, no_cache, scheduler):
        from fairpool.reports.document import case_document
        from fairpool.reports.excel import write_results_workbook
        from fairpool.reports.text import render_case_result

        check_choice("--core", core, ("hard", "soft", "off"))
        check_choice("--distance", distance, ("l1", "linf"))
        family, case = read_case(file)
        written_path = results_path(output, f"{file.stem}_results.xlsx", force, source=file)
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
        written = write_results_workbook(result, written_path)
        if as_json:
            echo_json({**case_document(result), "results_workbook": str(written)})
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
    with reporting_errors(file), engine(workers, cache, no_cache, scheduler):
        from fairpool.reports.document import check_document

        family, case = read_case(file)
        given = None if proposal is None else family.read_proposal(proposal, case)
        judged = family.check(case, given)
        if as_json:
            echo_json(check_document(judged))
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
    with reporting_errors(file), engine(workers, cache, no_cache, scheduler):
        import numpy as np

        from fairpool.models.family import ALL, SweepLine
        from fairpool.reports.document import sweep_document
        from fairpool.reports.text import render_sweep

        sweep_ratio_count(start, stop, step, max_steps)
        family, case = read_case(file)

        def picked(value: str) -> str:
            return ALL if value.lower() in ("all", ALL) else value

        line = SweepLine(party, picked(stream), picked(phase), picked(project))
        ratios = np.round(np.arange(start, stop + step / 2, step), 10)
        result = family.sweep(case, line, ratios.tolist())
        if as_json:
            echo_json(sweep_document(result))
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
    with reporting_errors(file), engine(workers, cache, no_cache, scheduler):
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
    with reporting_errors(file), engine(workers, cache, no_cache, scheduler):
        from fairpool.models import case_shapley
        from fairpool.optimizer.solutions.sampling import standard_errors
        from fairpool.reports.document import json_number
        from fairpool.reports.text import cell, render_table

        _, case = read_case(file)
        allocation = case_shapley(
            case, exact_limit=exact_limit, permutations=permutations, seed=seed
        )
        errors = standard_errors(allocation)
        if as_json:
            echo_json(
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
    with reporting_errors():
        from fairpool.cases import case_path
        from fairpool.models import family
        from fairpool.reports.document import case_document
        from fairpool.reports.excel import write_results_workbook
        from fairpool.reports.text import render_case_result

        source = case_path("sichuan_zhejiang_park.xlsx")
        park = family("joint_park")
        case = park.read_case(source)
        written_path = results_path(output, source.stem + "_results.xlsx", force, source=None)
        result = park.solve(case)
        written = write_results_workbook(result, written_path)
        if as_json:
            echo_json({**case_document(result), "results_workbook": str(written)})
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


def main() -> None:
    """Console entry point (``fairpool = "fairpool.cli:main"``)."""
    app(prog_name="fairpool")


if __name__ == "__main__":
    main()
    sys.exit(0)
