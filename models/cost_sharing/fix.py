"""The smallest fix of proposed cost shares: the least change of the shares σ of c(N) that
puts them in the core (no coalition pays more than it would alone).

Built on the plan model of :mod:`fairpool.models.cost_sharing.plan` (cost shares x with
Σ x = c(N) and the core rows on the savings game, money on the case's scale) with the core
hard and x_i = σ_i c(N), σ_i ≥ 0; the objective is the L1 distance to the proposed shares,
then the fewest shares changed (:func:`fairpool.models.fixing.smallest_change`). Cost
sharing has no rules beyond the shares themselves, so only an empty core or a core that
needs a negative share stands in the way.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.cost_sharing.plan import build_plan_model
from fairpool.models.family import CoreMode, FixChange, ProposalCheck, ProposalFix
from fairpool.models.fixing import (
    allow_excess,
    empty_core_obstacle,
    epsilon_cap,
    fix_found,
    fix_impossible,
    fix_not_needed,
    least_excess_of,
    smallest_change,
)
from fairpool.models.planning import PLAN_TOLERANCE
from fairpool.optimizer.game import Game

if TYPE_CHECKING:
    import pyomo.environ as pyo

NEGATIVE_SHARE = (
    "the shares cannot be negative (sheet proposal, column share): the core needs some party "
    "to be paid, which no split of c(N) does"
)


def share_model(game: Game, core: CoreMode = "hard") -> pyo.ConcreteModel:
    """The plan model with the shares σ_i ≥ 0 of c(N) as variables (``m.sigma``):
    x_i = σ_i c(N) (Σ σ = 1 follows from Σ x = c(N) when c(N) ≠ 0, and is stated)."""
    import pyomo.environ as pyo

    m = build_plan_model(game, np.zeros(game.n), core)
    total = game.grand_value / m.money_scale
    m.sigma = pyo.Var(m.P, bounds=(0.0, 1.0))
    m.sigma_total = pyo.Constraint(expr=sum(m.sigma[i] for i in m.P) == 1)
    m.sigma_link = pyo.Constraint(m.P, rule=lambda m, i: m.x[i] == m.sigma[i] * total)
    return m


def fix_proposal(game: Game, shares: np.ndarray, check: ProposalCheck) -> ProposalFix:
    """The smallest change of the proposed ``shares`` σ that puts the cost shares σ c(N) in
    the core of ``game``; ``not_needed`` when ``check`` found them fair, ``impossible`` when
    the core is empty or needs a negative share."""
    started = time.perf_counter()
    if check.fair:
        return fix_not_needed(check, "share")
    empty = empty_core_obstacle(check)
    if empty is not None:
        return fix_impossible(check, "share", [empty], least_excess(game), started)
    m = share_model(game)
    allow_excess(m, epsilon_cap(check) / m.money_scale + PLAN_TOLERANCE)
    start = np.asarray(shares, dtype=float)
    values = smallest_change(m, [m.sigma[i] for i in m.P], start)
    if values is None:
        return fix_impossible(check, "share", [NEGATIVE_SHARE], least_excess(game), started)
    fixed = np.clip(values, 0.0, 1.0)
    labels = [FixChange(party, "", "", "*", 0.0, 0.0) for party in game.players]
    return fix_found(game, "share", labels, start, fixed, fixed * game.grand_value, (), started)


def least_excess(game: Game) -> float | None:
    """The least worst excess of any split of c(N) in non-negative shares."""
    m = share_model(game, "soft")
    return least_excess_of(m, float(m.money_scale), None)


__all__ = ["NEGATIVE_SHARE", "fix_proposal", "least_excess", "share_model"]
