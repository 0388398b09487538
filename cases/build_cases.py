"""Build the shipped joint-park example workbooks (run ``python -m fairpool.cases.build_cases``
to write every shipped case; the others are in :mod:`fairpool.cases.build_cost_cases`).

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

if __name__ == "__main__":
    from fairpool.cases.build_cost_cases import build_infrastructure_cases

    for path in [*build(), *build_infrastructure_cases()]:
        print(path)
