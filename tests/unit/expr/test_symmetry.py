"""Symmetry inferred where it is certain (SPEC section 8; Matrix Cookbook 2012, sec. 9.1:
X'X and X S X' with S symmetric are symmetric, as is A + A')."""

from __future__ import annotations

import numpy as np
import pytest

from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.symmetry import is_symmetric

SHAPES = {
    "X": ("m", "n"),
    "A": ("n", "n"),
    "S": ("n", "n"),
    "r": ("n", 1),
    "x": ("n", 1),
    "c": (1, 1),
    "Y": ("n", "m"),
}
KNOWN = {"S"}


def typed(text: str):
    return infer(parse(text), SHAPES)


@pytest.mark.parametrize(
    "text",
    [
        "X'*X",
        "A + A'",
        "A' + A",
        "Y'*S*Y",
        "r + r' - 2*Y*Y'",
        "exp(-(r + r' - 2*Y*Y')/(2*c^2)) + c*eye(n)",
        "inv(S)",
        "S - x*x'",
        "diag(x)",
        "c*S + A*S*A'",
        "S.*S",
        "(A + A')/2",
        "-A'*S*A",
        "A*A'*A*A'",
    ],
)
def test_symmetric_expressions_are_found_and_are_symmetric(text):
    node = typed(text)
    assert is_symmetric(node, KNOWN)
    rng = np.random.default_rng(1)
    s = rng.normal(size=(3, 3))
    values = {
        "X": rng.normal(size=(4, 3)),
        "A": rng.normal(size=(3, 3)),
        "S": s + s.T,
        "r": rng.normal(size=(3, 1)),
        "x": rng.normal(size=(3, 1)),
        "c": 0.7,
        "Y": rng.normal(size=(3, 4)),
    }
    value = np.asarray(evaluate(node, values, {"m": 4, "n": 3}))
    assert np.allclose(value, value.T)  # what is claimed holds at a random point


@pytest.mark.parametrize(
    "text",
    ["A", "A*S", "S*A", "A - A'", "inv(A)", "r*x'", "A*S*A", "X'*Y'", "A + S"],
)
def test_the_rest_is_not_claimed(text):
    assert not is_symmetric(typed(text), KNOWN)


def test_a_vector_or_a_scalar_is_not_a_symmetric_matrix():
    assert not is_symmetric(typed("x"), KNOWN) and not is_symmetric(typed("x'*x"), KNOWN)
