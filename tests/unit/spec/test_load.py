"""Spec loading: the schema of SPEC section 1, positions, and every error text."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.errors import GenError, GenErrors, Span, format_error
from gen.spec.load import load_spec, load_spec_text
from gen.spec.model import Layout, Method, Prop, Spec, Text

FULL = """\
title: Least-squares gradient            # required
subtitle: Linear regression, section 2   # optional
author: Course staff                     # optional
lang: en                                 # en (default) | zh
layout: mixed                            # default for every derivation below
dims:                                    # symbolic sizes, each with an optional note
  m: number of samples
  n: number of features
variables:                               # the inputs
  X: {shape: [m, n], text: design matrix}
  w: {shape: [n], text: weights}         # [n] is a column vector, n x 1
  y: {shape: [m]}
  lam: {shape: [], latex: '\\lambda'}     # [] (or no shape) is a scalar
  S: {shape: [n, n], props: [symmetric, positive-definite]}
define:                                  # compositions, in order; each may use
  z: X*w - y                             #   the variables and earlier names
  J: 1/2 * z'*z + lam/2 * w'*w
derive:                                  # what to differentiate
  - of: J
    wrt: w
    layout: denominator                  # overrides the spec's layout
    method: chain                        # chain | differential | index (see 4)
    text: One line of commentary shown above the derivation.
  - of: J
    wrt: z
    method: [chain, differential, index]
    order: 2
