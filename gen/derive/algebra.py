"""Smart constructors for typed expressions: each checks its shape and folds the obvious."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from gen.expr.ast import (
    DIM_ARGS,
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
from gen.expr.measure import size as _size_of
from gen.expr.shape import (
    binary_shape,
    call_shape,
    dim_node,
    dim_product,
    integer_exponent,
    rule_arguments,
)


def num(value: Fraction | int) -> Node:
    """An exact number; negatives as ``Neg(Num)``."""
    v = Fraction(value)
    if v < 0:
        return Neg(Num(-v, shape=SCALAR), shape=SCALAR)
    return Num(v, shape=SCALAR)


def dim(d: DimT) -> Node:
    """A size as an argument of eye/ones/zeros/commutation (``m*n`` for a product)."""
    return dim_node(d)


def zero(shape: Shape) -> Node:
    """The zero of a shape."""
    if shape == SCALAR:
        return num(0)
    return Call("zeros", (dim(shape[0]), dim(shape[1])), shape=shape)


def identity(n: DimT) -> Node:
    """The n x n identity, printed ``I``."""
    return Call("I", (), shape=(n, n))


def eye(n: DimT) -> Node:
    """The n x n identity written with its size, ``eye(n)`` (where ``I`` could not be sized)."""
    if n == 1:
        return num(1)
    return Call("eye", (dim(n),), shape=(n, n))


def size(shape: Shape) -> DimT:
    """The number of entries of a shape (the length of its vec)."""
    return dim_product(shape[0], shape[1])


def kron(a: Node, b: Node) -> Node:
    """The Kronecker product a (x) b; a 1 x 1 side scales the other."""
    if _s(a) == SCALAR or _s(b) == SCALAR:
        return mul(a, b)
    if is_zero(a) or is_zero(b):
        return zero(call_shape("kron", [_s(a), _s(b)]))
    if isinstance(a, Neg):
        return neg(kron(a.operand, b))
    if isinstance(b, Neg):
        return neg(kron(a, b.operand))
    return call("kron", a, b)


def vec(a: Node) -> Node:
    """vec(a), the columns of a stacked; a column is its own vec."""
    if _s(a)[1] == 1:
        return a
    if _s(a)[0] == 1:  # a row: its vec is its transpose
        return transpose(a)
    if isinstance(a, Neg):
        return neg(vec(a.operand))
    return call("vec", a)


def commutation(m: DimT, n: DimT) -> Node:
    """K_mn, with K_mn vec(A) = vec(A') for an m x n A; K_1n = K_n1 = I_n."""
    if m == 1 or n == 1:
        return eye(dim_product(m, n))
    return Call("commutation", (dim(m), dim(n)), shape=(dim_product(m, n), dim_product(m, n)))


def ones(n: DimT) -> Node:
    """The ones vector of length n."""
    return Call("ones", (dim(n),), shape=(n, 1))


def is_zero(node: Node) -> bool:
    """True for a literal zero of any shape."""
    if isinstance(node, Num):
        return node.value == 0
    if isinstance(node, Neg):
        return is_zero(node.operand)
    return isinstance(node, Call) and node.func == "zeros"


def is_one(node: Node) -> bool:
    """True for the number 1."""
    return isinstance(node, Num) and node.value == 1


def is_identity(node: Node) -> bool:
    """True for ``I`` or ``eye(n)``."""
    return isinstance(node, Call) and node.func in ("I", "eye")


def name(ident: str, shape: Shape) -> Node:
    """A reference to a variable or definition."""
    return Name(ident, shape=shape)


def neg(a: Node) -> Node:
    """-a."""
    if is_zero(a):
        return a
    if isinstance(a, Neg):
        return a.operand
    return Neg(a, shape=a.shape)


def broadcast(a: Node, shape: Shape) -> Node:
    """``a`` written out in the larger ``shape`` it broadcasts to, by products with ones:
    a row b' as 1 b', a column c as c 1', a scalar s as s 1 (or s 1 1')."""
    rows, cols = _s(a)
    if (rows, cols) == tuple(shape):
        return a
    if (rows, cols) == SCALAR and shape[1] == 1:
        return mul(a, ones(shape[0]))
    if (rows, cols) == SCALAR and shape[0] != 1:
        return mul(a, mul(ones(shape[0]), transpose(ones(shape[1]))))
    if rows == 1 and shape[0] != 1:
        return mul(ones(shape[0]), a)
    return mul(a, transpose(ones(shape[1])))


def add(a: Node, b: Node) -> Node:
    """a + b (shapes must agree, or broadcast: then a zero side leaves the other expanded)."""
    shape = binary_shape("+", _s(a), _s(b))
    if is_zero(a):
        return broadcast(b, shape)
    if is_zero(b):
        return broadcast(a, shape)
    if isinstance(b, Neg):
        return Binary("-", a, b.operand, shape=shape)
    return Binary("+", a, b, shape=shape)


def sub(a: Node, b: Node) -> Node:
    """a - b."""
    return add(a, neg(b))


def mul(a: Node, b: Node) -> Node:
    """The product a*b: a matrix product, or scaling when either side is 1 x 1."""
    shape = binary_shape("*", _s(a), _s(b))
    if is_zero(a) or is_zero(b):
        return zero(shape)
    if isinstance(a, Neg):
        return neg(mul(a.operand, b))
    if isinstance(b, Neg):
        return neg(mul(a, b.operand))
    if is_one(a):
        return b if b.shape == shape else Binary("*", a, b, shape=shape)
    if is_one(b):
        return a if a.shape == shape else Binary("*", a, b, shape=shape)
    if is_identity(a) and a.shape != SCALAR and b.shape != SCALAR:
        return b
    if is_identity(b) and b.shape != SCALAR and a.shape != SCALAR:
        return a
    if isinstance(b, Num) and not isinstance(a, Num):
        a, b = b, a  # constants first: 2*x, not x*2
    if isinstance(a, Num) and isinstance(b, Binary) and b.op == "*" and _s(b.left) != SCALAR:
        return mul(mul(a, b.left), b.right)  # 2*a*x', not 2*(a*x')
    return Binary("*", a, b, shape=shape)


def product(factors: list[Node]) -> Node | None:
    """The product of the factors in order (None for no factors)."""
    if not factors:
        return None
    out = factors[0]
    for f in factors[1:]:
        out = mul(out, f)
    return out


def div(a: Node, c: Node) -> Node:
    """a / c with c a scalar."""
    shape = binary_shape("/", _s(a), _s(c))
    if is_one(c):
        return a
    if is_zero(a):
        return zero(shape)
    if isinstance(a, Neg):
        return neg(div(a.operand, c))
    return Binary("/", a, c, shape=shape)


def binary(op: str, a: Node, b: Node) -> Node:
    """Any binary operator, through the folding constructors where there is one."""
    if op == "+":
        return add(a, b)
    if op == "-":
        return sub(a, b)
    if op == "*":
        return mul(a, b)
    if op == "/":
        return div(a, b)
    integer = op == "^" and integer_exponent(b) is not None
    shape = binary_shape(op, _s(a), _s(b), integer_exponent=integer)
    if (op == ".*" and (is_zero(a) or is_zero(b))) or (op == "./" and is_zero(a)):
        return zero(shape)  # 0 ./ B = 0 wherever B may be divided by
    if op in (".*", "./") and is_one(b):
        return a
    return Binary(op, a, b, shape=shape)


def transpose(a: Node, symmetric: frozenset[str] = frozenset()) -> Node:
    """a', pushed through negation; a 1 x 1, a symmetric name or I is its own transpose."""
    if a.shape == SCALAR or is_identity(a) or (isinstance(a, Name) and a.id in symmetric):
        return a
    if isinstance(a, Call) and a.func == "diag" and a.shape is not None and a.shape[1] != 1:
        return a  # diag(x) of a vector is symmetric (diag(A) of a matrix is a column)
    if (
        isinstance(a, Call)
        and a.func == "inv"
        and (transpose(a.args[0], symmetric) == a.args[0] or _palindrome(a.args[0], symmetric))
    ):
        return a  # the inverse of a symmetric matrix is symmetric
    if isinstance(a, Binary) and a.op == "*" and _palindrome(a, symmetric):
        return a  # X'X, X A X' with A symmetric
    if isinstance(a, Binary) and a.op in ("+", "-"):
        pushed = binary(a.op, transpose(a.left, symmetric), transpose(a.right, symmetric))
        if _size_of(pushed) < _size_of(a) + 1:  # (A + A')' = A' + A; (X w - y)' stays whole
            return pushed
    if isinstance(a, Binary) and a.op == "^" and _s(a.left) != SCALAR:
        return binary("^", transpose(a.left, symmetric), a.right)  # (A^k)' = (A')^k
    if isinstance(a, Transpose):
        return a.operand
    if isinstance(a, Call) and a.func == "kron":  # (A (x) B)' = A' (x) B'
        return kron(transpose(a.args[0], symmetric), transpose(a.args[1], symmetric))
    if isinstance(a, Call) and a.func == "commutation":  # K_mn' = K_nm
        return commutation(_dim_of(a.args[1]), _dim_of(a.args[0]))
    if isinstance(a, Neg):
        return neg(transpose(a.operand, symmetric))
    if isinstance(a, Binary) and a.op in ("*", "/") and _s(a.right) == SCALAR:
        return binary(a.op, transpose(a.left, symmetric), a.right)
    if isinstance(a, Binary) and a.op == "*" and _s(a.left) == SCALAR:
        return mul(a.left, transpose(a.right, symmetric))
    if is_zero(a):
        return zero((_s(a)[1], _s(a)[0]))
    return Transpose(a, shape=(_s(a)[1], _s(a)[0]))


def _palindrome(a: Node, symmetric: frozenset[str]) -> bool:
    """A product equal to its transpose factor by factor: F1 ... Fk with Fk' = F1, ..."""
    factors: list[Node] = []
    stack = [a]
    while stack:
        n = stack.pop()
        if isinstance(n, Binary) and n.op == "*" and SCALAR not in (_s(n.left), _s(n.right)):
            stack += (n.right, n.left)
        else:
            factors.append(n)
    if len(factors) < 2:
        return False
    return all(
        transpose(f, symmetric) == g for f, g in zip(factors, reversed(factors), strict=True)
    )


def call(func: str, *args: Node) -> Node:
    """f(args) with its shape."""
    return Call(func, tuple(args), shape=call_shape(func, rule_arguments(func, args)))


def substitute(node: Node, defs: Mapping[str, Node]) -> Node:
    """Replace names by their definitions (once, not recursively into the replacements)."""
    defs = {k: v for k, v in defs.items() if not (isinstance(v, Name) and v.id == k)}
    if not defs:
        return node
    memo: dict[int, Node] = {}  # shared subtrees are rebuilt once

    def walk(n: Node) -> Node:
        key = id(n)
        if key not in memo:
            if isinstance(n, Name) or any(walk(c) is not c for c in children(n)):
                memo[key] = _substitute(n, defs, walk)
            else:
                memo[key] = n  # nothing below is replaced: the node as it is
        return memo[key]

    return walk(node)


def replace_subtrees(
    node: Node,
    table: Mapping[Node, Node],
    memo: dict[int, Node] | None = None,
    keep: list[Node] | None = None,
) -> Node:
    """``node`` with each subtree equal to a key of ``table`` (and of its shape) replaced
    by the value; untouched subtrees stay the same objects. ``memo`` (by id) may be
    shared across calls, with ``keep`` holding the nodes so that their ids stay valid."""
    memo = {} if memo is None else memo

    def walk(n: Node) -> Node:
        key = id(n)
        if key not in memo:
            found = table.get(n)
            if found is not None and found.shape == n.shape:
                memo[key] = found
            elif all(walk(c) is c for c in children(n)):
                memo[key] = n
            else:
                memo[key] = map_children(n, walk)
            if keep is not None:
                keep.append(n)
        return memo[key]

    return walk(node)


def map_children(node: Node, walk: Callable[[Node], Node]) -> Node:
    """``node`` rebuilt (through the folding constructors) with each child replaced by walk."""
    return _substitute(node, {}, walk)


def _substitute(node: Node, defs: Mapping[str, Node], walk: Callable[[Node], Node]) -> Node:
    if isinstance(node, Name):
        return defs.get(node.id, node)
    if isinstance(node, Neg):
        return neg(walk(node.operand))
    if isinstance(node, Transpose):
        inner = walk(node.operand)
        return Transpose(inner, shape=node.shape) if inner.shape != SCALAR else inner
    if isinstance(node, Binary):
        return binary(node.op, walk(node.left), walk(node.right))
    if isinstance(node, Call) and node.args and node.func not in DIM_ARGS:
        return Call(node.func, tuple(walk(x) for x in node.args), shape=node.shape)
    return node


def _dim_of(node: Node) -> DimT:
    """The size an argument of eye/ones/zeros/commutation stands for."""
    if isinstance(node, Num):
        return int(node.value)
    if isinstance(node, Name):
        return node.id
    assert isinstance(node, Binary) and node.op == "*", node
    return dim_product(_dim_of(node.left), _dim_of(node.right))


def _s(node: Node) -> Shape:
    if node.shape is None:
        raise ValueError(f"untyped node {node!r}")
    return node.shape
