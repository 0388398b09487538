"""cost_sharing — a shared facility or service (a water plant, a treatment works), SPEC §2.3.

Either an explicit cost table c(S) (sheet ``coalitions``), or generated: parties i with
demands d_i can join a shared system made of *facility options* f (a plant size at a site)
with a fixed cost φ_f per unit built, a variable cost κ_f per demand unit served, a capacity
K_f per unit and at most U_f units; party i connects to option f at cost γ[i, f] (a pair not
listed cannot connect). An option may need certain parties R_f in the coalition (its site).

Coalition game (one MILP, compiled once; a coalition changes only bounds and RHS):

    c(S) = min Σ_f φ_f z_f + Σ_{i,f} (κ_f d_i + γ[i, f]) a[i, f]
           Σ_f a[i, f] = u_i                 (every member is served by one option; u = [i ∈ S])
           Σ_i d_i a[i, f] ≤ K_f z_f         (capacity)
           a[i, f] ≤ z_f                     (connect only to what is built)
           0 ≤ z_f ≤ U_f [R_f ⊆ S], z integer, a binary

Fixed costs make the system cheaper per unit when shared (economies of scale), so the game is
usually subadditive and the question is how to split c(N). Every cost-allocation rule of the
engine is computed side by side with its core check (:func:`optimizer.analysis.analyse_game`);
the *plan* is the target rule's cost shares, moved to the nearest point of the core (or of the
least core) when ``core`` is hard or soft and the target is not in it.

Public API (wired by ``cli.py``): :func:`read_case`, :func:`coalition_model`,
:func:`build_coalition_game`, :func:`solve_case`, :func:`check_proposal`, :func:`sweep`,
:func:`core_band`, :func:`write_template`, :func:`write_case`, :func:`coalition_table`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fairpool.optimizer.workbook.reader import ROW, CaseTables, case_tables_from_rows, read_case_tables
from fairpool.optimizer.workbook.template import write_case_workbook as _write_case_workbook
from fairpool.models.planning import (
    CoreMode,
    DistanceKind,
    PlanResult,
    activate_only,
    coalition_table,
    core_band_on_line,
    define_core_constraints,
    define_distance_objective,
    plan_tolerance,
    solve_plan_model,
)
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_non_negative,
    check_sweep_party,
    check_target,
    check_unknown_ids,
    dense_values,
    party_attributes,
    read_coalition_sheet,
    unique_ids,
)
from fairpool.optimizer.analysis import GameAnalysis, analyse_game
from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledEvaluator,
    CompiledGame,
    content_key,
    model_game,
)
from fairpool.optimizer.errors import CaseError, InfeasibleError, SolverError
from fairpool.optimizer.fairness import FairnessReport, check_allocation, describe
from fairpool.optimizer.game import Game, membership_matrix, requirements_met
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.workbook.schema import COST_SHARING
from fairpool.optimizer.solutions import method_names, solve_method

if TYPE_CHECKING:
    import pyomo.environ as pyo

MODEL = "cost_sharing"
SCHEMA = COST_SHARING
TARGETS_HELP = "shapley | nucleolus | scrb | equal_bcr | proportional:<attribute> | <method>"
COALITION_MODEL_VERSION = "cost_sharing.coalitions/1"
"""Part of the cache key of c(S): bump it when the coalition MILP's formulation changes."""
SHARE_TOLERANCE = 1e-6


# -- the case ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CostSharingCase:
    """A validated cost-sharing case: a facility model, or an explicit cost table.

    Arrays: ``demand[i]``; per option f ``capacity``, ``fixed_cost``, ``variable_cost``,
    ``max_units``, ``requires`` (bitmask of R_f); ``connection[i, f]`` (NaN: cannot connect).
    ``coalition_values`` holds the explicit table when given. ``proposal[i]``: shares of c(N).
    """

    source: str
    name: str
    unit: str
    target: str
    core: CoreMode
    distance: DistanceKind
    time_limit: float | None
    parties: tuple[str, ...]
    party_names: tuple[str, ...]
    attributes: Mapping[str, np.ndarray]
    demand: np.ndarray
    facilities: tuple[str, ...] = ()
    facility_names: tuple[str, ...] = ()
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fixed_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    variable_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    max_units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    requires: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    connection: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    coalition_values: Mapping[int, float] | None = None
    proposal: np.ndarray | None = None
    warnings: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.parties)

    @property
    def explicit(self) -> bool:
        """The cost table is given (sheet coalitions) rather than generated."""
        return self.coalition_values is not None


