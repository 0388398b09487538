"""The named checks of a joint-park workbook (STYLE §4: validate before building).

Each ``check_*`` function looks at the typed tables (cells already typed by the reader) and
adds every problem it finds, with its sheet, row and column, to a :class:`CaseChecks`;
:func:`fairpool.models.joint_park.case.check_tables` runs them in order and raises one
:class:`CaseError` listing them all. Odd-but-usable findings (a negative revenue) are warnings.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from fairpool.optimizer.errors import InfeasibleError, Problem
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_unknown_ids,
    ids_readable,
    known_list,
    unique_ids,
)
from fairpool.optimizer.workbook.reader import ROW, Record, table_records
from fairpool.optimizer.workbook.schema import ALL

if TYPE_CHECKING:
    from fairpool.models.joint_park.case import JointParkCase, Phase, Stream

LONGEST_PHASE = 200
"""Years a phase may span at most (longer ones are typos such as 2026–20300)."""

RATIO_SUM_TOLERANCE = 1e-9
"""How far the proposal ratios of a stream and phase may miss 1 (rounding in Excel)."""


def check_parties(checks: CaseChecks, parties: pd.DataFrame) -> None:
    """Party ids are present and unique."""
    if parties.empty:
        checks.add("parties", None, "id", "at least one party is needed")
    seen: dict[str, int] = {}
    for row in table_records(parties):
        party = row["id"]
        if party in seen:
            checks.add("parties", row[ROW], "id", f"party {party!r} already in row {seen[party]}")
        elif party is not None:
            seen[party] = row[ROW]


def check_components(checks: CaseChecks, components: pd.DataFrame) -> None:
    """Component ids are unique, a component names neither itself among its dependencies or
    exclusions, and it requires at least one party."""
    seen: dict[str, int] = {}
    for row in table_records(components):
        component = row["component"]
        if component in seen:
            checks.add(
                "components",
                row[ROW],
                "component",
                f"component {component!r} already in row {seen[component]}",
            )
        seen.setdefault(component, row[ROW])
        for column in ("depends_on", "excludes"):
            if component in (row[column] or ()):
                checks.add("components", row[ROW], column, "a component cannot name itself")
        if not row["requires"]:
            checks.add("components", row[ROW], "requires", "name at least one party")


def check_negative_costs(checks: CaseChecks, costs: pd.DataFrame) -> None:
    """Costs are amounts borne, ≥ 0 (a negative cost is a revenue: put it in ``revenues``)."""
    for row in table_records(costs):
        if row["amount"] is not None and row["amount"] < 0:
            checks.add(
                "costs",
                row[ROW],
                "amount",
                f"cost {row['amount']:g} is negative; costs must be ≥ 0 "
                "(enter income in sheet revenues)",
            )


def check_negative_revenues(checks: CaseChecks, revenues: pd.DataFrame) -> None:
    """A negative revenue (a refund?) is used as given, with a warning naming its cell."""
    for row in table_records(revenues):
        if row["amount"] is not None and row["amount"] < 0:
            checks.warnings.append(
                f"{checks.tables.where('revenues', row[ROW], 'amount')}: negative revenue "
                f"{row['amount']:g} (a refund?) is used as given"
            )


def check_phase_overlap(checks: CaseChecks, phases: pd.DataFrame) -> None:
    """Each phase has start_year ≤ end_year, phase ids are unique and no two phases share a
    year."""
    spans = []
    for row in table_records(phases):
        start, end = row["start_year"], row["end_year"]
        if start is None or end is None:
            continue
        if start > end:
            checks.add(
                "phases", row[ROW], "end_year", f"end_year {end} is before start_year {start}"
            )
            continue
        spans.append((start, end, row[ROW], row["phase"]))
    seen: dict[str, int] = {}
    for row in table_records(phases):
        if row["phase"] in seen:
            checks.add(
                "phases",
                row[ROW],
                "phase",
                f"phase {row['phase']!r} already defined in row {seen[row['phase']]}",
            )
        seen[row["phase"]] = row[ROW]
    spans.sort()
    for (s1, e1, r1, p1), (s2, _e2, r2, p2) in itertools.pairwise(spans):
        if s2 <= e1:
            checks.add(
                "phases",
                r2,
                "start_year",
                f"phase {p2!r} starts in {s2}, inside phase {p1!r} (row {r1}, "
                f"{s1}–{e1}); phases must not overlap",
            )


def check_phase_lengths(checks: CaseChecks, phases: pd.DataFrame) -> None:
    """No phase spans more than :data:`LONGEST_PHASE` years."""
    for row in table_records(phases):
        start, end = row["start_year"], row["end_year"]
        if start is not None and end is not None and end - start > LONGEST_PHASE:
            checks.add("phases", row[ROW], "end_year", "a phase longer than 200 years")


def phase_years(phases: pd.DataFrame) -> list[int]:
    """Every year of every phase of at most :data:`LONGEST_PHASE` years."""
    years: list[int] = []
    for row in table_records(phases):
        start, end = row["start_year"], row["end_year"]
        if start is not None and end is not None and end - start <= LONGEST_PHASE:
            years += range(start, end + 1)
    return years


def check_phases_present(
    checks: CaseChecks, phases_table: pd.DataFrame, phases: Sequence[Phase]
) -> None:
    """The case has at least one phase (rows without years are reported by the reader)."""
    if not phases and phases_table.empty:
        checks.add("phases", None, "phase", "at least one phase is needed")


def check_ratio_bounds(checks: CaseChecks, rules: pd.DataFrame) -> None:
    """Each rule row has min_ratio ≤ max_ratio."""
    for row in table_records(rules):
        low, high = row["min_ratio"], row["max_ratio"]
        if low is not None and high is not None and low > high:
            checks.add(
                "rules", row[ROW], "min_ratio", f"min_ratio {low:g} is above max_ratio {high:g}"
            )


def check_streams(checks: CaseChecks, streams: pd.DataFrame, revenues: pd.DataFrame) -> None:
    """Each stream is listed once; once sheet streams lists any, every revenue row names one of
    them (a typo such as ``VTA`` would otherwise become a new cash stream, split in full and
    out of reach of the rules written for ``VAT``); only statistic streams are double-counted
    (cash must add up to 1); a stream with an increment base year names the party keeping the
    base-year stock. Without a streams sheet every revenue stream is a cash stream."""
    if not streams.empty:
        listed = unique_ids(checks, streams, "streams", "stream")
        check_unknown_ids(checks, revenues, "revenues", "stream", listed, "streams")
    for row in table_records(streams):
        if row["double_count"] and (row["kind"] or "cash") == "cash":
            checks.add(
                "streams",
                row[ROW],
                "double_count",
                "only statistic streams may be double-counted; cash must add up to 1",
            )
        if row["increment_base_year"] is not None and row["stock_owner"] is None:
            checks.add(
                "streams",
                row[ROW],
                "stock_owner",
                "increment_base_year is set: name the party keeping the base-year stock",
            )


def check_cash_stream(checks: CaseChecks, streams: Sequence[Stream]) -> None:
    """At least one stream is cash: there is money to split."""
    if not any(s.kind == "cash" for s in streams):
        checks.add("revenues", None, "stream", "no cash stream: nothing to split")


def check_revenue_years(
    checks: CaseChecks,
    revenues: pd.DataFrame,
    streams: Sequence[Stream],
    phases: Sequence[Phase],
) -> None:
    """Every non-zero cash revenue lies in a phase (else no ratio splits it); increment base
    years and statistic streams may lie outside. Skipped while a phase's years are broken
    (a year of that phase would look outside every phase)."""
    if not phases:
        return
    if not checks.readable("phases", ["start_year", "end_year"]):
        checks.skip("that every revenue year lies in a phase (sheet phases has broken years)")
        return
    base_years = {s.increment_base_year for s in streams if s.increment_base_year is not None}
    statistic = {s.stream for s in streams if s.kind == "statistic"}
    for row in table_records(revenues):
        year = row["year"]
        if year is None or not row["amount"]:
            continue
        if any(p.start_year <= year <= p.end_year for p in phases):
            continue
        if year in base_years or row["stream"] in statistic:
            continue
        checks.add(
            "revenues",
            row[ROW],
            "year",
            f"year {year} is in no phase, so its revenue cannot be split; "
            "extend the phases or drop the row",
        )


def cap_receiver(row: Record, party_ids: Sequence[str]) -> str | None:
    """The party receiving a cap's excess: ``overflow_to``, or with two parties the other."""
    overflow: str | None = row["overflow_to"]
    if overflow is None and len(party_ids) == 2 and row["party"] in party_ids:
        overflow = next(p for p in party_ids if p != row["party"])
    return overflow


