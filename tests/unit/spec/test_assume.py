"""The ``assume`` key (SPEC section 8): entrywise comparisons, parsed with located errors."""

from __future__ import annotations

import pytest

from gen.errors import GenErrors
from gen.program import build_program
from gen.spec.load import load_spec_text

HEAD = """\
title: T
variables:
  A: {shape: [m, n]}
  b: {shape: [m]}
  x: {shape: [n]}
define:
  s: b - A*x
assume:
"""


def errors(assume: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(GenErrors) as info:
        build_program(load_spec_text(HEAD + assume, "t.yaml"))
    return [(e.message, e.span.line, e.span.column) for e in info.value.errors if e.span]


def test_comparisons_of_values_and_of_sizes() -> None:
    spec = load_spec_text(HEAD + "  - b - A*x > 0\n  - m >= n\n  - (x'*x) <= 4\n", "t.yaml")
    got = [(a.left.value, a.op, a.right.value) for a in spec.assumptions]
    assert got == [("b - A*x", ">", "0"), ("m", ">=", "n"), ("(x'*x)", "<=", "4")]
    right = spec.assumptions[0].right
    assert (right.where.line, right.where.column) == (9, 15)  # the side's own place
    program = build_program(spec)
    assert [c.sizes_only for c in program.conditions] == [False, True, False]


def test_no_comparison() -> None:
    assert errors("  - b - A*x\n") == [
        (
            "'b - A*x': an assumption compares two expressions with <, <=, > or >=, "
            "e.g. b - A*x > 0",
            9,
            5,
        )
    ]


def test_one_comparison_per_entry() -> None:
    assert errors("  - 0 < s < 1\n") == [
        ("'0 < s < 1': one comparison per assumption; write each as its own entry", 9, 11)
    ]


def test_an_empty_side() -> None:
    assert errors("  - s >\n") == [("'s >': a side of '>' is empty", 9, 8)]


def test_not_a_list() -> None:
    (message, line, _), *_ = errors("  s > 0\n")
    assert message.startswith("'assume' must be a list of comparisons") and line == 9


def test_sides_of_different_shapes() -> None:
    assert errors("  - s > x\n") == [
        (
            "'s > x' compares [m, 1] with [n, 1]: the sides need one shape (or a scalar)",
            9,
            5,
        )
    ]


def test_an_unknown_name_in_a_side_is_located_in_the_side() -> None:
    (message, line, column), *_ = errors("  - s > zz\n")
    assert "zz" in message and (line, column) == (9, 9)
