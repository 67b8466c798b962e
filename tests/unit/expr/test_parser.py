"""The parser: a precedence table of inputs, spans, and pinned error messages."""

from __future__ import annotations

from fractions import Fraction

import pytest

from gen.errors import GenError, Where, format_error
from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose, children
from gen.expr.parser import parse


def full(node: Node) -> str:
    """Every operation in parentheses; a non-integer number as [a/b]."""
    if isinstance(node, Num):
        value = node.value
        return str(value.numerator) if value.denominator == 1 else f"[{value}]"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Neg):
        return f"(-{full(node.operand)})"
    if isinstance(node, Transpose):
        return f"({full(node.operand)}')"
    if isinstance(node, Binary):
        return f"({full(node.left)} {node.op} {full(node.right)})"
    assert isinstance(node, Call)
    if node.func == "I":
        return "I"
    return f"{node.func}({', '.join(full(arg) for arg in node.args)})"


PRECEDENCE = [
    # + - among themselves: left-associative
    ("a + b - c", "((a + b) - c)"),
    ("a - b - c", "((a - b) - c)"),
    ("a - b + c", "((a - b) + c)"),
    # + - against products
    ("a + b*c", "(a + (b * c))"),
    ("a*b + c", "((a * b) + c)"),
    ("a - b/c", "(a - (b / c))"),
    ("a .* b - c", "((a .* b) - c)"),
    ("a ./ b + c ./ d", "((a ./ b) + (c ./ d))"),
    # products among themselves: left-associative, all one level
    ("a*b*c", "((a * b) * c)"),
    ("a/b/c", "((a / b) / c)"),
    ("a*b/c", "((a * b) / c)"),
    ("a/b*c", "((a / b) * c)"),
    ("a .* b * c", "((a .* b) * c)"),
    ("a * b .* c", "((a * b) .* c)"),
    ("a ./ b ./ c", "((a ./ b) ./ c)"),
    ("a ./ b .* c", "((a ./ b) .* c)"),
    # unary minus against + - and products
    ("-a + b", "((-a) + b)"),
    ("a + -b", "(a + (-b))"),
    ("a - -b", "(a - (-b))"),
    ("-a*b", "((-a) * b)"),
    ("a*-b", "(a * (-b))"),
    ("a/-b", "(a / (-b))"),
    ("--x", "(-(-x))"),
    ("---x", "(-(-(-x)))"),
    # unary minus against powers and postfix
    ("-x^2", "(-(x ^ 2))"),
    ("-x.^2", "(-(x .^ 2))"),
    ("-x'", "(-(x'))"),
    ("(-x)^2", "((-x) ^ 2)"),
    # powers: right-associative; the exponent may start with a minus
    ("x^2^3", "(x ^ (2 ^ 3))"),
    ("x.^2.^3", "(x .^ (2 .^ 3))"),
    ("x^2.^3", "(x ^ (2 .^ 3))"),
    ("(x^2)^3", "((x ^ 2) ^ 3)"),
    ("x^-2", "(x ^ (-2))"),
    ("A^-1", "(A ^ (-1))"),
    ("x^-2^3", "(x ^ (-(2 ^ 3)))"),
    ("x^--2", "(x ^ (-(-2)))"),
    # powers against products
    ("a*x^2", "(a * (x ^ 2))"),
    ("a^2*x", "((a ^ 2) * x)"),
    ("a/x.^2", "(a / (x .^ 2))"),
    ("a + x^2", "(a + (x ^ 2))"),
    # postfix binds tightest
    ("x'^2", "((x') ^ 2)"),
    ("x^2'", "(x ^ (2'))"),
    ("A^-1'", "(A ^ (-(1')))"),
    ("(A^-1)'", "((A ^ (-1))')"),
    ("A^T", "(A')"),
    ("A^T^T", "((A')')"),
    ("A''", "((A')')"),
    ("A'^T", "((A')')"),
    ("A^T'", "((A')')"),
    ("A^T^2", "((A') ^ 2)"),
    ("x'*y", "((x') * y)"),
    ("x*y'", "(x * (y'))"),
    ("x' + y'", "((x') + (y'))"),
    # T after ^ only is a transpose; elsewhere it is a name
    ("x .^ T", "(x .^ T)"),
    ("x^(T)", "(x ^ T)"),
    ("x^-T", "(x ^ (-T))"),
    ("x^T2", "(x ^ T2)"),
    ("T'*T", "((T') * T)"),
    # parentheses override
    ("(a + b)*c", "((a + b) * c)"),
    ("a*(b + c)", "(a * (b + c))"),
    ("(a + b)'", "((a + b)')"),
    ("-(a + b)", "(-(a + b))"),
    ("a - (b - c)", "(a - (b - c))"),
    ("((a))", "a"),
    # numbers: exact; a/b of two literals folds
    ("2", "2"),
    ("007", "7"),
    ("0.5", "[1/2]"),
    ("2.50", "[5/2]"),
    ("1/2", "[1/2]"),
    ("1/2/3", "[1/6]"),
    ("6/4", "[3/2]"),
    ("4/2", "2"),
    ("2*1/2", "((2 * 1) / 2)"),
    ("(1)/2", "(1 / 2)"),
    ("1/(2)", "(1 / 2)"),
    ("-1/2", "((-1) / 2)"),
    ("1/2^2", "(1 / (2 ^ 2))"),
    ("1/2'", "(1 / (2'))"),
    ("1/2*z'*z", "(([1/2] * (z')) * z)"),
    ("2.*x", "(2 .* x)"),
    ("2./x", "(2 ./ x)"),
    ("1/2.*x", "([1/2] .* x)"),
    # calls and I
    ("exp(x)", "exp(x)"),
    ("tr(A*B)", "tr((A * B))"),
    ("zeros(m, n)", "zeros(m, n)"),
    ("eye(3)", "eye(3)"),
    ("inv(A)'", "(inv(A)')"),
    ("I", "I"),
    ("lam*I + A", "((lam * I) + A)"),
    ("I - A", "(I - A)"),
    ("norm2(x)^2", "(norm2(x) ^ 2)"),
    ("sum(x .* y)/2", "(sum((x .* y)) / 2)"),
    ("inv(X'*X + lam*I)*X'*y", "((inv((((X') * X) + (lam * I))) * (X')) * y)"),
    # whitespace is free
    ("a  +\n\tb", "(a + b)"),
    ("X * w-y", "((X * w) - y)"),
    ("x_hat_1 + W_ij", "(x_hat_1 + W_ij)"),
]


