"""The output of ``fairpool game``: every asked solution concept of an explicit game side by
side, a proposed allocation judged, or the JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from fairpool.commands.running import EXIT_CHECK_FAILED, echo_json, parse_allocation

if TYPE_CHECKING:
    from fairpool.optimizer.game import Game


def print_game_analysis(
    the_game: Game,
    methods: Sequence[str] | None,
    allocation: str | None,
    as_json: bool,
    strict: bool,
    source: str,
    asked: tuple[bool, bool] = (True, True),
) -> None:
    """Analyse ``the_game`` for ``methods`` (all when ``None``; ``asked``: whether the core
    and the game's properties are wanted) and print the comparison, or the JSON document; a
    proposed ``allocation`` ("A=1,B=2") is judged too, and with ``strict`` an allocation
    outside the core exits with 1."""
    from fairpool.optimizer.analysis import analyse_game
    from fairpool.reports.document import game_document

    proposal = parse_allocation(allocation, the_game) if allocation is not None else None
    analysis = analyse_game(
        the_game,
        methods=list(methods) if methods else None,
        proposal=proposal.shares if proposal is not None else None,
        core=asked[0],
        properties=asked[1],
        references=proposal is not None and not as_json,  # the proposal's distances, printed
    )
    document = game_document(analysis)
    if as_json:
        echo_json(document)
    else:
        from fairpool.optimizer.fairness import describe
        from fairpool.reports.text import render_comparison  # not needed with --json

        typer.echo(render_comparison(the_game, document, source))
        if proposal is not None:
            typer.echo("")
            typer.echo(describe(analysis.fairness["proposal"], the_game))
    if strict and proposal is not None and not analysis.fairness["proposal"].in_core:
        raise typer.Exit(EXIT_CHECK_FAILED)
