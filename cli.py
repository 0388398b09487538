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
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    from optimizer.solutions import METHODS

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
    document = game_document(the_game, analysis, proposal)
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_comparison(the_game, document, source))
        for method, reason in dict(getattr(analysis, "skipped", {}) or {}).items():
            typer.echo(f"Not applicable: {method}: {reason}")
        if proposal is not None:
            from optimizer.fairness import describe

            typer.echo("")
            typer.echo(describe(_fairness_of(analysis, the_game, proposal), the_game))
    if strict and proposal is not None and not document["fairness"]["proposal"]["in_core"]:
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


def _fairness_of(analysis: Any, the_game: Game, allocation: Allocation) -> Any:
    """The analysis's fairness report of an allocation (computed here if it has none)."""
    reports = getattr(analysis, "fairness", {}) or {}
    if allocation.method in reports:
        return reports[allocation.method]
    from optimizer.fairness import check_allocation

    return check_allocation(the_game, allocation)


def _number(value: Any) -> float | None:
    """A JSON-safe float (None for NaN/inf), rounded to remove binary noise."""
    import math

    value = float(value)
    return round(value, 10) if math.isfinite(value) else None


def _properties_of(analysis: Any) -> dict[str, Any]:
    import dataclasses

    properties = getattr(analysis, "properties", None)
    if properties is None:
        return {}
    if dataclasses.is_dataclass(properties):
        properties = dataclasses.asdict(properties)
    return {k: (bool(v) if v is not None else None) for k, v in dict(properties).items()}


def game_document(the_game: Game, analysis: Any, proposal: Allocation | None) -> dict[str, Any]:
    """The ``--json`` document of a game (SPEC §4; keys documented in the README)."""
    allocations: Mapping[str, Allocation] = dict(analysis.allocations)
    solutions = {
        method: {p: _number(x) for p, x in alloc.as_dict().items()}
        for method, alloc in allocations.items()
        if method != "proposal"
    }
    epsilon = getattr(analysis, "least_core_epsilon", None)
    if epsilon is None and "least_core" in allocations:
        epsilon = allocations["least_core"].details.get("epsilon")
    fairness = {}
    checked = [a for m, a in allocations.items() if m != "proposal"]
    if proposal is not None:
        checked.append(proposal)
    for alloc in checked:
        report = _fairness_of(analysis, the_game, alloc)
        fairness[alloc.method] = {
            "in_core": bool(report.in_core),
            "individually_rational": bool(report.individually_rational),
            "worst_coalition": the_game.label(int(report.worst_coalition)),
            "worst_excess": _number(report.worst_excess),
        }
    document: dict[str, Any] = {
        "players": [
            {"id": p, "name": name}
            for p, name in zip(the_game.players, the_game.names, strict=True)
        ],
        "orientation": the_game.orientation,
        "grand_value": _number(the_game.grand_value),
        "solutions": solutions,
        "core": {
            "empty": bool(
                getattr(analysis, "core_empty", None)
                if hasattr(analysis, "core_empty")
                else epsilon is not None and epsilon > _core_tolerance(the_game)
            ),
            "least_core_epsilon": _number(epsilon) if epsilon is not None else None,
        },
        "properties": _properties_of(analysis),
        "fairness": fairness,
    }
    if proposal is not None:
        document["allocations"] = {
            "proposal": {p: _number(x) for p, x in proposal.as_dict().items()}
        }
    return document


def _core_tolerance(the_game: Game) -> float:
    import numpy as np

    return 1e-9 * max(1.0, float(np.max(np.abs(the_game.values))))


# -- plain-text rendering -----------------------------------------------------------------
def display_width(text: str) -> int:
    """Terminal columns of a text: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_table(
    rows: Sequence[Sequence[str]], right_from: int = 1, left_from: int | None = None
) -> str:
    """Rows of cells as aligned columns; columns ``right_from`` to ``left_from − 1`` (numbers)
    are right-aligned, measured in terminal columns so that Chinese names line up."""
    widths = [max(display_width(row[j]) for row in rows) for j in range(len(rows[0]))]
    stop = len(widths) if left_from is None else left_from

    def aligned(j: int, cell: str) -> str:
        return _pad(cell, widths[j], right=right_from <= j < stop)

    return "\n".join(
        "  ".join(aligned(j, cell) for j, cell in enumerate(row)).rstrip() for row in rows
    )


def render_comparison(the_game: Game, document: Mapping[str, Any], source: str) -> str:
    """Every method side by side, the core line, properties and core membership."""
    kind = "cost shares" if the_game.orientation == "cost" else "benefit shares"
    symbol = "c(N)" if the_game.orientation == "cost" else "v(N)"
    lines = [
        f"{source}: {the_game.orientation} game, {the_game.n} parties, "
        f"{symbol} = {the_game.grand_value:,.2f}  ({kind} by method)",
        "",
    ]
    methods = list(document["solutions"])
    if "proposal" in document.get("allocations", {}):
        methods.append("proposal")
    shares = {**document["solutions"], **document.get("allocations", {})}
    fairness = document["fairness"]
    standalone = the_game.standalone_values
    party_labels = [
        party if name == party else f"{name} {party}"
        for party, name in zip(the_game.players, the_game.names, strict=True)
    ]
    verdicts = ["yes" if fairness[m]["in_core"] else "NO" for m in methods]
    worst = [
        f"{fairness[m]['worst_coalition'] or '-'} ({_cell(fairness[m]['worst_excess'])})"
        for m in methods
    ]
    if the_game.n <= len(methods):  # few parties: one row per method
        rows = [
            ["method", *party_labels, "in core", "worst coalition (excess)"],
            ["alone", *(f"{x:,.2f}" for x in standalone), "", ""],
        ]
        for k, m in enumerate(methods):
            rows.append(
                [m, *(_cell(shares[m][p]) for p in the_game.players), verdicts[k], worst[k]]
            )
        lines.append(render_table(rows, right_from=1, left_from=the_game.n + 1))
    else:  # many parties: one row per party
        rows = [["party", "alone", *methods]]
        for i, party in enumerate(the_game.players):
            rows.append(
                [
                    party_labels[i],
                    f"{standalone[i]:,.2f}",
                    *(_cell(shares[m][party]) for m in methods),
                ]
            )
        rows.append(["in core", "", *verdicts])
        rows.append(["worst coalition", "", *worst])
        lines.append(render_table(rows))
    lines.append("")
    core = document["core"]
    epsilon = core["least_core_epsilon"]
    if epsilon is None:
        lines.append("Core: not computed")
    elif core["empty"]:
        lines.append(
            f"Core: EMPTY. Least core ε = {epsilon:,.4g}: any split leaves some coalition "
            f"{epsilon:,.4g} better off on its own."
        )
    else:
        lines.append(
            f"Core: non-empty. Least core ε = {epsilon:,.4g}: there are splits where every "
            f"coalition is at least {-epsilon:,.4g} better off staying in."
        )
    properties = document["properties"]
    if properties:
        lines.append(
            "Properties: "
            + ", ".join(
                f"{k} {'yes' if v else 'no' if v is not None else '?'}"
                for k, v in properties.items()
            )
        )
    lines.append(
        "A positive excess means that coalition would be better off on its own (it blocks)."
    )
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def main() -> None:
    """Console entry point (``fairpool = "cli:main"``)."""
    app(prog_name="fairpool")


if __name__ == "__main__":
    main()
    sys.exit(0)
