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


SQUARE = """\
title: t
variables:
  W: {shape: [n, n]}
define:
  A: W*W
  B: A + W
  s: sum(W)
  C: s*W + W
derive:
  - {of: B, wrt: W, method: chain}
  - {of: C, wrt: W, method: chain}
"""

NORMALISED = """\
title: the normalised batch by the batch
variables:
  X: {shape: [N, D]}
  epsilon: {shape: [], props: [constant, positive]}
define:
  mu: mean(X, AXIS)
  X_c: X - mu
  v: mean(X_c .* X_c, AXIS)
  X_hat: X_c ./ sqrt(v + epsilon)
derive:
  - {of: X_hat, wrt: X}
"""


def _agreeing(program, target):
    both = [
        verify(program, derive(program, target, m)) for m in (Method.CHAIN, Method.DIFFERENTIAL)
    ]
    checked = agree(program, both)
    chain = checked[0]
    assert chain.check is not None and chain.check.numeric
    assert checked[-1].agreement is not None and checked[-1].agreement.ok
    assert all(s.verified is not False for s in chain.steps)
    assert all(s.check is not None for s in chain.steps)  # every line checked
    return chain


@pytest.mark.parametrize("layout", list(Layout))
def test_a_matrix_reached_along_several_paths_sums_vec_jacobians(layout):
    """B = W W + W: d vec(B)/d vec(W)' = I + (W' (x) I) + (I (x) W), one term per path
    (Magnus & Neudecker, ch. 9), the transpose in denominator layout."""
    program = build_program(load_spec_text(SQUARE, "m.yaml"))
    chain = _agreeing(program, dataclasses.replace(program.targets[0], layout=layout))
    paths = [s for s in chain.steps if any(n.key == "paths" for n in s.notes)]
    assert len(paths) == 1 and paths[0].notes[0].names == ("B", "A")
    assert paths[0].lhs is not None and paths[0].lhs.wrt == "W"
    want = {
        Layout.MIXED: "eye(n*n) + kron(W', eye(n)) + kron(eye(n), W)",
        Layout.NUMERATOR: "eye(n*n) + kron(W', eye(n)) + kron(eye(n), W)",
        Layout.DENOMINATOR: "eye(n*n) + kron(W, eye(n)) + kron(eye(n), W')",
    }
    assert to_text(chain.result) == want[layout]


@pytest.mark.parametrize("axis", [1, 2])
@pytest.mark.parametrize("layout", list(Layout))
def test_a_normalised_batch_derives_by_chain_through_vec(axis, layout):
    """X_hat = (X - mu) ./ sqrt(v + eps), batch (axis 1) or layer (axis 2) norm: X reaches
    X_hat through the centred value, the mean and the variance, matrices all the way."""
    program = build_program(load_spec_text(NORMALISED.replace("AXIS", str(axis)), "n.yaml"))
    chain = _agreeing(program, dataclasses.replace(program.targets[0], layout=layout))
    paths = [s.lhs.wrt for s in chain.steps if any(n.key == "paths" for n in s.notes)]
    assert paths == ["X_c", "X"]


@pytest.mark.parametrize("layout", list(Layout))
def test_a_matrix_with_a_scalar_on_its_paths_sums_vec_jacobians(layout):
    """C = s W + W with s = sum(W): d vec C/d vec W' = (s + 1) I + vec(W) 1' (once
    refused): the scalar's row 1' = vec(1 1')' and the column vec(dC/ds) = vec(W) meet
    in the term of the path through s (Magnus & Neudecker, ch. 9)."""
    program = build_program(load_spec_text(SQUARE, "m.yaml"))
    chain = _agreeing(program, dataclasses.replace(program.targets[1], layout=layout))
    paths = [s for s in chain.steps if any(n.key == "paths" for n in s.notes)]
    assert len(paths) == 1 and paths[0].notes[0].names == ("C", "s")
    want = {
        Layout.MIXED: "sum(W)*eye(n*n) + eye(n*n) + vec(W)*ones(n*n)'",
        Layout.NUMERATOR: "sum(W)*eye(n*n) + eye(n*n) + vec(W)*ones(n*n)'",
        Layout.DENOMINATOR: "sum(W)*eye(n*n) + eye(n*n) + ones(n*n)*vec(W)'",
    }
    assert to_text(chain.result) == want[layout]


def test_a_link_the_chain_cannot_read_is_refused_at_its_item():
    program = build_program(load_spec_text(SQUARE.replace("sum(W)", "sum(vec(W))"), "m.yaml"))
    with pytest.raises(GenError) as caught:
        derive(program, program.targets[1], Method.CHAIN)
    assert "un-vec" in caught.value.message
    assert caught.value.span is not None and caught.value.span.line == 11
