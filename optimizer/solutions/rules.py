"""Allocation rules with a closed form: equal split, proportional, equal benefit–cost ratio,
SCRB, the Gately point and the τ-value.

Each rule is a small function from a :class:`Game` to an :class:`Allocation` in the game's
orientation (cost games: cost shares summing to c(N)). Notation: v is the benefit form
(``game.savings_game()``), n = |N|, x(S) = Σ_{i∈S} x_i, and

    M_i = v(N) − v(N∖{i})       the utopia payoff (marginal contribution to N),

which in cost terms is the separable cost SC_i = c(N) − c(N∖{i}).
"""

from __future__ import annotations

import numpy as np

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game, coalition_sums, tolerance
from fairpool.optimizer.results import Allocation


def grand_minus_complements(values: np.ndarray, n: int) -> np.ndarray:
    """v(N) − v(N∖{i}) for each party i, from a dense bitmask array of 2**n values.

    Example:
        >>> grand_minus_complements(np.array([0.0, 1, 2, 6]), 2).tolist()
        [4.0, 5.0]
    """
    grand = (1 << n) - 1
    return values[grand] - values[grand ^ (1 << np.arange(n))]


def utopia_payoffs(game: Game) -> np.ndarray:
    """M_i = v(N) − v(N∖{i}) of the benefit form: the most party i can ask for (Tijs 1981)."""
    return grand_minus_complements(game.savings_game().values, game.n)


def minimal_rights(game: Game) -> np.ndarray:
    """m_i = max_{S∋i} (v(S) − Σ_{j∈S∖{i}} M_j) of the benefit form (Tijs 1981).

    What party i can get by offering everyone else in some coalition their utopia payoff.
    """
    benefit = game.savings_game()
    return minimal_rights_of(benefit.values, grand_minus_complements(benefit.values, game.n))


def minimal_rights_of(values: np.ndarray, utopia: np.ndarray) -> np.ndarray:
    """m_i for a dense benefit-form array and its utopia payoffs M, vectorised over masks:
    R(S) = v(S) − M(S) for every mask, then m_i = M_i + max_{S∋i} R(S), the maximum taken
    over ``R.reshape(-1, 2, 2**i)[:, 1, :]`` (the masks containing i)."""
    remainder = values - coalition_sums(utopia)
    best = [remainder.reshape(-1, 2, 1 << i)[:, 1, :].max() for i in range(utopia.size)]
    return utopia + np.array(best)


def equal_split(game: Game) -> Allocation:
    """x_i = v(N)/n (cost games: c(N)/n) for every party.

    Example:
        >>> equal_split(Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})).as_dict()
        {'A': 3.0, 'B': 3.0}
    """
    return Allocation("equal", game.players, np.full(game.n, game.grand_value / game.n))


def proportional_weights(game: Game, attribute: str, purpose: str) -> np.ndarray:
    """The attribute's values, checked usable as proportional weights (finite, ≥ 0, Σ > 0)."""
    weights = game.attribute(attribute)
    problems = []
    bad = [game.names[i] for i in np.flatnonzero(~np.isfinite(weights))]
    if bad:
        problems.append(f"is not a number for {', '.join(bad)}")
    negative = [game.names[i] for i in np.flatnonzero(weights < 0)]
    if negative:
        problems.append(f"is negative for {', '.join(negative)}")
    if not problems and weights.sum() <= 0:
        problems.append("adds up to zero over all parties")
    if problems:
        raise CaseError(
            f"party attribute {attribute!r} cannot be used for {purpose}: it "
            + " and ".join(problems)
            + "; give every party a non-negative value, at least one of them positive"
        )
    return weights


def proportional(game: Game, attribute: str) -> Allocation:
    """x_i = v(N) · a_i / Σ_j a_j for a named party attribute a (population, demand, …).

    Cost games: cost shares c(N) · a_i / Σ_j a_j. ``details["attribute"]`` names a.

    Raises:
        CaseError: the attribute is missing (the message lists the known ones), not a number,
            negative for some party, or adds up to zero.

    Example:
        >>> g = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6},
        ...                       attributes={"population": [1, 2]})
        >>> proportional(g, "population").as_dict()
        {'A': 2.0, 'B': 4.0}
    """
    weights = proportional_weights(game, attribute, "a proportional split")
    shares = game.grand_value * weights / weights.sum()
    return Allocation("proportional", game.players, shares, {"attribute": attribute})


