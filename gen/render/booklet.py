"""A booklet: many sheets in one book, assembled with PyLaTeX (title page, contents, chapters).

Jinja owns each sheet's text (its body, with headings one level up: a derivation is a
section of its spec's chapter); PyLaTeX owns the host document around them: the class,
the packages the bodies need, the title page and the table of contents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pylatex import Command, Document, NoEscape, Package

from gen.render.sheet import BODY_TEMPLATE, environment, escape_tex
from gen.render.texchars import sheet_engine

HEADING = "section"  # a derivation's heading in a booklet; its spec is a chapter
PACKAGES = ("amsmath", "amssymb", "mathtools", "booktabs", "xcolor", "longtable")
COLOURS = (  # as on the single sheet (templates/sheet.tex.j2)
    r"\newcommand{\gsnotecolor}{\color{black!55}}",
    r"\newcommand{\gsmetacolor}{\color{black!65}}",
    r"\newcommand{\gscheck}{\textcolor{green!45!black}{\ensuremath{\checkmark}}}",
    r"\newcommand{\gsfailed}[1]{\textcolor{red!80!black}{\textbf{#1}}}",
)


@dataclass(frozen=True)
class Chapter:
    """One spec of the booklet: its title and its body (LaTeX, headings as sections)."""

    title: str
    body: str
    lang: str
    engine: str


def chapter(context: Mapping[str, Any], templates_dir: Path | None = None) -> Chapter:
    """A spec's sheet context rendered as a chapter (the body template, headings one up)."""
    engine = sheet_engine(context)
    data = {"engine": engine, **context, "heading": HEADING, "booklet": True}
    body = environment(templates_dir).get_template(BODY_TEMPLATE).render(data)
    return Chapter(str(context["title"]), body, str(context["lang"]), engine)


def booklet_engine(chapters: Sequence[Chapter]) -> str:
    """pdfLaTeX when every chapter can be set by it, else XeLaTeX."""
    needs_xe = any(c.lang == "zh" or c.engine == "xelatex" for c in chapters)
    return "xelatex" if needs_xe else "pdflatex"


def booklet_tex(chapters: Sequence[Chapter], title: str, templates_dir: Path | None = None) -> str:
    """The whole booklet's LaTeX source, chapters in the order given.

    One numbering runs through the book: chapter, then section (a derivation); the
    table of contents lists both.
    """
    engine = booklet_engine(chapters)
    # A Chinese book when every chapter is Chinese; otherwise English headings, with
    # Chinese chapters set in TeX Live's Fandol fonts (ctex, scheme=plain).
    chinese = bool(chapters) and all(c.lang == "zh" for c in chapters)
    xe = engine == "xelatex"
    doc = Document(
        documentclass="ctexbook" if chinese else "book",
        document_options=["UTF8", "11pt", "a4paper"] if chinese else ["11pt", "a4paper"],
        fontenc=None if xe else "T1",
        inputenc=None,
        lmodern=not xe,
        textcomp=False,
        page_numbers=True,
        geometry_options={"margin": "2.2cm"},
    )
    if xe and not chinese:
        doc.packages.append(Package("fontspec"))
        doc.packages.append(Package("ctex", options=["scheme=plain", "fontset=fandol"]))
    for name in PACKAGES:
        doc.packages.append(Package(name))
    unicode = environment(templates_dir).get_template("unicode.tex.j2").render(engine=engine)
    doc.preamble.append(NoEscape(unicode))
    # The composition graphs (templates/graph.tex.j2), else their paths as text.
    doc.preamble.append(NoEscape(r"\IfFileExists{tikz.sty}{\usepackage{tikz}}{}"))
    doc.preamble.append(NoEscape(r"\allowdisplaybreaks"))
    doc.preamble.append(NoEscape(r"\setlength{\parindent}{0pt}"))
    doc.preamble.append(NoEscape(r"\setlength{\parskip}{0.6ex plus 0.3ex}"))
    for line in COLOURS:
        doc.preamble.append(NoEscape(line))
    doc.preamble.append(Command("title", NoEscape(escape_tex(title))))
    doc.preamble.append(Command("author", NoEscape("")))
    doc.preamble.append(Command("date", NoEscape("")))
    doc.append(Command("maketitle"))
    doc.append(Command("tableofcontents"))
    for part in chapters:
        doc.append(Command("chapter", NoEscape(escape_tex(part.title))))
        doc.append(NoEscape(part.body))
    return str(doc.dumps()) + "\n"
