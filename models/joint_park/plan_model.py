"""The plan model of a park (Pyomo), built by ``define_*`` steps each stating its constraint.

Variables: ratios r[p, k, h] per party, stream and phase; NPVs npv[p] (the shared planning
blocks of :mod:`fairpool.models.planning` need only ``m.P`` and ``m.npv``). Built here, never
solved here: :mod:`fairpool.models.joint_park.plan` solves it lexicographically and
:mod:`fairpool.models.joint_park.proposal` reads core bands off it.

Money is in units of the case's money scale s (:func:`fairpool.models.planning.money_scale`,
kept as ``m.money_scale``): every pool, cost, limit, coalition value and target is divided by
s when the model is built, so npv[p], ε and the distance are in units of s (multiply back);
ratios are unit-free. HiGHS then sees numbers of order 1 in 元 as in 亿元.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fairpool.models.family import CoreMode, DistanceKind
from fairpool.models.joint_park.case import JointParkCase, Limit, RatioRule
from fairpool.models.joint_park.flows import Pools
from fairpool.models.joint_park.rules import matches, ratio_bounds
from fairpool.models.planning import (
    PlanGame,
    define_core_constraints,
    define_distance_objective,
    money_scale,
    scaled_game,
)

if TYPE_CHECKING:
    import pyomo.environ as pyo


@dataclass(frozen=True)
class SweepSpec:
    """r[party, k, h] = ρ on ``cells`` (k, h); on those cells the other parties share 1 − ρ
    in their ``base`` proportions (equally when the base left them nothing) or, with
    ``against``, that one party alone takes up the difference, r[against] = base[party] +
    base[against] − ρ, the others keeping theirs; every other ratio stays at ``base``.

    Every ratio is affine in ρ: r(ρ) = offset + ρ · slope (:meth:`line`), which the table,
    the rules and the band models all use.
    """

    party: int
    cells: tuple[tuple[int, int], ...]
    base: np.ndarray
    against: int | None = None

    def line(self) -> tuple[np.ndarray, np.ndarray]:
        """(offset, slope) of r(ρ) = offset + ρ · slope, both shaped like ``base`` (worked
        out once per line: a sweep asks for hundreds of ρ)."""
        return self._line

    @functools.cached_property
    def _line(self) -> tuple[np.ndarray, np.ndarray]:
        offset, slope = self.base.astype(float), np.zeros(self.base.shape)
        n = self.base.shape[0]
        for k, h in self.cells:
            own = float(self.base[self.party, k, h])
            offset[self.party, k, h], slope[self.party, k, h] = 0.0, 1.0
            if self.against is not None:
                q = self.against
                offset[q, k, h], slope[q, k, h] = own + float(self.base[q, k, h]), -1.0
                continue
            rest = 1.0 - own
            for p in range(n):
                if p != self.party:
                    share = float(self.base[p, k, h]) / rest if rest > 1e-12 else 1.0 / (n - 1)
                    offset[p, k, h], slope[p, k, h] = share, -share
        offset.setflags(write=False)
        slope.setflags(write=False)
        return offset, slope

    def ratios(self, rho: float) -> np.ndarray:
        """r(ρ): the plan's ratios with the swept party's at ρ (:meth:`line`)."""
        offset, slope = self.line()
        return offset + rho * slope

    @property
    def highest(self) -> float:
        """The largest ρ the line allows: 1, or with ``against`` what the party and its
        counterparty hold together on the swept cells (the counterparty's ratio stays ≥ 0)."""
        if self.against is None:
            return 1.0
        together = [
            float(self.base[self.party, k, h] + self.base[self.against, k, h])
            for k, h in self.cells
        ]
        return min(1.0, *together)


@dataclass(frozen=True)
class PlanSpec:
    """What goes into a plan model.

    ``rules``/``limits``/``one_ratio``/``core`` select the rule sources (so that an
    infeasible set can be narrowed down); ``fixed`` fixes every ratio (a proposal);
    ``sweep`` ties ratios to one variable ρ (a core band). The simplicity options (issue
    12): ``round_to`` puts every ratio on that grid (:func:`define_round_to`),
    ``uniform_streams`` gives each party one ratio per phase for every cash stream (the
    one-ratio rule, :func:`define_one_ratio`), ``max_changes`` bounds how often a party's
    cash ratios change across phases (:func:`define_max_changes`).
    """

    rules: tuple[RatioRule, ...]
    limits: tuple[Limit, ...]
    one_ratio: bool
    core: CoreMode
    schedules: bool = True
    fixed: np.ndarray | None = None
    sweep: SweepSpec | None = None
    round_to: float | None = None
    uniform_streams: bool = False
    max_changes: int | None = None


def default_spec(case: JointParkCase, core: CoreMode) -> PlanSpec:
    """Every rule source of the case."""
    return PlanSpec(case.rules, case.limits, case.one_ratio_for_all_streams, core)


def cash_streams(case: JointParkCase) -> list[int]:
    """Indices of the cash streams."""
    return [k for k, s in enumerate(case.streams) if s.kind == "cash"]


def define_split_ratios(m: pyo.ConcreteModel, case: JointParkCase) -> None:
    """Σ_p r[p, k, h] = 1 for every stream and phase (≥ 1 for double-counted statistics)."""
    import pyomo.environ as pyo

    m.P = pyo.RangeSet(0, case.n - 1)
    m.K = pyo.RangeSet(0, len(case.streams) - 1)
    m.H = pyo.RangeSet(0, len(case.phases) - 1)
    m.r = pyo.Var(m.P, m.K, m.H, bounds=(0.0, 1.0))

    def rule(m: pyo.ConcreteModel, k: int, h: int) -> object:
        total = sum(m.r[p, k, h] for p in m.P)
        return total >= 1 if case.streams[k].double_count else total == 1

    m.split = pyo.Constraint(m.K, m.H, rule=rule)


def define_ratio_bounds(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """min_ratio ≤ r[p, k, h] ≤ max_ratio for every rule row matching (p, k, h); a fixed plan
    fixes every ratio (a sweep fixes those that do not move in :func:`define_sweep`; its
    core band has no rule rows, so only 0 ≤ r ≤ 1 binds it)."""
    if spec.fixed is not None:
        for index in m.r:
            m.r[index].fix(float(spec.fixed[index]))
        return
    lo, hi = ratio_bounds(case, spec.rules)
    for index in m.r:  # conflicting rows give lb > ub: HiGHS reports the model infeasible
        m.r[index].setlb(float(lo[index]))
        m.r[index].setub(float(hi[index]))


def define_one_ratio(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """r[p, k, h] = r[p, k₀, h] for every cash stream k (k₀ the first cash stream)."""
    import pyomo.environ as pyo

    cash = cash_streams(case)
    one = spec.one_ratio or spec.uniform_streams
    pairs = [(p, k, h) for p in m.P for k in cash[1:] for h in m.H] if one else []
    m.one_ratio = pyo.Constraint(
        range(len(pairs)),
        rule=lambda m, j: m.r[pairs[j]] == m.r[pairs[j][0], cash[0], pairs[j][2]],
    )


def define_monotone_schedule(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """r[p, k, h+1] ≤ r[p, k, h] (nonincreasing) or ≥ (nondecreasing) for scheduled rows."""
    import pyomo.environ as pyo

    pairs: list[tuple[int, int, int, int]] = []
    for rule in spec.rules if spec.schedules else ():
        if rule.schedule == "free":
            continue
        sign = -1 if rule.schedule == "nonincreasing" else 1
        p = case.party_index(rule.party)
        for k, stream in enumerate(case.streams):
            if matches(rule.stream, stream.stream):
                pairs += [(p, k, h, sign) for h in range(len(case.phases) - 1)]

    def monotone(m: pyo.ConcreteModel, j: int) -> object:
        p, k, h, sign = pairs[j]
        return sign * (m.r[p, k, h + 1] - m.r[p, k, h]) >= 0

    m.monotone = pyo.Constraint(range(len(pairs)), rule=monotone)


def define_round_to(m: pyo.ConcreteModel, spec: PlanSpec) -> None:
    """r[p, k, h] = step · z[p, k, h] with z integer (step = ``spec.round_to``): every ratio
    on the grid; the split rows (Σ_p r = 1) then ask the grid to add up to 1 (a step such as
    0.03 leaves no plan, which the infeasibility explanation names)."""
    import pyomo.environ as pyo

    step = spec.round_to
    if step is None or spec.fixed is not None:
        return
    m.grid = pyo.Var(m.r.index_set(), domain=pyo.NonNegativeIntegers)
    m.grid_tie = pyo.Constraint(m.r.index_set(), rule=lambda m, *i: m.r[i] == step * m.grid[i])
    for index in m.r:
        m.grid[index].setub(math.floor((m.r[index].ub or 1.0) / step + 1e-9))


def define_max_changes(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """A party's cash ratios change at most K times across phases: binary c[p, h] for each
    phase h ≥ 1, |r[p, k, h] − r[p, k, h−1]| ≤ c[p, h] for every cash stream k (ratios lie in
    [0, 1], so 1 is a valid big M), Σ_h c[p, h] ≤ K."""
    import pyomo.environ as pyo

    limit = spec.max_changes
    if limit is None or spec.fixed is not None or len(case.phases) < 2:
        return
    cash = cash_streams(case)
    m.change_index = pyo.Set(
        initialize=[(p, h) for p in range(case.n) for h in range(1, len(case.phases))], dimen=2
    )
    m.change = pyo.Var(m.change_index, domain=pyo.Binary)
    m.change_rows = pyo.ConstraintList()
    for p, h in m.change_index:
        for k in cash:
            m.change_rows.add(m.r[p, k, h] - m.r[p, k, h - 1] <= m.change[p, h])
            m.change_rows.add(m.r[p, k, h - 1] - m.r[p, k, h] <= m.change[p, h])
    m.change_count = pyo.Constraint(
        m.P,
        rule=lambda m, p: sum(m.change[p, h] for h in range(1, len(case.phases))) <= limit,
    )


def define_sweep(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """r[p, k, h] = offset + ρ · slope (:meth:`SweepSpec.line`): ρ on the swept party's
    cells, the others' ratios tied to it there, every ratio that does not move fixed."""
    import pyomo.environ as pyo

    if spec.sweep is None:
        return
    sweep = spec.sweep
    m.rho = pyo.Var(bounds=(0.0, sweep.highest))
    offset, slope = sweep.line()
    m.sweep_tie = pyo.ConstraintList()
    for p, k, h in m.r:
        if slope[p, k, h] == 0.0:
            m.r[p, k, h].fix(float(offset[p, k, h]))
        else:
            m.sweep_tie.add(m.r[p, k, h] == float(offset[p, k, h]) + float(slope[p, k, h]) * m.rho)


def define_yearly_take(m: pyo.ConcreteModel, case: JointParkCase, pools: Pools) -> None:
    """take[p, t] = Σ_{k cash} (r[p, k, h(t)] A'[k, t] + stock[p, k, t]) (before caps)."""
    import pyomo.environ as pyo

    phase = case.phase_of_year
    m.T = pyo.RangeSet(0, len(case.years) - 1)
    cash = cash_streams(case)

    def gross(m: pyo.ConcreteModel, p: int, k: int, t: int) -> Any:  # a Pyomo expression
        h, amount = phase[t], float(pools.split[k, t])
        return m.r[p, k, h] * amount if h >= 0 and amount != 0 else 0.0

    m.gross = gross
    m.take = {
        (p, t): sum(gross(m, p, k, t) for k in cash) + float(pools.stock[p, cash, t].sum())
        for p in m.P
        for t in m.T
    }
    m.take_scope = {
        (p, t, k): gross(m, p, k, t) + float(pools.stock[p, k, t])
        for p in m.P
        for t in m.T
        for k in cash
    }


def define_cumulative_cap(
    m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec, pools: Pools
) -> None:
    """Σ_{t∈W} a_t ≤ U with a_t = c_t − e_t, e_t > 0 only once the cap is reached (binary z_t).

    c_t is the capped party's split take; e_t ≤ M_t z_t, K_t = Σ_{τ≤t} a_τ ≥ U z_t, so the
    take is truncated chronologically exactly as the rule reads; e_t goes to overflow_to.
    """
    import pyomo.environ as pyo

    caps = [limit for limit in spec.limits if limit.limit == "cap"]
    m.cap_index = pyo.Set(
        initialize=[
            (j, t)
            for j, limit in enumerate(caps)
            for t in np.flatnonzero(
                (case.years >= limit.start_year) & (case.years <= limit.end_year)
            )
        ],
        dimen=2,
    )
    m.cap_excess = pyo.Var(m.cap_index, bounds=(0.0, None))
    m.cap_reached = pyo.Var(m.cap_index, domain=pyo.Binary)
    m.cap_rows = pyo.ConstraintList()
    m.cap_limits = caps
    m.take_adjust = {}
    for j, limit in enumerate(caps):
        p, q = case.party_index(limit.party), case.party_index(limit.overflow_to)
        scope = [case.stream_index(s) for s in limit.streams]
        cumulative = 0.0
        window = [t for (jj, t) in m.cap_index if jj == j]
        for t in sorted(window):
            gross = sum(m.gross(m, p, k, t) for k in scope)
            big_m = float(pools.split[scope, t].clip(min=0).sum()) + 1.0
            excess = m.cap_excess[j, t]
            m.cap_rows.add(excess <= gross)
            m.cap_rows.add(excess <= big_m * m.cap_reached[j, t])
            cumulative = cumulative + gross - excess
            m.cap_rows.add(cumulative <= limit.amount / m.money_scale)
            m.cap_rows.add(cumulative >= limit.amount / m.money_scale * m.cap_reached[j, t])
            m.take_adjust[p, t] = m.take_adjust.get((p, t), 0) - excess
            m.take_adjust[q, t] = m.take_adjust.get((q, t), 0) + excess
    for (p, t), expr in list(m.take.items()):
        m.take[p, t] = expr + m.take_adjust.get((p, t), 0)


def cap_sign(case: JointParkCase, cap: Limit, party: int) -> int:
    """−1 if a cap truncates ``party``'s take, +1 if ``party`` receives its excess, else 0."""
    if case.party_index(cap.party) == party:
        return -1
    return 1 if case.party_index(cap.overflow_to) == party else 0


def define_cash_floor(
    m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec, pools: Pools
) -> None:
    """take[p, t] (over the floor's streams) ≥ amount (+ cost[p, t] with plus_costs), t ∈ W."""
    import pyomo.environ as pyo

    m.floor = pyo.ConstraintList()
    cash = cash_streams(case)
    for limit in spec.limits:
        if limit.limit != "floor":
            continue
        p = case.party_index(limit.party)
        scope = [case.stream_index(s) for s in limit.streams]
        all_cash = sorted(scope) == cash
        for t in np.flatnonzero((case.years >= limit.start_year) & (case.years <= limit.end_year)):
            need = limit.amount / m.money_scale
            need += float(pools.cost[p, t]) if limit.plus_costs else 0.0
            if all_cash:
                take = m.take[p, t]
            else:
                take = sum(m.take_scope[p, t, k] for k in scope)
                for cap_j, cap in enumerate(m.cap_limits):  # caps on exactly these streams
                    if (
                        sorted(case.stream_index(s) for s in cap.streams) == sorted(scope)
                        and (cap_j, t) in m.cap_index
                    ):
                        take = take + cap_sign(case, cap, p) * m.cap_excess[cap_j, t]
            m.floor.add(take >= need)


def define_npv(m: pyo.ConcreteModel, case: JointParkCase, pools: Pools) -> None:
    """npv[p] = Σ_t d_t (take[p, t] − cost[p, t]) (an equality-defined free variable)."""
    import pyomo.environ as pyo

    d = case.discount
    m.npv = pyo.Var(m.P)
    m.npv_definition = pyo.Constraint(
        m.P,
        rule=lambda m, p: (
            m.npv[p] == sum(float(d[t]) * m.take[p, t] for t in m.T) - float(pools.cost[p] @ d)
        ),
    )


def define_nash_objective(m: pyo.ConcreteModel, standalone: np.ndarray) -> None:
    """max Σ_p t_p with t_p ≤ log g⁰ + (g_p − g⁰)/g⁰ (tangent cuts), g_p = npv_p − v({p}).

    Also the start: max min_p g_p (``least_gain_objective``, with ``least_gain_bound``).
    """
    import pyomo.environ as pyo

    m.standalone = standalone
    m.log_gain = pyo.Var(m.P)
    m.tangents = pyo.ConstraintList()
    m.least_gain = pyo.Var()
    m.least_gain_bound = pyo.Constraint(
        m.P, rule=lambda m, p: m.npv[p] - float(standalone[p]) >= m.least_gain
    )
    m.least_gain_bound.deactivate()
    m.least_gain_objective = pyo.Objective(expr=m.least_gain, sense=pyo.maximize)
    m.least_gain_objective.deactivate()
    m.nash_objective = pyo.Objective(expr=sum(m.log_gain[p] for p in m.P), sense=pyo.maximize)
    m.nash_objective.deactivate()


def define_tie_break(m: pyo.ConcreteModel, case: JointParkCase, weights: np.ndarray) -> None:
    """min Σ_{p,k,h} |r[p, k, h] − w_p| (w: target share of the pool), for equally close plans."""
    import pyomo.environ as pyo

    m.w = {p: float(weights[p]) for p in range(case.n)}
    m.r_above = pyo.Var(m.P, m.K, m.H, bounds=(0.0, None))
    m.r_below = pyo.Var(m.P, m.K, m.H, bounds=(0.0, None))
    m.r_deviation = pyo.Constraint(
        m.P,
        m.K,
        m.H,
        rule=lambda m, p, k, h: m.r[p, k, h] - m.w[p] == m.r_above[p, k, h] - m.r_below[p, k, h],
    )
    m.tie_objective = pyo.Objective(
        expr=sum(m.r_above[i] + m.r_below[i] for i in m.r_above), sense=pyo.minimize
    )
    m.tie_objective.deactivate()


Cell = tuple[int, int, int]
"""A cell (p, k, h) of the ratio table r[party, stream, phase]."""


def neighbouring_cells(case: JointParkCase) -> list[tuple[Cell, Cell]]:
    """The pairs of neighbouring cells of each party's ratio table, the pairs the
    ``fewest_distinct`` option ties together: (p, k, h)–(p, k, h+1) for neighbouring phases
    of every stream, and (p, k, h)–(p, k′, h) for neighbouring streams of one kind (k′ the
    next cash stream after cash stream k, or the next statistic stream after statistic
    stream k), in the case sheet's order.

    Example: 1 party, cash streams VAT, CIT and 2 phases give (VAT,1)–(VAT,2),
    (CIT,1)–(CIT,2), (VAT,1)–(CIT,1), (VAT,2)–(CIT,2): four pairs.
    """
    phases = range(len(case.phases))
    pairs: list[tuple[Cell, Cell]] = []
    for p in range(case.n):
        for k in range(len(case.streams)):
            pairs += [((p, k, h), (p, k, h + 1)) for h in phases[:-1]]
        for kind in ("cash", "statistic"):
            same = [k for k, stream in enumerate(case.streams) if stream.kind == kind]
            for k, after in itertools.pairwise(same):
                pairs += [((p, k, h), (p, after, h)) for h in phases]
    return pairs


def varying_pairs(m: pyo.ConcreteModel, case: JointParkCase) -> list[tuple[Cell, Cell]]:
    """:func:`neighbouring_cells` less the pairs whose two ratios are both fixed (a fixed
    proposal, a rule row with min_ratio = max_ratio): their difference is a constant that
    no plan changes, so the option neither counts nor pays for it."""

    def fixed(cell: Cell) -> bool:
        ratio = m.r[cell]
        return bool(ratio.fixed or (ratio.lb is not None and ratio.lb == ratio.ub))

    return [(a, b) for a, b in neighbouring_cells(case) if not (fixed(a) and fixed(b))]


def define_total_variation(m: pyo.ConcreteModel, case: JointParkCase) -> None:
    """The total variation of the plan, min Σ_j |r_a(j) − r_b(j)| over neighbouring cells
    a(j), b(j) (:func:`varying_pairs`), by variation[j] ≥ ±(r_a − r_b):
    ``variation_objective`` (built deactivated). An LP (an L1 "fused" penalty, Tibshirani
    et al. 2005): its optima sit where many neighbouring ratios are equal, so the plan holds
    few distinct values, without an integer variable."""
    import pyomo.environ as pyo

    pairs = varying_pairs(m, case)
    m.variation_pairs = pairs
    m.variation = pyo.Var(range(len(pairs)), bounds=(0.0, None))
    m.variation_rows = pyo.ConstraintList()
    for j, (a, b) in enumerate(pairs):
        m.variation_rows.add(m.r[a] - m.r[b] <= m.variation[j])
        m.variation_rows.add(m.r[b] - m.r[a] <= m.variation[j])
    m.total_variation = pyo.Expression(expr=sum(m.variation[j] for j in m.variation))
    m.variation_objective = pyo.Objective(expr=m.total_variation, sense=pyo.minimize)
    m.variation_objective.deactivate()


def define_distinct_count(m: pyo.ConcreteModel, case: JointParkCase) -> None:
    """The number of neighbouring cells whose ratios differ, min Σ_j z_j with z_j binary and
    |r_a(j) − r_b(j)| ≤ z_j (:func:`varying_pairs`; ratios lie in [0, 1], so 1 is a valid
    big M): ``count_objective`` (built deactivated). The L0 count the total variation
    (:func:`define_total_variation`) relaxes; a MILP."""
    import pyomo.environ as pyo

    pairs = varying_pairs(m, case)
    m.count_pairs = pairs
    m.differs = pyo.Var(range(len(pairs)), domain=pyo.Binary)
    m.differs_rows = pyo.ConstraintList()
    for j, (a, b) in enumerate(pairs):
        m.differs_rows.add(m.r[a] - m.r[b] <= m.differs[j])
        m.differs_rows.add(m.r[b] - m.r[a] <= m.differs[j])
    m.differing_pairs = pyo.Expression(expr=sum(m.differs[j] for j in m.differs))
    m.count_objective = pyo.Objective(expr=m.differing_pairs, sense=pyo.minimize)
    m.count_objective.deactivate()


def define_grid_levels(m: pyo.ConcreteModel) -> None:
    """The number of distinct ratios of a plan on a grid (``round_to``, :func:`define_round_to`),
    exactly: binary used[g] for each grid level g = 0 … G and at[c, g] for each cell c,
    Σ_g at[c, g] = 1, z[c] = Σ_g g · at[c, g], at[c, g] ≤ used[g], min Σ_g used[g]:
    ``level_objective`` (built deactivated). Two parties' equal ratios, or equal ratios far
    apart in the table, count once, as the simplicity counts count them
    (:func:`fairpool.models.simplicity.distinct_values`). A MILP with (cells + 1) × (G + 1)
    binaries (48 cells on a 5% grid: 1,029)."""
    import pyomo.environ as pyo

    cells = list(m.grid.keys())
    top = max(int(m.grid[c].ub or 0) for c in cells) if cells else 0
    m.levels = pyo.RangeSet(0, top)
    m.level_used = pyo.Var(m.levels, domain=pyo.Binary)
    m.level_cells = cells
    m.at_level = pyo.Var(range(len(cells)), m.levels, domain=pyo.Binary)
    m.one_level = pyo.Constraint(
        range(len(cells)), rule=lambda m, c: sum(m.at_level[c, g] for g in m.levels) == 1
    )
    m.level_tie = pyo.Constraint(
        range(len(cells)),
        rule=lambda m, c: m.grid[cells[c]] == sum(g * m.at_level[c, g] for g in m.levels),
    )
    m.level_use = pyo.Constraint(
        range(len(cells)), m.levels, rule=lambda m, c, g: m.at_level[c, g] <= m.level_used[g]
    )
    m.distinct_levels = pyo.Expression(expr=sum(m.level_used[g] for g in m.levels))
    m.level_objective = pyo.Objective(expr=m.distinct_levels, sense=pyo.minimize)
    m.level_objective.deactivate()


def scaled_pools(pools: Pools, scale: float) -> Pools:
    """``pools`` with every amount (split, stock, cost) divided by ``scale``."""
    return dataclasses.replace(
        pools, split=pools.split / scale, stock=pools.stock / scale, cost=pools.cost / scale
    )


def pool_weights(target: np.ndarray) -> np.ndarray:
    """w_p = τ_p⁺ / Σ τ⁺ (equal when no party has a positive target)."""
    positive = np.clip(target, 0.0, None)
    if positive.sum() > 0:
        return positive / positive.sum()
    return np.full(len(target), 1 / len(target))


def build_plan_model(
    case: JointParkCase,
    game: PlanGame,
    pools: Pools,
    target: np.ndarray | None,
    spec: PlanSpec | None = None,
    distance: DistanceKind = "l1",
) -> pyo.ConcreteModel:
    """The plan model: ratios under the rules, NPVs, core rows, distance and tie-break.

    ``target`` None builds the Nash objective instead of the distance. Every ``*_objective``
    is built deactivated; a lexicographic solve activates them in turn. Money is in units of
    ``m.money_scale`` (module docstring): ``pools``, ``game`` and ``target`` are given in the
    case unit and divided here.
    """
    import pyomo.environ as pyo

    spec = spec or default_spec(case, case.core)
    m = pyo.ConcreteModel(name="joint_park_plan")
    m.money_scale = scale = money_scale(game)
    pools = scaled_pools(pools, scale)
    game = scaled_game(game, scale)
    define_split_ratios(m, case)
    define_ratio_bounds(m, case, spec)
    define_sweep(m, case, spec)
    define_one_ratio(m, case, spec)
    define_monotone_schedule(m, case, spec)
    define_round_to(m, spec)
    define_max_changes(m, case, spec)
    define_yearly_take(m, case, pools)
    define_cumulative_cap(m, case, spec, pools)
    define_cash_floor(m, case, spec, pools)
    define_npv(m, case, pools)
    define_core_constraints(m, game, spec.core)
    if target is not None:
        define_distance_objective(m, np.asarray(target, dtype=float) / scale, distance)
        weights = pool_weights(target)
    else:
        define_nash_objective(m, game.standalone_values)
        weights = np.full(case.n, 1.0 / case.n)
    define_tie_break(m, case, weights)
    m.feasibility_objective = pyo.Objective(expr=0.0 * m.epsilon, sense=pyo.minimize)
    m.feasibility_objective.deactivate()
    return m


__all__ = [
    "Cell",
    "PlanSpec",
    "SweepSpec",
    "build_plan_model",
    "cap_sign",
    "cash_streams",
    "default_spec",
    "define_cash_floor",
    "define_cumulative_cap",
    "define_distinct_count",
    "define_grid_levels",
    "define_max_changes",
    "define_monotone_schedule",
    "define_nash_objective",
    "define_npv",
    "define_one_ratio",
    "define_ratio_bounds",
    "define_round_to",
    "define_split_ratios",
    "define_sweep",
    "define_tie_break",
    "define_total_variation",
    "define_yearly_take",
    "neighbouring_cells",
    "pool_weights",
    "scaled_pools",
    "varying_pairs",
]
