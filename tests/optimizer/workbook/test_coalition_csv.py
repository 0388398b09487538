"""The streaming coalition CSV reader against a plain one-row-at-a-time reader, against the
cell reader's messages, chunk by chunk (chunks made tiny so that every table spans many),
and its values against ``float``."""

from __future__ import annotations

import itertools
import math
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import MAX_VALUE, SMALLEST_TOLERANCE
from fairpool.optimizer.workbook import coalition_csv
from fairpool.optimizer.workbook.coalition_csv import parse_values, read_coalition_csv
from fairpool.optimizer.workbook.explicit import read_game_file
from fairpool.optimizer.workbook.labels import LabelScanner, scan_labels
from fairpool.optimizer.workbook.tables import to_number

IDS = ["A", "B", "SZ", "深圳", "X9", "LongPartyName12", "东莞市政府机构", "R00"]
JOINS = ["+", " + ", "＋", "+ "]


# -- a plain reader: one row at a time, no numpy ---------------------------------------------
def plain_read(text: str) -> tuple[tuple[str, ...], list[float]] | None:
    """The players and the 2**n values of a ``coalition,value`` table, or None when the
    table has a problem (an empty or repeated id, a value that is not a finite number or is
    beyond 2**53, a coalition listed twice or missing, the empty coalition not 0, two ids
    that differ only in case or width)."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    players: dict[str, int] = {}
    rows = []
    for line in lines[1:]:
        label, value = line.split(",")
        label = "".join(ch for ch in label if ch not in " \t\r").replace("＋", "+")
        ids = label.split("+") if label else []
        if any(i == "" for i in ids) or len(set(ids)) != len(ids):
            return None
        for i in ids:
            players.setdefault(i, len(players))
        number = to_number("".join(ch for ch in value if ch not in " \t\r"))
        if not math.isfinite(number) or abs(number) > MAX_VALUE:
            return None
        rows.append((sum(1 << players[i] for i in ids), number))
    loose = [unicodedata.normalize("NFKC", p).casefold() for p in players]
    if len(set(loose)) != len(loose):
        return None
    values: list[float | None] = [None] * (1 << len(players))
    for mask, number in rows:
        if values[mask] is not None or (mask == 0 and number != 0):
            return None
        values[mask] = number
    values[0] = 0.0
    if any(v is None for v in values) or not players:
        return None
    tiny = SMALLEST_TOLERANCE  # a Game stores subnormal values as 0
    return tuple(players), [float(v) if abs(v) >= tiny else 0.0 for v in values if v is not None]


# -- random tables ---------------------------------------------------------------------------
VALUE_FORMATS = [repr, lambda v: f"{v:.3f}", lambda v: f"{v:e}", lambda v: f"{v:.0f}"]
BROKEN_VALUES = ["abc", "", "nan", "True", "inf", "1e400", "1_000", "١٢"]


@st.composite
def tables(draw: st.DrawFn, broken: bool) -> str:
    """A coalition table as CSV text: every coalition once, in random order, ids in random
    order and joins, values in random formats; ``broken``: a few rows changed."""
    n = draw(st.integers(1, 4))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=n, max_size=n, unique=True))
    masks = draw(st.permutations(list(range(1, 1 << n))))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    rows = []
    for mask in masks:
        members = draw(st.permutations([p for i, p in enumerate(ids) if mask >> i & 1]))
        label = draw(st.sampled_from(JOINS)).join(members)
        value = draw(st.floats(-1e6, 1e6, allow_nan=False))
        rows.append(f"{label},{draw(st.sampled_from(VALUE_FORMATS))(value)}")
    if broken:
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(rows) - 1))
            label, value = rows[at].split(",")
            change = draw(st.sampled_from(["value", "drop", "repeat", "id", "empty", "case"]))
            if change == "value":
                rows[at] = f"{label},{draw(st.sampled_from(BROKEN_VALUES))}"
            elif change == "drop" and len(rows) > 1:
                rows.pop(at)
            elif change == "repeat":
                rows.insert(draw(st.integers(0, len(rows))), rows[at])
            elif change == "id":
                rows[at] = f"{label}+{label.split('+')[0].strip()},{value}"
            elif change == "empty":
                rows[at] = f"+{label},{value}"
            elif change == "case":
                rows[at] = f"{label.lower()},{value}"
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + "coalition,value" + end + "".join(row + end for row in rows)


def small_chunks(monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:
    """Chunks of a few dozen bytes, values by pandas or by float."""
    monkeypatch.setattr(coalition_csv, "CHUNK_BYTES", data.draw(st.integers(8, 300)))
    by_pandas = data.draw(st.booleans())
    monkeypatch.setattr(coalition_csv, "values_by_pandas", lambda file_bytes: by_pandas)


@given(data=st.data())
def test_the_stream_reader_agrees_with_a_plain_reader(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        small_chunks(monkeypatch, data)
        text = data.draw(tables(broken=data.draw(st.booleans())))
        path = tmp_path_factory.mktemp("csv") / "game.csv"
        path.write_bytes(text.encode("utf-8"))
        assert read_coalition_csv(path, None) is not None  # the stream reader takes it
        expected = plain_read(text)
        if expected is None:
            with pytest.raises(CaseError):
                read_game_file(path)
            return
        game = read_game_file(path)
        assert game.players == expected[0]
        assert game.values.tolist() == expected[1]


@given(data=st.data())
def test_the_stream_and_cell_readers_word_every_problem_alike(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """The same broken table, plain (streamed) and with quoted labels (read as cells)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        small_chunks(monkeypatch, data)
        text = data.draw(tables(broken=True))
        folder = tmp_path_factory.mktemp("csv")
        plain, quoted = folder / "game.csv", folder / "quoted" / "game.csv"
        quoted.parent.mkdir()
        plain.write_bytes(text.encode("utf-8"))
        head, *lines = text.split("\n")
        quoted_lines = [
            f'"{line.split(",")[0]}",{line.split(",")[1]}' if line else line for line in lines
        ]
        quoted.write_bytes("\n".join([head, *quoted_lines]).encode("utf-8"))
        assert read_coalition_csv(quoted, None) is None  # quotes: the cell reader
        messages = []
        for path in (plain, quoted):
            try:
                game = read_game_file(path)
                messages.append(f"ok {game.players} {game.values.tolist()}")
            except CaseError as error:
                messages.append(str(error).replace(str(path), "FILE"))
        assert messages[0] == messages[1]


