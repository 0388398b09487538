"""The negotiated rules of a park on split ratios: which ``rules`` rows govern each ratio,
the bounds they set, and the rules a given ratio plan breaks.

A ratio r[p, k, h] is governed by the matching rows of the highest specificity: a row naming
a stream and a phase beats one naming only one of them, which beats ``* *``; rows of equal
specificity all apply (their intersection).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fairpool.models.joint_park.case import JointParkCase, Limit, RatioRule
from fairpool.models.joint_park.flows import PlanFlows, Pools
from fairpool.optimizer.workbook.schema import ALL

RULE_TOLERANCE = 1e-9
"""How far a ratio may pass a rule's bound and still keep it (rounding)."""


FLOOR_TOLERANCE = 1e-7
"""How far a take may fall short of a floor and still meet it, relative to the park's
amounts (:func:`amount_scale`): the same in 元 as in 亿元."""


def amount_scale(pools: Pools, limit: Limit) -> float:
    """The largest amount of the park's pools, costs and ``limit``: the scale a floor is
    checked at (1.0 when everything is zero)."""
    largest = max(
        float(np.abs(pools.split).max(initial=0.0)),
        float(np.abs(pools.cost).max(initial=0.0)),
        abs(float(limit.amount)),
    )
    return largest if largest > 0.0 else 1.0


def matches(rule_value: str, value: str) -> bool:
    """A rule's stream (phase) cell names ``value`` or is ``*``."""
    return rule_value in (ALL, value)


def specificity(rule: RatioRule) -> int:
    """0 for ``* *``, 1 for a row naming a stream or a phase, 2 for one naming both."""
    return (rule.stream != ALL) + (rule.phase != ALL)


def rules_in_force(
    case: JointParkCase, rules: Sequence[RatioRule] | None = None
) -> list[tuple[RatioRule, np.ndarray]]:
    """Each rule row with the (stream, phase) cells where it governs its party's ratio (the
    matching rows of the highest specificity; see the module docstring)."""
    rules = case.rules if rules is None else rules
    shape = (len(case.streams), len(case.phases))
    best = np.full((case.n, *shape), -1)
    matched = []
    for rule in rules:
        p = case.party_index(rule.party)
        cells = np.zeros(shape, dtype=bool)
        for k, stream in enumerate(case.streams):
            for h, phase in enumerate(case.phases):
                cells[k, h] = matches(rule.stream, stream.stream) and matches(
                    rule.phase, phase.phase
                )
        best[p][cells] = np.maximum(best[p][cells], specificity(rule))
        matched.append((rule, p, cells))
    return [(rule, cells & (best[p] == specificity(rule))) for rule, p, cells in matched]


def ratio_bounds(
    case: JointParkCase, rules: Sequence[RatioRule] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """lo[p, k, h], hi[p, k, h] from the rule rows in force (see :func:`rules_in_force`)."""
    shape = (case.n, len(case.streams), len(case.phases))
    lo, hi = np.zeros(shape), np.ones(shape)
    for rule, cells in rules_in_force(case, rules):
        p = case.party_index(rule.party)
        lo[p][cells] = np.maximum(lo[p][cells], rule.min_ratio)
        hi[p][cells] = np.minimum(hi[p][cells], rule.max_ratio)
    return lo, hi


def proposal_violations(
    case: JointParkCase, pools: Pools, ratios: np.ndarray, flows: PlanFlows
) -> list[str]:
    """The rules rows, schedules, floors and the one-ratio key that a ratio plan breaks, each
    named by sheet and row (caps cannot be broken: they truncate)."""
    problems = []
    tol = RULE_TOLERANCE
    for rule, cells in rules_in_force(case):
        p = case.party_index(rule.party)
        values = ratios[p][cells]
        if values.size and (
            (values < rule.min_ratio - tol).any() or (values > rule.max_ratio + tol).any()
        ):
            problems.append(f"breaks {rule.describe()}")
        if rule.schedule != "free":
            for k, stream in enumerate(case.streams):
                if not matches(rule.stream, stream.stream):
                    continue
                steps = np.diff(ratios[p, k])
                bad = (steps > tol) if rule.schedule == "nonincreasing" else (steps < -tol)
                if bad.any():
                    problems.append(
                        f"breaks the {rule.schedule} schedule of {rule.describe()} "
                        f"(stream {stream.stream})"
                    )
    for limit in case.limits:
        if limit.limit != "floor":
            continue
        p = case.party_index(limit.party)
        window = (case.years >= limit.start_year) & (case.years <= limit.end_year)
        scope = [case.stream_index(s) for s in limit.streams]
        phase = case.phase_of_year
        if sorted(scope) == sorted(np.flatnonzero(case.cash).tolist()):
            take = flows.take[p]
        else:
            take = np.array(
                [
                    sum(
                        ratios[p, k, phase[t]] * pools.split[k, t] if phase[t] >= 0 else 0.0
                        for k in scope
                    )
                    + pools.stock[p, scope, t].sum()
                    for t in range(len(case.years))
                ]
            )
        need = limit.amount + (pools.cost[p] if limit.plus_costs else 0.0)
        short = window & (take < need - FLOOR_TOLERANCE * amount_scale(pools, limit))
        if short.any():
            years = ", ".join(str(y) for y in case.years[short][:5])
            problems.append(f"breaks {limit.describe()} in {years}")
    if case.one_ratio_for_all_streams:
        cash = np.flatnonzero(case.cash)
        if not np.allclose(ratios[:, cash], ratios[:, cash[:1]], atol=RULE_TOLERANCE):
            problems.append("breaks sheet case, key one_ratio_for_all_streams (TRUE)")
    return problems


__all__ = [
    "FLOOR_TOLERANCE",
    "RULE_TOLERANCE",
    "amount_scale",
    "matches",
    "proposal_violations",
    "ratio_bounds",
    "rules_in_force",
    "specificity",
]
