"""Every course fragment \\input into one ordinary article: no line wider than its column.

The sheet is A4 with narrow margins; an article's column is narrower (345 pt). The
fragments measure \\linewidth where they are typeset, so their lines break for the
host's column too (issue 12: "no line wider than its column ... in the \\input
fragment inside an ordinary article"), with amsmath and in a host that loads nothing
(the kernel stand-ins of compat.tex.j2, whose notes take no width of the alignment).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gen.cli.main import main
from gen.make.latexmk import compile_pdf

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "specs" / "course"


@pytest.fixture(scope="module")
def fragments(tmp_path_factory, tex) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("course-fragments")
    assert main(["build", str(COURSE), "-o", str(out), "--to", "body,json", "-q"]) == 0
    return out, sorted(p.name.removesuffix(".body.tex") for p in out.glob("*.body.tex"))


@pytest.mark.parametrize(
    "packages",
    ["\\usepackage{amsmath,amssymb}\n", ""],
    ids=["with-amsmath", "bare"],  # bare: the fragments' kernel stand-ins (compat.tex.j2)
)
def test_every_course_fragment_fits_an_articles_column(fragments, packages):
    out, names = fragments
    inputs = "\n".join(f"\\section{{{n}}}\n\\input{{{n}.body.tex}}" for n in names)
    host = out / f"host-{'ams' if packages else 'bare'}.tex"
    host.write_text(
        f"\\documentclass{{article}}\n{packages}\\begin{{document}}\n{inputs}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    assert len(names) >= 25
    result = compile_pdf(host, engine="pdflatex")
    assert result.ok, result.log_excerpt
    assert result.log_path is not None
    log = result.log_path.read_text(errors="replace")
    overfull = re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)
    assert overfull == [], f"{len(overfull)} overfull lines: {overfull[:10]} pt"
    derivations = sum(
        len(json.loads((host.parent / f"{n}.json").read_text())["derivations"]) for n in names
    )
    assert log.count("Overfull \\vbox") == 0 and derivations > 100
