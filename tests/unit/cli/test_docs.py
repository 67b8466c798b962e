"""``gradsheet docs``: the shipped pages a pip user has; ``new`` and the schema point to them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gen.cli.docs import doc_path, docs_dir, topics
from gen.cli.main import main
from gen.cli.newspec import starter
from gen.cli.schema import schema_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: tomli, a dependency there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[3]


def test_the_pages_are_found_and_printed(capsys):
    assert doc_path("spec") == docs_dir() / "spec.md" and doc_path("spec").is_file()
    assert {"spec", "cli", "api"} <= set(topics())
    assert main(["docs", "spec"]) == 0
    assert Path(capsys.readouterr().out.strip()) == doc_path("spec")
    assert main(["docs"]) == 0 and Path(capsys.readouterr().out.strip()) == docs_dir()


def test_an_unknown_page_is_a_usage_error_naming_the_topics(capsys):
    assert main(["docs", "nowhere"]) == 2
    assert "no page 'nowhere'; the topics: " in capsys.readouterr().err


def test_new_and_the_schema_point_to_the_command_not_to_a_path_a_pip_user_lacks():
    text = starter(Path("specs/week3.yaml"))
    assert "`gradsheet docs spec`" in text and "docs/spec.md" not in text
    description = json.loads(schema_text())["description"]
    assert "`gradsheet docs spec`" in description


def test_the_pages_ship_in_the_wheel():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    tools = project["tool"]["setuptools"]
    assert "gen.docs" in tools["packages"] and tools["package-dir"]["gen.docs"] == "docs"
    assert "*.md" in tools["package-data"]["gen.docs"]
    assert "gradsheet" in tools["packages"] and (ROOT / "gradsheet" / "__init__.py").is_file()
