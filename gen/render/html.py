"""The HTML page of a sheet: the view model printed by templates/page.html.j2, math as MathML."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from markupsafe import Markup, escape

from gen.render.mathml import math_element, prose_parts, text_alternative
from gen.render.sheet import default_templates_dir, filled, real_space, sandbox, sci

PAGE_TEMPLATE = "page.html.j2"
# The lang attribute of each sheet language (zh sheets are written in simplified characters).
HTML_LANG = MappingProxyType({"en": "en", "zh": "zh-Hans"})


def _latex(value: object) -> str:
    """Math as a string: a template's Markup (a macro's output) unescaped again."""
    return value.unescape() if isinstance(value, Markup) else str(value)


def inline_math(latex: object, alt: str | None = None) -> Markup:
    """The ``math`` filter: LaTeX as an inline ``<math>`` element with its text alternative."""
    return Markup(math_element(_latex(latex), alt=alt))


def display_math(latex: object, alt: str | None = None) -> Markup:
    """The ``display`` filter: LaTeX as a display ``<math>`` element with its text alternative."""
    return Markup(math_element(_latex(latex), display=True, alt=alt))


def said(latex: object) -> str:
    """The ``said`` filter: the text alternative of a formula, e.g. ``∂J/∂w``."""
    return text_alternative(_latex(latex))


def note_html(note: object) -> Markup:
    r"""The ``note`` filter: a note of the view model (prose and ``\(...\)`` math) as HTML."""
    parts = prose_parts(_latex(note))
    return Markup("").join(
        inline_math(value) if kind == "math" else escape(value) for kind, value in parts
    )


def fill_html(message: object, **values: object) -> Markup:
    """The ``fill`` filter: a catalogue message, its prose escaped, ``{name}`` slots filled.

    Values that are Markup (math) go in as they are; others are escaped.
    """
    return Markup("").join(filled(message, values, escape, escape))


def _environment(templates_dir: str) -> jinja2.Environment:
    """A Jinja environment for one template folder (made per page: no module-level cache)."""
    env = sandbox(templates_dir, autoescape=True)  # the sheet's sandbox, bounded
    env.filters.update(
        math=inline_math,
        display=display_math,
        said=said,
        note=note_html,
        fill=fill_html,
        space=real_space,
        sci=sci,
    )
    return env


def render_html(
    context: Mapping[str, Any],
    results: Mapping[str, Any] | None = None,
    templates_dir: Path | None = None,
) -> str:
    """The standalone HTML page of a sheet.

    Args:
        context: The sheet context of ``gen.render.view.sheet_context`` (the
            one the TeX templates get).
        results: The spec's results object (SPEC section 6): each result's
            text syntax becomes its formula's text alternative.
        templates_dir: A template folder that may override ``page.html.j2``.

    Returns:
        The page: no script, no external resource; MathML for the math.
    """
    folder = templates_dir if templates_dir is not None else default_templates_dir()
    env = _environment(str(Path(folder).resolve()))
    texts = [d.get("result", {}).get("text") for d in (results or {}).get("derivations", [])]
    derivations = context["derivations"]
    data = {
        **context,
        "html_lang": HTML_LANG.get(context["lang"], context["lang"]),
        "result_texts": texts if len(texts) == len(derivations) else [None] * len(derivations),
    }
    return env.get_template(PAGE_TEMPLATE).render(data)