@pytest.mark.parametrize(("text", "expected"), PRECEDENCE)
def test_precedence(text: str, expected: str) -> None:
    assert full(parse(text)) == expected


def test_trees() -> None:
    assert parse("X*w - y") == Binary("-", Binary("*", Name("X"), Name("w")), Name("y"))
    assert parse("0.5") == Num(Fraction(1, 2))
    assert parse("1/2") == Num(Fraction(1, 2))
    assert parse("A^-1") == Binary("^", Name("A"), Neg(Num(Fraction(1))))
    assert parse("A^T") == Transpose(Name("A"))
    assert parse("I") == Call("I", ())
    assert parse("zeros(m, 2)") == Call("zeros", (Name("m"), Num(Fraction(2))))


ERRORS = [
    ("x**2", "expected an expression after '*'", 3),
    ("__import__('os')", "unexpected character '_'", 1),
    ("x + ", "expected an expression after '+'", 3),
    ("x + )", "expected an expression after '+'", 5),
    ("x ^", "expected an expression after '^'", 3),
    ("a .* * b", "expected an expression after '.*'", 6),
    ("-", "expected an expression after '-'", 1),
    ("()", "expected an expression after '('", 2),
    ("exp(x,)", "expected an expression after ','", 7),
    ("(x + y", "unclosed '('", 1),
    ("exp(x", "unclosed '('", 4),
    ("((x)", "unclosed '('", 1),
    ("x)", "unexpected ')'", 2),
    (")", "unexpected ')'", 1),
    ("'x", 'unexpected "\'"', 1),
    ("*x", "unexpected '*'", 1),
    ("x, y", "unexpected ','", 2),
    ("(x, y)", "unexpected ','", 3),
    ("2x", "unexpected 'x' (a product is written with '*')", 2),
    ("x y", "unexpected 'y' (a product is written with '*')", 3),
    ("(a)(b)", "unexpected '(' (a product is written with '*')", 4),
    ("", "empty expression", 1),
    ("   ", "empty expression", 1),
    ("foo(x)", "unknown function 'foo'", 1),
    ("x + expp(x)", "unknown function 'expp'; did you mean 'exp'?", 5),
    ("exp", "'exp' is a function: write exp(...)", 1),
    ("x*tr", "'tr' is a function: write tr(...)", 3),
    ("zeros + 1", "'zeros' is a function: write zeros(..., ...)", 1),
    ("I(3)", "'I' takes no arguments; write eye(n) for the n x n identity", 1),
    ("zeros(m)", "'zeros' takes 2 arguments, not 1", 1),
    ("exp()", "'exp' takes 1 argument, not 0", 1),
    ("x + exp(x, y)", "'exp' takes 1 argument, not 2", 5),
    ("x $ y", "unexpected character '$'", 3),
    ("x λ", "unexpected character 'λ'", 3),
    ("x; import os", "unexpected character ';'", 2),
    ("a[0]", "unexpected character '['", 2),
    ("1e-3", "exponent notation such as 1e-3 is not supported; write a fraction (1/1000)", 1),
    (".5", "a number starts with a digit: write 0.5, not .5", 1),
    ("x + 2.", "unexpected character '.'", 6),
    ("1/0", "division by zero", 1),
    ("x^1001", "exponent 1001 is too large (at most 1000 in absolute value)", 3),
    ("x^-1001", "exponent -1001 is too large (at most 1000 in absolute value)", 3),
    ("x" * 2001, "expression is too long (2001 characters; at most 2000)", 1),
    ("1" * 31, "number is too long (more than 30 digits)", 1),
    ("x + 0." + "0" * 30, "number is too long (more than 30 digits)", 5),
]


