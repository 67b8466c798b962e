"""The ``graph`` key of a derive item: the composition graph's figure on or off."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from gen.cli.schema import spec_schema
from gen.errors import GenError, GenErrors
from gen.spec.load import load_spec_text
from gen.spec.model import Target

HEAD = """\
title: T
variables:
  w: {shape: [n]}
define:
  J: w'*w
derive:
  - of: J
    wrt: w
"""


def target(extra: str = "") -> Target:
    return load_spec_text(HEAD + extra, "t.yaml").targets[0]


def one(extra: str) -> tuple[str, int | None, int | None, int]:
    """The only error: message, line, column, length."""
    with pytest.raises(GenErrors) as info:
        load_spec_text(HEAD + extra, "t.yaml")
    errs: list[GenError] = info.value.errors
    assert len(errs) == 1, [e.message for e in errs]
    span = errs[0].span
    assert span is not None
    return errs[0].message, span.line, span.column, span.length


def test_absent_is_none_the_method_decides() -> None:
    assert target().graph is None


@pytest.mark.parametrize(("word", "value"), [("true", True), ("false", False)])
def test_true_or_false(word: str, value: bool) -> None:
    assert target(f"    graph: {word}\n").graph is value


def test_in_a_flow_item() -> None:
    text = "title: T\nvariables: {w: {shape: [n]}}\nderive:\n  - {of: w, wrt: w, graph: false}\n"
    assert load_spec_text(text, "t.yaml").targets[0].graph is False


@pytest.mark.parametrize("word", ["yes", "no", "on", "True", "1"])
def test_other_words_are_refused_at_the_value(word: str) -> None:
    assert one(f"    graph: {word}\n") == (
        f"'derive.graph' must be true or false, not '{word}'",
        9,
        12,
        len(word),
    )


def test_a_quoted_true_is_refused_at_its_text() -> None:
    message, line, column, _ = one('    graph: "true"\n')
    assert (message, line, column) == ("'derive.graph' must be true or false, not 'true'", 9, 13)


@pytest.mark.parametrize(("value", "kind"), [("", "empty"), ("[true]", "a list")])
def test_not_a_word_is_refused(value: str, kind: str) -> None:
    message, line, _, _ = one(f"    graph: {value}\n")
    assert message == f"'derive.graph' must be true or false, not {kind}"
    assert line == 9


def test_a_misspelt_key_suggests_graph() -> None:
    message, line, _, _ = one("    grahp: true\n")
    assert "grahp" in message and "graph" in message and line == 9


def test_the_schema_takes_a_boolean_and_refuses_a_word() -> None:
    validator = jsonschema.Draft202012Validator(spec_schema())
    assert list(validator.iter_errors(yaml.safe_load(HEAD + "    graph: false\n"))) == []
    assert list(validator.iter_errors(yaml.safe_load(HEAD + "    graph: maybe\n"))) != []
    with pytest.raises(GenErrors):
        target("    graph: maybe\n")
