"""Derivatives through broadcasting and through dimensions used as values (SPEC section 8).

Sources:
- CS231n (Stanford), "Backpropagation, intuitions" and assignment 2's affine layer:
  for Y = X W + b (b added to every row), dW = X^T dY, db = the sum of dY over the
  batch (np.sum(dout, axis=0)), i.e. G^T 1 as a column.
- The Matrix Cookbook (Petersen & Pedersen, 2012), eq. (2.8) for d(X^T X) and
  sec. 2.4.2 for d tr(A X^T X) = tr((A + A^T) X^T dX), used in the squared-distance
  gradient of sum(G .* D), D = r 1^T + 1 r^T - 2 X X^T with r = diag(X X^T).
- The centering matrix I - 1 1^T / n (Magnus & Neudecker, ch. 3 ex.; any statistics
  text) as the Jacobian of x - mean(x), and d s^2 / dx = 2 (x - mean(x)) / (n - 1)
  for the sample variance (here written with the centering matrix, which the engine
  cannot reduce without knowing that 1^T (x - mean(x)) = 0).
- tanh'(Z) = 1 - tanh(Z)^2 entry by entry (Goodfellow, Bengio & Courville, Deep
  Learning, sec. 6.3.2).

Every result is verified by the numeric check (finite differences) in every layout.
"""

from __future__ import annotations

import pytest

from gen.derive.steps import Derivation
from gen.expr.to_text import to_text
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.verify.exact import exact_check

LAYOUTS = ("mixed", "numerator", "denominator")


def derive(head: str, targets: list[str]) -> list[Derivation]:
    """Every derivation of the spec, each asserted verified by the numeric check."""
    text = head + "derive:\n" + "".join(f"  - {t}\n" for t in targets)
    program = build_program(load_spec_text(text, "broadcast.yaml"))
    out = derive_all(program)
    for d in out:
        assert d.check is not None and d.check.numeric, (d.of, d.wrt, d.method, d.check)
        assert all(s.verified is not False for s in d.steps), (d.method, d.layout)
    return out


def texts(derivations: list[Derivation]) -> dict[tuple[str, str, str, str], str]:
    """Each result's text by (of, wrt, method, layout)."""
    return {(d.of, d.wrt, d.method.value, d.layout.value): to_text(d.result) for d in derivations}


AFFINE = """title: affine layer with bias (CS231n)
dims:
  N: batch size
  d: inputs
  h: outputs
variables:
  X: {shape: [N, d], props: [constant]}
  W: {shape: [d, h]}
  b: {shape: [h]}
  G: {shape: [N, h], props: [constant], text: upstream gradient dL/dY}
define:
  Y: X*W + b'
  L: sum(G .* Y)
"""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_affine_layer_bias_gradient_is_the_batch_sum(layout: str) -> None:
    methods = "[differential, chain, index]" if layout != "numerator" else "[differential, chain]"
    got = texts(
        derive(
            AFFINE,
            [
                f"{{of: L, wrt: b, method: {methods}, layout: {layout}}}",
                f"{{of: L, wrt: W, method: [differential, chain], layout: {layout}}}",
            ],
        )
    )
    db = "sum(G, 1)" if layout == "numerator" else "sum(G, 1)'"  # CS231n's np.sum(dout, axis=0)
    dw = "G'*X" if layout == "numerator" else "X'*G"
    assert len(got) == (5 if layout != "numerator" else 4)
    for (_of, wrt, _method, _layout), result in got.items():
        assert result == (db if wrt == "b" else dw)


def test_affine_layer_jacobian_by_the_bias() -> None:
    got = texts(
        derive(
            AFFINE,
            [
                f"{{of: Y, wrt: b, method: [differential, chain], layout: {layout}}}"
                for layout in LAYOUTS
            ],
        )
    )
    assert got[("Y", "b", "differential", "numerator")] == "kron(eye(h), ones(N))"
    assert got[("Y", "b", "chain", "mixed")] == "kron(eye(h), ones(N))"
    assert got[("Y", "b", "differential", "denominator")] == "kron(eye(h), ones(N)')"


def test_affine_layer_is_proved_by_the_exact_check() -> None:
    program = build_program(
        load_spec_text(
            AFFINE + "derive:\n  - {of: L, wrt: b, method: [differential, chain, index]}\n",
            "broadcast.yaml",
        )
    )
    for d in derive_all(program):
        result = exact_check(program, d)
        assert result.ok and result.proved, result.detail


