"""The exercise sheets of every spec in specs/ (``--to exercise``) give no answer away.

The answers come from a separate, normal build (``--to json,body``): each
result's text, LaTeX and numpy forms, and each step's LaTeX, whole and its
right-hand side alone. Every file the exercise build writes is searched for
them: the ``.tex``, the text of the PDF (pdftotext), and every other file in
the output folder, the cache folder ``.gradsheet`` included.

The rule for givens: a short answer such as ``z`` or ``X`` may be printed
innocently, because it is also a given. So a form is not searched for when the
normal sheet prints it among its givens: in the part of its ``.body.tex``
before the first derivation (the notation: dimensions, variables, layout and
definitions) or in the spec's own YAML. Every other form must be absent. The
``\\gsbreak`` marks where a long right-hand side may break are removed from the
files first, so that a broken form still matches. The search itself is checked
on the normal sheet, where it must find the answers.
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
BREAK = re.compile(r"\\gsbreak(?:in)?\s")


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def normal(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("normal")
    assert main(["build", str(ROOT / "specs"), "-o", str(out), "--to", "json,body"]) == 0
    return out


@pytest.fixture(scope="module")
def exercise(tmp_path_factory, tex) -> Path:
    out = tmp_path_factory.mktemp("exercise")
    assert main(["build", str(ROOT / "specs"), "-o", str(out), "--to", "exercise", "-j", "2"]) == 0
    return out


def givens(normal: Path, name: str) -> str:
    """What the normal sheet prints before its first derivation, and the spec's YAML."""
    body = (normal / f"{name}.body.tex").read_text("utf-8")
    notation = re.split(r"\\subsection\{", body, maxsplit=1)[0]
    return BREAK.sub("", notation) + "\n" + (ROOT / "specs" / f"{name}.yaml").read_text("utf-8")


def answers(normal: Path, name: str) -> set[str]:
    """Every form of every result and step that is not also a given (see the docstring)."""
    forms: set[str] = set()
    for d in json.loads((normal / f"{name}.json").read_text("utf-8"))["derivations"]:
        forms.update(d["result"][k] for k in ("text", "latex", "numpy"))
        for step in d["steps"]:
            forms.add(step["latex"])
            forms.add(step["latex"].split(" = ", 1)[-1])
    known = givens(normal, name)
    return {f.strip() for f in forms if f.strip() and f.strip() not in known}


def searched(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` as text (a PDF also as its pdftotext text)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(folder))] = BREAK.sub(
                "", path.read_bytes().decode("utf-8", errors="ignore")
            )
            if path.suffix == ".pdf":
                out[f"{path.relative_to(folder)} (text)"] = pdf_text(path)
    return out


def leaks(forms: set[str], files: dict[str, str]) -> list[tuple[str, str]]:
    return [(file, form) for file, text in files.items() for form in forms if form in text]


@pytest.mark.parametrize("name", NAMES)
def test_no_file_of_the_exercise_build_holds_an_answer(normal, exercise, name):
    forms = answers(normal, name)
    assert forms  # every spec has answers that are not givens
    assert leaks(forms, searched(exercise)) == []


def test_the_search_finds_the_answers_where_they_are(normal):
    for name in NAMES:
        files = {"body": BREAK.sub("", (normal / f"{name}.body.tex").read_text("utf-8"))}
        files["json"] = (normal / f"{name}.json").read_text("utf-8")
        assert leaks(answers(normal, name), files), name


def test_the_exercise_build_writes_no_json_and_no_results(exercise):
    written = sorted(p.name for p in exercise.iterdir() if p.is_file())
    assert written == sorted(f"{n}.exercise.{ext}" for n in NAMES for ext in ("tex", "pdf"))
    for manifest in (exercise / ".gradsheet" / "cache").glob("*.json"):
        obj = json.loads(manifest.read_text("utf-8"))
        assert set(obj) == {
            "format",
            "key",
            "templates",
            "templates_hash",
            "pdf",
            "outputs",
            "warnings",
        }
        assert obj["warnings"] == []


@pytest.mark.parametrize("name", NAMES)
def test_the_exercise_states_the_problem_with_room_to_write(normal, exercise, name):
    obj = json.loads((normal / f"{name}.json").read_text("utf-8"))
    tex = (exercise / f"{name}.exercise.tex").read_text("utf-8")
    rooms = re.findall(r"^\\gsroom\{(\d+)\}", tex, re.MULTILINE)
    assert len(rooms) == len(obj["derivations"])
    assert all(8 <= int(r) <= 22 for r in rooms)
    assert r"\linewidth-2\fboxsep" in tex  # the box is as wide as the text
    text = " ".join(pdf_text(exercise / f"{name}.exercise.pdf").split())
    assert " ".join(obj["title"].split()) in text
