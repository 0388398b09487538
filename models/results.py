"""The typed results of a case, the same classes for every model family.

What ``fairpool solve`` (:class:`PlanResult`), ``check`` (:class:`ProposalCheck`, with the
parties' positions, the blocking coalitions and the smallest fix) and ``sweep``
(:class:`SweepResult` of a :class:`SweepLine`) return. They are computed once, by the family
(:mod:`fairpool.models.family` is the contract that returns them); ``reports/`` renders them
and computes nothing, and may import this module and the contract only. Amounts are in the
case unit; a benefit family's plan amounts are NPVs, a cost family's are cost shares
(``amount_kind``), and excesses follow the game's orientation (v(S) − x(S), or x(S) − c(S)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.optimizer.analysis import GameAnalysis
    from fairpool.optimizer.fairness import FairnessReport
    from fairpool.optimizer.game import Game
    from fairpool.optimizer.properties import GameProperties
    from fairpool.optimizer.results import Allocation

ALL = "*"
"""Every stream, phase or project (a sweep line, a rule)."""

AmountKind = Literal["npv", "cost_shares"]
"""What a plan's amounts are: NPVs (benefit families) or cost shares (cost families)."""

PlanTableKind = Literal["ratios", "shares"]
"""The plan table's JSON key: split ratios (joint park) or cost shares."""

CoreMode = Literal["hard", "soft", "off"]
DistanceKind = Literal["l1", "linf"]


@dataclass(frozen=True)
class SweepLine:
    """One line of a plan that a sweep slides: ``party``'s split ratio of ``stream`` in
    ``phase`` (joint park), its cost share of ``project`` (infrastructure), or its share of
    the whole cost (cost sharing). ``*`` is every stream, phase or project; a family ignores
    the fields that do not apply to it.

    ``against``: the one party that gives up (or takes) what ``party`` gains (or gives up) on
    the line, every other party keeping its baseline value; ``None``: the other parties share
    the rest in the baseline's proportions."""

    party: str
    stream: str = ALL
    phase: str = ALL
    project: str = ALL
    against: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """What every result of a case names first: the case and its coalition game.

    Attributes:
        model: the family name; case_name, unit: from the ``case`` sheet.
        players, names: party ids and display names; game: the coalition game.
    """

    model: str
    case_name: str
    unit: str
    players: tuple[str, ...]
    names: tuple[str, ...]
    game: Game


SweepBaseline = Literal["proposal", "plan", "given"]
"""Where a sweep starts: the case's ``proposal`` sheet, the ``plan`` for the case's target
(when the case has no proposal), or a proposal the caller ``given``."""

BandSide = Literal["low", "high", "whole"]


