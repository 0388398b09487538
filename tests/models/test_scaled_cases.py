"""Unit-free plans: every shipped case written in another money unit gives the same plan, scaled.

Each shipped workbook is copied with every money amount multiplied by a factor (the columns
whose schema unit is the case unit, or the case unit per something: revenues, costs, limits,
capex, O&M, benefits, budgets, fixed and variable costs, connections, party benefits and
coalition values); ratios, shares, demands and years are left alone. The same case in 元
(×1e4 of 万元) or in 亿元 (×1e-4) must give coalition values, allocations, the plan's
amounts, distance and ε equal to the unscaled ones times the factor (relative 1e-6 of the
case's scale), the same shares of cost, the same verdicts and the same core band.
Factors from 1e-9 to 1e13 (the river case's largest coalition value is then ≈ 2e15). A case
whose coalition values would pass 2**53 (the park cases ×1e13: ≈ 4e17) must instead be
refused with the advice to write a larger unit: a float no longer holds such amounts to the
unit.

Split ratios (joint park) are compared by what the plan determines: a park plan's ratios
are not unique (the tie-break min Σ |r − w| has a flat optimal face in the shipped
Sichuan–Zhejiang case: the same case ×3 already picks other ratios with the same NPVs and
the same tie-break value), so the ratios must give the same NPVs (the plan's amounts) and
the same tie-break value Σ |r[p, k, h] − w_p|, each ratio still within [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import fairpool
from fairpool.models import family_of
from fairpool.models.family import PlanResult, SweepLine
from fairpool.models.joint_park.plan_model import pool_weights
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.schema import MONEY

CASES = Path(__file__).resolve().parents[2] / "cases"

SHIPPED = {
    "sichuan_zhejiang_park.xlsx": SweepLine("HOST"),
    "jingjinji_relocation.xlsx": SweepLine("BJ", phase="3"),
    "river_program.xlsx": SweepLine("AH"),
    "water_plant.xlsx": SweepLine("SZ"),
}
FACTORS = (1e-9, 1e-6, 1e-4, 1e4, 1e6, 1e8, 1e11, 1e13)
RELATIVE = 1e-6
SWEEP_GRID = np.linspace(0.0, 1.0, 21)


def money_columns(path: Path) -> dict[str, set[str]]:
    """{sheet: names of its columns in the case unit} of the workbook's family schema."""
    schema = family_of(path).schema
    return {
        sheet.name: {c.name for c in sheet.columns if c.unit.startswith(MONEY)}
        for sheet in schema.sheets
        if sheet.layout == "table"
    }


def write_scaled(source: Path, factor: float, target: Path) -> Path:
    """A copy of ``source`` with every money amount multiplied by ``factor``."""
    workbook = openpyxl.load_workbook(source)
    for sheet, columns in money_columns(source).items():
        if sheet not in workbook.sheetnames or not columns:
            continue
        rows = workbook[sheet].iter_rows()
        header = [cell.value for cell in next(rows)]
        wanted = [i for i, name in enumerate(header) if name in columns]
        for row in rows:
            for i in wanted:
                cell = row[i]
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.value = cell.value * factor
    workbook.save(target)
    return target


def close(scaled: object, base: object, factor: float, scale: float) -> bool:
    """``scaled`` equals ``base`` × ``factor`` within 1e-6 of the case's scale × factor."""
    got = np.asarray(scaled, dtype=float)
    want = np.asarray(base, dtype=float) * factor
    return bool(np.allclose(got, want, rtol=RELATIVE, atol=RELATIVE * scale * factor))


