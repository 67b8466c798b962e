"""Guards: what SymPy's matrix calculus gets wrong (pinned on 1.14), and gradsheet gets right.

Each sympy-side test pins a wrong answer of ``MatrixSymbol`` calculus as the
installed SymPy gives it, so that gradsheet never comes to rely on it (only
gen/verify/exact.py and gen/verify/sympy_interp.py import SymPy, and they use
explicit matrices of symbols, never ``MatrixSymbol.diff``). When an upgrade of SymPy changes one of these
answers, the test fails with a message saying so: update the guard, do not
skip it. Each gradsheet-side test derives the same identity from a small spec
and checks the result's text, its numeric verification and the exact check.
"""

import pytest
import sympy
from sympy import Identity, MatrixSymbol, Trace, ZeroMatrix, det, log, symbols

from gen.errors import GenErrors
from gen.expr.to_text import to_text
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.verify.exact import exact_check

m, n, k = symbols("m n k", positive=True, integer=True)


def pinned(compute, wrong, what: str) -> None:
    """Assert SymPy still gives the known wrong answer; otherwise say what to update."""
    update = (
        "If the new answer is right, SymPy fixed this bug: update this guard in "
        "tests/unit/test_sympy_guards.py and the list of SymPy's faults in "
        "docs/architecture.md (never skip the guard)."
    )
    try:
        got = compute()
    except Exception as exc:  # a newer SymPy may refuse what 1.14 accepted
        pytest.fail(
            f"SymPy {sympy.__version__} now raises {type(exc).__name__}: {exc} for "
            f"{what}, where SymPy 1.14 gave {wrong!r}. {update}"
        )
    assert got == wrong, (
        f"SymPy {sympy.__version__} changed its answer for {what}: it now gives {got!r} "
        f"({type(got).__name__}) instead of the pinned wrong {wrong!r} "
        f"({type(wrong).__name__}, SymPy 1.14). {update}"
    )


def derive_one(text: str):
    """Build a spec from its text, derive its single target, verified."""
    program = build_program(load_spec_text(text, "guard.yaml"))
    (derivation,) = derive_all(program)
    return program, derivation


def assert_right(program, derivation, text: str) -> None:
    """The result reads ``text`` and passes both the numeric and the exact check."""
    assert to_text(derivation.result) == text
    assert derivation.check is not None and derivation.check.numeric, derivation.check
    assert derivation.check.max_rel_error < 1e-6
    exact = exact_check(program, derivation)
    assert exact.ok is True, exact.detail


# 1. d log det(X) / dX ------------------------------------------------------------------
# Right: d ln|det X| / dX = (X^-1)^T = (X^T)^-1 (Matrix Cookbook eq. 57; from the
# differential d ln det X = tr(X^-1 dX), eq. 43).


def test_sympy_says_the_gradient_of_logdet_is_the_zero_matrix():
    X = MatrixSymbol("X", n, n)
    pinned(lambda: log(det(X)).diff(X), ZeroMatrix(n, n), "log(det(X)).diff(X)")


def test_gradsheet_gives_the_inverse_transpose_for_logdet():
    program, d = derive_one(
        "title: g\nvariables:\n  X: {shape: [n, n], props: [invertible]}\n"
        "define:\n  J: logdet(X)\nderive:\n  - of: J\n    wrt: X\n"
    )
    assert_right(program, d, "inv(X)'")
    assert d.shape == ("n", "n")


# 2. d (tr X + 1) / dX ------------------------------------------------------------------
# Right: d tr(X) / dX = I (Matrix Cookbook eq. 99), and a constant adds nothing.


def test_sympy_says_the_gradient_of_a_trace_plus_one_is_the_zero_matrix():
    X = MatrixSymbol("X", n, n)
    pinned(lambda: (Trace(X) + 1).diff(X), ZeroMatrix(n, n), "(Trace(X) + 1).diff(X)")


def test_gradsheet_gives_the_identity_for_a_trace_plus_one():
    program, d = derive_one(
        "title: g\nvariables:\n  X: {shape: [n, n]}\n"
        "define:\n  J: tr(X) + 1\nderive:\n  - of: J\n    wrt: X\n"
    )
    assert_right(program, d, "eye(n)")  # sized, so that it parses back alone


# 3. d (a^T X b)_{11} / dX --------------------------------------------------------------
# Right: d a^T X b / dX = a b^T (Matrix Cookbook eq. 70). SymPy gets the 1 x 1 matrix
# right (a*b.T) but returns 0 for its only entry, the scalar.


def test_sympy_says_the_gradient_of_the_scalar_a_x_b_is_the_zero_matrix():
    X, a, b = MatrixSymbol("X", m, n), MatrixSymbol("a", m, 1), MatrixSymbol("b", n, 1)
    pinned(lambda: (a.T * X * b)[0, 0].diff(X), ZeroMatrix(m, n), "(a.T*X*b)[0, 0].diff(X)")


