"""Which engine derives a target: every derivation knows the spec's target it answers."""

from __future__ import annotations

import dataclasses

import pytest

from gen.derive.methods import derive
from gen.errors import GenError
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method

SPEC = """\
title: t
dims: {m: rows, n: size}
variables:
  A: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  lam: {shape: []}
define:
  z: A*w
  J: 1/2 * z'*z
  K: lam * J
derive:
  - {of: J, wrt: w, method: [differential, chain, index]}
  - {of: J, wrt: w, layout: numerator}
  - {of: K, wrt: lam}
"""


def test_each_derivation_carries_its_target():
    program = build_program(load_spec_text(SPEC, "s.yaml"))
    seen = []
    for target in program.targets:
        for method in target.methods:
            d = derive(program, target, method)
            assert d.target is target
            assert (d.of, d.wrt, d.layout, d.method) == (
                target.of.value,
                target.wrt.value,
                target.layout,
                method,
            )
            seen.append(d.target.span.line)
    # The same pair asked twice (two layouts): each derivation points at its own item.
    assert seen == [12, 12, 12, 13, 14]


NEWTON = """\
title: Newton step
variables:
  X: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  y: {shape: [m], props: [constant]}
define:
  z: X*w - y
  J: 1/2 * z'*z
derive:
  - {of: J, wrt: w, order: 2, method: differential}
  - {of: J, wrt: w, order: 2, method: chain}
  - {of: J, wrt: w, order: 2, method: index}
  - {of: J, wrt: w, method: differential}
"""


def _newton():
    return build_program(load_spec_text(NEWTON, "newton.yaml"))


def test_a_hessian_by_differentials_is_checked_as_a_hessian():
    # Hessian of 1/2 |Xw - y|^2 is X'X (Matrix Cookbook eq. 101, with A = I).
    from gen.expr.to_text import to_text
    from gen.verify.numeric import verify

    program = _newton()
    d = verify(program, derive(program, program.targets[0], Method.DIFFERENTIAL))
    assert d.order == 2 and d.shape == ("n", "n") and to_text(d.result) == "X'*X"
    assert d.check is not None and d.check.numeric


@pytest.mark.parametrize("index, method", [(1, Method.CHAIN), (2, Method.INDEX)])
def test_a_method_of_first_derivatives_refuses_order_2_at_its_item(index, method):
    """Issue 12: the chain method returned the gradient for order: 2, marked verified."""
    program = _newton()
    with pytest.raises(GenError) as caught:
        derive(program, program.targets[index], method)
    assert caught.value.span is not None and caught.value.span.line == 10 + index
    assert f"the {method.value} method gives first derivatives only" in caught.value.message


def test_a_gradient_given_for_a_hessian_fails_the_check():
    """The check compares with the derivative of the order the spec asked for."""
    from gen.verify.numeric import verify

    program = _newton()
    gradient = derive(program, program.targets[3], Method.DIFFERENTIAL)
    lie = dataclasses.replace(gradient, target=program.targets[0])  # asked: order 2
    checked = verify(program, lie)
    assert checked.check is not None and not checked.check.numeric
    honest = verify(program, gradient)
    assert honest.check is not None and honest.check.numeric
