"""A term of a sum (coefficient, commuting scalar factors, ordered matrix factors) and the
rewrites of its factors that need nothing but the factors: like terms, 1 x 1 chains in one
spelling, powers, inverses cancelled, and a term written back as a tree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from gen.derive import algebra as al
from gen.expr.ast import SCALAR, Binary, Call, Name, Node, Num, Shape, Transpose, children
from gen.expr.measure import size
from gen.expr.shape import broadcast_shape
from gen.expr.walk import mentions, nodes


@dataclass(frozen=True)
class Term:
    """coef * scalars * chain."""

    coef: Fraction
    scalars: tuple[Node, ...]
    chain: tuple[Node, ...]
    shape: Shape

    def key(self) -> str:
        """What makes two terms alike (everything but the coefficient)."""
        return repr((sorted(repr(s) for s in self.scalars), self.chain))


def shape_of(node: Node) -> Shape:
    """The shape of a typed node."""
    assert node.shape is not None, node
    return node.shape


def atom(node: Node) -> Term:
    """``node`` as a term of its own: a scalar factor, or a chain of one factor."""
    if node.shape == SCALAR:
        return Term(Fraction(1), (node,), (), SCALAR)
    return Term(Fraction(1), (), (node,), shape_of(node))


def transposed(t: Term, sym: frozenset[str]) -> Term:
    """(c s F1 F2 ... Fk)' = c s Fk' ... F1'."""
    chain = tuple(al.transpose(f, sym) for f in reversed(t.chain))
    return Term(t.coef, t.scalars, chain, (t.shape[1], t.shape[0]))


def is_ones(node: Node) -> bool:
    """Whether ``node`` is 1 or ``ones(...)``."""
    return al.is_one(node) or (isinstance(node, Call) and node.func == "ones")


def chain_node(chain: tuple[Node, ...]) -> Node:
    """The product of a non-empty chain of factors, left to right."""
    out = chain[0]
    for f in chain[1:]:
        out = al.mul(out, f)
    return out


def common_coefficient(terms: list[Term], shape: Shape, last: frozenset[str]) -> Fraction | None:
    """The number every term of a sum of matrices or vectors carries, other than 1."""
    if len(terms) < 2 or shape == SCALAR or last:
        return None
    coefs = {abs(t.coef) for t in terms}
    if len(coefs) != 1:
        return None
    c = coefs.pop()
    if c in (0, 1):
        return None
    return -c if all(t.coef < 0 for t in terms) else c


def _canonical(term: Term, sym: frozenset[str], last: frozenset[str]) -> Term:
    """A 1 x 1 chain equals its transpose: keep one spelling of the two.

    The one with a name of ``last`` further right wins; otherwise the one
    with fewer transposes, then the smaller text.
    """
    if term.shape != SCALAR or not term.chain:
        return term
    flipped = tuple(al.transpose(f, sym) for f in reversed(term.chain))
    if _rank(flipped, last) < _rank(term.chain, last):
        return Term(term.coef, term.scalars, flipped, term.shape)
    return term


def _rank(chain: tuple[Node, ...], last: frozenset[str]) -> tuple[int, int, str]:
    where = [i for i, f in enumerate(chain) if mentions(f, last)]
    return (-max(where, default=-1), sum(isinstance(f, Transpose) for f in chain), repr(chain))


def collect(terms: list[Term], sym: frozenset[str], last: frozenset[str]) -> list[Term]:
    """Like terms merged (1 x 1 chains in one spelling first), those that cancel dropped."""
    merged: dict[str, Term] = {}
    for term in (_canonical(t, sym, last) for t in terms):
        k = term.key()
        if k in merged:
            old = merged[k]
            merged[k] = Term(old.coef + term.coef, old.scalars, old.chain, old.shape)
        else:
            merged[k] = term
    return [t for t in merged.values() if t.coef != 0]


SUMMED = 9  # the largest matrix (in operations, gen.expr.measure) a product with ones sums


def _is_matrix(node: Node) -> bool:
    return node.shape is not None and node.shape[0] != 1 and node.shape[1] != 1


def _column_sums(f: Node) -> Node:
    """sum(F, 1), the row of the column sums of F (the sum of a transpose: sum(G, 2)')."""
    if isinstance(f, Transpose):
        return al.transpose(al.call("sum", f.operand, al.num(2)))
    return al.call("sum", f, al.num(1))


def _row_sums(f: Node) -> Node:
    """sum(F, 2), the column of the row sums of F (of a transpose: sum(G, 1)')."""
    if isinstance(f, Transpose):
        return al.transpose(al.call("sum", f.operand, al.num(1)))
    return al.call("sum", f, al.num(2))


