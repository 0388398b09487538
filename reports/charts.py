"""Static charts of a plan or a proposal, as PNG and SVG files: for the README and for
``fairpool solve|check|sweep … --charts DIR``.

Three pictures a negotiator reads without the numbers (each one a matplotlib ``Figure``
built by a function that writes nothing, so tests inspect the bars and lines):

- :func:`allocation_figure`: what each party gets under the plan (or the proposal) and under
  the main allocation methods (:data:`CHART_METHODS`), as bars grouped by party, with the
  party's stand-alone value v({i}) (cost games: its stand-alone cost c({i})) marked by a
  dashed line across its group: a benefit bar below the line, or a cost bar above it, means
  the party would do better alone.
- :func:`cash_flow_figure`: each party's yearly net cash flow under the plan, one line per
  party (``None`` when the plan has no years, e.g. a cost-sharing case).
- :func:`sweep_figure`: each party's NPV (cost share) as one line of the plan slides, one line
  per party, with the exact core band shaded (or a note that it has none), the part of it
  within the rules hatched, and the proposal's (or plan's) value of the line marked.

:func:`write_charts` writes them (a sweep alone, as ``fairpool sweep`` has it, gives its
chart only); :func:`check_charts_folder` lets a command refuse an unusable folder before it
solves anything.

Labels come from :data:`fairpool.reports.i18n.PHRASES` in the chosen language (default: the
case's, :func:`~fairpool.reports.i18n.case_language`); party names stay as typed. Money axes
carry the case unit and thousands separators. Chinese text is drawn with a CJK font found on
the system by name (:mod:`fairpool.reports.fonts`); without one, a :class:`FontWarning` says
what to install and the charts fall back to Latin text (party ids, English labels).

matplotlib is imported inside the functions (``fairpool --help`` does not load it) and draws
through its Agg canvas (``FigureCanvasAgg``: no pyplot, no global backend switch). Files are
written by :func:`write_charts` atomically and never over existing files without ``force``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.results import ALL, CaseResult, PlanResult, ProposalCheck, SweepResult
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.files import (
    atomic_output,
    check_output_file,
    check_writable_folder,
)
from fairpool.reports.fonts import ChartFonts, FontWarning, chart_fonts, has_cjk
from fairpool.reports.i18n import Language, case_language, format_money, phrase

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.container import Container
    from matplotlib.figure import Figure

FORMATS: tuple[str, ...] = ("png", "svg")
"""The file formats :func:`write_charts` writes (one file per chart and format)."""

CHART_NAMES: tuple[str, ...] = ("allocations", "cash_flows", "sweep")
"""The charts' file stems: ``allocations.png``, ``cash_flows.svg``, ..."""

CHART_METHODS: tuple[str, ...] = ("shapley", "nucleolus", "tau", "nash", "proportional", "equal")
"""The methods drawn beside the plan, those the result has, in this order: a dozen bars per
party would not be read; the workbook and the HTML report list every method."""

DPI = 150
"""Resolution of the PNG files (a 9-inch chart is 1,350 pixels wide)."""

PLAN_COLOR = "#1b2a41"
METHOD_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7")
PARTY_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f")
CORE_BAND_COLOR = "#59a14f"

Result = PlanResult | ProposalCheck


@dataclass(frozen=True)
class ChartLabels:
    """The words of a chart: the language, the party names as shown, the case's name and unit
    (in the Latin fallback, names, case name and unit holding CJK give way to the party ids,
    nothing and nothing), and the fonts they are drawn with."""

    lang: Language
    names: tuple[str, ...]
    case_name: str
    unit: str
    fonts: ChartFonts

    def text(self, key: str, **fields: object) -> str:
        """The phrase ``key`` in the chart's language."""
        return phrase(key, self.lang, **fields)

    def with_unit(self, label: str) -> str:
        """``NPV (万元)``, or the bare label when the case has no unit."""
        return self.text("chart_with_unit", label=label, unit=self.unit) if self.unit else label


