"""The spec as frozen values (SPEC section 1); every value keeps its place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from gen.errors import Span, Where


class Layout(str, Enum):
    """Layout conventions of SPEC section 3."""

    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"
    MIXED = "mixed"


class Method(str, Enum):
    """The ways a sheet derives (SPEC section 4)."""

    CHAIN = "chain"
    DIFFERENTIAL = "differential"
    INDEX = "index"


class Prop(str, Enum):
    """Properties a variable may declare."""

    SYMMETRIC = "symmetric"
    POSITIVE_DEFINITE = "positive-definite"
    INVERTIBLE = "invertible"
    DIAGONAL = "diagonal"
    POSITIVE = "positive"
    CONSTANT = "constant"
    PROBABILITY = "probability"  # entries >= 0 that sum to 1: a vector, or each row of a matrix
    ONE_HOT = "one-hot"  # one entry 1, the others 0: a vector, or each row (implies probability)
    BINARY = "binary"  # entries 0 or 1 (M .* M = M)
    PLUS_MINUS_ONE = "plus-minus-one"  # entries -1 or 1 (y .* y = 1)


DISCRETE_PROPS = frozenset({Prop.ONE_HOT, Prop.BINARY, Prop.PLUS_MINUS_ONE})
ROW_PROPS = (Prop.PROBABILITY, Prop.ONE_HOT)  # of a vector: the vector; of a matrix: each row


@dataclass(frozen=True)
class Text:
    """A string value of the spec and where it stands."""

    value: str
    where: Where

    @property
    def span(self) -> Span:
        """The span of the whole value."""
        return self.where.span(0, len(self.value))


@dataclass(frozen=True)
class Dim:
    """A symbolic size, e.g. ``m: number of samples``."""

    name: str
    note: Text | None
    span: Span


@dataclass(frozen=True)
class Variable:
    """An input: its shape (dimension names or positive integers), props, text."""

    name: str
    shape: tuple[str | int, ...]  # () scalar, (n,) column vector, (m, n) matrix
    props: frozenset[Prop]
    text: Text | None
    latex: Text | None
    span: Span  # the key


@dataclass(frozen=True)
class Definition:
    """``name: expression`` under ``define``, or ``name: {value: expression, ...}``.

    The mapping form adds what a variable has: ``latex``, ``text`` and ``props``
    (each prop with the span of its entry, where a prop found false is reported).
    """

    name: str
    expr: Text
    span: Span  # the key
    text: Text | None = None
    latex: Text | None = None
    props: frozenset[Prop] = frozenset()
    prop_spans: tuple[tuple[Prop, Span], ...] = ()  # where each prop is written


@dataclass(frozen=True)
class Assumption:
    """One entry of ``assume``: ``left op right``, entrywise (SPEC section 8)."""

    text: Text  # the whole entry
    left: Text
    op: str  # "<", "<=", ">" or ">="
    right: Text


@dataclass(frozen=True)
class Target:
    """One item of ``derive``."""

    of: Text
    wrt: Text
    layout: Layout  # the item's own or the spec's
    methods: tuple[Method, ...]  # at least one; default (differential,)
    text: Text | None
    order: int  # 1 or 2
    span: Span  # the item
    given: Text | None = None  # G = dL/d(of): derive the scalar sum(G .* of) (SPEC section 8)
    layer: Text | None = None  # with ``given``: the item's own ``of`` (``of`` is then the
    #   program's hidden scalar sum(G .* of), gen.program.given_name)
    graph: bool | None = None  # the composition graph's figure; None: on for method chain


@dataclass(frozen=True)
class Style:
    """How names are typeset (the spec's ``style:``)."""

    bold: bool = False  # vectors and matrices in bold (\boldsymbol), scalars plain
    transpose: str = "top"  # top: A^\top | T: A^T | prime: A'


@dataclass(frozen=True)
class Defaults:
    """What a spec gets for a top-level key it leaves out (a project's gradsheet.toml).

    Attributes:
        layout: The layout of a spec without ``layout:``.
        lang: The language of a spec without ``lang:``.
    """

    layout: Layout = Layout.MIXED
    lang: str = "en"


@dataclass(frozen=True)
class Spec:
    """One spec file."""

    name: str  # the file's stem: output/NAME.pdf
    path: str  # as given by the user
    title: Text
    subtitle: Text | None
    author: Text | None
    lang: str  # "en" | "zh"
    layout: Layout
    dims: tuple[Dim, ...]  # declared, then those only used in shapes (note None)
    variables: tuple[Variable, ...]
    definitions: tuple[Definition, ...]
    targets: tuple[Target, ...]
    source: str  # the file's text
    style: Style = Style()
    template: Text | None = None  # a folder of templates, relative to the spec file
    assumptions: tuple[Assumption, ...] = ()  # ``assume``: where the checks sample
