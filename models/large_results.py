"""The results of checks and solves by constraint generation (:mod:`fairpool.models.large`).

Cases above the enumeration limit have no table of 2^n coalition values, so their results
are smaller than a :class:`~fairpool.models.results.ProposalCheck` or a
:class:`~fairpool.models.results.PlanResult`: no Shapley comparison from a full table, no
smallest fix, no plan matrix. What they do have is exact, and each answer carries the
evidence a sceptical reader can re-check: the coalition the separation MILP named, its value
solved again on its own (:class:`CoalitionCertificate`), and for the nucleolus the outcome of
Kohlberg's criterion on the generated coalitions plus the final separation
(:class:`NucleolusCertificate`).

Amounts are in the game's orientation (NPV for benefit games, cost for cost games) and in the
case unit; coalitions are labelled by party ids joined with ``+``. Frozen, typed, and
rendered by :mod:`fairpool.reports.large` without probing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from fairpool.models.results import PlanTableKind, ProposalSimplicity
from fairpool.optimizer.game import Orientation

if TYPE_CHECKING:
    from fairpool.models.family import CaseSettings
    from fairpool.optimizer.generation.oracle import CoalitionOracle

Method = Literal["generation", "enumeration"]
"""How the coalition values behind an answer were reached."""


@dataclass(frozen=True)
class GenerationWork:
    """What an answer by constraint generation cost.

    Attributes:
        rounds: LP solves of the master problems (all stages); rows: coalitions generated;
        separations: calls of the separation oracle; milps: separation MILPs solved;
        values: coalition values solved on their own (certificates, stand-alone values);
        seconds: wall time of the whole answer; solver_seconds: HiGHS's own clock in the
        separation MILPs.
    """

    rounds: int
    rows: int
    separations: int
    milps: int
    values: int
    seconds: float
    solver_seconds: float


@dataclass(frozen=True)
class CoalitionCertificate:
    """The worst coalition of a split, and its own value solved again as evidence.

    ``value`` is v(S) (c(S)) re-solved by the coalition model alone, ``allocated`` what the
    split gives S, ``excess`` = value − allocated (cost games: allocated − value): > 0
    (beyond the tolerance) means S does better alone, so the split is not in the core.
    """

    coalition: str
    size: int
    value: float
    allocated: float
    excess: float


@dataclass(frozen=True)
class NucleolusCertificate:
    """Kohlberg's criterion on the generated coalitions, and the final separation.

    ``passed``: every excess level of the generated coalitions, from the top down to
    ``level``, is balanced (weakly, with the singletons at their stand-alone values, for the
    nucleolus), the collection down to ``level`` has full rank (``collection`` coalitions),
    and the final separation, excluding them, found no other coalition with an excess of
    ``level`` or more: its best is ``next_excess``.
    """

    passed: bool
    level: float
    collection: int
    next_excess: float | None


@dataclass(frozen=True, kw_only=True)
class LargeCaseResult:
    """What every result by constraint generation names first (``check``, ``solve`` and
    ``sweep`` of a large case): ``case_name``, ``model``, ``unit``, the game's
    ``orientation``, the ``method`` and the parties' ids (``players``) and display names
    (``names``), in the game's order (:func:`large_case_fields`)."""

    case_name: str
    model: str
    unit: str
    orientation: Orientation
    method: Method
    players: tuple[str, ...]
    names: tuple[str, ...]


def large_case_fields(case: CaseSettings, oracle: CoalitionOracle) -> dict[str, Any]:
    """The :class:`LargeCaseResult` fields of a case answered by constraint generation
    through ``oracle`` (its orientation and its order of the parties)."""
    return {
        "case_name": case.name,
        "model": case.model,
        "unit": case.unit,
        "orientation": oracle.orientation,
        "method": "generation",
        "players": tuple(oracle.players),
        "names": tuple(case.party_names),
    }


