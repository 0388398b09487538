"""joint_park — co-built park tax sharing (飞地经济 / 共建园区), SPEC §2.1.

Parties contribute land, capital, management and relocated firms to a park made of
*components* c (zones, phases, projects). Component c needs the parties R_c, costs party p
C[c, p, t] in year t and yields R[c, k, t] of revenue stream k (the locally retained,
shareable amount). With the discount factor d_t = (1 + r)^−(t − base_year):

Coalition game (one MILP, formulated once):

    v(S) = max Σ_c w_c y_c   over y ∈ {0,1}^C with
           y_c ≤ [R_c ⊆ S]        (only components whose required parties are all in S)
           y_c ≤ y_d              (c depends on d),   y_c + y_e ≤ 1   (c excludes e)
    w_c  = Σ_t d_t (Σ_{k cash} R[c, k, t] − Σ_p C[c, p, t])

Statistic streams (GDP credit) are never in w_c. A party paying for a component is treated as
required by it (warned). An explicit ``coalitions`` sheet overrides v(S).

Plan model (ratios r[p, k, h] per party, stream and phase; the grand coalition's components):

    pool A[k, t] = Σ_c y*_c R[c, k, t];   存量不动、增量分成: with base year b_k, the stock
    min(A[k, t], A[k, b_k]) stays with the stock owner and only the growth is split;
    take[p, t]   = Σ_{k cash} (r[p, k, h(t)] · A'[k, t] + stock[p, k, t])  ± cap overflows
    npv[p]       = Σ_t d_t (take[p, t] − cost[p, t])

subject to the negotiated rules (ratio bounds, fixed ratios, one ratio for all streams,
monotone schedules, yearly floors, cumulative caps that truncate and pass the excess on),
optionally the core (x(S) ≥ v(S) − ε for every proper coalition), and closest to a target
allocation (L1 or L∞), or maximising the Nash product Σ log(npv_p − v({p})).

The solve is lexicographic: (1) least core violation ε* (``core="soft"``; ``"hard"`` forces
ε = 0), (2) the distance to the target given ε ≤ ε*, (3) a tie-break among equally close plans:
ratios closest to the target's share of the pool (this also sets statistic-stream ratios).

Public API (wired by ``cli.py``): :func:`read_case`, :func:`build_coalition_game`,
:func:`build_plan_model`, :func:`solve_case`, :func:`check_proposal`, :func:`sweep`,
:func:`core_band`, :func:`write_template`, :func:`evaluate_plan`.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

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
    define_core_constraints,
    define_distance_objective,
    plan_tolerance,
    proposal_verdict,
    solve_plan_model,
    worst_blocking,
)
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_sweep_party,
    check_target,
    check_unknown_ids,
    dense_values,
    known_list,
    read_coalition_sheet,
)
from fairpool.optimizer.analysis import GameAnalysis, analyse_game
from fairpool.optimizer.coalitions import (
    CoalitionEngine,
    CoalitionNumbers,
    CompiledEvaluator,
    CompiledGame,
    content_key,
    model_game,
)
from fairpool.optimizer.errors import CaseError, InfeasibleError, SolverError
from fairpool.optimizer.game import Game, coalition_label, requirements_met
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.workbook.schema import ALL, JOINT_PARK
from fairpool.optimizer.solutions import METHODS, solve_method

if TYPE_CHECKING:
    import pyomo.environ as pyo

MODEL = "joint_park"
SCHEMA = JOINT_PARK
TARGETS_HELP = "shapley | nucleolus | proportional:<attribute> | equal_gain | nash | <method>"
NASH_TOLERANCE = 1e-6
"""Nash target: stop when Σ log(gain) is within this (absolute) of the LP upper bound."""


# -- the case ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """A phase of the split schedule: years start_year … end_year (inclusive)."""

    phase: str
    start_year: int
    end_year: int
    row: int = 0


@dataclass(frozen=True)
class Stream:
    """A revenue stream. ``kind="statistic"`` streams are split and reported, never money."""

    stream: str
    kind: Literal["cash", "statistic"] = "cash"
    double_count: bool = False
    increment_base_year: int | None = None
    stock_owner: str | None = None
    name: str = ""


@dataclass(frozen=True)
class RatioRule:
    """One ``rules`` row: min_ratio ≤ r[party, stream, phase] ≤ max_ratio (``*``: all)."""

    row: int
    party: str
    stream: str
    phase: str
    min_ratio: float
    max_ratio: float
    schedule: Literal["free", "nonincreasing", "nondecreasing"] = "free"

    def describe(self) -> str:
        bounds = (
            f"fixed at {self.min_ratio:g}"
            if self.min_ratio == self.max_ratio
            else f"{self.min_ratio:g}–{self.max_ratio:g}"
        )
        extra = f", {self.schedule}" if self.schedule != "free" else ""
        return (
            f"sheet rules row {self.row} ({self.party}, stream {self.stream}, "
            f"phase {self.phase}: ratio {bounds}{extra})"
        )


@dataclass(frozen=True)
class Limit:
    """One ``limits`` row: a yearly floor or a cumulative cap on a party's take."""

    row: int
    party: str
    limit: Literal["floor", "cap"]
    streams: tuple[str, ...]
    start_year: int
    end_year: int
    amount: float
    plus_costs: bool = False
    overflow_to: str | None = None

    def describe(self) -> str:
        scope = "all cash streams" if len(self.streams) != 1 else f"stream {self.streams[0]}"
        if self.limit == "floor":
            plus = " plus its own costs" if self.plus_costs else ""
            what = f"floor of {self.amount:g}{plus} per year"
        else:
            what = f"cumulative cap of {self.amount:g} (excess to {self.overflow_to})"
        return (
            f"sheet limits row {self.row} ({self.party} {what}, {scope}, "
            f"{self.start_year}–{self.end_year})"
        )


@dataclass(frozen=True, eq=False)
class JointParkCase:
    """A validated joint-park case, as arrays (see the module docstring for the maths).

    Arrays: ``revenue[c, k, t]``, ``cost[c, p, t]`` (in the case unit), ``years[t]``; parties,
    components, streams and phases in workbook order (phases sorted by start year).
    ``requires[c]`` holds party indices (required parties plus the component's payers),
    ``depends_on[c]`` / ``excludes[c]`` component indices.
    """

    source: str
    name: str
    unit: str
    discount_rate: float
    base_year: int
    target: str
    core: CoreMode
    distance: DistanceKind
    one_ratio_for_all_streams: bool
    time_limit: float | None
    parties: tuple[str, ...]
    party_names: tuple[str, ...]
    attributes: Mapping[str, np.ndarray]
    components: tuple[str, ...]
    component_names: tuple[str, ...]
    requires: tuple[frozenset[int], ...]
    depends_on: tuple[frozenset[int], ...]
    excludes: tuple[frozenset[int], ...]
    streams: tuple[Stream, ...]
    phases: tuple[Phase, ...]
    years: np.ndarray
    revenue: np.ndarray
    cost: np.ndarray
    rules: tuple[RatioRule, ...] = ()
    limits: tuple[Limit, ...] = ()
    proposal: pd.DataFrame | None = None
    coalition_values: Mapping[int, float] | None = None
    warnings: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.parties)

    @property
    def discount(self) -> np.ndarray:
        """d_t = (1 + r)^−(t − base_year) for every year of the case."""
        return (1.0 + self.discount_rate) ** -(self.years - self.base_year).astype(float)

    @property
    def phase_of_year(self) -> np.ndarray:
        """Index of the phase holding each year, −1 if none."""
        index = np.full(len(self.years), -1)
        for h, phase in enumerate(self.phases):
            index[(self.years >= phase.start_year) & (self.years <= phase.end_year)] = h
        return index

    @property
    def cash(self) -> np.ndarray:
        """Boolean mask of the cash streams."""
        return np.array([s.kind == "cash" for s in self.streams], dtype=bool)

    def party_index(self, party: str) -> int:
        return self.parties.index(party)

    def stream_index(self, stream: str) -> int:
        return [s.stream for s in self.streams].index(stream)

    def phase_index(self, phase: str) -> int:
        return [p.phase for p in self.phases].index(phase)

    def component_npv(self) -> np.ndarray:
        """w_c = Σ_t d_t (Σ_{k cash} R[c, k, t] − Σ_p C[c, p, t]) per component."""
        d = self.discount
        cash_revenue = self.revenue[:, self.cash, :].sum(axis=1)
        return (cash_revenue - self.cost.sum(axis=1)) @ d


def read_case(path: str | os.PathLike[str]) -> JointParkCase:
    """Read and validate a joint-park case workbook.

    Raises :class:`CaseError` listing every problem (sheet, row, column) at once.
    """
    return case_from_tables(read_case_tables(path, SCHEMA))


def case_from_rows(
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    source: str = "case.xlsx",
) -> JointParkCase:
    """A validated case from in-memory rows (same parsing and checks as :func:`read_case`)."""
    settings = {"model": MODEL, **settings}
    return case_from_tables(case_tables_from_rows(SCHEMA, settings, rows, source))


def check_parties(checks: CaseChecks, parties: pd.DataFrame) -> None:
    """Party ids are present and unique."""
    if parties.empty:
        checks.add("parties", None, "id", "at least one party is needed")
    seen: dict[str, int] = {}
    for _, row in parties.iterrows():
        party = row["id"]
        if party in seen:
            checks.add("parties", row[ROW], "id", f"party {party!r} already in row {seen[party]}")
        elif party is not None:
            seen[party] = row[ROW]


