"""Explicit-game benchmark: ``fairpool game`` on full coalition tables of 16–24 parties against
pandas + coopgame-py, whole command and library level, time and peak memory, same run.

    pip install -e '.[bench]'                       # coopgame-py, a benchmark-only dependency
    python benchmarks/engine_io.py                  # n = 16, 18, 20, 22, 24 (about 15 minutes)
    python benchmarks/engine_io.py --sizes 16 18 20 --repeat 3
    python benchmarks/engine_io.py --folder /tmp/tables   # keep the generated CSVs (n = 24: 1.1 GB)

The table of each n is the random game v(S) = |S|^1.3 · U(0.8, 1.2) written as a full
``coalition,value`` CSV (2^n − 1 rows, singletons first so that the peer finds the ids,
values as Python writes them: 16–17 significant digits). Rows:

* whole command, each a fresh process timed from outside with its peak resident memory
  (``os.wait4``): ``fairpool game FILE --method M --json`` against a script that reads the
  file with pandas, turns the labels into masks with a loop over the rows (the usual way)
  and calls coopgame-py's M; for M = shapley and nucleolus;
* library level, in this process: reading (``read_game_file`` against ``pandas.read_csv``
  and the same label loop), Shapley (fairpool's folding against coopgame-py, and the
  two-sum form fairpool used before, for the record), nucleolus (fairpool's, verified by
  Kohlberg's criterion, against coopgame-py's, which does not verify).

Each row runs ``--repeat`` rounds, both sides in each round; the table gives the medians,
the ratio of the medians and the spread of the per-round ratios (min–max). Both sides'
answers are compared (Shapley to 1e-9, nucleolus to 1e-6 of the largest value).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from fairpool.optimizer.game import Game, coalition_label, coalition_sizes
from fairpool.optimizer.solutions.nucleolus import nucleolus
from fairpool.optimizer.solutions.shapley import shapley_values, shapley_weights
from fairpool.optimizer.workbook.explicit import read_game_file

try:
    import coopgame
except ImportError:  # pragma: no cover - the bench extra is missing
    sys.exit("coopgame-py is missing: pip install -e '.[bench]'")

PEER_SCRIPT = """
import sys, json, numpy as np, pandas as pd, coopgame
table = pd.read_csv(sys.argv[1], dtype={"coalition": str})
players = [label for label in table["coalition"] if "+" not in label]
bit = {p: 1 << i for i, p in enumerate(players)}
masks = [sum(bit[p.strip()] for p in label.split("+")) for label in table["coalition"]]
values = np.zeros(1 << len(players))
values[masks] = table["value"].to_numpy()
game = coopgame.Game(values[1:].tolist())
if sys.argv[2] == "shapley":
    shares = coopgame.shapley(game)
else:
    shares = coopgame.nucleolus(game)["allocation"]
