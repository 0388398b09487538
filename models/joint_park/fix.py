"""The smallest fix of a split proposal: the least change of its ratios r[p, k, h] (per party,
stream and phase) that puts it in the core within the rules.

Built on the plan model of :mod:`fairpool.models.joint_park.plan_model` with every rule source
of the case (rules rows, schedules, the one-ratio key, floors, caps) and the core hard; the
objective is the L1 distance to the proposal's ratios, then the fewest ratios changed
(:func:`fairpool.models.fixing.smallest_change`). When no split within the rules is in the
core, the rules that stand in the way come from the deletion filter over the same rule
sources that ``solve`` uses to explain an infeasible plan.
"""

from __future__ import annotations

import time

import numpy as np

from fairpool.models.family import FixChange, ProposalCheck, ProposalFix
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
from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.flows import evaluate_plan
from fairpool.models.joint_park.plan import (
    ParkGame,
    RuleSource,
    describe_source,
    feasible,
    rule_sources,
    spec_with,
)
from fairpool.models.joint_park.plan_model import build_plan_model, default_spec
from fairpool.models.joint_park.rules import proposal_violations, ratio_bounds
from fairpool.models.planning import PLAN_TOLERANCE


def fix_proposal(
    case: JointParkCase, park: ParkGame, ratios: np.ndarray, check: ProposalCheck
) -> ProposalFix:
    """The smallest change of the proposal's ``ratios`` (r[p, k, h]) that puts it in the core
    within the rules, judged like a proposal (NPVs by :func:`evaluate_plan`, rules by
    :func:`proposal_violations`); ``not_needed`` when ``check`` found it fair, ``impossible``
    (with the rules in the way) when no split within the rules is in the core."""
    started = time.perf_counter()
    if check.fair:
        return fix_not_needed(check, "ratio")
    empty = empty_core_obstacle(check)
    if empty is not None:
        return fix_impossible(check, "ratio", [empty], least_excess(case, park), started)
    m = build_plan_model(case, park.game, park.pools, np.zeros(case.n), default_spec(case, "hard"))
    allow_excess(m, epsilon_cap(check) / m.money_scale + PLAN_TOLERANCE)
    shape = ratios.shape  # stream, then phase, then party: the order a reader scans
    index = [(p, k, h) for k in range(shape[1]) for h in range(shape[2]) for p in range(shape[0])]
    start = np.array([ratios[i] for i in index])
    values = smallest_change(m, [m.r[i] for i in index], start, case.time_limit)
    if values is None:
        obstacles = rule_obstacles(case, park)
        least = least_excess(case, park)
        return fix_impossible(check, "ratio", obstacles, least, started, conflict=True)
    lo, hi = ratio_bounds(case)
    fixed = ratios.copy()
    for j, i in enumerate(index):
        fixed[i] = values[j]
    fixed = np.clip(np.clip(fixed, lo, hi), 0.0, 1.0)
    flows = evaluate_plan(case, park.pools, fixed)
    labels = [
        FixChange(case.parties[p], case.streams[k].stream, case.phases[h].phase, "", 0.0, 0.0)
        for p, k, h in index
    ]
    return fix_found(
        park.game,
        "ratio",
        labels,
        start,
        np.array([fixed[i] for i in index]),
        flows.npv,
        proposal_violations(case, park.pools, fixed, flows),
        started,
    )


def rule_obstacles(case: JointParkCase, park: ParkGame) -> list[str]:
    """The rules that keep every split out of the core: a minimal set of the case's rule
    sources that, with the core, admits no split (without any one of them the others would
    admit one), each named by sheet and row as ``solve`` names them."""
    spec = default_spec(case, "hard")

    def admits(sources: list[RuleSource]) -> bool:
        return feasible(case, park.game, park.pools, spec_with(spec, sources))

    conflict = irreducible_conflict(rule_sources(spec), admits)
    lines = [describe_source(source) for source in conflict if source != "core"]
    if "core" not in conflict:
        lines.append("these rules admit no split at all, core or not")
    return lines or ["the ratios of each stream and phase must add up to 1"]


def least_excess(case: JointParkCase, park: ParkGame) -> float | None:
    """The least worst excess of any split within the rules (``solve``'s ε* step)."""
    m = build_plan_model(case, park.game, park.pools, np.zeros(case.n), default_spec(case, "soft"))
    return least_excess_of(m, float(m.money_scale), case.time_limit)


__all__ = ["fix_proposal", "least_excess", "rule_obstacles"]