def test_gradsheet_gives_the_outer_product_for_a_x_b():
    program, d = derive_one(
        "title: g\nvariables:\n  X: {shape: [m, n]}\n  a: {shape: [m]}\n  b: {shape: [n]}\n"
        "define:\n  J: a'*X*b\nderive:\n  - of: J\n    wrt: X\n"
    )
    assert_right(program, d, "a*b'")
    assert d.shape == ("m", "n")


# 4. symbolic shapes ---------------------------------------------------------------------
# Right: A B is defined only when A has as many columns as B has rows (Wikipedia,
# "Matrix multiplication": "the number of columns in the first matrix must be equal to
# the number of rows in the second matrix"). SymPy does not check symbolic sizes.


def test_sympy_accepts_a_product_of_mismatched_symbolic_shapes():
    X, v = MatrixSymbol("X", m, n), MatrixSymbol("v", k, 1)
    # n and k differ: the product should be refused; SymPy builds it, m x 1.
    pinned(lambda: (X * v).shape, (m, 1), "the shape of X(m, n)*v(k, 1)")


def test_gradsheet_refuses_a_product_of_mismatched_shapes():
    with pytest.raises(GenErrors) as caught:
        derive_one(
            "title: g\nvariables:\n  X: {shape: [m, n]}\n  v: {shape: [k]}\n"
            "define:\n  y: X*v\nderive:\n  - of: y\n    wrt: v\n"
        )
    (error,) = caught.value.errors
    assert "in 'X*v': cannot multiply [m, n] and [k, 1]: inner sizes n and k differ" in str(error)


# 5. (A x) by x: the layout -------------------------------------------------------------
# Right, and depending on the layout: d(Ax)/dx = A in numerator layout, A^T in
# denominator layout (Wikipedia, "Matrix calculus", vector-by-vector identities).
# SymPy silently answers in denominator layout, whatever the sheet says.


def test_sympy_answers_a_jacobian_in_denominator_layout():
    A, x = MatrixSymbol("A", m, n), MatrixSymbol("x", n, 1)
    pinned(lambda: (A * x).diff(x), A.T, "(A*x).diff(x)")
    pinned(lambda: (A * x).diff(x).shape, (n, m), "the shape of (A*x).diff(x)")


@pytest.mark.parametrize(
    ("layout", "text", "shape"),
    [
        ("numerator", "A", ("m", "n")),
        ("mixed", "A", ("m", "n")),
        ("denominator", "A'", ("n", "m")),
    ],
)
def test_gradsheet_gives_the_jacobian_in_the_layout_asked(layout, text, shape):
    program, d = derive_one(
        f"title: g\nlayout: {layout}\nvariables:\n  A: {{shape: [m, n]}}\n  x: {{shape: [n]}}\n"
        "define:\n  y: A*x\nderive:\n  - of: y\n    wrt: x\n"
    )
    assert_right(program, d, text)
    assert d.kind == "vector-by-vector"
    assert d.shape == shape


# 6. (X b) by X: through vec -------------------------------------------------------------
# Right: d vec(X b) / d vec(X)^T = b^T (x) I_m, an m x mn matrix in numerator layout
# (vec(AXB) = (B^T (x) A) vec(X); Magnus and Neudecker, "Matrix Differential Calculus").
# SymPy returns a rank-4 array expression, in no layout of SPEC section 3.


def test_sympy_answers_a_matrix_by_matrix_derivative_as_a_rank_4_array():
    X, b = MatrixSymbol("X", m, n), MatrixSymbol("b", n, 1)
    pinned(lambda: type((X * b).diff(X)).__name__, "PermuteDims", "the type of (X*b).diff(X)")
    pinned(lambda: len((X * b).diff(X).shape), 4, "the rank of (X*b).diff(X)")
    pinned(
        lambda: Identity(m) in (X * b).diff(X).atoms(Identity),
        True,
        "whether (X*b).diff(X) is built on I_m",
    )


def test_gradsheet_gives_the_vec_jacobian_of_x_b():
    program, d = derive_one(
        "title: g\nvariables:\n  X: {shape: [m, n]}\n  b: {shape: [n]}\n"
        "define:\n  y: X*b\nderive:\n  - of: y\n    wrt: X\n"
    )
    assert d.kind == "vec-by-vec"
    assert d.check is not None and d.check.numeric, d.check
    assert to_text(d.result) == "kron(b', eye(m))"  # b' (x) I_m, in numerator (mixed) layout
    exact = exact_check(program, d)
    assert exact.ok is True, exact.detail
