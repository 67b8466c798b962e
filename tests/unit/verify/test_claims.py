"""The one dispatch of a step's claim (gen/verify/claims.py), and the one sampler of sizes."""

from __future__ import annotations

import pytest

from gen.derive.methods import derive
from gen.derive.steps import Claim, Derivation, Step
from gen.expr.parser import parse
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify import exact, numeric, points
from gen.verify.claims import claimed


class Recorder:
    """An oracle that answers each question with its own name and arguments."""

    def derivative(self, of: str, wrt: str, order: int) -> tuple[object, ...]:
        return ("derivative", of, wrt, order)

    def differential(self, of: str, wrt: str) -> tuple[object, ...]:
        return ("differential", of, wrt)

    def vec_differential(self, of: str, wrt: str) -> tuple[object, ...]:
        return ("vec_differential", of, wrt)

    def gradient(self, of: str, wrt: str) -> tuple[object, ...]:
        return ("gradient", of, wrt)

    def dgradient(self, of: str, wrt: str) -> tuple[object, ...]:
        return ("dgradient", of, wrt)


D = Derivation(
    "J",
    "x",
    Layout.NUMERATOR,
    Method.DIFFERENTIAL,
    "scalar-by-vector",
    (1, 3),
    parse("x'"),
    (),
    order=1,
)
EXPECTED = {
    Claim.DERIVATIVE: ("derivative", "J", "x", 1),
    Claim.DIFFERENTIAL: ("differential", "h", "x"),
    Claim.VEC_DIFFERENTIAL: ("vec_differential", "h", "x"),
    Claim.GRADIENT: ("gradient", "J", "x"),
    Claim.DGRADIENT: ("dgradient", "J", "x"),
}


def test_every_claim_has_its_test_here() -> None:
    assert set(EXPECTED) == set(Claim)


@pytest.mark.parametrize("claim", list(Claim))
def test_every_claim_is_dispatched_to_its_own_question(claim: Claim) -> None:
    step = Step(("d", "h"), parse("h"), (), check=parse("h"), equals=claim, of="h")
    assert claimed(step, D, Recorder()) == EXPECTED[claim]


def test_a_derivative_of_another_pair_is_of_that_pair_at_order_one() -> None:
    step = Step(
        ("partial", "J", "h"),
        parse("h"),
        (),
        check=parse("h"),
        equals=Claim.DERIVATIVE,
        of="J",
        wrt="h",
    )
    assert claimed(step, D, Recorder()) == ("derivative", "J", "h", 1)
    hessian = Derivation(
        "J",
        "x",
        Layout.NUMERATOR,
        Method.DIFFERENTIAL,
        "scalar-by-vector",
        (3, 3),
        parse("x"),
        (),
        order=2,
    )
    own = Step(("hessian", "J", "x"), parse("h"), (), check=parse("h"), equals=Claim.DERIVATIVE)
    assert claimed(own, hessian, Recorder()) == ("derivative", "J", "x", 2)


def test_a_step_without_a_check_or_a_claim_claims_nothing() -> None:
    assert (
        claimed(Step(("d", "h"), parse("h"), (), equals=Claim.DIFFERENTIAL), D, Recorder()) is None
    )
    assert claimed(Step(("d", "h"), parse("h"), (), check=parse("h")), D, Recorder()) is None


def test_an_unknown_claim_cannot_exist() -> None:
    with pytest.raises(ValueError):
        Claim("hessian")
    assert Claim("vec-differential") is Claim.VEC_DIFFERENTIAL
    assert [c.value for c in Claim] == [
        "derivative",
        "differential",
        "vec-differential",
        "gradient",
        "dgradient",
    ]  # the JSON's values


def test_the_numeric_and_the_exact_check_draw_sizes_from_one_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = build_program(
        load_spec_text(
            "title: T\nlayout: numerator\nvariables:\n  A: {shape: [m, n]}\n  x: {shape: [n]}\n"
            "define:\n  y: A*x\nderive:\n  - of: y\n    wrt: x\n",
            "t.yaml",
        )
    )
    (target,) = program.targets
    d = derive(program, target, Method.DIFFERENTIAL)
    calls: list[tuple[tuple[str, ...], int]] = []
    original = points.sample_sizes

    def spy(dims: tuple[str, ...], first: int = points.NUMERIC_FIRST_SIZE) -> dict[str, int]:
        calls.append((dims, first))
        return original(dims, first)

    monkeypatch.setattr(points, "sample_sizes", spy)
    checked = numeric.verify(program, d)
    assert checked.check is not None and checked.check.numeric
    assert calls and all(c == (("m", "n"), points.NUMERIC_FIRST_SIZE) for c in calls)
    calls.clear()
    result = exact.exact_check(program, d)
    assert result.ok is True
    assert calls == [(("m", "n"), points.EXACT_FIRST_SIZE)]
    assert result.sizes == {"m": 2, "n": 3}
    assert original(("m", "n")) == {"m": 3, "n": 4}  # the numeric check's sizes, as before


def test_the_exact_check_reads_every_function_from_the_table():
    """Each row's sympy key has a routine in the exact interpreter (issue 9: one table)."""
    from gen.expr.functions import FUNCTIONS, Category
    from gen.verify import sympy_interp

    for row in FUNCTIONS.values():
        if row.category is Category.ENTRYWISE:
            assert row.sympy in sympy_interp.ENTRYWISE_FORMS, row.name
        elif row.category is Category.SIZES:
            assert row.sympy in sympy_interp.SIZE_KEYS, row.name
        elif row.category is not Category.CONSTANT:
            assert row.sympy in sympy_interp.CALLS, row.name
