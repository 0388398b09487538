"""How simple a proposal or a plan is to sign (issue 12), counted the same way for both.

A negotiator signs "5:5", "4:6 for the first five years, then 5:5", one rate for every tax;
a vertex of an LP gives twelve ratios with ten digits. The counts here say which of the two a
table of split ratios or cost shares is, in the words of the simplicity options of ``solve``
(``round_to``, ``uniform_streams``, ``max_changes``, ``transfers``), so that a proposal
(``fairpool check``) and a plan can be compared:

- :func:`distinct_values`: how many different values the table holds (values closer than
  :data:`VALUE_TOLERANCE` of the scale count as one: solver and floating noise are not a
  value of their own);
- :func:`coarsest_grid`: the coarsest of :data:`GRIDS` every value lies on (0.05, 0.01), or
  ``None``;
- :func:`phase_changes`: per party, the phases h ≥ 1 in which any of its cash ratios differs
  from phase h − 1 (what ``max_changes`` bounds);
- :func:`uniform_across_streams`: one ratio per party and phase serves every cash stream
  (what ``uniform_streams`` asks);
- :func:`outside_payments`: the party × project payments toward projects the party neither
  hosts nor benefits from (what ``transfers = none`` forbids), and
  :func:`least_outside_payments` for shares of a whole cost, which name no project: the
  least money that has to flow outside use, by a maximum flow through the allowed pairs.

Every comparison is relative: values are fractions (ratios, shares) compared at
:data:`VALUE_TOLERANCE`, money at the same tolerance times the largest amount, so the counts
of a case in 元 and in 亿元 agree.
"""

from __future__ import annotations

from collections import deque
from itertools import pairwise

import numpy as np

from fairpool.models.results import ProposalSimplicity

SIMPLE_MIP_GAP = 1e-4
"""Relative optimality gap of the simplified plans' MILP steps. Placing ratios on a grid so
that three NPVs land closest to their targets is a closest-lattice-point problem: proving
the last 0.01% optimal took HiGHS minutes on the shipped park where finding it takes
milliseconds. Each simplified plan's distance is therefore within 0.01% of the best on its
grid; its price is still exact for the plan reported (distance after − before)."""


SIMPLE_TIME_LIMIT = 20.0
"""Seconds per solve of a simplified plan when the case sets no ``time_limit``: a grid
alone over many free ratios can keep HiGHS searching for minutes (on the shipped park,
``--round-to 0.05`` without the other options); the option is then reported as not
applied, with HiGHS's reason, and the plan stays without it."""


