"""SPEC section 3 as a value: the kind of a derivative and its shape per layout."""

from __future__ import annotations

from enum import Enum

from gen.expr.ast import SCALAR, Shape
from gen.expr.shape import dim_product
from gen.spec.model import Layout


def _role(shape: Shape) -> str:
    if shape == SCALAR:
        return "scalar"
    if shape[1] == 1:
        return "vector"
    return "matrix"


class Kind(str, Enum):
    """What is differentiated by what; the value is the SPEC name, e.g. ``scalar-by-vector``."""

    SCALAR_BY_SCALAR = "scalar-by-scalar"
    SCALAR_BY_VECTOR = "scalar-by-vector"
    SCALAR_BY_MATRIX = "scalar-by-matrix"
    VECTOR_BY_SCALAR = "vector-by-scalar"
    VECTOR_BY_VECTOR = "vector-by-vector"
    MATRIX_BY_SCALAR = "matrix-by-scalar"
    VEC_BY_VEC = "vec-by-vec"  # d vec(Y) / d vec(X)': every other pair

    def __str__(self) -> str:
        return self.value

    @property
    def is_vec(self) -> bool:
        """Through vec: d vec(Y) / d vec(X)', for every pair but the plain ones."""
        return self is Kind.VEC_BY_VEC

    @property
    def is_gradient(self) -> bool:
        """A scalar differentiated: the derivative has (up to layout) the variable's shape."""
        return self in (Kind.SCALAR_BY_SCALAR, Kind.SCALAR_BY_VECTOR, Kind.SCALAR_BY_MATRIX)

    @property
    def by_scalar(self) -> bool:
        """A vector or a matrix differentiated by a scalar."""
        return self in (Kind.VECTOR_BY_SCALAR, Kind.MATRIX_BY_SCALAR)


def kind_of(of_shape: Shape, wrt_shape: Shape) -> Kind:
    """The kind of d(of)/d(wrt) from the two shapes."""
    try:
        return Kind(f"{_role(of_shape)}-by-{_role(wrt_shape)}")
    except ValueError:  # matrix-by-matrix, vector-by-matrix, matrix-by-vector
        return Kind.VEC_BY_VEC


def result_shape(of_shape: Shape, wrt_shape: Shape, layout: Layout) -> Shape:
    """The shape of the derivative in ``layout`` (the table of SPEC section 3)."""
    kind = kind_of(of_shape, wrt_shape)
    (p, q), (m, n) = of_shape, wrt_shape
    if kind.is_gradient:
        # dy/dx, dy/dv, dy/dX: numerator is the transpose of the variable's shape.
        return (n, m) if layout is Layout.NUMERATOR else (m, n)
    if kind.by_scalar:
        # du/dx, dY/dx: denominator transposes the numerator's shape.
        return (q, p) if layout is Layout.DENOMINATOR else (p, q)
    if kind is Kind.VECTOR_BY_VECTOR:
        # du/dv: p x n in numerator layout (the Jacobian), its transpose in denominator.
        return (m, p) if layout is Layout.DENOMINATOR else (p, m)
    # d vec(Y) / d vec(X)': pq x mn in numerator (and mixed) layout, its transpose in denominator.
    rows, cols = dim_product(p, q), dim_product(m, n)
    return (cols, rows) if layout is Layout.DENOMINATOR else (rows, cols)


def gradient_is_transposed(layout: Layout) -> bool:
    """For a scalar's derivative: true where the layout gives the transpose of the gradient."""
    return layout is Layout.NUMERATOR