# -- chunks ----------------------------------------------------------------------------------
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.sampled_from([*IDS, "ZZ", ""]), max_size=4).map("+".join),
            st.sampled_from([",1", ",2.5", ",1e+5", ",x+y", ",", ",a,b", ""]),
        ),
        min_size=1,
        max_size=20,
    ),
    cuts=st.lists(st.integers(0, 20), max_size=4),
    give_players=st.booleans(),
)
def test_chunk_by_chunk_equals_one_scan(
    rows: list[tuple[str, str]], cuts: list[int], give_players: bool
) -> None:
    """Scanning the lines in pieces with one scanner gives the masks, flags, value spans
    and players of one scan; parties first seen in a later piece take the next bits."""
    lines = [(label + rest + "\n").encode() for label, rest in rows]
    players = tuple(IDS) if give_players else None
    whole = scan_labels(b"".join(lines), players)
    scanner = LabelScanner(players)
    bounds = sorted({0, len(lines), *(c for c in cuts if c < len(lines))})
    masks, flagged, values = [], [], []
    for a, b in itertools.pairwise(bounds):
        scan = scanner.scan(b"".join(lines[a:b]))
        masks.append(scan.masks)
        flagged.append(scan.flagged_rows + a)
        values += [
            scan.buffer[s : s + n] if s >= 0 else None
            for s, n in zip(scan.value_starts.tolist(), scan.value_lengths.tolist(), strict=True)
        ]
    assert scanner.players == whole.players
    assert np.concatenate(flagged).tolist() == whole.flagged_rows.tolist()
    ok = np.setdiff1d(np.arange(len(lines)), whole.flagged_rows)
    assert np.concatenate(masks)[ok].tolist() == whole.masks[ok].tolist()
    assert values == [
        whole.buffer[s : s + n] if s >= 0 else None
        for s, n in zip(whole.value_starts.tolist(), whole.value_lengths.tolist(), strict=True)
    ]


def test_a_party_first_seen_in_a_late_chunk(tmp_path: Path, monkeypatch) -> None:
    """B appears only after several chunks (the padding is whitespace, which is ignored)."""
    monkeypatch.setattr(coalition_csv, "CHUNK_BYTES", 64)
    padding = " " * 300
    path = tmp_path / "late.csv"
    path.write_text(f"coalition,value\nA{padding},1\nB,2\nA+B,5\n", encoding="utf-8")
    game = read_game_file(path)
    assert game.players == ("A", "B") and game.values.tolist() == [0, 1, 2, 5]
    path.write_text(f"coalition,value\nA{padding},1\nA+A,3\nB,2\nA+B,5\n", encoding="utf-8")
    with pytest.raises(CaseError, match="row 3, column coalition: party 'A' is listed twice"):
        read_game_file(path)


def test_values_with_a_plus_stay_in_the_stream(tmp_path: Path) -> None:
    path = tmp_path / "plus.csv"
    path.write_text("coalition,value\nA,1e+2\nB,+2\nA+B,1.5E+2\n", encoding="utf-8")
    assert read_coalition_csv(path, None) is not None
    assert read_game_file(path).values.tolist() == [0, 100, 2, 150]


# -- values ----------------------------------------------------------------------------------
NUMBER_TEXTS = st.one_of(
    st.floats(allow_nan=False).map(repr),
    st.floats(-1e20, 1e20).map(lambda v: f"{v:.17g}"),
    st.from_regex(r"[+-]?[0-9]{0,20}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(
        [
            *BROKEN_VALUES,
            *("TRUE", "false", "-inf", "Infinity", "INF", "NA", "null", "None", "0x10"),
            *("1.2.3", "1.#IND", "-nan", "n/a", "<NA>", "1e", ".", "0001", "1d5"),
        ]
    ),
)


@given(
    texts=st.lists(NUMBER_TEXTS, min_size=1, max_size=30),
    by_pandas=st.booleans(),
)
def test_values_are_those_of_float(texts: list[str], by_pandas: bool) -> None:
    """pandas' C reader (large files) and ``float`` (others) read every text as
    ``to_number`` does."""
    buffer = bytes(8) + "".join(f"L,{t}\n" for t in texts).encode()
    starts, lengths, at = [], [], 8
    for t in texts:
        starts.append(at + 2)
        lengths.append(len(t.encode()))
        at += len(t.encode()) + 3
    scan = scan_labels(buffer, None, 8)
    values = parse_values(scan, np.array(starts), np.array(lengths), by_pandas)
    expected = np.array([to_number(t) for t in texts])
    assert np.array_equal(values, expected, equal_nan=True)
