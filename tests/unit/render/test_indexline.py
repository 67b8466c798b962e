"""The printer of entry-by-entry lines: the values of gen/derive/indexline.py as LaTeX."""

from __future__ import annotations

from gen.derive.indexline import (
    Delta,
    DerivativeEntry,
    Entry,
    EntryDerivative,
    Group,
    IndexLine,
    Term,
)
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.program import build_program
from gen.render.indexline import index_line_latex
from gen.render.style import Typeset, typeset
from gen.spec.load import load_spec_text

SPEC = """\
title: t
style: {{bold: {bold}, transpose: {mark}}}
dims: {{m: rows, n: columns}}
variables:
  A: {{shape: [m, n]}}
  W_1: {{shape: [n, n]}}
  w: {{shape: [n]}}
define:
  Y: A*W_1
  z: sum(Y)
derive:
  - {{of: z, wrt: W_1}}
"""
FRAC = r"\frac{\partial z}{\partial Y}"


def _ts(bold: bool = False, mark: str = "top") -> Typeset:
    text = SPEC.format(bold=str(bold).lower(), mark=mark)
    return typeset(build_program(load_spec_text(text, "s.yaml")))


def _node(text: str):
    """An expression of the spec's names, with its shapes."""
    shapes = {"A": ("m", "n"), "W_1": ("n", "n"), "w": ("n", 1), "Y": ("m", "n")}
    return infer(parse(text), shapes)


def test_a_sum_then_factors_with_thin_spaces():
    chain = EntryDerivative(Entry(_node("Y"), ("k", "l")), Entry(_node("W_1"), ("i", "j")))
    line = IndexLine((Term((DerivativeEntry("z", "Y", ("k", "l")), chain), ("k", "l")),))
    assert index_line_latex(line, _ts()) == (
        rf"\sum_{{k,l}} \left({FRAC}\right)_{{kl}}\,"
        r"\frac{\partial Y_{kl}}{\partial \left(W_{1}\right)_{ij}}"
    )


def test_no_thin_space_before_a_group_and_signs_between_terms():
    inner = Group(
        (
            Term((Entry(_node("A"), ("k", "i")), Delta("j", "l"))),
            Term((Delta("k", "j"),), negative=True),
        )
    )
    line = IndexLine((Term((DerivativeEntry("z", "Y", ("k",)), inner), ("k",)),))
    assert index_line_latex(line, _ts()) == (
        rf"\sum_{{k}} \left({FRAC}\right)_{{k}}\left(A_{{ki}}\,\delta_{{jl}} - \delta_{{kj}}\right)"
    )


def test_terms_of_a_line_first_negative_then_plus():
    a = Term((Delta("i", "j"),), negative=True)
    b = Term((Entry(_node("A"), ("k", "i")),), ("k",))
    assert index_line_latex(IndexLine((a, b)), _ts()) == r"- \delta_{ij} + \sum_{k} A_{ki}"


def test_an_expression_is_bracketed_and_takes_the_sheets_transpose_mark():
    entry = Entry(_node("A'*A"), ("i", "j"))
    assert index_line_latex(IndexLine((Term((entry,)),)), _ts(mark="T")) == (
        r"\left(A^{T} A\right)_{ij}"
    )
    bracketed = Entry(_node("w"), ("i",), bracketed=True)
    assert index_line_latex(IndexLine((Term((bracketed,)),)), _ts()) == r"\left(w\right)_{i}"


def test_entries_stay_plain_where_the_derivative_is_bold():
    ts = _ts(bold=True)
    line = IndexLine(
        (Term((Entry(_node("A"), ("k", "i")), DerivativeEntry("z", "Y", ("k", "j")))),)
    )
    assert index_line_latex(line, ts) == (
        r"A_{ki}\,\left(\frac{\partial z}{\partial \boldsymbol{Y}}\right)_{kj}"
    )