def differences(got: dict[str, object], base: dict[str, object], factor: float) -> list[str]:
    """What differs between a scaled case's results and the unscaled ones × ``factor``."""
    found: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            found.append(what)

    plan, base_plan = got["plan"], base["plan"]
    scale = float(np.abs(base_plan.game.values).max())
    parties = base_plan.players
    expect(close(plan.game.values, base_plan.game.values, factor, scale), "coalition values")
    expect(set(plan.allocations) == set(base_plan.allocations), "allocation methods")
    for method, allocation in base_plan.allocations.items():
        if method in plan.allocations:
            shares = plan.allocations[method].shares
            expect(close(shares, allocation.shares, factor, scale), f"allocation {method}")
    amounts = [plan.amounts[p] for p in parties]
    expect(close(amounts, [base_plan.amounts[p] for p in parties], factor, scale), "plan amounts")
    expect(close(plan.distance, base_plan.distance, factor, scale), "plan distance")
    expect(close(plan.epsilon, base_plan.epsilon, factor, scale), "plan epsilon")
    expect(close(plan.worst_excess, base_plan.worst_excess, factor, scale), "plan worst excess")
    expect(plan.in_core == base_plan.in_core, "plan in_core")
    expect(plan.individually_rational == base_plan.individually_rational, "plan IR")
    expect(plan.worst_coalition == base_plan.worst_coalition, "plan worst coalition")
    found += [
        f"plan table {w}"
        for w in table_differences(
            plan.plan_table, base_plan.plan_table, factor, scale, {"share", "year"}, {"ratio"}
        )
    ]
    if base_plan.plan_kind == "ratios":
        expect(abs(tie_break(plan) - tie_break(base_plan)) <= RELATIVE, "plan tie-break value")
        ratios = plan.plan_table.ratio.to_numpy()
        expect(bool(((ratios >= 0.0) & (ratios <= 1.0)).all()), "plan ratios within [0, 1]")

    check, base_check = got["check"], base["check"]
    amounts = [check.amounts[p] for p in parties]
    expect(close(amounts, [base_check.amounts[p] for p in parties], factor, scale), "check amounts")
    expect(check.in_core == base_check.in_core, "check in_core")
    expect(check.individually_rational == base_check.individually_rational, "check IR")
    expect(check.worst_coalition == base_check.worst_coalition, "check worst coalition")
    expect(check.rule_violations == base_check.rule_violations, "check rule violations")
    expect(check.fair == base_check.fair, "check fair")

    sweep, base_sweep = got["sweep"], base["sweep"]
    band, base_band = sweep.core_band, base_sweep.core_band
    expect(
        (band is None) == (base_band is None)
        and (band is None or np.allclose(band, base_band, rtol=0, atol=RELATIVE)),
        "sweep core band",
    )
    found += [
        f"sweep table {w}"
        for w in table_differences(
            sweep.table, base_sweep.table, factor, scale, {base_sweep.value_column}
        )
    ]
    return found


def tie_break(plan: PlanResult) -> float:
    """Σ |r[p, k, h] − w_p| of a park plan, w the target's share of the pool
    (:func:`fairpool.models.joint_park.plan_model.pool_weights`)."""
    target = np.array([plan.target_shares[p] for p in plan.players])
    weights = dict(zip(plan.players, pool_weights(target), strict=True))
    table = plan.plan_table
    return float(sum(abs(r - weights[p]) for p, r in zip(table.party, table.ratio, strict=True)))


def table_differences(
    got: pd.DataFrame,
    base: pd.DataFrame,
    factor: float,
    scale: float,
    unit_free: set[str],
    skipped: frozenset[str] | set[str] = frozenset(),
) -> list[str]:
    """Columns that differ: text and flags equal, ``unit_free`` columns (ratios, shares,
    years) equal, every other number scaled by ``factor``."""
    if list(got.columns) != list(base.columns) or len(got) != len(base):
        return [f"shape {got.shape} != {base.shape}"]
    found = []
    for column in base.columns:
        if column in skipped:
            continue
        if not pd.api.types.is_numeric_dtype(base[column]) or base[column].dtype == bool:
            same = got[column].tolist() == base[column].tolist()
        elif column in unit_free:
            same = bool(np.allclose(got[column], base[column], rtol=0, atol=RELATIVE))
        else:
            same = close(got[column], base[column], factor, scale)
        if not same:
            found.append(column)
    return found


@pytest.fixture(scope="module")
def unscaled() -> dict[str, dict[str, object]]:
    """The shipped cases solved, checked and swept as shipped (the oracle)."""
    return {name: run_case(CASES / name, line) for name, line in SHIPPED.items()}


def run_case(path: Path, line: SweepLine) -> dict[str, object]:
    case = fairpool.read_case(path)
    return {
        "plan": fairpool.solve(case),
        "check": fairpool.check(case),
        "sweep": fairpool.sweep(case, line, list(SWEEP_GRID)),
    }


@pytest.mark.parametrize("factor", FACTORS, ids=lambda f: f"x{f:g}")
@pytest.mark.parametrize("name", list(SHIPPED))
def test_a_case_in_another_unit_gives_the_same_plan_scaled(
    name: str, factor: float, unscaled, tmp_path: Path
) -> None:
    path = write_scaled(CASES / name, factor, tmp_path / name)
    plan = unscaled[name]["plan"]
    assert isinstance(plan, PlanResult)
    if float(np.abs(plan.game.values).max()) * factor > 2.0**53:
        # beyond what a float holds to the unit: refused with the unit advice, never rounded
        with pytest.raises(CaseError, match=r"2\*\*53.*larger unit"):
            run_case(path, SHIPPED[name])
        return
    assert differences(run_case(path, SHIPPED[name]), unscaled[name], factor) == []
