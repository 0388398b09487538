"""How the results workbook looks: fonts, fills, number formats, column widths, print setup.

Every sheet of the workbook is written through a :class:`SheetWriter`, which puts a value in a
cell with its style and remembers how wide the value reads, so that each column ends as wide
as its widest entry: Chinese text counts two columns a character (East Asian wide and
full-width characters, :func:`text_width`), numbers count as they are shown (thousands
separators, decimals, the unit). Money is shown in the case's unit with thousands separators
and 0–2 decimals chosen by the magnitude of the figures around it
(:func:`~fairpool.reports.i18n.money_decimals`), ratios as percentages to 0.1%.

Printing: landscape A4, fit to the page width (the summary to one page), the header rows of
each table repeated on every page, the case on the left and the sheet's name on the right of
each page's header, "page / pages" in its footer.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import numpy as np
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from fairpool.reports.excel_bulk import BulkColumn, BulkRows
from fairpool.reports.i18n import Language, format_money, format_ratio

FONT = "Calibri"
"""Excel's own default font, named on every styled cell (a font without a name falls back
to a serif face in LibreOffice); Chinese text takes the system's CJK font either way."""
BLUE = "1F4E79"
GREEN_FILL = PatternFill("solid", fgColor="C6EFCE")
GREEN_FONT = Font(name=FONT, color="006100")
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
RED_FONT = Font(name=FONT, color="9C0006")
HEADER_FILL = PatternFill("solid", fgColor=BLUE)
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
PLAN_FILL = PatternFill("solid", fgColor="DDEBF7")
SECTION_FONT = Font(name=FONT, bold=True, size=12, color=BLUE)
TITLE_FONT = Font(name=FONT, bold=True, size=16, color=BLUE)
NOTE_FONT = Font(name=FONT, italic=True, size=9, color="595959")
BOLD = Font(name=FONT, bold=True)
VERDICT_FONT = Font(name=FONT, bold=True, size=12)
ITALIC = Font(name=FONT, italic=True, color="595959")
RULE = Border(top=Side(style="thin", color="808080"))
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

RATIO_FORMAT = "0.0%"
"""Ratios and shares: ``47.0%``."""

ONE_PAGE_ROWS = 48
"""A sheet of at most this many rows is printed on one page (shrunk to fit); a longer one is
fitted to the width and runs on over pages with its header rows repeated."""

MIN_WIDTH = 6.0
MAX_WIDTH = 48.0
"""Column widths (Excel's unit: one digit of the default font), the padding included."""


