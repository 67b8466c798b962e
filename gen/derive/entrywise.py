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
probability vector) is answered None at once. An ``Entrywise`` object holds the facts
of one program and memoises its results per (tree, shape); the simplifier of a
derivation (``gen.derive.simplify.Simplifier``) owns one.

The work is done in three modules: ``gen.derive.rational`` (the field of rational
functions), ``gen.derive.entrywise_read`` (trees into it, with the identities above)
and ``gen.derive.entrywise_write`` (back to the cheapest tree).

Not done: factoring a polynomial into irreducibles (only the factors the input
itself wrote are found again), partial fractions, ``sqrt(x).^2 = x`` (in a product of
factors ``gen.derive.monomial`` does it, for matrices too),
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

from gen.derive import algebra as al
from gen.derive.entrywise_read import Reader
from gen.derive.entrywise_write import Writer
from gen.derive.facts import Facts, sums_to_one
from gen.derive.rules_course import is_diagonal_matrix
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

MEMO_LIMIT = 20_000  # results remembered before the memo starts afresh
COST_LIMIT = 200_000  # costs remembered before that memo starts afresh


class Entrywise:
    """The entrywise simplifier of one derivation: the program's facts and the memos.

    Args:
        facts: What the names of the program are known to satisfy.
    """

    def __init__(self, facts: Facts | None = None) -> None:
        self.facts = facts or Facts()
        self.memo_limit = MEMO_LIMIT
        self.cost_limit = COST_LIMIT
        self._memo: dict[tuple[Node, Shape | None], Node | None] = {}
        self._costs: dict[Node, int] = {}

    def simplify(self, node: Node) -> Node | None:
        """A cheaper equal form of a typed entrywise expression, or None.

        Args:
            node: A typed expression of shape (n, 1) or (1, 1); other shapes give None.

        Returns:
            An expression equal to ``node`` wherever ``node`` is defined, with a
            shape on every node and strictly smaller ``cost``; None when none is found.
        """
        key = (node, node.shape)
        if key in self._memo:
            return self._memo[key]
        out = self._simplify(node)
        if len(self._memo) >= self.memo_limit:
            self._memo.clear()
        self._memo[key] = out
        return out

    def diagonal(self, node: Node) -> Node | None:
        """A cheaper equal form of an n x n expression of diagonal matrices, or None.

        Diagonal matrices commute and multiply entrywise: ``diag(a)*diag(b) = diag(a.*b)``,
        ``diag(a) + diag(b) = diag(a + b)``, ``c*diag(a) = diag(c*a)``, ``I = diag(ones(n))``,
        ``inv(diag(a)) = diag(1./a)``, ``diag(a)' = diag(a)``, ``diag(a)^k = diag(a.^k)``. The
        expression (made of those alone) becomes ``diag(v)`` with v simplified as by
        ``simplify`` (``I`` when v is ``ones(n)``), if that costs less.
        """
        shape = node.shape
        if shape is None or shape[0] != shape[1] or shape == SCALAR or not is_diagonal(node):
            return None
        vector = _diagonal_vector(node, shape[0])
        if vector is None:
            return None
        inner = self._simplify(vector, force=True) or vector
        out = (
            al.identity(shape[0])
            if isinstance(inner, Call) and inner.func == "ones"
            else (al.call("diag", inner))
        )
        return out if self.cost(out) < self.cost(node) else None

    def sums_to_one(self, node: Node) -> bool:
        """Entries that sum to one: a name declared ``probability``, or a softmax."""
        return sums_to_one(node, self.facts)

    def cost(self, node: Node) -> int:
        """Operations in ``node``; names, numbers, ``ones(...)`` and ``zeros(...)`` count
        nothing, and an integer power ``x.^k`` counts as the k - 1 products it stands for
        (``x.^-k`` as k).

        A subtree used twice counts twice (as in ``gen.expr.measure.size``). Costs are
        remembered across calls (trees are immutable): nested calls on the subtrees of a
        deep expression would otherwise walk it again and again.
        """
        memo = self._costs
        if len(memo) >= self.cost_limit:
            memo.clear()

        def walk(n: Node) -> int:
            key = n
            if key not in memo:
                if isinstance(n, (Name, Num)) or (
                    isinstance(n, Call) and (not n.args or n.func in ("ones", "zeros"))
                ):
                    memo[key] = 0
                elif (
                    isinstance(n, Binary)
                    and n.op in (".^", "^")
                    and (k := integer_exponent(n.right)) is not None
                ):
                    memo[key] = max(1, abs(k) - 1 + (k < 0)) + walk(n.left)
                else:
                    memo[key] = 1 + sum(walk(c) for c in children(n))
            return memo[key]

        return walk(node)

    def _simplify(self, node: Node, force: bool = False) -> Node | None:
        shape = node.shape
        if shape is None or shape[1] != 1 or not (force or _worth_trying(node, self.facts)):
            return None
        best, best_cost = None, self.cost(node)
        logistic = False
        for mode in (False, True):
            if mode and not (logistic and self.facts.logistic):
                break
            work = Reader(shape, self, mode)
            try:
                out = Writer(work, self.cost).build(work.of(node))
            except Bail:
                out = None
            logistic = logistic or work.saw_logistic
            if out is not None and out.shape == shape and self.cost(out) < best_cost:
                best, best_cost = out, self.cost(out)
        return best


def simplify_entrywise(node: Node, facts: Facts | None = None) -> Node | None:
    """``Entrywise(facts).simplify(node)``, with memos of this call alone."""
    return Entrywise(facts).simplify(node)


def simplify_diagonal(node: Node, facts: Facts | None = None) -> Node | None:
    """``Entrywise(facts).diagonal(node)``, with memos of this call alone."""
    return Entrywise(facts).diagonal(node)


def cost(node: Node) -> int:
    """``Entrywise().cost(node)``: the measure the entrywise simplifier minimises."""
    return Entrywise().cost(node)


def is_diagonal(node: Node) -> bool:
    """Whether ``node`` is built of diagonal matrices alone (and scalars scaling them)."""
    if isinstance(node, Call):
        if node.func == "inv":
            return is_diagonal(node.args[0])
        return node.func in ("I", "eye") or is_diagonal_matrix(node)
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


def _side_worth(node: Node, facts: Facts) -> bool:
    """A side of an inner product worth a look: ones, a probability vector, a diag, or
    entrywise structure."""
    while isinstance(node, Transpose | Neg):
        node = node.operand
    if isinstance(node, Name):
        return node.id in facts.probability
    if sums_to_one(node, facts):
        return True
    if (
        isinstance(node, Binary)
        and node.op == "*"
        and isinstance(node.right, Call)
        and (node.right.func == "diag")
    ):
        return True
    return _worth_trying(node, facts)
