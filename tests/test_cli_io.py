"""Every IO failure is found before the work (issue 9): the coalition cache and the output
locations are probed before any solve, an existing results workbook is kept without
``--force``, options are validated, and text that looks like a formula stays text.

Each situation runs the real command through typer's CliRunner and checks: exit code 2, the
path in the message, no traceback, the input's bytes unchanged, no partial output, nothing
solved (a fresh ``--cache`` file stays without values).

The tests run as root, whom permission bits do not stop. Situations that are real for root
are made real: a path under a regular file, a folder where a file goes, a file that is not
SQLite. "Not writable" (a read-only folder or file) is made by refusing ``os.access`` for that
one path, which the probes consult besides creating a file; a read-only bind mount was
checked by hand (see the issue's closing note).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fairpool.cli import app
from fairpool.commands.running import MAX_SWEEP_STEPS, sweep_ratio_count
from fairpool.optimizer.coalitions import coalition_settings
from fairpool.optimizer.coalitions.cache import CoalitionCache
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.files import (
    atomic_save,
    check_output_file,
    check_writable_folder,
)

CASES = Path(__file__).resolve().parents[1] / "cases"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_values(cache: Path) -> int:
    """Coalition values in a cache file (0 when it was never created)."""
    if not cache.exists():
        return 0
    with sqlite3.connect(cache) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM coalition_values").fetchone()
    return int(count)


def refused(result, *paths: Path | str) -> str:
    """Assert a clean refusal (exit 2, each path named, no traceback); the message."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for path in paths:
        assert str(path) in result.output, (path, result.output)
    return result.output


