"""The infrastructure family's cross-sheet checks (STYLE §4: validate before building).

The reader has typed every cell; each ``check_*`` here looks across rows and sheets and adds
every problem it finds, with its sheet, row and column, to a
:class:`~fairpool.optimizer.workbook.checks.CaseChecks`, which raises one
:class:`~fairpool.optimizer.errors.CaseError` listing them all
(:func:`fairpool.models.infrastructure.case.case_from_tables` runs them in order). The
checks every family shares (unique and unknown ids, amounts ≥ 0, years near the base year,
the target, the coalition table) live in :mod:`fairpool.optimizer.workbook.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fairpool.models.infrastructure.schema import INFRASTRUCTURE_TARGETS
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_non_negative,
    check_target,
    check_years,
)
from fairpool.optimizer.workbook.reader import LIST_SEPARATORS, ROW, CaseTables, table_records

OWN_TARGETS = ("territorial", "dual")
"""Targets of this family that are not engine methods (computed on the plan, not the game)."""

TARGETS = f"{INFRASTRUCTURE_TARGETS} | <method>"
"""The targets named in an unknown-target message."""

SHARE_TOLERANCE = 1e-6
"""Territorial splits and a proposal's shares of one project must add up to 1 within this."""

YEARLY_SHEETS = (
    ("capex", ("project",)),
    ("om", ("project",)),
    ("benefits", ("project", "party")),
    ("budgets", ("party",)),
)
"""The yearly sheets and the ids that, with the year, name one of their rows."""


def parse_territorial(text: str, hosts: Sequence[str]) -> dict[str, float]:
    """``"0.6+0.4"`` (host order) or ``"AH:0.6+JS:0.4"`` as {host: share}; blank: equal.

    Raises ``ValueError`` with the reason (wrong count, unknown host, not a number, sum ≠ 1).

    Example:
        >>> parse_territorial("JS:0.3, AH:0.7", ["AH", "JS"])
        {'JS': 0.3, 'AH': 0.7}
    """
    tokens = [t.strip() for t in LIST_SEPARATORS.split(str(text or "")) if t.strip()]
    if not tokens:
        return {h: 1.0 / len(hosts) for h in hosts}
    shares: dict[str, float] = {}
    for position, token in enumerate(tokens):
        host, sep, number = token.replace("=", ":").partition(":")
        if not sep:
            if position >= len(hosts):
                raise ValueError(f"{len(tokens)} shares for {len(hosts)} hosts")
            host, number = hosts[position], token
        host = host.strip()
        if host not in hosts:
            raise ValueError(f"{host!r} is not a host of the project ({'+'.join(hosts)})")
        try:
            value = float(number.strip().rstrip("%")) / (100.0 if "%" in number else 1.0)
        except ValueError:
            raise ValueError(f"expected a share, got {number.strip()!r}") from None
        if value < 0:
            raise ValueError(f"share {value:g} is negative")
        shares[host] = value
    if len(shares) != len(tokens):
        raise ValueError("a host is named twice")
    if abs(sum(shares.values()) - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"shares add up to {sum(shares.values()):g}, not 1")
    return shares


def check_project_links(checks: CaseChecks, projects: pd.DataFrame) -> None:
    """A project names at least one host and never depends on or excludes itself."""
    for row in table_records(projects):
        if not row["hosts"]:
            checks.add("projects", row[ROW], "hosts", "name at least one host party")
        for column in ("depends_on", "excludes"):
            if row["project"] in (row[column] or ()):
                checks.add("projects", row[ROW], column, "a project cannot name itself")


def check_amounts(checks: CaseChecks, tables: CaseTables) -> None:
    """Capex, O&M costs and budgets are ≥ 0 (benefits may be negative: a dis-benefit)."""
    check_non_negative(checks, tables.table("capex"), "capex", "amount", "capex")
    check_non_negative(checks, tables.table("om"), "om", "amount", "O&M cost")
    check_non_negative(checks, tables.table("budgets"), "budgets", "amount", "budget")


