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

What the families share is written once: their cases extend :class:`CaseSettings` (the
``case`` sheet and the parties, read by :func:`case_settings`; :class:`DiscountedCaseSettings`
adds the discount rate, base year and years), workbooks are read and written by
:class:`~fairpool.optimizer.workbook.reader.CaseReader` and
:class:`~fairpool.optimizer.workbook.template.CaseWriter`, compiled coalition models extend
:class:`~fairpool.optimizer.coalitions.PyomoCoalitionModel`, and the plan verdicts, results
and coalition games come from :mod:`fairpool.models.planning`.

Adding a family: write ``models/<name>/`` with the same modules as the others (schema, case,
coalitions, plan, proposal, template), set ``FAMILY = family_from_modules(SCHEMA, case,
coalitions, plan, proposal, template)`` in its ``__init__`` (the type checker then checks the
modules against the contract), and add the name to :data:`fairpool.models.FAMILY_NAMES`. The
contract test (``tests/models/test_contract.py``) runs every family through every method.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Literal,
    Protocol,
    TypeAlias,
    TypedDict,
    TypeVar,
    Unpack,
    cast,
)

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.optimizer.analysis import GameAnalysis
    from fairpool.optimizer.coalitions import CompiledCoalitionModel
    from fairpool.optimizer.fairness import FairnessReport
    from fairpool.optimizer.game import Game, Orientation
    from fairpool.optimizer.properties import GameProperties
    from fairpool.optimizer.results import Allocation
    from fairpool.optimizer.workbook.reader import CaseTables
    from fairpool.optimizer.workbook.schema import ModelSchema

ALL = "*"
"""Every stream, phase or project (a sweep line, a rule)."""

AmountKind = Literal["npv", "cost_shares"]
"""What a plan's amounts are: NPVs (benefit families) or cost shares (cost families)."""

PlanTableKind = Literal["ratios", "shares"]
"""The plan table's JSON key: split ratios (joint park) or cost shares."""

CoreMode = Literal["hard", "soft", "off"]
DistanceKind = Literal["l1", "linf"]


@dataclass(frozen=True)
class PlanSettings:
    """How a plan is sought: the target allocation (``shapley``, ``proportional:gdp``, ...),
    the core constraints (``hard``, ``soft``, ``off``) and the distance to the target
    (``l1``: Σ_p |x_p − τ_p|, ``linf``: max_p |x_p − τ_p|)."""

    target: str
    core: CoreMode
    distance: DistanceKind


class PlanOptions(TypedDict, total=False):
    """The plan settings a caller may give ``solve`` (by keyword); ``None`` or absent: the
    case sheet's (:meth:`CaseSettings.plan_settings`)."""

    target: str | None
    core: CoreMode | None
    distance: DistanceKind | None


@dataclass(frozen=True, kw_only=True, eq=False)
class CaseSettings:
    """What every family's case holds: the ``case`` sheet's settings and the parties.

    Each family's case class (``JointParkCase``, ``InfrastructureCase``, ``CostSharingCase``)
    extends it with its own data. The fields are keyword-only, so a subclass declares only its
    own fields (with or without defaults) and a case is always built by keyword;
    :func:`case_settings` reads these fields from a workbook, once for every family.

    Attributes:
        model: the family name, as in the ``case`` sheet's ``model`` row (a class attribute
            of each family's case class).
        source: the workbook read (or the name given to in-memory rows).
        name, unit: the ``case`` sheet's (a blank name: the file's stem).
        target, core, distance: the plan's settings (:meth:`plan_settings`).
        time_limit: the solver's limit per solve in seconds (``None``: none).
        parties, party_names: ids and display names, in workbook order (bit i of a coalition
            mask is party i).
        attributes: numeric party columns, {name: value per party} (proportional targets).
        coalition_values: {mask: v(S)} (cost games: c(S)) when the workbook lists them (a
            ``coalitions`` sheet), else ``None``: the family's model computes them.
        warnings: odd-but-solvable findings of reading.
    """

    model: ClassVar[str]
    source: str
    name: str
    unit: str
    target: str
    core: CoreMode
    distance: DistanceKind
    time_limit: float | None
    parties: tuple[str, ...]
    party_names: tuple[str, ...]
    attributes: Mapping[str, np.ndarray]
    coalition_values: Mapping[int, float] | None = None
    warnings: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """The number of parties."""
        return len(self.parties)

    def party_index(self, party: str) -> int:
        """The position of ``party`` among :attr:`parties` (its bit in a coalition mask)."""
        return self.parties.index(party)

    def plan_settings(
        self,
        target: str | None = None,
        core: CoreMode | None = None,
        distance: DistanceKind | None = None,
    ) -> PlanSettings:
        """The settings of a plan: those given, and the case sheet's for those left ``None``."""
        return PlanSettings(target or self.target, core or self.core, distance or self.distance)


