"""Collect like terms and fold constants, keeping common matrix factors unexpanded.

An expression is read as a sum of terms; a term is an exact coefficient, a
multiset of scalar (1 x 1) factors, which commute, and an ordered chain of
matrix factors. Two terms with the same factors merge. A 1 x 1 chain equals
its own transpose, so ``z'*dz`` and ``dz'*z`` are one term.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

from gen.derive import algebra as al
from gen.derive import entrywise as ew
from gen.expr.ast import (
    DIM_ARGS,
    SCALAR,
    Binary,
    Call,
    Name,
    Neg,
    Node,
    Num,
    Shape,
    Transpose,
    children,
)
from gen.expr.measure import size


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


def simplify(node: Node, symmetric: frozenset[str] = frozenset(),
             last: frozenset[str] = frozenset()) -> Node:
    """The simplified form of a typed expression.

    Args:
        node: A typed expression.
        symmetric: Names equal to their transpose.
        last: Names to keep at the right end of a 1 x 1 product (``z' dz``, not ``dz' z``).
    """
    key = (node, node.shape, symmetric, last)
    hit = _MEMO.get(key)
    if hit is not None:
        return hit
    terms = _collect(_terms(node, symmetric), symmetric, last)
    common = _common_coefficient(terms, _shape(node), last)
    if common is not None:  # 1/2 B + 1/2 B' = 1/2 (B + B')
        inner = [Term(t.coef / common, t.scalars, t.chain, t.shape) for t in terms]
        out = al.mul(al.num(common), _rebuild(inner, _shape(node), last))
    else:
        out = _rebuild(terms, _shape(node), last)
    if isinstance(out, Binary) and out.op in ("+", "-", "*") and _shape(out)[1] == 1 and not last:
        # A sum of entrywise terms, or a scalar rational factor, as one rational function:
        # y .* (s - 1) + (1 - y) .* s = s - y.
        out = ew.simplify_entrywise(out, _FACTS[0]) or out
    _remember(_MEMO, key, out)
    return out


# Derived trees repeat the same subtrees many times over; without these memos a chain of
# L links costs 2^L. They hold within one program (forget() between programs). Keys are
# the trees themselves (hashes cached, see ast.py) and their shapes, which equality ignores.
_MEMO: dict[tuple[Node, Shape | None, frozenset[str], frozenset[str]], Node] = {}
_TERMS: dict[tuple[Node, Shape | None, frozenset[str]], list[Term]] = {}
_LIMIT = 100_000


_FACTS = [ew.Facts()]  # what the entrywise simplifier may assume in the current program


def forget(facts: ew.Facts | None = None) -> None:
    """Drop the memos: a name may have another shape (or props) in the next program."""
    _MEMO.clear()
    _TERMS.clear()
    ew.forget()
    _FACTS[0] = facts or ew.Facts()


def _remember(memo: dict, key: object, value: object) -> None:  # type: ignore[type-arg]
    if len(memo) >= _LIMIT:
        memo.clear()
    memo[key] = value


def _shape(node: Node) -> Shape:
    assert node.shape is not None, node
    return node.shape


def _terms(node: Node, sym: frozenset[str]) -> list[Term]:
    key = (node, node.shape, sym)
    hit = _TERMS.get(key)
    if hit is not None:
        return hit
    out = _terms_of(node, sym)
    _remember(_TERMS, key, out)
    return out


def _terms_of(node: Node, sym: frozenset[str]) -> list[Term]:
    textbook = _textbook(node, sym)
    if textbook is not None:
        return textbook
    if isinstance(node, Num):
        return [Term(node.value, (), (), SCALAR)] if node.value else []
    if isinstance(node, Neg):
        return [Term(-t.coef, t.scalars, t.chain, t.shape) for t in _terms(node.operand, sym)]
    if isinstance(node, Binary) and node.op in ("+", "-"):
        right = _terms(node.right, sym)
        if node.op == "-":
            right = [Term(-t.coef, t.scalars, t.chain, t.shape) for t in right]
        return _terms(node.left, sym) + right
    if isinstance(node, Binary) and node.op == "/" and isinstance(node.right, Num):
        return [Term(t.coef / node.right.value, t.scalars, t.chain, t.shape)
                for t in _terms(node.left, sym)]
    if isinstance(node, Binary) and node.op == "*":
        return _product(node, sym)
    if isinstance(node, Binary) and node.op == "/" and node.right.shape == SCALAR:
        # A / c: each term of A gains the factor 1/c (so that c/c cancels).
        recip = al.div(al.num(1), simplify(node.right, sym))
        return [Term(t.coef, t.scalars + (recip,), t.chain, t.shape)
                for t in _terms(node.left, sym)]
    if isinstance(node, Transpose):
        inner = _terms(node.operand, sym)
        if len(inner) == 1:  # (c A B)' = c B' A'
            return [_transposed(inner[0], sym)]
        if inner:  # a transposed sum stays whole unless its terms transposed are shorter
            pushed = [_transposed(t, sym) for t in inner]
            inner_shape = _shape(node.operand)
            if size(_rebuild(pushed, _shape(node))) < size(_rebuild(inner, inner_shape)) + 1:
                return pushed
    if al.is_zero(node):
        return []
    inner = _inner(node, sym)
    plain = isinstance(inner, Neg) or (isinstance(inner, Binary) and inner.op in ("+", "-", "*"))
    was_plain = isinstance(node, Binary) and node.op in ("+", "-", "*", "/")
    if plain and not was_plain:
        return _terms(inner, sym)  # an entrywise unit folded into a plain product
    return [_atom(inner)]


def _common_coefficient(terms: list[Term], shape: Shape, last: frozenset[str]) -> Fraction | None:
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


def _textbook(node: Node, sym: frozenset[str]) -> list[Term] | None:
    """Entrywise algebra in textbook form (gen.derive.entrywise): sigmoid(z) - y, not
    the quotients the rules produce; an inner product such as s'(t ./ s) as sum(t)."""
    if not isinstance(node, Binary):
        return None
    if node.op == "*" and node.shape == SCALAR and node.left.shape != SCALAR:
        better = ew.simplify_entrywise(node, _FACTS[0])
        return None if better is None else _terms(better, sym)
    if node.op in (".*", "./", ".^"):
        inner = _inner(node, sym)
        if inner.shape is None or inner.shape[1] != 1:
            return None
        better = ew.simplify_entrywise(inner, _FACTS[0])
        if better is None:
            return None
        if isinstance(better, Binary) and better.op in (".*", "./", ".^"):
            return [_atom(better)]  # final: through _inner again it would be re-expanded
        return _terms(better, sym)
    return None


