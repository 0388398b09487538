"""Generated infrastructure cases: a Yangtze-delta-like programme of any size (benchmarks,
tests, scale studies), seeded and reproducible.

The parties are cities of the Yangtze River Delta (上海, 13 Jiangsu, 11 Zhejiang and 16 Anhui
cities: 41 in all, :data:`DELTA_CITIES`, with approximate positions, GDP and population); a
case of n ≤ 41 parties takes the n cities nearest a seeded centre, so that its parties are
neighbours; above 41, generic cities (城市42 …) are placed at random inside the region. Two
cities are *neighbours* when one is among the other's :data:`NEIGHBOURS` nearest.

Each project is of a kind (:data:`PROJECT_KINDS`: intercity rail, border highway, river
crossing, river works, headwater protection, local works) that fixes its number of hosts
(1–3 neighbouring cities: every host must agree), its size (亿元), its national subsidy,
whether it may be built in part, and how its yearly benefit, about 6–12 % of its capex,
falls on its hosts and up to three of their neighbours (spill-overs), each group by √GDP;
headwater protection benefits mostly the neighbours, not its host. Some projects need an earlier one
(an extension of a rail link), some exclude one (a city's own works instead of a shared
crossing). Each city's yearly construction budget (2026–2035) is a share of its GDP, so
large coalitions can fund what small ones cannot. The proposal to check is a common fund:
every city pays a share of every project built in proportion to its GDP.

The data are illustrative, not official figures. Example:

    >>> case = generated_case(6, seed=1)
    >>> case.n, len(case.projects), case.unit
    (6, 9, '亿元')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fairpool.models.infrastructure.case import InfrastructureCase, case_from_rows
from fairpool.models.infrastructure.template import write_case

Rows = dict[str, list[dict[str, object]]]

FIRST_YEAR = 2026
"""The first year of every generated case (the base year is the year before)."""

NEIGHBOURS = 4
"""Each city's nearest cities that count as its neighbours."""


@dataclass(frozen=True)
class City:
    """A city of a generated region: display ``name`` (Chinese and English), position
    (longitude, latitude in degrees), GDP (亿元) and population (万人), approximate."""

    name: str
    lon: float
    lat: float
    gdp: float
    population: float


DELTA_CITIES: tuple[City, ...] = (
    City("上海 Shanghai", 121.47, 31.23, 47219, 2487),
    City("南京 Nanjing", 118.80, 32.06, 17421, 954),
    City("无锡 Wuxi", 120.31, 31.49, 15456, 749),
    City("徐州 Xuzhou", 117.18, 34.26, 8900, 902),
    City("常州 Changzhou", 119.97, 31.81, 10116, 537),
    City("苏州 Suzhou", 120.58, 31.30, 24653, 1296),
    City("南通 Nantong", 120.89, 31.98, 11813, 774),
    City("连云港 Lianyungang", 119.22, 34.60, 4364, 459),
    City("淮安 Huai'an", 119.02, 33.61, 5015, 455),
    City("盐城 Yancheng", 120.16, 33.35, 7404, 668),
    City("扬州 Yangzhou", 119.41, 32.39, 7424, 458),
    City("镇江 Zhenjiang", 119.42, 32.19, 5264, 322),
    City("泰州 Taizhou (JS)", 119.92, 32.46, 6731, 450),
    City("宿迁 Suqian", 118.28, 33.96, 4398, 498),
    City("杭州 Hangzhou", 120.16, 30.27, 20059, 1252),
    City("宁波 Ningbo", 121.55, 29.87, 16452, 970),
    City("温州 Wenzhou", 120.70, 28.00, 8730, 976),
    City("嘉兴 Jiaxing", 120.76, 30.75, 7062, 558),
    City("湖州 Huzhou", 120.09, 30.89, 4016, 344),
    City("绍兴 Shaoxing", 120.58, 30.03, 7791, 536),
    City("金华 Jinhua", 119.65, 29.08, 6011, 716),
    City("衢州 Quzhou", 118.87, 28.94, 2125, 229),
    City("舟山 Zhoushan", 122.21, 29.99, 2100, 117),
    City("台州 Taizhou (ZJ)", 121.42, 28.66, 6240, 669),
    City("丽水 Lishui", 119.92, 28.47, 1964, 251),
    City("合肥 Hefei", 117.23, 31.82, 12674, 985),
    City("芜湖 Wuhu", 118.43, 31.35, 4741, 374),
    City("蚌埠 Bengbu", 117.39, 32.92, 2206, 329),
    City("淮南 Huainan", 117.00, 32.63, 1574, 303),
    City("马鞍山 Ma'anshan", 118.51, 31.67, 2551, 218),
    City("淮北 Huaibei", 116.80, 33.96, 1321, 197),
    City("铜陵 Tongling", 117.81, 30.94, 1257, 131),
    City("安庆 Anqing", 117.06, 30.53, 2887, 416),
    City("黄山 Huangshan", 118.34, 29.71, 1003, 133),
    City("滁州 Chuzhou", 118.32, 32.30, 3755, 399),
    City("阜阳 Fuyang", 115.81, 32.89, 3516, 814),
    City("宿州 Suzhou (AH)", 116.96, 33.65, 2400, 527),
    City("六安 Lu'an", 116.52, 31.73, 2240, 437),
    City("亳州 Bozhou", 115.78, 33.85, 2200, 496),
    City("池州 Chizhou", 117.49, 30.66, 1138, 134),
    City("宣城 Xuancheng", 118.76, 30.94, 1938, 249),
)
"""The 41 cities of the Yangtze River Delta (approximate 2023 GDP 亿元, population 万人)."""


