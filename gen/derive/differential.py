"""The differential method: dz step by step, brought to tr(G^T dX), read off in a layout."""

from __future__ import annotations

from gen.derive import algebra as al
from gen.derive.backprop import Pullback, pulls_back
from gen.derive.graph import Graph
from gen.derive.jacobian import NotLinear, jacobian, vec_jacobian
from gen.derive.layout import Kind, gradient_is_transposed, kind_of, result_shape
from gen.derive.notes import Note, telling
from gen.derive.rules import inner
from gen.derive.simplify import Simplifier
from gen.derive.steps import (
    Claim,
    Derivation,
    Differential,
    GradientDifferential,
    Hessian,
    Partial,
    Step,
)
from gen.errors import NotSupported
from gen.expr.ast import SCALAR, Name, Neg, Node
from gen.expr.walk import names
from gen.program import Program
from gen.spec.model import Layout, Method, Target


class Differentials:
    """The differentials of the definitions on the path from ``of`` down to ``wrt``."""

    def __init__(self, program: Program, of: str, wrt: str, simplifier: Simplifier) -> None:
        self.graph = graph = Graph(program, wrt, simplifier)
        simplify = simplifier.simplify
        self.of, self.wrt = of, wrt
        self.path = graph.path(of)
        self.steps: list[Step] = []
        self.shown: dict[str, Node] = {}  # each simplified differential, in d-names
        self.named: dict[str, Node] = {wrt: graph.dname(wrt)}  # in d<wrt>, names kept
        sym = graph.ctx.symmetric
        for name in reversed(self.path):  # leaves first, so each uses those below
            notes: list[str] = []
            raw = graph.differential(graph.exprs[name], notes)
            self.shown[name] = simplify(raw, sym, graph.dnames)
            self.named[name] = simplify(
                al.substitute(self.shown[name], {f"d{n}": e for n, e in self.named.items()}),
                sym,
                graph.dnames,
            )
            lines = [Step(Differential(name), raw, telling(notes))]
            if self.shown[name] != raw:
                lines.append(Step(None, self.shown[name], (Note("collect"),)))
            self.steps[0:0] = [self.checked(s, Claim.DIFFERENTIAL, name) for s in lines]

    def name_differentials(self, node: Node) -> None:
        """Write in d<wrt> the differential of every live definition ``node`` uses that is
        not on the path of ``of`` (a gradient may be written with an activation's name:
        lse's gradient is s = softmax(z), and its differential then holds ds)."""
        g = self.graph
        sym = g.ctx.symmetric
        for used in sorted(names(node)):
            if used in self.named or used not in g.exprs or used not in g.live:
                continue
            for name in reversed(g.path(used)):  # leaves first
                if name in self.named:
                    continue
                raw = g.differential(g.exprs[name], [])
                inner = {f"d{n}": e for n, e in self.named.items()}
                self.named[name] = g.simplifier.simplify(
                    al.substitute(g.simplifier.simplify(raw, sym, g.dnames), inner),
                    sym,
                    g.dnames,
                )

    def check_form(self, expr: Node) -> Node:
        """expr with every differential written in d<wrt> (the numeric check's form)."""
        return al.substitute(expr, {f"d{n}": e for n, e in self.named.items()})

    def checked(self, step: Step, equals: Claim, of: str | None = None) -> Step:
        """The step with its check form attached."""
        return Step(
            step.lhs, step.rhs, step.notes, self.check_form(step.rhs), equals, of or self.of
        )

    def substituted(self) -> Node:
        """d(of) in d<wrt> alone, definitions kept as names; a step is recorded."""
        g = self.graph
        if not self.path:
            return (
                g.dname(self.wrt)
                if self.of == self.wrt
                else al.zero(g.program.symbols[self.of].shape)
            )
        current = self.named[self.of]  # every inner differential already substituted
        if len(self.path) > 1:
            subst = (Note("substitute", tuple(f"d{n}" for n in self.path[1:])),)
            self.steps.append(
                self.checked(Step(Differential(self.of), current, subst), Claim.DIFFERENTIAL)
            )
        return current

    def read_off(self, oriented: Node, target: Target) -> Node:
        """Record the read-off and the substitution of definitions; return the result."""
        read = (Note("read_off", layout=target.layout.value),)
        self.steps.append(
            self.checked(Step(Partial(self.of, self.wrt), oriented, read), Claim.DERIVATIVE)
        )
        result = self.graph.finish(oriented)
        if result != oriented:
            self.steps.append(
                self.checked(Step(None, result, (Note("definitions"),)), Claim.DERIVATIVE)
            )
        return result


