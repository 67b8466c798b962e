"""Program building: shape errors and target errors, with their exact text and place."""

import pytest

from gen.errors import GenErrors
from gen.program import build_program
from gen.spec.load import load_spec_text

LS = """\
title: Least squares
variables:
  X: {shape: [m, n]}
  w: {shape: [n]}
  y: {shape: [m]}
define:
  z: X*w - y
  J: 1/2 * z'*z
derive:
  - of: J
    wrt: w
"""


def build(text: str):
    return build_program(load_spec_text(text, "ls.yaml"))


def errors(text: str) -> list[str]:
    with pytest.raises(GenErrors) as info:
        build(text)
    return [str(e) for e in info.value.errors]


def test_a_good_spec_builds_with_shapes():
    program = build(LS)
    assert program.symbols["z"].shape == ("m", 1)
    assert program.symbols["J"].shape == (1, 1)
    assert program.dims == ("m", "n")


def test_shape_error_names_file_line_column_shapes_and_operator():
    bad = LS.replace("z: X*w - y", "z: X*w - w")
    assert errors(bad) == [
        "ls.yaml:7:6: error: in 'X*w - w': cannot subtract [m, 1] and [n, 1]\n"
        "    7 |   z: X*w - w\n"
        "      |      ^^^^^^^"
    ]


def test_errors_of_several_definitions_are_reported_together():
    bad = LS.replace("z: X*w - y", "z: X*y").replace("J: 1/2 * z'*z", "J: q + 1")
    msgs = errors(bad)
    assert len(msgs) == 2
    assert msgs[0].startswith("ls.yaml:7:6: error: in 'X*y': cannot multiply [m, n] and [m, 1]")
    assert msgs[1].startswith("ls.yaml:8:6: error: in 'q + 1': unknown name 'q'")


def test_unknown_target_gets_a_did_you_mean():
    bad = LS.replace("wrt: w\n", "wrt: ww\n")
    assert errors(bad) == [
        "ls.yaml:11:10: error: 'wrt: ww' is not a variable or a definition (did you mean 'w'?)\n"
        "   11 |     wrt: ww\n"
        "      |          ^^"
    ]


def test_differentiating_by_a_constant_is_refused():
    bad = LS.replace("w: {shape: [n]}", "w: {shape: [n], props: [constant]}")
    assert errors(bad)[0].startswith(
        "ls.yaml:11:10: error: 'w' is declared constant and cannot be differentiated by"
    )


def test_square_props_need_a_square_shape():
    bad = LS.replace("X: {shape: [m, n]}", "X: {shape: [m, n], props: [symmetric]}")
    assert errors(bad)[0].startswith(
        "ls.yaml:3:3: error: 'X' is declared symmetric but its shape [m, n] is not square"
    )


def test_a_name_clashing_with_a_differential_is_refused():
    bad = LS.replace("  y: {shape: [m]}\n", "  y: {shape: [m]}\n  dw: {shape: [n]}\n")
    assert "name 'dw' clashes with the differential of 'w'" in errors(bad)[0]


def test_a_derivative_name_is_an_identifier_that_knows_its_pair():
    import pickle

    from gen.expr.ast import Name
    from gen.expr.walk import names
    from gen.program import DerivativeName, derivative_name

    name = derivative_name("z", "Y")
    assert isinstance(name, DerivativeName) and (name.of, name.wrt) == ("z", "Y")
    assert name == DerivativeName("z", "Y") and hash(name) == hash(str(name))
    assert {name: 1}[DerivativeName("z", "Y")] == 1  # keys of the chain method's values
    again = pickle.loads(pickle.dumps(name))
    assert isinstance(again, DerivativeName) and (again.of, again.wrt) == ("z", "Y")
    (used,) = names(Name(name))
    assert isinstance(used, DerivativeName) and used.wrt == "Y"
