"""The index method: the last link entry by entry, with sums and Kronecker deltas (seed §4).

For a scalar z and a link Y = P W Q + (terms without W), entry by entry
dz/dW_ij = sum_kl dz/dY_kl dY_kl/dW_ij with dY_kl/dW_ij = P_ki Q_jl, so
dz/dW_ij = (P^T dz/dY Q^T)_ij. A transposed W swaps the roles of i and j; an
entrywise f(W) gives delta_ki delta_lj f'(W_ij). The links above Y are
derived by differentials and shown as one gradient dz/dY.
"""

from __future__ import annotations

from dataclasses import dataclass

from gen.derive import algebra as al
from gen.derive.chain import Chain, links
from gen.derive.differential import NotSupported
from gen.derive.graph import Graph
from gen.derive.notes import Note
from gen.derive.rules import derivative_entrywise
from gen.derive.simplify import Simplifier
from gen.derive.steps import Derivation, Step
from gen.expr.ast import ENTRYWISE, SCALAR, Binary, Call, Name, Neg, Node, Transpose
from gen.expr.to_latex import to_latex
from gen.program import Program, derivative_name, derivative_token
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
        return _signed_terms(node.left, sign) + _signed_terms(node.right, right_sign)
    return [(sign, node)]


def _factors(node: Node) -> list[Node]:
    if isinstance(node, Binary) and node.op == "*" and node.left.shape != SCALAR and (
            node.right.shape != SCALAR):
        return _factors(node.left) + _factors(node.right)
    return [node]


def linear_terms(expr: Node, w: str) -> list[LinearTerm]:
    """The terms of ``expr`` that contain W, each as P W Q; raise if one is not of that form."""
    out = []
    for sign, term in _signed_terms(expr):
        if not _mentions(term, w):
            continue
        factors = _factors(term)
        at = [i for i, f in enumerate(factors) if _is_w(f, w)]
        if len(at) != 1 or any(_mentions(f, w) for i, f in enumerate(factors) if i != at[0]):
            raise NotSupported("index notation here handles links of the form P W Q, "
                               "P W^T Q and f(W)")
        i = at[0]
        out.append(LinearTerm(sign, al.product(factors[:i]), al.product(factors[i + 1:]),
                              isinstance(factors[i], Transpose)))
    return out


def _is_w(node: Node, w: str) -> bool:
    inner = node.operand if isinstance(node, Transpose) else node
    return isinstance(inner, Name) and inner.id == w


def _mentions(node: Node, name: str) -> bool:
    from gen.derive.jacobian import mentions

    return mentions(node, name)


def derive_index(program: Program, target: Target, simplifier: Simplifier) -> Derivation:
    """Derive a scalar by a vector or matrix entry by entry."""
    c = Chain(program, target, simplifier)
    simplify = simplifier.simplify
    if c.shape(c.of) != SCALAR:
        raise NotSupported("the index method derives a scalar")
    chain = links(program, c.of, c.wrt)
    y, w = chain[-1]
    names = program.latex_names()
    g_name = c.dname(c.of, y)
    if y != c.of:
        grad = Graph(program, y, simplifier).gradient(c.of)
        shown = simplify(al.transpose(grad, c.sym), c.sym) if (
            c.layout is Layout.NUMERATOR and c.shape(y) != SCALAR) else grad
        c.values[derivative_name(c.of, y)] = shown
        c.record(("partial", c.of, y), shown, Note("upper_links"), c.of, y)
    expr = Graph(program, w, simplifier).exprs[y]
    vector = c.shape(w)[1] == 1
    if y == c.of:
        c.values[derivative_name(c.of, y)] = al.num(1)
    lines, matrix_form = _index_lines(expr, (c.of, y, w), g_name, names, vector, c.layout,
                                      simplifier)
    for note, tex in lines:
        c.steps.append(Step(("entry", c.of, w), al.zero((1, 1)), (Note(note),), tex=tex))
    c.record(("partial", c.of, w), matrix_form, Note("matrix_form"), c.of, w)
    substituted = simplify(al.substitute(matrix_form, c.values), c.sym)
    if y != c.of:
        c.record(None, substituted, Note("substitute_links"), c.of, w)
    result = c.diffs.graph.finish(substituted)
    if result != substituted:
        c.record(None, result, Note("definitions"), c.of, w)
    return c.derivation(Method.INDEX, result)