def equal_bcr(game: Game) -> Allocation:
    """Equal benefit–cost ratio: shares proportional to the ``benefit`` party attribute.

    Cost games: x_i = c(N) · b_i / Σ_j b_j, so that every party's ratio b_i / x_i equals
    Σ_j b_j / c(N) (recorded as ``details["benefit_cost_ratio"]``). Benefit games: the shares
    of v(N) are proportional to b_i, which equalises x_i / b_i instead.

    Raises:
        CaseError: no ``benefit`` attribute, or one that is negative or sums to zero.

    Example (a dam costing 90 with benefits 100 and 50: both get 1.67 per unit paid):
        >>> g = Game.from_mapping(["A", "B"], {"A": 80, "B": 40, "A+B": 90}, "cost",
        ...                       attributes={"benefit": [100, 50]})
        >>> equal_bcr(g).as_dict()
        {'A': 60.0, 'B': 30.0}
    """
    benefits = proportional_weights(game, "benefit", "equal benefit-cost ratios")
    shares = game.grand_value * benefits / benefits.sum()
    details: dict[str, float | str] = {}
    if game.orientation == "cost" and game.grand_value != 0:
        details["benefit_cost_ratio"] = float(benefits.sum() / game.grand_value)
    return Allocation("equal_bcr", game.players, shares, details)


def scrb(game: Game) -> Allocation:
    """Separable Costs Remaining Benefits (Young, Okada & Hashimoto 1982; US water practice).

    In cost terms, with c the cost game:

        SC_i  = c(N) − c(N∖{i})                   separable cost of party i
        alt_i = min(b_i, c({i}))                  alternative cost (b: the ``benefit``
                                                  attribute; c({i}) when there is none)
        r_i   = alt_i − SC_i                      remaining benefit
        x_i   = SC_i + r_i / Σ_j r_j · (c(N) − Σ_j SC_j)

    so each party pays its separable cost plus a share of the non-separable cost
    proportional to its remaining benefit (H. P. Young, N. Okada & T. Hashimoto, "Cost
    allocation in water resources development", Water Resources Research 18(3), 1982).
    Benefit games: the rule is applied to c = −v and the result negated; the ``benefit``
    attribute is used only for cost games (in a benefit game v({i}) already is what party i
    gets on its own). ``details`` records the ``nonseparable_cost``.

    Raises:
        CaseError: Σ_j r_j ≤ 0, so there is no remaining benefit to share the non-separable
            cost by.

    Example (two towns, a joint plant costing 9 instead of 6 + 5):
        >>> g = Game.from_mapping(["A", "B"], {"A": 6, "B": 5, "A+B": 9}, "cost")
        >>> scrb(g).as_dict()
        {'A': 5.0, 'B': 4.0}
    """
    sign = 1.0 if game.orientation == "cost" else -1.0
    costs = sign * game.values
    separable = grand_minus_complements(costs, game.n)
    alternative = costs[1 << np.arange(game.n)]
    if game.orientation == "cost" and "benefit" in game.attributes:
        alternative = np.minimum(game.attribute("benefit"), alternative)
    remaining = alternative - separable
    nonseparable = costs[-1] - separable.sum()
    total_remaining = remaining.sum()
    if total_remaining <= tolerance(costs):
        raise CaseError(
            "SCRB cannot share the non-separable cost: the remaining benefits "
            "(alternative cost minus separable cost) add up to "
            f"{total_remaining:g}, not a positive amount; the parties' alternatives are no "
            "dearer than their separable costs, so use another rule (e.g. the Shapley value)"
        )
    shares = separable + remaining / total_remaining * nonseparable
    return Allocation(
        "scrb", game.players, sign * shares, {"nonseparable_cost": float(sign * nonseparable)}
    )


