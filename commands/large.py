"""``check`` and ``solve`` on cases above the enumeration limit: constraint generation
(:mod:`fairpool.models.large`), with its progress on stderr and its own text and JSON
(:mod:`fairpool.reports.large`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from fairpool.commands.running import EXIT_CHECK_FAILED, echo_json

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case, CoreMode, DistanceKind


def progress_line(text: str) -> None:
    """One line of generation progress on stderr (stdout keeps the result, or the JSON)."""
    typer.echo(f"  generation: {text}", err=True)


def unwritten_outputs(**given: object) -> None:
    """Say on stderr which asked-for files a result by generation does not write yet."""
    asked = [name for name, value in given.items() if value]
    if asked:
        typer.echo(
            f"note: {', '.join(asked)} not written: results by constraint generation are "
            "printed (text or --json) only; --exact writes them (all coalitions enumerated)",
            err=True,
        )


def warn_enumerating(command: str, parties: int) -> None:
    """Say on stderr that ``--exact`` above the enumeration limit computes every coalition
    value, and that generation is the default there."""
    from fairpool.models.large import ENUMERATION_LIMIT

    if parties > ENUMERATION_LIMIT:
        typer.echo(
            f"warning: {parties} parties with --exact: {command} computes all "
            f"{(1 << parties) - 1:,} coalition values (cached; --workers shares them out); "
            "without --exact, constraint generation answers instead",
            err=True,
        )


def solve_by_generation(
    family: AnyFamily,
    case: Case,
    target: str | None,
    as_json: bool,
    quiet: bool = False,
    *,
    core: CoreMode | None = None,
    distance: DistanceKind | None = None,
) -> None:
    """``fairpool solve`` by generation: the target allocation with its certificate, and the
    plan toward it (``core`` and ``distance``: the command line's, else the case sheet's)."""
    from fairpool.models.large import solve_large
    from fairpool.reports.large import large_solve_document, render_large_solve

    progress = None if quiet else progress_line
    result = solve_large(family, case, target, progress=progress, core=core, distance=distance)
    if as_json:
        echo_json(large_solve_document(result))
    else:
        typer.echo(render_large_solve(result))


def check_by_generation(
    family: AnyFamily, case: Case, proposal: object | None, as_json: bool, strict: bool
) -> None:
    """``fairpool check`` by generation: the worst coalition and its certificate."""
    from fairpool.models.large import check_large
    from fairpool.reports.large import large_check_document, render_large_check

    judged = check_large(family, case, proposal, progress=progress_line)
    if as_json:
        echo_json(large_check_document(judged))
    else:
        typer.echo(render_large_check(judged))
    if strict and not judged.fair:
        raise typer.Exit(EXIT_CHECK_FAILED)


__all__ = [
    "check_by_generation",
    "progress_line",
    "solve_by_generation",
    "unwritten_outputs",
    "warn_enumerating",
]
