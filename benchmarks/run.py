"""Engine benchmark: fairpool against coopgame-py (a Rust TU-game library) in the same run.

    pip install -e '.[bench]'        # coopgame-py, a benchmark-only dependency
    python benchmarks/run.py         # full table (about two minutes on 2 cores)
    python benchmarks/run.py --quick # smaller games, for a smoke run

Every row times both tools on the same game in the same process (best of ``--repeat``
runs), so the ratio column holds on a noisy machine even when the seconds do not. Targets
(issue 2): Shapley at n = 20 no slower than coopgame-py; nucleolus at n = 18 and 20 within
1.5× of coopgame-py; ``fairpool game`` on a 2^20-row CSV no slower end to end than pandas +
coopgame-py on the same file; ``fairpool --help`` under 0.5 s. fairpool's nucleolus time
includes its Kohlberg verification; coopgame-py's does not verify.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

from fairpool.optimizer.game import Game, coalition_label, coalition_sizes, coalition_sums
from fairpool.optimizer.solutions.nucleolus import nucleolus
from fairpool.optimizer.solutions.shapley import shapley

try:
    import coopgame
except ImportError:  # pragma: no cover - the bench extra is missing
    sys.exit("coopgame-py is missing: pip install -e '.[bench]'")


def best_time(function: Callable[[], object], repeat: int) -> float:
    """Best wall-clock time of ``repeat`` calls (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def random_game(n: int, seed: int) -> np.ndarray:
    """v(S) = |S|^1.3 · U(0.8, 1.2): superadditive on average, many nucleolus stages."""
    rng = np.random.default_rng(seed)
    values = coalition_sizes(n).astype(np.float64) ** 1.3 * rng.uniform(0.8, 1.2, 1 << n)
    values[0] = 0.0
    return values


def convex_game(n: int, seed: int) -> np.ndarray:
    """v(S) = |S|² + Σ_{i∈S} w_i with w ~ U(0, 5): supermodular."""
    weights = np.random.default_rng(seed).uniform(0, 5, n)
    return coalition_sizes(n).astype(np.float64) ** 2 + coalition_sums(weights)


def engine_rows(sizes: list[int], repeat: int) -> list[tuple[str, float, float]]:
    rows = []
    n_shapley = max(sizes)
    values = random_game(n_shapley, seed=1)
    game = Game([f"P{i}" for i in range(n_shapley)], values)
    reference = coopgame.Game(values[1:].tolist())
    ours = best_time(lambda: shapley(game), repeat)
    theirs = best_time(lambda: coopgame.shapley(reference), repeat)
    rows.append((f"Shapley, n = {n_shapley}", ours, theirs))
    for kind, make in (("random", random_game), ("convex", convex_game)):
        for n in sizes:
            values = make(n, seed=n)
            game = Game([f"P{i}" for i in range(n)], values)
            reference = coopgame.Game(values[1:].tolist())
            ours = best_time(lambda: nucleolus(game), repeat)  # noqa: B023
            theirs = best_time(lambda: coopgame.nucleolus(reference), repeat)  # noqa: B023
            expected = np.array(coopgame.nucleolus(reference)["allocation"])
            gap = np.max(np.abs(nucleolus(game).shares - expected))
            assert gap < 1e-6 * max(1.0, np.abs(values).max()), f"nucleolus differs by {gap}"
            rows.append((f"nucleolus, {kind}, n = {n}", ours, theirs))
    return rows


BASELINE_SCRIPT = """
import sys, pandas as pd, numpy as np, coopgame
table = pd.read_csv(sys.argv[1], dtype={"coalition": str})
players = [label for label in table["coalition"] if "+" not in label]
bit = {p: 1 << i for i, p in enumerate(players)}
masks = [sum(bit[p.strip()] for p in label.split("+")) for label in table["coalition"]]
values = np.zeros(1 << len(players))
values[masks] = table["value"].to_numpy()
game = coopgame.Game(values[1:].tolist())
print(coopgame.shapley(game), coopgame.nucleolus(game)["allocation"])
"""


def write_game_csv(path: Path, n: int) -> None:
    """A 2^n − 1 row explicit game file, singletons first (so both readers see the ids)."""
    players = [f"R{i:02d}" for i in range(n)]
    values = random_game(n, seed=7)
    masks = sorted(range(1, 1 << n), key=lambda m: (bin(m).count("1"), m))
    with path.open("w", encoding="utf-8") as out:
        out.write("coalition,value\n")
        for mask in masks:
            out.write(f"{coalition_label(players, mask)},{float(values[mask])!r}\n")


def command_time(command: list[str], repeat: int) -> float:
    def run() -> None:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    return best_time(run, repeat)


def cli_rows(n: int, repeat: int) -> list[tuple[str, float, float]]:
    fairpool = shutil.which("fairpool") or str(Path(sys.executable).parent / "fairpool")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "game.csv"
        write_game_csv(csv, n)
        ours = command_time(
            [fairpool, "game", str(csv), "--method", "shapley", "--method", "nucleolus", "--json"],
            repeat,
        )
        script = Path(folder) / "baseline.py"
        script.write_text(BASELINE_SCRIPT, encoding="utf-8")
        theirs = command_time([sys.executable, str(script), str(csv)], repeat)
        rows.append((f"`fairpool game` end to end, 2^{n}-row CSV", ours, theirs))
    help_time = command_time([fairpool, "--help"], max(repeat, 5))
    python_time = command_time([sys.executable, "-c", "pass"], max(repeat, 5))
    rows.append(("`fairpool --help` (baseline: bare `python -c pass`)", help_time, python_time))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="n = 12/14/16, one repeat")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # commands are timed as an installed fairpool runs them: from byte-compiled modules (a
    # shell with PYTHONDONTWRITEBYTECODE set would make every process compile fairpool anew)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sizes = [12, 14, 16] if args.quick else [16, 18, 20]
    repeat = 1 if args.quick else args.repeat
    os.environ.setdefault("PYTHONHASHSEED", "0")
    rows = engine_rows(sizes, repeat) + cli_rows(max(sizes), repeat)
    print("| what | fairpool (s) | baseline (s) | fairpool / baseline |")
    print("|---|---:|---:|---:|")
    for what, ours, theirs in rows:
        print(f"| {what} | {ours:.3f} | {theirs:.3f} | {ours / theirs:.2f} |")
    print(f"\nbaseline: coopgame-py {version('coopgame-py')} in the same run")


if __name__ == "__main__":
    main()