@dataclass(frozen=True)
class BandCut:
    """Where the rules cut a sweep's core band, and the rules that cut it.

    Attributes:
        side: ``low``: values of the core band below ``at`` break ``rules``; ``high``: values
            above ``at`` do; ``whole``: no value of the core band keeps the rules (``at`` is
            ``None``; ``rules`` are those broken across the core band).
        at: the end of the band within the rules where the cut falls.
        rules: the rules the swept plan breaks just beyond ``at``, in the family's words
            (``breaks sheet rules row 4 (PROV, stream *, phase *: ratio 0–0.5)``, ``puts AH
            over its budget (sheet budgets) in 2027``).
    """

    side: BandSide
    at: float | None
    rules: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SweepResult(CaseResult):
    """A sweep of one :class:`SweepLine`: the table, the exact core band, and the band within
    the rules, with what cuts it (``fairpool sweep``).

    The swept party's ratio (or cost share) takes each value; every other decision value stays
    at the baseline's, except on the swept line, where the other parties either share the
    rest in the baseline's proportions (``line.against`` ``None``) or one named counterparty
    alone gives up or takes the difference (``line.against``: its id; the others keep theirs).

    Attributes:
        model, case_name, unit, players, names, game: the case (:class:`CaseResult`).
        line: what slid; value_column: the table's first column, ``ratio`` (joint park) or
            ``share``.
        table: one row per value: the value, ``npv_<party>`` (cost games ``cost_<party>``),
            ``in_core``, ``worst_coalition``, ``worst_excess``, and where the family has
            rules on the line its flag column (:attr:`rules_flag`).
        core_band: (lo, hi), the values where no coalition blocks, computed exactly (not read
            off the grid), whatever the rules; ``None`` when no value is in the core.
        band_within_rules: the part of the core band where the swept plan also keeps every
            rule (exact; ``None`` when no such value); equal to ``core_band`` in a family
            without rules on the line.
        cuts: why the two bands differ (:class:`BandCut`; empty when they agree).
        baseline: ``proposal``, ``plan`` or ``given`` (:data:`SweepBaseline`); target: the
            case's plan target (the plan baseline's).
        baseline_value: the baseline's value of the swept line (``None`` when the swept
            cells hold different values).
        value_range: the values the line can take: [0, 1], or with ``against`` up to what
            the party and its counterparty hold together.
        rules_flag: the table's rules column (``within_rules``, ``within_budgets``), or
            ``None`` when the family has no rules on the line.
        line_fields: the :class:`SweepLine` fields that apply to the family (``stream`` and
            ``phase``, ``project``, or none: the share of the whole cost).
    """

    line: SweepLine
    value_column: str
    table: pd.DataFrame
    core_band: tuple[float, float] | None
    band_within_rules: tuple[float, float] | None
    baseline: SweepBaseline
    target: str
    cuts: tuple[BandCut, ...] = ()
    baseline_value: float | None = None
    value_range: tuple[float, float] = (0.0, 1.0)
    rules_flag: str | None = None
    line_fields: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PlanResult(CaseResult):
    """Everything ``fairpool solve`` reports for a case, the same fields for every family.

    Attributes:
        model, case_name, unit, players, names, game: the case (:class:`CaseResult`).
        coalition_values: {"A+B": v(S)} (cost games: c(S)).
        allocations: {method: Allocation} of every method the family computes (benefit
            families: NPVs; cost families: cost shares).
        fairness: {method: FairnessReport} of each allocation, and ``plan`` for the plan.
        skipped: {method: why it does not apply to this game}.
        properties, least_core_epsilon: of the game (ε* > 0: the core is empty).
        target, core, distance_kind: the plan's settings.
        target_shares: {party: the target's amount}.
        amount_kind: ``npv`` or ``cost_shares``; amounts: {party: the plan's amount}.
        distance: Σ |plan − target| (l1) or max (linf), in the case unit.
        residual: {party: plan − target}.
        epsilon: least core violation of the plan within the rules (0 when some plan within
            the rules is in the core, and when core = off).
        worst_coalition, worst_excess: the coalition most tempted to leave and how much
            better off it would be alone (> 0 beyond the core tolerance: it blocks the plan).
        in_core, individually_rational: the plan's verdict ({party: bool} for the latter),
            decided with :func:`fairpool.models.verdicts.core_tolerance`.
        plan_kind, plan_table: the plan as a table: ``ratios`` (party, stream, phase, ratio)
            or ``shares`` (party, project, year, amount).
        cash_flows: amounts per party and year (columns per family; empty when the plan has
            no years).
        tables: further tables of the family, by sheet name, in the order a report shows
            them (statistic credit, the build plan, payments per method, facilities, ...).
        facts: family-specific figures for a summary, as (key, value) pairs (components
            built, welfare, Nash bounds, ...).
        warnings: odd-but-solvable findings; timings: seconds per step.
        simplifications: the steps taken after the fairness step (issue 12), each with its
            price in money (:class:`Simplification`): the stability step, and each simplicity
            option turned on (``round_to``, ``uniform_streams``, ``max_changes``,
            ``transfers``, ``fewest_distinct``), in the order applied; empty when none was
            asked for.
        simplicity: how simple the plan is to sign, counted as a proposal's is
            (:class:`ProposalSimplicity`; ``None``: not counted).
    """

    coalition_values: Mapping[str, float]
    allocations: Mapping[str, Allocation]
    fairness: Mapping[str, FairnessReport]
    skipped: Mapping[str, str]
    properties: GameProperties
    least_core_epsilon: float
    target: str
    core: str
    distance_kind: str
    target_shares: Mapping[str, float]
    amount_kind: AmountKind
    amounts: Mapping[str, float]
    distance: float
    residual: Mapping[str, float]
    epsilon: float
    worst_coalition: str
    worst_excess: float
    in_core: bool
    individually_rational: Mapping[str, bool]
    plan_kind: PlanTableKind
    plan_table: pd.DataFrame
    cash_flows: pd.DataFrame
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    facts: tuple[tuple[str, object], ...] = ()
    warnings: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    simplifications: tuple[Simplification, ...] = ()
    simplicity: ProposalSimplicity | None = None


