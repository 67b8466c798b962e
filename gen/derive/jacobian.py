"""Read a Jacobian off a differential: from dy = (expression linear in dx) to J with dy = J dx."""

from __future__ import annotations

from collections.abc import Callable

from gen.derive import algebra as al
from gen.derive.layout import Kind, kind_of
from gen.derive.rules_course import as_product, is_diagonal_matrix
from gen.errors import NotLinear
from gen.expr.ast import SCALAR, Binary, Call, Name, Neg, Node, Shape, Transpose
from gen.expr.to_text import to_text
from gen.expr.walk import mentions
from gen.spec.model import Layout


def jacobian(lin: Node, dx: Name, symmetric: frozenset[str] = frozenset()) -> Node:
    """J with lin = J dx, for a column or scalar ``dx`` and a column or scalar ``lin``.

    ``lin`` should be simplified with ``dx`` kept last in 1 x 1 products
    (``a' dx``, not ``dx' a``).
    """
    assert dx.shape is not None and lin.shape is not None
    if dx.shape == SCALAR:
        # dx commutes with everything: J is lin with dx = 1.
        return al.substitute(lin, {dx.id: al.num(1)})
    return _columns(lin, dx, symmetric)


def explicit(lin: Node) -> Node:
    """``lin`` with an operand that ``+ - .* ./`` broadcast written out in the result's
    shape (b' in A + b' as 1 b', s in 1 - H as s 1 1'); a scalar that scales in ``.*``
    or divides in ``./`` stays as it is."""
    if not (isinstance(lin, Binary) and lin.op in ("+", "-", ".*", "./")):
        return lin
    assert lin.shape is not None
    a, b = lin.left, lin.right
    if a.shape == lin.shape and b.shape == lin.shape:
        return lin
    keep_a = lin.op == ".*" and a.shape == SCALAR
    keep_b = lin.op in (".*", "./") and b.shape == SCALAR
    a = a if keep_a else al.broadcast(a, lin.shape)
    b = b if keep_b else al.broadcast(b, lin.shape)
    return Binary(lin.op, a, b, shape=lin.shape)


def _columns(lin: Node, dx: Name, sym: frozenset[str]) -> Node:
    n = dx.shape[0] if dx.shape else 1
    if not mentions(lin, dx.id):
        assert lin.shape is not None
        return al.zero((lin.shape[0], n))
    product = as_product(lin)
    if product is not None:
        return _columns(product, dx, sym)
    lin = explicit(lin)
    if isinstance(lin, Name):
        return al.identity(n)
    if isinstance(lin, Neg):
        return al.neg(_columns(lin.operand, dx, sym))
    if isinstance(lin, Binary) and lin.op in ("+", "-"):
        return al.binary(lin.op, _columns(lin.left, dx, sym), _columns(lin.right, dx, sym))
    if isinstance(lin, Binary) and lin.op == "*":
        return _product(lin, dx, sym)
    if isinstance(lin, Binary) and lin.op == "/" and not mentions(lin.right, dx.id):
        return al.div(_columns(lin.left, dx, sym), lin.right)
    if isinstance(lin, Binary) and lin.op in (".*", "./"):
        return _hadamard(lin, dx, sym)
    if isinstance(lin, Transpose) and lin.shape == SCALAR:
        return _columns(lin.operand, dx, sym)
    if isinstance(lin, Call) and lin.func == "sum":
        (arg,) = lin.args
        assert arg.shape is not None
        if arg.shape[1] == 1:
            return al.mul(al.transpose(al.ones(arg.shape[0])), _columns(arg, dx, sym))
    if isinstance(lin, Call) and lin.func == "tr" and lin.args[0].shape == SCALAR:
        return _columns(lin.args[0], dx, sym)
    raise NotLinear(f"cannot read a Jacobian off {to_text(lin)}")


def _flatten(node: Node) -> list[Node]:
    """The factors of a product, matrix products and scalings alike."""
    if isinstance(node, Binary) and node.op == "*":
        # A 1 x 1 side scales: it stays one factor (dx' y is a scalar, not a row and a column).
        left = [node.left] if node.left.shape == SCALAR else _flatten(node.left)
        right = [node.right] if node.right.shape == SCALAR else _flatten(node.right)
        return left + right
    return [node]


