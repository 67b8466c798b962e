"""The exercise's view model holds the givens and the tasks, nothing of the answers."""

from __future__ import annotations

import json

from gen.render.exercise import ROOM_LINES, TASK_KEYS, exercise_context, render_exercise
from gen.render.view import sheet_context

from .helpers import derived

SPEC = """\
title: Exercise
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
    text: Derive the gradient.
"""


def test_the_context_holds_no_answer():
    sheet = sheet_context(*derived(SPEC))
    context = exercise_context(sheet)
    assert len(context["tasks"]) == 2
    for task in context["tasks"]:
        assert set(task) == {*TASK_KEYS, "room"}
        assert ROOM_LINES[0] <= task["room"] <= ROOM_LINES[1]
    text = json.dumps(context, default=str)
    for d in sheet["derivations"]:
        assert d["result"] not in text
        for step in d["steps"]:
            assert step["rhs"] not in text or step["rhs"] in json.dumps(sheet["definitions"])


def test_the_template_states_each_task_with_room_to_write():
    tex = render_exercise(sheet_context(*derived(SPEC)))
    assert tex.count(r"\gsroom{") == 2  # one box per task
    assert "by the chain rule" in tex and "by differentials" in tex
    assert "Derive the gradient." in tex
    assert r"\gsresult{" not in tex and r"\gsmeasure{" not in tex  # used nowhere


LAYER = """\
title: Backward pass
variables:
  X: {shape: [N, D], props: [constant]}
  W: {shape: [D, M]}
  G: {shape: [N, M]}
define:
  Y: X*W
derive:
  - {of: Y, wrt: W, given: G}
"""


def test_a_backward_pass_states_its_upstream_gradient_and_not_its_answer():
    """Without 'given dL/dY = G' the task cannot be done; with it, X'G must still not show."""
    sheet = sheet_context(*derived(LAYER))
    [task] = exercise_context(sheet)["tasks"]
    assert task["given"] == sheet["derivations"][0]["given"] is not None
    tex = render_exercise(sheet)
    assert "Given the upstream gradient" in tex and sheet["derivations"][0]["result"] not in tex
