"""The entrywise (Hadamard) simplifier: textbook forms, and equality at random points.

Each case parses an expression, types it, simplifies it with
``gen.derive.entrywise.simplify_entrywise``, and checks (a) the exact textbook form
(the typed tree of the expected text, and that text printed back) and (b) equality
with the input by ``gen.expr.evaluate`` at random points (a probability vector on the
simplex where the facts say so).

Sources:

- Bishop, Pattern Recognition and Machine Learning (2006), 4.3.2 eq. (4.91):
  grad E(w) = sum_n (y_n - t_n) phi_n, with y_n = sigma(w' phi_n), i.e.
  X'*(sigmoid(X*w) - y) in our names (targets y); eq. (4.88): dsigma/da = sigma (1 - sigma).
- Bishop (2006), 4.3.4 eq. (4.109): grad_{w_j} E = sum_n (y_nj - t_nj) phi_n, y = softmax,
  t a 1-of-K target (its entries sum to 1): softmax(z) - t by the logits.
- Hastie, Tibshirani & Friedman, The Elements of Statistical Learning (2nd ed.), 4.4.1
  eq. (4.21): dl/dbeta = sum_i x_i (y_i - p(x_i; beta)) = X'*(y - sigmoid(X*w)).
- Bishop (2006), 4.3.3 eqs. (4.96)-(4.98): the Hessian of the cross-entropy is
  Phi' R Phi with R = diag(y_n (1 - y_n)): X'*diag(sigmoid(X*w).*(ones(m) - sigmoid(X*w)))*X.
- Goodfellow, Bengio & Courville, Deep Learning (2016), 3.10 (useful properties of the
  logistic sigmoid): sigma(x) = exp(x)/(exp(x) + exp(0)), d sigma/dx = sigma (1 - sigma),
  1 - sigma(x) = sigma(-x); 6.2.2.2 (sigmoid units) and 6.2.2.3 (softmax units: the
  cross-entropy gradient by the logits is softmax(z) - t for a one-hot t).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from gen.derive.entrywise import cost, simplify_diagonal, simplify_entrywise
from gen.derive.facts import Facts, facts_of
from gen.expr.ast import Node, Shape, children
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text
from gen.program import build_program
from gen.spec.load import load_spec_text

ENV: dict[str, Shape] = {
    "X": ("m", "n"),
    "w": ("n", 1),
    "y": ("m", 1),
    "A": ("n", "n"),
    "z": ("k", 1),
    "t": ("k", 1),
    "a": ("n", 1),
    "b": ("n", 1),
    "c": ("n", 1),
    "u": ("n", 1),
    "x": ("n", 1),
    "lam": (1, 1),
    "mu": (1, 1),
}
SIZES = {"m": 5, "n": 4, "k": 3}
PLAIN = Facts()
PROB = Facts(probability=frozenset({"t"}))

# The results of today's engine for the three textbook gradients (gradsheet check --json).
BISHOP_IN = (
    "(-y.*(1./sigmoid(X*w)) - (y - ones(m)).*(1./(ones(m) - sigmoid(X*w))))"
    ".*(sigmoid(X*w).*(ones(m) - sigmoid(X*w)))"
)
ESL_IN = "y + -(1./(ones(m) + exp(X*w))).*exp(X*w)"
SOFTMAX_IN = "softmax(z).*(-t.*(1./softmax(z))) - softmax(z)'*(-t.*(1./softmax(z)))*softmax(z)"


def typed(text: str) -> Node:
    return infer(parse(text), ENV)


def sample(rng: np.random.Generator, facts: Facts) -> dict[str, object]:
    """Values away from 0 (the expressions divide), t on the simplex when it is a probability."""
    values: dict[str, object] = {"X": rng.normal(size=(5, 4)), "A": rng.normal(size=(4, 4))}
    for name, (rows, _) in ENV.items():
        if name in ("X", "A"):
            continue
        size = 1 if rows == 1 else SIZES[str(rows)]
        v = rng.uniform(0.5, 2.0, size=(size, 1)) * rng.choice([-1.0, 1.0], size=(size, 1))
        values[name] = float(v[0, 0]) if rows == 1 else v
    if "t" in facts.probability:
        t = rng.uniform(0.1, 1.0, size=(3, 1))
        values["t"] = t / t.sum()
    return values


def assert_equal_at_points(before: Node, after: Node, facts: Facts, points: int = 4) -> None:
    rng = np.random.default_rng(7)
    for _ in range(points):
        values = sample(rng, facts)
        with np.errstate(all="ignore"):
            x = np.asarray(evaluate(before, values, SIZES), dtype=float)
            y = np.asarray(evaluate(after, values, SIZES), dtype=float)
        assert x.shape == y.shape
        if np.all(np.isfinite(x)) and np.max(np.abs(x)) < 1e6:
            np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-12)


def assert_typed(node: Node) -> None:
    assert node.shape is not None, node
    for child in children(node):
        assert_typed(child)


def check(text: str, expected: str, facts: Facts = PLAIN) -> None:
    before = typed(text)
    after = simplify_entrywise(before, facts)
    assert after is not None, f"{text} was left alone"
    assert to_text(after) == expected
    assert after == typed(expected)
    assert after.shape == before.shape
    assert_typed(after)
    assert cost(after) < cost(before)
    assert_equal_at_points(before, after, facts)


# ----------------------------------------------------------------------------- the textbook gradients


def test_bishop_logistic_regression_gradient() -> None:
    """PRML 4.3.2 eq. (4.91): the cross-entropy gradient is X'(sigma(Xw) - y); here the vector
    inside X'*(...) as the differential method derives it (dE/dp .* dp/da, eq. 4.88)."""
    check(BISHOP_IN, "sigmoid(X*w) - y")


