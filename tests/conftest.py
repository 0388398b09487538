"""Shared test material: hypothesis strategies for random games of several classes.

Strategies (import them with ``from tests.conftest import ...``):

- ``random_games``: benefit games with arbitrary values (anything goes);
- ``convex_games``: v(S) = a|S|² + b|S| plus a non-negative sum of unanimity games u_T
  (u_T(S) = 1 if T ⊆ S): supermodular by construction;
- ``weighted_voting_games``: v(S) = 1 if Σ_{i∈S} w_i ≥ q, else 0;
- ``cost_games``: airport games c(S) = F + max_{i∈S} a_i (submodular) and arbitrary positive
  cost tables, with a positive ``benefit`` party attribute;
- ``any_games``: any of the above.

The hypothesis profile ``fairpool`` (loaded here) keeps property tests fast and free of
deadlines; set ``HYPOTHESIS_PROFILE=thorough`` for a longer run.
"""

from __future__ import annotations

import os
import string

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fairpool.optimizer.game import Game, coalition_sizes

settings.register_profile(
    "fairpool",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fairpool"))

PARTY_IDS = string.ascii_uppercase


def party_ids(n: int) -> tuple[str, ...]:
    """``("A", "B", …)``: n party ids."""
    return tuple(PARTY_IDS[:n])


def all_masks(n: int) -> np.ndarray:
    """0 … 2**n − 1."""
    return np.arange(1 << n)


def unanimity_game(n: int, carrier: int) -> np.ndarray:
    """u_T(S) = 1 if T ⊆ S else 0, for the carrier mask T, over every mask S."""
    masks = all_masks(n)
    return ((masks & carrier) == carrier).astype(np.float64)


def values_arrays(n: int, low: float = -50.0, high: float = 100.0) -> st.SearchStrategy:
    """Arrays of 2**n finite values (entry 0 is set to 0 by ``Game``)."""
    return st.lists(
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        min_size=1 << n,
        max_size=1 << n,
    ).map(np.array)


@st.composite
def random_games(draw: st.DrawFn, min_n: int = 1, max_n: int = 5) -> Game:
    """A benefit game with arbitrary coalition values in [−50, 100]."""
    n = draw(st.integers(min_n, max_n))
    return Game(party_ids(n), draw(values_arrays(n)), "benefit")


@st.composite
def convex_games(draw: st.DrawFn, min_n: int = 1, max_n: int = 6) -> Game:
    """v(S) = a|S|² + b|S| + Σ_T α_T u_T(S) with a, α_T ≥ 0: supermodular."""
    n = draw(st.integers(min_n, max_n))
    sizes = coalition_sizes(n).astype(np.float64)
    quadratic = draw(st.floats(0, 5))
    linear = draw(st.floats(-5, 5))
    values = quadratic * sizes**2 + linear * sizes
    carriers = draw(st.lists(st.integers(1, (1 << n) - 1), max_size=6))
    for carrier in carriers:
        values = values + draw(st.floats(0, 10)) * unanimity_game(n, carrier)
    return Game(party_ids(n), values, "benefit")


@st.composite
def weighted_voting_games(draw: st.DrawFn, min_n: int = 1, max_n: int = 6) -> Game:
    """v(S) = 1 if w(S) ≥ q else 0, with integer weights and a quota 1 ≤ q ≤ w(N)."""
    n = draw(st.integers(min_n, max_n))
    weights = np.array(draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)))
    total = max(int(weights.sum()), 1)
    quota = draw(st.integers(1, total))
    sums = np.zeros(1)
    for weight in weights:
        sums = np.concatenate([sums, sums + weight])
    return Game(party_ids(n), (sums >= quota).astype(np.float64), "benefit")


@st.composite
def cost_games(draw: st.DrawFn, min_n: int = 1, max_n: int = 5) -> Game:
    """A cost game with a positive ``benefit`` attribute: an airport game or any positive table.

    Airport game: c(S) = F + max_{i∈S} a_i for S ≠ ∅ (a shared facility sized for its
    largest user; submodular, so the core is non-empty).
    """
    n = draw(st.integers(min_n, max_n))
    benefits = draw(st.lists(st.floats(1, 200), min_size=n, max_size=n))
    if draw(st.booleans()):
        fixed = draw(st.floats(0, 20))
        needs = draw(st.lists(st.floats(0, 50), min_size=n, max_size=n))
        largest = np.zeros(1)
        for need in needs:
            largest = np.concatenate([largest, np.maximum(largest, need)])
        values = fixed + largest
    else:
        values = draw(values_arrays(n, 1.0, 100.0))
    return Game(party_ids(n), values, "cost", attributes={"benefit": benefits})


def any_games(min_n: int = 1, max_n: int = 5) -> st.SearchStrategy[Game]:
    """Any of the game classes above."""
    return st.one_of(
        random_games(min_n, max_n),
        convex_games(min_n, max_n),
        weighted_voting_games(min_n, max_n),
        cost_games(min_n, max_n),
    )


# -- joint_park (飞地经济) named cases -----------------------------------------------------------
# Appended by the joint_park work: the shipped example cases, read once per session, and a
# small two-party park as editable rows (for bad-input and round-trip tests).

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def sichuan_zhejiang_case():
    """The shipped three-party Sichuan–Zhejiang-style park (cases/sichuan_zhejiang_park.xlsx)."""
    from pathlib import Path

    from fairpool.models.joint_park import read_case

    return read_case(Path(__file__).resolve().parents[1] / "cases" / "sichuan_zhejiang_park.xlsx")


@pytest.fixture(scope="session")
def jingjinji_case():
    """The shipped Beijing–Tianjin–Hebei-2015-style relocation rule (fixed ratios and a cap)."""
    from pathlib import Path

    from fairpool.models.joint_park import read_case

    return read_case(Path(__file__).resolve().parents[1] / "cases" / "jingjinji_relocation.xlsx")


@pytest.fixture
def small_park_rows():
    """(settings, rows) of the joint_park template's valid two-party example park; the
    settings name the model, as the template's ``case`` sheet does."""
    from fairpool.models.joint_park import MODEL, TEMPLATE_SETTINGS, template_rows

    return {"model": MODEL, **TEMPLATE_SETTINGS}, template_rows()


# -- explicit game files (cases/explicit.py, cli.py) -------------------------------------
@pytest.fixture(scope="session")
def water_plant_paths():
    """(coalitions CSV, players CSV) of the shipped cost case ``shared_water_plant``."""
    from fairpool.cases import case_path

    return case_path("shared_water_plant.csv"), case_path("shared_water_plant_players.csv")


@pytest.fixture(scope="session")
def water_plant_game(water_plant_paths):
    """The shipped five-city water plant cost game, with display names and attributes."""
    from fairpool.optimizer.workbook.explicit import read_game_file

    coalitions, players = water_plant_paths
    return read_game_file(coalitions, orientation="cost", players_path=players)


@pytest.fixture
def game_csv(tmp_path):
    """Write a coalition CSV (text as given) to a temporary folder and return its path."""

    def write(text: str, name: str = "game.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# -- the coalition cache (cli.py defaults to one on disk) ----------------------------------
@pytest.fixture(autouse=True)
def _private_coalition_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own FAIRPOOL_CACHE: tests never touch ~/.cache nor each other."""
    monkeypatch.setenv("FAIRPOOL_CACHE", str(tmp_path_factory.mktemp("cache") / "values.sqlite"))
