"""The simplifier's rules for writing results as the books print them (SPEC section 8).

Each rule is checked on a small expression: the text it gives, and its value against the
input's at random points (so a rule that fires must hold for the shapes it fires on).
"""

from __future__ import annotations

import numpy as np
import pytest

from gen.derive.simplify import simplify
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text

SHAPES = {
    "A": ("m", "n"),
    "B": ("m", "n"),
    "G": ("N", "M"),
    "P": ("N", "C"),
    "Y": ("N", "C"),
    "X": ("N", "D"),
    "S": ("D", "D"),
    "c": ("m", 1),
    "x": ("n", 1),
    "u": ("n", 1),
    "r": ("n", 1),
    "s": ("n", 1),
    "t": ("k", 1),
    "a": ("k", 1),
    "da": ("k", 1),
    "d": (1, 1),
    "lam": (1, 1),
}
DIMS = ("m", "n", "N", "M", "C", "D", "k")
SIZES = {"m": 3, "n": 4, "N": 5, "M": 2, "C": 3, "D": 3, "k": 4}


def _typed(text: str):  # noqa: ANN202 - a typed Node
    return infer(parse(text), SHAPES, expr_text=text, dims=DIMS)


def _value(node, seed: int):  # noqa: ANN001, ANN202
    rng = np.random.default_rng(seed)
    values = {}
    for name, (rows, cols) in SHAPES.items():
        shape = (SIZES.get(rows, rows), SIZES.get(cols, cols))  # type: ignore[call-overload]
        values[name] = rng.uniform(0.5, 2.0, size=shape)  # positive: a divisor, a power
    return np.asarray(evaluate(node, values, SIZES), dtype=float)


def check(text: str, expected: str) -> None:
    """``text`` simplifies to ``expected``, and the two agree at random points."""
    before = _typed(text)
    after = simplify(before)
    assert to_text(after) == expected
    for seed in (1, 2):
        np.testing.assert_allclose(
            _value(after, seed), _value(before, seed), rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # SPEC section 8: the language broadcasts a scalar, so a constant in a sum of
        # vectors or matrices is the number (Goodfellow et al., DL book, eq. 6.36: 1 - tanh^2).
        ("exp(x) - ones(n)", "exp(x) - 1"),
        ("A - ones(m)*ones(n)'", "A - 1"),
        ("(ones(n) - tanh(u).^2).*r", "(1 - tanh(u).^2).*r"),
        # a column spread over the columns: G V' - rowsum (the softmax backward pass)
        ("A - c*ones(n)'", "A - c"),
        # but not beside I, where I - 1/n would read as a scalar taken from I
        ("eye(n) - ones(n)*ones(n)'/n", "eye(n) - ones(n)*ones(n)'/n"),
        # nor a scalar that is an inner product (s'da 1 - da keeps its ones)
        ("t'*(a'*da*ones(k) - da)", "(a'*da*ones(k) - da)'*t"),
    ],
)
def test_constants_broadcast(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # CS231n affine_backward: db = np.sum(dout, axis=0); 1'G = sum(G, 1)
        ("G'*ones(N)", "sum(G, 1)'"),
        ("ones(N)'*G", "sum(G, 1)"),
        ("G*ones(M)", "sum(G, 2)"),
        ("X'*(G*ones(M))", "X'*sum(G, 2)"),
        # read back as the product it is, so the rules on products still apply
        ("sum(G, 1) + ones(N)'*G", "2*sum(G, 1)"),
    ],
)
def test_products_with_ones_are_sums(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 1_N' 1_N = N (a dimension is a value, SPEC section 8); PRML 2.3.4: -N inv(Sigma)
        ("-(ones(N)'*ones(N)*inv(S))", "-N*inv(S)"),
        ("ones(N)'*ones(N)*S", "N*S"),
    ],
)
def test_ones_times_ones_is_the_count(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a common denominator: A/N - B/N = (A - B)/N (CS231n softmax_loss: (P - Y)/N)
        ("P/N - Y/N", "(P - Y)/N"),
        ("X'*(P/N - Y/N)", "X'*(P - Y)/N"),
        # a common scalar factor: c A + c B = c (A + B)
        ("lam*A + lam*B", "lam*(A + B)"),
        # its sign as printed: x/(1 - n) = -x/(n - 1)
        ("2*x/(n - 1) - 2*u/(n - 1)", "2*(x - u)/(n - 1)"),
    ],
)
def test_a_shared_factor_is_written_once(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the residuals sum to zero: sum(x - mean(x)) = n mean(x) - n mean(x) = 0
        ("sum(x - mean(x))", "0"),
        ("sum(2*(x - mean(x))/(n - 1))", "0"),
        # the centring matrix H = I - 1 1'/n fixes a centred vector: H (x - mean(x)) =
        # x - mean(x) (Bishop, PRML, exercise 1.12's sample variance, 2 (x - mean(x))/(n - 1))
        ("(eye(n) - ones(n)*ones(n)'/n)*(x - mean(x))", "x - mean(x)"),
    ],
)
def test_centred_vectors(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # (c A) ./ B = c (A ./ B): the scalar joins the term and cancels (pseudo-Huber)
        ("d*r./s/d", "r./s"),
        ("X'*(lam*Y./P)/lam", "X'*(Y./P)"),
        # A ./ (c B) = (A ./ B) / c
        ("lam*(r./(lam*s))", "r./s"),
        # products and powers spelt out to cancel: 4 d x / (4 d^4) = x / d^3 (GPML 5.9)
        ("4*d*x/(4*d^4)", "x/d^3"),
        # a number divides into the coefficient: 2 X'r/(2 m) = X'r/m (lasso's least squares)
        ("2*x/(2*d)", "x/d"),
        ("x/(2*d)", "x/(2*d)"),
        ("x/(2*d^2)", "x/(2*d^2)"),
    ],
)
def test_scalars_cancel(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a diagonal factor multiplied into a sum where it cancels: diag(1./s) (diag(s) - s s')
        # = I - 1 s' (Bishop, PRML, eq. 4.106 divided by s: d log s / dz)
        ("diag(1./s)*(diag(s) - s*s')", "I - ones(n)*s'"),
        # and kept where it does not: diag(s) (A - B) with nothing to cancel
        ("diag(s)*(diag(x) - u*u')", "diag(s)*(diag(x) - u*u')"),
    ],
)
def test_a_diagonal_factor_cancels_into_a_sum(text: str, expected: str) -> None:
    check(text, expected)
