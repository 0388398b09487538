"""joint_park — co-built park tax sharing (飞地经济 / 共建园区), SPEC §2.1.

Parties contribute land, capital, management and relocated firms to a park made of
*components* c (zones, phases, projects). Component c needs the parties R_c, costs party p
C[c, p, t] in year t and yields R[c, k, t] of revenue stream k (the locally retained,
shareable amount). With the discount factor d_t = (1 + r)^−(t − base_year):

Coalition game (one MILP, formulated once; :mod:`~fairpool.models.joint_park.coalitions`):

    v(S) = max Σ_c w_c y_c   over y ∈ {0,1}^C with
           y_c ≤ [R_c ⊆ S]        (only components whose required parties are all in S)
           y_c ≤ y_d              (c depends on d),   y_c + y_e ≤ 1   (c excludes e)
    w_c  = Σ_t d_t (Σ_{k cash} R[c, k, t] − Σ_p C[c, p, t])

Statistic streams (GDP credit) are never in w_c. A party paying for a component is treated as
required by it (warned). An explicit ``coalitions`` sheet overrides v(S).

Plan model (ratios r[p, k, h] per party, stream and phase; the grand coalition's components;
:mod:`~fairpool.models.joint_park.flows`, :mod:`~fairpool.models.joint_park.plan_model`):

    pool A[k, t] = Σ_c y*_c R[c, k, t];   存量不动、增量分成: with base year b_k, the stock
    min(A[k, t], A[k, b_k]) stays with the stock owner and only the growth is split;
    take[p, t]   = Σ_{k cash} (r[p, k, h(t)] · A'[k, t] + stock[p, k, t])  ± cap overflows
    npv[p]       = Σ_t d_t (take[p, t] − cost[p, t])

subject to the negotiated rules (ratio bounds, fixed ratios, one ratio for all streams,
monotone schedules, yearly floors, cumulative caps that truncate and pass the excess on),
optionally the core (x(S) ≥ v(S) − ε for every proper coalition), and closest to a target
allocation (L1 or L∞), or maximising the Nash product Σ log(npv_p − v({p})).

The solve is lexicographic (:mod:`~fairpool.models.joint_park.plan`): (1) least core
violation ε* (``core="soft"``; ``"hard"`` forces ε = 0), (2) the distance to the target given
ε ≤ ε*, (3) a tie-break among equally close plans: ratios closest to the target's share of the
pool (this also sets statistic-stream ratios).

The family's contract (:class:`fairpool.models.family.Family`) is :data:`FAMILY`; the modules:
``schema`` (sheets), ``case`` and ``checks`` (reading), ``coalitions`` (v(S)), ``flows`` and
``rules`` (plan arithmetic), ``plan_model`` and ``plan`` (the plan), ``proposal`` (check,
sweep, core band), ``template``.
"""

from __future__ import annotations

from fairpool.models.family import family_from_modules
from fairpool.models.joint_park import case, coalitions, oracle_plan, plan, proposal, template
from fairpool.models.joint_park.bands import core_band, line_bands, rules_band
from fairpool.models.joint_park.case import (
    MODEL,
    TARGETS,
    JointParkCase,
    Limit,
    Phase,
    RatioRule,
    Stream,
    case_from_rows,
    case_from_tables,
    read_case,
)
from fairpool.models.joint_park.coalitions import (
    ParkCoalitionModel,
    ParkEvaluator,
    coalition_game,
    coalition_milp,
    coalition_model,
    coalition_values,
)
from fairpool.models.joint_park.flows import (
    PlanFlows,
    Pools,
    cash_flow_frame,
    evaluate_plan,
    park_pools,
    ratios_frame,
    ratios_from_frame,
    statistics_frame,
)
from fairpool.models.joint_park.plan import (
    NASH_TOLERANCE,
    ParkGame,
    park_game,
    solve,
    solve_plan,
    target_allocation,
)
from fairpool.models.joint_park.plan_model import PlanSpec, SweepSpec, build_plan_model
from fairpool.models.joint_park.proposal import (
    check,
    proposal_from_rows,
    read_proposal,
    sweep,
)
from fairpool.models.joint_park.rules import proposal_violations, ratio_bounds, rules_in_force
from fairpool.models.joint_park.schema import JOINT_PARK
from fairpool.models.joint_park.template import (
    TEMPLATE_SETTINGS,
    template_rows,
    write_case,
    write_template,
)

__all__ = [
    "FAMILY",
    "JOINT_PARK",
    "MODEL",
    "NASH_TOLERANCE",
    "TARGETS",
    "TEMPLATE_SETTINGS",
    "JointParkCase",
    "Limit",
    "ParkCoalitionModel",
    "ParkEvaluator",
    "ParkGame",
    "Phase",
    "PlanFlows",
    "PlanSpec",
    "Pools",
    "RatioRule",
    "Stream",
    "SweepSpec",
    "build_plan_model",
    "case_from_rows",
    "case_from_tables",
    "cash_flow_frame",
    "check",
    "coalition_game",
    "coalition_milp",
    "coalition_model",
    "coalition_values",
    "core_band",
    "evaluate_plan",
    "line_bands",
    "park_game",
    "park_pools",
    "proposal_from_rows",
    "proposal_violations",
    "ratio_bounds",
    "ratios_frame",
    "ratios_from_frame",
    "read_case",
    "read_proposal",
    "rules_band",
    "rules_in_force",
    "solve",
    "solve_plan",
    "statistics_frame",
    "sweep",
    "target_allocation",
    "template_rows",
    "write_case",
    "write_template",
]

FAMILY = family_from_modules(JOINT_PARK, case, coalitions, plan, proposal, template, oracle_plan)
"""The joint-park family (:class:`fairpool.models.family.Family`): the contract's functions on
a :class:`JointParkCase`; proposals are ratio tables (party, stream, phase, ratio)."""
