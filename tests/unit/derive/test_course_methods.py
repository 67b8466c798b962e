"""Every first-order target of the course derives by chain and by differentials, and the two
agree numerically (issue 12: the chain rule through any composition graph).

A sheet shows the methods its spec names; this test derives each target both ways
whatever the spec names, verifies both, and compares them at random points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gen.derive import algebra as al
from gen.derive.methods import derive
from gen.expr.ast import Node
from gen.expr.evaluate import evaluate
from gen.expr.to_text import to_text
from gen.program import build_program
from gen.spec.load import load_spec
from gen.spec.model import Method
from gen.verify.draws import assumed_point
from gen.verify.numeric import agree, verify

COURSE = Path(__file__).resolve().parents[3] / "specs" / "course"
SPECS = sorted(COURSE.glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_chain_and_differentials_agree_on_every_target(path):
    program = build_program(load_spec(path))
    targets = [t for t in program.targets if t.order == 1]
    for target in targets:
        both = [
            verify(program, derive(program, target, m)) for m in (Method.CHAIN, Method.DIFFERENTIAL)
        ]
        checked = agree(program, both)
        name = f"d{target.of.value}/d{target.wrt.value}"
        assert all(d.check is not None and d.check.numeric for d in checked), name
        assert checked[-1].agreement is not None and checked[-1].agreement.ok, name


def test_the_course_is_all_there():
    assert len(SPECS) >= 30


@pytest.mark.parametrize(("stem", "axis"), [("batch-norm", 1), ("layer-norm", 2)])
def test_the_normalisation_layers_derive_by_chain_on_their_sheets(stem, axis):
    """dL/dX meets three paths (the centred value, the mean, the variance): the spec asks
    for both methods, and the chain rule's result is written in the upstream gradients the
    differential method names (G_X_c - sum(G_X_c)/N), as the papers' backward pass."""
    program = build_program(load_spec(COURSE / f"{stem}.yaml"))
    (target,) = [t for t in program.targets if (t.of.value, t.wrt.value) == ("L", "X")]
    assert set(target.methods) == {Method.CHAIN, Method.DIFFERENTIAL}
    chain, differential = agree(
        program,
        [verify(program, derive(program, target, m)) for m in (Method.CHAIN, Method.DIFFERENTIAL)],
    )
    assert differential.agreement is not None and differential.agreement.ok
    assert chain.check is not None and chain.check.numeric
    assert all(s.verified for s in chain.steps)  # every line checked, and right
    paths = [s.lhs.wrt for s in chain.steps if any(n.key == "paths" for n in s.notes)]
    assert paths == ["X_c", "X"]
    assert chain.names == differential.names
    assert chain.written is not None and to_text(chain.written) == to_text(differential.written)
    assert to_text(chain.written) == f"G_X_c - sum(G_X_c, {axis})/{'N' if axis == 1 else 'D'}"


def _named_gradients() -> list[tuple[Path, int, str]]:
    """(spec, target index, name) for each upstream gradient G_y a course derivation
    declares where the spec also derives d of/d y itself: that target is its meaning."""
    out = []
    for path in SPECS:
        program = build_program(load_spec(path))
        asked = {(t.of.value, t.wrt.value) for t in program.targets if t.order == 1}
        for index, target in enumerate(program.targets):
            if target.order != 1:
                continue
            for name, _ in derive(program, target, Method.DIFFERENTIAL).names:
                if name.startswith("G_") and (target.of.value, name[2:]) in asked:
                    out.append((path, index, name))
    return out


@pytest.mark.parametrize(
    ("path", "index", "name"), _named_gradients(), ids=lambda v: getattr(v, "stem", str(v))
)
def test_a_named_upstream_gradient_is_that_gradient(path, index, name):
    """G_v on a sheet is dL/dv, its sign included (batch norm once declared G_v = -dL/dv
    and wrote -G_v where it was used: right in sum, wrong as a name)."""
    program = build_program(load_spec(path))
    target = program.targets[index]
    of, y = target.of.value, name[2:]
    by_y = next(t for t in program.targets if (t.of.value, t.wrt.value) == (of, y))
    want = derive(program, by_y, Method.DIFFERENTIAL).result
    expanded: dict[str, Node] = {}
    for n, expr in derive(program, target, Method.DIFFERENTIAL).names:
        expanded[n] = al.substitute(expr, expanded)
    for seed in (1, 2):
        point = assumed_point(program, np.random.default_rng(seed))
        assert point is not None
        env = point.env()
        got = np.asarray(evaluate(expanded[name], env, point.sizes), dtype=float)
        ref = np.asarray(evaluate(want, env, point.sizes), dtype=float)
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_both_methods_write_the_names_out_alike(path):
    """Where both methods name the upstream gradients, they write the same names, the same
    result in them, and the same line with the names written out (GP: exp(-D2/(2 ell^2))
    by differentials once read exp((2XX' - r - r')/(2 ell^2)) by chain)."""
    program = build_program(load_spec(path))
    for target in (t for t in program.targets if t.order == 1):
        chain, differential = (
            derive(program, target, m) for m in (Method.CHAIN, Method.DIFFERENTIAL)
        )
        if not (chain.names and differential.names):
            continue
        assert chain.names == differential.names
        assert chain.written == differential.written

        def written_out(d):
            return [
                to_text(s.rhs) for s in d.steps if any(n.key == "names_written" for n in s.notes)
            ]

        assert written_out(chain) == written_out(differential), target
