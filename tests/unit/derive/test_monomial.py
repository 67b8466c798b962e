"""An entrywise product as one monomial (gen.derive.monomial), through the simplifier.

Each identity is checked on a small expression: the text it gives, and its value against
the input's at random positive points (so a rule that fires must hold where it fires).
"""

from __future__ import annotations

import numpy as np
import pytest

from gen.derive.facts import Facts
from gen.derive.monomial import merged
from gen.derive.simplify import Simplifier
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text

SHAPES = {
    "A": ("N", "D"),
    "B": ("N", "D"),
    "M": ("N", "D"),
    "X": ("N", "D"),
    "r": (1, "D"),  # a row: constant down the columns of an N x D matrix
    "q": (1, "D"),
    "c": ("N", 1),  # a column: constant along the rows
    "x": ("n", 1),
    "y": ("n", 1),
    "s": ("n", 1),
    "w": ("n", 1),
    "lam": (1, 1),
}
DIMS = ("N", "D", "n")
SIZES = {"N": 4, "D": 3, "n": 5}
FACTS = Facts(binary=frozenset({"M"}), plus_minus_one=frozenset({"w"}))


def _typed(text: str):  # noqa: ANN202 - a typed Node
    return infer(parse(text), SHAPES, expr_text=text, dims=DIMS)


def _value(node, seed: int):  # noqa: ANN001, ANN202
    rng = np.random.default_rng(seed)
    values = {}
    for name, (rows, cols) in SHAPES.items():
        shape = (SIZES.get(rows, rows), SIZES.get(cols, cols))  # type: ignore[call-overload]
        values[name] = rng.uniform(0.5, 2.0, size=shape)  # positive: a divisor, a root
    values["M"] = rng.integers(0, 2, size=values["M"].shape).astype(float)  # binary
    values["w"] = rng.choice([-1.0, 1.0], size=values["w"].shape)  # plus-minus-one
    return np.asarray(evaluate(node, values, SIZES), dtype=float)


def check(text: str, expected: str) -> None:
    """``text`` simplifies to ``expected``, and the two agree at random points."""
    before = _typed(text)
    after = Simplifier(FACTS).simplify(before)
    assert to_text(after) == expected
    for seed in (1, 2):
        np.testing.assert_allclose(
            _value(after, seed), _value(before, seed), rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a.^p .* a.^q = a.^(p + q): a factor divided by twice is divided by its square
        ("A./r.*(B./r)", "A.*B./r.^2"),
        ("X.*X.*A", "X.^2.*A"),
        # sqrt(a) = a.^(1/2): sqrt(a).^2 = a, and 1./a./sqrt(a) one power of a
        ("A./sqrt(r + lam).*(B./sqrt(r + lam))", "A.*B./(r + lam)"),
        ("A./(r + lam)./sqrt(r + lam)", "A./(r + lam).^(3/2)"),
        # M .* M = M for M binary (entries 0 or 1): the masked residual masked twice
        ("M.*(A - B).*M", "M.*(A - B)"),
        # w .* w = 1 for w plus-minus-one
        ("w.*x.*w.*y", "x.*y"),
        # a factor constant down the columns leaves a column sum (Ioffe & Szegedy's
        # dL/dsigma^2: sum(G.*gamma'.*X_c, 1).*(v + epsilon).^(-3/2)), and one constant
        # along the rows leaves a row sum (layer normalisation)
        ("sum(A./r, 1).*(q./r)", "sum(A, 1).*q./r.^2"),
        ("-(ones(N)'*(A.*q./sqrt(r))).*(1/2./sqrt(r))", "-(1/2*(sum(A, 1).*q./r))"),
        ("sum(A./c, 2)./c", "sum(A, 2)./c.^2"),
    ],
)
def test_one_monomial(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "A.*B./r",  # no factor repeated: left as written
        "sum(A./r, 1).*q",  # a factor may leave the sum, but nothing merges then
        "A.*c",  # a column is not constant down the columns
    ],
)
def test_nothing_repeated_is_left_alone(text: str) -> None:
    assert merged(_typed(text), FACTS) is None


def test_a_root_of_a_square_is_not_the_base() -> None:
    """sqrt(x.^2) is abs(x), not x: a fractional power is taken of a factor read whole."""
    node = _typed("sqrt(x.^2).*sqrt(x.^2).*y")
    out = merged(node, FACTS)
    assert out is not None and to_text(out) == "x.^2.*y"
    assert merged(_typed("sqrt(x.^2).*x"), FACTS) is None


def test_ones_of_one_is_one() -> None:
    """ones(1) is the number 1, and ones(n)' divided by a row is its reciprocal."""
    check("lam*ones(1)*(ones(D)'./r)", "lam*(1./r)")
