"""The pieces behind ``validate`` and the error documents: structured problems, the reader's
full-width normalisation and the error document's placing of an unplaced message."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairpool.optimizer.errors import CaseError, InfeasibleError, Problem, place
from fairpool.optimizer.workbook.schema import Column
from fairpool.optimizer.workbook.values import half_width, parse_normalised
from fairpool.reports.document import error_document


def test_a_problem_built_from_its_place_has_every_field() -> None:
    problem = Problem.at("/data/park.xlsx", "rules", 5, "min_ratio", "min_ratio 0.9 is above 0.4")
    assert (
        str(problem)
        == "park.xlsx, sheet rules, row 5, column min_ratio: min_ratio 0.9 is above 0.4"
    )
    assert problem.as_record() == {
        "file": "park.xlsx",
        "sheet": "rules",
        "row": 5,
        "column": "min_ratio",
        "message": "min_ratio 0.9 is above 0.4",
    }


@pytest.mark.parametrize(
    ("where", "fields"),
    [
        ("game.csv, row 7, column coalition", ("game.csv", None, 7, "coalition")),
        (
            "/tmp/a/book.xlsx, sheet coalitions, row 3, column B (value)",
            ("book.xlsx", "coalitions", 3, "B (value)"),
        ),
        (
            "park.xlsx, sheet case, row 2, column value (target)",
            ("park.xlsx", "case", 2, "value (target)"),
        ),
        ("park.xlsx, sheet costs", ("park.xlsx", "costs", None, None)),
        ("park.xlsx", ("park.xlsx", None, None, None)),
    ],
)
def test_a_place_written_as_text_is_read_back_into_fields(
    where: str, fields: tuple[object, ...]
) -> None:
    problem = Problem(where, "x")
    assert (problem.file, problem.sheet, problem.row, problem.column) == fields
    assert problem.as_record()["message"] == "x"


def test_a_place_that_is_not_a_file_stays_in_the_message() -> None:
    problem = Problem("--allocation", "unknown party 'XX'")
    assert not problem.located
    assert problem.as_record() == {
        "file": None,
        "sheet": None,
        "row": None,
        "column": None,
        "message": "--allocation: unknown party 'XX'",
    }


def test_every_error_has_problems_and_a_case_error_names_the_checks_that_wait() -> None:
    plain = CaseError("--step must be positive")
    assert [p.message for p in plain.problems] == ["--step must be positive"]
    problems = [
        Problem.at("p.xlsx", "costs", 2, "amount", "bad"),
        Problem.at("p.xlsx", "rules", 3, None, "worse"),
    ]
    error = CaseError(problems, skipped=["that the ratios add up to 1"], warnings=["w"])
    assert error.problems == tuple(problems)
    assert str(error).splitlines() == [
        "2 problems found:",
        "  - p.xlsx, sheet costs, row 2, column amount: bad",
        "  - p.xlsx, sheet rules, row 3: worse",
        "not checked until the problems above are fixed:",
        "  - that the ratios add up to 1",
    ]
    assert error.warnings == ("w",)
    rows = InfeasibleError("rules conflict", problems)
    assert rows.problems == tuple(problems) and rows.exit_code == 3
    assert InfeasibleError("no plan").problems[0].message == "no plan"


def test_the_error_document_places_a_message_that_names_the_input() -> None:
    source = Path("/work/park.xlsx")
    problems = [
        Problem("", "park.xlsx, sheet case, row 2, column value: unknown model 'x'"),
        Problem("", "file not found: /work/park.xlsx; check the path"),
        Problem("", "--from must be a finite number"),
    ]
    document = error_document(problems, 2, source=source)
    assert document["ok"] is False and document["exit_code"] == 2
    first, missing, option = document["errors"]
    assert (first["file"], first["sheet"], first["row"], first["column"]) == (
        "park.xlsx",
        "case",
        2,
        "value",
    )
    assert first["message"] == "unknown model 'x'"
    assert missing["file"] == "park.xlsx" and missing["sheet"] is None
    assert option["file"] is None
    infeasible = error_document([Problem("", "The rules admit no split plan")], 3, source=source)
    assert infeasible["errors"][0]["file"] == "park.xlsx"


@pytest.mark.parametrize(
    ("kind", "typed", "read"),
    [
        ("id_list", "SZ＋SW＋GD", ("SZ", "SW", "GD")),
        ("id_list", "SZ，SW、GD", ("SZ", "SW", "GD")),
        ("ratio", "６０％", 0.6),
        ("integer", "２０２６", 2026),
        ("number", "１，２００", 1200.0),
        ("id", "ＳＺ　", "SZ"),
        ("id_or_all", "＊", "*"),
    ],
)
def test_full_width_input_is_read_and_marked(kind: str, typed: str, read: object) -> None:
    column = Column("x", kind, "d", "说明")  # type: ignore[arg-type]
    assert parse_normalised(column, typed) == (read, typed)
    assert parse_normalised(column, half_width(typed))[1] is None  # plain input: no mark


def test_names_keep_their_full_width_spelling_and_bad_cells_are_quoted_as_typed() -> None:
    name = Column("name", "text", "d", "说明")
    assert parse_normalised(name, "川浙（示例）") == ("川浙（示例）", None)
    with pytest.raises(ValueError, match="'ｌｏｔｓ'"):
        parse_normalised(Column("x", "number", "d", "说明"), "ｌｏｔｓ")


def test_place_names_the_file_not_its_folder() -> None:
    assert place("/a/b/park.xlsx", "rules", 5) == "park.xlsx, sheet rules, row 5"
    assert place(None, None, None, None) == ""
