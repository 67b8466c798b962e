"""The template context of a sheet: the spec and its derivations as LaTeX and prose.

Every key is documented in docs/templates.md; math values are LaTeX, prose
values are raw text (templates escape them with the ``tex`` filter).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from gen.derive.steps import Derivation, Step
from gen.expr.ast import SCALAR, Binary, Neg, Node
from gen.expr.names import latex_name
from gen.program import Program, Symbol
from gen.render.graphfig import graph_view
from gen.render.indexline import index_line_latex
from gen.render.mathtext import lhs_latex, shape_latex
from gen.render.messages import MESSAGES
from gen.render.notes import notes_latex, wrt_role
from gen.render.sheet import real_space
from gen.render.style import Names, Typeset, typeset
from gen.spec.model import ROW_PROPS
from gen.verify.numeric import agree

# Steps whose right-hand side is a product worth showing with each factor's shape.
BRACED_NOTES = frozenset(
    {"chain_rule", "adjoint_rule", "adjoint_entrywise", "adjoint_hadamard", "adjoint_sum"}
)
# Steps whose left-hand side is a derivative worth showing with its shape (a link's own).
SHAPED_NOTES = frozenset({"local_jacobian", "local_gradient", "upper_links"})


def sheet_context(program: Program, derivations: list[Derivation]) -> dict[str, Any]:
    """Everything the templates see (documented in docs/templates.md)."""
    spec = program.spec
    ts = typeset(program)
    msg = MESSAGES[spec.lang]
    return {
        "title": spec.title.value,
        "subtitle": spec.subtitle.value if spec.subtitle else None,
        "author": spec.author.value if spec.author else None,
        "lang": spec.lang,
        "msg": msg,
        "style": {"bold": spec.style.bold, "transpose": spec.style.transpose, "mark": ts.transpose},
        "layout": {
            "name": spec.layout.value,
            "summary": msg[f"layout_summary.{spec.layout.value}"],
            "implied": _implied(derivations, ts),
        },
        "dims": [
            {"latex": latex_name(d.name), "note": d.note.value if d.note else None}
            for d in spec.dims
        ],
        "variables": [
            {
                "latex": ts.name(sym.name),
                "shape": shape_latex(sym.shape),
                "text": sym.variable.text.value if sym.variable.text else None,
                "props": _definition_props(sym, msg),
            }
            for sym in program.symbols.values()
            if sym.variable is not None
        ],
        "definitions": [
            {
                "lhs": ts.name(sym.name),
                "rhs": ts.expr(sym.expr, breaks=True),
                "shape": shape_latex(sym.shape),
                "text": _definition_text(sym),
                "props": _definition_props(sym, msg),
            }
            for sym in program.definitions
            if sym.expr is not None and not sym.hidden
        ],
        "assumptions": [
            f"{ts.expr(c.left)} {_RELATIONS[c.assumption.op]} {ts.expr(c.right)}"
            for c in program.conditions
        ],
        "derivations": _with_layouts(
            _with_agreement(
                [_derivation(program, d, ts, i + 1) for i, d in enumerate(derivations)],
                derivations,
                program,
            ),
            derivations,
        ),
    }


def _with_layouts(
    views: list[dict[str, Any]], derivations: list[Derivation]
) -> list[dict[str, Any]]:
    """Mark the derivations whose heading must say their layout: those of a target (and
    order) that the spec derives in more than one layout, whose headings would otherwise
    read alike."""
    layouts: dict[tuple[str, str, int], set[str]] = {}
    for d in derivations:
        layouts.setdefault((d.of, d.wrt, d.order), set()).add(d.layout.value)
    for view, d in zip(views, derivations, strict=True):
        view["layout_in_heading"] = len(layouts[(d.of, d.wrt, d.order)]) > 1
    return views


_RELATIONS = MappingProxyType({"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"})


def _given(d: Derivation, ts: Typeset) -> dict[str, str] | None:
    """For a ``given: G`` item: the upstream derivative (LaTeX) and G's name (LaTeX)."""
    target = d.target
    if target is None or target.given is None or target.layer is None:
        return None
    return {
        "derivative": ts.inline_derivative(d.of, target.layer.value, 1),
        "name": ts.name(target.given.value),
    }


