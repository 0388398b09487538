"""Constraint generation against enumeration, on generated cases of every family (issue 13).

One command, one table::

    python benchmarks/generation.py                      # n = 10, 15, 20, 30, 40
    python benchmarks/generation.py --sizes 10 12 --families infrastructure

For each family and size: a generated case (``models/<family>/generate.py``, seed 1), its
separation oracle (:func:`fairpool.models.large.case_oracle`), then

* ``check``: one separation on the equal split of v(N) (c(N)), the worst coalition re-solved;
* ``least core``: ε* by generation (rounds, rows);
* ``nucleolus``: by generation with its certificate (stages, rounds, rows, separations);

with the seconds of each, the HiGHS seconds inside the separation MILPs, and, up to
``--enumerate-up-to`` parties (default 14), the same run's enumeration: every coalition value
by the engine plus the explicit nucleolus, and the largest difference between the two
nucleoli relative to the game's scale (must be ≤ 1e-6).
"""

from __future__ import annotations

import argparse
import importlib
import time
from dataclasses import dataclass

import numpy as np

from fairpool.models import family
from fairpool.models.large import case_oracle
from fairpool.optimizer.generation.algorithms import generated_least_core
from fairpool.optimizer.generation.nucleolus import generated_nucleolus

FAMILIES = ("infrastructure", "joint_park", "cost_sharing")


@dataclass
class Row:
    family: str
    n: int
    check_s: float
    least_core_s: float
    least_core_rounds: int
    nucleolus_s: float
    stages: int
    rounds: int
    rows: int
    separations: int
    milp_s: float
    enumeration_s: float | None = None
    difference: float | None = None
    error: str = ""


def measure(name: str, n: int, seed: int, enumerate_up_to: int) -> Row:
    generate = importlib.import_module(f"fairpool.models.{name}.generate")
    case = generate.generated_case(n, seed)
    owner = family(case.model)
    oracle = case_oracle(owner, case)
    started = time.perf_counter()
    equal = np.full(n, oracle.grand_value / n)
    worst = oracle.most_violated(equal, count=1)[0]
    oracle.value(worst.mask)
    check_s = time.perf_counter() - started
    started = time.perf_counter()
    least = generated_least_core(oracle)
    least_s = time.perf_counter() - started
    solver_before = oracle.statistics.solver_seconds
    started = time.perf_counter()
    try:
        nucleolus = generated_nucleolus(oracle, imputations=True)
    except Exception as error:  # reported in the table; the run goes on
        return Row(
            name,
            n,
            check_s,
            least_s,
            least.rounds,
            time.perf_counter() - started,
            0,
            0,
            0,
            0,
            0.0,
            error=f"{type(error).__name__}: {error}"[:80],
        )
    nucleolus_s = time.perf_counter() - started
    row = Row(
        name,
        n,
        check_s,
        least_s,
        least.rounds,
        nucleolus_s,
        len(nucleolus.levels),
        nucleolus.rounds,
        nucleolus.rows,
        nucleolus.separations + nucleolus.certificate.separations,
        oracle.statistics.solver_seconds - solver_before,
    )
    if n <= enumerate_up_to:
        from fairpool.optimizer.solutions.nucleolus import nucleolus as explicit_nucleolus

        started = time.perf_counter()
        game = owner.coalition_game(case)  # type: ignore[arg-type]
        exact = explicit_nucleolus(game)
        row.enumeration_s = time.perf_counter() - started
        scale = float(np.abs(game.values).max()) or 1.0
        row.difference = float(np.abs(exact.shares - nucleolus.shares).max()) / scale
    return row


def table(rows: list[Row]) -> str:
    head = (
        "| family | n | check s | least core s (rounds) | nucleolus s | stages | rounds | "
        "rows | separations | MILP s (HiGHS) | enumeration s | max diff / scale |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        enum = "—" if r.enumeration_s is None else f"{r.enumeration_s:.2f}"
        diff = "—" if r.difference is None else f"{r.difference:.1e}"
        if r.error:
            lines.append(
                f"| {r.family} | {r.n} | {r.check_s:.2f} | {r.least_core_s:.2f} "
                f"({r.least_core_rounds}) | failed: {r.error} |||||||"
            )
            continue
        lines.append(
            f"| {r.family} | {r.n} | {r.check_s:.2f} | {r.least_core_s:.2f} "
            f"({r.least_core_rounds}) | {r.nucleolus_s:.2f} | {r.stages} | {r.rounds} | "
            f"{r.rows} | {r.separations} | {r.milp_s:.2f} | {enum} | {diff} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 15, 20, 30, 40])
    parser.add_argument("--families", nargs="+", choices=FAMILIES, default=list(FAMILIES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--enumerate-up-to", type=int, default=14)
    args = parser.parse_args(argv)
    rows = []
    for name in args.families:
        for n in args.sizes:
            row = measure(name, n, args.seed, args.enumerate_up_to)
            print(table([row]).splitlines()[-1], flush=True)
            rows.append(row)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
