"""The numeric check on ill-conditioned but right results (probabilities near 1e-4, logits
of size 30, a log barrier near its boundary, exp of large entries): they pass; wrong
answers on the same specs (off by a factor 1.01, transposed, missing a term of relative
size 1e-3) are caught, in every layout; a failure names the step and the point, once."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.errors import Span
from gen.expr.ast import SCALAR, Binary, Node, Num, Transpose
from gen.expr.numpy_form import run_numpy
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.numeric import TOLERANCE, program_forms, verify
from gen.verify.points import Point, sample_sizes
from gen.verify.report import unverified_errors

SOFTMAX = """\
variables:
  X: {shape: [N, D], props: [constant]}
  W: {shape: [D, C]}
  Y: {shape: [N, C], props: [constant, one-hot]}
define:
  Z: %s*X*W
  L: sum(logsumexp(Z, 2)) - sum(Y .* Z)%s
derive:
  - {of: L, wrt: W}
  - {of: L, wrt: Z}
"""
# The label's logit 9 above the others: every probability but the label's near 1e-4, and
# the gradient (the probabilities minus the labels) of entries near 1e-4 alone.
WELL_FIT = """\
variables:
  y: {shape: [k], props: [constant, one-hot]}
  u: {shape: [k]}
define:
  z: 9*y + u/4
  L: logsumexp(z) - y'*z
derive:
  - {of: L, wrt: u}
"""
BARRIER = """\
variables:
  A: {shape: [m, n], props: [constant]}
  b: {shape: [m], props: [constant]}
  x: {shape: [n]}
define:
  s: b - A*x
  phi: -sum(log(s))
assume:
  - s > 0
derive:
  - {of: phi, wrt: x}
"""
EXP = """\
variables:
  x: {shape: [n]}
  a: {shape: [n], props: [constant]}
  A: {shape: [n, n], props: [constant]}
  X: {shape: [n, n]}
define:
  f: a'*exp(12*x)
  g: sum(exp(3*A*X))
derive:
  - {of: f, wrt: x}
  - {of: g, wrt: X}
