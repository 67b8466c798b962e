"""One rule per operator: its differential (forward) and its adjoint (backward), with notes.

The forward rule writes d(f) from the differentials of the arguments, the way
a teacher applies the product rule. The adjoint rule answers the same
question backwards: given G = dz/dC for a scalar z (the gradient, of C's
shape), what does C pass to each argument so that
tr(G^T dC) = sum over arguments of tr(G_i^T dA_i). Both read like the math.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gen.derive import algebra as al
from gen.derive.rules_course import course_adjoint, course_forward
from gen.expr.ast import SCALAR, Binary, Call, Neg, Node, Num, Transpose
from gen.expr.choice import WHERE, complement
from gen.expr.functions import FUNCTIONS, Category, Function


@dataclass(frozen=True)
class Ctx:
    """What rules may know beyond the expression: names equal to their transpose."""

    symmetric: frozenset[str] = frozenset()

    def T(self, a: Node) -> Node:  # noqa: N802 - the transpose mark
        """a' with the props applied."""
        return al.transpose(a, self.symmetric)


def inner(g: Node, b: Node, ctx: Ctx) -> Node:
    """The Frobenius inner product <g, b> = tr(g^T b), written as simply as the shapes allow."""
    if g.shape == SCALAR:
        return al.mul(g, b)
    if g.shape is not None and g.shape[1] == 1:
        return al.mul(ctx.T(g), b)
    if g.shape is not None and g.shape[0] == 1:
        return al.mul(g, ctx.T(b))  # rows: g b'
    return al.call("tr", al.mul(ctx.T(g), b))


def _ones_like(a: Node) -> Node:
    assert a.shape is not None
    rows, cols = a.shape
    if cols == 1:
        return al.ones(rows)
    return al.mul(al.ones(rows), al.transpose(al.ones(cols)))


def unbroadcast(g: Node, operand: Node) -> Node:
    """The part of the gradient ``g`` (of the result's shape) that an operand broadcast in
    ``+ - .* ./`` receives: ``g`` summed over the broadcast dimensions (NumPy's rule
    backwards). A row b' of an m x n result gets 1' G, a column c gets G 1, a scalar
    sum(G); an operand of the result's shape gets ``g`` itself."""
    assert g.shape is not None and operand.shape is not None
    rows, cols = operand.shape
    if (rows, cols) == g.shape:
        return g
    if (rows, cols) == SCALAR:
        return al.call("sum", g)
    if rows == 1:
        return al.mul(al.transpose(al.ones(g.shape[0])), g)
    return al.mul(g, al.ones(g.shape[1]))


class Build:
    """The constructors the function table writes f'(u) with: those of ``algebra``."""

    def call(self, func: str, *args: Node) -> Node:
        """``func(args)``."""
        return al.call(func, *args)

    def neg(self, a: Node) -> Node:
        """``-a``."""
        return al.neg(a)

    def sub(self, a: Node, b: Node) -> Node:
        """``a - b``."""
        return al.sub(a, b)

    def div(self, a: Node, c: Node) -> Node:
        """``a / c`` for a scalar ``c``."""
        return al.div(a, c)

    def num(self, value: int) -> Node:
        """An integer."""
        return al.num(value)

    def one_like(self, a: Node) -> Node:
        """1 in the shape of ``a``: ones(n) for a vector; for a matrix the number 1,
        broadcast (1 - H.^2, as the books print it, not 1 1' - H.^2)."""
        if a.shape is not None and a.shape[0] != 1 and a.shape[1] != 1:
            return al.num(1)
        return _one_like(a)

    def times(self, a: Node, b: Node) -> Node:
        """``a .* b`` (a plain product when ``a`` is a scalar)."""
        return al.binary(".*", a, b) if a.shape != SCALAR else al.mul(a, b)

    def reciprocal(self, a: Node) -> Node:
        """``1 ./ a`` (``1 / a`` when ``a`` is a scalar)."""
        if a.shape != SCALAR:
            return al.binary("./", _ones_like(a), a)
        return al.div(al.num(1), a)

    def zero_like(self, a: Node) -> Node:
        """0 in the shape of ``a``."""
        return al.zero(a.shape or SCALAR)


def derivative_entrywise(func: str, a: Node) -> Node:
    """f'(A) entry by entry, as an expression of A (the function table's derivative)."""
    derivative = FUNCTIONS[func].derivative
    if derivative is None:
        raise KeyError(func)
    return derivative(a, Build())


