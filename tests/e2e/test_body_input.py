"""NAME.body.tex in someone else's document: two fragments \\input into one host, real TeX."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gen.cli.main import main
from gen.make.latexmk import compile_pdf

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = r"\usepackage{amsmath,amssymb,mathtools,booktabs}"  # as the fragments' header lists
PAIRS = {
    "en": ("least-squares", "seed-3-matrix-index"),
    "zh": ("least-squares.zh", "seed-3-matrix-index.zh"),
}


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def fragments(tmp_path_factory, tex) -> Path:
    out = tmp_path_factory.mktemp("fragments")
    specs = [str(ROOT / "specs" / f"{name}.yaml") for pair in PAIRS.values() for name in pair]
    assert main(["build", *specs, "-o", str(out), "--no-pdf"]) == 0
    return out


def _host(
    folder: Path, lang: str, names: tuple[str, ...], fragments: Path, preamble: str = ""
) -> Path:
    """A course document with its own sections around the two fragments."""
    for name in names:
        (folder / f"{name}.body.tex").write_text(
            (fragments / f"{name}.body.tex").read_text(encoding="utf-8"), encoding="utf-8"
        )
    cls = r"\documentclass[UTF8]{ctexart}" if lang == "zh" else r"\documentclass{article}"
    inputs = "\n".join(
        f"\\section{{Part {i}}}\nOwn words before.\n\\input{{{name}.body.tex}}\nOwn words after.\n"
        for i, name in enumerate(names, 1)
    )
    path = folder / "host.tex"
    path.write_text(
        f"{cls}\n{PACKAGES}\n{preamble}\\begin{{document}}\n{inputs}"
        "\\section{Last}\nThe end.\n\\end{document}\n",
        encoding="utf-8",
    )
    return path


def _derivations(fragments: Path, name: str) -> int:
    return len(json.loads((fragments / f"{name}.json").read_text())["derivations"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_fragments_compile_in_a_host_with_the_listed_packages(fragments, tmp_path, lang):
    names = PAIRS[lang]
    host = _host(tmp_path, lang, names, fragments)
    result = compile_pdf(host, engine="xelatex" if lang == "zh" else "pdflatex")
    assert result.ok, result.log_excerpt
    assert result.pdf is not None and result.log_path is not None
    log = result.log_path.read_text(errors="replace")
    assert "Overfull" not in log and "Missing character" not in log
    assert "already defined" not in log
    text = pdf_text(result.pdf)
    for words in ("Part 1", "Part 2", "Own words before.", "Own words after.", "The end."):
        assert words in text
    check = "max relative error" if lang == "en" else "最大相对误差"
    assert text.count(check) == sum(_derivations(fragments, n) for n in names)
    notation = "Notation" if lang == "en" else "记号"
    assert text.count(notation) == 2
    assert text.index("Part 1") < text.index(notation) < text.index("Part 2")


def test_the_host_may_restyle_notes_and_checks(fragments, tmp_path):
    preamble = (
        r"\newcommand{\gsnotefont}{\footnotesize\itshape}"
        "\n"
        r"\newcommand{\gscheck}{[OK]}"
        "\n"
    )
    host = _host(tmp_path, "en", PAIRS["en"], fragments, preamble)
    result = compile_pdf(host, engine="pdflatex")
    assert result.ok, result.log_excerpt
    assert result.pdf is not None
    text = pdf_text(result.pdf)
    assert text.count("[OK]") >= sum(_derivations(fragments, n) for n in PAIRS["en"])


def test_each_fragment_says_it_needs_nothing_from_the_host(fragments):
    for pair in PAIRS.values():
        for name in pair:
            head = (fragments / f"{name}.body.tex").read_text(encoding="utf-8").splitlines()[:6]
            assert any("needs nothing in the host's" in line for line in head), name
            assert not any(r"\usepackage" in line for line in head), name


def _compiled(host: Path, engine: str = "pdflatex") -> tuple[str, str]:
    """The host's PDF text and its log; the compile must succeed."""
    result = compile_pdf(host, engine=engine)
    assert result.ok, result.log_excerpt
    assert result.pdf is not None and result.log_path is not None
    return pdf_text(result.pdf), result.log_path.read_text(errors="replace")


@pytest.mark.parametrize(("lang", "cls"), [("en", "article"), ("en", "book"), ("zh", "ctexart")])
def test_a_bare_host_needs_no_package_for_the_fragments(fragments, tmp_path, lang, cls):
    """An article or a book that loads nothing: the fragments bring kernel stand-ins for
    amsmath's displays, amssymb's and booktabs' commands."""
    host = _host(tmp_path, lang, PAIRS[lang], fragments)
    source = host.read_text(encoding="utf-8").replace(PACKAGES + "\n", "")
    if cls == "book":
        source = source.replace(r"\documentclass{article}", r"\documentclass{book}")
    host.write_text(source, encoding="utf-8")
    assert r"\usepackage" not in source
    text, log = _compiled(host, "xelatex" if lang == "zh" else "pdflatex")
    assert "Undefined control sequence" not in log and "already defined" not in log
    check, notation = (
        ("max relative error", "Notation") if lang == "en" else ("最大相对误差", "记号")
    )
    assert text.count(check) == sum(_derivations(fragments, n) for n in PAIRS[lang])
    assert text.count(notation) == 2 and "The end." in text


def test_the_host_chooses_the_heading_level(fragments, tmp_path):
    """\\gsheadinglevel before the first \\input: in a book, each derivation a numbered
    section of the chapter, listed in the contents as such."""
    name = PAIRS["en"][0]
    (tmp_path / f"{name}.body.tex").write_text(
        (fragments / f"{name}.body.tex").read_text(encoding="utf-8"), encoding="utf-8"
    )
    host = tmp_path / "book.tex"
    host.write_text(
        "\\documentclass{book}\n\\newcommand{\\gsheadinglevel}{section}\n\\begin{document}\n"
        f"\\tableofcontents\n\\chapter{{Least squares}}\n\\input{{{name}.body.tex}}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    _compiled(host)
    _compiled(host)  # the contents are read back on the second run
    toc = (tmp_path / "book.toc").read_text(encoding="utf-8")
    sections = [line for line in toc.splitlines() if line.startswith("\\contentsline {section}")]
    assert len(sections) == _derivations(fragments, name)
    assert all("{\\numberline {1." in line for line in sections), sections
    assert "{subsection}" not in toc


def test_a_fragment_in_a_beamer_frame_keeps_its_headings(fragments, tmp_path):
    """Beamer prints nothing for sectioning inside a frame: the fragment's headings become
    bold lines there."""
    name = PAIRS["en"][0]
    (tmp_path / f"{name}.body.tex").write_text(
        (fragments / f"{name}.body.tex").read_text(encoding="utf-8"), encoding="utf-8"
    )
    host = tmp_path / "slides.tex"
    host.write_text(
        "\\documentclass[aspectratio=169]{beamer}\n\\begin{document}\n"
        "\\begin{frame}[allowframebreaks]{Least squares}\n"
        f"\\input{{{name}.body.tex}}\n\\end{{frame}}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    text, log = _compiled(host)
    assert "Overfull \\hbox" not in log
    assert "Notation" in text
    assert text.count("by the chain rule") + text.count("by differentials") == _derivations(
        fragments, name
    )
