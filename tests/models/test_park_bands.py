"""A park sweep's bands by half-lines over all coalitions (``bands.line_bands``) against the
MILPs min ρ / max ρ (``bands.core_band``, ``bands.rules_band``), and the rules judged on a
stack of plans against one plan at a time.

The MILPs are the independent evidence: they model the caps' truncation with binaries and
the rules as constraints, while ``line_bands`` cuts the line at the caps' kinks and
intersects half-lines with numpy. Both bands are compared to 1e-6 in ρ (a fraction), and
after ``band_cuts`` (what a user reads) the outcome is the same.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fairpool.cases.build_cases import generated_park
from fairpool.models import joint_park as jp
from fairpool.models.joint_park.bands import cap_kinks, core_band, line_bands, rules_band
from fairpool.models.joint_park.flows import evaluate_plan
from fairpool.models.joint_park.plan import park_game
from fairpool.models.joint_park.plan_model import SweepSpec
from fairpool.models.joint_park.proposal import base_ratios, sweep_cells
from fairpool.models.joint_park.rules import (
    plans_within_rules,
    proposal_violations,
    rule_slacks,
)
from fairpool.models.sweeps import band_cuts

BAND = 1e-6


def capped_park(seed: int, parties: int = 3) -> jp.JointParkCase:
    """A generated park with rules, a nonincreasing schedule, a floor and a binding cap."""
    settings, rows = generated_park(parties, 3, 12, 5, seed=seed)
    ids = [row["id"] for row in rows["parties"]]
    rows["limits"].append(
        {
            "party": ids[0],
            "limit": "cap",
            "stream": "*",
            "start_year": 2027,
            "end_year": 2032,
            "amount": 150.0 * (1 + seed % 3),
            "overflow_to": ids[-1],
        }
    )
    return jp.case_from_rows(settings, rows)


def lines(case: jp.JointParkCase) -> list[tuple[str, str, str]]:
    """Every party's whole ratio, and its ratio in one stream or one phase."""
    chosen = []
    for party in case.parties:
        chosen.append((party, "*", "*"))
        chosen.append((party, case.streams[0].stream, "*"))
        chosen.append((party, "*", case.phases[-1].phase))
    return chosen


def assert_same_bands(case: jp.JointParkCase, base: np.ndarray | None) -> int:
    """line_bands against the MILPs on every line of ``lines``; returns how many lines had
    a core band (so a test can insist that some did)."""
    park = park_game(case)
    ratios, _ = base_ratios(case, base, park)
    with_band = 0
    for party, stream, phase in lines(case):
        spec = SweepSpec(case.party_index(party), sweep_cells(case, stream, phase), ratios)
        fast = line_bands(case, park, spec)
        assert fast is not None, (party, stream, phase)
        core, within = fast
        exact_core = core_band(case, park, spec)
        exact_within = rules_band(case, park.game, park.pools, spec) if exact_core else None
        where = (party, stream, phase)
        assert (core is None) == (exact_core is None), where
        if core is None or exact_core is None:
            continue
        with_band += 1
        assert core == pytest.approx(exact_core, abs=BAND), where

        def broken(rho: float, spec: SweepSpec = spec) -> list[str]:
            plan = spec.ratios(rho)
            return proposal_violations(
                case, park.pools, plan, evaluate_plan(case, park.pools, plan)
            )

        mine, mine_cuts = band_cuts(core, within, broken)
        theirs, their_cuts = band_cuts(exact_core, exact_within, broken)
        assert (mine is None) == (theirs is None), where
        if mine is not None and theirs is not None:
            assert mine == pytest.approx(theirs, abs=BAND), where
        assert [c.side for c in mine_cuts] == [c.side for c in their_cuts], where
    return with_band


@pytest.mark.parametrize("base", ["proposal", "plan"])
def test_shipped_park_bands_equal_the_milps(sichuan_zhejiang_case, base) -> None:
    plan = (
        None
        if base == "proposal"
        else jp.ratios_from_frame(sichuan_zhejiang_case, jp.solve(sichuan_zhejiang_case).plan_table)
    )
    assert assert_same_bands(sichuan_zhejiang_case, plan) >= 3


