"""The family contract: what every model family provides, and the result types it returns.

A *model family* (``joint_park``, ``infrastructure``, ``cost_sharing``) turns a case workbook
into a cooperative game and a plan. Every family is one package under ``models/`` whose
``FAMILY`` is a :class:`Family`: its name, schema and these functions, with the same
signatures in every family:

============================  ==========================================================
``read_case(path)``           the validated case (every problem of the file at once)
``read_proposal(path, case)`` the ``proposal`` sheet of another workbook, for ``check``
``coalition_game(case)``      v(S) (cost games: c(S)) for every coalition
``coalition_model(case)``     the compiled v(S) model, or ``None`` when v(S) is listed
``solve(case, ...)``          the fairest plan within the rules: a :class:`PlanResult`
``check(case, proposal)``     a proposal judged: a :class:`ProposalCheck`
``sweep(case, line, values)`` one :class:`SweepLine` of the plan slid, and its core band
``write_template(path)``      a case workbook to fill
============================  ==========================================================

The results are computed once, by the family: ``reports/`` renders them and computes
nothing; they are typed, frozen, and the same class for every family. Amounts are in the
case unit; a benefit family's plan amounts are NPVs, a cost family's are cost shares
(``amount_kind``), and excesses follow the game's orientation (v(S) − x(S), or x(S) − c(S)).

Adding a family: write ``models/<name>/`` with the same modules as the others (schema, case,
coalitions, plan, proposal, template), expose ``FAMILY``, and add the name to
:data:`fairpool.models.FAMILY_NAMES`. The contract test (``tests/models/test_contract.py``)
runs every family through every method.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.optimizer.analysis import GameAnalysis
    from fairpool.optimizer.coalitions import CompiledCoalitionModel
    from fairpool.optimizer.fairness import FairnessReport
    from fairpool.optimizer.game import Game, Orientation
    from fairpool.optimizer.properties import GameProperties
    from fairpool.optimizer.results import Allocation
    from fairpool.optimizer.workbook.schema import ModelSchema

ALL = "*"
"""Every stream, phase or project (a sweep line, a rule)."""

AmountKind = Literal["npv", "cost_shares"]
"""What a plan's amounts are: NPVs (benefit families) or cost shares (cost families)."""

PlanTableKind = Literal["ratios", "shares"]
"""The plan table's JSON key: split ratios (joint park) or cost shares."""

CoreMode = Literal["hard", "soft", "off"]
DistanceKind = Literal["l1", "linf"]


class Case(Protocol):
    """What every family's case has (each family's case class adds its own data)."""

    @property
    def model(self) -> str:
        """The family name, as in the ``case`` sheet's ``model`` row."""
        ...

    @property
    def name(self) -> str: ...

    @property
    def unit(self) -> str: ...

    @property
    def parties(self) -> tuple[str, ...]: ...

    @property
    def party_names(self) -> tuple[str, ...]: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SweepLine:
    """One line of a plan that a sweep slides: ``party``'s split ratio of ``stream`` in
    ``phase`` (joint park), its cost share of ``project`` (infrastructure), or its share of
    the whole cost (cost sharing). ``*`` is every stream, phase or project; a family ignores
    the fields that do not apply to it."""

    party: str
    stream: str = ALL
    phase: str = ALL
    project: str = ALL


@dataclass(frozen=True)
class SweepResult:
    """A sweep of one :class:`SweepLine` and its exact core band.

    Attributes:
        line: what slid.
        value_column: the table's first column, ``ratio`` (joint park) or ``share``.
        table: one row per value: the value, ``npv_<party>`` (cost games ``cost_<party>``),
            ``in_core``, ``worst_coalition``, ``worst_excess``, and where the family has
            them ``within_rules`` or ``within_budgets``.
        core_band: (lo, hi), the values where no coalition blocks, computed exactly (not read
            off the grid); ``None`` when no value is in the core.
    """

    line: SweepLine
    value_column: str
    table: pd.DataFrame
    core_band: tuple[float, float] | None


