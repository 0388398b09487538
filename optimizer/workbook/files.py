"""Files written atomically: a temporary file beside the target, moved into place with
``os.replace`` when complete, so a reader never sees half a file and a failed write leaves
nothing behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook


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


def atomic_save(book: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save an openpyxl workbook at ``path`` through :func:`atomic_output`."""
    with atomic_output(path) as temp:
        book.save(temp)
    return Path(path)
