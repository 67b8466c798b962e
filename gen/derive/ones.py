"""Products with vectors of ones, the sums and counts they are: 1' F = sum(F, 1), 1' 1 = n,
sum(x - mean(x)) = 0."""

from __future__ import annotations

from collections.abc import Callable

from gen.derive import algebra as al
from gen.derive.terms import Term, collect, is_ones, is_ones_row, shape_of
from gen.expr.ast import Call, Node, Num, Transpose


def sum_along(node: Node) -> Node | None:
    """sum(F, 1) as 1' F and sum(F, 2) as F 1, for a matrix F (None for anything else)."""
    if not (isinstance(node, Call) and node.func == "sum" and len(node.args) == 2):
        return None
    f, k = node.args
    rows, cols = shape_of(f)
    if rows == 1 or cols == 1 or not isinstance(k, Num):
        return None
    if k.value == 1:
        return al.mul(al.transpose(al.ones(rows)), f)
    return al.mul(f, al.ones(cols))


def counted(chain: tuple[Node, ...]) -> tuple[tuple[Node, ...], tuple[Node, ...]]:
    """1_n' 1_n = n: each such pair of a chain taken out as the scalar n (SPEC section 8: a
    dimension is a value). Returns the chain left and the scalars taken out."""
    out: list[Node] = []
    counts: list[Node] = []
    for f in chain:
        prev = out[-1] if out else None
        if (
            isinstance(f, Call)
            and f.func == "ones"
            and isinstance(prev, Transpose)
            and prev.operand == f
        ):
            out.pop()
            counts.append(al.dim(shape_of(f)[0]))
            continue
        out.append(f)
    return tuple(out), tuple(counts)


def centred(arg: Node, read: Callable[[Node], list[Term]], sym: frozenset[str]) -> bool:
    """Whether ``arg`` sums to zero because its terms are V's and mean(V)'s that cancel:
    sum(mean(V) 1 1') = (number of entries) mean(V) = sum(V), so in a sum each
    mean(V) (broadcast to V's shape) may stand for V.

    Args:
        arg: A typed vector or matrix.
        read: Reads a node as a sum of terms (the simplifier's).
        sym: Names equal to their transpose.
    """
    terms = read(arg)
    if len(terms) < 2:
        return False
    swapped = []
    for t in terms:
        means = [
            f
            for f in t.scalars
            if isinstance(f, Call)
            and f.func == "mean"
            and len(f.args) == 1
            and f.args[0].shape == arg.shape
        ]
        if means and all(is_ones(f) or is_ones_row(f) for f in t.chain):
            scalars = list(t.scalars)
            scalars.remove(means[0])
            for u in read(means[0].args[0]):
                swapped.append(Term(t.coef * u.coef, tuple(scalars) + u.scalars, u.chain, u.shape))
        else:
            swapped.append(t)
    return not collect(swapped, sym, frozenset())
