"""A definition written as a mapping (SPEC section 8): value, latex, text and props."""

from __future__ import annotations

import pytest

from gen.errors import GenErrors
from gen.program import build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Prop

HEAD = "title: T\nvariables:\n  w: {shape: [n]}\n  S: {shape: [n, n]}\ndefine:\n"


def errors(define: str) -> list[tuple[str, int | None, int | None]]:
    """The (message, line, column) of each error of a spec with these definitions."""
    with pytest.raises(GenErrors) as info:
        build_program(load_spec_text(HEAD + define, "t.yaml"))
    return [(e.message, e.span.line, e.span.column) for e in info.value.errors if e.span]


def test_mapping_takes_value_latex_text_and_props() -> None:
    spec = load_spec_text(
        HEAD + "  ell: {value: \"sqrt(sum(w .* w))\", latex: '\\ell', text: length of w}\n"
        "  K: {value: S + S', props: [symmetric]}\n  f: ell * w' * K * w\n",
        "t.yaml",
    )
    ell, k, f = spec.definitions
    assert (ell.expr.value, ell.text and ell.text.value, ell.latex and ell.latex.value) == (
        "sqrt(sum(w .* w))",
        "length of w",
        "\\ell",
    )
    assert ell.props == frozenset() and k.props == frozenset({Prop.SYMMETRIC})
    assert [(p, s.line, s.column) for p, s in k.prop_spans] == [(Prop.SYMMETRIC, 7, 30)]
    assert f.text is None and f.latex is None  # the plain form is unchanged
    program = build_program(spec)
    assert program.symbols["ell"].latex == "\\ell"
    assert program.symbols["K"].props == frozenset({Prop.SYMMETRIC})
    assert "K" in program.symmetric


def test_mapping_needs_value() -> None:
    assert errors("  ell: {text: length}\n") == [
        ("missing required key 'value' in 'define.ell' (the expression)", 6, 8)
    ]


def test_mapping_null_value() -> None:
    assert errors("  ell: {value: null}\n") == [("'define.ell.value' needs an expression", 6, 3)]


def test_mapping_unknown_key() -> None:
    (message, line, column), *_ = errors("  ell: {value: w'*w, shape: [1]}\n")
    assert "shape" in message and (line, column) == (6, 22)


def test_mapping_unknown_prop() -> None:
    (message, line, column), *_ = errors("  K: {value: S, props: [symetric]}\n")
    assert message.startswith("unknown prop 'symetric'") and "symmetric" in message
    assert (line, column) == (6, 25)


def test_mapping_latex_through_the_allowlist() -> None:
    (message, line, _), *_ = errors("  ell: {value: w'*w, latex: '\\input{x}'}\n")
    assert "input" in message and line == 6


def test_constant_does_not_apply_to_a_definition() -> None:
    assert errors("  K: {value: S, props: [constant]}\n") == [
        (
            "'constant' does not apply to a definition: a definition is computed from the "
            "variables; declare them constant",
            6,
            25,
        )
    ]


def test_square_prop_of_a_non_square_definition_is_located_at_the_prop() -> None:
    assert errors("  v: {value: S*w, props: [symmetric]}\n") == [
        ("'v' is declared symmetric but its shape [n, 1] is not square", 6, 27)
    ]


def test_probability_of_a_scalar_definition() -> None:
    assert errors("  p: {value: w'*w, props: [probability]}\n") == [
        ("'probability' needs a vector or a matrix (each row), but 'p' is a scalar", 6, 28)
    ]


def test_probability_of_a_matrix_definition_is_its_rows() -> None:
    spec = load_spec_text(HEAD + '  P: {value: "softmax(S, 2)", props: [probability]}\n', "t.yaml")
    assert build_program(spec).symbols["P"].props == frozenset({Prop.PROBABILITY})


def test_the_schema_takes_the_v2_keys() -> None:
    """gradsheet.schema.json accepts a definition as a mapping, assume and given."""
    import jsonschema
    import yaml

    from gen.cli.schema import spec_schema

    text = (
        HEAD
        + "  ell: {value: \"sqrt(sum(w .* w))\", latex: '\\ell', text: length, props: [positive]}\n"
        + "  Y: S*w\nassume:\n  - m >= n\nderive:\n  - {of: Y, wrt: S, given: w}\n"
    )
    validator = jsonschema.Draft202012Validator(spec_schema())
    assert list(validator.iter_errors(yaml.safe_load(text))) == []
    bad = text.replace("text: length,", "colour: red,")
    assert list(validator.iter_errors(yaml.safe_load(bad))) != []
