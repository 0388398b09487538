"""The Banzhaf value by sampling, with standard errors: for games too big to enumerate.

The raw Banzhaf value is the mean marginal contribution of i over the coalitions S ⊆ N∖{i},
all equally likely (Banzhaf 1965; Owen 1975):

    β_i = E_{S ~ uniform on 2^{N∖{i}}} [ v(S ∪ {i}) − v(S) ].

Unbiased samplers, on a budget of coalition values v(S) asked for:

- ``"stratified"``: by coalition size, as for the Shapley value, with stratum
  weights C(n−1, k)/2^{n−1} instead of 1/n (:mod:`~fairpool.optimizer.solutions.stratified`:
  exact end strata, enumerated small strata, Neyman allocation after a pilot). The strata
  of the middle sizes carry most of the weight, so they also get most of the draws.
- ``"uniform"``: draw T uniformly from all 2^n coalitions (each party in with probability
  ½) and read v(T) and v(T △ {i}) for every i: for i ∉ T this is v(T∪{i}) − v(T), for i ∈ T
  v(T) − v(T∖{i}); either way the coalition without i is uniform on 2^{N∖{i}} (given i ∉ T,
  T is uniform there; given i ∈ T, so is T∖{i}). One draw costs n + 1 values and gives every
  party one unbiased marginal contribution, like an order for the Shapley value; the standard
  errors and the covariance between parties come from the m independent rows.
- ``"uniform_antithetic"`` (default): T paired with N∖T (a party's coalition without it is
  then complemented within N∖{i}: the same antithetic idea as for orders), the pair averaged;
  the SE over the pair means. A pair costs 2(n + 1) values.

Choice of the default (``python benchmarks/sampling.py --banzhaf``: 50 seeds, budgets of
100 and 1000 orders' worth, i.e. 100 · (n − 1) + 2 values). Root-mean-square error of the raw
value relative to ``"uniform"``, 100 / 1000 orders:

    game            uniform_antithetic   stratified
    random    n=14     1.02 / 1.01       1.77 / 1.41
    airport   n=16     0.76 / 0.78       1.86 / 1.37
    voting    n=15     1.44 / 1.41       2.58 / 1.96
    convex    n=14     0.57 / 0.56       0.53 / 0.59
    infrastr. n=12     0.47 / 0.52       1.71 / 1.24

The stratified sampler pays two values per marginal contribution where a uniform draw pays
n + 1 for n, and loses almost everywhere. Pairing with complements halves the error on the
cost-sharing games (airport, convex, the infrastructure model) and costs 40 % on the simple
voting game; its geometric-mean ratio over the ten rows is 0.79, hence the default. The 2·SE
coverage was 83–96 % for the uniform samplers except on the airport game (44–61 %): there a
party's marginal cost is non-zero only when every member of T has a shorter runway, an event
of probability down to 2^{−(n−1)} that a sample of this size never meets, so the estimate and
its SE are both 0 while the exact value is a tiny positive number.

Normalised value (``normalised=True``, as :func:`~fairpool.optimizer.solutions.banzhaf.banzhaf`):
x_i = β̂_i · v(N) / Σ_j β̂_j; its standard errors by the delta method,
Cov x = J C Jᵀ with J = (v(N)/T)(I − β̂ 1ᵀ/T), T = Σ_j β̂_j and C the covariance of β̂
(diagonal for the stratified sampler, whose parties are sampled independently). The ratio
makes x slightly biased (order 1/m); β̂ itself is unbiased.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Unpack, get_args

import numpy as np

from fairpool.optimizer.coalitions import CoalitionModel, EngineOptions, current_settings
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import RELATIVE_TOLERANCE, Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.sampling import STANDARD_ERROR, coalition_function
from fairpool.optimizer.solutions.stratified import (
    CoalitionValues,
    ValueFunction,
    banzhaf_stratum_weights,
    stratified_estimate,
)

BanzhafSampling = Literal["stratified", "uniform", "uniform_antithetic"]
"""How :func:`sampled_banzhaf` samples (see the module docstring)."""

BANZHAF_METHODS: tuple[BanzhafSampling, ...] = get_args(BanzhafSampling)

DEFAULT_BANZHAF_METHOD: BanzhafSampling = "uniform_antithetic"
"""Chosen by ``benchmarks/sampling.py --banzhaf`` (figures in the module docstring)."""


def sampled_banzhaf(
    value: ValueFunction | Game | CoalitionModel,
    n_players: int | None = None,
    evaluations: int | None = None,
    seed: int | None = None,
    *,
    method: BanzhafSampling = DEFAULT_BANZHAF_METHOD,
    normalised: bool = True,
    permutations: int | None = None,
    players: Sequence[str] | None = None,
    batch_size: int = 2048,
    **same_options: Unpack[EngineOptions],
) -> Allocation:
    """The Banzhaf value estimated from about ``evaluations`` coalition values.

    Args:
        value: a :class:`~optimizer.game.Game`, a :class:`~optimizer.coalitions.CoalitionModel`
            (values from the coalition engine with ``same_options``) or a function of masks.
        n_players: needed only for a plain function.
        evaluations: the budget in coalition values asked for; default
            ``permutations`` · (n − 1) + 2, the budget of :func:`~.sampling.sampled_shapley`.
        seed: seed of the draw; same seed, same estimate. Default from the settings (0).
        method: ``"uniform_antithetic"`` (default), ``"uniform"`` or ``"stratified"`` (module
            docstring).
        normalised: scale the shares to add up to v(N) (standard errors by the delta method).
        permutations: the budget in orders when ``evaluations`` is not given (settings: 2000).
        players: party ids (default: the game's or model's, else ``"0"``, ``"1"``, …).
        batch_size: coalitions per call to ``value`` are ``batch_size`` · (n + 1).

    Returns:
        ``Allocation("banzhaf", …)`` whose ``details`` hold ``estimator``, ``method``,
        ``evaluations``, ``distinct_coalitions``, ``seed``, ``normalised`` (and ``scale``),
        ``raw_estimate_<party>`` and ``standard_error_<party>`` (of the shares returned).

    Raises:
        CaseError: unknown method, a budget too small for two draws, or ``normalised`` with
            raw values summing to zero while v(N) does not.

    Example (the weighted voting game 50, 49, 1 with quota 51; exact β = 0.75, 0.25, 0.25;
    40 values let the stratified sampler enumerate every stratum of 3 parties):
        >>> g = Game.from_mapping(["A", "B", "C"], {"A": 0, "B": 0, "C": 0, "A+B": 1,
        ...                                         "A+C": 1, "B+C": 0, "A+B+C": 1})
        >>> sampled_banzhaf(g, evaluations=40, method="stratified", normalised=False).as_dict()
        {'A': 0.75, 'B': 0.25, 'C': 0.25}
    """
    if method not in BANZHAF_METHODS:
        raise CaseError(
            f"unknown Banzhaf sampling method {method!r}; methods are {', '.join(BANZHAF_METHODS)}"
        )
    settings = current_settings(permutations=permutations, seed=seed)
    function, n, names, engine = coalition_function(value, n_players, players, same_options)
    budget = int(settings.permutations) * max(n - 1, 1) + 2 if evaluations is None else evaluations
    seed_value = int(settings.seed)
    try:
        if method == "stratified":
            result = stratified_estimate(
                function,
                n,
                banzhaf_stratum_weights(n),
                budget,
                seed_value,
                chunk=batch_size * (n + 1),
            )
            raw, covariance = result.estimate, np.diag(result.variance)
            grand, asked, distinct = result.total, result.evaluations, result.distinct
        else:
            values = CoalitionValues(function, batch_size * (n + 1))
            antithetic = method == "uniform_antithetic"
            raw, covariance, asked = _uniform_estimate(values, n, budget, seed_value, antithetic)
            ends = values.values(np.array([0, (1 << n) - 1], dtype=np.int64))
            grand, distinct = float(ends[1] - ends[0]), values.distinct
    finally:
        if engine is not None:
            engine.close()
    details: dict[str, float | str] = {
        "estimator": "stratified sampling" if method == "stratified" else "coalition sampling",
        "method": method,
        "evaluations": float(asked),
        "distinct_coalitions": float(distinct),
        "seed": float(seed_value),
        "normalised": "yes" if normalised else "no",
    }
    details.update({f"raw_estimate_{p}": float(x) for p, x in zip(names, raw, strict=True)})
    shares = raw
    if normalised:
        shares, covariance, scale = _normalise(raw, covariance, grand)
        details["scale"] = scale
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    details.update({f"{STANDARD_ERROR}{p}": float(e) for p, e in zip(names, errors, strict=True)})
    return Allocation("banzhaf", names, shares, details)


def _uniform_estimate(
    values: CoalitionValues, n: int, budget: int, seed: int, antithetic: bool
) -> tuple[np.ndarray, np.ndarray, int]:
    """(β̂, covariance of β̂, values asked for) from uniform coalitions T and their neighbours."""
    per_draw = (n + 1) * (2 if antithetic else 1)
    draws = (budget - 2) // per_draw
    if draws < 2:
        raise CaseError(
            f"{budget} coalition evaluations give no standard error for {n} parties: "
            f"give at least {2 * per_draw + 2}"
        )
    rng = np.random.default_rng(seed)
    bits = np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))
    inside = rng.random((draws, n)) < 0.5
    coalitions = inside.astype(np.int64) @ bits
    rows = _marginal_rows(values, coalitions, bits, inside)
    if antithetic:
        rows = (rows + _marginal_rows(values, (1 << n) - 1 - coalitions, bits, ~inside)) / 2
    estimate = rows.mean(axis=0)
    covariance = np.atleast_2d(np.cov(rows, rowvar=False)) / draws
    return estimate, covariance, draws * per_draw + 2


def _marginal_rows(
    values: CoalitionValues, coalitions: np.ndarray, bits: np.ndarray, inside: np.ndarray
) -> np.ndarray:
    """Row t, column i: v(T_t ∪ {i}) − v(T_t ∖ {i}), from v(T_t) and v(T_t △ {i})."""
    here = values.values(coalitions)[:, None]
    flipped = values.values(coalitions[:, None] ^ bits[None, :])
    return np.where(inside, here - flipped, flipped - here)


def _normalise(
    raw: np.ndarray, covariance: np.ndarray, grand: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """x = β̂ v(N)/Σβ̂ and its delta-method covariance J C Jᵀ (module docstring), and the scale."""
    total = float(raw.sum())
    tol = RELATIVE_TOLERANCE * max(abs(grand), float(np.abs(raw).max(initial=0.0)), 1e-300)
    if abs(total) <= tol:
        if abs(grand) <= tol:
            return raw, covariance, 1.0
        raise CaseError(
            "the sampled raw Banzhaf values sum to zero, so they cannot be scaled to add up "
            f"to {grand:g} (the value of the grand coalition); use normalised=False"
        )
    scale = grand / total
    jacobian = scale * (np.eye(len(raw)) - np.outer(raw, np.ones(len(raw))) / total)
    return raw * scale, jacobian @ covariance @ jacobian.T, scale


__all__ = [
    "BANZHAF_METHODS",
    "DEFAULT_BANZHAF_METHOD",
    "BanzhafSampling",
    "sampled_banzhaf",
]
