"""What a row of the function table is: its category, LaTeX and numpy forms, and the row itself.

``gen.expr.functions`` holds the rows; this module only the types they are made of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol

from numpy.typing import NDArray

from gen.expr.dims import Shape

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
    COMPARISON = "comparison"  # P > Q entry by entry: 1 where it holds, 0 elsewhere (where)


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
#   iverson      [left symbol right], the Iverson bracket of a comparison: [P > Q]
#   choice       [C] symbol A + [not C] symbol B, for where(C, A, B)
LatexKind = Literal[
    "prefix",
    "superscript",
    "root",
    "norm",
    "infix",
    "identity",
    "sized",
    "indexed",
    "bars",
    "iverson",
    "choice",
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


def arity_text(arity: tuple[int, int], noun: str = "argument") -> str:
    """``1 argument``, ``2 sizes``, ``1 or 2 arguments``, ``1 to 3 arguments``."""
    low, high = arity
    plural = "" if high == 1 else "s"
    if low == high:
        return f"{low} {noun}{plural}"
    return f"{low} {'or' if high == low + 1 else 'to'} {high} {noun}{plural}"
