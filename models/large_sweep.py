"""``sweep`` of a case too large to enumerate: one separation per swept value, and the core
band by constraint generation on the line (issue 13).

A sweep slides one party's ratio (or cost share) ρ along a line (:class:`SweepLine`) from a
baseline; every family's swept amounts are affine in ρ there (without caps: the ratios or
shares move linearly and the NPVs or cost shares are linear in them), x(ρ) = x(0) + ρ · Δ.
Without a table of the 2^n coalition values:

* the amounts x(ρ) come from the family's own arithmetic (what a swept proposal gives, no
  game: the grand coalition's pools or build plan, one MILP);
* each value's worst coalition is one separation, argmax_S e(S, x(ρ)) over the proper
  coalitions (``oracle.most_violated``), with its value solved again as the certificate
  (:func:`fairpool.models.large.coalition_certificate`); in the core iff that excess is ≤
  CORE_RELATIVE_TOLERANCE × the game's scale, as ``check`` by generation decides;
* the core band {ρ ∈ [0, highest] : e(S, x(ρ)) ≤ 0 for every proper S} is an interval
  (each S gives a half-line), found by
  :func:`~fairpool.optimizer.generation.algorithms.generated_core_interval`: a ratio test
  over the coalitions generated so far, each end checked by one separation (Hallefjord,
  Helming & Jørnsten 1995). Like the enumerated band (``core_band_on_line``), it judges the
  split on what it hands out: efficiency is x(N) = x(0)(N), not v(N).

A park with revenue caps is only piecewise affine: a cap truncates its party's take from
the year its cumulative take reaches the cap, and that year moves with ρ, so the NPVs
change slope at each ρ where Σ_{τ≤t} take_τ(ρ) = cap for a year t of the window (affine in
ρ: one root each, :attr:`SweepAxis.kinks` from
:func:`~fairpool.models.joint_park.bands.cap_kinks`). The line is cut there; on each piece
the band is found as above, and the core band runs from the lowest to the highest ρ in the
core on any piece (as ``--exact``'s MILP min ρ / max ρ does). Affinity is not assumed: on
each piece the amounts at an interior point and at every swept value must lie on the line
through its ends (to 1e-6 of their scale); otherwise the band is refused with the reason
(``band_refusal``); the table is exact either way.

The baseline is the proposal given (``base``) or the case's proposal sheet; a case with
neither starts from the plan for its target, by generation too (:func:`plan_baseline`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fairpool.models.large import (
    CORE_RELATIVE_TOLERANCE,
    Progress,
    case_oracle,
    coalition_certificate,
    game_scale,
    generation_work,
)
from fairpool.models.large_results import large_case_fields
from fairpool.models.large_sweep_results import LargeSweep
from fairpool.models.results import BandCut, SweepBaseline, SweepLine
from fairpool.models.sweeps import (
    AFFINE_PROBE,
    band_cuts,
    baseline_value,
    line_pieces,
    sweep_line,
    sweep_values,
)
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import RELATIVE_TOLERANCE, Orientation, unit_scale
from fairpool.optimizer.generation.oracle import CoalitionOracle, OracleStatistics, Violation

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.cost_sharing.case import CostSharingCase
    from fairpool.models.family import Case
    from fairpool.models.infrastructure.case import InfrastructureCase, ProposalShares
    from fairpool.models.joint_park.case import JointParkCase

Band = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class SweepAxis:
    """A family's swept line seen without the coalition game.

    Attributes:
        amounts(ρ): each party's amount at ρ (the game's orientation, case unit).
        highest: the largest ρ the line allows (1, or with a counterparty what the two hold).
        baseline_value: the swept cells' common value in the baseline (``None``: they differ).
        value_column: ``ratio`` or ``share``; line_fields: the :class:`SweepLine` fields the
            family uses; rules_flag: its table's rules column (``None``: none).
        within(ρ): the swept plan keeps the rules the family tells without the game.
        kinks: the ρ where the amounts change slope (a park's caps), inside (0, highest).
        rules_band(core): the band within the rules and what cuts it, given the core band;
            ``None``: not computed by generation (``notes`` say so).
        notes: what this family's generated sweep leaves out.
    """

    amounts: Callable[[float], np.ndarray]
    highest: float
    baseline_value: float | None
    value_column: str
    line_fields: tuple[str, ...]
    rules_flag: str | None = None
    within: Callable[[float], bool] | None = None
    rules_band: Callable[[Band | None], tuple[Band | None, tuple[BandCut, ...]]] | None = None
    notes: tuple[str, ...] = ()
    kinks: tuple[float, ...] = ()

    def pieces(self) -> list[Band]:
        """The intervals of [0, highest] on which the amounts are affine: split at the
        :attr:`kinks` (none: the whole line)."""
        return line_pieces(self.highest, self.kinks)


def park_axis(
    case: JointParkCase,
    line: SweepLine,
    proposal: pd.DataFrame | np.ndarray,
    oracle: CoalitionOracle,
) -> SweepAxis:
    """The park's line from ``proposal`` (party, stream, phase, ratio; or the array
    r[p, k, h], as the enumerated sweep's ``base``): r[party, stream, phase] = ρ on the swept cells
    (:class:`~fairpool.models.joint_park.plan_model.SweepSpec`), the NPVs of the grand
    coalition's pools (:func:`~fairpool.models.joint_park.flows.evaluate_plan`, caps
    included) and the rules ``check`` judges (rules rows, schedules, floors, one-ratio key).
    The band within the rules is the enumerated sweep's MILP
    (:func:`~fairpool.models.joint_park.bands.rules_band`) on an
    :class:`~fairpool.optimizer.generation.oracle_game.OracleGame`: its core rows are
    generated by ``oracle``'s separation."""
    from fairpool.models.joint_park.bands import cap_kinks, rules_band
    from fairpool.models.joint_park.coalitions import ParkEvaluator, coalition_milp
    from fairpool.models.joint_park.flows import evaluate_plan, park_pools, ratios_from_frame
    from fairpool.models.joint_park.plan_model import SweepSpec
    from fairpool.models.joint_park.proposal import sweep_cells
    from fairpool.models.joint_park.rules import proposal_violations
    from fairpool.optimizer.generation.oracle_game import OracleGame

    cells = sweep_cells(case, line.stream, str(line.phase))
    ratios = proposal if isinstance(proposal, np.ndarray) else ratios_from_frame(case, proposal)
    against = None if line.against is None else case.party_index(line.against)
    spec = SweepSpec(case.party_index(line.party), cells, ratios, against)
    _, active = ParkEvaluator(coalition_milp(case)).solve((1 << case.n) - 1)
    pools = park_pools(case, active)

    def broken(rho: float) -> list[str]:
        swept = spec.ratios(rho)
        return proposal_violations(case, pools, swept, evaluate_plan(case, pools, swept))

    game = OracleGame(oracle, tuple(case.party_names))

    def band_within_rules(core: Band | None) -> tuple[Band | None, tuple[BandCut, ...]]:
        allowed = rules_band(case, game, pools, spec) if core is not None else None
        return band_cuts(core, allowed, broken)

    return SweepAxis(
        amounts=lambda rho: evaluate_plan(case, pools, spec.ratios(rho)).npv,
        highest=spec.highest,
        baseline_value=baseline_value(np.array([ratios[spec.party, k, h] for k, h in cells])),
        value_column="ratio",
        line_fields=("stream", "phase"),
        rules_flag="within_rules",
        within=lambda rho: not broken(rho),
        rules_band=band_within_rules,
        kinks=cap_kinks(case, pools, spec),
    )


