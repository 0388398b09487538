"""The least core, nucleolus and prenucleolus by constraint generation over an oracle.

The sequential LPs of :mod:`fairpool.optimizer.solutions.nucleolus` (Maschler, Peleg &
Shapley 1979, rank-increasing form as in Guajardo & Jörnsten 2015), with every stage's rows
found by a :class:`~fairpool.optimizer.generation.oracle.CoalitionOracle` instead of a scan of
2^n values (Hallefjord, Helming & Jørnsten 1995). Stage k solves, over x and ε,

    ε_k = min ε  s.t.  x(N) = v(N);  x(T) = v(T) − ε_j for every fixed T (fixed at stage j < k);
                       v(S) − x(S) ≤ ε for the generated free S;  [x_i ≥ v({i}) for the nucleolus]

and asks the oracle for the coalitions of largest excess at its optimum x; the violated free
ones join the LP, until the oracle's maximum excess over the free coalitions is ≤ ε + tol. The
restricted LP is a relaxation (its ε is a lower bound of ε_k) and x is feasible for the full
stage LP with ε = the oracle's maximum (an upper bound), so the stage ends exactly at ε_k. Its
positive duals are then those of an optimal dual solution of the full stage LP (the missing
rows have dual 0), so the coalitions with a positive dual are tight at every optimum and are
fixed, those that raise the rank of the fixed collection, exactly as in the explicit version.

Every LP starts with the singletons {i} and their complements N∖{i} (2n values by
``oracle.value``; the nucleolus needs v({i}) anyway). While the fixed collection has rank < n
some singleton {i} is free, hence so is N∖{i} = N − {i}, and the pair bounds every stage LP:
2ε ≥ v({i}) + v(N∖{i}) − v(N). No artificial floor on ε is needed.

Free coalitions. A coalition whose characteristic vector is in the span of the fixed ones is
not free: its excess is fixed, often above the stage level, and the oracle (which maximises
over all coalitions) would return it forever. Such coalitions are passed to the oracle as
``excluded``, lazily: when the oracle names one with an excess above the current ε, it is
added to the excluded list and the oracle asked again. The span test is exact: an integer
basis Z of the null space of the fixed vectors (rational row reduction), S in the span iff
Zᵀ1_S = 0 in integers. :class:`CoalitionOracle` has no way to take Z itself, so exclusions
are by mask: in-span coalitions met earlier are excluded up front at each stage, and while
separations name only in-span coalitions the count asked doubles (up to 4096). With ties
the list can still grow large (the veto game v(S) = w(S) if {A, B} ⊆ S, else 0, of 16
parties excludes ~2^14 masks). An oracle that also offers :class:`SpanSeparation` is given Z
instead (the integer null-space trick: S is free iff |Σ_{i∈S} Z_ij| ≥ 1 for some j, stated
with binaries and no epsilon) and nothing is excluded by mask.

Cost games are solved as the benefit game w = −c on the shares −x: its excesses
w(S) − (−x)(S) = x(S) − c(S) are the cost game's, number for number, so the levels, the
nucleolus and the imputations x_i ≤ c({i}) are those of the savings game used by the explicit
version. Unit-free: the LPs see w / s, s the power of two above the largest |w| known so far
(:func:`~fairpool.optimizer.game.unit_scale`; the LP is rebuilt if a generated coalition
raises it), and every test allows RELATIVE_TOLERANCE of s.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fairpool.optimizer.errors import InfeasibleError, VerificationError
from fairpool.optimizer.game import (
    LP_FEASIBILITY_TOLERANCE,
    RELATIVE_TOLERANCE,
    membership_matrix,
    unit_scale,
)
from fairpool.optimizer.generation.certificate import NucleolusCertificate, certify_nucleolus
from fairpool.optimizer.generation.oracle import CoalitionOracle
from fairpool.optimizer.generation.span import (
    MOST_ASKED,
    ExactSpan,
    SpanSeparation,
    default_count,
)
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions.nucleolus import add_coalition_rows
from fairpool.optimizer.solve import new_highs, run_optimal


@dataclass(frozen=True)
class GenerationProgress:
    """One round of a constraint-generation run, for a progress line.

    ``stage`` 1 is the least core; ``rows`` the free rows in the stage LP; ``epsilon`` the
    restricted LP's ε (a lower bound of the stage level); ``gap`` the oracle's maximum excess
    minus ε (the stage ends when it is within the tolerance), both in the game's units.
    """

    what: str
    stage: int
    round: int
    rows: int
    epsilon: float
    gap: float

    def __str__(self) -> str:
        return (
            f"{self.what} stage {self.stage}, round {self.round}: {self.rows} rows, "
            f"ε = {self.epsilon:.6g}, gap {self.gap:.3g}"
        )


Progress = Callable[[GenerationProgress], None]


class _StageLP:
    """One stage's restricted LP on unit-scaled values: columns x_0 … x_{n−1}, ε (last)."""

    def __init__(
        self, n: int, scale: float, equalities: list[tuple[int, float]], lower: np.ndarray
    ) -> None:
        import highspy

        self.n = n
        self.scale = scale
        self.highs = new_highs()
        self.highs.setOptionValue("primal_feasibility_tolerance", LP_FEASIBILITY_TOLERANCE)
        self.highs.setOptionValue("dual_feasibility_tolerance", LP_FEASIBILITY_TOLERANCE)
        self.highs.addVars(
            n + 1, np.append(lower / scale, -highspy.kHighsInf), np.full(n + 1, highspy.kHighsInf)
        )
        self.highs.changeColCost(n, 1.0)
        self.free_masks: list[int] = []
        masks = np.array([mask for mask, _ in equalities], dtype=np.int64)
        rhs = np.array([value for _, value in equalities]) / scale
        self._add(masks, rhs, rhs, with_epsilon=False)
        self.n_fixed = len(equalities)

    def _add(
        self, masks: np.ndarray, lower: np.ndarray, upper: np.ndarray, with_epsilon: bool
    ) -> None:
        add_coalition_rows(self.highs, masks, self.n, lower, upper, with_epsilon)

    def add_free(self, masks: list[int], values: list[float]) -> None:
        """Rows w(S) − x(S) ≤ ε, i.e. x(S) + ε ≥ w(S)."""
        import highspy

        if not masks:
            return
        lower = np.array(values) / self.scale
        upper = np.full(len(masks), highspy.kHighsInf)
        self._add(np.array(masks, dtype=np.int64), lower, upper, with_epsilon=True)
        self.free_masks.extend(masks)

    def solve(self, what: str) -> tuple[np.ndarray, float]:
        """x and ε, in the game's units."""
        run_optimal(self.highs, what)
        solution = np.array(self.highs.getSolution().col_value)
        return solution[: self.n] * self.scale, float(solution[self.n]) * self.scale

    def tight_masks(self) -> list[int]:
        """Free rows with a positive dual value: tight at every optimum of the stage."""
        duals = np.array(self.highs.getSolution().row_dual)[self.n_fixed :]
        return [mask for mask, dual in zip(self.free_masks, duals, strict=True) if dual > 1e-9]


