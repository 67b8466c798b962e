"""Numeric verification: sample points that honour props, compare with central differences.

Every result and every checkable step is evaluated through its own numpy
form (what the JSON contract publishes) and compared with central finite
differences of the spec's expressions, evaluated by an independent
interpreter (``gen.expr.evaluate``). The error reported is
max|computed - finite difference| / max(1, max|finite difference|).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Hashable, Mapping
from types import CodeType
from typing import Any

import numpy as np

from gen.derive.steps import Agreement, Check, Derivation, Step
from gen.expr.ast import SCALAR, Name, Node, children
from gen.expr.evaluate import evaluate
from gen.expr.to_numpy import to_numpy
from gen.program import Program, Symbol
from gen.spec.model import Layout, Prop

TOLERANCE = 1e-6
STEP = 1e-4  # Richardson: (4 D(h) - D(2h)) / 3
QUICK_STEP = 1e-5  # a first, plain central difference; a failure is checked again precisely
POINTS = 3

Value = Any  # a float or a 2-D float64 array


def sample_sizes(dims: tuple[str, ...]) -> dict[str, int]:
    """Distinct small sizes, so that a transposed shape cannot pass by accident."""
    return {d: 3 + i for i, d in enumerate(dims)}


def numpy_sizes(program: Program) -> dict[str, str]:
    """Each dimension as a Python expression on a variable of that size."""
    out: dict[str, str] = {}
    for sym in program.symbols.values():
        if sym.variable is None:
            continue
        for axis, d in enumerate(sym.variable.shape):
            if isinstance(d, str) and d not in out:
                out[d] = f"{sym.name}.shape[{axis}]"
    return out


def _sample(sym: Symbol, sizes: Mapping[str, int], rng: np.random.Generator) -> Value:
    rows, cols = (_size(d, sizes) for d in sym.shape)
    props = sym.props
    if sym.shape == SCALAR:
        x = float(rng.normal())
        return abs(x) + 0.5 if Prop.POSITIVE in props or Prop.POSITIVE_DEFINITE in props else x
    a = rng.normal(size=(rows, cols))
    if Prop.POSITIVE_DEFINITE in props:
        a = a @ a.T + rows * np.eye(rows)
    elif Prop.DIAGONAL in props:
        a = np.diag(np.abs(np.diag(a)) + 0.5 if Prop.POSITIVE in props else np.diag(a))
    elif Prop.SYMMETRIC in props:
        a = (a + a.T) / 2 + (rows * np.eye(rows) if Prop.INVERTIBLE in props else 0)
    elif Prop.INVERTIBLE in props:
        a = a + rows * np.eye(rows)
    if Prop.POSITIVE in props and Prop.DIAGONAL not in props:
        a = np.abs(a) + 0.5
    return a


def _size(d: str | int, sizes: Mapping[str, int]) -> int:
    return d if isinstance(d, int) else sizes[d]


class Point:
    """One sampled point: the variables' values and how to evaluate a name there."""

    def __init__(self, program: Program, sizes: dict[str, int], rng: np.random.Generator,
                 precise: bool = False):
        self.program = program
        self.precise = precise
        self.sizes = sizes
        self.values: dict[str, Value] = {
            s.name: _sample(s, sizes, rng) for s in program.symbols.values() if s.variable
        }
        self.pins: dict[str, Value] = {}
        self._envs: dict[Hashable, dict[str, Value]] = {}
        self.env(key="base")

    def eval(self, name: str, override: Mapping[str, Value] | None = None) -> Value:
        """The value of ``name``, with ``override`` pinning some names."""
        return self.env(override)[name]

    def env(self, override: Mapping[str, Value] | None = None,
            key: Hashable | None = None) -> dict[str, Value]:
        """Every name's value, with ``override`` pinning some; cached under ``key`` if given."""
        if override is None and key is None:
            key = "base"
        if key is not None and key in self._envs:
            return self._envs[key]
        base = self._envs.get("base") if override else None
        override = {**self.pins, **(override or {})}
        env: dict[str, Value] = dict(self.values)
        env.update(override)
        changed = set(override)
        for sym in self.program.definitions:
            if sym.name in override:
                continue
            if base is not None and not (_uses(sym) & changed):
                env[sym.name] = base[sym.name]  # untouched by the override
                continue
            assert sym.expr is not None
            env[sym.name] = evaluate(sym.expr, env, self.sizes)
            changed.add(sym.name)
        if key is not None:
            self._envs[key] = env
        return env

    def shifted(self, wrt: str, direction: Value, h: float, key: Hashable) -> dict[str, Value]:
        """Every name's value with ``wrt`` moved by h * direction (cached under ``key``)."""
        full_key = ("shift", wrt, h, key)
        if full_key not in self._envs:
            x = self.eval(wrt)
            self.env({wrt: _perturbed(x, direction, h)}, full_key)
        return self._envs[full_key]

    @staticmethod
    def pinned(point: Point, name: str, value: Value) -> Point:
        """A copy of ``point`` with one variable (or definition) pinned to ``value``."""
        out = Point.__new__(Point)
        out.program, out.sizes, out.precise = point.program, point.sizes, point.precise
        out.values = dict(point.values)
        out.pins = {**point.pins, name: value}
        out._envs = {}
        out.env(key="base")
        return out

    def bindings(self) -> dict[str, Value]:
        """Names bound for the numpy forms: the variables."""
        return dict(self.values)