def read_case(path: str | os.PathLike[str]) -> CostSharingCase:
    """Read and validate a cost-sharing workbook (every problem reported together)."""
    return case_from_tables(read_case_tables(path, SCHEMA))


def case_from_rows(
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    source: str = "case.xlsx",
) -> CostSharingCase:
    """A validated case from in-memory rows (same parsing and checks as :func:`read_case`)."""
    settings = {"model": MODEL, **settings}
    return case_from_tables(case_tables_from_rows(SCHEMA, settings, rows, source))


def check_standalone_service(
    checks: CaseChecks,
    party_ids: Sequence[str],
    demand: np.ndarray,
    capacity: np.ndarray,
    max_units: np.ndarray,
    requires: np.ndarray,
    connection: np.ndarray,
) -> None:
    """Every party can be served on its own: some option it connects to needs no other party
    and has room for its demand (otherwise c({i}) does not exist)."""
    for i, party in enumerate(party_ids):
        usable = (
            ~np.isnan(connection[i])
            & ((requires & ~(1 << i)) == 0)
            & (capacity * max_units >= demand[i] - 1e-9)
        )
        if not usable.any():
            checks.add(
                "connections",
                None,
                "facility",
                f"party {party} cannot be served on its own: connect it to an option it can "
                "build alone (requires blank or only itself) with room for its demand",
            )


