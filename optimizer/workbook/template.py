"""Case workbooks written from a schema: templates (an ``instructions`` sheet in English and
Chinese, one sheet per schema sheet with the SPEC's column names as headers, units and
descriptions as header comments, example rows, drop-down validation for party ids and
choices) and the shipped example cases. Files are written atomically."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fairpool.optimizer.workbook.files import atomic_save
from fairpool.optimizer.workbook.schema import Column, ModelSchema

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MAX_TEMPLATE_ROWS = 500
"""Rows covered by the template's drop-down validation."""

Rows = Mapping[str, Sequence[Mapping[str, object]]]
"""A workbook's table sheets in memory: ``{sheet: [{column: cell value}]}``."""


def cell_value(value: object) -> object:
    if isinstance(value, tuple | list | frozenset | set):
        return "+".join(str(v) for v in value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


INSTRUCTIONS_EN = (
    "How to fill this workbook",
    "1. Keep the sheet names and the header row (row 1) as they are; add rows below.",
    "2. Fill `parties` first: the drop-down lists of other sheets offer its ids.",
    "3. Amounts are in the case unit (sheet `case`, key `unit`); years are calendar years.",
    "4. Use * in a stream or phase cell for 'all streams' / 'all phases'.",
    "5. Lists of ids (requires, depends_on, excludes) are joined by + (e.g. SEND+HOST).",
    "6. Optional sheets may be left empty or deleted. Rows starting with # are ignored.",
    "7. Check the file with `fairpool validate FILE`, then run `fairpool solve FILE`.",
)
INSTRUCTIONS_ZH = (
    "填写说明",
    "1. 请勿修改工作表名称和表头（第 1 行）；在其下方逐行填写。",
    "2. 先填写 `parties`（参与方）：其他工作表的下拉列表引用其代码。",
    "3. 金额单位见 `case` 表的 `unit` 键；年份为公历年份。",
    "4. 收入流或阶段填 * 表示“全部收入流 / 全部阶段”。",
    "5. 代码列表（requires、depends_on、excludes）用 + 连接（如 SEND+HOST）。",
    "6. 可选工作表可留空或删除。以 # 开头的行将被忽略。",
    "7. 用 `fairpool validate 文件` 检查，再用 `fairpool solve 文件` 求解。",
)


def _write_instructions(book: Workbook, schema: ModelSchema) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet("instructions", 0)
    sheet.append([f"fairpool — {schema.model}: {schema.description}"])
    sheet.append([schema.description_zh])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    for english, chinese in zip(INSTRUCTIONS_EN, INSTRUCTIONS_ZH, strict=True):
        sheet.append([english, None, None, None, None, None, chinese])
    sheet.append([])
    header = [
        "sheet 工作表",
        "column 列",
        "type 类型",
        "unit 单位",
        "required 必填",
        "default 默认",
        "description",
        "说明",
    ]
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for table in schema.sheets:
        status = "required 必需" if table.required else "optional 可选"
        sheet.append(
            [
                table.name,
                f"({status})",
                None,
                None,
                None,
                None,
                table.description,
                table.description_zh,
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = Font(italic=True)
        for column in table.columns:
            kind = column.type + (f": {'/'.join(column.choices)}" if column.choices else "")
            sheet.append(
                [
                    table.name,
                    column.name,
                    kind,
                    column.unit,
                    "yes 是" if column.required else "",
                    None if column.default in (None, "", ()) else str(column.default),
                    column.description,
                    column.description_zh,
                ]
            )
    for letter, width in zip("ABCDEFGH", (16, 26, 22, 11, 12, 10, 70, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        row[6].alignment = Alignment(wrap_text=True, vertical="top")


def _validation_for(column: Column) -> tuple[str, str] | None:
    """(kind, formula) of the drop-down or number check for a column, if any."""
    if column.references == "parties" and column.type in ("id", "id_or_all"):
        return "list", f"=parties!$A$2:$A${MAX_TEMPLATE_ROWS}"
    if column.choices:
        return "list", '"' + ",".join(column.choices) + '"'
    if column.type == "bool":
        return "list", '"TRUE,FALSE"'
    if column.type == "ratio":
        return "ratio", ""
    if column.type in ("number", "integer"):
        return column.type, ""
    return None


def _add_validation(sheet: Worksheet, column: Column, cells: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    spec = _validation_for(column)
    if spec is None:
        return
    kind, formula = spec
    if kind == "list":
        rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    elif kind == "ratio":
        rule = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True
        )
    elif kind == "integer":
        rule = DataValidation(
            type="whole", operator="between", formula1="1900", formula2="2200", allow_blank=True
        )
    else:
        rule = DataValidation(
            type="decimal",
            operator="between",
            formula1="-1E+15",
            formula2="1E+15",
            allow_blank=True,
        )
    rule.error = f"{column.name}: {column.description}"
    rule.errorTitle = "fairpool"
    rule.prompt = f"{column.description}\n{column.description_zh}"
    rule.showErrorMessage = kind != "list" or column.references != "parties"
    sheet.add_data_validation(rule)
    rule.add(cells)


def write_case_workbook(
    path: str | os.PathLike[str],
    schema: ModelSchema,
    settings: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    *,
    instructions: bool = True,
) -> Path:
    """Write a case workbook laid out by ``schema``, atomically.

    ``settings`` fills the ``case`` sheet (key | value) and ``rows`` the table sheets
    (``{sheet: [{column: value}]}``; id lists may be tuples). Every sheet of the schema is
    written, empty ones with their header only, so a template and a filled case look alike.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    if instructions:
        _write_instructions(book, schema)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for table in schema.sheets:
        sheet = book.create_sheet(table.name)
        if table.layout == "key_value":
            sheet.append(["key", "value", "unit 单位", "description", "说明"])
            for column in table.columns:
                value = settings.get(column.name, column.default)
                sheet.append(
                    [
                        column.name,
                        cell_value(value),
                        column.unit,
                        column.description,
                        column.description_zh,
                    ]
                )
                spec = _validation_for(column)
                if spec is not None and spec[0] == "list":
                    _add_validation(sheet, column, f"B{sheet.max_row}")
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = header_fill
            for letter, width in zip("ABCDE", (28, 22, 10, 70, 40), strict=True):
                sheet.column_dimensions[letter].width = width
            continue
        records = list(rows.get(table.name, ()))
        extra = [k for r in records for k in r if k not in table.column_names]
        extra = list(dict.fromkeys(extra))
        names = [*table.column_names, *extra]
        sheet.append(names)
        for record in records:
            sheet.append([cell_value(record.get(name)) for name in names])
        for index, name in enumerate(names, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(12, len(name) + 4)
            if name in table.column_names:
                column = table.column(name)
                unit = f" [{column.unit}]" if column.unit else ""
                need = "required" if column.required else f"optional, default {column.default!r}"
                cell.comment = Comment(
                    f"{column.description}{unit} ({need})\n{column.description_zh}",
                    "fairpool",
                    width=300,
                    height=120,
                )
                _add_validation(sheet, column, f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}")
        sheet.freeze_panes = "A2"
    return atomic_save(book, path)


@dataclass(frozen=True)
class CaseWriter:
    """How a model family writes its case workbooks: its ``schema``, and its template's
    example ``template_settings`` and ``template_rows`` (a valid small case, so that
    ``fairpool solve`` runs on the template as it is).

    Written once for every family; a family exposes the two writers as its
    ``write_template`` and ``write_case`` (``write_template = WRITER.write_template``).
    """

    schema: ModelSchema
    template_settings: Mapping[str, object]
    template_rows: Callable[[], Rows]

    def write_template(self, path: str | os.PathLike[str]) -> Path:
        """Write the family's template: every sheet of its schema, the instructions (English
        and Chinese) and the example rows; atomically."""
        return self.write_case(path, self.template_settings, self.template_rows())

    def write_case(
        self, path: str | os.PathLike[str], settings: Mapping[str, object], rows: Rows
    ) -> Path:
        """Write a case workbook of the family from ``settings`` (the ``case`` sheet; ``model``
        defaults to the family's, blank keys to the schema's defaults) and ``rows``."""
        settings = {"model": self.schema.model, **settings}
        return write_case_workbook(path, self.schema, settings, rows)
