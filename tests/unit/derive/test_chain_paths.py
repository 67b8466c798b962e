"""The chain method over any composition graph: one term per path, summed (issue 12).

A name that reaches the target along several paths gets the multivariable chain rule;
each term is a use's adjoint, each upstream gradient a name reused below it. Results
are checked numerically and against the differential method.
"""

from __future__ import annotations

import dataclasses

import pytest

from gen.derive.methods import derive
from gen.errors import GenError
from gen.expr.to_text import to_text
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.numeric import agree, verify

RIDGE = """\
title: ridge
variables:
  X: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  y: {shape: [m], props: [constant]}
  lam: {shape: [], props: [constant]}
define:
  r: X*w - y
  J: 1/2 * r'*r + lam/2 * w'*w
derive:
  - {of: J, wrt: w, layout: mixed}
  - {of: J, wrt: w, layout: numerator}
  - {of: J, wrt: w, layout: denominator}
"""

RESIDUAL = """\
title: residual block
variables:
  x: {shape: [n]}
  W1: {shape: [n, n]}
  W2: {shape: [n, n]}
  t: {shape: [n], props: [constant]}
define:
  h: tanh(W1*x)
  o: x + W2*h
  L: 1/2 * (o - t)'*(o - t)
  v: o + h
derive:
  - {of: L, wrt: x}
  - {of: L, wrt: W1}
  - {of: v, wrt: x}
"""


def _both(spec: str, index: int):
    program = build_program(load_spec_text(spec, "s.yaml"))
    target = program.targets[index]
    chain = verify(program, derive(program, target, Method.CHAIN))
    differential = verify(program, derive(program, target, Method.DIFFERENTIAL))
    return program, chain, differential


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_regularised_loss_sums_its_two_paths_in_every_layout(index):
    # d/dw (1/2 |Xw - y|^2 + lam/2 |w|^2) = X'(Xw - y) + lam w (ESL eq. 3.44;
    # Matrix Cookbook eqs. 81 and 84); in numerator layout its transpose.
    program, chain, differential = _both(RIDGE, index)
    assert chain.check is not None and chain.check.numeric
    assert all(s.verified is not False for s in chain.steps)
    assert sum(1 for s in chain.steps if s.verified) >= 3
    paths = [s for s in chain.steps if any(n.key == "paths" for n in s.notes)]
    assert len(paths) == 1 and paths[0].notes[0].names == ("J", "r")
    want = {
        Layout.MIXED: "lam*w + X'*(X*w - y)",
        Layout.DENOMINATOR: "lam*w + X'*(X*w - y)",
        Layout.NUMERATOR: "lam*w' + (X*w - y)'*X",
    }
    assert to_text(chain.result) == want[chain.layout]
    together = agree(program, [chain, differential])
    assert all(d.agreement is not None and d.agreement.ok for d in together)


@pytest.mark.parametrize("index", [0, 1])
def test_a_residual_block_derives_by_chain_as_by_differentials(index):
    # o = x + W2 tanh(W1 x): the identity path and the path through h (He et al. 2016).
    program, chain, differential = _both(RESIDUAL, index)
    assert chain.check is not None and chain.check.numeric
    assert all(s.verified is not False for s in chain.steps)
    together = agree(program, [chain, differential])
    assert all(d.agreement is not None and d.agreement.ok for d in together)


def test_the_upstream_gradients_are_names_reused_below():
    _, chain, _ = _both(RESIDUAL, 0)
    lines = {s.lhs.wrt: to_text(s.rhs) for s in chain.steps if s.lhs is not None}
    assert lines["h"] == "W2'*∂L/∂o"  # dL/dh written with dL/do, as backpropagation does
    assert lines["x"].startswith("∂L/∂o + W1'*(∂L/∂h.*")  # one term per path, both named


@pytest.mark.parametrize("layout", list(Layout))
def test_a_vector_reached_along_several_paths_sums_jacobians(layout):
    """v = o + h with o = x + W2 h, h = tanh(W1 x): dv/dx = I + (I + W2) diag(1 - h^2) W1,
    one term per path (Magnus & Neudecker, ch. 5, the chain rule for Jacobians)."""
    program = build_program(load_spec_text(RESIDUAL, "s.yaml"))
    target = dataclasses.replace(program.targets[2], layout=layout)
    both = [
        verify(program, derive(program, target, m)) for m in (Method.CHAIN, Method.DIFFERENTIAL)
    ]
    checked = agree(program, both)
    chain = checked[0]
    assert chain.check is not None and chain.check.numeric
    assert checked[-1].agreement is not None and checked[-1].agreement.ok
    assert any(n.key == "paths" for s in chain.steps for n in s.notes)
    assert all(s.verified is not False for s in chain.steps)
    # every line is a total derivative of v, checked as one (no partial of o by x alone)
    assert all(s.lhs is None or s.lhs.of == "v" for s in chain.steps)
    assert all(s.check is not None for s in chain.steps)


def test_a_matrix_reached_along_several_paths_is_refused_at_its_item():
    spec = (
        "title: t\nvariables:\n  W: {shape: [n, n]}\ndefine:\n  A: W*W\n  B: A + W\n"
        "derive:\n  - {of: B, wrt: W, method: chain}\n"
    )
    program = build_program(load_spec_text(spec, "m.yaml"))
    with pytest.raises(GenError) as caught:
        derive(program, program.targets[0], Method.CHAIN)
    assert "several paths and is not a scalar" in caught.value.message
    assert caught.value.span is not None and caught.value.span.line == 8
