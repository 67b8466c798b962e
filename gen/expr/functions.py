"""The functions of the expression language (SPEC section 2): one row each, every fact about it.

The parser, the shape checker, the printers (text, LaTeX, numpy), the evaluator, the
exact bridge and the derivative rules all read a function's facts from its row of
``FUNCTIONS``; a new function is one new row (plus, unless it is entrywise, its
differential and adjoint rules in ``gen.derive.rules``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from gen.errors import ShapeError
from gen.expr import course
from gen.expr.dims import SCALAR, DimT, Shape, dim_product, format_shape, is_square

if TYPE_CHECKING:
    from gen.expr.ast import Node

Array = NDArray[Any]
# A shape rule takes the shapes of the arguments (the sizes, in canonical form, for a
# function of sizes) and returns the shape of the result, or raises ShapeError.
ShapeRule = Callable[[Sequence[Any]], Shape]


class Category(Enum):
    """What a function's arguments and result are."""

    ENTRYWISE = "entrywise"  # f applied to every entry: the result has the argument's shape
    REDUCTION = "reduction"  # a value -> a scalar
    MATRIX = "matrix"  # any other function of values
    SIZES = "sizes"  # its arguments are sizes, not values (eye(n), zeros(m, n))
    CONSTANT = "constant"  # no arguments; its size comes from its neighbours (I)
    NUMBER = "number"  # no arguments; a scalar constant (pi)


# How the LaTeX printer lays a call out (``gen.expr.to_latex``):
#   prefix       symbol(arg), the brackets sized to the argument: \exp(x)
#   superscript  arg^{symbol}, the argument as a base: A^{-1}
#   root         symbol{arg}: \sqrt{x}
#   norm         \lVert arg \rVert_{2}, or _{F} for a matrix argument
#   infix        left symbol right, bracketed as a product: A \otimes B
#   identity     symbol alone: I
#   sized        symbol_{sizes}, sizes joined by \times: I_{n}, 0_{m \times n}
#   indexed      symbol_{mn}, or symbol_{m,n} unless both sizes are one character: K_{mn}
#   bars         \lvert arg \rvert: |A|
LatexKind = Literal[
    "prefix", "superscript", "root", "norm", "infix", "identity", "sized", "indexed", "bars"
]


@dataclass(frozen=True)
class Latex:
    """How a call is typeset: a layout and its symbol (``bold``: the symbol beside bold names).

    ``axis``: the symbols of a call with the dimension argument 1 and 2 (``sum(A, 1)``).
    """

    kind: LatexKind
    symbol: str
    bold: str | None = None
    axis: tuple[str, str] | None = None


@dataclass(frozen=True)
class Numpy:
    """The numpy text of a call (``gen.expr.to_numpy``), a format string with placeholders.

    ``{a}`` and ``{b}`` are the arguments' texts; ``{a_neg}``, ``{a_add}`` and ``{a_atom}``
    the first in parentheses unless it binds at least as tightly as a unary minus, a sum,
    an atom, ``{a_mul}`` unless it binds more tightly than a product; ``{rows}`` and
    ``{cols}`` the sizes of the result, ``{m}`` and ``{n}`` those given as arguments.
    ``scalar`` is the form for a (1, 1) argument, where the matrix form does not apply;
    ``matrix`` the form for an argument of more than one column (``diag(A)``); ``axis``
    the form of a call with a dimension argument, ``{axis}`` numpy's axis (0 or 1).
    """

    form: str
    scalar: str | None = None
    matrix: str | None = None
    axis: str | None = None