def _diagonals(chain: list[Node]) -> list[Node]:
    """A run of diagonal factors as one diag(v); diag(a) times a column as a .* (column)."""
    i = 0
    while i < len(chain):
        j = i
        while j < len(chain) and chain[j].shape != SCALAR and ew.is_diagonal(chain[j]):
            j += 1
        if j > i + 1 or (j == i + 1 and not isinstance(chain[i], Call)):
            fused = ew.simplify_diagonal(_chain_node(tuple(chain[i:j])), _FACTS[0])
            if fused is not None:
                chain[i:j] = [fused]
                continue
        f = chain[i]
        if i + 1 < len(chain) and isinstance(f, Call) and f.func == "diag":
            rest = _chain_node(tuple(chain[i + 1:]))
            if rest.shape == f.args[0].shape:  # diag(a) r = a .* r
                product = al.binary(".*", f.args[0], rest)
                chain[i:] = [ew.simplify_entrywise(product, _FACTS[0]) or product]
                continue
        i += 1
    return chain


def _product(node: Binary, sym: frozenset[str]) -> list[Term]:
    left, right = _terms(node.left, sym), _terms(node.right, sym)
    scaling = _shape(node.left) == SCALAR or _shape(node.right) == SCALAR
    if not scaling and (len(left) != 1 or len(right) != 1):
        # A matrix times a sum stays factored: X'*(X*w - y); the sum is one factor.
        lt = left[0] if len(left) == 1 else _sum_factor(left, _shape(node.left))
        rt = right[0] if len(right) == 1 else _sum_factor(right, _shape(node.right))
        return [_times(lt, rt)]
    if scaling:
        sc_side, other = (left, right) if _shape(node.left) == SCALAR else (right, left)
        if len(sc_side) != 1:
            if len(other) != 1:
                return [_atom(al.mul(simplify(node.left, sym), simplify(node.right, sym)))]
            # (a + b) * M distributes the scalar sum: a*M + b*M.
            return [_times(s, other[0]) for s in sc_side]
        return [_times(sc_side[0], o) for o in other]
    return [_times(left[0], right[0])]