def sums(chain: tuple[Node, ...]) -> tuple[Node, ...]:
    """Products with a vector of ones written as the sums they are (as the books and NumPy
    write an unbroadcast bias gradient): 1' F = sum(F, 1), F 1 = sum(F, 2), G' 1 = sum(G, 1)'
    (CS231n's db = np.sum(dout, axis=0)), for F a matrix (not a vector) of at most
    ``SUMMED`` operations: a longer F keeps the product, which a sheet can break across
    lines (a sum's parentheses cannot be)."""
    out: list[Node] = []
    i = 0
    while i < len(chain):
        f = chain[i]
        nxt = chain[i + 1] if i + 1 < len(chain) else None
        if nxt is not None and is_ones_row(f) and _is_matrix(nxt) and size(nxt) <= SUMMED:
            out.append(_column_sums(nxt))
            i += 2
            continue
        if (
            nxt is not None
            and _is_matrix(f)
            and isinstance(nxt, Call)
            and nxt.func == "ones"
            and size(f) <= SUMMED
        ):
            out.append(_row_sums(f))
            i += 2
            continue
        out.append(f)
        i += 1
    return tuple(out)


def summed(node: Node) -> Node:
    """``node`` with each product by a vector of ones written as the sum it is (``sums``):
    for a result whose long factors were named after it was simplified, (G.*X_hat)'*1 =
    sum(G.*X_hat, 1)'."""

    memo: dict[int, Node] = {}

    def walk(n: Node) -> Node:
        if id(n) in memo:
            return memo[id(n)]
        kids = children(n)
        out = al.map_children(n, walk) if any(walk(c) is not c for c in kids) else n
        memo[id(n)] = out = _summed_pair(out)
        return out

    return walk(node)


def _summed_pair(out: Node) -> Node:
    """A product of two factors, one of them ones, as the sum it is (else ``out``)."""
    if isinstance(out, Binary) and out.op == "*":
        pair = sums((out.left, out.right))
        if len(pair) == 1:
            return pair[0]
    return out


def is_ones_row(node: Node) -> bool:
    """Whether ``node`` is ones(n)'."""
    return (
        isinstance(node, Transpose)
        and isinstance(node.operand, Call)
        and (node.operand.func == "ones")
    )


def inner_product(node: Node) -> bool:
    """Whether a 1 x 1 ``node`` holds a product of vectors or matrices (x'y, s' dW x)."""
    return any(
        isinstance(n, Binary) and n.op == "*" and n.left.shape != SCALAR for n in nodes(node)
    )


def _narrowed(term: Term, shape: Shape) -> Term:
    """``term`` without the ones that only spread it over ``shape`` (NumPy broadcasting).

    A constant c*ones(n) (or c*ones(m)*ones(n)') is the scalar c; a column c*ones(n)'
    is the column c; a row ones(m)*r is the row r.
    """
    chain = term.chain
    if any(inner_product(f) for f in term.scalars):
        return term  # s'da 1: a scalar that is a product of vectors keeps its ones
    if chain and all(is_ones(f) or is_ones_row(f) for f in chain) and len(chain) <= 2:
        return Term(term.coef, term.scalars, (), SCALAR)
    rows, cols = shape
    if len(chain) >= 2 and is_ones_row(chain[-1]) and cols != 1 and rows != 1:
        return Term(term.coef, term.scalars, chain[:-1], (rows, 1))
    if len(chain) >= 2 and is_ones(chain[0]) and rows != 1 and cols != 1:
        return Term(term.coef, term.scalars, chain[1:], (1, cols))
    return term


def is_diagonal_factor(node: Node) -> bool:
    """Whether ``node`` is an identity or a diag(v) (a matrix a broadcast reads badly beside)."""
    return al.is_identity(node) or (isinstance(node, Call) and node.func in ("diag", "eye"))


def broadcast_terms(terms: list[Term], shape: Shape) -> list[Term]:
    """The terms of a sum of ``shape`` written as the language broadcasts them (SPEC section
    8): ``1 - h.^2``, not ``ones(n) - h.^2``; ``A - c``, not ``A - c*ones(n)'``. A term is
    narrowed only when another term keeps the full shape, so the sum keeps its shape."""
    if shape == SCALAR or len(terms) < 2:
        return terms
    if any(len(t.chain) == 1 and is_diagonal_factor(t.chain[0]) for t in terms):
        return terms  # I - 1/n would read as a scalar taken from I: keep I - 1 1'/n
    narrowed = [_narrowed(t, shape) for t in terms]
    if not any(n.shape == shape and n.chain for n in narrowed):
        return terms
    return narrowed


def flip_difference(term: Term) -> Term:
    """-(a - b) F = (b - a) F: a lone negative term absorbs its sign into a difference."""
    for i, f in enumerate(term.chain):
        if isinstance(f, Binary) and f.op == "-":
            flipped = al.sub(f.right, f.left)
            chain = term.chain[:i] + (flipped,) + term.chain[i + 1 :]
            return Term(-term.coef, term.scalars, chain, term.shape)
    return term


