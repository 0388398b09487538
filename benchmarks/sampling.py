"""Sampled Shapley and Banzhaf values: estimators compared on the same budget of coalition values.

    python benchmarks/sampling.py                 # 50 seeds, two budgets (about 2 minutes)
    python benchmarks/sampling.py --seeds 10      # a quick look
    python benchmarks/sampling.py --banzhaf       # add the Banzhaf table (about 3 minutes)

Games (explicit, 12–16 parties, so the exact values are known):

- ``random``    (n = 14): uniform noise on [0, 50] plus four random unanimity games;
- ``airport``   (n = 16): c(S) = max_{i∈S} a_i, a_i uniform on [1, 100] (a cost game);
- ``voting``    (n = 15): v(S) = 1 if Σ_{i∈S} w_i ≥ ½ Σ w, w_i uniform integers 1 … 20;
- ``convex``    (n = 14): v(S) = |S|² + Σ_{i∈S} a_i plus unanimity games and small noise;
- ``infrastructure`` (n = 12): the coalition values of a generated infrastructure case
  (``cases.generated``, 12 parties, 20 projects, seed 3), all 4,095 MILPs solved once.

Shapley estimators (``sampled_shapley(method=...)``, see its module docstring): antithetic
permutations (the former default, the baseline of each block), independent permutations,
rotations (each party at each position once per block of n orders), rotations with their
reverses (the default: the reverses cost no new coalition), and the independent strata of
Maleki et al. / Castro et al. (Neyman allocation; efficiency-corrected, and raw), plain and
paired with complements. Banzhaf estimators (``sampled_banzhaf``): uniform coalitions with
their n neighbours (the baseline), the same paired with complements, and strata by size.

Every estimator gets the same budget of coalition values asked for: ``orders`` · (n − 1) + 2,
what ``orders`` random orders cost (n − 1 prefixes each, v(∅) and v(N) once). The table
shows, over the seeds and the parties, the root-mean-square error against the exact value
(also relative to the antithetic-permutation row), the mean reported standard error, the
coverage (share of (seed, party) with |estimate − exact| ≤ 2·SE; 95 % is the nominal value),
and the distinct coalitions actually evaluated (repeated coalitions are read once by every
estimator).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.banzhaf import banzhaf_raw
from fairpool.optimizer.solutions.banzhaf_sampling import sampled_banzhaf
from fairpool.optimizer.solutions.sampling import sampled_shapley, standard_errors
from fairpool.optimizer.solutions.shapley import shapley


def sizes(n: int) -> np.ndarray:
    """|S| for every mask."""
    masks = np.arange(1 << n)
    return ((masks[:, None] >> np.arange(n)) & 1).sum(axis=1).astype(np.float64)


def members(n: int) -> np.ndarray:
    """The 0/1 membership matrix, one row per mask."""
    masks = np.arange(1 << n)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(np.float64)


def unanimity(n: int, carrier: int) -> np.ndarray:
    """u_T(S) = 1 if T ⊆ S."""
    masks = np.arange(1 << n)
    return ((masks & carrier) == carrier).astype(np.float64)


def random_game(seed: int = 0, n: int = 14) -> Game:
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 50, 1 << n)
    for carrier in rng.integers(1, 1 << n, 4):
        values += rng.uniform(0, 100) * unanimity(n, int(carrier))
    return Game(tuple(f"P{i}" for i in range(n)), values)


def airport_game(seed: int = 1, n: int = 16) -> Game:
    rng = np.random.default_rng(seed)
    runway = rng.uniform(1, 100, n)
    member = members(n).astype(bool)
    values = np.where(member, runway[None, :], 0.0).max(axis=1)
    return Game(tuple(f"P{i}" for i in range(n)), values, orientation="cost")


def voting_game(seed: int = 2, n: int = 15) -> Game:
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 21, n).astype(np.float64)
    values = (members(n) @ weights >= weights.sum() / 2).astype(np.float64)
    return Game(tuple(f"P{i}" for i in range(n)), values)


def convex_game(seed: int = 3, n: int = 14) -> Game:
    rng = np.random.default_rng(seed)
    values = sizes(n) ** 2 + members(n) @ rng.uniform(0, 10, n) + rng.uniform(0, 1, 1 << n)
    for carrier in rng.integers(1, 1 << n, 6):
        values += rng.uniform(0, 30) * unanimity(n, int(carrier))
    return Game(tuple(f"P{i}" for i in range(n)), values)


def infrastructure_game() -> Game:
    """A generated infrastructure case's coalition game (12 parties; 4,095 MILPs)."""
    from fairpool.cases.generated import generate_infrastructure_case
    from fairpool.models import family

    case = generate_infrastructure_case(parties=12, projects=20, seed=3)
    return family("infrastructure").coalition_game(case)


GAMES: dict[str, Callable[[], Game]] = {
    "random": random_game,
    "airport": airport_game,
    "voting": voting_game,
    "convex": convex_game,
    "infrastructure": infrastructure_game,
}