@dataclass
class StageRun:
    """What a run of the sequential LPs found, in the benefit form w = ±v (see module doc)."""

    n: int
    sign: float
    known: dict[int, float]
    shares: np.ndarray = field(default_factory=lambda: np.zeros(0))
    levels: list[float] = field(default_factory=list)
    fixed: list[tuple[int, float]] = field(default_factory=list)
    excluded: set[int] = field(default_factory=set)
    rounds: int = 0
    rows: int = 0
    separations: int = 0
    max_excess: float = -np.inf
    scale: float = 1.0

    def scale_of_known(self) -> float:
        return unit_scale(np.fromiter(self.known.values(), dtype=np.float64))


def start_run(oracle: CoalitionOracle) -> StageRun:
    """v(N), the singletons and their complements: the first rows of every stage."""
    n = len(oracle.players)
    sign = 1.0 if oracle.orientation == "benefit" else -1.0
    grand = (1 << n) - 1
    run = StageRun(n, sign, {grand: sign * oracle.grand_value})
    if n > 1:
        singles = [1 << i for i in range(n)]
        for mask in dict.fromkeys(singles + [grand ^ s for s in singles]):
            run.known[mask] = sign * oracle.value(mask)
    run.scale = run.scale_of_known()
    return run


def run_stages(
    oracle: CoalitionOracle,
    imputations: bool,
    max_stages: int | None = None,
    count: int | None = None,
    progress: Progress | None = None,
    what: str = "nucleolus",
) -> StageRun:
    """The sequential LPs with generated rows (module docstring); ``max_stages = 1`` stops
    after the least core. Shares are in the benefit form w (multiply by ``sign``)."""
    run = start_run(oracle)
    n = run.n
    grand = (1 << n) - 1
    if n == 1:
        run.shares = np.array([run.known[grand]])
        return run
    count = count or default_count(n)
    singles = [1 << i for i in range(n)]
    standalone = np.array([run.known[s] for s in singles])
    grand_value = run.known[grand]
    if imputations and standalone.sum() > grand_value + n * RELATIVE_TOLERANCE * run.scale:
        raise InfeasibleError(
            "the nucleolus needs imputations, but the parties' standalone values add up to "
            f"{standalone.sum() * run.sign:.6g}, beyond the grand coalition's "
            f"{grand_value * run.sign:.6g}; use the prenucleolus instead"
        )
    overlap = max(float(standalone.sum() - grand_value), 0.0) / n
    lower = standalone - overlap if imputations else np.full(n, -np.inf)
    span = ExactSpan(n)
    span.add(grand)
    run.fixed = [(grand, 0.0)]
    candidates = list(dict.fromkeys(singles + [grand ^ s for s in singles]))
    while span.rank < n:
        stage = len(run.levels) + 1
        epsilon, x, lp = _run_stage(oracle, run, span, candidates, lower, count, progress, what)
        run.levels.append(epsilon)
        run.shares = x
        if max_stages is not None and stage >= max_stages:
            return run
        tight = lp.tight_masks()
        if not tight:
            raise VerificationError(f"{what} stage {stage}: no coalition has a positive dual value")
        for mask in tight:
            if span.add(mask):
                run.fixed.append((mask, epsilon))
        # in-span coalitions met so far whose (now fixed) excess is at the level or above
        # would be named by the oracle at once: exclude them up front
        tolerance = RELATIVE_TOLERANCE * run.scale
        known = [m for m in run.known if m != grand and m not in run.excluded]
        if span.rank < n and known and not isinstance(oracle, SpanSeparation):
            inside = span.contains(known)
            sums = membership_matrix(np.array(known, dtype=np.int64), n) @ x
            excess = np.array([run.known[m] for m in known]) - sums
            run.excluded.update(
                m
                for m, i, e in zip(known, inside, excess, strict=True)
                if i and e >= epsilon - tolerance
            )
        candidates = list(dict.fromkeys([*lp.free_masks, *singles, *(grand ^ s for s in singles)]))
    # x is now the unique solution of the fixed equalities: solve them to full precision
    masks = np.array([m for m, _ in run.fixed], dtype=np.int64)
    rhs = np.array([run.known[m] - level for m, level in run.fixed]) / run.scale
    x = np.linalg.lstsq(membership_matrix(masks, n), rhs, rcond=None)[0]
    x[np.abs(x) < 1e-3 * RELATIVE_TOLERANCE] = 0.0
    run.shares = x * run.scale
    return run