def text_width(text: str) -> int:
    """Columns a text takes: East Asian wide and full-width characters count two.

    Example:
        >>> text_width("四川省 SC"), text_width("47.0%")
        (9, 5)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def money_format(unit: str, decimals: int) -> str:
    """An Excel number format for money: thousands separators, ``decimals`` places and the
    case's unit as literal text (``#,##0.0" 亿元"``); a ``"`` in the unit is dropped.

    Example:
        >>> money_format("万元", 0), money_format("", 2)
        ('#,##0" 万元"', '#,##0.00')
    """
    number = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    unit = unit.replace('"', "").strip()
    return f'{number}" {unit}"' if unit else number


def quantity_format(values: Sequence[float]) -> str:
    """Plain numbers (capacities, demands, counts): whole when all are whole, else 2 places."""
    whole = all(math.isfinite(v) and float(v).is_integer() for v in values)
    return "#,##0" if whole else "#,##0.00"


def shown_money(value: float, decimals: int) -> float:
    """``value``, or 0.0 when it would show as ``-0`` (solver noise below the last decimal)."""
    return 0.0 if abs(value) < 0.5 * 10.0**-decimals else float(value)


def header_escape(text: str) -> str:
    """Text for a page header: ``&`` starts a header code, ``&&`` prints one ``&``."""
    return text.replace("&", "&&")


class SheetWriter:
    """Writes cells of one worksheet with their style, and sizes the columns to their contents.

    ``row`` is the next free row; the helpers that write a line advance it. Money shows the
    case's unit in every cell (``units=True``), or only in the sheet's subtitle for the wide
    yearly tables, where a unit in each of hundreds of cells would crowd out the figures. Widths are
    tracked per column from what a cell shows; text meant to run over empty neighbours (a
    title, a note) is written with ``fit=False`` and does not widen its column. A long table
    (the coalition values) is handed over whole (:meth:`rows`) and written as the workbook is
    saved.
    """

    def __init__(self, sheet: Worksheet, lang: Language, unit: str, *, units: bool = True) -> None:
        self.sheet = sheet
        self.lang = lang
        self.unit = unit if units else ""
        self.row = 1
        self.widths: dict[int, float] = {}
        self.paragraphs: list[tuple[int, int, int, float]] = []
        self.tables: list[BulkRows] = []

    # -- cells ------------------------------------------------------------------------------

    def fit(self, column: int, shown: str) -> None:
        """Widen ``column`` to show ``shown`` (the longest line of it)."""
        width = max((text_width(line) for line in shown.splitlines()), default=0) + 2.5
        self.widths[column] = max(self.widths.get(column, MIN_WIDTH), width)

    def text(
        self,
        row: int,
        column: int,
        value: str,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        fit: bool = True,
        wrap: bool = False,
    ) -> None:
        """A text cell (stays text: see ``atomic_save``)."""
        cell = self.sheet.cell(row=row, column=column, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = WRAP
        if fit:
            self.fit(column, value)

    def money(
        self,
        row: int,
        column: int,
        value: float,
        decimals: int,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
    ) -> None:
        """A money cell in the case's unit; a non-finite value is left blank with a dash."""
        if not math.isfinite(value):
            self.text(row, column, "—")
            return
        shown = shown_money(value, decimals)
        cell = self.sheet.cell(row=row, column=column, value=shown)
        cell.number_format = money_format(self.unit, decimals)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        self.fit(column, format_money(shown, self.unit.replace('"', ""), decimals))

    def ratio(
        self,
        row: int,
        column: int,
        value: float,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
    ) -> None:
        """A ratio cell shown as a percentage to 0.1%."""
        if not math.isfinite(value):
            self.text(row, column, "—")
            return
        cell = self.sheet.cell(row=row, column=column, value=float(value))
        cell.number_format = RATIO_FORMAT
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        self.fit(column, format_ratio(value))

    def money_column(self, column: int, values: np.ndarray, decimals: int) -> BulkColumn:
        """Money cells for a long table (:meth:`rows`): the figures of :meth:`money`, in its
        format, and ``column`` as wide as the widest of them. That is the largest or the most
        negative figure as shown: a shown figure's width grows with its magnitude."""
        figures = np.asarray(values, dtype=float)
        finite = np.isfinite(figures)
        shown = np.where(finite & (np.abs(figures) < 0.5 * 10.0**-decimals), 0.0, figures)
        if not finite.all():
            self.fit(column, format_money(math.nan, "", decimals))
        if finite.any():
            unit = self.unit.replace('"', "")
            for extreme in (np.max(shown[finite]), np.min(shown[finite])):
                self.fit(column, format_money(float(extreme), unit, decimals))
        return BulkColumn(shown, money_format(self.unit, decimals))

    def rows(self, first_row: int, columns: Sequence[BulkColumn]) -> BulkRows:
        """A long table from ``first_row`` and column A on, written as sheet XML when the
        workbook is saved (:mod:`fairpool.reports.excel_bulk`, ten times faster than a cell
        object each); the caller sizes its columns (:meth:`fit`, :meth:`money_column`) and
        passes the returned table to ``save_results``."""
        table = BulkRows(self.sheet, first_row, 1, tuple(columns))
        self.tables.append(table)
        return table

    def number(self, row: int, column: int, value: float, number_format: str) -> None:
        """A plain number (a year, a capacity, a discount factor) in ``number_format``."""
        cell = self.sheet.cell(row=row, column=column, value=value)
        cell.number_format = number_format
        decimals = number_format.count("0") - 1 if "." in number_format else 0
        self.fit(column, f"{value:,.{max(decimals, 0)}f}" if math.isfinite(value) else "—")

    # -- lines ------------------------------------------------------------------------------

    def title(self, text: str, subtitle: str = "") -> None:
        """The sheet's title in row 1 and an optional subtitle (units, what the sheet shows)
        in row 2, both wrapped over the sheet's columns; the next table starts after a blank
        row."""
        self.text(1, 1, text, font=TITLE_FONT, fit=False)
        self.paragraph(1, size=16.0)
        if subtitle:
            self.text(2, 1, subtitle, font=NOTE_FONT, fit=False)
            self.paragraph(2, size=9.0)
        self.row = 4

    def section(self, text: str) -> None:
        """A section heading on the next row."""
        self.text(self.row, 1, text, font=SECTION_FONT, fit=False)
        self.sheet.row_dimensions[self.row].height = 20
        self.row += 1

    def header(self, values: Sequence[str], column: int = 1) -> int:
        """A table header on the next row (white on blue); returns its row."""
        row = self.row
        for offset, value in enumerate(values):
            self.text(row, column + offset, value, font=HEADER_FONT, fill=HEADER_FILL)
            self.sheet.cell(row=row, column=column + offset).alignment = CENTER
        self.row += 1
        return row

    def note(self, text: str, *, span: int = 0) -> None:
        """A small grey note on the next row, wrapped over the first ``span`` columns (0:
        every column of the sheet's tables), so that it never runs past the printed width."""
        self.text(self.row, 1, text, font=NOTE_FONT, fit=False)
        self.paragraph(self.row, span, size=9.0)
        self.row += 1

    def paragraph(
        self, row: int, span: int = 0, *, size: float = 11.0, first_column: int = 1
    ) -> None:
        """Wrap ``row``'s text over columns ``first_column`` to ``span`` (0: the last column
        any table of the sheet uses), merged when it is finished, with a row height for the
        lines it wraps to (Excel does not grow a merged row by itself, and the widths are
        known only then)."""
        self.paragraphs.append((row, first_column, span, size))

    def _paragraphs(self) -> None:
        last = max(self.widths, default=1)
        for row, first, span, size in self.paragraphs:
            end = max(first, span or last)
            if end > first:
                self.sheet.merge_cells(
                    start_row=row, start_column=first, end_row=row, end_column=end
                )
            cell = self.sheet.cell(row=row, column=first)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            text = str(cell.value or "")
            room = sum(self.widths.get(c, MIN_WIDTH) for c in range(first, end + 1)) * 0.95
            lines = sum(
                max(1, math.ceil(text_width(line) * size / 11.0 / max(room, 1.0)))
                for line in text.splitlines() or [""]
            )
            height = lines * size * 1.45 + 5
            current = self.sheet.row_dimensions[row].height
            self.sheet.row_dimensions[row].height = max(height, current or 15.0)

    # -- the sheet ----------------------------------------------------------------------------

    def finish(
        self,
        case_name: str,
        *,
        freeze: str | None = None,
        title_rows: tuple[int, int] | None = None,
        one_page: bool = False,
        shrink: bool = True,
        portrait: bool = False,
    ) -> None:
        """Column widths, frozen panes and the print setup of the sheet: on one page when
        ``one_page``, or when ``shrink`` and it has at most :data:`ONE_PAGE_ROWS` rows."""
        for column, width in self.widths.items():
            letter = get_column_letter(column)
            self.sheet.column_dimensions[letter].width = min(MAX_WIDTH, width)
        self._paragraphs()
        if freeze:
            self.sheet.freeze_panes = freeze
        last_row = max([self.sheet.max_row, *(table.last_row for table in self.tables)])
        one_page = one_page or (shrink and last_row <= ONE_PAGE_ROWS)
        print_setup(self.sheet, case_name, title_rows=title_rows, one_page=one_page)
        if portrait:
            self.sheet.page_setup.orientation = "portrait"


def print_setup(
    sheet: Worksheet,
    case_name: str,
    *,
    title_rows: tuple[int, int] | None = None,
    one_page: bool = False,
) -> None:
    """Landscape A4 fitted to the page width (``one_page``: to one page), the rows
    ``title_rows`` repeated at the top of every page, the case and the sheet's name in the
    page header and the page number in the footer."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.6, header=0.3)
    sheet.print_options.horizontalCentered = True
    if title_rows is not None:
        sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    sheet.oddHeader.left.text = header_escape(case_name)
    sheet.oddHeader.left.size = 9
    sheet.oddHeader.right.text = "&A"
    sheet.oddHeader.right.size = 9
    sheet.oddFooter.center.text = "&P / &N"
    sheet.oddFooter.center.size = 9


__all__ = [
    "BOLD",
    "GREEN_FILL",
    "GREEN_FONT",
    "ITALIC",
    "PLAN_FILL",
    "RATIO_FORMAT",
    "RED_FILL",
    "RED_FONT",
    "RULE",
    "SheetWriter",
    "header_escape",
    "money_format",
    "print_setup",
    "quantity_format",
    "shown_money",
    "text_width",
]
