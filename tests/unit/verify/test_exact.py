"""The exact check (gen/verify/exact.py, gen/verify/sympy_interp.py): right derivations pass, wrong ones are caught."""

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from gen.derive.steps import Claim, Derivation
from gen.expr.ast import Binary, Call, Num, Transpose
from gen.expr.parser import parse
from gen.expr.shape import dim_product, infer
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.exact import ExactResult, exact_check, exact_json
from gen.verify.points import EXACT_FIRST_SIZE, sample_sizes
from gen.verify.sympy_interp import Interpreter, commutation, kron, variable_matrix

SPECS = sorted((Path(__file__).resolve().parents[3] / "specs").glob("*.yaml"))


def program_of(
    variables: str, define: str, of: str, wrt: str, *, layout: str = "mixed", extra: str = ""
):
    text = (
        f"title: t\nlayout: {layout}\nvariables:\n{variables}\ndefine:\n{define}\n"
        f"derive:\n  - of: {of}\n    wrt: {wrt}\n{extra}"
    )
    return build_program(load_spec_text(text, "inline.yaml"))


def derived(*args, **kwargs):
    program = program_of(*args, **kwargs)
    (derivation,) = derive_all(program)
    return program, derivation


def typed(program, text: str):
    """An expression of the spec syntax, shape-checked against the program's names."""
    env = {name: sym.shape for name, sym in program.symbols.items()}
    return infer(parse(text), env, dims=program.dims)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_derivation_of_the_example_specs_is_exactly_right(path):
    program = build_program(load_spec_text(path.read_text(), str(path)))
    for derivation in derive_all(program):
        result = exact_check(program, derivation)
        assert result.ok is True, result.detail
        assert result.proved, result.detail
        assert all(step is not False for step in result.steps), result.detail