@dataclass(frozen=True, kw_only=True)
class PlanResult:
    """Everything ``fairpool solve`` reports for a case, the same fields for every family.

    Attributes:
        model: the family name; case_name, unit: from the ``case`` sheet.
        players, names: party ids and display names.
        game: the coalition game; ``coalition_values`` {"A+B": v(S)} (cost games: c(S)).
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
            decided with :func:`fairpool.models.planning.core_tolerance`.
        plan_kind, plan_table: the plan as a table: ``ratios`` (party, stream, phase, ratio)
            or ``shares`` (party, project, year, amount).
        cash_flows: amounts per party and year (columns per family; empty when the plan has
            no years).
        tables: further tables of the family, by sheet name, in the order a report shows
            them (statistic credit, the build plan, payments per method, facilities, ...).
        facts: family-specific figures for a summary, as (key, value) pairs (components
            built, welfare, Nash bounds, ...).
        warnings: odd-but-solvable findings; timings: seconds per step.
    """

    model: str
    case_name: str
    unit: str
    players: tuple[str, ...]
    names: tuple[str, ...]
    game: Game
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


@dataclass(frozen=True, kw_only=True)
class ProposalCheck:
    """A proposal judged (``fairpool check``), the same fields for every family.

    Attributes:
        model, case_name, unit, players, names, game: as in :class:`PlanResult`.
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
    """

    model: str
    case_name: str
    unit: str
    players: tuple[str, ...]
    names: tuple[str, ...]
    game: Game
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

    @property
    def allocation(self) -> Allocation:
        """The proposal as an allocation of the game (its key in ``analysis``)."""
        return self.analysis.allocations["proposal"]


CaseT = TypeVar("CaseT", bound=Case)
ProposalT = TypeVar("ProposalT")
CaseIn = TypeVar("CaseIn", bound=Case, contravariant=True)
PathLike = str | os.PathLike[str]


class SolveCase(Protocol[CaseIn]):
    """``solve(case, *, target=None, core=None, distance=None) -> PlanResult``: the fairest
    plan within the rules; settings left ``None`` come from the case sheet."""

    def __call__(
        self,
        case: CaseIn,
        /,
        *,
        target: str | None = None,
        core: CoreMode | None = None,
        distance: DistanceKind | None = None,
    ) -> PlanResult: ...


@dataclass(frozen=True, kw_only=True)
class Family(Generic[CaseT, ProposalT]):
    """The contract every model family implements: its name, schema and functions, with the
    same signatures in every family (see the module docstring).

    Attributes:
        name: the ``model`` row of its workbooks; schema: their sheets and columns;
        targets: the plan targets it accepts (help text); orientation: ``benefit`` (v(S))
        or ``cost`` (c(S)).
        read_case(path): the validated case; every problem of the file in one CaseError.
        read_proposal(path, case): the ``proposal`` sheet of a workbook, checked against case.
        coalition_game(case): v(S) (cost: c(S)) of every coalition, by the coalition engine.
        coalition_model(case): the compiled v(S) model, ``None`` when the case lists v(S).
        solve(case, *, target, core, distance): a :class:`PlanResult`.
        check(case, proposal): a :class:`ProposalCheck` (proposal ``None``: the case's own).
        sweep(case, line, values): a :class:`SweepResult`.
        write_template(path): a case workbook to fill, written atomically.
    """

    name: str
    schema: ModelSchema
    targets: str
    orientation: Orientation
    read_case: Callable[[PathLike], CaseT]
    read_proposal: Callable[[PathLike, CaseT], ProposalT]
    coalition_game: Callable[[CaseT], Game]
    coalition_model: Callable[[CaseT], CompiledCoalitionModel | None]
    solve: SolveCase[CaseT]
    check: Callable[[CaseT, ProposalT | None], ProposalCheck]
    sweep: Callable[[CaseT, SweepLine, Sequence[float]], SweepResult]
    write_template: Callable[[PathLike], Path]


__all__ = [
    "ALL",
    "AmountKind",
    "Case",
    "CoreMode",
    "DistanceKind",
    "Family",
    "PathLike",
    "PlanResult",
    "PlanTableKind",
    "ProposalCheck",
    "SolveCase",
    "SweepLine",
    "SweepResult",
]
