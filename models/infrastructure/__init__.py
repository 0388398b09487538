"""infrastructure — co-funded cross-region projects (bridges, rail, river works), SPEC §2.2.

Data: projects p with hosts H_p (every host must agree), dependencies and exclusions, yearly
capex K[p, t] of which an outside funder pays the share σ_p, yearly O&M M[p, t], yearly
benefits b[p, i, t] to each party i, and yearly budgets β[i, t] (no row: no limit). With the
discount factor d_t = (1 + r)^−(t − base_year):

    F[p, t] = (1 − σ_p) K[p, t] + M[p, t]      the cost the parties must fund
    Fpv_p   = Σ_t d_t F[p, t],   Bpv[p, i] = Σ_t d_t b[p, i, t]

Coalition game (one MILP, compiled once; a coalition changes costs, bounds and RHS only):

    v(S) = max Σ_p (Σ_{i∈S} Bpv[p, i] − Fpv_p) y_p
           y_p ≤ [H_p ⊆ S]                       (every host is a member)
           y_p ≤ y_q (p needs q),  y_p + y_q ≤ 1 (p excludes q)
           Σ_p F[p, t] y_p ≤ Σ_{i∈S} β[i, t]      (S funds it alone from its pooled budgets)
           y_p ∈ {0, 1}  ([0, 1] for divisible projects)

Only S's own benefits count; non-members' benefits are spill-overs S does not value.

Plan model (the grand coalition): build y_p and cost shares c[i, p, t] ≥ 0 with
Σ_i c[i, p, t] = F[p, t] y_p and Σ_p c[i, p, t] ≤ β[i, t] (each party's own budget), so that
npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t]. Lexicographic solve:

1. max Σ_i npv_i (= v(N)): solved on the grand coalition's v(S) model (:func:`welfare_plan`),
   since the welfare does not depend on the shares and the parties' budgets can carry any
   plan their pooled budget can;
2. with Σ npv ≥ (1 − welfare_tolerance) v(N), individual rationality npv_i ≥ v({i}) (hard
   unless ``individual_rationality = off``) and the core rows x(S) + ε ≥ v(S): min ε (soft),
   ε = 0 (hard) or no rows (off; above 10 parties the rows are generated as they are
   violated, :func:`models.planning.solve_plan_model`);
3. min the L1 (or L∞) distance of npv to the target's NPVs;
4. tie-break: each party's payments spread over projects and years in proportion to the
   costs, min Σ |c[i, p, t] − ω_i F[p, t] y_p| with ω_i its share of all payments.

Targets and the side-by-side allocations are computed on the *payment game*
pc(S) = Σ_{i∈S} B_i − v(S) (B_i = Bpv of the built plan to party i), a cost game whose cost
shares are the parties' payments (present values): its core is the core of v, and the cost
rules mean what practitioners mean by them — ``equal_bcr`` equalises every party's
benefit–cost ratio B_i / pay_i (the Hong Kong–Zhuhai–Macao Bridge rule), ``scrb`` is the
water-resources SCRB with B_i as the benefit cap, ``proportional:<a>`` splits the payments by
attribute a, ``territorial`` has each host pay the cost inside its territory, and ``dual``
(Owen 1975) prices the grand coalition's LP when the game is a linear production game (all
projects divisible, no exclusions, Bpv ≥ 0), which puts it in the core in one solve.

Public API (wired by ``cli.py``): :func:`read_case`, :func:`coalition_model`,
:func:`build_coalition_game`, :func:`build_plan_model`, :func:`solve_case`,
:func:`check_proposal`, :func:`sweep`, :func:`core_band`, :func:`write_template`,
:func:`write_case`, :func:`coalition_table`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from fairpool.optimizer.workbook.reader import (
    LIST_SEPARATORS,
    ROW,
    CaseTables,
    case_tables_from_rows,
    read_case_tables,
)
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
    proposal_verdict,
    solve_plan_model,
    worst_blocking,
)
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_non_negative,
    check_sweep_party,
    check_target,
    check_unknown_ids,
    check_years,
    dense_values,
    known_list,
    party_attributes,
    read_coalition_sheet,
    unique_ids,
)
from fairpool.optimizer.coalitions import (
    CoalitionNumbers,
    CompiledEvaluator,
    CompiledGame,
    content_key,
    model_game,
)
from fairpool.optimizer.errors import CaseError, InfeasibleError, SolverError, VerificationError
from fairpool.optimizer.fairness import FairnessReport, check_allocation
from fairpool.optimizer.game import Game, membership_matrix, requirements_met
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.workbook.schema import ALL, INFRASTRUCTURE
from fairpool.optimizer.solutions import method_names, solve_method

if TYPE_CHECKING:
    import pyomo.environ as pyo

MODEL = "infrastructure"
SCHEMA = INFRASTRUCTURE
TARGETS_HELP = (
    "shapley | nucleolus | scrb | equal_bcr | proportional:<attribute> | territorial | dual "
    "| <method>"
)
OWN_TARGETS = ("territorial", "dual")
COALITION_MODEL_VERSION = "infrastructure.coalitions/1"
"""Part of the cache key of v(S): bump it when the coalition MILP's formulation changes."""
SHARE_TOLERANCE = 1e-6
"""Proposal shares of a project must add up to 1 within this."""


# -- the case ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class InfrastructureCase:
    """A validated infrastructure case, as arrays (see the module docstring for the maths).

    Arrays (parties i, projects p, years t in ``years``): ``capex[p, t]``, ``om[p, t]``,
    ``benefit[p, i, t]``, ``budget[i, t]`` (``inf``: no limit), ``subsidy_share[p]``,
    ``divisible[p]``, ``territorial[p, i]`` (each row sums to 1 over the hosts).
    ``hosts[p]``, ``depends_on[p]``, ``excludes[p]`` hold indices. ``proposal`` is the
    expanded proposal (party × project shares and the projects it names), if any.
    """

    source: str
    name: str
    unit: str
    discount_rate: float
    base_year: int
    target: str
    core: CoreMode
    distance: DistanceKind
    welfare_tolerance: float
    individual_rationality: Literal["hard", "off"]
    time_limit: float | None
    parties: tuple[str, ...]
    party_names: tuple[str, ...]
    attributes: Mapping[str, np.ndarray]
    projects: tuple[str, ...]
    project_names: tuple[str, ...]
    hosts: tuple[frozenset[int], ...]
    depends_on: tuple[frozenset[int], ...]
    excludes: tuple[frozenset[int], ...]
    subsidy_share: np.ndarray
    divisible: np.ndarray
    territorial: np.ndarray
    years: np.ndarray
    capex: np.ndarray
    om: np.ndarray
    benefit: np.ndarray
    budget: np.ndarray
    proposal: ProposalShares | None = None
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

    def party_index(self, party: str) -> int:
        return self.parties.index(party)


@dataclass(frozen=True)
class ProposalShares:
    """A proposal: ``shares[i, p]`` of project p's funded cost paid by party i.

    ``named`` marks projects named in a row (they are built); ``default`` holds the ``*``
    rows' shares (None without them), used for the welfare plan's other projects.
    """

    shares: np.ndarray
    named: np.ndarray
    default: np.ndarray | None


def read_case(path: str | os.PathLike[str]) -> InfrastructureCase:
    """Read and validate an infrastructure case workbook.

    Raises :class:`CaseError` listing every problem (sheet, row, column) at once.
    """
    return case_from_tables(read_case_tables(path, SCHEMA))


def case_from_rows(
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    source: str = "case.xlsx",
) -> InfrastructureCase:
    """A validated case from in-memory rows (same parsing and checks as :func:`read_case`)."""
    settings = {"model": MODEL, **settings}
    return case_from_tables(case_tables_from_rows(SCHEMA, settings, rows, source))


