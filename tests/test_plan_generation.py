"""The plan by constraint generation (issue 13): core rows found by separation, never 2^n.

Independent evidence: the same family plan model solved on the full table (every core row
held, or scanned) must reach the same optima as on an
:class:`~fairpool.optimizer.generation.oracle_game.OracleGame`, whose rows come one MILP at a
time. L1 plans are rarely unique (a face of optimal ratios or shares), so what must agree is
what the lexicographic solve optimises: the least core violation ε within the rules, the
distance to the target, and the core verdict of the plan judged on the full table. Goals
inside and far outside the core are both tried, so that core rows bind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.models import family, read_case
from fairpool.models.cost_sharing.generate import write_generated_workbook as water_workbook
from fairpool.models.infrastructure.generate import write_generated_workbook as programme
from fairpool.models.joint_park.generate import write_generated_workbook as park_workbook
from fairpool.models.large import case_oracle
from fairpool.models.verdicts import plan_distance
from fairpool.optimizer.game import Game
from fairpool.optimizer.generation.oracle import EnumeratedOracle
from fairpool.optimizer.generation.oracle_game import OracleGame
from fairpool.optimizer.solutions.nucleolus import nucleolus
from fairpool.optimizer.solutions.shapley import shapley
from tests.models.test_scaled_cases import write_scaled

runner = CliRunner()

WRITERS = {
    "joint_park": lambda path, n, seed: park_workbook(path, n, seed, years=10, phases=2),
    "infrastructure": lambda path, n, seed: programme(path, n, seed, years=20),
    "cost_sharing": lambda path, n, seed: water_workbook(path, n, seed),
}

CASES = Path(__file__).resolve().parents[1] / "cases"


@pytest.fixture(scope="module", params=[(name, seed) for name in WRITERS for seed in (1, 2)])
def small_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name, seed = request.param
    folder = tmp_path_factory.mktemp(f"plan_{name}{seed}")
    return WRITERS[name](folder / f"{name}_{seed}.xlsx", 7, seed)


def oracle_game(case: Any) -> OracleGame:
    return OracleGame(case_oracle(family(case.model), case), tuple(case.party_names))


def goals(game: Game) -> dict[str, np.ndarray]:
    """Shapley (often outside the core of these cases) and everything to the first party
    (far outside it: core rows must bind)."""
    skewed = np.zeros(game.n)
    skewed[0] = game.grand_value
    return {"shapley": shapley(game).shares, "skewed": skewed}


@pytest.mark.parametrize("core", ["soft", "hard"])
def test_a_plan_with_generated_rows_reaches_the_optima_of_the_full_table(
    small_case: Path, core: str
) -> None:
    case = read_case(small_case)
    plans = family(case.model)
    game = plans.coalition_game(case)
    scale = float(np.abs(game.values).max())
    settings = case.plan_settings(target="shapley", core=core)
    for goal in goals(game).values():
        full = plans.plan_toward(case, game, goal, settings)
        generated_game = oracle_game(case)
        generated = plans.plan_toward(case, generated_game, goal, settings)
        assert generated.epsilon == pytest.approx(full.epsilon, abs=1e-6 * scale)
        assert plan_distance(generated.amounts, goal, "l1") == pytest.approx(
            plan_distance(full.amounts, goal, "l1"), abs=1e-6 * scale
        )
        assert float(generated.amounts.sum()) == pytest.approx(float(full.amounts.sum()))
        # judged on the full table: no coalition beyond the plan's ε (0 for a hard core)
        worst = float(game.excesses(generated.amounts)[1:-1].max())
        assert worst <= generated.epsilon + 1e-6 * scale
        assert generated_game.statistics.separations >= 1  # the rows were generated


def test_a_listed_game_plans_through_its_table_oracle() -> None:
    """A case that lists its coalition values: the oracle scans the table (no MILP), and
    the plan equals the full table's."""
    case = read_case(CASES / "water_plant.xlsx")
    plans = family(case.model)
    game = plans.coalition_game(case)
    settings = case.plan_settings(target="nucleolus", core="soft")
    goal = nucleolus(game).shares
    listed = OracleGame(EnumeratedOracle(game), tuple(case.party_names))
    full = plans.plan_toward(case, game, goal, settings)
    generated = plans.plan_toward(case, listed, goal, settings)
    scale = float(np.abs(game.values).max())
    assert plan_distance(generated.amounts, goal, "l1") == pytest.approx(
        plan_distance(full.amounts, goal, "l1"), abs=1e-6 * scale
    )
    assert generated.epsilon == pytest.approx(full.epsilon, abs=1e-6 * scale)


