"""Generate the shipped case ``shared_water_plant.csv``: five cities sharing a water plant.

The cities of the East River (东江) basin can each build a water plant or build one together
and pipe the water to each city. The cost of a coalition S (present value over 20 years, in
亿元 = 100 million yuan) is the cheapest choice of a host city k in S for the plant:

    c(S) = min_{k∈S} [ F + a · D(S)^0.75 + Σ_{i∈S} p · dist(i, k) · d_i^0.6 ]

with D(S) = Σ_{i∈S} d_i the coalition's demand (万吨/日, 10,000 t/day), F = 6 亿元 of fixed
cost per plant, a = 1.2 (economies of scale: the exponent 0.75 < 1) and p = 0.01 亿元 per km
and (万吨/日)^0.6 of transmission main. The numbers are illustrative, not an engineering
estimate. The game is subadditive (sharing never costs more than building apart); its core is
non-empty, yet an equal split or a split by population lies outside it, which is what
``fairpool demo`` shows.

Run ``python -m fairpool.cases.shared_water_plant`` to rewrite the two CSV files beside this module.
"""

from __future__ import annotations

import csv
from itertools import combinations
from pathlib import Path

CITIES = {
    # id: (name, population 万人, demand 万吨/日)
    "SZ": ("深圳", 1779, 60.0),
    "DG": ("东莞", 1049, 40.0),
    "HZ": ("惠州", 606, 22.0),
    "HY": ("河源", 284, 9.0),
    "SW": ("汕尾", 267, 8.0),
}
DISTANCE_KM = {
    ("SZ", "DG"): 70, ("SZ", "HZ"): 90, ("SZ", "HY"): 180, ("SZ", "SW"): 150,
    ("DG", "HZ"): 80, ("DG", "HY"): 150, ("DG", "SW"): 200,
    ("HZ", "HY"): 90, ("HZ", "SW"): 110, ("HY", "SW"): 150,
}  # fmt: skip
FIXED_COST = 6.0
SCALE_COST = 1.2
SCALE_EXPONENT = 0.75
PIPE_COST = 0.01


def distance(a: str, b: str) -> float:
    """Road distance between two cities in km (0 for the same city)."""
    return 0.0 if a == b else DISTANCE_KM.get((a, b), DISTANCE_KM.get((b, a), 0.0))


def coalition_cost(members: tuple[str, ...]) -> float:
    """c(S) in 亿元: cheapest host city for one shared plant serving every member."""
    demand = sum(CITIES[i][2] for i in members)
    plant = FIXED_COST + SCALE_COST * demand**SCALE_EXPONENT
    pipes = min(
        sum(PIPE_COST * distance(i, host) * CITIES[i][2] ** 0.6 for i in members)
        for host in members
    )
    return round(plant + pipes, 2)


def write_case(folder: Path) -> None:
    """Write ``shared_water_plant.csv`` and ``shared_water_plant_players.csv`` to ``folder``."""
    ids = list(CITIES)
    with open(folder / "shared_water_plant.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["coalition", "value"])
        for size in range(1, len(ids) + 1):
            for members in combinations(ids, size):
                writer.writerow(["+".join(members), f"{coalition_cost(members):.2f}"])
    with open(folder / "shared_water_plant_players.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", "population", "demand", "benefit"])
        for party, (name, population, demand) in CITIES.items():
            # benefit: yearly value of the water to the city, 亿元 (used by equal_bcr / scrb)
            writer.writerow([party, name, population, demand, round(demand * 0.9, 1)])


if __name__ == "__main__":
    write_case(Path(__file__).resolve().parent)
