"""The stability step and the simplicity options of a park's plan (issue 12), each priced.

A plan is chosen in steps: fairness (least core violation, then the distance to the target,
kept within ``fairness_slack`` of the money scale), stability (the largest smallest
coalition surplus within that, least-core style) and then, one at a time and cumulatively,
the simplicity options the user turned on: ``round_to`` (every ratio on a grid),
``uniform_streams`` (one ratio per party and phase for every cash stream) and
``max_changes`` (a party's cash ratios change at most K times across phases). Each option
re-solves the whole plan with its constraints added (fairness step first), so its price is
the extra distance to the target it costs, in money: distance_after − distance_before. An
option that leaves no plan within the rules is not applied; its entry says which rules it
conflicts with (the infeasibility explanation) and the plan stays without it.

``fewest_distinct`` comes last and adds no rule: it is one more lexicographic step within
the optima the plan so far has kept (ε*, the distance d* plus ``fairness_slack``, the
smallest coalition surplus), :func:`fewest_distinct_plan`. With ``variation`` it minimises
the total variation Σ |r[p, k, h] − r[p, k, h+1]| + Σ |r[p, k, h] − r[p, k′, h]| over
neighbouring phases and streams (an LP; an L1 "fused" penalty, Tibshirani et al. 2005,
whose optima make many neighbours equal); with ``count`` first the number of distinct
ratios itself on a grid (one binary per grid level), or off a grid the number of
neighbouring ratios that differ (one binary per pair), both MILPs, then the variation among
those plans. Its price is therefore 0 up to solver noise unless ``fairness_slack`` lets it
move the plan. Tied neighbours are a proxy for fewer distinct values: a step whose plan
would hold more distinct ratios than the plan before is not applied
(:func:`fewest_distinct_step`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from fairpool.models.family import FewestDistinct, PlanSettings, Simplification
from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.flows import Pools, evaluate_plan
from fairpool.models.joint_park.plan_model import (
    Cell,
    PlanSpec,
    build_plan_model,
    default_spec,
    define_distinct_count,
    define_grid_levels,
    define_total_variation,
    neighbouring_cells,
)
from fairpool.models.planning import (
    KEEP_WIDENING,
    PLAN_TOLERANCE,
    keep_distance_within,
    keep_epsilon,
    keep_surplus,
    plan_tolerance,
    release_surplus,
    smallest_surplus,
    solve_step,
)
from fairpool.models.simplicity import (
    SIMPLE_MIP_GAP,
    SIMPLE_TIME_LIMIT,
    VALUE_TOLERANCE,
    distinct_values,
    money,
    settled,
)
from fairpool.models.verdicts import core_tolerance, plan_distance
from fairpool.optimizer.errors import InfeasibleError, SolverError
from fairpool.optimizer.game import Game

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from fairpool.models.joint_park.plan import PlanOutcome

APPLIES = ("round_to", "uniform_streams", "max_changes", "fairness_slack", "fewest_distinct")
"""The simplicity keys a park's plan uses (``transfers`` is for project families)."""

OPTIONS = ("uniform_streams", "max_changes", "round_to")
"""The park's simplicity options, in the order they are applied: the grid last, when the
other options have already tied most ratios together (fewer integer variables to place)."""


@dataclasses.dataclass(frozen=True)
class SimplePlan:
    """The plan chosen after every step: its ratios and ε* (from the last plan solved
    that met the rules), the smallest coalition surplus, the simplifications with their
    prices, and the seconds each solve took (``plan``: the fair and stable plan;
    ``plan_<option>``: each simplified plan)."""

    ratios: np.ndarray
    epsilon: float
    surplus: float | None
    simplifications: tuple[Simplification, ...]
    timings: dict[str, float]
    details: dict[str, float]
    spec: PlanSpec


def target_name(target: str) -> str:
    """How a sentence names the target: "Shapley value", "nucleolus", "proportional:gdp
    target"."""
    return {"shapley": "Shapley value", "nucleolus": "nucleolus"}.get(target, f"{target} target")


def option_label(name: str, spec: PlanSpec) -> str:
    """What an option does, for a sentence ("rounding to 5%")."""
    if name == "fewest_distinct":
        return "fewest distinct ratios"
    if name == "round_to":
        return f"rounding to {100 * (spec.round_to or 0):g}%"
    if name == "uniform_streams":
        return "one ratio for every cash stream"
    count = spec.max_changes or 0
    return f"at most {count} change{'s' if count != 1 else ''} per party"


