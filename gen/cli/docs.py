"""``gradsheet docs [TOPIC]``: where the documentation shipped with gradsheet is, on this machine.

An installed wheel holds docs/*.md in the package ``gen.docs``; a checkout
holds them in ``docs/`` beside ``gen/``. ``gradsheet new`` and the schema
point here (no URL: a pip user has these files).
"""

from __future__ import annotations

from pathlib import Path

import gen
from gen.errors import GenError, Span

SPEC_DOC = "spec.md"


def docs_dir() -> Path:
    """The folder of the shipped documentation (installed or in the checkout).

    Raises:
        GenError: Neither place holds ``spec.md``.
    """
    package = Path(gen.__file__).resolve().parent
    for candidate in (package / "docs", package.parent / "docs"):
        if (candidate / SPEC_DOC).is_file():
            return candidate
    raise GenError(f"the documentation is not installed beside {package}")


def topics() -> list[str]:
    """The topics ``gradsheet docs`` knows: the names of the shipped pages."""
    return sorted(p.stem for p in docs_dir().glob("*.md"))


def doc_path(topic: str | None) -> Path:
    """The page of ``topic`` (``spec``, ``cli``, ``api``, ...), or the folder when None.

    Raises:
        GenError: No such page (the message lists the topics).
    """
    folder = docs_dir()
    if topic is None:
        return folder
    page = folder / f"{topic.removesuffix('.md')}.md"
    if not page.is_file():
        raise GenError(f"no page '{topic}'; the topics: {', '.join(topics())}", Span(None))
    return page
