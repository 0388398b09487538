"""The joint-park case template: a small, valid two-party park to fill in, and the writer of
case workbooks (the template and the shipped cases) from settings and rows."""

from __future__ import annotations

from fairpool.models.joint_park.schema import JOINT_PARK
from fairpool.optimizer.workbook.template import CaseWriter

TEMPLATE_SETTINGS: dict[str, object] = {
    "name": "示例园区 example park",
    "discount_rate": 0.05,
    "base_year": 2025,
}
"""The template's ``case`` sheet: name, discount rate and base year; every other key at the
schema's default (unit 万元, target shapley, core soft, distance l1, one ratio per stream)."""


def template_rows() -> dict[str, list[dict[str, object]]]:
    """Example rows of the template: a small, valid two-party park (10 years, 2 phases)."""
    years = range(2026, 2036)
    return {
        "parties": [
            {"id": "SEND", "name": "飞出地 sending city", "gdp": 8000.0},
            {"id": "HOST", "name": "飞入地 host county", "gdp": 2000.0},
        ],
        "components": [
            {"component": "PARK", "requires": "SEND+HOST", "name": "共建园区 joint park"},
            {
                "component": "HOME",
                "requires": "SEND",
                "excludes": "PARK",
                "name": "原地扩产 expand at home",
            },
            {
                "component": "LOCAL",
                "requires": "HOST",
                "excludes": "PARK",
                "name": "自建园区 host alone",
            },
        ],
        "revenues": [
            *(
                {"component": "PARK", "stream": "VAT", "year": y, "amount": 400.0 + 60 * (y - 2026)}
                for y in years
            ),
            *(
                {"component": "PARK", "stream": "CIT", "year": y, "amount": 150.0 + 30 * (y - 2026)}
                for y in years
            ),
            *(
                {
                    "component": "PARK",
                    "stream": "GDP",
                    "year": y,
                    "amount": 20000.0 + 2000 * (y - 2026),
                }
                for y in years
            ),
            *({"component": "HOME", "stream": "VAT", "year": y, "amount": 250.0} for y in years),
            *({"component": "LOCAL", "stream": "VAT", "year": y, "amount": 120.0} for y in years),
        ],
        "costs": [
            {"component": "PARK", "party": "HOST", "year": 2026, "amount": 1500.0},
            {"component": "PARK", "party": "SEND", "year": 2026, "amount": 1000.0},
            *({"component": "PARK", "party": "SEND", "year": y, "amount": 50.0} for y in years),
            {"component": "LOCAL", "party": "HOST", "year": 2026, "amount": 600.0},
        ],
        "phases": [
            {"phase": "1", "start_year": 2026, "end_year": 2030},
            {"phase": "2", "start_year": 2031, "end_year": 2035},
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
        ],
        "streams": [
            {"stream": "VAT", "kind": "cash", "name": "增值税地方留成 VAT local share"},
            {"stream": "CIT", "kind": "cash", "name": "企业所得税地方留成 CIT local share"},
            {"stream": "GDP", "kind": "statistic", "double_count": False, "name": "GDP 统计"},
        ],
        "limits": [{"party": "HOST", "limit": "floor", "stream": "*", "amount": 100.0}],
        "proposal": [
            {"party": "SEND", "stream": "*", "phase": "*", "ratio": 0.5},
            {"party": "HOST", "stream": "*", "phase": "*", "ratio": 0.5},
        ],
    }


WRITER = CaseWriter(JOINT_PARK, TEMPLATE_SETTINGS, template_rows)
"""The family's workbooks written (:class:`fairpool.optimizer.workbook.template.CaseWriter`)."""
write_template = WRITER.write_template
write_case = WRITER.write_case

__all__ = ["TEMPLATE_SETTINGS", "WRITER", "template_rows", "write_case", "write_template"]
