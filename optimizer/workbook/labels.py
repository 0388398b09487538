"""Coalition labels (``"SZ+DG+HZ"``) to bitmasks: a vectorised scanner and a plain parser.

A coalition file with 24 parties has 16.7 million rows and 200 million party ids; a Python
loop over them takes minutes. :class:`LabelScanner` turns the labels of a chunk of lines into
bitmasks with a fixed number of numpy passes over its bytes instead:

1. find every delimiter (``+``, ``,``, newline) in the bytes (one comparison: they are the
   only bytes below ``-`` in a table of ids and numbers, punctuation inside an id aside);
2. a token is the text between two delimiters; its *key* is its bytes read as one little-endian
   64-bit word (one gather through a byte-strided ``uint64`` view, then a shift). For ids of
   at most 8 bytes the key *is* the id, so a match is exact; longer ids combine one word per
   8 bytes into a key and every match is then checked word by word;
3. keys map to party bits through a small collision-free multiply-shift hash table;
4. per row, the sum of the bits is a running sum differenced at the row ends. A party listed
   twice shows up as a carry: ``popcount(sum) < number of ids`` (a sum of k powers of two has
   k bits set iff they are distinct).

The label of a row is the text before its first comma; what follows (the value, ``1e+5``
included) is no label. Rows that need a message (unknown id, empty id, party listed twice) are
only *flagged* here; :func:`parse_label`, the plain per-row parser, re-reads just those rows to
word the problem. The two agree on every label, and scanning chunk by chunk agrees with one
scan of the whole (hypothesis tests check both). Without a players table the ids are
discovered in order of first appearance, chunk after chunk: a party first seen in a later
chunk takes the next bit, so the masks of the earlier chunks stay valid.
"""

from __future__ import annotations

import random
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


_PLUS, _COMMA, _NEWLINE, _MINUS = ord("+"), ord(","), ord("\n"), ord("-")
_WORD_MIX = np.uint64(0x9E3779B97F4A7C15)
_HEAD_TOKENS = 4096
"""Party discovery looks for new ids in windows of this many tokens (the first usually holds
them all)."""
_BIT_LIMIT = 62
"""Parties beyond this many get no bit (an int64 mask holds 62 safely); a table with more
distinct ids is refused by the reader anyway (at most 25 parties)."""