"""
CASES = {
    "probabilities-1e-4": SOFTMAX % ("4", ""),
    "logits-30": SOFTMAX % ("15", ""),
    "well-fit": WELL_FIT,
    "barrier": BARRIER,
    "exp-large": EXP,
}
LAYOUTS = ("numerator", "denominator", "mixed")


def program(body: str, layout: str) -> Program:
    return build_program(load_spec_text(f"title: T\nlayout: {layout}\n{body}", "t.yaml"))


def derivations(body: str, layout: str) -> tuple[Program, list[Derivation]]:
    p = program(body, layout)
    return p, [derive(p, t, Method.DIFFERENTIAL) for t in p.targets]


def with_result(d: Derivation, result: Node) -> Derivation:
    return dataclasses.replace(d, result=result, steps=())


def scaled(node: Node, factor: Fraction) -> Node:
    return Binary("*", Num(factor, shape=SCALAR), node, shape=node.shape)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_right_results_pass_and_wrong_ones_are_caught(case: str, layout: str) -> None:
    p, ds = derivations(CASES[case], layout)
    for d in ds:
        right = verify(p, d)
        assert right.check is not None and right.check.numeric, (case, d.of, d.wrt)
        assert all(s.verified is not False for s in right.steps)
        off = verify(p, with_result(d, scaled(d.result, Fraction(101, 100))), precise=True)
        assert off.check is not None and not off.check.numeric
        assert off.check.max_rel_error > 50 * TOLERANCE
        rows, cols = d.result.shape or SCALAR
        if rows == cols and d.result.shape != SCALAR:
            flipped = verify(p, with_result(d, Transpose(d.result, shape=d.result.shape)))
            assert flipped.check is not None and not flipped.check.numeric


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_missing_term_of_relative_size_1e_3_is_caught(layout: str) -> None:
    full, ds = derivations(SOFTMAX % ("4", " + 1/2000*sum(W .* W)"), layout)
    _, partial = derivations(SOFTMAX % ("4", ""), layout)
    for d, without in zip(ds, partial, strict=True):
        if d.wrt != "W":
            continue
        assert verify(full, d).check.numeric  # type: ignore[union-attr]
        missing = verify(full, with_result(d, without.result), precise=True)
        assert missing.check is not None and not missing.check.numeric
        assert missing.check.max_rel_error > 10 * TOLERANCE


def test_a_small_wrong_gradient_is_caught_though_its_error_is_below_1e_6_absolutely() -> None:
    # Entries near 1e-4: off by 1.01 is 1e-6 absolutely, which a measure floored at 1 let
    # pass; measured against the gradient's size (floored at 1e-3 of the logits, 9) it is
    # near 1e-4, a hundred times the tolerance.
    p, (d,) = derivations(WELL_FIT, "mixed")
    point = Point(p, sample_sizes(p.dims), np.random.default_rng(0))
    gradient = run_numpy(program_forms(p).of(d.result), {**point.sizes, **point.bindings()})
    assert float(np.abs(gradient).max()) < 1e-3
    off = verify(p, with_result(d, scaled(d.result, Fraction(101, 100))), precise=True)
    assert off.check is not None and not off.check.numeric
    assert off.check.max_rel_error > 50 * TOLERANCE


def test_a_failing_step_is_named_with_its_line_and_the_point() -> None:
    p, (d, *_) = derivations(SOFTMAX % ("4", ""), "mixed")
    i = next(i for i, s in enumerate(d.steps) if s.check is not None)
    step = d.steps[i]
    assert step.check is not None
    bad = dataclasses.replace(step, check=scaled(step.check, Fraction(2)))
    failed = verify(p, dataclasses.replace(d, steps=d.steps[:i] + (bad,) + d.steps[i + 1 :]))
    assert failed.check is not None and not failed.check.numeric
    message = failed.check.message
    assert f"step {i + 1} (" in message
    assert "point 1 of 3 (seed 0; N = 3, D = 4, C = 5; X in [" in message
    assert message.count(f"step {i + 1} (") == 1  # its first failure, not one per point


def test_a_failure_shared_by_the_methods_is_reported_once() -> None:
    p = program(SOFTMAX % ("4", ""), "mixed")
    target = p.targets[0]
    wrong = [
        verify(p, with_result(d, scaled(d.result, Fraction(101, 100))))
        for d in (derive(p, target, m) for m in (Method.CHAIN, Method.DIFFERENTIAL))
    ]
    errors = unverified_errors(wrong, lambda d: Span("t.yaml", 7, 5))
    assert len(errors) == 1
    assert "dL/dW (chain, differential) failed its numeric check" in errors[0].message
    assert "they are not printed" in errors[0].message
    assert "the result is off by relative error" in errors[0].message
    right = [verify(p, derive(p, target, Method.CHAIN))]
    assert unverified_errors(right, lambda d: Span("t.yaml")) == []


@pytest.mark.parametrize("seed", range(6))
def test_a_hessian_near_the_boundary_of_a_log_barrier_passes(seed: int) -> None:
    # Slacks down to 0.02: the fourth derivative is large, the outer differences of the
    # Hessian are Richardson-combined too (a plain outer difference failed seeds 2 and 5).
    p = program(BARRIER.replace("{of: phi, wrt: x}", "{of: phi, wrt: x, order: 2}"), "mixed")
    (d,) = [derive(p, t, Method.DIFFERENTIAL) for t in p.targets]
    right = verify(p, with_result(d, d.result), precise=True, seed=seed)
    assert right.check is not None and right.check.numeric, right.check
    off = verify(p, with_result(d, scaled(d.result, Fraction(101, 100))), seed=seed)
    assert off.check is not None and not off.check.numeric
