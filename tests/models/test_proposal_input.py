"""Proposals as users write them: a workbook holding only a ``proposal`` sheet, a CSV file
with its columns, or rows typed on the command line, read exactly as the case's own sheet;
parties by id or display name (one resolver, :class:`fairpool.optimizer.parties.PartyNames`).

The oracle of every reading is the case's own proposal sheet, read by the case reader: the
same rows in another file must give the same proposal, and the same judgement.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fairpool.models import family_of
from fairpool.models.infrastructure.case import ProposalShares
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.parties import PartyNames

CASES = Path(__file__).resolve().parents[2] / "cases"
SHIPPED = ("sichuan_zhejiang_park.xlsx", "river_program.xlsx", "water_plant.xlsx")


def proposal_rows(case_file: Path) -> list[tuple[object, ...]]:
    """The ``proposal`` sheet of a shipped case as written (header first)."""
    book = openpyxl.load_workbook(case_file, read_only=True)
    rows = [tuple(row) for row in book["proposal"].iter_rows(values_only=True)]
    book.close()
    return [row for row in rows if any(cell is not None for cell in row)]


def write_proposal_book(rows: list[tuple[object, ...]], path: Path) -> Path:
    """A workbook whose one sheet is ``proposal``."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "proposal"
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_csv(
    rows: list[tuple[object, ...]], path: Path, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])
    return path


def same_proposal(got: object, expected: object) -> bool:
    if isinstance(expected, pd.DataFrame):
        assert isinstance(got, pd.DataFrame)
        return got.reset_index(drop=True).equals(expected.reset_index(drop=True))
    if isinstance(expected, ProposalShares):
        assert isinstance(got, ProposalShares)
        default_same = (got.default is None) == (expected.default is None) and (
            expected.default is None or np.array_equal(got.default, expected.default)
        )
        return (
            np.array_equal(got.shares, expected.shares)
            and np.array_equal(got.named, expected.named)
            and default_same
        )
    return np.array_equal(np.asarray(got), np.asarray(expected))


@pytest.mark.parametrize("name", SHIPPED)
def test_a_proposal_only_workbook_and_csvs_read_as_the_cases_own_sheet(
    name: str, tmp_path: Path
) -> None:
    source = CASES / name
    family = family_of(source)
    case = family.read_case(source)
    rows = proposal_rows(source)
    files = [
        write_proposal_book(rows, tmp_path / "offer.xlsx"),
        write_csv(rows, tmp_path / "offer.csv"),
        write_csv(rows, tmp_path / "offer_gbk.csv", encoding="gb18030", delimiter=";"),
        source,  # a whole case's workbook: only its proposal sheet is read
    ]
    own = family.read_proposal(source, case)
    for file in files:
        got = family.read_proposal(file, case)
        assert same_proposal(got, own), file.name
    judged, oracle = family.check(case, family.read_proposal(files[1], case)), family.check(case)
    assert judged.amounts == pytest.approx(oracle.amounts)
    assert (judged.in_core, judged.rule_violations) == (oracle.in_core, oracle.rule_violations)


def test_party_names_read_as_their_ids(tmp_path: Path) -> None:
    source = CASES / "sichuan_zhejiang_park.xlsx"
    family = family_of(source)
    case = family.read_case(source)
    names = dict(zip(case.parties, case.party_names, strict=True))
    rows = proposal_rows(source)
    named = [rows[0], *((names.get(str(r[0]), r[0]), *r[1:]) for r in rows[1:])]
    assert any(row[0] == "四川省" for row in named)
    got = family.read_proposal(write_csv(named, tmp_path / "named.csv"), case)
    assert same_proposal(got, family.read_proposal(source, case))


