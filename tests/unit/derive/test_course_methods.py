"""Every first-order target of the course derives by chain and by differentials, and the two
agree numerically (issue 12: the chain rule through any composition graph).

A sheet shows the methods its spec names; this test derives each target both ways
whatever the spec names, verifies both, and compares them at random points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.derive.methods import derive
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
