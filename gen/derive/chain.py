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

import dataclasses

from gen.derive import algebra as al
from gen.derive.backprop import SHORT, Pullback, pulls_back
from gen.derive.differential import Differentials, NotSupported
from gen.derive.graph import Graph
from gen.derive.jacobian import NotLinear, jacobian, vec_form, vec_jacobian
from gen.derive.layout import kind_of, result_shape
from gen.derive.notes import Note
from gen.derive.simplify import Simplifier
from gen.derive.steps import Claim, Derivation, Lhs, Partial, Step
from gen.expr.ast import SCALAR, Binary, Call, Name, Node, Transpose
from gen.expr.function_row import Category
from gen.expr.functions import FUNCTIONS
from gen.expr.measure import size
from gen.expr.to_text import to_text
from gen.expr.walk import mentions, names, nodes
from gen.program import Program, derivative_name
from gen.spec.model import Layout, Method, Target


def composition(program: Program, of: str, wrt: str) -> dict[str, tuple[str, ...]]:
    """The composition graph from ``of`` down to ``wrt``: each name on a path, with the
    names on a path that its definition uses directly (its inputs), from ``of`` down in
    reverse spec order (a topological order: a name comes before every name it uses)."""
    graph = Graph(program, wrt, Simplifier.of(program))  # its live names alone: no simplifying
    if of == wrt:
        return {of: ()}
    if of not in graph.live:
        raise NotSupported(f"'{of}' does not depend on {wrt}")
    out: dict[str, tuple[str, ...]] = {}
    for name in [of, *graph.path(of)]:
        if name in out or name == wrt:
            continue
        expr = graph.exprs[name]
        out[name] = tuple(sorted(n for n in names(expr) if n in graph.live))
    out[wrt] = ()
    return out


def links(program: Program, of: str, wrt: str) -> list[tuple[str, str]]:
    """The chain as (y_i, y_i-1) pairs from the top (of) down to wrt; raise if not a chain."""
    inputs = composition(program, of, wrt)
    out: list[tuple[str, str]] = []
    current = of
    while current != wrt:
        live = inputs[current]
        if len(live) != 1:
            raise NotSupported(
                f"'{current}' depends on {wrt} through {len(live)} names "
                f"({', '.join(live) or 'none'}): the chain method needs one link at a time"
            )
        out.append((current, live[0]))
        current = live[0]
    return out


def is_chain(inputs: dict[str, tuple[str, ...]]) -> bool:
    """Whether every name on a path reaches ``wrt`` through one input alone."""
    return all(len(ins) == 1 for ins in inputs.values() if ins)


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

    def record(
        self, lhs: Lhs | None, rhs: Node, note: Note | tuple[Note, ...], of: str, wrt: str
    ) -> None:
        """A derivative step, checked against d(of)/d(wrt)."""
        check = self.diffs.check_form(al.substitute(rhs, self.values))
        notes = note if isinstance(note, tuple) else (note,)
        self.steps.append(Step(lhs, rhs, notes, check, Claim.DERIVATIVE, of, wrt))

    def record_named(self, rhs: Node, notes: tuple[Note, ...], pullback: Pullback) -> None:
        """The derivative written in the names ``pullback`` declares, checked with them
        written out."""
        check = self.diffs.check_form(pullback.expand(rhs))
        step = Step(Partial(self.of, self.wrt), rhs, notes, check, Claim.DERIVATIVE)
        self.steps.append(dataclasses.replace(step, of=self.of, wrt=self.wrt))


def derive_chain(program: Program, target: Target, simplifier: Simplifier) -> Derivation:
    """Derive by the chain rule over the links of ``define``."""
    c = Chain(program, target, simplifier)
    inputs = composition(program, c.of, c.wrt)
    if not is_chain(inputs):
        return _finish(c, _paths(c, inputs))
    chain = links(program, c.of, c.wrt)
    matrix_links = any(c.shape(n)[1] != 1 for pair in chain for n in pair)
    if c.shape(c.of) == SCALAR and matrix_links:
        composed = _adjoint_chain(c, chain)
    else:
        if matrix_links and any(
            SCALAR in (c.shape(y), c.shape(x)) and c.shape(y) != c.shape(x) for y, x in chain
        ):  # a scalar link inside a chain through vec: each line's Jacobian through vec
            return _finish(c, _jacobian_paths(c, inputs))
        composed = _jacobian_chain(c, chain)
    return _finish(c, composed)


