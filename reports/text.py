"""Plain-text rendering for the terminal: aligned tables (Chinese names line up) and the
comparison of every method side by side."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fairpool.optimizer.game import Game
from fairpool.reports.i18n import format_money, money_decimals

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.models.results import (
        PlanResult,
        PlanTableKind,
        ProposalCheck,
        ProposalSimplicity,
        SweepResult,
    )


def display_width(text: str) -> int:
    """Terminal columns of a text: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_table(
    rows: Sequence[Sequence[str]], right_from: int = 1, left_from: int | None = None
) -> str:
    """Rows of cells as aligned columns; columns ``right_from`` to ``left_from − 1`` (numbers)
    are right-aligned, measured in terminal columns so that Chinese names line up."""
    widths = [max(display_width(row[j]) for row in rows) for j in range(len(rows[0]))]
    stop = len(widths) if left_from is None else left_from

    def aligned(j: int, cell: str) -> str:
        return _pad(cell, widths[j], right=right_from <= j < stop)

    return "\n".join(
        "  ".join(aligned(j, cell) for j, cell in enumerate(row)).rstrip() for row in rows
    )


def party_labels(game: Game) -> list[str]:
    """``"深圳 SZ"`` (display name and id), or the id alone when they are the same."""
    return [
        party if name == party else f"{name} {party}"
        for party, name in zip(game.players, game.names, strict=True)
    ]


def cell(value: float | None) -> str:
    """A money cell: two decimals, thousands separators, no "-0.00"."""
    if value is None:
        return "-"
    return f"{(value if abs(value) >= 0.005 else 0.0):,.2f}"


def render_comparison(game: Game, document: Mapping[str, Any], source: str) -> str:
    """Every method side by side, the core line, properties and core membership.

    ``document`` is the JSON document of :func:`reports.document.game_document`.
    """
    kind = "cost shares" if game.orientation == "cost" else "benefit shares"
    symbol = "c(N)" if game.orientation == "cost" else "v(N)"
    lines = [
        f"{source}: {game.orientation} game, {game.n} parties, "
        f"{symbol} = {game.grand_value:,.2f}  ({kind} by method)",
        "",
    ]
    methods = list(document["solutions"])
    attribute = document.get("details", {}).get("proportional", {}).get("attribute")
    if "proposal" in document.get("allocations", {}):
        methods.append("proposal")
    shares = {**document["solutions"], **document.get("allocations", {})}
    fairness = document["fairness"]
    standalone = game.standalone_values
    labels = party_labels(game)
    verdicts = ["yes" if fairness[m]["in_core"] else "NO" for m in methods]
    worst = [
        f"{fairness[m]['worst_coalition'] or '-'} ({cell(fairness[m]['worst_excess'])})"
        for m in methods
    ]
    if game.n <= len(methods):  # few parties: one row per method
        rows = [
            ["method", *labels, "in core", "worst coalition (excess)"],
            ["alone", *(f"{x:,.2f}" for x in standalone), "", ""],
        ]
        for k, m in enumerate(methods):
            name = f"{m} ({attribute})" if m == "proportional" and attribute else m
            rows.append([name, *(cell(shares[m][p]) for p in game.players), verdicts[k], worst[k]])
        lines.append(render_table(rows, right_from=1, left_from=game.n + 1))
    else:  # many parties: one row per party
        rows = [["party", "alone", *methods]]
        for i, party in enumerate(game.players):
            rows.append(
                [labels[i], f"{standalone[i]:,.2f}", *(cell(shares[m][party]) for m in methods)]
            )
        rows.append(["in core", "", *verdicts])
        rows.append(["worst coalition", "", *worst])
        lines.append(render_table(rows))
    lines.append("")
    core = document["core"]
    epsilon = core["least_core_epsilon"]
    not_computed = document.get("not_computed", {})
    if "core" in not_computed:
        lines.append(f"Core: not computed ({not_computed['core']}; add --core).")
    elif core["empty"]:
        lines.append(
            f"Core: EMPTY. Least core ε = {epsilon:,.4g}: any split leaves some coalition "
            f"{epsilon:,.4g} better off on its own."
        )
    else:
        lines.append(
            f"Core: non-empty. Least core ε = {epsilon:,.4g}: there are splits where every "
            f"coalition is at least {-epsilon:,.4g} better off staying in."
        )
    properties = document["properties"]
    if "properties" in not_computed:
        lines.append(f"Properties: not computed ({not_computed['properties']}; add --properties).")
    else:
        lines.append(
            "Properties: "
            + ", ".join(
                f"{k} {'yes' if v else 'no' if v is not None else '?'}"
                for k, v in properties.items()
            )
        )
    for method, reason in document.get("skipped", {}).items():
        lines.append(f"Not applicable: {method}: {reason}")
    lines.append(
        "A positive excess means that coalition would be better off on its own (it blocks)."
    )
    return "\n".join(lines)