def infrastructure_axis(
    case: InfrastructureCase, line: SweepLine, proposal: ProposalShares
) -> SweepAxis:
    """The programme's line: ``party`` pays ρ of the swept projects' cost
    (:func:`~fairpool.models.infrastructure.proposal.proposal_slide`); NPVs affine in ρ; the
    budgets cut the core band exactly (:func:`~fairpool.models.infrastructure.proposal.
    budget_band`), the rules that cut it named by ``check``'s words."""
    from fairpool.models.infrastructure.proposal import (
        budget_band,
        budget_overruns,
        plan_violations,
        proposal_slide,
    )

    slide = proposal_slide(case, line, proposal)

    def rules_band(core: Band | None) -> tuple[Band | None, tuple[BandCut, ...]]:
        budgets = budget_band(case, slide)
        within = (
            None
            if core is None or budgets is None
            else (max(core[0], budgets[0]), min(core[1], budgets[1]))
        )
        return band_cuts(
            core,
            within,
            lambda rho: plan_violations(case, slide.build, slide.cost_shares(case, rho)),
        )

    return SweepAxis(
        amounts=lambda rho: slide.npv(case, rho),
        highest=slide.highest,
        baseline_value=baseline_value(slide.base[slide.party, list(slide.projects)]),
        value_column="share",
        line_fields=("project",),
        rules_flag="within_budgets",
        within=lambda rho: not budget_overruns(case, slide.cost_shares(case, rho)).any(),
        rules_band=rules_band,
    )


