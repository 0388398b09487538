"""What the results workbook shows, read off a solve or a check the same way.

A :class:`~fairpool.models.results.PlanResult` (``fairpool solve``) and a
:class:`~fairpool.models.results.ProposalCheck` (``fairpool check``) hold the same kinds of
figures under different names: the plan or the proposal, its amounts, its verdict, the
methods' allocations and their fairness. :func:`workbook_view` puts them side by side under
one set of names (:class:`WorkbookView`), so that each sheet is written once for both. It
selects and renames; it computes no figure (the one judgement it reads, whether the core is
empty, is ε* against the engine's own tolerance, as :class:`GameAnalysis` decides it).

Labels: methods by :func:`method_label` (the phrase table, ``proportional:gdp`` as
"Proportional (gdp)"), coalitions by their parties' display names (:meth:`coalition_names`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from fairpool.models.results import (
    PlanResult,
    ProposalCheck,
    ProposalSimplicity,
    Simplification,
)
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game, members, tolerance
from fairpool.reports.i18n import PHRASES, Language, join_names, money_decimals, phrase

if TYPE_CHECKING:
    from fairpool.optimizer.fairness import FairnessReport
    from fairpool.optimizer.properties import GameProperties
    from fairpool.optimizer.results import Allocation

What = Literal["plan", "proposal"]


def method_label(method: str, lang: Language) -> str:
    """A method's name for people: the phrase of its key (``shapley`` → "Shapley value"),
    ``proportional:gdp`` → "Proportional (gdp)", the plan or proposal by their phrases; an
    unknown key (a method added to the engine later) is shown as the key itself."""
    key, _, attribute = method.partition(":")
    for candidate in (key, f"method_{key}"):
        if candidate in PHRASES:
            label = phrase(candidate, lang)
            return f"{label} ({attribute})" if attribute else label
    return method


@dataclass(frozen=True)
class WorkbookView:
    """The figures of a solve or a check under one set of names.

    Attributes:
        lang: the language of every label.
        what: ``plan`` (a solve) or ``proposal`` (a check).
        case_name, model, unit, players, names, game: the case.
        amounts: the plan's (or proposal's) amount per party, in player order.
        allocations: {method: allocation} of every method, the plan or proposal excluded.
        fairness: {method: report} of every method, and of ``what``.
        skipped: {method: why it does not apply}.
        in_core, worst_coalition (ids, ``"A+B"``), worst_excess, individually_rational:
            the verdict on the plan or proposal, as the family decided it.
        least_core_epsilon: ε* of the game (> tolerance: the core is empty).
        properties: superadditive, convex, monotone, essential.
        plan_kind, plan_table: the plan or proposal as ratios or shares.
        cash_flows, tables, facts, warnings, timings: as the result holds them (a check has
            no further tables nor timings).
        target: the plan's target method (a check: ``""``); distance: its distance to the
            target (a check: NaN); distances: a check's L1 distances to Shapley and nucleolus.
        rule_violations, fair: a check's (a plan keeps every rule: ``()``, its verdict).
        simplifications: a plan's steps after the fairness step with their prices (a check:
            ``()``); simplicity: how simple the plan or proposal is to sign (``None``: not
            counted).
    """

    lang: Language
    what: What
    case_name: str
    model: str
    unit: str
    players: tuple[str, ...]
    names: tuple[str, ...]
    game: Game
    amounts: np.ndarray
    allocations: Mapping[str, Allocation]
    fairness: Mapping[str, FairnessReport]
    skipped: Mapping[str, str]
    in_core: bool
    worst_coalition: str
    worst_excess: float
    individually_rational: Mapping[str, bool]
    least_core_epsilon: float
    properties: GameProperties
    plan_kind: str
    plan_table: pd.DataFrame
    cash_flows: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    facts: tuple[tuple[str, object], ...]
    warnings: tuple[str, ...]
    timings: Mapping[str, float]
    target: str
    core_mode: str
    distance_kind: str
    distance: float
    distances: Mapping[str, float]
    rule_violations: tuple[str, ...]
    fair: bool
    simplifications: tuple[Simplification, ...] = ()
    simplicity: ProposalSimplicity | None = None

    # -- words ------------------------------------------------------------------------------

    def say(self, key: str, **fields: object) -> str:
        """The phrase ``key`` in the workbook's language."""
        return phrase(key, self.lang, **fields)

    def method(self, method: str) -> str:
        """A method's label; the plan or proposal as "Plan" / "Proposal"."""
        return (
            self.say(method) if method in ("plan", "proposal") else method_label(method, self.lang)
        )

    @property
    def cost(self) -> bool:
        """A cost game: amounts are cost shares, lower is better."""
        return self.game.orientation == "cost"

    def name_of(self, party: str) -> str:
        """A party's display name (its id when it has none)."""
        return self.names[self.players.index(party)] if party in self.players else party

    def coalition_names(self, mask_or_label: int | str) -> str:
        """A coalition by its parties' names: ``四川省 + 浙江飞出市``; an unparsable label as is."""
        if isinstance(mask_or_label, str):
            try:
                mask = self.game.mask(mask_or_label)
            except CaseError:
                return mask_or_label
        else:
            mask = mask_or_label
        return join_names((self.names[i] for i in members(mask, self.game.n)), self.lang)

    def many_coalition_names(self, masks: Sequence[int]) -> list[str]:
        """:meth:`coalition_names` of many coalitions at once (the coalition sheet lists up to
        65,536): :func:`grouped_join` of the parties' names."""
        return grouped_join(masks, self.names, lambda parts: join_names(parts, self.lang))

    def many_coalition_labels(self, masks: Sequence[int]) -> list[str]:
        """The game's labels (``"A+B"``, :meth:`~fairpool.optimizer.game.Game.label`) of
        many coalitions at once: :func:`grouped_join` of the party ids."""
        return grouped_join(masks, self.players, "+".join)

    # -- figures -----------------------------------------------------------------------------

    @property
    def standalone(self) -> np.ndarray:
        """v({i}) (cost games: c({i})) per party."""
        return self.game.standalone_values

    @property
    def core_empty(self) -> bool:
        """ε* beyond the engine's tolerance: every split leaves some group better off alone."""
        return self.least_core_epsilon > tolerance(self.game.values)

    @property
    def report(self) -> FairnessReport:
        """The fairness report of the plan or proposal."""
        return self.fairness[self.what]

    def decimals(self, values: Sequence[float] | np.ndarray) -> int:
        """Money decimals for a table of ``values`` (:func:`money_decimals`, which looks only at
        the largest finite magnitude: found here by numpy, for tables of 65,536 figures)."""
        magnitudes = np.abs(np.ravel(np.asarray(values, dtype=float)))
        finite = magnitudes[np.isfinite(magnitudes)]
        return money_decimals([float(finite.max())] if finite.size else [])

    @property
    def money_decimals(self) -> int:
        """Money decimals of the case's headline figures: coalition values and allocations."""
        shares = [a.shares for a in self.allocations.values()]
        return self.decimals(np.concatenate([self.game.values, self.amounts, *shares]))

    def methods_with_plan(self) -> list[tuple[str, np.ndarray]]:
        """(method, shares) of the plan or proposal first, then every method."""
        return [
            (self.what, self.amounts),
            *((m, np.asarray(a.shares)) for m, a in self.allocations.items()),
        ]


