"""Reading TeX logs (first error, its line; warnings) and stopping TeX runs, without TeX."""

from __future__ import annotations

import subprocess
import sys

from gen.make import latexmk, texlog
from gen.make.texlog import TexWarning, first_error, tex_warnings

LOG = """\
This is pdfTeX, Version 3.141592653
(./sheet.tex
LaTeX2e <2022-11-01>
Overfull \\hbox (12.5pt too wide) in paragraph at lines 40--41
[]\\T1/lmr/m/n/10.95 long
Underfull \\hbox (badness 10000) in paragraph at lines 44--44
LaTeX Warning: Reference `eq:1' on page 1 undefined on input line 57.

LaTeX Font Warning: Font shape `T1/lmr/m/scit' undefined
Missing character: There is no ^^A in font cmr10!
./sheet.tex:63: Undefined control sequence.
l.63 \\foo
          bar
Here is how much of TeX's memory you used:
"""


def test_first_error_gives_the_line_of_the_main_file_and_the_message():
    assert first_error(LOG, "sheet.tex") == (63, "Undefined control sequence.")
    assert texlog.error_context(LOG) == "\\foo"
    assert texlog.error_context("l.7 ...ong line text") == "ong line text"


def test_first_error_in_another_file_has_no_line():
    log = "./other.sty:12: LaTeX Error: Something.\nl.12 x\n"
    assert first_error(log, "sheet.tex") == (None, "LaTeX Error: Something.")


def test_first_error_without_file_line_uses_the_context_line():
    log = "! Emergency stop.\n<*> sheet.tex\n\nl.9 \\end\n"
    assert first_error(log, "sheet.tex") == (9, "Emergency stop.")


def test_no_error_no_line():
    assert first_error("all good\n", "sheet.tex") == (None, "")


def test_warnings_keep_overfull_boxes_latex_warnings_and_missing_characters():
    assert tex_warnings(LOG) == (
        TexWarning("Overfull \\hbox (12.5pt too wide)", 40),
        TexWarning("Reference `eq:1' on page 1 undefined on input line 57", 57),
        TexWarning("Missing character: There is no ^^A in font cmr10"),
    )


def test_a_warning_spread_over_lines_is_read_whole():
    log = "LaTeX Warning: Label(s) may have changed. Rerun to get cross-references\nright.\n\n"
    assert tex_warnings(log) == (
        TexWarning("Label(s) may have changed. Rerun to get cross-references right"),
    )


def test_stop_runs_kills_a_registered_process_group_and_refuses_new_runs(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    try:
        with latexmk._LIVE_LOCK:
            latexmk._LIVE.add(proc)
        assert latexmk.stop_runs() == 1
        assert proc.wait(timeout=10) < 0
        (tmp_path / "a.tex").write_text("x")
        result = latexmk.compile_pdf(tmp_path / "a.tex", engine="pdflatex")
        assert not result.ok and result.log_excerpt in (
            latexmk.STOPPED_MESSAGE,
            latexmk.TEX_MISSING,
        )
    finally:
        with latexmk._LIVE_LOCK:
            latexmk._LIVE.discard(proc)
        latexmk.allow_runs()
        if proc.poll() is None:
            proc.kill()
    assert latexmk.kill_all() == 0