def render_case_result(result: PlanResult) -> str:
    """A solved case for the terminal: coalition values, methods side by side, the plan
    (ratio schedule, or cost shares by project), each party against the target, the verdict."""
    from fairpool.reports.document import case_document

    game = result.game
    document = case_document(result)
    unit = f" {result.unit}" if result.unit else ""
    lines = [f"Case: {result.case_name}  ({game.n} parties; amounts in{unit or ' case units'})"]
    lines.append("")
    if game.n <= 4:
        rows = [["coalition", "value"]]
        rows += [[label, cell(value)] for label, value in result.coalition_values.items()]
        lines.append("Coalition values (what each group reaches on its own):")
        lines.append(render_table(rows))
        lines.append("")
    else:
        lines.append(f"{(1 << game.n) - 1} coalition values: see `fairpool coalitions`.\n")
    what = "cost shares" if result.amount_kind == "cost_shares" else "NPV"
    lines.append(render_comparison(game, document, f"Allocations ({what})"))
    lines.append("")
    lines.append(
        f"Plan: target {result.target}, core {result.core}, distance {result.distance_kind}"
    )
    side_payments = result.tables.get("side_payments")
    if side_payments is not None and len(side_payments):
        lines.append("Base split (those who benefit pay, in proportion to their benefits):")
    lines.append(_plan_table(result))
    lines += side_payment_lines(result)
    labels = dict(zip(game.players, party_labels(game), strict=True))
    plan_label = "plan NPV" if result.amount_kind == "npv" else "plan cost share"
    table = [["party", plan_label, "target", "plan − target", "alone", "better off?"]]
    for i, party in enumerate(game.players):
        table.append(
            [
                labels[party],
                cell(result.amounts[party]),
                cell(result.target_shares[party]),
                cell(result.residual[party]),
                cell(game.standalone_values[i]),
                "yes" if result.individually_rational[party] else "NO",
            ]
        )
    lines.append("")
    lines.append(render_table(table, right_from=1, left_from=5))
    lines.append(f"Distance to target: {result.distance:,.4g}{unit}")
    if result.in_core:
        lines.append("Verdict: the plan is in the core — no group of parties gains by leaving.")
    else:
        lines.append(
            f"Verdict: NOT in the core — {result.worst_coalition} would be "
            f"{result.worst_excess:,.2f}{unit} better off on its own."
        )
    lines += simplicity_lines(result)
    if result.simplicity is not None:
        lines += ["", *simplicity_measure_lines(result.simplicity, *_simplicity_words(result))]
    lines += [f"Warning: {warning}" for warning in result.warnings]
    return "\n".join(lines)


def simplicity_lines(result: PlanResult) -> list[str]:
    """The "Simplicity" section: one line per step taken after the fairness step (stability,
    each simplicity option), with its price in money (the extra distance to the target);
    empty when none was asked for."""
    if not result.simplifications:
        return []
    unit = f" {result.unit}" if result.unit else ""
    lines = ["", "The price of each simplification (extra distance to the target):"]
    for step in result.simplifications:
        price = f"price {step.price:+,.4g}{unit}" if step.applied else "not applied"
        lines.append(f"  {step.name}: {price}; {step.description}")
    return lines


