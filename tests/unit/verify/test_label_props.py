"""Props for labels and masks (SPEC section 8): probability and one-hot rows, binary, ±1.

The samplers draw valid points, the exact check's matrices honour them, the simplifier
uses what they imply (P 1_C = 1_N, M ⊙ M = M, y ⊙ y = 1), and a definition declaring one
is checked at every sampled point.
"""

from __future__ import annotations

import numpy as np
import pytest

from gen.derive.methods import derive
from gen.errors import GenErrors
from gen.expr.to_text import to_text
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.exact import exact_check
from gen.verify.numeric import verify
from gen.verify.points import Point, sample_sizes

SPEC = """\
title: T
variables:
  X: {shape: [N, D]}
  Y: {shape: [N, C], props: [one-hot]}
  y: {shape: [C], props: [one-hot]}
  P0: {shape: [N, C], props: [probability]}
  M: {shape: [N, D], props: [binary]}
  t: {shape: [N], props: [plus-minus-one]}
  w: {shape: [D]}
define:
  f: "w' * X' * (P0 * ones(C))"
  g: "w' * X' * (Y * ones(C))"
  k: "sum((M .* M) .* X * w)"
  q: "sum((t .* (X*w)) .* t)"
  h: "sum(log(1 + exp(-(t .* (X*w)))))"
derive:
  - {of: f, wrt: w, method: [differential, chain]}
  - {of: g, wrt: w}
  - {of: k, wrt: w}
  - {of: q, wrt: w}
  - {of: h, wrt: w}
"""


def program(text: str = SPEC) -> Program:
    return build_program(load_spec_text(text, "t.yaml"))


@pytest.mark.parametrize("seed", range(5))
def test_sampled_points_honour_the_props(seed: int) -> None:
    p = program()
    v = Point(p, sample_sizes(p.dims), np.random.default_rng(seed)).values
    assert v["Y"].shape == (3, 5) and set(np.unique(v["Y"])) <= {0.0, 1.0}
    assert np.array_equal(v["Y"].sum(axis=1), np.ones(3))  # each row one-hot
    assert v["y"].shape == (5, 1) and v["y"].sum() == 1 and set(np.unique(v["y"])) <= {0, 1}
    assert np.all(v["P0"] > 0) and np.allclose(v["P0"].sum(axis=1), 1)  # each row
    assert set(np.unique(v["M"])) <= {0.0, 1.0}
    assert set(np.unique(v["t"])) <= {-1.0, 1.0}


def test_the_exact_checks_matrices_honour_the_props() -> None:
    p = program()
    for target in p.targets:
        d = derive(p, target, target.methods[0])
        assert exact_check(p, d).ok is True, to_text(d.result)


# What the props imply, in results (each verified numerically):
# P 1_C = 1_N for a row-stochastic P (each row of a softmax sums to 1, Bishop PRML 4.3.4),
# M ⊙ M = M for a 0/1 mask, and t ⊙ t = 1 for labels ±1 (the logistic loss of
# Hastie, Tibshirani & Friedman, ESL 4.4 / 10.5, written with y ∈ {-1, 1}).
# (X' 1_N written as the column sums sum(X, 1)', as NumPy's X.sum(axis=0); the 1 of
# sigmoid(.) - 1 broadcasts, SPEC section 8.)
BOOK = {
    "f": "sum(X, 1)'",
    "g": "sum(X, 1)'",
    "k": "sum(M.*X, 1)'",
    "q": "sum(X, 1)'",
    "h": "X'*((sigmoid(t.*(X*w)) - 1).*t)",
}


def test_the_simplifier_uses_what_the_props_imply() -> None:
    p = program()
    for target in p.targets:
        for method in target.methods:
            d = verify(p, derive(p, target, method))
            assert to_text(d.result) == BOOK[target.of.value], (target.of.value, method)
            assert d.check is not None and d.check.numeric


def test_without_the_props_the_forms_stay() -> None:
    plain = SPEC
    for prop in ("one-hot", "probability", "binary", "plus-minus-one"):
        plain = plain.replace(f", props: [{prop}]", "")
    p = program(plain)
    got = {t.of.value: to_text(derive(p, t, Method.DIFFERENTIAL).result) for t in p.targets}
    assert got["f"] == "X'*sum(P0, 2)" and got["k"] != BOOK["k"] and got["q"] != BOOK["q"]


def test_discrete_props_cannot_be_wrt() -> None:
    with pytest.raises(GenErrors) as info:
        program(SPEC + "  - {of: k, wrt: M}\n")
    (err,) = info.value.errors
    assert err.message == (
        "'M' is declared binary: its entries are discrete and cannot be differentiated by"
    )


def test_a_false_row_prop_of_a_definition_is_a_located_error() -> None:
    text = SPEC.replace(
        '  f: "w', '  S: {value: "exp(X*w*ones(C)\')", props: [probability]}\n  f: "w'
    )
    p = program(text)
    with pytest.raises(GenErrors) as info:
        verify(p, derive(p, p.targets[0], Method.DIFFERENTIAL))
    (err,) = info.value.errors
    assert err.message.startswith("'S' is declared probability but is not at a sampled point")
    assert err.span is not None and (err.span.line, err.span.column) == (11, 43)
