"""Tokens of the expression syntax (SPEC section 2), with their offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gen.errors import GenError, Span, Where

MAX_LENGTH = 2000
MAX_DIGITS = 30

NUM = "num"
NAME = "name"
OP = "op"
END = "end"

_SPACE = " \t\r\n"
_TOKEN = re.compile(
    r"(?P<num>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\.\*|\./|\.\^|<=|>=|[-+*/^'(),<>])"
)


@dataclass(frozen=True)
class Token:
    """One token: its kind (``num``, ``name``, ``op``, ``end``), text and offsets."""

    kind: str
    text: str
    start: int
    end: int

    def is_op(self, *texts: str) -> bool:
        """Whether this is an operator token with one of ``texts``."""
        return self.kind == OP and self.text in texts

    def quoted(self) -> str:
        """The token as an error message quotes it (``'+'``, ``"'"``, ``end``)."""
        if self.kind == END:
            return "the end"
        return f'"{self.text}"' if "'" in self.text else f"'{self.text}'"


class Source:
    """The text of one expression and where it stands in its file."""

    def __init__(self, text: str, where: Where | None = None) -> None:
        """Keep ``text`` and ``where`` (None: the text stands alone, line 1)."""
        self.text = text
        self.where = where

    def span(self, start: int, end: int | None = None) -> Span:
        """The span of characters ``start:end`` of the text."""
        if self.where is not None:
            return self.where.span(start, end)
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        if line_end < 0:
            line_end = len(text)
        length = max(1, (end if end is not None else start + 1) - start)
        line = text.count("\n", 0, start) + 1
        return Span(None, line, start - line_start + 1, length, text[line_start:line_end])

    def error(self, message: str, start: int, end: int | None = None) -> GenError:
        """A ``GenError`` with ``message`` at characters ``start:end``."""
        return GenError(message, self.span(start, end))


def tokenize(source: Source) -> list[Token]:
    """Split the text into tokens, ending with one ``end`` token.

    Args:
        source: The expression text and its place.

    Returns:
        The tokens in order; the last one has kind ``end``.

    Raises:
        GenError: On text longer than ``MAX_LENGTH``, a character outside the
            syntax, or a number with more than ``MAX_DIGITS`` digits.
    """
    text = source.text
    if len(text) > MAX_LENGTH:
        raise source.error(
            f"expression is too long ({len(text)} characters; at most {MAX_LENGTH})", 0
        )
    tokens: list[Token] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        if pos >= len(text):
            tokens.append(Token(END, "", len(text), len(text)))
            return tokens
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _bad_character(source, pos)
        kind = match.lastgroup or OP
        token = Token(kind, match.group(), pos, match.end())
        if kind == NUM:
            _check_number(source, token)
        tokens.append(token)
        pos = match.end()


def _bad_character(source: Source, pos: int) -> GenError:
    """The error for a character that starts no token."""
    text = source.text
    char = text[pos]
    if char == "." and pos + 1 < len(text) and text[pos + 1].isdigit():
        return source.error("a number starts with a digit: write 0.5, not .5", pos)
    return source.error(f"unexpected character {char!r}", pos)


def _check_number(source: Source, token: Token) -> None:
    """Reject numbers too long to be meant, and exponent notation."""
    digits = sum(ch.isdigit() for ch in token.text)
    if digits > MAX_DIGITS:
        raise source.error(
            f"number is too long (more than {MAX_DIGITS} digits)", token.start, token.end
        )
    text = source.text
    end = token.end
    after = text[end + 1 : end + 2]
    if text[end : end + 1] in ("e", "E") and (after.isdigit() or after in ("-", "+")):
        raise source.error(
            "exponent notation such as 1e-3 is not supported; write a fraction (1/1000)",
            token.start,
            end + 1,
        )
