"""Each exit status of docs/cli.md, produced the way a user meets it."""

from __future__ import annotations

import json
import signal

import pytest

from gen.cli.main import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_NO_TEX,
    EXIT_OK,
    EXIT_SIGNAL,
    EXIT_USAGE,
    main,
)
from gen.make import latexmk, pipeline
from tests.e2e.cli_helpers import gradsheet, small


def test_the_table():
    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_TEX, EXIT_INTERNAL) == (0, 1, 2, 3, 4)
    assert EXIT_SIGNAL + signal.SIGINT == 130 and EXIT_SIGNAL + signal.SIGTERM == 143


def test_0_all_good(tmp_path):
    spec = small(tmp_path)
    assert main(["build", str(spec), "-o", str(tmp_path / "out"), "--no-pdf"]) == 0
    assert main(["check", str(spec)]) == 0
    assert main(["--version"]) == 0 and main(["schema"]) == 0


def test_1_a_spec_failed_the_others_built(tmp_path, capsys):
    small(tmp_path / "specs", "good")
    (tmp_path / "specs" / "bad.yaml").write_text("title: [\n")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "specs"), "-o", str(out), "--no-pdf"]) == 1
    assert (out / "good.json").is_file() and not (out / "bad.json").exists()
    assert main(["check", str(tmp_path / "specs")]) == 1
    assert "failed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "/no/such/folder"], "gradsheet: no such spec file or folder: /no/such/folder"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["build", "-j", "0"], "argument -j/--jobs: must be positive, not 0"),
        (["build", "-j", "many"], "argument -j/--jobs: not a number: 'many'"),
        (["build", "--timeout", "-1"], "argument --timeout: must be positive, not -1"),
        (["build", "-q", "-v"], "not allowed with argument"),
        ([], "usage: gradsheet"),
    ],
)
def test_2_usage_errors(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_2_no_specs_an_output_file_a_bad_template_folder_an_existing_spec(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert main(["build", "empty"]) == 2
    spec = small(tmp_path / "specs")
    (tmp_path / "afile").write_text("x")
    assert main(["build", str(spec), "-o", "afile"]) == 2
    assert main(["build", str(spec), "--templates", "nowhere"]) == 2
    assert main(["new", "ls"]) == 2
    err = capsys.readouterr().err
    assert "gradsheet: no spec files (*.yaml) found in empty" in err
    assert "gradsheet: the output folder afile exists and is not a folder" in err
    assert "gradsheet: no such template folder: nowhere" in err
    assert "gradsheet: specs/ls.yaml already exists (use --force to overwrite it)" in err


def test_3_no_tex(tmp_path, monkeypatch):
    monkeypatch.setattr(latexmk, "find_tex", lambda engine="pdflatex": None)
    assert main(["build", str(small(tmp_path)), "-o", str(tmp_path / "out")]) == 3


def test_1_wins_over_3(tmp_path, monkeypatch):
    monkeypatch.setattr(latexmk, "find_tex", lambda engine="pdflatex": None)
    small(tmp_path / "specs")
    (tmp_path / "specs" / "bad.yaml").write_text("title: [\n")
    assert main(["build", str(tmp_path / "specs"), "-o", str(tmp_path / "out")]) == 1


def test_4_internal_error_is_reported_without_a_traceback(tmp_path, monkeypatch, capsys):
    def broken(program, target, method):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "derive", broken)
    spec = small(tmp_path)
    assert main(["build", str(spec), "-o", str(tmp_path / "out"), "--no-pdf"]) == 4
    err = capsys.readouterr().err
    assert (
        f"{spec}:10:5: error: internal error while deriving dJ/dw (differential): "
        "ZeroDivisionError: a bug (a bug in gradsheet; please report it with the spec)" in err
    )
    assert "Traceback" not in err
    assert main(["build", str(spec), "-o", str(tmp_path / "out"), "--no-pdf", "-v"]) == 4
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert main(["check", str(spec), "--json"]) == 4
    obj = json.loads(capsys.readouterr().out)
    assert obj["ok"] is False and "internal error" in obj["errors"][0]["message"]


def test_4_even_outside_a_spec(monkeypatch, capsys, tmp_path):
    import gen.make.runner as runner

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(runner, "build_all", broken)
    assert main(["build", str(small(tmp_path)), "-o", str(tmp_path / "out")]) == 4
    err = capsys.readouterr().err
    assert err == (
        "gradsheet: internal error: RuntimeError: boom (a bug in gradsheet; please "
        "report it; -v shows the traceback)\n"
    )


def test_the_console_command_as_a_user_runs_it(tmp_path):
    spec = small(tmp_path)
    done = gradsheet("build", str(spec), "-o", str(tmp_path / "out"), "--no-pdf")
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\ndefine:\n  J: x +\n")
    done = gradsheet("build", str(bad), "-o", str(tmp_path / "out"), "--no-pdf")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{bad}:3:8: error: expected an expression after '+'\n")
