"""The Markdown page of a sheet: the view model printed by templates/page.md.j2, ``$$`` math.

For MkDocs (pymdownx.arithmatex), Jupyter Book and Quarto: display math in
``$$`` blocks, inline math in ``$...$``, prose with Markdown's specials escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from gen.render.mathml import prose_parts, standard_latex
from gen.render.sheet import default_templates_dir, filled, real_space, sandbox, sci

MARKDOWN_TEMPLATE = "page.md.j2"
# Not ( and ): arithmatex reads \( as the start of math.
_SPECIALS_RE = re.compile(r"([\\`*_\[\]<>#|$~])")
_SPACE_RE = re.compile(r"\s+")


def escape_md(text: object) -> str:
    """Prose safe in Markdown: its specials backslash-escaped, on one line."""
    return _SPECIALS_RE.sub(r"\\\1", _SPACE_RE.sub(" ", str(text)))


def _math(latex: object) -> str:
    """Math as one line of standard LaTeX (gradsheet's macros expanded)."""
    return _SPACE_RE.sub(" ", standard_latex(str(latex))).strip()


def inline_math(latex: object) -> str:
    """The ``math`` filter: ``$latex$``."""
    return f"${_math(latex)}$"


def display_math(latex: object) -> str:
    """The ``display`` filter: a ``$$`` block on lines of its own."""
    return f"$$\n{_math(latex)}\n$$"


def note_md(note: object) -> str:
    r"""The ``note`` filter: a note of the view model (prose and ``\(...\)`` math) as Markdown."""
    return "".join(
        inline_math(value) if kind == "math" else escape_md(value)
        for kind, value in prose_parts(str(note))
    )


def fill_md(message: object, **values: object) -> str:
    """The ``fill`` filter: a catalogue message, its prose escaped, ``{name}`` slots filled."""
    return "".join(filled(message, values, escape_md, str))


def _environment(templates_dir: str) -> jinja2.Environment:
    """A Jinja environment for one template folder (made per page: no module-level cache)."""
    env = sandbox(templates_dir, autoescape=False)  # the sheet's sandbox, bounded
    env.filters.update(
        md=escape_md,
        math=inline_math,
        display=display_math,
        note=note_md,
        fill=fill_md,
        space=real_space,
        sci=sci,
    )
    return env


def render_markdown(
    context: Mapping[str, Any],
    results: Mapping[str, Any] | None = None,
    templates_dir: Path | None = None,
) -> str:
    """The Markdown page of a sheet.

    Args:
        context: The sheet context of ``gen.render.view.sheet_context``.
        results: The spec's results object (unused by the shipped template; a
            template folder's ``page.md.j2`` may print from it).
        templates_dir: A template folder that may override ``page.md.j2``.
    """
    folder = templates_dir if templates_dir is not None else default_templates_dir()
    env = _environment(str(Path(folder).resolve()))
    data = {**context, "results": dict(results or {})}
    return env.get_template(MARKDOWN_TEMPLATE).render(data)
