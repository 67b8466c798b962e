"""Programs and derivations from spec text, for the rendering tests."""

from __future__ import annotations

from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.verify.numeric import agree, verify

LEAST_SQUARES = """\
title: Least squares
layout: mixed
dims:
  m: samples
  n: features
variables:
  X: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  y: {shape: [m], props: [constant]}
  lam: {shape: [], props: [positive]}
define:
  z: X*w - y
  J: 1/2 * z'*z + lam/2 * w'*w
derive:
  - of: J
    wrt: w
"""


def program_of(text: str, path: str = "spec.yaml") -> Program:
    """The checked program of a spec's text."""
    return build_program(load_spec_text(text, path))


def derived(text: str, path: str = "spec.yaml") -> tuple[Program, list[Derivation]]:
    """The program and its derivations, verified, methods compared."""
    program = program_of(text, path)
    out = [verify(program, derive(program, t, m)) for t in program.targets for m in t.methods]
    return program, agree(program, out)


def with_style(text: str, style: str) -> str:
    """The spec text with a ``style:`` line added."""
    return text + f"style: {style}\n"
