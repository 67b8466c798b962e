"""The formula of each rule a note names: LaTeX for the sheet, plain text for the JSON.

The formula of a rule is mathematics, the same in every language, so it is kept
here and not in the message catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gen.expr.functions import FUNCTIONS

# key: (LaTeX, plain text). A key without a formula is words alone. The rules of the
# operators are here; those of the functions come from their rows of the function table.
_OPERATORS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "sum": (r"\mathrm{d}(A + B) = \mathrm{d}A + \mathrm{d}B", "d(A + B) = dA + dB"),
        "product": (r"\mathrm{d}(AB) = \mathrm{d}A\,B + A\,\mathrm{d}B", "d(AB) = dA B + A dB"),
        "transpose": (r"\mathrm{d}(A^{\top}) = (\mathrm{d}A)^{\top}", "d(A') = (dA)'"),
        "hadamard": (
            r"\mathrm{d}(A \odot B) = \mathrm{d}A \odot B + A \odot \mathrm{d}B",
            "d(A .* B) = dA .* B + A .* dB",
        ),
        "divide": (
            r"\mathrm{d}\frac{A}{c} = \frac{\mathrm{d}A}{c} - \frac{A\,\mathrm{d}c}{c^{2}}",
            "d(A/c) = dA/c - A dc/c^2",
        ),
        "power": (r"\mathrm{d}(x^{k}) = k x^{k-1}\,\mathrm{d}x", "d(x^k) = k x^(k-1) dx"),
        "adjoint_rule": (
            r"\mathrm{d}z = \operatorname{tr}(G^{\top}A\,\mathrm{d}W) = "
            r"\operatorname{tr}((A^{\top}G)^{\top}\mathrm{d}W)",
            "dz = tr(G' A dW) = tr((A' G)' dW)",
        ),
        "adjoint_entrywise": (
            r"Y = f(A):\ G_{A} = G_{Y} \odot f'(A)",
            "Y = f(A): G_A = G_Y .* f'(A)",
        ),
        "adjoint_hadamard": (
            r"Y = A \odot B:\ G_{A} = G_{Y} \odot B",
            "Y = A .* B: G_A = G_Y .* B",
        ),
        "adjoint_sum": (
            r"Y = A + B:\ G_{A} = G_{Y}",
            "Y = A + B: G_A = G_Y",
        ),
        "vec_form": (
            r"\operatorname{vec}(ABC) = (C^{\top} \otimes A)\operatorname{vec}B,\ "
            r"\operatorname{vec}(A^{\top}) = K\operatorname{vec}A",
            "vec(ABC) = (C' kron A) vec(B), vec(A') = K vec(A)",
        ),
        "trace_form": (
            r"a = \operatorname{tr}a,\ \operatorname{tr}(AB) = \operatorname{tr}(BA)",
            "a = tr(a), tr(AB) = tr(BA)",
        ),
    }
)


def _formulas() -> Mapping[str, tuple[str, str]]:
    """The operators' formulas and the functions' (one per note key)."""
    found = dict(_OPERATORS)
    for row in FUNCTIONS.values():
        if row.note is not None and row.formula is not None:
            if found.setdefault(row.note, row.formula) != row.formula:
                raise ValueError(f"two formulas for the note '{row.note}'")
    return MappingProxyType(found)


FORMULAS = _formulas()