def water_axis(
    case: CostSharingCase, line: SweepLine, proposal: np.ndarray, grand_value: float
) -> SweepAxis:
    """The cost-sharing line: ``party``'s share ρ of c(N)
    (:func:`~fairpool.models.cost_sharing.proposal.share_fractions_line`), x(ρ) = c(N) · σ(ρ);
    no rules on the shares, so the band within the rules is the core band."""
    from fairpool.models.cost_sharing.proposal import share_fractions_line

    base = np.asarray(proposal, dtype=float)
    k = case.party_index(line.party)
    highest = 1.0
    if line.against is not None:
        highest = float(min(1.0, base[k] + base[case.party_index(line.against)]))
    start, slope = share_fractions_line(case, base, line.party, line.against)
    return SweepAxis(
        amounts=lambda rho: grand_value * (start + rho * slope),
        highest=highest,
        baseline_value=float(base[k]),
        value_column="share",
        line_fields=(),
        rules_band=lambda core: (core, ()),
    )


def sweep_axis(
    family: AnyFamily,
    case: Case,
    line: SweepLine,
    proposal: Any,
    grand_value: float,
    oracle: CoalitionOracle,
) -> SweepAxis:
    """The swept line of ``family`` (one of :data:`fairpool.models.FAMILY_NAMES`)."""
    if family.name == "joint_park":
        return park_axis(case, line, proposal, oracle)  # type: ignore[arg-type]
    if family.name == "infrastructure":
        return infrastructure_axis(case, line, proposal)  # type: ignore[arg-type]
    if family.name == "cost_sharing":
        return water_axis(case, line, proposal, grand_value)  # type: ignore[arg-type]
    raise CaseError(f"sweep by constraint generation does not know the model {family.name!r}")


EXACT_GENERATED_TARGETS = ("nucleolus", "prenucleolus", "least_core")
"""The targets generation computes exactly (Shapley above the limit is sampled): a sweep
with no proposal starts from the plan toward one of them."""


def plan_baseline(
    family: AnyFamily, case: Case, oracle: CoalitionOracle
) -> tuple[object, str, str | None]:
    """A sweep's baseline when the case has no proposal: the plan by constraint generation
    (:func:`fairpool.models.large.solve_large`) toward the case's target, or toward the
    nucleolus when that target is not computed exactly by generation (the returned note
    says so); as the family's proposal: the park's ratio table, the infrastructure's
    present-value share of each built project's cost, the cost shares of c(N) as fractions.
    Returns (proposal, the target used, note or ``None``)."""
    from fairpool.models.large import solve_large

    target = case.target if case.target in EXACT_GENERATED_TARGETS else "nucleolus"
    note = None
    if target != case.target:
        note = (
            f"The baseline is the plan toward the nucleolus: the case's target "
            f"{case.target!r} is not computed exactly by generation."
        )
    solved = solve_large(family, case, target, oracle=oracle)
    plan = solved.plan
    if plan is None:  # solve_large plans unless told not to
        raise CaseError(f"{case.name}: no plan to start the sweep from")
    if family.name == "joint_park":
        return plan.table, target, note
    if family.name == "infrastructure":
        return infrastructure_plan_shares(case, plan.table), target, note  # type: ignore[arg-type]
    amounts = np.array([plan.amounts[p] for p in solved.players])
    return amounts / solved.grand_value, target, note


def infrastructure_plan_shares(case: InfrastructureCase, table: pd.DataFrame) -> ProposalShares:
    """A yearly plan (party, project, year, amount) as a proposal: each party's present
    value share of each built project's cost (a project is built when the plan pays for
    it), as the enumerated sweep starts from its plan."""
    from fairpool.models.infrastructure.case import ProposalShares
    from fairpool.models.infrastructure.plan import shares_from_frame

    paid = shares_from_frame(case, table) @ case.discount
    cost = paid.sum(axis=0)
    built = cost > 1e-12 * max(1.0, float(np.abs(cost).max(initial=0.0)))
    shares = np.divide(paid, cost, out=np.full(paid.shape, 1.0 / case.n), where=built)
    return ProposalShares(shares, built, None)


def sweep_baseline(
    family: AnyFamily, case: Case, base: object | None, oracle: CoalitionOracle
) -> tuple[Any, SweepBaseline, str, str | None]:
    """Where the sweep starts: ``base`` (``given``), else the case's proposal sheet
    (``proposal``), else :func:`plan_baseline` (``plan``); with the target it was planned
    toward (the case's otherwise) and a note when that differs."""
    if base is not None:
        return base, "given", case.target, None
    sheet = getattr(case, "proposal", None)
    if sheet is not None:
        return sheet, "proposal", case.target, None
    plan, target, note = plan_baseline(family, case, oracle)
    return plan, "plan", target, note


