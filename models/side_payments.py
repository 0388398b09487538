"""Side payments: a plan shown as a beneficiary-pays base split plus explicit transfers
between parties (``transfers = explicit``, issue 12), shared by the cost families.

A plan's payments per party (and year) differ from the base split's by a gap g that sums to
zero over the parties (both fund the same costs). :func:`settle` writes g as transfers from
the parties that pay more than their base share to those that pay less, the largest payer
paying the largest payee first, so that n parties need at most n − 1 transfers per year;
the transfers reproduce g exactly (up to amounts below the tolerance, left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PV = "pv"
"""The ``year`` of a side payment stated in present value (cases without years)."""

SIDE_PAYMENT_COLUMNS = ["payer", "payee", "year", "amount"]
"""The columns of a ``side_payments`` table."""


@dataclass(frozen=True)
class SidePayment:
    """``payer`` pays ``payee`` ``amount`` (case unit) in ``year`` (or :data:`PV`)."""

    payer: str
    payee: str
    year: int | str
    amount: float


def settle(
    gap: np.ndarray, parties: Sequence[str], year: int | str, tolerance: float
) -> list[SidePayment]:
    """The transfers that close ``gap`` (party i pays ``gap[i]`` more than its base share
    when positive, less when negative; Σ gap = 0): the largest remaining payer pays the
    largest remaining payee as much as both still owe, until every remainder is within
    ``tolerance``. Ties are broken by party order, so the answer is deterministic."""
    owed = np.where(gap > tolerance, gap, 0.0).astype(float)
    due = np.where(gap < -tolerance, -gap, 0.0).astype(float)
    payments: list[SidePayment] = []
    while owed.max(initial=0.0) > tolerance and due.max(initial=0.0) > tolerance:
        i, j = int(np.argmax(owed)), int(np.argmax(due))
        amount = float(min(owed[i], due[j]))
        payments.append(SidePayment(parties[i], parties[j], year, amount))
        owed[i] -= amount
        due[j] -= amount
    return payments


def side_payment_frame(payments: Sequence[SidePayment]) -> pd.DataFrame:
    """Side payments as a table (payer, payee, year, amount), in the order given."""
    return pd.DataFrame(
        {
            "payer": [s.payer for s in payments],
            "payee": [s.payee for s in payments],
            "year": pd.Series([s.year for s in payments], dtype=object),
            "amount": [s.amount for s in payments],
        },
        columns=SIDE_PAYMENT_COLUMNS,
    )


def net_received(
    frame: pd.DataFrame, parties: Sequence[str], years: Sequence[object]
) -> np.ndarray:
    """received[i, t] − paid[i, t] of a side-payment table, over ``years`` (``[PV]`` for a
    table in present value): what the side payments add to each party's money per year."""
    index = {p: i for i, p in enumerate(parties)}
    column = {y: t for t, y in enumerate(years)}
    net = np.zeros((len(parties), len(years)))
    for payer, payee, year, amount in frame[SIDE_PAYMENT_COLUMNS].itertuples(index=False):
        t = column[year]
        net[index[payer], t] -= float(amount)
        net[index[payee], t] += float(amount)
    return net


def proportional_split(weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Row-wise shares of ``weights`` (rows: projects or facilities, columns: parties),
    negative weights counted as 0; a row without a positive weight takes ``fallback``'s row."""
    positive = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    totals = positive.sum(axis=1, keepdims=True)
    return np.where(totals > 0, positive / np.where(totals > 0, totals, 1.0), fallback)


__all__ = [
    "PV",
    "SIDE_PAYMENT_COLUMNS",
    "SidePayment",
    "net_received",
    "proportional_split",
    "settle",
    "side_payment_frame",
]
