"""Telling the user what happens: a progress bar on a terminal, plain lines elsewhere.

Nothing here calls print: every line goes to the stream the command line
hands over (standard error), through ``safe`` so that no control character
from a file name or a spec reaches the terminal.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import TextIO

from gen.errors import GenError, InternalError
from gen.make.options import Outcome, Status
from gen.make.specs import shown_path

MAX_ERRORS = 20  # per spec; the rest are counted
_UNSAFE = re.compile(
    "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]"
)


def safe(text: str) -> str:
    """``text`` with control and bidirectional characters (newlines and tabs aside) as U+FFFD."""
    return _UNSAFE.sub("\ufffd", text)


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


class Reporter:
    """Reports a run of many specs: errors and warnings always, the rest by verbosity.

    Args:
        stream: Where to write (standard error).
        verbosity: 0 (``-q``: errors and warnings only), 1 (default), 2 (``-v``).
        bar: Draw a progress bar (on a terminal) instead of a line per spec.
        out_dir: The output folder (None for ``check``), to name the PDFs.
        pdf: Whether the build makes PDFs.
        formats: The formats the build writes (``--to``), to name what it wrote.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        verbosity: int = 1,
        bar: bool = False,
        out_dir: Path | None = None,
        pdf: bool = True,
        formats: tuple[str, ...] = ("pdf", "body", "json"),
    ) -> None:
        self.stream: TextIO | None = stream
        self.verbosity = verbosity
        self.bar = bar and verbosity > 0
        self.out_dir = out_dir
        self.pdf = pdf
        self.formats = formats
        self.total = 0
        self.finished = 0
        self.active: dict[str, str] = {}  # spec name -> its stage, for the bar
        self.start = time.monotonic()
        self.drawn = False

    # -- the run -----------------------------------------------------------------

    def begin(self, total: int) -> None:
        """A run of ``total`` specs starts."""
        self.total, self.finished, self.start = total, 0, time.monotonic()
        self._draw()

    def working(self, name: str, stage: str) -> None:
        """Spec ``name`` enters ``stage`` (``deriving``, ``typesetting``)."""
        self.active[name] = stage
        if self.verbosity >= 2 and not self.bar:
            self.line(f"{stage} {name}")
        self._draw()

    def done(self, outcome: Outcome) -> None:
        """A spec is finished: its errors and warnings, then a line by verbosity."""
        self.finished += 1
        self.active.pop(outcome.name, None)
        for warning in outcome.warnings:
            self.line(str(warning))
        shown = outcome.errors[:MAX_ERRORS]
        for err in shown:
            self.line(str(err))
            if isinstance(err, InternalError) and self.verbosity >= 2 and err.detail:
                self.line(err.detail.rstrip())
        if len(outcome.errors) > len(shown):
            self.line(f"... and {plural(len(outcome.errors) - len(shown), 'more error')}")
        summary = self._summary(outcome)
        if summary is not None:
            self.line(summary)
        self._draw()

    def end(self, outcomes: list[Outcome]) -> None:
        """The closing line: how many specs did what, and how long it took."""
        self._clear()
        if self.verbosity == 0 or not outcomes:
            return
        counts: dict[Status, int] = {}
        for outcome in outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        labels = {
            Status.BUILT: "built",
            Status.CHECKED: "checked",
            Status.NO_TEX: "written without PDF (no TeX)",
            Status.CURRENT: "up to date",
            Status.FAILED: "failed",
        }
        parts = [f"{counts[s]} {label}" for s, label in labels.items() if counts.get(s)]
        seconds = time.monotonic() - self.start
        self.line(f"gradsheet: {', '.join(parts)} ({seconds:.1f} s)")

    # -- output ------------------------------------------------------------------

    def line(self, text: str) -> None:
        """Write one message (it may span lines), above the bar."""
        self._clear()
        self._write(safe(text) + "\n")

    def _write(self, text: str) -> None:
        """Write, unless the stream is gone (a closed pipe must not stop a build)."""
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.stream = None

    def errors(self, errors: list[GenError]) -> None:
        """Write errors that belong to no spec (usage errors)."""
        for err in errors:
            self.line(str(err))

    def _summary(self, outcome: Outcome) -> str | None:
        path = shown_path(outcome.path)
        if outcome.status is Status.FAILED:
            count = plural(len(outcome.errors), "error")
            return f"failed {path} ({count})"
        if self.verbosity == 0:
            return None
        if outcome.status is Status.CURRENT:
            return f"up to date: {path}" if self.verbosity >= 2 else None
        if self.bar and self.verbosity < 2:
            return None
        took = f" ({outcome.seconds:.2f} s)" if self.verbosity >= 2 else ""
        if outcome.status is Status.CHECKED:
            return f"checked {path}{took}"
        if self.out_dir is None:
            return f"{outcome.status.value} {path}{took}"
        if outcome.status is Status.NO_TEX:
            return f"wrote {self.out_dir / (outcome.name + '.tex')} and .json, no PDF{took}"
        first, *more = self.documents(outcome.name)
        also = "".join(f", {name}" for name in more)
        return f"built {path} -> {self.out_dir / first}{also}{took}"

    def documents(self, name: str) -> list[str]:
        """The files a reader opens among those the build writes for ``name``: one per
        format (``.pdf``, or ``.tex`` without TeX); the companions ``.body.tex`` and
        ``.json`` only when nothing else is written."""
        tex = "pdf" if self.pdf else "tex"
        main = {
            "pdf": f".{tex}",
            "slides": f".slides.{tex}",
            "handout": f".handout.{tex}",
            "exercise": f".exercise.{tex}",
            "html": ".html",
            "md": ".md",
        }
        chosen = [main[f] for f in self.formats if f in main]
        if not chosen:
            chosen = [".body.tex" if f == "body" else f".{f}" for f in self.formats]
        return [name + suffix for suffix in chosen or [f".{tex}"]]

    def _draw(self) -> None:
        if not self.bar or self.total == 0:
            return
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        cells = 20
        full = cells * self.finished // self.total
        bar = "#" * full + "-" * (cells - full)
        stages: dict[str, list[str]] = {}
        for name, stage in self.active.items():
            stages.setdefault(stage, []).append(name)
        doing = "; ".join(f"{stage} {', '.join(names)}" for stage, names in stages.items())
        text = f"[{bar}] {self.finished}/{self.total} {doing}"
        self._write("\r\x1b[2K" + safe(text)[:width])
        self.drawn = True

    def _clear(self) -> None:
        if self.drawn:
            self._write("\r\x1b[2K")
            self.drawn = False
