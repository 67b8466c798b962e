"""What a derivation is: its steps, each with the shape it claims, and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from gen.derive.indexline import IndexLine
from gen.derive.layout import Kind
from gen.derive.notes import Note
from gen.expr.ast import Node, Shape
from gen.spec.model import Layout, Method, Target


@dataclass(frozen=True)
class Differential:
    """The left-hand side ``d of``, or ``d vec(of)`` when ``vec``."""

    of: str
    vec: bool = False


@dataclass(frozen=True)
class Partial:
    """The left-hand side ``d of / d wrt``, in the derivation's layout."""

    of: str
    wrt: str


@dataclass(frozen=True)
class EntryPartial:
    """The left-hand side ``d of / d wrt_ij``: the derivative by one entry of ``wrt``."""

    of: str
    wrt: str


@dataclass(frozen=True)
class GradientDifferential:
    """The left-hand side ``d(d of / d wrt)``: the differential of a gradient."""

    of: str
    wrt: str


@dataclass(frozen=True)
class Hessian:
    """The left-hand side ``d^2 of / d wrt d wrt'``."""

    of: str
    wrt: str


Lhs = Differential | Partial | EntryPartial | GradientDifferential | Hessian


class Claim(str, Enum):
    """What a step's check form claims to equal (the ``equals`` of the results contract).

    ``DERIVATIVE``: the derivative in the derivation's layout (of the derivation's pair,
    or of ``of`` by ``wrt`` for a chain link); ``DIFFERENTIAL``: the differential of
    ``of`` in the direction ``d<wrt>``; ``VEC_DIFFERENTIAL``: that differential, its
    columns stacked into one column; ``GRADIENT``: the first derivative in the shape of
    ``wrt``; ``DGRADIENT``: the Hessian times ``d<wrt>``.
    """

    DERIVATIVE = "derivative"
    DIFFERENTIAL = "differential"
    VEC_DIFFERENTIAL = "vec-differential"
    GRADIENT = "gradient"
    DGRADIENT = "dgradient"


@dataclass(frozen=True)
class Step:
    """One displayed line ``lhs = rhs`` and the rule that justifies it.

    ``lhs`` is a ``Differential``, a ``Partial`` or another ``Lhs`` value, or ``None`` for
    a line that continues the previous one. ``check`` is the right-hand side
    written in the variables (and ``d<wrt>``) alone, for the numeric check;
    ``equals`` says what it must equal (a ``Claim``; None when there is no check).

    ``entries``, an entry-by-entry line (the index method), is printed in place of ``rhs``.
    """

    lhs: Lhs | None
    rhs: Node
    notes: tuple[Note, ...]
    check: Node | None = None
    equals: Claim | None = None
    of: str = ""
    wrt: str = ""  # for a derivative of another pair than the derivation's (a chain link)
    entries: IndexLine | None = None
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
    # The names a pulled-back derivation writes (G_S, delta), each with its definition in
    # the program's names and the names before it; ``written`` is the result in them
    # (``result`` is the same in the program's names alone, what the checks evaluate).
    names: tuple[tuple[str, Node], ...] = ()
    written: Node | None = None
