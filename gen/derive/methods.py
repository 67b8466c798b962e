"""Which engine derives a target by which method; what an engine cannot do is a located error."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from gen.derive.chain import derive_chain
from gen.derive.choices import fold_choices
from gen.derive.differential import NotSupported, derive_differential
from gen.derive.index import derive_index
from gen.derive.jacobian import NotLinear
from gen.derive.simplify import Simplifier
from gen.derive.steps import Derivation
from gen.errors import GenError, InternalError
from gen.program import Program
from gen.spec.model import Method, Target

ENGINES = MappingProxyType(
    {
        Method.DIFFERENTIAL: derive_differential,
        Method.CHAIN: derive_chain,
        Method.INDEX: derive_index,
    }
)
ORDERS = MappingProxyType(
    {  # the orders of derivative each engine derives
        Method.DIFFERENTIAL: (1, 2),
        Method.CHAIN: (1,),
        Method.INDEX: (1,),
    }
)


def derive(program: Program, target: Target, method: Method) -> Derivation:
    """Derive one target by one method, with a simplifier of its own.

    The simplifier is made per derivation, not per program: its memos key trees by
    equality, which ignores the shapes inside, and a derivative name (dz_dx) has the
    shape the target's layout gives it, so two targets of one program may type one
    name two ways. Each derivation starts from the program's facts alone.

    Raises:
        GenError: at the target, when this method cannot derive it (and why), or
            cannot derive a derivative of the order asked for.
    """
    if target.order not in ORDERS[method]:
        raise GenError(
            f"the {method.value} method gives first derivatives only: for order: "
            f"{target.order}, use method: differential",
            target.span,
        )
    try:
        derivation = ENGINES[method](program, target, Simplifier.of(program))
    except (NotSupported, NotLinear, NotImplementedError) as exc:
        raise GenError(
            f"cannot derive d{target.of.value}/d{target.wrt.value} by the {method.value} "
            f"method: {exc}",
            target.span,
        ) from exc
    if derivation.order != target.order:  # never a first derivative for a second
        raise InternalError(
            f"the {method.value} method gave a derivative of order "
            f"{derivation.order} for order {target.order}",
            target.span,
        )
    return dataclasses.replace(
        derivation,
        target=target,
        result=fold_choices(derivation.result),
        written=None if derivation.written is None else fold_choices(derivation.written),
    )
