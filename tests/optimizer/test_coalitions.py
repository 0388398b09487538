"""The coalition engine: compiled models against a brute-force oracle; serial, parallel (spawn)
and Dask runs give identical v(S); the disk cache survives a killed run and a second run
re-solves nothing; solver failures name the coalition; progress counts up to the total."""

from __future__ import annotations

import dataclasses
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from fairpool.optimizer.coalitions import (
    CoalitionEngine,
    CoalitionModel,
    CoalitionNumbers,
    CompiledCoalitionModel,
    CompiledEvaluator,
    CompiledGame,
    ProgramRunner,
    WorkerRecipe,
    coalition_settings,
    coalition_values,
    content_key,
    model_game,
)
from fairpool.optimizer.errors import CaseError, SolverError
from tests.optimizer.coalition_models import (
    BudgetedProjects,
    ShortOfCapacity,
    SlowFormula,
    SlowFormulaEvaluator,
    brute_force,
    budgeted_projects,
)

ROOT = Path(__file__).resolve().parents[2]

# -- tests ------------------------------------------------------------------------------------


def test_compiled_model_matches_brute_force() -> None:
    model = budgeted_projects(parties=5, projects=7, seed=3)
    assert isinstance(model, CoalitionModel)
    with CoalitionEngine(model, workers=1) as engine:
        values = engine.values()
        assert engine.solved == 31 and engine.highs_time > 0
    assert np.allclose(values, brute_force(model), atol=1e-9)
    assert values[0] == 0.0


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start worker processes however short the work (tests' models are small)."""
    from fairpool.optimizer.coalitions import engine

    monkeypatch.setattr(engine, "PARALLEL_FROM_SECONDS", 0.0)


def test_serial_parallel_and_dask_give_identical_values(always_parallel: None) -> None:
    import distributed

    model = budgeted_projects(parties=6, projects=9, seed=1)
    serial = coalition_values(model, workers=1)
    parallel = coalition_values(model, workers=2)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask = coalition_values(model, scheduler=cluster.scheduler_address)
    assert np.array_equal(serial, parallel)
    assert np.array_equal(serial, dask)
    assert np.allclose(serial, brute_force(model), atol=1e-9)


def test_a_model_that_is_not_compiled_runs_in_parallel_too(
    always_parallel: None, tmp_path: Path
) -> None:
    """Plain models (``open()`` only) go mask by mask through the same workers and thread:
    the model is opened here and in a worker process, and the values are the serial ones."""
    model = SlowFormula(tuple("ABCDEF"), tuple(range(6)), opened_in=str(tmp_path))
    assert not isinstance(model, CompiledCoalitionModel)
    parallel = coalition_values(model, workers=2)
    opened_by = {int(path.name) for path in tmp_path.iterdir()}
    assert os.getpid() in opened_by and len(opened_by) == 2
    assert np.array_equal(parallel, coalition_values(model))


@pytest.mark.parametrize("forced", [False, True], ids=["engine-decides", "workers-forced"])
def test_three_parties_with_two_workers_give_the_serial_values(
    forced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small case with ``workers=2`` finishes and gives exactly the serial values, whether
    the engine starts a worker process for it (forced) or solves it all here."""
    if forced:
        from fairpool.optimizer.coalitions import engine

        monkeypatch.setattr(engine, "PARALLEL_FROM_SECONDS", 0.0)
    model = budgeted_projects(parties=3, projects=4, seed=6)
    serial = model_game(model)
    with coalition_settings(workers=2):
        parallel = model_game(model)
        assert np.array_equal(coalition_values(model), serial.values)
    assert np.array_equal(parallel.values, serial.values)
    assert np.allclose(serial.values, brute_force(model), atol=1e-9)


def test_the_compiled_program_reopens_to_the_same_values() -> None:
    """The arrays a worker receives hold the same programme as the compiled LP file."""
    import pickle

    from fairpool.optimizer.solve import CompiledProgram

    model = budgeted_projects(parties=5, projects=7, seed=5)
    game = model.compile()
    program = pickle.loads(pickle.dumps(game.program))
    assert isinstance(program, CompiledProgram)
    masks = np.arange(1, 32)
    numbers = model.numbers(masks)
    fresh = CompiledEvaluator(model, game).values(masks)
    reopened = ProgramRunner(dataclasses.replace(game, program=program), model.players)
    assert np.array_equal(reopened.run(masks, numbers), fresh)
    assert np.allclose(fresh, brute_force(model)[1:], atol=1e-9)


def test_workers_import_no_pyomo_pandas_or_family_code() -> None:
    """A worker opens the compiled game of a real family with numpy and highspy alone."""
    import pickle

    from fairpool.cases.generated import generate_infrastructure_case
    from fairpool.models import infrastructure

    model = infrastructure.coalition_model(generate_infrastructure_case(4, 6, seed=1))
    game = model.compile()
    masks = np.arange(1, 16)
    recipe = WorkerRecipe(model.players, game=game)
    task = (masks, model.numbers(masks))
    script = textwrap.dedent(
        """
        import pickle, sys
        recipe, task = pickle.load(sys.stdin.buffer)
        _, values, _ = recipe.open()(task)
        heavy = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("pyomo", "pandas", "openpyxl")
            or name.startswith(("fairpool.models", "fairpool.cases"))
        )
        pickle.dump((values, heavy), sys.stdout.buffer)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps((recipe, task)),
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    values, heavy = pickle.loads(done.stdout)
    assert heavy == []
    assert np.array_equal(values, CompiledEvaluator(model, game).values(masks))


def test_coalitions_with_equal_numbers_are_solved_once() -> None:
    """v(S) of a park depends only on which components S allows: one solve per pattern."""
    from fairpool.models import joint_park as jp

    model = jp.ParkCoalitionModel(
        players=tuple("ABCDE"),
        weights=np.array([5.0, -1.0, 7.0]),
        required=np.array([0b00011, 0b00100, 0b01100], dtype=np.int64),
        dependencies=np.zeros((0, 2), dtype=np.int64),
        exclusions=np.zeros((0, 2), dtype=np.int64),
    )
    seen: list[tuple[int, int]] = []
    with CoalitionEngine(model, progress=lambda *done: seen.append(done)) as engine:
        values = engine.values()
        solves = engine.evaluator().solves
    assert seen[-1] == (32, 32)  # every coalition counted, the copied ones too
    masks = np.arange(32)
    allowed = (model.required[None, :] & masks[:, None]) == model.required[None, :]
    patterns = {tuple(row) for row in allowed.tolist() if any(row)}
    assert solves == len(patterns) < 31
    brute = [
        sum(max(w, 0.0) for w, on in zip(model.weights, row, strict=True) if on) for row in allowed
    ]
    assert np.allclose(values, brute)


def test_numbers_shared_by_every_coalition_may_be_one_dimensional() -> None:
    """1-d numbers are pushed once; ``None`` leaves the compiled bounds as they are."""
    model = ShortOfCapacity()
    game = model.compile()
    runner = ProgramRunner(game, model.players)
    masks = np.array([1, 3, 7])
    numbers = CoalitionNumbers(
        solve=np.ones(3, dtype=bool), column_upper=np.array([100.0]), row_lower=None
    )
    assert runner.run(masks, numbers).tolist() == [0.0, 0.0, 0.0]  # demand row left at 0
    numbers = dataclasses.replace(numbers, row_lower=np.array([[5.0], [15.0], [25.0]]))
    assert runner.run(masks, numbers).tolist() == [5.0, 15.0, 25.0]
    assert runner.solves == 6


def test_second_run_reads_everything_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = budgeted_projects(parties=5, projects=6, seed=2)
    cache = tmp_path / "coalitions.sqlite"
    compiled: list[BudgetedProjects] = []
    compile_model = BudgetedProjects.compile

    def counted_compile(self: BudgetedProjects) -> CompiledGame:
        compiled.append(self)
        return compile_model(self)

    monkeypatch.setattr(BudgetedProjects, "compile", counted_compile)
    with CoalitionEngine(model, cache=cache) as first:
        values = first.values()
        assert (first.solved, first.cached) == (31, 0)
    assert len(compiled) == 1
    with CoalitionEngine(model, cache=cache) as second:
        again = second.values()
        assert (second.solved, second.cached) == (0, 31)
    assert len(compiled) == 1  # nothing was even built
    assert np.array_equal(values, again)
    other = budgeted_projects(parties=5, projects=6, seed=4)  # other content, other key
    with CoalitionEngine(other, cache=cache) as third:
        third.values()
        assert third.solved == 31
    rows = sqlite3.connect(cache).execute("SELECT COUNT(DISTINCT key) FROM coalition_values")
    assert rows.fetchone()[0] == 2


def test_cache_survives_a_killed_run(tmp_path: Path) -> None:
    """A run killed (SIGKILL) mid-way resumes: only the missing coalitions are solved.

    The run kills itself at its 200th solve; its solves take at least 200 × 5 ms = 1 s, so
    the cache, which commits at least every COMMIT_SECONDS = 0.5 s, holds some values then.
    """
    from fairpool.optimizer.coalitions import COMMIT_SECONDS

    assert 2 * COMMIT_SECONDS <= 200 * 0.005
    cache = tmp_path / "coalitions.sqlite"
    script = textwrap.dedent(
        f"""
        from tests.optimizer.coalition_models import SlowFormula
        from fairpool.optimizer.coalitions import coalition_values
        model = SlowFormula(tuple("ABCDEFGH"), tuple(range(8)), delay=0.005, killed_after=200)
        coalition_values(model, cache={str(cache)!r})
        """
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert run.returncode == -signal.SIGKILL, "the run was not killed"
    with sqlite3.connect(cache) as db:
        stored = db.execute("SELECT COUNT(*) FROM coalition_values").fetchone()[0]
    assert 0 < stored < 255

    model = SlowFormula(tuple("ABCDEFGH"), tuple(range(8)))
    SlowFormulaEvaluator.solves = 0
    resumed = coalition_values(model, cache=cache)
    assert SlowFormulaEvaluator.solves == 255 - stored
    assert np.array_equal(resumed, coalition_values(model))
    SlowFormulaEvaluator.solves = 0
    coalition_values(model, cache=cache)
    assert SlowFormulaEvaluator.solves == 0


def test_subsets_of_masks_keep_their_shape_and_order() -> None:
    model = SlowFormula(("A", "B", "C"), (1.0, 2.0, 4.0))
    values = coalition_values(model, np.array([[7, 1], [0, 7]]))
    assert values.tolist() == [[16.0, 2.0], [0.0, 16.0]]
    with pytest.raises(CaseError, match="masks"):
        coalition_values(model, [8])


def test_progress_counts_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    coalition_values(
        SlowFormula(tuple("ABCDEFG"), tuple(range(7))),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (1, 128)  # v(∅) is known without a solve
    assert seen[-1] == (128, 128)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))


def test_a_failed_solve_names_the_coalition() -> None:
    model = ShortOfCapacity()
    assert coalition_values(model, [1, 3]).tolist() == [10.0, 20.0]
    with pytest.raises(SolverError, match=r"coalition B\+C: Infeasible"):
        coalition_values(model, [6])


def test_a_failed_solve_in_a_worker_is_raised_here(always_parallel: None) -> None:
    """B, C and B+C (no A) are all infeasible; which worker reports first is up to the pool."""
    with pytest.raises(SolverError, match=r"coalition (B|C|B\+C): Infeasible"):
        coalition_values(ShortOfCapacity(), workers=2)


def test_settings_apply_to_a_block(tmp_path: Path) -> None:
    model = SlowFormula(("A", "B", "C"), (1.0, 2.0, 4.0))
    seen: list[tuple[int, int]] = []
    with coalition_settings(cache=tmp_path / "c.sqlite", progress=lambda *a: seen.append(a)):
        game = model_game(model, "cost", names=("甲", "乙", "丙"))
    assert game.orientation == "cost" and game.names == ("甲", "乙", "丙")
    assert game.value("A+C") == 9.0
    assert seen[-1] == (8, 8)
    assert (tmp_path / "c.sqlite").exists()
    with pytest.raises(TypeError, match="unknown"), coalition_settings(threads=2):
        pass


def test_cache_keys_follow_the_content() -> None:
    a = budgeted_projects(seed=1)
    assert a.cache_key() == budgeted_projects(seed=1).cache_key()
    assert a.cache_key() != budgeted_projects(seed=2).cache_key()
    assert content_key((1, "1"), "v") != content_key(("1", 1), "v")
    assert content_key(np.array([1.0]), "v") != content_key(np.array([1]), "v")
    assert content_key((1,), "v1") != content_key((1,), "v2")