def _one_like(a: Node) -> Node:
    return al.num(1) if a.shape == SCALAR else _ones_like(a)


def _ew(a: Node, b: Node) -> Node:
    """a times b entry by entry (plain product for scalars); (1 ./ u) .* b is b ./ u."""
    if (
        isinstance(a, Binary)
        and a.op in ("./", "/")
        and (al.is_one(a.left) or (isinstance(a.left, Call) and a.left.func == "ones"))
    ):
        if b.shape == a.shape or a.right.shape == SCALAR:
            return (
                al.binary("./" if b.shape != SCALAR else "/", b, a.right)
                if (a.right.shape != SCALAR)
                else al.div(b, a.right)
            )
    if a.shape == SCALAR or b.shape == SCALAR:
        return al.mul(a, b)
    return al.binary(".*", a, b)


# ----------------------------------------------------------------------------- forward


def forward(node: Node, d: Callable[[Node], Node], ctx: Ctx) -> tuple[Node, str | None]:
    """d(node) from the differentials ``d(child)`` of its children, and the rule's note key."""
    if isinstance(node, Neg):
        return al.neg(d(node.operand)), "neg"
    if isinstance(node, Transpose):
        return ctx.T(d(node.operand)), "transpose"
    if isinstance(node, Binary):
        return _forward_binary(node, d, ctx)
    if isinstance(node, Call):
        return _forward_call(node, d, ctx)
    raise NotImplementedError(type(node).__name__)


def _forward_binary(node: Binary, d: Callable[[Node], Node], ctx: Ctx) -> tuple[Node, str]:
    a, b = node.left, node.right
    da, db = d(a), d(b)
    if node.op in ("+", "-"):
        return al.binary(node.op, da, db), "sum"
    if node.op == "*":
        note = "product" if not (al.is_zero(da) or al.is_zero(db)) else "scale"
        return al.add(al.mul(da, b), al.mul(a, db)), note
    if node.op == ".*":
        return al.add(_ew(da, b), _ew(a, db)), "hadamard"
    if node.op == "/":
        first = al.div(da, b)
        if al.is_zero(db):
            return first, "scale"
        return al.sub(first, al.div(al.mul(db, a), al.mul(b, b))), "divide"
    if node.op == "./":
        first = al.binary("./", da, b)
        if al.is_zero(db):
            return first, "hadamard"
        return al.sub(first, al.binary("./", _ew(a, db), _ew(b, b))), "hadamard"
    if node.op in ("^", ".^"):
        return _forward_power(node, da, db), "power"
    raise NotImplementedError(node.op)


def _forward_power(node: Binary, da: Node, db: Node) -> Node:
    a, k = node.left, node.right
    if node.op == "^" and a.shape != SCALAR:
        return _matrix_power_forward(a, _integer(k), da)
    out = _ew(power_derivative(node), da) if not al.is_zero(da) else al.zero(node.shape or SCALAR)
    if not al.is_zero(db):  # d(x^y) = x^y log x dy (entry by entry for A.^y)
        out = al.add(out, al.mul(_ew(node, al.call("log", a)), db))
    return out


def _integer(k: Node) -> int:
    if isinstance(k, Num) and k.value.denominator == 1:
        return int(k.value)
    if isinstance(k, Neg) and isinstance(k.operand, Num) and k.operand.value.denominator == 1:
        return -int(k.operand.value)
    raise NotImplementedError("a matrix power needs an integer exponent")


def _mpow(a: Node, j: int) -> Node:
    """A^j as a node (A^0 = I, A^1 = A)."""
    assert a.shape is not None
    if j == 0:
        return al.identity(a.shape[0])
    if j == 1:
        return a
    return Binary("^", a, al.num(j), shape=a.shape)


def _power_terms(a: Node, k: int) -> list[tuple[Node, Node, int]]:
    """d(A^k) = sum of sign * L dA R: the (L, R, sign) of each term."""
    if k >= 0:
        return [(_mpow(a, i), _mpow(a, k - 1 - i), 1) for i in range(k)]
    m = -k  # A^k = B^m with B = A^-1, dB = -B dA B
    return [(_mpow(a, -(i + 1)), _mpow(a, -(m - i)), -1) for i in range(m)]


