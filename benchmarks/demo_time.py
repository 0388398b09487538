"""Where ``fairpool demo`` spends its time (issue 14: the demo's goal is 1 s).

    python benchmarks/demo_time.py             # 7 rounds, medians and spreads
    python benchmarks/demo_time.py --rounds 3

One table. Each round runs, in fresh processes: the whole ``fairpool demo`` command (start-up
included), ``python -c pass`` (the interpreter alone: the floor under any command), and the
demo's steps one after another in one process, each timed: importing what the demo imports,
reading the case, solving it (coalition values, the plan and the plan to sign), the results
workbook, the HTML report (its ratio explorer: 24 exact sweeps, each with its core band and
band within the rules) and the text. Medians over the rounds, with the spread (min–max).
The coalition cache is off (``--no-cache`` has no meaning for the demo: it never uses one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = ("imports", "reading", "solve", "workbook", "html_report", "text")


def measure_steps(folder: Path) -> dict[str, float]:
    """The demo's steps in this (fresh) process, as ``cli.demo`` runs them (seconds)."""
    started = time.perf_counter()
    from fairpool.cases import case_path
    from fairpool.commands.outputs import report_request, write_reports
    from fairpool.commands.simple import demo_options, plan_to_sign
    from fairpool.models import family
    from fairpool.reports.excel import write_results_workbook
    from fairpool.reports.text import render_case_result

    seconds = {"imports": time.perf_counter() - started}
    started = time.perf_counter()
    source = case_path("sichuan_zhejiang_park.xlsx")
    park = family("joint_park")
    case = park.read_case(source)
    seconds["reading"] = time.perf_counter() - started
    started = time.perf_counter()
    result = park.solve(case, **demo_options())
    seconds["solve"] = time.perf_counter() - started
    started = time.perf_counter()
    write_results_workbook(result, folder / "demo_results.xlsx")
    seconds["workbook"] = time.perf_counter() - started
    started = time.perf_counter()
    request = report_request(folder / "demo_report.html", None, None, False)
    write_reports(request, park, case, result)
    seconds["html_report"] = time.perf_counter() - started
    started = time.perf_counter()
    render_case_result(result)
    plan_to_sign(result)
    seconds["text"] = time.perf_counter() - started
    return seconds


def wall(command: list[str]) -> float:
    """Wall-clock seconds of one process."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def one_round() -> dict[str, float]:
    """Every figure of the table once, each in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        program = "from fairpool.cli import main; main()"
        row = {"command": wall([sys.executable, "-c", program, "demo", "-o", folder])}
    row["interpreter"] = wall([sys.executable, "-c", "pass"])
    with tempfile.TemporaryDirectory() as folder:
        output = subprocess.run(
            [sys.executable, __file__, "--steps", folder],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    row.update(json.loads(output.splitlines()[-1]))
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds (medians, spreads)")
    parser.add_argument("--steps", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # commands are timed as an installed fairpool runs them: from byte-compiled modules (a
    # shell with PYTHONDONTWRITEBYTECODE set would make every process compile fairpool anew)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.steps is not None:  # a child process: the steps timed, one JSON line
        print(json.dumps(measure_steps(args.steps)))
        return
    rounds = [one_round() for _ in range(args.rounds)]
    print(f"fairpool demo, {args.rounds} rounds (seconds: median, min–max)")
    print(f"{'what':<34} {'median':>8} {'spread':>15}")
    for name in ("command", "interpreter", *STEPS):
        values = [r[name] for r in rounds]
        spread = f"{min(values):.3f}–{max(values):.3f}"
        print(f"{name:<34} {statistics.median(values):>8.3f} {spread:>15}")
    summed = [sum(r[s] for s in STEPS) for r in rounds]
    print(f"{'steps summed (in one process)':<34} {statistics.median(summed):>8.3f}")


if __name__ == "__main__":
    main()
