"""The joint-park family's case workbook, declared once as data (SPEC §2.1, §3).

The sheets ``case`` (with the ``one_ratio_for_all_streams`` key), ``parties`` and
``coalitions`` come from the shared declarations in :mod:`fairpool.optimizer.workbook.schema`;
``components``, ``revenues``, ``costs``, ``phases``, ``rules``, ``streams``, ``limits`` and
``proposal`` are this family's. The reader, the checks (:mod:`fairpool.models.joint_park.checks`),
the template writer and the docs are all driven from :data:`JOINT_PARK`.
"""

from __future__ import annotations

from fairpool.optimizer.workbook.schema import COALITIONS, PARTIES, Column, ModelSchema, Sheet

JOINT_PARK_TARGETS = "shapley | nucleolus | proportional:<attribute> | equal_gain | nash"
"""The plan targets of the ``case`` sheet's ``target`` key (its description)."""

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
        Column.key(
            "component",
            "Component id (zone, phase or project of the park).",
            "园区组成部分代码（片区、期次或项目）。",
            "ZONE_A",
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
        *Column.links("components", "Components", "组成部分"),
        Column.display_name("一期"),
    ),
    "Park components; v(S) activates only those whose required parties are all in S.",
    "园区组成部分；联盟 S 只能启用其所需参与方均在 S 中的部分。",
)

COMPONENT = Column.reference("component", "Component", "组成部分", "components", "ZONE_A")
"""The ``component`` key of the yearly component sheets."""

REVENUES = Sheet.yearly(
    "revenues",
    (
        COMPONENT,
        Column(
            "stream",
            "id",
            "Revenue stream (VAT, CIT, LAND, GDP…).",
            "收入流（增值税、企业所得税、土地收益、GDP 等）。",
            required=True,
            references="streams",
            example="VAT",
        ),
    ),
    Column.amount(
        "Locally retained, shareable amount of the stream in that year.",
        "当年该收入流的地方留成、可分享金额。",
        1200.0,
    ),
    (
        "Yearly revenue per component and stream (local retained part only).",
        "各组成部分、各收入流的年度收入（仅地方留成部分）。",
    ),
)

COSTS = Sheet.yearly(
    "costs",
    (
        COMPONENT,
        Column(
            "party",
            "id",
            "Party bearing the cost.",
            "承担成本的参与方。",
            required=True,
            references="parties",
            example="HOST",
        ),
    ),
    Column.amount(
        "Cost borne by the party (land, infrastructure, management, grants); ≥ 0.",
        "该参与方承担的成本（土地、基础设施、管理、补助），须 ≥ 0。",
        300.0,
    ),
    ("Yearly cost per component and contributing party.", "各组成部分、各出资方的年度成本。"),
)

PHASES = Sheet(
    "phases",
    (
        Column.key("phase", "Phase id (e.g. 1, 2 or P1).", "阶段代码（如 1、2 或 P1）。", "1"),
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
        Column.party("HOST"),
        Column.id_or_all("stream", "Stream", "收入流", "streams"),
        Column.id_or_all("phase", "Phase", "阶段", "phases"),
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
        Column.key("stream", "Stream id.", "收入流代码。", "VAT"),
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
        Column.display_name("增值税"),
    ),
    "Optional: stream settings; streams not listed are cash streams split in full.",
    "可选：收入流设置；未列出的收入流视为全额分成的现金流。",
    required=False,
)

LIMITS = Sheet(
    "limits",
    (
        Column.party("HOST"),
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
        Column.amount(
            "Floor per year or cap on the cumulative take.", "每年下限或累计上限金额。", 500.0
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

PROPOSAL = Sheet.proposal(
    (
        Column.party("HOST"),
        Column.id_or_all("stream", "Stream", "收入流", "streams"),
        Column.id_or_all("phase", "Phase", "阶段", "phases"),
        Column(
            "ratio",
            "ratio",
            "Proposed split ratio.",
            "提议的分成比例。",
            required=True,
            example=0.5,
        ),
    ),
    (
        "Optional: a proposed split to check (fairpool check).",
        "可选：待检验的分成提议（fairpool check）。",
    ),
)

JOINT_PARK = ModelSchema(
    "joint_park",
    (
        Sheet.case("joint_park", JOINT_PARK_CASE_KEYS, JOINT_PARK_TARGETS),
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


__all__ = [
    "COMPONENTS",
    "COSTS",
    "JOINT_PARK",
    "JOINT_PARK_CASE_KEYS",
    "JOINT_PARK_TARGETS",
    "LIMITS",
    "PHASES",
    "PROPOSAL",
    "REVENUES",
    "RULES",
    "STREAMS",
]
