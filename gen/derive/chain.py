"""The chain method: the links of ``define``, each local derivative with its shape, composed.

For a chain x -> y_1 -> ... -> y_k = z, each link's local derivative is
found by differentials of that link alone. The chain rule is written in the
layout in force (SPEC section 4): numerator dz/dx = dz/dy_k-1 ... dy_1/dx;
denominator the reverse product of the transposes; mixed, for a scalar z,
dz/dx = (dy_k-1/dy_k-2 ... dy_1/dx)^T dz/dy_k-1 (the seed's section 2).
Where a link passes through a matrix, the adjoint rule carries dz/dY back:
Y = A W + B gives dz/dW = A^T dz/dY.
"""

from __future__ import annotations

from gen.derive import algebra as al
from gen.derive.differential import Differentials, NotSupported
from gen.derive.graph import Graph
from gen.derive.jacobian import NotLinear, jacobian, vec_jacobian
from gen.derive.layout import kind_of, result_shape
from gen.derive.notes import Note
from gen.derive.simplify import Simplifier
from gen.derive.steps import Claim, Derivation, Lhs, Partial, Step
from gen.expr.ast import SCALAR, Name, Node
from gen.expr.to_text import to_text
from gen.program import Program, derivative_name
from gen.spec.model import Layout, Method, Target


def links(program: Program, of: str, wrt: str) -> list[tuple[str, str]]:
    """The chain as (y_i, y_i-1) pairs from the top (of) down to wrt; raise if not a chain."""
    graph = Graph(program, wrt, Simplifier.of(program))  # its live names alone: no simplifying
    out: list[tuple[str, str]] = []
    current = of
    while current != wrt:
        expr = graph.exprs.get(current)
        live = sorted(n for n in _names(expr) if n in graph.live) if expr is not None else []
        if len(live) != 1:
            raise NotSupported(
                f"'{current}' depends on {wrt} through {len(live)} names "
                f"({', '.join(live) or 'none'}): the chain method needs one link at a time"
            )
        out.append((current, live[0]))
        current = live[0]
    return out


def _names(node: Node) -> set[str]:
    from gen.expr.ast import children

    if isinstance(node, Name):
        return {node.id}
    found: set[str] = set()
    for c in children(node):
        found |= _names(c)
    return found


class Chain:
    """One chain derivation under construction."""

    def __init__(self, program: Program, target: Target, simplifier: Simplifier) -> None:
        self.program, self.target = program, target
        self.simplifier = simplifier
        self.of, self.wrt = target.of.value, target.wrt.value
        self.layout = target.layout
        self.sym = program.symmetric
        self.diffs = Differentials(program, self.of, self.wrt, simplifier)  # for the check forms
        self.diffs.steps.clear()
        self.values: dict[str, Node] = {}  # derivative names -> their expressions in names
        self.steps: list[Step] = []

    def shape(self, name: str) -> tuple:
        return self.program.symbols[name].shape

    def dname(self, of: str, wrt: str) -> Node:
        """The name standing for d(of)/d(wrt) in the layout, with its shape."""
        shape = result_shape(self.shape(of), self.shape(wrt), self.layout)
        return Name(derivative_name(of, wrt), shape=shape)

    def local(self, y: str, x: str) -> Node:
        """d y / d x of one link alone, in the layout in force."""
        graph = Graph(self.program, x, self.simplifier)
        simplify = self.simplifier.simplify
        lin = simplify(graph.differential(graph.exprs[y], []), self.sym, graph.dnames)
        dx = graph.dname(x)
        assert isinstance(dx, Name)
        if self.shape(y) == SCALAR:
            grad = graph.gradient(y)
            return (
                simplify(al.transpose(grad, self.sym), self.sym)
                if (self.layout is Layout.NUMERATOR and self.shape(x) != SCALAR)
                else grad
            )
        read = vec_jacobian if kind_of(self.shape(y), self.shape(x)).is_vec else jacobian
        try:
            jac = simplify(read(lin, dx, self.sym), self.sym)
        except NotLinear as exc:
            raise NotSupported(f"cannot write the Jacobian of {y} by {x}: {exc}") from exc
        return (
            simplify(al.transpose(jac, self.sym), self.sym)
            if (self.layout is Layout.DENOMINATOR)
            else jac
        )

    def derivation(self, method: Method, result: Node) -> Derivation:
        """The finished derivation, with the steps recorded so far."""
        return Derivation(
            of=self.of,
            wrt=self.wrt,
            layout=self.layout,
            method=method,
            kind=kind_of(self.shape(self.of), self.shape(self.wrt)),
            shape=result_shape(self.shape(self.of), self.shape(self.wrt), self.layout),
            result=result,
            steps=tuple(self.steps),
            text=self.target.text.value if self.target.text else None,
        )

    def record(self, lhs: Lhs | None, rhs: Node, note: Note, of: str, wrt: str) -> None:
        """A derivative step, checked against d(of)/d(wrt)."""
        check = self.diffs.check_form(al.substitute(rhs, self.values))
        self.steps.append(Step(lhs, rhs, (note,), check, Claim.DERIVATIVE, of, wrt))


