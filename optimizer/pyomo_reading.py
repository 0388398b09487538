"""Reading Pyomo models fast, for the compiled plan solver (issue 14): the linear form of a
row or objective, the bounds and fixing of columns, and loading values back.

:func:`linear_form` reads a plain sum (sums, negations, named expressions, monomials c·x,
constants; no unfixed variable twice) in one pass (:func:`plain_linear_form`, about twice
as fast), and anything else with Pyomo's LP-writer visitor
(:class:`pyomo.repn.linear.LinearRepnVisitor`, watched through its dispatcher hooks
``_before_param``, ``_before_npv``, ``record_monomial``, ``evaluate``). Both give the same
numbers, bit for bit: coefficients are ±c with c evaluated as Pyomo evaluates it, and
constants are summed node by node in the visitor's order and grouping.

:func:`column_states` and :func:`load_values` use ``VarData``'s slots (``_lb``, ``_ub``,
``_domain``, ``_fixed``, ``_value``, ``_stale``: Pyomo 6.10's, as its own ``VarData.copy``
reads them) at C speed: through ``VarData.bounds`` and ``set_value`` they cost more than
HiGHS's runs on large plans. ``tests/optimizer/test_plan_solver.py`` checks every change a
plan solve makes against Pyomo's own interface, so a Pyomo release that moves any of these
fails there, not in a plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any

import numpy as np

_SLOT_LOWER = attrgetter("_lb")
_SLOT_UPPER = attrgetter("_ub")
_SLOT_DOMAIN = attrgetter("_domain")
_SLOT_FIXED = attrgetter("_fixed")
_SLOT_VALUE = attrgetter("_value")
_PLAIN_BOUNDS = frozenset({float, int, type(None)})
"""Types of a variable's own bound that :func:`column_states` reads without Pyomo."""


class Unsupported(Exception):
    """A model feature the compiled path does not handle (the Pyomo path takes over)."""


@dataclass
class LinearForm:
    """One row or objective as read: Σ coefficient · variable (``terms``, keyed by
    ``id(variable)``) + constant; ``variables``: every variable met, fixed ones included
    (substituted into the constant), in order; ``parametric`` when mutable Params entered."""

    terms: dict[int, float]
    constant: float
    variables: dict[int, Any]
    parametric: bool


class VariableRecorder:
    """Pyomo's variable recorder for the visitor: ``var_map`` holds the variables read as
    terms, the unfixed ones (one fixed since is taken out when next met, and substituted)."""

    def __init__(self) -> None:
        self.var_map: dict[int, Any] = {}

    def add(self, var: Any) -> None:
        self.var_map[id(var)] = var


def linear_reader(recorder: VariableRecorder) -> Any:
    """Pyomo's LP-writer visitor (:class:`pyomo.repn.linear.LinearRepnVisitor`), watching
    what it reads: ``saw_parameter`` is set when a mutable Param enters the expression (a
    Param leaf, or a Param sub-expression the visitor evaluates), and ``variables`` collects
    every variable met (fixed ones too), in order."""
    from pyomo.repn.linear import LinearBeforeChildDispatcher, LinearRepnVisitor

    class WatchingDispatcher(LinearBeforeChildDispatcher):
        @staticmethod
        def _before_param(visitor: Any, child: Any) -> Any:
            visitor.saw_parameter = True
            return LinearBeforeChildDispatcher._before_param(visitor, child)

        @staticmethod
        def _before_npv(visitor: Any, child: Any) -> Any:
            visitor.saw_parameter = True
            return LinearBeforeChildDispatcher._before_npv(visitor, child)

        @staticmethod
        def record_monomial(visitor: Any, result: Any, coefficient: Any, var: Any) -> None:
            visitor.variables.setdefault(id(var), var)
            if var.fixed:  # fixed since it was read as a term: substitute it now
                visitor.var_map.pop(id(var), None)
            LinearBeforeChildDispatcher.record_monomial(visitor, result, coefficient, var)

    class WatchingVisitor(LinearRepnVisitor):
        before_child_dispatcher = WatchingDispatcher()

        def __init__(self) -> None:
            super().__init__({}, var_recorder=recorder)
            self.saw_parameter = False
            self.variables: dict[int, Any] = {}
            evaluate: Callable[[Any], Any] = getattr(self, "evaluate")  # noqa: B009 (untyped)

            def watched(expression: Any) -> Any:
                self.saw_parameter = True
                return evaluate(expression)

            self.evaluate = watched

    return WatchingVisitor()


