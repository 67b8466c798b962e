"""Shape rules and inference: every operator and function, I, and pinned messages."""

from __future__ import annotations

import pytest

from gen.errors import GenError, Where, format_error
from gen.expr.ast import Call, Node, Shape, children
from gen.expr.parser import parse
from gen.expr.shape import (
    ShapeError,
    binary_shape,
    call_shape,
    format_shape,
    infer,
    sized_shape,
    transpose_shape,
)

ENV: dict[str, Shape] = {
    "X": ("m", "n"),
    "A": ("n", "n"),
    "B": ("n", "n"),
    "S": ("m", "m"),
    "P": (3, 3),
    "w": ("n", 1),
    "x": ("n", 1),
    "y": ("m", 1),
    "z": ("m", 1),
    "u": (1, "n"),
    "v": (3, 1),
    "lam": (1, 1),
    "c": (1, 1),
}
DIMS = ("m", "n")


def shape_of(text: str) -> Shape | None:
    return infer(parse(text), ENV, expr_text=text, dims=DIMS).shape


SHAPES = [
    # names and numbers
    ("X", ("m", "n")),
    ("2", (1, 1)),
    ("1/2", (1, 1)),
    # + - need equal shapes
    ("X*w - y", ("m", 1)),
    ("A + B - A", ("n", "n")),
    ("lam + c", (1, 1)),
    ("-w", ("n", 1)),
    # products and scaling
    ("X*w", ("m", 1)),
    ("X'*X", ("n", "n")),
    ("w*w'", ("n", "n")),
    ("w'*w", (1, 1)),
    ("u*w", (1, 1)),
    ("lam*X", ("m", "n")),
    ("X*lam", ("m", "n")),
    ("2*w", ("n", 1)),
    ("(w'*w)*X", ("m", "n")),
    ("X*(w'*w)", ("m", "n")),
    ("1/2*z'*z + lam/2*w'*w", (1, 1)),
    # entrywise: equal shapes or one side scalar
    ("x .* w", ("n", 1)),
    ("x ./ w", ("n", 1)),
    ("lam .* X", ("m", "n")),
    ("X ./ lam", ("m", "n")),
    # division by a scalar
    ("X / lam", ("m", "n")),
    ("w / 2", ("n", 1)),
    # powers
    ("A^2", ("n", "n")),
    ("A^-1", ("n", "n")),
    ("A^0", ("n", "n")),
    ("A^--2", ("n", "n")),
    ("lam^c", (1, 1)),
    ("lam^(1/2)", (1, 1)),
    ("(w'*w)^(x'*x)", (1, 1)),
    ("X.^2", ("m", "n")),
    ("X.^lam", ("m", "n")),
    # transpose
    ("X'", ("n", "m")),
    ("X^T", ("n", "m")),
    ("X''", ("m", "n")),
    ("lam'", (1, 1)),
    # functions
    ("inv(A)", ("n", "n")),
    ("inv(lam)", (1, 1)),
    ("det(A)", (1, 1)),
    ("logdet(S)", (1, 1)),
    ("tr(X'*X)", (1, 1)),
    ("diag(w)", ("n", "n")),
    ("diag(lam)", (1, 1)),
    ("sum(X)", (1, 1)),
    ("norm2(w)", (1, 1)),
    ("norm2(X)", (1, 1)),
    ("exp(X)", ("m", "n")),
    ("log(w)", ("n", 1)),
    ("sin(lam)", (1, 1)),
    ("cos(u)", (1, "n")),
    ("tanh(X)", ("m", "n")),
    ("sigmoid(X*w)", ("m", 1)),
    ("sqrt(w)", ("n", 1)),
    ("softmax(X*w)", ("m", 1)),
    ("logsumexp(X*w)", (1, 1)),
    ("eye(n)", ("n", "n")),
    ("eye(3)", (3, 3)),
    ("ones(m)", ("m", 1)),
    ("zeros(m, n)", ("m", "n")),
    ("zeros(2, n)", (2, "n")),
    ("P*v", (3, 1)),
    ("eye(3)*v", (3, 1)),
    # I takes its size from its neighbours
    ("A + I", ("n", "n")),
    ("I - A", ("n", "n")),
    ("I*X'", ("n", "m")),
    ("X*I", ("m", "n")),
    ("I*X", ("m", "n")),
    ("lam*I + X'*X", ("n", "n")),
    ("X'*X + lam*I", ("n", "n")),
    ("inv(X'*X + lam*I)*X'*y", ("n", 1)),
    ("-I + A", ("n", "n")),
    ("I' + A", ("n", "n")),
    ("(2*I)/lam + A", ("n", "n")),
    ("I^2 + A", ("n", "n")),
    ("inv(I) + A", ("n", "n")),
    ("exp(I) .* A", ("n", "n")),
    ("(I + I)*w", ("n", 1)),
    ("lam .* I + A", ("n", "n")),
    ("I .* A", ("n", "n")),
    ("lam + I", (1, 1)),
    ("x'*I*x", (1, 1)),
    ("X/I", ("m", "n")),
    # broadcasting in + - .* ./ (SPEC section 8), as NumPy does for 2-D shapes
    ("lam + w", ("n", 1)),
    ("w - 1", ("n", 1)),
    ("1 - X.^2", ("m", "n")),
    ("X + u", ("m", "n")),
    ("X*A + u", ("m", "n")),
    ("u - X", ("m", "n")),
    ("X .* y", ("m", "n")),
    ("y ./ X", ("m", "n")),
    ("X .* u", ("m", "n")),
    ("y + u", ("m", "n")),
    ("u .* y", ("m", "n")),
    ("z + z' - 2*X*X'", ("m", "m")),
    ("-(u + c)", (1, "n")),
    # a dimension as a value: its size, a scalar
    ("n*w", ("n", 1)),
    ("1/m", (1, 1)),
    ("(n - 1)*lam", (1, 1)),
    ("sqrt(n)", (1, 1)),
    ("c^(n/2)", (1, 1)),
    ("lam^n", (1, 1)),
    ("X.^n", ("m", "n")),
    ("w/(n - 1)", ("n", 1)),
]


