"""Words of every report in English and Chinese: labels, headings, verdict sentences, money.

One table of phrases (:data:`PHRASES`, key → (English, 中文)) serves the results workbook,
the HTML report and the charts, so a heading reads the same everywhere and a translation is
made once. Party names are never translated: they stay as the user typed them.

The language of a report is the user's ``--lang`` or, by default, the language of the case
(:func:`case_language`: Chinese when the case name or a party name holds a CJK character).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal, get_args

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = get_args(Language)


def case_language(case_name: str, names: Iterable[str]) -> Language:
    """``zh`` when the case name or any party name holds a CJK ideograph, else ``en``.

    Example:
        >>> case_language("川浙合作园区", ["A"]), case_language("River", ["Anhui"])
        ('zh', 'en')
    """
    return "zh" if any(_has_cjk(text) for text in (case_name, *names)) else "en"


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


PHRASES: dict[str, tuple[str, str]] = {
    # -- common: methods, parties, verdicts ------------------------------------------------
    "party": ("Party", "参与方"),
    "alone": ("Alone", "单独"),
    "plan": ("Plan", "方案"),
    "proposal": ("Proposal", "提议"),
    "target": ("Target", "目标"),
    "gain_over_alone": ("Gain over alone", "较单独所得"),
    "share_of_total": ("Share of total", "占总额"),
    "method": ("Method", "方法"),
    "shapley": ("Shapley value", "沙普利值"),
    "nucleolus": ("Nucleolus", "核仁"),
    "least_core": ("Least core", "最小核心"),
    "proportional": ("Proportional", "按比例"),
    "equal_gain": ("Equal gain", "等额增益"),
    "nash": ("Nash bargaining", "纳什议价"),
    "banzhaf": ("Banzhaf value", "班扎夫值"),
    "tau": ("τ-value", "τ值"),
    "in_core": ("In the core", "在核心内"),
    "not_in_core": ("Not in the core", "不在核心内"),
    "individually_rational": ("Individually rational", "个体理性"),
    "worst_coalition": ("Coalition most tempted to leave", "最想退出的联盟"),
    "excess": ("Excess", "超额"),
    "npv": ("NPV", "净现值"),
    "cost_share": ("Cost share", "成本分摊"),
    "year": ("Year", "年份"),
    "stream": ("Stream", "税种"),
    "phase": ("Phase", "阶段"),
    "project": ("Project", "项目"),
    "ratio": ("Ratio", "比例"),
    "unit": ("Unit", "单位"),
    "case": ("Case", "案例"),
    "summary": ("Summary", "摘要"),
    "allocations": ("Allocations", "分配"),
    "fairness": ("Fairness", "公平性"),
    "cash_flows": ("Cash flows", "现金流"),
    "coalition_values": ("Coalition values", "联盟价值"),
    "sweep": ("Sweep", "比例扫描"),
    "core_band": ("Core band", "核心区间"),
    "run_details": ("Run details", "运行详情"),
    # verdict sentences: {party}/{parties} are names, {amount} money with its unit
    "verdict_stable": (
        "The {what} is in the core: no group of parties gains by leaving.",
        "该{what}在核心内：任何参与方组合退出都不会得到更多。",
    ),
    "verdict_blocked": (
        "{parties} would gain {amount} by leaving: the split is not stable.",
        "{parties}退出可多得{amount}：该分配不稳定。",
    ),
    "verdict_core_empty": (
        "The core is empty: every split leaves some group better off alone; the {what} keeps "
        "the largest such gain to {amount}.",
        "核心为空：任何分配都会让某些组合单独更有利；该{what}把最大的此类收益控制在{amount}。",
    ),
    "what_plan": ("plan", "方案"),
    "what_proposal": ("proposal", "提议"),
    "and": (" and ", "与"),
}
"""key → (English, 中文). Keys are grouped by the report that added them; a report's own
phrases go under its heading comment."""


def phrase(key: str, lang: Language, **fields: object) -> str:
    """The phrase ``key`` in ``lang``, with ``{fields}`` filled in.

    Raises KeyError for an unknown key: a missing translation is a bug, not a blank label.

    Example:
        >>> phrase("verdict_blocked", "en", parties="SW + GD", amount="1,234 万元")
        'SW + GD would gain 1,234 万元 by leaving: the split is not stable.'
    """
    english, chinese = PHRASES[key]
    template = chinese if lang == "zh" else english
    return template.format(**fields) if fields else template


def join_names(names: Iterable[str], lang: Language) -> str:
    """Party names joined as a group: ``A + B + C`` in both languages (names stay as typed)."""
    return " + ".join(names)


def money_decimals(values: Iterable[float]) -> int:
    """Decimals that show money to about four significant digits of the largest amount, at
    most two (whole units from 1,000 up): the same case in 元 or 亿元 reads alike.

    Example:
        >>> money_decimals([37606.2, 12.5]), money_decimals([3.76, 0.5]), money_decimals([0.0])
        (0, 2, 2)
    """
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if largest == 0.0:
        return 2
    return max(0, min(2, 3 - math.floor(math.log10(largest))))


def format_money(value: float, unit: str, decimals: int) -> str:
    """``1,234.56 万元``: thousands separators, ``decimals`` places, the case's unit.

    Example:
        >>> format_money(-1234.5, "万元", 0), format_money(0.125, "", 2)
        ('-1,234 万元', '0.12')
    """
    if not math.isfinite(value):
        return "—"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0.0:
        text = text[1:]
    return f"{text} {unit}" if unit else text


def format_ratio(value: float) -> str:
    """A ratio as a percentage with one decimal: ``0.4701`` → ``47.0%``."""
    return f"{value:.1%}" if math.isfinite(value) else "—"