def money(value: float, unit: str) -> str:
    """An amount for a sentence: thousands separated, about four significant digits."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"
    return f"{text} {unit}".strip()


def settled(price: float, negligible: float) -> float:
    """A price as reported: 0 when within ``negligible`` (the core tolerance), where the
    distances of two plans differ by solver noise only, not by any money a party sees."""
    return 0.0 if abs(price) <= negligible else price


GRIDS: tuple[float, ...] = (0.05, 0.01)
"""The grids a signed ratio or share lies on, coarsest first: 5% and 1% steps."""

VALUE_TOLERANCE = 1e-6
"""Two fractions closer than this are one value, and a fraction this close to a grid point
lies on it (1e-4 of a percentage point: far above floating noise such as
0.30000000000000004 and a MILP's integrality slack, far below any step a person signs)."""


def _flat(values: np.ndarray | list[float] | tuple[float, ...]) -> np.ndarray:
    """The finite values of ``values``, flattened (NaN: no value given)."""
    array = np.ravel(np.asarray(values, dtype=float))
    return array[np.isfinite(array)]


def tolerance_of(values: np.ndarray, scale: float | None) -> float:
    """:data:`VALUE_TOLERANCE` times ``scale`` (``None``: the largest |value|, at least the
    smallest positive float, so that money is compared unit-free)."""
    if scale is None:
        scale = float(np.abs(values).max(initial=0.0))
    return VALUE_TOLERANCE * max(float(scale), np.finfo(float).tiny)


def distinct_values(
    values: np.ndarray | list[float] | tuple[float, ...], scale: float | None = 1.0
) -> int:
    """How many different values ``values`` holds: sorted, a new value starts wherever the
    gap to the previous one passes :func:`tolerance_of` (``scale`` 1 for fractions; ``None``
    for money: relative to the largest amount). NaN is no value.

    Example:
        >>> distinct_values([0.3, 0.1 + 0.2, 0.7, 0.7000000001])
        2
    """
    array = np.sort(_flat(values))
    if not array.size:
        return 0
    gaps = np.diff(array) > tolerance_of(array, scale)
    return int(gaps.sum()) + 1


def on_grid(values: np.ndarray | list[float] | tuple[float, ...], step: float) -> bool:
    """Every value (a fraction: ratio or share; money is divided by its total first) is a
    whole multiple of ``step`` within :data:`VALUE_TOLERANCE`:
    |v − step · round(v / step)| ≤ tol.

    Example:
        >>> on_grid([0.30000000000000004, 0.45], 0.05), on_grid([0.333], 0.01)
        (True, False)
    """
    array = _flat(values)
    return bool(np.all(np.abs(array - step * np.round(array / step)) <= VALUE_TOLERANCE))


def coarsest_grid(
    values: np.ndarray | list[float] | tuple[float, ...], grids: tuple[float, ...] = GRIDS
) -> float | None:
    """The coarsest step of ``grids`` every value lies on (:func:`on_grid`), or ``None``
    when none fits (an empty table fits the coarsest).

    Example:
        >>> coarsest_grid([0.6, 0.4, 0.25]), coarsest_grid([0.47, 0.53]), coarsest_grid([1 / 3])
        (0.05, 0.01, None)
    """
    for step in sorted(grids, reverse=True):
        if on_grid(values, step):
            return step
    return None


def phase_changes(ratios: np.ndarray, tolerance: float = VALUE_TOLERANCE) -> np.ndarray:
    """changes[p]: the phases h ≥ 1 in which any of party p's ratios r[p, k, h] (k over the
    streams given: the cash streams) differs from r[p, k, h − 1] by more than ``tolerance``:
    the count ``max_changes`` bounds (:func:`fairpool.models.joint_park.plan_model.
    define_max_changes`).

    Example:
        >>> phase_changes(np.array([[[0.6, 0.45, 0.4, 0.4]], [[0.4, 0.55, 0.6, 0.6]]]))
        array([2, 2])
    """
    array = np.nan_to_num(np.asarray(ratios, dtype=float))
    if array.ndim != 3 or array.shape[2] < 2:
        return np.zeros(array.shape[0] if array.ndim else 0, dtype=int)
    moved = np.abs(np.diff(array, axis=2)) > tolerance  # [p, k, h - 1]
    return moved.any(axis=1).sum(axis=1).astype(int)


def uniform_across_streams(ratios: np.ndarray, tolerance: float = VALUE_TOLERANCE) -> bool:
    """One ratio per party and phase serves every stream given (the cash streams):
    max_k r[p, k, h] − min_k r[p, k, h] ≤ ``tolerance`` for every p and h (what
    ``uniform_streams`` asks)."""
    array = np.nan_to_num(np.asarray(ratios, dtype=float))
    if array.ndim != 3 or array.shape[1] < 2:
        return True
    return bool(np.all(array.max(axis=1) - array.min(axis=1) <= tolerance))


def outside_payments(paid: np.ndarray, allowed: np.ndarray) -> tuple[int, float]:
    """(count, amount) of the payments paid[i, p] > 0 where ``allowed[i, p]`` is false (party
    i neither hosts project p nor benefits from it): how many party × project pairs and how
    much money in all. Amounts within :data:`VALUE_TOLERANCE` of the largest payment are
    noise, not a payment.

    Example:
        >>> outside_payments(np.array([[5.0, 1.0], [0.0, 4.0]]), np.array([[1, 0], [1, 1]]) > 0)
        (1, 1.0)
    """
    array = np.asarray(paid, dtype=float)
    tol = tolerance_of(array, None)
    outside = (array > tol) & ~np.asarray(allowed, dtype=bool)
    return int(outside.sum()), float(array[outside].sum())


def least_outside_payments(
    payments: np.ndarray, costs: np.ndarray, allowed: np.ndarray
) -> tuple[int, float]:
    """(count, amount) of the payments toward costs the payer may not pay, when only each
    party's total is given: party i pays ``payments[i]``, cost k is ``costs[k]``, and i may
    pay toward k when ``allowed[i, k]``.

    The money that must flow outside the allowed pairs is Σ_k costs[k] − F, F the maximum
    flow source → i (capacity payments[i]) → k (allowed pairs, unbounded) → sink (capacity
    costs[k]) (Ford & Fulkerson 1956; shortest augmenting paths, Edmonds & Karp 1972). What
    is left, each party's unspent payment against each cost's unpaid part, is then paired
    largest with largest (as :func:`fairpool.models.side_payments.settle` does); the count
    is the pairs so formed (at most parties + costs − 1; one such split, not always the
    fewest). Money is compared at :data:`VALUE_TOLERANCE` of the largest amount.

    Example:
        >>> least_outside_payments(np.array([3.0, 1.0]), np.array([2.0, 2.0]),
        ...                        np.array([[True, False], [False, True]]))
        (1, 1.0)
    """
    supply = np.clip(np.asarray(payments, dtype=float), 0.0, None)
    demand = np.clip(np.asarray(costs, dtype=float), 0.0, None)
    arcs = np.asarray(allowed, dtype=bool)
    tol = tolerance_of(np.concatenate([supply, demand]), None)
    flow = _max_flow(supply, demand, arcs, tol)
    left_supply = supply - flow.sum(axis=1)
    left_demand = demand - flow.sum(axis=0)
    amount = float(max(left_demand.sum(), 0.0))
    owed = np.where(left_supply > tol, left_supply, 0.0)
    due = np.where(left_demand > tol, left_demand, 0.0)
    count = 0
    while owed.max(initial=0.0) > tol and due.max(initial=0.0) > tol:
        i, k = int(np.argmax(owed)), int(np.argmax(due))
        moved = min(owed[i], due[k])
        owed[i] -= moved
        due[k] -= moved
        count += 1
    return count, amount if amount > tol else 0.0


def _max_flow(supply: np.ndarray, demand: np.ndarray, arcs: np.ndarray, tol: float) -> np.ndarray:
    """flow[i, k] of a maximum flow in the bipartite network of
    :func:`least_outside_payments` (Edmonds–Karp: breadth-first augmenting paths in the
    residual network; an allowed pair is unbounded, so its backward arc carries its flow)."""
    n, m = arcs.shape
    flow = np.zeros((n, m))
    source_left = supply.copy()
    sink_left = demand.copy()
    while True:
        # nodes: ("p", i) parties, ("c", k) costs; BFS from the source's residual arcs
        parent: dict[tuple[str, int], tuple[str, int] | None] = {}
        queue: deque[tuple[str, int]] = deque()
        for i in range(n):
            if source_left[i] > tol:
                parent[("p", i)] = None
                queue.append(("p", i))
        end: tuple[str, int] | None = None
        while queue and end is None:
            kind, j = queue.popleft()
            if kind == "p":
                for k in np.flatnonzero(arcs[j]):
                    node = ("c", int(k))
                    if node not in parent:
                        parent[node] = (kind, j)
                        if sink_left[k] > tol:
                            end = node
                            break
                        queue.append(node)
            else:
                for back in np.flatnonzero(flow[:, j] > tol):
                    node = ("p", int(back))
                    if node not in parent:
                        parent[node] = (kind, j)
                        queue.append(node)
        if end is None:
            return flow
        path = [end]
        while (step := parent[path[-1]]) is not None:
            path.append(step)
        path.reverse()  # ("p", i0), ("c", k0), ("p", i1), ("c", k1), ...
        room = min(source_left[path[0][1]], sink_left[end[1]])
        for a, b in pairwise(path):
            if a[0] == "c":  # a backward arc: the flow party b sends to cost a
                room = min(room, flow[b[1], a[1]])
        for a, b in pairwise(path):
            if a[0] == "p":
                flow[a[1], b[1]] += room
            else:
                flow[b[1], a[1]] -= room
        source_left[path[0][1]] -= room
        sink_left[end[1]] -= room


__all__ = [
    "GRIDS",
    "SIMPLE_MIP_GAP",
    "SIMPLE_TIME_LIMIT",
    "VALUE_TOLERANCE",
    "coarsest_grid",
    "distinct_values",
    "least_outside_payments",
    "money",
    "on_grid",
    "outside_payments",
    "phase_changes",
    "settled",
    "share_counts",
    "tolerance_of",
    "uniform_across_streams",
]


def share_counts(values: np.ndarray, outside: tuple[int, float] | None) -> ProposalSimplicity:
    """The simplicity of shares ``values`` (fractions of a cost): how many, how many distinct,
    the coarsest grid, and the (count, amount) of payments outside benefits or use."""
    count, amount = outside if outside is not None else (None, None)
    return ProposalSimplicity(
        value_kind="share",
        values=int(np.asarray(values).size),
        distinct_values=distinct_values(values),
        grid=coarsest_grid(values),
        outside_payments=count,
        outside_amount=amount,
    )
