"""What a build was asked to do, and what became of each spec (light: no heavy imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from gen.errors import GenError
from gen.make.formats import DEFAULT_FORMATS, typesets
from gen.spec.model import Defaults

DEFAULT_TIMEOUT = 120.0
BOOKLET_TIMEOUT = 600.0  # a book takes several TeX runs (contents, longtables)


class Status(str, Enum):
    """What became of a spec (``Outcome.status``); the value is how it is printed."""

    CHECKED = "checked"  # derived and verified, nothing written (gradsheet check)
    BUILT = "built"  # outputs promoted
    CURRENT = "up to date"  # nothing to do: inputs unchanged since the last build
    NO_TEX = "no TeX"  # .tex and .json promoted, no PDF: TeX is not installed
    FAILED = "failed"  # nothing promoted; the previous outputs stay as they were

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class BuildOptions:
    """The options of one build.

    Attributes:
        out_dir: The output folder.
        pdf: Whether to run TeX (False: ``--dry-run``, ``--no-pdf``).
        templates: ``--templates``: a template folder for every spec.
        force: Rebuild even the specs whose inputs did not change.
        strict: Warnings fail the spec.
        jobs: How many TeX runs at once.
        timeout: Seconds allowed to each TeX run and to each derivation.
        formats: ``--to``: the formats to write (gen/make/formats.py), in its order.
        defaults: The layout and language of a spec that does not say (gradsheet.toml).
        heading: The sectioning command of NAME.body.tex's headings (``--heading``).
    """

    out_dir: Path
    pdf: bool = True
    templates: Path | None = None
    force: bool = False
    strict: bool = False
    jobs: int = 1
    timeout: float = DEFAULT_TIMEOUT
    formats: tuple[str, ...] = DEFAULT_FORMATS
    defaults: Defaults = Defaults()
    heading: str = "subsection"

    @property
    def settings(self) -> tuple[str, ...]:
        """The settings other than the spec that shape the outputs (part of the cache key)."""
        return (
            f"layout={self.defaults.layout.value}",
            f"lang={self.defaults.lang}",
            f"heading={self.heading}",
        )

    @property
    def typesets(self) -> bool:
        """Whether this build runs TeX: a format made by TeX is asked for, and ``pdf`` is on."""
        return self.pdf and typesets(self.formats)


@dataclass
class Outcome:
    """What became of one spec.

    Attributes:
        path: The spec file, as given.
        name: Its output name.
        ok: False when the spec failed (errors, failed checks, TeX errors, or
            warnings under ``--strict``).
        errors: Its errors, each located.
        results: The results object of SPEC section 6.
        written: The output files written (unchanged files are not rewritten).
        warnings: Its warnings, each located.
        status: What became of it.
        internal: True when an error was a bug of gradsheet itself.
        seconds: How long the spec took.
    """

    path: str
    name: str
    ok: bool
    errors: list[GenError] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    warnings: list[GenError] = field(default_factory=list)
    status: Status = Status.CHECKED
    internal: bool = False
    seconds: float = 0.0

    def fail(self, *errors: GenError) -> Outcome:
        """Mark the spec failed with ``errors``; return it."""
        self.ok = False
        self.status = Status.FAILED
        self.errors.extend(errors)
        if self.results:
            self.results["ok"] = False
            self.results["errors"] = [e.to_json() for e in self.errors]
        return self