@functools.lru_cache(maxsize=4096)
def _names_in(node: Node) -> frozenset[str]:
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Name):
            out.add(n.id)
        stack.extend(children(n))
    return frozenset(out)


def _uses(sym: Symbol) -> frozenset[str]:
    assert sym.expr is not None
    return _names_in(sym.expr)


def run_numpy(code: str, bindings: Mapping[str, Value]) -> Value:
    """Evaluate a numpy form that this tool generated (never user text)."""
    namespace: dict[str, Any] = {"np": np, "__builtins__": {}}
    namespace.update(bindings)
    return eval(_compiled(code), namespace)  # noqa: S307


@functools.lru_cache(maxsize=4096)
def _compiled(code: str) -> CodeType:
    return compile(code, "<numpy form>", "eval")


def _as_array(v: Value) -> np.ndarray:
    return np.atleast_2d(np.asarray(v, dtype=float))


def _error(got: Value, want: Value) -> float:
    g, w = _as_array(got), _as_array(want)
    if g.shape != w.shape:
        if g.size == 1 and w.size == 1:
            g = g.reshape(w.shape)
        else:
            return float("inf")
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(w))):
        return float("inf")
    return float(np.max(np.abs(g - w)) / max(1.0, float(np.max(np.abs(w)))))


def _perturbed(x: Value, e: Value, h: float) -> Value:
    return x + h * e if not isinstance(x, float) else float(x + h * e)


def fd_jacobian(point: Point, of: str, wrt: str) -> np.ndarray:
    """d vec(of) / d vec(wrt)^T (columns stacked), by central differences."""
    x = point.eval(wrt)
    base = _as_array(x)
    y0 = _as_array(point.eval(of))
    jac = np.zeros((y0.size, base.size))
    for j in range(base.size):
        e = np.zeros(base.size)
        e[j] = 1.0
        step: Value = float(e[0]) if isinstance(x, float) else e.reshape(base.shape, order="F")
        jac[:, j] = _as_array(_central(point, of, wrt, step, ("e", j))).reshape(-1, order="F")
    return jac


