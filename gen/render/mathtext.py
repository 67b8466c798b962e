"""The printed forms of a derivation's pieces: shapes, left-hand sides, steps."""

from __future__ import annotations

from collections.abc import Mapping

from gen.derive.steps import (
    Differential,
    EntryPartial,
    GradientDifferential,
    Hessian,
    Lhs,
    Step,
)
from gen.expr.ast import Shape
from gen.expr.names import dim_latex, latex_name
from gen.render.style import DIFFERENTIAL, Names, Typeset


def shape_text(shape: Shape) -> list[str | int]:
    """A shape as the JSON contract writes it: ``["n", 1]``, ``["m*n", 1]``."""
    return [shape[0], shape[1]]


def shape_latex(shape: Shape, names: Mapping[str, str] | None = None) -> str:
    r"""``m \times n`` with dimension names typeset; a product ``m*n`` is ``mn``."""
    return r" \times ".join(_dim(d, names) for d in shape)


def _dim(d: str | int, names: Mapping[str, str] | None) -> str:
    given = names or {}
    return dim_latex(d, lambda name: given.get(name, latex_name(name)))


def _typeset(ts: Typeset | Mapping[str, str]) -> Typeset:
    """A Typeset, from a plain mapping of names when given one."""
    if isinstance(ts, Typeset):
        return ts
    return Typeset(ts if isinstance(ts, Names) else Names(ts))


def lhs_latex(lhs: Lhs, ts: Typeset | Mapping[str, str]) -> str:
    r"""The left-hand side of a step.

    ``Differential(J)`` is ``\mathrm{d}J``; ``Differential(Y, vec=True)`` is
    ``\mathrm{d}\operatorname{vec} Y`` (as in the derivative of a vec pair,
    ``\partial \operatorname{vec} Y``); ``Partial(J, w)`` the derivative;
    ``GradientDifferential(J, w)`` the differential of a gradient; ``Hessian(J, w)``
    the Hessian; ``EntryPartial(J, W)`` the derivative by one entry, ``W_{ij}``
    (``w_{i}`` for a vector).
    """
    ts = _typeset(ts)
    if isinstance(lhs, Differential):
        if lhs.vec:
            return rf"{DIFFERENTIAL}\operatorname{{vec}} {ts.name(lhs.of)}"
        return DIFFERENTIAL + ts.name(lhs.of)
    if isinstance(lhs, GradientDifferential):
        return rf"{DIFFERENTIAL}\left({ts.derivative(lhs.of, lhs.wrt)}\right)"
    if isinstance(lhs, Hessian):
        return ts.derivative(lhs.of, lhs.wrt, order=2)
    if isinstance(lhs, EntryPartial):
        return rf"\frac{{\partial {ts.name(lhs.of)}}}{{\partial {entry_latex(lhs.wrt, ts)}}}"
    return ts.derivative(lhs.of, lhs.wrt)


def entry_latex(name: str, ts: Typeset) -> str:
    """One entry of a name: ``W_{ij}``, ``w_{i}``, ``(W_{1})_{ij}`` (entries are never bold)."""
    shape = ts.shapes.get(name)
    index = "i" if shape is not None and shape[1] == 1 else "ij"
    tex = ts.plain.get(name) or latex_name(name)
    if "_" in tex or "^" in tex or "'" in tex:
        return rf"\left({tex}\right)_{{{index}}}"
    return f"{tex}_{{{index}}}"


def derivative_latex(of: str, wrt: str, ts: Typeset | Mapping[str, str]) -> str:
    r"""``\frac{\partial J}{\partial w}``."""
    return _typeset(ts).derivative(of, wrt)


def full_lhs(steps: tuple[Step, ...], ts: Typeset | Mapping[str, str]) -> list[str]:
    """The left-hand side that stands for each step, continuation lines included."""
    out, last = [], ""
    for step in steps:
        if step.lhs is not None:
            last = lhs_latex(step.lhs, ts)
        out.append(last)
    return out
