"""Which engine derives a target by which method; what an engine cannot do is a located error."""

from __future__ import annotations

import dataclasses

from gen.derive.chain import derive_chain
from gen.derive.differential import NotSupported, derive_differential
from gen.derive.entrywise import facts_of
from gen.derive.index import derive_index
from gen.derive.jacobian import NotLinear
from gen.derive.simplify import forget
from gen.derive.steps import Derivation
from gen.errors import GenError
from gen.program import Program
from gen.spec.model import Method, Target

ENGINES = {
    Method.DIFFERENTIAL: derive_differential,
    Method.CHAIN: derive_chain,
    Method.INDEX: derive_index,
}


def derive(program: Program, target: Target, method: Method) -> Derivation:
    """Derive one target by one method.

    Raises:
        GenError: at the target, when this method cannot derive it (and why).
    """
    forget(facts_of(program))  # memos of the simplifier hold within one program only
    try:
        return dataclasses.replace(ENGINES[method](program, target), target=target)
    except (NotSupported, NotLinear, NotImplementedError) as exc:
        raise GenError(
            f"cannot derive d{target.of.value}/d{target.wrt.value} by the {method.value} "
            f"method: {exc}", target.span) from exc
