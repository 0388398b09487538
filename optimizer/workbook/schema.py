"""Case-workbook schemas, declared once, as data.

Every sheet of a case workbook (SPEC §3) is a :class:`Sheet` holding :class:`Column` s: name,
type, unit, default, required flag and a description in English and Chinese. The workbook
reader (``optimizer/workbook/reader.py``), its validator, the template writer and the generated docs
(:func:`schema_markdown`) are all driven from these declarations, so adding a column is a
one-line change here.

Two sheet layouts exist:

* ``table``: a header row with the column names, then one record per row;
* ``key_value``: the ``case`` sheet, two columns ``key | value``; its "columns" are the keys.

Column types (what the reader turns a cell into):

==========  =====================================================================
type        cell content
==========  =====================================================================
text        any text (numbers are read as their text)
id          an identifier: party, component, stream or phase id (text, trimmed)
id_or_all   an id or ``*`` (all streams / all phases / all parties)
id_list     ids joined by ``+`` (or ``,`` ``;`` ``、``), e.g. ``SEND+HOST``; may be empty
number      a real number
ratio       a real number in [0, 1]
integer     a whole number (years, counts)
bool        TRUE/FALSE, yes/no, 1/0, 是/否
choice      one of ``Column.choices``
==========  =====================================================================

The columns and sheets that every family declares alike are built by the classes' own
constructors, written once here: :meth:`Column.key` (the first column of a sheet of things),
:meth:`Column.reference`, :meth:`Column.party`, :meth:`Column.id_or_all`,
:meth:`Column.display_name`, :meth:`Column.year`, :meth:`Column.amount`, :meth:`Column.links`
(``depends_on`` and ``excludes``), :meth:`Sheet.case`, :meth:`Sheet.yearly` and
:meth:`Sheet.proposal`.

This module is pure data plus formatting: it imports neither openpyxl nor Pyomo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal[
    "text", "id", "id_or_all", "id_list", "number", "ratio", "integer", "bool", "choice"
]
ALL = "*"
"""The wildcard accepted by ``id_or_all`` columns: every stream, phase or party."""

NUMERIC_TYPES = frozenset({"number", "ratio", "integer"})

MONEY = "case unit"
"""Unit label of money columns: the case's currency unit (``case.unit``, e.g. 万元)."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one key of a key|value sheet).

    Attributes:
        name: the header text, exactly as SPEC §3 spells it.
        type: how a cell is read (see the module docstring).
        description: English description (one sentence).
        description_zh: Chinese description.
        unit: the unit, e.g. ``"case unit"`` for money in the case's currency unit.
        required: a missing column (or key) is an error; a blank cell in it is an error.
        default: the value used for a blank cell when the column is optional.
        choices: allowed values of a ``choice`` column (also the template's drop-down).
        references: the sheet whose ids this column must name (``"parties"``, …); drives the
            template's drop-down lists and the validator's unknown-id checks.
        example: an example value shown in the docs.
        minimum: the least value a number may take (``time_limit`` > 0, counts ≥ 0); the
            reader refuses a smaller one, with the column's place.
        exclusive_minimum: the minimum itself is not allowed (> rather than ≥).
    """

    name: str
    type: ColumnType
    description: str
    description_zh: str
    unit: str = ""
    required: bool = False
    default: object = None
    choices: tuple[str, ...] = ()
    references: str = ""
    example: object = None
    minimum: float | None = None
    exclusive_minimum: bool = False

    @classmethod
    def reference(
        cls, name: str, what: str, what_zh: str, references: str, example: object
    ) -> Column:
        """A required id column naming a row of sheet ``references``."""
        return cls(
            name,
            "id",
            f"{what} id.",
            f"{what_zh}代码。",
            required=True,
            references=references,
            example=example,
        )

    @classmethod
    def id_or_all(cls, name: str, what: str, what_zh: str, references: str) -> Column:
        """A required id column where ``*`` stands for every row of sheet ``references``."""
        return cls(
            name,
            "id_or_all",
            f"{what} id, or * for every {what.lower()}.",
            f"{what_zh}代码，* 表示全部。",
            required=True,
            references=references,
            example="*",
        )

    @classmethod
    def party(cls, example: object) -> Column:
        """The required ``party`` column naming a row of ``parties`` (budgets, rules, ...)."""
        return cls.reference("party", "Party", "参与方", "parties", example)

    @classmethod
    def key(cls, name: str, description: str, description_zh: str, example: object) -> Column:
        """The required first column of a sheet of things (components, projects, facility
        options, phases, streams): each row's id, which other sheets name."""
        return cls(name, "id", description, description_zh, required=True, example=example)

    @classmethod
    def display_name(cls, example: object) -> Column:
        """The optional ``name`` of a row, shown in reports (blank: its id)."""
        return cls("name", "text", "Display name.", "显示名称。", default="", example=example)

    @classmethod
    def year(cls) -> Column:
        """The required calendar-year column of every yearly sheet."""
        return cls(
            "year", "integer", "Calendar year.", "年份。", unit="year", required=True, example=2026
        )

    @classmethod
    def amount(cls, description: str, description_zh: str, example: object) -> Column:
        """The required ``amount`` column (money, in the case unit) of a yearly sheet."""
        return cls(
            "amount",
            "number",
            description,
            description_zh,
            unit=MONEY,
            required=True,
            example=example,
        )

    @classmethod
    def links(cls, sheet: str, things: str, things_zh: str) -> tuple[Column, Column]:
        """``depends_on`` and ``excludes`` of a sheet of things that can be built (components,
        projects): the rows of ``sheet`` that must also be built, and those that cannot be
        built together with this one (ids joined by +; ``things``: the rows' plural)."""
        depends_on = cls(
            "depends_on",
            "id_list",
            f"{things} that must also be built (ids joined by +).",
            f"必须同时建设的其他{things_zh}（以 + 连接）。",
            default="",
            references=sheet,
            example="",
        )
        excludes = cls(
            "excludes",
            "id_list",
            f"{things} that cannot be built together with this one (ids joined by +).",
            f"不能与之同时建设的{things_zh}（以 + 连接）。",
            default="",
            references=sheet,
            example="",
        )
        return depends_on, excludes


@dataclass(frozen=True)
class Sheet:
    """One sheet of a case workbook.

    Attributes:
        name: the sheet name (SPEC §3).
        columns: its columns, in template order.
        description / description_zh: what the sheet holds.
        required: a workbook without this sheet is an error.
        layout: ``"table"`` (header row + records) or ``"key_value"`` (the ``case`` sheet).
        allow_extra_columns: extra columns are kept in the table (else dropped); either way
            the reader warns about them unless ``extra_columns_are_attributes``.
        extra_columns_are_attributes: extra columns are meant (``parties``: numeric
            attributes such as population, usable by ``target = proportional:<attribute>``).
    """

    name: str
    columns: tuple[Column, ...]
    description: str
    description_zh: str
    required: bool = True
    layout: Literal["table", "key_value"] = "table"
    allow_extra_columns: bool = True
    extra_columns_are_attributes: bool = False

    def column(self, name: str) -> Column:
        """The column (or key) called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"sheet {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @classmethod
    def yearly(
        cls,
        name: str,
        keys: tuple[Column, ...],
        amount: Column,
        description: tuple[str, str],
        required: bool = True,
    ) -> Sheet:
        """A sheet of yearly amounts: its ``keys`` (project, party, ...), the ``year`` and the
        ``amount`` (:meth:`Column.amount`); ``description`` in English and Chinese."""
        return cls(name, (*keys, Column.year(), amount), *description, required=required)

    @classmethod
    def proposal(cls, columns: tuple[Column, ...], description: tuple[str, str]) -> Sheet:
        """The optional ``proposal`` sheet: a proposed split to judge (``fairpool check``),
        one row per party (:meth:`Column.party`) and what it gets or pays."""
        return cls("proposal", columns, *description, required=False)

    @classmethod
    def case(
        cls,
        model: str,
        extra_keys: tuple[Column, ...] = (),
        targets: str = "shapley | nucleolus",
        discounting: bool = True,
    ) -> Sheet:
        """The ``case`` key|value sheet: model, name, unit, discount rate, base year, target…

        ``targets`` lists the family's plan targets (for the ``target`` key's description);
        ``discounting=False`` drops discount_rate and base_year (amounts already present values).
        """
        keys = (
            Column(
                "model",
                "choice",
                "Model family of this workbook.",
                "本工作簿的模型类型。",
                required=True,
                choices=(model,),
                example=model,
            ),
            Column(
                "name",
                "text",
                "Case name shown in reports.",
                "案例名称（报告中显示）。",
                default="",
                example="川浙合作园区",
            ),
            Column(
                "unit",
                "text",
                "Currency unit of every amount (e.g. 万元, 亿元).",
                "所有金额的货币单位（如 万元、亿元）。",
                default="万元",
                example="万元",
            ),
            Column(
                "discount_rate",
                "ratio",
                "Yearly discount rate r: an amount in year t counts (1+r)^-(t-base_year).",
                "年贴现率 r：第 t 年的金额按 (1+r)^-(t-基准年) 计入净现值。",
                unit="1/year",
                required=True,
                example=0.05,
            ),
            Column(
                "base_year",
                "integer",
                "Year whose amounts are not discounted.",
                "不贴现的基准年份。",
                unit="year",
                required=True,
                example=2025,
            ),
            Column(
                "target",
                "text",
                f"Fairness target of the plan: {targets}.",
                f"方案的公平目标：{targets.replace('<attribute>', '<属性>')}。",
                default="shapley",
                example="shapley",
            ),
            Column(
                "core",
                "choice",
                "Core constraints in the plan: hard (must hold), soft (least violation), off.",
                "方案中的核心约束：hard（必须满足）、soft（尽量满足）、off（不考虑）。",
                default="soft",
                choices=("hard", "soft", "off"),
                example="soft",
            ),
            Column(
                "distance",
                "choice",
                "Distance to the target: l1 (sum) or linf (largest).",
                "与目标的距离：l1（绝对差之和）或 linf（最大绝对差）。",
                default="l1",
                choices=("l1", "linf"),
                example="l1",
            ),
            *extra_keys,
            *SIMPLICITY_KEYS,
            Column(
                "time_limit",
                "number",
                "Solver time limit per solve (seconds); blank: none.",
                "每次求解的时间上限（秒）；留空表示不限。",
                unit="s",
                example=None,
                minimum=0.0,
                exclusive_minimum=True,
            ),
        )
        if not discounting:
            keys = tuple(k for k in keys if k.name not in ("discount_rate", "base_year"))
        return cls(
            "case",
            keys,
            "Case settings, one key per row (key | value).",
            "案例设置，每行一个键（key | value）。",
            layout="key_value",
            allow_extra_columns=False,
        )


SIMPLICITY_KEYS: tuple[Column, ...] = (
    Column(
        "round_to",
        "number",
        "Every ratio or share of the plan a multiple of this (e.g. 0.05); blank: not rounded.",
        "方案的每个比例或份额取此数的整数倍（如 0.05）；留空表示不取整。",
        example=None,
        minimum=0.0,
        exclusive_minimum=True,
    ),
    Column(
        "uniform_streams",
        "bool",
        "One ratio per party and phase for every cash stream.",
        "每个参与方在每个阶段对所有现金流采用同一比例。",
        default=False,
        example=False,
    ),
    Column(
        "max_changes",
        "integer",
        "A party's ratio changes at most this many times across phases; blank: any.",
        "每个参与方的比例在各阶段之间最多变化的次数；留空表示不限。",
        example=None,
        minimum=0.0,
    ),
    Column(
        "transfers",
        "choice",
        "Payments toward projects: allowed (any), none (only hosts and beneficiaries pay), "
        "explicit (beneficiaries pay, plus stated side payments).",
        "项目出资：allowed（不限）、none（只有所在地和受益方出资）、explicit（受益方出资，另列明转移支付）。",
        default="allowed",
        choices=("allowed", "none", "explicit"),
        example="allowed",
    ),
    Column(
        "fairness_slack",
        "number",
        "How far (share of the data scale) a plan may move from the best distance to the "
        "target to sit deeper inside the core or be simpler; 0: the exact optimum.",
        "为更稳定或更简单，方案可偏离最优距离的幅度（占数据规模的比例）；0 表示严格最优。",
        default=0.0,
        example=0.0,
        minimum=0.0,
    ),
    Column(
        "fewest_distinct",
        "choice",
        "Within the fairest plans, the one whose neighbouring phases and streams share their "
        "ratios most: variation (least total variation) or count (fewest neighbouring "
        "ratios that differ; slower); off (or blank): not used.",
        "在最公平的方案中，取相邻阶段、相邻税种比例最一致的方案：variation（总变差最小）或 "
        "count（相邻比例不同的个数最少；较慢）；off（或留空）表示不用。",
        choices=("off", "variation", "count"),
        default="off",
        example=None,
    ),
)
"""The ``case`` sheet's optional simplicity keys (issue 12), shared by every family: each
family uses those that apply to it and warns about the others when set."""


@dataclass(frozen=True)
class ModelSchema:
    """All sheets of one model family's case workbook, in template order."""

    model: str
    sheets: tuple[Sheet, ...]
    description: str = ""
    description_zh: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name``."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(f"model {self.model!r} has no sheet {name!r}")

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(sheet.name for sheet in self.sheets)


