"""A joint-park case: the validated workbook as arrays (see :mod:`fairpool.models.joint_park`).

Reading runs in three steps (STYLE §4, validate before building): the workbook reader types
every cell (:func:`fairpool.optimizer.workbook.reader.read_case_tables`), the named checks of
:mod:`fairpool.models.joint_park.checks` collect every problem with its sheet, row and column
and raise one :class:`CaseError`, then :func:`build_case` turns the clean tables into the
arrays ``revenue[c, k, t]`` and ``cost[c, p, t]`` of a :class:`JointParkCase`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Literal, cast

import numpy as np
import pandas as pd

from fairpool.models.family import DiscountedCaseSettings, case_settings, read_target
from fairpool.models.joint_park.checks import (
    cap_receiver,
    check_cash_stream,
    check_components,
    check_limits,
    check_negative_costs,
    check_negative_revenues,
    check_parties,
    check_phase_lengths,
    check_phase_overlap,
    check_phases_present,
    check_ratio_bounds,
    check_revenue_years,
    check_streams,
    expand_proposal,
    phase_years,
)
from fairpool.models.joint_park.schema import JOINT_PARK, JOINT_PARK_TARGETS
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_references,
    check_target,
    read_coalition_sheet,
)
from fairpool.optimizer.workbook.reader import ROW, CaseReader, CaseTables, table_records
from fairpool.optimizer.workbook.schema import ALL

MODEL = "joint_park"
TARGETS = f"{JOINT_PARK_TARGETS} | <method>"
"""The plan targets, as error messages list them (any engine method is a target too)."""


@dataclass(frozen=True)
class Phase:
    """A phase of the split schedule: years start_year … end_year (inclusive)."""

    phase: str
    start_year: int
    end_year: int
    row: int = 0


@dataclass(frozen=True)
class Stream:
    """A revenue stream. ``kind="statistic"`` streams are split and reported, never money.

    With ``increment_base_year`` b (存量不动、增量分成), min(A[k, t], A[k, b]) stays with
    ``stock_owner`` every year and only the growth above it is split.
    """

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
        """``sheet rules row 5 (HOST, stream *, phase 2: ratio 0.3–0.7)`` for messages."""
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
    """One ``limits`` row: a yearly floor or a cumulative cap on a party's take.

    A cap's excess goes to ``overflow_to`` (always named for caps; empty for floors).
    """

    row: int
    party: str
    limit: Literal["floor", "cap"]
    streams: tuple[str, ...]
    start_year: int
    end_year: int
    amount: float
    plus_costs: bool = False
    overflow_to: str = ""

    def describe(self) -> str:
        """``sheet limits row 2 (HOST floor of 100 per year, all cash streams, …)``."""
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


@dataclass(frozen=True, kw_only=True, eq=False)
class JointParkCase(DiscountedCaseSettings):
    """A validated joint-park case, as arrays (see the package docstring for the maths).

    The settings, parties and years are
    :class:`~fairpool.models.family.DiscountedCaseSettings`'s (``coalition_values``
    {mask: v(S)} when the workbook lists them, a ``coalitions`` sheet);
    ``one_ratio_for_all_streams`` is this family's ``case`` key. Arrays: ``revenue[c, k, t]``,
    ``cost[c, p, t]`` (in the case unit); parties, components, streams and phases in
    workbook order (phases sorted by start year). ``requires[c]`` holds party indices
    (required parties plus the component's payers), ``depends_on[c]`` / ``excludes[c]``
    component indices.
    """

    model: ClassVar[str] = MODEL
    one_ratio_for_all_streams: bool
    components: tuple[str, ...]
    component_names: tuple[str, ...]
    requires: tuple[frozenset[int], ...]
    depends_on: tuple[frozenset[int], ...]
    excludes: tuple[frozenset[int], ...]
    streams: tuple[Stream, ...]
    phases: tuple[Phase, ...]
    revenue: np.ndarray
    cost: np.ndarray
    rules: tuple[RatioRule, ...] = ()
    limits: tuple[Limit, ...] = ()
    proposal: pd.DataFrame | None = None

    @cached_property
    def phase_of_year(self) -> np.ndarray:
        """Index of the phase holding each year, −1 if none (read-only).

        Computed once per case (the plan model and the sweeps look it up thousands of
        times); the case is frozen, so it cannot go stale.
        """
        index = np.full(len(self.years), -1)
        for h, phase in enumerate(self.phases):
            index[(self.years >= phase.start_year) & (self.years <= phase.end_year)] = h
        index.setflags(write=False)
        return index

    @cached_property
    def cash(self) -> np.ndarray:
        """Boolean mask of the cash streams (read-only; computed once per case)."""
        mask = np.array([s.kind == "cash" for s in self.streams], dtype=bool)
        mask.setflags(write=False)
        return mask

    @cached_property
    def _stream_positions(self) -> dict[str, int]:
        """{stream id: k}, computed once per case (a plain dict: cases are pickled to
        worker processes, and a mapping proxy cannot be)."""
        return {s.stream: k for k, s in enumerate(self.streams)}

    @cached_property
    def _phase_positions(self) -> dict[str, int]:
        """{phase id: h}, computed once per case."""
        return {p.phase: h for h, p in enumerate(self.phases)}

    def stream_index(self, stream: str) -> int:
        """The position k of ``stream``; ``ValueError`` if the case has no such stream."""
        if stream not in self._stream_positions:
            raise ValueError(f"{stream!r} is not in list")
        return self._stream_positions[stream]

    def phase_index(self, phase: str) -> int:
        """The position h of ``phase``; ``ValueError`` if the case has no such phase."""
        if phase not in self._phase_positions:
            raise ValueError(f"{phase!r} is not in list")
        return self._phase_positions[phase]

    def component_npv(self) -> np.ndarray:
        """w_c = Σ_t d_t (Σ_{k cash} R[c, k, t] − Σ_p C[c, p, t]) per component."""
        d = self.discount
        cash_revenue = self.revenue[:, self.cash, :].sum(axis=1)
        return (cash_revenue - self.cost.sum(axis=1)) @ d


@dataclass(frozen=True)
class CaseRecords:
    """What the checks read from a workbook, before the arrays are built.

    ``years`` are the calendar years named by revenues, costs and phases (increment base
    years are added by :func:`build_case`).
    """

    parties: tuple[str, ...]
    components: tuple[str, ...]
    streams: tuple[Stream, ...]
    phases: tuple[Phase, ...]
    years: tuple[int, ...]
    rules: tuple[RatioRule, ...]
    limits: tuple[Limit, ...]
    attributes: Mapping[str, np.ndarray]
    coalition_values: Mapping[int, float] | None
    proposal: pd.DataFrame | None


# -- reading -------------------------------------------------------------------------------------


def case_from_tables(tables: CaseTables) -> JointParkCase:
    """Validate typed tables (every named check, every problem at once) and build the case.

    Raises one :class:`CaseError` listing all the problems found; odd-but-solvable findings
    become the case's warnings.
    """
    checks = CaseChecks(tables)
    records = check_tables(checks)
    checks.raise_if_any()
    return build_case(tables, records, checks.warnings)


READER = CaseReader(JOINT_PARK, case_from_tables)
"""Joint-park workbooks read (:class:`~fairpool.optimizer.workbook.reader.CaseReader`)."""
read_case = READER.read_case
case_from_rows = READER.case_from_rows


def check_tables(checks: CaseChecks) -> CaseRecords:
    """Run the named checks in order and read the records they validate.

    Parties and components first, then every id against the sheet it names, amounts,
    phases, ratio bounds, streams, revenue years, limits, the target, the coalitions sheet
    (its missing coalitions are reported only when nothing else is wrong) and the proposal.
    """
    tables = checks.tables
    parties = tables.table("parties")
    components = tables.table("components")
    revenues = tables.table("revenues")
    costs = tables.table("costs")
    phases_table = tables.table("phases")
    rules_table = tables.table("rules")
    streams_table = tables.table("streams")
    limits_table = tables.table("limits")

    party_ids = tuple(p for p in dict.fromkeys(parties["id"]) if p is not None)
    component_ids = tuple(c for c in dict.fromkeys(components["component"]) if c is not None)
    streams = read_streams(streams_table, revenues)
    phases = read_phases(phases_table)
    known = {
        "parties": party_ids,
        "components": component_ids,
        "streams": tuple(s.stream for s in streams),
        "phases": tuple(p for p in dict.fromkeys(phases_table["phase"]) if p is not None),
    }

    check_parties(checks, parties)
    check_components(checks, components)
    check_references(checks, known)
    check_negative_costs(checks, costs)
    check_phase_overlap(checks, phases_table)
    check_ratio_bounds(checks, rules_table)
    check_negative_revenues(checks, revenues)
    check_streams(checks, streams_table, revenues)
    check_cash_stream(checks, streams)
    check_phase_lengths(checks, phases_table)
    check_phases_present(checks, phases_table, phases)
    check_revenue_years(checks, revenues, streams, phases)
    years = tuple(
        y for y in [*revenues["year"], *costs["year"], *phase_years(phases_table)] if y is not None
    )
    first_year = min(years) if years else cast(int, tables.settings.get("base_year") or 0)
    last_year = max(years) if years else first_year
    check_limits(checks, limits_table, party_ids, streams, first_year, last_year)

    target = read_target(tables.settings)
    attribute_names = [c for c in parties.columns if c not in ("id", "name", ROW)]
    check_target(
        checks,
        target,
        attribute_names,
        example="gdp",
        targets_help=TARGETS,
        own_targets=("equal_gain", "nash"),
    )
    coalition_values = read_coalition_sheet(
        checks,
        tables.table("coalitions"),
        party_ids,
        computed="v(S)",
        missing_only_if_clean=True,
    )
    proposal_table = tables.table("proposal")
    proposal = (
        None
        if proposal_table.empty
        else expand_proposal(checks, proposal_table, party_ids, streams, phases)
    )
    return CaseRecords(
        parties=party_ids,
        components=component_ids,
        streams=streams,
        phases=phases,
        years=years,
        rules=read_rules(rules_table),
        limits=read_limits(limits_table, party_ids, streams, first_year, last_year),
        attributes={
            name: parties[name].to_numpy(dtype=float)
            for name in attribute_names
            if parties[name].dtype.kind == "f"
        },
        coalition_values=coalition_values,
        proposal=proposal,
    )


def read_streams(streams: pd.DataFrame, revenues: pd.DataFrame) -> tuple[Stream, ...]:
    """The streams sheet's streams in its order, then any other stream the revenues name
    (a cash stream split in full)."""
    rows = {row["stream"]: row for row in table_records(streams)}
    ids = dict.fromkeys(
        [s for s in streams["stream"] if s is not None]
        + [s for s in revenues["stream"] if s is not None]
    )
    found = []
    for stream_id in ids:
        row = rows.get(stream_id)
        if row is None:
            found.append(Stream(stream_id))
            continue
        found.append(
            Stream(
                stream_id,
                row["kind"] or "cash",
                bool(row["double_count"]),
                row["increment_base_year"],
                row["stock_owner"],
                row["name"] or "",
            )
        )
    return tuple(found)


def read_phases(phases: pd.DataFrame) -> tuple[Phase, ...]:
    """The phases with both years given, sorted by start year."""
    return tuple(
        sorted(
            (
                Phase(r["phase"], r["start_year"], r["end_year"], r[ROW])
                for r in table_records(phases)
                if r["start_year"] is not None and r["end_year"] is not None
            ),
            key=lambda p: p.start_year,
        )
    )


def read_rules(rules: pd.DataFrame) -> tuple[RatioRule, ...]:
    """The rules rows with both bounds given."""
    return tuple(
        RatioRule(
            r[ROW],
            r["party"],
            r["stream"],
            r["phase"],
            r["min_ratio"],
            r["max_ratio"],
            r["schedule"] or "free",
        )
        for r in table_records(rules)
        if r["min_ratio"] is not None and r["max_ratio"] is not None
    )


def read_limits(
    limits: pd.DataFrame,
    party_ids: Sequence[str],
    streams: Sequence[Stream],
    first_year: int,
    last_year: int,
) -> tuple[Limit, ...]:
    """The limits rows: a blank window is the whole case, a blank or ``*`` stream every cash
    stream, a cap's receiver as :func:`~fairpool.models.joint_park.checks.cap_receiver` says."""
    cash_ids = tuple(s.stream for s in streams if s.kind == "cash")
    found = []
    for row in table_records(limits):
        if row["limit"] is None or row["amount"] is None:
            continue
        found.append(
            Limit(
                row[ROW],
                row["party"],
                row["limit"],
                cash_ids if row["stream"] in (None, ALL) else (row["stream"],),
                row["start_year"] if row["start_year"] is not None else first_year,
                row["end_year"] if row["end_year"] is not None else last_year,
                float(row["amount"]),
                bool(row["plus_costs"]),
                (cap_receiver(row, party_ids) or "") if row["limit"] == "cap" else "",
            )
        )
    return tuple(found)


# -- the arrays ----------------------------------------------------------------------------------


def build_case(tables: CaseTables, records: CaseRecords, warnings: Sequence[str]) -> JointParkCase:
    """The :class:`JointParkCase` of clean tables: revenue[c, k, t], cost[c, p, t] and the
    component requirements, with the warnings of what the arrays show.

    Years: every year named anywhere plus the increment base years. A party paying for a
    component is required by it (warned); a component with neither revenue nor cost, and an
    increment stream without base-year revenue, are warned about.
    """
    warnings = list(warnings)
    streams, parties = records.streams, records.parties
    base_years = {s.increment_base_year for s in streams if s.increment_base_year is not None}
    years = np.array(sorted(set(records.years) | base_years), dtype=int)
    year_index = {int(y): t for t, y in enumerate(years)}
    party_index = {p: i for i, p in enumerate(parties)}
    component_index = {c: i for i, c in enumerate(records.components)}
    stream_index = {s.stream: k for k, s in enumerate(streams)}
    revenue = np.zeros((len(records.components), len(streams), len(years)))
    for row in table_records(tables.table("revenues")):
        c, k = component_index[row["component"]], stream_index[row["stream"]]
        revenue[c, k, year_index[row["year"]]] += row["amount"]
    cost = np.zeros((len(records.components), len(parties), len(years)))
    for row in table_records(tables.table("costs")):
        c, p = component_index[row["component"]], party_index[row["party"]]
        cost[c, p, year_index[row["year"]]] += row["amount"]
    requires, depends, excludes = [], [], []
    component_rows = {r["component"]: r for r in table_records(tables.table("components"))}
    for c, component in enumerate(records.components):
        row = component_rows[component]
        required = {party_index[p] for p in row["requires"]}
        payers = set(np.flatnonzero(cost[c].sum(axis=1) > 0).tolist())
        if payers - required:
            names = "+".join(parties[i] for i in sorted(payers - required))
            warnings.append(f"component {component}: {names} pay for it, so it also requires them")
        requires.append(frozenset(required | payers))
        depends.append(frozenset(component_index[d] for d in row["depends_on"]))
        excludes.append(frozenset(component_index[e] for e in row["excludes"]))
        if not revenue[c].any() and not cost[c].any():
            warnings.append(f"component {component} has neither revenue nor cost")
    for stream in streams:
        base = stream.increment_base_year
        if base is not None and not revenue[:, stream_index[stream.stream], year_index[base]].any():
            warnings.append(
                f"stream {stream.stream}: no revenue in base year {base}, so all of it is growth"
            )
    shared = case_settings(tables, parties, records.attributes, records.coalition_values, warnings)
    return JointParkCase(
        **shared,
        years=years,
        one_ratio_for_all_streams=bool(tables.settings.get("one_ratio_for_all_streams")),
        components=records.components,
        component_names=tuple(component_rows[c]["name"] or c for c in records.components),
        requires=tuple(requires),
        depends_on=tuple(depends),
        excludes=tuple(excludes),
        streams=streams,
        phases=records.phases,
        revenue=revenue,
        cost=cost,
        rules=records.rules,
        limits=records.limits,
        proposal=records.proposal,
    )


__all__ = [
    "MODEL",
    "READER",
    "TARGETS",
    "CaseRecords",
    "JointParkCase",
    "Limit",
    "Phase",
    "RatioRule",
    "Stream",
    "build_case",
    "case_from_rows",
    "case_from_tables",
    "check_tables",
    "read_case",
]
