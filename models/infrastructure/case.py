"""An infrastructure case: read, checked, and turned into arrays (validate → build).

:func:`read_case` reads a workbook with the family's schema, :func:`case_from_tables` runs the
named checks of :mod:`fairpool.models.infrastructure.checks` (every problem with its sheet,
row and column, one :class:`~fairpool.optimizer.errors.CaseError` for all of them) and
:func:`build_arrays` turns the typed tables into the arrays of an :class:`InfrastructureCase`
(parties i, projects p, years t):

    capex K[p, t], O&M M[p, t], benefits b[p, i, t], budgets β[i, t] (inf: no limit),
    subsidy shares σ_p, hosts H_p, dependencies, exclusions, territorial splits τ[p, i].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, cast

import numpy as np
import pandas as pd

from fairpool.models.family import DiscountedCaseSettings, case_settings, read_target
from fairpool.models.infrastructure.checks import (
    SHARE_TOLERANCE,
    TARGETS,
    check_amounts,
    check_case_target,
    check_idle_projects,
    check_life_years,
    check_project_links,
    check_some_years,
    check_territorial,
    check_yearly_rows,
    parse_territorial,
)
from fairpool.models.infrastructure.schema import INFRASTRUCTURE
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_references,
    party_attributes,
    read_coalition_sheet,
    unique_ids,
)
from fairpool.optimizer.workbook.reader import ROW, CaseReader, CaseTables, table_records
from fairpool.optimizer.workbook.schema import ALL

MODEL = "infrastructure"
"""The family name: the ``model`` row of its workbooks."""

IndividualRationality = Literal["hard", "off"]
"""``hard``: no party's NPV below what it reaches alone; ``off``: not required."""


@dataclass(frozen=True)
class ProposalShares:
    """A proposal: ``shares[i, p]`` of project p's funded cost paid by party i.

    ``named`` marks projects named in a row (they are built); ``default`` holds the ``*``
    rows' shares (None without them), used for the welfare plan's other projects.
    """

    shares: np.ndarray
    named: np.ndarray
    default: np.ndarray | None


@dataclass(frozen=True, kw_only=True, eq=False)
class InfrastructureCase(DiscountedCaseSettings):
    """A validated infrastructure case, as arrays (see the package docstring for the maths).

    The settings, parties and years are
    :class:`~fairpool.models.family.DiscountedCaseSettings`'s; ``welfare_tolerance`` and
    ``individual_rationality`` are this family's ``case`` keys. Arrays (parties i, projects
    p, years t): ``capex[p, t]``, ``om[p, t]``, ``benefit[p, i, t]``, ``budget[i, t]``
    (``inf``: no limit), ``subsidy_share[p]``, ``divisible[p]``, ``territorial[p, i]`` (each
    row sums to 1 over the hosts). ``hosts[p]``, ``depends_on[p]``, ``excludes[p]`` hold
    indices. ``proposal`` is the expanded proposal (party × project shares and the projects
    it names), if any; ``coalition_values`` the ``coalitions`` sheet ({mask: v(S)}), if any.
    """

    model: ClassVar[str] = MODEL
    welfare_tolerance: float
    individual_rationality: IndividualRationality
    projects: tuple[str, ...]
    project_names: tuple[str, ...]
    subsidy_share: np.ndarray
    divisible: np.ndarray
    territorial: np.ndarray
    hosts: tuple[frozenset[int], ...]
    depends_on: tuple[frozenset[int], ...]
    excludes: tuple[frozenset[int], ...]
    capex: np.ndarray
    om: np.ndarray
    benefit: np.ndarray
    budget: np.ndarray
    proposal: ProposalShares | None = None

    @property
    def funded_cost(self) -> np.ndarray:
        """F[p, t] = (1 − σ_p) K[p, t] + M[p, t]: what the parties pay if p is built."""
        return (1.0 - self.subsidy_share)[:, None] * self.capex + self.om

    def cost_pv(self) -> np.ndarray:
        """Fpv_p = Σ_t d_t F[p, t]."""
        return self.funded_cost @ self.discount

    def benefit_pv(self) -> np.ndarray:
        """Bpv[p, i] = Σ_t d_t b[p, i, t]."""
        return self.benefit @ self.discount

    def project_index(self, project: str) -> int:
        return self.projects.index(project)


