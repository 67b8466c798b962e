"""The numeric check samples under ``assume`` (SPEC section 8), with a margin."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gen.derive.methods import derive
from gen.errors import GenErrors
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.draws import ASSUME_MARGIN, assumed_point, failing
from gen.verify.numeric import agree, verify

BARRIER = """\
title: Log barrier
variables:
  A: {shape: [m, n]}
  b: {shape: [m]}
  x: {shape: [n]}
  X: {shape: [m, n]}
define:
  s: b - A*x
  phi: -sum(log(s))
  f: logdet(X'*X)
assume:
  - s > 0
  - m >= n
derive:
  - {of: phi, wrt: x, method: [differential, chain]}
  - {of: f, wrt: X}
"""


def program(text: str = BARRIER) -> Program:
    return build_program(load_spec_text(text, "t.yaml"))


@pytest.mark.parametrize("seed", range(4))
def test_points_honour_the_assumptions_with_a_margin(seed: int) -> None:
    p = program()
    point = assumed_point(p, np.random.default_rng(seed))
    assert point is not None and failing(point) is None
    assert point.sizes["m"] >= point.sizes["n"]
    s = evaluate(p.symbols["s"].expr, point.env(), point.sizes)  # type: ignore[arg-type]
    assert np.all(s >= ASSUME_MARGIN)


@pytest.mark.parametrize("layout", list(Layout))
def test_log_barrier_gradient(layout: Layout) -> None:
    """Boyd & Vandenberghe, Convex Optimization, 11.2.1: the gradient of the log barrier
    -sum(log(b - A x)) is A'(1 ./ (b - A x)), on the domain b - A x > 0."""
    p = program()
    target = p.targets[0]
    derivations = [
        verify(p, derive(p, dataclasses.replace(target, layout=layout), m))
        for m in (Method.DIFFERENTIAL, Method.CHAIN)
    ]
    want = "A'*(1./(b - A*x))" if layout is not Layout.NUMERATOR else "(A'*(1./(b - A*x)))'"
    for d in derivations:
        assert d.check is not None and d.check.numeric
    assert to_text(derivations[0].result) in (want, "(1./(b - A*x))'*A")
    assert all(d.agreement and d.agreement.ok for d in agree(p, derivations))


def test_a_size_assumption_makes_xtx_invertible() -> None:
    p = program()
    d = verify(p, derive(p, p.targets[1], Method.DIFFERENTIAL))
    assert to_text(d.result) == "2*X*inv(X'*X)" and d.check is not None and d.check.numeric


def test_an_impossible_assumption_is_a_located_error() -> None:
    p = program(BARRIER.replace("  - s > 0\n", "  - s > 0\n  - sum(x .* x) < 0\n"))
    with pytest.raises(GenErrors) as info:
        verify(p, derive(p, p.targets[0], Method.DIFFERENTIAL))
    (err,) = info.value.errors
    assert err.message.startswith("cannot find a point where 'sum(x .* x) < 0' holds")
    assert err.span is not None and (err.span.line, err.span.column) == (13, 5)


def test_a_wrong_gradient_is_still_caught_under_assume() -> None:

    p = program()
    d = derive(p, p.targets[0], Method.DIFFERENTIAL)
    wrong = infer(parse("A'*(1./(b + A*x))"), {"A": ("m", "n"), "b": ("m", 1), "x": ("n", 1)})
    checked = verify(p, dataclasses.replace(d, result=wrong))
    assert checked.check is not None and not checked.check.numeric