def case_from_tables(tables: CaseTables) -> CostSharingCase:
    """Validate typed tables and turn them into a :class:`CostSharingCase`."""
    checks = CaseChecks(tables)
    settings = tables.settings
    parties = tables.table("parties")
    facilities = tables.table("facilities")
    connections = tables.table("connections")
    proposal_table = tables.table("proposal")
    party_ids = unique_ids(checks, parties, "parties", "id")
    coalition_values = read_coalition_sheet(checks, tables.table("coalitions"), party_ids)
    check_unknown_ids(checks, proposal_table, "proposal", "party", party_ids, "parties")
    generated = coalition_values is None
    facility_ids: list[str] = []
    if generated:
        if facilities.empty:
            checks.add(
                "facilities",
                None,
                None,
                "give facility options and connections, or the coalition costs (sheet coalitions)",
            )
        else:
            facility_ids = unique_ids(checks, facilities, "facilities", "facility")
        check_unknown_ids(checks, facilities, "facilities", "requires", party_ids, "parties")
        check_unknown_ids(checks, connections, "connections", "party", party_ids, "parties")
        check_unknown_ids(
            checks, connections, "connections", "facility", facility_ids, "facility options"
        )
        for column, what in (
            ("capacity", "capacity"),
            ("fixed_cost", "fixed cost"),
            ("variable_cost", "variable cost"),
        ):
            check_non_negative(checks, facilities, "facilities", column, what)
        check_non_negative(checks, connections, "connections", "cost", "connection cost")
        for _, row in facilities.iterrows():
            if row["max_units"] is not None and row["max_units"] < 1:
                checks.add("facilities", row[ROW], "max_units", "max_units must be ≥ 1")
        for _, row in parties.iterrows():
            if row["demand"] is None:
                checks.add("parties", row[ROW], "demand", "a demand is needed to size the system")
            elif row["demand"] < 0:
                checks.add("parties", row[ROW], "demand", f"demand {row['demand']:g} is negative")
    attributes = party_attributes(parties)
    target = str(settings.get("target") or "shapley").strip()
    check_target(checks, target, list(attributes), example="demand", targets_help=TARGETS_HELP)
    if not party_ids:
        checks.raise_if_any()

    n = len(party_ids)
    party_index = {p: i for i, p in enumerate(party_ids)}
    unique_parties = parties.drop_duplicates("id")
    demand = np.array([float(d) if d is not None else 0.0 for d in unique_parties["demand"]])
    count = len(facility_ids)
    capacity = np.zeros(count)
    fixed = np.zeros(count)
    variable = np.zeros(count)
    units = np.ones(count)
    requires = np.zeros(count, dtype=np.int64)
    names = []
    connection = np.full((n, count), np.nan)
    if generated:
        for f, facility in enumerate(facility_ids):
            row = facilities[facilities["facility"] == facility].iloc[0]
            capacity[f] = row["capacity"] or 0.0
            fixed[f] = row["fixed_cost"] or 0.0
            variable[f] = row["variable_cost"] or 0.0
            units[f] = row["max_units"] or 1
            requires[f] = sum(1 << party_index[p] for p in row["requires"] if p in party_index)
            names.append(row["name"] or facility)
        facility_index = {f: k for k, f in enumerate(facility_ids)}
        seen: dict[tuple[str, str], int] = {}
        for _, row in connections.iterrows():
            key = (row["party"], row["facility"])
            if row["party"] not in party_index or row["facility"] not in facility_index:
                continue
            if row["cost"] is None:
                continue
            if key in seen:
                checks.add("connections", row[ROW], "facility", f"pair already in row {seen[key]}")
                continue
            seen[key] = row[ROW]
            connection[party_index[row["party"]], facility_index[row["facility"]]] = row["cost"]
        check_standalone_service(checks, party_ids, demand, capacity, units, requires, connection)
    elif not facilities.empty:
        checks.warnings.append("sheet coalitions is given: facilities and connections are not used")
    proposal = None
    if not proposal_table.empty:
        proposal = np.zeros(n)
        for _, row in proposal_table.iterrows():
            if row["share"] is not None and row["party"] in party_index:
                proposal[party_index[row["party"]]] += row["share"]
        if abs(proposal.sum() - 1.0) > SHARE_TOLERANCE:
            checks.add(
                "proposal",
                int(proposal_table[ROW].min()),
                "share",
                f"the shares add up to {proposal.sum():g}, not 1",
            )
    checks.raise_if_any()
    time_limit = settings.get("time_limit")
    return CostSharingCase(
        source=tables.path,
        name=str(settings.get("name") or Path(tables.path).stem),
        unit=str(settings.get("unit") or ""),
        target=target,
        core=settings.get("core") or "soft",  # type: ignore[arg-type]
        distance=settings.get("distance") or "l1",  # type: ignore[arg-type]
        time_limit=float(time_limit) if time_limit is not None else None,  # type: ignore[arg-type]
        parties=tuple(party_ids),
        party_names=tuple((r["name"] or r["id"]) for _, r in unique_parties.iterrows()),
        attributes={k: v for k, v in attributes.items() if not np.isnan(v).any()},
        demand=demand,
        facilities=tuple(facility_ids),
        facility_names=tuple(names),
        capacity=capacity,
        fixed_cost=fixed,
        variable_cost=variable,
        max_units=units,
        requires=requires,
        connection=connection,
        coalition_values=coalition_values,
        proposal=proposal,
        warnings=tuple(checks.warnings),
    )


# -- the coalition game -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FacilityCoalitionModel:
    """The c(S) MILP as data: the engine's :class:`~optimizer.coalitions.CoalitionModel`.

    ``links`` lists the connectable (party, option) pairs; ``link_cost[k]`` = κ_f d_i + γ[i, f].
    """

    players: tuple[str, ...]
    demand: np.ndarray
    capacity: np.ndarray
    fixed_cost: np.ndarray
    max_units: np.ndarray
    requires: np.ndarray
    links: np.ndarray
    link_cost: np.ndarray
    time_limit: float | None = None

    def cache_key(self) -> str:
        """Hash of every number c(S) depends on (and the formulation's version)."""
        return content_key(self, COALITION_MODEL_VERSION)

    def open(self) -> FacilityEvaluator:
        """Build the Pyomo model once, compile it to HiGHS (notes §4b), return the evaluator."""
        return FacilityEvaluator(self)

    def compile(self) -> CompiledGame:
        """The c(S) MILP compiled once; S changes the ``served`` RHS and the bounds of z."""
        from fairpool.optimizer.solve import compile_pyomo

        m = build_coalition_model(self)
        compiled = compile_pyomo(m)
        z = compiled.columns_of(m.z[f] for f in m.F)
        return CompiledGame(
            program=compiled.program(self.time_limit),
            bound_columns=z,
            bound_rows=compiled.rows_of(m.served[i] for i in m.I),
            columns={"units": z, "links": compiled.columns_of(m.a[k] for k in m.K)},
        )

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """For each S: Σ_k a_k = u_i (row bounds) and z_f ≤ U_f [R_f ⊆ S] (column bounds)."""
        masks = np.asarray(masks, dtype=np.int64)
        members = membership_matrix(masks, len(self.players))
        buildable = requirements_met(masks, self.requires)
        return CoalitionNumbers(
            solve=masks != 0,
            column_lower=np.zeros(len(self.capacity)),
            column_upper=np.where(buildable, self.max_units[None, :], 0.0),
            row_lower=members,
            row_upper=members,
        )