def with_option(spec: PlanSpec, name: str, settings: PlanSettings) -> PlanSpec:
    """``spec`` with the simplicity option ``name`` of ``settings`` added."""
    if name == "round_to":
        return dataclasses.replace(spec, round_to=settings.round_to)
    if name == "uniform_streams":
        return dataclasses.replace(spec, uniform_streams=True)
    return dataclasses.replace(spec, max_changes=settings.max_changes)


def core_words(game: Game, amounts: np.ndarray) -> tuple[bool, str]:
    """The core verdict of ``amounts`` and its words ("still in the core")."""
    inside = smallest_surplus(game, amounts) >= -core_tolerance(game)
    return inside, "still in the core" if inside else "not in the core"


def move_words(
    case: JointParkCase,
    before: np.ndarray,
    after: np.ndarray,
    goal: np.ndarray,
    target: str,
    negligible: float = 0.0,
) -> str:
    """The party whose amount the step moved most, and which way relative to the target
    ("moves 四川省 412 万元 further from its Shapley value"); moves within ``negligible``
    (the core tolerance: solver noise) are no move."""
    moved = np.abs(after - before)
    p = int(np.argmax(moved))
    if moved[p] <= negligible:
        return "moves no party's NPV"
    way = "further from" if abs(after[p] - goal[p]) > abs(before[p] - goal[p]) else "closer to"
    name = case.party_names[p]
    return f"moves {name} {money(float(moved[p]), case.unit)} {way} its {target_name(target)}"


def solve_simple_plan(
    case: JointParkCase,
    game: Game,
    pools: Pools,
    goal: np.ndarray | None,
    settings: PlanSettings,
) -> SimplePlan:
    """The fair, stable and simplified plan of a park (module docstring).

    The Nash target (``goal`` None) has no distance to price: it gets neither the stability
    step nor the options. Raises :class:`InfeasibleError` when the rules alone admit no
    plan; an option that does (with the rules) is reported and left out instead.
    """
    from fairpool.models.joint_park.plan import solve_plan

    spec = default_spec(case, settings.core)
    # The stability step runs when a simplification or a fairness slack is asked for. A plain
    # solve keeps the fair plan of the tie-break alone: the stable plan's ratios are not
    # unique (a flat optimal face), and the same case in another money unit then picked
    # other ratios, so sweeps from the plan lost their unit-free bands.
    asked = bool(settings.simplicity) or settings.fairness_slack > 0
    outcome = solve_plan(
        case,
        game,
        pools,
        goal,
        settings.core,
        settings.distance,
        spec,
        stability=asked,
        fairness_slack=settings.fairness_slack,
    )
    timings = {"plan": outcome.runtime}
    if goal is None:
        return SimplePlan(
            outcome.ratios, outcome.epsilon, None, (), timings, dict(outcome.details), spec
        )
    amounts = evaluate_plan(case, pools, outcome.ratios).npv
    distance = plan_distance(amounts, goal, settings.distance)
    negligible = core_tolerance(game)  # a price or move within it is solver noise: none
    steps: list[Simplification] = []
    if outcome.surplus is not None and asked:
        inside, verdict = core_words(game, amounts)
        price = settled(distance - outcome.distance, negligible)
        surplus = money(outcome.surplus, case.unit)
        text = (
            f"every coalition gets at least {surplus} more than on its own"
            if outcome.surplus >= 0
            else f"the best coalition to leave gains {money(-outcome.surplus, case.unit)}"
        )
        steps.append(
            Simplification(
                "stability",
                f"the deepest point: {text}; distance to the target "
                f"{'+' if price >= 0 else ''}{money(price, case.unit)}; {verdict}",
                outcome.distance,
                distance,
                price,
                inside,
            )
        )
    current = outcome
    for name in (*OPTIONS, "fewest_distinct"):
        if name not in settings.simplicity:
            continue
        trial = spec if name == "fewest_distinct" else with_option(spec, name, settings)
        label = option_label(name, trial)
        started = time.perf_counter()
        try:
            if name == "fewest_distinct":
                simpler, label = fewest_distinct_step(
                    case, game, pools, goal, settings, spec, current
                )
            else:
                simpler = solve_plan(
                    case,
                    game,
                    pools,
                    goal,
                    settings.core,
                    settings.distance,
                    trial,
                    stability=True,
                    fairness_slack=settings.fairness_slack,
                    mip_gap=SIMPLE_MIP_GAP,
                    time_limit=case.time_limit or SIMPLE_TIME_LIMIT,
                )
        except (InfeasibleError, SolverError, MoreDistinct) as error:
            timings[f"plan_{name}"] = time.perf_counter() - started
            inside, _ = core_words(game, amounts)
            steps.append(
                Simplification(
                    name,
                    f"{label} not applied: {error}",
                    distance,
                    distance,
                    0.0,
                    inside,
                    applied=False,
                )
            )
            continue
        timings[f"plan_{name}"] = time.perf_counter() - started
        after = evaluate_plan(case, pools, simpler.ratios).npv
        new_distance = plan_distance(after, goal, settings.distance)
        inside, verdict = core_words(game, after)
        price = settled(new_distance - distance, negligible)
        steps.append(
            Simplification(
                name,
                f"{label} "
                f"{move_words(case, amounts, after, goal, settings.target, negligible)} "
                f"(distance to the target {'+' if price >= 0 else ''}"
                f"{money(price, case.unit)}); {verdict}",
                distance,
                new_distance,
                price,
                inside,
            )
        )
        spec, current, amounts, distance = trial, simpler, after, new_distance
    return SimplePlan(
        current.ratios,
        current.epsilon,
        current.surplus,
        tuple(steps),
        timings,
        dict(current.details),
        spec,
    )