def derive_differential(program: Program, target: Target, simplifier: Simplifier) -> Derivation:
    """Derive d(of)/d(wrt) by differentials: a gradient, a Jacobian, or a Hessian."""
    of, wrt = target.of.value, target.wrt.value
    diffs = Differentials(program, of, wrt, simplifier)
    of_shape, wrt_shape = program.symbols[of].shape, program.symbols[wrt].shape
    written: Node | None = None
    names: tuple[tuple[str, Node], ...] = ()
    pulled = None
    if target.order == 1 and pulls_back(diffs):  # dL = <G_S, dS>, pulled back link by link
        pullback = Pullback(diffs)
        pulled = pullback.run(target)
        names = tuple(pullback.names.items())
    if pulled is not None:
        kind = kind_of(of_shape, wrt_shape)
        shape = result_shape(of_shape, wrt_shape, target.layout)
        written, result = pulled
    elif target.order == 2:
        result = _hessian(diffs, target)
        shape = (wrt_shape[0], wrt_shape[0])
        kind = Kind.SCALAR_BY_VECTOR
    else:
        kind = kind_of(of_shape, wrt_shape)
        shape = result_shape(of_shape, wrt_shape, target.layout)
        if of_shape == SCALAR:
            result = _gradient(diffs, target)
        else:
            result = _jacobian(diffs, target)
    return Derivation(
        of=of,
        wrt=wrt,
        layout=target.layout,
        method=Method.DIFFERENTIAL,
        kind=kind,
        shape=shape,
        result=result,
        steps=tuple(diffs.steps),
        text=target.text.value if target.text else None,
        order=target.order,
        names=names,
        written=written,
    )


def _gradient(diffs: Differentials, target: Target) -> Node:
    graph, sym = diffs.graph, diffs.graph.ctx.symmetric
    simplify = graph.simplifier.simplify
    gradient = graph.gradient(diffs.of)
    diffs.substituted()
    trace_form = _trace_form(gradient, graph)
    if not diffs.steps or diffs.steps[-1].rhs != trace_form:
        diffs.steps.append(
            diffs.checked(
                Step(Differential(diffs.of), trace_form, (Note("trace_form"),)), Claim.DIFFERENTIAL
            )
        )
    transposed = gradient_is_transposed(target.layout) and gradient.shape != SCALAR
    oriented = simplify(graph.ctx.T(gradient), sym) if transposed else gradient
    return diffs.read_off(oriented, target)


def _jacobian(diffs: Differentials, target: Target) -> Node:
    graph, sym = diffs.graph, diffs.graph.ctx.symmetric
    simplify = graph.simplifier.simplify
    lin = diffs.substituted()
    dx = graph.dname(diffs.wrt)
    assert isinstance(dx, Name) and dx.shape is not None and lin.shape is not None
    through_vec = kind_of(lin.shape, dx.shape).is_vec
    read = vec_jacobian if through_vec else jacobian
    try:
        jac = simplify(read(simplify(lin, sym, graph.dnames), dx, sym), sym)
    except NotLinear as exc:
        how = (
            f"vec(d{diffs.of}) as J vec(d{diffs.wrt})"
            if through_vec
            else (f"d{diffs.of} as J d{diffs.wrt}")
        )
        raise NotSupported(f"cannot write {how}: {exc}") from exc
    if through_vec:  # d vec(Y) = J vec(dX): checked against vec of the differential
        step = Step(Differential(diffs.of, vec=True), al.mul(jac, al.vec(dx)), (Note("vec_form"),))
        diffs.steps.append(diffs.checked(step, Claim.VEC_DIFFERENTIAL))
    else:
        step = Step(Differential(diffs.of), al.mul(jac, dx), (Note("linear_form"),))
        diffs.steps.append(diffs.checked(step, Claim.DIFFERENTIAL))
    denominator = target.layout is Layout.DENOMINATOR
    oriented = simplify(graph.ctx.T(jac), sym) if denominator else jac
    return diffs.read_off(oriented, target)


def _hessian(diffs: Differentials, target: Target) -> Node:
    """The Hessian of a scalar by a vector: the Jacobian of its gradient."""
    graph, sym = diffs.graph, diffs.graph.ctx.symmetric
    simplify = graph.simplifier.simplify
    gradient = graph.gradient(diffs.of)
    diffs.steps.append(
        diffs.checked(
            Step(Partial(diffs.of, diffs.wrt), gradient, (Note("gradient"),)), Claim.GRADIENT
        )
    )
    notes: list[str] = []
    dg = graph.differential(gradient, notes)
    diffs.name_differentials(gradient)
    named = {f"d{n}": e for n, e in diffs.named.items()}
    lin = simplify(al.substitute(simplify(dg, sym, graph.dnames), named), sym, graph.dnames)
    diffs.steps.append(
        diffs.checked(
            Step(GradientDifferential(diffs.of, diffs.wrt), lin, telling(notes)), Claim.DGRADIENT
        )
    )
    dx = graph.dname(diffs.wrt)
    assert isinstance(dx, Name)
    try:
        hess = simplify(jacobian(lin, dx, sym), sym)
    except NotLinear as exc:
        raise NotSupported(f"cannot write the Hessian of {diffs.of}: {exc}") from exc
    read = (Note("read_off_hessian"),)
    diffs.steps.append(
        diffs.checked(Step(Hessian(diffs.of, diffs.wrt), hess, read), Claim.DERIVATIVE)
    )
    result = graph.finish(hess)
    if result != hess:
        diffs.steps.append(
            diffs.checked(Step(None, result, (Note("definitions"),)), Claim.DERIVATIVE)
        )
    return result


def _trace_form(gradient: Node, graph: Graph) -> Node:
    """dz = tr(G^T dX) (or g^T dx, or g dx) with G kept whole, its sign outside."""
    if isinstance(gradient, Neg):
        return al.neg(_trace_form(gradient.operand, graph))
    return inner(gradient, graph.dname(graph.wrt), graph.ctx)
