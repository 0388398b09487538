"""A case too large to enumerate is refused before any solve, with the figures and the way out.

The memory this process can use is replaced (monkeypatch) by a figure below what the case
needs; the real command must then exit 2 with the estimate, the available memory and the
alternative (`fairpool shapley`), solve nothing and write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.optimizer.coalitions.engine import (
    BASE_BYTES,
    BYTES_PER_COALITION,
    check_enumeration_memory,
    enumeration_memory,
)
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook import cells

CASES = Path(__file__).resolve().parents[2] / "cases"


def test_the_estimate_doubles_with_each_party() -> None:
    for n in range(1, 30):
        grown = enumeration_memory(n + 1) - BASE_BYTES
        assert grown == 2 * (enumeration_memory(n) - BASE_BYTES)
    assert enumeration_memory(20) == BYTES_PER_COALITION * 2**20 + BASE_BYTES


def test_a_game_that_fits_passes_and_one_that_does_not_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    players = [f"P{i}" for i in range(24)]
    monkeypatch.setattr(cells, "available_memory", lambda: enumeration_memory(24))
    check_enumeration_memory(players)
    monkeypatch.setattr(cells, "available_memory", lambda: enumeration_memory(24) - 1)
    with pytest.raises(CaseError, match=r"24 parties: solving all 16,777,215 coalitions"):
        check_enumeration_memory(players)
    monkeypatch.setattr(cells, "available_memory", lambda: None)
    check_enumeration_memory(players)  # unknown: no check


@pytest.mark.parametrize("command", ["solve", "check", "coalitions"])
def test_the_command_refuses_before_solving_and_writes_nothing(
    command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cells, "available_memory", lambda: 100 << 20)
    out = tmp_path / "out"
    out.mkdir()
    args = [command, str(CASES / "river_program.xlsx"), "--no-cache"]
    if command == "solve":
        args += ["-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "coalitions needs about" in result.output
    assert "0.1 GB is available" in result.output
    assert "fairpool shapley" in result.output
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []
