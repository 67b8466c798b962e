"""The entrywise (Hadamard) algebra of column vectors of one length, and of scalars.

Inside an expression whose every operation is entrywise, the operations
commute: ``.*``, ``./``, ``+``, ``-``, unary minus, numbers, scalars (1 x 1)
times vectors, ``ones(n)`` (the unit), ``zeros(n, 1)`` (the zero), ``.^`` and
scalar ``^`` with an integer exponent. Everything else is an opaque atom: a
name, an entrywise function such as ``sigmoid(X*w)``, a matrix product
``X*w``, a 1 x 1 inner product ``u'*v`` (a scalar atom). The expression is then
a rational function of its atoms, computed exactly here:

- a value is N / D, N a Laurent polynomial (``dict`` monomial -> ``Fraction``:
  an atom may have a negative exponent, so ``y./s`` is one monomial) and D a
  product of powers of polynomials of two terms or more, each normalised
  (integer coprime coefficients, no monomial factor, its constant term
  positive) so that equal factors are recognised;
- sums and products are expanded (distribute, collect like terms, fold
  numbers), a factor of D is cancelled wherever it divides N exactly
  (multivariate division in lex order), so ``x .* (1./x)`` is ``ones(n)``
  (the expression is undefined where x = 0);
- the result is written back with the smart constructors of
  ``gen.derive.algebra``: positive terms first (``p - y``, not ``-y + p``), a
  constant written ``ones(n)`` in a vector sum (``ones(m) - p``), a quotient as
  ``y./x`` (not ``1./x.*y``); a monomial or a polynomial factor common to all
  terms is written once and so is any sum the input multiplied or divided by
  (``sigmoid(u).*(ones(m) - sigmoid(u))`` stays as is).

Identities used besides the field axioms (all hold entrywise):

- ``diag(a)*v = a.*v`` for column vectors a, v, and ``v'*diag(a) = (v.*a)'``;
- an inner product ``u'*v`` of k-vectors is ``sum(u.*v)``; when ``u.*v`` simplifies
  to a linear combination of vector atoms ``sum_i c_i a_i`` (the c_i may hold
  scalar atoms), it is written ``sum_i c_i sum(a_i)``; the same for ``sum(v)``;
- ``sum(t) = 1't = t'1 = 1`` for a name t declared ``probability`` (``Facts``) and
  for ``t = softmax(u)``;
- the logistic function, with s = sigmoid(u): ``exp(u) = s./(1 - s)``,
  ``exp(-u) = (1 - s)./s``, ``sigmoid(-u) = 1 - s``; hence
  ``exp(u)./(1 + exp(u)) = s``, ``1./(1 + exp(-u)) = s``, ``1./(1 + exp(u)) = 1 - s``.
  The expression is simplified once without and once with these
  substitutions (the latter only if it has such an ``exp`` or ``sigmoid``),
  and the cheaper result is kept, so a lone ``exp(u)`` stays ``exp(u)``.

``simplify_diagonal`` does the same for an n x n expression of diagonal matrices
(``diag(a)*diag(b) = diag(a.*b)``, sums, scalings, ``I``, ``inv``): one ``diag`` of
the simplified vector, e.g. PRML 4.3.3's R = diag(y .* (1 - y)) of the logistic
Hessian from the product of diagonal matrices the product rule leaves.

Plain sums, negations and scalings by numbers (``2*a - 2*b``, ``x/2 + x/3``) are left
to ``gen.derive.simplify``, which collects like terms: an expression without an
entrywise product, quotient or power, a division by something else than a number,
``ones``, ``zeros``, ``diag(a)*v``, or a ``sum``/inner product with such a side (or of a
probability vector) is answered None at once. Results are memoised per (tree, shape,
facts); ``forget()`` drops them, as ``gen.derive.simplify.forget`` does its own.

Not done: factoring a polynomial into irreducibles (only the factors the input
itself wrote are found again), partial fractions, ``sqrt(x).^2 = x``,
``log``/``exp`` inverses, ``tanh`` in terms of ``sigmoid``, reassociating
``(a*b')*c`` into ``(b'*c)*a``, matrices (a constant would need ``ones(m)*ones(n)'``).

Size: ``cost`` counts operations as ``gen.expr.measure.size`` does, except that
``ones(...)`` and ``zeros(...)`` count nothing, like the numbers they stand for
(so ``ones(m) - p`` costs what the textbook's ``1 - p`` does), and that an
integer power ``x.^k`` counts as the k - 1 products it stands for (so the
textbook's ``s.*(ones(m) - s)`` and ``h.*(ones(m) - h.^2)`` are no bigger than
``s - s.^2`` and ``h - h.^3``). ``simplify_entrywise`` answers only with a result
of strictly smaller cost; among candidates of equal cost it writes the more
factored one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from gen.derive import algebra as al
from gen.errors import Bail
from gen.expr.ast import (
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
from gen.expr.shape import integer_exponent
from gen.spec.model import Prop

if TYPE_CHECKING:
    from gen.program import Program

Mono = tuple[tuple[int, int], ...]  # (atom, exponent) sorted by atom; exponents non-zero
Poly = dict[Mono, Fraction]
Key = tuple[tuple[Mono, Fraction], ...]  # a normalised polynomial factor, hashable

MAX_TERMS = 64  # a polynomial grows past this: give up (None)
MAX_POWER = 8  # x.^k with |k| larger stays an atom
MAX_STEPS = 400  # steps of one polynomial division

_ONE: Mono = ()


@dataclass(frozen=True)
class Facts:
    """What is known about the names, beyond their shapes.

    Attributes:
        probability: Names of vectors declared ``probability``: 1't = t'1 = sum(t) = 1.
        logistic: Whether to try exp and sigmoid in terms of sigmoid (see the module).
    """

    probability: frozenset[str] = frozenset()
    logistic: bool = True


def facts_of(program: Program) -> Facts:
    """The facts a program's variables declare."""
    return Facts(probability=frozenset(
        s.name for s in program.symbols.values() if Prop.PROBABILITY in s.props))


