"""Independent oracles of the smallest fix: the same question — the least L1 change of a
proposal's decision values that puts it in the core within the rules — asked of HiGHS
directly (``highspy``, no Pyomo, no plan model), with each party's amount as an affine map of
the decision values measured by the family's own evaluation of a proposal at the unit
vectors (exact: the amounts are affine in the ratios or shares when no cap truncates).

Also the verdict by enumeration: every proper coalition's excess, recomputed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from fairpool.optimizer.game import Game

if TYPE_CHECKING:
    from fairpool.models.infrastructure.case import InfrastructureCase
    from fairpool.models.joint_park.case import JointParkCase
    from fairpool.models.joint_park.plan import ParkGame


@dataclass
class LinearRows:
    """Rows lo ≤ a · z ≤ hi on decision values z (a dense coefficient vector each)."""

    size: int
    rows: list[tuple[np.ndarray, float, float]] = field(default_factory=list)

    def add(self, coefficients: np.ndarray, lo: float = -np.inf, hi: float = np.inf) -> None:
        self.rows.append((np.asarray(coefficients, dtype=float), lo, hi))


def affine_map(
    evaluate: Callable[[np.ndarray], np.ndarray], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(A, b) with evaluate(z) = A z + b, measured at 0 and at the unit vectors."""
    base = np.asarray(evaluate(np.zeros(size)), dtype=float)
    columns = []
    for j in range(size):
        unit = np.zeros(size)
        unit[j] = 1.0
        columns.append(np.asarray(evaluate(unit), dtype=float) - base)
    return np.column_stack(columns), base


def add_core_rows(rows: LinearRows, game: Game, a: np.ndarray, b: np.ndarray, scale: float) -> None:
    """x(S) ≥ v(S) (benefit) or x(S) ≤ c(S) (cost) for every proper coalition S, with the
    amounts x = A z + b; money divided by ``scale``."""
    for mask in range(1, game.grand_mask):
        members = [i for i in range(game.n) if mask >> i & 1]
        coefficients = a[members].sum(axis=0) / scale
        constant = float(b[members].sum()) / scale
        value = float(game.values[mask]) / scale
        if game.orientation == "benefit":
            rows.add(coefficients, lo=value - constant)
        else:
            rows.add(coefficients, hi=value - constant)


def least_l1_change(
    start: np.ndarray, lower: np.ndarray, upper: np.ndarray, rows: LinearRows
) -> tuple[float, np.ndarray] | None:
    """min Σ_j |z_j − start_j| s.t. lower ≤ z ≤ upper and ``rows``, by HiGHS directly:
    variables z and d ≥ |z − start|; ``None`` when infeasible."""
    import highspy

    n = len(start)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    inf = highspy.kHighsInf
    for j in range(n):
        h.addVar(float(lower[j]), float(upper[j]))
    for _ in range(n):
        h.addVar(0.0, inf)
    for j in range(n):
        h.changeColCost(n + j, 1.0)
        # z_j − d_j ≤ start_j and −z_j − d_j ≤ −start_j
        h.addRow(
            -inf, float(start[j]), 2, np.array([j, n + j], dtype=np.int32), np.array([1.0, -1.0])
        )
        h.addRow(
            -inf, -float(start[j]), 2, np.array([j, n + j], dtype=np.int32), np.array([-1.0, -1.0])
        )
    for coefficients, lo, hi in rows.rows:
        index = np.flatnonzero(coefficients != 0.0).astype(np.int32)
        h.addRow(
            -inf if not np.isfinite(lo) else float(lo),
            inf if not np.isfinite(hi) else float(hi),
            len(index),
            index,
            coefficients[index],
        )
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = np.array(h.getSolution().col_value[:n])
    return float(h.getInfo().objective_function_value), values


def worst_excess(game: Game, amounts: Sequence[float]) -> float:
    """The largest excess over the proper coalitions, by enumeration (v(S) − x(S), or
    x(S) − c(S))."""
    x = np.asarray(amounts, dtype=float)
    best = -np.inf
    for mask in range(1, game.grand_mask):
        total = sum(x[i] for i in range(game.n) if mask >> i & 1)
        excess = (
            game.values[mask] - total
            if game.orientation == "benefit"
            else total - game.values[mask]
        )
        best = max(best, float(excess))
    return best


# -- the three families' fix questions, asked of HiGHS directly ----------------------------------