Estimator = Callable[[Game, int, int], Allocation]
"""(game, budget in coalition values, seed) → a sampled allocation with standard errors."""

SHAPLEY_ESTIMATORS: dict[str, Estimator] = {
    "antithetic permutations": lambda g, b, s: sampled_shapley(
        g, evaluations=b, seed=s, method="antithetic"
    ),
    "permutations": lambda g, b, s: sampled_shapley(g, evaluations=b, seed=s, method="permutation"),
    "rotations": lambda g, b, s: sampled_shapley(g, evaluations=b, seed=s, method="rotations"),
    "rotations + reverses (default)": lambda g, b, s: sampled_shapley(
        g, evaluations=b, seed=s, method="rotations_antithetic"
    ),
    "stratified": lambda g, b, s: sampled_shapley(g, evaluations=b, seed=s, method="stratified"),
    "stratified, raw": lambda g, b, s: sampled_shapley(
        g, evaluations=b, seed=s, method="stratified", efficient=False
    ),
    "stratified + complements": lambda g, b, s: sampled_shapley(
        g, evaluations=b, seed=s, method="stratified_antithetic"
    ),
}

BANZHAF_ESTIMATORS: dict[str, Estimator] = {
    "uniform coalitions": lambda g, b, s: sampled_banzhaf(
        g, evaluations=b, seed=s, method="uniform", normalised=False
    ),
    "uniform + complements (default)": lambda g, b, s: sampled_banzhaf(
        g, evaluations=b, seed=s, method="uniform_antithetic", normalised=False
    ),
    "stratified": lambda g, b, s: sampled_banzhaf(
        g, evaluations=b, seed=s, method="stratified", normalised=False
    ),
}


@dataclass(frozen=True)
class Row:
    game: str
    n: int
    budget: int
    estimator: str
    rmse: float
    mean_error: float
    coverage: float
    distinct: float
    seconds: float


def measure(
    name: str, game: Game, exact: np.ndarray, budget: int, label: str, run: Estimator, seeds: int
) -> Row:
    """RMSE, mean SE, 2·SE coverage and distinct coalitions of one estimator over ``seeds``."""
    errors, spreads, distinct = [], [], []
    started = time.perf_counter()
    for seed in range(seeds):
        allocation = run(game, budget, seed)
        se = standard_errors(allocation)
        assert se is not None
        errors.append(allocation.shares - exact)
        spreads.append(se)
        distinct.append(float(allocation.details["distinct_coalitions"]))
    seconds = (time.perf_counter() - started) / seeds
    error, spread = np.array(errors), np.array(spreads)
    slack = 1e-9 * float(np.abs(game.values).max())
    return Row(
        game=name,
        n=game.n,
        budget=budget,
        estimator=label,
        rmse=float(np.sqrt(np.mean(error**2))),
        mean_error=float(spread.mean()),
        coverage=float(np.mean(np.abs(error) <= 2 * spread + slack)),
        distinct=float(np.mean(distinct)),
        seconds=seconds,
    )


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table, RMSE also relative to the first estimator of its block."""
    lines = [
        "| game | n | budget | estimator | RMSE | RMSE / first | mean SE | coverage 2·SE "
        "| distinct v(S) | ms/run |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    first: dict[tuple[str, int], float] = {}
    for row in rows:
        base = first.setdefault((row.game, row.budget), row.rmse)
        ratio = row.rmse / base if base > 0 else math.nan
        lines.append(
            f"| {row.game} | {row.n} | {row.budget:,} | {row.estimator} | {row.rmse:.4g} "
            f"| {ratio:.2f} | {row.mean_error:.4g} | {row.coverage:.1%} | {row.distinct:,.0f} "
            f"| {1000 * row.seconds:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--orders", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--games", nargs="+", default=list(GAMES), choices=list(GAMES))
    parser.add_argument("--banzhaf", action="store_true", help="also compare Banzhaf samplers")
    options = parser.parse_args(argv)
    shapley_rows: list[Row] = []
    banzhaf_rows: list[Row] = []
    for name in options.games:
        game = GAMES[name]()
        exact = shapley(game).shares
        exact_banzhaf = banzhaf_raw(game)
        for orders in options.orders:
            budget = orders * (game.n - 1) + 2
            for label, run in SHAPLEY_ESTIMATORS.items():
                shapley_rows.append(measure(name, game, exact, budget, label, run, options.seeds))
                print(table(shapley_rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
            if options.banzhaf:
                for label, run in BANZHAF_ESTIMATORS.items():
                    banzhaf_rows.append(
                        measure(name, game, exact_banzhaf, budget, label, run, options.seeds)
                    )
    print(f"Shapley value, {options.seeds} seeds; budget = orders · (n − 1) + 2 coalition values\n")
    print(table(shapley_rows))
    if options.banzhaf:
        print(f"\nRaw Banzhaf value, {options.seeds} seeds, same budgets\n")
        print(table(banzhaf_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
