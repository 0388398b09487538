"""The output of ``fairpool shapley``: the table with its 95% margins, or the JSON document."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from fairpool.commands.running import echo_json

if TYPE_CHECKING:
    from fairpool.models.family import Case
    from fairpool.optimizer.results import Allocation


def print_shapley(case: Case, allocation: Allocation, as_json: bool) -> None:
    """Print a case's Shapley value: exact (all coalitions) or sampled, with a ± 1.96 SE
    margin per party and how it was sampled (method, values asked and solved, seed), or the
    JSON document {``shapley``, ``standard_error`` (null when exact), ``details``}."""
    from fairpool.optimizer.solutions.sampling import standard_errors
    from fairpool.reports.document import json_number
    from fairpool.reports.text import cell, render_table

    errors = standard_errors(allocation)
    if as_json:
        echo_json(
            {
                "shapley": {p: json_number(x) for p, x in allocation.as_dict().items()},
                "standard_error": None
                if errors is None
                else {p: json_number(e) for p, e in zip(allocation.players, errors, strict=True)},
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
        return
    details = allocation.details
    exact = details.get("efficiency") in ("exact", "corrected")
    seed = details.get("seed")
    typer.echo(
        f"sampled ({details['method']}): {int(details['evaluations']):,} coalition values "
        f"asked, {int(details['distinct_coalitions']):,} solved"
        + ("" if seed is None else f", seed {int(seed)}")
        + ("; the shares add up to the grand coalition exactly" if exact else "")
    )


__all__ = ["print_shapley"]
