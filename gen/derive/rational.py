"""Laurent polynomials in numbered atoms, and the field of their quotients the entrywise
algebra computes in (sums, products, inverses, exact division, normal forms of factors).

See ``gen.derive.entrywise`` for what the atoms stand for and why: here an atom is a
number, a value N / D a ``Rat``, N a Laurent polynomial (``dict`` monomial ->
``Fraction``) and D a product of powers of normalised polynomial factors (``Key``).
"""

from __future__ import annotations

import math
from fractions import Fraction

from gen.errors import Bail
from gen.expr.ast import SCALAR, Node, Shape

Mono = tuple[tuple[int, int], ...]  # (atom, exponent) sorted by atom; exponents non-zero
Poly = dict[Mono, Fraction]
Key = tuple[tuple[Mono, Fraction], ...]  # a normalised polynomial factor, hashable

MAX_TERMS = 64  # a polynomial grows past this: give up (None)
MAX_STEPS = 400  # steps of one polynomial division

ONE: Mono = ()


def mono_mul(a: Mono, b: Mono) -> Mono:
    """The product of two monomials."""
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for atom, e in b:
        v = out.get(atom, 0) + e
        if v:
            out[atom] = v
        else:
            del out[atom]
    return tuple(sorted(out.items()))


def mono_inv(a: Mono) -> Mono:
    """1 / a."""
    return tuple((atom, -e) for atom, e in a)


def add(a: Poly, b: Poly, times: Fraction = Fraction(1)) -> Poly:
    """a + times * b."""
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + times * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def mul(a: Poly, b: Poly) -> Poly:
    """a * b (Bail past ``MAX_TERMS`` terms)."""
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    if len(out) > MAX_TERMS:
        raise Bail
    return out


def shift(a: Poly, m: Mono) -> Poly:
    """a times the monomial m."""
    return {mono_mul(k, m): c for k, c in a.items()}


def scale(a: Poly, c: Fraction) -> Poly:
    """a times the number c."""
    return {k: v * c for k, v in a.items()} if c else {}


def const(c: Fraction | int) -> Poly:
    """The constant polynomial c."""
    return {ONE: Fraction(c)} if c else {}


def key(p: Poly) -> Key:
    """p as a hashable key."""
    return tuple(sorted(p.items()))


class Rat:
    """num / product of factor ** exponent."""

    __slots__ = ("num", "den")

    def __init__(self, num: Poly, den: dict[Key, int] | None = None) -> None:
        self.num = num
        self.den: dict[Key, int] = den or {}


