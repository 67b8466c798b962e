"""How an identifier is typeset: alpha -> \\alpha, W_1 -> W_{1}, y_hat -> \\hat{y}."""

from __future__ import annotations

import re
from collections.abc import Callable

from gen.expr.ast import DimT
from gen.expr.dims import dim_factors

_LOWER_GREEK = (
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
    "varepsilon",
    "vartheta",
    "varpi",
    "varrho",
    "varsigma",
    "varphi",
)
_UPPER_GREEK = (
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
)
GREEK: dict[str, str] = {name: "\\" + name for name in _LOWER_GREEK + _UPPER_GREEK}
GREEK["lam"] = r"\lambda"  # 'lambda' is a Python keyword, so specs write 'lam'
GREEK["omicron"] = "o"
GREEK["ell"] = r"\ell"  # SPEC section 8: ell -> \ell (a length, a log-likelihood)

ACCENTS = ("hat", "bar", "tilde", "dot", "vec")

_LETTERS_DIGITS = re.compile(r"([A-Za-z]+?)([0-9]+)")


def latex_name(name: str, override: str | None = None, bold: bool = False) -> str:
    """The LaTeX of an identifier.

    Greek names become letters (``alpha`` -> ``\\alpha``, ``lam`` ->
    ``\\lambda``); a part ``hat``, ``bar``, ``tilde``, ``dot`` or ``vec``
    after an underscore puts that accent on the base; other parts after
    underscores, and digits that end the base, are subscripts (``W_1`` ->
    ``W_{1}``, ``x10`` -> ``x_{10}``, ``y_hat_1`` -> ``\\hat{y}_{1}``); a base
    of several letters that is not Greek is upright (``loss`` ->
    ``\\mathrm{loss}``).

    Args:
        name: An identifier of the spec syntax.
        override: The spec's ``latex`` for the name; used as is when given
            (in ``\\boldsymbol`` when ``bold``).
        bold: Typeset the base in bold (``\\boldsymbol{W}_{1}``, upright names in
            ``\\mathbf``), as a spec's ``style: {bold: true}`` asks for vectors
            and matrices; accents and subscripts stay as they are.

    Returns:
        The LaTeX of the name.
    """
    if override is not None:
        return r"\boldsymbol{" + override + "}" if bold else override
    parts = [part for part in name.split("_") if part]
    if not parts:
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    base, subscripts = parts[0], []
    split = _LETTERS_DIGITS.fullmatch(base)
    if split is not None and base not in GREEK:
        base = split.group(1)
        subscripts.append(split.group(2))
    tex = _base(base, bold)
    for part in parts[1:]:
        if part in ACCENTS:
            tex = f"\\{part}{{{tex}}}"
        else:
            subscripts.append(_subscript(part))
    if subscripts:
        tex += "_{" + ",".join(subscripts) + "}"
    return tex


def _base(base: str, bold: bool = False) -> str:
    """A base name: Greek, a single letter, or upright text (bold when asked)."""
    if base in GREEK or len(base) == 1:
        letter = GREEK.get(base, base)
        return r"\boldsymbol{" + letter + "}" if bold else letter
    return (r"\mathbf{" if bold else r"\mathrm{") + base + "}"


def _subscript(part: str) -> str:
    """One subscript: Greek, indices (``ij``, ``10``), or an upright word (``max``)."""
    if part in GREEK:
        return GREEK[part]
    if part.isalpha() and len(part) > 2:
        return r"\mathrm{" + part + "}"
    return part


def dim_latex(d: DimT, name: Callable[[str], str] | None = None) -> str:
    r"""The LaTeX of a size, a product of dimensions included.

    The integer coefficient comes first and a repeated name is a power:
    ``m*n`` -> ``mn``, ``2*n`` -> ``2n``, ``n*n`` -> ``n^{2}``; factors that are
    not single letters stand apart (``m n_{1}``), and beside an upright name
    a ``\cdot`` sets them apart (``k \cdot \mathrm{batch}``).

    Args:
        d: An integer, a dimension name, or a product in canonical form.
        name: The LaTeX of one dimension name; ``latex_name`` when None.

    Returns:
        The LaTeX of the size.
    """
    coefficient, names = dim_factors(d)
    if not names:
        return str(coefficient)
    typeset = name or latex_name
    parts = [] if coefficient == 1 else [str(coefficient)]
    for factor in dict.fromkeys(names):
        tex, count = typeset(factor), names.count(factor)
        if count > 1:
            base = f"{{{tex}}}" if "^" in tex or "'" in tex else tex
            tex = f"{base}^{{{count}}}"
        parts.append(tex)
    if len(parts) == 1:
        return parts[0]
    if all(len(part) == 1 or part.isdigit() for part in parts):
        return "".join(parts)
    if any(r"\mathrm" in part or r"\mathbf" in part or r"	ext" in part for part in parts):
        return r" \cdot ".join(parts)
    return " ".join(parts)
