"""The Shapley value by sampling, with standard errors: for games too big to enumerate.

The Shapley value is the average marginal contribution over the n! orders in which the grand
coalition can form:

    φ_i = E_π [ v(P_i^π ∪ {i}) − v(P_i^π) ],   P_i^π = the parties before i in the order π,

so averaging over random orders gives an unbiased estimate (Castro, Gómez & Tejada,
"Polynomial calculation of the Shapley value based on sampling", Computers & Operations
Research 36, 2009). Every order contributes exactly v(N) in total, so an average of orders
is efficient (Σ φ̂_i = v(N)) whatever the sample. Methods (``method=``):

- ``"permutation"``: independent orders; standard error = standard deviation of the
  per-order contributions over √m.
- ``"antithetic"``: each order paired with its reverse (a party early in one is late in the
  other: for values growing with size the two contributions are negatively correlated;
  Illés & Kerényi 2019, "Estimation of the Shapley value by ergodic sampling"; Mitchell et al.
  2022, "Sampling permutations for Shapley value estimation", JMLR); SE over the pair means.
- ``"rotations"``: stratified by position. A random order and its n rotations (π shifted by
  r places, r = 0 … n − 1) put every party at every position exactly once, so the n strata
  "i joins k others" (k = 0 … n − 1, each of weight 1/n) get one draw each per block: the
  spread between positions, often most of the spread, drops out. Each rotation is a uniform
  order, so the block mean is unbiased; blocks are independent, so the SE is the spread of
  the block means over √blocks (a structured sample in the sense of van Campen, Hamers,
  Husslage & Lindelauf 2018, "A new approximation method for the Shapley value applied to
  the WTC 9/11 terrorist attack", Social Network Analysis and Mining 8).
- ``"rotations_antithetic"`` (default): the rotations and their reverses. The prefixes of a
  rotation are the cyclic intervals of π, and the prefixes of a reversed rotation are their
  complements, again cyclic intervals: the reverses need **no** new coalition values, so a
  block of 2n orders costs what n orders cost (n(n − 1) values).
- ``"stratified"`` / ``"stratified_antithetic"``: independent uniform coalitions in each
  stratum (party i, size k), exact small strata and Neyman allocation after a pilot
  (Maleki et al. 2013; Castro, Gómez, Molina & Tejada 2017; see
  :mod:`~fairpool.optimizer.solutions.stratified`). One marginal contribution costs two
  values (an order gives n for n − 1). Not efficient: ``efficient=True`` (default) moves the
  estimate onto Σ φ_i = v(N) by the least-squares correction of
  :func:`efficiency_corrected`, and the details keep the raw estimate and the gap.

Budget. ``evaluations`` counts the coalition values v(S) asked for: an order costs n − 1
(v(∅) and v(N) are read once: + 2), a rotation block n(n − 1) with or without its reverses,
a stratified draw 2 (see the stratified module). ``permutations`` m means m · (n − 1) + 2,
the same budget for every method. Every method reads each distinct coalition once (a table
of the values met), and ``distinct_coalitions`` in the details says how many that was.

Choice of the default (``python benchmarks/sampling.py``: 50 seeds, budgets of 100 and 1000
orders, explicit games of 12–16 parties with exact values known). Root-mean-square error
relative to antithetic permutations, 100 / 1000 orders:

    game            rotations+reverses   stratified (Neyman)   stratified+complements
    random    n=14       0.59 / 0.61          1.18 / 0.86            1.30 / 0.83
    airport   n=16       0.43 / 0.45          0.67 / 0.34            0.66 / 0.34
    voting    n=15       0.46 / 0.48          1.34 / 0.90            1.44 / 1.27
    convex    n=14       0.44 / 0.44          0.67 / 0.28            0.72 / 0.37
    infrastr. n=12       0.83 / 0.96          2.16 / 1.63            1.27 / 0.87

and the share of (seed, party) with |estimate − exact| ≤ 2·SE was 88–95 % for rotations with
reverses (fewer than ten blocks at 100 orders make the SE itself rough) against 29–96 % for
the stratified samplers, whose per-stratum variances from a handful of draws are too small
(rare pivots, repeated draws). Hence ``"rotations_antithetic"``: better than antithetic
permutations on every game and budget measured, at the same cost, efficient, with standard
errors that hold. The independent strata win on error alone for airport and convex games
at large budgets (0.28–0.37 against 0.44–0.45) but without trustworthy standard errors.

Steps: draw all orders up front from ``numpy.random.default_rng(seed)`` (reproducible, and
independent of the batch size); for a batch of orders, build every prefix mask with one
cumulative OR; evaluate v on the coalitions not met before in one call (a model game sends
them to the coalition engine, with its disk cache and workers); marginal contributions are
differences of consecutive prefixes.

For model games :func:`model_shapley` switches automatically: exact (all 2**n coalitions)
up to ``exact_limit = 15`` parties (32,768 solves), sampled above.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, Unpack, get_args

import numpy as np

from fairpool.optimizer.coalitions import (
    CoalitionEngine,
    CoalitionModel,
    CoalitionSettings,
    EngineOptions,
    current_settings,
    model_game,
)
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game, Orientation
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.shapley import shapley
from fairpool.optimizer.solutions.stratified import (
    CoalitionValues,
    ValueFunction,
    shapley_stratum_weights,
    stratified_estimate,
)

SamplingMethod = Literal[
    "rotations",
    "rotations_antithetic",
    "stratified",
    "stratified_antithetic",
    "antithetic",
    "permutation",
]
"""How :func:`sampled_shapley` samples (see the module docstring)."""

METHODS: tuple[SamplingMethod, ...] = get_args(SamplingMethod)

PERMUTATION_METHODS: tuple[SamplingMethod, ...] = (
    "rotations",
    "rotations_antithetic",
    "antithetic",
    "permutation",
)
"""The methods that average marginal contributions along whole orders (always efficient)."""

DEFAULT_METHOD: SamplingMethod = "rotations_antithetic"
"""Chosen by ``benchmarks/sampling.py`` (figures in the module docstring)."""

RAW_ESTIMATE = "raw_estimate_"
"""Prefix of the details keys holding a stratified estimate before the efficiency correction."""

STANDARD_ERROR = "standard_error_"
"""Prefix of the details keys holding each party's standard error: ``standard_error_<party>``."""

