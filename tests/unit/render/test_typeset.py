"""How a sheet writes mathematics: bold names, transpose marks, brackets, breaks, spacing."""

from __future__ import annotations

import pytest

from gen.expr.ast import Shape
from gen.expr.names import latex_name
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_latex import BREAK, BREAK_INNER, BREAK_MUL, to_latex
from gen.program import DerivativeName
from gen.render.style import TRANSPOSE_MARKS, Names, Typeset, typeset

from .helpers import LEAST_SQUARES, program_of, with_style

ENV: dict[str, Shape] = {
    "A": ("n", "n"),
    "B": ("n", "n"),
    "X": ("m", "n"),
    "w": ("n", 1),
    "x": ("n", 1),
    "y": ("m", 1),
    "lam": (1, 1),
    "dw": ("n", 1),
    "dX": ("m", "n"),
    "dz": ("m", 1),
    "z": ("m", 1),
}
DNAMES = {"dw": r"\mathrm{d}w", "dX": r"\mathrm{d}X", "dz": r"\mathrm{d}z"}


def tex(text: str, **options: object) -> str:
    return to_latex(infer(parse(text), ENV), DNAMES, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "bold"),
    [
        ("w", r"\boldsymbol{w}"),
        ("W_1", r"\boldsymbol{W}_{1}"),
        ("x10", r"\boldsymbol{x}_{10}"),
        ("y_hat", r"\hat{\boldsymbol{y}}"),
        ("theta", r"\boldsymbol{\theta}"),
        ("Sigma_hat_2", r"\hat{\boldsymbol{\Sigma}}_{2}"),
        ("loss", r"\mathbf{loss}"),
        ("x_max", r"\boldsymbol{x}_{\mathrm{max}}"),
    ],
)
def test_bold_names_embolden_the_base_only(name, bold):
    assert latex_name(name, bold=True) == bold


def test_a_bold_override_is_wrapped():
    assert latex_name("S", r"\Sigma", bold=True) == r"\boldsymbol{\Sigma}"
    assert latex_name("S", r"\Sigma") == r"\Sigma"


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("X*dw", r"X\,\mathrm{d}w"),
        ("dz'*z", r"\mathrm{d}z^{\top}\,z"),
        ("z'*X*dw", r"z^{\top} X\,\mathrm{d}w"),
        ("dX*w", r"\mathrm{d}X\,w"),
        ("(X*w - y)'*dz", r"(X w - y)^{\top}\,\mathrm{d}z"),
        ("lam*(A*w)", r"\lambda A w"),
    ],
)
def test_a_thin_space_sets_differentials_apart(text, latex):
    assert tex(text) == latex


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("(A + B)'", r"(A + B)^{\top}"),
        ("((A + B)*(A - B))'", r"\bigl((A + B) (A - B)\bigr)^{\top}"),
        ("(((A + B)*A + B)*A)'", r"\Bigl(\bigl((A + B) A + B\bigr) A\Bigr)^{\top}"),
        ("(1/2*A + B)'", r"\left(\frac{1}{2} A + B\right)^{\top}"),
        ("(tanh(A*w) + w)'", r"(\tanh(A w) + w)^{\top}"),
        ("tr((A*B)'*A)", r"\operatorname{tr}\bigl((A B)^{\top} A\bigr)"),
    ],
)
def test_brackets_grow_with_what_they_hold(text, latex):
    assert tex(text) == latex


def test_breaks_mark_the_top_level_sum_and_sums_in_factors():
    assert tex("A*w + B*w - x", breaks=True) == rf"A w {BREAK} + B w {BREAK} - x"
    assert tex("(1/2*A*w + B*w)'*dw", breaks=True) == (
        rf"\biggl(\frac{{1}}{{2}} A w + B w\biggr)^{{\top}} {BREAK_MUL} \,\mathrm{{d}}w"
    )
    assert tex("tr(A + B)", breaks=True) == r"\operatorname{tr}(A + B)"
    long = "A*w + B*w + A*B*w + B*A*w + A*A*w + B*B*w + A*B*A*w + B*A*B*w"
    assert tex(f"({long})'*dw", breaks=True).count(f"{BREAK_INNER} +") == 7
    assert tex("A*w + B*w - x") == "A w + B w - x"


def test_bold_identity_and_zero():
    assert tex("A + I", bold=True) == r"A + \boldsymbol{I}"
    assert tex("eye(n) + zeros(n, n)", bold=True) == (
        r"\boldsymbol{I}_{n} + \boldsymbol{0}_{n \times n}"
    )


@pytest.mark.parametrize(
    ("transpose", "mark"), [("top", r"^{\top}"), ("T", "^{T}"), ("prime", "'")]
)
def test_style_transpose_everywhere(transpose, mark):
    ts = typeset(program_of(with_style(LEAST_SQUARES, f"{{transpose: {transpose}}}")))
    assert ts.transpose == TRANSPOSE_MARKS[transpose] == mark
    assert ts.expr(infer(parse("X'*(X*w - y)"), ENV)) == f"X{mark} (X w - y)"
    assert ts.formula(r"\mathrm{d}(A^{\top}) = (\mathrm{d}A)^{\top}") == (
        rf"\mathrm{{d}}(A{mark}) = (\mathrm{{d}}A){mark}"
    )
    assert ts.derivative("J", "w", order=2) == (
        rf"\frac{{\partial^{{2}} J}}{{\partial w\,\partial w{mark}}}"
    )


def test_style_bold_makes_vectors_and_matrices_bold_and_scalars_plain():
    ts = typeset(program_of(with_style(LEAST_SQUARES, "{bold: true}")))
    assert ts.bold and ts.transpose == r"^{\top}"
    assert ts.name("X") == r"\boldsymbol{X}" and ts.name("w") == r"\boldsymbol{w}"
    assert ts.name("z") == r"\boldsymbol{z}"
    assert ts.name("lam") == r"\lambda" and ts.name("J") == "J"
    assert ts.name("dw") == r"\mathrm{d}\boldsymbol{w}"
    assert ts.derivative("J", "w") == r"\frac{\partial J}{\partial \boldsymbol{w}}"
    assert ts.plain["w"] == "w"


def test_style_default_is_plain_with_top():
    ts = typeset(program_of(LEAST_SQUARES))
    assert not ts.bold and ts.transpose == r"^{\top}"
    assert ts.name("w") == "w" and ts.name("dw") == r"\mathrm{d}w"
    assert ts.inline_derivative("J", "w") == r"\partial J/\partial w"


def test_derivative_names_typeset_as_fractions():
    names = Names({"J": "J", "z": r"\boldsymbol{z}"})
    assert names[DerivativeName("J", "z")] == r"\frac{\partial J}{\partial \boldsymbol{z}}"
    assert names.get("∂J/∂z") is None  # a name is a derivative by its type, not its spelling
    assert names.get("q") is None
    with pytest.raises(KeyError):
        names["q"]
    node = infer(parse("w"), {"w": ("n", 1)})
    assert Typeset().expr(node) == "w" and Typeset().expr("x^{2}") == "x^{2}"
