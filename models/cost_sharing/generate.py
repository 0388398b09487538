"""Generated cost-sharing cases: a regional water-supply system of n towns (e.g. 40), seeded
and reproducible, for benchmarks, tests and scale studies.

Towns (镇01 … , ids ``T01`` …) lie at random in a county-sized area (:data:`AREA_KM`), with
demands of about 0.5–8 万吨/日 (lognormal). Each town can build its own small plant
(``OWN_…``: fixed cost 3 000 + 3 500·d 万元, variable cost 2 800 万元 per 万吨/日 — present
values of building and running it). A few shared plant sites (``PLANT_…``, one per about
eight towns) each stand in a town that must take part (``requires``: its land and water
right); one site in three is a joint reservoir that needs a second, neighbouring town too.
A shared plant is larger and cheaper per unit (fixed 6 000 + 1 600·capacity, variable
1 700), with room for 50–90 % of all demand, and towns connect to it only within
:data:`PIPE_REACH_KM` (pipe 150 万元 per km, more for large demands). So c(S) is the
least-cost way for S to serve itself, and coalitions without a site's town cannot use it.
The data are illustrative. Example:

    >>> case = generated_case(6, seed=1)
    >>> case.n, len(case.facilities), case.unit
    (6, 7, '万元')
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from fairpool.models.cost_sharing.case import CostSharingCase, case_from_rows
from fairpool.models.cost_sharing.template import write_case

Rows = dict[str, list[dict[str, object]]]

AREA_KM = (60.0, 45.0)
"""Width and height of the area the towns lie in (km)."""

PIPE_REACH_KM = 25.0
"""Towns farther than this from a shared plant cannot connect to it."""

PIPE_COST_PER_KM = 150.0
"""Pipeline cost (万元 per km) for a town of 1 万吨/日; larger demands cost more (√d)."""


def generated_rows(
    n: int, seed: int = 0, *, sites: int | None = None
) -> tuple[dict[str, object], Rows]:
    """(settings, rows) of a generated water system of ``n`` towns (module docstring);
    ``sites`` shared plant sites (blank: max(1, round(n / 8)))."""
    if n < 1:
        raise ValueError(f"a water system needs at least one town, not {n}")
    rng = np.random.default_rng(seed)
    width = max(2, len(str(n)))
    ids = [f"T{i + 1:0{width}d}" for i in range(n)]
    scale = np.sqrt(max(n, 8) / 40.0)
    position = rng.uniform((0.0, 0.0), (AREA_KM[0] * scale, AREA_KM[1] * scale), size=(n, 2))
    demand = np.round(np.clip(rng.lognormal(np.log(2.0), 0.6, size=n), 0.5, 8.0), 2)
    population = np.round(demand * rng.uniform(9.0, 13.0, size=n), 1)
    distance = np.linalg.norm(position[:, None, :] - position[None, :, :], axis=2)
    count = sites if sites is not None else max(1, round(n / 8))
    hosts = sorted(int(i) for i in rng.choice(n, size=min(count, n), replace=False))
    total = float(demand.sum())
    facilities: list[dict[str, object]] = []
    connections: list[dict[str, object]] = []
    for k, site in enumerate(hosts):
        facility = f"PLANT_{k + 1}"
        requires = [site]
        nearest = [int(j) for j in np.argsort(distance[site], kind="stable") if j != site]
        if nearest and rng.random() < 1 / 3:
            requires.append(nearest[0])
        capacity = round(total * float(rng.uniform(0.5, 0.9)), 1)
        kind = (
            "联建水库水厂 joint reservoir plant" if len(requires) > 1 else "区域水厂 regional plant"
        )
        facilities.append(
            {
                "facility": facility,
                "name": f"{'+'.join(ids[r] for r in sorted(requires))} {kind}",
                "capacity": capacity,
                "fixed_cost": round(6000.0 + 1600.0 * capacity, 1),
                "variable_cost": 1700.0,
                "requires": "+".join(ids[r] for r in sorted(requires)),
            }
        )
        for other in range(n):
            reach = float(distance[site, other])
            if reach <= PIPE_REACH_KM or other in requires:
                pipe = 300.0 + PIPE_COST_PER_KM * reach * np.sqrt(demand[other])
                connections.append(
                    {"party": ids[other], "facility": facility, "cost": round(float(pipe), 1)}
                )
    for i, town in enumerate(ids):
        facilities.append(
            {
                "facility": f"OWN_{town}",
                "name": f"镇{i + 1:0{width}d}自建水厂 own plant",
                "capacity": round(float(demand[i]) * 1.2, 2),
                "fixed_cost": round(3000.0 + 3500.0 * float(demand[i]), 1),
                "variable_cost": 2800.0,
                "requires": town,
            }
        )
        connections.append({"party": town, "facility": f"OWN_{town}", "cost": 0.0})
    shares = [round(float(d) / total, 6) for d in demand]
    shares[-1] = round(1.0 - sum(shares[:-1]), 6)
    rows: Rows = {
        "parties": [
            {
                "id": town,
                "name": f"镇{i + 1:0{width}d} town {i + 1:0{width}d}",
                "demand": float(demand[i]),
                "population": float(population[i]),
            }
            for i, town in enumerate(ids)
        ],
        "facilities": facilities,
        "connections": connections,
        "proposal": [{"party": t, "share": s} for t, s in zip(ids, shares, strict=True)],
    }
    settings: dict[str, object] = {
        "name": f"区域供水共享（生成）generated water system {n} towns seed {seed}",
        "unit": "万元",
        "target": "shapley",
        "core": "soft",
        "distance": "l1",
    }
    return settings, rows


def generated_case(n: int, seed: int = 0, *, sites: int | None = None) -> CostSharingCase:
    """The generated water system (:func:`generated_rows`) as a validated case, built from
    rows the way the workbook reader builds it."""
    settings, rows = generated_rows(n, seed, sites=sites)
    return case_from_rows(settings, rows, source=f"generated_cost_sharing_{n}_{seed}.xlsx")


def write_generated_workbook(
    path: str | os.PathLike[str], n: int, seed: int = 0, *, sites: int | None = None
) -> Path:
    """Write the generated water system as a case workbook (the family's writer); ``fairpool
    check`` / ``solve`` read it like any case."""
    settings, rows = generated_rows(n, seed, sites=sites)
    return write_case(path, settings, rows)


__all__ = [
    "AREA_KM",
    "PIPE_COST_PER_KM",
    "PIPE_REACH_KM",
    "generated_case",
    "generated_rows",
    "write_generated_workbook",
]
