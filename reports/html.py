"""The HTML negotiation report: one self-contained page a negotiator opens offline and forwards.

The page says first, in plain words, whether the plan (``fairpool solve``) or the proposal
(``fairpool check``) is fair; then who gets what under every method, each party's yearly cash,
the coalitions closest to walking away, and a **ratio explorer**: a slider over one party's
split ratio (or cost share) that moves every party's NPV, shades the exact core band, marks
the Shapley value, the nucleolus and the current plan, and says who would walk away at that
value and by how much.

Everything is inside the file: the CSS and the small vanilla script of the explorer
(``html_assets/``), the charts as hand-written SVG (:mod:`fairpool.reports.html_svg`), and
the explorer's numbers as JSON. A Content-Security-Policy forbids every network request, so
the page works offline and leaks nothing when opened. Every text from the case (party names,
case name, rule messages) is HTML-escaped; the JSON is escaped for a ``<script>`` element.

The report renders what it is given and computes nothing: the sweeps, the marks and the
coalitions closest to blocking come from the command (``fairpool.commands.outputs``) as
:class:`ExplorerLine` and :class:`CoalitionMargin`. Every label, heading and sentence comes
from :data:`fairpool.reports.i18n.PHRASES` in the report's language; party names stay as
typed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from fairpool.models.results import ALL, PlanResult, ProposalCheck
from fairpool.optimizer.game import tolerance
from fairpool.optimizer.workbook.files import atomic_output
from fairpool.reports.document import json_number
from fairpool.reports.html_explorer import explorer_payload, explorer_section
from fairpool.reports.html_svg import (
    Bar,
    BarGroup,
    Series,
    grouped_bars,
    legend,
    line_chart,
    party_colour,
)
from fairpool.reports.html_view import (
    REFERENCE_METHODS,
    CoalitionMargin,
    ExplorerLine,
    ReportView,
    Result,
)
from fairpool.reports.i18n import (
    Language,
    case_language,
    format_money,
    format_ratio,
    join_names,
)

__all__ = [
    "CoalitionMargin",
    "ExplorerLine",
    "ReportView",
    "render_html_report",
    "write_html_report",
]


def write_html_report(
    result: Result,
    path: str | Path,
    *,
    lang: Language | None = None,
    explorer: Sequence[ExplorerLine] = (),
    closest: Sequence[CoalitionMargin] = (),
) -> Path:
    """Write the report of ``result`` to ``path`` atomically and return the path.

    ``lang`` None: the case's language (:func:`~fairpool.reports.i18n.case_language`).
    """
    page = render_html_report(result, lang=lang, explorer=explorer, closest=closest)
    target = Path(path)
    with atomic_output(target) as temp:
        temp.write_text(page, encoding="utf-8")
    return target


def render_html_report(
    result: Result,
    *,
    lang: Language | None = None,
    explorer: Sequence[ExplorerLine] = (),
    closest: Sequence[CoalitionMargin] = (),
) -> str:
    """The report of ``result`` as one HTML document (see the module docstring)."""
    view = ReportView.of(result, lang or case_language(result.case_name, result.names))
    sections = [
        verdict_section(view),
        allocations_section(view),
        explorer_section(view, explorer),
        cash_section(view),
        stability_section(view, closest),
        details_section(view, explorer),
    ]
    css = asset("report.css")
    script = asset("explorer.js")
    payload = script_json(explorer_payload(view, explorer))
    title = f"{view.case_name} — {view.say('html_title')}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if view.lang == "zh" else "en"}"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style></head>\n"
        f'<body><main>\n<header><h1>{escape(view.case_name)}</h1><p class="sub">'
        f"{escape(view.say('html_title'))} · {escape(view.subtitle())}</p></header>\n"
        + "\n".join(sections)
        + f'\n</main>\n<script type="application/json" id="fairpool-data">{payload}</script>\n'
        f"<script>{script}</script>\n</body></html>\n"
    )


def asset(name: str) -> str:
    """The text of ``html_assets/name`` (package data)."""
    return resources.files("fairpool.reports").joinpath("html_assets", name).read_text("utf-8")


def script_json(document: Mapping[str, Any]) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` as \\u escapes, so a
    party named ``</script>…`` cannot end the element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# -- sections --------------------------------------------------------------------------------


def verdict_section(view: ReportView) -> str:
    """The verdict in plain words, the key figures and each party's position."""
    result, game = view.result, view.game
    what = view.say(f"what_{view.what}")
    fair = (
        result.fair
        if isinstance(result, ProposalCheck)
        else result.in_core and all(result.individually_rational.values())
    )
    empty_core = result_least_core(result) > tolerance(game.values)
    lines = []
    if result.in_core:
        lines.append(view.say("verdict_stable", what=what))
    elif empty_core and isinstance(result, PlanResult):
        lines.append(view.say("verdict_core_empty", what=what, amount=view.money(result.epsilon)))
    else:
        lines.append(
            view.say(
                "verdict_blocked",
                parties=view.names(result.worst_coalition),
                amount=view.money(result.worst_excess),
            )
        )
        if empty_core:
            lines.append(view.say("html_blocked_core_empty"))
    short = [p for p in result.players if not result.individually_rational[p]]
    for party in short:
        i = result.players.index(party)
        lines.append(
            view.say(
                "html_ir_short_cost" if view.cost else "html_ir_short",
                party=game.names[i],
                amount=view.money(view.current[i]),
                alone=view.money(game.standalone_values[i]),
            )
        )
    if not short:
        lines.append(view.say("html_everyone_better_cost" if view.cost else "html_everyone_better"))
    extra = ""
    if isinstance(result, PlanResult):
        lines.append(
            view.say(
                "html_plan_target",
                target=view.method(result.target),
                distance=view.money(result.distance),
            )
        )
    else:
        for method, distance in result.distances.items():
            lines.append(
                view.say(
                    "html_distance_to", amount=view.money(distance), method=view.method(method)
                )
            )
        extra = proposal_details(view, result)
    badge = view.say("html_fair" if fair else "html_not_fair")
    figures = key_figures(view, empty_core)
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return (
        f'<section id="verdict" class="verdict {"good" if fair else "bad"}">'
        f"<h2>{escape(view.say('html_is_it_fair', what=what))} "
        f'<span class="badge" data-fair="{str(fair).lower()}">{escape(badge)}</span></h2>'
        f'<ul class="sentences">{items}</ul>{extra}{figures}{party_table(view)}</section>'
    )


