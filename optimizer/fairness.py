"""Fairness check of any allocation: efficiency, individual rationality, the core, the
Gately propensity to disrupt and the distance to reference allocations.

Every check scans all 2**n coalitions with numpy (:meth:`Game.excesses`): the user never lists
coalitions by hand. Conventions (SPEC §4): the *excess* of a coalition S is how much better
off S would be on its own,

    e(S, x) = v(S) − x(S)   (benefit games),      e(S, x) = x(S) − c(S)   (cost games),

so e(S, x) > 0 means S blocks x. An allocation is in the core when it is efficient
(x(N) = v(N)) and no proper non-empty coalition has a positive excess (Gillies 1959).

Numbers are compared with the tolerance 1e-9 · max_S |v(S)| (:func:`tolerance`): relative to
the game's scale, with no absolute floor, so the verdicts do not depend on the money unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game, coalition_sizes, tolerance
from fairpool.optimizer.results import Allocation


@dataclass(frozen=True)
class FairnessReport:
    """How fair one allocation is, in the game's orientation.

    Attributes:
        shares: the allocation checked (read-only), one number per party.
        efficiency_gap: x(N) − v(N) (cost games: x(N) − c(N)); 0 for an efficient allocation.
        efficient: |efficiency_gap| ≤ tolerance.
        ir_shortfall: per party, how much worse off it is than on its own, 0 if not worse:
            max(0, v({i}) − x_i) for benefit games, max(0, x_i − c({i})) for cost games.
        individually_rational: no party's shortfall exceeds the tolerance.
        worst_coalition: bitmask of the proper non-empty coalition with the largest excess;
            among coalitions within the tolerance of the largest, the smallest coalition
            (then the lowest mask), so that messages name as few parties as possible.
            0 when n = 1.
        worst_coalition_label: the same as ``"A+B"`` (party ids).
        worst_excess: the largest excess over proper non-empty coalitions, v(S) − x(S) or
            x(S) − c(S) (the worst coalition's own excess is within the tolerance of it);
            > 0 means the allocation is blocked. 0.0 when n = 1 (there is no proper
            non-empty coalition).
        in_core: efficient and worst_excess ≤ tolerance.
        propensity_to_disrupt: per party, Gately's d_i(x) = e(N∖{i}, x) / e({i}, x) with
            the signs of a benefit game, i.e. (x(N∖{i}) − v(N∖{i})) / (x_i − v({i})): what
            the others lose if i walks out over what i loses. When i loses nothing
            (x_i − v({i}) ≤ tolerance) it is +inf, or 0 if the others lose nothing either.
        gately_propensity: the largest propensity to disrupt.
        distances: for each reference allocation passed in, the largest per-party absolute
            difference max_i |x_i − r_i| (the max-abs, or Chebyshev, distance).
        tolerance: the tolerance used, 1e-9 · max |v| (:func:`~fairpool.optimizer.game.tolerance`).
    """

    shares: np.ndarray
    efficiency_gap: float
    efficient: bool
    ir_shortfall: np.ndarray
    individually_rational: bool
    worst_coalition: int
    worst_coalition_label: str
    worst_excess: float
    in_core: bool
    propensity_to_disrupt: np.ndarray
    gately_propensity: float
    distances: Mapping[str, float] = field(default_factory=dict)
    tolerance: float = 0.0


def _as_shares(game: Game, shares: np.ndarray | Allocation, what: str) -> np.ndarray:
    array = shares.shares if isinstance(shares, Allocation) else shares
    array = np.asarray(array, dtype=np.float64)
    if array.shape != (game.n,):
        raise CaseError(f"{what}: {game.n} parties need {game.n} shares, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise CaseError(f"{what}: shares must be finite numbers")
    return array


def worst_coalition(excesses: np.ndarray, n: int, tol: float) -> int:
    """The proper non-empty coalition with the largest excess (ties within ``tol``: smallest
    coalition first, then lowest mask); 0 when n = 1."""
    proper = excesses[1:-1]
    if proper.size == 0:
        return 0
    near_worst = proper >= proper.max() - tol
    sizes = np.where(near_worst, coalition_sizes(n)[1:-1], n + 1)
    return int(np.argmin(sizes)) + 1


def propensities_to_disrupt(excesses: np.ndarray, n: int, tol: float) -> np.ndarray:
    """Gately's d_i = (x(N∖{i}) − v(N∖{i})) / (x_i − v({i})) from the excess vector.

    In both orientations the numerator is −e(N∖{i}) and the denominator −e({i}); see
    :class:`FairnessReport` for the conventions when the denominator is not positive.
    """
    bits = 1 << np.arange(n)
    others_loss = -excesses[((1 << n) - 1) ^ bits]
    own_loss = -excesses[bits]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = others_loss / own_loss
    nobody_loses = (np.abs(own_loss) <= tol) & (np.abs(others_loss) <= tol)
    return np.where(own_loss > tol, ratio, np.where(nobody_loses, 0.0, np.inf))


def check_allocation(
    game: Game,
    shares: np.ndarray | Allocation,
    *,
    reference: Mapping[str, np.ndarray | Allocation] | None = None,
) -> FairnessReport:
    """Check an allocation of v(N) (cost games: cost shares of c(N)) against the game.

    Steps: one excess vector e(S, x) for all 2**n masks (:meth:`Game.excesses`); the
    efficiency gap x(N) − v(N); individual rationality from the singleton masks; the worst
    proper coalition by a vectorised arg-max; Gately's propensities from e({i}) and
    e(N∖{i}); the max-abs distance to each reference allocation.

    Raises:
        CaseError: shares (or a reference) of the wrong length or not finite.

    Example (benefit game; A+B alone would get 6 but is given 5):
        >>> g = Game.from_mapping(["A", "B", "C"], {"A": 1, "B": 1, "C": 1, "A+B": 6,
        ...                                         "A+C": 2, "B+C": 2, "A+B+C": 8})
        >>> report = check_allocation(g, [2.5, 2.5, 3.0])
        >>> report.in_core, report.worst_coalition_label, report.worst_excess
        (False, 'A+B', 1.0)
    """
    x = _as_shares(game, shares, "allocation")
    tol = tolerance(game.values)
    excesses = game.excesses(x)
    n = game.n
    gap = float(x.sum() - game.grand_value)
    shortfall = np.maximum(excesses[1 << np.arange(n)], 0.0)
    worst = worst_coalition(excesses, n, tol)
    worst_excess = float(excesses[1:-1].max()) if worst else 0.0
    propensity = propensities_to_disrupt(excesses, n, tol)
    distances = {
        name: float(np.abs(x - _as_shares(game, other, f"reference {name!r}")).max())
        for name, other in (reference or {}).items()
    }
    x.setflags(write=False)
    shortfall.setflags(write=False)
    propensity.setflags(write=False)
    efficient = abs(gap) <= tol
    return FairnessReport(
        shares=x,
        efficiency_gap=gap,
        efficient=efficient,
        ir_shortfall=shortfall,
        individually_rational=bool(np.all(shortfall <= tol)),
        worst_coalition=worst,
        worst_coalition_label=game.label(worst),
        worst_excess=worst_excess,
        in_core=efficient and worst_excess <= tol,
        propensity_to_disrupt=propensity,
        gately_propensity=float(propensity.max()),
        distances=distances,
        tolerance=tol,
    )


def _amount(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}".rstrip() if unit else f"{value:,.2f}"


def describe(report: FairnessReport, game: Game, unit: str = "") -> str:
    """The report in plain English, one sentence per line, parties by display name.

    Example:
        >>> g = Game.from_mapping(["A", "B", "C"], {"A": 1, "B": 1, "C": 1, "A+B": 6,
        ...                                         "A+C": 2, "B+C": 2, "A+B+C": 8})
        >>> for sentence in describe(check_allocation(g, [2.5, 2.5, 3.0]), g).splitlines():
        ...     print(sentence[:71])
        The shares add up to 8.00, the value of the grand coalition.
        Every party gets at least what it would get on its own.
        A+B would be 1.00 better off on their own: the allocation is not in the
        The largest propensity to disrupt is 2.33 (A): if A walked out, the oth
    """
    cost = game.orientation == "cost"
    tol = report.tolerance
    sentences = []

    total = _amount(game.grand_value, unit)
    if report.efficient:
        what = "the joint cost" if cost else "the value of the grand coalition"
        sentences.append(f"The shares add up to {total}, {what}.")
    else:
        gap = report.efficiency_gap
        added = _amount(float(report.shares.sum()), unit)
        if cost:
            verdict = "more than the joint cost" if gap > 0 else "of the joint cost uncovered"
            sentences.append(
                f"The cost shares add up to {added} but the joint cost is {total}: "
                f"{_amount(abs(gap), unit)} {verdict}."
            )
        else:
            verdict = "more than there is" if gap > 0 else "left undistributed"
            sentences.append(
                f"The shares add up to {added} but the grand coalition is worth {total}: "
                f"{_amount(abs(gap), unit)} {verdict}."
            )

    short = np.flatnonzero(report.ir_shortfall > tol)
    if short.size == 0:
        sentences.append(
            "Every party pays no more than it would on its own."
            if cost
            else "Every party gets at least what it would get on its own."
        )
    for i in short:
        name = game.names[i]
        amount = _amount(float(report.ir_shortfall[i]), unit)
        alone = _amount(game.standalone_values[i], unit)
        share = _amount(float(report.shares[i]), unit)
        if cost:
            sentences.append(
                f"{name} pays {amount} more than it would on its own ({share} against {alone})."
            )
        else:
            sentences.append(
                f"{name} gets {amount} less than it would on its own ({share} against {alone})."
            )

    if report.worst_coalition and report.worst_excess > tol:
        members = [game.names[i] for i in range(game.n) if report.worst_coalition >> i & 1]
        amount = _amount(report.worst_excess, unit)
        better = f"would pay {amount} less" if cost else f"would be {amount} better off"
        own = "its own" if len(members) == 1 else "their own"
        sentences.append(
            f"{'+'.join(members)} {better} on {own}: the allocation is not in the core."
        )
    elif report.in_core:
        sentences.append("Every coalition is better off together: the allocation is in the core.")
    else:
        sentences.append(
            "No coalition would be better off on its own, but the shares do not add up to "
            "the total, so the allocation is not in the core."
        )

    if game.n > 1:
        worst = int(np.argmax(report.propensity_to_disrupt))
        name = game.names[worst]
        if np.isinf(report.gately_propensity):
            sentences.append(
                f"{name} loses nothing by walking out: its propensity to disrupt is unbounded."
            )
        else:
            level = f"{report.gately_propensity:.2f}"
            sentences.append(
                f"The largest propensity to disrupt is {level} ({name}): if {name} walked out, "
                f"the others would lose {level} times what {name} would."
            )

    for reference, distance in report.distances.items():
        sentences.append(
            f"No party's share is more than {_amount(distance, unit)} away from the "
            f"{reference} allocation."
        )
    return "\n".join(sentences)
