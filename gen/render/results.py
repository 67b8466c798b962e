"""The JSON results contract of SPEC section 6."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gen.derive import algebra as al
from gen.derive.steps import Derivation
from gen.errors import GenError
from gen.expr.ast import Node
from gen.expr.measure import size
from gen.expr.numpy_form import NumpyForms
from gen.expr.to_text import to_text
from gen.program import Program
from gen.render.indexline import index_line_latex
from gen.render.mathtext import full_lhs, shape_text
from gen.render.notes import notes_text, wrt_role
from gen.render.style import Typeset, typeset
from gen.render.view import with_names
from gen.verify.numeric import program_forms


def derivation_json(
    program: Program,
    d: Derivation,
    ts: Typeset | None = None,
    exact: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of ``derivations``; its LaTeX follows the spec's ``style``.

    ``exact`` (from ``gen.verify.exact.exact_json``, with ``check --exact``) joins ``verified``.
    """
    ts = with_names(ts or typeset(program), d)
    lhs = full_lhs(d.steps, ts)
    role = wrt_role(program, d)
    given = d.target is not None and d.target.given is not None
    pair = ("L" if given else d.of, d.wrt)  # the hidden sum(G .* of) of a given: L in text
    forms = program_forms(program)
    steps = []
    for step, left in zip(d.steps, lhs, strict=True):
        rhs = index_line_latex(step.entries, ts) if step.entries is not None else ts.expr(step.rhs)
        entry: dict[str, Any] = {
            "latex": f"{left} = {rhs}",
            "note": notes_text(step.notes, role, pair),
        }
        if step.check is not None:
            entry["numpy"] = forms.of(step.check)
            entry["equals"] = step.equals.value if step.equals is not None else None
            if step.of != d.of:
                entry["of"] = step.of
            if step.wrt and step.wrt != d.wrt:  # a chain link: the derivative of another pair
                entry["wrt"] = step.wrt
            entry["verified"] = bool(step.verified)
        steps.append(entry)
    check = d.check
    verified: dict[str, Any] = {
        "numeric": bool(check and check.numeric),
        "max_rel_error": _finite(check.max_rel_error) if check else None,
        "points": check.points if check else 0,
    }
    verified.update(exact or {})
    shown = d.written if d.written is not None else d.result
    out: dict[str, Any] = {
        "of": d.of,
        "wrt": d.wrt,
        "layout": d.layout.value,
        "method": d.method.value,
        "kind": d.kind.value,
        "shape": shape_text(d.shape),
        "result": {
            "text": to_text(shown),
            "latex": ts.expr(shown),
            "numpy": forms.of(d.result),
            "size": size(shown),
        },
        "steps": steps,
        "verified": verified,
    }
    if d.names:
        out["names"] = names_json(d, ts, forms)
    if d.order != 1:
        out["order"] = d.order
    target = d.target
    if target is not None and target.given is not None and target.layer is not None:
        out["of"] = target.layer.value  # the layer's output; the derivative is of sum(G .* of)
        out["given"] = target.given.value
    if d.agreement is not None:
        out["agreement"] = {
            "methods": list(d.agreement.methods),
            "ok": d.agreement.ok,
            "max_rel_error": _finite(d.agreement.max_rel_error),
        }
    return out


def names_json(d: Derivation, ts: Typeset, forms: NumpyForms) -> list[dict[str, str]]:
    """The names a derivation declares (G_S, delta), each with its definition: text and
    LaTeX in the names before it, numpy in the variables and the spec's definitions."""
    out: list[dict[str, str]] = []
    written: dict[str, Node] = {}
    for name, expr in d.names:
        written[name] = al.substitute(expr, written)
        out.append(
            {
                "name": name,
                "text": to_text(expr),
                "latex": ts.expr(expr),
                "numpy": forms.of(written[name]),
                "name_latex": ts.name(name),
            }
        )
    return out


def _finite(x: float) -> float | None:
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def results(
    name: str, title: str, derivations: list[dict[str, Any]], errors: list[GenError]
) -> dict[str, Any]:
    """The whole object for one spec."""
    ok = not errors and all(d["verified"]["numeric"] for d in derivations)
    return {
        "spec": name,
        "title": title,
        "ok": ok,
        "errors": [e.to_json() for e in errors],
        "derivations": derivations,
    }


def dumps(obj: dict[str, Any]) -> str:
    """Stable, readable JSON text."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