def chart_labels(
    result: CaseResult, lang: Language | None = None, sweep: SweepResult | None = None
) -> ChartLabels:
    """The labels and fonts of ``result``'s charts in ``lang`` (``None``: the case's language).

    The fonts are chosen for every text the charts show (:func:`~fairpool.reports.fonts.
    chart_fonts`); when the text needs CJK and no CJK font is installed, a
    :class:`~fairpool.reports.fonts.FontWarning` is issued and the labels fall back to Latin.
    """
    lang = lang or case_language(result.case_name, result.names)
    texts = [result.case_name, result.unit, *result.names]
    if lang == "zh":
        texts.append(phrase("allocations", "zh"))
    if sweep is not None:
        texts += [sweep.line.party, sweep.line.stream, sweep.line.phase, sweep.line.project]
    fonts = chart_fonts(texts)
    if not fonts.latin_only:
        return ChartLabels(lang, tuple(result.names), result.case_name, result.unit, fonts)
    names = tuple(
        party if has_cjk(name) else name
        for party, name in zip(result.players, result.names, strict=True)
    )
    case_name = "" if has_cjk(result.case_name) else result.case_name
    return ChartLabels("en", names, case_name, "" if has_cjk(result.unit) else result.unit, fonts)


# -- drawing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def chart_style(fonts: ChartFonts) -> Iterator[None]:
    """matplotlib settings while a chart is built and saved: the chart's font families (named
    fonts, not a generic ``sans-serif``, so the texts keep them when drawn later), a fixed SVG
    id salt (the same chart gives the same file) and light grid lines."""
    import matplotlib

    with matplotlib.rc_context(
        {
            "font.family": list(fonts.families),
            "svg.hashsalt": "fairpool",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "axes.axisbelow": True,
        }
    ):
        yield


