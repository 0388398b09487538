"""The reports a command was asked for beside its own output: the HTML negotiation report
(``--html FILE``), the static charts (``--charts DIR``), in the language of ``--lang``.

The HTML report renders and computes nothing (:mod:`fairpool.reports.html`); what its ratio
explorer and its stability table need is computed here, where commands may run the models:

- the explorer's lines: exact sweeps (``family.sweep``) of one party's ratio (cost share)
  over :data:`EXPLORER_VALUES` values, for every party and, where the family has them, its
  streams and phases (joint park) or built projects (infrastructure), at most
  :data:`MAX_EXPLORER_LINES` lines (:func:`explorer_choices`). The sweeps start from the
  allocation the report is about: the plan for ``solve`` (given to the family as a proposal,
  :func:`sweep_base`), the proposal judged for ``check`` and ``sweep``;
- each line's marks: where the swept party's amount equals its Shapley value, its
  nucleolus and its current amount (:func:`marks`);
- the coalitions closest to blocking the current allocation (:func:`closest_coalitions`).

Measured on the shipped cases (CPU time, coalition values cached, 101 values a line): a
joint-park sweep takes about 0.06–0.09 s (its exact core band and band within the rules are
MILPs), an infrastructure sweep 0.02 s, a cost-sharing sweep 0.01 s. Every party × {all, each
stream} × {all, each phase} would be 60 lines for the Sichuan–Zhejiang park (about 5 s), so
that park gets each party × (all, each stream, each phase): 24 lines, about 2 s; Jingjinji
gets all its 24 combinations (1.5 s), the river programme 4 parties × (all + 9 built
projects) = 40 lines (0.8 s), the water plant its 6 parties (0.06 s).
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import typer

from fairpool.models.family import DiscountedCaseSettings

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case, PlanResult, ProposalCheck, SweepLine, SweepResult
    from fairpool.optimizer.game import Game
    from fairpool.reports.html import CoalitionMargin, ExplorerLine
    from fairpool.reports.i18n import Language

    Result = PlanResult | ProposalCheck

EXPLORER_VALUES = 101
"""Values of every explorer line: 0, 1%, …, 100% (each an exact evaluation of the plan)."""

MAX_EXPLORER_LINES = 40
"""Most sweeps one report embeds. Every combination of party, stream and phase (joint park)
or party and project (infrastructure) when they fit; else each party with every stream
(all phases), every phase (all streams) and all of them; else each party alone."""

Choice = tuple[str, str, str, str]
"""One explorer line: (party, stream, phase, project), ``*`` for every one."""

CLOSEST_COALITIONS = 8
"""Coalitions the stability table lists: the ones closest to blocking."""


@dataclass(frozen=True)
class ReportRequest:
    """The reports one command writes beside its own output, checked before any work.

    Attributes:
        html: the HTML report's path, or None; charts: the charts' folder, or None.
        lang: ``en`` or ``zh``; None: the case's language.
        force: replace existing report files.
    """

    html: Path | None = None
    charts: Path | None = None
    lang: Language | None = None
    force: bool = False

    @property
    def wanted(self) -> bool:
        return self.html is not None or self.charts is not None


def report_request(
    html: Path | None,
    charts: Path | None,
    lang: str | None,
    force: bool,
    *,
    swept: bool = False,
) -> ReportRequest:
    """The checked request of ``--html``, ``--charts`` and ``--lang``, before any solve: a
    known language, an HTML path that may be written (an existing file only with ``--force``),
    a charts folder whose chart files may be written (``swept``: the sweep's chart too)."""
    from fairpool.optimizer.errors import CaseError
    from fairpool.optimizer.workbook.files import check_output_file
    from fairpool.reports.i18n import LANGUAGES

    if lang is not None and lang not in LANGUAGES:
        raise CaseError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if html is not None:
        html = check_output_file(html, force, "pass another --html path")
    if charts is not None:
        from fairpool.reports.charts import CHART_NAMES, check_charts_folder

        names = CHART_NAMES if swept else tuple(n for n in CHART_NAMES if n != "sweep")
        charts = check_charts_folder(charts, force=force, names=names)
    return ReportRequest(html, charts, cast("Language | None", lang), force)


def write_reports(
    request: ReportRequest,
    family: AnyFamily,
    case: Case,
    result: Result,
    *,
    sweep: SweepResult | None = None,
    proposal: object | None = None,
) -> dict[str, Any]:
    """Write the reports of ``request`` about ``result`` (the plan or the proposal judged).

    ``sweep``: the sweep the user asked for (``fairpool sweep``), the explorer's first line
    and the charts' sweep; ``proposal``: the proposal ``check`` judged when it came from
    another workbook (the explorer slides from it). Returns what was written, for the JSON
    document and :func:`echo_reports`: ``{"html_report": path, "charts": [paths]}`` (a key
    only when asked; paths as text)."""
    written: dict[str, Any] = {}
    if request.html is not None:
        from fairpool.reports.html import write_html_report

        base = case if proposal is None else dataclasses.replace(_any(case), proposal=proposal)
        explorer = explorer_lines(family, base, result, sweep)
        current = np.array([result.amounts[p] for p in result.players], dtype=float)
        closest = closest_coalitions(result.game, current)
        page = write_html_report(
            result, request.html, lang=request.lang, explorer=explorer, closest=closest
        )
        written["html_report"] = str(page)
    if request.charts is not None:
        from fairpool.reports.charts import write_charts
        from fairpool.reports.fonts import FontWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FontWarning)
            charts = write_charts(
                result, request.charts, lang=request.lang, sweep=sweep, force=request.force
            )
        for warning in caught:  # a missing CJK font: one line, no Python warning trace
            typer.echo(f"warning: {warning.message}", err=True)
        written["charts"] = [str(path) for path in charts]
    return written


