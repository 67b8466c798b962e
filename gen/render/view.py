"""The template context of a sheet: the spec and its derivations as LaTeX and prose."""

from __future__ import annotations

from typing import Any

from gen.derive.steps import Derivation
from gen.expr.names import latex_name
from gen.expr.to_latex import to_latex
from gen.program import Program
from gen.render.mathtext import derivative_latex, lhs_latex, shape_latex
from gen.render.messages import MESSAGES
from gen.render.notes import notes_latex, wrt_role


def sheet_context(program: Program, derivations: list[Derivation]) -> dict[str, Any]:
    """Everything the templates see (documented in docs/templates.md)."""
    spec = program.spec
    names = program.latex_names()
    return {
        "title": spec.title.value,
        "subtitle": spec.subtitle.value if spec.subtitle else None,
        "author": spec.author.value if spec.author else None,
        "lang": spec.lang,
        "msg": MESSAGES[spec.lang],
        "layout": {
            "name": spec.layout.value,
            "summary": MESSAGES[spec.lang][f"layout_summary.{spec.layout.value}"],
        },
        "dims": [
            {"latex": latex_name(d.name), "note": d.note.value if d.note else None}
            for d in spec.dims
        ],
        "variables": [
            {
                "latex": sym.latex,
                "shape": shape_latex(sym.shape),
                "text": sym.variable.text.value if sym.variable.text else None,
                "props": [MESSAGES[spec.lang][f"prop.{p.value}"]
                          for p in sorted(sym.variable.props, key=lambda p: p.value)],
            }
            for sym in program.symbols.values() if sym.variable is not None
        ],
        "definitions": [
            {"lhs": sym.latex, "rhs": to_latex(sym.expr, names),
             "shape": shape_latex(sym.shape)}
            for sym in program.definitions if sym.expr is not None
        ],
        "derivations": [_derivation(program, d, names) for d in derivations],
    }


def _derivation(program: Program, d: Derivation, names: dict[str, str]) -> dict[str, Any]:
    title = derivative_latex(d.of, d.wrt, names)
    lang = program.spec.lang
    role = wrt_role(program, d)
    check = d.check
    return {
        "title": title,
        "layout": d.layout.value,
        "method": d.method.value,
        "kind": d.kind,
        "shape": shape_latex(d.shape),
        "text": d.text,
        "steps": [
            {
                "lhs": lhs_latex(s.lhs, names) if s.lhs is not None else "",
                "rhs": to_latex(s.rhs, names),
                "note": notes_latex(s.notes, lang, names, role),
            }
            for s in d.steps
        ],
        "result_lhs": title,
        "result": to_latex(d.result, names),
        "verified": {
            "ok": bool(check and check.numeric),
            "max_rel_error": check.max_rel_error if check else float("nan"),
            "points": check.points if check else 0,
        },
    }
