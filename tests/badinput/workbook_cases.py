"""Each family's shipped workbook, broken: ``joint_park`` (``sichuan_zhejiang_park.xlsx``),
``infrastructure`` (``river_program.xlsx``), ``cost_sharing`` (``water_plant.xlsx``). Every
reference column gets an unknown id; rows as in Excel (header = row 1)."""

from __future__ import annotations

from tests.badinput.generate import (
    WATER,
    BadInput,
    Builder,
    Words,
    cells,
    date,
    drop_rows,
    drop_sheet,
    fill_sheet,
    merge,
    rename_sheet,
    with_files,
    workbook,
)
from tests.badinput.records import (
    DID_YOU_MEAN,
    DUPLICATE,
    FORMULA_HINT,
    NEGATIVE,
    NO_CACHE,
    park,
    river,
    solve,
    unknown,
    validate,
    water,
    where,
)

# -- joint park: cases/sichuan_zhejiang_park.xlsx -------------------------------------------------

JP = "joint_park"


def jp(case_id: str, build: Builder, words: Words, **more) -> BadInput:
    return validate(case_id, JP, build, words, **more)


JP_UNKNOWN = [
    ("components", "B2", "HOST+VENUS", "requires", "VENUS", "parties"),
    ("components", "C6", "PARK9", "depends_on", "PARK9", "components"),
    ("components", "D3", "PARK9", "excludes", "PARK9", "components"),
    ("revenues", "A2", "NOPE", "component", "NOPE", "components"),
    ("revenues", "B2", "TAX", "stream", "TAX", "streams"),
    ("costs", "A2", "NOPE", "component", "NOPE", "components"),
    ("costs", "B2", "MARS", "party", "MARS", "parties"),
    ("rules", "A2", "MARS", "party", "MARS", "parties"),
    ("rules", "B2", "TAX", "stream", "TAX", "streams"),
    ("rules", "C2", "9", "phase", "9", "phases"),
    ("streams", "E2", "MARS", "stock_owner", "MARS", "parties"),
    ("limits", "A2", "MARS", "party", "MARS", "parties"),
    ("limits", "C2", "TAX", "stream", "TAX", "streams"),
    ("limits", "H2", "MARS", "overflow_to", "MARS", "parties"),
    ("proposal", "A2", "MARS", "party", "MARS", "parties"),
    ("proposal", "B2", "TAX", "stream", "TAX", "streams"),
    ("proposal", "C2", "9", "phase", "9", "phases"),
    ("coalitions", "A2", "SEND+MARS", "coalition", "MARS", "parties"),
]