PARTY_GROUP = 8
"""Parties per group in :func:`grouped_join` (a table of 2⁸ joined texts a group)."""


def grouped_join(
    masks: Sequence[int], items: Sequence[str], join: Callable[[Sequence[str]], str]
) -> list[str]:
    """``join`` of the items in each coalition mask (items in increasing index), for many
    masks: the parties are cut into groups of :data:`PARTY_GROUP`, every subset of a group is
    joined once, and a mask joins its groups' texts. Equal to ``join([items[i] for i in
    members(mask)])`` for a ``join`` that puts a separator between its parts (a join of
    joins is then the join of all), at a table look-up a group per mask.

    Example:
        >>> grouped_join([5, 3], ["A", "B", "C"], "+".join)
        ['A+C', 'A+B']
    """
    tables: list[list[str]] = []
    for start in range(0, len(items), PARTY_GROUP):
        group = items[start : start + PARTY_GROUP]
        tables.append(
            [
                join([item for i, item in enumerate(group) if subset >> i & 1])
                for subset in range(1 << len(group))
            ]
        )
    if len(tables) == 1:
        return [tables[0][mask] for mask in masks]
    low = (1 << PARTY_GROUP) - 1
    joined = []
    for mask in masks:
        parts = []
        for table in tables:
            if mask & low:
                parts.append(table[mask & low])
            mask >>= PARTY_GROUP
        joined.append(parts[0] if len(parts) == 1 else join(parts))
    return joined


