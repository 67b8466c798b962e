"""How big an expression is: the number of operations in it (the JSON ``result.size``)."""

from __future__ import annotations

from gen.expr.ast import Call, Name, Node, Num, children
from gen.expr.functions import DIM_ARGS


def size(node: Node) -> int:
    """Operations in the tree: every operator and call counts one, names and numbers none.

    A call of sizes (``eye(m*n)``, ``commutation(m, n)``) counts one, whatever its sizes.
    """
    memo: dict[int, int] = {}

    def walk(n: Node) -> int:
        key = id(n)
        if key not in memo:
            if isinstance(n, Call) and n.func in DIM_ARGS:
                memo[key] = 1
            else:
                own = 0 if isinstance(n, Name | Num) or (isinstance(n, Call) and not n.args) else 1
                memo[key] = own + sum(walk(c) for c in children(n))
        return memo[key]

    return walk(node)
