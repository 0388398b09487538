"""The case-workbook schema: SPEC §3 columns, bilingual descriptions, no heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fairpool.models import FAMILY_NAMES, family
from fairpool.models.joint_park.schema import JOINT_PARK
from fairpool.optimizer.workbook.schema import schema_markdown

SPEC_COLUMNS = {
    "parties": ["id", "name"],
    "components": ["component", "requires", "depends_on", "excludes"],
    "revenues": ["component", "stream", "year", "amount"],
    "costs": ["component", "party", "year", "amount"],
    "phases": ["phase", "start_year", "end_year"],
    "rules": ["party", "stream", "phase", "min_ratio", "max_ratio"],
    "streams": ["stream", "kind", "double_count", "increment_base_year"],
    "proposal": ["party", "stream", "phase", "ratio"],
    "coalitions": ["coalition", "value"],
}
SPEC_CASE_KEYS = ["model", "name", "unit", "discount_rate", "base_year", "target"]


@pytest.mark.parametrize("sheet", sorted(SPEC_COLUMNS))
def test_joint_park_sheets_carry_the_spec_columns_in_order(sheet: str) -> None:
    names = list(JOINT_PARK.sheet(sheet).column_names)
    assert names[: len(SPEC_COLUMNS[sheet])] == SPEC_COLUMNS[sheet]


def test_case_sheet_has_the_spec_keys_and_required_settings() -> None:
    case = JOINT_PARK.sheet("case")
    assert case.layout == "key_value"
    assert set(SPEC_CASE_KEYS) <= set(case.column_names)
    assert case.column("discount_rate").required and case.column("base_year").required


def test_optional_sheets_are_marked_optional() -> None:
    optional = {s.name for s in JOINT_PARK.sheets if not s.required}
    assert optional == {"streams", "limits", "proposal", "coalitions"}


@pytest.mark.parametrize("model", FAMILY_NAMES)
def test_every_column_is_declared_completely(model: str) -> None:
    schema = family(model).schema
    assert schema.model == model
    for sheet in schema.sheets:
        assert sheet.description and sheet.description_zh
        assert len(set(sheet.column_names)) == len(sheet.column_names), sheet.name
        for column in sheet.columns:
            assert column.description.strip(), (sheet.name, column.name)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in column.description_zh), column.name
            if column.type == "choice":
                assert column.choices, column.name
                assert column.required or column.default in column.choices, column.name


def test_docs_are_generated_from_the_schema() -> None:
    text = schema_markdown(JOINT_PARK)
    for sheet in JOINT_PARK.sheets:
        assert f"`{sheet.name}`" in text
    assert "`min_ratio`" in text and "`increment_base_year`" in text
    assert "可选" in schema_markdown(JOINT_PARK, "zh")


def test_importing_the_schema_imports_neither_openpyxl_nor_pyomo() -> None:
    code = (
        "import sys, fairpool.optimizer, fairpool.optimizer.workbook.schema, "
        "fairpool.optimizer.solve;"
        "bad = [m for m in ('openpyxl', 'pyomo', 'typer') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
