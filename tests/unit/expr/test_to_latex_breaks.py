"""The break marks of to_latex (breaks=True): where a long line may break, and sized brackets."""

from __future__ import annotations

import pytest

from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_latex import (
    BREAK,
    BREAK_DEEP,
    BREAK_INNER,
    BREAK_INNER_OP,
    BREAK_MUL,
    BREAK_OP,
    strip_breaks,
    symbols,
    to_latex,
)

LONG = "A .* B .* C .* X .* G + X .* G .* A .* B .* C + B .* C .* X .* G .* A"  # 29 symbols
SHAPES = {
    "A": (3, 3),
    "B": (3, 3),
    "C": (3, 3),
    "X": (3, 3),
    "G": (3, 3),
    "w": (3, 1),
    "x": (3, 1),
    "a": (1, 1),
}


def tex(text: str, breaks: bool = True) -> str:
    node = parse(text)
    infer(node, SHAPES)
    return to_latex(node, breaks=breaks)


def test_top_level_sum_and_hadamard_products_get_their_own_marks():
    assert tex("A*w + B*w - x") == rf"A w {BREAK} + B w {BREAK} - x"
    assert tex("A .* B .* C") == rf"A {BREAK_OP} \odot B {BREAK_OP} \odot C"
    assert tex("A .* B ./ C") == rf"(A \odot B) {BREAK_OP} \oslash C"


def test_marks_inside_brackets_are_demoted_by_depth():
    inner = tex(f"({LONG}) * ({LONG})")
    assert f"{BREAK_INNER} +" in inner and rf"{BREAK_INNER_OP} \odot" in inner
    assert f"{BREAK} " not in inner and f"{BREAK_OP} " not in inner
    assert f") {BREAK_MUL} (" in inner  # between the two factors
    deep = tex(f"tr(({LONG}) * ({LONG}))")
    assert f"{BREAK_DEEP} +" in deep and rf"{BREAK_DEEP} \odot" in deep


def test_a_function_argument_may_break():
    latex = tex(f"tr({LONG})")
    assert latex.startswith(r"\operatorname{tr}(A ")
    assert f"{BREAK_INNER} +" in latex and rf"{BREAK_INNER_OP} \odot" in latex


def test_short_brackets_and_plain_products_hold_no_marks():
    assert tex("X'*(X*w - x)") == rf"X^{{\top}} {BREAK_MUL} (X w - x)"
    assert tex("A*B*w") == "A B w"
    assert tex("tr(A + B)") == r"\operatorname{tr}(A + B)"


@pytest.mark.parametrize(
    "text",
    [
        f"(A/2 + {LONG}) * w",
        f"tr((1/2*A + {LONG})' * X)",
        f"(A/(a + 1) + {LONG}) .* X",
    ],
)
def test_with_marks_brackets_are_sized_never_left_right(text):
    latex = tex(text)
    assert r"\left(" not in latex and r"\right)" not in latex
    assert r"\left(" in tex(text, breaks=False)  # without marks, tall content gets \left(


def test_brackets_around_a_fraction_start_at_bigg_and_grow_with_depth():
    latex = tex(f"((A/2 + {LONG}) * X + {LONG}) .* X")
    assert r"\Biggl(\biggl(\frac{A}{2}" in latex
    assert tex(
        "(sqrt(a) + A .* B .* C .* X .* G .* A .* B .* C .* X .* G .* A .* B) * w"
    ).startswith(r"\Bigl(\sqrt{a}")


def test_no_mark_where_tex_cannot_break():
    latex = tex("(A .* B + C)^2 + sqrt(a + a .* a) + A/(a + 1)")
    assert BREAK not in latex.split(r"\sqrt{")[1].split("}")[0]
    assert r"\frac{A}{a + 1}" in latex


def test_strip_breaks_gives_the_unmarked_latex():
    for text in ("A*w + B*w - x", f"tr({LONG})", f"({LONG}) * ({LONG})"):
        assert BREAK not in strip_breaks(tex(text))
        assert strip_breaks(tex(text)) == tex(text, breaks=False)


def test_symbols_counts_what_is_printed():
    assert symbols(r"\mathrm{d}X - \operatorname{mean}_{1}(\mathrm{d}X)") == 12
    assert symbols("A w") == 2
