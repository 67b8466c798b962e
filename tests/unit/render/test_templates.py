"""Overriding templates: a folder replaces any of the shipped ones, the rest still apply."""

from __future__ import annotations

import re

import jinja2
import pytest

from gen.render.sheet import default_templates_dir, environment, loader, render_tex

SHIPPED = (
    "sheet.tex.j2",
    "body.tex.j2",
    "macros.tex.j2",
    "notation.tex.j2",
    "derivation.tex.j2",
    "unicode.tex.j2",
)


def test_every_shipped_template_is_there():
    for name in SHIPPED:
        assert (default_templates_dir() / name).is_file(), name


def test_a_folder_with_only_the_derivation_template(tmp_path, sample_context):
    (tmp_path / "derivation.tex.j2").write_text(
        "\\section*{<%= d.inline %> [<%= d.method %>]}\n\\[<%= d.result %>\\]\n"
    )
    sheet, body = render_tex(sample_context("en"), tmp_path)
    assert r"\documentclass[11pt,a4paper]{article}" in sheet  # the shipped sheet
    assert r"\gsheading*{Notation}" in body  # the shipped body and notation
    assert r"\providecommand{\gsrhs}" in body  # the shipped macros
    assert r"\section*{\partial J/\partial w [differential]}" in body
    assert r"\section*{\partial J/\partial W [index]}" in body
    assert "\n\\gsresult{" not in body  # the shipped derivation is not used at all
    assert body.count(r"\section*{") == 3


def test_a_folder_overriding_the_macros_keeps_the_sheet(tmp_path, sample_context):
    (tmp_path / "macros.tex.j2").write_text("\\providecommand{\\gsnote}[2]{[#2]}\n")
    _, body = render_tex(sample_context("en"), tmp_path)
    assert r"\providecommand{\gsnote}[2]{[#2]}" in body
    assert r"\providecommand{\gsrhs}" not in body


def test_an_override_can_build_on_the_shipped_template(tmp_path, sample_context):
    (tmp_path / "macros.tex.j2").write_text(
        "\\providecommand{\\gsnote}[2]{[#2]}\n<% include 'default/macros.tex.j2' %>\n"
    )
    (tmp_path / "derivation.tex.j2").write_text("<% extends 'default/derivation.tex.j2' %>\n")
    _, body = render_tex(sample_context("en"), tmp_path)
    assert body.index(r"\providecommand{\gsnote}[2]{[#2]}") < body.index(r"\providecommand{\gsrhs}")
    assert "\n\\gsresult{" in body


def test_the_user_folder_comes_first_then_the_defaults(tmp_path):
    (tmp_path / "notation.tex.j2").write_text("mine")
    found = loader(tmp_path)
    assert isinstance(found, jinja2.ChoiceLoader)
    env = jinja2.Environment(loader=found)
    assert env.get_template("notation.tex.j2").render() == "mine"
    assert env.get_template("default/notation.tex.j2").filename.startswith(
        str(default_templates_dir())
    )
    assert len(loader(None).loaders) == len(loader(default_templates_dir()).loaders) == 2


def test_each_folder_has_its_own_cached_environment(tmp_path):
    assert environment(tmp_path) is environment(tmp_path)
    assert environment(tmp_path) is not environment()


def test_a_missing_template_in_both_places_is_an_error(tmp_path, sample_context):
    (tmp_path / "body.tex.j2").write_text("<% include 'nowhere.tex.j2' %>")
    with pytest.raises(jinja2.TemplateNotFound):
        render_tex(sample_context("en"), tmp_path)


def test_templates_hold_no_prose():
    """All words come from the catalogue: outside comments and TeX comments, templates
    hold no run of three or more letters other than TeX commands, environments and keys."""
    allowed = re.compile(r"\\[A-Za-z]+|\{[a-z*]+\}|\b[a-z_]+\b(?=[\s.|(\[=~\"')%,]|$)")
    for path in default_templates_dir().glob("*.j2"):
        text = re.sub(r"<#.*?#>", "", path.read_text(), flags=re.S)
        text = re.sub(r"<%.*?%>", "", text, flags=re.S)
        text = re.sub(r"(?m)(?<!\\)%.*$", "", text)
        words = re.findall(r"(?<![\\A-Za-z])[A-Z][a-z]{2,}", allowed.sub("", text))
        assert words == [], (path.name, words)


def test_the_documented_override_examples_work(tmp_path, sample_context):
    (tmp_path / "derivation.tex.j2").write_text(
        '<% include "default/derivation.tex.j2" %>\n'
        "\\par\\noindent\\fbox{\\parbox{\\linewidth}{\\vspace{3cm}}}\n"
    )
    (tmp_path / "macros.tex.j2").write_text(
        "\\providecommand{\\gsnotefont}{\\footnotesize\\itshape}\n"
        '<% include "default/macros.tex.j2" %>\n'
    )
    _, body = render_tex(sample_context("en"), tmp_path)
    assert body.count(r"\fbox{\parbox{\linewidth}{\vspace{3cm}}}") == 3
    assert body.count("\n\\gsresult{") == 3
    assert body.index(r"\providecommand{\gsnotefont}{\footnotesize\itshape}") < body.index(
        r"\providecommand{\gsnotefont}{\small}"
    )
