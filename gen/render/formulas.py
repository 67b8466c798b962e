"""The formula of each rule a note names: LaTeX for the sheet, plain text for the JSON.

The formula of a rule is mathematics, the same in every language, so it is kept
here and not in the message catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# key: (LaTeX, plain text). A key without a formula is words alone.
FORMULAS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "sum": (r"\mathrm{d}(A + B) = \mathrm{d}A + \mathrm{d}B", "d(A + B) = dA + dB"),
    "product": (r"\mathrm{d}(AB) = \mathrm{d}A\,B + A\,\mathrm{d}B", "d(AB) = dA B + A dB"),
    "transpose": (r"\mathrm{d}(A^{\top}) = (\mathrm{d}A)^{\top}", "d(A') = (dA)'"),
    "hadamard": (r"\mathrm{d}(A \odot B) = \mathrm{d}A \odot B + A \odot \mathrm{d}B",
                 "d(A .* B) = dA .* B + A .* dB"),
    "divide": (r"\mathrm{d}\frac{A}{c} = \frac{\mathrm{d}A}{c} - \frac{A\,\mathrm{d}c}{c^{2}}",
               "d(A/c) = dA/c - A dc/c^2"),
    "inverse": (r"\mathrm{d}(A^{-1}) = -A^{-1}\,\mathrm{d}A\,A^{-1}", "d(A^-1) = -A^-1 dA A^-1"),
    "trace": (r"\mathrm{d}\operatorname{tr}A = \operatorname{tr}\mathrm{d}A", "d tr(A) = tr(dA)"),
    "det": (r"\mathrm{d}\det A = \det A\,\operatorname{tr}(A^{-1}\mathrm{d}A)",
            "d det(A) = det(A) tr(A^-1 dA)"),
    "logdet": (r"\mathrm{d}\log\det A = \operatorname{tr}(A^{-1}\mathrm{d}A)",
               "d logdet(A) = tr(A^-1 dA)"),
    "power": (r"\mathrm{d}(x^{k}) = k x^{k-1}\,\mathrm{d}x", "d(x^k) = k x^(k-1) dx"),
    "entrywise": (r"\mathrm{d}f(A) = f'(A) \odot \mathrm{d}A", "d f(A) = f'(A) .* dA"),
    "norm": (r"\mathrm{d}\lVert x \rVert = \frac{x^{\top}\mathrm{d}x}{\lVert x \rVert}",
             "d norm2(x) = x' dx / norm2(x)"),
    "sumall": (r"\mathrm{d}\operatorname{sum}A = \operatorname{sum}\mathrm{d}A",
               "d sum(A) = sum(dA)"),
    "softmax": (r"\mathrm{d}s = (\operatorname{diag}(s) - s s^{\top})\,\mathrm{d}x",
                "d softmax(x) = (diag(s) - s s') dx"),
    "logsumexp": (r"\mathrm{d}\operatorname{logsumexp}x = \operatorname{softmax}(x)^{\top}"
                  r"\mathrm{d}x", "d logsumexp(x) = softmax(x)' dx"),
    "diag": (r"\mathrm{d}\operatorname{diag}(x) = \operatorname{diag}(\mathrm{d}x)",
             "d diag(x) = diag(dx)"),
    "adjoint_rule": (r"\mathrm{d}z = \operatorname{tr}(G^{\top}A\,\mathrm{d}W) = "
                     r"\operatorname{tr}((A^{\top}G)^{\top}\mathrm{d}W)",
                     "dz = tr(G' A dW) = tr((A' G)' dW)"),
    "kron": (r"\mathrm{d}(A \otimes B) = \mathrm{d}A \otimes B + A \otimes \mathrm{d}B",
             "d(A kron B) = dA kron B + A kron dB"),
    "vec": (r"\mathrm{d}\operatorname{vec}A = \operatorname{vec}\mathrm{d}A", "d vec(A) = vec(dA)"),
    "vec_form": (r"\operatorname{vec}(ABC) = (C^{\top} \otimes A)\operatorname{vec}B,\ "
                 r"\operatorname{vec}(A^{\top}) = K\operatorname{vec}A",
                 "vec(ABC) = (C' kron A) vec(B), vec(A') = K vec(A)"),
    "trace_form": (r"a = \operatorname{tr}a,\ \operatorname{tr}(AB) = \operatorname{tr}(BA)",
                   "a = tr(a), tr(AB) = tr(BA)"),
})