def _central(point: Point, of: str, wrt: str, direction: Value, key: Hashable) -> Value:
    """The directional derivative by central differences (error of order h^2); on a
    precise point, at h and 2h Richardson-combined (order h^4), so that ill-conditioned
    points do not fail a right result."""
    def diff(h: float) -> Value:
        plus = np.asarray(point.shifted(wrt, direction, h, key)[of], dtype=float)
        minus = np.asarray(point.shifted(wrt, direction, -h, key)[of], dtype=float)
        return (plus - minus) / (2 * h)

    if not point.precise:
        return diff(QUICK_STEP)
    return (4 * diff(STEP) - diff(2 * STEP)) / 3


def fd_hessian(point: Point, of: str, wrt: str) -> np.ndarray:
    """The Hessian of a scalar by a vector: central differences of central differences."""
    x = point.eval(wrt)
    base = _as_array(x)
    n = base.size
    hess = np.zeros((n, n))
    outer = 1e-4
    for j in range(n):
        e = np.zeros_like(base)
        e.reshape(-1, order="F")[j] = 1.0
        shifted = [Point.pinned(point, wrt, x + sign * outer * e) for sign in (1, -1)]
        grads = [fd_jacobian(p, of, wrt).reshape(-1) for p in shifted]
        hess[:, j] = (grads[0] - grads[1]) / (2 * outer)
    return hess


def expected(point: Point, d: Derivation, symbols: Mapping[str, Symbol],
             of: str | None = None, wrt: str | None = None) -> np.ndarray:
    """The derivative the result must equal, in its layout and shape.

    ``of`` and ``wrt`` name another pair than the derivation's (a link of a chain).
    """
    of, wrt = of or d.of, wrt or d.wrt
    if d.order == 2 and (of, wrt) == (d.of, d.wrt):
        return fd_hessian(point, of, wrt)
    jac = fd_jacobian(point, of, wrt)
    of_shape = _as_array(point.eval(of)).shape
    wrt_shape = _as_array(point.eval(wrt)).shape
    if symbols[of].shape == SCALAR:
        grad = jac.reshape(wrt_shape, order="F")
        return grad.T if d.layout is Layout.NUMERATOR else grad
    if symbols[wrt].shape == SCALAR:
        deriv = jac.reshape(of_shape, order="F")
        return deriv.T if d.layout is Layout.DENOMINATOR else deriv
    return jac.T if d.layout is Layout.DENOMINATOR else jac


def fd_directional(point: Point, of: str, wrt: str, direction: Value) -> Value:
    """The differential of ``of`` at the point in the direction ``direction`` of ``wrt``."""
    return _central(point, of, wrt, direction, ("d", id(direction)))


def verify(program: Program, derivation: Derivation, *, points: int = POINTS,
           seed: int = 0, precise: bool = False) -> Derivation:
    """The derivation with its result and checkable steps verified at ``points`` points.

    Plain central differences first; what fails them is checked again with the
    more precise Richardson differences before it counts as a failure.
    """
    if not precise:
        quick = _verify(program, derivation, points, seed, precise=False)
        if quick.check is not None and quick.check.numeric:
            return quick
    return _verify(program, derivation, points, seed, precise=True)


def _verify(program: Program, derivation: Derivation, points: int, seed: int,
            precise: bool) -> Derivation:
    rng = np.random.default_rng(seed)
    sizes = sample_sizes(program.dims)
    worst = 0.0
    step_ok = [True] * len(derivation.steps)
    message = ""
    wrt = derivation.wrt
    result_code = numpy_form(derivation.result, program)
    # Steps are evaluated with the definitions bound to their values at the point (their
    # published forms wrap the same expression in lambdas that compute those values).
    np_sizes = numpy_sizes(program)
    codes = [to_numpy(s.check, np_sizes) if s.check is not None else "" for s in derivation.steps]
    for _ in range(points):
        point = Point(program, sizes, rng, precise)
        try:
            want = expected(point, derivation, program.symbols)
            got = run_numpy(result_code, point.bindings())
            worst = max(worst, _error(got, want))
            wrt_value = point.eval(wrt)
            direction: Value = (float(rng.normal()) if isinstance(wrt_value, float)
                                else rng.normal(size=np.shape(wrt_value)))
            for i, step in enumerate(derivation.steps):
                step_ok[i] &= _check_step(step, codes[i], point, want, direction, derivation)
        except (FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError, ValueError) as exc:
            worst, message = float("inf"), f"could not evaluate at a sampled point: {exc}"
    steps = tuple(
        dataclasses.replace(s, verified=ok if s.check is not None else None)
        for s, ok in zip(derivation.steps, step_ok)
    )
    check = Check(numeric=worst <= TOLERANCE and all(step_ok), max_rel_error=worst,
                  points=points, message=message)
    return dataclasses.replace(derivation, steps=steps, check=check)


