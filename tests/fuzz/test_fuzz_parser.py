"""Fuzzing the expression parser: any text gives a tree or a located error, never another."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gen.errors import GenError, Where
from gen.expr.ast import Node, children
from gen.expr.parser import parse
from tests.fuzz.profiles import FUZZ

TOKENS = [
    "x",
    "A",
    "w_1",
    "T",
    "I",
    "lam",
    "tr",
    "det",
    "logdet",
    "inv",
    "diag",
    "sum",
    "norm2",
    "exp",
    "log",
    "softmax",
    "eye",
    "ones",
    "zeros",
    "sqrt",
    "0",
    "1",
    "2",
    "0.5",
    "1000",
    "1001",
    "99999999999999999999999999999999",
    "+",
    "-",
    "*",
    "/",
    ".*",
    "./",
    "^",
    ".^",
    "'",
    "^T",
    "(",
    ")",
    ",",
    " ",
    "e",
    "E",
    ".",
    "__import__",
    "lambda",
    "@",
    "[",
    "]",
    "\n",
    "\u202e",
    "\x00",
    "#",
    "$",
]


def check(text: str) -> None:
    """The property: a tree with a span on every node, or one located GenError."""
    try:
        tree = parse(text)
    except GenError as err:
        span = err.span
        assert span is not None and span.line is not None and span.column is not None, err
        assert 1 <= span.line <= text.count("\n") + 1
        assert 1 <= span.column <= len(text) + 1, (span, text)
        str(err)
        return
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        assert node.span is not None
        stack.extend(children(node))


@FUZZ
@given(st.text(max_size=200))
def test_any_text(text):
    check(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_any_sequence_of_tokens(tokens):
    check("".join(tokens))


@FUZZ
@given(st.integers(0, 300), st.sampled_from(["(", "-", "x^", "tr(", "x'", "2^"]))
def test_deep_nesting(depth, piece):
    check(piece * depth + "x" + (")" * depth if "(" in piece else ""))


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_located_inside_a_spec_value(tokens):
    text = "".join(tokens).replace("\n", " ")
    where = Where("s.yaml", 7, 6, True, ("",) * 6 + ("  J: " + text,))
    try:
        parse(text, where)
    except GenError as err:
        assert err.span is not None and err.span.file == "s.yaml" and err.span.line == 7
        assert err.span.column is not None and err.span.column >= 6