@pytest.fixture
def park(tmp_path: Path) -> Path:
    folder = tmp_path / "input"
    folder.mkdir()
    copy = folder / "park.xlsx"
    shutil.copy(CASES / "sichuan_zhejiang_park.xlsx", copy)
    return copy


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A regular file: any path under it cannot be created, even by root."""
    path = tmp_path / "a_file"
    path.write_text("not a folder\n")
    return path


@pytest.fixture
def deny_writes(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """``deny(path)``: ``os.access`` says ``path`` may not be written (as a read-only folder
    or file would for a user who is not root)."""
    denied: set[Path] = set()
    real_access = os.access

    def access(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        if mode & os.W_OK and Path(path).resolve() in denied:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return lambda path: denied.add(Path(path).resolve())


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# -- the coalition cache ----------------------------------------------------------------------


def test_cache_under_a_file_is_refused_before_the_work(park: Path, a_file: Path) -> None:
    before = digest(park)
    for cache in (a_file / "values.sqlite", a_file / "deeper" / "still" / "values.sqlite"):
        out = park.parent / "out"
        message = refused(run("solve", park, "-o", out, "--cache", cache), cache, a_file)
        assert "is a file" in message and "--cache" in message
        assert not out.exists()
    assert digest(park) == before


def test_cache_that_is_a_folder_is_refused(park: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache_folder"
    folder.mkdir()
    message = refused(run("coalitions", park, "--cache", folder), folder)
    assert "folder" in message
    assert files_in(folder) == []


@pytest.mark.parametrize("kind", ["text", "foreign_table", "wrong_columns", "empty_table"])
def test_cache_file_of_someone_else_is_refused_and_kept(
    park: Path, tmp_path: Path, kind: str
) -> None:
    cache = tmp_path / f"{kind}.sqlite"
    if kind == "text":
        cache.write_text("name,value\nnot,a database\n")
    else:
        with sqlite3.connect(cache) as connection:
            if kind == "foreign_table":
                connection.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
            elif kind == "wrong_columns":
                connection.execute("CREATE TABLE coalition_values (a TEXT, b REAL)")
            else:
                connection.execute(
                    "CREATE TABLE coalition_values (key TEXT NOT NULL, mask INTEGER NOT NULL,"
                    " value REAL NOT NULL, PRIMARY KEY (key, mask)) WITHOUT ROWID"
                )
        connection.close()
    before = digest(cache)
    result = run("coalitions", park, "--cache", cache, "--json")
    if kind == "empty_table":  # a fairpool cache: used
        assert result.exit_code == 0, result.output
        assert stored_values(cache) == 7
        return
    message = refused(result, cache)
    assert {"text": "not a SQLite file", "foreign_table": "customers"}.get(kind, "") in message
    assert digest(cache) == before
    assert files_in(tmp_path) == sorted([cache.name, "input"])


def test_read_only_cache_file_is_refused_before_any_solve(
    park: Path, tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    cache = tmp_path / "values.sqlite"
    CoalitionCache(cache).close()
    deny_writes(cache)
    out = tmp_path / "out"
    message = refused(run("solve", park, "-o", out, "--cache", cache), cache)
    assert "read-only" in message
    assert stored_values(cache) == 0 and not out.exists()


def test_cache_in_a_read_only_folder_is_refused(
    park: Path, tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    folder = tmp_path / "caches"
    folder.mkdir()
    deny_writes(folder)
    message = refused(run("coalitions", park, "--cache", folder / "v.sqlite"), folder)
    assert "not writable" in message
    assert files_in(folder) == []


def test_a_usable_cache_is_untouched_by_the_probe(tmp_path: Path) -> None:
    cache = CoalitionCache(tmp_path / "v.sqlite")
    cache.add("k", [1, 2], [1.5, -2.0])
    cache.close()
    again = CoalitionCache(tmp_path / "v.sqlite")
    assert again.load("k") == {1: 1.5, 2: -2.0} and again.count("k") == 2
    assert again.count("fairpool-write-probe") == 0
    again.close()


# -- the results workbook and other outputs ---------------------------------------------------


def test_solve_output_that_is_a_file_is_refused(park: Path, a_file: Path, tmp_path: Path) -> None:
    before, cache = digest(park), tmp_path / "fresh.sqlite"
    message = refused(run("solve", park, "-o", a_file, "--cache", cache), a_file)
    assert "is a file, not a folder" in message
    message = refused(run("solve", park, "-o", a_file / "sub", "--cache", cache), a_file)
    assert "is a file" in message
    assert stored_values(cache) == 0  # refused before any coalition was solved
    assert digest(park) == before and a_file.read_text() == "not a folder\n"


def test_a_folder_where_the_results_file_goes_is_refused(park: Path, tmp_path: Path) -> None:
    in_the_way = park.parent / "park_results.xlsx"
    in_the_way.mkdir()
    cache = tmp_path / "fresh.sqlite"
    message = refused(run("solve", park, "--cache", cache), in_the_way)
    assert "is a folder" in message
    assert stored_values(cache) == 0 and files_in(in_the_way) == []


def test_input_in_a_read_only_folder_needs_o(
    park: Path, tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    before, cache = digest(park), tmp_path / "fresh.sqlite"
    deny_writes(park.parent)
    message = refused(run("solve", park, "--cache", cache), park.parent)
    assert "pass -o" in message
    assert stored_values(cache) == 0
    assert files_in(park.parent) == ["park.xlsx"] and digest(park) == before
    out = tmp_path / "elsewhere"
    assert run("solve", park, "-o", out, "--cache", cache).exit_code == 0
    assert files_in(out) == ["park_results.xlsx"]


def test_read_only_output_folder_is_refused_before_the_solve(
    park: Path, tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    out, cache = tmp_path / "out", tmp_path / "fresh.sqlite"
    out.mkdir()
    deny_writes(out)
    refused(run("solve", park, "-o", out, "--cache", cache), out)
    refused(run("solve", park, "-o", out / "new", "--cache", cache), out)
    assert stored_values(cache) == 0 and files_in(out) == []


def test_existing_results_are_kept_without_force(park: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("solve", park, "-o", out).exit_code == 0
    results = out / "park_results.xlsx"
    kept, cache = digest(results), tmp_path / "fresh.sqlite"
    message = refused(run("solve", park, "-o", out, "--cache", cache), results)
    assert "exists; pass --force to replace it" in message
    assert digest(results) == kept and stored_values(cache) == 0
    assert files_in(out) == ["park_results.xlsx"]
    replaced = run("solve", park, "-o", out, "--force", "--json")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.stdout)["results_workbook"] == str(results)
    assert files_in(out) == ["park_results.xlsx"]


def test_read_only_results_are_kept_even_with_force(
    park: Path, tmp_path: Path, deny_writes: Callable[[Path], None]
) -> None:
    out = tmp_path / "out"
    assert run("solve", park, "-o", out).exit_code == 0
    results = out / "park_results.xlsx"
    kept = digest(results)
    deny_writes(results)
    message = refused(run("solve", park, "-o", out, "--force"), results)
    assert "read-only" in message and digest(results) == kept


def test_demo_keeps_its_results_and_refuses_bad_folders(
    tmp_path: Path, a_file: Path, deny_writes: Callable[[Path], None]
) -> None:
    out = tmp_path / "demo"
    assert run("demo", "-o", out).exit_code == 0
    results = out / "sichuan_zhejiang_park_results.xlsx"
    kept = digest(results)
    assert "pass --force" in refused(run("demo", "-o", out), results)
    assert digest(results) == kept
    assert run("demo", "-o", out, "--force").exit_code == 0
    refused(run("demo", "-o", a_file), a_file)
    refused(run("demo", "-o", a_file / "demo"), a_file)
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    deny_writes(read_only)
    refused(run("demo", "-o", read_only), read_only)
    assert files_in(read_only) == []


def test_template_into_a_bad_place_is_refused(
    tmp_path: Path, a_file: Path, deny_writes: Callable[[Path], None]
) -> None:
    refused(run("template", "joint_park", "-o", a_file / "t.xlsx"), a_file)
    folder = tmp_path / "t.xlsx"
    folder.mkdir()
    refused(run("template", "joint_park", "-o", folder), folder)
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    deny_writes(read_only)
    refused(run("template", "joint_park", "-o", read_only / "t.xlsx"), read_only)
    assert files_in(read_only) == [] and files_in(folder) == []


def test_probes_leave_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    assert check_writable_folder(folder, "x") == folder
    assert check_writable_folder(folder / "a" / "b", "x") == folder / "a" / "b"
    assert check_output_file(folder / "r.xlsx", False, "x") == folder / "r.xlsx"
    assert files_in(folder) == []  # neither a probe file nor the missing folders
    (folder / "r.xlsx").write_bytes(b"old")
    with pytest.raises(CaseError, match="exists; pass --force to replace it"):
        check_output_file(folder / "r.xlsx", False, "x")
    assert check_output_file(folder / "r.xlsx", True, "x") == folder / "r.xlsx"


def test_remaining_os_errors_exit_2_with_the_path(
    park: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError the probes could not foresee (disk full while writing) is exit 2."""
    import fairpool.reports.excel

    target = str(tmp_path / "out" / "park_results.xlsx")

    def disk_full(*args: object, **kwargs: object) -> Path:
        raise OSError(28, "No space left on device", target)

    monkeypatch.setattr(fairpool.reports.excel, "write_results_workbook", disk_full)
    message = refused(run("solve", park, "-o", tmp_path / "out"), target)
    assert "No space left on device" in message