def _transposed(t: Term, sym: frozenset[str]) -> Term:
    """(c s F1 F2 ... Fk)' = c s Fk' ... F1'."""
    chain = tuple(al.transpose(f, sym) for f in reversed(t.chain))
    return Term(t.coef, t.scalars, chain, (t.shape[1], t.shape[0]))


def _sum_factor(terms: list[Term], shape: Shape) -> Term:
    """A sum as one factor of a product, its common coefficient outside: 1/2 (x - mu)."""
    collected = _collect(terms, frozenset(), frozenset())
    coefs = {abs(t.coef) for t in collected}
    common = coefs.pop() if len(coefs) == 1 else Fraction(1)
    if all(t.coef < 0 for t in collected):
        common = -common
    if common == 0:
        common = Fraction(1)
    inner = [Term(t.coef / common, t.scalars, t.chain, t.shape) for t in collected]
    node = _rebuild(inner, shape)
    atom = _atom(node)
    return Term(common, atom.scalars, atom.chain, atom.shape)


def _times(a: Term, b: Term) -> Term:
    # A 1 x 1 chain scaling another chain becomes a scalar factor: (x'y) A.
    if a.shape == SCALAR and a.chain and b.chain:
        a = Term(a.coef, a.scalars + (_chain_node(a.chain),), (), SCALAR)
    if b.shape == SCALAR and b.chain and a.chain:
        b = Term(b.coef, b.scalars + (_chain_node(b.chain),), (), SCALAR)
    if a.shape == SCALAR or b.shape == SCALAR:
        chain, shape = a.chain + b.chain, (b.shape if a.shape == SCALAR else a.shape)
    else:
        chain, shape = a.chain + b.chain, (a.shape[0], b.shape[1])
    if len(chain) > 1:  # I A = A; A A = A^2
        chain = tuple(f for f in chain if not al.is_identity(f)) or chain[:1]
        chain = tuple(_powers(_mixed_products(_diagonals(_inverses(list(chain)))))) or (
            (al.identity(shape[0]),) if shape[0] == shape[1] else chain)
    return Term(a.coef * b.coef, a.scalars + b.scalars, chain, shape)


def _atom(node: Node) -> Term:
    if node.shape == SCALAR:
        return Term(Fraction(1), (node,), (), SCALAR)
    return Term(Fraction(1), (), (node,), _shape(node))


def _inner(node: Node, sym: frozenset[str]) -> Node:
    """Simplify inside an opaque node (a call, a transpose, an entrywise product)."""
    if isinstance(node, Transpose):
        inner = simplify(node.operand, sym)
        return al.transpose(inner, sym)
    if isinstance(node, Binary):
        return _entrywise(node.op, simplify(node.left, sym), simplify(node.right, sym))
    if isinstance(node, Call) and node.args and node.func not in DIM_ARGS:
        args = tuple(simplify(a, sym) for a in node.args)
        if node.func == "diag" and _is_ones(args[0]):
            return al.identity(args[0].shape[0] if args[0].shape else 1)
        if node.func == "inv" and isinstance(args[0], Call) and args[0].func == "inv":
            return args[0].args[0]  # inv(inv(X)) = X
        if node.func == "inv" and args[0].shape != SCALAR:
            scaled = _terms(args[0], sym)
            if len(scaled) == 1 and (scaled[0].coef != 1 or scaled[0].scalars) and scaled[0].chain:
                t = scaled[0]  # inv(c A) = inv(A) / c
                core = Call("inv", (_chain_node(t.chain),), shape=node.shape)
                return al.div(core, _term_node(Term(t.coef, t.scalars, (), SCALAR), SCALAR,
                                               frozenset()))
        if node.func == "tr":
            return _trace(args[0], sym)
        if node.func == "sum" and ew.sums_to_one(args[0], _FACTS[0]):
            return al.num(1)  # sum(softmax(u)) = 1, and for a probability vector
        return Call(node.func, args, shape=node.shape)
    return node


def _trace(arg: Node, sym: frozenset[str]) -> Node:
    """tr(c s A) = c s tr(A); tr of a sum stays whole; tr of a 1 x 1 is itself."""
    if arg.shape == SCALAR:
        return arg
    terms = _terms(arg, sym)
    if len(terms) != 1 or (terms[0].coef == 1 and not terms[0].scalars):
        return Call("tr", (arg,), shape=SCALAR)
    t = terms[0]
    inner = _chain_node(t.chain) if t.chain else arg
    out: Node = Call("tr", (inner,), shape=SCALAR)
    for f in t.scalars:
        out = al.mul(f, out)
    return al.mul(al.num(t.coef), out) if t.coef != 1 else out


