"""The family contract: what every model family provides (its result types are in
:mod:`fairpool.models.results`, re-exported here).

A *model family* (``joint_park``, ``infrastructure``, ``cost_sharing``) turns a case workbook
into a cooperative game and a plan. Every family is one package under ``models/`` whose
``FAMILY`` is a :class:`Family`: its name, schema and these functions, with the same
signatures in every family:

============================  ==========================================================
``read_case(path)``           the validated case (every problem of the file at once)
``read_proposal(path, case)`` a proposal from a file (a ``proposal`` sheet, or a CSV)
``proposal_from_rows(...)``   a proposal from rows typed on the command line (``--ratio``)
``coalition_game(case)``      v(S) (cost games: c(S)) for every coalition
``coalition_model(case)``     the compiled v(S) model, or ``None`` when v(S) is listed
``solve(case, ...)``          the fairest plan within the rules: a :class:`PlanResult`
``check(case, proposal)``     a proposal judged: a :class:`ProposalCheck`
``proposal_amounts(...)``     what a proposal gives each party, without the coalition game
``sweep(case, line, values)`` one :class:`SweepLine` of the plan slid, and its core band
``write_template(path)``      a case workbook to fill
``plan_toward(...)``          the plan closest to a given allocation, on a full table or
                              on a game known through its separation oracle
============================  ==========================================================

The results (:mod:`fairpool.models.results`) are computed once, by the family: ``reports/``
renders them and computes nothing; they are typed, frozen, and the same class for every
family.

What the families share is written once: their cases extend :class:`CaseSettings` (the
``case`` sheet and the parties, read by :func:`case_settings`; :class:`DiscountedCaseSettings`
adds the discount rate, base year and years), workbooks are read and written by
:class:`~fairpool.optimizer.workbook.reader.CaseReader` and
:class:`~fairpool.optimizer.workbook.template.CaseWriter`, compiled coalition models extend
:class:`~fairpool.optimizer.coalitions.PyomoCoalitionModel`, and the plan verdicts, results
and coalition games come from :mod:`fairpool.models.planning`.

Adding a family: write ``models/<name>/`` with the same modules as the others (schema, case,
coalitions, plan, proposal, template, oracle_plan), set ``FAMILY = family_from_modules(SCHEMA,
case, coalitions, plan, proposal, template, oracle_plan)`` in its ``__init__`` (the type
checker then checks the modules against the contract), and add the name to
:data:`fairpool.models.FAMILY_NAMES`. The contract test (``tests/models/test_contract.py``)
checks every member is there and that ``plan_toward`` makes ``solve``'s plan; the shipped-case
test (``tests/test_shipped_cases.py``) runs every family through every command.
"""

from __future__ import annotations

import dataclasses
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

from fairpool.models.results import (
    ALL,
    AmountKind,
    BandCut,
    BandSide,
    BlockingCoalition,
    CaseResult,
    CoreMode,
    DistanceKind,
    FixChange,
    FixStatus,
    PartyPosition,
    PlanResult,
    PlanTableKind,
    ProposalCheck,
    ProposalFix,
    ProposalSimplicity,
    Simplification,
    SweepBaseline,
    SweepLine,
    SweepResult,
)
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.parties import PartyNames

if TYPE_CHECKING:
    import pandas as pd

    from fairpool.models.planning import PlanGame
    from fairpool.models.verdicts import SolvedPlan
    from fairpool.optimizer.coalitions import CompiledCoalitionModel
    from fairpool.optimizer.game import Game, Orientation
    from fairpool.optimizer.workbook.reader import CaseTables
    from fairpool.optimizer.workbook.schema import ModelSchema


@dataclass(frozen=True)
class PlanSettings:
    """How a plan is sought: the target allocation (``shapley``, ``proportional:gdp``, ...),
    the core constraints (``hard``, ``soft``, ``off``) and the distance to the target
    (``l1``: Σ_p |x_p − τ_p|, ``linf``: max_p |x_p − τ_p|)."""

    target: str
    core: CoreMode
    distance: DistanceKind
    round_to: float | None = None
    uniform_streams: bool = False
    max_changes: int | None = None
    transfers: Transfers = "allowed"
    fairness_slack: float = 0.0
    explicit: frozenset[str] = frozenset()
    fewest_distinct: FewestDistinct | None = None

    @property
    def simplicity(self) -> tuple[str, ...]:
        """The simplifications turned on (``round_to``, ``uniform_streams``, ``max_changes``,
        ``transfers``, ``fewest_distinct``), in that order."""
        on = (
            ("round_to", self.round_to is not None),
            ("uniform_streams", self.uniform_streams),
            ("max_changes", self.max_changes is not None),
            ("transfers", self.transfers != "allowed"),
            ("fewest_distinct", self.fewest_distinct is not None),
        )
        return tuple(name for name, active in on if active)

    def ignored(self, applies: Sequence[str]) -> tuple[str, ...]:
        """Warnings for the simplicity keys the user set explicitly (on the command line or
        in the case sheet) that a family does not use: ``applies`` names those it uses."""
        return tuple(
            f"{key} does not apply to this model and was ignored"
            for key in SIMPLICITY_OPTIONS
            if key in self.explicit and key not in applies
        )