def _simplicity_words(result: PlanResult | ProposalCheck) -> tuple[dict[str, str], bool, str]:
    """The party labels, cost-or-not and unit :func:`simplicity_measure_lines` needs."""
    labels = dict(zip(result.players, party_labels(result.game), strict=True))
    return labels, result.amount_kind == "cost_shares", result.unit


def simplicity_measure_lines(
    simplicity: ProposalSimplicity, labels: Mapping[str, str], cost: bool, unit: str
) -> list[str]:
    """How simple the proposal (or plan) is to sign, in the words of the simplicity options:
    the distinct values and their grid (``round_to``), each party's ratio changes across
    phases (``max_changes``) and one ratio for every cash stream (``uniform_streams``), or
    the payments toward what a party neither hosts nor benefits from (``transfers``).
    ``labels``: how each party is named; ``cost``: a cost-sharing case (facilities it neither
    uses nor hosts, undiscounted)."""
    noun = simplicity.value_kind
    count = simplicity.distinct_values
    grid = (
        f"every {noun} on the {100 * simplicity.grid:g}% grid"
        if simplicity.grid is not None
        else f"not every {noun} on a 5% or 1% grid"
    )
    lines = [
        "Simplicity (how easy it is to sign):",
        f"  {count} distinct {noun}{'s' if count != 1 else ''} among {simplicity.values}; {grid}",
    ]
    if simplicity.most_changes is not None:
        shown = ", ".join(
            f"{labels.get(party, party)} {changes}" for party, changes in simplicity.changes.items()
        )
        lines.append(f"  ratio changes across phases: {shown} (most {simplicity.most_changes})")
    if simplicity.uniform_streams is not None:
        answer = "yes" if simplicity.uniform_streams else "no"
        lines.append(f"  one ratio per party and phase for every cash stream: {answer}")
    if simplicity.outside_payments is not None:
        payments = simplicity.outside_payments
        toward = (
            "facilities the party neither uses nor hosts"
            if cost
            else "projects the party neither hosts nor benefits from"
        )
        amount = simplicity.outside_amount or 0.0
        pv = "" if cost else " in present value"
        money = format_money(amount, unit, money_decimals([amount]))
        lines.append(
            f"  {payments} payment{'s' if payments != 1 else ''} toward {toward}"
            + (f" ({money}{pv})" if payments else "")
        )
    return lines


def plan_sentences(result: PlanResult, streams: Sequence[str] | None = None) -> list[str]:
    """A ratio plan as sentences a negotiator reads, one per group of streams that share a
    schedule: "VAT, CIT: SEND 45% / HOST 55% in phase 1, then SEND 40% / HOST 45% / PROV 15%
    from phase 2" (parties at 0% left out; the figures are the plan's). ``streams``: the
    streams to state (``None``: all); empty for a plan that is not a ratio plan."""
    if result.plan_kind != "ratios":
        return []
    return ratio_sentences(result.plan_table, streams)


