"""Numeric verification: sample points that honour props, compare with central differences.

Every result and every checkable step is evaluated through its own numpy
form (what the JSON contract publishes) and compared with central finite
differences of the spec's expressions, evaluated by an independent
interpreter (``gen.expr.evaluate``). The error reported is
max|computed - finite difference| / max(1, max|finite difference|).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from gen.derive.steps import Check, Derivation, Step
from gen.expr.ast import SCALAR, Node
from gen.expr.evaluate import evaluate
from gen.expr.to_numpy import to_numpy
from gen.program import Program, Symbol
from gen.spec.model import Layout, Prop

TOLERANCE = 1e-6
STEP = 1e-5
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

    def __init__(self, program: Program, sizes: dict[str, int], rng: np.random.Generator):
        self.program = program
        self.sizes = sizes
        self.values: dict[str, Value] = {
            s.name: _sample(s, sizes, rng) for s in program.symbols.values() if s.variable
        }

    def eval(self, name: str, override: Mapping[str, Value] | None = None) -> Value:
        """The value of ``name``, with ``override`` pinning some names."""
        env: dict[str, Value] = dict(self.values)
        env.update(override or {})
        for sym in self.program.definitions:
            if sym.name in (override or {}):
                continue
            assert sym.expr is not None
            env[sym.name] = evaluate(sym.expr, env, self.sizes)
            if sym.name == name:
                break
        return env[name]

    def bindings(self) -> dict[str, Value]:
        """Names bound for the numpy forms: the variables."""
        return dict(self.values)


def run_numpy(code: str, bindings: Mapping[str, Value]) -> Value:
    """Evaluate a numpy form that this tool generated (never user text)."""
    namespace: dict[str, Any] = {"np": np, "__builtins__": {}}
    namespace.update(bindings)
    return eval(compile(code, "<numpy form>", "eval"), namespace)  # noqa: S307


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


def fd_gradient(point: Point, of: str, wrt: str) -> np.ndarray:
    """The gradient of the scalar ``of`` by ``wrt`` (wrt's shape), by central differences."""
    x = point.eval(wrt)
    base = _as_array(x)
    grad = np.zeros_like(base)
    for idx in np.ndindex(*base.shape):
        e = np.zeros_like(base)
        e[idx] = 1.0
        ee: Value = float(e[0, 0]) if isinstance(x, float) else e
        plus = point.eval(of, {wrt: _perturbed(x, ee, STEP)})
        minus = point.eval(of, {wrt: _perturbed(x, ee, -STEP)})
        grad[idx] = (float(np.sum(plus)) - float(np.sum(minus))) / (2 * STEP)
    return grad


def fd_directional(point: Point, of: str, wrt: str, direction: Value) -> Value:
    """The differential of ``of`` at the point in the direction ``direction`` of ``wrt``."""
    x = point.eval(wrt)
    plus = point.eval(of, {wrt: _perturbed(x, direction, STEP)})
    minus = point.eval(of, {wrt: _perturbed(x, direction, -STEP)})
    return (np.asarray(plus) - np.asarray(minus)) / (2 * STEP)


def verify(program: Program, derivation: Derivation, *, points: int = POINTS,
           seed: int = 0) -> Derivation:
    """The derivation with its result and checkable steps verified at ``points`` points."""
    rng = np.random.default_rng(seed)
    sizes = sample_sizes(program.dims)
    np_sizes = numpy_sizes(program)
    worst = 0.0
    step_ok = [True] * len(derivation.steps)
    message = ""
    of, wrt = derivation.of, derivation.wrt
    transpose = derivation.layout is Layout.NUMERATOR and program.symbols[wrt].shape != SCALAR
    for _ in range(points):
        point = Point(program, sizes, rng)
        try:
            want = fd_gradient(point, of, wrt)
            want = want.T if transpose else want
            got = run_numpy(to_numpy(derivation.result, np_sizes), point.bindings())
            worst = max(worst, _error(got, want))
            wrt_value = point.eval(wrt)
            direction: Value = (float(rng.normal()) if isinstance(wrt_value, float)
                                else rng.normal(size=np.shape(wrt_value)))
            for i, step in enumerate(derivation.steps):
                step_ok[i] &= _check_step(step, point, np_sizes, want, direction, wrt)
        except (FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError, ValueError) as exc:
            worst, message = float("inf"), f"could not evaluate at a sampled point: {exc}"
    steps = tuple(
        dataclasses.replace(s, verified=ok if s.check is not None else None)
        for s, ok in zip(derivation.steps, step_ok)
    )
    check = Check(numeric=worst <= TOLERANCE and all(step_ok), max_rel_error=worst,
                  points=points, message=message)
    return dataclasses.replace(derivation, steps=steps, check=check)


def _check_step(step: Step, point: Point, np_sizes: dict[str, str], gradient: np.ndarray,
                direction: Value, wrt: str) -> bool:
    if step.check is None:
        return True
    bindings = point.bindings()
    bindings[f"d{wrt}"] = direction
    got = run_numpy(to_numpy(step.check, np_sizes), bindings)
    if step.equals == "derivative":
        want: Value = gradient
    else:
        want = fd_directional(point, step.of, wrt, direction)
    return _error(got, want) <= TOLERANCE


def numpy_form(node: Node, program: Program) -> str:
    """The published numpy form of a typed expression."""
    return to_numpy(node, numpy_sizes(program))
