"""Walking an expression tree: its nodes, the names it uses, whether it mentions a name.

The one place that walks a tree for these questions; every room asks here instead of
writing its own recursion. Trees are immutable and shared, so the answers are memoised.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator

from gen.expr.ast import Name, Node, children


def nodes(node: Node) -> Iterator[Node]:
    """Every node of the tree once (shared subtrees once), parents before children."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend(reversed(children(item)))


@functools.lru_cache(maxsize=65536)
def names(node: Node) -> frozenset[str]:
    """The identifiers the tree uses (variables, definitions, dimensions used as values)."""
    return frozenset(item.id for item in nodes(node) if isinstance(item, Name))


def mentions(node: Node, wanted: str | Collection[str]) -> bool:
    """True when the tree uses ``wanted`` (a name, or any name of a collection)."""
    used = names(node)
    if isinstance(wanted, str):
        return wanted in used
    return not used.isdisjoint(wanted)
