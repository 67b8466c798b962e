"""The composition graph of a derivation as a small layered figure: the view's ``d.graph``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice, pairwise
from types import MappingProxyType
from typing import Any

from gen.derive.chain import composition
from gen.derive.differential import NotSupported
from gen.derive.steps import Derivation
from gen.program import Program
from gen.render.mathtext import shape_latex
from gen.render.style import Typeset
from gen.spec.model import Method

Inputs = Mapping[str, Sequence[str]]  # each name -> the names on a path it uses
Item = str | tuple[str, str, int]  # a name, or a bend of the edge (source, target) in a layer
Point = tuple[float, float]  # cm
Words = Mapping[str, str]

STEP_X, STEP_Y = 2.0, 1.0  # cm between layers, between the names of one layer
MAX_WIDTH, MAX_HEIGHT = 12.0, 3.0  # cm, centre to centre; the steps shrink to fit
MIN_STEP_X, MIN_STEP_Y = 1.4, 0.6
LISTED, SWEEPS = 4, 4  # the paths a caption names (then "..."); barycentre sweeps down and up
# The out-edges of a name used by several names on the way up: one colour each.
COLOURS = ("blue!70!black", "orange!85!black", "green!50!black", "violet!80!black")
_PATHS_EN = "{count} paths from {wrt} to {of} ({paths}): the chain rule adds one term per path"
_PATHS_ZH = "从 {wrt} 到 {of} 共 {count} 条路径（{paths}）：链式法则对每条路径各加一项"
WORDS = MappingProxyType(  # the figure's words: its name, and the caption of several paths
    {"en": ("Composition graph", _PATHS_EN), "zh": ("复合图", _PATHS_ZH)}
)


def graph_view(program: Program, d: Derivation, ts: Typeset) -> dict[str, Any] | None:
    """The figure of ``d``'s composition graph, or None when the sheet shows none.

    A derive item's ``graph: true|false`` decides; without it a chain derivation
    shows the graph when it has at least two links (three names).
    """
    choice = d.target.graph if d.target is not None else None
    if choice is False or (choice is None and d.method is not Method.CHAIN):
        return None
    try:
        inputs = composition(program, d.of, d.wrt)
    except NotSupported:
        return None
    if len(inputs) < (2 if choice else 3):
        return None
    shapes = {n: shape_latex(program.symbols[n].shape) for n in inputs}
    title, caption = WORDS.get(program.spec.lang, WORDS["en"])
    return figure(inputs, d.of, d.wrt, shapes, ts.name, {"title": title, "paths": caption})


def layers(inputs: Inputs) -> dict[str, int]:
    """Each name's layer: the length of its longest path up from the names using no other."""
    out: dict[str, int] = {}
    for name in reversed(list(inputs)):  # a name after every name it uses
        out[name] = 1 + max((out[i] for i in inputs[name]), default=-1)
    return out


def count_paths(inputs: Inputs, of: str) -> dict[str, int]:
    """For each name, the number of paths from it up to ``of``."""
    out: dict[str, int] = {}
    for name in inputs:  # of first: every user before the names it uses
        out[name] = 1 if name == of else sum(out[u] for u in inputs if name in inputs[u])
    return out


def paths(inputs: Inputs, of: str, wrt: str) -> Iterator[tuple[str, ...]]:
    """Every path from ``wrt`` up to ``of``, each as its names (from ``wrt``)."""
    if of == wrt:
        yield (wrt,)
    for i in inputs[of]:  # none for wrt
        yield from ((*p, of) for p in paths(inputs, i, wrt))


def order(inputs: Inputs) -> tuple[list[list[Item]], list[tuple[Item, Item]]]:
    """The layers' items (names and bends of long edges), ordered to reduce crossings,
    and the segments joining items of adjacent layers."""
    layer = layers(inputs)
    rows: list[list[Item]] = [[] for _ in range(max(layer.values()) + 1)]
    segments: list[tuple[Item, Item]] = []
    for name in reversed(list(inputs)):
        rows[layer[name]].append(name)
    for target in reversed(list(inputs)):
        for source in inputs[target]:
            chain: list[Item] = [source]
            chain += [(source, target, k) for k in range(layer[source] + 1, layer[target])]
            for k, bend in enumerate(chain[1:], layer[source] + 1):
                rows[k].append(bend)
            segments += pairwise([*chain, target])
    best = (crossings(rows, segments), [list(r) for r in rows])
    for sweep in range(2 * SWEEPS):
        down = sweep % 2 == 0
        for k in range(1, len(rows)) if down else range(len(rows) - 2, -1, -1):
            near = {item: i for i, item in enumerate(rows[k - 1] if down else rows[k + 1])}
            at = {
                item: _barycentre(item, near, segments, down, i) for i, item in enumerate(rows[k])
            }
            rows[k].sort(key=at.__getitem__)
        best = min(best, (crossings(rows, segments), [list(r) for r in rows]), key=lambda b: b[0])
    return best[1], segments


