"""``sweep`` on cases above the enumeration limit: one separation per swept value and the
core band by constraint generation (:mod:`fairpool.models.large_sweep`), with its progress
on stderr and its own text and JSON (:mod:`fairpool.reports.large_sweep`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from fairpool.commands.large import progress_line
from fairpool.commands.running import echo_json

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case, SweepLine


def sweep_by_generation(
    family: AnyFamily,
    case: Case,
    line: SweepLine,
    values: Sequence[float],
    as_json: bool,
    quiet: bool = False,
) -> None:
    """``fairpool sweep`` by generation: the table, certified per value, and the core band."""
    from fairpool.models.large_sweep import sweep_large
    from fairpool.reports.large_sweep import large_sweep_document, render_large_sweep

    result = sweep_large(family, case, line, values, progress=None if quiet else progress_line)
    if as_json:
        echo_json(large_sweep_document(result))
    else:
        typer.echo(render_large_sweep(result))


__all__ = ["sweep_by_generation"]
