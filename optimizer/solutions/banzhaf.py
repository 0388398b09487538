"""The Banzhaf value, raw and normalised (Banzhaf 1965; Owen 1975).

Raw Banzhaf value: every coalition S ∌ i is equally likely, so

    β_i(v) = Σ_{S ⊆ N∖{i}} (v(S ∪ {i}) − v(S)) / 2^{n−1}

(J. F. Banzhaf, "Weighted voting doesn't work", Rutgers Law Review 19, 1965, for simple
games; G. Owen, "Multilinear extensions and the Banzhaf value", Naval Research Logistics
Quarterly 22, 1975, for TU games). It is not efficient: Σ β_i ≠ v(N) in general.

Normalised Banzhaf value (fairpool's convention): the raw values scaled so that the shares
sum to what the game distributes,

    x_i = β_i · v(N) / Σ_j β_j     (cost games: β of c, and c(N) in place of v(N)).

Like the Shapley value it is computed on the game as stated: for a cost game the raw values
are average marginal costs and the normalised shares split c(N) in proportion to them (for
an additive cost game, x_i = c({i})). The scaling is undefined when Σ β_j = 0 ≠ v(N).

One sum per party, as for the Shapley value: Σ_{S∌i} v(S) = T − Σ_{S∋i} v(S) with T = Σ_S v(S),
so β_i = (2 Σ_{S∋i} v(S) − T) / 2^{n−1}; all n sums come from folding the array in half n
times in one pass (:func:`~fairpool.optimizer.solutions.shapley.member_sums`).
"""

from __future__ import annotations

import numpy as np

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game, tolerance
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.shapley import member_sums


def banzhaf_raw(game: Game) -> np.ndarray:
    """β_i = Σ_{S⊆N∖{i}} (v(S∪{i}) − v(S)) / 2^{n−1}, in the game's orientation.

    Example:
        >>> g = Game.from_mapping(["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A+B": 1,
        ...                                         "A+C": 1, "B+C": 0, "A+B+C": 1})
        >>> banzhaf_raw(g).tolist()
        [0.75, 0.25, 0.25]
    """
    n = game.n
    sums, total = member_sums(game.values, n)
    return (2.0 * sums - total) / (1 << (n - 1))


def banzhaf(game: Game, normalised: bool = True) -> Allocation:
    """The Banzhaf value: normalised to sum to v(N) (or c(N)) unless ``normalised=False``.

    x_i = β_i · v(N) / Σ_j β_j, with β the raw Banzhaf value (Banzhaf 1965; Owen 1975).
    ``details`` records ``normalised`` (``"yes"``/``"no"``) and, when normalised, the
    ``scale`` factor v(N)/Σβ.

    Raises:
        CaseError: ``normalised`` and the raw values sum to zero (within the tolerance
            1e-9 · max |v|) while v(N) does not, so no scaling can make the shares
            add up to v(N). When both are zero the raw values are returned (scale 1).

    Example (the weighted voting game with weights 50, 49, 1 and quota 51):
        >>> g = Game.from_mapping(["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A+B": 1,
        ...                                         "A+C": 1, "B+C": 0, "A+B+C": 1})
        >>> {party: round(share, 6) for party, share in banzhaf(g).as_dict().items()}
        {'A': 0.6, 'B': 0.2, 'C': 0.2}
    """
    raw = banzhaf_raw(game)
    if not normalised:
        return Allocation("banzhaf", game.players, raw, {"normalised": "no"})
    total = raw.sum()
    tol = tolerance(game.values)
    if abs(total) > tol:
        scale = game.grand_value / total
    elif abs(game.grand_value) <= tol:
        scale = 1.0  # 0/0: the raw values already add up to v(N) = 0
    else:
        raise CaseError(
            "the raw Banzhaf values sum to zero, so they cannot be scaled to add up to "
            f"{game.grand_value:g} (the value of the grand coalition); use the raw Banzhaf "
            "value (normalised=False) or another method such as the Shapley value"
        )
    return Allocation(
        "banzhaf", game.players, raw * scale, {"normalised": "yes", "scale": float(scale)}
    )