DISTANCES = """title: squared distances
dims:
  n: points
  d: features
variables:
  X: {shape: [n, d]}
  G: {shape: [n, n], props: [constant]}
define:
  D: (X .* X)*ones(d) + ((X .* X)*ones(d))' - 2*X*X'
  L: sum(G .* D)
"""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_squared_distances_by_the_points(layout: str) -> None:
    got = texts(
        derive(DISTANCES, [f"{{of: L, wrt: X, method: [differential, chain], layout: {layout}}}"])
    )
    assert len(got) == 2 and len(set(got.values())) == 1  # both methods print the same
    (result,) = set(got.values())
    assert "sum(G, 2)*ones(d)'" in result and "(G + G')*X" in result


TANH = """title: tanh layer
dims:
  N: batch size
  h: hidden units
variables:
  Z: {shape: [N, h]}
  G: {shape: [N, h], props: [constant]}
define:
  H: tanh(Z)
  L: sum(G .* H)
  M: sum(G .* (1 - H.^2))
"""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_scalar_minus_matrix(layout: str) -> None:
    got = texts(
        derive(
            TANH,
            [
                f"{{of: L, wrt: Z, method: [differential, chain, index], layout: {layout}}}",
                f"{{of: M, wrt: Z, method: [differential, chain], layout: {layout}}}",
            ],
        )
    )
    # tanh(Z) written twice is written H, its name (DL book 6.3.2: 1 - h^2)
    gradients = ("G.*(1 - H.^2)", "-G.*(2*H).*(1 - H.^2)")
    if layout == "numerator":
        gradients = tuple(f"({g})'" for g in gradients)
    assert got[("L", "Z", "differential", layout)] == gradients[0]
    assert got[("M", "Z", "chain", layout)] == gradients[1]
    assert all(
        "1 - tanh(Z).^2" in result or "1 - H.^2" in result for result in got.values()
    )  # not 1 1' - ...


CENTERING = """title: mean-centering and the sample variance
dims:
  n: samples
  N: a count used only as a value
variables:
  x: {shape: [n]}
  c: {shape: []}
define:
  z: x - ones(n)*(ones(n)'*x)/n
  u: x - ones(n)'*x/n
  s: u'*u/(n - 1)
  t: 1/N*sum(x) + c^n + sqrt(N)*c
"""


@pytest.mark.parametrize("layout", LAYOUTS)
def test_mean_centering_gives_the_centering_matrix(layout: str) -> None:
    got = texts(
        derive(
            CENTERING,
            [f"{{of: {y}, wrt: x, method: [differential, chain], layout: {layout}}}" for y in "zu"],
        )
    )
    assert set(got.values()) == {"I - ones(n)*ones(n)'/n"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sample_variance_with_n_minus_1(layout: str) -> None:
    got = texts(
        derive(CENTERING, [f"{{of: s, wrt: x, method: [differential, chain], layout: {layout}}}"])
    )
    chain = got[("s", "x", "chain", layout)]
    assert "/(n - 1)" in chain and "I - ones(n)*ones(n)'/n" in chain


@pytest.mark.parametrize("layout", LAYOUTS)
def test_dimensions_as_values(layout: str) -> None:
    got = texts(
        derive(
            CENTERING,
            [
                f"{{of: t, wrt: x, method: [differential, chain], layout: {layout}}}",
                f"{{of: t, wrt: c, method: [differential, chain], layout: {layout}}}",
            ],
        )
    )
    by_x = "ones(n)'/N" if layout == "numerator" else "ones(n)/N"
    assert got[("t", "x", "differential", layout)] == by_x
    assert got[("t", "c", "chain", layout)] == "n*c^(n - 1) + sqrt(N)"


def test_a_scalar_broadcast_into_a_vector() -> None:
    head = """title: scalar minus a vector
variables:
  c: {shape: []}
  v: {shape: [h], props: [positive]}
define:
  y: c - v
  M: sum(c - v) + c .* v'*v
  P: sum(v.^c)
"""
    got = texts(
        derive(
            head,
            [
                "{of: y, wrt: c, method: [differential, chain], layout: numerator}",
                "{of: M, wrt: c, method: [differential, chain]}",
                "{of: P, wrt: c, method: [differential, chain]}",
            ],
        )
    )
    assert got[("y", "c", "differential", "numerator")] == "ones(h)"
    assert got[("M", "c", "chain", "mixed")] == "h + v'*v"  # sum(ones(h)) = h
    assert got[("P", "c", "differential", "mixed")] == "sum(v.^c.*log(v))"


def test_numpy_forms_bind_the_dimension_names() -> None:
    (d,) = derive(CENTERING, ["{of: t, wrt: x, method: differential}"])
    assert d.check is not None and d.check.numeric
    from gen.verify.numeric import program_forms

    program = build_program(
        load_spec_text(CENTERING + "derive:\n  - {of: t, wrt: x}\n", "broadcast.yaml")
    )
    assert program_forms(program).of(d.result) == "np.ones((x.shape[0], 1)) / N"