def test_esl_logistic_regression_score() -> None:
    """ESL 4.4.1 eq. (4.21): the score of the log-likelihood is X'(y - p), p = sigma(Xw):
    exp(u)./(1 + exp(u)) is sigma(u) (DL 3.10)."""
    check(ESL_IN, "y - sigmoid(X*w)")


def test_softmax_cross_entropy_gradient_in_general() -> None:
    """The gradient of -t' log softmax(z) by z, for any t: softmax(z) 1't - t
    (Bishop 4.3.4 before t sums to 1)."""
    check(SOFTMAX_IN, "sum(t)*softmax(z) - t")


def test_softmax_cross_entropy_gradient_for_a_probability_vector() -> None:
    """Bishop 4.3.4 eq. (4.109), DL 6.2.2.3: softmax(z) - t when 1't = 1."""
    check(SOFTMAX_IN, "softmax(z) - t", PROB)


def test_the_inner_product_alone() -> None:
    """s'*(-t./s) = -1't: the 1 x 1 factor of the softmax Jacobian-vector product."""
    check("softmax(z)'*(-t.*(1./softmax(z)))", "-sum(t)")
    check("softmax(z)'*(-t.*(1./softmax(z)))", "-1", PROB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("t'*ones(k)", "sum(t)"),
        ("ones(k)'*t", "sum(t)"),
        ("sum(t./2) + sum(t)/2", "sum(t)"),
    ],
)
def test_sums_of_a_vector(text: str, expected: str) -> None:
    """1't = t'1 = sum(t), and 1 for a probability vector."""
    check(text, expected)
    check(text, "1", PROB)


# ----------------------------------------------------------------------------- the logistic function


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exp(u)./(ones(n) + exp(u))", "sigmoid(u)"),  # DL 3.10
        ("1./(ones(n) + exp(-u))", "sigmoid(u)"),  # the definition
        ("1./(ones(m) + exp(-X*w))", "sigmoid(X*w)"),  # -X*w parses as (-X)*w
        ("1./(ones(n) + exp(u))", "1 - sigmoid(u)"),  # the 1 broadcasts (SPEC 8)
        ("ones(n) - sigmoid(-u)", "sigmoid(u)"),  # DL 3.10: 1 - sigma(x) = sigma(-x)
        ("exp(u)./(ones(n) + exp(u)).^2", "sigmoid(u).*(1 - sigmoid(u))"),  # PRML (4.88)
        ("exp(u).*exp(-u)", "ones(n)"),
        ("sigmoid(u).*(ones(n) + exp(-u))", "ones(n)"),
        ("y - exp(X*w)./(ones(m) + exp(X*w))", "y - sigmoid(X*w)"),
    ],
)
def test_sigmoid_and_exp(text: str, expected: str) -> None:
    """The logistic identities of DL 3.10 and PRML 4.3.2."""
    check(text, expected)


def test_logistic_identities_can_be_switched_off() -> None:
    assert simplify_entrywise(typed("exp(u)./(ones(n) + exp(u))"), Facts(logistic=False)) is None