# One row per construct of SPEC section 2 (and per kind of SPEC section 3):
# variables, definitions, of, wrt, layout, extra lines of the derive item.
CASES = {
    "logdet": (
        "  X: {shape: [n, n], props: [invertible]}",
        "  J: logdet(X)",
        "J",
        "X",
        "mixed",
        "",
    ),
    "inverse-and-logdet-of-spd": (
        "  S: {shape: [n, n], props: [positive-definite]}\n  x: {shape: [n]}",
        "  J: x'*inv(S)*x + logdet(S)",
        "J",
        "S",
        "mixed",
        "",
    ),
    "quadratic-form-symmetric": (
        "  S: {shape: [n, n], props: [symmetric]}\n  x: {shape: [n]}",
        "  J: x'*S*x",
        "J",
        "x",
        "numerator",
        "",
    ),
    "trace": ("  X: {shape: [n, n]}", "  J: tr(X) + 1", "J", "X", "mixed", ""),
    "det": ("  X: {shape: [n, n], props: [invertible]}", "  J: det(X)", "J", "X", "mixed", ""),
    "trace-of-inverse": (
        "  X: {shape: [n, n], props: [invertible]}\n  A: {shape: [n, n]}",
        "  J: tr(A*inv(X))",
        "J",
        "X",
        "denominator",
        "",
    ),
    "log-sqrt": (
        "  x: {shape: [n], props: [positive]}",
        "  J: sum(log(x)) + sum(sqrt(x))",
        "J",
        "x",
        "mixed",
        "",
    ),
    "exp-sin-cos": (
        "  x: {shape: [n]}",
        "  J: sum(exp(x) .* sin(x)) + sum(cos(x))",
        "J",
        "x",
        "mixed",
        "",
    ),
    "tanh-sigmoid": (
        "  x: {shape: [n]}",
        "  J: sum(tanh(x)) + sum(sigmoid(x))",
        "J",
        "x",
        "mixed",
        "",
    ),
    "softmax-cross-entropy": (
        "  x: {shape: [n]}\n  y: {shape: [n], props: [constant]}",
        "  p: softmax(x)\n  J: -y'*log(p)",
        "J",
        "x",
        "mixed",
        "",
    ),
    "logsumexp": ("  x: {shape: [n]}", "  J: logsumexp(x)", "J", "x", "mixed", ""),
    "diag-hadamard-power": (
        "  x: {shape: [n]}\n  D: {shape: [n, n], props: [diagonal]}",
        "  J: x'*diag(x)*x + x'*D*x + sum(x .^ 3)",
        "J",
        "x",
        "mixed",
        "",
    ),
    "jacobian-denominator": (
        "  A: {shape: [m, n]}\n  x: {shape: [n]}",
        "  y: A*x",
        "y",
        "x",
        "denominator",
        "",
    ),
    "jacobian-entrywise": (
        "  A: {shape: [m, n]}\n  x: {shape: [n]}",
        "  y: tanh(A*x)",
        "y",
        "x",
        "mixed",
        "",
    ),
    "vector-by-scalar": (
        "  a: {shape: [n]}\n  t: {shape: []}",
        "  y: exp(t)*a",
        "y",
        "t",
        "denominator",
        "",
    ),
    "hessian": (
        "  x: {shape: [n]}\n  A: {shape: [n, n]}",
        "  J: x'*A*x",
        "J",
        "x",
        "mixed",
        "    order: 2\n",
    ),
    "by-an-intermediate": (
        "  X: {shape: [m, n]}\n  w: {shape: [n]}\n  y: {shape: [m]}",
        "  z: X*w - y\n  J: z'*z/2",
        "J",
        "z",
        "mixed",
        "",
    ),
    "by-a-matrix-numerator": (
        "  W: {shape: [m, n]}\n  x: {shape: [n]}\n  y: {shape: [m]}",
        "  r: W*x - y\n  J: r'*r",
        "J",
        "W",
        "numerator",
        "",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_right_derivations_pass_and_wrong_ones_fail(case):
    variables, define, of, wrt, layout, extra = case
    program, d = derived(variables, define, of, wrt, layout=layout, extra=extra)
    assert d.check is not None and d.check.numeric  # the numeric check agrees
    right = exact_check(program, d)
    assert right.ok is True, right.detail
    assert right.proved, right.detail
    twice = dataclasses.replace(
        d, result=Binary("*", Num(Fraction(2)), d.result, shape=d.result.shape)
    )
    wrong = exact_check(program, twice)
    assert wrong.ok is False, wrong.detail
    assert "differs from the derivative" in wrong.detail


def test_a_transposed_result_is_caught_even_when_its_shape_is_square():
    # d tr(A X^-1)/dX = -(X^-1 A X^-1)^T (Matrix Cookbook eq. 63): the transpose is wrong.
    program, d = derived(
        "  X: {shape: [n, n], props: [invertible]}\n  A: {shape: [n, n]}",
        "  J: tr(A*inv(X))",
        "J",
        "X",
    )
    assert d.shape[0] == d.shape[1]
    flipped = dataclasses.replace(d, result=Transpose(d.result, shape=d.result.shape))
    result = exact_check(program, flipped)
    assert result.ok is False
    assert "entry" in result.detail


def test_a_result_in_the_wrong_layout_is_caught_by_its_shape():
    program, d = derived(
        "  A: {shape: [m, n]}\n  x: {shape: [n]}", "  y: A*x", "y", "x", layout="numerator"
    )
    in_denominator = dataclasses.replace(d, layout=Layout.DENOMINATOR)
    result = exact_check(program, in_denominator)
    assert result.ok is False
    assert "shape" in result.detail


def test_a_wrong_step_fails_the_check_and_is_named():
    program, d = derived("  x: {shape: [n]}\n  A: {shape: [n, n]}", "  J: x'*A*x", "J", "x")
    index = next(i for i, s in enumerate(d.steps) if s.equals is Claim.DERIVATIVE)
    bad = dataclasses.replace(d.steps[index], check=typed(program, "A*x"))
    steps = d.steps[:index] + (bad,) + d.steps[index + 1 :]
    result = exact_check(program, dataclasses.replace(d, steps=steps))
    assert result.ok is False
    assert result.steps[index] is False
    assert f"step(s) {index + 1} differ" in result.detail


def test_an_identity_only_simplify_proves_falls_back_to_the_random_point():
    # sin^2 + cos^2 = 1 entry by entry: not decided by expand or cancel.
    program, d = derived("  x: {shape: [n]}", "  J: sum(x)", "J", "x")
    same = dataclasses.replace(
        d, result=typed(program, "sin(x).*sin(x) + cos(x).*cos(x)"), steps=()
    )
    proved = exact_check(program, same)
    assert proved.ok is True and proved.proved, proved.detail
    hurried = exact_check(program, same, time_limit=0.0)
    assert hurried.ok is True
    assert not hurried.proved
    assert "random rational point" in hurried.detail


def test_what_cannot_be_interpreted_gives_no_verdict():
    program, d = derived("  x: {shape: [n]}", "  J: sum(x)", "J", "x")
    unknown = dataclasses.replace(d, result=Call("erf", (d.result,), shape=d.result.shape))
    result = exact_check(program, unknown)
    assert result.ok is None
    assert "erf" in result.detail


def test_sizes_are_small_distinct_and_can_be_chosen():
    program, d = derived("  A: {shape: [m, n]}\n  x: {shape: [n]}", "  y: A*x", "y", "x")
    assert sample_sizes(("m", "n", "k"), EXACT_FIRST_SIZE) == {"m": 2, "n": 3, "k": 4}
    result = exact_check(program, d, {"m": 3, "n": 2})
    assert result.ok is True
    assert result.sizes == {"m": 3, "n": 2}
    assert "m=3, n=2" in result.detail


def test_props_shape_the_symbol_matrices():
    program, _ = derived(
        "  S: {shape: [n, n], props: [positive-definite]}\n"
        "  D: {shape: [n, n], props: [diagonal]}\n  p: {shape: [n], props: [positive]}",
        "  J: tr(S) + tr(D) + sum(p)",
        "J",
        "p",
    )
    positive, boost = set(), {}
    S = variable_matrix(program.symbols["S"], 3, 3, positive, boost)
    D = variable_matrix(program.symbols["D"], 3, 3, positive, boost)
    p = variable_matrix(program.symbols["p"], 3, 1, positive, boost)
    assert S == S.T and len(S.free_symbols) == 6
    assert D.is_diagonal() and len(D.free_symbols) == 3
    assert all(s.is_positive for s in p.free_symbols)
    assert all(S[i, i].is_positive for i in range(3))
    assert S[0, 1].is_positive is None
    assert set(boost) == {S[i, i] for i in range(3)}  # kept diagonally dominant when sampled


def test_the_interpreter_follows_spec_section_2():
    x = sp.Matrix(sp.symbols("x1:4"))
    env = {"x": x, "c": sp.Matrix([[sp.Symbol("c")]])}
    sizes = {"n": 3}
    shapes = {"x": ("n", 1), "c": (1, 1)}

    def value(text):
        return Interpreter(env, sizes).value(infer(parse(text), shapes, dims=("n",)))

    assert value("c*x") == sp.Symbol("c") * x
    assert value("x'*x")[0, 0] == sum(v**2 for v in x)
    assert value("x .* x") == x.applyfunc(lambda v: v**2)
    assert value("ones(n)'*x")[0, 0] == sum(x)
    assert value("diag(x)") == sp.diag(*x)
    assert value("I*x") == x
    assert value("zeros(n, n)*x") == sp.zeros(3, 1)
    assert value("sum(softmax(x))")[0, 0].simplify() == 1
    assert value("1/2")[0, 0] == sp.Rational(1, 2)


def test_exact_json_is_what_verified_gains():
    assert exact_json(ExactResult(True, "equal")) == {"exact": True, "exact_detail": "equal"}
    assert exact_json(ExactResult(None, "not checked")) == {
        "exact": None,
        "exact_detail": "not checked",
    }


def test_a_result_undefined_at_the_point_gives_no_verdict():
    program, d = derived("  X: {shape: [n, n], props: [invertible]}", "  J: logdet(X)", "J", "X")
    singular = dataclasses.replace(d, result=typed(program, "inv(X - X)"), steps=())
    result = exact_check(program, singular)
    assert result.ok is None
    assert "undefined" in result.detail


# ----------------------------------------------------------------------------- the vec kinds

VEC_VARIABLES = (
    "  A: {shape: [p, m]}\n  X: {shape: [m, n]}\n  B: {shape: [n, q]}\n"
    "  S: {shape: [n, n], props: [invertible]}"
)
VEC_DEFINE = (
    "  Y: A*X*B\n  y: vec(A*X*B)\n  T: X'\n  G: X*X'\n  H: inv(S)\n"
    "  J: sum(Y) + sum(T) + sum(G) + sum(H)"
)


def vec_derivation(program, of: str, wrt: str, result: str, layout: Layout = Layout.NUMERATOR):
    """A hand-written derivation of a vec kind (the engine's own is not needed)."""
    typed_result = typed(program, result)
    of_shape, wrt_shape = program.symbols[of].shape, program.symbols[wrt].shape
    rows, cols = dim_product(*of_shape), dim_product(*wrt_shape)
    shape = (rows, cols) if layout is not Layout.DENOMINATOR else (cols, rows)
    return Derivation(of, wrt, layout, Method.DIFFERENTIAL, "vec-by-vec", shape, typed_result, ())


@pytest.mark.parametrize(
    ("of", "wrt", "result", "layout"),
    [
        ("Y", "X", "kron(B', A)", Layout.NUMERATOR),
        ("y", "X", "kron(B', A)", Layout.MIXED),
        ("Y", "X", "kron(B, A')", Layout.DENOMINATOR),
        ("T", "X", "commutation(m, n)", Layout.NUMERATOR),
        ("G", "X", "(eye(m*m) + commutation(m, m))*kron(X, eye(m))", Layout.NUMERATOR),
        ("H", "S", "-kron(inv(S)', inv(S))", Layout.NUMERATOR),
    ],
)
def test_the_exact_check_reads_kron_vec_andcommutation(of, wrt, result, layout):
    program = program_of(VEC_VARIABLES, VEC_DEFINE, "J", "X")
    right = exact_check(program, vec_derivation(program, of, wrt, result, layout))
    assert right.ok is True, right.detail
    assert right.proved, right.detail
    wrong = exact_check(program, vec_derivation(program, of, wrt, f"2*{result}", layout))
    assert wrong.ok is False, wrong.detail


def test_a_vec_result_with_the_factors_swapped_is_caught():
    program = program_of(VEC_VARIABLES, VEC_DEFINE, "J", "X")
    d = vec_derivation(program, "T", "X", "commutation(n, m)")  # K_nm, not K_mn
    result = exact_check(program, d, {"m": 2, "n": 3})
    assert result.ok is False
    assert "differs from the derivative" in result.detail


def test_the_interpreter_reads_kron_vec_commutation_and_product_sizes():
    X = sp.Matrix(2, 3, sp.symbols("x1:7"))
    a = sp.Matrix(sp.symbols("a1:3"))
    env = {"X": X, "a": a}
    sizes = {"m": 2, "n": 3}
    shapes = {"X": ("m", "n"), "a": ("m", 1)}

    def value(text):
        return Interpreter(env, sizes).value(infer(parse(text), shapes, dims=("m", "n")))

    assert value("vec(X)") == sp.Matrix([X[0, 0], X[1, 0], X[0, 1], X[1, 1], X[0, 2], X[1, 2]])
    assert value("commutation(m, n)*vec(X)") == value("vec(X')")
    assert value("commutation(m, n)'") == value("commutation(n, m)")
    assert value("kron(a, X)") == sp.Matrix(sp.BlockMatrix([[a[0] * X], [a[1] * X]]))
    assert value("eye(m*n)") == sp.eye(6)
    assert value("zeros(2*m, n*n)").shape == (4, 9)
    assert value("ones(m*n)").shape == (6, 1)
    assert kron(sp.Matrix([[2]]), X) == 2 * X
    assert commutation(1, 4) == sp.eye(4)
