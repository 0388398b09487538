"""The HTML negotiation report (reports/html.py) and what commands/outputs.py computes for it:
self-contained and offline, every label in the chosen language, text from the case escaped,
the explorer's numbers equal to the family's own sweeps, marks where they say they are, and
the coalitions closest to blocking equal to brute-force enumeration."""

from __future__ import annotations

import dataclasses
import json
import re
from functools import cache
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fairpool.cases import case_path
from fairpool.commands.outputs import (
    EXPLORER_VALUES,
    MAX_EXPLORER_LINES,
    closest_coalitions,
    crossing,
    explorer_choices,
    explorer_lines,
    sweep_base,
)
from fairpool.models import family_of
from fairpool.models.family import ALL, PlanResult, SweepLine
from fairpool.reports.html import render_html_report
from fairpool.reports.i18n import PHRASES, phrase

PARK = "sichuan_zhejiang_park.xlsx"
WATER = "water_plant.xlsx"
RIVER = "river_program.xlsx"


@cache
def solved(name: str) -> tuple[Any, Any, PlanResult]:
    """(family, case, plan) of a shipped case, solved once per test run."""
    path = case_path(name)
    family = family_of(path)
    case = family.read_case(path)
    return family, case, family.solve(case)


@cache
def explorer(name: str) -> list[Any]:
    family, case, result = solved(name)
    return explorer_lines(family, case, result)


