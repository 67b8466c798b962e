"""The index method: the last link entry by entry, with sums and Kronecker deltas (seed §4).

For a scalar z and a link Y = P W Q + (terms without W), entry by entry
dz/dW_ij = sum_kl dz/dY_kl dY_kl/dW_ij with dY_kl/dW_ij = P_ki Q_jl, so
dz/dW_ij = (P^T dz/dY Q^T)_ij. A transposed W swaps the roles of i and j; an
entrywise f(W) gives delta_ki delta_lj f'(W_ij). The links above Y are
derived by differentials and shown as one gradient dz/dY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gen.derive import algebra as al
from gen.derive.chain import Chain, links
from gen.derive.differential import NotSupported
from gen.derive.graph import Graph
from gen.derive.indexline import (
    Delta,
    DerivativeEntry,
    Entry,
    EntryDerivative,
    Factor,
    Group,
    IndexLine,
    Term,
)
from gen.derive.notes import Note
from gen.derive.rules import derivative_entrywise
from gen.derive.simplify import Simplifier
from gen.derive.steps import Derivation, EntryPartial, Partial, Step
from gen.expr.ast import ENTRYWISE, SCALAR, Binary, Call, Name, Neg, Node, Transpose
from gen.expr.walk import mentions
from gen.program import DerivativeName, Program
from gen.spec.model import Layout, Method, Target


@dataclass(frozen=True)
class LinearTerm:
    """sign * P W Q (or P W^T Q); P and Q may be absent (None)."""

    sign: int
    left: Node | None
    right: Node | None
    transposed: bool


def _signed_terms(node: Node, sign: int = 1) -> list[tuple[int, Node]]:
    if isinstance(node, Neg):
        return _signed_terms(node.operand, -sign)
    if isinstance(node, Binary) and node.op in ("+", "-"):
        right_sign = sign if node.op == "+" else -sign
        assert node.shape is not None  # a broadcast operand written out: b' as 1 b'
        left, right = al.broadcast(node.left, node.shape), al.broadcast(node.right, node.shape)
        return _signed_terms(left, sign) + _signed_terms(right, right_sign)
    return [(sign, node)]


def _factors(node: Node) -> list[Node]:
    if (
        isinstance(node, Binary)
        and node.op == "*"
        and node.left.shape != SCALAR
        and (node.right.shape != SCALAR)
    ):
        return _factors(node.left) + _factors(node.right)
    return [node]


def linear_terms(expr: Node, w: str) -> list[LinearTerm]:
    """The terms of ``expr`` that contain W, each as P W Q; raise if one is not of that form."""
    out = []
    for sign, term in _signed_terms(expr):
        if not mentions(term, w):
            continue
        factors = _factors(term)
        at = [i for i, f in enumerate(factors) if _is_w(f, w)]
        if len(at) != 1 or any(mentions(f, w) for i, f in enumerate(factors) if i != at[0]):
            raise NotSupported(
                "index notation here handles links of the form P W Q, P W^T Q and f(W)"
            )
        i = at[0]
        out.append(
            LinearTerm(
                sign,
                al.product(factors[:i]),
                al.product(factors[i + 1 :]),
                isinstance(factors[i], Transpose),
            )
        )
    return out


def _is_w(node: Node, w: str) -> bool:
    inner = node.operand if isinstance(node, Transpose) else node
    return isinstance(inner, Name) and inner.id == w


def derive_index(program: Program, target: Target, simplifier: Simplifier) -> Derivation:
    """Derive a scalar by a vector or matrix entry by entry."""
    c = Chain(program, target, simplifier)
    simplify = simplifier.simplify
    if c.shape(c.of) != SCALAR:
        raise NotSupported("the index method derives a scalar")
    chain = links(program, c.of, c.wrt)
    y, w = chain[-1]
    g_name = c.dname(c.of, y)
    if y != c.of:
        grad = Graph(program, y, simplifier).gradient(c.of)
        shown = (
            simplify(al.transpose(grad, c.sym), c.sym)
            if (c.layout is Layout.NUMERATOR and c.shape(y) != SCALAR)
            else grad
        )
        c.values[DerivativeName(c.of, y)] = shown
        c.record(Partial(c.of, y), shown, Note("upper_links"), c.of, y)
    expr = Graph(program, w, simplifier).exprs[y]
    vector = c.shape(w)[1] == 1
    if y == c.of:
        c.values[DerivativeName(c.of, y)] = al.num(1)
    lines, matrix_form = _index_lines(expr, (c.of, y, w), g_name, vector, c.layout, simplifier)
    for note, line in lines:
        c.steps.append(Step(EntryPartial(c.of, w), al.zero((1, 1)), (Note(note),), entries=line))
    c.record(Partial(c.of, w), matrix_form, Note("matrix_form"), c.of, w)
    substituted = simplify(al.substitute(matrix_form, c.values), c.sym)
    if y != c.of:
        c.record(None, substituted, Note("substitute_links"), c.of, w)
    result = c.diffs.graph.finish(substituted)
    if result != substituted:
        c.record(None, result, Note("definitions"), c.of, w)
    return c.derivation(Method.INDEX, result)


GEntry = Callable[[str, str], Factor]  # entry (a, b) of dz/dY, as it stands in a line


def _index_lines(
    expr: Node,
    link: tuple[str, str, str],
    g: Node,
    vector: bool,
    layout: Layout,
    simplifier: Simplifier,
) -> tuple[list[tuple[str, IndexLine]], Node]:
    """The entry-by-entry lines (note key, line) and the matrix form they arrive at."""
    z, y, w = link
    wi = Entry(Name(w), ("i",) if vector else ("i", "j"))
    yk = Entry(Name(y), ("k",) if vector else ("k", "l"))

    def g_entry(a: str, b: str) -> Factor:
        # In numerator layout dz/dY is laid out transposed: entry (k, l) stands at (l, k).
        if vector:
            return DerivativeEntry(z, y, (a,))
        return DerivativeEntry(z, y, (b, a) if layout is Layout.NUMERATOR else (a, b))

    sum_kl = ("k",) if vector else ("k", "l")
    gradient = g if layout is not Layout.NUMERATOR else al.transpose(g)
    if isinstance(expr, Call) and expr.func == "tr" and not vector:
        # z = tr(E) = sum_k E_kk: dz/dE is the identity, its entries delta_kl.
        expr = expr.args[0]
        assert expr.shape is not None
        yk = Entry(expr, ("k", "l"))
        gradient = al.identity(expr.shape[0])

        def g_entry(a: str, b: str) -> Factor:  # noqa: F811 - the trace's own dz/dE
            return Delta(a, b)

    lines = [("entry_chain", _line(Term((g_entry("k", "l"), EntryDerivative(yk, wi)), sum_kl)))]
    if isinstance(expr, Call) and expr.func in ENTRYWISE and _is_w(expr.args[0], w):
        fprime = derivative_entrywise(expr.func, Name(w, shape=expr.shape))
        lines.append(
            (
                "entry_delta",
                _line(
                    Term((g_entry("i", "j"), Entry(fprime, ("i",) if vector else ("i", "j"), True)))
                ),
            )
        )
        entrywise = al.binary(".*", gradient, derivative_entrywise(expr.func, expr.args[0]))
        return lines, _orient(entrywise, layout, simplifier)
    terms = linear_terms(expr, w)
    if not terms:
        raise NotSupported(f"'{y}' does not contain {w} directly")
    local: list[Term] = []
    collapsed: list[Term] = []
    form: Node | None = None
    for t in terms:
        loc, col, part = _term_lines(t, g_entry, gradient, vector)
        negative = t.sign < 0
        local.append(Term(loc, (), negative))
        collapsed.append(Term(col.factors, col.summed, negative))
        part = al.neg(part) if negative else part
        form = part if form is None else al.add(form, part)
    assert form is not None
    lines.append(("entry_local", _line(Term((g_entry("k", "l"), Group(tuple(local))), sum_kl))))
    lines.append(("entry_delta", IndexLine(tuple(collapsed))))
    return lines, _orient(simplifier.simplify(form), layout, simplifier)


def _line(term: Term) -> IndexLine:
    return IndexLine((term,))


def _orient(gradient: Node, layout: Layout, simplifier: Simplifier) -> Node:
    return simplifier.simplify(al.transpose(gradient)) if layout is Layout.NUMERATOR else gradient


def _term_lines(
    t: LinearTerm, g_entry: GEntry, gradient: Node, vector: bool
) -> tuple[tuple[Factor, ...], Term, Node]:
    """For sign * P W Q: the local derivative of Y_kl (its factors), the collapsed sum
    (unsigned), the matrix form."""
    p, q = t.left, t.right
    row, col = ("j", "i") if t.transposed else ("i", "j")
    pk: Factor = Entry(p, ("k", row)) if p is not None else Delta("k", row)
    ql: Factor = Entry(q, (col, "l")) if q is not None else Delta(col, "l")
    local = (pk,) if vector else (pk, ql)
    # Sum out the deltas: what remains of sum_kl G_kl P_k. Q_.l.
    if vector:
        collapsed = (
            Term((Entry(p, ("k", row)), g_entry("k", "")), ("k",))
            if p is not None
            else Term((g_entry(row, ""),))
        )
    elif p is not None and q is not None:
        collapsed = Term(
            (Entry(p, ("k", row)), g_entry("k", "l"), Entry(q, (col, "l"))), ("k", "l")
        )
    elif p is not None:
        collapsed = Term((Entry(p, ("k", row)), g_entry("k", col)), ("k",))
    elif q is not None:
        collapsed = Term((g_entry(row, "l"), Entry(q, (col, "l"))), ("l",))
    else:
        collapsed = Term((g_entry(row, col),))
    form = gradient
    if t.left is not None:
        form = al.mul(al.transpose(t.left), form)
    if t.right is not None:
        form = al.mul(form, al.transpose(t.right))
    if t.transposed:
        form = al.transpose(form)
    return local, collapsed, form