EXACT_LIMIT = CoalitionSettings().exact_limit
"""Default of the switch: model games with more parties get the sampled Shapley value."""


def sampled_shapley(
    value: ValueFunction | Game | CoalitionModel,
    n_players: int | None = None,
    permutations: int | None = None,
    seed: int | None = None,
    antithetic: bool | None = None,
    *,
    method: SamplingMethod | None = None,
    evaluations: int | None = None,
    efficient: bool = True,
    players: Sequence[str] | None = None,
    batch_size: int = 2048,
    **same_options: Unpack[EngineOptions],
) -> Allocation:
    """The Shapley value estimated from about ``evaluations`` coalition values (module docstring).

    Args:
        value: a :class:`~optimizer.game.Game`, a :class:`~optimizer.coalitions.CoalitionModel`
            (its values come from the coalition engine; ``same_options`` are the engine's
            workers, cache, scheduler and progress), or a vectorised function of masks.
        n_players: needed only for a plain function.
        permutations: the budget in random orders, when ``evaluations`` is not given: an order
            costs n − 1 coalition values, so the budget is permutations · (n − 1) + 2 whatever
            the method (rounded up to whole pairs or blocks of rotations). Default from
            :func:`~optimizer.coalitions.coalition_settings` (2000).
        seed: seed of the draw; same seed, same estimate. Default from the settings (0).
        antithetic: the former switch, used when ``method`` is not given: True =
            ``"antithetic"``, False = ``"permutation"``, None = :data:`DEFAULT_METHOD`.
        method: ``"rotations_antithetic"`` (default), ``"rotations"``, ``"antithetic"``,
            ``"permutation"``, ``"stratified"`` or ``"stratified_antithetic"`` (module
            docstring).
        evaluations: the budget in coalition values v(S) asked for (counted as in the module
            docstring); overrides ``permutations``.
        efficient: stratified methods only: shift the estimate onto Σ φ_i = v(N) (the
            least-squares correction of the module docstring); False keeps the raw estimate.
        players: party ids (default: the game's or model's, else ``"0"``, ``"1"``, …).
        batch_size: orders per call to ``value`` (stratified: ``batch_size`` · (n + 1)
            coalitions per call).

    Returns:
        ``Allocation("shapley", …)`` whose ``details`` hold ``estimator`` ("permutation
        sampling" or "stratified sampling"), ``method``, ``evaluations`` (asked for),
        ``distinct_coalitions`` (evaluated), ``permutations`` (orders drawn; stratified: the
        budget in orders), ``seed``, ``antithetic``, ``rotations``, ``efficiency`` ("exact",
        "corrected" or "raw") and ``standard_error_<party>`` for each party
        (read them back with :func:`standard_errors`); stratified methods add
        ``efficiency_gap`` (v(N) − Σ raw estimate) and ``raw_estimate_<party>``.

    Example:
        >>> g = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
        >>> sampled_shapley(g, permutations=4, seed=1).as_dict()
        {'A': 2.5, 'B': 3.5}
    """
    settings = current_settings(permutations=permutations, seed=seed)
    chosen = _method(method, antithetic)
    function, n, names, engine = coalition_function(value, n_players, players, same_options)
    seed_value = int(settings.seed)
    if evaluations is None:
        orders = int(settings.permutations)
        if chosen == "antithetic":
            orders += orders % 2
        budget = orders * max(n - 1, 1) + 2
    else:
        budget = int(evaluations)
        orders = max(math.ceil((budget - 2) / max(n - 1, 1)), 1)
    try:
        if chosen in PERMUTATION_METHODS:
            return _permutation_shapley(function, n, names, orders, seed_value, chosen, batch_size)
        result = stratified_estimate(
            function,
            n,
            shapley_stratum_weights(n),
            budget,
            seed_value,
            antithetic=chosen == "stratified_antithetic",
            chunk=batch_size * (n + 1),
        )
    finally:
        if engine is not None:
            engine.close()
    variance = result.variance
    gap = result.total - float(result.estimate.sum())
    shares = result.estimate
    if efficient and variance.sum() > 0:
        shares, variance = efficiency_corrected(result.estimate, variance, result.total)
    details: dict[str, float | str] = {
        "estimator": "stratified sampling",
        "method": chosen,
        "evaluations": float(result.evaluations),
        "distinct_coalitions": float(result.distinct),
        "permutations": float((result.evaluations - 2) / max(n - 1, 1)),
        "seed": float(seed_value),
        "antithetic": "yes" if chosen == "stratified_antithetic" else "no",
        "rotations": "no",
        "efficiency": "corrected" if efficient else "raw",
        "efficiency_gap": gap,
    }
    details.update(
        {f"{RAW_ESTIMATE}{p}": float(x) for p, x in zip(names, result.estimate, strict=True)}
    )
    details.update(
        {f"{STANDARD_ERROR}{p}": math.sqrt(e) for p, e in zip(names, variance, strict=True)}
    )
    return Allocation("shapley", names, shares, details)