class HandedOut:
    """``oracle`` with v(N) replaced by what the swept split hands out, x(N).

    :func:`~fairpool.optimizer.generation.algorithms.generated_core_interval` adds the
    efficiency rows x(N) = v(N); a sweep's band, like the enumerated ``core_band_on_line``,
    judges a split on what it hands out (a proposal whose build plan gives up welfare still
    has a band), so its grand value is x(N), constant along the line. Everything else is the
    oracle's."""

    def __init__(self, oracle: CoalitionOracle, handed_out: float) -> None:
        self.oracle = oracle
        self.handed_out = handed_out

    @property
    def players(self) -> tuple[str, ...]:
        return self.oracle.players

    @property
    def orientation(self) -> Orientation:
        return self.oracle.orientation

    @property
    def grand_value(self) -> float:
        return self.handed_out

    @property
    def statistics(self) -> OracleStatistics:
        return self.oracle.statistics

    def value(self, mask: int) -> float:
        return self.oracle.value(mask)

    def most_violated(
        self, shares: np.ndarray, *, excluded: Sequence[int] = (), count: int = 1
    ) -> list[Violation]:
        return self.oracle.most_violated(shares, excluded=excluded, count=count)


def affinity_gap(axis: SweepAxis, low: float, high: float, values: Sequence[float]) -> float:
    """The largest distance of x(ρ) from the line through x(low) and x(high), relative to
    the amounts' scale, over an interior probe and the ``values`` within [low, high] (0 for
    a piece of one point)."""
    if high <= low:
        return 0.0
    start, end = axis.amounts(low), axis.amounts(high)
    slope = (end - start) / (high - low)
    probes = [low + AFFINE_PROBE * (high - low), *(v for v in values if low <= v <= high)]
    worst = 0.0
    for rho in probes:
        amounts = axis.amounts(rho)
        scale = unit_scale(np.concatenate([start, end, amounts]))
        worst = max(worst, float(np.abs(amounts - start - (rho - low) * slope).max()) / scale)
    return worst


@dataclasses.dataclass(frozen=True)
class LineBand:
    """The core band of a swept line (:func:`line_core_band`): ``band`` (``None``: no value
    is in the core, or refused), ``refusal`` (why it was not computed, else ``None``), the
    affine ``pieces`` it was computed on, the ratio tests (``rounds``) and the coalitions
    generated (``rows``) over all pieces."""

    band: Band | None
    refusal: str | None
    pieces: int
    rounds: int
    rows: int


def line_core_band(
    axis: SweepAxis,
    oracle: CoalitionOracle,
    values: Sequence[float],
    progress: Progress | None = None,
) -> LineBand:
    """The core band of ``axis`` by constraint generation (module docstring): on each affine
    piece [a, b] of the line, x(ρ) = x(a) + (ρ − a) · Δ and
    :func:`~fairpool.optimizer.generation.algorithms.generated_core_interval` finds the ρ in
    the core (efficiency on what the split hands out, :class:`HandedOut`); the band runs from
    the lowest to the highest of them. Refused when the amounts leave the straight line on a
    piece by more than 1e-6 of their scale (at an interior probe or one of ``values``)."""
    from fairpool.optimizer.generation.algorithms import generated_core_interval

    pieces = axis.pieces()
    gap = max(affinity_gap(axis, low, high, values) for low, high in pieces)
    if gap > RELATIVE_TOLERANCE * 1e3:
        refusal = (
            f"the amounts are not affine in the {axis.value_column} along this line (they "
            f"leave the straight line by {gap:.2g} of their scale), so the core band is not "
            "computed by generation; the table is exact; --exact computes the band"
        )
        return LineBand(None, refusal, len(pieces), 0, 0)
    rounds, rows, piece_rows = 0, 0, [0]

    def band_progress(event: Any) -> None:
        nonlocal rounds
        rounds += 1
        piece_rows[0] = max(piece_rows[0], int(event.rows))
        if progress is not None:
            progress(
                f"{event.what}, round {event.round}: {event.rows} coalitions, at "
                f"{axis.value_column} {event.epsilon:.6g}, worst excess {event.gap:.4g}"
            )

    found: list[Band] = []
    for low, high in pieces:
        start = np.asarray(axis.amounts(low), dtype=np.float64)
        slope = (
            (np.asarray(axis.amounts(high), dtype=np.float64) - start) / (high - low)
            if high > low
            else np.zeros_like(start)
        )
        piece_rows[0] = 0
        piece = generated_core_interval(
            HandedOut(oracle, float(start.sum())),
            start - low * slope,
            slope,
            low,
            high,
            progress=band_progress,
        )
        rows += piece_rows[0]
        if piece is not None:
            found.append(piece)
    band = (min(b[0] for b in found), max(b[1] for b in found)) if found else None
    return LineBand(band, None, len(pieces), rounds, rows)


