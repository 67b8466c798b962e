"""``gradsheet booklet``: many specs in one book (SPEC section 9), assembled with PyLaTeX."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from gen.cli.main import main
from gen.make.booklet import make_booklet
from gen.make.specs import find_specs
from tests.e2e.cli_helpers import ROOT, small, tree


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def test_a_booklet_of_every_example_spec(tex, tmp_path, capsys):
    """The whole of specs/: title page, contents, a chapter per spec in name order."""
    target = tmp_path / "book" / "examples.pdf"
    code = main(["booklet", str(ROOT / "specs"), "-o", str(target), "--title", "Worked examples"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning" not in err  # no overfull box, no missing character
    text = _text(target)
    assert text.startswith("Worked examples") or "Worked examples" in text.split("Contents")[0]
    specs, _ = find_specs([str(ROOT / "specs")])
    titles = [re.search(r"^title: (.*)$", s.read_text("utf-8"), re.M).group(1) for s in specs]
    contents = text.split("Contents", 1)[1]
    places = [contents.find(t.strip("'\"")) for t in titles]
    assert -1 not in places, dict(zip(titles, places, strict=True))
    assert places == sorted(places)  # the chapters in the order given (a folder: by name)
    assert "Chapter 1" in text and f"Chapter {len(specs)}" in text
    assert "(denominator layout)" in text  # ridge: a target in another layout says so
    assert (target.with_suffix(".tex")).is_file()


def test_chapters_follow_the_order_given(tex, tmp_path):
    first = small(tmp_path / "s", "b", title="Second by name, first here")
    second = small(tmp_path / "s", "a", title="First by name, second here")
    done = make_booklet([first, second], tmp_path / "out" / "two.pdf", "Two")
    assert done.ok and done.chapters == 2
    text = _text(tmp_path / "out" / "two.pdf")
    assert text.index("Second by name, first here") < text.index("First by name, second here")


def test_a_failed_spec_writes_nothing_and_keeps_the_last_booklet(tex, tmp_path, capsys):
    good = small(tmp_path / "s", "good")
    target = tmp_path / "out" / "book.pdf"
    assert main(["booklet", str(good), "-o", str(target)]) == 0
    before = tree(tmp_path / "out")
    bad = tmp_path / "s" / "bad.yaml"
    bad.write_text("title: Bad\nvariables:\n  x: {shape: [n]}\nderive:\n  - {of: y, wrt: x}\n")
    capsys.readouterr()
    assert main(["booklet", str(good), str(bad), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml:5" in err and "nothing written" in err
    assert tree(tmp_path / "out") == before


def test_dry_run_writes_nothing_and_no_pdf_writes_the_tex_alone(tmp_path, capsys):
    target = tmp_path / "out" / "book.pdf"
    assert main(["booklet", str(small(tmp_path / "s")), "-o", str(target), "--dry-run"]) == 0
    assert not (tmp_path / "out").exists()
    assert "would write" in capsys.readouterr().err
    assert main(["booklet", str(small(tmp_path / "s")), "-o", str(target), "--no-pdf"]) == 0
    assert target.with_suffix(".tex").is_file() and not target.exists()
    tex = target.with_suffix(".tex").read_text()
    assert r"\tableofcontents" in tex and r"\chapter{Least squares}" in tex
    assert r"\section{" in tex  # a derivation is a section of its spec's chapter


def test_the_booklet_must_be_a_pdf(tmp_path, capsys):
    assert main(["booklet", str(small(tmp_path / "s")), "-o", str(tmp_path / "b.tex")]) == 2
    assert "name it FILE.pdf" in capsys.readouterr().err