def result_least_core(result: Result) -> float:
    """ε* of the game: > 0 when the core is empty."""
    if isinstance(result, PlanResult):
        return result.least_core_epsilon
    return result.analysis.least_core_epsilon


def proposal_details(view: ReportView, check: ProposalCheck) -> str:
    """The rules a proposal breaks (as the family words them) and its smallest fix."""
    parts = []
    if check.rule_violations:
        items = "".join(f"<li>{escape(v)}</li>" for v in check.rule_violations)
        parts.append(f"<p>{escape(view.say('html_breaks_rules'))}</p><ul>{items}</ul>")
    fix = check.fix
    if fix is not None and fix.status == "found" and fix.changes:
        rows = []
        for change in fix.changes:
            where = " · ".join(
                x for x in (change.stream, change.phase, change.project) if x and x != ALL
            )
            name = view.game.names[view.game.players.index(change.party)]
            rows.append(
                f"<li>{escape(name)} {escape(where)}: {format_ratio(change.before)} → "
                f"{format_ratio(change.after)}</li>"
            )
        parts.append(f"<p>{escape(view.say('html_fix_found'))}</p><ul>{''.join(rows)}</ul>")
    elif fix is not None and fix.status == "impossible":
        items = "".join(f"<li>{escape(o)}</li>" for o in fix.obstacles)
        parts.append(f"<p>{escape(view.say('html_fix_impossible'))}</p><ul>{items}</ul>")
    return "".join(parts)