Transfers = Literal["allowed", "none", "explicit"]
"""Payments toward projects: ``allowed`` (any party pays any project), ``none`` (only a
project's hosts and beneficiaries pay), ``explicit`` (beneficiaries pay, plus side payments)."""

FewestDistinct = Literal["variation", "count"]
"""How ``fewest_distinct`` ties neighbouring ratios together: ``variation`` (the least total
variation Σ |r − r′| over neighbouring phases and streams: an LP) or ``count`` (the fewest
neighbouring ratios that differ: binaries, a MILP, then the least variation among those)."""

FEWEST_DISTINCT_CHOICES: tuple[FewestDistinct, ...] = ("variation", "count")
"""The values of ``fewest_distinct`` (the ``--fewest-distinct`` flag means ``variation``)."""

SIMPLICITY_OPTIONS = (
    "round_to",
    "uniform_streams",
    "max_changes",
    "transfers",
    "fairness_slack",
    "fewest_distinct",
)
"""The simplicity settings (issue 12): keys of the ``case`` sheet and options of ``solve``."""


class PlanOptions(TypedDict, total=False):
    """The plan settings a caller may give ``solve`` (by keyword); ``None`` or absent: the
    case sheet's (:meth:`CaseSettings.plan_settings`).

    The simplicity options: ``round_to`` (every ratio or share a multiple of it), ``uniform_
    streams`` (one ratio per party and phase for every cash stream), ``max_changes`` (a
    party's ratio changes at most K times across phases), ``transfers``, ``fairness_slack``
    (how far, as a share of the data scale, later steps may move the plan from the best
    distance to the target) and ``fewest_distinct`` (neighbouring phases and streams share
    their ratios as far as the kept optima allow: :data:`FewestDistinct`); ``preset``: the
    keys ``--simple`` filled in (not counted as set by the user, so a family that does not
    use one does not warn about it)."""

    target: str | None
    core: CoreMode | None
    distance: DistanceKind | None
    round_to: float | None
    uniform_streams: bool | None
    max_changes: int | None
    transfers: Transfers | None
    fairness_slack: float | None
    fewest_distinct: FewestDistinct | None
    preset: frozenset[str] | None


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
        simplicity: the ``case`` sheet's simplicity keys ({key: value}, defaults applied;
            :data:`SIMPLICITY_OPTIONS`); simplicity_set: those the sheet lists as rows.
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
    simplicity: Mapping[str, Any] = field(default_factory=dict)
    simplicity_set: frozenset[str] = frozenset()

    @property
    def n(self) -> int:
        """The number of parties."""
        return len(self.parties)

    def party_index(self, party: str) -> int:
        """The position of ``party`` among :attr:`parties` (its bit in a coalition mask)."""
        return self.parties.index(party)

    @property
    def party_lookup(self) -> PartyNames:
        """The parties' ids and display names, to resolve what a user types
        (:class:`~fairpool.optimizer.parties.PartyNames`)."""
        return PartyNames(self.parties, self.party_names)

    def party_id(self, text: str, where: str = "") -> str:
        """The id of the party ``text`` names: its id or display name, loosely spelled
        (:class:`~fairpool.optimizer.parties.PartyNames`); a :class:`CaseError` at ``where``
        (``--party``, a file's place) naming the parties when it names none or several."""
        return self.party_lookup.resolve(text, where)

    def plan_settings(self, **options: Unpack[PlanOptions]) -> PlanSettings:
        """The settings of a plan: those given, and the case sheet's for those left ``None``.

        A simplicity key counts as set explicitly (:attr:`PlanSettings.explicit`, so that a
        family that does not use it can say so) when it is given here or was a row of the
        case sheet."""
        preset = options.get("preset") or frozenset()
        given = {k for k in SIMPLICITY_OPTIONS if options.get(k) is not None and k not in preset}
        sheet = self.simplicity

        def pick(key: str) -> Any:
            value = options.get(key)
            return value if value is not None else sheet.get(key)

        return PlanSettings(
            options.get("target") or self.target,
            options.get("core") or self.core,
            options.get("distance") or self.distance,
            round_to=pick("round_to"),
            uniform_streams=bool(pick("uniform_streams") or False),
            max_changes=pick("max_changes"),
            transfers=pick("transfers") or "allowed",
            fairness_slack=float(pick("fairness_slack") or 0.0),
            explicit=frozenset(given | set(self.simplicity_set)),
            fewest_distinct=pick("fewest_distinct") or None,
        )


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
    from fairpool.optimizer.workbook.reader import table_records  # imported by then

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
        "party_names": tuple(str(r["name"] or r["id"]) for r in table_records(party_rows)),
        "attributes": attributes,
        "coalition_values": coalition_values,
        "warnings": tuple(warnings),
    }
    fields["simplicity"], fields["simplicity_set"] = read_simplicity(tables)
    if "discount_rate" in tables.schema.sheet("case").column_names:
        fields["discount_rate"] = float(cast(float, settings["discount_rate"]))
        fields["base_year"] = int(cast(int, settings["base_year"]))
    return fields