def _matrix_power_forward(a: Node, k: int, da: Node) -> Node:
    out: Node = al.zero(a.shape or SCALAR)
    for left, right, sign in _power_terms(a, k):
        term = al.mul(al.mul(left, da), right)
        out = al.add(out, term) if sign > 0 else al.sub(out, term)
    return out


def power_derivative(node: Binary) -> Node:
    """k x^(k-1) (entry by entry for .^), for a constant exponent k."""
    from gen.derive.simplify import simplify  # folds k - 1

    a, k = node.left, node.right
    km1 = simplify(al.sub(k, al.num(1)))
    if al.is_zero(km1):
        return al.mul(k, _one_like(a))
    if al.is_one(km1):
        return al.mul(k, a)
    return al.mul(k, al.binary(node.op, a, km1))


def _forward_call(node: Call, d: Callable[[Node], Node], ctx: Ctx) -> tuple[Node, str]:
    f = node.func
    row = FUNCTIONS.get(f)
    if row is None:
        raise NotImplementedError(node.func)
    if not row.of_values:
        return al.zero(node.shape or SCALAR), "scale"
    if row.category is Category.COMPARISON:  # constant almost everywhere
        return al.zero(node.shape or SCALAR), _note(row)
    if f == WHERE:
        return _forward_where(node, d), _note(row)
    return _forward_value_call(node, row, d, ctx), _note(row)


def _forward_where(node: Call, d: Callable[[Node], Node]) -> Node:
    """d where(C, A, B) = [C] .* dA + [not C] .* dB: the mask C is constant almost
    everywhere (the numeric check samples away from P = Q)."""
    mask, a, b = node.args
    assert isinstance(mask, Call)
    total: Node = al.zero(node.shape or SCALAR)
    for chosen, branch in ((mask, a), (complement(mask), b)):
        d_branch = d(branch)
        if not al.is_zero(d_branch):
            total = al.add(total, _ew(chosen, d_branch))
    return total


def _note(row: Function) -> str:
    """The key of the note that names the differential rule of a function of values."""
    if row.note is None:
        raise NotImplementedError(f"no note for the rule of {row.name}")
    return row.note


def _forward_value_call(node: Call, row: Function, d: Callable[[Node], Node], ctx: Ctx) -> Node:
    f = row.name
    if f == "kron":
        a, b = node.args
        return al.add(al.kron(d(a), b), al.kron(a, d(b)))
    if row.axis:
        return course_forward(node, d(node.args[0]), ctx.T)
    (a,) = node.args
    da = d(a)
    if row.derivative is not None:
        slope = row.derivative(a, Build())
        return al.zero(node.shape or SCALAR) if al.is_zero(slope) else _ew(slope, da)
    if f == "tr":
        return al.call("tr", da)
    if f == "inv":
        return al.neg(al.mul(al.mul(node, da), node))
    if f == "logdet":
        return al.call("tr", al.mul(al.call("inv", a), da))
    if f == "det":
        return al.mul(node, al.call("tr", al.mul(al.call("inv", a), da)))
    if f == "norm2":
        return al.div(inner(a, da, ctx), node)
    if f == "diag":
        return al.call("diag", da)
    if f == "vec":
        return al.vec(da)
    raise NotImplementedError(f)


# ----------------------------------------------------------------------------- adjoint


def adjoint(node: Node, g: Node, ctx: Ctx) -> list[tuple[Node, Node]]:
    """What node, whose gradient is g, passes to each child: [(child, gradient part)]."""
    if isinstance(node, Neg):
        return [(node.operand, al.neg(g))]
    if isinstance(node, Transpose):
        return [(node.operand, ctx.T(g))]
    if isinstance(node, Binary):
        return _adjoint_binary(node, g, ctx)
    if isinstance(node, Call):
        return _adjoint_call(node, g, ctx)
    return []


