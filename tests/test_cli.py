"""The fairpool command: exit codes, JSON keys, messages on stderr, error paths."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.reports.text import display_width, render_table

runner = CliRunner()
GAME = "coalition,value\nA,1\nB,2\nC,3\nA+B,4\nA+C,5\nB+C,6\nA+B+C,9\n"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("fairpool ")


def test_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    assert "game" in result.stdout and "demo" in result.stdout


def test_demo_solves_the_shipped_park_and_writes_its_results(tmp_path):
    result = run("demo", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "四川承接县 HOST" in result.stdout and "shapley" in result.stdout
    assert "Core: non-empty" in result.stdout
    assert (tmp_path / "sichuan_zhejiang_park_results.xlsx").is_file()


def test_game_json_keys_and_chinese_names(water_plant_paths):
    coalitions, players = water_plant_paths
    result = run("game", coalitions, "--cost", "--players", players, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == [
        "ok",
        "players",
        "orientation",
        "grand_value",
        "solutions",
        "core",
        "properties",
        "fairness",
        "skipped",
        "details",
    ]
    assert document["players"][0] == {"id": "SZ", "name": "深圳"}
    assert "深圳" in result.stdout  # ensure_ascii=False
    assert document["orientation"] == "cost"
    assert document["grand_value"] == pytest.approx(78.68)
    assert set(document["core"]) == {"empty", "least_core_epsilon"}
    assert document["core"]["empty"] is False
    for method, shares in document["solutions"].items():
        assert sum(shares.values()) == pytest.approx(78.68), method
        assert set(document["fairness"][method]) == {
            "in_core",
            "individually_rational",
            "worst_coalition",
            "worst_excess",
        }
    assert document["fairness"]["shapley"]["in_core"] is True
    assert document["fairness"]["equal"]["in_core"] is False
    assert "superadditive" in document["properties"]


def test_selected_methods_only(game_csv):
    result = run("game", game_csv(GAME), "--method", "shapley", "--json")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["solutions"]) == ["shapley"]


def test_proposal_in_core_and_out_of_core(game_csv):
    path = game_csv(GAME)
    inside = run("game", path, "--json", "--strict", "--allocation", "A=2,B=3,C=4")
    assert inside.exit_code == 0, inside.output
    document = json.loads(inside.stdout)
    assert document["allocations"]["proposal"] == {"A": 2, "B": 3, "C": 4}
    assert document["fairness"]["proposal"]["in_core"] is True

    outside = run("game", path, "--allocation", "A=7,B=1,C=1")
    assert outside.exit_code == 0, outside.output
    assert "B+C" in outside.stdout  # describe() names the blocking coalition
    strict = run("game", path, "--json", "--strict", "--allocation", "A=7,B=1,C=1")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["fairness"]["proposal"]["worst_coalition"] == "B+C"


@pytest.mark.parametrize(
    ("allocation", "message"),
    [
        ("A=2,B=3,X=4", "unknown party 'X'"),
        ("A=2,B=3", "no amount for C"),
        ("A=2,B=three,C=4", "expected a number"),
    ],
)
def test_bad_proposal_is_bad_input(game_csv, allocation, message):
    result = run("game", game_csv(GAME), "--allocation", allocation)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GAME.replace("A+B,4", "A+B,four"), "row 5, column value: expected a finite number"),
        (GAME.replace("A+C,5", "A+Q,5"), "row 6, column coalition: unknown party id 'Q'"),
        (GAME + "B+A,4\n", "coalition A+B is listed more than once (rows 5, 9)"),
        (GAME.replace("B+C,6\n", ""), "1 of 7 coalitions have no value (B+C)"),
    ],
)
def test_bad_csv_exits_2_naming_the_row(game_csv, text, message):
    players = game_csv("id,name\nA,甲\nB,乙\nC,丙\n", "players.csv")
    result = run("game", game_csv(text), "--players", players)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_and_unknown_method(game_csv, tmp_path):
    missing = run("game", tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    unknown = run("game", game_csv(GAME), "--method", "magic")
    assert unknown.exit_code == 2 and "unknown method 'magic'" in unknown.stderr


def test_fill_partition(game_csv):
    text = "coalition,value\nA,4\nB,5\nC,6\nA+B+C,12\n"
    result = run("game", game_csv(text), "--cost", "--fill", "partition", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["grand_value"] == 12


def test_chinese_names_are_aligned():
    table = render_table([["party", "x"], ["深圳 SZ", "1.00"], ["Anhui", "10.00"]])
    widths = {display_width(line) for line in table.splitlines()}
    assert display_width("深圳") == 4 and len(widths) == 1


def test_progress_bar_is_silent_for_short_runs_and_counts_long_ones(capsys):
    from fairpool.commands.running import ProgressBar

    quick = ProgressBar()
    quick(4, 4)
    assert capsys.readouterr().err == ""
    slow = ProgressBar()
    slow.started -= 5.0  # as if the run had lasted five seconds
    slow(0, 100)
    slow.first = (slow.first[0] - 1.0, 0)  # 50 coalitions in one second
    slow(50, 100)
    slow(100, 100)
    err = capsys.readouterr().err
    assert "coalitions 50/100, about 1 s left" in err
    assert err.endswith("coalitions 100/100    \n")
