"""What a derivation is: its steps, each with the shape it claims, and its result."""

from __future__ import annotations

from dataclasses import dataclass, field

from gen.derive.layout import Kind
from gen.derive.notes import Note
from gen.expr.ast import Node, Shape
from gen.spec.model import Layout, Method, Target


@dataclass(frozen=True)
class Step:
    """One displayed line ``lhs = rhs`` and the rule that justifies it.

    ``lhs`` is ``("d", name)`` for the differential of a name, ``("partial",
    of, wrt)`` for the derivative in the derivation's layout, or ``None`` for
    a line that continues the previous one. ``check`` is the right-hand side
    written in the variables (and ``d<wrt>``) alone, for the numeric check;
    ``equals`` says what it must equal: ``differential`` (of ``of``, in the
    direction ``d<wrt>``) or ``derivative``.
    """

    lhs: tuple[str, ...] | None
    rhs: Node
    notes: tuple[Note, ...]
    check: Node | None = None
    equals: str | None = None
    of: str = ""
    wrt: str = ""  # for a derivative of another pair than the derivation's (a chain link)
    tex: str | None = None  # an entry-by-entry line: its LaTeX replaces the printed rhs
    verified: bool | None = None


@dataclass(frozen=True)
class Check:
    """The outcome of the numeric check of a result."""

    numeric: bool
    max_rel_error: float
    points: int
    message: str = ""


@dataclass(frozen=True)
class Agreement:
    """Whether the methods asked for one target gave the same derivative (checked numerically)."""

    methods: tuple[str, ...]
    ok: bool
    max_rel_error: float


@dataclass(frozen=True)
class Derivation:
    """One derivative, derived by one method; ``target`` is the spec's item it answers."""

    of: str
    wrt: str
    layout: Layout
    method: Method
    kind: Kind
    shape: Shape
    result: Node  # in the variables, in the layout stated
    steps: tuple[Step, ...]
    text: str | None = None
    order: int = 1
    check: Check | None = field(default=None)
    agreement: Agreement | None = None
    target: Target | None = None  # set by gen.derive.methods.derive
