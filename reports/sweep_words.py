"""``fairpool sweep`` in words: what slides, from which baseline, how the other parties move,
the core band and the band within the rules, and the rules that cut it.

The terminal (:func:`fairpool.reports.text.render_sweep`, in English) and the sweep workbook
(:mod:`fairpool.reports.sweep_workbook`, in the case's language) say the same sentences, from
the phrase table (:data:`fairpool.reports.i18n.PHRASES`, keys ``sw_*``). Everything here reads
the :class:`~fairpool.models.results.SweepResult`; nothing is computed but formats: ratios and
shares as percentages with as many decimals as the swept values need, the bands to 0.01%.
The rules stay in the words of the family's rule check (the words ``check`` uses).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from fairpool.models.results import ALL
from fairpool.reports.i18n import Language, phrase

if TYPE_CHECKING:
    from fairpool.models.results import SweepResult

BAND_DECIMALS = 2
"""Decimals of a band's ends in percent (60.53%): the bands are exact, the grid is not."""


def party_label(sweep: SweepResult, party: str) -> str:
    """``四川省 (PROV)``: a party's display name and id (the id alone when they agree)."""
    name = sweep.names[sweep.players.index(party)]
    return party if name == party else f"{name} ({party})"


def value_decimals(values: Iterable[float]) -> int:
    """Decimals of percentages that show every swept value exactly (0.05 → 5%, 0.125 →
    12.5%), at most 4.

    Example:
        >>> value_decimals([0.0, 0.05, 0.1]), value_decimals([0.125]), value_decimals([1 / 3])
        (0, 1, 4)
    """
    shown = [100.0 * v for v in values if math.isfinite(v)]
    for decimals in range(5):
        if all(abs(v - round(v, decimals)) < 1e-9 for v in shown):
            return decimals
    return 4


def percent(value: float, decimals: int) -> str:
    """``0.6053`` → ``60.53%`` with ``decimals`` places (``—`` when not finite)."""
    return f"{value:.{decimals}%}" if math.isfinite(value) else "—"


def line_words(sweep: SweepResult, lang: Language) -> str:
    """What slides: whose ratio of which stream in which phase, whose share of which project's
    cost, or whose share of the joint cost."""
    line = sweep.line
    party = party_label(sweep, line.party)
    if "stream" in sweep.line_fields:
        stream = (
            phrase("sw_every_stream", lang)
            if line.stream == ALL
            else phrase("sw_one_stream", lang, stream=line.stream)
        )
        phase = (
            phrase("sw_every_phase", lang)
            if line.phase == ALL
            else phrase("sw_one_phase", lang, phase=line.phase)
        )
        return phrase("sw_line_ratio", lang, party=party, stream=stream, phase=phase)
    if "project" in sweep.line_fields:
        project = (
            phrase("sw_every_project", lang)
            if line.project == ALL
            else phrase("sw_one_project", lang, project=line.project)
        )
        return phrase("sw_line_project", lang, party=party, project=project)
    return phrase("sw_line_whole", lang, party=party)


def listing(items: list[str], lang: Language) -> str:
    """``A, B and C`` (``A、B、C`` in Chinese)."""
    if lang == "zh":
        return "、".join(items)
    return items[0] if len(items) < 2 else f"{', '.join(items[:-1])} and {items[-1]}"


def heading(sweep: SweepResult, lang: Language) -> str:
    """``Sweep of 四川省 (PROV)'s split ratio of stream VAT in phase 2: 0% to 100%, 11
    values.``"""
    values = sweep.table[sweep.value_column].tolist() if len(sweep.table) else [math.nan]
    decimals = value_decimals(values)
    return phrase(
        "sw_heading",
        lang,
        line=line_words(sweep, lang),
        first=percent(float(values[0]), decimals),
        last=percent(float(values[-1]), decimals),
        count=len(sweep.table),
    )


def baseline_words(sweep: SweepResult, lang: Language) -> list[str]:
    """Where the sweep starts (the proposal, or the plan when the case has none, and the
    swept line's value there) and how the other parties move: in proportion, or one named
    counterparty alone (with how far the line can then go)."""
    line = sweep.line
    party = party_label(sweep, line.party)
    start = (
        phrase("sw_baseline_plan", lang, target=sweep.target)
        if sweep.baseline == "plan"
        else phrase(f"sw_baseline_{sweep.baseline}", lang)
    )
    if sweep.baseline_value is None:
        start += phrase("sw_baseline_mixed", lang, party=party)
    else:
        start += phrase(
            "sw_baseline_value",
            lang,
            party=party,
            value=percent(
                sweep.baseline_value,
                min(BAND_DECIMALS, value_decimals([sweep.baseline_value])),
            ),
        )
    if line.against is None:
        others = [party_label(sweep, p) for p in sweep.players if p != line.party]
        moving = phrase("sw_others_proportional", lang, parties=listing(others, lang))
    else:
        moving = phrase("sw_others_against", lang, party=party_label(sweep, line.against))
        if sweep.value_range[1] < 1.0 - 1e-12:
            moving += " " + phrase(
                "sw_against_limit",
                lang,
                party=party,
                value=percent(sweep.value_range[1], BAND_DECIMALS),
            )
    return [start, moving]


def band_words(sweep: SweepResult, lang: Language) -> list[tuple[int, str]]:
    """The core band, then (where the family has rules on the line) the band within the
    rules and, indented one level, each cut: "above 50.00%, the plan breaks sheet rules row
    4 (…)", or the rules broken across the whole core band. (indent level, sentence)."""
    core = sweep.core_band
    if core is None:
        return [(0, phrase("sw_core_band_none", lang))]
    low, high = (percent(v, BAND_DECIMALS) for v in core)
    words = [(0, phrase("sw_core_band", lang, low=low, high=high))]
    if sweep.rules_flag is None:
        return words
    rules = phrase("sw_budgets" if sweep.rules_flag == "within_budgets" else "sw_rules", lang)
    within = sweep.band_within_rules
    if within is None:
        words.append((0, phrase("sw_within_none", lang, rules=rules)))
        for cut in sweep.cuts:
            words += [(1, rule) for rule in cut.rules or (phrase("sw_cut_unnamed", lang),)]
        return words
    if not sweep.cuts:
        return [*words, (0, phrase("sw_within_same", lang, rules=rules))]
    low, high = (percent(v, BAND_DECIMALS) for v in within)
    words.append((0, phrase("sw_within", lang, rules=rules, low=low, high=high)))
    for cut in sweep.cuts:
        at = percent(cut.at if cut.at is not None else math.nan, BAND_DECIMALS)
        for rule in cut.rules or (phrase("sw_cut_unnamed", lang),):
            words.append((1, phrase(f"sw_cut_{cut.side}", lang, at=at, rule=rule)))
    return words


__all__ = [
    "BAND_DECIMALS",
    "band_words",
    "baseline_words",
    "heading",
    "line_words",
    "listing",
    "party_label",
    "percent",
    "value_decimals",
]
