"""Issue 2 end to end: the CLI on real specs with real latexmk, a bad spec among good ones,
check --json in every layout, and a non-editable install used from another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gen.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
OUTPUTS = ("pdf", "tex", "body.tex", "json")


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory, tex):
    out = tmp_path_factory.mktemp("out")
    assert main(["build", str(SPECS), "-o", str(out)]) == 0
    return out


def test_every_spec_gives_four_outputs(built):
    names = sorted(p.stem for p in SPECS.glob("*.yaml"))
    assert names
    for name in names:
        for ext in OUTPUTS:
            assert (built / f"{name}.{ext}").stat().st_size > 0, f"{name}.{ext}"


def test_the_pdf_shows_the_result_and_its_check(built):
    text = pdf_text(built / "least-squares.pdf")
    assert "Least-squares gradient" in text
    assert "checked numerically at 3 points" in text
    flat = "".join(text.split())
    assert "(Xw−y)" in flat  # the boxed result X^T (Xw - y)


def test_the_json_file_keeps_the_contract(built):
    obj = json.loads((built / "least-squares.json").read_text())
    assert obj["spec"] == "least-squares" and obj["ok"] is True and obj["errors"] == []
    first = obj["derivations"][0]
    assert first["result"]["text"] == "X'*(X*w - y)"
    assert first["result"]["numpy"] == "X.T @ (X @ w - y)"
    assert first["verified"]["numeric"] is True
    assert all(step["verified"] for step in first["steps"] if "numpy" in step)


def test_the_body_fragment_has_no_preamble(built):
    body = (built / "least-squares.body.tex").read_text()
    assert r"\documentclass" not in body and r"\begin{document}" not in body
    assert r"\boxed" in body


@pytest.mark.parametrize(
    ("layout", "shape"), [("mixed", ["n", 1]), ("denominator", ["n", 1]), ("numerator", [1, "n"])]
)
def test_check_json_gives_the_least_squares_gradient(tmp_path, capsys, layout, shape):
    spec = (SPECS / "least-squares.yaml").read_text().replace("layout: mixed", f"layout: {layout}")
    path = tmp_path / "ls.yaml"
    path.write_text(spec)
    assert main(["check", str(path), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    d = obj["derivations"][0]
    assert (d["of"], d["wrt"], d["layout"], d["shape"]) == ("J", "w", layout, shape)
    rng = np.random.default_rng(1)
    X, w, y = rng.normal(size=(5, 3)), rng.normal(size=(3, 1)), rng.normal(size=(5, 1))
    got = eval(d["result"]["numpy"], {"np": np, "X": X, "w": w, "y": y})  # noqa: S307
    want = X.T @ (X @ w - y)
    want = want.T if layout == "numerator" else want
    assert got.shape == want.shape and np.allclose(got, want)


BAD = """\
title: Broken
variables:
  X: {shape: [m, n]}
  w: {shape: [n]}
  y: {shape: [m]}
define:
  z: X*w - w
derive:
  - of: z
    wrt: w
"""


def test_a_bad_spec_fails_alone(tmp_path, capsys, tex):
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(SPECS / "least-squares.yaml", specs / "good.yaml")
    (specs / "bad.yaml").write_text(BAD)
    out = tmp_path / "out"
    assert main(["build", str(specs), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    where = str(specs / "bad.yaml")
    assert f"{where}:7:6: error: in 'X*w - w': cannot subtract [m, 1] and [n, 1]" in err
    assert "    7 |   z: X*w - w\n      |      ^^^^^^^" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "good.body.tex",
        "good.json",
        "good.pdf",
        "good.tex",
    ]


def test_a_failed_rebuild_keeps_the_previous_outputs(tmp_path, tex):
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = specs / "ls.yaml"
    shutil.copy(SPECS / "least-squares.yaml", spec)
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 0
    outputs = lambda: {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}  # noqa: E731
    before = outputs()
    assert len(before) == 4
    spec.write_text(spec.read_text().replace("z: X*w - y", "z: X*w - w"))
    assert main(["build", str(spec), "-o", str(out)]) == 1
    assert outputs() == before


def test_usage_errors_exit_2(capsys):
    assert main(["build", "/no/such/folder"]) == 2
    assert main(["frobnicate"]) == 2
    assert "no such spec file or folder: /no/such/folder" in capsys.readouterr().err


def test_a_wheel_install_works_from_another_folder(tmp_path, tex):
    """pip install . (not editable) into a venv; the templates ship inside the wheel."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)], check=True, cwd=tmp_path
    )
    specs = tmp_path / "myspecs"
    shutil.copytree(SPECS, specs)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(venv / "bin" / "gradsheet"), "build", "myspecs", "-o", "out"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for name in (p.stem for p in specs.glob("*.yaml")):
        for ext in OUTPUTS:
            assert (tmp_path / "out" / f"{name}.{ext}").exists()
    imported = subprocess.run(
        [str(py), "-c", "import gen; print(gen.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(venv) in imported  # the installed copy, not the checkout