def test_bad_proposal_files_name_the_place(tmp_path: Path) -> None:
    source = CASES / "sichuan_zhejiang_park.xlsx"
    family = family_of(source)
    case = family.read_case(source)
    rows = proposal_rows(source)
    without = write_csv([("party", "stream", "phase"), ("SEND", "*", "*")], tmp_path / "a.csv")
    with pytest.raises(CaseError, match=r"a\.csv, row 1, column ratio: required column 'ratio'"):
        family.read_proposal(without, case)
    typo = [rows[0], ("四川", "*", "2", 0.2), ("SEND", "VATT", "1", 0.5), *rows[1:]]
    with pytest.raises(CaseError) as caught:
        family.read_proposal(write_csv(typo, tmp_path / "typo.csv"), case)
    text = str(caught.value)
    assert (
        "typo.csv, sheet proposal, row 2, column party: unknown party '四川'; did you mean PROV"
        in text
    )
    assert "parties are SEND (浙江飞出市), HOST (四川承接县), PROV (四川省)" in text
    assert "row 3, column stream: unknown stream 'VATT'" in text
    sums = [rows[0], ("SEND", "*", "*", 0.5), ("HOST", "*", "*", 0.6)]
    with pytest.raises(CaseError, match=r"sums\.csv, sheet proposal, row 2, column ratio: .*1\.1"):
        family.read_proposal(write_csv(sums, tmp_path / "sums.csv"), case)
    empty = write_proposal_book([rows[0]], tmp_path / "empty.xlsx")
    with pytest.raises(CaseError, match=r"empty\.xlsx: no proposal sheet to check"):
        family.read_proposal(empty, case)
    other = openpyxl.Workbook()
    other.save(tmp_path / "other.xlsx")
    with pytest.raises(CaseError, match=r"other\.xlsx: no proposal sheet to check"):
        family.read_proposal(tmp_path / "other.xlsx", case)
    (tmp_path / "offer.json").write_text("{}")
    with pytest.raises(CaseError, match=r"offer\.json: expected an Excel workbook .* or a CSV"):
        family.read_proposal(tmp_path / "offer.json", case)


def test_rows_for_some_cells_change_only_those_of_the_baseline() -> None:
    """``--ratio … --phase 2``: phase 2 takes the rows (a party not named: 0), every other
    cell keeps the case's proposal; without a baseline the missing cells are named."""
    source = CASES / "sichuan_zhejiang_park.xlsx"
    family = family_of(source)
    case = family.read_case(source)
    rows = [
        {"party": "SEND", "stream": "*", "phase": "2", "ratio": 0.6},
        {"party": "HOST", "stream": "*", "phase": "2", "ratio": 0.4},
    ]
    got = family.proposal_from_rows(case, rows, "--ratio", None).set_index(
        ["party", "stream", "phase"]
    )
    own = case.proposal.set_index(["party", "stream", "phase"])
    in_phase_2 = got.index.get_level_values("phase") == "2"
    assert got.ratio[("SEND", "VAT", "2")] == 0.6 and got.ratio[("PROV", "CIT", "2")] == 0.0
    assert got.ratio[("SEND", "GDP", "2")] == 0.6  # "*": every stream, as in a sheet
    pd.testing.assert_series_equal(got.ratio[~in_phase_2], own.ratio.loc[got.index[~in_phase_2]])
    bare = family.proposal_from_rows(case, rows, "--ratio", case.proposal)
    assert same_proposal(bare, family.proposal_from_rows(case, rows, "--ratio", None))
    import dataclasses

    without = dataclasses.replace(case, proposal=None)
    with pytest.raises(CaseError, match=r"--ratio: no ratio for stream VAT in phase 1"):
        family.proposal_from_rows(without, rows, "--ratio", None)


def test_rows_for_one_project_keep_the_other_projects() -> None:
    source = CASES / "river_program.xlsx"
    family = family_of(source)
    case = family.read_case(source)
    rows = [
        {"party": "安徽", "project": "RAIL_AH", "share": 0.5},
        {"party": "ZJ", "project": "RAIL_AH", "share": 0.5},
    ]
    got = family.proposal_from_rows(case, rows, "--share", None)
    k = case.project_index("RAIL_AH")
    assert got.shares[:, k] == pytest.approx([0.5, 0.5, 0.0, 0.0])
    assert got.named[k]
    others = np.arange(len(case.projects)) != k
    assert np.array_equal(got.shares[:, others], case.proposal.shares[:, others])
    assert np.array_equal(got.default, case.proposal.default)


@pytest.mark.parametrize(
    ("typed", "found"),
    [("PROV", "PROV"), (" 四川省 ", "PROV"), ("prov", "PROV"), ("ＰＲＯＶ", "PROV"), ("Ｘ", None)],
)
def test_one_resolver_finds_ids_names_and_loose_spellings(typed: str, found: str | None) -> None:
    parties = PartyNames(("SEND", "HOST", "PROV"), ("浙江飞出市", "四川承接县", "四川省"))
    assert parties.find(typed) == found


def test_the_resolver_refuses_unknown_and_ambiguous_names() -> None:
    parties = PartyNames(("SZ", "SW", "GD"), ("深圳", "深圳", "广东"))
    with pytest.raises(CaseError, match=r"--party: '深圳' is the name of 2 parties \(SZ, SW\)"):
        parties.resolve("深圳", "--party")
    assert parties.resolve("sz") == "SZ"
    park = PartyNames(("SEND", "HOST", "PROV"), ("浙江飞出市", "四川承接县", "四川省"))
    with pytest.raises(
        CaseError, match=r"unknown party 'HOTS'; did you mean HOST \(四川承接县\)\?"
    ):
        park.resolve("HOTS", "--party")
