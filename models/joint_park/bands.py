"""The two bands of a park's sweep: the ratios ρ where no coalition blocks the swept plan (the
core band) and the part of it where the plan also keeps the case's rules (the band within
the rules).

Along a sweep every ratio is affine in ρ (:class:`SweepSpec`), so every party's yearly take
and NPV is too, except where a revenue cap binds: a cap truncates its party's take from the
year its cumulative take reaches the cap, and that year moves with ρ, so the takes change
slope at each ρ where Σ_{τ≤t} take_τ(ρ) = cap for a year t of the cap's window
(:func:`cap_kinks`, one root each). Between two kinks everything is affine, and each proper
coalition S and each rule inequality gives one half-line of ρ:

    core:   x(S)(ρ) − v(S) ≥ 0
    rules:  slack_j(ρ) ≥ 0        (:func:`~.rules.rule_slacks`)

so on a full table of coalition values both bands are intersections of half-lines on each
piece, taken over all 2^n coalitions at once with numpy (:func:`line_bands`); the band is
the lowest to the highest ρ found on any piece, as the MILPs min ρ / max ρ give it.
Affinity is checked, not assumed: on each piece the NPVs and takes at an interior point must
lie on the line through the piece's ends, else :func:`line_bands` returns ``None`` and the
caller falls back to the MILPs (:func:`core_band`, :func:`rules_band`), which also serve a
game seen only through its separation oracle (constraint generation, issue 13).
"""

from __future__ import annotations

import numpy as np

from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.flows import Pools, evaluate_plan
from fairpool.models.joint_park.plan import ParkGame
from fairpool.models.joint_park.plan_model import PlanSpec, SweepSpec, build_plan_model
from fairpool.models.joint_park.rules import rule_slacks
from fairpool.models.planning import (
    PLAN_TOLERANCE,
    PlanGame,
    activate_only,
    money_scale,
    solve_plan_model,
)
from fairpool.models.sweeps import AFFINE_PROBE, line_pieces
from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import unit_scale

Band = tuple[float, float]

AFFINE_TOLERANCE = 1e-9
"""How far (relative to the amounts' scale, or in a rule's own units) the NPVs, takes and
rule slacks at a piece's interior probe may leave the straight line through its ends and
still count as affine; beyond it :func:`line_bands` leaves the bands to the MILPs."""


def cap_kinks(case: JointParkCase, pools: Pools, spec: SweepSpec) -> tuple[float, ...]:
    """The ρ in (0, highest) where a cap starts to bind in another year: for each cap and
    each year t of its window, the root of Σ_{τ≤t} (offset + ρ · slope)·A'_τ = cap over the
    cap's streams (the capped party's untruncated take is affine in ρ)."""
    offset, slope = spec.line()
    phase = case.phase_of_year
    kinks: list[float] = []
    for limit in case.limits:
        if limit.limit != "cap":
            continue
        p = case.party_index(limit.party)
        scope = [case.stream_index(stream) for stream in limit.streams]
        years = np.flatnonzero(
            (case.years >= limit.start_year) & (case.years <= limit.end_year) & (phase >= 0)
        )
        at_zero = np.cumsum([offset[p, scope, phase[t]] @ pools.split[scope, t] for t in years])
        change = np.cumsum([slope[p, scope, phase[t]] @ pools.split[scope, t] for t in years])
        moving = np.abs(change) > 1e-12 * max(1.0, float(np.abs(at_zero).max(initial=0.0)))
        kinks += [float(r) for r in (limit.amount - at_zero[moving]) / change[moving]]
    return tuple(sorted(k for k in kinks if 0.0 < k < spec.highest))


def line_bands(
    case: JointParkCase, park: ParkGame, spec: SweepSpec
) -> tuple[Band | None, Band | None] | None:
    """(core band, band within the rules) of the line ``spec`` on the park's full table of
    coalition values, exactly, by half-lines on each affine piece (module docstring);
    ``None`` for either band when no ρ is in it. ``None`` altogether when the swept plan is
    not affine on a piece (then :func:`core_band` and :func:`rules_band` decide).

    A coalition's half-line is where its surplus x(S) − v(S), in units of the money scale, is
    ≥ 0, a rule's where its slacks are ≥ 0 (:func:`_kept_interval`: exact where the line
    moves them, so the ends are the MILPs' ends; within the tolerance where it does not).
    """
    core_found: list[Band] = []
    rules_found: list[Band] = []
    for low, high in line_pieces(spec.highest, cap_kinks(case, park.pools, spec)):
        rhos = (low, high, low + AFFINE_PROBE * (high - low))
        ratios = np.stack([spec.ratios(rho) for rho in rhos])
        flows = [evaluate_plan(case, park.pools, plan) for plan in ratios]
        npv = np.stack([f.npv for f in flows])
        take = np.stack([f.take for f in flows])
        slacks = rule_slacks(case, park.pools, ratios, take)
        amounts = unit_scale(np.concatenate([npv.ravel(), take.ravel()]))
        if not (
            _on_line(npv / amounts, rhos)
            and _on_line(take / amounts, rhos)
            and all(_on_line(s.slack, rhos) for s in slacks)
        ):
            return None
        money = money_scale(park.game)
        surplus = [-park.game.excesses(x)[1:-1] / money for x in npv[:2]]
        core = _kept_interval(surplus[0], surplus[1], (low, high), PLAN_TOLERANCE, (low, high))
        if core is None:
            continue
        core_found.append(core)
        within: Band | None = core
        for slack in slacks:
            if within is None:
                break
            within = _kept_interval(
                slack.slack[0], slack.slack[1], (low, high), slack.tolerance, within
            )
        if within is not None:
            rules_found.append(within)
    return _hull(core_found), _hull(rules_found)


