"""Tree (with shapes) -> a Python expression over ``np`` and the variable names.

Bindings (SPEC section 6): a variable of shape [n] is an (n, 1) float64
array, a matrix a 2-D array, a scalar [] a Python float.

The (1, 1) rule: a sub-expression of shape (1, 1) is left as whatever numpy
makes of it -- a Python float, a NumPy scalar, or a (1, 1) array such as
``z.T @ z`` -- and is never converted. This is sound because every
operation emitted with a (1, 1) operand treats all three alike:

- a product with a (1, 1) side is a scaling and prints as ``*`` (never
  ``@``), and ``/``, ``+``, ``-``, ``**`` and entrywise functions broadcast;
- the transpose of a (1, 1) node prints as nothing (a float has no ``.T``);
- the matrix-only functions get their scalar forms on a (1, 1) argument:
  ``inv(c)`` -> ``(1 / c)``, ``det(c)`` and ``tr(c)`` -> ``c``,
  ``logdet(c)`` -> ``np.log(np.abs(c))`` (``slogdet`` is ``log|det|``), and
  ``c^k`` is ``c ** k`` rather than ``matrix_power``.

A (1, 1) result may therefore be a float or a (1, 1) array, as the contract
allows. The base of ``**`` that has no variable in it prints as a float
(``2.0 ** k``), so that constant towers overflow instead of growing huge
Python integers.

``kron`` is ``np.kron`` (a float operand scales), ``vec`` reshapes in
column order (a float becomes a (1, 1) array), and ``commutation(m, n)``
permutes the rows of an identity; a product of sizes (``m*n``) prints as
the product of the sizes' expressions, in parentheses.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping

from gen.expr.ast import Binary, Call, DimT, Name, Neg, Node, Num, Transpose
from gen.expr.choice import WHERE, is_comparison
from gen.expr.functions import FUNCTIONS, SIZED, Category
from gen.expr.precedence import ADD, ATOM, MUL, NEG, POSTFIX, POW
from gen.expr.shape import (
    axis_argument,
    dim_factors,
    integer_exponent,
    is_scalar,
    node_shape,
    size_dim,
)
from gen.expr.walk import nodes

_Py = tuple[str, int]  # Python text and how tightly it binds (the shared table's levels)

_ELEMENTWISE_OPS = {"+": "+", "-": "-", "/": "/", ".*": "*", "./": "/"}


def to_numpy(node: Node, sizes: Mapping[str, str] | None = None) -> str:
    """Print a shape-inferred tree as a numpy expression.

    Args:
        node: A tree whose every node has ``shape`` (see ``shape.infer``).
        sizes: A Python expression for each dimension name that ``eye``,
            ``ones``, ``zeros`` or ``I`` needs, e.g. ``{"n": "X.shape[1]"}``.

    Returns:
        Python text using only ``np`` and the variable names.

    Raises:
        ValueError: When a node has no shape, a needed size is missing, or
            a name cannot be a Python variable (a keyword, or ``np``).
    """
    return _Printer(sizes or {}).py(node)[0]


class _Printer:
    """One printing pass."""

    def __init__(self, sizes: Mapping[str, str]) -> None:
        self.sizes = sizes

    def py(self, node: Node) -> _Py:
        shape = node_shape(node)
        if isinstance(node, Num):
            value = node.value
            if value.denominator == 1:
                return str(value.numerator), ATOM
            return f"({value.numerator}/{value.denominator})", ATOM
        if isinstance(node, Name):
            if keyword.iskeyword(node.id) or node.id == "np":
                raise ValueError(f"'{node.id}' cannot be a numpy variable name")
            return node.id, ATOM
        if isinstance(node, Neg):
            return "-" + self.wrap(node.operand, NEG), NEG
        if isinstance(node, Transpose):
            if is_scalar(shape):
                return self.py(node.operand)
            return self.wrap(node.operand, POSTFIX) + ".T", POSTFIX
        if isinstance(node, Call):
            return self.call(node), ATOM
        if isinstance(node, Binary):
            return self.binary(node)
        raise TypeError(f"not an expression node: {node!r}")

    def wrap(self, node: Node, least: int, *, strict: bool = False) -> str:
        """The text of ``node``, in parentheses unless it binds at least ``least``."""
        text, prec = self.py(node)
        if prec < least or (strict and prec == least):
            return f"({text})"
        return text

    def binary(self, node: Binary) -> _Py:
        op = node.op
        left, right = node_shape(node.left), node_shape(node.right)
        if op in ("^", ".^"):
            if op == "^" and not is_scalar(left):
                k = integer_exponent(node.right)
                if k is None:
                    raise ValueError("a matrix power needs an integer exponent")
                return f"np.linalg.matrix_power({self.py(node.left)[0]}, {k})", ATOM
            return f"{self.power_base(node.left)} ** {self.wrap(node.right, NEG)}", POW
        level = ADD if op in ("+", "-") else MUL
        if op == "*":
            symbol = "*" if is_scalar(left) or is_scalar(right) else "@"
        else:
            symbol = _ELEMENTWISE_OPS[op]
        text = f"{self.wrap(node.left, level)} {symbol} {self.wrap(node.right, level, strict=True)}"
        return text, level

    def power_base(self, node: Node) -> str:
        """The base of ``**``; a constant base prints as a float."""
        if isinstance(node, Num) and node.value.denominator == 1:
            return f"{node.value.numerator}.0"
        if _constant(node) and not isinstance(node, Num):
            return f"np.float64({self.py(node)[0]})"
        return self.wrap(node, POW, strict=True)

    def call(self, node: Call) -> str:
        """The numpy form of the call's row, its placeholders filled."""
        row = FUNCTIONS.get(node.func)
        if row is None:
            raise ValueError(f"no numpy form for '{node.func}'")
        fill: dict[str, str] = {}
        if row.of_values:
            printed = [self.py(arg) for arg in node.args]
            fill.update(zip("abc", (text for text, _ in printed), strict=False))
            if node.func == WHERE and is_comparison(node.args[0]):  # np.where(P > Q, A, B)
                condition = node.args[0]
                assert isinstance(condition, Call)
                sides = (self.py(side)[0] for side in condition.args)
                fill["a"] = f" {condition.func} ".join(sides)
            text, prec = printed[0]
            fill.update(
                a_neg=_wrapped(text, prec < NEG),
                a_add=_wrapped(text, prec < ADD),
                a_mul=_wrapped(text, prec <= MUL),
                a_atom=_wrapped(text, prec < ATOM),
            )
        else:
            rows, cols = node_shape(node)
            fill.update(rows=self.size(rows), cols=self.size(cols))
        if row.category is Category.SIZES:
            for key, arg in zip("mn", node.args, strict=False):
                fill[key] = self.size(_size_of(arg))
        form = row.numpy.form
        if row.numpy.scalar is not None and node.args and is_scalar(node_shape(node.args[0])):
            form = row.numpy.scalar
        elif row.numpy.matrix is not None and node_shape(node.args[0])[1] != 1:
            form = row.numpy.matrix
        if row.axis and len(node.args) == 2:
            assert row.numpy.axis is not None
            form = row.numpy.axis
            fill["axis"] = str(axis_argument(node.func, node.args[1]) - 1)
        return form.format(**fill)

    def size(self, dim: DimT) -> str:
        """A size as Python text: an integer, the caller's expression for a dimension,
        or the product of those in parentheses (``m*n``)."""
        if isinstance(dim, int):
            return str(dim)
        if dim in self.sizes:
            return self.sizes[dim]
        coefficient, names = dim_factors(dim)
        if len(names) == 1 and coefficient == 1:
            raise ValueError(f"no Python expression given for the size '{dim}'")
        factors = [] if coefficient == 1 else [str(coefficient)]
        factors += [self.size(name) for name in names]
        return f"({' * '.join(factors)})"


def _size_of(node: Node) -> DimT:
    """The size a size argument stands for (a dimension, an integer, or their product)."""
    dim = size_dim(node)
    if dim is None:
        raise ValueError(f"not a size: {node!r}")
    return dim


def _constant(node: Node) -> bool:
    """Whether ``node`` has no variable in it (calls of sizes are arrays anyway)."""
    return not any(
        isinstance(item, Name) or (isinstance(item, Call) and item.func in SIZED)
        for item in nodes(node)
    )


def _wrapped(text: str, needed: bool) -> str:
    """``text``, in parentheses when ``needed``."""
    return f"({text})" if needed else text
