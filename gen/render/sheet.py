"""The Jinja environment for LaTeX templates, its filters, and rendering a sheet."""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Concat
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from gen.errors import GenError, Span, TemplateFolderError
from gen.render.mathchars import MATH_CHARACTERS, PROSE_MATH, code_points
from gen.render.templatecache import template_cache
from gen.render.templatefiles import read_template_bytes, shipped_templates, template_texts
from gen.render.texchars import sheet_engine

__all__ = [
    "BODY_TEMPLATE",
    "MAX_OUTPUT",
    "SHEET_TEMPLATE",
    "default_templates_dir",
    "environment",
    "escape_tex",
    "fill",
    "loader",
    "real_space",
    "render_tex",
    "sci",
    "template_texts",
]

SHEET_TEMPLATE = "sheet.tex.j2"
BODY_TEMPLATE = "body.tex.j2"
MAX_OUTPUT = 16 * 1024 * 1024  # characters a template may write (each of the two files)
MAX_VALUE = 4 * 1024 * 1024  # characters (or items) of one value a template computes
MAX_POWER = 1000  # the largest exponent of ``a ** b`` in a template

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
_T = TypeVar("_T")
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
    return "".join(filled(message, values, escape_tex, str))


def filled(
    message: object,
    values: Mapping[str, object],
    prose: Callable[[str], _T],
    value: Callable[[object], _T],
) -> list[_T]:
    """A catalogue message cut at its ``{name}`` slots: the prose through ``prose``, each
    slot's value through ``value`` (every writer's ``fill``: LaTeX, HTML, Markdown).

    Raises:
        KeyError: A placeholder has no value.
    """
    parts = _PLACEHOLDER_RE.split(str(message))
    return [prose(p) if i % 2 == 0 else value(values[p]) for i, p in enumerate(parts)]


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
    return shipped_templates()


def _tex_filter(value: object) -> str:
    """The ``tex`` filter: ``escape_tex`` of the value's text (an undefined value raises)."""
    return escape_tex(str(value))


