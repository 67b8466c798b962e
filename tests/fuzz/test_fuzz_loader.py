"""Fuzzing the spec loader: any text gives a spec or located errors, never another exception."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from gen.errors import GenErrors
from gen.spec.load import load_spec_text
from gen.spec.model import Spec
from tests.fuzz.profiles import FUZZ

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [p.read_text("utf-8") for p in sorted((ROOT / "specs").glob("*.yaml"))] or ["title: T\n"]
PATH = "fuzz.yaml"
BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

KEYS = [
    "title",
    "subtitle",
    "author",
    "lang",
    "layout",
    "style",
    "template",
    "dims",
    "variables",
    "define",
    "derive",
    "shape",
    "text",
    "latex",
    "props",
    "of",
    "wrt",
    "method",
    "order",
    "bold",
    "transpose",
    "x",
    "X",
    "J",
    "n",
    "<<",
    "?",
    "1",
]
SCALARS = st.one_of(
    st.sampled_from(
        [
            "en",
            "zh",
            "mixed",
            "numerator",
            "denominator",
            "differential",
            "chain",
            "index",
            "true",
            "false",
            "yes",
            "NO",
            "~",
            "null",
            "0755",
            "1:20",
            "2024-01-01",
            "1e309",
            ".inf",
            "-.nan",
            "x'*x",
            "\\lambda",
            "\\input{x}",
            "[m, n]",
            "{",
            "*a",
            "&a",
            "!!python/object:os.system",
            "---",
            "...",
            "'",
            '"',
            "\t",
            "%",
            "@",
            "`",
        ]
    ),
    st.text(max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=30,
)


def check(text: str) -> None:
    """The property: a Spec, or GenErrors whose every error is located in this file."""
    try:
        spec = load_spec_text(text, PATH)
    except GenErrors as errs:
        assert errs.errors
        lines = len(BREAKS.split(text)) + 1  # YAML breaks lines at \r, NEL, LS and PS too
        for err in errs.errors:
            assert err.span is not None and err.span.file == PATH, err
            if err.span.line is not None:
                assert 1 <= err.span.line <= lines, err
                assert err.span.column is None or err.span.column >= 1, err
            assert str(err).startswith(f"{PATH}")
        return
    assert isinstance(spec, Spec)


@FUZZ
@given(st.text(max_size=400))
def test_any_text(text):
    check(text)


@FUZZ
@given(TREES)
def test_any_yaml_tree(tree):
    check(yaml.safe_dump(tree, allow_unicode=True))


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 8), st.text(max_size=6)), max_size=6),
)
def test_edited_real_specs(seed, edits):
    text = seed
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    check(text)


@FUZZ
@given(st.sampled_from(SEEDS), st.integers(0, 2**32 - 1))
def test_real_specs_with_lines_shuffled_or_repeated(seed, salt):
    rows = seed.splitlines()
    if rows:
        i, j = salt % len(rows), (salt // 7) % len(rows)
        rows[i], rows[j] = rows[j], rows[i]
        rows.insert((salt // 13) % len(rows), rows[(salt // 17) % len(rows)])
    check("\n".join(rows) + "\n")