@pytest.mark.parametrize(("text", "message", "column"), ERRORS)
def test_errors(text: str, message: str, column: int) -> None:
    with pytest.raises(GenError) as caught:
        parse(text)
    assert caught.value.message == message
    assert caught.value.span is not None
    assert caught.value.span.column == column


def test_limits_allow_what_they_allow() -> None:
    assert full(parse("x^1000")) == "(x ^ 1000)"
    assert full(parse("x^-1000")) == "(x ^ (-1000))"
    assert parse("1" * 30) == Num(Fraction("1" * 30))
    assert parse("(" * 100 + "x" + ")" * 100) == Name("x")
    assert parse("-" * 100 + "x") is not None
    assert parse("+".join(["a"] * 100)) is not None
    assert len("x" + " " * 1999) == 2000 and parse("x" + " " * 1999) == Name("x")


@pytest.mark.parametrize(
    "text",
    [
        "(" * 101 + "x" + ")" * 101,
        "exp(" * 101 + "x" + ")" * 101,
        "x^" * 101 + "x",
        "-" * 101 + "x",
        "+".join(["a"] * 102),
        "x" + "'" * 101,
        "(" * 1000,
        "-(" * 600 + "x" + ")" * 600,
    ],
)
def test_deep_nesting_is_an_error_never_a_recursion_error(text: str) -> None:
    with pytest.raises(GenError) as caught:
        parse(text)
    assert caught.value.message == "expression is nested too deeply (more than 100 levels)"


def test_spans_cover_the_source_text() -> None:
    line = "  J: X*w - y"
    where = Where("s.yaml", 14, 6, exact=True, lines=("",) * 13 + (line,))
    tree = parse("X*w - y", where)
    assert isinstance(tree, Binary) and tree.span is not None
    assert (tree.span.file, tree.span.line, tree.span.column, tree.span.length) == (
        "s.yaml",
        14,
        6,
        7,
    )
    assert tree.span.source_line == line
    product = tree.left
    assert product.span is not None and (product.span.column, product.span.length) == (6, 3)
    assert tree.right.span is not None and tree.right.span.column == 12


def test_spans_include_parentheses_of_operands() -> None:
    tree = parse("(a + b)*c'")
    assert isinstance(tree, Binary)
    assert tree.span is not None and (tree.span.column, tree.span.length) == (1, 10)
    assert tree.left.span is not None and (tree.left.span.column, tree.left.span.length) == (2, 5)
    assert tree.right.span is not None and (tree.right.span.column, tree.right.span.length) == (
        9,
        2,
    )


def test_every_node_has_a_span() -> None:
    tree = parse("-inv(X'*X + lam*I)*X'*y ./ 2 + x^T^2 - zeros(m, 3)*ones(3)")
    stack = [tree]
    while stack:
        node = stack.pop()
        assert node.span is not None, node
        stack.extend(children(node))


def test_error_at_a_file_position_formats_with_caret() -> None:
    line = "  z: X*w - )"
    where = Where("least-squares.yaml", 14, 6, exact=True, lines=("",) * 13 + (line,))
    with pytest.raises(GenError) as caught:
        parse("X*w - )", where)
    assert format_error(caught.value) == (
        "least-squares.yaml:14:12: error: expected an expression after '-'\n"
        "   14 |   z: X*w - )\n"
        "      |            ^"
    )


def test_inexact_where_points_at_the_value() -> None:
    where = Where("s.yaml", 3, 5, exact=False)
    with pytest.raises(GenError) as caught:
        parse("a +\n  )", where)
    span = caught.value.span
    assert span is not None and (span.line, span.column) == (3, 5)


def test_standalone_text_counts_lines() -> None:
    with pytest.raises(GenError) as caught:
        parse("a +\n  b $")
    span = caught.value.span
    assert span is not None
    assert (span.line, span.column, span.source_line) == (2, 5, "  b $")
