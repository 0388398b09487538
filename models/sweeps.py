"""What every family's sweep shares: the line read as the user names it, the values checked
against what the line allows, and the core band within the rules with the rules that cut it.

A sweep slides one party's ratio (or cost share) ρ along a line (:class:`SweepLine`); the
family computes the exact core band (every ρ where no coalition blocks) and, where it has
rules on the line, the exact band where the swept plan is also within the rules. This module
turns the two bands into what a negotiator reads: :func:`band_cuts` names the rules that cut
the core band, found by the family's own rule check just beyond each end of the band within
the rules (or across the whole core band when no value is within them), so the words are the
ones ``check`` uses for the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

from fairpool.models.family import BandCut, CaseSettings, SweepLine
from fairpool.optimizer.errors import CaseError

BAND_TOLERANCE = 1e-7
"""How far the band within the rules may differ from the core band and still count as the
same (ρ is a fraction: unit-free)."""

PROBE_STEPS = (1e-6, 1e-4, 1e-2)
"""How far beyond a band's end the rule check looks first (then halfway to the core band's
end, then at it): the nearest rule that breaks is the one that cuts."""

AFFINE_PROBE = 0.3819660112501051
"""Where along a piece [a, b] of a swept line its affinity is probed (a + (2 − φ)(b − a)):
a point no grid of a sweep or a cap's kink is likely to share."""

Band = tuple[float, float]


def line_pieces(highest: float, kinks: Sequence[float]) -> list[Band]:
    """[0, highest] cut at the ``kinks`` inside it: the intervals on which a swept plan is
    affine (the whole line when there are none)."""
    ends = [0.0, *sorted(k for k in kinks if 0.0 < k < highest), highest]
    return [(a, b) for a, b in pairwise(ends) if b > a] or [(0.0, highest)]


def sweep_line(case: CaseSettings, line: SweepLine) -> SweepLine:
    """``line`` with its party and counterparty as ids (each may be typed as its id or display
    name, :meth:`CaseSettings.party_id`); a :class:`CaseError` when either names no party,
    when they are the same party, or when the case has a single party."""
    party = case.party_id(line.party, "--party")
    if case.n < 2:
        raise CaseError("a sweep needs at least two parties")
    against = None if line.against is None else case.party_id(line.against, "--against")
    if against == party:
        raise CaseError(
            f"--against {line.against}: that is the swept party itself; name another party "
            "to give up or take the difference"
        )
    return SweepLine(party, line.stream, line.phase, line.project, against)


def sweep_values(
    values: Sequence[float], highest: float, column: str, case: CaseSettings, line: SweepLine
) -> list[float]:
    """The values a sweep takes, each a fraction in [0, 1] (else a :class:`CaseError`), less
    those above ``highest``: with a counterparty the swept party can take at most what the
    two hold together. None left is a :class:`CaseError` saying how far the line goes."""
    asked = [float(value) for value in values]
    for value in asked:
        if not 0.0 <= value <= 1.0:
            raise CaseError(f"sweep {column} {value:g} is outside [0, 1]")
    kept = [value for value in asked if value <= highest + 1e-12]
    if asked and not kept:
        who = case.party_lookup
        against = line.against or ""
        raise CaseError(
            f"with --against {who.label(against)}, {who.label(line.party)}'s {column} can go "
            f"from 0 to {highest:g} only (what the two hold together in the baseline); pass "
            f"--to {highest:g} or less"
        )
    return kept


def baseline_value(values: np.ndarray) -> float | None:
    """The baseline's value of the swept line: the common value of its cells, or ``None``
    when they differ."""
    flat = np.asarray(values, dtype=float).ravel()
    if not flat.size or np.ptp(flat) > 1e-12:
        return None
    return float(flat[0])


def _probe(edge: float, limit: float, broken: Callable[[float], Sequence[str]]) -> tuple[str, ...]:
    """The rules broken nearest beyond ``edge`` on the way to ``limit``."""
    gap = limit - edge
    for step in (*PROBE_STEPS, abs(gap) / 2, abs(gap)):
        found = broken(edge + np.sign(gap) * min(step, abs(gap)))
        if found:
            return tuple(found)
    return ()


def band_cuts(
    core: Band | None, within: Band | None, broken: Callable[[float], Sequence[str]]
) -> tuple[Band | None, tuple[BandCut, ...]]:
    """The band within the rules, checked, and the rules that cut the core band.

    ``core`` is the exact core band, ``within`` the family's exact band of ρ in the core and
    within the rules it models, ``broken(ρ)`` the family's rule check of the swept plan at ρ
    (every rule it breaks, in words). The band is kept inside the core band, and dropped
    when the plan breaks a rule in its middle (a rule the line cannot change: the baseline
    breaks it elsewhere). A cut is named at each end where the band stops short of the core
    band's (beyond :data:`BAND_TOLERANCE`), with the rules broken just beyond that end; with
    no band, the rules broken at the core band's ends and middle.
    """
    if core is None:
        return None, ()
    band = None
    if within is not None:
        low, high = max(within[0], core[0]), min(within[1], core[1])
        if low <= high + BAND_TOLERANCE and not broken((low + high) / 2):
            band = (low, max(low, high))
    if band is None:
        seen = [rule for rho in (core[0], sum(core) / 2, core[1]) for rule in broken(rho)]
        return None, (BandCut("whole", None, tuple(dict.fromkeys(seen))),)
    cuts = []
    if band[0] > core[0] + BAND_TOLERANCE:
        cuts.append(BandCut("low", band[0], _probe(band[0], core[0], broken)))
    if band[1] < core[1] - BAND_TOLERANCE:
        cuts.append(BandCut("high", band[1], _probe(band[1], core[1], broken)))
    return band, tuple(cuts)


__all__ = [
    "AFFINE_PROBE",
    "BAND_TOLERANCE",
    "PROBE_STEPS",
    "band_cuts",
    "baseline_value",
    "line_pieces",
    "sweep_line",
    "sweep_values",
]
