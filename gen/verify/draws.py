"""Usable sampled points: drawn again, other sizes included, where the program cannot be
evaluated (a singular X'X, the log of a negative number) or an ``assume`` does not hold."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gen.expr.ast import Call, Node
from gen.expr.evaluate import evaluate
from gen.expr.walk import nodes
from gen.program import Program
from gen.verify.points import NUMERIC_FIRST_SIZE, Point, sample_sizes

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


SINGULAR = frozenset({"inv", "logdet", "det"})  # their derivatives invert the argument
MAX_CONDITION = 1e10  # an argument worse conditioned than this counts as singular


def evaluable(point: Point) -> bool:
    """Whether every name has a finite value at ``point``, and every matrix that an inverse,
    a log-determinant or a determinant (whose derivatives invert it) takes is well
    conditioned there."""
    with np.errstate(all="ignore"):
        env = point.env()
        if not all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in env.values()):
            return False
        for arg in _inverted(point.program):
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


def usable_point(
    program: Program,
    rng: np.random.Generator,
    precise: bool = False,
    holds: Holds | None = None,
) -> tuple[Point | None, Point | None]:
    """A point where the program evaluates (and ``holds``, when given, is true).

    Returns:
        (the point, None) when one was found within ``REDRAWS`` draws; otherwise (None,
        the last point that could be evaluated, or None), for the caller to report.
    """
    last: Point | None = None
    for attempt in range(REDRAWS):
        sizes = other_sizes(program.dims, attempt, rng)
        try:
            with np.errstate(all="ignore"):
                point = Point(program, sizes, rng, precise)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            continue
        if not evaluable(point):
            continue
        last = point
        if holds is None or holds(point):
            return point, None
    return None, last