def simplify_entrywise(node: Node, facts: Facts = Facts()) -> Node | None:
    """A cheaper equal form of a typed entrywise expression, or None.

    Args:
        node: A typed expression of shape (n, 1) or (1, 1); other shapes give None.
        facts: What the names are known to satisfy.

    Returns:
        An expression equal to ``node`` wherever ``node`` is defined, with a
        shape on every node and strictly smaller ``cost``; None when none is found.
    """
    key = (node, node.shape, facts)
    if key in _MEMO:
        return _MEMO[key]
    out = _simplify(node, facts)
    if len(_MEMO) >= 20_000:
        _MEMO.clear()
    _MEMO[key] = out
    return out


_MEMO: dict[tuple[Node, Shape | None, Facts], Node | None] = {}


_COSTS: dict[Node, int] = {}


def forget() -> None:
    """Drop the memos (a name may have another shape in the next program)."""
    _MEMO.clear()
    _COSTS.clear()


def simplify_diagonal(node: Node, facts: Facts = Facts()) -> Node | None:
    """A cheaper equal form of an n x n expression of diagonal matrices, or None.

    Diagonal matrices commute and multiply entrywise: ``diag(a)*diag(b) = diag(a.*b)``,
    ``diag(a) + diag(b) = diag(a + b)``, ``c*diag(a) = diag(c*a)``, ``I = diag(ones(n))``,
    ``inv(diag(a)) = diag(1./a)``, ``diag(a)' = diag(a)``, ``diag(a)^k = diag(a.^k)``. The
    expression (made of those alone) becomes ``diag(v)`` with v simplified by
    ``simplify_entrywise`` (``I`` when v is ``ones(n)``), if that costs less.
    """
    shape = node.shape
    if shape is None or shape[0] != shape[1] or shape == SCALAR or not is_diagonal(node):
        return None
    vector = _diagonal_vector(node, shape[0])
    if vector is None:
        return None
    inner = _simplify(vector, facts, force=True) or vector
    out = al.identity(shape[0]) if isinstance(inner, Call) and inner.func == "ones" else (
        al.call("diag", inner))
    return out if cost(out) < cost(node) else None


