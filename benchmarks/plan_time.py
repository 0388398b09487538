"""Plan time benchmark (issue 14, "plans compiled once"): where ``fairpool solve`` spends its
time, with the plans solved by the compiled solver (``optimizer/plan_solver.py``) and, in the
same run, by Pyomo's persistent HiGHS interface (the baseline, patched in for the run).

    python benchmarks/plan_time.py            # shipped cases, generated n = 10, 12, 14
    python benchmarks/plan_time.py --quick    # shipped cases and n = 10 only
    python benchmarks/plan_time.py --repeat 3 # best of 3 runs per row

One table. Each row is one case, ``-j`` (processes solving coalition values) and solver, run
in a fresh process (``--no-cache``): reading the case, coalition values, allocations and
plan (the family's own ``timings``; nan where a family does not report one), the whole
``solve`` call, writing the results workbook, HiGHS's own clock over
the plan's runs (compiled solver only: the same model, the same runs), and the whole
command as ``fairpool solve`` runs it (start-up and imports included). Below it:
``fairpool demo`` and ``fairpool --help`` as subprocesses. Targets: plan time ≤ coalition
values at 14 parties and within 1.5× of HiGHS's clock; ``-j 2`` ≥ 1.6× on the whole
14-party solve; ``fairpool demo`` ≤ 1 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = Path(__file__).resolve().parents[1] / "cases"
SHIPPED = ("jingjinji_relocation", "river_program", "sichuan_zhejiang_park", "water_plant")
GENERATED = (10, 12, 14)
SOLVERS = ("compiled", "pyomo")

USE_PYOMO = "import fairpool.optimizer.solve as s; s.pyomo_solver = s.persistent_pyomo_solver; "
"""Prefix of a ``python -c`` program that sends every plan through Pyomo's persistent
interface (the baseline)."""


def measure_one(path: Path, workers: int, solver: str, folder: Path) -> dict[str, float]:
    """One ``fairpool solve`` done step by step in this process, timed (seconds)."""
    if solver == "pyomo":
        import fairpool.optimizer.solve as solve_module

        solve_module.pyomo_solver = solve_module.persistent_pyomo_solver
    from fairpool.models import family_of
    from fairpool.optimizer.coalitions import coalition_settings
    from fairpool.optimizer.plan_solver import plan_highs_seconds
    from fairpool.reports.excel import write_results_workbook

    started = time.perf_counter()
    family = family_of(path)
    case = family.read_case(path)
    reading = time.perf_counter() - started
    started = time.perf_counter()
    with coalition_settings(workers=workers, cache=None):
        result = family.solve(case)
    solving = time.perf_counter() - started
    started = time.perf_counter()
    write_results_workbook(result, folder / f"{path.stem}_results.xlsx")
    workbook = time.perf_counter() - started
    timings = dict(result.timings)
    return {
        "reading": reading,
        "coalition_values": timings.get("coalition_values", float("nan")),
        "allocations": timings.get("allocations", float("nan")),
        "plan": timings.get("plan", float("nan")),
        "solve": solving,
        "workbook": workbook,
        "highs_plan": plan_highs_seconds() if solver == "compiled" else float("nan"),
    }


def run_one(path: Path, workers: int, solver: str, repeat: int) -> dict[str, float]:
    """Best of ``repeat`` fresh processes for the step breakdown, and best of ``repeat``
    whole ``fairpool solve`` commands."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, __file__, "--one", str(path), "--workers", str(workers)]
            output = subprocess.run(
                [*command, "--solver", solver, "--folder", folder],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        row = json.loads(output.splitlines()[-1])
        best = row if not best else {k: min(v, row[k]) for k, v in best.items()}
    whole = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            arguments = ["solve", str(path), "--no-cache", "-j", str(workers), "-o", folder]
            whole.append(command_seconds(arguments, solver))
    best["command"] = min(whole)
    return best


def command_seconds(arguments: list[str], solver: str = "compiled") -> float:
    """Wall-clock seconds of one ``fairpool`` command in a fresh process."""
    prefix = USE_PYOMO if solver == "pyomo" else ""
    program = (
        f"{prefix}import sys; from fairpool.cli import main; "
        "sys.argv = ['fairpool', *sys.argv[1:]]; main()"
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", program, *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def generated_case(folder: Path, parties: int) -> Path:
    """The generated infrastructure case of ``parties`` parties (seed 0)."""
    from fairpool.models.infrastructure.generate import write_generated_workbook

    return write_generated_workbook(folder / f"infrastructure_{parties}.xlsx", parties, 0)


COLUMNS = (
    "reading",
    "coalition_values",
    "allocations",
    "plan",
    "highs_plan",
    "solve",
    "workbook",
    "command",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="generated n = 10 only")
    parser.add_argument("--repeat", type=int, default=1, help="best of R runs per row")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--solver", choices=SOLVERS, default="compiled", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:  # a child process: one measured solve, one JSON line
        print(json.dumps(measure_one(args.one, args.workers, args.solver, args.folder)))
        return
    with tempfile.TemporaryDirectory() as folder:
        paths = [CASES / f"{name}.xlsx" for name in SHIPPED]
        sizes = GENERATED[:1] if args.quick else GENERATED
        paths += [generated_case(Path(folder), n) for n in sizes]
        print(f"{'case':<28} {'-j':>2} {'solver':<8} " + " ".join(f"{c:>16}" for c in COLUMNS))
        for path in paths:
            for workers in (1, 2):
                for solver in SOLVERS:
                    row = run_one(path, workers, solver, args.repeat)
                    cells = " ".join(f"{row[c]:>16.3f}" for c in COLUMNS)
                    print(f"{path.stem:<28} {workers:>2} {solver:<8} {cells}", flush=True)
        with tempfile.TemporaryDirectory() as demo:
            command_seconds(["demo", "-o", demo, "--force"])  # warm the coalition cache
            for solver in SOLVERS:
                seconds = min(
                    command_seconds(["demo", "-o", demo, "--force"], solver)
                    for _ in range(args.repeat)
                )
                print(f"fairpool demo ({solver}): {seconds:.3f} s")
        seconds = min(command_seconds(["--help"]) for _ in range(args.repeat))
        print(f"fairpool --help: {seconds:.3f} s")


if __name__ == "__main__":
    main()
