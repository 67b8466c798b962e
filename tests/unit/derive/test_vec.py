"""Derivatives through vec: Kronecker products, the commutation matrix, and their limits.

The identities are Magnus & Neudecker, Matrix Differential Calculus (3rd ed. 2019):
vec(AXB) = (B' (x) A) vec X (ch. 2, theorem 2), K_mn vec A = vec A' (ch. 3, sec. 7),
vec(A (x) B) = (I_q (x) K_np (x) I_m)(vec A (x) vec B) (ch. 3, theorem 10). Every result
here is also checked by the engine against finite differences and, where SymPy can
expand it, exactly.
"""

from __future__ import annotations

import pytest

from gen.derive.steps import Claim, Differential
from gen.errors import GenError
from gen.expr.to_text import to_text
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.verify.exact import exact_check


def derived(variables: str, define: str, targets: str):
    text = f"title: v\nvariables:\n{variables}define:\n{define}derive:\n{targets}"
    program = build_program(load_spec_text(text, "vec.yaml"))
    return program, derive_all(program)


def assert_verified(program, d, exact: bool = True) -> None:
    assert d.check is not None and d.check.numeric, d.check
    assert all(s.verified is not False for s in d.steps), [(s.lhs, s.verified) for s in d.steps]
    if exact:
        check = exact_check(program, d)
        assert check.ok is True, check.detail


@pytest.mark.parametrize(
    ("layout", "text", "shape"),
    [
        ("numerator", "kron(B', A)", ("p*q", "m*n")),
        ("mixed", "kron(B', A)", ("p*q", "m*n")),
        ("denominator", "kron(B, A')", ("m*n", "p*q")),
    ],
)
def test_axb_by_x_is_a_kronecker_product_in_every_layout(layout, text, shape):
    program, (d,) = derived(
        "  A: {shape: [p, m]}\n  X: {shape: [m, n]}\n  B: {shape: [n, q]}\n",
        "  Y: A*X*B\n",
        f"  - {{of: Y, wrt: X, layout: {layout}}}\n",
    )
    assert d.kind == "vec-by-vec"
    assert d.shape == shape
    assert to_text(d.result) == text
    assert_verified(program, d)


def test_a_transpose_is_the_commutation_matrix():
    program, (d,) = derived("  X: {shape: [m, n]}\n", "  T: X'\n", "  - {of: T, wrt: X}\n")
    assert to_text(d.result) == "commutation(m, n)"
    assert_verified(program, d)


def test_the_vec_step_is_checked_as_the_vec_of_the_differential():
    program, (d,) = derived(
        "  A: {shape: [p, m]}\n  X: {shape: [m, n]}\n", "  Y: A*X\n", "  - {of: Y, wrt: X}\n"
    )
    vec_steps = [s for s in d.steps if s.equals is Claim.VEC_DIFFERENTIAL]
    assert len(vec_steps) == 1 and vec_steps[0].verified is True
    assert vec_steps[0].lhs == Differential("Y", vec=True)
    assert to_text(vec_steps[0].rhs) == "kron(eye(n), A)*vec(dX)"


def test_a_kronecker_product_in_a_definition_is_differentiated():
    program, (d,) = derived(
        "  A: {shape: [p, q], props: [constant]}\n  X: {shape: [m, n]}\n",
        "  Y: kron(A, X)\n",
        "  - {of: Y, wrt: X}\n",
    )
    assert (
        to_text(d.result) == "kron(kron(eye(q), commutation(n, p)), eye(m))*kron(vec(A), eye(m*n))"
    )
    assert_verified(program, d, exact=False)


def test_a_matrix_of_a_vector_through_vec():
    # M&N ch. 9: F(x) = x x' has d vec F = (I (x) x + x (x) I) dx.
    program, (d,) = derived("  x: {shape: [n]}\n", "  F: x*x'\n", "  - {of: F, wrt: x}\n")
    assert to_text(d.result) == "kron(x, eye(n)) + kron(eye(n), x)"
    assert_verified(program, d)


def test_the_chain_method_multiplies_vec_jacobians():
    program, derivations = derived(
        "  A: {shape: [p, m]}\n  X: {shape: [m, n]}\n  B: {shape: [n, q]}\n",
        "  Z: A*X\n  Y: Z*B\n",
        "  - {of: Y, wrt: X, method: [chain, differential]}\n",
    )
    chain, diff = derivations
    assert to_text(chain.result) == to_text(diff.result) == "kron(B', A)"
    assert chain.agreement is not None and chain.agreement.ok
    assert_verified(program, chain)


def test_a_mixed_chain_through_a_scalar_link_transposes_its_gradient():
    # u = a (x'x): du/dx = 2 a x' (a Jacobian, numerator-shaped in mixed layout).
    program, derivations = derived(
        "  x: {shape: [n]}\n  a: {shape: [m], props: [constant]}\n",
        "  s: x'*x\n  u: a*s\n",
        "  - {of: u, wrt: x, method: [chain, differential]}\n",
    )
    for d in derivations:
        assert to_text(d.result) == "2*a*x'"
        assert_verified(program, d)


def test_a_vec_chain_through_a_scalar_link_composes_a_column_and_a_row():
    # Y = sum(X) A: d vec Y/d vec X' = vec(A) 1' (once refused): the column vec(dY/ds)
    # times the scalar's row vec(1 1')' (Magnus & Neudecker, ch. 9).
    program, derivations = derived(
        "  X: {shape: [m, n]}\n  A: {shape: [p, q], props: [constant]}\n",
        "  s: sum(X)\n  Y: s*A\n",
        "  - {of: Y, wrt: X, method: [chain, differential]}\n",
    )
    chain, diff = derivations
    assert to_text(chain.result) == to_text(diff.result) == "vec(A)*ones(m*n)'"
    assert chain.agreement is not None and chain.agreement.ok
    assert_verified(program, chain)


def test_a_gradient_through_vec_is_a_located_error():
    with pytest.raises(GenError) as caught:
        derived("  X: {shape: [m, n]}\n", "  s: sum(vec(X))\n", "  - {of: s, wrt: X}\n")
    assert "needs un-vec" in caught.value.message
    assert caught.value.span is not None and caught.value.span.line == 7