def coalition_model(case: CostSharingCase) -> FacilityCoalitionModel:
    """The case's c(S) MILP as engine data (see :class:`FacilityCoalitionModel`)."""
    if case.explicit:
        raise CaseError("the case gives its coalition costs explicitly: there is no model")
    parties, options = np.nonzero(~np.isnan(case.connection))
    links = np.stack([parties, options], axis=1).astype(np.int64)
    cost = case.variable_cost[options] * case.demand[parties] + case.connection[parties, options]
    return FacilityCoalitionModel(
        players=case.parties,
        demand=case.demand.copy(),
        capacity=case.capacity.copy(),
        fixed_cost=case.fixed_cost.copy(),
        max_units=case.max_units.copy(),
        requires=case.requires.copy(),
        links=links,
        link_cost=cost,
        time_limit=case.time_limit,
    )


def build_coalition_model(model: FacilityCoalitionModel) -> pyo.ConcreteModel:
    """The c(S) model, built once; a coalition changes only the ``served`` RHS and z bounds.

    min Σ_f φ_f z_f + Σ_k cost_k a_k  s.t.  Σ_{k∋i} a_k = u_i (served),
    Σ_{k∋f} d_i a_k ≤ K_f z_f (capacity),  a_k ≤ z_f (built),  z_f ∈ {0, …, U_f}, a binary.
    """
    import pyomo.environ as pyo

    links = model.links.tolist()
    m = pyo.ConcreteModel(name="cost_sharing_coalitions")
    m.F = pyo.RangeSet(0, len(model.capacity) - 1)
    m.K = pyo.RangeSet(0, len(links) - 1)
    m.I = pyo.RangeSet(0, len(model.players) - 1)
    m.member = pyo.Param(m.I, mutable=True, initialize=1.0)
    m.z = pyo.Var(m.F, domain=pyo.NonNegativeIntegers, bounds=lambda m, f: (0, model.max_units[f]))
    m.a = pyo.Var(m.K, domain=pyo.Binary)
    m.objective = pyo.Objective(
        expr=sum(float(model.fixed_cost[f]) * m.z[f] for f in m.F)
        + sum(float(model.link_cost[k]) * m.a[k] for k in m.K),
        sense=pyo.minimize,
    )
    m.served = pyo.Constraint(
        m.I, rule=lambda m, i: sum(m.a[k] for k in m.K if links[k][0] == i) == m.member[i]
    )
    m.capacity = pyo.Constraint(
        m.F,
        rule=lambda m, f: (
            sum(float(model.demand[links[k][0]]) * m.a[k] for k in m.K if links[k][1] == f)
            <= float(model.capacity[f]) * m.z[f]
        ),
    )
    m.built = pyo.Constraint(m.K, rule=lambda m, k: m.a[k] <= m.z[links[k][1]])
    return m


class FacilityEvaluator(CompiledEvaluator):
    """c(S) by re-running the compiled MILP (see :meth:`FacilityCoalitionModel.numbers`)."""

    def configuration(self, mask: int) -> tuple[float, np.ndarray, np.ndarray]:
        """(c(S), units built per option, link use per connectable pair) for one coalition."""
        cost = self.value(mask)
        return cost, np.round(self.column_values("units")), np.round(self.column_values("links"))


