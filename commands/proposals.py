"""Proposals typed on the command line: ``check --ratio "SZ=0.40,SW=0.25,GD=0.35"`` (joint park)
and ``--share "A=0.3,B=0.7"`` (cost families), narrowed by ``--stream``/``--phase``/``--project``,
on top of ``--proposal FILE`` or the case's own proposal sheet.

The option's text is parsed here (:func:`parse_entries`): ``PARTY=VALUE`` pairs separated by
commas, with parties by id or display name (the one resolver,
:meth:`~fairpool.models.family.CaseSettings.party_id`), values as fractions (``0.4``) or
percentages (``40%``), and what a Chinese input method types (``，``, ``％``, ``＝``, full-width
digits) read as the ASCII it stands for. Every bad entry is named at once (exit 2). The
entries become rows of the family's ``proposal`` sheet (its columns come from the family's
schema), which the family reads exactly as it reads that sheet
(:attr:`~fairpool.models.family.Family.proposal_from_rows`): ``--ratio`` over every stream
and phase equals a proposal sheet with one ``* *`` row per party.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fairpool.models.family import ALL
from fairpool.optimizer.errors import CaseError, Problem
from fairpool.optimizer.workbook.cells import number_text

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case

SUM_TOLERANCE = 1e-9
"""How far typed ratios or shares may add up from 1 (the tightest family's tolerance)."""

SEPARATORS = re.compile(r"[,;、]")
"""Between entries, after NFKC (``，`` and ``；`` become ``,`` and ``;``)."""

ENTRY = re.compile(r"([^=:]+)[=:](.*)")
"""``PARTY=VALUE`` (or ``PARTY:VALUE``), after NFKC (``＝`` and ``：`` become ``=`` and ``:``)."""

SCOPE_OPTIONS = {"stream": "--stream", "phase": "--phase", "project": "--project"}
"""The proposal sheet's scope columns and the options that set them."""

VALUE_OPTIONS = {"ratio": "--ratio", "share": "--share"}
"""The proposal sheet's value column and the option that gives it."""


@dataclass(frozen=True)
class Entry:
    """One ``PARTY=VALUE`` of an option: the party's id and the value as a fraction."""

    party: str
    value: float


def parse_value(text: str) -> float | None:
    """``0.4``, ``40%``, ``４０％`` → 0.4; ``None`` when ``text`` is not a number."""
    plain = number_text(text)
    scale = 0.01 if plain.endswith("%") else 1.0
    try:
        value = float(plain.rstrip("%")) * scale
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_entries(text: str, option: str, case: Case) -> list[Entry]:
    """The ``PARTY=VALUE`` entries of ``option``'s ``text``, checked: each party named once
    (id or display name), each value a fraction in [0, 1] (or a percentage), the values
    adding up to 1. Every problem is named in one :class:`CaseError` (exit 2)."""
    plain = unicodedata.normalize("NFKC", text)
    items = [item.strip() for item in SEPARATORS.split(plain) if item.strip()]
    example = ",".join(
        f"{p}={0.5 if i == 0 else 0.5 / (case.n - 1):g}" for i, p in enumerate(case.parties[:4])
    ) + ("…" if case.n > 4 else "")
    if not items:
        raise CaseError([Problem(option, f'no PARTY=VALUE entries; e.g. {option} "{example}"')])
    problems: list[str] = []
    entries: list[Entry] = []
    first: dict[str, str] = {}
    lookup = case.party_lookup
    for item in items:
        pair = ENTRY.fullmatch(item)
        if pair is None:
            problems.append(f"{item!r} is not PARTY=VALUE (e.g. {example})")
            continue
        name, value_text = pair.group(1).strip(), pair.group(2).strip()
        unknown = lookup.problem(name)
        if unknown is not None:
            problems.append(unknown)
            continue
        party = lookup.resolve(name)
        value = parse_value(value_text)
        if value is None:
            problems.append(f"{item}: {value_text!r} is not a number; write 0.4 or 40%")
            continue
        if not -1e-12 <= value <= 1 + 1e-12:
            problems.append(
                f"{item}: {value_text} is not between 0 and 1; write a fraction (0.4) or a "
                "percentage (40%)"
            )
            continue
        if party in first:
            problems.append(f"{lookup.label(party)} is given twice ({first[party]} and {item})")
            continue
        first[party] = item
        entries.append(Entry(party, min(max(value, 0.0), 1.0)))
    total = sum(entry.value for entry in entries)
    if not problems and abs(total - 1.0) > SUM_TOLERANCE:
        shown = " + ".join(f"{e.party} {e.value:g}" for e in entries)
        problems.append(f"the values add up to {total:.6g}, not 1 ({shown})")
    if problems:
        raise CaseError([Problem(option, problem) for problem in problems])
    return entries


def proposal_rows(
    family: AnyFamily, option: str, entries: list[Entry], scope: dict[str, str | None]
) -> list[dict[str, object]]:
    """Rows of the family's ``proposal`` sheet for ``entries``: one per party, with each scope
    column (stream, phase, project) as narrowed by its option or ``*``. An option the family
    does not have (``--ratio`` for cost shares, ``--stream`` for infrastructure) is a
    :class:`CaseError` saying which to use."""
    columns = family.schema.sheet("proposal").column_names
    value_column = next(c for c in columns if c in VALUE_OPTIONS)
    if VALUE_OPTIONS[value_column] != option:
        raise CaseError(
            [
                Problem(
                    option,
                    f"a {family.name} case's proposal gives {value_column}s: use "
                    f"{VALUE_OPTIONS[value_column]}",
                )
            ]
        )
    problems = [
        Problem(
            SCOPE_OPTIONS[column],
            f"does not apply to a {family.name} case (its proposal has columns "
            f"{', '.join(columns)})",
        )
        for column, value in scope.items()
        if value is not None and column not in columns
    ]
    if problems:
        raise CaseError(problems)
    fixed = {c: scope.get(c) or ALL for c in columns if c in SCOPE_OPTIONS}
    fixed = {c: ALL if v.lower() == "all" else v for c, v in fixed.items()}
    return [{"party": e.party, **fixed, value_column: e.value} for e in entries]


def read_given_proposal(
    family: AnyFamily,
    case: Case,
    *,
    proposal: Path | None,
    ratio: str | None,
    share: str | None,
    scope: dict[str, str | None],
) -> object | None:
    """The proposal ``check`` judges: ``--proposal FILE`` (its proposal sheet, or a CSV),
    changed by ``--ratio``/``--share`` where given (narrowed by the scope options), else
    ``None`` (the case's own proposal sheet).

    The typed entries are read by the family as its own sheet's rows
    (``family.proposal_from_rows``); a problem it finds in the scope (an unknown stream, phase
    or project) is named at the option that set it.
    """
    base = family.read_proposal(proposal, case) if proposal is not None else None
    given = [(o, t) for o, t in (("--ratio", ratio), ("--share", share)) if t is not None]
    if len(given) > 1:
        raise CaseError([Problem("--ratio", "give --ratio or --share, not both")])
    if not given:
        narrowed = [SCOPE_OPTIONS[c] for c, v in scope.items() if v is not None]
        if narrowed:
            raise CaseError(
                [Problem(o, "narrows --ratio or --share; give one of them too") for o in narrowed]
            )
        return base
    option, text = given[0]
    entries = parse_entries(text, option, case)
    rows = proposal_rows(family, option, entries, scope)
    try:
        return family.proposal_from_rows(case, rows, option, base)
    except CaseError as error:
        placed = (
            Problem(SCOPE_OPTIONS.get(p.column or "", option), p.message) for p in error.problems
        )
        raise CaseError(list(dict.fromkeys(placed))) from None


__all__ = [
    "SCOPE_OPTIONS",
    "SUM_TOLERANCE",
    "VALUE_OPTIONS",
    "Entry",
    "parse_entries",
    "parse_value",
    "proposal_rows",
    "read_given_proposal",
]
