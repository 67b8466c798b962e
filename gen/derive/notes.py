"""Why a step holds: a note names a rule (its words live in the message catalogue).

The formula of a rule is mathematics, the same in every language, so it is
kept here, as LaTeX for the sheet and as plain text for the JSON note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from gen.expr.functions import FUNCTIONS


@dataclass(frozen=True)
class Note:
    """A rule applied in a step: ``key`` into the catalogue (``note.<key>``) and its subjects."""

    key: str
    names: tuple[str, ...] = ()  # the names it speaks of, e.g. the differentials substituted
    layout: str = ""  # for a read-off: the layout in force


# key: (LaTeX, plain text). A key without a formula is words alone. The rules of the
# operators are here; those of the functions come from their rows of the function table.
_OPERATORS: dict[str, tuple[str, str]] = {
    "sum": (r"\mathrm{d}(A + B) = \mathrm{d}A + \mathrm{d}B", "d(A + B) = dA + dB"),
    "product": (r"\mathrm{d}(AB) = \mathrm{d}A\,B + A\,\mathrm{d}B", "d(AB) = dA B + A dB"),
    "transpose": (r"\mathrm{d}(A^{\top}) = (\mathrm{d}A)^{\top}", "d(A') = (dA)'"),
    "hadamard": (r"\mathrm{d}(A \odot B) = \mathrm{d}A \odot B + A \odot \mathrm{d}B",
                 "d(A .* B) = dA .* B + A .* dB"),
    "divide": (r"\mathrm{d}\frac{A}{c} = \frac{\mathrm{d}A}{c} - \frac{A\,\mathrm{d}c}{c^{2}}",
               "d(A/c) = dA/c - A dc/c^2"),
    "power": (r"\mathrm{d}(x^{k}) = k x^{k-1}\,\mathrm{d}x", "d(x^k) = k x^(k-1) dx"),
    "adjoint_rule": (r"\mathrm{d}z = \operatorname{tr}(G^{\top}A\,\mathrm{d}W) = "
                     r"\operatorname{tr}((A^{\top}G)^{\top}\mathrm{d}W)",
                     "dz = tr(G' A dW) = tr((A' G)' dW)"),
    "vec_form": (r"\operatorname{vec}(ABC) = (C^{\top} \otimes A)\operatorname{vec}B,\ "
                 r"\operatorname{vec}(A^{\top}) = K\operatorname{vec}A",
                 "vec(ABC) = (C' kron A) vec(B), vec(A') = K vec(A)"),
    "trace_form": (r"a = \operatorname{tr}a,\ \operatorname{tr}(AB) = \operatorname{tr}(BA)",
                   "a = tr(a), tr(AB) = tr(BA)"),
}


def _formulas() -> Mapping[str, tuple[str, str]]:
    """The operators' formulas and the functions' (one per note key)."""
    found = dict(_OPERATORS)
    for row in FUNCTIONS.values():
        if row.note is not None and row.formula is not None:
            if found.setdefault(row.note, row.formula) != row.formula:
                raise ValueError(f"two formulas for the note '{row.note}'")
    return MappingProxyType(found)


FORMULAS = _formulas()

# Rules too plain to mention beside a more telling one.
QUIET = frozenset({"scale", "transpose", "neg", "sum"})


def telling(keys: list[str]) -> tuple[Note, ...]:
    """The notes worth printing among the rules applied, in order, each once."""
    seen = list(dict.fromkeys(keys))
    loud = [k for k in seen if k not in QUIET]
    return tuple(Note(k) for k in (loud or seen[:1] or ["constant"]))
