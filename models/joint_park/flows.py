"""Plan arithmetic, no solver: the pools of the park the grand coalition builds, what a ratio
plan gives each party year by year, and the plan as tables.

    pool A[k, t] = Σ_c y*_c R[c, k, t];   存量不动、增量分成: with base year b_k,
    min(A[k, t], A[k, b_k]) stays with the stock owner and only the growth A'[k, t] is split;
    take[p, t]   = Σ_{k cash} (r[p, k, h(t)] · A'[k, t] + stock[p, k, t])  ± cap overflows
    npv[p]       = Σ_t d_t (take[p, t] − cost[p, t])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairpool.models.joint_park.case import JointParkCase


@dataclass(frozen=True)
class Pools:
    """The shareable pools of the grand coalition's park.

    ``active[c]``: the components built; ``split[k, t]``: the amount of stream k split by
    ratio in year t; ``stock[p, k, t]``: the base-year stock kept by its owner (存量不动);
    ``cost[p, t]``: each party's costs.
    """

    active: np.ndarray
    split: np.ndarray
    stock: np.ndarray
    cost: np.ndarray


def park_pools(case: JointParkCase, active: np.ndarray) -> Pools:
    """Pools of the activated components: A[k, t] = Σ_c y_c R[c, k, t], stock split off."""
    total = np.einsum("c,ckt->kt", active.astype(float), case.revenue)
    stock = np.zeros((case.n, len(case.streams), len(case.years)))
    split = total.copy()
    for k, stream in enumerate(case.streams):
        if stream.increment_base_year is None or stream.stock_owner is None:
            continue
        t0 = int(np.searchsorted(case.years, stream.increment_base_year))
        kept = np.minimum(total[k], total[k, t0])
        stock[case.party_index(stream.stock_owner), k] = kept
        split[k] = total[k] - kept
    cost = np.einsum("c,cpt->pt", active.astype(float), case.cost)
    return Pools(active, split, stock, cost)


@dataclass(frozen=True)
class PlanFlows:
    """What a ratio plan gives each party: yearly cash take, statistic credit and NPV."""

    ratios: np.ndarray
    take: np.ndarray
    cost: np.ndarray
    statistics: np.ndarray
    npv: np.ndarray


def evaluate_plan(case: JointParkCase, pools: Pools, ratios: np.ndarray) -> PlanFlows:
    """Apply ratios r[p, k, h] to the pools, with caps truncating chronologically.

    take[p, t] = Σ_{k cash} r[p, k, h(t)] A'[k, t] + stock[p, k, t]; a cap limits Σ_t of the
    capped party's split take over its window: once reached, the rest of each year's take
    goes to ``overflow_to``. npv[p] = Σ_t d_t (take[p, t] − cost[p, t]).
    """
    per_year, take = plan_takes(case, pools, ratios)
    cash = case.cash
    statistics = per_year[:, ~cash] + pools.stock[:, ~cash]
    npv = (take - pools.cost) @ case.discount
    return PlanFlows(ratios, take, pools.cost, statistics, npv)


def plan_takes(
    case: JointParkCase, pools: Pools, ratios: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(per_year[..., p, k, t], take[..., p, t]) of the plan(s) r[..., p, k, h] (leading axes:
    a stack of plans, as a sweep has): each party's amount of each stream per year, and its
    cash take with the caps applied (:func:`evaluate_plan`). The NPVs of a stack are
    ``(take - pools.cost) @ case.discount``."""
    phase = case.phase_of_year
    in_phase = phase >= 0
    lead = ratios.shape[:-3]
    per_year = np.zeros((*lead, case.n, len(case.streams), len(case.years)))
    per_year[..., in_phase] = ratios[..., phase[in_phase]] * pools.split[:, in_phase]
    cash = case.cash
    take = per_year[..., cash, :].sum(axis=-2) + pools.stock[:, cash].sum(axis=1)
    for limit in case.limits:
        if limit.limit != "cap":
            continue
        p, q = case.party_index(limit.party), case.party_index(limit.overflow_to)
        scope = [case.stream_index(s) for s in limit.streams]
        window = (case.years >= limit.start_year) & (case.years <= limit.end_year)
        remaining = np.full(lead, float(limit.amount))
        for t in np.flatnonzero(window):
            gross = per_year[..., p, scope, t].sum(axis=-1)
            kept = np.minimum(gross, np.maximum(remaining, 0.0))
            remaining = remaining - kept
            take[..., p, t] -= gross - kept
            take[..., q, t] += gross - kept
    return per_year, take


def ratios_from_frame(case: JointParkCase, frame: pd.DataFrame) -> np.ndarray:
    """A ratios DataFrame (party, stream, phase, ratio) as the array r[p, k, h] (NaN: 0)."""
    ratios = np.zeros((case.n, len(case.streams), len(case.phases)))
    values = frame["ratio"].to_numpy(dtype=float)
    for party, stream, phase, value in zip(
        frame["party"], frame["stream"], frame["phase"], values, strict=True
    ):
        ratios[
            case.party_index(str(party)),
            case.stream_index(str(stream)),
            case.phase_index(str(phase)),
        ] = 0.0 if math.isnan(value) else value
    return ratios


def ratios_frame(case: JointParkCase, ratios: np.ndarray) -> pd.DataFrame:
    """r[p, k, h] as a DataFrame with columns party, stream, phase, ratio (stream-major)."""
    records = [
        {
            "party": party,
            "stream": stream.stream,
            "phase": phase.phase,
            "ratio": float(ratios[p, k, h]),
        }
        for k, stream in enumerate(case.streams)
        for h, phase in enumerate(case.phases)
        for p, party in enumerate(case.parties)
    ]
    return pd.DataFrame.from_records(records, columns=["party", "stream", "phase", "ratio"])


def cash_flow_frame(case: JointParkCase, flows: PlanFlows) -> pd.DataFrame:
    """Yearly cash flow per party: party, year, take, cost, net, discount_factor, discounted_net."""
    d = case.discount
    records = []
    for p, party in enumerate(case.parties):
        for t, year in enumerate(case.years):
            net = flows.take[p, t] - flows.cost[p, t]
            records.append(
                {
                    "party": party,
                    "year": int(year),
                    "take": flows.take[p, t],
                    "cost": flows.cost[p, t],
                    "net": net,
                    "discount_factor": d[t],
                    "discounted_net": net * d[t],
                }
            )
    return pd.DataFrame.from_records(
        records,
        columns=["party", "year", "take", "cost", "net", "discount_factor", "discounted_net"],
    )


def statistics_frame(case: JointParkCase, flows: PlanFlows) -> pd.DataFrame:
    """Statistic credit (GDP…) per party, stream and year: party, stream, year, amount."""
    names = [s.stream for s in case.streams if s.kind == "statistic"]
    records = [
        {"party": party, "stream": stream, "year": int(year), "amount": flows.statistics[p, j, t]}
        for j, stream in enumerate(names)
        for p, party in enumerate(case.parties)
        for t, year in enumerate(case.years)
    ]
    return pd.DataFrame.from_records(records, columns=["party", "stream", "year", "amount"])


__all__ = [
    "PlanFlows",
    "Pools",
    "cash_flow_frame",
    "evaluate_plan",
    "park_pools",
    "plan_takes",
    "ratios_frame",
    "ratios_from_frame",
    "statistics_frame",
]
