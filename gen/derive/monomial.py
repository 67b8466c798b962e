"""An entrywise product as one monomial: equal factors written once, as one power.

A product of entrywise factors (``.*``, ``./``, numbers, ``.^`` and ``^`` with a numeric
exponent, ``sqrt``) commutes, broadcasting included, so it is a coefficient times powers
of its factors. Identities used, each entry by entry:

- ``a.^p .* a.^q = a.^(p + q)`` (so ``x./s.*(y./s) = x.*y./s.^2``);
- ``sqrt(a) = a.^(1/2)``, so ``sqrt(a).^2 = a`` and ``1./a./sqrt(a) = 1./a.^(3/2)``
  (where sqrt is real, a >= 0: the only points where the expression is defined);
- ``M.^k = M`` for k >= 1 and M ``binary`` (entries 0 or 1), ``y.^(2k) = 1`` for y
  ``plus-minus-one``;
- a factor of a column sum that is constant down the columns leaves the sum (and a factor
  of a row sum constant along the rows): ``1'(A .* r) = (1'A) .* r`` for a row r, and
  ``(A .* c) 1 = (A 1) .* c`` for a column c; so does a number, and a sign.

``merged`` rewrites only when the monomial has fewer factors than the product read, so a
product without a repeated factor is left as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from gen.derive import algebra as al
from gen.derive.facts import Facts
from gen.derive.ones import sum_along
from gen.derive.terms import chain_node, is_ones, is_ones_row, shape_of, sums
from gen.expr.ast import SCALAR, Binary, Call, Name, Neg, Node, Num, Shape

HALF = Fraction(1, 2)


@dataclass
class Monomial:
    """A coefficient times powers of factors (in the order first read).

    Attributes:
        coef: The number.
        powers: Each factor with its exponent.
        read: How many factors were read (a repeated one counts each time).
    """

    coef: Fraction = Fraction(1)
    powers: dict[Node, Fraction] = field(default_factory=dict)
    read: int = 0

    def times(self, base: Node, exponent: Fraction) -> None:
        """Multiply by ``base`` raised to ``exponent``."""
        self.powers[base] = self.powers.get(base, Fraction(0)) + exponent
        self.read += 1


def merged(node: Node, facts: Facts) -> Node | None:
    """``node`` (an entrywise product or quotient) as one monomial when that has fewer
    factors than ``node`` writes, else None."""
    m = Monomial()
    if not _read(node, m, 1, pull=True) or m.coef == 0:
        return None
    powers = _reduced(m.powers, facts)
    if len(powers) >= m.read:
        return None
    out = _written(m.coef, powers)
    if out is None or shape_of(out) != shape_of(node):
        return None
    return out


def _read(node: Node, m: Monomial, k: int, pull: bool) -> bool:
    """Read ``node`` raised to the integer ``k`` into ``m``; False when it cannot be (a zero
    divided by). A fractional power (sqrt(a) = a.^(1/2)) is taken of a factor read whole:
    (a.^2).^(1/2) is abs(a), not a."""
    if isinstance(node, Num):
        if node.value == 0 and k < 0:
            return False
        m.coef *= node.value**k
        return True
    if isinstance(node, Neg):
        m.coef *= (-1) ** k
        return _read(node.operand, m, k, pull)
    if isinstance(node, Binary) and node.op in (".*", "./"):
        right = k if node.op == ".*" else -k
        return _read(node.left, m, k, pull) and _read(node.right, m, right, pull)
    if (
        isinstance(node, Binary)
        and node.op == "*"
        and (isinstance(node.left, Num) or isinstance(node.right, Num))
    ):
        return _read(node.left, m, k, pull) and _read(node.right, m, k, pull)
    if isinstance(node, Binary) and node.op == "/" and isinstance(node.right, Num):
        return _read(node.left, m, k, pull) and _read(node.right, m, -k, pull)
    exponent = _exponent(node)
    if exponent is not None and isinstance(node, Binary):
        if exponent.denominator == 1:  # (a .* b).^2 = a.^2 .* b.^2
            return _read(node.left, m, k * int(exponent), pull=False)
        m.times(node.left, k * exponent)
        return True
    if isinstance(node, Call) and node.func == "sqrt" and len(node.args) == 1:
        m.times(node.args[0], k * HALF)
        return True
    pulled = _pulled(node) if pull else None
    if pulled is not None:
        summed, moving = pulled
        m.times(summed, Fraction(k))  # the sum first, then what left it: sum(G.*X_c, 1).*gamma'
        m.coef *= moving.coef**k
        for base, e in moving.powers.items():
            m.times(base, k * e)
        return True
    m.times(node, Fraction(k))
    return True


def _exponent(node: Node) -> Fraction | None:
    """The numeric exponent of ``a.^k`` (or of a scalar ``a^k``), else None."""
    if not (isinstance(node, Binary) and node.op in (".^", "^")):
        return None
    if node.op == "^" and node.left.shape != SCALAR:
        return None  # a matrix power is not entrywise
    k = node.right
    if isinstance(k, Num):
        return k.value
    if isinstance(k, Neg) and isinstance(k.operand, Num):
        return -k.operand.value
    if (
        isinstance(k, Binary)
        and k.op == "/"
        and isinstance(k.right, Num)
        and k.right.value != 0
        and _exponent_number(k.left) is not None
    ):
        return Fraction(_exponent_number(k.left) or 0) / k.right.value
    return None


def _exponent_number(node: Node) -> Fraction | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg) and isinstance(node.operand, Num):
        return -node.operand.value
    return None


def _pulled(node: Node) -> tuple[Node, Monomial] | None:
    """A column sum 1'F (or a row sum F 1) whose F has factors constant along the sum:
    the sum of what is left, and the monomial of the factors that leave it (None when
    nothing leaves)."""
    node = sum_along(node) or node  # sum(F, 1) = 1'F, sum(F, 2) = F 1
    if not (isinstance(node, Binary) and node.op == "*"):
        return None
    along: Shape
    if is_ones_row(node.left) and _is_matrix(node.right):
        inner, along = node.right, (1, shape_of(node.right)[1])
    elif is_ones(node.right) and node.right.shape != SCALAR and _is_matrix(node.left):
        inner, along = node.left, (shape_of(node.left)[0], 1)
    else:
        return None
    parts = Monomial()
    if not _read(inner, parts, 1, pull=False):
        return None
    moving = Monomial(parts.coef)
    staying: dict[Node, Fraction] = {}
    for base, e in parts.powers.items():
        if shape_of(base) in (along, SCALAR):
            moving.times(base, e)
        else:
            staying[base] = e
    if not moving.powers and moving.coef == 1:
        return None
    rest = _written(Fraction(1), staying)
    if rest is None or shape_of(rest) != shape_of(inner):
        return None  # the factors left do not keep the matrix's shape
    pair = (node.left, rest) if inner is node.right else (rest, node.right)
    return chain_node(sums(pair)), moving


def _is_matrix(node: Node) -> bool:
    rows, cols = shape_of(node)
    return rows != 1 and cols != 1


def _reduced(powers: dict[Node, Fraction], facts: Facts) -> dict[Node, Fraction]:
    """The powers with zero exponents dropped, binary factors to the first power, and
    plus-minus-one factors to an even power dropped."""
    out: dict[Node, Fraction] = {}
    for base, e in powers.items():
        if isinstance(base, Name) and base.id in facts.binary and e >= 1:
            e = Fraction(1)
        if (
            isinstance(base, Name)
            and base.id in facts.plus_minus_one
            and e.denominator == 1
            and e % 2 == 0
        ):
            continue
        if e != 0:
            out[base] = e
    return out


def _written(coef: Fraction, powers: dict[Node, Fraction]) -> Node | None:
    """coef times the powers: the factors with a positive exponent first, then divided by
    the others (``x.*y./s.^2/2``); None for no factor."""
    ups = [_power(b, e) for b, e in powers.items() if e > 0]
    downs = [_power(b, -e) for b, e in powers.items() if e < 0]
    if not ups and not downs:
        return None
    out = ups[0] if ups else al.num(1)
    for f in ups[1:]:
        out = al.binary(".*", out, f)
    for f in downs:
        out = al.binary("./", out, f)
    if coef.denominator != 1:
        out = al.div(out, al.num(coef.denominator))
    if abs(coef.numerator) != 1:
        out = al.mul(al.num(abs(coef.numerator)), out)
    return al.neg(out) if coef < 0 else out


def _power(base: Node, e: Fraction) -> Node:
    """base raised to a positive exponent: sqrt(base) for 1/2, base.^e (base^e if 1 x 1)."""
    if e == 1:
        return base
    if e == HALF:
        return al.call("sqrt", base)
    op = "^" if base.shape == SCALAR else ".^"
    return al.binary(op, base, al.num(e))
