"""SPEC section 3 as a value: the kind of a derivative and its shape per layout."""

from __future__ import annotations

from dataclasses import dataclass

from gen.expr.ast import SCALAR, Shape
from gen.expr.shape import dim_product
from gen.spec.model import Layout


def _role(shape: Shape) -> str:
    if shape == SCALAR:
        return "scalar"
    if shape[1] == 1:
        return "vector"
    return "matrix"


@dataclass(frozen=True)
class Kind:
    """What is differentiated by what, e.g. ``scalar-by-vector``."""

    of: str  # scalar | vector | matrix
    wrt: str

    @property
    def name(self) -> str:
        """The SPEC name of the kind (``vec-by-vec`` for every pair through vec)."""
        if self.of == "scalar" or (self.wrt == "scalar" and self.of in ("vector", "matrix")):
            return f"{self.of}-by-{self.wrt}"
        if self.of == "vector" and self.wrt == "vector":
            return "vector-by-vector"
        return "vec-by-vec"

    @property
    def is_vec(self) -> bool:
        """Through vec: d vec(Y) / d vec(X)', for every pair but the four plain ones."""
        return self.name == "vec-by-vec"

    @property
    def is_gradient(self) -> bool:
        """A scalar differentiated: the derivative has (up to layout) the variable's shape."""
        return self.of == "scalar"


def kind_of(of_shape: Shape, wrt_shape: Shape) -> Kind:
    """The kind of d(of)/d(wrt) from the two shapes."""
    return Kind(_role(of_shape), _role(wrt_shape))


def result_shape(of_shape: Shape, wrt_shape: Shape, layout: Layout) -> Shape:
    """The shape of the derivative in ``layout`` (the table of SPEC section 3)."""
    kind = kind_of(of_shape, wrt_shape)
    (p, q), (m, n) = of_shape, wrt_shape
    if kind.of == "scalar":
        # dy/dx, dy/dv, dy/dX: numerator is the transpose of the variable's shape.
        return (n, m) if layout is Layout.NUMERATOR else (m, n)
    if kind.wrt == "scalar":
        # du/dx, dY/dx: denominator transposes the numerator's shape.
        return (q, p) if layout is Layout.DENOMINATOR else (p, q)
    if kind.name == "vector-by-vector":
        # du/dv: p x n in numerator layout (the Jacobian), its transpose in denominator.
        return (m, p) if layout is Layout.DENOMINATOR else (p, m)
    # d vec(Y) / d vec(X)': pq x mn in numerator (and mixed) layout, its transpose in denominator.
    rows, cols = dim_product(p, q), dim_product(m, n)
    return (cols, rows) if layout is Layout.DENOMINATOR else (rows, cols)


def gradient_is_transposed(layout: Layout) -> bool:
    """For a scalar's derivative: true where the layout gives the transpose of the gradient."""
    return layout is Layout.NUMERATOR

