"""A choice written back as where(C, A, B) (the Huber loss's clipped residual, ESL eq. 10.41)."""

from __future__ import annotations

import numpy as np

from gen.derive.choices import fold_choices
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text

SHAPES = {"r": ("m", 1), "s": ("m", 1), "d": (1, 1), "A": ("m", "n")}


def typed(text: str):
    return infer(parse(text), SHAPES)


def folded(text: str) -> str:
    return to_text(fold_choices(typed(text)))


def test_complementary_masks_make_one_choice():
    assert folded("where(abs(r) <= d, 1, 0).*r + d*(where(abs(r) > d, 1, 0).*sign(r))") == (
        "where(abs(r) <= d, r, d*sign(r))"
    )
    assert folded("r.*where(r < s, 1, 0) + where(r >= s, 1, 0).*s") == "where(r < s, r, s)"


def test_a_choice_inside_a_product_and_beside_other_terms():
    text = "A'*(where(r > 0, 1, 0).*r + where(r <= 0, 1, 0).*(2*r) + s)"
    assert folded(text) == "A'*(where(r > 0, r, 2*r) + s)"


def test_masks_that_are_not_complements_stay():
    for text in (
        "where(r > 0, 1, 0).*r + where(r > 0, 1, 0).*s",  # the same mask twice
        "where(r > 0, 1, 0).*r + where(r < 0, 1, 0).*s",  # r = 0 is in neither
        "where(r > 0, 1, 0).*r + where(s <= 0, 1, 0).*s",  # other operands
    ):
        assert folded(text) == to_text(typed(text))


def test_the_choice_has_the_value_of_the_sum():
    rng = np.random.default_rng(0)
    text = "where(abs(r) <= d, 1, 0).*r + d*(where(abs(r) > d, 1, 0).*sign(r)) + s"
    values = {"r": rng.normal(size=(6, 1)), "s": rng.normal(size=(6, 1)), "d": 0.7}
    sizes = {"m": 6, "n": 2}
    before = evaluate(typed(text), values, sizes)
    after = evaluate(fold_choices(typed(text)), values, sizes)
    assert np.allclose(before, after) and "where(" in to_text(fold_choices(typed(text)))
