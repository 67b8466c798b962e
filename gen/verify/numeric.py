"""Numeric verification: sample points that honour props, compare with central differences.

Every result and every checkable step is evaluated through its own numpy
form (what the JSON contract publishes) and compared with central finite
differences of the spec's expressions, evaluated by an independent
interpreter (``gen.expr.evaluate``). The error reported is
max|computed - finite difference| / max(1, max|finite difference|).

Nothing is computed twice at a point: the step checks are evaluated with their
repeated sub-expressions computed once (``StepForms``), and each finite difference
(a Jacobian, a Hessian, a directional difference) is taken once and shared by the
result and the steps that need it (``Point.memo``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from types import CodeType
from typing import Any

import numpy as np

from gen.derive.steps import Agreement, Check, Derivation, Step
from gen.expr.ast import (
    DIM_ARGS,
    SCALAR,
    Binary,
    Call,
    Name,
    Neg,
    Node,
    Num,
    Transpose,
    children,
)
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
    if Prop.PROBABILITY in props:  # a column (the loader allows no other shape)
        e = np.exp(a - a.max())  # a softmax of normal draws: entries > 0 that sum to 1
        return e / e.sum()
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
    """One sampled point: the variables' values and how to evaluate a name there.

    What is computed at a point is kept there: the environments of the shifted
    points (``_envs``) and the finite differences already taken (``memo``), so that
    the result and the steps that need the same difference share it.
    """

    def __init__(self, program: Program, sizes: dict[str, int], rng: np.random.Generator,
                 precise: bool = False):
        self.program = program
        self.precise = precise
        self.sizes = sizes
        self.values: dict[str, Value] = {
            s.name: _sample(s, sizes, rng) for s in program.symbols.values() if s.variable
        }
        self.pins: dict[str, Value] = {}
        self._definitions: tuple[Symbol, ...] = tuple(program.definitions)
        self._envs: dict[Hashable, dict[str, Value]] = {}
        self._paths: dict[tuple[str, str], tuple[Symbol, ...]] = {}
        self.memo: dict[Hashable, Any] = {}
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
        for sym in self._definitions:
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

    def mover(self, of: str, wrt: str) -> Callable[[Value], Value]:
        """``value -> of``'s value with ``wrt`` set to ``value``, every other name as here.

        Only the definitions between ``wrt`` and ``of`` are evaluated again: the values
        are those of ``eval(of, {wrt: value})``, without the rest of the program.
        """
        base, path, sizes = self.env(), self._path(of, wrt), self.sizes

        def value_at(value: Value) -> Value:
            if not path:
                return value if of == wrt else base[of]
            env = dict(base)
            env[wrt] = value
            for sym in path:
                env[sym.name] = evaluate(sym.expr, env, sizes)  # type: ignore[arg-type]
            return env[of]

        return value_at

    def _path(self, of: str, wrt: str) -> tuple[Symbol, ...]:
        """The definitions that depend on ``wrt`` and that ``of`` needs, in spec order."""
        found = self._paths.get((of, wrt))
        if found is None:
            changed, moving = {wrt}, []
            for sym in self._definitions:
                if sym.name != wrt and sym.name not in self.pins and _uses(sym) & changed:
                    moving.append(sym)
                    changed.add(sym.name)
            needed, path = {of}, []
            for sym in reversed(moving):  # a definition between them depends on wrt too
                if sym.name in needed:
                    path.append(sym)
                    needed |= _uses(sym)
            found = self._paths[(of, wrt)] = tuple(reversed(path))
        return found

    @staticmethod
    def pinned(point: Point, name: str, value: Value) -> Point:
        """A copy of ``point`` with one variable (or definition) pinned to ``value``."""
        out = Point.__new__(Point)
        out.program, out.sizes, out.precise = point.program, point.sizes, point.precise
        out.values = dict(point.values)
        out.pins = {**point.pins, name: value}
        out._definitions = point._definitions
        out._envs, out._paths, out.memo = {}, {}, {}
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
    if isinstance(got, float) and isinstance(want, float):  # the same, without arrays
        if not (math.isfinite(got) and math.isfinite(want)):
            return float("inf")
        return float(abs(got - want) / max(1.0, abs(want)))
    g, w = _as_array(got), _as_array(want)
    if g.shape != w.shape:
        if g.size == 1 and w.size == 1:
            g = g.reshape(w.shape)
        else:
            return float("inf")
    # A non-finite entry on either side makes one of the two maxima non-finite (inf - inf
    # and nan give nan, which np.max passes on): the error is then infinite.
    diff, scale = float(np.abs(g - w).max()), float(np.abs(w).max())
    if not (math.isfinite(diff) and math.isfinite(scale)):
        return float("inf")
    return diff / max(1.0, scale)


def _perturbed(x: Value, e: Value, h: float) -> Value:
    return x + h * e if not isinstance(x, float) else float(x + h * e)


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
        return found  # type: ignore[no-any-return]
    x = point.eval(wrt)
    base = _as_array(x)
    y0 = _as_array(point.eval(of))
    jac = np.zeros((y0.size, base.size))
    value_at = point.mover(of, wrt)
    rows = base.shape[0]
    for j in range(base.size):  # entry j of vec(x): column-major
        column = _central(_entry_moved(value_at, x, (j % rows, j // rows)), point.precise)
        jac[:, j] = column if isinstance(column, float) else (
            np.asarray(column, dtype=float).reshape(-1, order="F"))
    point.memo[key] = _frozen(jac)
    return jac


def _entry_moved(value_at: Callable[[Value], Value], x: Value,
                 entry: tuple[int, int]) -> Callable[[float], Value]:
    """``h -> value_at(x + h E)``, E the unit matrix of ``entry`` (a scalar x: x + h)."""
    def at(h: float) -> Value:
        if isinstance(x, float):
            return value_at(x + h)
        moved = x.copy()
        moved[entry] += h
        return value_at(moved)

    return at


def _central(at: Callable[[float], Value], precise: bool) -> Value:
    """The directional derivative by central differences of ``at`` (the value at the point
    moved by h along the direction): error of order h^2; on a precise point, at h and 2h
    Richardson-combined (order h^4), so that ill-conditioned points do not fail a right
    result."""
    def diff(h: float) -> Value:
        plus, minus = at(h), at(-h)
        if isinstance(plus, float) and isinstance(minus, float):
            return (plus - minus) / (2 * h)
        return (np.asarray(plus, dtype=float) - np.asarray(minus, dtype=float)) / (2 * h)

    if not precise:
        return diff(QUICK_STEP)
    return (4 * diff(STEP) - diff(2 * STEP)) / 3


def fd_hessian(point: Point, of: str, wrt: str) -> np.ndarray:
    """The Hessian of a scalar by a vector: central differences of central differences."""
    key = ("hessian", of, wrt)
    found = point.memo.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
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
    point.memo[key] = _frozen(hess)
    return hess


def expected(point: Point, d: Derivation, symbols: Mapping[str, Symbol],
             of: str | None = None, wrt: str | None = None) -> np.ndarray:
    """The derivative the result must equal, in its layout and shape.

    ``of`` and ``wrt`` name another pair than the derivation's (a link of a chain).
    From d vec(of) / d vec(wrt)' (numerator, ``fd_jacobian``): a scalar's gradient has
    the shape of ``wrt`` (transposed in numerator layout); a derivative by a scalar has
    the shape of ``of`` (transposed in denominator layout); every other pair, vector by
    vector and the vec kinds alike, is that Jacobian (transposed in denominator layout).
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
    """The differential of ``of`` at the point in the direction ``direction`` of ``wrt``.

    The shifted points are shared by every name differentiated in that direction, and
    each name's difference is taken once per point.
    """
    key = ("directional", of, wrt, id(direction))
    found = point.memo.get(key)
    if found is not None and found[0] is direction:  # an id is unique while it lives
        return found[1]
    env_key = ("d", id(direction))
    value = _central(lambda h: point.shifted(wrt, direction, h, env_key)[of], point.precise)
    point.memo[key] = (direction, value)  # holds the direction, so that its id stays its own
    return value


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
    forms = StepForms([s.check for s in derivation.steps], numpy_sizes(program))
    for _ in range(points):
        point = Point(program, sizes, rng, precise)
        try:
            want = expected(point, derivation, program.symbols)
            got = run_numpy(result_code, point.bindings())
            worst = max(worst, _error(got, want))
            wrt_value = point.eval(wrt)
            direction: Value = (float(rng.normal()) if isinstance(wrt_value, float)
                                else rng.normal(size=np.shape(wrt_value)))
            run = forms.at({**point.env(), f"d{wrt}": direction})
            for i, step in enumerate(derivation.steps):
                if step.check is not None:
                    step_ok[i] &= _check_step(step, run(i), point, want, direction, derivation)
        except (FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError, ValueError) as exc:
            worst, message = float("inf"), f"could not evaluate at a sampled point: {exc}"
    steps = tuple(
        dataclasses.replace(s, verified=ok if s.check is not None else None)
        for s, ok in zip(derivation.steps, step_ok)
    )
    check = Check(numeric=worst <= TOLERANCE and all(step_ok), max_rel_error=worst,
                  points=points, message=message)
    return dataclasses.replace(derivation, steps=steps, check=check)


