"""The infrastructure family's case workbook, declared once as data (SPEC §2.2, §3).

The sheets ``case`` (with the two infrastructure keys), ``parties`` and ``coalitions`` come
from the shared declarations in :mod:`fairpool.optimizer.workbook.schema`; ``projects``,
``capex``, ``om``, ``benefits``, ``budgets`` and ``proposal`` are this family's. The reader,
the checks (:mod:`fairpool.models.infrastructure.checks`), the template writer and the docs
are all driven from :data:`INFRASTRUCTURE`.
"""

from __future__ import annotations

from fairpool.optimizer.workbook.schema import COALITIONS, PARTIES, Column, ModelSchema, Sheet

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
        Column.key(
            "project",
            "Project id (bridge, rail link, river works…).",
            "项目代码（桥梁、铁路、河道治理等）。",
            "BRIDGE",
        ),
        Column.display_name("跨界大桥"),
        Column(
            "hosts",
            "id_list",
            "Parties on whose territory it is built: all must agree (ids joined by +).",
            "项目所在地的参与方：须全部同意方可建设（以 + 连接）。",
            required=True,
            references="parties",
            example="AH+JS",
        ),
        *Column.links("projects", "Projects", "项目"),
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

PROJECT = Column.reference("project", "Project", "项目", "projects", "BRIDGE")
"""The ``project`` key of the yearly project sheets."""

CAPEX = Sheet.yearly(
    "capex",
    (PROJECT,),
    Column.amount(
        "Construction cost of the project in that year (≥ 0), before the subsidy.",
        "当年项目建设投资（≥ 0，未扣除补助）。",
        12000.0,
    ),
    ("Yearly construction cost per project.", "各项目的年度建设投资。"),
)

OPERATIONS = Sheet.yearly(
    "om",
    (PROJECT,),
    Column.amount(
        "Operation and maintenance cost in that year (≥ 0; not subsidised).",
        "当年运营维护费用（≥ 0；无补助）。",
        300.0,
    ),
    (
        "Optional: yearly operation and maintenance cost per project (shared like the capex).",
        "可选：各项目的年度运营维护费用（与建设投资一样分摊）。",
    ),
    required=False,
)

BENEFITS = Sheet.yearly(
    "benefits",
    (PROJECT, Column.reference("party", "Beneficiary party", "受益参与方", "parties", "JS")),
    Column.amount(
        "Benefit to the party in that year (time saved, trade, flood damage avoided…).",
        "该参与方当年的收益（节省时间、贸易、减少洪灾损失等）。",
        2500.0,
    ),
    ("Yearly benefit of each project to each party.", "各项目每年给各参与方带来的收益。"),
)

BUDGETS = Sheet.yearly(
    "budgets",
    (Column.party("JS"),),
    Column.amount(
        "Most the party can pay towards the projects in that year (≥ 0).",
        "该参与方当年可用于项目出资的上限（≥ 0）。",
        20000.0,
    ),
    (
        "Optional: yearly budgets. A party without a row for a year has no limit that year; "
        "a coalition pools its members' budgets.",
        "可选：年度预算。某参与方某年无预算行即该年不受限；联盟合并其成员的预算。",
    ),
    required=False,
)

INFRASTRUCTURE_PROPOSAL = Sheet.proposal(
    (
        Column.party("JS"),
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
    (
        "Optional: proposed cost shares to check (fairpool check); the projects named are "
        "built (* rows: the welfare-maximising build plan).",
        "可选：待检验的费用分摊提议（fairpool check）；所列项目即提议建设的项目"
        "（* 行：福利最大的建设方案）。",
    ),
)

INFRASTRUCTURE = ModelSchema(
    "infrastructure",
    (
        Sheet.case("infrastructure", INFRASTRUCTURE_CASE_KEYS, INFRASTRUCTURE_TARGETS),
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


__all__ = [
    "BENEFITS",
    "BUDGETS",
    "CAPEX",
    "INFRASTRUCTURE",
    "INFRASTRUCTURE_CASE_KEYS",
    "INFRASTRUCTURE_PROPOSAL",
    "INFRASTRUCTURE_TARGETS",
    "OPERATIONS",
    "PROJECTS",
]
