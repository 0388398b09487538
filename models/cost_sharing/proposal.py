"""Cost shares read (a ``proposal`` sheet of any file, a CSV, or rows from ``check
--share``) and judged: a proposal checked against the cost game, and one party's share of
c(N) slid along a line, with the exact band of shares that no coalition blocks.

A proposal gives shares σ_i of the joint cost (Σ σ_i = 1); party i pays x_i = σ_i · c(N).
It is stable (in the core) when no coalition S pays more than it would alone:
x(S) ≤ c(S) for every S (:func:`fairpool.models.verdicts.plan_verdict`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.case import CostSharingCase, check_proposal_shares
from fairpool.models.cost_sharing.coalitions import coalition_game
from fairpool.models.cost_sharing.fix import fix_proposal
from fairpool.models.cost_sharing.plan import no_cash_flows, target_shares
from fairpool.models.cost_sharing.schema import COST_SHARING
from fairpool.models.cost_sharing.transfers import use_split
from fairpool.models.family import (
    ProposalAmounts,
    ProposalCheck,
    SweepBaseline,
    SweepLine,
    SweepResult,
)
from fairpool.models.fixing import with_fix
from fairpool.models.planning import core_band_on_line
from fairpool.models.proposal_input import proposal_table, proposal_tables, rows_tables
from fairpool.models.results import PlanResult, ProposalSimplicity
from fairpool.models.simplicity import least_outside_payments, share_counts
from fairpool.models.sweeps import sweep_line, sweep_values
from fairpool.models.verdicts import case_result, judge_proposal, sweep_row
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fairness import describe
from fairpool.optimizer.game import Game
from fairpool.optimizer.workbook.checks import CaseChecks
from fairpool.optimizer.workbook.reader import CaseTables

# -- proposals read: the proposal sheet of any file, or rows from the command line ------------

PROPOSAL_COLUMNS = "party, share"


def read_proposal(path: str | os.PathLike[str], case: CostSharingCase) -> np.ndarray:
    """The shares of c(N) proposed in the file at ``path``, in the order of ``case``'s
    parties, for ``check``: the ``proposal`` sheet of a workbook (it need hold no other sheet;
    a whole case's workbook works too) or a CSV file with its columns
    (:func:`fairpool.models.proposal_input.proposal_tables`).

    Read as the case's own sheet is: a party not named pays 0, one named twice pays the sum,
    the shares add up to 1; parties by id or display name. Raises one :class:`CaseError`
    naming the file, row and column of every problem, or the file when it holds no proposal.
    """
    return proposal_from_tables(case, proposal_tables(path, COST_SHARING))


def proposal_from_rows(
    case: CostSharingCase,
    rows: Sequence[Mapping[str, object]],
    source: str,
    base: np.ndarray | None = None,
) -> np.ndarray:
    """The shares of c(N) of ``proposal`` sheet rows (party, share), e.g. those of ``check
    --share``, read exactly as the same rows in a sheet; ``source`` names them in messages.
    The rows always give the whole proposal, so ``base`` is not used (the contract's
    signature is every family's)."""
    return proposal_from_tables(case, rows_tables(COST_SHARING, rows, source))


def proposal_from_tables(case: CostSharingCase, tables: CaseTables) -> np.ndarray:
    """σ[i] of typed ``proposal`` tables: parties by id or name
    (:func:`fairpool.models.proposal_input.proposal_table`), each party's shares summed,
    then the case sheet's own check that they add up to 1
    (:func:`~fairpool.models.cost_sharing.case.check_proposal_shares`)."""
    checks = CaseChecks(tables)
    table = proposal_table(checks, case, PROPOSAL_COLUMNS)
    checks.raise_if_any()  # the sum needs every party
    shares = np.zeros(case.n)
    for party, share in zip(table["party"], table["share"], strict=True):
        if party is not None and share is not None:
            shares[case.party_index(party)] += float(share)
    check_proposal_shares(checks, table, shares)
    checks.raise_if_any()
    return shares


def check(
    case: CostSharingCase, proposal: np.ndarray | None = None, *, game: Game | None = None
) -> ProposalCheck:
    """Judge proposed shares σ of c(N) (default: the case's proposal sheet) on the cost game
    (or ``game`` when the caller has it): cost shares x = σ · c(N), every rule beside them,
    the verdict, and the plain-language report of :func:`fairpool.optimizer.fairness.describe`;
    each party's position, the blocking coalitions and the smallest fix of the shares
    (:func:`fairpool.models.cost_sharing.fix.fix_proposal`).
    """
    shares = case.proposal if proposal is None else np.asarray(proposal, dtype=float)
    if shares is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet proposal "
            "(party, share)"
        )
    game = game if game is not None else coalition_game(case)
    amounts = shares * game.grand_value
    table = pd.DataFrame({"party": list(case.parties), "share": shares, "amount": amounts})
    judged = judge_proposal(case, game, amounts, "shares", table, no_cash_flows())
    report = judged.analysis.fairness["proposal"]
    judged = dataclasses.replace(
        judged, verdict=tuple(describe(report, game, case.unit).splitlines())
    )
    judged = dataclasses.replace(judged, simplicity=cost_share_simplicity(case, shares, amounts))
    return with_fix(judged, fix_proposal(game, shares, judged))


def cost_share_simplicity(
    case: CostSharingCase, shares: np.ndarray, amounts: np.ndarray
) -> ProposalSimplicity:
    """How simple shares σ of the whole cost (party i pays ``amounts[i]`` = σ_i · c(N)) are
    to sign (:mod:`fairpool.models.simplicity`): their distinct values and grid, and the
    payments that cannot follow use. The shares name no facility, so those are the least
    money that has to go toward what a party neither uses nor hosts (the grand coalition's
    system, :func:`~fairpool.models.cost_sharing.transfers.use_split`: each facility's fixed
    cost payable by its users and hosts, each connection by its own party;
    :func:`~fairpool.models.simplicity.least_outside_payments`), and the party × facility
    pairs that carry it; ``None`` for a case that lists its coalition costs (no facilities)."""
    split = use_split(case)
    if split is None:
        return share_counts(np.asarray(shares, dtype=float), None)
    costs = np.concatenate([split.fixed, split.own.sum(axis=1)])
    allowed = np.hstack([split.may_pay.T, np.eye(case.n, dtype=bool)])
    outside = least_outside_payments(np.asarray(amounts, dtype=float), costs, allowed)
    return share_counts(np.asarray(shares, dtype=float), outside)


def plan_simplicity(case: CostSharingCase, result: PlanResult) -> ProposalSimplicity:
    """:func:`cost_share_simplicity` of a solved plan's cost shares (σ = x / c(N)), so that
    a plan and a proposal are told in the same words."""
    amounts = np.array([result.amounts[p] for p in case.parties], dtype=float)
    return cost_share_simplicity(case, amounts / result.game.grand_value, amounts)


def proposal_amounts(
    case: CostSharingCase, proposal: np.ndarray | None, grand_value: float
) -> ProposalAmounts:
    """What proposed shares σ of c(N) charge each party, x = σ · c(N), without the cost
    game (``grand_value`` is c(N)): for a check by constraint generation
    (:mod:`fairpool.models.large`). ``proposal`` ``None``: the case's proposal sheet."""
    shares = case.proposal if proposal is None else np.asarray(proposal, dtype=float)
    if shares is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet proposal "
            "(party, share)"
        )
    amounts = shares * grand_value
    table = pd.DataFrame({"party": list(case.parties), "share": shares, "amount": amounts})
    simplicity = cost_share_simplicity(case, shares, amounts)
    return ProposalAmounts(amounts, "shares", table, simplicity=simplicity)


