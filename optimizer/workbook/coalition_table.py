"""A coalition table assembled into a game, chunk of rows after chunk, with every row checked.

Both readers of the explicit game file feed it: the streaming CSV reader
(:mod:`~fairpool.optimizer.workbook.coalition_csv`) one chunk of lines at a time, the cell
reader (quoted CSV, Excel) all rows at once. So the checks and their messages are written once:

* a label the scanner flagged is re-read by the plain parser
  (:func:`~fairpool.optimizer.workbook.labels.parse_label`), which words the problem;
* an id that differs from an earlier one only in case or width is named on its rows;
* a value that is not a finite number, beyond 2**53, or non-zero for the empty coalition;
* a coalition listed twice, naming all its rows; coalitions without a value.

Memory: no per-row array outlives its chunk. What grows with the table is the dense value
table (float64, NaN until a row gives the value) and the row that gave each value (int32, for
the duplicate messages): 12 bytes per coalition, allocated when the parties are known (and
re-allocated, doubled, when a party first appears in a later chunk). Problems are counted
without limit but only the first :data:`~fairpool.optimizer.workbook.tables.MAX_LISTED` of
each kind are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.game import MAX_PLAYERS, MAX_VALUE, Game, Orientation
from fairpool.optimizer.workbook.cells import check_memory, memory_refusal
from fairpool.optimizer.workbook.labels import LabelScan, parse_label, spelling_variants
from fairpool.optimizer.workbook.tables import MAX_LISTED, PlayersTable

RowTexts = Callable[[int], tuple[str, str]]
"""The label and value text of a row of the chunk (as written, for messages)."""


@dataclass
class _Kept:
    """Problems of one kind: the first :data:`MAX_LISTED` and how many there were."""

    items: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < MAX_LISTED:
            self.items.append(problem)


def _capped(kinds: Sequence[_Kept], what: str) -> list[Problem]:
    """The problems of ``kinds`` in order, at most :data:`MAX_LISTED`, then how many more."""
    shown = [problem for kept in kinds for problem in kept.items][:MAX_LISTED]
    total = sum(kept.count for kept in kinds)
    if total > MAX_LISTED:
        shown.append(Problem("", f"... and {total - MAX_LISTED} more problems with {what}"))
    return shown


def allocate_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    """The value table (NaN: no value yet) and the row that gave each value (0: none)."""
    return np.full(size, np.nan), np.zeros(size, dtype=np.int32)


def coalition_label(mask: int, players: Sequence[str]) -> str:
    return "+".join(p for i, p in enumerate(players) if mask >> i & 1)


class CoalitionTable:
    """Rows of a coalition table checked and gathered into the dense value table.

    Args:
        where: ``"file.csv"`` or ``"book.xlsx, sheet coalitions"``, for messages.
        players: the party ids when a players table gives them; ``None``: the ids of the
            labels, in order of first appearance (then the chunks' scans discover them).
        label_column, value_column: column names for messages.
        problems: problems found before (cells of a workbook); they are reported alone.
        file_bytes: the size of the file, for the memory check's message.
    """

    def __init__(
        self,
        where: str,
        players: tuple[str, ...] | None,
        *,
        label_column: str = "coalition",
        value_column: str = "value",
        problems: Sequence[Problem] = (),
        file_bytes: int = 0,
    ) -> None:
        self.where = where
        self.discovering = players is None
        self.players: tuple[str, ...] = tuple(players or ())
        self.label_column, self.value_column = label_column, value_column
        self.earlier = list(problems)
        self.file_bytes = file_bytes
        self.values = np.full(0, np.nan)
        self.given_by = np.zeros(0, dtype=np.int32)  # row number that gave each value, 0: none
        self.labels, self.spellings = _Kept(), _Kept()
        self.not_finite, self.too_large, self.empty = _Kept(), _Kept(), _Kept()
        self.repeated_masks: list[np.ndarray] = []
        self.repeated_rows: list[np.ndarray] = []
        self._index: dict[str, int] = {}
        self._variants: dict[str, str] = {}
        self._variant_bits = 0

    # -- rows ----------------------------------------------------------------------------
    def add(
        self, scan: LabelScan, values: np.ndarray, row_numbers: np.ndarray, texts: RowTexts
    ) -> None:
        """Check one chunk of rows and put its values in the table.

        ``scan``: the chunk's labels (its masks are taken over); ``values``: one float per
        row, NaN where the cell is not a number; ``row_numbers``: as the user sees them.
        """
        self._parties(scan.players)
        if len(self.players) > MAX_PLAYERS:
            return  # refused in game(), with every id; nothing else is said
        masks = scan.masks
        label_ok = np.ones(len(masks), dtype=bool)
        for r in scan.flagged_rows.tolist():
            mask, messages = parse_label(texts(r)[0], self._index)
            masks[r] = mask
            for message in messages:
                self.labels.add(self._problem(row_numbers[r], self.label_column, message))
            if messages:
                label_ok[r] = False
        if self._variant_bits:
            self._spelling(masks, label_ok, row_numbers)

        finite = np.isfinite(values)
        for r in np.flatnonzero(~finite).tolist():
            text = texts(r)[1].strip()
            message = (
                "no value: expected a number"
                if text == ""
                else (f"expected a finite number, got {text!r}")
            )
            self.not_finite.add(self._problem(row_numbers[r], self.value_column, message))
        good = label_ok & finite
        with np.errstate(invalid="ignore"):
            large = np.flatnonzero(good & ~(np.abs(values) <= MAX_VALUE))
        for r in large.tolist():
            self.too_large.add(
                self._problem(
                    row_numbers[r],
                    self.value_column,
                    f"{values[r]:.6g} is beyond {MAX_VALUE:.4g} (2**53), the largest amount "
                    "a float holds to the unit: write the amounts in a larger unit (e.g. 万元 "
                    "or 亿元 instead of 元)",
                )
            )
        good[large] = False
        for r in np.flatnonzero(good & (masks == 0) & (values != 0)).tolist():
            self.empty.add(
                self._problem(
                    row_numbers[r],
                    self.value_column,
                    "the empty coalition must have value 0 (or leave it out)",
                )
            )
        rows = np.flatnonzero(good)
        self._store(masks[rows], values[rows], np.asarray(row_numbers)[rows])

    def _parties(self, players: tuple[str, ...]) -> None:
        """Take the parties known so far (discovered ones only ever grow at the end)."""
        if players == self.players and self._index:
            return
        if not self.discovering and players != self.players:
            raise ValueError("a scan with other parties than the table's")  # a bug, not input
        self.players = players
        if len(players) > MAX_PLAYERS:
            self.values, self.given_by = np.full(0, np.nan), np.zeros(0, np.int32)
            return
        self._index = {p: i for i, p in enumerate(players)}
        if self.discovering:
            variants = spelling_variants(players)
            self._variants = variants
            self._variant_bits = sum(1 << players.index(p) for p in variants)
        self._grow(len(players))

    def _grow(self, n: int) -> None:
        """Tables for 2**n coalitions, keeping what earlier rows gave."""
        size = 1 << n
        if self.values.size >= size:
            return
        check_memory(self.where, self.file_bytes, parties=n)
        try:
            values, given_by = allocate_tables(size)
        except MemoryError:
            raise CaseError(memory_refusal(self.where, self.file_bytes, n)) from None
        values[: self.values.size] = self.values
        given_by[: self.given_by.size] = self.given_by
        self.values, self.given_by = values, given_by

    def _spelling(self, masks: np.ndarray, label_ok: np.ndarray, row_numbers: np.ndarray) -> None:
        """One problem per row naming an id that differs from an earlier one only in case
        or width (``sz`` and ``SZ``): read as two parties, they would leave most coalitions
        without a value, so the row is named instead of only the count of missing ones."""
        variants, players = self._variants, self.players
        bit = {party: 1 << players.index(party) for party in variants}
        for r in np.flatnonzero(label_ok & ((masks & self._variant_bits) != 0)).tolist():
            named = [v for v in variants if int(masks[r]) & bit[v]]
            fixes = "; ".join(
                f"party id {v!r} differs from {variants[v]!r} only in case or width: write "
                f"{variants[v]!r} (ids are case-sensitive)"
                for v in named
            )
            self.spellings.add(self._problem(row_numbers[r], self.label_column, fixes))

    def _store(self, masks: np.ndarray, values: np.ndarray, numbers: np.ndarray) -> None:
        """Values into the table; a coalition given before (by an earlier chunk, or twice
        in this one) is recorded with its row for the duplicate message."""
        numbers = numbers.astype(np.int32)
        earlier = self.given_by[masks] != 0
        if earlier.any():
            self.repeated_masks.append(masks[earlier])
            self.repeated_rows.append(numbers[earlier])
            masks, values, numbers = masks[~earlier], values[~earlier], numbers[~earlier]
        self.given_by[masks] = numbers
        lost = self.given_by[masks] != numbers  # listed twice in this chunk
        if lost.any():
            self.repeated_masks.append(masks[lost])
            self.repeated_rows.append(numbers[lost])
        self.values[masks] = values

    def _problem(self, row: int | np.integer, column: str, message: str) -> Problem:
        return Problem(f"{self.where}, row {int(row)}, column {column}", message)

    # -- the game --------------------------------------------------------------------------
    def game(
        self, orientation: Orientation, fill: str | None, players_table: PlayersTable | None
    ) -> Game:
        """The game of the rows added, or a :class:`CaseError` listing every problem."""
        if self.earlier:
            raise CaseError(self.earlier)
        players = self.players
        if len(players) > MAX_PLAYERS:
            shown = ", ".join(players[:30])
            raise CaseError(
                f"{len(players)} different party ids ({shown}, ...): explicit games hold at "
                f"most {MAX_PLAYERS} parties; check the coalition column for typos",
                self.where,
            )
        self._grow(len(players))
        problems = _capped([self.labels], "coalition labels")
        problems += _capped([self.spellings], "party id spellings")
        problems += _capped([self.not_finite, self.too_large, self.empty], "values")
        problems += _capped([self._duplicates()], "duplicate coalitions")
        values, self.values = self.values, np.full(0, np.nan)
        self.given_by = np.zeros(0, dtype=np.int32)
        values[0] = 0.0
        missing = np.flatnonzero(np.isnan(values))
        if missing.size and fill is None and not problems:
            shown = ", ".join(coalition_label(int(m), players) for m in missing[:8])
            more = f" and {missing.size - 8} more" if missing.size > 8 else ""
            problems.append(
                Problem(
                    self.where,
                    f"{missing.size} of {values.size - 1} coalitions have no value "
                    f"({shown}{more}): list every coalition, or fill the missing ones with "
                    "--fill partition",
                )
            )
        if problems:
            raise CaseError(problems)
        if missing.size:
            from fairpool.optimizer.fill import fill_by_partition

            values = fill_by_partition(values, orientation, players=players)
        names: tuple[str, ...] = players
        attributes: dict[str, np.ndarray] = {}
        if players_table is not None:
            names, attributes = players_table.names, players_table.attributes
        try:
            return Game(players, values, orientation, names=names, attributes=attributes)
        except MemoryError:
            raise CaseError(memory_refusal(self.where, self.file_bytes, len(players))) from None

    def _duplicates(self) -> _Kept:
        """One problem per coalition listed more than once (rows as given, in order), at
        its last row, coalitions in mask order."""
        kept = _Kept()
        if not self.repeated_masks:
            return kept
        masks = np.concatenate(self.repeated_masks)
        rows = np.concatenate(self.repeated_rows)
        order = np.lexsort((rows, masks))
        masks, rows = masks[order], rows[order]
        starts = np.flatnonzero(np.r_[True, masks[1:] != masks[:-1]])
        for mask, group in zip(masks[starts].tolist(), np.split(rows, starts[1:]), strict=True):
            numbers = sorted([int(self.given_by[mask]), *group.tolist()])
            label = coalition_label(mask, self.players) or "(empty coalition)"
            listed = ", ".join(str(number) for number in numbers)
            kept.add(
                self._problem(
                    numbers[-1],
                    self.label_column,
                    f"coalition {label} is listed more than once (rows {listed})",
                )
            )
        return kept