def derive_chain(program: Program, target: Target, simplifier: Simplifier) -> Derivation:
    """Derive by the chain rule over the links of ``define``."""
    c = Chain(program, target, simplifier)
    chain = links(program, c.of, c.wrt)
    matrix_links = any(c.shape(n)[1] != 1 for pair in chain for n in pair)
    if c.shape(c.of) == SCALAR and matrix_links:
        composed = _adjoint_chain(c, chain)
    else:
        for y, x in chain:  # through vec, every link's derivative must be d vec(y)/d vec(x)'
            if matrix_links and SCALAR in (c.shape(y), c.shape(x)) and c.shape(y) != c.shape(x):
                raise NotSupported(
                    f"the link {y} <- {x} is a {kind_of(c.shape(y), c.shape(x)).value} derivative "
                    "inside a chain through vec; derive this target by differentials"
                )
        composed = _jacobian_chain(c, chain)
    c.record(None, composed, Note("substitute_links"), c.of, c.wrt)
    simplified = c.simplifier.simplify(composed, c.sym)
    if to_text(simplified) != to_text(composed):  # a line that reads differently
        c.record(None, simplified, Note("collect"), c.of, c.wrt)
    result = c.diffs.graph.finish(simplified)
    if result != simplified:
        c.record(None, result, Note("definitions"), c.of, c.wrt)
    return c.derivation(Method.CHAIN, result)


def _jacobian_chain(c: Chain, chain: list[tuple[str, str]]) -> Node:
    """Vectors and scalars all the way: local Jacobians, then their product in the layout."""
    for y, x in chain:
        c.values[derivative_name(y, x)] = local = c.local(y, x)
        kind = "local_gradient" if c.shape(y) == SCALAR else "local_jacobian"
        c.record(Partial(y, x), local, Note(kind, layout=c.layout.value), y, x)
    factors = [c.dname(y, x) for y, x in chain]  # top link first
    scalar_top = c.shape(c.of) == SCALAR
    if c.layout is Layout.NUMERATOR:
        rule = _chain_product(factors)
    elif c.layout is Layout.DENOMINATOR:
        rule = _chain_product(list(reversed(factors)))
    elif scalar_top and len(factors) > 1:
        # (dy_k-1/dy_k-2 ... dy_1/dx)^T dz/dy_k-1, as the seed writes it.
        lower = _mixed_jacobians(c, factors[1:], chain[1:])
        rule = al.mul(al.transpose(_chain_product(lower), c.sym), factors[0])
    elif scalar_top:
        rule = factors[0]
    else:  # mixed, a vector or matrix at the top: the Jacobians' product
        rule = _chain_product(_mixed_jacobians(c, factors, chain))
    c.record(Partial(c.of, c.wrt), rule, Note("chain_rule", layout=c.layout.value), c.of, c.wrt)
    return al.substitute(rule, c.values)


def _mixed_jacobians(c: Chain, factors: list[Node], chain: list[tuple[str, str]]) -> list[Node]:
    """The links as Jacobians in mixed layout: the gradient of a scalar link (a column
    there) transposed into its row."""
    return [
        al.transpose(f, c.sym) if c.shape(y) == SCALAR and c.shape(x) != SCALAR else f
        for f, (y, x) in zip(factors, chain, strict=True)
    ]


def _adjoint_chain(c: Chain, chain: list[tuple[str, str]]) -> Node:
    """A scalar through matrices: dz/dY carried back link by link by the adjoint rule."""
    top, below = chain[0]
    grad = c.local(top, below)
    c.values[derivative_name(c.of, below)] = grad
    c.record(Partial(c.of, below), grad, Note("local_gradient", layout=c.layout.value), c.of, below)
    simplify = c.simplifier.simplify
    for y, x in chain[1:]:
        graph = Graph(c.program, x, c.simplifier)
        g = c.dname(c.of, y)
        g_gradient = (
            al.transpose(g, c.sym) if (c.layout is Layout.NUMERATOR and c.shape(y) != SCALAR) else g
        )
        acc: dict[str, Node] = {}
        graph._backprop(graph.exprs[y], g_gradient, acc)  # noqa: SLF001 - one link's adjoint
        pulled = simplify(acc.get(x, al.zero(c.shape(x))), c.sym)
        if c.layout is Layout.NUMERATOR and c.shape(x) != SCALAR:
            pulled = simplify(al.transpose(pulled, c.sym), c.sym)
        c.record(Partial(c.of, x), pulled, Note("adjoint_rule"), c.of, x)
        c.values[derivative_name(c.of, x)] = simplify(al.substitute(pulled, c.values), c.sym)
    return c.values[derivative_name(c.of, c.wrt)]


def _chain_product(factors: list[Node]) -> Node:
    out = al.product(factors)
    assert out is not None
    return out
