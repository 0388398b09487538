"""Plan pieces shared by the families: core rows generated on demand give the same plan as
every core row at once (cost-sharing plans on hypothesis games, an infrastructure case), and
the generated plan violates no core row beyond its ε."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairpool.cases.generated import generate_infrastructure_case
from fairpool.models import infrastructure as inf
from fairpool.models import planning, verdicts
from fairpool.models.cost_sharing.plan import solve_plan
from fairpool.models.family import CoreMode, DistanceKind, PlanResult
from fairpool.optimizer.errors import InfeasibleError
from fairpool.optimizer.game import Game, Orientation, coalition_sums, tolerance
from fairpool.optimizer.solutions.shapley import shapley_values
from tests.conftest import party_ids, random_games


def generate_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planning, "ALL_CORE_ROWS_UP_TO", 0)


def cost_game(game: Game) -> Game:
    """A cost game from a random benefit game: c(S) = 100·|S| − v(S) ≥ 0."""
    sizes = np.array([bin(m).count("1") for m in range(1 << game.n)], dtype=float)
    return Game(game.players, 100.0 * sizes - game.values, "cost")


@settings(max_examples=25, deadline=None)
@given(random_games(3, 6), st.sampled_from(["soft", "hard"]), st.sampled_from(["l1", "linf"]))
def test_generated_core_rows_give_the_plan_of_all_rows(
    game: Game, core: CoreMode, distance: DistanceKind
) -> None:
    costs = cost_game(game)
    target = costs.to_orientation(shapley_values(costs.savings_game().values, costs.n))
    try:
        full = solve_plan(costs, target, core, distance)
    except InfeasibleError:
        full = None
    with pytest.MonkeyPatch.context() as patch:
        generate_every_row(patch)
        try:
            generated = solve_plan(costs, target, core, distance)
        except InfeasibleError:
            generated = None
    assert (full is None) == (generated is None)
    if full is None or generated is None:
        return
    scale = tolerance(costs.values) * 1e3
    assert generated[1] == pytest.approx(full[1], abs=scale)  # ε*
    assert generated[2] == pytest.approx(full[2], abs=scale * costs.n)  # distance
    savings = costs.savings_game()
    x = savings.to_benefit_form(costs.to_benefit_form(generated[0]))
    excess = savings.values - coalition_sums(x)
    assert excess[1:-1].max(initial=-np.inf) <= generated[1] + scale


@pytest.mark.parametrize("core", ["soft", "hard"])
def test_generated_core_rows_on_an_infrastructure_case(
    core: CoreMode, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = generate_infrastructure_case(parties=7, projects=10, seed=4)
    full: PlanResult | InfeasibleError
    generated: PlanResult | InfeasibleError
    try:
        full = inf.solve(case, core=core)
    except InfeasibleError as error:
        full = error
    generate_every_row(monkeypatch)
    try:
        generated = inf.solve(case, core=core)
    except InfeasibleError as error:
        generated = error
    assert type(full) is type(generated)
    if isinstance(full, InfeasibleError) or isinstance(generated, InfeasibleError):
        return
    assert generated.epsilon == pytest.approx(full.epsilon, abs=1e-6)
    assert generated.distance == pytest.approx(full.distance, rel=1e-6, abs=1e-6)
    assert generated.in_core == full.in_core
    welfare = dict(generated.facts)["welfare"], dict(full.facts)["welfare"]
    assert welfare[0] == pytest.approx(welfare[1], rel=1e-9)


def test_row_generation_starts_small_and_adds_only_violated_rows() -> None:
    """12 parties: the model starts with 24 of 4094 core rows and never holds them all."""
    import pyomo.environ as pyo

    rng = np.random.default_rng(0)
    n = 12
    sizes = np.array([bin(m).count("1") for m in range(1 << n)], dtype=float)
    game = Game(party_ids(n), np.round(sizes**1.5 * rng.uniform(0.9, 1.1, 1 << n), 2))
    m = pyo.ConcreteModel()
    m.P = pyo.RangeSet(0, n - 1)
    m.npv = pyo.Var(m.P)
    m.total = pyo.Constraint(expr=sum(m.npv[i] for i in m.P) == float(game.grand_value))
    planning.define_core_constraints(m, game, "soft")
    assert len(m.core_rows.added) == 2 * n
    planning.activate_only(m, "epsilon_objective")
    result = planning.solve_plan_model(m)
    assert result.optimal
    assert 2 * n < len(m.core_rows.added) < (1 << n) - 2
    x = np.array([m.npv[i].value for i in m.P])
    worst = (game.values - coalition_sums(x))[1:-1].max()
    assert worst == pytest.approx(result.objective, abs=1e-6)
    assert planning.violated_core_rows(m).size == 0


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e4, 1e8])
@pytest.mark.parametrize("orientation", ["benefit", "cost"])
def test_the_core_tolerance_decides_at_its_boundary_in_any_unit(
    scale: float, orientation: Orientation
) -> None:
    """A+B's excess just inside the one core tolerance (1e-6 · max |v|) is in the core; just
    outside it blocks, whatever the money unit (元 … 亿元) and the orientation."""
    for factor, blocked in ((0.5, False), (2.0, True)):
        tol = verdicts.CORE_TOLERANCE * 3.0 * scale
        excess = factor * tol
        if orientation == "benefit":  # v(A+B) − x(A+B) = excess
            values = np.array([0, 0, 0, 2 + excess / scale, 0, 0, 0, 3.0]) * scale
        else:  # x(A+B) − c(A+B) = excess; every other coalition is far from blocking
            values = np.array([0, 3, 3, 2 - excess / scale, 3, 3, 3, 3.0]) * scale
        game = Game(("A", "B", "C"), values, orientation)
        assert verdicts.core_tolerance(game) == pytest.approx(tol, rel=1e-12)
        verdict = verdicts.plan_verdict(game, np.full(3, scale))
        assert verdict.worst_coalition == "A+B"
        assert verdict.worst_excess == pytest.approx(excess, rel=1e-6)
        assert verdict.in_core is not blocked
        assert all(verdict.individually_rational.values())
