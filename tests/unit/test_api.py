"""The Python API (SPEC section 10): gen.load/loads, Sheet, Derivation, SpecError."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import gen
import gradsheet

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "least-squares.yaml"

SMALL = """\
title: Small
variables:
  w: {shape: [n]}
  y: {shape: [n], props: [constant]}
define:
  r: w - y
  J: r'*r
derive:
  - of: J
    wrt: w
"""


def test_import_gen_loads_neither_numpy_nor_sympy():
    code = "import sys, gen, gradsheet; print('numpy' in sys.modules, 'sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_gradsheet_is_gen_api():
    assert gradsheet.loads is gen.loads and gradsheet.SpecError is gen.SpecError
    assert gradsheet.__version__ == gen.__version__
    with pytest.raises(AttributeError):
        gen.no_such_name  # noqa: B018


def test_load_gives_the_json_contract_of_a_build():
    sheet = gen.load(SPEC)
    results = sheet.results
    assert results["spec"] == "least-squares" and results["ok"] is True
    assert json.loads(json.dumps(results)) == results
    assert [d.result_text for d in sheet.derivations] == ["X'*(X*w - y)"] * 2 + ["z"]
    first = sheet.derivations[0]
    assert first.numpy == "X.T @ (X @ w - y)" and first.verified
    assert first.latex == "X^{\\top} (X w - y)"
    assert (
        first._repr_latex_()
        == "$\\displaystyle \\frac{\\partial J}{\\partial w} = X^{\\top} (X w - y)$"
    )


def test_loads_names_the_sheet_and_derives_it():
    sheet = gen.loads(SMALL, name="small")
    assert sheet.name == "small" and sheet.results["spec"] == "small"
    (d,) = sheet.derivations
    assert d.result_text == "2*(w - y)" and d.verified
    assert str(d).startswith("dJ/dw")


def test_the_sheet_displays_itself_escaped():
    sheet = gen.load(SPEC)
    page = sheet._repr_html_()
    assert "<table>" in page and "\\(X^{\\top} (X w - y)\\)" in page
    assert "X&#x27;*(X*w - y)" in page and "X'*" not in page
    assert sheet._repr_latex_().startswith("$\\displaystyle \\begin{gathered}")
    assert "<script" not in gen.loads(SMALL.replace("Small", "<script>x</script>"))._repr_html_()


def test_tex_and_body_are_what_a_build_writes(tmp_path):
    from gen.cli.main import main

    assert main(["build", str(SPEC), "-o", str(tmp_path), "--no-pdf", "-q"]) == 0
    sheet = gen.load(SPEC)
    assert sheet.tex() == (tmp_path / "least-squares.tex").read_text(encoding="utf-8")
    assert sheet.body() == (tmp_path / "least-squares.body.tex").read_text(encoding="utf-8")
    assert sheet.results == json.loads((tmp_path / "least-squares.json").read_text("utf-8"))


def test_errors_are_one_type_with_located_messages():
    bad = SMALL.replace("of: J", "of: K")
    with pytest.raises(gen.SpecError) as caught:
        gen.loads(bad, name="bad")
    (err,) = caught.value.errors
    assert (err.span.file, err.span.line, err.span.column) == ("bad.yaml", 9, 9)
    assert str(caught.value).startswith("bad.yaml:9:9: error: 'of: K'")
    assert "^" in str(caught.value)


def test_a_missing_file_is_a_spec_error(tmp_path):
    with pytest.raises(gen.SpecError, match="cannot read spec file"):
        gen.load(tmp_path / "none.yaml")


def test_yaml_errors_are_spec_errors():
    with pytest.raises(gen.SpecError) as caught:
        gen.loads("title: [unclosed\n")
    assert caught.value.errors and caught.value.errors[0].span.line is not None
