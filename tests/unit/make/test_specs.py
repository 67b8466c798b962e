"""Finding specs and naming their outputs: odd file names, repeated names, hidden files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.make.specs import find_specs, name_problem, output_name, shown_path


def test_find_specs_in_folders_and_files_sorted_and_once(tmp_path):
    (tmp_path / "b.yaml").write_text("")
    (tmp_path / "a.yml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / ".hidden.yaml").write_text("")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text("")
    found, errors = find_specs([str(tmp_path), str(tmp_path / "b.yaml")])
    assert [p.name for p in found] == ["a.yml", "b.yaml"]
    assert errors == []


def test_find_specs_reports_missing_paths(tmp_path):
    found, errors = find_specs([str(tmp_path / "nope"), str(tmp_path)])
    assert found == []
    assert [e.message for e in errors] == [f"no such spec file or folder: {tmp_path / 'nope'}"]


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("least-squares.yaml", "least-squares"),
        ("a.b.yml", "a.b"),
        ("my spec (v2).yaml", "my spec (v2)"),
        ("ünïcödé.yaml", "ünïcödé"),
        ("..yaml", "."),
        (".yaml", ".yaml"),
    ],
)
def test_output_name(file, name):
    assert output_name(Path("specs") / file) == name


@pytest.mark.parametrize("name", ["ls", "my spec (v2)", "$x & #y %z", "-rf", "ünï", "a.b"])
def test_good_names(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "it is empty or starts with '.'"),
        (".", "it is empty or starts with '.'"),
        ("..", "it is empty or starts with '.'"),
        (".hidden", "it is empty or starts with '.'"),
        ("a\nb", "it holds the character U+000A"),
        ("a\x1b[2Jb", "it holds the character U+001B"),
        ("a\u202eb", "it holds the character U+202E"),
        ("a\\b", "it holds the character U+005C"),
        ("x" * 201, "it is longer than 200 bytes"),
    ],
)
def test_bad_names(name, why):
    assert name_problem(name) == why


def test_shown_path_hides_control_characters():
    assert shown_path("specs/a\x1b[31mb.yaml") == "specs/a\ufffd[31mb.yaml"
    assert shown_path(Path("a/b.yaml")) == "a/b.yaml"
