"""The output formats of ``build --to``: each one's files and the function that renders them.

A format is one row of ``FORMATS``: its name, the suffixes of the files it
writes (``NAME`` + suffix), and a function from the rendered spec (``Sources``:
its view model, its results, its template folder) to the text of each file it
stages. A row that ``typesets`` stages one ``.tex`` file (``NAME.tex``,
``NAME.slides.tex``, ...) and TeX makes the PDF of the same name from it
(``NAME.pdf``, ``NAME.slides.pdf``, ...; ``typeset_suffixes``). A new format is
a new row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFAULT_FORMATS = ("pdf", "body", "json")
ALL = "all"


@dataclass
class Sources:
    """What every format renders from: one spec's view model and results.

    Attributes:
        context: The sheet context (gen.render.view.sheet_context).
        results: The results object of SPEC section 6.
        folder: The template folder of the spec.
        heading: The sectioning command of the fragment's headings (``build --heading``).
    """

    context: Mapping[str, Any]
    results: Mapping[str, Any]
    folder: Path
    heading: str = "subsection"

    @functools.cached_property
    def tex(self) -> tuple[str, str]:
        """The sheet and the body as LaTeX (rendered once, for ``pdf`` and ``body``)."""
        from gen.render.sheet import render_tex

        return render_tex(self.context, self.folder, heading=self.heading)


@dataclass(frozen=True)
class Format:
    """One output format.

    Attributes:
        name: Its name in ``--to``.
        suffixes: The files it writes, as suffixes of the spec's output name.
        render: The staged files' text by suffix (a PDF is made by TeX, not here).
        help: What it writes, in a few words (docs/cli.md has the long form).
        typesets: Its ``.tex`` file is compiled to the PDF of the same name
            (``NAME.slides.tex`` to ``NAME.slides.pdf``).
    """

    name: str
    suffixes: tuple[str, ...]
    render: Callable[[Sources], Mapping[str, str]]
    help: str
    typesets: bool = False

    @property
    def tex_suffix(self) -> str:
        """The suffix of the ``.tex`` file TeX compiles (only for a row that ``typesets``)."""
        return next(s for s in self.suffixes if s.endswith(".tex"))


def _sheet(src: Sources) -> Mapping[str, str]:
    return {".tex": src.tex[0]}


def _body(src: Sources) -> Mapping[str, str]:
    return {".body.tex": src.tex[1]}


def _json(src: Sources) -> Mapping[str, str]:
    from gen.render.results import dumps

    return {".json": dumps(dict(src.results))}


def _html(src: Sources) -> Mapping[str, str]:
    from gen.render.html import render_html

    return {".html": render_html(src.context, src.results, src.folder)}


def _markdown(src: Sources) -> Mapping[str, str]:
    from gen.render.markdown import render_markdown

    return {".md": render_markdown(src.context, src.results, src.folder)}


def _slides(src: Sources) -> Mapping[str, str]:
    from gen.render.slides import render_slides

    return {".slides.tex": render_slides(src.context, src.folder)}


def _handout(src: Sources) -> Mapping[str, str]:
    from gen.render.slides import render_slides

    return {".handout.tex": render_slides(src.context, src.folder, handout=True)}


def _exercise(src: Sources) -> Mapping[str, str]:
    from gen.render.exercise import render_exercise

    return {".exercise.tex": render_exercise(src.context, src.folder)}


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        f.name: f
        for f in (
            Format("pdf", (".tex", ".pdf"), _sheet, "the sheet: NAME.pdf and NAME.tex", True),
            Format("body", (".body.tex",), _body, "the fragment to \\input: NAME.body.tex"),
            Format("json", (".json",), _json, "the results: NAME.json"),
            Format(
                "slides",
                (".slides.tex", ".slides.pdf"),
                _slides,
                "Beamer slides, steps revealed one by one: NAME.slides.pdf and .slides.tex",
                True,
            ),
            Format(
                "handout",
                (".handout.tex", ".handout.pdf"),
                _handout,
                "the slides without overlays: NAME.handout.pdf and .handout.tex",
                True,
            ),
            Format("html", (".html",), _html, "a standalone web page, math as MathML: NAME.html"),
            Format("md", (".md",), _markdown, "Markdown with $$ math: NAME.md"),
            Format(
                "exercise",
                (".exercise.tex", ".exercise.pdf"),
                _exercise,
                "the problem without its answers: NAME.exercise.pdf and .exercise.tex",
                True,
            ),
        )
    }
)


def parse_formats(text: str) -> tuple[str, ...]:
    """The formats of a ``--to`` value, in the registry's order, each once.

    Args:
        text: ``FORMAT[,FORMAT...]``, or ``all``.

    Raises:
        ValueError: An unknown or empty format (the message names the valid ones).
    """
    names = [n.strip() for n in text.split(",")]
    if ALL in names:
        return tuple(FORMATS)
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        shown = ", ".join(repr(n) for n in unknown) or repr(text)
        raise ValueError(f"unknown format {shown}; valid formats: {', '.join(FORMATS)} (or {ALL})")
    return ordered(names)


def ordered(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in the registry's order, each once (the order files are staged in)."""
    wanted = set(names)
    return tuple(n for n in FORMATS if n in wanted)


def stage(src: Sources, formats: Iterable[str]) -> dict[str, str]:
    """The staged files of ``formats``: suffix -> text, in the registry's order."""
    out: dict[str, str] = {}
    for name in ordered(formats):
        out.update(FORMATS[name].render(src))
    return out


def typesets(formats: Iterable[str]) -> bool:
    """Whether any of ``formats`` is made by TeX."""
    return any(FORMATS[n].typesets for n in formats if n in FORMATS)


def typeset_suffixes(formats: Iterable[str]) -> tuple[str, ...]:
    """The ``.tex`` suffixes TeX compiles for ``formats``, in the registry's order.

    Each ``NAME`` + suffix becomes the PDF ``NAME`` + ``pdf_suffix(suffix)``.
    """
    return tuple(FORMATS[n].tex_suffix for n in ordered(formats) if FORMATS[n].typesets)


def pdf_suffix(tex_suffix: str) -> str:
    """The PDF made from a ``.tex`` suffix: ``.slides.tex`` -> ``.slides.pdf``."""
    return tex_suffix.removesuffix(".tex") + ".pdf"
