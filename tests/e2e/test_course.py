"""specs/course/ built with real TeX and --strict: every sheet written, every derivation verified."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gen.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "specs" / "course"
SPECS = sorted(COURSE.glob("*.yaml"))
NAMES = [p.stem for p in SPECS]
# A subtitle names its source: an author and a year, or a book's chapter, section or equation.
SOURCE_RE = re.compile(r"(\d{4}|\b\d+(\.\d+)+\b|eq\.|section|notes|appendix|algorithm)")


@pytest.fixture(scope="module")
def built(tmp_path_factory, tex) -> Path:
    """The course built once for every test here: sheets, slides, exercises, web pages and
    Markdown, --strict."""
    out = tmp_path_factory.mktemp("course")
    args = ["build", str(COURSE), "-o", str(out), "--to", "pdf,body,json,slides,exercise,html,md"]
    assert main([*args, "--strict", "--force", "-j", "2"]) == 0
    return out


def overfull(built: Path, name: str) -> list[str]:
    """The overfull boxes the TeX logs of a spec's outputs showed (gen/make/texlog.py reads
    them into the build's manifest), of the sheet, the slides and the exercise alike."""
    manifest = json.loads((built / ".gradsheet" / "cache" / f"{name}.json").read_text("utf-8"))
    return [w["message"] for w in manifest["warnings"] if "Overfull" in w["message"]]


def _results(built: Path, name: str) -> dict:
    return json.loads((built / f"{name}.json").read_text(encoding="utf-8"))


def test_the_course_has_at_least_25_specs():
    assert len(SPECS) >= 25, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_spec_builds_clean_and_verified(built, name):
    for suffix in (".pdf", ".tex", ".body.tex", ".json", ".html", ".md", ".slides.pdf"):
        assert (built / f"{name}{suffix}").is_file(), (name, suffix)
    obj = _results(built, name)
    assert obj["ok"] is True and obj["errors"] == [], (name, obj["errors"])
    assert obj["derivations"], name
    for d in obj["derivations"]:
        where = (name, d["of"], d["wrt"], d["method"])
        assert d["verified"]["numeric"] is True, where
        assert d["verified"]["max_rel_error"] < 1e-6, where
        for step in d["steps"]:
            assert step.get("verified", True) is True, (where, step["latex"])


@pytest.mark.parametrize("name", NAMES)
def test_no_line_is_wider_than_its_column_on_the_sheet_slides_or_exercise(built, name):
    for suffix in (".pdf", ".slides.pdf", ".exercise.pdf"):
        assert (built / f"{name}{suffix}").is_file(), (name, suffix)
    assert overfull(built, name) == [], name


def test_the_held_back_specs_are_back():
    # the course specs once held back in specs/course/pending/ for overfull lines are built
    assert not (COURSE / "pending").exists()
    for name in ("attention", "batch-norm", "layer-norm", "three-layer-network"):
        text = (COURSE / f"{name}.yaml").read_text("utf-8")
        assert "PENDING" not in text and "method: [chain, differential]" in text, name


@pytest.mark.parametrize("name", NAMES)
def test_each_methods_list_agrees(built, name):
    spec = COURSE / f"{name}.yaml"
    listed = spec.read_text(encoding="utf-8").count("method: [")
    obj = _results(built, name)
    agreed = [d for d in obj["derivations"] if "agreement" in d]
    # each target derived by a list of methods gives one derivation per method, each carrying
    # the agreement of them all
    assert len({(d["of"], d["wrt"], d.get("order", 1)) for d in agreed}) == listed, name
    for d in agreed:
        assert d["agreement"]["ok"] is True, (name, d["of"], d["wrt"], d["agreement"])
        assert d["method"] in d["agreement"]["methods"], (name, d["method"])


@pytest.mark.parametrize("name", NAMES)
def test_each_subtitle_cites_a_source(name):
    subtitle = next(
        line.split(":", 1)[1].strip()
        for line in (COURSE / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
        if line.startswith("subtitle:")
    )
    assert SOURCE_RE.search(subtitle), (name, subtitle)
