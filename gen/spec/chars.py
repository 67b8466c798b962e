"""The characters of a spec file: UTF-8 decoding, bidirectional controls, lines safe to show."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gen.errors import GenError, GenErrors, Span

if TYPE_CHECKING:
    from gen.spec.yamlnodes import Source

# Bidirectional controls (the "Trojan Source" set, and the invisible marks).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BIDI_NAMES = {
    0x061C: "ARABIC LETTER MARK", 0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK",
    0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING", 0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE",
}
# What a message must not show as is: controls (tabs aside) and bidirectional controls.
# Code points no text may hold, even written as a YAML escape ("\\ud800"): lone
# surrogates (they cannot be written as UTF-8) and the noncharacters.
_BAD_CODE_POINT = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                             + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}"
                                       for p in range(1, 17)) + "]")
_UNSHOWABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f"
                         "\u202a-\u202e\u2066-\u2069]")


def shown(line: str) -> str:
    """``line`` as a message may show it: each control character becomes U+FFFD."""
    return _UNSHOWABLE.sub("\ufffd", line)


def bad_code_point(text: str) -> str | None:
    """Why ``text`` cannot stand in a spec (a lone surrogate, a noncharacter), or None."""
    match = _BAD_CODE_POINT.search(text)
    if match is None:
        return None
    code = ord(match.group())
    kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a noncharacter"
    return f"U+{code:04X} ({kind})"


def check_bidi(source: Source) -> None:
    """Record an error at every bidirectional control character of ``source``."""
    for match in _BIDI.finditer(source.text):
        code = ord(match.group())
        source.error(
            f"bidirectional control character U+{code:04X} ({_BIDI_NAMES[code]}) is not "
            "allowed: it makes text display in another order than it is read",
            source.index_span(match.start()),
        )


def decode(data: bytes, file: str) -> str:
    """The text of a spec file's bytes (UTF-8, an optional byte-order mark dropped).

    Raises:
        GenErrors: One error at the first byte that is not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    start = data.rfind(b"\n", 0, bad) + 1
    end = data.find(b"\n", bad)
    line = shown(data[start : end if end >= 0 else len(data)].decode("utf-8", "replace"))
    column = len(data[start:bad].decode("utf-8", "replace")) + 1
    span = Span(file, data.count(b"\n", 0, bad) + 1, column, 1, line.rstrip("\r"))
    message = f"spec file is not valid UTF-8 (byte 0x{data[bad]:02x})"
    raise GenErrors([GenError(message, span)])