def gately(game: Game) -> Allocation:
    """The Gately point: the allocation equalising every party's propensity to disrupt.

    On the benefit form v, party i's propensity to disrupt x is

        d_i(x) = (x(N∖{i}) − v(N∖{i})) / (x_i − v({i})),

    what the others lose if i walks out over what i loses (D. Gately, "Sharing the gains
    from regional cooperation: a game theoretic application to planning investment in
    electric power", International Economic Review 15(1), 1974). The efficient x with all
    d_i equal is

        x_i = v({i}) + (M_i − v({i})) · (v(N) − Σ_j v({j})) / Σ_j (M_j − v({j})),

    with the common propensity d* = Σ_j (M_j − v({j})) / (v(N) − Σ_j v({j})) − 1 (recorded
    as ``details["propensity_to_disrupt"]`` when the game is essential). Cost games go
    through the savings game and back with :meth:`Game.to_orientation`.

    Raises:
        CaseError: v(N) < Σ_j v({j}) (the parties do better alone), or Σ_j (M_j − v({j})) ≤ 0
            (no party adds anything to the grand coalition beyond its standalone value).

    Example:
        >>> g = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
        >>> gately(g).as_dict()
        {'A': 2.5, 'B': 3.5}
    """
    benefit = game.savings_game()
    tol = tolerance(benefit.values)
    standalone = benefit.standalone_values
    gain = benefit.grand_value - standalone.sum()
    spread = grand_minus_complements(benefit.values, game.n) - standalone
    if gain < -tol:
        raise CaseError(
            "the Gately point is not defined: together the parties are worse off than alone "
            f"(the grand coalition's gain over standalone values is {gain:g})"
        )
    if spread.sum() <= tol:
        raise CaseError(
            "the Gately point is not defined: the parties' marginal contributions to the "
            "grand coalition do not exceed their standalone values in total"
        )
    shares = standalone + spread * gain / spread.sum()
    details: dict[str, float | str] = {}
    if gain > tol:
        details["propensity_to_disrupt"] = float(spread.sum() / gain - 1.0)
    return Allocation("gately", game.players, game.to_orientation(shares), details)


def tau_value(game: Game) -> Allocation:
    """The τ-value (Tijs 1981): the efficient compromise between minimal rights and utopia.

    On the benefit form v, with utopia payoffs M_i = v(N) − v(N∖{i}) and minimal rights
    m_i = max_{S∋i} (v(S) − Σ_{j∈S∖{i}} M_j),

        τ = m + λ (M − m),   λ ∈ [0, 1] chosen so that Σ_i τ_i = v(N)

    (S. H. Tijs, "Bounds for the core and the τ-value", in Game Theory and Mathematical
    Economics, North-Holland, 1981). It is defined only for quasi-balanced games:
    m ≤ M and Σ m ≤ v(N) ≤ Σ M. ``details["lambda"]`` records λ. Cost games go through the
    savings game and back with :meth:`Game.to_orientation`.

    Raises:
        CaseError: the game is not quasi-balanced (the message says which condition fails).

    Example (the glove game, one right glove C and two left gloves A, B):
        >>> g = Game.from_mapping(["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A+B": 0,
        ...                                         "A+C": 1, "B+C": 1, "A+B+C": 1})
        >>> tau_value(g).as_dict()
        {'A': 0.0, 'B': 0.0, 'C': 1.0}
    """
    benefit = game.savings_game()
    tol = tolerance(benefit.values)
    utopia = grand_minus_complements(benefit.values, game.n)
    rights = minimal_rights_of(benefit.values, utopia)
    grand = benefit.grand_value
    failures = []
    above = [game.names[i] for i in np.flatnonzero(rights > utopia + tol)]
    if above:
        failures.append(f"minimal right above utopia payoff for {', '.join(above)}")
    if rights.sum() > grand + tol:
        failures.append(f"minimal rights sum to {rights.sum():g} > v(N) = {grand:g}")
    if grand > utopia.sum() + tol:
        failures.append(f"utopia payoffs sum to {utopia.sum():g} < v(N) = {grand:g}")
    if failures:
        raise CaseError(
            "the τ-value is defined only for quasi-balanced games (m ≤ M and "
            "Σm ≤ v(N) ≤ ΣM, on the benefit form), and this game is not: "
            + "; ".join(failures)
            + "; use the Shapley value or the nucleolus instead"
        )
    width = (utopia - rights).sum()
    if width > tol:
        weight = (grand - rights.sum()) / width
        shares = rights + weight * (utopia - rights)
    else:  # m = M within the tolerance: split what rounding leaves over equally (efficiency)
        weight = 0.0
        shares = rights + (grand - rights.sum()) / game.n
    return Allocation("tau", game.players, game.to_orientation(shares), {"lambda": float(weight)})
