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
        probability: Names of vectors declared ``probability`` or ``one-hot``:
            1't = t'1 = sum(t) = 1.
        logistic: Whether to try exp and sigmoid in terms of sigmoid (see gen.derive.entrywise).
        rows: Names of matrices whose rows are declared ``probability`` or ``one-hot``:
            P*ones(C) = ones(N).
        binary: Names declared ``binary`` (or ``one-hot``): M .* M = M.
        plus_minus_one: Names declared ``plus-minus-one``: y .* y = ones.
    """

    probability: frozenset[str] = frozenset()
    logistic: bool = True
    rows: frozenset[str] = frozenset()
    binary: frozenset[str] = frozenset()
    plus_minus_one: frozenset[str] = frozenset()


def facts_of(program: Program) -> Facts:
    """The facts a program's variables (and definitions) declare."""
    symbols = program.symbols.values()
    sums = {Prop.PROBABILITY, Prop.ONE_HOT}
    return Facts(
        probability=frozenset(s.name for s in symbols if s.props & sums and s.shape[1] == 1),
        rows=frozenset(s.name for s in symbols if s.props & sums and s.shape[1] != 1),
        binary=frozenset(s.name for s in symbols if s.props & {Prop.BINARY, Prop.ONE_HOT}),
        plus_minus_one=frozenset(s.name for s in symbols if Prop.PLUS_MINUS_ONE in s.props),
    )


def sums_to_one(node: Node, facts: Facts) -> bool:
    """Entries that sum to one: a name declared ``probability``, or a softmax."""
    if isinstance(node, Name):
        return node.id in facts.probability
    return isinstance(node, Call) and node.func == "softmax" and len(node.args) == 1
