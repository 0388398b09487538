"""Parties named as users name them: one resolver from what a user types to a party id.

A party has an id (``PROV``) and a display name (``四川省``). Wherever a command takes a party
(``sweep --party``, ``--against``, ``check --ratio``/``--share``, ``game --allocation``, a
proposal file's ``party`` column), the user may type either, in any case and in full-width
forms, as a Chinese input method writes them (``ｐｒｏｖ``). :class:`PartyNames` is the one
place that decides what such a text means, so every command accepts the same spellings and
refuses the same ones with the same message.

Matching, first rule that finds exactly one party wins:

1. the id as typed (spaces around it trimmed);
2. the display name as typed;
3. the id, then the display name, compared loosely (NFKC, case-folded).

A text that matches several parties' names (two parties sharing a name) is ambiguous and
refused, naming the ids to use; an unknown text is refused with the nearest id or name
("did you mean PROV (四川省)?") and the parties there are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.workbook.cells import close_name

SHOWN_PARTIES = 12
"""Parties listed at most in an "unknown party" message."""


def _loose(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class PartyNames:
    """The ids and display names of a case's (or a game's) parties, in their order.

    Example:
        >>> parties = PartyNames(("SZ", "SW"), ("深圳", "汕尾"))
        >>> parties.find("深圳"), parties.find("sw"), parties.find("ＳＺ"), parties.find("HK")
        ('SZ', 'SW', 'SZ', None)
        >>> parties.label("SZ")
        '深圳 (SZ)'
    """

    ids: tuple[str, ...]
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = tuple(self.names) or self.ids
        if len(names) != len(self.ids):
            raise ValueError(f"{len(self.ids)} party ids but {len(names)} names")
        object.__setattr__(self, "ids", tuple(self.ids))
        object.__setattr__(
            self, "names", tuple(str(name or i) for name, i in zip(names, self.ids, strict=True))
        )

    def candidates(self, text: str) -> tuple[str, ...]:
        """The ids ``text`` may mean: one (found), several (ambiguous) or none."""
        typed = text.strip()
        if typed in self.ids:
            return (typed,)
        by_name = tuple(i for i, name in zip(self.ids, self.names, strict=True) if name == typed)
        if by_name:
            return by_name
        loose = _loose(typed)
        by_id = tuple(i for i in self.ids if _loose(i) == loose)
        if by_id:
            return by_id
        return tuple(
            i for i, name in zip(self.ids, self.names, strict=True) if _loose(name) == loose
        )

    def find(self, text: str) -> str | None:
        """The id of the one party ``text`` names (its id or display name), else ``None``."""
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def label(self, party: str) -> str:
        """``四川省 (PROV)``: a party's display name and id (the id alone when they agree)."""
        name = self.names[self.ids.index(party)]
        return party if name == party else f"{name} ({party})"

    def listing(self) -> str:
        """``SEND (浙江飞出市), HOST (四川承接县), …`` (at most :data:`SHOWN_PARTIES`)."""
        shown = [
            i if name == i else f"{i} ({name})"
            for i, name in zip(self.ids[:SHOWN_PARTIES], self.names, strict=False)
        ]
        more = " …" if len(self.ids) > SHOWN_PARTIES else ""
        return ", ".join(shown) + more

    def problem(self, text: str) -> str | None:
        """Why ``text`` names no single party (``None`` when it names one): unknown, with the
        nearest id or name as a hint and the parties there are, or ambiguous."""
        found = self.candidates(text)
        if len(found) == 1:
            return None
        if found:
            return (
                f"{text.strip()!r} is the name of {len(found)} parties "
                f"({', '.join(found)}); use the id"
            )
        near = close_name(text, self.ids) or close_name(text, self.names)
        hint = ""
        if near is not None:
            party = near if near in self.ids else self.ids[self.names.index(near)]
            name = self.names[self.ids.index(party)]
            hint = f"; did you mean {party}{'' if name == party else f' ({name})'}?"
        return f"unknown party {text.strip()!r}{hint}; parties are {self.listing()}"

    def resolve(self, text: str, where: str = "") -> str:
        """The id of the party ``text`` names; a :class:`CaseError` at ``where`` (an option
        such as ``--party``, or a place in a file) when it names none or several."""
        problem = self.problem(text)
        if problem is not None:
            raise CaseError([Problem(where, problem)])
        found = self.find(text)
        assert found is not None  # problem() is None exactly when one party is found
        return found


def party_names(ids: Sequence[str], names: Sequence[str] = ()) -> PartyNames:
    """The :class:`PartyNames` of ids and display names (blank names: the ids)."""
    return PartyNames(tuple(ids), tuple(names))


__all__ = ["SHOWN_PARTIES", "PartyNames", "party_names"]
