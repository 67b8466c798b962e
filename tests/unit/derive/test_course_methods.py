"""Every first-order target of the course derives by chain and by differentials, and the two
agree numerically (issue 12: the chain rule through any composition graph).

A sheet shows the methods its spec names; this test derives each target both ways
whatever the spec names, verifies both, and compares them at random points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.derive.methods import derive
from gen.expr.to_text import to_text
from gen.program import build_program
from gen.spec.load import load_spec
from gen.spec.model import Method
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
