"""The shape rules and values of the function table's rows (``gen.expr.functions``).

A course function (SPEC section 8) with a dimension argument (``sum(A, 1)``) gets the
dimension as the integer 1 (each column) or 2 (each row) in place of its shape in
its shape rule, and as a (1, 1) array in its evaluator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gen.errors import ShapeError
from gen.expr.dims import SCALAR, DimT, Shape, dim_product, format_shape, is_square
from gen.expr.function_row import ShapeRule

Array = NDArray[Any]

AXES = (1, 2)  # the dimension argument: 1 runs down each column, 2 along each row


def _axis(shapes: Sequence[Any]) -> int | None:
    """The dimension argument of a rule's arguments (None when there is none)."""
    return int(shapes[1]) if len(shapes) > 1 else None


def reduced(shape: Shape, axis: int) -> Shape:
    """The shape of a reduction of ``shape`` along ``axis``: 1 x n (columns), m x 1 (rows)."""
    return (1, shape[1]) if axis == 1 else (shape[0], 1)


def reduction(shapes: Sequence[Any]) -> Shape:
    """``sum`` and ``mean``: a scalar, or the column sums (1 x n) or row sums (m x 1)."""
    axis = _axis(shapes)
    return SCALAR if axis is None else reduced(shapes[0], axis)


def _needs_axis(name: str, arg: Shape) -> ShapeError:
    return ShapeError(
        f"{name} of {format_shape(arg)} needs a dimension: write {name}(A, 1) for each column"
        f" or {name}(A, 2) for each row"
    )


def softmax_shape(shapes: Sequence[Any]) -> Shape:
    """``softmax``: its argument's shape; a matrix (or a row) needs a dimension."""
    arg: Shape = shapes[0]
    if _axis(shapes) is None and arg[1] != 1:
        raise _needs_axis("softmax", arg)
    return arg


def logsumexp_shape(shapes: Sequence[Any]) -> Shape:
    """``logsumexp``: a scalar of a column; 1 x n or m x 1 along a dimension."""
    arg: Shape = shapes[0]
    axis = _axis(shapes)
    if axis is None:
        if arg[1] != 1:
            raise _needs_axis("logsumexp", arg)
        return SCALAR
    return reduced(arg, axis)


def diag_shape(shapes: Sequence[Any]) -> Shape:
    """``diag``: a column vector n x 1 -> n x n; a square matrix n x n -> its diagonal n x 1."""
    arg: Shape = shapes[0]
    if arg[1] == 1:
        return (arg[0], arg[0])
    if is_square(arg):
        return (arg[0], 1)
    raise ShapeError(
        f"diag needs a column vector [n, 1] or a square matrix, not {format_shape(arg)}"
    )


# ----------------------------------------------------------------------------- values


def _axis_of(k: Array | None) -> int | None:
    """numpy's axis for a dimension argument (a (1, 1) array holding 1 or 2)."""
    return None if k is None else int(np.asarray(k).reshape(-1)[0]) - 1


def sum_of(x: Array, k: Array | None = None) -> Array:
    """The sum of all entries, or the column (k = 1) or row (k = 2) sums."""
    axis = _axis_of(k)
    if axis is None:
        return scalar(x.sum())
    result: Array = x.sum(axis=axis, keepdims=True)
    return result


def mean_of(x: Array, k: Array | None = None) -> Array:
    """The mean of all entries, or of each column (k = 1) or row (k = 2)."""
    axis = _axis_of(k)
    if axis is None:
        return scalar(x.mean())
    result: Array = x.mean(axis=axis, keepdims=True)
    return result


def softmax_of(x: Array, k: Array | None = None) -> Array:
    """The softmax of a column, or of each column (k = 1) or row (k = 2)."""
    axis = _axis_of(k)
    shifted: Array = np.exp(x - x.max(axis=axis, keepdims=True))
    result: Array = shifted / shifted.sum(axis=axis, keepdims=True)
    return result


def logsumexp_of(x: Array, k: Array | None = None) -> Array:
    """log(sum(exp(x))) of a column, or of each column (k = 1) or row (k = 2)."""
    axis = _axis_of(k)
    top = x.max(axis=axis, keepdims=True)
    result: Array = top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))
    return result if axis is not None else scalar(result.reshape(-1)[0])


def diag_of(x: Array) -> Array:
    """The square matrix with a column on its diagonal, or a square matrix's diagonal."""
    if x.shape[1] == 1:
        result: Array = np.diag(x[:, 0])
        return result
    if x.shape[0] != x.shape[1]:
        raise ValueError("diag needs a column vector or a square matrix")
    return np.diag(x).reshape(-1, 1).copy()


def relu(x: Array) -> Array:
    """max(x, 0) entry by entry."""
    result: Array = np.maximum(x, 0.0)
    return result


def step(x: Array) -> Array:
    """1 where the entry is > 0, else 0."""
    result: Array = (np.asarray(x) > 0).astype(float)
    return result


def pi_value() -> Array:
    """π as a (1, 1) array."""
    return scalar(np.pi)


# ----------------------------------------------------------------------------- shape rules


def same(shapes: Sequence[Shape]) -> Shape:
    """The argument's shape (entrywise functions)."""
    return shapes[0]


def scalar_of_any(shapes: Sequence[Shape]) -> Shape:
    """A scalar, from an argument of any shape."""
    return SCALAR


def square(verb: str, scalar: bool) -> ShapeRule:
    """A rule for a square argument only; the result a scalar or the argument's shape."""

    def rule(shapes: Sequence[Shape]) -> Shape:
        (arg,) = shapes
        if not is_square(arg):
            raise ShapeError(f"cannot {verb} {format_shape(arg)}: it is not square")
        return SCALAR if scalar else arg

    return rule


def kron_shape(shapes: Sequence[Shape]) -> Shape:
    """(rA*rB, cA*cB)."""
    (rows_a, cols_a), (rows_b, cols_b) = shapes
    return (dim_product(rows_a, rows_b), dim_product(cols_a, cols_b))


def vec_shape(shapes: Sequence[Shape]) -> Shape:
    """(r*c, 1)."""
    ((rows, cols),) = shapes
    return (dim_product(rows, cols), 1)


def eye_shape(sizes: Sequence[DimT]) -> Shape:
    return (sizes[0], sizes[0])


def ones_shape(sizes: Sequence[DimT]) -> Shape:
    return (sizes[0], 1)


def zeros_shape(sizes: Sequence[DimT]) -> Shape:
    return (sizes[0], sizes[1])


def commutation_shape(sizes: Sequence[DimT]) -> Shape:
    both = dim_product(sizes[0], sizes[1])
    return (both, both)


def pi_shape(sizes: Sequence[DimT]) -> Shape:
    return SCALAR


def sizeless(sizes: Sequence[DimT]) -> Shape:
    raise ShapeError("I has no size of its own: it takes the size its neighbours give it")


# ----------------------------------------------------------------------------- values


def scalar(value: Any) -> Array:
    """A number as a (1, 1) array."""
    return np.array([[float(value)]])


def commutation(m: int, n: int) -> Array:
    """K_mn, the (m*n) x (m*n) permutation with K vec(A) = vec(A') for an m x n A.

    vec(A) holds A[i, j] at j*m + i, and vec(A') holds it at i*n + j.
    """
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[i * n + j, j * m + i] = 1.0
    return k


def kron(a: Array, b: Array) -> Array:
    result: Array = np.kron(a, b)
    return result
