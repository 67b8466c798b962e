"""Real TeX runs: sample sheets to PDF, the sandbox, errors, timeouts, a missing TeX."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from gen.make import latexmk
from gen.make.latexmk import TEX_MISSING, compile_pdf, engine_for, find_tex
from gen.make.texlog import EXCERPT_LINES, log_excerpt
from gen.render.sheet import render_tex


def _pdf_text(pdf: Path) -> str:
    """The text of a PDF, by pdftotext."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def _document(folder: Path, name: str, body: str, preamble: str = "") -> Path:
    """A small English document ``folder/name`` around ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    return path


@pytest.fixture()
def secret(tmp_path) -> tuple[Path, str]:
    """A file outside the build folder, holding a marker TeX must not read."""
    marker = f"SECRET{uuid.uuid4().hex[:8]}"
    path = tmp_path / "secret.txt"
    path.write_text(marker + "\n")
    return path, marker


def _alive_with(word: str) -> list[str]:
    """Live (not zombie) processes whose command line mentions ``word``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if word in cmdline and state != "Z":
            found.append(f"{proc.name}: {cmdline}")
    return found


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Least-squares gradient",
                "Linear regression, section 2",
                "Notation",
                "Variables",
                "design matrix, one sample per row",
                "Layout: mixed",
                "product rule",
                "checked numerically at 5 points",
                "FAILED",
            ],
        ),
        (
            "zh",
            [
                "最小二乘的梯度",
                "线性回归，第二节",
                "记号",
                "变量",
                "设计矩阵，每行一个样本",
                "布局：混合布局",
                "乘积法则",
                "已在 5 个点上数值验证",
                "验证失败",
            ],
        ),
    ],
)
def test_sample_sheet_compiles(tex, tmp_path, sample_context, lang, words):
    sheet, _ = render_tex(sample_context(lang))
    path = tmp_path / "sample.tex"
    path.write_text(sheet, encoding="utf-8")
    result = compile_pdf(path, engine=engine_for(lang))
    assert result.ok, result.log_excerpt
    assert result.pdf == tmp_path / "sample.pdf" and result.pdf.is_file()
    assert result.log_excerpt == "" and result.log_path == tmp_path / "sample.log"
    log = result.log_path.read_text(errors="replace")
    assert "Overfull" not in log and "Missing character" not in log
    assert "write18 enabled" not in log
    text = " ".join(_pdf_text(result.pdf).split())
    for word in words:
        assert word in text
    if lang == "zh":
        for word in ("Notation", "Variables", "Layout", "checked", "FAILED", "Method"):
            assert word not in text


def test_long_notes_and_wide_steps_stay_within_the_margins(tex, tmp_path, sample_context):
    ctx = sample_context("en")
    steps = ctx["derivations"][0]["steps"]
    steps[0]["note"] = "a long explanation of this step, " * 6
    wide = r" + ".join([r"\left(X^{\top} z + \lambda w\right)^{\top} \mathrm{d} w"] * 3)
    steps.append({"lhs": "", "rhs": wide, "note": "a note beside a wide line of math"})
    ctx["derivations"][0]["text"] = "Commentary with λ ≤ α, ∂J/∂w → 0 & 100% {braces}. " * 4
    sheet, _ = render_tex(ctx)
    path = tmp_path / "long.tex"
    path.write_text(sheet)
    result = compile_pdf(path, engine="pdflatex")
    assert result.ok, result.log_excerpt
    assert "Overfull" not in result.log_path.read_text(errors="replace")
    assert "λ ≤ α, ∂J/∂w → 0 & 100% {braces}" in " ".join(_pdf_text(result.pdf).split())


def test_body_inputs_into_a_host_with_the_listed_packages(tex, tmp_path, sample_context):
    _, body = render_tex(sample_context("en"))
    (tmp_path / "ls.body.tex").write_text(body)
    host = _document(
        tmp_path,
        "host.tex",
        "\\section{Least squares}\n\\input{ls.body.tex}\n\\section{Again}\n\\input{ls.body.tex}",
        "\\usepackage{amsmath,amssymb,mathtools,booktabs}\n",
    )
    result = compile_pdf(host, engine="pdflatex")
    assert result.ok, result.log_excerpt
    assert _pdf_text(result.pdf).count("checked numerically at 5 points") == 4


def test_pdf_bytes_are_reproducible(tex, tmp_path, sample_context):
    sheet, _ = render_tex(sample_context("en"))
    pdfs = []
    for run in ("a", "b"):
        path = _document(tmp_path / run, "sample.tex", "")
        path.write_text(sheet)
        result = compile_pdf(path, engine="pdflatex")
        assert result.ok, result.log_excerpt
        pdfs.append(result.pdf.read_bytes())
    assert pdfs[0] == pdfs[1]


def test_input_outside_the_build_folder_is_refused(tex, tmp_path, secret):
    path, marker = secret
    for n, where in enumerate([str(path), "../secret.txt"]):
        doc = _document(tmp_path / f"build{n}", "leak.tex", f"start \\input{{{where}}} end")
        result = compile_pdf(doc, engine="pdflatex")
        if result.ok:
            assert marker not in _pdf_text(result.pdf)
        else:
            assert "leak.tex:3:" in result.log_excerpt or "not found" in result.log_excerpt


