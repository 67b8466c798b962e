"""The composition graph's figure: layers, order, edges with shapes, paths, and when it shows."""

from __future__ import annotations

from gen.render.graphfig import (
    COLOURS,
    count_paths,
    crossings,
    figure,
    graph_view,
    layers,
    order,
    paths,
)
from gen.render.sheet import render_tex
from gen.render.style import typeset
from gen.render.view import sheet_context

from .helpers import derived

# J = r'r + w'w with r = y - X w: w reaches J along two paths (through r, and directly).
RIDGE = {"J": ("r", "w"), "r": ("w",), "w": ()}
CHAIN = {"z": ("y_3",), "y_3": ("y_2",), "y_2": ("y_1",), "y_1": ()}
WORDS = {"title": "Composition graph", "paths": "{count} paths"}
SHAPES = {"J": r"1 \times 1", "r": r"m \times 1", "w": r"n \times 1"}

SPEC = """\
title: Ridge
variables:
  X: {shape: [m, n], props: [constant]}
  y: {shape: [m], props: [constant]}
  w: {shape: [n]}
define:
  r: y - X*w
  J: r'*r + w'*w
  K: 2*J
derive:
  - {of: J, wrt: w, method: [chain, differential]}
"""


def test_layers_by_longest_path_from_wrt() -> None:
    assert layers(CHAIN) == {"y_1": 0, "y_2": 1, "y_3": 2, "z": 3}
    assert layers(RIDGE) == {"w": 0, "r": 1, "J": 2}  # J is 2 up, by way of r


def test_paths_and_their_number() -> None:
    assert list(paths(RIDGE, "J", "w")) == [("w", "r", "J"), ("w", "J")]
    assert count_paths(RIDGE, "J") == {"J": 1, "r": 1, "w": 2}
    assert list(paths(CHAIN, "z", "y_1")) == [("y_1", "y_2", "y_3", "z")]
    diamond = {"z": ("a", "b"), "a": ("x",), "b": ("x",), "x": ()}
    assert count_paths(diamond, "z")["x"] == 2


def test_a_long_edge_bends_through_the_layers_it_skips() -> None:
    rows, segments = order(RIDGE)
    assert rows[0] == ["w"] and rows[2] == ["J"]
    assert sorted(rows[1], key=str) == [("w", "J", 1), "r"]
    assert ("w", ("w", "J", 1)) in segments and (("w", "J", 1), "J") in segments
    assert ("w", "r") in segments and ("r", "J") in segments


def test_barycentre_order_removes_a_crossing() -> None:
    twisted = {"z": ("c", "d"), "c": ("b",), "d": ("a",), "a": ("x",), "b": ("x",), "x": ()}
    start = [["x"], ["b", "a"], ["d", "c"], ["z"]]  # the layers in spec order
    segments = [("x", "a"), ("x", "b"), ("b", "c"), ("a", "d"), ("c", "z"), ("d", "z")]
    assert crossings(start, segments) == 1
    rows, found = order(twisted)
    assert sorted(found) == sorted(segments)
    assert crossings(rows, found) == 0


def test_a_chain_is_one_row_left_to_right_with_input_shapes_on_the_edges() -> None:
    shapes = {"z": "1 \\times 1", "y_3": "p \\times 1", "y_2": "n \\times 1", "y_1": "n \\times 1"}
    fig = figure(CHAIN, "z", "y_1", shapes, str.upper, WORDS)
    assert [(n["latex"], n["at"]) for n in fig["nodes"]] == [
        ("Y_1", "(0.00,0.00)"),
        ("Y_2", "(2.00,0.00)"),
        ("Y_3", "(4.00,0.00)"),
        ("Z", "(6.00,0.00)"),
    ]
    assert [(e["source"], e["target"], e["label"]) for e in fig["edges"]] == [
        ("gs0", "gs1", "n \\times 1"),
        ("gs1", "gs2", "n \\times 1"),
        ("gs2", "gs3", "p \\times 1"),
    ]
    assert all(e["controls"] == [] and e["side"] == "above" for e in fig["edges"])
    assert all(e["colour"] is None for e in fig["edges"])
    assert not any(n["fork"] for n in fig["nodes"])
    assert (fig["count"], fig["paths"]) == (1, ["Y_1 \\to Y_2 \\to Y_3 \\to Z"])


