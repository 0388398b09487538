"""A split proposal judged (``fairpool check``) and one ratio slid (``fairpool sweep``), with
the exact band of ratios where no coalition blocks the plan.

A sweep slides r[party, stream, phase] = ρ (``*``: every cash stream, every phase); the other
parties share 1 − ρ in their base proportions, so the NPVs x(ρ) follow one line and the
core band is {ρ : x(S)(ρ) ≥ v(S) for every proper coalition S}.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fairpool.models.family import ALL, ProposalCheck, SweepLine, SweepResult
from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.flows import (
    cash_flow_frame,
    evaluate_plan,
    ratios_from_frame,
)
from fairpool.models.joint_park.plan import (
    ParkGame,
    park_game,
    solve_plan,
    target_allocation,
)
from fairpool.models.joint_park.plan_model import PlanSpec, SweepSpec, build_plan_model
from fairpool.models.joint_park.rules import proposal_violations, ratio_bounds
from fairpool.models.planning import activate_only, solve_plan_model
from fairpool.models.verdicts import judge_proposal, sweep_row
from fairpool.optimizer.errors import CaseError, SolverError
from fairpool.optimizer.workbook.checks import check_sweep_party, known_list

EVERY = (ALL, "all")
"""How a sweep line names every stream or every phase."""


def check(case: JointParkCase, proposal: pd.DataFrame | None = None) -> ProposalCheck:
    """Judge a proposal: NPVs, individual rationality, core membership, distances, rules.

    ``proposal`` (party, stream, phase, ratio; no wildcards) defaults to the case's
    ``proposal`` sheet. The coalition game is computed once; every method, the verdict and
    the distances come from :func:`fairpool.models.verdicts.judge_proposal`.
    """
    if proposal is None:
        if case.proposal is None:
            raise CaseError(
                f"{Path(case.source).name}: no proposal sheet to check; add sheet "
                "proposal (party, stream, phase, ratio) or pass a proposal file"
            )
        proposal = case.proposal
    park = park_game(case)
    ratios = ratios_from_frame(case, proposal)
    flows = evaluate_plan(case, park.pools, ratios)
    violations = proposal_violations(case, park.pools, ratios, flows)
    cash_flows = cash_flow_frame(case, flows)
    return judge_proposal(
        case, park.game, flows.npv, "ratios", proposal, cash_flows, rule_violations=violations
    )


# -- sweeps and the core band ----------------------------------------------------------------------


def sweep_cells(case: JointParkCase, stream: str, phase: str) -> tuple[tuple[int, int], ...]:
    """The (stream, phase) cells a sweep line slides: every cash stream for ``*``, every
    phase for ``*``; an unknown stream or phase is a :class:`CaseError` listing the known."""
    stream_ids = [s.stream for s in case.streams]
    phase_ids = [p.phase for p in case.phases]
    if stream in EVERY:
        streams = [k for k, s in enumerate(case.streams) if s.kind == "cash"]
    elif stream in stream_ids:
        streams = [case.stream_index(stream)]
    else:
        raise CaseError(f"unknown stream {stream!r}; " + known_list("streams", stream_ids))
    if phase in EVERY:
        phases = list(range(len(case.phases)))
    elif str(phase) in phase_ids:
        phases = [case.phase_index(str(phase))]
    else:
        raise CaseError(f"unknown phase {phase!r}; " + known_list("phases", phase_ids))
    return tuple((k, h) for k in streams for h in phases)


def base_ratios(
    case: JointParkCase, base: pd.DataFrame | np.ndarray | None, park: ParkGame
) -> np.ndarray:
    """The ratios a sweep starts from: ``base``, else the proposal sheet, else the plan for
    the case's target (Shapley for the Nash target)."""
    if isinstance(base, np.ndarray):
        return base
    if isinstance(base, pd.DataFrame):
        return ratios_from_frame(case, base)
    if case.proposal is not None:
        return ratios_from_frame(case, case.proposal)
    target = "shapley" if case.target == "nash" else case.target
    goal = target_allocation(park.game, target).shares
    return solve_plan(case, park.game, park.pools, goal, case.core, case.distance).ratios