@dataclass(frozen=True)
class LabelScan:
    """Result of :func:`scan_labels` or :meth:`LabelScanner.scan`.

    Attributes:
        masks: the coalition bitmask of each row (int64); meaningless for flagged rows.
        players: party ids in bit order (given, or discovered in order of first appearance).
        flagged_rows: sorted indices of rows whose label has a problem (unknown id, empty id,
            an id listed twice) or is empty; re-read them with :func:`parse_label`.
        value_starts, value_lengths: per row, where the text after the first comma starts in
            the (scanned) buffer and how long it is (a ``+`` in it, as in ``1e+5``, is part
            of it); -1 when the row has no comma or a second one.
        buffer: the scanned bytes (whitespace removed if there was any); the rows start at
            ``buffer[start:]``.
    """

    masks: np.ndarray
    players: tuple[str, ...]
    flagged_rows: np.ndarray
    value_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    value_lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    buffer: bytes = b""
    start: int = 0


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

    Each line is ``label`` or ``label,rest``: the label is the text before the first comma.
    Whitespace in labels is ignored. Without ``players``, the party ids are the distinct ids
    of the labels in order of first appearance. (One :class:`LabelScanner` on one chunk.)
    """
    return LabelScanner(players).scan(lines, start)


class LabelScanner:
    """Scans a coalition table chunk after chunk (each chunk whole lines) with one party
    table, so that a file of any size is read in pieces of bounded memory.

    With ``players`` given, an id not among them flags its row; without, ids are discovered
    in order of first appearance across the chunks (a party first seen in a later chunk takes
    the next bit, so the masks of earlier chunks stay valid).
    """

    def __init__(self, players: Sequence[str] | None = None) -> None:
        self.discovering = players is None
        self.players: tuple[str, ...] = tuple(players or ())
        self._table: _PartyTable | None = None

    def scan(self, lines: bytes, start: int = 0) -> LabelScan:
        """The masks of the rows of ``lines[start:]`` (see :class:`LabelScan`)."""
        if any(lines.find(byte, start) >= 0 for byte in (b" ", b"\t", b"\r")):
            lines, start = bytes(8) + lines[start:].translate(None, WHITESPACE), 8
        elif start < 8:
            lines, start = bytes(8) + lines[start:], 8
        if len(lines) > start and not lines.endswith(b"\n"):
            lines += b"\n"
        tokens = _Tokens(lines, start)
        n_rows = len(tokens.row_ends)
        empty = np.zeros(0, np.int64)
        if n_rows == 0:
            return LabelScan(empty, self.players, empty, empty, empty, lines, start)
        words = self._word_count(tokens)
        if self.discovering and not self.players:  # the ids of the first labels, in order
            tokens.compute_keys(words)
            head = tokens.label_tokens(np.arange(min(_HEAD_TOKENS, tokens.keys.size)))
            head = head[tokens.lengths[head] > 0]
            self.players = tuple(tokens.text(t) for t in _first_tokens(tokens.keys, head))
        table = self._table_for(words)
        if tokens.word_count != table.word_count:  # keys as the table reads them
            tokens.compute_keys(table.word_count)
        bits, unknown = table.lookup(tokens)
        if self.discovering:
            unseen = unknown & (tokens.lengths > 0)  # an empty id is no new party
            if unseen.any():
                del bits, unknown
                self.players += _newcomers(tokens, unseen)
                table = self._table_for(words, rebuild=True)
                if tokens.word_count != table.word_count:
                    tokens.compute_keys(table.word_count)
                bits, unknown = table.lookup(tokens)
            del unseen

        # value tokens count nothing; unknown tokens keep junk bits: their rows are flagged
        if tokens.value_index is not None:
            bits[tokens.value_index] = 0
        elif tokens.is_label is not None:
            bits[~tokens.is_label] = 0
        running = np.cumsum(bits, out=bits)
        masks = running[tokens.label_ends]
        del bits, running
        masks[1:] -= masks[:-1].copy()
        flagged = np.bitwise_count(masks) != tokens.label_counts
        flagged[np.searchsorted(tokens.row_ends, np.flatnonzero(unknown))] = True
        return LabelScan(
            masks,
            self.players,
            np.flatnonzero(flagged),
            tokens.value_starts,
            tokens.value_lengths,
            lines,
            start,
        )

    def _word_count(self, tokens: _Tokens) -> int:
        """Words per key: enough for the longest label (discovering) or the longest id."""
        longest = tokens.longest_label
        if not self.discovering:
            longest = min(longest, max((len(p.encode("utf-8")) for p in self.players), default=1))
        elif self._table is not None:
            longest = max(longest, 8 * self._table.word_count)
        return max(1, -(-longest // 8))

    def _table_for(self, words: int, rebuild: bool = False) -> _PartyTable:
        table = self._table
        if rebuild or table is None or table.word_count < words or table.size != len(self.players):
            table = _PartyTable(self.players, max(words, table.word_count if table else 1))
            self._table = table
        return table


class _Tokens:
    """The tokens of a buffer: text between delimiters (``+``, ``,``, newline), and the rows.

    Token j ends at delimiter ``ends[j]`` (body offset); its key is read as the 8 bytes
    *ending* there (one gather through a byte-strided uint64 view, no copy), shifted right to
    drop the bytes before the token. Ids longer than 8 bytes take one word per 8 bytes, from
    the end. A token is a label token when it ends at or before its row's first comma; the
    others (the value, and whatever else follows the comma) are value tokens.
    """

    def __init__(self, lines: bytes, start: int) -> None:
        self.lines, self.start = lines, start
        body = np.frombuffer(lines, dtype=np.uint8, offset=start)
        # One comparison finds the delimiters: they are the only bytes below '-' (45) in a
        # table of ids and numbers, but for punctuation inside an id ('&', '('), dropped after.
        ends = np.flatnonzero(body < _MINUS)
        kinds = body[ends]
        below = kinds < _PLUS
        if np.count_nonzero(below) != np.count_nonzero(kinds == _NEWLINE):
            keep = ~below | (kinds == _NEWLINE)
            ends, kinds = ends[keep], kinds[keep]
        del below
        self.ends = ends
        self.row_ends = np.flatnonzero(kinds == _NEWLINE)
        self.lengths = np.empty_like(ends)
        if self.lengths.size:
            self.lengths[0] = ends[0]
            np.subtract(ends[1:], ends[:-1], out=self.lengths[1:])
            self.lengths[1:] -= 1
        self.value_index: np.ndarray | None = None  # value tokens (simple rows), or
        self.is_label: np.ndarray | None = None  # which tokens are labels (other rows)
        self._rows(kinds)
        self.longest_label = self._longest_label()
        self.words: list[np.ndarray] = []
        self.keys = np.zeros(0, np.uint64)
        self.word_count = 0  # keys not computed yet

    def _rows(self, kinds: np.ndarray) -> None:
        """Label tokens, the last label token and label length of each row, value spans."""
        row_ends = self.row_ends
        commas = np.flatnonzero(kinds == _COMMA)
        previous_end = np.empty_like(row_ends)
        if row_ends.size:
            previous_end[0] = -1
            previous_end[1:] = row_ends[:-1]
        simple = (
            commas.size == row_ends.size
            and row_ends.size > 0
            and row_ends[0] > 0
            and bool((kinds[row_ends - 1] == _COMMA).all())
        )
        if simple:  # every row is "label,value" with the comma its last delimiter
            self.value_index = row_ends
            self.label_ends = commas
            value_rows = np.arange(row_ends.size)
            first_commas = commas
            single = np.ones(row_ends.size, dtype=bool)
        else:
            comma_rows = np.searchsorted(row_ends, commas)
            first = np.ones(commas.size, dtype=bool)
            first[1:] = comma_rows[1:] != comma_rows[:-1]
            value_rows = comma_rows[first]
            first_commas = commas[first]
            self.label_ends = row_ends.copy()
            self.label_ends[value_rows] = first_commas
            in_value = np.zeros(kinds.size + 1, dtype=np.int8)
            in_value[first_commas + 1] = 1
            in_value[row_ends[value_rows] + 1] -= 1
            self.is_label = np.cumsum(in_value[:-1], dtype=np.int8) == 0
            single = np.bincount(comma_rows, minlength=row_ends.size)[value_rows] == 1
        self.label_counts = self.label_ends - previous_end
        n_rows = row_ends.size
        self.value_starts = np.full(n_rows, -1, dtype=np.int64)
        self.value_lengths = np.full(n_rows, -1, dtype=np.int64)
        rows = value_rows[single]
        comma_at = self.ends[first_commas[single]]
        self.value_starts[rows] = comma_at + 1 + self.start
        self.value_lengths[rows] = self.ends[row_ends[rows]] - comma_at - 1

    def _longest_label(self) -> int:
        if self.is_label is not None:
            label_lengths = self.lengths[self.is_label]
            return int(label_lengths.max()) if label_lengths.size else 0
        values = self.value_index
        kept = self.lengths[values]
        self.lengths[values] = 0
        longest = int(self.lengths.max()) if self.lengths.size else 0
        self.lengths[values] = kept
        return longest

    def compute_keys(self, word_count: int) -> None:
        """The key of every token, from ``word_count`` words of 8 bytes (see the class doc)."""
        lines, start = self.lines, self.start
        view = np.ndarray(shape=(len(lines) - 7,), dtype="<u8", buffer=lines, strides=(1,))
        at = self.ends if start == 8 else self.ends + (start - 8)  # the 8 bytes that end
        self.words = []
        for w in range(word_count):
            word = view[at if w == 0 else np.maximum(at - 8 * w, 0)]
            # keep the last min(max(length − 8w, 0), 8) bytes: shift right by 64 − 8·that
            kept = self.lengths if w == 0 else self.lengths - 8 * w
            word >>= _DROP_BITS.take(kept, mode="clip")
            self.words.append(word)
        self.keys = _combine_words(self.words)
        self.word_count = word_count

    def label_only(self, flags: np.ndarray) -> np.ndarray:
        """``flags`` (one per token) cleared on the value tokens, in place."""
        if self.value_index is not None:
            flags[self.value_index] = False
        else:
            flags &= self.is_label
        return flags

    def label_tokens(self, index: np.ndarray) -> np.ndarray:
        """The label tokens among the tokens ``index``."""
        if self.is_label is not None:
            return index[self.is_label[index]]
        body = np.frombuffer(self.lines, dtype=np.uint8, offset=self.start)
        return index[body[self.ends[index]] != _NEWLINE]

    def text(self, token: int) -> str:
        end = int(self.ends[token]) + self.start
        return self.lines[end - int(self.lengths[token]) : end].decode("utf-8", "replace")


_DROP_BITS = np.array([64 - 8 * k for k in range(9)], dtype=np.uint64)
"""Right shift that keeps the last k bytes of a word (numpy shifts by 64 to 0)."""


def _combine_words(words: list[np.ndarray]) -> np.ndarray:
    """One uint64 key per token: the word itself for short ids, a mix of the words otherwise."""
    keys = words[0]
    for word in words[1:]:
        keys = keys * _WORD_MIX  # wraps mod 2**64
        keys ^= word
    return keys


def _id_words(party: str, word_count: int) -> list[int]:
    """The words of an id as :meth:`_Tokens.compute_keys` reads them (last 8 bytes first)."""
    data = party.encode("utf-8")
    words = []
    for w in range(word_count):
        end = len(data) - 8 * w
        words.append(int.from_bytes(data[max(0, end - 8) : max(0, end)], "little"))
    return words


class _PartyTable:
    """A collision-free hash table from token key to party bit.

    slot = (key · a mod 2⁶⁴) >> (64 − b) for an odd multiplier a tried until the party keys
    land in distinct slots (multiply-shift hashing: two cheap operations per token). Empty
    slots hold a key no UTF-8 token can have (eight 0xFF bytes). Keys of ids up to 8 bytes
    are the ids themselves; longer ids are also compared word by word, and a token longer
    than ``8 · word_count`` bytes is no id.
    """

    _EMPTY = np.uint64((1 << 64) - 1)

    def __init__(self, players: tuple[str, ...], word_count: int) -> None:
        self.word_count = word_count
        self.size = len(players)
        fits = [0 < len(p.encode("utf-8")) <= 8 * word_count for p in players]
        valid = [i for i, fit in enumerate(fits) if fit]
        self.party_words = np.array(
            [_id_words(players[i], word_count) for i in valid], dtype=np.uint64
        ).reshape(len(valid), word_count)
        keys = _combine_words(list(self.party_words.T)) if valid else np.zeros(0, np.uint64)
        bits_needed = max(1, (2 * max(1, len(valid)) - 1).bit_length())
        draw = random.Random(20240601)  # the standard library's: numpy.random costs 10 ms
        slots = np.zeros(0, np.uint64)
        multiplier, shift = np.uint64(1), np.uint64(64 - bits_needed)
        for attempt in range(10_000):
            multiplier = np.uint64(draw.randrange(1, 1 << 62) * 2 + 1)
            shift = np.uint64(64 - bits_needed)
            slots = (keys * multiplier) >> shift
            if len(set(slots.tolist())) == len(valid):
                break
            if attempt % 50 == 49:
                bits_needed += 1
        self.multiplier, self.shift = multiplier, shift
        size = 1 << bits_needed
        self.keys = np.full(size, self._EMPTY, dtype=np.uint64)
        self.bits = np.zeros(size, dtype=np.int64)
        self.party = np.zeros(size, dtype=np.int64)  # row of party_words
        for row, (i, slot) in enumerate(zip(valid, slots.tolist(), strict=True)):
            self.keys[slot] = keys[row]
            self.bits[slot] = 1 << i if i < _BIT_LIMIT else 0
            self.party[slot] = row

    def lookup(self, tokens: _Tokens) -> tuple[np.ndarray, np.ndarray]:
        """Party bit of each token (junk where not an id) and which label tokens are no id."""
        if self.party_words.shape[0] == 0:
            unknown = tokens.label_only(np.ones(tokens.keys.size, dtype=bool))
            return np.zeros(tokens.keys.size, np.int64), unknown
        slots = tokens.keys * self.multiplier
        slots >>= self.shift
        slots = slots.view(np.int64)
        key_found = self.keys.take(slots)
        unknown = key_found != tokens.keys
        if self.word_count > 1:
            party = self.party.take(slots)
            for w, word in enumerate(tokens.words):
                unknown |= self.party_words[:, w].take(party) != word
        if tokens.longest_label > 8 * self.word_count:
            unknown |= tokens.lengths > 8 * self.word_count
        tokens.label_only(unknown)
        bits = self.bits.take(slots, out=key_found.view(np.int64))
        return bits, unknown


def _first_tokens(keys: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The tokens (from ``index``, in order) that are the first with their key."""
    _, first = np.unique(keys[index], return_index=True)
    return index[np.sort(first)]


def _newcomers(tokens: _Tokens, unseen: np.ndarray) -> tuple[str, ...]:
    """Ids of the tokens that matched no party, in order of first appearance.

    Each round takes the first :data:`_HEAD_TOKENS` unseen tokens, keeps the first token of
    each key among them (so in order), and drops every token with those keys; what remains
    lies after the window, so later rounds find later ids.
    """
    index = np.flatnonzero(unseen)
    found: list[int] = []
    while index.size:
        new = _first_tokens(tokens.keys, index[:_HEAD_TOKENS])
        found += new.tolist()
        index = index[~np.isin(tokens.keys[index], tokens.keys[new])]
    return tuple(tokens.text(t) for t in found)
