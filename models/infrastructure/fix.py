"""The smallest fix of a cost-share proposal: the least change of its shares s[i, p] (party i's
share of project p's funded cost, every year) that puts it in the core within the budgets.

Built on the plan model of :mod:`fairpool.models.infrastructure.plan` with the proposal's build
plan fixed (shares cannot change what is built), the core hard and each payment tied to the
shares, c[i, p, t] = s[i, p] F[p, t] y_p; the objective is the L1 distance to the proposal's
shares, then the fewest shares changed (:func:`fairpool.models.fixing.smallest_change`).
When no split of the costs is in the core within the budgets, a deletion filter over the
parties' budgets and the core names what stands in the way.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.family import CoreMode, FixChange, ProposalCheck, ProposalFix
from fairpool.models.fixing import (
    allow_excess,
    empty_core_obstacle,
    epsilon_cap,
    fix_found,
    fix_impossible,
    fix_not_needed,
    irreducible_conflict,
    least_excess_of,
    smallest_change,
)
from fairpool.models.infrastructure.case import InfrastructureCase
from fairpool.models.infrastructure.plan import PlanSpec, build_plan_model, plan_npv
from fairpool.models.planning import PLAN_TOLERANCE, activate_only, solve_plan_model
from fairpool.optimizer.game import Game
from fairpool.optimizer.solve import SolveStatus

if TYPE_CHECKING:
    import pyomo.environ as pyo

SHARES_OBSTACLE = "no split of the costs of the projects it builds (shares ≥ 0) is in the core"
"""What stands in the way when even without budgets no split of the build plan's costs is in
the core (its build plan gives up welfare, or the core needs a party to be paid)."""

BUILT = 1e-9
"""A project is built when its build decision y_p exceeds this (divisible projects)."""


def built(build: np.ndarray) -> list[int]:
    """The projects a build plan builds (in part, for divisible ones)."""
    return [p for p in range(len(build)) if build[p] > BUILT]


def share_model(
    case: InfrastructureCase,
    game: Game,
    build: np.ndarray,
    core: CoreMode = "hard",
    budgets: Sequence[int] | None = None,
) -> pyo.ConcreteModel:
    """The plan model with the build plan fixed and the shares s[i, p] of the built projects
    as variables (``m.s``): Σ_i s[i, p] = 1 and c[i, p, t] = s[i, p] F[p, t] y_p.

    ``core``: the plan model's core mode; ``budgets``: the parties whose budget rows hold (``None``:
    every party's, as the plan model has them).
    """
    import pyomo.environ as pyo

    spec = PlanSpec(core, "off", build)
    m = build_plan_model(case, game, np.zeros(case.n), spec)
    cost = case.funded_cost / m.money_scale
    projects = built(build)
    m.s = pyo.Var(m.P, projects, bounds=(0.0, 1.0))
    m.share_total = pyo.Constraint(projects, rule=lambda m, p: sum(m.s[i, p] for i in m.P) == 1)
    links = [(i, j) for i in range(case.n) for j, (p, _t) in enumerate(m.cells) if p in projects]
    m.share_link = pyo.Constraint(
        range(len(links)),
        rule=lambda m, k: (
            m.c[links[k]]
            == m.s[links[k][0], m.cells[links[k][1]][0]]
            * float(cost[m.cells[links[k][1]]] * build[m.cells[links[k][1]][0]])
        ),
    )
    if budgets is not None:
        m.budget_limit.deactivate()
        define_party_budgets(m, case, budgets)
    return m


def define_party_budgets(
    m: pyo.ConcreteModel, case: InfrastructureCase, parties: Sequence[int]
) -> None:
    """Σ_p c[i, p, t] ≤ β[i, t] for the given parties only (a deletion filter's trial)."""
    import pyomo.environ as pyo

    rows = []
    for i in parties:
        for t in range(len(case.years)):
            cells = [j for j, (_p, tt) in enumerate(m.cells) if tt == t]
            if cells and np.isfinite(case.budget[i, t]):
                rows.append((i, cells, float(case.budget[i, t]) / m.money_scale))
    m.party_budget = pyo.Constraint(
        range(len(rows)),
        rule=lambda m, k: sum(m.c[rows[k][0], j] for j in rows[k][1]) <= rows[k][2],
    )


def fix_proposal(
    case: InfrastructureCase,
    game: Game,
    build: np.ndarray,
    shares: np.ndarray,
    check: ProposalCheck,
) -> ProposalFix:
    """The smallest change of the proposal's ``shares`` s[i, p] (its build plan ``build``
    kept) that puts it in the core within the budgets, judged like a proposal; ``not_needed``
    when ``check`` found it fair, ``impossible`` when its build plan breaks a dependency or an
    exclusion, or when no split of its costs is in the core within the budgets."""
    from fairpool.models.infrastructure.proposal import (  # it imports this module
        cost_shares,
        plan_violations,
    )

    started = time.perf_counter()
    if check.fair:
        return fix_not_needed(check, "share")
    links = plan_violations(case, build, np.zeros((case.n, *case.funded_cost.shape)))
    if links:
        obstacles = [
            f"the proposal {line}; cost shares cannot change what is built" for line in links
        ]
        return fix_impossible(check, "share", obstacles, None, started)
    empty = empty_core_obstacle(check)
    if empty is not None:
        return fix_impossible(check, "share", [empty], least_excess(case, game, build), started)
    projects = built(build)
    if not projects:
        return fix_impossible(
            check,
            "share",
            ["the proposal builds nothing: there are no costs to share"],
            None,
            started,
        )
    m = share_model(case, game, build)
    allow_excess(m, epsilon_cap(check) / m.money_scale + PLAN_TOLERANCE)
    index = [(i, p) for p in projects for i in range(case.n)]  # project by project
    start = np.array([shares[i, p] for i, p in index])
    values = smallest_change(m, [m.s[i] for i in index], start, case.time_limit)
    if values is None:
        obstacles = budget_obstacles(case, game, build)
        least = least_excess(case, game, build)
        budgets = not obstacles[-1].startswith(SHARES_OBSTACLE)
        return fix_impossible(check, "share", obstacles, least, started, conflict=budgets)
    fixed = shares.copy()
    for j, (i, p) in enumerate(index):
        fixed[i, p] = min(max(values[j], 0.0), 1.0)
    paid = cost_shares(case, fixed, build)
    labels = [FixChange(case.parties[i], "", "", case.projects[p], 0.0, 0.0) for i, p in index]
    return fix_found(
        game,
        "share",
        labels,
        start,
        np.array([fixed[i] for i in index]),
        plan_npv(case, build, paid),
        plan_violations(case, build, paid),
        started,
    )


def budget_obstacles(case: InfrastructureCase, game: Game, build: np.ndarray) -> list[str]:
    """What keeps every split of the build plan's costs out of the core: a minimal set of
    parties' budgets that, with the core, admits no split (without any one of them the others
    would admit one), or, when the core alone admits none, :data:`SHARES_OBSTACLE`."""
    limited = [i for i in range(case.n) if np.isfinite(case.budget[i]).any()]
    sources: list[int | str] = [*limited, "core"]

    def admits(chosen: Sequence[int | str]) -> bool:
        parties = [s for s in chosen if isinstance(s, int)]
        m = share_model(case, game, build, "hard" if "core" in chosen else "off", parties)
        activate_only(m, "feasibility_objective")
        status = solve_plan_model(m).status
        return status is SolveStatus.OPTIMAL

    conflict = irreducible_conflict(sources, admits)
    lines = [
        f"the yearly budgets of {case.party_names[s]} ({case.parties[s]}) in sheet budgets"
        for s in conflict
        if isinstance(s, int)
    ]
    if not lines:
        lines.append(SHARES_OBSTACLE + "; change the build plan")
    return lines


def least_excess(case: InfrastructureCase, game: Game, build: np.ndarray) -> float | None:
    """The least worst excess of any split of the build plan's costs within the budgets."""
    m = share_model(case, game, build, "soft")
    return least_excess_of(m, float(m.money_scale), case.time_limit)


__all__ = [
    "budget_obstacles",
    "built",
    "define_party_budgets",
    "fix_proposal",
    "least_excess",
    "share_model",
]
