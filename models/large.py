"""Cases too large to enumerate: ``check`` and ``solve`` by constraint generation (issue 13).

Above :data:`ENUMERATION_LIMIT` parties (or with ``--generate``) no table of the 2^n coalition
values is built. Every core question is asked of a separation oracle instead
(:mod:`fairpool.optimizer.generation`): for a family's compiled coalition model, one MILP over
membership binaries finds the coalition a split hurts most
(:class:`~fairpool.optimizer.generation.separation.ModelSeparator`, built from the same
compiled programme the engine enumerates with); a case that lists its coalition values is
asked through the table itself (:class:`~fairpool.optimizer.generation.oracle.EnumeratedOracle`).

* :func:`check_large`: what the proposal gives each party (the family's
  ``proposal_amounts``, no game needed), the worst coalition with its value re-solved as the
  certificate, individual rationality from the n stand-alone values, and ε* of the least
  core by generation.
* :func:`solve_large`: the target allocation (nucleolus, prenucleolus or least core by
  generation, certified by Kohlberg's criterion and a final separation; Shapley by
  sampling, with standard errors) and its worst coalition; then the plan (ratios or cost
  shares under the case's rules) closest to it, by the family's ``plan_toward`` on an
  :class:`~fairpool.optimizer.generation.oracle_game.OracleGame`, whose core rows the same
  separation generates, with the plan's own worst coalition as its certificate.

Tolerances are relative to the game's scale, taken from what generation knows without the
table: max(|v(N)|, max_i |v({i})|).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from fairpool.models.large_results import (
    CoalitionCertificate,
    GenerationWork,
    LargeCheck,
    LargePlan,
    LargeSolve,
    NucleolusCertificate,
    large_case_fields,
)
from fairpool.optimizer.errors import CaseError, VerificationError
from fairpool.optimizer.game import coalition_label, members
from fairpool.optimizer.generation.oracle import OracleStatistics

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case, CoreMode, DistanceKind, PlanSettings
    from fairpool.optimizer.generation.oracle import CoalitionOracle

ENUMERATION_LIMIT = 15
"""Cases with more parties are checked and solved by constraint generation unless ``--exact``
is given. Up to here enumeration (at most 32,767 coalition values, about a minute at 15
parties) gives the full report: every allocation, the smallest fix, the plan's ratios."""

CORE_RELATIVE_TOLERANCE = 1e-6
"""A coalition blocks when its excess passes this fraction of the game's scale (the same
relative tolerance as :func:`fairpool.models.verdicts.core_tolerance`)."""

GENERATED_TARGETS = ("nucleolus", "prenucleolus", "least_core", "shapley")
"""The targets ``solve`` reaches by generation (Shapley by sampling)."""

Progress = Callable[[str], None]
"""Where a line of progress goes (the command line prints it on stderr)."""


def use_generation(parties: int, choice: bool | None) -> bool:
    """``--generate`` (True) or ``--exact`` (False) when given, else generation above
    :data:`ENUMERATION_LIMIT` parties."""
    return parties > ENUMERATION_LIMIT if choice is None else choice


def case_oracle(family: AnyFamily, case: Case) -> CoalitionOracle:
    """The separation oracle of a case: the MILP over its compiled coalition model, or the
    listed table when the case gives its coalition values."""
    from fairpool.optimizer.generation.oracle import EnumeratedOracle
    from fairpool.optimizer.generation.separation import separator_for

    model = family.coalition_model(case)
    if model is None:
        return EnumeratedOracle(family.coalition_game(case))
    return separator_for(model, family.orientation)


def game_scale(grand_value: float, standalone: np.ndarray) -> float:
    """max(|v(N)|, max_i |v({i})|), 1.0 for a zero game: the scale tolerances are relative
    to when the full table is not at hand."""
    largest = max(abs(grand_value), float(np.abs(standalone).max(initial=0.0)))
    return largest if largest > 0.0 else 1.0


