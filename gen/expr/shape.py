"""Shapes: the rule of each operator and function, and inference over a tree."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

from gen.errors import GenError
from gen.expr.ast import (
    DIM_ARGS,
    ENTRYWISE,
    FUNCTIONS,
    SCALAR,
    Binary,
    Call,
    DimT,
    Name,
    Neg,
    Node,
    Num,
    Shape,
    Transpose,
    children,
)
from gen.expr.to_text import to_text

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

_SQUARE_ONLY = {"inv": "invert", "det": "take det of", "logdet": "take logdet of",
                "tr": "take tr of"}
_VECTOR_ONLY = ("diag", "softmax", "logsumexp")


class ShapeError(Exception):
    """A shape rule was broken; ``message`` says which (without any location)."""

    def __init__(self, message: str) -> None:
        """Keep the message."""
        super().__init__(message)
        self.message = message


def format_shape(shape: Shape) -> str:
    """A shape as messages print it: ``[m, 1]``."""
    return f"[{shape[0]}, {shape[1]}]"


def is_scalar(shape: Shape) -> bool:
    """Whether ``shape`` is (1, 1)."""
    return shape[0] == 1 and shape[1] == 1


def is_square(shape: Shape) -> bool:
    """Whether ``shape`` has as many rows as columns."""
    return shape[0] == shape[1]


def integer_exponent(node: Node) -> int | None:
    """The integer an exponent stands for (``2``, ``-1``, ``--3``), else None."""
    sign = 1
    while isinstance(node, Neg):
        sign = -sign
        node = node.operand
    if isinstance(node, Num) and node.value.denominator == 1:
        return sign * int(node.value)
    return None


def transpose_shape(shape: Shape) -> Shape:
    """The shape of a transpose: rows and columns swapped."""
    return (shape[1], shape[0])


def binary_shape(op: str, left: Shape, right: Shape, *, integer_exponent: bool = False) -> Shape:
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
    if op in ("+", "-"):
        if left == right:
            return left
        if is_scalar(left) or is_scalar(right):
            raise ShapeError(
                f"cannot {verb} {pair}: a scalar is not broadcast (multiply it by ones(...) or I)"
            )
        raise ShapeError(f"cannot {verb} {pair}")
    if op == "*":
        if is_scalar(left):
            return right
        if is_scalar(right):
            return left
        if left[1] != right[0]:
            raise ShapeError(f"cannot {verb} {pair}: inner sizes {left[1]} and {right[0]} differ")
        return (left[0], right[1])
    if op in (".*", "./"):
        if left == right or is_scalar(right):
            return left
        if is_scalar(left):
            return right
        raise ShapeError(f"cannot {verb} {pair}")
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
    """The shape of ``func(args)`` for a function of values (not eye/ones/zeros/I).

    Args:
        func: A name in ``FUNCTIONS`` other than those of ``DIM_ARGS`` and ``I``.
        arg_shapes: The shapes of the arguments.

    Returns:
        The shape of the result.

    Raises:
        ShapeError: On an unknown function, a wrong number of arguments, or
            an argument of the wrong shape.
    """
    if func not in FUNCTIONS or func in DIM_ARGS or func == "I":
        raise ShapeError(f"'{func}' is not a function of values")
    if len(arg_shapes) != FUNCTIONS[func]:
        raise ShapeError(f"'{func}' takes {FUNCTIONS[func]} argument, not {len(arg_shapes)}")
    (arg,) = arg_shapes
    if func in _SQUARE_ONLY:
        if not is_square(arg):
            raise ShapeError(
                f"cannot {_SQUARE_ONLY[func]} {format_shape(arg)}: it is not square"
            )
        return arg if func == "inv" else SCALAR
    if func in _VECTOR_ONLY:
        if arg[1] != 1:
            raise ShapeError(
                f"{func} needs a column vector [n, 1], not {format_shape(arg)}"
            )
        return {"diag": (arg[0], arg[0]), "softmax": arg, "logsumexp": SCALAR}[func]
    if func in ("sum", "norm2"):
        return SCALAR
    assert func in ENTRYWISE
    return arg


def sized_shape(func: str, sizes: Sequence[DimT]) -> Shape:
    """The shape of ``eye(n)``, ``ones(n)`` or ``zeros(m, n)`` from its sizes.

    Raises:
        ShapeError: On another function or a wrong number of sizes.
    """
    if func not in DIM_ARGS:
        raise ShapeError(f"'{func}' does not take sizes")
    if len(sizes) != FUNCTIONS[func]:
        raise ShapeError(f"'{func}' takes {FUNCTIONS[func]} sizes, not {len(sizes)}")
    if func == "eye":
        return (sizes[0], sizes[0])
    if func == "ones":
        return (sizes[0], 1)
    return (sizes[0], sizes[1])


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
    ``eye``, ``ones`` and ``zeros`` are sizes; they get the shape (1, 1).

    Args:
        node: The tree, as parsed.
        env: The shape of every name the expression may use.
        expr_text: The whole expression as written, quoted in messages.
        dims: The dimension names that ``eye``, ``ones`` and ``zeros`` may
            use; None means every name of a dimension in ``env``.

    Returns:
        A copy of the tree with ``shape`` set on every node.

    Raises:
        GenError: At the span of the faulty sub-expression, e.g.
            ``in 'X*w - y': cannot subtract [m, 1] and [n, 1]``.
    """
    if dims is None:
        dims = {d for shape in env.values() for d in shape if isinstance(d, str)}
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
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, Call) and current.func == "I" and current.shape is None:
                return self.error(current, "cannot infer the size of I")
            stack.extend(reversed(children(current)))
        return self.error(node, "cannot infer the size of I")

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
            raise self.error(
                node, f"'{node.id}' is a dimension: it can only be a size in eye, ones or zeros"
            )
        raise self.error(node, _unknown("name", node.id, self.env))

    def call(self, node: Call) -> Node:
        if node.func == "I":
            return replace(node, shape=None)
        if node.func in DIM_ARGS:
            sizes = [self.size(node.func, arg) for arg in node.args]
            args = tuple(replace(arg, shape=SCALAR) for arg in node.args)
            return replace(node, args=args, shape=self.rule(node, sized_shape, node.func, sizes))
        args = tuple(self.up(arg) for arg in node.args)
        shapes = [arg.shape for arg in args]
        if any(shape is None for shape in shapes):
            if node.func != "inv" and node.func not in ENTRYWISE:
                raise self.cannot_size(args[0])
            return replace(node, args=args, shape=None)
        shape = self.rule(node, call_shape, node.func, shapes)
        return replace(node, args=args, shape=shape)

    def size(self, func: str, arg: Node) -> DimT:
        if isinstance(arg, Name):
            if arg.id in self.dims:
                return arg.id
            raise self.error(arg, _unknown("dimension", arg.id, self.dims))
        if isinstance(arg, Num) and arg.value.denominator == 1 and arg.value >= 1:
            return int(arg.value)
        raise self.error(
            arg,
            f"a size in {func}(...) must be a dimension name or a positive integer,"
            f" not '{to_text(arg)}'",
        )

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
            shape = self.power(node, ls, rs, right) if op == "^" else self.rule(
                node, binary_shape, op, ls, rs
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
