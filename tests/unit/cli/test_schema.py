"""The JSON Schema of the spec format agrees with the loader, and the starter spec is valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from gen.cli.newspec import MODELINE, starter, target_path, write_new
from gen.cli.schema import SCHEMA_FILE, schema_text, spec_schema
from gen.errors import GenError, GenErrors
from gen.spec import load
from gen.spec.load import load_spec_text
from gen.spec.style import STYLE_KEYS

ROOT = Path(__file__).resolve().parents[3]
VALIDATOR = jsonschema.Draft202012Validator(spec_schema())


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(spec_schema())
    assert json.loads(schema_text()) == spec_schema()


def test_the_schema_names_the_loaders_keys():
    props = spec_schema()["properties"]
    assert list(props) == list(load._TOP_KEYS)
    assert list(props["variables"]["additionalProperties"]["properties"]) == list(
        load._VARIABLE_KEYS
    )
    assert list(props["derive"]["items"]["properties"]) == list(load._TARGET_KEYS)
    assert list(props["style"]["properties"]) == list(STYLE_KEYS)


@pytest.mark.parametrize("path", sorted((ROOT / "specs").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_spec_is_valid(path):
    assert list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text("utf-8")))) == []


@pytest.mark.parametrize(
    "text",
    [
        "title: T\nzzz: 1\n",
        "subtitle: no title\n",
        "title: T\nlayout: sideways\n",
        "title: T\nlang: fr\n",
        "title: T\nvariables:\n  x: {props: [symetric]}\n",
        "title: T\nvariables:\n  x: {shape: [1, 2, 3]}\n",
        "title: T\nvariables:\n  x: {shape: [0]}\n",
        "title: T\nvariables:\n  x: {shape: [n-1]}\n",
        "title: T\nvariables:\n  x: {colour: red}\n",
        "title: T\nvariables:\n  2x: {}\n",
        "title: T\nderive:\n  - {of: J}\n",
        "title: T\nderive:\n  - {of: J, wrt: x, method: magic}\n",
        "title: T\nderive:\n  - {of: J, wrt: x, order: 3}\n",
        "title: T\nstyle: {bold: 1}\n",
        "title: T\nstyle: {transpose: dagger}\n",
    ],
)
def test_the_loader_and_the_schema_refuse_the_same_mistakes(text):
    with pytest.raises(GenErrors):
        load_spec_text(text, "t.yaml")
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text))) != []


def test_a_starter_spec_is_valid_loads_and_carries_the_modeline(tmp_path):
    path = tmp_path / "week3.yaml"
    text = starter(path)
    assert text.splitlines()[0] == MODELINE == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text))) == []
    spec = load_spec_text(text, str(path))
    assert spec.title.value == "Week3" and [t.of.value for t in spec.targets] == ["J"]


def test_target_path():
    assert target_path("week3") == Path("specs/week3.yaml")
    assert target_path("week3.yaml") == Path("specs/week3.yaml")
    assert target_path("course/week3") == Path("course/week3.yaml")
    for bad in (".hidden", "a\x1bb", "x" * 300, ".yaml"):
        with pytest.raises(GenError, match="cannot name a spec"):
            target_path(bad)


def test_write_new_writes_the_spec_and_the_schema_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = write_new("week3")
    assert written == [Path("specs/week3.yaml"), Path("specs") / SCHEMA_FILE]
    assert json.loads((tmp_path / "specs" / SCHEMA_FILE).read_text()) == spec_schema()
    assert write_new("week4") == [Path("specs/week4.yaml")]  # the schema is current
    with pytest.raises(GenError, match="already exists"):
        write_new("week3")
    (tmp_path / "specs" / "week3.yaml").write_text("mine")
    assert write_new("week3", force=True)[0] == Path("specs/week3.yaml")
    assert (tmp_path / "specs" / "week3.yaml").read_text() != "mine"
