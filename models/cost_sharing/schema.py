"""The cost_sharing family's case workbook, declared once as data (SPEC §2.3, §3).

The ``case`` sheet (without discounting: amounts are costs, not cash flows over years) and
the ``parties`` and ``coalitions`` columns come from the shared declarations in
:mod:`fairpool.optimizer.workbook.schema`; ``parties`` adds the demand and the optional
benefit, ``facilities`` and ``connections`` describe the facility model of c(S), and
``proposal`` holds shares of c(N) to check. The reader, the checks
(:mod:`fairpool.models.cost_sharing.case`), the template writer and the docs are all driven
from :data:`COST_SHARING`.
"""

from __future__ import annotations

from fairpool.optimizer.workbook.schema import (
    COALITIONS,
    MONEY,
    PARTIES,
    Column,
    ModelSchema,
    Sheet,
)

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
    extra_columns_are_attributes=True,
)

FACILITIES = Sheet(
    "facilities",
    (
        Column.key(
            "facility",
            "Facility option id (a plant size at a site).",
            "设施方案代码（某地点的某种规模）。",
            "PLANT_L",
        ),
        Column.display_name("大型水厂"),
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
        Column.party("CZ"),
        Column.reference("facility", "Facility option", "设施方案", "facilities", "PLANT_L"),
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

COST_SHARING_PROPOSAL = Sheet.proposal(
    (
        Column.party("CZ"),
        Column(
            "share",
            "ratio",
            "Share of the joint cost c(N) the party pays (shares add up to 1).",
            "该参与方承担的总成本 c(N) 比例（各方之和为 1）。",
            required=True,
            example=0.2,
        ),
    ),
    (
        "Optional: proposed cost shares to check (fairpool check).",
        "可选：待检验的成本分摊提议（fairpool check）。",
    ),
)

COST_SHARING = ModelSchema(
    "cost_sharing",
    (
        Sheet.case("cost_sharing", (), COST_SHARING_TARGETS, discounting=False),
        COST_SHARING_PARTIES,
        FACILITIES,
        CONNECTIONS,
        COST_SHARING_COALITIONS,
        COST_SHARING_PROPOSAL,
    ),
    "Shared facility or service: the joint cost c(N) split by every cost-allocation rule.",
    "共享设施或服务：按各种成本分摊规则分摊总成本 c(N)。",
)

__all__ = [
    "CONNECTIONS",
    "COST_SHARING",
    "COST_SHARING_COALITIONS",
    "COST_SHARING_PARTIES",
    "COST_SHARING_PROPOSAL",
    "COST_SHARING_TARGETS",
    "FACILITIES",
]