def coalition_certificate(
    oracle: CoalitionOracle, mask: int, amounts: np.ndarray, claimed: float, tolerance: float
) -> CoalitionCertificate:
    """The coalition ``mask`` with its value solved again on its own; raises
    :class:`VerificationError` when that value differs from the one the separation claimed
    by more than ``tolerance``."""
    n = len(oracle.players)
    value = oracle.value(mask)
    if abs(value - claimed) > tolerance:
        raise VerificationError(
            f"the separation MILP valued coalition {coalition_label(oracle.players, mask)} at "
            f"{claimed:.9g}, but solved alone it is worth {value:.9g}; the answer is not "
            "reported (please file a bug with this case); --exact enumerates instead"
        )
    allocated = float(amounts[members(mask, n)].sum())
    excess = value - allocated if oracle.orientation == "benefit" else allocated - value
    return CoalitionCertificate(
        coalition_label(oracle.players, mask), bin(mask).count("1"), value, allocated, excess
    )


def coalition_words(ids: list[str], names: dict[str, str], spelled_out: int = 5) -> str:
    """A coalition as a negotiator reads it: its members' names up to ``spelled_out``
    members, else "a group of 26 parties (T01, T04, T06, … T40)"."""
    if len(ids) <= spelled_out:
        return " + ".join(names[p] for p in ids)
    shown = ", ".join(ids[: spelled_out - 1])
    return f"A group of {len(ids)} parties ({shown}, … {ids[-1]})"


def generation_work(
    oracle: CoalitionOracle,
    rounds: int,
    rows: int,
    started: float,
    before: OracleStatistics | None = None,
) -> GenerationWork:
    """What an answer cost: ``rounds`` and ``rows`` of its LPs, and the oracle's separations,
    MILPs, values and HiGHS seconds since ``before`` (a copy of its statistics taken when
    the answer began; ``None``: since the oracle was made), wall time since ``started``."""
    stats = oracle.statistics
    base = before if before is not None else OracleStatistics()
    return GenerationWork(
        rounds=rounds,
        rows=rows,
        separations=stats.separations - base.separations,
        milps=stats.solves - base.solves,
        values=stats.values - base.values,
        seconds=time.perf_counter() - started,
        solver_seconds=stats.solver_seconds - base.solver_seconds,
    )


def _standalone(oracle: CoalitionOracle, progress: Progress | None) -> np.ndarray:
    n = len(oracle.players)
    if progress is not None:
        progress(f"stand-alone values of {n} parties")
    return np.array([oracle.value(1 << i) for i in range(n)], dtype=np.float64)


def _round_progress(progress: Progress | None) -> Callable[[Any], None] | None:
    if progress is None:
        return None
    report = progress
    return lambda event: report(str(event))


def check_large(
    family: AnyFamily,
    case: Case,
    proposal: object | None,
    progress: Progress | None = None,
    oracle: CoalitionOracle | None = None,
) -> LargeCheck:
    """Judge a proposal by constraint generation (module docstring): exact worst coalition
    with its certificate, individual rationality, and the game's least-core ε*."""
    from fairpool.optimizer.generation.algorithms import generated_least_core

    started = time.perf_counter()
    oracle = oracle or case_oracle(family, case)
    players = tuple(oracle.players)
    n = len(players)
    grand = oracle.grand_value
    given = family.proposal_amounts(case, proposal, grand)
    amounts = np.asarray(given.amounts, dtype=np.float64)
    standalone = _standalone(oracle, progress)
    tolerance = CORE_RELATIVE_TOLERANCE * game_scale(grand, standalone)
    benefit = oracle.orientation == "benefit"
    rational = amounts >= standalone - tolerance if benefit else amounts <= standalone + tolerance
    if progress is not None:
        progress("separation: the coalition the proposal hurts most")
    found = oracle.most_violated(amounts, count=8)
    if not found:
        raise CaseError(f"{case.name}: a check needs at least two parties")
    top = found[0]
    worst = coalition_certificate(oracle, top.mask, amounts, top.value, tolerance)
    blocking = tuple(
        (coalition_label(players, v.mask), float(v.excess)) for v in found if v.excess > tolerance
    )
    in_core = worst.excess <= tolerance
    least = generated_least_core(oracle, progress=_round_progress(progress))
    names = dict(zip(case.parties, case.party_names, strict=True))
    lines = []
    unit = case.unit
    for i, party in enumerate(players):
        if not rational[i]:
            alone = "reach alone" if benefit else "pay alone"
            lines.append(
                f"{names[party]} ({party}) gets {amounts[i]:,.1f} {unit}, "
                f"{'less' if benefit else 'more'} than the {standalone[i]:,.1f} {unit} it "
                f"can {alone}: it would walk away."
            )
    if in_core:
        lines.append(
            "No party or group of parties would be better off on its own: the proposal is "
            f"in the core (proved by one separation over all {(1 << n) - 2:,} coalitions)."
        )
    else:
        group = coalition_words(worst.coalition.split("+"), names)
        lines.append(
            f"{group} would be {worst.excess:,.1f} {unit} better off on their own: the "
            "proposal is not in the core."
        )
    if least.epsilon > tolerance:
        lines.append(
            f"The core of this game is empty (least-core ε* = {least.epsilon:,.1f} {unit}): "
            "every split leaves some coalition better off alone."
        )
    lines += list(given.notes)
    lines += [f"The proposal {v}." for v in given.rule_violations]
    return LargeCheck(
        **large_case_fields(case, oracle),
        amounts=dict(zip(players, map(float, amounts), strict=True)),
        standalone=dict(zip(players, map(float, standalone), strict=True)),
        individually_rational=dict(zip(players, map(bool, rational), strict=True)),
        in_core=in_core,
        tolerance=tolerance,
        worst=worst,
        blocking=blocking,
        least_core_epsilon=float(least.epsilon),
        rule_violations=tuple(given.rule_violations),
        notes=tuple(given.notes),
        verdict=tuple(lines),
        fair=bool(rational.all()) and in_core and not given.rule_violations,
        work=generation_work(oracle, least.rounds, least.rows, started),
        simplicity=given.simplicity,
    )


