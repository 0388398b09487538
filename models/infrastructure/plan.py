"""The infrastructure plan: which projects to build and who pays what, year by year.

Plan model (the grand coalition): build y_p and cost shares c[i, p, t] ≥ 0 with
Σ_i c[i, p, t] = F[p, t] y_p and Σ_p c[i, p, t] ≤ β[i, t] (each party's own budget), so that
npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t]. It is built by the ``define_*`` blocks
below (each states its constraint) and solved lexicographically (:func:`solve_plan`):

1. max Σ_i npv_i (= v(N)): solved on the grand coalition's v(S) model (:func:`welfare_plan`),
   since the welfare does not depend on the shares and the parties' budgets can carry any
   plan their pooled budget can;
2. with Σ npv ≥ (1 − welfare_tolerance) v(N), individual rationality npv_i ≥ v({i}) (hard
   unless ``individual_rationality = off``) and the core rows x(S) + ε ≥ v(S): min ε (soft),
   ε = 0 (hard) or no rows (off; above 10 parties the rows are generated as they are
   violated, :func:`fairpool.models.planning.solve_plan_model`);
3. min the L1 (or L∞) distance of npv to the target's NPVs (computed on the payment game,
   :mod:`fairpool.models.infrastructure.allocations`);
4. tie-break: each party's payments spread over projects and years in proportion to the
   costs, min Σ |c[i, p, t] − ω_i F[p, t] y_p| with ω_i its share of all payments.

:func:`solve` wraps it for the family contract: a
:class:`~fairpool.models.family.PlanResult` whose amounts are NPVs.

The plan model holds money in units of the case's money scale s
(:func:`fairpool.models.planning.money_scale`, kept as ``m.money_scale``): costs, budgets,
benefits, coalition values and the target are divided by s when it is built, so c, npv, ε
and the distance are in units of s and :func:`solve_plan` multiplies them back. HiGHS then
sees numbers of order 1 whether the case is in 元 or 亿元.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

import numpy as np
import pandas as pd

from fairpool.models.family import (
    CoreMode,
    DistanceKind,
    PlanOptions,
    PlanResult,
    Transfers,
)
from fairpool.models.infrastructure.allocations import (
    beneficiary_shares,
    may_pay,
    side_by_side,
    target_npv,
)
from fairpool.models.infrastructure.case import IndividualRationality, InfrastructureCase
from fairpool.models.infrastructure.coalitions import (
    InfrastructureEvaluator,
    coalition_game,
    compile_coalition_model,
)
from fairpool.models.infrastructure.transfers import (
    define_side_payment_objective,
    explicit_step,
    plan_side_payments,
    side_payment_facts,
    transfer_plan,
)
from fairpool.models.planning import (
    PLAN_TOLERANCE,
    LexicographicStep,
    PlanGame,
    define_core_constraints,
    define_distance_objective,
    keep_distance,
    keep_epsilon,
    money_scale,
    plan_tolerance,
    scaled_game,
    solve_lexicographic,
    solve_step,
)
from fairpool.models.side_payments import side_payment_frame
from fairpool.models.verdicts import (
    CORE_TOLERANCE,
    SolvedPlan,
    plan_result,
)
from fairpool.optimizer.errors import InfeasibleError

if TYPE_CHECKING:
    import pyomo.environ as pyo


# -- the plan model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSpec:
    """What goes into a plan model: the core mode, individual rationality, and the build
    decisions y fixed to ``fixed_build`` (None: chosen by the model), and ``transfers``
    (``none``: a party pays only toward the projects it hosts or benefits from)."""

    core: CoreMode
    individual_rationality: IndividualRationality = "hard"
    fixed_build: np.ndarray | None = None
    transfers: Transfers = "allowed"


def define_build_decisions(m: pyo.ConcreteModel, case: InfrastructureCase, spec: PlanSpec) -> None:
    """y_p ∈ {0,1} ([0,1] divisible); y_p ≤ y_q (p needs q); y_p + y_q ≤ 1 (p excludes q).

    With ``spec.fixed_build`` every y_p is fixed at 0 or 1 and declared continuous: the
    same feasible set, but the plan is then an LP, which HiGHS re-solves from the previous
    basis after each generated core row or kept optimum (a MIP starts from scratch each
    time: the 14-party generated case's plan ran 19 MIPs instead of 3 LPs)."""
    import pyomo.environ as pyo

    m.P = pyo.RangeSet(0, case.n - 1)
    m.Pj = pyo.RangeSet(0, len(case.projects) - 1)
    fixed = spec.fixed_build is not None
    m.y = pyo.Var(
        m.Pj,
        bounds=(0.0, 1.0),
        domain=lambda m, p: pyo.Reals if case.divisible[p] or fixed else pyo.Binary,
    )
    if spec.fixed_build is not None:
        for p in m.Pj:
            m.y[p].fix(float(spec.fixed_build[p]))
    dependencies = [(p, q) for p in m.Pj for q in sorted(case.depends_on[p])]
    m.depends = pyo.Constraint(
        range(len(dependencies)),
        rule=lambda m, j: m.y[dependencies[j][0]] <= m.y[dependencies[j][1]],
    )
    exclusions = sorted({(min(p, q), max(p, q)) for p in m.Pj for q in case.excludes[p]})
    m.exclude = pyo.Constraint(
        range(len(exclusions)), rule=lambda m, j: m.y[exclusions[j][0]] + m.y[exclusions[j][1]] <= 1
    )


def define_cost_shares(
    m: pyo.ConcreteModel, case: InfrastructureCase, transfers: Transfers = "allowed"
) -> None:
    """c[i, p, t] ≥ 0 and Σ_i c[i, p, t] = F[p, t] y_p (every built project fully funded);
    with ``transfers = none`` c[i, p, t] = 0 unless i hosts p or benefits from it
    (:func:`~fairpool.models.infrastructure.allocations.may_pay`)."""
    import pyomo.environ as pyo

    cost = case.funded_cost / m.money_scale
    m.cells = [
        (p, t) for p in range(len(case.projects)) for t in range(len(case.years)) if cost[p, t] > 0
    ]
    m.c = pyo.Var(m.P, range(len(m.cells)), bounds=(0.0, None))
    m.funded = pyo.Constraint(
        range(len(m.cells)),
        rule=lambda m, j: (
            sum(m.c[i, j] for i in m.P) == float(cost[m.cells[j]]) * m.y[m.cells[j][0]]
        ),
    )
    if transfers == "none":
        allowed = may_pay(case)
        for j, (p, _t) in enumerate(m.cells):
            for i in m.P:
                if not allowed[p, i]:
                    m.c[i, j].fix(0.0)


def define_budget_limits(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """Σ_p c[i, p, t] ≤ β[i, t] for every party and year with a budget row."""
    import pyomo.environ as pyo

    by_year: dict[int, list[int]] = {}
    for j, (_p, t) in enumerate(m.cells):
        by_year.setdefault(t, []).append(j)
    limits = [(i, t) for i in range(case.n) for t in by_year if np.isfinite(case.budget[i, t])]
    m.budget_limit = pyo.Constraint(
        range(len(limits)),
        rule=lambda m, k: (
            sum(m.c[limits[k][0], j] for j in by_year[limits[k][1]])
            <= float(case.budget[limits[k]]) / m.money_scale
        ),
    )


def define_npv(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t]; welfare W = Σ_i npv_i."""
    import pyomo.environ as pyo

    benefit = case.benefit_pv() / m.money_scale
    d = case.discount
    m.npv = pyo.Var(m.P)
    m.npv_definition = pyo.Constraint(
        m.P,
        rule=lambda m, i: (
            m.npv[i]
            == sum(float(benefit[p, i]) * m.y[p] for p in m.Pj if benefit[p, i])
            - sum(float(d[t]) * m.c[i, j] for j, (_p, t) in enumerate(m.cells))
        ),
    )
    m.welfare = pyo.Expression(expr=sum(m.npv[i] for i in m.P))
    m.welfare_objective = pyo.Objective(expr=m.welfare, sense=pyo.maximize)
    m.welfare_objective.deactivate()
    m.welfare_floor = pyo.Param(mutable=True, initialize=-1e20)
    m.welfare_kept = pyo.Constraint(expr=m.welfare >= m.welfare_floor)


def define_individual_rationality(
    m: pyo.ConcreteModel, game: PlanGame, mode: IndividualRationality
) -> None:
    """npv_i ≥ v({i}) for every party (hard); no rows when off."""
    import pyomo.environ as pyo

    standalone = game.standalone_values
    parties = list(range(game.n)) if mode == "hard" else []
    m.individually_rational = pyo.Constraint(
        parties, rule=lambda m, i: m.npv[i] >= float(standalone[i])
    )


def define_tie_break(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """min Σ |c[i, p, t] − ω_i F[p, t] y_p| (ω_i mutable: party i's share of all payments)."""
    import pyomo.environ as pyo

    cost = case.funded_cost / m.money_scale
    m.omega = pyo.Param(m.P, mutable=True, initialize=1.0 / case.n)
    m.c_above = pyo.Var(m.P, range(len(m.cells)), bounds=(0.0, None))
    m.c_below = pyo.Var(m.P, range(len(m.cells)), bounds=(0.0, None))
    m.c_deviation = pyo.Constraint(
        m.P,
        range(len(m.cells)),
        rule=lambda m, i, j: (
            m.c[i, j] - m.omega[i] * float(cost[m.cells[j]]) * m.y[m.cells[j][0]]
            == m.c_above[i, j] - m.c_below[i, j]
        ),
    )
    m.tie_objective = pyo.Objective(
        expr=sum(m.c_above[k] + m.c_below[k] for k in m.c_above), sense=pyo.minimize
    )
    m.tie_objective.deactivate()


def define_feasibility_objective(m: pyo.ConcreteModel) -> None:
    """min 0: a step that only asks whether the hard rules (IR, core = hard) can be met."""
    import pyomo.environ as pyo

    m.feasibility_objective = pyo.Objective(expr=0.0 * m.epsilon)
    m.feasibility_objective.deactivate()


def build_plan_model(
    case: InfrastructureCase,
    game: PlanGame,
    target: np.ndarray,
    spec: PlanSpec | None = None,
    distance: DistanceKind = "l1",
) -> pyo.ConcreteModel:
    """The plan model: build decisions, cost shares within budgets, NPVs, IR, core, distance.

    Every ``*_objective`` is built deactivated; :func:`solve_plan` activates them in turn.
    ``spec`` defaults to the case's core mode and individual rationality, nothing fixed.
    Money is in units of ``m.money_scale`` (module docstring): ``game`` and ``target`` are
    given in the case unit and divided here, as the case's costs, budgets and benefits are.
    """
    import pyomo.environ as pyo

    spec = spec or PlanSpec(case.core, case.individual_rationality)
    m = pyo.ConcreteModel(name="infrastructure_plan")
    m.money_scale = scale = money_scale(game)
    game = scaled_game(game, scale)
    define_build_decisions(m, case, spec)
    define_cost_shares(m, case, spec.transfers)
    define_budget_limits(m, case)
    define_npv(m, case)
    define_individual_rationality(m, game, spec.individual_rationality)
    define_core_constraints(m, game, spec.core)
    define_distance_objective(m, np.asarray(target, dtype=float) / scale, distance)
    define_tie_break(m, case)
    if spec.transfers == "explicit":
        define_side_payment_objective(m, case)
    define_feasibility_objective(m)
    return m


# -- the lexicographic solve ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOutcome:
    """The solved plan: build y[p], cost shares c[i, p, t], ε*, distance, welfare, time."""

    build: np.ndarray
    shares: np.ndarray
    epsilon: float
    distance: float
    welfare: float
    runtime: float


def plan_values(m: pyo.ConcreteModel, case: InfrastructureCase) -> tuple[np.ndarray, np.ndarray]:
    """(build y[p], cost shares c[i, p, t] in the case unit) of the model's current solution;
    binaries rounded, divisible builds clipped to [0, 1], shares clipped at 0 (solver noise)."""
    build = np.array([m.y[p].value or 0.0 for p in m.Pj])
    build = np.where(case.divisible, np.clip(build, 0.0, 1.0), np.round(build))
    shares = np.zeros((case.n, len(case.projects), len(case.years)))
    for j, (p, t) in enumerate(m.cells):
        for i in m.P:
            shares[i, p, t] = max(m.c[i, j].value or 0.0, 0.0)
    return build, shares * m.money_scale


def welfare_plan(case: InfrastructureCase) -> tuple[np.ndarray, float]:
    """Step 1 alone: the welfare-maximising build plan y* and its welfare (= v(N)).

    Solved on the grand coalition's small v(S) model, not on the plan model (whose cost-share
    variables, party × project × year, make the same MILP much larger): the welfare
    Σ_i npv_i = Σ_p (Σ_i Bpv[p, i] − Fpv_p) y_p does not depend on the shares, and shares
    within every party's yearly budget exist iff each year's costs fit the pooled budget
    (any party may pay any cost). Always from the model, even when the game's v(N) comes
    from a ``coalitions`` sheet (:func:`solve` warns when the two differ).
    """
    evaluator = InfrastructureEvaluator(compile_coalition_model(case))
    welfare = evaluator.value((1 << case.n) - 1)
    build = evaluator.solution()
    build = np.where(case.divisible, np.clip(build, 0.0, 1.0), np.round(build))
    return build, welfare


def plan_steps(
    core: CoreMode, rational: IndividualRationality, slack: float, parties: int
) -> list[LexicographicStep]:
    """Steps 2 and 3 of the plan solve (module docstring) for
    :func:`fairpool.models.planning.solve_lexicographic`.

    Soft core: min ε, kept as ε ≤ max(ε*, 0) + ``slack``; hard core or hard individual
    rationality: a feasibility solve first, so that an impossible rule is reported before the
    distance step; then min distance, kept as distance ≤ d* + ``slack`` · ``parties``.
    """
    steps = []
    if core == "soft":
        steps.append(
            LexicographicStep("epsilon_objective", "least core violation", keep_epsilon(slack))
        )
    elif core == "hard" or rational == "hard":
        steps.append(LexicographicStep("feasibility_objective", "feasibility"))
    steps.append(
        LexicographicStep(
            "distance_objective", "distance to the target", keep_distance(slack * parties)
        )
    )
    return steps


def set_tie_weights(m: pyo.ConcreteModel, case: InfrastructureCase) -> None:
    """ω_i = party i's share of all payments (present values) in the model's current
    solution, for the tie-break; equal weights when nothing is paid."""
    _build, payments = plan_values(m, case)
    paid = (payments @ case.discount).sum(axis=1)
    omega = paid / paid.sum() if paid.sum() > 0 else np.full(case.n, 1.0 / case.n)
    for i in m.P:
        m.omega[i] = float(omega[i])


def solve_plan(
    case: InfrastructureCase,
    game: PlanGame,
    target: np.ndarray,
    core: CoreMode,
    distance: DistanceKind = "l1",
    welfare_tolerance: float | None = None,
    individual_rationality: IndividualRationality | None = None,
    welfare_optimum: tuple[np.ndarray, float] | None = None,
    transfers: Transfers = "allowed",
) -> PlanOutcome:
    """Lexicographic plan solve: welfare, then least ε (soft core), distance, tie-break.

    ``transfers``: ``none`` lets a party pay only toward the projects it hosts or benefits
    from; ``explicit`` keeps the plans of ``allowed`` but breaks ties by the least volume of
    side payments against the beneficiary-pays base split
    (:func:`define_side_payment_objective`), so that few, early transfers close the gap.

    With ``welfare_tolerance`` 0 the build plan of the welfare step is kept (later steps are
    LPs). ``welfare_optimum`` is :func:`welfare_plan`'s answer when the caller already has
    it. Raises :class:`InfeasibleError` saying which requirement cannot be met
    (:func:`explain_infeasible`).

    Each optimum is kept for the later steps with a slack, tol = 1e-9 of the case's money
    scale (:func:`~fairpool.models.planning.plan_tolerance`): ε ≤ ε* + tol, welfare ≥ floor −
    tol, and distance ≤ d* + tol · n. Why a slack at all: HiGHS returns optima that hold the
    rows to its feasibility tolerance, so re-imposing an optimum exactly can make the next
    step infeasible by rounding. Why these sizes: tol is far below the core tolerance (1e-6 ·
    max |v|), so the kept optimum cannot change a verdict; the L1 distance is a sum of n
    absolute deviations, each of which may carry up to tol of rounding, hence tol · n (kept
    for L∞ too, where it is merely generous). The model is solved in units of the money
    scale (module docstring), where tol is 1e-9, and ε*, d* and the shares are multiplied
    back.
    """
    from fairpool.optimizer.solve import pyomo_solver

    welfare_tolerance = case.welfare_tolerance if welfare_tolerance is None else welfare_tolerance
    rational = individual_rationality or case.individual_rationality
    started = time.perf_counter()
    build, welfare = welfare_optimum or welfare_plan(case)
    spec = PlanSpec(core, rational, build if welfare_tolerance <= 0 else None, transfers)
    m = build_plan_model(case, game, target, spec, distance)
    scale = float(m.money_scale)
    tol = plan_tolerance(game) / scale  # in the model's units
    m.welfare_floor = (welfare - abs(welfare) * welfare_tolerance) / scale - tol
    solver = pyomo_solver(case.time_limit)

    def infeasible() -> InfeasibleError:
        return explain_infeasible(case, game, welfare, welfare_tolerance, rational, core, transfers)

    optima = solve_lexicographic(m, plan_steps(core, rational, tol, case.n), solver, infeasible)
    epsilon = max(optima[0], 0.0) * scale if core == "soft" else 0.0
    if transfers == "explicit":
        solve_step(m, "side_objective", "fewest side payments", solver, infeasible)
    else:
        set_tie_weights(m, case)
        solve_step(m, "tie_objective", "tie-break", solver, infeasible)
    build, shares = plan_values(m, case)
    distance_found = optima[-1] * scale
    return PlanOutcome(
        build, shares, epsilon, distance_found, welfare, time.perf_counter() - started
    )


def explain_infeasible(
    case: InfrastructureCase,
    game: PlanGame,
    welfare: float,
    welfare_tolerance: float,
    rational: str,
    core: CoreMode,
    transfers: Transfers = "allowed",
) -> InfeasibleError:
    """An :class:`InfeasibleError` naming what cannot be met and how to relax it."""
    lines = []
    if transfers == "none":
        lines.append(
            "payments follow benefits (transfers = none: a party pays only toward the projects "
            "it hosts or benefits from): use transfers = explicit or allowed"
        )
    if rational == "hard":
        lines.append(
            "individual rationality (every party at least its stand-alone NPV "
            + ", ".join(
                f"{p} {v:,.1f}" for p, v in zip(case.parties, game.standalone_values, strict=True)
            )
            + "): set individual_rationality = off in sheet case"
        )
    if core == "hard":
        lines.append("the core constraints (core = hard): use core = soft")
    lines.append(
        f"the welfare floor (within {welfare_tolerance:.1%} of the best welfare "
        f"{welfare:,.1f} {case.unit}): raise welfare_tolerance"
    )
    lines.append("the yearly budgets (sheet budgets): cost shares cannot move money between years")
    return InfeasibleError(
        "No cost-share plan meets every requirement. Relax one of these:\n  - "
        + "\n  - ".join(lines)
    )


# -- the plan as tables --------------------------------------------------------------------------


def plan_npv(case: InfrastructureCase, build: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """npv_i = Σ_p Bpv[p, i] y_p − Σ_{p,t} d_t c[i, p, t], recomputed from the arrays."""
    return build @ case.benefit_pv() - (shares @ case.discount).sum(axis=1)


def built_projects(case: InfrastructureCase, build: np.ndarray) -> tuple[str, ...]:
    """The projects a build plan builds (in part, for divisible ones)."""
    return tuple(p for p, y in zip(case.projects, build, strict=True) if y > 1e-9)


def shares_frame(case: InfrastructureCase, shares: np.ndarray) -> pd.DataFrame:
    """c[i, p, t] as rows (party, project, year, amount), zero amounts (below 1e-9 of the
    largest, solver noise) left out."""
    i, p, t = np.nonzero(shares > PLAN_TOLERANCE * float(np.abs(shares).max(initial=0.0)))
    return pd.DataFrame(
        {
            "party": [case.parties[k] for k in i],
            "project": [case.projects[k] for k in p],
            "year": case.years[t].astype(int),
            "amount": shares[i, p, t],
        },
        columns=["party", "project", "year", "amount"],
    )


def shares_from_frame(case: InfrastructureCase, frame: pd.DataFrame) -> np.ndarray:
    """A shares DataFrame (party, project, year, amount) as the array c[i, p, t]."""
    shares = np.zeros((case.n, len(case.projects), len(case.years)))
    year_index = {int(y): t for t, y in enumerate(case.years)}
    columns = (frame["party"], frame["project"], frame["year"], frame["amount"])
    for party, project, year, amount in zip(*columns, strict=True):
        i, p = case.party_index(str(party)), case.project_index(str(project))
        shares[i, p, year_index[int(year)]] += float(amount)
    return shares


def build_frame(case: InfrastructureCase, build: np.ndarray) -> pd.DataFrame:
    """Per project: built, hosts, and present values (capex, subsidy, O&M, funded cost, benefit)."""
    d = case.discount
    benefit = case.benefit_pv().sum(axis=1)
    return pd.DataFrame(
        {
            "project": list(case.projects),
            "name": list(case.project_names),
            "built": build,
            "hosts": ["+".join(case.parties[i] for i in sorted(h)) for h in case.hosts],
            "capex_pv": case.capex @ d,
            "subsidy_pv": case.subsidy_share * (case.capex @ d),
            "om_pv": case.om @ d,
            "funded_cost_pv": case.cost_pv(),
            "benefit_pv": benefit,
            "net_pv": benefit - case.cost_pv(),
        }
    )


def cash_flow_frame(
    case: InfrastructureCase, build: np.ndarray, shares: np.ndarray
) -> pd.DataFrame:
    """(party, year, benefit, payment, net, discount_factor, discounted_net) of a plan."""
    benefit = np.einsum("p,pit->it", build, case.benefit)
    payment = shares.sum(axis=1)
    records = []
    d = case.discount
    for i, party in enumerate(case.parties):
        for t, year in enumerate(case.years):
            net = benefit[i, t] - payment[i, t]
            records.append(
                {
                    "party": party,
                    "year": int(year),
                    "benefit": float(benefit[i, t]),
                    "payment": float(payment[i, t]),
                    "net": float(net),
                    "discount_factor": float(d[t]),
                    "discounted_net": float(net * d[t]),
                }
            )
    return pd.DataFrame.from_records(records)


# -- the family contract: solve --------------------------------------------------------------


def solve(case: InfrastructureCase, /, **options: Unpack[PlanOptions]) -> PlanResult:
    """Solve an infrastructure case: v(S), every rule side by side, and the fairest plan.

    ``target``, ``core`` and ``distance`` default to the case sheet (shapley, soft, l1).
    Raises :class:`InfeasibleError` when no plan meets the requirements.

    The result's amounts are the plan's NPVs; ``plan_table`` its cost shares (party,
    project, year, amount); ``tables``: ``payments`` (each method's payments, present
    values) and ``build`` (:func:`build_frame`); ``facts``: the built projects, the plan's
    welfare, the best welfare v(N), and ``benefit_<party>`` (present value of the benefits
    the plan brings each party). No game analysis is passed on: the allocations are those
    of the payment game, so ``plan_result`` computes the properties and the least core.

    ``transfers`` (issue 12, :func:`transfer_plan`): ``none`` solves the plan with payments
    following benefits and reports its price beside the plan without that rule;
    ``explicit`` shows the plan as the beneficiary-pays base split (``plan_table``) plus the
    ``side_payments`` table. ``round_to`` (after ``transfers``): every party's share of each
    built project, the same every year, a multiple of it, priced
    (:func:`~fairpool.models.infrastructure.rounding.round_plan`; a MILP); when no rounded
    plan meets the rules, the plan is kept and the simplification says why.
    """
    settings = case.plan_settings(**options)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    game = coalition_game(case)
    timings["coalition_values"] = time.perf_counter() - started
    started = time.perf_counter()
    build, best = welfare_plan(case)
    warnings = list(settings.ignored(("transfers", "round_to")))
    if abs(best - game.grand_value) > CORE_TOLERANCE * float(np.abs(game.values).max()):
        warnings.append(
            f"v(N) = {game.grand_value:,.2f} but the best plan's welfare is {best:,.2f}; "
            "plan NPVs add up to the latter"
        )
    rules = side_by_side(case, game, build, settings.target)
    warnings += rules.warnings
    goal = target_npv(rules.allocations, settings.target)
    timings["allocations"] = time.perf_counter() - started
    transfer = transfer_plan(
        lambda mode: solve_plan(
            case,
            game,
            goal,
            settings.core,
            settings.distance,
            welfare_optimum=(build, best),
            transfers=mode,
        ),
        case,
        game,
        goal,
        settings.distance,
        settings.transfers,
    )
    outcome = transfer.outcome
    warnings += transfer.warnings
    timings["plan"] = outcome.runtime
    steps = []
    if transfer.simplification is not None:
        steps.append(transfer.simplification(game, plan_npv(case, outcome.build, outcome.shares)))
    side_payments = transfer.side_payments
    if settings.round_to is not None:
        # imported here: rounding builds on this module's plan model
        from fairpool.models.infrastructure.rounding import round_plan

        rounded = round_plan(
            case,
            game,
            goal,
            settings.core,
            settings.distance,
            settings.round_to,
            outcome,
            transfer.mode,
        )
        if rounded.outcome is not outcome:
            timings["plan_round_to"] = rounded.outcome.runtime
        outcome = rounded.outcome
        warnings += rounded.warnings
        steps.append(rounded.simplification)
        if side_payments is not None:  # the rounded plan's own side payments
            side_payments = plan_side_payments(case, game, outcome)
            steps[0] = explicit_step(case, goal, settings.distance, side_payments)(
                game, plan_npv(case, outcome.build, outcome.shares)
            )
    npv = plan_npv(case, outcome.build, outcome.shares)
    benefits = outcome.build @ case.benefit_pv()
    tables = {"payments": rules.payments_frame(case), "build": build_frame(case, outcome.build)}
    facts: list[tuple[str, object]] = [
        ("built_projects", "+".join(built_projects(case, outcome.build))),
        ("welfare", float(npv.sum())),
        ("best_welfare", float(outcome.welfare)),
        *(("benefit_" + p, float(b)) for p, b in zip(case.parties, benefits, strict=True)),
    ]
    table = shares_frame(case, outcome.shares)
    if side_payments is not None:
        table = shares_frame(case, beneficiary_shares(case, outcome.build))
        tables["side_payments"] = side_payment_frame(side_payments)
        facts += side_payment_facts(case, side_payments)
    plan = SolvedPlan(
        amounts=npv,
        epsilon=outcome.epsilon,
        kind="shares",
        table=table,
        cash_flows=cash_flow_frame(case, outcome.build, outcome.shares),
        tables=tables,
        facts=tuple(facts),
        warnings=warnings,
        timings=timings,
    )
    result = plan_result(case, settings, game, rules.allocations, goal, plan)
    if not steps:
        return result
    return dataclasses.replace(result, simplifications=(*result.simplifications, *steps))


__all__ = [
    "PlanOutcome",
    "PlanSpec",
    "build_frame",
    "build_plan_model",
    "built_projects",
    "cash_flow_frame",
    "define_budget_limits",
    "define_build_decisions",
    "define_cost_shares",
    "define_feasibility_objective",
    "define_individual_rationality",
    "define_npv",
    "define_tie_break",
    "explain_infeasible",
    "plan_npv",
    "plan_steps",
    "plan_values",
    "shares_frame",
    "shares_from_frame",
    "solve",
    "solve_plan",
    "welfare_plan",
]