def read_simplicity(tables: CaseTables) -> tuple[dict[str, Any], frozenset[str]]:
    """The ``case`` sheet's simplicity keys (:data:`SIMPLICITY_OPTIONS`) and those it lists
    as rows, validated: ``round_to`` in (0, 1], ``max_changes`` ≥ 0, ``fairness_slack`` ≥ 0,
    ``fewest_distinct`` TRUE, ``variation`` or ``count`` (:func:`read_fewest_distinct`) (a
    :class:`CaseError` naming the row otherwise)."""
    settings = tables.settings
    rows = cast(Mapping[str, int], settings.get("_rows") or {})
    values: dict[str, Any] = {}
    for key in SIMPLICITY_OPTIONS:
        value = settings.get(key)
        values[key] = None if isinstance(value, float) and np.isnan(value) else value
    round_to = values.get("round_to")
    if isinstance(round_to, int | float) and not 0 < float(round_to) <= 1:
        where = f"{Path(tables.path).name}, sheet case, row {rows.get('round_to', '?')}"
        raise CaseError(
            f"round_to is {round_to}: it must be in (0, 1] (e.g. 0.05 for 5% steps)", where
        )
    for key in ("max_changes", "fairness_slack"):
        value = values.get(key)
        if isinstance(value, int | float) and value < 0:
            where = f"{Path(tables.path).name}, sheet case, row {rows.get(key, '?')}"
            raise CaseError(f"{key} is {value}: it must be 0 or more", where)
    values["round_to"] = float(round_to) if isinstance(round_to, int | float) else None
    values["fewest_distinct"] = read_fewest_distinct(
        values.get("fewest_distinct"),
        f"{Path(tables.path).name}, sheet case, row {rows.get('fewest_distinct', '?')}",
    )
    listed = frozenset(
        key
        for key in SIMPLICITY_OPTIONS
        if key in rows and values.get(key) not in (None, "", False, 0.0, "allowed")
    )
    return values, listed


def read_fewest_distinct(value: object, where: str) -> FewestDistinct | None:
    """The ``fewest_distinct`` key of a ``case`` sheet: ``variation`` or ``count``
    (:data:`FEWEST_DISTINCT_CHOICES`, any case), ``off``, blank or FALSE off; TRUE (rows
    built in memory) means ``variation``. A :class:`CaseError` at ``where`` otherwise."""
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "variation"
    text = str(value).strip().lower()
    if text in ("true", "yes"):
        return "variation"
    if text in ("false", "no", "off"):
        return None
    for choice in FEWEST_DISTINCT_CHOICES:
        if text == choice:
            return choice
    raise CaseError(
        f"fewest_distinct is {value!r}: it must be TRUE (the least total variation), "
        f"{' or '.join(FEWEST_DISTINCT_CHOICES)}, or off (or blank)",
        where,
    )


