"""Printers: text, LaTeX (pinned), names, and numpy checked against the evaluator."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Shape, Transpose
from gen.expr.evaluate import evaluate
from gen.expr.names import latex_name
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_latex import to_latex
from gen.expr.to_numpy import to_numpy
from gen.expr.to_text import to_text
from tests.unit.expr.numeric import assert_numpy_matches_evaluate

ENV: dict[str, Shape] = {
    "X": ("m", "n"),
    "A": ("n", "n"),
    "B": ("n", "n"),
    "S": ("m", "m"),
    "w": ("n", 1),
    "x": ("n", 1),
    "y": ("m", 1),
    "z": ("m", 1),
    "u": (1, "n"),
    "lam": (1, 1),
    "c": (1, 1),
    "T": (1, 1),
    "W_1": ("n", "n"),
    "y_hat": ("m", 1),
    "alpha": (1, 1),
}
SIZES = {"m": 4, "n": 3}
SIZE_TEXT = {"m": "X.shape[0]", "n": "X.shape[1]"}


def typed(text: str) -> Node:
    return infer(parse(text), ENV)


# -- to_text ----------------------------------------------------------------

TEXT = [
    ("X * w-y", "X*w - y"),
    ("(X*w) - (y)", "X*w - y"),
    ("1/2 * z'*z + lam/2 * w'*w", "1/2*z'*z + lam/2*w'*w"),
    ("a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c"),
    ("a/(b*c)", "a/(b*c)"),
    ("(a/b)*c", "a/b*c"),
    ("A^T", "A'"),
    ("A^T^T", "A''"),
    ("(A')^2", "A'^2"),
    ("A^(-1)", "A^-1"),
    ("x^(2^3)", "x^2^3"),
    ("(x^2)^3", "(x^2)^3"),
    ("-(x^2)", "-x^2"),
    ("(-x)^2", "(-x)^2"),
    ("-(-x)", "--x"),
    ("a*(-b)", "a*-b"),
    ("a + (-b)", "a + -b"),
    ("x^(T)", "x^(T)"),
    ("x^(T')", "x^(T')"),
    ("x^(-T)", "x^-T"),
    ("x .^ T", "x.^T"),
    ("0.5*x", "1/2*x"),
    ("x*(1/2)", "x*(1/2)"),
    ("(1/2)^x", "(1/2)^x"),
    ("-(1/2)", "-(1/2)"),
    ("(1/2)'", "(1/2)'"),
    ("(1)/2", "(1)/2"),
    ("(1/2)/3", "(1/2)/3"),
    ("1/2/3", "1/6"),
    ("inv(X' * X + lam * I) * X' * y", "inv(X'*X + lam*I)*X'*y"),
    ("zeros( m ,n )", "zeros(m, n)"),
]


@pytest.mark.parametrize(("text", "expected"), TEXT)
def test_to_text(text: str, expected: str) -> None:
    tree = parse(text)
    assert to_text(tree) == expected
    assert parse(expected) == tree


def test_to_text_of_built_trees() -> None:
    one, two = Num(Fraction(1)), Num(Fraction(2))
    assert to_text(Binary("/", one, two)) == "(1)/2"
    assert to_text(Binary("^", Name("A"), Transpose(Name("T")))) == "A^(T')"
    assert to_text(Neg(Num(Fraction(3, 4)))) == "-(3/4)"
    assert to_text(Call("I", ())) == "I"


# -- names ------------------------------------------------------------------

NAMES = [
    ("x", "x"),
    ("alpha", r"\alpha"),
    ("lam", r"\lambda"),
    ("lambda", r"\lambda"),
    ("Sigma", r"\Sigma"),
    ("omega", r"\omega"),
    ("W_1", "W_{1}"),
    ("W_ij", "W_{ij}"),
    ("x_10", "x_{10}"),
    ("x10", "x_{10}"),
    ("y_hat", r"\hat{y}"),
    ("y_bar", r"\bar{y}"),
    ("y_tilde", r"\tilde{y}"),
    ("y_dot", r"\dot{y}"),
    ("y_vec", r"\vec{y}"),
    ("y_hat_1", r"\hat{y}_{1}"),
    ("theta_hat", r"\hat{\theta}"),
    ("loss", r"\mathrm{loss}"),
    ("loss_1", r"\mathrm{loss}_{1}"),
    ("alpha_2", r"\alpha_{2}"),
    ("x_max", r"x_{\mathrm{max}}"),
    ("x_alpha", r"x_{\alpha}"),
    ("W_1_2", "W_{1,2}"),
]


@pytest.mark.parametrize(("name", "tex"), NAMES)
def test_latex_name(name: str, tex: str) -> None:
    assert latex_name(name) == tex


def test_latex_name_override_wins() -> None:
    assert latex_name("lam", r"\mu") == r"\mu"


# -- to_latex ---------------------------------------------------------------

LATEX = [
    ("X'*(X*w - y) + lam*w", r"X^{\top} (X w - y) + \lambda w"),
    ("1/2*z'*z + lam/2*w'*w", r"\frac{1}{2} z^{\top} z + \frac{\lambda}{2} w^{\top} w"),
    ("x .* w", r"x \odot w"),
    ("x ./ w", r"x \oslash w"),
    ("X/lam", r"\frac{X}{\lambda}"),
    ("c^2", "c^{2}"),
    ("A^-1", "A^{-1}"),
    ("inv(A)", "A^{-1}"),
    ("inv(A*B)", r"(A B)^{-1}"),
    ("(A*B)'", r"(A B)^{\top}"),
    ("A''", r"(A^{\top})^{\top}"),
    ("A'^2", r"(A^{\top})^{2}"),
    ("(A + B)^2", r"(A + B)^{2}"),
    ("X.^2", r"X^{\circ 2}"),
    ("lam .^ 2", r"\lambda^{2}"),
    ("-c^2", "-c^{2}"),
    ("-(A + B)", r"-(A + B)"),
    ("--x", r"-(-x)"),
    ("A*-B", r"A (-B)"),
    ("A - -B", r"A - (-B)"),
    ("A - (B - A)", r"A - (B - A)"),
    ("A*(B*A)", "A B A"),
    ("-(A*B)", "-A B"),
    ("A + (B - A)", "A + B - A"),
    ("(x .* w)*lam", r"(x \odot w) \lambda"),
    ("x*2", r"x \cdot 2"),
    ("2*3", r"2 \cdot 3"),
    ("-(1/2)*x", r"-\frac{1}{2} x"),
    ("(1/2)^lam", r"\left(\frac{1}{2}\right)^{\lambda}"),
    ("tr(A)", r"\operatorname{tr}(A)"),
    ("det(A)", r"\det(A)"),
    ("logdet(A)", r"\log\det(A)"),
    ("diag(x)", r"\operatorname{diag}(x)"),
    ("sum(X)", r"\operatorname{sum}(X)"),
    ("norm2(x)", r"\lVert x \rVert_{2}"),
    ("norm2(X)", r"\lVert X \rVert_{F}"),
    ("norm2(u)", r"\lVert u \rVert_{2}"),
    ("norm2(x)^2", r"\lVert x \rVert_{2}^{2}"),
    ("exp(x)", r"\exp(x)"),
    ("log(x)", r"\log(x)"),
    ("sin(x) + cos(x) + tanh(x)", r"\sin(x) + \cos(x) + \tanh(x)"),
    ("sigmoid(X*w)", r"\sigma(X w)"),
    ("sqrt(lam)", r"\sqrt{\lambda}"),
    ("softmax(x)", r"\operatorname{softmax}(x)"),
    ("logsumexp(x)", r"\operatorname{logsumexp}(x)"),
    ("A + I", "A + I"),
    ("eye(n)", "I_{n}"),
    ("ones(n)", r"\mathbf{1}_{n}"),
    ("zeros(m, n)", r"0_{m \times n}"),
    ("W_1*A + alpha*W_1", r"W_{1} A + \alpha W_{1}"),
    ("y_hat - y", r"\hat{y} - y"),
    ("inv(X'*X + lam*I)*X'*y", r"(X^{\top} X + \lambda I)^{-1} X^{\top} y"),
]


@pytest.mark.parametrize(("text", "tex"), LATEX)
def test_to_latex(text: str, tex: str) -> None:
    assert to_latex(typed(text)) == tex


def test_to_latex_options() -> None:
    tree = typed("X'*y*lam")
    assert to_latex(tree, transpose="^{T}") == r"X^{T} y \lambda"
    assert to_latex(tree, names={"lam": r"\mu", "X": r"\mathbf{X}"}) == (r"\mathbf{X}^{\top} y \mu")
    assert to_latex(typed("lam^2"), names={"lam": "y^{*}"}) == r"(y^{*})^{2}"


def test_long_division_is_not_a_fraction() -> None:
    text = "(X'*(X*w - y) + lam*w + A*w + B*w + A*x + B*x)/lam"
    assert to_latex(typed(text)) == (
        r"\bigl(X^{\top} (X w - y) + \lambda w + A w + B w + A x + B x\bigr)"
        r" / \lambda"
    )


# -- to_numpy and evaluate ----------------------------------------------------

NUMPY = [
    ("X'*(X*w - y) + lam*w", "X.T @ (X @ w - y) + lam * w"),
    ("1/2*z'*z + lam/2*w'*w", "(1/2) * z.T @ z + lam / 2 * w.T @ w"),
    ("inv(X'*X + lam*I)*X'*y", "np.linalg.inv(X.T @ X + lam * np.eye(X.shape[1])) @ X.T @ y"),
    ("x .* w ./ x", "x * w / x"),
    ("X.^2", "X ** 2"),
    ("lam^2", "lam ** 2"),
    ("2^lam", "2.0 ** lam"),
    ("A^-1", "np.linalg.matrix_power(A, -1)"),
    ("lam'", "lam"),
    ("inv(lam + c)", "(1 / (lam + c))"),
    ("logdet(A)", "np.linalg.slogdet(A)[1]"),
    ("tr(A) + det(A)", "np.trace(A) + np.linalg.det(A)"),
    ("diag(x)", "np.diagflat(x)"),
    ("norm2(X)", "np.linalg.norm(X)"),
    (
        "ones(n)*u + zeros(n, n)",
        "np.ones((X.shape[1], 1)) @ u + np.zeros((X.shape[1], X.shape[1]))",
    ),
    ("-(x - w)", "-(x - w)"),
]


@pytest.mark.parametrize(("text", "code"), NUMPY)
def test_to_numpy(text: str, code: str) -> None:
    assert to_numpy(typed(text), SIZE_TEXT) == code


def test_to_numpy_needs_shapes_and_sizes() -> None:
    with pytest.raises(ValueError, match="no shape"):
        to_numpy(parse("X*w"))
    with pytest.raises(ValueError, match="size 'n'"):
        to_numpy(typed("eye(n)"))
    with pytest.raises(ValueError, match="cannot be a numpy variable"):
        to_numpy(infer(parse("np"), {"np": (1, 1)}))


def _values(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = {}
    for name, shape in ENV.items():
        if shape == (1, 1):
            values[name] = float(rng.uniform(0.5, 1.5))
        else:
            rows, cols = (SIZES[d] if isinstance(d, str) else d for d in shape)
            values[name] = rng.uniform(0.5, 1.5, size=(rows, cols))
    values["A"] = values["A"] + 3 * np.eye(3)  # well conditioned
    return values


NUMERIC = [
    "X'*(X*w - y) + lam*w",
    "1/2*z'*z + lam/2*w'*w",
    "inv(X'*X + lam*I)*X'*y",
    "(z'*z)*X + X*(w'*w)",
    "z'*z*lam",
    "(y'*X*w)^2 + (y'*X*w)^-1",
    "inv(y'*y)*y",
    "det(x'*w)*x + tr(x'*w)*w",
    "logdet(y'*y) + logdet(A) + det(A)",
    "A^3 - A^-2 + A^0",
    "lam^c^2 + 2^lam + (1/2)^c",
    "X.^2 ./ X .* lam + X.^lam",
    "x .* w - x ./ w + lam .* x + x ./ lam",
    "exp(X) + log(X) + sin(X) + cos(X) + tanh(X) + sigmoid(X) + sqrt(X)",
    "exp(lam) + log(lam) + sigmoid(-lam) + sqrt(lam)",
    "softmax(X*w) + softmax(y)",
    "logsumexp(X*w) + logsumexp(lam)",
    "diag(x)*A*diag(w) + diag(lam)*A",
    "sum(X) + sum(lam) + norm2(X) + norm2(x) + norm2(lam) + norm2(u)",
    "eye(n) + ones(n)*u + zeros(n, n) + I",
    "A*I*x + I*x",
    "(A + I)'*x - (-x)",
    "--x + -(-x)",
    "u*A*x'' + lam",
    "X'*y/(y'*y) + X'*y/lam/2",
    "W_1*x + alpha*y_hat'*z*x + T*x",
    "(x'*w)' * A'",
    "inv(A)*x + inv(A')'*x",
]


@pytest.mark.parametrize("text", NUMERIC)
@pytest.mark.parametrize("seed", [0, 1])
def test_numpy_agrees_with_evaluate(text: str, seed: int) -> None:
    assert_numpy_matches_evaluate(typed(text), _values(seed), SIZES, SIZE_TEXT)


def test_evaluate_refuses_what_the_syntax_refuses() -> None:
    values = _values(0)
    with pytest.raises(ValueError):
        evaluate(parse("w + y"), values, SIZES)  # [n, 1] and [m, 1] do not broadcast
    np.testing.assert_allclose(  # a scalar is broadcast (SPEC section 8)
        evaluate(parse("lam + w"), values, SIZES), values["lam"] + values["w"]
    )
    with pytest.raises(ValueError):
        evaluate(parse("X / w"), values, SIZES)
    with pytest.raises(ValueError, match="size of I"):
        evaluate(parse("A + I"), values, SIZES)
    assert evaluate(parse("w'*w"), values, SIZES) == pytest.approx(
        (values["w"].T @ values["w"]).item()
    )


def test_negative_numbers_are_typeset_as_a_mathematician_writes_them() -> None:
    """Issue 12: -1/2 prints as -1/2 (a minus before the fraction), never (-1)/2."""
    s = (1, 1)
    half = Binary("/", Num(Fraction(-1)), Num(Fraction(2)), shape=s)
    assert to_latex(half) == r"-\frac{1}{2}"
    assert to_latex(Num(Fraction(-1, 2))) == r"-\frac{1}{2}"
    a, b = Name("a", shape=s), Name("b", shape=s)
    term = Binary("*", Num(Fraction(-1, 2)), b, shape=s)
    assert to_latex(Binary("+", a, term, shape=s)) == r"a - \frac{1}{2} b"
    assert to_latex(Binary("*", b, Num(Fraction(-3)), shape=s)) == "b (-3)"  # bracketed after


def test_ell_is_a_script_l() -> None:
    assert latex_name("ell") == r"\ell"  # SPEC section 8
