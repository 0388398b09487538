"""A proposal of cost shares read (a ``proposal`` sheet of any file, a CSV, or rows from
``check --share``), judged, and one party's share slid with its exact core band and the part
of it within the budgets.

A proposal names, per party and project, the share of the project's funded cost F[p, t]
the party pays every year (``*`` rows: every project of the welfare plan). Its NPVs are
npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t s[i, p] F[p, t] y_p, affine in the shares, so the
core band of a share slid along a line is exact
(:func:`fairpool.models.planning.core_band_on_line`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fairpool.models.family import (
    ALL,
    ProposalAmounts,
    ProposalCheck,
    SweepBaseline,
    SweepLine,
    SweepResult,
)
from fairpool.models.fixing import with_fix
from fairpool.models.infrastructure.allocations import may_pay, side_by_side, target_npv
from fairpool.models.infrastructure.case import (
    InfrastructureCase,
    ProposalShares,
    read_proposal_shares,
)
from fairpool.models.infrastructure.coalitions import coalition_game
from fairpool.models.infrastructure.fix import fix_proposal
from fairpool.models.infrastructure.plan import (
    built_projects,
    cash_flow_frame,
    plan_npv,
    shares_frame,
    shares_from_frame,
    solve_plan,
    welfare_plan,
)
from fairpool.models.infrastructure.schema import INFRASTRUCTURE
from fairpool.models.planning import core_band_on_line
from fairpool.models.proposal_input import proposal_table, proposal_tables, rows_tables
from fairpool.models.results import PlanResult, ProposalSimplicity
from fairpool.models.simplicity import outside_payments, share_counts, tolerance_of
from fairpool.models.sweeps import band_cuts, baseline_value, sweep_line, sweep_values
from fairpool.models.verdicts import case_result, core_tolerance, judge_proposal, sweep_row
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_unknown_ids,
    known_list,
)
from fairpool.optimizer.workbook.reader import CaseTables

# -- proposals read: the proposal sheet of any file, or rows from the command line ------------

PROPOSAL_COLUMNS = "party, project, share"


def read_proposal(path: str | os.PathLike[str], case: InfrastructureCase) -> ProposalShares:
    """The proposal in the file at ``path``, for ``check``: the ``proposal`` sheet of a
    workbook (it need hold no other sheet; a whole case's workbook works too) or a CSV file
    with its columns (:func:`fairpool.models.proposal_input.proposal_tables`).

    Read as the case's own sheet is (:func:`~fairpool.models.infrastructure.case.
    read_proposal_shares`): a project's shares add up to 1, ``*`` rows give the shares of
    every project the welfare plan builds; parties by id or display name. Raises one
    :class:`CaseError` naming the file, row and column of every problem, or the file when it
    holds no proposal.
    """
    return proposal_from_tables(case, proposal_tables(path, INFRASTRUCTURE), None)


def proposal_from_rows(
    case: InfrastructureCase,
    rows: Sequence[Mapping[str, object]],
    source: str,
    base: ProposalShares | None = None,
) -> ProposalShares:
    """A proposal from ``proposal`` sheet rows (party, project, share), e.g. those of ``check
    --share``; ``source`` names them in messages.

    Rows with a ``*`` project read exactly as the same rows in a sheet. Rows that name only
    some projects (``--project BRIDGE``) set those projects' shares, every party not named
    paying 0 of them, and the rest keeps ``base`` (default: the case's proposal sheet; none:
    the rows alone, which build only the projects they name, as in a sheet).
    """
    tables = rows_tables(INFRASTRUCTURE, rows, source)
    return proposal_from_tables(case, tables, base if base is not None else case.proposal)


def proposal_from_tables(
    case: InfrastructureCase, tables: CaseTables, base: ProposalShares | None
) -> ProposalShares:
    """The :class:`ProposalShares` of typed ``proposal`` tables, checked against ``case``:
    parties by id or name (:func:`fairpool.models.proposal_input.proposal_table`), known
    projects (``*``: every one), then the case sheet's own reading
    (:func:`~fairpool.models.infrastructure.case.read_proposal_shares`). With ``base`` and
    no ``*`` row, the projects the rows name replace the base's and the others keep it."""
    checks = CaseChecks(tables)
    table = proposal_table(checks, case, PROPOSAL_COLUMNS)
    check_unknown_ids(
        checks, table, "proposal", "project", case.projects, "projects", allow_all=True
    )
    checks.raise_if_any()
    proposal = read_proposal_shares(
        checks,
        table,
        {p: i for i, p in enumerate(case.parties)},
        {p: k for k, p in enumerate(case.projects)},
    )
    checks.raise_if_any()
    if base is None or proposal.default is not None:
        return proposal
    shares, named = base.shares.copy(), base.named.copy()
    shares[:, proposal.named] = proposal.shares[:, proposal.named]
    named |= proposal.named
    return ProposalShares(shares, named, base.default)


def proposal_plan(
    case: InfrastructureCase, proposal: ProposalShares, welfare_build: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(build y, cost shares c[i, p, t]) of a proposal: named projects (and, with ``*`` rows,
    the welfare plan's) are built and each party pays its share of F[p, t] every year."""
    build = proposal.named.astype(float)
    if proposal.default is not None:
        build = np.maximum(build, (welfare_build > 1e-9).astype(float))
    return build, cost_shares(case, proposal.shares, build)


def cost_shares(case: InfrastructureCase, shares: np.ndarray, build: np.ndarray) -> np.ndarray:
    """c[i, p, t] = s[i, p] · y_p · F[p, t]: each party's yearly payment for each project."""
    return shares[:, :, None] * (build[:, None] * case.funded_cost)[None, :, :]


BUDGET_TOLERANCE = 1e-7
"""How far a payment may pass a budget and still keep it, relative to the case's largest
budget or yearly cost (:func:`budget_overruns`): the same in 元 as in 亿元."""


def budget_overruns(case: InfrastructureCase, shares: np.ndarray) -> np.ndarray:
    """over[i, t]: party i pays more than its budget β[i, t] in year t, beyond
    :data:`BUDGET_TOLERANCE` times the largest finite budget or funded yearly cost."""
    spent = shares.sum(axis=1)
    finite = np.abs(case.budget[np.isfinite(case.budget)])
    scale = max(float(finite.max(initial=0.0)), float(np.abs(case.funded_cost).max(initial=0.0)))
    return spent > case.budget + BUDGET_TOLERANCE * scale


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
    return problems + budget_violations(case, shares)


def budget_violations(case: InfrastructureCase, shares: np.ndarray) -> list[str]:
    """The budgets a plan's payments c[i, p, t] break, one line per party (years named)."""
    problems = []
    over = budget_overruns(case, shares)
    for i in range(case.n):
        years = case.years[over[i]]
        if years.size:
            shown = ", ".join(str(y) for y in years[:5])
            problems.append(f"puts {case.parties[i]} over its budget (sheet budgets) in {shown}")
    return problems


def given_proposal(case: InfrastructureCase, proposal: ProposalShares | None) -> ProposalShares:
    """``proposal``, or the case's ``proposal`` sheet when it is ``None`` (a CaseError saying
    what to add when the case has none)."""
    given = proposal or case.proposal
    if given is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet proposal "
            "(party, project, share)"
        )
    return given


def check(case: InfrastructureCase, proposal: ProposalShares | None = None) -> ProposalCheck:
    """Judge a proposal: NPVs, individual rationality, core, distances, budgets, links.

    ``proposal`` defaults to the case's ``proposal`` sheet. The coalition game is computed
    once; the verdict is :func:`fairpool.models.verdicts.judge_proposal`'s, with a line on
    the welfare the proposal's build plan gives up (beyond the core tolerance) and the rules
    it breaks. Facts: ``welfare_loss`` (v(N) − Σ npv) and ``built_projects``. Each party's
    position, the blocking coalitions and the smallest fix of the shares:
    :func:`fairpool.models.infrastructure.fix.fix_proposal`.
    """
    proposal = given_proposal(case, proposal)
    game = coalition_game(case)
    welfare_build, best = welfare_plan(case)
    build, shares = proposal_plan(case, proposal, welfare_build)
    npv = plan_npv(case, build, shares)
    loss = float(best - npv.sum())
    notes = []
    if loss > core_tolerance(game):
        notes.append(f"Its build plan gives up {loss:,.1f} {case.unit} of the best total welfare.")
    judged = judge_proposal(
        case,
        game,
        npv,
        "shares",
        shares_frame(case, shares),
        cash_flow_frame(case, build, shares),
        rule_violations=plan_violations(case, build, shares),
        notes=notes,
        facts=(
            ("welfare_loss", loss),
            ("built_projects", "+".join(built_projects(case, build))),
        ),
    )
    judged = dataclasses.replace(judged, simplicity=share_simplicity(case, proposal.shares, build))
    return with_fix(judged, fix_proposal(case, game, build, proposal.shares, judged))


def share_simplicity(
    case: InfrastructureCase, shares: np.ndarray, build: np.ndarray
) -> ProposalSimplicity:
    """How simple cost shares s[i, p] of the built projects (``build`` y_p > 0) are to sign
    (:mod:`fairpool.models.simplicity`): their distinct values and grid, and the payments
    toward projects a party neither hosts nor benefits from
    (:func:`~fairpool.models.infrastructure.allocations.may_pay`, what ``transfers = none``
    forbids), counted by party × project and summed in present value (Σ_t d_t c[i, p, t])."""
    built = build > 1e-9
    paid = cost_shares(case, shares, build) @ case.discount
    outside = outside_payments(paid[:, built], may_pay(case).T[:, built])
    return share_counts(shares[:, built], outside)


def plan_simplicity(case: InfrastructureCase, result: PlanResult) -> ProposalSimplicity:
    """:func:`share_simplicity` of a solved plan: each party's share of each project it pays
    toward is its present-value payment over the project's (``result.plan_table``, side
    payments included), so that a plan and a proposal are told in the same words."""
    paid = shares_from_frame(case, result.plan_table) @ case.discount
    total = paid.sum(axis=0)
    build = (total > tolerance_of(total, None)).astype(float)
    shares = np.divide(paid, total, out=np.zeros_like(paid), where=build > 0)
    return share_simplicity(case, shares, build)


def proposal_amounts(
    case: InfrastructureCase, proposal: ProposalShares | None, grand_value: float
) -> ProposalAmounts:
    """What proposed shares give each party (NPVs of the welfare plan's projects with the
    proposal's cost shares) and the rules they break, without the coalition game: for a check
    by constraint generation (:mod:`fairpool.models.large`). ``grand_value`` is v(N), the
    best welfare, against which the welfare the proposal's build plan gives up is told."""
    proposal = given_proposal(case, proposal)
    welfare_build, _ = welfare_plan(case)
    build, shares = proposal_plan(case, proposal, welfare_build)
    npv = plan_npv(case, build, shares)
    loss = float(grand_value - npv.sum())
    notes: tuple[str, ...] = ()
    if loss > 1e-6 * max(abs(grand_value), float(np.abs(npv).max(initial=0.0))):
        notes = (f"Its build plan gives up {loss:,.1f} {case.unit} of the best total welfare.",)
    violations = tuple(plan_violations(case, build, shares))
    simplicity = share_simplicity(case, proposal.shares, build)
    table = shares_frame(case, shares)
    return ProposalAmounts(npv, "shares", table, violations, notes, simplicity)


# -- sweeps and the core band -----------------------------------------------------------------


@dataclass(frozen=True)
class ShareSlide:
    """Shares s[i, p] of each built project's cost as one party's share slides (ρ).

    ``party`` pays ρ of each project in ``projects``; the other parties share 1 − ρ in their
    ``base`` proportions (equally when they paid nothing) or, with ``against``, that one
    party alone pays the difference, s[against] = base[party] + base[against] − ρ, the
    others keeping theirs; ``build`` is the build plan. Every share is affine in ρ.
    """

    party: int
    projects: tuple[int, ...]
    base: np.ndarray
    build: np.ndarray
    against: int | None = None

    def shares(self, rho: float) -> np.ndarray:
        """s(ρ): the party pays ρ of each swept project; the others as the slide says."""
        shares = self.base.copy()
        n = shares.shape[0]
        for p in self.projects:
            own = self.base[self.party, p]
            shares[self.party, p] = rho
            if self.against is not None:
                shares[self.against, p] = self.base[self.against, p] + own - rho
                continue
            rest = 1.0 - own
            for i in range(n):
                if i == self.party:
                    continue
                if rest > 1e-12:
                    shares[i, p] = self.base[i, p] / rest * (1.0 - rho)
                else:
                    shares[i, p] = (1.0 - rho) / (n - 1)
        return shares

    @property
    def highest(self) -> float:
        """The largest ρ the slide allows: 1, or with ``against`` what the party and its
        counterparty pay together of the swept projects (the counterparty pays ≥ 0)."""
        if self.against is None or not self.projects:
            return 1.0
        together = (
            self.base[self.party, list(self.projects)]
            + self.base[self.against, list(self.projects)]
        )
        return float(min(1.0, together.min()))

    def cost_shares(self, case: InfrastructureCase, rho: float) -> np.ndarray:
        """c[i, p, t] at ρ (:func:`cost_shares`)."""
        return cost_shares(case, self.shares(rho), self.build)

    def npv(self, case: InfrastructureCase, rho: float) -> np.ndarray:
        """Each party's NPV at ρ (affine in ρ)."""
        return plan_npv(case, self.build, self.cost_shares(case, rho))


def sweep_setup(
    case: InfrastructureCase, line: SweepLine
) -> tuple[Game, ShareSlide, SweepBaseline]:
    """The coalition game, the slide of ``line`` (party, project or ``*``, counterparty; ids)
    and where its baseline comes from.

    The base shares: the case's proposal sheet (``proposal``), else the plan for the case's
    target and ``transfers`` (``plan``: each party's present-value share of each built
    project's cost, side payments included). ``*``
    slides every built project; a named project must be one the base builds.
    """
    game = coalition_game(case)
    welfare_build, best = welfare_plan(case)
    baseline: SweepBaseline
    if case.proposal is not None:
        build, _ = proposal_plan(case, case.proposal, welfare_build)
        shares, baseline = case.proposal.shares.copy(), "proposal"
    else:
        rules = side_by_side(case, game, welfare_build, case.target)
        outcome = solve_plan(
            case,
            game,
            target_npv(rules.allocations, case.target),
            case.core,
            case.distance,
            welfare_optimum=(welfare_build, best),
            transfers=case.plan_settings().transfers,
        )
        build, baseline = outcome.build, "plan"
        paid = outcome.shares @ case.discount
        cost = build * case.cost_pv()
        shares = np.divide(paid, cost, out=np.full(paid.shape, 1.0 / case.n), where=cost > 0)
    swept = swept_projects(case, line, build)
    against = None if line.against is None else case.party_index(line.against)
    slide = ShareSlide(case.party_index(line.party), swept, shares, build, against)
    return game, slide, baseline


def budget_band(case: InfrastructureCase, slide: ShareSlide) -> tuple[float, float] | None:
    """The interval of ρ ∈ [0, highest] where no party's payments pass a budget, exactly:
    each party's yearly payment is affine in ρ, so every finite budget β[i, t] gives one
    half-line (with :func:`budget_overruns`'s tolerance). ``None`` if no ρ keeps them all."""
    at_zero = slide.cost_shares(case, 0.0).sum(axis=1)
    change = slide.cost_shares(case, 1.0).sum(axis=1) - at_zero
    finite = np.isfinite(case.budget)
    limits = np.abs(case.budget[finite])
    scale = max(float(limits.max(initial=0.0)), float(np.abs(case.funded_cost).max(initial=0.0)))
    room = np.where(finite, case.budget + BUDGET_TOLERANCE * scale, np.inf) - at_zero
    low, high = 0.0, slide.highest
    if (room[finite & (np.abs(change) <= 1e-15)] < 0).any():
        return None
    rising, falling = finite & (change > 1e-15), finite & (change < -1e-15)
    if rising.any():
        high = min(high, float((room[rising] / change[rising]).min()))
    if falling.any():
        low = max(low, float((room[falling] / change[falling]).max()))
    return (low, high) if low <= high else None


def sweep(case: InfrastructureCase, line: SweepLine, values: Sequence[float]) -> SweepResult:
    """Each party's NPV and the core verdict as one party's cost share slides, the exact band
    of shares where no coalition blocks, and the part of it within the budgets, from one
    setup (:func:`sweep_setup`).

    ``line.party`` (id or display name) pays the share ρ of ``line.project`` (``*``: of every
    built project), every year; the others share 1 − ρ in their base proportions, or
    ``line.against`` alone pays the difference (values beyond what the two pay together are
    left out). Table columns: ``share``, ``npv_<party>``, ``in_core``, ``worst_coalition``,
    ``worst_excess``, ``within_budgets``. The core band: the NPVs are affine in ρ, npv(ρ) =
    npv(0) + ρ · (npv(1) − npv(0)), so each coalition's excess is too and the band is the
    intersection of half-lines; the budgets cut it by :func:`budget_band`, and the rules
    that cut it are named by :func:`fairpool.models.sweeps.band_cuts` with ``check``'s words
    (:func:`plan_violations`).
    """
    line = sweep_line(case, line)
    for value in values:
        if not 0.0 <= float(value) <= 1.0:
            raise CaseError(f"sweep share {float(value):g} is outside [0, 1]")
    game, slide, baseline = sweep_setup(case, line)
    kept = sweep_values(values, slide.highest, "share", case, line)
    rows = []
    for rho in kept:
        paid = slide.cost_shares(case, rho)
        npv = plan_npv(case, slide.build, paid)
        within = not budget_overruns(case, paid).any()
        rows.append(sweep_row(game, "share", rho, npv, within_budgets=within))
    start = slide.npv(case, 0.0)
    band = core_band_on_line(game, start, slide.npv(case, 1.0) - start, 0.0, slide.highest)
    budgets = budget_band(case, slide)
    within_band, cuts = band_cuts(
        band,
        None
        if band is None or budgets is None
        else (max(band[0], budgets[0]), min(band[1], budgets[1])),
        lambda rho: plan_violations(case, slide.build, slide.cost_shares(case, rho)),
    )
    return SweepResult(
        **case_result(case, game),
        line=line,
        value_column="share",
        table=pd.DataFrame.from_records(rows),
        core_band=band,
        band_within_rules=within_band,
        cuts=cuts,
        baseline=baseline,
        target=case.target,
        baseline_value=baseline_value(slide.base[slide.party, list(slide.projects)]),
        value_range=(0.0, slide.highest),
        rules_flag="within_budgets",
        line_fields=("project",),
    )


def swept_projects(case: InfrastructureCase, line: SweepLine, build: np.ndarray) -> tuple[int, ...]:
    """The projects ``line`` slides: every built one for ``*``, else the one it names, which
    must be a project the plan ``build`` builds (a :class:`CaseError` saying so otherwise)."""
    built = [p for p in range(len(case.projects)) if build[p] > 1e-9]
    if line.project in (ALL, "all"):
        return tuple(built)
    if line.project not in case.projects:
        raise CaseError(
            f"unknown project {line.project!r}; " + known_list("projects", case.projects)
        )
    if case.project_index(line.project) not in built:
        raise CaseError(
            f"project {line.project!r} is not built by the plan, so its shares do not matter"
        )
    return (case.project_index(line.project),)


def proposal_slide(
    case: InfrastructureCase, line: SweepLine, proposal: ProposalShares
) -> ShareSlide:
    """The slide of ``line`` (party, project or ``*``, counterparty: ids) from the shares of
    ``proposal``, without the coalition game: the build plan is the proposal's
    (:func:`proposal_plan`, the welfare plan's projects for ``*`` rows, one MILP of the grand
    coalition), ``*`` slides every built project and a named project must be one it builds.
    What a sweep by constraint generation needs (:mod:`fairpool.models.large_sweep`); the
    same slide :func:`sweep_setup` builds from a proposal baseline."""
    welfare_build, _ = welfare_plan(case)
    build, _ = proposal_plan(case, proposal, welfare_build)
    swept = swept_projects(case, line, build)
    against = None if line.against is None else case.party_index(line.against)
    return ShareSlide(case.party_index(line.party), swept, proposal.shares.copy(), build, against)


__all__ = [
    "BUDGET_TOLERANCE",
    "PROPOSAL_COLUMNS",
    "ShareSlide",
    "budget_band",
    "budget_overruns",
    "budget_violations",
    "check",
    "cost_shares",
    "plan_simplicity",
    "plan_violations",
    "proposal_amounts",
    "proposal_from_rows",
    "proposal_from_tables",
    "proposal_plan",
    "proposal_slide",
    "read_proposal",
    "share_simplicity",
    "sweep",
    "sweep_setup",
    "swept_projects",
]