@pytest.mark.parametrize(("text", "shape"), SHAPES)
def test_shapes(text: str, shape: Shape) -> None:
    assert shape_of(text) == shape


def test_every_node_gets_a_shape() -> None:
    text = "inv(X'*X + lam*I)*X'*y + eye(n)*ones(n) - zeros(n, 1) + 2*I*w"
    tree = infer(parse(text), ENV, dims=DIMS)
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        assert node.shape is not None, node
        stack.extend(children(node))


def test_identity_gets_its_size() -> None:
    tree = infer(parse("X*I"), ENV, dims=DIMS)
    identity = tree.right if hasattr(tree, "right") else None
    assert isinstance(identity, Call) and identity.shape == ("n", "n")
    tree = infer(parse("I*X"), ENV, dims=DIMS)
    identity = tree.left if hasattr(tree, "left") else None
    assert isinstance(identity, Call) and identity.shape == ("m", "m")


def test_input_tree_is_not_changed() -> None:
    tree = parse("X*w")
    infer(tree, ENV)
    assert tree.shape is None


def test_dims_default_to_those_of_the_environment() -> None:
    assert infer(parse("eye(m)"), ENV).shape == ("m", "m")


ERRORS = [
    ("X*x - w", "in 'X*x - w': cannot subtract [m, 1] and [n, 1]", 1),
    ("y + X*w - w", "in 'y + X*w - w': cannot subtract [m, 1] and [n, 1]", 1),
    ("y + (X*w + w)", "in 'y + (X*w + w)': cannot add [m, 1] and [n, 1]", 6),
    # broadcasting (SPEC section 8) fits a size 1 to any size, never two different sizes
    ("X + w", "in 'X + w': cannot add [m, n] and [n, 1]", 1),
    ("X - X'", "in 'X - X'': cannot subtract [m, n] and [n, m]", 1),
    ("X .* u'", "in 'X .* u'': cannot entrywise-multiply [m, n] and [n, 1]", 1),
    ("y*u + w", "in 'y*u + w': cannot add [m, n] and [n, 1]", 1),
    ("w*y", "in 'w*y': cannot multiply [n, 1] and [m, 1]: inner sizes 1 and m differ", 1),
    ("X*X", "in 'X*X': cannot multiply [m, n] and [m, n]: inner sizes n and m differ", 1),
    ("X'*w", "in 'X'*w': cannot multiply [n, m] and [n, 1]: inner sizes m and n differ", 1),
    ("P*w", "in 'P*w': cannot multiply [3, 3] and [n, 1]: inner sizes 3 and n differ", 1),
    ("x .* y", "in 'x .* y': cannot entrywise-multiply [n, 1] and [m, 1]", 1),
    ("x ./ X", "in 'x ./ X': cannot entrywise-divide [n, 1] and [m, n]", 1),
    (
        "X / w",
        "in 'X / w': cannot divide [m, n] by [n, 1]: the divisor must be a scalar"
        " (use ./ to divide entrywise)",
        1,
    ),
    (
        "X^2",
        "in 'X^2': cannot raise [m, n] to a power: it is not square"
        " (use .^ for an entrywise power)",
        1,
    ),
    (
        "w^2",
        "in 'w^2': cannot raise [n, 1] to a power: it is not square"
        " (use .^ for an entrywise power)",
        1,
    ),
    ("A^lam", "in 'A^lam': cannot raise [n, n] to a power that is not an integer number", 1),
    ("A^(1/2)", "in 'A^(1/2)': cannot raise [n, n] to a power that is not an integer number", 1),
    (
        "A^-1'",
        "in 'A^-1'': cannot raise [n, n] to a power that is not an integer number"
        " (' binds tighter than ^: write (A^-1)' for a transposed inverse)",
        1,
    ),
    (
        "lam^w",
        "in 'lam^w': cannot raise [1, 1] to the power [n, 1]: the exponent must be a scalar",
        1,
    ),
    (
        "X.^w",
        "in 'X.^w': cannot entrywise-raise [m, n] to the power [n, 1]:"
        " the exponent must be a scalar",
        1,
    ),
    ("inv(X)", "in 'inv(X)': cannot invert [m, n]: it is not square", 1),
    ("det(X)", "in 'det(X)': cannot take det of [m, n]: it is not square", 1),
    ("logdet(w)", "in 'logdet(w)': cannot take logdet of [n, 1]: it is not square", 1),
    ("1 + tr(X)", "in '1 + tr(X)': cannot take tr of [m, n]: it is not square", 5),
    (
        "diag(X)",
        "in 'diag(X)': diag needs a column vector [n, 1] or a square matrix, not [m, n]",
        1,
    ),
    (
        "diag(u)",
        "in 'diag(u)': diag needs a column vector [n, 1] or a square matrix, not [1, n]",
        1,
    ),
    (
        "softmax(X)",
        "in 'softmax(X)': softmax of [m, n] needs a dimension: write softmax(A, 1) for each"
        " column or softmax(A, 2) for each row",
        1,
    ),
    (
        "logsumexp(u)",
        "in 'logsumexp(u)': logsumexp of [1, n] needs a dimension: write logsumexp(A, 1) for"
        " each column or logsumexp(A, 2) for each row",
        1,
    ),
    (
        "1 + sum(X, 3)",
        "in '1 + sum(X, 3)': the dimension of sum(A, k) is 1 (each column) or 2 (each row),"
        " not '3'",
        12,
    ),
    (
        "softmax(X, w)",
        "in 'softmax(X, w)': the dimension of softmax(A, k) is 1 (each column) or 2 (each"
        " row), not 'w'",
        12,
    ),
    ("q*w", "in 'q*w': unknown name 'q'", 1),
    ("X*ww", "in 'X*ww': unknown name 'ww'; did you mean 'w'?", 3),
    ("lamb*w", "in 'lamb*w': unknown name 'lamb'; did you mean 'lam'?", 1),
    ("N*w", "in 'N*w': unknown name 'N'", 1),  # not a dimension of this expression
    ("eye(k)", "in 'eye(k)': unknown dimension 'k'", 5),
    ("ones(nn)", "in 'ones(nn)': unknown dimension 'nn'; did you mean 'n'?", 6),
    (
        "zeros(m, 0)",
        "in 'zeros(m, 0)': a size in zeros(...) must be a dimension name, a"
        " positive integer or a product of them, not '0'",
        10,
    ),
    (
        "eye(n + 1)",
        "in 'eye(n + 1)': a size in eye(...) must be a dimension name, a"
        " positive integer or a product of them, not 'n + 1'",
        5,
    ),
    (
        "eye(1/2)",
        "in 'eye(1/2)': a size in eye(...) must be a dimension name, a"
        " positive integer or a product of them, not '1/2'",
        5,
    ),
    ("I", "in 'I': cannot infer the size of I", 1),
    ("2*I", "in '2*I': cannot infer the size of I", 3),
    ("w + tr(I)", "in 'w + tr(I)': cannot infer the size of I", 8),
    ("sum(I + I)", "in 'sum(I + I)': cannot infer the size of I", 5),
    ("lam .* I", "in 'lam .* I': cannot infer the size of I", 8),
    ("X + I", "in 'X + I': cannot add [m, n] and I: [m, n] is not square", 1),
    ("I - X", "in 'I - X': cannot subtract I and [m, n]: [m, n] is not square", 1),
    ("I / w + A", "in 'I / w + A': cannot divide I by [n, 1]: the divisor must be a scalar", 1),
    ("I^lam + A", "in 'I^lam + A': cannot raise I to a power that is not an integer number", 1),
    (
        "I.^w + A",
        "in 'I.^w + A': cannot entrywise-raise I to the power [n, 1]:"
        " the exponent must be a scalar",
        1,
    ),
    ("v + eye(n)*x", "in 'v + eye(n)*x': cannot add [3, 1] and [n, 1]", 1),
]


