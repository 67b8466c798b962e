"""The published numpy form of an expression, and the step checks' forms compiled once.

``numpy_form`` is what the results contract publishes for a result or a step: the
expression printed by ``to_numpy`` with the definitions it still names bound by lambdas
around it. ``StepForms`` prints and compiles the check forms of a derivation's steps
with their repeated sub-expressions once, for the numeric check. Both take plain data
(the definitions in spec order, each dimension's Python expression), not a program.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any

import numpy as np

from gen.expr.ast import (
    DIM_ARGS,
    Binary,
    Call,
    Name,
    Neg,
    Node,
    Num,
    Shape,
    Transpose,
    children,
)
from gen.expr.to_numpy import to_numpy
from gen.expr.walk import names

Value = Any  # a float or a 2-D float64 array


def numpy_sizes(variables: Mapping[str, Shape]) -> dict[str, str]:
    """Each dimension as a Python expression on a variable of that size.

    Args:
        variables: Each variable's shape, in spec order.
    """
    out: dict[str, str] = {}
    for name, shape in variables.items():
        for axis, d in enumerate(shape):
            if isinstance(d, str) and d not in out:
                out[d] = f"{name}.shape[{axis}]"
    return out


def run_numpy(code: str, bindings: Mapping[str, Value]) -> Value:
    """Evaluate a numpy form that this tool generated (never user text)."""
    namespace: dict[str, Any] = {"np": np, "__builtins__": {}}
    namespace.update(bindings)
    return eval(_compiled(code), namespace)  # noqa: S307


@functools.lru_cache(maxsize=4096)
def _compiled(code: str) -> CodeType:
    return compile(code, "<numpy form>", "eval")


def numpy_form(node: Node, definitions: Mapping[str, Node], sizes: Mapping[str, str]) -> str:
    """The published numpy form of a typed expression.

    Definitions the expression still names are bound by lambdas around it, in
    spec order, so the form uses only ``np`` and the variables, and stays as
    small as the expression (a deep network is not expanded).

    Args:
        node: The typed expression.
        definitions: Every definition's typed expression by name, in spec order.
        sizes: Each dimension as a Python expression (``numpy_sizes``).
    """
    code = to_numpy(node, sizes)
    for name in reversed(_definitions_needed(node, definitions)):
        code = f"(lambda {name}: {code})({to_numpy(definitions[name], sizes)})"
    return code


def _definitions_needed(node: Node, definitions: Mapping[str, Node]) -> list[str]:
    """The definitions ``node`` uses, directly or through others, in spec order."""
    wanted: set[str] = set()
    stack = [node]
    while stack:
        for name in names(stack.pop()):
            if name in definitions and name not in wanted:
                wanted.add(name)
                stack.append(definitions[name])
    return [name for name in definitions if name in wanted]


@dataclass(frozen=True)
class NumpyForms:
    """What the numpy forms of one program's expressions are printed with.

    Attributes:
        definitions: Every definition's typed expression by name, in spec order.
        sizes: Each dimension as a Python expression (``numpy_sizes``).
    """

    definitions: Mapping[str, Node]
    sizes: Mapping[str, str]

    def of(self, node: Node) -> str:
        """The published numpy form of ``node``."""
        return numpy_form(node, self.definitions, self.sizes)


_LEAF_CALLS = frozenset(DIM_ARGS) | {"I"}  # printed from their shape: their arguments are sizes


class StepForms:
    """The numpy forms of a derivation's step checks, printed and compiled once per
    verification and evaluated at each point with no sub-expression computed twice.

    The checks of a chain nest one another (the differential of h_k holds that of
    h_(k-1), written out), so printed whole they grow with the square of the depth. A
    sub-expression that occurs more than once among them (equal as trees, of the same
    shape) is printed once under a temporary name (``_t7``; a spec's names start with a
    letter) and evaluated once per point, before the forms that use it; every check is
    printed with those names in its place. numpy then performs the operations of the
    checks' own forms (``to_numpy``) on the same values; only repetitions are left out.
    Sub-expressions without a name in them (constants, exponents) stay in place.
    """

    def __init__(self, checks: Sequence[Node | None], sizes: Mapping[str, str]) -> None:
        self._class_of: dict[int, int] = {}  # id(node) -> its class (equal trees share one)
        self._classes: dict[tuple[Any, ...], int] = {}
        self._nodes: list[Node] = []  # one node of each class
        self._kids: list[tuple[int, ...]] = []
        self._uses: list[int] = []  # occurrences: in distinct parents, and as a check
        self._named: list[bool] = []  # a name (or a size) inside: a form can stand for it
        self._held = [c for c in checks if c is not None]  # the ids above stay theirs
        self.roots: list[int | None] = []
        for check in checks:
            if check is None:
                self.roots.append(None)
                continue
            k = self._intern(check)
            self._uses[k] += 1
            self.roots.append(k)
        self._temps = {
            k: f"_t{k}"
            for k in range(len(self._nodes))
            if self._uses[k] > 1 and self._named[k] and self._kids[k]
        }
        self._forms: dict[int, Node] = {}
        self._deps: dict[int, list[int]] = {}  # a printed class -> the temporaries it names
        self.texts: dict[int, str] = {}  # each printed class's numpy text
        self.codes: dict[int, CodeType] = {}
        for k in sorted(self._temps):  # children before parents
            self._emit(k, sizes)
        for root in self.roots:
            if root is not None and root not in self.codes:
                self._emit(root, sizes)

    def _intern(self, node: Node) -> int:
        """The class of ``node``, its sub-expressions classed first."""
        seen = self._class_of.get(id(node))
        if seen is not None:
            return seen
        leaf = isinstance(node, Call) and node.func in _LEAF_CALLS
        kids = () if leaf else tuple([self._intern(c) for c in children(node)])
        key = (type(node), _label(node), node.shape, kids)
        k = self._classes.get(key)
        if k is None:
            k = self._classes[key] = len(self._nodes)
            self._nodes.append(node)
            self._kids.append(kids)
            self._uses.append(0)
            named = leaf or isinstance(node, Name)
            for c in kids:
                self._uses[c] += 1
                named = named or self._named[c]
            self._named.append(named)
        self._class_of[id(node)] = k
        return k

    def _form(self, k: int, deps: list[int]) -> Node:
        """Class k's node with each temporary below it replaced by its name."""
        found = self._forms.get(k)
        if found is not None:
            return found
        node = self._nodes[k]
        kids = children(node) if self._kids[k] else ()
        new: list[Node] = []
        for c, _kid in zip(self._kids[k], kids, strict=True):
            if c in self._temps:
                deps.append(c)
                new.append(Name(self._temps[c], shape=self._nodes[c].shape))
            else:
                new.append(self._form(c, deps))
        form = node if all(a is b for a, b in zip(new, kids, strict=True)) else _rebuilt(node, new)
        self._forms[k] = form
        return form

    def _emit(self, k: int, sizes: Mapping[str, str]) -> None:
        deps: list[int] = []
        form = self._form(k, deps)
        self._deps[k] = deps
        self.texts[k] = to_numpy(form, sizes)
        self.codes[k] = _compiled(self.texts[k])

    def at(self, bindings: Mapping[str, Value]) -> Callable[[int], Value]:
        """``value(i)``: step i's check at a point where the names have ``bindings``."""
        namespace: dict[str, Any] = {"np": np, "__builtins__": {}}
        namespace.update(bindings)
        done: dict[int, Value] = {}

        def value(i: int) -> Value:
            k = self.roots[i]
            assert k is not None, "the step has no check"
            stack = [k]
            while stack:
                c = stack[-1]
                if c in done:
                    stack.pop()
                    continue
                missing = [t for t in self._deps[c] if t not in done]
                if missing:
                    stack.extend(missing)
                    continue
                stack.pop()
                done[c] = eval(self.codes[c], namespace)  # noqa: S307 - our own forms
                if c in self._temps:
                    namespace[self._temps[c]] = done[c]
            return done[k]

        return value


def _label(node: Node) -> Any:
    """What, besides its children and shape, makes a node what it is."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Binary):
        return node.op
    if isinstance(node, Call):
        return (node.func, node.args) if node.func in _LEAF_CALLS else node.func
    return None


def _rebuilt(node: Node, kids: list[Node]) -> Node:
    """``node`` with other children (its shape and span kept)."""
    if isinstance(node, Binary):
        return Binary(node.op, kids[0], kids[1], shape=node.shape, span=node.span)
    if isinstance(node, Call):
        return Call(node.func, tuple(kids), shape=node.shape, span=node.span)
    if isinstance(node, Neg):
        return Neg(kids[0], shape=node.shape, span=node.span)
    if isinstance(node, Transpose):
        return Transpose(kids[0], shape=node.shape, span=node.span)
    raise TypeError(f"not an expression node with children: {node!r}")