CaseT = TypeVar("CaseT", bound=Case)
ProposalT = TypeVar("ProposalT")
CaseIn = TypeVar("CaseIn", bound=Case, contravariant=True)
CaseOut = TypeVar("CaseOut", bound=Case, covariant=True)
PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class ProposalAmounts:
    """What a proposal gives each party, computed from the case alone (no coalition game).

    Attributes:
        amounts: per party, in the game's orientation (NPV for benefit games, cost share for
            cost games), in the case unit.
        kind: how the proposal is written (``ratios`` or ``shares``); table: the proposal as
            read (its sheet's columns).
        rule_violations: the case's rules the proposal breaks, in plain words.
        notes: other plain-language lines (e.g. the welfare its build plan gives up).
        simplicity: how simple the proposal is to sign (as ``check`` counts it).
    """

    amounts: np.ndarray
    kind: PlanTableKind
    table: pd.DataFrame
    rule_violations: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    simplicity: ProposalSimplicity | None = None


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
        read_proposal(path, case): the proposal of a file, checked against case: the
            ``proposal`` sheet of a workbook (which need hold no other sheet), or a CSV file
            with the same columns; parties by id or display name.
        proposal_from_rows(case, rows, source, base): a proposal from ``proposal`` sheet rows
            ({column: value}, e.g. from ``--ratio``), read exactly as the sheet is; rows that
            name only some cells (streams, phases, projects) change those cells of ``base``
            (``None``: the case's proposal sheet) and keep the rest.
        coalition_game(case): v(S) (cost: c(S)) of every coalition, by the coalition engine.
        coalition_model(case): the compiled v(S) model, ``None`` when the case lists v(S).
        solve(case, *, target, core, distance): a :class:`PlanResult`.
        check(case, proposal): a :class:`ProposalCheck` (proposal ``None``: the case's own).
        proposal_amounts(case, proposal, grand_value): a :class:`ProposalAmounts`, what the
            proposal gives each party and the rules it breaks, computed from the case and
            v(N) (c(N)) alone: what a check by constraint generation needs
            (:mod:`fairpool.models.large`), where no table of 2^n values exists.
        sweep(case, line, values): a :class:`SweepResult`.
        write_template(path): a case workbook to fill, written atomically.
        plan_toward(case, game, goal, settings): the plan (ratios or shares) closest to the
            allocation ``goal`` under the case's rules and ``settings``' core mode and
            distance, on a :data:`~fairpool.models.planning.PlanGame`: a full table, or a
            game known through its separation oracle whose core rows are generated
            (:mod:`fairpool.models.large`, above the enumeration limit).
    """

    name: str
    schema: ModelSchema
    targets: str
    orientation: Orientation
    read_case: Callable[[PathLike], CaseT]
    read_proposal: Callable[[PathLike, CaseT], ProposalT]
    proposal_from_rows: Callable[
        [CaseT, Sequence[Mapping[str, object]], str, ProposalT | None], ProposalT
    ]
    coalition_game: Callable[[CaseT], Game]
    coalition_model: Callable[[CaseT], CompiledCoalitionModel | None]
    solve: SolveCase[CaseT]
    check: Callable[[CaseT, ProposalT | None], ProposalCheck]
    proposal_amounts: Callable[[CaseT, ProposalT | None, float], ProposalAmounts]
    sweep: Callable[[CaseT, SweepLine, Sequence[float]], SweepResult]
    write_template: Callable[[PathLike], Path]
    plan_toward: Callable[[CaseT, PlanGame, np.ndarray, PlanSettings], SolvedPlan]


# -- a family's package: the modules that implement the contract ---------------------------------


class CaseModule(Protocol[CaseOut]):
    """A family's ``case`` module: its workbooks read and validated, and ``TARGETS``, the plan
    targets its ``case`` sheet accepts (help text)."""

    @property
    def TARGETS(self) -> str: ...

    def read_case(self, path: PathLike, /) -> CaseOut: ...


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


class ProposalModule(Protocol[CaseIn, ProposalT]):
    """A family's ``proposal`` module: a proposal read (from a file, or from rows), judged,
    and a line of the plan swept."""

    def read_proposal(self, path: PathLike, case: CaseIn, /) -> ProposalT: ...

    def proposal_from_rows(
        self,
        case: CaseIn,
        rows: Sequence[Mapping[str, object]],
        source: str,
        base: ProposalT | None,
        /,
    ) -> ProposalT: ...

    def check(self, case: CaseIn, proposal: ProposalT | None, /) -> ProposalCheck: ...

    def proposal_amounts(
        self, case: CaseIn, proposal: ProposalT | None, grand_value: float, /
    ) -> ProposalAmounts: ...

    def plan_simplicity(self, case: CaseIn, result: PlanResult, /) -> ProposalSimplicity: ...

    def sweep(self, case: CaseIn, line: SweepLine, values: Sequence[float], /) -> SweepResult: ...


class OraclePlanModule(Protocol[CaseIn]):
    """A family's ``oracle_plan`` module: the plan toward a given allocation on a game that
    may be known only through its separation oracle (:class:`Family`'s ``plan_toward``)."""

    def plan_toward(
        self, case: CaseIn, game: PlanGame, goal: np.ndarray, settings: PlanSettings, /
    ) -> SolvedPlan: ...


class TemplateModule(Protocol):
    """A family's ``template`` module: the case workbook to fill."""

    def write_template(self, path: PathLike, /) -> Path: ...


def _with_simplicity(
    solve: SolveCase[CaseT], simplicity: Callable[[CaseT, PlanResult], ProposalSimplicity]
) -> SolveCase[CaseT]:
    """``solve`` whose plan carries its simplicity counts (distinct ratios, grid, changes,
    payments outside benefits), told in the same words as a proposal's by ``check``."""

    def solve_plan(case: CaseT, /, **options: Unpack[PlanOptions]) -> PlanResult:
        result = solve(case, **options)
        return dataclasses.replace(result, simplicity=simplicity(case, result))

    return solve_plan


def family_from_modules(
    schema: ModelSchema,
    case: CaseModule[CaseT],
    coalitions: CoalitionsModule[CaseT],
    plan: PlanModule[CaseT],
    proposal: ProposalModule[CaseT, ProposalT],
    template: TemplateModule,
    oracle_plan: OraclePlanModule[CaseT],
) -> Family[CaseT, ProposalT]:
    """The :class:`Family` of a family's package, from its schema and modules: ``FAMILY =
    family_from_modules(SCHEMA, case, coalitions, plan, proposal, template, oracle_plan)``
    in the package's ``__init__``.

    The contract's functions live in the package's modules of the same names (the layout every
    family shares, see the module docstring), with the plan targets in ``case.TARGETS`` and
    the game's orientation in ``coalitions.ORIENTATION``; the family's name is its schema's
    ``model``. Passing the modules rather than their functions one by one writes the mapping
    from module to contract once, here, and it stays typed: a module is accepted where a
    protocol is expected when its names match the protocol's (PEP 544), so the type checker
    checks each family's signatures against :class:`CaseModule`, :class:`CoalitionsModule`,
    :class:`PlanModule`, :class:`ProposalModule`, :class:`TemplateModule` and
    :class:`OraclePlanModule`, and infers the
    family's case and proposal types.
    """
    return Family(
        name=schema.model,
        schema=schema,
        targets=case.TARGETS,
        orientation=coalitions.ORIENTATION,
        read_case=case.read_case,
        read_proposal=proposal.read_proposal,
        proposal_from_rows=proposal.proposal_from_rows,
        coalition_game=coalitions.coalition_game,
        coalition_model=coalitions.coalition_model,
        solve=_with_simplicity(plan.solve, proposal.plan_simplicity),
        check=proposal.check,
        proposal_amounts=proposal.proposal_amounts,
        sweep=proposal.sweep,
        write_template=template.write_template,
        plan_toward=oracle_plan.plan_toward,
    )


__all__ = [
    "ALL",
    "FEWEST_DISTINCT_CHOICES",
    "SIMPLICITY_OPTIONS",
    "AmountKind",
    "BandCut",
    "BandSide",
    "BlockingCoalition",
    "Case",
    "CaseModule",
    "CaseResult",
    "CaseSettings",
    "CoalitionsModule",
    "CoreMode",
    "DiscountedCaseSettings",
    "DistanceKind",
    "Family",
    "FewestDistinct",
    "FixChange",
    "FixStatus",
    "OraclePlanModule",
    "PartyPosition",
    "PathLike",
    "PlanModule",
    "PlanOptions",
    "PlanResult",
    "PlanSettings",
    "PlanTableKind",
    "ProposalAmounts",
    "ProposalCheck",
    "ProposalFix",
    "ProposalModule",
    "Simplification",
    "SolveCase",
    "SweepBaseline",
    "SweepLine",
    "SweepResult",
    "TemplateModule",
    "Transfers",
    "case_settings",
    "family_from_modules",
    "read_fewest_distinct",
    "read_simplicity",
    "read_target",
]