# -- fewest distinct ratios ------------------------------------------------------------------------


def total_variation(ratios: np.ndarray, pairs: Sequence[tuple[Cell, Cell]]) -> float:
    """Σ_j |r[a_j] − r[b_j]| over ``pairs`` of cells of r[p, k, h] (the neighbouring cells,
    :func:`~fairpool.models.joint_park.plan_model.neighbouring_cells`): what the
    ``variation`` mode of ``fewest_distinct`` minimises, here computed on a plan.

    Example:
        >>> r = np.array([[[0.5, 0.5, 0.4]]])
        >>> total_variation(r, [((0, 0, 0), (0, 0, 1)), ((0, 0, 1), (0, 0, 2))])
        0.09999999999999998
    """
    if not pairs:
        return 0.0
    first = np.array([a for a, _ in pairs]).T
    second = np.array([b for _, b in pairs]).T
    return float(np.abs(ratios[tuple(first)] - ratios[tuple(second)]).sum())


def differing_pairs(ratios: np.ndarray, pairs: Sequence[tuple[Cell, Cell]]) -> int:
    """How many ``pairs`` of cells hold ratios more than the simplicity counts' tolerance
    (:data:`~fairpool.models.simplicity.VALUE_TOLERANCE`) apart: what the ``count`` mode of
    ``fewest_distinct`` minimises."""
    return sum(abs(float(ratios[a]) - float(ratios[b])) > VALUE_TOLERANCE for a, b in pairs)


def distinct_label(
    case: JointParkCase,
    before: np.ndarray,
    after: np.ndarray,
    mode: FewestDistinct,
    grid: float | None = None,
) -> str:
    """What the ``fewest_distinct`` step did, for a sentence ("fewest distinct ratios: 12 →
    7 distinct, neighbouring phases and streams 1.84 apart in all instead of 3.2");
    ``grid``: the ``round_to`` step on which ``count`` counted the values themselves."""
    pairs = neighbouring_cells(case)
    counts = f"{distinct_values(before)} → {distinct_values(after)} distinct"
    if mode == "count" and grid is not None:
        return f"fewest distinct ratios (counted on the {100 * grid:g}% grid): {counts},"
    if mode == "count":
        changed = f"{differing_pairs(before, pairs)} → {differing_pairs(after, pairs)}"
        return f"fewest distinct ratios: {counts}, neighbouring ratios that differ {changed},"
    apart = [round(total_variation(r, pairs), 6) + 0.0 for r in (after, before)]
    return (
        f"fewest distinct ratios: {counts}, neighbouring phases and streams "
        f"{apart[0]:.3g} apart in all instead of {apart[1]:.3g};"
    )


