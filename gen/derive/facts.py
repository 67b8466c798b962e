"""What the entrywise simplifier may assume about a program's names beyond their shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gen.expr.ast import Call, Name, Node
from gen.spec.model import Prop

if TYPE_CHECKING:
    from gen.program import Program


@dataclass(frozen=True)
class Facts:
    """What is known about the names, beyond their shapes.

    Attributes:
        probability: Names of vectors declared ``probability``: 1't = t'1 = sum(t) = 1.
        logistic: Whether to try exp and sigmoid in terms of sigmoid (see gen.derive.entrywise).
    """

    probability: frozenset[str] = frozenset()
    logistic: bool = True


def facts_of(program: Program) -> Facts:
    """The facts a program's variables declare."""
    return Facts(
        probability=frozenset(
            s.name for s in program.symbols.values() if Prop.PROBABILITY in s.props
        )
    )


def sums_to_one(node: Node, facts: Facts) -> bool:
    """Entries that sum to one: a name declared ``probability``, or a softmax."""
    if isinstance(node, Name):
        return node.id in facts.probability
    return isinstance(node, Call) and node.func == "softmax" and len(node.args) == 1