def ratio_sentences(table: pd.DataFrame, streams: Sequence[str] | None = None) -> list[str]:
    """:func:`plan_sentences` of a ratio table (party, stream, phase, ratio)."""
    if not len(table):
        return []
    pivot = table.pivot_table(
        index="stream", columns=["phase", "party"], values="ratio", sort=False
    )
    phases = list(dict.fromkeys(table["phase"]))
    parties = list(dict.fromkeys(table["party"]))
    groups: dict[tuple[float, ...], list[str]] = {}
    for stream in dict.fromkeys(table["stream"]):
        if streams is None or stream in streams:
            key = tuple(round(float(v), 9) for v in pivot.loc[stream].to_numpy())
            groups.setdefault(key, []).append(str(stream))

    def split(values: tuple[float, ...], h: int) -> str:
        shares = values[h * len(parties) : (h + 1) * len(parties)]
        parts = [f"{p} {100 * v:.4g}%" for p, v in zip(parties, shares, strict=True) if v > 1e-9]
        return " / ".join(parts) or "nobody"

    lines = []
    for values, names in groups.items():
        runs: list[tuple[int, int, str]] = []
        for h in range(len(phases)):
            text = split(values, h)
            if runs and runs[-1][2] == text:
                runs[-1] = (runs[-1][0], h, text)
            else:
                runs.append((h, h, text))
        pieces = []
        for first, last, text in runs:
            if len(runs) == 1:
                pieces.append(f"{text} in every phase")
            elif last == len(phases) - 1 and first > 0:
                pieces.append(f"{text} from phase {phases[first]}")
            elif first == last:
                pieces.append(f"{text} in phase {phases[first]}")
            else:
                pieces.append(f"{text} in phases {phases[first]}–{phases[last]}")
        lines.append(f"{', '.join(names)}: {', then '.join(pieces)}")
    return lines


def side_payment_lines(result: PlanResult) -> list[str]:
    """The side payments of a plan shown as a beneficiary-pays split (``transfers =
    explicit``), one line per payer, payee and run of consecutive years with the same amount
    ("江苏 (JS) pays 浙江 (ZJ) 1.2 亿元 a year, 2027–2031"); present values say so. Empty
    when the plan has none."""
    table = result.tables.get("side_payments")
    if table is None or not len(table):
        return []
    names = dict(zip(result.players, result.names, strict=True))
    unit = f" {result.unit}" if result.unit else ""

    def label(party: str) -> str:
        name = names.get(party, party)
        return party if name == party else f"{name} ({party})"

    runs: list[list[Any]] = []  # [payer, payee, first year, last year, amount]
    rows = sorted(
        zip(table["payer"], table["payee"], table["year"], table["amount"], strict=True),
        key=lambda r: (str(r[0]), str(r[1]), -1 if r[2] == "pv" else int(r[2])),
    )
    for payer, payee, year, amount in rows:
        last = runs[-1] if runs else None
        if (
            last is not None
            and year != "pv"
            and (last[0], last[1]) == (payer, payee)
            and last[3] != "pv"
            and int(year) == int(last[3]) + 1
            and abs(float(amount) - last[4]) <= 1e-9 * max(abs(last[4]), 1.0)
        ):
            last[3] = year
            continue
        runs.append([payer, payee, year, year, float(amount)])
    lines = ["", "Side payments (with the split above they make the plan):"]
    for payer, payee, first, end, amount in runs:
        if first == "pv":
            when = " (present value)"
        elif first == end:
            when = f" in {first}"
        else:
            when = f" a year, {first}–{end}"
        lines.append(f"  {label(str(payer))} pays {label(str(payee))} {amount:,.4g}{unit}{when}")
    return lines


def _plan_table(result: PlanResult) -> str:
    return plan_table_text(result.plan_kind, result.plan_table)


def plan_table_text(kind: PlanTableKind, plan: pd.DataFrame) -> str:
    """Joint park: ratio per party and stream (rows) and phase (columns). Infrastructure and
    cost sharing: each party's payments summed over the years, per project."""
    if not len(plan):
        return "(no plan table)"
    if kind == "ratios":
        pivot = plan.pivot_table(
            index=["party", "stream"], columns="phase", values="ratio", sort=False
        )
        table = [["party", "stream", *map(str, pivot.columns)]]
        for (party, stream), values in zip(pivot.index, pivot.to_numpy(), strict=True):
            table.append([str(party), str(stream), *(f"{v:.4f}" for v in values)])
        return render_table(table, right_from=2)
    pivot = plan.pivot_table(
        index="party", columns="project", values="amount", aggfunc="sum", sort=False
    ).fillna(0.0)
    table = [["party (sum over years)", *map(str, pivot.columns)]]
    for party, amounts in zip(pivot.index, pivot.to_numpy(), strict=True):
        table.append([str(party), *(cell(v) for v in amounts)])
    return render_table(table)


