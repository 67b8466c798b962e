"""Compiled closures (gen/expr/compiled.py) compute what the interpreter computes, bit for
bit, with and without what does not change computed ahead."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gen.expr.ast import Node, Shape
from gen.expr.compiled import compile_expr
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer

SIZES = {"m": 4, "n": 3}
SHAPES: dict[str, Shape] = {
    "A": ("m", "n"),
    "x": ("n", 1),
    "y": ("m", 1),
    "S": ("n", "n"),
    "t": (1, 1),
}
EXPRESSIONS = (
    "A*x - y",
    "sum((A*x - y).^2)/m",
    "x'*S*x + t^2",
    "exp(A*x) ./ sum(exp(A*x))",
    "log(1 + exp(-y .* (A*x)))",
    "tr(inv(S + n*I)*S)",
    "where(A*x > y, A*x, 0) + ones(m)*t",
    "logdet(S'*S + I) - t*x'*x",
    "-(A'*y)' * x / 2 + softmax(x)'*x",
    "sigmoid(t)*relu(x)'*abs(x) + sqrt(x.^2 + 1)'*x",
    "A*S^2*x - zeros(m, 1) + eye(m)*y",
)


def values(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {
        name: rng.normal(size=tuple(SIZES[d] if isinstance(d, str) else d for d in shape))
        for name, shape in SHAPES.items()
        if name != "t"
    }
    out["t"] = float(rng.normal())
    return out


def same(a: Any, b: Any) -> bool:
    """Equal bit for bit: the same type, shape and bytes."""
    if isinstance(a, float) or isinstance(b, float):
        return type(a) is type(b) and np.float64(a).tobytes() == np.float64(b).tobytes()
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def tree(text: str) -> Node:
    return infer(parse(text), SHAPES)


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_a_compiled_expression_is_the_interpreter_bit_for_bit(text: str) -> None:
    node = tree(text)
    run = compile_expr(node, SIZES)
    for seed in range(3):
        env = values(seed)
        assert same(run(env), evaluate(node, env, SIZES)), text


@pytest.mark.parametrize("text", EXPRESSIONS)
@pytest.mark.parametrize("moving", ["x", "y", "t", "A"])
def test_what_does_not_move_is_computed_once_with_the_same_bits(text: str, moving: str) -> None:
    node = tree(text)
    base = values(0)
    run = compile_expr(node, SIZES, base, {moving})
    matrix = compile_expr(node, SIZES, base, {moving}, matrix=True)
    rng = np.random.default_rng(1)
    for _ in range(3):
        env = dict(base)
        step = rng.normal(size=np.shape(base[moving])) * 1e-3
        env[moving] = (
            base[moving] + step
            if not isinstance(base[moving], float)
            else (float(base[moving] + float(rng.normal()) * 1e-3))
        )
        want = evaluate(node, env, SIZES)
        assert same(run({moving: env[moving]}), want), text  # reads only the moving name
        got = matrix({moving: env[moving]})
        assert isinstance(got, np.ndarray) and got.ndim == 2
        assert same(got, np.atleast_2d(want)), text


def test_a_dimension_is_its_size_where_no_value_has_its_name() -> None:
    node = infer(parse("x/n + n*t"), SHAPES)
    env = values(2)
    assert same(compile_expr(node, SIZES)(env), evaluate(node, env, SIZES))


def test_a_shape_error_is_raised_as_the_interpreter_raises_it() -> None:
    node = parse("x + y")  # n x 1 against m x 1: refused at run time, as evaluate does
    env = values(0)
    with pytest.raises(ValueError, match="cannot apply"):
        evaluate(node, env, SIZES)
    with pytest.raises(ValueError, match="cannot apply"):
        compile_expr(node, SIZES)(env)
