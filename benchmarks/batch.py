"""Batch benchmark: 50 small generated cases in one ``fairpool batch -j 2`` against 50
separate ``fairpool solve`` processes, all timed in the same run.

    python benchmarks/batch.py                # 50 cases, one round (about 4 minutes on 2 cores)
    python benchmarks/batch.py --cases 10     # a quick look
    python benchmarks/batch.py --repeat 3     # medians of 3 rounds

The cases: half joint parks (``cases.build_cases.generated_park``: 3 parties, 3 streams,
8 years, 5 components) and half infrastructure programmes
(``cases.generated.write_generated_infrastructure_case``: 3 parties, 6 projects, 10 years),
seeded, written as workbooks into a temporary folder. Every command runs with ``--no-cache``,
so each one solves every coalition (no run profits from another's cache).

Rows, in one round, each a whole process (or processes) timed from outside:

(a) ``fairpool batch DIR -o OUT -j 2``: one command, cases on two worker processes;
(b) ``fairpool batch DIR -o OUT -j 1``: one command, cases one after another in its process;
(c) 50 × ``fairpool solve CASE -o OUT --json``, one after another (a shell loop);
(d) the same 50 solves, two at a time (as ``xargs -P 2`` would run them);
(e) the alternative to a pool of cases, in one process: cases one after another, each with the
    coalition engine's 2 workers (``coalition_settings(workers=2)``), as a library call.

The ratio asked for is (c)/(a); (d)/(a) is the comparison at the same parallelism. Ratios
are taken per round and their median shown (the machine's load drifts between rounds).
The grand value v(N) of every case is compared between (a) (its ``summary.csv``) and (c)
(``solve --json``): the batch must give the single-case answers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from fairpool.cases.build_cases import generated_park
from fairpool.cases.generated import write_generated_infrastructure_case
from fairpool.models import joint_park

FAIRPOOL = [sys.executable, "-m", "fairpool.cli"]
"""The command line of ``fairpool`` (the console script's entry point, in this Python)."""


def write_cases(folder: Path, count: int) -> list[Path]:
    """``count`` small generated cases, half joint parks, half infrastructure programmes."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(count):
        if number % 2 == 0:
            settings, rows = generated_park(3, 3, 8, 5, seed=number)
            path = joint_park.write_case(folder / f"park_{number:02d}.xlsx", settings, rows)
        else:
            path = write_generated_infrastructure_case(
                folder / f"programme_{number:02d}.xlsx", 3, 6, seed=number, years=10
            )
        written.append(Path(path))
    return written


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(arguments: list[str]) -> str:
    """Run a command; its stdout (a failure ends the benchmark with its stderr)."""
    done = subprocess.run(arguments, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} exited with {done.returncode}:\n{done.stderr}")
    return done.stdout


def batch(folder: Path, out: Path, jobs: int) -> None:
    run([*FAIRPOOL, "batch", str(folder), "-o", str(out), "-j", str(jobs), "--no-cache"])


def solves(cases: list[Path], out: Path, at_once: int, values: dict[str, float]) -> None:
    """``fairpool solve --json`` of every case, ``at_once`` at a time; {case: v(N)} into
    ``values``."""

    def one(case: Path) -> None:
        printed = run([*FAIRPOOL, "solve", str(case), "-o", str(out), "--no-cache", "--json"])
        values[case.name] = float(json.loads(printed)["grand_value"])

    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(one, cases))


def engine_workers(cases: list[Path], out: Path) -> None:
    """(e): one process, each case's coalitions on the engine's 2 workers."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from fairpool.models import family_of\n"
        "from fairpool.optimizer.coalitions import coalition_settings\n"
        "from fairpool.reports.excel import write_results_workbook\n"
        "out = Path(sys.argv[1])\n"
        "with coalition_settings(workers=2, cache=None):\n"
        "    for name in sys.argv[2:]:\n"
        "        family = family_of(name)\n"
        "        result = family.solve(family.read_case(name))\n"
        "        write_results_workbook(result, out / (Path(name).stem + '_results.xlsx'))\n"
    )
    out.mkdir(parents=True, exist_ok=True)
    script = out / "engine_workers.py"  # spawned workers re-import the main file
    script.write_text(code, encoding="utf-8")
    run([sys.executable, str(script), str(out), *map(str, cases)])


def batch_grand_values(out: Path) -> dict[str, float]:
    """{case: v(N)} from a batch's ``summary.csv``."""
    with (out / "summary.csv").open(encoding="utf-8", newline="") as file:
        return {row["Case"]: float(row["Grand value"]) for row in csv.DictReader(file)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50, help="generated cases (default 50)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; medians are shown")
    options = parser.parse_args()
    # commands are timed as an installed fairpool runs them: from byte-compiled modules (a
    # shell with PYTHONDONTWRITEBYTECODE set would make every process compile fairpool anew)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    with tempfile.TemporaryDirectory(prefix="fairpool-batch-bench-") as scratch:
        root = Path(scratch)
        cases = write_cases(root / "cases", options.cases)
        rows: dict[str, list[float]] = {key: [] for key in "abcde"}
        for round_number in range(options.repeat):
            here = root / f"round{round_number}"
            rows["a"].append(timed(partial(batch, root / "cases", here / "a", 2)))
            rows["b"].append(timed(partial(batch, root / "cases", here / "b", 1)))
            solve_values: dict[str, float] = {}
            rows["c"].append(timed(partial(solves, cases, here / "c", 1, solve_values)))
            rows["d"].append(timed(partial(solves, cases, here / "d", 2, {})))
            rows["e"].append(timed(partial(engine_workers, cases, here / "e")))
            print(
                f"round {round_number + 1}: "
                + ", ".join(f"({key}) {values[-1]:.1f} s" for key, values in rows.items()),
                file=sys.stderr,
            )
            batch_values = batch_grand_values(here / "a")
            if batch_values.keys() != solve_values.keys() or any(
                abs(batch_values[k] - solve_values[k]) > 1e-9 * max(1.0, abs(solve_values[k]))
                for k in solve_values
            ):
                raise SystemExit("the batch's grand values differ from those of solve")

    median = {key: statistics.median(values) for key, values in rows.items()}
    ratio = {  # per round, then the median: each ratio's two runs are minutes apart at most
        key: statistics.median(x / a for x, a in zip(values, rows["a"], strict=True))
        for key, values in rows.items()
    }
    n = options.cases
    labels = {
        "a": f"fairpool batch -j 2 ({n} cases, one command)",
        "b": f"fairpool batch -j 1 ({n} cases, one process)",
        "c": f"{n} × fairpool solve, one after another",
        "d": f"{n} × fairpool solve, two at a time",
        "e": f"{n} cases in one process, engine --workers 2",
    }
    rounds = options.repeat
    print(f"{n} generated cases, {rounds} round(s) of every row; medians (same run)\n")
    print("| run | seconds | per case | ÷ (a), per round |\n|---|---:|---:|---:|")
    for key, label in labels.items():
        print(f"| ({key}) {label} | {median[key]:.1f} | {median[key] / n:.2f} | {ratio[key]:.2f} |")
    print(f"\nratio (c)/(a), separate solves over one batch -j 2: {ratio['c']:.1f}")
    print(f"ratio (d)/(a), two solves at a time over batch -j 2: {ratio['d']:.1f}")
    print("grand values of every case: batch = solve")


if __name__ == "__main__":
    main()
