"""LaTeX math of the view model as MathML (by latex2mathml), each formula with a text alternative.

The view model's math is standard LaTeX but for gradsheet's own macros of
``templates/macros.tex.j2``; ``standard_latex`` expands those (in this one
place) before latex2mathml converts. The text alternative is read off the
MathML latex2mathml returns: its tokens in order, fractions, powers and
subscripts written linearly (``∂J/∂w = X^⊤ z``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import MappingProxyType

from latex2mathml.converter import convert

from gen.render.mathchars import MATH_CHARACTERS, PROSE_MATH
from gen.render.sheet import escape_tex

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# gradsheet's macros that appear in the view model's math, as standard LaTeX.
MACROS = MappingProxyType(
    {
        "gsbreak": "",  # a place where a long right-hand side may break
        "gsbreakin": "",  # the same, inside brackets
        "gsbreakop": "",  # before a top-level Hadamard product or division
        "gsbreakinop": "",  # the same, inside brackets
        "gsbreakdeep": "",  # before any of those, inside two or more pairs of brackets
        "gsbreakmul": "",  # between two factors of a product
        "gscheck": r"\checkmark",
    }
)
_MACRO_RE = re.compile(r"\\(" + "|".join(sorted(MACROS, key=len, reverse=True)) + r")(?![A-Za-z])")
# \mathrm{d}: latex2mathml gives a plain <mi>d</mi>, which a browser slants like a variable.
_UPRIGHT_RE = re.compile(r"\\mathrm\{([A-Za-z]+)\}")

# Prose as escape_tex wrote it -> the characters (escape_tex is a fixed table: its inverse).
_PROSE_CHARS = "\\{}$&#^_%~<>|" + "".join(PROSE_MATH) + "".join(MATH_CHARACTERS)
_UNESCAPE = MappingProxyType({escape_tex(c): c for c in _PROSE_CHARS})
_UNESCAPE_RE = re.compile("|".join(re.escape(e) for e in sorted(_UNESCAPE, key=len, reverse=True)))
_INLINE_MATH_RE = re.compile(r"\\\((.*?)\\\)", re.S)

# How the text alternative writes a MathML layout element around its parts.
_TEXT_FORMS = MappingProxyType(
    {
        "mfrac": "{0}/{1}",
        "msup": "{0}^{1}",
        "msub": "{0}_{1}",
        "msubsup": "{0}_{1}^{2}",
        "msqrt": "√{0}",
        "mroot": "{1}√{0}",
    }
)
_NO_SPACE_AFTER = tuple("([{∂ ")
_NO_SPACE_BEFORE = ")]},;^_⊤ "
_BRACES = "\u23df\u23de"  # an under- or overbrace: its label is a shape, said in brackets


def standard_latex(latex: str) -> str:
    """``latex`` with gradsheet's own macros expanded to standard LaTeX."""
    return _MACRO_RE.sub(lambda m: MACROS[m.group(1)], latex)


def _for_mathml(latex: str) -> str:
    r"""Standard LaTeX as latex2mathml reads it best (``\mathrm{d}`` upright as text)."""
    return _UPRIGHT_RE.sub(r"\\text{\1}", standard_latex(latex))


def math_element(latex: str, *, display: bool = False, alt: str | None = None) -> str:
    """One ``<math>`` element for ``latex``, with ``alttext`` (``alt``, else read off).

    Args:
        latex: Math as the view model holds it.
        display: A display formula (a block) rather than one in the text.
        alt: The text alternative; the MathML's tokens read linearly when None.

    Returns:
        The MathML, safe to put into HTML as is.
    """
    mathml = convert(_for_mathml(latex), display="block" if display else "inline")
    root = ET.fromstring(mathml)
    for mo in root.iter(f"{{{MATHML_NS}}}mo"):
        if (mo.text or "") in _BRACES:  # a brace under a term stretches to its width
            mo.set("stretchy", "true")
    text = alt if alt is not None else spoken(root)
    root.set("alttext", text)
    root.set("aria-label", text)
    ET.register_namespace("", MATHML_NS)
    out = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return out.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "", 1)


def text_alternative(latex: str) -> str:
    """The text alternative of a formula, e.g. ``∂J/∂w = X^⊤ z``."""
    return spoken(ET.fromstring(convert(_for_mathml(latex))))


def spoken(element: ET.Element) -> str:
    """The formula as a line of text: its tokens in order, layouts written linearly."""
    tag = element.tag.rsplit("}", 1)[-1]
    parts = [spoken(child) for child in element]
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        text = (element.text or "").replace("\u00a0", " ")
        return f" {text} " if tag == "mo" and text in "=+−-×∈" and text else text
    if tag == "mspace":
        return " "
    if tag in ("munder", "mover") and len(parts) == 2:
        if parts[1].strip() in _BRACES:
            return parts[0]
        if parts[0].strip() and any(b in "".join(element.itertext()) for b in _BRACES):
            return f"{parts[0]} ({_squeeze(parts[1])})"
        return f"{parts[0]}{parts[1]}"
    if tag in _TEXT_FORMS and len(parts) >= _TEXT_FORMS[tag].count("{"):
        return _TEXT_FORMS[tag].format(*(_grouped(p) for p in parts))
    if tag == "mtr":
        return ", ".join(parts)
    if tag == "mtable":
        return "; ".join(parts)
    joined = _joined([_squeeze(p) for p in parts])
    return _squeeze(joined) if tag == "math" else joined


def _joined(parts: list[str]) -> str:
    """The parts of a row, a space between two unless a bracket or a prefix stands between."""
    out = ""
    for part in parts:
        if not part:
            continue
        glued = out.endswith(_NO_SPACE_AFTER) or out == "d" or out.endswith(" d")  # dJ
        if out and not glued and part[0] not in _NO_SPACE_BEFORE:
            out += " "
        out += part
    return out


def _grouped(text: str) -> str:
    """A part of a fraction or power, bracketed when it is more than one token."""
    text = _squeeze(text)
    if all(len(token) == 1 and token.isalnum() for token in text.split()):  # i j -> ij
        text = text.replace(" ", "")
    return f"({text})" if " " in text else text


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def prose_parts(note: str) -> list[tuple[str, str]]:
    r"""A note of the view model (escaped prose with ``\(...\)`` math) as its parts.

    Returns:
        ``("text", words)`` and ``("math", latex)`` pairs in order; the words
        as plain characters again.
    """
    out: list[tuple[str, str]] = []
    at = 0
    for m in _INLINE_MATH_RE.finditer(note):
        if m.start() > at:
            out.append(("text", unescape_tex(note[at : m.start()])))
        out.append(("math", m.group(1)))
        at = m.end()
    if at < len(note):
        out.append(("text", unescape_tex(note[at:])))
    return out


def unescape_tex(text: str) -> str:
    """The inverse of ``gen.render.sheet.escape_tex`` (its fixed table read backwards)."""
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPE[m.group(0)], text)