def _index_lines(expr: Node, link: tuple[str, str, str], g: Node, names: dict[str, str],
                 vector: bool, layout: Layout,
                 simplifier: Simplifier) -> tuple[list[tuple[str, str]], Node]:
    """The entry-by-entry lines (note key, LaTeX) and the matrix form they arrive at."""
    z, y, w = link
    gy = derivative_token(z, y)  # the renderer typesets it in the sheet's style
    wi = _entry(names[w], "i" if vector else "ij")
    yk = _entry(names[y], "k" if vector else "kl")
    def g_entry(a: str, b: str) -> str:
        # In numerator layout dz/dY is laid out transposed: entry (k, l) stands at (l, k).
        if vector:
            return f"\\left({gy}\\right)_{{{a}}}"
        first, second = (b, a) if layout is Layout.NUMERATOR else (a, b)
        return f"\\left({gy}\\right)_{{{first}{second}}}"
    sum_kl = r"\sum_{k}" if vector else r"\sum_{k,l}"
    gradient = g if layout is not Layout.NUMERATOR else al.transpose(g)
    if isinstance(expr, Call) and expr.func == "tr" and not vector:
        # z = tr(E) = sum_k E_kk: dz/dE is the identity, its entries delta_kl.
        expr = expr.args[0]
        assert expr.shape is not None
        yk = _entry(to_latex(expr, names), "kl")
        gradient = al.identity(expr.shape[0])

        def g_entry(a: str, b: str) -> str:  # noqa: F811 - the trace's own dz/dE
            return f"\\delta_{{{a}{b}}}"
    lines = [("entry_chain", f"{sum_kl} {g_entry('k', 'l')}\\,"
                             f"\\frac{{\\partial {yk}}}{{\\partial {wi}}}")]
    if isinstance(expr, Call) and expr.func in ENTRYWISE and _is_w(expr.args[0], w):
        fprime = to_latex(derivative_entrywise(expr.func, Name(w, shape=expr.shape)), names)
        lines.append(("entry_delta", f"{g_entry('i', 'j')}\\,\\left({fprime}\\right)_{{"
                                     f"{'i' if vector else 'ij'}}}"))
        form = al.binary(".*", gradient, derivative_entrywise(expr.func, expr.args[0]))
        return lines, _orient(form, layout, simplifier)
    terms = linear_terms(expr, w)
    if not terms:
        raise NotSupported(f"'{y}' does not contain {w} directly")
    local, collapsed, form = [], [], None
    for t in terms:
        loc, col, part = _term_lines(t, g_entry, gradient, names, vector)
        sign = "-" if t.sign < 0 else ("+" if local else "")
        local.append(f"{sign} {loc}".strip())
        collapsed.append(f"{sign} {col}".strip())
        part = al.neg(part) if t.sign < 0 else part
        form = part if form is None else al.add(form, part)
    assert form is not None
    lines.append(("entry_local", f"{sum_kl} {g_entry('k', 'l')}\\left({' '.join(local)}\\right)"))
    lines.append(("entry_delta", " ".join(collapsed)))
    return lines, _orient(simplifier.simplify(form), layout, simplifier)


def _orient(gradient: Node, layout: Layout, simplifier: Simplifier) -> Node:
    return simplifier.simplify(al.transpose(gradient)) if layout is Layout.NUMERATOR else gradient


def _term_lines(t: LinearTerm, g_entry, gradient: Node, names: dict[str, str],
                vector: bool) -> tuple[str, str, Node]:
    """For sign * P W Q: the local derivative of Y_kl, the collapsed sum, the matrix form."""
    p = to_latex(t.left, names) if t.left is not None else None
    q = to_latex(t.right, names) if t.right is not None else None
    row, col = ("j", "i") if t.transposed else ("i", "j")
    pk = _entry(p, f"k{row}") if p else f"\\delta_{{k{row}}}"
    ql = _entry(q, f"{col}l") if q else f"\\delta_{{{col}l}}"
    local = pk if vector else f"{pk}\\,{ql}"
    # Sum out the deltas: what remains of sum_kl G_kl P_k. Q_.l.
    if p and q:
        collapsed = (f"\\sum_{{k,l}} {_entry(p, 'k' + row)}\\,{g_entry('k', 'l')}\\,"
                     f"{_entry(q, col + 'l')}")
    elif p:
        collapsed = f"\\sum_{{k}} {_entry(p, 'k' + row)}\\,{g_entry('k', col)}"
    elif q:
        collapsed = f"\\sum_{{l}} {g_entry(row, 'l')}\\,{_entry(q, col + 'l')}"
    else:
        collapsed = g_entry(row, col)
    if vector:
        collapsed = (f"\\sum_{{k}} {_entry(p, 'k' + row)}\\,{g_entry('k', '')}" if p
                     else g_entry(row, ""))
    form = gradient
    if t.left is not None:
        form = al.mul(al.transpose(t.left), form)
    if t.right is not None:
        form = al.mul(form, al.transpose(t.right))
    if t.transposed:
        form = al.transpose(form)
    return local, collapsed, form


def _entry(tex: str, index: str) -> str:
    """Entry ``index`` of a matrix typeset as ``tex``: A_{ki}, or (A B)_{ki}."""
    simple = tex.replace("\\", "").isalpha() or (len(tex) == 1)
    if simple and "_" not in tex and "^" not in tex:
        return f"{tex}_{{{index}}}"
    return f"\\left({tex}\\right)_{{{index}}}"