def _is_ones(node: Node) -> bool:
    return al.is_one(node) or (isinstance(node, Call) and node.func == "ones")


def _scaled_ones(node: Node) -> Fraction | None:
    """c when ``node`` is c times a matrix or vector of ones, else None."""
    terms = _terms(node, frozenset())
    if len(terms) != 1 or terms[0].scalars:
        return None
    chain = terms[0].chain
    if chain and all(
        (isinstance(f, Call) and f.func == "ones")
        or (isinstance(f, Transpose) and isinstance(f.operand, Call) and f.operand.func == "ones")
        for f in chain
    ) and len(chain) <= 2:
        return terms[0].coef
    return None


def _entrywise(op: str, a: Node, b: Node) -> Node:
    """Entrywise products and quotients with their units folded: 1 .* x = x, x .* x = x.^2."""
    if op == ".*":
        if _is_ones(a) and a.shape == b.shape:
            return b
        if _is_ones(b) and a.shape == b.shape:
            return a
        for one, other in ((a, b), (b, a)):
            coef = _scaled_ones(one)
            if coef is not None and one.shape == other.shape:
                return al.mul(al.num(coef), other)  # (c 1 1^T) .* Y = c Y
        if a == b:
            return al.binary(".^", a, al.num(2))
    if op == "./":
        if al.is_zero(a):
            return al.zero(_shape(a) if a.shape != SCALAR else _shape(b))
        if isinstance(a, Call) and a.func == "ones":
            return al.binary("./", al.num(1), b)
    return al.binary(op, a, b)


def _chain_node(chain: tuple[Node, ...]) -> Node:
    out = chain[0]
    for f in chain[1:]:
        out = al.mul(out, f)
    return out


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
    where = [i for i, f in enumerate(chain) if _mentions(f, last)]
    return (-max(where, default=-1), sum(isinstance(f, Transpose) for f in chain), repr(chain))


def _mentions(node: Node, names: frozenset[str]) -> bool:
    return bool(names) and not names.isdisjoint(_names(node))


@functools.lru_cache(maxsize=65536)
def _names(node: Node) -> frozenset[str]:
    if isinstance(node, Name):
        return frozenset((node.id,))
    return frozenset().union(*(_names(c) for c in children(node)))


def _collect(terms: list[Term], sym: frozenset[str], last: frozenset[str]) -> list[Term]:
    merged: dict[str, Term] = {}
    for term in (_canonical(t, sym, last) for t in terms):
        k = term.key()
        if k in merged:
            old = merged[k]
            merged[k] = Term(old.coef + term.coef, old.scalars, old.chain, old.shape)
        else:
            merged[k] = term
    return [t for t in merged.values() if t.coef != 0]


def _flip_difference(term: Term) -> Term:
    """-(a - b) F = (b - a) F: a lone negative term absorbs its sign into a difference."""
    for i, f in enumerate(term.chain):
        if isinstance(f, Binary) and f.op == "-":
            flipped = al.sub(f.right, f.left)
            chain = term.chain[:i] + (flipped,) + term.chain[i + 1:]
            return Term(-term.coef, term.scalars, chain, term.shape)
    return term


def _rebuild(terms: list[Term], shape: Shape, last: frozenset[str] = frozenset()) -> Node:
    if not terms:
        return al.zero(shape)
    factored = _common_factor(terms, shape, last)
    if factored is not None:
        return factored
    grouped = _scalar_factor(terms, shape, last) or _partial_factor(terms, shape, last)
    if grouped is not None:
        return _rebuild(grouped, shape, last)
    if len(terms) == 1 and terms[0].coef < 0:
        terms = [_flip_difference(terms[0])]
    out: Node | None = None
    for term in sorted(terms, key=lambda t: t.coef < 0):
        body = _term_node(Term(abs(term.coef), term.scalars, term.chain, term.shape), shape, last)
        if out is None:
            out = al.neg(body) if term.coef < 0 else body
        else:
            out = al.sub(out, body) if term.coef < 0 else al.add(out, body)
    assert out is not None
    return out


