"""The differential method: dz step by step, brought to tr(G^T dX), read off in a layout."""

from __future__ import annotations

from collections.abc import Callable

from gen.derive import algebra as al
from gen.derive.layout import gradient_is_transposed, kind_of, result_shape
from gen.derive.notes import Note, telling
from gen.derive.rules import Ctx, adjoint, forward, inner
from gen.derive.simplify import simplify
from gen.derive.steps import Derivation, Step
from gen.expr.ast import Name, Neg, Node, Num, children
from gen.program import Program
from gen.spec.model import Method, Target


class Graph:
    """The definitions seen from one target: which depend on ``wrt``, and their expansions."""

    def __init__(self, program: Program, wrt: str) -> None:
        self.program = program
        self.wrt = wrt
        self.ctx = Ctx(program.symmetric)
        self.exprs = {s.name: s.expr for s in program.definitions if s.expr is not None}
        self.live: set[str] = {wrt}
        self.full: dict[str, Node] = {}  # each definition in the variables alone
        for name, expr in self.exprs.items():
            if name != wrt and self.depends(expr):
                self.live.add(name)
            self.full[name] = simplify(al.substitute(expr, self.full), self.ctx.symmetric)

    @property
    def dnames(self) -> frozenset[str]:
        """The differentials written in the steps."""
        return frozenset(f"d{n}" for n in self.live)

    def depends(self, node: Node) -> bool:
        """True when ``node`` changes with ``wrt`` (through live names)."""
        if isinstance(node, Name):
            return node.id in self.live
        return any(self.depends(c) for c in children(node))

    def dname(self, name: str) -> Node:
        """The differential ``d<name>`` as a name of the same shape."""
        return Name(f"d{name}", shape=self.program.symbols[name].shape)

    def differential(self, node: Node, notes: list[str]) -> Node:
        """d(node) with ``d<name>`` for each live name, the rules applied recorded in notes."""
        if isinstance(node, Name):
            if node.id in self.live:
                return self.dname(node.id)
            return al.zero(node.shape or (1, 1))
        if isinstance(node, Num) or not self.depends(node):
            return al.zero(node.shape or (1, 1))
        out, note = forward(node, lambda c: self.differential(c, notes), self.ctx)
        if note:
            notes.append(note)
        return out

    def gradient(self, of: str) -> Node:
        """dz/d(wrt) for the scalar ``of`` as a gradient (the shape of ``wrt``), in names."""
        if of == self.wrt:
            return al.num(1)
        acc: dict[str, Node] = {of: al.num(1)}
        for name in reversed(list(self.exprs)):
            if name not in acc or name == self.wrt:
                continue
            g = simplify(acc.pop(name), self.ctx.symmetric)
            self._backprop(self.exprs[name], g, acc)
        shape = self.program.symbols[self.wrt].shape
        return simplify(acc.get(self.wrt, al.zero(shape)), self.ctx.symmetric)

    def _backprop(self, node: Node, g: Node, acc: dict[str, Node]) -> None:
        if isinstance(node, Name):
            if node.id in self.live:
                acc[node.id] = al.add(acc[node.id], g) if node.id in acc else g
            return
        for child, part in adjoint(node, g, self.ctx):
            if self.depends(child):
                self._backprop(child, part, acc)

    def path(self, of: str) -> list[str]:
        """The live definitions ``of`` reaches, from ``of`` down, in reverse spec order."""
        wanted, out = {of}, []
        for name in reversed(list(self.exprs)):
            if name in wanted and name in self.live and name != self.wrt:
                out.append(name)
                wanted |= _names(self.exprs[name])
        return out


def _names(node: Node) -> set[str]:
    if isinstance(node, Name):
        return {node.id}
    out: set[str] = set()
    for c in children(node):
        out |= _names(c)
    return out


def derive_differential(program: Program, target: Target) -> Derivation:
    """Derive d(of)/d(wrt) of a scalar target by differentials."""
    of, wrt = target.of.value, target.wrt.value
    graph = Graph(program, wrt)
    sym = graph.ctx.symmetric
    path = graph.path(of)
    steps: list[Step] = []
    shown: dict[str, Node] = {}  # the simplified differential of each definition on the path
    fwd_full: dict[str, Node] = {wrt: graph.dname(wrt)}

    def check_form(expr: Node) -> Node:
        """expr in the variables and d<wrt> alone (the numeric check's form)."""
        table: dict[str, Node] = {f"d{n}": fwd_full[n] for n in fwd_full}
        table.update(graph.full)
        return al.substitute(expr, table)

    for name in reversed(path):  # from the leaves up, so each check can use those below
        notes: list[str] = []
        raw = graph.differential(graph.exprs[name], notes)
        shown[name] = simplify(raw, sym, graph.dnames)
        fwd_full[name] = simplify(check_form(shown[name]), sym)
        lines = [Step(("d", name), raw, telling(notes))]
        if shown[name] != raw:
            lines.append(Step(None, shown[name], (Note("collect"),)))
        steps[0:0] = [_checked(s, check_form, "differential", name) for s in lines]

    gradient = graph.gradient(of)
    wrt_shape = program.symbols[wrt].shape
    of_shape = program.symbols[of].shape
    if path:
        _substitution_steps(steps, graph, of, path, shown, check_form)
    trace_form = _trace_form(gradient, graph)
    if not steps or steps[-1].rhs != trace_form:
        steps.append(_checked(Step(("d", of), trace_form, (Note("trace_form"),)),
                              check_form, "differential", of))
    transposed = gradient_is_transposed(target.layout) and wrt_shape != (1, 1)
    oriented = simplify(graph.ctx.T(gradient), sym) if transposed else gradient
    read_off = (Note("read_off", layout=target.layout.value),)
    steps.append(_checked(Step(("partial", of, wrt), oriented, read_off), check_form,
                          "derivative", of))
    result = simplify(check_form(oriented), sym)
    if result != oriented:
        steps.append(_checked(Step(None, result, (Note("definitions"),)), check_form,
                              "derivative", of))
    return Derivation(
        of=of, wrt=wrt, layout=target.layout, method=Method.DIFFERENTIAL,
        kind=kind_of(of_shape, wrt_shape).name,
        shape=result_shape(of_shape, wrt_shape, target.layout),
        result=result, steps=tuple(steps),
        text=target.text.value if target.text else None)


def _substitution_steps(steps: list[Step], graph: Graph, of: str, path: list[str],
                        shown: dict[str, Node], check_form: Callable[[Node], Node]) -> None:
    """dz with the differentials of the intermediates substituted, one level at a time."""
    current = shown[of]
    for name in path[1:]:
        table = {f"d{name}": shown[name]}
        current = simplify(al.substitute(current, table), graph.ctx.symmetric, graph.dnames)
    if len(path) > 1:
        subst = (Note("substitute", tuple(f"d{n}" for n in path[1:])),)
        steps.append(_checked(Step(("d", of), current, subst),
                              check_form, "differential", of))


def _trace_form(gradient: Node, graph: Graph) -> Node:
    """dz = tr(G^T dX) (or g^T dx, or g dx) with G kept whole, its sign outside."""
    if isinstance(gradient, Neg):
        return al.neg(_trace_form(gradient.operand, graph))
    return inner(gradient, graph.dname(graph.wrt), graph.ctx)


def _checked(step: Step, check_form: Callable[[Node], Node], equals: str, of: str) -> Step:
    return Step(step.lhs, step.rhs, step.notes, check_form(step.rhs), equals, of)
