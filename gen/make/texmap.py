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
from gen.render.sheet import escape_tex, template_texts
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
    return [(needle, text, what) for needle, text, what in out if len(needle) >= MIN_NEEDLE
            or (what.startswith("the latex") and needle)]


@dataclass(frozen=True)
class _TemplateLine:
    """A template line as a pattern: its static pieces, how many characters they fix, where."""

    pieces: tuple[str, ...]
    literal: int
    span: Span


def _template_pattern(line: str) -> tuple[tuple[str, ...], int] | None:
    """The static pieces of a template line (around its tags), and their length; None if short."""
    pieces = tuple(_TAG.split(line.strip()))
    literal = sum(len(p.strip()) for p in pieces)
    if literal < MIN_NEEDLE:
        return None
    return pieces, literal


def _fits(pieces: tuple[str, ...], row: str) -> bool:
    """Whether ``row`` is the pieces in order with any text between them (linear in ``row``).

    The same as a full match of ``piece.*?piece.*?piece``, without a regular
    expression's backtracking: the first piece starts the row, the last ends
    it, and each middle piece is taken where it first occurs.
    """
    if len(pieces) == 1:
        return row == pieces[0]
    first, last = pieces[0], pieces[-1]
    if len(first) + len(last) > len(row) or not row.startswith(first) \
            or not row.endswith(last):
        return False
    pos, end = len(first), len(row) - len(last)
    for piece in pieces[1:-1]:
        found = row.find(piece, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def template_lines(folders: list[Path]) -> list[list[_TemplateLine]]:
    """The patterns of every line of the templates (``*.j2``) of each folder, read once."""
    out: list[list[_TemplateLine]] = []
    for folder in folders:
        found: list[_TemplateLine] = []
        for path, text in template_texts(Path(folder)):
            for number, tline in enumerate(text.splitlines(), 1):
                pattern = _template_pattern(tline)
                if pattern is not None:
                    found.append(_TemplateLine(*pattern, Span(str(path), number, 1, 1, tline)))
        out.append(found)
    return out


def _template_origin(row: str, patterns: list[list[_TemplateLine]]) -> Origin | None:
    """The template line that printed ``row`` (the one with the most static text)."""
    wanted = row.strip()
    if len(wanted) < MIN_NEEDLE:
        return None
    for folder in patterns:
        best: _TemplateLine | None = None
        tie = False
        for tline in folder:
            if best is not None and tline.literal < best.literal:
                continue
            if not _fits(tline.pieces, wanted):
                continue
            if best is None or tline.literal > best.literal:
                best, tie = tline, False
            else:
                tie = True
        if best is not None:
            return None if tie else Origin(best.span, "the template")
    return None


def template_line(row: str, folders: list[Path]) -> Origin | None:
    """The template line that printed ``row`` (the one with the most static text)."""
    return _template_origin(row, template_lines(folders))


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
            # An occurrence holds the column when it starts in [column - len - 1, column - 1].
            start = row.find(needle, max(0, column - len(needle) - 1))
            if 0 <= start < column:
                return text, what
    _, text, what = max(matches, key=lambda m: (m[2].startswith("the latex"), len(m[0])))
    return text, what


class Locator:
    """Traces lines of one generated ``.tex`` back to their origins; built once per sheet.

    Building it reads the source, the spec values and the template lines once;
    each ``locate`` then costs one pass over the line asked about.
    """

    def __init__(self, tex: str, spec: Spec, folders: list[Path]) -> None:
        """Index ``tex`` (its sections), the values of ``spec``, the templates of ``folders``."""
        self.lines = tex.splitlines()
        self.spec = spec
        self.needles = _needles(spec)
        self.folders = folders
        self._patterns: list[list[_TemplateLine]] | None = None
        self.begin = next((i for i, r in enumerate(self.lines) if _BEGIN_DOCUMENT in r), 0)
        self.sections: list[int] = []  # sections started up to each line, that line included
        count = 0
        for row in self.lines:
            count += 1 if _SECTION.search(row) else 0
            self.sections.append(count)

    def _derivation_at(self, index: int) -> Origin | None:
        """The derive item whose ``\\subsection`` (k-th, in order) holds line ``index``."""
        count = self.sections[index]
        pairs: list[Target] = [t for t in self.spec.targets for _ in t.methods]
        if 1 <= count <= len(pairs):
            target = pairs[count - 1]
            what = f"derivation {count} (d{target.of.value}/d{target.wrt.value})"
            return Origin(target.span, what)
        return None

    def locate(self, line: int | None, before: str = "") -> list[Origin]:
        """Where line ``line`` came from, most specific first (see ``locate``)."""
        if line is None or not 1 <= line <= len(self.lines):
            return []
        index = line - 1
        row = self.lines[index]
        out: list[Origin] = []
        matches = [(n, t, w) for n, t, w in self.needles if n in row]
        if matches:
            text, what = _best(row, before, matches)
            out.append(Origin(text.span, what))
        if index > self.begin:
            derivation = self._derivation_at(index)
            if derivation is not None:
                out.append(derivation)
        if self._patterns is None:
            self._patterns = template_lines(self.folders)
        template = _template_origin(row, self._patterns)
        if template is not None:
            out.append(template)
        return out


def locate(tex: str, line: int | None, spec: Spec, folders: list[Path],
           before: str = "") -> list[Origin]:
    """Where line ``line`` of the generated ``tex`` came from, most specific first.

    Linear in ``tex`` and in the templates (``Locator`` answers many lines of one sheet).

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
    return Locator(tex, spec, folders).locate(line, before)


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
    return GenError(f"template error: {message}", Span(file, line, 1 if source else None,
                                                       1, source))
