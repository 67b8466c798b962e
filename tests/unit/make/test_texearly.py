"""TeX started early: used when it fits, the same PDF and messages, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gen.make import latexmk, texearly, texformat
from gen.make.latexmk import compile_pdf

PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath}\n"
DOC = PREAMBLE + "\\begin{document}\nHello $\\alpha + 1$ early.\n\\end{document}\n"
BROKEN = PREAMBLE + "\\begin{document}\nHello\n\\undefinedmacro\n\\end{document}\n"
CHINESE = "\\documentclass{article}\n\\usepackage{xeCJK}\n\\begin{document}\n你好 early.\n\\end{document}\n"


def _sheet(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sheet.tex"
    path.write_text(text, encoding="utf-8")
    return path


def _formats(tmp_path: Path, text: str = DOC) -> Path:
    """A format cache holding the format of ``text``'s preamble (made by two runs)."""
    formats = tmp_path / "formats"
    formats.mkdir(parents=True)
    for name in ("one", "two"):
        done = compile_pdf(_sheet(tmp_path / name, text), engine="pdflatex", formats=formats)
        assert done.ok, done.log_excerpt
    assert len(list(formats.glob("*.fmt"))) == 1
    return formats


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for good (its parent has not reaped it yet)
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][:1] != "Z"
    except OSError:
        return False


def _early(tmp_path: Path, engine: str, formats: Path | None) -> texearly.EarlyRun:
    early = texearly.EarlyRun(tmp_path / f"early-{engine}", engine, formats)  # type: ignore[arg-type]
    early.thread.join(30)
    return early


def test_the_engine_is_guessed_from_the_spec(tmp_path):
    english = tmp_path / "en.yaml"
    english.write_text("title: Least squares\nlang: en\n")
    chinese = tmp_path / "zh.yaml"
    chinese.write_text("title: x\nlang: 'zh'\n")
    cjk = tmp_path / "cjk.yaml"
    cjk.write_text("title: 最小二乘\n", encoding="utf-8")
    assert texearly.likely_engine(english) == "pdflatex"
    assert texearly.likely_engine(chinese) == "xelatex"
    assert texearly.likely_engine(cjk) == "xelatex"
    assert texearly.likely_engine(tmp_path / "missing.yaml") == "pdflatex"
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert texearly.likely_engine(fifo) == "pdflatex"  # never blocks on it


@pytest.mark.parametrize("engine", ["pdflatex", "xelatex"])
def test_an_early_run_that_fits_makes_the_very_same_pdf(tex, tmp_path, engine):
    text = DOC if engine == "pdflatex" else CHINESE
    formats = _formats(tmp_path, DOC)
    plain = compile_pdf(_sheet(tmp_path / "plain", text), engine=engine, formats=formats)
    early = _early(tmp_path, engine, formats)
    assert early.proc is not None and early.proc.poll() is None  # loaded, waiting for its sheet
    used = compile_pdf(_sheet(tmp_path / "used", text), engine=engine, formats=formats, early=early)
    assert plain.ok and used.ok
    assert used.pdf is not None and used.pdf.parent == early.workdir
    assert plain.pdf is not None and used.pdf.read_bytes() == plain.pdf.read_bytes()
    assert used.warnings == plain.warnings
    assert early.proc.returncode == 0
    early.close()  # taken: nothing to kill


def test_an_early_run_that_does_not_fit_is_killed_and_tex_runs_as_usual(tex, tmp_path):
    formats = _formats(tmp_path, DOC)
    other = DOC.replace("amsmath", "amssymb")  # another preamble: another format
    early = _early(tmp_path, "pdflatex", formats)
    proc = early.proc
    assert proc is not None
    done = compile_pdf(
        _sheet(tmp_path / "x", other), engine="pdflatex", formats=formats, early=early
    )
    assert done.ok and done.pdf is not None and done.pdf.parent == tmp_path / "x"
    assert proc.returncode is not None and not _alive(proc.pid)
    wrong_engine = _early(tmp_path, "xelatex", formats)
    assert wrong_engine.proc is not None
    done = compile_pdf(_sheet(tmp_path / "y", DOC), engine="pdflatex", early=wrong_engine)
    assert done.ok and wrong_engine.proc.returncode is not None


def test_a_failing_sheet_gets_the_messages_of_a_plain_run(tex, tmp_path):
    formats = _formats(tmp_path, DOC)
    plain = compile_pdf(_sheet(tmp_path / "plain", BROKEN), engine="pdflatex", formats=formats)
    early = _early(tmp_path, "pdflatex", formats)
    failed = compile_pdf(
        _sheet(tmp_path / "failed", BROKEN), engine="pdflatex", formats=formats, early=early
    )
    assert not plain.ok and not failed.ok
    assert (failed.line, failed.message, failed.log_excerpt) == (
        plain.line,
        plain.message,
        plain.log_excerpt,
    )
    assert failed.line == 5 and failed.log_path is not None
    assert failed.log_path.parent == tmp_path / "failed"  # typeset again, as without it


def test_no_format_in_the_cache_means_no_early_pdflatex(tex, tmp_path):
    empty = tmp_path / "formats"
    empty.mkdir()
    assert _early(tmp_path, "pdflatex", empty).proc is None
    formats = _formats(tmp_path / "damaged")
    record = next(formats.glob("*.json"))
    record.write_bytes(b"garbage")
    assert texformat.newest_format(formats) is None
    assert _early(tmp_path, "pdflatex", formats).proc is None


def test_close_kills_an_untaken_run_and_a_second_taker_gets_nothing(tex, tmp_path):
    early = _early(tmp_path, "xelatex", None)
    proc = early.proc
    assert proc is not None and proc.poll() is None
    early.close()
    assert proc.returncode is not None and not _alive(proc.pid)
    assert early.first_run(tmp_path / "x.tex", "xelatex", "xelatex", time.monotonic() + 5) is None


def test_a_stopped_build_kills_the_early_run(tex, tmp_path):
    early = _early(tmp_path, "xelatex", None)
    proc = early.proc
    assert proc is not None
    try:
        assert latexmk.stop_runs() >= 1
        proc.wait(10)
        assert not _alive(proc.pid)
        path = _sheet(tmp_path / "s", CHINESE)
        done = compile_pdf(path, engine="xelatex", early=early)
        assert not done.ok and done.log_excerpt == latexmk.STOPPED_MESSAGE
    finally:
        latexmk.allow_runs()
        early.close()


def test_an_early_run_ends_when_its_build_is_killed(tex, tmp_path):
    """SIGKILL leaves no cleanup: TeX reads end of file on its standard input and stops."""
    child = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from gen.make import texearly
        early = texearly.EarlyRun(Path({str(tmp_path / "early")!r}), "xelatex", None)
        early.thread.join(30)
        print(early.proc.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 20
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