def check_limits(
    checks: CaseChecks,
    limits: pd.DataFrame,
    party_ids: Sequence[str],
    streams: Sequence[Stream],
    first_year: int,
    last_year: int,
) -> None:
    """A limit's window is not reversed (blank: the case's first and last year), it applies
    to a cash stream, and a cap is ≥ 0 and passes its excess to another party."""
    statistic = {s.stream for s in streams if s.kind == "statistic"}
    for row in table_records(limits):
        start = row["start_year"] if row["start_year"] is not None else first_year
        end = row["end_year"] if row["end_year"] is not None else last_year
        if start > end:
            checks.add("limits", row[ROW], "end_year", f"end_year {end} is before {start}")
        if row["stream"] not in (None, ALL) and row["stream"] in statistic:
            checks.add("limits", row[ROW], "stream", "limits apply to cash streams only")
        if row["limit"] != "cap":
            continue
        overflow = cap_receiver(row, party_ids)
        if overflow is None:
            checks.add(
                "limits",
                row[ROW],
                "overflow_to",
                "a cap needs the party receiving the take above it (overflow_to)",
            )
        elif overflow == row["party"]:
            checks.add("limits", row[ROW], "overflow_to", "overflow_to must be another party")
        if row["amount"] is not None and row["amount"] < 0:
            checks.add("limits", row[ROW], "amount", "a cap must be ≥ 0")


