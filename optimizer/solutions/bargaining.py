"""Bargaining solutions over the disagreement point d_i = v({i}) (benefit form).

In a TU game the parties can reach every efficient x: the bargaining set is
{x : Σ x_i ≤ v(N)} and the disagreement point is what each party gets alone.

* **Nash (1950)**: maximise Π (x_i − d_i) over that set. By symmetry of the product under
  transfers, the optimum splits the surplus v(N) − Σ d equally:
  x_i = d_i + (v(N) − Σ_j d_j) / n.
* **Kalai–Smorodinsky (1975)**: the efficient point on the segment from d to the ideal point
  a_i = max{x_i : x feasible, x ≥ d} = v(N) − Σ_{j≠i} d_j. Since a_i − d_i = v(N) − Σ d is the
  same for every party, it is the same equal-surplus point.

The two coincide on TU games (they differ in the model families, where ratio rules make the
feasible set non-transferable); both are reported so that negotiators see the familiar names.
Cost games are solved on the savings game and returned as cost shares.
"""

from __future__ import annotations

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.results import Allocation


def _equal_surplus(game: Game, method: str) -> Allocation:
    benefit = game.savings_game()
    disagreement = benefit.standalone_values
    surplus = benefit.grand_value - disagreement.sum()
    if surplus < -tolerance(benefit.values):
        raise CaseError(
            f"{method}: the parties get {disagreement.sum():.6g} on their own, more than the "
            f"{benefit.grand_value:.6g} of cooperating, so there is no gain to bargain over"
        )
    shares = disagreement + surplus / benefit.n
    return Allocation(method, game.players, game.to_orientation(shares))


def nash_bargaining(game: Game) -> Allocation:
    """Nash bargaining solution: maximise Π (x_i − v({i})) subject to Σ x_i = v(N).

    Example: v(A) = 1, v(B) = 2, v(AB) = 6 gives (2.5, 3.5).
    """
    return _equal_surplus(game, "nash")


def kalai_smorodinsky(game: Game) -> Allocation:
    """Kalai–Smorodinsky solution: equal fractions of each party's ideal gain a_i − d_i."""
    return _equal_surplus(game, "kalai_smorodinsky")


__all__ = ["kalai_smorodinsky", "nash_bargaining"]