def solve_large(
    family: AnyFamily,
    case: Case,
    target: str | None = None,
    progress: Progress | None = None,
    oracle: CoalitionOracle | None = None,
    samples: int | None = None,
    seed: int | None = None,
    *,
    core: CoreMode | None = None,
    distance: DistanceKind | None = None,
    plan: bool = True,
) -> LargeSolve:
    """The target allocation of a case by constraint generation, and the plan toward it
    (module docstring).

    ``target``, ``core`` and ``distance`` default to the case sheet's; targets other than
    :data:`GENERATED_TARGETS` need the full table and are refused with what to do instead.
    ``plan`` False stops at the allocation.
    """
    from fairpool.optimizer.generation.algorithms import generated_least_core
    from fairpool.optimizer.generation.nucleolus import generated_nucleolus

    chosen = target or case.target
    if chosen not in GENERATED_TARGETS:
        raise CaseError(
            f"target {chosen!r} is not one constraint generation computes; use --target "
            f"{' | '.join(GENERATED_TARGETS)}, or --exact to enumerate all "
            f"{(1 << case.n) - 1:,} coalitions for the other targets ({family.targets})"
        )
    started = time.perf_counter()
    oracle = oracle or case_oracle(family, case)
    players = tuple(oracle.players)
    grand = oracle.grand_value
    least = generated_least_core(oracle, progress=_round_progress(progress))
    rounds, rows = least.rounds, least.rows
    levels: tuple[float, ...] = ()
    learned = dict(least.coalitions)  # the coalitions generation found: the plan's first rows
    certificate = None
    errors: dict[str, float] = {}
    notes: list[str] = []
    if chosen in ("nucleolus", "prenucleolus"):
        result = generated_nucleolus(
            oracle, imputations=chosen == "nucleolus", progress=_round_progress(progress)
        )
        shares = np.asarray(result.shares, dtype=np.float64)
        levels = tuple(float(level) for level in result.levels)
        proof = result.certificate
        certificate = NucleolusCertificate(
            passed=bool(proof.passed),
            level=float(proof.spanning_level if proof.spanning_level is not None else np.nan),
            collection=int(proof.collection_size),
            next_excess=float(proof.final_max_excess)
            if np.isfinite(proof.final_max_excess)
            else None,
        )
        rounds += result.rounds
        rows += result.rows
        learned.update(result.coalitions)
    elif chosen == "least_core":
        shares = np.asarray(least.allocation.shares, dtype=np.float64)
        notes.append(
            "The least-core point is the LP's optimal vertex, not a canonical one; "
            "--target nucleolus gives the canonical point of the least core."
        )
    else:
        from fairpool.optimizer.solutions.sampling import STANDARD_ERROR, sampled_shapley

        model = family.coalition_model(case)
        if model is None:
            value_source: Any = family.coalition_game(case)
        else:
            value_source = model
        if progress is not None:
            progress("sampling the Shapley value")
        allocation = sampled_shapley(value_source, permutations=samples, seed=seed)
        shares = np.asarray(allocation.shares, dtype=np.float64)
        errors = {
            p: float(allocation.details[f"{STANDARD_ERROR}{p}"])
            for p in players
            if f"{STANDARD_ERROR}{p}" in allocation.details
        }
    tolerance = CORE_RELATIVE_TOLERANCE * game_scale(grand, _standalone(oracle, progress))
    found = oracle.most_violated(shares, count=1)
    worst = coalition_certificate(oracle, found[0].mask, shares, found[0].value, tolerance)
    solved_plan = None
    if plan:
        settings = case.plan_settings(target=chosen, core=core, distance=distance)
        solved_plan = plan_by_generation(
            family, case, oracle, shares, settings, tolerance, progress, learned
        )
        if settings.simplicity:
            notes.append(
                "The simplifications asked for (" + ", ".join(settings.simplicity) + ") are "
                "not applied by constraint generation: the plan is the closest one to the "
                "target under the case's rules."
            )
    return LargeSolve(
        **large_case_fields(case, oracle),
        target=chosen,
        allocation=dict(zip(players, map(float, shares), strict=True)),
        standard_errors=errors,
        grand_value=float(grand),
        least_core_epsilon=float(least.epsilon),
        levels=levels,
        certificate=certificate,
        worst=worst,
        tolerance=tolerance,
        notes=tuple(notes),
        work=generation_work(oracle, rounds, rows, started),
        plan=solved_plan,
    )


