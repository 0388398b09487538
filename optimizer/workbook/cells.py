"""The cells of a workbook sheet as written, and the small text rules every reader shares.

:func:`read_sheet_cells` reads a sheet's rows straight from its XML, keeping only the rows
and cells that hold a value: a sheet whose ``dimension`` claims ``A1:XFD1048576`` (one stray
cell, or a format applied to a whole column) costs what its values cost, not 17 billion padded
cells as openpyxl's read-only ``iter_rows`` would produce. It also keeps what the values alone
would hide:

* a formula cell without a saved result (a workbook written by a program and never opened in
  Excel: openpyxl's ``data_only`` gives ``None`` for it) becomes :class:`Uncached`, so the
  reader can say why the cell looks blank;
* the sheet's merged ranges (``B2:D2``), which leave every cell but the first blank.

It reads the common cells itself (a number, a shared string, an inline plain string: what
openpyxl's ``data_only`` read gives for them, down to ``int`` or ``float``), because openpyxl
builds rich-text objects for every inline string, half the time of reading a large case
(issue 14); a date, a boolean, an error, a formula or rich text still goes through openpyxl.

:func:`check_regular_file` refuses a FIFO, socket or folder before anything opens it, and
:func:`check_memory` a coalition table too large for the memory available, before reading it.

The text rules: :func:`number_text` (full-width digits, ``％`` and ``，`` as typed by a
Chinese input method read as ``60%``), :func:`plain_name` and :func:`close_name` (a sheet or
column name that is nearly one of the schema's).

This module imports openpyxl only inside :func:`read_sheet_cells`.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fairpool.optimizer.errors import CaseError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from openpyxl import Workbook

Row = tuple[int, tuple[object, ...]]
"""One row holding a value: its Excel row number (1-based) and its cells from column A up to
the last cell holding a value."""


@dataclass(frozen=True)
class Uncached:
    """A formula cell whose result was never saved (``formula``: its text, e.g. ``=B2*2``)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class SheetCells:
    """The rows of a sheet that hold a value, and its merged ranges (``"B2:D2"``)."""

    rows: tuple[Row, ...]
    merged: tuple[str, ...] = ()


UNCACHED_ADVICE = (
    "the workbook was written by a program and never opened in Excel, so the formula's "
    "result was never saved; open and save it in Excel or LibreOffice, or write values"
)


def uncached_message(value: Uncached) -> str:
    """The message for a formula cell without a saved result."""
    shown = (
        f"the formula {value.formula} has no saved value"
        if value.formula != "="
        else ("this formula has no saved value")
    )
    return f"{shown}: {UNCACHED_ADVICE}"


def read_sheet_cells(book: Workbook, name: str) -> SheetCells:
    """The rows of sheet ``name`` of a read-only workbook that hold a value (see module doc).

    Each row's cells run from column A to its last cell holding a value; rows without any
    value are left out, so the used range ends at the last row and column holding a value
    whatever the sheet's recorded dimension says. Formula cells without a saved result are
    :class:`Uncached`; the rest are as openpyxl's ``data_only`` read gives them.
    """
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import (
        FORMULA_TAG,
        INLINE_STRING,
        VALUE_TAG,
        WorkSheetParser,
        _cast_number,
    )
    from openpyxl.xml.constants import SHEET_MAIN_NS

    inline_text = f"{{{SHEET_MAIN_NS}}}t"

    class _Parser(WorkSheetParser):
        def parse_cell(self, element: Element) -> dict[str, object]:
            # The common cells (a number, a shared or an inline plain string) are read here
            # as openpyxl would read them, without its per-cell rich-text objects (half the
            # time of reading a large case); any other cell goes through openpyxl.
            kind = element.get("t", "n")
            value: object = None
            if kind == "inlineStr":
                inline = element.find(INLINE_STRING)
                if inline is not None and len(inline) == 1 and inline[0].tag == inline_text:
                    value = inline[0].text or ""
            elif kind in ("n", "s") and element.find(FORMULA_TAG) is None:
                text = element.findtext(VALUE_TAG)
                style = element.get("s")
                if text and kind == "s":
                    value = self.shared_strings[int(text)]
                elif text and (int(style) if style else 0) not in self.date_formats:
                    value = _cast_number(text)
            if value is None:
                return self.parse_formula_or_other(element)
            coordinate = element.get("r")
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            return {"row": row, "column": column, "value": value}

        def parse_formula_or_other(self, element: Element) -> dict[str, object]:
            cell: dict[str, object] = super().parse_cell(element)
            # A saved result is a <v> with text; a formula whose saved result is "" has
            # t="str" (Excel, LibreOffice). openpyxl writes formulas with an empty <v/>.
            saved = element.findtext(VALUE_TAG) or element.get("t") == "str"
            if cell["value"] is None and not saved:
                formula = element.find(FORMULA_TAG)
                if formula is not None:
                    cell["value"] = Uncached("=" + (formula.text or ""))
            return cell

    sheet = book[name]
    rows: list[Row] = []
    with sheet._get_source() as source:  # the sheet's XML inside the archive
        parser = _Parser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            held = [c for c in cells if c["value"] is not None and c["value"] != ""]
            if not held:
                continue
            values: list[object] = [None] * max(c["column"] for c in held)
            for cell in held:
                values[cell["column"] - 1] = cell["value"]
            rows.append((number, tuple(values)))
        merged = parser.merged_cells
    ranges = tuple(str(r.ref) for r in merged.mergeCell) if merged is not None else ()
    return SheetCells(tuple(rows), ranges)


