"""The core questions by constraint generation: one separation, the least core, the core band.

Each question is asked of a :class:`~fairpool.optimizer.generation.oracle.CoalitionOracle`
only (``most_violated`` and ``value``), never of a table of 2^n values (Hallefjord, Helming &
Jørnsten 1995):

* :func:`worst_coalition`: the coalition with the largest excess e(S, x) at a split, its
  value solved again as a certificate;
* :func:`generated_least_core`: ε* = min ε s.t. x(N) = v(N), e(S, x) ≤ ε for every proper S,
  the first stage of the sequential LPs of :mod:`.nucleolus`;
* :func:`~fairpool.optimizer.generation.nucleolus.generated_nucleolus`: the (pre)nucleolus,
  certified by Kohlberg's criterion;
* :func:`generated_core_interval`: the values of t where base + t·direction is in the core.

Excesses are in the game's own orientation (v(S) − x(S), or x(S) − c(S) for cost games), as
the oracle reports them; tolerances are relative to the largest coalition value known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fairpool.optimizer.errors import CaseError, VerificationError
from fairpool.optimizer.game import RELATIVE_TOLERANCE, coalition_label, unit_scale
from fairpool.optimizer.generation.certificate import NucleolusCertificate, certify_nucleolus
from fairpool.optimizer.generation.nucleolus import (
    GeneratedNucleolus,
    GenerationProgress,
    Progress,
    generated_nucleolus,
    run_stages,
)
from fairpool.optimizer.generation.oracle import CoalitionOracle
from fairpool.optimizer.generation.span import SpanSeparation, default_count
from fairpool.optimizer.results import Allocation

_CORE_INTERVAL_ROUNDS = 10_000
"""Guard against a misbehaving oracle: the core interval's rows are finite anyway."""


@dataclass(frozen=True)
class WorstCoalition:
    """The coalition a split hurts most, with its certificate.

    ``excess`` e(S, x) = v(S) − x(S) (cost games: x(S) − c(S)) recomputed from ``value``, the
    value solved again by ``oracle.value``; ``claimed_value`` and ``claimed_excess`` are the
    separation's own numbers (equal within ``tolerance``). ``blocks``: e(S, x) > tolerance,
    i.e. S would rather leave (x is not in the core).
    """

    mask: int
    coalition: str
    value: float
    excess: float
    claimed_value: float
    claimed_excess: float
    tolerance: float

    @property
    def blocks(self) -> bool:
        return self.excess > self.tolerance


def worst_coalition(oracle: CoalitionOracle, shares: np.ndarray) -> WorstCoalition:
    """One separation: argmax_S e(S, x) over the proper non-empty coalitions, certified.

    The coalition's value is solved again (``oracle.value``) and its excess recomputed from
    it; a claimed value that differs by more than RELATIVE_TOLERANCE of the scale (the larger
    of |v(N)|, |v(S)| and max |x_i|) raises :class:`VerificationError`. A one-party game has
    no proper coalition: :class:`CaseError`.
    """
    x = np.asarray(shares, dtype=np.float64)
    violations = oracle.most_violated(x, count=1)
    if not violations:
        raise CaseError("a game of one party has no coalition besides the grand one")
    claimed = violations[0]
    value = oracle.value(claimed.mask)
    members = x[[i for i in range(len(x)) if claimed.mask >> i & 1]].sum()
    excess = value - members if oracle.orientation == "benefit" else members - value
    numbers = np.array([oracle.grand_value, value, claimed.value, *x])
    tolerance = RELATIVE_TOLERANCE * unit_scale(numbers)
    label = coalition_label(oracle.players, claimed.mask)
    if abs(value - claimed.value) > tolerance or abs(excess - claimed.excess) > tolerance:
        raise VerificationError(
            f"the separation named {label} with value {claimed.value:.10g} and excess "
            f"{claimed.excess:.10g}, but its value solves to {value:.10g} (excess "
            f"{excess:.10g}); the oracle is inconsistent"
        )
    return WorstCoalition(
        claimed.mask, label, value, float(excess), claimed.value, claimed.excess, tolerance
    )


@dataclass(frozen=True)
class GeneratedLeastCore:
    """The least core by constraint generation.

    ``epsilon`` ε* (the core is empty iff ε* > 0); ``allocation`` a point x of the least core
    (the LP's optimal vertex, not the prenucleolus the explicit ``least_core`` reports);
    ``rounds`` LP solves, ``rows`` generated rows (besides the 2n singleton and complement
    rows the LP starts with), ``separations`` oracle calls. Certificate:
    ``max_excess``, the final separation's max_S e(S, x), is ≤ ε* + ``tolerance`` (x is in
    the ε*-core of the whole game) while ε* is the optimum of an LP on a subset of the rows
    (no split does better): so ε* is exact to the tolerance. ``coalitions``: {mask: v(S)}
    of every coalition the LP held (the oracle's orientation).
    """

    epsilon: float
    allocation: Allocation
    rounds: int
    rows: int
    separations: int
    max_excess: float
    tolerance: float
    coalitions: dict[int, float] = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        return self.max_excess <= self.epsilon + self.tolerance