def _check_step(step: Step, got: Value, point: Point, derivative: np.ndarray,
                direction: Value, d: Derivation) -> bool:
    """Whether a step's check form, evaluated at the point (``got``), equals what it claims.

    ``step.equals``: ``derivative`` (of the derivation's pair, or of ``step.of`` by
    ``step.wrt``), ``gradient``, ``dgradient`` (the Hessian times d<wrt>),
    ``vec-differential`` (vec of the differential of ``step.of`` in the direction
    d<wrt>, its columns stacked into one column) or, by default, ``differential``.
    """
    if step.equals == "derivative" and step.wrt and (step.of, step.wrt) != (d.of, d.wrt):
        want: Value = expected(point, d, point.program.symbols, step.of, step.wrt)
    elif step.equals == "derivative":
        want = derivative
    elif step.equals == "gradient":
        grad = fd_jacobian(point, d.of, d.wrt)
        want = grad.reshape(_as_array(point.eval(d.wrt)).shape, order="F")
    elif step.equals == "dgradient":
        want = fd_hessian(point, d.of, d.wrt) @ _as_array(direction)
    elif step.equals == "vec-differential":
        dy = fd_directional(point, step.of or d.of, d.wrt, direction)
        want = _as_array(dy).reshape(-1, 1, order="F")
    else:
        want = fd_directional(point, step.of or d.of, d.wrt, direction)
    return _error(got, want) <= TOLERANCE


