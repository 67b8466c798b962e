"""The left-hand side of a step, one value of gen/derive/steps.py each, as LaTeX."""

from __future__ import annotations

import pytest

from gen.derive.steps import (
    Differential,
    EntryPartial,
    GradientDifferential,
    Hessian,
    Partial,
    Step,
)
from gen.expr.ast import Num
from gen.render.mathtext import full_lhs, lhs_latex
from gen.render.style import Names, Typeset

TS = Typeset(
    Names({"J": "J", "w": "w", "W_1": r"\boldsymbol{W}_{1}"}),
    shapes={"J": (1, 1), "w": ("n", 1), "W_1": ("n", "n")},
    plain={"J": "J", "w": "w", "W_1": "W_{1}"},
)


@pytest.mark.parametrize(
    ("lhs", "latex"),
    [
        (Differential("J"), r"\mathrm{d}J"),
        (Differential("W_1", vec=True), r"\mathrm{d}\operatorname{vec} \boldsymbol{W}_{1}"),
        (Partial("J", "w"), r"\frac{\partial J}{\partial w}"),
        (GradientDifferential("J", "w"), r"\mathrm{d}\left(\frac{\partial J}{\partial w}\right)"),
        (Hessian("J", "w"), r"\frac{\partial^{2} J}{\partial w\,\partial w^{\top}}"),
        (EntryPartial("J", "w"), r"\frac{\partial J}{\partial w_{i}}"),
        (EntryPartial("J", "W_1"), r"\frac{\partial J}{\partial \left(W_{1}\right)_{ij}}"),
    ],
)
def test_each_left_hand_side(lhs, latex):
    assert lhs_latex(lhs, TS) == latex


def test_a_continuation_line_stands_for_the_left_hand_side_above():
    steps = (
        Step(Differential("J"), Num(1), ()),
        Step(None, Num(1), ()),
        Step(Partial("J", "w"), Num(1), ()),
    )
    assert full_lhs(steps, TS) == [r"\mathrm{d}J", r"\mathrm{d}J", r"\frac{\partial J}{\partial w}"]


def test_left_hand_sides_are_values():
    assert Partial("J", "w") == Partial("J", "w") != EntryPartial("J", "w")
    assert Differential("J") != Differential("J", vec=True)
    assert len({Partial("J", "w"), Partial("J", "w"), Hessian("J", "w")}) == 2
