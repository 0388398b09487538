"""The coalition engine when the machine interferes: a worker process killed mid-run ends the
run with a clear error (no wait for an answer that cannot come), keeps every value solved
before in the cache, and the next run resumes; Ctrl-C to a terminal's process group prints one
line and no worker traceback.

Timeouts here only guard against a hang (the failure these tests exist for); no assertion
depends on how long anything took.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from fairpool.optimizer.coalitions import CoalitionEngine, coalition_values
from fairpool.optimizer.coalitions.workers import WorkerDied, how_it_ended
from tests.optimizer.coalition_models import SlowFormula

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 120
"""Seconds after which a run is taken to hang (a run here takes a few seconds)."""

PLAYERS = tuple("ABCDEFGH")


def _dying_model(mark: Path) -> SlowFormula:
    """255 coalitions; the worker that gets mask 1 (its first task, chunk 1 + 2 + 3) dies."""
    return SlowFormula(
        PLAYERS, tuple(range(8)), delay=0.002, worker_dies_at=1, death_mark=str(mark)
    )


def test_a_killed_worker_stops_the_run_with_a_clear_error_and_the_next_run_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "coalitions.sqlite"
    mark = tmp_path / "died"
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from fairpool.optimizer.coalitions import coalition_values, engine
        from fairpool.optimizer.errors import SolverError
        from tests.optimizer.coalition_models import SlowFormula
        engine.PARALLEL_FROM_SECONDS = 0.0  # start the worker however short the work
        model = SlowFormula(
            {PLAYERS!r}, tuple(range(8)), delay=0.002, worker_dies_at=1,
            death_mark={str(mark)!r},
        )
        try:
            coalition_values(model, workers=2, cache={str(cache)!r})
        except SolverError as error:
            print(error)
            sys.exit(error.exit_code)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert mark.exists(), "the worker did not reach the coalition it dies at"
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr
    message = run.stdout.strip()
    assert message.startswith("a worker process died (signal 9, SIGKILL"), message
    assert "out of memory" in message and "run again to resume" in message
    assert "while solving 3 coalitions" in message
    with sqlite3.connect(cache) as db:
        stored = dict(db.execute("SELECT mask, value FROM coalition_values").fetchall())
    said = re.search(r"([\d,]+) coalition values are in the cache", message)
    assert said is not None and int(said.group(1).replace(",", "")) == len(stored)
    assert 0 < len(stored) <= 252 and not {1, 2, 3} & set(stored)
    exact = coalition_values(SlowFormula(PLAYERS, tuple(range(8))))
    assert all(exact[mask] == value for mask, value in stored.items())

    from fairpool.optimizer.coalitions import engine

    monkeypatch.setattr(engine, "PARALLEL_FROM_SECONDS", 0.0)
    with CoalitionEngine(_dying_model(mark), workers=2, cache=cache) as resumed:
        values = resumed.values()
        assert (resumed.cached, resumed.solved) == (len(stored), 255 - len(stored))
    assert np.array_equal(values, exact)


def test_a_worker_dying_in_this_process_raises_solver_error_and_a_new_pool_follows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a cache the message says the values are not kept; the same engine, asked
    again, starts new workers and finishes (the mark stops a second death)."""
    from fairpool.optimizer.coalitions import engine
    from fairpool.optimizer.errors import SolverError

    monkeypatch.setattr(engine, "PARALLEL_FROM_SECONDS", 0.0)
    model = _dying_model(tmp_path / "died")
    with CoalitionEngine(model, workers=2) as run:
        with pytest.raises(SolverError, match="no cache is in use") as raised:
            run.values()
        assert isinstance(raised.value.__cause__, WorkerDied)
        assert raised.value.__cause__.masks.tolist() == [1, 2, 3]
        values = run.values()
    assert np.array_equal(values, coalition_values(SlowFormula(PLAYERS, tuple(range(8)))))


@pytest.mark.parametrize(
    ("exitcode", "words"),
    [
        (-signal.SIGKILL, "died (signal 9, SIGKILL: killed, perhaps by the system when out of"),
        (-signal.SIGSEGV, "died (signal 11, SIGSEGV)"),
        (1, "exited with code 1"),
        (None, "stopped answering"),
    ],
)
def test_how_a_worker_ended_is_said_in_words(exitcode: int | None, words: str) -> None:
    assert how_it_ended(exitcode).startswith(words)


def _fairpool() -> list[str]:
    """The installed ``fairpool`` command (or the same entry point through this Python)."""
    script = Path(sys.executable).parent / "fairpool"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from fairpool.cli import main; main()"]


def _half_done(stderr: bytes) -> bool:
    """Whether the last progress report ("coalitions 1,234/4,096") is half-way or further."""
    reports = re.findall(rb"coalitions ([\d,]+)/([\d,]+)", stderr)
    if not reports:
        return False
    done, total = (int(number.replace(b",", b"")) for number in reports[-1])
    return 2 * done >= total


def test_ctrl_c_to_the_process_group_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    """SIGINT to the whole group (as a terminal sends it) while two processes solve."""
    from fairpool.cases.generated import write_generated_infrastructure_case

    workbook = write_generated_infrastructure_case(
        tmp_path / "generated.xlsx", parties=12, projects=40, seed=0
    )
    command = [*_fairpool(), "coalitions", str(workbook), "-j", "2"]
    command += ["--cache", str(tmp_path / "c.sqlite")]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stderr is not None
    stderr = b""
    try:
        # half-way through both processes solve (the worker starts after the first task)
        while not _half_done(stderr):
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, f"the run ended before it was interrupted: {stderr.decode()}"
            stderr += chunk
        os.killpg(process.pid, signal.SIGINT)
        stderr += process.stderr.read()
        process.wait(timeout=HANG_GUARD)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = stderr.decode()
    assert process.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    lines = [line.strip() for line in re.split(r"[\r\n]", text)]
    messages = [line for line in lines if line and not line.startswith("coalitions ")]
    assert messages == ["interrupted: coalition values solved so far stay in the cache"]
