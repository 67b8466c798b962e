"""Writing a rational function of entrywise atoms back as the cheapest tree.

Positive terms first (``p - y``, not ``-y + p``), a constant written ``ones(n)`` in a
vector sum, a quotient as ``y./x``; a common monomial or polynomial factor written
once, and so any sum the input multiplied or divided by (see ``gen.derive.entrywise``).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from gen.derive import algebra as al
from gen.derive.rational import ONE, Field, Key, Mono, Poly, Rat, mono_mul, scale
from gen.derive.terms import inner_product
from gen.expr.ast import SCALAR, Binary, Node, Shape


class Writer:
    """Trees for the values of one field.

    Args:
        field: The field the values live in (its atoms and known factors).
        cost: The measure to minimise (``Entrywise.cost``).
    """

    def __init__(self, field: Field, cost: Callable[[Node], int]) -> None:
        self.field = field
        self.cost = cost

    def build(self, r: Rat) -> Node:
        """The cheapest tree for r (ties: the more factored)."""
        if not r.num:
            return al.zero(self.field.shape)
        if not r.den:
            return self.poly_node(r.num, self.field.shape)
        den_vec = any(self.is_vector(self.field.known[f]) for f in r.den)
        dens, top = [], r.num
        for f, k in r.den.items():
            p = self.field.known[f]
            if (
                k % 2 and not self.is_vector(p) and _backwards(p)
            ):  # x/(1 - n) = -x/(n - 1): the divisor as printed
                p, top = scale(p, Fraction(-1)), scale(top, Fraction(-1))
            dens.append((p, k))
        num = self.poly_node(
            top, SCALAR if den_vec and not self.is_vector(top) else self.field.shape
        )
        factors = [(self.poly_node(p, self.poly_shape(p)), k) for p, k in dens]
        den = self.product(Fraction(1), factors, self.field.shape if den_vec else SCALAR)
        return al.binary("./", num, den) if den_vec else al.div(num, den)

    def is_vector(self, p: Poly) -> bool:
        return any(self.field.vector(a) for m in p for a, _ in m)

    def poly_shape(self, p: Poly) -> Shape:
        return self.field.shape if self.is_vector(p) else SCALAR

    def poly_node(self, p: Poly, shape: Shape) -> Node:
        """The cheapest of: the sum of terms; its common monomial written once; and that with
        the sums the input wrote as factors peeled off."""
        expanded = self.sum_node(p, shape)
        if len(p) < 2:
            return expanded
        coef, mono, prim = self.field.normal(p)
        candidates = [expanded]
        factored = self.factored(coef, mono, [], prim, shape)
        if factored is not None:
            candidates.append(factored)
        rest, c2, m2, found = self.field.peel(prim)
        if found:
            peeled = self.factored(coef * c2, mono_mul(mono, m2), found, rest, shape)
            if peeled is not None:
                candidates.append(peeled)
        return min(reversed(candidates), key=self.cost)

    def factored(
        self, coef: Fraction, mono: Mono, found: list[Key], rest: Poly, shape: Shape
    ) -> Node | None:
        polys = [self.field.known[k] for k in found] + ([rest] if len(rest) > 1 else [])
        if not polys or (not mono and abs(coef) == 1 and len(polys) == 1):
            return None
        if coef < 0:  # the sign goes into the last sum: -(1 - s) = s - 1
            polys[-1] = scale(polys[-1], Fraction(-1))
            coef = -coef
        if rest and len(rest) == 1:
            ((m, c),) = rest.items()
            coef, mono = coef * c, mono_mul(mono, m)
        # In the order the input first wrote them: a sum stands where its first atom did.
        placed = [((a, 0), self.field.atoms[a], e) for a, e in mono]
        placed += [
            (
                (min((a for m in q for a, _ in m), default=-1), 1),
                self.sum_node(q, self.poly_shape(q)),
                1,
            )
            for q in polys
        ]
        placed.sort(key=lambda p: p[0])
        return self.product(coef, [(n, e) for _, n, e in placed], shape)

    def sum_node(self, p: Poly, shape: Shape) -> Node:
        """Positive terms first, each group in the order of the atoms' first appearance."""
        terms = sorted(p.items(), key=lambda mc: (mc[1] < 0, mc[0]))
        # A constant beside a vector term is written as a scalar, which broadcasts (SPEC
        # section 8): 1 - h.^2, not ones(n) - h.^2.
        vector = any(self.field.vector(a) for m, _ in terms for a, _ in m)
        out: Node | None = None
        for mono, c in terms:
            constant = vector and not any(  # a scalar, not s'da (which keeps its ones)
                self.field.vector(a) or inner_product(self.field.atoms[a]) for a, _ in mono
            )
            body = self.product(
                abs(c),
                [(self.field.atoms[a], e) for a, e in mono],
                SCALAR if constant else shape,
            )
            if out is None:
                out = _negate(body) if c < 0 else body
            else:
                out = al.sub(out, body) if c < 0 else al.add(out, body)
        return out if out is not None else al.zero(shape)

    def product(self, coef: Fraction, factors: list[tuple[Node, int]], shape: Shape) -> Node:
        """coef * (scalar factors) * (vector factors, by .*) ./ (the ones of negative power)."""
        up = [(n, e) for n, e in factors if e > 0]
        down = [(n, -e) for n, e in factors if e < 0]
        scalars = [(n, e) for n, e in up if n.shape == SCALAR]
        vectors = [(n, e) for n, e in up if n.shape != SCALAR]
        out: Node | None = al.num(coef) if coef != 1 else None
        for n, e in scalars + vectors:
            f = _power(n, e)
            if out is None:
                out = f
            elif out.shape == SCALAR or f.shape == SCALAR:
                out = al.mul(out, f)
            else:
                out = al.binary(".*", out, f)
        den_vec = any(n.shape != SCALAR for n, _ in down)
        if out is None:
            out = al.num(1)
        if shape != SCALAR and out.shape == SCALAR and not den_vec:
            out = al.mul(out, al.ones(shape[0]))
        if not down:
            return out
        den = self.product(Fraction(1), down, shape if den_vec else SCALAR)
        return al.binary("./", out, den) if den_vec else al.div(out, den)


def _backwards(p: Poly) -> bool:
    """Whether ``p`` is a positive constant minus terms (1 - n), printed the other way round."""
    const = p.get(ONE, Fraction(0))
    return const > 0 and len(p) > 1 and all(c < 0 for m, c in p.items() if m != ONE)


def _power(node: Node, k: int) -> Node:
    if k == 1:
        return node
    return al.binary("^" if node.shape == SCALAR else ".^", node, al.num(k))


def _negate(node: Node) -> Node:
    """-node, the sign on the leftmost factor of a product: -y./s, -2*x."""
    if isinstance(node, Binary) and node.op in ("*", "/", ".*", "./"):
        return Binary(node.op, _negate(node.left), node.right, shape=node.shape)
    return al.neg(node)