def _run_stage(
    oracle: CoalitionOracle,
    run: StageRun,
    span: ExactSpan,
    candidates: list[int],
    lower: np.ndarray,
    count: int,
    progress: Progress | None,
    what: str,
) -> tuple[float, np.ndarray, _StageLP]:
    """One stage: rows generated until the oracle finds no free coalition above ε + tol."""
    n = run.n
    stage = len(run.levels) + 1
    fixed_masks = {m for m, _ in run.fixed}
    free = [
        m for m, inside in zip(candidates, span.contains(candidates), strict=True) if not inside
    ]

    def build() -> _StageLP:
        equalities = [(m, run.known[m] - level) for m, level in run.fixed]
        lp = _StageLP(n, run.scale, equalities, lower)
        lp.add_free(free, [run.known[m] for m in free])
        return lp

    lp = build()
    in_lp = set(free)
    x, epsilon = lp.solve(f"{what} stage {stage}")
    run.rounds += 1
    rounds = 1
    asked = count
    span_aware = span.rank > 1 and isinstance(oracle, SpanSeparation)
    span_oracle = oracle if span_aware and isinstance(oracle, SpanSeparation) else None
    while True:
        if span_oracle is not None:
            null_space = span.null_basis()
            violations = span_oracle.most_violated_outside_span(
                run.sign * x, null_space, count=count
            )
        else:
            excluded = sorted(fixed_masks - {(1 << n) - 1} | run.excluded)
            violations = oracle.most_violated(run.sign * x, excluded=excluded, count=asked)
        run.separations += 1
        for violation in violations:
            run.known.setdefault(violation.mask, run.sign * violation.value)
        top = violations[0].excess if violations else -np.inf
        tolerance = RELATIVE_TOLERANCE * run.scale
        if progress is not None:
            progress(GenerationProgress(what, stage, rounds, len(in_lp), epsilon, top - epsilon))
        if top <= epsilon + tolerance:
            run.max_excess = top
            return epsilon, x, lp
        above = [v.mask for v in violations if v.excess > epsilon + tolerance]
        above = [m for m in above if m not in in_lp]
        inside = span.contains(above)
        newly_excluded = [m for m, i in zip(above, inside, strict=True) if i]
        rows = [m for m, i in zip(above, inside, strict=True) if not i]
        run.excluded.update(newly_excluded)
        if span_aware and newly_excluded:
            raise VerificationError(
                f"{what} stage {stage}: most_violated_outside_span named a coalition in the "
                "span of the fixed ones"
            )
        if not rows:
            if not newly_excluded:
                raise VerificationError(
                    f"{what} stage {stage}: the oracle names coalitions already in the LP as "
                    f"violated (excess {top:.6g} > ε = {epsilon:.6g})"
                )
            asked = min(2 * asked, MOST_ASKED)  # a run of in-span coalitions: ask for more
            continue  # ask again at the same x, without the in-span coalitions
        asked = count
        free.extend(rows)
        in_lp.update(rows)
        run.rows += len(rows)
        scale = run.scale_of_known()
        if scale != run.scale:  # a generated value beyond the unit range: rebuild the LP
            run.scale = scale
            lp = build()
        else:
            lp.add_free(rows, [run.known[m] for m in rows])
        x, epsilon = lp.solve(f"{what} stage {stage}")
        run.rounds += 1
        rounds += 1


