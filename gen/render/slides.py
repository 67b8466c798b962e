"""The Beamer slides of a sheet: the sheet's view model cut into frames of a few steps each."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gen.expr.to_latex import symbols
from gen.render.sheet import environment
from gen.render.texchars import sheet_engine

SLIDES_TEMPLATE = "slides.tex.j2"
# The step lines on one frame: at most this many (with the \small steps of slides.tex.j2,
# a frame of 16:9 holds them, each broken over up to three lines, and the boxed result).
STEPS_PER_FRAME = 4
# The lines of steps one frame holds (a broken step counts each of its lines), and about how
# many symbols of math (gen.expr.to_latex.symbols) one line of a frame holds beside its
# left-hand side, and of a note beside the math.
FRAME_LINES = 7
LINE_SYMBOLS = 48
NOTE_SYMBOLS = 30
# The few words the slides add to the sheet's catalogue (gen/render/messages.py), by language.
SLIDE_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType({"continued": "continued"}),
        "zh": MappingProxyType({"continued": "续"}),
    }
)


def frames(
    steps: list[Any],
    per_frame: int = STEPS_PER_FRAME,
    weights: list[int] | None = None,
    budget: int = FRAME_LINES,
    lead: int = 0,
) -> list[list[Any]]:
    """The steps of one derivation cut into frames of at most ``per_frame`` lines.

    The cut is even (4 + 4 + 3 rather than 4 + 4 + 4 + 1 for eleven lines at four),
    and a derivation without steps still gets one frame (its boxed result). With
    ``weights`` (the printed lines of each step, broken ones counting more), a frame
    whose steps weigh more than ``budget`` is cut again, before the step that would
    overfill it (a step heavier than the budget alone gets a frame of its own).
    ``lead`` lines (the derivation's text above the steps) take the room of as many
    steps on the first frame.
    """
    if not steps:
        return [[]]
    count = -(-(len(steps) + lead) // per_frame)
    size = -(-len(steps) // count)
    chunks = [steps[i : i + size] for i in range(0, len(steps), size)]
    if weights is None:
        return chunks
    out: list[list[Any]] = []
    index = 0
    for number, chunk in enumerate(chunks):
        current: list[Any] = []
        load = lead if number == 0 else 0
        for step in chunk:
            weight = weights[index]
            index += 1
            if current and load + weight > budget:
                out.append(current)
                current, load = [], 0
            current.append(step)
            load += weight
        out.append(current)
    return out


def step_lines(step: Mapping[str, Any]) -> int:
    """About how many lines a step prints on a frame: its right-hand side broken at
    ``LINE_SYMBOLS`` symbols, and a long note under it when the math breaks."""
    factors = step.get("factors") or []
    rhs = " ".join(f["latex"] for f in factors) if factors else str(step["rhs"])
    lines = -(-symbols(rhs) // LINE_SYMBOLS) or 1
    if factors:
        lines += 1  # the shapes under the braces
    note = symbols(str(step.get("note") or ""))
    if lines > 1 and note > NOTE_SYMBOLS:
        lines += -(-note // (2 * NOTE_SYMBOLS))
    return lines


def derivation_frames(derivation: Mapping[str, Any]) -> list[list[Any]]:
    """A derivation's steps cut into frames by their lines; the boxed result (on the last
    frame) gets a frame of its own when the last one has no room left for it."""
    steps = list(derivation["steps"])
    weights = [step_lines(s) for s in steps]
    chunks = frames(steps, weights=weights, lead=1 if derivation.get("text") else 0)
    last = sum(weights[len(steps) - len(chunks[-1]) :]) if steps else 0
    result = -(-symbols(str(derivation["result"])) // LINE_SYMBOLS) + 1  # and its check
    result += len(derivation.get("names") or ())  # the "where" lines of named gradients
    if chunks[-1] and last + result > FRAME_LINES:
        chunks.append([])
    return chunks


def _carried(chunks: list[list[Any]]) -> list[list[Any]]:
    """Each continued frame's first line with its left-hand side written out again.

    The sheet leaves a left-hand side blank when it equals the line above's; on a new
    frame the line above is gone, so the last one written is carried over.
    """
    current: tuple[str, Any] = ("", None)
    out: list[list[Any]] = []
    for chunk in chunks:
        if out and chunk and not chunk[0]["lhs"] and current[0]:
            chunk = [{**chunk[0], "lhs": current[0], "lhs_shape": current[1]}, *chunk[1:]]
        for step in chunk:
            if step["lhs"]:
                current = (step["lhs"], step.get("lhs_shape"))
        out.append(chunk)
    return out


def slides_context(context: Mapping[str, Any], *, handout: bool = False) -> dict[str, Any]:
    """The sheet context with each derivation's ``frames`` and the ``handout`` switch.

    Args:
        context: The sheet context (gen.render.view.sheet_context).
        handout: No overlays: every frame printed once, whole.
    """
    derivations = [{**d, "frames": _carried(derivation_frames(d))} for d in context["derivations"]]
    return {
        "engine": sheet_engine(context),
        **context,
        "derivations": derivations,
        "handout": handout,
        "slide_words": SLIDE_WORDS.get(str(context["lang"]), SLIDE_WORDS["en"]),
    }


def render_slides(
    context: Mapping[str, Any], templates_dir: Path | None = None, *, handout: bool = False
) -> str:
    """The slides as a Beamer document (``templates/slides.tex.j2``).

    Raises:
        jinja2.UndefinedError: The context lacks a value the template uses.
        jinja2.TemplateError: A template is missing or malformed.
    """
    data = slides_context(context, handout=handout)
    return environment(templates_dir).get_template(SLIDES_TEMPLATE).render(data)
