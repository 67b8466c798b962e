"""Math characters that prose may hold (Greek letters, arrows, relations) and their commands."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# character -> the math command that typesets it
MATH_CHARACTERS: Mapping[str, str] = MappingProxyType({
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "ϕ": "phi",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    "∂": "partial", "∇": "nabla", "∈": "in", "∑": "sum", "∞": "infty", "≤": "leq",
    "≥": "geq", "≠": "neq", "≈": "approx", "→": "to", "←": "leftarrow", "⊤": "top",
    "⊗": "otimes", "∘": "circ", "⋅": "cdot", "×": "times", "⊙": "odot",
})

# More math characters prose may hold, typeset as math by the ``tex`` filter only (the
# sheet's own LaTeX never types them, so the preamble does not declare them).
PROSE_MATH: Mapping[str, str] = MappingProxyType({
    "∫": "int", "∬": "iint", "∮": "oint", "∏": "prod", "√": "surd", "∓": "mp",
    "∀": "forall", "∃": "exists", "∄": "nexists", "∅": "emptyset", "∉": "notin", "∋": "ni",
    "∖": "setminus", "∗": "ast", "∝": "propto", "∠": "angle", "∣": "mid", "∥": "parallel",
    "∧": "wedge", "∨": "vee", "∩": "cap", "∪": "cup", "∴": "therefore", "∵": "because",
    "∼": "sim", "≃": "simeq", "≅": "cong", "≡": "equiv", "≪": "ll", "≫": "gg",
    "⊂": "subset", "⊃": "supset", "⊆": "subseteq", "⊇": "supseteq", "⊊": "subsetneq",
    "⊕": "oplus", "⊖": "ominus", "⊘": "oslash", "⊥": "perp", "⋆": "star", "⋯": "cdots",
    "⋮": "vdots", "⋱": "ddots", "↔": "leftrightarrow", "⇒": "Rightarrow",
    "⇐": "Leftarrow", "⇔": "Leftrightarrow", "↦": "mapsto", "⟹": "Longrightarrow",
    "⟺": "Longleftrightarrow", "ℓ": "ell", "ℏ": "hbar", "ℵ": "aleph", "℘": "wp",
    "ℜ": "Re", "ℑ": "Im", "ℝ": "mathbb{R}", "ℕ": "mathbb{N}", "ℤ": "mathbb{Z}",
    "ℚ": "mathbb{Q}", "ℂ": "mathbb{C}", "ϵ": "epsilon",
    "ϑ": "vartheta", "ϱ": "varrho", "ς": "varsigma", "Υ": "Upsilon", "∆": "Delta",
    "≺": "prec", "≻": "succ", "≼": "preceq", "≽": "succeq", "⊢": "vdash", "⊨": "models",
})


def code_points() -> dict[str, str]:
    """The same table by code point (``"03B1": "alpha"``), for TeX's own declarations."""
    return {f"{ord(char):04X}": name for char, name in MATH_CHARACTERS.items()}