_LEAF_CALLS = frozenset(DIM_ARGS) | {"I"}  # printed from their shape: their arguments are sizes


class StepForms:
    """The numpy forms of a derivation's step checks, printed and compiled once per
    verification and evaluated at each point with no sub-expression computed twice.

    The checks of a chain nest one another (the differential of h_k holds that of
    h_(k-1), written out), so printed whole they grow with the square of the depth. A
    sub-expression that occurs more than once among them (equal as trees, of the same
    shape) is printed once under a temporary name (``_t7``; a spec's names start with a
    letter) and evaluated once per point, before the forms that use it; every check is
    printed with those names in its place. numpy then performs the operations of the
    checks' own forms (``to_numpy``) on the same values; only repetitions are left out.
    Sub-expressions without a name in them (constants, exponents) stay in place.
    """

    def __init__(self, checks: Sequence[Node | None], sizes: Mapping[str, str]) -> None:
        self._class_of: dict[int, int] = {}  # id(node) -> its class (equal trees share one)
        self._classes: dict[tuple[Any, ...], int] = {}
        self._nodes: list[Node] = []  # one node of each class
        self._kids: list[tuple[int, ...]] = []
        self._uses: list[int] = []  # occurrences: in distinct parents, and as a check
        self._named: list[bool] = []  # a name (or a size) inside: a form can stand for it
        self._held = [c for c in checks if c is not None]  # the ids above stay theirs
        self.roots: list[int | None] = []
        for check in checks:
            if check is None:
                self.roots.append(None)
                continue
            k = self._intern(check)
            self._uses[k] += 1
            self.roots.append(k)
        self._temps = {k: f"_t{k}" for k in range(len(self._nodes))
                       if self._uses[k] > 1 and self._named[k] and self._kids[k]}
        self._forms: dict[int, Node] = {}
        self._deps: dict[int, list[int]] = {}  # a printed class -> the temporaries it names
        self.texts: dict[int, str] = {}  # each printed class's numpy text
        self.codes: dict[int, CodeType] = {}
        for k in sorted(self._temps):  # children before parents
            self._emit(k, sizes)
        for root in self.roots:
            if root is not None and root not in self.codes:
                self._emit(root, sizes)

    def _intern(self, node: Node) -> int:
        """The class of ``node``, its sub-expressions classed first."""
        seen = self._class_of.get(id(node))
        if seen is not None:
            return seen
        leaf = isinstance(node, Call) and node.func in _LEAF_CALLS
        kids = () if leaf else tuple([self._intern(c) for c in children(node)])
        key = (type(node), _label(node), node.shape, kids)
        k = self._classes.get(key)
        if k is None:
            k = self._classes[key] = len(self._nodes)
            self._nodes.append(node)
            self._kids.append(kids)
            self._uses.append(0)
            named = leaf or isinstance(node, Name)
            for c in kids:
                self._uses[c] += 1
                named = named or self._named[c]
            self._named.append(named)
        self._class_of[id(node)] = k
        return k

    def _form(self, k: int, deps: list[int]) -> Node:
        """Class k's node with each temporary below it replaced by its name."""
        found = self._forms.get(k)
        if found is not None:
            return found
        node = self._nodes[k]
        kids = children(node) if self._kids[k] else ()
        new: list[Node] = []
        for c, kid in zip(self._kids[k], kids):
            if c in self._temps:
                deps.append(c)
                new.append(Name(self._temps[c], shape=self._nodes[c].shape))
            else:
                new.append(self._form(c, deps))
        form = node if all(a is b for a, b in zip(new, kids)) else _rebuilt(node, new)
        self._forms[k] = form
        return form

    def _emit(self, k: int, sizes: Mapping[str, str]) -> None:
        deps: list[int] = []
        form = self._form(k, deps)
        self._deps[k] = deps
        self.texts[k] = to_numpy(form, sizes)
        self.codes[k] = _compiled(self.texts[k])

    def at(self, bindings: Mapping[str, Value]) -> Callable[[int], Value]:
        """``value(i)``: step i's check at a point where the names have ``bindings``."""
        namespace: dict[str, Any] = {"np": np, "__builtins__": {}}
        namespace.update(bindings)
        done: dict[int, Value] = {}

        def value(i: int) -> Value:
            k = self.roots[i]
            assert k is not None, "the step has no check"
            stack = [k]
            while stack:
                c = stack[-1]
                if c in done:
                    stack.pop()
                    continue
                missing = [t for t in self._deps[c] if t not in done]
                if missing:
                    stack.extend(missing)
                    continue
                stack.pop()
                done[c] = eval(self.codes[c], namespace)  # noqa: S307 - our own forms
                if c in self._temps:
                    namespace[self._temps[c]] = done[c]
            return done[k]

        return value