SWEEP_FLAG_HEADS = {"within_rules": "within rules", "within_budgets": "within budgets"}
"""The heading of a sweep's rules column, by its flag."""


def sweep_table_rows(
    table: pd.DataFrame,
    value_column: str,
    orientation: str,
    unit: str,
    labels: Mapping[str, str],
    rules_flag: str | None,
    coalition: Callable[[str], str] = lambda label: label or "-",
) -> list[list[str]]:
    """A sweep's table as text rows (heading, units, one row per value): the swept value,
    the amount (``npv_<party>`` or ``cost_<party>``) of each party in ``labels`` (party →
    heading, in column order), the verdict, the coalition most tempted to leave (as
    ``coalition`` words it) and its gain, and the rules flag; amounts with the decimals they
    need, in the case unit. Shared by the enumerated sweep and the sweep by generation."""
    from fairpool.reports.sweep_words import percent, value_decimals

    prefix = "cost_" if orientation == "cost" else "npv_"
    kind = "cost" if orientation == "cost" else "NPV"
    per_party = f", {unit}" if unit else ""
    parties = list(labels)
    rows = [
        [
            value_column,
            *labels.values(),
            "in core",
            "most tempted to leave",
            "its gain",
            SWEEP_FLAG_HEADS.get(rules_flag or "", ""),
        ],
        ["", *([f"{kind}{per_party}"] * len(parties)), "", "", unit, ""],
    ]
    amounts = [table[prefix + p].to_numpy(dtype=float) for p in parties]
    decimals = money_decimals(
        [float(v) for column in amounts for v in column] + table["worst_excess"].tolist()
    )
    shown = value_decimals(table[value_column].tolist())
    gain_width = max(
        (len(format_money(float(v), "", decimals)) for v in table["worst_excess"]), default=0
    )
    for r, record in enumerate(table.to_dict(orient="records")):
        rows.append(
            [
                percent(float(record[value_column]), shown),
                *(format_money(float(column[r]), "", decimals) for column in amounts),
                "yes" if record["in_core"] else "no",
                coalition(str(record["worst_coalition"] or "")),
                format_money(float(record["worst_excess"]), "", decimals).rjust(gain_width),
                ("yes" if record[rules_flag] else "no") if rules_flag else "",
            ]
        )
    return rows


def render_sweep(sweep: SweepResult) -> str:
    """A sweep for the terminal, in words and a table (:mod:`fairpool.reports.sweep_words`):
    what slides and from which baseline, how the other parties move, one row per value
    (each party's NPV or cost share in the case's unit, with thousands separators and the
    decimals the amounts need; the verdict; the rules flag), then the exact core band, the
    band within the rules and the rules that cut it."""
    from fairpool.reports.sweep_words import band_words, baseline_words, heading

    labels = party_labels(sweep.game)
    rows = sweep_table_rows(
        sweep.table,
        sweep.value_column,
        sweep.game.orientation,
        sweep.unit,
        dict(zip(sweep.players, labels, strict=True)),
        sweep.rules_flag,
    )
    lines = [heading(sweep, "en"), *baseline_words(sweep, "en"), ""]
    lines.append(render_table(rows, right_from=0, left_from=len(labels) + 1))
    lines.append("")
    lines += [
        ("  " * level) + ("- " if level else "") + text for level, text in band_words(sweep, "en")
    ]
    return "\n".join(lines)


# -- fairpool check: every party, the blocking coalitions, the smallest fix ----------------------