def case_from_tables(tables: CaseTables) -> InfrastructureCase:
    """Validate typed tables and turn them into an :class:`InfrastructureCase`.

    Runs the named checks (unique and known ids, self-references, negative amounts, duplicate
    years, life years, target, coalition table, territorial splits, proposal sums), builds
    the arrays (:func:`build_arrays`) and raises one :class:`CaseError` with every problem.
    """
    checks = CaseChecks(tables)
    settings = tables.settings
    parties = tables.table("parties")
    projects = tables.table("projects")
    party_ids = unique_ids(checks, parties, "parties", "id")
    project_ids = unique_ids(checks, projects, "projects", "project")
    check_project_links(checks, projects)
    check_references(checks, {"parties": party_ids, "projects": project_ids})
    check_amounts(checks, tables)
    check_yearly_rows(checks, tables)
    check_life_years(checks, projects)
    attributes = party_attributes(parties)
    check_case_target(checks, read_target(settings), list(attributes))
    coalition_values = read_coalition_sheet(checks, tables.table("coalitions"), party_ids)
    if not party_ids or not project_ids:
        checks.raise_if_any()
    arrays = build_arrays(checks, tables, party_ids, project_ids)
    check_territorial(checks, projects, party_ids)
    proposal_table = tables.table("proposal")
    proposal = None
    if not proposal_table.empty:
        proposal = read_proposal_shares(
            checks,
            proposal_table,
            {p: i for i, p in enumerate(party_ids)},
            {p: k for k, p in enumerate(project_ids)},
        )
    checks.raise_if_any()
    shared = case_settings(tables, party_ids, attributes, coalition_values, checks.warnings)
    return InfrastructureCase(
        **shared,
        **arrays,
        welfare_tolerance=float(cast(float, settings.get("welfare_tolerance") or 0.0)),
        individual_rationality=cast(
            IndividualRationality, settings.get("individual_rationality") or "hard"
        ),
        projects=tuple(project_ids),
        proposal=proposal,
    )


READER = CaseReader(INFRASTRUCTURE, case_from_tables)
"""Infrastructure workbooks read (:class:`~fairpool.optimizer.workbook.reader.CaseReader`)."""
read_case = READER.read_case
case_from_rows = READER.case_from_rows


# -- the array builder ------------------------------------------------------------------------


