"""Text and JSON of checks and solves by constraint generation (the
:class:`~fairpool.models.large_results.LargeCheck` and
:class:`~fairpool.models.large_results.LargeSolve` results).

The text says which method produced the answer, shows the certificate beside it and what the
answer cost (rounds, rows, MILPs, seconds), so a reader can see why it can be trusted and
what is not in it. The JSON documents carry the same, numbers unrounded
(``ensure_ascii=False`` at the caller).
"""

from __future__ import annotations

from typing import Any

from fairpool.models.large_results import (
    CoalitionCertificate,
    GenerationWork,
    LargeCheck,
    LargePlan,
    LargeSolve,
)
from fairpool.reports.document import json_number, records
from fairpool.reports.text import (
    cell,
    plan_table_text,
    ratio_sentences,
    render_table,
    simplicity_measure_lines,
)

PLAN_TABLE_COLUMNS = 12
"""The text shows the plan's matrix when it has at most this many columns (projects, or
phases); wider plans are summarised, and the whole table is in ``--json``."""


def _label(party: str, name: str) -> str:
    return party if name == party else f"{name} {party}"


def _money(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}"


def _work_line(work: GenerationWork) -> str:
    return (
        f"Method: constraint generation — LP solves {work.rounds}, coalitions generated "
        f"{work.rows} (beyond the singletons and their complements), separations "
        f"{work.separations} ({work.milps} MILPs, {work.solver_seconds:.2f} s in HiGHS), "
        f"coalition values solved alone {work.values}; {work.seconds:.2f} s in all."
    )


def _certificate_lines(worst: CoalitionCertificate, unit: str, benefit: bool) -> list[str]:
    alone = "v(S)" if benefit else "c(S)"
    return [
        f"Worst coalition: {worst.coalition} "
        f"({worst.size} {'party' if worst.size == 1 else 'parties'})",
        f"  certificate: {alone} solved alone = {_money(worst.value, unit)}, "
        f"the split gives it {_money(worst.allocated, unit)}, "
        f"excess {_money(worst.excess, unit)}",
    ]


def render_large_check(check: LargeCheck) -> str:
    """The text of ``fairpool check`` on a case checked by generation."""
    unit = check.unit
    benefit = check.orientation == "benefit"
    table = [["party", "proposal", "alone", "rational"]]
    for party, name in zip(check.players, check.names, strict=True):
        table.append(
            [
                _label(party, name),
                cell(check.amounts[party]),
                cell(check.standalone[party]),
                "yes" if check.individually_rational[party] else "NO",
            ]
        )
    lines = [
        f"Case: {check.case_name} ({check.model}, {len(check.players)} parties; unit {unit})",
        "",
        *check.verdict,
        "",
        render_table(table, left_from=3),
    ]
    if check.simplicity is not None:
        labels = {p: _label(p, name) for p, name in zip(check.players, check.names, strict=True)}
        lines += ["", *simplicity_measure_lines(check.simplicity, labels, not benefit, unit)]
    lines += ["", *_certificate_lines(check.worst, unit, benefit)]
    if check.blocking:
        lines.append("Blocking coalitions found (largest excess first; not necessarily all):")
        lines += [f"  {label}: {_money(excess, unit)}" for label, excess in check.blocking]
    empty = check.least_core_epsilon > check.tolerance
    lines += [
        f"Least-core ε*: {_money(check.least_core_epsilon, unit)} "
        f"({'the core is empty' if empty else 'the core is not empty'})",
        "",
        _work_line(check.work),
        "Not computed by generation: the Shapley comparison from a full table and the "
        "smallest fix (--exact enumerates all coalitions and gives both).",
    ]
    return "\n".join(lines)