def fewest_distinct_step(
    case: JointParkCase,
    game: Game,
    pools: Pools,
    goal: np.ndarray,
    settings: PlanSettings,
    spec: PlanSpec,
    before: PlanOutcome,
) -> tuple[PlanOutcome, str]:
    """The plan of :func:`fewest_distinct_plan` and what it did (:func:`distinct_label`).

    Neighbouring ratios tied together are a proxy for fewer distinct values, not the count
    itself (two parties' equal ratios, or equal ratios far apart in the table, count once but
    are no neighbours): on a grid the tied plan can hold more distinct values than the plan
    before (only ``count`` on a grid counts the values themselves). The step then raises
    :class:`MoreDistinct` (reported as not applied) and the plan stays as it was, so the
    option never adds a distinct ratio."""
    mode = settings.fewest_distinct or "variation"
    simpler = fewest_distinct_plan(case, game, pools, goal, settings, spec, before, mode)
    more = distinct_values(simpler.ratios) - distinct_values(before.ratios)
    if more > 0:
        raise MoreDistinct(
            f"with neighbouring ratios tied the plan holds {more} more distinct "
            f"ratio{'s' if more > 1 else ''} than the plan before "
            f"({distinct_values(before.ratios)}), so it stays as it was"
        )
    label = distinct_label(case, before.ratios, simpler.ratios, mode, spec.round_to)
    return simpler, label


class MoreDistinct(Exception):
    """The fewest-distinct step's plan holds more distinct ratios than the plan before."""


class _Numerical(Exception):
    """A fewest-distinct step reported infeasible although the plan before meets it."""


def has_integers(m: pyo.ConcreteModel) -> bool:
    """Whether the model holds integer or binary variables that are not fixed (a MILP)."""
    import pyomo.environ as pyo

    return any(
        not v.is_continuous() and not v.fixed
        for v in m.component_data_objects(pyo.Var, active=True)
    )


def solve_widening(
    m: pyo.ConcreteModel,
    objective: str,
    what: str,
    solver: object,
    widen_kept: Callable[[float], None],
) -> float:
    """:func:`~fairpool.models.planning.solve_step`, re-tried with the last kept optimum
    widened (``widen_kept(widen)``, :data:`~fairpool.models.planning.KEEP_WIDENING`) while
    HiGHS reports infeasible: the plan before meets every kept row, so such a report is
    numerical (the lexicographic solve's own rule). Raises :class:`SolverError` when the
    widest slack is still reported infeasible."""
    for widen in KEEP_WIDENING:
        if widen != 1.0:
            widen_kept(widen)
        try:
            return solve_step(m, objective, what, solver, _Numerical)
        except _Numerical:
            continue
    raise SolverError(
        f"HiGHS found no plan within the kept optima ({what}), though the plan before meets "
        "them: a numerical edge of a MILP; the plan stays as it was"
    )