def region_cities(n: int, rng: np.random.Generator) -> list[City]:
    """n cities of the delta that lie together: the n nearest a seeded centre city (all 41,
    then generic cities 城市42 … at random positions in the region's box, above 41)."""
    centre = DELTA_CITIES[int(rng.integers(len(DELTA_CITIES)))]
    order = sorted(
        range(len(DELTA_CITIES)),
        key=lambda k: (
            (DELTA_CITIES[k].lon - centre.lon) ** 2 + (DELTA_CITIES[k].lat - centre.lat) ** 2
        ),
    )
    cities = [DELTA_CITIES[k] for k in sorted(order[:n])]
    for k in range(len(cities), n):
        cities.append(
            City(
                f"城市{k + 1:02d} city {k + 1:02d}",
                round(float(rng.uniform(115.8, 122.2)), 2),
                round(float(rng.uniform(28.0, 34.6)), 2),
                round(float(rng.lognormal(np.log(3000.0), 0.6))),
                round(float(rng.lognormal(np.log(400.0), 0.5))),
            )
        )
    return cities


def party_ids(n: int) -> list[str]:
    """``C01``, ``C02`` … (two digits up to 99 parties)."""
    width = max(2, len(str(n)))
    return [f"C{i + 1:0{width}d}" for i in range(n)]


def neighbour_lists(cities: list[City], count: int = NEIGHBOURS) -> list[list[int]]:
    """Each city's ``count`` nearest cities, nearest first (a distance in degrees, enough to
    rank neighbours), made symmetric: j neighbours i when either ranks the other."""
    position = np.array([[c.lon, c.lat] for c in cities])
    distance = np.linalg.norm(position[:, None, :] - position[None, :, :], axis=2)
    np.fill_diagonal(distance, np.inf)
    n = len(cities)
    nearest = [list(np.argsort(distance[i], kind="stable")[: min(count, n - 1)]) for i in range(n)]
    found: list[list[int]] = [[int(j) for j in row] for row in nearest]
    for i in range(n):
        for j in nearest[i]:
            if i not in found[int(j)]:
                found[int(j)].append(i)
    return found


@dataclass(frozen=True)
class ProjectKind:
    """A kind of project: its name (Chinese, English), host count range, total capex range
    (亿元, before subsidy), construction years, chance of a national subsidy, whether it may
    be built in part, the yearly benefit as a share of capex, and the share of the benefit
    that spills over to the hosts' neighbours."""

    name: str
    hosts: tuple[int, int]
    capex: tuple[float, float]
    build_years: tuple[int, int]
    subsidy_chance: float
    divisible_chance: float
    benefit_rate: tuple[float, float]
    spill_over: float
    weight: float