# -- sheets shared by every model family -----------------------------------------------------

PARTIES = Sheet(
    "parties",
    (
        Column(
            "id",
            "id",
            "Short party id used everywhere else (e.g. SEND).",
            "参与方代码，在其他工作表中引用（如 SEND）。",
            required=True,
            example="SEND",
        ),
        Column(
            "name",
            "text",
            "Display name (Chinese allowed).",
            "显示名称（可用中文）。",
            default="",
            example="杭州市",
        ),
    ),
    "Parties (regions, cities, provinces, agencies); extra numeric columns are attributes "
    "(population, gdp, …) usable by target = proportional:<attribute>.",
    "参与方（地区、城市、省、机构）；其余数值列为属性（人口、GDP 等），"
    "可用于 target = proportional:<属性>。",
    extra_columns_are_attributes=True,
)

COALITIONS = Sheet(
    "coalitions",
    (
        Column(
            "coalition",
            "id_list",
            "Party ids joined by + (e.g. SEND+HOST).",
            "以 + 连接的参与方代码（如 SEND+HOST）。",
            required=True,
            references="parties",
            example="SEND+HOST",
        ),
        Column(
            "value",
            "number",
            "Coalition value v(S).",
            "联盟价值 v(S)。",
            unit=MONEY,
            required=True,
            example=1000.0,
        ),
    ),
    "Optional: explicit coalition values v(S); when present they override the values the "
    "model computes (every non-empty coalition must be listed).",
    "可选：直接给出联盟价值 v(S)；若提供则覆盖模型计算值（须列出全部非空联盟）。",
    required=False,
)