print(json.dumps(list(shares)))
"""


def random_game(n: int, seed: int = 7) -> np.ndarray:
    """v(S) = |S|^1.3 · U(0.8, 1.2) (as benchmarks/run.py): many nucleolus stages."""
    rng = np.random.default_rng(seed)
    values = coalition_sizes(n).astype(np.float64) ** 1.3 * rng.uniform(0.8, 1.2, 1 << n)
    values[0] = 0.0
    return values


def write_table(path: Path, n: int) -> None:
    """The full table of :func:`random_game`, singletons first (then by size, then mask)."""
    players = [f"R{i:02d}" for i in range(n)]
    values = random_game(n)
    masks = np.arange(1, 1 << n, dtype=np.int64)
    masks = masks[np.lexsort((masks, coalition_sizes(n)[1:]))]
    low = min(n, 12)
    low_labels = [coalition_label(players[:low], m) for m in range(1 << low)]
    high_labels = [coalition_label(players[low:], m) for m in range(1 << (n - low))]
    with path.open("w", encoding="utf-8") as out:
        out.write("coalition,value\n")
        for start in range(0, masks.size, 1 << 18):
            part = masks[start : start + (1 << 18)]
            lines = []
            for mask, value in zip(part.tolist(), values[part].tolist(), strict=True):
                a, b = low_labels[mask & ((1 << low) - 1)], high_labels[mask >> low]
                lines.append(f"{a}+{b}" if a and b else a or b)
                lines.append(f",{value!r}\n")
            out.write("".join(lines))


@dataclass
class Row:
    what: str
    ours: list[float]
    theirs: list[float]
    ours_memory: float | None = None  # MiB
    theirs_memory: float | None = None

    def cells(self) -> list[str]:
        ratios = [a / b for a, b in zip(self.ours, self.theirs, strict=True)]
        ours, theirs = statistics.median(self.ours), statistics.median(self.theirs)
        memory = (
            f"{self.ours_memory:,.0f} / {self.theirs_memory:,.0f}"
            if self.ours_memory is not None and self.theirs_memory is not None
            else "–"
        )
        return [
            self.what,
            _seconds(ours),
            _seconds(theirs),
            f"{ours / theirs:.2f}",
            f"{min(ratios):.2f}–{max(ratios):.2f}",
            memory,
        ]


def _seconds(value: float) -> str:
    return f"{value:.4f}" if value < 0.1 else f"{value:.2f}"


LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
sys.stderr.write(f"\\nMAXRSS_KB {usage.ru_maxrss} SECONDS {elapsed}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs a command and reports its peak resident memory. A small process forks it: a child's
``ru_maxrss`` starts at the RSS of the process it was forked from (Linux keeps the old
memory's high-water mark across exec), so forking from this large process would inflate it."""


