"""Expressions compiled once into numpy closures, what does not change computed once.

``compile_expr`` turns a tree into a closure over an environment that computes
exactly what ``gen.expr.evaluate.evaluate`` computes (the same numpy operations on
the same values in the same order, so the same bits), without walking the tree
again on each call. Given the names that change between calls (``varying``) and
the values of all the others (``fixed``), every sub-expression that uses none of
the changing names is computed once, at compile time, and the closure reads only
the changing names: the finite differences evaluate one definition at many
points that differ in one variable.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose
from gen.expr.evaluate import OPERATORS, Array, as_matrix, evaluate
from gen.expr.functions import FUNCTIONS, Category
from gen.expr.walk import names

Env = Mapping[str, Any]
Closure = Callable[[Env], Array]

__all__ = ["Closure", "Env", "compile_expr"]


def compile_expr(
    node: Node,
    sizes: Mapping[str, int],
    fixed: Env | None = None,
    varying: Collection[str] = (),
    *,
    matrix: bool = False,
) -> Callable[[Env], Array | float]:
    """``node`` as a closure ``env -> value``, equal bit for bit to ``evaluate(node, env,
    sizes)`` when ``env`` agrees with ``fixed`` on every name not in ``varying``.

    Args:
        node: The tree (``I`` needs its inferred shape, as for ``evaluate``).
        sizes: The integer value of each dimension name.
        fixed: The values of the names that do not change between calls; None: nothing
            is computed ahead, every name is read from the environment of the call.
        varying: The names whose values change between calls (only with ``fixed``).
        matrix: Return a (1, 1) result as that 2-D array, as ``as_matrix`` makes it of
            the float (for a closure that only other closures read).

    Returns:
        A closure returning a float for a (1, 1) result, else a 2-D array.

    Raises:
        KeyError, ValueError: As ``evaluate``, at compile time for what is computed ahead.
    """
    if fixed is not None and names(node).isdisjoint(varying):
        value = as_matrix(evaluate(node, fixed, sizes)) if matrix else evaluate(node, fixed, sizes)
        return lambda env: value
    inner = _Compiler(sizes, fixed, frozenset(varying)).build(node)
    if matrix:
        return inner

    def run(env: Env) -> Array | float:
        result = inner(env)
        if result.shape == (1, 1):
            return float(result[0, 0])
        return result

    return run


class _Compiler:
    """One compilation: the sizes, and what is fixed."""

    def __init__(self, sizes: Mapping[str, int], fixed: Env | None, varying: frozenset[str]):
        self.sizes, self.fixed, self.varying = sizes, fixed, varying

    def build(self, node: Node) -> Closure:
        """The closure of ``node``: a constant when it uses no changing name."""
        if self.fixed is not None and names(node).isdisjoint(self.varying):
            value = as_matrix(evaluate(node, self.fixed, self.sizes))
            return lambda env: value
        if isinstance(node, Num):
            number = float(node.value)
            return lambda env: np.array([[number]])
        if isinstance(node, Name):
            return self.name(node.id)
        if isinstance(node, Neg):
            operand = self.build(node.operand)
            return lambda env: -operand(env)
        if isinstance(node, Transpose):
            inner = self.build(node.operand)
            return lambda env: inner(env).T
        if isinstance(node, Binary):
            op, left, right = OPERATORS[node.op], self.build(node.left), self.build(node.right)
            return lambda env: op(left(env), right(env))
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not an expression node: {node!r}")

    def name(self, name: str) -> Closure:
        """A name's value, or a dimension's size where no value of that name is given."""
        sizes = self.sizes
        if name in sizes:

            def value_or_size(env: Env) -> Array:
                if name not in env:
                    return np.array([[float(sizes[name])]])  # a dimension as a value
                return as_matrix(env[name])

            return value_or_size
        return lambda env: as_matrix(env[name])

    def call(self, node: Call) -> Closure:
        """A call of a function of values (the others use no name: computed ahead)."""
        row = FUNCTIONS.get(node.func)
        if row is None or row.category in (Category.CONSTANT, Category.SIZES):
            # No value changes these (or they fail as evaluate fails): its answer, each call.
            return lambda env: as_matrix(evaluate(node, env, self.sizes))
        function = row.evaluate
        args = tuple(self.build(arg) for arg in node.args)
        if len(args) == 1:
            (only,) = args
            return lambda env: function(only(env))
        if len(args) == 2:
            first, second = args
            return lambda env: function(first(env), second(env))
        return lambda env: function(*(arg(env) for arg in args))
