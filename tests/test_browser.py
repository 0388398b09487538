"""The HTML negotiation report in a real browser: Debian's chromium, headless, driven by
Playwright (``executable_path``; no browser is downloaded).

The report is written by the real command (``fairpool solve --html``). The test moves the
ratio explorer's slider and drop-downs as a user would (keys, selections, a click), reads the
figures and the verdict the page shows, and compares them with the family's own sweep at the
value shown, computed here afresh: every amount to 1e-6 relative, every sentence word for word.
It asserts that the page made no network request, and saves the screenshots the README shows
(``docs/screenshots/report_<lang>.png``).

A missing chromium or Playwright fails the test (it never skips): ``.ci/run`` installs both.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fairpool.cases import case_path
from fairpool.cli import app
from fairpool.models import family_of
from fairpool.models.family import SweepLine
from fairpool.reports.i18n import format_money, format_ratio, phrase

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("FAIRPOOL_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "docs" / "screenshots"
PARK = "sichuan_zhejiang_park.xlsx"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), or "
        "set FAIRPOOL_CHROMIUM to a Chromium binary; the browser test does not skip"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped park's report in English and in Chinese, written by ``fairpool solve``."""
    folder = tmp_path_factory.mktemp("reports")
    written = {}
    for lang in ("en", "zh"):
        page = folder / f"report_{lang}.html"
        arguments = ["solve", str(case_path(PARK)), "--no-cache", "-o", str(folder / lang)]
        arguments += ["--html", str(page), "--lang", lang]
        result = CliRunner().invoke(app, arguments)
        assert result.exit_code == 0, result.output
        written[lang] = page
    return written


@cache
def park() -> tuple[Any, Any]:
    """The park's family and the case its plan's sweeps start from (no proposal: the plan)."""
    family = family_of(case_path(PARK))
    case = family.read_case(case_path(PARK))
    return family, dataclasses.replace(case, proposal=None)


def embedded(page: Path) -> dict[str, Any]:
    found = re.search(r'id="fairpool-data">(.*?)</script>', page.read_text(encoding="utf-8"))
    assert found is not None
    return json.loads(found.group(1))


def line_of(data: dict[str, Any], party: str, stream: str, phase: str) -> dict[str, Any]:
    """The embedded explorer line of ``party``, ``stream`` and ``phase``."""
    return next(
        line
        for line in data["lines"]
        if (line["party"], line["stream"], line["phase"]) == (party, stream, phase)
    )


