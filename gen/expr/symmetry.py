"""Which square expressions are certainly symmetric (SPEC section 8: symmetry inferred).

An expression is symmetric when its transpose is the same expression: both are
written as a key in which transposes are pushed down to the names (a symmetric name,
and a scalar, is its own transpose), sums are multisets of signed terms, and products
are chains of factors, reversed and transposed factor by factor. So ``X'*X``,
``A + A'``, ``X*S*X'`` with ``S`` symmetric, ``r + r' - 2*X*X'`` (a distance matrix),
``exp(-D2/(2*ell^2))`` with ``D2`` symmetric (an entrywise function of a symmetric
matrix), ``inv(K)`` and ``sf2*K + sn2*eye(n)`` are found symmetric; anything the
rules do not cover is not (never a guess).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from gen.expr.ast import SCALAR, Binary, Call, Name, Neg, Node, Num, Transpose, children
from gen.expr.function_row import Category
from gen.expr.functions import FUNCTIONS

_SQUARE_SELF = frozenset({"eye", "I", "zeros"})  # their own transpose (when square)


def is_symmetric(node: Node, known: Collection[str]) -> bool:
    """True when ``node`` is a square matrix equal to its transpose for every value of the
    names, ``known`` being the names already known to be symmetric."""
    shape = node.shape
    if shape is None or shape == SCALAR or shape[0] != shape[1]:
        return False
    return _key(node, False, frozenset(known)) == _key(node, True, frozenset(known))


def _scalar(node: Node) -> bool:
    return node.shape == SCALAR


def _key(node: Node, t: bool, known: frozenset[str]) -> Any:  # noqa: C901 - one case per node
    """A key of ``node`` (of its transpose when ``t``), equal for equal expressions."""
    if _scalar(node):
        t = False  # a scalar is its own transpose
    if isinstance(node, Name):
        return ("T", node.id) if t and node.id not in known else ("N", node.id)
    if isinstance(node, Num):
        return ("num", node.value)
    if isinstance(node, Transpose):
        return _key(node.operand, not t, known)
    if isinstance(node, Neg):
        return ("neg", _key(node.operand, t, known))
    if isinstance(node, Binary):
        return _binary(node, t, known)
    if isinstance(node, Call):
        return _call(node, t, known)
    return _opaque(node, t, known)


def _binary(node: Binary, t: bool, known: frozenset[str]) -> Any:
    if node.op in ("+", "-"):
        return ("sum", tuple(sorted(_terms(node, 1, t, known), key=repr)))
    if node.op == ".*":
        return (
            "ew*",
            tuple(sorted((_key(node.left, t, known), _key(node.right, t, known)), key=repr)),
        )
    if node.op == "./":
        return ("ew/", _key(node.left, t, known), _key(node.right, t, known))
    if node.op == "*":
        scalars, chain, sign = _product(node)
        keys = [_key(f, t, known) for f in chain]
        return (
            "mul",
            sign,
            tuple(sorted((_key(s, False, known) for s in scalars), key=repr)),
            tuple(reversed(keys)) if t else tuple(keys),
        )
    if node.op == "/" and _scalar(node.right):
        return ("div", _key(node.left, t, known), _key(node.right, False, known))
    if node.op == "^" and _scalar(node.right):
        return ("pow", _key(node.left, t, known), _key(node.right, False, known))
    return _opaque(node, t, known)


def _terms(node: Node, sign: int, t: bool, known: frozenset[str]) -> list[Any]:
    if isinstance(node, Binary) and node.op in ("+", "-"):
        right = sign if node.op == "+" else -sign
        return _terms(node.left, sign, t, known) + _terms(node.right, right, t, known)
    if isinstance(node, Neg):
        return _terms(node.operand, -sign, t, known)
    return [(sign, _key(node, t, known))]


def _product(node: Node) -> tuple[list[Node], list[Node], int]:
    """The scalar factors, the chain of matrix factors (in order) and the sign of a product."""
    if isinstance(node, Binary) and node.op == "*":
        ls, lc, lsign = _product(node.left)
        rs, rc, rsign = _product(node.right)
        return ls + rs, lc + rc, lsign * rsign
    if isinstance(node, Neg):
        scalars, chain, sign = _product(node.operand)
        return scalars, chain, -sign
    return ([node], [], 1) if _scalar(node) else ([], [node], 1)


def _call(node: Call, t: bool, known: frozenset[str]) -> Any:
    row = FUNCTIONS.get(node.func)
    if row is not None and row.category is Category.ENTRYWISE:
        return ("call", node.func, tuple(_key(a, t, known) for a in node.args))
    if node.func in _SQUARE_SELF and all(_scalar(a) or isinstance(a, Name) for a in node.args):
        return ("call", node.func, tuple(_key(a, False, known) for a in node.args))
    if node.func == "inv":
        return ("call", "inv", (_key(node.args[0], t, known),))
    if node.func == "diag" and node.args[0].shape is not None and node.args[0].shape[1] == 1:
        return ("call", "diag", (_key(node.args[0], False, known),))  # a diagonal matrix
    return _opaque(node, t, known)


def _opaque(node: Node, t: bool, known: frozenset[str]) -> Any:
    """A node the rules do not see through: its transpose is a different key."""
    inner = (
        type(node).__name__,
        getattr(node, "op", getattr(node, "func", None)),
        tuple(_key(c, False, known) for c in children(node)),
    )
    return ("T", inner) if t else inner