def echo_reports(written: Mapping[str, Any]) -> None:
    """The reports :func:`write_reports` wrote, one line each, after a command's own output."""
    if "html_report" in written:
        typer.echo(f"HTML report: {written['html_report']}  (open it in any web browser)")
    if "charts" in written:
        typer.echo(f"Charts: {len(written['charts'])} files")
        for path in written["charts"]:
            typer.echo(f"  {path}")


def demo_instructions(workbook: Path, html: str | Path) -> str:
    """Where ``fairpool demo`` wrote its results and how to open them on this system."""
    page = Path(html).resolve()
    opener = {"darwin": "open", "win32": 'start ""'}.get(sys.platform, "xdg-open")
    return "\n".join(
        [
            f"HTML report:      {html}",
            f"  open it in a web browser: double-click it, or run: {opener} {_quoted(page)}",
            f"  or paste into the address bar: {page.as_uri()}",
            "  it works offline and can be forwarded as one file",
            f"Results workbook: {workbook}",
            "  open it in Excel, WPS or LibreOffice, e.g. run: "
            f"{opener} {_quoted(Path(workbook).resolve())}",
        ]
    )


def _quoted(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if " " in text else text


def report_of_sweep(family: AnyFamily, case: Case) -> Result:
    """What a sweep's report is about: the case's proposal judged when it has one (the sweep
    slides from it), else the plan for the case's settings (the sweep's base then)."""
    if getattr(case, "proposal", None) is not None:  # every family's case has the field
        return family.check(case, None)
    return family.solve(case)


# -- the explorer ------------------------------------------------------------------------------


def sweep_base(family: AnyFamily, case: Case, result: Result) -> Case:
    """The case whose sweeps start from ``result``'s allocation.

    For a proposal check: the case as given (its proposal is the one judged). For a plan: the
    case with the plan as its proposal (:func:`plan_rows`, read by the family's own
    ``proposal_from_rows``), so every sweep slides from exactly the plan shown and none
    solves the plan again; when the family has no such rows, or refuses them, the case
    without a proposal and with the plan's settings (the family then slides from its plan
    for that target)."""
    from fairpool.models.family import PlanResult
    from fairpool.optimizer.errors import CaseError

    if not isinstance(result, PlanResult):
        return case
    rows = plan_rows(family, case, result)
    if rows:
        try:
            proposal = family.proposal_from_rows(_any(case), rows, "the plan", None)
        except CaseError:
            pass
        else:
            return dataclasses.replace(_any(case), proposal=proposal)
    return dataclasses.replace(
        _any(case),
        proposal=None,
        target=result.target,
        core=result.core,
        distance=result.distance_kind,
    )


def plan_rows(family: AnyFamily, case: Case, result: PlanResult) -> list[dict[str, object]]:
    """The plan as ``proposal`` sheet rows of its family: the split ratios (joint park:
    party, stream, phase, ratio), each party's share of every built project's cost in
    present value (infrastructure: Σ_t paid_t·d_t over the project's Σ_t cost_t·d_t, the
    share the family's own sweep of a plan uses), or each party's share of c(N) (cost
    sharing). Empty for a family without such rows."""
    table = result.plan_table
    if family.name == "joint_park":
        columns = ["party", "stream", "phase", "ratio"]
        return [dict(zip(columns, row, strict=True)) for row in table[columns].itertuples(False)]
    if family.name == "cost_sharing":
        grand = result.game.grand_value
        return [{"party": p, "share": result.amounts[p] / grand} for p in result.players]
    if family.name == "infrastructure" and "side_payments" in result.tables:
        # transfers = explicit: the plan table is the base split, not what the parties pay;
        # the family's own sweep solves the plan and slides from its real payments
        return []
    if family.name == "infrastructure" and isinstance(case, DiscountedCaseSettings):
        discount = dict(zip(case.years.tolist(), case.discount.tolist(), strict=True))
        paid = table.assign(
            pv=[a * discount[int(y)] for a, y in zip(table["amount"], table["year"], strict=True)]
        )
        per_party = paid.groupby(["project", "party"], sort=False)["pv"].sum()
        totals = per_party.groupby(level=0, sort=False).sum()
        rows: list[dict[str, object]] = []
        for key, value in per_party.items():
            project, party = cast("tuple[str, str]", key)
            if totals[project] > 0:
                rows.append({"party": party, "project": project, "share": value / totals[project]})
        return rows
    return []


def _any(case: Case) -> Any:
    """``case`` as Any: ``dataclasses.replace`` sets fields (``proposal``) that every
    family's case declares but :class:`CaseSettings` does not."""
    return case


def explorer_choices(family: AnyFamily, case: Case, result: Result) -> list[Choice]:
    """The explorer's lines as (party, stream, phase, project), bounded by
    :data:`MAX_EXPLORER_LINES` (see there)."""
    from fairpool.models.family import ALL

    streams: list[str] = [ALL]
    phases: list[str] = [ALL]
    projects: list[str] = [ALL]
    if family.name == "joint_park":
        streams += [s.stream for s in getattr(case, "streams", ()) if s.kind == "cash"]
        phases += [str(p.phase) for p in getattr(case, "phases", ())]
    elif family.name == "infrastructure":
        projects += built_projects(result)
    every: list[Choice] = list(itertools.product(case.parties, streams, phases, projects))
    if len(every) <= MAX_EXPLORER_LINES:
        return every
    marginal = [
        (party, stream, phase, project)
        for party in case.parties
        for stream, phase, project in {
            *((s, ALL, ALL) for s in streams),
            *((ALL, p, ALL) for p in phases),
            *((ALL, ALL, q) for q in projects),
        }
    ]
    if len(marginal) <= MAX_EXPLORER_LINES:
        return sorted(marginal, key=every.index)
    return [(party, ALL, ALL, ALL) for party in case.parties]


def built_projects(result: Result) -> list[str]:
    """The projects the plan (or proposal) pays for, in table order: the ones a sweep of
    project shares can slide."""
    from fairpool.models.family import PlanResult

    table = result.plan_table if isinstance(result, PlanResult) else result.proposal_table
    if "project" not in table.columns:
        return []
    paid = table[table["amount"].abs() > 0] if "amount" in table.columns else table
    return [str(p) for p in dict.fromkeys(paid["project"]) if str(p) not in ("*", "")]


def explorer_lines(
    family: AnyFamily, case: Case, result: Result, requested: SweepResult | None = None
) -> list[ExplorerLine]:
    """Every line of the explorer, exact (``family.sweep`` at :data:`EXPLORER_VALUES`
    values), with its marks; ``requested`` first, as it was computed. A line the family
    refuses (a project the plan does not build) is left out."""
    from fairpool.models.family import SweepLine
    from fairpool.optimizer.coalitions import coalition_settings
    from fairpool.optimizer.errors import CaseError
    from fairpool.reports.html import ExplorerLine

    base = sweep_base(family, case, result)
    values = np.linspace(0.0, 1.0, EXPLORER_VALUES).round(10).tolist()
    lines: list[ExplorerLine] = []
    if requested is not None:
        lines.append(ExplorerLine(requested, marks(result, requested)))
    # the coalition values are known by now (the command's solve or check): no progress bar
    with coalition_settings(progress=None):
        for party, stream, phase, project in explorer_choices(family, case, result):
            line = SweepLine(party, stream, phase, project)
            if requested is not None and _same_line(line, requested.line):
                continue
            started = time.perf_counter()
            try:
                swept = family.sweep(base, line, values)
            except CaseError:
                continue
            seconds = time.perf_counter() - started
            lines.append(ExplorerLine(swept, marks(result, swept), seconds))
    return lines


def _same_line(a: SweepLine, b: SweepLine) -> bool:
    from fairpool.models.family import ALL

    def named(value: str) -> str:
        return ALL if value in ("all", ALL) else str(value)

    return all(
        named(getattr(a, f)) == named(getattr(b, f))
        for f in ("party", "stream", "phase", "project")
    )


def marks(result: Result, sweep: SweepResult) -> dict[str, float]:
    """Where along ``sweep`` its party's amount equals its Shapley value, its nucleolus and
    its current amount (:func:`crossing`); a mark the line never reaches is left out. The
    current mark is exact when the sweep knows its baseline's value (``baseline_value``:
    the swept cells hold one value), which :func:`sweep_base` makes the current allocation."""
    from fairpool.models.family import PlanResult

    party = sweep.line.party
    index = result.players.index(party)
    allocations = (
        result.allocations if isinstance(result, PlanResult) else (result.analysis.allocations)
    )
    levels = {"current": float(result.amounts[party])}
    for method in ("shapley", "nucleolus"):
        if method in allocations:
            levels[method] = float(allocations[method].shares[index])
    prefix = "cost_" if result.game.orientation == "cost" else "npv_"
    xs = sweep.table[sweep.value_column].to_numpy(dtype=float)
    ys = sweep.table[prefix + party].to_numpy(dtype=float)
    found = {name: crossing(xs, ys, level) for name, level in levels.items()}
    if sweep.baseline_value is not None:  # the sweep starts from the current allocation
        found["current"] = sweep.baseline_value
    return {name: value for name, value in found.items() if value is not None}


def crossing(
    xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray, level: float
) -> float | None:
    """The first x where the piecewise-linear line through (xs, ys) reaches ``level``, by
    linear interpolation between the two values around it; None when it never does, or
    when the line is flat (every x reaches it, or none).

    Example:
        >>> crossing([0.0, 0.5, 1.0], [0.0, 10.0, 20.0], 15.0)
        0.75
    """
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float) - level
    scale = max(float(np.abs(ys).max(initial=0.0)), abs(level), 1e-300)
    if len(y) == 0 or float(np.ptp(y)) <= 1e-9 * scale:
        return None
    for k in range(len(y)):
        if abs(y[k]) <= 1e-12 * scale:
            return float(x[k])
        if k + 1 < len(y) and y[k] * y[k + 1] < 0:
            return float(x[k] + (x[k + 1] - x[k]) * y[k] / (y[k] - y[k + 1]))
    return None


# -- stability ---------------------------------------------------------------------------------


def closest_coalitions(
    game: Game, shares: np.ndarray, count: int = CLOSEST_COALITIONS
) -> list[CoalitionMargin]:
    """The ``count`` proper coalitions with the largest excess e(S) = v(S) − x(S) (cost games:
    x(S) − c(S)) under ``shares``: the ones closest to walking away (or walking away, e > 0),
    largest first, smaller coalitions first among equal excesses."""
    from fairpool.optimizer.game import coalition_sizes
    from fairpool.reports.html import CoalitionMargin

    excesses = game.excesses(np.asarray(shares, dtype=float))
    masks = np.arange(1, game.grand_mask)
    if len(masks) == 0:
        return []
    sizes = coalition_sizes(game.n)[masks]
    order = np.lexsort((masks, sizes, -excesses[masks]))[:count]
    margins = []
    for mask in masks[order]:
        members = [i for i in range(game.n) if mask >> i & 1]
        paid = float(sum(shares[i] for i in members))
        margins.append(
            CoalitionMargin(
                coalition=game.label(int(mask)),
                names=tuple(game.names[i] for i in members),
                together=paid,
                alone=float(game.values[mask]),
                excess=float(excesses[mask]),
            )
        )
    return margins
