"""where(P > Q, A, B): parsing (comparisons only as its first argument), shapes (broadcast,
errors located), and the text, LaTeX and numpy forms."""

from __future__ import annotations

import numpy as np
import pytest

from gen.errors import GenError
from gen.expr.ast import Call, Name, Node, Num
from gen.expr.choice import COMPARISONS, COMPLEMENT
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_latex import to_latex
from gen.expr.to_numpy import to_numpy
from gen.expr.to_text import to_text

HUBER = "where(abs(r) <= delta, r.^2/2, delta*(abs(r) - delta/2))"
SHAPES = {"r": ("n", 1), "delta": (1, 1), "A": ("m", "n"), "x": ("n", 1), "y": (1, "m")}
DIMS = {"m", "n"}


def typed(text: str) -> Node:
    return infer(parse(text), SHAPES, dims=DIMS, expr_text=text)


@pytest.mark.parametrize("op", COMPARISONS)
def test_each_comparison_parses_as_the_first_argument(op: str) -> None:
    tree = parse(f"where(x {op} 1, x, 0)")
    assert isinstance(tree, Call) and tree.func == "where"
    assert tree.args[0] == Call(op, (Name("x"), Num(1)))


@pytest.mark.parametrize(
    "text",
    [
        HUBER,
        "where(x > 0, x, 0)",
        "where(A' >= y', 2*A', -x)",
        "sum(where(x - 1 < x.^2, exp(x), log(x)))",
        "where(x > 0, 1, 0).*x",  # a mask alone
        "where(x > 0, where(x < 2, x, 2), 0)",
    ],
)
def test_text_parses_back_to_the_same_tree(text: str) -> None:
    tree = parse(text)
    assert parse(to_text(tree)) == tree
    assert to_text(tree) == text


def test_where_of_one_and_zero_is_the_mask_itself() -> None:
    assert parse("where(x > y, 1, 0)") == Call(">", (Name("x"), Name("y")))
    assert to_text(parse("where(x > y, 1, 0)")) == "where(x > y, 1, 0)"
    assert isinstance(parse("where(x > y, 0, 1)"), Call)  # not a mask: kept
    assert parse("where(x > y, 0, 1)").func == "where"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("x > 0", "stands only as the first argument of where", 3),
        ("exp(x >= 1)", "stands only as the first argument of where", 7),
        ("where(x, 1, 0)", "the first argument of where(P > Q, A, B) is a comparison", 7),
        ("where(x > 0 > 1, 1, 0)", "stands only as the first argument", 13),
        ("where(x > 0, x > 1, 0)", "stands only as the first argument", 16),
        ("where(x > 0, 1)", "'where' takes 3 arguments, not 2", 1),
    ],
)
def test_misplaced_comparisons_are_errors_at_the_comparison(
    text: str, message: str, column: int
) -> None:
    with pytest.raises(GenError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.span is not None and caught.value.span.column == column


def test_shapes_broadcast() -> None:
    assert typed(HUBER).shape == ("n", 1)
    assert typed("where(x > y, 1, 0)").shape == ("n", "m")  # n x 1 against 1 x m
    assert typed("where(A > 0, x', delta)").shape == ("m", "n")
    assert typed("where(delta > 0, A, x')").shape == ("m", "n")


def test_a_shape_error_stands_at_the_call() -> None:
    text = "2*where(x > delta, A, 0)"
    with pytest.raises(GenError) as caught:
        infer(parse(text), SHAPES, dims=DIMS, expr_text=text)
    assert "cannot broadcast [n, 1], [m, n], [1, 1] together" in caught.value.message
    span = caught.value.span
    assert span is not None and (span.column, span.length) == (3, len(text) - 2)


def test_latex_is_a_sum_of_masked_terms() -> None:
    assert to_latex(typed(HUBER)) == (
        r"[\lvert r \rvert \le \delta] \odot \frac{r^{\circ 2}}{2} + "
        r"[\lvert r \rvert > \delta] \odot \left(\delta \left(\lvert r \rvert - "
        r"\frac{\delta}{2}\right)\right)"
    )
    # A factor of a product: the sum in brackets; a mask alone: its Iverson bracket.
    assert to_latex(typed("2*where(x > 0, x, 0)")) == r"2 ([x > 0] \odot x + [x \le 0] \odot 0)"
    assert to_latex(typed("where(x >= y, 1, 0)")) == r"[x \ge y]"


def test_every_comparison_has_its_complement() -> None:
    for op in COMPARISONS:
        assert COMPLEMENT[COMPLEMENT[op]] == op
        x, y = np.array([[1.0, 2.0, 3.0]]), np.array([[2.0]])
        both = evaluate(typed(f"where(x {op} delta, 1, 0)"), {"x": x.T, "delta": y}, {"n": 3})
        other = evaluate(
            typed(f"where(x {COMPLEMENT[op]} delta, 1, 0)"), {"x": x.T, "delta": y}, {"n": 3}
        )
        assert np.array_equal(both + other, np.ones((3, 1)))  # exactly one holds, even at 2


def test_numpy_form_is_np_where_and_agrees_with_the_evaluator() -> None:
    tree = typed(HUBER)
    code = to_numpy(tree)
    assert code == ("np.where(np.abs(r) <= delta, r ** 2 / 2, delta * (np.abs(r) - delta / 2))")
    r = np.array([[0.5], [3.0], [-2.0], [1.0]])
    got = eval(code, {"np": np, "r": r, "delta": 1.0})  # noqa: S307 - our own numpy form
    want = evaluate(tree, {"r": r, "delta": 1.0}, {"n": 4})
    assert np.allclose(got, want) and np.allclose(want.ravel(), [0.125, 2.5, 1.5, 0.5])
    mask = typed("where(x > y, 1, 0)")
    assert to_numpy(mask) == "(1.0 * (x > y))"