def swept_ratios(case: JointParkCase, spec: SweepSpec, rho: float) -> np.ndarray:
    """The base ratios with r[party, k, h] = ρ on the swept cells and the other parties'
    ratios scaled to share 1 − ρ as in the base (equally when the base left them nothing)."""
    ratios = spec.base.copy()
    for k, h in spec.cells:
        rest = 1.0 - spec.base[spec.party, k, h]
        for p in range(case.n):
            if p == spec.party:
                ratios[p, k, h] = rho
            else:
                share = spec.base[p, k, h] / rest if rest > 1e-12 else 1.0 / (case.n - 1)
                ratios[p, k, h] = share * (1.0 - rho)
    return ratios


def sweep(
    case: JointParkCase,
    line: SweepLine,
    values: Sequence[float],
    *,
    base: pd.DataFrame | np.ndarray | None = None,
) -> SweepResult:
    """Each party's NPV and the core verdict as one ratio slides, and the exact core band.

    The ratio r[line.party, line.stream, line.phase] takes each value (in [0, 1]); the other
    parties share the rest in their ``base`` proportions (base: the given ratios, else the
    proposal sheet, else the plan for the case's target); every other ratio stays at
    ``base``. One coalition game and one base plan serve the table and the band.

    Table columns: ``ratio``, ``npv_<party>`` per party, ``in_core``, ``worst_coalition``,
    ``worst_excess`` (:func:`fairpool.models.verdicts.sweep_row`), ``within_rules`` (the
    swept ratios respect the rules rows). Band: :func:`core_band`.
    """
    check_sweep_party(case.parties, line.party)
    cells = sweep_cells(case, line.stream, str(line.phase))
    ratios_asked = [float(rho) for rho in values]
    for rho in ratios_asked:
        if not 0.0 <= rho <= 1.0:
            raise CaseError(f"sweep ratio {rho:g} is outside [0, 1]")
    park = park_game(case)
    spec = SweepSpec(case.party_index(line.party), cells, base_ratios(case, base, park))
    lo, hi = ratio_bounds(case)
    swept = np.zeros(lo.shape, dtype=bool)
    for k, h in spec.cells:
        swept[:, k, h] = True
    rows = []
    for rho in ratios_asked:
        ratios = swept_ratios(case, spec, rho)
        flows = evaluate_plan(case, park.pools, ratios)
        within = bool(((ratios >= lo - 1e-9) & (ratios <= hi + 1e-9))[swept].all())
        rows.append(sweep_row(park.game, "ratio", rho, flows.npv, within_rules=within))
    return SweepResult(
        line=line,
        value_column="ratio",
        table=pd.DataFrame.from_records(rows),
        core_band=core_band(case, park, spec),
    )


def core_band(case: JointParkCase, park: ParkGame, spec: SweepSpec) -> tuple[float, float] | None:
    """The interval of ratios ρ (as in :func:`sweep`) where no coalition blocks, exactly.

    lo = min ρ, hi = max ρ subject to x(S)(ρ) ≥ v(S) for every proper coalition S, where the
    NPVs x(ρ) follow the sweep's rule (caps included: a MILP then). ``None`` if no ratio puts
    the plan in the core. Rules rows and floors do not restrict the band (the sweep's
    ``within_rules`` column shows them).
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import SolveStatus, pyomo_solver

    caps = tuple(limit for limit in case.limits if limit.limit == "cap")
    band_spec = PlanSpec((), caps, False, "hard", schedules=False, sweep=spec)
    m = build_plan_model(case, park.game, park.pools, np.zeros(case.n), band_spec)
    m.band_objective = pyo.Objective(expr=m.rho, sense=pyo.minimize)
    activate_only(m, "band_objective")
    solver = pyomo_solver(case.time_limit)
    low = solve_plan_model(m, solver)
    if low.status is SolveStatus.INFEASIBLE:
        return None
    if not low.optimal:
        raise SolverError(f"HiGHS could not compute the core band: {low.highs_status}")
    m.band_objective.sense = pyo.maximize
    high = solve_plan_model(m, solver)
    if not high.optimal:
        raise SolverError(f"HiGHS could not compute the core band: {high.highs_status}")
    return float(low.objective), float(high.objective)


__all__ = [
    "base_ratios",
    "check",
    "core_band",
    "sweep",
    "sweep_cells",
    "swept_ratios",
]
