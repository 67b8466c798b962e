"""Warnings about a valid spec: what it declares but never uses."""

from __future__ import annotations

from gen.errors import GenError
from gen.expr.functions import OVERRIDABLE
from gen.expr.walk import names
from gen.program import Program


def lint(program: Program) -> list[GenError]:
    """Warnings for declared dimensions and variables that nothing uses.

    A dimension is used by a shape or by ``eye``/``ones``/``zeros``; a
    variable by a definition or as the ``of`` or ``wrt`` of a derivation.
    """
    spec = program.spec
    used: set[str] = set()
    for sym in program.definitions:
        if sym.expr is not None:
            used |= names(sym.expr)
    for target in spec.targets:
        used |= {target.of.value, target.wrt.value}
    shaped = {entry for var in spec.variables for entry in var.shape if isinstance(entry, str)}
    out: list[GenError] = []
    for dim in spec.dims:
        if dim.name not in shaped and dim.name not in used:
            out.append(
                GenError(
                    f"dimension '{dim.name}' is declared but nothing uses it",
                    dim.span,
                    kind="warning",
                )
            )
    declared = [(var.name, var.span) for var in spec.variables]
    declared += [(item.name, item.span) for item in spec.definitions]
    for name, span in declared:
        if name in OVERRIDABLE:
            out.append(
                GenError(
                    f"'{name}' is declared here, so '{name}' in this spec means it,"
                    f" not the constant {name}",
                    span,
                    kind="warning",
                )
            )
    for var in spec.variables:
        if var.name not in used:
            out.append(
                GenError(
                    f"variable '{var.name}' is declared but no definition or derivation uses it",
                    var.span,
                    kind="warning",
                )
            )
    return out