def key_figures(view: ReportView, empty_core: bool) -> str:
    game = view.game
    alone = float(np.sum(game.standalone_values))
    gain = alone - game.grand_value if view.cost else game.grand_value - alone
    cards = [
        (
            view.say("html_joint_cost" if view.cost else "html_total_value"),
            view.money(game.grand_value),
        ),
        (
            view.say("html_cooperation_saving" if view.cost else "html_cooperation_gain"),
            view.money(gain),
        ),
        (
            view.say("html_core_state"),
            view.say("html_core_none" if empty_core else "html_core_exists"),
        ),
    ]
    return (
        '<div class="figures">'
        + "".join(
            f"<div><span>{escape(label)}</span><b>{escape(value)}</b></div>"
            for label, value in cards
        )
        + "</div>"
    )


def party_table(view: ReportView) -> str:
    """Party × {alone, current, gain over alone, share of total, Shapley, nucleolus, walks
    away?}."""
    game, result = view.game, view.result
    references = [m for m in REFERENCE_METHODS if m in view.methods]
    head = [
        view.say("party"),
        view.say("alone"),
        view.say(view.what),
        view.say("gain_over_alone"),
        view.say("share_of_total"),
        *(view.method(m) for m in references),
        view.say("html_walks_away"),
    ]
    rows = []
    total = game.grand_value
    for i, party in enumerate(game.players):
        alone = game.standalone_values[i]
        gain = alone - view.current[i] if view.cost else view.current[i] - alone
        rational = result.individually_rational[party]
        cells = [
            party_cell(view, i),
            money_cell(view, alone),
            money_cell(view, view.current[i], strong=True),
            money_cell(view, gain),
            f'<td class="num">{format_ratio(view.current[i] / total) if total else "—"}</td>',
            *(money_cell(view, view.methods[m][i]) for m in references),
            f'<td class="{"good" if rational else "bad"}">'
            f"{escape(view.say('html_no' if rational else 'html_yes'))}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return (
        f"<h3>{escape(view.say('html_who_gets_what'))}</h3>"
        f'<table class="parties"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}'
        "</tbody></table>"
    )


def party_cell(view: ReportView, i: int) -> str:
    party, name = view.game.players[i], view.game.names[i]
    tag = "" if name == party else f" <small>{escape(party)}</small>"
    return (
        f'<td><i class="swatch" style="background:{party_colour(i)}"></i>{escape(name)}{tag}</td>'
    )


def money_cell(view: ReportView, value: float, strong: bool = False) -> str:
    text = escape(view.money(value))
    return f'<td class="num">{f"<b>{text}</b>" if strong else text}</td>'


def allocations_section(view: ReportView) -> str:
    """Grouped bars: alone, the current allocation, then every method; each row group says
    whether that allocation is in the core or which group would leave."""
    game = view.game

    def bars(values: Iterable[float], label: str) -> list[Bar]:
        return [
            Bar(float(v), party_colour(i), f"{game.names[i]} · {label}: {view.money(v)}")
            for i, v in enumerate(values)
        ]

    def note(key: str) -> tuple[str, str]:
        in_core, worst, _ = view.fairness[key]
        if in_core:
            return view.say("html_in_core_mark"), "good"
        return view.say("html_blocked_by", parties=view.names(worst)), "bad"

    groups = [BarGroup(view.say("alone"), bars(game.standalone_values, view.say("alone")))]
    ordered = [view.what, *REFERENCE_METHODS, *view.methods]
    seen: set[str] = set()
    for key in ordered:
        if key in seen or (key != view.what and key not in view.methods):
            continue
        seen.add(key)
        values = view.current if key == view.what else view.methods[key]
        text, style = note(key)
        groups.append(
            BarGroup(
                view.method(key), bars(values, view.method(key)), text, style, key == view.what
            )
        )
    chart = grouped_bars(groups, fmt=lambda v: format_money(v, "", 0 if abs(v) >= 10 else 2))
    names = legend([(name, party_colour(i)) for i, name in enumerate(game.names)])
    note_text = view.say("html_allocations_note", amount=view.amount_word())
    return (
        f'<section id="allocations"><h2>{escape(view.say("html_allocations_heading"))}</h2>'
        f"<p>{escape(note_text)}</p>{names}{chart}</section>"
    )