def is_diagonal(node: Node) -> bool:
    """Whether ``node`` is built of diagonal matrices alone (and scalars scaling them)."""
    if isinstance(node, Call):
        if node.func == "inv":
            return is_diagonal(node.args[0])
        return node.func in ("diag", "I", "eye")
    if isinstance(node, Neg | Transpose):
        return is_diagonal(node.operand)
    if isinstance(node, Binary):
        if node.op in ("+", "-"):
            return is_diagonal(node.left) and is_diagonal(node.right)
        if node.op in ("*", "/"):
            return all(is_diagonal(x) for x in (node.left, node.right) if x.shape != SCALAR)
        if node.op == "^":
            return integer_exponent(node.right) is not None and is_diagonal(node.left)
    return False


def _diagonal_vector(node: Node, n: DimT) -> Node | None:
    """The vector of the diagonal of a ``_diagonal`` expression (None when unsure)."""
    if node.shape == SCALAR:
        return node
    if isinstance(node, Call):
        if node.func == "diag":
            return node.args[0]
        if node.func in ("I", "eye"):
            return al.ones(n)
        inner = _diagonal_vector(node.args[0], n)
        return None if inner is None else al.binary("./", al.num(1), inner)
    if isinstance(node, Transpose):
        return _diagonal_vector(node.operand, n)
    if isinstance(node, Neg):
        inner = _diagonal_vector(node.operand, n)
        return None if inner is None else al.neg(inner)
    if isinstance(node, Binary):
        left, right = _diagonal_vector(node.left, n), _diagonal_vector(node.right, n)
        if left is None or right is None:
            return None
        if node.op in ("+", "-", "/"):
            return al.binary(node.op, left, right)
        if node.op == "*":
            scaling = SCALAR in (left.shape, right.shape)
            return al.mul(left, right) if scaling else al.binary(".*", left, right)
        if node.op == "^":
            return al.binary(".^", left, right)
    return None


def cost(node: Node) -> int:
    """Operations in ``node``; names, numbers, ``ones(...)`` and ``zeros(...)`` count nothing,
    and an integer power ``x.^k`` counts as the k - 1 products it stands for (``x.^-k`` as k).

    A subtree used twice counts twice (as in ``gen.expr.measure.size``). Costs are
    remembered across calls (trees are immutable) until ``forget()``: nested calls on
    the subtrees of a deep expression would otherwise walk it again and again.
    """
    memo = _COSTS
    if len(memo) >= 200_000:
        memo.clear()

    def walk(n: Node) -> int:
        key = n
        if key not in memo:
            if isinstance(n, (Name, Num)) or (
                    isinstance(n, Call) and (not n.args or n.func in ("ones", "zeros"))):
                memo[key] = 0
            elif isinstance(n, Binary) and n.op in (".^", "^") and (
                    k := integer_exponent(n.right)) is not None:
                memo[key] = max(1, abs(k) - 1 + (k < 0)) + walk(n.left)
            else:
                memo[key] = 1 + sum(walk(c) for c in children(n))
        return memo[key]

    return walk(node)


def _simplify(node: Node, facts: Facts, force: bool = False) -> Node | None:
    shape = node.shape
    if shape is None or shape[1] != 1 or not (force or _worth_trying(node, facts)):
        return None
    best, best_cost = None, cost(node)
    logistic = False
    for mode in (False, True):
        if mode and not (logistic and facts.logistic):
            break
        work = _Algebra(shape, facts, mode)
        try:
            out = work.build(work.of(node))
        except Bail:
            out = None
        logistic = logistic or work.saw_logistic
        if out is not None and out.shape == shape and cost(out) < best_cost:
            best, best_cost = out, cost(out)
    return best