def schema_markdown(schema: ModelSchema, lang: Literal["en", "zh"] = "en") -> str:
    """Markdown documentation of a model's workbook, generated from the schema."""
    lines = [f"# `{schema.model}` case workbook", ""]
    lines.append(schema.description if lang == "en" else schema.description_zh)
    for sheet in schema.sheets:
        status = "required" if sheet.required else "optional"
        if lang == "zh":
            status = "必需" if sheet.required else "可选"
        lines += ["", f"## `{sheet.name}` ({status})", ""]
        lines.append(sheet.description if lang == "en" else sheet.description_zh)
        head = "key" if sheet.layout == "key_value" else "column"
        lines += [
            "",
            f"| {head} | type | unit | required | default | description |",
            "|---|---|---|---|---|---|",
        ]
        for column in sheet.columns:
            kind: str = column.type
            if column.choices:
                kind += " (" + " / ".join(column.choices) + ")"
            if column.minimum is not None:
                kind += f" {'>' if column.exclusive_minimum else '≥'} {column.minimum:g}"
            default = "" if column.default is None else repr(column.default)
            text = column.description if lang == "en" else column.description_zh
            required = "yes" if column.required else ""
            lines.append(
                f"| `{column.name}` | {kind} | {column.unit} | {required} | {default} | {text} |"
            )
    return "\n".join(lines) + "\n"
