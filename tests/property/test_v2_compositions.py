"""Random compositions of the v2 constructs: the gradient agrees with finite differences in
every layout.

Hypothesis builds a scalar expression over a scalar a, vectors x (n) and u (m) and a
matrix B (m x n) with broadcast ``+`` (a column or a row against a matrix), ``sum(A, k)``,
``mean``, ``softmax(A, k)``, ``logsumexp(A, k)``, relu and abs written with ``where``,
``diag`` of a square, Hadamard products and tanh. For a variable it mentions, the engine
derives the gradient in numerator, denominator and mixed layout by differentials and by
the chain rule; each must pass the tool's numeric check, the numerator result must be
the transpose of the denominator one and the mixed one equal to it (SPEC section 3).
Examples where finite differences mean little are discarded (``is_moderate`` of
tests/property/test_gradients.py). GRADSHEET_LONG=1 runs many more examples.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from gen.derive.methods import derive
from gen.expr.numpy_form import run_numpy
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.numeric import program_forms, verify
from tests.property.test_gradients import (
    JACOBIAN_SETTINGS,
    LAYOUTS,
    Draw,
    _mentions,
    _point,
    is_moderate,
)

Rule = Callable[[Draw, int], str]

VARIABLES = {
    "a": "{shape: []}",
    "x": "{shape: [n]}",
    "u": "{shape: [m]}",
    "B": "{shape: [m, n]}",
}
LEAVES = {"s": ["a", "2", "1/2"], "n": ["x"], "r": ["x'"], "m": ["u"], "mn": ["B"]}


def _expr(draw: Draw, shape: str, depth: int) -> str:
    """A random expression of the named shape."""
    if depth <= 0 or draw(st.integers(0, 6)) == 0:
        return str(draw(st.sampled_from(LEAVES[shape])))
    rule = draw(st.sampled_from(RULES[shape]))
    return rule(draw, depth - 1)


def _rule(template: str, *shapes: str) -> Rule:
    """``template.format(e1, e2, ...)`` with parenthesised sub-expressions of ``shapes``."""

    def build(draw: Draw, depth: int) -> str:
        return template.format(*(f"({_expr(draw, s, depth)})" for s in shapes))

    return build


def _same_twice(template: str, shape: str) -> Rule:
    """A rule that uses one sub-expression twice: relu and abs written with where."""

    def build(draw: Draw, depth: int) -> str:
        return template.format(e=f"({_expr(draw, shape, depth)})")

    return build


RULES: dict[str, list[Rule]] = {
    "s": [
        _rule("sum({})", "mn"),
        _rule("mean({})", "mn"),
        _rule("{}*{}", "r", "n"),
        _rule("logsumexp({})", "n"),
        _rule("sum({})", "m"),
        _rule("{} + {}", "s", "s"),
        _rule("{}*{}", "s", "s"),
        _rule("tanh({})", "s"),
    ],
    "n": [
        _rule("{}'", "r"),
        _rule("{} + {}", "n", "n"),
        _rule("{} .* {}", "n", "n"),
        _rule("diag({}*{})", "n", "r"),
        _rule("{}*{}", "s", "n"),
        _same_twice("where({e} > 0, {e}, 0)", "n"),
        _same_twice("where({e} >= 0, {e}, -{e})", "n"),
    ],
    "r": [
        _rule("{}'", "n"),
        _rule("sum({}, 1)", "mn"),
        _rule("mean({}, 1)", "mn"),
        _rule("logsumexp({}, 1)", "mn"),
        _rule("{} + {}", "r", "r"),
    ],
    "m": [
        _rule("sum({}, 2)", "mn"),
        _rule("mean({}, 2)", "mn"),
        _rule("logsumexp({}, 2)", "mn"),
        _rule("{}*{}", "mn", "n"),
        _rule("{} + {}", "m", "m"),
        _same_twice("where({e} > 0, {e}, 0)", "m"),
    ],
    "mn": [
        _rule("{} + {}", "mn", "mn"),
        _rule("{} + {}", "mn", "m"),  # a column broadcast over the columns
        _rule("{} + {}", "mn", "r"),  # a row broadcast over the rows
        _rule("{} .* {}", "mn", "mn"),
        _rule("{}*{}", "s", "mn"),
        _rule("softmax({}, 1)", "mn"),
        _rule("softmax({}, 2)", "mn"),
        _rule("tanh({})", "mn"),
        _rule("{}*{}", "m", "r"),
        _same_twice("where({e} > 0, {e}, 0)", "mn"),
        _same_twice("where({e} >= 0, {e}, -{e})", "mn"),
    ],
}


@st.composite
def targets(draw: Draw) -> tuple[str, str]:
    """A random scalar expression and a variable it mentions."""
    text = _expr(draw, "s", draw(st.integers(2, 4)))
    names = [v for v in VARIABLES if _mentions(text, v)]
    assume(names)
    return text, draw(st.sampled_from(names))


def spec_text(expr: str, wrt: str) -> str:
    lines = ["title: property", "variables:"]
    lines += [f"  {name}: {flow}" for name, flow in VARIABLES.items()]
    lines += ["define:", f'  f: "{expr}"', "derive:"]
    for layout in LAYOUTS:
        lines += ["  - of: f", f"    wrt: {wrt}", f"    layout: {layout}"]
        lines += ["    method: [differential, chain]"]
    return "\n".join(lines) + "\n"


def check(program: Program, expr: str, wrt: str) -> None:
    """Every layout and method passes its numeric check; the layouts agree as SPEC 3 says."""
    values: dict[tuple[str, str], np.ndarray] = {}
    point = _point(program, 7)
    for target in program.targets:
        for method in (Method.DIFFERENTIAL, Method.CHAIN):
            d = verify(program, derive(program, target, method))
            assert d.check is not None and d.check.numeric, (
                f"d({expr})/d{wrt}, {target.layout.value} layout, {method.value}: "
                f"{d.check.message if d.check else 'not checked'}"
            )
            code = program_forms(program).of(d.result)
            value = run_numpy(code, {**point.sizes, **point.bindings()})
            values[(target.layout.value, method.value)] = np.atleast_2d(value)
    for method in ("differential", "chain"):
        den = values[("denominator", method)]
        assert den.shape == np.atleast_2d(point.values[wrt]).shape
        assert np.allclose(values[("numerator", method)], den.T, rtol=1e-9, atol=1e-12)
        assert np.allclose(values[("mixed", method)], den, rtol=1e-9, atol=1e-12)


@JACOBIAN_SETTINGS
@given(targets())
def test_random_v2_compositions_agree_with_finite_differences(case: tuple[str, str]) -> None:
    expr, wrt = case
    program = build_program(load_spec_text(spec_text(expr, wrt), "property.yaml"))
    assume(is_moderate(program, wrt))
    check(program, expr, wrt)
