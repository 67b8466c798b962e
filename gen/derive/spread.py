"""A product multiplied out over a sum where a factor then cancels: the centring matrix
fixing a centred vector, a diagonal factor cancelling into a sum."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gen.derive.entrywise import is_diagonal
from gen.derive.terms import Term, atom, collect, is_ones_row, shape_of
from gen.expr.ast import Node, Shape
from gen.expr.measure import size

if TYPE_CHECKING:
    from gen.derive.simplify import Simplifier


def centring_spread(
    s: Simplifier, left: list[Term], right: Node, sym: frozenset[str]
) -> list[Term] | None:
    """A sum times a vector whose entries sum to zero, multiplied out when a term of the
    sum then vanishes: (I - 1 1'/n)(x - mean(x)) = x - mean(x), as 1'(x - mean(x)) = 0
    (the centring matrix fixes a centred vector). None when nothing vanishes."""
    if len(left) < 2 or shape_of(right)[1] != 1:
        return None
    if not any(t.chain and is_ones_row(t.chain[-1]) for t in left):
        return None
    if not s.centred(right, sym):
        return None
    vector = atom(s.simplify(right, sym))
    kept = [t for t in left if not (t.chain and is_ones_row(t.chain[-1]))]
    return [s.times(t, vector) for t in kept]


def diagonal_spread(
    s: Simplifier, left: list[Term], right: list[Term], factored: Term, shape: Shape
) -> list[Term] | None:
    """diag(a) times a sum, multiplied out when that is shorter: diag(1./s)(diag(s) - s s')
    = I - 1 s' (a diagonal factor cancels, diag(a) b = a .* b). None to keep the factor."""
    if len(left) != 1 or len(right) < 2 or not left[0].chain:
        return None
    if not is_diagonal(left[0].chain[-1]):
        return None
    spread = collect([s.times(left[0], r) for r in right], frozenset(), frozenset())
    if not spread:
        return spread
    whole = s.rebuild([factored], shape)
    return spread if size(s.rebuild(spread, shape)) < size(whole) else None
