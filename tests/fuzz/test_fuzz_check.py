"""Fuzzing a whole check (load, program, derive, verify): never an exception, every error located."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from gen.make.pipeline import check_spec
from tests.fuzz.profiles import FUZZ, LONG

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [p.read_text("utf-8") for p in sorted((ROOT / "specs").glob("*.yaml"))] or ["title: T\n"]
PIECES = [
    "'",
    "*",
    "+",
    "-",
    "^-1",
    "^2",
    "^1000",
    "inv(",
    "tr(",
    ")",
    "x",
    "X",
    "w",
    "z",
    "J",
    "(",
    " ",
    "2",
    "0",
    "/",
    "./",
    ".*",
    "I",
    "n",
    "m",
    "1",
    "[]",
    "[n]",
    "[n, n]",
    "constant",
    "positive-definite",
    "symmetric",
    "\\lambda",
    "{",
    "}",
]


@FUZZ.__class__(FUZZ, max_examples=2000 if LONG else 40)
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 4), st.sampled_from(PIECES)), max_size=4),
)
def test_an_edited_spec_is_checked_or_refused_with_located_errors(tmp_path_factory, seed, edits):
    text = seed
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_text(text, "utf-8")
    _, _, outcome = check_spec(path, timeout=30)
    for err in outcome.errors:
        assert err.span is not None and err.span.file == str(path), err
    assert not outcome.internal, "\n".join(
        getattr(e, "detail", "") or str(e) for e in outcome.errors
    )
