"""Usable sampled points: drawn again, other sizes included, where the program cannot be
evaluated (a singular X'X, the log of a negative number) or an ``assume`` does not hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gen.errors import GenError, GenErrors
from gen.expr.ast import Call, Node
from gen.expr.evaluate import evaluate
from gen.expr.walk import nodes
from gen.program import Condition, Program
from gen.spec.model import Prop
from gen.verify.points import NUMERIC_FIRST_SIZE, Point, kink_arguments, sample_sizes

REDRAWS = 60  # points drawn before the check gives up (the first at the usual sizes)
SIZE_EVERY = 3  # draws at one set of sizes before other sizes are tried

Holds = Callable[[Point], bool]


def other_sizes(dims: tuple[str, ...], attempt: int, rng: np.random.Generator) -> dict[str, int]:
    """The sizes of draw number ``attempt``: the usual ones first, then distinct sizes from
    a range that widens, in a random order (so that m < n and m > n are both tried)."""
    if attempt < SIZE_EVERY or not dims:
        return sample_sizes(dims)
    top = NUMERIC_FIRST_SIZE + len(dims) + attempt // SIZE_EVERY
    picked = rng.permutation(np.arange(NUMERIC_FIRST_SIZE, top))[: len(dims)]
    return {d: int(s) for d, s in zip(dims, picked, strict=True)}


def _reshaped(point: Point, rng: np.random.Generator) -> dict[str, Any]:
    """The point's values, each variable without props (``constant`` aside) taken as drawn,
    positive (|v| + 1/2), negative, or small (v / 10) at random, a positive one as drawn,
    shifted (v + 1/2) or small: an assumption such as b - A*x > 0 that normal draws rarely
    meet (every entry at once) is met by a positive b and a small x."""
    out = dict(point.values)
    for sym in point.program.symbols.values():
        props = sym.props - {Prop.CONSTANT}
        if sym.variable is None or not props <= {Prop.POSITIVE}:
            continue
        v = out[sym.name]
        shapes = (
            (v, v + 0.5, v, v / 10) if props else (v, np.abs(v) + 0.5, -np.abs(v) - 0.5, v / 10)
        )
        out[sym.name] = shapes[int(rng.integers(4))]
        if isinstance(v, float):
            out[sym.name] = float(out[sym.name])
    return out


SINGULAR = frozenset({"inv", "logdet", "det"})  # their derivatives invert the argument
MAX_CONDITION = 1e10  # an argument worse conditioned than this counts as singular


def evaluable(point: Point, inverted: tuple[Node, ...] | None = None) -> bool:
    """Whether every name has a finite value at ``point``, and every matrix that an inverse,
    a log-determinant or a determinant (whose derivatives invert it) takes is well
    conditioned there (``inverted``: those arguments, when the caller has them)."""
    with np.errstate(all="ignore"):
        env = point.env()
        if not all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in env.values()):
            return False
        for arg in _inverted(point.program) if inverted is None else inverted:
            value = np.atleast_2d(np.asarray(evaluate(arg, env, point.sizes), dtype=float))
            if value.shape[0] > 1 and not np.linalg.cond(value) < MAX_CONDITION:
                return False
    return True


def _inverted(program: Program) -> tuple[Node, ...]:
    """The arguments of inv, logdet and det in the definitions."""
    return tuple(
        node.args[0]
        for sym in program.definitions
        if sym.expr is not None
        for node in nodes(sym.expr)
        if isinstance(node, Call) and node.func in SINGULAR and node.args
    )


@dataclass(frozen=True)
class Hazards:
    """Where the definitions of a program need care at a sampled point, found once for the
    many points of a check: the arguments of the kinks (``kink_arguments``) and those of
    inv, logdet and det."""

    kinks: tuple[Node, ...]
    inverted: tuple[Node, ...]

    @staticmethod
    def of(program: Program) -> Hazards:
        """The hazards of ``program``'s definitions."""
        return Hazards(kink_arguments(program), _inverted(program))


def usable_point(
    program: Program,
    rng: np.random.Generator,
    precise: bool = False,
    holds: Holds | None = None,
    hazards: Hazards | None = None,
) -> tuple[Point | None, Point | None]:
    """A point where the program evaluates (and ``holds``, when given, is true).

    ``hazards``: ``Hazards.of(program)``, when the caller draws many points.

    Returns:
        (the point, None) when one was found within ``REDRAWS`` draws; otherwise (None,
        the last point that could be evaluated, or None), for the caller to report.
    """
    hazards = hazards or Hazards.of(program)
    last: Point | None = None
    for attempt in range(REDRAWS):
        sizes = other_sizes(program.dims, attempt, rng)
        try:
            with np.errstate(all="ignore"):
                point = Point(program, sizes, rng, precise, hazards.kinks)
                if holds is not None and attempt >= 2 * SIZE_EVERY and not holds(point):
                    point = Point.at(program, sizes, _reshaped(point, rng), precise)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            continue
        if not evaluable(point, hazards.inverted):
            continue
        last = point
        if holds is None or holds(point):
            return point, None
    return None, last


ASSUME_MARGIN = 0.02  # how far inside an ``assume`` a point keeps (as KINK_MARGIN, points.py)


def failing(point: Point) -> Condition | None:
    """The first ``assume`` condition that does not hold at ``point`` (None when all do).

    A condition on values holds with ``ASSUME_MARGIN`` to spare, entry by entry, so that
    the finite differences stay inside the domain; a condition on sizes holds exactly.
    """
    env = point.env()
    with np.errstate(all="ignore"):
        for condition in point.program.conditions:
            left = np.asarray(evaluate(condition.left, env, point.sizes), dtype=float)
            right = np.asarray(evaluate(condition.right, env, point.sizes), dtype=float)
            gap = left - right if condition.assumption.op in (">", ">=") else right - left
            margin = 0.0 if condition.sizes_only else ASSUME_MARGIN
            strict = condition.assumption.op in ("<", ">")
            ok = gap > margin if strict and condition.sizes_only else gap >= margin
            if not np.all(ok):
                return condition
    return None


def assumed_point(
    program: Program,
    rng: np.random.Generator,
    precise: bool = False,
    hazards: Hazards | None = None,
) -> Point | None:
    """``usable_point`` under the program's ``assume`` (None: not evaluable anywhere).

    Raises:
        GenErrors: No point within ``REDRAWS`` draws satisfies an assumption; the error
            stands at the one that failed last.
    """
    if not program.conditions:
        return usable_point(program, rng, precise, hazards=hazards)[0]
    found, last = usable_point(program, rng, precise, lambda p: failing(p) is None, hazards)
    if found is not None:
        return found
    condition = (failing(last) if last is not None else None) or program.conditions[0]
    text = condition.assumption.text
    raise GenErrors(
        [
            GenError(
                f"cannot find a point where '{text.value}' holds ({REDRAWS} draws, sizes "
                "included): check the assumption, or declare props that make it likely",
                text.span,
            )
        ]
    )
