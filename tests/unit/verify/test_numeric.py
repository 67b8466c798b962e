"""gen/verify (points, finite, numeric): samples that honour props, the step checks, and what is shared per point.

The sharing (finite differences memoised per point, the step checks printed with their
repeated sub-expressions once) must change what is computed, never what is checked:
every test of that kind compares with the plain computation.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from gen.derive.methods import derive
from gen.derive.steps import Claim, Derivation, Step
from gen.expr.ast import FUNCTIONS, SCALAR, Binary, Node, Num
from gen.expr.numpy_form import StepForms, run_numpy
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_numpy import to_numpy
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.finite import QUICK_STEP, expected, fd_directional, fd_jacobian
from gen.verify.numeric import POINTS, TOLERANCE, AtPoint, check_step, program_forms, verify
from gen.verify.points import Point, sample_sizes


def program_of(variables: str, define: str, derive_items: str = "") -> Program:
    text = f"title: T\nlayout: mixed\nvariables:\n{variables}\ndefine:\n{define}\n"
    if derive_items:
        text += f"derive:\n{derive_items}\n"
    return build_program(load_spec_text(text, "t.yaml"))


def point_of(program: Program, seed: int = 0) -> Point:
    return Point(program, sample_sizes(program.dims), np.random.default_rng(seed))


def typed(text: str, program: Program, **extra: tuple[str | int, str | int]) -> Node:
    """``text`` parsed with shapes: the program's names, and ``extra`` (e.g. dX)."""
    shapes = {name: sym.shape for name, sym in program.symbols.items()}
    return infer(parse(text), {**shapes, **extra})


def chain_program(depth: int, wrt: str = "W_1") -> Program:
    variables = "\n".join(
        ["  x: {shape: [n]}"] + [f"  W_{k}: {{shape: [n, n]}}" for k in range(1, depth + 1)]
    )
    define = "\n".join(
        ["  h_1: tanh(W_1*x)"]
        + [f"  h_{k}: tanh(W_{k}*h_{k - 1})" for k in range(2, depth + 1)]
        + [f"  J: 1/2*h_{depth}'*h_{depth}"]
    )
    return program_of(variables, define, f"  - of: J\n    wrt: {wrt}")


# ----------------------------------------------------------------------------- probability


def test_a_probability_vector_is_positive_and_sums_to_one() -> None:
    program = program_of(
        "  t: {shape: [k], props: [constant, probability]}\n  u: {shape: [k]}", "  f: t'*u"
    )
    for seed in range(5):
        t = point_of(program, seed).values["t"]
        assert t.shape == (3, 1)  # a column, k = 3
        assert np.all(t > 0)
        assert abs(float(t.sum()) - 1.0) < 1e-12
        assert len(np.unique(t)) == 3  # drawn, not uniform


def test_a_probability_vector_is_a_softmax_of_normal_draws() -> None:
    # The same draws as any other k x 1 variable, then exp(a - max a) / sum.
    program = program_of("  t: {shape: [k], props: [probability]}", "  f: sum(t)")
    a = np.random.default_rng(3).normal(size=(3, 1))
    want = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    assert np.array_equal(point_of(program, 3).values["t"], want)


def test_a_target_with_a_probability_vector_verifies() -> None:
    program = program_of(
        "  t: {shape: [k], props: [constant, probability]}\n  u: {shape: [k]}",
        "  J: -t'*log(softmax(u))",
        "  - of: J\n    wrt: u",
    )
    (target,) = program.targets
    d = verify(program, derive(program, target, Method.DIFFERENTIAL))
    assert d.check is not None and d.check.numeric, d.check
    assert type(d.check.numeric) is bool and type(d.check.max_rel_error) is float  # JSON
    assert all(type(s.verified) is bool for s in d.steps if s.check is not None)


# ----------------------------------------------------------------------------- vec-differential


# vec and kron (and sizes such as m*n) came with the vec kinds.
needs_vec = pytest.mark.skipif("vec" not in FUNCTIONS, reason="no vec() in this tree")

