"""The exercise sheet of a spec: the givens and what to derive, with no result and no step.

``exercise_context`` keeps, of the sheet's view model, only what states the
problem; the template never sees an answer, so no file of an exercise build
can print one (tests/e2e/test_exercise.py searches them all).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gen.render.sheet import environment
from gen.render.texchars import sheet_engine

EXERCISE_TEMPLATE = "exercise.tex.j2"
# The keys of a derivation that state the problem (never steps, result, checks, agreement).
TASK_KEYS = (
    "number",
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
    "given",  # a backward pass states its upstream gradient: the problem needs it
)
# The keys of the sheet context that state the givens.
GIVEN_KEYS = ("title", "subtitle", "author", "lang", "msg", "style", "dims", "variables")
# The room to write, in lines: two per step of the worked derivation, within these bounds.
ROOM_LINES = (8, 22)
# The words the exercise adds to the sheet's catalogue (gen/render/messages.py), by language.
EXERCISE_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType(
            {"givens": "Given", "tasks": "To derive", "answer": "Your derivation and answer"}
        ),
        "zh": MappingProxyType({"givens": "已知", "tasks": "求导", "answer": "推导与结果"}),
    }
)


def _room(steps: int) -> int:
    low, high = ROOM_LINES
    return max(low, min(high, 2 * steps))


def exercise_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The givens and the tasks of a sheet context, with nothing of its answers.

    Args:
        context: The sheet context (gen.render.view.sheet_context).

    Returns:
        The givens (``GIVEN_KEYS``, the layout and the definitions), ``tasks``
        (each derivation's ``TASK_KEYS`` and ``room``, the lines of room to
        write), ``engine`` and ``words``.
    """
    layout = context["layout"]
    return {
        "engine": sheet_engine(context),
        **{key: context[key] for key in GIVEN_KEYS},
        "layout": {k: layout[k] for k in ("name", "summary", "implied") if k in layout},
        "definitions": [dict(item) for item in context["definitions"]],
        "tasks": [
            {**{k: d[k] for k in TASK_KEYS}, "room": _room(len(d["steps"]))}
            for d in context["derivations"]
        ],
        "words": EXERCISE_WORDS.get(str(context["lang"]), EXERCISE_WORDS["en"]),
    }


def render_exercise(context: Mapping[str, Any], templates_dir: Path | None = None) -> str:
    """The exercise sheet as LaTeX (``templates/exercise.tex.j2``).

    Raises:
        jinja2.UndefinedError: The context lacks a value the template uses.
        jinja2.TemplateError: A template is missing or malformed.
    """
    data = exercise_context(context)
    return environment(templates_dir).get_template(EXERCISE_TEMPLATE).render(data)