JP_CASES = [
    *(
        jp(
            f"jp-unknown-{sheet}-{column}",
            park(
                cells(sheet, {ref: value}),
                *([cells("coalitions", {"B2": 10})] if sheet == "coalitions" else []),
            ),
            unknown(sheet, int(ref[1:]), column, bad, kind),
        )
        for sheet, ref, value, column, bad, kind in JP_UNKNOWN
    ),
    jp(
        "jp-misspelled-optional-sheet",
        park(rename_sheet("limits", "Limit")),
        ("sheet Limit", DID_YOU_MEAN, "limits"),
    ),
    solve(
        "jp-misspelled-optional-sheet-solve",
        JP,
        park(rename_sheet("limits", "Limit")),
        2,
        ("sheet Limit", DID_YOU_MEAN, "limits"),
    ),
    jp(
        "jp-misspelled-streams-sheet",
        park(rename_sheet("streams", "stream")),
        ("sheet stream", DID_YOU_MEAN, "streams"),
    ),
    jp(
        "jp-misspelled-optional-column",
        park(cells("rules", {"F1": "schedual"})),
        (*where("rules", 1), "column schedual", DID_YOU_MEAN, "schedule"),
    ),
    solve(
        "jp-misspelled-optional-column-solve",
        JP,
        park(cells("rules", {"F1": "schedual"})),
        2,
        ("sheet rules", "column schedual", DID_YOU_MEAN, "schedule"),
    ),
    jp(
        "jp-misspelled-limits-column",
        park(cells("limits", {"G1": "plus_cost"})),
        (*where("limits", 1), "column plus_cost", DID_YOU_MEAN, "plus_costs"),
    ),
    jp(
        "jp-missing-required-sheet",
        park(drop_sheet("phases")),
        ("sheet phases", "required sheet 'phases'"),
    ),
    jp(
        "jp-missing-required-column",
        park(cells("costs", {"B1": "payer"})),
        (*where("costs", 1, "party"), "required column"),
    ),
    jp(
        "jp-text-in-number",
        park(cells("costs", {"D2": "lots"})),
        (*where("costs", 2, "amount"), "expected a number", "'lots'"),
    ),
    jp(
        "jp-fullwidth-percent",
        park(cells("rules", {"D2": "６０％", "E2": 0.5})),
        (*where("rules", 2), "0.6", "max_ratio"),
    ),
    jp(
        "jp-formula-without-value",
        park(cells("revenues", {"D2": "=300*1"})),
        (*where("revenues", 2, "amount"), "formula", FORMULA_HINT),
    ),
    jp(
        "jp-merged-cells",
        park(merge("costs", "C2:D2")),
        ("sheet costs", "C2:D2", "merged", "unmerge"),
    ),
    jp(
        "jp-date-in-year",
        park(cells("revenues", {"C2": date(2025)})),
        (*where("revenues", 2, "year"), "date"),
    ),
    jp(
        "jp-date-in-base-year",
        park(cells("case", {"B6": date(2025)})),
        (*where("case", 6), "base_year", "date"),
    ),
    jp(
        "jp-stray-far-cell",
        park(cells("revenues", {"XFD1048576": 1}), cells("costs", {"D2": "lots"})),
        (*where("costs", 2, "amount"), "expected a number"),
        timeout=60,
        note="the reader must not walk the padded 16384 × 1048576 range",
    ),
    jp(
        "jp-duplicate-party",
        park(fill_sheet("parties", [["SEND", "又一个", 1, 1]])),
        (*where("parties", 5, "id"), DUPLICATE),
    ),
    jp(
        "jp-duplicate-component",
        park(fill_sheet("components", [["PARK1", "HOST"]])),
        (*where("components", 7, "component"), DUPLICATE),
    ),
    jp(
        "jp-duplicate-phase",
        park(fill_sheet("phases", [["2", 2046, 2050]])),
        (*where("phases", 6, "phase"), DUPLICATE),
    ),
    jp(
        "jp-duplicate-stream",
        park(fill_sheet("streams", [["VAT", "cash"]])),
        (*where("streams", 6, "stream"), DUPLICATE),
    ),
    jp(
        "jp-negative-cost",
        park(cells("costs", {"D2": -5})),
        (*where("costs", 2, "amount"), NEGATIVE),
    ),
    jp(
        "jp-negative-time-limit",
        park(cells("case", {"B11": -5})),
        (*where("case", 11), "time_limit", ("positive", "> 0", "greater than 0", "more than 0")),
    ),
    jp(
        "jp-time-limit-text",
        park(cells("case", {"B11": "an hour"})),
        (*where("case", 11), "time_limit", "expected a number"),
    ),
    jp(
        "jp-discount-rate-text",
        park(cells("case", {"B5": "five percent"})),
        (*where("case", 5), "discount_rate", "expected a"),
    ),
    jp(
        "jp-bool-text",
        park(cells("case", {"B10": "maybe"})),
        (*where("case", 10), "one_ratio_for_all_streams", ("TRUE", "true", "yes")),
    ),
    jp(
        "jp-wrong-model-name",
        park(cells("case", {"B2": "joint_parc"})),
        (*where("case", 2), "'joint_parc'", (DID_YOU_MEAN, "joint_park")),
    ),
    jp(
        "jp-unknown-target",
        park(cells("case", {"B7": "fairest"})),
        (*where("case", 7), "unknown target 'fairest'", "shapley"),
    ),
    jp(
        "jp-bad-core-choice",
        park(cells("case", {"B8": "maybe"})),
        (*where("case", 8), "'maybe'", "hard"),
    ),
    jp(
        "jp-phase-overlap",
        park(cells("phases", {"B3": 2029})),
        (*where("phases", 3, "start_year"), "inside phase"),
    ),
    jp(
        "jp-min-above-max",
        park(cells("rules", {"D2": 0.9, "E2": 0.4})),
        (*where("rules", 2, "min_ratio"), "above max_ratio"),
    ),
    jp(
        "jp-ratio-above-one",
        park(cells("rules", {"E2": 1.5})),
        (*where("rules", 2, "max_ratio"), "1.5"),
    ),
    jp(
        "jp-bad-schedule",
        park(cells("rules", {"F3": "sometimes"})),
        (*where("rules", 3, "schedule"), "'sometimes'", "nonincreasing"),
    ),
    jp(
        "jp-proposal-sum",
        park(cells("proposal", {"D2": 0.9})),
        (*where("proposal", 2, "ratio"), "add up to"),
    ),
    jp(
        "jp-required-value-blank",
        park(cells("costs", {"B2": None})),
        (*where("costs", 2, "party"), "required"),
    ),
    solve(
        "jp-infeasible-floor",
        JP,
        park(cells("limits", {"F2": 500000})),
        3,
        ("sheet limits", "row 2", "floor"),
    ),
    solve(
        "jp-infeasible-rules",
        JP,
        park(cells("rules", {"D2": 0.7, "D3": 0.5})),
        3,
        ("sheet rules row 2", "sheet rules row 3"),
    ),
]