def render_large_solve(result: LargeSolve) -> str:
    """The text of ``fairpool solve`` on a case solved by generation."""
    unit = result.unit
    benefit = result.orientation == "benefit"
    total = "v(N)" if benefit else "c(N)"
    lines = [
        f"Case: {result.case_name} ({result.model}, {len(result.players)} parties; unit {unit})",
        f"Target: {result.target}; {total} = {_money(result.grand_value, unit)}",
        "",
    ]
    header = ["party", result.target]
    if not benefit:  # a cost split is signed as each party's share of the whole cost
        header.append("share of c(N)")
    if result.standard_errors:
        header.append("± 1.96 SE (95%)")
    plan = result.plan
    if plan is not None:
        header.append("plan")
    table = [header]
    for party, name in zip(result.players, result.names, strict=True):
        row = [_label(party, name), cell(result.allocation[party])]
        if not benefit:
            share = result.allocation[party] / result.grand_value if result.grand_value else 0.0
            row.append(f"{100 * share:.2f}%")
        if result.standard_errors:
            error = result.standard_errors.get(party)
            row.append(cell(None if error is None else 1.96 * error))
        if plan is not None:
            row.append(cell(plan.amounts[party]))
        table.append(row)
    lines.append(render_table(table))
    lines.append("")
    in_core = result.worst.excess <= result.tolerance
    lines.append(
        f"In the core: {'yes' if in_core else 'no'}; least-core ε* = "
        f"{_money(result.least_core_epsilon, unit)}"
    )
    lines += _certificate_lines(result.worst, unit, benefit)
    if result.certificate is not None:
        proof = result.certificate
        nxt = "none" if proof.next_excess is None else _money(proof.next_excess, unit)
        lines.append(
            f"Nucleolus certificate: Kohlberg's criterion {'passed' if proof.passed else 'FAILED'}"
            f" on {proof.collection} generated coalitions down to excess "
            f"{_money(proof.level, unit)}; no other coalition exceeds that level (the best "
            f"reaches {nxt})."
        )
        if result.levels:
            shown = ", ".join(_money(level, unit) for level in result.levels[:6])
            more = f" … ({len(result.levels)} levels)" if len(result.levels) > 6 else ""
            lines.append(f"Excess levels: {shown}{more}")
    if plan is not None:
        lines += ["", *_plan_lines(plan, result.target, unit, benefit, result.tolerance)]
    lines += ["", _work_line(result.work), *result.notes]
    return "\n".join(lines)


def _plan_lines(
    plan: LargePlan, target: str, unit: str, benefit: bool, tolerance: float
) -> list[str]:
    """The plan toward the target: its ratios (as sentences) or shares, how far it is from
    the target, its core verdict with the certificate, and what its rows cost."""
    what = "ratios" if plan.kind == "ratios" else "cost shares"
    lines = [f"Plan ({what} under the case's rules, core {plan.core}, closest to the {target}):"]
    if plan.kind == "ratios":
        lines += [f"  {sentence}" for sentence in ratio_sentences(plan.table)]
    columns = plan.table["project"].nunique() if "project" in plan.table else 0
    if plan.kind == "ratios" or columns <= PLAN_TABLE_COLUMNS:
        lines.append(plan_table_text(plan.kind, plan.table))
    else:
        lines.append(
            f"  ({len(plan.table):,} rows of party × project × year over {columns} projects: "
            "the whole table is in --json)"
        )
    in_core = "yes" if plan.worst.excess <= tolerance else "no"
    lines.append(f"Distance to the {target} ({plan.distance_kind}): {_money(plan.distance, unit)}")
    lines.append(
        f"Plan in the core: {in_core}; least core violation within the rules ε = "
        f"{_money(plan.epsilon, unit)}"
    )
    lines += _certificate_lines(plan.worst, unit, benefit)
    lines.append(
        f"Core rows: generated by {plan.separations} separations; the plan took "
        f"{plan.seconds:.2f} s."
    )
    lines += [f"Warning: {warning}" for warning in plan.warnings]
    return lines


def work_document(work: GenerationWork) -> dict[str, Any]:
    """The ``work`` entry of a JSON document by generation (check, solve, sweep)."""
    return {
        "rounds": work.rounds,
        "rows": work.rows,
        "separations": work.separations,
        "milps": work.milps,
        "values": work.values,
        "seconds": json_number(work.seconds),
        "solver_seconds": json_number(work.solver_seconds),
    }


