"""The course functions of SPEC section 8 through every method and layout, checked end to end.

Each spec below goes through ``check_spec`` (load, derive, the numeric check, the
methods compared), and every derivation must come back verified; a few results are
held against the textbooks' forms, evaluated at random points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.make.pipeline import check_spec
from gen.program import build_program
from gen.spec.load import load_spec
from gen.verify.points import KINK_MARGIN, Point, _sample, kink_arguments, kink_distance

LAYOUTS = ("mixed", "numerator", "denominator")

HEAD = """title: course functions
layout: {layout}
dims:
  m: rows
  n: columns
variables:
  X: {{shape: [m, n], props: [constant]}}
  Y: {{shape: [m, n], props: [constant]}}
  v: {{shape: [m], props: [constant]}}
  u: {{shape: [n], props: [constant]}}
  w: {{shape: [n]}}
  x: {{shape: [n]}}
  W: {{shape: [n, n]}}
  Z: {{shape: [m, n]}}
"""

# One definition per function (or form of it), each derived by the methods listed.
SCALAR_TARGETS = {
    "relu": ("sum(relu(X*w))", "w", "differential, chain"),
    "abs": ("sum(abs(X*w))", "w", "differential, chain"),
    "sign": ("v'*sign(X*w) + sum(w)", "w", "differential, chain"),
    "step": ("v'*step(X*w) + sum(w)", "w", "differential, chain"),
    "colsum": ("sum(sum(Z .* Z, 1)*u)", "Z", "differential, chain"),
    "rowsum": ("v'*sum(exp(Z), 2)", "Z", "differential, chain"),
    "mean": ("mean(Z .* Z)", "Z", "differential, chain"),
    "colmean": ("mean(Z, 1)*u", "Z", "differential, chain"),
    "rowmean": ("v'*mean(Z .* Z, 2)", "Z", "differential, chain"),
    "rowsoftmax": ("sum(Y .* log(softmax(Z, 2)))", "Z", "differential, chain"),
    "colsoftmax": ("sum(Y .* softmax(Z, 1))", "Z", "differential, chain"),
    "rowlse": ("v'*logsumexp(Z, 2)", "Z", "differential, chain"),
    "collse": ("logsumexp(Z, 1)*u", "Z", "differential, chain"),
    "diagof": ("u'*diag(W*W)", "W", "differential, chain"),
    "pi": ("pi*w'*w", "w", "differential, chain"),
}

# Vector and matrix results: Jacobians, through vec where a matrix is involved.
JACOBIAN_TARGETS = {
    "relu": ("relu(X*w)", "w"),
    "abs": ("abs(W*x)", "x"),
    "rowsum": ("sum(Z .* Z, 2)", "Z"),
    "colmean": ("mean(Z, 1)", "Z"),
    "softmax": ("softmax(X*w, 1)", "w"),
    "rowlse": ("logsumexp(Z, 2)", "Z"),
    "diagof": ("diag(W)", "W"),
}


def spec_text(layout: str, targets: dict[str, tuple[str, str, str]]) -> str:
    """A spec defining each target as ``f_<key>`` and deriving it by its methods."""
    lines = [HEAD.format(layout=layout), "define:"]
    lines += [f'  f_{key}: "{expr}"' for key, (expr, _, _) in targets.items()]
    lines.append("derive:")
    lines += [
        f"  - {{of: f_{key}, wrt: {wrt}, method: [{methods}]}}"
        for key, (_, wrt, methods) in targets.items()
    ]
    return "\n".join(lines) + "\n"


def checked(tmp_path: Path, text: str, exact: bool = False) -> tuple[Any, Any]:
    """``check_spec`` on the text: the outcome and its derivations."""
    path = tmp_path / "course.yaml"
    path.write_text(text, encoding="utf-8")
    _, derivations, outcome = check_spec(path, exact=exact, timeout=120)
    return outcome, derivations


def results_by_target(outcome: Any) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(d["of"], d["wrt"], d["method"]): d for d in outcome.results["derivations"]}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_scalar_target_verifies_in_every_method(tmp_path: Path, layout: str):
    outcome, _ = checked(tmp_path, spec_text(layout, SCALAR_TARGETS))
    assert outcome.errors == []
    found = results_by_target(outcome)
    for key, (_, wrt, methods) in SCALAR_TARGETS.items():
        for method in methods.split(", "):
            derivation = found[(f"f_{key}", wrt, method)]
            assert derivation["verified"]["numeric"] is True, (key, method)
            assert derivation["layout"] == layout


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_jacobian_verifies_in_every_method(tmp_path: Path, layout: str):
    targets = {k: (expr, wrt, "differential, chain") for k, (expr, wrt) in JACOBIAN_TARGETS.items()}
    outcome, _ = checked(tmp_path, spec_text(layout, targets))
    assert outcome.errors == []
    found = results_by_target(outcome)
    assert len(found) == 2 * len(targets)
    assert all(d["verified"]["numeric"] is True for d in found.values())


def test_a_network_layer_by_chain_and_differential(tmp_path: Path):
    """Two links named by defines: the chain method composes relu's Jacobian, diag(step)."""
    text = HEAD.format(layout="mixed") + (
        "define:\n  h: relu(X*w)\n  L: v'*h\n"
        "derive:\n  - {of: L, wrt: w, method: [differential, chain]}\n"
        "  - {of: L, wrt: w, order: 2}\n"
    )
    outcome, derivations = checked(tmp_path, text)
    assert outcome.errors == []
    assert len(derivations) == 3
    assert all(d.check is not None and d.check.numeric for d in derivations)
    texts = {d["result"]["text"] for d in outcome.results["derivations"] if "order" not in d}
    assert texts <= {"X'*(v.*step(X*w))", "X'*(step(X*w).*v)"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_index_method_through_an_entrywise_link(tmp_path: Path, layout: str):
    text = HEAD.format(layout=layout) + (
        "define:\n  H: relu(W)\n  L: u'*H*u\n  A: abs(Z)\n  M: sum(v'*A)\n"
        "derive:\n  - {of: L, wrt: W, method: [differential, chain, index]}\n"
        "  - {of: M, wrt: Z, method: [differential, chain, index]}\n"
    )
    outcome, derivations = checked(tmp_path, text)
    assert outcome.errors == []
    assert len(derivations) == 6
    assert all(d.check is not None and d.check.numeric for d in derivations)
    assert all(d.agreement is not None and d.agreement.ok for d in derivations)


HESSIANS = {
    "lse": ("logsumexp(X*w, 1)", "w"),
    "mean": ("mean(exp(X*w))", "w"),
    "softmax": ("v'*softmax(X*w, 1)", "w"),
    "diagof": ("u'*diag(x*x')", "x"),
    "kinks": ("sum(abs(X*w)) + sum(relu(X*w).^2)", "w"),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_hessians_through_the_course_functions(tmp_path: Path, layout: str):
    text = HEAD.format(layout=layout) + "define:\n"
    text += "".join(f'  h_{key}: "{expr}"\n' for key, (expr, _) in HESSIANS.items())
    text += "derive:\n"
    text += "".join(
        f"  - {{of: h_{key}, wrt: {wrt}, order: 2}}\n" for key, (_, wrt) in HESSIANS.items()
    )
    outcome, derivations = checked(tmp_path, text)
    assert outcome.errors == []
    assert len(derivations) == len(HESSIANS)
    assert all(d.order == 2 and d.check is not None and d.check.numeric for d in derivations)
    found = {d["of"]: d["result"]["text"] for d in outcome.results["derivations"]}
    assert found["h_diagof"] == "diag(2*u)"  # d2 (u' (x .* x)) = 2 diag(u)


# -- cited identities -----------------------------------------------------------


def result_of(tmp_path: Path, define: str, wrt: str, layout: str = "mixed") -> str:
    text = HEAD.format(layout=layout) + (
        f'define:\n  f: "{define}"\nderive:\n  - {{of: f, wrt: {wrt}}}\n'
    )
    outcome, _ = checked(tmp_path, text)
    assert outcome.errors == []
    (derivation,) = outcome.results["derivations"]
    assert derivation["verified"]["numeric"] is True
    return str(derivation["result"]["text"])


def test_relu_gradient_is_the_step_goodfellow_6_3_1(tmp_path: Path):
    # Goodfellow, Bengio and Courville, Deep Learning, 6.3.1: g(z) = max{0, z} has
    # derivative 1 where the unit is active, 0 elsewhere; through z = Xw, X' step(Xw).
    assert result_of(tmp_path, "sum(relu(X*w))", "w") == "X'*step(X*w)"
    assert result_of(tmp_path, "sum(relu(X*w))", "w", "numerator") == "step(X*w)'*X"


def test_l1_gradient_is_the_sign(tmp_path: Path):
    # The (sub)gradient of the l1 norm ||Xw||_1 is X' sign(Xw) away from zeros
    # (Hastie, Tibshirani and Wainwright, Statistical Learning with Sparsity, 5.2).
    assert result_of(tmp_path, "sum(abs(X*w))", "w") == "X'*sign(X*w)"


def test_diag_of_a_matrix_matrix_cookbook(tmp_path: Path):
    # u' diag(W) = tr(diag(u) W), and d tr(A W)/dW = A' (Petersen and Pedersen,
    # The Matrix Cookbook, 2.5.1): the gradient is diag(u).
    assert result_of(tmp_path, "u'*diag(W)", "W") == "diag(u)"


def test_row_logsumexp_gradient_is_the_row_softmax_boyd_3_1_5(tmp_path: Path):
    # Boyd and Vandenberghe, Convex Optimization, 3.1.5: the gradient of log-sum-exp
    # is the softmax; over the rows of Z, summed, the row softmax.
    text = result_of(tmp_path, "sum(logsumexp(Z, 2))", "Z")
    assert_equal_at_points(text, "softmax(Z, 2)")


def test_batch_softmax_cross_entropy_bishop_4_3_4(tmp_path: Path):
    # Bishop, PRML 4.3.4 (4.109): the gradient of the cross-entropy -sum t_nk log y_nk
    # by the activations is y - t when each row of T sums to one.
    text = result_of(tmp_path, "-sum(Y .* log(softmax(Z, 2)))", "Z")
    assert_equal_at_points(text, "softmax(Z, 2) - Y", rows_sum_to_one="Y")


def test_mean_gradient_is_one_over_the_count(tmp_path: Path):
    text = result_of(tmp_path, "mean(Z)", "Z")
    assert_equal_at_points(text, "ones(m)*ones(n)'/sum(ones(m*n))")
    column = result_of(tmp_path, "mean(Z, 1)*u", "Z")
    assert_equal_at_points(column, "ones(m)*u'/sum(ones(m))")


SHAPES = {
    "X": ("m", "n"),
    "Y": ("m", "n"),
    "Z": ("m", "n"),
    "W": ("n", "n"),
    "v": ("m", 1),
    "u": ("n", 1),
    "w": ("n", 1),
    "x": ("n", 1),
}


def assert_equal_at_points(got: str, book: str, rows_sum_to_one: str | None = None) -> None:
    """The two expressions agree at random points (sizes 3 x 4)."""
    sizes = {"m": 3, "n": 4}
    left, right = (infer(parse(text), SHAPES) for text in (got, book))
    rng = np.random.default_rng(7)
    for _ in range(3):
        env: dict[str, Any] = {
            name: rng.normal(size=(sizes.get(str(r), r), sizes.get(str(c), c)))  # type: ignore[arg-type]
            for name, (r, c) in SHAPES.items()
        }
        if rows_sum_to_one is not None:
            e = np.exp(env[rows_sum_to_one])
            env[rows_sum_to_one] = e / e.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(
            evaluate(left, env, sizes), evaluate(right, env, sizes), rtol=1e-10, atol=1e-12
        )


# -- errors, warnings, the exact check, kinks ----------------------------------------


@pytest.mark.parametrize(
    ("expr", "message", "column"),
    [
        (
            "sum(softmax(Z))",
            "in 'sum(softmax(Z))': softmax of [m, n] needs a dimension: write softmax(A, 1)"
            " for each column or softmax(A, 2) for each row",
            10,
        ),
        (
            "sum(Z, 3)*u",
            "in 'sum(Z, 3)*u': the dimension of sum(A, k) is 1 (each column) or 2 (each row),"
            " not '3'",
            13,
        ),
        (
            "sum(logsumexp(Z))",
            "in 'sum(logsumexp(Z))': logsumexp of [m, n] needs a dimension: write"
            " logsumexp(A, 1) for each column or logsumexp(A, 2) for each row",
            10,
        ),
    ],
)
def test_a_missing_or_wrong_dimension_is_a_located_error(
    tmp_path: Path, expr: str, message: str, column: int
):
    text = HEAD.format(layout="mixed") + f"define:\n  f: {expr}\nderive:\n  - {{of: f, wrt: Z}}\n"
    outcome, _ = checked(tmp_path, text)
    (error,) = outcome.errors
    assert error.message == message
    assert error.span is not None
    assert (error.span.line, error.span.column) == (16, column)


def test_a_spec_may_declare_its_own_pi_with_a_warning(tmp_path: Path):
    text = (
        HEAD.format(layout="mixed").replace(
            "  Z: {shape: [m, n]}\n", "  Z: {shape: [m, n]}\n  pi: {shape: [n]}\n"
        )
        + "define:\n  f: pi'*w\nderive:\n  - {of: f, wrt: w}\n"
    )
    outcome, _ = checked(tmp_path, text)
    assert outcome.errors == []
    (derivation,) = outcome.results["derivations"]
    assert derivation["result"]["text"] == "pi"  # the spec's vector, not 3.14...
    (warning,) = [w for w in outcome.warnings if "'pi'" in w.message]
    assert warning.message == (
        "'pi' is declared here, so 'pi' in this spec means it, not the constant pi"
    )
    assert warning.span is not None and warning.span.line == 15


def test_pi_is_the_number(tmp_path: Path):
    assert result_of(tmp_path, "pi*w'*w", "w") == "2*pi*w"
    tree = infer(parse("2*pi"), {})
    assert evaluate(tree, {}, {}) == pytest.approx(2 * np.pi)


def test_the_exact_check_on_the_course_functions(tmp_path: Path):
    text = HEAD.format(layout="mixed") + (
        "define:\n"
        "  r: v'*relu(X*w) + sum(abs(X*w)) + sum(sign(X*w) .* step(X*w))\n"
        "  s: sum(Y .* log(softmax(Z, 2))) + v'*logsumexp(Z, 2) + mean(Z) + sum(Z, 1)*u\n"
        "  g: u'*diag(W) + pi*w'*w\n"
        "derive:\n"
        "  - {of: r, wrt: w}\n  - {of: s, wrt: Z}\n  - {of: g, wrt: W}\n  - {of: g, wrt: w}\n"
    )
    outcome, _ = checked(tmp_path, text, exact=True)
    assert outcome.errors == []
    details = [d["verified"] for d in outcome.results["derivations"]]
    assert len(details) == 4
    assert all(d["numeric"] is True and d["exact"] is True for d in details), details


def test_points_are_drawn_away_from_kinks():
    text = HEAD.format(layout="mixed") + (
        "define:\n  f: sum(relu(X*w - 0.3*ones(m))) + sum(abs(w))\nderive:\n  - {of: f, wrt: w}\n"
    )
    path_free = load_spec_text(text)
    program = build_program(path_free)
    kinks = kink_arguments(program)
    assert len(kinks) == 2
    sizes = {"m": 6, "n": 5}
    near = 0
    for seed in range(40):
        point = Point(program, sizes, np.random.default_rng(seed))
        assert kink_distance(program, kinks, point.values, sizes) > KINK_MARGIN
        # The first draw of the same seed, before any redraw, is often too close.
        rng = np.random.default_rng(seed)
        first = {s.name: _sample(s, sizes, rng) for s in program.symbols.values() if s.variable}
        near += kink_distance(program, kinks, first, sizes) <= KINK_MARGIN
    assert near > 0, "no draw came near a kink: the test shows nothing"


def load_spec_text(text: str) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kinks.yaml"
        path.write_text(text, encoding="utf-8")
        return load_spec(str(path))
