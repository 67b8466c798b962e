"""Reading an entrywise expression as a rational function of its atoms (``gen.derive.rational``).

Entrywise products, quotients, integer powers, sums, scalings, ``ones``, ``zeros`` and
``diag(a)*v`` become arithmetic; inner products and ``sum`` are read through the
vectors they sum; with ``logistic`` on, ``exp`` and ``sigmoid(-u)`` are written in
``sigmoid(u)`` (see ``gen.derive.entrywise``). Anything else is an atom.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from gen.derive import algebra as al
from gen.derive.facts import sums_to_one
from gen.derive.rational import Field, Poly, Rat, add, const, scale
from gen.derive.rules_course import is_diagonal_matrix
from gen.errors import Bail
from gen.expr.ast import SCALAR, Binary, Call, Neg, Node, Num, Shape, Transpose
from gen.expr.shape import integer_exponent

if TYPE_CHECKING:
    from gen.derive.entrywise import Entrywise

MAX_POWER = 8  # x.^k with |k| larger stays an atom


class Reader(Field):
    """The field of one expression, filled by reading trees into it.

    Args:
        shape: The shape of the expression (n x 1 or 1 x 1).
        owner: The entrywise simplifier of the program (its facts, and simplifying the
            sides of an opaque inner product).
        logistic: Whether exp and sigmoid(-u) are written in sigmoid(u).
    """

    def __init__(self, shape: Shape, owner: Entrywise, logistic: bool) -> None:
        super().__init__(shape)
        self.owner = owner
        self.facts = owner.facts
        self.logistic = logistic
        self.saw_logistic = False
        self.memo: dict[int, tuple[Node, Rat]] = {}  # id(node) -> (node, its value)

    def of(self, node: Node) -> Rat:
        """The rational function ``node`` stands for (shared subtrees converted once)."""
        found = self.memo.get(id(node))
        if found is None or found[0] is not node:
            found = self.memo[id(node)] = (node, self.convert(node))
        return found[1]

    def convert(self, node: Node) -> Rat:
        if isinstance(node, Num):
            return Rat(const(node.value))
        if isinstance(node, Neg):
            r = self.of(node.operand)
            return Rat(scale(r.num, Fraction(-1)), r.den)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Transpose) and node.operand.shape == SCALAR:
            return self.of(node.operand)
        return self.atom(node)

    def binary(self, node: Binary) -> Rat:
        op, left, right = node.op, node.left, node.right
        if op in ("+", "-"):
            a, r = self.of(left), self.of(right)
            if op == "-":
                r = Rat(scale(r.num, Fraction(-1)), r.den)
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
        if (
            op == "*"
            and isinstance(left, Call)
            and left.func == "diag"
            and (right.shape == left.args[0].shape)
        ):
            return self.mul(self.of(left.args[0]), self.of(right))  # diag(a)*v = a.*v
        if op == "*" and node.shape == SCALAR:
            return self.inner(left, right, node)
        return self.atom(node)

    def call(self, node: Call) -> Rat:
        if node.func == "ones":
            return Rat(const(1))
        if node.func == "zeros":
            return Rat({})
        if (
            node.func == "sum"
            and len(node.args) == 1
            and node.args[0].shape is not None
            and node.args[0].shape[1] == 1
        ):
            return self.inner(None, node.args[0], node)
        if node.func in ("exp", "sigmoid") and node.args:
            u = node.args[0]
            w = _negated(u)
            if node.func == "exp" or w is not None:
                self.saw_logistic = True
            if self.logistic and node.func == "exp":
                s = self.atom(al.call("sigmoid", w if w is not None else u))
                one_minus = self.add(Rat(const(1)), Rat(scale(s.num, Fraction(-1))))
                if w is not None:  # exp(-w) = (1 - s)./s
                    return self.mul(one_minus, self.inv(s))
                return self.mul(s, self.inv(one_minus))  # exp(u) = s./(1 - s)
            if self.logistic and w is not None:  # sigmoid(-w) = 1 - sigmoid(w)
                s = self.atom(al.call("sigmoid", w))
                return self.add(Rat(const(1)), Rat(scale(s.num, Fraction(-1))))
        return self.atom(node)

    def inner(self, row: Node | None, col: Node, node: Node) -> Rat:
        """``row*col`` of a 1 x k row and a k x 1 column (``row`` None: ``sum(col)``)."""
        if col.shape is None or col.shape == SCALAR:
            return self.atom(node)
        sub = Reader(col.shape, self.owner, self.logistic)
        try:
            left = Rat(const(1)) if row is None else sub.row(row)
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
            term = Rat(const(c))
            for a, e in mono:
                if sub.vector(a):
                    term = self.mul(term, self.summed(sub.atoms[a]))
                else:
                    term = self.mul(term, self.power(self.atom(sub.atoms[a]), e))
            out = add(out, term.num)
        return Rat(out)

    def summed(self, vec: Node) -> Rat:
        """sum(vec) of one vector atom: 1 for a probability vector."""
        if sums_to_one(vec, self.facts):
            return Rat(const(1))
        return self.atom(al.call("sum", vec))

    def row(self, node: Node) -> Rat | None:
        """The column whose transpose ``node`` (a row vector) is, as a value; None if unknown."""
        if isinstance(node, Transpose):
            return self.of(node.operand)
        if isinstance(node, Neg):
            r = self.row(node.operand)
            return None if r is None else Rat(scale(r.num, Fraction(-1)), r.den)
        if isinstance(node, Binary) and node.op == "*":
            if node.right.shape == SCALAR or node.left.shape == SCALAR:
                sc, rw = (
                    (node.right, node.left)
                    if node.right.shape == SCALAR
                    else (node.left, node.right)
                )
                r = self.row(rw)
                return None if r is None else self.mul(r, self.of(sc))
            if isinstance(node.right, Call) and is_diagonal_matrix(node.right):
                r = self.row(node.left)  # v'*diag(a) = (v.*a)'
                return None if r is None else self.mul(r, self.of(node.right.args[0]))
        return None

    def opaque_inner(self, row: Node | None, col: Node, node: Node) -> Node:
        """The inner product as an atom, its sides simplified when that pays."""
        new_col = self.owner.simplify(col)
        if row is None:
            return node if new_col is None else al.call("sum", new_col)
        new_row = None
        if isinstance(row, Transpose):
            inner = self.owner.simplify(row.operand)
            new_row = None if inner is None else al.transpose(inner)
        if new_col is None and new_row is None:
            return node
        return al.mul(new_row or row, new_col or col)


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
