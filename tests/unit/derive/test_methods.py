"""Which engine derives a target: every derivation knows the spec's target it answers."""

from __future__ import annotations

from gen.derive.methods import derive
from gen.program import build_program
from gen.spec.load import load_spec_text

SPEC = """\
title: t
dims: {m: rows, n: size}
variables:
  A: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  lam: {shape: []}
define:
  z: A*w
  J: 1/2 * z'*z
  K: lam * J
derive:
  - {of: J, wrt: w, method: [differential, chain, index]}
  - {of: J, wrt: w, layout: numerator}
  - {of: K, wrt: lam}
"""


def test_each_derivation_carries_its_target():
    program = build_program(load_spec_text(SPEC, "s.yaml"))
    seen = []
    for target in program.targets:
        for method in target.methods:
            d = derive(program, target, method)
            assert d.target is target
            assert (d.of, d.wrt, d.layout, d.method) == (
                target.of.value, target.wrt.value, target.layout, method)
            seen.append(d.target.span.line)
    # The same pair asked twice (two layouts): each derivation points at its own item.
    assert seen == [12, 12, 12, 13, 14]
