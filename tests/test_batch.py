"""``fairpool batch``: many cases in one run, through the real command.

A mixed folder (case workbooks, a broken workbook, rules that cannot hold, an explicit game
table with its players table) is solved in parallel; the summary's rows and statuses, the
error messages (the single-case command's own), the exit code and the files written are
checked. ``--resume`` keeps cases by content hash and intact outputs, never by file times.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from fairpool.cases import case_path
from fairpool.cli import app

runner = CliRunner()
GAME = "coalition,value\nA,1\nB,2\nC,3\nA+B,4\nA+C,5\nB+C,6\nA+B+C,9\n"
OTHER_GAME = "coalition,value\nA,1\nB,2\nC,3\nA+B,4\nA+C,5\nB+C,6\nA+B+C,12\n"
PLAYERS = "id,name\nA,甲\nB,乙\nC,丙\n"


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def batch_json(*args: object) -> tuple[int, dict]:
    result = run("batch", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def by_case(document: dict) -> dict[str, dict]:
    return {record["case"]: record for record in document["cases"]}


def single_case_error(*args: object) -> str:
    """What the single-case command prints for a bad case, after ``error: `` (a progress
    line may come before it when the machine is slow)."""
    result = run(*args)
    assert result.exit_code in (2, 3), result.output
    return result.stderr.split("error: ", 1)[1].strip()


@pytest.fixture
def mixed_folder(tmp_path: Path, small_park_rows) -> Path:
    """Two good workbooks, a game table with its players table, a file that is no workbook
    and a park whose rules cannot hold together."""
    from fairpool.models import joint_park as jp

    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(case_path("jingjinji_relocation.xlsx"), folder)
    settings, rows = small_park_rows
    jp.write_case(folder / "small_park.xlsx", settings, rows)
    clashing = copy.deepcopy(rows)
    clashing["rules"][0].update(min_ratio=0.7, max_ratio=0.8)  # SEND ≥ 0.7 …
    clashing["rules"][1].update(min_ratio=0.5, max_ratio=0.8)  # … and HOST ≥ 0.5
    jp.write_case(folder / "clashing_rules.xlsx", settings, clashing)
    (folder / "broken.xlsx").write_bytes(b"this is not a workbook")
    (folder / "three.csv").write_text(GAME, encoding="utf-8")
    (folder / "three_players.csv").write_text(PLAYERS, encoding="utf-8")
    return folder


def test_mixed_folder_in_parallel(mixed_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cache = tmp_path / "values.sqlite"
    code, document = batch_json(mixed_folder, "-o", out, "-j", "2", "--cache", cache)
    assert code == 1  # one case failed (two, here): the batch goes on and says so
    cases = by_case(document)
    assert list(cases) == [  # input order; the players table is not a case
        "broken.xlsx",
        "clashing_rules.xlsx",
        "jingjinji_relocation.xlsx",
        "small_park.xlsx",
        "three.csv",
    ]
    assert {name: c["status"] for name, c in cases.items()} == {
        "broken.xlsx": "bad_input",
        "clashing_rules.xlsx": "not_solved",
        "jingjinji_relocation.xlsx": "solved",
        "small_park.xlsx": "solved",
        "three.csv": "solved",
    }
    assert document["solved"] == 3 and document["failed"] == 2
    assert cases["broken.xlsx"]["exit_code"] == 2 and cases["clashing_rules.xlsx"]["exit_code"] == 3

    # a bad case says exactly what the single-case command says
    other = tmp_path / "single"
    for name in ("broken.xlsx", "clashing_rules.xlsx"):
        expected = single_case_error("solve", mixed_folder / name, "-o", other)
        assert cases[name]["error"] == expected
    assert "SEND" in cases["clashing_rules.xlsx"]["error"]

    # a good case gives what the single-case commands give
    solved = json.loads(
        run("solve", mixed_folder / "small_park.xlsx", "-o", other, "--json").stdout
    )
    assert cases["small_park.xlsx"]["shares"] == pytest.approx(solved["allocations"]["shapley"])
    assert cases["small_park.xlsx"]["grand_value"] == pytest.approx(solved["grand_value"])
    game = json.loads(
        run(
            "game", mixed_folder / "three.csv", "--players", mixed_folder / "three_players.csv",
            "--json",
        ).stdout
    )  # fmt: skip
    assert cases["three.csv"]["model"] == "game" and cases["three.csv"]["parties"] == 3
    assert cases["three.csv"]["shares"] == pytest.approx(game["solutions"]["shapley"])

    # outputs of the good cases only: nothing of a failed case, no staging or temporary file
    assert sorted(p.name for p in out.iterdir()) == [
        "jingjinji_relocation_results.xlsx",
        "manifest.json",
        "small_park_results.xlsx",
        "summary.csv",
        "summary.xlsx",
        "three_results.xlsx",
    ]
    game_book = load_workbook(out / "three_results.xlsx")  # its players, in their language
    assert game_book.sheetnames == ["摘要", "分配", "公平性", "联盟价值"]
    assert [c.value for c in game_book["分配"]["A2":"B2"][0]] == ["A", "甲"]

    # the summary: one row per case, the same in CSV and in Excel
    with (out / "summary.csv").open(encoding="utf-8", newline="") as file:
        table = list(csv.reader(file))
    header, rows = table[0], {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert header[:8] == [
        "Case", "Model", "Parties", "Status", "Seconds", "Grand value", "Unit", "Target"
    ]  # fmt: skip
    assert header[-2:] == ["Verdict", "Error"] and "A share" in header and "HOST share" in header
    assert rows["broken.xlsx"]["Status"] == "bad input"
    assert rows["broken.xlsx"]["Error"] == cases["broken.xlsx"]["error"]
    assert rows["clashing_rules.xlsx"]["Status"] == "not solved"
    assert rows["three.csv"]["Status"] == "solved" and float(rows["three.csv"]["Grand value"]) == 9
    assert rows["three.csv"]["Verdict"] and not rows["three.csv"]["HOST share"]
    assert float(rows["three.csv"]["A share"]) == pytest.approx(game["solutions"]["shapley"]["A"])
    sheet = load_workbook(out / "summary.xlsx").active
    assert sheet is not None
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert [row[0] for row in cells] == [row[0] for row in table]
    assert [row[3] for row in cells] == [row[3] for row in table]

    # the workers shared one coalition cache: both parks' values are in it
    with sqlite3.connect(cache) as connection:
        (keys,) = connection.execute("SELECT COUNT(DISTINCT key) FROM coalition_values").fetchone()
    assert keys >= 2


def test_exit_zero_when_every_case_is_solved(tmp_path: Path) -> None:
    games = tmp_path / "games"
    games.mkdir()
    (games / "one.csv").write_text(GAME, encoding="utf-8")
    (games / "two.csv").write_text(OTHER_GAME, encoding="utf-8")
    result = run("batch", games, "-o", tmp_path / "out", "-j", "1", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "2 of 2 cases solved" in result.stdout
    assert "cases 2/2" in result.stderr  # the progress line
    with (tmp_path / "out" / "summary.csv").open(encoding="utf-8", newline="") as file:
        table = list(csv.reader(file))
    assert table[0][:4] == ["案例", "模型", "参与方数", "状态"]  # --lang zh
    assert [row[3] for row in table[1:]] == ["已求解", "已求解"]


def test_resume_decides_by_content_and_outputs_never_by_file_times(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(case_path("jingjinji_relocation.xlsx"), folder)
    for name in ("touched", "changed", "lost"):
        (folder / f"{name}.csv").write_text(GAME, encoding="utf-8")
    out = tmp_path / "out"
    code, first = batch_json(folder, "-o", out, "-j", "1")
    assert code == 0 and first["solved"] == 4
    kept_bytes = (out / "jingjinji_relocation_results.xlsx").read_bytes()

    touched = folder / "touched.csv"  # newer file time, same content: kept
    os.utime(touched, (touched.stat().st_atime + 3600, touched.stat().st_mtime + 3600))
    changed = folder / "changed.csv"  # new content, the old file time: solved again
    times = changed.stat()
    changed.write_text(OTHER_GAME, encoding="utf-8")
    os.utime(changed, ns=(times.st_atime_ns, times.st_mtime_ns))
    (out / "lost_results.xlsx").unlink()  # an output gone: solved again

    code, second = batch_json(folder, "-o", out, "-j", "1", "--resume")
    assert code == 0
    cases = by_case(second)
    assert {name: c["kept"] for name, c in cases.items()} == {
        "changed.csv": False,
        "jingjinji_relocation.xlsx": True,
        "lost.csv": False,
        "touched.csv": True,
    }
    assert second["kept"] == 2 and second["solved"] == 4
    assert cases["changed.csv"]["grand_value"] == 12 and cases["touched.csv"]["grand_value"] == 9
    assert (out / "jingjinji_relocation_results.xlsx").read_bytes() == kept_bytes
    assert (out / "lost_results.xlsx").is_file()
    assert cases["jingjinji_relocation.xlsx"] == {
        **by_case(first)["jingjinji_relocation.xlsx"],
        "kept": True,
    }

    # a case that now fails loses its earlier outputs; the others stay kept
    changed.write_text("coalition,value\nA,1\nA+B,oops\n", encoding="utf-8")
    code, third = batch_json(folder, "-o", out, "-j", "1", "--resume")
    assert code == 1
    cases = by_case(third)
    assert cases["changed.csv"]["status"] == "bad_input" and not cases["changed.csv"]["kept"]
    assert not (out / "changed_results.xlsx").exists()
    assert third["kept"] == 3
    assert cases["changed.csv"]["error"] == single_case_error("game", changed)


def test_existing_files_are_never_replaced_without_force_or_resume(tmp_path: Path) -> None:
    games = tmp_path / "games"
    games.mkdir()
    (games / "one.csv").write_text(GAME, encoding="utf-8")
    out = tmp_path / "out"
    assert run("batch", games, "-o", out, "-j", "1").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    again = run("batch", games, "-o", out, "-j", "1")
    assert again.exit_code == 2
    assert "--resume" in again.stderr and "--force" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "one_results.xlsx").write_text("someone else's file", encoding="utf-8")
    refused = run("batch", games, "-o", fresh, "-j", "1", "--resume")
    assert refused.exit_code == 2
    assert "one_results.xlsx exists; pass --force" in refused.stderr
    assert sorted(p.name for p in fresh.iterdir()) == ["one_results.xlsx"]  # nothing written
    forced = run("batch", games, "-o", fresh, "-j", "1", "--force")
    assert forced.exit_code == 0, forced.output
    assert load_workbook(fresh / "one_results.xlsx").sheetnames[0] == "Summary"


def test_two_cases_writing_the_same_output_are_refused_before_any_work(tmp_path: Path) -> None:
    for folder in ("north", "south"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "park.csv").write_text(GAME, encoding="utf-8")
    result = run("batch", tmp_path / "north", tmp_path / "south", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "park_results.xlsx" in result.stderr and "rename one" in result.stderr
    assert not (tmp_path / "out").exists()


def test_solve_of_several_files_points_to_batch(tmp_path: Path) -> None:
    one, two = case_path("jingjinji_relocation.xlsx"), case_path("water_plant.xlsx")
    result = run("solve", one, two, "-o", tmp_path)
    assert result.exit_code == 2
    assert "fairpool batch" in result.stderr and "solve takes one case workbook" in result.stderr
    assert not list(tmp_path.iterdir())


def test_a_worker_that_dies_fails_its_case_alone_and_is_replaced(tmp_path: Path) -> None:
    """A case's process killed (out of memory, say): that case is ``crashed`` with how the
    process ended; a new worker solves the next case."""
    import multiprocessing
    import signal

    from fairpool.commands.batch_case import CaseJob
    from fairpool.commands.batch_pool import CasePool

    (tmp_path / "one.csv").write_text(GAME, encoding="utf-8")
    job = CaseJob(
        label="one.csv",
        path=tmp_path / "one.csv",
        kind="game",
        players=None,
        orientation="benefit",
        stem="one",
        staging=tmp_path / "staging" / "one",
        cache=None,
        scheduler=None,
        lang=None,
    )

    def outcome_of(pool: CasePool):
        while not pool.idle:  # a worker is given a case once it is ready
            assert pool.collect(timeout=60) == []
        pool.submit(job)
        while not (outcomes := pool.collect(timeout=60)):
            pass
        (outcome,) = outcomes
        return outcome

    with CasePool(1) as pool:
        while not pool.idle:
            pool.collect(timeout=60)
        (worker,) = [p for p in multiprocessing.active_children() if p.name == "fairpool-case-1"]
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join()
        died = outcome_of(pool)  # given to the dead worker, whose death is seen only now
        assert died.row.status == "crashed" and died.row.exit_code is None
        assert died.row.error.startswith(f"{tmp_path / 'one.csv'}: the process solving this case")
        assert "signal 9" in died.row.error
        solved = outcome_of(pool)  # by the worker that replaced it
    assert solved.row.status == "solved" and solved.row.grand_value == 9
    assert list(solved.staged) == ["one_results.xlsx"]


# -- --html: each case workbook's HTML report --------------------------------------------------


def page_text(path: Path) -> str:
    """The visible text of an HTML report (tags dropped, entities read)."""
    import html
    import re

    page = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def party_names(path: Path) -> tuple[str, ...]:
    from fairpool.models import family_of

    return family_of(path).read_case(path).party_names


def test_html_writes_each_case_workbooks_report_and_none_for_a_game(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("water_plant.xlsx", "jingjinji_relocation.xlsx"):
        shutil.copy(case_path(name), folder)
    (folder / "three.csv").write_text(GAME, encoding="utf-8")
    out = tmp_path / "out"
    code, document = batch_json(folder, "-o", out, "-j", "2", "--html", "--no-cache")
    assert code == 0 and document["solved"] == 3
    assert sorted(p.name for p in out.iterdir()) == [
        "jingjinji_relocation_report.html",
        "jingjinji_relocation_results.xlsx",
        "manifest.json",
        "summary.csv",
        "summary.xlsx",
        "three_results.xlsx",  # a game table: its workbook, no report
        "water_plant_report.html",
        "water_plant_results.xlsx",
    ]
    for stem in ("water_plant", "jingjinji_relocation"):
        text = page_text(out / f"{stem}_report.html")
        names = party_names(folder / f"{stem}.xlsx")
        assert len(names) >= 2 and all(name in text for name in names), (stem, names)
        assert text.count(names[0]) >= 2  # the report's tables name the parties, not a title
    # each report is its own case's: the water plant's parties are not in the park's
    assert "苏州" not in page_text(out / "jingjinji_relocation_report.html")

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["cases"]["water_plant.xlsx"]["outputs"]) == [
        "water_plant_report.html",
        "water_plant_results.xlsx",
    ]
    assert list(manifest["cases"]["three.csv"]["outputs"]) == ["three_results.xlsx"]


def test_resume_with_html_writes_the_reports_a_batch_without_it_did_not(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(case_path("water_plant.xlsx"), folder)
    (folder / "three.csv").write_text(GAME, encoding="utf-8")
    out = tmp_path / "out"
    code, first = batch_json(folder, "-o", out, "-j", "1", "--no-cache")
    assert code == 0 and first["solved"] == 2
    assert not (out / "water_plant_report.html").exists()

    code, second = batch_json(folder, "-o", out, "-j", "1", "--no-cache", "--resume", "--html")
    assert code == 0
    cases = by_case(second)
    # the workbook's outputs were not complete for --html: solved again; the game's were
    assert not cases["water_plant.xlsx"]["kept"] and cases["three.csv"]["kept"]
    assert "苏州" in page_text(out / "water_plant_report.html")

    # now complete: kept, byte for byte
    page = (out / "water_plant_report.html").read_bytes()
    code, third = batch_json(folder, "-o", out, "-j", "1", "--no-cache", "--resume", "--html")
    assert code == 0 and third["kept"] == 2
    assert (out / "water_plant_report.html").read_bytes() == page

    # a report gone: its case is solved again
    (out / "water_plant_report.html").unlink()
    code, fourth = batch_json(folder, "-o", out, "-j", "1", "--no-cache", "--resume", "--html")
    assert code == 0 and not by_case(fourth)["water_plant.xlsx"]["kept"]
    assert "苏州" in page_text(out / "water_plant_report.html")  # (it states its own run time)

    # without --html again: the outputs are those of this batch's settings, no stale report
    code, fifth = batch_json(folder, "-o", out, "-j", "1", "--no-cache", "--resume")
    assert code == 0 and not by_case(fifth)["water_plant.xlsx"]["kept"]
    assert not (out / "water_plant_report.html").exists()
    assert (out / "water_plant_results.xlsx").is_file()


def test_html_report_is_checked_before_work_and_a_failed_one_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(case_path("water_plant.xlsx"), folder)
    (folder / "three.csv").write_text(GAME, encoding="utf-8")

    fresh = tmp_path / "fresh"  # someone else's file where a report would go
    fresh.mkdir()
    (fresh / "water_plant_report.html").write_text("mine", encoding="utf-8")
    refused = run("batch", folder, "-o", fresh, "-j", "1", "--no-cache", "--html")
    assert refused.exit_code == 2
    assert "water_plant_report.html exists; pass --force" in refused.stderr
    assert sorted(p.name for p in fresh.iterdir()) == ["water_plant_report.html"]

    import fairpool.commands.outputs as outputs

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "write_reports", broken)  # -j 1: in this process
    out = tmp_path / "out"
    code, document = batch_json(folder, "-o", out, "-j", "1", "--no-cache", "--html")
    assert code == 1
    cases = by_case(document)
    assert cases["water_plant.xlsx"]["status"] != "solved"
    assert "No space left on device" in cases["water_plant.xlsx"]["error"]
    assert cases["three.csv"]["status"] == "solved"
    # the case's workbook was written before its report failed: neither is in the folder
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "summary.csv",
        "summary.xlsx",
        "three_results.xlsx",
    ]
