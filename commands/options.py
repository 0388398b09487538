"""The options several commands share, as typer parameter types (``Annotated``): one place
for each option's flags and help text, so that ``solve``, ``check``, ``sweep``, ``batch`` and
the others say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer


def at_least(lowest: int) -> Callable[[int | None], int | None]:
    """A typer callback that refuses an integer option below ``lowest`` in words (``-1 is
    too small: use 0 or more``; click's own range check says ``not in the range x>=0``)."""

    def check(value: int | None) -> int | None:
        if value is not None and value < lowest:
            raise typer.BadParameter(f"{value} is too small: use {lowest} or more")
        return value

    return check


CaseFile = Annotated[Path, typer.Argument(help="Case workbook (.xlsx) made from a template.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document (see README).")]


Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        "-j",
        callback=at_least(0),
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
HtmlReport = Annotated[
    Path | None,
    typer.Option(
        "--html",
        help="Also write the HTML negotiation report (one file, works offline) to this path.",
    ),
]
ChartsFolder = Annotated[
    Path | None,
    typer.Option("--charts", help="Also write the charts as PNG and SVG into this folder."),
]
ReportLang = Annotated[
    str | None,
    typer.Option("--lang", help="Language of the reports: en | zh (default: the case's)."),
]
ForceReports = Annotated[bool, typer.Option("--force", help="Replace an existing report file.")]
Generate = Annotated[
    bool | None,
    typer.Option(
        "--generate/--exact",
        help="Core questions by constraint generation (one MILP per question, no table of "
        "coalition values) or by enumerating every coalition; default: generation above 15 "
        "parties.",
    ),
]
RoundTo = Annotated[
    float | None, typer.Option(help="Every ratio or share a multiple of this (e.g. 0.05).")
]
UniformStreams = Annotated[
    bool, typer.Option(help="One ratio per party and phase for every cash stream.")
]
MaxChanges = Annotated[
    int | None, typer.Option(help="A party's ratio changes at most K times across phases.")
]
Transfers = Annotated[
    str | None, typer.Option(help="Payments toward projects: allowed | none | explicit.")
]
FairnessSlack = Annotated[
    float | None,
    typer.Option(help="Distance to the target a steadier or simpler plan may add (share)."),
]
FewestDistinctFlag = Annotated[
    bool,
    typer.Option(
        "--fewest-distinct",
        help="Within the fairest plans, the one whose neighbouring phases and streams share "
        "their ratios most (least total variation; the case key fewest_distinct = count "
        "counts the differing neighbours instead).",
    ),
]
SimplePreset = Annotated[
    bool,
    typer.Option(
        help="A plan people sign: --round-to 0.05, --uniform-streams, --max-changes 1, "
        "--transfers none, --fewest-distinct (unless given)."
    ),
]
SamplingChoice = Annotated[
    str | None,
    typer.Option(
        "--method",
        help="How to sample above the limit: rotations_antithetic (default) | rotations | "
        "antithetic | permutation | stratified | stratified_antithetic.",
    ),
]