def fewest_distinct_plan(
    case: JointParkCase,
    game: Game,
    pools: Pools,
    goal: np.ndarray,
    settings: PlanSettings,
    spec: PlanSpec,
    before: PlanOutcome,
    mode: FewestDistinct = "variation",
) -> PlanOutcome:
    """The plan ``before`` (solved on ``spec``) with the fewest distinct ratios its kept
    optima allow: the ``fewest_distinct`` step.

    The plan model of ``spec`` is built again and ``before``'s optima are kept as rows, each
    within its slack (:func:`~fairpool.models.planning.plan_tolerance`), exactly as the
    lexicographic solve keeps them: ε ≤ ε* (soft core), distance ≤ d* + ``fairness_slack``,
    and, when the stability step ran, x(S) − v(S) ≥ t* for every proper S. Then

    1. ``count`` only: on a grid (``round_to``) the number of distinct ratios itself, by
       one binary per grid level used (:func:`~fairpool.models.joint_park.plan_model.
       define_grid_levels`); off a grid, where the values are not known in advance, the
       neighbouring cells whose ratios differ, min Σ_j z_j, z_j ∈ {0, 1},
       |r[a_j] − r[b_j]| ≤ z_j (:func:`~fairpool.models.joint_park.plan_model.
       define_distinct_count`); kept as count ≤ count* (an integer: + 0.5), on a grid by
       fixing the levels found (the later steps then choose among those levels only);
    2. min Σ_j |r[a_j] − r[b_j]| (:func:`~fairpool.models.joint_park.plan_model.
       define_total_variation`), kept within 1e-9 per pair;
    3. the tie-break (ratios closest to the target's pool shares).

    A MILP (``count``, a grid, a change limit, a cap) runs with :data:`SIMPLE_MIP_GAP` and
    the case's ``time_limit`` (:data:`SIMPLE_TIME_LIMIT` when none); a limit reached raises
    :class:`SolverError` and the step is reported as not applied.
    """
    import pyomo.environ as pyo

    from fairpool.models.joint_park.plan import PlanOutcome
    from fairpool.optimizer.solve import pyomo_solver

    started = time.perf_counter()
    m = build_plan_model(case, game, pools, goal, spec, settings.distance)
    define_total_variation(m, case)
    levels = mode == "count" and m.component("grid") is not None
    if levels:
        define_grid_levels(m)
    elif mode == "count":
        define_distinct_count(m, case)
    solver = pyomo_solver(case.time_limit or SIMPLE_TIME_LIMIT)
    solver.config.rel_gap = SIMPLE_MIP_GAP
    scale = float(m.money_scale)
    slack = plan_tolerance(game) / scale

    def keep_before(widen: float) -> None:
        if settings.core == "soft":
            keep_epsilon(slack)(m, before.epsilon / scale, widen)
        if before.surplus is not None:
            release_surplus(m)
            keep_surplus(slack)(m, -before.surplus / scale, widen)
        keep_distance_within(settings.fairness_slack, slack)(m, before.distance / scale, widen)

    def keep_count(optimum: float, widen: float) -> None:
        del widen  # a count is an integer: half a unit is slack enough
        if levels:  # the levels found stay the plan's: the later MILPs search far less
            for g in m.levels:
                m.level_used[g].fix(round(m.level_used[g].value or 0.0))
            return
        m.del_component("count_cap")
        m.count_cap = pyo.Constraint(expr=m.differing_pairs <= optimum + 0.5)

    per_pair = PLAN_TOLERANCE * max(1, len(m.variation_pairs))

    def keep_variation(optimum: float, widen: float) -> None:
        m.del_component("variation_cap")
        m.variation_cap = pyo.Constraint(expr=m.total_variation <= optimum + widen * per_pair)

    kept: list[tuple[Callable[[float, float], None], float]] = []

    def widen_kept(widen: float) -> None:
        """Widen the last optimum kept (before's, until a step here kept its own)."""
        if kept:
            keep, optimum = kept[-1]
            keep(optimum, widen)
        else:
            keep_before(widen)

    keep_before(1.0)
    steps: list[tuple[str, str, Callable[[float, float], None]]] = [
        ("variation_objective", "fewest distinct: least total variation", keep_variation)
    ]
    if levels:
        steps.insert(0, ("level_objective", "fewest distinct: grid levels", keep_count))
    elif mode == "count":
        steps.insert(0, ("count_objective", "fewest distinct: fewest differing", keep_count))
    for objective, what, keep in steps:
        optimum = solve_widening(m, objective, what, solver, widen_kept)
        keep(optimum, 1.0)
        kept.append((keep, optimum))
    try:
        solve_widening(m, "tie_objective", "tie-break", solver, widen_kept)
    except SolverError:
        # a MILP's tie-break at its limit or tolerance edge: the ratios of the last step
        # (still loaded: only optimal solutions are) meet every kept optimum
        if not has_integers(m):
            raise
    ratios = np.zeros((case.n, len(case.streams), len(case.phases)))
    for index in m.r:
        ratios[index] = m.r[index].value or 0.0
    return PlanOutcome(
        np.clip(ratios, 0.0, 1.0),
        before.epsilon,
        before.distance,
        time.perf_counter() - started,
        dict(before.details),
        before.surplus,
    )


def ignored_warnings(settings: PlanSettings, nash: bool) -> Sequence[str]:
    """Warnings for simplicity keys set but not used: ``transfers`` (a project family's),
    and every option under the Nash target (no distance to price them by)."""
    applies: tuple[str, ...] = () if nash else APPLIES
    return settings.ignored(applies)


__all__ = [
    "APPLIES",
    "OPTIONS",
    "MoreDistinct",
    "SimplePlan",
    "differing_pairs",
    "fewest_distinct_plan",
    "fewest_distinct_step",
    "ignored_warnings",
    "solve_simple_plan",
    "total_variation",
]
