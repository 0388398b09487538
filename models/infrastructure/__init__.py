"""infrastructure — co-funded cross-region projects (bridges, rail, river works), SPEC §2.2.

Data: projects p with hosts H_p (every host must agree), dependencies and exclusions, yearly
capex K[p, t] of which an outside funder pays the share σ_p, yearly O&M M[p, t], yearly
benefits b[p, i, t] to each party i, and yearly budgets β[i, t] (no row: no limit). With the
discount factor d_t = (1 + r)^−(t − base_year):

    F[p, t] = (1 − σ_p) K[p, t] + M[p, t]      the cost the parties must fund
    Fpv_p   = Σ_t d_t F[p, t],   Bpv[p, i] = Σ_t d_t b[p, i, t]

Coalition game (:mod:`.coalitions`): v(S) = the most S gains building, alone and within its
pooled budgets, the projects all of whose hosts it holds,
max Σ_p (Σ_{i∈S} Bpv[p, i] − Fpv_p) y_p; only S's own benefits count.

Plan (:mod:`.plan`): the welfare-maximising build plan, and cost shares c[i, p, t] within
each party's budget whose NPVs npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t] are in the
core (or as near as the rules allow) and closest to the target, a rule applied on the
payment game pc(S) = Σ_{i∈S} B_i − v(S) (:mod:`.allocations`). A proposal of cost shares is
judged, and one party's share slid with its exact core band, in :mod:`.proposal`.

Modules: ``schema`` (sheets), ``checks`` and ``case`` (validate, arrays), ``coalitions``,
``allocations``, ``plan``, ``proposal``, ``template``; :data:`FAMILY` is the family contract
(:class:`fairpool.models.family.Family`).
"""

from __future__ import annotations

from fairpool.models.family import family_from_modules
from fairpool.models.infrastructure import case, coalitions, oracle_plan, plan, proposal, template
from fairpool.models.infrastructure.allocations import (
    SideBySide,
    dual_allocation,
    linear_production_reasons,
    payment_game,
    side_by_side,
    territorial_payments,
)
from fairpool.models.infrastructure.case import (
    MODEL,
    InfrastructureCase,
    ProposalShares,
    case_from_rows,
    case_from_tables,
    read_case,
)
from fairpool.models.infrastructure.checks import parse_territorial
from fairpool.models.infrastructure.coalitions import (
    InfrastructureCoalitionModel,
    InfrastructureEvaluator,
    coalition_game,
    coalition_model,
    compile_coalition_model,
)
from fairpool.models.infrastructure.plan import (
    PlanOutcome,
    PlanSpec,
    build_plan_model,
    plan_npv,
    shares_from_frame,
    solve,
    solve_plan,
    welfare_plan,
)
from fairpool.models.infrastructure.proposal import (
    check,
    plan_violations,
    proposal_from_rows,
    read_proposal,
    sweep,
)
from fairpool.models.infrastructure.schema import INFRASTRUCTURE
from fairpool.models.infrastructure.template import write_case, write_template

__all__ = [
    "FAMILY",
    "INFRASTRUCTURE",
    "MODEL",
    "InfrastructureCase",
    "InfrastructureCoalitionModel",
    "InfrastructureEvaluator",
    "PlanOutcome",
    "PlanSpec",
    "ProposalShares",
    "SideBySide",
    "build_plan_model",
    "case_from_rows",
    "case_from_tables",
    "check",
    "coalition_game",
    "coalition_model",
    "compile_coalition_model",
    "dual_allocation",
    "linear_production_reasons",
    "parse_territorial",
    "payment_game",
    "plan_npv",
    "plan_violations",
    "proposal_from_rows",
    "read_case",
    "read_proposal",
    "shares_from_frame",
    "side_by_side",
    "solve",
    "solve_plan",
    "sweep",
    "territorial_payments",
    "welfare_plan",
    "write_case",
    "write_template",
]

FAMILY = family_from_modules(
    INFRASTRUCTURE, case, coalitions, plan, proposal, template, oracle_plan
)
"""The infrastructure family (:class:`fairpool.models.family.Family`); proposals are
:class:`ProposalShares`."""
