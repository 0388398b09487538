"""Plan-model pieces shared by the model families: core rows, distance to a target, the
lexicographic objective switch, the most tempted coalition, the core band of a line of
allocations and the coalition table.

Every plan model has a set ``m.P`` of parties and a variable ``m.npv[p]``: what party p gets
in the benefit form (NPV; cost games plan on their savings game). The blocks below only use
those two, so each family defines its own operational variables (ratios, cost shares) and
links them to ``m.npv``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from optimizer.game import Game, coalition_sums

if TYPE_CHECKING:
    import pyomo.environ as pyo

CoreMode = Literal["hard", "soft", "off"]
DistanceKind = Literal["l1", "linf"]


def plan_tolerance(game: Game) -> float:
    """1e-9 · max(1, max |v|): slack when re-imposing an optimum as a constraint."""
    return 1e-9 * max(1.0, float(np.abs(game.values).max(initial=0.0)))


def define_core_constraints(m: pyo.ConcreteModel, game: Game, core: CoreMode) -> None:
    """x(S) + ε ≥ v(S) for every proper coalition S; ε ≥ 0 (soft) or ε = 0 (hard)."""
    import pyomo.environ as pyo

    m.epsilon = pyo.Var(bounds=(0.0, None))
    if core == "hard":
        m.epsilon.fix(0.0)
    masks = list(range(1, game.grand_mask)) if core != "off" else []
    n = game.n
    m.core = pyo.Constraint(
        range(len(masks)),
        rule=lambda m, j: (
            sum(m.npv[i] for i in range(n) if masks[j] >> i & 1) + m.epsilon
            >= float(game.values[masks[j]])
        ),
    )
    m.epsilon_objective = pyo.Objective(expr=m.epsilon, sense=pyo.minimize)
    m.epsilon_objective.deactivate()


def define_distance_objective(m: pyo.ConcreteModel, target: np.ndarray, kind: DistanceKind) -> None:
    """L1: min Σ_p |npv_p − τ_p|;  L∞: min max_p |npv_p − τ_p| (target τ, mutable)."""
    import pyomo.environ as pyo

    m.target = pyo.Param(m.P, mutable=True, initialize=lambda m, p: float(target[p]))
    m.above = pyo.Var(m.P, bounds=(0.0, None))
    m.below = pyo.Var(m.P, bounds=(0.0, None))
    m.deviation = pyo.Constraint(
        m.P, rule=lambda m, p: m.npv[p] - m.target[p] == m.above[p] - m.below[p]
    )
    if kind == "linf":
        m.largest = pyo.Var(bounds=(0.0, None))
        m.largest_bound = pyo.Constraint(
            m.P, rule=lambda m, p: m.above[p] + m.below[p] <= m.largest
        )
        m.distance = pyo.Expression(expr=m.largest)
    else:
        m.distance = pyo.Expression(expr=sum(m.above[p] + m.below[p] for p in m.P))
    m.distance_objective = pyo.Objective(expr=m.distance, sense=pyo.minimize)
    m.distance_objective.deactivate()


def activate_only(m: pyo.ConcreteModel, name: str) -> None:
    """Deactivate every objective of ``m`` but ``name`` (one step of a lexicographic solve)."""
    import pyomo.environ as pyo

    for objective in m.component_objects(pyo.Objective):
        objective.deactivate()
    getattr(m, name).activate()


def worst_blocking(game: Game, shares: np.ndarray) -> tuple[str, float]:
    """(the proper coalition with the largest excess, that excess); ("", 0.0) when n = 1.

    Excess: v(S) − x(S) for benefit games, x(S) − c(S) for cost games (> 0: S blocks x).
    """
    if game.n == 1:
        return "", 0.0
    excess = game.excesses(np.asarray(shares, dtype=float))
    j = int(np.argmax(excess[1:-1])) + 1
    return game.label(j), float(excess[j])


def core_band_on_line(
    game: Game, base: np.ndarray, slope: np.ndarray, low: float = 0.0, high: float = 1.0
) -> tuple[float, float] | None:
    """The interval of ρ ∈ [low, high] where x(ρ) = base + ρ · slope is in the core, exactly.

    Every proper coalition S gives one linear inequality e_S(ρ) = e_S(0) + ρ · Δ_S ≤ 0 with
    e the excess (v(S) − x(S), or x(S) − c(S)) and Δ_S its change per unit of ρ; the band is
    the intersection of these half-lines (Σ slope = 0 keeps x efficient). ``None`` if empty.
    """
    tol = 1e-9 * max(1.0, float(np.abs(game.values).max(initial=0.0)))
    at_zero = game.excesses(np.asarray(base, dtype=float))[1:-1]
    sums = coalition_sums(np.asarray(slope, dtype=float))[1:-1]
    change = -sums if game.orientation == "benefit" else sums
    lo, hi = low, high
    rising = change > 1e-15
    falling = change < -1e-15
    flat = ~(rising | falling)
    if (at_zero[flat] > tol).any():
        return None
    if rising.any():
        hi = min(hi, float(((tol - at_zero[rising]) / change[rising]).min()))
    if falling.any():
        lo = max(lo, float(((tol - at_zero[falling]) / change[falling]).max()))
    return (lo, hi) if lo <= hi + 1e-12 else None


def coalition_table(result_or_game: object) -> pd.DataFrame:
    """The v(S) table: coalition ("A+B"), size, value — for ``fairpool coalitions``.

    Accepts a :class:`Game` or any result object with a ``game`` attribute.
    """
    game = result_or_game if isinstance(result_or_game, Game) else result_or_game.game  # type: ignore[attr-defined]
    sizes = [bin(m).count("1") for m in range(1, 1 << game.n)]
    return pd.DataFrame(
        {
            "coalition": [game.label(m) for m in range(1, 1 << game.n)],
            "size": sizes,
            "value": game.values[1:],
        }
    )


def lexicographic_step(
    solve: Callable[[str], float], m: pyo.ConcreteModel, objective: str, what: str
) -> float:
    """Activate ``objective`` alone and solve (``solve`` raises on anything but optimal)."""
    activate_only(m, objective)
    return solve(what)


__all__ = [
    "CoreMode",
    "DistanceKind",
    "activate_only",
    "coalition_table",
    "core_band_on_line",
    "define_core_constraints",
    "define_distance_objective",
    "lexicographic_step",
    "plan_tolerance",
    "worst_blocking",
]
