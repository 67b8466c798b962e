"""Broadcasting in + - .* ./ (SPEC section 8): inferred shapes against NumPy's, printers.

NumPy's rule for 2-D arrays (numpy.org, "Broadcasting"): axis by axis the sizes
are equal or one of them is 1. Random trees of broadcast operators over operands
of the shapes 1 x 1, m x 1, 1 x n and m x n get the shape NumPy computes, and
their text, numpy and evaluator forms agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gen.errors import GenError
from gen.expr.ast import Shape
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import binary_shape, broadcast_shape, infer
from gen.expr.to_latex import to_latex
from gen.expr.to_numpy import to_numpy
from gen.expr.to_text import to_text

ENV: dict[str, Shape] = {
    "s": (1, 1),
    "c": ("m", 1),
    "r": (1, "n"),
    "A": ("m", "n"),
    "B": ("m", "n"),
    "q": ("n", 1),
}
SIZES = {"m": 3, "n": 4}
SIZE_TEXT = {"m": "A.shape[0]", "n": "A.shape[1]"}
OPS = ("+", "-", ".*", "./")


def _values(seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    out: dict[str, object] = {}
    for name, shape in ENV.items():
        rows, cols = (SIZES[d] if isinstance(d, str) else d for d in shape)
        value = rng.uniform(0.5, 1.5, size=(rows, cols))
        out[name] = float(value[0, 0]) if (rows, cols) == (1, 1) else value
    return out


_NAMES = st.sampled_from(["s", "c", "r", "A", "B", "m", "n"])  # m, n: dimensions as values
_LEAVES = st.sampled_from(["s", "c", "r", "A", "B", "2", "m", "n"])


def _trees(leaf: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(OPS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda t: f"-({t})"),
            inner.map(lambda t: f"({t})'"),
        ),
        max_leaves=6,
    )


def _numpy_shape(text: str) -> tuple[int, int] | None:
    """The shape NumPy gives the expression (None where NumPy refuses it)."""
    values = _values(0)
    namespace = {k: np.atleast_2d(np.asarray(v, dtype=float)) for k, v in values.items()}
    namespace.update({d: np.full((1, 1), float(v)) for d, v in SIZES.items()})
    code = text.replace(".*", "*").replace("./", "/").replace("'", ".T")
    try:
        return tuple(np.shape(eval(code, {"__builtins__": {}}, namespace)))  # type: ignore[return-value]  # noqa: S307
    except ValueError:
        return None


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(_trees(_NAMES))
def test_inferred_shapes_are_numpys(text: str) -> None:
    want = _numpy_shape(text)
    try:
        node = infer(parse(text), ENV, dims=tuple(SIZES))
    except GenError:
        assert want is None, text
        return
    assert node.shape is not None
    got = tuple(SIZES[d] if isinstance(d, str) else d for d in node.shape)
    assert got == want, text


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(_trees(_LEAVES))
def test_printed_forms_agree_with_the_evaluator(text: str) -> None:
    try:
        node = infer(parse(text), ENV, dims=tuple(SIZES))
    except GenError:
        return
    values = _values(1)
    want = evaluate(node, values, SIZES)
    again = infer(parse(to_text(node)), ENV, dims=tuple(SIZES))  # text parses back
    assert again == node and again.shape == node.shape
    code = to_numpy(node, SIZE_TEXT)
    got = eval(code, {"np": np, "__builtins__": {}}, {**values, **SIZES})  # noqa: S307
    np.testing.assert_allclose(np.asarray(got, dtype=float), want)


@pytest.mark.parametrize(
    ("left", "right", "shape"),
    [
        ((1, 1), ("m", "n"), ("m", "n")),
        (("m", "n"), (1, 1), ("m", "n")),
        (("m", "n"), (1, "n"), ("m", "n")),
        (("m", 1), ("m", "n"), ("m", "n")),
        (("m", 1), (1, "n"), ("m", "n")),
        ((1, "n"), ("m", 1), ("m", "n")),
        (("m", 1), ("m", 1), ("m", 1)),
    ],
)
def test_broadcast_shape(left: Shape, right: Shape, shape: Shape) -> None:
    assert broadcast_shape(left, right) == shape
    for op in OPS:
        assert binary_shape(op, left, right) == shape


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A + A'", "in 'A + A'': cannot add [m, n] and [n, m]"),
        ("A - q", "in 'A - q': cannot subtract [m, n] and [n, 1]"),
        ("c .* q", "in 'c .* q': cannot entrywise-multiply [m, 1] and [n, 1]"),
        ("A ./ r'", "in 'A ./ r'': cannot entrywise-divide [m, n] and [n, 1]"),
        ("c*r + c*c'", "in 'c*r + c*c'': cannot add [m, n] and [m, m]"),
        ("c*c", "in 'c*c': cannot multiply [m, 1] and [m, 1]: inner sizes 1 and m differ"),
        (
            "A/r",
            "in 'A/r': cannot divide [m, n] by [1, n]: the divisor must be a scalar"
            " (use ./ to divide entrywise)",
        ),
    ],
)
def test_what_stays_an_error(text: str, message: str) -> None:
    with pytest.raises(GenError) as caught:
        infer(parse(text), ENV, expr_text=text, dims=tuple(SIZES))
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "latex", "numpy"),
    [
        ("X*W + b'", r"X W + b^{\top}", "X @ W + b.T"),
        ("1 - A.^2", r"1 - A^{\circ 2}", "1 - A ** 2"),
        ("A.*r", r"A \odot r", "A * r"),
        ("c + r", "c + r", "c + r"),
        ("1/N*A", r"\frac{1}{N} A", "1 / N * A"),
        ("A/(n - 1)", r"\frac{A}{n - 1}", "A / (n - 1)"),
    ],
)
def test_printed_as_the_books_print_it(text: str, latex: str, numpy: str) -> None:
    node = infer(
        parse(text),
        {**ENV, "X": ("N", "d"), "W": ("d", "h"), "b": ("h", 1)},
        dims=("m", "n", "N", "d", "h"),
    )
    assert to_latex(node) == latex
    assert to_numpy(node, {}) == numpy
    assert to_text(node) == text
