"""``given: G`` on a derive item: the backward pass d sum(G .* of)/d wrt (SPEC section 8)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from gen.derive.methods import derive
from gen.errors import GenErrors
from gen.expr.to_text import to_text
from gen.program import Program, build_program, given_name
from gen.render.results import derivation_json
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.numeric import verify

HEAD = """\
title: T
variables:
  X: {shape: [N, D]}
  W1: {shape: [D, H]}
  W2: {shape: [H, M]}
  b: {shape: [M]}
  G: {shape: [N, M], text: upstream gradient dL/dY}
  g: {shape: [N, H]}
define:
  A: X*W1
  Z: relu(A)
  Y: Z*W2 + b'
  V: X*W1
  s: sum(Y)
derive:
"""


def program(items: str) -> Program:
    return build_program(load_spec_text(HEAD + items, "t.yaml"))


def errors(items: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(GenErrors) as info:
        program(items)
    return [(e.message, e.span.line, e.span.column) for e in info.value.errors if e.span]


# Backprop of an affine layer Y = X W (CS231n notes, "Derivatives, Backpropagation, and
# Vectorization"; Goodfellow et al., Deep Learning, 6.5): dL/dW = X'G, dL/dX = G W',
# and of a bias Y = Z W2 + 1b': dL/db = G'1 (the column sums of G).
BOOK = (
    ("V", "W1", "g", "X'*g"),
    ("V", "X", "g", "g*W1'"),
    ("Y", "b", "G", "sum(G, 1)'"),
    ("Y", "Z", "G", "G*W2'"),
    ("Y", "W1", "G", "X'*(G*W2'.*step(X*W1))"),
)


@pytest.mark.parametrize(("of", "wrt", "given", "book"), BOOK)
@pytest.mark.parametrize("method", [Method.DIFFERENTIAL, Method.CHAIN])
def test_backward_pass_as_the_books_print_it(
    of: str, wrt: str, given: str, book: str, method: Method
) -> None:
    p = program(f"  - {{of: {of}, wrt: {wrt}, given: {given}}}\n")
    d = verify(p, derive(p, p.targets[0], method))
    assert to_text(d.result) == book
    assert d.check is not None and d.check.numeric


def test_index_method_on_a_linear_layer() -> None:
    p = program("  - {of: V, wrt: W1, given: g}\n")
    d = verify(p, derive(p, p.targets[0], Method.INDEX))
    assert to_text(d.result) == "X'*g" and d.check is not None and d.check.numeric


@pytest.mark.parametrize("layout", list(Layout))
def test_every_layout_is_a_scalar_by_wrt(layout: Layout) -> None:
    p = program("  - {of: V, wrt: X, given: g}\n")
    target = dataclasses.replace(p.targets[0], layout=layout)
    d = verify(p, derive(p, target, Method.DIFFERENTIAL))
    assert d.check is not None and d.check.numeric
    assert d.kind.value == "scalar-by-matrix"
    want = {Layout.NUMERATOR: ("D", "N"), Layout.DENOMINATOR: ("N", "D"), Layout.MIXED: ("N", "D")}
    assert d.shape == want[layout]
    assert to_text(d.result) == {Layout.NUMERATOR: "W1*g'"}.get(layout, "g*W1'")


def test_json_carries_of_and_given() -> None:
    p = program("  - {of: V, wrt: W1, given: g}\n")
    entry = derivation_json(p, verify(p, derive(p, p.targets[0], Method.DIFFERENTIAL)))
    assert (entry["of"], entry["given"], entry["wrt"], entry["kind"]) == (
        "V",
        "g",
        "W1",
        "scalar-by-matrix",
    )
    assert given_name("V", "g") not in json.dumps(entry)  # the hidden name stays hidden
    assert "dL = tr(G' dW1)" in json.dumps(entry)  # the notes write it L
    plain = program("  - {of: s, wrt: b}\n")
    assert "given" not in derivation_json(plain, derive(plain, plain.targets[0], Method.CHAIN))


def test_the_hidden_scalar_is_not_a_definition_of_the_sheet() -> None:
    p = program("  - {of: V, wrt: W1, given: g}\n")
    hidden = p.symbols[given_name("V", "g")]
    assert hidden.hidden and to_text(hidden.expr) == "sum(g.*V)"  # type: ignore[arg-type]
    assert p.targets[0].of.value == given_name("V", "g")
    assert p.targets[0].layer is not None and p.targets[0].layer.value == "V"


def test_given_with_order_2_is_an_error() -> None:
    assert errors("  - {of: V, wrt: W1, given: g, order: 2}\n") == [
        (
            "'given' does not apply to 'order: 2': it asks for the backward pass, a first derivative",
            16,
            29,
        )
    ]


def test_given_must_be_a_variable() -> None:
    assert errors("  - {of: Y, wrt: W1, given: V}\n") == [
        ("'given: V' must be a declared variable (the upstream gradient)", 16, 29)
    ]


def test_given_must_have_the_shape_of_of() -> None:
    assert errors("  - {of: Y, wrt: W1, given: g}\n") == [
        ("'given: g' must have the shape of 'Y', [N, M], not [N, H]", 16, 29)
    ]


def test_given_needs_a_non_scalar_of() -> None:
    assert errors("  - {of: s, wrt: W1, given: G}\n") == [
        ("'given' needs a non-scalar 'of'; 's' is a scalar: derive it directly", 16, 29)
    ]


def test_given_is_not_wrt() -> None:
    assert errors("  - {of: V, wrt: g, given: g}\n") == [
        ("'g' is the upstream gradient, held constant: it cannot be 'wrt'", 16, 28)
    ]
