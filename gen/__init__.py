"""gradsheet: matrix-calculus derivation sheets from YAML specs (the API: docs/api.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public names of gen.api, imported on first use so that `import gen` (and
# `gradsheet --version`) stays fast and loads neither numpy nor sympy.
__all__ = ["Derivation", "Sheet", "SpecError", "__version__", "load", "loads"]

if TYPE_CHECKING:
    from gen.api import Derivation, Sheet, load, loads
    from gen.errors import SpecError


def __getattr__(name: str) -> Any:
    """The API's names, imported from ``gen.api`` when first asked for."""
    if name in ("Derivation", "Sheet", "load", "loads"):
        from gen import api

        return getattr(api, name)
    if name == "SpecError":
        from gen.errors import SpecError

        return SpecError
    raise AttributeError(f"module 'gen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
