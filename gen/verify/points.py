"""Sampled points: small distinct sizes, and values that honour the variables' props.

``sample_sizes`` is the one reading of how big each dimension is when a check samples
(the numeric check from 3, the exact check from 2); ``Point`` holds the variables'
values drawn at one point and evaluates every name there.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np

from gen.errors import GenError
from gen.expr.ast import SCALAR, Binary, Call, Node
from gen.expr.choice import COMPARISONS
from gen.expr.compiled import compile_expr
from gen.expr.evaluate import evaluate
from gen.expr.functions import FUNCTIONS
from gen.expr.walk import names, nodes
from gen.program import Program, Symbol
from gen.spec.model import Prop

NUMERIC_FIRST_SIZE = 3  # the numeric check's sizes: 3, 4, 5, ...
EXACT_FIRST_SIZE = 2  # the exact check's sizes: 2, 3, 4, ... (SymPy is slow on large ones)

Value = Any  # a float or a 2-D float64 array

# A kinked function's argument keeps this far from 0 at a sampled point: a hundred times
# the largest step a finite difference takes (2 * STEP = 2e-4 of ``gen.verify.finite``,
# along a direction of entries of order one), so no difference crosses the kink.
KINK_MARGIN = 0.02
KINK_TRIES = 200


def sample_sizes(dims: tuple[str, ...], first: int = NUMERIC_FIRST_SIZE) -> dict[str, int]:
    """Distinct small sizes, ``first``, ``first + 1``, ... in the order of ``dims``.

    Distinct, so that a transposed shape cannot pass by accident. Both checks draw
    their sizes here: the numeric check from ``NUMERIC_FIRST_SIZE``, the exact check
    from ``EXACT_FIRST_SIZE``.
    """
    return {d: first + i for i, d in enumerate(dims)}


def _sample(sym: Symbol, sizes: Mapping[str, int], rng: np.random.Generator) -> Value:
    rows, cols = (_size(d, sizes) for d in sym.shape)
    props = sym.props
    if sym.shape == SCALAR:
        x = float(rng.normal())
        return abs(x) + 0.5 if Prop.POSITIVE in props or Prop.POSITIVE_DEFINITE in props else x
    a = rng.normal(size=(rows, cols))
    discrete = _discrete(props, rows, cols, rng)
    if discrete is not None:
        return discrete
    if Prop.PROBABILITY in props:  # the vector, or each row of a matrix
        axis = 0 if cols == 1 else 1
        e = np.exp(a - a.max(axis=axis, keepdims=True))  # a softmax of normal draws:
        return e / e.sum(axis=axis, keepdims=True)  # entries > 0 that sum to 1
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


def _discrete(props: frozenset[Prop], rows: int, cols: int, rng: np.random.Generator) -> Any:
    """A one-hot (the vector, or each row), binary or plus-minus-one draw; None otherwise."""
    if Prop.ONE_HOT in props:
        if cols == 1:
            return np.eye(rows)[:, [int(rng.integers(rows))]]
        return np.eye(cols)[rng.integers(cols, size=rows)]
    if Prop.BINARY in props:
        return rng.integers(0, 2, size=(rows, cols)).astype(float)
    if Prop.PLUS_MINUS_ONE in props:
        return (2 * rng.integers(0, 2, size=(rows, cols)) - 1).astype(float)
    return None


def _draw(
    program: Program,
    sizes: Mapping[str, int],
    rng: np.random.Generator,
    kinks: tuple[Node, ...] | None = None,
) -> dict[str, Value]:
    """The variables' values at one point, drawn again (up to ``KINK_TRIES`` times) while an
    argument of relu, abs, sign or step, or the two sides of a where's comparison, as
    evaluated there, come within ``KINK_MARGIN`` of 0 (of each other): a central difference
    across a kink measures neither side's derivative. ``kinks``: ``kink_arguments(program)``
    when the caller has them."""
    if kinks is None:
        kinks = kink_arguments(program)
    for _ in range(KINK_TRIES):
        values = {s.name: _sample(s, sizes, rng) for s in program.symbols.values() if s.variable}
        if not kinks or kink_distance(program, kinks, values, sizes) > KINK_MARGIN:
            break
    return values


def kink_arguments(program: Program) -> tuple[Node, ...]:
    """The arguments of the kinked functions (relu, abs, sign, step) in the definitions, and
    P - Q of each comparison P > Q of a where (its choice jumps where P = Q)."""
    out: list[Node] = []
    for sym in program.definitions:
        if sym.expr is None:
            continue
        for node in nodes(sym.expr):
            if not isinstance(node, Call):
                continue
            if node.func in COMPARISONS:
                out.append(Binary("-", node.args[0], node.args[1]))
            elif node.func in FUNCTIONS and FUNCTIONS[node.func].kinked:
                out.append(node.args[0])
    return tuple(out)


def kink_distance(
    program: Program, kinks: tuple[Node, ...], values: Mapping[str, Value], sizes: Mapping[str, int]
) -> float:
    """How close to 0 the kinks' arguments come at ``values`` (0 when one cannot be evaluated)."""
    env: dict[str, Value] = dict(values)
    with np.errstate(all="ignore"):
        try:
            for sym in program.definitions:
                assert sym.expr is not None
                env[sym.name] = evaluate(sym.expr, env, dict(sizes))
            nearest = min(float(np.min(np.abs(evaluate(arg, env, dict(sizes))))) for arg in kinks)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return 0.0
    return nearest if np.isfinite(nearest) else 0.0