def _worth_trying(node: Node, facts: Facts) -> bool:
    """Whether the sums, negations and scalings at the top of ``node`` hold anything this
    algebra adds to plain like-term collection: an entrywise product, quotient or power, a
    division, ``ones``/``zeros``, ``diag(a)*v``, or a ``sum`` or inner product whose sides do
    (or that sums ones or a probability vector)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Neg):
            stack.append(n.operand)
        elif isinstance(n, Binary):
            if n.op in (".*", "./"):
                return True
            if n.op in ("/", "^", ".^"):  # by a number, to a positive power: plain
                k = integer_exponent(n.right) if n.op != "/" else None
                if not ((n.op == "/" and isinstance(n.right, Num)) or (k is not None and k > 0)):
                    return True
                stack.append(n.left)
            elif n.op in ("+", "-"):
                stack += (n.left, n.right)
            elif n.op == "*":
                if isinstance(n.left, Call) and n.left.func == "diag":
                    return True
                if n.shape == SCALAR and n.left.shape != SCALAR:  # an inner product
                    if _side_worth(n.left, facts) or _side_worth(n.right, facts):
                        return True
                elif SCALAR in (n.left.shape, n.right.shape):
                    stack += (n.left, n.right)
        elif isinstance(n, Call) and n.func in ("ones", "zeros"):
            return True
        elif isinstance(n, Call) and n.func == "sum" and _side_worth(n.args[0], facts):
            return True
    return False


def sums_to_one(node: Node, facts: Facts) -> bool:
    """Entries that sum to one: a name declared ``probability``, or a softmax."""
    if isinstance(node, Name):
        return node.id in facts.probability
    return isinstance(node, Call) and node.func == "softmax"


def _side_worth(node: Node, facts: Facts) -> bool:
    """A side of an inner product worth a look: ones, a probability vector, a diag, or
    entrywise structure."""
    while isinstance(node, Transpose | Neg):
        node = node.operand
    if isinstance(node, Name):
        return node.id in facts.probability
    if sums_to_one(node, facts):
        return True
    if isinstance(node, Binary) and node.op == "*" and isinstance(node.right, Call) and (
            node.right.func == "diag"):
        return True
    return _worth_trying(node, facts)


# ----------------------------------------------------------------------------- polynomials


def _mono_mul(a: Mono, b: Mono) -> Mono:
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


def _mono_inv(a: Mono) -> Mono:
    return tuple((atom, -e) for atom, e in a)


def _add(a: Poly, b: Poly, scale: Fraction = Fraction(1)) -> Poly:
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + scale * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def _mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = _mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    if len(out) > MAX_TERMS:
        raise Bail
    return out


def _shift(a: Poly, m: Mono) -> Poly:
    return {_mono_mul(k, m): c for k, c in a.items()}


def _scale(a: Poly, c: Fraction) -> Poly:
    return {k: v * c for k, v in a.items()} if c else {}


def _const(c: Fraction | int) -> Poly:
    return {_ONE: Fraction(c)} if c else {}


def _key(p: Poly) -> Key:
    return tuple(sorted(p.items()))


class _Rat:
    """num / product of factor ** exponent."""

    __slots__ = ("num", "den")

    def __init__(self, num: Poly, den: dict[Key, int] | None = None) -> None:
        self.num = num
        self.den: dict[Key, int] = den or {}


# ----------------------------------------------------------------------------- the algebra


class _Algebra:
    """One expression's atoms, its known factors, and the rational arithmetic over them."""

    def __init__(self, shape: Shape, facts: Facts, logistic: bool) -> None:
        self.shape = shape
        self.facts = facts
        self.logistic = logistic
        self.saw_logistic = False
        self.atoms: list[Node] = []
        self.index: dict[tuple[Node, Shape | None], int] = {}
        self.known: dict[Key, Poly] = {}  # sums the input multiplies or divides by, in order
        self.memo: dict[int, tuple[Node, _Rat]] = {}  # id(node) -> (node, its value)
        self.orders: dict[Mono, tuple[int, ...]] = {}

    # -- atoms and the order of monomials

    def atom(self, node: Node) -> _Rat:
        if node.shape != self.shape and node.shape != SCALAR:
            raise Bail
        k = (node, node.shape)
        i = self.index.get(k)
        if i is None:
            i = self.index[k] = len(self.atoms)
            self.atoms.append(node)
            self.orders.clear()  # the exponent vectors grow by one
        return _Rat({((i, 1),): Fraction(1)})

    def vector(self, atom: int) -> bool:
        return self.atoms[atom].shape != SCALAR

    def order(self, m: Mono) -> tuple[int, ...]:
        """Lex order of exponent vectors, atoms in order of first appearance."""
        found = self.orders.get(m)
        if found is None:
            exps = dict(m)
            found = self.orders[m] = tuple(exps.get(i, 0) for i in range(len(self.atoms)))
        return found

    # -- from the tree

    def of(self, node: Node) -> _Rat:
        """The rational function ``node`` stands for (shared subtrees converted once)."""
        found = self.memo.get(id(node))
        if found is None or found[0] is not node:
            found = self.memo[id(node)] = (node, self.convert(node))
        return found[1]

    def convert(self, node: Node) -> _Rat:
        if isinstance(node, Num):
            return _Rat(_const(node.value))
        if isinstance(node, Neg):
            r = self.of(node.operand)
            return _Rat(_scale(r.num, Fraction(-1)), r.den)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Transpose) and node.operand.shape == SCALAR:
            return self.of(node.operand)
        return self.atom(node)

    def binary(self, node: Binary) -> _Rat:
        op, left, right = node.op, node.left, node.right
        if op in ("+", "-"):
            a, r = self.of(left), self.of(right)
            if op == "-":
                r = _Rat(_scale(r.num, Fraction(-1)), r.den)
            return self.add(a, r)
        if op == ".*" or (op == "*" and SCALAR in (left.shape, right.shape)):
            return self.mul(self.of(left), self.of(right))
        if op in ("./", "/"):
            return self.mul(self.of(left), self.inv(self.of(right)))
        if op in (".^", "^") and (op == ".^" or left.shape == SCALAR):
            k = integer_exponent(right)
            if k is not None and abs(k) <= MAX_POWER:
                return self.power(self.of(left), k)
            return self.atom(node)
        if op == "*" and isinstance(left, Call) and left.func == "diag" and (
                right.shape == left.args[0].shape):
            return self.mul(self.of(left.args[0]), self.of(right))  # diag(a)*v = a.*v
        if op == "*" and node.shape == SCALAR:
            return self.inner(left, right, node)
        return self.atom(node)

    def call(self, node: Call) -> _Rat:
        if node.func == "ones":
            return _Rat(_const(1))
        if node.func == "zeros":
            return _Rat({})
        if node.func == "sum" and node.args[0].shape is not None and node.args[0].shape[1] == 1:
            return self.inner(None, node.args[0], node)
        if node.func in ("exp", "sigmoid") and node.args:
            u = node.args[0]
            w = _negated(u)
            if node.func == "exp" or w is not None:
                self.saw_logistic = True
            if self.logistic and node.func == "exp":
                s = self.atom(al.call("sigmoid", w if w is not None else u))
                one_minus = self.add(_Rat(_const(1)), _Rat(_scale(s.num, Fraction(-1))))
                if w is not None:  # exp(-w) = (1 - s)./s
                    return self.mul(one_minus, self.inv(s))
                return self.mul(s, self.inv(one_minus))  # exp(u) = s./(1 - s)
            if self.logistic and w is not None:  # sigmoid(-w) = 1 - sigmoid(w)
                s = self.atom(al.call("sigmoid", w))
                return self.add(_Rat(_const(1)), _Rat(_scale(s.num, Fraction(-1))))
        return self.atom(node)

    def inner(self, row: Node | None, col: Node, node: Node) -> _Rat:
        """``row*col`` of a 1 x k row and a k x 1 column (``row`` None: ``sum(col)``)."""
        if col.shape is None or col.shape == SCALAR:
            return self.atom(node)
        sub = _Algebra(col.shape, self.facts, self.logistic)
        try:
            left = _Rat(_const(1)) if row is None else sub.row(row)
            product = sub.mul(left, sub.of(col)) if left is not None else None
        except Bail:
            product = None
        self.saw_logistic = self.saw_logistic or sub.saw_logistic
        if product is None or product.den or not product.num:
            return self.atom(self.opaque_inner(row, col, node))
        out: Poly = {}
        for mono, c in product.num.items():
            vectors = [(a, e) for a, e in mono if sub.vector(a)]
            if len(vectors) != 1 or vectors[0][1] != 1:
                return self.atom(self.opaque_inner(row, col, node))
            term = _Rat(_const(c))
            for a, e in mono:
                if sub.vector(a):
                    term = self.mul(term, self.summed(sub.atoms[a]))
                else:
                    term = self.mul(term, self.power(self.atom(sub.atoms[a]), e))
            out = _add(out, term.num)
        return _Rat(out)

    def summed(self, vec: Node) -> _Rat:
        """sum(vec) of one vector atom: 1 for a probability vector."""
        if sums_to_one(vec, self.facts):
            return _Rat(_const(1))
        return self.atom(al.call("sum", vec))

    def row(self, node: Node) -> _Rat | None:
        """The column whose transpose ``node`` (a row vector) is, as a value; None if unknown."""
        if isinstance(node, Transpose):
            return self.of(node.operand)
        if isinstance(node, Neg):
            r = self.row(node.operand)
            return None if r is None else _Rat(_scale(r.num, Fraction(-1)), r.den)
        if isinstance(node, Binary) and node.op == "*":
            if node.right.shape == SCALAR or node.left.shape == SCALAR:
                sc, rw = (node.right, node.left) if node.right.shape == SCALAR else (
                    node.left, node.right)
                r = self.row(rw)
                return None if r is None else self.mul(r, self.of(sc))
            if isinstance(node.right, Call) and node.right.func == "diag":
                r = self.row(node.left)  # v'*diag(a) = (v.*a)'
                return None if r is None else self.mul(r, self.of(node.right.args[0]))
        return None

    def opaque_inner(self, row: Node | None, col: Node, node: Node) -> Node:
        """The inner product as an atom, its sides simplified when that pays."""
        new_col = simplify_entrywise(col, self.facts)
        if row is None:
            return node if new_col is None else al.call("sum", new_col)
        new_row = None
        if isinstance(row, Transpose):
            inner = simplify_entrywise(row.operand, self.facts)
            new_row = None if inner is None else al.transpose(inner)
        if new_col is None and new_row is None:
            return node
        return al.mul(new_row or row, new_col or col)

    # -- arithmetic

    def add(self, a: _Rat, b: _Rat) -> _Rat:
        if not a.num:
            return b
        if not b.num:
            return a
        den = dict(a.den)
        for f, k in b.den.items():
            den[f] = max(den.get(f, 0), k)
        num = _add(self.widen(a, den), self.widen(b, den))
        if len(num) > MAX_TERMS:
            raise Bail
        return self.reduce(_Rat(num, {f: k for f, k in den.items() if k}))

    def widen(self, r: _Rat, den: dict[Key, int]) -> Poly:
        """r's numerator over the denominator ``den`` (a multiple of r's)."""
        num = r.num
        for f, k in den.items():
            for _ in range(k - r.den.get(f, 0)):
                num = _mul(num, self.known[f])
        return num

    def mul(self, a: _Rat, b: _Rat) -> _Rat:
        for r in (a, b):
            if len(r.num) > 1:
                self.remember(r.num)
        den = dict(a.den)
        for f, k in b.den.items():
            den[f] = den.get(f, 0) + k
        return self.reduce(_Rat(_mul(a.num, b.num), den))

    def remember(self, p: Poly) -> None:
        _, _, prim = self.normal(p)
        if len(prim) > 1:
            self.known.setdefault(_key(prim), prim)

    def inv(self, r: _Rat) -> _Rat:
        if not r.num:
            raise Bail  # a division by zero: not ours to judge
        coef, mono, rest = self.normal(r.num)
        num: Poly = {_ONE: Fraction(1)}
        for f, k in r.den.items():
            for _ in range(k):
                num = _mul(num, self.known[f])
        den: dict[Key, int] = {}
        if len(rest) > 1:
            rest, c2, m2, found = self.peel(rest)
            coef, mono = coef * c2, _mono_mul(mono, m2)
            for f in found:
                den[f] = den.get(f, 0) + 1
            if len(rest) > 1:
                own = _key(rest)
                self.known.setdefault(own, rest)
                den[own] = den.get(own, 0) + 1
        return _Rat(_scale(_shift(num, _mono_inv(mono)), 1 / coef), den)

    def power(self, r: _Rat, k: int) -> _Rat:
        if k < 0:
            r, k = self.inv(r), -k
        out = _Rat(_const(1))
        for _ in range(k):
            out = self.mul(out, r)
        return out

    def reduce(self, r: _Rat) -> _Rat:
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
        return _Rat(num, den if num else {})

    def divide(self, n: Poly, f: Poly) -> Poly | None:
        """n / f when f divides the Laurent polynomial n exactly, else None."""
        low: dict[int, int] = {}
        for m in n:
            for atom, e in m:
                if e < 0:
                    low[atom] = min(low.get(atom, 0), e)
        lift: Mono = tuple(sorted((a, -e) for a, e in low.items()))
        rem = _shift(n, lift)
        lead_f = max(f, key=self.order)
        lead_c = f[lead_f]
        q: Poly = {}
        for _ in range(MAX_STEPS):
            if not rem:
                return _shift(q, _mono_inv(lift))
            lead = max(rem, key=self.order)
            t = _mono_mul(lead, _mono_inv(lead_f))
            if any(e < 0 for _, e in t):
                return None
            c = rem[lead] / lead_c
            q[t] = q.get(t, 0) + c
            rem = _add(rem, _shift(f, t), -c)
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
        prim = _shift(p, _mono_inv(mono)) if mono else dict(p)
        numer = 0
        denom = 1
        for c in prim.values():
            numer = math.gcd(numer, c.numerator)
            denom = denom * c.denominator // math.gcd(denom, c.denominator)
        coef = Fraction(numer, denom)
        const = prim.get(_ONE)
        if const is not None:
            negative = const < 0
        else:
            plus = sum(c > 0 for c in prim.values())
            minus = len(prim) - plus
            negative = minus > plus if plus != minus else prim[max(prim, key=self.order)] < 0
        if negative:
            coef = -coef
        return coef, mono, _scale(prim, 1 / coef)

    def peel(self, p: Poly) -> tuple[Poly, Fraction, Mono, list[Key]]:
        """p = coef * mono * (product of known factors) * rest."""
        coef, mono, found = Fraction(1), _ONE, []
        changed = True
        while changed and len(p) > 1:
            changed = False
            for k, f in self.known.items():
                if k == _key(p):
                    continue
                q = self.divide(p, f)
                if q is not None:
                    c2, m2, p = self.normal(q)
                    coef, mono = coef * c2, _mono_mul(mono, m2)
                    found.append(k)
                    changed = True
                    break
        return p, coef, mono, found

    # -- back to a tree

    def build(self, r: _Rat) -> Node:
        """The cheapest tree for r (ties: the more factored)."""
        if not r.num:
            return al.zero(self.shape)
        if not r.den:
            return self.poly_node(r.num, self.shape)
        den_vec = any(self.is_vector(self.known[f]) for f in r.den)
        num = self.poly_node(r.num, SCALAR if den_vec and not self.is_vector(r.num)
                             else self.shape)
        factors = [(self.poly_node(self.known[f], self.poly_shape(self.known[f])), k)
                   for f, k in r.den.items()]
        den = self.product(Fraction(1), factors, self.shape if den_vec else SCALAR)
        return al.binary("./", num, den) if den_vec else al.div(num, den)

    def is_vector(self, p: Poly) -> bool:
        return any(self.vector(a) for m in p for a, _ in m)

    def poly_shape(self, p: Poly) -> Shape:
        return self.shape if self.is_vector(p) else SCALAR

    def poly_node(self, p: Poly, shape: Shape) -> Node:
        """The cheapest of: the sum of terms; its common monomial written once; and that with
        the sums the input wrote as factors peeled off."""
        expanded = self.sum_node(p, shape)
        if len(p) < 2:
            return expanded
        coef, mono, prim = self.normal(p)
        candidates = [expanded]
        factored = self.factored(coef, mono, [], prim, shape)
        if factored is not None:
            candidates.append(factored)
        rest, c2, m2, found = self.peel(prim)
        if found:
            peeled = self.factored(coef * c2, _mono_mul(mono, m2), found, rest, shape)
            if peeled is not None:
                candidates.append(peeled)
        return min(reversed(candidates), key=cost)

    def factored(self, coef: Fraction, mono: Mono, found: list[Key], rest: Poly,
                 shape: Shape) -> Node | None:
        polys = [self.known[k] for k in found] + ([rest] if len(rest) > 1 else [])
        if not polys or (not mono and abs(coef) == 1 and len(polys) == 1):
            return None
        if coef < 0:  # the sign goes into the last sum: -(1 - s) = s - 1
            polys[-1] = _scale(polys[-1], Fraction(-1))
            coef = -coef
        if rest and len(rest) == 1:
            (m, c), = rest.items()
            coef, mono = coef * c, _mono_mul(mono, m)
        # In the order the input first wrote them: a sum stands where its first atom did.
        placed = [((a, 0), self.atoms[a], e) for a, e in mono]
        placed += [((min((a for m in q for a, _ in m), default=-1), 1),
                    self.sum_node(q, self.poly_shape(q)), 1) for q in polys]
        placed.sort(key=lambda p: p[0])
        return self.product(coef, [(n, e) for _, n, e in placed], shape)

    def sum_node(self, p: Poly, shape: Shape) -> Node:
        """Positive terms first, each group in the order of the atoms' first appearance."""
        terms = sorted(p.items(), key=lambda mc: (mc[1] < 0, mc[0]))
        out: Node | None = None
        for mono, c in terms:
            body = self.product(abs(c), [(self.atoms[a], e) for a, e in mono], shape)
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


def _power(node: Node, k: int) -> Node:
    if k == 1:
        return node
    return al.binary("^" if node.shape == SCALAR else ".^", node, al.num(k))


def _negate(node: Node) -> Node:
    """-node, the sign on the leftmost factor of a product: -y./s, -2*x."""
    if isinstance(node, Binary) and node.op in ("*", "/", ".*", "./"):
        return Binary(node.op, _negate(node.left), node.right, shape=node.shape)
    return al.neg(node)


def _negated(node: Node) -> Node | None:
    """w when ``node`` is -w written as ``-w``, ``-a*b`` or ``a*-b``; else None."""
    if isinstance(node, Neg):
        return node.operand
    if isinstance(node, Binary) and node.op in ("*", ".*", "/", "./"):
        if isinstance(node.left, Neg):
            return Binary(node.op, node.left.operand, node.right, shape=node.shape)
        if isinstance(node.right, Neg) and node.op in ("*", ".*"):
            return Binary(node.op, node.left, node.right.operand, shape=node.shape)
    return None
