"""The function table: every row complete, and each row's parts agreeing with each other."""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import sympy as sp

from gen.derive.rules import Build, derivative_entrywise
from gen.errors import ShapeError
from gen.expr import ast
from gen.expr.ast import Call, Name, Node, Num, Shape
from gen.expr.choice import COMPARISONS, WHERE
from gen.expr.dims import DimT, dim_value
from gen.expr.evaluate import evaluate
from gen.expr.functions import (
    DIM_ARGS,
    ENTRYWISE,
    FUNCTIONS,
    RESERVED,
    SIZED,
    Category,
    Function,
    arity_text,
)
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_latex import to_latex
from gen.expr.to_text import to_text
from gen.render.formulas import FORMULAS
from tests.unit.expr.numeric import assert_numpy_matches_evaluate

SIZES = {"m": 4, "n": 3, "p": 2, "q": 5}
SIZE_TEXT = {d: str(v) for d, v in SIZES.items()}
MATRIX: Shape = ("m", "n")
SQUARE: Shape = ("n", "n")
COLUMN: Shape = ("n", 1)
SCALAR: Shape = (1, 1)

# The shapes of the arguments each function of values is tried on (several cases each);
# an integer stands for a dimension argument, the literal 1 or 2 (``sum(A, 1)``).
VALUE_ARGS: dict[str, list[tuple[Shape | int, ...]]] = {
    "inv": [(SQUARE,), (SCALAR,)],
    "tr": [(SQUARE,), (SCALAR,)],
    "det": [(SQUARE,), (SCALAR,)],
    "logdet": [(SQUARE,), (SCALAR,)],
    "diag": [(COLUMN,), (SQUARE,)],
    "sum": [(MATRIX,), (COLUMN,), (MATRIX, 1), (MATRIX, 2)],
    "mean": [(MATRIX,), (COLUMN,), (MATRIX, 1), (MATRIX, 2)],
    "norm2": [(MATRIX,), (COLUMN,)],
    "softmax": [(COLUMN,), (MATRIX, 1), (MATRIX, 2), (COLUMN, 1)],
    "logsumexp": [(COLUMN,), (MATRIX, 1), (MATRIX, 2)],
    "kron": [(MATRIX, ("p", "q")), (COLUMN, SCALAR)],
    "vec": [(MATRIX,), (("n", "m"),)],
    **{name: [(MATRIX,), (SCALAR,)] for name in ENTRYWISE},
    # where(a0 > a1, a2, a3): the comparison's sides, then the two branches (broadcast)
    "where": [(MATRIX, MATRIX, MATRIX, MATRIX), (("m", 1), SCALAR, MATRIX, SCALAR)],
    **{op: [(MATRIX, MATRIX), (COLUMN, (1, "m"))] for op in COMPARISONS},
}
# The sizes each function of sizes is tried on.
SIZE_ARGS: dict[str, list[tuple[str, ...]]] = {
    "eye": [("n",)],
    "ones": [("m",)],
    "zeros": [("m", "n")],
    "commutation": [("m", "n"), ("n", "p")],
}
LATEX_KINDS = {
    "prefix",
    "superscript",
    "root",
    "norm",
    "infix",
    "identity",
    "sized",
    "indexed",
    "bars",
    "iverson",
    "choice",
}


def cases() -> list[tuple[str, Node]]:
    """Every function on each of its samples, as a shape-inferred tree."""
    out: list[tuple[str, Node]] = []
    for name, samples in VALUE_ARGS.items():
        for shapes in samples:
            env = {f"a{i}": shape for i, shape in enumerate(shapes) if not isinstance(shape, int)}
            args = [
                Name(f"a{i}") if not isinstance(shape, int) else Num(Fraction(shape))
                for i, shape in enumerate(shapes)
            ]
            call = Call(name, tuple(args))
            if name == WHERE:  # its first argument is a comparison of the first two
                call = Call(name, (Call(">", tuple(args[:2])), *args[2:]))
            out.append((name, infer(call, env, dims=SIZES)))
    for name, samples in SIZE_ARGS.items():
        for sizes in samples:
            out.append((name, infer(Call(name, tuple(Name(d) for d in sizes)), {}, dims=SIZES)))
    out.append(("I", Call("I", (), shape=("n", "n"))))
    out.append(("pi", infer(Call("pi", ()), {}, dims=SIZES)))
    return out