class Builder(Protocol):
    """The node constructors a derivative is written with (``gen.derive.rules`` has one)."""

    def call(self, func: str, *args: Node) -> Node:
        """``func(args)``."""

    def neg(self, a: Node) -> Node:
        """``-a``."""

    def sub(self, a: Node, b: Node) -> Node:
        """``a - b``."""

    def div(self, a: Node, c: Node) -> Node:
        """``a / c`` for a scalar ``c``."""

    def num(self, value: int) -> Node:
        """An integer."""

    def one_like(self, a: Node) -> Node:
        """1 in the shape of ``a``: the number 1, or the ones of a vector or matrix."""

    def times(self, a: Node, b: Node) -> Node:
        """``a .* b`` (a plain product when ``a`` is a scalar)."""

    def reciprocal(self, a: Node) -> Node:
        """``1 ./ a`` (``1 / a`` when ``a`` is a scalar)."""

    def zero_like(self, a: Node) -> Node:
        """0 in the shape of ``a``."""


@dataclass(frozen=True)
class Function:
    """Every fact about one function of the expression language.

    Attributes:
        name: How it is written.
        arity: The fewest and the most arguments it takes.
        category: What its arguments and result are.
        shape: Its shape rule (see ``ShapeRule``).
        latex: How it is typeset.
        text: How it is written in the spec's syntax before its brackets (bare
            when it takes no arguments).
        numpy: Its numpy text.
        evaluate: Its value: a numpy callable on 2-D float64 arrays (a scalar as
            (1, 1)) returning one; on integers for a function of sizes, on the
            number of rows of its inferred shape for ``I``.
        sympy: For the exact bridge: an entrywise function's formula in ``x`` in
            SymPy's syntax (``exp(x)``), which the bridge turns into a function;
            for any other, the name of the bridge's routine that interprets it.
        note: The key of the note that names its differential rule (none for
            constants and functions of sizes, whose differential is zero).
        formula: The note's formula, as LaTeX and as plain text.
        derivative: For an entrywise function, f'(u) built with a ``Builder``.
        passes_size: An argument without a size of its own (``I``) takes the
            call's size (``inv(I)``, ``exp(I)``).
        advice: What the parser's message suggests when the function is misused.
        axis: Its optional last argument is a dimension, the integer literal 1 (each
            column) or 2 (each row), passed to its shape rule as that integer.
        kinked: Its derivative jumps where its argument is 0 (relu, abs): the numeric
            check samples points where every such argument stays clear of 0.
    """

    name: str
    arity: tuple[int, int]
    category: Category
    shape: ShapeRule
    latex: Latex
    text: str
    numpy: Numpy
    evaluate: Callable[..., Array]
    sympy: str
    note: str | None = None
    formula: tuple[str, str] | None = None
    derivative: Callable[[Node, Builder], Node] | None = None
    passes_size: bool = False
    advice: str = ""
    axis: bool = False
    kinked: bool = False

    @property
    def of_values(self) -> bool:
        """Whether its arguments are values (not sizes, and it has some)."""
        return self.category not in (Category.SIZES, Category.CONSTANT, Category.NUMBER)


# ----------------------------------------------------------------------------- shape rules


def _same(shapes: Sequence[Shape]) -> Shape:
    """The argument's shape (entrywise functions)."""
    return shapes[0]


def _scalar_of_any(shapes: Sequence[Shape]) -> Shape:
    """A scalar, from an argument of any shape."""
    return SCALAR


def _square(verb: str, scalar: bool) -> ShapeRule:
    """A rule for a square argument only; the result a scalar or the argument's shape."""

    def rule(shapes: Sequence[Shape]) -> Shape:
        (arg,) = shapes
        if not is_square(arg):
            raise ShapeError(f"cannot {verb} {format_shape(arg)}: it is not square")
        return SCALAR if scalar else arg

    return rule


def _kron_shape(shapes: Sequence[Shape]) -> Shape:
    """(rA*rB, cA*cB)."""
    (rows_a, cols_a), (rows_b, cols_b) = shapes
    return (dim_product(rows_a, rows_b), dim_product(cols_a, cols_b))


def _vec_shape(shapes: Sequence[Shape]) -> Shape:
    """(r*c, 1)."""
    ((rows, cols),) = shapes
    return (dim_product(rows, cols), 1)