def efficiency_corrected(
    estimate: np.ndarray, variance: np.ndarray, total: float
) -> tuple[np.ndarray, np.ndarray]:
    """The estimate moved onto Σ x_i = total, and its variances.

    For independent unbiased estimates φ̂_i with variances σ_i², the unbiased x closest to φ̂
    in the metric Σ (x_i − φ̂_i)²/σ_i² subject to Σ x_i = total is

        x_i = φ̂_i + σ_i² / Σ_j σ_j² · (total − Σ_j φ̂_j),   Var x_i = σ_i² − σ_i⁴ / Σ_j σ_j²

    (the constrained least-squares estimate; Williamson & Feng 2020, "Efficient nonparametric
    statistical inference on population feature importance using Shapley values", ICML).
    Parties estimated exactly (σ_i = 0) keep their values.
    """
    spread = float(variance.sum())
    if spread <= 0:
        return estimate, variance
    gap = total - float(estimate.sum())
    corrected = np.clip(variance - variance**2 / spread, 0.0, None)  # ≥ 0 up to rounding
    return estimate + variance / spread * gap, corrected


def coalition_function(
    value: ValueFunction | Game | CoalitionModel,
    n_players: int | None,
    players: Sequence[str] | None,
    same_options: EngineOptions,
) -> tuple[ValueFunction, int, tuple[str, ...], CoalitionEngine | None]:
    """(v on masks, n, party ids, the engine to close or None) for a game, model or function."""
    engine = None
    if isinstance(value, Game):
        n = value.n
        players = players or value.players
        function: ValueFunction = value.values.__getitem__
    elif isinstance(value, CoalitionModel):
        n = len(value.players)
        players = players or value.players
        engine = CoalitionEngine(value, **same_options)
        function = engine.values
    else:
        if n_players is None:
            raise CaseError("sampling a value function needs n_players")
        n = n_players
        function = value
    names = tuple(players) if players else tuple(str(i) for i in range(n))
    if len(names) != n:
        raise CaseError(f"{n} parties but {len(names)} party ids")
    if n > 62:
        raise CaseError(f"{n} parties do not fit a 64-bit coalition mask")
    return function, n, names, engine


