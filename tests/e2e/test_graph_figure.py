"""The composition graph in real PDFs: the sheet's TikZ figure, and a host without TikZ."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gen.cli.main import main
from gen.make.latexmk import compile_pdf

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "golden" / "specs" / "two-paths.yaml"  # w reaches J along two paths
PACKAGES = r"\usepackage{amsmath,amssymb,mathtools,booktabs}"
CAPTION = "2 paths from w to J"


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory, tex) -> Path:
    out = tmp_path_factory.mktemp("graph")
    assert main(["build", str(SPEC), "-o", str(out), "--strict", "-q"]) == 0
    return out


def test_the_sheet_draws_the_graph_with_its_names_shapes_and_paths(built):
    text = pdf_text(built / "two-paths.pdf")
    figure = text[text.index("through the penalty.") : text.index(CAPTION)]
    for name in ("w", "r", "s", "J"):
        assert f" {name} " in f" {figure} ", (name, figure)
    assert figure.count("n×1") == 2 and "m×1" in figure and "1×1" in figure
    assert "w → r → s → J; w → J" in text
    assert "Composition graph" not in text  # the figure, not its text form


def host(folder: Path, built: Path, preamble: str) -> Path:
    (folder / "two-paths.body.tex").write_bytes((built / "two-paths.body.tex").read_bytes())
    path = folder / "host.tex"
    path.write_text(
        f"\\documentclass{{article}}\n{PACKAGES}\n{preamble}\\begin{{document}}\n"
        "\\input{two-paths.body.tex}\n\\end{document}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("tikz", [False, True])
def test_a_host_gets_the_figure_with_tikz_and_the_paths_as_text_without(built, tmp_path, tikz):
    preamble = "\\usepackage{tikz}\n" if tikz else ""
    result = compile_pdf(host(tmp_path, built, preamble), engine="pdflatex")
    assert result.ok, result.log_excerpt
    assert result.pdf is not None and result.log_path is not None
    assert "Overfull" not in result.log_path.read_text(errors="replace")
    text = pdf_text(result.pdf)
    assert CAPTION in text and "w → r → s → J; w → J" in text
    figure = text[text.index("through the penalty.") : text.index(CAPTION)]
    if tikz:
        assert "Composition graph" not in text and "n×1" in figure and " J " in figure
    else:
        assert figure == "through the penalty. Composition graph: "
