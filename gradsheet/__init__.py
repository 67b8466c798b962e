"""``import gradsheet``: the Python API of gen under the project's name (docs/api.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gen import __version__

__all__ = ["Derivation", "Sheet", "SpecError", "__version__", "load", "loads"]

if TYPE_CHECKING:
    from gen.api import Derivation, Sheet, load, loads
    from gen.errors import SpecError


def __getattr__(name: str) -> Any:
    """The API's names, from ``gen`` (imported there on first use)."""
    if name in __all__:
        import gen

        return getattr(gen, name)
    raise AttributeError(f"module 'gradsheet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
