"""What a batch records in its output folder: the manifest (for ``--resume``) and the summary.

``manifest.json`` lists, for every case a batch has run into the folder, the fingerprint of
its input (:func:`case_fingerprint`: a content hash, never a file time), the output files it
wrote with their own hashes, and its summary row. ``--resume`` keeps a case whose input has
the same fingerprint and whose outputs are all there, byte for byte as written; the files the
manifest lists are the batch's own, which ``--resume`` may replace without ``--force``. The
manifest is rewritten atomically after every case, so an interrupted batch loses at most the
cases in hand.

``summary.xlsx`` and ``summary.csv`` hold one row per case (:func:`summary_table`): case,
model, parties, status, seconds, grand value and unit, the target method and each party's
share by it, the verdict in words, and the error message. Headings, statuses and verdicts are
phrases of :mod:`fairpool.reports.i18n`; text in the workbook stays text
(:func:`~fairpool.optimizer.workbook.files.keep_text`), and in the CSV a text that a
spreadsheet would read as a formula gets a leading ``'``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fairpool.commands.batch_case import CaseKind, CaseRow, file_digest
from fairpool.optimizer.errors import CaseError

if TYPE_CHECKING:
    from fairpool.reports.i18n import Language

MANIFEST = "manifest.json"
SUMMARY_XLSX = "summary.xlsx"
SUMMARY_CSV = "summary.csv"
MANIFEST_FORMAT = 1
"""Version of the manifest's layout; a manifest of another version is not resumed from."""


# -- the manifest ---------------------------------------------------------------------------------


@dataclass
class ManifestEntry:
    """One case as the manifest keeps it: its input, fingerprint, outputs and summary row."""

    input: str
    fingerprint: str
    outputs: dict[str, str]
    row: CaseRow

    def as_record(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "fingerprint": self.fingerprint,
            "outputs": self.outputs,
            "row": self.row.as_record(),
        }


