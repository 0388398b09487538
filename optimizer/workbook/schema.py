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


JOINT_PARK_TARGETS = "shapley | nucleolus | proportional:<attribute> | equal_gain | nash"


def case_sheet(
    model: str,
    extra_keys: tuple[Column, ...] = (),
    targets: str = JOINT_PARK_TARGETS,
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
        Column(
            "time_limit",
            "number",
            "Solver time limit per solve (seconds); blank: none.",
            "每次求解的时间上限（秒）；留空表示不限。",
            unit="s",
            example=None,
        ),
    )
    if not discounting:
        keys = tuple(k for k in keys if k.name not in ("discount_rate", "base_year"))
    return Sheet(
        "case",
        keys,
        "Case settings, one key per row (key | value).",
        "案例设置，每行一个键（key | value）。",
        layout="key_value",
        allow_extra_columns=False,
    )


def _id_column(name: str, what: str, what_zh: str, references: str, example: object) -> Column:
    """A required id column naming a row of sheet ``references``."""
    return Column(
        name,
        "id",
        f"{what} id.",
        f"{what_zh}代码。",
        required=True,
        references=references,
        example=example,
    )


def _year_column() -> Column:
    """The required calendar-year column of every yearly sheet."""
    return Column(
        "year", "integer", "Calendar year.", "年份。", unit="year", required=True, example=2026
    )


