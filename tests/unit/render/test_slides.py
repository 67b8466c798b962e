"""The slides' view model: frames of a few steps, left-hand sides carried over, the template."""

from __future__ import annotations

from gen.render.slides import STEPS_PER_FRAME, frames, render_slides, slides_context
from gen.render.view import sheet_context

from .helpers import derived

SPEC = """\
title: Slides
layout: mixed
variables:
  X: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  y: {shape: [m], props: [constant]}
define:
  z: X*w - y
  J: 1/2 * z'*z
derive:
  - of: J
    wrt: w
    method: [chain, differential]
"""


def test_frames_cut_evenly_and_never_empty():
    assert frames([]) == [[]]
    assert frames(list(range(3)), 4) == [[0, 1, 2]]
    assert frames(list(range(11)), 4) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]
    assert [len(f) for f in frames(list(range(9)), 4)] == [3, 3, 3]
    assert all(len(f) <= STEPS_PER_FRAME for f in frames(list(range(40))))


def test_a_continued_frame_writes_its_left_hand_side_again():
    context = slides_context(sheet_context(*derived(SPEC)))
    for d in context["derivations"]:
        for chunk in d["frames"]:
            assert chunk and chunk[0]["lhs"], d["method"]
    # the sheet itself still leaves the repeated left-hand sides blank
    shown = [s["lhs"] for d in sheet_context(*derived(SPEC))["derivations"] for s in d["steps"]]
    assert "" in shown


def test_slides_and_handout():
    context = sheet_context(*derived(SPEC))
    slides = render_slides(context)
    handout = render_slides(context, handout=True)
    assert r"\documentclass[aspectratio=169,10pt]{beamer}" in slides
    assert r"\documentclass[aspectratio=169,10pt,handout]{beamer}" in handout
    assert slides.count(r"\gsresult{") == 2
    assert r"\uncover<2->" in slides and r"\onslide<" in slides


def test_heavy_steps_are_cut_onto_frames_of_their_own():
    from gen.render.slides import derivation_frames, step_lines

    assert frames(list(range(4)), 4, weights=[1, 1, 6, 6], budget=7) == [[0, 1], [2], [3]]
    assert frames(list(range(3)), 4, weights=[1, 1, 1], budget=7) == [[0, 1, 2]]
    short = {"rhs": "X w", "note": "a note", "factors": []}
    long = {"rhs": " + ".join(["A w"] * 60), "note": "n " * 40, "factors": []}
    assert step_lines(short) == 1 and step_lines(long) > 3
    # a long result gets a frame of its own after heavy steps
    d = {"steps": [long, long], "result": " + ".join(["A w"] * 60)}
    assert derivation_frames(d)[-1] == []
    assert derivation_frames({"steps": [short], "result": "X w"}) == [[short]]
