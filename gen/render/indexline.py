"""The printer of entry-by-entry lines (``gen.derive.indexline``) in a sheet's style."""

from __future__ import annotations

from gen.derive.indexline import (
    Delta,
    DerivativeEntry,
    Entry,
    EntryDerivative,
    Factor,
    Group,
    Index,
    IndexLine,
    Term,
)
from gen.expr.to_latex import to_latex
from gen.render.style import Typeset

THIN = r"\,"  # between the factors of a product


def index_line_latex(line: IndexLine, ts: Typeset) -> str:
    r"""One line as LaTeX, e.g. ``\sum_{k} P_{ki}\,\left(\frac{\partial z}{\partial Y}\right)_{k}``.

    Entries are never bold (``W_{ij}``, not a bold W's entry); a derivative entry is the
    sheet's own fraction; the transpose mark is the sheet's.
    """
    return ts.formula(_terms(line.terms, ts))


def _terms(terms: tuple[Term, ...], ts: Typeset) -> str:
    """The terms with their signs: ``a - b + c``."""
    out = []
    for i, term in enumerate(terms):
        sign = "-" if term.negative else ("+" if i else "")
        body = _term(term, ts)
        out.append(f"{sign} {body}" if sign else body)
    return " ".join(out)


def _term(term: Term, ts: Typeset) -> str:
    """``\\sum_{k,l} f\\,g\\left(...\\right)``: the sum, then the factors (no thin space
    before a bracketed group)."""
    text = ""
    for i, factor in enumerate(term.factors):
        if i and not isinstance(factor, Group):
            text += THIN
        text += _factor(factor, ts)
    if term.summed:
        return rf"\sum_{{{','.join(term.summed)}}} {text}"
    return text


def _factor(factor: Factor, ts: Typeset) -> str:
    if isinstance(factor, Entry):
        return _entry(factor, ts)
    if isinstance(factor, Delta):
        return rf"\delta_{{{factor.first}{factor.second}}}"
    if isinstance(factor, DerivativeEntry):
        return _subscript(ts.derivative(factor.of, factor.wrt), factor.index)
    if isinstance(factor, EntryDerivative):
        return (
            rf"\frac{{\partial {_entry(factor.top, ts)}}}"
            rf"{{\partial {_entry(factor.bottom, ts)}}}"
        )
    return rf"\left({_terms(factor.terms, ts)}\right)"


def _entry(entry: Entry, ts: Typeset) -> str:
    """``A_{ki}`` for a plain name, ``\\left(A B\\right)_{ki}`` otherwise (or when bracketed)."""
    tex = to_latex(entry.of, ts.plain)
    simple = tex.replace("\\", "").isalpha() or len(tex) == 1
    if simple and "_" not in tex and "^" not in tex and not entry.bracketed:
        return f"{tex}_{{{''.join(entry.index)}}}"
    return _subscript(tex, entry.index)


def _subscript(tex: str, index: Index) -> str:
    """``\\left(tex\\right)_{index}``."""
    return rf"\left({tex}\right)_{{{''.join(index)}}}"