@dataclass
class Manifest:
    """The cases a batch has run into its output folder, by label (the input's file name)."""

    cases: dict[str, ManifestEntry] = field(default_factory=dict)

    def own_files(self) -> set[str]:
        """File names in the folder that batches wrote: every case's outputs, the summary."""
        owned = {SUMMARY_XLSX, SUMMARY_CSV, MANIFEST}
        for entry in self.cases.values():
            owned.update(entry.outputs)
        return owned

    def intact(self, folder: Path, label: str, fingerprint: str, outputs: Sequence[str]) -> bool:
        """Whether case ``label`` can be kept: solved from an input with this fingerprint,
        its outputs exactly the files ``outputs`` this batch would write (e.g. its HTML report
        with ``--html``), each still in ``folder`` with the content it was written with."""
        entry = self.cases.get(label)
        if entry is None or entry.fingerprint != fingerprint or entry.row.status != "solved":
            return False
        if not entry.outputs or set(entry.outputs) != set(outputs):
            return False
        for name, digest in entry.outputs.items():
            path = folder / name
            if not path.is_file() or file_digest(path) != digest:
                return False
        return True


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder`` (None when there is none); one that cannot be read is an
    input error that says how to start afresh."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"format {document.get('format')!r}, not {MANIFEST_FORMAT}")
        cases = {
            str(label): ManifestEntry(
                input=str(entry["input"]),
                fingerprint=str(entry["fingerprint"]),
                outputs={str(k): str(v) for k, v in entry["outputs"].items()},
                row=CaseRow.from_record(entry["row"]),
            )
            for label, entry in document["cases"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise CaseError(
            f"{path} is not a manifest of fairpool batch ({error}); pass --force to solve "
            "every case again and replace it, or -o another folder"
        ) from None
    return Manifest(cases)


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write the manifest atomically (a reader never sees half of it)."""
    from fairpool.optimizer.workbook.files import atomic_output

    document = {
        "format": MANIFEST_FORMAT,
        "cases": {label: entry.as_record() for label, entry in sorted(manifest.cases.items())},
    }
    path = folder / MANIFEST
    with atomic_output(path) as temp:
        temp.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def case_fingerprint(
    kind: CaseKind,
    inputs: Sequence[Path],
    settings: Sequence[str],
) -> str:
    """A hash of everything a case's results depend on: its kind, the settings that change
    them (a game's orientation, the results' language, fairpool's version) and the bytes of
    its input files (a game's players table too). Never a file time."""
    digest = hashlib.sha256(f"fairpool batch {MANIFEST_FORMAT}\0{kind}".encode())
    for setting in settings:
        digest.update(b"\0" + setting.encode())
    for path in inputs:
        digest.update(b"\0" + file_digest(path).encode())
    return digest.hexdigest()


# -- the summary table ----------------------------------------------------------------------------

STATUS_PHRASES = {
    "solved": "batch_solved",
    "bad_input": "batch_bad_input",
    "not_solved": "batch_not_solved",
    "crashed": "batch_crashed",
}
"""A case's status → its phrase in the summary."""


def verdict_text(row: CaseRow, lang: Language) -> str:
    """The row's verdict in words (the plan's, or a game's Shapley value's); blank when the
    case was not solved."""
    from fairpool.reports.i18n import format_money, money_decimals, phrase

    if row.status != "solved" or not row.judged or row.in_core is None:
        return ""
    what = phrase("what_plan" if row.judged == "plan" else "shapley", lang)
    if row.in_core:
        return phrase("verdict_stable", lang, what=what)
    excess = row.worst_excess if row.worst_excess is not None else math.nan
    scale = [excess, *(row.shares.values())]
    amount = format_money(excess, row.unit, money_decimals(scale))
    if row.core_empty:
        return phrase("verdict_core_empty", lang, what=what, amount=amount)
    parties = " + ".join(row.worst_coalition.split("+"))
    return phrase("verdict_blocked", lang, parties=parties, amount=amount)


def summary_table(rows: Sequence[CaseRow], lang: Language) -> list[list[object]]:
    """The summary as rows of cells, headings first: one column per party id met in any
    case (in order of appearance), blank where a case has no such party."""
    from fairpool.reports.i18n import phrase

    parties: list[str] = []
    for row in rows:
        parties += [p for p in row.shares if p not in parties]
    headings: list[object] = [
        phrase(key, lang)
        for key in ("case", "batch_model", "batch_parties", "batch_status", "batch_seconds")
    ]
    headings += [phrase("batch_grand_value", lang), phrase("unit", lang), phrase("target", lang)]
    headings += [phrase("batch_share_of", lang, party=p) for p in parties]
    headings += [phrase("batch_verdict", lang), phrase("batch_error", lang)]
    table: list[list[object]] = [headings]
    for row in rows:
        solved = row.status == "solved"
        table.append(
            [
                row.case,
                row.model,
                row.parties,
                phrase(STATUS_PHRASES[row.status], lang),
                round(row.seconds, 3),
                row.grand_value if solved else None,
                row.unit,
                row.target if solved else "",
                *(row.shares.get(p) if solved else None for p in parties),
                verdict_text(row, lang),
                row.error,
            ]
        )
    return table


def write_summary(folder: Path, rows: Sequence[CaseRow], lang: Language) -> tuple[Path, Path]:
    """``summary.xlsx`` and ``summary.csv`` in ``folder`` (each written atomically)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from fairpool.optimizer.workbook.files import FORMULA_STARTS, atomic_output, atomic_save
    from fairpool.reports.i18n import phrase

    table = summary_table(rows, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = phrase("summary", lang)
    for cells in table:
        sheet.append([_finite(value) for value in cells])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, heading in enumerate(table[0], start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, min(60, len(str(heading)) + 4))
    sheet.freeze_panes = "B2"
    xlsx = atomic_save(book, folder / SUMMARY_XLSX)

    path = folder / SUMMARY_CSV
    with atomic_output(path) as temp, temp.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        for cells in table:
            writer.writerow(
                [
                    "'" + value
                    if isinstance(value, str) and value.startswith(FORMULA_STARTS)
                    else ("" if value is None else _finite(value))
                    for value in cells
                ]
            )
    return xlsx, path


def _finite(value: object) -> object:
    """A cell's value, NaN and ±∞ left blank."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
