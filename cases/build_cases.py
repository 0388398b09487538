"""Build the shipped joint-park example workbooks (run: ``python -m fairpool.cases.build_cases``).

The data are illustrative, in the style of real arrangements, not official figures:

* ``sichuan_zhejiang_park.xlsx`` — a three-party co-built park in the style of the
  Zhejiang–Sichuan east–west pairing: a sending city (浙江飞出市) brings capital, management and
  relocating firms, a host county (四川承接县) brings land, the province (四川省) grants ¥200
  million (20 000 万元) for the second phase. Streams: VAT local share (存量不动、增量分成 over
  2025), CIT local share, land income, GDP credit (statistic, double-counted). 20 years in 4
  phases; the host's yearly take is at least ¥5 million (500 万元).
* ``jingjinji_relocation.xlsx`` — a relocation rule in the style of the Beijing–Tianjin–Hebei
  2015 arrangement (京津冀产业转移税收分享): 50:50 for 3 years, the sender's cumulative take
  capped at 3 pre-move years of tax, extended by 2 years because the cap was not reached;
  entered as fixed ratios, so the plan must reproduce it exactly.

:func:`generated_park` builds random cases of any size (tests, benchmarks).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np

from fairpool.models.joint_park import write_case

HERE = Path(__file__).resolve().parent
Rows = dict[str, list[dict[str, object]]]


def _ramp(start: float, end: float, years: range) -> dict[int, float]:
    steps = max(len(years) - 1, 1)
    return {y: round(start + (end - start) * i / steps, 1) for i, y in enumerate(years)}


def sichuan_zhejiang_park() -> tuple[dict[str, object], Rows]:
    """Settings and rows of the three-party Sichuan–Zhejiang-style park (unit 万元)."""
    settings = {
        "name": "川浙合作共建园区（示例）",
        "unit": "万元",
        "discount_rate": 0.05,
        "base_year": 2025,
        "target": "shapley",
        "core": "soft",
        "distance": "l1",
    }
    years = range(2026, 2046)
    later = range(2031, 2046)
    revenues: list[dict[str, object]] = []

    def add(component: str, stream: str, amounts: dict[int, float]) -> None:
        revenues.extend(
            {"component": component, "stream": stream, "year": y, "amount": a}
            for y, a in amounts.items()
        )

    add("EXIST", "VAT", {y: 300.0 for y in range(2025, 2046)})
    add("LOCAL", "VAT", _ramp(300, 700, years))
    add("LOCAL", "CIT", _ramp(100, 250, years))
    add("LOCAL", "LAND", {2026: 3000.0})
    add("HOME", "VAT", {y: 1100.0 for y in years})
    add("HOME", "CIT", {y: 500.0 for y in years})
    add("PARK1", "VAT", _ramp(600, 3000, years))
    add("PARK1", "CIT", _ramp(250, 1400, years))
    add("PARK1", "LAND", {2027: 8000.0})
    add("PARK1", "GDP", _ramp(60000, 260000, years))
    add("PARK2", "VAT", _ramp(1200, 3200, later))
    add("PARK2", "CIT", _ramp(500, 1400, later))
    add("PARK2", "LAND", {2031: 6000.0})
    add("PARK2", "GDP", _ramp(40000, 180000, later))
    costs = [
        {"component": "LOCAL", "party": "HOST", "year": 2026, "amount": 2500.0},
        {"component": "LOCAL", "party": "HOST", "year": 2027, "amount": 1500.0},
        *({"component": "LOCAL", "party": "HOST", "year": y, "amount": 150.0} for y in years),
        {"component": "HOME", "party": "SEND", "year": 2026, "amount": 6000.0},
        *({"component": "HOME", "party": "SEND", "year": y, "amount": 300.0} for y in years),
        {"component": "PARK1", "party": "HOST", "year": 2026, "amount": 4000.0},
        *({"component": "PARK1", "party": "HOST", "year": y, "amount": 300.0} for y in years),
        {"component": "PARK1", "party": "SEND", "year": 2026, "amount": 3000.0},
        *({"component": "PARK1", "party": "SEND", "year": y, "amount": 250.0} for y in years),
        {"component": "PARK2", "party": "PROV", "year": 2030, "amount": 10000.0},
        {"component": "PARK2", "party": "PROV", "year": 2031, "amount": 10000.0},
        *({"component": "PARK2", "party": "HOST", "year": y, "amount": 200.0} for y in later),
        *({"component": "PARK2", "party": "SEND", "year": y, "amount": 100.0} for y in later),
    ]
    rows: Rows = {
        "parties": [
            {"id": "SEND", "name": "浙江飞出市", "gdp": 18000.0, "population": 620.0},
            {"id": "HOST", "name": "四川承接县", "gdp": 420.0, "population": 85.0},
            {"id": "PROV", "name": "四川省", "gdp": 60000.0, "population": 8370.0},
        ],
        "components": [
            {"component": "EXIST", "requires": "HOST", "name": "园区原有企业 existing firms"},
            {
                "component": "LOCAL",
                "requires": "HOST",
                "excludes": "PARK1",
                "name": "县自建工业集中区 host builds alone",
            },
            {
                "component": "HOME",
                "requires": "SEND",
                "excludes": "PARK1",
                "name": "企业原地扩产 firms expand at home",
            },
            {"component": "PARK1", "requires": "SEND+HOST", "name": "共建园区一期 joint park I"},
            {
                "component": "PARK2",
                "requires": "SEND+HOST+PROV",
                "depends_on": "PARK1",
                "name": "二期扩区（省级补助） phase II, provincial grant",
            },
        ],
        "revenues": revenues,
        "costs": costs,
        "phases": [
            {"phase": "1", "start_year": 2026, "end_year": 2030},
            {"phase": "2", "start_year": 2031, "end_year": 2035},
            {"phase": "3", "start_year": 2036, "end_year": 2040},
            {"phase": "4", "start_year": 2041, "end_year": 2045},
        ],
        "rules": [
            {
                "party": "SEND",
                "stream": "*",
                "phase": "*",
                "min_ratio": 0.2,
                "max_ratio": 0.8,
                "schedule": "nonincreasing",
            },
            {"party": "HOST", "stream": "*", "phase": "*", "min_ratio": 0.2, "max_ratio": 0.8},
            {"party": "PROV", "stream": "*", "phase": "*", "min_ratio": 0.0, "max_ratio": 0.5},
            {"party": "PROV", "stream": "*", "phase": "1", "min_ratio": 0.0, "max_ratio": 0.0},
            {"party": "PROV", "stream": "LAND", "phase": "*", "min_ratio": 0.0, "max_ratio": 0.0},
            {"party": "HOST", "stream": "GDP", "phase": "*", "min_ratio": 1.0, "max_ratio": 1.0},
            {"party": "SEND", "stream": "GDP", "phase": "*", "min_ratio": 0.4, "max_ratio": 0.6},
            {"party": "PROV", "stream": "GDP", "phase": "*", "min_ratio": 0.0, "max_ratio": 0.0},
        ],
        "streams": [
            {
                "stream": "VAT",
                "kind": "cash",
                "increment_base_year": 2025,
                "stock_owner": "HOST",
                "name": "增值税地方留成（50%） VAT local share",
            },
            {"stream": "CIT", "kind": "cash", "name": "企业所得税地方留成（40%） CIT local share"},
            {"stream": "LAND", "kind": "cash", "name": "土地出让净收益 land income"},
            {
                "stream": "GDP",
                "kind": "statistic",
                "double_count": True,
                "name": "GDP 统计分算 GDP credit",
            },
        ],
        "limits": [
            {
                "party": "HOST",
                "limit": "floor",
                "stream": "*",
                "start_year": 2026,
                "end_year": 2045,
                "amount": 500.0,
            },
        ],
        "proposal": [
            *(
                {"party": "SEND", "stream": "*", "phase": h, "ratio": r}
                for h, r in (("1", 0.6), ("2", 0.45), ("3", 0.4), ("4", 0.4))
            ),
            *(
                {"party": "HOST", "stream": "*", "phase": h, "ratio": r}
                for h, r in (("1", 0.4), ("2", 0.35), ("3", 0.35), ("4", 0.35))
            ),
            *(
                {"party": "PROV", "stream": "*", "phase": h, "ratio": r}
                for h, r in (("1", 0.0), ("2", 0.2), ("3", 0.25), ("4", 0.25))
            ),
            {"party": "SEND", "stream": "LAND", "phase": "*", "ratio": 0.5},
            {"party": "HOST", "stream": "LAND", "phase": "*", "ratio": 0.5},
            {"party": "PROV", "stream": "LAND", "phase": "*", "ratio": 0.0},
            {"party": "SEND", "stream": "GDP", "phase": "*", "ratio": 0.5},
            {"party": "HOST", "stream": "GDP", "phase": "*", "ratio": 1.0},
            {"party": "PROV", "stream": "GDP", "phase": "*", "ratio": 0.0},
        ],
    }
    return settings, rows


JINGJINJI_TAX = {
    2016: 800.0,
    2017: 1100.0,
    2018: 1300.0,
    2019: 1500.0,
    2020: 1700.0,
    **{y: 1700.0 + 100.0 * (y - 2020) for y in range(2021, 2031)},
}
"""Yearly local "three taxes" of the relocated firms after the move (万元)."""
JINGJINJI_PRE_MOVE_TAX = 1000.0
"""Their yearly tax in Beijing before the move: the cap is three years of it."""
JINGJINJI_VAT_SHARE = 0.6
"""Part of the relocated firms' local tax that is VAT (the rest is CIT)."""