def _new_figure(width: float, height: float = 5.0) -> tuple[Figure, Axes]:
    """A figure on matplotlib's Agg canvas (no pyplot: nothing global is touched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _titles(figure: Figure, axes: Axes, title: str, labels: ChartLabels) -> None:
    """The chart's title, and the case's name above the plot in grey."""
    figure.suptitle(title, fontsize=13, fontweight="bold")
    if labels.case_name:
        axes.set_title(labels.case_name, fontsize=10, color="#555555")


def tick_decimals(ticks: Sequence[float] | np.ndarray) -> int:
    """The fewest decimals (at most 12) that write every tick exactly: ``0, 2.5, 5`` → 1,
    ``0, 10,000, 20,000`` → 0, ``0, 0.002, 0.004`` → 3 (a case in 亿元 or in 元 reads alike).

    Example:
        >>> tick_decimals([0, 2.5, 5]), tick_decimals([0, 10000, 20000]), tick_decimals([0.002])
        (1, 0, 3)
    """
    values = np.asarray(ticks, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0
    scale = float(np.max(np.abs(values))) or 1.0
    for decimals in range(13):
        if np.allclose(np.round(values, decimals), values, rtol=0.0, atol=scale * 1e-9):
            return decimals
    return 12


def _money_axis(axis: Axis, unit_label: str) -> None:
    """Tick labels as money with thousands separators and as many decimals as the ticks need
    (:func:`tick_decimals`); the unit goes into the axis label."""
    from matplotlib.ticker import Formatter

    class MoneyFormatter(Formatter):
        decimals = 0

        def set_locs(self, locs: list[float]) -> None:
            super().set_locs(locs)
            self.decimals = tick_decimals(locs)

        def __call__(self, x: float, pos: int | None = None) -> str:
            return format_money(x, "", self.decimals)

    axis.set_major_formatter(MoneyFormatter())
    axis.set_label_text(unit_label)


def _amount_key(result: CaseResult, benefit: str, cost: str) -> str:
    return cost if result.game.orientation == "cost" else benefit


def _in_order(amounts: Mapping[str, float], players: Sequence[str]) -> np.ndarray:
    return np.array([float(amounts[p]) for p in players])


def _allocation_series(
    result: Result, labels: ChartLabels, methods: Sequence[str]
) -> list[tuple[str, np.ndarray]]:
    """(legend label, amount per party) of each bar series: the plan or the proposal first,
    then each of ``methods`` that the result computed."""
    if isinstance(result, ProposalCheck):
        allocations = result.analysis.allocations
        own = labels.text("proposal")
    else:
        allocations = result.allocations
        own = labels.text("plan")
    series = [(own, _in_order(result.amounts, result.players))]
    for method in methods:
        if method in allocations and method != "proposal":
            shares = allocations[method].as_dict()
            series.append((labels.text(method), _in_order(shares, result.players)))
    return series


def allocation_figure(
    result: Result,
    lang: Language | None = None,
    *,
    methods: Sequence[str] = CHART_METHODS,
    labels: ChartLabels | None = None,
) -> Figure:
    """Each party's amount under the plan (or proposal) and under ``methods``: one group of
    bars per party (one ``BarContainer`` per series, labelled in the legend), the party's
    stand-alone value as a dashed segment across its group (a ``LineCollection`` with gid
    ``standalone``: v({i}), or c({i}) for a cost game) and a line at zero."""
    labels = labels or chart_labels(result, lang)
    series = _allocation_series(result, labels, methods)
    n = len(result.players)
    standalone = np.asarray(result.game.standalone_values, dtype=float)
    with chart_style(labels.fonts):
        width = min(13.0, max(8.0, 2.0 + n * (0.25 * len(series) + 0.4)))
        figure, axes = _new_figure(width)
        x = np.arange(n)
        bar_width = 0.8 / len(series)
        handles: list[Artist | Container] = []
        for k, (label, values) in enumerate(series):
            color = PLAN_COLOR if k == 0 else METHOD_COLORS[(k - 1) % len(METHOD_COLORS)]
            offsets = x - 0.4 + bar_width * (k + 0.5)
            handles.append(axes.bar(offsets, values, bar_width, label=label, color=color))
        alone = labels.text(_amount_key(result, "chart_alone_npv", "chart_alone_cost"))
        segments = axes.hlines(
            standalone, x - 0.45, x + 0.45, colors="black", linestyles="dashed", label=alone
        )
        segments.set_gid("standalone")
        segments.set_linewidth(1.6)
        segments.set_zorder(3)
        handles.append(segments)
        axes.axhline(0.0, color="#666666", linewidth=0.8)
        axes.set_xticks(x, labels=list(labels.names))
        axes.tick_params(axis="x", length=0)
        amount = labels.text(_amount_key(result, "npv", "cost_share"))
        _money_axis(axes.yaxis, labels.with_unit(amount))
        title = _amount_key(result, "chart_allocations_npv", "chart_allocations_cost")
        _titles(figure, axes, labels.text(title), labels)
        figure.legend(
            handles=handles, loc="outside lower center", ncol=min(4, len(handles)), frameon=False
        )
    return figure


def cash_flow_figure(
    result: Result, lang: Language | None = None, *, labels: ChartLabels | None = None
) -> Figure | None:
    """Each party's yearly net cash flow under the plan (or proposal), one line per party
    (gid ``cash:<party id>``), from ``result.cash_flows``; ``None`` when it has no years (a
    cost-sharing case) or no ``net`` column."""
    flows = result.cash_flows
    if flows.empty or not {"party", "year", "net"} <= set(flows.columns):
        return None
    labels = labels or chart_labels(result, lang)
    table = flows.pivot_table(index="year", columns="party", values="net", aggfunc="sum")
    years = table.index.to_numpy(dtype=float)
    with chart_style(labels.fonts):
        figure, axes = _new_figure(9.0)
        for k, (party, name) in enumerate(zip(result.players, labels.names, strict=True)):
            if party not in table.columns:
                continue
            (line,) = axes.plot(
                years,
                table[party].to_numpy(dtype=float),
                marker="o",
                markersize=3,
                linewidth=1.8,
                color=PARTY_COLORS[k % len(PARTY_COLORS)],
                label=name,
            )
            line.set_gid(f"cash:{party}")
        axes.axhline(0.0, color="#666666", linewidth=0.8)
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(labels.text("year"))
        _money_axis(axes.yaxis, labels.with_unit(labels.text("chart_net_cash")))
        what = labels.text("what_proposal" if isinstance(result, ProposalCheck) else "what_plan")
        _titles(figure, axes, labels.text("chart_cash_title", what=what), labels)
        figure.legend(loc="outside lower center", ncol=min(6, result.game.n), frameon=False)
    return figure


def _sweep_axis_label(sweep: SweepResult, labels: ChartLabels) -> str:
    """What slides, in words: a party's split ratio of a stream in a phase (joint park), its
    share of a project (infrastructure) or of the total cost (cost sharing)."""
    line = sweep.line
    party = labels.names[sweep.players.index(line.party)]
    if sweep.game.orientation == "cost":
        return labels.text("chart_sweep_total_cost", party=party)
    if sweep.value_column == "ratio":
        stream = labels.text("chart_every_stream") if line.stream == ALL else line.stream
        phase = (
            labels.text("chart_every_phase")
            if line.phase == ALL
            else labels.text("chart_phase", phase=line.phase)
        )
        return labels.text("chart_sweep_ratio", party=party, stream=stream, phase=phase)
    project = labels.text("chart_every_project") if line.project == ALL else line.project
    return labels.text("chart_sweep_share", party=party, project=project)


def _note(axes: Axes, text: str, gid: str, y: float) -> None:
    """A red note at the top of the plot (what the sweep lacks), with ``gid``."""
    note = axes.text(0.5, y, text, transform=axes.transAxes, ha="center", va="top", color="#b03030")
    note.set_gid(gid)


def _bands(axes: Axes, sweep: SweepResult, labels: ChartLabels) -> None:
    """The core band shaded (gid ``core_band``) and, where the rules cut it, the part within
    the rules hatched (gid ``band_within_rules``); a note when either is empty."""
    if sweep.core_band is None:
        _note(axes, labels.text("chart_no_core_band"), "no_core_band", 0.97)
        return
    low, high = sweep.core_band
    band = axes.axvspan(
        low, high, color=CORE_BAND_COLOR, alpha=0.15, label=labels.text("core_band")
    )
    band.set_gid("core_band")
    if sweep.band_within_rules is None:
        _note(axes, labels.text("chart_no_band_within_rules"), "no_band_within_rules", 0.97)
    elif sweep.band_within_rules != sweep.core_band:
        low, high = sweep.band_within_rules
        within = axes.axvspan(
            low,
            high,
            facecolor="none",
            edgecolor=CORE_BAND_COLOR,
            hatch="//",
            linewidth=0.0,
            label=labels.text("chart_band_within_rules"),
        )
        within.set_gid("band_within_rules")


def sweep_figure(
    sweep: SweepResult, lang: Language | None = None, *, labels: ChartLabels | None = None
) -> Figure:
    """Each party's NPV (cost games: cost share) against the swept value, one line per party
    (gid ``sweep:<party id>``, the swept party's drawn thicker), on a percentage axis.

    The exact core band is shaded (gid ``core_band``; a note with gid ``no_core_band`` when
    no value is in the core), the part of it within the rules hatched when the rules cut it
    (gid ``band_within_rules``; a note ``no_band_within_rules`` when nothing is left), and
    the baseline's value of the line (the proposal's or the plan's) marked by a dotted
    vertical line (gid ``baseline``) when the swept cells share one value.
    """
    from matplotlib.ticker import PercentFormatter

    labels = labels or chart_labels(sweep, lang, sweep)
    table = sweep.table
    x = table[sweep.value_column].to_numpy(dtype=float)
    columns = [f"npv_{p}" if f"npv_{p}" in table.columns else f"cost_{p}" for p in sweep.players]
    with chart_style(labels.fonts):
        figure, axes = _new_figure(9.0)
        _bands(axes, sweep, labels)
        for k, (party, name, column) in enumerate(
            zip(sweep.players, labels.names, columns, strict=True)
        ):
            (line,) = axes.plot(
                x,
                table[column].to_numpy(dtype=float),
                linewidth=2.8 if party == sweep.line.party else 1.6,
                color=PARTY_COLORS[k % len(PARTY_COLORS)],
                label=name,
            )
            line.set_gid(f"sweep:{party}")
        if sweep.baseline_value is not None:
            what = "plan" if sweep.baseline == "plan" else "proposal"
            marker = axes.axvline(
                sweep.baseline_value, color="black", linestyle=":", label=labels.text(what)
            )
            marker.set_gid("baseline")
        axes.axhline(0.0, color="#666666", linewidth=0.8)
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        axes.set_xlabel(_sweep_axis_label(sweep, labels))
        amount = labels.text(_amount_key(sweep, "npv", "cost_share"))
        _money_axis(axes.yaxis, labels.with_unit(amount))
        title = _amount_key(sweep, "chart_sweep_npv", "chart_sweep_cost")
        _titles(figure, axes, labels.text(title), labels)
        figure.legend(loc="outside lower center", ncol=min(4, sweep.game.n + 3), frameon=False)
    return figure


def chart_figures(
    result: Result | SweepResult, lang: Language | None = None, sweep: SweepResult | None = None
) -> dict[str, Figure]:
    """Every chart of ``result``, by file stem (:data:`CHART_NAMES`): the allocations, the
    cash flows when the plan has years, the sweep when one is given; of a sweep alone
    (``fairpool sweep``), its chart. The fonts are chosen once, for the texts of all of them
    (one :class:`FontWarning` at most)."""
    if isinstance(result, SweepResult):
        sweep = result
    return _figures(result, chart_labels(result, lang, sweep), sweep)


def _figures(
    result: Result | SweepResult, labels: ChartLabels, sweep: SweepResult | None
) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    if not isinstance(result, SweepResult):
        figures["allocations"] = allocation_figure(result, labels=labels)
        cash = cash_flow_figure(result, labels=labels)
        if cash is not None:
            figures["cash_flows"] = cash
    if sweep is not None:
        figures["sweep"] = sweep_figure(sweep, labels=labels)
    return figures


# -- files -----------------------------------------------------------------------------------

WHAT_TO_DO = "choose another folder for the charts"


def _checked_formats(formats: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise CaseError(
            f"unknown chart format {', '.join(unknown) or '(none)'}: use {', '.join(FORMATS)}"
        )
    return chosen


def check_charts_folder(
    folder: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    force: bool = False,
    names: Sequence[str] = CHART_NAMES,
) -> Path:
    """``folder`` if the chart files ``names`` × ``formats`` can be written there: the folder
    can be created or written, and (without ``force``) none of those files exists yet. A
    command calls it before solving (``names=("sweep",)`` for ``fairpool sweep``), so nothing
    is lost to a late refusal. Raises :class:`~fairpool.optimizer.errors.CaseError`."""
    folder = check_writable_folder(Path(folder), WHAT_TO_DO)
    for name in names:
        for fmt in _checked_formats(formats):
            check_output_file(folder / f"{name}.{fmt}", force, WHAT_TO_DO)
    return folder


def save_figure(figure: Figure, path: Path, fmt: str, fonts: ChartFonts) -> Path:
    """Write ``figure`` to ``path`` as ``fmt`` through a temporary file moved into place
    (:func:`~fairpool.optimizer.workbook.files.atomic_output`), in the chart's style. SVG text
    is drawn as paths (the file needs no font) and carries no date (the same chart gives the
    same bytes)."""
    metadata = {"Date": None} if fmt == "svg" else {}
    with chart_style(fonts), atomic_output(path) as temp:
        figure.savefig(temp, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
    return path


def write_charts(
    result: Result | SweepResult,
    folder: str | Path,
    *,
    lang: Language | None = None,
    sweep: SweepResult | None = None,
    formats: Sequence[str] = FORMATS,
    force: bool = False,
) -> list[Path]:
    """Write ``result``'s charts (:func:`chart_figures`) into ``folder``, one file per chart
    and format (``allocations.png``, ``allocations.svg``, ``cash_flows.png``, ...,
    ``sweep.svg``), and return their paths in that order. ``result`` is a plan or a proposal
    check (with ``sweep``: its sweep chart too), or a sweep alone (its chart only).

    Every file is checked before any is written (:func:`check_charts_folder`): an existing
    chart file is not replaced without ``force``, and a refusal leaves the folder as it was.
    Each file is written atomically. A missing CJK font is reported by a
    :class:`~fairpool.reports.fonts.FontWarning` (the charts then show Latin text).
    """
    formats = _checked_formats(formats)
    if isinstance(result, SweepResult):
        sweep = result
    labels = chart_labels(result, lang, sweep)
    figures = _figures(result, labels, sweep)
    folder = check_charts_folder(folder, formats=formats, force=force, names=list(figures))
    return [
        save_figure(figure, folder / f"{name}.{fmt}", fmt, labels.fonts)
        for name, figure in figures.items()
        for fmt in formats
    ]


__all__ = [
    "CHART_METHODS",
    "CHART_NAMES",
    "FORMATS",
    "ChartLabels",
    "FontWarning",
    "allocation_figure",
    "cash_flow_figure",
    "chart_figures",
    "chart_labels",
    "chart_style",
    "check_charts_folder",
    "save_figure",
    "sweep_figure",
    "tick_decimals",
    "write_charts",
]
