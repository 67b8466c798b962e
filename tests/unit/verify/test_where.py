"""The derivatives of where(P > Q, A, B) against finite differences in every layout: the
Huber loss, relu and abs written with where, a broadcast choice; the draws keep P away
from Q; the exact check interprets where and its masks."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.expr.ast import SCALAR, Binary, Num
from gen.expr.evaluate import evaluate
from gen.expr.numpy_form import run_numpy
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.verify.exact import _prove_pieces, exact_check
from gen.verify.numeric import program_forms, verify
from gen.verify.points import KINK_MARGIN, Point, kink_arguments, kink_distance, sample_sizes
from gen.verify.sympy_interp import CALLS

HUBER = """\
variables:
  X: {shape: [m, n], props: [constant]}
  y: {shape: [m], props: [constant]}
  w: {shape: [n]}
  delta: {shape: [], props: [constant, positive]}
define:
  r: X*w - y
  L: sum(where(abs(r) <= delta, r.^2/2, delta*(abs(r) - delta/2)))
derive:
  - {of: L, wrt: r, method: [chain, differential]}
  - {of: L, wrt: w, method: [chain, differential]}
"""
RELU = """\
variables:
  W: {shape: [m, n]}
  x: {shape: [n], props: [constant]}
  v: {shape: [m], props: [constant]}
define:
  h: where(W*x > 0, W*x, 0)
  a: where(v < W*x, W*x - v, v - W*x)
  f: v'*h + sum(a)
derive:
  - {of: f, wrt: W, method: [chain, differential]}
  - {of: h, wrt: W, method: [differential]}
"""
# A choice broadcast: an n x 1 against a 1 x m comparison, an m x n branch and a scalar.
BROADCAST = """\
variables:
  u: {shape: [n]}
  z: {shape: [m], props: [constant]}
  B: {shape: [n, m]}
  t: {shape: []}
