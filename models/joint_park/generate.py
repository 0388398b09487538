"""Generated joint-park cases: a network of co-built parks (飞地经济) among n cities of any
size (benchmarks such as issue 12's 12-party park with 6 cash streams × 4 phases, tests,
scale studies), seeded and reproducible.

The parties are Yangtze-delta cities that lie together
(:func:`fairpool.models.infrastructure.generate.region_cities`); the richest third (by GDP)
are *sending* cities (飞出地: capital, management, relocating firms), the others *host*
cities (飞入地: land). Components:

* a joint park ``Z…`` for each host, co-built with a sending city near it (one in six with a
  neighbouring host as a third partner); a host courted by two senders has two candidate
  parks that exclude each other (its land takes one);
* a second phase ``…B`` of some parks, which needs the first (``depends_on``);
* each host's own, smaller park ``L…`` (自建园区), excluded by every joint park on its land;
* each sender's expansion at home ``H…`` (原地扩产), excluded by its first joint park (the
  relocating firms go one way);
* the senders' joint investment-promotion platform ``A…`` (园区联盟招商平台), which needs
  every sending city: it ties the park clusters together, so that no group of cities is
  indifferent to the others (the least core is then usually strictly inside the core).

Revenues (万元, locally retained shares) per park: VAT, CIT, PIT, land income, property
taxes, urban construction tax (the first ``streams`` of :data:`STREAMS`), ramping up over
five years then growing 2–6 % a year; land income comes in the first years. Costs: the host
pays land and infrastructure up front and upkeep, the sender start-up grants and management.
Phases split the horizon evenly; rules let every party take 0–80 %, a sending city's share
never rising across phases (递减). A proposal splits every stream by each party's cost
share. The data are illustrative, not official figures. Example:

    >>> case = generated_case(6, seed=1)
    >>> case.n, len(case.streams), len(case.phases), case.unit
    (6, 6, 4, '万元')
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from fairpool.models.infrastructure.generate import neighbour_lists, party_ids, region_cities
from fairpool.models.joint_park.case import JointParkCase, case_from_rows
from fairpool.models.joint_park.template import write_case

Rows = dict[str, list[dict[str, object]]]

FIRST_YEAR = 2026
"""The first year of every generated park (the base year is the year before)."""

STREAMS: tuple[tuple[str, str, float], ...] = (
    ("VAT", "增值税地方留成 VAT local share", 1.0),
    ("CIT", "企业所得税地方留成 CIT local share", 0.45),
    ("LAND", "土地出让收益 land income", 0.0),
    ("PIT", "个人所得税地方留成 PIT local share", 0.12),
    ("PROP", "房产税与城镇土地使用税 property taxes", 0.08),
    ("UCT", "城市维护建设税 urban construction tax", 0.07),
)
"""(id, name, yearly amount relative to VAT) of the cash streams, in the order used; land
income is lumpy (the first years' land sales). Streams beyond six are ``S7``, ``S8`` …"""

GDP_STREAM = ("GDP", "GDP 统计 (statistic, double counted)")


def generated_rows(
    n: int,
    seed: int = 0,
    *,
    streams: int = 6,
    phases: int = 4,
    years: int = 20,
    gdp_credit: bool = False,
) -> tuple[dict[str, object], Rows]:
    """(settings, rows) of a generated park network of ``n`` cities (module docstring).

    ``streams`` cash streams, ``phases`` phases over ``years`` years from 2026;
    ``gdp_credit`` adds a GDP statistic stream (split and reported, never money).
    """
    if n < 2:
        raise ValueError(f"a co-built park needs at least two parties, not {n}")
    if not 1 <= phases <= years:
        raise ValueError(f"{phases} phases do not fit {years} years")
    rng = np.random.default_rng(seed)
    cities = region_cities(n, rng)
    ids = party_ids(n)
    near = neighbour_lists(cities)
    gdp = np.array([c.gdp for c in cities])
    senders = sorted(int(i) for i in np.argsort(-gdp, kind="stable")[: max(1, n // 3)])
    hosts = [i for i in range(n) if i not in senders]
    position = np.array([[c.lon, c.lat] for c in cities])
    horizon = list(range(FIRST_YEAR, FIRST_YEAR + years))
    stream_list = [
        STREAMS[k] if k < len(STREAMS) else (f"S{k + 1}", f"收入流{k + 1} stream {k + 1}", 0.1)
        for k in range(streams)
    ]
    park = ParkRows(ids, horizon, stream_list, rng)
    first_parks: dict[int, list[str]] = {s: [] for s in senders}
    for h in hosts:
        distance = np.linalg.norm(position[senders] - position[h], axis=1)
        ranked = [senders[k] for k in np.argsort(distance, kind="stable")]
        courting = ranked[:2] if len(ranked) > 1 and rng.random() < 0.3 else ranked[:1]
        rivals: list[str] = []
        for s in courting:
            partners = [s, h]
            third = [j for j in near[h] if j in hosts and j != h]
            if third and rng.random() < 1 / 6:
                partners.append(int(rng.choice(third)))
            size = float(rng.lognormal(np.log(3000.0), 0.5)) * (len(partners) - 1)
            zone = park.joint(partners, size, host=h, sender=s, excludes=rivals)
            rivals.append(zone)
            first_parks[s].append(zone)
            if rng.random() < 0.4:
                park.joint(partners, size * 0.7, host=h, sender=s, depends_on=zone, delay=5)
        park.alone(h, float(rng.lognormal(np.log(1200.0), 0.4)), kind="L", excludes=rivals)
    for s in senders:
        if first_parks[s]:
            size = float(rng.lognormal(np.log(2000.0), 0.4))
            park.alone(s, size, kind="H", excludes=first_parks[s][:1])
    if len(senders) > 1:
        park.platform(senders, float(rng.lognormal(np.log(600.0), 0.3)) * len(senders))
    cuts = np.linspace(0, years, phases + 1).round().astype(int)
    phase_rows: list[dict[str, object]] = [
        {"phase": str(k + 1), "start_year": horizon[cuts[k]], "end_year": horizon[cuts[k + 1] - 1]}
        for k in range(phases)
    ]
    rules: list[dict[str, object]] = [
        {
            "party": ids[i],
            "stream": "*",
            "phase": "*",
            "min_ratio": 0.0,
            "max_ratio": 0.8,
            "schedule": "nonincreasing" if i in senders else "free",
        }
        for i in range(n)
    ]
    stream_rows: list[dict[str, object]] = [
        {"stream": s, "kind": "cash", "name": name} for s, name, _ in stream_list
    ]
    if gdp_credit:
        stream_rows.append(
            {
                "stream": GDP_STREAM[0],
                "kind": "statistic",
                "double_count": True,
                "name": GDP_STREAM[1],
            }
        )
        park.gdp_credit(GDP_STREAM[0])
    rows: Rows = {
        "parties": [
            {"id": ids[i], "name": c.name, "gdp": c.gdp, "population": c.population}
            for i, c in enumerate(cities)
        ],
        "components": park.components,
        "revenues": park.revenues,
        "costs": park.costs,
        "phases": phase_rows,
        "rules": rules,
        "streams": stream_rows,
        "proposal": park.proposal(),
    }
    settings: dict[str, object] = {
        "name": f"共建园区网络（生成）generated park network {n} cities seed {seed}",
        "unit": "万元",
        "discount_rate": 0.05,
        "base_year": FIRST_YEAR - 1,
        "target": "shapley",
        "core": "soft",
        "distance": "l1",
    }
    return settings, rows


class ParkRows:
    """The components, revenues and costs rows of a generated park network, as they are
    drawn (:func:`generated_rows`)."""

    def __init__(
        self,
        ids: list[str],
        horizon: list[int],
        streams: list[tuple[str, str, float]],
        rng: np.random.Generator,
    ) -> None:
        self.ids, self.horizon, self.streams, self.rng = ids, horizon, streams, rng
        self.components: list[dict[str, object]] = []
        self.revenues: list[dict[str, object]] = []
        self.costs: list[dict[str, object]] = []
        self.paid = np.zeros(len(ids))

    def joint(
        self,
        partners: list[int],
        size: float,
        *,
        host: int,
        sender: int,
        excludes: list[str] | None = None,
        depends_on: str = "",
        delay: int = 0,
    ) -> str:
        """A joint park of ``partners`` with mature VAT ``size`` 万元 a year: revenues from
        ``delay`` years on; the host pays land and infrastructure (about 2.5 years of mature
        VAT) and upkeep, the sender start-up grants and management, a third partner a share
        of the infrastructure. Returns its id."""
        component = f"Z{len(self.components) + 1:02d}"
        names = "–".join(self.ids[p] for p in partners)
        self.components.append(
            {
                "component": component,
                "name": f"{names} {'二期 phase 2' if depends_on else '共建园区 joint park'}",
                "requires": "+".join(self.ids[p] for p in sorted(partners)),
                "depends_on": depends_on,
                "excludes": "+".join(excludes or []),
            }
        )
        start = self.horizon[0] + delay
        self.add_revenues(component, size, start)
        rate = float(self.rng.uniform(1.8, 3.2))
        self.add_cost(component, host, {start: size * rate * 0.6, start + 1: size * rate * 0.4})
        self.add_cost(component, host, {y: size * 0.06 for y in self.horizon if y >= start})
        self.add_cost(component, sender, {start: size * float(self.rng.uniform(0.5, 1.2))})
        self.add_cost(component, sender, {y: size * 0.05 for y in self.horizon if y >= start})
        for third in partners[2:]:
            self.add_cost(component, third, {start + 1: size * rate * 0.3})
        return component

    def alone(self, party: int, size: float, *, kind: str, excludes: list[str]) -> str:
        """A party's own park (``L``, host) or expansion at home (``H``, sender), which the
        given joint parks exclude. Returns its id."""
        component = f"{kind}{len(self.components) + 1:02d}"
        what = "自建园区 own park" if kind == "L" else "原地扩产 expansion at home"
        self.components.append(
            {
                "component": component,
                "name": f"{self.ids[party]} {what}",
                "requires": self.ids[party],
                "excludes": "+".join(excludes),
            }
        )
        start = self.horizon[0]
        self.add_revenues(component, size, start)
        self.add_cost(component, party, {start: size * float(self.rng.uniform(1.5, 2.5))})
        self.add_cost(component, party, {y: size * 0.08 for y in self.horizon})
        return component

    def platform(self, members: list[int], size: float) -> str:
        """The senders' joint investment-promotion platform (园区联盟招商平台): it needs every
        sending city, brings in firms worth ``size`` 万元 of mature VAT a year, and costs its
        members start-up and running costs in equal parts. Returns its id."""
        component = f"A{len(self.components) + 1:02d}"
        self.components.append(
            {
                "component": component,
                "name": "园区联盟招商平台 park alliance investment platform",
                "requires": "+".join(self.ids[p] for p in members),
            }
        )
        start = self.horizon[0]
        self.add_revenues(component, size, start)
        for member in members:
            self.add_cost(component, member, {start: size * 0.8 / len(members)})
            self.add_cost(component, member, {y: size * 0.1 / len(members) for y in self.horizon})
        return component

    def add_revenues(self, component: str, size: float, start: int) -> None:
        """Each stream's yearly amount: VAT ramps 20 % → 100 % over five years, then grows
        2–6 % a year; the other streams follow at their relative size; land income is
        ~1.5 years of mature VAT spread over the first three years."""
        growth = float(self.rng.uniform(0.02, 0.06))
        for stream, _, relative in self.streams:
            if relative == 0.0:
                amounts = {start + k: size * 0.5 for k in range(3)}
            else:
                amounts = {
                    y: size
                    * relative
                    * min(1.0, 0.2 * (y - start + 1))
                    * (1 + growth) ** max(0, y - start - 4)
                    for y in self.horizon
                    if y >= start
                }
            self.revenues += [
                {"component": component, "stream": stream, "year": y, "amount": round(a, 1)}
                for y, a in amounts.items()
                if y in self.horizon
            ]

    def add_cost(self, component: str, party: int, amounts: dict[int, float]) -> None:
        """Cost rows of one payer (years beyond the horizon are dropped)."""
        for year, amount in amounts.items():
            if year in self.horizon:
                self.costs.append(
                    {
                        "component": component,
                        "party": self.ids[party],
                        "year": year,
                        "amount": round(amount, 1),
                    }
                )
                self.paid[party] += amount

    def gdp_credit(self, stream: str) -> None:
        """A GDP statistic stream: 12× the VAT of every component (a statistic, not money)."""
        vat = self.streams[0][0]
        self.revenues += [
            {**row, "stream": stream, "amount": round(float(str(row["amount"])) * 12, 1)}
            for row in list(self.revenues)
            if row["stream"] == vat
        ]

    def proposal(self) -> list[dict[str, object]]:
        """Every stream split by each party's share of all costs (6 decimals, adding up to 1:
        the last party takes the rounding)."""
        shares = [round(float(p), 6) for p in self.paid / self.paid.sum()]
        shares[-1] = round(1.0 - sum(shares[:-1]), 6)
        return [
            {"party": party, "stream": "*", "phase": "*", "ratio": share}
            for party, share in zip(self.ids, shares, strict=True)
        ]


def generated_case(
    n: int,
    seed: int = 0,
    *,
    streams: int = 6,
    phases: int = 4,
    years: int = 20,
    gdp_credit: bool = False,
) -> JointParkCase:
    """The generated park network (:func:`generated_rows`) as a validated case, built from
    rows the way the workbook reader builds it."""
    settings, rows = generated_rows(
        n, seed, streams=streams, phases=phases, years=years, gdp_credit=gdp_credit
    )
    return case_from_rows(settings, rows, source=f"generated_joint_park_{n}_{seed}.xlsx")


def write_generated_workbook(
    path: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    *,
    streams: int = 6,
    phases: int = 4,
    years: int = 20,
    gdp_credit: bool = False,
) -> Path:
    """Write the generated park network as a case workbook (the family's writer); ``fairpool
    check`` / ``solve`` read it like any case."""
    settings, rows = generated_rows(
        n, seed, streams=streams, phases=phases, years=years, gdp_credit=gdp_credit
    )
    return write_case(path, settings, rows)


__all__ = [
    "STREAMS",
    "ParkRows",
    "generated_case",
    "generated_rows",
    "write_generated_workbook",
]