def test_two_paths_are_coloured_apart_and_listed() -> None:
    fig = figure(RIDGE, "J", "w", SHAPES, lambda n: n, WORDS)
    nodes = {n["latex"]: n for n in fig["nodes"]}
    assert nodes["w"]["fork"] and not nodes["r"]["fork"] and not nodes["J"]["fork"]
    assert nodes["w"]["at"] == nodes["J"]["at"].replace("4.00", "0.00") == "(0.00,0.00)"
    edges = {(e["source"], e["target"]): e for e in fig["edges"]}
    w, r, j = (nodes[n]["id"] for n in ("w", "r", "J"))
    assert edges[(w, r)]["label"] == edges[(w, j)]["label"] == r"n \times 1"
    assert edges[(r, j)]["label"] == r"m \times 1" and edges[(r, j)]["colour"] is None
    assert {edges[(w, r)]["colour"], edges[(w, j)]["colour"]} == set(COLOURS[:2])
    direct = edges[(w, j)]  # bent round r, its label on the outside of the bend
    assert len(direct["controls"]) == 2 and direct["at"] != "(2.00,0.00)"
    assert (direct["side"] == "below") == direct["at"].endswith("-0.50)")
    assert (edges[(w, r)]["side"] == "below") == (direct["side"] == "above")
    assert fig["count"] == 2 and fig["paths"] == [r"w \to r \to J", r"w \to J"]


def test_the_figure_stays_about_four_centimetres_tall() -> None:
    wide = {"z": tuple(f"a{i}" for i in range(8)), **{f"a{i}": ("x",) for i in range(8)}}
    fig = figure({**wide, "x": ()}, "z", "x", dict.fromkeys([*wide, "x"], "1"), str, WORDS)
    heights = [float(n["at"].strip("()").split(",")[1]) for n in fig["nodes"]]
    assert max(heights) - min(heights) <= 4.2
    assert fig["count"] == 8 and len(fig["paths"]) == 4  # the caption names four


def test_on_for_chain_off_for_differentials_and_as_the_spec_says() -> None:
    program, ds = derived(SPEC)
    chain, differential = ds
    ts = typeset(program)
    fig = graph_view(program, chain, ts)
    assert fig is not None and fig["count"] == 2
    assert graph_view(program, differential, ts) is None
    program, ds = derived(SPEC.replace("differential]}", "differential], graph: false}"))
    assert [graph_view(program, d, typeset(program)) for d in ds] == [None, None]
    program, ds = derived(SPEC.replace("differential]}", "differential], graph: true}"))
    assert all(graph_view(program, d, typeset(program)) is not None for d in ds)


def test_a_single_link_shows_only_when_asked() -> None:
    one = SPEC.replace(
        "{of: J, wrt: w, method: [chain, differential]}", "{of: K, wrt: J, method: chain}"
    )
    program, (d,) = derived(one)
    assert graph_view(program, d, typeset(program)) is None
    program, (d,) = derived(one.replace("chain}", "chain, graph: true}"))
    fig = graph_view(program, d, typeset(program))
    assert fig is not None and fig["paths"] == [r"J \to K"]


def test_the_sheet_loads_tikz_only_with_a_figure_and_falls_back_to_text() -> None:
    tex, body = render_tex(sheet_context(*derived(SPEC)))
    assert r"\IfFileExists{tikz.sty}{\usepackage{tikz}}{}" in tex
    assert "tikz.sty" not in body and r"\ifdefined\tikzpicture" in body
    assert r"\node[gsname, gsfork] (gs0) at (0.00,0.00) {$w$};" in body
    assert (
        r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}" in body
    )  # never too wide
    assert r"Composition graph: 2 paths from $w$ to $J$ ($w \to r \to J$; $w \to J$)" in body
    tex, body = render_tex(sheet_context(*derived(SPEC.replace("chain, ", ""))))
    assert "tikz" not in tex
