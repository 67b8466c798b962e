"""The functions of the expression language (SPEC section 2): one row each, every fact about it.

The parser, the shape checker, the printers (text, LaTeX, numpy), the evaluator, the
exact bridge and the derivative rules all read a function's facts from its row of
``FUNCTIONS``; a new function is one new row (plus, unless it is entrywise, its
differential and adjoint rules in ``gen.derive.rules``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from gen.expr import choice
from gen.expr import function_parts as parts
from gen.expr.function_row import (  # re-exported: the rows' types are read from here too
    Array,
    Builder,
    Category,
    Function,
    Latex,
    Numpy,
    ShapeRule,
    arity_text,
)

__all__ = [
    "DIM_ARGS",
    "ENTRYWISE",
    "FUNCTIONS",
    "OVERRIDABLE",
    "RESERVED",
    "SIZED",
    "Array",
    "Builder",
    "Category",
    "Function",
    "Latex",
    "Numpy",
    "ShapeRule",
    "arity_text",
    "commutation",
]

if TYPE_CHECKING:
    from gen.expr.ast import Node

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
        parts.same,
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
        parts.square("invert", scalar=False),
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
        parts.square("take tr of", scalar=True),
        r"\operatorname{tr}",
        Numpy("np.trace({a})", scalar="{a_atom}"),
        lambda x: parts.scalar(np.trace(x)),
        "trace",
        (r"\mathrm{d}\operatorname{tr}A = \operatorname{tr}\mathrm{d}A", "d tr(A) = tr(dA)"),
    ),
    _prefix(
        "det",
        Category.REDUCTION,
        parts.square("take det of", scalar=True),
        r"\det",
        Numpy("np.linalg.det({a})", scalar="{a_atom}"),
        lambda x: parts.scalar(np.linalg.det(x)),
        "det",
        (
            r"\mathrm{d}\det A = \det A\,\operatorname{tr}(A^{-1}\mathrm{d}A)",
            "d det(A) = det(A) tr(A^-1 dA)",
        ),
    ),
    _prefix(
        "logdet",
        Category.REDUCTION,
        parts.square("take logdet of", scalar=True),
        r"\log\det",
        Numpy("np.linalg.slogdet({a})[1]", scalar="np.log(np.abs({a}))"),
        lambda x: parts.scalar(np.linalg.slogdet(x)[1]),
        "logdet",
        (
            r"\mathrm{d}\log\det A = \operatorname{tr}(A^{-1}\mathrm{d}A)",
            "d logdet(A) = tr(A^-1 dA)",
        ),
    ),
    _prefix(
        "diag",
        Category.MATRIX,
        parts.diag_shape,
        r"\operatorname{diag}",
        Numpy("np.diagflat({a})", matrix="np.diagonal({a}).reshape(-1, 1)"),
        parts.diag_of,
        "diag",
        (
            r"\mathrm{d}\operatorname{diag}(x) = \operatorname{diag}(\mathrm{d}x)",
            "d diag(x) = diag(dx)",
        ),
    ),
    _axis_row(
        "sum",
        parts.reduction,
        r"\operatorname{sum}",
        Numpy("np.sum({a})", axis="np.sum({a}, axis={axis}, keepdims=True)"),
        parts.sum_of,
        "sumall",
        (r"\mathrm{d}\operatorname{sum}A = \operatorname{sum}\mathrm{d}A", "d sum(A) = sum(dA)"),
    ),
    _axis_row(
        "mean",
        parts.reduction,
        r"\operatorname{mean}",
        Numpy("np.mean({a})", axis="np.mean({a}, axis={axis}, keepdims=True)"),
        parts.mean_of,
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
        parts.scalar_of_any,
        Latex("norm", ""),
        "norm2",
        Numpy("np.linalg.norm({a})"),
        lambda x: parts.scalar(np.sqrt(np.sum(x * x))),
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
        parts.relu,
        "Max(x, 0)",
        _d_relu,
        True,
    ),
    Function(
        "abs",
        (1, 1),
        Category.ENTRYWISE,
        parts.same,
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
        parts.step,
        "Heaviside(x, 0)",
        _d_flat,
        kinked=True,
    ),
    Function(
        "sqrt",
        (1, 1),
        Category.ENTRYWISE,
        parts.same,
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
        parts.softmax_shape,
        r"\operatorname{softmax}",
        Numpy(
            "(np.exp({a_add} - np.max({a})) / np.sum(np.exp({a_add} - np.max({a}))))",
            axis="(np.exp({a_add} - np.max({a}, axis={axis}, keepdims=True))"
            " / np.sum(np.exp({a_add} - np.max({a}, axis={axis}, keepdims=True)),"
            " axis={axis}, keepdims=True))",
        ),
        parts.softmax_of,
        "softmax",
        (
            r"\mathrm{d}s = (\operatorname{diag}(s) - s s^{\top})\,\mathrm{d}x",
            "d softmax(x) = (diag(s) - s s') dx",
        ),
    ),
    _axis_row(
        "logsumexp",
        parts.logsumexp_shape,
        r"\operatorname{logsumexp}",
        Numpy(
            "(np.max({a}) + np.log(np.sum(np.exp({a_add} - np.max({a})))))",
            axis="(np.max({a}, axis={axis}, keepdims=True) + np.log(np.sum(np.exp({a_add}"
            " - np.max({a}, axis={axis}, keepdims=True)), axis={axis}, keepdims=True)))",
        ),
        parts.logsumexp_of,
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
        parts.kron_shape,
        Latex("infix", r"\otimes"),
        "kron",
        Numpy("np.kron({a}, {b})"),
        parts.kron,
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
        parts.vec_shape,
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
        parts.eye_shape,
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
        parts.ones_shape,
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
        parts.zeros_shape,
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
        parts.commutation_shape,
        Latex("indexed", "K", r"\boldsymbol{K}"),
        "commutation",
        Numpy("np.eye({rows})[np.arange({rows}).reshape({n}, {m}).T.ravel()]"),
        parts.commutation,
        "commutation",
    ),
    Function(
        "I",
        (0, 0),
        Category.CONSTANT,
        parts.sizeless,
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
        parts.pi_shape,
        Latex("identity", r"\pi"),
        "pi",
        Numpy("np.pi"),
        parts.pi_value,
        "pi",
        advice="pi is the number 3.14159...",
    ),
    *choice.ROWS,
)

FUNCTIONS: Mapping[str, Function] = MappingProxyType({row.name: row for row in _ROWS})

commutation = parts.commutation  # K_mn as an array, for the modules that build it

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
