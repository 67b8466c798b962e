"""The chain method with a scalar on the way of a vector or matrix target (issue 12).

The multivariable chain rule in vec form (Magnus & Neudecker, Matrix Differential
Calculus, 3rd ed. 2019, ch. 5 and 9): every factor is a Jacobian d vec(a)/d vec(b)'.
A scalar s's Jacobian by vec(x)' is the row vec(∂s/∂x)' (the transposed gradient); a
vector's or matrix's by s is the column vec(∂y/∂s). So with s = x'x and y = s x,
dy/dx' = x (2x') + s I = 2xx' + (x'x) I (Matrix Cookbook eqs. 69 and 81); with
t = tr(X) and Y = t X, d vec Y/d vec X' = vec(X) vec(I)' + tr(X) I (Magnus & Neudecker,
ch. 9; d tr(X) = vec(I)' d vec X). Every line is a total derivative with its shape,
checked numerically, and the result agrees with the differential method's.
"""

from __future__ import annotations

import dataclasses

import pytest

from gen.derive.methods import derive
from gen.derive.steps import Partial
from gen.expr.to_text import to_text
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.numeric import agree, verify

SCALAR_ON_THE_WAY = """\
title: scalar on the way
dims:
  n: size
variables:
  x: {shape: [n]}
  A: {shape: [n, n]}
  X: {shape: [n, n]}
define:
  s: x'*x
  y: s*x
  z: tanh(A*x)*s
  t: tr(X)
  Y: t*X
derive:
  - {of: y, wrt: x, method: [chain, differential]}
  - {of: z, wrt: x, method: [chain, differential]}
  - {of: Y, wrt: X, method: [chain, differential]}
"""

TWO_PATHS_TO_THE_SCALAR = """\
title: the scalar itself reached along two paths
variables:
  x: {shape: [n]}
  A: {shape: [n, n], props: [constant]}
define:
  u: A*x
  r: u'*u + x'*x
  v: r*u
  q: r^2
  w: q*x + r*u
derive:
  - {of: v, wrt: x}
  - {of: w, wrt: x}
"""

THROUGH_A_MATRIX = """\
title: a scalar reaching a matrix target through a matrix
variables:
  W: {shape: [n, n]}
  B: {shape: [n, n], props: [constant]}
  a: {shape: []}
  C: {shape: [n, n], props: [constant]}
define:
  t: tr(W)
  P: t*B
  Q: P*W
  R: a*C
  Z: R*B + a*B
derive:
  - {of: Q, wrt: W}
  - {of: Z, wrt: a}
"""


def _agreeing(spec: str, index: int, layout: Layout):
    """Chain and differentials for one target in ``layout``, both verified, agreeing;
    every line of the chain checked and right."""
    program = build_program(load_spec_text(spec, "s.yaml"))
    target = dataclasses.replace(program.targets[index], layout=layout)
    both = [
        verify(program, derive(program, target, m)) for m in (Method.CHAIN, Method.DIFFERENTIAL)
    ]
    chain, differential = agree(program, both)
    assert chain.check is not None and chain.check.numeric
    assert differential.agreement is not None and differential.agreement.ok
    assert all(s.check is not None for s in chain.steps)  # every line checked
    assert all(s.verified for s in chain.steps), [(s.lhs, s.verified) for s in chain.steps]
    return chain


