"""The bad-input corpus through the real ``fairpool`` command (issue 9).

One test per suite runs its cases three at a time in subprocesses (see
:mod:`tests.badinput.generate` for what is checked: exit code, message words, no traceback,
nothing on stdout, inputs unchanged, nothing left behind, no hang).
"""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path

import pytest

from tests.badinput.corpus import CORPUS, SUITES
from tests.badinput.generate import CASES, failure_report, run_cases, snapshot


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    ids = [case.id for case in CORPUS]
    assert len(ids) >= 80
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []
    assert set(SUITES) == {
        "game",
        "joint_park",
        "infrastructure",
        "cost_sharing",
        "options_files",
    }
    assert all(case.exit_code in (2, 3) for case in CORPUS)


@pytest.mark.parametrize("suite", SUITES)
def test_bad_inputs_exit_cleanly_with_a_located_message(suite: str, tmp_path: Path) -> None:
    shipped = snapshot(CASES)
    outcomes = run_cases([case for case in CORPUS if case.suite == suite], tmp_path)
    assert snapshot(CASES) == shipped  # the shipped cases are only ever copied
    failing = [outcome for outcome in outcomes if outcome.problems]
    assert not failing, f"{len(failing)} of {len(outcomes)} cases:\n{failure_report(failing)}"


def test_a_name_written_as_a_formula_stays_text_in_the_results(tmp_path: Path) -> None:
    """A party name stored as text ``=HYPERLINK(…)`` must not become a live formula."""
    import openpyxl

    from tests.badinput.generate import WATER, fairpool_command, workbook

    def as_text(book: openpyxl.Workbook) -> None:
        cell = book["parties"]["B2"]
        cell.value = '=HYPERLINK("http://example.com","苏州")'
        cell.data_type = "s"  # stored as text, as a user typing '=… would

    path = workbook(WATER, as_text, name="water.xlsx")(tmp_path)
    out = tmp_path / "out"
    done = subprocess.run(
        [fairpool_command(), "solve", str(path), "-o", str(out), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = openpyxl.load_workbook(out / "water_results.xlsx")
    texts = [
        cell
        for sheet in results.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert texts, "the party name should appear in the results"
    assert all(cell.data_type != "f" for cell in texts)
