"""Fast reading of Pyomo models (:mod:`fairpool.optimizer.pyomo_reading`): the one-pass
reader of plain sums gives exactly Pyomo's LP-writer visitor's linear form (terms in the
same order, the same floats, constants of fixed variables summed in the same grouping), and
the column states read from ``VarData``'s slots are ``VarData.bounds``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairpool.optimizer.pyomo_reading import (
    LinearForm,
    VariableRecorder,
    column_states,
    domain_bounds,
    linear_reader,
    plain_linear_form,
    variable_domains,
    visited_linear_form,
)

VARIABLES = 6
PARAMETERS = 3

numbers = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)

Recipe = tuple[Any, ...]
"""How to build an expression: ("var", i), ("monomial", c, i), ("param monomial", j, c, i),
("constant", c), ("param", j), ("sum", [recipes]), ("negation", recipe), ("named", recipe)."""

leaves = st.one_of(
    st.tuples(st.just("var"), st.integers(0, VARIABLES - 1)),
    st.tuples(st.just("monomial"), numbers, st.integers(0, VARIABLES - 1)),
    st.tuples(
        st.just("param monomial"),
        st.integers(0, PARAMETERS - 1),
        numbers,
        st.integers(0, VARIABLES - 1),
    ),
    st.tuples(st.just("constant"), numbers),
    st.tuples(st.just("param"), st.integers(0, PARAMETERS - 1)),
)
recipes = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("sum"), st.lists(inner, min_size=2, max_size=4)),
        st.tuples(st.just("negation"), inner),
        st.tuples(st.just("named"), inner),
    ),
    max_leaves=10,
)


def twin_model(fixed: list[float | None], parameters: list[float]) -> pyo.ConcreteModel:
    """Variables x[i] (fixed at ``fixed[i]`` unless None) and mutable Params p[j]."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(VARIABLES))
    m.p = pyo.Param(range(PARAMETERS), mutable=True, initialize=dict(enumerate(parameters)))
    for i, value in enumerate(fixed):
        if value is not None:
            m.x[i].fix(value)
    return m


def build(m: pyo.ConcreteModel, recipe: Recipe) -> Any:
    """The Pyomo expression of ``recipe`` on ``m`` (Pyomo's own operators pick the node
    classes: LinearExpression, SumExpression, NegationExpression, NPV products...)."""
    kind = recipe[0]
    if kind == "var":
        return m.x[recipe[1]]
    if kind == "monomial":
        return recipe[1] * m.x[recipe[2]]
    if kind == "param monomial":
        return m.p[recipe[1]] * recipe[2] * m.x[recipe[3]]
    if kind == "constant":
        return recipe[1]
    if kind == "param":
        return m.p[recipe[1]]
    if kind == "sum":
        total: Any = 0
        for part in recipe[1]:
            total = total + build(m, part)
        return total
    if kind == "negation":
        return -build(m, recipe[1])
    named = pyo.Expression(expr=build(m, recipe[1]))
    m.add_component(f"named_{len(list(m.component_objects(pyo.Expression)))}", named)
    return named


def same_form(found: LinearForm, reference: LinearForm) -> None:
    """Equal forms: the same terms in the same order with the same floats, the same
    constant, variables met in the same order, the same parametric flag."""
    assert list(found.terms.items()) == list(reference.terms.items())
    assert found.constant == reference.constant
    assert list(found.variables) == list(reference.variables)
    assert found.parametric == reference.parametric


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    recipe=recipes,
    fixed=st.lists(st.one_of(st.none(), numbers), min_size=VARIABLES, max_size=VARIABLES),
    parameters=st.lists(numbers, min_size=PARAMETERS, max_size=PARAMETERS),
)
def test_plain_reading_is_the_visitors_reading(
    recipe: Recipe, fixed: list[float | None], parameters: list[float]
) -> None:
    m = twin_model(fixed, parameters)
    expression = build(m, recipe)
    if expression.__class__ in (int, float):
        return  # Pyomo folded it to a number: no expression to read
    found = plain_linear_form(linear_reader(VariableRecorder()), expression)
    if found is not None:  # None: not plain (an unfixed variable twice), the visitor reads it
        same_form(found, visited_linear_form(linear_reader(VariableRecorder()), expression))


def test_plan_row_shapes_are_plain_and_exact() -> None:
    """The rows plans are made of are read by the one-pass reader, with fixed variables
    and Params whose sums round differently in another grouping."""
    m = twin_model([None, None, None, 0.1, 0.7, None], [1.0 / 3.0, 0.2, 1e-17])
    x, p = m.x, m.p
    m.total = pyo.Expression(expr=2.0 * x[5] + 0.3 + x[3])
    shapes = [
        x[0] + x[1] + x[2] + m.total,  # a named sum inside a sum, a fixed variable in it
        x[0] - p[0] * 0.0129 * x[3] - (x[1] - x[2]),  # c − ω·F·y = a − b, y fixed
        x[0] + 0.1 * x[3] + 0.2 * x[4] - (0.3 + p[2] - x[2] + 0.7 * x[4]),  # constants
        -(x[1] + 1e16 * x[3] - 1e16 * x[4] + p[1]),  # a negated sum, cancelling constants
        sum(x[i] for i in range(3)) + p[0] * x[5] + 0.0 * x[4],  # a zero coefficient
        x[0] + 1e18 * x[3] + 1.0 - 1e18 * x[3],  # fixed terms summed apart from constants
    ]
    for expression in shapes:
        found = plain_linear_form(linear_reader(VariableRecorder()), expression)
        assert found is not None, expression
        same_form(found, visited_linear_form(linear_reader(VariableRecorder()), expression))
    twice = x[0] + 2.0 * x[0]  # an unfixed variable twice: left to the visitor
    assert plain_linear_form(linear_reader(VariableRecorder()), twice) is None


def test_column_states_are_pyomo_bounds() -> None:
    m = pyo.ConcreteModel()
    m.bound = pyo.Param(mutable=True, initialize=4.0)
    m.free = pyo.Var(range(2))
    m.binary = pyo.Var(domain=pyo.Binary, bounds=(-1.0, 0.5))
    m.positive = pyo.Var(domain=pyo.NonNegativeReals, bounds=(-2.0, math.inf))
    m.boxed = pyo.Var(bounds=(-3.0, 3.0))
    m.integer = pyo.Var(domain=pyo.Integers, bounds=(None, 7))
    m.fixed = pyo.Var(bounds=(0.0, 1.0))
    m.fixed.fix(2.5)
    variables = list(m.component_data_objects(pyo.Var))
    floor, ceiling = domain_bounds(variable_domains(variables))
    lower, upper, fixed = column_states(variables, floor, ceiling)
    expected = [(2.5, 2.5) if v.fixed else v.bounds for v in variables]
    infinite = [(-math.inf if a is None else a, math.inf if b is None else b) for a, b in expected]
    assert list(zip(lower.tolist(), upper.tolist(), strict=True)) == infinite
    assert fixed.tolist() == [v.fixed for v in variables]
    m.boxed.setub(m.bound)  # a Param bound: read through VarData.bounds
    lower, upper, _ = column_states(variables, floor, ceiling)
    boxed = next(j for j, var in enumerate(variables) if var is m.boxed)
    assert upper[boxed] == pytest.approx(4.0)
    assert np.isinf(upper[0]) and np.isinf(lower[0])
