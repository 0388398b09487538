"""The smallest fix of a proposal and each party's position, written once for every family.

A proposal that is not fair (``fairpool check``) gets the least change of its decision
values — split ratios per party, stream and phase (joint park), cost shares per party and
project (infrastructure) or of the whole cost (cost sharing) — that puts it in the core within
the rules. Each family builds its plan model (:mod:`fairpool.models.planning`: the same
decision variables, rule constraints and core rows as ``solve``, on the case's money scale)
with the core hard, and hands the decision variables and the proposal's values to
:func:`smallest_change`, which solves two steps on that one model:

1. min Σ_j |z_j − z⁰_j| (L1 change of the decision values z, fractions in [0, 1]);
2. with the L1 change kept within :data:`FIX_SLACK`, min the number of entries changed
   (binaries b_j ≥ |z_j − z⁰_j|): among the smallest changes, the one a negotiator reads in
   the fewest lines; then, on the entries it chose, the least L1 change again (a polish:
   the slack would let near-equivalent entries trade a little). Optional: a step that stops
   at its time limit keeps step 1's answer.

The core rows hold the excess at 0 (or at the game's least core ε* when the core is empty
only within :func:`~fairpool.models.verdicts.core_tolerance`), so the fixed proposal passes
the verdict with room to spare. When the model is infeasible, :func:`irreducible_conflict`
(the deletion filter of ``solve``'s rule-conflict report) names the rules that stand in the
way. The fixed proposal is then judged again by the family's own code (NPVs, rules) and
:func:`fix_found` records the verdict.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np

from fairpool.models.family import (
    BlockingCoalition,
    FixChange,
    PartyPosition,
    ProposalCheck,
    ProposalFix,
)
from fairpool.models.planning import activate_only, solve_plan_model
from fairpool.models.verdicts import core_tolerance, plan_verdict
from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import Game, coalition_sizes, members

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import SolveResult

ValueKind = Literal["ratio", "share"]

BLOCKING_SHOWN = 5
"""The most blocking coalitions a check lists (largest excess first)."""

CHANGE_TOLERANCE = 1e-8
"""A decision value (a fraction) that moves by no more than this is reported unchanged."""

FIX_SLACK = 1e-9
"""Slack of the kept L1 optimum in step 2, per decision value (fractions; HiGHS's primal
feasibility tolerance in the plan models is 1e-9)."""

SPARSE_TIME_LIMIT = 10.0
"""Seconds step 2 (fewest entries, a MILP) may take before step 1's answer is kept."""


# -- each party's position and the blocking coalitions -------------------------------------------