def _label(node: Node) -> Any:
    """What, besides its children and shape, makes a node what it is."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Binary):
        return node.op
    if isinstance(node, Call):
        return (node.func, node.args) if node.func in _LEAF_CALLS else node.func
    return None


def _rebuilt(node: Node, kids: list[Node]) -> Node:
    """``node`` with other children (its shape and span kept)."""
    if isinstance(node, Binary):
        return Binary(node.op, kids[0], kids[1], shape=node.shape, span=node.span)
    if isinstance(node, Call):
        return Call(node.func, tuple(kids), shape=node.shape, span=node.span)
    if isinstance(node, Neg):
        return Neg(kids[0], shape=node.shape, span=node.span)
    if isinstance(node, Transpose):
        return Transpose(kids[0], shape=node.shape, span=node.span)
    raise TypeError(f"not an expression node with children: {node!r}")


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
        codes = [numpy_form(derivations[i].result, program) for i in members]
        for _ in range(points):
            bindings = Point(program, sample_sizes(program.dims), rng).bindings()
            values = [run_numpy(code, bindings) for code in codes]
            worst = max([worst] + [_error(v, values[0]) for v in values[1:]])
        agreement = Agreement(tuple(derivations[i].method.value for i in members),
                              worst <= TOLERANCE, worst)
        for i in members:
            out[i] = dataclasses.replace(derivations[i], agreement=agreement)
    return out