def dense_rows(cells: SheetCells) -> list[tuple[object, ...]]:
    """The rows as a list from row 1 (blank rows as empty tuples), for small sheets."""
    if not cells.rows:
        return []
    grid: list[tuple[object, ...]] = [()] * cells.rows[-1][0]
    for number, values in cells.rows:
        grid[number - 1] = values
    return grid


# -- files ------------------------------------------------------------------------------------


def check_regular_file(path: str | os.PathLike[str], what: str = "file") -> Path:
    """``path`` as a Path if it names an existing regular file; else a CaseError at once.

    A FIFO, a socket or a device would block or never end when read; a folder cannot be read.
    """
    file = Path(path)
    try:
        mode = file.stat().st_mode
    except FileNotFoundError:
        raise CaseError(f"file not found: {file}; check the path") from None
    except OSError as error:
        raise CaseError(f"{file}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(mode):
        raise CaseError(f"{file} is a folder; expected a {what}")
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "not a regular file"
        raise CaseError(f"{file} is {kind}; give the path of a saved {what}")
    return file


def unreadable_workbook(error: Exception) -> str:
    """What to say about a file openpyxl cannot open: it is damaged, truncated (an interrupted
    copy or download) or not an .xlsx workbook at all (an .xls or .csv renamed), and how to
    repair it."""
    return (
        f"cannot be opened as an .xlsx workbook ({error}): the file is damaged or truncated, or "
        "is not an .xlsx workbook (an .xls or .csv renamed?); open it in Excel or LibreOffice "
        "and save it as Excel Workbook (.xlsx)"
    )


def available_memory() -> int | None:
    """Bytes of memory this process can still use (Linux: ``MemAvailable``, capped by a
    cgroup limit); None when unknown (then no size check is made)."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit.isdigit() and used.isdigit():
            found.append(int(limit) - int(used))
    except OSError:
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            return None
    return max(0, min(found))


TABLE_BYTES_PER_COALITION = 26
"""Bytes per coalition that reading a coalition table and building its game take at the peak:
the dense value table (8) and the row that gave each value (4) while reading, then the game's
own copy of the values and its checks (8 + 8 + 1)."""

READING_WORKING_BYTES = 64 << 20
"""The streaming reader's working set, whatever the size of the table: a chunk of lines and
its tokens, about 25 bytes per byte of a 2 MiB chunk (measured peaks: 40–53 MiB for tables of
16–20 parties, whose value tables are small)."""

WHOLE_FILE_FACTOR = 16
"""Bytes per byte of file for the cell reader (a quoted CSV or an odd layout is read whole by
pandas, as Python strings): measured 13 (tracemalloc) to 16 (resident memory) on a quoted
table of 18 parties."""


def table_memory(parties: int) -> int:
    """Bytes needed to read a coalition table of ``parties`` parties with the streaming
    reader and build its game: :data:`TABLE_BYTES_PER_COALITION` per coalition plus
    :data:`READING_WORKING_BYTES`. Independent of the file's size (it is read in chunks).

    A test keeps this above the peak that tracemalloc measures (22 parties: 100 MiB measured,
    176 MB estimated). 20 parties: 0.09 GB; 24: 0.5 GB; 25: 0.94 GB (solving the game then
    needs more, see the README).
    """
    return TABLE_BYTES_PER_COALITION * (1 << parties) + READING_WORKING_BYTES


def whole_file_memory(file_bytes: int) -> int:
    """Bytes the cell reader needs for a file of ``file_bytes`` (it holds the whole file)."""
    return WHOLE_FILE_FACTOR * file_bytes + (64 << 20)


def memory_refusal(
    where: str | Path,
    file_bytes: int,
    parties: int | None,
    available: int | None = None,
    *,
    whole: bool = False,
) -> str:
    """The message refusing a coalition table too large for the memory (see
    :func:`check_memory`). ``parties``: the estimate is the streaming reader's (None: not known
    yet, no estimate); ``whole``: the cell reader's; ``available`` None: the system refused an
    allocation (a limit on the process may be lower than the machine's free memory)."""
    if whole:
        needed: int | None = whole_file_memory(file_bytes)
        what = f"{file_bytes / 1e9:.2f} GB, read whole"
    elif parties is not None:
        needed = table_memory(parties)
        what = f"{parties} parties, {(1 << parties) - 1:,} coalitions, {file_bytes / 1e9:.2f} GB"
    else:
        needed, what = None, f"{file_bytes / 1e9:.2f} GB"
    amount = f"about {needed / 1e9:.1f} GB of memory" if needed is not None else "more memory"
    held = (
        f"but {available / 1e9:.1f} GB is available"
        if available is not None
        else "but the system refused it (a limit on the process, such as ulimit -v or a "
        "container's, may be lower than the free memory)"
    )
    return (
        f"{where}: reading this coalition table ({what}) needs {amount}, {held}. An explicit "
        f"table lists all 2^n − 1 coalitions, so each party more doubles it (22 parties need "
        f"about {table_memory(22) / 1e9:.1f} GB to read, 25 about "
        f"{table_memory(25) / 1e9:.1f} GB, and solving needs more); for more parties, describe "
        "the case as a workbook and use `fairpool shapley` (sampled Shapley value, any number "
        "of parties), or group parties so that fewer remain"
    )


def check_memory(where: str | Path, file_bytes: int, parties: int | None = None) -> None:
    """Refuse a coalition table that cannot be read in the memory available, before the
    memory is taken: with ``parties`` known, the streaming reader's need
    (:func:`table_memory`); without, the cell reader's for the whole file."""
    available = available_memory()
    if available is None:
        return
    needed = whole_file_memory(file_bytes) if parties is None else table_memory(parties)
    if needed > available:
        raise CaseError(memory_refusal(where, file_bytes, parties, available, whole=not parties))


# -- text -------------------------------------------------------------------------------------


def number_text(text: str) -> str:
    """Text of a number as typed, made plain: full-width forms (``６０％``, ``１，２００``) as
    ASCII (NFKC), thousands separators and spaces removed."""
    plain = unicodedata.normalize("NFKC", text).strip()
    return plain.replace(",", "").replace(" ", "")


def date_message(value: dt.date | dt.datetime, *, year: bool) -> str:
    """The message for a date typed where a number belongs (Excel formats ``2030-1-1`` as one)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if year:
        return f"{day.isoformat()} is a date; write the year, {day.year}"
    return f"{day.isoformat()} is a date; write a number (format the cell as Number)"


def plain_name(name: str) -> str:
    """A name for loose comparison: NFKC, lower case, without spaces, ``_`` and ``-``."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in text if ch not in " _-\t")


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters each count 1 (``schedual`` → ``schedule``: 2)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def close_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` was most likely meant to be, or None.

    Close means equal after :func:`plain_name` (case, spaces, underscores), or within edit
    distance 2 of it, and at most a third of the candidate's length (so short names like
    ``id`` only match an exact loose spelling).
    """
    plain = plain_name(name)
    best: tuple[int, str] | None = None
    for candidate in candidates:
        other = plain_name(candidate)
        distance = 0 if plain == other else edit_distance(plain, other)
        if distance <= min(2, len(other) // 3) and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best is not None else None