def jingjinji_relocation() -> tuple[dict[str, object], Rows]:
    """Settings and rows of the Beijing–Tianjin–Hebei-2015-style relocation rule (万元)."""
    settings = {
        "name": "京津冀产业转移税收分享（示例）",
        "unit": "万元",
        "discount_rate": 0.05,
        "base_year": 2015,
        "target": "shapley",
        "core": "soft",
        "distance": "l1",
    }
    years = range(2016, 2031)
    revenues = []
    for year, amount in JINGJINJI_TAX.items():
        revenues.append(
            {
                "component": "MOVE",
                "stream": "VAT",
                "year": year,
                "amount": round(amount * JINGJINJI_VAT_SHARE, 6),
            }
        )
        revenues.append(
            {
                "component": "MOVE",
                "stream": "CIT",
                "year": year,
                "amount": round(amount * (1 - JINGJINJI_VAT_SHARE), 6),
            }
        )
        revenues.append(
            {
                "component": "STAY",
                "stream": "VAT",
                "year": year,
                "amount": JINGJINJI_PRE_MOVE_TAX * JINGJINJI_VAT_SHARE,
            }
        )
        revenues.append(
            {
                "component": "STAY",
                "stream": "CIT",
                "year": year,
                "amount": JINGJINJI_PRE_MOVE_TAX * (1 - JINGJINJI_VAT_SHARE),
            }
        )
    costs = [
        {"component": "MOVE", "party": "HB", "year": 2016, "amount": 3000.0},
        {"component": "MOVE", "party": "BJ", "year": 2016, "amount": 1500.0},
        *({"component": "STAY", "party": "BJ", "year": y, "amount": 650.0} for y in years),
    ]
    fixed = [("1", 0.5, 0.5), ("2", 0.5, 0.5), ("3", 0.0, 1.0)]
    rows: Rows = {
        "parties": [
            {"id": "BJ", "name": "北京市（迁出地）"},
            {"id": "HB", "name": "河北沧州（迁入地）"},
        ],
        "components": [
            {"component": "MOVE", "requires": "BJ+HB", "name": "企业迁至河北 firms relocate"},
            {
                "component": "STAY",
                "requires": "BJ",
                "excludes": "MOVE",
                "name": "企业留京（疏解成本） firms stay, congestion cost",
            },
        ],
        "revenues": revenues,
        "costs": costs,
        "phases": [
            {"phase": "1", "start_year": 2016, "end_year": 2018},
            {"phase": "2", "start_year": 2019, "end_year": 2020},
            {"phase": "3", "start_year": 2021, "end_year": 2030},
        ],
        "rules": [
            *(
                {"party": "BJ", "stream": "*", "phase": h, "min_ratio": b, "max_ratio": b}
                for h, b, _ in fixed
            ),
            *(
                {"party": "HB", "stream": "*", "phase": h, "min_ratio": c, "max_ratio": c}
                for h, _, c in fixed
            ),
        ],
        "streams": [
            {"stream": "VAT", "kind": "cash", "name": "增值税地方部分"},
            {"stream": "CIT", "kind": "cash", "name": "企业所得税地方部分"},
        ],
        "limits": [
            {
                "party": "BJ",
                "limit": "cap",
                "stream": "*",
                "start_year": 2016,
                "end_year": 2020,
                "amount": 3 * JINGJINJI_PRE_MOVE_TAX,
                "overflow_to": "HB",
            },
        ],
        "proposal": [
            *({"party": "BJ", "stream": "*", "phase": h, "ratio": b} for h, b, _ in fixed),
            *({"party": "HB", "stream": "*", "phase": h, "ratio": c} for h, _, c in fixed),
        ],
    }
    return settings, rows


