"""Random well-shaped trees: text round-trips, numpy agrees with the evaluator, shapes hold."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gen.errors import ConstantTooLarge, GenError
from gen.expr.ast import ENTRYWISE, Binary, Call, DimT, Name, Neg, Node, Num, Shape, Transpose
from gen.expr.evaluate import evaluate
from gen.expr.parser import MAX_EXPONENT, _values, parse
from gen.expr.shape import infer
from gen.expr.to_latex import to_latex
from gen.expr.to_numpy import to_numpy
from gen.expr.to_text import to_text
from gen.expr.walk import nodes

ENV: dict[str, Shape] = {
    "X": ("m", "n"),
    "W_1": ("n", "m"),
    "A": ("n", "n"),
    "S": ("m", "m"),
    "x": ("n", 1),
    "y": ("m", 1),
    "u": (1, "n"),
    "c": (1, 1),
    "lam": (1, 1),
    "T": (1, 1),
    "P": (2, 2),
    "v": (2, 1),
    "Q": ("m", 2),
    "R": ("n", 2),
    "G": (2, "m"),
    "H": (2, "n"),
    "r": (1, "m"),
    "s": (1, 2),
}
DIMS: tuple[DimT, ...] = ("m", "n", 1, 2)
SIZES = {"m": 3, "n": 4}
SIZE_TEXT = {"m": "X.shape[0]", "n": "X.shape[1]"}
NUMBERS = [Fraction(k) for k in range(6)] + [Fraction(1, 2), Fraction(3, 4), Fraction(5, 2)]
SHAPES = [(r, c) for r in DIMS for c in DIMS]

Draw = Any


def _dim_node(dim: DimT) -> Node:
    return Name(dim) if isinstance(dim, str) else Num(Fraction(dim))


def _leaf(draw: Draw, shape: Shape) -> Node:
    rows, cols = shape
    names: list[Node] = [Name(name) for name, s in ENV.items() if s == shape]
    if shape == (1, 1):
        names += [Num(value) for value in NUMBERS]
    if names and draw(st.integers(0, 4)) > 0:
        return draw(st.sampled_from(names))
    options: list[Node] = [Call("zeros", (_dim_node(rows), _dim_node(cols)))]
    if cols == 1:
        options.append(Call("ones", (_dim_node(rows),)))
    if rows == cols:
        options.append(Call("eye", (_dim_node(rows),)))
    return draw(st.sampled_from(options))


def _exponent(draw: Draw, *, integer: bool = False) -> Node:
    if not integer and draw(st.integers(0, 5)) == 0:
        return Name("T")  # printed after ^ it needs parentheses: A^T is a transpose
    k = draw(st.integers(-2, 3))
    if k >= 0:
        return Num(Fraction(k))
    return Neg(Num(Fraction(-k)))


def _kinds(shape: Shape) -> list[str]:
    rows, cols = shape
    kinds = [
        "neg",
        "transpose",
        "add",
        "entrywise",
        "product",
        "scale",
        "divide",
        "epow",
        "entrywise-call",
    ]
    if shape == (1, 1):
        kinds += ["pow", "pow-any", "reduce", "square-reduce", "logsumexp", "literals"]
    elif rows == cols:
        kinds += ["matpow", "inv", "diag", "identity"]
    if cols == 1:
        kinds.append("softmax")
    if shape != (1, 1):
        kinds.append("identity-product")
    return kinds


def _tree(draw: Draw, shape: Shape, depth: int) -> Node:  # noqa: C901 - one draw per construct
    if depth <= 0 or draw(st.integers(0, 5)) == 5:
        return _leaf(draw, shape)
    sub = depth - 1
    rows, cols = shape
    kind = draw(st.sampled_from(_kinds(shape)))
    if kind == "neg":
        return Neg(_tree(draw, shape, sub))
    if kind == "transpose":
        return Transpose(_tree(draw, (cols, rows), sub))
    if kind == "add":
        op = draw(st.sampled_from(["+", "-"]))
        return Binary(op, _tree(draw, shape, sub), _tree(draw, shape, sub))
    if kind == "entrywise":
        op = draw(st.sampled_from([".*", "./"]))
        sides = draw(st.sampled_from(["both", "scalar-left", "scalar-right"]))
        left = _tree(draw, (1, 1) if sides == "scalar-left" else shape, sub)
        right = _tree(draw, (1, 1) if sides == "scalar-right" else shape, sub)
        return Binary(op, left, right)
    if kind == "product":
        inner = draw(st.sampled_from(DIMS))
        return Binary("*", _tree(draw, (rows, inner), sub), _tree(draw, (inner, cols), sub))
    if kind == "scale":
        scalar, other = _tree(draw, (1, 1), sub), _tree(draw, shape, sub)
        return Binary("*", scalar, other) if draw(st.booleans()) else Binary("*", other, scalar)
    if kind == "divide":
        return Binary("/", _tree(draw, shape, sub), _tree(draw, (1, 1), sub))
    if kind == "epow":
        return Binary(".^", _tree(draw, shape, sub), _exponent(draw))
    if kind == "pow":
        return Binary("^", _tree(draw, shape, sub), _exponent(draw))
    if kind == "literals":  # number over number: must not fold when printed and parsed
        op = draw(st.sampled_from(["/", "*", "^", ".^", "./"]))
        left, right = (Num(draw(st.sampled_from(NUMBERS))) for _ in range(2))
        return Binary(op, left, right)
    if kind == "pow-any":
        return Binary("^", _tree(draw, shape, sub), _tree(draw, shape, sub))
    if kind == "matpow":
        return Binary("^", _tree(draw, shape, sub), _exponent(draw, integer=True))
    if kind == "entrywise-call":
        func = draw(st.sampled_from(ENTRYWISE))
        return Call(func, (_tree(draw, shape, sub),))
    if kind == "reduce":
        func = draw(st.sampled_from(["sum", "norm2"]))
        return Call(func, (_tree(draw, draw(st.sampled_from(SHAPES)), sub),))
    if kind == "square-reduce":
        func = draw(st.sampled_from(["tr", "det", "logdet"]))
        size = draw(st.sampled_from(DIMS))
        return Call(func, (_tree(draw, (size, size), sub),))
    if kind == "logsumexp":
        size = draw(st.sampled_from(DIMS))
        return Call("logsumexp", (_tree(draw, (size, 1), sub),))
    if kind == "softmax":
        return Call("softmax", (_tree(draw, shape, sub),))
    if kind == "inv":
        return Call("inv", (_tree(draw, shape, sub),))
    if kind == "diag":
        return Call("diag", (_tree(draw, (rows, 1), sub),))
    if kind == "identity":
        scaled = Binary("*", _tree(draw, (1, 1), sub), Call("I", ()))
        other = _tree(draw, shape, sub)
        return Binary("+", scaled, other) if draw(st.booleans()) else Binary("-", other, scaled)
    assert kind == "identity-product"
    other = _tree(draw, shape, sub)
    return (
        Binary("*", Call("I", ()), other)
        if draw(st.booleans())
        else Binary("*", other, Call("I", ()))
    )


@st.composite
def shaped_trees(draw: Draw) -> tuple[Node, Shape]:
    """A random tree and the shape it was built to have."""
    shape = draw(st.sampled_from(SHAPES))
    return _tree(draw, shape, draw(st.integers(2, 6))), shape


def _size(dim: DimT) -> int:
    return dim if isinstance(dim, int) else SIZES[dim]


@st.composite
def values(draw: Draw) -> dict[str, Any]:
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for name, (rows, cols) in ENV.items():
        if (rows, cols) == (1, 1):
            out[name] = float(rng.uniform(0.5, 1.5))
        else:
            out[name] = rng.uniform(0.5, 1.5, size=(_size(rows), _size(cols)))
    return out


SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@SETTINGS
@given(shaped_trees())
def test_text_round_trips(case: tuple[Node, Shape]) -> None:
    tree, _ = case
    text = to_text(tree)
    try:
        parsed = parse(text)
    except GenError as refused:  # a constant zero divisor is refused where it is written,
        if "is too large" in refused.message:  # and so is a constant exponent beyond the limit
            assert _has_too_large_exponent(tree), text
        else:
            assert refused.message.startswith("division by zero"), text
            assert _divides_by_constant_zero(tree), text
        assume(False)
    assert parsed == tree, text


def _has_too_large_exponent(tree: Node) -> bool:
    """Whether some power in ``tree`` has a constant exponent beyond ``MAX_EXPONENT`` (or one
    too large to fold)."""
    for n in nodes(tree):
        if isinstance(n, Binary) and n.op in ("^", ".^"):
            try:
                value = _values(n.right)[id(n.right)]
            except ConstantTooLarge:
                return True
            if value is not None and abs(value) > MAX_EXPONENT:
                return True
    return False


def _divides_by_constant_zero(tree: Node) -> bool:
    """Whether some ``/``, ``./`` or negative power in ``tree`` has a constant zero in it."""
    try:
        values = _values(tree)
    except GenError:
        return True
    return any(
        isinstance(n, Binary) and n.op in ("/", "./") and values[id(n.right)] == 0
        for n in nodes(tree)
    )


@SETTINGS
@given(shaped_trees())
def test_inferred_shape_is_the_built_shape(case: tuple[Node, Shape]) -> None:
    tree, shape = case
    assert infer(tree, ENV).shape == shape


@SETTINGS
@given(shaped_trees())
def test_latex_is_balanced(case: tuple[Node, Shape]) -> None:
    tex = to_latex(infer(case[0], ENV))
    depth = 0
    for char in tex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, tex
    assert depth == 0, tex
    assert tex.count(r"\left(") == tex.count(r"\right)"), tex


def _run_numpy(code: str, bound: dict[str, Any]) -> Any:
    """Evaluate printed numpy text with nothing but np and the values in scope."""
    return eval(code, {"__builtins__": {}, "np": np, **bound})  # noqa: S307 - test only


@SETTINGS
@given(shaped_trees(), values())
def test_numpy_agrees_with_evaluate(case: tuple[Node, Shape], bound: dict[str, Any]) -> None:
    tree, shape = case
    # A spec cannot divide by a constant zero (the parser refuses it where it is written):
    # x/(-0) is -inf in numpy and +inf in exact arithmetic, and neither is an answer.
    assume(not _divides_by_constant_zero(tree))
    typed = infer(tree, ENV)
    code = to_numpy(typed, SIZE_TEXT)
    with np.errstate(all="ignore"):
        try:
            got = _run_numpy(code, bound)
            expected = evaluate(typed, bound, SIZES)
        except (ZeroDivisionError, OverflowError, np.linalg.LinAlgError):
            assume(False)
            return
    assume(not np.iscomplexobj(got))
    got_array = np.asarray(got, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    assume(np.all(np.isfinite(expected_array)) and np.all(np.isfinite(got_array)))
    assume(np.max(np.abs(expected_array), initial=0.0) < 1e8)
    rows, cols = _size(shape[0]), _size(shape[1])
    if (rows, cols) == (1, 1):
        assert got_array.shape in ((), (1, 1)), code
        assert isinstance(expected, float)
    else:
        assert got_array.shape == (rows, cols), code
        assert expected_array.shape == (rows, cols)
    scale = max(1.0, float(np.max(np.abs(expected_array), initial=0.0)))
    np.testing.assert_allclose(
        got_array.reshape(expected_array.shape),
        expected_array,
        rtol=1e-6,
        atol=1e-9 * scale,
        err_msg=code,
    )


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="xyAT12.+-*/^'(), _$\n", max_size=30))
def test_parse_of_any_text_is_a_tree_or_a_gen_error(text: str) -> None:
    try:
        tree = parse(text)
    except GenError as err:
        assert err.span is not None and err.message
        return
    assert parse(to_text(tree)) == tree
