"""The presentation keys of a spec: style, template, and the allowlist of latex overrides."""

from __future__ import annotations

import pytest

from gen.errors import GenError, GenErrors
from gen.spec.latexcheck import ALLOWED_MACROS, check_latex
from gen.spec.load import load_spec_text
from gen.spec.model import Spec, Style

HEAD = "title: T\n"


def load(text: str) -> Spec:
    return load_spec_text(text, "t.yaml")


def one(text: str) -> tuple[str, int | None, int | None, int]:
    """The only error: message, line, column, length."""
    with pytest.raises(GenErrors) as info:
        load_spec_text(text, "t.yaml")
    errs: list[GenError] = info.value.errors
    assert len(errs) == 1, [e.message for e in errs]
    span = errs[0].span
    assert span is not None
    return errs[0].message, span.line, span.column, span.length


# -- style


def test_style_defaults_when_absent_or_empty() -> None:
    assert load(HEAD).style == Style(False, "top")
    assert load(HEAD + "style:\n").style == Style(False, "top")


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("style: {bold: true}", Style(True, "top")),
        ("style: {bold: false, transpose: T}", Style(False, "T")),
        ("style:\n  transpose: prime\n  bold: true", Style(True, "prime")),
    ],
)
def test_style_values(text: str, style: Style) -> None:
    assert load(HEAD + text + "\n").style == style


@pytest.mark.parametrize("word", ["yes", "no", "on", "True", "TRUE", "1", "y"])
def test_bold_takes_true_or_false_only(word: str) -> None:
    assert one(f"{HEAD}style: {{bold: {word}}}\n") == (
        f"'style.bold' must be true or false, not '{word}'",
        2,
        15,
        len(word),
    )


def test_bold_quoted_true_is_text_not_a_boolean() -> None:
    assert one(HEAD + "style: {bold: 'true'}\n")[:3] == (
        "'style.bold' must be true or false, not 'true'",
        2,
        16,
    )


def test_bold_must_be_a_scalar() -> None:
    assert one(HEAD + "style: {bold: [true]}\n")[:3] == (
        "'style.bold' must be true or false, not a list",
        2,
        15,
    )


def test_transpose_choices() -> None:
    assert one(HEAD + "style: {transpose: top2}\n")[:3] == (
        "'style.transpose' must be 'top', 'T' or 'prime', not 'top2' (did you mean 'top'?)",
        2,
        20,
    )


def test_unknown_style_key() -> None:
    assert one(HEAD + "style: {bolt: true}\n")[:3] == (
        "unknown key 'bolt' in 'style' (did you mean 'bold'?)",
        2,
        9,
    )


def test_style_must_be_a_mapping() -> None:
    assert one(HEAD + "style: bold\n")[:3] == ("'style' must be a mapping, not a string", 2, 8)


# -- template


def test_template_is_kept_with_its_place() -> None:
    spec = load(HEAD + "template: ../my templates\n")
    assert spec.template is not None
    assert (spec.template.value, spec.template.where.line, spec.template.where.column) == (
        "../my templates",
        2,
        11,
    )
    assert load(HEAD).template is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("template:\n", "'template' must be a folder name, not empty"),
        ("template: [a]\n", "'template' must be a string, not a list"),
        ("template: '  '\n", "'template' must name a folder"),
    ],
)
def test_bad_template(text: str, message: str) -> None:
    assert one(HEAD + text)[0] == message


# -- latex overrides


@pytest.mark.parametrize(
    "value",
    [
        r"\lambda",
        r"\hat{y}",
        r"W_{1}",
        r"\mathbf{x}_{i}^{(k)}",
        r"\boldsymbol{\theta}'",
        r"\operatorname{sm}",
        r"x^{\top}",
        r"\varGamma",
        r"\ell_{2}",
        r"f(x, y)",
        "0755",
        r"\tilde{\mathcal{L}}",
        r"\dot{x}^{\ast}",
    ],
)
def test_allowed_latex(value: str) -> None:
    assert check_latex(value) is None
    quoted = value.replace("'", "''")
    spec = load(f"{HEAD}variables:\n  x: {{latex: '{quoted}'}}\n")
    assert spec.variables[0].latex is not None
    assert spec.variables[0].latex.value == value


