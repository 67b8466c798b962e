"""Which TeX engine a sheet's text needs: pdfLaTeX when it sets every character, else XeLaTeX.

pdfLaTeX sets ASCII and the characters LaTeX declares for its font encodings
(T1, TS1, OT1, OMS: accented Latin letters, quotes, dashes, currency, ...)
plus the math characters of ``gen.render.mathchars`` that the sheet's
preamble declares. A sheet whose text holds anything else (Chinese words,
Cyrillic, ...) is set by XeLaTeX with Latin Modern and, for Chinese, Fandol
fonts from TeX Live (``sheet.tex.j2``). A ``lang: zh`` sheet is always XeLaTeX.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from typing import Any, Literal

Engine = Literal["pdflatex", "xelatex"]

# Code points above ASCII that pdfLaTeX sets in a sheet (found by asking LaTeX, with the
# sheet's preamble, which of U+00A0..U+FFFF it has a definition for: \u8:<char>).
PDFTEX_RANGES: tuple[tuple[int, int], ...] = (
    (0x00A0, 0x0125),
    (0x0128, 0x0137),
    (0x0139, 0x013E),
    (0x0141, 0x0148),
    (0x014A, 0x0165),
    (0x0168, 0x017E),
    (0x0192, 0x0192),
    (0x01C4, 0x01D4),
    (0x01E2, 0x01E3),
    (0x01E6, 0x01EB),
    (0x01F0, 0x01F0),
    (0x01F4, 0x01F5),
    (0x0218, 0x021B),
    (0x0232, 0x0233),
    (0x0237, 0x0237),
    (0x02C6, 0x02C7),
    (0x02D8, 0x02D9),
    (0x02DB, 0x02DD),
    (0x0393, 0x0394),
    (0x0398, 0x0398),
    (0x039B, 0x039B),
    (0x039E, 0x039E),
    (0x03A0, 0x03A0),
    (0x03A3, 0x03A3),
    (0x03A6, 0x03A6),
    (0x03A8, 0x03A9),
    (0x03B1, 0x03BE),
    (0x03C0, 0x03C1),
    (0x03C3, 0x03C9),
    (0x03D5, 0x03D5),
    (0x0E3F, 0x0E3F),
    (0x1E02, 0x1E03),
    (0x1E0D, 0x1E0D),
    (0x1E1E, 0x1E21),
    (0x1E25, 0x1E25),
    (0x1E30, 0x1E31),
    (0x1E37, 0x1E37),
    (0x1E43, 0x1E43),
    (0x1E45, 0x1E45),
    (0x1E47, 0x1E47),
    (0x1E5B, 0x1E5B),
    (0x1E63, 0x1E63),
    (0x1E6D, 0x1E6D),
    (0x1E8E, 0x1E91),
    (0x1E9E, 0x1E9E),
    (0x1EF2, 0x1EF3),
    (0x200C, 0x200C),
    (0x2010, 0x2016),
    (0x2018, 0x201A),
    (0x201C, 0x201E),
    (0x2020, 0x2022),
    (0x2026, 0x2026),
    (0x2030, 0x2031),
    (0x2039, 0x203B),
    (0x203D, 0x203D),
    (0x2044, 0x2044),
    (0x204E, 0x204E),
    (0x2052, 0x2052),
    (0x20A1, 0x20A1),
    (0x20A4, 0x20A4),
    (0x20A6, 0x20A6),
    (0x20A9, 0x20A9),
    (0x20AB, 0x20AC),
    (0x20B1, 0x20B1),
    (0x2103, 0x2103),
    (0x2116, 0x2117),
    (0x211E, 0x211E),
    (0x2120, 0x2120),
    (0x2122, 0x2122),
    (0x2126, 0x2127),
    (0x212E, 0x212E),
    (0x2190, 0x2193),
    (0x2202, 0x2202),
    (0x2207, 0x2208),
    (0x2211, 0x2211),
    (0x2218, 0x2218),
    (0x221E, 0x221E),
    (0x2248, 0x2248),
    (0x2260, 0x2260),
    (0x2264, 0x2265),
    (0x2297, 0x2297),
    (0x2299, 0x2299),
    (0x22A4, 0x22A4),
    (0x22C5, 0x22C5),
    (0x2329, 0x232A),
    (0x2422, 0x2423),
    (0x25E6, 0x25E6),
    (0x25EF, 0x25EF),
    (0x266A, 0x266A),
    (0x27E8, 0x27E9),
    (0x3008, 0x3009),
    (0xFB00, 0xFB06),
    (0xFEFF, 0xFEFF),
)
_STARTS = tuple(start for start, _ in PDFTEX_RANGES)


def pdftex_sets(char: str) -> bool:
    """Whether pdfLaTeX sets ``char`` in a sheet (ASCII, or declared for its encodings)."""
    code = ord(char)
    if code < 0x80:
        return True
    i = bisect.bisect_right(_STARTS, code) - 1
    return i >= 0 and code <= PDFTEX_RANGES[i][1]


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    """Every string in a context (mappings' values, lists, tuples), nested."""
    if isinstance(value, str):
        yield value
    elif depth > 50:
        return
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)


def sheet_engine(context: Mapping[str, Any]) -> Engine:
    """The engine for a sheet context: XeLaTeX for ``lang: zh`` or text pdfLaTeX cannot set."""
    if context.get("lang") == "zh":
        return "xelatex"
    for text in _strings(context):
        if not text.isascii() and not all(pdftex_sets(c) for c in set(text)):
            return "xelatex"
    return "pdflatex"