"""


def load(text: str, path: str = "specs/t.yaml") -> Spec:
    """Load a spec from text."""
    return load_spec_text(text, path)


def errors(text: str, path: str = "t.yaml") -> list[GenError]:
    """The errors of a spec that must fail."""
    with pytest.raises(GenErrors) as info:
        load_spec_text(text, path)
    return info.value.errors


def one(text: str) -> tuple[str, int | None, int | None]:
    """The only error of a spec: message, line, column."""
    errs = errors(text)
    assert len(errs) == 1, [e.message for e in errs]
    span = errs[0].span
    assert span is not None
    return errs[0].message, span.line, span.column


def located(errs: list[GenError]) -> list[tuple[str, int | None, int | None]]:
    """Each error as (message, line, column)."""
    return [(e.message, e.span.line, e.span.column) for e in errs if e.span]


def with_length(errs: list[GenError]) -> list[tuple[str, int | None, int | None, int]]:
    """Each error as (message, line, column, length)."""
    return [(e.message, e.span.line, e.span.column, e.span.length) for e in errs if e.span]


def at(t: Text | None) -> tuple[str, int | None, int | None, bool]:
    """A Text as (value, line, column, exact)."""
    assert t is not None
    return t.value, t.where.line, t.where.column, t.where.exact


# -- valid specs


def test_full_spec_every_field() -> None:
    spec = load(FULL, "specs/least-squares.yaml")
    assert spec.name == "least-squares"
    assert spec.path == "specs/least-squares.yaml"
    assert spec.source == FULL
    assert at(spec.title) == ("Least-squares gradient", 1, 8, True)
    assert at(spec.subtitle) == ("Linear regression, section 2", 2, 11, True)
    assert at(spec.author) == ("Course staff", 3, 9, True)
    assert spec.lang == "en"
    assert spec.layout is Layout.MIXED

    assert [(d.name, d.note and d.note.value) for d in spec.dims] == [
        ("m", "number of samples"),
        ("n", "number of features"),
    ]
    assert spec.dims[1].span == Span("specs/least-squares.yaml", 8, 3, 1)
    assert at(spec.dims[0].note) == ("number of samples", 7, 6, True)

    X, w, y, lam, S = spec.variables
    assert [v.name for v in spec.variables] == ["X", "w", "y", "lam", "S"]
    assert (X.shape, w.shape, y.shape, lam.shape, S.shape) == (
        ("m", "n"),
        ("n",),
        ("m",),
        (),
        ("n", "n"),
    )
    assert at(X.text) == ("design matrix", 10, 28, True)
    assert X.latex is None and X.props == frozenset()
    assert at(lam.latex) == ("\\lambda", 13, 28, True)
    assert lam.text is None
    assert lam.span == Span("specs/least-squares.yaml", 13, 3, 3)
    assert (
        lam.span.source_line
        == "  lam: {shape: [], latex: '\\lambda'}     # [] (or no shape) is a scalar"
    )
    assert S.props == frozenset({Prop.SYMMETRIC, Prop.POSITIVE_DEFINITE})

    z, J = spec.definitions
    assert (z.name, z.expr.value, z.span.line, z.span.column) == ("z", "X*w - y", 16, 3)
    assert at(J.expr) == ("1/2 * z'*z + lam/2 * w'*w", 17, 6, True)

    first, second = spec.targets
    assert at(first.of) == ("J", 19, 9, True)
    assert at(first.wrt) == ("w", 20, 10, True)
    assert first.layout is Layout.DENOMINATOR
    assert first.methods == (Method.CHAIN,)
    assert first.text is not None
    assert first.text.value == "One line of commentary shown above the derivation."
    assert first.order == 1
    assert first.span == Span("specs/least-squares.yaml", 19, 5, 1)
    assert second.layout is Layout.MIXED
    assert second.methods == (Method.CHAIN, Method.DIFFERENTIAL, Method.INDEX)
    assert second.text is None
    assert second.order == 2
    assert second.span.line == 24


def test_defaults() -> None:
    spec = load("title: T\nvariables:\n  a:\nderive:\n  - {of: a, wrt: a}\n")
    assert spec.subtitle is None and spec.author is None
    assert spec.lang == "en"
    assert spec.layout is Layout.MIXED
    assert spec.dims == () and spec.definitions == ()
    (a,) = spec.variables
    assert (a.shape, a.props, a.text, a.latex) == ((), frozenset(), None, None)
    (t,) = spec.targets
    assert (t.layout, t.methods, t.text, t.order) == (
        Layout.MIXED,
        (Method.DIFFERENTIAL,),
        None,
        1,
    )


def test_target_layout_defaults_to_the_specs() -> None:
    spec = load("title: T\nlayout: numerator\nlang: zh\nderive:\n  - {of: a, wrt: b}\n")
    assert spec.lang == "zh"
    assert spec.targets[0].layout is Layout.NUMERATOR


def test_dims_implied_by_shapes_in_order_of_first_use() -> None:
    spec = load(
        "title: T\nvariables:\n  A: {shape: [p, 3]}\n  B: {shape: [q, p]}\n  c: {shape: [q]}\n"
    )
    assert [(d.name, d.note, d.span.line, d.span.column) for d in spec.dims] == [
        ("p", None, 3, 15),
        ("q", None, 4, 15),
    ]
    assert spec.variables[0].shape == ("p", 3)


def test_declared_dims_only_and_null_note() -> None:
    spec = load("title: T\ndims: {n: , k: ~}\nvariables:\n  x: {shape: [n, '2']}\n")
    assert [(d.name, d.note) for d in spec.dims] == [("n", None), ("k", None)]
    assert spec.variables[0].shape == ("n", 2)


def test_yaml_11_values_stay_text() -> None:
    spec = load(
        "title: NO\nsubtitle: 12\nauthor: 2001-01-01\n"
        "variables:\n  x: {text: 1:20, latex: 0755}\n"
        "define:\n  c: 2\n  d: 0.5\n"
    )
    assert spec.title.value == "NO"
    assert spec.subtitle is not None and spec.subtitle.value == "12"
    assert spec.author is not None and spec.author.value == "2001-01-01"
    x = spec.variables[0]
    assert x.text is not None and x.text.value == "1:20"
    assert x.latex is not None and x.latex.value == "0755"
    assert [d.expr.value for d in spec.definitions] == ["2", "0.5"]


def test_props_may_be_a_single_name() -> None:
    spec = load("title: T\nvariables:\n  S: {shape: [2, 2], props: diagonal}\n")
    assert spec.variables[0].props == frozenset({Prop.DIAGONAL})


# -- positions of text values (Where)


def test_where_of_plain_scalar() -> None:
    spec = load("title: T\ndefine:\n  z: X*w - y\n")
    expr = spec.definitions[0].expr
    span = expr.where.span(4, 5)
    assert (span.line, span.column, span.length) == (3, 10, 1)
    assert span.source_line == "  z: X*w - y"


def test_where_of_quoted_scalars() -> None:
    spec = load("title: T\ndefine:\n  z: 'X*w - y'\n  u: \"a + bb\"\n")
    z, u = spec.definitions
    assert at(z.expr) == ("X*w - y", 3, 7, True)
    span = z.expr.where.span(2, 5)
    assert (span.line, span.column, span.length) == (3, 9, 3)
    assert at(u.expr) == ("a + bb", 4, 7, True)
    assert u.expr.where.span(4, 6).column == 11


def test_where_inexact_for_escapes_and_many_lines() -> None:
    spec = load(
        "title: 'it''s'\n"
        'subtitle: "a\\tb"\n'
        "author: one\n  two\n"
        "define:\n  J: |\n    x + y\n  K: >\n\n      a*b\n"
    )
    assert at(spec.title) == ("it's", 1, 9, False)
    assert at(spec.subtitle) == ("a\tb", 2, 12, False)
    assert at(spec.author) == ("one two", 3, 9, False)
    J, K = spec.definitions
    assert at(J.expr) == ("x + y\n", 7, 5, False)
    assert at(K.expr) == ("\na*b\n", 10, 7, False)
    span = spec.title.where.span(2, 4)
    assert (span.line, span.column, span.length) == (1, 9, 1)


def test_where_after_a_standard_tag() -> None:
    spec = load("title: !!str NO\n")
    assert at(spec.title) == ("NO", 1, 14, True)


# -- errors: the schema


def test_unknown_key_did_you_mean() -> None:
    assert one("title: T\nlang: en\nvaribles:\n  x:\n") == (
        "unknown key 'varibles' (did you mean 'variables'?)",
        3,
        1,
    )


def test_unknown_key_lists_allowed_keys() -> None:
    assert one("title: T\nzzz: 1\n") == (
        (
            "unknown key 'zzz'; allowed keys: title, subtitle, author, lang, layout, "
            "style, template, dims, variables, define, assume, derive"
        ),
        2,
        1,
    )


def test_unknown_nested_keys() -> None:
    errs = errors(
        "title: T\nvariables:\n  x: {shap: [n]}\nderive:\n  - {of: x, wrt: x, mthod: chain}\n"
    )
    assert located(errs) == [
        ("unknown key 'shap' in 'variables.x' (did you mean 'shape'?)", 3, 7),
        ("unknown key 'mthod' in a 'derive' item (did you mean 'method'?)", 5, 21),
    ]


def test_missing_title() -> None:
    assert one("subtitle: S\n") == ("missing required key 'title'", 1, 1)


def test_null_title() -> None:
    assert one("title:\n") == ("'title' must be a string, not empty", 1, 7)


def test_missing_of_and_wrt() -> None:
    errs = errors("title: T\nderive:\n  - text: hi\n  - {of: J}\n")
    assert located(errs) == [
        ("missing required key 'of' in a 'derive' item", 3, 5),
        ("missing required key 'wrt' in a 'derive' item", 3, 5),
        ("missing required key 'wrt' in a 'derive' item", 4, 5),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "title: T\nvariables: [x, y]\n",
            ("'variables' must be a mapping, not a list", 2, 12),
        ),
        ("title: T\ndims: n\n", ("'dims' must be a mapping, not a string", 2, 7)),
        (
            "title: T\nderive: {of: J}\n",
            ("'derive' must be a list, not a mapping", 2, 9),
        ),
        ("title: [T]\n", ("'title' must be a string, not a list", 1, 8)),
        (
            "title: T\nvariables:\n  x: 3\n",
            ("'variables.x' must be a mapping, not a number", 3, 6),
        ),
        (
            "title: T\nvariables:\n  x: {text: {a: 1}}\n",
            ("'variables.x.text' must be a string, not a mapping", 3, 13),
        ),
        (
            "title: T\nvariables:\n  x: {shape: n}\n",
            ("'variables.x.shape' must be a list such as [m, n], not a string", 3, 14),
        ),
        (
            "title: T\ndefine:\n  z: [1]\n",
            ("'define.z' must be a string, not a list", 3, 6),
        ),
        ("title: T\ndefine:\n  z:\n", ("'define.z' needs an expression", 3, 3)),
        (
            "title: T\nderive:\n  - J\n",
            ("each item of 'derive' must be a mapping, not a string", 3, 5),
        ),
        (
            "- title\n",
            ("a spec must be a mapping of keys such as 'title', not a list", 1, 1),
        ),
        ("title: T\n? [a]\n: b\n", ("keys must be strings, not a list", 2, 3)),
    ],
)
def test_wrong_types(text: str, expected: tuple[str, int, int]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lang: no", ("'lang' must be 'en' or 'zh', not 'no'", 2, 7)),
        (
            "layout: mixd",
            (
                "'layout' must be 'numerator', 'denominator' or 'mixed', not 'mixd' (did you mean 'mixed'?)",
                2,
                9,
            ),
        ),
        (
            "derive:\n  - {of: J, wrt: w, method: [chain, chian]}",
            (
                "'derive.method' must be 'chain', 'differential' or 'index', not 'chian' (did you mean 'chain'?)",
                3,
                37,
            ),
        ),
        (
            "derive:\n  - {of: J, wrt: w, method: []}",
            ("'derive.method' needs at least one method", 3, 29),
        ),
        (
            "derive:\n  - {of: J, wrt: w, method: [index, index]}",
            ("method 'index' is listed twice", 3, 37),
        ),
        (
            "derive:\n  - {of: J, wrt: w, order: 3}",
            ("'derive.order' must be '1' or '2', not '3'", 3, 28),
        ),
        (
            "derive:\n  - {of: J, wrt: w, order: 01}",
            ("'derive.order' must be '1' or '2', not '01' (did you mean '1'?)", 3, 28),
        ),
    ],
)
def test_bad_choices(text: str, expected: tuple[str, int, int]) -> None:
    assert one("title: T\n" + text + "\n") == expected


@pytest.mark.parametrize("entry", ["0755", "0", "1_000", "1000000", "-1", "2.0", "n-1", "~"])
def test_bad_shape_entry(entry: str) -> None:
    message = f"bad shape entry '{entry}': expected a positive integer (at most 6 digits) or a dimension name"
    assert one(f"title: T\nvariables:\n  x: {{shape: [{entry}, 2]}}\n") == (
        message,
        3,
        15,
    )


def test_shape_entry_not_a_scalar() -> None:
    assert one("title: T\nvariables:\n  x: {shape: [[n]]}\n") == (
        "bad shape entry (a list): expected a positive integer (at most 6 digits) or a dimension name",
        3,
        15,
    )


def test_shape_with_three_entries() -> None:
    errs = errors("title: T\nvariables:\n  x: {shape: [m, n, k]}\n")
    assert with_length(errs) == [("shapes have at most two entries", 3, 21, 1)]


def test_unknown_prop() -> None:
    assert one("title: T\nvariables:\n  S: {props: [symetric]}\n") == (
        "unknown prop 'symetric' (did you mean 'symmetric'?)",
        3,
        15,
    )
    assert one("title: T\nvariables:\n  S: {props: [zz]}\n")[0] == (
        "unknown prop 'zz'; known props: symmetric, positive-definite, invertible, "
        "diagonal, positive, constant, probability, one-hot, binary, plus-minus-one"
    )


def test_probability_on_a_column_vector() -> None:
    spec = load(
        "title: T\nvariables:\n  t: {shape: [k], props: [probability]}\n"
        "  p: {shape: [k, 1], props: [constant, probability]}\n"
    )
    assert [v.props for v in spec.variables] == [
        frozenset({Prop.PROBABILITY}),
        frozenset({Prop.CONSTANT, Prop.PROBABILITY}),
    ]


@pytest.mark.parametrize(("shape", "column"), [("[]", 36)])
def test_probability_needs_a_vector(shape: str, column: int) -> None:
    errs = errors(
        f"title: T\nvariables:\n  t: {{shape: {shape}, props: [constant, probability]}}\n"
    )
    assert with_length(errs) == [
        (
            "'probability' needs a vector [n] or a matrix [m, n] (each row), not a scalar",
            3,
            column,
            11,
        )
    ]


def test_probability_and_one_hot_of_a_matrix_are_its_rows() -> None:
    """SPEC section 8: probability and one-hot apply to matrices (each row) and to a row."""
    spec = load(
        "title: T\nvariables:\n  P: {shape: [m, n], props: [probability]}\n"
        "  Y: {shape: [m, n], props: [one-hot]}\n  r: {shape: [1, k], props: [probability]}\n"
        "  M: {shape: [m, n], props: [binary]}\n  s: {shape: [m], props: [plus-minus-one]}\n"
    )
    assert [v.props for v in spec.variables] == [
        frozenset({Prop.PROBABILITY}),
        frozenset({Prop.ONE_HOT}),
        frozenset({Prop.PROBABILITY}),
        frozenset({Prop.BINARY}),
        frozenset({Prop.PLUS_MINUS_ONE}),
    ]


def test_one_hot_needs_a_vector_or_a_matrix() -> None:
    assert one("title: T\nvariables:\n  y: {props: [one-hot]}\n") == (
        "'one-hot' needs a vector [n] or a matrix [m, n] (each row), not a scalar",
        3,
        15,
    )


def test_probability_without_a_shape_is_a_scalar() -> None:
    assert one("title: T\nvariables:\n  t: {props: probability}\n") == (
        "'probability' needs a vector [n] or a matrix [m, n] (each row), not a scalar",
        3,
        14,
    )


def test_probability_not_judged_on_a_bad_shape() -> None:
    errs = errors("title: T\nvariables:\n  t: {shape: [m, n, k], props: [probability]}\n")
    assert [e.message for e in errs] == ["shapes have at most two entries"]


def test_undeclared_dim() -> None:
    text = (
        "title: T\ndims:\n  m: rows\n  n: cols\nvariables:\n  x: {shape: [nn]}\n  y: {shape: [k]}\n"
    )
    errs = errors(text)
    assert located(errs) == [
        ("dimension 'nn' is not declared in 'dims' (did you mean 'n'?)", 6, 15),
        ("dimension 'k' is not declared in 'dims'; declared: m, n", 7, 15),
    ]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("lambda", "it is a Python keyword"),
        ("None", "it is a Python keyword"),
        ("exp", "it is a function of the expression syntax"),
        ("I", "it is the identity matrix of the expression syntax"),
        ("np", "it stands for numpy in the results"),
    ],
)
def test_reserved_names(name: str, why: str) -> None:
    assert one(f"title: T\nvariables:\n  {name}: {{}}\n") == (
        f"name '{name}' is reserved: {why}",
        3,
        3,
    )


def test_reserved_dimension_in_a_shape() -> None:
    assert one("title: T\nvariables:\n  x: {shape: [tr]}\n") == (
        "name 'tr' is reserved: it is a function of the expression syntax",
        3,
        15,
    )


def test_invalid_names() -> None:
    errs = errors("title: T\ndims:\n  _n: x\ndefine:\n  2x: 1\n  é: 2\n")
    assert [e.message for e in errs] == [
        "invalid dimension name '_n': a name is a letter followed by letters, digits or '_'",
        "invalid definition name '2x': a name is a letter followed by letters, digits or '_'",
        "invalid definition name 'é': a name is a letter followed by letters, digits or '_'",
    ]


def test_name_clashes_reported_at_the_second() -> None:
    text = "title: T\ndims: {n: size}\nvariables:\n  n: {}\n  z: {shape: [n]}\ndefine:\n  z: 2*z\n"
    errs = errors(text)
    assert located(errs) == [
        ("name 'n' is already a dimension (line 2)", 4, 3),
        ("name 'z' is already a variable (line 5)", 7, 3),
    ]


def test_implied_dim_clashes_with_a_variable() -> None:
    assert one("title: T\nvariables:\n  n: {}\n  x: {shape: [n]}\n") == (
        "name 'n' is already a variable (line 3)",
        4,
        15,
    )


# -- errors: YAML itself


def test_duplicate_key() -> None:
    errs = errors("title: T\nvariables:\n  x: {}\n  x: {shape: [2]}\n")
    assert with_length(errs) == [("duplicate key 'x' (first at line 3)", 4, 3, 1)]


def test_anchor_and_alias() -> None:
    errs = errors("title: &t T\nsubtitle: *t\n")
    assert with_length(errs) == [
        ("anchors and aliases are not allowed", 1, 8, 2),
        ("anchors and aliases are not allowed", 2, 11, 2),
    ]


def test_alias_bomb_is_cheap() -> None:
    lines = ["title: T", "a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    errs = errors("\n".join(lines) + "\n")
    assert any(e.message == "anchors and aliases are not allowed" for e in errs)


def test_custom_tag() -> None:
    assert one("title: !!python/object:os.system T\n") == (
        "custom tag '!!python/object:os.system' is not allowed",
        1,
        8,
    )
    assert (
        one("title: T\nvariables: !!python/object {}\n")[0]
        == "custom tag '!!python/object' is not allowed"
    )
    assert one("title: !mine T\n")[0] == "custom tag '!mine' is not allowed"


def test_two_documents() -> None:
    errs = errors("title: T\n---\ntitle: U\n")
    assert with_length(errs) == [
        ("a spec file holds one YAML document, but a second one starts here", 2, 1, 3)
    ]


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n"])
def test_empty_file(text: str) -> None:
    errs = errors(text)
    assert [(e.message, e.span) for e in errs] == [("empty spec file", Span("t.yaml"))]


def test_invalid_yaml() -> None:
    assert one("title: T\n  subtitle: S\n") == (
        "invalid YAML: mapping values are not allowed here",
        2,
        11,
    )
    assert one("title: T\n\tauthor: A\n") == (
        "invalid YAML: found character '\\t' that cannot start any token",
        2,
        1,
    )


def test_control_character() -> None:
    assert one("title: T\nsubtitle: a\x07b\n") == (
        "invalid character U+0007 in spec file",
        2,
        12,
    )


def test_limits() -> None:
    deep = "title: T\nx: " + "[" * 50 + "]" * 50 + "\n"
    assert one(deep) == ("spec is nested deeper than 20 levels", 2, 23)
    wide = "title: T\nx: [" + ", ".join(["1"] * 10_001) + "]\n"
    assert one(wide)[0] == "spec has more than 10000 YAML nodes"
    big = "title: T\n# " + "x" * (1024 * 1024) + "\n"
    assert errors(big)[0].message == "spec file is larger than 1 MB"


def test_several_errors_at_once_in_file_order() -> None:
    text = (
        "titel: T\n"
        "variables:\n"
        "  lambda: {shape: [0755]}\n"
        "  S: {shape: [m, n, k], props: [symetric]}\n"
        "derive:\n"
        "  - {of: J}\n"
    )
    errs = errors(text)
    assert located(errs) == [
        ("unknown key 'titel' (did you mean 'title'?)", 1, 1),
        ("missing required key 'title'", 1, 1),
        ("name 'lambda' is reserved: it is a Python keyword", 3, 3),
        (
            "bad shape entry '0755': expected a positive integer (at most 6 digits) or a dimension name",
            3,
            20,
        ),
        ("shapes have at most two entries", 4, 21),
        ("unknown prop 'symetric' (did you mean 'symmetric'?)", 4, 33),
        ("missing required key 'wrt' in a 'derive' item", 6, 5),
    ]


# -- files and the formatter


def test_load_spec_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "specs" / "least-squares.yaml"
    path.parent.mkdir()
    path.write_text(FULL, encoding="utf-8")
    spec = load_spec(path)
    assert spec.name == "least-squares"
    assert spec.path == str(path)
    assert spec.title.where.file == str(path)
    assert load_spec(str(path)) == spec


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: T\n")
    spec = load_spec(path)
    assert at(spec.title) == ("T", 1, 8, True)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"title: T\nauthor: \xc3\xa9\xffx\n")
    with pytest.raises(GenErrors) as info:
        load_spec(path)
    (err,) = info.value.errors
    assert err.message == "spec file is not valid UTF-8 (byte 0xff)"
    assert err.span is not None
    assert (err.span.file, err.span.line, err.span.column) == (str(path), 2, 10)


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(GenErrors) as info:
        load_spec(path)
    (err,) = info.value.errors
    assert err.message == "cannot read spec file: No such file or directory"
    assert err.span == Span(path)


def test_format_error_of_a_typo_key() -> None:
    (err,) = errors("title: T\nlang: en\nvaribles:\n  x:\n", "specs/ls.yaml")
    assert format_error(err) == (
        "specs/ls.yaml:3:1: error: unknown key 'varibles' (did you mean 'variables'?)\n"
        "    3 | varibles:\n"
        "      | ^^^^^^^^"
    )