def _finish(c: Chain, composed: Node) -> Derivation:
    """The composed derivative substituted, collected and written in the variables; for
    a scalar pulled back through several links, also written in the upstream gradients
    the differential method names (backprop.py), as the books write backpropagation."""
    named = _named(c)
    lines: list[tuple[Node, Note]] = []
    if not (c.steps and c.steps[-1].rhs == composed):  # not the one link's line again
        lines.append((composed, Note("substitute_links")))
    simplified = c.simplifier.simplify(composed, c.sym)
    if to_text(simplified) != to_text(composed):  # a line that reads differently
        lines.append((simplified, Note("collect")))
    result = c.diffs.graph.finish(simplified)
    if result != simplified:
        lines.append((result, Note("definitions")))
    if named is None:
        for rhs, note in lines:
            c.record(None, rhs, note, c.of, c.wrt)
        return c.derivation(Method.CHAIN, result)
    pullback, written = named
    c.record_named(written, (Note("named_gradients", tuple(pullback.names)),), pullback)
    full = c.simplifier.simplify(pullback.expand(written), c.sym)
    if full != written and size(full) <= SHORT:  # the names written out, as backprop does
        c.record(None, full, Note("names_written"), c.of, c.wrt)
    return dataclasses.replace(
        c.derivation(Method.CHAIN, result), names=tuple(pullback.names.items()), written=written
    )


def _named(c: Chain) -> tuple[Pullback, Node] | None:
    """The result in named upstream gradients (G_S, delta), named as the differential
    method names them, when that method would write it so; None otherwise."""
    if c.target.order != 1 or not pulls_back(c.diffs):
        return None
    pullback = Pullback(c.diffs)
    pulled = pullback.run(c.target)
    c.diffs.steps.clear()  # its lines are the differential method's; only its names are kept
    if pulled is None or pulled[0] is None:
        return None
    return pullback, pulled[0]


def _jacobian_chain(c: Chain, chain: list[tuple[str, str]]) -> Node:
    """Vectors and scalars all the way: local Jacobians, then their product in the layout."""
    for y, x in chain:
        c.values[derivative_name(y, x)] = local = c.local(y, x)
        kind = "local_gradient" if c.shape(y) == SCALAR else "local_jacobian"
        c.record(Partial(y, x), local, Note(kind, layout=c.layout.value), y, x)
    if len(chain) == 1:  # one link: its derivative is the derivative, no chain to write
        return c.values[derivative_name(*chain[0])]
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
        pulled = _pulled(c, graph, y, g_gradient, x)
        c.record(Partial(c.of, x), pulled, link_notes(graph.exprs[y], x), c.of, x)
        c.values[derivative_name(c.of, x)] = simplify(al.substitute(pulled, c.values), c.sym)
    return c.values[derivative_name(c.of, c.wrt)]


def _paths(c: Chain, inputs: dict[str, tuple[str, ...]]) -> Node:
    """The multivariable chain rule over a composition graph (a scalar at the top).

    From ``of`` down (a topological order), each name's gradient is the sum over the
    names that use it (one term per edge, so one per path once composed) of the
    gradient pulled back through that use alone by its adjoint rule: with z = f(y, w),
    y = g(w), dz/dw = (dy/dw)^T dz/dy + the direct term. Each gradient is a name
    (dz/dy) reused by the terms below it, as backpropagation does.
    """
    if c.shape(c.of) != SCALAR:
        return _jacobian_paths(c, inputs)
    simplify = c.simplifier.simplify
    order = list(inputs)  # of first; every name before the names it uses
    for y in order[1:]:
        users = [p for p in order if y in inputs[p]]
        graph = Graph(c.program, y, c.simplifier)
        terms: list[Node] = []
        for p in users:
            g = al.num(1) if p == c.of else c.dname(c.of, p)
            if c.layout is Layout.NUMERATOR and c.shape(p) != SCALAR:
                g = al.transpose(g, c.sym)
            term = _pulled(c, graph, p, g, y)
            terms.append(term)
        total = _sum(terms)
        note: tuple[Note, ...]
        if len(users) > 1:
            note = (Note("paths", names=tuple(users)),)
        elif users == [c.of]:
            note = (Note("local_gradient", layout=c.layout.value),)
        else:
            note = link_notes(graph.exprs[users[0]], y)
        c.record(Partial(c.of, y), total, note, c.of, y)
        c.values[derivative_name(c.of, y)] = simplify(al.substitute(total, c.values), c.sym)
    return c.values[derivative_name(c.of, c.wrt)]


