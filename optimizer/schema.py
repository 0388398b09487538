"""Case-workbook schemas, declared once, as data.

Every sheet of a case workbook (SPEC §3) is a :class:`Sheet` holding :class:`Column` s: name,
type, unit, default, required flag and a description in English and Chinese. The workbook
reader (``cases/workbook.py``), its validator, the template writer and the generated docs
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


@dataclass(frozen=True)
class Sheet:
    """One sheet of a case workbook.

    Attributes:
        name: the sheet name (SPEC §3).
        columns: its columns, in template order.
        description / description_zh: what the sheet holds.
        required: a workbook without this sheet is an error.
        layout: ``"table"`` (header row + records) or ``"key_value"`` (the ``case`` sheet).
        allow_extra_columns: extra columns are kept (``parties``: numeric attributes).
    """

    name: str
    columns: tuple[Column, ...]
    description: str
    description_zh: str
    required: bool = True
    layout: Literal["table", "key_value"] = "table"
    allow_extra_columns: bool = True

    def column(self, name: str) -> Column:
        """The column (or key) called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"sheet {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


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


MONEY = "case unit"
"""Unit label of money columns: the case's currency unit (``case.unit``, e.g. 万元)."""

# -- sheets shared by every model family -----------------------------------------------------


def case_sheet(model: str, extra_keys: tuple[Column, ...] = ()) -> Sheet:
    """The ``case`` key|value sheet: model, name, unit, discount rate, base year, target…"""
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
            "Fairness target of the plan: shapley | nucleolus | proportional:<attribute> "
            "| equal_gain | nash.",
            "方案的公平目标：shapley | nucleolus | proportional:<属性> | equal_gain | nash。",
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
        Column(
            "time_limit",
            "number",
            "Solver time limit per solve (seconds); blank: none.",
            "每次求解的时间上限（秒）；留空表示不限。",
            unit="s",
            example=None,
        ),
    )
    return Sheet(
        "case",
        keys,
        "Case settings, one key per row (key | value).",
        "案例设置，每行一个键（key | value）。",
        layout="key_value",
        allow_extra_columns=False,
    )


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

# -- joint_park (SPEC §2.1, §3) ---------------------------------------------------------------

JOINT_PARK_CASE_KEYS = (
    Column(
        "one_ratio_for_all_streams",
        "bool",
        "One split ratio per party and phase, shared by every cash stream.",
        "各现金收入流使用同一分成比例（按参与方和阶段）。",
        default=False,
        example=False,
    ),
)

COMPONENTS = Sheet(
    "components",
    (
        Column(
            "component",
            "id",
            "Component id (zone, phase or project of the park).",
            "园区组成部分代码（片区、期次或项目）。",
            required=True,
            example="ZONE_A",
        ),
        Column(
            "requires",
            "id_list",
            "Parties that must all take part for the component to exist (ids joined by +).",
            "该部分所需的全部参与方（以 + 连接）。",
            required=True,
            references="parties",
            example="SEND+HOST",
        ),
        Column(
            "depends_on",
            "id_list",
            "Components that must also be built (ids joined by +).",
            "必须同时建设的其他组成部分（以 + 连接）。",
            default="",
            references="components",
            example="",
        ),
        Column(
            "excludes",
            "id_list",
            "Components that cannot be built together with this one (ids joined by +).",
            "不能与之同时建设的组成部分（以 + 连接）。",
            default="",
            references="components",
            example="",
        ),
        Column("name", "text", "Display name.", "显示名称。", default="", example="一期"),
    ),
    "Park components; v(S) activates only those whose required parties are all in S.",
    "园区组成部分；联盟 S 只能启用其所需参与方均在 S 中的部分。",
)

REVENUES = Sheet(
    "revenues",
    (
        Column(
            "component",
            "id",
            "Component id.",
            "组成部分代码。",
            required=True,
            references="components",
            example="ZONE_A",
        ),
        Column(
            "stream",
            "id",
            "Revenue stream (VAT, CIT, LAND, GDP…).",
            "收入流（增值税、企业所得税、土地收益、GDP 等）。",
            required=True,
            references="streams",
            example="VAT",
        ),
        Column(
            "year", "integer", "Calendar year.", "年份。", unit="year", required=True, example=2026
        ),
        Column(
            "amount",
            "number",
            "Locally retained, shareable amount of the stream in that year.",
            "当年该收入流的地方留成、可分享金额。",
            unit=MONEY,
            required=True,
            example=1200.0,
        ),
    ),
    "Yearly revenue per component and stream (local retained part only).",
    "各组成部分、各收入流的年度收入（仅地方留成部分）。",
)

