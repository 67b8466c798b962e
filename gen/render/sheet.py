"""The Jinja environment for LaTeX templates, its filters, and rendering a sheet."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

import gen
from gen.render.mathchars import MATH_CHARACTERS, PROSE_MATH, code_points
from gen.render.texchars import sheet_engine

SHEET_TEMPLATE = "sheet.tex.j2"
BODY_TEMPLATE = "body.tex.j2"

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_TEX_SPECIALS.update(
    {c: rf"\ensuremath{{\{name}}}" for c, name in {**PROSE_MATH, **MATH_CHARACTERS}.items()}
)
_TEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))
_SPACE_RE = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
_SCALAR_SHAPES = {"", "1", r"1\times1"}


def escape_tex(s: str) -> str:
    """Make prose safe to typeset: LaTeX specials become inert, controls go.

    Line breaks and tabs become single spaces (a blank line would end a
    paragraph inside a macro argument); other control characters are removed.
    Greek letters and common math symbols (``λ ≤ α``) become math
    (``\\ensuremath{\\lambda}``): they print in any host document and font.

    Args:
        s: Any text, e.g. a title or a description from a spec.

    Returns:
        LaTeX source that prints ``s`` literally in text mode.
    """
    s = _CONTROL_RE.sub("", _SPACE_RE.sub(" ", s))
    return _TEX_SPECIAL_RE.sub(lambda m: _TEX_SPECIALS[m.group(0)], s)


def fill(message: str, **values: object) -> str:
    """Escape a catalogue message and put LaTeX values in its ``{name}`` slots.

    Args:
        message: Prose with placeholders, e.g. ``"checked at {points} points"``.
        **values: LaTeX source for each placeholder, inserted as is.

    Returns:
        The message as LaTeX source.

    Raises:
        KeyError: A placeholder has no value.
    """
    parts = _PLACEHOLDER_RE.split(str(message))
    out = [escape_tex(p) if i % 2 == 0 else str(values[p]) for i, p in enumerate(parts)]
    return "".join(out)


def real_space(shape: str) -> str:
    r"""The set a value of this shape lives in: ``\mathbb{R}^{m \times n}``, or ``\mathbb{R}``.

    Args:
        shape: A shape as LaTeX math, e.g. ``"m \times n"``; ``"1 \times 1"`` is a scalar.
    """
    shape = str(shape)
    if re.sub(r"\s+", "", shape) in _SCALAR_SHAPES:
        return r"\mathbb{R}"
    return r"\mathbb{R}^{" + shape + "}"


def sci(x: float) -> str:
    r"""A number in scientific notation as LaTeX math, e.g. ``3.1 \times 10^{-11}``."""
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    power = int(exponent)
    if power == 0:
        return mantissa
    return rf"{mantissa} \times 10^{{{power}}}"


def default_templates_dir() -> Path:
    """The templates shipped with gradsheet, installed or in the checkout.

    An installed wheel holds them in the package ``gen.templates``; a
    checkout holds them in ``templates/`` beside ``gen/``.

    Raises:
        FileNotFoundError: Neither place holds the sheet template.
    """
    package = Path(gen.__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / SHEET_TEMPLATE).is_file():
            return candidate
    raise FileNotFoundError(f"gradsheet templates not found beside {package}")


def _tex_filter(value: object) -> str:
    """The ``tex`` filter: ``escape_tex`` of the value's text (an undefined value raises)."""
    return escape_tex(str(value))


def loader(templates_dir: Path | str | None = None) -> jinja2.ChoiceLoader:
    """Where templates are found: the user's folder first, then the shipped templates.

    A folder that overrides only ``derivation.tex.j2`` takes every other
    template (``sheet.tex.j2``, ``body.tex.j2``, ``macros.tex.j2``, ...) from the
    defaults; a template that includes a name finds the user's version first.
    The shipped templates are also reachable as ``default/NAME``, so that an
    override may extend or include the template it replaces.

    Args:
        templates_dir: A folder of templates; None for the shipped ones alone.
    """
    default = default_templates_dir().resolve()
    shipped = jinja2.FileSystemLoader(str(default))
    prefixed = jinja2.PrefixLoader({"default": shipped})
    if templates_dir is None or Path(templates_dir).resolve() == default:
        return jinja2.ChoiceLoader([shipped, prefixed])
    return jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(Path(templates_dir).resolve())), shipped, prefixed]
    )


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: str) -> jinja2.Environment:
    """The Jinja environment for one templates folder (over the defaults), built once."""
    env = SandboxedEnvironment(  # a template folder from elsewhere runs no code
        loader=loader(templates_dir),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<%=",
        variable_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(tex=_tex_filter, fill=fill, space=real_space, sci=sci)
    env.globals["math_characters"] = code_points()
    return env


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """The (cached) Jinja environment for ``templates_dir`` or the default templates."""
    folder = templates_dir if templates_dir is not None else default_templates_dir()
    return _environment(str(Path(folder).resolve()))


def render_tex(context: Mapping[str, Any], templates_dir: Path | None = None) -> tuple[str, str]:
    """Render a sheet: the standalone document and the body alone.

    Args:
        context: The sheet context (title, lang, msg, layout, dims, variables,
            definitions, derivations); math strings are LaTeX, prose is raw.
        templates_dir: A folder of templates overriding any of the shipped
            ones (the others still come from the shipped folder); the shipped
            templates alone when omitted.

    Returns:
        ``(sheet, body)``: the complete ``.tex`` source and the ``.body.tex`` source.

    Raises:
        jinja2.UndefinedError: The context lacks a value a template uses.
        jinja2.TemplateError: A template is missing or malformed.
    """
    env = environment(templates_dir)
    data = {"engine": sheet_engine(context), **context}  # a context may name its own
    sheet = env.get_template(SHEET_TEMPLATE).render(data)
    body = env.get_template(BODY_TEMPLATE).render(data)
    return sheet, body
