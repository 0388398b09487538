"""The HTML report's ratio explorer: its section (controls the script fills) and its data,
the JSON the script reads (``html_assets/explorer.js``): every line's values, each party's
amount, the verdict, the worst coalition by name, the bands and the marks, and the phrases
of the report's language. The numbers are the sweeps' own (12 significant digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from fairpool.reports.document import json_number
from fairpool.reports.html_svg import party_colour
from fairpool.reports.html_view import ExplorerLine, ReportView


def explorer_section(view: ReportView, explorer: Sequence[ExplorerLine]) -> str:
    """The explorer's controls and outputs; the script fills them from the JSON."""
    heading = f"<h2>{escape(view.say('html_explorer_heading'))}</h2>"
    if not explorer:
        return (
            f'<section id="explorer">{heading}<p>{escape(view.say("html_explorer_none"))}</p>'
            "</section>"
        )
    shares = explorer[0].sweep.value_column == "share"  # cost shares slide, not split ratios
    note = view.say(
        "html_explorer_note_cost" if shares else "html_explorer_note", amount=view.amount_word()
    )
    return (
        f'<section id="explorer">{heading}<p>{escape(note)}</p>'
        '<div class="controls" id="explorer-controls"></div>'
        '<div class="slider"><input type="range" id="explorer-slider" min="0" max="0" step="1">'
        '<output id="explorer-value"></output></div>'
        '<div class="marks" id="explorer-marks"></div>'
        '<p class="sentence" id="explorer-verdict"></p><p class="band" id="explorer-band"></p>'
        '<div id="explorer-chart"></div><table id="explorer-table"></table></section>'
    )


EXPLORER_PHRASES = (
    "html_all",
    "html_explorer_ratio_of",
    "html_explorer_share_of",
    "html_explorer_stable",
    "html_explorer_stable_cost",
    "html_explorer_blocked",
    "html_explorer_blocked_cost",
    "html_explorer_outside_rules",
    "html_explorer_outside_budgets",
    "html_explorer_band",
    "html_explorer_no_band",
    "html_explorer_band_rules",
    "html_explorer_no_band_rules",
    "html_explorer_value",
    "html_sentence_gap",
    "html_explorer_mark",
    "html_explorer_not_reached",
    "html_explorer_vs",
    "html_explorer_at_value",
    "party",
    "stream",
    "phase",
    "project",
    "alone",
)
"""The phrases the script needs, sent in the report's language."""


def explorer_payload(view: ReportView, explorer: Sequence[ExplorerLine]) -> dict[str, Any]:
    """The JSON the explorer's script reads: parties, phrases, money format and every line
    (values, each party's amount, verdict, worst coalition as names, band, marks)."""
    game = view.game
    phrases = {key: view.say(key) for key in EXPLORER_PHRASES}
    what = view.say(f"what_{view.what}")
    phrases["html_explorer_vs"] = view.say("html_explorer_vs", what=what)
    marks = {"shapley": view.method("shapley"), "nucleolus": view.method("nucleolus")}
    marks["current"] = view.say(view.what)
    return {
        "lang": view.lang,
        "unit": view.result.unit,
        "decimals": view.decimals,
        "orientation": game.orientation,
        "amountWord": view.amount_word(),
        "parties": [
            {
                "id": party,
                "name": game.names[i],
                "colour": party_colour(i),
                "alone": json_number(game.standalone_values[i]),
                "current": json_number(view.current[i]),
            }
            for i, party in enumerate(game.players)
        ],
        "phrases": phrases,
        "markNames": marks,
        "lines": [line_payload(view, line) for line in explorer],
    }


def line_payload(view: ReportView, line: ExplorerLine) -> dict[str, Any]:
    sweep = line.sweep
    table = sweep.table
    prefix = "cost_" if view.cost else "npv_"
    within = sweep.rules_flag if sweep.rules_flag in table.columns else None
    band, kept = sweep.core_band, sweep.band_within_rules
    return {
        "party": sweep.line.party,
        "stream": sweep.line.stream,
        "phase": str(sweep.line.phase),
        "project": sweep.line.project,
        "kind": sweep.value_column,
        "values": [json_number(v) for v in table[sweep.value_column]],
        "amounts": [[json_number(v) for v in table[prefix + p]] for p in view.game.players],
        "inCore": [bool(v) for v in table["in_core"]],
        "worst": [view.names(str(label)) for label in table["worst_coalition"]],
        "worstExcess": [json_number(v) for v in table["worst_excess"]],
        "within": None if within is None else [bool(v) for v in table[within]],
        "withinKind": within,
        "band": None if band is None else [json_number(band[0]), json_number(band[1])],
        "bandRules": None if kept is None else [json_number(kept[0]), json_number(kept[1])],
        "hasRules": within is not None,
        "marks": {key: json_number(value) for key, value in line.marks.items()},
    }
