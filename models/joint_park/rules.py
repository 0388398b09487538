"""The negotiated rules of a park on split ratios: which ``rules`` rows govern each ratio,
the bounds they set, and the rules a given ratio plan breaks.

A ratio r[p, k, h] is governed by the matching rows of the highest specificity: a row naming
a stream and a phase beats one naming only one of them, which beats ``* *``; rows of equal
specificity all apply (their intersection).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

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


_RULES_IN_FORCE: weakref.WeakKeyDictionary[JointParkCase, list[tuple[RatioRule, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def rules_in_force(
    case: JointParkCase, rules: Sequence[RatioRule] | None = None
) -> list[tuple[RatioRule, np.ndarray]]:
    """Each rule row with the (stream, phase) cells where it governs its party's ratio (the
    matching rows of the highest specificity; see the module docstring). The case's own
    rules are worked out once per case object (a sweep checks hundreds of plans)."""
    if rules is None:
        known = _RULES_IN_FORCE.get(case)
        if known is None:
            known = _RULES_IN_FORCE[case] = _rules_in_force(case, case.rules)
        return known
    return _rules_in_force(case, rules)


def _rules_in_force(
    case: JointParkCase, rules: Sequence[RatioRule]
) -> list[tuple[RatioRule, np.ndarray]]:
    shape = (len(case.streams), len(case.phases))
    streams = [stream.stream for stream in case.streams]
    phases = [phase.phase for phase in case.phases]
    best = np.full((case.n, *shape), -1)
    matched = []
    for rule in rules:
        p = case.party_index(rule.party)
        in_stream = np.array([matches(rule.stream, stream) for stream in streams])
        in_phase = np.array([matches(rule.phase, phase) for phase in phases])
        cells = np.outer(in_stream, in_phase)
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


@dataclass(frozen=True)
class RuleSlack:
    """One rule of a case judged on one plan or a stack of plans: ``slack[..., j]`` is how far
    inequality j of the rule is kept (≥ 0 kept; broken below −``tolerance``), affine in the
    ratios and the yearly takes, so affine along a swept line wherever the takes are.

    ``rule``: the rule in words (``breaks …``); ``years``: for a floor, the year of each
    inequality (named in the message), else ``None``.
    """

    rule: str
    slack: np.ndarray
    tolerance: float
    years: np.ndarray | None = None

    def broken(self) -> np.ndarray:
        """Per plan of the stack (the leading axes): does it break this rule?"""
        return np.asarray((self.slack < -self.tolerance).any(axis=-1))

    def message(self) -> str:
        """The rule in words, a floor with the first five years it is missed (one plan)."""
        if self.years is None:
            return self.rule
        short = self.years[self.slack < -self.tolerance]
        return f"{self.rule} in {', '.join(str(int(year)) for year in short[:5])}"


def rule_slacks(
    case: JointParkCase, pools: Pools, ratios: np.ndarray, take: np.ndarray
) -> list[RuleSlack]:
    """Every rule ``check`` judges, as slacks of the plan(s) r[..., p, k, h] with yearly cash
    takes take[..., p, t] (:func:`~fairpool.models.joint_park.flows.evaluate_plan`; leading
    axes: a stack of plans). Caps cannot be broken (they truncate), so they have none.

    * a rules row: r − min_ratio and max_ratio − r on the cells it governs (tolerance
      :data:`RULE_TOLERANCE`); its schedule: ±(r[h + 1] − r[h]) on every stream it names;
    * a floor: (take − need) / :func:`amount_scale` in the years of its window (tolerance
      :data:`FLOOR_TOLERANCE`), the take over the floor's streams (the capped cash take when
      they are all the cash streams);
    * the one-ratio key: the cash streams' ratios equal to the first one's within
      :data:`RULE_TOLERANCE` + 1e-5 · r (``numpy.allclose``'s test; ratios are ≥ 0).
    """
    slacks: list[RuleSlack] = []
    lead = ratios.shape[:-3]
    for rule, cells in rules_in_force(case):
        p = case.party_index(rule.party)
        values = ratios[..., p, :, :][..., cells]
        if values.shape[-1]:
            bounds = np.concatenate([values - rule.min_ratio, rule.max_ratio - values], axis=-1)
            slacks.append(RuleSlack(f"breaks {rule.describe()}", bounds, RULE_TOLERANCE))
        if rule.schedule == "free":
            continue
        sign = -1.0 if rule.schedule == "nonincreasing" else 1.0
        for k, stream in enumerate(case.streams):
            if matches(rule.stream, stream.stream):
                steps = sign * np.diff(ratios[..., p, k, :], axis=-1)
                slacks.append(
                    RuleSlack(
                        f"breaks the {rule.schedule} schedule of {rule.describe()} "
                        f"(stream {stream.stream})",
                        steps,
                        RULE_TOLERANCE,
                    )
                )
    phase = case.phase_of_year
    in_phase = phase >= 0
    for limit in case.limits:
        if limit.limit != "floor":
            continue
        p = case.party_index(limit.party)
        window = (case.years >= limit.start_year) & (case.years <= limit.end_year)
        scope = [case.stream_index(s) for s in limit.streams]
        if sorted(scope) == sorted(np.flatnonzero(case.cash).tolist()):
            floor_take = take[..., p, :]
        else:
            own = np.zeros((*lead, len(case.years)))
            for k in scope:
                own[..., in_phase] += ratios[..., p, k, phase[in_phase]] * pools.split[k, in_phase]
            floor_take = own + pools.stock[p, scope].sum(axis=0)
        need = limit.amount + (pools.cost[p] if limit.plus_costs else 0.0)
        margin = (floor_take - need)[..., window] / amount_scale(pools, limit)
        slacks.append(
            RuleSlack(f"breaks {limit.describe()}", margin, FLOOR_TOLERANCE, case.years[window])
        )
    if case.one_ratio_for_all_streams:
        cash = np.flatnonzero(case.cash)
        first = ratios[..., :, cash[:1], :]
        gap = ratios[..., :, cash, :] - first
        allowed = RULE_TOLERANCE + 1e-5 * np.abs(first)
        sides = np.concatenate([allowed - gap, allowed + gap], axis=-3).reshape(*lead, -1)
        slacks.append(
            RuleSlack("breaks sheet case, key one_ratio_for_all_streams (TRUE)", sides, 0.0)
        )
    return slacks


def proposal_violations(
    case: JointParkCase, pools: Pools, ratios: np.ndarray, flows: PlanFlows
) -> list[str]:
    """The rules rows, schedules, floors and the one-ratio key that a ratio plan breaks, each
    named by sheet and row (:func:`rule_slacks`; caps cannot be broken: they truncate)."""
    return [s.message() for s in rule_slacks(case, pools, ratios, flows.take) if s.broken()]


def plans_within_rules(
    case: JointParkCase, pools: Pools, ratios: np.ndarray, take: np.ndarray
) -> np.ndarray:
    """For a stack of plans r[m, p, k, h] with takes take[m, p, t]: does plan m keep every
    rule (:func:`proposal_violations` is empty)? One pass over the rules for all of them."""
    kept = np.ones(ratios.shape[0], dtype=bool)
    for slack in rule_slacks(case, pools, ratios, take):
        kept &= ~slack.broken()
    return kept


__all__ = [
    "FLOOR_TOLERANCE",
    "RULE_TOLERANCE",
    "RuleSlack",
    "amount_scale",
    "matches",
    "plans_within_rules",
    "proposal_violations",
    "ratio_bounds",
    "rule_slacks",
    "rules_in_force",
    "specificity",
]