def run_process(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds (fork to exit), peak resident MiB and stdout of one process, as the
    small launcher measures them (see :data:`LAUNCHER`)."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    report = done.stderr.rsplit("MAXRSS_KB ", 1)[1].split()
    return float(report[2]), int(report[0]) / 1024, done.stdout


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def two_sum_shapley(values: np.ndarray, n: int) -> np.ndarray:
    """φ as fairpool computed it before the folding: n passes with fresh temporaries."""
    mask_weights = shapley_weights(n)[coalition_sizes(n)]
    phi = np.empty(n)
    for i in range(n):
        pairs = values.reshape(-1, 2, 1 << i)
        without_i = mask_weights.reshape(-1, 2, 1 << i)[:, 0, :]
        phi[i] = np.einsum("ij,ij->", without_i, pairs[:, 1, :] - pairs[:, 0, :])
    return phi


def peer_read(path: Path) -> np.ndarray:
    """The peer's reading: pandas, then one loop over the labels."""
    import pandas as pd

    table = pd.read_csv(path, dtype={"coalition": str})
    players = [label for label in table["coalition"] if "+" not in label]
    bit = {p: 1 << i for i, p in enumerate(players)}
    masks = [sum(bit[p.strip()] for p in label.split("+")) for label in table["coalition"]]
    values = np.zeros(1 << len(players))
    values[masks] = table["value"].to_numpy()
    return values


def command_rows(path: Path, n: int, repeat: int, script: Path) -> list[Row]:
    fairpool = shutil.which("fairpool") or str(Path(sys.executable).parent / "fairpool")
    rows = []
    for method in ("shapley", "nucleolus"):
        row = Row(f"`fairpool game --method {method}`, n = {n}", [], [], 0.0, 0.0)
        for _ in range(repeat):
            ours, our_peak, out = run_process(
                [fairpool, "game", str(path), "--method", method, "--json"]
            )
            theirs, their_peak, peer_out = run_process(
                [sys.executable, str(script), str(path), method]
            )
            row.ours.append(ours)
            row.theirs.append(theirs)
            row.ours_memory = max(row.ours_memory or 0.0, our_peak)
            row.theirs_memory = max(row.theirs_memory or 0.0, their_peak)
        document = json.loads(out)
        shares = np.array(list(document["solutions"][method].values()))
        expected = np.array(json.loads(peer_out))
        gap = float(np.abs(shares - expected).max())
        assert gap < 1e-6 * n**1.3 * 1.2, f"{method} differs from coopgame-py by {gap}"
        rows.append(row)
    return rows


def library_rows(path: Path, n: int, repeat: int, nucleolus_peer: bool) -> list[Row]:
    read = Row(f"read the CSV, n = {n}", [], [])
    for _ in range(repeat):
        ours, game = timed(lambda: read_game_file(path))
        theirs, values = timed(lambda: peer_read(path))
        read.ours.append(ours)
        read.theirs.append(theirs)
    assert isinstance(game, Game) and np.array_equal(game.values, values)
    values = game.values
    reference = coopgame.Game(values[1:].tolist())
    folding = Row(f"Shapley, n = {n}", [], [])
    before = Row(f"Shapley, n = {n}: folding / the two-sum form used before", [], [])
    for _ in range(repeat):
        ours, phi = timed(lambda: shapley_values(values, n))
        theirs, expected = timed(lambda: coopgame.shapley(reference))
        old, old_phi = timed(lambda: two_sum_shapley(values, n))
        folding.ours.append(ours)
        folding.theirs.append(theirs)
        before.ours.append(ours)
        before.theirs.append(old)
    assert np.abs(np.asarray(phi) - np.asarray(expected)).max() < 1e-9 * np.abs(values).max()
    assert np.abs(np.asarray(phi) - np.asarray(old_phi)).max() < 1e-9 * np.abs(values).max()
    rows = [read, folding, before]
    if nucleolus_peer:
        row = Row(f"nucleolus, n = {n}", [], [])
        for _ in range(repeat):
            ours, result = timed(lambda: nucleolus(game))
            theirs, peer = timed(lambda: coopgame.nucleolus(reference))
            row.ours.append(ours)
            row.theirs.append(theirs)
        gap = np.abs(result.shares - np.array(peer["allocation"])).max()
        assert gap < 1e-6 * np.abs(values).max(), f"nucleolus differs by {gap}"
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 18, 20, 22, 24])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--repeat-large", type=int, default=1, help="rounds at n ≥ 24 (the peer takes minutes)"
    )
    parser.add_argument("--folder", type=Path, help="keep the generated tables here")
    parser.add_argument(
        "--library-nucleolus-up-to", type=int, default=22, help="coopgame-py nucleolus in process"
    )
    args = parser.parse_args()
    # commands are timed as an installed fairpool runs them: from byte-compiled modules (a
    # shell with PYTHONDONTWRITEBYTECODE set would make every process compile fairpool anew)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    temporary = None
    folder = args.folder
    if folder is None:
        temporary = tempfile.TemporaryDirectory(prefix="fairpool-engine-io-")
        folder = Path(temporary.name)
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "peer.py"
    script.write_text(PEER_SCRIPT, encoding="utf-8")
    rows: list[Row] = []
    try:
        for n in args.sizes:
            path = folder / f"random_{n}.csv"
            if not path.exists():
                write_table(path, n)
            repeat = args.repeat if n < 24 else args.repeat_large
            rows += command_rows(path, n, repeat, script)
            rows += library_rows(path, n, repeat, n <= args.library_nucleolus_up_to)
            print(f"n = {n} done", file=sys.stderr)
    finally:
        if temporary is not None:
            temporary.cleanup()
    head = ["what", "fairpool (s)", "peer (s)", "ratio", "ratio spread", "peak MiB (ours / peer)"]
    print("| " + " | ".join(head) + " |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    print(
        f"\npeer: pandas {version('pandas')} + coopgame-py {version('coopgame-py')}, same run; "
        "medians of the rounds; ratio = fairpool / peer (< 1: fairpool faster)"
    )


if __name__ == "__main__":
    main()