def _eye_shape(sizes: Sequence[DimT]) -> Shape:
    return (sizes[0], sizes[0])


def _ones_shape(sizes: Sequence[DimT]) -> Shape:
    return (sizes[0], 1)


def _zeros_shape(sizes: Sequence[DimT]) -> Shape:
    return (sizes[0], sizes[1])


def _commutation_shape(sizes: Sequence[DimT]) -> Shape:
    both = dim_product(sizes[0], sizes[1])
    return (both, both)


def _pi_shape(sizes: Sequence[DimT]) -> Shape:
    return SCALAR


def _sizeless(sizes: Sequence[DimT]) -> Shape:
    raise ShapeError("I has no size of its own: it takes the size its neighbours give it")


# ----------------------------------------------------------------------------- values


def _scalar(value: Any) -> Array:
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


def _kron(a: Array, b: Array) -> Array:
    result: Array = np.kron(a, b)
    return result


# ----------------------------------------------------------------------------- derivatives


def _d_exp(u: Node, b: Builder) -> Node:
    return b.call("exp", u)


def _d_log(u: Node, b: Builder) -> Node:
    return b.reciprocal(u)


def _d_sin(u: Node, b: Builder) -> Node:
    return b.call("cos", u)


def _d_cos(u: Node, b: Builder) -> Node:
    return b.neg(b.call("sin", u))


def _d_tanh(u: Node, b: Builder) -> Node:
    t = b.call("tanh", u)
    return b.sub(b.one_like(u), b.times(t, t))


def _d_sigmoid(u: Node, b: Builder) -> Node:
    s = b.call("sigmoid", u)
    return b.times(s, b.sub(b.one_like(u), s))


def _d_sqrt(u: Node, b: Builder) -> Node:
    return b.div(b.reciprocal(b.call("sqrt", u)), b.num(2))


def _d_relu(u: Node, b: Builder) -> Node:
    return b.call("step", u)


def _d_abs(u: Node, b: Builder) -> Node:
    return b.call("sign", u)


def _d_flat(u: Node, b: Builder) -> Node:
    """The derivative of sign and step, zero almost everywhere."""
    return b.zero_like(u)


# ----------------------------------------------------------------------------- the rows

_ENTRYWISE_RULE = (r"\mathrm{d}f(A) = f'(A) \odot \mathrm{d}A", "d f(A) = f'(A) .* dA")


def _entrywise(
    name: str,
    latex: str,
    numpy: str,
    evaluate: Callable[..., Array],
    sympy: str,
    derivative: Callable[[Node, Builder], Node],
    kinked: bool = False,
) -> Function:
    """The row of an entrywise function ``name`` (``kinked``: its derivative jumps at 0)."""
    return Function(
        name,
        (1, 1),
        Category.ENTRYWISE,
        _same,
        Latex("prefix", latex),
        name,
        Numpy(numpy),
        evaluate,
        sympy,
        "entrywise",
        _ENTRYWISE_RULE,
        derivative,
        passes_size=True,
        kinked=kinked,
    )


def _prefix(
    name: str,
    category: Category,
    shape: ShapeRule,
    latex: str,
    numpy: Numpy,
    evaluate: Callable[..., Array],
    note: str,
    formula: tuple[str, str],
) -> Function:
    """The row of a function of one value typeset as ``\\name(arg)``."""
    return Function(
        name,
        (1, 1),
        category,
        shape,
        Latex("prefix", latex),
        name,
        numpy,
        evaluate,
        name,
        note,
        formula,
    )


def _axis_row(
    name: str,
    shape: ShapeRule,
    latex: str,
    numpy: Numpy,
    evaluate: Callable[..., Array],
    note: str,
    formula: tuple[str, str],
) -> Function:
    """The row of a function of one value and an optional dimension: ``\\name_{k}(arg)``."""
    return Function(
        name,
        (1, 2),
        Category.MATRIX,
        shape,
        Latex("prefix", latex, axis=(f"{latex}_{{1}}", f"{latex}_{{2}}")),
        name,
        numpy,
        evaluate,
        name,
        note,
        formula,
        axis=True,
    )


