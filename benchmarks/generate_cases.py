"""Write a generated case workbook (issues 12 and 13): a park network, a Yangtze-delta
infrastructure programme or a water system of any size, seeded and reproducible.

    python benchmarks/generate_cases.py --family park --parties 12 --seed 0 --out park12.xlsx
    python benchmarks/generate_cases.py --family infrastructure --parties 41 --projects 60 \
        --out delta41.xlsx
    python benchmarks/generate_cases.py --family cost_sharing --parties 40 --out water40.xlsx

Then ``fairpool validate FILE``, ``fairpool solve FILE`` … read it like any case. The
generators are ``fairpool.models.<family>.generate`` (their docstrings say what is drawn).
"""

from __future__ import annotations

import argparse
from pathlib import Path

FAMILIES = ("park", "infrastructure", "cost_sharing")


def write(
    family: str,
    out: Path,
    parties: int,
    seed: int,
    *,
    streams: int = 6,
    phases: int = 4,
    years: int | None = None,
    projects: int | None = None,
    sites: int | None = None,
) -> Path:
    """Write the generated workbook of ``family`` with its shape options; returns its path."""
    if family == "park":
        from fairpool.models.joint_park.generate import write_generated_workbook as write_park

        return write_park(out, parties, seed, streams=streams, phases=phases, years=years or 20)
    if family == "infrastructure":
        from fairpool.models.infrastructure.generate import (
            write_generated_workbook as write_programme,
        )

        return write_programme(out, parties, seed, projects=projects, years=years or 30)
    if family == "cost_sharing":
        from fairpool.models.cost_sharing.generate import write_generated_workbook as write_water

        return write_water(out, parties, seed, sites=sites)
    raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--family", choices=FAMILIES, required=True)
    parser.add_argument("--parties", type=int, required=True, help="number of parties n")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="workbook to write (.xlsx)")
    parser.add_argument("--streams", type=int, default=6, help="park: cash streams")
    parser.add_argument("--phases", type=int, default=4, help="park: phases")
    parser.add_argument("--years", type=int, help="park: 20, infrastructure: 30 (default)")
    parser.add_argument("--projects", type=int, help="infrastructure: blank is ⌈1.5 n⌉")
    parser.add_argument("--sites", type=int, help="cost_sharing: shared plant sites")
    args = parser.parse_args(argv)
    path = write(
        args.family,
        args.out,
        args.parties,
        args.seed,
        streams=args.streams,
        phases=args.phases,
        years=args.years,
        projects=args.projects,
        sites=args.sites,
    )
    print(path)


if __name__ == "__main__":
    main()