def park_fix_oracle(
    case: JointParkCase, park: ParkGame, start: np.ndarray
) -> tuple[float, np.ndarray] | None:
    """The least L1 change of ratios r[p, k, h] from ``start`` within the rules rows (bounds
    of the rows in force), the split sums, the schedules and the floors, in the core. Caps
    are not affine (the oracle refuses them)."""
    from fairpool.models.joint_park.flows import evaluate_plan
    from fairpool.models.joint_park.rules import ratio_bounds

    shape = start.shape
    size = start.size
    game = park.game
    scale = float(np.abs(game.values).max())
    assert not [limit for limit in case.limits if limit.limit == "cap"], "caps are not affine"
    a, b = affine_map(lambda z: evaluate_plan(case, park.pools, z.reshape(shape)).npv, size)
    rows = LinearRows(size)
    for k, stream in enumerate(case.streams):
        for h in range(len(case.phases)):
            coefficients = np.zeros(shape)
            coefficients[:, k, h] = 1.0
            rows.add(coefficients.ravel(), 1.0, np.inf if stream.double_count else 1.0)
    for rule in case.rules:
        if rule.schedule == "free":
            continue
        sign = -1.0 if rule.schedule == "nonincreasing" else 1.0
        p = case.party_index(rule.party)
        for k, stream in enumerate(case.streams):
            if rule.stream not in ("*", stream.stream):
                continue
            for h in range(len(case.phases) - 1):
                coefficients = np.zeros(shape)
                coefficients[p, k, h + 1] = sign
                coefficients[p, k, h] = -sign
                rows.add(coefficients.ravel(), lo=0.0)
    if case.one_ratio_for_all_streams:
        cash = [k for k, s in enumerate(case.streams) if s.kind == "cash"]
        for p in range(case.n):
            for k in cash[1:]:
                for h in range(len(case.phases)):
                    coefficients = np.zeros(shape)
                    coefficients[p, k, h] = 1.0
                    coefficients[p, cash[0], h] = -1.0
                    rows.add(coefficients.ravel(), 0.0, 0.0)
    for limit in case.limits:
        p = case.party_index(limit.party)
        cash = sorted(s.stream for s in case.streams if s.kind == "cash")
        assert sorted(limit.streams) == cash, "the oracle knows floors on every cash stream"
        take_a, take_b = affine_map(
            lambda z, p=p: evaluate_plan(case, park.pools, z.reshape(shape)).take[p], size
        )
        for t in np.flatnonzero((case.years >= limit.start_year) & (case.years <= limit.end_year)):
            need = limit.amount + (park.pools.cost[p, t] if limit.plus_costs else 0.0)
            rows.add(take_a[t] / scale, lo=(need - take_b[t]) / scale)
    add_core_rows(rows, game, a, b, scale)
    lo, hi = ratio_bounds(case)
    return least_l1_change(start.ravel(), lo.ravel(), hi.ravel(), rows)


def infrastructure_fix_oracle(
    case: InfrastructureCase, game: Game, build: np.ndarray, start: np.ndarray
) -> tuple[float, np.ndarray] | None:
    """The least L1 change of the shares s[i, p] of the built projects from ``start``, each
    project's shares adding up to 1, within every finite yearly budget, in the core."""
    from fairpool.models.infrastructure.plan import plan_npv
    from fairpool.models.infrastructure.proposal import cost_shares

    projects = [p for p in range(len(case.projects)) if build[p] > 1e-9]
    index = [(i, p) for i in range(case.n) for p in projects]
    scale = float(np.abs(game.values).max())

    def shares(z: np.ndarray) -> np.ndarray:
        s = np.zeros((case.n, len(case.projects)))
        for j, (i, p) in enumerate(index):
            s[i, p] = z[j]
        return s

    a, b = affine_map(
        lambda z: plan_npv(case, build, cost_shares(case, shares(z), build)), len(index)
    )
    spend_a, spend_b = affine_map(
        lambda z: cost_shares(case, shares(z), build).sum(axis=1).ravel(), len(index)
    )
    rows = LinearRows(len(index))
    for p in projects:
        rows.add(np.array([1.0 if q == p else 0.0 for _i, q in index]), 1.0, 1.0)
    years = len(case.years)
    for i in range(case.n):
        for t in range(years):
            if np.isfinite(case.budget[i, t]) and spend_a[i * years + t].any():
                row = i * years + t
                rows.add(spend_a[row] / scale, hi=(case.budget[i, t] - spend_b[row]) / scale)
    add_core_rows(rows, game, a, b, scale)
    z0 = np.array([start[i, p] for i, p in index])
    return least_l1_change(z0, np.zeros(len(index)), np.ones(len(index)), rows)


def cost_sharing_fix_oracle(game: Game, start: np.ndarray) -> tuple[float, np.ndarray] | None:
    """The least L1 change of shares σ ≥ 0 of c(N) (adding up to 1) from ``start`` that puts
    the cost shares σ c(N) in the core."""
    n = game.n
    scale = float(np.abs(game.values).max())
    a = np.eye(n) * game.grand_value
    rows = LinearRows(n)
    rows.add(np.ones(n), 1.0, 1.0)
    add_core_rows(rows, game, a, np.zeros(n), scale)
    return least_l1_change(np.asarray(start, dtype=float), np.zeros(n), np.ones(n), rows)