def parse_territorial(text: str, hosts: Sequence[str]) -> dict[str, float]:
    """``"0.6+0.4"`` (host order) or ``"AH:0.6+JS:0.4"`` as {host: share}; blank: equal.

    Raises ``ValueError`` with the reason (wrong count, unknown host, not a number, sum ≠ 1).
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
    for _, row in projects.iterrows():
        if not row["hosts"]:
            checks.add("projects", row[ROW], "hosts", "name at least one host party")
        for column in ("depends_on", "excludes"):
            if row["project"] in (row[column] or ()):
                checks.add("projects", row[ROW], column, "a project cannot name itself")


def check_duplicate_years(
    checks: CaseChecks, table: pd.DataFrame, sheet: str, keys: Sequence[str]
) -> None:
    """At most one row per key and year (a second row would silently add up)."""
    seen: dict[tuple[object, ...], int] = {}
    for _, row in table.iterrows():
        key = (*(row[k] for k in keys), row["year"])
        if None in key:
            continue
        if key in seen:
            checks.add(
                sheet, row[ROW], "year", f"{'/'.join(map(str, key))} already in row {seen[key]}"
            )
        else:
            seen[key] = row[ROW]


def case_from_tables(tables: CaseTables) -> InfrastructureCase:
    """Validate typed tables and turn them into an :class:`InfrastructureCase`.

    Runs the named checks (unique and known ids, self-references, negative amounts, duplicate
    years, territorial splits, target, proposal sums, coalition table) and raises one
    :class:`CaseError` with every problem found.
    """
    checks = CaseChecks(tables)
    settings = tables.settings
    parties = tables.table("parties")
    projects = tables.table("projects")
    capex_table = tables.table("capex")
    om_table = tables.table("om")
    benefits = tables.table("benefits")
    budgets = tables.table("budgets")
    proposal_table = tables.table("proposal")

    party_ids = unique_ids(checks, parties, "parties", "id")
    project_ids = unique_ids(checks, projects, "projects", "project")
    check_project_links(checks, projects)
    check_unknown_ids(checks, projects, "projects", "hosts", party_ids, "parties")
    check_unknown_ids(checks, projects, "projects", "depends_on", project_ids, "projects")
    check_unknown_ids(checks, projects, "projects", "excludes", project_ids, "projects")
    for sheet, table in (("capex", capex_table), ("om", om_table), ("benefits", benefits)):
        check_unknown_ids(checks, table, sheet, "project", project_ids, "projects")
    check_unknown_ids(checks, benefits, "benefits", "party", party_ids, "parties")
    check_unknown_ids(checks, budgets, "budgets", "party", party_ids, "parties")
    check_unknown_ids(checks, proposal_table, "proposal", "party", party_ids, "parties")
    check_unknown_ids(checks, proposal_table, "proposal", "project", project_ids, "projects", True)
    check_non_negative(checks, capex_table, "capex", "amount", "capex")
    check_non_negative(checks, om_table, "om", "amount", "O&M cost")
    check_non_negative(checks, budgets, "budgets", "amount", "budget")
    check_duplicate_years(checks, capex_table, "capex", ["project"])
    check_duplicate_years(checks, om_table, "om", ["project"])
    check_duplicate_years(checks, benefits, "benefits", ["project", "party"])
    check_duplicate_years(checks, budgets, "budgets", ["party"])
    base_year = settings.get("base_year")
    for sheet, table in (("capex", capex_table), ("om", om_table), ("benefits", benefits)):
        check_years(checks, table, sheet, base_year)
    check_years(checks, budgets, "budgets", base_year)
    for _, row in projects.iterrows():
        life = row["life_years"]
        if life is not None and life <= 0:
            checks.add("projects", row[ROW], "life_years", f"life_years {life} must be ≥ 1")

    attribute_values = party_attributes(parties)
    target = str(settings.get("target") or "shapley").strip()
    check_target(
        checks,
        target,
        list(attribute_values),
        example="population",
        targets_help=TARGETS_HELP,
        own_targets=OWN_TARGETS,
    )
    coalition_values = read_coalition_sheet(checks, tables.table("coalitions"), party_ids)
    if not party_ids or not project_ids:
        checks.raise_if_any()

    # arrays (rows with unknown ids or unreadable cells are skipped: already reported)
    n, count = len(party_ids), len(project_ids)
    party_index = {p: i for i, p in enumerate(party_ids)}
    project_index = {p: k for k, p in enumerate(project_ids)}
    years_seen = {
        int(y)
        for table in (capex_table, om_table, benefits, budgets)
        for y in table["year"]
        if y is not None
    }
    years = np.array(sorted(years_seen), dtype=int)
    if years.size == 0:
        checks.add("capex", None, "year", "no amounts in any year: nothing to plan")
        checks.raise_if_any()
    year_index = {int(y): t for t, y in enumerate(years)}
    capex = np.zeros((count, len(years)))
    om = np.zeros((count, len(years)))
    benefit = np.zeros((count, n, len(years)))
    budget = np.full((n, len(years)), np.inf)

    def usable(row: pd.Series, *keys: str) -> bool:
        known = {"project": project_index, "party": party_index, "year": year_index}
        return row["amount"] is not None and all(row[k] in known[k] for k in keys)

    for target_array, table in ((capex, capex_table), (om, om_table)):
        for _, row in table.iterrows():
            if usable(row, "project", "year"):
                target_array[project_index[row["project"]], year_index[row["year"]]] += row[
                    "amount"
                ]
    for _, row in benefits.iterrows():
        if usable(row, "project", "party", "year"):
            benefit[
                project_index[row["project"]], party_index[row["party"]], year_index[row["year"]]
            ] += row["amount"]
    for _, row in budgets.iterrows():
        if usable(row, "party", "year"):
            budget[party_index[row["party"]], year_index[row["year"]]] = row["amount"]
    if budgets.empty:
        checks.warnings.append("no budgets sheet: every party's budget is unlimited")

    hosts, depends, excludes = [], [], []
    territorial = np.zeros((count, n))
    subsidy = np.zeros(count)
    divisible = np.zeros(count, dtype=bool)
    names = []
    for k, project in enumerate(project_ids):
        row = projects[projects["project"] == project].iloc[0]
        host_ids = [h for h in row["hosts"] or () if h in party_index]
        hosts.append(frozenset(party_index[h] for h in host_ids))
        depends.append(frozenset(project_index[d] for d in row["depends_on"] if d in project_index))
        excludes.append(frozenset(project_index[e] for e in row["excludes"] if e in project_index))
        subsidy[k] = row["subsidy_share"] or 0.0
        divisible[k] = bool(row["divisible"])
        names.append(row["name"] or project)
        try:
            for host, share in parse_territorial(row["territorial"], host_ids or ["?"]).items():
                if host in party_index:
                    territorial[k, party_index[host]] = share
        except ValueError as error:
            checks.add("projects", row[ROW], "territorial", str(error))
        life = row["life_years"]
        if life is not None:
            built = np.flatnonzero(capex[k] > 0)
            operating = np.flatnonzero(benefit[k].any(axis=0) | (om[k] > 0))
            start = (
                int(years[built[-1]]) + 1
                if built.size
                else (int(years[operating[0]]) if operating.size else int(years[0]))
            )
            beyond = years > start + life - 1
            dropped = int((benefit[k][:, beyond] != 0).sum() + (om[k][beyond] != 0).sum())
            if dropped:
                checks.warn(
                    "projects",
                    row[ROW],
                    "life_years",
                    f"{project}: {dropped} benefit/O&M amounts after {start + life - 1} "
                    f"(end of its {life}-year life) are left out",
                )
                benefit[k][:, beyond] = 0.0
                om[k][beyond] = 0.0
        if not capex[k].any() and not om[k].any():
            checks.warn("projects", row[ROW], "project", f"{project} costs nothing")
        if not benefit[k].any():
            checks.warn("projects", row[ROW], "project", f"{project} benefits nobody")
    proposal = None
    if not proposal_table.empty:
        proposal = read_proposal(checks, proposal_table, party_index, project_index)
    checks.raise_if_any()

    time_limit = settings.get("time_limit")
    return InfrastructureCase(
        source=tables.path,
        name=str(settings.get("name") or Path(tables.path).stem),
        unit=str(settings.get("unit") or ""),
        discount_rate=float(settings["discount_rate"]),  # type: ignore[arg-type]
        base_year=int(settings["base_year"]),  # type: ignore[call-overload]
        target=target,
        core=settings.get("core") or "soft",  # type: ignore[arg-type]
        distance=settings.get("distance") or "l1",  # type: ignore[arg-type]
        welfare_tolerance=float(settings.get("welfare_tolerance") or 0.0),  # type: ignore[arg-type]
        individual_rationality=settings.get("individual_rationality") or "hard",  # type: ignore[arg-type]
        time_limit=float(time_limit) if time_limit is not None else None,  # type: ignore[arg-type]
        parties=tuple(party_ids),
        party_names=tuple(
            (r["name"] or r["id"]) for _, r in parties.drop_duplicates("id").iterrows()
        ),
        attributes=attribute_values,
        projects=tuple(project_ids),
        project_names=tuple(names),
        hosts=tuple(hosts),
        depends_on=tuple(depends),
        excludes=tuple(excludes),
        subsidy_share=subsidy,
        divisible=divisible,
        territorial=territorial,
        years=years,
        capex=capex,
        om=om,
        benefit=benefit,
        budget=budget,
        proposal=proposal,
        coalition_values=coalition_values,
        warnings=tuple(checks.warnings),
    )


def read_proposal(
    checks: CaseChecks,
    table: pd.DataFrame,
    party_index: Mapping[str, int],
    project_index: Mapping[str, int],
) -> ProposalShares:
    """Proposal rows as shares[i, p]; a project's shares (``*`` rows filling in) add up to 1."""
    n, count = len(party_index), len(project_index)
    shares = np.full((n, count), np.nan)
    default = np.full(n, np.nan)
    rows_of: dict[int, list[int]] = {}
    star_rows: list[int] = []
    for _, row in table.iterrows():
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
    for k in np.flatnonzero(named):
        total = filled[:, k].sum()
        if abs(total - 1.0) > SHARE_TOLERANCE:
            checks.add(
                "proposal",
                min(rows_of[k]),
                "share",
                f"shares of project {projects[k]} add up to {total:g}, not 1 (rows "
                f"{', '.join(map(str, rows_of[k] + star_rows))})",
            )
    if has_default and abs(fallback.sum() - 1.0) > SHARE_TOLERANCE:
        checks.add(
            "proposal", min(star_rows), "share", f"the * shares add up to {fallback.sum():g}, not 1"
        )
    return ProposalShares(filled, named, fallback if has_default else None)