def build_coalition_game(case: CostSharingCase, **engine: object) -> Game:
    """The cost game c(S): the explicit table, or the facility MILP through the engine."""
    if case.explicit:
        values = dense_values(dict(case.coalition_values or {}), case.n)
        return Game(case.parties, values, "cost", case.party_names, case.attributes)
    return model_game(
        coalition_model(case), "cost", names=case.party_names, attributes=case.attributes, **engine
    )


# -- the plan: the target, moved into the (least) core ---------------------------------------


def define_savings(m: pyo.ConcreteModel, game: Game) -> None:
    """npv_i = c({i}) − x_i (savings, the benefit form); Σ_i x_i = c(N)."""
    import pyomo.environ as pyo

    standalone = game.standalone_values
    m.P = pyo.RangeSet(0, game.n - 1)
    m.x = pyo.Var(m.P)
    m.npv = pyo.Var(m.P)
    m.savings = pyo.Constraint(m.P, rule=lambda m, i: m.npv[i] == float(standalone[i]) - m.x[i])
    m.efficient = pyo.Constraint(expr=sum(m.x[i] for i in m.P) == game.grand_value)


def build_plan_model(
    game: Game, target: np.ndarray, core: CoreMode, distance: DistanceKind = "l1"
) -> pyo.ConcreteModel:
    """Cost shares x closest to the target's, subject to the core rows on the savings game.

    The core of c is the core of its savings game s(S) = Σ_{i∈S} c({i}) − c(S) in the
    savings y_i = c({i}) − x_i, so the shared benefit-form blocks apply to y.
    """
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="cost_sharing_plan")
    define_savings(m, game)
    define_core_constraints(m, game.savings_game(), core)
    define_distance_objective(m, game.standalone_values - target, distance)
    return m


def solve_plan(
    game: Game, target: np.ndarray, core: CoreMode, distance: DistanceKind = "l1"
) -> tuple[np.ndarray, float, float]:
    """(cost shares, ε*, distance): the target if it is in the core (or core = off), else the
    nearest allocation with the least core violation ε* (soft) or in the core (hard)."""
    from fairpool.optimizer.solve import SolveStatus, pyomo_solver

    m = build_plan_model(game, target, core, distance)
    solver = pyomo_solver()
    tol = plan_tolerance(game)

    def solve(what: str) -> float:
        result = solve_plan_model(m, solver)
        if result.status is SolveStatus.INFEASIBLE:
            raise InfeasibleError(
                "the core of this cost game is empty, so core = hard admits no cost shares; "
                "use core = soft (the least core)"
            )
        if not result.optimal:
            raise SolverError(f"HiGHS could not solve the cost-sharing plan ({what})")
        return result.objective

    epsilon = 0.0
    if core == "soft":
        activate_only(m, "epsilon_objective")
        epsilon = max(solve("least core violation"), 0.0)
        m.epsilon.setub(epsilon + tol)
    activate_only(m, "distance_objective")
    best = solve("distance to the target")
    shares = np.array([m.x[i].value for i in m.P], dtype=float)
    return shares, epsilon, best


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostSharingResult(PlanResult):
    """Everything ``fairpool solve`` reports for a cost-sharing case (a cost game).

    The fields of :class:`~models.planning.PlanResult` (a cost game: shares, the target,
    distance and residual are cost shares; excesses are x(S) − c(S)), and:

    Attributes:
        game: the cost game c(S); ``coalition_values`` {"A+B": c(S)}.
        analysis: every method, its fairness report, properties and least core of c.
        allocations: {method: cost shares}; ``fairness`` {method: FairnessReport}.
        cost_shares: {party: the plan's cost share}; savings: {party: c({i}) − share}.
        shares: DataFrame (party, project, year, amount) with project ``*`` (the whole system)
            and year None, for the SPEC's ``plan.shares``.
        facilities / connections: the grand coalition's system (generated cases only).
        verdict: the plan's fairness report in plain words (:func:`optimizer.fairness.describe`).
    """

    analysis: GameAnalysis
    fairness: Mapping[str, FairnessReport]
    cost_shares: Mapping[str, float]
    savings: Mapping[str, float]
    shares: pd.DataFrame
    facilities: pd.DataFrame
    connections: pd.DataFrame
    verdict: str


