"""A proposal of cost shares judged, and one party's share slid with its exact core band.

A proposal names, per party and project, the share of the project's funded cost F[p, t]
the party pays every year (``*`` rows: every project of the welfare plan). Its NPVs are
npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t s[i, p] F[p, t] y_p, affine in the shares, so the
core band of a share slid along a line is exact
(:func:`fairpool.models.planning.core_band_on_line`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fairpool.models.family import ALL, ProposalCheck, SweepLine, SweepResult
from fairpool.models.infrastructure.allocations import side_by_side, target_npv
from fairpool.models.infrastructure.case import InfrastructureCase, ProposalShares
from fairpool.models.infrastructure.coalitions import coalition_game
from fairpool.models.infrastructure.plan import (
    built_projects,
    cash_flow_frame,
    plan_npv,
    shares_frame,
    solve_plan,
    welfare_plan,
)
from fairpool.models.planning import core_band_on_line
from fairpool.models.verdicts import core_tolerance, judge_proposal, sweep_row
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.workbook.checks import check_sweep_party, known_list


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
    over = budget_overruns(case, shares)
    for i in range(case.n):
        years = case.years[over[i]]
        if years.size:
            shown = ", ".join(str(y) for y in years[:5])
            problems.append(f"puts {case.parties[i]} over its budget (sheet budgets) in {shown}")
    return problems


def check(case: InfrastructureCase, proposal: ProposalShares | None = None) -> ProposalCheck:
    """Judge a proposal: NPVs, individual rationality, core, distances, budgets, links.

    ``proposal`` defaults to the case's ``proposal`` sheet. The coalition game is computed
    once; the verdict is :func:`fairpool.models.verdicts.judge_proposal`'s, with a line on
    the welfare the proposal's build plan gives up (beyond the core tolerance) and the rules
    it breaks. Facts: ``welfare_loss`` (v(N) − Σ npv) and ``built_projects``.
    """
    proposal = proposal or case.proposal
    if proposal is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet proposal "
            "(party, project, share)"
        )
    game = coalition_game(case)
    welfare_build, best = welfare_plan(case)
    build, shares = proposal_plan(case, proposal, welfare_build)
    npv = plan_npv(case, build, shares)
    loss = float(best - npv.sum())
    notes = []
    if loss > core_tolerance(game):
        notes.append(f"Its build plan gives up {loss:,.1f} {case.unit} of the best total welfare.")
    return judge_proposal(
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


# -- sweeps and the core band -----------------------------------------------------------------


@dataclass(frozen=True)
class ShareSlide:
    """Shares s[i, p] of each built project's cost as one party's share slides (ρ).

    ``party`` pays ρ of each project in ``projects``; the other parties share 1 − ρ in their
    ``base`` proportions (equally when they paid nothing); ``build`` is the build plan.
    """

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

    def cost_shares(self, case: InfrastructureCase, rho: float) -> np.ndarray:
        """c[i, p, t] at ρ (:func:`cost_shares`)."""
        return cost_shares(case, self.shares(rho), self.build)

    def npv(self, case: InfrastructureCase, rho: float) -> np.ndarray:
        """Each party's NPV at ρ (affine in ρ)."""
        return plan_npv(case, self.build, self.cost_shares(case, rho))


def sweep_setup(case: InfrastructureCase, line: SweepLine) -> tuple[Game, ShareSlide]:
    """The coalition game and the slide of ``line`` (party, project or ``*``).

    The base shares: the case's proposal sheet, else the plan for the case's target (each
    party's present-value share of each built project's cost). ``*`` slides every built
    project; a named project must be one the base builds.
    """
    check_sweep_party(case.parties, line.party)
    game = coalition_game(case)
    welfare_build, best = welfare_plan(case)
    if case.proposal is not None:
        build, _ = proposal_plan(case, case.proposal, welfare_build)
        shares = case.proposal.shares.copy()
    else:
        rules = side_by_side(case, game, welfare_build, case.target)
        outcome = solve_plan(
            case,
            game,
            target_npv(rules.allocations, case.target),
            case.core,
            case.distance,
            welfare_optimum=(welfare_build, best),
        )
        build = outcome.build
        paid = outcome.shares @ case.discount
        cost = build * case.cost_pv()
        shares = np.divide(paid, cost, out=np.full(paid.shape, 1.0 / case.n), where=cost > 0)
    built = [p for p in range(len(case.projects)) if build[p] > 1e-9]
    if line.project in (ALL, "all"):
        swept = tuple(built)
    elif line.project not in case.projects:
        raise CaseError(
            f"unknown project {line.project!r}; " + known_list("projects", case.projects)
        )
    elif case.project_index(line.project) not in built:
        raise CaseError(
            f"project {line.project!r} is not built by the plan, so its shares do not matter"
        )
    else:
        swept = (case.project_index(line.project),)
    return game, ShareSlide(case.party_index(line.party), swept, shares, build)


def sweep(case: InfrastructureCase, line: SweepLine, values: Sequence[float]) -> SweepResult:
    """Each party's NPV and the core verdict as one party's cost share slides, and the exact
    band of shares where no coalition blocks, from one setup (:func:`sweep_setup`).

    ``line.party`` pays the share ρ of ``line.project`` (``*``: of every built project),
    every year; the others share 1 − ρ in their base proportions. Table columns: ``share``,
    ``npv_<party>``, ``in_core``, ``worst_coalition``, ``worst_excess``, ``within_budgets``.
    The band: the NPVs are affine in ρ, npv(ρ) = npv(0) + ρ · (npv(1) − npv(0)), so each
    coalition's excess is too and the band is the intersection of half-lines; budgets do not
    restrict it (the ``within_budgets`` column shows them).
    """
    check_sweep_party(case.parties, line.party)
    shares = [float(v) for v in values]
    for rho in shares:
        if not 0.0 <= rho <= 1.0:
            raise CaseError(f"sweep share {rho:g} is outside [0, 1]")
    game, slide = sweep_setup(case, line)
    rows = []
    for rho in shares:
        paid = slide.cost_shares(case, rho)
        npv = plan_npv(case, slide.build, paid)
        within = not budget_overruns(case, paid).any()
        rows.append(sweep_row(game, "share", rho, npv, within_budgets=within))
    start = slide.npv(case, 0.0)
    band = core_band_on_line(game, start, slide.npv(case, 1.0) - start)
    return SweepResult(
        line=line, value_column="share", table=pd.DataFrame.from_records(rows), core_band=band
    )


__all__ = [
    "BUDGET_TOLERANCE",
    "ShareSlide",
    "budget_overruns",
    "check",
    "cost_shares",
    "plan_violations",
    "proposal_plan",
    "sweep",
    "sweep_setup",
]