def _adjoint_binary(node: Binary, g: Node, ctx: Ctx) -> list[tuple[Node, Node]]:  # noqa: C901 - one case per operator
    a, b = node.left, node.right
    if node.op == "+":
        return [(a, unbroadcast(g, a)), (b, unbroadcast(g, b))]
    if node.op == "-":
        return [(a, unbroadcast(g, a)), (b, unbroadcast(al.neg(g), b))]
    if node.op == "*":
        if a.shape == SCALAR and b.shape == SCALAR:
            return [(a, al.mul(g, b)), (b, al.mul(a, g))]
        if a.shape == SCALAR:
            return [(a, inner(g, b, ctx)), (b, al.mul(a, g))]
        if b.shape == SCALAR:
            return [(a, al.mul(b, g)), (b, inner(g, a, ctx))]
        # The adjoint rule: tr(G^T dA B) = tr((G B^T)^T dA), tr(G^T A dB) = tr((A^T G)^T dB).
        return [(a, al.mul(g, ctx.T(b))), (b, al.mul(ctx.T(a), g))]
    if node.op == "/":
        parts = [(a, al.div(g, b))]
        parts.append((b, al.neg(al.div(inner(g, a, ctx), al.mul(b, b)))))
        return parts
    if node.op == ".*":
        if a.shape == SCALAR and b.shape != SCALAR:
            return [(a, inner(g, b, ctx)), (b, al.mul(a, g))]
        if b.shape == SCALAR and a.shape != SCALAR:
            return [(a, al.mul(b, g)), (b, inner(g, a, ctx))]
        return [(a, unbroadcast(_ew(g, b), a)), (b, unbroadcast(_ew(g, a), b))]
    if node.op == "./":
        q = al.binary("./", g, b) if b.shape != SCALAR else al.div(g, b)
        if b.shape != SCALAR:
            part_b = unbroadcast(al.neg(_ew(q, node)), b)
        else:
            part_b = al.neg(al.div(inner(g, node, ctx), b))
        if a.shape == SCALAR and b.shape != SCALAR:
            return [(a, inner(q, _ones_like(q), ctx)), (b, part_b)]
        return [(a, unbroadcast(q, a)), (b, part_b)]
    if node.op == "^" and a.shape != SCALAR:
        total: Node = al.zero(a.shape or SCALAR)
        for left, right, sign in _power_terms(a, _integer(b)):
            term = al.mul(al.mul(ctx.T(left), g), ctx.T(right))
            total = al.add(total, term) if sign > 0 else al.sub(total, term)
        return [(a, total)]
    if node.op in ("^", ".^"):
        parts = [(a, _ew(g, power_derivative(node)))]
        if not isinstance(b, Num | Neg):  # passed on only if the exponent depends on wrt
            if a.shape != SCALAR:  # d(A.^k)/dk = A.^k .* log(A), summed against G
                parts.append((b, al.call("sum", _ew(g, _ew(node, al.call("log", a))))))
            else:
                parts.append((b, al.mul(g, al.mul(node, al.call("log", a)))))
        return parts
    raise NotImplementedError(node.op)


def _adjoint_call(node: Call, g: Node, ctx: Ctx) -> list[tuple[Node, Node]]:
    f = node.func
    row = FUNCTIONS.get(f)
    if row is None:
        raise NotImplementedError(f)
    if not row.of_values or row.category is Category.COMPARISON:
        return []
    if f == WHERE:  # a mask passes nothing back: it is constant almost everywhere
        mask, a, b = node.args
        assert isinstance(mask, Call)
        return [
            (a, unbroadcast(_ew(mask, g), a)),
            (b, unbroadcast(_ew(complement(mask), g), b)),
        ]
    if f in ("kron", "vec"):
        raise NotImplementedError(
            f"a gradient through {f}(...) needs un-vec; derive the Jacobian of the {f} "
            "itself, or write the expression without it"
        )
    if row.axis:
        return [(node.args[0], course_adjoint(node, g, ctx.T))]
    (a,) = node.args
    if f == "tr":
        assert a.shape is not None
        return [(a, al.mul(g, al.identity(a.shape[0])))]
    if f == "inv":
        it = ctx.T(node)
        return [(a, al.neg(al.mul(al.mul(it, g), it)))]
    if f == "logdet":
        return [(a, al.mul(g, ctx.T(al.call("inv", a))))]
    if f == "det":
        return [(a, al.mul(al.mul(g, node), ctx.T(al.call("inv", a))))]
    if row.derivative is not None:
        slope = row.derivative(a, Build())
        return [(a, al.zero(a.shape or SCALAR) if al.is_zero(slope) else _ew(g, slope))]
    if f == "norm2":
        return [(a, al.mul(al.div(g, node), a))]
    if f == "diag":
        assert a.shape is not None
        if a.shape[1] != 1:  # the diagonal of a square matrix: g goes back onto the diagonal
            return [(a, al.call("diag", g))]
        return [(a, al.mul(al.binary(".*", g, al.identity(a.shape[0])), al.ones(a.shape[0])))]
    raise NotImplementedError(f)