def system_frames(case: CostSharingCase) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(facilities built by N, connections of N) from one solve of the grand coalition."""
    empty = pd.DataFrame(), pd.DataFrame()
    if case.explicit:
        return empty
    model = coalition_model(case)
    evaluator = model.open()
    _, units, used = evaluator.configuration((1 << case.n) - 1)
    served = np.zeros(len(case.facilities))
    rows = []
    for k, (i, f) in enumerate(model.links.tolist()):
        if used[k] > 0.5:
            served[f] += case.demand[i]
            rows.append(
                {
                    "party": case.parties[i],
                    "facility": case.facilities[f],
                    "demand": float(case.demand[i]),
                    "connection_cost": float(case.connection[i, f]),
                    "variable_cost": float(case.variable_cost[f] * case.demand[i]),
                }
            )
    facilities = pd.DataFrame(
        {
            "facility": list(case.facilities),
            "name": list(case.facility_names),
            "units": units,
            "capacity": units * case.capacity,
            "served_demand": served,
            "fixed_cost": units * case.fixed_cost,
        }
    )
    return facilities[facilities["units"] > 0].reset_index(drop=True), pd.DataFrame(rows)


def solve_case(
    case: CostSharingCase,
    target: str | None = None,
    core: CoreMode | None = None,
    distance: DistanceKind | None = None,
    game: Game | None = None,
    **engine: object,
) -> CostSharingResult:
    """Solve a cost-sharing case: c(S), every cost-allocation rule with its core check, and the
    plan (the target's cost shares, moved into the least core when core is hard or soft)."""
    target = target or case.target
    core = core or case.core
    distance = distance or case.distance
    timings: dict[str, float] = {}
    started = time.perf_counter()
    game = game if game is not None else build_coalition_game(case, **engine)
    timings["coalition_values"] = time.perf_counter() - started
    started = time.perf_counter()
    methods = [m for m in method_names() if m != "proportional"]
    if target.startswith("proportional"):
        methods.append(target)
    else:
        weights = [a for a in case.attributes if a != "benefit"]
        if weights:
            methods.append(f"proportional:{weights[0]}")
    if "benefit" not in case.attributes:
        methods.remove("equal_bcr")
    analysis = analyse_game(game, methods)
    allocations = {k.partition(":")[0]: a for k, a in analysis.allocations.items()}
    fairness = {k.partition(":")[0]: r for k, r in analysis.fairness.items()}
    key = target.partition(":")[0]
    if key not in allocations:
        reason = analysis.skipped.get(target, "not available")
        raise CaseError(f"target {target!r} does not apply to this case: {reason}")
    goal = allocations[key].shares
    timings["allocations"] = time.perf_counter() - started
    started = time.perf_counter()
    if core == "off" or fairness[key].in_core:
        plan = goal.copy()
        epsilon = 0.0 if core == "off" else max(analysis.least_core_epsilon, 0.0)
    else:
        plan, epsilon, _ = solve_plan(game, goal, core, distance)
    facilities, connections = system_frames(case)
    timings["plan"] = time.perf_counter() - started
    reference = {k: allocations[k] for k in ("shapley", "nucleolus") if k in allocations}
    report = check_allocation(game, plan, reference=reference)
    fairness["plan"] = report
    residual = plan - goal
    warnings = list(case.warnings)
    warnings += [f"allocation {k} not available: {why}" for k, why in analysis.skipped.items()]
    if core != "off" and epsilon > plan_tolerance(game) * 1e3:
        warnings.append(
            f"the core is empty: whatever the split, some coalition saves up to {epsilon:,.4g} "
            f"{case.unit} by going alone (the plan is in the least core)"
        )
    return CostSharingResult(
        case_name=case.name,
        unit=case.unit,
        players=case.parties,
        names=case.party_names,
        game=game,
        coalition_values={game.label(m): float(game.values[m]) for m in range(1, 1 << case.n)},
        analysis=analysis,
        allocations=allocations,
        fairness=fairness,
        target=target,
        core=core,
        distance_kind=distance,
        target_shares=dict(zip(case.parties, map(float, goal), strict=True)),
        cost_shares=dict(zip(case.parties, map(float, plan), strict=True)),
        savings=dict(zip(case.parties, map(float, game.standalone_values - plan), strict=True)),
        shares=pd.DataFrame(
            {"party": list(case.parties), "project": "*", "year": None, "amount": plan}
        ),
        facilities=facilities,
        connections=connections,
        distance=float(np.abs(residual).sum() if distance == "l1" else np.abs(residual).max()),
        residual=dict(zip(case.parties, map(float, residual), strict=True)),
        epsilon=float(epsilon),
        worst_coalition=report.worst_coalition_label,
        worst_excess=report.worst_excess,
        in_core=report.in_core,
        individually_rational={
            p: bool(report.ir_shortfall[i] <= report.tolerance) for i, p in enumerate(case.parties)
        },
        verdict=describe(report, game, case.unit),
        warnings=tuple(warnings),
        timings=timings,
    )


# -- checking a proposal, sweeps --------------------------------------------------------------


@dataclass(frozen=True)
class ProposalCheck:
    """A proposal (shares of c(N)) judged; names as the joint-park check.

    ``shares``: DataFrame (party, share, amount); ``npv`` is not money here: ``cost_shares``.
    """

    shares: pd.DataFrame
    cost_shares: Mapping[str, float]
    individually_rational: Mapping[str, bool]
    in_core: bool
    worst_coalition: str
    worst_excess: float
    distances: Mapping[str, float]
    verdict: tuple[str, ...]
    fair: bool
    allocation: Allocation
    game: Game
    report: FairnessReport

    @property
    def ratios(self) -> pd.DataFrame:
        """The proposal table (the joint-park check's name for it)."""
        return self.shares


def check_proposal(
    case: CostSharingCase, proposal: np.ndarray | None = None, game: Game | None = None
) -> ProposalCheck:
    """Judge proposed shares of c(N) (default: the proposal sheet) against the cost game."""
    proposal = case.proposal if proposal is None else np.asarray(proposal, dtype=float)
    if proposal is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet proposal "
            "(party, share)"
        )
    game = game if game is not None else build_coalition_game(case)
    shares = proposal * game.grand_value
    reference = {}
    for key in ("shapley", "nucleolus"):
        try:
            reference[key] = solve_method(game, key)
        except (CaseError, InfeasibleError):
            continue
    report = check_allocation(game, shares, reference=reference)
    distances = {k: float(np.abs(shares - a.shares).sum()) for k, a in reference.items()}
    return ProposalCheck(
        shares=pd.DataFrame({"party": list(case.parties), "share": proposal, "amount": shares}),
        cost_shares=dict(zip(case.parties, map(float, shares), strict=True)),
        individually_rational={
            p: bool(report.ir_shortfall[i] <= report.tolerance) for i, p in enumerate(case.parties)
        },
        in_core=report.in_core,
        worst_coalition=report.worst_coalition_label,
        worst_excess=report.worst_excess,
        distances=distances,
        verdict=tuple(describe(report, game, case.unit).splitlines()),
        fair=report.in_core,
        allocation=Allocation("proposal", game.players, shares),
        game=game,
        report=report,
    )


