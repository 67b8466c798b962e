"""Read a Jacobian off a differential: from dy = (expression linear in dx) to J with dy = J dx."""

from __future__ import annotations

from gen.derive import algebra as al
from gen.expr.ast import SCALAR, Binary, Call, Name, Neg, Node, Transpose, children


class NotLinear(Exception):
    """The differential is not in a form whose matrix can be read off."""


def mentions(node: Node, name: str) -> bool:
    """True when ``name`` occurs in ``node``."""
    if isinstance(node, Name):
        return node.id == name
    return any(mentions(c, name) for c in children(node))


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


def _columns(lin: Node, dx: Name, sym: frozenset[str]) -> Node:
    n = dx.shape[0] if dx.shape else 1
    if not mentions(lin, dx.id):
        assert lin.shape is not None
        return al.zero((lin.shape[0], n))
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
    raise NotLinear(f"cannot read a Jacobian off {lin!r}")


def _product(lin: Binary, dx: Name, sym: frozenset[str]) -> Node:
    a, b = lin.left, lin.right
    in_a, in_b = mentions(a, dx.id), mentions(b, dx.id)
    if in_a and in_b:
        raise NotLinear("dx on both sides of a product")
    if in_b:
        if b.shape == SCALAR and a.shape != SCALAR:
            # v (a' dx): the scalar b is linear in dx; J = v J_b.
            return al.mul(a, _columns(b, dx, sym))
        return al.mul(a, _columns(b, dx, sym))
    # dx in the left factor.
    if b.shape == SCALAR:
        return al.mul(b, _columns(a, dx, sym))
    if a.shape == SCALAR:
        # (a' dx) v with v a column: J = v (a').
        return al.mul(b, _columns(a, dx, sym))
    raise NotLinear("dx in the left factor of a matrix product")


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