def check_negative_costs(checks: CaseChecks, costs: pd.DataFrame) -> None:
    """Costs are amounts borne, ≥ 0 (a negative cost is a revenue: put it in ``revenues``)."""
    for _, row in costs.iterrows():
        if row["amount"] is not None and row["amount"] < 0:
            checks.add(
                "costs",
                row[ROW],
                "amount",
                f"cost {row['amount']:g} is negative; costs must be ≥ 0 "
                "(enter income in sheet revenues)",
            )


def check_phase_overlap(checks: CaseChecks, phases: pd.DataFrame) -> None:
    """Each phase has start_year ≤ end_year and no two phases share a year."""
    spans = []
    for _, row in phases.iterrows():
        start, end = row["start_year"], row["end_year"]
        if start is None or end is None:
            continue
        if start > end:
            checks.add(
                "phases", row[ROW], "end_year", f"end_year {end} is before start_year {start}"
            )
            continue
        spans.append((start, end, row[ROW], row["phase"]))
    seen: dict[str, int] = {}
    for _, row in phases.iterrows():
        if row["phase"] in seen:
            checks.add(
                "phases",
                row[ROW],
                "phase",
                f"phase {row['phase']!r} already defined in row {seen[row['phase']]}",
            )
        seen[row["phase"]] = row[ROW]
    spans.sort()
    for (s1, e1, r1, p1), (s2, _e2, r2, p2) in itertools.pairwise(spans):
        if s2 <= e1:
            checks.add(
                "phases",
                r2,
                "start_year",
                f"phase {p2!r} starts in {s2}, inside phase {p1!r} (row {r1}, "
                f"{s1}–{e1}); phases must not overlap",
            )


def check_ratio_bounds(checks: CaseChecks, rules: pd.DataFrame) -> None:
    """Each rule row has min_ratio ≤ max_ratio."""
    for _, row in rules.iterrows():
        low, high = row["min_ratio"], row["max_ratio"]
        if low is not None and high is not None and low > high:
            checks.add(
                "rules", row[ROW], "min_ratio", f"min_ratio {low:g} is above max_ratio {high:g}"
            )


def case_from_tables(tables: CaseTables) -> JointParkCase:
    """Validate typed tables and turn them into a :class:`JointParkCase`.

    Runs the named checks (unknown ids, negative costs, phase overlap, ratio bounds, revenue
    years outside every phase, stream settings, limits, proposal sums, coalition table) and
    raises one :class:`CaseError` with all problems found.
    """
    checks = CaseChecks(tables)
    settings = tables.settings
    parties = tables.table("parties")
    components = tables.table("components")
    revenues = tables.table("revenues")
    costs = tables.table("costs")
    phases_table = tables.table("phases")
    rules_table = tables.table("rules")
    streams_table = tables.table("streams")
    limits_table = tables.table("limits")
    proposal_table = tables.table("proposal")

    check_parties(checks, parties)
    party_ids = [p for p in dict.fromkeys(parties["id"]) if p is not None]
    component_ids = [c for c in dict.fromkeys(components["component"]) if c is not None]
    stream_ids = list(
        dict.fromkeys(  # the streams sheet's order, then any other stream
            [s for s in streams_table["stream"] if s is not None]
            + [s for s in revenues["stream"] if s is not None]
        )
    )
    phase_ids = [p for p in dict.fromkeys(phases_table["phase"]) if p is not None]

    seen_components: dict[str, int] = {}
    for _, row in components.iterrows():
        if row["component"] in seen_components:
            checks.add(
                "components",
                row[ROW],
                "component",
                f"component {row['component']!r} already in row "
                f"{seen_components[row['component']]}",
            )
        seen_components.setdefault(row["component"], row[ROW])
        for column in ("depends_on", "excludes"):
            if row["component"] in (row[column] or ()):
                checks.add("components", row[ROW], column, "a component cannot name itself")
        if not row["requires"]:
            checks.add("components", row[ROW], "requires", "name at least one party")
    check_unknown_ids(checks, components, "components", "requires", party_ids, "parties")
    check_unknown_ids(checks, components, "components", "depends_on", component_ids, "components")
    check_unknown_ids(checks, components, "components", "excludes", component_ids, "components")
    check_unknown_ids(checks, revenues, "revenues", "component", component_ids, "components")
    check_unknown_ids(checks, costs, "costs", "component", component_ids, "components")
    check_unknown_ids(checks, costs, "costs", "party", party_ids, "parties")
    check_negative_costs(checks, costs)
    check_phase_overlap(checks, phases_table)
    check_unknown_ids(checks, rules_table, "rules", "party", party_ids, "parties")
    check_unknown_ids(checks, rules_table, "rules", "stream", stream_ids, "streams", True)
    check_unknown_ids(checks, rules_table, "rules", "phase", phase_ids, "phases", True)
    check_ratio_bounds(checks, rules_table)
    check_unknown_ids(checks, limits_table, "limits", "party", party_ids, "parties")
    check_unknown_ids(checks, limits_table, "limits", "overflow_to", party_ids, "parties")
    check_unknown_ids(checks, limits_table, "limits", "stream", stream_ids, "streams", True)
    check_unknown_ids(checks, streams_table, "streams", "stock_owner", party_ids, "parties")
    check_unknown_ids(checks, proposal_table, "proposal", "party", party_ids, "parties")
    check_unknown_ids(checks, proposal_table, "proposal", "stream", stream_ids, "streams", True)
    check_unknown_ids(checks, proposal_table, "proposal", "phase", phase_ids, "phases", True)
    for _, row in revenues.iterrows():
        if row["amount"] is not None and row["amount"] < 0:
            checks.warnings.append(
                f"{tables.where('revenues', row[ROW], 'amount')}: negative revenue "
                f"{row['amount']:g} (a refund?) is used as given"
            )

    # streams
    streams: list[Stream] = []
    stream_rows = {row["stream"]: row for _, row in streams_table.iterrows()}
    for stream_id in stream_ids:
        row = stream_rows.get(stream_id)
        if row is None:
            streams.append(Stream(stream_id))
            continue
        kind = row["kind"] or "cash"
        if row["double_count"] and kind == "cash":
            checks.add(
                "streams",
                row[ROW],
                "double_count",
                "only statistic streams may be double-counted; cash must add up to 1",
            )
        base, owner = row["increment_base_year"], row["stock_owner"]
        if base is not None and owner is None:
            checks.add(
                "streams",
                row[ROW],
                "stock_owner",
                "increment_base_year is set: name the party keeping the base-year stock",
            )
        streams.append(
            Stream(stream_id, kind, bool(row["double_count"]), base, owner, row["name"] or "")
        )
    if not any(s.kind == "cash" for s in streams):
        checks.add("revenues", None, "stream", "no cash stream: nothing to split")

    # years, phases
    years_seen = [y for y in list(revenues["year"]) + list(costs["year"]) if y is not None]
    for _, row in phases_table.iterrows():
        if row["start_year"] is not None and row["end_year"] is not None:
            if row["end_year"] - row["start_year"] > 200:
                checks.add("phases", row[ROW], "end_year", "a phase longer than 200 years")
                continue
            years_seen += list(range(row["start_year"], row["end_year"] + 1))
    phases = sorted(
        (
            Phase(r["phase"], r["start_year"], r["end_year"], r[ROW])
            for _, r in phases_table.iterrows()
            if r["start_year"] is not None and r["end_year"] is not None
        ),
        key=lambda p: p.start_year,
    )
    if not phases and not phases_table.empty:
        pass
    elif not phases:
        checks.add("phases", None, "phase", "at least one phase is needed")
    base_years = {s.increment_base_year for s in streams if s.increment_base_year is not None}
    kind_of = {s.stream: s.kind for s in streams}
    for _, row in revenues.iterrows():
        year, amount = row["year"], row["amount"]
        if year is None or not amount:
            continue
        if not any(p.start_year <= year <= p.end_year for p in phases) and phases:
            if year in base_years or kind_of.get(row["stream"]) == "statistic":
                continue
            checks.add(
                "revenues",
                row[ROW],
                "year",
                f"year {year} is in no phase, so its revenue cannot be split; "
                "extend the phases or drop the row",
            )

    # limits
    limits: list[Limit] = []
    first_year = min(years_seen) if years_seen else settings.get("base_year") or 0
    last_year = max(years_seen) if years_seen else first_year
    cash_ids = tuple(s.stream for s in streams if s.kind == "cash")
    for _, row in limits_table.iterrows():
        start = row["start_year"] if row["start_year"] is not None else first_year
        end = row["end_year"] if row["end_year"] is not None else last_year
        if start > end:
            checks.add("limits", row[ROW], "end_year", f"end_year {end} is before {start}")
        if row["stream"] not in (None, ALL) and kind_of.get(row["stream"]) == "statistic":
            checks.add("limits", row[ROW], "stream", "limits apply to cash streams only")
        scope = cash_ids if row["stream"] in (None, ALL) else (row["stream"],)
        overflow = row["overflow_to"]
        if row["limit"] == "cap":
            if overflow is None and len(party_ids) == 2 and row["party"] in party_ids:
                overflow = next(p for p in party_ids if p != row["party"])
            if overflow is None:
                checks.add(
                    "limits",
                    row[ROW],
                    "overflow_to",
                    "a cap needs the party receiving the take above it (overflow_to)",
                )
            elif overflow == row["party"]:
                checks.add("limits", row[ROW], "overflow_to", "overflow_to must be another party")
            if row["amount"] is not None and row["amount"] < 0:
                checks.add("limits", row[ROW], "amount", "a cap must be ≥ 0")
        if row["limit"] is not None and row["amount"] is not None:
            limits.append(
                Limit(
                    row[ROW],
                    row["party"],
                    row["limit"],
                    scope,
                    start,
                    end,
                    float(row["amount"]),
                    bool(row["plus_costs"]),
                    overflow,
                )
            )

    # rules
    rules = tuple(
        RatioRule(
            r[ROW],
            r["party"],
            r["stream"],
            r["phase"],
            r["min_ratio"],
            r["max_ratio"],
            r["schedule"] or "free",
        )
        for _, r in rules_table.iterrows()
        if r["min_ratio"] is not None and r["max_ratio"] is not None
    )

    # case settings
    target = str(settings.get("target") or "shapley").strip()
    attribute_names = [c for c in parties.columns if c not in ("id", "name", ROW)]
    check_target(
        checks,
        target,
        attribute_names,
        example="gdp",
        targets_help=TARGETS_HELP,
        own_targets=("equal_gain", "nash"),
    )

    attributes: dict[str, np.ndarray] = {}
    for name in attribute_names:
        column = parties[name]
        if column.dtype.kind == "f":
            attributes[name] = column.to_numpy(dtype=float)

    coalition_values = read_coalition_sheet(
        checks,
        tables.table("coalitions"),
        party_ids,
        computed="v(S)",
        missing_only_if_clean=True,
    )
    proposal = None
    if not proposal_table.empty:
        proposal = _expand_proposal(checks, proposal_table, party_ids, streams, phases)

    checks.raise_if_any()

    # arrays
    years = np.array(sorted(set(years_seen) | base_years), dtype=int)
    year_index = {int(y): t for t, y in enumerate(years)}
    party_index = {p: i for i, p in enumerate(party_ids)}
    component_index = {c: i for i, c in enumerate(component_ids)}
    stream_index = {s.stream: k for k, s in enumerate(streams)}
    revenue = np.zeros((len(component_ids), len(streams), len(years)))
    for _, row in revenues.iterrows():
        revenue[
            component_index[row["component"]], stream_index[row["stream"]], year_index[row["year"]]
        ] += row["amount"]
    cost = np.zeros((len(component_ids), len(party_ids), len(years)))
    for _, row in costs.iterrows():
        cost[
            component_index[row["component"]], party_index[row["party"]], year_index[row["year"]]
        ] += row["amount"]
    requires, depends, excludes = [], [], []
    component_rows = {r["component"]: r for _, r in components.iterrows()}
    for c, component in enumerate(component_ids):
        row = component_rows[component]
        required = {party_index[p] for p in row["requires"]}
        payers = set(np.flatnonzero(cost[c].sum(axis=1) > 0).tolist())
        if payers - required:
            names = "+".join(party_ids[i] for i in sorted(payers - required))
            checks.warnings.append(
                f"component {component}: {names} pay for it, so it also requires them"
            )
        requires.append(frozenset(required | payers))
        depends.append(frozenset(component_index[d] for d in row["depends_on"]))
        excludes.append(frozenset(component_index[e] for e in row["excludes"]))
        if not revenue[c].any() and not cost[c].any():
            checks.warnings.append(f"component {component} has neither revenue nor cost")
    for stream in streams:
        base = stream.increment_base_year
        if base is not None and not revenue[:, stream_index[stream.stream], year_index[base]].any():
            checks.warnings.append(
                f"stream {stream.stream}: no revenue in base year {base}, so all of it is growth"
            )

    time_limit = settings.get("time_limit")
    return JointParkCase(
        source=tables.path,
        name=str(settings.get("name") or Path(tables.path).stem),
        unit=str(settings.get("unit") or ""),
        discount_rate=float(settings["discount_rate"]),  # type: ignore[arg-type]
        base_year=int(settings["base_year"]),  # type: ignore[call-overload]
        target=target,
        core=settings.get("core") or "soft",  # type: ignore[arg-type]
        distance=settings.get("distance") or "l1",  # type: ignore[arg-type]
        one_ratio_for_all_streams=bool(settings.get("one_ratio_for_all_streams")),
        time_limit=float(time_limit) if time_limit is not None else None,  # type: ignore[arg-type]
        parties=tuple(party_ids),
        party_names=tuple(
            (r["name"] or r["id"]) for _, r in parties.drop_duplicates("id").iterrows()
        ),
        attributes=attributes,
        components=tuple(component_ids),
        component_names=tuple(component_rows[c]["name"] or c for c in component_ids),
        requires=tuple(requires),
        depends_on=tuple(depends),
        excludes=tuple(excludes),
        streams=tuple(streams),
        phases=tuple(phases),
        years=years,
        revenue=revenue,
        cost=cost,
        rules=rules,
        limits=tuple(limits),
        proposal=proposal,
        coalition_values=coalition_values,
        warnings=tuple(checks.warnings),
    )