COSTS = Sheet(
    "costs",
    (
        Column(
            "component",
            "id",
            "Component id.",
            "组成部分代码。",
            required=True,
            references="components",
            example="ZONE_A",
        ),
        Column(
            "party",
            "id",
            "Party bearing the cost.",
            "承担成本的参与方。",
            required=True,
            references="parties",
            example="HOST",
        ),
        Column(
            "year", "integer", "Calendar year.", "年份。", unit="year", required=True, example=2026
        ),
        Column(
            "amount",
            "number",
            "Cost borne by the party (land, infrastructure, management, grants); ≥ 0.",
            "该参与方承担的成本（土地、基础设施、管理、补助），须 ≥ 0。",
            unit=MONEY,
            required=True,
            example=300.0,
        ),
    ),
    "Yearly cost per component and contributing party.",
    "各组成部分、各出资方的年度成本。",
)

PHASES = Sheet(
    "phases",
    (
        Column(
            "phase",
            "id",
            "Phase id (e.g. 1, 2 or P1).",
            "阶段代码（如 1、2 或 P1）。",
            required=True,
            example="1",
        ),
        Column(
            "start_year",
            "integer",
            "First year of the phase.",
            "阶段起始年份。",
            unit="year",
            required=True,
            example=2026,
        ),
        Column(
            "end_year",
            "integer",
            "Last year of the phase (inclusive).",
            "阶段结束年份（含）。",
            unit="year",
            required=True,
            example=2030,
        ),
    ),
    "Phases of the split schedule; they must not overlap.",
    "分成方案的阶段；各阶段不得重叠。",
)

RULES = Sheet(
    "rules",
    (
        Column(
            "party",
            "id",
            "Party id.",
            "参与方代码。",
            required=True,
            references="parties",
            example="HOST",
        ),
        Column(
            "stream",
            "id_or_all",
            "Stream id, or * for every stream.",
            "收入流代码，* 表示全部。",
            required=True,
            references="streams",
            example="*",
        ),
        Column(
            "phase",
            "id_or_all",
            "Phase id, or * for every phase.",
            "阶段代码，* 表示全部。",
            required=True,
            references="phases",
            example="*",
        ),
        Column(
            "min_ratio",
            "ratio",
            "Lowest split ratio allowed.",
            "允许的最低分成比例。",
            required=True,
            example=0.3,
        ),
        Column(
            "max_ratio",
            "ratio",
            "Highest split ratio allowed (= min_ratio: fixed).",
            "允许的最高分成比例（与最低相等即固定比例）。",
            required=True,
            example=0.7,
        ),
        Column(
            "schedule",
            "choice",
            "Across phases: free, nonincreasing (never rises) or nondecreasing.",
            "跨阶段：free（自由）、nonincreasing（不升）或 nondecreasing（不降）。",
            default="free",
            choices=("free", "nonincreasing", "nondecreasing"),
            example="free",
        ),
    ),
    "Negotiated bounds on split ratios r[party, stream, phase]. The most specific rows win: a "
    "row naming a stream and a phase beats one with a *, which beats * *; rows equally "
    "specific all apply (their intersection). A schedule applies across the phases of every "
    "stream the row matches.",
    "协商的分成比例上下限 r[参与方, 收入流, 阶段]。越具体的行优先："
    "同时指定收入流和阶段的行优先于含 * 的行，后者又优先于 * *；"
    "同等具体的多行同时生效（取交集）。schedule 作用于该行匹配的各收入流的各阶段。",
)

STREAMS = Sheet(
    "streams",
    (
        Column("stream", "id", "Stream id.", "收入流代码。", required=True, example="VAT"),
        Column(
            "kind",
            "choice",
            "cash (money, enters NPVs) or statistic (GDP credit: reported only).",
            "cash（现金，计入净现值）或 statistic（统计指标如 GDP，仅报告）。",
            default="cash",
            choices=("cash", "statistic"),
            example="cash",
        ),
        Column(
            "double_count",
            "bool",
            "Statistic streams only: shares may add up to more than 1.",
            "仅统计指标：各方份额之和可超过 1（重复统计）。",
            default=False,
            example=False,
        ),
        Column(
            "increment_base_year",
            "integer",
            "存量不动、增量分成: only growth over this year's amount is split.",
            "存量不动、增量分成：仅分成超过该年份金额的增量部分。",
            unit="year",
            example=None,
        ),
        Column(
            "stock_owner",
            "id",
            "Party keeping the base-year amount (required with increment_base_year).",
            "保留基准年存量的参与方（设置 increment_base_year 时必填）。",
            references="parties",
            example=None,
        ),
        Column("name", "text", "Display name.", "显示名称。", default="", example="增值税"),
    ),
    "Optional: stream settings; streams not listed are cash streams split in full.",
    "可选：收入流设置；未列出的收入流视为全额分成的现金流。",
    required=False,
)