def payload(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="fairpool-data">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


def visible_text(page: str) -> str:
    """The page's text outside scripts and styles, tags removed, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def render(name: str, lang: str | None = None) -> str:
    result = solved(name)[2]
    current = np.array([result.amounts[p] for p in result.players])
    return render_html_report(
        result,
        lang=lang,  # type: ignore[arg-type]
        explorer=explorer(name),
        closest=closest_coalitions(result.game, current),
    )


def test_the_page_is_one_offline_file() -> None:
    page = render(PARK, "en")
    # a Content-Security-Policy that allows no request at all
    assert "default-src 'none'" in page and "connect-src" not in page
    # nothing that loads anything: no external script, stylesheet, image, font or frame
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "@import" not in page and "url(" not in page
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched
    assert payload(page)["lines"]


def test_every_label_switches_with_the_language() -> None:
    _, _, result = solved(PARK)
    english, chinese = render(PARK, "en"), render(PARK, "zh")
    assert '<html lang="en">' in english and '<html lang="zh-CN">' in chinese
    used = [key for key in PHRASES if key.startswith("html_") or key in ("alone", "party")]
    for key in used:
        en, zh = PHRASES[key]
        for fragment in re.split(r"\{\w+\}", en):
            fragment = fragment.strip(" .,:;")
            if len(fragment) >= 8 and fragment not in zh:
                assert fragment not in visible_text(chinese), (key, fragment)
                assert fragment not in payload(chinese)["phrases"].values(), (key, fragment)
    # the headings and the verdict are there in each language
    for lang, page in (("en", english), ("zh", chinese)):
        assert phrase("html_allocations_heading", lang) in page
        assert phrase("html_explorer_heading", lang) in page
        assert phrase("html_stability_heading", lang) in page
    # party names stay as typed
    for name in result.names:
        assert name in visible_text(english) and name in visible_text(chinese)


def test_the_default_language_is_the_case_language() -> None:
    assert '<html lang="zh-CN">' in render(PARK)  # Chinese party names
    _, _, result = solved(PARK)
    latin = dataclasses.replace(
        result,
        case_name="Park",
        names=result.players,
        game=dataclasses.replace(result.game, names=result.players),
    )
    assert '<html lang="en">' in render_html_report(latin)


def test_the_verdict_comes_first_in_plain_words() -> None:
    _, _, result = solved(PARK)
    page = render(PARK, "en")
    verdict = page.index('id="verdict"')
    assert verdict < page.index('id="allocations"') < page.index('id="explorer"')
    sentence = phrase("verdict_stable", "en", what="plan") if result.in_core else "would gain"
    assert sentence in page[verdict : page.index('id="allocations"')]


def test_text_from_the_case_is_escaped() -> None:
    _, _, result = solved(PARK)
    evil = "</script><img src=x onerror=alert(1)>"
    names = (evil, *result.names[1:])
    hostile = dataclasses.replace(
        result, names=names, game=dataclasses.replace(result.game, names=names)
    )
    page = render_html_report(hostile, lang="en", explorer=explorer(PARK))
    assert evil not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert payload(page)["parties"][0]["name"] == evil  # intact once parsed


def test_the_explorer_holds_the_family_sweeps_exactly() -> None:
    family, case, result = solved(PARK)
    data = payload(render(PARK, "en"))
    lines = {(line["party"], line["stream"], line["phase"]): line for line in data["lines"]}
    assert len(lines) == len(data["lines"])  # one line per choice
    base = sweep_base(family, case, result)  # the plan shown, as the case's proposal
    for key in (("PROV", ALL, ALL), ("SEND", "VAT", ALL), ("HOST", ALL, "3")):
        line = lines[key]
        assert len(line["values"]) == EXPLORER_VALUES
        picked = [0, 37, EXPLORER_VALUES - 1]
        values = [line["values"][k] for k in picked]
        fresh = family.sweep(base, SweepLine(*key), values).table
        for k, row in zip(picked, fresh.itertuples(index=False), strict=True):
            for i, party in enumerate(result.players):
                assert line["amounts"][i][k] == pytest.approx(
                    getattr(row, f"npv_{party}"), rel=1e-9, abs=1e-9
                )
            assert line["inCore"][k] == bool(row.in_core)
            assert line["worstExcess"][k] == pytest.approx(row.worst_excess, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("name", [PARK, RIVER, WATER])
def test_the_current_mark_is_the_plan(name: str) -> None:
    """Where the swept cells hold one value in the plan the mark is that value and the plan
    itself (every party's amount); elsewhere it is where the swept party gets its plan amount."""
    family, case, result = solved(name)
    base = sweep_base(family, case, result)
    exact = 0
    prefix = "cost_" if result.game.orientation == "cost" else "npv_"
    for line in explorer(name):
        assert "current" in line.marks
        at = family.sweep(base, line.sweep.line, [line.marks["current"]]).table
        party = line.sweep.line.party
        assert at[prefix + party].iloc[0] == pytest.approx(result.amounts[party], rel=1e-6)
        if line.sweep.baseline_value is not None:
            assert line.marks["current"] == line.sweep.baseline_value
            for other in result.players:
                wanted = result.amounts[other]
                assert at[prefix + other].iloc[0] == pytest.approx(wanted, rel=1e-7)
            exact += 1
    assert exact >= len(result.players)


def test_shapley_and_nucleolus_marks_give_the_party_its_amount() -> None:
    family, case, result = solved(WATER)  # cost shares are linear in the share: exact marks
    base = sweep_base(family, case, result)
    for line in explorer(WATER):
        party = line.sweep.line.party
        index = result.players.index(party)
        for method in ("shapley", "nucleolus"):
            if method in line.marks:
                at = family.sweep(base, line.sweep.line, [line.marks[method]]).table
                wanted = result.allocations[method].shares[index]
                assert at[f"cost_{party}"].iloc[0] == pytest.approx(wanted, rel=1e-9)


def test_crossing_finds_the_first_level_and_refuses_flat_lines() -> None:
    assert crossing([0.0, 0.5, 1.0], [10.0, 0.0, -10.0], 5.0) == pytest.approx(0.25)
    assert crossing([0.0, 0.5, 1.0], [0.0, 10.0, 20.0], 10.0) == 0.5
    assert crossing([0.0, 1.0], [0.0, 10.0], 11.0) is None
    assert crossing([0.0, 1.0], [3.0, 3.0], 3.0) is None


def test_the_explorer_lines_are_bounded() -> None:
    # the Jingjinji park: every party × {all, each stream} × {all, each phase} fits
    family, case, result = solved("jingjinji_relocation.xlsx")
    every = explorer_choices(family, case, result)
    streams = [s.stream for s in case.streams if s.kind == "cash"]
    assert len(every) == case.n * (1 + len(streams)) * (1 + len(case.phases))
    assert len(every) <= MAX_EXPLORER_LINES
    # the Sichuan–Zhejiang park: too many; each party × (all, each stream, each phase)
    family, case, result = solved(PARK)
    streams = [s.stream for s in case.streams if s.kind == "cash"]
    assert case.n * (1 + len(streams)) * (1 + len(case.phases)) > MAX_EXPLORER_LINES
    fewer = explorer_choices(family, case, result)
    assert len(fewer) == case.n * (1 + len(streams) + len(case.phases))
    party = case.parties[0]
    assert (party, ALL, ALL, ALL) in fewer and (party, streams[0], ALL, ALL) in fewer
    assert (party, ALL, str(case.phases[0].phase), ALL) in fewer
    assert (party, streams[0], str(case.phases[0].phase), ALL) not in fewer
    # still too many: each party alone
    phases = [dataclasses.replace(p, phase=f"{p.phase}.{k}") for p in case.phases for k in range(6)]
    many = dataclasses.replace(case, phases=tuple(phases))
    assert explorer_choices(family, many, result) == [(p, ALL, ALL, ALL) for p in case.parties]


def test_infrastructure_lines_slide_each_built_project() -> None:
    lines = explorer(RIVER)
    projects = {line.sweep.line.project for line in lines}
    assert ALL in projects and len(projects) > 2
    assert {line.sweep.value_column for line in lines} == {"share"}
    page = render(RIVER, "zh")
    assert phrase("html_model_infrastructure", "zh") in page


def test_closest_coalitions_match_enumeration() -> None:
    _, _, result = solved(WATER)
    game = result.game
    shares = np.array([result.amounts[p] for p in result.players])
    listed = closest_coalitions(game, shares, count=5)
    brute = sorted(
        (
            sum(shares[i] for i in range(game.n) if mask >> i & 1) - game.values[mask],
            bin(mask).count("1"),
            mask,
        )
        for mask in range(1, (1 << game.n) - 1)
    )
    brute.sort(key=lambda item: (-item[0], item[1], item[2]))
    assert [m.coalition for m in listed] == [game.label(mask) for _, _, mask in brute[:5]]
    for margin, (excess, _, mask) in zip(listed, brute, strict=False):
        assert margin.excess == pytest.approx(excess)
        assert margin.alone == pytest.approx(game.values[mask])
        assert margin.together - margin.alone == pytest.approx(excess)


def test_a_proposal_report_names_what_breaks(tmp_path: Path) -> None:
    family, case, _ = solved(PARK)
    judged = family.check(case, None)
    page = render_html_report(judged, lang="zh", explorer=explorer_lines(family, case, judged))
    text = visible_text(page)
    assert phrase("html_is_it_fair", "zh", what=phrase("what_proposal", "zh")) in text
    verdict = phrase("html_fair" if judged.fair else "html_not_fair", "zh")
    assert f'data-fair="{str(judged.fair).lower()}">{verdict}' in page
    if not judged.in_core:
        names = " + ".join(
            name
            for party, name in zip(judged.players, judged.names, strict=True)
            if party in judged.worst_coalition.split("+")
        )
        assert names in text