def _expand_proposal(
    checks: CaseChecks,
    table: pd.DataFrame,
    party_ids: Sequence[str],
    streams: Sequence[Stream],
    phases: Sequence[Phase],
) -> pd.DataFrame:
    """Proposal rows with ``*`` expanded; a specific row overrides a wildcard row.

    Cash streams must get a ratio for every party and phase (a missing one counts 0) and the
    ratios of a stream and phase must add up to 1 (statistic: ≥ 1 when double-counted).
    """
    entries: dict[tuple[str, str, str], tuple[int, float, int]] = {}
    for _, row in table.iterrows():
        if row["ratio"] is None:
            continue
        stream_list = [s.stream for s in streams] if row["stream"] == ALL else [row["stream"]]
        phase_list = [p.phase for p in phases] if row["phase"] == ALL else [row["phase"]]
        specificity = (row["stream"] != ALL) + (row["phase"] != ALL)
        for stream in stream_list:
            for phase in phase_list:
                key = (row["party"], stream, phase)
                if key in entries and entries[key][0] > specificity:
                    continue
                entries[key] = (specificity, float(row["ratio"]), row[ROW])
    records = []
    for stream in streams:
        for phase in phases:
            total, rows_used = 0.0, []
            for party in party_ids:
                spec = entries.get((party, stream.stream, phase.phase))
                ratio = spec[1] if spec else (0.0 if stream.kind == "cash" else math.nan)
                if spec:
                    rows_used.append(spec[2])
                    total += ratio
                records.append(
                    {"party": party, "stream": stream.stream, "phase": phase.phase, "ratio": ratio}
                )
            if not rows_used:
                if stream.kind == "cash":
                    checks.add(
                        "proposal",
                        None,
                        "ratio",
                        f"no ratio for stream {stream.stream}, phase {phase.phase}",
                    )
                continue
            ok = total >= 1 - 1e-9 if stream.double_count else abs(total - 1) <= 1e-9
            if not ok:
                rows_text = ", ".join(str(r) for r in sorted(set(rows_used)))
                need = "at least 1" if stream.double_count else "1"
                checks.add(
                    "proposal",
                    min(rows_used),
                    "ratio",
                    f"ratios for stream {stream.stream}, phase {phase.phase} add up to "
                    f"{total:g}, not {need} (rows {rows_text})",
                )
    return pd.DataFrame.from_records(records, columns=["party", "stream", "phase", "ratio"])


# -- the coalition game -----------------------------------------------------------------------

COALITION_MODEL_VERSION = "joint_park.coalitions/1"
"""Part of the cache key of v(S): bump it when the coalition MILP's formulation changes."""


@dataclass(frozen=True, eq=False)
class ParkCoalitionModel:
    """The v(S) MILP of a park as data: the engine's compiled coalition model.

    ``weights[c]`` = w_c (the component's NPV), ``required[c]`` = the bitmask of R_c (required
    parties and payers), ``dependencies`` rows (c, d): c depends on d, ``exclusions`` rows
    (c, e): c excludes e. Picklable and cheap; a coalition changes only the right-hand sides
    of the ``allow`` rows (:meth:`numbers`).
    """

    players: tuple[str, ...]
    weights: np.ndarray
    required: np.ndarray
    dependencies: np.ndarray
    exclusions: np.ndarray
    time_limit: float | None = None

    def cache_key(self) -> str:
        """Hash of the players, weights, requirements, dependencies and exclusions."""
        numbers = (self.players, self.weights, self.required, self.dependencies, self.exclusions)
        return content_key(numbers, COALITION_MODEL_VERSION)

    def open(self) -> ParkEvaluator:
        """Build and compile the MILP once in this process."""
        return ParkEvaluator(self)

    def compile(self) -> CompiledGame:
        """The MILP compiled once (notes §4b): S changes the upper bounds of the ``allow`` rows."""
        from fairpool.optimizer.solve import compile_pyomo

        m = build_coalition_model(self)
        compiled = compile_pyomo(m)
        return CompiledGame(
            program=compiled.program(self.time_limit),
            bound_rows=compiled.rows_of(m.allow[c] for c in m.C),
            columns={"y": compiled.columns_of(m.y[c] for c in m.C)},
        )

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """allowed_c = [R_c ⊆ S] as the ``allow`` rows' upper bounds; no solve if none is.

        Coalitions allowing the same components have equal numbers: the engine solves
        them once.
        """
        allowed = requirements_met(masks, self.required)
        return CoalitionNumbers(solve=allowed.any(axis=1), row_upper=allowed.astype(float))

    def allowed(self, mask: int) -> np.ndarray:
        """[R_c ⊆ S] for every component c."""
        return requirements_met(np.array([mask]), self.required)[0]


