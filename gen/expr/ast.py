"""The closed set of expression nodes (frozen), each with a span and a shape.

The parser fills ``span``; shape inference (``gen.expr.shape``) returns a
copy of the tree with ``shape`` filled on every node. Neither takes part in
equality, so trees compare by structure alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

from gen.errors import Span

# A size: an integer, a dimension name, or a product of them in the canonical form of
# ``gen.expr.shape.dim_product`` ("m*n", "2*n": the coefficient first, names sorted).
DimT = Union[str, int]
Shape = tuple[DimT, DimT]  # (rows, cols); a scalar is (1, 1), a vector [n] is (n, 1)

SCALAR: Shape = (1, 1)

# Functions of SPEC section 2, with their number of arguments.
FUNCTIONS: dict[str, int] = {
    "inv": 1, "tr": 1, "det": 1, "logdet": 1, "diag": 1, "sum": 1, "norm2": 1,
    "exp": 1, "log": 1, "sin": 1, "cos": 1, "tanh": 1, "sigmoid": 1, "sqrt": 1,
    "softmax": 1, "logsumexp": 1,
    "kron": 2, "vec": 1,
    "eye": 1, "ones": 1, "zeros": 2, "commutation": 2,
    "I": 0,
}
ENTRYWISE = ("exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt")
# Their arguments are sizes, not values: a dimension name, a positive integer, or a
# product of them (``eye(m*n)``). ``commutation(m, n)`` is K_mn, with K vec(A) = vec(A')
# for an m x n A.
DIM_ARGS = ("eye", "ones", "zeros", "commutation")
RESERVED = frozenset(FUNCTIONS)

BINARY_OPS = ("+", "-", "*", "/", ".*", "./", "^", ".^")


@dataclass(frozen=True)
class Node:
    """Base of every node."""

    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)
    shape: Shape | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Num(Node):
    """A non-negative exact number (negatives are ``Neg(Num)``)."""

    value: Fraction


@dataclass(frozen=True)
class Name(Node):
    """A variable, a definition, or (as a size of eye/ones/zeros/commutation) a dimension."""

    id: str


@dataclass(frozen=True)
class Neg(Node):
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """``left op right`` with op one of ``BINARY_OPS``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Transpose(Node):
    """``A'`` or ``A^T``."""

    operand: Node


@dataclass(frozen=True)
class Call(Node):
    """``f(args)``; ``I`` is ``Call("I", ())``."""

    func: str
    args: tuple[Node, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, Neg | Transpose):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _cache(cls: type) -> None:
    """Nodes are immutable: compute each one's hash and repr once (derived trees share
    subtrees many times over, and both are asked for again and again)."""
    plain_hash, plain_repr = cls.__hash__, cls.__repr__

    def cached_hash(self: Node) -> int:
        found = self.__dict__.get("_hash")
        if found is None:
            found = plain_hash(self)  # type: ignore[misc]
            object.__setattr__(self, "_hash", found)
        return found  # type: ignore[no-any-return]

    def cached_repr(self: Node) -> str:
        found = self.__dict__.get("_repr")
        if found is None:
            found = plain_repr(self)
            object.__setattr__(self, "_repr", found)
        return found  # type: ignore[no-any-return]

    cls.__hash__ = cached_hash  # type: ignore[method-assign,assignment]
    cls.__repr__ = cached_repr  # type: ignore[method-assign]


for _cls in (Num, Name, Neg, Binary, Transpose, Call):
    _cache(_cls)