def _scalar_factor(terms: list[Term], shape: Shape, last: frozenset[str]) -> list[Term] | None:
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
    scalar = simplify(_rebuild([Term(terms[i].coef, terms[i].scalars, (), SCALAR)
                                for i in members], SCALAR, last), frozenset(), last)
    out = [t for i, t in enumerate(terms) if i not in members]
    out.insert(members[0], Term(Fraction(1), (scalar,), terms[members[0]].chain, shape))
    return out


def _partial_factor(terms: list[Term], shape: Shape, last: frozenset[str]) -> list[Term] | None:
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
    node = _common_factor([terms[i] for i in best], shape, last)
    if node is None:
        return None
    out = [t for i, t in enumerate(terms) if i not in best]
    out.insert(best[0], _atom(node))
    return out


def _common_factor(terms: list[Term], shape: Shape, last: frozenset[str]) -> Node | None:
    """B x + B' x = (B + B') x; X' a - X' b = X' (a - b): a factor every term ends or starts
    with is written once (the textbook keeps common factors)."""
    if len(terms) < 2 or any(len(t.chain) < 2 for t in terms):
        return None
    for side in (-1, 0):
        common = terms[0].chain[side]
        if all(t.chain[side] == common for t in terms) and common.shape is not None:
            inner = [Term(t.coef, t.scalars, t.chain[:-1] if side else t.chain[1:],
                          (shape[0], common.shape[0]) if side else (common.shape[1], shape[1]))
                     for t in terms]
            rest = _rebuild(inner, inner[0].shape, last)
            return al.mul(rest, common) if side else al.mul(common, rest)
    return None


def _term_node(term: Term, shape: Shape, last: frozenset[str]) -> Node:
    divisors = [f.right for f in term.scalars if _is_reciprocal(f)]
    scalars = [f for f in term.scalars if not _is_reciprocal(f)]
    for d in list(divisors):  # s / s = 1
        if d in scalars:
            scalars.remove(d)
            divisors.remove(d)
    factors: list[Node] = []
    if term.coef != 1 or (not scalars and not term.chain):
        factors.append(al.num(term.coef))
    factors.extend(_powers(sorted(scalars, key=lambda f: (
        _mentions(f, last), not isinstance(f, Name | Num), repr(f)))))
    if term.chain:
        factors.append(_chain_node(tuple(_powers(list(term.chain)))))
    out = factors[0]
    for f in factors[1:]:
        out = al.mul(out, f)
    for d in _powers(sorted(divisors, key=repr)):  # x/norm2(x), not 1/norm2(x)*x
        out = al.div(out, d)
    if out.shape != shape:  # a bare number standing for a multiple of a 1 x 1 shape
        raise AssertionError(f"term of shape {out.shape} in a sum of shape {shape}")
    return out


def _is_reciprocal(node: Node) -> bool:
    return isinstance(node, Binary) and node.op == "/" and al.is_one(node.left)


def _powers(factors: list[Node]) -> list[Node]:
    """Runs of one factor become a power: x x = x^2, A A A = A^3 (A square)."""
    out: list[Node] = []
    for f in factors:
        base, k = _base_power(f)
        if out and _base(out[-1]) == base and base.shape is not None and (
                base.shape[0] == base.shape[1]) and not al.is_identity(base):
            _, k0 = _base_power(out[-1])
            out[-1] = al.binary("^", base, al.num(k0 + k)) if k0 + k != 1 else base
        else:
            out.append(f)
    return out


def _inverses(factors: list[Node]) -> list[Node]:
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
    return a == b and t_a == t_b and inv_a != inv_b and _shape(a)[0] == _shape(a)[1]


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


def _mixed_products(factors: list[Node]) -> list[Node]:
    """(A (x) B)(C (x) D) = AC (x) BD where the sizes match (the mixed-product rule)."""
    out: list[Node] = []
    for f in factors:
        prev = out[-1] if out else None
        if (isinstance(prev, Call) and prev.func == "kron" and isinstance(f, Call)
                and f.func == "kron"):
            (a, b), (c, d) = prev.args, f.args
            if _shape(a)[1] == _shape(c)[0] and _shape(b)[1] == _shape(d)[0]:
                out[-1] = al.kron(simplify(al.mul(a, c)), simplify(al.mul(b, d)))
                continue
        out.append(f)
    return out


def _base_power(node: Node) -> tuple[Node, int]:
    if isinstance(node, Binary) and node.op == "^" and isinstance(node.right, Num) and (
            node.right.value.denominator == 1):
        return node.left, int(node.right.value)
    return node, 1


def _base(node: Node) -> Node:
    return _base_power(node)[0]