def coalition_model(case: JointParkCase) -> ParkCoalitionModel:
    """The park's v(S) MILP as engine data (see :class:`ParkCoalitionModel`)."""
    required = np.array([sum(1 << i for i in req) for req in case.requires], dtype=np.int64)
    components = range(len(case.components))
    dependencies = [(c, d) for c in components for d in sorted(case.depends_on[c])]
    exclusions = sorted({(min(c, e), max(c, e)) for c in components for e in case.excludes[c]})
    return ParkCoalitionModel(
        players=case.parties,
        weights=case.component_npv(),
        required=required,
        dependencies=np.array(dependencies, dtype=np.int64).reshape(-1, 2),
        exclusions=np.array(exclusions, dtype=np.int64).reshape(-1, 2),
        time_limit=case.time_limit,
    )


def build_coalition_model(case: JointParkCase | ParkCoalitionModel) -> pyo.ConcreteModel:
    """The v(S) MILP, built once; membership enters only through the mutable ``allowed``.

    max Σ_c w_c y_c  s.t.  y_c ≤ allowed_c,  y_c ≤ y_d (c depends on d),
    y_c + y_e ≤ 1 (c excludes e),  y ∈ {0, 1}.
    """
    import pyomo.environ as pyo

    data = case if isinstance(case, ParkCoalitionModel) else coalition_model(case)
    weights = data.weights
    dependencies = data.dependencies.tolist()
    exclusions = data.exclusions.tolist()
    m = pyo.ConcreteModel(name="joint_park_coalitions")
    m.C = pyo.RangeSet(0, len(weights) - 1)
    m.allowed = pyo.Param(m.C, mutable=True, initialize=1.0)
    m.y = pyo.Var(m.C, domain=pyo.Binary)
    m.objective = pyo.Objective(
        expr=sum(float(weights[c]) * m.y[c] for c in m.C), sense=pyo.maximize
    )
    m.allow = pyo.Constraint(m.C, rule=lambda m, c: m.y[c] <= m.allowed[c])
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    m.exclude = pyo.Constraint(
        range(len(exclusions)), rule=lambda m, j: m.y[exclusions[j][0]] + m.y[exclusions[j][1]] <= 1
    )
    return m


class ParkEvaluator(CompiledEvaluator):
    """v(S) of a park by re-running the compiled MILP, with the active components at hand."""

    def solve(self, mask: int) -> tuple[float, np.ndarray]:
        """(v(S), which components S activates) for a coalition mask."""
        value = self.value(mask)
        return value, self.column_values("y") > 0.5


class PyomoCoalitionSolver:
    """The reference path (notes §4a): the same Pyomo model re-solved by a persistent solver.

    Slower than :class:`ParkEvaluator` (Pyomo adds 1–3 ms per solve); the tests check that
    both give the same v(S), i.e. that compiling the model loses nothing.
    """

    def __init__(self, model: ParkCoalitionModel) -> None:
        from fairpool.optimizer.solve import pyomo_solver

        self.data = model
        self.model = build_coalition_model(model)
        self.solver = pyomo_solver(model.time_limit)
        self.highs_time = 0.0
        self.solves = 0

    def value(self, mask: int) -> float:
        """v(S) for a coalition mask."""
        return self.solve(mask)[0]

    def solve(self, mask: int) -> tuple[float, np.ndarray]:
        """(v(S), which components S activates) for a coalition mask."""
        from fairpool.optimizer.solve import solve_pyomo

        allowed = self.data.allowed(mask)
        if mask == 0 or not allowed.any():
            return 0.0, np.zeros(len(allowed), dtype=bool)
        for c in self.model.C:
            self.model.allowed[c] = float(allowed[c])
        result = solve_pyomo(self.model, self.solver)
        self.highs_time += result.runtime
        self.solves += 1
        if not result.optimal:
            raise SolverError(
                f"HiGHS could not solve the value of coalition "
                f"{coalition_label(self.data.players, mask)}: {result.highs_status}"
            )
        values = np.array([self.model.y[c].value or 0.0 for c in self.model.C])
        return float(result.objective), values > 0.5


def coalition_values(
    case: JointParkCase, backend: Literal["highspy", "pyomo"] = "highspy", **options: object
) -> tuple[np.ndarray, np.ndarray]:
    """(v(S) for every mask, the grand coalition's active components) from the MILP.

    ``backend="highspy"``: the coalition engine (:func:`optimizer.coalitions.coalition_values`;
    ``options`` are its ``workers``, ``cache``, ``scheduler`` and ``progress``, by default
    those of :func:`optimizer.coalitions.coalition_settings`). ``backend="pyomo"``: every
    coalition through :class:`PyomoCoalitionSolver`, in this process (the reference path).
    """
    model = coalition_model(case)
    grand = (1 << case.n) - 1
    if backend == "pyomo":
        solver = PyomoCoalitionSolver(model)
        values = np.array([solver.value(mask) for mask in range(1 << case.n)])
        return values, solver.solve(grand)[1]
    with CoalitionEngine(model, **options) as engine:  # type: ignore[arg-type]
        values = engine.values()
        active = engine.evaluator().solve(grand)[1]  # type: ignore[attr-defined]
    return values, active


def build_coalition_game(case: JointParkCase, **options: object) -> Game:
    """The coalition game v(S) of a case (MILP per coalition, or the ``coalitions`` sheet).

    v(S) = best NPV S can reach activating only the components whose required parties are all
    in S (dependencies and exclusions respected); statistic streams never count. ``options``
    go to the coalition engine (:func:`optimizer.coalitions.model_game`).
    """
    if case.coalition_values is not None:
        values = np.zeros(1 << case.n)
        for mask, value in case.coalition_values.items():
            values[mask] = value
        return Game(case.parties, values, "benefit", case.party_names, case.attributes)
    return model_game(
        coalition_model(case),
        "benefit",
        names=case.party_names,
        attributes=case.attributes,
        **options,
    )


# -- plan arithmetic (no solver) --------------------------------------------------------------


@dataclass(frozen=True)
class Pools:
    """The shareable pools of the grand coalition's park.

    ``split[k, t]``: the amount of stream k split by ratio in year t; ``stock[p, k, t]``: the
    base-year stock kept by its owner (存量不动); ``cost[p, t]``: each party's costs.
    """

    active: np.ndarray
    split: np.ndarray
    stock: np.ndarray
    cost: np.ndarray


def park_pools(case: JointParkCase, active: np.ndarray) -> Pools:
    """Pools of the activated components: A[k, t] = Σ_c y_c R[c, k, t], stock split off."""
    total = np.einsum("c,ckt->kt", active.astype(float), case.revenue)
    stock = np.zeros((case.n, len(case.streams), len(case.years)))
    split = total.copy()
    for k, stream in enumerate(case.streams):
        if stream.increment_base_year is None:
            continue
        t0 = int(np.searchsorted(case.years, stream.increment_base_year))
        base = total[k, t0]
        kept = np.minimum(total[k], base)
        stock[case.party_index(stream.stock_owner), k] = kept  # type: ignore[arg-type]
        split[k] = total[k] - kept
    cost = np.einsum("c,cpt->pt", active.astype(float), case.cost)
    return Pools(active, split, stock, cost)


@dataclass(frozen=True)
class PlanFlows:
    """What a ratio plan gives each party: yearly cash take, statistic credit and NPV."""

    ratios: np.ndarray
    take: np.ndarray
    cost: np.ndarray
    statistics: np.ndarray
    npv: np.ndarray


def evaluate_plan(case: JointParkCase, pools: Pools, ratios: np.ndarray) -> PlanFlows:
    """Apply ratios r[p, k, h] to the pools, with caps truncating chronologically.

    take[p, t] = Σ_{k cash} r[p, k, h(t)] A'[k, t] + stock[p, k, t]; a cap limits Σ_t of the
    capped party's split take over its window: once reached, the rest of each year's take
    goes to ``overflow_to``. npv[p] = Σ_t d_t (take[p, t] − cost[p, t]).
    """
    phase = case.phase_of_year
    in_phase = phase >= 0
    per_year = np.zeros((case.n, len(case.streams), len(case.years)))
    per_year[:, :, in_phase] = ratios[:, :, phase[in_phase]] * pools.split[None, :, in_phase]
    cash = case.cash
    take = per_year[:, cash].sum(axis=1) + pools.stock[:, cash].sum(axis=1)
    for limit in case.limits:
        if limit.limit != "cap":
            continue
        p, q = case.party_index(limit.party), case.party_index(limit.overflow_to)  # type: ignore[arg-type]
        scope = [case.stream_index(s) for s in limit.streams]
        window = (case.years >= limit.start_year) & (case.years <= limit.end_year)
        remaining = limit.amount
        for t in np.flatnonzero(window):
            gross = per_year[p, scope, t].sum()
            kept = min(gross, max(remaining, 0.0))
            remaining -= kept
            take[p, t] -= gross - kept
            take[q, t] += gross - kept
    statistics = per_year[:, ~cash] + pools.stock[:, ~cash]
    npv = (take - pools.cost) @ case.discount
    return PlanFlows(ratios, take, pools.cost, statistics, npv)


def ratios_from_frame(case: JointParkCase, frame: pd.DataFrame) -> np.ndarray:
    """A ratios DataFrame (party, stream, phase, ratio) as the array r[p, k, h] (NaN: 0)."""
    ratios = np.zeros((case.n, len(case.streams), len(case.phases)))
    for row in frame.itertuples(index=False):
        value = float(row.ratio)
        ratios[
            case.party_index(row.party),
            case.stream_index(row.stream),
            case.phase_index(str(row.phase)),
        ] = 0.0 if math.isnan(value) else value
    return ratios