CASES = cases()
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


def values_for(tree: Node, seed: int = 0) -> dict[str, Any]:
    """Positive entries for every argument; a square one well-conditioned (for inv, logdet)."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    if not isinstance(tree, Call) or not FUNCTIONS[tree.func].of_values:
        return out
    for arg in _leaves(tree):
        if isinstance(arg, Num):
            continue  # a dimension argument
        assert isinstance(arg, Name) and arg.shape is not None
        rows, cols = (dim_value(d, SIZES) for d in arg.shape)
        value = rng.uniform(0.5, 1.5, size=(rows, cols))
        if rows == cols and rows > 1:
            value = value @ value.T + rows * np.eye(rows)
        out[arg.id] = value
    return out


def _leaves(tree: Call) -> tuple[Node, ...]:
    """The arguments, those of where's comparison in its place."""
    first = tree.args[0] if tree.args else None
    if tree.func == WHERE and isinstance(first, Call):
        return (*first.args, *tree.args[1:])
    return tree.args


def concrete(shape: Shape) -> tuple[int, int]:
    return (dim_value(shape[0], SIZES), dim_value(shape[1], SIZES))


def argument_values(tree: Call, values: dict[str, Any]) -> list[Any]:
    """The evaluator's arguments: the values, a dimension argument as a (1, 1) array (where's
    comparison as its mask)."""
    if tree.func == WHERE:
        mask = evaluate(tree.args[0], values, SIZES)
        return [mask, *(values[arg.id] for arg in tree.args[1:] if isinstance(arg, Name))]
    return [
        values[arg.id] if isinstance(arg, Name) else np.array([[float(arg.value)]])
        for arg in tree.args
        if isinstance(arg, Name | Num)
    ]


# -- the table itself --------------------------------------------------------


def test_every_function_is_tried():
    assert set(VALUE_ARGS) | set(SIZE_ARGS) | {"I", "pi"} == set(FUNCTIONS)
    assert {name for name, _ in CASES} == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_row_has_every_entry(name: str):
    row = FUNCTIONS[name]
    assert isinstance(row, Function) and row.name == name
    low, high = row.arity
    assert 0 <= low <= high
    assert isinstance(row.category, Category)
    assert callable(row.shape) and callable(row.evaluate)
    assert row.latex.kind in LATEX_KINDS
    assert row.latex.symbol or row.latex.kind == "norm"
    comparison = row.category is Category.COMPARISON
    if comparison:  # written P > Q, printed as its operator in numpy too
        assert row.text == name in COMPARISONS and f" {name} " in row.numpy.form
    else:
        assert row.text and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", row.text)
        assert row.numpy.form and "np." in row.numpy.form
    assert row.sympy
    entrywise = row.category is Category.ENTRYWISE
    assert (row.derivative is not None) == entrywise
    if entrywise:
        assert row.passes_size and row.arity == (1, 1)
    if row.of_values:
        assert row.note is not None and row.formula is not None and high >= 1
        assert all(isinstance(part, str) and part for part in row.formula)
    else:
        assert row.note is None and row.formula is None and row.derivative is None
    if high == 0:
        assert row.advice, "a function without arguments says what to write instead"