def test_a_tie_heavy_game_plans_exactly() -> None:
    """Symmetric parties: every coalition of a size has the same cost, so hundreds of rows
    tie at every step; the generated plan still reaches the full table's optima, for a goal
    far outside the core (one party pays everything)."""
    from fairpool.models.cost_sharing.plan import solve_plan

    n = 9
    sizes = np.array([bin(m).count("1") for m in range(1 << n)], dtype=float)
    cost_game = Game(tuple(f"P{i}" for i in range(n)), 10.0 * sizes - sizes**2 / 10.0, "cost")
    goal = np.zeros(n)
    goal[0] = cost_game.grand_value
    for core in ("soft", "hard"):
        generated_game = OracleGame(EnumeratedOracle(cost_game))
        full = solve_plan(cost_game, goal, core)
        generated = solve_plan(generated_game, goal, core)
        assert generated.distance == pytest.approx(full.distance, rel=1e-6, abs=1e-9)
        assert generated.epsilon == pytest.approx(full.epsilon, abs=1e-9)
        assert float(cost_game.excesses(generated.shares)[1:-1].max()) <= 1e-6 * 10 * n


def solve_json(*args: object) -> dict[str, Any]:
    result = runner.invoke(app, ["solve", *map(str, args), "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_solve_by_generation_prints_the_plan_and_its_certificate(small_case: Path) -> None:
    """The command line: ``solve --generate`` gives the plan (JSON and text) at the
    enumerated plan's distance to the same target, with its worst coalition re-solved."""
    generated = solve_json(small_case, "--generate", "--target", "nucleolus")
    exact = solve_json(small_case, "--exact", "--target", "nucleolus")
    plan = generated["plan"]
    case = read_case(small_case)
    game = family(case.model).coalition_game(case)
    scale = float(np.abs(game.values).max())
    assert plan["distance"] == pytest.approx(exact["plan"]["distance"], abs=1e-6 * scale)
    worst = plan["worst_coalition"]
    assert game.values[game.mask(worst["coalition"].split("+"))] == pytest.approx(
        worst["value"], abs=1e-6 * scale
    )
    amounts = np.array([plan["amounts"][p] for p in case.parties])
    assert float(game.excesses(amounts)[1:-1].max()) == pytest.approx(
        worst["excess"], abs=1e-6 * scale
    )
    text = runner.invoke(app, ["solve", str(small_case), "--generate", "--target", "nucleolus"])
    assert text.exit_code == 0, text.output
    assert "Plan (" in text.stdout and "Core rows: generated by" in text.stdout


@pytest.mark.parametrize("factor", [1e-6, 1e8])
def test_the_generated_plan_is_unit_free(small_case: Path, factor: float, tmp_path: Path) -> None:
    scaled = write_scaled(small_case, factor, tmp_path / f"scaled_{small_case.name}")
    base = solve_json(small_case, "--generate", "--target", "nucleolus")["plan"]
    other = solve_json(scaled, "--generate", "--target", "nucleolus")["plan"]
    scale = max(abs(v) for v in base["amounts"].values())
    assert other["distance"] == pytest.approx(base["distance"] * factor, abs=1e-6 * scale * factor)
    assert other["epsilon"] == pytest.approx(base["epsilon"] * factor, abs=1e-6 * scale * factor)
    for party, amount in base["amounts"].items():
        assert other["amounts"][party] == pytest.approx(amount * factor, abs=1e-6 * scale * factor)


def test_an_empty_core_is_planned_to_its_least_violation() -> None:
    """c(S) = 1 for |S| ≤ 2, 2.5 above, four parties: {1, 2} and {3, 4} can each do with 1,
    so no split of 2.5 is in the core (ε* = 0.25). The generated rows' first step, guided
    toward the target, ends above ε = 0 and is solved again as it is: the same ε and
    distance as the full table."""
    from fairpool.models.cost_sharing.plan import solve_plan

    n = 4
    sizes = np.array([bin(m).count("1") for m in range(1 << n)], dtype=float)
    costs = np.where(sizes <= 2, np.minimum(sizes, 1.0), 2.5)
    cost_game = Game(tuple(f"P{i}" for i in range(n)), costs, "cost")
    goal = np.full(n, 2.5 / n)
    full = solve_plan(cost_game, goal, "soft")
    generated = solve_plan(OracleGame(EnumeratedOracle(cost_game)), goal, "soft")
    assert full.epsilon == pytest.approx(0.25, abs=1e-9)
    assert generated.epsilon == pytest.approx(full.epsilon, abs=1e-9)
    assert generated.distance == pytest.approx(full.distance, abs=1e-9)
