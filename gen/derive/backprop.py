"""Backpropagation in the differential method: dL = <G_S, dS> pulled back link by link.

For a scalar ``of`` whose path from ``wrt`` has more than one link, the books do not
substitute every differential at once: they name the gradient by the last link's input
(the upstream gradient ``G_S``), write ``dL = tr(G_S' dS)``, and pull it back through
each definition in turn, ``tr(G_S' dA W2) = tr((G_S W2')' dA)``, naming a gradient that
has grown (``G_A``), until ``dL = tr((X' delta)' dW1)`` reads off ``X' delta``. Each line
claims the differential of ``of`` in the direction ``d<wrt>``; its check form has the
names written out. The names and their definitions are the derivation's ``names``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from gen.derive import algebra as al
from gen.derive.graph import Graph
from gen.derive.layout import gradient_is_transposed
from gen.derive.notes import Note
from gen.derive.rules import inner
from gen.derive.steps import Claim, Differential, Partial, Step
from gen.expr.ast import SCALAR, Binary, Name, Neg, Node, Transpose
from gen.expr.measure import size
from gen.expr.walk import names
from gen.spec.model import Target

if TYPE_CHECKING:
    from gen.derive.differential import Differentials

NAME_FIRST = 2  # the first gradient larger than this gets a name (not 1./s)
NAME_ABOVE = 6  # a pulled-back gradient larger than this gets a name of its own
LONG = 12  # a result written out smaller than this reads better without names
CANCELS = 0.75  # the result simplified to less than this share of it: names hide a cancellation
SHORT = 24  # the result with its names written out is shown when no larger than this


def pulls_back(diffs: Differentials) -> bool:
    """Whether ``diffs`` is derived by pulling back: a scalar, more than one link."""
    g = diffs.graph
    return len(diffs.path) > 1 and g.program.symbols[diffs.of].shape == SCALAR and diffs.of != g.wrt


class Pullback:
    """The pull-back lines of one differential derivation (recorded on ``diffs.steps``)."""

    def __init__(self, diffs: Differentials) -> None:
        self.diffs = diffs
        self.graph = diffs.graph
        self.names: dict[str, Node] = {}  # each name's definition, in earlier names
        self._written: dict[str, Node] = {}  # each name written out in the program's names
        taken = set(self.graph.program.symbols)
        self._taken = taken | {f"d{n}" for n in taken}

    def expand(self, node: Node) -> Node:
        """``node`` with every name of this derivation written out (the program's names)."""
        return al.substitute(node, self._written) if self._written else node

    def declare(self, base: str, value: Node) -> Node:
        """A new name for ``value`` (``base``, or ``base_2`` ... when taken); the name
        already declared for it, if any (one layer's delta met along two paths)."""
        for ident, known in self.names.items():
            if known == value:
                return Name(ident, shape=value.shape)
        ident, k = base, 1
        while ident in self._taken or ident in self.names:
            k += 1
            ident = f"{base}{k}" if base == "delta" else f"{base}_{k}"
        self.names[ident] = value
        self._written[ident] = self.expand(value)
        return Name(ident, shape=value.shape)

    def line(
        self,
        lhs: Differential | Partial | None,
        rhs: Node,
        notes: tuple[Note, ...],
        claim: Claim = Claim.DIFFERENTIAL,
    ) -> None:
        """Record ``lhs = rhs`` with its check form (names and differentials written out)."""
        d = self.diffs
        check = d.check_form(self.expand(rhs))
        d.steps.append(Step(lhs, rhs, notes, check, claim, d.of))

    def run(self, target: Target) -> tuple[Node | None, Node] | None:
        """Pull the gradient back from ``of`` to ``wrt``; return the result as written in
        the names declared (None when it holds none) and in the program's names alone.

        None, the steps left as they were: no gradient grew large enough to be named, or
        the result written out is short (least squares, logistic regression: the names
        would hide what the simplifier cancels)."""
        g, d = self.graph, self.diffs
        before = list(d.steps)
        links: dict[str, list[Step]] = {}
        for step in d.steps:  # each link's differential, shown where it is substituted
            links.setdefault(step.of, []).append(step)
        d.steps[:] = links.pop(d.of, [])
        frontier = self._pull(d.of, al.num(1), {})
        named = self._name_finals(frontier, first=True)
        inputs = Note("by_inputs", tuple(f"d{n}" for n in frontier))
        form = self._form(frontier)
        if named or not d.steps or d.steps[-1].rhs != form:  # not g' dh written twice
            self.line(Differential(d.of), form, (inputs, *_upstream(named)))
        while any(n != g.wrt for n in frontier):
            top = max((n for n in frontier if n != g.wrt), key=self._order)
            d.steps.extend(links.pop(top, []))
            frontier = self._pull(top, frontier.pop(top), frontier)
            named = self._name_finals(frontier, first=False)
            notes = (Note("pull_back", (f"d{top}",)), *_upstream(named))
            self.line(Differential(d.of), self._form(frontier), notes)
        grad = frontier.get(g.wrt, al.zero(g.program.symbols[g.wrt].shape))
        grad = self._delta(grad)
        transposed = gradient_is_transposed(target.layout) and grad.shape != SCALAR
        oriented = g.simplifier.simplify(g.ctx.T(grad), g.ctx.symmetric) if transposed else grad
        table = self.renumbered()
        oriented = al.substitute(oriented, table) if table else oriented
        full = g.simplifier.simplify(self.expand(oriented), g.ctx.symmetric)
        result = g.finish(full)
        if not self._worth(oriented, full, result, size(d.named[d.of])):
            # Nothing named, a short result, or names that hide a cancellation: the
            # lines the method always wrote.
            d.steps[:] = before
            self.names.clear()
            return None
        read = (Note("read_off", layout=target.layout.value),)
        self.line(Partial(d.of, d.wrt), oriented, read, Claim.DERIVATIVE)
        if full != oriented and size(full) <= SHORT:
            self.line(None, full, (Note("names_written"),), Claim.DERIVATIVE)
        return oriented, result

    def _worth(self, written: Node, full: Node, result: Node, substituted: int) -> bool:
        """Whether the pull-back reads better than substituting every differential at once:
        the result holds a name, the names hide no cancellation (logistic regression's
        G_p .* p .* (1 - p) is p - y), and the result is long, or a layer's error
        (delta = ... .* f'(Z)) is named where the all-at-once line would be long."""
        if not names(written) & set(self.names):
            return False
        if size(full) < CANCELS * size(self.expand(written)):
            return False
        layer = any(
            n.startswith("delta") and isinstance(e, Binary) and e.op == ".*"
            for n, e in self.names.items()
        )
        return size(result) >= LONG or (layer and substituted >= LONG)

    def _order(self, name: str) -> int:
        return list(self.graph.exprs).index(name)

    def _pull(self, name: str, grad: Node, frontier: dict[str, Node]) -> dict[str, Node]:
        """``frontier`` with what the definition of ``name`` passes to its live inputs."""
        out = dict(frontier)
        g = self.graph
        for child, part in g.pull(name, grad).items():
            out[child] = g.tidy(al.add(out[child], part)) if child in out else part
        return out

    def _name_finals(self, frontier: dict[str, Node], first: bool) -> tuple[str, ...]:
        """Name each gradient in ``frontier`` that nothing above adds to any more and that
        has grown (past ``NAME_FIRST`` at the top, ``NAME_ABOVE`` below) or is about to be
        pulled back along several paths (batch norm's G_X_hat), not a scaled name; return
        the names made."""
        made: list[str] = []
        before = set(self.names)
        g = self.graph
        for child, grad in list(frontier.items()):
            fans = len(names(g.exprs[child]) & g.live) > 1 if child in g.exprs else False
            if child == g.wrt or isinstance(grad, Name) or size(grad) < 2:
                continue
            if any(child in g.path(n) for n in frontier if n not in (child, g.wrt)):
                continue  # another input above still adds to it
            sign = isinstance(grad, Neg)
            bare = grad.operand if isinstance(grad, Neg) else grad
            small = size(grad) <= (NAME_FIRST if first else NAME_ABOVE) and not fans
            if small or _scaled_name(grad):  # written out, unless a layer's error shows
                layer = None if first else self._split(bare, layer=True)
                if layer is not None:
                    frontier[child] = al.neg(layer) if sign else layer
                    made.extend(sorted(n for n in self.names if n not in made and n not in before))
                continue
            split = None if first else self._split(bare)
            if split is None:  # G_v is dL/dv itself, its sign included
                frontier[child] = self.declare(f"G_{child}", grad)
            else:  # (delta W2'), the error of the layer below kept by its name
                frontier[child] = al.neg(split) if sign else split
            made.extend(sorted(n for n in self.names if n not in made and n not in before))
        if made:  # a name made for one input is written by name in the others too
            table = {self.names[n]: Name(n, shape=self.names[n].shape) for n in made}
            for child in frontier:
                frontier[child] = al.replace_subtrees(frontier[child], table)
        return tuple(made)

    def _split(self, grad: Node, layer: bool = False) -> Node | None:
        """``grad`` as a plain factor times a named delta, when it is such a product (a sum
        of such products, term by term); with ``layer``, only a delta that is a layer's
        error, an entrywise product (delta = G W' .* f'(Z))."""
        if isinstance(grad, Binary) and grad.op in ("+", "-"):
            left, right = self._split(grad.left, layer), self._split(grad.right, layer)
            if left is None and right is None:
                return None
            return al.binary(grad.op, left or grad.left, right or grad.right)
        if not isinstance(grad, Binary) or grad.op != "*":
            return None
        left, right = grad.left, grad.right
        if SCALAR in (left.shape, right.shape):  # 2 (...): a scale, not a layer's weights
            return None
        if size(left) <= 2 and _compound(right, layer):
            return al.mul(left, self.declare("delta", right))
        if size(right) <= 2 and isinstance(left, Transpose) and _compound(left.operand, layer):
            return al.mul(al.transpose(self.declare("delta", left.operand)), right)
        if size(right) <= 2 and _compound(left, layer):
            return al.mul(self.declare("delta", left), right)
        return None

    def _form(self, frontier: dict[str, Node]) -> Node:
        """dL as the sum of tr(G' dX) over the frontier, each sign outside."""
        terms = [_inner(grad, self.graph.dname(n), self.graph) for n, grad in frontier.items()]
        out = terms[0]
        for t in terms[1:]:
            out = al.add(out, t)
        return out

    def _delta(self, grad: Node) -> Node:
        """``grad`` with its compound factor beside a plain one named delta (X' delta,
        delta' 1), as the books write the error the weights meet; a line says so."""
        out = self._split(grad)
        if out is None:
            return grad
        dx = self.graph.dname(self.graph.wrt)
        self.line(Differential(self.diffs.of), _inner(out, dx, self.graph), (Note("delta"),))
        return out

    def renumbered(self) -> dict[str, Name]:
        """With several deltas, number them by layer from the bottom (delta1 is the last
        made), in the names and the lines."""
        made = [n for n in self.names if n == "delta" or n.startswith("delta")]
        wanted = [f"delta{len(made) - i}" for i in range(len(made))]
        if len(made) < 2 or any(w in self._taken for w in wanted):
            return {}
        shapes = {n: self.names[n].shape for n in made}
        table = {old: Name(new, shape=shapes[old]) for old, new in zip(made, wanted, strict=True)}
        self.names = {
            (table[n].id if n in table else n): al.substitute(e, table)
            for n, e in self.names.items()
        }
        self._written = {(table[n].id if n in table else n): e for n, e in self._written.items()}
        d = self.diffs
        d.steps[:] = [
            dataclasses.replace(s, rhs=al.substitute(s.rhs, table), notes=_renamed(s.notes, table))
            for s in d.steps
        ]
        return table


def _scaled_name(node: Node) -> bool:
    """Whether ``node`` is a name times, or divided by, scalars (2 E, -r/m)."""
    if isinstance(node, Neg):
        return _scaled_name(node.operand)
    if isinstance(node, Binary) and node.op in ("*", "/", ".*", "./"):
        if node.left.shape == SCALAR and node.op in ("*", ".*"):
            return _scaled_name(node.right)
        if node.right.shape == SCALAR:
            return _scaled_name(node.left)
    return isinstance(node, Name)


def _compound(node: Node, layer: bool = False) -> bool:
    if layer and not (isinstance(node, Binary) and node.op == ".*"):
        return False
    return size(node) > 2 and not isinstance(node, Name)


def _inner(grad: Node, dx: Node, graph: Graph) -> Node:
    """tr(G' dX) (or g' dx, or g dx) with G kept whole, its sign outside."""
    if isinstance(grad, Neg):
        return al.neg(_inner(grad.operand, dx, graph))
    return inner(grad, dx, graph.ctx)


def _renamed(notes: tuple[Note, ...], table: dict[str, Name]) -> tuple[Note, ...]:
    return tuple(
        dataclasses.replace(n, names=tuple(table[m].id if m in table else m for m in n.names))
        for n in notes
    )


def _upstream(made: tuple[str, ...]) -> tuple[Note, ...]:
    """The note for the names a line makes: an upstream gradient's, or a layer's error."""
    if not made:
        return ()
    if all(n.startswith("delta") for n in made):
        return (Note("delta"),)
    return (Note("upstream", made),)
