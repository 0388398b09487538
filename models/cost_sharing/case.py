"""A cost-sharing case: the workbook read, every problem collected, then the arrays built.

:func:`case_from_tables` is the reading pipeline: the named ``check_*`` functions below (and
the shared ones of :mod:`fairpool.optimizer.workbook.checks`) look at the typed tables and
record every problem with its sheet, row and column; :func:`build_case` turns the tables
into the arrays of a :class:`CostSharingCase`; the checks that need those arrays (each
party can be served alone, the proposal's shares add up to 1) run on the built case; one
:class:`~fairpool.optimizer.errors.CaseError` lists everything at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.schema import COST_SHARING, COST_SHARING_TARGETS
from fairpool.models.family import CaseSettings, case_settings, read_target
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_non_negative,
    check_target,
    check_unknown_ids,
    party_attributes,
    read_coalition_sheet,
    unique_ids,
)
from fairpool.optimizer.workbook.reader import (
    ROW,
    CaseReader,
    CaseTables,
    Record,
    table_records,
)

MODEL = "cost_sharing"
TARGETS = COST_SHARING_TARGETS
"""The plan targets, as the ``case`` sheet and error messages list them."""
SHARE_TOLERANCE = 1e-6
"""How far the proposal's shares may add up from 1."""


@dataclass(frozen=True, kw_only=True, eq=False)
class CostSharingCase(CaseSettings):
    """A validated cost-sharing case: a facility model, or an explicit cost table.

    The settings and parties are :class:`~fairpool.models.family.CaseSettings`'s;
    ``coalition_values`` holds the explicit table {mask: c(S)} when given. Arrays:
    ``demand[i]``; per option f ``capacity``, ``fixed_cost``, ``variable_cost``,
    ``max_units``, ``requires`` (bitmask of R_f); ``connection[i, f]`` (NaN: cannot connect).
    ``proposal[i]``: shares of c(N).
    """

    model: ClassVar[str] = MODEL
    demand: np.ndarray
    facilities: tuple[str, ...] = ()
    facility_names: tuple[str, ...] = ()
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fixed_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    variable_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    max_units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    requires: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    connection: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    proposal: np.ndarray | None = None

    @property
    def explicit(self) -> bool:
        """The cost table is given (sheet coalitions) rather than generated."""
        return self.coalition_values is not None


def case_from_tables(tables: CaseTables) -> CostSharingCase:
    """Validate typed tables and turn them into a :class:`CostSharingCase`.

    A ``coalitions`` sheet makes the case explicit (facilities and connections are then
    ignored, with a warning); otherwise the facility model needs options, connections and
    demands. Every problem is collected before one CaseError is raised.
    """
    checks = CaseChecks(tables)
    parties = tables.table("parties")
    facilities = tables.table("facilities")
    party_ids = unique_ids(checks, parties, "parties", "id")
    coalition_values = read_coalition_sheet(checks, tables.table("coalitions"), party_ids)
    check_unknown_ids(checks, tables.table("proposal"), "proposal", "party", party_ids, "parties")
    facility_ids: list[str] = []
    if coalition_values is None:
        facility_ids = check_facilities(checks, facilities, party_ids)
        check_connections(checks, tables.table("connections"), party_ids, facility_ids)
        check_demands(checks, parties)
    elif not facilities.empty:
        checks.warnings.append("sheet coalitions is given: facilities and connections are not used")
    attributes = party_attributes(parties)
    target = read_target(tables.settings)
    check_target(checks, target, list(attributes), example="demand", targets_help=TARGETS)
    if not party_ids:
        checks.raise_if_any()
    case = build_case(
        tables, party_ids, facility_ids, coalition_values, attributes, checks.warnings
    )
    if not case.explicit:
        if facility_ids and all(
            checks.readable(sheet, columns) for sheet, columns in STANDALONE_INPUTS
        ):
            check_standalone_service(checks, case)
        else:
            checks.skip(
                "that each party can be served on its own (it needs sheets parties, "
                "facilities and connections in full)"
            )
    if checks.readable("proposal", ("party", "share")):
        check_proposal_shares(checks, tables.table("proposal"), case.proposal)
    else:
        checks.skip("that the proposal's shares add up to 1 (a proposal cell is broken)")
    checks.raise_if_any()
    return case


STANDALONE_INPUTS = (
    ("parties", ("id", "demand")),
    ("facilities", ("facility", "capacity", "max_units", "requires")),
    ("connections", ("party", "facility", "cost")),
)
"""The cells :func:`check_standalone_service` reads, by sheet: it waits until they are read."""

READER = CaseReader(COST_SHARING, case_from_tables)
"""Cost-sharing workbooks read (:class:`~fairpool.optimizer.workbook.reader.CaseReader`)."""
read_case = READER.read_case
case_from_rows = READER.case_from_rows


# -- checks on the tables ---------------------------------------------------------------------


def check_facilities(
    checks: CaseChecks, facilities: pd.DataFrame, party_ids: Sequence[str]
) -> list[str]:
    """The facility options of a generated case: at least one, ids unique, ``requires``
    naming known parties, capacity and costs ≥ 0, max_units ≥ 1. Returns the option ids."""
    facility_ids: list[str] = []
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
    for column, what in (
        ("capacity", "capacity"),
        ("fixed_cost", "fixed cost"),
        ("variable_cost", "variable cost"),
    ):
        check_non_negative(checks, facilities, "facilities", column, what)
    for row in table_records(facilities):
        if row["max_units"] is not None and row["max_units"] < 1:
            checks.add("facilities", row[ROW], "max_units", "max_units must be ≥ 1")
    return facility_ids