def _jacobian_paths(c: Chain, inputs: dict[str, tuple[str, ...]]) -> Node:
    """The multivariable chain rule for a vector or matrix at the top: d of/d y = the sum
    over the names p that use y of (d of/d p)(∂p/∂y), the local derivative of p by y
    written out and each d of/d p a name reused below (numerator and mixed layout; the
    transposed products in denominator layout). Through vec (Magnus & Neudecker, ch. 9)
    every factor is a Jacobian d vec(a)/d vec(b)': a scalar's by a vector or matrix is
    the row vec(∂a/∂b)' (the transposed gradient), a vector's or matrix's by a scalar
    the column vec(∂a/∂b) (``vec_form``). Every line is a total derivative, checked as
    such, in the shape its pair has in the layout.

    A matrix's derivative by a scalar s that reaches it through a vector or matrix P is
    d vec(of)/d vec(P)' vec(∂P/∂s), a column with no matrix form in the language (no
    unvec): s gets no line, and that column stands for d vec(of)/ds in the terms below
    it. A matrix by a scalar ``wrt`` is carried forward instead (``_forward``).
    """
    if c.shape(c.wrt) == SCALAR and c.shape(c.of)[1] != 1:
        return _forward(c, inputs)
    simplify = c.simplifier.simplify
    order = list(inputs)  # of first; every name before the names it uses
    columns: dict[str, Node] = {}  # the scalars without a line: d vec(of)/ds through vec
    for y in order[1:]:
        users = [p for p in order if y in inputs[p]]
        if _folded(c, y, users, columns):  # never wrt: a scalar wrt goes forward
            columns[y] = _sum([_vec_term(c, p, y, columns) for p in users])
            continue
        total = _sum([_path_term(c, p, y, columns) for p in users])
        if len(users) > 1:
            note = Note("paths", names=tuple(users))
        elif users == [c.of]:
            note = Note("local_jacobian", layout=c.layout.value)
        else:
            note = Note("chain_rule", layout=c.layout.value)
        c.record(Partial(c.of, y), total, note, c.of, y)
        c.values[derivative_name(c.of, y)] = simplify(al.substitute(total, c.values), c.sym)
    return c.values[derivative_name(c.of, c.wrt)]


def _forward(c: Chain, inputs: dict[str, tuple[str, ...]]) -> Node:
    """A matrix by a scalar ``wrt``: the chain rule carried forward, from ``wrt`` up. Each
    name's derivative by ``wrt`` is its differential with d q = dq/d wrt for each name q
    it uses (dY = sum over its inputs of the differential through each; Magnus &
    Neudecker, ch. 5 and 9): a matrix of the name's shape (its transpose in denominator
    layout), a line of its own, checked as one."""
    simplify = c.simplifier.simplify
    den = c.layout is Layout.DENOMINATOR
    graph = Graph(c.program, c.wrt, c.simplifier)
    for p in reversed(list(inputs)):
        if p == c.wrt:
            continue
        lin = graph.differential(graph.exprs[p], [])
        tangents: dict[str, Node] = {f"d{c.wrt}": al.num(1)}
        for q in inputs[p]:
            if q != c.wrt:
                name = c.dname(q, c.wrt)
                tangents[f"d{q}"] = al.transpose(name, c.sym) if den else name
        deriv = simplify(al.substitute(lin, tangents), c.sym)
        rhs = simplify(al.transpose(deriv, c.sym), c.sym) if den else deriv
        if len(inputs[p]) > 1:
            note = Note("paths", names=inputs[p])
        elif inputs[p] == (c.wrt,):
            note = Note("local_jacobian", layout=c.layout.value)
        else:
            note = Note("chain_rule", layout=c.layout.value)
        c.record(Partial(p, c.wrt), rhs, note, p, c.wrt)
        c.values[derivative_name(p, c.wrt)] = simplify(al.substitute(rhs, c.values), c.sym)
    return c.values[derivative_name(c.of, c.wrt)]


def _folded(c: Chain, y: str, users: list[str], columns: dict[str, Node]) -> bool:
    """Whether d of/d y, a matrix by the scalar y, is reached through a vector or matrix
    below the top (or a scalar folded so): then it is only a column through vec."""
    if c.shape(y) != SCALAR or c.shape(c.of)[1] == 1:
        return False
    return any(p in columns or (p != c.of and c.shape(p) != SCALAR) for p in users)


def _pulled(c: Chain, graph: Graph, p: str, grad: Node, y: str) -> Node:
    """What the definition of ``p``, whose gradient is ``grad``, passes back to ``y``
    (one use's adjoint), simplified, as the layout writes a derivative by ``y``."""
    pulled = c.simplifier.simplify(graph.adjoints(p, grad).get(y, al.zero(c.shape(y))), c.sym)
    if c.layout is Layout.NUMERATOR and c.shape(y) != SCALAR:
        return c.simplifier.simplify(al.transpose(pulled, c.sym), c.sym)
    return pulled