def _product(lin: Binary, dx: Name, sym: frozenset[str]) -> Node:
    """J for a product with dx in exactly one factor: L F R, read off whatever F's shape."""
    factors = _flatten(lin)
    where = [i for i, f in enumerate(factors) if mentions(f, dx.id)]
    if len(where) != 1:
        raise NotLinear("dx in several factors of a product")
    i = where[0]
    scalars = [f for j, f in enumerate(factors) if j != i and f.shape == SCALAR]
    left = [f for f in factors[:i] if f.shape != SCALAR]
    right = [f for f in factors[i + 1 :] if f.shape != SCALAR]
    f = factors[i]
    if isinstance(f, Binary) and f.op in ("+", "-") or isinstance(f, Neg):
        return _distribute(factors, i, lambda n: _columns(n, dx, sym))
    if f.shape == SCALAR:
        # A 1 x 1 factor commutes: (y' dx) L R = (L R) (y' dx).
        outer = al.product(left + right)
        core = _columns(f, dx, sym) if outer is None else al.mul(outer, _columns(f, dx, sym))
    elif f.shape is not None and f.shape[1] == 1:
        # L F r with F a column and r 1 x 1 (or nothing): J = L J_F.
        core = _columns(f, dx, sym) if not left else al.mul(_product_of(left), _columns(f, dx, sym))
        if right:
            r = al.product(right)
            if r is None or r.shape != SCALAR:
                raise NotLinear("a column factor followed by a matrix")
            core = al.mul(r, core)  # L F (x'y): the 1 x 1 tail scales
    elif f.shape is not None and f.shape[0] == 1 and right:
        # L (F r) with F a row: F r = r' F' is 1 x 1, so J = L r' J_F'.
        r = al.product(right)
        assert r is not None
        inner = al.mul(al.transpose(r, sym), _columns(al.transpose(f, sym), dx, sym))
        core = inner if not left else al.mul(_product_of(left), inner)
    elif isinstance(f, Call) and f.func == "diag" and is_diagonal_matrix(f) and right:
        # L diag(v) r = L diag(r) v.
        r = al.product(right)
        assert r is not None
        inner = al.mul(al.call("diag", r), _columns(f.args[0], dx, sym))
        core = inner if not left else al.mul(_product_of(left), inner)
    else:
        raise NotLinear("dx inside a matrix factor")
    for sc in scalars:
        core = al.mul(sc, core)
    return core


def _distribute(factors: list[Node], i: int, read: Callable[[Node], Node]) -> Node:
    """L (F1 + F2) R = L F1 R + L F2 R (and L (-F) R = -L F R), each term read by ``read``."""
    f = factors[i]
    parts = [f.operand] if isinstance(f, Neg) else [f.left, f.right]  # type: ignore[attr-defined]
    signs = [-1] if isinstance(f, Neg) else [1, 1 if f.op == "+" else -1]  # type: ignore[attr-defined]
    total: Node | None = None
    for part, sign in zip(parts, signs, strict=True):
        product = al.product(factors[:i] + [part] + factors[i + 1 :])
        assert product is not None
        piece = read(product) if sign > 0 else al.neg(read(product))
        total = piece if total is None else al.add(total, piece)
    assert total is not None
    return total


def _hadamard(lin: Binary, dx: Name, sym: frozenset[str]) -> Node:
    a, b = lin.left, lin.right
    if lin.op == ".*":
        const, var = (a, b) if mentions(b, dx.id) else (b, a)
        if mentions(const, dx.id):
            raise NotLinear("dx on both sides of an entrywise product")
        if const.shape == SCALAR:
            return al.mul(const, _columns(var, dx, sym))
        return al.mul(al.call("diag", const), _columns(var, dx, sym))
    if mentions(b, dx.id):
        raise NotLinear("dx in a divisor")
    if b.shape == SCALAR:
        return al.div(_columns(a, dx, sym), b)
    assert b.shape is not None
    inv = al.binary("./", al.ones(b.shape[0]), b)
    return al.mul(al.call("diag", inv), _columns(a, dx, sym))