def workbook_view(result: PlanResult | ProposalCheck, lang: Language) -> WorkbookView:
    """The figures of ``result`` under the workbook's names (:class:`WorkbookView`)."""
    players = list(result.players)
    if isinstance(result, PlanResult):
        return WorkbookView(
            lang=lang,
            case_name=result.case_name,
            model=result.model,
            unit=result.unit,
            players=tuple(result.players),
            names=tuple(result.names),
            game=result.game,
            what="plan",
            amounts=np.array([result.amounts[p] for p in players], dtype=float),
            allocations=dict(result.allocations),
            fairness=dict(result.fairness),
            skipped=dict(result.skipped),
            in_core=bool(result.in_core),
            worst_coalition=result.worst_coalition,
            worst_excess=float(result.worst_excess),
            individually_rational=dict(result.individually_rational),
            least_core_epsilon=float(result.least_core_epsilon),
            properties=result.properties,
            plan_kind=result.plan_kind,
            plan_table=result.plan_table,
            cash_flows=result.cash_flows,
            tables={k: v for k, v in result.tables.items() if not v.empty},
            facts=tuple(result.facts),
            warnings=tuple(result.warnings),
            timings=dict(result.timings),
            target=result.target,
            core_mode=result.core,
            distance_kind=result.distance_kind,
            distance=float(result.distance),
            distances={},
            rule_violations=(),
            fair=bool(result.in_core and all(result.individually_rational.values())),
            simplifications=tuple(result.simplifications),
            simplicity=result.simplicity,
        )
    analysis = result.analysis
    return WorkbookView(
        lang=lang,
        case_name=result.case_name,
        model=result.model,
        unit=result.unit,
        players=tuple(result.players),
        names=tuple(result.names),
        game=result.game,
        what="proposal",
        amounts=np.array([result.amounts[p] for p in players], dtype=float),
        allocations={m: a for m, a in analysis.allocations.items() if m != "proposal"},
        fairness=dict(analysis.fairness),
        skipped=dict(analysis.skipped),
        in_core=bool(result.in_core),
        worst_coalition=result.worst_coalition,
        worst_excess=float(result.worst_excess),
        individually_rational=dict(result.individually_rational),
        least_core_epsilon=float(analysis.least_core_epsilon),
        properties=analysis.properties,
        plan_kind=result.plan_kind,
        plan_table=result.proposal_table,
        cash_flows=result.cash_flows,
        tables={},
        facts=tuple(result.facts),
        warnings=(),
        timings={},
        target="",
        core_mode="",
        distance_kind="l1",
        distance=float("nan"),
        distances=dict(result.distances),
        rule_violations=tuple(result.rule_violations),
        fair=bool(result.fair),
        simplicity=result.simplicity,
    )


__all__ = ["What", "WorkbookView", "method_label", "workbook_view"]
