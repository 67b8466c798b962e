"""gradsheet build as users know builds: incremental, parallel, strict, dry runs, templates."""

from __future__ import annotations

import shutil

import pytest

from gen.cli.main import main
from gen.make import cache, latexmk, pipeline
from gen.render.sheet import default_templates_dir
from tests.e2e.cli_helpers import mtimes, outputs, small

FOUR = ["ls.body.tex", "ls.json", "ls.pdf", "ls.tex"]


@pytest.fixture()
def no_tex_runs(monkeypatch):
    """Fail the test if TeX is run."""

    def refuse(*args, **kwargs):
        raise AssertionError("TeX was run")

    monkeypatch.setattr(pipeline, "compile_pdf", refuse)


def test_an_unchanged_spec_is_not_rebuilt_and_no_file_is_rewritten(tmp_path, tex, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 0
    assert sorted(outputs(out)) == FOUR
    before, stamps = outputs(out), mtimes(out)
    capsys.readouterr()
    assert main(["build", str(spec), "-o", str(out), "-v"]) == 0
    err = capsys.readouterr().err
    assert f"up to date: {spec}" in err and "gradsheet: 1 up to date" in err
    assert outputs(out) == before and mtimes(out) == stamps


def test_force_rebuilds_but_leaves_unchanged_bytes_alone(tmp_path, tex, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 0
    stamps = mtimes(out)
    capsys.readouterr()
    assert main(["build", str(spec), "-o", str(out), "--force"]) == 0
    assert "1 built" in capsys.readouterr().err
    assert mtimes(out) == stamps  # the PDF is reproducible, so nothing changed


def test_an_edited_spec_is_rebuilt_and_only_changed_files_move(tmp_path, no_tex_runs, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    stamps = mtimes(out)
    spec.write_text(spec.read_text().replace("Least squares", "Least squares, again"))
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    assert "1 built" in capsys.readouterr().err
    now = mtimes(out)
    assert now["ls.tex"] != stamps["ls.tex"] and now["ls.json"] != stamps["ls.json"]
    assert b"Least squares, again" in outputs(out)["ls.tex"]


def test_a_template_change_or_a_new_gradsheet_rebuilds(tmp_path, no_tex_runs, monkeypatch, capsys):
    spec = small(tmp_path / "specs")
    templates = tmp_path / "tpl"
    shutil.copytree(default_templates_dir(), templates)
    out = tmp_path / "out"
    args = ["build", str(spec), "-o", str(out), "--no-pdf", "--templates", str(templates)]
    assert main(args) == 0
    assert main(args) == 0
    assert "1 up to date" in capsys.readouterr().err
    sheet = templates / "sheet.tex.j2"
    sheet.write_text(sheet.read_text() + "% a new last line\n")
    assert main(args) == 0
    assert "1 built" in capsys.readouterr().err
    assert outputs(out)["ls.tex"].endswith(b"% a new last line\n")
    monkeypatch.setattr(cache, "code_hash", lambda: "9.9.9:another")
    assert main(args) == 0
    assert "1 built" in capsys.readouterr().err


def test_a_pdf_build_after_a_no_pdf_build_runs_tex(tmp_path, tex, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]
    assert main(["build", str(spec), "-o", str(out)]) == 0
    assert sorted(outputs(out)) == FOUR
    capsys.readouterr()
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0  # the PDF build serves
    assert "1 up to date" in capsys.readouterr().err


def test_no_pdf_writes_tex_and_json_and_runs_no_tex(tmp_path, no_tex_runs, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]
    assert f"built {spec} -> {out / 'ls.tex'}" in capsys.readouterr().err
    assert main(["build", str(spec), "-o", str(tmp_path / "o2"), "--no-pdf"]) == 0


def test_parallel_and_serial_builds_give_the_same_bytes(tmp_path, tex):
    specs = tmp_path / "specs"
    for i, title in enumerate(["One", "Two", "Three"]):
        small(specs, f"s{i}", title)
    assert main(["build", str(specs), "-o", str(tmp_path / "serial"), "-j", "1"]) == 0
    assert main(["build", str(specs), "-o", str(tmp_path / "parallel"), "-j", "3"]) == 0
    serial, parallel = outputs(tmp_path / "serial"), outputs(tmp_path / "parallel")
    assert len(serial) == 12 and serial == parallel


UNUSED = """\
title: T
dims:
  n: size
  k: never used
variables:
  x: {shape: [n]}
  v: {shape: [n]}
define:
  J: x'*x
derive:
  - of: J
    wrt: x
"""


def test_warnings_are_located_and_strict_makes_them_fail(tmp_path, no_tex_runs, capsys):
    spec = tmp_path / "u.yaml"
    spec.write_text(UNUSED)
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert (
        f"{spec}:4:3: warning: dimension 'k' is declared but nothing uses it\n"
        "    4 |   k: never used\n      |   ^" in err
    )
    assert (
        f"{spec}:7:3: warning: variable 'v' is declared but no definition or "
        "derivation uses it" in err
    )
    before = outputs(out)
    # The cache keeps the warnings: an up-to-date spec still fails under --strict.
    assert main(["build", str(spec), "-o", str(out), "--no-pdf", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "warning: dimension 'k'" in err
    assert f"{spec}: error: 2 warnings, and --strict makes warnings fail the build" in err
    spec.write_text(UNUSED.replace("title: T", "title: T2"))
    assert main(["build", str(spec), "-o", str(out), "--no-pdf", "--strict"]) == 1
    assert outputs(out) == before  # a failed spec writes nothing
    assert main(["check", str(spec), "--strict"]) == 1
    assert main(["check", str(spec)]) == 0


def test_template_key_is_relative_to_the_spec_and_the_option_wins(tmp_path, no_tex_runs, capsys):
    specs = tmp_path / "specs"
    spec = small(specs)
    mine = tmp_path / "mine"
    shutil.copytree(default_templates_dir(), mine)
    (mine / "sheet.tex.j2").write_text("% MINE\n" + (mine / "sheet.tex.j2").read_text())
    spec.write_text("template: ../mine\n" + spec.read_text())
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    assert outputs(out)["ls.tex"].startswith(b"% MINE\n")
    option = ["--templates", str(default_templates_dir())]
    assert main(["build", str(spec), "-o", str(out), "--no-pdf", *option]) == 0
    assert not outputs(out)["ls.tex"].startswith(b"% MINE\n")
    spec.write_text(spec.read_text().replace("../mine", "../nowhere"))
    capsys.readouterr()
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert (
        f"{spec}:1:11: error: template folder not found: {specs / '../nowhere'}\n"
        "    1 | template: ../nowhere\n      |           ^^^^^^^^^^" in err
    )


def test_a_broken_template_is_reported_in_the_template(tmp_path, no_tex_runs, capsys):
    spec = small(tmp_path / "specs")
    templates = tmp_path / "tpl"
    shutil.copytree(default_templates_dir(), templates)
    (templates / "body.tex.j2").write_text("ok\n<%= no_such_value %>\n")
    assert (
        main(
            [
                "build",
                str(spec),
                "-o",
                str(tmp_path / "out"),
                "--no-pdf",
                "--templates",
                str(templates),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert (
        f"{templates / 'body.tex.j2'}:2:1: error: template error: 'no_such_value' is "
        "undefined\n    2 | <%= no_such_value %>" in err
    )
    assert "Traceback" not in err


def test_tex_errors_point_at_the_spec_value_and_keep_the_old_outputs(tmp_path, tex, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 0
    before = outputs(out)
    spec.write_text(spec.read_text().replace("w: {shape: [n],", "w: {shape: [n], latex: 'w^a^b',"))
    capsys.readouterr()
    assert main(["build", str(spec), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    logs = out / ".gradsheet" / "logs"
    assert (
        f"{spec}:4:27: error: LaTeX failed (in the latex of 'w'): Double superscript.\n"
        "    4 |   w: {shape: [n], latex: 'w^a^b', text: weights}\n"
        "      |                           ^^^^^" in err
    )
    assert f"  generated line {logs / 'ls.tex'}:" in err
    assert "  TeX says:\n    ls.tex:" in err and "Double superscript." in err
    assert f"  full log: {logs / 'ls.log'}" in err
    assert (logs / "ls.log").is_file() and (logs / "ls.tex").is_file()
    assert len(err.splitlines()) < 20  # the first error and a few lines, never the whole log
    assert outputs(out) == before


def test_no_tex_writes_the_sources_and_names_the_debian_packages(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(latexmk, "find_tex", lambda engine="pdflatex": None)
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 3
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]
    err = capsys.readouterr().err
    assert "TeX not found: install the Debian packages texlive-latex-base " in err
    assert (
        "texlive-fonts-recommended" in err
        and "the .tex and .json files were written, no PDF" in err
    )