def _on_line(values: np.ndarray, rhos: tuple[float, float, float]) -> bool:
    """values[2] (at rhos[2]) lies on the line through values[0] and values[1] (at rhos[0]
    and rhos[1]) within :data:`AFFINE_TOLERANCE` (absolute: the values are in units of
    their scale)."""
    low, high, probe = rhos
    between = values[0] + (probe - low) / (high - low) * (values[1] - values[0])
    return bool(np.abs(values[2] - between).max(initial=0.0) <= AFFINE_TOLERANCE)


def _kept_interval(
    at_low: np.ndarray, at_high: np.ndarray, piece: Band, tolerance: float, within: Band
) -> Band | None:
    """``within`` narrowed to the ρ of ``piece`` = (low, high) where every slack, affine
    from ``at_low`` (at low) to ``at_high`` (at high), is kept.

    A slack that moves by more than ``tolerance`` over the piece is kept where it is ≥ 0
    (the exact end, as the MILP finds it); one that moves less is judged as ``check`` judges
    a plan, kept when it is ≥ −``tolerance`` at both ends (so rounding noise in a rule the
    line does not touch neither empties the band nor moves its ends)."""
    low, high = piece
    change = at_high - at_low
    lo, hi = within
    moving = np.abs(change) > tolerance
    if (np.minimum(at_low, at_high)[~moving] < -tolerance).any():
        return None
    rate = change[moving] / (high - low)
    start = at_low[moving]
    rising, falling = rate > 0, rate < 0
    if rising.any():
        lo = max(lo, float((low - start[rising] / rate[rising]).max()))
    if falling.any():
        hi = min(hi, float((low - start[falling] / rate[falling]).min()))
    return (lo, hi) if lo <= hi + 1e-12 else None


def _hull(found: list[Band]) -> Band | None:
    """The lowest to the highest ρ of the pieces' bands (``None`` when there are none)."""
    if not found:
        return None
    return min(band[0] for band in found), max(band[1] for band in found)


def core_band(case: JointParkCase, park: ParkGame, spec: SweepSpec) -> Band | None:
    """The interval of ratios ρ (as in :func:`~.proposal.sweep`) where no coalition blocks,
    exactly, by MILP: lo = min ρ, hi = max ρ subject to x(S)(ρ) ≥ v(S) for every proper
    coalition S, where the NPVs x(ρ) follow the sweep's rule (caps included: a MILP then).
    ``None`` if no ratio puts the plan in the core. Rules rows and floors do not restrict it
    (:func:`rules_band` does)."""
    caps = tuple(limit for limit in case.limits if limit.limit == "cap")
    band_spec = PlanSpec((), caps, False, "hard", schedules=False, sweep=spec)
    return _band(case, park.game, park.pools, band_spec)


def rules_band(case: JointParkCase, game: PlanGame, pools: Pools, spec: SweepSpec) -> Band | None:
    """The interval of ratios ρ (as in :func:`~.proposal.sweep`) where no coalition blocks and
    the swept plan keeps every rule of the case, exactly, by MILP: :func:`core_band`'s model
    with the rules rows (bounds on the ratios that move), the monotone schedules, the
    one-ratio key, the yearly floors and the caps. ``None`` if no ratio does. The ratios the
    line does not move are fixed, so a rule the baseline breaks there is caught by
    :func:`fairpool.models.sweeps.band_cuts`, which checks the band with ``check``'s rules."""
    band_spec = PlanSpec(
        case.rules, case.limits, case.one_ratio_for_all_streams, "hard", sweep=spec
    )
    return _band(case, game, pools, band_spec)


def _band(case: JointParkCase, game: PlanGame, pools: Pools, band_spec: PlanSpec) -> Band | None:
    """min ρ and max ρ of a sweep's plan model (:func:`build_plan_model`) on ``game`` (a full
    table, or an oracle whose core rows are generated), or ``None`` when it is infeasible."""
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import SolveStatus, pyomo_solver

    m = build_plan_model(case, game, pools, np.zeros(case.n), band_spec)
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
    "AFFINE_TOLERANCE",
    "cap_kinks",
    "core_band",
    "line_bands",
    "rules_band",
]
