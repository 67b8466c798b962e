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
    out = tmp_path_factory.mktemp("course")
    assert main(["build", str(COURSE), "-o", str(out), "--strict", "--force"]) == 0
    return out


def _results(built: Path, name: str) -> dict:
    return json.loads((built / f"{name}.json").read_text(encoding="utf-8"))


def test_the_course_has_at_least_25_specs():
    assert len(SPECS) >= 25, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_spec_builds_clean_and_verified(built, name):
    for suffix in (".pdf", ".tex", ".body.tex", ".json"):
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
