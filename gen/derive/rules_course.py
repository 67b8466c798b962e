"""The differential and adjoint rules of the functions with a dimension argument (SPEC 8).

``sum``, ``mean``, ``softmax`` and ``logsumexp``, each of all entries (a column for
softmax and logsumexp) or along a dimension: 1 for each column, 2 for each row. The
results are written with explicit ones vectors (``s*ones(n)'`` spreads an m x 1 over
the columns), so that they need no broadcasting.
"""

from __future__ import annotations

from collections.abc import Callable

from gen.derive import algebra as al
from gen.expr.ast import SCALAR, Call, Node
from gen.expr.dims import DimT
from gen.expr.shape import axis_argument

Transposer = Callable[[Node], Node]


def _axis(node: Call) -> int | None:
    """The dimension argument of the call, None when it has none."""
    return axis_argument(node.func, node.args[1]) if len(node.args) == 2 else None


def _along(func: str, a: Node, axis: int | None) -> Node:
    """``func(a)`` or ``func(a, axis)``."""
    return al.call(func, a) if axis is None else al.call(func, a, al.num(axis))


def _spread(s: Node, shape: tuple[DimT, DimT], axis: int) -> Node:
    """A 1 x n (axis 1) or m x 1 (axis 2) repeated into ``shape``: ones(m)*s or s*ones(n)'."""
    rows, cols = shape
    if axis == 1:
        return s if rows == 1 else al.mul(al.ones(rows), s)
    return s if cols == 1 else al.mul(s, al.transpose(al.ones(cols)))


def _ones_like(shape: tuple[DimT, DimT]) -> Node:
    rows, cols = shape
    if cols == 1:
        return al.ones(rows)
    if rows == 1:
        return al.transpose(al.ones(cols))
    return al.mul(al.ones(rows), al.transpose(al.ones(cols)))


def _count(d: DimT) -> Node:
    """The number ``d`` as a value: an integer, or sum(ones(d)) for a dimension."""
    return al.num(d) if isinstance(d, int) else al.call("sum", al.ones(d))


def _counted(shape: tuple[DimT, DimT], axis: int | None) -> DimT:
    """How many entries a mean of ``shape`` along ``axis`` averages."""
    rows, cols = shape
    if axis is None:
        return al.size(shape)
    return rows if axis == 1 else cols


def _softmax_differential(s: Node, dz: Node, axis: int) -> Node:
    """S .* (dZ - (the sums of S .* dZ, spread back)): the Jacobian of each softmax, applied."""
    assert s.shape is not None
    inner = al.call("sum", al.binary(".*", s, dz), al.num(axis))
    return al.binary(".*", s, al.sub(dz, _spread(inner, s.shape, axis)))


def course_forward(node: Call, da: Node, T: Transposer) -> Node:  # noqa: N803 - the mark
    """d f(A) from dA, for sum, mean, softmax and logsumexp (``T``: the transpose)."""
    f, a, axis = node.func, node.args[0], _axis(node)
    assert a.shape is not None
    if (axis is not None or f == "mean") and al.is_zero(da):
        return al.zero(node.shape or SCALAR)
    if f == "sum":
        return _along("sum", da, axis)
    if f == "mean":
        return _along("mean", da, axis)
    if f == "softmax":
        if axis is None:  # a column: (diag(s) - s s') dx
            return al.sub(al.binary(".*", node, da), al.mul(node, al.mul(T(node), da)))
        return _softmax_differential(node, da, axis)
    if f == "logsumexp":
        if axis is None:
            return al.mul(T(al.call("softmax", a)), da)
        return al.call("sum", al.binary(".*", _along("softmax", a, axis), da), al.num(axis))
    raise NotImplementedError(f)


def course_adjoint(node: Call, g: Node, T: Transposer) -> Node:  # noqa: N803 - the mark
    """What f(A), whose gradient is g, passes to A, for sum, mean, softmax and logsumexp."""
    f, a, axis = node.func, node.args[0], _axis(node)
    assert a.shape is not None
    if f in ("sum", "mean"):
        if a.shape == SCALAR:
            return g
        spread = al.mul(g, _ones_like(a.shape)) if axis is None else _spread(g, a.shape, axis)
        if f == "sum":
            return spread
        return al.div(spread, _count(_counted(a.shape, axis)))
    if f == "softmax":
        if axis is None:  # J' g with J = diag(s) - s s' (symmetric): s .* g - s (s' g)
            return al.sub(al.binary(".*", node, g), al.mul(node, al.mul(T(node), g)))
        return _softmax_differential(node, g, axis)
    if f == "logsumexp":
        if axis is None:
            return al.mul(g, al.call("softmax", a))
        return al.binary(".*", _along("softmax", a, axis), _spread(g, a.shape, axis))
    raise NotImplementedError(f)


def as_product(node: Node) -> Node | None:
    """The call as products with ones vectors, for reading a Jacobian off it; None if not one.

    sum(F, 1) = 1' F, sum(F, 2) = F 1, a mean those divided by the count, and the
    diagonal of a square F, diag(F) = (F .* I) 1.
    """
    if not isinstance(node, Call) or not node.args or node.args[0].shape is None:
        return None
    f, a, shape = node.func, node.args[0], node.args[0].shape
    rows, cols = shape
    if f == "diag" and cols != 1:
        return al.mul(al.binary(".*", a, al.identity(rows)), al.ones(rows))
    if f not in ("sum", "mean") or (f == "sum" and len(node.args) == 1):
        return None
    axis = _axis(node)
    total = a
    if axis in (None, 1) and rows != 1:
        total = al.mul(al.transpose(al.ones(rows)), total)
    if axis in (None, 2) and cols != 1:
        total = al.mul(total, al.ones(cols))
    return total if f == "sum" else al.div(total, _count(_counted(shape, axis)))


def is_diagonal_matrix(node: Node) -> bool:
    """Whether ``node`` is ``diag(x)`` of a vector (a diagonal matrix), not ``diag(A)``."""
    return (
        isinstance(node, Call)
        and node.func == "diag"
        and node.args[0].shape is not None
        and node.args[0].shape[1] == 1
    )
