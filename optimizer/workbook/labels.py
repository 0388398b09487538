"""Coalition labels (``"SZ+DG+HZ"``) to bitmasks: a vectorised scanner and a plain parser.

A coalition file with 20 parties has a million rows and ten million party ids; a Python loop
over them takes seconds. :func:`scan_labels` turns all labels into bitmasks with a fixed number
of numpy passes over the bytes instead:

1. find every delimiter (``+``, ``,``, newline) in the byte buffer (one comparison pass);
2. a token is the text between two delimiters; its *key* is its bytes read as one little-endian
   64-bit word (one gather through a byte-strided ``uint64`` view, then a length mask). For
   ids of at most 8 bytes the key *is* the id, so a match is exact; longer ids combine one word
   per 8 bytes into a key and every match is then checked word by word;
3. keys map to party bits through a small collision-free table (``key mod P``);
4. per row, the sum of the bits is a running sum differenced at the row ends. A party listed
   twice shows up as a carry: ``popcount(sum) < number of ids`` (a sum of k powers of two has
   k bits set iff they are distinct).

Rows that need a message (unknown id, empty id, party listed twice) are only *flagged* here;
:func:`parse_label`, the plain per-row parser, re-reads just those rows to word the problem.
The two agree on every label (a hypothesis test checks this).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

WHITESPACE = b" \t\r"
"""Bytes ignored inside coalition labels (``"SZ + DG"`` is ``"SZ+DG"``)."""

FULL_WIDTH_JOINS = {"＋": "+", "，": "+", "、": "+", "；": "+", "\u3000": " "}
"""Joins typed by a Chinese input method (full-width ＋ and ，, the enumeration comma 、, ；)
read as ``+``, and the ideographic space as a space, in coalition labels."""
_FULL_WIDTH_TABLE = str.maketrans(FULL_WIDTH_JOINS)
_FULL_WIDTH_BYTES = tuple(key.encode("utf-8") for key in FULL_WIDTH_JOINS)


def normalise_label(label: str) -> str:
    """A label with full-width joins made ASCII (``"SZ＋DG"`` → ``"SZ+DG"``)."""
    return label.translate(_FULL_WIDTH_TABLE)


def normalise_labels(labels: list[str]) -> list[str]:
    """:func:`normalise_label` of each label."""
    return [normalise_label(label) for label in labels]


def normalise_label_bytes(raw: bytes, start: int) -> bytes:
    """CSV bytes with :data:`FULL_WIDTH_JOINS` normalised in the label (the text before each
    line's first comma); the values are left as they are. Returns ``raw`` itself (no copy)
    when it holds none of them, the common case."""
    if raw.isascii() or not any(join in raw for join in _FULL_WIDTH_BYTES):
        return raw
    lines = raw[start:].decode("utf-8").split("\n")
    fixed = []
    for line in lines:
        label, comma, rest = line.partition(",")
        fixed.append(normalise_label(label) + comma + rest)
    return raw[:start] + "\n".join(fixed).encode("utf-8")


def loose_id(party: str) -> str:
    """An id for loose comparison: NFKC (full-width letters) and case folded."""
    return unicodedata.normalize("NFKC", party).casefold()


def spelling_variants(players: Sequence[str]) -> dict[str, str]:
    """Ids that differ from an earlier one only in case or width (``sz`` after ``SZ``,
    ``ＳＺ``), mapped to the earlier spelling."""
    first: dict[str, str] = {}
    variants: dict[str, str] = {}
    for party in players:
        key = loose_id(party)
        if key in first:
            variants[party] = first[key]
        else:
            first[key] = party
    return variants


_PLUS, _COMMA, _NEWLINE = ord("+"), ord(","), ord("\n")
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_WORD_MIX = np.uint64(0x9E3779B97F4A7C15)
_HEAD_TOKENS = 4096
"""Party discovery looks for new ids in the first tokens first (they usually hold them all)."""


@dataclass(frozen=True)
class LabelScan:
    """Result of :func:`scan_labels`.

    Attributes:
        masks: the coalition bitmask of each row (int64); meaningless for flagged rows.
        players: party ids in bit order (given, or discovered in order of first appearance).
        flagged_rows: sorted indices of rows whose label has a problem (unknown id, empty id,
            an id listed twice) or is empty; re-read them with :func:`parse_label`.
        value_starts, value_lengths: per row, where the text after the first comma starts in
            the (scanned) buffer and how long it is; -1 when the row has no comma or more
            than one field after it (such rows are flagged).
        buffer: the scanned bytes (whitespace removed if there was any).
    """

    masks: np.ndarray
    players: tuple[str, ...]
    flagged_rows: np.ndarray
    value_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    value_lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    buffer: bytes = b""


def parse_label(label: str, index: Mapping[str, int]) -> tuple[int, list[str]]:
    """The coalition mask of one label, and what is wrong with it (plain, per-row parser).

    Whitespace is ignored; ids are joined by ``+``; the empty label is the empty coalition.

    Example:
        >>> parse_label("SZ + DG", {"SZ": 0, "DG": 1})
        (3, [])
        >>> parse_label("SZ+SZ+XX", {"SZ": 0})[1]
        ["party 'SZ' is listed twice", "unknown party id 'XX'; known parties: SZ"]
    """
    text = "".join(ch for ch in str(label) if ch not in " \t\r")
    if text == "":
        return 0, []
    problems: list[str] = []
    if "," in text or "\n" in text:
        return 0, [f"unexpected ',' or line break in coalition {label!r}: join party ids with '+'"]
    mask = 0
    for token in text.split("+"):
        if token == "":
            problems.append(f"empty party id in {label!r} (a '+' at an end or '++')")
        elif token not in index:
            meant = [p for p in index if loose_id(p) == loose_id(token)]
            if meant:
                hint = f"; did you mean {meant[0]!r}? (ids are case-sensitive)"
            else:
                shown = ", ".join(list(index)[:12]) + (" …" if len(index) > 12 else "")
                hint = f"; known parties: {shown}"
            problems.append(f"unknown party id {token!r}{hint}")
        elif mask >> index[token] & 1:
            problems.append(f"party {token!r} is listed twice")
        else:
            mask |= 1 << index[token]
    return mask, problems


def discover_players(labels: Sequence[str]) -> tuple[str, ...]:
    """Party ids in order of first appearance in the labels (plain version, for reference)."""
    seen: dict[str, None] = {}
    for label in labels:
        text = "".join(ch for ch in str(label) if ch not in " \t\r")
        for token in text.split("+") if text else ():
            if token and token not in seen:
                seen[token] = None
    return tuple(seen)


def scan_labels(lines: bytes, players: Sequence[str] | None = None, start: int = 0) -> LabelScan:
    """Coalition masks of every row of ``lines[start:]`` (UTF-8, one row per line).

    Each line is ``label`` or ``label,rest``: whatever follows the first comma is ignored
    (the CSV fast path passes ``coalition,value`` lines). Whitespace in labels is ignored.
    Without ``players``, the party ids are the distinct ids of the labels in order of first
    appearance.
    """
    if any(lines.find(byte, start) >= 0 for byte in (b" ", b"\t", b"\r")):
        lines, start = bytes(8) + lines[start:].translate(None, WHITESPACE), 8
    elif start < 8:
        lines, start = bytes(8) + lines[start:], 8
    if len(lines) > start and not lines.endswith(b"\n"):
        lines += b"\n"
    tokens = _Tokens(lines, start)
    n_rows = len(tokens.row_ends)
    if n_rows == 0:
        return LabelScan(np.zeros(0, np.int64), tuple(players or ()), np.zeros(0, np.int64))

    discovering = players is None
    ids = _discover(tokens) if players is None else tuple(players)
    table = _PartyTable(ids, tokens.word_count)
    bits, known = table.lookup(tokens)
    unknown = ~known
    unknown[tokens.value_tokens] = False
    if tokens.in_rest is not None:
        unknown &= ~tokens.in_rest
    if discovering and (tokens.lengths[unknown] > 0).any():
        ids += _newcomers(tokens, unknown & (tokens.lengths > 0))
        table = _PartyTable(ids, tokens.word_count)
        bits, known = table.lookup(tokens)
        unknown = ~known
        unknown[tokens.value_tokens] = False
        if tokens.in_rest is not None:
            unknown &= ~tokens.in_rest

    bits[tokens.value_tokens] = 0  # unknown tokens keep junk bits: their rows are flagged
    if discovering:
        usable = known if tokens.in_rest is None else known & ~tokens.in_rest
        clean_bits = np.where(usable, bits, 0)
    running = np.cumsum(bits, out=bits)
    sums = running[tokens.row_ends]
    del bits, running
    sums[1:] -= sums[:-1].copy()
    value_rows = np.searchsorted(tokens.row_ends, tokens.value_tokens)
    ids_per_row = np.diff(tokens.row_ends, prepend=-1)
    ids_per_row -= np.bincount(value_rows, minlength=n_rows)

    flagged = np.bitwise_count(sums) != ids_per_row
    flagged[np.searchsorted(tokens.row_ends, np.flatnonzero(unknown))] = True
    # a '+' or ',' after the first comma: the scan cannot tell label from rest there
    flagged[value_rows[tokens.kinds[tokens.value_tokens] != _NEWLINE]] = True
    flagged_rows = np.flatnonzero(flagged)
    value_starts = np.full(n_rows, -1, dtype=np.int64)
    value_lengths = np.full(n_rows, -1, dtype=np.int64)
    whole = tokens.kinds[tokens.value_tokens] == _NEWLINE
    single = tokens.value_tokens[whole]
    value_lengths[value_rows[whole]] = tokens.lengths[single]
    value_starts[value_rows[whole]] = tokens.word_ends[single] + 8 - tokens.lengths[single]
    if discovering and len(ids) > 1:
        ids, sums = _in_first_appearance_order(ids, sums, flagged_rows, tokens, clean_bits)
    return LabelScan(sums, ids, flagged_rows, value_starts, value_lengths, lines)


class _Tokens:
    """The tokens of a buffer: text between delimiters (``+``, ``,``, newline).

    Token j ends at delimiter ``delimiters[j]``; its key is read as the 8 bytes *ending* there
    (one gather through a byte-strided uint64 view, no copy), shifted right to drop the bytes
    before the token. Ids longer than 8 bytes take one word per 8 bytes, from the end.
    """

    def __init__(self, lines: bytes, start: int) -> None:
        self.lines, self.start = lines, start
        body = np.frombuffer(lines, dtype=np.uint8, offset=start)
        is_delimiter = body == _PLUS
        is_delimiter |= body == _COMMA
        is_delimiter |= body == _NEWLINE
        self.delimiters = np.flatnonzero(is_delimiter)
        del is_delimiter
        self.kinds = body[self.delimiters]
        self.row_ends = np.flatnonzero(self.kinds == _NEWLINE)
        self.value_tokens = np.flatnonzero(self.kinds[:-1] == _COMMA) + 1
        self.lengths = np.empty_like(self.delimiters)
        if self.lengths.size:
            self.lengths[0] = self.delimiters[0]
            np.subtract(self.delimiters[1:], self.delimiters[:-1], out=self.lengths[1:])
            self.lengths[1:] -= 1
        longest = int(self.lengths.max()) if self.lengths.size else 0
        self.word_count = max(1, -(-longest // 8))
        view = np.ndarray(shape=(len(lines) - 7,), dtype="<u8", buffer=lines, strides=(1,))
        # Big temporaries are few and reused in place: on a million rows, fresh memory (page
        # faults) costs as much as the arithmetic.
        self.word_ends = self.delimiters
        self.word_ends += start - 8  # buffer offset of the 8 bytes that end at the delimiter
        del self.delimiters
        drop = np.empty_like(self.lengths)
        self.words = []
        for w in range(self.word_count):
            at = self.word_ends if w == 0 else np.maximum(self.word_ends - 8 * w, 0)
            word = view[at]
            # keep the last min(max(length − 8w, 0), 8) bytes: shift right by 64 − 8·that
            if w:
                np.subtract(self.lengths, 8 * w, out=drop)
                np.clip(drop, 0, 8, out=drop)
            else:
                np.minimum(self.lengths, 8, out=drop)
            drop *= -8
            drop += 64
            word >>= drop.view(np.uint64)
            self.words.append(word)
        del drop
        self.keys = _combine_words(self.words)
        self.in_rest = self._find_rest()

    def _find_rest(self) -> np.ndarray | None:
        """Tokens after a comma that does not end its row (``1e+05``, ``x+y``), or ``None``.

        Only such rows can hide a '+' after the first comma; their tokens are not labels.
        """
        opening = self.value_tokens[self.kinds[self.value_tokens] != _NEWLINE]
        if opening.size == 0:
            return None
        marks = np.zeros(self.keys.size + 1, dtype=np.int64)
        np.add.at(marks, opening, 1)
        np.add.at(marks, self.row_ends[np.searchsorted(self.row_ends, opening)] + 1, -1)
        return np.cumsum(marks[:-1]) > 0

    def text(self, token: int) -> str:
        end = int(self.word_ends[token]) + 8
        return self.lines[end - int(self.lengths[token]) : end].decode("utf-8", "replace")

    def row_span(self, row: int) -> tuple[int, int]:
        first = int(self.row_ends[row - 1]) + 1 if row else 0
        return first, int(self.row_ends[row]) + 1


_DROP_BITS = np.array([64 - 8 * k for k in range(9)], dtype=np.uint64)
"""Right shift that keeps the last k bytes of a word (a shift by 64 gives 0 in numpy)."""


def _combine_words(words: list[np.ndarray]) -> np.ndarray:
    """One uint64 key per token: the word itself for short ids, a mix of the words otherwise."""
    keys = words[0]
    for word in words[1:]:
        keys = keys * _WORD_MIX  # wraps mod 2**64
        keys ^= word
    return keys


class _PartyTable:
    """A collision-free hash table from token key to party bit.

    slot = (key · a mod 2⁶⁴) >> (64 − b) for an odd multiplier a tried until the party keys
    land in distinct slots (multiply-shift hashing: two cheap operations per token). Empty
    slots hold a key no UTF-8 token can have (eight 0xFF bytes). Keys of ids up to 8 bytes
    are the ids themselves; longer ids are also compared word by word.
    """

    _EMPTY = np.uint64((1 << 64) - 1)

    def __init__(self, players: tuple[str, ...], word_count: int) -> None:
        self.word_count = word_count
        fits = [0 < len(p.encode("utf-8")) <= 8 * word_count for p in players]
        ids = _Tokens(bytes(8) + "".join(p + "\n" for p in players).encode("utf-8"), 8)
        ids_words = [ids.words[w] if w < ids.word_count else None for w in range(word_count)]
        self.party_words = np.array(
            [w if w is not None else np.zeros(len(players), np.uint64) for w in ids_words],
            dtype=np.uint64,
        ).reshape(word_count, len(players))
        keys = _combine_words(list(self.party_words)) if players else np.zeros(0, np.uint64)
        valid = np.flatnonzero(fits)
        bits_needed = max(1, (2 * max(1, len(players)) - 1).bit_length())
        rng = np.random.default_rng(20240601)
        for attempt in range(10_000):
            multiplier = np.uint64(int(rng.integers(1, 1 << 62)) * 2 + 1)
            shift = np.uint64(64 - bits_needed)
            slots = (keys[valid] * multiplier) >> shift
            if len(set(slots.tolist())) == valid.size:
                break
            if attempt % 50 == 49:
                bits_needed += 1
        self.multiplier, self.shift = multiplier, shift
        size = 1 << bits_needed
        self.keys = np.full(size, self._EMPTY, dtype=np.uint64)
        self.bits = np.zeros(size, dtype=np.int64)
        self.party = np.zeros(size, dtype=np.int64)
        for i, slot in zip(valid.tolist(), slots.tolist(), strict=True):
            self.keys[slot], self.bits[slot], self.party[slot] = keys[i], 1 << i, i

    def lookup(self, tokens: _Tokens) -> tuple[np.ndarray, np.ndarray]:
        """Party bit of each token (junk where unknown) and whether it is a party id."""
        slots = tokens.keys * self.multiplier
        slots >>= self.shift
        slots = slots.view(np.int64)
        key_found = self.keys.take(slots)
        known = key_found == tokens.keys
        if self.word_count > 1:
            party = self.party[slots]
            for w, word in enumerate(tokens.words):
                known &= self.party_words[w][party] == word
        bits = self.bits.take(slots, out=key_found.view(np.int64))
        return bits, known


def _first_tokens(keys: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The tokens (from ``index``, in order) that are the first with their key."""
    _, first = np.unique(keys[index], return_index=True)
    return index[np.sort(first)]


def _label_tokens(tokens: _Tokens, index: np.ndarray) -> np.ndarray:
    """Of the given token indices, those that are non-empty and not after a comma."""
    index = index[tokens.lengths[index] > 0]
    after_comma = (index > 0) & (tokens.kinds[np.maximum(index - 1, 0)] == _COMMA)
    if tokens.in_rest is not None:
        after_comma |= tokens.in_rest[index]
    return index[~after_comma]


def _discover(tokens: _Tokens) -> tuple[str, ...]:
    """Candidate party ids: those of the first tokens, then those of the longest label.

    A table usually names every party in its first rows or in its grand coalition, so one
    lookup of all tokens then confirms the list; the final order is fixed afterwards by
    :func:`_in_first_appearance_order`.
    """
    head = np.arange(min(_HEAD_TOKENS, tokens.keys.size))
    longest = int(np.argmax(np.diff(tokens.row_ends, prepend=-1)))
    candidates = np.concatenate([head, np.arange(*tokens.row_span(longest))])
    firsts = _first_tokens(tokens.keys, _label_tokens(tokens, candidates))
    return tuple(tokens.text(int(t)) for t in firsts)


def _newcomers(tokens: _Tokens, unseen: np.ndarray) -> tuple[str, ...]:
    """Ids of the tokens that matched no candidate, in order of first appearance."""
    index = np.flatnonzero(unseen)
    found: list[int] = []
    while index.size:
        new = _first_tokens(tokens.keys, index[:_HEAD_TOKENS])
        found += new.tolist()
        index = index[~np.isin(tokens.keys[index], tokens.keys[new])]
    return tuple(tokens.text(t) for t in found)


def _in_first_appearance_order(
    players: tuple[str, ...],
    sums: np.ndarray,
    flagged_rows: np.ndarray,
    tokens: _Tokens,
    bits: np.ndarray,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Renumber discovered parties by first appearance and move the mask bits to match.

    The first row holding each party comes from the row masks (flagged rows, whose sums may
    carry, are recomputed as bitwise ORs); ties within a row go by position in the label.
    """
    membership = sums.copy()
    for r in flagged_rows:
        membership[r] = np.bitwise_or.reduce(bits[slice(*tokens.row_span(int(r)))])
    n = len(players)
    first_row = np.array([int(np.argmax((membership >> i) & 1)) for i in range(n)])
    position = np.zeros(n, dtype=np.int64)
    for r in np.unique(first_row).tolist():
        for offset, bit in enumerate(bits[slice(*tokens.row_span(r))].tolist(), start=1):
            i = bit.bit_length() - 1
            if 0 <= i < n and bit == 1 << i and first_row[i] == r and position[i] == 0:
                position[i] = offset
    order = np.lexsort((position, first_row))
    if np.array_equal(order, np.arange(n)):
        return players, sums
    renumbered = np.zeros_like(sums)
    for new, old in enumerate(order.tolist()):
        renumbered |= ((sums >> old) & 1) << new
    return tuple(players[i] for i in order), renumbered
