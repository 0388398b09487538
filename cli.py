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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from optimizer.game import Game
    from optimizer.results import Allocation

app = typer.Typer(
    name="fairpool",
    help="Fair shares of the gains and costs of regional cooperation "
    "(Shapley value, nucleolus, core, fairness checks).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CHECK_FAILED = 1


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
def _reporting_errors() -> Iterator[None]:
    """Turn fairpool's own errors into a message on stderr and their exit code."""
    from optimizer.errors import FairpoolError

    try:
        yield
    except FairpoolError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None


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
    with _reporting_errors():
        from cases.explicit import read_game_file

        the_game = read_game_file(
            file,
            orientation="cost" if cost else "benefit",
            fill=fill,
            players_path=players,
        )
        _solve_and_print(the_game, method, allocation, as_json, strict, source=str(file))


# -- fairpool demo -----------------------------------------------------------------------
@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Solve the shipped case: five cities sharing a water plant (a cost game)."""
    with _reporting_errors():
        from cases import case_path
        from cases.explicit import read_game_file

        the_game = read_game_file(
            case_path("shared_water_plant.csv"),
            orientation="cost",
            players_path=case_path("shared_water_plant_players.csv"),
        )
        if not as_json:
            typer.echo(
                "Demo: five East River cities can each build a water plant, or share one.\n"
                "Costs are in 亿元 (present value, 20 years). Who should pay what?\n"
            )
        _solve_and_print(the_game, None, None, as_json, False, source="shared_water_plant")


# -- shared by game and demo -------------------------------------------------------------
def _solve_and_print(
    the_game: Game,
    methods: Sequence[str] | None,
    allocation: str | None,
    as_json: bool,
    strict: bool,
    source: str,
) -> None:
    from optimizer.analysis import analyse_game
    from optimizer.fairness import describe
    from optimizer.solutions import METHODS
    from reports.document import game_document
    from reports.text import render_comparison

    if methods:
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            from optimizer.errors import CaseError

            raise CaseError(
                f"unknown method {', '.join(repr(m) for m in unknown)}; "
                f"choose from: {', '.join(METHODS)}"
            )
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
    from optimizer.errors import CaseError, Problem
    from optimizer.results import Allocation

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
    return Allocation("proposal", the_game.players, [shares[i] for i in range(the_game.n)])


def main() -> None:
    """Console entry point (``fairpool = "cli:main"``)."""
    app(prog_name="fairpool")


if __name__ == "__main__":
    main()
    sys.exit(0)
