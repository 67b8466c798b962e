"""Results in the form the textbooks print them, by every method that derives them.

Sources: Bishop, Pattern Recognition and Machine Learning (2006), sec. 4.3.2 (the
logistic cross-entropy gradient X'(y - t), here X'(p - y)), 4.3.3 (its Hessian
X'RX, R = diag(p(1 - p))) and 4.3.4 (softmax cross-entropy: y - t by the
activations); Hastie, Tibshirani & Friedman, The Elements of Statistical Learning
(2nd ed.), sec. 4.4.1 (the score X'(y - p)). Each result is also verified
numerically by the engine.
"""

from __future__ import annotations

import pytest

from gen.expr.to_text import to_text
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.spec.load import load_spec_text

LOGISTIC = """title: t
variables:
  X: {shape: [m, n], props: [constant]}
  y: {shape: [m], props: [constant]}
  w: {shape: [n]}
define:
  p: sigmoid(X*w)
  E: -(y'*log(p) + (ones(m) - y)'*log(ones(m) - p))
  L: y'*X*w - sum(log(ones(m) + exp(X*w)))
derive:
"""

SOFTMAX = """title: t
variables:
  W: {shape: [k, n]}
  x: {shape: [n], props: [constant]}
  t: {shape: [k], props: [%s]}
define:
  z: W*x
  C: -t'*log(softmax(z))
derive:
"""


def results(text: str) -> list[tuple[str, str]]:
    program = build_program(load_spec_text(text, "textbook.yaml"))
    out = []
    for d in derive_all(program):
        assert d.check is not None and d.check.numeric, (d.method, d.check)
        out.append((d.method.value, to_text(d.result)))
    return out


@pytest.mark.parametrize(
    ("target", "textbook"),
    [
        (
            "{of: E, wrt: w, layout: denominator, method: [chain, differential]}",
            "X'*(p - y)",  # PRML eq. 4.91: the activation keeps its name
        ),
        (
            "{of: L, wrt: w, layout: denominator, method: [chain, differential]}",
            "X'*(y - p)",
        ),
        # The sigmoid would be written twice: the definition p keeps its name (PRML 4.3.3: R).
        ("{of: E, wrt: w, order: 2}", "X'*diag(p.*(1 - p))*X"),
    ],
)
def test_logistic_regression(target, textbook):
    for method, text in results(LOGISTIC + f"  - {target}\n"):
        assert text == textbook, method


@pytest.mark.parametrize(
    ("props", "by_z", "by_w"),
    [
        # By the logits z = W x the gradient is written in z (Bishop, PRML 4.3.4).
        ("constant, probability", "softmax(z) - t", "(softmax(W*x) - t)*x'"),
        # Without 1't = 1 the exact gradient keeps the sum of t.
        ("constant", "sum(t)*softmax(z) - t", "(sum(t)*softmax(W*x) - t)*x'"),
    ],
)
def test_softmax_cross_entropy(props, by_z, by_w):
    targets = (
        "  - {of: C, wrt: z, layout: denominator, method: [chain, differential]}\n"
        "  - {of: C, wrt: W, layout: denominator, method: [chain, differential, index]}\n"
    )
    found = results(SOFTMAX % props + targets)
    assert [text for _, text in found] == [by_z] * 2 + [by_w] * 3


def test_logistic_by_the_logits_is_sigmoid_minus_labels():
    # PRML 4.3.2: dE/da_n = y_n - t_n; a sum of entrywise terms simplified as one.
    text = LOGISTIC.replace("  p: sigmoid(X*w)\n", "  z: X*w\n  p: sigmoid(z)\n")
    found = results(
        text + "  - {of: E, wrt: z, layout: denominator, method: [chain, differential]}\n"
    )
    # PRML writes y_n - t_n with y_n = sigmoid(a_n): the defined p, by its name.
    assert [t for _, t in found] == ["p - y"] * 2


def test_a_scalar_sigmoid_output_factors_its_scalar():
    # PRML 5.3 with one sigmoid output: dE/dw = (p - y) h; a x + b x = (a + b) x.
    text = (
        "title: t\nvariables:\n  h: {shape: [n], props: [constant]}\n  w: {shape: [n]}\n"
        "  y: {shape: [], props: [constant]}\ndefine:\n  p: sigmoid(h'*w)\n"
        "  E: -(y*log(p) + (1 - y)*log(1 - p))\nderive:\n"
        "  - {of: E, wrt: w, method: [chain, differential]}\n"
    )
    assert [t for _, t in results(text)] == ["(p - y)*h"] * 2