@pytest.mark.parametrize(("text", "message", "column"), ERRORS)
def test_errors(text: str, message: str, column: int) -> None:
    with pytest.raises(GenError) as caught:
        infer(parse(text), ENV, expr_text=text, dims=DIMS)
    assert caught.value.message == message
    assert caught.value.span is not None and caught.value.span.column == column


def test_error_names_file_line_and_expression() -> None:
    line = "  z: X*x - w"
    where = Where("least-squares.yaml", 14, 6, exact=True, lines=("",) * 13 + (line,))
    with pytest.raises(GenError) as caught:
        infer(parse("X*x - w", where), ENV, expr_text="X*x - w")
    assert format_error(caught.value) == (
        "least-squares.yaml:14:6: error: in 'X*x - w': cannot subtract [m, 1] and [n, 1]\n"
        "   14 |   z: X*x - w\n"
        "      |      ^^^^^^^"
    )


def test_without_expression_text_there_is_no_prefix() -> None:
    with pytest.raises(GenError) as caught:
        infer(parse("X*x - w"), ENV)
    assert caught.value.message == "cannot subtract [m, 1] and [n, 1]"


# The pure rules, as the calculus engine uses them.


def test_binary_shape_rules() -> None:
    assert binary_shape("*", ("m", "n"), ("n", 1)) == ("m", 1)
    assert binary_shape("*", (1, 1), ("m", "n")) == ("m", "n")
    assert binary_shape("+", ("m", 1), ("m", 1)) == ("m", 1)
    assert binary_shape(".*", ("m", 1), (1, 1)) == ("m", 1)
    assert binary_shape("/", ("m", 1), (1, 1)) == ("m", 1)
    assert binary_shape("^", ("n", "n"), (1, 1), integer_exponent=True) == ("n", "n")
    assert binary_shape("^", (1, 1), (1, 1)) == (1, 1)
    assert binary_shape(".^", ("m", "n"), (1, 1)) == ("m", "n")
    with pytest.raises(ShapeError, match="inner sizes n and k differ"):
        binary_shape("*", ("m", "n"), ("k", 1))
    with pytest.raises(ShapeError, match="not an integer"):
        binary_shape("^", ("n", "n"), (1, 1))
    with pytest.raises(ShapeError, match="unknown operator"):
        binary_shape("%", (1, 1), (1, 1))


