"""Text and JSON of a sweep by constraint generation (the
:class:`~fairpool.models.large_sweep_results.LargeSweep` result).

The table has the enumerated sweep's columns (the value, each party's NPV or cost, in core,
the coalition most tempted to leave and its gain, the rules flag); above
:data:`SHOWN_PARTIES` parties the text shows only the swept party and its counterparty (a
row of 40 amounts does not fit a terminal; ``--json`` has them all). Then the core band, the
band within the rules where the family tells it without the game, and the method line (what
the answer cost). The JSON document carries the same, numbers unrounded
(``ensure_ascii=False`` at the caller).
"""

from __future__ import annotations

from typing import Any

from fairpool.models.large_results import GenerationWork
from fairpool.models.large_sweep_results import LargeSweep
from fairpool.models.results import ALL
from fairpool.reports.document import json_number, records, swept_line_entries
from fairpool.reports.large import work_document
from fairpool.reports.sweep_words import percent, value_decimals
from fairpool.reports.text import render_table, sweep_table_rows

SHOWN_PARTIES = 8
"""Above this many parties the text table shows the swept party (and counterparty) only."""


BASELINE_WORDS = {
    "proposal": "proposal sheet",
    "given": "given proposal",
    "plan": "plan toward the {target} (by constraint generation)",
}
"""Where a generated sweep starts, in words (:class:`~fairpool.models.results.SweepBaseline`)."""


def _label(sweep: LargeSweep, party: str) -> str:
    name = dict(zip(sweep.players, sweep.names, strict=True))[party]
    return party if name == party else f"{name} {party}"


def line_description(sweep: LargeSweep) -> str:
    """What slides, in words: whose ratio of which stream and phase, whose share of which
    project's cost, or whose share of the whole cost."""
    line = sweep.line
    who = _label(sweep, line.party)

    def named(value: str, every: str) -> str:
        return every if value == ALL else value

    if "stream" in sweep.line_fields:
        what = (
            f"{who}'s ratio of {named(line.stream, 'every cash stream')} in "
            f"{named(str(line.phase), 'every phase')}"
        )
    elif "project" in sweep.line_fields:
        what = f"{who}'s share of the cost of {named(line.project, 'every built project')}"
    else:
        what = f"{who}'s share of the whole cost"
    if line.against is None:
        return f"{what}; the other parties share the rest in the baseline's proportions"
    return f"{what}; {_label(sweep, line.against)} alone gives up or takes the difference"


def work_line(work: GenerationWork) -> str:
    """What the sweep cost: separations (one per value, two or more for the band), MILPs,
    coalition values solved alone (stand-alone values and certificates), seconds."""
    return (
        f"Method: constraint generation — separations {work.separations} ({work.milps} "
        f"MILPs, {work.solver_seconds:.2f} s in HiGHS), band ratio tests {work.rounds} over "
        f"{work.rows} generated coalitions, coalition values solved alone {work.values}; "
        f"{work.seconds:.2f} s in all."
    )


def coalition_cell(label: str, spelled_out: int = 5) -> str:
    """A coalition for a table cell: ``A+B+C`` up to ``spelled_out`` members, else
    ``16 parties: T06+T07+T12+T13+…+T40`` (``--json`` has every member)."""
    members = label.split("+") if label else []
    if len(members) <= spelled_out:
        return label or "-"
    return f"{len(members)} parties: {'+'.join(members[: spelled_out - 1])}+…+{members[-1]}"


def band_text(band: tuple[float, float] | None, decimals: int) -> str:
    """A band as percentages, ``none`` when empty."""
    if band is None:
        return "none"
    return f"{percent(band[0], decimals)} – {percent(band[1], decimals)}"


def render_large_sweep(sweep: LargeSweep) -> str:
    """The text of ``fairpool sweep`` on a case swept by generation."""
    shown_parties = list(sweep.players)
    if len(shown_parties) > SHOWN_PARTIES:
        shown_parties = [sweep.line.party] + (
            [] if sweep.line.against is None else [sweep.line.against]
        )
    rows = sweep_table_rows(
        sweep.table,
        sweep.value_column,
        sweep.orientation,
        sweep.unit,
        {p: _label(sweep, p) for p in shown_parties},
        sweep.rules_flag,
        coalition_cell,
    )
    shown = value_decimals(sweep.table[sweep.value_column].tolist())
    band_decimals = max(shown, 2)
    lines = [
        f"Sweep: {sweep.case_name} ({sweep.model}, {len(sweep.players)} parties; unit "
        f"{sweep.unit or '-'})",
        f"Slides {line_description(sweep)}.",
        f"Baseline: the {BASELINE_WORDS[sweep.baseline].format(target=sweep.target)}"
        + (
            ""
            if sweep.baseline_value is None
            else f" ({percent(sweep.baseline_value, band_decimals)} on the swept line)"
        )
        + f"; the line goes from 0% to {percent(sweep.value_range[1], band_decimals)}.",
        "",
        render_table(rows, right_from=0, left_from=len(shown_parties) + 1),
    ]
    if len(shown_parties) < len(sweep.players):
        lines.append(
            f"(the other {len(sweep.players) - len(shown_parties)} parties' amounts: --json)"
        )
    lines.append("")
    if sweep.band_refusal is not None:
        lines.append(f"Core band: not computed: {sweep.band_refusal}.")
    else:
        lines.append(
            f"Core band (exact, by constraint generation): "
            f"{band_text(sweep.core_band, band_decimals)}"
            + ("" if sweep.core_band is not None else " (no value of the line is in the core)")
        )
        if sweep.rules_flag is not None and sweep.band_within_rules is not None:
            lines.append(
                f"Band within the rules: {band_text(sweep.band_within_rules, band_decimals)}"
            )
        for cut in sweep.cuts:
            where = "" if cut.at is None else f" at {percent(cut.at, band_decimals)}"
            rules = "; ".join(cut.rules) or "a rule"
            lines.append(f"  cut ({cut.side}){where}: the swept plan {rules}")
    lines += ["", work_line(sweep.work), *sweep.notes]
    return "\n".join(lines)


def large_sweep_document(sweep: LargeSweep) -> dict[str, Any]:
    """The JSON document of ``fairpool sweep`` by generation: ``method``, ``case``,
    ``orientation``, the line (``party``, ``stream``, ``phase``, ``project``: ``all`` is every
    one, ``null`` where the family has no such field; ``against``), ``baseline``, ``target``,
    ``baseline_value``, ``value_column``, ``value_range``, ``grand_value``, ``tolerance``,
    ``core_band`` ([lo, hi] or null), ``core_band_refused`` (why it was not computed, or
    null), ``core_band_within_rules``, ``rules_flag``, ``cuts``, ``sweep`` (one record per
    value, the enumerated sweep's columns), ``notes`` and ``work``."""
    line_entries, band_entries = swept_line_entries(sweep)
    return {
        "method": sweep.method,
        "case": {"name": sweep.case_name, "model": sweep.model, "unit": sweep.unit},
        "orientation": sweep.orientation,
        **line_entries,
        "grand_value": json_number(sweep.grand_value),
        "tolerance": json_number(sweep.tolerance),
        **band_entries,
        "core_band_refused": sweep.band_refusal,
        "sweep": records(sweep.table),
        "notes": list(sweep.notes),
        "work": work_document(sweep.work),
    }


__all__ = [
    "SHOWN_PARTIES",
    "band_text",
    "coalition_cell",
    "large_sweep_document",
    "line_description",
    "render_large_sweep",
    "work_line",
]
