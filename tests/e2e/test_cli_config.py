"""gradsheet.toml in a project: defaults for specs that do not say, the fragment's headings."""

from __future__ import annotations

import json

from tests.e2e.cli_helpers import gradsheet, small


def _layouts(out, name: str = "ls") -> list[str]:
    return [d["layout"] for d in json.loads((out / f"{name}.json").read_text())["derivations"]]


def test_the_project_sets_layout_language_and_heading_of_specs_that_do_not(tmp_path):
    small(tmp_path / "specs")  # says neither layout nor lang
    own = small(tmp_path / "specs", "own")
    own.write_text("layout: numerator\nlang: en\n" + own.read_text(), "utf-8")
    (tmp_path / "gradsheet.toml").write_text(
        'output = "site"\nlayout = "denominator"\nlang = "zh"\nheading = "section"\n'
    )
    done = gradsheet("build", "specs", "--no-pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "site"
    assert _layouts(out) == ["denominator"] and _layouts(out, "own") == ["numerator"]
    assert "布局" in (out / "ls.tex").read_text() and "布局" not in (out / "own.tex").read_text()
    assert r"\providecommand{\gsheadinglevel}{section}" in (out / "ls.body.tex").read_text()


def test_a_changed_setting_rebuilds_and_the_command_line_wins(tmp_path):
    small(tmp_path / "specs")
    config = tmp_path / "gradsheet.toml"
    config.write_text('layout = "denominator"\n')
    assert gradsheet("build", "specs", "--no-pdf", cwd=tmp_path).returncode == 0
    again = gradsheet("build", "specs", "--no-pdf", "-v", cwd=tmp_path)
    assert "up to date" in again.stderr
    config.write_text('layout = "numerator"\n')
    changed = gradsheet("build", "specs", "--no-pdf", "-v", cwd=tmp_path)
    assert changed.returncode == 0 and "up to date" not in changed.stderr
    assert _layouts(tmp_path / "output") == ["numerator"]
    chapter = gradsheet("build", "specs", "--no-pdf", "--heading", "chapter", cwd=tmp_path)
    assert chapter.returncode == 0, chapter.stderr
    body = (tmp_path / "output" / "ls.body.tex").read_text()
    assert r"\providecommand{\gsheadinglevel}{chapter}" in body


def test_check_honours_the_project_too(tmp_path):
    small(tmp_path / "specs")
    (tmp_path / "gradsheet.toml").write_text('layout = "numerator"\n')
    done = gradsheet("check", "specs", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [d["layout"] for d in json.loads(done.stdout)["derivations"]] == ["numerator"]


def test_a_bad_setting_is_a_located_usage_error(tmp_path):
    small(tmp_path / "specs")
    (tmp_path / "gradsheet.toml").write_text('jobs = 2\nheading = "title"\n')
    done = gradsheet("build", "specs", "--no-pdf", cwd=tmp_path)
    assert done.returncode == 2
    assert "gradsheet.toml:2:1" in done.stderr and "'heading' must be one of" in done.stderr
    assert not (tmp_path / "output").exists()