# -- the coalition game -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class InfrastructureCoalitionModel:
    """The v(S) MILP as data: the engine's :class:`~optimizer.coalitions.CoalitionModel`.

    ``benefit_pv[p, i]`` and ``cost_pv[p]`` give the objective Σ_p (Σ_{i∈S} Bpv − Fpv) y_p;
    ``host_masks[p]`` the bitmask of H_p; ``yearly_cost[p, t]`` and ``budget[i, t]`` the
    budget rows of the years with any cost (``inf``: no limit); ``dependencies`` rows (p, q):
    p needs q; ``exclusions`` rows (p, q). Picklable, so workers can open it.
    """

    players: tuple[str, ...]
    benefit_pv: np.ndarray
    cost_pv: np.ndarray
    host_masks: np.ndarray
    yearly_cost: np.ndarray
    budget: np.ndarray
    dependencies: np.ndarray
    exclusions: np.ndarray
    divisible: np.ndarray
    time_limit: float | None = None

    def cache_key(self) -> str:
        """Hash of every number v(S) depends on (and the formulation's version)."""
        return content_key(self, COALITION_MODEL_VERSION)

    def open(self) -> InfrastructureEvaluator:
        """Build the Pyomo model once, compile it to HiGHS (notes §4b), return the evaluator."""
        return InfrastructureEvaluator(self)

    def compile(self) -> CompiledGame:
        """The v(S) MILP compiled once; S changes the costs and bounds of y and the budget RHS."""
        from fairpool.optimizer.solve import compile_pyomo

        m = build_coalition_model(self)
        compiled = compile_pyomo(m)
        y = compiled.columns_of(m.y[p] for p in m.Pj)
        return CompiledGame(
            program=compiled.program(self.time_limit),
            cost_columns=y,
            bound_columns=y,
            bound_rows=compiled.rows_of(m.budget[t] for t in m.T),
            columns={"y": y},
        )

    def numbers(self, masks: np.ndarray) -> CoalitionNumbers:
        """For each S: costs w(S), upper bounds [H_p ⊆ S] of y, pooled budgets as row RHS.

        No solve (v(S) = 0) when S can host no project with a positive weight.
        """
        members = membership_matrix(masks, len(self.players))
        weights = members @ self.benefit_pv.T - self.cost_pv
        allowed = requirements_met(masks, self.host_masks)
        unlimited = np.isinf(self.budget)
        pooled = members @ np.where(unlimited, 0.0, self.budget)
        pooled[(members @ unlimited.astype(float)) > 0] = np.inf
        return CoalitionNumbers(
            solve=(allowed & (weights > 0)).any(axis=1),
            column_cost=weights,
            column_lower=np.zeros(len(self.cost_pv)),
            column_upper=allowed.astype(float),
            row_upper=pooled,
        )


def coalition_model(case: InfrastructureCase) -> InfrastructureCoalitionModel:
    """The case's v(S) MILP as engine data (see :class:`InfrastructureCoalitionModel`)."""
    cost = case.funded_cost
    years = np.flatnonzero(cost.any(axis=0))
    count = len(case.projects)
    dependencies = [(p, q) for p in range(count) for q in sorted(case.depends_on[p])]
    exclusions = sorted({(min(p, q), max(p, q)) for p in range(count) for q in case.excludes[p]})
    return InfrastructureCoalitionModel(
        players=case.parties,
        benefit_pv=case.benefit_pv(),
        cost_pv=case.cost_pv(),
        host_masks=np.array([sum(1 << i for i in h) for h in case.hosts], dtype=np.int64),
        yearly_cost=cost[:, years],
        budget=case.budget[:, years],
        dependencies=np.array(dependencies, dtype=np.int64).reshape(-1, 2),
        exclusions=np.array(exclusions, dtype=np.int64).reshape(-1, 2),
        divisible=case.divisible.copy(),
        time_limit=case.time_limit,
    )


def build_coalition_model(model: InfrastructureCoalitionModel) -> pyo.ConcreteModel:
    """The v(S) model, built once; a coalition changes only costs, bounds and budget RHS.

    max Σ_p w_p y_p  s.t.  Σ_p F[p, t] y_p ≤ B_t (budget rows),  y_p ≤ y_q (p needs q),
    y_p + y_q ≤ 1 (p excludes q),  0 ≤ y_p ≤ 1, y_p binary unless divisible. The
    placeholders w_p = 1 and B_t = 1 are replaced per coalition (a zero coefficient would be
    dropped by the writer).
    """
    import pyomo.environ as pyo

    count, years = model.yearly_cost.shape
    m = pyo.ConcreteModel(name="infrastructure_coalitions")
    m.Pj = pyo.RangeSet(0, count - 1)
    m.T = pyo.RangeSet(0, years - 1) if years else pyo.Set(initialize=[])
    m.weight = pyo.Param(m.Pj, mutable=True, initialize=1.0)
    m.pooled = pyo.Param(m.T, mutable=True, initialize=1.0)
    m.y = pyo.Var(
        m.Pj,
        bounds=(0.0, 1.0),
        domain=lambda m, p: pyo.Reals if model.divisible[p] else pyo.Binary,
    )
    m.objective = pyo.Objective(expr=sum(m.weight[p] * m.y[p] for p in m.Pj), sense=pyo.maximize)
    m.budget = pyo.Constraint(
        m.T,
        rule=lambda m, t: (
            sum(float(model.yearly_cost[p, t]) * m.y[p] for p in m.Pj if model.yearly_cost[p, t])
            <= m.pooled[t]
        ),
    )
    dependencies = model.dependencies.tolist()
    exclusions = model.exclusions.tolist()
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    m.exclude = pyo.Constraint(
        range(len(exclusions)), rule=lambda m, j: m.y[exclusions[j][0]] + m.y[exclusions[j][1]] <= 1
    )
    return m


class InfrastructureEvaluator(CompiledEvaluator):
    """v(S) by re-running the compiled MILP (see :meth:`InfrastructureCoalitionModel.numbers`)."""

    def solution(self) -> np.ndarray:
        """y of the last coalition (one number per project; zeros if nothing could be built)."""
        return self.column_values("y")


def build_coalition_game(case: InfrastructureCase, **engine: object) -> Game:
    """The coalition game v(S): by the engine (cached, parallel) or the ``coalitions`` sheet.

    ``engine`` options (workers, cache, scheduler, progress) go to
    :func:`optimizer.coalitions.model_game`; unset ones come from ``coalition_settings``.
    """
    if case.coalition_values is not None:
        values = dense_values(dict(case.coalition_values), case.n)
        return Game(case.parties, values, "benefit", case.party_names, case.attributes)
    return model_game(
        coalition_model(case),
        "benefit",
        names=case.party_names,
        attributes=case.attributes,
        **engine,
    )