LIMITS = Sheet(
    "limits",
    (
        Column(
            "party",
            "id",
            "Party id.",
            "参与方代码。",
            required=True,
            references="parties",
            example="HOST",
        ),
        Column(
            "limit",
            "choice",
            "floor: yearly take ≥ amount; cap: cumulative take ≤ amount, then the rest goes "
            "to overflow_to.",
            "floor：每年所得 ≥ 金额；cap：累计所得 ≤ 金额，超出部分归 overflow_to。",
            required=True,
            choices=("floor", "cap"),
            example="floor",
        ),
        Column(
            "stream",
            "id_or_all",
            "Stream id, or * for every cash stream.",
            "收入流代码，* 表示全部现金流。",
            default="*",
            references="streams",
            example="*",
        ),
        Column(
            "start_year",
            "integer",
            "First year the limit applies (blank: first year).",
            "限制起始年份（留空：首年）。",
            unit="year",
            example=None,
        ),
        Column(
            "end_year",
            "integer",
            "Last year the limit applies (blank: last year).",
            "限制结束年份（留空：末年）。",
            unit="year",
            example=None,
        ),
        Column(
            "amount",
            "number",
            "Floor per year or cap on the cumulative take.",
            "每年下限或累计上限金额。",
            unit=MONEY,
            required=True,
            example=500.0,
        ),
        Column(
            "plus_costs",
            "bool",
            "floor only: add the party's own costs of the year (its take covers its costs).",
            "仅 floor：再加上该方当年成本（所得须覆盖成本）。",
            default=False,
            example=False,
        ),
        Column(
            "overflow_to",
            "id",
            "cap only: party receiving the take above the cap (two parties: the other).",
            "仅 cap：超出上限部分的接收方（两方时默认为另一方）。",
            references="parties",
            example=None,
        ),
    ),
    "Optional: cash floors and cumulative caps on a party's take (shared revenue received).",
    "可选：参与方所得（分得收入）的年度下限与累计上限。",
    required=False,
)

PROPOSAL = Sheet(
    "proposal",
    (
        Column(
            "party",
            "id",
            "Party id.",
            "参与方代码。",
            required=True,
            references="parties",
            example="HOST",
        ),
        Column(
            "stream",
            "id_or_all",
            "Stream id, or * for every stream.",
            "收入流代码，* 表示全部。",
            required=True,
            references="streams",
            example="*",
        ),
        Column(
            "phase",
            "id_or_all",
            "Phase id, or * for every phase.",
            "阶段代码，* 表示全部。",
            required=True,
            references="phases",
            example="*",
        ),
        Column(
            "ratio",
            "ratio",
            "Proposed split ratio.",
            "提议的分成比例。",
            required=True,
            example=0.5,
        ),
    ),
    "Optional: a proposed split to check (fairpool check).",
    "可选：待检验的分成提议（fairpool check）。",
    required=False,
)

JOINT_PARK = ModelSchema(
    "joint_park",
    (
        case_sheet("joint_park", JOINT_PARK_CASE_KEYS),
        PARTIES,
        COMPONENTS,
        REVENUES,
        COSTS,
        PHASES,
        RULES,
        STREAMS,
        LIMITS,
        PROPOSAL,
        COALITIONS,
    ),
    "Co-built park tax sharing (飞地经济 / 共建园区): split ratios per party, stream and phase.",
    "共建园区税收分成：按参与方、收入流和阶段确定分成比例。",
)

SCHEMAS: dict[str, ModelSchema] = {"joint_park": JOINT_PARK}
"""Model family name → its workbook schema."""


def schema_for(model: str) -> ModelSchema:
    """The schema of a model family, with an error listing the known families."""
    if model not in SCHEMAS:
        raise KeyError(f"unknown model {model!r}; known models: {', '.join(sorted(SCHEMAS))}")
    return SCHEMAS[model]


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
            kind = column.type
            if column.choices:
                kind += " (" + " / ".join(column.choices) + ")"
            default = "" if column.default is None else repr(column.default)
            text = column.description if lang == "en" else column.description_zh
            required = "yes" if column.required else ""
            lines.append(
                f"| `{column.name}` | {kind} | {column.unit} | {required} | {default} | {text} |"
            )
    return "\n".join(lines) + "\n"
