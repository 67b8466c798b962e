"""Redraws: a point where the program cannot be evaluated is drawn again, sizes included."""

from __future__ import annotations

import dataclasses

import numpy as np

from gen.derive.methods import derive
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.draws import REDRAWS, evaluable, other_sizes, usable_point
from gen.verify.numeric import verify
from gen.verify.points import Point, sample_sizes

SPEC = """\
title: T
dims: {m: rows, n: columns}
variables:
  X: {shape: [m, n]}
  x: {shape: [n]}
define:
  f: logdet(X'*X)
  g: sum(log(x))
derive:
  - {of: f, wrt: X}
  - {of: g, wrt: x}
"""


def program() -> Program:
    return build_program(load_spec_text(SPEC, "t.yaml"))


def test_the_usual_sizes_make_xtx_singular() -> None:
    p = program()
    assert sample_sizes(p.dims) == {"m": 3, "n": 4}  # X'X is 4 x 4 of rank 3
    with np.errstate(all="ignore"):  # log of a negative draw, too
        point = Point(p, sample_sizes(p.dims), np.random.default_rng(0))
    assert not evaluable(point)


def test_logdet_of_xtx_is_checked_at_other_sizes() -> None:
    """d logdet(X'X)/dX = 2 X (X'X)⁻¹ (Matrix Cookbook (55) with the chain rule): right,
    and found so although the first sizes make X'X singular."""
    p = program()
    d = verify(p, derive(p, p.targets[0], Method.DIFFERENTIAL))
    assert to_text(d.result) == "2*X*inv(X'*X)"
    assert d.check is not None and d.check.numeric


def test_a_wrong_answer_is_still_caught_after_redraws() -> None:
    p = program()
    d = derive(p, p.targets[0], Method.DIFFERENTIAL)
    wrong = infer(parse("X*inv(X'*X)"), {"X": ("m", "n")})
    checked = verify(p, dataclasses.replace(d, result=wrong))
    assert checked.check is not None and not checked.check.numeric
    assert checked.check.max_rel_error > 0.1


def test_a_log_of_a_negative_draw_is_drawn_again() -> None:
    p = program()
    d = verify(p, derive(p, p.targets[1], Method.DIFFERENTIAL))
    assert to_text(d.result) == "1./x"
    assert d.check is not None and d.check.numeric


def test_other_sizes_are_distinct_and_vary() -> None:
    rng = np.random.default_rng(0)
    seen = set()
    for attempt in range(REDRAWS):
        sizes = other_sizes(("m", "n"), attempt, rng)
        assert len(set(sizes.values())) == 2 and min(sizes.values()) >= 3
        seen.add((sizes["m"], sizes["n"]))
    assert (3, 4) in seen and any(m > n for m, n in seen)


def test_no_usable_point_returns_none() -> None:
    p = program()
    found, last = usable_point(p, np.random.default_rng(0), holds=lambda _: False)
    assert found is None and last is not None
