"""Shapes: the rule of each operator and function, and inference over a tree."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from gen.errors import GenError, ShapeError
from gen.expr.ast import SCALAR, Binary, Call, DimT, Name, Neg, Node, Num, Shape, Transpose
from gen.expr.dims import (
    broadcast_shape,
    dim_factors,
    dim_product,
    dim_value,
    format_shape,
    is_scalar,
    is_square,
    transpose_shape,
)
from gen.expr.function_parts import AXES
from gen.expr.functions import FUNCTIONS, Category, arity_text
from gen.expr.to_text import to_text
from gen.expr.walk import nodes

# Sizes and shapes as values live in gen.expr.dims; they are read from here too.
__all__ = [
    "VERBS",
    "binary_shape",
    "axis_argument",
    "broadcast_shape",
    "call_shape",
    "rule_arguments",
    "dim_factors",
    "dim_node",
    "dim_product",
    "dim_value",
    "format_shape",
    "infer",
    "integer_exponent",
    "is_scalar",
    "is_square",
    "node_shape",
    "size_dim",
    "sized_shape",
    "transpose_shape",
]

VERBS: dict[str, str] = {
    "+": "add",
    "-": "subtract",
    "*": "multiply",
    "/": "divide",
    ".*": "entrywise-multiply",
    "./": "entrywise-divide",
    "^": "raise",
    ".^": "entrywise-raise",
}


def dim_node(d: DimT) -> Node:
    """The expression of a size, as an argument of eye, ones, zeros or commutation.

    A ``Num``, a ``Name``, or a left-nested ``Binary("*")`` of them
    (``"2*m*n"`` -> ``(2*m)*n``), every node with the shape (1, 1) that
    shape inference gives the sizes.
    """
    coefficient, names = dim_factors(d)
    factors: list[Node] = [Name(name, shape=SCALAR) for name in names]
    if coefficient != 1 or not factors:
        factors.insert(0, Num(Fraction(coefficient), shape=SCALAR))
    node = factors[0]
    for factor in factors[1:]:
        node = Binary("*", node, factor, shape=SCALAR)
    return node


def size_dim(node: Node) -> DimT | None:
    """The size an argument of eye, ones, zeros or commutation stands for, else None.

    A name is taken for a dimension as it stands (inference checks that it is
    one); a positive integer is itself; a ``*`` of sizes is their product.
    """
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Num):
        value = node.value
        return int(value) if value.denominator == 1 and value >= 1 else None
    if isinstance(node, Binary) and node.op == "*":
        left, right = size_dim(node.left), size_dim(node.right)
        return None if left is None or right is None else dim_product(left, right)
    return None


def integer_exponent(node: Node) -> int | None:
    """The integer an exponent stands for (``2``, ``-1``, ``--3``), else None."""
    sign = 1
    while isinstance(node, Neg):
        sign = -sign
        node = node.operand
    if isinstance(node, Num) and node.value.denominator == 1:
        return sign * int(node.value)
    return None


def binary_shape(  # noqa: C901 - one rule per operator
    op: str, left: Shape, right: Shape, *, integer_exponent: bool = False
) -> Shape:
    """The shape of ``left op right``.

    Args:
        op: One of ``+ - * / .* ./ ^ .^``.
        left: The shape of the left operand.
        right: The shape of the right operand.
        integer_exponent: For ``^`` only: whether the exponent is an integer
            number (needed for the power of a square matrix).

    Returns:
        The shape of the result.

    Raises:
        ShapeError: When the shapes do not fit the operator.
    """
    verb = VERBS.get(op)
    if verb is None:
        raise ShapeError(f"unknown operator '{op}'")
    pair = f"{format_shape(left)} and {format_shape(right)}"
    if op in ("+", "-", ".*", "./"):
        shape = broadcast_shape(left, right)
        if shape is None:
            raise ShapeError(f"cannot {verb} {pair}")
        return shape
    if op == "*":
        if is_scalar(left):
            return right
        if is_scalar(right):
            return left
        if left[1] != right[0]:
            raise ShapeError(f"cannot {verb} {pair}: inner sizes {left[1]} and {right[0]} differ")
        return (left[0], right[1])
    if op == "/":
        if not is_scalar(right):
            raise ShapeError(
                f"cannot divide {format_shape(left)} by {format_shape(right)}:"
                " the divisor must be a scalar (use ./ to divide entrywise)"
            )
        return left
    if not is_scalar(right):
        raise ShapeError(
            f"cannot {verb} {format_shape(left)} to the power {format_shape(right)}:"
            " the exponent must be a scalar"
        )
    if op == "^" and not is_scalar(left):
        if not is_square(left):
            raise ShapeError(
                f"cannot raise {format_shape(left)} to a power: it is not square"
                " (use .^ for an entrywise power)"
            )
        if not integer_exponent:
            raise ShapeError(
                f"cannot raise {format_shape(left)} to a power that is not an integer number"
            )
    return left


def call_shape(func: str, arg_shapes: Sequence[Shape]) -> Shape:
    """The shape of ``func(args)`` for a function of values (not those of sizes, nor I).

    The rule is the function's row of ``gen.expr.functions.FUNCTIONS``: e.g.
    ``kron(A, B)`` has the shape (rA*rB, cA*cB) and ``vec(A)`` the shape
    (r*c, 1), the products in the canonical form of ``dim_product``.

    Args:
        func: A function of values.
        arg_shapes: The shapes of the arguments.

    Returns:
        The shape of the result.

    Raises:
        ShapeError: On an unknown function, a wrong number of arguments, or
            an argument of the wrong shape.
    """
    row = FUNCTIONS.get(func)
    if row is None or not row.of_values:
        raise ShapeError(f"'{func}' is not a function of values")
    low, high = row.arity
    if not low <= len(arg_shapes) <= high:
        raise ShapeError(f"'{func}' takes {arity_text(row.arity)}, not {len(arg_shapes)}")
    return row.shape(arg_shapes)


def axis_argument(func: str, arg: Node) -> int:
    """The dimension argument of ``sum(A, k)``, ``softmax(A, k)``, ...: the literal 1 or 2.

    Raises:
        ShapeError: On anything else.
    """
    if isinstance(arg, Num) and arg.value in AXES:
        return int(arg.value)
    raise ShapeError(
        f"the dimension of {func}(A, k) is 1 (each column) or 2 (each row), not '{to_text(arg)}'"
    )


def rule_arguments(func: str, args: Sequence[Node]) -> list[Any]:
    """What the shape rule of ``func`` takes: the shapes of ``args``, a dimension as its integer."""
    out: list[Any] = [node_shape(arg) for arg in args]
    if FUNCTIONS[func].axis and len(args) == 2:
        out[1] = axis_argument(func, args[1])
    return out


def sized_shape(func: str, sizes: Sequence[DimT]) -> Shape:
    """The shape of ``eye(n)``, ``ones(n)``, ``zeros(m, n)`` or ``commutation(m, n)``.

    The sizes may be products (``eye(m*n)``); ``commutation(m, n)`` is
    (m*n) x (m*n).

    Raises:
        ShapeError: On another function or a wrong number of sizes.
    """
    row = FUNCTIONS.get(func)
    if row is None or row.category is not Category.SIZES:
        raise ShapeError(f"'{func}' does not take sizes")
    low, high = row.arity
    if not low <= len(sizes) <= high:
        raise ShapeError(f"'{func}' takes {arity_text(row.arity, 'size')}, not {len(sizes)}")
    return row.shape([dim_product(size) for size in sizes])


def node_shape(node: Node) -> Shape:
    """The inferred shape of ``node``.

    Raises:
        ValueError: When shape inference has not filled it.
    """
    if node.shape is None:
        raise ValueError(f"{type(node).__name__} node has no shape; run shape inference first")
    return node.shape


def infer(
    node: Node,
    env: Mapping[str, Shape],
    *,
    expr_text: str | None = None,
    dims: Collection[str] | None = None,
) -> Node:
    """Check the shapes of a tree and fill ``shape`` on every node.

    ``I`` takes its size from its neighbours: in ``A + I`` and ``I - A`` the
    shape of ``A`` (which must be square), in ``I*A`` and ``A*I`` the
    adjacent size of ``A``, through scalings (``lam*I``), negation,
    transposes, powers, ``inv`` and entrywise functions. The arguments of
    ``eye``, ``ones``, ``zeros`` and ``commutation`` are sizes (a dimension,
    a positive integer, or a product of them such as ``m*n``); every node of
    them gets the shape (1, 1).

    Args:
        node: The tree, as parsed.
        env: The shape of every name the expression may use.
        expr_text: The whole expression as written, quoted in messages.
        dims: The dimension names that sizes may use; None means every
            dimension name in the shapes of ``env`` (the factors of products).
            A dimension name used as a value (``1/n``) is its size: a scalar
            (shape (1, 1)) that no name of ``env`` shadows.

    Returns:
        A copy of the tree with ``shape`` set on every node.

    Raises:
        GenError: At the span of the faulty sub-expression, e.g.
            ``in 'X*w - y': cannot subtract [m, 1] and [n, 1]``.
    """
    if dims is None:
        dims = {name for shape in env.values() for d in shape for name in dim_factors(d)[1]}
    inference = _Inference(env, frozenset(dims), expr_text)
    result = inference.up(node)
    if result.shape is None:
        raise inference.cannot_size(result)
    return result


class _Inference:
    """Bottom-up shapes; a sub-tree whose size only its context gives keeps None."""

    def __init__(self, env: Mapping[str, Shape], dims: frozenset[str], text: str | None) -> None:
        self.env = env
        self.dims = dims
        self.prefix = f"in '{text}': " if text is not None else ""

    def error(self, node: Node, message: str) -> GenError:
        return GenError(self.prefix + message, node.span)

    def cannot_size(self, node: Node) -> GenError:
        """The error for an ``I`` in ``node`` that nothing gives a size."""
        sizeless = (
            item
            for item in nodes(node)
            if isinstance(item, Call)
            and FUNCTIONS[item.func].category is Category.CONSTANT
            and item.shape is None
        )
        return self.error(next(sizeless, node), "cannot infer the size of I")

    def up(self, node: Node) -> Node:
        if isinstance(node, Num):
            return replace(node, shape=SCALAR)
        if isinstance(node, Name):
            return replace(node, shape=self.name(node))
        if isinstance(node, Neg):
            operand = self.up(node.operand)
            return replace(node, operand=operand, shape=operand.shape)
        if isinstance(node, Transpose):
            operand = self.up(node.operand)
            shape = None if operand.shape is None else transpose_shape(operand.shape)
            return replace(node, operand=operand, shape=shape)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Binary):
            return self.binary(node)
        raise TypeError(f"not an expression node: {node!r}")

    def name(self, node: Name) -> Shape:
        if node.id in self.env:
            return self.env[node.id]
        if node.id in self.dims:
            return SCALAR  # a dimension as a value: its size, a positive integer constant
        raise self.error(node, _unknown("name", node.id, self.env))

    def call(self, node: Call) -> Node:
        row = FUNCTIONS[node.func]
        if row.category is Category.NUMBER:
            if node.func in self.env:  # a spec's own pi (SPEC section 8)
                return Name(node.func, span=node.span, shape=self.env[node.func])
            return replace(node, shape=self.rule(node, row.shape, []))
        if row.category is Category.CONSTANT:
            return replace(node, shape=None)
        if row.category is Category.SIZES:
            sizes = [self.size(node.func, arg) for arg in node.args]
            args = tuple(_as_size(arg) for arg in node.args)
            return replace(node, args=args, shape=self.rule(node, sized_shape, node.func, sizes))
        args = tuple(self.up(arg) for arg in node.args)
        if row.axis and len(args) == 2:
            try:
                axis_argument(node.func, args[1])
            except ShapeError as err:
                raise self.error(args[1], err.message) from None
        shapes = [arg.shape for arg in args]
        if any(shape is None for shape in shapes):
            if not row.passes_size:
                raise self.cannot_size(next(arg for arg in args if arg.shape is None))
            return replace(node, args=args, shape=None)
        shape = self.rule(node, call_shape, node.func, rule_arguments(node.func, args))
        return replace(node, args=args, shape=shape)

    def size(self, func: str, arg: Node) -> DimT:
        """The size ``arg`` stands for: a dimension, a positive integer, or their product."""
        what = (
            f"a size in {func}(...) must be a dimension name, a positive integer"
            " or a product of them"
        )
        if isinstance(arg, Name):
            if arg.id in self.dims:
                return arg.id
            if arg.id in self.env:
                raise self.error(arg, f"{what}; '{arg.id}' is a value, not a dimension")
            raise self.error(arg, _unknown("dimension", arg.id, self.dims))
        if isinstance(arg, Num) and arg.value.denominator == 1 and arg.value >= 1:
            return int(arg.value)
        if isinstance(arg, Binary) and arg.op == "*":
            return dim_product(self.size(func, arg.left), self.size(func, arg.right))
        raise self.error(arg, f"{what}, not '{to_text(arg)}'")

    def rule(
        self, node: Node, rule: Callable[..., Shape], *args: object, **kwargs: object
    ) -> Shape:
        """Apply a shape rule; its ShapeError becomes a GenError at ``node``."""
        try:
            return rule(*args, **kwargs)
        except ShapeError as err:
            raise self.error(node, err.message) from None

    def binary(self, node: Binary) -> Node:
        left, right = self.up(node.left), self.up(node.right)
        op = node.op
        if op in ("/", "^", ".^") and right.shape is None:
            right = self.fill(right, SCALAR)
        ls, rs = left.shape, right.shape
        if ls is not None and rs is not None:
            shape = (
                self.power(node, ls, rs, right)
                if op == "^"
                else self.rule(node, binary_shape, op, ls, rs)
            )
            return replace(node, left=left, right=right, shape=shape)
        if ls is None and rs is None:
            return replace(node, left=left, right=right, shape=None)
        if op in ("/", "^", ".^"):
            assert rs is not None
            self.sizeless_base(node, rs, right)
            return replace(node, left=left, right=right, shape=None)
        known = ls if ls is not None else rs
        assert known is not None
        if op == "*":
            if is_scalar(known):
                return replace(node, left=left, right=right, shape=None)
            if ls is None:
                left = self.fill(left, (known[0], known[0]))
            else:
                right = self.fill(right, (known[1], known[1]))
            return replace(node, left=left, right=right, shape=known)
        if op in (".*", "./") and is_scalar(known):
            return replace(node, left=left, right=right, shape=None)
        if not is_square(known):
            pair = f"I and {format_shape(known)}" if ls is None else f"{format_shape(known)} and I"
            raise self.error(
                node, f"cannot {VERBS[op]} {pair}: {format_shape(known)} is not square"
            )
        if ls is None:
            left = self.fill(left, known)
        else:
            right = self.fill(right, known)
        return replace(node, left=left, right=right, shape=known)

    def power(self, node: Binary, base: Shape, exponent: Shape, right: Node) -> Shape:
        integer = integer_exponent(right) is not None
        if is_scalar(exponent) and not is_scalar(base) and is_square(base) and not integer:
            message = f"cannot raise {format_shape(base)} to a power that is not an integer number"
            if _has_transpose(right):
                message += " (' binds tighter than ^: write (A^-1)' for a transposed inverse)"
            raise self.error(node, message)
        return self.rule(node, binary_shape, "^", base, exponent, integer_exponent=integer)

    def sizeless_base(self, node: Binary, exponent: Shape, right: Node) -> None:
        """Check the divisor or exponent of ``I / c``, ``I^k``, ``I.^c``."""
        op = node.op
        if not is_scalar(exponent):
            what = "by" if op == "/" else "to the power"
            raise self.error(
                node,
                f"cannot {VERBS[op]} I {what} {format_shape(exponent)}:"
                f" the {'divisor' if op == '/' else 'exponent'} must be a scalar",
            )
        if op == "^" and integer_exponent(right) is None:
            raise self.error(node, "cannot raise I to a power that is not an integer number")

    def fill(self, node: Node, shape: Shape) -> Node:
        """Give the square ``shape`` to a sub-tree that had no size of its own."""
        if node.shape is not None:
            return node
        if isinstance(node, Neg | Transpose):
            return replace(node, operand=self.fill(node.operand, shape), shape=shape)
        if isinstance(node, Call):
            args = tuple(self.fill(arg, shape) for arg in node.args)
            return replace(node, args=args, shape=shape)
        if isinstance(node, Binary):
            left, right = self.fill(node.left, shape), self.fill(node.right, shape)
            return replace(node, left=left, right=right, shape=shape)
        raise TypeError(f"cannot size {node!r}")


def _as_size(node: Node) -> Node:
    """A size argument with the shape (1, 1) on every node of it."""
    if isinstance(node, Binary):
        return replace(node, left=_as_size(node.left), right=_as_size(node.right), shape=SCALAR)
    return replace(node, shape=SCALAR)


def _has_transpose(node: Node) -> bool:
    """Whether ``node`` is a transpose under any number of minus signs."""
    while isinstance(node, Neg):
        node = node.operand
    return isinstance(node, Transpose)


def _unknown(what: str, name: str, known: Collection[str]) -> str:
    """``unknown name 'q'``, with a did-you-mean when one is close."""
    message = f"unknown {what} '{name}'"
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        message += f"; did you mean '{close[0]}'?"
    return message