def expand_proposal(
    checks: CaseChecks,
    table: pd.DataFrame,
    party_ids: Sequence[str],
    streams: Sequence[Stream],
    phases: Sequence[Phase],
) -> pd.DataFrame:
    """Proposal rows with ``*`` expanded (a specific row overrides a wildcard row), checked.

    Cash streams must get a ratio for every stream and phase (a party without one gets 0)
    and the ratios of a stream and phase must add up to 1 (statistic streams: ≥ 1 when
    double-counted); each miss is a problem naming the rows. The sums are not checked while
    a proposal cell is broken (they would miss its ratio).
    """
    sums = checks.readable("proposal", ["party", "stream", "phase", "ratio"]) and all(
        ids_readable(checks, kind) for kind in ("parties", "phases")
    )
    if not sums:
        checks.skip("that the proposal's ratios add up to 1 (they need the broken cells)")
    entries: dict[tuple[str, str, str], tuple[int, float, int]] = {}
    for row in table_records(table):
        if row["ratio"] is None:
            continue
        stream_list = [s.stream for s in streams] if row["stream"] == ALL else [row["stream"]]
        phase_list = [p.phase for p in phases] if row["phase"] == ALL else [row["phase"]]
        specificity = (row["stream"] != ALL) + (row["phase"] != ALL)
        for stream in stream_list:
            for phase in phase_list:
                key = (row["party"], stream, phase)
                if key in entries and entries[key][0] > specificity:
                    continue
                entries[key] = (specificity, float(row["ratio"]), row[ROW])
    records = []
    for stream in streams:
        for phase in phases:
            total, rows_used = 0.0, []
            for party in party_ids:
                spec = entries.get((party, stream.stream, phase.phase))
                ratio = spec[1] if spec else (0.0 if stream.kind == "cash" else math.nan)
                if spec:
                    rows_used.append(spec[2])
                    total += ratio
                records.append(
                    {"party": party, "stream": stream.stream, "phase": phase.phase, "ratio": ratio}
                )
            if not sums:
                continue
            if not rows_used:
                if stream.kind == "cash":
                    checks.add(
                        "proposal",
                        None,
                        "ratio",
                        f"no ratio for stream {stream.stream}, phase {phase.phase}",
                    )
                continue
            if stream.double_count:
                ok = total >= 1 - RATIO_SUM_TOLERANCE
            else:
                ok = abs(total - 1) <= RATIO_SUM_TOLERANCE
            if not ok:
                rows_text = ", ".join(str(r) for r in sorted(set(rows_used)))
                need = "at least 1" if stream.double_count else "1"
                checks.add(
                    "proposal",
                    min(rows_used),
                    "ratio",
                    f"ratios for stream {stream.stream}, phase {phase.phase} add up to "
                    f"{total:g}, not {need} (rows {rows_text})",
                )
    return pd.DataFrame.from_records(records, columns=["party", "stream", "phase", "ratio"])


