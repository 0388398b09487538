"""Kohlberg's criterion for a (pre)nucleolus, proved without the table of 2^n values.

Hallefjord, Helming & Jørnsten (1995): run Kohlberg's level check on the coalitions
generated so far, then close it with separations that show no other coalition changes the
levels that matter (:func:`certify_nucleolus`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from fairpool.optimizer.game import VERIFICATION_TOLERANCE, membership_matrix, unit_scale
from fairpool.optimizer.generation.oracle import CoalitionOracle, Violation
from fairpool.optimizer.generation.span import (
    MOST_ASKED,
    ExactSpan,
    SpanSeparation,
    default_count,
)
from fairpool.optimizer.solutions.nucleolus import kohlberg_levels

_CERTIFICATE_ROUNDS = 50
"""Most separations the Kohlberg certificate may spend adding ungenerated coalitions."""


@dataclass(frozen=True)
class NucleolusCertificate:
    """Kohlberg's criterion on the generated coalitions, closed by one separation.

    ``spanning_level`` α*: the excess level at which the generated collection D(α*, x)
    spans ℝⁿ (every level above it balanced); ``collection_size`` |D(α*, x)|, the coalitions
    the closing separation excluded; ``final_max_excess`` its maximum excess over the other
    coalitions (−inf when none is left), which must be ≤ α* + tol. When Kohlberg fails on a
    level, ``failed_level`` is that level and the closing separation proves that no
    ungenerated coalition reaches it. ``separations`` counts the closing separations (one,
    plus one per batch of ungenerated coalitions that had to join the collection, each batch
    asking for twice as many as the last). With an oracle offering
    :class:`~fairpool.optimizer.generation.span.SpanSeparation` the check closes by spans
    instead (one separation per rank-raising level, nothing excluded; ``final_max_excess`` is
    then the last one's maximum).
    """

    passed: bool
    levels_checked: int
    spanning_level: float | None
    failed_level: float | None
    collection_size: int
    final_max_excess: float
    separations: int
    balance_checks: int
    reason: str = ""


def certify_nucleolus(
    oracle: CoalitionOracle,
    shares: np.ndarray,
    imputations: bool,
    known: Mapping[int, float] | None = None,
    count: int | None = None,
) -> NucleolusCertificate:
    """Kohlberg's criterion for ``shares`` (the game's orientation) without the full table.

    Kohlberg (1971): an efficient x is the prenucleolus iff every non-empty collection
    D(α, x) = {S : e(S, x) ≥ α} is balanced (for the nucleolus: D(α, x) ∪ B₀ weakly
    balanced, B₀ the singletons at their standalone value). Hallefjord, Helming & Jørnsten
    (1995) check it on the generated coalitions: ``known`` (mask → value, the game's
    orientation; the singletons are added if missing) is sorted by excess and its level
    collections checked (:func:`~fairpool.optimizer.solutions.nucleolus.kohlberg_levels`)
    down to the level α* where they first span ℝⁿ. One separation excluding the generated
    coalitions with excess ≥ α* − tol then shows that no other coalition exceeds α* + tol.

    That suffices: above α*, D(α, x) holds only generated coalitions, so the levels checked
    are the true ones. At α* and below, D(α, x) ⊇ D(α*, x), a balanced collection of full
    rank, and such a collection stays balanced when any coalition T joins it: 1_T = Σ a_S 1_S
    over D(α*, x) alone (full rank), and δ'_S = δ_S − η a_S, δ'_T = η stay positive for a
    small η > 0 (the weights of B₀ are untouched). So every level is balanced.

    An oracle offering :class:`~fairpool.optimizer.generation.span.SpanSeparation` closes
    the check without excluded masks (:func:`_close_by_spans`), which matters when many
    coalitions tie at the top levels (simple and veto games: 2^(n−2) masks).

    A generated coalition set too small to decide (an ungenerated coalition above α*, or at
    a failing level) is completed from the separation's answers and the check repeated.
    Tolerances are VERIFICATION_TOLERANCE of the scale of the values known.
    """
    n = len(oracle.players)
    grand = (1 << n) - 1
    sign = 1.0 if oracle.orientation == "benefit" else -1.0
    count = count or default_count(n)
    values = dict(known or {})
    values.setdefault(grand, oracle.grand_value)
    for i in range(n):
        if (1 << i) not in values:
            values[1 << i] = oracle.value(1 << i)
    x = sign * np.asarray(shares, dtype=np.float64)
    scale = unit_scale(np.append(np.fromiter(values.values(), dtype=np.float64), x))
    tolerance = VERIFICATION_TOLERANCE * scale
    standalone = np.array([sign * values[1 << i] for i in range(n)])
    if abs(x.sum() - sign * values[grand]) > tolerance:
        return _failed(f"x(N) − v(N) = {x.sum() - sign * values[grand]:.6g}")
    if n == 1:
        return NucleolusCertificate(True, 0, None, None, 0, -np.inf, 0, 0)
    at_standalone = np.zeros(0, dtype=np.int64)
    if imputations:
        if np.any(x < standalone - tolerance):
            return _failed("x is not an imputation")
        at_standalone = 1 << np.flatnonzero(np.abs(x - standalone) <= tolerance).astype(np.int64)
    asked = count
    separations = 0
    for _ in range(_CERTIFICATE_ROUNDS):
        masks = np.array([m for m in values if 0 < m < grand], dtype=np.int64)
        worth = sign * np.array([values[int(m)] for m in masks])
        excess = worth - membership_matrix(masks, n) @ x
        levels = kohlberg_levels(masks, excess, n, tolerance, at_standalone)
        level = levels.spanning_level if levels.passed else levels.failed_level
        if level is None:  # cannot happen: the singletons span ℝⁿ
            return _failed("the generated coalitions do not span ℝⁿ")
        collection = masks[excess >= level - tolerance]
        if levels.passed and isinstance(oracle, SpanSeparation):
            violations, top, decided, calls = _close_by_spans(
                oracle, sign * x, masks, excess, level, tolerance, asked
            )
            separations += calls
        else:
            separations += 1
            violations = oracle.most_violated(
                sign * x, excluded=[int(m) for m in collection], count=asked
            )
            top = violations[0].excess if violations else -np.inf
            decided = top <= level + tolerance if levels.passed else top < level - tolerance
        if decided:
            reason = "" if levels.passed else f"excess level {level:.6g} is not balanced"
            return NucleolusCertificate(
                levels.passed,
                levels.levels_checked,
                levels.spanning_level,
                levels.failed_level,
                len(collection),
                top,
                separations,
                levels.balance_checks,
                reason,
            )
        for violation in violations:
            if violation.excess >= level - tolerance:
                values.setdefault(violation.mask, violation.value)
        asked = min(2 * asked, MOST_ASKED)  # ties: fetch the rest of the level faster
    return _failed(f"undecided after {_CERTIFICATE_ROUNDS} separations")


def _close_by_spans(
    oracle: CoalitionOracle,
    shares: np.ndarray,
    masks: np.ndarray,
    excess: np.ndarray,
    spanning_level: float,
    tolerance: float,
    count: int,
) -> tuple[list[Violation], float, bool, int]:
    """Close Kohlberg's check with span separations instead of excluded masks.

    Levels α_1 > α_2 > … > α* of the generated coalitions, each collection D_gen(α_j)
    balanced. If every coalition with excess above α_{j+1} + tol lies in span D_gen(α_j)
    (and none exceeds α_1 + tol), every true collection D(α) is a balanced D_gen(α_j) joined
    by coalitions in its span, hence balanced (the argument of :func:`certify_nucleolus`).
    One separation per span, at most n, with the span's null-space basis: no mask is
    excluded, however many coalitions tie. Returns the separation that failed (or the last
    one), its maximum excess, whether all passed, and the number of separations.
    """
    assert isinstance(oracle, SpanSeparation)
    n = len(shares)
    order = np.argsort(-excess, kind="stable")
    masks, excess = masks[order], excess[order]
    # (null-space basis or None for "every coalition", threshold)
    checks: list[tuple[np.ndarray | None, float]] = [(None, float(excess[0]) + tolerance)]
    span = ExactSpan(n)
    start = 0
    while start < len(masks) and excess[start] >= spanning_level - tolerance:
        end = start
        while end < len(masks) and excess[end] >= excess[start] - tolerance:
            end += 1
        grew = [span.add(int(m)) for m in masks[start:end]]
        if span.rank == n or end == len(masks):
            break
        threshold = float(excess[end]) + tolerance
        if any(grew):
            checks.append((span.null_basis(), threshold))
        else:  # same span as the previous level: its threshold only goes down
            checks[-1] = (checks[-1][0], threshold)
        start = end
    violations: list[Violation] = []
    top = -np.inf
    for done, (null_space, threshold) in enumerate(checks, start=1):
        if null_space is None:
            violations = oracle.most_violated(shares, count=count)
        else:
            violations = oracle.most_violated_outside_span(shares, null_space, count=count)
        top = violations[0].excess if violations else -np.inf
        if top > threshold:
            return violations, top, False, done
    return violations, top, True, len(checks)


def _failed(reason: str) -> NucleolusCertificate:
    return NucleolusCertificate(False, 0, None, None, 0, np.nan, 0, 0, reason)


__all__ = ["NucleolusCertificate", "certify_nucleolus"]
