"""The sheet context made from real derivations (docs/templates.md documents every key)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from gen.derive.notes import Note
from gen.derive.steps import Differential, Partial, Step
from gen.expr.ast import Binary, Name, Num
from gen.render.results import derivation_json
from gen.render.sheet import render_tex
from gen.render.view import sheet_context

from .helpers import derived, with_style

CHAIN = """\
title: Chain
subtitle: Two methods
author: Staff
layout: mixed
dims:
  m: samples
  n:
variables:
  X: {shape: [m, n], props: [constant], text: design}
  w: {shape: [n]}
  y: {shape: [m], props: [constant]}
define:
  z: X*w - y
  J: 1/2 * z'*z
derive:
  - of: J
    wrt: w
    method: [chain, differential]
    text: Both ways.
  - of: J
    wrt: w
    layout: numerator
  - of: J
    wrt: w
    layout: denominator
"""

TOP_KEYS = {
    "title",
    "subtitle",
    "author",
    "lang",
    "msg",
    "style",
    "layout",
    "dims",
    "variables",
    "definitions",
    "assumptions",
    "derivations",
}
DERIVATION_KEYS = {
    "names",
    "number",
    "layout_in_heading",
    "title",
    "inline",
    "of",
    "wrt",
    "order",
    "layout",
    "method",
    "kind",
    "shape",
    "text",
    "given",
    "graph",
    "steps",
    "result_lhs",
    "result",
    "verified",
    "agree",
}
STEP_KEYS = {"lhs", "rhs", "note", "factors", "lhs_shape", "checked"}


def context(text: str = CHAIN) -> dict:
    return sheet_context(*derived(text))


def test_the_context_has_the_documented_keys():
    ctx = context()
    assert set(ctx) == TOP_KEYS
    assert (ctx["title"], ctx["subtitle"], ctx["author"], ctx["lang"]) == (
        "Chain",
        "Two methods",
        "Staff",
        "en",
    )
    assert ctx["style"] == {"bold": False, "transpose": "top", "mark": r"^{\top}"}
    assert set(ctx["layout"]) == {"name", "summary", "implied"}
    assert ctx["dims"] == [{"latex": "m", "note": "samples"}, {"latex": "n", "note": None}]
    assert ctx["variables"][0] == {
        "latex": "X",
        "shape": r"m \times n",
        "text": "design",
        "props": ["constant"],
    }
    for d in ctx["derivations"]:
        assert set(d) == DERIVATION_KEYS
        assert set(d["verified"]) == {"ok", "max_rel_error", "points", "steps", "checkable"}
        for s in d["steps"]:
            assert set(s) == STEP_KEYS
    assert [d["number"] for d in ctx["derivations"]] == [1, 2, 3, 4]


def test_definitions_may_break_at_their_top_level_sum():
    ctx = context()
    assert ctx["definitions"] == [
        {"lhs": "z", "rhs": r"X w \gsbreak - y", "shape": r"m \times 1", "text": None, "props": []},
        {
            "lhs": "J",
            "rhs": r"\frac{1}{2} z^{\top} z",
            "shape": r"1 \times 1",
            "text": None,
            "props": [],
        },
    ]


def test_the_layout_lists_each_derivative_once_per_shape():
    implied = context()["layout"]["implied"]
    assert implied == [
        {"lhs": r"\partial J/\partial w", "space": r"\mathbb{R}^{n \times 1}", "layout": "mixed"},
        {
            "lhs": r"\partial J/\partial w",
            "space": r"\mathbb{R}^{1 \times n}",
            "layout": "numerator",
        },
    ]


def test_the_chain_rule_step_shows_each_factor_with_its_shape():
    chain = context()["derivations"][0]
    assert chain["method"] == "chain"
    rule = next(s for s in chain["steps"] if s["factors"])
    assert rule["lhs"] == r"\frac{\partial J}{\partial w}"
    assert rule["lhs_shape"] == r"n \times 1"
    assert rule["factors"] == [
        {"latex": r"\left(\frac{\partial z}{\partial w}\right)^{\top}", "shape": r"n \times m"},
        {"latex": r"\frac{\partial J}{\partial z}", "shape": r"m \times 1"},
    ]
    assert all(not s["factors"] for s in context()["derivations"][1]["steps"])


def test_the_agreement_of_methods_is_stated_once_per_group():
    ds = context()["derivations"]
    assert [d["agree"] is not None for d in ds] == [False, True, False, False]
    agree = ds[1]["agree"]
    assert agree["methods"] == ["chain", "differential"] and agree["ok"] is True
    assert agree["max_rel_error"] < 1e-9


def test_a_repeated_left_hand_side_is_left_blank_and_a_repeated_line_dropped():
    program, ds = derived(CHAIN)
    d = ds[1]
    same = Step(Partial("J", "w"), Name("w", shape=("n", 1)), (Note("collect"),))
    twice = dataclasses.replace(d, steps=(*d.steps, same, Step(None, same.rhs, ())))
    steps = sheet_context(program, [twice])["derivations"][0]["steps"]
    assert len(steps) == len(d.steps) + 1
    assert steps[-1]["lhs"] == "" and steps[-1]["note"] == "collect like terms"
    assert steps[-1]["rhs"] == "w" != steps[-2]["rhs"]


def test_a_step_that_asks_for_shapes_gets_braces():
    program, ds = derived(CHAIN)
    d = ds[1]
    x, w = Name("X", shape=("m", "n")), Name("w", shape=("n", 1))
    half = Num(Fraction(1, 2), shape=(1, 1))
    product = Binary("*", half, Binary("*", x, w, shape=("m", 1)), shape=("m", 1))

    @dataclasses.dataclass(frozen=True)
    class ShapedStep(Step):
        shapes: bool = True

    step = ShapedStep(Differential("z"), product, ())
    view = sheet_context(program, [dataclasses.replace(d, steps=(step,))])
    shown = view["derivations"][0]["steps"][0]
    assert shown["factors"] == [
        {"latex": r"\frac{1}{2}", "shape": ""},
        {"latex": "X", "shape": r"m \times n"},
        {"latex": "w", "shape": r"n \times 1"},
    ]
    assert shown["lhs_shape"] == r"m \times 1"
    _, body = render_tex(view)
    assert (
        r"\underbrace{\mathrm{d}z}_{m \times 1} &= \gsrhs{1}{\frac{1}{2} \gsbreakmul "
        r"\underbrace{X}_{m \times n} \gsbreakmul \underbrace{w}_{n \times 1}}"
    ) in body


def test_bold_and_transpose_reach_every_part_of_the_sheet():
    ctx = context(with_style(CHAIN, "{bold: true, transpose: T}"))
    assert ctx["style"] == {"bold": True, "transpose": "T", "mark": "^{T}"}
    assert [v["latex"] for v in ctx["variables"]] == [
        r"\boldsymbol{X}",
        r"\boldsymbol{w}",
        r"\boldsymbol{y}",
    ]
    assert ctx["definitions"][1]["rhs"] == r"\frac{1}{2} \boldsymbol{z}^{T} \boldsymbol{z}"
    differential = ctx["derivations"][1]
    assert differential["result"] == (
        r"\boldsymbol{X}^{T} \gsbreakmul (\boldsymbol{X} \boldsymbol{w} - \boldsymbol{y})"
    )
    assert differential["inline"] == r"\partial J/\partial \boldsymbol{w}"
    text = " ".join(s["rhs"] + s["note"] for s in differential["steps"])
    assert r"\top" not in text and "^{T}" in text
    assert r"\mathrm{d}J = \boldsymbol{g}^{T}\mathrm{d}\boldsymbol{w}" in text


def test_json_latex_follows_the_style_without_break_marks():
    program, ds = derived(with_style(CHAIN, "{transpose: prime}"))
    obj = derivation_json(program, ds[1])
    assert obj["result"]["latex"] == "X' (X w - y)"
    assert obj["result"]["text"] == "X'*(X*w - y)"
    assert all(r"\gsbreak" not in s["latex"] for s in obj["steps"])
    assert obj["steps"][0]["latex"].startswith(r"\mathrm{d}J = \frac{1}{2}\,\mathrm{d}z'\,z")
    assert "bring to the form dJ = g' dw" in " ".join(s["note"] for s in obj["steps"])


def test_methods_never_compared_are_compared_for_the_sheet():
    program, ds = derived(CHAIN)
    bare = [dataclasses.replace(d, agreement=None) for d in ds]
    views = sheet_context(program, bare)["derivations"]
    assert [v["agree"] is not None for v in views] == [False, True, False, False]
    assert views[1]["agree"]["ok"] is True


def test_json_steps_name_the_pair_they_equal():
    program, ds = derived(CHAIN)
    chain = derivation_json(program, ds[0])
    local = chain["steps"][0]
    assert local["latex"] == r"\frac{\partial J}{\partial z} = z"
    assert local["equals"] == "derivative" and local["wrt"] == "z" and "of" not in local
    link = chain["steps"][1]
    assert link["of"] == "z" and "wrt" not in link  # d z / d w: the derivation's wrt
    assert all("wrt" not in s for s in chain["steps"][2:])


def test_a_target_derived_in_two_layouts_says_its_layout_in_each_heading():
    program, derivations = derived(
        "title: Two layouts\nvariables:\n  x: {shape: [n]}\n  y: {shape: [n]}\n"
        "define:\n  f: x'*y\nderive:\n  - {of: f, wrt: x, layout: numerator}\n"
        "  - {of: f, wrt: x, layout: denominator}\n  - {of: f, wrt: y, layout: numerator}\n"
    )
    ctx = sheet_context(program, derivations)
    assert [d["layout_in_heading"] for d in ctx["derivations"]] == [True, True, False]
    sheet, _ = render_tex(ctx)
    assert sheet.count("(numerator layout)}") == 1 and sheet.count("(denominator layout)}") == 1
