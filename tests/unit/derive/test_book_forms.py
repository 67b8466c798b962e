"""SPEC section 8, measured: no course result is longer than 1.5 times the book's form.

One row per course derivation (spec file, of, wrt, order; every method the spec names):
the book's form in our text syntax, with its source. The length of a form is the
number of characters of its text without spaces; the test prints the table worst first
and fails when a ratio exceeds ``LIMIT``, except on the rows of ``KNOWN_OPEN`` (each
with its reason; a row listed there that meets the limit fails too, so the list cannot
go stale). Every book form is checked numerically equal to the engine's result at
random points honouring the props, so the table cannot hold a wrong book form.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.expr.ast import Node
from gen.expr.evaluate import evaluate
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.draws import assumed_point

COURSE = Path(__file__).resolve().parents[3] / "specs" / "course"
LIMIT = 1.5
SEEDS = (3, 4)


class Book(NamedTuple):
    """The book's form of one derivation (``file:of/wrt``, ``:2`` for a Hessian)."""

    key: str
    form: str
    source: str


NET = "(softmax(S, 2) - Y)"  # the two-layer network's output residual (times N)
ATT = "(P.*(G*V' - sum(P.*(G*V'), 2)))"  # the score gradient of attention

BOOKS = (
    Book("affine-layer:L/W", "X'*G", "CS231n assignment 2, affine_backward: dw = x.T dout"),
    Book("affine-layer:L/b", "sum(G, 1)'", "CS231n affine_backward: db = sum(dout, axis=0)"),
    Book("affine-layer:L/X", "G*W'", "CS231n affine_backward: dx = dout w.T"),
    Book("attention:L/V", "P'*G", "The Annotated Transformer; Vaswani et al. 2017, eq. 1"),
    Book("attention:L/S", ATT, "softmax backward, Goodfellow et al., DL book 6.5.9"),
    Book("attention:L/Q", f"{ATT}*K/sqrt(d)", "Vaswani et al. 2017, eq. 1, backward"),
    Book("attention:L/K", f"{ATT}'*Q/sqrt(d)", "Vaswani et al. 2017, eq. 1, backward"),
    Book("batch-norm:L/gamma", "sum(G.*X_hat, 1)'", "Ioffe & Szegedy 2015, algorithm backward"),
    Book("batch-norm:L/beta", "sum(G, 1)'", "Ioffe & Szegedy 2015, dL/dbeta"),
    Book(
        "batch-norm:L/v",
        "-sum(G.*gamma'.*X_c, 1).*(v + epsilon).^(-3/2)/2",
        "Ioffe & Szegedy 2015, section 3, dL/dsigma_B^2",
    ),
    Book("batch-norm:L/X_hat", "G.*gamma'", "Ioffe & Szegedy 2015, dL/dx_hat"),
    Book(
        "batch-norm:L/X",
        "gamma'.*(G - mean(G, 1) - X_hat.*mean(G.*X_hat, 1))./sqrt(v + epsilon)",
        "CS231n assignment 2, batchnorm_backward_alt",
    ),
    Book("fisher-lda:Jf/w", "2*(c*SB*w - a*SW*w)/c^2", "Bishop, PRML, eq. 4.26-4.29"),
    Book(
        "gaussian-ml-covariance:ll/Sigma",
        "(inv(Sigma)*S*inv(Sigma) - N*inv(Sigma))/2",
        "Bishop, PRML, exercise 2.34; Matrix Cookbook eq. 57, 61",
    ),
    Book("gaussian-ml-covariance:llp/Lambda", "(N*inv(Lambda) - S)/2", "Matrix Cookbook 57"),
    Book("gaussian-ml-mean:ll/mu", "inv(Sigma)*sum(X_c, 1)'", "Bishop, PRML, eq. 2.120"),
    Book("gaussian-ml-mean:ll/mu:2", "-N*inv(Sigma)", "Bishop, PRML, section 2.3.4"),
    Book(
        "gp-marginal-likelihood:L/sf2",
        "tr((inv(K)*y*y'*inv(K) - inv(K))*exp(-D2/(2*ell^2)))/2",
        "Rasmussen & Williams, GPML, eq. 5.9",
    ),
    Book(
        "gp-marginal-likelihood:L/K",
        "(inv(K)*y*y'*inv(K) - inv(K))/2",
        "Rasmussen & Williams, GPML, eq. 5.9 before the trace",
    ),
    Book(
        "gp-marginal-likelihood:L/ell",
        "tr((inv(K)*y*y'*inv(K) - inv(K))*(sf2*exp(-D2/(2*ell^2)).*D2))/(2*ell^3)",
        "Rasmussen & Williams, GPML, eq. 5.9 with eq. 2.31's kernel",
    ),
    Book("k-means:J/Mu", "2*R'*(R*Mu - X)", "Bishop, PRML, eq. 9.4"),
    Book(
        "lasso-smooth:f/w", "X'*(X*w - y)/m", "Hastie et al., Statistical Learning w. Sparsity 2.4"
    ),
    Book("lasso-smooth:F/w", "X'*(X*w - y)/m + lam*sign(w)", "Hastie et al., SLS, eq. 2.6"),
    Book("layer-norm:L/g", "sum(G.*X_hat, 1)'", "Ba, Kiros & Hinton 2016, eq. 4, backward"),
    Book(
        "layer-norm:L/v",
        "-sum(G.*g'.*X_c, 2).*(v + epsilon).^(-3/2)/2",
        "Ba et al. 2016 with Ioffe & Szegedy's dL/dsigma^2",
    ),
    Book(
        "layer-norm:L/X",
        "(G.*g' - mean(G.*g', 2) - X_hat.*mean(G.*g'.*X_hat, 2))./sqrt(v + epsilon)",
        "Ba et al. 2016, the batch-norm backward pass with per-row statistics",
    ),
    Book("log-barrier:f/x", "t*c - 1./x", "Boyd & Vandenberghe, eq. 11.7"),
    Book("log-barrier:f/x:2", "diag(1./x.^2)", "Boyd & Vandenberghe, section 11.2.1"),
    Book("log-sum-exp:lse/z", "softmax(z)", "Boyd & Vandenberghe, section 3.1.5"),
    Book(
        "log-sum-exp:lse/z:2",
        "diag(softmax(z)) - softmax(z)*softmax(z)'",
        "Boyd & Vandenberghe, section 3.1.5",
    ),
    Book("log-sum-exp:nll/z", "softmax(z) - y", "Murphy, PML, eq. 10.71"),
    Book("logistic-regression:E/w", "X'*(p - y)/m", "Bishop, PRML, eq. 4.91"),
    Book("logistic-regression:E/w:2", "X'*diag(p.*(1 - p))*X/m", "Bishop, PRML, eq. 4.97"),
    Book("mahalanobis:Delta/x", "2*inv(Sigma)*z", "Matrix Cookbook eq. 86"),
    Book("mahalanobis:Delta/mu", "-2*inv(Sigma)*z", "Matrix Cookbook eq. 86"),
    Book("mahalanobis:Delta/Sigma", "-inv(Sigma)*z*z'*inv(Sigma)", "Matrix Cookbook eq. 61"),
    Book("matrix-factorisation:J/U", "(M.*E)*V + lam*U", "Koren et al. 2009, eq. 2 by U"),
    Book("matrix-factorisation:J/V", "(M.*E)'*U + lam*V", "Koren et al. 2009, eq. 2 by V"),
    Book("normal-equations:J/w", "X'*(X*w - y)", "Bishop, PRML, eq. 3.13; Cookbook 84"),
    Book("normal-equations:J/w:2", "X'*X", "Matrix Cookbook eq. 84"),
    Book("normal-equations:y_hat/y", "X*inv(X'*X)*X'", "Hastie et al., ESL, eq. 3.7"),
    Book("pca-reconstruction:J/W", "-(X'*E + E'*X)*W", "Matrix Cookbook eq. 104, 105"),
    Book("poisson-regression:L/w", "X'*(exp(X*w) - y)", "McCullagh & Nelder, GLMs 2.5"),
    Book("poisson-regression:L/w:2", "X'*diag(exp(X*w))*X", "McCullagh & Nelder, GLMs 2.5"),
    Book("pseudo-huber:L/r", "r./sqrt(1 + (r/delta).^2)", "Hartley & Zisserman, A6.8"),
    Book("pseudo-huber:L/w", "X'*(r./sqrt(1 + (r/delta).^2))", "Hartley & Zisserman, A6.8"),
    Book("rayleigh-quotient:num/u", "2*S*u", "Matrix Cookbook eq. 85"),
    Book("rayleigh-quotient:R/u", "2*(S*u - R*u)/den", "Horn & Johnson, Matrix Analysis 4.2"),
    Book("relu-layer:L/A", "G.*step(A)", "CS231n assignment 2, relu_backward"),
    Book("relu-layer:L/W", "X'*(G.*step(A))", "CS231n, affine_relu_backward"),
    Book("relu-layer:L/b", "sum(G.*step(A), 1)'", "CS231n, affine_relu_backward"),
    Book("ridge-regression:J/w", "2*(X'*(X*w - y) + lam*w)", "Hastie et al., ESL, eq. 3.44"),
    Book("ridge-regression:J/w:2", "2*(X'*X + lam*eye(n))", "Hastie et al., ESL, eq. 3.44"),
    Book("ridge-regression:w_hat/y", "inv(X'*X + lam*eye(n))*X'", "Hastie et al., ESL, 3.44"),
    Book("rnn-step:h1/W", "diag(1 - h1.^2)*kron(h0', eye(h))", "Deep Learning book, 10.2.2"),
    Book("rnn-step:L/h1", "W'*((1 - h2.^2).*g)", "Deep Learning book, eq. 10.21"),
    Book(
        "rnn-step:L/W",
        "((1 - h2.^2).*g)*h1' + (W'*((1 - h2.^2).*g).*(1 - h1.^2))*h0'",
        "Deep Learning book, eq. 10.26",
    ),
    Book("sample-variance:s2/x", "2*(x - mean(x))/(n - 1)", "Bishop, PRML, eq. 1.56"),
    Book("softmax-cross-entropy:L/Z", "(softmax(Z, 2) - Y)/N", "Murphy, PML, eq. 10.71; CS231n"),
    Book(
        "softmax-cross-entropy:L/W",
        "X'*(softmax(Z, 2) - Y)/N + 2*lam*W",
        "CS231n assignment 1, softmax_loss_vectorized",
    ),
    Book("softmax-jacobian:s/z", "diag(s) - s*s'", "Bishop, PRML, eq. 4.106"),
    Book("softmax-jacobian:ell/z", "eye(k) - ones(k)*s'", "Bishop, PRML, eq. 4.106 over s"),
    Book("three-layer-network:L/W3", "H2'*E", "Bishop, PRML, eq. 5.53"),
    Book("three-layer-network:L/W2", "H1'*(E*W3'.*(1 - H2.^2))", "Bishop, PRML, eq. 5.56"),
    Book(
        "three-layer-network:L/W1",
        "X'*((E*W3'.*(1 - H2.^2))*W2'.*(1 - H1.^2))",
        "Bishop, PRML, eq. 5.56",
    ),
    Book("two-layer-network:L/W2", f"A'*{NET}/N", "CS231n assignment 1, two_layer_net"),
    Book("two-layer-network:L/b2", f"sum({NET}, 1)'/N", "CS231n, two_layer_net"),
    Book(
        "two-layer-network:L/W1",
        f"X'*({NET}*W2'.*step(X*W1 + b1'))/N",
        "CS231n, two_layer_net",
    ),
    Book("two-layer-network:L/b1", f"sum({NET}*W2'.*step(X*W1 + b1'), 1)'/N", "CS231n"),
    Book(
        "huber-loss:L/r",
        "where(abs(r) <= delta, r, delta*sign(r))",
        "Huber 1964; ESL 10.6, eq. 10.41: the clipped residual psi(r)",
    ),
    Book(
        "huber-loss:L/w",
        "X'*where(abs(r) <= delta, r, delta*sign(r))",
        "Huber 1964; ESL 10.6: the clipped residuals through the design matrix",
    ),
    Book("vae-kl:KL/mu", "mu", "Kingma & Welling 2014, appendix B"),
    Book("vae-kl:KL/s", "(exp(s) - 1)/2", "Kingma & Welling 2014, appendix B"),
    Book("word2vec:J/v", "(sigmoid(u'*v) - 1)*u + Un'*sigmoid(Un*v)", "CS224n, assignment 2"),
    Book("word2vec:J/u", "(sigmoid(u'*v) - 1)*v", "CS224n, assignment 2"),
    Book("word2vec:J/Un", "sigmoid(Un*v)*v'", "CS224n, assignment 2"),
)
BY_KEY = {b.key: b for b in BOOKS}

