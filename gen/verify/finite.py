"""Central finite differences at a point: Jacobians, Hessians, directional derivatives.

Each difference is taken once per point and shared (``Point.memo``): the result and
the steps that need the same Jacobian, Hessian or directional difference get the same
(read-only) array. Plain central differences (step ``QUICK_STEP``) on a quick point;
on a precise point, Richardson-combined differences at ``STEP`` and ``2 * STEP``.

Steps are relative to the entries moved: entry j of a variable moves by
``step * max(1, |x_j|)`` (a direction, by ``step * max(1, max |x|)``), so that a large
entry (logits of size 30, exp of large entries) is not moved by less than its rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from gen.derive.steps import Derivation
from gen.expr.ast import SCALAR
from gen.program import Symbol
from gen.spec.model import Layout
from gen.verify.points import Point, Value

STEP = 1e-4  # Richardson: (4 D(h) - D(2h)) / 3
QUICK_STEP = 1e-5  # a first, plain central difference; a failure is checked again precisely
HESSIAN_STEP = 1e-4  # the outer difference of a Hessian (of the inner Jacobians)


def step_scale(x: Value) -> float:
    """How far a step moves an entry of size ``x`` (or a direction in a matrix ``x``): by
    the base step times max(1, |x|), the largest entry's size for a matrix."""
    if isinstance(x, float | np.floating):  # an entry: the same number, without arrays
        return max(1.0, abs(float(x)))
    return max(1.0, float(np.max(np.abs(x))) if np.size(x) else 1.0)


def as_array(v: Value) -> np.ndarray:
    return np.atleast_2d(np.asarray(v, dtype=float))


def _frozen(array: np.ndarray) -> np.ndarray:
    """A memoised array, read-only so that no caller can change what others are given."""
    array.flags.writeable = False
    return array


