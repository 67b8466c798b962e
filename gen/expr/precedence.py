"""The one precedence table shared by the parser and every printer."""

from __future__ import annotations

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose

ADD = 10  # + -
MUL = 20  # * / .* ./
NEG = 30  # unary minus
POW = 40  # ^ .^ (right-associative)
POSTFIX = 50  # ' and ^T
ATOM = 60  # numbers, names, calls, parenthesised expressions

BINARY: dict[str, int] = {
    "+": ADD,
    "-": ADD,
    "*": MUL,
    "/": MUL,
    ".*": MUL,
    "./": MUL,
    "^": POW,
    ".^": POW,
}
RIGHT_ASSOC = frozenset({"^", ".^"})


def precedence(node: Node) -> int:
    """How tightly ``node`` binds when printed in the spec's syntax.

    A number that is not an integer prints as ``a/b`` and so binds like a
    product; a negative number (never made by the parser) like unary minus.

    Args:
        node: Any expression node.

    Returns:
        One of ``ADD``, ``MUL``, ``NEG``, ``POW``, ``POSTFIX``, ``ATOM``.
    """
    if isinstance(node, Num):
        if node.value < 0:
            return NEG
        return ATOM if node.value.denominator == 1 else MUL
    if isinstance(node, Binary):
        return BINARY[node.op]
    if isinstance(node, Neg):
        return NEG
    if isinstance(node, Transpose):
        return POSTFIX
    if isinstance(node, Name | Call):
        return ATOM
    raise TypeError(f"not an expression node: {node!r}")