def render_check(check: ProposalCheck) -> str:
    """A judged proposal for the terminal: the family's verdict in words, one row per party
    (proposal, alone, Shapley, nucleolus, gain over alone, verdict; with a fix, each party's
    amount after it), the blocking coalitions in words (largest first, at most five), and the
    smallest fix as sentences ("raise 四川省's VAT ratio in phase 2 from 20% to 23.6%, taken
    from 浙江飞出市 (45% → 41.4%)"), or what stands in the way of any fix."""
    cost = check.amount_kind == "cost_shares"
    what = "cost shares" if cost else "NPV"
    unit = check.unit
    lines = [f"Check: {check.case_name} ({check.model}; {what} in {unit or 'case units'})", ""]
    lines += list(check.verdict)
    lines += ["", _party_table(check), ""]
    lines += _blocking_lines(check)
    if check.simplicity is not None:
        lines += [*simplicity_measure_lines(check.simplicity, *_simplicity_words(check)), ""]
    lines += _fix_lines(check)
    return "\n".join(lines).rstrip()


def _party_table(check: ProposalCheck) -> str:
    """One row per party; money with the decimals of its largest amount (no unit: the
    heading names it)."""
    positions = check.parties
    fix = check.fix
    after = fix.amounts if fix is not None and fix.status == "found" else {}
    amounts = [p.proposal for p in positions] + [p.alone for p in positions]
    decimals = money_decimals(amounts)

    def money(value: float | None) -> str:
        return "-" if value is None else format_money(value, "", decimals)

    gain = "saving vs alone" if check.amount_kind == "cost_shares" else "gain over alone"
    header = ["party", "proposal", "alone", "Shapley", "nucleolus", gain]
    header += ["after fix"] if after else []
    rows = [[*header, "verdict"]]
    labels = dict(zip(check.players, party_labels(check.game), strict=True))
    for p in positions:
        if not p.individually_rational:
            verdict = "not IR: walks away"
        elif p.blocks_with:
            verdict = "IR, blocks with " + " + ".join(
                check.names[check.players.index(q)]
                for q in p.blocks_with.split("+")
                if q != p.party
            )
        else:
            verdict = "IR"
        row = [
            labels[p.party],
            money(p.proposal),
            money(p.alone),
            money(p.shapley),
            money(p.nucleolus),
            money(p.gain_over_alone),
        ]
        row += [money(after[p.party])] if after else []
        rows.append([*row, verdict])
    return render_table(rows, right_from=1, left_from=len(header))


def _blocking_lines(check: ProposalCheck) -> list[str]:
    """Each blocking coalition in words, largest excess first."""
    if not check.blocking:
        return ["No coalition would gain by leaving.", ""]
    decimals = money_decimals([b.excess for b in check.blocking])
    verb = "save" if check.amount_kind == "cost_shares" else "gain"
    lines = ["Coalitions that would leave (largest gain first):"]
    for b in check.blocking:
        amount = format_money(b.excess, check.unit, decimals)
        lines.append(f"  {' + '.join(b.names)} would {verb} {amount} by leaving")
    more = check.blocking_count - len(check.blocking)
    if more > 0:
        lines.append(f"  … and {more} more coalition{'s' if more > 1 else ''}")
    return [*lines, ""]


def _fix_lines(check: ProposalCheck) -> list[str]:
    """The smallest fix: sentences per change, the verdict after it; or why there is none."""
    fix = check.fix
    if fix is None:
        return []
    if fix.status == "not_needed":
        return ["Smallest fix: none needed (in the core and within the rules)."]
    if fix.status == "impossible":
        lines = ["Smallest fix: no change within the rules puts the proposal in the core."]
        if fix.conflict:
            lines.append(
                "What stands in the way: these rules leave no split in the core (a minimal "
                "set: without any one of them, the others would allow one):"
            )
        else:
            lines.append("What stands in the way:")
        lines += [f"  - {obstacle}" for obstacle in fix.obstacles]
        if fix.least_excess is not None:
            best = format_money(fix.least_excess, check.unit, money_decimals([fix.least_excess]))
            lines.append(
                f"The best {'split' if fix.value_kind == 'ratio' else 'cost split'} within "
                f"the rules still leaves some coalition {best} better off on its own."
            )
        return lines
    noun = "ratio" if fix.value_kind == "ratio" else "share"
    count = len(fix.changes)
    lines = [
        f"Smallest fix ({count} {noun}{'s' if count != 1 else ''} changed by "
        f"{fix.l1_change * 100:.3g} percentage points in all; {fix.seconds:.2f} s):"
    ]
    lines += [f"  - {sentence}" for sentence in fix_sentences(check)]
    state = "in the core" if fix.in_core else "still NOT in the core"
    rules = (
        "within the rules"
        if not fix.rule_violations
        else "but it " + "; ".join(fix.rule_violations)
    )
    lines.append(f"After the fix the proposal is {state}, {rules}.")
    return lines


