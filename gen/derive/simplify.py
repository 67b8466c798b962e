"""Collect like terms and fold constants, keeping common matrix factors unexpanded.

An expression is read as a sum of terms; a term is an exact coefficient, a
multiset of scalar (1 x 1) factors, which commute, and an ordered chain of
matrix factors (``gen.derive.terms``). Two terms with the same factors merge. A
1 x 1 chain equals its own transpose, so ``z'*dz`` and ``dz'*z`` are one term. The
terms are written back by ``gen.derive.rebuild``; entrywise algebra is handed to
``gen.derive.entrywise``.

A ``Simplifier`` holds what one derivation's simplifying may assume (the program's
facts) and its memos; the engines build one per derivation and pass it along.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from gen.derive import algebra as al
from gen.derive.entrywise import Entrywise, is_diagonal
from gen.derive.facts import Facts, facts_of
from gen.derive.monomial import merged
from gen.derive.ones import centred as sums_to_zero
from gen.derive.ones import counted, sum_along
from gen.derive.rebuild import rebuild, shared_scalar, without
from gen.derive.spread import centring_spread, diagonal_spread
from gen.derive.terms import (
    Term,
    atom,
    chain_node,
    collect,
    common_coefficient,
    inverses,
    is_ones,
    is_ones_row,
    powers,
    shape_of,
    term_node,
    transposed,
)
from gen.expr.ast import DIM_ARGS, SCALAR, Binary, Call, Name, Neg, Node, Num, Shape, Transpose
from gen.expr.measure import size

if TYPE_CHECKING:
    from gen.program import Program

# Derived trees repeat the same subtrees many times over; without the memos a chain of
# L links costs 2^L. Keys are the trees themselves (hashes cached, see ast.py) and their
# shapes, which equality ignores: so a memo holds within one derivation only, where
# each name has one shape (a derivative name's shape depends on the target's layout).
MEMO_LIMIT = 100_000  # entries a memo holds before it starts afresh


class Simplifier:
    """The simplifier of one derivation: the program's facts, the memos, their limit.

    Args:
        facts: What the entrywise simplifier may assume about the names.
    """

    def __init__(self, facts: Facts | None = None) -> None:
        self.entrywise = Entrywise(facts)
        self.limit = MEMO_LIMIT
        self._memo: dict[tuple[Node, Shape | None, frozenset[str], frozenset[str]], Node] = {}
        self._terms: dict[tuple[Node, Shape | None, frozenset[str]], list[Term]] = {}

    @classmethod
    def of(cls, program: Program) -> Simplifier:
        """A fresh simplifier for a derivation in ``program`` (with its facts)."""
        return cls(facts_of(program))

    def simplify(
        self,
        node: Node,
        symmetric: frozenset[str] = frozenset(),
        last: frozenset[str] = frozenset(),
    ) -> Node:
        """The simplified form of a typed expression.

        Args:
            node: A typed expression.
            symmetric: Names equal to their transpose.
            last: Names to keep at the right end of a 1 x 1 product (``z' dz``, not ``dz' z``).
        """
        key = (node, node.shape, symmetric, last)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        shape = shape_of(node)
        terms = collect(self.terms(node, symmetric), symmetric, last)
        common = common_coefficient(terms, shape, last)
        if common is not None:  # 1/2 B + 1/2 B' = 1/2 (B + B')
            inner = [Term(t.coef / common, t.scalars, t.chain, t.shape) for t in terms]
            out = self.rebuild(inner, shape, last)
            if isinstance(out, Binary) and out.op == "/":  # 2*(x - m)/(n - 1)
                out = al.div(al.mul(al.num(common), out.left), out.right)
            else:
                out = al.mul(al.num(common), out)
        else:
            out = self.rebuild(terms, shape, last)
        if (
            isinstance(out, Binary)
            and out.op in ("+", "-", "*")
            and shape_of(out)[1] == 1
            and (not last)
        ):
            # A sum of entrywise terms, or a scalar rational factor, as one rational function:
            # y .* (s - 1) + (1 - y) .* s = s - y.
            out = self.entrywise.simplify(out) or out
        self._remember(self._memo, key, out)
        return out

    def rebuild(self, terms: list[Term], shape: Shape, last: frozenset[str] = frozenset()) -> Node:
        """A sum of terms as a tree (``gen.derive.rebuild``), simplifying with this object."""
        return rebuild(terms, shape, last, self.simplify)

    def terms(self, node: Node, sym: frozenset[str]) -> list[Term]:
        """``node`` as a sum of terms (not yet collected)."""
        key = (node, node.shape, sym)
        hit = self._terms.get(key)
        if hit is not None:
            return hit
        out = self._terms_of(node, sym)
        self._remember(self._terms, key, out)
        return out

    def _remember(self, memo: dict[Any, Any], key: object, value: object) -> None:
        if len(memo) >= self.limit:
            memo.clear()
        memo[key] = value

    def _terms_of(self, node: Node, sym: frozenset[str]) -> list[Term]:
        textbook = self._lifted(node, sym) or self._textbook(node, sym)
        if textbook is not None:
            return textbook
        if isinstance(node, Num):
            return [Term(node.value, (), (), SCALAR)] if node.value else []
        if isinstance(node, Neg):
            return [
                Term(-t.coef, t.scalars, t.chain, t.shape) for t in self.terms(node.operand, sym)
            ]
        if isinstance(node, Binary) and node.op in ("+", "-"):
            right = self.terms(node.right, sym)
            if node.op == "-":
                right = [Term(-t.coef, t.scalars, t.chain, t.shape) for t in right]
            return self.terms(node.left, sym) + right
        if isinstance(node, Binary) and node.op == "/" and isinstance(node.right, Num):
            return [
                Term(t.coef / node.right.value, t.scalars, t.chain, t.shape)
                for t in self.terms(node.left, sym)
            ]
        if isinstance(node, Binary) and node.op == "*":
            return self._product(node, sym)
        if isinstance(node, Binary) and node.op == "/" and node.right.shape == SCALAR:
            # A / c: each term of A gains the factor 1/c (so that c/c cancels).
            recip = al.div(al.num(1), self.simplify(node.right, sym))
            return [
                Term(t.coef, t.scalars + (recip,), t.chain, t.shape)
                for t in self.terms(node.left, sym)
            ]
        if isinstance(node, Transpose):
            inner = self.terms(node.operand, sym)
            if len(inner) == 1:  # (c A B)' = c B' A'
                return [transposed(inner[0], sym)]
            if inner:  # a transposed sum stays whole unless its terms transposed are shorter
                pushed = [transposed(t, sym) for t in inner]
                inner_shape = shape_of(node.operand)
                if (
                    size(self.rebuild(pushed, shape_of(node)))
                    < size(self.rebuild(inner, inner_shape)) + 1
                ):
                    return pushed
        if al.is_zero(node):
            return []
        inner_node = self._inner(node, sym)
        plain = isinstance(inner_node, Neg) or (
            isinstance(inner_node, Binary) and inner_node.op in ("+", "-", "*")
        )
        was_plain = isinstance(node, Binary) and node.op in ("+", "-", "*", "/")
        if plain and not was_plain:
            return self.terms(inner_node, sym)  # an entrywise unit folded into a plain product
        return [atom(inner_node)]

    def _lifted(self, node: Node, sym: frozenset[str]) -> list[Term] | None:
        """(c A) ./ B = c (A ./ B) and (c A) .* B = c (A .* B) for a scalar c: the scalar
        joins the term's scalars, where it cancels (delta*r./s/delta = r./s)."""
        if not (isinstance(node, Binary) and node.op in (".*", "./")) or node.shape == SCALAR:
            return None
        if shape_of(node.left) != shape_of(node) or shape_of(node.right) != shape_of(node):
            return None
        left, right = self.terms(node.left, sym), self.terms(node.right, sym)
        if len(left) == 1 and left[0].chain and left[0].scalars and not is_ones(left[0].chain[0]):
            t = left[0]
            rest = self.terms(al.binary(node.op, chain_node(t.chain), node.right), sym)
            return [Term(t.coef * u.coef, t.scalars + u.scalars, u.chain, u.shape) for u in rest]
        if len(right) == 1 and right[0].chain and right[0].scalars and right[0].coef == 1:
            t = right[0]  # A ./ (c B) = (A ./ B) / c
            scale = t.scalars
            if node.op == "./":
                scale = tuple(al.div(al.num(1), f) for f in scale)
            rest = self.terms(al.binary(node.op, node.left, chain_node(t.chain)), sym)
            return [Term(u.coef, scale + u.scalars, u.chain, u.shape) for u in rest]
        return None

    def _textbook(self, node: Node, sym: frozenset[str]) -> list[Term] | None:
        """Entrywise algebra in textbook form (gen.derive.entrywise): sigmoid(z) - y, not
        the quotients the rules produce; an inner product such as s'(t ./ s) as sum(t)."""
        if isinstance(node, Call) and node.func == "ones" and shape_of(node) == SCALAR:
            return [Term(Fraction(1), (), (), SCALAR)]  # ones(1) = 1
        along = sum_along(node)
        if along is not None:  # sum(F, 1) = 1' F, sum(F, 2) = F 1: read as the products
            return self.terms(along, sym)
        if not isinstance(node, Binary):
            return None
        if node.op == "*" and node.shape == SCALAR and node.left.shape != SCALAR:
            better = self.entrywise.simplify(node)
            return None if better is None else self.terms(better, sym)
        if node.op in (".*", "./", ".^"):
            inner = self._inner(node, sym)
            if inner.shape is None or inner.shape[1] != 1:
                return None
            better = self.entrywise.simplify(inner)
            if better is None:
                return None
            if isinstance(better, Binary) and better.op in (".*", "./", ".^"):
                return [atom(better)]  # final: through _inner again it would be re-expanded
            return self.terms(better, sym)
        return None

    def _product(self, node: Binary, sym: frozenset[str]) -> list[Term]:
        left, right = self.terms(node.left, sym), self.terms(node.right, sym)
        scaling = shape_of(node.left) == SCALAR or shape_of(node.right) == SCALAR
        if not scaling and (len(left) != 1 or len(right) != 1):
            # No term broadcast (a row in a sum of matrices): then the product spreads.
            full_left = all(t.shape == shape_of(node.left) for t in left)
            full = full_left and all(t.shape == shape_of(node.right) for t in right)
            spread = centring_spread(self, left, node.right, sym) if full_left else None
            if spread is not None:
                return spread
            # A matrix times a sum stays factored: X'*(X*w - y); the sum is one factor.
            lt = left[0] if len(left) == 1 else self._sum_factor(left, shape_of(node.left))
            rt = right[0] if len(right) == 1 else self._sum_factor(right, shape_of(node.right))
            factored = self.times(lt, rt)
            if not full:
                return [factored]
            return diagonal_spread(self, left, right, factored, shape_of(node)) or [factored]
        if scaling:
            sc_side, other = (left, right) if shape_of(node.left) == SCALAR else (right, left)
            if len(sc_side) != 1:
                if len(other) != 1:
                    return [
                        atom(al.mul(self.simplify(node.left, sym), self.simplify(node.right, sym)))
                    ]
                # (a + b) * M distributes the scalar sum: a*M + b*M.
                return [self.times(s, other[0]) for s in sc_side]
            return [self.times(sc_side[0], o) for o in other]
        return [self.times(left[0], right[0])]

    def _sum_factor(self, terms: list[Term], shape: Shape) -> Term:
        """A sum as one factor of a product, its common coefficient outside: 1/2 (x - mu)."""
        collected = collect(terms, frozenset(), frozenset())
        coefs = {abs(t.coef) for t in collected}
        common = coefs.pop() if len(coefs) == 1 else Fraction(1)
        if all(t.coef < 0 for t in collected):
            common = -common
        if common == 0:
            common = Fraction(1)
        inner = [Term(t.coef / common, t.scalars, t.chain, t.shape) for t in collected]
        shared = shared_scalar(inner, shape, frozenset())
        if shared is not None:  # X'*(P/N - Y/N) = X'*(P - Y)/N: the divisor leaves the sum
            whole = atom(self.rebuild(without(inner, shared), shape))
            return Term(common, (*whole.scalars, shared), whole.chain, whole.shape)
        whole = atom(self.rebuild(inner, shape))
        return Term(common, whole.scalars, whole.chain, whole.shape)

    def times(self, a: Term, b: Term) -> Term:
        """The product of two terms, its chain simplified (I A = A, A A = A^2, 1' 1 = n)."""
        # A 1 x 1 chain scaling another chain becomes a scalar factor: (x'y) A.
        if a.shape == SCALAR and a.chain and b.chain:
            a = Term(a.coef, a.scalars + (chain_node(a.chain),), (), SCALAR)
        if b.shape == SCALAR and b.chain and a.chain:
            b = Term(b.coef, b.scalars + (chain_node(b.chain),), (), SCALAR)
        if a.shape == SCALAR or b.shape == SCALAR:
            chain, shape = a.chain + b.chain, (b.shape if a.shape == SCALAR else a.shape)
        else:
            chain, shape = a.chain + b.chain, (a.shape[0], b.shape[1])
        scalars = a.scalars + b.scalars
        if len(chain) > 1:  # I A = A; A A = A^2
            chain = tuple(f for f in chain if not al.is_identity(f)) or chain[:1]
            chain = self._row_sums(chain)
            chain, counts = counted(chain)
            scalars += counts
            if not chain:  # 1' 1 = n, a scalar
                return Term(a.coef * b.coef, scalars, (), SCALAR)
            chain = tuple(powers(self._mixed_products(self._diagonals(inverses(list(chain)))))) or (
                (al.identity(shape[0]),) if shape[0] == shape[1] else chain
            )
        return Term(a.coef * b.coef, scalars, chain, shape)

    def _row_sums(self, chain: tuple[Node, ...]) -> tuple[Node, ...]:
        """P*ones(C) = ones(N) for a P whose rows are probability vectors (or one-hot)."""
        rows = self.entrywise.facts.rows
        out: list[Node] = []
        for f in chain:
            prev = out[-1] if out else None
            if isinstance(prev, Name) and prev.id in rows and is_ones(f) and shape_of(f)[1] == 1:
                out[-1] = al.ones(shape_of(prev)[0])
                continue
            out.append(f)
        return tuple(out)

    def _diagonals(self, chain: list[Node]) -> list[Node]:
        """A run of diagonal factors as one diag(v); diag(a) times a column as a .* (column)."""
        i = 0
        while i < len(chain):
            j = i
            while j < len(chain) and chain[j].shape != SCALAR and is_diagonal(chain[j]):
                j += 1
            if j > i + 1 or (j == i + 1 and not isinstance(chain[i], Call)):
                fused = self.entrywise.diagonal(chain_node(tuple(chain[i:j])))
                if fused is not None:
                    chain[i:j] = [fused]
                    continue
            f = chain[i]
            if i + 1 < len(chain) and isinstance(f, Call) and f.func == "diag":
                rest = chain_node(tuple(chain[i + 1 :]))
                if rest.shape == f.args[0].shape:  # diag(a) r = a .* r
                    product = al.binary(".*", f.args[0], rest)
                    chain[i:] = [self.entrywise.simplify(product) or product]
                    continue
                vector = shape_of(f.args[0])[1] == 1 and shape_of(f)[1] != 1
                if vector and chain[i + 1].shape == f.args[0].shape:  # diag(a) b c' = (a.*b) c'
                    product = al.binary(".*", f.args[0], chain[i + 1])
                    chain[i : i + 2] = [self.entrywise.simplify(product) or product]
                    continue
            i += 1
        return chain

    def _mixed_products(self, factors: list[Node]) -> list[Node]:
        """(A (x) B)(C (x) D) = AC (x) BD where the sizes match (the mixed-product rule)."""
        out: list[Node] = []
        for f in factors:
            prev = out[-1] if out else None
            if (
                isinstance(prev, Call)
                and prev.func == "kron"
                and isinstance(f, Call)
                and f.func == "kron"
            ):
                (a, b), (c, d) = prev.args, f.args
                if shape_of(a)[1] == shape_of(c)[0] and shape_of(b)[1] == shape_of(d)[0]:
                    out[-1] = al.kron(self.simplify(al.mul(a, c)), self.simplify(al.mul(b, d)))
                    continue
            out.append(f)
        return out

    def _inner(self, node: Node, sym: frozenset[str]) -> Node:
        """Simplify inside an opaque node (a call, a transpose, an entrywise product)."""
        if isinstance(node, Transpose):
            inner = self.simplify(node.operand, sym)
            return al.transpose(inner, sym)
        if isinstance(node, Binary):
            return self._entrywise(
                node.op, self.simplify(node.left, sym), self.simplify(node.right, sym)
            )
        if isinstance(node, Call) and node.args and node.func not in DIM_ARGS:
            args = tuple(self.simplify(a, sym) for a in node.args)
            if node.func == "diag" and is_ones(args[0]):
                return al.identity(args[0].shape[0] if args[0].shape else 1)
            if node.func == "inv" and isinstance(args[0], Call) and args[0].func == "inv":
                return args[0].args[0]  # inv(inv(X)) = X
            if node.func == "inv" and args[0].shape != SCALAR:
                scaled = self.terms(args[0], sym)
                if (
                    len(scaled) == 1
                    and (scaled[0].coef != 1 or scaled[0].scalars)
                    and (scaled[0].chain)
                ):
                    t = scaled[0]  # inv(c A) = inv(A) / c
                    core = Call("inv", (chain_node(t.chain),), shape=node.shape)
                    return al.div(
                        core, term_node(Term(t.coef, t.scalars, (), SCALAR), SCALAR, frozenset())
                    )
            if node.func == "tr":
                return self._trace(args[0], sym)
            if node.func == "sum" and len(args) == 1 and self.entrywise.sums_to_one(args[0]):
                return al.num(1)  # sum(softmax(u)) = 1, and for a probability vector
            if node.func == "sum" and len(args) == 1 and self.centred(args[0], sym):
                return al.num(0)  # sum(x - mean(x)) = 0: the residuals sum to zero
            if node.func == "sum":
                count = self._count(args[0])
                if count is not None:
                    return count  # sum(c ones(n)) = c n: a dimension is a value (SPEC 8)
            return Call(node.func, args, shape=node.shape)
        return node

    def _count(self, arg: Node) -> Node | None:
        """sum(arg) when ``arg`` is c times a vector or matrix of ones: c times its number
        of entries (``n``, ``m*n``, the dimensions as values), else None."""
        coef = self._scaled_ones(arg)
        if coef is None or arg.shape is None or arg.shape == SCALAR:
            return None
        return al.mul(coef, al.dim(al.size(arg.shape)))

    def centred(self, arg: Node, sym: frozenset[str]) -> bool:
        """Whether ``arg`` sums to zero: sum(x - mean(x)) = 0 (gen.derive.ones.centred)."""
        return sums_to_zero(arg, lambda n: self.terms(n, sym), sym)

    def _trace(self, arg: Node, sym: frozenset[str]) -> Node:
        """tr(c s A) = c s tr(A); tr of a sum stays whole; tr of a 1 x 1 is itself."""
        if arg.shape == SCALAR:
            return arg
        terms = self.terms(arg, sym)
        if len(terms) != 1 or (terms[0].coef == 1 and not terms[0].scalars):
            return Call("tr", (arg,), shape=SCALAR)
        t = terms[0]
        inner = chain_node(t.chain) if t.chain else arg
        out: Node = Call("tr", (inner,), shape=SCALAR)
        for f in t.scalars:
            out = al.mul(f, out)
        return al.mul(al.num(t.coef), out) if t.coef != 1 else out

    def _scaled_ones(self, node: Node) -> Node | None:
        """c when ``node`` is c (a scalar: a number, or with scalar factors such as 1/N)
        times a matrix or vector of ones, else None."""
        terms = self.terms(node, frozenset())
        if len(terms) != 1:
            return None
        chain = terms[0].chain
        if (
            chain
            and all(
                (isinstance(f, Call) and f.func == "ones")
                or (
                    isinstance(f, Transpose)
                    and isinstance(f.operand, Call)
                    and f.operand.func == "ones"
                )
                for f in chain
            )
            and len(chain) <= 2
        ):
            t = terms[0]
            return term_node(Term(t.coef, t.scalars, (), SCALAR), SCALAR, frozenset())
        return None

    def _entrywise(self, op: str, a: Node, b: Node) -> Node:
        """Entrywise products and quotients with their units folded: 1 .* x = x, x .* x = x.^2."""
        if op == ".*":
            if is_ones(a) and a.shape == b.shape:
                return b
            if is_ones(b) and a.shape == b.shape:
                return a
            for one, other in ((a, b), (b, a)):
                coef = self._scaled_ones(one)
                if coef is not None and one.shape == other.shape:
                    return al.mul(coef, other)  # (c 1 1^T) .* Y = c Y
            if a == b and isinstance(a, Name) and a.id in self.entrywise.facts.binary:
                return a  # M .* M = M for entries 0 or 1
            if a == b and isinstance(a, Name) and a.id in self.entrywise.facts.plus_minus_one:
                return al.broadcast(al.num(1), shape_of(a))  # y .* y = 1 for entries -1 or 1
            if a == b:
                return al.binary(".^", a, al.num(2))
        if op == "./":
            if al.is_zero(a):
                return al.zero(shape_of(a) if a.shape != SCALAR else shape_of(b))
            if (is_ones(a) or is_ones_row(a)) and shape_of(a) == shape_of(b):
                return al.binary("./", al.num(1), b)  # ones(n)' ./ r = 1 ./ r
        out = al.binary(op, a, b)
        return merged(out, self.entrywise.facts) or out  # x./s.*(y./s) = x.*y./s.^2


def simplify(
    node: Node, symmetric: frozenset[str] = frozenset(), last: frozenset[str] = frozenset()
) -> Node:
    """``Simplifier().simplify(...)``: no facts, and memos of this call alone.

    For a caller outside a derivation (folding a number, a test); the engines use the
    derivation's ``Simplifier``.
    """
    return Simplifier().simplify(node, symmetric, last)
