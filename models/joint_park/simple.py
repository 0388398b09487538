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
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import numpy as np

from fairpool.models.family import PlanSettings, Simplification
from fairpool.models.joint_park.case import JointParkCase
from fairpool.models.joint_park.flows import Pools, evaluate_plan
from fairpool.models.joint_park.plan_model import PlanSpec, default_spec
from fairpool.models.planning import smallest_surplus
from fairpool.models.verdicts import core_tolerance, plan_distance
from fairpool.optimizer.errors import InfeasibleError, SolverError
from fairpool.optimizer.game import Game

APPLIES = ("round_to", "uniform_streams", "max_changes", "fairness_slack")
"""The simplicity keys a park's plan uses (``transfers`` is for project families)."""

OPTIONS = ("uniform_streams", "max_changes", "round_to")
"""The park's simplicity options, in the order they are applied: the grid last, when the
other options have already tied most ratios together (fewer integer variables to place)."""

SIMPLE_MIP_GAP = 1e-4
"""Relative optimality gap of the simplified plans' MILP steps. Placing ratios on a grid so
that three NPVs land closest to their targets is a closest-lattice-point problem: proving
the last 0.01% optimal took HiGHS minutes on the shipped park where finding it takes
milliseconds. Each simplified plan's distance is therefore within 0.01% of the best on its
grid; its price is still exact for the plan reported (distance after − before)."""


SIMPLE_TIME_LIMIT = 20.0
"""Seconds per solve of a simplified plan when the case sets no ``time_limit``: a grid
alone over many free ratios can keep HiGHS searching for minutes (on the shipped park,
``--round-to 0.05`` without the other options); the option is then reported as not
applied, with HiGHS's reason, and the plan stays without it."""


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


def money(value: float, unit: str) -> str:
    """An amount for a sentence: thousands separated, about four significant digits."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"
    return f"{text} {unit}".strip()


def settled(price: float, negligible: float) -> float:
    """A price as reported: 0 when within ``negligible`` (the core tolerance), where the
    distances of two plans differ by solver noise only, not by any money a party sees."""
    return 0.0 if abs(price) <= negligible else price


def target_name(target: str) -> str:
    """How a sentence names the target: "Shapley value", "nucleolus", "proportional:gdp
    target"."""
    return {"shapley": "Shapley value", "nucleolus": "nucleolus"}.get(target, f"{target} target")


def option_label(name: str, spec: PlanSpec) -> str:
    """What an option does, for a sentence ("rounding to 5%")."""
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
    for name in OPTIONS:
        if name not in settings.simplicity:
            continue
        trial = with_option(spec, name, settings)
        label = option_label(name, trial)
        started = time.perf_counter()
        try:
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
        except (InfeasibleError, SolverError) as error:
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


def ignored_warnings(settings: PlanSettings, nash: bool) -> Sequence[str]:
    """Warnings for simplicity keys set but not used: ``transfers`` (a project family's),
    and every option under the Nash target (no distance to price them by)."""
    applies: tuple[str, ...] = () if nash else APPLIES
    return settings.ignored(applies)


__all__ = [
    "APPLIES",
    "OPTIONS",
    "SIMPLE_MIP_GAP",
    "SIMPLE_TIME_LIMIT",
    "SimplePlan",
    "ignored_warnings",
    "money",
    "solve_simple_plan",
]
