"""The explicit game reader: round trips, error messages with rows, the vectorised scanner."""

from __future__ import annotations

import hashlib
import string

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairpool.cases import case_path, shipped_cases
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.workbook.explicit import read_game_file
from fairpool.optimizer.workbook.labels import discover_players, parse_label, scan_labels

THREE = "coalition,value\nA,1\nB,2\nC,3\nA+B,4\nA+C,5\nB+C,6\nA+B+C,9\n"


def write(tmp_path, text: str, name: str = "game.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_round_trip(tmp_path):
    game = read_game_file(write(tmp_path, THREE))
    assert game.players == ("A", "B", "C")
    assert game.orientation == "benefit"
    assert game.value("A+C") == 5 and game.grand_value == 9 and game.values[0] == 0


def test_written_game_reads_back(tmp_path):
    rng = np.random.default_rng(7)
    players = ("SZ", "DG", "HZ", "SW")
    values = np.round(rng.uniform(1, 50, 16), 3)
    original = Game(players, values, "cost")
    rows = [f"{original.label(m)},{float(original.values[m])!r}" for m in range(15, 0, -1)]
    game = read_game_file(
        write(tmp_path, "coalition,value\n" + "\n".join(rows) + "\n"), orientation="cost"
    )
    # ids in order of first appearance: the grand coalition comes first here
    assert game.players == players
    assert np.array_equal(game.values, original.values)


def test_spaces_crlf_bom_and_empty_coalition_are_accepted(tmp_path):
    text = "\ufeffcoalition , value\r\n ,0\r\nA,1\r\nB , 2\r\nA + B,4\r\n"
    game = read_game_file(write(tmp_path, text))
    assert game.players == ("A", "B") and game.value("A+B") == 4


def test_quoted_csv_with_blank_lines_uses_the_cell_reader(tmp_path):
    text = 'coalition,value\n"A",1\n\n"B",2\n"A+B","3.5"\n'
    game = read_game_file(write(tmp_path, text))
    assert game.value("A+B") == 3.5


def test_players_file_sets_order_names_and_attributes(tmp_path):
    players = write(tmp_path, "id,name,population\nB,东莞,1049\nA,深圳,1779\n", "players.csv")
    coalitions = write(tmp_path, "coalition,value\nA,1\nB,2\nA+B,4\n")
    game = read_game_file(coalitions, players_path=players)
    assert game.players == ("B", "A")
    assert game.names == ("东莞", "深圳")
    assert game.attribute("population").tolist() == [1049, 1779]
    assert game.value("A+B") == 4


def test_xlsx_round_trip_with_players_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "coalitions"
    sheet.append(["coalition", "value"])
    for row in [("SZ", 10), ("DG", 8), ("SZ+DG", 15)]:
        sheet.append(row)
    players = book.create_sheet("players")
    players.append(["id", "name", "population"])
    players.append(["SZ", "深圳", 1779])
    players.append(["DG", "东莞", 1049])
    path = tmp_path / "game.xlsx"
    book.save(path)
    before = digest(path)
    game = read_game_file(path, orientation="cost")
    assert game.players == ("SZ", "DG") and game.names == ("深圳", "东莞")
    assert game.value("SZ+DG") == 15
    assert digest(path) == before


def test_xlsx_errors_name_sheet_row_and_column(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "coalitions"
    sheet.append(["coalition", "value"])
    sheet.append(["A", 1])
    sheet.append(["B", "lots"])
    sheet.append(["A+B", 3])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(CaseError) as caught:
        read_game_file(path)
    assert "sheet coalitions, row 3, column B (value)" in str(caught.value)
    assert "'lots'" in str(caught.value)


def test_all_problems_reported_together_with_rows(tmp_path):
    text = "coalition,value\nA,1\nB,abc\nA+X,4\nA+A,2\nA,7\n"
    path = write(tmp_path, text)
    before = digest(path)
    with pytest.raises(CaseError) as caught:
        read_game_file(path, players_path=write(tmp_path, "id\nA\nB\n", "p.csv"))
    message = str(caught.value)
    assert "row 3, column value: expected a finite number, got 'abc'" in message
    assert "row 4, column coalition: unknown party id 'X'" in message
    assert "row 5, column coalition: party 'A' is listed twice" in message
    assert "coalition A is listed more than once (rows 2, 6)" in message
    assert len(caught.value.problems) == 4
    assert digest(path) == before


def test_missing_coalitions_need_fill(tmp_path):
    path = write(tmp_path, "coalition,value\nA,4\nB,5\nC,6\nA+B+C,12\n")
    with pytest.raises(CaseError, match=r"3 of 7 coalitions have no value \(A\+B, A\+C, B\+C\)"):
        read_game_file(path, orientation="cost")
    game = read_game_file(path, orientation="cost", fill="partition")
    assert game.value("A+B") == 9 and game.value("B+C") == 11 and game.grand_value == 12


def test_fill_needs_singletons(tmp_path):
    path = write(tmp_path, "coalition,value\nA,4\nA+B,7\n")
    with pytest.raises(CaseError, match="missing: B"):
        read_game_file(path, fill="partition")


def test_unknown_fill_missing_file_missing_column(tmp_path):
    with pytest.raises(CaseError, match="unknown fill method 'best'"):
        read_game_file(write(tmp_path, THREE), fill="best")
    with pytest.raises(CaseError, match="file not found"):
        read_game_file(tmp_path / "nope.csv")
    with pytest.raises(CaseError, match="row 1: no column 'value'"):
        read_game_file(write(tmp_path, "coalition,amount\nA,1\n"))


def test_empty_coalition_must_be_zero(tmp_path):
    with pytest.raises(CaseError, match="row 2, column value: the empty coalition must have"):
        read_game_file(write(tmp_path, "coalition,value\n,3\nA,1\n"))


def test_values_with_exponents_and_signs(tmp_path):
    game = read_game_file(write(tmp_path, "coalition,value\nA,1e+2\nB,+2\nA+B,1.5E+2\n"))
    assert game.values.tolist() == [0, 100, 2, 150]


def test_shipped_case_is_complete_and_subadditive():
    assert "shared_water_plant.csv" in shipped_cases()
    game = read_game_file(
        case_path("shared_water_plant.csv"),
        orientation="cost",
        players_path=case_path("shared_water_plant_players.csv"),
    )
    assert game.n == 5 and game.names[0] == "深圳"
    full = game.grand_mask
    for s in range(1, full + 1):
        for t in range(1, full + 1):
            if s & t == 0 and s | t:
                assert game.values[s | t] <= game.values[s] + game.values[t] + 1e-9


# -- the vectorised scanner against the plain parser ---------------------------------------
IDS = ["A", "B", "SZ", "深圳", "X9", "LongPartyName12", "东莞市政府机构"]
token = st.sampled_from([*IDS, "ZZ", ""])
label = st.lists(token, max_size=5).flatmap(
    lambda parts: st.sampled_from(["+", " + ", "+ "]).map(lambda sep: sep.join(parts))
)
row = st.tuples(label, st.sampled_from(["", ",1", ",2.5", ",1e+5", ",x+y", ",+3", ","]))


@given(rows=st.lists(row, min_size=1, max_size=15), give_players=st.booleans())
def test_scanner_agrees_with_plain_parser(rows, give_players):
    lines = ("\n".join(lab + rest for lab, rest in rows) + "\n").encode()
    labels = [lab for lab, _ in rows]
    players = tuple(IDS) if give_players else None
    scan = scan_labels(lines, players)
    expected_players = players or discover_players(labels)
    assert scan.players == expected_players
    index = {p: i for i, p in enumerate(expected_players)}
    flagged = set(scan.flagged_rows.tolist())
    for r, text in enumerate(labels):
        mask, problems = parse_label(text, index)
        if problems:
            assert r in flagged
        elif r not in flagged:
            assert scan.masks[r] == mask


@given(st.lists(st.sets(st.sampled_from(string.ascii_uppercase[:6]), min_size=1), min_size=1))
def test_discovered_order_is_first_appearance(coalitions):
    labels = ["+".join(sorted(c)) for c in coalitions]
    scan = scan_labels(("\n".join(labels) + "\n").encode())
    assert scan.players == discover_players(labels)
