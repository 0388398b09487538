"""Typed cell values: how one cell of a case workbook becomes a number, an id, a list of ids,
a ratio, a year, a flag or a choice (the column types of
:mod:`fairpool.optimizer.workbook.schema`).

The reader (:mod:`fairpool.optimizer.workbook.reader`) calls :func:`parse_cell` for every
non-blank cell; a cell that does not parse raises ``ValueError`` with the reason, which the
reader places (file, sheet, row, column). Full-width characters that a Chinese input method
types (``＋``, ``，``, ``％``, ``２０２６``, ``ＳＺ``) are read as the ASCII they stand for
(:func:`half_width`), and the reader warns that it did so.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from fairpool.optimizer.workbook.cells import (
    Uncached,
    date_message,
    number_text,
    uncached_message,
)
from fairpool.optimizer.workbook.schema import NUMERIC_TYPES, Column

LIST_SEPARATORS = re.compile(r"[+,;、，；＋]")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "对", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "错", "f"})


def blank(value: object) -> bool:
    """An empty cell: None, NaN or only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: ord(" "),  # ideographic space
    0x3001: ord(","),  # 、 ideographic comma
}
"""Full-width forms (``＋``, ``，``, ``％``, ``２０２６``, ``ＳＺ``) and the ideographic space and
comma, as the ASCII characters they stand for (a Chinese input method types them)."""

NORMALISED_TYPES = frozenset(
    {"id", "id_or_all", "id_list", "number", "ratio", "integer", "bool", "choice"}
)
"""Column types whose cells are read after mapping :data:`FULL_WIDTH` characters (text and
names are kept as typed: ``（示例）`` is a name's own spelling)."""


def half_width(text: str) -> str:
    """``text`` with full-width characters as ASCII (:data:`FULL_WIDTH`).

    Example:
        >>> half_width("SZ＋SW＋GD"), half_width("６０％")
        ('SZ+SW+GD', '60%')
    """
    return text.translate(FULL_WIDTH)


def shown(value: object) -> str:
    """A parsed cell as a user would type it (for the normalisation warning)."""
    if isinstance(value, tuple):
        return "+".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def as_number(value: object) -> float:
    """A cell as a float; text like ``"1,200"`` or ``"50%"`` is accepted, other text raises."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, dt.date):
        raise ValueError(date_message(value, year=False))
    else:
        text = number_text(str(value))
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            number = float(text) * scale
        except ValueError:
            raise ValueError(f"expected a number, got text {str(value)!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def as_id(value: object) -> str:
    """A cell as an id: text trimmed, a whole float without its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_cell(column: Column, value: object) -> object:
    """Parse one non-blank cell by its column's type; raises ``ValueError`` with the reason.

    A number below the column's declared minimum (``Column.minimum``) is refused here, so
    ``validate`` catches it before anything is built.
    """
    kind = column.type
    if isinstance(value, Uncached):
        raise ValueError(uncached_message(value))
    if isinstance(value, dt.date) and kind in NUMERIC_TYPES:
        raise ValueError(
            date_message(value, year=kind == "integer" and column.name.endswith("year"))
        )
    parsed = _parse_typed(column, value)
    if column.minimum is not None and isinstance(parsed, int | float):
        low = column.minimum
        if parsed < low or (column.exclusive_minimum and parsed == low):
            sign = ">" if column.exclusive_minimum else "≥"
            unit = f" ({column.unit})" if column.unit else ""
            raise ValueError(f"expected a number {sign} {low:g}{unit}, got {parsed:g}")
    return parsed


def _parse_typed(column: Column, value: object) -> object:
    kind = column.type
    if kind == "text":
        return as_id(value) if isinstance(value, float) else str(value).strip()
    if kind in ("id", "id_or_all"):
        return as_id(value)
    if kind == "id_list":
        tokens = [token.strip() for token in LIST_SEPARATORS.split(as_id(value))]
        return tuple(token for token in tokens if token)
    if kind == "number":
        return as_number(value)
    if kind == "ratio":
        number = as_number(value)
        if not -1e-12 <= number <= 1 + 1e-12:
            raise ValueError(f"expected a ratio between 0 and 1, got {number:g}")
        return min(max(number, 0.0), 1.0)
    if kind == "integer":
        number = as_number(value)
        if not number.is_integer():
            raise ValueError(f"expected a whole number, got {number:g}")
        return int(number)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = as_id(value).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(f"expected TRUE or FALSE, got {value!r}")
    if kind == "choice":
        text = str(value).strip().lower()
        if text not in column.choices:
            raise ValueError(f"expected one of {', '.join(column.choices)}, got {value!r}")
        return text
    raise AssertionError(f"unknown column type {kind!r}")


def default_value(column: Column) -> object:
    """The value of a blank cell of ``column`` (its declared default)."""
    if column.type == "id_list":
        return tuple(LIST_SEPARATORS.split(str(column.default))) if column.default else ()
    return column.default


def parse_normalised(column: Column, value: object) -> tuple[object, str | None]:
    """(:func:`parse_cell` of the cell, the cell's text as typed when full-width characters
    were mapped to ASCII to read it, else None). Text and name columns are read as typed; a
    cell that does not parse raises with the text as typed."""
    if column.type not in NORMALISED_TYPES or not isinstance(value, str):
        return parse_cell(column, value), None
    plain = half_width(value)
    if plain == value:
        return parse_cell(column, value), None
    try:
        return parse_cell(column, plain), value
    except ValueError:
        return parse_cell(column, value), None  # raises, naming the cell as typed


__all__ = [
    "FALSE_WORDS",
    "FULL_WIDTH",
    "LIST_SEPARATORS",
    "NORMALISED_TYPES",
    "TRUE_WORDS",
    "as_id",
    "as_number",
    "blank",
    "default_value",
    "half_width",
    "parse_cell",
    "parse_normalised",
    "shown",
]