def _barycentre(
    item: Item, near: Mapping[Item, int], segments: list[tuple[Item, Item]], down: bool, own: int
) -> float:
    """The mean place of ``item``'s neighbours in the layer ``near`` (without any: its own)."""
    ends = [a if down else b for a, b in segments if (b if down else a) == item]
    found = [near[e] for e in ends if e in near]
    return sum(found) / len(found) if found else float(own)


def crossings(rows: list[list[Item]], segments: list[tuple[Item, Item]]) -> int:
    """How many pairs of segments between adjacent layers cross."""
    slot = {item: (k, i) for k, row in enumerate(rows) for i, item in enumerate(row)}
    ends = [(slot[a], slot[b]) for a, b in segments]
    return sum(
        1
        for i, (a, b) in enumerate(ends)
        for c, e in ends[i + 1 :]
        if a[0] == c[0] and (a[1] - c[1]) * (b[1] - e[1]) < 0
    )


def figure(
    inputs: Inputs, of: str, wrt: str, shapes: Words, latex: Callable[[str], str], words: Words
) -> dict[str, Any]:
    """The figure: nodes at their places (cm), edges with their bends and shape labels,
    and the paths from ``wrt`` up to ``of`` (LaTeX; ``tints``: the colour of each one's
    first edge when ``wrt`` is used twice), for the caption and the text form."""
    rows, _ = order(inputs)
    widest = max(len(r) for r in rows)
    dx = max(MIN_STEP_X, min(STEP_X, MAX_WIDTH / max(len(rows) - 1, 1)))
    dy = max(MIN_STEP_Y, min(STEP_Y, MAX_HEIGHT / max(widest - 1, 1)))
    place = {
        item: (k * dx, ((len(row) - 1) / 2 - i) * dy)
        for k, row in enumerate(rows)
        for i, item in enumerate(row)
    }
    ids = {name: f"gs{k}" for k, name in enumerate(reversed(list(inputs)))}
    users = {n: [u for u in reversed(list(inputs)) if n in inputs[u]] for n in inputs}
    tint: dict[tuple[str, str], str] = {}  # the out-edges of a name used twice: a colour each
    for n, us in users.items():
        tint.update({(n, u): COLOURS[i % len(COLOURS)] for i, u in enumerate(us) if len(us) > 1})
    edges = []
    for target in reversed(list(inputs)):
        for source in inputs[target]:
            bends = sorted(v for k, v in place.items() if k[:2] == (source, target))
            controls, mid = _curve(place[source], place[target], bends)
            edges.append(
                {
                    "source": ids[source],
                    "target": ids[target],
                    "controls": [_xy(p) for p in controls],
                    "label": shapes[source],
                    "at": _xy(mid),
                    "side": "below" if mid[1] < -0.005 else "above",
                    "colour": tint.get((source, target)),
                }
            )
    listed = sorted(islice(paths(inputs, of, wrt), LISTED), key=lambda p: [-place[n][1] for n in p])
    return {
        "nodes": [
            {"id": ids[n], "latex": latex(n), "at": _xy(place[n]), "fork": len(users[n]) > 1}
            for n in reversed(list(inputs))
        ],
        "edges": edges,
        "count": count_paths(inputs, of)[wrt],
        "paths": [r" \to ".join(latex(n) for n in p) for p in listed],
        "tints": [tint.get((p[0], p[1])) if len(p) > 1 else None for p in listed],
        "of": latex(of),
        "wrt": latex(wrt),
        "words": dict(words),
    }


def _curve(a: Point, b: Point, bends: list[Point]) -> tuple[list[Point], Point]:
    """The two Bezier controls of an edge from ``a`` to ``b`` that passes (about) through
    its bends (none: a straight edge), and the edge's middle point, for its label."""
    if not bends:
        return [], ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    first, last = bends[0], bends[-1]
    if len(bends) == 1:  # a cubic with both controls at c passes through (a + 6c + b) / 8
        c1 = c2 = ((8 * first[0] - a[0] - b[0]) / 6, (8 * first[1] - a[1] - b[1]) / 6)
    else:
        c1 = (first[0], a[1] + 4 / 3 * (first[1] - a[1]))
        c2 = (last[0], b[1] + 4 / 3 * (last[1] - b[1]))
    mid = tuple((p + 3 * q + 3 * r + t) / 8 for p, q, r, t in zip(a, c1, c2, b, strict=True))
    return [c1, c2], (mid[0], mid[1])


def _xy(point: Point) -> str:
    """A TikZ coordinate in cm, to two decimals: ``(2.00,-0.45)``."""
    return "({:.2f},{:.2f})".format(*(0.0 if abs(v) < 0.005 else v for v in point))
