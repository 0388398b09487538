"""Every phrase of the reports in English and Chinese: key → (English, 中文).

Data only (:mod:`fairpool.reports.i18n` holds the functions that use it). Keys are grouped
by the report that added them, under a heading comment each; a report's own phrases go
under its heading. A missing key is a bug (:func:`~fairpool.reports.i18n.phrase` raises).
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    # -- common: methods, parties, verdicts ------------------------------------------------
    "party": ("Party", "参与方"),
    "alone": ("Alone", "单独"),
    "plan": ("Plan", "方案"),
    "proposal": ("Proposal", "提议"),
    "target": ("Target", "目标"),
    "gain_over_alone": ("Gain over alone", "较单独所得"),
    "share_of_total": ("Share of total", "占总额"),
    "method": ("Method", "方法"),
    "shapley": ("Shapley value", "沙普利值"),
    "nucleolus": ("Nucleolus", "核仁"),
    "least_core": ("Least core", "最小核心"),
    "proportional": ("Proportional", "按比例"),
    "equal_gain": ("Equal gain", "等额增益"),
    "nash": ("Nash bargaining", "纳什议价"),
    "banzhaf": ("Banzhaf value", "班扎夫值"),
    "tau": ("τ-value", "τ值"),
    "in_core": ("In the core", "在核心内"),
    "not_in_core": ("Not in the core", "不在核心内"),
    "individually_rational": ("Individually rational", "个体理性"),
    "worst_coalition": ("Coalition most tempted to leave", "最想退出的联盟"),
    "excess": ("Excess", "超额"),
    "npv": ("NPV", "净现值"),
    "cost_share": ("Cost share", "成本分摊"),
    "year": ("Year", "年份"),
    "stream": ("Stream", "税种"),
    "phase": ("Phase", "阶段"),
    "project": ("Project", "项目"),
    "ratio": ("Ratio", "比例"),
    "unit": ("Unit", "单位"),
    "case": ("Case", "案例"),
    "summary": ("Summary", "摘要"),
    "allocations": ("Allocations", "分配"),
    "fairness": ("Fairness", "公平性"),
    "cash_flows": ("Cash flows", "现金流"),
    "coalition_values": ("Coalition values", "联盟价值"),
    "sweep": ("Sweep", "比例扫描"),
    "core_band": ("Core band", "核心区间"),
    "run_details": ("Run details", "运行详情"),
    # verdict sentences: {party}/{parties} are names, {amount} money with its unit
    "verdict_stable": (
        "The {what} is in the core: no group of parties gains by leaving.",
        "该{what}在核心内：任何参与方组合退出都不会得到更多。",
    ),
    "verdict_blocked": (
        "{parties} would gain {amount} by leaving: the split is not stable.",
        "{parties}退出可多得{amount}：该分配不稳定。",
    ),
    "verdict_core_empty": (
        "The core is empty: every split leaves some group better off alone; the {what} keeps "
        "the largest such gain to {amount}.",
        "核心为空：任何分配都会让某些组合单独更有利；该{what}把最大的此类收益控制在{amount}。",
    ),
    "what_plan": ("plan", "方案"),
    "what_proposal": ("proposal", "提议"),
    "and": (" and ", "与"),
    # -- workbook (reports/excel*.py: the results workbook) --------------------------------
    "wb_sheet_summary": ("Summary", "摘要"),
    "wb_sheet_charts": ("Charts", "图表"),
    "wb_sheet_allocations": ("Allocations", "各方法分配"),
    "wb_sheet_plan": ("Plan", "方案"),
    "wb_sheet_proposal": ("Proposal", "提议"),
    "wb_sheet_fairness": ("Fairness", "公平性"),
    "wb_sheet_cash_flows": ("Cash flows", "现金流"),
    "wb_sheet_statistics": ("Statistic credit", "统计分算"),
    "wb_sheet_payments": ("Payments by method", "各方法出资"),
    "wb_sheet_build": ("Build plan", "建设方案"),
    "wb_sheet_facilities": ("Facilities", "设施"),
    "wb_sheet_connections": ("Connections", "接入"),
    "wb_sheet_coalitions": ("Coalition values", "联盟价值"),
    "wb_sheet_sweep": ("Sweep {number}", "比例扫描{number}"),
    "wb_sheet_run_details": ("Run details", "运行详情"),
    "wb_model_joint_park": ("Co-built park: split ratios of its taxes", "共建园区：税收分成比例"),
    "wb_model_infrastructure": (
        "Shared infrastructure: who pays for which project",
        "共建基础设施：各项目的出资分摊",
    ),
    "wb_model_cost_sharing": ("Shared facility: who pays what share", "共享设施：成本分摊"),
    "wb_amounts_in": ("amounts in {unit}", "金额单位：{unit}"),
    "wb_yes": ("Yes", "是"),
    "wb_no": ("No", "否"),
    "wb_total": ("Total", "合计"),
    "wb_sum": ("Sum", "合计"),
    "wb_key_figures": ("Key figures", "关键数字"),
    "wb_grand_value_benefit": ("Total NPV when all work together", "全体合作的总净现值"),
    "wb_grand_value_cost": ("Total cost when all work together", "全体合作的总成本"),
    "wb_sum_alone_benefit": ("Sum of what each party makes alone", "各方单独所得之和"),
    "wb_sum_alone_cost": ("Sum of what each party pays alone", "各方单独成本之和"),
    "wb_cooperation_gain_benefit": ("Gain from working together", "合作增益"),
    "wb_cooperation_gain_cost": ("Saving from working together", "合作节约"),
    "wb_plan_target": ("Target of the plan", "方案目标"),
    "wb_distance_l1": ("Distance to the target (sum over parties)", "与目标的距离（各方合计）"),
    "wb_distance_linf": (
        "Distance to the target (largest party gap)",
        "与目标的距离（最大单方差额）",
    ),
    "wb_distance_to": (
        "Distance to the {method} (sum over parties)",
        "与{method}的距离（各方合计）",
    ),
    "wb_fair": (
        "Fair (in the core, rational, within the rules)",
        "公平（在核心内、个体理性、符合规则）",
    ),
    "wb_core": ("Stable splits (the core)", "稳定的分配（核心）"),
    "wb_core_not_empty": ("exist: the core is not empty", "存在：核心非空"),
    "wb_core_empty": ("none: the core is empty", "不存在：核心为空"),
    "wb_gain_by_leaving": ("Gain by leaving (excess)", "退出可多得（超额）"),
    "wb_excess_sign_benefit": (
        "Gain by leaving = what a coalition makes alone minus what it gets: v(S) − x(S). Above "
        "zero the coalition would leave (the split is blocked); below zero it is its margin "
        "for staying.",
        "退出可多得 = 联盟单独所得减去其分得：v(S) − x(S)。大于零时该联盟会退出（分配被阻断）；"
        "小于零表示其留下的余量。",
    ),
    "wb_excess_sign_cost": (
        "Gain by leaving = what a coalition pays minus what it would pay alone: x(S) − c(S). "
        "Above zero the coalition would leave (the split is blocked); below zero it is its "
        "margin for staying.",
        "退出可多得 = 联盟分摊的成本减去其单独承担的成本：x(S) − c(S)。大于零时该联盟会退出"
        "（分配被阻断）；小于零表示其留下的余量。",
    ),
    "wb_fact_active_components": ("Components built", "建设的组成部分"),
    "wb_fact_built_projects": ("Projects built", "建设的项目"),
    "wb_fact_welfare": ("Welfare of the plan (sum of NPVs)", "方案总福利（净现值之和）"),
    "wb_by_party": ("Each party: {amount}", "各方：{amount}"),
    "wb_saving_over_alone": ("Saving over alone", "较单独节约"),
    "wb_allocations_title": ("Allocations by method: {amount}", "各方法的分配：{amount}"),
    "wb_allocations_note": (
        "What each party gets under each method ({unit}) and its share of the total; a method "
        "that some coalition would block is shaded red.",
        "各方法下各方所得（{unit}）及其占总额的比例；会被某个联盟阻断的方法以红色标出。",
    ),
    "wb_blocked_by": ("Blocked by", "阻断的联盟"),
    "wb_core_limit_benefit": ("Core ceiling", "核心上限"),
    "wb_core_limit_cost": ("Core floor", "核心下限"),
    "wb_core_limit_note_benefit": (
        "Alone: what the party makes on its own, v(i), the least the core gives it. Core "
        "ceiling: what it adds to all the others together, v(N) − v(N∖i), the most the core "
        "gives it.",
        "单独：该方独自所得 v(i)，核心给它的下限。核心上限：它为其他各方合作带来的增量 "
        "v(N) − v(N∖i)，核心给它的上限。",
    ),
    "wb_core_limit_note_cost": (
        "Alone: what the party pays on its own, c(i), the most the core asks of it. Core "
        "floor: the cost it adds to all the others together, c(N) − c(N∖i), the least the "
        "core asks of it.",
        "单独：该方独自承担的成本 c(i)，核心要求的上限。核心下限：它给其他各方合作增加的成本 "
        "c(N) − c(N∖i)，核心要求的下限。",
    ),
    "wb_skipped": ("{method}: not computed ({why})", "{method}：未计算（{why}）"),
    "wb_fairness_title": ("Fairness of every method", "各方法的公平性"),
    "wb_below_alone": ("Parties below what they get alone", "低于单独所得的参与方"),
    "wb_coalition": ("Coalition", "联盟"),
    "wb_ids": ("Party ids", "参与方代码"),
    "wb_size": ("Parties", "方数"),
    "wb_value_benefit": ("Makes alone v(S)", "单独所得 v(S)"),
    "wb_value_cost": ("Pays alone c(S)", "单独成本 c(S)"),
    "wb_members_get": ("Its members under the {what}", "{what}下成员合计"),
    "wb_coalitions_note_benefit": (
        "Every group of parties: what it makes on its own, what its members get together "
        "under the {what}, and what it would gain by leaving (red: it would leave).",
        "每个参与方组合：单独所得、{what}下成员合计所得，以及退出可多得（红色：会退出）。",
    ),
    "wb_coalitions_note_cost": (
        "Every group of parties: what it would pay on its own, what its members pay together "
        "under the {what}, and what it would save by leaving (red: it would leave).",
        "每个参与方组合：单独承担的成本、{what}下成员合计分摊，以及退出可节约（红色：会退出）。",
    ),
    "wb_coalitions_printed": (
        "Printed: the {printed} coalitions closest to leaving; the sheet lists all {count}.",
        "打印：最接近退出的{printed}个联盟；本表列出全部{count}个。",
    ),
    "wb_coalitions_left_out": (
        "{count} more coalitions, none closer to leaving: fairpool coalitions FILE --json "
        "lists all.",
        "另有{count}个联盟未列出（均不比以上联盟更接近退出）：fairpool coalitions FILE --json "
        "列出全部。",
    ),
    "wb_plan_ratios_title": ("The {what}: split ratios", "{what}：分成比例"),
    "wb_plan_ratios_note": (
        "Each party's share of each stream in each phase; a cash stream's column sums to 100%.",
        "各方在每个阶段每个税种中的分成比例；现金类税种每列合计为100%。",
    ),
    "wb_phase": ("Phase {phase}", "第{phase}阶段"),
    "wb_statistic_mark": ("(statistic)", "（统计）"),
    "wb_statistic_note": (
        "(statistic): {streams} is credited for statistics, not paid: a party's credit does not "
        "reduce another's, so its column may sum above 100%.",
        "（统计）：{streams}为统计分算，不是实际支付：一方的计入不减少另一方，因此该列合计可超过100%。",
    ),
    "wb_plan_shares_title": ("The {what}: cost shares by project", "{what}：各项目成本分摊"),
    "wb_plan_shares_note": (
        "What each party pays for each project ({unit}), summed over the years (not "
        "discounted), and its share of the project's cost.",
        "各方为每个项目支付的金额（{unit}，逐年加总，未折现）及其占项目成本的比例。",
    ),
    "wb_plan_amounts": ("Payments", "出资金额"),
    "wb_plan_shares": ("Share of each project", "占各项目比例"),
    "wb_all_costs": ("All costs", "全部成本"),
    "wb_cash_title": ("Cash flows per year under the {what}", "{what}下的逐年现金流"),
    "wb_cash_note": ("Each party's yearly amounts ({unit}).", "各方逐年金额（{unit}）。"),
    "wb_cash_npv_note": (
        "The total of a party's discounted net is its NPV.",
        "各方折现净额的合计即其净现值。",
    ),
    "wb_col_discount_factor": ("Discount factor", "折现系数"),
    "wb_col_net": ("Net cash flow", "净现金流"),
    "wb_col_take": ("Tax take", "税收分成"),
    "wb_col_cost": ("Cost", "成本"),
    "wb_col_benefit": ("Benefit", "收益"),
    "wb_col_payment": ("Payment", "出资"),
    "wb_col_amount": ("Amount", "金额"),
    "wb_col_discounted_net": ("Discounted net", "折现净额"),
    "wb_col_ratio": ("Ratio", "比例"),
    "wb_col_share": ("Share", "份额"),
    "wb_col_within_rules": ("Within the rules", "符合规则"),
    "wb_col_within_budgets": ("Within the budgets", "符合预算"),
    "wb_col_party": ("Party", "参与方"),
    "wb_col_method": ("Method", "方法"),
    "wb_col_project": ("Project", "项目"),
    "wb_col_name": ("Name", "名称"),
    "wb_col_built": ("Built", "建设"),
    "wb_col_hosts": ("Hosts", "所在方"),
    "wb_col_capex_pv": ("Capital cost (PV)", "建设投资（现值）"),
    "wb_col_subsidy_pv": ("Subsidy (PV)", "补助（现值）"),
    "wb_col_om_pv": ("Operation (PV)", "运营成本（现值）"),
    "wb_col_funded_cost_pv": ("Cost to fund (PV)", "需分摊成本（现值）"),
    "wb_col_benefit_pv": ("Benefit (PV)", "收益（现值）"),
    "wb_col_net_pv": ("Net (PV)", "净额（现值）"),
    "wb_col_facility": ("Facility", "设施"),
    "wb_col_units": ("Units", "数量"),
    "wb_col_capacity": ("Capacity", "能力"),
    "wb_col_served_demand": ("Demand served", "服务需求"),
    "wb_col_fixed_cost": ("Fixed cost", "固定成本"),
    "wb_col_demand": ("Demand", "需求"),
    "wb_col_connection_cost": ("Connection cost", "接入成本"),
    "wb_col_variable_cost": ("Variable cost", "可变成本"),
    "wb_table_note_statistics": (
        "Statistic credit per party and year ({unit}): counted for each party, not paid.",
        "各方逐年统计分算（{unit}）：计入各方统计，不是实际支付。",
    ),
    "wb_table_note_payments": (
        "What each party pays under each method (present values, {unit}).",
        "各方法下各方的出资（现值，{unit}）。",
    ),
    "wb_table_note_build": (
        "The projects and their present values ({unit}).",
        "各项目及其现值（{unit}）。",
    ),
    "wb_with_unit": ("{label} ({unit})", "{label}（{unit}）"),
    "wb_chart_allocations": ("{amount} by method", "各方法的{amount}"),
    "wb_chart_allocations_read_benefit": (
        "Each column: a party's NPV under a method. Red dash: what the party makes alone; "
        "triangle: the most the core can give it. A column outside its two marks is one some "
        "coalition would block.",
        "每根柱：某方法下某方的净现值。红色短线：该方单独所得；三角：核心能给它的上限。"
        "柱子落在两个标记之外，说明有联盟会阻断该分配。",
    ),
    "wb_chart_allocations_read_cost": (
        "Each column: a party's cost share under a method. Red dash: what the party pays "
        "alone, the most the core asks of it; triangle: the least the core asks of it. A "
        "column outside its two marks is one some coalition would block.",
        "每根柱：某方法下某方的成本分摊。红色短线：该方单独承担的成本，核心要求的上限；"
        "三角：核心要求的下限。柱子落在两个标记之外，说明有联盟会阻断该分配。",
    ),
    "wb_chart_cash_read": (
        "Each party's net cash flow per year: what it receives minus what it pays ({unit}).",
        "各方逐年净现金流：所得减去所付（{unit}）。",
    ),
    "wb_chart_cash": (
        "Each party's yearly net cash flow under the {what}",
        "{what}下各方逐年净现金流",
    ),
    "wb_charts_note": (
        "Drawn from the cells of the other sheets: a figure edited there moves the chart.",
        "图表取自其他工作表的单元格：修改那里的数字，图表随之更新。",
    ),
    "wb_sweep_ratio": (
        "{party}'s split ratio of {stream}, {phase}",
        "{party}在{stream}、{phase}的分成比例",
    ),
    "wb_every_stream": ("every stream", "全部税种"),
    "wb_one_stream": ("stream {stream}", "税种{stream}"),
    "wb_every_phase": ("every phase", "全部阶段"),
    "wb_every_project": ("every project", "全部项目"),
    "wb_one_project": ("project {project}", "项目{project}"),
    "wb_sweep_share": ("{party}'s share of {project}", "{party}承担{project}的份额"),
    "wb_sweep_total": ("{party}'s share of the total cost", "{party}承担总成本的份额"),
    "wb_core_band_range": (
        "In the core from {low} to {high} (exact band); the green shade marks it in the chart.",
        "比例在{low}至{high}之间时处于核心内（精确区间）；图中以绿色阴影标出。",
    ),
    "wb_rules_band_range": (
        "Within the rules: from {low} to {high}.",
        "其中符合规则的区间：{low}至{high}。",
    ),
    "wb_rules_band_none": (
        "No value of the band keeps every rule.",
        "该区间内没有符合全部规则的取值。",
    ),
    "wb_core_band_none": (
        "No value of this sweep is in the core.",
        "该扫描范围内没有处于核心内的取值。",
    ),
    "wb_model": ("Model family", "模型类别"),
    "wb_orientation": ("Game (benefit or cost)", "博弈类型（收益或成本）"),
    "wb_parties": ("Parties (id = name)", "参与方（代码 = 名称）"),
    "wb_core_mode": ("Core constraints", "核心约束"),
    "wb_distance_kind": ("Distance", "距离"),
    "wb_property_superadditive": ("Superadditive", "超可加"),
    "wb_property_convex": (
        "Convex (the Shapley value is in the core)",
        "凸博弈（沙普利值在核心内）",
    ),
    "wb_property_monotone": ("Monotone", "单调"),
    "wb_property_essential": ("Essential (cooperation gains)", "本质博弈（合作有增益）"),
    "wb_least_core_epsilon": ("Least core ε*", "最小核心 ε*"),
    "wb_tolerance": ("Tolerance of the core checks", "核心检验容差"),
    "wb_timings": ("Seconds per step", "各步骤用时（秒）"),
    "wb_warnings": ("Warnings", "警告"),
    "wb_rule_violations": ("Rules broken", "违反的规则"),
    "wb_skipped_methods": ("Methods not computed", "未计算的方法"),
    # -- html (reports/html.py and its explorer script) -------------------------------------
    "method_prenucleolus": ("Prenucleolus", "预核仁"),
    "method_gately": ("Gately point", "盖特利点"),
    "method_scrb": ("Separable costs, remaining benefits", "可分离成本剩余收益法"),
    "method_kalai_smorodinsky": ("Kalai–Smorodinsky", "卡莱–斯莫罗丁斯基解"),
    "method_equal_bcr": ("Equal benefit–cost ratio", "等效益成本比"),
    "method_territorial": ("Territorial", "属地原则"),
    "method_equal": ("Equal split", "平均分配"),
    "html_title": ("Negotiation report", "谈判报告"),
    "html_model_joint_park": ("Co-built park: split ratios of its taxes", "共建园区：税收分成比例"),
    "html_model_infrastructure": (
        "Shared infrastructure: who pays for which project",
        "共建基础设施：各项目的出资分摊",
    ),
    "html_model_cost_sharing": ("Shared facility: who pays what share", "共享设施：成本分摊"),
    "html_subtitle_plan": (
        "the fairest plan within the rules, target {target}",
        "规则内最公平的方案，目标：{target}",
    ),
    "html_subtitle_proposal": ("a proposal judged", "提议评估"),
    "html_amounts_in": ("amounts in {unit}", "金额单位：{unit}"),
    "html_is_it_fair": ("Is the {what} fair?", "该{what}公平吗？"),
    "html_fair": ("Fair", "公平"),
    "html_not_fair": ("Not fair", "不公平"),
    "html_blocked_core_empty": (
        "The core is empty: whatever the split, some group is better off alone.",
        "核心为空：无论如何分配，总有某些组合单独更有利。",
    ),
    "html_ir_short": (
        "{party} gets {amount}, less than the {alone} it reaches alone: it would walk away.",
        "{party}得到{amount}，少于其单独可得的{alone}：它会退出。",
    ),
    "html_ir_short_cost": (
        "{party} pays {amount}, more than the {alone} it would pay alone: it would walk away.",
        "{party}需支付{amount}，多于其单独承担的{alone}：它会退出。",
    ),
    "html_everyone_better": (
        "Every party gets at least what it reaches alone.",
        "每一方所得都不少于其单独所得。",
    ),
    "html_everyone_better_cost": (
        "Every party pays no more than it would alone.",
        "每一方支付的都不多于其单独承担的成本。",
    ),
    "html_plan_target": (
        "Target: {target}; the plan is {distance} away from it (over all parties).",
        "目标：{target}；方案与目标相差{distance}（各方合计）。",
    ),
    "html_distance_to": (
        "{amount} away from the {method} (over all parties).",
        "与{method}相差{amount}（各方合计）。",
    ),
    "html_breaks_rules": ("It breaks rules of the case:", "它违反了案例规则："),
    "html_fix_found": ("The smallest change that makes it fair:", "使其公平的最小调整："),
    "html_fix_impossible": (
        "No change within the case's rules makes it fair:",
        "在案例规则内，任何调整都无法使其公平：",
    ),
    "html_total_value": ("Value of working together", "合作总价值"),
    "html_joint_cost": ("Joint cost", "共同成本"),
    "html_cooperation_gain": ("Gain over going alone", "较各自单干的增益"),
    "html_cooperation_saving": ("Saving over going alone", "较各自单干的节约"),
    "html_core_state": ("Stable splits", "稳定的分配"),
    "html_core_exists": ("exist (the core is not empty)", "存在（核心非空）"),
    "html_core_none": ("none (the core is empty)", "不存在（核心为空）"),
    "html_who_gets_what": ("Who gets what", "各方所得"),
    "html_walks_away": ("Would walk away?", "会退出吗？"),
    "html_yes": ("yes", "是"),
    "html_no": ("no", "否"),
    "html_allocations_heading": ("Allocations by method", "各方法的分配结果"),
    "html_allocations_note": (
        "Each party's {amount} under each method, beside what it reaches alone. ✓: no group "
        "of parties gains by leaving (in the core); ✗: the group named would.",
        "各方法下各方的{amount}，以及各方单独所得。✓：任何参与方组合退出都不会得到更多"
        "（在核心内）；✗：所列组合会退出。",
    ),
    "html_in_core_mark": ("✓ in the core", "✓ 在核心内"),
    "html_blocked_by": ("✗ {parties} would leave", "✗ {parties}会退出"),
    "html_cash_heading": ("Each party's yearly net cash", "各方逐年净现金流"),
    "html_cash_note": (
        "Net cash per year under the {what}, in {unit}, before discounting.",
        "{what}下每年的净现金流（{unit}，未折现）。",
    ),
    "html_no_cash": (
        "This case has no yearly cash flows: its cost shares are one-off amounts.",
        "本案例没有逐年现金流：成本分摊为一次性金额。",
    ),
    "html_stability_heading": ("Coalition stability", "联盟稳定性"),
    "html_stability_note": (
        "The groups of parties closest to walking away from the {what}: what they get "
        "together under it, what they would make on their own, and the margin.",
        "最接近退出该{what}的参与方组合：在该{what}下合计所得、单独可得，以及两者之差。",
    ),
    "html_stability_note_cost": (
        "The groups of parties closest to walking away from the {what}: what they pay "
        "together under it, what they would pay on their own, and the margin.",
        "最接近退出该{what}的参与方组合：在该{what}下合计支付、单独需支付，以及两者之差。",
    ),
    "html_coalition": ("Coalition", "联盟"),
    "html_together": ("Together under the {what}", "{what}下合计"),
    "html_on_their_own": ("On their own", "单独"),
    "html_margin": ("Margin", "差额"),
    "html_would_leave": ("would leave: gains {amount}", "会退出：多得{amount}"),
    "html_would_leave_cost": ("would leave: saves {amount}", "会退出：少付{amount}"),
    "html_stays": ("stays: would lose {amount} by leaving", "留下：退出将少得{amount}"),
    "html_stays_cost": ("stays: would pay {amount} more alone", "留下：单独将多付{amount}"),
    "html_explorer_heading": ("Ratio explorer", "比例探索器"),
    "html_explorer_note": (
        "Slide one party's split ratio: every party's {amount} moves; the shaded band is where "
        "no group of parties walks away. The numbers are exact at every step.",
        "拖动某一方的分成比例：各方的{amount}随之变化；阴影区间内没有任何参与方组合会退出。"
        "每一步的数字都是精确计算的结果。",
    ),
    "html_explorer_note_cost": (
        "Slide one party's share of the cost: every party's {amount} moves; the shaded band "
        "is where no group of parties walks away. The numbers are exact at every step.",
        "拖动某一方承担的成本份额：各方的{amount}随之变化；阴影区间内没有任何参与方组合会退出。"
        "每一步的数字都是精确计算的结果。",
    ),
    "html_all": ("all", "全部"),
    "html_explorer_ratio_of": ("{party}'s split ratio", "{party}的分成比例"),
    "html_explorer_share_of": ("{party}'s cost share", "{party}的成本份额"),
    "html_explorer_stable": (
        "At {value}, no group of parties would walk away; the closest, {parties}, would lose "
        "{amount} by leaving.",
        "在{value}时，没有任何参与方组合会退出；最接近退出的{parties}退出将少得{amount}。",
    ),
    "html_explorer_stable_cost": (
        "At {value}, no group of parties would walk away; the closest, {parties}, would pay "
        "{amount} more on their own.",
        "在{value}时，没有任何参与方组合会退出；最接近退出的{parties}单独将多付{amount}。",
    ),
    "html_explorer_blocked": (
        "At {value}, {parties} would walk away: they would gain {amount} on their own.",
        "在{value}时，{parties}会退出：单独可多得{amount}。",
    ),
    "html_explorer_blocked_cost": (
        "At {value}, {parties} would walk away: they would pay {amount} less on their own.",
        "在{value}时，{parties}会退出：单独可少付{amount}。",
    ),
    "html_explorer_outside_rules": ("This value breaks the case's rules.", "该取值违反案例规则。"),
    "html_explorer_outside_budgets": ("This value breaks a budget.", "该取值超出预算。"),
    "html_explorer_band": ("Core band: stable from {lo} to {hi}", "核心区间：{lo}至{hi}之间稳定"),
    "html_explorer_no_band": (
        "No value on this line is stable: some group always walks away.",
        "此线上没有稳定的取值：总有某个组合会退出。",
    ),
    "html_explorer_band_rules": (
        "; within the rules from {lo} to {hi}",
        "；其中符合规则：{lo}至{hi}",
    ),
    "html_explorer_no_band_rules": (
        "; but no stable value keeps the rules",
        "；但没有既稳定又符合规则的取值",
    ),
    "html_explorer_value": ("{what}: {value}", "{what}：{value}"),
    "html_sentence_gap": (" ", ""),
    "html_explorer_mark": (
        "where {party} gets its {method} amount",
        "{party}得到其{method}份额之处",
    ),
    "html_explorer_not_reached": ("not reached on this line", "此线上达不到"),
    "html_explorer_at_value": ("At this value", "此取值下"),
    "html_explorer_vs": ("Change from the {what}", "较{what}的变化"),
    "html_explorer_none": ("No ratio of this case can be slid.", "本案例没有可调整的比例。"),
    "html_skipped": ("Not applicable", "不适用"),
    "html_warnings": ("Warning", "警告"),
    "html_sweeps_timing": (
        "The explorer holds {count} exact sweeps of up to {values} values each, computed in "
        "{seconds} s.",
        "比例探索器包含{count}组精确扫描，每组最多{values}个取值，计算用时{seconds}秒。",
    ),
    "html_generated": (
        "Made by fairpool {version}. The page works offline: every number, script and style "
        "is inside this file.",
        "由 fairpool {version} 生成。本页面可离线使用：所有数字、脚本和样式都在此文件内。",
    ),
    # -- batch (commands/batch_record.py: summary.xlsx, summary.csv) ------------------------
    "batch_model": ("Model", "模型"),
    "batch_parties": ("Parties", "参与方数"),
    "batch_status": ("Status", "状态"),
    "batch_seconds": ("Seconds", "用时（秒）"),
    "batch_grand_value": ("Grand value", "大联盟价值"),
    "batch_share_of": ("{party} share", "{party} 分得"),
    "batch_verdict": ("Verdict", "结论"),
    "batch_error": ("Error", "错误"),
    "batch_solved": ("solved", "已求解"),
    "batch_bad_input": ("bad input", "输入有误"),
    "batch_not_solved": ("not solved", "未能求解"),
    "batch_crashed": ("crashed", "意外中止"),
    "batch_kept": ("kept", "沿用"),
    # a game's results workbook (commands/batch_case.py)
    "batch_name": ("Name", "名称"),
    "batch_item": ("Item", "项目"),
    "batch_value": ("Value", "数值"),
    "batch_coalition": ("Coalition", "联盟"),
    "batch_orientation": ("Values are", "数值类型"),
    "batch_benefit": ("benefits v(S)", "收益 v(S)"),
    "batch_cost": ("costs c(S)", "成本 c(S)"),
    "batch_core_empty": ("Core empty", "核心为空"),
    "batch_least_core_epsilon": ("Least core ε*", "最小核心 ε*"),
    # -- charts (reports/charts.py: PNG/SVG) -----------------------------------------------
    "equal": ("Equal split", "平均分配"),
    "chart_allocations_npv": ("Each party's NPV by method", "各分配方法下各方的净现值"),
    "chart_allocations_cost": ("Each party's cost share by method", "各分配方法下各方的成本分摊"),
    "chart_alone_npv": ("Alone: what the party makes on its own", "单独：该方独自所得"),
    "chart_alone_cost": ("Alone: what the party pays on its own", "单独：该方独自承担的成本"),
    "chart_cash_title": (
        "Each party's yearly net cash flow under the {what}",
        "{what}下各方逐年净现金流",
    ),
    "chart_net_cash": ("Net cash flow", "净现金流"),
    "chart_sweep_npv": (
        "Each party's NPV as one line of the plan slides",
        "方案中一项比例变化时各方的净现值",
    ),
    "chart_sweep_cost": (
        "Each party's cost share as one share slides",
        "一项分摊份额变化时各方的成本分摊",
    ),
    "chart_sweep_ratio": (
        "{party}'s split ratio of {stream}, {phase}",
        "{party}的分成比例（{stream}，{phase}）",
    ),
    "chart_phase": ("phase {phase}", "阶段 {phase}"),
    "chart_sweep_share": ("{party}'s share of {project}", "{party}承担{project}的份额"),
    "chart_sweep_total_cost": ("{party}'s share of the total cost", "{party}承担总成本的份额"),
    "chart_every_stream": ("every stream", "全部税种"),
    "chart_every_phase": ("every phase", "全部阶段"),
    "chart_every_project": ("every project", "全部项目"),
    "chart_no_core_band": (
        "No value of this sweep is in the core",
        "该扫描范围内没有处于核心内的取值",
    ),
    "chart_band_within_rules": ("Core band within the rules", "核心区间内符合规则的部分"),
    "chart_no_band_within_rules": (
        "No value of the core band keeps every rule",
        "核心区间内没有符合全部规则的取值",
    ),
    "chart_with_unit": ("{label} ({unit})", "{label}（{unit}）"),
    # -- sweep (reports/sweep_words.py: fairpool sweep's sentences, text and workbook) -------
    "sw_line_ratio": (
        "{party}'s split ratio of {stream} in {phase}",
        "{party}在{phase}{stream}的分成比例",
    ),
    "sw_every_stream": ("every cash stream", "各现金收入流"),
    "sw_one_stream": ("stream {stream}", "收入流 {stream} "),
    "sw_every_phase": ("every phase", "各阶段"),
    "sw_one_phase": ("phase {phase}", "第 {phase} 阶段"),
    "sw_line_project": (
        "{party}'s share of the cost of {project}",
        "{party}承担{project}成本的份额",
    ),
    "sw_every_project": ("every project the baseline builds", "基准方案建设的各项目"),
    "sw_one_project": ("project {project}", "项目 {project} "),
    "sw_line_whole": ("{party}'s share of the joint cost", "{party}承担总成本的份额"),
    "sw_heading": (
        "Sweep of {line}: {first} to {last}, {count} values.",
        "扫描{line}：{first} 至 {last}，共 {count} 个取值。",
    ),
    "sw_baseline_proposal": (
        "Baseline: the case's proposal sheet",
        "基准：案例的提议（proposal 工作表）",
    ),
    "sw_baseline_plan": (
        "Baseline: the plan for target {target} (the case has no proposal sheet)",
        "基准：以 {target} 为目标的方案（案例没有提议工作表）",
    ),
    "sw_baseline_given": ("Baseline: the proposal given", "基准：给定的提议"),
    "sw_baseline_value": ("; it gives {party} {value} here.", "；其中{party}为 {value}。"),
    "sw_baseline_mixed": (
        "; {party}'s values there differ from cell to cell.",
        "；其中{party}在各单元的取值不同。",
    ),
    "sw_others_proportional": (
        "The other parties, {parties}, share the rest in the baseline's proportions; "
        "everything else stays as in the baseline.",
        "其余各方（{parties}）按基准中的比例分享其余部分；其他一切保持基准不变。",
    ),
    "sw_others_against": (
        "Only {party} gives up or takes the difference; the other parties keep their "
        "baseline values, and everything else stays as in the baseline.",
        "仅由{party}让出或接受差额；其余各方保持基准取值，其他一切保持基准不变。",
    ),
    "sw_against_limit": (
        "{party} can take at most {value} here (what the two hold together in the baseline); "
        "higher values are left out.",
        "此处{party}最多可取 {value}（两方在基准中的合计），更高的取值不计。",
    ),
    "sw_core_band": (
        "Core band (no coalition blocks): {low} … {high}",
        "核心区间（无联盟阻挡）：{low} … {high}",
    ),
    "sw_core_band_none": (
        "Core band: none — at every value some coalition would be better off leaving.",
        "核心区间：无——任何取值下都有联盟退出更有利。",
    ),
    "sw_rules": ("the rules", "规则"),
    "sw_budgets": ("the budgets", "预算"),
    "sw_within": ("Within {rules}: {low} … {high}", "符合{rules}的核心区间：{low} … {high}"),
    "sw_within_same": (
        "Within {rules}: the same band; no rule cuts it.",
        "符合{rules}的核心区间：与核心区间相同，没有规则截断。",
    ),
    "sw_within_none": (
        "Within {rules}: none — every value of the core band breaks a rule; across it the plan:",
        "符合{rules}的核心区间：无——核心区间内的每个取值都违反规则；方案：",
    ),
    "sw_cut_low": ("below {at}, the plan {rule}", "低于 {at} 时，方案 {rule}"),
    "sw_cut_high": ("above {at}, the plan {rule}", "高于 {at} 时，方案 {rule}"),
    "sw_cut_unnamed": (
        "breaks a rule the rule check does not name",
        "违反一条规则检查未能指明的规则",
    ),
    "sw_col_in_core": ("In the core", "在核心内"),
    "sw_col_worst": ("Most tempted to leave", "最想退出的联盟"),
    "sw_col_gain": ("Its gain by leaving", "其退出所得"),
    "sw_col_amount_npv": ("{party} NPV", "{party} 净现值"),
    "sw_col_amount_cost": ("{party} cost", "{party} 成本"),
    "sw_col_band": ("In the core band", "在核心区间内"),
    "sw_col_band_rules": ("In the band within {rules}", "在符合{rules}的区间内"),
    "sw_sheet": ("Sweep", "扫描"),
    "sw_chart_title": ("Each party's {amount} as {line} slides", "{line}变化时各方的{amount}"),
    "sw_amount_npv": ("NPV", "净现值"),
    "sw_amount_cost": ("cost share", "成本分摊"),
    # -- transfers (issue 12: side payments, models/side_payments.py) -----------------------
    "wb_sheet_side_payments": ("Side payments", "转移支付"),
    "wb_table_note_side_payments": (
        "Payments between parties that turn the beneficiary-pays split (sheet Plan) into the "
        "fair plan; year pv: a present value ({unit}).",
        "将受益者分摊（方案表）调整为公平方案的各方之间的支付；年份为 pv 时为现值（{unit}）。",
    ),
    "wb_col_payer": ("Payer", "付款方"),
    "wb_col_payee": ("Payee", "收款方"),
    # -- simplicity (issue 12: reports/excel_simplicity.py) ------------------------------------
    "wb_prices_title": ("The price of simplicity", "简化的代价"),
    "wb_prices_note": (
        "Price: the extra distance to the target ({unit}).",
        "代价：与目标距离的增加量（{unit}）。",
    ),
    "wb_col_simplification": ("Simplification", "简化"),
    "wb_col_price": ("Price", "代价"),
    "wb_col_still_in_core": ("Still in the core", "仍在核心内"),
    "wb_col_note": ("Note", "说明"),
    "wb_not_applied": ("Not applied", "未采用"),
    "simplification_stability": ("Stability (deep in the core)", "稳定性（深入核心）"),
    "simplification_round_to": ("Round ratios or shares", "比例或份额取整"),
    "simplification_uniform_streams": ("One ratio for every stream", "各税种统一比例"),
    "simplification_max_changes": ("Few changes across phases", "限制跨阶段调整次数"),
    "simplification_transfers": ("Payments follow benefits", "按受益付费"),
    "simplification_fewest_distinct": ("Fewest distinct ratios", "减少不同比例的个数"),
    "wb_simplicity_title": ("How simple the {what} is to sign", "{what}的简洁程度"),
    "wb_col_measure": ("Measure", "指标"),
    "wb_distinct_ratio": ("Distinct ratios", "不同比例的个数"),
    "wb_distinct_share": ("Distinct shares", "不同份额的个数"),
    "wb_values_counted": ("Values counted", "计入的取值个数"),
    "wb_grid": ("Coarsest grid of every value", "所有取值所在的最粗步长"),
    "wb_no_grid": ("None (not all on 5% or 1%)", "无（并非都是5%或1%的整数倍）"),
    "wb_changes_of": ("Ratio changes across phases: {party}", "跨阶段比例调整次数：{party}"),
    "wb_most_changes": ("Most ratio changes of any party", "单方最多调整次数"),
    "wb_uniform_streams": ("One ratio for every cash stream", "各现金税种同一比例"),
    "wb_outside_payments_npv": ("Payments outside benefits", "不随受益的付款笔数"),
    "wb_outside_payments_cost_shares": ("Payments outside use", "不随使用的付款笔数"),
    "wb_outside_amount": ("Their amount", "其金额"),
}
"""key → (English, 中文). Keys are grouped by the report that added them; a report's own
phrases go under its heading comment."""