PROJECT_KINDS: tuple[ProjectKind, ...] = (
    ProjectKind(
        "城际铁路 intercity rail", (2, 3), (60, 180), (4, 5), 0.7, 0.0, (0.08, 0.11), 0.25, 3
    ),
    ProjectKind(
        "省界高速 border highway", (2, 2), (25, 70), (3, 4), 0.3, 0.0, (0.07, 0.11), 0.2, 3
    ),
    ProjectKind(
        "跨江通道 river crossing", (2, 2), (30, 90), (3, 5), 0.2, 0.0, (0.07, 0.10), 0.15, 2
    ),
    ProjectKind("河道整治 river works", (1, 3), (6, 30), (2, 3), 0.2, 0.5, (0.06, 0.10), 0.35, 2),
    ProjectKind(
        "水源地保护 headwater protection", (1, 1), (3, 12), (1, 2), 0.0, 0.3, (0.08, 0.12), 0.8, 1
    ),
    ProjectKind("本地配套 local works", (1, 1), (5, 25), (2, 3), 0.0, 0.0, (0.08, 0.12), 0.1, 2),
)
"""The project kinds of a generated programme and how often each is drawn (``weight``)."""


def generated_rows(
    n: int,
    seed: int = 0,
    *,
    projects: int | None = None,
    years: int = 30,
    budget_share: float = 0.005,
) -> tuple[dict[str, object], Rows]:
    """(settings, rows) of a generated programme of ``n`` cities (see the module docstring).

    ``projects``: blank is ⌈1.5 n⌉ (41 cities: 62); ``years`` of the horizon from 2026;
    ``budget_share``: a city's yearly construction budget as a share of its GDP (0.5 %).
    """
    if n < 1:
        raise ValueError(f"a programme needs at least one city, not {n}")
    rng = np.random.default_rng(seed)
    count = projects if projects is not None else -(-3 * n // 2)
    cities = region_cities(n, rng)
    ids = party_ids(n)
    near = neighbour_lists(cities)
    gdp = np.array([c.gdp for c in cities])
    horizon = list(range(FIRST_YEAR, FIRST_YEAR + years))
    last_start = FIRST_YEAR + max(0, min(years - 6, 6))
    weights = np.array([k.weight for k in PROJECT_KINDS])
    project_rows: list[dict[str, object]] = []
    capex_rows: list[dict[str, object]] = []
    om_rows: list[dict[str, object]] = []
    benefit_rows: list[dict[str, object]] = []
    rails: list[tuple[str, set[int]]] = []
    for k in range(count):
        kind = PROJECT_KINDS[int(rng.choice(len(PROJECT_KINDS), p=weights / weights.sum()))]
        hosts = pick_hosts(rng, near, kind.hosts)
        project = f"P{k + 1:02d}"
        host_names = "–".join(cities[h].name.split()[0] for h in hosts)
        row: dict[str, object] = {
            "project": project,
            "name": f"{host_names}{kind.name}",
            "hosts": "+".join(ids[h] for h in hosts),
        }
        if rng.random() < kind.subsidy_chance:
            row["subsidy_share"] = round(float(rng.uniform(0.2, 0.4)), 2)
        if rng.random() < kind.divisible_chance:
            row["divisible"] = True
        if len(hosts) > 1:
            row["territorial"] = territorial_split(rng, len(hosts))
        if kind.name.startswith("城际铁路"):
            extended = [name for name, stations in rails if stations & set(hosts)]
            if extended and rng.random() < 0.5:
                row["depends_on"] = extended[0]
            rails.append((project, set(hosts)))
        elif len(hosts) == 1 and project_rows and rng.random() < 0.3:
            shared = [
                r["project"]
                for r in project_rows
                if ids[hosts[0]] in str(r["hosts"]).split("+") and "+" in str(r["hosts"])
            ]
            if shared:
                row["excludes"] = shared[-1]
                row["name"] = f"{host_names}自建替代方案 own alternative"
        project_rows.append(row)
        total = float(rng.uniform(*kind.capex)) * (1 + 0.25 * (len(hosts) - 1))
        start = int(rng.integers(FIRST_YEAR, last_start + 1))
        build = int(rng.integers(kind.build_years[0], kind.build_years[1] + 1))
        opening = start + build
        capex_rows += [
            {"project": project, "year": y, "amount": round(total / build, 3)}
            for y in range(start, opening)
            if y in horizon
        ]
        upkeep = round(total * float(rng.uniform(0.01, 0.02)), 3)
        om_rows += [
            {"project": project, "year": y, "amount": upkeep} for y in horizon if y >= opening
        ]
        yearly = total * float(rng.uniform(*kind.benefit_rate))
        for party, amount in benefit_split(hosts, near, gdp, kind.spill_over, yearly, rng).items():
            benefit_rows += [
                {"project": project, "party": ids[party], "year": y, "amount": amount}
                for y in horizon
                if y >= opening
            ]
    budget_years = range(FIRST_YEAR, min(FIRST_YEAR + 10, FIRST_YEAR + years))
    shares = [round(float(g), 6) for g in gdp / gdp.sum()]
    shares[-1] = round(1.0 - sum(shares[:-1]), 6)
    rows: Rows = {
        "parties": [
            {"id": ids[i], "name": c.name, "gdp": c.gdp, "population": c.population}
            for i, c in enumerate(cities)
        ],
        "projects": project_rows,
        "capex": capex_rows,
        "om": om_rows,
        "benefits": benefit_rows,
        "budgets": [
            {"party": ids[i], "year": y, "amount": round(c.gdp * budget_share, 2)}
            for i, c in enumerate(cities)
            for y in budget_years
        ],
        "proposal": [
            {"party": ids[i], "project": "*", "share": share} for i, share in enumerate(shares)
        ],
    }
    settings: dict[str, object] = {
        "name": f"长三角跨界基础设施（生成）generated delta programme {n}×{count} seed {seed}",
        "unit": "亿元",
        "discount_rate": 0.04,
        "base_year": FIRST_YEAR - 1,
        "target": "shapley",
        "core": "soft",
        "welfare_tolerance": 0.0,
        "individual_rationality": "hard",
    }
    return settings, rows


def pick_hosts(
    rng: np.random.Generator, near: list[list[int]], sizes: tuple[int, int]
) -> list[int]:
    """1–3 neighbouring hosts: a random city, then a random neighbour of the hosts so far."""
    size = int(rng.integers(sizes[0], sizes[1] + 1))
    hosts = [int(rng.integers(len(near)))]
    while len(hosts) < size:
        options = sorted({j for h in hosts for j in near[h]} - set(hosts))
        if not options:
            break
        hosts.append(int(rng.choice(options)))
    return sorted(hosts)


def territorial_split(rng: np.random.Generator, hosts: int) -> str:
    """Shares of the cost inside each host's territory, multiples of 0.05 adding up to 1."""
    cuts = np.sort(rng.choice(np.arange(1, 20), size=hosts - 1, replace=False))
    parts = np.diff(np.concatenate([[0], cuts, [20]]))
    return "+".join(f"{p * 0.05:.2f}" for p in parts)


def benefit_split(
    hosts: list[int],
    near: list[list[int]],
    gdp: np.ndarray,
    spill_over: float,
    yearly: float,
    rng: np.random.Generator,
) -> dict[int, float]:
    """The yearly benefit per party (亿元, 3 decimals): (1 − spill_over) to the hosts by
    √GDP, spill_over to up to three of their neighbours, by √GDP too."""
    around = sorted({j for h in hosts for j in near[h]} - set(hosts))
    if len(around) > 3:
        around = sorted(int(j) for j in rng.choice(around, size=3, replace=False))
    weights = np.sqrt(gdp)
    split: dict[int, float] = {}
    host_share = 1.0 - spill_over if around else 1.0
    for group, share in ((hosts, host_share), (around, 1.0 - host_share)):
        if not group or share <= 0:
            continue
        total = float(weights[group].sum())
        for party in group:
            split[party] = round(yearly * share * float(weights[party]) / total, 3)
    return split


def generated_case(
    n: int,
    seed: int = 0,
    *,
    projects: int | None = None,
    years: int = 30,
    budget_share: float = 0.005,
) -> InfrastructureCase:
    """The generated programme (:func:`generated_rows`) as a validated case, built from rows
    the way the workbook reader builds it."""
    settings, rows = generated_rows(
        n, seed, projects=projects, years=years, budget_share=budget_share
    )
    return case_from_rows(settings, rows, source=f"generated_infrastructure_{n}_{seed}.xlsx")


def write_generated_workbook(
    path: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    *,
    projects: int | None = None,
    years: int = 30,
    budget_share: float = 0.005,
) -> Path:
    """Write the generated programme as a case workbook (the family's writer); ``fairpool
    check`` / ``solve`` read it like any case."""
    settings, rows = generated_rows(
        n, seed, projects=projects, years=years, budget_share=budget_share
    )
    return write_case(path, settings, rows)


__all__ = [
    "DELTA_CITIES",
    "PROJECT_KINDS",
    "City",
    "ProjectKind",
    "generated_case",
    "generated_rows",
    "neighbour_lists",
    "party_ids",
    "region_cities",
    "write_generated_workbook",
]