class Field:
    """One expression's atoms, its known factors, and the rational arithmetic over them."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.atoms: list[Node] = []
        self.index: dict[tuple[Node, Shape | None], int] = {}
        self.known: dict[Key, Poly] = {}  # sums the input multiplies or divides by, in order
        self.orders: dict[Mono, tuple[int, ...]] = {}

    # -- atoms and the order of monomials

    def atom(self, node: Node) -> Rat:
        if node.shape != self.shape and node.shape != SCALAR:
            raise Bail
        k = (node, node.shape)
        i = self.index.get(k)
        if i is None:
            i = self.index[k] = len(self.atoms)
            self.atoms.append(node)
            self.orders.clear()  # the exponent vectors grow by one
        return Rat({((i, 1),): Fraction(1)})

    def vector(self, atom: int) -> bool:
        return self.atoms[atom].shape != SCALAR

    def order(self, m: Mono) -> tuple[int, ...]:
        """Lex order of exponent vectors, atoms in order of first appearance."""
        found = self.orders.get(m)
        if found is None:
            exps = dict(m)
            found = self.orders[m] = tuple(exps.get(i, 0) for i in range(len(self.atoms)))
        return found

    # -- arithmetic

    def add(self, a: Rat, b: Rat) -> Rat:
        if not a.num:
            return b
        if not b.num:
            return a
        den = dict(a.den)
        for f, k in b.den.items():
            den[f] = max(den.get(f, 0), k)
        num = add(self.widen(a, den), self.widen(b, den))
        if len(num) > MAX_TERMS:
            raise Bail
        return self.reduce(Rat(num, {f: k for f, k in den.items() if k}))

    def widen(self, r: Rat, den: dict[Key, int]) -> Poly:
        """r's numerator over the denominator ``den`` (a multiple of r's)."""
        num = r.num
        for f, k in den.items():
            for _ in range(k - r.den.get(f, 0)):
                num = mul(num, self.known[f])
        return num

    def mul(self, a: Rat, b: Rat) -> Rat:
        for r in (a, b):
            if len(r.num) > 1:
                self.remember(r.num)
        den = dict(a.den)
        for f, k in b.den.items():
            den[f] = den.get(f, 0) + k
        return self.reduce(Rat(mul(a.num, b.num), den))

    def remember(self, p: Poly) -> None:
        _, _, prim = self.normal(p)
        if len(prim) > 1:
            self.known.setdefault(key(prim), prim)

    def inv(self, r: Rat) -> Rat:
        if not r.num:
            raise Bail  # a division by zero: not ours to judge
        coef, mono, rest = self.normal(r.num)
        num: Poly = {ONE: Fraction(1)}
        for f, k in r.den.items():
            for _ in range(k):
                num = mul(num, self.known[f])
        den: dict[Key, int] = {}
        if len(rest) > 1:
            rest, c2, m2, found = self.peel(rest)
            coef, mono = coef * c2, mono_mul(mono, m2)
            for f in found:
                den[f] = den.get(f, 0) + 1
            if len(rest) > 1:
                own = key(rest)
                self.known.setdefault(own, rest)
                den[own] = den.get(own, 0) + 1
        return Rat(scale(shift(num, mono_inv(mono)), 1 / coef), den)

    def power(self, r: Rat, k: int) -> Rat:
        if k < 0:
            r, k = self.inv(r), -k
        out = Rat(const(1))
        for _ in range(k):
            out = self.mul(out, r)
        return out

    def reduce(self, r: Rat) -> Rat:
        """Cancel each factor of the denominator that divides the numerator."""
        num, den = r.num, dict(r.den)
        for f in list(den):
            while den[f] and num:
                q = self.divide(num, self.known[f])
                if q is None:
                    break
                num, den[f] = q, den[f] - 1
            if not den[f]:
                del den[f]
        return Rat(num, den if num else {})

    def divide(self, n: Poly, f: Poly) -> Poly | None:
        """n / f when f divides the Laurent polynomial n exactly, else None."""
        low: dict[int, int] = {}
        for m in n:
            for atom, e in m:
                if e < 0:
                    low[atom] = min(low.get(atom, 0), e)
        lift: Mono = tuple(sorted((a, -e) for a, e in low.items()))
        rem = shift(n, lift)
        lead_f = max(f, key=self.order)
        lead_c = f[lead_f]
        q: Poly = {}
        for _ in range(MAX_STEPS):
            if not rem:
                return shift(q, mono_inv(lift))
            lead = max(rem, key=self.order)
            t = mono_mul(lead, mono_inv(lead_f))
            if any(e < 0 for _, e in t):
                return None
            c = rem[lead] / lead_c
            q[t] = q.get(t, 0) + c
            rem = add(rem, shift(f, t), -c)
        return None

    def normal(self, p: Poly) -> tuple[Fraction, Mono, Poly]:
        """p = coef * mono * prim: prim with integer coprime coefficients, no monomial factor,
        and a positive constant term (else more positive than negative terms, else a positive
        leading term)."""
        low: dict[int, int] = {}
        first = True
        for m in p:
            exps = dict(m)
            if first:
                low, first = exps, False
            else:
                low = {a: min(e, exps.get(a, 0)) for a, e in low.items()}
                for a, e in exps.items():
                    if a not in low:
                        low[a] = min(e, 0)
        mono: Mono = tuple(sorted((a, e) for a, e in low.items() if e))
        prim = shift(p, mono_inv(mono)) if mono else dict(p)
        numer = 0
        denom = 1
        for c in prim.values():
            numer = math.gcd(numer, c.numerator)
            denom = denom * c.denominator // math.gcd(denom, c.denominator)
        coef = Fraction(numer, denom)
        constant = prim.get(ONE)
        if constant is not None:
            negative = constant < 0
        else:
            plus = sum(c > 0 for c in prim.values())
            minus = len(prim) - plus
            negative = minus > plus if plus != minus else prim[max(prim, key=self.order)] < 0
        if negative:
            coef = -coef
        return coef, mono, scale(prim, 1 / coef)

    def peel(self, p: Poly) -> tuple[Poly, Fraction, Mono, list[Key]]:
        """p = coef * mono * (product of known factors) * rest."""
        coef, mono, found = Fraction(1), ONE, []
        changed = True
        while changed and len(p) > 1:
            changed = False
            for k, f in self.known.items():
                if k == key(p):
                    continue
                q = self.divide(p, f)
                if q is not None:
                    c2, m2, p = self.normal(q)
                    coef, mono = coef * c2, mono_mul(mono, m2)
                    found.append(k)
                    changed = True
                    break
        return p, coef, mono, found