def test_capped_relocation_bands_equal_the_milps(jingjinji_case) -> None:
    assert assert_same_bands(jingjinji_case, None) >= 1


@pytest.mark.parametrize("seed", range(4))
def test_generated_capped_parks_bands_equal_the_milps(seed) -> None:
    case = capped_park(seed)
    park = park_game(case)
    ratios, _ = base_ratios(case, None, park)
    spec = SweepSpec(0, sweep_cells(case, "*", "*"), ratios)
    assert cap_kinks(case, park.pools, spec), "the cap must bind somewhere on the line"
    assert_same_bands(case, None)


@pytest.mark.parametrize("seed", range(3))
def test_the_kinks_are_where_the_npvs_bend(seed) -> None:
    """Between two kinks the NPVs are affine; across a kink they are not (so the kinks are
    needed and in the right places)."""
    case = capped_park(seed)
    park = park_game(case)
    ratios, _ = base_ratios(case, None, park)
    spec = SweepSpec(0, sweep_cells(case, "*", "*"), ratios)
    kinks = cap_kinks(case, park.pools, spec)
    assert kinks

    def npv(rho: float) -> np.ndarray:
        return evaluate_plan(case, park.pools, spec.ratios(rho)).npv

    ends = [0.0, *kinks, spec.highest]
    for low, high in itertools.pairwise(ends):
        middle = npv((low + high) / 2)
        assert np.allclose(middle, (npv(low) + npv(high)) / 2, rtol=1e-9, atol=1e-9)
    bent = [
        k
        for k in kinks
        if not np.allclose(npv(k), (npv(k - 1e-3) + npv(k + 1e-3)) / 2, rtol=1e-9, atol=1e-9)
    ]
    assert bent, "no kink changes the slope"


@pytest.mark.parametrize("seed", range(3))
def test_rules_on_a_stack_equal_one_plan_at_a_time(seed) -> None:
    """plans_within_rules on a stack of plans (the baseline, small and large random moves,
    one party taking everything) equals proposal_violations on each plan alone, and the
    stack holds plans within the rules and plans breaking rows, schedules and floors."""
    case = capped_park(seed)
    park = park_game(case)
    rng = np.random.default_rng(seed)
    ratios, _ = base_ratios(case, None, park)
    plans = [ratios]
    for size in (0.005, 0.02, 0.15):
        for _ in range(15):
            moved = rng.normal(0.0, size, ratios.shape) * (rng.random(ratios.shape) < 0.3)
            plan = np.clip(ratios + moved, 0.0, 1.0)
            plans.append(plan / np.maximum(plan.sum(axis=0, keepdims=True), 1e-12))
    for p in range(case.n):
        alone_takes_all = np.zeros_like(ratios)
        alone_takes_all[p] = 1.0
        plans.append(alone_takes_all)
    stack = np.stack(plans)
    takes = np.stack([evaluate_plan(case, park.pools, plan).take for plan in stack])
    together = plans_within_rules(case, park.pools, stack, takes)
    words = [
        proposal_violations(case, park.pools, plan, evaluate_plan(case, park.pools, plan))
        for plan in stack
    ]
    assert together.tolist() == [not broken for broken in words]
    assert together.any() and not together.all()
    seen = " ".join(w for broken in words for w in broken)
    assert "schedule" in seen and "floor" in seen and "rules row" in seen
    for slack in rule_slacks(case, park.pools, stack, takes):
        assert slack.slack.shape[0] == len(stack)


def test_a_missed_floor_names_its_first_five_years(sichuan_zhejiang_case) -> None:
    case = sichuan_zhejiang_case
    park = park_game(case)
    plan = np.zeros((case.n, len(case.streams), len(case.phases)))
    plan[case.party_index("SEND")] = 1.0  # the sending city takes everything
    words = proposal_violations(case, park.pools, plan, evaluate_plan(case, park.pools, plan))
    assert words[-1] == (
        "breaks sheet limits row 2 (HOST floor of 500 per year, all cash streams, 2026–2045) "
        "in 2026, 2027, 2028, 2029, 2030"
    )