def _certificate_document(worst: CoalitionCertificate) -> dict[str, Any]:
    return {
        "coalition": worst.coalition,
        "size": worst.size,
        "value": json_number(worst.value),
        "allocated": json_number(worst.allocated),
        "excess": json_number(worst.excess),
    }


def large_check_document(check: LargeCheck) -> dict[str, Any]:
    """The JSON document of ``fairpool check`` by generation: ``method``, ``case``,
    ``amounts`` and ``alone`` {party: amount}, ``individually_rational`` {party: bool},
    ``in_core``, ``worst_coalition`` (the certificate: coalition, size, value, allocated,
    excess), ``blocking_coalitions`` [{coalition, excess}], ``least_core_epsilon``,
    ``rule_violations``, ``verdict``, ``fair`` and ``work``."""
    return {
        "method": check.method,
        "case": {"name": check.case_name, "model": check.model, "unit": check.unit},
        "orientation": check.orientation,
        "amounts": {p: json_number(v) for p, v in check.amounts.items()},
        "alone": {p: json_number(v) for p, v in check.standalone.items()},
        "individually_rational": dict(check.individually_rational),
        "in_core": check.in_core,
        "tolerance": json_number(check.tolerance),
        "worst_coalition": _certificate_document(check.worst),
        "blocking_coalitions": [
            {"coalition": label, "excess": json_number(excess)} for label, excess in check.blocking
        ],
        "least_core_epsilon": json_number(check.least_core_epsilon),
        "rule_violations": list(check.rule_violations),
        "verdict": list(check.verdict),
        "fair": check.fair,
        "work": work_document(check.work),
        "simplicity": None if check.simplicity is None else check.simplicity.record(),
    }


def large_solve_document(result: LargeSolve) -> dict[str, Any]:
    """The JSON document of ``fairpool solve`` by generation: ``method``, ``case``,
    ``target``, ``allocation`` {party: amount}, ``standard_errors`` (sampled targets),
    ``grand_value``, ``least_core_epsilon``, ``levels``, ``certificate`` (Kohlberg + final
    separation, or null), ``worst_coalition``, ``in_core``, ``notes``, ``work`` and ``plan``
    (kind, table records, amounts, core, epsilon, distance, distance_kind, worst_coalition,
    separations, seconds, facts, warnings; null when not computed)."""
    proof = result.certificate
    return {
        "method": result.method,
        "case": {"name": result.case_name, "model": result.model, "unit": result.unit},
        "orientation": result.orientation,
        "target": result.target,
        "allocation": {p: json_number(v) for p, v in result.allocation.items()},
        "standard_errors": {p: json_number(v) for p, v in result.standard_errors.items()},
        "grand_value": json_number(result.grand_value),
        "least_core_epsilon": json_number(result.least_core_epsilon),
        "levels": [json_number(level) for level in result.levels],
        "certificate": None
        if proof is None
        else {
            "passed": proof.passed,
            "level": json_number(proof.level),
            "collection": proof.collection,
            "next_excess": None if proof.next_excess is None else json_number(proof.next_excess),
        },
        "worst_coalition": _certificate_document(result.worst),
        "in_core": result.worst.excess <= result.tolerance,
        "notes": list(result.notes),
        "work": work_document(result.work),
        "plan": None if result.plan is None else _plan_document(result.plan),
    }


def _plan_document(plan: LargePlan) -> dict[str, Any]:
    return {
        "kind": plan.kind,
        "table": records(plan.table),
        "amounts": {p: json_number(v) for p, v in plan.amounts.items()},
        "core": plan.core,
        "epsilon": json_number(plan.epsilon),
        "distance": json_number(plan.distance),
        "distance_kind": plan.distance_kind,
        "worst_coalition": _certificate_document(plan.worst),
        "separations": plan.separations,
        "seconds": json_number(plan.seconds),
        "facts": {key: value for key, value in plan.facts},
        "warnings": list(plan.warnings),
    }


__all__ = [
    "large_check_document",
    "large_solve_document",
    "render_large_check",
    "render_large_solve",
    "work_document",
]