def check_proposal_fits(
    proposal: pd.DataFrame,
    parties: Sequence[str],
    streams: Sequence[Stream],
    phases: Sequence[Phase],
) -> list[str]:
    """Problems of a proposal (expanded, from another workbook) against a case: parties,
    streams or phases the case does not have, and cash-stream cells it gives no ratio."""
    problems = []
    known = {
        "party": ("parties", list(parties)),
        "stream": ("streams", [s.stream for s in streams]),
        "phase": ("phases", [p.phase for p in phases]),
    }
    for column, (kind, ids) in known.items():
        unknown = sorted(set(map(str, proposal[column])) - set(ids))
        if unknown:
            problems.append(f"unknown {column} {', '.join(unknown)} ({known_list(kind, ids)})")
    given = set(zip(map(str, proposal["stream"]), map(str, proposal["phase"]), strict=True))
    for stream in streams:
        for phase in phases:
            if stream.kind == "cash" and (stream.stream, phase.phase) not in given:
                problems.append(f"no ratio for stream {stream.stream}, phase {phase.phase}")
    return problems


def check_rules_hold(case: JointParkCase) -> InfeasibleError | None:
    """Whether the rules rows, the limits rows and the one-ratio key can hold together: some
    split plan meets them all, decided by the feasibility LP that ``solve`` uses
    (:func:`fairpool.models.joint_park.plan.feasible`, core off: the core depends on the
    coalition values, which ``validate`` does not compute). If none does, an
    :class:`InfeasibleError` naming a minimal set of conflicting rows, one problem per row
    (the deletion filter of :func:`~fairpool.models.joint_park.plan.diagnose_infeasible`:
    drop each rule in turn and keep it dropped while the rest still conflict).

    Needs the grand coalition's components (one MILP: the pools the floors are met from).
    Cases of more than :data:`~fairpool.optimizer.game.MAX_PLAYERS` parties are not checked.
    """
    import numpy as np

    from fairpool.models.joint_park.case import Limit
    from fairpool.models.joint_park.coalitions import ParkEvaluator, coalition_milp
    from fairpool.models.joint_park.flows import park_pools
    from fairpool.models.joint_park.plan import describe_source, feasible, rule_sources, spec_with
    from fairpool.models.joint_park.plan_model import default_spec
    from fairpool.optimizer.game import MAX_PLAYERS, Game

    if case.n > MAX_PLAYERS:
        return None
    grand = (1 << case.n) - 1
    evaluator = coalition_milp(case).open()
    assert isinstance(evaluator, ParkEvaluator)
    value, active = evaluator.solve(grand)
    values = np.zeros(1 << case.n)
    values[grand] = value  # sets the money scale only: the core is off
    game = Game(case.parties, values, "benefit", case.party_names)
    pools = park_pools(case, active)
    spec = default_spec(case, "off")
    if feasible(case, game, pools, spec):
        return None
    needed = rule_sources(spec)
    for source in rule_sources(spec):
        trial = [s for s in needed if s is not source]
        if not feasible(case, game, pools, spec_with(spec, trial)):
            needed = trial
    described = [describe_source(source) for source in needed]
    problems = []
    for source, text in zip(needed, described, strict=True):
        others = [d for d in described if d != text]
        message = (
            f"cannot hold together with {'; '.join(others)}: no split plan meets them all; "
            "relax one of them"
            if others
            else f"no split plan meets {text}; relax it"
        )
        if source == "one_ratio":
            problems.append(
                Problem.at(case.source, "case", None, "value (one_ratio_for_all_streams)", message)
            )
        elif not isinstance(source, str):
            sheet = "limits" if isinstance(source, Limit) else "rules"
            problems.append(Problem.at(case.source, sheet, source.row, None, message))
    return InfeasibleError(
        "The rules admit no split plan. These rules conflict (relax any one of them):\n  - "
        + "\n  - ".join(described),
        problems,
        warnings=case.warnings,
    )


__all__ = [
    "LONGEST_PHASE",
    "cap_receiver",
    "check_cash_stream",
    "check_components",
    "check_limits",
    "check_negative_costs",
    "check_negative_revenues",
    "check_parties",
    "check_phase_lengths",
    "check_phase_overlap",
    "check_phases_present",
    "check_proposal_fits",
    "check_ratio_bounds",
    "check_revenue_years",
    "check_rules_hold",
    "check_streams",
    "expand_proposal",
    "phase_years",
]