@dataclass(frozen=True)
class Simplification:
    """One step that makes a plan steadier or simpler, and what it costs in fairness.

    Attributes:
        name: ``stability``, ``round_to``, ``uniform_streams``, ``max_changes``,
            ``transfers`` or ``fewest_distinct``.
        description: what it did, in plain English with the figures ("rounding to 5% moves
            四川省 412 万元 from its Shapley value; still in the core"), or why it could not be
            applied (the rules made infeasible by it).
        distance_before, distance_after: the plan's distance to the target without and
            with it, in the case unit.
        price: distance_after − distance_before, in the case unit (0 when it was not
            applied).
        in_core: the verdict of the plan with it.
        applied: ``False`` when it made the rules infeasible (the plan is without it).
    """

    name: str
    description: str
    distance_before: float
    distance_after: float
    price: float
    in_core: bool
    applied: bool = True


SimplicityKind = Literal["ratio", "share"]
"""What a simplicity count is of: split ratios (joint park) or cost shares."""


@dataclass(frozen=True, kw_only=True)
class ProposalSimplicity:
    """How simple a proposal (or a plan) is to sign, in the words of the simplicity options
    of ``solve`` (issue 12; counted by :mod:`fairpool.models.simplicity`), so that a plan
    and a proposal can be compared.

    Attributes:
        value_kind: ``ratio`` (split ratios per party × stream × phase) or ``share`` (cost
            shares per party × project, or of the whole cost).
        values: how many values were counted (the cells given; shares of built projects).
        distinct_values: how many different values they hold (noise below 1e-6 is none).
        grid: the coarsest of 0.05 and 0.01 that every value lies on, ``None`` when
            neither (``round_to``).
        changes: joint park: {party: phases in which any of its cash ratios changes} (what
            ``max_changes`` bounds); empty for shares.
        most_changes: the most changes of any party (``None`` for shares).
        uniform_streams: joint park: one ratio per party and phase serves every cash stream
            (``uniform_streams``); ``None`` for shares.
        outside_payments: infrastructure and cost sharing: how many party × project (or
            facility) payments go toward what the party neither hosts nor benefits from
            (uses) (``transfers = none`` forbids them); ``None`` where it does not apply
            (ratios; a cost case that lists its coalition costs).
        outside_amount: what those payments come to in the case unit (present value), or
            ``None`` with ``outside_payments``.
    """

    value_kind: SimplicityKind
    values: int
    distinct_values: int
    grid: float | None
    changes: Mapping[str, int] = field(default_factory=dict)
    most_changes: int | None = None
    uniform_streams: bool | None = None
    outside_payments: int | None = None
    outside_amount: float | None = None

    def record(self) -> dict[str, object]:
        """The counts as a JSON object (the ``simplicity`` key of ``check --json``)."""
        return {
            "value_kind": self.value_kind,
            "values": int(self.values),
            "distinct_values": int(self.distinct_values),
            "grid": self.grid,
            "changes": {party: int(count) for party, count in self.changes.items()},
            "most_changes": self.most_changes,
            "uniform_streams": self.uniform_streams,
            "outside_payments": self.outside_payments,
            "outside_amount": self.outside_amount,
        }


@dataclass(frozen=True)
class PartyPosition:
    """One party under a proposal, beside what it reaches alone and the reference methods
    (the game's orientation: NPVs, or cost shares).

    Attributes:
        party, name: id and display name.
        proposal, alone: its amount under the proposal and on its own (v({i}), or c({i})).
        shapley, nucleolus: its amount by those methods (``None`` when one does not apply).
        gain_over_alone: proposal − alone (cost games: alone − proposal, the saving).
        individually_rational: gain ≥ 0 within the core tolerance.
        blocks_with: the coalition of two or more parties, holding this one, that would gain
            most by leaving ("A+B"), or "" when it is in no blocking coalition.
    """

    party: str
    name: str
    proposal: float
    alone: float
    shapley: float | None
    nucleolus: float | None
    gain_over_alone: float
    individually_rational: bool
    blocks_with: str


@dataclass(frozen=True)
class BlockingCoalition:
    """A coalition that would be better off leaving: its label ("A+B"), its members' display
    names and its excess (v(S) − x(S), or x(S) − c(S): what it gains by leaving, > tol)."""

    coalition: str
    names: tuple[str, ...]
    excess: float


FixStatus = Literal["not_needed", "found", "impossible"]
"""A fix's outcome: the proposal is fair already, a fix was found, or none within the rules."""


