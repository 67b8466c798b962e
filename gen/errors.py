"""Positions in spec files, the one error type, and the one formatter."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A place in a file: 1-based line and column, and how many characters.

    ``source_line`` is the whole line of the file (without its newline), kept
    so that a message can show it with a caret under the fault.
    """

    file: str | None
    line: int | None = None
    column: int | None = None
    length: int = 1
    source_line: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Where:
    """Where the text of a YAML string value starts in its file.

    ``exact`` is true when character ``i`` of the value stands at column
    ``column + i`` of ``line`` (a one-line plain or quoted scalar without
    escapes); otherwise offsets are mapped to the value's start.
    """

    file: str | None
    line: int | None
    column: int | None
    exact: bool = False
    lines: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def span(self, start: int = 0, end: int | None = None) -> Span:
        """The span of characters ``start:end`` of the value."""
        length = max(1, (end if end is not None else start + 1) - start)
        src = None
        if self.line is not None and 0 < self.line <= len(self.lines):
            src = self.lines[self.line - 1]
        if self.exact and self.column is not None:
            return Span(self.file, self.line, self.column + start, length, src)
        return Span(self.file, self.line, self.column, length if self.exact else 1, src)


@dataclass(eq=False)
class GenError(Exception):
    """A user-facing error: a message and, where known, where it happened."""

    message: str
    span: Span | None = None
    kind: str = "error"

    def __str__(self) -> str:
        return format_error(self)

    def to_json(self) -> dict[str, object]:
        """The error as SPEC section 6 writes it in ``errors``."""
        span = self.span
        return {
            "message": self.message,
            "file": span.file if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
        }


class GenErrors(Exception):
    """Several errors of one file, reported together."""

    def __init__(self, errors: list[GenError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = list(errors)


def format_error(err: GenError) -> str:
    """``file:line:col: error: message``, then the source line and a caret."""
    span = err.span
    head = ""
    if span is not None and span.file:
        head = span.file
        if span.line is not None:
            head += f":{span.line}"
            if span.column is not None:
                head += f":{span.column}"
        head += ": "
    text = f"{head}{err.kind}: {err.message}"
    if span is not None and span.source_line is not None and span.line is not None:
        src = span.source_line.expandtabs(1).rstrip("\n")
        gutter = f"{span.line:>5} | "
        text += f"\n{gutter}{src}"
        if span.column is not None:
            col = max(1, span.column)
            width = max(1, min(span.length, len(src) - col + 1))
            text += "\n" + " " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * width
    return text


class TimeLimit(BaseException):
    """The time limit of a stage ran out (a BaseException: no ``except Exception`` eats it)."""


class Interrupted(BaseException):
    """The build was stopped by a signal (``signum``: SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class CacheError(Exception):
    """The cache folder cannot be used (e.g. it is a symbolic link)."""


class TemplateFolderError(Exception):
    """A template folder or file may not be read (outside the folder, not a regular file, too big)."""


class ShapeError(Exception):
    """A shape rule was broken; ``message`` says which (without any location)."""

    def __init__(self, message: str) -> None:
        """Keep the message."""
        super().__init__(message)
        self.message = message


class ConstantTooLarge(Exception):
    """A constant expression grew past ``_MAX_CONSTANT``."""


class NotLinear(Exception):
    """The differential is not in a form whose matrix can be read off."""


class NotSupported(Exception):
    """The engine cannot (yet) derive this target; the message says why."""


class Bail(Exception):
    """Too big, or not for this algebra (a division by zero): leave the expression alone."""


class Unsupported(Exception):
    """The check cannot interpret an expression (the message says what)."""


class YamlTooLarge(Exception):
    """Composing stops: the input is past a limit."""


class InternalError(GenError):
    """An error of gradsheet itself, not of the spec; ``detail`` keeps the traceback."""

    detail: str = ""


class TexError(GenError):
    """A located error with notes below its caret: the generated line, TeX's words, the log."""

    notes: str = ""

    def __str__(self) -> str:
        text = format_error(self)
        return f"{text}\n{self.notes}" if self.notes else text