def _definition_text(sym: Symbol) -> str | None:
    """The ``text`` of a definition written as a mapping (None otherwise)."""
    d = sym.definition
    return d.text.value if d is not None and d.text is not None else None


def _definition_props(sym: Symbol, msg: Mapping[str, str]) -> list[str]:
    """The props a variable or a definition declares, as the sheet names them."""
    rows = sym.shape[1] != 1  # probability, one-hot of a matrix: each row
    return [
        msg[f"prop.{p.value}.rows" if rows and p in ROW_PROPS else f"prop.{p.value}"]
        for p in sorted(sym.props, key=lambda p: p.value)
    ]


def _with_agreement(
    views: list[dict[str, Any]], derivations: list[Derivation], program: Program
) -> list[dict[str, Any]]:
    """Put each group's agreement of methods on its last derivation only.

    A target derived by several methods whose derivations come without their
    agreement (the caller did not compare them) is compared here, so that the
    sheet never states an agreement that was not checked, nor leaves it out.
    """
    if _unchecked_groups(derivations):
        derivations = agree(program, derivations)
    last: dict[tuple[str, str, str, int], int] = {}
    for i, d in enumerate(derivations):
        last[(d.of, d.wrt, d.layout.value, d.order)] = i
    for i, (view, d) in enumerate(zip(views, derivations, strict=True)):
        group = (d.of, d.wrt, d.layout.value, d.order)
        view["agree"] = _agree(d.agreement) if last[group] == i else None
    return views


def _implied(derivations: list[Derivation], ts: Typeset) -> list[dict[str, str]]:
    """Each derivative of the sheet once per shape, with the layout that gives it."""
    seen: dict[tuple[str, str, int, str], dict[str, str]] = {}
    for d in derivations:
        order = d.order
        key = (d.of, d.wrt, order, shape_latex(d.shape))  # one shape stated once
        seen.setdefault(
            key,
            {
                "lhs": ts.inline_derivative(d.of, d.wrt, order),
                "space": real_space(shape_latex(d.shape)),
                "layout": d.layout.value,
            },
        )
    return list(seen.values())


def _unchecked_groups(derivations: list[Derivation]) -> bool:
    """Whether some target derived by several methods carries no agreement."""
    groups: dict[tuple[str, str, str, int], list[Derivation]] = {}
    for d in derivations:
        groups.setdefault((d.of, d.wrt, d.layout.value, d.order), []).append(d)
    return any(
        len(group) > 1 and any(d.agreement is None for d in group) for group in groups.values()
    )


def with_names(ts: Typeset, d: Derivation) -> Typeset:
    """``ts`` knowing the LaTeX of the names ``d`` declares: G_X_hat is G with the LaTeX of
    X_hat below (G_{\\hat{X}}), delta1 is \\delta_{1}."""
    if not d.names or not isinstance(ts.names, Names):
        return ts
    names = Names(ts.names)
    names.through_vec, names.scalars = ts.names.through_vec, ts.names.scalars
    for name, expr in d.names:
        node = name[2:] if name.startswith("G_") else ""
        if node in ts.shapes:
            letter = r"\boldsymbol{G}" if ts.bold and expr.shape != SCALAR else "G"
            names[name] = f"{letter}_{{{ts.name(node)}}}"
        else:
            names[name] = latex_name(name)
    return dataclasses.replace(ts, names=names)


def _derivation(program: Program, d: Derivation, ts: Typeset, number: int) -> dict[str, Any]:
    ts = with_names(ts, d)
    lang = program.spec.lang
    role = wrt_role(program, d)
    order = d.order
    title = ts.derivative(d.of, d.wrt, order)
    check = d.check
    steps = _shown(_step(s, ts, lang, role, (d.of, d.wrt)) for s in d.steps)
    return {
        "number": number,
        "title": title,
        "inline": ts.inline_derivative(d.of, d.wrt, order),
        "of": d.of,
        "wrt": d.wrt,
        "order": order,
        "layout": d.layout.value,
        "method": d.method.value,
        "kind": d.kind.value,
        "shape": shape_latex(d.shape),
        "text": d.text,
        "given": _given(d, ts),
        "graph": graph_view(program, d, ts),
        "steps": steps,
        "result_lhs": title,
        "result": ts.expr(d.written if d.written is not None else d.result, breaks=True),
        "names": [
            {"name": ts.name(n), "latex": ts.expr(e), "broken": ts.expr(e, breaks=True)}
            for n, e in d.names
        ],
        "verified": {
            "ok": bool(check and check.numeric),
            "max_rel_error": check.max_rel_error if check else float("nan"),
            "points": check.points if check else 0,
            "steps": sum(1 for s in steps if s["checked"]),
            "checkable": sum(1 for s in steps if s["checked"] is not None),
        },
        "agree": None,
    }


