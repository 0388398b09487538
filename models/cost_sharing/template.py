"""The cost_sharing case template (three towns, a small plant each or one shared large
plant) and the writer of filled cases (the shipped cases use it)."""

from __future__ import annotations

from fairpool.models.cost_sharing.schema import COST_SHARING
from fairpool.optimizer.workbook.template import CaseWriter

TEMPLATE_SETTINGS: dict[str, object] = {"name": "示例共享水厂 example shared water plant"}
"""The template's ``case`` sheet: its name; every other key at the schema's default (unit
万元, target shapley, core soft, distance l1)."""


def template_rows() -> dict[str, list[dict[str, object]]]:
    """Example rows: three towns, a small plant each or one large shared plant."""
    towns = [
        ("A", "甲镇 town A", 4.0, 0.0),
        ("B", "乙镇 town B", 6.0, 1200.0),
        ("C", "丙镇 town C", 3.0, 1500.0),
    ]
    rows: dict[str, list[dict[str, object]]] = {
        "parties": [{"id": i, "name": name, "demand": d} for i, name, d, _ in towns],
        "facilities": [
            {
                "facility": "BIG",
                "name": "共享大水厂 shared large plant (site in A)",
                "capacity": 15.0,
                "fixed_cost": 9000.0,
                "variable_cost": 300.0,
                "requires": "A",
            },
            *(
                {
                    "facility": f"OWN_{i}",
                    "name": f"{name} 自建小水厂 own small plant",
                    "capacity": 8.0,
                    "fixed_cost": 5000.0,
                    "variable_cost": 450.0,
                    "requires": i,
                }
                for i, name, _, _ in towns
            ),
        ],
        "connections": [
            *({"party": i, "facility": "BIG", "cost": pipe} for i, _, _, pipe in towns),
            *({"party": i, "facility": f"OWN_{i}", "cost": 0.0} for i, _, _, _ in towns),
        ],
        "proposal": [{"party": i, "share": round(d / 13.0, 6)} for i, _, d, _ in towns[:2]]
        + [
            {
                "party": "C",
                "share": round(1 - sum(round(d / 13.0, 6) for _, _, d, _ in towns[:2]), 6),
            }
        ],
    }
    return rows


WRITER = CaseWriter(COST_SHARING, TEMPLATE_SETTINGS, template_rows)
"""The family's workbooks written (:class:`fairpool.optimizer.workbook.template.CaseWriter`)."""
write_template = WRITER.write_template
write_case = WRITER.write_case

__all__ = ["TEMPLATE_SETTINGS", "WRITER", "template_rows", "write_case", "write_template"]
