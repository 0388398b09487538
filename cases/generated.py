"""Generated infrastructure cases of any size (benchmarks, tests).

:func:`generate_infrastructure_case` builds a random but well-formed programme: parties on a
ring of neighbouring regions, each project hosted by 1–3 neighbours, built over 2–4 years,
operated until the horizon, benefiting its hosts and their neighbours (spill-overs), some
with a national subsidy, some needing or excluding another project, and yearly construction
budgets that bind for small coalitions. Seeded and reproducible.

Example:
    >>> case = generate_infrastructure_case(parties=4, projects=6, seed=1)
    >>> case.n, len(case.projects)
    (4, 6)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from fairpool.models.infrastructure.case import InfrastructureCase, case_from_rows
from fairpool.models.infrastructure.template import write_case

Rows = dict[str, list[dict[str, object]]]
FIRST_YEAR = 2026


def infrastructure_rows(
    parties: int = 12,
    projects: int = 40,
    seed: int = 0,
    years: int = 30,
    divisible: bool = False,
    exclusions: bool = True,
) -> tuple[dict[str, object], Rows]:
    """(settings, rows) of a generated infrastructure case (see the module docstring).

    ``divisible=True, exclusions=False`` gives a linear production game (Owen's ``dual``).
    """
    rng = np.random.default_rng(seed)
    ids = [f"R{i + 1:02d}" for i in range(parties)]
    horizon = list(range(FIRST_YEAR, FIRST_YEAR + years))
    construction_end = FIRST_YEAR + min(years - 1, 9)
    project_rows: list[dict[str, object]] = []
    capex_rows: list[dict[str, object]] = []
    om_rows: list[dict[str, object]] = []
    benefit_rows: list[dict[str, object]] = []
    yearly_capex = np.zeros((parties, years))
    for k in range(projects):
        size = int(rng.choice([1, 2, 2, 3])) if parties > 1 else 1
        size = min(size, parties)
        first = int(rng.integers(parties))
        hosts = sorted({(first + j) % parties for j in range(size)})
        name = f"J{k + 1:02d}"
        row: dict[str, object] = {
            "project": name,
            "name": f"项目{k + 1} project {k + 1}",
            "hosts": "+".join(ids[h] for h in hosts),
            "divisible": divisible,
        }
        if rng.random() < 0.2:
            row["subsidy_share"] = round(float(rng.uniform(0.3, 0.5)), 2)
        if k >= 2 and rng.random() < 0.15:
            row["depends_on"] = f"J{int(rng.integers(1, k + 1)):02d}"
        if exclusions and k >= 1 and rng.random() < 0.1:
            other = f"J{int(rng.integers(1, k + 1)):02d}"
            if other != row.get("depends_on"):
                row["excludes"] = other
        project_rows.append(row)
        start = int(rng.integers(FIRST_YEAR, construction_end - 2))
        build_years = int(rng.integers(2, 5))
        total = float(rng.uniform(2000, 12000)) * size
        for year in range(start, start + build_years):
            amount = round(total / build_years, 2)
            capex_rows.append({"project": name, "year": year, "amount": amount})
            for h in hosts:
                if year - FIRST_YEAR < years:
                    yearly_capex[h, year - FIRST_YEAR] += amount / size
        opening = start + build_years
        upkeep = round(total * float(rng.uniform(0.005, 0.02)), 2)
        om_rows += [{"project": name, "year": y, "amount": upkeep} for y in horizon if y >= opening]
        beneficiaries = set(hosts) | {(h + d) % parties for h in hosts for d in (-1, 1)}
        for party in sorted(beneficiaries):
            scale = 1.0 if party in hosts else float(rng.uniform(0.1, 0.5))
            amount = round(total * float(rng.uniform(0.02, 0.09)) * scale / size, 2)
            benefit_rows += [
                {"project": name, "party": ids[party], "year": y, "amount": amount}
                for y in horizon
                if y >= opening
            ]
    budget_rows: list[dict[str, object]] = []
    for i, region in enumerate(ids):
        need = yearly_capex[i, : construction_end - FIRST_YEAR + 1]
        level = max(float(need.mean()) * float(rng.uniform(0.5, 1.2)), 500.0)
        budget_rows += [
            {"party": region, "year": FIRST_YEAR + t, "amount": round(level, 2)}
            for t in range(construction_end - FIRST_YEAR + 1)
        ]
    rows: Rows = {
        "parties": [
            {
                "id": party,
                "name": f"地区{i + 1} region {i + 1}",
                "population": round(float(rng.uniform(200, 2000)), 1),
            }
            for i, party in enumerate(ids)
        ],
        "projects": project_rows,
        "capex": capex_rows,
        "om": om_rows,
        "benefits": benefit_rows,
        "budgets": budget_rows,
    }
    settings: dict[str, object] = {
        "name": f"generated programme {parties}x{projects} (seed {seed})",
        "unit": "万元",
        "discount_rate": 0.04,
        "base_year": FIRST_YEAR - 1,
        "target": "shapley",
        "core": "soft",
        "welfare_tolerance": 0.0,
        "individual_rationality": "off",
    }
    return settings, rows


def generate_infrastructure_case(
    parties: int = 12,
    projects: int = 40,
    seed: int = 0,
    *,
    years: int = 30,
    divisible: bool = False,
    exclusions: bool = True,
) -> InfrastructureCase:
    """A generated, validated :class:`InfrastructureCase` (options: see
    :func:`infrastructure_rows`). 12 × 40 is the benchmark case."""
    settings, rows = infrastructure_rows(parties, projects, seed, years, divisible, exclusions)
    return case_from_rows(settings, rows, source=f"generated_{parties}x{projects}_{seed}.xlsx")


def write_generated_infrastructure_case(
    path: str | os.PathLike[str],
    parties: int = 12,
    projects: int = 40,
    seed: int = 0,
    *,
    years: int = 30,
    divisible: bool = False,
    exclusions: bool = True,
) -> Path:
    """Write the generated case as a workbook (``fairpool solve`` reads it like any case)."""
    settings, rows = infrastructure_rows(parties, projects, seed, years, divisible, exclusions)
    return write_case(path, settings, rows)


__all__ = [
    "generate_infrastructure_case",
    "infrastructure_rows",
    "write_generated_infrastructure_case",
]
