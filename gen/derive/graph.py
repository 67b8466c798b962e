"""The definitions seen from one target: what depends on ``wrt``, differentials, gradients."""

from __future__ import annotations

from gen.derive import algebra as al
from gen.derive.rules import Ctx, adjoint, forward
from gen.derive.simplify import Simplifier
from gen.derive.terms import summed
from gen.expr.ast import SCALAR, Binary, Call, Name, Neg, Node, Num, Transpose, children
from gen.expr.measure import size
from gen.expr.walk import names, nodes
from gen.program import Program

ACTIVATIONS = frozenset({"sigmoid", "tanh", "exp", "sqrt", "softmax"})


class Graph:
    """The definitions seen from one target: which depend on ``wrt``, and their expansions.

    Args:
        program: The program.
        wrt: The variable derived by.
        simplifier: The derivation's simplifier (its facts and memos).
    """

    def __init__(self, program: Program, wrt: str, simplifier: Simplifier) -> None:
        self.program = program
        self.wrt = wrt
        self.simplifier = simplifier
        self.ctx = Ctx(program.symmetric)
        self.exprs = {s.name: s.expr for s in program.definitions if s.expr is not None}
        self.live: set[str] = {wrt}
        self._depends: dict[int, bool] = {}
        self._keep: list[Node] = []
        self._expanded: dict[str, Node] = {}
        self._named_memo: dict[int, Node] = {}
        for name, expr in self.exprs.items():
            if name != wrt and self.depends(expr):
                self.live.add(name)
        # An activation's derivative in its own value, as the books write it: with
        # p = sigmoid(u), sigmoid'(u) = p .* (1 - p); with h = tanh(u), 1 - h.^2.
        self._activations: dict[Node, Node] = {
            expr: Name(name, shape=expr.shape)
            for name, expr in self.exprs.items()
            if isinstance(expr, Call) and expr.func in ACTIVATIONS and name != wrt
        }

    def expand(self, node: Node) -> Node:
        """``node`` with every definition replaced, down to the variables and ``wrt`` (a
        derivative by a definition is written in it, not in what defines it)."""
        for name, expr in self.exprs.items():
            if name not in self._expanded and name != self.wrt:
                self._expanded[name] = self.simplifier.simplify(
                    al.substitute(expr, self._expanded), self.ctx.symmetric
                )
        return self.simplifier.simplify(al.substitute(node, self._expanded), self.ctx.symmetric)

    def finish(self, node: Node) -> Node:
        """The result in the variables alone, unless that would blow it up (then in names)."""
        limit = 2 * size(node) + 24
        if self._expanded_size(node) > 2 * limit:
            # Not even simplifying could bring it back under the limit (a deep network):
            # do not build it (that alone grows faster than the depth).
            return _sized_identity(node)
        expanded = self._quotients(self.expand(node))
        keep = self._repeated(expanded) | self._kept(expanded)
        if keep:  # p(1 - p) with p = sigmoid(X w), not the sigmoid written twice
            expanded = summed(self._named(expanded, keep))
        out = expanded if size(expanded) <= limit else node
        return _sized_identity(out)

    def _quotients(self, expanded: Node) -> Node:
        """``expanded`` with the numerator a of a scalar definition q = a/b written q*b
        where that makes it shorter, b by its name if it has one (the Rayleigh quotient's
        gradient 2(S u - R u)/den, not 2(S u/den - u'S u u/den^2), Horn & Johnson 4.2);
        a = q b wherever q is defined."""
        for name, expr in self.exprs.items():
            if (
                name == self.wrt
                or expr.shape != SCALAR
                or not (isinstance(expr, Binary) and expr.op == "/")
            ):
                continue
            a, b = (self.expand(side) for side in (expr.left, expr.right))
            if size(a) < 1 or a not in set(nodes(expanded)):
                continue
            q = Name(name, shape=SCALAR)
            tried = al.replace_subtrees(expanded, {a: al.mul(q, b)})
            for _ in range(2):  # b/b^2 cancels as the terms are written; then 1/b is shared
                tried = self.simplifier.simplify(tried, self.ctx.symmetric)
            if isinstance(expr.right, Name) and expr.right.id in self._expanded:
                tried = al.replace_subtrees(tried, {b: expr.right})  # the book's den, kept
            if size(tried) < size(expanded):
                expanded = tried
        return expanded

    def _repeated(self, expanded: Node) -> frozenset[str]:
        """The definitions (more than a name or a transpose) whose expansion the expanded
        result repeats: their names read better than their expressions written twice."""
        counts: dict[Node, int] = {}
        stack = [expanded]
        while stack:
            n = stack.pop()
            counts[n] = counts.get(n, 0) + 1
            stack.extend(children(n))
        return frozenset(
            name
            for name, expr in self.exprs.items()
            if size(expr) >= 1
            and name != self.wrt
            and not isinstance(expr, Transpose)
            and counts.get(self._expanded[name], 0) >= 2
        )

    def _kept(self, expanded: Node) -> frozenset[str]:
        """The definitions of definitions the expanded result holds (P = softmax(S) with
        S = Q K'/sqrt(d), X_hat in X_c and v), and the activations (p = sigmoid(X w)):
        the books keep such a name, not its expression written out to the variables."""
        inside = set(nodes(expanded))
        return frozenset(
            name
            for name, expr in self.exprs.items()
            if name != self.wrt
            and not isinstance(expr, Transpose)
            and self._expanded[name] in inside
            and (
                any(n in self.exprs for n in names(expr))
                or (isinstance(expr, Call) and expr.func in ACTIVATIONS)
            )
        )

    def _named(self, expanded: Node, keep: frozenset[str]) -> Node:
        """``expanded`` with each expansion of a name in ``keep`` written as that name."""
        table = {self._expanded[n]: Name(n, shape=self.exprs[n].shape) for n in keep}
        return al.replace_subtrees(expanded, table)

    def _expanded_size(self, node: Node) -> int:
        """The size of ``node`` with every definition substituted, before simplifying;
        counted without building it (each definition's size once)."""
        sizes: dict[str, int] = {}

        def of(n: Node, memo: dict[int, int]) -> int:
            key = id(n)
            if key not in memo:
                if isinstance(n, Name) and n.id in self.exprs and n.id != self.wrt:
                    if n.id not in sizes:
                        sizes[n.id] = of(self.exprs[n.id], {})
                    memo[key] = sizes[n.id]
                else:
                    memo[key] = (
                        size(n) if not children(n) else (1 + sum(of(c, memo) for c in children(n)))
                    )
            return memo[key]

        return of(node, {})

    @property
    def dnames(self) -> frozenset[str]:
        """The differentials written in the steps."""
        return frozenset(f"d{n}" for n in self.live)

    def depends(self, node: Node) -> bool:
        """True when ``node`` changes with ``wrt`` (through live names)."""
        key = id(node)
        hit = self._depends.get(key)
        if hit is None:
            if isinstance(node, Name):
                hit = node.id in self.live
            else:
                hit = any(self.depends(c) for c in children(node))
            self._depends[key] = hit
            self._keep.append(node)  # ids stay valid while the node lives
        return hit

    def dname(self, name: str) -> Node:
        """The differential ``d<name>`` as a name of the same shape."""
        return Name(f"d{name}", shape=self.program.symbols[name].shape)

    def named(self, node: Node) -> Node:
        """``node`` with each activation of a definition written as its name."""
        if not self._activations:
            return node
        # The memo lasts across calls: a gradient is walked again as it grows.
        return al.replace_subtrees(node, self._activations, self._named_memo, self._keep)

    def differential(self, node: Node, notes: list[str]) -> Node:
        """d(node) with ``d<name>`` for each live name, the rules applied recorded in notes."""
        out = self._differential(node, notes)
        return self.named(out)

    def _differential(self, node: Node, notes: list[str]) -> Node:
        if isinstance(node, Name):
            if node.id in self.live:
                return self.dname(node.id)
            return al.zero(node.shape or (1, 1))
        if isinstance(node, Num) or not self.depends(node):
            return al.zero(node.shape or (1, 1))
        out, note = forward(node, lambda c: self._differential(c, notes), self.ctx)
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
            g = self.simplifier.simplify(self.named(acc.pop(name)), self.ctx.symmetric)
            self._backprop(self.exprs[name], g, acc)
        shape = self.program.symbols[self.wrt].shape
        return self.simplifier.simplify(
            self.named(acc.get(self.wrt, al.zero(shape))), self.ctx.symmetric
        )

    def tidy(self, node: Node) -> Node:
        """``node`` simplified, each definition's expression in it (an activation, or
        X_c ./ sqrt(v + epsilon) for X_hat) written as its name."""
        out = self.simplifier.simplify(self.named(node), self.ctx.symmetric)
        table = {
            expr: Name(name, shape=expr.shape)
            for name, expr in self.exprs.items()
            if name != self.wrt and size(expr) >= 1
        }
        return al.replace_subtrees(out, table)

    def pull(self, name: str, grad: Node) -> dict[str, Node]:
        """What the definition of ``name``, whose gradient is ``grad``, passes to each live
        name it uses directly (the adjoint rules, one link back), each part tidied."""
        return {n: self.tidy(g) for n, g in self.adjoints(name, grad).items()}

    def adjoints(self, name: str, grad: Node) -> dict[str, Node]:
        """What the definition of ``name``, whose gradient is ``grad``, passes to each live
        name it uses directly, as the adjoint rules give it (one use's adjoint)."""
        acc: dict[str, Node] = {}
        self._backprop(self.exprs[name], grad, acc)
        return acc

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
                wanted |= names(self.exprs[name])
        return out


def _sized_identity(node: Node) -> Node:
    """A result that is I (or c I) says its size, eye(n): alone, I's size cannot be read."""
    if isinstance(node, Call) and node.func == "I" and node.shape is not None:
        return Call("eye", (al.dim(node.shape[0]),), shape=node.shape)
    if isinstance(node, Binary) and node.op == "*" and node.left.shape == (1, 1):
        right = _sized_identity(node.right)
        return node if right is node.right else al.mul(node.left, right)
    if isinstance(node, Neg):
        inner = _sized_identity(node.operand)
        return node if inner is node.operand else al.neg(inner)
    return node