# Rows over the limit, each with its reason (``key`` or ``key@method``); the test fails
# when one of them meets the limit. None is open today: the norms' dL/dv (one power of
# v + epsilon, gen.derive.monomial), the Rayleigh quotient (R kept, gen.derive.graph) and
# the masked residual (M binary) met it.
KNOWN_OPEN: dict[str, str] = {}


def _files() -> list[Path]:
    return sorted(COURSE.glob("*.yaml"))


@functools.cache
def _program(path: Path) -> Program:
    return build_program(load_spec_text(path.read_text(), str(path)))


class Row(NamedTuple):
    """One derivation of the course: where it is, how, and its book form."""

    path: Path
    index: int  # of the target in the spec
    method: str
    key: str  # the book's key
    label: str  # key@method


def _rows() -> list[Row]:
    rows = []
    for path in _files():
        for i, t in enumerate(_program(path).targets):
            key = f"{path.stem}:{t.of.value}/{t.wrt.value}" + (":2" if t.order == 2 else "")
            for m in t.methods:
                rows.append(Row(path, i, m.value, key, f"{key}@{m.value}"))
    return rows


ROWS = _rows()


def _derive(row: Row) -> Derivation:
    return _cached(row.path, row.index, row.method)


@functools.cache
def _cached(path: Path, index: int, method: str) -> Derivation:
    program = _program(path)
    return derive(program, program.targets[index], Method(method))


