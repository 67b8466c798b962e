"""``where(P > Q, A, B)`` and the comparisons it chooses by: their rows of the function table.

A comparison ``P > Q`` (``<``, ``<=``, ``>``, ``>=``, entry by entry, broadcast) is a call
of the function named by its operator; its value is the mask, 1 where it holds and 0
elsewhere, typeset as the Iverson bracket ``[P > Q]``. It stands only as the first
argument of ``where`` (the parser sees to it), or alone in a derivative: the text of a
mask alone is ``where(P > Q, 1, 0)``, which parses back to the mask.

``where(C, A, B)`` is typeset ``[P > Q] \\odot A + [P \\le Q] \\odot B``: the form its
differential ``[P > Q] \\odot dA + [P \\le Q] \\odot dB`` keeps, a sum of masked terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from gen.errors import ShapeError
from gen.expr.dims import Shape, broadcast_shape, format_shape
from gen.expr.function_row import Array, Category, Function, Latex, Numpy

if TYPE_CHECKING:
    from gen.expr.ast import Call, Node

WHERE = "where"
# The comparisons, their LaTeX, and the one that holds exactly where each does not.
COMPARISONS = ("<", "<=", ">", ">=")
LATEX = MappingProxyType({"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"})
COMPLEMENT = MappingProxyType({"<": ">=", "<=": ">", ">": "<=", ">=": "<"})


def broadcast_all(shapes: Sequence[Shape]) -> Shape:
    """The shape of the arguments broadcast together (NumPy's 2-D rule), or ShapeError."""
    out = shapes[0]
    for shape in shapes[1:]:
        found = broadcast_shape(out, shape)
        if found is None:
            listed = ", ".join(format_shape(s) for s in shapes)
            raise ShapeError(f"cannot broadcast {listed} together")
        out = found
    return out


def _compare(op: str) -> Any:
    """The evaluator of ``op``: 1.0 where it holds, 0.0 elsewhere."""
    ufunc = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[op]

    def mask(a: Array, b: Array) -> Array:
        return np.asarray(ufunc(a, b), dtype=float)

    return mask


def _where(c: Array, a: Array, b: Array) -> Array:
    """A's entries where the mask ``c`` is 1, B's elsewhere (all three broadcast)."""
    return np.where(c != 0, a, b)


def _comparison_row(op: str) -> Function:
    return Function(
        op,
        (2, 2),
        Category.COMPARISON,
        broadcast_all,
        Latex("iverson", LATEX[op]),
        op,
        Numpy(f"(1.0 * ({{a}} {op} {{b}}))"),
        _compare(op),
        op,
        "comparison",
        (
            r"\mathrm{d}\,[P > Q] = 0 \text{ where } P \ne Q",
            "d [P > Q] = 0 where P != Q",
        ),
    )


ROWS = (
    Function(
        WHERE,
        (3, 3),
        Category.MATRIX,
        broadcast_all,
        Latex("choice", r"\odot"),
        WHERE,
        Numpy("np.where({a}, {b}, {c})"),
        _where,
        WHERE,
        "where",
        (r"\mathrm{d}([C] \odot A) = [C] \odot \mathrm{d}A", "d([C] .* A) = [C] .* dA"),
    ),
    *(_comparison_row(op) for op in COMPARISONS),
)


def is_comparison(node: Node) -> bool:
    """Whether ``node`` is a comparison (a mask)."""
    from gen.expr.ast import Call

    return isinstance(node, Call) and node.func in COMPARISONS


def complement(mask: Call) -> Call:
    """The comparison that holds exactly where ``mask`` does not: P <= Q for P > Q."""
    return replace(mask, func=COMPLEMENT[mask.func])


def as_sum(node: Call) -> Node:
    """``where(C, A, B)`` as ``C .* A + not C .* B``, shapes filled: what it is typeset as."""
    from gen.expr.ast import Binary, Call

    mask, a, b = node.args
    assert isinstance(mask, Call) and mask.func in COMPARISONS
    chosen = Binary(".*", mask, a, shape=_joined(mask, a))
    other = complement(mask)
    rest = Binary(".*", other, b, shape=_joined(other, b))
    return Binary("+", chosen, rest, shape=node.shape)


def _joined(a: Node, b: Node) -> Shape | None:
    if a.shape is None or b.shape is None:
        return None
    return broadcast_shape(a.shape, b.shape)
