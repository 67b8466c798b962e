"""The index method's lines as values (gen/derive/indexline.py), and no LaTeX in gen/derive."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import gen.derive
from gen.derive.index import derive_index
from gen.derive.indexline import (
    Delta,
    DerivativeEntry,
    Entry,
    EntryDerivative,
    Group,
    IndexLine,
    Term,
)
from gen.derive.simplify import Simplifier
from gen.derive.steps import EntryPartial, Partial
from gen.expr.ast import Name
from gen.program import DerivativeName, build_program
from gen.spec.load import load_spec_text

SPEC = """\
title: Entry by entry
layout: {layout}
dims: {{m: rows, n: inner, p: columns}}
variables:
  A: {{shape: [m, n], props: [constant]}}
  W: {{shape: [n, p]}}
  B: {{shape: [m, p], props: [constant]}}
define:
  Y: {link}
  z: 1/2 * sum(Y .* Y)
derive:
  - {{of: z, wrt: W, method: [index]}}
"""


def _derive(link: str, layout: str = "mixed"):
    program = build_program(load_spec_text(SPEC.format(link=link, layout=layout), "s.yaml"))
    return derive_index(program, program.targets[0], Simplifier.of(program))


def _lines(link: str, layout: str = "mixed") -> dict[str, IndexLine]:
    d = _derive(link, layout)
    out = {}
    for step in d.steps:
        if step.entries is not None:
            assert step.lhs == EntryPartial("z", "W")
            out[step.notes[0].key + ("" if step.notes[0].key not in out else "_2")] = step.entries
    return out


def test_the_lines_of_a_w_plus_b_are_sums_entries_and_deltas():
    lines = _lines("A*W + B")
    g_kl = DerivativeEntry("z", "Y", ("k", "l"))
    a_ki = Entry(Name("A"), ("k", "i"))
    assert lines["entry_chain"] == IndexLine(
        (
            Term(
                (g_kl, EntryDerivative(Entry(Name("Y"), ("k", "l")), Entry(Name("W"), ("i", "j")))),
                ("k", "l"),
            ),
        )
    )
    assert lines["entry_local"] == IndexLine(
        (Term((g_kl, Group((Term((a_ki, Delta("j", "l"))),))), ("k", "l")),)
    )
    assert lines["entry_delta"] == IndexLine(
        (Term((a_ki, DerivativeEntry("z", "Y", ("k", "j"))), ("k",)),)
    )


def test_numerator_layout_swaps_the_indices_of_the_derivative_entry():
    lines = _lines("A*W + B", "numerator")
    assert lines["entry_delta"].terms[0].factors[1] == DerivativeEntry("z", "Y", ("j", "k"))


def test_a_subtracted_term_is_a_negative_term():
    lines = _lines("B - A*W")
    local = lines["entry_local"].terms[0].factors[1]
    assert isinstance(local, Group) and local.terms[0].negative
    assert lines["entry_delta"].terms[0].negative


def test_the_upper_links_are_a_derivative_name_that_knows_its_pair():
    d = _derive("A*W + B")
    assert d.steps[0].lhs == Partial("z", "Y")
    names = {n.id for step in d.steps for n in _names(step.rhs)}
    pair = [n for n in names if isinstance(n, DerivativeName)]
    assert [(n.of, n.wrt) for n in pair] == [("z", "Y")]


def _names(node):
    from gen.expr.walk import nodes

    return [n for n in nodes(node) if isinstance(n, Name)]


MACRO = re.compile(r"\\[A-Za-z]+")


def test_no_module_of_derive_writes_latex():
    """LaTeX is the renderer's: no string literal under gen/derive holds a macro such as
    ``\\frac`` or ``\\sum`` (docstrings, which may show formulas, aside)."""
    found = []
    for path in sorted(Path(gen.derive.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and MACRO.search(node.value)
            ):
                found.append(f"{path.name}:{node.lineno}: {node.value[:40]!r}")
    assert found == []