def _method(method: SamplingMethod | None, antithetic: bool | None) -> SamplingMethod:
    """The method asked for: ``method``, else the legacy ``antithetic`` switch, else the default."""
    if method is None:
        if antithetic is None:
            return DEFAULT_METHOD
        return "antithetic" if antithetic else "permutation"
    if method not in METHODS:
        raise CaseError(f"unknown sampling method {method!r}; methods are {', '.join(METHODS)}")
    if antithetic is not None and antithetic != method.endswith("antithetic"):
        raise CaseError(f"method {method!r} contradicts antithetic={antithetic}")
    return method


def _permutation_shapley(
    function: ValueFunction,
    n: int,
    players: tuple[str, ...],
    count: int,
    seed: int,
    method: SamplingMethod,
    batch_size: int,
) -> Allocation:
    """The estimate from about ``count`` orders: independent, antithetic pairs, or blocks of
    the n rotations of an order (of an order and its reverse with ``rotations_antithetic``)."""
    antithetic = method in ("antithetic", "rotations_antithetic")
    rotations = n if method.startswith("rotations") else 1
    # orders per draw, and what a draw costs in orders: the reverses of a block of rotations
    # have the same prefixes (complements of cyclic intervals are cyclic intervals): free
    per_draw = rotations * (2 if antithetic else 1)
    cost = rotations if rotations > 1 else per_draw
    draws = math.ceil(count / cost)
    if draws < 2:
        raise CaseError(
            f"{count} permutations give no standard error: draw at least {2 * cost} "
            + (
                "(antithetic orders come in pairs)"
                if cost == 2
                else f"({method}: blocks of {cost})"
            )
        )
    orders = _draw_orders(n, draws, seed)
    if rotations > 1:  # row b·n + r: order b rotated by r places
        shift = (np.arange(n)[:, None] + np.arange(n)[None, :]) % n
        orders = orders[:, shift].reshape(-1, n)
    values = CoalitionValues(function, batch_size * (n + 1))
    step = max(batch_size // rotations, 1) * rotations
    contributions = np.concatenate(
        [
            _marginal_contributions(values.values, orders[start : start + step], antithetic)
            for start in range(0, len(orders), step)
        ]
    )
    if rotations > 1:  # one row per block
        contributions = contributions.reshape(draws, rotations, n).mean(axis=1)
    # one row per independent draw: an order, an antithetic pair's mean or a block's mean
    estimate = contributions.mean(axis=0)
    errors = contributions.std(axis=0, ddof=1) / math.sqrt(draws)
    drawn = draws * per_draw
    asked = draws * cost * max(n - 1, 1) + 2
    details: dict[str, float | str] = {
        "estimator": "permutation sampling",
        "method": method,
        "evaluations": float(asked),
        "distinct_coalitions": float(values.distinct),
        "permutations": float(drawn),
        "seed": float(seed),
        "antithetic": "yes" if antithetic else "no",
        "rotations": "yes" if rotations > 1 else "no",
        "efficiency": "exact",
    }
    details.update({f"{STANDARD_ERROR}{p}": float(e) for p, e in zip(players, errors, strict=True)})
    return Allocation("shapley", players, estimate, details)


def _draw_orders(n: int, count: int, seed: int) -> np.ndarray:
    """``count`` uniformly random orders of 0 … n−1, one per row."""
    rng = np.random.default_rng(seed)
    return rng.permuted(np.tile(np.arange(n, dtype=np.int64), (count, 1)), axis=1)


def _marginal_contributions(
    value: ValueFunction, orders: np.ndarray, antithetic: bool
) -> np.ndarray:
    """Per order (or antithetic pair): each party's marginal contribution, shape (rows, n).

    prefix[b, k] = mask of the first k parties of order b (k = 0 … n), so party orders[b, k]
    contributes v(prefix[b, k+1]) − v(prefix[b, k]).
    """
    if antithetic:
        orders = np.concatenate([orders, orders[:, ::-1]])
    rows, n = orders.shape
    bits = np.left_shift(np.int64(1), orders)
    prefixes = np.zeros((rows, n + 1), dtype=np.int64)
    np.bitwise_or.accumulate(bits, axis=1, out=prefixes[:, 1:])
    distinct, index = np.unique(prefixes, return_inverse=True)
    values = np.asarray(value(distinct), dtype=np.float64)[index.reshape(prefixes.shape)]
    marginal = np.diff(values, axis=1)
    contributions = np.empty((rows, n))
    np.put_along_axis(contributions, orders, marginal, axis=1)
    if antithetic:
        half = rows // 2
        contributions = (contributions[:half] + contributions[half:]) / 2
    return contributions


def standard_errors(allocation: Allocation) -> np.ndarray | None:
    """Each party's standard error of a sampled allocation, or ``None`` if it is exact."""
    keys = [f"{STANDARD_ERROR}{p}" for p in allocation.players]
    if not all(key in allocation.details for key in keys):
        return None
    return np.array([float(allocation.details[key]) for key in keys])


def confidence_interval(
    allocation: Allocation, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray] | None:
    """(low, high) per party: estimate ± z·SE (normal approximation), or ``None`` if exact.

    z = 1.96 for the default 95 % level.
    """
    errors = standard_errors(allocation)
    if errors is None:
        return None
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + level / 2)
    return allocation.shares - z * errors, allocation.shares + z * errors


