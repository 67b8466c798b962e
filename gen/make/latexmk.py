"""Running TeX: the only subprocess of gradsheet, sandboxed, with a timeout, rerun as needed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from gen.make import texformat
from gen.make.texlog import TexWarning, error_context, first_error, log_excerpt, tail, tex_warnings

if TYPE_CHECKING:
    from gen.make.texearly import EarlyRun

Engine = Literal["pdflatex", "xelatex"]

ENGINES: dict[str, Engine] = {"en": "pdflatex", "zh": "xelatex"}
TEX_MISSING = (
    "TeX not found: install the Debian packages texlive-latex-base texlive-latex-recommended "
    "texlive-fonts-recommended (and texlive-xetex texlive-lang-chinese for lang: zh)"
)

_LIVE: set[subprocess.Popen[bytes]] = set()  # TeX runs in progress, for kill_all
_LIVE_LOCK = threading.Lock()
_STOPPED = threading.Event()  # set by stop_runs: no new run may start
STOPPED_MESSAGE = "TeX was not run: the build was stopped"
MAX_RUNS = 4  # as latexmk: enough for references that settle
_RERUN = re.compile(
    r"Rerun to get|Label\(s\) may have changed|Table widths have changed|"
    r"Rerun LaTeX|Please rerun LaTeX"
)
_NO_FILE = re.compile(r"^No file ([\w.-]+)\.$", re.M)


@dataclass(frozen=True)
class CompileResult:
    """What a TeX run gave.

    Attributes:
        ok: True when TeX succeeded and the PDF exists.
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
    """The path of ``engine`` (``pdflatex``, ``xelatex``) when it is on the PATH, else None."""
    return shutil.which(engine)


def latexmk_command(latexmk: str, engine: Engine, tex_name: str) -> list[str]:
    """The bare latexmk command line (the benchmark's reference; gradsheet runs TeX itself):
    no rc files, no shell escape, stop at the first error."""
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
    """Kill every TeX run in progress with its whole process group; return how many."""
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


def _run(command: list[str], workdir: Path, timeout: float) -> tuple[int | None, str]:
    """Run one TeX command in ``workdir`` under the sandbox: its exit status and output.

    The status is None when the run timed out (its process group was killed) or
    could not start because the build was stopped; stdin is closed, the run is
    in its own process group, and an interrupted caller kills it.
    """
    proc = spawn(command, workdir)
    if proc is None:
        return None, STOPPED_MESSAGE
    return wait(proc, timeout)


def spawn(
    command: list[str], workdir: Path, *, stdin: int = subprocess.DEVNULL
) -> subprocess.Popen[bytes] | None:
    """Start one TeX command in ``workdir`` under the sandbox; None when the build was stopped.

    The run is in its own process group, bounded in what it writes, and known to
    ``kill_all``; the caller must ``wait`` for it.
    """
    if _STOPPED.is_set():
        return None
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env=_environment(),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    limit_file_size(proc.pid)
    with _LIVE_LOCK:
        _LIVE.add(proc)
    if _STOPPED.is_set():  # stop_runs came between the check and the start
        _kill(proc)
    return proc


def wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, str]:
    """The exit status and output of a ``spawn``-ed run; None when it took over ``timeout`` s.

    On timeout, or when the caller is interrupted, its process group is killed.
    """
    try:
        output, _ = proc.communicate(timeout=max(timeout, 0.01))
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        return None, ""
    except BaseException:  # interrupted: no TeX may outlive the build
        _kill(proc)
        proc.wait()
        raise
    finally:
        _release(proc)
    return proc.returncode, output.decode("utf-8", errors="replace")


def forget(proc: subprocess.Popen[bytes]) -> None:
    """Kill a ``spawn``-ed run that is not wanted, and reap it."""
    _kill(proc)
    try:
        proc.communicate()
    except (OSError, ValueError):
        proc.wait()
    finally:
        _release(proc)


def _release(proc: subprocess.Popen[bytes]) -> None:
    """A finished run is no longer live; its pipes are closed."""
    with _LIVE_LOCK:
        _LIVE.discard(proc)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()


def _engine_command(engine_path: str, tex_name: str | None, fmt: str | None) -> list[str]:
    """One TeX run: no shell escape, stop at the first error, errors as ``file:line:``.

    Without ``tex_name`` the engine reads the name of its file, as its first
    line, from standard input (``gen.make.texearly``)."""
    command = [
        engine_path,
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
    ]
    if fmt is not None:
        command.append(f"-fmt={fmt}")
    return command if tex_name is None else [*command, tex_name]


