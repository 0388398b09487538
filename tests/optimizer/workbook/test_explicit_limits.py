"""The explicit game reader's limits and messages (issue 9): non-regular files, full-width
joins and mixed-case ids, formulas without a saved value, merged cells, a stray cell, and
the memory a table needs."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook import cells, coalition_csv, coalition_table, labels
from fairpool.optimizer.workbook.cells import table_memory
from fairpool.optimizer.workbook.explicit import read_game_file
from fairpool.optimizer.workbook.labels import normalise_label, spelling_variants

THREE = "coalition,value\nA,1\nB,2\nC,3\nA+B,4\nA+C,5\nB+C,6\nA+B+C,9\n"
PLAYERS = "id,name\nA,a\nB,b\nC,c\n"


def write(tmp_path: Path, text: str, name: str = "game.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def message_of(path: Path, **options: object) -> str:
    with pytest.raises(CaseError) as caught:
        read_game_file(path, **options)  # type: ignore[arg-type]
    return str(caught.value)


# -- non-regular files --------------------------------------------------------------------


@pytest.fixture
def fifo(named_pipe: Callable[[str], Path]) -> Path:
    """A named pipe (``named_pipe``): reading it would block, not fail."""
    return named_pipe("pipe.csv")


def test_a_fifo_game_file_is_refused_at_once(fifo: Path) -> None:
    assert "is a named pipe (FIFO)" in message_of(fifo)


def test_a_fifo_players_file_is_refused_at_once(tmp_path: Path, fifo: Path) -> None:
    assert "is a named pipe (FIFO)" in message_of(write(tmp_path, THREE), players_path=fifo)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert "is a folder" in message_of(tmp_path)


# -- full-width joins and spellings -------------------------------------------------------


@pytest.mark.parametrize("join", ["＋", "，", "、", " ＋ "])
def test_full_width_joins_read_as_plus(tmp_path: Path, join: str) -> None:
    text = THREE.replace("A+B+C", f"A{join}B{join}C").replace("A+B", f"A{join}B")
    game = read_game_file(write(tmp_path, text))
    plain = read_game_file(write(tmp_path, THREE, "plain.csv"))
    assert game.players == plain.players
    assert np.array_equal(game.values, plain.values)


def test_full_width_joins_in_a_quoted_csv(tmp_path: Path) -> None:
    text = THREE.replace("A+B+C,9", '"A，B，C",9')
    assert read_game_file(write(tmp_path, text)).value("A+B+C") == 9


def test_a_full_width_comma_in_a_value_is_not_a_join(tmp_path: Path) -> None:
    message = message_of(write(tmp_path, THREE.replace("A+B+C,9", "A+B+C,1，000")))
    assert "row 8, column value" in message


def test_mixed_case_ids_are_named_per_row(tmp_path: Path) -> None:
    text = THREE.replace("A+C,5", "a+C,5").replace("B+C,6", "B+c,6")
    message = message_of(write(tmp_path, text))
    assert "row 6, column coalition: party id 'a' differs from 'A' only in case" in message
    assert "row 7, column coalition: party id 'c' differs from 'C' only in case" in message
    assert "have no value" not in message


def test_full_width_letters_are_named_per_row(tmp_path: Path) -> None:
    message = message_of(write(tmp_path, THREE.replace("A+B+C,9", "Ａ+B+C,9")))
    assert "row 8, column coalition: party id 'Ａ' differs from 'A'" in message


def test_with_a_players_file_a_case_variant_gets_a_hint(tmp_path: Path) -> None:
    players = write(tmp_path, PLAYERS, "players.csv")
    message = message_of(write(tmp_path, THREE.replace("A+C,5", "a+C,5")), players_path=players)
    assert "row 6, column coalition: unknown party id 'a'; did you mean 'A'?" in message


def test_spelling_variants_keep_the_first_spelling() -> None:
    variants = spelling_variants(["SZ", "DG", "sz", "Ｓｚ", "dg"])
    assert variants == {"sz": "SZ", "Ｓｚ": "SZ", "dg": "DG"}
    assert normalise_label("SZ＋DG，HZ、X") == "SZ+DG+HZ+X"


# -- Excel cells --------------------------------------------------------------------------


def _book(tmp_path: Path, rows: list[tuple[object, ...]], change=None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "coalitions"
    for row in rows:
        sheet.append(row)
    if change is not None:
        change(sheet)
    path = tmp_path / "game.xlsx"
    book.save(path)
    return path


ROWS: list[tuple[object, ...]] = [
    ("coalition", "value"),
    ("A", 1),
    ("B", 2),
    ("A+B", 4),
]


def test_a_formula_value_without_a_saved_result_says_why(tmp_path: Path) -> None:
    path = _book(tmp_path, [*ROWS[:3], ("A+B", "=B2+B3+1")])
    message = message_of(path)
    assert "sheet coalitions, row 4, column B (value): the formula =B2+B3+1 has no saved value" in (
        message
    )
    assert "never opened in Excel" in message


def test_a_date_in_a_value_cell_is_reported_as_a_date(tmp_path: Path) -> None:
    path = _book(tmp_path, [*ROWS[:3], ("A+B", dt.datetime(2026, 1, 1))])
    assert "row 4, column B (value): 2026-01-01 is a date; write a number" in message_of(path)


def test_an_empty_or_binary_csv_says_so(tmp_path: Path) -> None:
    assert "the file is empty" in message_of(write(tmp_path, "\ufeff\n"))
    assert "not CSV text (it holds NUL bytes" in message_of(write(tmp_path, "\x00\x89PNG\n"))


def test_merged_cells_in_the_table_are_named(tmp_path: Path) -> None:
    path = _book(tmp_path, ROWS, lambda sheet: sheet.merge_cells("A2:A3"))
    assert "sheet coalitions, row 2: cells A2:A3 are merged; unmerge them" in message_of(path)


def test_a_stray_formatted_cell_far_away_costs_nothing(tmp_path: Path) -> None:
    def stray(sheet) -> None:
        sheet["XFD1048576"].number_format = "0.00"

    game = read_game_file(_book(tmp_path, ROWS, stray))
    assert game.players == ("A", "B") and game.grand_value == 4


# -- memory -------------------------------------------------------------------------------


def _table(tmp_path: Path, n: int) -> Path:
    ids = [f"P{i:02d}" for i in range(n)]
    rng = np.random.default_rng(n)
    lines = ["coalition,value"]
    for mask in range(1, 1 << n):
        label = "+".join(p for i, p in enumerate(ids) if mask >> i & 1)
        lines.append(f"{label},{rng.random() * 100:.6f}")
    return write(tmp_path, "\n".join(lines) + "\n", f"n{n}.csv")


@pytest.mark.parametrize("n", [13, 15, 18])
def test_the_memory_estimate_bounds_the_measured_peak(tmp_path: Path, n: int) -> None:
    path = _table(tmp_path, n)
    read_game_file(path)  # imports and caches warmed up outside the measurement
    tracemalloc.start()
    try:
        read_game_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= table_memory(n) <= peak * 4 + (64 << 20)


def test_the_peak_does_not_grow_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamed: a file four times larger (long ids, same table) costs no more to read once
    both span many chunks."""
    monkeypatch.setattr(coalition_csv, "CHUNK_BYTES", 64 << 10)
    short = _table(tmp_path, 15)
    long = tmp_path / "long.csv"
    long.write_text(short.read_text().replace("P", "Party_number_"), encoding="utf-8")
    assert long.stat().st_size > 3 * short.stat().st_size
    peaks = []
    for path in (short, long):
        read_game_file(path)
        tracemalloc.start()
        try:
            read_game_file(path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < peaks[0] + long.stat().st_size / 4


def test_a_table_too_large_for_the_memory_is_refused_with_the_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _table(tmp_path, 10)
    monkeypatch.setattr(cells, "available_memory", lambda: 10_000_000)
    message = message_of(path)
    assert "10 parties, 1,023 coalitions" in message and "needs about 0.1 GB of memory" in message
    assert "but 0.0 GB is available" in message and "fairpool shapley" in message


def test_a_refused_allocation_is_a_case_error_with_the_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system refusing the memory (a MemoryError) is reported as bad input, exit 2."""
    path = _table(tmp_path, 10)

    def refuse(size: int) -> tuple[np.ndarray, np.ndarray]:
        raise MemoryError

    monkeypatch.setattr(coalition_table, "allocate_tables", refuse)
    message = message_of(path)
    assert "10 parties, 1,023 coalitions" in message
    assert "the system refused it" in message


def test_a_chunk_refused_memory_is_a_case_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held below even one chunk's working set (a ulimit), the reader still exits cleanly."""
    path = _table(tmp_path, 8)

    def refuse(self: object, lines: bytes, start: int = 0) -> None:
        raise MemoryError

    monkeypatch.setattr(labels.LabelScanner, "scan", refuse)
    message = message_of(path)
    assert "needs more memory, but the system refused it" in message


def test_the_available_memory_is_known_here() -> None:
    available = cells.available_memory()
    assert available is None or available > 0
