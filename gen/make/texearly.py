"""A TeX run started before its sheet exists, so that the engine loads while Python derives.

The start of TeX (the engine, its format) does not depend on the sheet, and a
cold build of one sheet would otherwise wait for it after all of Python's work.
So a build starts, before it imports the calculus, the engine its first spec
most likely needs (``likely_engine``): pdfLaTeX from the newest checked format
of ``OUT/.gradsheet/formats`` (an earlier sheet's preamble), or XeLaTeX. The run
lives in a private folder of the build, under the sandbox of every TeX run
(``gen.make.latexmk``), and waits on its standard input for its first line:
the name of the file to typeset (as ``pdflatex NAME.tex`` reads it from its
command line, so that the log and the PDF are the same).

The first sheet typeset takes it (``EarlyRun.first_run``) when it fits: the same
engine and, for pdfLaTeX, the very format the sheet's preamble keys to. Its
result counts only when TeX succeeded; a misfit kills it, and a failure is
typeset again as without it, so the outputs and the messages do not change.
Its standard input is a pipe: should the build die, TeX reads end of file and
stops; ``close`` kills a run no sheet took.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gen.make import latexmk, texformat
from gen.make.latexmk import Engine
from gen.make.outputs import read_head

CLOSE_WAIT = 1.0  # seconds ``close`` waits for the starting thread
MAX_SPEC_BYTES = 1024 * 1024  # read to guess the engine (the loader refuses larger specs)
_CHINESE = re.compile(r"^lang:[ \t]*[\"']?zh\b", re.M)
_NAME = re.compile(r"[A-Za-z0-9_-]+\.tex")  # a file name TeX reads as its first line


def likely_engine(spec: Path) -> Engine:
    """The engine a spec's sheet most likely needs: XeLaTeX for ``lang: zh`` or CJK text."""
    try:  # a regular file only: a FIFO in its place must not block the build
        text = read_head(spec, MAX_SPEC_BYTES, follow=True).decode("utf-8", errors="replace")
    except OSError:
        return "pdflatex"
    if _CHINESE.search(text) or any(ord(c) >= 0x2E80 for c in text if not c.isascii()):
        return "xelatex"
    return "pdflatex"


@dataclass(frozen=True)
class FirstRun:
    """The early run's result for a sheet: where it ran, its format, status and output."""

    workdir: Path
    fmt: str | None
    status: int | None
    output: str


class EarlyRun:
    """An engine started in ``workdir``, waiting for the name of the sheet to typeset.

    It is prepared and started in a thread of its own (checking a format reads
    and hashes it), so the caller goes on at once.
    """

    def __init__(self, workdir: Path, engine: Engine, formats: Path | None) -> None:
        """Start ``engine`` in ``workdir`` (a new folder), from ``formats`` for pdfLaTeX."""
        self.workdir = workdir
        self.engine: Engine = engine
        self.formats = formats
        self.key: str | None = None  # the key of the format it loads (pdfLaTeX)
        self.fmt: str | None = None
        self.engine_path: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.used = False  # taken by a sheet, or closed
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._start, name="tex-early", daemon=True)
        self.thread.start()

    def _start(self) -> None:
        try:
            self._begin()
        except Exception:  # noqa: BLE001 - no early run: TeX runs as it would without it
            self.proc = None

    def _begin(self) -> None:
        engine_path = latexmk.find_tex(self.engine)
        if engine_path is None:
            return
        self.workdir.mkdir()
        if self.engine == "pdflatex":
            newest = None if self.formats is None else texformat.newest_format(self.formats)
            if newest is None:
                return
            self.key, data = newest
            self.fmt = texformat.install(self.workdir, data)
        command = latexmk._engine_command(engine_path, None, self.fmt)
        with self.lock:
            if not self.used:
                self.engine_path = engine_path
                self.proc = latexmk.spawn(command, self.workdir, stdin=subprocess.PIPE)

    def first_run(
        self, tex_path: Path, engine: Engine, engine_path: str, deadline: float
    ) -> FirstRun | None:
        """Typeset ``tex_path`` with this run, once, when it fits and succeeds; else None.

        A run that does not fit is killed; a run that fails (or is stopped, or
        times out) is given up, and the caller typesets the sheet itself.
        """
        self.thread.join(max(0.0, deadline - time.monotonic()))
        with self.lock:
            proc, taken = self.proc, self.used
            self.used = True
        if proc is None or taken:
            return None
        if proc.poll() is not None or not self._fits(tex_path, engine, engine_path):
            latexmk.forget(proc)
            return None
        try:
            shutil.copyfile(tex_path, self.workdir / tex_path.name)
            assert proc.stdin is not None
            proc.stdin.write(f"{tex_path.name}\n".encode("ascii"))
            proc.stdin.flush()  # ``latexmk.wait`` closes it: TeX then reads nothing more
        except OSError:  # it ended meanwhile (a closed pipe)
            latexmk.forget(proc)
            return None
        status, output = latexmk.wait(proc, deadline - time.monotonic())
        if status != 0:
            return None
        return FirstRun(self.workdir, self.fmt, status, output.replace("**", "", 1))

    def _fits(self, tex_path: Path, engine: Engine, engine_path: str) -> bool:
        """Whether this run is the one ``tex_path`` needs: engine and format."""
        if engine != self.engine or engine_path != self.engine_path:
            return False
        if not _NAME.fullmatch(tex_path.name):
            return False
        if self.key is None:
            return engine != "pdflatex"
        text = texformat.preamble(tex_path.read_text("utf-8", errors="surrogateescape"))
        return text is not None and texformat.format_key(text, engine_path) == self.key

    def close(self) -> None:
        """Kill the run unless a sheet took it (the build is over, or was stopped)."""
        with self.lock:
            proc = None if self.used else self.proc
            self.used = True
        if proc is not None:
            latexmk.forget(proc)
        self.thread.join(CLOSE_WAIT)  # it reads and copies one file at most; never stuck


def start(workdir: Path, spec: Path, formats: Path | None) -> EarlyRun:
    """Start, in ``workdir``, the engine ``spec`` most likely needs (see the module's text)."""
    return EarlyRun(workdir, likely_engine(spec), formats)
