"""How simple a proposal or plan is to sign (issue 12): the counts of
:mod:`fairpool.models.simplicity` on hand-made tables (floating noise is no value of its own,
money is counted unit-free), the counts ``check`` reports for the shipped cases' proposals,
the same counts of a solved plan, and the ``simplicity`` JSON object against its schema."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import fairpool
from fairpool.models.cost_sharing.proposal import plan_simplicity as cost_plan_simplicity
from fairpool.models.infrastructure.allocations import may_pay
from fairpool.models.infrastructure.proposal import plan_simplicity as infra_plan_simplicity
from fairpool.models.joint_park.proposal import plan_simplicity as park_plan_simplicity
from fairpool.models.joint_park.proposal import ratio_simplicity
from fairpool.models.results import ProposalCheck, ProposalSimplicity
from fairpool.models.simplicity import (
    coarsest_grid,
    distinct_values,
    least_outside_payments,
    on_grid,
    outside_payments,
    phase_changes,
    uniform_across_streams,
)
from fairpool.reports.document import JSON_SCHEMAS, check_document, json_schema

CASES = Path(__file__).resolve().parents[2] / "cases"


# -- the counting, on hand-made tables ---------------------------------------------------------


def test_floating_noise_is_no_value_of_its_own_and_lies_on_the_grid() -> None:
    noisy = [0.1 + 0.2, 0.3, 0.30000000000000004, 0.7, 1 - 0.3]
    assert 0.1 + 0.2 == 0.30000000000000004  # the noise the test is about
    assert distinct_values(noisy) == 2
    assert on_grid(noisy, 0.05) and on_grid(noisy, 0.01)
    assert coarsest_grid(noisy) == 0.05


def test_the_coarsest_grid_that_fits() -> None:
    assert coarsest_grid([0.6, 0.4, 0.0, 1.0, 0.25]) == 0.05
    assert coarsest_grid([0.47, 0.53]) == 0.01
    assert coarsest_grid([0.4701, 0.5299]) is None
    assert coarsest_grid([1 / 3, 2 / 3]) is None
    assert coarsest_grid([0.45 + 4e-9, 0.55 - 4e-9]) == 0.05  # a MILP's integrality slack
    assert coarsest_grid([]) == 0.05
    assert coarsest_grid([0.6, np.nan]) == 0.05  # NaN: no value given


def test_distinct_values_of_a_vertex_plan_and_of_a_signed_split() -> None:
    vertex = [0.470123, 0.295701, 0.470123, 0.566245, 0.234298, 0.2]
    assert distinct_values(vertex) == 5
    assert distinct_values([0.5, 0.5, 0.5, 0.5]) == 1
    assert distinct_values([0.4, 0.6, 0.5, 0.5]) == 3
    assert distinct_values([]) == 0
    assert distinct_values([0.5, 0.5 + 1e-7]) == 1  # below VALUE_TOLERANCE
    assert distinct_values([0.5, 0.5 + 1e-5]) == 2


@pytest.mark.parametrize("scale", [1e-9, 1e-4, 1.0, 1e4, 1e8, 1e13])
def test_money_is_counted_unit_free(scale: float) -> None:
    """Shares in money: the same counts in 元 as in 亿元."""
    amounts = np.array([12.5, 12.5 * (1 + 1e-12), 7.25, 0.0, 30.0])
    assert distinct_values(amounts * scale, scale=None) == 4
    paid = np.array([[5.0, 1.0, 1e-12], [0.0, 4.0, 2.0]]) * scale
    allowed = np.array([[True, False, False], [True, True, True]])
    count, amount = outside_payments(paid, allowed)
    assert count == 1 and amount == pytest.approx(1.0 * scale)  # 1e-12 of the largest: noise
    count, amount = least_outside_payments(
        np.array([3.0, 1.0]) * scale, np.array([2.0, 2.0]) * scale, np.eye(2, dtype=bool)
    )
    assert count == 1 and amount == pytest.approx(1.0 * scale)


def test_phase_changes_count_phases_in_which_any_cash_ratio_moves() -> None:
    # parties × streams × phases: SEND 60/45/40/40 on VAT and CIT, LAND 50 throughout
    send = [[0.6, 0.45, 0.4, 0.4], [0.6, 0.45, 0.4, 0.4], [0.5, 0.5, 0.5, 0.5]]
    host = [[0.4, 0.35, 0.35, 0.35], [0.4, 0.35, 0.35, 0.35], [0.5, 0.5, 0.5, 0.5]]
    prov = [[0.0, 0.2, 0.25, 0.25], [0.0, 0.2, 0.25, 0.25], [0.0, 0.0, 0.0, 0.5]]
    ratios = np.array([send, host, prov])
    assert phase_changes(ratios).tolist() == [2, 1, 3]
    assert not uniform_across_streams(ratios)
    assert uniform_across_streams(ratios[:, :2, :])  # VAT and CIT agree
    noisy = ratios[:, :2, :] + np.array([0.0, 1e-12])[None, :, None]
    assert uniform_across_streams(noisy) and phase_changes(noisy).tolist() == [2, 1, 2]
    assert phase_changes(ratios[:, :, :1]).tolist() == [0, 0, 0]  # one phase: no change


def test_least_outside_payments_by_hand() -> None:
    """Costs F (used by A and B) = 6, G (used by C only) = 4. A pays 5, B 1, C 4: A and B
    cover F (5 + 1), C covers G: nothing outside. A pays 7, B 0, C 3: F takes 6 of A's 7,
    and the 1 left goes to G, which A does not use: one payment, 1 outside."""
    allowed = np.array([[True, False], [True, False], [False, True]])
    costs = np.array([6.0, 4.0])
    assert least_outside_payments(np.array([5.0, 1.0, 4.0]), costs, allowed) == (0, 0.0)
    count, amount = least_outside_payments(np.array([7.0, 0.0, 3.0]), costs, allowed)
    assert (count, amount) == (1, pytest.approx(1.0))
    # a path through a backward arc: C may pay F and G, B only G; the max flow reroutes C
    allowed = np.array([[True, False], [False, True], [True, True]])
    count, amount = least_outside_payments(np.array([2.0, 4.0, 4.0]), costs, allowed)
    assert (count, amount) == (0, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from([1e-6, 1.0, 1e9]),
)
def test_payments_that_an_allowed_split_explains_need_nothing_outside(
    parties: int, costs: int, seed: int, scale: float
) -> None:
    """Payments made from a split over allowed pairs only have nothing outside (the max flow
    finds a split), and moving money to a party with no allowed pair puts exactly that
    amount outside."""
    rng = np.random.default_rng(seed)
    allowed = rng.random((parties, costs)) < 0.5
    allowed[rng.integers(parties, size=costs), np.arange(costs)] = True  # every cost payable
    split = np.where(allowed, rng.random((parties, costs)) * scale, 0.0)
    payments, totals = split.sum(axis=1), split.sum(axis=0)
    count, amount = least_outside_payments(payments, totals, allowed)
    assert count == 0 and amount == 0.0
    outsider = np.vstack([allowed, np.zeros((1, costs), dtype=bool)])
    moved = 0.25 * float(totals.sum())
    shifted = np.append(payments * (1 - 0.25), moved)
    count, amount = least_outside_payments(shifted, totals, outsider)
    assert count >= 1 and amount == pytest.approx(moved, rel=1e-9)


# -- the shipped cases' proposals and plans ------------------------------------------------------


@pytest.fixture(scope="module")
def checks() -> dict[str, ProposalCheck]:
    names = ["sichuan_zhejiang_park", "jingjinji_relocation", "river_program", "water_plant"]
    return {name: fairpool.check(fairpool.read_case(CASES / f"{name}.xlsx")) for name in names}


def test_the_park_proposal_counts(checks: dict[str, ProposalCheck]) -> None:
    """60/40 then 45/35/20 then 40/35/25 on VAT and CIT, 50/50 land, GDP credit 50/100/0."""
    simplicity = checks["sichuan_zhejiang_park"].simplicity
    assert simplicity == ProposalSimplicity(
        value_kind="ratio",
        values=48,  # 3 parties × 4 streams × 4 phases
        distinct_values=9,  # 0, 0.2, 0.25, 0.35, 0.4, 0.45, 0.5, 0.6, 1
        grid=0.05,
        changes={"SEND": 2, "HOST": 1, "PROV": 2},
        most_changes=2,
        uniform_streams=False,  # land differs from VAT and CIT
    )


def test_the_relocation_proposal_counts(checks: dict[str, ProposalCheck]) -> None:
    """5:5 in phases 1–2, then 0:10: one change each, one ratio for both taxes."""
    simplicity = checks["jingjinji_relocation"].simplicity
    assert simplicity is not None
    assert (simplicity.distinct_values, simplicity.grid) == (3, 0.05)
    assert simplicity.changes == {"BJ": 1, "HB": 1} and simplicity.most_changes == 1
    assert simplicity.uniform_streams is True
    assert simplicity.outside_payments is None


def test_the_river_proposal_pays_for_what_parties_neither_host_nor_benefit_from(
    checks: dict[str, ProposalCheck],
) -> None:
    """15/25/30/30% of every built project: ten party × project pairs outside benefits, as
    the issue found in the plan; their amount is the present value of those payments."""
    check = checks["river_program"]
    simplicity = check.simplicity
    assert simplicity is not None
    assert (simplicity.value_kind, simplicity.distinct_values, simplicity.grid) == (
        "share",
        3,
        0.05,
    )
    assert simplicity.changes == {} and simplicity.most_changes is None
    assert simplicity.uniform_streams is None
    case = fairpool.read_case(CASES / "river_program.xlsx")
    table = check.proposal_table
    allowed = may_pay(case)
    pv = dict(zip(case.years.tolist(), case.discount.tolist(), strict=True))
    outside = [
        (party, project, float(amount) * pv[int(year)])
        for party, project, year, amount in table[
            ["party", "project", "year", "amount"]
        ].itertuples(index=False)
        if not allowed[case.project_index(project), case.party_index(party)]
    ]
    assert simplicity.outside_payments == len({(p, q) for p, q, _ in outside}) == 10
    assert simplicity.outside_amount == pytest.approx(sum(a for _, _, a in outside), rel=1e-9)


def test_the_water_proposal_has_one_party_paying_less_than_its_own_connection(
    checks: dict[str, ProposalCheck],
) -> None:
    """Shares 6/19, 4/19, ... to six digits: on no grid, six values; 太湖 party F pays
    0.078948 × 113.5 亿元 = 8.96 亿元, less than its own 9.5 亿元 connection, so 0.54 亿元
    of it is paid by a party that does not use it."""
    check = checks["water_plant"]
    simplicity = check.simplicity
    assert simplicity is not None
    assert (simplicity.distinct_values, simplicity.grid) == (6, None)
    assert simplicity.outside_payments == 1
    last = check.players[-1]
    assert simplicity.outside_amount == pytest.approx(9.5 - check.amounts[last], rel=1e-6)


def test_a_plan_is_counted_in_the_same_words() -> None:
    """The demo plan (a vertex of the L1 problem) against the same plan on the 5% grid with
    one ratio per stream; the river plan with transfers (ten pairs outside benefits, as the
    issue found) and without."""
    park = fairpool.read_case(CASES / "sichuan_zhejiang_park.xlsx")
    vertex = park_plan_simplicity(park, fairpool.solve(park))
    assert vertex.grid is None and vertex.distinct_values > 9
    simple = park_plan_simplicity(park, fairpool.solve(park, round_to=0.05, uniform_streams=True))
    assert simple.grid == 0.05 and simple.uniform_streams is True
    river = fairpool.read_case(CASES / "river_program.xlsx")
    allowed = infra_plan_simplicity(river, fairpool.solve(river, transfers="allowed"))
    assert allowed.outside_payments == 10
    following = infra_plan_simplicity(river, fairpool.solve(river, transfers="none"))
    assert following.outside_payments == 0 and following.outside_amount == 0.0
    water = fairpool.read_case(CASES / "water_plant.xlsx")
    plan = cost_plan_simplicity(water, fairpool.solve(water))
    assert plan.value_kind == "share" and plan.values == water.n
    assert plan.outside_payments is not None


def test_a_frame_of_ratios_counts_only_the_cells_given() -> None:
    """Statistic streams not given (NaN) are no value; cash streams decide the changes."""
    park = fairpool.read_case(CASES / "sichuan_zhejiang_park.xlsx")
    table = park.proposal.copy()
    table.loc[table["stream"] == "GDP", "ratio"] = np.nan
    simplicity = ratio_simplicity(park, table)
    assert simplicity.values == 36
    assert simplicity.distinct_values == 8  # 1.0 (HOST's GDP credit) gone
    assert simplicity.changes == {"SEND": 2, "HOST": 1, "PROV": 2}


# -- JSON ------------------------------------------------------------------------------------


def test_the_simplicity_object_validates_against_the_check_schema(
    checks: dict[str, ProposalCheck],
) -> None:
    """``check_document`` plus ``simplicity`` (the object :meth:`ProposalSimplicity.record`
    gives) conforms to ``check.json`` for every family; so does a document without it."""
    schemas = [json_schema(name) for name in (*JSON_SCHEMAS, "common")]
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas
    )
    validator = Draft202012Validator(json_schema("check"), registry=registry)
    for name, check in checks.items():
        assert check.simplicity is not None
        document = json.loads(
            json.dumps(
                {"ok": True, **check_document(check), "simplicity": check.simplicity.record()}
            )
        )  # as ``check --json`` prints it (commands.running.echo_json)
        errors = [error.message for error in validator.iter_errors(document)]
        assert not errors, (name, errors)
        assert not list(validator.iter_errors({**document, "simplicity": None}))
    water = checks["water_plant"].simplicity
    assert water is not None
    broken = dataclasses.replace(water, grid=0.02)
    document = {"ok": True, **check_document(checks["water_plant"]), "simplicity": broken.record()}
    assert list(validator.iter_errors(document))  # the schema names the grids


def test_the_examples_in_the_docstrings_hold() -> None:
    import doctest

    from fairpool.models import simplicity

    outcome = doctest.testmod(simplicity)
    assert outcome.attempted >= 6 and outcome.failed == 0
