"""The infrastructure case template and the writer of shipped and generated cases.

The template's example rows (:func:`template_rows`) form a valid two-province case: a
cross-border bridge with a national subsidy, and a local ferry upgrade that excludes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from fairpool.models.infrastructure.schema import INFRASTRUCTURE
from fairpool.optimizer.workbook.template import CaseWriter

TEMPLATE_SETTINGS: dict[str, object] = {
    "name": "示例跨界大桥 example bridge",
    "discount_rate": 0.04,
    "base_year": 2025,
}
"""The template's ``case`` sheet: name, discount rate and base year; every other key at the
schema's default (unit 万元, target shapley, core soft, distance l1, welfare_tolerance 0,
individual_rationality hard)."""


def template_rows() -> dict[str, list[dict[str, object]]]:
    """Example rows of the template: a valid two-province bridge and a local ferry upgrade."""
    provinces = (("AH", "安徽 Anhui", 6100.0), ("JS", "江苏 Jiangsu", 8500.0))
    years = range(2029, 2049)
    return {
        "parties": [{"id": i, "name": n, "population": p} for i, n, p in provinces],
        "projects": [
            {
                "project": "BRIDGE",
                "name": "跨界大桥 cross-border bridge",
                "hosts": "AH+JS",
                "life_years": 50,
                "subsidy_share": 0.2,
                "territorial": "0.55+0.45",
            },
            {
                "project": "FERRY",
                "name": "渡口改造 ferry upgrade",
                "hosts": "AH",
                "excludes": "BRIDGE",
                "life_years": 20,
            },
        ],
        "capex": [
            *yearly_rows((2026, 2027, 2028), 40000.0, project="BRIDGE"),
            {"project": "FERRY", "year": 2026, "amount": 6000.0},
        ],
        "om": yearly_rows(years, 600.0, project="BRIDGE"),
        "benefits": [
            *yearly_rows(years, 5200.0, project="BRIDGE", party="AH"),
            *yearly_rows(years, 4300.0, project="BRIDGE", party="JS"),
            *yearly_rows(range(2027, 2047), 900.0, project="FERRY", party="AH"),
        ],
        "budgets": [
            *yearly_rows((2026, 2027, 2028), 30000.0, party="AH"),
            *yearly_rows((2026, 2027, 2028), 30000.0, party="JS"),
        ],
        "proposal": [
            {"party": "AH", "project": "*", "share": 0.5},
            {"party": "JS", "project": "*", "share": 0.5},
        ],
    }


def yearly_rows(years: Iterable[int], amount: float, **keys: object) -> list[dict[str, object]]:
    """Rows of a yearly sheet: ``keys`` (project, party), then each year and ``amount``."""
    return [{**keys, "year": year, "amount": amount} for year in years]


WRITER = CaseWriter(INFRASTRUCTURE, TEMPLATE_SETTINGS, template_rows)
"""The family's workbooks written (:class:`fairpool.optimizer.workbook.template.CaseWriter`)."""
write_template = WRITER.write_template
write_case = WRITER.write_case

__all__ = ["TEMPLATE_SETTINGS", "WRITER", "template_rows", "write_case", "write_template"]
