"""Sizes and shapes as values: products of dimensions in canonical form, and shape predicates.

Nothing here knows the expression tree, so the function table (``gen.expr.functions``)
and the node classes (``gen.expr.ast``) may both build on it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

# A size: an integer, a dimension name, or a product of them in the canonical form of
# ``dim_product`` ("m*n", "2*n": the coefficient first, names sorted).
DimT = str | int
Shape = tuple[DimT, DimT]  # (rows, cols); a scalar is (1, 1), a vector [n] is (n, 1)

SCALAR: Shape = (1, 1)


def format_shape(shape: Shape) -> str:
    """A shape as messages print it: ``[m, 1]``, ``[m*n, 1]``."""
    return f"[{shape[0]}, {shape[1]}]"


@functools.lru_cache(maxsize=4096)  # asked for on every product of shapes
def dim_factors(d: DimT) -> tuple[int, tuple[str, ...]]:
    """The integer coefficient and the dimension names of a size.

    ``"2*m*n"`` -> ``(2, ("m", "n"))``, ``"n"`` -> ``(1, ("n",))``, ``3`` -> ``(3, ())``.
    """
    if isinstance(d, int):
        return d, ()
    coefficient, names = 1, list[str]()
    for factor in d.split("*"):
        factor = factor.strip()
        if factor.isdigit():
            coefficient *= int(factor)
        else:
            names.append(factor)
    return coefficient, tuple(names)


def dim_product(*dims: DimT) -> DimT:
    """The product of sizes in canonical form, so that shapes compare by equality.

    Integers are multiplied together; the names are sorted and joined with
    ``*``, after the integer coefficient unless it is 1: ``dim_product("n",
    "m") == "m*n"``, ``dim_product(2, "n", 3) == "6*n"``, ``dim_product(1, "n")
    == "n"``, ``dim_product(2, 3) == 6``, ``dim_product("m*n", "p") == "m*n*p"``.
    A name that appears twice stays twice (``"n*n"``).
    """
    coefficient, names = 1, list[str]()
    for d in dims:
        factor, factor_names = dim_factors(d)
        coefficient *= factor
        names.extend(factor_names)
    if not names:
        return coefficient
    prefix = [] if coefficient == 1 else [str(coefficient)]
    return "*".join(prefix + sorted(names))


def dim_value(d: DimT, sizes: Mapping[str, int]) -> int:
    """The integer a size stands for, each dimension's from ``sizes`` (KeyError if missing)."""
    value, names = dim_factors(d)
    for name in names:
        value *= int(sizes[name])
    return value


def is_scalar(shape: Shape) -> bool:
    """Whether ``shape`` is (1, 1)."""
    return shape[0] == 1 and shape[1] == 1


def is_square(shape: Shape) -> bool:
    """Whether ``shape`` has as many rows as columns."""
    return shape[0] == shape[1]


def transpose_shape(shape: Shape) -> Shape:
    """The shape of a transpose: rows and columns swapped."""
    return (shape[1], shape[0])


def broadcast_shape(left: Shape, right: Shape) -> Shape | None:
    """The shape of ``left`` and ``right`` broadcast together as NumPy does in 2-D, else None.

    Each axis: equal sizes, or a size 1 against any other (which the result takes):
    a scalar with anything, an m x 1 or a 1 x n with an m x n, an m x 1 with a 1 x n.
    A dimension name stands for a size above 1, so ``[n, 1]`` and ``[m, 1]`` do not fit.
    """
    out: list[DimT] = []
    for a, b in zip(left, right, strict=True):
        if a == b or b == 1:
            out.append(a)
        elif a == 1:
            out.append(b)
        else:
            return None
    return (out[0], out[1])