def sweep_large(
    family: AnyFamily,
    case: Case,
    line: SweepLine,
    values: Sequence[float],
    progress: Progress | None = None,
    oracle: CoalitionOracle | None = None,
    *,
    base: object | None = None,
) -> LargeSweep:
    """Sweep ``line`` over ``values`` by constraint generation (module docstring): each
    value's amounts, worst coalition (certified) and core verdict, and the core band.

    ``values`` are fractions in [0, 1] (others: :class:`CaseError`); those beyond what the
    line allows with a counterparty are left out, as the enumerated sweep does. ``base``: a
    baseline proposal in the family's form (as ``check`` takes it), else the case's.
    """
    started = time.perf_counter()
    line = sweep_line(case, line)
    for value in values:
        if not 0.0 <= float(value) <= 1.0:
            raise CaseError(f"sweep value {float(value):g} is outside [0, 1]")
    oracle = oracle or case_oracle(family, case)
    before = dataclasses.replace(oracle.statistics)  # a reused oracle has counted already
    players = tuple(oracle.players)
    grand = float(oracle.grand_value)
    given, baseline, target, baseline_note = sweep_baseline(family, case, base, oracle)
    axis = sweep_axis(family, case, line, given, grand, oracle)
    kept = sweep_values(values, axis.highest, axis.value_column, case, line)
    if progress is not None:
        progress(f"stand-alone values of {len(players)} parties")
    standalone = np.array([oracle.value(1 << i) for i in range(len(players))])
    tolerance = CORE_RELATIVE_TOLERANCE * game_scale(grand, standalone)
    prefix = "cost_" if oracle.orientation == "cost" else "npv_"
    rows: list[dict[str, object]] = []
    for number, rho in enumerate(kept, start=1):
        if progress is not None:
            progress(f"{axis.value_column} {rho:g} ({number} of {len(kept)}): separation")
        amounts = np.asarray(axis.amounts(rho), dtype=np.float64)
        found = oracle.most_violated(amounts, count=1)
        if not found:
            raise CaseError(f"{case.name}: a sweep needs at least two parties")
        worst = coalition_certificate(oracle, found[0].mask, amounts, found[0].value, tolerance)
        row: dict[str, object] = {axis.value_column: float(rho)}
        row.update({prefix + p: float(x) for p, x in zip(players, amounts, strict=True)})
        row.update(
            in_core=bool(worst.excess <= tolerance),
            worst_coalition=worst.coalition,
            worst_excess=float(worst.excess),
        )
        if axis.rules_flag is not None and axis.within is not None:
            row[axis.rules_flag] = bool(axis.within(rho))
        rows.append(row)
    notes = list(axis.notes) + ([baseline_note] if baseline_note else [])
    found_band = line_core_band(axis, oracle, kept, progress)
    if found_band.pieces > 1:
        notes.append(
            f"The amounts are affine on {found_band.pieces} pieces of the line (a cap binds "
            "from a value on); the core band runs from the lowest to the highest value in "
            "the core on any piece, as --exact's band does."
        )
    within_band: Band | None = None
    cuts: tuple[BandCut, ...] = ()
    if axis.rules_band is not None and found_band.refusal is None:
        within_band, cuts = axis.rules_band(found_band.band)
    work = generation_work(oracle, found_band.rounds, found_band.rows, started, before)
    return LargeSweep(
        **large_case_fields(case, oracle),
        line=line,
        line_fields=axis.line_fields,
        value_column=axis.value_column,
        table=pd.DataFrame.from_records(rows),
        core_band=found_band.band,
        band_refusal=found_band.refusal,
        band_within_rules=within_band,
        cuts=cuts,
        baseline=baseline,
        target=target,
        baseline_value=axis.baseline_value,
        value_range=(0.0, axis.highest),
        rules_flag=axis.rules_flag,
        grand_value=grand,
        tolerance=tolerance,
        notes=tuple(notes),
        work=work,
    )


__all__ = [
    "AFFINE_PROBE",
    "EXACT_GENERATED_TARGETS",
    "HandedOut",
    "LineBand",
    "SweepAxis",
    "affinity_gap",
    "infrastructure_axis",
    "infrastructure_plan_shares",
    "line_core_band",
    "park_axis",
    "plan_baseline",
    "sweep_axis",
    "sweep_baseline",
    "sweep_large",
    "water_axis",
]