# -- Owen's dual allocation (linear production games) ----------------------------------------


def linear_production_reasons(case: InfrastructureCase) -> list[str]:
    """Why the coalition model is not a linear production game (empty: it is one).

    Owen (1975): v(S) = max{c·x : A x ≤ Σ_{i∈S} r_i} with c independent of S. Here that needs
    divisible projects (an LP), no exclusions (their right-hand side 1 is not a sum of the
    members' resources) and Bpv ≥ 0 (so that "i collects its benefit only if in S" is a
    resource row z_{p,i} ≤ u_i).
    """
    reasons = []
    if not case.divisible.all():
        indivisible = [p for p, d in zip(case.projects, case.divisible, strict=True) if not d]
        reasons.append(f"projects {', '.join(indivisible[:5])} are not divisible (binaries)")
    if any(case.excludes):
        reasons.append("some projects exclude others")
    if (case.benefit_pv() < -1e-9).any():
        reasons.append("some party's benefit from a project is negative")
    if case.coalition_values is not None:
        reasons.append("the coalition values come from the coalitions sheet")
    return reasons


def dual_allocation(case: InfrastructureCase, game: Game) -> Allocation:
    """Owen's core allocation: the dual prices of the grand coalition's production LP.

    The LP with every resource explicit (u_i = 1 for all i):

        max Σ_{p,i} Bpv[p, i] z[p, i] − Σ_p Fpv_p y_p
        z[p, i] ≤ y_p,   z[p, i] ≤ u_i  (presence of i: price π[p, i])
        y_p ≤ u_h for every host h      (host consent: price η[p, h])
        Σ_p F[p, t] y_p ≤ Σ_i β[i, t]    (budgets: price λ_t)
        y_p ≤ y_q                       (dependencies, no resource)

    gives x_i = Σ_t λ_t β[i, t] + Σ_p η[p, i] + Σ_p π[p, i]. Any dual solution of N's LP is
    feasible for every S's dual, so v(S) ≤ x(S) by weak duality and x(N) = v(N) by strong
    duality (G. Owen, "On the core of linear production games", Math. Programming 9, 1975).
    The result is verified with :func:`~optimizer.fairness.check_allocation`.

    Raises:
        CaseError: the model is not a linear production game (reasons listed).
        VerificationError: the prices fail the core check (should not happen).
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import compile_pyomo, run_optimal

    reasons = linear_production_reasons(case)
    if reasons:
        raise CaseError("dual needs a linear production game: " + "; ".join(reasons))
    benefit = case.benefit_pv()
    cost_pv = case.cost_pv()
    cost = case.funded_cost
    budget_years = [
        t
        for t in range(len(case.years))
        if cost[:, t].any() and np.isfinite(case.budget[:, t]).all()
    ]
    count, n = len(case.projects), case.n
    pairs = [(p, i) for p in range(count) for i in range(n) if benefit[p, i] > 0]
    host_pairs = [(p, h) for p in range(count) for h in sorted(case.hosts[p])]
    m = pyo.ConcreteModel(name="infrastructure_production_lp")
    m.y = pyo.Var(range(count), bounds=(0.0, None))
    m.z = pyo.Var(range(len(pairs)), bounds=(0.0, None))
    m.objective = pyo.Objective(
        expr=-sum(float(benefit[p, i]) * m.z[j] for j, (p, i) in enumerate(pairs))
        + sum(float(cost_pv[p]) * m.y[p] for p in range(count)),
        sense=pyo.minimize,
    )
    m.accrues = pyo.Constraint(range(len(pairs)), rule=lambda m, j: m.z[j] <= m.y[pairs[j][0]])
    m.presence = pyo.Constraint(range(len(pairs)), rule=lambda m, j: m.z[j] <= 1.0)
    m.consent = pyo.Constraint(
        range(len(host_pairs)), rule=lambda m, j: m.y[host_pairs[j][0]] <= 1.0
    )
    m.budget = pyo.Constraint(
        budget_years,
        rule=lambda m, t: (
            sum(float(cost[p, t]) * m.y[p] for p in range(count) if cost[p, t])
            <= float(case.budget[:, t].sum())
        ),
    )
    dependencies = [(p, q) for p in range(count) for q in sorted(case.depends_on[p])]
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    compiled = compile_pyomo(m)
    run_optimal(compiled.highs, "the grand coalition's production LP (dual prices)")
    row_dual = np.asarray(compiled.highs.getSolution().row_dual)

    def price(constraint: object) -> float:
        row = compiled.row(constraint)
        return 0.0 if row is None else max(-float(row_dual[row]), 0.0)

    shares = np.zeros(n)
    for j, (_p, i) in enumerate(pairs):
        shares[i] += price(m.presence[j])
    for j, (_p, h) in enumerate(host_pairs):
        shares[h] += price(m.consent[j])
    for t in budget_years:
        shares += price(m.budget[t]) * case.budget[:, t]
    report = check_allocation(game, shares)
    if not report.in_core:
        raise VerificationError(
            f"the dual prices are not in the core (worst {report.worst_coalition_label}, "
            f"excess {report.worst_excess:g}, efficiency gap {report.efficiency_gap:g})"
        )
    return Allocation("dual", game.players, shares, {"lp_value": float(shares.sum())})


# -- the plan model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSpec:
    """What goes into a plan model: core mode, IR, fixed build decisions, welfare floor."""

    core: CoreMode
    individual_rationality: Literal["hard", "off"] = "hard"
    fixed_build: np.ndarray | None = None


def define_build_decisions(m: pyo.ConcreteModel, case: InfrastructureCase, spec: PlanSpec) -> None:
    """y_p ∈ {0,1} ([0,1] divisible); y_p ≤ y_q (p needs q); y_p + y_q ≤ 1 (p excludes q)."""
    import pyomo.environ as pyo

    m.P = pyo.RangeSet(0, case.n - 1)
    m.Pj = pyo.RangeSet(0, len(case.projects) - 1)
    m.y = pyo.Var(
        m.Pj,
        bounds=(0.0, 1.0),
        domain=lambda m, p: pyo.Reals if case.divisible[p] else pyo.Binary,
    )
    if spec.fixed_build is not None:
        for p in m.Pj:
            m.y[p].fix(float(spec.fixed_build[p]))
    dependencies = [(p, q) for p in m.Pj for q in sorted(case.depends_on[p])]
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    exclusions = sorted({(min(p, q), max(p, q)) for p in m.Pj for q in case.excludes[p]})
    m.exclude = pyo.Constraint(
        range(len(exclusions)), rule=lambda m, j: m.y[exclusions[j][0]] + m.y[exclusions[j][1]] <= 1
    )


def define_cost_shares(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """c[i, p, t] ≥ 0 and Σ_i c[i, p, t] = F[p, t] y_p (every built project fully funded)."""
    import pyomo.environ as pyo

    cost = case.funded_cost
    m.cells = [
        (p, t) for p in range(len(case.projects)) for t in range(len(case.years)) if cost[p, t] > 0
    ]
    m.c = pyo.Var(m.P, range(len(m.cells)), bounds=(0.0, None))
    m.funded = pyo.Constraint(
        range(len(m.cells)),
        rule=lambda m, j: (
            sum(m.c[i, j] for i in m.P) == float(cost[m.cells[j]]) * m.y[m.cells[j][0]]
        ),
    )


def define_budget_limits(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """Σ_p c[i, p, t] ≤ β[i, t] for every party and year with a budget row."""
    import pyomo.environ as pyo

    by_year: dict[int, list[int]] = {}
    for j, (_p, t) in enumerate(m.cells):
        by_year.setdefault(t, []).append(j)
    limits = [(i, t) for i in range(case.n) for t in by_year if np.isfinite(case.budget[i, t])]
    m.budget_limit = pyo.Constraint(
        range(len(limits)),
        rule=lambda m, k: (
            sum(m.c[limits[k][0], j] for j in by_year[limits[k][1]])
            <= float(case.budget[limits[k]])
        ),
    )


def define_npv(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t]; welfare W = Σ_i npv_i."""
    import pyomo.environ as pyo

    benefit = case.benefit_pv()
    d = case.discount
    m.npv = pyo.Var(m.P)
    m.npv_definition = pyo.Constraint(
        m.P,
        rule=lambda m, i: (
            m.npv[i]
            == sum(float(benefit[p, i]) * m.y[p] for p in m.Pj if benefit[p, i])
            - sum(float(d[t]) * m.c[i, j] for j, (_p, t) in enumerate(m.cells))
        ),
    )
    m.welfare = pyo.Expression(expr=sum(m.npv[i] for i in m.P))
    m.welfare_objective = pyo.Objective(expr=m.welfare, sense=pyo.maximize)
    m.welfare_objective.deactivate()
    m.welfare_floor = pyo.Param(mutable=True, initialize=-1e20)
    m.welfare_kept = pyo.Constraint(expr=m.welfare >= m.welfare_floor)