# -- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["solve", "check", "coalitions", "shapley", "sweep"])
def test_negative_workers_are_refused(park: Path, command: str) -> None:
    extra = ["--party", "HOST"] if command == "sweep" else []
    result = run(command, park, "-j", "-3", *extra)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--workers" in result.output


@pytest.mark.parametrize(
    "options",
    [["--exact-limit", "0"], ["--permutations", "0"], ["--permutations", "-5"]],
)
def test_shapley_counts_must_be_positive(park: Path, options: list[str]) -> None:
    result = run("shapley", park, *options)
    assert result.exit_code == 2 and options[0] in result.output


def test_settings_refuse_what_runs_nothing() -> None:
    for changes in ({"workers": -1}, {"permutations": 0}, {"exact_limit": 0}):
        with pytest.raises(CaseError), coalition_settings(**changes):  # type: ignore[arg-type]
            pass
    with coalition_settings(workers=0) as settings:
        assert settings.workers == 0  # one per core


@pytest.mark.parametrize(
    ("option", "value"),
    [("--from", "nan"), ("--to", "inf"), ("--step", "nan"), ("--from", "-inf")],
)
def test_sweep_numbers_must_be_finite(park: Path, option: str, value: str) -> None:
    message = refused(run("sweep", park, "--party", "HOST", option, value))
    assert f"{option} must be a finite number" in message


def test_sweep_steps_are_bounded(park: Path) -> None:
    message = refused(run("sweep", park, "--party", "HOST", "--step", "1e-7"))
    assert "10,000,000 steps" in message and "--max-steps" in message
    assert "steps" in refused(run("sweep", park, "--party", "HOST", "--step", "1e-300"))
    small = ["sweep", park, "--party", "HOST", "--from", "0.2", "--to", "0.3", "--step", "0.05"]
    assert "--max-steps" in refused(run(*small, "--max-steps", "1"))
    allowed = run(*small, "--max-steps", "2", "--json")
    assert allowed.exit_code == 0, allowed.output


@given(
    ends=st.lists(st.floats(0, 1), min_size=2, max_size=2).map(sorted),
    parts=st.floats(0.01, 30_000),
    max_steps=st.integers(1, 20_000),
)
def test_sweep_count_is_numpys_and_the_bound_holds(
    ends: list[float], parts: float, max_steps: int
) -> None:
    """Accepted ranges give exactly numpy.arange's ratios, at most max_steps + 1 of them;
    refused ones would have given more."""
    start, stop = ends
    step = max(stop - start, 1e-3) / parts
    ratios = len(np.arange(start, stop + step / 2, step))
    try:
        count = sweep_ratio_count(start, stop, step, max_steps)
    except CaseError as error:
        assert "--max-steps" in str(error)
        assert ratios > max_steps + 1
    else:
        assert count == ratios <= max_steps + 1
    assert MAX_SWEEP_STEPS == 10_000