def vec_jacobian(lin: Node, dx: Name, symmetric: frozenset[str] = frozenset()) -> Node:
    """J with vec(lin) = J vec(dx), for any shapes (SPEC section 3's vec kinds).

    The rules (Magnus and Neudecker, ch. 2 and 9): vec(L F R) = (R' (x) L) vec F,
    vec(F') = K_rc vec F for an r x c F, vec(a .* F) = diag(vec a) vec F, and a
    1 x 1 factor f in L f R gives vec(L R) (d f / d vec(dx)').
    """
    assert dx.shape is not None and lin.shape is not None
    return _vec(lin, dx, symmetric)


def _vec(lin: Node, dx: Name, sym: frozenset[str]) -> Node:
    assert lin.shape is not None and dx.shape is not None
    if not mentions(lin, dx.id):
        return al.zero((al.size(lin.shape), al.size(dx.shape)))
    product = as_product(lin)
    if product is not None:
        return _vec(product, dx, sym)
    lin = explicit(lin)
    if isinstance(lin, Name):
        return al.eye(al.size(dx.shape))
    if isinstance(lin, Neg):
        return al.neg(_vec(lin.operand, dx, sym))
    if isinstance(lin, Binary) and lin.op in ("+", "-"):
        return al.binary(lin.op, _vec(lin.left, dx, sym), _vec(lin.right, dx, sym))
    if isinstance(lin, Binary) and lin.op == "*":
        return _vec_product(lin, dx, sym)
    if isinstance(lin, Binary) and lin.op == "/" and not mentions(lin.right, dx.id):
        return al.div(_vec(lin.left, dx, sym), lin.right)
    if isinstance(lin, Binary) and lin.op in (".*", "./"):
        return _vec_hadamard(lin, dx, sym)
    if isinstance(lin, Transpose):
        inner = lin.operand
        assert inner.shape is not None
        if lin.shape == SCALAR:
            return _vec(inner, dx, sym)
        return al.mul(al.commutation(*inner.shape), _vec(inner, dx, sym))
    if isinstance(lin, Call) and lin.func in ("sum", "tr", "vec"):
        (arg,) = lin.args
        assert arg.shape is not None
        if lin.func == "vec" or arg.shape == SCALAR:
            return _vec(arg, dx, sym)
        # sum(F) = 1' vec F; tr(F) = vec(I)' vec F.
        row = (
            al.transpose(al.ones(al.size(arg.shape)))
            if lin.func == "sum"
            else al.transpose(al.vec(al.eye(arg.shape[0])))
        )
        return al.mul(row, _vec(arg, dx, sym))
    if isinstance(lin, Call) and lin.func == "kron":
        return _vec_kron(lin, dx, sym)
    raise NotLinear(f"cannot write vec({to_text(lin)}) as J vec({dx.id})")


def _vec_kron(lin: Call, dx: Name, sym: frozenset[str]) -> Node:
    """vec(A (x) B) = (I_q (x) K_np (x) I_m)(vec A (x) vec B) for A p x q, B m x n
    (Magnus and Neudecker, ch. 3, theorem 10), with dx in A or in B."""
    a, b = lin.args
    assert a.shape is not None and b.shape is not None
    if mentions(a, dx.id) and mentions(b, dx.id):
        raise NotLinear("dx on both sides of a Kronecker product")
    (p, q), (m, n) = a.shape, b.shape
    perm = al.kron(al.kron(al.eye(q), al.commutation(n, p)), al.eye(m))
    if mentions(b, dx.id):
        spread = al.kron(al.vec(a), al.eye(al.size(b.shape)))
        return al.mul(al.mul(perm, spread), _vec(b, dx, sym))
    spread = al.kron(al.eye(al.size(a.shape)), al.vec(b))
    return al.mul(al.mul(perm, spread), _vec(a, dx, sym))


