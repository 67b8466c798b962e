"""SPEC section 3's table, row by row, against gen.derive.layout."""

import pytest

from gen.derive.layout import kind_of, result_shape
from gen.spec.model import Layout

N, D, M = Layout.NUMERATOR, Layout.DENOMINATOR, Layout.MIXED
# y scalar, u a p-vector, Y p x q, x scalar, v an n-vector, X m x n.
y, u, Y = (1, 1), ("p", 1), ("p", "q")
x, v, X = (1, 1), ("n", 1), ("m", "n")

TABLE = [
    # of, wrt, kind, numerator, denominator, mixed
    (y, x, "scalar-by-scalar", (1, 1), (1, 1), (1, 1)),
    (y, v, "scalar-by-vector", (1, "n"), ("n", 1), ("n", 1)),
    (u, x, "vector-by-scalar", ("p", 1), (1, "p"), ("p", 1)),
    (u, v, "vector-by-vector", ("p", "n"), ("n", "p"), ("p", "n")),
    (y, X, "scalar-by-matrix", ("n", "m"), ("m", "n"), ("m", "n")),
    (Y, x, "matrix-by-scalar", ("p", "q"), ("q", "p"), ("p", "q")),
]


@pytest.mark.parametrize(("of", "wrt", "kind", "num", "den", "mix"), TABLE)
def test_spec_layout_table(of, wrt, kind, num, den, mix):
    assert kind_of(of, wrt).value == kind
    assert result_shape(of, wrt, N) == num
    assert result_shape(of, wrt, D) == den
    assert result_shape(of, wrt, M) == mix


@pytest.mark.parametrize(("of", "wrt"), [(u, X), (Y, v), (Y, X)])
def test_other_pairs_go_through_vec(of, wrt):
    assert kind_of(of, wrt).value == "vec-by-vec"


def test_kind_is_an_enum_whose_value_is_the_spec_name():
    import json

    from gen.derive.layout import Kind

    assert Kind.SCALAR_BY_VECTOR.value == "scalar-by-vector"
    assert kind_of(y, v) is Kind.SCALAR_BY_VECTOR and kind_of(Y, X) is Kind.VEC_BY_VEC
    assert str(Kind.VEC_BY_VEC) == f"{Kind.VEC_BY_VEC}" == "vec-by-vec"
    assert json.dumps({"kind": Kind.MATRIX_BY_SCALAR}) == '{"kind": "matrix-by-scalar"}'
    assert [k for k in Kind if k.is_gradient] == [
        Kind.SCALAR_BY_SCALAR,
        Kind.SCALAR_BY_VECTOR,
        Kind.SCALAR_BY_MATRIX,
    ]
    assert [k for k in Kind if k.is_vec] == [Kind.VEC_BY_VEC]
    assert [k for k in Kind if k.by_scalar] == [Kind.VECTOR_BY_SCALAR, Kind.MATRIX_BY_SCALAR]