def test_dims_compare_by_equality() -> None:
    with pytest.raises(ShapeError):
        binary_shape("+", ("n", 1), (3, 1))
    with pytest.raises(ShapeError):
        binary_shape("+", ("n", "m"), ("m", "n"))
    assert binary_shape("+", ("n", 1), (1, "m")) == ("n", "m")  # a column with a row
    assert binary_shape("./", (1, 1), ("m", "n")) == ("m", "n")
    assert binary_shape("*", (3, 1), (1, 3)) == (3, 3)


def test_call_and_sized_shapes() -> None:
    assert call_shape("inv", [("n", "n")]) == ("n", "n")
    assert call_shape("tr", [("n", "n")]) == (1, 1)
    assert call_shape("diag", [("n", 1)]) == ("n", "n")
    assert call_shape("exp", [("m", "n")]) == ("m", "n")
    assert call_shape("softmax", [("n", 1)]) == ("n", 1)
    assert sized_shape("zeros", ["m", 2]) == ("m", 2)
    assert sized_shape("ones", ["m"]) == ("m", 1)
    assert sized_shape("eye", [4]) == (4, 4)
    assert transpose_shape(("m", "n")) == ("n", "m")
    assert format_shape(("m", 1)) == "[m, 1]"
    with pytest.raises(ShapeError):
        call_shape("eye", [("n", 1)])
    with pytest.raises(ShapeError):
        call_shape("tr", [("n", "n"), ("n", "n")])
    with pytest.raises(ShapeError):
        sized_shape("tr", ["n"])