def fd_jacobian(point: Point, of: str, wrt: str) -> np.ndarray:
    """d vec(of) / d vec(wrt)^T (columns stacked), by central differences.

    Taken once per point and pair (the result and the steps that need it share it);
    column j moves entry j of vec(wrt) alone and evaluates again only the definitions
    between ``wrt`` and ``of``.
    """
    key = ("jacobian", of, wrt)
    found = point.memo.get(key)
    if found is not None:
        return np.asarray(found)
    x = point.eval(wrt)
    base = as_array(x)
    y0 = as_array(point.eval(of))
    jac = np.zeros((y0.size, base.size))
    value_at = point.mover(of, wrt)
    rows = base.shape[0]
    for j in range(base.size):  # entry j of vec(x): column-major
        entry = (j % rows, j // rows)
        scale = step_scale(base[entry])
        column = _central(_entry_moved(value_at, x, entry), point.precise, scale)
        jac[:, j] = (
            column
            if isinstance(column, float)
            else (np.asarray(column, dtype=float).reshape(-1, order="F"))
        )
    point.memo[key] = _frozen(jac)
    return jac


def _entry_moved(
    value_at: Callable[[Value], Value], x: Value, entry: tuple[int, int]
) -> Callable[[float], Value]:
    """``h -> value_at(x + h E)``, E the unit matrix of ``entry`` (a scalar x: x + h)."""

    def at(h: float) -> Value:
        if isinstance(x, float):
            return value_at(x + h)
        moved = x.copy()
        moved[entry] += h
        return value_at(moved)

    return at


def _central(at: Callable[[float], Value], precise: bool, scale: float = 1.0) -> Value:
    """The directional derivative by central differences of ``at`` (the value at the point
    moved by h along the direction): error of order h^2; on a precise point, at h and 2h
    Richardson-combined (order h^4), so that ill-conditioned points do not fail a right
    result. The steps are the base steps times ``scale`` (``step_scale``)."""

    def diff(h: float) -> Value:
        plus, minus = at(h), at(-h)
        if isinstance(plus, float) and isinstance(minus, float):
            return (plus - minus) / (2 * h)
        return (np.asarray(plus, dtype=float) - np.asarray(minus, dtype=float)) / (2 * h)

    if not precise:
        return diff(QUICK_STEP * scale)
    return (4 * diff(STEP * scale) - diff(2 * STEP * scale)) / 3


def fd_hessian(point: Point, of: str, wrt: str) -> np.ndarray:
    """The Hessian of a scalar by a vector: central differences of central differences
    (on a precise point, the outer ones Richardson-combined too: near the boundary of a
    log barrier the fourth derivative is large)."""
    key = ("hessian", of, wrt)
    found = point.memo.get(key)
    if found is not None:
        return np.asarray(found)
    x = point.eval(wrt)
    base = as_array(x)
    n = base.size
    hess = np.zeros((n, n))
    point.mover(of, wrt)  # compiled here once: the copies pinned at wrt share it
    for j in range(n):
        e = np.zeros_like(base)
        e.reshape(-1, order="F")[j] = 1.0
        outer = HESSIAN_STEP * step_scale(base.reshape(-1, order="F")[j])

        def diff(h: float, e: np.ndarray = e) -> np.ndarray:
            grads = [
                fd_jacobian(Point.pinned(point, wrt, x + sign * h * e), of, wrt).reshape(-1)
                for sign in (1, -1)
            ]
            return (grads[0] - grads[1]) / (2 * h)

        hess[:, j] = (4 * diff(outer) - diff(2 * outer)) / 3 if point.precise else diff(outer)
    point.memo[key] = _frozen(hess)
    return hess


def expected(
    point: Point,
    d: Derivation,
    symbols: Mapping[str, Symbol],
    of: str | None = None,
    wrt: str | None = None,
) -> np.ndarray:
    """The derivative the result must equal, in its layout and shape.

    ``of`` and ``wrt`` name another pair than the derivation's (a link of a chain).
    From d vec(of) / d vec(wrt)' (numerator, ``fd_jacobian``): a scalar's gradient has
    the shape of ``wrt`` (transposed in numerator layout); a derivative by a scalar has
    the shape of ``of`` (transposed in denominator layout); every other pair, vector by
    vector and the vec kinds alike, is that Jacobian (transposed in denominator layout).
    """
    of, wrt = of or d.of, wrt or d.wrt
    # The order the spec asked for, not the one the engine says it gave (issue 12: an
    # engine that returned a gradient for a Hessian was checked as a gradient).
    order = d.target.order if d.target is not None else d.order
    if order == 2 and (of, wrt) == (d.of, d.wrt):
        return fd_hessian(point, of, wrt)
    jac = fd_jacobian(point, of, wrt)
    of_shape = as_array(point.eval(of)).shape
    wrt_shape = as_array(point.eval(wrt)).shape
    if symbols[of].shape == SCALAR:
        grad = jac.reshape(wrt_shape, order="F")
        return grad.T if d.layout is Layout.NUMERATOR else grad
    if symbols[wrt].shape == SCALAR:
        deriv = jac.reshape(of_shape, order="F")
        return deriv.T if d.layout is Layout.DENOMINATOR else deriv
    return jac.T if d.layout is Layout.DENOMINATOR else jac


def fd_directional(point: Point, of: str, wrt: str, direction: Value) -> Value:
    """The differential of ``of`` at the point in the direction ``direction`` of ``wrt``.

    The shifted points are shared by every name differentiated in that direction, and
    each name's difference is taken once per point.
    """
    key = ("directional", of, wrt, id(direction))
    found = point.memo.get(key)
    if found is not None and found[0] is direction:  # an id is unique while it lives
        return found[1]
    env_key = ("d", id(direction))
    scale = step_scale(point.eval(wrt))
    value = _central(lambda h: point.shifted(wrt, direction, h, env_key)[of], point.precise, scale)
    point.memo[key] = (direction, value)  # holds the direction, so that its id stays its own
    return value
