"""The result of a sweep by constraint generation (:mod:`fairpool.models.large_sweep`).

A sweep above the enumeration limit has no table of 2^n coalition values, so it holds less
than a :class:`~fairpool.models.results.SweepResult`: no :class:`~fairpool.optimizer.game.Game`,
and no band within the rules where the family's rules need the game. What it does hold is
exact: for every swept value the worst coalition named by one separation MILP with its value
solved again (the certificate), and the core band from constraint generation on the line.

Amounts are in the game's orientation (NPV for benefit games, cost for cost games) and the
case unit; coalitions are labelled by party ids joined with ``+``. Frozen, typed, and rendered
by :mod:`fairpool.reports.large_sweep` without probing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fairpool.models.large_results import GenerationWork, LargeCaseResult
from fairpool.models.results import BandCut, SweepBaseline, SweepLine

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class LargeSweep(LargeCaseResult):
    """``fairpool sweep`` of a case by constraint generation.

    Attributes:
        case_name, model, unit, orientation, method: what was swept and how.
        players, names: party ids and display names, in the game's order.
        line: what slid (ids); line_fields: the :class:`SweepLine` fields that apply to the
            family; value_column: ``ratio`` (joint park) or ``share``.
        table: one row per value, the enumerated sweep's columns: the value,
            ``npv_<party>`` (cost games ``cost_<party>``), ``in_core``, ``worst_coalition``,
            ``worst_excess`` (certified: the coalition's value solved again), then the
            family's rules flag (:attr:`rules_flag`) where it needs no game.
        core_band: (lo, hi), the values where no coalition blocks, by constraint generation on
            the line (exact to the tolerance, not read off the grid); ``None`` when no value
            is in the core, or when the band was not computed (:attr:`band_refusal` says why).
        band_refusal: why the band was not computed (``None``: it was).
        band_within_rules: the part of the core band within the rules the family can tell
            without the game (infrastructure: the budgets; cost sharing has no rules: the
            core band); ``None`` where it is not computed by generation (:attr:`notes` says
            so) or empty.
        cuts: why the two bands differ (:class:`~fairpool.models.results.BandCut`).
        baseline: ``proposal`` or ``given`` (a plan baseline needs the full table);
            target: the case's plan target; baseline_value: the swept line's value in the
            baseline (``None`` when its cells differ); value_range: [0, highest].
        rules_flag: the table's rules column, or ``None``.
        grand_value: v(N) (c(N)); tolerance: the excess beyond which a coalition blocks
            (CORE_RELATIVE_TOLERANCE × the game's scale).
        notes: what is left out and why.
        work: what the answer cost (``rounds``: the band's ratio tests, ``rows``: the
            coalitions generated for the band).
    """

    line: SweepLine
    line_fields: tuple[str, ...]
    value_column: str
    table: pd.DataFrame
    core_band: tuple[float, float] | None
    band_refusal: str | None
    band_within_rules: tuple[float, float] | None
    cuts: tuple[BandCut, ...]
    baseline: SweepBaseline
    target: str
    baseline_value: float | None
    value_range: tuple[float, float]
    rules_flag: str | None
    grand_value: float
    tolerance: float
    notes: tuple[str, ...]
    work: GenerationWork


__all__ = ["LargeSweep"]