def open_report(browser: Any, page_path: Path) -> tuple[Any, list[str]]:
    """A new page on the report, every request it makes recorded."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.resolve().as_uri())
    page.wait_for_selector("html[data-explorer-ready='1']")
    return page, requests


def slide_to(page: Any, index: int) -> None:
    """Move the slider to ``index`` with the keyboard, as a user would."""
    slider = page.locator("#explorer-slider")
    slider.focus()
    slider.press("Home")
    for _ in range(index):
        slider.press("ArrowRight")
    assert page.locator("#explorer-value").get_attribute("data-index") == str(index)


def shown(page: Any, parties: list[str]) -> tuple[float, dict[str, float], dict[str, str], str]:
    """(value, {party: amount} from the page's data, {party: amount text}, verdict text)."""
    value = float(page.locator("#explorer-value").get_attribute("data-value"))
    amounts, texts = {}, {}
    for party in parties:
        cell = page.locator(f"#explorer-table tr[data-party='{party}'] td.amount")
        amounts[party] = float(cell.get_attribute("data-value"))
        texts[party] = cell.inner_text()
    return value, amounts, texts, page.locator("#explorer-verdict").inner_text()


def expected_sentence(lang: str, data: dict[str, Any], line: SweepLine, value: float) -> str:
    """The explorer's sentence at ``value``, from the family's sweep and the phrase table."""
    family, case = park()
    row = family.sweep(case, line, [value]).table.iloc[0]
    names = dict(zip(case.parties, case.party_names, strict=True))
    parties = " + ".join(names[p] for p in case.parties if p in row.worst_coalition.split("+"))
    key = "html_explorer_stable" if row.in_core else "html_explorer_blocked"
    money = format_money(abs(row.worst_excess), data["unit"], data["decimals"])
    sentence = phrase(key, lang, value=format_ratio(value), parties=parties, amount=money)  # type: ignore[arg-type]
    if "within_rules" in row and not row.within_rules:
        gap = phrase("html_sentence_gap", lang)  # type: ignore[arg-type]
        sentence += gap + phrase("html_explorer_outside_rules", lang)  # type: ignore[arg-type]
    return sentence


def check_against_sweep(page: Any, lang: str, data: dict[str, Any], line: SweepLine) -> bool:
    """The page's figures and sentence at the slider's value against a fresh sweep; returns
    whether that value is in the core."""
    family, case = park()
    parties = list(case.parties)
    value, amounts, texts, sentence = shown(page, parties)
    row = family.sweep(case, line, [value]).table.iloc[0]
    for party in parties:
        assert amounts[party] == pytest.approx(row[f"npv_{party}"], rel=1e-6, abs=1e-9)
        assert texts[party] == format_money(amounts[party], data["unit"], data["decimals"])
    assert sentence == expected_sentence(lang, data, line, value)
    in_core = page.locator("#explorer-verdict").get_attribute("data-in-core") == "true"
    assert in_core == bool(row.in_core)
    return in_core


def test_the_explorer_shows_the_exact_sweep(browser: Any, reports: dict[str, Path]) -> None:
    data = embedded(reports["en"])
    page, requests = open_report(browser, reports["en"])
    # PROV's share of everything: the slider crosses the core band
    page.select_option("#explorer-party", "PROV")
    prov = line_of(data, "PROV", "*", "*")
    assert prov["band"] is not None
    middle = sum(prov["band"]) / 2
    inside = min(range(len(prov["values"])), key=lambda k: abs(prov["values"][k] - middle))
    outside = len(prov["values"]) - 1
    verdicts = []
    for index in (inside, outside):
        slide_to(page, index)
        verdicts.append(check_against_sweep(page, "en", data, SweepLine("PROV")))
    assert verdicts == [True, False]
    # one stream (every phase), then one phase: the park's lines are each party with every
    # stream or every phase (60 combinations would be too many), so picking a phase sets
    # the stream back to all
    page.select_option("#explorer-party", "SEND")
    page.select_option("#explorer-stream", "VAT")
    slide_to(page, 30)
    check_against_sweep(page, "en", data, SweepLine("SEND", "VAT"))
    page.select_option("#explorer-phase", "2")
    assert page.locator("#explorer-stream").input_value() == "*"
    slide_to(page, 64)
    check_against_sweep(page, "en", data, SweepLine("SEND", phase="2"))
    # the Shapley mark jumps to the grid value nearest to it
    page.click("#explorer-marks button[data-mark='shapley']")
    line = line_of(data, "SEND", "*", "2")
    nearest = min(line["values"], key=lambda v: abs(v - line["marks"]["shapley"]))
    assert float(page.locator("#explorer-value").get_attribute("data-value")) == nearest
    check_against_sweep(page, "en", data, SweepLine("SEND", phase="2"))
    # back to the plan, for the screenshot
    page.select_option("#explorer-party", "PROV")
    page.select_option("#explorer-stream", "*")
    page.select_option("#explorer-phase", "*")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.activeElement.blur()")  # no focus ring in the screenshot
    page.screenshot(path=str(SCREENSHOTS / "report_en.png"), full_page=True)
    assert requests == [reports["en"].resolve().as_uri()]
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    page.close()


def test_the_chinese_report_speaks_chinese(browser: Any, reports: dict[str, Path]) -> None:
    data = embedded(reports["zh"])
    page, requests = open_report(browser, reports["zh"])
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("#explorer h2").inner_text() == phrase("html_explorer_heading", "zh")
    page.select_option("#explorer-party", "HOST")
    slide_to(page, 55)
    check_against_sweep(page, "zh", data, SweepLine("HOST"))
    page.select_option("#explorer-party", "PROV")
    page.evaluate("document.activeElement.blur()")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report_zh.png"), full_page=True)
    assert requests == [reports["zh"].resolve().as_uri()]
    page.close()
