"""Build the shipped infrastructure and cost-sharing example workbooks (run: ``python -m
fairpool.cases.build_cases``, which writes every shipped case).

The data are illustrative, in the style of real arrangements, not official figures:

* ``river_program.xlsx`` — four Yangtze delta provinces (安徽, 浙江, 江苏, 上海) and a program
  of cross-border works: a bridge, a rail link with a 40% national subsidy, dredging and flood
  works, with yearly budgets per province (亿元).
* ``water_plant.xlsx`` — six Taihu cities sharing a water plant: own plants or shared sites,
  connection pipes, fixed and variable costs (亿元).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from fairpool.cases.build_cases import Rows

HERE = Path(__file__).resolve().parent

RIVER_PROVINCES = (
    ("AH", "安徽", 6121.0, 47050.0),
    ("ZJ", "浙江", 6627.0, 82553.0),
    ("JS", "江苏", 8526.0, 128222.0),
    ("SH", "上海", 2487.0, 47219.0),
)
"""(id, name, population 万人, GDP 亿元) of the river programme's provinces."""

RIVER_PROJECTS: tuple[dict[str, object], ...] = (
    # project, hosts, capex years and amount per year (亿元), O&M per year, subsidy,
    # benefits per year by party, links, territorial split
    {
        "project": "BRIDGE",
        "name": "沪浙跨海大桥 cross-border bridge",
        "hosts": "ZJ+SH",
        "capex": (2026, 4, 30.0),
        "om": 0.8,
        "territorial": "ZJ:0.6+SH:0.4",
        "benefits": {"ZJ": 6.0, "SH": 5.5, "JS": 1.2},
        "excludes": "SH_TUNNEL",
    },
    {
        "project": "RAIL",
        "name": "沪苏浙城际铁路 rail link (40% national subsidy)",
        "hosts": "SH+JS+ZJ",
        "capex": (2026, 5, 60.0),
        "om": 3.0,
        "subsidy_share": 0.4,
        "territorial": "SH:0.3+JS:0.4+ZJ:0.3",
        "benefits": {"SH": 8.0, "JS": 7.5, "ZJ": 6.0, "AH": 1.5},
    },
    {
        "project": "RAIL_AH",
        "name": "合杭铁路延伸 rail extension to Anhui",
        "hosts": "AH+ZJ",
        "capex": (2028, 4, 25.0),
        "om": 1.2,
        "subsidy_share": 0.4,
        "depends_on": "RAIL",
        "territorial": "AH:0.7+ZJ:0.3",
        "benefits": {"AH": 6.5, "ZJ": 2.0, "SH": 0.8},
    },
    {
        "project": "DREDGE",
        "name": "太浦河疏浚 river dredging",
        "hosts": "JS+ZJ",
        "capex": (2026, 2, 10.0),
        "om": 1.5,
        "territorial": "JS:0.5+ZJ:0.5",
        "benefits": {"JS": 2.2, "ZJ": 1.8, "SH": 0.9},
    },
    {
        "project": "FLOOD_UP",
        "name": "上游蓄滞洪区 upstream flood storage",
        "hosts": "AH",
        "capex": (2026, 3, 12.0),
        "om": 0.5,
        "benefits": {"AH": 1.6, "JS": 1.3, "SH": 0.9, "ZJ": 0.3},
    },
    {
        "project": "FLOOD_DOWN",
        "name": "下游堤防加固 downstream levees",
        "hosts": "JS+SH",
        "capex": (2027, 3, 15.0),
        "om": 0.6,
        "territorial": "JS:0.6+SH:0.4",
        "benefits": {"JS": 2.1, "SH": 2.6},
    },
    {
        "project": "HIGHWAY",
        "name": "皖苏省界高速 provincial-border highway",
        "hosts": "AH+JS",
        "capex": (2026, 3, 20.0),
        "om": 0.6,
        "territorial": "AH:0.5+JS:0.5",
        "benefits": {"AH": 3.2, "JS": 2.6, "SH": 0.5},
    },
    {
        "project": "WATER",
        "name": "新安江水源保护 headwater protection",
        "hosts": "AH+ZJ",
        "capex": (2026, 1, 5.0),
        "om": 2.0,
        "territorial": "AH:0.8+ZJ:0.2",
        "benefits": {"ZJ": 2.6, "SH": 1.0, "AH": 0.5},
    },
    {
        "project": "SH_TUNNEL",
        "name": "上海自建越江隧道 Shanghai's own tunnel",
        "hosts": "SH",
        "capex": (2026, 3, 20.0),
        "om": 0.5,
        "benefits": {"SH": 4.6},
    },
    {
        "project": "ZJ_PORT",
        "name": "浙江港区扩建 Zhejiang port expansion",
        "hosts": "ZJ",
        "capex": (2026, 2, 15.0),
        "om": 0.4,
        "benefits": {"ZJ": 2.7},
    },
)