def blocking_masks(game: Game, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(masks, excesses) of the proper coalitions whose excess (v(S) − x(S), or x(S) − c(S))
    passes the core tolerance, largest excess first (the smaller coalition, then the lower
    mask, first among equal excesses)."""
    excess = game.excesses(np.asarray(amounts, dtype=float)).astype(float)
    excess[0] = excess[-1] = -np.inf
    masks = np.flatnonzero(excess > core_tolerance(game))
    sizes = coalition_sizes(game.n)[masks]
    order = masks[np.lexsort((masks, sizes, -excess[masks]))]
    return order, excess[order]


def blocking_coalitions(
    game: Game, amounts: np.ndarray, limit: int = BLOCKING_SHOWN
) -> tuple[tuple[BlockingCoalition, ...], int]:
    """The blocking coalitions (:func:`blocking_masks`), at most ``limit``, and how many
    there are in all."""
    masks, excess = blocking_masks(game, amounts)
    shown = tuple(
        BlockingCoalition(
            coalition=game.label(mask),
            names=tuple(game.names[i] for i in members(mask, game.n)),
            excess=float(value),
        )
        for mask, value in zip(masks[:limit].tolist(), excess[:limit], strict=True)
    )
    return shown, int(masks.size)


def party_positions(check: ProposalCheck) -> tuple[PartyPosition, ...]:
    """Each party under the proposal: its amount, alone, Shapley, nucleolus, gain over alone
    (cost games: the saving), individual rationality and the largest blocking coalition of two
    or more parties that holds it."""
    game = check.game
    amounts = np.array([check.amounts[p] for p in game.players], dtype=float)
    alone = game.standalone_values
    gain = alone - amounts if game.orientation == "cost" else amounts - alone
    masks, _ = blocking_masks(game, amounts)
    groups = masks[coalition_sizes(game.n)[masks] >= 2]
    reference = {
        key: check.analysis.allocations[key].shares
        for key in ("shapley", "nucleolus")
        if key in check.analysis.allocations
    }
    positions = []
    for i, party in enumerate(game.players):
        holding = groups[(groups >> i) & 1 == 1]  # largest excess first
        positions.append(
            PartyPosition(
                party=party,
                name=game.names[i],
                proposal=float(amounts[i]),
                alone=float(alone[i]),
                shapley=float(reference["shapley"][i]) if "shapley" in reference else None,
                nucleolus=float(reference["nucleolus"][i]) if "nucleolus" in reference else None,
                gain_over_alone=float(gain[i]),
                individually_rational=bool(check.individually_rational[party]),
                blocks_with=game.label(int(holding[0])) if holding.size else "",
            )
        )
    return tuple(positions)


def with_fix(check: ProposalCheck, fix: ProposalFix | None) -> ProposalCheck:
    """``check`` with each party's position, the blocking coalitions and ``fix``."""
    amounts = np.array([check.amounts[p] for p in check.players], dtype=float)
    blocking, count = blocking_coalitions(check.game, amounts)
    return dataclasses.replace(
        check, parties=party_positions(check), blocking=blocking, blocking_count=count, fix=fix
    )


# -- the fix: outcomes ---------------------------------------------------------------------------


def fix_not_needed(check: ProposalCheck, kind: ValueKind) -> ProposalFix:
    """The proposal is fair already: no change."""
    return ProposalFix(
        status="not_needed",
        value_kind=kind,
        amounts=dict(check.amounts),
        in_core=check.in_core,
        worst_coalition=check.worst_coalition,
        worst_excess=check.worst_excess,
    )


def fix_impossible(
    check: ProposalCheck,
    kind: ValueKind,
    obstacles: Sequence[str],
    least_excess: float | None,
    started: float,
    conflict: bool = False,
) -> ProposalFix:
    """No change within the rules reaches the core: ``obstacles`` say why (``conflict``: a
    minimal set of rules, :func:`irreducible_conflict`); the verdict fields are the
    proposal's own."""
    return ProposalFix(
        status="impossible",
        value_kind=kind,
        in_core=check.in_core,
        worst_coalition=check.worst_coalition,
        worst_excess=check.worst_excess,
        obstacles=tuple(obstacles),
        conflict=conflict,
        least_excess=least_excess,
        seconds=time.perf_counter() - started,
    )


def fix_found(
    game: Game,
    kind: ValueKind,
    labels: Sequence[FixChange],
    before: np.ndarray,
    after: np.ndarray,
    amounts: np.ndarray,
    rule_violations: Sequence[str],
    started: float,
) -> ProposalFix:
    """A fix: the entries of ``labels`` (one per decision value, before/after unset) whose
    value moves by more than :data:`CHANGE_TOLERANCE`, and the verdict on ``amounts``, the
    fixed proposal's amounts as the family computes them."""
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    changes = tuple(
        dataclasses.replace(label, before=float(b), after=float(a))
        for label, b, a in zip(labels, before, after, strict=True)
        if abs(a - b) > CHANGE_TOLERANCE
    )
    verdict = plan_verdict(game, amounts)
    return ProposalFix(
        status="found",
        value_kind=kind,
        changes=changes,
        l1_change=float(np.abs(after - before).sum()),
        amounts=dict(zip(game.players, map(float, amounts), strict=True)),
        in_core=verdict.in_core,
        worst_coalition=verdict.worst_coalition,
        worst_excess=verdict.worst_excess,
        rule_violations=tuple(rule_violations),
        seconds=time.perf_counter() - started,
    )


def empty_core_obstacle(check: ProposalCheck) -> str | None:
    """Why no proposal at all is in the core, when the game's least core ε* passes the core
    tolerance; ``None`` when the core is not empty."""
    epsilon = check.analysis.least_core_epsilon
    if epsilon <= core_tolerance(check.game):
        return None
    return (
        "the core is empty: whatever the split, some coalition gains at least "
        f"{epsilon:,.6g} {check.unit} by leaving".rstrip()
    )


def epsilon_cap(check: ProposalCheck) -> float:
    """The largest excess a fix may leave, in the case unit: 0, or the game's least core ε*
    when the core is empty only within the core tolerance."""
    return max(float(check.analysis.least_core_epsilon), 0.0)


# -- the fix: the two-step solve -----------------------------------------------------------------


def allow_excess(m: pyo.ConcreteModel, cap: float) -> None:
    """Let the plan model's ε (fixed at 0 by a hard core) go up to ``cap`` (model units)."""
    m.epsilon.unfix()
    m.epsilon.setlb(0.0)
    m.epsilon.setub(cap)


def define_change(
    m: pyo.ConcreteModel, variables: Sequence[pyo.VarData], start: np.ndarray
) -> None:
    """up_j − down_j = z_j − z⁰_j and the L1 change Σ_j (up_j + down_j) (``m.change``,
    minimised by ``change_objective``, built inactive)."""
    import pyomo.environ as pyo

    m.fix_index = pyo.RangeSet(0, len(variables) - 1)
    m.fix_up = pyo.Var(m.fix_index, bounds=(0.0, None))
    m.fix_down = pyo.Var(m.fix_index, bounds=(0.0, None))
    m.fix_delta = pyo.Constraint(
        m.fix_index,
        rule=lambda m, j: variables[j] - float(start[j]) == m.fix_up[j] - m.fix_down[j],
    )
    m.change = pyo.Expression(expr=sum(m.fix_up[j] + m.fix_down[j] for j in m.fix_index))
    m.change_objective = pyo.Objective(expr=m.change, sense=pyo.minimize)
    m.change_objective.deactivate()


def define_change_count(
    m: pyo.ConcreteModel, variables: Sequence[pyo.VarData], least: float
) -> None:
    """Step 2 on a model of :func:`define_change`: binaries b_j with up_j + down_j ≤ w_j b_j
    (w_j the width of z_j's bounds, at least 1), the L1 change kept at ``least`` (+
    :data:`FIX_SLACK`), and ``count_objective``: min Σ_j b_j (built inactive)."""
    import pyomo.environ as pyo

    def width(j: int) -> float:
        lower, upper = variables[j].lb, variables[j].ub
        return max(float(upper - lower), 1.0) if lower is not None and upper is not None else 1.0

    m.fix_changed = pyo.Var(m.fix_index, domain=pyo.Binary)
    m.count_link = pyo.Constraint(
        m.fix_index,
        rule=lambda m, j: m.fix_up[j] + m.fix_down[j] <= width(j) * m.fix_changed[j],
    )
    slack = FIX_SLACK * (least + len(variables))
    m.change_kept = pyo.Constraint(expr=m.change <= least + slack)
    m.count_objective = pyo.Objective(
        expr=sum(m.fix_changed[j] for j in m.fix_index), sense=pyo.minimize
    )
    m.count_objective.deactivate()


def solved(result: SolveResult, what: str) -> bool:
    """True when optimal, False when infeasible; :class:`SolverError` otherwise."""
    from fairpool.optimizer.solve import SolveStatus

    if result.optimal:
        return True
    if result.status is SolveStatus.INFEASIBLE:
        return False
    hint = "; raise time_limit in sheet case" if result.status is SolveStatus.LIMIT else ""
    raise SolverError(
        f"HiGHS could not solve the smallest fix ({what}): {result.highs_status}{hint}"
    )


def smallest_change(
    m: pyo.ConcreteModel,
    variables: Sequence[pyo.VarData],
    start: np.ndarray,
    time_limit: float | None = None,
    sparse: bool = True,
) -> np.ndarray | None:
    """The decision values nearest to ``start`` (L1, then the fewest changed entries) that
    meet every row of the plan model ``m`` (rules and core); ``None`` when none does.

    ``variables`` are the model's decision variables, in the order of ``start`` (at least
    one). Step 2 (the fewest entries, ``sparse``) is a MILP: when it stops at
    :data:`SPARSE_TIME_LIMIT` or fails, step 1's values are kept.
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import pyomo_solver

    start = np.asarray(start, dtype=float)
    define_change(m, variables, start)
    activate_only(m, "change_objective")
    if not solved(solve_plan_model(m, pyomo_solver(time_limit)), "least change"):
        return None
    first = np.array([v.value for v in variables], dtype=float)
    changed = int((np.abs(first - start) > CHANGE_TOLERANCE).sum())
    if not sparse or changed <= 1:
        return first
    define_change_count(m, variables, float(pyo.value(m.change)))
    activate_only(m, "count_objective")
    limit = SPARSE_TIME_LIMIT if time_limit is None else min(time_limit, SPARSE_TIME_LIMIT)
    try:
        result = solve_plan_model(m, pyomo_solver(limit))
    except SolverError:
        return first
    if not result.optimal:
        return first
    second = np.array([v.value for v in variables], dtype=float)
    if (np.abs(second - start) > CHANGE_TOLERANCE).sum() > changed:
        return first
    # polish: the least L1 change on the entries step 2 chose (step 2 kept the L1 change
    # only within a slack, which lets near-equivalent entries trade a little)
    for j in m.fix_index:
        m.fix_changed[j].fix(round(m.fix_changed[j].value or 0.0))
    m.change_kept.deactivate()
    activate_only(m, "change_objective")
    try:
        polished = solve_plan_model(m, pyomo_solver(limit))
    except SolverError:
        return second
    if not polished.optimal:
        return second
    return np.array([v.value for v in variables], dtype=float)


# -- when no fix exists: the rules in the way ----------------------------------------------------

Source = TypeVar("Source")


def irreducible_conflict(
    sources: Sequence[Source], feasible: Callable[[list[Source]], bool]
) -> list[Source]:
    """A minimal infeasible subset of ``sources`` (the deletion filter of ``solve``'s
    rule-conflict report): drop each source in turn, keep it dropped if the rest is still
    infeasible. Removing any one of those left makes the rest feasible. ``sources`` as a
    whole must be infeasible; empty when even no source at all is feasible."""
    if not feasible([]):
        return []
    needed = list(sources)
    for source in sources:
        trial = [s for s in needed if s is not source]
        if not feasible(trial):
            needed = trial
    return needed


def least_excess_of(m: pyo.ConcreteModel, scale: float, time_limit: float | None) -> float | None:
    """ε* of a soft-core plan model: the least worst excess any plan within its rules
    reaches, in the case unit (``None`` if it cannot be solved)."""
    from fairpool.optimizer.solve import pyomo_solver

    activate_only(m, "epsilon_objective")
    result = solve_plan_model(m, pyomo_solver(time_limit))
    return max(float(result.objective), 0.0) * scale if result.optimal else None


__all__ = [
    "BLOCKING_SHOWN",
    "CHANGE_TOLERANCE",
    "FIX_SLACK",
    "SPARSE_TIME_LIMIT",
    "allow_excess",
    "blocking_coalitions",
    "blocking_masks",
    "define_change",
    "define_change_count",
    "empty_core_obstacle",
    "epsilon_cap",
    "fix_found",
    "fix_impossible",
    "fix_not_needed",
    "irreducible_conflict",
    "least_excess_of",
    "party_positions",
    "smallest_change",
    "with_fix",
]