def check_connections(
    checks: CaseChecks,
    connections: pd.DataFrame,
    party_ids: Sequence[str],
    facility_ids: Sequence[str],
) -> None:
    """Each connection names a known party and option, costs ≥ 0 and is listed once (the
    options are not checked while there are none: that is the problem, reported once)."""
    check_unknown_ids(checks, connections, "connections", "party", party_ids, "parties")
    if facility_ids:
        check_unknown_ids(
            checks, connections, "connections", "facility", facility_ids, "facility options"
        )
    else:
        checks.skip("the facility options named in sheet connections (there are none)")
    check_non_negative(checks, connections, "connections", "cost", "connection cost")
    known = set(party_ids), set(facility_ids)
    seen: dict[tuple[str, str], int] = {}
    for row in table_records(connections):
        pair = (row["party"], row["facility"])
        if pair[0] not in known[0] or pair[1] not in known[1] or row["cost"] is None:
            continue
        if pair in seen:
            checks.add("connections", row[ROW], "facility", f"pair already in row {seen[pair]}")
        else:
            seen[pair] = row[ROW]


def check_demands(checks: CaseChecks, parties: pd.DataFrame) -> None:
    """Every party of a generated case has a demand ≥ 0 (it sizes the system)."""
    for row in table_records(parties):
        if row["demand"] is None:
            checks.add("parties", row[ROW], "demand", "a demand is needed to size the system")
        elif row["demand"] < 0:
            checks.add("parties", row[ROW], "demand", f"demand {row['demand']:g} is negative")


def check_standalone_service(checks: CaseChecks, case: CostSharingCase) -> None:
    """Every party can be served on its own: some option it connects to needs no other party
    and has room for its demand (otherwise c({i}) does not exist)."""
    for i, party in enumerate(case.parties):
        usable = (
            ~np.isnan(case.connection[i])
            & ((case.requires & ~(1 << i)) == 0)
            & (case.capacity * case.max_units >= case.demand[i] - 1e-9)
        )
        if not usable.any():
            checks.add(
                "connections",
                None,
                "facility",
                f"party {party} cannot be served on its own: connect it to an option it can "
                "build alone (requires blank or only itself) with room for its demand",
            )


def check_proposal_shares(
    checks: CaseChecks, proposal_table: pd.DataFrame, proposal: np.ndarray | None
) -> None:
    """The proposed shares of c(N) add up to 1 (within :data:`SHARE_TOLERANCE`)."""
    if proposal is not None and abs(proposal.sum() - 1.0) > SHARE_TOLERANCE:
        checks.add(
            "proposal",
            int(proposal_table[ROW].min()),
            "share",
            f"the shares add up to {proposal.sum():g}, not 1",
        )


# -- the arrays -------------------------------------------------------------------------------


def build_case(
    tables: CaseTables,
    party_ids: Sequence[str],
    facility_ids: Sequence[str],
    coalition_values: Mapping[int, float] | None,
    attributes: Mapping[str, np.ndarray],
    warnings: Sequence[str],
) -> CostSharingCase:
    """The :class:`CostSharingCase` of checked tables: the shared settings
    (:func:`~fairpool.models.family.case_settings`; attributes with a blank are left out),
    demands, the option arrays, the connection matrix (first listing of a pair; unknown ids
    and blank costs left out) and the proposal's shares per party."""
    parties = tables.table("parties").drop_duplicates("id")
    facilities = tables.table("facilities")
    n, count = len(party_ids), len(facility_ids)
    party_index = {p: i for i, p in enumerate(party_ids)}
    facility_index = {f: k for k, f in enumerate(facility_ids)}
    demand = np.array([float(d) if d is not None else 0.0 for d in parties["demand"]])
    capacity, fixed, variable = np.zeros(count), np.zeros(count), np.zeros(count)
    units = np.ones(count)
    requires = np.zeros(count, dtype=np.int64)
    names = []
    first_rows: dict[object, Record] = {}
    for record in table_records(facilities):
        first_rows.setdefault(record["facility"], record)
    for f, facility in enumerate(facility_ids):
        row = first_rows[facility]
        capacity[f] = row["capacity"] or 0.0
        fixed[f] = row["fixed_cost"] or 0.0
        variable[f] = row["variable_cost"] or 0.0
        units[f] = row["max_units"] or 1
        requires[f] = sum(1 << party_index[p] for p in row["requires"] or () if p in party_index)
        names.append(row["name"] or facility)
    connection = np.full((n, count), np.nan)
    for row in table_records(tables.table("connections")):
        party, option = party_index.get(row["party"]), facility_index.get(row["facility"])
        if party is None or option is None or row["cost"] is None:
            continue
        if np.isnan(connection[party, option]):
            connection[party, option] = row["cost"]
    proposal = None
    proposal_table = tables.table("proposal")
    if not proposal_table.empty:
        proposal = np.zeros(n)
        for row in table_records(proposal_table):
            if row["share"] is not None and row["party"] in party_index:
                proposal[party_index[row["party"]]] += row["share"]
    complete = {k: v for k, v in attributes.items() if not np.isnan(v).any()}
    shared = case_settings(tables, party_ids, complete, coalition_values, warnings)
    return CostSharingCase(
        **shared,
        demand=demand,
        facilities=tuple(facility_ids),
        facility_names=tuple(names),
        capacity=capacity,
        fixed_cost=fixed,
        variable_cost=variable,
        max_units=units,
        requires=requires,
        connection=connection,
        proposal=proposal,
    )


__all__ = [
    "MODEL",
    "READER",
    "TARGETS",
    "CostSharingCase",
    "build_case",
    "case_from_rows",
    "case_from_tables",
    "check_connections",
    "check_demands",
    "check_facilities",
    "check_proposal_shares",
    "check_standalone_service",
    "read_case",
]