# ----------------------------------------------------------------------------- rational arithmetic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x.*(1./x)", "ones(n)"),  # undefined where x = 0, as the input is
        ("lam*x./lam", "x"),
        ("(a + b).*c - a.*c", "b.*c"),
        ("a.*b + a.*c", "a.*(b + c)"),
        ("a./x + b./x", "(a + b)./x"),
        ("-a./x + ones(n)", "(x - a)./x"),
        ("(a.*a - b.*b)./(a - b)", "a + b"),
        ("(a - b)./(b - a)", "-ones(n)"),
        ("zeros(n, 1) + a", "a"),
        ("a.^2./a", "a"),
        ("1./x.^2.*x", "1./x"),
        ("x.^-2.*x", "1./x"),
        ("(ones(n) + tanh(u) + tanh(u).^2).*(ones(n) - tanh(u))", "1 - tanh(u).^3"),
        ("diag(a)*b", "a.*b"),
        ("(1 + lam)*ones(n) - ones(n)", "lam*ones(n)"),
        ("lam/(lam + mu) + mu/(lam + mu)", "1"),
    ],
)
def test_rational_arithmetic(text: str, expected: str) -> None:
    """Distribute, cancel, collect like terms; positive terms first."""
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x./2 + x./3", "5/6*x"),
        ("(lam/2)*x./(lam/3)", "3/2*x"),
        ("(2*x)./(4*a)", "1/2*x./a"),
        ("a./3 - a./2", "-(1/6)*a"),
        ("(2*a - 2*b).*c", "2*(a - b).*c"),
        ("-(a - b).*c", "(b - a).*c"),
        ("(a - a).*c", "zeros(n, 1)"),
        ("lam./2 + lam./2", "lam"),
    ],
)
def test_numbers_fold(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    "text",
    [
        "sigmoid(u).*(ones(n) - sigmoid(u))",  # the textbook form of sigma' (PRML 4.88) stays
        "(ones(n) - sigmoid(u)).*sigmoid(u)",
        "tanh(u).*(ones(n) - tanh(u).^2)",  # tanh' = 1 - tanh^2: the factored form stays
        "sigmoid(u) - sigmoid(u).^2",  # no bigger than the factored form: left as written
        "x.^-1",
        "exp(u)",
        "sigmoid(-u)",
        "a - b",
        "X*w - y",
        "a.*b + a",  # a.*(b + ones(n)) is no smaller
        "-a - b",
        "a'*x",
        "lam*lam",
        "(a - b)./(a.*a - b.*b)",  # a - b divides a.^2 - b.^2, but factoring is not done
        "a./(b - b)",  # a division by zero is not this simplifier's to judge
        "y",
        "sum(t)",
        "softmax(z)",
    ],
)
def test_left_alone(text: str) -> None:
    assert simplify_entrywise(typed(text), PLAIN) is None


@pytest.mark.parametrize(
    "text", ["-(a - b)", "a - a", "(lam + mu)*a - mu*a", "2*a - 2*b", "x/2 + x/3", "lam/2 + lam/2"]
)
def test_plain_like_terms_are_for_simplify(text: str) -> None:
    """Sums, negations and scalings alone are gen.derive.simplify's (it collects like terms);
    this algebra starts where an entrywise product, a quotient, ones, sum or an inner product
    is."""
    assert simplify_entrywise(typed(text), PLAIN) is None


def test_matrices_are_left_alone() -> None:
    assert simplify_entrywise(typed("X.*(1./X)"), PLAIN) is None


def test_result_costs_less_and_ones_are_free() -> None:
    assert cost(typed("ones(m) - sigmoid(X*w)")) == 3
    assert cost(typed("sigmoid(X*w) - sigmoid(X*w).^2")) == cost(
        typed("sigmoid(X*w).*(ones(m) - sigmoid(X*w))")
    )


def test_facts_of_a_program() -> None:
    spec = load_spec_text(
        "title: T\nvariables:\n  t: {shape: [k], props: [constant, probability]}\n"
        "  z: {shape: [k]}\ndefine:\n  C: -t'*log(softmax(z))\n"
        "derive:\n  - {of: C, wrt: z}\n",
        "t.yaml",
    )
    assert facts_of(build_program(spec)) == Facts(probability=frozenset({"t"}))


# ----------------------------------------------------------------------------- diagonal matrices

# The matrix between X' and X in today's differential Hessian of the cross-entropy.
HESSIAN_IN = (
    "(diag(-y.*(1./sigmoid(X*w)) - (y - ones(m)).*(1./(ones(m) - sigmoid(X*w))))"
    "*(diag(ones(m) - sigmoid(X*w)) - diag(sigmoid(X*w)))"
    " - diag(sigmoid(X*w).*(ones(m) - sigmoid(X*w)))*(diag(-y)*diag(1./sigmoid(X*w).^2)"
    " + diag(y - ones(m))*diag(1./(ones(m) - sigmoid(X*w)).^2)))"
    "*diag(sigmoid(X*w).*(ones(m) - sigmoid(X*w)))"
)


def check_diagonal(text: str, expected: str) -> None:
    before = typed(text)
    after = simplify_diagonal(before, PLAIN)
    assert after is not None, f"{text} was left alone"
    assert to_text(after) == expected
    assert after.shape == before.shape
    assert_typed(after)
    assert cost(after) < cost(before)
    assert_equal_at_points(before, after, PLAIN)