def generated_least_core(
    oracle: CoalitionOracle, progress: Progress | None = None, count: int | None = None
) -> GeneratedLeastCore:
    """ε* = min ε s.t. x(N) = v(N), e(S, x) ≤ ε for every proper S (Maschler, Peleg & Shapley
    1979), with rows added by separation (``count`` coalitions asked per round, default
    :func:`~fairpool.optimizer.generation.span.default_count`).

    The LP starts with the singletons and their complements (2n values) and adds the violated
    coalitions the oracle names, until its maximum excess is ≤ ε + tol. Example: the glove
    game v(12) = v(13) = v(123) = 1 has ε* = 0 (its core is the point (1, 0, 0)).
    """
    run = run_stages(oracle, False, max_stages=1, count=count, progress=progress, what="least core")
    epsilon = run.levels[0] + 0.0 if run.levels else 0.0
    tolerance = RELATIVE_TOLERANCE * run.scale
    shares = run.sign * run.shares
    allocation = Allocation("least_core", tuple(oracle.players), shares, {"epsilon": epsilon})
    max_excess = run.max_excess if run.levels else -np.inf
    known = {m: run.sign * w for m, w in run.known.items()}
    result = GeneratedLeastCore(
        epsilon, allocation, run.rounds, run.rows, run.separations, max_excess, tolerance, known
    )
    if not result.certified:  # run_stages stops only when it holds
        raise VerificationError(f"least core: final max excess {max_excess:.6g} > ε* {epsilon:.6g}")
    return result


def generated_core_interval(
    oracle: CoalitionOracle,
    base: np.ndarray,
    direction: np.ndarray,
    low: float,
    high: float,
    progress: Progress | None = None,
    count: int | None = None,
) -> tuple[float, float] | None:
    """The t ∈ [low, high] where x(t) = base + t·direction is in the core; ``None`` if none.

    Every proper S gives one linear row e_S(t) = e_S(0) + t·Δ_S ≤ tol (e the excess in the
    game's orientation, Δ_S its change per unit of t), and efficiency |x(t)(N) − v(N)| ≤ tol
    another two; the core band is their intersection, an interval. Each end is an LP in t
    (max t, then min t) over the rows generated so far: its optimum t̂ is checked by one
    separation at x(t̂); if the maximum excess there is ≤ tol, t̂ is the end (the rows kept are
    a relaxation, and t̂ is feasible for all of them), else the violated coalitions join the
    rows. An LP in one variable is a ratio test, done here directly. An empty relaxation
    proves an empty band. The rows cut at tol and an end is accepted at a maximum excess ≤
    2·tol, so that the rounding of an end placed exactly at excess tol cannot loop (a missed
    coalition would move the end by less than tol / |Δ_S|). tol is RELATIVE_TOLERANCE of the
    largest |v| known (v(N) and the generated coalitions) or |x_i| at either end of the line,
    as the explicit ``core_band_on_line`` takes it of the largest |v|.
    """
    x0 = np.asarray(base, dtype=np.float64)
    slope = np.asarray(direction, dtype=np.float64)
    n = len(x0)
    sign = 1.0 if oracle.orientation == "benefit" else -1.0
    count = count or default_count(n)
    grand_value = oracle.grand_value
    # rows as (excess at t = 0, change per unit t), in the game's orientation
    at_zero: list[float] = [x0.sum() - grand_value, grand_value - x0.sum()]
    change: list[float] = [slope.sum(), -slope.sum()]
    # the scale: v(N), the generated values and the shares at both ends of the line
    known: list[float] = [grand_value, *x0, *(x0 + low * slope), *(x0 + high * slope)]
    seen: set[int] = set()

    def band() -> tuple[float, float] | None:
        tolerance = RELATIVE_TOLERANCE * unit_scale(np.array(known))
        e0, d = np.array(at_zero), np.array(change)
        flat = np.abs(d) <= 1e-15 * max(1.0, float(np.abs(slope).sum()))
        if np.any(e0[flat] > tolerance):
            return None
        lo, hi = low, high
        rising, falling = (d > 0) & ~flat, (d < 0) & ~flat
        if rising.any():
            hi = min(hi, float(((tolerance - e0[rising]) / d[rising]).min()))
        if falling.any():
            lo = max(lo, float(((tolerance - e0[falling]) / d[falling]).max()))
        return (lo, hi) if lo <= hi else None

    ends: list[float] = []
    for end in (1, 0):  # the upper end, then the lower one
        for round_number in range(1, _CORE_INTERVAL_ROUNDS + 1):
            interval = band()
            if interval is None:
                return None
            t = interval[end]
            violations = oracle.most_violated(x0 + t * slope, count=count)
            tolerance = RELATIVE_TOLERANCE * unit_scale(np.array(known))
            top = violations[0].excess if violations else -np.inf
            if progress is not None:
                what = "core band " + ("upper" if end else "lower") + " end"
                progress(GenerationProgress(what, 1, round_number, len(seen), t, top))
            if top <= 2 * tolerance:  # the rows put the end at excess = tol exactly
                ends.append(t)
                break
            fresh = [v for v in violations if v.excess > tolerance and v.mask not in seen]
            if not fresh:
                raise VerificationError(
                    f"core band: the oracle names coalitions already among the rows as "
                    f"blocking x({t:.10g}) (excess {top:.6g})"
                )
            for violation in fresh:
                seen.add(violation.mask)
                members = [i for i in range(n) if violation.mask >> i & 1]
                known.append(violation.value)
                # e_S(t) = sign·(v(S) − x0(S) − t·slope(S))
                at_zero.append(sign * (violation.value - x0[members].sum()))
                change.append(-sign * slope[members].sum())
        else:
            raise VerificationError("core band: the separation did not converge")
    return (ends[1], ends[0])


__all__ = [
    "GeneratedLeastCore",
    "GeneratedNucleolus",
    "GenerationProgress",
    "NucleolusCertificate",
    "SpanSeparation",
    "WorstCoalition",
    "certify_nucleolus",
    "generated_core_interval",
    "generated_least_core",
    "generated_nucleolus",
    "worst_coalition",
]
