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

from fairpool.reports.phrases import PHRASES

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


__all__ = [
    "LANGUAGES",
    "PHRASES",
    "Language",
    "case_language",
    "format_money",
    "format_ratio",
    "join_names",
    "money_decimals",
    "phrase",
]


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