def test_logistic_regression_hessian_weights() -> None:
    """PRML 4.3.3 eq. (4.97): R = diag(y (1 - y)), from the product rule's diagonal matrices."""
    check_diagonal(HESSIAN_IN, "diag(sigmoid(X*w).*(1 - sigmoid(X*w)))")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("diag(a)*diag(b)", "diag(a.*b)"),
        ("2*diag(a) - diag(a)", "diag(a)"),
        ("lam*diag(a)*diag(b)/lam", "diag(a.*b)"),
        ("(diag(a)^2)'", "diag(a.^2)"),
        ("diag(a)*inv(diag(a))", "I"),
        ("diag(a)*I - diag(a - ones(n))", "I"),
    ],
)
def test_diagonal_matrices_commute(text: str, expected: str) -> None:
    check_diagonal(text, expected)


@pytest.mark.parametrize("text", ["diag(a)", "diag(a)*A", "A*diag(a) + diag(a)", "X'*X", "a"])
def test_diagonal_left_alone(text: str) -> None:
    assert simplify_diagonal(typed(text), PLAIN) is None


# ----------------------------------------------------------------------------- random expressions

_VECTORS = ["a", "b", "c", "sigmoid(u)", "exp(u)", "exp(-u)", "ones(n)", "X'*y", "t", "sigmoid(-u)"]
_SCALARS = ["lam", "mu", "2", "1/2", "a'*b", "sum(t)", "a'*(t./a)"]
_ENV_RANDOM: dict[str, Shape] = {**ENV, "t": ("n", 1), "y": ("m", 1)}


def _random_text(rng: random.Random, depth: int, vector: bool) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(_VECTORS if vector else _SCALARS)
    op = rng.choice(
        ["+", "-", ".*", "./", "neg", "scale", "power"] if vector else ["+", "-", "*", "/", "neg"]
    )
    if op == "neg":
        return f"-({_random_text(rng, depth - 1, vector)})"
    if op == "scale":
        return f"({_random_text(rng, depth - 1, False)})*({_random_text(rng, depth - 1, True)})"
    if op == "power":
        return f"({_random_text(rng, depth - 1, vector)}).^{rng.choice([2, 3, -1, -2])}"
    left, right = _random_text(rng, depth - 1, vector), _random_text(rng, depth - 1, vector)
    return f"({left}) {op} ({right})"


def test_random_expressions_keep_their_value() -> None:
    """Whatever comes back is equal at random points, typed, cheaper, and prints and parses
    back to itself."""
    rng = random.Random(2024)
    changed = 0
    for _ in range(150):
        text = _random_text(rng, 3, rng.random() < 0.85)
        before = infer(parse(text), _ENV_RANDOM)
        for facts in (PLAIN, Facts(probability=frozenset({"t"}))):
            after = simplify_entrywise(before, facts)
            if after is None:
                continue
            changed += 1
            assert after.shape == before.shape, text
            assert_typed(after)
            assert cost(after) < cost(before), text
            assert infer(parse(to_text(after)), _ENV_RANDOM) == after, (text, to_text(after))
            _equal_random(before, after, facts, text)
    assert changed > 50


def _equal_random(before: Node, after: Node, facts: Facts, text: str) -> None:
    rng = np.random.default_rng(3)
    sizes = {"m": 5, "n": 4, "k": 3}
    for _ in range(3):
        values: dict[str, object] = {
            name: rng.uniform(0.5, 2.0, size=(sizes[str(r)] if r != 1 else 1, 1))
            * rng.choice([-1.0, 1.0])
            for name, (r, _) in _ENV_RANDOM.items()
            if name not in ("X", "A")
        }
        values["lam"], values["mu"] = 1.3, -0.7
        values["X"] = rng.normal(size=(5, 4))
        if facts.probability:
            t = rng.uniform(0.1, 1.0, size=(4, 1))
            values["t"] = t / t.sum()
        with np.errstate(all="ignore"):
            x = np.asarray(evaluate(before, values, sizes), dtype=float)
            y = np.asarray(evaluate(after, values, sizes), dtype=float)
        if np.all(np.isfinite(x)) and np.max(np.abs(x)) < 1e6:
            np.testing.assert_allclose(y, x, rtol=1e-7, atol=1e-9, err_msg=text)


def test_fractions_stay_exact() -> None:
    assert simplify_entrywise(typed("x./3 + x./3 + x./3"), PLAIN) == typed("x")
    third = simplify_entrywise(typed("x./6 + x./6"), PLAIN)
    assert third is not None and to_text(third) == "1/3*x"
    assert third == typed("1/3*x")
