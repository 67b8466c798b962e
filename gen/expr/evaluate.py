"""A direct numpy interpreter over a tree: the independent oracle for verification."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from gen.expr.ast import Binary, Call, DimT, Name, Neg, Node, Num, Transpose
from gen.expr.functions import FUNCTIONS, Array, Category, commutation
from gen.expr.shape import dim_value, size_dim

__all__ = ["OPERATORS", "Array", "as_matrix", "binary", "commutation", "evaluate"]


def evaluate(
    node: Node,
    values: Mapping[str, Any],
    sizes: Mapping[str, int],
) -> Array | float:
    """Compute ``node`` on numbers, with the semantics of SPEC section 2.

    Every value is held as a 2-D float64 array (a scalar as (1, 1)), and a
    product is a scaling exactly when one side is (1, 1) at run time, so the
    oracle depends on inferred shapes only for the size of ``I``. ``+ - .* ./``
    broadcast as NumPy does in 2-D.

    Args:
        node: The tree; ``I`` needs its inferred ``shape``.
        values: A float, or a 1-D ([n] as n x 1) or 2-D array, for each name.
        sizes: The integer value of each dimension name; a dimension used as a
            value (a name missing from ``values``) is its size.

    Returns:
        A float for a (1, 1) result, else a 2-D array.

    Raises:
        KeyError: On a name missing from ``values`` or ``sizes``.
        ValueError: On shapes numpy refuses, or an ``I`` without a shape.
    """
    result = _Evaluator(values, sizes).value(node)
    if result.shape == (1, 1):
        return float(result[0, 0])
    return result


def as_matrix(value: Any) -> Array:
    """A float, 0-, 1- (as a column) or 2-D array as a 2-D float64 array."""
    if type(value) is np.ndarray and value.ndim == 2 and value.dtype == np.float64:
        return value  # already one (what np.asarray would return)
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(f"expected at most 2 dimensions, got {array.ndim}")
    return array


def _broadcasts(left: tuple[int, ...], right: tuple[int, ...]) -> bool:
    """Whether two 2-D shapes broadcast (each axis equal, or one of them 1)."""
    return all(a == b or a == 1 or b == 1 for a, b in zip(left, right, strict=True))


def _checked(op: str, left: Array, right: Array) -> None:
    if left.shape != right.shape and not _broadcasts(left.shape, right.shape):
        raise ValueError(f"cannot apply {op} to {left.shape} and {right.shape}")


def _add(left: Array, right: Array) -> Array:
    _checked("+", left, right)
    return left + right


def _sub(left: Array, right: Array) -> Array:
    _checked("-", left, right)
    return left - right


def _mul(left: Array, right: Array) -> Array:
    return left * right if left.shape == (1, 1) or right.shape == (1, 1) else left @ right


def _times(left: Array, right: Array) -> Array:
    _checked(".*", left, right)
    return left * right


def _div(left: Array, right: Array) -> Array:
    if right.shape != (1, 1):
        raise ValueError("the divisor of / must be a scalar")
    return left / right


def _over(left: Array, right: Array) -> Array:
    _checked("./", left, right)
    return left / right


def _power(left: Array, right: Array) -> Array:
    if right.shape != (1, 1):
        raise ValueError("an exponent must be a scalar")
    if left.shape == (1, 1):
        return np.power(left, right)
    exponent = float(right[0, 0])
    if not exponent.is_integer():
        raise ValueError("a matrix power needs an integer exponent")
    return np.linalg.matrix_power(left, int(exponent))


def _entry_power(left: Array, right: Array) -> Array:
    if right.shape != (1, 1):
        raise ValueError("an exponent must be a scalar")
    return np.power(left, right)


# Each operator on 2-D values (SPEC section 2): a product is a scaling exactly when one
# side is (1, 1); ``+ - .* ./`` broadcast as NumPy does in 2-D. Each raises ValueError on
# shapes it refuses. The interpreter and the compiled closures (gen.expr.compiled) share it.
OPERATORS: Mapping[str, Callable[[Array, Array], Array]] = MappingProxyType(
    {
        "+": _add,
        "-": _sub,
        "*": _mul,
        ".*": _times,
        "/": _div,
        "./": _over,
        "^": _power,
        ".^": _entry_power,
    }
)


def binary(op: str, left: Array, right: Array) -> Array:
    """``left op right`` on 2-D values (``OPERATORS``).

    Raises:
        ValueError: On shapes the operator refuses.
    """
    return OPERATORS[op](left, right)


class _Evaluator:
    """One evaluation."""

    def __init__(self, values: Mapping[str, Any], sizes: Mapping[str, int]) -> None:
        self.values = values  # converted on first use: an environment may be large
        self.sizes = sizes

    def value(self, node: Node) -> Array:
        if isinstance(node, Num):
            return np.array([[float(node.value)]])
        if isinstance(node, Name):
            if node.id not in self.values and node.id in self.sizes:
                return np.array([[float(self.sizes[node.id])]])  # a dimension as a value
            return as_matrix(self.values[node.id])
        if isinstance(node, Neg):
            return -self.value(node.operand)
        if isinstance(node, Transpose):
            return self.value(node.operand).T
        if isinstance(node, Binary):
            return binary(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not an expression node: {node!r}")

    def call(self, node: Call) -> Array:
        """The evaluator of the call's row, on the arguments' values or sizes."""
        row = FUNCTIONS.get(node.func)
        if row is None:
            raise ValueError(f"unknown function '{node.func}'")
        if row.category is Category.CONSTANT:
            if node.shape is None:
                raise ValueError(f"the size of {node.func} is not known; run shape inference first")
            return row.evaluate(self.size(node.shape[0]))
        if row.category is Category.SIZES:
            return row.evaluate(*(self.dim(arg) for arg in node.args))
        return row.evaluate(*(self.value(arg) for arg in node.args))

    def dim(self, node: Node) -> int:
        """A size argument of eye, ones, zeros or commutation."""
        dim = size_dim(node)
        if dim is None:
            raise ValueError("a size must be a dimension name, an integer or a product of them")
        return self.size(dim)

    def size(self, dim: DimT) -> int:
        """The integer of a size: a dimension's value, or the product of a product's."""
        return dim_value(dim, self.sizes)
