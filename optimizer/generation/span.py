"""Free coalitions: the exact span test of the sequential LPs, and how separations are asked.

A coalition is *free* at a stage of the (pre)nucleolus's sequential LPs while its
characteristic vector 1_S lies outside the span of the fixed coalitions' vectors; inside it,
x(S) is already determined. :class:`ExactSpan` decides that exactly (rational row reduction
and an integer null-space basis Z: S is in the span iff Zᵀ1_S = 0 in integers).
:class:`SpanSeparation` is the optional oracle extension that takes Z itself;
:func:`add_outside_span_rows` states "Zᵀz ≠ 0" in a separation MILP over membership binaries
z (the integer null-space trick), :func:`add_no_good_rows` the lazy alternative that
excludes single coalitions, and :func:`outside_span` is the exact test of its answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from math import gcd, lcm
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from fairpool.optimizer.game import membership_matrix
from fairpool.optimizer.generation.oracle import Violation

if TYPE_CHECKING:
    import highspy

MOST_ASKED = 4096
"""Largest ``count`` asked when separations keep naming in-span coalitions (doubling)."""


def default_count(n: int) -> int:
    """Coalitions asked of the oracle per separation: 2n, at least 16."""
    return max(2 * n, 16)


@runtime_checkable
class SpanSeparation(Protocol):
    """An optional extension of :class:`CoalitionOracle`: separation over free coalitions.

    ``most_violated_outside_span(x, null_space, count=k)``: as ``most_violated``, over the
    coalitions S with Zᵀ1_S ≠ 0 only, Z = ``null_space`` (n × m, integer entries, a basis of
    the null space of the fixed coalitions' vectors). Z is integer so that "≠ 0" reads
    |Σ_{i∈S} Z_ij| ≥ 1 for some j, a disjunction a separation MILP can state with 2m binaries
    and no epsilon (the integer null-space trick). An oracle offering it spares the lazy
    exclusion of in-span coalitions by mask, which grows with ties (2^(n−2) masks in a veto
    game).
    """

    def most_violated_outside_span(
        self, shares: np.ndarray, null_space: np.ndarray, *, count: int = 1
    ) -> list[Violation]: ...


class ExactSpan:
    """The span of fixed coalitions' characteristic vectors, decided exactly.

    Rows are kept in reduced row-echelon form over the rationals; the null space's integer
    basis Z (columns) gives the test: S is in the span iff Σ_{i∈S} Z_ij = 0 for every j.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.pivots: list[int] = []
        self.rows: list[list[Fraction]] = []
        self._null: np.ndarray | None = None

    @property
    def rank(self) -> int:
        return len(self.rows)

    def add(self, mask: int) -> bool:
        """Add 1_S; True if it raised the rank."""
        vector = [Fraction(mask >> i & 1) for i in range(self.n)]
        for pivot, row in zip(self.pivots, self.rows, strict=True):
            if vector[pivot]:
                factor = vector[pivot]
                vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
        lead = next((i for i, a in enumerate(vector) if a), None)
        if lead is None:
            return False
        vector = [a / vector[lead] for a in vector]
        for k, row in enumerate(self.rows):
            if row[lead]:
                factor = row[lead]
                self.rows[k] = [a - factor * b for a, b in zip(row, vector, strict=True)]
        self.pivots.append(lead)
        self.rows.append(vector)
        self._null = None
        return True

    def null_basis(self) -> np.ndarray:
        """Integer columns spanning the null space of the rows (n × (n − rank)): int64 when
        every entry is below 2**40 (sums over ≤ 2**20 parties stay exact), else Python ints."""
        if self._null is None:
            free = [j for j in range(self.n) if j not in set(self.pivots)]
            columns = []
            for j in free:
                entries = [Fraction(0)] * self.n
                entries[j] = Fraction(1)
                for pivot, row in zip(self.pivots, self.rows, strict=True):
                    entries[pivot] = -row[j]
                common = lcm(*(a.denominator for a in entries))
                integers = [int(a * common) for a in entries]
                divisor = gcd(*integers)
                columns.append([k // divisor for k in integers])
            null = np.array(columns, dtype=object).T.reshape(self.n, len(free))
            small = all(abs(k) < 2**40 for k in null.flat)
            self._null = null.astype(np.int64) if small else null
        return self._null

    def contains(self, masks: Iterable[int]) -> np.ndarray:
        """For each mask, whether its vector lies in the span (exact, integer arithmetic)."""
        masks = np.fromiter(masks, dtype=np.int64)
        null = self.null_basis()
        if null.shape[1] == 0:
            return np.ones(len(masks), dtype=bool)
        member = membership_matrix(masks, self.n).astype(np.int64)
        if null.dtype == object:
            member = member.astype(object)
        return np.all(member.dot(null) == 0, axis=1)


def outside_span(masks: np.ndarray, null: np.ndarray, n: int) -> np.ndarray:
    """For each mask, whether Zᵀ1_S ≠ 0 (S free), in exact integer arithmetic."""
    member = membership_matrix(masks, n).astype(np.int64)
    if null.dtype == object:
        member = member.astype(object)
    return np.asarray(np.any(member.dot(null) != 0, axis=1), dtype=bool)


def add_outside_span_rows(h: highspy.Highs, z: np.ndarray, null: np.ndarray) -> None:
    """Rows and binaries stating Zᵀz ≠ 0 for binary z (the integer null-space trick).

    a_j = Σ_i Z_ij z_i is an integer in [lo_j, hi_j] (lo_j, hi_j the sums of the negative
    and positive entries of column j). With binaries u_j⁺, u_j⁻ and Σ_j (u_j⁺ + u_j⁻) ≥ 1:

        a_j ≥ 1 − M⁺_j (1 − u_j⁺),  M⁺_j = 1 − lo_j    (a_j ≥ lo_j when u_j⁺ = 0)
        a_j ≤ −1 + M⁻_j (1 − u_j⁻),  M⁻_j = hi_j + 1   (a_j ≤ hi_j when u_j⁻ = 0)

    the tightest big-Ms, written without a_j columns. A side a_j cannot reach (hi_j ≤ 0 for
    u⁺, lo_j ≥ 0 for u⁻) gets no binary at all.
    """
    import highspy as hs

    inf = hs.kHighsInf
    low = np.where(null < 0, null, 0).sum(axis=0)
    high = np.where(null > 0, null, 0).sum(axis=0)
    first = h.getNumCol()
    starts: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    binaries = 0
    for j in range(null.shape[1]):
        support = np.flatnonzero(null[:, j])
        for positive in (True, False):
            if (high[j] if positive else -low[j]) <= 0:
                continue
            starts.append(len(indices))
            indices += [*z[support].tolist(), first + binaries]
            values += null[support, j].astype(np.float64).tolist()
            if positive:  # a_j − M⁺ u⁺ ≥ 1 − M⁺
                big = 1.0 - float(low[j])
                values.append(-big)
                lower.append(1.0 - big)
                upper.append(inf)
            else:  # a_j + M⁻ u⁻ ≤ M⁻ − 1
                big = float(high[j]) + 1.0
                values.append(big)
                lower.append(-inf)
                upper.append(big - 1.0)
            binaries += 1
    h.addCols(
        binaries,
        np.zeros(binaries),
        np.zeros(binaries),
        np.ones(binaries),
        0,
        np.zeros(binaries, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    h.changeColsIntegrality(
        binaries,
        np.arange(first, first + binaries, dtype=np.int32),
        np.array([hs.HighsVarType.kInteger] * binaries),
    )
    starts.append(len(indices))  # Σ u ≥ 1
    indices += list(range(first, first + binaries))
    values += [1.0] * binaries
    lower.append(1.0)
    upper.append(inf)
    h.addRows(
        len(lower),
        np.array(lower),
        np.array(upper),
        len(indices),
        np.array(starts, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.array(values),
    )


@contextmanager
def outside_span_rows(h: highspy.Highs, z: np.ndarray, null: np.ndarray) -> Iterator[None]:
    """:func:`add_outside_span_rows` for the duration of a ``with`` block, then deleted (they
    are the last rows and columns, so the model's other indices are untouched)."""
    columns, rows = h.getNumCol(), h.getNumRow()
    add_outside_span_rows(h, z, null)
    try:
        yield
    finally:
        added = h.getNumRow() - rows
        h.deleteRows(added, np.arange(rows, rows + added, dtype=np.int32))
        added = h.getNumCol() - columns
        h.deleteCols(added, np.arange(columns, columns + added, dtype=np.int32))


def add_no_good_rows(h: highspy.Highs, z: np.ndarray, masks: list[int]) -> None:
    """One switched-off row (bounds ±inf) per mask S: Σ_{i∈S} −z_i + Σ_{i∉S} z_i, the no-good
    cut Σ_{i∈S}(1 − z_i) + Σ_{i∉S} z_i ≥ 1 once its lower bound is set to 1 − |S|."""
    import highspy as hs

    if not masks:
        return
    n = len(z)
    signs = 1.0 - 2.0 * membership_matrix(np.array(masks, dtype=np.int64), n)
    h.addRows(
        len(masks),
        np.full(len(masks), -hs.kHighsInf),
        np.full(len(masks), hs.kHighsInf),
        len(masks) * n,
        np.arange(0, len(masks) * n, n, dtype=np.int32),
        np.tile(np.asarray(z, dtype=np.int32), len(masks)),
        signs.astype(np.float64).ravel(),
    )


__all__ = [
    "MOST_ASKED",
    "ExactSpan",
    "SpanSeparation",
    "add_no_good_rows",
    "add_outside_span_rows",
    "default_count",
    "outside_span",
    "outside_span_rows",
]