def _step(s: Step, ts: Typeset, lang: str, role: str, pair: tuple[str, str]) -> dict[str, Any]:
    factors = _factors(s, ts)
    shaped = bool(factors) or any(n.key in SHAPED_NOTES for n in s.notes)
    shown = shaped and s.lhs is not None and s.entries is None and s.rhs.shape not in (None, SCALAR)
    return {
        "lhs": lhs_latex(s.lhs, ts) if s.lhs is not None else "",
        "rhs": (
            index_line_latex(s.entries, ts)
            if s.entries is not None
            else ts.expr(s.rhs, breaks=True)
        ),
        "note": notes_latex(s.notes, lang, ts, role, pair),
        "factors": factors,
        "lhs_shape": _shape(s.rhs) if shown else None,
        "checked": s.verified,
    }


def _shown(steps: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines as a teacher writes them: a left-hand side equal to the line above's is
    left blank (the line continues the chain of equalities), and a continuation line
    that prints exactly as the line above is left out."""
    out: list[dict[str, Any]] = []
    current = ""
    for step in steps:
        lhs = step["lhs"]
        if lhs and lhs == current and out and not step["factors"]:
            step["lhs"], step["lhs_shape"] = "", None
        current = lhs or current
        previous = out[-1] if out else None
        if (
            previous is not None
            and not step["lhs"]
            and step["rhs"] == previous["rhs"]
            and not step["factors"]
            and not previous["factors"]
        ):
            continue
        out.append(step)
    return out


def _factors(s: Step, ts: Typeset) -> list[dict[str, str]]:
    """The factors of a product step, each with its shape, where shapes help the reader.

    A step shows them when the engine asks (a truthy ``shapes`` on the step) or
    when it composes derivatives by the chain rule; a product of fewer than two
    matrix or vector factors shows none.
    """
    wanted = bool(getattr(s, "shapes", None)) or any(n.key in BRACED_NOTES for n in s.notes)
    if not wanted or s.entries is not None:
        return []
    factors = _product_factors(s.rhs)
    if sum(1 for f in factors if f.shape not in (None, SCALAR)) < 2:
        return []
    if any(f.shape is None for f in factors):
        return []
    return [
        {
            "latex": _factor_latex(f, ts),
            "shape": shape_latex(f.shape) if f.shape not in (None, SCALAR) else "",
        }
        for f in factors
    ]


def _factor_latex(node: Node, ts: Typeset) -> str:
    """A factor alone, in brackets when it is a sum or a negation."""
    text = ts.expr(node)
    if isinstance(node, Neg) or (isinstance(node, Binary) and node.op in ("+", "-")):
        return rf"\left({text}\right)"
    return text


def _product_factors(node: Node) -> list[Node]:
    if isinstance(node, Binary) and node.op == "*":
        return _product_factors(node.left) + _product_factors(node.right)
    return [node]


def _shape(node: Node) -> str | None:
    return shape_latex(node.shape) if node.shape is not None else None


def _agree(value: object) -> dict[str, Any] | None:
    """``{"methods", "ok", "max_rel_error"}`` from the engine's agreement of methods."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        fields = dict(value)
    else:
        fields = {k: getattr(value, k, None) for k in ("methods", "ok", "max_rel_error")}
    error = fields.get("max_rel_error")
    return {
        "methods": [getattr(m, "value", m) for m in fields.get("methods") or ()],
        "ok": bool(fields.get("ok")),
        "max_rel_error": float("nan") if error is None else float(error),
    }
