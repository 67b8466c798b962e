"""Every spec in specs/ built with real TeX: what its PDF says, and that nothing is overfull."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gen.cli.main import main
from gen.make.latexmk import compile_pdf, engine_for
from gen.render.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
NAMES = [p.stem for p in SPECS]


def pdf_text(pdf: Path) -> str:
    """The PDF's text, whitespace folded to single spaces."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory, tex) -> Path:
    out = tmp_path_factory.mktemp("sheets")
    assert main(["build", str(ROOT / "specs"), "-o", str(out)]) == 0
    return out


def _results(built: Path, name: str) -> dict:
    return json.loads((built / f"{name}.json").read_text(encoding="utf-8"))


def _lang(built: Path, name: str) -> str:
    return "zh" if r"{ctexart}" in (built / f"{name}.tex").read_text(encoding="utf-8") else "en"


def test_there_are_specs_in_both_languages(built):
    assert NAMES
    langs = {_lang(built, n) for n in NAMES}
    assert langs == {"en", "zh"}


@pytest.mark.parametrize("name", NAMES)
def test_the_pdf_shows_every_derivation_and_its_check(built, name):
    obj = _results(built, name)
    lang = _lang(built, name)
    msg = MESSAGES[lang]
    text = pdf_text(built / f"{name}.pdf")
    assert " ".join(obj["title"].split()) in text
    assert msg["notation"] in text and msg["definitions"] in text
    for d in obj["derivations"]:
        heading = msg[f"heading.{d['method']}"].split("{derivative}")
        assert max(heading, key=len).strip() in text, (name, d["method"])
    checks = text.count(msg["verified_steps"].split("{steps}")[0].strip())
    checks += text.count(msg["verified"].split("{points}")[0].strip())
    assert checks >= len(obj["derivations"]), name
    assert msg["failed"] not in text
    assert "?" not in text.replace("??", "")  # no undefined reference or missing glyph


@pytest.mark.parametrize("name", NAMES)
def test_several_methods_state_their_agreement(built, name):
    obj = _results(built, name)
    groups: dict[tuple, set[str]] = {}
    for d in obj["derivations"]:
        groups.setdefault((d["of"], d["wrt"], d["layout"]), set()).add(d["method"])
    expected = sum(1 for methods in groups.values() if len(methods) > 1)
    msg = MESSAGES[_lang(built, name)]
    said = pdf_text(built / f"{name}.pdf").count(msg["agree"].split("{methods}")[0].strip())
    assert said == expected


@pytest.mark.parametrize("name", NAMES)
def test_chinese_sheets_have_no_english_prose(built, name):
    if _lang(built, name) != "zh":
        assert "ctexart" not in (built / f"{name}.tex").read_text(encoding="utf-8")
        return
    text = pdf_text(built / f"{name}.pdf")
    english = {
        v
        for k, v in MESSAGES["en"].items()
        if len(v) > 4 and "{" not in v and v != MESSAGES["zh"][k]
    }
    assert sorted(w for w in english if w in text) == []
    assert re.search(r"[\u4e00-\u9fff]", text)


@pytest.mark.parametrize("name", NAMES)
def test_no_line_is_overfull(built, name, tmp_path):
    """The staged build folder is gone: compile the written NAME.tex again and read its log."""
    shutil.copy(built / f"{name}.tex", tmp_path / "sheet.tex")
    result = compile_pdf(tmp_path / "sheet.tex", engine=engine_for(_lang(built, name)))
    assert result.ok, result.log_excerpt
    assert result.log_path is not None
    log = result.log_path.read_text(errors="replace")
    assert "Overfull" not in log
    assert "Missing character" not in log


GOLDEN = ROOT / "tests" / "golden" / "specs"


@pytest.mark.parametrize("spec", sorted(GOLDEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_golden_specs_typeset_without_overfull_lines(tex, tmp_path, spec):
    """The small specs of tests/golden (a long gradient, bold names, Chinese) in real TeX."""
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 0
    work = tmp_path / "again"
    work.mkdir()
    shutil.copy(out / f"{spec.stem}.tex", work / "sheet.tex")
    lang = _lang(out, spec.stem)
    result = compile_pdf(work / "sheet.tex", engine=engine_for(lang))
    assert result.ok, result.log_excerpt
    assert result.log_path is not None
    log = result.log_path.read_text(errors="replace")
    assert "Overfull" not in log and "Missing character" not in log
    text = pdf_text(out / f"{spec.stem}.pdf")
    assert MESSAGES[lang]["notation"] in text
