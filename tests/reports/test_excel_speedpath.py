"""The fast path of the results workbook (issue 14): long tables written as sheet XML
(:mod:`fairpool.reports.excel_bulk`) read back exactly as cell-by-cell openpyxl writes them,
and the coalition sheet of a shipped case shows every coalition with its figures, formats,
widths, frozen header, filter and red shading."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

import fairpool
from fairpool.models.family import PlanResult
from fairpool.optimizer.workbook.files import atomic_save
from fairpool.reports.excel import write_results_workbook
from fairpool.reports.excel_bulk import BulkColumn, save_results
from fairpool.reports.excel_style import SheetWriter, money_format, text_width
from fairpool.reports.excel_view import grouped_join, workbook_view
from fairpool.reports.i18n import format_money, money_decimals, phrase

CASES = Path(__file__).resolve().parents[2] / "cases"

TRICKY_TEXTS = [
    "四川省 + 浙江飞出市",
    "=1+1",
    "=",
    "+SUM(A1)",
    "-minus",
    "@cmd",
    "#N/A",
    "#DIV/0!",
    " leading",
    "trailing ",
    "   ",
    "A&B <C> \"D\" 'E'",
    "two\nlines",
    "",
]
"""Texts a case may put in a coalition's name: formula-like ones stay text, error codes,
spaces that must survive, characters XML escapes."""


@pytest.fixture(scope="module")
def water() -> PlanResult:
    return fairpool.solve(fairpool.read_case(CASES / "water_plant.xlsx"))


def table_workbooks(
    folder: Path, texts: list[str], figures: list[float], decimals: int
) -> tuple[Worksheet, Worksheet]:
    """The same table written twice: cell by cell through :class:`SheetWriter` and saved by
    ``atomic_save``, and as rows by :meth:`SheetWriter.rows` saved by ``save_results``; both
    read back. Column A: texts; B: whole numbers; C: money."""
    rows = max(len(texts), len(figures))
    texts = (texts * rows)[:rows] if texts else [""] * rows
    figures = (figures * rows)[:rows] if figures else [0.0] * rows
    whole = list(range(rows))

    cells_book = Workbook()
    w = SheetWriter(cells_book.active, "zh", "万元")
    w.header(["a", "b", "c"])
    for k in range(rows):
        w.text(2 + k, 1, texts[k])
        w.sheet.cell(row=2 + k, column=2, value=whole[k])
        w.money(2 + k, 3, figures[k], decimals)
    w.finish("case")
    cells_path = atomic_save(cells_book, folder / "cells.xlsx")

    rows_book = Workbook()
    v = SheetWriter(rows_book.active, "zh", "万元")
    v.header(["a", "b", "c"])
    for text in texts:
        v.fit(1, text)
    table = v.rows(
        2,
        [
            BulkColumn(texts),
            BulkColumn(np.array(whole, dtype=np.int64)),
            v.money_column(3, np.array(figures), decimals),
        ],
    )
    v.finish("case")
    rows_path = save_results(rows_book, folder / "rows.xlsx", [table])
    return (
        openpyxl.load_workbook(cells_path).active,
        openpyxl.load_workbook(rows_path).active,
    )


def assert_same_cells(expected: Worksheet, actual: Worksheet) -> None:
    """Every cell: value, kind, number format, quote prefix, font and fill; the used range
    and the column widths."""
    assert actual.dimensions == expected.dimensions
    for want_row, got_row in zip(expected.iter_rows(), actual.iter_rows(), strict=True):
        for want, got in zip(want_row, got_row, strict=True):
            where = want.coordinate
            assert got.value == want.value, where
            assert got.data_type == want.data_type, where
            assert got.number_format == want.number_format, where
            assert got.quotePrefix == want.quotePrefix, where
            assert (got.font.b, got.fill.fgColor.rgb) == (want.font.b, want.fill.fgColor.rgb)
    widths = {k: d.width for k, d in expected.column_dimensions.items()}
    assert {k: d.width for k, d in actual.column_dimensions.items()} == widths


def test_rows_read_back_like_cells_for_tricky_texts_and_figures(tmp_path: Path) -> None:
    figures = [1234.5678, -0.001, -98765.4, 0.0, math.nan, math.inf, 1e-12, 3.0]
    expected, actual = table_workbooks(tmp_path, TRICKY_TEXTS, figures, 2)
    assert_same_cells(expected, actual)
    assert actual["A3"].value == "=1+1" and actual["A3"].quotePrefix  # stays text
    assert actual["A8"].data_type == "e"  # "#N/A" is Excel's error, as openpyxl writes it
    assert actual["C2"].number_format == money_format("万元", 2)
    assert actual["C6"].value == "—"  # no figure: a dash, as SheetWriter.money shows it


PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
"""Characters a worksheet holds (control characters are refused: see below)."""


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(st.text(PRINTABLE | st.sampled_from("=+-@# \n"), max_size=12), max_size=6),
    figures=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6),
    decimals=st.integers(0, 2),
)
def test_rows_read_back_like_cells_for_any_text_and_figure(
    tmp_path_factory: pytest.TempPathFactory,
    texts: list[str],
    figures: list[float],
    decimals: int,
) -> None:
    folder = tmp_path_factory.mktemp("rows")
    assert_same_cells(*table_workbooks(folder, texts or ["x"], figures or [1.0], decimals))


def test_a_control_character_is_refused_as_openpyxl_refuses_it(tmp_path: Path) -> None:
    with pytest.raises(IllegalCharacterError):
        SheetWriter(Workbook().active, "en", "").text(1, 1, "bell\x07")
    book = Workbook()
    table = SheetWriter(book.active, "en", "").rows(1, [BulkColumn(["fine", "bell\x07"])])
    with pytest.raises(IllegalCharacterError):
        save_results(book, tmp_path / "x.xlsx", [table])


def test_rows_never_overwrite_cells(tmp_path: Path) -> None:
    book = Workbook()
    w = SheetWriter(book.active, "en", "")
    w.text(5, 1, "taken")
    table = w.rows(4, [BulkColumn(["a", "b", "c"])])
    with pytest.raises(ValueError, match="already hold cells"):
        save_results(book, tmp_path / "x.xlsx", [table])
    assert not list(tmp_path.iterdir())  # nothing half written is left


@settings(max_examples=40, deadline=None)
@given(
    items=st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=20),
    data=st.data(),
)
def test_grouped_join_joins_each_coalitions_members(items: list[str], data: st.DataObject) -> None:
    masks = data.draw(st.lists(st.integers(0, (1 << len(items)) - 1), max_size=30))
    expected = [" + ".join(x for i, x in enumerate(items) if m >> i & 1) for m in masks]
    assert grouped_join(masks, items, " + ".join) == expected


@given(values=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20))
def test_table_decimals_are_money_decimals(water: PlanResult, values: list[float]) -> None:
    assert workbook_view(water, "zh").decimals(values) == money_decimals(values)


def test_the_coalition_sheet_lists_every_coalition_with_its_figures(
    water: PlanResult, tmp_path: Path
) -> None:
    """A person's view of the coalition sheet (a cost game): one row per coalition, closest
    to leaving first; names, ids, size, c(S), what the plan charges its members and the gain
    by leaving; money in the case's unit; a bold frozen header; a filter; red shading."""
    book = openpyxl.load_workbook(write_results_workbook(water, tmp_path / "w.xlsx"))
    ws = next(s for s in book.worksheets if s.sheet_properties.codeName == "coalitions")
    view = workbook_view(water, "zh")
    game = water.game
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == phrase("wb_coalition", "zh"))
    last = header + (1 << game.n) - 1
    assert ws.max_row == last and ws.dimensions == f"A1:F{last}"
    assert all(ws.cell(header, c).font.b for c in range(1, 7))
    assert ws.freeze_panes == f"C{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:F{last}"
    shaded = [str(cf.sqref) for cf in ws.conditional_formatting]
    assert shaded == [f"F{header + 1}:F{last}"]

    amounts = np.array([water.amounts[p] for p in water.players])
    together_all = np.array(
        [amounts[[i for i in range(game.n) if m >> i & 1]].sum() for m in range(1, 1 << game.n)]
    )
    decimals = money_decimals([*game.values[1:], *together_all])
    money = money_format(water.unit, decimals)
    seen, gains = set(), []
    for row in range(header + 1, last + 1):
        names, ids, size, value, together, gain = (ws.cell(row, c) for c in range(1, 7))
        mask = game.mask(ids.value)
        seen.add(mask)
        members = [i for i in range(game.n) if mask >> i & 1]
        assert names.value == " + ".join(water.names[i] for i in members)
        assert size.value == len(members)
        assert value.value == pytest.approx(game.values[mask], abs=0.5 * 10.0**-decimals)
        assert together.value == pytest.approx(amounts[members].sum(), abs=0.5 * 10.0**-decimals)
        assert gain.value == pytest.approx(together.value - value.value, abs=10.0**-decimals)
        assert {value.number_format, together.number_format, gain.number_format} == {money}
        gains.append(gain.value)
    assert seen == set(range(1, 1 << game.n))  # every coalition, once
    assert gains == sorted(gains, reverse=True)  # the closest to leaving first
    for column, cells in ((4, 4), (5, 5), (6, 6)):
        shown = max(
            text_width(format_money(ws.cell(r, cells).value, water.unit, decimals))
            for r in range(header + 1, last + 1)
        )
        letter = "DEF"[column - 4]
        assert ws.column_dimensions[letter].width >= shown
    assert view.many_coalition_names([3, 5]) == [view.coalition_names(3), view.coalition_names(5)]