class FolderLoader(jinja2.BaseLoader):
    """Templates of an untrusted folder: ``*.j2`` regular files inside it, bounded in size."""

    def __init__(self, folder: Path) -> None:
        """Serve the templates of ``folder``."""
        self.folder = Path(folder).resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The text of ``template``, its file, and whether it is still unchanged."""
        try:
            data = read_template_bytes(self.folder, template)
        except (FileNotFoundError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None
        except TemplateFolderError as exc:
            if not template.endswith(".j2"):  # another loader may have it (default/...)
                raise jinja2.TemplateNotFound(template) from None
            raise jinja2.TemplateError(str(exc)) from None
        path = self.folder / template
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            mtime = -1

        def uptodate() -> bool:
            try:
                return os.stat(path).st_mtime_ns == mtime
            except OSError:
                return False

        return data.decode("utf-8"), str(path), uptodate


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
    return jinja2.ChoiceLoader([FolderLoader(Path(templates_dir)), shipped, prefixed])


def _too_big(what: str) -> SecurityError:
    return SecurityError(f"a template computed {what} larger than {MAX_VALUE} characters")


def _checked_size(value: object) -> object:
    """``value``, unless it is a text or a sequence past ``MAX_VALUE``."""
    if isinstance(value, (str, bytes, list, tuple)) and len(value) > MAX_VALUE:
        raise _too_big("a value")
    return value


class _Generator(CodeGenerator):
    """Jinja's code generator, with ``~`` joining through ``Sandbox.joined`` (size-checked)."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        """Compile ``a ~ b`` to ``environment.joined((a, b))``."""
        self.write("environment.joined((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class Sandbox(ImmutableSandboxedEnvironment):
    """The template sandbox: no code, no change to any value it is given, bounded values.

    Immutable: a template cannot change what it is handed (the message
    catalogue, the context), so nothing one sheet's template does reaches
    another sheet. Bounded: ``*``, ``**``, ``%``, ``~`` and every filter refuse
    to build a value past ``MAX_VALUE`` (a template cannot fill the memory), and
    the caller limits the time (``--timeout``) and the output (``MAX_OUTPUT``).
    """

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``left operator right``, refused when its result would be too large."""
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, bytes, list, tuple))
                    and isinstance(n, int)
                    and len(seq) * n > MAX_VALUE
                ):
                    raise _too_big("a repetition")
        if (
            operator == "**"
            and isinstance(right, (int, float))
            and (
                abs(right) > MAX_POWER
                or isinstance(left, int)
                and abs(right) * left.bit_length() > 32 * MAX_VALUE
            )
        ):
            raise SecurityError("a template raised a number to too large a power")
        if operator == "%" and isinstance(left, str) and re.search(r"\d{5,}|\*", left):
            raise SecurityError("a template used a format width of 10000 or more")
        return _checked_size(super().call_binop(context, operator, left, right))

    @staticmethod
    def joined(parts: Iterable[object]) -> str:
        """``a ~ b ~ ...``: the parts as text, joined, refused when too large. As Jinja's
        own ``~`` does: when a part is markup (a macro's output under autoescape), the
        whole is markup, the other parts escaped, so that nothing is escaped twice."""
        items = list(parts)
        texts = [str(p) for p in items]
        if sum(len(t) for t in texts) > MAX_VALUE:
            raise _too_big("a text")
        if any(hasattr(p, "__html__") for p in items):
            return Markup("").join(p if hasattr(p, "__html__") else str(p) for p in items)
        return "".join(texts)


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (a filter), its result refused when too large."""

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
                raise SecurityError(f"a template passed {value} to a filter")
        return _checked_size(function(*args, **kwargs))

    return bounded


def sandbox(templates_dir: str, *, autoescape: bool = False) -> Sandbox:
    """The sandbox every writer renders in: one templates folder over the shipped ones,
    the project's ``<% %>`` delimiters, undefined values an error (filters: the caller's).

    Compiled templates are kept between runs (``gen.render.templatecache``); the
    code kept is the sandbox's own, so a cached template runs as sandboxed as a
    freshly compiled one."""
    return Sandbox(  # a template folder from elsewhere runs no code
        loader=loader(templates_dir),
        bytecode_cache=template_cache(),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<%=",
        variable_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: str) -> jinja2.Environment:
    """The Jinja environment for one templates folder (over the defaults), built once."""
    env = sandbox(templates_dir)
    env.filters.update(tex=_tex_filter, fill=fill, space=real_space, sci=sci)
    env.filters = {name: _bounded_filter(f) for name, f in env.filters.items()}
    env.globals["math_characters"] = code_points()
    return env


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """The (cached) Jinja environment for ``templates_dir`` or the default templates."""
    folder = templates_dir if templates_dir is not None else default_templates_dir()
    return _environment(str(Path(folder).resolve()))


def _render(template: jinja2.Template, data: dict[str, Any], limit: int, folder: Path) -> str:
    """``template`` rendered piece by piece, stopped when it writes more than ``limit``."""
    parts: list[str] = []
    size = 0
    for piece in template.generate(data):
        size += len(piece)
        if size > limit:
            raise GenError(
                f"the templates wrote more than {limit} characters into "
                f"{template.name}; a sheet is never that large (see "
                "docs/templates.md)",
                Span(str(folder)),
            )
        parts.append(piece)
    return "".join(parts)


def render_tex(
    context: Mapping[str, Any],
    templates_dir: Path | None = None,
    *,
    limit: int | None = None,
    heading: str = "subsection",
) -> tuple[str, str]:
    """Render a sheet: the standalone document and the body alone.

    Each file is rendered from a fresh copy of the context's top level, in an
    immutable sandbox, and may be at most ``limit`` characters long
    (``MAX_OUTPUT`` when None). The
    caller bounds the time (``gen.make.guard.time_limit``).

    Args:
        context: The sheet context (title, lang, msg, layout, dims, variables,
            definitions, derivations); math strings are LaTeX, prose is raw.
        templates_dir: A folder of templates overriding any of the shipped
            ones (the others still come from the shipped folder); the shipped
            templates alone when omitted.
        limit: The most characters a file may have (``MAX_OUTPUT`` when None).
        heading: The sectioning command of the fragment's headings (its
            ``\\gsheadinglevel``, which a host may still redefine).

    Returns:
        ``(sheet, body)``: the complete ``.tex`` source and the ``.body.tex`` source.

    Raises:
        jinja2.UndefinedError: The context lacks a value a template uses.
        jinja2.TemplateError: A template is missing or malformed, or broke a
            limit of the sandbox (``SecurityError``).
        GenError: A file would pass ``limit`` characters.
    """
    env = environment(templates_dir)
    folder = templates_dir if templates_dir is not None else default_templates_dir()
    limit = MAX_OUTPUT if limit is None else limit
    data = {"engine": sheet_engine(context), **context}  # a context may name its own
    sheet = _render(env.get_template(SHEET_TEMPLATE), dict(data), limit, folder)
    fragment = {**data, "fragment": True, "body_heading": heading}
    body = _render(env.get_template(BODY_TEMPLATE), fragment, limit, folder)
    return sheet, body