def _id_or_all_column(name: str, what: str, what_zh: str, references: str) -> Column:
    """A required id column where ``*`` stands for every row of sheet ``references``."""
    return Column(
        name,
        "id_or_all",
        f"{what} id, or * for every {what.lower()}.",
        f"{what_zh}代码，* 表示全部。",
        required=True,
        references=references,
        example="*",
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
        _id_column("component", "Component", "组成部分", "components", "ZONE_A"),
        Column(
            "stream",
            "id",
            "Revenue stream (VAT, CIT, LAND, GDP…).",
            "收入流（增值税、企业所得税、土地收益、GDP 等）。",
            required=True,
            references="streams",
            example="VAT",
        ),
        _year_column(),
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
        _id_column("component", "Component", "组成部分", "components", "ZONE_A"),
        Column(
            "party",
            "id",
            "Party bearing the cost.",
            "承担成本的参与方。",
            required=True,
            references="parties",
            example="HOST",
        ),
        _year_column(),
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
        _id_column("party", "Party", "参与方", "parties", "HOST"),
        _id_or_all_column("stream", "Stream", "收入流", "streams"),
        _id_or_all_column("phase", "Phase", "阶段", "phases"),
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
        _id_column("party", "Party", "参与方", "parties", "HOST"),
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
        _id_column("party", "Party", "参与方", "parties", "HOST"),
        _id_or_all_column("stream", "Stream", "收入流", "streams"),
        _id_or_all_column("phase", "Phase", "阶段", "phases"),
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

# -- infrastructure (SPEC §2.2, §3) -----------------------------------------------------------

INFRASTRUCTURE_TARGETS = (
    "shapley | nucleolus | scrb | equal_bcr | proportional:<attribute> | territorial | dual"
)

INFRASTRUCTURE_CASE_KEYS = (
    Column(
        "welfare_tolerance",
        "ratio",
        "Share of the best total welfare the plan may give up to get fairer cost shares "
        "(0: keep the welfare-maximising build plan).",
        "为获得更公平的分摊，方案可放弃的最优总福利比例（0：保持福利最大的建设方案）。",
        default=0.0,
        example=0.0,
    ),
    Column(
        "individual_rationality",
        "choice",
        "hard: no party's NPV below what it reaches alone; off: not required.",
        "hard：任何一方的净现值不低于其单独行动所得；off：不要求。",
        default="hard",
        choices=("hard", "off"),
        example="hard",
    ),
)


PROJECTS = Sheet(
    "projects",
    (
        Column(
            "project",
            "id",
            "Project id (bridge, rail link, river works…).",
            "项目代码（桥梁、铁路、河道治理等）。",
            required=True,
            example="BRIDGE",
        ),
        Column("name", "text", "Display name.", "显示名称。", default="", example="跨界大桥"),
        Column(
            "hosts",
            "id_list",
            "Parties on whose territory it is built: all must agree (ids joined by +).",
            "项目所在地的参与方：须全部同意方可建设（以 + 连接）。",
            required=True,
            references="parties",
            example="AH+JS",
        ),
        Column(
            "depends_on",
            "id_list",
            "Projects that must also be built (ids joined by +).",
            "必须同时建设的其他项目（以 + 连接）。",
            default="",
            references="projects",
            example="",
        ),
        Column(
            "excludes",
            "id_list",
            "Projects that cannot be built together with this one (ids joined by +).",
            "不能与之同时建设的项目（以 + 连接）。",
            default="",
            references="projects",
            example="",
        ),
        Column(
            "life_years",
            "integer",
            "Operating years counted after construction ends (blank: every listed year).",
            "建成后计入的运营年数（留空：计入所列全部年份）。",
            unit="year",
            example=30,
        ),
        Column(
            "subsidy_share",
            "ratio",
            "Share of the capex paid by an outside funder (e.g. 0.4: national subsidy).",
            "外部资金（如中央补助）承担的建设投资比例（如 0.4）。",
            default=0.0,
            example=0.0,
        ),
        Column(
            "territorial",
            "text",
            "Share of the cost inside each host's territory, in host order (0.6+0.4) or "
            "named (AH:0.6+JS:0.4); blank: equal. Used by target = territorial.",
            "各所在地境内的投资比例，按 hosts 顺序（0.6+0.4）或指名（AH:0.6+JS:0.4）；"
            "留空：均分。用于 target = territorial。",
            default="",
            example="0.5+0.5",
        ),
        Column(
            "divisible",
            "bool",
            "The project may be built in part (a fraction 0–1 of it, with its costs and "
            "benefits scaled); all projects divisible and no exclusions: an LP game.",
            "项目可部分建设（按 0–1 比例缩放成本与收益）；全部可分且无互斥时为线性规划博弈。",
            default=False,
            example=False,
        ),
    ),
    "Candidate projects; a coalition builds only projects all of whose hosts are members.",
    "候选项目；联盟只能建设其所在地参与方均为成员的项目。",
)

CAPEX = Sheet(
    "capex",
    (
        _id_column("project", "Project", "项目", "projects", "BRIDGE"),
        _year_column(),
        Column(
            "amount",
            "number",
            "Construction cost of the project in that year (≥ 0), before the subsidy.",
            "当年项目建设投资（≥ 0，未扣除补助）。",
            unit=MONEY,
            required=True,
            example=12000.0,
        ),
    ),
    "Yearly construction cost per project.",
    "各项目的年度建设投资。",
)

OPERATIONS = Sheet(
    "om",
    (
        _id_column("project", "Project", "项目", "projects", "BRIDGE"),
        _year_column(),
        Column(
            "amount",
            "number",
            "Operation and maintenance cost in that year (≥ 0; not subsidised).",
            "当年运营维护费用（≥ 0；无补助）。",
            unit=MONEY,
            required=True,
            example=300.0,
        ),
    ),
    "Optional: yearly operation and maintenance cost per project (shared like the capex).",
    "可选：各项目的年度运营维护费用（与建设投资一样分摊）。",
    required=False,
)

BENEFITS = Sheet(
    "benefits",
    (
        _id_column("project", "Project", "项目", "projects", "BRIDGE"),
        _id_column("party", "Beneficiary party", "受益参与方", "parties", "JS"),
        _year_column(),
        Column(
            "amount",
            "number",
            "Benefit to the party in that year (time saved, trade, flood damage avoided…).",
            "该参与方当年的收益（节省时间、贸易、减少洪灾损失等）。",
            unit=MONEY,
            required=True,
            example=2500.0,
        ),
    ),
    "Yearly benefit of each project to each party.",
    "各项目每年给各参与方带来的收益。",
)

BUDGETS = Sheet(
    "budgets",
    (
        _id_column("party", "Party", "参与方", "parties", "JS"),
        _year_column(),
        Column(
            "amount",
            "number",
            "Most the party can pay towards the projects in that year (≥ 0).",
            "该参与方当年可用于项目出资的上限（≥ 0）。",
            unit=MONEY,
            required=True,
            example=20000.0,
        ),
    ),
    "Optional: yearly budgets. A party without a row for a year has no limit that year; "
    "a coalition pools its members' budgets.",
    "可选：年度预算。某参与方某年无预算行即该年不受限；联盟合并其成员的预算。",
    required=False,
)

INFRASTRUCTURE_PROPOSAL = Sheet(
    "proposal",
    (
        _id_column("party", "Party", "参与方", "parties", "JS"),
        Column(
            "project",
            "id_or_all",
            "Project id, or * for every project the proposal builds.",
            "项目代码，* 表示提议建设的全部项目。",
            required=True,
            references="projects",
            example="*",
        ),
        Column(
            "share",
            "ratio",
            "Share of the project's cost (after subsidy, every year) the party pays.",
            "该参与方承担的项目费用（扣除补助后、各年）比例。",
            required=True,
            example=0.25,
        ),
    ),
    "Optional: proposed cost shares to check (fairpool check); the projects named are built "
    "(* rows: the welfare-maximising build plan).",
    "可选：待检验的费用分摊提议（fairpool check）；所列项目即提议建设的项目"
    "（* 行：福利最大的建设方案）。",
    required=False,
)

INFRASTRUCTURE = ModelSchema(
    "infrastructure",
    (
        case_sheet("infrastructure", INFRASTRUCTURE_CASE_KEYS, INFRASTRUCTURE_TARGETS),
        PARTIES,
        PROJECTS,
        CAPEX,
        OPERATIONS,
        BENEFITS,
        BUDGETS,
        INFRASTRUCTURE_PROPOSAL,
        COALITIONS,
    ),
    "Co-funded cross-region infrastructure: which projects to build and who pays what, "
    "year by year, within budgets.",
    "跨区域基础设施共建：建设哪些项目、各方每年出资多少（不超预算）。",
)

# -- cost_sharing (SPEC §2.3, §3) -------------------------------------------------------------

COST_SHARING_TARGETS = (
    "shapley | nucleolus | scrb | equal_bcr | proportional:<attribute> | equal | <method>"
)

COST_SHARING_PARTIES = Sheet(
    "parties",
    (
        *PARTIES.columns,
        Column(
            "demand",
            "number",
            "Demand the shared facility must serve for the party (e.g. 万吨/日).",
            "共享设施须为该参与方满足的需求量（如 万吨/日）。",
            unit="demand unit",
            example=10.0,
        ),
        Column(
            "benefit",
            "number",
            "Optional: the party's benefit from being served (SCRB caps alternatives by it; "
            "equal_bcr shares by it).",
            "可选：该参与方获得服务的收益（SCRB 以其限制替代成本；equal_bcr 按其分摊）。",
            unit=MONEY,
            example=None,
        ),
    ),
    PARTIES.description,
    PARTIES.description_zh,
)

FACILITIES = Sheet(
    "facilities",
    (
        Column(
            "facility",
            "id",
            "Facility option id (a plant size at a site).",
            "设施方案代码（某地点的某种规模）。",
            required=True,
            example="PLANT_L",
        ),
        Column("name", "text", "Display name.", "显示名称。", default="", example="大型水厂"),
        Column(
            "capacity",
            "number",
            "Demand one unit of the option can serve.",
            "每个单元可满足的需求量。",
            unit="demand unit",
            required=True,
            example=60.0,
        ),
        Column(
            "fixed_cost",
            "number",
            "Cost of building one unit, whatever it serves (≥ 0).",
            "每建一个单元的固定成本（≥ 0）。",
            unit=MONEY,
            required=True,
            example=30000.0,
        ),
        Column(
            "variable_cost",
            "number",
            "Cost per demand unit served (≥ 0).",
            "每单位服务需求的可变成本（≥ 0）。",
            unit=f"{MONEY} per demand unit",
            default=0.0,
            example=400.0,
        ),
        Column(
            "requires",
            "id_list",
            "Parties that must be in a coalition for it to build the option (its site); blank: "
            "anyone.",
            "联盟须包含这些参与方才能建设该方案（选址所在地）；留空：任何联盟均可。",
            default="",
            references="parties",
            example="",
        ),
        Column(
            "max_units",
            "integer",
            "Most units of the option that can be built.",
            "该方案最多可建的单元数。",
            default=1,
            example=1,
        ),
    ),
    "Optional (with connections): capacity options with fixed and variable costs; "
    "c(S) = least cost to serve S's demand.",
    "可选（与 connections 一起）：带固定与可变成本的产能方案；c(S) = 满足 S 需求的最低成本。",
    required=False,
)

CONNECTIONS = Sheet(
    "connections",
    (
        _id_column("party", "Party", "参与方", "parties", "CZ"),
        _id_column("facility", "Facility option", "设施方案", "facilities", "PLANT_L"),
        Column(
            "cost",
            "number",
            "Cost of connecting the party to the facility (≥ 0). A pair not listed cannot connect.",
            "该参与方接入该设施的成本（≥ 0）。未列出的组合不能接入。",
            unit=MONEY,
            required=True,
            example=2000.0,
        ),
    ),
    "Optional (with facilities): connection cost of each party to each facility it can use.",
    "可选（与 facilities 一起）：各参与方接入各可用设施的成本。",
    required=False,
)

COST_SHARING_COALITIONS = Sheet(
    "coalitions",
    (
        COALITIONS.columns[0],
        Column(
            "value",
            "number",
            "Coalition cost c(S): least cost of serving S on its own.",
            "联盟成本 c(S)：S 单独满足自身需求的最低成本。",
            unit=MONEY,
            required=True,
            example=52000.0,
        ),
    ),
    "Optional: explicit coalition costs c(S) (every non-empty coalition); used instead of "
    "facilities and connections.",
    "可选：直接给出联盟成本 c(S)（须列出全部非空联盟）；提供时不再使用 facilities 与 connections。",
    required=False,
)

COST_SHARING_PROPOSAL = Sheet(
    "proposal",
    (
        _id_column("party", "Party", "参与方", "parties", "CZ"),
        Column(
            "share",
            "ratio",
            "Share of the joint cost c(N) the party pays (shares add up to 1).",
            "该参与方承担的总成本 c(N) 比例（各方之和为 1）。",
            required=True,
            example=0.2,
        ),
    ),
    "Optional: proposed cost shares to check (fairpool check).",
    "可选：待检验的成本分摊提议（fairpool check）。",
    required=False,
)

COST_SHARING = ModelSchema(
    "cost_sharing",
    (
        case_sheet("cost_sharing", (), COST_SHARING_TARGETS, discounting=False),
        COST_SHARING_PARTIES,
        FACILITIES,
        CONNECTIONS,
        COST_SHARING_COALITIONS,
        COST_SHARING_PROPOSAL,
    ),
    "Shared facility or service: the joint cost c(N) split by every cost-allocation rule.",
    "共享设施或服务：按各种成本分摊规则分摊总成本 c(N)。",
)

SCHEMAS: dict[str, ModelSchema] = {
    "joint_park": JOINT_PARK,
    "infrastructure": INFRASTRUCTURE,
    "cost_sharing": COST_SHARING,
}
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
