"""Running latexmk: the only subprocess of gradsheet, sandboxed and with a timeout."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Engine = Literal["pdflatex", "xelatex"]

ENGINES: dict[str, Engine] = {"en": "pdflatex", "zh": "xelatex"}
TEX_MISSING = (
    "TeX not found: install texlive-latex-base texlive-latex-recommended "
    "texlive-fonts-recommended latexmk (and texlive-xetex texlive-lang-chinese for lang: zh)"
)
EXCERPT_LINES = 5
_FILE_LINE_ERROR = re.compile(r"^(?:\./)?([^\s:][^:]*):(\d+): ")


@dataclass(frozen=True)
class CompileResult:
    """What a TeX run gave.

    Attributes:
        ok: True when latexmk succeeded and the PDF exists.
        pdf: The PDF, next to the ``.tex`` file, when ``ok``.
        log_excerpt: On failure, the first error of the log and the lines after it
            (or why TeX could not run); empty on success.
        log_path: The TeX log, when the run wrote one.
    """

    ok: bool
    pdf: Path | None
    log_excerpt: str
    log_path: Path | None


def engine_for(lang: str) -> Engine:
    """The engine a sheet in ``lang`` needs: pdfLaTeX for English, XeLaTeX for Chinese."""
    return ENGINES.get(lang, "pdflatex")


def find_tex(engine: Engine = "pdflatex") -> str | None:
    """The path of latexmk when both latexmk and ``engine`` are on the PATH, else None."""
    latexmk = shutil.which("latexmk")
    if latexmk is None or shutil.which(engine) is None:
        return None
    return latexmk


def _command(latexmk: str, engine: Engine, tex_name: str) -> list[str]:
    """The latexmk command line: no rc files, no shell escape, stop at the first error."""
    mode = "-pdf" if engine == "pdflatex" else "-xelatex"
    return [
        latexmk,
        "-norc",
        "-e",
        f"${engine} = q/{engine} -no-shell-escape %O %S/",
        mode,
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        "-outdir=.",
        tex_name,
    ]


def _environment() -> dict[str, str]:
    """The TeX environment: reads and writes only below the build folder.

    ``openin_any=p`` and ``openout_any=p`` forbid absolute paths, ``..`` and
    dot files; ``TEXMFOUTPUT`` would open another writable place, so it goes.
    A fixed ``SOURCE_DATE_EPOCH`` (unless the caller set one) makes the PDF
    bytes reproducible, so unchanged sheets are not rewritten.
    """
    env = dict(os.environ)
    env.pop("TEXMFOUTPUT", None)
    env.update(openin_any="p", openout_any="p", max_print_line="1000")
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    env.setdefault("FORCE_SOURCE_DATE", "1")
    return env


def _is_error(row: str) -> bool:
    """Whether a log line starts a TeX error."""
    return row.startswith("! ") or _FILE_LINE_ERROR.match(row) is not None


def log_excerpt(log: str, lines: int = EXCERPT_LINES) -> str:
    """The first error of a TeX log (``file:line: error`` or ``! error``) and what follows.

    Args:
        log: The text of a TeX log written with ``-file-line-error``.
        lines: How many lines to keep, the error line included.

    Returns:
        The excerpt, with a leading ``./`` dropped from the file name; empty
        when the log shows no error.
    """
    rows = log.splitlines()
    start = next((i for i, row in enumerate(rows) if _is_error(row)), None)
    if start is None:
        return ""
    chosen = rows[start : start + lines]
    chosen[0] = chosen[0].removeprefix("./")
    return "\n".join(row.rstrip() for row in chosen).rstrip()


def _tail(text: str, lines: int = 10) -> str:
    """The last non-blank lines of ``text``."""
    rows = [row.rstrip() for row in text.splitlines() if row.strip()]
    return "\n".join(rows[-lines:])


def compile_pdf(tex_path: Path, *, engine: Engine, timeout: float = 120) -> CompileResult:
    """Typeset ``tex_path`` to a PDF beside it with latexmk.

    The run happens in the ``.tex`` file's own folder (its working and output
    directory), which should be a private staging folder: TeX may read and
    write only there, shell escape is off, stdin is closed, and on timeout
    the whole process group is killed.

    Args:
        tex_path: The ``.tex`` file to typeset.
        engine: ``"pdflatex"`` or ``"xelatex"`` (see ``engine_for``).
        timeout: Seconds before latexmk and TeX are killed.

    Returns:
        The outcome; never raises for a TeX failure, a missing TeX or a timeout.

    Raises:
        ValueError: ``engine`` is not one gradsheet supports.
        FileNotFoundError: ``tex_path`` does not exist.
    """
    if engine not in ENGINES.values():
        raise ValueError(f"unsupported TeX engine {engine!r}")
    tex_path = Path(tex_path).resolve(strict=True)
    latexmk = find_tex(engine)
    if latexmk is None:
        return CompileResult(False, None, TEX_MISSING, None)
    workdir = tex_path.parent
    log_path = workdir / f"{tex_path.stem}.log"
    pdf = workdir / f"{tex_path.stem}.pdf"
    with subprocess.Popen(
        _command(latexmk, engine, tex_path.name),
        cwd=workdir,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    ) as proc:
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            message = f"TeX timed out after {timeout:g} s: latexmk and {engine} were killed"
            return CompileResult(False, None, message, log_path if log_path.is_file() else None)
    text = output.decode("utf-8", errors="replace")
    log = log_path.read_text("utf-8", errors="replace") if log_path.is_file() else ""
    if proc.returncode == 0 and pdf.is_file():
        return CompileResult(True, pdf, "", log_path if log else None)
    excerpt = log_excerpt(log) or _tail(text) or f"latexmk exited with status {proc.returncode}"
    return CompileResult(False, None, excerpt, log_path if log_path.is_file() else None)
