"""The differential method on the seed's least-squares example, in every layout."""

import numpy as np
import pytest

from gen.derive.steps import Differential, Partial
from gen.expr.numpy_form import run_numpy
from gen.expr.to_text import to_text
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.verify.numeric import program_forms
from gen.verify.points import Point, sample_sizes

SPEC = """\
title: Least squares
layout: {layout}
variables:
  X: {{shape: [m, n], props: [constant]}}
  w: {{shape: [n]}}
  y: {{shape: [m], props: [constant]}}
define:
  z: X*w - y
  J: 1/2 * z'*z
derive:
  - of: J
    wrt: w
  - of: J
    wrt: z
"""


def derive(layout: str):
    program = build_program(load_spec_text(SPEC.format(layout=layout), "ls.yaml"))
    return program, derive_all(program)


@pytest.mark.parametrize(
    ("layout", "text", "shape"),
    [
        ("mixed", "X'*(X*w - y)", ["n", 1]),
        ("denominator", "X'*(X*w - y)", ["n", 1]),
        ("numerator", "(X*w - y)'*X", [1, "n"]),
    ],
)
def test_least_squares_gradient_in_each_layout(layout, text, shape):
    # The seed's section 3: dJ/dw = X^T (Xw - y); numerator layout is its transpose.
    program, (by_w, by_z) = derive(layout)
    assert to_text(by_w.result) == text
    assert [by_w.shape[0], by_w.shape[1]] == shape
    assert by_w.check is not None and by_w.check.numeric
    assert by_w.check.max_rel_error < 1e-8
    point = Point(program, sample_sizes(program.dims), np.random.default_rng(7))
    v = point.values
    expected = v["X"].T @ (v["X"] @ v["w"] - v["y"])
    got = run_numpy(program_forms(program).of(by_w.result), v)
    want = expected.T if layout == "numerator" else expected
    assert got.shape == want.shape
    assert np.allclose(got, want)


def test_gradient_by_an_intermediate_is_the_residual():
    program, (_, by_z) = derive("mixed")
    assert to_text(by_z.result) == "z"  # written in the name derived by, as the books do
    assert by_z.kind == "scalar-by-vector"
    point = Point(program, sample_sizes(program.dims), np.random.default_rng(1))
    v = {**point.sizes, **point.bindings()}
    got = run_numpy(program_forms(program).of(by_z.result), v)
    assert np.allclose(got, v["X"] @ v["w"] - v["y"])  # the residual X w - y


def test_every_step_is_checked_and_holds():
    _, derivations = derive("mixed")
    for d in derivations:
        assert d.steps
        for step in d.steps:
            assert step.check is not None
            assert step.verified is True


def test_steps_read_like_the_seed():
    _, (by_w, _) = derive("mixed")
    lines = [(s.lhs, to_text(s.rhs)) for s in by_w.steps]
    assert lines == [
        (Differential("J"), "1/2*dz'*z + 1/2*z'*dz"),
        (None, "z'*dz"),
        (Differential("z"), "X*dw"),
        (Differential("J"), "z'*X*dw"),
        (Differential("J"), "(X'*z)'*dw"),
        (Partial("J", "w"), "X'*z"),
        (None, "X'*(X*w - y)"),
    ]


def test_a_hessian_whose_gradient_is_an_activation_defined_elsewhere() -> None:
    """The gradient of lse = logsumexp(z) is written s when the spec defines s = softmax(z)
    (not on lse's path); its differential ds must still be written in dz. The Hessian is
    diag(s) - s s' (Boyd & Vandenberghe, section 3.1.5)."""
    spec = load_spec_text(
        "title: t\nvariables:\n  z: {shape: [k]}\ndefine:\n  s: softmax(z)\n"
        "  lse: logsumexp(z)\nderive:\n  - {of: lse, wrt: z, order: 2}\n",
        "lse.yaml",
    )
    [d] = derive_all(build_program(spec))
    assert d.order == 2 and d.check is not None and d.check.numeric
    assert all(s.verified is not False for s in d.steps)
    assert to_text(d.result) == "diag(s) - s*s'"  # softmax(z) written three times: its name