def parameter_values(model: Any) -> list[Any]:
    """The values of every mutable Param of the model (compared between solves)."""
    from pyomo.environ import Param

    values: list[Any] = []
    for component in model.component_objects(Param, descend_into=True):
        if component.mutable:
            values.extend(parameter.value for parameter in component.values())
    return values


def linear_form(visitor: Any, expression: Any) -> LinearForm:
    """The linear form of ``expression`` (:class:`Unsupported` if it is not linear): by
    :func:`plain_linear_form` when it can, else by Pyomo's visitor."""
    form = plain_linear_form(visitor, expression)
    return form if form is not None else visited_linear_form(visitor, expression)


def visited_linear_form(visitor: Any, expression: Any) -> LinearForm:
    """The linear form of ``expression`` as Pyomo's visitor (:func:`linear_reader`) reads
    it (:class:`Unsupported` if it is not linear)."""
    visitor.subexpression_cache.clear()  # named expressions may hold Params: read afresh
    visitor.saw_parameter = False
    visitor.variables = {}
    repn = visitor.walk_expression(expression)
    if repn.nonlinear is not None:
        raise Unsupported("a nonlinear or quadratic expression")
    multiplier = repn.multiplier
    terms = {key: float(value * multiplier) for key, value in repn.linear.items() if value}
    constant = float(repn.constant * multiplier)
    return LinearForm(terms, constant, visitor.variables, visitor.saw_parameter)


class _NotPlain(Exception):
    """An expression :func:`plain_linear_form` leaves to Pyomo's visitor."""


@cache
def _plain_kinds() -> dict[str, Any]:
    """The Pyomo classes :func:`plain_linear_form` tells apart (imported once)."""
    from pyomo.core.base.param import ParamData
    from pyomo.core.base.var import ScalarVar, VarData
    from pyomo.core.expr import numeric_expr
    from pyomo.core.expr.numvalue import native_numeric_types

    return {
        "numbers": native_numeric_types,
        "variables": frozenset({VarData, ScalarVar}),
        "param": ParamData,
        "monomial": numeric_expr.MonomialTermExpression,
        "linear": numeric_expr.LinearExpression,
        "sum": numeric_expr.SumExpression,
        "negation": numeric_expr.NegationExpression,
        "product": numeric_expr.NPV_ProductExpression,
        "minus": numeric_expr.NPV_NegationExpression,
    }


