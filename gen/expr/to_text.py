"""Tree -> the spec's own syntax, with the fewest parentheses that parse back."""

from __future__ import annotations

import re

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose
from gen.expr.choice import COMPARISONS, WHERE, is_comparison
from gen.expr.functions import FUNCTIONS
from gen.expr.precedence import ADD, ATOM, BINARY, NEG, POSTFIX, RIGHT_ASSOC, precedence

# An exponent printed bare after '^' must not start with the name T: 'A^T' is a transpose.
_STARTS_WITH_T = re.compile(r"T(?![A-Za-z0-9_])")


def to_text(node: Node) -> str:
    """Print ``node`` in the spec syntax so that ``parse(to_text(t)) == t``.

    Spaces stand around binary ``+`` and ``-`` only (``X*w - y``); a
    transpose prints as ``'``; a number that is not an integer prints as
    ``a/b``; ``I`` prints as ``I``.

    Args:
        node: Any expression tree.

    Returns:
        The expression text.
    """
    if isinstance(node, Num):
        value = node.value
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Neg):
        return "-" + _wrap(node.operand, precedence(node.operand) < NEG)
    if isinstance(node, Transpose):
        return _wrap(node.operand, precedence(node.operand) < POSTFIX) + "'"
    if isinstance(node, Call) and node.func in COMPARISONS:  # a mask alone
        return f"{WHERE}({_comparison(node)}, 1, 0)"
    if isinstance(node, Call) and node.func == WHERE and is_comparison(node.args[0]):
        rest = ", ".join(to_text(arg) for arg in node.args[1:])
        return f"{WHERE}({_comparison(node.args[0])}, {rest})"
    if isinstance(node, Call):
        row = FUNCTIONS.get(node.func)
        spelling = node.func if row is None else row.text
        if not node.args and row is not None and row.arity[1] == 0:
            return spelling
        return f"{spelling}({', '.join(to_text(arg) for arg in node.args)})"
    if isinstance(node, Binary):
        return _binary(node)
    raise TypeError(f"not an expression node: {node!r}")


def _comparison(node: Node) -> str:
    """``P > Q``: the first argument of where (the loosest operator: no parentheses)."""
    assert isinstance(node, Call)
    left, right = node.args
    return f"{to_text(left)} {node.func} {to_text(right)}"


def _binary(node: Binary) -> str:
    """``left op right`` with the parentheses the precedence table needs."""
    level = BINARY[node.op]
    left_level, right_level = precedence(node.left), precedence(node.right)
    if node.op in RIGHT_ASSOC:
        left = _wrap(node.left, left_level <= level)
        # The exponent may start with a unary minus: A^-1.
        right = _wrap(node.right, right_level < NEG)
        if node.op == "^" and _STARTS_WITH_T.match(right):
            right = f"({right})"
        return f"{left}{node.op}{right}"
    # 1/2 of two literals would fold into one number when parsed back.
    folds = node.op == "/" and isinstance(node.left, Num) and _bare_number(node.right)
    left = _wrap(node.left, left_level < level or folds)
    right = _wrap(node.right, right_level <= level)
    if level == ADD:
        return f"{left} {node.op} {right}"
    return f"{left}{node.op}{right}"


def _bare_number(node: Node) -> bool:
    """Whether ``node`` prints as one number token."""
    return isinstance(node, Num) and precedence(node) == ATOM


def _wrap(node: Node, needed: bool) -> str:
    """The text of ``node``, in parentheses when ``needed``."""
    text = to_text(node)
    return f"({text})" if needed else text
