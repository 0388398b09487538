"""A split proposal read (a ``proposal`` sheet of any file, a CSV, or rows from ``check
--ratio``), judged (``fairpool check``), and one ratio slid (``fairpool sweep``), with the
exact band of ratios where no coalition blocks the plan and the part of it within the rules.

A sweep slides r[party, stream, phase] = ρ (``*``: every cash stream, every phase); the other
parties share 1 − ρ in their base proportions (or one counterparty alone takes up the
difference), so every ratio is affine in ρ and the core band is {ρ : x(S)(ρ) ≥ v(S) for
every proper coalition S}; the band within the rules adds the rules rows, schedules,
the one-ratio key and the floors (:mod:`fairpool.models.joint_park.bands`).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from fairpool.models.family import (
    ALL,
    ProposalAmounts,
    ProposalCheck,
    SweepBaseline,
    SweepLine,
    SweepResult,
)
from fairpool.models.fixing import with_fix
from fairpool.models.joint_park.bands import core_band, line_bands, rules_band
from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.checks import expand_proposal
from fairpool.models.joint_park.coalitions import ParkEvaluator, coalition_milp
from fairpool.models.joint_park.fix import fix_proposal
from fairpool.models.joint_park.flows import (
    cash_flow_frame,
    evaluate_plan,
    park_pools,
    plan_takes,
    ratios_from_frame,
)
from fairpool.models.joint_park.plan import (
    ParkGame,
    park_game,
    solve_plan,
    target_allocation,
)
from fairpool.models.joint_park.plan_model import SweepSpec
from fairpool.models.joint_park.rules import plans_within_rules, proposal_violations
from fairpool.models.joint_park.schema import JOINT_PARK
from fairpool.models.proposal_input import proposal_table, proposal_tables, rows_tables
from fairpool.models.results import PlanResult, ProposalSimplicity
from fairpool.models.simplicity import (
    coarsest_grid,
    distinct_values,
    phase_changes,
    uniform_across_streams,
)
from fairpool.models.sweeps import band_cuts, baseline_value, sweep_line, sweep_values
from fairpool.models.verdicts import case_result, judge_proposal, sweep_row
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.checks import (
    CaseChecks,
    check_unknown_ids,
    known_list,
)
from fairpool.optimizer.workbook.reader import ROW, CaseTables

EVERY = (ALL, "all")
"""How a sweep line names every stream or every phase."""


# -- proposals read: the proposal sheet of any file, or rows from the command line ------------

PROPOSAL_COLUMNS = "party, stream, phase, ratio"


def read_proposal(path: str | os.PathLike[str], case: JointParkCase) -> pd.DataFrame:
    """The proposal in the file at ``path``, for ``check``: the ``proposal`` sheet of a
    workbook (it need hold no other sheet; a whole case's workbook works too) or a CSV file
    with its columns (:func:`fairpool.models.proposal_input.proposal_tables`).

    Read as the case's own sheet is: ``*`` expanded over ``case``'s streams and phases, a
    ratio for every cash-stream cell, each cell's ratios adding up to 1; parties by id or
    display name. Raises one :class:`CaseError` naming the file, row and column of every
    problem, or the file when it holds no proposal.
    """
    return proposal_from_tables(case, proposal_tables(path, JOINT_PARK), None)


def proposal_from_rows(
    case: JointParkCase,
    rows: Sequence[Mapping[str, object]],
    source: str,
    base: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A proposal from ``proposal`` sheet rows (party, stream, phase, ratio), e.g. those of
    ``check --ratio``; ``source`` names them in messages.

    Rows that cover every (stream, phase) cell read exactly as the same rows in a sheet.
    Rows that name only some cells (``--stream VAT --phase 2``) set those cells, every party
    not named getting 0 there, and the other cells keep ``base`` (default: the case's
    proposal sheet); without a base that is a :class:`CaseError` saying what is missing.
    """
    tables = rows_tables(JOINT_PARK, rows, source)
    return proposal_from_tables(
        case, tables, base if base is not None else case.proposal, partial=True
    )


def proposal_from_tables(
    case: JointParkCase, tables: CaseTables, base: pd.DataFrame | None, partial: bool = False
) -> pd.DataFrame:
    """The expanded proposal (party, stream, phase, ratio; every cell, statistic streams NaN
    where not given) of typed ``proposal`` tables, checked against ``case``.

    Parties by id or name (:func:`fairpool.models.proposal_input.proposal_table`), known
    streams and phases (``*``: every one), then
    :func:`~fairpool.models.joint_park.checks.expand_proposal`, the case sheet's own
    expansion. With ``base``, the cells the rows do not name keep the base's ratios (its rows
    join the table for those cells only); ``partial`` rows without a base must still give
    every cash-stream cell.
    """
    checks = CaseChecks(tables)
    table = proposal_table(checks, case, PROPOSAL_COLUMNS)
    streams = [s.stream for s in case.streams]
    phases = [p.phase for p in case.phases]
    check_unknown_ids(checks, table, "proposal", "stream", streams, "streams", allow_all=True)
    check_unknown_ids(checks, table, "proposal", "phase", phases, "phases", allow_all=True)
    checks.raise_if_any()
    named = {
        (stream, phase)
        for _, row in table.iterrows()
        if row["ratio"] is not None
        for stream in (streams if row["stream"] == ALL else [row["stream"]])
        for phase in (phases if row["phase"] == ALL else [row["phase"]])
    }
    every = {(s.stream, p.phase) for s in case.streams for p in case.phases}
    cash = {(s.stream, p.phase) for s in case.streams if s.kind == "cash" for p in case.phases}
    if base is not None and named != every:
        others = [
            (stream, phase) not in named and not math.isnan(float(ratio))
            for stream, phase, ratio in zip(
                base["stream"], base["phase"], base["ratio"], strict=True
            )
        ]
        kept = base.loc[others, ["party", "stream", "phase", "ratio"]].assign(**{ROW: 0})
        table = pd.concat([kept.astype(object), table], ignore_index=True)
    elif partial and not cash <= named:
        missing = sorted(
            cash - named, key=lambda cell: (streams.index(cell[0]), phases.index(cell[1]))
        )
        shown = ", ".join(f"stream {k} in phase {h}" for k, h in missing[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        raise CaseError(
            f"{tables.path}: no ratio for {shown}{more}: the case has no proposal sheet to "
            "take the other streams and phases from; give a ratio for every stream and "
            "phase, or a baseline proposal (a proposal file)"
        )
    proposal = expand_proposal(checks, table, case.parties, case.streams, case.phases)
    checks.raise_if_any()
    return proposal


def given_proposal(case: JointParkCase, proposal: pd.DataFrame | None) -> pd.DataFrame:
    """``proposal``, or the case's ``proposal`` sheet when it is ``None`` (a CaseError saying
    what to add when the case has none)."""
    if proposal is not None:
        return proposal
    if case.proposal is None:
        raise CaseError(
            f"{Path(case.source).name}: no proposal sheet to check; add sheet "
            "proposal (party, stream, phase, ratio) or pass a proposal file"
        )
    return case.proposal


def check(case: JointParkCase, proposal: pd.DataFrame | None = None) -> ProposalCheck:
    """Judge a proposal: NPVs, individual rationality, core membership, distances, rules.

    ``proposal`` (party, stream, phase, ratio; no wildcards) defaults to the case's
    ``proposal`` sheet. The coalition game is computed once; every method, the verdict and
    the distances come from :func:`fairpool.models.verdicts.judge_proposal`; each party's
    position, the blocking coalitions and the smallest fix from
    :func:`fairpool.models.joint_park.fix.fix_proposal`.
    """
    proposal = given_proposal(case, proposal)
    park = park_game(case)
    ratios = ratios_from_frame(case, proposal)
    flows = evaluate_plan(case, park.pools, ratios)
    violations = proposal_violations(case, park.pools, ratios, flows)
    cash_flows = cash_flow_frame(case, flows)
    judged = judge_proposal(
        case, park.game, flows.npv, "ratios", proposal, cash_flows, rule_violations=violations
    )
    judged = dataclasses.replace(judged, simplicity=ratio_simplicity(case, proposal))
    return with_fix(judged, fix_proposal(case, park, ratios, judged))


def ratio_simplicity(case: JointParkCase, table: pd.DataFrame) -> ProposalSimplicity:
    """How simple split ratios (party, stream, phase, ratio; a proposal or a plan's table)
    are to sign (:mod:`fairpool.models.simplicity`): the distinct values and the grid of
    every ratio given (statistic streams included; NaN: not given), and on the cash streams
    each party's changes across phases and whether one ratio per party and phase serves
    every cash stream."""
    values = table["ratio"].to_numpy(dtype=float)
    ratios = ratios_from_frame(case, table)
    cash = [k for k, stream in enumerate(case.streams) if stream.kind == "cash"]
    changes = phase_changes(ratios[:, cash, :])
    return ProposalSimplicity(
        value_kind="ratio",
        values=int(np.isfinite(values).sum()),
        distinct_values=distinct_values(values),
        grid=coarsest_grid(values),
        changes={party: int(c) for party, c in zip(case.parties, changes, strict=True)},
        most_changes=int(changes.max(initial=0)),
        uniform_streams=uniform_across_streams(ratios[:, cash, :]),
    )


def plan_simplicity(case: JointParkCase, result: PlanResult) -> ProposalSimplicity:
    """:func:`ratio_simplicity` of a solved plan's ratios (``result.plan_table``), so that a
    plan and a proposal are told in the same words."""
    return ratio_simplicity(case, result.plan_table)


def proposal_amounts(
    case: JointParkCase, proposal: pd.DataFrame | None, grand_value: float
) -> ProposalAmounts:
    """What proposed ratios give each party (NPVs of the pools of the components the grand
    coalition activates) and the rules they break, without the coalition game: for a check by
    constraint generation (:mod:`fairpool.models.large`); ``grand_value`` (v(N)) is not
    needed here, the pools come from one solve of the grand coalition."""
    proposal = given_proposal(case, proposal)
    _, active = ParkEvaluator(coalition_milp(case)).solve((1 << case.n) - 1)
    pools = park_pools(case, active)
    ratios = ratios_from_frame(case, proposal)
    flows = evaluate_plan(case, pools, ratios)
    violations = tuple(proposal_violations(case, pools, ratios, flows))
    simplicity = ratio_simplicity(case, proposal)
    return ProposalAmounts(flows.npv, "ratios", proposal, violations, simplicity=simplicity)


# -- sweeps and the core band ----------------------------------------------------------------------


def sweep_cells(case: JointParkCase, stream: str, phase: str) -> tuple[tuple[int, int], ...]:
    """The (stream, phase) cells a sweep line slides: every cash stream for ``*``, every
    phase for ``*``; an unknown stream or phase is a :class:`CaseError` listing the known."""
    stream_ids = [s.stream for s in case.streams]
    phase_ids = [p.phase for p in case.phases]
    if stream in EVERY:
        streams = [k for k, s in enumerate(case.streams) if s.kind == "cash"]
    elif stream in stream_ids:
        streams = [case.stream_index(stream)]
    else:
        raise CaseError(f"unknown stream {stream!r}; " + known_list("streams", stream_ids))
    if phase in EVERY:
        phases = list(range(len(case.phases)))
    elif str(phase) in phase_ids:
        phases = [case.phase_index(str(phase))]
    else:
        raise CaseError(f"unknown phase {phase!r}; " + known_list("phases", phase_ids))
    return tuple((k, h) for k in streams for h in phases)


def base_ratios(
    case: JointParkCase, base: pd.DataFrame | np.ndarray | None, park: ParkGame
) -> tuple[np.ndarray, SweepBaseline]:
    """The ratios a sweep starts from, and which they are: ``base`` (``given``), else the
    proposal sheet (``proposal``), else the plan for the case's target (``plan``; Shapley for
    the Nash target)."""
    if isinstance(base, np.ndarray):
        return base, "given"
    if isinstance(base, pd.DataFrame):
        return ratios_from_frame(case, base), "given"
    if case.proposal is not None:
        return ratios_from_frame(case, case.proposal), "proposal"
    target = "shapley" if case.target == "nash" else case.target
    goal = target_allocation(park.game, target).shares
    plan = solve_plan(case, park.game, park.pools, goal, case.core, case.distance)
    return plan.ratios, "plan"


def swept_ratios(case: JointParkCase, spec: SweepSpec, rho: float) -> np.ndarray:
    """The baseline's ratios with r[party, k, h] = ρ on the swept cells, the others moving as
    the line says (:meth:`~fairpool.models.joint_park.plan_model.SweepSpec.ratios`)."""
    return spec.ratios(rho)


def sweep(
    case: JointParkCase,
    line: SweepLine,
    values: Sequence[float],
    *,
    base: pd.DataFrame | np.ndarray | None = None,
) -> SweepResult:
    """Each party's NPV and the core verdict as one ratio slides, the exact core band, and
    the exact band within the rules with the rules that cut it.

    The ratio r[line.party, line.stream, line.phase] takes each value (in [0, 1]; parties by
    id or display name, :func:`fairpool.models.sweeps.sweep_line`); on the swept cells the
    other parties share the rest in the baseline's proportions, or ``line.against`` alone
    gives up or takes the difference (values beyond what the two hold together are left
    out); every other ratio stays at the baseline (``base``, else the proposal sheet, else
    the plan for the case's target). One coalition game and one baseline serve everything.

    Table columns: ``ratio``, ``npv_<party>`` per party, ``in_core``, ``worst_coalition``,
    ``worst_excess`` (:func:`fairpool.models.verdicts.sweep_row`), ``within_rules`` (the
    swept plan breaks none of the rules ``check`` judges: rules rows, schedules, floors, the
    one-ratio key). Bands: :func:`~fairpool.models.joint_park.bands.line_bands` (half-lines
    over all coalitions on each affine piece), or the MILPs :func:`~.bands.core_band` and
    :func:`~.bands.rules_band` where the plan is not affine between the caps' kinks; cut by
    :func:`fairpool.models.sweeps.band_cuts`.
    """
    line = sweep_line(case, line)
    cells = sweep_cells(case, line.stream, str(line.phase))
    for value in values:
        if not 0.0 <= float(value) <= 1.0:
            raise CaseError(f"sweep ratio {float(value):g} is outside [0, 1]")
    park = park_game(case)
    ratios, baseline = base_ratios(case, base, park)
    against = None if line.against is None else case.party_index(line.against)
    spec = SweepSpec(case.party_index(line.party), cells, ratios, against)
    kept = sweep_values(values, spec.highest, "ratio", case, line)

    def broken(rho: float) -> list[str]:
        swept = spec.ratios(rho)
        return proposal_violations(case, park.pools, swept, evaluate_plan(case, park.pools, swept))

    plans = np.stack([spec.ratios(rho) for rho in kept])
    _, takes = plan_takes(case, park.pools, plans)
    npvs = (takes - park.pools.cost) @ case.discount
    within = plans_within_rules(case, park.pools, plans, takes)
    rows = [
        sweep_row(park.game, "ratio", rho, npv, within_rules=bool(kept_rules))
        for rho, npv, kept_rules in zip(kept, npvs, within, strict=True)
    ]
    bands = line_bands(case, park, spec)
    if bands is None:  # not affine between the caps' kinks: the MILPs decide
        band = core_band(case, park, spec)
        allowed = rules_band(case, park.game, park.pools, spec) if band else None
    else:
        band, allowed = bands
    within_band, cuts = band_cuts(band, allowed, broken)
    return SweepResult(
        **case_result(case, park.game),
        line=line,
        value_column="ratio",
        table=pd.DataFrame.from_records(rows),
        core_band=band,
        band_within_rules=within_band,
        cuts=cuts,
        baseline=baseline,
        target=case.target,
        baseline_value=baseline_value(np.array([ratios[spec.party, k, h] for k, h in cells])),
        value_range=(0.0, spec.highest),
        rules_flag="within_rules",
        line_fields=("stream", "phase"),
    )


__all__ = [
    "PROPOSAL_COLUMNS",
    "base_ratios",
    "check",
    "plan_simplicity",
    "proposal_amounts",
    "proposal_from_rows",
    "proposal_from_tables",
    "ratio_simplicity",
    "read_proposal",
    "sweep",
    "sweep_cells",
    "swept_ratios",
]