def generated_park(
    parties: int = 6, streams: int = 8, years: int = 30, components: int = 12, seed: int = 0
) -> tuple[dict[str, object], Rows]:
    """A random but well-formed park: each component needs 1–3 parties, phases of 5 years.

    Streams: the last one is a statistic (GDP); rules give every party [0, 0.6] with the first
    party's share nonincreasing; the second party has a yearly floor of 1.
    """
    rng = np.random.default_rng(seed)
    ids = [f"P{i + 1}" for i in range(parties)]
    stream_ids = [f"S{k + 1}" for k in range(streams)]
    first = 2026
    year_list = list(range(first, first + years))
    component_rows, revenue_rows, cost_rows = [], [], []
    for c in range(components):
        size = int(rng.integers(1, min(3, parties) + 1))
        needed = sorted(rng.choice(parties, size=size, replace=False).tolist())
        row: dict[str, object] = {
            "component": f"C{c + 1}",
            "requires": "+".join(ids[i] for i in needed),
        }
        if c >= 2 and rng.random() < 0.25:
            row["depends_on"] = f"C{int(rng.integers(1, c + 1))}"
        if c >= 1 and rng.random() < 0.2:
            row["excludes"] = f"C{int(rng.integers(1, c + 1))}"
        component_rows.append(row)
        scale = 100.0 * size * (1 + rng.random())
        for k, stream in enumerate(stream_ids):
            if rng.random() < 0.5:
                continue
            growth = rng.uniform(0.0, 0.08)
            for t, year in enumerate(year_list):
                amount = scale * (1 + growth) ** t * (20 if k == streams - 1 else 1)
                revenue_rows.append(
                    {
                        "component": f"C{c + 1}",
                        "stream": stream,
                        "year": year,
                        "amount": round(amount, 2),
                    }
                )
        for i in needed:
            cost_rows.append(
                {
                    "component": f"C{c + 1}",
                    "party": ids[i],
                    "year": first,
                    "amount": round(scale * rng.uniform(1, 6), 2),
                }
            )
            for year in year_list:
                cost_rows.append(
                    {
                        "component": f"C{c + 1}",
                        "party": ids[i],
                        "year": year,
                        "amount": round(scale * rng.uniform(0.05, 0.4), 2),
                    }
                )
    phases = [
        {
            "phase": str(h + 1),
            "start_year": first + 5 * h,
            "end_year": min(first + 5 * h + 4, year_list[-1]),
        }
        for h in range((years + 4) // 5)
    ]
    rules = [
        {"party": p, "stream": "*", "phase": "*", "min_ratio": 0.0, "max_ratio": 0.6} for p in ids
    ]
    rules[0]["schedule"] = "nonincreasing"
    rows: Rows = {
        "parties": [
            {"id": p, "name": f"参与方{i + 1}", "gdp": float(rng.uniform(100, 1000))}
            for i, p in enumerate(ids)
        ],
        "components": component_rows,
        "revenues": revenue_rows,
        "costs": cost_rows,
        "phases": phases,
        "rules": rules,
        "streams": [
            {"stream": s, "kind": "statistic" if k == streams - 1 else "cash"}
            for k, s in enumerate(stream_ids)
        ],
        "limits": [{"party": ids[1 % parties], "limit": "floor", "stream": "*", "amount": 1.0}],
    }
    settings = {
        "name": f"generated {parties}x{streams}x{years}",
        "unit": "万元",
        "discount_rate": 0.04,
        "base_year": first - 1,
    }
    return settings, rows


SHIPPED = {
    "sichuan_zhejiang_park.xlsx": sichuan_zhejiang_park,
    "jingjinji_relocation.xlsx": jingjinji_relocation,
}


def build(folder: Path = HERE) -> list[Path]:
    """Write every shipped case workbook into ``folder``."""
    written = []
    for filename, make in SHIPPED.items():
        settings, rows = make()
        written.append(write_case(folder / filename, settings, rows))
    return written


# -- infrastructure and cost_sharing cases (appended by the infrastructure work) ---------------

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


if __name__ == "__main__":
    for path in [*build(), *build_infrastructure_cases()]:
        print(path)
