"""Files written safely: output locations probed before the work, and written atomically.

- :func:`check_output_file` and :func:`check_writable_folder` are called by a command before
  it solves anything, so a results workbook that cannot be written is reported at once (with
  the path, the reason and what to do) instead of after a long solve whose work is lost.
- :func:`atomic_output` writes a temporary file beside the target and moves it into place with
  ``os.replace`` when complete, so a reader never sees half a file and a failed write leaves
  nothing behind.
- :func:`keep_text` makes every text cell of a written workbook stay text: fairpool writes
  data, never formulas, so a party named ``=HYPERLINK(…)`` is shown as that text in Excel,
  not run as a formula (formula injection).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fairpool.optimizer.errors import CaseError

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@")
"""First characters with which a spreadsheet may read a typed-in text as a formula."""


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def check_writable_folder(folder: str | os.PathLike[str], what_to_do: str) -> Path:
    """``folder`` if a file can be created in it (the folder itself may still be missing).

    Walks up to the nearest existing ancestor: that must be a folder (not a file in the way)
    that accepts a new file, probed by creating and removing a temporary file (which finds a
    read-only file system or missing permissions, with the system's reason) and by
    ``os.access``. Raises :class:`~fairpool.optimizer.errors.CaseError` naming the path, the
    reason and ``what_to_do`` (e.g. "pass -o another folder").
    """
    folder = Path(folder).expanduser()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    where = "write in" if existing == folder else "create the folder"
    at = "" if existing == folder else f"{existing}: "
    if existing == folder and not existing.is_dir():
        raise CaseError(f"{folder} is a file, not a folder; {what_to_do}")
    if not existing.is_dir():
        blocker = "is a file" if existing.exists() else "does not exist"
        raise CaseError(f"cannot {where} {folder}: {existing} {blocker}; {what_to_do}")
    try:
        handle, probe = tempfile.mkstemp(prefix=".fairpool-probe-", dir=existing)
    except OSError as error:
        raise CaseError(f"cannot {where} {folder}: {at}{_reason(error)}; {what_to_do}") from None
    os.close(handle)
    Path(probe).unlink(missing_ok=True)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CaseError(f"cannot {where} {folder}: {at}no write permission; {what_to_do}")
    return folder


def check_output_file(path: str | os.PathLike[str], force: bool, what_to_do: str) -> Path:
    """``path`` if a command may write its output file there; called before any work.

    Refused: a folder at ``path``; an existing file without ``force`` ("… exists; pass --force
    to replace it"); a read-only existing file (even with ``force``: someone protected it);
    a folder where the file goes that cannot be created or written (see
    :func:`check_writable_folder`).
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise CaseError(
            f"{target} is a folder, where the output file should be written; "
            f"rename or remove that folder, or {what_to_do}"
        )
    if target.exists():
        if not force:
            raise CaseError(f"{target} exists; pass --force to replace it, or {what_to_do}")
        if not os.access(target, os.W_OK):
            raise CaseError(
                f"{target} exists and is read-only; make it writable or delete it, or {what_to_do}"
            )
    check_writable_folder(target.parent, what_to_do)
    return target


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; moved onto ``path`` when the block ends
    without an error (a reader never sees half a file), removed when it fails.

    The file gets the permissions of any new file (0666 less the umask), not ``mkstemp``'s
    owner-only 0600, so a results workbook can be shared like the files around it.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    try:
        yield Path(temp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def keep_text(sheet: Worksheet) -> None:
    """Make every text cell of ``sheet`` that starts like a formula (``= + - @``) stay text.

    openpyxl stores a string that starts with ``=`` as a formula; such a cell is turned back
    into text (``data_type`` ``"s"``), and every such text gets Excel's quote prefix (the
    hidden ``'`` of a typed-in ``'=…``), so it stays text when edited. Numbers, negative ones
    included, are untouched. fairpool writes no formulas, so no cell is meant as one.
    """
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True


def atomic_save(book: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save an openpyxl workbook at ``path`` through :func:`atomic_output`; every sheet's
    formula-like text stays text (:func:`keep_text`)."""
    for sheet in book.worksheets:
        keep_text(sheet)
    with atomic_output(path) as temp:
        book.save(temp)
    return Path(path)