def _length(text: str) -> int:
    return len(text.replace(" ", ""))


def ratio(row: Row) -> float:
    """The length of the result as the JSON's ``result.text`` writes it (in the names a
    pulled-back derivation declares, when it has them) over the book form's."""
    return _length(to_text(_shown(row))) / _length(BY_KEY[row.key].form)


def _shown(row: Row) -> Node:
    """The result as ``result.text`` writes it."""
    d = _derive(row)
    return d.written if d.written is not None else d.result


def _open(row: Row) -> str | None:
    return KNOWN_OPEN.get(row.label) or KNOWN_OPEN.get(row.label.split("@")[0])


def test_every_course_derivation_has_a_book_form() -> None:
    assert len(ROWS) >= 110, len(ROWS)
    missing = sorted({row.key for row in ROWS} - set(BY_KEY))
    assert not missing, missing
    unused = sorted(set(BY_KEY) - {row.key for row in ROWS})
    assert not unused, unused


def test_the_known_open_rows_exist() -> None:
    labels = {row.label for row in ROWS} | {row.label.split("@")[0] for row in ROWS}
    assert set(KNOWN_OPEN) <= labels, sorted(set(KNOWN_OPEN) - labels)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.label)
def test_the_book_form_equals_the_result(row: Row) -> None:
    program = _program(row.path)
    shapes = {name: sym.shape for name, sym in program.symbols.items()}
    text = BY_KEY[row.key].form
    book = infer(parse(text), shapes, expr_text=text, dims=program.dims)
    result = _derive(row).result
    for seed in SEEDS:
        point = assumed_point(program, np.random.default_rng(seed))
        assert point is not None
        env = point.env()
        with np.errstate(all="ignore"):
            want = np.asarray(evaluate(book, env, point.sizes), dtype=float)
            got = np.asarray(evaluate(result, env, point.sizes), dtype=float)
        assert want.shape == got.shape, (text, want.shape, got.shape)
        scale = max(1.0, float(np.max(np.abs(want))))
        assert np.max(np.abs(want - got)) <= 1e-8 * scale, (text, to_text(result))


def table() -> list[tuple[float, Row]]:
    """Every row with its ratio, worst first."""
    return sorted(((ratio(row), row) for row in ROWS), key=lambda item: -item[0])


def test_no_result_is_longer_than_one_and_a_half_times_the_book(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = table()
    with capsys.disabled():
        print(f"\n{'ratio':>6}  {'row':<48} result  |  book")
        for r, row in rows:
            mark = " (open)" if _open(row) else ""
            print(
                f"{r:6.2f}  {row.label + mark:<48} {to_text(_shown(row))}  |  "
                f"{BY_KEY[row.key].form}"
            )
        over = [row for r, row in rows if r > LIMIT]
        print(f"worst {rows[0][0]:.2f}; {len(over)} of {len(rows)} over {LIMIT}")
    wrong = [f"{row.label}: {r:.2f}" for r, row in rows if r > LIMIT and not _open(row)]
    stale = [f"{row.label}: {r:.2f}" for r, row in rows if r <= LIMIT and _open(row)]
    assert not wrong, f"longer than {LIMIT} times the book: {wrong}"
    assert not stale, f"known open but within the limit (take them off the list): {stale}"
