"""Why a step holds: a note names a rule (its words live in the message catalogue).

The formula of a rule is typeset by the renderer (``gen.render.formulas``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """A rule applied in a step: ``key`` into the catalogue (``note.<key>``) and its subjects."""

    key: str
    names: tuple[str, ...] = ()  # the names it speaks of, e.g. the differentials substituted
    layout: str = ""  # for a read-off: the layout in force


# Rules too plain to mention beside a more telling one.
QUIET = frozenset({"scale", "transpose", "neg", "sum"})


def telling(keys: list[str]) -> tuple[Note, ...]:
    """The notes worth printing among the rules applied, in order, each once."""
    seen = list(dict.fromkeys(keys))
    loud = [k for k in seen if k not in QUIET]
    return tuple(Note(k) for k in (loud or seen[:1] or ["constant"]))
