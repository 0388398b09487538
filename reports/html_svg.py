"""Hand-written inline SVG for the HTML report: grouped horizontal bars and line charts.

The report must open offline and make no network request, so its static charts are plain
SVG elements written into the page, drawn from numbers the results already hold (no chart
library, nothing computed beyond the axis scale). Every text is escaped; colours come from
:data:`PALETTE`, the same for a party in every chart of the page and in the ratio explorer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from fairpool.reports.text import display_width

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
"""Tableau 10: one colour per party, in the game's order (repeats after ten parties)."""

NOTE_COLUMNS = 40
"""Width of a bar chart's note, in terminal columns (about 260 px at 12 px)."""


def party_colour(index: int) -> str:
    """The colour of the party at ``index`` of the game's players."""
    return PALETTE[index % len(PALETTE)]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (1, 2 or 5 × 10^k apart) covering [low, high].

    Example:
        >>> nice_ticks(-3.2, 17.0)
        [-5.0, 0.0, 5.0, 10.0, 15.0, 20.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    low, high = min(low, high), max(low, high)
    if high == low:
        low, high = low - 1.0, high + 1.0
    raw = (high - low) / max(count, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 12) + 0.0)
        value += step
    return ticks


def compact(value: float) -> str:
    """An axis label: thousands separators, no decimals from 10 up, at most 3 significant
    digits below (``12,500``, ``2.5``, ``0.125``)."""
    if value == 0:
        return "0"
    if abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def shortened(text: str, columns: int = NOTE_COLUMNS) -> str:
    """``text`` cut to ``columns`` terminal columns (CJK characters take two) with an
    ellipsis: an SVG text does not wrap, the whole text stays in its hover title."""
    if display_width(text) <= columns:
        return text
    kept = ""
    for char in text:
        if display_width(kept + char) > columns - 1:
            break
        kept += char
    return kept + "…"


@dataclass(frozen=True)
class Bar:
    """One bar: its value, colour and hover text."""

    value: float
    colour: str
    title: str


@dataclass(frozen=True)
class BarGroup:
    """One row group of a grouped bar chart: a label, its bars, and an optional note at its
    right (``note_class`` styles it, e.g. ``good`` or ``bad``)."""

    label: str
    bars: Sequence[Bar]
    note: str = ""
    note_class: str = ""
    emphasis: bool = False


def grouped_bars(
    groups: Sequence[BarGroup],
    *,
    label_width: int = 230,
    note_width: int = 260,
    width: int = 930,
    bar_height: int = 11,
    gap: int = 12,
    fmt: Callable[[float], str] = compact,
) -> str:
    """Horizontal grouped bars: one row group per entry (a method, a coalition), one bar per
    party in it, a zero line and a value axis at the bottom; negative values extend left."""
    values = [bar.value for group in groups for bar in group.bars if math.isfinite(bar.value)]
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]))
    low, high = ticks[0], ticks[-1]
    plot_left, plot_right = label_width, width - note_width
    span = high - low or 1.0

    def x(value: float) -> float:
        return plot_left + (value - low) / span * (plot_right - plot_left)

    parts: list[str] = []
    y = 8
    for group in groups:
        height = max(1, len(group.bars)) * bar_height
        weight = ' font-weight="bold"' if group.emphasis else ""
        if group.emphasis:
            parts.append(
                f'<rect x="2" y="{y - 3}" width="{width - 4}" height="{height + 6}"'
                ' class="emphasis" rx="3"/>'
            )
        parts.append(
            f'<text x="{plot_left - 8}" y="{y + height / 2 + 4:.1f}" text-anchor="end"'
            f' class="label"{weight}>{escape(group.label)}</text>'
        )
        for k, bar in enumerate(group.bars):
            if not math.isfinite(bar.value):
                continue
            left, right = sorted((x(0.0), x(bar.value)))
            parts.append(
                f'<rect x="{left:.1f}" y="{y + k * bar_height + 1}" '
                f'width="{max(right - left, 0.8):.1f}" height="{bar_height - 2}" '
                f'fill="{bar.colour}"><title>{escape(bar.title)}</title></rect>'
            )
        if group.note:
            parts.append(
                f'<text x="{plot_right + 10}" y="{y + height / 2 + 4:.1f}" '
                f'class="note {escape(group.note_class)}">{escape(shortened(group.note))}'
                f"<title>{escape(group.note)}</title></text>"
            )
        y += height + gap
    axis_y = y
    for tick in ticks:
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="4" y2="{axis_y}" class="grid"/>'
            f'<text x="{x(tick):.1f}" y="{axis_y + 14}" text-anchor="middle" '
            f'class="tick">{escape(fmt(tick))}</text>'
        )
    parts.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="4" y2="{axis_y}" class="zero"/>')
    total = axis_y + 22
    back = [p for p in parts if p.startswith('<rect x="2"')]  # emphasis behind everything
    grid = [p for p in parts if p.startswith("<line")]
    rest = [p for p in parts if p not in back and p not in grid]
    return (
        f'<svg viewBox="0 0 {width} {total}" width="100%" role="img" class="chart">'
        + "".join(back + grid + rest)
        + "</svg>"
    )


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name, colour and a value per x (NaN: no point)."""

    name: str
    colour: str
    values: Sequence[float]


def line_chart(
    xs: Sequence[float],
    series: Sequence[Series],
    *,
    width: int = 900,
    height: int = 300,
    fmt: Callable[[float], str] = compact,
    x_fmt: Callable[[float], str] = lambda v: f"{v:.0f}",
) -> str:
    """Lines over a shared x axis (years), a zero line, a legend below; a dot with its hover
    text on every point."""
    left, right, top, bottom = 70, width - 15, 10, height - 30
    values = [v for s in series for v in s.values if math.isfinite(v)]
    ticks = nice_ticks(min([0.0, *values]), max([0.0, *values]))
    low, high = ticks[0], ticks[-1]
    x_low, x_high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    x_span = (x_high - x_low) or 1.0

    def px(value: float) -> float:
        return left + (value - x_low) / x_span * (right - left)

    def py(value: float) -> float:
        return bottom - (value - low) / ((high - low) or 1.0) * (bottom - top)

    parts = []
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" '
            f'class="{"zero" if tick == 0 else "grid"}"/>'
            f'<text x="{left - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" '
            f'class="tick">{escape(fmt(tick))}</text>'
        )
    every = max(1, math.ceil(len(xs) / 12))
    for k, value in enumerate(xs):
        if k % every == 0 or k == len(xs) - 1:
            parts.append(
                f'<text x="{px(value):.1f}" y="{bottom + 16}" text-anchor="middle" '
                f'class="tick">{escape(x_fmt(value))}</text>'
            )
    for line in series:
        points = [(px(x), py(v)) for x, v in zip(xs, line.values, strict=True) if math.isfinite(v)]
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{line.colour}" stroke-width="2"/>'
        )
        for x, v in zip(xs, line.values, strict=True):
            if math.isfinite(v):
                parts.append(
                    f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="2.5" fill="{line.colour}">'
                    f"<title>{escape(line.name)} {escape(x_fmt(x))}: {escape(fmt(v))}</title>"
                    "</circle>"
                )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="chart">'
        + "".join(parts)
        + "</svg>"
    )


def legend(entries: Sequence[tuple[str, str]]) -> str:
    """An HTML legend: a colour swatch and an escaped name per (name, colour)."""
    return (
        '<div class="legend">'
        + "".join(
            f'<span><i style="background:{colour}"></i>{escape(name)}</span>'
            for name, colour in entries
        )
        + "</div>"
    )
