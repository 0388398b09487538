"""Plan-model pieces shared by the model families: core rows, distance to a target, the
lexicographic objective switch, the most tempted coalition, the core band of a line of
allocations, the coalition table and the fields every result shares (:class:`PlanResult`).

Every plan model has a set ``m.P`` of parties and a variable ``m.npv[p]``: what party p gets
in the benefit form (NPV; cost games plan on their savings game). The blocks below only use
those two, so each family defines its own operational variables (ratios, cost shares) and
links them to ``m.npv``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from optimizer.fairness import check_allocation
from optimizer.game import Game, coalition_sums, members
from optimizer.results import Allocation

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from optimizer.solve import SolveResult

CoreMode = Literal["hard", "soft", "off"]
DistanceKind = Literal["l1", "linf"]


@dataclass(frozen=True, kw_only=True)
class PlanResult:
    """The fields every family's ``solve_case`` result has, with the same meaning.

    Results are read by field name (``reports/``); a family adds its own fields (ratios, cost
    shares, build plan, ...) in a subclass. In cost games the allocations, the target, the
    distance and the residual are in cost shares and excesses are x(S) − c(S).

    Attributes:
        case_name, unit: from the ``case`` sheet.
        players, names: party ids and display names.
        game: the coalition game; ``coalition_values`` {"A+B": v(S)} (cost games: c(S)).
        allocations: {method: Allocation} of every method the family computes.
        target, core, distance_kind: the plan's settings.
        target_shares: {party: the target's share}.
        distance: Σ |plan − target| (l1) or max (linf) in the case unit.
        residual: {party: plan − target}.
        epsilon: least core violation of the plan (0 when some plan within the rules is in
            the core, and when core = off).
        worst_coalition, worst_excess: the coalition most tempted to leave and how much better
            off it would be alone (> 0: it blocks the plan).
        in_core, individually_rational: verdicts on the plan ({party: bool} for the latter).
        warnings: odd-but-solvable findings; timings: seconds per step.
    """

    case_name: str
    unit: str
    players: tuple[str, ...]
    names: tuple[str, ...]
    game: Game
    coalition_values: Mapping[str, float]
    allocations: Mapping[str, Allocation]
    target: str
    core: str
    distance_kind: str
    target_shares: Mapping[str, float]
    distance: float
    residual: Mapping[str, float]
    epsilon: float
    worst_coalition: str
    worst_excess: float
    in_core: bool
    individually_rational: Mapping[str, bool]
    warnings: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)


def plan_tolerance(game: Game) -> float:
    """1e-9 · max(1, max |v|): slack when re-imposing an optimum as a constraint."""
    return 1e-9 * max(1.0, float(np.abs(game.values).max(initial=0.0)))


ALL_CORE_ROWS_UP_TO = 10
"""Plans of games with at most this many parties get every core row at once; larger games
get them by row generation (:func:`solve_plan_model`)."""

CORE_ROWS_PER_ROUND = 64
"""Row generation adds at most this many of the most violated core rows per round."""


@dataclass
class CoreRows:
    """The core rows a plan model holds: the game they come from and the masks added."""

    game: Game
    mode: CoreMode
    added: set[int] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return self.mode == "off" or len(self.added) == self.game.grand_mask - 1


def define_core_constraints(m: pyo.ConcreteModel, game: Game, core: CoreMode) -> None:
    """x(S) + ε ≥ v(S) for every proper coalition S; ε ≥ 0 (soft) or ε = 0 (hard).

    Games of up to :data:`ALL_CORE_ROWS_UP_TO` parties get all 2ⁿ − 2 rows here. Larger ones
    start from the 2n rows of the singletons and their complements; :func:`solve_plan_model`
    adds the violated ones as the plan is solved, so the model never holds 2ⁿ rows.
    """
    import pyomo.environ as pyo

    m.epsilon = pyo.Var(bounds=(0.0, None))
    if core == "hard":
        m.epsilon.fix(0.0)
    m.core = pyo.ConstraintList()
    m.core_rows = CoreRows(game, core)
    if core != "off":
        grand = game.grand_mask
        if game.n <= ALL_CORE_ROWS_UP_TO:
            masks = np.arange(1, grand, dtype=np.int64)
        else:
            singletons = 1 << np.arange(game.n, dtype=np.int64)
            masks = np.unique(np.concatenate([singletons, grand ^ singletons]))
        add_core_rows(m, masks)
    m.epsilon_objective = pyo.Objective(expr=m.epsilon, sense=pyo.minimize)
    m.epsilon_objective.deactivate()


def add_core_rows(m: pyo.ConcreteModel, masks: np.ndarray) -> None:
    """Add the rows x(S) + ε ≥ v(S) of ``masks`` (those not yet in the model)."""
    rows: CoreRows = m.core_rows
    values = rows.game.values
    for mask in np.asarray(masks, dtype=np.int64).tolist():
        if mask in rows.added:
            continue
        in_s = members(mask, rows.game.n)
        m.core.add(sum(m.npv[i] for i in in_s) + m.epsilon >= float(values[mask]))
        rows.added.add(mask)


def violated_core_rows(m: pyo.ConcreteModel, limit: int = CORE_ROWS_PER_ROUND) -> np.ndarray:
    """The masks (most violated first, at most ``limit``) of proper coalitions whose core row
    is not in the model and is violated by its current solution: v(S) − x(S) − ε > tolerance.
    """
    rows: CoreRows = m.core_rows
    if rows.complete:
        return np.zeros(0, dtype=np.int64)
    game = rows.game
    x = np.array([m.npv[i].value or 0.0 for i in range(game.n)])
    excess = game.values - coalition_sums(x) - float(m.epsilon.value or 0.0)
    excess[0] = excess[-1] = -np.inf
    if rows.added:
        excess[np.fromiter(rows.added, np.int64, len(rows.added))] = -np.inf
    violated = np.flatnonzero(excess > plan_tolerance(game))
    if len(violated) > limit:
        violated = violated[np.argpartition(-excess[violated], limit)[:limit]]
    return violated[np.argsort(-excess[violated], kind="stable")]


def solve_plan_model(m: pyo.ConcreteModel, solver: object | None = None) -> SolveResult:
    """Solve a plan model (:func:`optimizer.solve.solve_pyomo`) with core-row generation:
    after each optimum, add the violated core rows and solve again, until none is violated.

    Exact: the final model's feasible set contains the full one's and its optimum is
    feasible for the full one, so it is the full optimum too (LP or MILP alike); and a
    model infeasible with some of the rows is infeasible with all. Models holding every row
    (small games, core = off) are solved once.
    """
    from optimizer.solve import solve_pyomo

    rows: CoreRows | None = getattr(m, "core_rows", None)
    while True:
        result = solve_pyomo(m, solver)
        if not result.optimal or rows is None or rows.complete:
            return result
        missing = violated_core_rows(m)
        if not missing.size:
            return result
        add_core_rows(m, missing)


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


def worst_blocking(
    game: Game, shares: np.ndarray, ties: Literal["first", "smallest"] = "first"
) -> tuple[str, float]:
    """(the proper coalition with the largest excess, that excess); ("", 0.0) when n = 1.

    Excess: v(S) − x(S) for benefit games, x(S) − c(S) for cost games (> 0: S blocks x).
    ``ties="first"``: the lowest mask among exactly equal largest excesses; ``"smallest"``:
    the smallest coalition among those within the game's tolerance of the largest, as
    :func:`optimizer.fairness.check_allocation` reports it (which also rejects shares of the
    wrong length or not finite with a :class:`~optimizer.errors.CaseError`).
    """
    if ties == "smallest":
        report = check_allocation(game, shares)
        return report.worst_coalition_label, report.worst_excess
    if game.n == 1:
        return "", 0.0
    excess = game.excesses(np.asarray(shares, dtype=float))
    j = int(np.argmax(excess[1:-1])) + 1
    return game.label(j), float(excess[j])


def proposal_verdict(
    game: Game,
    names: Mapping[str, str],
    unit: str,
    npv: np.ndarray,
    rational: Mapping[str, bool],
    blocking: tuple[str, float],
    tol: float,
) -> list[str]:
    """Plain-language lines for a negotiator on the NPVs ``npv`` of a proposal (benefit form).

    One line per party (in the order of ``rational``, the game's) that is not individually
    rational: it would walk away; then whether the most tempted coalition ``blocking`` =
    (label, excess) gains more than ``tol`` on its own.
    """
    verdict = []
    for i, party in enumerate(rational):
        if not rational[party]:
            verdict.append(
                f"{names[party]} ({party}) gets {npv[i]:,.1f} {unit}, less than the "
                f"{game.standalone_values[i]:,.1f} {unit} it can reach alone: it would walk away."
            )
    worst, excess = blocking
    if excess > tol:
        members = " + ".join(names[p] for p in worst.split("+"))
        verdict.append(
            f"{members} would be {excess:,.1f} {unit} better off on their own: "
            "the proposal is not in the core."
        )
    else:
        verdict.append(
            "No party or group of parties would be better off on its own: "
            "the proposal is in the core."
        )
    return verdict


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
    "ALL_CORE_ROWS_UP_TO",
    "CoreMode",
    "CoreRows",
    "DistanceKind",
    "PlanResult",
    "activate_only",
    "add_core_rows",
    "coalition_table",
    "core_band_on_line",
    "define_core_constraints",
    "define_distance_objective",
    "lexicographic_step",
    "plan_tolerance",
    "proposal_verdict",
    "solve_plan_model",
    "violated_core_rows",
    "worst_blocking",
]
