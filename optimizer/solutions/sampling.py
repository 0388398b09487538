"""The Shapley value by permutation sampling, with standard errors: for games too big to enumerate.

The Shapley value is the average marginal contribution over the n! orders in which the grand
coalition can form:

    φ_i = E_π [ v(P_i^π ∪ {i}) − v(P_i^π) ],   P_i^π = the parties before i in the order π,

so averaging over m random orders gives an unbiased estimate (Castro, Gómez & Tejada,
"Polynomial calculation of the Shapley value based on sampling", Computers & Operations
Research 36, 2009). Its standard error is the standard deviation of the per-order
contributions over √m. Every order contributes exactly v(N) in total, so the estimate is
efficient (Σ φ̂_i = v(N)) whatever the sample.

**Antithetic orders** (default): each random order π is paired with its reverse. A party
early in π is late in the reverse, and for the usual games (values growing with size) the two
marginal contributions are negatively correlated, so the pair's mean varies less than two
independent draws (Illés & Kerényi 2019, "Estimation of the Shapley value by ergodic
sampling"; Mitchell et al. 2022, "Sampling permutations for Shapley value estimation", JMLR).
The standard error is then computed over the m/2 pair means, which are independent.

Steps: draw all orders up front from ``numpy.random.default_rng(seed)`` (reproducible, and
independent of the batch size); for a batch of orders, build every prefix mask with one
cumulative OR; evaluate v on the batch's distinct prefixes in one call (a model game sends
them to the coalition engine, with its disk cache and workers, so a coalition met twice is
solved once); marginal contributions are differences of consecutive prefixes.

For model games :func:`model_shapley` switches automatically: exact (all 2**n coalitions)
up to ``exact_limit = 15`` parties (32,768 solves), sampled above.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Unpack

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

ValueFunction = Callable[[np.ndarray], np.ndarray]
"""v for an array of coalition masks (any shape), returning an array of the same shape."""

STANDARD_ERROR = "standard_error_"
"""Prefix of the details keys holding each party's standard error: ``standard_error_<party>``."""

EXACT_LIMIT = CoalitionSettings().exact_limit
"""Default of the switch: model games with more parties get the sampled Shapley value."""


def sampled_shapley(
    value: ValueFunction | Game | CoalitionModel,
    n_players: int | None = None,
    permutations: int | None = None,
    seed: int | None = None,
    antithetic: bool = True,
    *,
    players: Sequence[str] | None = None,
    batch_size: int = 2048,
    **same_options: Unpack[EngineOptions],
) -> Allocation:
    """The Shapley value estimated from ``permutations`` random orders (see module docstring).

    Args:
        value: a :class:`~optimizer.game.Game`, a :class:`~optimizer.coalitions.CoalitionModel`
            (its values come from the coalition engine; ``same_options`` are the engine's
            workers, cache, scheduler and progress), or a vectorised function of masks.
        n_players: needed only for a plain function.
        permutations: orders to draw (rounded up to even when antithetic); default from
            :func:`~optimizer.coalitions.coalition_settings` (2000).
        seed: seed of the draw; same seed, same estimate. Default from the settings (0).
        antithetic: pair every order with its reverse.
        players: party ids (default: the game's or model's, else ``"0"``, ``"1"``, …).
        batch_size: orders evaluated per call to ``value``.

    Returns:
        ``Allocation("shapley", …)`` whose ``details`` hold ``estimator`` ("permutation
        sampling"), ``permutations``, ``seed``, ``antithetic`` and ``standard_error_<party>``
        for each party (read them back with :func:`standard_errors`).

    Example:
        >>> g = Game.from_mapping(["A", "B"], {"A": 1, "B": 2, "A+B": 6})
        >>> sampled_shapley(g, permutations=4, seed=1).as_dict()
        {'A': 2.5, 'B': 3.5}
    """
    settings = current_settings(permutations=permutations, seed=seed)
    if isinstance(value, Game):
        game = value
        n = game.n
        players = players or game.players
        function: ValueFunction = game.values.__getitem__
        engine = None
    elif isinstance(value, CoalitionModel):
        n = len(value.players)
        players = players or value.players
        engine = CoalitionEngine(value, **same_options)
        function = engine.values
    else:
        if n_players is None:
            raise CaseError("sampled_shapley of a value function needs n_players")
        n = n_players
        function = value
        engine = None
    players = tuple(players) if players else tuple(str(i) for i in range(n))
    if len(players) != n:
        raise CaseError(f"{n} parties but {len(players)} party ids")
    if n > 62:
        raise CaseError(f"{n} parties do not fit a 64-bit coalition mask")
    count = int(settings.permutations)
    pairs = math.ceil(count / 2) if antithetic else count
    if pairs < 2:
        raise CaseError(
            f"{count} permutations give no standard error: draw at least "
            f"{4 if antithetic else 2} (antithetic orders come in pairs)"
        )
    orders = _draw_orders(n, pairs, int(settings.seed))
    try:
        contributions = np.concatenate(
            [
                _marginal_contributions(function, orders[start : start + batch_size], antithetic)
                for start in range(0, pairs, batch_size)
            ]
        )
    finally:
        if engine is not None:
            engine.close()
    # one row per independent draw: an order, or an antithetic pair's mean
    estimate = contributions.mean(axis=0)
    draws = len(contributions)
    spread = contributions.std(axis=0, ddof=1) if draws > 1 else np.full(n, np.inf)
    errors = spread / math.sqrt(draws)
    details: dict[str, float | str] = {
        "estimator": "permutation sampling",
        "permutations": float(pairs * 2 if antithetic else pairs),
        "seed": float(settings.seed),
        "antithetic": "yes" if antithetic else "no",
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
    **same_options: Unpack[EngineOptions],
) -> Allocation:
    """The Shapley value of a model game: exact up to ``exact_limit`` parties, sampled above.

    ``exact_limit`` defaults to the settings' 15 (2**15 = 32,768 solves); above it,
    :func:`sampled_shapley` with ``permutations`` antithetic orders and ``seed``. Cost games
    get cost shares either way (the Shapley value is linear). ``same_options`` go to the
    coalition engine (workers, cache, scheduler, progress).
    """
    settings = current_settings(exact_limit=exact_limit)
    if len(model.players) <= settings.exact_limit:
        return shapley(model_game(model, orientation, **same_options))
    return sampled_shapley(model, permutations=permutations, seed=seed, **same_options)


__all__ = [
    "EXACT_LIMIT",
    "STANDARD_ERROR",
    "confidence_interval",
    "model_shapley",
    "sampled_shapley",
    "standard_errors",
]