_ROWS = (
    Function(
        "inv",
        (1, 1),
        Category.MATRIX,
        _square("invert", scalar=False),
        Latex("superscript", "-1"),
        "inv",
        Numpy("np.linalg.inv({a})", scalar="(1 / {a_mul})"),
        np.linalg.inv,
        "inv",
        "inverse",
        (r"\mathrm{d}(A^{-1}) = -A^{-1}\,\mathrm{d}A\,A^{-1}", "d(A^-1) = -A^-1 dA A^-1"),
        passes_size=True,
    ),
    _prefix(
        "tr",
        Category.REDUCTION,
        _square("take tr of", scalar=True),
        r"\operatorname{tr}",
        Numpy("np.trace({a})", scalar="{a_atom}"),
        lambda x: _scalar(np.trace(x)),
        "trace",
        (r"\mathrm{d}\operatorname{tr}A = \operatorname{tr}\mathrm{d}A", "d tr(A) = tr(dA)"),
    ),
    _prefix(
        "det",
        Category.REDUCTION,
        _square("take det of", scalar=True),
        r"\det",
        Numpy("np.linalg.det({a})", scalar="{a_atom}"),
        lambda x: _scalar(np.linalg.det(x)),
        "det",
        (
            r"\mathrm{d}\det A = \det A\,\operatorname{tr}(A^{-1}\mathrm{d}A)",
            "d det(A) = det(A) tr(A^-1 dA)",
        ),
    ),
    _prefix(
        "logdet",
        Category.REDUCTION,
        _square("take logdet of", scalar=True),
        r"\log\det",
        Numpy("np.linalg.slogdet({a})[1]", scalar="np.log(np.abs({a}))"),
        lambda x: _scalar(np.linalg.slogdet(x)[1]),
        "logdet",
        (
            r"\mathrm{d}\log\det A = \operatorname{tr}(A^{-1}\mathrm{d}A)",
            "d logdet(A) = tr(A^-1 dA)",
        ),
    ),
    _prefix(
        "diag",
        Category.MATRIX,
        course.diag_shape,
        r"\operatorname{diag}",
        Numpy("np.diagflat({a})", matrix="np.diagonal({a}).reshape(-1, 1)"),
        course.diag_of,
        "diag",
        (
            r"\mathrm{d}\operatorname{diag}(x) = \operatorname{diag}(\mathrm{d}x)",
            "d diag(x) = diag(dx)",
        ),
    ),
    _axis_row(
        "sum",
        course.reduction,
        r"\operatorname{sum}",
        Numpy("np.sum({a})", axis="np.sum({a}, axis={axis}, keepdims=True)"),
        course.sum_of,
        "sumall",
        (r"\mathrm{d}\operatorname{sum}A = \operatorname{sum}\mathrm{d}A", "d sum(A) = sum(dA)"),
    ),
    _axis_row(
        "mean",
        course.reduction,
        r"\operatorname{mean}",
        Numpy("np.mean({a})", axis="np.mean({a}, axis={axis}, keepdims=True)"),
        course.mean_of,
        "mean",
        (
            r"\mathrm{d}\operatorname{mean}A = \operatorname{mean}\mathrm{d}A",
            "d mean(A) = mean(dA)",
        ),
    ),
    Function(
        "norm2",
        (1, 1),
        Category.REDUCTION,
        _scalar_of_any,
        Latex("norm", ""),
        "norm2",
        Numpy("np.linalg.norm({a})"),
        lambda x: _scalar(np.sqrt(np.sum(x * x))),
        "norm2",
        "norm",
        (
            r"\mathrm{d}\lVert x \rVert = \frac{x^{\top}\mathrm{d}x}{\lVert x \rVert}",
            "d norm2(x) = x' dx / norm2(x)",
        ),
    ),
    _entrywise("exp", r"\exp", "np.exp({a})", np.exp, "exp(x)", _d_exp),
    _entrywise("log", r"\log", "np.log({a})", np.log, "log(x)", _d_log),
    _entrywise("sin", r"\sin", "np.sin({a})", np.sin, "sin(x)", _d_sin),
    _entrywise("cos", r"\cos", "np.cos({a})", np.cos, "cos(x)", _d_cos),
    _entrywise("tanh", r"\tanh", "np.tanh({a})", np.tanh, "tanh(x)", _d_tanh),
    _entrywise(
        "sigmoid",
        r"\sigma",
        "(1 / (1 + np.exp(-{a_neg})))",
        lambda x: 1.0 / (1.0 + np.exp(-x)),
        "1/(1 + exp(-x))",
        _d_sigmoid,
    ),
    _entrywise(
        "relu",
        r"\operatorname{relu}",
        "np.maximum({a}, 0.0)",
        course.relu,
        "Max(x, 0)",
        _d_relu,
        True,
    ),
    Function(
        "abs",
        (1, 1),
        Category.ENTRYWISE,
        _same,
        Latex("bars", r"\lvert"),
        "abs",
        Numpy("np.abs({a})"),
        np.abs,
        "Abs(x)",
        "entrywise",
        _ENTRYWISE_RULE,
        _d_abs,
        passes_size=True,
        kinked=True,
    ),
    _entrywise("sign", r"\operatorname{sign}", "np.sign({a})", np.sign, "sign(x)", _d_flat, True),
    _entrywise(
        "step",
        r"\operatorname{step}",
        "np.heaviside({a}, 0.0)",
        course.step,
        "Heaviside(x, 0)",
        _d_flat,
        kinked=True,
    ),
    Function(
        "sqrt",
        (1, 1),
        Category.ENTRYWISE,
        _same,
        Latex("root", r"\sqrt"),
        "sqrt",
        Numpy("np.sqrt({a})"),
        np.sqrt,
        "sqrt(x)",
        "entrywise",
        _ENTRYWISE_RULE,
        _d_sqrt,
        passes_size=True,
    ),
    _axis_row(
        "softmax",
        course.softmax_shape,
        r"\operatorname{softmax}",
        Numpy(
            "(np.exp({a_add} - np.max({a})) / np.sum(np.exp({a_add} - np.max({a}))))",
            axis="(np.exp({a_add} - np.max({a}, axis={axis}, keepdims=True))"
            " / np.sum(np.exp({a_add} - np.max({a}, axis={axis}, keepdims=True)),"
            " axis={axis}, keepdims=True))",
        ),
        course.softmax_of,
        "softmax",
        (
            r"\mathrm{d}s = (\operatorname{diag}(s) - s s^{\top})\,\mathrm{d}x",
            "d softmax(x) = (diag(s) - s s') dx",
        ),
    ),
    _axis_row(
        "logsumexp",
        course.logsumexp_shape,
        r"\operatorname{logsumexp}",
        Numpy(
            "(np.max({a}) + np.log(np.sum(np.exp({a_add} - np.max({a})))))",
            axis="(np.max({a}, axis={axis}, keepdims=True) + np.log(np.sum(np.exp({a_add}"
            " - np.max({a}, axis={axis}, keepdims=True)), axis={axis}, keepdims=True)))",
        ),
        course.logsumexp_of,
        "logsumexp",
        (
            r"\mathrm{d}\operatorname{logsumexp}x = \operatorname{softmax}(x)^{\top}"
            r"\mathrm{d}x",
            "d logsumexp(x) = softmax(x)' dx",
        ),
    ),
    Function(
        "kron",
        (2, 2),
        Category.MATRIX,
        _kron_shape,
        Latex("infix", r"\otimes"),
        "kron",
        Numpy("np.kron({a}, {b})"),
        _kron,
        "kron",
        "kron",
        (
            r"\mathrm{d}(A \otimes B) = \mathrm{d}A \otimes B + A \otimes \mathrm{d}B",
            "d(A kron B) = dA kron B + A kron dB",
        ),
    ),
    _prefix(
        "vec",
        Category.MATRIX,
        _vec_shape,
        r"\operatorname{vec}",
        Numpy('np.reshape({a}, (-1, 1), order="F")'),
        lambda x: x.reshape(-1, 1, order="F"),
        "vec",
        (r"\mathrm{d}\operatorname{vec}A = \operatorname{vec}\mathrm{d}A", "d vec(A) = vec(dA)"),
    ),
    Function(
        "eye",
        (1, 1),
        Category.SIZES,
        _eye_shape,
        Latex("sized", "I", r"\boldsymbol{I}"),
        "eye",
        Numpy("np.eye({rows})"),
        np.eye,
        "eye",
    ),
    Function(
        "ones",
        (1, 1),
        Category.SIZES,
        _ones_shape,
        Latex("sized", r"\mathbf{1}"),
        "ones",
        Numpy("np.ones(({rows}, 1))"),
        lambda n: np.ones((n, 1)),
        "ones",
    ),
    Function(
        "zeros",
        (2, 2),
        Category.SIZES,
        _zeros_shape,
        Latex("sized", "0", r"\boldsymbol{0}"),
        "zeros",
        Numpy("np.zeros(({rows}, {cols}))"),
        lambda m, n: np.zeros((m, n)),
        "zeros",
    ),
    Function(
        "commutation",
        (2, 2),
        Category.SIZES,
        _commutation_shape,
        Latex("indexed", "K", r"\boldsymbol{K}"),
        "commutation",
        Numpy("np.eye({rows})[np.arange({rows}).reshape({n}, {m}).T.ravel()]"),
        commutation,
        "commutation",
    ),
    Function(
        "I",
        (0, 0),
        Category.CONSTANT,
        _sizeless,
        Latex("identity", "I", r"\boldsymbol{I}"),
        "I",
        Numpy("np.eye({rows})"),
        np.eye,
        "I",
        advice="write eye(n) for the n x n identity",
    ),
    Function(
        "pi",
        (0, 0),
        Category.NUMBER,
        _pi_shape,
        Latex("identity", r"\pi"),
        "pi",
        Numpy("np.pi"),
        course.pi_value,
        "pi",
        advice="pi is the number 3.14159...",
    ),
)