# -- infrastructure: cases/river_program.xlsx -----------------------------------------------------

INF = "infrastructure"


def inf(case_id: str, build: Builder, words: Words, **more) -> BadInput:
    return validate(case_id, INF, build, words, **more)


INF_UNKNOWN = [
    ("projects", "C3", "SH+JS+XX", "hosts", "XX", "parties"),
    ("projects", "D4", "NOPE", "depends_on", "NOPE", "projects"),
    ("projects", "E2", "NOPE", "excludes", "NOPE", "projects"),
    ("capex", "A2", "NOPE", "project", "NOPE", "projects"),
    ("om", "A2", "NOPE", "project", "NOPE", "projects"),
    ("benefits", "A2", "NOPE", "project", "NOPE", "projects"),
    ("benefits", "B2", "XX", "party", "XX", "parties"),
    ("budgets", "A2", "XX", "party", "XX", "parties"),
    ("proposal", "A2", "XX", "party", "XX", "parties"),
    ("proposal", "B2", "NOPE", "project", "NOPE", "projects"),
    ("coalitions", "A2", "AH+XX", "coalition", "XX", "parties"),
]

INF_CASES = [
    *(
        inf(
            f"inf-unknown-{sheet}-{column}",
            river(
                cells(sheet, {ref: value}),
                *([cells("coalitions", {"B2": 10})] if sheet == "coalitions" else []),
            ),
            unknown(sheet, int(ref[1:]), column, bad, kind),
        )
        for sheet, ref, value, column, bad, kind in INF_UNKNOWN
    ),
    inf(
        "inf-misspelled-optional-sheet",
        river(rename_sheet("budgets", "budget")),
        ("sheet budget", DID_YOU_MEAN, "budgets"),
    ),
    solve(
        "inf-misspelled-optional-sheet-solve",
        INF,
        river(rename_sheet("budgets", "budget")),
        2,
        ("sheet budget", DID_YOU_MEAN, "budgets"),
    ),
    inf(
        "inf-misspelled-optional-column",
        river(cells("projects", {"G1": "subsidy shares"})),
        (*where("projects", 1), "column subsidy shares", DID_YOU_MEAN, "subsidy_share"),
    ),
    inf(
        "inf-misspelled-divisible",
        river(cells("projects", {"I1": "divisable"})),
        (*where("projects", 1), "column divisable", DID_YOU_MEAN, "divisible"),
    ),
    inf(
        "inf-missing-required-sheet",
        river(drop_sheet("benefits")),
        ("sheet benefits", "required sheet 'benefits'"),
    ),
    inf(
        "inf-missing-required-column",
        river(cells("capex", {"C1": None})),
        (*where("capex", 1, "amount"), "required column"),
    ),
    inf(
        "inf-text-in-number",
        river(cells("budgets", {"C4": "lots"})),
        (*where("budgets", 4, "amount"), "expected a number", "'lots'"),
    ),
    inf(
        "inf-fullwidth-percent",
        river(cells("projects", {"G3": "１４０％"})),
        (*where("projects", 3, "subsidy_share"), "1.4"),
    ),
    inf(
        "inf-formula-without-value",
        river(cells("capex", {"C2": "=15*2"})),
        (*where("capex", 2, "amount"), "formula", FORMULA_HINT),
    ),
    inf(
        "inf-merged-cells",
        river(merge("budgets", "B2:C2")),
        ("sheet budgets", "B2:C2", "merged", "unmerge"),
    ),
    inf(
        "inf-date-in-year",
        river(cells("capex", {"B2": date(2026)})),
        (*where("capex", 2, "year"), "date"),
    ),
    inf(
        "inf-duplicate-project",
        river(fill_sheet("projects", [["BRIDGE", "again", "ZJ"]])),
        (*where("projects", 12, "project"), DUPLICATE),
    ),
    inf(
        "inf-duplicate-party",
        river(fill_sheet("parties", [["AH", "安徽二", 1, 1]])),
        (*where("parties", 6, "id"), DUPLICATE),
    ),
    inf(
        "inf-negative-capex",
        river(cells("capex", {"C2": -5})),
        (*where("capex", 2, "amount"), NEGATIVE),
    ),
    inf("inf-negative-om", river(cells("om", {"C2": -0.8})), (*where("om", 2, "amount"), NEGATIVE)),
    inf(
        "inf-negative-budget",
        river(cells("budgets", {"C2": -22})),
        (*where("budgets", 2, "amount"), NEGATIVE),
    ),
    inf(
        "inf-territorial-sum",
        river(cells("projects", {"H2": "ZJ:0.7+SH:0.4"})),
        (*where("projects", 2, "territorial"), "add up to 1.1"),
    ),
    inf(
        "inf-territorial-unknown-host",
        river(cells("projects", {"H2": "ZJ:0.6+AH:0.4"})),
        (*where("projects", 2, "territorial"), "AH"),
    ),
    inf(
        "inf-life-years-text",
        river(cells("projects", {"F2": "long"})),
        (*where("projects", 2, "life_years"), "expected"),
    ),
    inf(
        "inf-proposal-sum",
        river(cells("proposal", {"C2": 0.5})),
        (*where("proposal", 2, "share"), "add up to"),
    ),
    inf(
        "inf-negative-time-limit",
        river(cells("case", {"B12": -5})),
        (*where("case", 12), "time_limit", ("positive", "> 0", "greater than 0", "more than 0")),
    ),
    inf(
        "inf-bad-individual-rationality",
        river(cells("case", {"B11": "sometimes"})),
        (*where("case", 11), "individual_rationality", "'sometimes'"),
    ),
    inf(
        "inf-wrong-model-name",
        river(cells("case", {"B2": "infrastructur"})),
        (*where("case", 2), "'infrastructur'", (DID_YOU_MEAN, "infrastructure")),
    ),
    inf(
        "inf-unknown-target",
        river(cells("case", {"B7": "fairest"})),
        (*where("case", 7), "unknown target 'fairest'"),
    ),
    solve(
        "inf-time-limit-reached",
        INF,
        river(cells("case", {"B12": 1e-6})),
        3,
        ("time_limit", ("raise", "increase", "larger", "longer")),
    ),
    BadInput(
        "inf-sweep-unknown-project",
        INF,
        river(),
        ("sweep", "{input}", "--party", "AH", "--project", "NOPE", *NO_CACHE),
        2,
        ("unknown project", "'NOPE'", ("known projects", "projects are", DID_YOU_MEAN)),
        names_file=False,
    ),
    BadInput(
        "inf-sweep-share-outside",
        INF,
        river(),
        ("sweep", "{input}", "--party", "AH", "--from", "0.5", "--to", "1.5", *NO_CACHE),
        2,
        ("1.5", ("outside", "between 0 and 1")),
        names_file=False,
    ),
    BadInput(
        "inf-sweep-unknown-party",
        INF,
        river(),
        ("sweep", "{input}", "--party", "XX", *NO_CACHE),
        2,
        ("'XX'", ("known parties", "parties are", DID_YOU_MEAN)),
        names_file=False,
    ),
]

