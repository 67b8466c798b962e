"""SPEC section 2 over explicit SymPy matrices, and the matrices of symbols variables become.

With gen/verify/exact.py the only module that imports SymPy. It never uses SymPy's
matrix calculus (``MatrixSymbol.diff`` is wrong on textbook identities, see
tests/unit/verify/test_sympy_guards.py): every matrix is explicit, a scalar is 1 x 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import sympy as sp
from sympy import MutableDenseMatrix as Mat

from gen.errors import Unsupported
from gen.expr.ast import (
    Binary,
    Call,
    DimT,
    Name,
    Neg,
    Node,
    Num,
    Transpose,
)
from gen.expr.functions import FUNCTIONS, Category
from gen.expr.shape import dim_value, size_dim
from gen.program import Symbol
from gen.spec.model import Prop


def _scalar(value: Any) -> Mat:
    return sp.Matrix([[value]])


def is_scalar(m: Mat) -> bool:
    return bool(m.shape == (1, 1))


class Interpreter:
    """SPEC section 2 over explicit SymPy matrices (a scalar is a 1 x 1 matrix)."""

    def __init__(self, env: Mapping[str, Mat], sizes: Mapping[str, int]) -> None:
        self.env = env
        self.sizes = sizes

    def value(self, node: Node) -> Mat:
        """The matrix ``node`` denotes."""
        if isinstance(node, Num):
            return _scalar(sp.Rational(node.value.numerator, node.value.denominator))
        if isinstance(node, Name):
            if node.id not in self.env and node.id in self.sizes:
                return _scalar(sp.Integer(self.sizes[node.id]))  # a dimension as a value
            if node.id not in self.env:
                raise Unsupported(f"the name '{node.id}' has no value")
            return self.env[node.id]
        if isinstance(node, Neg):
            return -self.value(node.operand)
        if isinstance(node, Transpose):
            return self.value(node.operand).T
        if isinstance(node, Binary):
            return self.binary(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, Call):
            return self.call(node)
        raise Unsupported(f"a node of type {type(node).__name__}")

    def binary(self, op: str, a: Mat, b: Mat) -> Mat:  # noqa: C901 - one case per operator
        """``a op b`` with a 1 x 1 operand of ``*``, ``.*``, ``./`` scaling the other."""
        if (
            op in ("+", "-", ".*", "./")
            and a.shape != b.shape
            and not (op in (".*", "./") and (is_scalar(a) or is_scalar(b)))
        ):
            a, b = _broadcast(a, b, op)
        scaling = is_scalar(a) or is_scalar(b)
        if op in ("+", "-"):
            return a + b if op == "+" else a - b
        if op == "*":
            if is_scalar(a):
                return a[0, 0] * b
            if is_scalar(b):
                return a * b[0, 0]
            return a * b
        if op == ".*":
            if scaling:
                return self.binary("*", a, b)
            return a.multiply_elementwise(b)
        if op in ("/", "./"):
            if is_scalar(b):
                return a / b[0, 0]
            if op == "/":
                raise Unsupported("'/' by a matrix")
            if is_scalar(a):
                return b.applyfunc(lambda e: a[0, 0] / e)
            return Mat(a.rows, a.cols, lambda i, j: a[i, j] / b[i, j])
        if op in ("^", ".^"):
            if not is_scalar(b):
                raise Unsupported(f"a matrix exponent of '{op}'")
            k = b[0, 0]
            if op == ".^" or is_scalar(a):
                return a.applyfunc(lambda e: e**k)
            if not (k.is_Integer):
                raise Unsupported("a matrix power needs an integer exponent")
            return _inv(a) ** int(-k) if k < 0 else a ** int(k)
        raise Unsupported(f"the operator '{op}'")

    def call(self, node: Call) -> Mat:
        """A function of SPEC section 2, by the ``sympy`` key of its row of the table."""
        row = FUNCTIONS.get(node.func)
        if row is None:
            raise Unsupported(f"the function '{node.func}'")
        if row.category is Category.CONSTANT:
            if node.shape is None:
                raise Unsupported("an I without an inferred shape")
            return sp.eye(self.size(node.shape[0]))
        if row.category is Category.SIZES:
            return _SIZES[row.sympy](*(self.dim(a) for a in node.args))
        values = [self.value(a) for a in node.args]
        if row.category is Category.ENTRYWISE:
            return values[0].applyfunc(ENTRYWISE_FORMS[row.sympy])
        return CALLS[row.sympy](*values)

    def dim(self, node: Node) -> int:
        """A size argument of eye, ones, zeros or commutation (``m*n`` included)."""
        dim = size_dim(node)
        if dim is None:
            raise Unsupported("a size that is neither a dimension, an integer nor their product")
        return self.size(dim)

    def size(self, d: DimT) -> int:
        """The concrete size of a dimension, or of a product of them (``m*n``)."""
        try:
            return dim_value(d, self.sizes)
        except KeyError as exc:
            raise Unsupported(f"no size for the dimension '{d}'") from exc


def _broadcast(a: Mat, b: Mat, op: str) -> tuple[Mat, Mat]:
    """Both operands of ``+ - .* ./`` expanded to their broadcast shape (NumPy's 2-D rule)."""
    rows = _axis(a.rows, b.rows, a, b, op)
    cols = _axis(a.cols, b.cols, a, b, op)

    def expand(m: Mat) -> Mat:
        return Mat(rows, cols, lambda i, j: m[i % m.rows, j % m.cols])

    return expand(a), expand(b)


def _axis(p: int, q: int, a: Mat, b: Mat, op: str) -> int:
    if p != q and 1 not in (p, q):
        raise Unsupported(f"'{op}' on shapes {a.shape} and {b.shape}")
    return max(p, q)


def kron(a: Mat, b: Mat) -> Mat:
    """The Kronecker product: block (i, j) is a[i, j] b."""
    return Mat(
        a.rows * b.rows,
        a.cols * b.cols,
        lambda i, j: a[i // b.rows, j // b.cols] * b[i % b.rows, j % b.cols],
    )


def commutation(m: int, n: int) -> Mat:
    """K_mn with K vec(A) = vec(A') for an m x n A: A[i, j] moves from j*m + i to i*n + j."""
    return Mat(m * n, m * n, lambda r, c: 1 if c == (r % n) * m + r // n else 0)


def _inv(x: Mat) -> Mat:
    if not x.is_square:
        raise Unsupported(f"inv of a {x.rows} x {x.cols} matrix")
    if is_scalar(x):
        if x[0, 0] == 0:
            raise ArithmeticError("inv of 0; undefined")
        return _scalar(1 / x[0, 0])
    det = x.det(method="berkowitz")
    if det == 0:
        raise ArithmeticError("inv of a matrix that is singular (det = 0); undefined")
    return x.adjugate() / det


def _det(x: Mat) -> Mat:
    if not x.is_square:
        raise Unsupported(f"det of a {x.rows} x {x.cols} matrix")
    return _scalar(x.det(method="berkowitz"))


def _diag(x: Mat) -> Mat:
    if x.cols == 1:
        return sp.diag(*list(x))
    if not x.is_square:
        raise Unsupported("diag of a matrix that is neither a column nor square")
    return Mat(x.rows, 1, lambda i, j: x[i, i])


def _along(x: Mat, k: Mat | None, whole: Callable[[Mat], Mat]) -> Mat:
    """``whole`` applied to ``x`` (no dimension), to each column (k = 1) or to each row (2).

    ``whole`` takes a column and returns a column (softmax) or a 1 x 1 (sum).
    """
    if k is None:
        return whole(x)
    if int(k[0, 0]) == 1:
        return Mat.hstack(*(whole(x[:, j]) for j in range(x.cols)))
    return Mat.vstack(*(whole(x[i, :].T).T for i in range(x.rows)))


def _sum(x: Mat) -> Mat:
    return _scalar(sum(x))


def _mean(x: Mat) -> Mat:
    return _scalar(sum(x) / len(x))


def _logsumexp(x: Mat) -> Mat:
    return _scalar(sp.log(sum(sp.exp(v) for v in x)))


def _softmax(x: Mat) -> Mat:
    e = x.applyfunc(sp.exp)
    total = sum(e)
    return e.applyfunc(lambda v: v / total)


# The sympy keys of the function table's rows (gen/expr/functions.py), interpreted here:
# an entrywise function's key is its formula in x.
ENTRYWISE_FORMS: Mapping[str, Callable[[Any], Any]] = MappingProxyType(
    {
        "exp(x)": sp.exp,
        "log(x)": sp.log,
        "sin(x)": sp.sin,
        "cos(x)": sp.cos,
        "tanh(x)": sp.tanh,
        "sqrt(x)": sp.sqrt,
        "1/(1 + exp(-x))": lambda v: 1 / (1 + sp.exp(-v)),
        "Max(x, 0)": lambda v: sp.Max(v, 0),
        # |x| and sign(x) as sqrt(x^2) and x/sqrt(x^2): SymPy differentiates Abs and sign
        # of symbols not declared real only as unevaluated derivatives of re and im.
        "Abs(x)": lambda v: sp.sqrt(v**2),
        "sign(x)": lambda v: v / sp.sqrt(v**2),
        "Heaviside(x, 0)": lambda v: sp.Heaviside(v, 0),
    }
)

_SIZES: Mapping[str, Callable[..., Mat]] = MappingProxyType(
    {
        "eye": sp.eye,
        "ones": lambda n: sp.ones(n, 1),
        "zeros": sp.zeros,
        "commutation": lambda m, n: commutation(m, n),
    }
)

_RELATIONS: Mapping[str, Callable[[Any, Any], Any]] = MappingProxyType(
    {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}
)


def _compare(op: str) -> Callable[[Mat, Mat], Mat]:
    """The mask of a comparison, entry by entry (broadcast): 1 where it holds, else 0."""
    relation = _RELATIONS[op]

    def mask(a: Mat, b: Mat) -> Mat:
        a, b = _broadcast(a, b, op)
        return Mat(
            a.rows,
            a.cols,
            lambda i, j: sp.Piecewise((1, relation(a[i, j], b[i, j])), (0, True)),
        )

    return mask


def _where(c: Mat, a: Mat, b: Mat) -> Mat:
    """where(C, A, B) entry by entry (all three broadcast): A's entry where the mask is 1."""
    c, a = _broadcast(c, a, "where")
    c, b = _broadcast(c, b, "where")
    a, _ = _broadcast(a, c, "where")
    return Mat(
        c.rows, c.cols, lambda i, j: sp.Piecewise((a[i, j], sp.Ne(c[i, j], 0)), (b[i, j], True))
    )


CALLS: Mapping[str, Callable[..., Mat]] = MappingProxyType(
    {
        "inv": _inv,
        "det": _det,
        "logdet": lambda x: _det(x).applyfunc(sp.log),
        "tr": lambda x: _scalar(x.trace()),
        "diag": _diag,
        "sum": lambda x, k=None: _along(x, k, _sum),
        "mean": lambda x, k=None: _along(x, k, _mean),
        "pi": lambda: _scalar(sp.pi),
        "norm2": lambda x: _scalar(sp.sqrt(sum(v * v for v in x))),
        "softmax": lambda x, k=None: _along(x, k, _softmax),
        "logsumexp": lambda x, k=None: _along(x, k, _logsumexp),
        "vec": lambda x: vec(x),
        "kron": lambda a, b: kron(a, b),
        "where": _where,
        **{op: _compare(op) for op in _RELATIONS},
    }
)

SIZE_KEYS = frozenset(_SIZES)


def variable_matrix(
    sym: Symbol, rows: int, cols: int, positive: set[Any], boost: dict[Any, int]
) -> Mat:
    """The variable as a props-honouring matrix of symbols.

    Symbols declared positive are added to ``positive``; diagonal symbols of a
    positive-definite or invertible matrix go to ``boost`` with the size, which
    the random point adds to keep the matrix diagonally dominant.
    """
    props = sym.props
    pd = Prop.POSITIVE_DEFINITE in props
    symmetric, diagonal = pd or Prop.SYMMETRIC in props, Prop.DIAGONAL in props
    made: dict[tuple[int, int], Any] = {}

    def entry(i: int, j: int) -> Any:
        if diagonal and i != j:
            return sp.Integer(0)
        fixed = _discrete_entry(props, i, j, rows, cols)
        if fixed is not None:
            return fixed
        if Prop.PROBABILITY in props and cols == 1 and i == rows - 1 and rows > 1:
            # Entries that sum to one: the last is 1 minus the others.
            return sp.Integer(1) - sum((entry(k, 0) for k in range(rows - 1)), sp.Integer(0))
        if Prop.PROBABILITY in props and cols > 1 and j == cols - 1:
            # Each row sums to one: its last entry is 1 minus the others.
            return sp.Integer(1) - sum((entry(i, k) for k in range(cols - 1)), sp.Integer(0))
        i, j = (j, i) if symmetric and i > j else (i, j)
        if (i, j) not in made:
            pos = Prop.POSITIVE in props or Prop.PROBABILITY in props or (pd and i == j)
            label = (
                sym.name
                if (rows, cols) == (1, 1)
                else (f"{sym.name}[{i + 1}]" if cols == 1 else f"{sym.name}[{i + 1},{j + 1}]")
            )
            made[(i, j)] = s = sp.Symbol(label, real=True, positive=True if pos else None)
            if pos:
                positive.add(s)
            if i == j and rows > 1 and (pd or Prop.INVERTIBLE in props):
                boost[s] = rows
        return made[(i, j)]

    return Mat(rows, cols, entry)


def _discrete_entry(props: frozenset[Prop], i: int, j: int, rows: int, cols: int) -> Any:
    """A fixed entry of a one-hot, binary or plus-minus-one variable (never a ``wrt``):
    a pattern with both values; None for the other props."""
    if Prop.ONE_HOT in props:
        hot = (1 % rows, 0) if cols == 1 else (i, (i + 1) % cols)
        return sp.Integer(int((i, j) == hot))
    bit = (i + 2 * j + 1) % 2 if (i + j) % 3 else 1
    if Prop.BINARY in props:
        return sp.Integer(bit)
    if Prop.PLUS_MINUS_ONE in props:
        return sp.Integer(2 * bit - 1)
    return None


def free_matrix(name: str, rows: int, cols: int) -> Mat:
    """Independent symbols for each entry of ``wrt`` (the unconstrained derivative)."""
    return Mat(rows, cols, lambda i, j: sp.Dummy(f"{name}_{i}_{j}"))


def vec(m: Mat) -> Mat:
    """vec(m): the columns of ``m`` stacked into one column."""
    return Mat(list(m.T))


def unvec(column: Mat, rows: int, cols: int) -> Mat:
    """The rows x cols matrix whose columns, stacked, are ``column`` (a vector or a row)."""
    flat = list(column)
    return Mat(rows, cols, lambda i, j: flat[i + j * rows])
