"""What a failed numeric check tells the user: the step that failed and the point, once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from gen.derive.steps import (
    Derivation,
    Differential,
    EntryPartial,
    GradientDifferential,
    Hessian,
    Lhs,
    Partial,
    Step,
)
from gen.errors import GenError, Span
from gen.expr.to_text import to_text

MAX_LINE = 100  # characters of a step's line quoted in a message
MAX_NAMES = 4  # variables whose values a point's summary gives


def lhs_text(lhs: Lhs | None) -> str:
    """A step's left-hand side as text (empty for a line continuing the previous one)."""
    if isinstance(lhs, Differential):
        return f"d vec({lhs.of})" if lhs.vec else f"d{lhs.of}"
    if isinstance(lhs, Partial):
        return f"d{lhs.of}/d{lhs.wrt}"
    if isinstance(lhs, EntryPartial):
        return f"d{lhs.of}/d{lhs.wrt}_ij"
    if isinstance(lhs, GradientDifferential):
        return f"d(d{lhs.of}/d{lhs.wrt})"
    if isinstance(lhs, Hessian):
        return f"d^2 {lhs.of}/(d{lhs.wrt} d{lhs.wrt}')"
    return ""


def step_text(number: int, step: Step) -> str:
    """``step 3 (dphi = ...)``: the step's number (from 1) and its line, cut if long."""
    line = f"{lhs_text(step.lhs)} = {to_text(step.rhs)}".strip()
    if len(line) > MAX_LINE:
        line = line[: MAX_LINE - 3] + "..."
    return f"step {number} ({line})"


def point_text(
    index: int, points: int, seed: int, sizes: Mapping[str, int], values: Mapping[str, object]
) -> str:
    """``point 2 of 3 (seed 0; n = 3, m = 4; x in [-1.2, 0.83], ...)``: enough to find it."""
    parts = [f"seed {seed}"]
    if sizes:
        parts.append(", ".join(f"{d} = {s}" for d, s in sizes.items()))
    ranges = []
    for name, value in list(values.items())[:MAX_NAMES]:
        a = np.asarray(value, dtype=float)
        if a.size == 1:
            ranges.append(f"{name} = {float(a.reshape(-1)[0]):.3g}")
        elif a.size:
            ranges.append(f"{name} in [{float(a.min()):.3g}, {float(a.max()):.3g}]")
    if len(values) > MAX_NAMES:
        ranges.append("...")
    if ranges:
        parts.append(", ".join(ranges))
    return f"point {index + 1} of {points} ({'; '.join(parts)})"


def unverified_errors(
    derivations: list[Derivation], span_of: Callable[[Derivation], Span]
) -> list[GenError]:
    """One located error per distinct failure of the numeric check: the methods of a target
    that fail alike (the same message, at the same place) are named in one error."""
    grouped: dict[tuple[str, str, str, Span], list[str]] = {}
    for d in derivations:
        if d.check is not None and d.check.numeric:
            continue
        check = d.check
        detail = (
            check.message
            if check and check.message
            else (f"max relative error {check.max_rel_error:.3g}" if check else "not checked")
        )
        span = span_of(d)
        key = (d.of, d.wrt, detail, span)
        methods = grouped.setdefault(key, [])
        if d.method.value not in methods:
            methods.append(d.method.value)
    return [
        GenError(
            f"d{of}/d{wrt} ({', '.join(methods)}) failed its numeric check: {detail}; "
            f"{'it is' if len(methods) == 1 else 'they are'} not printed",
            span,
        )
        for (of, wrt, detail, span), methods in grouped.items()
    ]
