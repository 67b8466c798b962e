"""An entry-by-entry line of the index method as a value: sums, entries, Kronecker deltas.

The index method (``gen.derive.index``) says what a line is made of; the renderer
(``gen.render.indexline``) says how it is typeset. A line is a sum of signed terms;
a term sums over some index names the product of its factors.
"""

from __future__ import annotations

from dataclasses import dataclass

from gen.expr.ast import Node

# Index names, in order: ("k", "i") is the entry k, i; ("k",) an entry of a vector.
Index = tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """Entry ``index`` of a matrix: a named one (a ``Name``) or an expression, A_ki, (A B)_ki.

    ``bracketed`` puts the matrix in brackets even where its name alone would do:
    (f'(W))_ij.
    """

    of: Node
    index: Index
    bracketed: bool = False


@dataclass(frozen=True)
class Delta:
    """The Kronecker delta of two index names: 1 where they are equal, else 0."""

    first: str
    second: str


@dataclass(frozen=True)
class DerivativeEntry:
    """Entry ``index`` of the derivative d of / d wrt, e.g. (dz/dY)_kl."""

    of: str
    wrt: str
    index: Index


@dataclass(frozen=True)
class EntryDerivative:
    """The derivative of one entry by another, e.g. dY_kl / dW_ij."""

    top: Entry
    bottom: Entry


@dataclass(frozen=True)
class Group:
    """A sum of terms in brackets, as one factor."""

    terms: tuple[Term, ...]


Factor = Entry | Delta | DerivativeEntry | EntryDerivative | Group


@dataclass(frozen=True)
class Term:
    """``± sum_{summed} factor factor ...``; no ``summed`` names: no sum."""

    factors: tuple[Factor, ...]
    summed: Index = ()
    negative: bool = False


@dataclass(frozen=True)
class IndexLine:
    """One entry-by-entry line: the sum of its terms."""

    terms: tuple[Term, ...]
