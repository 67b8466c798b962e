"""Every spec in specs/ as Beamer slides (``--to slides``) and handout (``--to handout``).

Built with ``--strict``, so that an overfull box on a 16:9 frame (a TeX warning,
gen/make/texlog.py) fails the build; each derivation gets at least one frame,
and the overlays reveal the steps one by one (more pages than frames).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from gen.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
NAMES = [p.stem for p in SPECS]
FRAME = re.compile(r"^\\begin\{frame\}", re.MULTILINE)
STEP_FRAME = re.compile(r"^\\begin\{frame\}\[t\]\{.*?\}\n\\gsframefit\{%\n\\gsmeta\{", re.MULTILINE)


def pages(pdf: Path) -> int:
    """The number of pages of a PDF (pdfinfo)."""
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def built(tmp_path_factory, tex) -> Path:
    out = tmp_path_factory.mktemp("slides")
    args = ["build", str(ROOT / "specs"), "-o", str(out), "--to", "pdf,slides,handout,json"]
    assert main([*args, "--strict", "-j", "2"]) == 0
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_line_is_wider_than_its_column_on_the_sheet_or_the_slides(built, name):
    # the overfull boxes of the TeX logs (gen/make/texlog.py), as the build's manifest keeps them
    manifest = json.loads((built / ".gradsheet" / "cache" / f"{name}.json").read_text("utf-8"))
    assert {f"{name}.pdf", f"{name}.slides.pdf", f"{name}.handout.pdf"} <= set(manifest["outputs"])
    assert [w for w in manifest["warnings"] if "Overfull" in w["message"]] == []


@pytest.mark.parametrize("name", NAMES)
def test_no_overfull_box_and_a_frame_per_derivation(built, name):
    derivations = json.loads((built / f"{name}.json").read_text("utf-8"))["derivations"]
    tex = (built / f"{name}.slides.tex").read_text("utf-8")
    assert "aspectratio=169" in tex
    # --strict turns any TeX warning into a failed build: none was written then
    manifest = json.loads((built / ".gradsheet" / "cache" / f"{name}.json").read_text("utf-8"))
    assert manifest["warnings"] == []
    assert len(STEP_FRAME.findall(tex)) == len(derivations)  # each derivation's first frame
    frames = len(FRAME.findall(tex))
    assert frames >= len(derivations) + 2  # the title and the notation besides
    assert tex.count(r"\gsresult{") == len(derivations)  # one boxed result each, on its last


@pytest.mark.parametrize("name", NAMES)
def test_the_steps_are_revealed_one_by_one(built, name):
    tex = (built / f"{name}.slides.tex").read_text("utf-8")
    frames = len(FRAME.findall(tex))
    steps = sum(
        len(d["steps"])
        for d in json.loads((built / f"{name}.json").read_text("utf-8"))["derivations"]
    )
    slides = pages(built / f"{name}.slides.pdf")
    assert slides > frames
    assert slides >= steps  # a slide at least for every step shown
    assert r"\uncover<2->" in tex or steps == 0


@pytest.mark.parametrize("name", NAMES)
def test_the_handout_has_one_page_per_frame(built, name):
    tex = (built / f"{name}.handout.tex").read_text("utf-8")
    assert re.search(r"\\documentclass\[[^]]*\bhandout\b", tex)
    assert "handout" not in (built / f"{name}.slides.tex").read_text("utf-8")
    assert pages(built / f"{name}.handout.pdf") == len(FRAME.findall(tex))


def test_a_long_derivation_goes_on_over_frames(built):
    from gen.render.slides import STEPS_PER_FRAME

    tex = (built / "classifiers.slides.tex").read_text("utf-8")
    obj = json.loads((built / "classifiers.json").read_text("utf-8"))
    assert max(len(d["steps"]) for d in obj["derivations"]) > STEPS_PER_FRAME
    assert "(continued)" in tex
    assert all(
        len(re.findall(r"\\uncover<\d+->\{\\quad", frame)) <= STEPS_PER_FRAME
        for frame in tex.split(r"\begin{frame}")
    )


def test_chinese_slides_use_ctexbeamer(built):
    tex = (built / "least-squares.zh.slides.tex").read_text("utf-8")
    assert "{ctexbeamer}" in tex and "latexmk -xelatex" in tex


def test_a_tex_error_in_the_slides_names_the_slides_file(tmp_path, tex, capsys):
    folder = tmp_path / "templates"
    folder.mkdir()
    shipped = (ROOT / "templates" / "slides.tex.j2").read_text("utf-8")
    (folder / "slides.tex.j2").write_text(
        shipped.replace("\\titlepage\n", "\\titlepage\\nosuchmacro\n"), "utf-8"
    )
    out = tmp_path / "out"
    spec = ROOT / "specs" / "least-squares.yaml"
    args = ["build", str(spec), "-o", str(out), "--to", "slides", "--templates", str(folder)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "LaTeX failed" in err and "least-squares.slides.tex:" in err
    assert not list(out.glob("least-squares.*"))  # nothing promoted
    logs = out / ".gradsheet" / "logs"
    assert (logs / "least-squares.slides.tex").is_file()
    assert "nosuchmacro" in (logs / "least-squares.slides.tex").read_text("utf-8")