class _PlainReader:
    """One reading of :func:`plain_linear_form`: the terms, variables met and whether a
    Param entered, as the visitor (:func:`linear_reader`) records them."""

    __slots__ = ("kinds", "parametric", "terms", "variables", "visitor")

    def __init__(self, visitor: Any) -> None:
        self.visitor = visitor
        self.kinds = _plain_kinds()
        self.terms: dict[int, Any] = {}
        self.variables: dict[int, Any] = {}
        self.parametric = False

    def number(self, node: Any) -> Any:
        """A coefficient or constant; a Param expression evaluated as Pyomo does."""
        if node.__class__ in self.kinds["numbers"]:
            return node
        if node.is_constant():  # a NumericConstant (a number Pyomo wrapped)
            return node.value
        self.parametric = True
        found = self.evaluate(node)
        if found.__class__ not in self.kinds["numbers"] or not math.isfinite(found):
            raise _NotPlain
        return found

    def evaluate(self, node: Any) -> Any:
        """The value of a Param expression: a Param, ω·F and −(…) computed here as Pyomo's
        evaluator computes them (``a * b``, ``-a``), anything else by that evaluator."""
        kinds = self.kinds
        kind = node.__class__
        if kind in kinds["numbers"]:
            return node
        if kind is kinds["param"]:
            return node.value
        if kind is kinds["product"]:
            left, right = node.args
            return self.evaluate(left) * self.evaluate(right)
        if kind is kinds["minus"]:
            return -self.evaluate(node.args[0])
        return self.visitor.evaluate(node)

    def term(self, coefficient: Any, var: Any) -> Any:
        """Record coefficient · var; return its part of the constant (fixed: its value)."""
        if var.__class__ not in self.kinds["variables"] and not var.is_variable_type():
            raise _NotPlain
        key = id(var)
        if var.fixed:
            self.variables.setdefault(key, var)
            return coefficient * self.number(var.value)
        if key in self.variables:
            raise _NotPlain
        self.variables[key] = var
        if key not in self.visitor.var_map:
            self.visitor.var_recorder.add(var)
        if coefficient:
            self.terms[key] = coefficient
        return 0

    def read(self, node: Any, sign: int) -> Any:
        """Record the terms of sign · node; return its constant, summed as the visitor
        sums it (a ``LinearExpression`` adds its plain constants after its fixed terms)."""
        kinds = self.kinds
        numbers = kinds["numbers"]
        kind = node.__class__
        if kind in numbers:
            return sign * node
        if kind is kinds["monomial"]:
            coefficient, var = node.args
            return self.term(sign * self.number(coefficient), var)
        if kind is kinds["linear"]:
            monomial, fixed, constant = kinds["monomial"], 0, 0
            for argument in node.args:
                kind = argument.__class__
                if kind is monomial:
                    coefficient, var = argument.args
                    fixed += self.term(sign * self.number(coefficient), var)
                elif kind in numbers:
                    constant += sign * argument
                elif kind in kinds["variables"] or argument.is_variable_type():
                    fixed += self.term(sign, argument)
                else:
                    constant += sign * self.number(argument)
            return fixed + constant
        if kind is kinds["sum"]:
            total = 0
            for argument in node.args:
                total += self.read(argument, sign)
            return total
        if kind is kinds["negation"]:
            return self.read(node.args[0], -sign)
        if kind in kinds["variables"] or node.is_variable_type():
            return self.term(sign, node)
        if node.is_named_expression_type():
            return self.read(node.expr, sign)
        if not node.is_potentially_variable():
            return sign * self.number(node)
        raise _NotPlain


def plain_linear_form(visitor: Any, expression: Any) -> LinearForm | None:
    """The linear form of a plain sum, read in one pass without Pyomo's visitor, or
    ``None`` when ``expression`` is not plain.

    Plain: sums (``SumExpression``, ``LinearExpression``), negations and named expressions
    of variables, monomials c·x and constants, where no unfixed variable appears twice; a
    Param expression (coefficient or constant) is evaluated, and the form is parametric.
    Exactly the visitor's numbers: each coefficient is ±c with c as the visitor evaluates
    it, and constants (fixed variables substituted) are summed node by node in the
    visitor's order and grouping (:class:`_PlainReader`).
    """
    reader = _PlainReader(visitor)
    try:
        constant = reader.read(expression, 1)
    except (_NotPlain, ValueError, TypeError, ArithmeticError, AttributeError):
        return None  # the visitor reads it, or says what is wrong
    terms = {key: float(value) for key, value in reader.terms.items()}
    return LinearForm(terms, float(constant), reader.variables, reader.parametric)


