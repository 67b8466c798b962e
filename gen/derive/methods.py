"""Which engine derives a target by which method."""

from __future__ import annotations

from gen.derive.chain import derive_chain
from gen.derive.differential import derive_differential
from gen.derive.index import derive_index
from gen.derive.steps import Derivation
from gen.program import Program
from gen.spec.model import Method, Target


def derive(program: Program, target: Target, method: Method) -> Derivation:
    """Derive one target by one method (program.py has refused the methods not built yet)."""
    if method is Method.DIFFERENTIAL:
        return derive_differential(program, target)
    if method is Method.CHAIN:
        return derive_chain(program, target)
    if method is Method.INDEX:
        return derive_index(program, target)
    raise NotImplementedError(f"method {method.value}")