def model_shapley(
    model: CoalitionModel,
    orientation: Orientation = "benefit",
    *,
    exact_limit: int | None = None,
    permutations: int | None = None,
    seed: int | None = None,
    method: SamplingMethod | None = None,
    evaluations: int | None = None,
    efficient: bool = True,
    **same_options: Unpack[EngineOptions],
) -> Allocation:
    """The Shapley value of a model game: exact up to ``exact_limit`` parties, sampled above.

    ``exact_limit`` defaults to the settings' 15 (2**15 = 32,768 solves); above it,
    :func:`sampled_shapley` with ``method`` (default :data:`DEFAULT_METHOD`), a budget of
    ``evaluations`` coalition values (default: ``permutations`` · (n − 1) + 2), ``seed``
    and ``efficient``. Cost games get cost shares either way (the Shapley value is linear).
    ``same_options`` go to the coalition engine (workers, cache, scheduler, progress).
    """
    settings = current_settings(exact_limit=exact_limit)
    if len(model.players) <= settings.exact_limit:
        return shapley(model_game(model, orientation, **same_options))
    return sampled_shapley(
        model,
        permutations=permutations,
        seed=seed,
        method=method,
        evaluations=evaluations,
        efficient=efficient,
        **same_options,
    )


__all__ = [
    "DEFAULT_METHOD",
    "EXACT_LIMIT",
    "METHODS",
    "RAW_ESTIMATE",
    "STANDARD_ERROR",
    "SamplingMethod",
    "coalition_function",
    "confidence_interval",
    "efficiency_corrected",
    "model_shapley",
    "sampled_shapley",
    "standard_errors",
]
