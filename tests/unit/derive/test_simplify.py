"""No hidden state in the simplifier: a derivation's result does not depend on what was
derived before it in the process, nor on how warm a simplifier's memos are."""

from __future__ import annotations

from pathlib import Path

from gen.derive.facts import Facts
from gen.derive.methods import ENGINES, derive
from gen.derive.simplify import Simplifier, simplify
from gen.derive.steps import Derivation
from gen.expr.ast import Node
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.to_text import to_text
from gen.expr.walk import nodes
from gen.program import Program, build_program
from gen.spec.load import load_spec_text

ROOT = Path(__file__).resolve().parents[3]

# The names of specs/classifiers.yaml with other shapes, another layout, and t no longer
# a probability vector: leaked memos or facts of one would show in the other.
OTHER = """\
title: The same names, typed otherwise
layout: numerator
variables:
  X: {shape: [n, m], props: [constant]}
  y: {shape: [n], props: [constant]}
  w: {shape: [m]}
  W: {shape: [k, m]}
  x: {shape: [m], props: [constant]}
  t: {shape: [k], props: [constant]}
define:
  p: sigmoid(X*w)
  E: -(y'*log(p) + (ones(n) - y)'*log(ones(n) - p))
  a: W*x
  C: -t'*log(softmax(a))
derive:
  - of: E
    wrt: w
    method: [chain, differential]
  - of: C
    wrt: a
    method: [chain, differential]
  - of: C
    wrt: W
    method: [differential, index]
"""


def classifiers() -> Program:
    path = ROOT / "specs" / "classifiers.yaml"
    return build_program(load_spec_text(path.read_text(), str(path)))


def other() -> Program:
    return build_program(load_spec_text(OTHER, "other.yaml"))


def typed(node: Node) -> list[tuple[str, object]]:
    """Every node's text with its shape (tree equality ignores the shapes inside)."""
    return [(to_text(n), n.shape) for n in nodes(node)]


def fingerprint(d: Derivation) -> tuple[object, ...]:
    steps = tuple(
        (
            s.lhs,
            s.notes,
            s.entries,
            s.equals,
            typed(s.rhs),
            None if s.check is None else typed(s.check),
        )
        for s in d.steps
    )
    return (d.of, d.wrt, d.method, d.kind, d.shape, typed(d.result), steps)


def derive_every(program: Program) -> list[tuple[object, ...]]:
    return [fingerprint(derive(program, t, m)) for t in program.targets for m in t.methods]


def result_text(program: Program, of: str, wrt: str) -> str:
    target = next(t for t in program.targets if (t.of.value, t.wrt.value) == (of, wrt))
    return to_text(derive(program, target, target.methods[0]).result)


def test_two_programs_in_either_order_give_the_same_derivations() -> None:
    a, b = classifiers(), other()
    first = derive_every(a)
    then_b = derive_every(b)
    assert derive_every(a) == first  # A again, after B
    assert derive_every(other()) == then_b  # B again, from a freshly built program
    assert len(first) == 7 and len(then_b) == 6


def test_the_facts_are_the_programs_own() -> None:
    """t is a probability vector in the one program and not in the other."""
    a, b = classifiers(), other()
    with_facts = result_text(a, "C", "a")
    without = result_text(b, "C", "a")
    assert "sum(t)" not in with_facts
    assert "sum(t)" in without
    assert result_text(a, "C", "a") == with_facts


def test_warm_memos_give_what_cold_ones_do() -> None:
    """One simplifier reused across the targets of a program (one layout, so each name
    has one shape) gives the derivations fresh simplifiers give."""
    program = other()
    shared = Simplifier.of(program)
    warm = [fingerprint(ENGINES[m](program, t, shared)) for t in program.targets for m in t.methods]
    again = [
        fingerprint(ENGINES[m](program, t, shared)) for t in program.targets for m in t.methods
    ]
    cold = derive_every(program)
    assert warm == cold
    assert again == cold


def test_a_simplifier_holds_its_facts_and_the_module_function_none() -> None:
    shapes = {"t": ("k", 1)}
    node = infer(parse("sum(t)"), shapes)
    assert to_text(Simplifier(Facts(probability=frozenset({"t"}))).simplify(node)) == "1"
    assert to_text(Simplifier().simplify(node)) == "sum(t)"
    assert to_text(simplify(node)) == "sum(t)"
