"""The exact check: a derivation redone entry by entry on explicit SymPy matrices.

With gen/verify/sympy_interp.py the only module that imports SymPy. It never uses
SymPy's matrix calculus (``MatrixSymbol.diff`` is wrong on textbook identities, see
tests/unit/verify/test_sympy_guards.py). Dimensions get small distinct sizes (2, 3,
... in the order of ``dims``: ``points.sample_sizes``, which the numeric check draws
its sizes from too); each variable becomes a matrix of symbols
(gen/verify/sympy_interp.py) that honours its props (symmetric: X[i,j] is X[j,i];
diagonal: zeros off the diagonal; positive entries, and the diagonal of a
positive-definite matrix, declared positive); the definitions are interpreted over
those matrices (SPEC section 2) with ``wrt`` replaced by independent symbols, one
per entry; ``of`` is differentiated entry by entry, and the independent symbols are
then replaced by the value ``wrt`` has (its structured matrix, or its definition).
For a symmetric or diagonal ``wrt`` this is the unconstrained derivative at a
structured point, the convention of the numeric check. The entries are laid out as
SPEC section 3 says (through d vec(of) / d vec(wrt)^T, columns stacked) and compared
with the interpreted ``result``: first at a random rational point that honours the
props (exact for rational functions, 50 digits otherwise), which refutes a wrong
result at once; then each difference is proved zero by ``cancel`` (which decides
rational functions), ``expand``, or, within the time budget and for small entries,
``simplify`` (an entry with a choice, a Piecewise: each branch by ``cancel`` or
``expand``, never ``simplify``, which takes seconds an entry there). Without a proof in
time the check passes on the random point and says so. What a step is compared with
comes from the one dispatch of gen/verify/claims.py.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy import MutableDenseMatrix as Mat

from gen.derive.steps import Derivation, Step
from gen.errors import Unsupported
from gen.expr.ast import Node
from gen.expr.walk import mentions
from gen.program import Program
from gen.spec.model import Layout
from gen.verify import points as sampled
from gen.verify.claims import claimed
from gen.verify.points import EXACT_FIRST_SIZE
from gen.verify.sympy_interp import (
    Interpreter,
    free_matrix,
    is_scalar,
    unvec,
    variable_matrix,
    vec,
)

TIME_LIMIT = 5.0  # seconds for one derivation, proofs included
SIMPLIFY_MAX_OPS = 300  # entries larger than this are not given to sympy.simplify
DIGITS = 50  # precision of the random-point check when the entries are not rational


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


def exact_check(
    program: Program,
    derivation: Derivation,
    sizes: Mapping[str, int] | None = None,
    *,
    steps: bool = True,
    time_limit: float = TIME_LIMIT,
    seed: int = 0,
) -> ExactResult:
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
    chosen = sampled.sample_sizes(program.dims, EXACT_FIRST_SIZE)
    chosen.update(sizes or {})
    where = ", ".join(f"{d}={n}" for d, n in chosen.items()) or "no dimensions"
    try:
        check = _Check(program, derivation, chosen, seed, start + time_limit)
        verdict = check.result()
        step_verdicts = check.steps() if steps and verdict.ok is not None else ()
    except Unsupported as exc:
        return ExactResult(
            None, f"not checked exactly: {exc}", chosen, seconds=time.perf_counter() - start
        )
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError) as exc:
        return ExactResult(
            None,
            f"not checked exactly at {where}: {type(exc).__name__}: {exc}",
            chosen,
            seconds=time.perf_counter() - start,
        )
    detail = f"{verdict.detail} at {where}"
    bad = [i + 1 for i, ok in enumerate(step_verdicts) if ok is False]
    ok = verdict.ok
    if bad:
        ok = False
        detail += f"; step(s) {', '.join(map(str, bad))} differ"
    elif any(v is not None for v in step_verdicts):
        detail += f"; {sum(v is True for v in step_verdicts)} step(s) agree"
    return ExactResult(
        ok, detail, chosen, verdict.proved, tuple(step_verdicts), time.perf_counter() - start
    )


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
        self.free = free_matrix(wrt, *actual[wrt].shape)
        self.env: dict[str, Mat] = {**actual, wrt: self.free}
        live = {wrt}
        for s in check.program.definitions:
            assert s.expr is not None
            if s.name != wrt and mentions(s.expr, live):
                live.add(s.name)
                self.env[s.name] = Interpreter(self.env, check.sizes).value(s.expr)
        self.back = {f: v for f, v in zip(self.free, actual[wrt], strict=True)}
        self.jacs: dict[str, Mat] = {}

    def jac(self, name: str) -> Mat:
        """d vec(name) / d vec(wrt)^T (columns stacked), the free symbols still in."""
        if name not in self.jacs:
            fv, xs = vec(self.env[name]), vec(self.free)
            self.jacs[name] = Mat(len(fv), len(xs), lambda i, j: sp.diff(fv[i], xs[j]))
        return self.jacs[name]

    def actual(self, m: Mat) -> Mat:
        """The free symbols replaced by the value the name really has."""
        return m.applyfunc(lambda e: sp.sympify(e).xreplace(self.back))


class _Check:
    """One exact check: the symbols, the interpreted definitions, the derivatives."""

    def __init__(
        self, program: Program, d: Derivation, sizes: dict[str, int], seed: int, deadline: float
    ) -> None:
        self.program, self.d, self.sizes, self.deadline = program, d, sizes, deadline
        self.rng = random.Random(seed)
        interp = Interpreter({}, sizes)
        self.actual: dict[str, Mat] = {}
        self.positive: set[Any] = set()
        self.boost: dict[Any, int] = {}
        for s in program.symbols.values():
            if s.variable is not None:
                rows, cols = (interp.size(x) for x in s.shape)
                self.actual[s.name] = variable_matrix(s, rows, cols, self.positive, self.boost)
        for s in program.definitions:
            assert s.expr is not None
            self.actual[s.name] = Interpreter(self.actual, sizes).value(s.expr)
        self.dwrt = free_matrix(f"d{d.wrt}", *self.actual[d.wrt].shape)
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
                if not is_scalar(of_m) or x.cols != 1:
                    raise Unsupported("a Hessian of a non-scalar or by a matrix")
                out = Mat(x.rows, x.rows, lambda i, j: sp.diff(jac[0, i], x[j]))
            elif is_scalar(of_m):
                grad = unvec(jac.T, *x.shape)
                out = grad.T if layout is Layout.NUMERATOR else grad
            elif is_scalar(x):
                deriv = unvec(jac, *of_m.shape)
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
            return _Verdict(
                False, f"the stated shape {claimed} is not the derivative's {want.shape}"
            )
        return self.compare(got, want, "the result")

    def steps(self) -> tuple[bool | None, ...]:
        """True/False for each step with a check form the exact check understands."""
        out: list[bool | None] = []
        for step in self.d.steps:
            out.append(self.step(step) if time.perf_counter() < self.deadline else None)
        return tuple(out)

    def step(self, step: Step) -> bool | None:
        """Compare one step's check form with what it claims to equal (None: no claim)."""
        want = claimed(step, self.d, self)
        if want is None or step.check is None:
            return None
        return self.compare(self.value(step.check), want, "the step", prove=False).ok

    # what a step claims (the Oracle of gen/verify/claims.py)

    def differential(self, of: str, wrt: str) -> Mat:
        """d(of) = J d vec(wrt), in the shape of ``of``."""
        frame = self.frame(wrt)
        return unvec(frame.actual(frame.jac(of)) * vec(self.dwrt), *frame.env[of].shape)

    def vec_differential(self, of: str, wrt: str) -> Mat:
        """d vec(of) = J d vec(wrt), a column."""
        frame = self.frame(wrt)
        return frame.actual(frame.jac(of)) * vec(self.dwrt)

    def gradient(self, of: str, wrt: str) -> Mat:
        """The derivative of the scalar ``of`` in the shape of ``wrt``."""
        frame = self.frame(wrt)
        return frame.actual(unvec(frame.jac(of).T, *frame.free.shape))

    def dgradient(self, of: str, wrt: str) -> Mat:
        """The Hessian times d<wrt>."""
        return self.derivative(of, wrt, 2) * self.dwrt

    def compare(self, got: Mat, want: Mat, what: str, *, prove: bool = True) -> _Verdict:
        """Entry by entry: a random rational point first, then symbolic proofs."""
        if got.shape != want.shape:
            return _Verdict(False, f"{what} has shape {got.shape}, the derivative {want.shape}")
        for k in range(len(got)):
            if not self.zero_at_point(got[k], want[k]):
                i, j = divmod(k, got.cols)
                return _Verdict(
                    False,
                    f"{what} differs from the derivative in entry "
                    f"({i + 1}, {j + 1}): {_short(got[k])} vs "
                    f"{_short(want[k])}",
                )
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
        return _Verdict(
            True,
            f"equal at a random rational point ({DIGITS} digits); "
            f"{unproved} of {n} entries not proved symbolically in time",
        )

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
        choice = e.has(sp.Piecewise)
        if choice and _prove_pieces(e):
            return True
        for way in _CHEAP:
            if way(e) == 0:
                return True
        if choice:  # sympy.simplify weighs the conditions: seconds an entry, past any limit
            return None
        if time.perf_counter() < self.deadline and sp.count_ops(e) <= SIMPLIFY_MAX_OPS:
            if sp.simplify(e) == 0:
                return True
        return None


# The cheap ways to show an expression zero, tried before sympy.simplify.
_CHEAP = (sp.expand, lambda x: sp.cancel(sp.together(x)))


def _prove_pieces(e: Any) -> bool | None:
    """True when every branch of ``e`` (a choice, ``where``, folded into one Piecewise) is
    zero by the cheap ways, so that ``e`` is zero whatever the conditions; None otherwise.

    sympy.simplify on a Piecewise weighs its conditions and takes seconds an entry (the
    Huber loss: minutes a spec), longer than any time limit it could be stopped at; a
    branch that is not shown zero leaves the entry unproved (never False: the branch
    may be one no point reaches).
    """
    folded = sp.piecewise_fold(e)
    if not isinstance(folded, sp.Piecewise):
        return None
    for branch, _ in folded.args:
        branch = sp.sympify(branch)
        if branch == 0:
            continue
        if branch.has(sp.Piecewise):
            return None
        if branch.is_rational_function():
            if sp.cancel(branch) != 0:
                return None
        elif not any(way(branch) == 0 for way in _CHEAP):
            return None
    return True


def _short(e: Any, limit: int = 60) -> str:
    text = str(e)
    return text if len(text) <= limit else text[: limit - 3] + "..."