def percent_pair(before: float, after: float) -> tuple[str, str]:
    """Two fractions as percentages with the fewest decimals (1 to 4) that tell them apart,
    trailing zeros dropped: (0.2, 0.236) → ("20%", "23.6%")."""
    for decimals in range(1, 5):
        a, b = f"{before * 100:.{decimals}f}", f"{after * 100:.{decimals}f}"
        if a != b:
            break

    def trimmed(text: str) -> str:
        return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"

    return trimmed(a), trimmed(b)


def fix_sentences(check: ProposalCheck) -> list[str]:
    """The fix's changes as sentences, one per place (stream and phase, project, or the
    whole cost); places with the same changes are said once: the streams of a phase (one
    ratio for every stream), the phases of a stream, the projects of a share."""
    fix = check.fix
    if fix is None:
        return []
    names = dict(zip(check.players, check.names, strict=True))
    places: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for change in fix.changes:
        where = change.stream if fix.value_kind == "ratio" else change.project
        places.setdefault((where, change.phase), []).append(
            (change.party, change.before, change.after)
        )
    same: dict[tuple[tuple[str, float, float], ...], dict[str, list[str]]] = {}
    for (where, phase), place_moves in places.items():
        same.setdefault(tuple(place_moves), {}).setdefault(where, []).append(phase)
    sentences = []
    for moves, phases_of in same.items():
        by_phases: dict[tuple[str, ...], list[str]] = {}
        for where, phase_list in phases_of.items():
            by_phases.setdefault(tuple(phase_list), []).append(where)
        for phases, wheres in by_phases.items():
            sentences.append(_move_sentence(fix.value_kind, phases, wheres, moves, names))
    return sentences


def _listed(items: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _move_sentence(
    kind: str,
    phases: Sequence[str],
    wheres: Sequence[str],
    moves: Sequence[tuple[str, float, float]],
    names: Mapping[str, str],
) -> str:
    """One place's changes: ``raise A's VAT ratio in phase 2 from 20% to 23.6%, taken from B
    (45% → 41.4%)``."""
    if kind == "ratio":
        plural = "s" if len(wheres) > 1 else ""
        during = f"phase{'s' if len(phases) > 1 else ''} {_listed(phases)}"
        thing = f"{_listed(wheres)} ratio{plural} in {during}"
        source = "taken from"
    elif list(wheres) == ["*"]:
        thing = "cost share"
        source = "relieving"
    else:
        thing = f"share of the cost of {_listed(wheres)}"
        source = "relieving"
    raised = [m for m in moves if m[2] > m[1]]
    lowered = [m for m in moves if m[2] <= m[1]]
    lead = raised or lowered
    verb = "raise" if raised else "lower"
    parts = []
    for k, (party, before, after) in enumerate(lead):
        a, b = percent_pair(before, after)
        subject = f"{names[party]}'s {thing}" if k == 0 else f"{names[party]}'s"
        parts.append(f"{subject} from {a} to {b}")
    sentence = f"{verb} " + _listed(parts)
    if raised and lowered:
        given = []
        for party, before, after in lowered:
            a, b = percent_pair(before, after)
            given.append(f"{names[party]} ({a} → {b})")
        sentence += f", {source} " + _listed(given)
    return sentence