RIVER_BUDGETS = {"AH": 22.0, "ZJ": 45.0, "JS": 55.0, "SH": 45.0}
"""Yearly construction budgets 2026–2031 (亿元)."""


def river_program() -> tuple[dict[str, object], Rows]:
    """Settings and rows of the four-province river programme (unit 亿元, 2026–2055).

    Illustrative data in the style of Yangtze-delta co-built infrastructure: a cross-border
    bridge, a rail link with a 40% national subsidy and its extension to Anhui, river
    dredging, upstream and downstream flood works, a border highway, headwater protection,
    and two stand-alone alternatives (Shanghai's own tunnel, excluded by the bridge; a
    Zhejiang port). Construction budgets per province per year 2026–2031.
    """
    settings = {
        "name": "长三角跨界基础设施共建（示例） Yangtze delta river programme",
        "unit": "亿元",
        "discount_rate": 0.05,
        "base_year": 2025,
        "target": "shapley",
        "core": "soft",
        "distance": "l1",
        "welfare_tolerance": 0.0,
        "individual_rationality": "hard",
        "transfers": "explicit",
    }
    horizon = range(2026, 2056)
    projects, capex, om, benefits = [], [], [], []
    for spec in RIVER_PROJECTS:
        start, years, amount = cast("tuple[int, int, float]", spec["capex"])
        opening = start + years
        projects.append(
            {
                "project": spec["project"],
                "name": spec["name"],
                "hosts": spec["hosts"],
                "depends_on": spec.get("depends_on", ""),
                "excludes": spec.get("excludes", ""),
                "life_years": 2055 - opening + 1,
                "subsidy_share": spec.get("subsidy_share", 0.0),
                "territorial": spec.get("territorial", ""),
            }
        )
        capex += [
            {"project": spec["project"], "year": y, "amount": amount} for y in range(start, opening)
        ]
        om += [
            {"project": spec["project"], "year": y, "amount": spec["om"]}
            for y in horizon
            if y >= opening
        ]
        for party, per_year in cast("dict[str, float]", spec["benefits"]).items():
            benefits += [
                {"project": spec["project"], "party": party, "year": y, "amount": per_year}
                for y in horizon
                if y >= opening
            ]
    rows: Rows = {
        "parties": [
            {"id": i, "name": name, "population": population, "gdp": gdp}
            for i, name, population, gdp in RIVER_PROVINCES
        ],
        "projects": projects,
        "capex": capex,
        "om": om,
        "benefits": benefits,
        "budgets": [
            {"party": party, "year": y, "amount": amount}
            for party, amount in RIVER_BUDGETS.items()
            for y in range(2026, 2032)
        ],
        "proposal": [
            {"party": "SH", "project": "*", "share": 0.3},
            {"party": "JS", "project": "*", "share": 0.3},
            {"party": "ZJ", "project": "*", "share": 0.25},
            {"party": "AH", "project": "*", "share": 0.15},
        ],
    }
    return settings, rows


WATER_CITIES = (
    ("SZ", "苏州", 60.0, 1275.0),
    ("WX", "无锡", 40.0, 749.0),
    ("CZ", "常州", 30.0, 536.0),
    ("HZ", "湖州", 20.0, 341.0),
    ("JX", "嘉兴", 25.0, 555.0),
    ("KS", "昆山", 15.0, 210.0),
)
"""(id, name, demand 万吨/日, population 万人) of the water-plant cities."""

