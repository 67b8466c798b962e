"""A sum of terms written back as a tree, a factor common to its terms written once."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from gen.derive import algebra as al
from gen.derive.terms import Term, atom, broadcast_terms, flip_difference, term_node
from gen.expr.ast import SCALAR, Binary, Name, Neg, Node, Num, Shape

Simplify = Callable[[Node, frozenset[str], frozenset[str]], Node]  # (node, symmetric, last)


def rebuild(terms: list[Term], shape: Shape, last: frozenset[str], simplify: Simplify) -> Node:
    """The sum of ``terms`` (of ``shape``) as a tree; ``simplify`` folds a sum of scalars
    that becomes one factor (a x + b x = (a + b) x)."""
    if not terms:
        return al.zero(shape)
    factored = _common_factor(terms, shape, last, simplify)
    if factored is not None:
        return factored
    shared = shared_scalar(terms, shape, last)
    if shared is not None:  # A/N - B/N = (A - B)/N; c A + c B = c (A + B)
        rest = without(terms, shared)
        if not _is_reciprocal(shared):
            return al.mul(shared, rebuild(rest, shape, last, simplify))
        divisor = shared.right  # type: ignore[attr-defined]
        if isinstance(divisor, Binary) and divisor.op == "-" and isinstance(divisor.left, Num):
            divisor = al.sub(divisor.right, divisor.left)  # x/(1 - n) = -x/(n - 1)
            rest = [Term(-t.coef, t.scalars, t.chain, t.shape) for t in rest]
        return al.div(rebuild(rest, shape, last, simplify), divisor)
    grouped = _scalar_factor(terms, shape, last, simplify) or _partial_factor(
        terms, shape, last, simplify
    )
    if grouped is not None:
        return rebuild(grouped, shape, last, simplify)
    if len(terms) == 1 and terms[0].coef < 0:
        terms = [flip_difference(terms[0])]
    terms = broadcast_terms(terms, shape)
    out: Node | None = None
    for term in sorted(terms, key=lambda t: t.coef < 0):
        body = term_node(Term(abs(term.coef), term.scalars, term.chain, term.shape), shape, last)
        if out is None:
            out = _negated(body) if term.coef < 0 else body
        else:
            out = al.sub(out, body) if term.coef < 0 else al.add(out, body)
    assert out is not None
    return out


def _negated(body: Node) -> Node:
    """-body; -N*A rather than -(N*A) when the body starts with a scalar name."""
    if (
        isinstance(body, Binary)
        and body.op == "*"
        and isinstance(body.left, Name)
        and body.left.shape == SCALAR
    ):
        return Binary("*", Neg(body.left, shape=SCALAR), body.right, shape=body.shape)
    return al.neg(body)


def shared_scalar(terms: list[Term], shape: Shape, last: frozenset[str]) -> Node | None:
    """A scalar factor every term of a sum of vectors or matrices carries (two terms or
    more), to be written once: the common denominator of A/N - B/N. None if there is none."""
    if len(terms) < 2 or shape == SCALAR or last:
        return None
    for s in terms[0].scalars:
        if all(s in t.scalars for t in terms[1:]):
            return s
    return None


def without(terms: list[Term], factor: Node) -> list[Term]:
    """The terms with one occurrence of the scalar ``factor`` taken out of each."""
    out = []
    for t in terms:
        scalars = list(t.scalars)
        scalars.remove(factor)
        out.append(Term(t.coef, tuple(scalars), t.chain, t.shape))
    return out


def _is_reciprocal(node: Node) -> bool:
    return isinstance(node, Binary) and node.op == "/" and al.is_one(node.left)


def _scalar_factor(
    terms: list[Term], shape: Shape, last: frozenset[str], simplify: Simplify
) -> list[Term] | None:
    """a x + b x = (a + b) x: terms with the same matrix factors and different scalars
    become one term with a scalar sum (vectors and matrices only)."""
    if len(terms) < 2 or shape == SCALAR:
        return None
    groups: dict[tuple[Node, ...], list[int]] = {}
    for i, t in enumerate(terms):
        if t.chain and t.scalars:
            groups.setdefault(t.chain, []).append(i)
    members = max(groups.values(), key=len, default=[])
    if len(members) < 2:
        return None
    scalar = simplify(
        rebuild(
            [Term(terms[i].coef, terms[i].scalars, (), SCALAR) for i in members],
            SCALAR,
            last,
            simplify,
        ),
        frozenset(),
        last,
    )
    out = [t for i, t in enumerate(terms) if i not in members]
    out.insert(members[0], Term(Fraction(1), (scalar,), terms[members[0]].chain, shape))
    return out


def _partial_factor(
    terms: list[Term], shape: Shape, last: frozenset[str], simplify: Simplify
) -> list[Term] | None:
    """A x + A' x + b = (A + A') x + b: the largest group of terms (two or more, not all)
    that end, or else start, with one factor becomes one term, where the group's first
    term stood. Matrices and vectors only (a scalar's differential keeps its terms apart)."""
    if len(terms) < 3 or shape == SCALAR:
        return None
    best: list[int] = []
    for side in (-1, 0):
        groups: dict[Node, list[int]] = {}
        for i, t in enumerate(terms):
            if len(t.chain) >= 2:
                groups.setdefault(t.chain[side], []).append(i)
        for members in groups.values():
            if len(best) < len(members) < len(terms):
                best = members
    if len(best) < 2:
        return None
    node = _common_factor([terms[i] for i in best], shape, last, simplify)
    if node is None:
        return None
    out = [t for i, t in enumerate(terms) if i not in best]
    out.insert(best[0], atom(node))
    return out


def _common_factor(
    terms: list[Term], shape: Shape, last: frozenset[str], simplify: Simplify
) -> Node | None:
    """B x + B' x = (B + B') x; X' a - X' b = X' (a - b): a factor every term ends or starts
    with is written once (the textbook keeps common factors)."""
    if len(terms) < 2 or any(len(t.chain) < 2 for t in terms):
        return None
    for side in (-1, 0):
        common = terms[0].chain[side]
        if all(t.chain[side] == common for t in terms) and common.shape is not None:
            inner = [
                Term(
                    t.coef,
                    t.scalars,
                    t.chain[:-1] if side else t.chain[1:],
                    (shape[0], common.shape[0]) if side else (common.shape[1], shape[1]),
                )
                for t in terms
            ]
            rest = rebuild(inner, inner[0].shape, last, simplify)
            return al.mul(rest, common) if side else al.mul(common, rest)
    return None
