"""Tracing a line of the generated .tex back to the spec value or template line it came from."""

from __future__ import annotations

import time

import jinja2
import pytest

from gen.make.texmap import Locator, locate, template_error, template_line
from gen.render.sheet import render_tex
from gen.spec.load import load_spec_text

SPEC = """\
title: Ridge & friends
author: Course staff
variables:
  w: {shape: [n], text: the weights, latex: 'w^a^b'}
  lam: {shape: [], text: penalty}
define:
  J: w'*w + lam
derive:
  - of: J
    wrt: w
    text: First, the gradient.
  - of: J
    wrt: lam
    method: [differential]
"""

TEX = r"""\documentclass{article}
\title{Ridge \& friends}
\begin{document}
{\LARGE Ridge \& friends}
$w^a^b$ & the weights\\
\subsection{$\frac{\partial J}{\partial w}$}
First, the gradient.
\quad \mathrm{d}J &= 2 w^{\top} \mathrm{d}w
\subsection{$\frac{\partial J}{\partial \lambda}$}
\quad \mathrm{d}J &= \mathrm{d}\lambda
\end{document}
"""


@pytest.fixture()
def spec():
    return load_spec_text(SPEC, "s.yaml")


def where(origins):
    return [(o.what, o.span.file, o.span.line, o.span.column) for o in origins]


def test_a_line_with_the_title_names_the_title(spec):
    assert where(locate(TEX, 4, spec, [])) == [("the title", "s.yaml", 1, 8)]


def test_a_line_with_a_latex_override_names_it(spec):
    assert where(locate(TEX, 5, spec, []))[0] == ("the latex of 'w'", "s.yaml", 4, 46)


def test_a_line_inside_a_derivation_names_its_derive_item(spec):
    assert where(locate(TEX, 8, spec, [])) == [("derivation 1 (dJ/dw)", "s.yaml", 9, 5)]
    assert where(locate(TEX, 10, spec, [])) == [("derivation 2 (dJ/dlam)", "s.yaml", 12, 5)]


def test_the_derivation_text_is_more_specific_than_its_section(spec):
    assert where(locate(TEX, 7, spec, [])) == [
        ("the text of derivation dJ/dw", "s.yaml", 11, 11), ("derivation 1 (dJ/dw)", "s.yaml", 9, 5)]


def test_a_preamble_line_is_no_derivation_and_unknown_lines_give_nothing(spec):
    assert locate(TEX, 1, spec, []) == []
    assert locate(TEX, None, spec, []) == []
    assert locate(TEX, 999, spec, []) == []


def test_template_line_matches_the_static_text_around_the_values(tmp_path):
    (tmp_path / "sheet.tex.j2").write_text(
        "<# comment #>\n\\documentclass{article}\n"
        "  {\\LARGE\\bfseries <%= title | tex %>\\par}\n<% if x %>\n\\begin{document}\n")
    [origin] = [template_line("{\\LARGE\\bfseries Ridge \\& friends\\par}", [tmp_path])]
    assert origin is not None
    assert (origin.what, origin.span.file, origin.span.line) == (
        "the template", str(tmp_path / "sheet.tex.j2"), 3)
    assert origin.span.source_line == "  {\\LARGE\\bfseries <%= title | tex %>\\par}"
    assert template_line("\\documentclass{article}", [tmp_path]).span.line == 2
    assert template_line("something else entirely", [tmp_path]) is None


def test_an_ambiguous_template_line_is_not_guessed(tmp_path):
    (tmp_path / "a.tex.j2").write_text("\\end{flalign*}\n")
    (tmp_path / "b.tex.j2").write_text("\\end{flalign*}\n")
    assert template_line("\\end{flalign*}", [tmp_path]) is None


def _render_error(tmp_path, sheet: str) -> Exception:
    (tmp_path / "sheet.tex.j2").write_text(sheet)
    (tmp_path / "body.tex.j2").write_text("body\n")
    with pytest.raises(jinja2.TemplateError) as info:
        render_tex({"title": "T"}, tmp_path)
    return info.value


def test_a_template_syntax_error_is_located_in_the_template(tmp_path):
    exc = _render_error(tmp_path, "line one\n<% if %>\n")
    err = template_error(exc, tmp_path)
    assert err.span is not None
    assert (err.span.file, err.span.line) == (str(tmp_path / "sheet.tex.j2"), 2)
    assert err.message.startswith("template error: ")
    assert str(err).splitlines()[1] == "    2 | <% if %>"


def test_an_undefined_value_is_located_in_the_template(tmp_path):
    exc = _render_error(tmp_path, "a\nb\n<%= nothing.here %>\n")
    err = template_error(exc, tmp_path)
    assert err.span is not None
    assert (err.span.file, err.span.line) == (str(tmp_path / "sheet.tex.j2"), 3)
    assert "'nothing' is undefined" in err.message


def test_a_missing_template_names_the_folder(tmp_path):
    exc = _render_error(tmp_path, "<% include 'missing.tex.j2' %>\n")
    err = template_error(exc, tmp_path)
    assert err.message == f"template 'missing.tex.j2' not found in {tmp_path}"


def test_the_error_column_chooses_among_values_on_one_line():
    spec = load_spec_text("title: T\nvariables:\n  w: {text: x^2 weights, latex: 'w_a_b'}\n",
                          "s.yaml")
    tex = "\\begin{document}\n$w_a_b$ & x\\textasciicircum{}2 weights\\\\\n"
    assert where(locate(tex, 2, spec, [], before="$w_a_"))[0][0] == "the latex of 'w'"
    assert where(locate(tex, 2, spec, [], before="$w_a_b$ & x\\textasciicircum{}2 weig"))[0][0] \
        == "the text of 'w'"
    assert where(locate(tex, 2, spec, []))[0][0] == "the latex of 'w'"


def test_a_very_long_generated_line_is_traced_in_linear_time(tmp_path, spec):
    # A template line with several values used to become a regular expression whose
    # backtracking never ended on a long line that nearly matched.
    (tmp_path / "notation.tex.j2").write_text(
        "$<%= v.latex %>$ & $<%= v.shape %>$ & \\raggedright <%= v.text %> & <%= v.props %>"
        " & <%= v.more %>\\tabularnewline\n")
    row = "$x$ & $n$ & \\raggedright " + "w & " * 50_000 + "no end"
    start = time.monotonic()
    assert template_line(row, [tmp_path]) is None
    tex = "\\begin{document}\n" + row + "\n\\end{document}\n"
    assert locate(tex, 2, spec, [tmp_path], before="w & " * 1000) == []
    assert time.monotonic() - start < 2
    good = "$x$ & $n$ & \\raggedright " + "w & " * 50_000 + " & p & q\\tabularnewline"
    assert template_line(good, [tmp_path]).span.line == 1


def test_many_lines_of_one_sheet_are_traced_from_one_index(spec):
    rows = ["\\begin{document}"] + [f"\\subsection{{{i}}}" if i % 100 == 0 else "x" * 50
                                    for i in range(50_000)]
    locator = Locator("\n".join(rows), spec, [])
    start = time.monotonic()
    found = [locator.locate(line) for line in range(2, len(rows) + 1, 7)]
    assert time.monotonic() - start < 2
    assert found[0][0].what == "derivation 1 (dJ/dw)" and len(found) == 7143
