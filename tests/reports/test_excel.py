"""The results workbook: a coalition table longer than an Excel sheet ends with a note."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import fairpool
from fairpool.models.family import PlanResult
from fairpool.reports import excel


@pytest.fixture(scope="module")
def water_result() -> PlanResult:
    return fairpool.solve(
        fairpool.read_case(Path(__file__).resolve().parents[2] / "cases" / "water_plant.xlsx")
    )


def test_every_coalition_fits_in_the_sheet(water_result, tmp_path: Path) -> None:
    path = excel.write_results_workbook(water_result, tmp_path / "results.xlsx")
    table = pd.read_excel(path, sheet_name="coalition_values")
    assert len(table) == len(water_result.coalition_values) == 63
    assert table.value.iloc[-1] == pytest.approx(water_result.game.grand_value)


def test_a_table_longer_than_the_sheet_is_cut_with_a_note(
    water_result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "EXCEL_MAX_ROWS", 12)  # a header, 10 coalitions and the note
    path = excel.write_results_workbook(water_result, tmp_path / "results.xlsx")
    table = pd.read_excel(path, sheet_name="coalition_values")
    assert len(table) == 11
    assert list(table.coalition[:10]) == list(water_result.coalition_values)[:10]
    assert table.coalition.iloc[-1].startswith("… 53 more")
    assert pd.isna(table.value.iloc[-1])


def test_the_workbook_gets_the_permissions_of_a_new_file(water_result, tmp_path: Path) -> None:
    """Written atomically through a temporary file, yet not left owner-only (0600)."""
    import os
    import stat

    umask = os.umask(0o022)
    try:
        path = excel.write_results_workbook(water_result, tmp_path / "results.xlsx")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["results.xlsx"]  # no temporary left
