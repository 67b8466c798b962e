"""A choice written back: ``[C] .* A + [not C] .* B`` as ``where(C, A, B)``, as books write it.

The derivative of ``where(C, A, B)`` is the masked sum ``[C] .* dA + [not C] .* dB``
(gen/derive/rules.py), and so is every result through one: the Huber loss's gradient
comes out as ``where(abs(r) <= delta, 1, 0).*r + delta*(where(abs(r) > delta, 1, 0).*
sign(r))``. Two terms of a sum whose masks are complements of each other (the same
operands, ``<=`` and ``>``, or ``<`` and ``>=``) are one choice: ``where(abs(r) <= delta,
r, delta*sign(r))`` (Huber 1964; ESL eq. 10.41). Its LaTeX is the same masked sum
(gen/expr/choice.py), so only the text gets shorter.
"""

from __future__ import annotations

from gen.derive import algebra as al
from gen.expr.ast import SCALAR, Binary, Call, Node
from gen.expr.choice import COMPARISONS, COMPLEMENT, WHERE
from gen.expr.walk import nodes


def fold_choices(node: Node) -> Node:
    """``node`` with every pair of complementary masked terms of a sum made one ``where``."""
    if not any(isinstance(n, Call) and n.func in COMPARISONS for n in nodes(node)):
        return node
    return _fold(node)


def _fold(node: Node) -> Node:
    node = al.map_children(node, _fold)
    if isinstance(node, Binary) and node.op == "+":
        return _folded_sum(node)
    return node


def _summands(node: Node) -> list[Node]:
    if isinstance(node, Binary) and node.op == "+":
        return _summands(node.left) + _summands(node.right)
    return [node]


def _masked(term: Node) -> tuple[Call, Node] | None:
    """``(mask, value)`` when ``term`` is ``mask .* value`` (either side), or a scalar times
    one (the scalar goes to the value)."""
    if isinstance(term, Binary) and term.op == ".*":
        for mask, value in ((term.left, term.right), (term.right, term.left)):
            if isinstance(mask, Call) and mask.func in COMPARISONS:
                return mask, value
    if isinstance(term, Binary) and term.op == "*" and term.left.shape == SCALAR:
        inner = _masked(term.right)
        if inner is not None:
            return inner[0], al.mul(term.left, inner[1])
    return None


def _folded_sum(node: Node) -> Node:
    terms = _summands(node)
    masked = [_masked(t) for t in terms]
    for i, first in enumerate(masked):
        for j in range(i + 1, len(terms)):
            second = masked[j]
            if first is None or second is None:
                continue
            (c1, a), (c2, b) = first, second
            if c1.args != c2.args or COMPLEMENT[c1.func] != c2.func:
                continue
            choice = al.call(WHERE, c1, a, b)
            if choice.shape != node.shape:
                continue
            rest = [t for k, t in enumerate(terms) if k not in (i, j)]
            out = choice
            for t in rest:
                out = al.add(out, t)
            return out
    return node
