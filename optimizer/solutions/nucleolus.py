"""Nucleolus, prenucleolus and least core by sequential LPs with row generation.

Definitions (benefit form v; the excess of S at x is e(S, x) = v(S) − x(S)):

* The **prenucleolus** (Schmeidler 1969) is the efficient x, Σ x_i = v(N), whose vector of
  excesses of the proper coalitions, sorted decreasingly, is lexicographically smallest.
* The **nucleolus** is the same over the imputations, x_i ≥ v({i}) (empty when
  Σ v({i}) > v(N)).
* The **least core** (Maschler, Peleg & Shapley 1979) is the first stage:
  ε* = min { ε : x(N) = v(N), v(S) − x(S) ≤ ε for every proper non-empty S }; the core is
  empty iff ε* > 0.

Algorithm (Maschler, Peleg & Shapley 1979; rank-increasing form as in Guajardo & Jörnsten
2015). Stage k solves

    ε_k = min ε  s.t.  x(N) = v(N);  x(T) = v(T) − ε_j for every fixed T (fixed at stage j < k);
                       v(S) − x(S) ≤ ε for every free S;  [x_i ≥ v({i}) for the nucleolus]

where a coalition is *free* while its characteristic vector is outside the span of the fixed
ones (inside the span, x(S) is already determined). After stage k, the coalitions whose row
has a positive dual value are fixed: by complementary slackness they are tight at *every*
optimum, not just the one HiGHS returned (fixing every coalition that happens to be tight at
one optimum is the classic error; Guajardo & Jörnsten 2015 list published tools that make it).
At least one of them is independent of the fixed set, so the rank grows each stage and the
algorithm ends after at most n − 1 stages, when x is unique.

No LP holds all 2^n coalitions: each stage starts from a few rows and adds the most violated
free coalitions, found by one vectorised scan of all excesses (``coalition_sums``), until none
is violated. The span test is vectorised too: S is in span(F) iff w(S) = 0 for every w in the
null space of F; two fixed random null-space vectors decide it for all masks at once.

Every nucleolus and prenucleolus returned has passed Kohlberg's criterion
(:func:`kohlberg_check`); a failure raises :class:`VerificationError` instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fairpool.optimizer.errors import InfeasibleError, VerificationError
from fairpool.optimizer.game import (
    LP_FEASIBILITY_TOLERANCE,
    RELATIVE_TOLERANCE,
    VERIFICATION_TOLERANCE,
    Game,
    coalition_sums,
    membership_matrix,
    unit_scale,
    value_scale,
)
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solve import new_highs, run_optimal

if TYPE_CHECKING:
    import highspy

_ROWS_PER_ROUND = 64
"""Most violated coalitions added to the LP per separation round (at least 2n)."""


@dataclass(frozen=True)
class SequentialLPResult:
    """Outcome of the sequential LPs, in benefit form.

    Attributes:
        shares: the (pre)nucleolus x.
        levels: ε_1 ≥ ε_2 ≥ … the excess of each stage's newly fixed coalitions; ε_1 is the
            least-core value ε*.
        lp_solves: number of LP solves in all stages.
    """

    shares: np.ndarray
    levels: tuple[float, ...]
    lp_solves: int


@dataclass(frozen=True)
class KohlbergResult:
    """Result of Kohlberg's criterion on an allocation.

    ``passed`` is True when every excess level collection checked was balanced (weakly,
    with the singletons at their standalone value, for the nucleolus). ``failed_level`` is
    the excess value of the first level that is not, if any. ``balance_checks`` counts the
    balancedness LPs the check needed: at most n per pass over the levels (see
    :func:`kohlberg_check`), however many levels there are. ``spanning_level`` is the excess
    level α* at which the collection D(α*, x) first spans ℝⁿ (``None`` if it never does or the
    check failed first): below it every collection is balanced whatever joins it.
    """

    passed: bool
    levels_checked: int
    failed_level: float | None = None
    balance_checks: int = 0
    spanning_level: float | None = None


def add_coalition_rows(
    highs: highspy.Highs,
    masks: np.ndarray,
    n: int,
    lower: np.ndarray,
    upper: np.ndarray,
    with_epsilon: bool,
) -> None:
    """Add the rows lower ≤ x(S) [+ ε] ≤ upper of coalitions ``masks`` to a stage LP whose
    columns are x_0 … x_{n−1} (then ε, the column ``n``): one ``addRows`` call, row-wise."""
    member = membership_matrix(masks, n)
    if with_epsilon:
        member = np.hstack([member, np.ones((len(masks), 1))])
    rows, cols = np.nonzero(member)
    starts = np.searchsorted(rows, np.arange(len(masks))).astype(np.int32)
    highs.addRows(
        len(masks), lower, upper, len(cols), starts, cols.astype(np.int32), np.ones(len(cols))
    )


class _StageLP:
    """The LP of one stage: columns x_0 … x_{n−1}, ε (the last column)."""

    def __init__(
        self,
        values: np.ndarray,
        n: int,
        fixed_masks: list[int],
        fixed_levels: list[float],
        lower_bounds: np.ndarray,
        epsilon_floor: float,
    ) -> None:
        import highspy

        self.values = values
        self.n = n
        self.highs = new_highs()
        self.highs.setOptionValue("primal_feasibility_tolerance", LP_FEASIBILITY_TOLERANCE)
        self.highs.setOptionValue("dual_feasibility_tolerance", LP_FEASIBILITY_TOLERANCE)
        inf = highspy.kHighsInf
        lower = np.append(lower_bounds, epsilon_floor)
        self.highs.addVars(n + 1, lower, np.full(n + 1, inf))
        self.highs.changeColCost(n, 1.0)
        self.row_masks: list[int] = []
        for mask, level in zip(fixed_masks, fixed_levels, strict=True):
            rhs = values[mask] - level
            self._add_rows(np.array([mask]), np.array([rhs]), np.array([rhs]), with_epsilon=False)
        self.n_fixed_rows = len(self.row_masks)

    def _add_rows(
        self, masks: np.ndarray, lower: np.ndarray, upper: np.ndarray, with_epsilon: bool
    ) -> None:
        add_coalition_rows(self.highs, masks, self.n, lower, upper, with_epsilon)
        self.row_masks.extend(int(m) for m in masks)

    def add_free_rows(self, masks: np.ndarray) -> None:
        """Rows v(S) − x(S) ≤ ε, i.e. x(S) + ε ≥ v(S)."""
        import highspy

        inf = np.full(len(masks), highspy.kHighsInf)
        self._add_rows(masks, self.values[masks], inf, with_epsilon=True)

    def solve(self, what: str) -> tuple[np.ndarray, float]:
        run_optimal(self.highs, what)
        solution = np.array(self.highs.getSolution().col_value)
        return solution[: self.n], float(solution[self.n])

    def free_row_duals(self) -> tuple[np.ndarray, np.ndarray]:
        """Masks of the free rows and their dual values."""
        duals = np.array(self.highs.getSolution().row_dual)[self.n_fixed_rows :]
        return np.array(self.row_masks[self.n_fixed_rows :], dtype=np.int64), duals


def _span_residual(fixed_masks: list[int], n: int) -> np.ndarray | None:
    """Two random unit vectors of the null space of the fixed rows (None if it is {0})."""
    member = membership_matrix(np.array(fixed_masks, dtype=np.int64), n)
    _, singular, vt = np.linalg.svd(member)
    rank = int(np.sum(singular > 1e-9 * singular[0]))
    if rank >= n:
        return None
    null_space = vt[rank:].T
    weights = np.random.default_rng(20_251_128).standard_normal((null_space.shape[1], 2))
    directions = null_space @ weights
    return directions / np.linalg.norm(directions, axis=0)


def _rank(masks: list[int] | np.ndarray, n: int) -> int:
    """Rank of the characteristic vectors of ``masks`` (via the n × n Gram matrix)."""
    if len(masks) == 0:
        return 0
    member = membership_matrix(np.asarray(masks, dtype=np.int64), n)
    return int(np.linalg.matrix_rank(member.T @ member))


def sequential_lp(
    game: Game, imputations: bool, max_stages: int | None = None
) -> SequentialLPResult:
    """Run the sequential LPs on the benefit form of ``game`` (see the module docstring).

    ``max_stages = 1`` stops after the least-core LP: ``levels[0]`` is then ε* and
    ``shares`` a point of the least core (whichever optimal vertex HiGHS returned).

    Unit-free: the LPs see v / s, s the power of two just above max |v|
    (:func:`~fairpool.optimizer.game.unit_scale`), and every test allows
    :data:`~fairpool.optimizer.game.RELATIVE_TOLERANCE` of that unit range; shares and levels
    are multiplied by s on the way out. So a game in 元 and the same game in 亿元 run the
    same LPs up to rounding, and HiGHS's feasibility tolerance is relative.
    """
    benefit = game.savings_game()
    n = benefit.n
    grand = benefit.grand_mask
    if n == 1:
        x = np.array([benefit.values[grand]])
        return SequentialLPResult(x, (), 0)
    scale = unit_scale(benefit.values)
    if imputations and _no_imputations(
        benefit.standalone_values / scale, benefit.grand_value / scale
    ):
        raise InfeasibleError(
            "the nucleolus needs imputations, but the parties' standalone values add up to "
            f"{benefit.standalone_values.sum():.6g}, more than the grand coalition's "
            f"{benefit.grand_value:.6g}; use the prenucleolus instead"
        )
    result = _sequential_lp_unit(benefit.values / scale, n, imputations, max_stages)
    return SequentialLPResult(
        result.shares * scale,
        tuple(level * scale for level in result.levels),
        result.lp_solves,
    )


def _no_imputations(standalone: np.ndarray, grand_value: float) -> bool:
    """Σ v({i}) > v(N) beyond the tolerance, on values in a unit range.

    The tolerance is n times the per-party one: the fairness check calls x individually
    rational when x_i ≥ v({i}) − tol for every i, so efficient such x exist as long as
    Σ v({i}) − v(N) ≤ n·tol (the stage LPs then lower each bound by the gap / n).
    """
    return bool(standalone.sum() > grand_value + len(standalone) * RELATIVE_TOLERANCE)


def _sequential_lp_unit(
    v: np.ndarray, n: int, imputations: bool, max_stages: int | None
) -> SequentialLPResult:
    """:func:`sequential_lp` on a benefit form whose values lie in [−1, 1]."""
    grand = (1 << n) - 1
    standalone = v[1 << np.arange(n)]
    tol = RELATIVE_TOLERANCE
    # x_i ≥ v({i}), lowered by a share of Σ v({i}) − v(N) when that is positive but within
    # the tolerance (see _no_imputations), so that the first LP is feasible
    overlap = max(float(standalone.sum() - v[grand]), 0.0) / n
    lower_bounds = standalone - overlap if imputations else np.full(n, -np.inf)
    # Every stage optimum is at least −1.5·max|v| (a free S has a free complement and
    # e(S) + e(N∖S) = v(S) + v(N∖S) − v(N)), so this floor keeps restricted LPs bounded
    # without ever binding at a stage's true optimum.
    epsilon_floor = -2.0 * float(np.max(np.abs(v))) - 1.0

    fixed_masks: list[int] = [grand]
    fixed_levels: list[float] = [0.0]
    free_value = v.copy()
    free_value[0] = -np.inf
    free_value[grand] = -np.inf
    singles = 1 << np.arange(n, dtype=np.int64)
    candidates = np.unique(np.concatenate([singles, grand ^ singles]))
    x = np.full(n, v[grand] / n)
    levels: list[float] = []
    lp_solves = 0
    rows_per_round = max(_ROWS_PER_ROUND, 2 * n)

    rank = 1  # of the fixed coalitions' vectors; N alone so far
    while rank < n:
        lp = _StageLP(v, n, fixed_masks, fixed_levels, lower_bounds, epsilon_floor)
        in_lp = np.zeros(v.shape, dtype=bool)
        start_rows = candidates[np.isfinite(free_value[candidates])]
        lp.add_free_rows(start_rows)
        in_lp[start_rows] = True
        while True:
            x, epsilon = lp.solve(f"nucleolus stage {len(levels) + 1}")
            lp_solves += 1
            excess = free_value - coalition_sums(x)
            excess[in_lp] = -np.inf
            violated = np.flatnonzero(excess > epsilon + tol)
            if violated.size == 0:
                break
            if violated.size > rows_per_round:
                top = np.argpartition(excess[violated], -rows_per_round)[-rows_per_round:]
                violated = violated[top]
            lp.add_free_rows(violated)
            in_lp[violated] = True
        row_masks, duals = lp.free_row_duals()
        tight = row_masks[duals > 1e-9]
        if tight.size == 0:
            raise VerificationError(
                f"nucleolus stage {len(levels) + 1}: no coalition has a positive dual value"
            )
        levels.append(epsilon)
        if max_stages is not None and len(levels) >= max_stages:
            return SequentialLPResult(x, tuple(levels), lp_solves)
        for mask in tight:
            if _rank([*fixed_masks, int(mask)], n) > rank:
                fixed_masks.append(int(mask))
                fixed_levels.append(epsilon)
                rank += 1
        null_directions = _span_residual(fixed_masks, n)
        if null_directions is None:
            break
        in_span = np.ones(v.shape, dtype=bool)
        for direction in null_directions.T:
            in_span &= np.abs(coalition_sums(direction)) <= 1e-9
        free_value[in_span] = -np.inf
        carried = row_masks[np.isfinite(free_value[row_masks])]
        candidates = np.unique(np.concatenate([carried, singles, grand ^ singles]))

    # x is now the unique solution of the fixed equalities: solve them to full precision.
    member = membership_matrix(np.array(fixed_masks, dtype=np.int64), n)
    rhs = v[fixed_masks] - np.array(fixed_levels)
    x = np.linalg.lstsq(member, rhs, rcond=None)[0]
    x[np.abs(x) < 1e-3 * RELATIVE_TOLERANCE] = 0.0  # no "-0.00" in reports (v is in [−1, 1])
    return SequentialLPResult(x, tuple(levels), lp_solves)


def kohlberg_check(game: Game, shares: np.ndarray, imputations: bool) -> KohlbergResult:
    """Kohlberg's criterion (Kohlberg 1971; Peleg & Sudhölter 2007, Thm 5.2.6 and 5.1.6).

    An efficient x is the prenucleolus iff for every α the collection
    D(α, x) = {S proper, non-empty : e(S, x) ≥ α} is *balanced* whenever it is non-empty:
    there are weights δ_S > 0 with Σ_{S∈D} δ_S 1_S = 1_N. For the nucleolus (x an
    imputation) the collection D(α, x) ∪ B₀(x), B₀ = {{i} : x_i = v({i})}, must be weakly
    balanced: δ_S > 0 on D(α, x) and δ_S ≥ 0 on B₀.

    Levels are checked from the largest excess down. A balanced collection stays balanced
    when coalitions in its span join it (write the new 1_T = Σ a_S 1_S in the span and take
    δ'_S = δ_S − η a_S, δ'_T = η for a small η > 0), so only the levels that raise the rank
    need an LP — at most n of them — and once D(α, x) spans ℝⁿ the check stops. Each LP is:
    max t s.t. Σ δ_S 1_S = 1_N, δ_S ≥ t (S ∈ D), t ≤ 1; balanced iff t* > 0.
    ``shares`` are in the game's orientation.
    """
    benefit = game.savings_game()
    x = game.to_benefit_form(np.asarray(shares, dtype=np.float64))
    n = benefit.n
    # Unit-free, like the LPs: shares and values divided by s, failed levels reported back in
    # the game's units. s is the larger of max |v| of the benefit form and of the game as
    # stated: cost shares x_i = c({i}) − y_i carry y only to a float's precision of max |c|,
    # so savings far smaller than the costs cannot be verified more finely than that.
    scale = max(unit_scale(benefit.values), value_scale(game.values))
    v = benefit.values / scale
    x = x / scale
    tol = VERIFICATION_TOLERANCE
    if abs(x.sum() - v[-1]) > tol:
        return KohlbergResult(False, 0, float(x.sum() - v[-1]) * scale)
    if n == 1:
        return KohlbergResult(True, 0)
    standalone = benefit.standalone_values / scale
    if imputations and np.any(x < standalone - tol):
        return KohlbergResult(False, 0, float(np.min(x - standalone)) * scale)
    at_standalone = np.zeros(0, dtype=np.int64)  # singletons {i} with x_i = v({i}), as masks
    if imputations:
        at_standalone = np.left_shift(np.int64(1), np.flatnonzero(np.abs(x - standalone) <= tol))
    excess = v - coalition_sums(x)
    excess[0] = -np.inf
    excess[-1] = -np.inf
    proper = (1 << n) - 2
    take = min(proper, max(4 * n, 256))
    balance_checks = 0
    while True:
        top = np.argpartition(excess, -take)[-take:]
        top = top[np.argsort(-excess[top], kind="stable")]
        result, checks = _check_levels(top, excess[top], at_standalone, n, tol, take == proper)
        balance_checks += checks
        if result is not None:
            failed = None if result.failed_level is None else result.failed_level * scale
            spanning = None if result.spanning_level is None else result.spanning_level * scale
            return dataclasses.replace(
                result,
                failed_level=failed,
                spanning_level=spanning,
                balance_checks=balance_checks,
            )
        take = min(proper, take * 8)


def kohlberg_levels(
    masks: np.ndarray,
    excesses: np.ndarray,
    n: int,
    tolerance: float,
    at_standalone: np.ndarray | None = None,
) -> KohlbergResult:
    """Kohlberg's level check on a given collection of coalitions and their excesses.

    The level logic of :func:`kohlberg_check` without a :class:`Game`: ``masks`` (proper,
    non-empty coalitions) with their ``excesses`` e(S, x) at one allocation, in any order;
    ``at_standalone`` the singletons {i} with x_i = v({i}) (as masks; the nucleolus's B₀,
    empty for the prenucleolus); levels are excesses within ``tolerance`` of each other (in the
    excesses' own units). The collections D(α) = {S in masks : e(S, x) ≥ α} are checked from
    the largest excess down until one spans ℝⁿ (``spanning_level``) or one is not balanced
    (``failed_level``). It proves the criterion for x only when ``masks`` hold every coalition
    with excess at or above the spanning level; the constraint-generation nucleolus
    (:mod:`fairpool.optimizer.generation.certificate`) proves that with separations.
    """
    masks = np.asarray(masks, dtype=np.int64)
    excesses = np.asarray(excesses, dtype=np.float64)
    order = np.argsort(-excesses, kind="stable")
    standalone = np.zeros(0, dtype=np.int64) if at_standalone is None else at_standalone
    result, checks = _check_levels(
        masks[order], excesses[order], np.asarray(standalone, dtype=np.int64), n, tolerance, True
    )
    assert result is not None  # a complete collection always ends with a verdict
    return dataclasses.replace(result, balance_checks=checks)


def _check_levels(
    masks: np.ndarray,
    excess: np.ndarray,
    at_standalone: np.ndarray,
    n: int,
    tol: float,
    complete: bool,
) -> tuple[KohlbergResult | None, int]:
    """Check level collections of ``masks`` (sorted by decreasing excess).

    Returns the result, or None when more coalitions are needed: the last level may continue
    beyond the ``masks`` taken unless they are all the proper coalitions (``complete``);
    and the number of balancedness LPs solved.
    """
    levels = 0
    checks = 0
    start = 0
    basis = np.zeros((0, n))  # orthonormal rows spanning the collection checked so far
    while start < len(masks):
        end = start
        while end < len(masks) and excess[end] >= excess[start] - tol:
            end += 1
        if end == len(masks) and not complete:
            return None, checks
        levels += 1
        basis, grew = _extend_basis(basis, membership_matrix(masks[start:end], n))
        # a level inside the span of a balanced collection keeps it balanced (see above)
        if grew:
            checks += 1
            if not _is_balanced(masks[:end], at_standalone, n):
                return KohlbergResult(False, levels, float(excess[start])), checks
        if len(basis) == n:
            return KohlbergResult(True, levels, spanning_level=float(excess[start])), checks
        start = end
    return (None if not complete else KohlbergResult(True, levels)), checks


def _extend_basis(basis: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, bool]:
    """Add to an orthonormal ``basis`` (rows) the parts of ``vectors`` outside its span.

    Gram–Schmidt, projected twice for stability (0/1 vectors, n ≤ 25). Returns the new
    basis and whether it grew.
    """
    grew = False
    for vector in vectors:
        residual = vector.astype(np.float64)
        for _ in range(2):
            residual = residual - basis.T @ (basis @ residual)
        norm = float(np.linalg.norm(residual))
        if norm > 1e-9 * float(np.linalg.norm(vector)):  # 0/1 vectors: unit-free
            basis = np.vstack([basis, residual / norm])
            grew = True
            if len(basis) == len(vector):
                break
    return basis, grew


def _min_norm_weights_positive(member: np.ndarray, strict: int) -> bool:
    """Fast certificate of balancedness: the least-norm δ with Σ δ_S 1_S = 1_N is positive.

    δ = Aᵀ(AAᵀ)⁺1 costs O(n²·|D|); for the large symmetric collections that make the LP slow
    it is positive, which proves balancedness. If it is not, the LP decides.
    """
    gram = member.T @ member
    z = np.linalg.lstsq(gram, np.ones(len(gram)), rcond=None)[0]
    weights = member @ z
    if not np.allclose(member.T @ weights, 1.0, atol=1e-9):
        return False
    return bool(np.all(weights[:strict] > 1e-9) and np.all(weights[strict:] >= -1e-12))


def _is_balanced(collection: np.ndarray, optional: np.ndarray, n: int) -> bool:
    """Is there δ > 0 on ``collection`` and δ ≥ 0 on ``optional`` with Σ δ_S 1_S = 1_N?

    Written with δ_S = t + μ_S (μ ≥ 0) so the LP has only n rows, whatever the size of the
    collection: max t s.t. t·Σ_{S∈D} 1_S + Σ μ_S 1_S = 1_N, μ ≥ 0, 0 ≤ t ≤ 1; balanced iff t* > 0.
    """
    import highspy

    masks = np.concatenate([collection, optional]).astype(np.int64)
    member = membership_matrix(masks, n)
    if _min_norm_weights_positive(member, len(collection)):
        return True
    highs = new_highs()
    columns = np.vstack([member, member[: len(collection)].sum(axis=0)])  # μ columns, then t
    count = len(columns)
    upper = np.full(count, highspy.kHighsInf)
    upper[-1] = 1.0
    highs.addVars(count, np.zeros(count), upper)
    highs.changeColCost(count - 1, -1.0)
    rows = columns.T
    row_index, col_index = np.nonzero(rows)
    starts = np.searchsorted(row_index, np.arange(n)).astype(np.int32)
    highs.addRows(
        n,
        np.ones(n),
        np.ones(n),
        len(col_index),
        starts,
        col_index.astype(np.int32),
        rows[row_index, col_index],
    )
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return False  # infeasible: 1_N is not a non-negative combination
    return -highs.getInfo().objective_function_value > 1e-9


def _verified(game: Game, imputations: bool) -> tuple[np.ndarray, SequentialLPResult]:
    result = sequential_lp(game, imputations)
    shares = game.to_orientation(result.shares)
    check = kohlberg_check(game, shares, imputations)
    if not check.passed:
        what = "nucleolus" if imputations else "prenucleolus"
        raise VerificationError(
            f"the computed {what} failed Kohlberg's criterion at excess level "
            f"{check.failed_level}; it is not reported (please file a bug with this game)"
        )
    return shares, result


def nucleolus(game: Game) -> Allocation:
    """The nucleolus (Schmeidler 1969): lexicographically minimal excesses over imputations.

    Cost games: the nucleolus of the savings game turned into cost shares, which minimises
    the excesses x(S) − c(S) lexicographically. Raises :class:`InfeasibleError` when there
    are no imputations. Example: the glove game v(12) = v(13) = v(123) = 1 (one left glove
    owner 1, two right) has nucleolus (1, 0, 0).
    """
    shares, result = _verified(game, imputations=True)
    details = {"levels": len(result.levels), "lp_solves": result.lp_solves}
    return Allocation("nucleolus", game.players, shares, details)


def prenucleolus(game: Game) -> Allocation:
    """The prenucleolus (Schmeidler 1969; Sobolev 1975): as the nucleolus, over all efficient x.

    Always exists and is unique; it equals the nucleolus when it is individually rational
    (e.g. whenever the core is non-empty).
    """
    shares, result = _verified(game, imputations=False)
    details = {"levels": len(result.levels), "lp_solves": result.lp_solves}
    return Allocation("prenucleolus", game.players, shares, details)


def least_core_epsilon(game: Game) -> float:
    """ε* alone (SPEC convention): the first LP of the sequence, no point, no verification.

    Cheaper than :func:`least_core` on large games: one stage of row generation instead of
    all of them and Kohlberg's check. Example: the game v(A) = v(B) = 0, v(AB) = 2 has
    ε* = −1 (the split (1, 1) leaves each party 1 better off than alone).
    """
    levels = sequential_lp(game, imputations=False, max_stages=1).levels
    return levels[0] + 0.0 if levels else 0.0


def least_core(game: Game) -> Allocation:
    """The least core's ε* (SPEC convention) and a point of it.

    ε* = min ε s.t. x(N) = v(N) and x(S) ≥ v(S) − ε for every proper non-empty S (cost games:
    x(S) ≤ c(S) + ε). The core is empty iff ε* > 0. The point reported is the prenucleolus,
    the canonical point of the least core (it always lies in it), so that the answer does not
    depend on which optimal vertex the LP solver happens to return.
    """
    shares, result = _verified(game, imputations=False)
    epsilon = result.levels[0] + 0.0 if result.levels else 0.0
    return Allocation("least_core", game.players, shares, {"epsilon": epsilon})