def build_arrays(
    checks: CaseChecks,
    tables: CaseTables,
    party_ids: Sequence[str],
    project_ids: Sequence[str],
) -> dict[str, Any]:
    """The array fields of an :class:`InfrastructureCase` from its typed tables, by keyword
    (like :func:`~fairpool.models.family.case_settings` for the shared fields); rows with
    unknown ids or unreadable cells are skipped (their problems are already recorded).

    Years: every year any yearly sheet names (none: a problem, raised at once). Amounts of a
    key and year add up; a party without a budget row for a year has no limit (β = inf).
    Benefits and O&M after a project's ``life_years`` (counted from the year after its last
    capex, else from its first operating year) are dropped with a warning.
    """
    parties = {p: i for i, p in enumerate(party_ids)}
    projects = {p: k for k, p in enumerate(project_ids)}
    sheets = {s: tables.table(s) for s in ("capex", "om", "benefits", "budgets")}
    years = np.array(
        sorted({int(y) for table in sheets.values() for y in table["year"] if y is not None}),
        dtype=int,
    )
    check_some_years(checks, years)
    if years.size == 0:
        checks.raise_if_any()
    index: dict[str, Mapping[str, int] | Mapping[int, int]] = {
        "project": projects,
        "party": parties,
        "year": {int(y): t for t, y in enumerate(years)},
    }
    count, n = len(project_ids), len(party_ids)
    capex = yearly_amounts(sheets["capex"], ("project", "year"), index, (count, len(years)))
    om = yearly_amounts(sheets["om"], ("project", "year"), index, (count, len(years)))
    benefit = yearly_amounts(
        sheets["benefits"], ("project", "party", "year"), index, (count, n, len(years))
    )
    budget = yearly_amounts(
        sheets["budgets"], ("party", "year"), index, (n, len(years)), blank=np.inf
    )
    if sheets["budgets"].empty:
        checks.warnings.append("no budgets sheet: every party's budget is unlimited")
    rows = tables.table("projects").set_index("project", drop=False)
    rows = rows[~rows.index.duplicated()].loc[list(project_ids)]
    hosts = tuple(
        frozenset(parties[h] for h in row["hosts"] or () if h in parties)
        for row in table_records(rows)
    )
    trim_to_life(checks, rows, years, capex, om, benefit)
    if all(checks.readable(sheet, ("project", "year", "amount")) for sheet in ("capex", "om")):
        check_idle_projects(checks, rows, projects, np.concatenate([capex, om], axis=1), benefit)
    return {
        "years": years,
        "capex": capex,
        "om": om,
        "benefit": benefit,
        "budget": budget,
        "project_names": tuple(row["name"] or row["project"] for row in table_records(rows)),
        "hosts": hosts,
        "depends_on": links(rows, "depends_on", projects),
        "excludes": links(rows, "excludes", projects),
        "subsidy_share": rows["subsidy_share"].fillna(0.0).to_numpy(dtype=float),
        "divisible": rows["divisible"].map(bool).to_numpy(dtype=bool),
        "territorial": territorial_shares(rows, parties),
    }


def yearly_amounts(
    table: pd.DataFrame,
    keys: tuple[str, ...],
    index: Mapping[str, Mapping[str, int] | Mapping[int, int]],
    shape: tuple[int, ...],
    blank: float = 0.0,
) -> np.ndarray:
    """An array of ``shape`` indexed by ``keys`` (e.g. project, party, year) from a yearly
    sheet's ``amount`` column: amounts of one cell add up (budgets: one row per cell, so the
    cell is the amount); cells without a row hold ``blank``."""
    amounts = np.full(shape, blank)
    seen = np.zeros(shape, dtype=bool)
    for row in table_records(table):
        if row["amount"] is None or any(row[k] not in index[k] for k in keys):
            continue
        cell = tuple(index[k][row[k]] for k in keys)
        amounts[cell] = (amounts[cell] if seen[cell] else 0.0) + row["amount"]
        seen[cell] = True
    return amounts


def territorial_shares(rows: pd.DataFrame, parties: Mapping[str, int]) -> np.ndarray:
    """τ[p, i]: the share of project p's cost inside host i's territory
    (:func:`~fairpool.models.infrastructure.checks.parse_territorial`; a split that does not
    parse, already reported by ``check_territorial``, is left at 0)."""
    territorial = np.zeros((len(rows), len(parties)))
    for k, row in enumerate(table_records(rows)):
        host_ids = [h for h in row["hosts"] or () if h in parties]
        try:
            split = parse_territorial(row["territorial"], host_ids or ["?"])
        except ValueError:
            continue
        for host, share in split.items():
            if host in parties:
                territorial[k, parties[host]] = share
    return territorial


def links(
    rows: pd.DataFrame, column: str, projects: Mapping[str, int]
) -> tuple[frozenset[int], ...]:
    """The projects each row names in ``column`` (depends_on, excludes), as indices."""
    return tuple(
        frozenset(projects[q] for q in row[column] or () if q in projects)
        for row in table_records(rows)
    )


