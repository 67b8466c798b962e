"""How gen.derive.graph finishes a result as the books print it (SPEC section 8).

A quotient definition q = a/b keeps its name where the result would write a, and b keeps
its name beside it (the Rayleigh quotient, Horn & Johnson 4.2: 2(S u - R u)/(u'u)); a
product with ones left after a long factor is named is the sum it is. Each result is
checked numerically by the numeric check.
"""

from __future__ import annotations

import pytest

from gen.derive.methods import derive
from gen.expr.to_text import to_text
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.numeric import verify

QUOTIENT = """
title: a generalised Rayleigh quotient
dims: {n: size}
variables:
  A: {shape: [n, n], props: [constant, symmetric]}
  B: {shape: [n, n], props: [constant, symmetric, positive-definite]}
  x: {shape: [n]}
define:
  f: x'*A*x
  g: x'*B*x
  q: f/g
derive:
  - {of: q, wrt: x, method: [chain, differential]}
"""

SCALE = """
title: a scale summed over a batch
dims: {N: samples, D: features}
variables:
  X: {shape: [N, D]}
  gamma: {shape: [D]}
  epsilon: {shape: [], props: [constant, positive]}
  G: {shape: [N, D], props: [constant]}
define:
  X_c: X - mean(X, 1)
  v: mean(X_c .* X_c, 1)
  X_hat: X_c ./ sqrt(v + epsilon)
  L: sum(G .* (gamma' .* X_hat))
derive:
  - {of: L, wrt: gamma, method: [chain, differential]}
  - {of: L, wrt: v, method: [chain, differential]}
"""


def _results(text: str, index: int) -> list[str]:
    program = build_program(load_spec_text(text, "t.yaml"))
    target = program.targets[index]
    out = []
    for method in (Method.CHAIN, Method.DIFFERENTIAL):
        d = verify(program, derive(program, target, method))
        assert d.check is not None and d.check.numeric, method
        out.append(to_text(d.result))
    return out


def test_a_quotient_keeps_its_name_and_its_denominator() -> None:
    """a = q b: 2(A x/g - (x'A x) B x/g^2) is 2(A - q B) x/g."""
    assert _results(QUOTIENT, 0) == ["2*(A - q*B)*x/g"] * 2


def test_a_product_with_ones_is_a_sum_after_naming() -> None:
    """(G.*X_hat)'*1 = sum(G.*X_hat, 1)' (Ioffe & Szegedy 2015, dL/dgamma)."""
    assert _results(SCALE, 0) == ["sum(G.*X_hat, 1)'"] * 2


@pytest.mark.parametrize("method", [0, 1])
def test_one_power_of_the_variance(method: int) -> None:
    """dL/dv: the two 1./sqrt(v + epsilon) and the 1./(2 sqrt(v + epsilon)) of the root's
    derivative are one power, (v + epsilon).^(3/2), outside the column sum (Ioffe &
    Szegedy 2015, section 3: dL/dsigma^2 = -sum(dL/dx_hat (x - mu)) (sigma^2 + eps)^(-3/2)/2)."""
    text = _results(SCALE, 1)[method]
    assert "(v + epsilon).^(3/2)" in text and text.count("epsilon") == 1, text
    assert "ones" not in text, text