def define_individual_rationality(
    m: pyo.ConcreteModel, game: Game, mode: Literal["hard", "off"]
) -> None:
    """npv_i ≥ v({i}) for every party (hard); no rows when off."""
    import pyomo.environ as pyo

    standalone = game.standalone_values
    parties = list(range(game.n)) if mode == "hard" else []
    m.individually_rational = pyo.Constraint(
        parties, rule=lambda m, i: m.npv[i] >= float(standalone[i])
    )


def define_tie_break(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """min Σ |c[i, p, t] − ω_i F[p, t] y_p| (ω_i mutable: party i's share of all payments)."""
    import pyomo.environ as pyo

    cost = case.funded_cost
    m.omega = pyo.Param(m.P, mutable=True, initialize=1.0 / case.n)
    m.c_above = pyo.Var(m.P, range(len(m.cells)), bounds=(0.0, None))
    m.c_below = pyo.Var(m.P, range(len(m.cells)), bounds=(0.0, None))
    m.c_deviation = pyo.Constraint(
        m.P,
        range(len(m.cells)),
        rule=lambda m, i, j: (
            m.c[i, j] - m.omega[i] * float(cost[m.cells[j]]) * m.y[m.cells[j][0]]
            == m.c_above[i, j] - m.c_below[i, j]
        ),
    )
    m.tie_objective = pyo.Objective(
        expr=sum(m.c_above[k] + m.c_below[k] for k in m.c_above), sense=pyo.minimize
    )
    m.tie_objective.deactivate()


def build_plan_model(
    case: InfrastructureCase,
    game: Game,
    target: np.ndarray,
    spec: PlanSpec | None = None,
    distance: DistanceKind = "l1",
) -> pyo.ConcreteModel:
    """The plan model: build decisions, cost shares within budgets, NPVs, IR, core, distance.

    Every ``*_objective`` is built deactivated; :func:`solve_plan` activates them in turn.
    """
    import pyomo.environ as pyo

    spec = spec or PlanSpec(case.core, case.individual_rationality)
    m = pyo.ConcreteModel(name="infrastructure_plan")
    define_build_decisions(m, case, spec)
    define_cost_shares(m, case)
    define_budget_limits(m, case)
    define_npv(m, case)
    define_individual_rationality(m, game, spec.individual_rationality)
    define_core_constraints(m, game, spec.core)
    define_distance_objective(m, target, distance)
    define_tie_break(m, case)
    return m


@dataclass(frozen=True)
class PlanOutcome:
    """The solved plan: build y[p], cost shares c[i, p, t], ε*, distance, welfare, time."""

    build: np.ndarray
    shares: np.ndarray
    epsilon: float
    distance: float
    welfare: float
    runtime: float


def _plan_values(m: pyo.ConcreteModel, case: InfrastructureCase) -> tuple[np.ndarray, np.ndarray]:
    build = np.array([m.y[p].value or 0.0 for p in m.Pj])
    build = np.where(case.divisible, np.clip(build, 0.0, 1.0), np.round(build))
    shares = np.zeros((case.n, len(case.projects), len(case.years)))
    for j, (p, t) in enumerate(m.cells):
        for i in m.P:
            shares[i, p, t] = max(m.c[i, j].value or 0.0, 0.0)
    return build, shares


def welfare_plan(case: InfrastructureCase) -> tuple[np.ndarray, float]:
    """Step 1 alone: the welfare-maximising build plan y* and its welfare (= v(N)).

    Solved on the grand coalition's small v(S) model, not on the plan model (whose cost-share
    variables, party × project × year, make the same MILP much larger): the welfare
    Σ_i npv_i = Σ_p (Σ_i Bpv[p, i] − Fpv_p) y_p does not depend on the shares, and shares
    within every party's yearly budget exist iff each year's costs fit the pooled budget
    (any party may pay any cost). Always from the model, even when the game's v(N) comes
    from a ``coalitions`` sheet (``solve_case`` warns when the two differ).
    """
    evaluator = coalition_model(case).open()
    welfare = evaluator.value((1 << case.n) - 1)
    build = evaluator.solution()
    build = np.where(case.divisible, np.clip(build, 0.0, 1.0), np.round(build))
    return build, welfare


def solve_plan(
    case: InfrastructureCase,
    game: Game,
    target: np.ndarray,
    core: CoreMode,
    distance: DistanceKind = "l1",
    welfare_tolerance: float | None = None,
    individual_rationality: Literal["hard", "off"] | None = None,
    welfare_optimum: tuple[np.ndarray, float] | None = None,
) -> PlanOutcome:
    """Lexicographic plan solve: welfare, then least ε (soft core), distance, tie-break.

    With ``welfare_tolerance`` 0 the build plan of the welfare step is kept (later steps are
    LPs). ``welfare_optimum`` is :func:`welfare_plan`'s answer when the caller already has
    it. Raises :class:`InfeasibleError` saying which requirement cannot be met.
    """
    import pyomo.environ as pyo

    from fairpool.optimizer.solve import SolveStatus, pyomo_solver

    welfare_tolerance = case.welfare_tolerance if welfare_tolerance is None else welfare_tolerance
    rational = individual_rationality or case.individual_rationality
    started = time.perf_counter()
    build, welfare = welfare_optimum or welfare_plan(case)
    spec = PlanSpec(core, rational, build if welfare_tolerance <= 0 else None)
    m = build_plan_model(case, game, target, spec, distance)
    tol = plan_tolerance(game)
    m.welfare_floor = welfare - abs(welfare) * welfare_tolerance - tol
    solver = pyomo_solver(case.time_limit)

    def solve(what: str) -> float:
        result = solve_plan_model(m, solver)
        if result.status is SolveStatus.INFEASIBLE:
            raise explain_infeasible(case, game, welfare, welfare_tolerance, rational, core)
        if not result.optimal:
            raise SolverError(f"HiGHS could not solve the plan ({what}): {result.highs_status}")
        return result.objective

    epsilon = 0.0
    if core == "soft":
        activate_only(m, "epsilon_objective")
        epsilon = max(solve("least core violation"), 0.0)
        m.epsilon.setub(epsilon + tol)
    elif core == "hard" or rational == "hard":
        m.feasibility_objective = pyo.Objective(expr=0.0 * m.epsilon)
        activate_only(m, "feasibility_objective")
        solve("feasibility")
    activate_only(m, "distance_objective")
    best = solve("distance to the target")
    m.distance_cap = pyo.Constraint(expr=m.distance <= best + tol * case.n)
    _build, payments = _plan_values(m, case)
    paid = (payments @ case.discount).sum(axis=1)
    omega = paid / paid.sum() if paid.sum() > 0 else np.full(case.n, 1.0 / case.n)
    for i in m.P:
        m.omega[i] = float(omega[i])
    activate_only(m, "tie_objective")
    solve("tie-break")
    build, shares = _plan_values(m, case)
    return PlanOutcome(build, shares, epsilon, best, welfare, time.perf_counter() - started)


def explain_infeasible(
    case: InfrastructureCase,
    game: Game,
    welfare: float,
    welfare_tolerance: float,
    rational: str,
    core: CoreMode,
) -> InfeasibleError:
    """An :class:`InfeasibleError` naming what cannot be met and how to relax it."""
    lines = []
    if rational == "hard":
        lines.append(
            "individual rationality (every party at least its stand-alone NPV "
            + ", ".join(
                f"{p} {v:,.1f}" for p, v in zip(case.parties, game.standalone_values, strict=True)
            )
            + "): set individual_rationality = off in sheet case"
        )
    if core == "hard":
        lines.append("the core constraints (core = hard): use core = soft")
    lines.append(
        f"the welfare floor (within {welfare_tolerance:.1%} of the best welfare "
        f"{welfare:,.1f} {case.unit}): raise welfare_tolerance"
    )
    lines.append("the yearly budgets (sheet budgets): cost shares cannot move money between years")
    return InfeasibleError(
        "No cost-share plan meets every requirement. Relax one of these:\n  - "
        + "\n  - ".join(lines)
    )


# -- allocations side by side ----------------------------------------------------------------


def payment_game(game: Game, benefits: np.ndarray) -> Game:
    """pc(S) = Σ_{i∈S} B_i − v(S): the cost game of the parties' payments (present values).

    Cost shares of pc are payments: npv_i = B_i − pay_i, so pc's core is v's core; the
    ``benefit`` attribute is B_i (for equal_bcr and scrb).
    """
    from fairpool.optimizer.game import coalition_sums

    values = coalition_sums(benefits) - game.values
    attributes = {k: v for k, v in game.attributes.items() if k != "benefit"}
    attributes["benefit"] = np.asarray(benefits, dtype=float)
    return Game(game.players, values, "cost", game.names, attributes)


def territorial_payments(case: InfrastructureCase, build: np.ndarray) -> np.ndarray:
    """pay_i = Σ_p y_p Fpv_p τ[p, i]: each host pays the cost inside its territory."""
    return (build * case.cost_pv()) @ case.territorial


def side_by_side(
    case: InfrastructureCase, game: Game, build: np.ndarray, target: str
) -> tuple[dict[str, Allocation], dict[str, np.ndarray], list[str]]:
    """Every method's NPV allocation and payments, computed on the payment game.

    Returns (allocations {method: NPV Allocation}, payments {method: pay}, warnings).
    """
    benefits = build @ case.benefit_pv()
    costs = payment_game(game, benefits)
    allocations: dict[str, Allocation] = {}
    payments: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    methods = [m for m in method_names() if m != "proportional"]
    own_attributes = [a for a in case.attributes if a != "benefit"]
    if target.startswith("proportional:"):
        methods.append(target)
    elif own_attributes:
        methods.append(f"proportional:{own_attributes[0]}")
    for method in methods:
        key = method.partition(":")[0]
        try:
            allocation = solve_method(costs, method)
        except (CaseError, InfeasibleError, SolverError) as error:
            warnings.append(f"allocation {key} not available: {error}")
            continue
        payments[key] = allocation.shares
        allocations[key] = Allocation(
            key, game.players, benefits - allocation.shares, allocation.details
        )
    territorial = territorial_payments(case, build)
    payments["territorial"] = territorial
    allocations["territorial"] = Allocation("territorial", game.players, benefits - territorial)
    reasons = linear_production_reasons(case)
    if not reasons:
        try:
            dual = dual_allocation(case, game)
            allocations["dual"] = dual
            payments["dual"] = benefits - dual.shares
        except (CaseError, SolverError, VerificationError) as error:
            warnings.append(f"allocation dual not available: {error}")
    elif target == "dual":
        raise CaseError("target = dual needs a linear production game: " + "; ".join(reasons))
    return allocations, payments, warnings


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InfrastructureResult(PlanResult):
    """Everything ``fairpool solve`` reports for an infrastructure case.

    The fields of :class:`~models.planning.PlanResult` (shares and the target are NPVs), and:

    Attributes:
        allocations: {method: Allocation of NPVs} — every engine method on the payment game,
            plus ``territorial`` and (linear production games) ``dual``.
        payments: {method: {party: present value of its payments}} for the same methods.
        fairness: {method: FairnessReport} of each allocation on v (plus ``plan``).
        target_shares: {party: target NPV}.
        shares: DataFrame (party, project, year, amount): the plan's cost shares c[i, p, t].
        build: DataFrame per project: built (0/1 or the fraction), hosts, present values.
        cash_flows: DataFrame (party, year, benefit, payment, net, discount_factor,
            discounted_net).
        npv: {party: NPV realised by the plan}; distance: Σ|npv − target| (l1) or max (linf);
        residual: {party: npv − target}; welfare: Σ npv; best_welfare: v(N).
        epsilon: least core violation within the rules (0 when some plan is in the core).
        built_projects: projects the plan builds.
        details: {"benefit_<party>": present value of the benefits the plan realises}.
    """

    payments: Mapping[str, Mapping[str, float]]
    fairness: Mapping[str, FairnessReport]
    shares: pd.DataFrame
    build: pd.DataFrame
    cash_flows: pd.DataFrame
    npv: Mapping[str, float]
    welfare: float
    best_welfare: float
    built_projects: tuple[str, ...]
    details: Mapping[str, float] = field(default_factory=dict)

    @property
    def active_components(self) -> tuple[str, ...]:
        """The built projects (the joint-park result's name for what is built)."""
        return self.built_projects


def plan_npv(case: InfrastructureCase, build: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t], recomputed from the arrays."""
    return build @ case.benefit_pv() - (shares @ case.discount).sum(axis=1)


def shares_frame(case: InfrastructureCase, shares: np.ndarray) -> pd.DataFrame:
    """c[i, p, t] as rows (party, project, year, amount), zero amounts left out."""
    i, p, t = np.nonzero(shares > 1e-9 * max(1.0, float(np.abs(shares).max(initial=0.0))))
    return pd.DataFrame(
        {
            "party": [case.parties[k] for k in i],
            "project": [case.projects[k] for k in p],
            "year": case.years[t].astype(int),
            "amount": shares[i, p, t],
        },
        columns=["party", "project", "year", "amount"],
    )


def shares_from_frame(case: InfrastructureCase, frame: pd.DataFrame) -> np.ndarray:
    """A shares DataFrame (party, project, year, amount) as the array c[i, p, t]."""
    shares = np.zeros((case.n, len(case.projects), len(case.years)))
    year_index = {int(y): t for t, y in enumerate(case.years)}
    for row in frame.itertuples(index=False):
        shares[
            case.party_index(row.party), case.project_index(row.project), year_index[int(row.year)]
        ] += float(row.amount)
    return shares


def build_frame(case: InfrastructureCase, build: np.ndarray) -> pd.DataFrame:
    """Per project: built, hosts, and present values (capex, subsidy, O&M, funded cost, benefit)."""
    d = case.discount
    benefit = case.benefit_pv().sum(axis=1)
    return pd.DataFrame(
        {
            "project": list(case.projects),
            "name": list(case.project_names),
            "built": build,
            "hosts": ["+".join(case.parties[i] for i in sorted(h)) for h in case.hosts],
            "capex_pv": case.capex @ d,
            "subsidy_pv": case.subsidy_share * (case.capex @ d),
            "om_pv": case.om @ d,
            "funded_cost_pv": case.cost_pv(),
            "benefit_pv": benefit,
            "net_pv": benefit - case.cost_pv(),
        }
    )


def cash_flow_frame(
    case: InfrastructureCase, build: np.ndarray, shares: np.ndarray
) -> pd.DataFrame:
    """(party, year, benefit, payment, net, discount_factor, discounted_net) of a plan."""
    benefit = np.einsum("p,pit->it", build, case.benefit)
    payment = shares.sum(axis=1)
    records = []
    d = case.discount
    for i, party in enumerate(case.parties):
        for t, year in enumerate(case.years):
            net = benefit[i, t] - payment[i, t]
            records.append(
                {
                    "party": party,
                    "year": int(year),
                    "benefit": float(benefit[i, t]),
                    "payment": float(payment[i, t]),
                    "net": float(net),
                    "discount_factor": float(d[t]),
                    "discounted_net": float(net * d[t]),
                }
            )
    return pd.DataFrame.from_records(records)


def target_npv(allocations: Mapping[str, Allocation], target: str) -> np.ndarray:
    """The target's NPVs from the side-by-side allocations (``proportional:<a>`` included)."""
    key = target.partition(":")[0]
    if key not in allocations:
        raise CaseError(f"the target {target!r} is not available for this case")
    return np.asarray(allocations[key].shares)


def solve_case(
    case: InfrastructureCase,
    target: str | None = None,
    core: CoreMode | None = None,
    distance: DistanceKind | None = None,
    game: Game | None = None,
    **engine: object,
) -> InfrastructureResult:
    """Solve an infrastructure case: v(S), every rule side by side, and the fairest plan.

    ``target``, ``core`` and ``distance`` default to the case sheet (shapley, soft, l1);
    ``game`` reuses coalition values already computed; ``engine`` options (workers, cache,
    scheduler, progress) go to the coalition engine. Raises :class:`InfeasibleError` when no
    plan meets the requirements.
    """
    target = target or case.target
    core = core or case.core
    distance = distance or case.distance
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if game is None:
        game = build_coalition_game(case, **engine)
    timings["coalition_values"] = time.perf_counter() - started
    started = time.perf_counter()
    build, best = welfare_plan(case)
    warnings = list(case.warnings)
    if abs(best - game.grand_value) > 1e-6 * max(1.0, abs(best)):
        warnings.append(
            f"v(N) = {game.grand_value:,.2f} but the best plan's welfare is {best:,.2f}; "
            "plan NPVs add up to the latter"
        )
    allocations, payments, failures = side_by_side(case, game, build, target)
    warnings += failures
    goal = target_npv(allocations, target)
    timings["allocations"] = time.perf_counter() - started
    outcome = solve_plan(case, game, goal, core, distance, welfare_optimum=(build, best))
    timings["plan"] = outcome.runtime
    npv = plan_npv(case, outcome.build, outcome.shares)
    residual = npv - goal
    dist = float(np.abs(residual).sum() if distance == "l1" else np.abs(residual).max())
    worst, excess = worst_blocking(game, npv)
    tol = plan_tolerance(game) * 1e3
    if core != "off" and outcome.epsilon > tol:
        warnings.append(
            f"no plan within the rules is in the core: some coalition gains up to "
            f"{outcome.epsilon:,.4g} {case.unit} by leaving (worst: {worst})"
        )
    reference = {k: allocations[k] for k in ("shapley", "nucleolus") if k in allocations}
    fairness = {
        method: check_allocation(game, allocation, reference=reference)
        for method, allocation in allocations.items()
    }
    fairness["plan"] = check_allocation(game, npv, reference=reference)
    benefits_realised = outcome.build @ case.benefit_pv()
    return InfrastructureResult(
        case_name=case.name,
        unit=case.unit,
        players=case.parties,
        names=case.party_names,
        game=game,
        coalition_values={game.label(m): float(game.values[m]) for m in range(1, 1 << case.n)},
        allocations=allocations,
        payments={
            k: dict(zip(case.parties, map(float, v), strict=True)) for k, v in payments.items()
        },
        fairness=fairness,
        target=target,
        core=core,
        distance_kind=distance,
        target_shares=dict(zip(case.parties, map(float, goal), strict=True)),
        shares=shares_frame(case, outcome.shares),
        build=build_frame(case, outcome.build),
        cash_flows=cash_flow_frame(case, outcome.build, outcome.shares),
        npv=dict(zip(case.parties, map(float, npv), strict=True)),
        distance=dist,
        residual=dict(zip(case.parties, map(float, residual), strict=True)),
        welfare=float(npv.sum()),
        best_welfare=float(outcome.welfare),
        epsilon=float(outcome.epsilon),
        worst_coalition=worst,
        worst_excess=excess,
        in_core=bool(excess <= tol),
        individually_rational={
            p: bool(npv[i] >= game.standalone_values[i] - tol) for i, p in enumerate(case.parties)
        },
        built_projects=tuple(
            p for p, y in zip(case.projects, outcome.build, strict=True) if y > 1e-9
        ),
        warnings=tuple(warnings),
        timings=timings,
        details={
            "benefit_" + p: float(b) for p, b in zip(case.parties, benefits_realised, strict=True)
        },
    )


# -- checking a proposal ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalCheck:
    """A proposal's cost shares judged (``fairpool check``); names as the joint-park check.

    Attributes:
        shares: the proposal as cost shares (party, project, year, amount) of the built projects.
        built_projects: the projects the proposal builds.
        npv: {party: NPV under the proposal}; cash_flows as in the result.
        individually_rational: {party: NPV ≥ v({party})}.
        in_core, worst_coalition, worst_excess: the coalition most tempted to leave.
        distances: {method: Σ_p |npv_p − x_p|} to shapley and nucleolus (L1).
        rule_violations: budgets, dependencies, exclusions the proposal breaks.
        welfare_loss: v(N) − Σ npv (what the proposal's build plan gives up).
        verdict: plain-language lines; fair: IR, in the core and within the rules.
    """

    shares: pd.DataFrame
    built_projects: tuple[str, ...]
    npv: Mapping[str, float]
    cash_flows: pd.DataFrame
    individually_rational: Mapping[str, bool]
    in_core: bool
    worst_coalition: str
    worst_excess: float
    distances: Mapping[str, float]
    rule_violations: tuple[str, ...]
    welfare_loss: float
    verdict: tuple[str, ...]
    fair: bool
    allocation: Allocation
    game: Game

    @property
    def ratios(self) -> pd.DataFrame:
        """The proposal table (the joint-park check's name for it)."""
        return self.shares


def proposal_plan(
    case: InfrastructureCase, proposal: ProposalShares, welfare_build: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(build y, cost shares c[i, p, t]) of a proposal: named projects (and, with ``*`` rows,
    the welfare plan's) are built and each party pays its share of F[p, t] every year."""
    build = proposal.named.astype(float)
    if proposal.default is not None:
        build = np.maximum(build, (welfare_build > 1e-9).astype(float))
    shares = proposal.shares[:, :, None] * (build[:, None] * case.funded_cost)[None, :, :]
    return build, shares


def plan_violations(case: InfrastructureCase, build: np.ndarray, shares: np.ndarray) -> list[str]:
    """Budgets, dependencies and exclusions a plan breaks (years and projects named)."""
    problems = []
    for p in np.flatnonzero(build > 1e-9):
        for q in case.depends_on[p]:
            if build[q] < build[p] - 1e-9:
                problems.append(
                    f"builds {case.projects[p]} without {case.projects[q]}, which it needs"
                )
        for q in case.excludes[p]:
            if q > p and build[q] > 1e-9 and build[p] + build[q] > 1 + 1e-9:
                problems.append(
                    f"builds both {case.projects[p]} and {case.projects[q]}, "
                    "which exclude each other"
                )
    spent = shares.sum(axis=1)
    over = spent > case.budget + 1e-7 * np.maximum(
        1.0, np.where(np.isfinite(case.budget), case.budget, 1.0)
    )
    for i in range(case.n):
        years = case.years[over[i]]
        if years.size:
            shown = ", ".join(str(y) for y in years[:5])
            problems.append(f"puts {case.parties[i]} over its budget (sheet budgets) in {shown}")
    return problems


def check_proposal(
    case: InfrastructureCase, proposal: ProposalShares | None = None, game: Game | None = None
) -> ProposalCheck:
    """Judge a proposal: NPVs, individual rationality, core, distances, budgets, links.

    ``proposal`` defaults to the case's ``proposal`` sheet; ``game`` reuses coalition values.
    """
    proposal = proposal or case.proposal
    if proposal is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet proposal "
            "(party, project, share)"
        )
    game = game if game is not None else build_coalition_game(case)
    welfare_build, best = welfare_plan(case)
    build, shares = proposal_plan(case, proposal, welfare_build)
    npv = plan_npv(case, build, shares)
    tol = plan_tolerance(game) * 1e3
    rational = {
        p: bool(npv[i] >= game.standalone_values[i] - tol) for i, p in enumerate(case.parties)
    }
    worst, excess = worst_blocking(game, npv)
    allocations, _, _ = side_by_side(case, game, welfare_build, "shapley")
    distances = {
        k: float(np.abs(npv - allocations[k].shares).sum())
        for k in ("shapley", "nucleolus")
        if k in allocations
    }
    violations = plan_violations(case, build, shares)
    loss = float(best - npv.sum())
    names = dict(zip(case.parties, case.party_names, strict=True))
    unit = case.unit
    verdict = proposal_verdict(game, names, unit, npv, rational, (worst, excess), tol)
    if loss > tol:
        verdict.append(f"Its build plan gives up {loss:,.1f} {unit} of the best total welfare.")
    for key, value in distances.items():
        verdict.append(f"Distance to {key}: {value:,.1f} {unit} (sum over parties).")
    verdict += [f"The proposal {v}." for v in violations]
    return ProposalCheck(
        shares=shares_frame(case, shares),
        built_projects=tuple(p for p, y in zip(case.projects, build, strict=True) if y > 1e-9),
        npv=dict(zip(case.parties, map(float, npv), strict=True)),
        cash_flows=cash_flow_frame(case, build, shares),
        individually_rational=rational,
        in_core=bool(excess <= tol),
        worst_coalition=worst,
        worst_excess=excess,
        distances=distances,
        rule_violations=tuple(violations),
        welfare_loss=loss,
        verdict=tuple(verdict),
        fair=all(rational.values()) and excess <= tol and not violations,
        allocation=Allocation("proposal", game.players, npv),
        game=game,
    )


# -- sweeps and the core band -----------------------------------------------------------------


@dataclass(frozen=True)
class SweepLine:
    """Shares s[i, p] of each built project's cost as one party's share slides (ρ)."""

    party: int
    projects: tuple[int, ...]
    base: np.ndarray
    build: np.ndarray

    def shares(self, rho: float) -> np.ndarray:
        """s(ρ): the party pays ρ of each swept project; the others share 1 − ρ as in base."""
        shares = self.base.copy()
        n = shares.shape[0]
        for p in self.projects:
            rest = 1.0 - self.base[self.party, p]
            for i in range(n):
                if i == self.party:
                    shares[i, p] = rho
                elif rest > 1e-12:
                    shares[i, p] = self.base[i, p] / rest * (1.0 - rho)
                else:
                    shares[i, p] = (1.0 - rho) / (n - 1)
        return shares


def _sweep_setup(
    case: InfrastructureCase, party: str, project: str, base: ProposalShares | None
) -> tuple[Game, SweepLine]:
    check_sweep_party(case.parties, party)
    game = build_coalition_game(case)
    welfare_build, _ = welfare_plan(case)
    proposal = base or case.proposal
    if proposal is not None:
        build, _ = proposal_plan(case, proposal, welfare_build)
        shares = proposal.shares.copy()
    else:
        allocations, _, _ = side_by_side(case, game, welfare_build, case.target)
        outcome = solve_plan(
            case, game, target_npv(allocations, case.target), case.core, case.distance
        )
        build = outcome.build
        paid = outcome.shares @ case.discount
        cost = build * case.cost_pv()
        shares = np.divide(paid, cost, out=np.full(paid.shape, 1.0 / case.n), where=cost > 0)
    built = [p for p in range(len(case.projects)) if build[p] > 1e-9]
    if project in (ALL, "all"):
        swept = tuple(built)
    else:
        if project not in case.projects:
            raise CaseError(
                f"unknown project {project!r}; " + known_list("projects", case.projects)
            )
        if case.project_index(project) not in built:
            raise CaseError(
                f"project {project!r} is not built by the plan, so its shares do not matter"
            )
        swept = (case.project_index(project),)
    return game, SweepLine(case.party_index(party), swept, shares, build)


def sweep(
    case: InfrastructureCase,
    party: str,
    project: str,
    values: Sequence[float],
    base: ProposalShares | None = None,
) -> pd.DataFrame:
    """Each party's NPV and the core verdict as one party's cost share slides.

    ``party`` pays the share ρ of ``project`` (``*``: of every built project), every year; the
    others share 1 − ρ in their ``base`` proportions (base: the given proposal, else the
    proposal sheet, else the plan for the case's target). Columns: ``share``, ``npv_<party>``,
    ``in_core``, ``worst_coalition``, ``worst_excess``, ``within_budgets``.
    """
    game, line = _sweep_setup(case, party, project, base)
    tol = plan_tolerance(game) * 1e3
    records = []
    for rho in values:
        rho = float(rho)
        if not 0.0 <= rho <= 1.0:
            raise CaseError(f"sweep share {rho:g} is outside [0, 1]")
        s = line.shares(rho)
        shares = s[:, :, None] * (line.build[:, None] * case.funded_cost)[None]
        npv = plan_npv(case, line.build, shares)
        worst, excess = worst_blocking(game, npv)
        record: dict[str, object] = {"share": rho}
        record.update({f"npv_{p}": float(npv[i]) for i, p in enumerate(case.parties)})
        record.update(
            {
                "in_core": bool(excess <= tol),
                "worst_coalition": worst,
                "worst_excess": excess,
                "within_budgets": not any(
                    "budget" in v for v in plan_violations(case, line.build, shares)
                ),
            }
        )
        records.append(record)
    return pd.DataFrame.from_records(records)


def core_band(
    case: InfrastructureCase, party: str, project: str, base: ProposalShares | None = None
) -> tuple[float, float] | None:
    """The interval of shares ρ (as in :func:`sweep`) where no coalition blocks, exactly.

    The NPVs are affine in ρ, npv(ρ) = npv(0) + ρ · (npv(1) − npv(0)), so each coalition's
    excess is affine too and the band is the intersection of half-lines
    (:func:`models.planning.core_band_on_line`). ``None`` if no share puts the plan in the core.
    Budgets do not restrict the band (the sweep's ``within_budgets`` column shows them).
    """
    game, line = _sweep_setup(case, party, project, base)

    def npv_at(rho: float) -> np.ndarray:
        s = line.shares(rho)
        return plan_npv(
            case, line.build, s[:, :, None] * (line.build[:, None] * case.funded_cost)[None]
        )

    start = npv_at(0.0)
    return core_band_on_line(game, start, npv_at(1.0) - start)


# -- template ---------------------------------------------------------------------------------

TEMPLATE_SETTINGS: dict[str, object] = {
    "model": MODEL,
    "name": "示例跨界大桥 example bridge",
    "unit": "万元",
    "discount_rate": 0.04,
    "base_year": 2025,
    "target": "shapley",
    "core": "soft",
    "distance": "l1",
    "welfare_tolerance": 0.0,
    "individual_rationality": "hard",
}


def template_rows() -> dict[str, list[dict[str, object]]]:
    """Example rows of the template: a valid two-province bridge and a local ferry upgrade."""
    years = range(2029, 2049)
    return {
        "parties": [
            {"id": "AH", "name": "安徽 Anhui", "population": 6100.0},
            {"id": "JS", "name": "江苏 Jiangsu", "population": 8500.0},
        ],
        "projects": [
            {
                "project": "BRIDGE",
                "name": "跨界大桥 cross-border bridge",
                "hosts": "AH+JS",
                "life_years": 50,
                "subsidy_share": 0.2,
                "territorial": "0.55+0.45",
            },
            {
                "project": "FERRY",
                "name": "渡口改造 ferry upgrade",
                "hosts": "AH",
                "excludes": "BRIDGE",
                "life_years": 20,
            },
        ],
        "capex": [
            *({"project": "BRIDGE", "year": y, "amount": 40000.0} for y in (2026, 2027, 2028)),
            {"project": "FERRY", "year": 2026, "amount": 6000.0},
        ],
        "om": [{"project": "BRIDGE", "year": y, "amount": 600.0} for y in years],
        "benefits": [
            *({"project": "BRIDGE", "party": "AH", "year": y, "amount": 5200.0} for y in years),
            *({"project": "BRIDGE", "party": "JS", "year": y, "amount": 4300.0} for y in years),
            *(
                {"project": "FERRY", "party": "AH", "year": y, "amount": 900.0}
                for y in range(2027, 2047)
            ),
        ],
        "budgets": [
            *({"party": "AH", "year": y, "amount": 30000.0} for y in (2026, 2027, 2028)),
            *({"party": "JS", "year": y, "amount": 30000.0} for y in (2026, 2027, 2028)),
        ],
        "proposal": [
            {"party": "AH", "project": "*", "share": 0.5},
            {"party": "JS", "project": "*", "share": 0.5},
        ],
        "coalitions": [],
    }


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write the infrastructure case template: every SPEC §3 sheet, instructions, examples.

    The example rows form a valid small case, so ``fairpool solve`` runs on the template as is.
    """
    return _write_case_workbook(path, SCHEMA, TEMPLATE_SETTINGS, template_rows())


def write_case(
    path: str | os.PathLike[str],
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
) -> Path:
    """Write an infrastructure case workbook from settings and rows (shipped cases use this)."""
    return _write_case_workbook(path, SCHEMA, {"model": MODEL, **settings}, rows)


__all__ = [
    "InfrastructureCase",
    "InfrastructureCoalitionModel",
    "InfrastructureEvaluator",
    "InfrastructureResult",
    "ProposalCheck",
    "ProposalShares",
    "build_coalition_game",
    "build_coalition_model",
    "build_plan_model",
    "case_from_rows",
    "check_proposal",
    "coalition_model",
    "coalition_table",
    "core_band",
    "dual_allocation",
    "read_case",
    "solve_case",
    "sweep",
    "write_case",
    "write_template",
]