def _vec_product(lin: Binary, dx: Name, sym: frozenset[str]) -> Node:
    """vec(s L F R) = s (R' (x) L) vec F, with dx in the one factor F."""
    factors = _flatten(lin)
    where = [i for i, f in enumerate(factors) if mentions(f, dx.id)]
    if len(where) != 1:
        raise NotLinear("dx in several factors of a product")
    i = where[0]
    f = factors[i]
    if isinstance(f, Binary) and f.op in ("+", "-") or isinstance(f, Neg):
        return _distribute(factors, i, lambda n: _vec(n, dx, sym))
    scalars = [g for j, g in enumerate(factors) if j != i and g.shape == SCALAR]
    left = al.product([g for g in factors[:i] if g.shape != SCALAR])
    right = al.product([g for g in factors[i + 1 :] if g.shape != SCALAR])
    inner = _vec(f, dx, sym)
    assert f.shape is not None
    if f.shape == SCALAR:
        # L f R = f (L R): vec(L R) times the row of f.
        outer = al.product([g for g in (left, right) if g is not None])
        core = inner if outer is None else al.mul(al.vec(outer), inner)
    elif left is None and right is None:
        core = inner
    else:
        r_t = al.transpose(right, sym) if right is not None else al.eye(f.shape[1])
        lft = left if left is not None else al.eye(f.shape[0])
        core = al.mul(al.kron(r_t, lft), inner)
    for sc in scalars:
        core = al.mul(sc, core)
    return core


def _vec_hadamard(lin: Binary, dx: Name, sym: frozenset[str]) -> Node:
    """vec(a .* F) = diag(vec a) vec F; vec(F ./ b) = diag(vec(1 ./ b)) vec F."""
    a, b = lin.left, lin.right
    if lin.op == ".*":
        const, var = (a, b) if mentions(b, dx.id) else (b, a)
        if mentions(const, dx.id):
            raise NotLinear("dx on both sides of an entrywise product")
    else:
        if mentions(b, dx.id):
            raise NotLinear("dx in a divisor")
        var = a
        const = b if b.shape == SCALAR else al.binary("./", al.num(1), b)
        if b.shape == SCALAR:
            return al.div(_vec(var, dx, sym), b)
    if const.shape == SCALAR:
        return al.mul(const, _vec(var, dx, sym))
    return al.mul(al.call("diag", al.vec(const)), _vec(var, dx, sym))


def _product_of(factors: list[Node]) -> Node:
    """The product of a non-empty list of factors."""
    out = al.product(factors)
    assert out is not None
    return out


def vec_form(
    d: Node, of_shape: Shape, wrt_shape: Shape, layout: Layout, sym: frozenset[str] = frozenset()
) -> Node:
    """The Jacobian d vec(of)/d vec(wrt)' (numerator and mixed layout; its transpose in
    denominator layout) from ``d``, the derivative of ``of`` by ``wrt`` as ``layout``
    writes it (SPEC section 3), for a chain through vec (Magnus and Neudecker, ch. 9).

    A scalar's derivative by a vector or matrix becomes the row vec(∂a/∂X)' (the
    transposed gradient; the column vec(∂a/∂X) in denominator layout); a vector's or
    matrix's by a scalar the column vec(∂Y/∂s) (the row vec(∂Y/∂s)' in denominator
    layout). Every other pair is its Jacobian in the layout already: ``d`` itself.
    """
    kind = kind_of(of_shape, wrt_shape)
    den = layout is Layout.DENOMINATOR
    if kind is Kind.SCALAR_BY_MATRIX:
        grad = _sized(al.transpose(d, sym) if layout is Layout.NUMERATOR else d)
        return al.vec(grad) if den else al.transpose(al.vec(grad), sym)
    if kind is Kind.MATRIX_BY_SCALAR:
        deriv = _sized(al.transpose(d, sym) if den else d)
        return al.transpose(al.vec(deriv), sym) if den else al.vec(deriv)
    if kind is Kind.SCALAR_BY_VECTOR and layout is Layout.MIXED:
        return al.transpose(d, sym)
    return d


def _sized(d: Node) -> Node:
    """``d``, an identity I written eye(n) (inside vec its size can no longer be read)
    and the ones matrix 1_m 1_n' (the gradient of sum(X)) as its vec, 1_mn."""
    if isinstance(d, Call) and d.func == "I" and d.shape is not None:
        return al.eye(d.shape[0])
    if (
        isinstance(d, Binary)
        and d.op == "*"
        and isinstance(d.left, Call)
        and d.left.func == "ones"
        and isinstance(d.right, Transpose)
        and isinstance(d.right.operand, Call)
        and d.right.operand.func == "ones"
        and d.shape is not None
    ):
        return al.ones(al.size(d.shape))
    return d
