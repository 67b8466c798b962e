"""The closed set of expression nodes (frozen), each with a span and a shape.

The parser fills ``span``; shape inference (``gen.expr.shape``) returns a
copy of the tree with ``shape`` filled on every node. Neither takes part in
equality, so trees compare by structure alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from gen.errors import Span
from gen.expr.dims import SCALAR, DimT, Shape
from gen.expr.functions import DIM_ARGS, ENTRYWISE, RESERVED
from gen.expr.functions import FUNCTIONS as _TABLE

__all__ = [
    "BINARY_OPS",
    "DIM_ARGS",
    "ENTRYWISE",
    "FUNCTIONS",
    "RESERVED",
    "SCALAR",
    "Binary",
    "Call",
    "DimT",
    "Name",
    "Neg",
    "Node",
    "Num",
    "Shape",
    "Transpose",
    "children",
]

# The functions of SPEC section 2 with their number of arguments (the most they take);
# every fact about a function is its row of ``gen.expr.functions.FUNCTIONS``.
FUNCTIONS = MappingProxyType({name: row.arity[1] for name, row in _TABLE.items()})

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
    plain_hash: Callable[[Node], int] = getattr(cls, "__hash__")  # noqa: B009 - typed as unbound
    plain_repr: Callable[[Node], str] = getattr(cls, "__repr__")  # noqa: B009

    def cached_hash(self: Node) -> int:
        found = self.__dict__.get("_hash")
        if found is None:
            found = plain_hash(self)
            object.__setattr__(self, "_hash", found)
        return int(found)

    def cached_repr(self: Node) -> str:
        found = self.__dict__.get("_repr")
        if found is None:
            found = plain_repr(self)
            object.__setattr__(self, "_repr", found)
        return str(found)

    setattr(cls, "__hash__", cached_hash)  # noqa: B010 - a method replaced on the class
    setattr(cls, "__repr__", cached_repr)  # noqa: B010


for _cls in (Num, Name, Neg, Binary, Transpose, Call):
    _cache(_cls)