def plan_by_generation(
    family: AnyFamily,
    case: Case,
    oracle: CoalitionOracle,
    goal: np.ndarray,
    settings: PlanSettings,
    tolerance: float,
    progress: Progress | None = None,
    learned: dict[int, float] | None = None,
) -> LargePlan:
    """The plan closest to the allocation ``goal`` under the case's rules (the family's
    ``plan_toward`` on an :class:`~fairpool.optimizer.generation.oracle_game.OracleGame`:
    core rows added by separation until none is violated), with its worst coalition
    re-solved as the certificate (``tolerance``: the core tolerance in the case unit).
    ``learned``: {mask: v(S)} of coalitions already generated (the nucleolus's), whose rows
    the plan model holds from the start."""
    from fairpool.models.verdicts import plan_distance
    from fairpool.optimizer.generation.oracle_game import OracleGame

    if progress is not None:
        progress(f"the plan toward the {settings.target}: core rows by separation")
    started = time.perf_counter()
    before = oracle.statistics.separations
    known = dict(learned or {})
    game = OracleGame(
        oracle, tuple(case.party_names), dict(case.attributes), known, frozenset(known)
    )
    solved = family.plan_toward(case, game, goal, settings)
    amounts = np.asarray(solved.amounts, dtype=np.float64)
    separations = oracle.statistics.separations - before
    found = oracle.most_violated(amounts, count=1)
    worst = coalition_certificate(oracle, found[0].mask, amounts, found[0].value, tolerance)
    players = tuple(oracle.players)
    return LargePlan(
        kind=solved.kind,
        table=solved.table,
        amounts=dict(zip(players, map(float, amounts), strict=True)),
        core=settings.core,
        epsilon=float(solved.epsilon),
        distance=plan_distance(amounts, goal, settings.distance),
        distance_kind=settings.distance,
        worst=worst,
        separations=separations,
        seconds=time.perf_counter() - started,
        facts=tuple(solved.facts),
        warnings=tuple(solved.warnings),
    )


__all__ = [
    "CORE_RELATIVE_TOLERANCE",
    "ENUMERATION_LIMIT",
    "GENERATED_TARGETS",
    "case_oracle",
    "check_large",
    "coalition_certificate",
    "coalition_words",
    "game_scale",
    "generation_work",
    "plan_by_generation",
    "solve_large",
    "use_generation",
]
