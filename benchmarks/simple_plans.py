"""Simple-plan benchmark (issue 12): the time of the simplified plans' MILP steps on the
shipped parks, next to the plain plan's time, in the same run.

    python benchmarks/simple_plans.py [--repeat 3]

Per shipped park case, medians over ``--repeat`` rounds: the plain plan (fairness, stability
and tie-break LPs; the ``plan`` timing of ``solve``), and each simplified plan of the
``--simple`` preset (``plan_uniform_streams``, ``plan_max_changes``, ``plan_round_to``:
each re-solves the whole lexicographic plan with the option's constraints, the last two
MILPs), with each step's price in the case unit and whether it was applied. Coalition
values and allocations are not timed here (they do not change with the options).

``--generated`` adds the issue's generated 12-party park with 6 streams × 4 phases
(:func:`fairpool.models.joint_park.generate.generated_case`, seed 0; 288 ratios): the plain
plan, then ``round_to 0.01`` alone (one run each; the rounding MILP stops at the 20 s limit
per simplified solve, and the table says whether the grid was applied).
"""

from __future__ import annotations

import argparse
import statistics

from fairpool.cases import case_path
from fairpool.commands.simple import simplicity_options
from fairpool.models import AnyFamily, family

PARKS = ("sichuan_zhejiang_park.xlsx", "jingjinji_relocation.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", action="store_true", help="add the 12-party park")
    args = parser.parse_args()
    park = family("joint_park")
    print("| case | step | seconds (median) | price | applied |")
    print("|---|---|---:|---:|---|")
    for name in PARKS:
        case = park.read_case(case_path(name))
        times: dict[str, list[float]] = {}
        result = None
        for _ in range(args.repeat):
            plain = park.solve(case)
            times.setdefault("plain plan", []).append(plain.timings["plan"])
            result = park.solve(case, **simplicity_options(simple=True))
            for key, seconds in result.timings.items():
                if key.startswith("plan_"):
                    times.setdefault(key, []).append(seconds)
        assert result is not None
        prices = {f"plan_{s.name}": s for s in result.simplifications}
        for key, values in times.items():
            step = prices.get(key)
            price = f"{step.price:,.1f} {case.unit}" if step else ""
            applied = ("yes" if step.applied else "no") if step else ""
            print(f"| {name} | {key} | {statistics.median(values):.3f} | {price} | {applied} |")
    if args.generated:
        generated_park(park)


def generated_park(park: AnyFamily) -> None:
    """The plain plan and the 1% grid on the generated 12-party park, one run each."""
    from fairpool.models.joint_park.generate import generated_case

    case = generated_case(12, 0)
    name = "generated park, 12 parties, 6 streams × 4 phases"
    plain = park.solve(case)
    print(f"| {name} | plain plan | {plain.timings['plan']:.3f} | | |")
    result = park.solve(case, round_to=0.01)
    for step in result.simplifications:
        seconds = result.timings.get(f"plan_{step.name}", float("nan"))
        applied = "yes" if step.applied else f"no: {step.description[:90]}"
        print(
            f"| {name} | plan_{step.name} | {seconds:.3f} | {step.price:,.1f} {case.unit} | "
            f"{applied} |"
        )


if __name__ == "__main__":
    main()
