"""Fixtures shared by the workbook tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def named_pipe(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Makes named pipes (FIFOs) in ``tmp_path`` with their write end held open, so that
    reading one would block rather than fail; the ends are closed after the test."""
    handles: list[int] = []

    def make(name: str) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        handles.append(os.open(path, os.O_RDWR | os.O_NONBLOCK))
        return path

    yield make
    for handle in handles:
        os.close(handle)