# -- cost sharing: cases/water_plant.xlsx ---------------------------------------------------------

CS = "cost_sharing"


def cs(case_id: str, build: Builder, words: Words, **more) -> BadInput:
    return validate(case_id, CS, build, words, **more)


CS_UNKNOWN = [
    ("facilities", "F2", "WX+XX", "requires", "XX", "parties"),
    ("connections", "A2", "XX", "party", "XX", "parties"),
    ("connections", "B2", "NOWHERE", "facility", "NOWHERE", "facilities"),
    ("proposal", "A2", "XX", "party", "XX", "parties"),
]

CS_CASES = [
    *(
        cs(
            f"cs-unknown-{sheet}-{column}",
            water(cells(sheet, {ref: value})),
            unknown(sheet, int(ref[1:]), column, bad, kind),
        )
        for sheet, ref, value, column, bad, kind in CS_UNKNOWN
    ),
    cs(
        "cs-unknown-coalitions-coalition",
        water(fill_sheet("coalitions", [["SZ", 20], ["SZ+XX", 30]])),
        unknown("coalitions", 3, "coalition", "XX", "parties"),
    ),
    cs(
        "cs-coalitions-mixed-case-id",
        water(fill_sheet("coalitions", [["SZ", 20], ["sz+WX", 30]])),
        (*where("coalitions", 3, "coalition"), "'sz'", (DID_YOU_MEAN, "'SZ'", "known parties")),
    ),
    cs(
        "cs-misspelled-optional-sheet",
        water(rename_sheet("facilities", "facilites")),
        ("sheet facilites", DID_YOU_MEAN, "facilities"),
    ),
    solve(
        "cs-misspelled-optional-sheet-solve",
        CS,
        water(rename_sheet("connections", "Connection")),
        2,
        ("sheet Connection", DID_YOU_MEAN, "connections"),
    ),
    cs(
        "cs-misspelled-optional-column",
        water(cells("facilities", {"G1": "max_unit"})),
        (*where("facilities", 1), "column max_unit", DID_YOU_MEAN, "max_units"),
    ),
    cs(
        "cs-misspelled-demand-column",
        water(cells("parties", {"C1": "demands"})),
        (*where("parties", 1), "column demands", DID_YOU_MEAN, "demand"),
    ),
    cs(
        "cs-missing-required-sheet",
        water(drop_sheet("parties")),
        ("sheet parties", "required sheet 'parties'"),
    ),
    cs(
        "cs-missing-required-column",
        water(cells("connections", {"C1": "price"})),
        (*where("connections", 1, "cost"), "required column"),
    ),
    cs(
        "cs-text-in-number",
        water(cells("parties", {"C2": "lots"})),
        (*where("parties", 2, "demand"), "expected a number", "'lots'"),
    ),
    cs(
        "cs-missing-demand",
        water(cells("parties", {"C4": None})),
        (*where("parties", 4, "demand"), ("required", "needed", "missing")),
    ),
    cs(
        "cs-fullwidth-percent",
        water(cells("proposal", {"B2": "６０％"})),
        (*where("proposal", 2, "share"), "add up to"),
    ),
    cs(
        "cs-formula-without-value",
        water(cells("facilities", {"D2": "=30+2"})),
        (*where("facilities", 2, "fixed_cost"), "formula", FORMULA_HINT),
    ),
    cs(
        "cs-merged-cells",
        water(merge("connections", "A3:B3")),
        ("sheet connections", "A3:B3", "merged", "unmerge"),
    ),
    cs(
        "cs-date-in-number",
        water(cells("facilities", {"C2": date(2026)})),
        (*where("facilities", 2, "capacity"), "date"),
    ),
    cs(
        "cs-duplicate-party",
        water(fill_sheet("parties", [["SZ", "苏州二", 5, None, 1]])),
        (*where("parties", 8, "id"), DUPLICATE),
    ),
    cs(
        "cs-duplicate-facility",
        water(fill_sheet("facilities", [["OWN_SZ", "again", 72, 15]])),
        (*where("facilities", 11, "facility"), DUPLICATE),
    ),
    cs(
        "cs-negative-fixed-cost",
        water(cells("facilities", {"D2": -1})),
        (*where("facilities", 2, "fixed_cost"), NEGATIVE),
    ),
    cs(
        "cs-negative-capacity",
        water(cells("facilities", {"C2": -200})),
        (*where("facilities", 2, "capacity"), NEGATIVE),
    ),
    cs(
        "cs-negative-connection-cost",
        water(cells("connections", {"C2": -4})),
        (*where("connections", 2, "cost"), NEGATIVE),
    ),
    cs(
        "cs-negative-demand",
        water(cells("parties", {"C2": -60})),
        (*where("parties", 2, "demand"), NEGATIVE),
    ),
    cs(
        "cs-proposal-sum",
        water(cells("proposal", {"B2": 0.9})),
        (*where("proposal", 2, "share"), "add up to"),
    ),
    cs(
        "cs-cannot-stand-alone",
        water(drop_rows("connections", 2, "OWN_HZ")),
        ("HZ", "cannot be served on its own"),
    ),
    cs(
        "cs-negative-time-limit",
        water(cells("case", {"B8": -5})),
        (*where("case", 8), "time_limit", ("positive", "> 0", "greater than 0", "more than 0")),
    ),
    cs(
        "cs-wrong-model-name",
        water(cells("case", {"B2": "cost_share"})),
        (*where("case", 2), "'cost_share'", (DID_YOU_MEAN, "cost_sharing")),
    ),
    cs(
        "cs-bad-core-choice",
        water(cells("case", {"B6": "maybe"})),
        (*where("case", 6), "'maybe'", "hard"),
    ),
    BadInput(
        "cs-check-proposal-without-sheet",
        CS,
        with_files(water(), workbook(WATER, drop_sheet("proposal"), name="proposal.xlsx")),
        ("check", "{input}", "--proposal", "{proposal}", *NO_CACHE),
        2,
        ("proposal.xlsx", "no proposal sheet"),
        names_file=False,
    ),
    BadInput(
        "cs-sweep-share-outside",
        CS,
        water(),
        ("sweep", "{input}", "--party", "SZ", "--from", "0.5", "--to", "1.5", *NO_CACHE),
        2,
        ("1.5", ("outside", "between 0 and 1")),
        names_file=False,
    ),
]