def check_duplicate_years(
    checks: CaseChecks, table: pd.DataFrame, sheet: str, keys: Sequence[str]
) -> None:
    """At most one row per key and year (a second row would silently add up)."""
    seen: dict[tuple[object, ...], int] = {}
    for row in table_records(table):
        key = (*(row[k] for k in keys), row["year"])
        if None in key:
            continue
        if key in seen:
            checks.add(
                sheet, row[ROW], "year", f"{'/'.join(map(str, key))} already in row {seen[key]}"
            )
        else:
            seen[key] = row[ROW]


def check_yearly_rows(checks: CaseChecks, tables: CaseTables) -> None:
    """Every yearly sheet: one row per key and year, years near ``base_year`` (typos)."""
    for sheet, keys in YEARLY_SHEETS:
        check_duplicate_years(checks, tables.table(sheet), sheet, keys)
    for sheet, _keys in YEARLY_SHEETS:
        check_years(checks, tables.table(sheet), sheet, tables.settings.get("base_year"))


def check_life_years(checks: CaseChecks, projects: pd.DataFrame) -> None:
    """A project's ``life_years``, when given, is at least 1."""
    for row in table_records(projects):
        life = row["life_years"]
        if life is not None and life <= 0:
            checks.add("projects", row[ROW], "life_years", f"life_years {life} must be ≥ 1")


def check_case_target(checks: CaseChecks, target: str, attributes: Sequence[str]) -> None:
    """The ``target`` key names an engine method, ``territorial``, ``dual`` or
    ``proportional:<attribute>`` with a numeric party attribute."""
    check_target(
        checks,
        target,
        attributes,
        example="population",
        targets_help=TARGETS,
        own_targets=OWN_TARGETS,
    )


def check_territorial(checks: CaseChecks, projects: pd.DataFrame, party_ids: Sequence[str]) -> None:
    """A project's ``territorial`` split names its own hosts, once each, adding up to 1
    (:func:`parse_territorial`)."""
    for row in table_records(projects.dropna(subset=["project"]).drop_duplicates("project")):
        hosts = [h for h in row["hosts"] or () if h in party_ids]
        try:
            parse_territorial(row["territorial"], hosts or ["?"])
        except ValueError as error:
            checks.add("projects", row[ROW], "territorial", str(error))


def check_some_years(checks: CaseChecks, years: np.ndarray) -> None:
    """Some yearly sheet has an amount: without one there is nothing to plan (not said while
    a year cell is broken: the problem is that cell)."""
    readable = all(checks.readable(sheet, ("year",)) for sheet, _keys in YEARLY_SHEETS)
    if years.size == 0 and readable:
        checks.add("capex", None, "year", "no amounts in any year: nothing to plan")


def check_idle_projects(
    checks: CaseChecks,
    projects: pd.DataFrame,
    project_index: Mapping[str, int],
    cost: np.ndarray,
    benefit: np.ndarray,
) -> None:
    """Warn about a project that costs nothing (``cost[p]``, its capex and O&M amounts, all
    zero) or benefits nobody (``benefit[p]`` all zero): solvable, but probably rows left out."""
    for row in table_records(projects.drop_duplicates("project")):
        k = project_index.get(row["project"])
        if k is None:
            continue
        if not cost[k].any():
            checks.warn("projects", row[ROW], "project", f"{row['project']} costs nothing")
        if not benefit[k].any():
            checks.warn("projects", row[ROW], "project", f"{row['project']} benefits nobody")


__all__ = [
    "OWN_TARGETS",
    "SHARE_TOLERANCE",
    "TARGETS",
    "check_amounts",
    "check_case_target",
    "check_duplicate_years",
    "check_idle_projects",
    "check_life_years",
    "check_project_links",
    "check_some_years",
    "check_territorial",
    "check_yearly_rows",
    "parse_territorial",
]