def term_node(term: Term, shape: Shape, last: frozenset[str]) -> Node:
    """One term as a tree: number, scalars (names of ``last`` last), chain, then divisors."""
    coef, scalars, divisors = _cancelled(term)
    factors: list[Node] = []
    if coef != 1 or (not scalars and not term.chain):
        factors.append(al.num(coef))
    factors.extend(
        powers(
            sorted(
                scalars, key=lambda f: (mentions(f, last), not isinstance(f, Name | Num), repr(f))
            )
        )
    )
    if term.chain:
        factors.append(chain_node(sums(tuple(powers(list(term.chain))))))
    out = factors[0]
    for f in factors[1:]:
        out = al.mul(out, f)
    for d in powers(sorted(divisors, key=repr)):  # x/norm2(x), not 1/norm2(x)*x
        out = al.div(out, d)
    # A term of a broadcast sum (b' in X W + b') has a shape that broadcasts to the sum's.
    if out.shape != shape and (out.shape is None or broadcast_shape(out.shape, shape) != shape):
        raise AssertionError(f"term of shape {out.shape} in a sum of shape {shape}")
    return out


def _cancelled(term: Term) -> tuple[Fraction, list[Node], list[Node]]:
    """The term's number, scalar factors and divisors, with the factors common to both
    cancelled (s/s = 1, 4 ell/(4 ell^4) = 1/ell^3). Products and powers are spelt out to
    find them (``powers`` writes them back); a number in a divisor divides into the
    coefficient when it goes evenly (2 x/(2 m) = x/m)."""
    up = _spelt([f for f in term.scalars if not _is_reciprocal(f)])
    down = _spelt([f.right for f in term.scalars if isinstance(f, Binary) and _is_reciprocal(f)])
    coef = term.coef
    for f in [f for f in up if isinstance(f, Num)]:
        up.remove(f)
        coef *= f.value
    for d in list(down):
        if isinstance(d, Num) and (coef / d.value).denominator == 1:
            down.remove(d)
            coef /= d.value
        elif d in up:
            up.remove(d)
            down.remove(d)
    numbers = [d for d in down if isinstance(d, Num)]
    if numbers:  # what does not divide evenly stays with the divisor: x/(2 d)
        down = powers(sorted((d for d in down if not isinstance(d, Num)), key=repr))
        number = al.num(math.prod((d.value for d in numbers), start=Fraction(1)))
        down = [al.mul(number, down[0]), *down[1:]] if down else [number]
    return coef, up, down


def _spelt(factors: list[Node]) -> list[Node]:
    """Scalar factors with small integer powers spelt out (s^2 as s, s), so that a power
    cancels against a divisor (s^2/s = s); ``powers`` writes them back."""
    out: list[Node] = []
    for f in factors:
        if isinstance(f, Binary) and f.op == "*" and f.left.shape == f.right.shape == SCALAR:
            out.extend(_spelt([f.left, f.right]))
        elif (
            isinstance(f, Binary)
            and f.op == "^"
            and isinstance(f.right, Num)
            and f.right.value.denominator == 1
            and 1 < f.right.value <= 4
            and f.left.shape == SCALAR
        ):
            out.extend([f.left] * int(f.right.value))
        else:
            out.append(f)
    return out


def _is_reciprocal(node: Node) -> bool:
    return isinstance(node, Binary) and node.op == "/" and al.is_one(node.left)


def powers(factors: list[Node]) -> list[Node]:
    """Runs of one factor become a power: x x = x^2, A A A = A^3 (A square)."""
    out: list[Node] = []
    for f in factors:
        base, k = _base_power(f)
        if (
            out
            and _base(out[-1]) == base
            and base.shape is not None
            and (base.shape[0] == base.shape[1])
            and not al.is_identity(base)
        ):
            _, k0 = _base_power(out[-1])
            out[-1] = al.binary("^", base, al.num(k0 + k)) if k0 + k != 1 else base
        else:
            out.append(f)
    return out


def inverses(factors: list[Node]) -> list[Node]:
    """F^-1 F = F F^-1 = I, transposed alike: inv(X)' X' = (X inv(X))' = I."""
    out: list[Node] = []
    for f in factors:
        if out and _inverse_pair(out[-1], f):
            out.pop()
        else:
            out.append(f)
    return out


def _inverse_pair(f: Node, g: Node) -> bool:
    (a, inv_a, t_a), (b, inv_b, t_b) = _unwrapped(f), _unwrapped(g)
    return a == b and t_a == t_b and inv_a != inv_b and shape_of(a)[0] == shape_of(a)[1]


def _unwrapped(node: Node) -> tuple[Node, bool, bool]:
    """(F, inverted, transposed) of F, F', inv(F), inv(F)' and inv(F')."""
    transposed = inverted = False
    while True:
        if isinstance(node, Transpose):
            transposed, node = not transposed, node.operand
        elif isinstance(node, Call) and node.func == "inv":
            inverted, node = not inverted, node.args[0]
        else:
            return node, inverted, transposed


def _base_power(node: Node) -> tuple[Node, int]:
    if (
        isinstance(node, Binary)
        and node.op == "^"
        and isinstance(node.right, Num)
        and (node.right.value.denominator == 1)
    ):
        return node.left, int(node.right.value)
    return node, 1


def _base(node: Node) -> Node:
    return _base_power(node)[0]