FUNCTIONS: Mapping[str, Function] = MappingProxyType({row.name: row for row in _ROWS})

# The names the old modules knew them by.
ENTRYWISE = tuple(f.name for f in _ROWS if f.category is Category.ENTRYWISE)
# Their arguments are sizes, not values: a dimension name, a positive integer, or a
# product of them (``eye(m*n)``). ``commutation(m, n)`` is K_mn, with K vec(A) = vec(A')
# for an m x n A.
DIM_ARGS = tuple(f.name for f in _ROWS if f.category is Category.SIZES)
# I and the functions of sizes: their value is set by sizes alone.
SIZED = frozenset(f.name for f in _ROWS if f.category in (Category.SIZES, Category.CONSTANT))
RESERVED = frozenset(FUNCTIONS)
# Constants a spec may declare a name for (then the name means the spec's own).
OVERRIDABLE = frozenset(f.name for f in _ROWS if f.category is Category.NUMBER)


def arity_text(arity: tuple[int, int], noun: str = "argument") -> str:
    """``1 argument``, ``2 sizes``, ``1 or 2 arguments``, ``1 to 3 arguments``."""
    low, high = arity
    plural = "" if high == 1 else "s"
    if low == high:
        return f"{low} {noun}{plural}"
    return f"{low} {'or' if high == low + 1 else 'to'} {high} {noun}{plural}"