def _line(
    case: CostSharingCase, game: Game, party: str, base: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(x(0), slope): cost shares as ``party``'s share ρ of c(N) goes from 0 to 1."""
    check_sweep_party(case.parties, party)
    if base is None:
        base = case.proposal
    if base is None:
        base = solve_case(case, game=game).analysis.allocations
        base = np.asarray(base[case.target].shares) / game.grand_value
    k = case.parties.index(party)
    others = np.asarray(base, dtype=float).copy()
    others[k] = 0.0
    others = (
        others / others.sum()
        if others.sum() > 1e-12
        else np.where(np.arange(case.n) == k, 0.0, 1.0 / (case.n - 1))
    )
    start = others * game.grand_value
    end = np.zeros(case.n)
    end[k] = game.grand_value
    return start, end - start


def sweep(
    case: CostSharingCase, party: str, values: Sequence[float], base: np.ndarray | None = None
) -> pd.DataFrame:
    """Cost shares and the core verdict as ``party``'s share of c(N) slides over ``values``;
    the others share the rest in their ``base`` proportions (proposal, else the target)."""
    game = build_coalition_game(case)
    start, slope = _line(case, game, party, base)
    records = []
    for rho in values:
        if not 0.0 <= float(rho) <= 1.0:
            raise CaseError(f"sweep share {float(rho):g} is outside [0, 1]")
        shares = start + float(rho) * slope
        report = check_allocation(game, shares)
        record: dict[str, object] = {"share": float(rho)}
        record.update({f"cost_{p}": float(x) for p, x in zip(case.parties, shares, strict=True)})
        record.update(
            {
                "in_core": report.in_core,
                "worst_coalition": report.worst_coalition_label,
                "worst_excess": report.worst_excess,
            }
        )
        records.append(record)
    return pd.DataFrame.from_records(records)


def core_band(
    case: CostSharingCase, party: str, base: np.ndarray | None = None
) -> tuple[float, float] | None:
    """The shares of c(N) for ``party`` (others as in :func:`sweep`) inside the core, exactly."""
    game = build_coalition_game(case)
    start, slope = _line(case, game, party, base)
    return core_band_on_line(game, start, slope)


# -- template ---------------------------------------------------------------------------------

TEMPLATE_SETTINGS: dict[str, object] = {
    "model": MODEL,
    "name": "示例共享水厂 example shared water plant",
    "unit": "万元",
    "target": "shapley",
    "core": "soft",
    "distance": "l1",
}


def template_rows() -> dict[str, list[dict[str, object]]]:
    """Example rows: three towns, a small plant each or one large shared plant."""
    towns = [
        ("A", "甲镇 town A", 4.0, 0.0),
        ("B", "乙镇 town B", 6.0, 1200.0),
        ("C", "丙镇 town C", 3.0, 1500.0),
    ]
    rows: dict[str, list[dict[str, object]]] = {
        "parties": [{"id": i, "name": name, "demand": d} for i, name, d, _ in towns],
        "facilities": [
            {
                "facility": "BIG",
                "name": "共享大水厂 shared large plant (site in A)",
                "capacity": 15.0,
                "fixed_cost": 9000.0,
                "variable_cost": 300.0,
                "requires": "A",
            },
            *(
                {
                    "facility": f"OWN_{i}",
                    "name": f"{name} 自建小水厂 own small plant",
                    "capacity": 8.0,
                    "fixed_cost": 5000.0,
                    "variable_cost": 450.0,
                    "requires": i,
                }
                for i, name, _, _ in towns
            ),
        ],
        "connections": [
            *({"party": i, "facility": "BIG", "cost": pipe} for i, _, _, pipe in towns),
            *({"party": i, "facility": f"OWN_{i}", "cost": 0.0} for i, _, _, _ in towns),
        ],
        "coalitions": [],
        "proposal": [{"party": i, "share": round(d / 13.0, 6)} for i, _, d, _ in towns[:2]]
        + [
            {
                "party": "C",
                "share": round(1 - sum(round(d / 13.0, 6) for _, _, d, _ in towns[:2]), 6),
            }
        ],
    }
    return rows


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write the cost_sharing case template: every sheet, instructions (EN/中文), examples."""
    return _write_case_workbook(path, SCHEMA, TEMPLATE_SETTINGS, template_rows())


def write_case(
    path: str | os.PathLike[str],
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
) -> Path:
    """Write a cost_sharing case workbook from settings and rows (shipped cases use this)."""
    return _write_case_workbook(path, SCHEMA, {"model": MODEL, **settings}, rows)


__all__ = [
    "CostSharingCase",
    "CostSharingResult",
    "FacilityCoalitionModel",
    "FacilityEvaluator",
    "ProposalCheck",
    "build_coalition_game",
    "build_coalition_model",
    "case_from_rows",
    "check_proposal",
    "coalition_model",
    "coalition_table",
    "core_band",
    "read_case",
    "solve_case",
    "sweep",
    "write_case",
    "write_template",
]