@dataclass(frozen=True)
class FixChange:
    """One decision value a fix changes: ``party``'s ratio of ``stream`` in ``phase`` (joint
    park), its share of ``project``'s cost (infrastructure) or of the whole cost (cost
    sharing; project ``*``), from ``before`` to ``after`` (fractions in [0, 1]). Fields that
    do not apply are ""."""

    party: str
    stream: str
    phase: str
    project: str
    before: float
    after: float


@dataclass(frozen=True, kw_only=True)
class ProposalFix:
    """The smallest fix of a proposal: the least change of its decision values (L1, then the
    fewest entries) that puts it in the core within the rules (``fairpool check``).

    Attributes:
        status: ``not_needed`` (fair already), ``found`` or ``impossible``.
        value_kind: what the changed values are: ``ratio`` (joint park) or ``share``.
        changes: the entries that change, in the family's order (empty unless found).
        l1_change: Σ |after − before| over every decision value (fractions, unit-free).
        amounts: {party: amount after the fix} (empty unless found).
        in_core, worst_coalition, worst_excess: the verdict after the fix (as a check's;
            for ``impossible``, of the proposal as it is).
        rule_violations: the rules the fixed proposal breaks (empty: the fix keeps them).
        obstacles: why no fix exists (the rules that stand in the way, or an empty core);
        conflict: the obstacles are a minimal set of rules that, with the core, admit no
            proposal (without any one of them the others would admit one).
        least_excess: for ``impossible``: the least worst excess any proposal within the
            rules reaches (``None`` when not computed).
        seconds: time the fix took.
    """

    status: FixStatus
    value_kind: Literal["ratio", "share"]
    changes: tuple[FixChange, ...] = ()
    l1_change: float = 0.0
    amounts: Mapping[str, float] = field(default_factory=dict)
    in_core: bool = False
    worst_coalition: str = ""
    worst_excess: float = 0.0
    rule_violations: tuple[str, ...] = ()
    obstacles: tuple[str, ...] = ()
    conflict: bool = False
    least_excess: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class ProposalCheck(CaseResult):
    """A proposal judged (``fairpool check``), the same fields for every family.

    Attributes:
        model, case_name, unit, players, names, game: the case (:class:`CaseResult`).
        analysis: every method on the game and the proposal (key ``proposal``), with their
            fairness reports, the properties and the least core, computed once.
        plan_kind, proposal_table: the proposal as ratios or shares, wildcards expanded.
        amount_kind, amounts: {party: NPV (or cost share) under the proposal}.
        cash_flows: amounts per party and year under the proposal (may be empty).
        individually_rational: {party: at least what it reaches alone}.
        in_core, worst_coalition, worst_excess: the coalition most tempted to leave.
        distances: {method: Σ_p |amount_p − x_p|} to shapley and nucleolus (L1).
        rule_violations: the rules, floors, budgets or links the proposal breaks.
        verdict: plain-language lines for a negotiator.
        fair: individually rational, in the core and within the rules.
        facts: family-specific figures, as (key, value) pairs (welfare given up, ...).
        parties: each party's position (:class:`PartyPosition`), in the game's order.
        blocking: the coalitions that would gain by leaving, largest excess first, at most
            five; blocking_count: how many there are in all.
        fix: the smallest fix (:class:`ProposalFix`; ``None``: not computed).
        simplicity: how simple the proposal is to sign (:class:`ProposalSimplicity`;
            ``None``: not counted).
    """

    analysis: GameAnalysis
    plan_kind: PlanTableKind
    proposal_table: pd.DataFrame
    amount_kind: AmountKind
    amounts: Mapping[str, float]
    cash_flows: pd.DataFrame
    individually_rational: Mapping[str, bool]
    in_core: bool
    worst_coalition: str
    worst_excess: float
    distances: Mapping[str, float]
    rule_violations: tuple[str, ...]
    verdict: tuple[str, ...]
    fair: bool
    facts: tuple[tuple[str, object], ...] = ()
    parties: tuple[PartyPosition, ...] = ()
    blocking: tuple[BlockingCoalition, ...] = ()
    blocking_count: int = 0
    fix: ProposalFix | None = None
    simplicity: ProposalSimplicity | None = None

    @property
    def allocation(self) -> Allocation:
        """The proposal as an allocation of the game (its key in ``analysis``)."""
        return self.analysis.allocations["proposal"]