def _check_step(step: Step, code: str, point: Point, derivative: np.ndarray,
                direction: Value, d: Derivation) -> bool:
    if step.check is None:
        return True
    bindings = dict(point.env())
    bindings[f"d{d.wrt}"] = direction
    got = run_numpy(code, bindings)
    if step.equals == "derivative" and step.wrt and (step.of, step.wrt) != (d.of, d.wrt):
        want: Value = expected(point, d, point.program.symbols, step.of, step.wrt)
    elif step.equals == "derivative":
        want = derivative
    elif step.equals == "gradient":
        grad = fd_jacobian(point, d.of, d.wrt)
        want = grad.reshape(_as_array(point.eval(d.wrt)).shape, order="F")
    elif step.equals == "dgradient":
        want = fd_hessian(point, d.of, d.wrt) @ _as_array(direction)
    else:
        want = fd_directional(point, step.of, d.wrt, direction)
    return _error(got, want) <= TOLERANCE


def numpy_form(node: Node, program: Program) -> str:
    """The published numpy form of a typed expression.

    Definitions the expression still names are bound by lambdas around it, in
    spec order, so the form uses only ``np`` and the variables, and stays as
    small as the expression (a deep network is not expanded).
    """
    sizes = numpy_sizes(program)
    needed = _definitions_needed(node, program)
    code = to_numpy(node, sizes)
    for sym in reversed(needed):
        assert sym.expr is not None
        code = f"(lambda {sym.name}: {code})({to_numpy(sym.expr, sizes)})"
    return code


def _definitions_needed(node: Node, program: Program) -> list[Symbol]:
    """The definitions ``node`` uses, directly or through others, in spec order."""
    wanted: set[str] = set()
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, Name):
            sym = program.symbols.get(n.id)
            if sym is not None and sym.expr is not None and n.id not in wanted:
                wanted.add(n.id)
                stack.append(sym.expr)
        stack.extend(children(n))
    return [s for s in program.definitions if s.name in wanted]


def agree(program: Program, derivations: list[Derivation], *, points: int = POINTS,
          seed: int = 1) -> list[Derivation]:
    """Mark each derivation of a target derived by several methods with their agreement.

    The results are evaluated at the same random points and compared, so that
    "the methods agree" on a sheet is a checked statement, not an assumption.
    """
    groups: dict[tuple[str, str, str, int], list[int]] = {}
    for i, d in enumerate(derivations):
        groups.setdefault((d.of, d.wrt, d.layout.value, d.order), []).append(i)
    out = list(derivations)
    for members in groups.values():
        if len(members) < 2:
            continue
        rng = np.random.default_rng(seed)
        worst = 0.0
        for _ in range(points):
            bindings = Point(program, sample_sizes(program.dims), rng).bindings()
            values = [run_numpy(numpy_form(derivations[i].result, program), bindings)
                      for i in members]
            worst = max([worst] + [_error(v, values[0]) for v in values[1:]])
        agreement = Agreement(tuple(derivations[i].method.value for i in members),
                              worst <= TOLERANCE, worst)
        for i in members:
            out[i] = dataclasses.replace(derivations[i], agreement=agreement)
    return out