@dataclass(frozen=True, kw_only=True, eq=False)
class DiscountedCaseSettings(CaseSettings):
    """The settings of a case whose amounts are yearly cash flows (joint park, infrastructure):
    the ``case`` sheet's discount rate r and base year, and the calendar years of the case.

    Attributes:
        discount_rate: r, per year; base_year: the year whose amounts are not discounted.
        years: every calendar year of the case's arrays, ascending (axis t).
    """

    discount_rate: float
    base_year: int
    years: np.ndarray

    @property
    def discount(self) -> np.ndarray:
        """d_t = (1 + r)^−(t − base_year) for every year of the case."""
        return (1.0 + self.discount_rate) ** -(self.years - self.base_year).astype(float)


Case: TypeAlias = CaseSettings
"""Any family's case (each family's case class extends :class:`CaseSettings`)."""


def read_target(settings: Mapping[str, object]) -> str:
    """The ``case`` sheet's ``target`` key, trimmed (blank: ``shapley``)."""
    return str(settings.get("target") or "shapley").strip()


def case_settings(
    tables: CaseTables,
    parties: Sequence[str],
    attributes: Mapping[str, np.ndarray],
    coalition_values: Mapping[int, float] | None,
    warnings: Sequence[str],
) -> dict[str, Any]:
    """The :class:`CaseSettings` fields of a case, read from its typed tables, as keyword
    arguments of a family's case class: ``JointParkCase(**case_settings(tables, ...), ...)``.

    Read here for every family: the ``case`` sheet's name (blank: the file's stem), unit,
    target (:func:`read_target`), core (blank: soft), distance (blank: l1) and time limit,
    and the ``discount_rate`` and ``base_year`` keys when the family's case sheet declares
    them (:class:`DiscountedCaseSettings`); the party names from the ``parties`` sheet (blank:
    the id). The family passes what its own checks found: the party ids, the attributes, the
    listed coalition values and the warnings. A mapping of keywords rather than a
    :class:`CaseSettings` object: a family's case is one dataclass built in one call, with
    these fields next to its own (each value has its field's type).
    """
    settings = tables.settings
    time_limit = settings.get("time_limit")
    party_rows = tables.table("parties").drop_duplicates("id")
    fields: dict[str, Any] = {
        "source": tables.path,
        "name": str(settings.get("name") or Path(tables.path).stem),
        "unit": str(settings.get("unit") or ""),
        "target": read_target(settings),
        "core": settings.get("core") or "soft",
        "distance": settings.get("distance") or "l1",
        "time_limit": float(time_limit) if isinstance(time_limit, int | float) else None,
        "parties": tuple(parties),
        "party_names": tuple(str(r["name"] or r["id"]) for _, r in party_rows.iterrows()),
        "attributes": attributes,
        "coalition_values": coalition_values,
        "warnings": tuple(warnings),
    }
    if "discount_rate" in tables.schema.sheet("case").column_names:
        fields["discount_rate"] = float(cast(float, settings["discount_rate"]))
        fields["base_year"] = int(cast(int, settings["base_year"]))
    return fields


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

    @property
    def allocation(self) -> Allocation:
        """The proposal as an allocation of the game (its key in ``analysis``)."""
        return self.analysis.allocations["proposal"]


CaseT = TypeVar("CaseT", bound=Case)
ProposalT = TypeVar("ProposalT")
CaseIn = TypeVar("CaseIn", bound=Case, contravariant=True)
ProposalIn = TypeVar("ProposalIn", contravariant=True)
ProposalOut = TypeVar("ProposalOut", covariant=True)
PathLike = str | os.PathLike[str]