MATRIX_PRODUCT = ("  A: {shape: [p, m], props: [constant]}\n  X: {shape: [m, n]}", "  Y: A*X")


def test_a_vec_differential_is_the_differential_stacked_by_columns() -> None:
    program = program_of(*MATRIX_PRODUCT)
    point = point_of(program)
    a, x = point.values["A"], point.values["X"]
    dx = np.random.default_rng(9).normal(size=x.shape)
    d = Derivation(
        "Y",
        "X",
        Layout.NUMERATOR,
        Method.DIFFERENTIAL,
        "vec-by-vec",
        ("n*p", "m*n"),
        parse("Y"),
        (),
    )
    step = Step(
        ("dvec", "Y"), parse("Y"), (), check=parse("Y"), equals=Claim.VEC_DIFFERENTIAL, of="Y"
    )
    dy = a @ dx  # Y is linear in X
    at = AtPoint(point, d, np.zeros(0), dx)
    assert check_step(step, dy.reshape(-1, 1, order="F"), at)
    assert not check_step(step, dy.reshape(-1, 1), at)  # rows stacked
    assert not check_step(step, dy, at)  # not a column
    plain = dataclasses.replace(step, equals=Claim.DIFFERENTIAL)
    assert check_step(plain, dy, at)
    assert not check_step(plain, dy.reshape(-1, 1, order="F"), at)


@needs_vec
@pytest.mark.parametrize(
    ("check", "ok"),
    [
        ("vec(A*dX)", True),
        ("kron(eye(n), A)*vec(dX)", True),
        ("vec(A*dX) + vec(A*dX)", False),
    ],
)
def test_a_vec_differential_step_is_checked_through_verify(check: str, ok: bool) -> None:
    program = program_of(*MATRIX_PRODUCT)
    step = Step(
        ("dvec", "Y"),
        parse("Y"),
        (),
        check=typed(check, program, dX=("m", "n")),
        equals=Claim.VEC_DIFFERENTIAL,
        of="Y",
    )
    result = typed("kron(eye(n), A)", program)
    assert result.shape is not None
    d = Derivation(
        "Y", "X", Layout.NUMERATOR, Method.DIFFERENTIAL, "vec-by-vec", result.shape, result, (step,)
    )
    out = verify(program, d)
    assert out.steps[0].verified is ok
    assert out.check is not None and out.check.numeric is ok
    assert out.check.max_rel_error < TOLERANCE  # the result itself is right either way


# ----------------------------------------------------------------------------- vec kinds


@pytest.mark.parametrize(
    ("variables", "define", "jacobian"),
    [
        # d vec(AX) / d vec(X)' = I_n (x) A
        (MATRIX_PRODUCT[0], MATRIX_PRODUCT[1], lambda v, s: np.kron(np.eye(s["n"]), v["A"])),
        # y = X b: d y / d vec(X)' = b' (x) I_m
        (
            "  X: {shape: [m, n]}\n  b: {shape: [n], props: [constant]}",
            "  Y: X*b",
            lambda v, s: np.kron(v["b"].T, np.eye(s["m"])),
        ),
        # Y = a x': d vec(Y) / d x' = I_n (x) a  (vec(a dx') = (dx (x) a) = (I_n (x) a) dx)
        (
            "  a: {shape: [m], props: [constant]}\n  X: {shape: [n]}",
            "  Y: a*X'",
            lambda v, s: np.kron(np.eye(s["n"]), v["a"]),
        ),
    ],
)
@pytest.mark.parametrize("layout", list(Layout))
def test_the_vec_kinds_are_expected_in_numerator_and_transposed_in_denominator(
    variables: str, define: str, jacobian: object, layout: Layout
) -> None:
    program = program_of(variables, define)
    point = point_of(program)
    d = Derivation("Y", "X", layout, Method.DIFFERENTIAL, "vec-by-vec", (1, 1), parse("Y"), ())
    want = jacobian(point.values, point.sizes)  # type: ignore[operator]
    want = want.T if layout is Layout.DENOMINATOR else want
    got = expected(point, d, program.symbols)
    assert got.shape == want.shape
    assert np.allclose(got, want, atol=1e-8)