def trim_to_life(
    checks: CaseChecks,
    rows: pd.DataFrame,
    years: np.ndarray,
    capex: np.ndarray,
    om: np.ndarray,
    benefit: np.ndarray,
) -> None:
    """Drop (set to 0, in place) benefits and O&M after each project's life: ``life_years``
    years from the year after its last capex (no capex: its first year with a benefit or O&M
    cost; neither: the first year), with a warning naming how many amounts were dropped."""
    for k, row in enumerate(table_records(rows)):
        life = row["life_years"]
        if life is None or life <= 0:
            continue
        built = np.flatnonzero(capex[k] > 0)
        operating = np.flatnonzero(benefit[k].any(axis=0) | (om[k] > 0))
        if built.size:
            start = int(years[built[-1]]) + 1
        else:
            start = int(years[operating[0]]) if operating.size else int(years[0])
        beyond = years > start + life - 1
        dropped = int((benefit[k][:, beyond] != 0).sum() + (om[k][beyond] != 0).sum())
        if dropped:
            checks.warn(
                "projects",
                row[ROW],
                "life_years",
                f"{row['project']}: {dropped} benefit/O&M amounts after {start + life - 1} "
                f"(end of its {life}-year life) are left out",
            )
            benefit[k][:, beyond] = 0.0
            om[k][beyond] = 0.0


def read_proposal_shares(
    checks: CaseChecks,
    table: pd.DataFrame,
    party_index: Mapping[str, int],
    project_index: Mapping[str, int],
) -> ProposalShares:
    """Proposal rows as shares[i, p]; a project's shares (``*`` rows filling in) add up to 1.

    A party named twice for one project, or with two ``*`` rows, and shares that do not add
    up to 1 (per named project, and over the ``*`` rows) are problems naming the rows; the
    sums are not checked while a proposal cell is broken (they would miss its share).
    """
    sums = checks.readable("proposal", ("party", "project", "share"))
    if not sums:
        checks.skip("that the proposal's shares add up to 1 (a proposal cell is broken)")
    n, count = len(party_index), len(project_index)
    shares = np.full((n, count), np.nan)
    default = np.full(n, np.nan)
    rows_of: dict[int, list[int]] = {}
    star_rows: list[int] = []
    for row in table_records(table):
        if row["share"] is None or row["party"] not in party_index:
            continue
        if row["project"] != ALL and row["project"] not in project_index:
            continue
        i = party_index[row["party"]]
        if row["project"] == ALL:
            if not np.isnan(default[i]):
                checks.add("proposal", row[ROW], "party", f"a second * row for {row['party']}")
            default[i] = row["share"]
            star_rows.append(row[ROW])
            continue
        k = project_index[row["project"]]
        if not np.isnan(shares[i, k]):
            checks.add("proposal", row[ROW], "project", "this party and project appear twice")
        shares[i, k] = row["share"]
        rows_of.setdefault(k, []).append(row[ROW])
    has_default = bool(star_rows)
    fallback = np.nan_to_num(default) if has_default else np.zeros(n)
    named = ~np.isnan(shares).all(axis=0)
    filled = np.where(np.isnan(shares), fallback[:, None], shares)
    projects = list(project_index)
    for k in map(int, np.flatnonzero(named) if sums else ()):
        total = filled[:, k].sum()
        if abs(total - 1.0) > SHARE_TOLERANCE:
            checks.add(
                "proposal",
                min(rows_of[k]),
                "share",
                f"shares of project {projects[k]} add up to {total:g}, not 1 (rows "
                f"{', '.join(map(str, rows_of[k] + star_rows))})",
            )
    if sums and has_default and abs(fallback.sum() - 1.0) > SHARE_TOLERANCE:
        checks.add(
            "proposal", min(star_rows), "share", f"the * shares add up to {fallback.sum():g}, not 1"
        )
    return ProposalShares(filled, named, fallback if has_default else None)


__all__ = [
    "MODEL",
    "READER",
    "TARGETS",
    "IndividualRationality",
    "InfrastructureCase",
    "ProposalShares",
    "build_arrays",
    "case_from_rows",
    "case_from_tables",
    "read_case",
    "read_proposal_shares",
    "yearly_amounts",
]