def test_the_table_and_its_rows_are_immutable():
    with pytest.raises(TypeError):
        FUNCTIONS["relu"] = FUNCTIONS["exp"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        FUNCTIONS["exp"].name = "relu"  # type: ignore[misc]


def test_the_old_names_are_read_off_the_table():
    assert ENTRYWISE == (
        "exp",
        "log",
        "sin",
        "cos",
        "tanh",
        "sigmoid",
        "relu",
        "abs",
        "sign",
        "step",
        "sqrt",
    )
    assert DIM_ARGS == ("eye", "ones", "zeros", "commutation")
    assert SIZED == {"eye", "ones", "zeros", "commutation", "I"}
    assert RESERVED == set(FUNCTIONS)
    assert (ast.ENTRYWISE, ast.DIM_ARGS, ast.RESERVED) == (ENTRYWISE, DIM_ARGS, RESERVED)
    assert dict(ast.FUNCTIONS) == {name: row.arity[1] for name, row in FUNCTIONS.items()}


def test_arity_text():
    assert arity_text((1, 1)) == "1 argument"
    assert arity_text((2, 2), "size") == "2 sizes"
    assert arity_text((0, 0)) == "0 arguments"
    assert arity_text((1, 2)) == "1 or 2 arguments"
    assert arity_text((1, 3)) == "1 to 3 arguments"


def test_every_note_of_the_table_has_its_formula():
    for row in FUNCTIONS.values():
        if row.note is not None:
            assert FORMULAS[row.note] == row.formula


# -- each row's parts agree ----------------------------------------------------


@pytest.mark.parametrize(("name", "tree"), CASES, ids=IDS)
def test_evaluator_agrees_with_the_numpy_form(name: str, tree: Node):
    for seed in range(3):
        assert_numpy_matches_evaluate(tree, values_for(tree, seed), SIZES, SIZE_TEXT)


@pytest.mark.parametrize(("name", "tree"), CASES, ids=IDS)
def test_text_form_parses_back_to_the_same_tree(name: str, tree: Node):
    text = to_text(tree)
    comparison = FUNCTIONS[name].category is Category.COMPARISON
    assert text.startswith(f"{WHERE}(" if comparison else FUNCTIONS[name].text)  # a mask alone
    assert parse(text) == tree


@pytest.mark.parametrize(("name", "tree"), CASES, ids=IDS)
def test_shape_rule_agrees_with_the_evaluator(name: str, tree: Node):
    assert isinstance(tree, Call)
    row = FUNCTIONS[name]
    if row.category is Category.CONSTANT:
        with pytest.raises(ShapeError):
            row.shape([])
        assert row.evaluate(3).shape == (3, 3)
        return
    if row.category is Category.SIZES:
        sizes: list[DimT] = [SIZES[arg.id] for arg in tree.args if isinstance(arg, Name)]
        assert row.shape(sizes) == row.evaluate(*sizes).shape
        return
    values = values_for(tree)
    shapes: list[Any] = [
        concrete(arg.shape) if isinstance(arg, Name | Call) else int(arg.value)
        for arg in tree.args
        if isinstance(arg, Name | Num | Call) and arg.shape is not None
    ]
    result = row.evaluate(*argument_values(tree, values))
    assert result.ndim == 2
    assert row.shape(shapes) == result.shape
    assert tree.shape is not None and concrete(tree.shape) == result.shape


@pytest.mark.parametrize(("name", "tree"), CASES, ids=IDS)
def test_latex_form_shows_its_symbol(name: str, tree: Node):
    form = FUNCTIONS[name].latex
    tex = to_latex(tree)
    assert tex.count("{") == tex.count("}")
    if form.kind != "norm":
        assert form.symbol in tex
    if form.bold is not None:
        assert form.bold in to_latex(tree, bold=True)


@pytest.mark.parametrize("name", ENTRYWISE)
@pytest.mark.parametrize("shape", [(1, 1), (3, 2)])
def test_derivative_agrees_with_a_central_difference(name: str, shape: tuple[int, int]):
    row = FUNCTIONS[name]
    x = np.random.default_rng(1).uniform(0.5, 1.5, size=shape)
    derivative = derivative_entrywise(name, Name("u", shape=shape))
    assert derivative.shape == shape
    got = np.reshape(evaluate(derivative, {"u": x}, {}), shape)
    h = 1e-6
    expected = (row.evaluate(x + h) - row.evaluate(x - h)) / (2 * h)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    assert row.derivative is not None
    assert row.derivative(Name("u", shape=shape), Build()) == derivative


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_sympy_key(name: str):
    row = FUNCTIONS[name]
    if row.category is not Category.ENTRYWISE:
        assert row.sympy == name  # the bridge's routine of the same name
        return
    x = sp.Symbol("x")
    formula = sp.sympify(row.sympy, locals={"x": x})
    assert formula.free_symbols == {x}
    for point in (0.3, 0.7, 1.4):
        exact = float(formula.subs(x, point))
        assert exact == pytest.approx(float(row.evaluate(np.array([[point]]))[0, 0]), rel=1e-12)
