"""Proposals as users write them: the part of reading a proposal that every family shares.

A proposal comes as a ``proposal`` sheet (in the case, or in a workbook of its own), as a CSV
file with the same columns, or as rows built from a command's options (``check --ratio``,
``--share``). Whatever the source, its cells are parsed as the case sheet's are
(:func:`proposal_tables`, :func:`rows_tables`), the ``party`` column may hold a party's id or
its display name (resolved by :class:`~fairpool.optimizer.parties.PartyNames`, the one
resolver), and every problem names its place. Each family then builds its own proposal
(a ratio table, project shares, a share vector) from these tables in its ``proposal`` module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from fairpool.models.family import CaseSettings
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.workbook.checks import CaseChecks
from fairpool.optimizer.workbook.reader import (
    ROW,
    CaseTables,
    case_tables_from_rows,
    table_records,
)
from fairpool.optimizer.workbook.schema import ModelSchema
from fairpool.optimizer.workbook.sheet_file import one_sheet_schema, read_sheet_file

SHEET = "proposal"


def proposal_tables(path: str | os.PathLike[str], schema: ModelSchema) -> CaseTables:
    """The ``proposal`` sheet of a workbook (which need hold no other sheet) or of a CSV file
    with its columns (:func:`~fairpool.optimizer.workbook.sheet_file.read_sheet_file`)."""
    return read_sheet_file(path, schema, SHEET)


def rows_tables(
    schema: ModelSchema, rows: Sequence[Mapping[str, object]], source: str
) -> CaseTables:
    """Rows of a ``proposal`` sheet given in memory ({column: value}, numbered from row 2 as
    in a sheet), parsed as the sheet's cells are; ``source`` names them in messages."""
    return case_tables_from_rows(one_sheet_schema(schema, SHEET), {}, {SHEET: rows}, source)


def no_proposal(source: str, columns: str) -> CaseError:
    """The error of a file without proposal rows (``columns``: the sheet's, for the hint)."""
    return CaseError(
        f"{Path(source).name}: no proposal sheet to check; add sheet proposal ({columns})"
    )


def proposal_table(checks: CaseChecks, case: CaseSettings, columns: str) -> pd.DataFrame:
    """The proposal rows of ``checks.tables`` with each ``party`` cell as the id of the party
    it names (id or display name, :meth:`~fairpool.models.family.CaseSettings.party_id`'s
    spelling rules); an unknown or ambiguous party is a problem in ``checks`` naming its row
    (the caller adds its own and raises them together). A file without rows is
    :func:`no_proposal` (after the reader's problems, if any).
    """
    tables = checks.tables
    table = tables.table(SHEET)
    if table.empty:
        checks.raise_if_any()
        raise no_proposal(tables.path, columns)
    lookup = case.party_lookup
    table = table.copy()
    ids = []
    for row in table_records(table):
        party = row["party"]
        problem = None if party is None else lookup.problem(str(party))
        if problem is not None:
            checks.add(SHEET, row[ROW], "party", problem)
        ids.append(None if party is None or problem else lookup.find(str(party)))
    table["party"] = ids
    return table


__all__ = ["SHEET", "no_proposal", "proposal_table", "proposal_tables", "rows_tables"]
