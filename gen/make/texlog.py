"""Reading a TeX log: its first error, the context of that error, and its warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

EXCERPT_LINES = 5
_FILE_LINE_ERROR = re.compile(r"^(?:\./)?([^\s:][^:]*):(\d+): ")
_CONTEXT_LINE = re.compile(r"^l\.(\d+) ")
_OVERFULL = re.compile(r"^(Overfull \\[hv]box \([^)]*\)) .*?at lines? (\d+)")
_OVERFULL_PAGE = re.compile(r"^(Overfull \\vbox \([^)]*\)) has occurred while \\output is active")
_LATEX_WARNING = re.compile(r"^LaTeX Warning: (.*)")
_INPUT_LINE = re.compile(r"on input line (\d+)")
_MISSING_CHAR = re.compile(r"^(Missing character: .*)")


@dataclass(frozen=True)
class TexWarning:
    """A warning of a TeX run: its text and the line of the ``.tex`` file, if known."""

    message: str
    line: int | None = None


def _is_error(row: str) -> bool:
    """Whether a log line starts a TeX error."""
    return row.startswith("! ") or _FILE_LINE_ERROR.match(row) is not None


def log_excerpt(log: str, lines: int = EXCERPT_LINES) -> str:
    """The first error of a TeX log (``file:line: error`` or ``! error``) and what follows.

    Args:
        log: The text of a TeX log written with ``-file-line-error``.
        lines: How many lines to keep, the error line included.

    Returns:
        The excerpt, with a leading ``./`` dropped from the file name; empty
        when the log shows no error.
    """
    rows = log.splitlines()
    start = next((i for i, row in enumerate(rows) if _is_error(row)), None)
    if start is None:
        return ""
    chosen = rows[start : start + lines]
    chosen[0] = chosen[0].removeprefix("./")
    return "\n".join(row.rstrip() for row in chosen).rstrip()


def tail(text: str, lines: int = 10) -> str:
    """The last non-blank lines of ``text``."""
    rows = [row.rstrip() for row in text.splitlines() if row.strip()]
    return "\n".join(rows[-lines:])


def first_error(log: str, tex_name: str) -> tuple[int | None, str]:
    """The line of ``tex_name`` where the log's first error stands, and TeX's message.

    Args:
        log: The TeX log.
        tex_name: The file name of the main ``.tex`` file.

    Returns:
        ``(line, message)``; the line is None when the error is in another file
        or the log gives none.
    """
    rows = log.splitlines()
    for i, row in enumerate(rows):
        match = _FILE_LINE_ERROR.match(row)
        if match is None and not row.startswith("! "):
            continue
        message = row[match.end() :] if match else row[2:]
        line = None
        if match is not None and Path(match.group(1)).name == tex_name:
            line = int(match.group(2))
        elif match is None:
            context = next(
                (_CONTEXT_LINE.match(r) for r in rows[i + 1 : i + 12] if _CONTEXT_LINE.match(r)),
                None,
            )
            line = int(context.group(1)) if context else None
        return line, message.strip()
    return None, ""


def error_context(log: str) -> str:
    """The text TeX read on the error's line up to the error (``l.57 \\foo`` gives ``\\foo``).

    A leading ``...`` (TeX cut the line short) is dropped; empty when the log has none.
    """
    for row in log.splitlines():
        match = _CONTEXT_LINE.match(row)
        if match is not None:
            return row[match.end() :].removeprefix("...")
    return ""


def tex_warnings(log: str) -> tuple[TexWarning, ...]:
    """Overfull boxes (in the text or on a page), ``LaTeX Warning:`` lines, missing characters."""
    out: list[TexWarning] = []
    rows = log.splitlines()
    for i, row in enumerate(rows):
        if (m := _OVERFULL.match(row)) is not None:
            out.append(TexWarning(m.group(1), int(m.group(2))))
        elif (m := _OVERFULL_PAGE.match(row)) is not None:  # a box taller than the page
            out.append(TexWarning(f"{m.group(1)} on a page: something is taller than the page"))
        elif (m := _LATEX_WARNING.match(row)) is not None:
            text = m.group(1)
            for more in rows[i + 1 : i + 4]:  # a warning goes on while lines are not blank
                if not more.strip():
                    break
                text += " " + more.strip()
            where = _INPUT_LINE.search(text)
            out.append(TexWarning(text.rstrip("."), int(where.group(1)) if where else None))
        elif (m := _MISSING_CHAR.match(row)) is not None:
            out.append(TexWarning(m.group(1).rstrip("!")))
    return tuple(dict.fromkeys(out))
