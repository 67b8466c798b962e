"""A definition's declared props: used by the simplifier, verified at every sampled point."""

from __future__ import annotations

import dataclasses

import pytest

from gen.derive.methods import derive
from gen.errors import GenErrors
from gen.expr.to_text import to_text
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Layout, Method
from gen.verify.numeric import verify

# A symmetric kernel: S T + T S (the engine also infers this one's symmetry by itself).
SPEC = """\
title: T
variables:
  S: {shape: [n, n], props: [symmetric]}
  T: {shape: [n, n], props: [symmetric]}
  y: {shape: [n]}
define:
  K: {value: "S*T + T*S + 10*n*I", text: a kernel, props: [KPROPS]}
  f: "y' * inv(K) * y"
derive:
  - {of: f, wrt: y, method: [differential, chain]}
  - {of: f, wrt: K, method: [differential, chain], layout: numerator}
  - {of: f, wrt: K, layout: denominator}
"""


def program(props: str) -> Program:
    return build_program(load_spec_text(SPEC.replace("KPROPS", props), "t.yaml"))


@pytest.mark.parametrize("layout", list(Layout))
@pytest.mark.parametrize("method", [Method.DIFFERENTIAL, Method.CHAIN])
def test_symmetric_kernel_gives_the_books_form(layout: Layout, method: Method) -> None:
    """y'K⁻¹y with K symmetric: gradient 2K⁻¹y (Matrix Cookbook (61)), d/dK = -K⁻¹yy'K⁻¹
    ((61) with a symmetric K, as in GPML eq. 5.9), in every layout and both methods."""
    p = program("symmetric")
    for target in p.targets:
        d = verify(p, derive(p, dataclasses.replace(target, layout=layout), method))
        assert d.check is not None and d.check.numeric
        text = to_text(d.result)
        assert "'" not in text.replace("y'", ""), text  # no (K⁻¹)' left
    t = p.targets[0]
    d = derive(p, t, method)
    assert to_text(d.result) in ("2*inv(S*T + T*S + 10*n*I)*y", "2*(inv(S*T + T*S + 10*n*I)*y)")


def test_without_the_prop_the_transposes_stay_unless_symmetry_is_inferred() -> None:
    inferred = build_program(load_spec_text(SPEC.replace(", props: [KPROPS]", ""), "t.yaml"))
    assert "K" in inferred.symmetric  # (S T + T S)' = T S + S T (S, T symmetric)
    d = derive(inferred, inferred.targets[0], Method.DIFFERENTIAL)
    assert "inv(K)'" not in to_text(d.result)
    # Symmetric too (|x| = |-x|), but no rule proves it: the transposes stay.
    hidden = SPEC.replace(", props: [KPROPS]", "").replace(
        "S*T + T*S + 10*n*I", "abs(S*T - T*S) + 10*n*I"
    )
    p = build_program(load_spec_text(hidden, "t.yaml"))
    assert "K" not in p.symmetric
    d = derive(p, p.targets[0], Method.DIFFERENTIAL)
    assert "inv(K)'" in to_text(d.result)


def test_a_false_prop_is_a_located_error() -> None:
    spec = SPEC.replace("S*T + T*S + 10*n*I", "S*T + 10*n*I").replace("KPROPS", "symmetric")
    p = build_program(load_spec_text(spec, "t.yaml"))
    with pytest.raises(GenErrors) as info:
        verify(p, derive(p, p.targets[0], Method.DIFFERENTIAL))
    (err,) = info.value.errors
    assert err.message.startswith(
        "'K' is declared symmetric but is not at a sampled point (max |K - K'| = "
    )
    assert err.span is not None and (err.span.line, err.span.column) == (7, 54)


def test_positive_definite_is_checked_too() -> None:
    spec = SPEC.replace("10*n*I", "-10*n*I").replace("KPROPS", "positive-definite")
    p = build_program(load_spec_text(spec, "t.yaml"))
    with pytest.raises(GenErrors) as info:
        verify(p, derive(p, p.targets[0], Method.DIFFERENTIAL))
    assert "an eigenvalue is not positive" in info.value.errors[0].message
