"""The printed forms of a derivation's pieces: shapes, left-hand sides, steps."""

from __future__ import annotations

from collections.abc import Mapping

from gen.derive.steps import Step
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


def lhs_latex(lhs: tuple[str, ...], ts: Typeset | Mapping[str, str]) -> str:
    r"""The left-hand side of a step.

    ``("d", J)`` is ``\mathrm{d}J``; ``("dvec", Y)`` is ``\mathrm{d}\operatorname{vec} Y``
    (as in the derivative of a vec pair, ``\partial \operatorname{vec} Y``);
    ``("partial", J, w)`` the derivative;
    ``("dgrad", J, w)`` the differential of a gradient; ``("hessian", J, w)``
    the Hessian; ``("entry", J, W)`` the derivative by one entry, ``W_{ij}``
    (``w_{i}`` for a vector).
    """
    ts = _typeset(ts)
    kind = lhs[0]
    if kind == "d":
        return DIFFERENTIAL + ts.name(lhs[1])
    if kind == "dvec":
        return rf"{DIFFERENTIAL}\operatorname{{vec}} {ts.name(lhs[1])}"
    if kind == "dgrad":
        return rf"{DIFFERENTIAL}\left({ts.derivative(lhs[1], lhs[2])}\right)"
    if kind == "hessian":
        return ts.derivative(lhs[1], lhs[2], order=2)
    if kind == "entry":
        return rf"\frac{{\partial {ts.name(lhs[1])}}}{{\partial {entry_latex(lhs[2], ts)}}}"
    return ts.derivative(lhs[1], lhs[2])


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
