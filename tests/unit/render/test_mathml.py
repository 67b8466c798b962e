"""LaTeX of the view model as MathML: every formula of every spec converts, with its text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gen.make.pipeline import check_spec
from gen.render.mathml import (
    math_element,
    prose_parts,
    standard_latex,
    text_alternative,
    unescape_tex,
)
from gen.render.sheet import escape_tex
from gen.render.view import sheet_context

ROOT = Path(__file__).resolve().parents[3]
SPECS = sorted((ROOT / "specs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "golden" / "specs").glob("*.yaml")
)
MATH_KEYS = frozenset({"lhs", "rhs", "latex", "shape", "inline", "result", "result_lhs", "space"})


def _formulas(value, key=None):
    if isinstance(value, str):
        if key in MATH_KEYS and value:
            yield value
        if key == "note":
            yield from (v for kind, v in prose_parts(value) if kind == "math")
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != "msg":
                yield from _formulas(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _formulas(v, key)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_formula_converts(spec):
    program, derivations, outcome = check_spec(spec)
    assert program is not None and outcome.ok
    formulas = set(_formulas(sheet_context(program, derivations)))
    assert formulas
    for latex in formulas:
        element = math_element(latex)
        root = ET.fromstring(element)
        assert root.tag == "math" and root.get("alttext")
        tokens = "".join(root.itertext())
        assert "\\" not in tokens, (latex, element)
        assert "merror" not in element


def test_own_macros_expanded():
    assert standard_latex(r"X w \gsbreak - y \gsbreakin + z") == "X w  - y  + z"
    assert "gsbreak" not in math_element(r"a \gsbreak + b")


@pytest.mark.parametrize(
    ("latex", "said"),
    [
        (r"\frac{\partial J}{\partial w}", "∂J/∂w"),
        (r"X^{\top} (X w \gsbreakin - y)", "X^⊤ (X w − y)"),
        (r"\mathrm{d}J = z^{\top} X\,\mathrm{d}w", "dJ = z^⊤ X dw"),
        (r"\mathbb{R}^{m \times n}", "ℝ^(m × n)"),
        (r"\delta_{ij}", "δ_ij"),
        (r"\underbrace{X}_{m \times n}", "X (m × n)"),
    ],
)
def test_text_alternative(latex, said):
    assert text_alternative(latex) == said


def test_display_and_given_alt():
    out = math_element("x", display=True, alt="the x")
    assert 'display="block"' in out and 'alttext="the x"' in out and 'aria-label="the x"' in out


def test_notes_split_and_unescaped():
    note = escape_tex("a_b & {c} λ ≤ 1: ") + r"\(x^{\top}\)" + escape_tex(" 100%")
    assert prose_parts(note) == [
        ("text", "a_b & {c} λ ≤ 1: "),
        ("math", r"x^{\top}"),
        ("text", " 100%"),
    ]
    for text in ("\\ $ # ^ _ % ~ < > |", "α β ≤ ≥ → ×"):
        assert unescape_tex(escape_tex(text)) == text
    assert re.fullmatch(r"[^\\]*", unescape_tex(escape_tex("plain words")))