class SolveCase(Protocol[CaseIn]):
    """``solve(case, *, target=None, core=None, distance=None) -> PlanResult``: the fairest
    plan within the rules; settings left ``None`` come from the case sheet
    (:meth:`CaseSettings.plan_settings`)."""

    def __call__(self, case: CaseIn, /, **options: Unpack[PlanOptions]) -> PlanResult: ...


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


# -- a family's package: the modules that implement the contract ---------------------------------


class CaseModule(Protocol[CaseT, ProposalOut]):
    """A family's ``case`` module: its workbooks read and validated, and ``TARGETS``, the plan
    targets its ``case`` sheet accepts (help text)."""

    @property
    def TARGETS(self) -> str: ...

    def read_case(self, path: PathLike, /) -> CaseT: ...

    def read_proposal(self, path: PathLike, case: CaseT, /) -> ProposalOut: ...


class CoalitionsModule(Protocol[CaseIn]):
    """A family's ``coalitions`` module: the coalition game of a case, and its
    ``ORIENTATION`` (``benefit``: v(S), ``cost``: c(S))."""

    @property
    def ORIENTATION(self) -> Orientation: ...

    def coalition_game(self, case: CaseIn, /) -> Game: ...

    def coalition_model(self, case: CaseIn, /) -> CompiledCoalitionModel | None: ...


class PlanModule(Protocol[CaseIn]):
    """A family's ``plan`` module: the fairest plan (:class:`SolveCase`)."""

    def solve(self, case: CaseIn, /, **options: Unpack[PlanOptions]) -> PlanResult: ...


class ProposalModule(Protocol[CaseIn, ProposalIn]):
    """A family's ``proposal`` module: a proposal judged, a line of the plan swept."""

    def check(self, case: CaseIn, proposal: ProposalIn | None, /) -> ProposalCheck: ...

    def sweep(self, case: CaseIn, line: SweepLine, values: Sequence[float], /) -> SweepResult: ...


class TemplateModule(Protocol):
    """A family's ``template`` module: the case workbook to fill."""

    def write_template(self, path: PathLike, /) -> Path: ...


def family_from_modules(
    schema: ModelSchema,
    case: CaseModule[CaseT, ProposalT],
    coalitions: CoalitionsModule[CaseT],
    plan: PlanModule[CaseT],
    proposal: ProposalModule[CaseT, ProposalT],
    template: TemplateModule,
) -> Family[CaseT, ProposalT]:
    """The :class:`Family` of a family's package, from its schema and modules: ``FAMILY =
    family_from_modules(SCHEMA, case, coalitions, plan, proposal, template)`` in the
    package's ``__init__``.

    The contract's functions live in the package's modules of the same names (the layout every
    family shares, see the module docstring), with the plan targets in ``case.TARGETS`` and
    the game's orientation in ``coalitions.ORIENTATION``; the family's name is its schema's
    ``model``. Passing the modules rather than their functions one by one writes the mapping
    from module to contract once, here, and it stays typed: a module is accepted where a
    protocol is expected when its names match the protocol's (PEP 544), so the type checker
    checks each family's signatures against :class:`CaseModule`, :class:`CoalitionsModule`,
    :class:`PlanModule`, :class:`ProposalModule` and :class:`TemplateModule`, and infers the
    family's case and proposal types.
    """
    return Family(
        name=schema.model,
        schema=schema,
        targets=case.TARGETS,
        orientation=coalitions.ORIENTATION,
        read_case=case.read_case,
        read_proposal=case.read_proposal,
        coalition_game=coalitions.coalition_game,
        coalition_model=coalitions.coalition_model,
        solve=plan.solve,
        check=proposal.check,
        sweep=proposal.sweep,
        write_template=template.write_template,
    )


__all__ = [
    "ALL",
    "AmountKind",
    "Case",
    "CaseModule",
    "CaseResult",
    "CaseSettings",
    "CoalitionsModule",
    "CoreMode",
    "DiscountedCaseSettings",
    "DistanceKind",
    "Family",
    "PathLike",
    "PlanModule",
    "PlanOptions",
    "PlanResult",
    "PlanSettings",
    "PlanTableKind",
    "ProposalCheck",
    "ProposalModule",
    "SolveCase",
    "SweepLine",
    "SweepResult",
    "TemplateModule",
    "case_settings",
    "family_from_modules",
    "read_target",
]