def test_openin_outside_the_build_folder_reads_nothing(tex, tmp_path, secret):
    path, marker = secret
    body = (
        f"\\immediate\\openin\\gsr={path}\n"
        "\\ifeof\\gsr NOTHING-READ\\else\\read\\gsr to\\gsline GOT:\\gsline\\fi"
    )
    doc = _document(tmp_path / "build", "peek.tex", body, "\\newread\\gsr\n")
    result = compile_pdf(doc, engine="xelatex")
    assert result.ok, result.log_excerpt
    text = _pdf_text(result.pdf)
    assert "NOTHING-READ" in text and marker not in text


def test_writing_outside_the_build_folder_fails(tex, tmp_path):
    target = tmp_path / "written.txt"
    body = f"\\immediate\\openout\\gsw={target}\n\\immediate\\write\\gsw{{x}}x"
    doc = _document(tmp_path / "build", "write.tex", body, "\\newwrite\\gsw\n")
    result = compile_pdf(doc, engine="pdflatex")
    assert not result.ok
    assert "write.tex:4:" in result.log_excerpt
    assert not target.exists()


def test_shell_escape_is_off(tex, tmp_path):
    body = "\\immediate\\write18{touch pwned}x"
    doc = _document(tmp_path / "build", "shell.tex", body)
    assert compile_pdf(doc, engine="pdflatex").ok
    assert not (tmp_path / "build" / "pwned").exists()


def test_an_error_names_the_line(tex, tmp_path):
    doc = _document(tmp_path, "bad.tex", "Hello\n\\undefinedmacro")
    result = compile_pdf(doc, engine="pdflatex")
    assert not result.ok and result.pdf is None
    lines = result.log_excerpt.splitlines()
    assert lines[0] == "bad.tex:4: Undefined control sequence."
    assert "\\undefinedmacro" in result.log_excerpt
    assert 2 <= len(lines) <= EXCERPT_LINES
    assert result.log_path == tmp_path / "bad.log"


def test_a_timeout_kills_every_process(tex, tmp_path):
    name = f"loop{uuid.uuid4().hex[:8]}"
    doc = tmp_path / f"{name}.tex"
    doc.write_text("\\def\\x{\\x}\\x\n")
    start = time.monotonic()
    result = compile_pdf(doc, engine="pdflatex", timeout=2)
    assert time.monotonic() - start < 30
    assert not result.ok and result.pdf is None
    assert "timed out after 2 s" in result.log_excerpt
    assert _alive_with(name) == []


def test_missing_tex_names_the_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(latexmk.shutil, "which", lambda name: None)
    assert find_tex("pdflatex") is None and find_tex("xelatex") is None
    doc = _document(tmp_path, "x.tex", "x")
    result = compile_pdf(doc, engine="xelatex")
    assert result == latexmk.CompileResult(False, None, TEX_MISSING, None)
    assert "texlive-latex-base" in TEX_MISSING and "texlive-lang-chinese" in TEX_MISSING


def test_find_tex_needs_the_engine(monkeypatch):
    monkeypatch.setattr(
        latexmk.shutil, "which", lambda name: None if name == "xelatex" else f"/bin/{name}"
    )
    assert find_tex("pdflatex") == "/bin/pdflatex"
    assert find_tex("xelatex") is None


def test_compile_pdf_refuses_unknown_engines_and_missing_files(tmp_path):
    with pytest.raises(ValueError):
        compile_pdf(tmp_path / "x.tex", engine="lualatex")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        compile_pdf(tmp_path / "missing.tex", engine="pdflatex")


def test_engine_for():
    assert engine_for("en") == "pdflatex" and engine_for("zh") == "xelatex"


def test_the_command_turns_shell_escape_off_and_stops_at_errors():
    cmd = latexmk.latexmk_command("latexmk", "xelatex", "a.tex")
    assert cmd[:4] == ["latexmk", "-norc", "-e", "$xelatex = q/xelatex -no-shell-escape %O %S/"]
    for flag in ("-xelatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error"):
        assert flag in cmd
    assert cmd[-1] == "a.tex"
    for fmt in (None, "gsfmt"):
        cmd = latexmk._engine_command("/usr/bin/pdflatex", "a.tex", fmt)
        assert cmd[:2] == ["/usr/bin/pdflatex", "-no-shell-escape"]
        for flag in ("-interaction=nonstopmode", "-halt-on-error", "-file-line-error"):
            assert flag in cmd
        assert not any("shell-escape" in c and c != "-no-shell-escape" for c in cmd)
        assert ("-fmt=gsfmt" in cmd) == (fmt is not None) and cmd[-1] == "a.tex"


def test_the_environment_is_paranoid(monkeypatch):
    monkeypatch.setenv("TEXMFOUTPUT", "/tmp")
    monkeypatch.setenv("openin_any", "a")
    env = latexmk._environment()
    assert env["openin_any"] == "p" and env["openout_any"] == "p"
    assert "TEXMFOUTPUT" not in env
    assert os.environ["TEXMFOUTPUT"] == "/tmp"


def test_log_excerpt_takes_the_first_error_and_a_few_lines():
    log = "\n".join(
        [
            "(./a.tex",
            "LaTeX Font Info: something on input line 3.",
            "./a.tex:7: Undefined control sequence.",
            "l.7 \\foo",
            "",
            "more",
            "and more",
            "./a.tex:9: Another error.",
        ]
    )
    assert log_excerpt(log) == "a.tex:7: Undefined control sequence.\nl.7 \\foo\n\nmore\nand more"
    assert log_excerpt("! LaTeX Error: File `x.sty' not found.\n\nType X") == (
        "! LaTeX Error: File `x.sty' not found.\n\nType X"
    )
    assert log_excerpt("all good\n") == ""
