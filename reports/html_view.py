"""What the HTML report shows, for a plan and for a proposal alike: the report's view of a
result (:class:`ReportView`) and the figures the command computes for it (:class:`ExplorerLine`,
:class:`CoalitionMargin`). Rendered by :mod:`fairpool.reports.html`; nothing is computed here
beyond choosing what to show and formatting it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from fairpool.models.results import PlanResult, ProposalCheck, SweepResult
from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.reports.i18n import (
    PHRASES,
    Language,
    format_money,
    join_names,
    money_decimals,
    phrase,
)

Result = PlanResult | ProposalCheck
"""What a report is about: a solved plan or a judged proposal."""

REFERENCE_METHODS = ("shapley", "nucleolus")
"""The allocations the explorer marks and the party table shows beside the current one."""


@dataclass(frozen=True)
class ExplorerLine:
    """One line of the ratio explorer: an exact sweep and where its marks sit.

    Attributes:
        sweep: the sweep (family.sweep): each value, every party's amount, the verdict, the
            exact core band.
        marks: {``shapley`` | ``nucleolus`` | ``current``: the value at which the swept party's
            amount equals its amount under that allocation}; a key is absent when the line
            never reaches it.
        seconds: how long the sweep took (run details).
    """

    sweep: SweepResult
    marks: Mapping[str, float] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class CoalitionMargin:
    """A coalition and how close it is to walking away from the current allocation.

    Attributes:
        coalition: its label (``"A+B"``, party ids); names: its members' display names.
        together: x(S), what its members get (cost games: pay) together under the allocation.
        alone: v(S) (cost games: c(S)), what they would reach on their own.
        excess: v(S) − x(S) (cost games: x(S) − c(S)): > 0 means the coalition would leave.
    """

    coalition: str
    names: tuple[str, ...]
    together: float
    alone: float
    excess: float


@dataclass(frozen=True)
class ReportView:
    """A plan or a proposal seen the same way: the current allocation beside every method.

    Attributes:
        result: the plan or the proposal check; lang: the report's language.
        what: ``plan`` or ``proposal``; current: its amounts in the game's order.
        methods: {method: amounts in the game's order}, the current one excluded.
        fairness: {method or ``what``: (in core, worst coalition label, worst excess)}.
        decimals: of every amount shown (:func:`~fairpool.reports.i18n.money_decimals`).
    """

    result: Result
    lang: Language
    what: Literal["plan", "proposal"]
    current: np.ndarray
    methods: Mapping[str, np.ndarray]
    fairness: Mapping[str, tuple[bool, str, float]]
    decimals: int

    @classmethod
    def of(cls, result: Result, lang: Language) -> ReportView:
        game = result.game
        current = np.array([result.amounts[p] for p in result.players], dtype=float)
        if isinstance(result, PlanResult):
            what: Literal["plan", "proposal"] = "plan"
            allocations = result.allocations
            reports = result.fairness
        else:
            what = "proposal"
            allocations = result.analysis.allocations
            reports = result.analysis.fairness
        methods = {m: a.shares for m, a in allocations.items() if m != "proposal"}
        fairness = {
            m: (bool(r.in_core), game.label(int(r.worst_coalition)), float(r.worst_excess))
            for m, r in reports.items()
            if m in methods
        }
        fairness[what] = (result.in_core, result.worst_coalition, result.worst_excess)
        amounts = [game.grand_value, *current, *game.standalone_values]
        amounts += [x for shares in methods.values() for x in shares]
        return cls(result, lang, what, current, methods, fairness, money_decimals(amounts))

    @property
    def game(self) -> Game:
        return self.result.game

    @property
    def cost(self) -> bool:
        return self.game.orientation == "cost"

    @property
    def case_name(self) -> str:
        return self.result.case_name

    def say(self, key: str, **fields: object) -> str:
        """The phrase ``key`` in the report's language."""
        return phrase(key, self.lang, **fields)

    def money(self, value: float) -> str:
        return format_money(value, self.result.unit, self.decimals)

    def method(self, key: str) -> str:
        """A method's name (``proportional:gdp``: Proportional (gdp))."""
        base, _, attribute = key.partition(":")
        if base in ("plan", "proposal"):
            return self.say(base)
        name = self.say(base) if base in PHRASES else self.say(f"method_{base}")
        return f"{name} ({attribute})" if attribute else name

    def names(self, label: str) -> str:
        """A coalition label (``"A+B"``, ids) as its members' names, ``A + B``."""
        if not label:
            return ""
        try:
            mask = self.game.mask(label)
        except CaseError:  # an id the label format cannot split: show the label as it is
            return label
        return join_names(
            [name for i, name in enumerate(self.game.names) if mask >> i & 1], self.lang
        )

    def subtitle(self) -> str:
        model = self.say(f"html_model_{self.result.model}")
        unit = self.say("html_amounts_in", unit=self.result.unit) if self.result.unit else ""
        if isinstance(self.result, PlanResult):
            target = self.say("html_subtitle_plan", target=self.method(self.result.target))
        else:
            target = self.say("html_subtitle_proposal")
        return " · ".join(part for part in (model, target, unit) if part)

    def amount_word(self) -> str:
        return self.say("cost_share" if self.cost else "npv")
