"""Cost shares judged: a proposal checked against the cost game, and one party's share of
c(N) slid along a line, with the exact band of shares that no coalition blocks.

A proposal gives shares σ_i of the joint cost (Σ σ_i = 1); party i pays x_i = σ_i · c(N).
It is stable (in the core) when no coalition S pays more than it would alone:
x(S) ≤ c(S) for every S (:func:`fairpool.models.verdicts.plan_verdict`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fairpool.models.cost_sharing.case import CostSharingCase
from fairpool.models.cost_sharing.coalitions import coalition_game
from fairpool.models.cost_sharing.plan import no_cash_flows, target_shares
from fairpool.models.family import ProposalCheck, SweepLine, SweepResult
from fairpool.models.planning import core_band_on_line
from fairpool.models.verdicts import judge_proposal, sweep_row
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.fairness import describe
from fairpool.optimizer.game import Game
from fairpool.optimizer.workbook.checks import check_sweep_party


def check(
    case: CostSharingCase, proposal: np.ndarray | None = None, *, game: Game | None = None
) -> ProposalCheck:
    """Judge proposed shares σ of c(N) (default: the case's proposal sheet) on the cost game
    (or ``game`` when the caller has it): cost shares x = σ · c(N), every rule beside them,
    the verdict, and the plain-language report of :func:`fairpool.optimizer.fairness.describe`.
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
    return dataclasses.replace(
        judged, verdict=tuple(describe(report, game, case.unit).splitlines())
    )


def share_line(case: CostSharingCase, game: Game, party: str) -> tuple[np.ndarray, np.ndarray]:
    """(x(0), slope): the cost shares x(ρ) = x(0) + ρ · slope as ``party``'s share ρ of c(N)
    goes from 0 to 1, the others sharing the rest in the proportions of the proposal (else
    of the target rule; equally if those give them nothing). ``party`` is one of the case's
    (:func:`sweep` checks it before computing c(S))."""
    base = case.proposal
    if base is None:
        base = target_shares(game, case.target) / game.grand_value
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
    case: CostSharingCase,
    line: SweepLine,
    values: Sequence[float],
    *,
    game: Game | None = None,
) -> SweepResult:
    """Cost shares and the core verdict as ``line.party``'s share ρ of the whole cost c(N)
    slides over ``values`` (each in [0, 1]; the line's stream, phase and project do not
    apply), and the exact band of ρ in the core (:func:`share_line`,
    :func:`fairpool.models.planning.core_band_on_line`), both from one cost game."""
    for rho in values:
        if not 0.0 <= float(rho) <= 1.0:
            raise CaseError(f"sweep share {float(rho):g} is outside [0, 1]")
    check_sweep_party(case.parties, line.party)
    game = game if game is not None else coalition_game(case)
    start, slope = share_line(case, game, line.party)
    rows = [sweep_row(game, "share", float(rho), start + float(rho) * slope) for rho in values]
    return SweepResult(
        line=line,
        value_column="share",
        table=pd.DataFrame.from_records(rows),
        core_band=core_band_on_line(game, start, slope),
    )


__all__ = ["check", "share_line", "sweep"]
