"""Solution concepts: each a small function from a :class:`Game` to an :class:`Allocation`.

:data:`METHODS` maps the method keys of SPEC §4 to those functions, in the order reports
show them. ``proportional`` needs a party attribute; it is written ``proportional:<attribute>``
(``proportional`` alone uses the first attribute of the game).

The nucleolus, the prenucleolus and the least core solve LPs: their module (and with it the
HiGHS runner) is imported when one of them is first asked for, so that ``fairpool game
--method shapley`` starts without them.
"""

from __future__ import annotations

from collections.abc import Callable

from fairpool.optimizer.errors import CaseError
from fairpool.optimizer.game import Game
from fairpool.optimizer.results import Allocation
from fairpool.optimizer.solutions import banzhaf as _banzhaf
from fairpool.optimizer.solutions import bargaining as _bargaining
from fairpool.optimizer.solutions import rules as _rules
from fairpool.optimizer.solutions import shapley as _shapley

Method = Callable[[Game], Allocation]


def _nucleolus(game: Game) -> Allocation:
    """The nucleolus (:mod:`.nucleolus`, imported on the first call)."""
    from fairpool.optimizer.solutions.nucleolus import nucleolus

    return nucleolus(game)


def _prenucleolus(game: Game) -> Allocation:
    """The prenucleolus (:mod:`.nucleolus`, imported on the first call)."""
    from fairpool.optimizer.solutions.nucleolus import prenucleolus

    return prenucleolus(game)


def _least_core(game: Game) -> Allocation:
    """The least core (:mod:`.nucleolus`, imported on the first call)."""
    from fairpool.optimizer.solutions.nucleolus import least_core

    return least_core(game)


METHODS: dict[str, Method] = {
    "shapley": _shapley.shapley,
    "nucleolus": _nucleolus,
    "prenucleolus": _prenucleolus,
    "least_core": _least_core,
    "banzhaf": _banzhaf.banzhaf,
    "gately": _rules.gately,
    "tau": _rules.tau_value,
    "scrb": _rules.scrb,
    "equal": _rules.equal_split,
    "proportional": lambda game: _rules.proportional(game, _first_attribute(game)),
    "equal_bcr": _rules.equal_bcr,
    "nash": _bargaining.nash_bargaining,
    "kalai_smorodinsky": _bargaining.kalai_smorodinsky,
}


def _first_attribute(game: Game) -> str:
    if not game.attributes:
        raise CaseError("proportional needs a numeric party attribute (e.g. population)")
    return next(iter(game.attributes))


def method_names() -> list[str]:
    """The method keys, in report order."""
    return list(METHODS)


def solve_method(game: Game, method: str) -> Allocation:
    """Run one method by key; ``proportional:<attribute>`` picks the attribute."""
    key, _, attribute = method.partition(":")
    if key == "proportional" and attribute:
        return _rules.proportional(game, attribute)
    if key not in METHODS or attribute:
        raise CaseError(f"unknown method {method!r}; methods are {', '.join(METHODS)}")
    return METHODS[key](game)


__all__ = ["METHODS", "method_names", "solve_method"]