_RULE = "(letters, digits, spaces, _ ^ { } ' , ( ) and allowed macros only)"
_BACKSLASH = (
    "is not allowed in 'latex': a backslash must start an allowed macro such as \\alpha or \\hat"
)
_ALLOWED = (
    "; allowed: Greek letters, \\hat, \\bar, \\tilde, \\mathbf, \\operatorname, ... "
    "(see docs/cli.md)"
)


@pytest.mark.parametrize(
    ("value", "message", "offset", "length"),
    [
        (r"\input{x}", "macro '\\input' is not allowed in 'latex'" + _ALLOWED, 0, 6),
        (r"x\write", "macro '\\write' is not allowed in 'latex'" + _ALLOWED, 1, 6),
        (r"\def\x{y}", "macro '\\def' is not allowed in 'latex'" + _ALLOWED, 0, 4),
        (r"\catcode", "macro '\\catcode' is not allowed in 'latex'" + _ALLOWED, 0, 8),
        (r"\lamda", "macro '\\lamda' is not allowed in 'latex' (did you mean '\\lambda'?)", 0, 6),
        (r"\\x", "'\\\\' " + _BACKSLASH, 0, 2),
        (r"a\,b", "'\\,' " + _BACKSLASH, 1, 2),
        ("x$y", "character '$' is not allowed in 'latex' " + _RULE, 1, 1),
        ("x%y", "character '%' is not allowed in 'latex' " + _RULE, 1, 1),
        ("x#1", "character '#' is not allowed in 'latex' " + _RULE, 1, 1),
        ("x&y", "character '&' is not allowed in 'latex' " + _RULE, 1, 1),
        ("x~y", "character '~' is not allowed in 'latex' " + _RULE, 1, 1),
        ("\u03b1", "character '\u03b1' is not allowed in 'latex' " + _RULE, 0, 1),
        ("x^^5cinput", "'^^' is not allowed in 'latex' (TeX reads it as a character code)", 1, 2),
        ("{x", "unclosed '{' in 'latex'", 0, 1),
        ("x}", "unmatched '}' in 'latex'", 1, 1),
        ("{{x}", "unclosed '{' in 'latex'", 0, 1),
        ("x^", "'^' needs something after it, e.g. x^{2}", 1, 1),
        ("{x_}", "'_' needs something after it, e.g. x_{2}", 2, 1),
        (r"\hat", "'\\hat' needs an argument, e.g. \\hat{x}", 0, 4),
        (r"\mathbf }", "'\\mathbf' needs an argument, e.g. \\mathbf{x}", 0, 7),
        ("  ", "'latex' is empty", 0, 2),
    ],
)
def test_refused_latex_is_located(value: str, message: str, offset: int, length: int) -> None:
    quoted = value.replace("'", "''")
    # '  x: {latex: ' is 14 characters: the value starts at column 15.
    assert one(f"{HEAD}variables:\n  x: {{latex: '{quoted}'}}\n") == (
        message,
        3,
        15 + offset,
        length,
    )


def test_latex_too_long() -> None:
    assert one(f"{HEAD}variables:\n  x: {{latex: {'x' * 201}}}\n")[:3] == (
        "'latex' is longer than 200 characters",
        3,
        14,
    )


def test_every_greek_letter_and_its_var_form_is_allowed() -> None:
    for name in ("alpha", "omega", "Omega", "varOmega", "varepsilon", "varsigma", "varphi"):
        assert name in ALLOWED_MACROS
    for name in (
        "input",
        "include",
        "write",
        "openin",
        "read",
        "def",
        "csname",
        "catcode",
        "immediate",
        "special",
        "directlua",
        "url",
        "href",
        "newcommand",
        "let",
    ):
        assert name not in ALLOWED_MACROS