def ratios_frame(case: JointParkCase, ratios: np.ndarray) -> pd.DataFrame:
    """r[p, k, h] as a DataFrame with columns party, stream, phase, ratio (stream-major)."""
    records = [
        {
            "party": party,
            "stream": stream.stream,
            "phase": phase.phase,
            "ratio": float(ratios[p, k, h]),
        }
        for k, stream in enumerate(case.streams)
        for h, phase in enumerate(case.phases)
        for p, party in enumerate(case.parties)
    ]
    return pd.DataFrame.from_records(records, columns=["party", "stream", "phase", "ratio"])


def cash_flow_frame(case: JointParkCase, flows: PlanFlows) -> pd.DataFrame:
    """Yearly cash flow per party: party, year, take, cost, net, discount_factor, discounted_net."""
    d = case.discount
    records = []
    for p, party in enumerate(case.parties):
        for t, year in enumerate(case.years):
            net = flows.take[p, t] - flows.cost[p, t]
            records.append(
                {
                    "party": party,
                    "year": int(year),
                    "take": flows.take[p, t],
                    "cost": flows.cost[p, t],
                    "net": net,
                    "discount_factor": d[t],
                    "discounted_net": net * d[t],
                }
            )
    return pd.DataFrame.from_records(
        records,
        columns=["party", "year", "take", "cost", "net", "discount_factor", "discounted_net"],
    )


def statistics_frame(case: JointParkCase, flows: PlanFlows) -> pd.DataFrame:
    """Statistic credit (GDP…) per party, stream and year: party, stream, year, amount."""
    names = [s.stream for s in case.streams if s.kind == "statistic"]
    records = [
        {"party": party, "stream": stream, "year": int(year), "amount": flows.statistics[p, j, t]}
        for j, stream in enumerate(names)
        for p, party in enumerate(case.parties)
        for t, year in enumerate(case.years)
    ]
    return pd.DataFrame.from_records(records, columns=["party", "stream", "year", "amount"])


# -- ratio bounds from the rules --------------------------------------------------------------


def _matches(rule_value: str, value: str) -> bool:
    return rule_value in (ALL, value)


def _specificity(rule: RatioRule) -> int:
    return (rule.stream != ALL) + (rule.phase != ALL)


def rules_in_force(
    case: JointParkCase, rules: Sequence[RatioRule] | None = None
) -> list[tuple[RatioRule, np.ndarray]]:
    """Each rule row with the (stream, phase) cells where it applies to its party.

    A ratio r[p, k, h] is governed by the matching rows of the highest specificity (a row
    naming a stream and a phase beats one naming only one of them, which beats ``* *``); rows
    of equal specificity all apply (their intersection).
    """
    rules = case.rules if rules is None else rules
    shape = (len(case.streams), len(case.phases))
    best = np.full((case.n, *shape), -1)
    matched = []
    for rule in rules:
        p = case.party_index(rule.party)
        cells = np.zeros(shape, dtype=bool)
        for k, stream in enumerate(case.streams):
            for h, phase in enumerate(case.phases):
                cells[k, h] = _matches(rule.stream, stream.stream) and _matches(
                    rule.phase, phase.phase
                )
        best[p][cells] = np.maximum(best[p][cells], _specificity(rule))
        matched.append((rule, p, cells))
    return [(rule, cells & (best[p] == _specificity(rule))) for rule, p, cells in matched]


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


# -- the plan model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSpec:
    """What goes into a plan model.

    ``rules``/``limits``/``one_ratio``/``core_hard`` select the rule sources (so that an
    infeasible set can be narrowed down); ``fixed`` fixes every ratio (a proposal);
    ``sweep`` ties ratios to one variable ρ (see :func:`core_band`).
    """

    rules: tuple[RatioRule, ...]
    limits: tuple[Limit, ...]
    one_ratio: bool
    core: CoreMode
    schedules: bool = True
    fixed: np.ndarray | None = None
    sweep: SweepSpec | None = None


@dataclass(frozen=True)
class SweepSpec:
    """r[party, k, h] = ρ on ``cells`` (k, h); other parties share 1 − ρ as in ``base``."""

    party: int
    cells: tuple[tuple[int, int], ...]
    base: np.ndarray


