"""Running latexmk: the only subprocess of gradsheet, sandboxed and with a timeout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gen.make.texlog import TexWarning, error_context, first_error, log_excerpt, tail, tex_warnings

Engine = Literal["pdflatex", "xelatex"]

ENGINES: dict[str, Engine] = {"en": "pdflatex", "zh": "xelatex"}
TEX_MISSING = (
    "TeX not found: install the Debian packages texlive-latex-base texlive-latex-recommended "
    "texlive-fonts-recommended latexmk (and texlive-xetex texlive-lang-chinese for lang: zh)"
)

_LIVE: set[subprocess.Popen[bytes]] = set()  # latexmk runs in progress, for kill_all
_LIVE_LOCK = threading.Lock()
_STOPPED = threading.Event()  # set by stop_runs: no new run may start
STOPPED_MESSAGE = "TeX was not run: the build was stopped"


@dataclass(frozen=True)
class CompileResult:
    """What a TeX run gave.

    Attributes:
        ok: True when latexmk succeeded and the PDF exists.
        pdf: The PDF, next to the ``.tex`` file, when ``ok``.
        log_excerpt: On failure, the first error of the log and the lines after it
            (or why TeX could not run); empty on success.
        log_path: The TeX log, when the run wrote one.
        line: The line of the ``.tex`` file where the first error stands, if known.
        message: TeX's one-line message for that error (``Undefined control sequence.``).
        before: The text of that line up to where TeX stopped (its end, at least).
        warnings: Overfull boxes, LaTeX warnings and missing characters, in log order.
    """

    ok: bool
    pdf: Path | None
    log_excerpt: str
    log_path: Path | None
    line: int | None = None
    message: str = ""
    warnings: tuple[TexWarning, ...] = field(default=())
    before: str = ""


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


def allow_runs() -> None:
    """Let TeX runs start again (after ``stop_runs``)."""
    _STOPPED.clear()


def stop_runs() -> int:
    """Refuse new TeX runs and kill those in progress; return how many were killed."""
    _STOPPED.set()
    return kill_all()


def kill_all() -> int:
    """Kill every latexmk run in progress with its whole process group; return how many."""
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        _kill(proc)
    return len(procs)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest file a TeX run may write (log, PDF, aux)


def limit_file_size(pid: int, limit: int | None = None) -> None:
    """Stop process ``pid`` and what it starts from writing a file past ``limit`` bytes.

    A TeX run that writes without end (a loop in a template) fills neither the
    disk nor the memory: past the limit the kernel ends it (SIGXFSZ), so its
    log, which is also all it prints, stays bounded. Best effort: set just
    after the start, before latexmk starts TeX.
    """
    try:
        import resource

        size = MAX_FILE_BYTES if limit is None else limit
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (size, size))
    except (ImportError, OSError, ValueError, AttributeError):
        pass


def compile_pdf(tex_path: Path, *, engine: Engine, timeout: float = 120) -> CompileResult:
    """Typeset ``tex_path`` to a PDF beside it with latexmk.

    The run happens in the ``.tex`` file's own folder (its working and output
    directory), which should be a private staging folder: TeX may read and
    write only there, shell escape is off, stdin is closed, and on timeout
    (or when the caller is interrupted, or ``kill_all`` is called) the whole
    process group is killed.

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
    if _STOPPED.is_set():
        return CompileResult(False, None, STOPPED_MESSAGE, None)
    proc = subprocess.Popen(
        _command(latexmk, engine, tex_path.name),
        cwd=workdir,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    limit_file_size(proc.pid)
    with _LIVE_LOCK:
        _LIVE.add(proc)
    if _STOPPED.is_set():  # stop_runs came between the check and the start
        _kill(proc)
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        message = f"TeX timed out after {timeout:g} s: latexmk and {engine} were killed"
        return CompileResult(False, None, message, log_path if log_path.is_file() else None)
    except BaseException:  # interrupted: no TeX may outlive the build
        _kill(proc)
        proc.wait()
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(proc)
        if proc.stdout is not None:
            proc.stdout.close()
    text = output.decode("utf-8", errors="replace")
    log = log_path.read_text("utf-8", errors="replace") if log_path.is_file() else ""
    warnings = tex_warnings(log)
    if proc.returncode == 0 and pdf.is_file():
        return CompileResult(True, pdf, "", log_path if log else None, warnings=warnings)
    excerpt = log_excerpt(log) or tail(text) or f"latexmk exited with status {proc.returncode}"
    if proc.returncode < 0:
        excerpt = f"TeX was killed (signal {-proc.returncode})"
    if len(log) >= MAX_FILE_BYTES // 2 and log_path.stat().st_size >= MAX_FILE_BYTES:
        excerpt = f"TeX was stopped: it wrote a file of {MAX_FILE_BYTES // 1024 // 1024} MB"
    line, message = first_error(log, tex_path.name)
    return CompileResult(False, None, excerpt, log_path if log_path.is_file() else None,
                         line, message, warnings, error_context(log))
