"""The options several commands share, as typer parameter types (``Annotated``): one place
for each option's flags and help text, so that ``solve``, ``check``, ``sweep``, ``batch`` and
the others say the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