define:
  C: where(u >= z', B .* B, t*u)
  f: sum(C)
derive:
  - {of: f, wrt: B, method: [chain, differential]}
  - {of: f, wrt: u, method: [chain, differential]}
  - {of: f, wrt: t, method: [chain, differential]}
"""
CASES = {"huber": HUBER, "relu-abs": RELU, "broadcast": BROADCAST}
LAYOUTS = ("numerator", "denominator", "mixed")


def program(body: str, layout: str = "mixed") -> Program:
    return build_program(load_spec_text(f"title: T\nlayout: {layout}\n{body}", "t.yaml"))


def derivations(p: Program) -> list[Derivation]:
    return [derive(p, t, m) for t in p.targets for m in t.methods]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_where_derivatives_agree_with_finite_differences(case: str, layout: str) -> None:
    p = program(CASES[case], layout)
    for d in derivations(p):
        checked = verify(p, d)
        assert checked.check is not None and checked.check.numeric, (d.of, d.wrt, d.method)
        assert all(s.verified is not False for s in checked.steps)
        assert any(s.verified for s in checked.steps)
        wrong = Binary("*", Num(Fraction(101, 100), shape=SCALAR), d.result, shape=d.result.shape)
        off = verify(p, dataclasses.replace(d, result=wrong, steps=()))
        assert off.check is not None and not off.check.numeric


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_huber_gradient_clips_the_residuals(layout: str) -> None:
    """Huber (1964): the derivative of the loss by a residual is the residual clipped at
    plus or minus delta (ESL 10.6)."""
    p = program(HUBER, layout)
    d = next(d for d in derivations(p) if d.wrt == "r")
    point = Point(p, sample_sizes(p.dims), np.random.default_rng(3))
    got = run_numpy(program_forms(p).of(d.result), {**point.sizes, **point.bindings()})
    r, delta = point.eval("r"), point.eval("delta")
    clipped = np.clip(r, -delta, delta)
    assert np.allclose(np.reshape(got, r.shape), clipped, rtol=1e-12, atol=1e-12)


def test_a_where_derivative_missing_its_mask_is_caught() -> None:
    # r .^ 2 / 2 everywhere: the gradient r, right only where |r| <= delta.
    p = program(HUBER)
    d = next(d for d in derivations(p) if d.wrt == "r")
    wrong = dataclasses.replace(d, result=p.symbols["r"].expr, steps=())  # type: ignore[arg-type]
    off = verify(p, wrong)
    assert off.check is not None and not off.check.numeric


@pytest.mark.parametrize("seed", range(5))
def test_points_keep_both_sides_of_a_comparison_apart(seed: int) -> None:
    p = program(HUBER)
    kinks = kink_arguments(p)
    assert len(kinks) == 3  # abs(r) <= delta, and the two abs
    point = Point(p, sample_sizes(p.dims), np.random.default_rng(seed))
    assert kink_distance(p, kinks, point.values, point.sizes) > KINK_MARGIN
    env = point.env()
    gap = np.abs(np.abs(env["r"]) - env["delta"])
    assert float(gap.min()) > KINK_MARGIN


def test_the_exact_check_interprets_where() -> None:

    p = program(
        """\
variables:
  x: {shape: [n]}
  c: {shape: [n], props: [constant]}
define:
  f: sum(where(x > c, x.^2, c .* x))
derive:
  - {of: f, wrt: x, method: [differential]}
"""
    )
    (d,) = derivations(p)
    outcome = exact_check(p, d)
    assert outcome.ok is True
    mask = CALLS[">="](sp.Matrix([[1], [2]]), sp.Matrix([[2]]))
    assert list(mask) == [0, 1]
    chosen = CALLS["where"](mask, sp.Matrix([[5]]), sp.Matrix([[7], [8]]))
    assert list(chosen) == [7, 5]
    f = p.symbols["f"].expr
    assert f is not None
    assert float(evaluate(f, {"x": np.ones((2, 1)), "c": np.zeros((2, 1))}, {"n": 2})) == 2


def test_the_huber_loss_is_proved_exactly_branch_by_branch_in_little_time() -> None:
    """Each difference is a Piecewise: proved zero branch by branch (cancel, expand), not
    by sympy.simplify, which took seconds an entry (the spec: minutes); every entry of
    every derivation is proved, its steps compared, well within the time limit."""
    p = program(HUBER)
    for d in derivations(p):
        outcome = exact_check(p, d)
        assert outcome.ok is True, outcome.detail
        assert outcome.proved, outcome.detail
        assert outcome.detail.startswith("equal symbolically in all"), outcome.detail
        assert any(v is True for v in outcome.steps), outcome.detail
        assert outcome.seconds < 4.0, (d.wrt, d.method, outcome.seconds)


def test_a_choice_is_proved_zero_only_when_every_branch_is() -> None:
    x, c = sp.symbols("x c", real=True)
    same = sp.Piecewise((x, c >= sp.Abs(x)), (c * sp.Abs(x) / x, True)) - sp.Piecewise(
        (x, c >= sp.Abs(x)), (c * x / sp.Abs(x), True)
    )
    assert _prove_pieces(same) is True
    # A branch that is not zero leaves the entry unproved: never False (no point may
    # reach it), and never True.
    other = sp.Piecewise((x, c >= sp.Abs(x)), (c, True)) - sp.Piecewise(
        (x, c >= sp.Abs(x)), (-c, True)
    )
    assert _prove_pieces(other) is None


def test_a_wrong_huber_result_fails_the_exact_check() -> None:
    # r everywhere: right only where |r| <= delta. The random point refutes it, or (all
    # residuals within delta there) the branch beyond delta is not zero: never proved.
    p = program(HUBER)
    d = next(d for d in derivations(p) if d.wrt == "r")
    wrong = dataclasses.replace(d, result=p.symbols["r"].expr, steps=())  # type: ignore[arg-type]
    outcome = exact_check(p, wrong, seed=0)  # a residual beyond delta at the point
    assert outcome.ok is False and "differs from the derivative in entry" in outcome.detail
    for seed in range(1, 5):  # at seed 3 every residual is within delta at the point
        outcome = exact_check(p, wrong, seed=seed)
        assert not outcome.proved, outcome.detail
        assert outcome.ok is False or "not proved symbolically" in outcome.detail
