"""The exact check: a derivation redone entry by entry on explicit SymPy matrices.

The only module that imports SymPy. It never uses SymPy's matrix calculus
(``MatrixSymbol.diff`` is wrong on textbook identities, see
tests/unit/test_sympy_guards.py). Dimensions get small distinct sizes (2, 3,
... in the order of ``dims``); each variable becomes a matrix of symbols that
honours its props (symmetric: X[i,j] is X[j,i]; diagonal: zeros off the
diagonal; positive entries, and the diagonal of a positive-definite matrix,
declared positive); the definitions are interpreted over those matrices
(SPEC section 2) with ``wrt`` replaced by independent symbols, one per entry;
``of`` is differentiated entry by entry, and the independent symbols are then
replaced by the value ``wrt`` has (its structured matrix, or its definition).
For a symmetric or diagonal ``wrt`` this is the unconstrained derivative at a
structured point, the convention of the numeric check. The entries are laid
out as SPEC section 3 says (through d vec(of) / d vec(wrt)^T, columns
stacked) and compared with the interpreted ``result``: first at a random
rational point that honours the props (exact for rational functions, 50
digits otherwise), which refutes a wrong result at once; then each
difference is proved zero by ``cancel`` (which decides rational functions),
``expand``, or, within the time budget and for small entries, ``simplify``.
Without a proof in time the check passes on the random point and says so.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp  # type: ignore[import-untyped]
from sympy import MutableDenseMatrix as Mat  # type: ignore[import-untyped]

from gen.derive.steps import Derivation, Step
from gen.errors import Unsupported
from gen.expr.ast import (
    DIM_ARGS,
    ENTRYWISE,
    Binary,
    Call,
    DimT,
    Name,
    Neg,
    Node,
    Num,
    Transpose,
    children,
)
from gen.expr.shape import dim_value, size_dim
from gen.program import Program, Symbol
from gen.spec.model import Layout, Prop

TIME_LIMIT = 5.0  # seconds for one derivation, proofs included
SIMPLIFY_MAX_OPS = 300  # entries larger than this are not given to sympy.simplify
DIGITS = 50  # precision of the random-point check when the entries are not rational
FIRST_SIZE = 2


@dataclass(frozen=True)
class ExactResult:
    """The outcome of the exact check of one derivation.

    ``ok`` is True when the result equals the entry-by-entry derivative,
    False when it does not, and None when the check could not be made (an
    expression it cannot interpret, a singular point); ``detail`` says how
    it was decided, in one sentence. ``proved`` is True when every entry was
    shown zero symbolically (not only at a random rational point). ``steps``
    holds, per step of the derivation, True/False for a step whose check
    form was compared, None otherwise.
    """

    ok: bool | None
    detail: str
    sizes: dict[str, int] = field(default_factory=dict)
    proved: bool = False
    steps: tuple[bool | None, ...] = ()
    seconds: float = 0.0


def exact_json(result: ExactResult) -> dict[str, Any]:
    """The fields the exact check adds to ``verified`` in the results contract.

    Returns:
        ``{"exact": true | false | null, "exact_detail": "..."}``.
    """
    return {"exact": result.ok, "exact_detail": result.detail}


def default_sizes(dims: tuple[str, ...]) -> dict[str, int]:
    """Distinct small sizes, 2, 3, 4, ... in the order of ``dims``."""
    return {d: FIRST_SIZE + i for i, d in enumerate(dims)}


def exact_check(program: Program, derivation: Derivation,
                sizes: Mapping[str, int] | None = None, *, steps: bool = True,
                time_limit: float = TIME_LIMIT, seed: int = 0) -> ExactResult:
    """Check a derivation's result (and its checkable steps) exactly at small sizes.

    Args:
        program: The checked spec the derivation comes from.
        derivation: The derivation; its ``result`` is written in the variables.
        sizes: An integer for some or all dimensions; the others get 2, 3, ...
        steps: Also compare each step that carries a check form.
        time_limit: Seconds after which no more symbolic proofs are attempted.
        seed: Seed of the random rational point.

    Returns:
        The verdict and a one-sentence detail.
    """
    start = time.perf_counter()
    chosen = default_sizes(program.dims)
    chosen.update(sizes or {})
    where = ", ".join(f"{d}={n}" for d, n in chosen.items()) or "no dimensions"
    try:
        check = _Check(program, derivation, chosen, seed, start + time_limit)
        verdict = check.result()
        step_verdicts = check.steps() if steps and verdict.ok is not None else ()
    except Unsupported as exc:
        return ExactResult(None, f"not checked exactly: {exc}", chosen,
                           seconds=time.perf_counter() - start)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError) as exc:
        return ExactResult(None, f"not checked exactly at {where}: {type(exc).__name__}: {exc}",
                           chosen, seconds=time.perf_counter() - start)
    detail = f"{verdict.detail} at {where}"
    bad = [i + 1 for i, ok in enumerate(step_verdicts) if ok is False]
    ok = verdict.ok
    if bad:
        ok = False
        detail += f"; step(s) {', '.join(map(str, bad))} differ"
    elif any(v is not None for v in step_verdicts):
        detail += f"; {sum(v is True for v in step_verdicts)} step(s) agree"
    return ExactResult(ok, detail, chosen, verdict.proved, tuple(step_verdicts),
                       time.perf_counter() - start)


# ----------------------------------------------------------------------------- interpreter


def _scalar(value: Any) -> Mat:
    return sp.Matrix([[value]])


def _is_scalar(m: Mat) -> bool:
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

    def binary(self, op: str, a: Mat, b: Mat) -> Mat:
        """``a op b`` with a 1 x 1 operand of ``*``, ``.*``, ``./`` scaling the other."""
        scaling = _is_scalar(a) or _is_scalar(b)
        if op in ("+", "-"):
            if a.shape != b.shape:
                raise Unsupported(f"'{op}' on shapes {a.shape} and {b.shape}")
            return a + b if op == "+" else a - b
        if op == "*":
            if _is_scalar(a):
                return a[0, 0] * b
            if _is_scalar(b):
                return a * b[0, 0]
            return a * b
        if op == ".*":
            if scaling:
                return self.binary("*", a, b)
            return a.multiply_elementwise(b)
        if op in ("/", "./"):
            if _is_scalar(b):
                return a / b[0, 0]
            if op == "/":
                raise Unsupported("'/' by a matrix")
            if _is_scalar(a):
                return b.applyfunc(lambda e: a[0, 0] / e)
            return Mat(a.rows, a.cols, lambda i, j: a[i, j] / b[i, j])
        if op in ("^", ".^"):
            if not _is_scalar(b):
                raise Unsupported(f"a matrix exponent of '{op}'")
            k = b[0, 0]
            if op == ".^" or _is_scalar(a):
                return a.applyfunc(lambda e: e ** k)
            if not (k.is_Integer):
                raise Unsupported("a matrix power needs an integer exponent")
            return _inv(a) ** int(-k) if k < 0 else a ** int(k)
        raise Unsupported(f"the operator '{op}'")

    def call(self, node: Call) -> Mat:
        """A function of SPEC section 2."""
        f = node.func
        if f == "I":
            if node.shape is None:
                raise Unsupported("an I without an inferred shape")
            return sp.eye(self.size(node.shape[0]))
        if f in DIM_ARGS:
            dims = [self.dim(a) for a in node.args]
            if f == "eye":
                return sp.eye(dims[0])
            if f == "ones":
                return sp.ones(dims[0], 1)
            if f == "commutation":
                return _commutation(dims[0], dims[1])
            return sp.zeros(dims[0], dims[1])
        if f == "kron":
            return _kron(self.value(node.args[0]), self.value(node.args[1]))
        if f not in _CALLS:
            raise Unsupported(f"the function '{f}'")
        return _CALLS[f](self.value(node.args[0]))

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


def _kron(a: Mat, b: Mat) -> Mat:
    """The Kronecker product: block (i, j) is a[i, j] b."""
    return Mat(a.rows * b.rows, a.cols * b.cols,
               lambda i, j: a[i // b.rows, j // b.cols] * b[i % b.rows, j % b.cols])


def _commutation(m: int, n: int) -> Mat:
    """K_mn with K vec(A) = vec(A') for an m x n A: A[i, j] moves from j*m + i to i*n + j."""
    return Mat(m * n, m * n, lambda r, c: 1 if c == (r % n) * m + r // n else 0)


def _inv(x: Mat) -> Mat:
    if not x.is_square:
        raise Unsupported(f"inv of a {x.rows} x {x.cols} matrix")
    if _is_scalar(x):
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
    if x.cols != 1:
        raise Unsupported("diag of a matrix that is not a column")
    return sp.diag(*list(x))


def _softmax(x: Mat) -> Mat:
    e = x.applyfunc(sp.exp)
    total = sum(e)
    return e.applyfunc(lambda v: v / total)


_ENTRYWISE: dict[str, Callable[[Any], Any]] = {
    "exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh,
    "sqrt": sp.sqrt, "sigmoid": lambda v: 1 / (1 + sp.exp(-v)),
}
assert set(_ENTRYWISE) == set(ENTRYWISE)

_CALLS: dict[str, Callable[[Mat], Mat]] = {
    "inv": _inv,
    "det": _det,
    "logdet": lambda x: _det(x).applyfunc(sp.log),
    "tr": lambda x: _scalar(x.trace()),
    "diag": _diag,
    "sum": lambda x: _scalar(sum(x)),
    "norm2": lambda x: _scalar(sp.sqrt(sum(v * v for v in x))),
    "softmax": _softmax,
    "logsumexp": lambda x: _scalar(sp.log(sum(sp.exp(v) for v in x))),
    "vec": lambda x: _vec(x),
    **{f: (lambda g: lambda x: x.applyfunc(g))(g) for f, g in _ENTRYWISE.items()},
}


# ----------------------------------------------------------------------------- the symbols


def _variable(sym: Symbol, rows: int, cols: int, positive: set[Any],
              boost: dict[Any, int]) -> Mat:
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
        if Prop.PROBABILITY in props and i == rows - 1 and rows > 1:
            # Entries that sum to one: the last is 1 minus the others.
            return sp.Integer(1) - sum((entry(k, 0) for k in range(rows - 1)), sp.Integer(0))
        i, j = (j, i) if symmetric and i > j else (i, j)
        if (i, j) not in made:
            pos = Prop.POSITIVE in props or Prop.PROBABILITY in props or (pd and i == j)
            label = sym.name if (rows, cols) == (1, 1) else (
                f"{sym.name}[{i + 1}]" if cols == 1 else f"{sym.name}[{i + 1},{j + 1}]")
            made[(i, j)] = s = sp.Symbol(label, real=True, positive=True if pos else None)
            if pos:
                positive.add(s)
            if i == j and rows > 1 and (pd or Prop.INVERTIBLE in props):
                boost[s] = rows
        return made[(i, j)]

    return Mat(rows, cols, entry)


def _free(name: str, rows: int, cols: int) -> Mat:
    """Independent symbols for each entry of ``wrt`` (the unconstrained derivative)."""
    return Mat(rows, cols, lambda i, j: sp.Dummy(f"{name}_{i}_{j}"))


def _mentions(node: Node, names: set[str]) -> bool:
    if isinstance(node, Name):
        return node.id in names
    return any(_mentions(c, names) for c in children(node))


# ----------------------------------------------------------------------------- the check


@dataclass(frozen=True)
class _Verdict:
    ok: bool | None
    detail: str
    proved: bool = False


class _Frame:
    """The definitions with one name's entries made independent symbols."""

    def __init__(self, check: _Check, wrt: str) -> None:
        actual = check.actual
        self.free = _free(wrt, *actual[wrt].shape)
        self.env: dict[str, Mat] = {**actual, wrt: self.free}
        live = {wrt}
        for s in check.program.definitions:
            assert s.expr is not None
            if s.name != wrt and _mentions(s.expr, live):
                live.add(s.name)
                self.env[s.name] = Interpreter(self.env, check.sizes).value(s.expr)
        self.back = {f: v for f, v in zip(self.free, actual[wrt])}
        self.jacs: dict[str, Mat] = {}

    def jac(self, name: str) -> Mat:
        """d vec(name) / d vec(wrt)^T (columns stacked), the free symbols still in."""
        if name not in self.jacs:
            fv, xs = _vec(self.env[name]), _vec(self.free)
            self.jacs[name] = Mat(len(fv), len(xs), lambda i, j: sp.diff(fv[i], xs[j]))
        return self.jacs[name]

    def actual(self, m: Mat) -> Mat:
        """The free symbols replaced by the value the name really has."""
        return m.applyfunc(lambda e: sp.sympify(e).xreplace(self.back))


class _Check:
    """One exact check: the symbols, the interpreted definitions, the derivatives."""

    def __init__(self, program: Program, d: Derivation, sizes: dict[str, int], seed: int,
                 deadline: float) -> None:
        self.program, self.d, self.sizes, self.deadline = program, d, sizes, deadline
        self.rng = random.Random(seed)
        interp = Interpreter({}, sizes)
        self.actual: dict[str, Mat] = {}
        self.positive: set[Any] = set()
        self.boost: dict[Any, int] = {}
        for s in program.symbols.values():
            if s.variable is not None:
                rows, cols = (interp.size(x) for x in s.shape)
                self.actual[s.name] = _variable(s, rows, cols, self.positive, self.boost)
        for s in program.definitions:
            assert s.expr is not None
            self.actual[s.name] = Interpreter(self.actual, sizes).value(s.expr)
        self.dwrt = _free(f"d{d.wrt}", *self.actual[d.wrt].shape)
        self.frames: dict[str, _Frame] = {}
        self.derivatives: dict[tuple[str, str, int], Mat] = {}
        self._point: dict[Any, Any] | None = None

    def frame(self, wrt: str) -> _Frame:
        """The frame of ``wrt`` (made once)."""
        if wrt not in self.frames:
            self.frames[wrt] = _Frame(self, wrt)
        return self.frames[wrt]

    def derivative(self, of: str, wrt: str, order: int = 1) -> Mat:
        """d(of)/d(wrt) in the derivation's layout (SPEC section 3), at the actual values."""
        key = (of, wrt, order)
        if key not in self.derivatives:
            frame, layout = self.frame(wrt), self.d.layout
            of_m, x = frame.env[of], frame.free
            jac = frame.jac(of)
            if order == 2:
                if not _is_scalar(of_m) or x.cols != 1:
                    raise Unsupported("a Hessian of a non-scalar or by a matrix")
                out = Mat(x.rows, x.rows, lambda i, j: sp.diff(jac[0, i], x[j]))
            elif _is_scalar(of_m):
                grad = _unvec(jac.T, *x.shape)
                out = grad.T if layout is Layout.NUMERATOR else grad
            elif _is_scalar(x):
                deriv = _unvec(jac, *of_m.shape)
                out = deriv.T if layout is Layout.DENOMINATOR else deriv
            else:
                out = jac.T if layout is Layout.DENOMINATOR else jac
            self.derivatives[key] = frame.actual(out)
        return self.derivatives[key]

    def value(self, node: Node) -> Mat:
        """An expression in the variables (and d<wrt>), at the actual values."""
        env = dict(self.actual)
        env[f"d{self.d.wrt}"] = self.dwrt
        return Interpreter(env, self.sizes).value(node)

    # the comparisons

    def result(self) -> _Verdict:
        """The result against the entry-by-entry derivative."""
        want = self.derivative(self.d.of, self.d.wrt, self.d.order)
        got = self.value(self.d.result)
        claimed = tuple(Interpreter({}, self.sizes).size(x) for x in self.d.shape)
        if claimed != want.shape:
            return _Verdict(False, f"the stated shape {claimed} is not the derivative's "
                                   f"{want.shape}")
        return self.compare(got, want, "the result")

    def steps(self) -> tuple[bool | None, ...]:
        """True/False for each step with a check form the exact check understands."""
        out: list[bool | None] = []
        for step in self.d.steps:
            out.append(self.step(step) if time.perf_counter() < self.deadline else None)
        return tuple(out)

    def step(self, step: Step) -> bool | None:
        """Compare one step's check form with what it claims to equal (None: no claim)."""
        d, frame = self.d, self.frame(self.d.wrt)
        of = step.of or d.of
        if step.check is None:
            return None
        if step.equals == "derivative" and step.wrt and (of, step.wrt) != (d.of, d.wrt):
            want = self.derivative(of, step.wrt)
        elif step.equals == "derivative":
            want = self.derivative(d.of, d.wrt, d.order)
        elif step.equals == "differential":
            want = _unvec(frame.actual(frame.jac(of)) * _vec(self.dwrt), *frame.env[of].shape)
        elif step.equals == "vec-differential":  # d vec(of) = J d vec(wrt), a column
            want = frame.actual(frame.jac(of)) * _vec(self.dwrt)
        elif step.equals == "gradient":
            want = frame.actual(_unvec(frame.jac(d.of).T, *frame.free.shape))
        elif step.equals == "dgradient":
            want = self.derivative(d.of, d.wrt, 2) * self.dwrt
        else:
            return None
        return self.compare(self.value(step.check), want, "the step", prove=False).ok

    def compare(self, got: Mat, want: Mat, what: str, *, prove: bool = True) -> _Verdict:
        """Entry by entry: a random rational point first, then symbolic proofs."""
        if got.shape != want.shape:
            return _Verdict(False, f"{what} has shape {got.shape}, the derivative {want.shape}")
        for k in range(len(got)):
            if not self.zero_at_point(got[k], want[k]):
                i, j = divmod(k, got.cols)
                return _Verdict(False, f"{what} differs from the derivative in entry "
                                       f"({i + 1}, {j + 1}): {_short(got[k])} vs "
                                       f"{_short(want[k])}")
        if not prove:
            return _Verdict(True, "agrees at a random rational point")
        unproved = 0
        for k in range(len(got)):
            proof = self.prove(got[k] - want[k])
            if proof is False:
                return _Verdict(False, f"{what} differs from the derivative symbolically")
            unproved += proof is None
        n = len(got)
        if unproved == 0:
            return _Verdict(True, f"equal symbolically in all {n} entries", proved=True)
        return _Verdict(True, f"equal at a random rational point ({DIGITS} digits); "
                              f"{unproved} of {n} entries not proved symbolically in time")

    def point(self) -> dict[Any, Any]:
        """A random rational point that honours the props, on every symbol used."""
        if self._point is None:
            symbols: set[Any] = set()
            for m in self.actual.values():
                for e in m:
                    symbols |= e.free_symbols
            symbols |= set(self.dwrt)
            pt: dict[Any, Any] = {}
            for s in sorted(symbols, key=str):  # in (0, 0.9], a sign unless positive
                value = sp.Rational(self.rng.randint(1, 90), 100)
                if s not in self.positive and self.rng.random() < 0.5:
                    value = -value
                pt[s] = value + self.boost.get(s, 0)
            self._point = pt
        return self._point

    def zero_at_point(self, a: Any, b: Any) -> bool:
        """True when ``a = b`` at the random point: exactly, or to DIGITS digits.

        Raises:
            ArithmeticError: When either side is undefined there (a singular point).
        """
        a, b = sp.sympify(a), sp.sympify(b)
        exact = not (a.has(sp.Function) or b.has(sp.Function))
        if exact:  # rational functions, unless a power such as sqrt leaves the rationals
            av, bv = a.xreplace(self.point()), b.xreplace(self.point())
            exact = av.is_Rational and bv.is_Rational
        if not exact:
            floats = {k: sp.Float(v, DIGITS) for k, v in self.point().items()}
            av, bv = (x.xreplace(floats).evalf(DIGITS) for x in (a, b))
        if any(v.has(sp.zoo, sp.nan, sp.oo, -sp.oo) for v in (av, bv)):
            raise ArithmeticError("an entry is undefined at the random point")
        if exact:
            return bool(av == bv)
        scale = sp.Max(1, abs(av), abs(bv))
        return bool(abs(av - bv) <= sp.Float(10, DIGITS) ** (8 - DIGITS) * scale)

    def prove(self, e: Any) -> bool | None:
        """True when e is zero symbolically, False when it is not, None when undecided."""
        e = sp.sympify(e)
        if e == 0:
            return True
        if e.is_rational_function():
            return bool(sp.cancel(e) == 0)
        for way in (sp.expand, lambda x: sp.cancel(sp.together(x))):
            if way(e) == 0:
                return True
        if time.perf_counter() < self.deadline and sp.count_ops(e) <= SIMPLIFY_MAX_OPS:
            if sp.simplify(e) == 0:
                return True
        return None


def _vec(m: Mat) -> Mat:
    """vec(m): the columns of ``m`` stacked into one column."""
    return Mat(list(m.T))


def _unvec(column: Mat, rows: int, cols: int) -> Mat:
    """The rows x cols matrix whose columns, stacked, are ``column`` (a vector or a row)."""
    flat = list(column)
    return Mat(rows, cols, lambda i, j: flat[i + j * rows])


def _short(e: Any, limit: int = 60) -> str:
    text = str(e)
    return text if len(text) <= limit else text[: limit - 3] + "..."