@dataclass(frozen=True)
class GeneratedNucleolus:
    """The (pre)nucleolus found by constraint generation, with its certificate.

    ``levels`` ε_1 ≥ ε_2 ≥ … (ε_1 the least-core value); ``rounds`` LP solves; ``rows``
    generated rows (besides the 2n singleton and complement rows every stage LP starts
    with); ``separations`` oracle calls in the stages (the certificate's: its own count);
    ``excluded`` in-span coalitions excluded by mask; ``values`` coalition values solved
    (``oracle.value``: the 2n start rows); ``coalitions`` {mask: v(S)} of every coalition
    the stages generated (the oracle's orientation), the rows that shape the answer.
    """

    allocation: Allocation
    levels: tuple[float, ...]
    rounds: int
    rows: int
    separations: int
    excluded: int
    values: int
    certificate: NucleolusCertificate
    coalitions: dict[int, float] = field(default_factory=dict)

    @property
    def shares(self) -> np.ndarray:
        return self.allocation.shares


def generated_nucleolus(
    oracle: CoalitionOracle,
    imputations: bool,
    progress: Progress | None = None,
    count: int | None = None,
) -> GeneratedNucleolus:
    """The nucleolus (``imputations``) or prenucleolus of the oracle's game, certified.

    Same answer as :func:`fairpool.optimizer.solutions.nucleolus.nucleolus` /
    :func:`~fairpool.optimizer.solutions.nucleolus.prenucleolus` on the full table, without
    it (module docstring). Raises :class:`InfeasibleError` when there are no imputations and
    :class:`VerificationError` when the certificate (:func:`certify_nucleolus`) fails.
    """
    values_before = oracle.statistics.values
    run = run_stages(oracle, imputations, count=count, progress=progress)
    shares = run.sign * run.shares
    known = {m: run.sign * w for m, w in run.known.items()}
    certificate = certify_nucleolus(oracle, shares, imputations, known, count=count)
    what = "nucleolus" if imputations else "prenucleolus"
    if not certificate.passed:
        raise VerificationError(
            f"the generated {what} failed its certificate ({certificate.reason}); it is not "
            "reported (please file a bug with this case)"
        )
    details = {"levels": len(run.levels), "lp_solves": run.rounds, "rows": run.rows}
    return GeneratedNucleolus(
        Allocation(what, tuple(oracle.players), shares, details),
        tuple(level + 0.0 for level in run.levels),
        run.rounds,
        run.rows,
        run.separations,
        len(run.excluded),
        oracle.statistics.values - values_before,
        certificate,
        known,
    )


__all__ = [
    "GeneratedNucleolus",
    "GenerationProgress",
    "NucleolusCertificate",
    "Progress",
    "StageRun",
    "certify_nucleolus",
    "generated_nucleolus",
    "run_stages",
]
