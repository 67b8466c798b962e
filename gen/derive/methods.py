"""Which engine derives a target by which method."""

from __future__ import annotations

from gen.derive.differential import derive_differential
from gen.derive.steps import Derivation
from gen.program import Program
from gen.spec.model import Method, Target


def derive(program: Program, target: Target, method: Method) -> Derivation:
    """Derive one target by one method (program.py has refused the methods not built yet)."""
    if method is Method.DIFFERENTIAL:
        return derive_differential(program, target)
    raise NotImplementedError(f"method {method.value}")
