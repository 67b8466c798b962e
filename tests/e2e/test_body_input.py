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


def test_each_fragment_lists_the_packages_it_needs(fragments):
    for pair in PAIRS.values():
        for name in pair:
            head = (fragments / f"{name}.body.tex").read_text(encoding="utf-8").splitlines()[:4]
            assert any(PACKAGES.removeprefix(r"\usepackage") in line for line in head), name