def _size(d: str | int, sizes: Mapping[str, int]) -> int:
    return d if isinstance(d, int) else sizes[d]


class Point:
    """One sampled point: the variables' values and how to evaluate a name there.

    What is computed at a point is kept there: the environments of the shifted
    points (``_envs``) and the finite differences already taken (``memo``), so that
    the result and the steps that need the same difference share it.
    """

    def __init__(
        self,
        program: Program,
        sizes: dict[str, int],
        rng: np.random.Generator,
        precise: bool = False,
        kinks: tuple[Node, ...] | None = None,
    ):
        """Draw the variables (``kinks``: ``kink_arguments(program)``, found once by a
        caller that draws many points)."""
        self.program = program
        self.precise = precise
        self.sizes = sizes
        self.values: dict[str, Value] = _draw(program, sizes, rng, kinks)
        self._setup()

    @staticmethod
    def at(
        program: Program, sizes: dict[str, int], values: dict[str, Value], precise: bool
    ) -> Point:
        """A point with the variables' ``values`` given (not drawn)."""
        out = Point.__new__(Point)
        out.program, out.sizes, out.precise, out.values = program, sizes, precise, dict(values)
        out._setup()
        return out

    def _setup(self) -> None:
        """The caches, and every name's value at the point."""
        program = self.program
        self.pins: dict[str, Value] = {}
        self._definitions: tuple[Symbol, ...] = tuple(program.definitions)
        self._envs: dict[Hashable, dict[str, Value]] = {}
        self._paths: dict[tuple[str, str], tuple[Symbol, ...]] = {}
        self._movers: dict[tuple[str, str], Callable[[Value], Value]] = {}
        self.memo: dict[Hashable, Any] = {}
        self.env(key="base")

    def eval(self, name: str, override: Mapping[str, Value] | None = None) -> Value:
        """The value of ``name``, with ``override`` pinning some names."""
        return self.env(override)[name]

    def env(
        self, override: Mapping[str, Value] | None = None, key: Hashable | None = None
    ) -> dict[str, Value]:
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
        found = self._movers.get((of, wrt))
        if found is None:
            found = self._movers[(of, wrt)] = self._mover(of, wrt)
        return found

    def _mover(self, of: str, wrt: str) -> Callable[[Value], Value]:
        base, path = self.env(), self.path(of, wrt)
        if not path:
            return lambda value: value if of == wrt else base[of]
        # Each definition on the path compiled once, what does not move with wrt computed
        # once: a call reads only wrt and the definitions before it on the path.
        # The values between them stay 2-D arrays (a scalar too: only closures read them);
        # ``of``, the last on the path, is returned as ``evaluate`` returns it.
        moving = {wrt, *(sym.name for sym in path)}
        steps = tuple(
            (sym.name, compile_expr(sym.expr, self.sizes, base, moving, matrix=True))  # type: ignore[arg-type]
            for sym in path
        )

        def value_at(value: Value) -> Value:
            env = {wrt: value}
            for name, run in steps:
                env[name] = run(env)
            result = env[of]
            return float(result[0, 0]) if result.shape == (1, 1) else result

        return value_at

    def path(self, of: str, wrt: str) -> tuple[Symbol, ...]:
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
        # A mover by ``name`` reads only ``name`` and what depends on it, and holds the
        # values of the names that do not (as here): the copy's is the same.
        out._movers = {key: move for key, move in point._movers.items() if key[1] == name}
        # Every name's value: what does not depend on ``name`` as at ``point``.
        env = dict(point.env())
        env[name] = value
        changed = {name}
        for sym in out._definitions:
            if sym.name not in out.pins and _uses(sym) & changed:
                env[sym.name] = evaluate(sym.expr, env, out.sizes)  # type: ignore[arg-type]
                changed.add(sym.name)
        out._envs["base"] = env
        return out

    def bindings(self) -> dict[str, Value]:
        """Names bound for the numpy forms: the variables."""
        return dict(self.values)