WATER_SITES = {
    # shared option: (site party, capacity 万吨/日, fixed cost 亿元, variable 亿元 per 万吨/日)
    "TAIHU_L": ("WX", 200.0, 32.0, 0.30),
    "TAIHU_M": ("SZ", 110.0, 22.0, 0.34),
    "SOUTH_S": ("JX", 60.0, 13.0, 0.38),
}
WATER_PIPES = {  # connection cost 亿元 to each shared site
    "TAIHU_L": {"SZ": 4.0, "WX": 0.5, "CZ": 3.0, "HZ": 5.5, "JX": 6.5, "KS": 5.0},
    "TAIHU_M": {"SZ": 0.5, "WX": 3.5, "CZ": 6.0, "HZ": 5.0, "JX": 4.0, "KS": 2.0},
    "SOUTH_S": {"HZ": 2.5, "JX": 0.5, "KS": 3.5, "SZ": 4.5},
}


def water_plant() -> tuple[dict[str, object], Rows]:
    """Settings and rows of six Taihu-basin cities sharing a water-supply system (亿元, PV).

    Each city can build its own plant (fixed cost 3 + 0.2·demand, variable 0.45 per 万吨/日)
    or join a shared plant at one of three sites (larger, cheaper per unit: economies of
    scale) paying its pipeline. Costs are present values over 20 years. Illustrative data.
    """
    settings: dict[str, object] = {
        "name": "太湖流域区域供水共享（示例） Taihu regional water supply",
        "unit": "亿元",
        "target": "shapley",
        "core": "soft",
        "distance": "l1",
    }
    facilities = [
        {
            "facility": facility,
            "name": f"共享水厂（{site}） shared plant at {site}",
            "capacity": capacity,
            "fixed_cost": fixed,
            "variable_cost": variable,
            "requires": site,
        }
        for facility, (site, capacity, fixed, variable) in WATER_SITES.items()
    ]
    connections = [
        {"party": party, "facility": facility, "cost": cost}
        for facility, pipes in WATER_PIPES.items()
        for party, cost in pipes.items()
    ]
    for city, name, demand, _ in WATER_CITIES:
        facilities.append(
            {
                "facility": f"OWN_{city}",
                "name": f"{name}自建水厂 own plant",
                "capacity": demand * 1.2,
                "fixed_cost": round(3.0 + 0.2 * demand, 2),
                "variable_cost": 0.45,
                "requires": city,
            }
        )
        connections.append({"party": city, "facility": f"OWN_{city}", "cost": 0.0})
    rows: Rows = {
        "parties": [
            {"id": city, "name": name, "demand": demand, "population": population}
            for city, name, demand, population in WATER_CITIES
        ],
        "facilities": facilities,
        "connections": connections,
    }
    shares = [round(d / 190.0, 6) for _, _, d, _ in WATER_CITIES]
    shares[-1] = round(1.0 - sum(shares[:-1]), 6)
    rows["proposal"] = [
        {"party": city, "share": share}
        for (city, *_), share in zip(WATER_CITIES, shares, strict=True)
    ]
    return settings, rows


INFRASTRUCTURE_SHIPPED = {"river_program.xlsx": river_program}
COST_SHARING_SHIPPED = {"water_plant.xlsx": water_plant}


def build_infrastructure_cases(folder: Path = HERE) -> list[Path]:
    """Write the shipped infrastructure and cost_sharing workbooks into ``folder``."""
    from fairpool.models import cost_sharing, infrastructure

    written = []
    for filename, make in INFRASTRUCTURE_SHIPPED.items():
        settings, rows = make()
        written.append(infrastructure.write_case(folder / filename, settings, rows))
    for filename, make in COST_SHARING_SHIPPED.items():
        settings, rows = make()
        written.append(cost_sharing.write_case(folder / filename, settings, rows))
    return written