@dataclass(frozen=True)
class LargeCheck(LargeCaseResult):
    """``fairpool check`` of a case by constraint generation.

    Attributes:
        case_name, model, unit, orientation, method: what was checked and how.
        players, names: party ids and display names, in the game's order.
        amounts: what the proposal gives each party (game orientation, case unit).
        standalone: v({i}) (c({i})) of each party; individually_rational: per party.
        in_core: no coalition's excess beyond the tolerance; tolerance: that tolerance.
        worst: the worst coalition with its certificate.
        blocking: further coalitions found with a positive excess (label, excess), largest
            first (not necessarily all of them).
        least_core_epsilon: ε* of the game (> 0: the core is empty), by generation.
        rule_violations, notes: the case's rules the proposal breaks, and other lines.
        verdict: plain-language lines for a negotiator; fair: rational, in core, no rule broken.
        work: what the answer cost.
        simplicity: how simple the proposal is to sign (``None``: not counted).
    """

    amounts: dict[str, float]
    standalone: dict[str, float]
    individually_rational: dict[str, bool]
    in_core: bool
    tolerance: float
    worst: CoalitionCertificate
    blocking: tuple[tuple[str, float], ...]
    least_core_epsilon: float
    rule_violations: tuple[str, ...]
    notes: tuple[str, ...]
    verdict: tuple[str, ...]
    fair: bool
    work: GenerationWork
    simplicity: ProposalSimplicity | None = None


@dataclass(frozen=True, eq=False)
class LargePlan:
    """The plan toward the target, solved with its core rows generated by separation.

    Attributes:
        kind, table: the plan as a table, ``ratios`` (party, stream, phase, ratio) or
            ``shares`` (party, project, year, amount), as in a
            :class:`~fairpool.models.results.PlanResult`.
        amounts: what the plan gives each party (game orientation, case unit).
        core: the core mode it was solved with (``hard``, ``soft``, ``off``); epsilon: its
            least core violation within the rules (0 unless soft and needed).
        distance, distance_kind: its distance to the target allocation (``l1``, ``linf``).
        worst: the plan's worst coalition, re-solved (in the core iff its excess ≤ the
            solve's ``tolerance``).
        separations: separation MILPs the plan's core rows took; seconds: its wall time.
        facts, warnings: the family's summary figures and findings.
    """

    kind: PlanTableKind
    table: pd.DataFrame
    amounts: dict[str, float]
    core: str
    epsilon: float
    distance: float
    distance_kind: str
    worst: CoalitionCertificate
    separations: int
    seconds: float
    facts: tuple[tuple[str, object], ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LargeSolve(LargeCaseResult):
    """``fairpool solve`` of a case by constraint generation: the target allocation.

    Attributes:
        case_name, model, unit, orientation, method: as in :class:`LargeCheck`.
        players, names: party ids and display names.
        target: ``nucleolus``, ``prenucleolus``, ``least_core`` or ``shapley`` (sampled).
        allocation: each party's amount (game orientation, case unit).
        standard_errors: per party, for a sampled target (empty otherwise).
        grand_value: v(N) (c(N)); least_core_epsilon: ε* (> 0: the core is empty).
        levels: the nucleolus's excess levels, ε_1 ≥ ε_2 ≥ … (empty for other targets).
        certificate: Kohlberg + final separation for the (pre)nucleolus, else ``None``.
        worst: the allocation's worst coalition, re-solved (in the core iff its excess ≤
            ``tolerance``).
        notes: what this result leaves out and why.
        work: what the answer cost.
        plan: the plan (ratios or shares) toward the allocation, its core rows generated
            (``None`` when not asked for).
    """

    target: str
    allocation: dict[str, float]
    standard_errors: dict[str, float]
    grand_value: float
    least_core_epsilon: float
    levels: tuple[float, ...]
    certificate: NucleolusCertificate | None
    worst: CoalitionCertificate
    tolerance: float
    notes: tuple[str, ...]
    work: GenerationWork
    plan: LargePlan | None = None


__all__ = [
    "CoalitionCertificate",
    "GenerationWork",
    "LargeCheck",
    "LargePlan",
    "LargeSolve",
    "Method",
    "NucleolusCertificate",
]
