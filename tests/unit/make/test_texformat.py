"""The dumped preamble format: keyed, rebuilt when its inputs change, never used when damaged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from gen.make import latexmk, texformat
from gen.make.latexmk import compile_pdf

PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath}\n"
DOC = PREAMBLE + "\\begin{document}\nHello $\\alpha + 1$ format.\n\\end{document}\n"


def _runner():
    def run(command: list[str], folder: Path) -> bool:
        return latexmk._run(command, folder, 60)[0] == 0

    return run


def _sheet(folder: Path, text: str = DOC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sheet.tex"
    path.write_text(text)
    return path


def _ready(tmp_path: Path, formats: Path, name: str, text: str = DOC, first: bool = False):
    """The format for a sheet (the preamble seen before, unless ``first``)."""
    engine = latexmk.find_tex("pdflatex")
    assert engine is not None
    if not first:
        key = texformat.format_key(texformat.preamble(text) or "", engine)
        (formats / f"{key}.seen").touch()
    return texformat.ready_format(
        _sheet(tmp_path / name, text), formats, engine, _runner(), time.monotonic() + 60
    )


def test_preamble_is_the_text_before_the_begin_document_line():
    assert texformat.preamble(DOC) == PREAMBLE
    assert texformat.preamble("no document here") is None
    # mylatexformat would stop at the first line naming \begin ... document: it must be ours
    assert texformat.preamble("\\def\\x{\\begin{document}}\n\\begin{document}\n") is None
    assert texformat.preamble("% \\begin{document} in a comment\n\\begin{document}\n") is None
    assert texformat.preamble("\\endofdump\n\\begin{document}\n") is None


def test_the_key_follows_the_preamble_and_the_engine_binary(tmp_path):
    fake = tmp_path / "pdflatex"
    fake.write_text("v1")
    one = texformat.format_key(PREAMBLE, str(fake))
    assert texformat.format_key(PREAMBLE, str(fake)) == one
    assert texformat.format_key(PREAMBLE + "\\usepackage{xcolor}\n", str(fake)) != one
    fake.write_text("version 2")  # another TeX: another size
    assert texformat.format_key(PREAMBLE, str(fake)) != one


def test_a_format_is_made_on_the_second_run_then_reused(tex, tmp_path):
    formats = tmp_path / "formats"
    formats.mkdir()
    assert _ready(tmp_path, formats, "once", first=True) is None  # one run: no dump yet
    assert list(formats.glob("*.fmt")) == [] and len(list(formats.glob("*.seen"))) == 1
    first = _ready(tmp_path, formats, "a", first=True)
    assert first is not None and first.dumped
    assert (tmp_path / "a" / "gsfmt.fmt").is_file()
    again = _ready(tmp_path, formats, "b")
    assert again is not None and not again.dumped
    assert (tmp_path / "b" / "gsfmt.fmt").read_bytes() == (
        tmp_path / "a" / "gsfmt.fmt"
    ).read_bytes()
    other = _ready(tmp_path, formats, "c", DOC.replace("amsmath", "amssymb"))
    assert other is not None and other.dumped  # another preamble (another template): a new one
    assert len(list(formats.glob("*.fmt"))) == 2


def test_a_changed_tex_input_rebuilds_the_format(tex, tmp_path):
    formats = tmp_path / "formats"
    formats.mkdir()
    assert _ready(tmp_path, formats, "a").dumped
    record_path = next(formats.glob("*.json"))
    record = json.loads(record_path.read_text())
    paths = [path for path, _ in record["inputs"]]
    assert any(p.endswith("pdflatex.fmt") for p in paths)
    assert any(p.endswith("amsmath.sty") for p in paths)
    # a TeX Live update changes the files the format was made from
    record["inputs"] = [[p, "1:2" if p.endswith("amsmath.sty") else s] for p, s in record["inputs"]]
    record_path.write_text(json.dumps(record))
    assert _ready(tmp_path, formats, "b").dumped


def _damage(formats: Path, how: str) -> None:
    fmt = next(formats.glob("*.fmt"))
    record = fmt.with_suffix(".json")
    if how == "flipped byte":
        data = bytearray(fmt.read_bytes())
        data[len(data) // 2] ^= 0xFF
        fmt.write_bytes(bytes(data))
    elif how == "truncated":
        fmt.write_bytes(fmt.read_bytes()[:1000])
    elif how == "foreign format, its own record":
        fmt.write_bytes(b"\x1f\x8b not ours")
        data = json.loads(record.read_text())
        data["sha256"] = "0" * 64
        record.write_text(json.dumps(data))
    elif how == "record names another key":
        data = json.loads(record.read_text())
        data["key"] = "f" * 64
        record.write_text(json.dumps(data))
    elif how == "garbage record":
        record.write_bytes(b"\xff\x00[[[")
    elif how == "wrong types":
        record.write_text(json.dumps({"version": 1, "key": [], "sha256": {}, "inputs": "x"}))
    elif how == "symbolic links":
        target = formats.parent / "elsewhere.fmt"
        shutil.move(fmt, target)
        fmt.symlink_to(target)
    elif how == "writable by others":
        os.chmod(fmt, 0o666)
    elif how == "a device":
        fmt.unlink()
        fmt.symlink_to("/dev/zero")
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "flipped byte",
        "truncated",
        "foreign format, its own record",
        "record names another key",
        "garbage record",
        "wrong types",
        "symbolic links",
        "writable by others",
        "a device",
    ],
)
def test_a_damaged_or_foreign_format_is_not_used(tex, tmp_path, how):
    formats = tmp_path / "formats"
    formats.mkdir()
    made = _ready(tmp_path, formats, "a")
    good = (tmp_path / "a" / "gsfmt.fmt").read_bytes()
    _damage(formats, how)
    again = _ready(tmp_path, formats, "b")
    assert again is not None and again.dumped  # made anew, not loaded
    assert made is not None
    result = compile_pdf(tmp_path / "b" / "sheet.tex", engine="pdflatex", formats=formats)
    assert result.ok, result.log_excerpt
    assert len((tmp_path / "b" / "gsfmt.fmt").read_bytes()) == len(good)


def test_a_symbolic_link_for_the_formats_folder_is_not_followed(tmp_path):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / ".gradsheet").mkdir(parents=True)
    (out / ".gradsheet" / "formats").symlink_to(elsewhere)
    folder = texformat.formats_dir(out)
    assert folder == out / ".gradsheet" / "formats"
    assert folder is not None and not folder.is_symlink() and folder.is_dir()
    assert list(elsewhere.iterdir()) == []


def _pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def test_the_fast_path_gives_the_text_latexmk_gives(tex, tmp_path, sample_context):
    from gen.render.sheet import render_tex

    sheet, _ = render_tex(sample_context("en"))
    formats = tmp_path / "formats"
    formats.mkdir()
    texts = []
    for run in ("plain", "dump", "reuse"):  # the first run of a preamble only marks it
        result = compile_pdf(_sheet(tmp_path / run, sheet), engine="pdflatex", formats=formats)
        assert result.ok, result.log_excerpt
        assert (tmp_path / run / "gsfmt.fmt").is_file() == (run != "plain")
        texts.append(_pdf_text(result.pdf))
    bare = _sheet(tmp_path / "latexmk", sheet)
    exe = shutil.which("latexmk")
    assert exe is not None
    subprocess.run(
        latexmk.latexmk_command(exe, "pdflatex", "sheet.tex"),
        cwd=bare.parent,
        env=latexmk._environment(),
        capture_output=True,
        check=True,
    )
    expected = _pdf_text(bare.with_suffix(".pdf"))
    assert "checked numerically at 5 points" in expected
    assert texts == [expected] * 3


def test_a_document_that_asks_for_a_rerun_gets_one(tex, tmp_path):
    doc = _sheet(
        tmp_path / "refs",
        "\\documentclass{article}\n\\begin{document}\n"
        "\\tableofcontents\n\\section{First}\\label{s}See section~\\ref{s} on "
        "page~\\pageref{s}.\n\\end{document}\n",
    )
    result = compile_pdf(doc, engine="pdflatex", formats=tmp_path)
    assert result.ok, result.log_excerpt
    text = " ".join(_pdf_text(result.pdf).split())
    assert "See section 1 on page 1" in text and "1 First 1" in text
    assert not any("Rerun" in w.message or "undefined" in w.message for w in result.warnings)


def test_old_formats_are_removed(tex, tmp_path, monkeypatch):
    monkeypatch.setattr(texformat, "KEEP_FORMATS", 1)
    formats = tmp_path / "formats"
    formats.mkdir()
    assert _ready(tmp_path, formats, "a").dumped
    time.sleep(0.01)
    assert _ready(tmp_path, formats, "b", DOC.replace("amsmath", "amssymb")).dumped
    kept = list(formats.glob("*.fmt"))
    assert len(kept) == 1 and len(list(formats.glob("*.json"))) == 1
    assert _ready(tmp_path, formats, "c", DOC.replace("amsmath", "amssymb")).dumped is False


@pytest.mark.parametrize(
    "preamble",
    [
        "\\documentclass{article}\n\\usepackage{xcolor}\n",
        "\\documentclass{article}\n\\usepackage{xcolor}\n\\color{red}\n",  # pdfTeX dumps no colours
        "\\documentclass{article}\n\\usepackage{xcolor}\n\\color{red}\\color{blue}\n",
    ],
)
def test_a_run_from_the_format_makes_the_very_pdf_a_plain_run_makes(tex, tmp_path, preamble):
    doc = (
        preamble
        + "\\begin{document}\nHello {\\color{green}green} \\textbf{bold}.\n\\end{document}\n"
    )
    formats = tmp_path / "formats"
    formats.mkdir()
    pdfs = {}
    for run in ("plain", "mark", "dump", "reuse"):
        result = compile_pdf(
            _sheet(tmp_path / run, doc),
            engine="pdflatex",
            formats=None if run == "plain" else formats,
        )
        assert result.ok, result.log_excerpt
        pdfs[run] = result.pdf.read_bytes()
    assert (tmp_path / "reuse" / "gsfmt.fmt").is_file()
    assert pdfs["reuse"] == pdfs["dump"] == pdfs["mark"] == pdfs["plain"]
