"""Only the work asked for: ``analyse_game`` and ``fairpool game --method`` compute the
methods asked, their fairness entries, and the least core, the properties and the reference
allocations only when asked; what was left out is said. A method that needs more memory than
the machine holds is refused with the figures (exit 2), not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.optimizer import analysis as analysis_module
from fairpool.optimizer.analysis import MemoryRefusal, analyse_game
from fairpool.optimizer.game import Game
from fairpool.optimizer.properties import game_properties
from fairpool.optimizer.solutions import METHODS
from fairpool.optimizer.solutions.nucleolus import least_core_epsilon

GAME = "coalition,value\nA,1\nB,2\nC,3\nA+B,4\nA+C,5\nB+C,6\nA+B+C,9\n"


def three_party_game() -> Game:
    return Game.from_mapping(
        ["A", "B", "C"], {"A": 1, "B": 2, "C": 3, "A+B": 4, "A+C": 5, "B+C": 6, "A+B+C": 9}
    )


def forbid(monkeypatch: pytest.MonkeyPatch, *parts: str) -> None:
    """Make the named parts fail loudly if anything computes them."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed though not asked for")

    for part in parts:
        if part in ("least_core_epsilon", "game_properties"):
            monkeypatch.setattr(analysis_module, part, fail)
        else:
            monkeypatch.setitem(METHODS, part, fail)


def test_only_the_methods_asked_are_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid(monkeypatch, "least_core_epsilon", "game_properties", "nucleolus", "least_core")
    result = analyse_game(
        three_party_game(), ["shapley"], core=False, properties=False, references=False
    )
    assert list(result.allocations) == ["shapley"]
    assert result.fairness["shapley"].in_core
    assert result.fairness["shapley"].distances == {"shapley": 0.0}
    assert dict(result.not_computed) == {"core": "not asked for", "properties": "not asked for"}


def test_a_part_left_out_is_computed_when_read_after() -> None:
    game = three_party_game()
    result = analyse_game(game, ["shapley"], core=False, properties=False)
    assert result.properties == game_properties(game)
    assert result.least_core_epsilon == pytest.approx(least_core_epsilon(game))


def test_the_least_core_method_gives_the_core_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid(monkeypatch, "least_core_epsilon")
    result = analyse_game(three_party_game(), ["least_core"], core=False, properties=False)
    assert "core" not in result.not_computed
    assert result.least_core_epsilon == result.allocations["least_core"].details["epsilon"]


def test_by_default_everything_is_computed() -> None:
    result = analyse_game(three_party_game())
    assert dict(result.not_computed) == {}
    assert {"shapley", "nucleolus", "least_core", "banzhaf"} <= set(result.allocations)
    assert set(result.fairness["equal"].distances) == {"shapley", "nucleolus"}


def test_a_method_out_of_memory_is_refused_with_the_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def exhausted(game: Game) -> None:
        raise MemoryError

    monkeypatch.setitem(METHODS, "shapley", exhausted)
    with pytest.raises(MemoryRefusal) as caught:
        analyse_game(three_party_game(), ["shapley", "equal"])
    assert "3-party game (8 coalitions" in str(caught.value)


# -- through the command -------------------------------------------------------------------
def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def write(tmp_path: Path, text: str = GAME) -> Path:
    path = tmp_path / "game.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_game_with_one_method_skips_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forbid(monkeypatch, "least_core_epsilon", "game_properties", "nucleolus", "least_core")
    path = write(tmp_path)
    result = run("game", path, "--method", "shapley", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document["solutions"]) == ["shapley"]
    assert document["core"] == {"empty": None, "least_core_epsilon": None}
    assert set(document["properties"].values()) == {None}
    assert document["not_computed"] == {"core": "not asked for", "properties": "not asked for"}
    text = run("game", path, "--method", "shapley")
    assert text.exit_code == 0, text.output
    assert "Core: not computed (not asked for; add --core)." in text.stdout
    assert "Properties: not computed (not asked for; add --properties)." in text.stdout


def test_game_computes_the_parts_asked_with_the_method(tmp_path: Path) -> None:
    path = write(tmp_path)
    result = run("game", path, "--method", "shapley", "--core", "--properties", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert "not_computed" not in document
    assert document["core"]["empty"] is False
    assert document["properties"]["superadditive"] is True
    everything = json.loads(run("game", path, "--json").stdout)
    assert document["core"] == everything["core"]
    assert document["properties"] == everything["properties"]


def test_a_proposal_in_text_measures_its_distances(tmp_path: Path) -> None:
    """The text describes the proposal's distance to Shapley and the nucleolus, so both are
    computed for it even when only one method is asked for."""
    path = write(tmp_path)
    result = run("game", path, "--method", "equal", "--allocation", "A=2,B=3,C=4")
    assert result.exit_code == 0, result.output
    assert "away from the shapley allocation" in result.stdout
    assert "away from the nucleolus allocation" in result.stdout


def test_game_out_of_memory_exits_2_with_the_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(game: Game) -> np.ndarray:
        raise MemoryError

    monkeypatch.setitem(METHODS, "shapley", exhausted)
    result = run("game", write(tmp_path), "--method", "shapley")
    assert result.exit_code == 2
    assert "needs more memory than this process can get" in result.output
    assert "Traceback" not in result.output