# ----------------------------------------------------------------------------- what a point shares


def test_a_jacobian_is_taken_once_per_point_and_cannot_be_changed() -> None:
    program = chain_program(3)
    point = point_of(program)
    jac = fd_jacobian(point, "J", "W_1")
    assert fd_jacobian(point, "J", "W_1") is jac
    with pytest.raises(ValueError):
        jac[0, 0] = 1.0
    # The same columns as central differences of full evaluations of the program.
    x = point.eval("W_1")
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = 1.0
        e = e.reshape(x.shape, order="F")
        h = QUICK_STEP * max(1.0, abs(float(x.reshape(-1, order="F")[j])))  # relative step
        column = (point.eval("J", {"W_1": x + h * e}) - point.eval("J", {"W_1": x - h * e})) / (
            2 * h
        )
        assert jac[0, j] == pytest.approx(column, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("of", "wrt"),
    [("J", "W_1"), ("h_3", "W_2"), ("J", "h_2"), ("h_2", "h_2"), ("W_3", "W_1"), ("J", "x")],
)
def test_moving_one_name_gives_what_the_whole_program_gives(of: str, wrt: str) -> None:
    program = chain_program(4)
    point = point_of(program)
    value = point.eval(wrt) + 0.25
    assert np.array_equal(point.mover(of, wrt)(value), point.eval(of, {wrt: value}))
    pinned = Point.pinned(point, "h_3", point.eval("h_3") * 2)  # what the Hessian does
    assert np.array_equal(pinned.mover(of, wrt)(value), pinned.eval(of, {wrt: value}))


def test_a_directional_difference_is_shared_by_the_steps_that_need_it() -> None:
    program = chain_program(3)
    point = point_of(program)
    direction = np.random.default_rng(1).normal(size=(3, 3))
    first = fd_directional(point, "h_2", "W_1", direction)
    assert fd_directional(point, "h_2", "W_1", direction) is first
    other = direction.copy()  # another direction, equal values: computed again, equal
    assert fd_directional(point, "h_2", "W_1", other) is not first
    assert np.array_equal(fd_directional(point, "h_2", "W_1", other), first)


# ----------------------------------------------------------------------------- the step checks


def chain_checks(depth: int) -> tuple[Program, Derivation]:
    program = chain_program(depth)
    (target,) = program.targets
    return program, derive(program, target, Method.DIFFERENTIAL)


def test_each_step_check_evaluates_as_its_own_numpy_form() -> None:
    program, d = chain_checks(6)
    sizes = program_forms(program).sizes
    forms = StepForms([s.check for s in d.steps], sizes)
    point = point_of(program)
    bindings = {**point.env(), "dW_1": np.random.default_rng(2).normal(size=(3, 3))}
    value = forms.at(bindings)
    for i, step in enumerate(d.steps):
        if step.check is None:
            continue
        whole = run_numpy(to_numpy(step.check, sizes), bindings)
        assert np.array_equal(np.asarray(value(i)), np.asarray(whole)), i


def test_the_printed_checks_grow_linearly_with_the_depth() -> None:
    # Printed whole, the checks of the chain grow with the square of the depth.
    sizes: dict[int, int] = {}
    for depth in (10, 20):
        program, d = chain_checks(depth)
        forms = StepForms([s.check for s in d.steps], program_forms(program).sizes)
        sizes[depth] = sum(len(t) for t in forms.texts.values())
        whole = sum(
            len(to_numpy(s.check, program_forms(program).sizes)) for s in d.steps if s.check
        )
        assert sizes[depth] < whole / 3
    assert sizes[20] < 2.3 * sizes[10]