@pytest.mark.parametrize(("start", "stop"), [("-0.1", "0.5"), ("0.5", "1.5")])
def test_sweep_stays_within_zero_and_one(park: Path, start: str, stop: str) -> None:
    message = refused(run("sweep", park, "--party", "HOST", "--from", start, "--to", stop))
    assert f"--from {float(start)} --to {float(stop)} is outside [0, 1]" in message


# -- formula injection ------------------------------------------------------------------------

FORMULA_LIKE = ['=HYPERLINK("http://evil.example","click")', "+86 10", "-1", "@SUM(A1:A9)"]


def text_and_formula_cells(path: Path) -> Iterator[tuple[str, object, str]]:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell.value, cell.data_type


def test_formula_like_party_names_stay_text_in_the_results(park: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(park)
    names = book["parties"]
    for row, text in enumerate(FORMULA_LIKE[:3], start=2):
        names.cell(row, 2).value = text
        names.cell(row, 2).data_type = "s"
    hostile = tmp_path / "hostile.xlsx"
    book.save(hostile)
    before = digest(hostile)
    result = run("solve", hostile, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    cells = list(text_and_formula_cells(tmp_path / "out" / "hostile_results.xlsx"))
    assert not [c for c in cells if c[2] == "f"]
    for text in FORMULA_LIKE[:3]:
        found = [c for c in cells if c[1] == text]
        assert found and all(data_type == "s" for _, _, data_type in found), text
    negatives = [c for c in cells if isinstance(c[1], float | int) and c[1] < 0]
    assert negatives and all(data_type == "n" for _, _, data_type in negatives)
    assert digest(hostile) == before


def test_formula_like_names_round_trip_through_a_written_case(tmp_path: Path) -> None:
    """A case written by fairpool (write_case: templates and shipped cases) keeps such
    names as text, and reading it back gives the very names."""
    import fairpool.models.joint_park as jp

    rows = jp.template_rows()
    parties = rows["parties"]
    for record, text in zip(parties, FORMULA_LIKE, strict=False):
        record["name"] = text
    written = jp.write_case(tmp_path / "written.xlsx", jp.TEMPLATE_SETTINGS, rows)
    cells = list(text_and_formula_cells(written))
    assert not [c for c in cells if c[2] == "f"]
    assert next(c for c in cells if c[1] == FORMULA_LIKE[0])[2] == "s"
    again = jp.read_case(written)
    assert list(again.party_names) == [r["name"] for r in parties]
    assert set(again.party_names) & set(FORMULA_LIKE)


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="=+-@ab1(),\"'", min_size=1, max_size=12),
            st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
            st.integers(-(10**9), 10**9),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_keep_text_keeps_every_value_and_its_kind(values: list[object]) -> None:
    import tempfile

    book = openpyxl.Workbook()
    book.active.append(values)
    with tempfile.TemporaryDirectory() as folder:
        path = atomic_save(book, Path(folder) / "t.xlsx")
        (row,) = openpyxl.load_workbook(path).active.iter_rows()
    for value, cell in zip(values, row, strict=True):
        if isinstance(value, str):
            assert (cell.value, cell.data_type) == (value, "s")
        else:
            # openpyxl writes floats with 16 significant digits (Excel keeps 15)
            assert cell.value == pytest.approx(value, rel=1e-15) and cell.data_type == "n"


@pytest.mark.parametrize("as_json", [False, True])
def test_running_out_of_memory_is_a_message_not_a_traceback(
    as_json: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A MemoryError anywhere in a command (the system refusing an allocation that no
    estimate foresaw) ends as one message, exit 2, the JSON error document with --json, and
    no results file."""
    import dataclasses

    import fairpool.models
    from fairpool.models import family

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    park = dataclasses.replace(family("joint_park"), solve=exhausted)
    monkeypatch.setattr(fairpool.models, "family_of", lambda path: park)
    case = tmp_path / "park.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "cases" / "sichuan_zhejiang_park.xlsx", case)
    args = ["solve", str(case), "--no-cache", *(["--json"] if as_json else [])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "ran out of memory" in result.stderr
    assert "Traceback" not in result.output
    if as_json:
        document = json.loads(result.stdout)
        assert document["ok"] is False and document["exit_code"] == 2
        assert "ran out of memory" in document["errors"][0]["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["park.xlsx"]
