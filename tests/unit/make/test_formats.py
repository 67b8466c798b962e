"""The format registry of ``build --to``."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.make.formats import (
    DEFAULT_FORMATS,
    FORMATS,
    ordered,
    parse_formats,
    pdf_suffix,
    typeset_suffixes,
    typesets,
)
from gen.make.options import BuildOptions


def test_default_is_v1():
    assert DEFAULT_FORMATS == ("pdf", "body", "json")
    suffixes = [s for n in DEFAULT_FORMATS for s in FORMATS[n].suffixes]
    assert suffixes == [".tex", ".pdf", ".body.tex", ".json"]


def test_parse():
    assert parse_formats("html") == ("html",)
    assert parse_formats("md, html,pdf") == ("pdf", "html", "md")
    assert parse_formats("all") == tuple(FORMATS)
    assert {"html", "md"} <= set(FORMATS)


@pytest.mark.parametrize("bad", ["htm", "", "pdf,docx"])
def test_unknown_names_the_valid_ones(bad):
    with pytest.raises(ValueError) as err:
        parse_formats(bad)
    assert "valid formats: pdf, body, json, slides, handout, html, md, exercise" in str(err.value)


def test_only_pdf_typesets():
    assert typesets(["pdf"]) and not typesets(["html", "md", "json", "body"])
    assert all(typesets([n]) for n in ("slides", "handout", "exercise"))


def test_every_typeset_row_compiles_its_own_tex():
    assert typeset_suffixes(["md", "exercise", "pdf", "slides"]) == (
        ".tex",
        ".slides.tex",
        ".exercise.tex",
    )
    assert typeset_suffixes(["html", "json"]) == ()
    assert pdf_suffix(".tex") == ".pdf" and pdf_suffix(".slides.tex") == ".slides.pdf"
    for name in ("pdf", "slides", "handout", "exercise"):
        fmt = FORMATS[name]
        assert pdf_suffix(fmt.tex_suffix) in fmt.suffixes
    assert ordered(["json", "pdf"]) == ("pdf", "json")
    assert BuildOptions(out_dir=Path("o")).typesets
    assert not BuildOptions(Path("o"), formats=("html",)).typesets
    assert not BuildOptions(Path("o"), pdf=False).typesets


def test_registry_is_frozen():
    with pytest.raises(TypeError):
        FORMATS["x"] = FORMATS["pdf"]  # type: ignore[index]
