"""TeX and template errors mapped back to what the user wrote: a spec item or a template line.

A TeX error names a line of the generated ``.tex``. That line is traced back,
by what it contains, to the spec value typeset there (a title, a ``latex:``
override, a derivation's text), to the derivation whose section holds it,
and to the template line that printed it (its static text matches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gen.errors import GenError, Span
from gen.render.sheet import escape_tex
from gen.spec.model import Spec, Target, Text

_TAG = re.compile(r"<%=.*?%>|<%.*?%>|<#.*?#>")
_SECTION = re.compile(r"\\subsection\{")
_BEGIN_DOCUMENT = "\\begin{document}"
MIN_NEEDLE = 3


@dataclass(frozen=True)
class Origin:
    """Where a generated line came from: a span, and how a message names it."""

    span: Span
    what: str


def _needles(spec: Spec) -> list[tuple[str, Text, str]]:
    """(text as it appears in the .tex, the spec value, how to name it) for every value."""
    out: list[tuple[str, Text, str]] = []

    def prose(text: Text | None, what: str) -> None:
        if text is not None:
            out.append((escape_tex(text.value).strip(), text, what))

    prose(spec.title, "the title")
    prose(spec.subtitle, "the subtitle")
    prose(spec.author, "the author")
    for dim in spec.dims:
        prose(dim.note, f"the note of dimension '{dim.name}'")
    for var in spec.variables:
        prose(var.text, f"the text of '{var.name}'")
        if var.latex is not None:
            out.append((var.latex.value.strip(), var.latex, f"the latex of '{var.name}'"))
    for target in spec.targets:
        prose(target.text, f"the text of derivation d{target.of.value}/d{target.wrt.value}")
    return [
        (needle, text, what)
        for needle, text, what in out
        if len(needle) >= MIN_NEEDLE or (what.startswith("the latex") and needle)
    ]


def _derivation_at(lines: list[str], index: int, spec: Spec) -> Origin | None:
    """The derive item whose ``\\subsection`` (k-th, in order) holds line ``index``."""
    count = sum(1 for row in lines[: index + 1] if _SECTION.search(row))
    pairs: list[Target] = [t for t in spec.targets for _ in t.methods]
    if 1 <= count <= len(pairs):
        target = pairs[count - 1]
        what = f"derivation {count} (d{target.of.value}/d{target.wrt.value})"
        return Origin(target.span, what)
    return None


def _template_pattern(line: str) -> tuple[re.Pattern[str], int] | None:
    """A pattern for what a template line prints, and how many literal characters it fixes."""
    pieces = _TAG.split(line.strip())
    literal = sum(len(p.strip()) for p in pieces)
    if literal < MIN_NEEDLE:
        return None
    body = ".*?".join(re.escape(p) for p in pieces)
    return re.compile(body), literal


def template_line(row: str, folders: list[Path]) -> Origin | None:
    """The template line that printed ``row`` (the one with the most static text)."""
    best: tuple[int, Span] | None = None
    tie = False
    wanted = row.strip()
    if len(wanted) < MIN_NEEDLE:
        return None
    for folder in folders:
        for path in sorted(Path(folder).glob("*.j2")):
            try:
                lines = path.read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, tline in enumerate(lines, 1):
                found = _template_pattern(tline)
                if found is None or not found[0].fullmatch(wanted):
                    continue
                score = found[1]
                if best is None or score > best[0]:
                    best, tie = (score, Span(str(path), number, 1, 1, tline)), False
                elif score == best[0]:
                    tie = True
        if best is not None:
            break
    if best is None or tie:
        return None
    return Origin(best[1], "the template")


def _error_column(row: str, before: str) -> int | None:
    """Where in ``row`` TeX stopped, from the text it showed before the error point."""
    if not before or row.count(before) != 1:
        return None
    return row.index(before) + len(before)


def _best(row: str, before: str, matches: list[tuple[str, Text, str]]) -> tuple[Text, str]:
    """The value TeX stopped in; else a ``latex:`` override; else the longest value."""
    column = _error_column(row, before)
    if column is not None:
        for needle, text, what in matches:
            start = row.find(needle)
            while start >= 0:
                if start < column <= start + len(needle) + 1:
                    return text, what
                start = row.find(needle, start + 1)
    _, text, what = max(matches, key=lambda m: (m[2].startswith("the latex"), len(m[0])))
    return text, what


def locate(
    tex: str, line: int | None, spec: Spec, folders: list[Path], before: str = ""
) -> list[Origin]:
    """Where line ``line`` of the generated ``tex`` came from, most specific first.

    Args:
        tex: The generated ``.tex`` source.
        line: A 1-based line of it (None: unknown).
        spec: The spec it was generated from.
        folders: The template folders, searched in order.
        before: The text TeX read on that line up to the error, to choose among
            several spec values on one line.

    Returns:
        Up to three origins: the spec value on that line, the derivation
        whose section holds it, the template line that printed it.
    """
    lines = tex.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return []
    index = line - 1
    row = lines[index]
    out: list[Origin] = []
    matches = [(n, t, w) for n, t, w in _needles(spec) if n in row]
    if matches:
        text, what = _best(row, before, matches)
        out.append(Origin(text.span, what))
    begin = next((i for i, r in enumerate(lines) if _BEGIN_DOCUMENT in r), 0)
    if index > begin:
        derivation = _derivation_at(lines, index, spec)
        if derivation is not None:
            out.append(derivation)
    template = template_line(row, folders)
    if template is not None:
        out.append(template)
    return out


def template_error(exc: Exception, folder: Path) -> GenError:
    """A Jinja error as a located error in the template file and line it names.

    Args:
        exc: A ``jinja2.TemplateError`` (syntax, undefined value, missing template).
        folder: The template folder in use.
    """
    name = getattr(exc, "name", None) or getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    file = getattr(exc, "filename", None)
    tb = exc.__traceback__
    while tb is not None:  # an error while rendering: the innermost template frame
        code = tb.tb_frame.f_code.co_filename
        if code.endswith(".j2"):
            file, line = code, tb.tb_lineno
        tb = tb.tb_next
    kind = type(exc).__name__
    message = getattr(exc, "message", None) or str(exc)
    if kind == "TemplateNotFound":
        return GenError(f"template '{name}' not found in {folder}", Span(str(folder)))
    if file is None:
        return GenError(f"template error: {message}", Span(str(folder)))
    source = None
    try:
        rows = Path(file).read_text("utf-8").splitlines()
        source = rows[line - 1] if line and 0 < line <= len(rows) else None
    except (OSError, UnicodeDecodeError):
        pass
    return GenError(
        f"template error: {message}", Span(file, line, 1 if source else None, 1, source)
    )