def domain_bounds(domains: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of each variable's domain (±inf for None), one ``bounds()`` call per
    distinct domain (there are a handful: Reals, Binary...)."""
    distinct = dict(zip(map(id, domains), domains, strict=True))
    floors, ceilings = {}, {}
    for key, domain in distinct.items():
        low, high = domain.bounds()
        floors[key] = -math.inf if low is None else float(low)
        ceilings[key] = math.inf if high is None else float(high)
    count = len(domains)
    return (
        np.fromiter(map(floors.__getitem__, map(id, domains)), np.float64, count),
        np.fromiter(map(ceilings.__getitem__, map(id, domains)), np.float64, count),
    )


def column_states(
    variables: list[Any], floor: np.ndarray, ceiling: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column bounds of Pyomo variables ([value, value] when fixed, ±inf for None) and
    which are fixed: the tighter of each variable's own bounds and its domain's
    (``floor``, ``ceiling``: :func:`domain_bounds`), as ``VarData.bounds`` gives them.

    Read at C speed from ``VarData``'s slots (``_lb``, ``_ub``, ``_domain``, ``_fixed``,
    ``_value``: Pyomo 6.10's, as its own ``VarData.copy`` reads them); a bound held as a
    Param expression sends the whole read through ``VarData.bounds``
    (:func:`_states_one_by_one`).
    """
    raw_lower = list(map(_SLOT_LOWER, variables))
    raw_upper = list(map(_SLOT_UPPER, variables))
    if not (
        _PLAIN_BOUNDS.issuperset(map(type, raw_lower))
        and _PLAIN_BOUNDS.issuperset(map(type, raw_upper))
    ):
        return _states_one_by_one(variables)
    own_lower = np.array(raw_lower, dtype=np.float64)  # None → nan
    own_upper = np.array(raw_upper, dtype=np.float64)
    lower = np.where(np.isnan(own_lower), floor, np.maximum(own_lower, floor))
    upper = np.where(np.isnan(own_upper), ceiling, np.minimum(own_upper, ceiling))
    fixed = np.fromiter(map(_SLOT_FIXED, variables), bool, len(variables))
    if fixed.any():
        values = np.array(list(map(_SLOT_VALUE, variables)), dtype=np.float64)
        lower[fixed] = upper[fixed] = values[fixed]
    return lower, upper, fixed


def _states_one_by_one(
    variables: Iterable[Any],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`column_states` through ``VarData.bounds``, one variable at a time."""
    lower, upper, fixed = [], [], []
    for var in variables:
        if var.fixed:
            lower.append(var.value)
            upper.append(var.value)
            fixed.append(True)
        else:
            low, high = var.bounds
            lower.append(-math.inf if low is None else low)
            upper.append(math.inf if high is None else high)
            fixed.append(False)
    return (
        np.array(lower, dtype=np.float64),
        np.array(upper, dtype=np.float64),
        np.array(fixed, dtype=bool),
    )


def load_values(variables: list[Any], values: Iterable[float]) -> None:
    """Set the unfixed ``variables`` to ``values`` as Pyomo's solution loaders do
    (``set_value(skip_validation=True)``; the loaded variables fresh, every other one
    stale), writing the ``_value`` and ``_stale`` slots directly."""
    from pyomo.core.staleflag import StaleFlagManager

    StaleFlagManager.mark_all_as_stale()
    fresh = StaleFlagManager.get_flag(0)
    for var, value in zip(variables, values, strict=False):
        if not var._fixed:  # VarData's slots (module docstring)
            var._value = value
            var._stale = fresh
    StaleFlagManager.mark_all_as_stale(delayed=True)


def variable_domains(variables: list[Any]) -> list[Any]:
    """Each variable's domain (the ``_domain`` slot), in order."""
    return list(map(_SLOT_DOMAIN, variables))


__all__ = [
    "LinearForm",
    "Unsupported",
    "VariableRecorder",
    "column_states",
    "domain_bounds",
    "linear_form",
    "linear_reader",
    "load_values",
    "parameter_values",
    "plain_linear_form",
    "variable_domains",
    "visited_linear_form",
]