def baseline_shares(case: CostSharingCase, game: Game) -> tuple[np.ndarray, SweepBaseline]:
    """The shares σ of c(N) a sweep starts from, and which they are: the proposal sheet
    (``proposal``), else the target rule's shares (``plan``)."""
    if case.proposal is not None:
        return np.asarray(case.proposal, dtype=float), "proposal"
    return target_shares(game, case.target) / game.grand_value, "plan"


def share_line(
    case: CostSharingCase,
    game: Game,
    party: str,
    against: str | None = None,
    base: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(x(0), slope): the cost shares x(ρ) = x(0) + ρ · slope as ``party``'s share ρ of c(N)
    goes from 0 up from ``base`` (default: :func:`baseline_shares`), by
    :func:`share_fractions_line`'s rule, in money: x(ρ) = c(N) · σ(ρ). ``party`` and
    ``against`` are ids of the case's parties (:func:`sweep` checks them before computing
    c(S))."""
    shares = baseline_shares(case, game)[0] if base is None else base
    start, slope = share_fractions_line(case, shares, party, against)
    return start * game.grand_value, slope * game.grand_value


def sweep(
    case: CostSharingCase,
    line: SweepLine,
    values: Sequence[float],
    *,
    game: Game | None = None,
) -> SweepResult:
    """Cost shares and the core verdict as ``line.party``'s share ρ of the whole cost c(N)
    slides over ``values`` (each in [0, 1]; the line's stream, phase and project do not
    apply; parties by id or display name), and the exact band of ρ in the core
    (:func:`share_line`, :func:`fairpool.models.planning.core_band_on_line`), both from one
    cost game. The others share the rest in the baseline's proportions, or ``line.against``
    alone pays the difference (values beyond what the two pay together are left out). A
    cost-sharing case has no rules on the shares: the band within the rules is the core
    band."""
    for rho in values:
        if not 0.0 <= float(rho) <= 1.0:
            raise CaseError(f"sweep share {float(rho):g} is outside [0, 1]")
    line = sweep_line(case, line)
    game = game if game is not None else coalition_game(case)
    base, baseline = baseline_shares(case, game)
    k = case.party_index(line.party)
    highest = 1.0
    if line.against is not None:
        highest = float(min(1.0, base[k] + base[case.party_index(line.against)]))
    kept = sweep_values(values, highest, "share", case, line)
    start, slope = share_line(case, game, line.party, line.against, base)
    rows = [sweep_row(game, "share", rho, start + rho * slope) for rho in kept]
    band = core_band_on_line(game, start, slope, 0.0, highest)
    return SweepResult(
        **case_result(case, game),
        line=line,
        value_column="share",
        table=pd.DataFrame.from_records(rows),
        core_band=band,
        band_within_rules=band,
        baseline=baseline,
        target=case.target,
        baseline_value=float(base[k]),
        value_range=(0.0, highest),
    )


def share_fractions_line(
    case: CostSharingCase, base: np.ndarray, party: str, against: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(σ(0), dσ): the shares of c(N), σ(ρ) = σ(0) + ρ · dσ, as ``party``'s share ρ slides
    from ``base``: the others share the rest in ``base``'s proportions (equally if it gives
    them nothing), or with ``against`` that one party alone pays the difference,
    σ[against] = base[party] + base[against] − ρ, the others keeping theirs. In fractions of
    c(N), so without the cost game: what a sweep by constraint generation needs
    (:mod:`fairpool.models.large_sweep`); :func:`share_line` gives x(ρ) = c(N) · σ(ρ)."""
    shares = np.asarray(base, dtype=float)
    k = case.parties.index(party)
    if against is not None:
        q = case.parties.index(against)
        start = shares.copy()
        start[k], start[q] = 0.0, shares[k] + shares[q]
        slope = np.zeros(case.n)
        slope[k], slope[q] = 1.0, -1.0
        return start, slope
    others = shares.copy()
    others[k] = 0.0
    start = (
        others / others.sum()
        if others.sum() > 1e-12
        else np.where(np.arange(case.n) == k, 0.0, 1.0 / (case.n - 1))
    )
    end = np.zeros(case.n)
    end[k] = 1.0
    return start, end - start


__all__ = [
    "PROPOSAL_COLUMNS",
    "baseline_shares",
    "check",
    "cost_share_simplicity",
    "plan_simplicity",
    "proposal_amounts",
    "proposal_from_rows",
    "proposal_from_tables",
    "read_proposal",
    "share_fractions_line",
    "share_line",
    "sweep",
]