def _lines(chain) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each named line's wrt -> (its note's key, the names the note speaks of)."""
    return {
        s.lhs.wrt: (s.notes[0].key, s.notes[0].names)
        for s in chain.steps
        if isinstance(s.lhs, Partial)
    }


@pytest.mark.parametrize("layout", list(Layout))
def test_a_vector_times_its_squared_norm(layout):
    """y = (x'x) x: dy/dx' = x (2x') + (x'x) I, symmetric, so the same in every layout."""
    chain = _agreeing(SCALAR_ON_THE_WAY, 0, layout)
    assert to_text(chain.result) == "x'*x*I + 2*x*x'"
    lines = _lines(chain)
    assert lines["s"] == ("local_jacobian", ())  # dy/ds = x, a column (its row in den.)
    assert lines["x"] == ("paths", ("y", "s"))  # the direct path and the path through s
    (through_s,) = [s for s in chain.steps if isinstance(s.lhs, Partial) and s.lhs.wrt == "x"]
    want = {
        Layout.NUMERATOR: "s*I + ∂y/∂s*(2*x')",
        Layout.MIXED: "s*I + ∂y/∂s*(2*x')",  # the gradient 2x transposed into its row
        Layout.DENOMINATOR: "s*I + 2*x*∂y/∂s",
    }
    assert to_text(through_s.rhs).replace(" ", "") == want[layout].replace(" ", "")


@pytest.mark.parametrize("layout", list(Layout))
def test_an_activation_scaled_by_a_squared_norm(layout):
    """z = tanh(Ax) s: dz/dx' = s diag(1 - tanh(Ax)^2) A + tanh(Ax) (2x')."""
    chain = _agreeing(SCALAR_ON_THE_WAY, 1, layout)
    want = {
        Layout.NUMERATOR: "x'*x*(diag(1 - tanh(A*x).^2)*A) + 2*tanh(A*x)*x'",
        Layout.MIXED: "x'*x*(diag(1 - tanh(A*x).^2)*A) + 2*tanh(A*x)*x'",
        Layout.DENOMINATOR: "x'*x*(A'*diag(1 - tanh(A*x).^2)) + 2*x*tanh(A*x)'",
    }
    assert to_text(chain.result) == want[layout]
    assert _lines(chain)["x"] == ("paths", ("z", "s"))


@pytest.mark.parametrize("layout", list(Layout))
def test_a_matrix_times_its_trace(layout):
    """Y = tr(X) X: d vec Y/d vec X' = vec(X) vec(I)' + tr(X) I; its transpose in
    denominator layout. dY/dt = X is a matrix line; through vec it is the column vec(X)."""
    chain = _agreeing(SCALAR_ON_THE_WAY, 2, layout)
    want = {
        Layout.NUMERATOR: "tr(X)*eye(n*n) + vec(X)*vec(eye(n))'",
        Layout.MIXED: "tr(X)*eye(n*n) + vec(X)*vec(eye(n))'",
        Layout.DENOMINATOR: "tr(X)*eye(n*n) + vec(eye(n))*vec(X)'",
    }
    assert to_text(chain.result) == want[layout]
    assert _lines(chain) == {"t": ("local_jacobian", ()), "X": ("paths", ("Y", "t"))}
    (line_t,) = [s for s in chain.steps if isinstance(s.lhs, Partial) and s.lhs.wrt == "t"]
    assert to_text(line_t.rhs) == ("X'" if layout is Layout.DENOMINATOR else "X")


@pytest.mark.parametrize("layout", list(Layout))
def test_a_scalar_reached_along_two_paths_itself(layout):
    """r = u'u + x'x with u = A x reaches x through u and directly; v = r u reaches x
    through r and u: dv/dx' = (r I + u (2u')) A + u (2x') (Magnus & Neudecker, ch. 5)."""
    chain = _agreeing(TWO_PATHS_TO_THE_SCALAR, 0, layout)
    lines = _lines(chain)
    assert lines["r"] == ("local_jacobian", ())
    assert lines["u"] == ("paths", ("v", "r"))
    assert lines["x"] == ("paths", ("r", "u"))


@pytest.mark.parametrize("layout", list(Layout))
def test_a_scalar_of_a_scalar_on_the_way(layout):
    """w = q x + r u with q = r^2: dw/dr = u + x (2r), a scalar's Jacobian by a scalar
    scaling the column dw/dq; then r, u and x each sum their paths."""
    chain = _agreeing(TWO_PATHS_TO_THE_SCALAR, 1, layout)
    lines = _lines(chain)
    assert lines["q"] == ("local_jacobian", ())
    assert lines["r"] == ("paths", ("w", "q"))
    assert lines["x"] == ("paths", ("w", "r", "u"))


@pytest.mark.parametrize("layout", list(Layout))
def test_a_matrix_by_a_scalar_through_a_matrix_is_a_column_in_the_terms(layout):
    """Q = (tr(W) B) W: t = tr(W) reaches Q through P = t B, so d vec Q/dt =
    (d vec Q/d vec P') vec(B) has no matrix form (no unvec): t gets no line and that
    column stands in the term of its path, d vec Q/d vec W' = (I (x) P) +
    (W' (x) I) vec(B) vec(I)' (Magnus & Neudecker, ch. 9)."""
    chain = _agreeing(THROUGH_A_MATRIX, 0, layout)
    assert "t" not in _lines(chain)
    assert _lines(chain)["W"] == ("paths", ("Q", "t"))
    if layout is not Layout.DENOMINATOR:
        assert to_text(chain.result) == "kron(eye(n), P) + kron(W', eye(n))*vec(B)*vec(eye(n))'"


@pytest.mark.parametrize("layout", list(Layout))
def test_a_matrix_by_a_scalar_variable_is_carried_forward(layout):
    """Z = (a C) B + a B: dZ/da = (dR/da) B + B = C B + B, each name's derivative by a in
    its own shape (transposed in denominator layout), from a up."""
    chain = _agreeing(THROUGH_A_MATRIX, 1, layout)
    want = "(C*B + B)'" if layout is Layout.DENOMINATOR else "C*B + B"
    assert to_text(chain.result) == want
    lines = {s.lhs.of: s.notes[0].key for s in chain.steps if isinstance(s.lhs, Partial)}
    assert lines == {"R": "local_jacobian", "Z": "paths"}
