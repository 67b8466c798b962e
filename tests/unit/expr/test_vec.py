"""kron, vec, commutation and product dimensions: shapes, printers, numpy and the evaluator."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gen.derive.steps import Differential
from gen.errors import GenError
from gen.expr.ast import DIM_ARGS, FUNCTIONS, SCALAR, Binary, Call, DimT, Name, Node, Num, Shape
from gen.expr.evaluate import commutation, evaluate
from gen.expr.measure import size
from gen.expr.names import dim_latex
from gen.expr.parser import parse
from gen.expr.shape import (
    ShapeError,
    call_shape,
    dim_factors,
    dim_node,
    dim_product,
    dim_value,
    format_shape,
    infer,
    size_dim,
    sized_shape,
)
from gen.expr.to_latex import to_latex
from gen.expr.to_numpy import to_numpy
from gen.expr.to_text import to_text
from gen.render.mathtext import lhs_latex, shape_latex, shape_text
from tests.unit.expr.numeric import assert_numpy_matches_evaluate, run_numpy

ENV: dict[str, Shape] = {
    "A": ("p", "m"),
    "X": ("m", "n"),
    "B": ("n", "q"),
    "S": ("n", "n"),
    "a": ("n", 1),
    "b": ("m", 1),
    "u": (1, "n"),
    "c": (1, 1),
    "V": ("m*n", "m*n"),  # a square matrix of the vec of X's size
    "v": ("m*n", 1),
}
DIMS = ("m", "n", "p", "q")
SIZES = {"m": 2, "n": 3, "p": 4, "q": 5}
SIZE_TEXT = {"m": "X.shape[0]", "n": "X.shape[1]", "p": "A.shape[0]", "q": "B.shape[1]"}


def typed(text: str) -> Node:
    return infer(parse(text), ENV, expr_text=text, dims=DIMS)


def values(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for name, shape in ENV.items():
        if shape == (1, 1):
            out[name] = float(rng.uniform(0.5, 1.5))
        else:
            rows, cols = (_int(d) for d in shape)
            out[name] = rng.uniform(-1, 1, size=(rows, cols))
    return out


def _int(d: DimT) -> int:
    return dim_value(d, SIZES)


# -- the functions --------------------------------------------------------------


def test_the_functions_and_their_sizes() -> None:
    assert FUNCTIONS["kron"] == 2 and FUNCTIONS["vec"] == 1 and FUNCTIONS["commutation"] == 2
    assert "commutation" in DIM_ARGS
    assert "kron" not in DIM_ARGS and "vec" not in DIM_ARGS


# -- canonical product dimensions -----------------------------------------------

PRODUCTS = [
    (("n", "m"), "m*n"),
    ((2, "n", 3), "6*n"),
    ((1, "n"), "n"),
    ((2, 3), 6),
    (("m*n", "p"), "m*n*p"),
    (("p", "m*n"), "m*n*p"),
    (("n", "n"), "n*n"),
    (("2*n", "3*m"), "6*m*n"),
    ((1, 1), 1),
    (("n",), "n"),
    ((4,), 4),
    ((), 1),
]


@pytest.mark.parametrize(("dims", "product"), PRODUCTS)
def test_dim_product_is_canonical(dims: tuple[DimT, ...], product: DimT) -> None:
    assert dim_product(*dims) == product
    assert dim_product(*reversed(dims)) == product
    assert dim_product(product) == product  # canonical forms are fixed points


_DIMS = st.one_of(st.integers(1, 6), st.sampled_from(["m", "n", "p", "n_1", "batch"]))


@given(st.lists(_DIMS, max_size=5), st.lists(_DIMS, max_size=5))
def test_dim_product_commutes_and_associates(left: list[DimT], right: list[DimT]) -> None:
    whole = dim_product(*left, *right)
    assert whole == dim_product(*right, *left)
    assert whole == dim_product(dim_product(*left), dim_product(*right))
    assert size_dim(dim_node(whole)) == whole
    assert parse(to_text(dim_node(whole))) == dim_node(whole)


def test_dim_factors() -> None:
    assert dim_factors("2*m*n") == (2, ("m", "n"))
    assert dim_factors("n") == (1, ("n",))
    assert dim_factors(3) == (3, ())


@pytest.mark.parametrize("dim", ["n", 3, "m*n", "6*n", "m*n*p", "n*n", "2*m*n"])
def test_dim_node_round_trips(dim: DimT) -> None:
    node = dim_node(dim)
    assert size_dim(node) == dim
    assert to_text(node) == str(dim)
    assert parse(to_text(node)) == node
    stack = [node]
    while stack:  # every node sized as inference sizes the arguments of eye
        current = stack.pop()
        assert current.shape == SCALAR
        if isinstance(current, Binary):
            stack += [current.left, current.right]


def test_dim_node_is_left_nested() -> None:
    assert dim_node("2*m*n") == Binary("*", Binary("*", Num(Fraction(2)), Name("m")), Name("n"))
    assert dim_node("n") == Name("n")
    assert dim_node(1) == Num(Fraction(1))


def test_size_dim_of_what_is_not_a_size() -> None:
    assert size_dim(parse("n + 1")) is None
    assert size_dim(parse("1/2")) is None
    assert size_dim(parse("0")) is None
    assert size_dim(parse("m*(n + 1)")) is None


# -- shapes ----------------------------------------------------------------------

SHAPES = [
    ("kron(B', A)", ("p*q", "m*n")),
    ("kron(A, B)", ("n*p", "m*q")),
    ("kron(a, b)", ("m*n", 1)),
    ("kron(c, X)", ("m", "n")),
    ("kron(a, u)", ("n", "n")),
    ("vec(X)", ("m*n", 1)),
    ("vec(X')", ("m*n", 1)),
    ("vec(c)", (1, 1)),
    ("vec(A*X*B)", ("p*q", 1)),
    ("kron(B', A)*vec(X)", ("p*q", 1)),
    ("commutation(m, n)", ("m*n", "m*n")),
    ("commutation(n, m)*vec(X)", ("m*n", 1)),
    ("commutation(2, 3)", (6, 6)),
    ("commutation(m*n, p)", ("m*n*p", "m*n*p")),
    ("eye(m*n)", ("m*n", "m*n")),
    ("eye(n*m)", ("m*n", "m*n")),
    ("eye(2*3)", (6, 6)),
    ("eye(m*1)", ("m", "m")),
    ("ones(n*n)", ("n*n", 1)),
    ("zeros(2*m*n, q*p)", ("2*m*n", "p*q")),
    ("V*vec(X) + vec(X')", ("m*n", 1)),
    ("V + eye(m*n) + commutation(m, n) + I", ("m*n", "m*n")),
    ("(eye(n*n) + commutation(n, n))*kron(eye(n), S')", ("n*n", "n*n")),
    ("vec(X)'*V*v", (1, 1)),
    ("kron(kron(a, b), a)", ("m*n*n", 1)),
    ("tr(kron(S, S))", (1, 1)),
    ("inv(kron(S, S)) + kron(S, S)^2", ("n*n", "n*n")),
    ("m*vec(X)", ("m*n", 1)),  # a dimension as a value scales (SPEC section 8)
]


@pytest.mark.parametrize(("text", "shape"), SHAPES)
def test_shapes(text: str, shape: Shape) -> None:
    assert typed(text).shape == shape


def test_shape_rules_direct() -> None:
    assert call_shape("kron", [("m", "n"), ("p", "q")]) == ("m*p", "n*q")
    assert call_shape("vec", [("m", "n")]) == ("m*n", 1)
    assert sized_shape("commutation", ["m", "n"]) == ("m*n", "m*n")
    assert sized_shape("eye", ["m*n"]) == ("m*n", "m*n")
    assert sized_shape("zeros", ["n*m", 2]) == ("m*n", 2)
    assert format_shape(("m*n", 1)) == "[m*n, 1]"
    with pytest.raises(ShapeError, match="'kron' takes 2 arguments, not 1"):
        call_shape("kron", [("m", "n")])
    with pytest.raises(ShapeError, match="'commutation' takes 2 sizes, not 1"):
        sized_shape("commutation", ["m"])
    with pytest.raises(ShapeError, match="'eye' takes 1 size, not 2"):
        sized_shape("eye", ["m", "n"])


def test_inferred_dims_come_from_the_factors_of_products() -> None:
    tree = infer(parse("eye(m*n)*v"), {"v": ("m*n", 1)})
    assert tree.shape == ("m*n", 1)


ERRORS = [
    ("kron(X)", "'kron' takes 2 arguments, not 1", 1),
    ("kron(X, X, X)", "'kron' takes 2 arguments, not 3", 1),
    ("vec(X, X)", "'vec' takes 1 argument, not 2", 1),
    ("commutation(m)", "'commutation' takes 2 arguments, not 1", 1),
    ("kron", "'kron' is a function: write kron(..., ...)", 1),
    (
        "commutation(X, n)",
        "in 'commutation(X, n)': a size in commutation(...) must be a"
        " dimension name, a positive integer or a product of them; 'X' is a value,"
        " not a dimension",
        13,
    ),
    (
        "commutation(m, n + 1)",
        "in 'commutation(m, n + 1)': a size in commutation(...) must"
        " be a dimension name, a positive integer or a product of them, not 'n + 1'",
        16,
    ),
    ("commutation(m, k)", "in 'commutation(m, k)': unknown dimension 'k'", 16),
    (
        "commutation(1/2, n)",
        "in 'commutation(1/2, n)': a size in commutation(...) must be a"
        " dimension name, a positive integer or a product of them, not '1/2'",
        13,
    ),
    ("eye(m*k)", "in 'eye(m*k)': unknown dimension 'k'", 7),
    (
        "eye(m*0)",
        "in 'eye(m*0)': a size in eye(...) must be a dimension name, a positive"
        " integer or a product of them, not '0'",
        7,
    ),
    (
        "eye(m*a)",
        "in 'eye(m*a)': a size in eye(...) must be a dimension name, a positive"
        " integer or a product of them; 'a' is a value, not a dimension",
        7,
    ),
    (
        "eye(m.*n)",
        "in 'eye(m.*n)': a size in eye(...) must be a dimension name, a positive"
        " integer or a product of them, not 'm.*n'",
        5,
    ),
    ("vec(X) + a", "in 'vec(X) + a': cannot add [m*n, 1] and [n, 1]", 1),
    (
        "kron(B', A)*vec(A)",
        "in 'kron(B', A)*vec(A)': cannot multiply [p*q, m*n] and"
        " [m*p, 1]: inner sizes m*n and m*p differ",
        1,
    ),
    ("vec(I)", "in 'vec(I)': cannot infer the size of I", 5),
    ("kron(X, I)", "in 'kron(X, I)': cannot infer the size of I", 9),
    (
        "tr(commutation(m, n)*X)",
        "in 'tr(commutation(m, n)*X)': cannot multiply [m*n, m*n]"
        " and [m, n]: inner sizes m*n and m differ",
        4,
    ),
]


@pytest.mark.parametrize(("text", "message", "column"), ERRORS)
def test_errors(text: str, message: str, column: int) -> None:
    with pytest.raises(GenError) as caught:
        typed(text)
    assert caught.value.message == message
    assert caught.value.span is not None
    assert caught.value.span.column == column


def test_the_new_names_are_reserved() -> None:
    for name in ("kron", "vec", "commutation"):
        with pytest.raises(GenError, match="is a function"):
            parse(f"{name} + 1")


# -- text -------------------------------------------------------------------------

ROUND_TRIPS = [
    ("kron(B',A)", "kron(B', A)"),
    ("kron( B' , A )*vec( X )", "kron(B', A)*vec(X)"),
    ("commutation(m,n)", "commutation(m, n)"),
    ("eye(m * n)", "eye(m*n)"),
    ("eye((m*n)*p)", "eye(m*n*p)"),
    ("zeros(2*m, n*q)", "zeros(2*m, n*q)"),
    ("(kron(a, b))'", "kron(a, b)'"),
    ("-kron(a, b)", "-kron(a, b)"),
    ("kron(-a, a + a)", "kron(-a, a + a)"),
    (
        "(eye(n*n) + commutation(n, n))*kron(eye(n), S')",
        "(eye(n*n) + commutation(n, n))*kron(eye(n), S')",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ROUND_TRIPS)
def test_text_round_trips(text: str, expected: str) -> None:
    tree = typed(text)
    assert to_text(tree) == expected
    again = typed(expected)
    assert again == tree and again.shape == tree.shape


def test_built_trees_print_and_parse_back() -> None:
    tree = Call("eye", (dim_node("m*n*p"),))
    assert to_text(tree) == "eye(m*n*p)"
    assert parse(to_text(tree)) == tree
    k = Call("commutation", (dim_node("m*n"), dim_node(2)))
    assert to_text(k) == "commutation(m*n, 2)"
    assert typed(to_text(k)).shape == ("2*m*n", "2*m*n")


# -- LaTeX ---------------------------------------------------------------------------

LATEX = [
    ("kron(B', A)", r"B^{\top} \otimes A"),
    ("kron(B', A)*commutation(m, n)", r"(B^{\top} \otimes A) K_{mn}"),
    ("kron(B', A)*vec(X)", r"(B^{\top} \otimes A) \operatorname{vec}(X)"),
    ("v*kron(b, a)'", r"v (b \otimes a)^{\top}"),
    ("V*kron(b, a)", r"V (b \otimes a)"),
    ("kron(kron(a, b), a)", r"(a \otimes b) \otimes a"),
    ("kron(a, kron(b, a))", r"a \otimes (b \otimes a)"),
    ("kron(-a, a + a)", r"(-a) \otimes (a + a)"),
    ("kron(S*S, S)", r"(S S) \otimes S"),
    ("kron(S .* S, S)", r"(S \odot S) \otimes S"),
    ("kron(S^2, S')", r"S^{2} \otimes S^{\top}"),
    ("kron(S, S)^2", r"(S \otimes S)^{2}"),
    ("inv(kron(S, S))", r"(S \otimes S)^{-1}"),
    ("-kron(a, b)", r"-a \otimes b"),
    ("2*kron(a, b)", r"2 (a \otimes b)"),
    ("kron(a, b) + v", r"a \otimes b + v"),
    ("kron(a, b) .* v", r"(a \otimes b) \odot v"),
    ("tr(kron(S, S))", r"\operatorname{tr}(S \otimes S)"),
    ("vec(X)", r"\operatorname{vec}(X)"),
    ("vec(A*X*B)", r"\operatorname{vec}(A X B)"),
    ("vec(X)'", r"\operatorname{vec}(X)^{\top}"),
    ("commutation(m, n)", "K_{mn}"),
    ("commutation(2, 3)", "K_{23}"),
    ("commutation(m*n, p)", "K_{mn,p}"),
    ("commutation(n, n)'", r"K_{nn}^{\top}"),
    ("eye(m*n)", "I_{mn}"),
    ("eye(n*n)", "I_{n^{2}}"),
    ("eye(2*m)", "I_{2m}"),
    ("ones(m*n)", r"\mathbf{1}_{mn}"),
    ("zeros(m*n, p)", r"0_{mn \times p}"),
    (
        "(eye(n*n) + commutation(n, n))*kron(eye(n), S')",
        r"(I_{n^{2}} + K_{nn}) (I_{n} \otimes S^{\top})",
    ),
]


@pytest.mark.parametrize(("text", "tex"), LATEX)
def test_to_latex(text: str, tex: str) -> None:
    assert to_latex(typed(text), transpose=r"^{\top}") == tex


def test_to_latex_names_and_bold() -> None:
    env: dict[str, Shape] = {"x": ("n_1", 1)}
    dims = ("n_1", "m", "alpha", "batch")
    k = infer(parse("commutation(n_1, m)"), env, dims=dims)
    assert to_latex(k) == "K_{n_{1},m}"
    assert to_latex(k, {"n_1": "N"}) == "K_{Nm}"
    assert to_latex(k, bold=True) == r"\boldsymbol{K}_{n_{1},m}"
    assert to_latex(infer(parse("eye(m*n_1)"), env, dims=dims)) == "I_{m n_{1}}"
    assert to_latex(infer(parse("eye(alpha*m)"), env, dims=dims)) == r"I_{\alpha m}"
    assert to_latex(infer(parse("eye(m*batch)"), env, dims=dims)) == r"I_{\mathrm{batch} \cdot m}"
    assert to_latex(infer(parse("commutation(alpha, m)"), env, dims=dims)) == r"K_{\alpha,m}"


@pytest.mark.parametrize(
    ("dim", "tex"),
    [
        ("n", "n"),
        (3, "3"),
        ("m*n", "mn"),
        ("2*n", "2n"),
        ("n*n", "n^{2}"),
        ("m*n*n", "m n^{2}"),
        ("m*n_1", "m n_{1}"),
        ("12*n", "12n"),
        ("alpha*n", r"\alpha n"),
        ("batch*n", r"\mathrm{batch} \cdot n"),
    ],
)
def test_dim_latex(dim: DimT, tex: str) -> None:
    assert dim_latex(dim) == tex


def test_dim_latex_names_and_a_power_of_a_superscripted_name() -> None:
    assert dim_latex("m*n", {"m": "M", "n": "N"}.__getitem__) == "MN"
    assert dim_latex("n*n", lambda name: "n'") == "{n'}^{2}"


def test_shapes_on_sheets() -> None:
    assert shape_latex(("p*q", "m*n")) == r"pq \times mn"
    assert shape_latex(("n*n", 1)) == r"n^{2} \times 1"
    assert shape_latex(("m*n_1", "m"), {"m": "M"}) == r"M n_{1} \times M"
    assert shape_text(("m*n", 1)) == ["m*n", 1]


def test_the_differential_of_a_vec_on_the_left() -> None:
    assert lhs_latex(Differential("Y", vec=True), {"Y": "Y"}) == r"\mathrm{d}\operatorname{vec} Y"
    assert lhs_latex(Differential("W_1", vec=True), {}) == r"\mathrm{d}\operatorname{vec} W_{1}"


# -- numpy and the evaluator -----------------------------------------------------------

NUMERIC = [
    "kron(B', A)",
    "kron(A, B) + kron(A, B)",
    "kron(a, b)",
    "kron(c, X) + kron(X, c)",
    "kron(c, c)",
    "kron(a, u)",
    "vec(X)",
    "vec(X')",
    "vec(c)",
    "vec(A*X*B)",
    "kron(B', A)*vec(X)",
    "commutation(m, n)",
    "commutation(n, m)*vec(X)",
    "commutation(2, 3) + commutation(3, 2)'",
    "commutation(m*n, p)",
    "commutation(1, n)",
    "eye(m*n) + V",
    "V + I + commutation(m, n)",
    "ones(n*n) + zeros(n*n, 1)",
    "zeros(2*m*n, q*p)",
    "(eye(n*n) + commutation(n, n))*kron(eye(n), S')",
    "vec(X)'*V*v",
    "kron(kron(a, b), a)",
    "tr(kron(S, S)) + det(kron(S, S) + eye(n*n)*3)",
    "kron(S, S)^2",
]


@pytest.mark.parametrize("text", NUMERIC)
@pytest.mark.parametrize("seed", [0, 1])
def test_numpy_agrees_with_evaluate(text: str, seed: int) -> None:
    assert_numpy_matches_evaluate(typed(text), values(seed), SIZES, SIZE_TEXT)


def test_numpy_forms() -> None:
    assert to_numpy(typed("kron(B', A)")) == "np.kron(B.T, A)"
    assert to_numpy(typed("vec(X)")) == 'np.reshape(X, (-1, 1), order="F")'
    assert to_numpy(typed("commutation(2, 3)")) == "np.eye(6)[np.arange(6).reshape(3, 2).T.ravel()]"
    assert to_numpy(typed("eye(m*n)"), SIZE_TEXT) == "np.eye((X.shape[0] * X.shape[1]))"
    assert to_numpy(typed("ones(2*n)"), SIZE_TEXT) == "np.ones(((2 * X.shape[1]), 1))"
    assert to_numpy(typed("eye(m*n)"), {"m*n": "N"}) == "np.eye(N)"
    with pytest.raises(ValueError, match="size 'm'"):
        to_numpy(typed("eye(m*n)"), {"n": "3"})


def test_vec_of_a_float_is_a_column() -> None:
    tree = typed("vec(c)")
    assert np.shape(run_numpy(to_numpy(tree), {"c": 2.5})) == (1, 1)


def test_commutation_matches_the_permutation_formula() -> None:
    for m, n in [(1, 1), (1, 4), (2, 3), (3, 2), (4, 4)]:
        formula = np.eye(m * n)[np.arange(m * n).reshape(n, m).T.ravel()]
        np.testing.assert_array_equal(commutation(m, n), formula)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vec_identities_numerically(seed: int) -> None:
    bound = values(seed)
    X, A, B = bound["X"], bound["A"], bound["B"]

    def ev(text: str) -> Any:
        return evaluate(typed(text), bound, SIZES)

    vec = X.reshape(-1, 1, order="F")
    np.testing.assert_allclose(ev("vec(X)"), vec)
    np.testing.assert_allclose(ev("vec(X)")[:, 0], np.concatenate(X.T))  # columns stacked
    np.testing.assert_allclose(ev("commutation(m, n)*vec(X)"), X.T.reshape(-1, 1, order="F"))
    np.testing.assert_allclose(ev("commutation(m, n)*vec(X)"), ev("vec(X')"))
    np.testing.assert_array_equal(ev("commutation(m, n)'"), ev("commutation(n, m)"))
    np.testing.assert_array_equal(ev("commutation(m, n)*commutation(n, m)"), ev("eye(m*n)"))
    np.testing.assert_allclose(ev("vec(A*X*B)"), ev("kron(B', A)*vec(X)"))
    np.testing.assert_allclose(ev("kron(B', A)"), np.kron(B.T, A))
    # K_rm (A (x) B) K_ns = B (x) A for A m x n and B r x s (here A is p x m, B n x q).
    np.testing.assert_allclose(
        ev("commutation(n, p)*kron(A, B)*commutation(m, q)"), ev("kron(B, A)"), atol=1e-12
    )


def test_evaluate_sizes_of_products() -> None:
    assert np.shape(evaluate(typed("eye(m*n*p)"), {}, SIZES)) == (24, 24)
    assert np.shape(evaluate(typed("zeros(2*q, n*n)"), {}, SIZES)) == (10, 9)
    assert np.shape(evaluate(typed("V + I"), values(0), SIZES)) == (6, 6)


# -- size ---------------------------------------------------------------------------------


def test_size_counts_calls_and_not_the_insides_of_sizes() -> None:
    assert size(typed("kron(B', A)")) == 2
    assert size(typed("kron(B', A)*vec(X)")) == 4
    assert size(typed("commutation(m, n)")) == 1
    assert size(typed("eye(m*n)")) == 1
    assert size(typed("eye(n)")) == 1
    assert size(typed("zeros(2*m*n, p)")) == 1