def cash_section(view: ReportView) -> str:
    """Each party's yearly net cash under the current allocation (a line per party)."""
    flows = view.result.cash_flows
    heading = f"<h2>{escape(view.say('html_cash_heading'))}</h2>"
    if flows.empty or "net" not in flows.columns:
        return f'<section id="cash">{heading}<p>{escape(view.say("html_no_cash"))}</p></section>'
    table = flows.pivot_table(index="year", columns="party", values="net", aggfunc="sum")
    years = [float(y) for y in table.index]
    game = view.game
    series = [
        Series(
            game.names[i],
            party_colour(i),
            table[p].tolist() if p in table else [math.nan] * len(years),
        )
        for i, p in enumerate(game.players)
    ]
    chart = line_chart(years, series, fmt=lambda v: format_money(v, "", 0 if abs(v) >= 10 else 2))
    note = view.say(
        "html_cash_note", what=view.say(f"what_{view.what}"), unit=view.result.unit or "—"
    )
    names = legend([(name, party_colour(i)) for i, name in enumerate(game.names)])
    return f'<section id="cash">{heading}<p>{escape(note)}</p>{names}{chart}</section>'


def stability_section(view: ReportView, closest: Sequence[CoalitionMargin]) -> str:
    """The coalitions closest to walking away: together, alone, the margin in words."""
    what = view.say(f"what_{view.what}")
    suffix = "_cost" if view.cost else ""
    rows = []
    for margin in closest:
        leaves = margin.excess > tolerance(view.game.values)
        words = view.say(
            f"html_would_leave{suffix}" if leaves else f"html_stays{suffix}",
            amount=view.money(abs(margin.excess)),
        )
        rows.append(
            f'<tr class="{"bad" if leaves else ""}" data-coalition="{escape(margin.coalition)}">'
            f"<td>{escape(join_names(margin.names, view.lang))}</td>"
            f"{money_cell(view, margin.together)}{money_cell(view, margin.alone)}"
            f'<td class="{"bad" if leaves else "good"}" data-excess="{json_number(margin.excess)}">'
            f"{escape(words)}</td></tr>"
        )
    head = [
        view.say("html_coalition"),
        view.say("html_together", what=what),
        view.say("html_on_their_own"),
        view.say("html_margin"),
    ]
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    note = view.say(f"html_stability_note{suffix}", what=what)
    return (
        f'<section id="stability"><h2>{escape(view.say("html_stability_heading"))}</h2>'
        f"<p>{escape(note)}</p><table><thead><tr>{header}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def details_section(view: ReportView, explorer: Sequence[ExplorerLine]) -> str:
    """Run details: skipped methods, warnings, the sweeps and their time, the generator."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        made_by = version("fairpool")
    except PackageNotFoundError:
        made_by = "?"
    items = []
    skipped = (
        view.result.skipped
        if isinstance(view.result, PlanResult)
        else (view.result.analysis.skipped)
    )
    for method, reason in skipped.items():
        items.append(f"{view.say('html_skipped')}: {view.method(method)} — {reason}")
    warnings = view.result.warnings if isinstance(view.result, PlanResult) else ()
    items += [f"{view.say('html_warnings')}: {w}" for w in warnings]
    if explorer:
        items.append(
            view.say(
                "html_sweeps_timing",
                count=len(explorer),
                values=max(len(line.sweep.table) for line in explorer),
                seconds=f"{sum(line.seconds for line in explorer):.2f}",
            )
        )
    items.append(view.say("html_generated", version=made_by))
    listed = "".join(f"<li>{escape(item)}</li>" for item in items)
    return (
        f'<section id="details"><details><summary>{escape(view.say("run_details"))}</summary>'
        f"<ul>{listed}</ul></details></section>"
    )