def _sum(terms: list[Node]) -> Node:
    """The terms added, one per path."""
    total = terms[0]
    for term in terms[1:]:
        total = al.add(total, term)
    return total


def _path_term(c: Chain, p: str, y: str, columns: dict[str, Node]) -> Node:
    """The term of d of/d y for the use of y by p: (d of/d p)(∂p/∂y) through vec, in
    the layout; p's derivative by y alone (a partial where p also depends on y through
    another input: no line of its own, which no check of p by y could measure)."""
    if p == c.of:
        return _partial(c, p, y)
    if c.shape(y) == SCALAR and c.shape(c.of)[1] != 1:  # d Y/d p, a matrix, scaled
        return al.mul(c.dname(c.of, p), _partial(c, p, y))
    return _vec_term(c, p, y, columns)


def _vec_term(c: Chain, p: str, y: str, columns: dict[str, Node]) -> Node:
    """(d vec(of)/d vec(p)')(d vec(p)/d vec(y)'), its transpose in denominator layout."""
    local = _partial(c, p, y)
    if p == c.of:
        return vec_form(local, c.shape(p), c.shape(y), c.layout, c.sym)
    formed = vec_form(local, c.shape(p), c.shape(y), c.layout, c.sym)
    if formed is not local:
        local = c.simplifier.simplify(formed, c.sym)
    upper = (
        columns[p]
        if p in columns
        else vec_form(c.dname(c.of, p), c.shape(c.of), c.shape(p), c.layout, c.sym)
    )
    if c.layout is Layout.DENOMINATOR:
        return al.mul(local, upper)
    return al.mul(upper, local)


def _partial(c: Chain, p: str, y: str) -> Node:
    """∂p/∂y, p's derivative by y in its own definition alone (every other name it uses
    held fixed), in the layout in force."""
    if c.shape(p) != SCALAR and c.shape(y) != SCALAR:
        return c.local(p, y)
    simplify = c.simplifier.simplify
    graph = Graph(c.program, y, c.simplifier)
    if c.shape(p) == SCALAR:  # its gradient by y: one use's adjoint
        grad = simplify(
            graph.named(graph.adjoints(p, al.num(1)).get(y, al.zero(c.shape(y)))), c.sym
        )
        if c.layout is Layout.NUMERATOR and c.shape(y) != SCALAR:
            return simplify(al.transpose(grad, c.sym), c.sym)
        return grad
    # a vector or matrix by a scalar: its differential with d y = 1 and the others 0
    lin = graph.differential(graph.exprs[p], [])
    held = {f"d{n}": al.zero(c.shape(n)) for n in graph.live if n != y}
    deriv = simplify(al.substitute(lin, {**held, f"d{y}": al.num(1)}), c.sym)
    if c.layout is Layout.DENOMINATOR:
        return simplify(al.transpose(deriv, c.sym), c.sym)
    return deriv


def link_notes(expr: Node, x: str) -> tuple[Note, ...]:
    """The rules that carry a gradient back through one link to ``x``, named by the
    operations on the way from the link's top down to ``x``: an entrywise function
    (G ⊙ f'(A)), another function (its own rule: softmax, an inverse, ...), an entrywise
    product or quotient, a matrix product (the adjoint rule); a sum, a transpose or a
    constant factor only when nothing else is met."""
    found: list[str] = []
    plain: list[str] = []
    for node in nodes(expr):
        if not mentions(node, x):
            continue
        if isinstance(node, Call) and node.func in FUNCTIONS:
            row = FUNCTIONS[node.func]
            if row.category is Category.ENTRYWISE:
                found.append("adjoint_entrywise")
            elif row.note is not None:
                found.append(row.note)
        elif isinstance(node, Binary) and node.op in (".*", "./"):
            found.append("adjoint_hadamard")
        elif (
            isinstance(node, Binary)
            and node.op == "*"
            and SCALAR
            not in (
                node.left.shape,
                node.right.shape,
            )
        ):
            found.append("adjoint_rule")
        elif isinstance(node, Binary) and node.op in ("+", "-"):
            plain.append("adjoint_sum")
        elif isinstance(node, Transpose):
            plain.append("transpose")
    keys = list(dict.fromkeys(found or plain)) or ["scale"]
    return tuple(Note(k) for k in keys)


def _chain_product(factors: list[Node]) -> Node:
    out = al.product(factors)
    assert out is not None
    return out