def define_split_ratios(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
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
    """min_ratio ≤ r[p, k, h] ≤ max_ratio for every rule row matching (p, k, h)."""
    if spec.fixed is not None:
        for index in m.r:
            m.r[index].fix(float(spec.fixed[index]))
        return
    if spec.sweep is not None:
        return
    lo, hi = ratio_bounds(case, spec.rules)
    for index in m.r:  # conflicting rows give lb > ub: HiGHS reports the model infeasible
        m.r[index].setlb(float(lo[index]))
        m.r[index].setub(float(hi[index]))


def define_one_ratio(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """r[p, k, h] = r[p, k₀, h] for every cash stream k (k₀ the first cash stream)."""
    import pyomo.environ as pyo

    cash = [k for k, s in enumerate(case.streams) if s.kind == "cash"]
    pairs = [(p, k, h) for p in m.P for k in cash[1:] for h in m.H] if spec.one_ratio else []
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
            if _matches(rule.stream, stream.stream):
                pairs += [(p, k, h, sign) for h in range(len(case.phases) - 1)]
    m.monotone = pyo.Constraint(
        range(len(pairs)),
        rule=lambda m, j: (
            pairs[j][3]
            * (
                m.r[pairs[j][0], pairs[j][1], pairs[j][2] + 1]
                - m.r[pairs[j][0], pairs[j][1], pairs[j][2]]
            )
            >= 0
        ),
    )


def define_sweep(m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec) -> None:
    """r[i, k, h] = ρ on the swept cells, others r[q, k, h] = base_q (1 − ρ)/(1 − base_i)."""
    import pyomo.environ as pyo

    if spec.sweep is None:
        return
    sweep = spec.sweep
    m.rho = pyo.Var(bounds=(0.0, 1.0))
    cells = set(sweep.cells)
    m.sweep_tie = pyo.ConstraintList()
    for p, k, h in m.r:
        if (k, h) not in cells:
            m.r[p, k, h].fix(float(sweep.base[p, k, h]))
            continue
        if p == sweep.party:
            m.sweep_tie.add(m.r[p, k, h] == m.rho)
            continue
        rest = 1.0 - sweep.base[sweep.party, k, h]
        others = case.n - 1
        share = sweep.base[p, k, h] / rest if rest > 1e-12 else 1.0 / others
        m.sweep_tie.add(m.r[p, k, h] == share * (1 - m.rho))


def define_yearly_take(m: pyo.ConcreteModel, case: JointParkCase, pools: Pools) -> None:
    """take[p, t] = Σ_{k cash} (r[p, k, h(t)] A'[k, t] + stock[p, k, t]) (before caps)."""
    import pyomo.environ as pyo

    phase = case.phase_of_year
    m.T = pyo.RangeSet(0, len(case.years) - 1)
    cash = [k for k, s in enumerate(case.streams) if s.kind == "cash"]

    def gross(m: pyo.ConcreteModel, p: int, k: int, t: int) -> object:
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
        p, q = case.party_index(limit.party), case.party_index(limit.overflow_to)  # type: ignore[arg-type]
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
            m.cap_rows.add(cumulative <= limit.amount)
            m.cap_rows.add(cumulative >= limit.amount * m.cap_reached[j, t])
            m.take_adjust[p, t] = m.take_adjust.get((p, t), 0) - excess
            m.take_adjust[q, t] = m.take_adjust.get((q, t), 0) + excess
    for (p, t), expr in list(m.take.items()):
        m.take[p, t] = expr + m.take_adjust.get((p, t), 0)


def define_cash_floor(
    m: pyo.ConcreteModel, case: JointParkCase, spec: PlanSpec, pools: Pools
) -> None:
    """take[p, t] (over the floor's streams) ≥ amount (+ cost[p, t] with plus_costs), t ∈ W."""
    import pyomo.environ as pyo

    m.floor = pyo.ConstraintList()
    cash = [k for k, s in enumerate(case.streams) if s.kind == "cash"]
    for limit in spec.limits:
        if limit.limit != "floor":
            continue
        p = case.party_index(limit.party)
        scope = [case.stream_index(s) for s in limit.streams]
        all_cash = sorted(scope) == cash
        for t in np.flatnonzero((case.years >= limit.start_year) & (case.years <= limit.end_year)):
            need = limit.amount + (float(pools.cost[p, t]) if limit.plus_costs else 0.0)
            if all_cash:
                take = m.take[p, t]
            else:
                take = sum(m.take_scope[p, t, k] for k in scope)
                for cap_j, cap in enumerate(m.cap_limits):  # caps on exactly these streams
                    if (
                        sorted(case.stream_index(s) for s in cap.streams) == sorted(scope)
                        and (cap_j, t) in m.cap_index
                    ):
                        sign = (
                            -1
                            if case.party_index(cap.party) == p
                            else (1 if case.party_index(cap.overflow_to) == p else 0)
                        )  # type: ignore[arg-type]
                        take = take + sign * m.cap_excess[cap_j, t]
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
    """max Σ_p t_p with t_p ≤ log g⁰ + (g_p − g⁰)/g⁰ (tangent cuts), g_p = npv_p − v({p})."""
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


def build_plan_model(
    case: JointParkCase,
    game: Game,
    pools: Pools,
    target: np.ndarray | None,
    spec: PlanSpec | None = None,
    distance: DistanceKind = "l1",
) -> pyo.ConcreteModel:
    """The plan model: ratios under the rules, NPVs, core rows, distance and tie-break.

    ``target`` None builds the Nash objective instead of the distance. Every ``*_objective`` is
    built deactivated; :func:`solve_plan` activates them in turn (lexicographic solve).
    """
    import pyomo.environ as pyo

    spec = spec or default_spec(case, case.core)
    m = pyo.ConcreteModel(name="joint_park_plan")
    define_split_ratios(m, case, spec)
    define_ratio_bounds(m, case, spec)
    define_sweep(m, case, spec)
    define_one_ratio(m, case, spec)
    define_monotone_schedule(m, case, spec)
    define_yearly_take(m, case, pools)
    define_cumulative_cap(m, case, spec, pools)
    define_cash_floor(m, case, spec, pools)
    define_npv(m, case, pools)
    define_core_constraints(m, game, spec.core)
    standalone = game.standalone_values
    if target is not None:
        define_distance_objective(m, target, distance)
        weights = _pool_weights(target)
    else:
        define_nash_objective(m, standalone)
        weights = np.full(case.n, 1.0 / case.n)
    define_tie_break(m, case, weights)
    m.feasibility_objective = pyo.Objective(expr=0.0 * m.epsilon, sense=pyo.minimize)
    m.feasibility_objective.deactivate()
    return m


def default_spec(case: JointParkCase, core: CoreMode) -> PlanSpec:
    """Every rule source of the case."""
    return PlanSpec(case.rules, case.limits, case.one_ratio_for_all_streams, core)


def _pool_weights(target: np.ndarray) -> np.ndarray:
    """w_p = τ_p⁺ / Σ τ⁺ (equal when no party has a positive target)."""
    positive = np.clip(target, 0.0, None)
    return (
        positive / positive.sum() if positive.sum() > 0 else np.full(len(target), 1 / len(target))
    )


# -- solving the plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOutcome:
    """The solved plan: ratios, ε*, distance, Nash details and solver time."""

    ratios: np.ndarray
    epsilon: float
    distance: float
    runtime: float
    details: Mapping[str, float] = field(default_factory=dict)


def _sources(spec: PlanSpec) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = [("rule", r) for r in spec.rules]
    items += [("limit", limit) for limit in spec.limits]
    if spec.one_ratio:
        items.append(("one_ratio", None))
    if spec.core == "hard":
        items.append(("core", None))
    return items


def _spec_with(spec: PlanSpec, sources: Sequence[tuple[str, object]]) -> PlanSpec:
    rules = tuple(s for kind, s in sources if kind == "rule")
    limits = tuple(s for kind, s in sources if kind == "limit")
    return PlanSpec(
        rules,
        limits,
        any(k == "one_ratio" for k, _ in sources),  # type: ignore[arg-type]
        "hard" if any(k == "core" for k, _ in sources) else "off",
        spec.schedules,
        spec.fixed,
        spec.sweep,
    )


def _feasible(case: JointParkCase, game: Game, pools: Pools, spec: PlanSpec) -> bool:
    from fairpool.optimizer.solve import SolveStatus

    m = build_plan_model(case, game, pools, np.zeros(case.n), spec)
    activate_only(m, "feasibility_objective")
    status = solve_plan_model(m).status
    if status not in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
        raise SolverError(f"HiGHS could not decide whether the rules are feasible ({status.value})")
    return status is SolveStatus.OPTIMAL


def diagnose_infeasible(
    case: JointParkCase, game: Game, pools: Pools, spec: PlanSpec
) -> InfeasibleError:
    """An :class:`InfeasibleError` naming a minimal set of conflicting rules (deletion filter).

    Drop each rule source in turn; keep it dropped if the rest is still infeasible. What
    remains is irreducible: removing any one of them makes the plan feasible.
    """
    sources = _sources(spec)
    if _feasible(case, game, pools, _spec_with(spec, [])):
        needed = list(sources)
        for source in list(sources):
            trial = [s for s in needed if s is not source]
            if not _feasible(case, game, pools, _spec_with(spec, trial)):
                needed = trial
    else:
        needed = []
    lines = []
    for kind, source in needed:
        if kind in ("rule", "limit"):
            lines.append(source.describe())  # type: ignore[attr-defined]
        elif kind == "one_ratio":
            lines.append("sheet case, key one_ratio_for_all_streams (TRUE)")
        else:
            lines.append(
                "the core constraints (core = hard): no plan within the rules is in "
                "the core; use core = soft"
            )
    if not lines:
        lines.append(
            "the ratios of each stream and phase must add up to 1 (fixed proposal "
            "ratios or the park's pools admit no plan)"
        )
    return InfeasibleError(
        "The rules admit no split plan. These rules conflict (relax any one of them):\n  - "
        + "\n  - ".join(lines)
    )


def solve_plan(
    case: JointParkCase,
    game: Game,
    pools: Pools,
    target: np.ndarray | None,
    core: CoreMode,
    distance: DistanceKind = "l1",
    spec: PlanSpec | None = None,
) -> PlanOutcome:
    """Lexicographic plan solve: least ε (soft core), then distance (or Nash), then tie-break.

    Raises :class:`InfeasibleError` naming the conflicting rules when no plan meets them.
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import SolveStatus, pyomo_solver

    spec = spec or default_spec(case, core)
    started = time.perf_counter()
    m = build_plan_model(case, game, pools, target, spec, distance)
    solver = pyomo_solver(case.time_limit)
    tol = plan_tolerance(game)

    def solve(what: str) -> float:
        result = solve_plan_model(m, solver)
        if result.status is SolveStatus.INFEASIBLE:
            raise diagnose_infeasible(case, game, pools, spec)
        if not result.optimal:
            raise SolverError(f"HiGHS could not solve the plan ({what}): {result.highs_status}")
        return result.objective

    epsilon = 0.0
    if core == "soft":
        activate_only(m, "epsilon_objective")
        epsilon = max(solve("least core violation"), 0.0)
        m.epsilon.setub(epsilon + tol)
    details: dict[str, float] = {}
    if target is not None:
        activate_only(m, "distance_objective")
        best = solve("distance to the target")
        m.distance_cap = pyo.Constraint(expr=m.distance <= best + tol)
    else:
        best = 0.0
        details = _solve_nash(m, solve, game.standalone_values, tol)
        m.nash_cap = pyo.Constraint(
            expr=sum(m.log_gain[p] for p in m.P) >= details["nash_lower_bound"] - 1e-9
        )
    activate_only(m, "tie_objective")
    solve("tie-break")
    ratios = np.zeros((case.n, len(case.streams), len(case.phases)))
    for index in m.r:
        ratios[index] = m.r[index].value or 0.0
    ratios = np.clip(ratios, 0.0, 1.0)
    return PlanOutcome(ratios, epsilon, best, time.perf_counter() - started, details)


def _solve_nash(
    m: pyo.ConcreteModel, solve: Callable[[str], float], standalone: np.ndarray, tol: float
) -> dict[str, float]:
    """Outer approximation of max Σ log g_p by tangent cuts, to NASH_TOLERANCE.

    The cuts over-estimate log (concave), so each LP optimum U is an upper bound and the
    LP's point gives the lower bound L = Σ log g_p; stop when U − L ≤ NASH_TOLERANCE.
    """
    m.least_gain_bound.activate()
    activate_only(m, "least_gain_objective")
    least = solve("Nash start: largest least gain")
    if least <= tol:
        raise InfeasibleError(
            "target = nash needs a plan giving every party more than it gets alone, and the "
            f"rules allow none (best least gain {least:g}); choose another target"
        )
    m.least_gain_bound.deactivate()
    n = len(standalone)

    def gains() -> np.ndarray:
        return np.array([m.npv[p].value for p in range(n)]) - standalone

    def cut_at(point: np.ndarray) -> None:
        for p in range(n):
            g0 = float(point[p])
            m.tangents.add(m.log_gain[p] <= math.log(g0) + (m.npv[p] - standalone[p] - g0) / g0)

    cut_at(np.maximum(gains(), least))
    activate_only(m, "nash_objective")
    lower, upper, iterations = -math.inf, math.inf, 0
    for iterations in range(1, 201):  # noqa: B007 (reported)
        upper = solve("Nash target")
        point = gains()
        if (point > 0).all():
            lower = max(lower, float(np.log(point).sum()))
        if upper - lower <= NASH_TOLERANCE:
            break
        cut_at(np.maximum(point, least * 1e-3))
    else:
        raise SolverError(f"the Nash target did not converge (gap {upper - lower:g})")
    return {"nash_lower_bound": lower, "nash_upper_bound": upper, "nash_iterations": iterations}


# -- target allocations -----------------------------------------------------------------------


def target_allocation(game: Game, target: str) -> Allocation:
    """The allocation the plan aims at.

    shapley / nucleolus / any METHODS key: the engine's solution; proportional:<a>:
    x_p = v(N) a_p / Σ a; equal_gain: x_p = v({p}) + (v(N) − Σ_q v({q}))/n.
    """
    if target == "equal_gain":
        standalone = game.standalone_values
        shares = standalone + (game.grand_value - standalone.sum()) / game.n
        return Allocation("equal_gain", game.players, shares)
    if target.startswith("proportional"):
        attribute = target.partition(":")[2].strip()
        weights = game.attribute(attribute)
        if (weights < 0).any() or weights.sum() <= 0:
            raise CaseError(f"party attribute {attribute!r} cannot weight a proportional target")
        shares = game.grand_value * weights / weights.sum()
        return Allocation("proportional", game.players, shares, {"attribute": attribute})
    if target not in METHODS:
        raise CaseError(f"unknown target {target!r}; expected {TARGETS_HELP}")
    return solve_method(game, target)


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JointParkResult(PlanResult):
    """Everything ``fairpool solve`` reports for a joint-park case.

    The fields of :class:`~models.planning.PlanResult` (shares and the target are NPVs), and:

    Attributes:
        analysis: the engine's analysis of the game (every method, fairness, properties,
            least core).
        allocations: {method: Allocation} for every engine method, plus the target.
        target_shares: {party: target NPV}.
        ratios: DataFrame (party, stream, phase, ratio): the plan, statistic streams included.
        cash_flows: DataFrame (party, year, take, cost, net, discount_factor, discounted_net).
        statistics: DataFrame (party, stream, year, amount): statistic credit (not money).
        npv: {party: NPV realised by the plan}.
        distance: Σ |npv − target| (l1) or max (linf) in the case unit.
        residual: {party: npv − target}.
        active_components: components the grand coalition builds.
        details: Nash target details (bounds, iterations); empty for other targets.
    """

    analysis: GameAnalysis
    ratios: pd.DataFrame
    cash_flows: pd.DataFrame
    statistics: pd.DataFrame
    npv: Mapping[str, float]
    active_components: tuple[str, ...]
    details: Mapping[str, float] = field(default_factory=dict)


def _game_and_pools(case: JointParkCase) -> tuple[Game, Pools, dict[str, float], list[str]]:
    started = time.perf_counter()
    values, active = coalition_values(case)
    warnings: list[str] = []
    if case.coalition_values is not None:
        explicit = dense_values(dict(case.coalition_values), case.n)
        if abs(explicit[-1] - values[-1]) > 1e-6 * max(1.0, abs(values[-1])):
            warnings.append(
                f"the coalitions sheet gives v(N) = {explicit[-1]:g} but the park's components "
                f"give {values[-1]:g}; plan NPVs add up to the latter"
            )
        values = explicit
    game = Game(case.parties, values, "benefit", case.party_names, case.attributes)
    timings = {"coalition_values": time.perf_counter() - started}
    return game, park_pools(case, active), timings, warnings


def solve_case(
    case: JointParkCase,
    target: str | None = None,
    core: CoreMode | None = None,
    distance: DistanceKind | None = None,
) -> JointParkResult:
    """Solve a joint-park case: v(S), every allocation, and the fairest plan within the rules.

    ``target``, ``core`` and ``distance`` default to the case sheet's settings (shapley, soft,
    l1). Raises :class:`InfeasibleError` naming the conflicting rules if no plan meets them.
    """
    target = target or case.target
    core = core or case.core
    distance = distance or case.distance
    game, pools, timings, warnings = _game_and_pools(case)
    warnings = [*case.warnings, *warnings]
    started = time.perf_counter()
    analysis = analyse_game(game)
    allocations = dict(analysis.allocations)
    warnings += [f"allocation {key} not available: {why}" for key, why in analysis.skipped.items()]
    if target == "nash":
        goal = None
    else:
        goal_allocation = target_allocation(game, target)
        allocations.setdefault(goal_allocation.method, goal_allocation)
        goal = goal_allocation.shares
    timings["allocations"] = time.perf_counter() - started
    outcome = solve_plan(case, game, pools, goal, core, distance)
    timings["plan"] = outcome.runtime
    flows = evaluate_plan(case, pools, outcome.ratios)
    if goal is None:
        goal = flows.npv
        allocations["nash_plan"] = Allocation(
            "nash_plan", game.players, flows.npv, dict(outcome.details)
        )
    residual = flows.npv - goal
    dist = float(np.abs(residual).sum() if distance == "l1" else np.abs(residual).max())
    worst, excess = worst_blocking(game, flows.npv, ties="smallest")
    tol = plan_tolerance(game) * 10
    if core != "off" and outcome.epsilon > tol:
        warnings.append(
            f"no plan within the rules is in the core: some coalition gains up to "
            f"{outcome.epsilon:,.4g} {case.unit} by leaving (worst: {worst})"
        )
    return JointParkResult(
        analysis=analysis,
        case_name=case.name,
        unit=case.unit,
        players=case.parties,
        names=case.party_names,
        game=game,
        coalition_values={game.label(m): float(game.values[m]) for m in range(1, 1 << case.n)},
        allocations=allocations,
        target=target,
        core=core,
        distance_kind=distance,
        target_shares=dict(zip(case.parties, map(float, goal), strict=True)),
        ratios=ratios_frame(case, outcome.ratios),
        cash_flows=cash_flow_frame(case, flows),
        statistics=statistics_frame(case, flows),
        npv=dict(zip(case.parties, map(float, flows.npv), strict=True)),
        distance=dist,
        residual=dict(zip(case.parties, map(float, residual), strict=True)),
        epsilon=float(outcome.epsilon),
        worst_coalition=worst,
        worst_excess=excess,
        in_core=excess <= tol,
        individually_rational={
            p: bool(flows.npv[i] >= game.standalone_values[i] - tol)
            for i, p in enumerate(case.parties)
        },
        active_components=tuple(c for c, a in zip(case.components, pools.active, strict=True) if a),
        warnings=tuple(warnings),
        timings=timings,
        details=dict(outcome.details),
    )


# -- checking a proposal ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalCheck:
    """A proposal's ratios judged (``fairpool check``).

    Attributes:
        ratios: the proposal (party, stream, phase, ratio), wildcards expanded.
        npv: {party: NPV under the proposal}; cash_flows / statistics as in the result.
        individually_rational: {party: NPV ≥ v({party})}.
        in_core, worst_coalition, worst_excess: the coalition most tempted to leave and how
            much better off it would be alone (> 0: blocked).
        distances: {method: Σ_p |npv_p − x_p|} to shapley and nucleolus (L1).
        rule_violations: rules, floors the proposal breaks (sheet and row named).
        verdict: plain-language lines for a negotiator.
        fair: individually rational, in the core and within the rules.
    """

    ratios: pd.DataFrame
    npv: Mapping[str, float]
    cash_flows: pd.DataFrame
    statistics: pd.DataFrame
    individually_rational: Mapping[str, bool]
    in_core: bool
    worst_coalition: str
    worst_excess: float
    distances: Mapping[str, float]
    rule_violations: tuple[str, ...]
    verdict: tuple[str, ...]
    fair: bool
    allocation: Allocation
    game: Game


def proposal_violations(
    case: JointParkCase, pools: Pools, ratios: np.ndarray, flows: PlanFlows
) -> list[str]:
    """Rules rows and floors that a ratio plan breaks (caps cannot be broken: they truncate)."""
    problems = []
    tol = 1e-9
    for rule, cells in rules_in_force(case):
        p = case.party_index(rule.party)
        values = ratios[p][cells]
        if values.size and (
            (values < rule.min_ratio - tol).any() or (values > rule.max_ratio + tol).any()
        ):
            problems.append(f"breaks {rule.describe()}")
        if rule.schedule != "free":
            for k, stream in enumerate(case.streams):
                if not _matches(rule.stream, stream.stream):
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
        short = window & (take < need - 1e-7 * max(1.0, limit.amount))
        if short.any():
            years = ", ".join(str(y) for y in case.years[short][:5])
            problems.append(f"breaks {limit.describe()} in {years}")
    if case.one_ratio_for_all_streams:
        cash = np.flatnonzero(case.cash)
        if not np.allclose(ratios[:, cash], ratios[:, cash[:1]], atol=1e-9):
            problems.append("breaks sheet case, key one_ratio_for_all_streams (TRUE)")
    return problems


def check_proposal(
    case: JointParkCase, proposal: pd.DataFrame | None = None, game: Game | None = None
) -> ProposalCheck:
    """Judge a proposal: NPVs, individual rationality, core membership, distances, rules.

    ``proposal`` (party, stream, phase, ratio; no wildcards) defaults to the case's
    ``proposal`` sheet. ``game`` may be passed to reuse coalition values already computed.
    """
    if proposal is None:
        if case.proposal is None:
            raise CaseError(
                f"{Path(case.source).name}: no proposal sheet to check; add sheet "
                "proposal (party, stream, phase, ratio) or pass a proposal file"
            )
        proposal = case.proposal
    if game is None:
        game, pools, _, _ = _game_and_pools(case)
    else:
        pools = park_pools(case, coalition_model(case).open().solve((1 << case.n) - 1)[1])
    ratios = ratios_from_frame(case, proposal)
    flows = evaluate_plan(case, pools, ratios)
    tol = plan_tolerance(game) * 10
    rational = {
        p: bool(flows.npv[i] >= game.standalone_values[i] - tol) for i, p in enumerate(case.parties)
    }
    worst, excess = worst_blocking(game, flows.npv, ties="smallest")
    distances: dict[str, float] = {}
    for key in ("shapley", "nucleolus"):
        try:
            distances[key] = float(np.abs(flows.npv - solve_method(game, key).shares).sum())
        except (CaseError, InfeasibleError):
            continue
    violations = proposal_violations(case, pools, ratios, flows)
    unit = case.unit
    name = dict(zip(case.parties, case.party_names, strict=True))
    verdict = proposal_verdict(game, name, unit, flows.npv, rational, (worst, excess), tol)
    for key, value in distances.items():
        verdict.append(f"Distance to {key}: {value:,.1f} {unit} (sum over parties).")
    verdict += [f"The proposal {v}." for v in violations]
    fair = all(rational.values()) and excess <= tol and not violations
    return ProposalCheck(
        ratios=proposal.reset_index(drop=True),
        npv=dict(zip(case.parties, map(float, flows.npv), strict=True)),
        cash_flows=cash_flow_frame(case, flows),
        statistics=statistics_frame(case, flows),
        individually_rational=rational,
        in_core=excess <= tol,
        worst_coalition=worst,
        worst_excess=excess,
        distances=distances,
        rule_violations=tuple(violations),
        verdict=tuple(verdict),
        fair=fair,
        allocation=Allocation("proposal", game.players, flows.npv),
        game=game,
    )


# -- sweeps and the core band -----------------------------------------------------------------


def _sweep_cells(case: JointParkCase, stream: str, phase: str) -> tuple[tuple[int, int], ...]:
    cash = [k for k, s in enumerate(case.streams) if s.kind == "cash"]
    if stream in (ALL, "all"):
        streams = cash
    else:
        if stream not in [s.stream for s in case.streams]:
            raise CaseError(
                f"unknown stream {stream!r}; "
                + known_list("streams", [s.stream for s in case.streams])
            )
        streams = [case.stream_index(stream)]
    if phase in (ALL, "all"):
        phases = list(range(len(case.phases)))
    else:
        if str(phase) not in [p.phase for p in case.phases]:
            raise CaseError(
                f"unknown phase {phase!r}; " + known_list("phases", [p.phase for p in case.phases])
            )
        phases = [case.phase_index(str(phase))]
    return tuple((k, h) for k in streams for h in phases)


def _base_ratios(
    case: JointParkCase, base: pd.DataFrame | np.ndarray | None, game: Game, pools: Pools
) -> np.ndarray:
    if isinstance(base, np.ndarray):
        return base
    if isinstance(base, pd.DataFrame):
        return ratios_from_frame(case, base)
    if case.proposal is not None:
        return ratios_from_frame(case, case.proposal)
    goal = target_allocation(game, "shapley" if case.target == "nash" else case.target).shares
    return solve_plan(case, game, pools, goal, case.core, case.distance).ratios


def _swept_ratios(case: JointParkCase, spec: SweepSpec, rho: float) -> np.ndarray:
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


def _sweep_setup(
    case: JointParkCase, party: str, stream: str, phase: str, base: pd.DataFrame | np.ndarray | None
) -> tuple[Game, Pools, SweepSpec]:
    check_sweep_party(case.parties, party)
    cells = _sweep_cells(case, stream, str(phase))
    game, pools, _, _ = _game_and_pools(case)
    spec = SweepSpec(case.party_index(party), cells, _base_ratios(case, base, game, pools))
    return game, pools, spec


def sweep(
    case: JointParkCase,
    party: str,
    stream: str,
    phase: str,
    values: Iterable[float],
    base: pd.DataFrame | np.ndarray | None = None,
) -> pd.DataFrame:
    """Each party's NPV and the core verdict as one ratio slides.

    The ratio r[party, stream, phase] (``stream="*"``: the same ratio on every cash stream;
    ``phase="*"``: every phase) takes each value; the other parties share the rest in their
    ``base`` proportions (base: the given ratios, else the proposal sheet, else the plan for
    the case's target); every other ratio stays at ``base``.

    Columns: ``ratio``, ``npv_<party>`` per party, ``in_core``, ``worst_coalition``,
    ``worst_excess``, ``within_rules`` (the swept ratios respect the rules rows).
    """
    game, pools, spec = _sweep_setup(case, party, stream, phase, base)
    lo, hi = ratio_bounds(case)
    tol = plan_tolerance(game) * 10
    records = []
    for rho in values:
        rho = float(rho)
        if not 0.0 <= rho <= 1.0:
            raise CaseError(f"sweep ratio {rho:g} is outside [0, 1]")
        ratios = _swept_ratios(case, spec, rho)
        flows = evaluate_plan(case, pools, ratios)
        worst, excess = worst_blocking(game, flows.npv, ties="smallest")
        cells = np.zeros(ratios.shape, dtype=bool)
        for k, h in spec.cells:
            cells[:, k, h] = True
        within = bool(((ratios >= lo - 1e-9) & (ratios <= hi + 1e-9))[cells].all())
        record: dict[str, object] = {"ratio": rho}
        record.update({f"npv_{p}": float(flows.npv[i]) for i, p in enumerate(case.parties)})
        record.update(
            {
                "in_core": bool(excess <= tol),
                "worst_coalition": worst,
                "worst_excess": excess,
                "within_rules": within,
            }
        )
        records.append(record)
    return pd.DataFrame.from_records(records)


def core_band(
    case: JointParkCase,
    party: str,
    stream: str,
    phase: str,
    base: pd.DataFrame | np.ndarray | None = None,
) -> tuple[float, float] | None:
    """The interval of ratios (as in :func:`sweep`) where no coalition blocks, exactly by LP.

    lo = min ρ, hi = max ρ subject to x(S)(ρ) ≥ v(S) for every proper coalition S, where the
    NPVs x(ρ) follow the sweep's rule (caps included: a MILP then). ``None`` if no ratio puts
    the plan in the core. Rules rows and floors do not restrict the band (the sweep's
    ``within_rules`` column shows them).
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import SolveStatus, pyomo_solver

    game, pools, sweep_spec = _sweep_setup(case, party, stream, phase, base)
    caps = tuple(limit for limit in case.limits if limit.limit == "cap")
    spec = PlanSpec((), caps, False, "hard", schedules=False, sweep=sweep_spec)
    m = build_plan_model(case, game, pools, np.zeros(case.n), spec)
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


# -- template ---------------------------------------------------------------------------------

TEMPLATE_SETTINGS: dict[str, object] = {
    "model": MODEL,
    "name": "示例园区 example park",
    "unit": "万元",
    "discount_rate": 0.05,
    "base_year": 2025,
    "target": "shapley",
    "core": "soft",
    "distance": "l1",
    "one_ratio_for_all_streams": False,
}


def template_rows() -> dict[str, list[dict[str, object]]]:
    """Example rows of the template: a small, valid two-party park (10 years, 2 phases)."""
    years = range(2026, 2036)
    return {
        "parties": [
            {"id": "SEND", "name": "飞出地 sending city", "gdp": 8000.0},
            {"id": "HOST", "name": "飞入地 host county", "gdp": 2000.0},
        ],
        "components": [
            {"component": "PARK", "requires": "SEND+HOST", "name": "共建园区 joint park"},
            {
                "component": "HOME",
                "requires": "SEND",
                "excludes": "PARK",
                "name": "原地扩产 expand at home",
            },
            {
                "component": "LOCAL",
                "requires": "HOST",
                "excludes": "PARK",
                "name": "自建园区 host alone",
            },
        ],
        "revenues": [
            *(
                {"component": "PARK", "stream": "VAT", "year": y, "amount": 400.0 + 60 * (y - 2026)}
                for y in years
            ),
            *(
                {"component": "PARK", "stream": "CIT", "year": y, "amount": 150.0 + 30 * (y - 2026)}
                for y in years
            ),
            *(
                {
                    "component": "PARK",
                    "stream": "GDP",
                    "year": y,
                    "amount": 20000.0 + 2000 * (y - 2026),
                }
                for y in years
            ),
            *({"component": "HOME", "stream": "VAT", "year": y, "amount": 250.0} for y in years),
            *({"component": "LOCAL", "stream": "VAT", "year": y, "amount": 120.0} for y in years),
        ],
        "costs": [
            {"component": "PARK", "party": "HOST", "year": 2026, "amount": 1500.0},
            {"component": "PARK", "party": "SEND", "year": 2026, "amount": 1000.0},
            *({"component": "PARK", "party": "SEND", "year": y, "amount": 50.0} for y in years),
            {"component": "LOCAL", "party": "HOST", "year": 2026, "amount": 600.0},
        ],
        "phases": [
            {"phase": "1", "start_year": 2026, "end_year": 2030},
            {"phase": "2", "start_year": 2031, "end_year": 2035},
        ],
        "rules": [
            {
                "party": "SEND",
                "stream": "*",
                "phase": "*",
                "min_ratio": 0.2,
                "max_ratio": 0.8,
                "schedule": "nonincreasing",
            },
            {"party": "HOST", "stream": "*", "phase": "*", "min_ratio": 0.2, "max_ratio": 0.8},
        ],
        "streams": [
            {"stream": "VAT", "kind": "cash", "name": "增值税地方留成 VAT local share"},
            {"stream": "CIT", "kind": "cash", "name": "企业所得税地方留成 CIT local share"},
            {"stream": "GDP", "kind": "statistic", "double_count": False, "name": "GDP 统计"},
        ],
        "limits": [{"party": "HOST", "limit": "floor", "stream": "*", "amount": 100.0}],
        "proposal": [
            {"party": "SEND", "stream": "*", "phase": "*", "ratio": 0.5},
            {"party": "HOST", "stream": "*", "phase": "*", "ratio": 0.5},
        ],
        "coalitions": [],
    }


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write the joint_park case template: every SPEC §3 sheet, instructions (EN/中文), examples.

    The example rows form a valid small case, so ``fairpool solve`` runs on the template as is.
    """
    return _write_case_workbook(path, SCHEMA, TEMPLATE_SETTINGS, template_rows())


def write_case(
    path: str | os.PathLike[str],
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
) -> Path:
    """Write a joint_park case workbook from settings and rows (the shipped cases use this)."""
    return _write_case_workbook(path, SCHEMA, {"model": MODEL, **settings}, rows)


__all__ = [
    "JointParkCase",
    "JointParkResult",
    "ParkCoalitionModel",
    "ParkEvaluator",
    "ProposalCheck",
    "PyomoCoalitionSolver",
    "build_coalition_game",
    "build_coalition_model",
    "build_plan_model",
    "case_from_rows",
    "check_proposal",
    "coalition_model",
    "coalition_table",
    "coalition_values",
    "core_band",
    "evaluate_plan",
    "read_case",
    "solve_case",
    "sweep",
    "write_case",
    "write_template",
]