def needs_rerun(log: str, workdir: Path) -> bool:
    """Whether a TeX run asked for another one (labels, table widths, a list it wrote).

    LaTeX says so in its log for cross-references and ``longtable`` widths; a
    table of contents (or any list) that was missing (``No file sheet.toc.``)
    and now exists needs one more run too.
    """
    if _RERUN.search(log):
        return True
    return any(
        (workdir / name).is_file() for name in _NO_FILE.findall(log) if not name.endswith(".aux")
    )


def compile_pdf(
    tex_path: Path,
    *,
    engine: Engine,
    timeout: float = 120,
    formats: Path | None = None,
    early: EarlyRun | None = None,
) -> CompileResult:
    """Typeset ``tex_path`` to a PDF beside it.

    The engine runs directly, as often as the document asks (once for a
    sheet; again for cross-references, ``longtable`` widths or a table of
    contents, at most ``MAX_RUNS`` times). With ``formats`` (a format cache,
    see ``gen.make.texformat``), a pdfLaTeX document loads its preamble from a
    dumped format, made once per preamble.

    The run happens in the ``.tex`` file's own folder (its working and output
    directory), which should be a private staging folder: TeX may read and
    write only there, shell escape is off, stdin is closed, and on timeout
    (or when the caller is interrupted, or ``kill_all`` is called) the whole
    process group is killed.

    Args:
        tex_path: The ``.tex`` file to typeset.
        engine: ``"pdflatex"`` or ``"xelatex"`` (see ``engine_for``).
        timeout: Seconds before TeX is killed (for all runs together).
        formats: The folder of dumped formats, or None to run without one.
        early: A run started before the sheet existed (``gen.make.texearly``): the
            first run, when it fits this sheet (its engine, its format) and succeeds;
            otherwise it is killed and this function runs TeX itself, as without it.

    Returns:
        The outcome; never raises for a TeX failure, a missing TeX or a timeout.

    Raises:
        ValueError: ``engine`` is not one gradsheet supports.
        FileNotFoundError: ``tex_path`` does not exist.
    """
    if engine not in ENGINES.values():
        raise ValueError(f"unsupported TeX engine {engine!r}")
    tex_path = Path(tex_path).resolve(strict=True)
    engine_path = find_tex(engine)
    if engine_path is None:
        return CompileResult(False, None, TEX_MISSING, None)
    if _STOPPED.is_set():
        return CompileResult(False, None, STOPPED_MESSAGE, None)
    deadline = time.monotonic() + timeout
    workdir = tex_path.parent
    log_path = workdir / f"{tex_path.stem}.log"
    pdf = workdir / f"{tex_path.stem}.pdf"

    def run(command: list[str], folder: Path) -> bool:
        return _run(command, folder, deadline - time.monotonic())[0] == 0

    fmt = None
    first = None if early is None else early.first_run(tex_path, engine, engine_path, deadline)
    if first is not None:  # typeset by the early run, in its own folder, from its format
        workdir, fmt = first.workdir, first.fmt
        log_path, pdf = workdir / log_path.name, workdir / pdf.name
    elif engine == "pdflatex" and formats is not None:
        made = texformat.ready_format(tex_path, formats, engine_path, run, deadline)
        fmt = made.name if made is not None else None
    status: int | None = None
    text = log = ""
    for attempt in range(MAX_RUNS):
        if attempt == 0 and first is not None:
            status, text = first.status, first.output
        else:
            status, text = _run(
                _engine_command(engine_path, tex_path.name, fmt),
                workdir,
                deadline - time.monotonic(),
            )
        log = log_path.read_text("utf-8", errors="replace") if log_path.is_file() else ""
        if status != 0 or not needs_rerun(log, workdir):
            break
    if status is None:
        if text == STOPPED_MESSAGE:
            return CompileResult(False, None, STOPPED_MESSAGE, None)
        message = f"TeX timed out after {timeout:g} s: {engine} was killed"
        return CompileResult(False, None, message, log_path if log_path.is_file() else None)
    warnings = tex_warnings(log)
    if status == 0 and pdf.is_file():
        return CompileResult(True, pdf, "", log_path if log else None, warnings=warnings)
    excerpt = log_excerpt(log) or tail(text) or f"{engine} exited with status {status}"
    if status < 0:
        excerpt = f"TeX was killed (signal {-status})"
    if (
        len(log) >= MAX_FILE_BYTES // 2
        and log_path.is_file()
        and log_path.stat().st_size >= MAX_FILE_BYTES
    ):
        excerpt = f"TeX was stopped: it wrote a file of {MAX_FILE_BYTES // 1024 // 1024} MB"
    line, message = first_error(log, tex_path.name)
    return CompileResult(
        False,
        None,
        excerpt,
        log_path if log_path.is_file() else None,
        line,
        message,
        warnings,
        error_context(log),
    )
