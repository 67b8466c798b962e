"""What a run tells the user: plain lines off a terminal, a bar on one, -q and -v."""

from __future__ import annotations

import io
from pathlib import Path

from gen.cli.progress import MAX_ERRORS, Reporter, safe
from gen.errors import GenError, InternalError, Span
from gen.make.options import Outcome, Status

BUILT, CURRENT, FAILED, NO_TEX = Status.BUILT, Status.CURRENT, Status.FAILED, Status.NO_TEX

OUT = Path("out")


def outcome(status: Status, *, errors: int = 0, warnings: int = 0, name: str = "ls") -> Outcome:
    o = Outcome(f"specs/{name}.yaml", name, status != FAILED, status=status, seconds=1.25)
    o.errors = [GenError(f"bad {i}", Span(o.path, i + 1, 1)) for i in range(errors)]
    o.warnings = [
        GenError(f"odd {i}", Span(o.path, i + 1, 1), kind="warning") for i in range(warnings)
    ]
    return o


def run(*outcomes: Outcome, verbosity: int = 1, bar: bool = False, pdf: bool = True) -> str:
    stream = io.StringIO()
    reporter = Reporter(stream, verbosity=verbosity, bar=bar, out_dir=OUT, pdf=pdf)
    reporter.begin(len(outcomes))
    for o in outcomes:
        reporter.working(o.name, "deriving")
        reporter.done(o)
    reporter.end(list(outcomes))
    return stream.getvalue()


def without_time(text: str) -> str:
    return "\n".join(
        row.rsplit(" (", 1)[0] if row.startswith("gradsheet:") else row for row in text.splitlines()
    )


def test_plain_lines_by_default():
    text = run(outcome(BUILT), outcome(CURRENT, name="r"), outcome(FAILED, errors=2, name="b"))
    assert without_time(text) == "\n".join(
        [
            "built specs/ls.yaml -> out/ls.pdf",
            "specs/b.yaml:1:1: error: bad 0",
            "specs/b.yaml:2:1: error: bad 1",
            "failed specs/b.yaml (2 errors)",
            "gradsheet: 1 built, 1 up to date, 1 failed",
        ]
    )


def test_quiet_prints_errors_and_warnings_only():
    text = run(outcome(BUILT, warnings=1), outcome(FAILED, errors=1, name="b"), verbosity=0)
    assert text.splitlines() == [
        "specs/ls.yaml:1:1: warning: odd 0",
        "specs/b.yaml:1:1: error: bad 0",
        "failed specs/b.yaml (1 error)",
    ]


def test_verbose_names_every_stage_and_time():
    text = run(outcome(BUILT), outcome(CURRENT, name="r"), verbosity=2)
    assert "deriving ls" in text and "up to date: specs/r.yaml" in text
    assert "built specs/ls.yaml -> out/ls.pdf (1.25 s)" in text


def test_dry_run_and_no_tex_name_the_tex_file():
    assert "built specs/ls.yaml -> out/ls.tex" in run(outcome(BUILT), pdf=False)
    text = run(outcome(NO_TEX))
    assert "wrote out/ls.tex and .json, no PDF" in text
    assert "1 written without PDF (no TeX)" in text


def test_a_terminal_gets_a_bar_and_errors_above_it():
    text = run(outcome(BUILT), outcome(FAILED, errors=1, name="b"), bar=True)
    assert "\r\x1b[2K[----------" in text and "] 0/2 deriving ls" in text
    assert "[##########----------] 1/2" in text
    assert "\r\x1b[2Kspecs/b.yaml:1:1: error: bad 0\n" in text
    assert "built specs/ls.yaml" not in text  # the bar says it
    assert text.endswith("\n") and "gradsheet: 1 built, 1 failed" in text


def test_the_bar_names_what_each_stage_is_doing():
    stream = io.StringIO()
    reporter = Reporter(stream, bar=True, out_dir=OUT)
    reporter.begin(3)
    reporter.working("a", "typesetting")
    reporter.working("b", "typesetting")
    reporter.working("c", "deriving")
    assert stream.getvalue().endswith("] 0/3 typesetting a, b; deriving c")
    reporter.done(outcome(BUILT, name="a"))
    assert stream.getvalue().endswith("] 1/3 typesetting b; deriving c")


def test_at_most_twenty_errors_per_spec():
    text = run(outcome(FAILED, errors=MAX_ERRORS + 5))
    assert text.count("error: bad") == MAX_ERRORS
    assert "... and 5 more errors" in text


def test_internal_errors_show_their_traceback_with_v_only():
    o = outcome(FAILED)
    bug = InternalError("internal error while x", Span(o.path))
    bug.detail = "Traceback (most recent call last):\n  boom"
    o.errors = [bug]
    assert "Traceback" not in run(o)
    assert "Traceback (most recent call last):\n  boom" in run(o, verbosity=2)


def test_control_characters_never_reach_the_terminal():
    assert safe("a\x1b[31mb\u202ec\td\ne") == "a\ufffd[31mb\ufffdc\td\ne"
    o = outcome(FAILED, errors=1, name="x\x1b]0;pwned\x07")
    assert "\x1b]" not in run(o) and "\x07" not in run(o)


class Closed(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_a_closed_stream_does_not_stop_the_run():
    reporter = Reporter(Closed(), bar=True)
    reporter.begin(1)
    reporter.done(outcome(FAILED, errors=1))
    reporter.end([outcome(FAILED, errors=1)])
    assert reporter.stream is None


def test_a_build_names_the_files_of_the_formats_it_wrote():
    def built(formats: tuple[str, ...], pdf: bool = True) -> str:
        stream = io.StringIO()
        reporter = Reporter(stream, out_dir=OUT, pdf=pdf, formats=formats)
        reporter.done(outcome(BUILT))
        return stream.getvalue().strip()

    assert built(("html", "md")) == f"built specs/ls.yaml -> {OUT / 'ls.html'}, ls.md"
    assert built(("pdf", "body", "json", "slides")) == (
        f"built specs/ls.yaml -> {OUT / 'ls.pdf'}, ls.slides.pdf"
    )
    assert built(("slides", "exercise"), pdf=False) == (
        f"built specs/ls.yaml -> {OUT / 'ls.slides.tex'}, ls.exercise.tex"
    )
    assert built(("json",)) == f"built specs/ls.yaml -> {OUT / 'ls.json'}"
    assert built(("body", "json")) == f"built specs/ls.yaml -> {OUT / 'ls.body.tex'}, ls.json"