def _uses(sym: Symbol) -> frozenset[str]:
    assert sym.expr is not None
    return names(sym.expr)


def _perturbed(x: Value, e: Value, h: float) -> Value:
    return x + h * e if not isinstance(x, float) else float(x + h * e)


PROP_TOLERANCE = 1e-8  # relative to the largest entry (at least 1)


def prop_failures(point: Point) -> list[GenError]:
    """The props of the definitions that do not hold at ``point``, each located at the prop.

    A definition written as a mapping may declare props (``symmetric``, ...) that the
    simplifier then uses; the check verifies them at every sampled point.
    """
    out = []
    env = point.env()
    for sym in point.program.definitions:
        if sym.definition is None or not sym.definition.props:
            continue
        value = np.atleast_2d(np.asarray(env[sym.name], dtype=float))
        for prop, span in sym.definition.prop_spans:
            why = _prop_fails(prop, value, sym.name)
            if why is not None:
                out.append(
                    GenError(
                        f"'{sym.name}' is declared {prop.value} but is not at a sampled point "
                        f"({why})",
                        span,
                    )
                )
    return out


def _prop_fails(prop: Prop, a: np.ndarray, name: str) -> str | None:
    """Why ``a`` does not have ``prop`` (None when it has it, within ``PROP_TOLERANCE``)."""
    if not np.all(np.isfinite(a)):
        return "it has entries that are not finite"
    tol = PROP_TOLERANCE * max(1.0, float(np.abs(a).max()))
    if prop in (Prop.SYMMETRIC, Prop.POSITIVE_DEFINITE):
        gap = float(np.abs(a - a.T).max())
        if gap > tol:
            return f"max |{name} - {name}'| = {gap:.3g}"
    if prop is Prop.POSITIVE_DEFINITE and float(np.linalg.eigvalsh((a + a.T) / 2).min()) <= 0:
        return "an eigenvalue is not positive"
    if prop is Prop.INVERTIBLE and np.linalg.cond(a) > 1e12:
        return "it is singular"
    if prop is Prop.DIAGONAL and float(np.abs(a - np.diag(np.diag(a))).max()) > tol:
        return "an entry off the diagonal is not 0"
    if prop is Prop.POSITIVE and float(a.min()) <= 0:
        return "an entry is not positive"
    sums = a.sum(axis=0 if a.shape[1] == 1 else 1)  # the vector's, or each row's
    if prop in (Prop.PROBABILITY, Prop.ONE_HOT) and (
        float(a.min()) < -tol or float(np.abs(sums - 1).max()) > tol
    ):
        return "entries are not >= 0 with sum 1"
    if prop in (Prop.ONE_HOT, Prop.BINARY) and float(np.abs(a * (a - 1)).max()) > tol:
        return "an entry is not 0 or 1"
    if prop is Prop.PLUS_MINUS_ONE and float(np.abs(a * a - 1).max()) > tol:
        return "an entry is not -1 or 1"
    return None
