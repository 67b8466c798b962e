"""The printed forms of a derivation's pieces: shapes, left-hand sides, steps."""

from __future__ import annotations

from collections.abc import Mapping

from gen.derive.steps import Step
from gen.expr.ast import Shape
from gen.expr.names import latex_name


def shape_text(shape: Shape) -> list[str | int]:
    """A shape as the JSON contract writes it: ``["n", 1]``."""
    return [shape[0], shape[1]]


def shape_latex(shape: Shape, names: Mapping[str, str] | None = None) -> str:
    r"""``m \times n`` with dimension names typeset."""
    return r" \times ".join(_dim(d, names) for d in shape)


def _dim(d: str | int, names: Mapping[str, str] | None) -> str:
    if isinstance(d, int):
        return str(d)
    return (names or {}).get(d, latex_name(d))


def lhs_latex(lhs: tuple[str, ...], names: Mapping[str, str]) -> str:
    """The left-hand side of a step: ``\\mathrm{d}J`` or ``\\frac{\\partial J}{\\partial w}``."""
    if lhs[0] == "d":
        return rf"\mathrm{{d}}{names[lhs[1]]}"
    if lhs[0] == "dgrad":
        return rf"\mathrm{{d}}\left({derivative_latex(lhs[1], lhs[2], names)}\right)"
    if lhs[0] == "hessian":
        of, wrt = names[lhs[1]], names[lhs[2]]
        return rf"\frac{{\partial^{{2}} {of}}}{{\partial {wrt}\,\partial {wrt}^{{\top}}}}"
    return derivative_latex(lhs[1], lhs[2], names)


def derivative_latex(of: str, wrt: str, names: Mapping[str, str]) -> str:
    r"""``\frac{\partial J}{\partial w}``."""
    return rf"\frac{{\partial {names[of]}}}{{\partial {names[wrt]}}}"


def full_lhs(steps: tuple[Step, ...], names: Mapping[str, str]) -> list[str]:
    """The left-hand side that stands for each step, continuation lines included."""
    out, last = [], ""
    for step in steps:
        if step.lhs is not None:
            last = lhs_latex(step.lhs, names)
        out.append(last)
    return out