def test_equal_trees_of_other_shapes_are_not_shared() -> None:
    # I is n x n in A*I and m x m in I*A: one tree, two shapes, two values.
    program = program_of("  A: {shape: [m, n]}", "  f: sum(A)")
    checks = [typed("A*I + A", program), typed("I*A + A", program), typed("A*I + A", program)]
    forms = StepForms(checks, program_forms(program).sizes)
    a = point_of(program).values["A"]
    value = forms.at({"A": a})
    for i in range(3):
        assert np.array_equal(value(i), 2 * a)


@needs_vec
def test_sizes_are_never_shared_as_values() -> None:
    # m*n is a size of ones(m*n) in both checks, not a value: printed alone it would name
    # m and n, which no point binds. The calls of sizes are leaves (ones(m*n)' is shared).
    program = program_of("  X: {shape: [m, n]}\n  y: {shape: [n]}", "  f: sum(X)")
    checks = [
        typed("ones(m*n)'*vec(X) + ones(m*n)'*vec(X*y*y')", program),
        typed("ones(m*n)'*eye(m*n)*vec(X)", program),
    ]
    forms = StepForms(checks, program_forms(program).sizes)
    assert any("np.ones" in text for text in forms.texts.values())
    point = point_of(program)
    value = forms.at(point.env())
    x, y = point.values["X"], point.values["y"]
    assert np.asarray(value(0)).item() == pytest.approx(float(x.sum() + (x @ y @ y.T).sum()))
    assert np.asarray(value(1)).item() == pytest.approx(float(x.sum()))


def test_every_step_is_checked_and_a_wrong_one_is_caught() -> None:
    program, d = chain_checks(5)
    good = verify(program, d)
    assert good.check is not None and good.check.numeric
    assert all(s.verified is True for s in good.steps if s.check is not None)  # a bool
    assert sum(s.check is not None for s in d.steps) == len(d.steps)
    for i in (2, 5, len(d.steps) - 2):  # a differential, a deeper one, the trace form
        step = d.steps[i]
        assert step.check is not None
        doubled = dataclasses.replace(step, check=_doubled(step.check))
        bad = verify(
            program, dataclasses.replace(d, steps=d.steps[:i] + (doubled,) + d.steps[i + 1 :])
        )
        assert bad.check is not None and not bad.check.numeric
        assert [s.verified for s in bad.steps] == [j != i for j in range(len(d.steps))]
        assert bad.check.points == POINTS


def _doubled(node: Node) -> Node:
    """2 * node: wrong wherever node is not zero."""
    return Binary("*", Num(Fraction(2), shape=SCALAR), node, shape=node.shape)


# ----------------------------------------------------------------------------- compiled movers


def test_a_mover_is_the_plain_evaluation_bit_for_bit_and_pinned_copies_share_it() -> None:
    """The mover (compiled once, what does not move with wrt computed once) returns what
    evaluating the whole program with wrt moved returns, to the bit; a copy pinned at wrt
    reuses it and holds every name's value as a fresh evaluation would."""
    p = program_of(
        "  A: {shape: [m, n], props: [constant]}\n  x: {shape: [n]}\n  y: {shape: [m]}",
        "  r: A*x - y\n  s: sum(exp(r))\n  q: y'*y\n  L: log(s) + q*x'*x",
    )
    point = point_of(p, 3)
    move = point.mover("L", "x")
    x = point.eval("x")
    for k in range(3):
        moved = x.copy()
        moved[k % x.shape[0], 0] += 1e-3 * (k + 1)
        want = point.env({"x": moved})["L"]
        got = move(moved)
        assert isinstance(got, float) and got == want
    pinned = Point.pinned(point, "x", x + 0.5)
    assert pinned.mover("L", "x") is move
    fresh = point.env({"x": x + 0.5})
    for name, value in fresh.items():
        assert np.array_equal(np.asarray(pinned.eval(name)), np.asarray(value)), name
    assert pinned.mover("L", "y") is not point.mover("L", "y")  # pinned at x: made again
