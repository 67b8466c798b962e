"""Spec + parsed definitions -> Program: names resolved, shapes checked, targets validated."""

from __future__ import annotations

import dataclasses
import difflib
import functools
from dataclasses import dataclass

from gen.errors import GenError, GenErrors, Span
from gen.expr.ast import SCALAR, Node, Shape
from gen.expr.names import latex_name
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.expr.symmetry import is_symmetric
from gen.expr.walk import mentions, names
from gen.spec.model import (
    DISCRETE_PROPS,
    ROW_PROPS,
    Assumption,
    Definition,
    Prop,
    Spec,
    Target,
    Text,
    Variable,
)

SQUARE_PROPS = (Prop.SYMMETRIC, Prop.POSITIVE_DEFINITE, Prop.INVERTIBLE, Prop.DIAGONAL)


@dataclass(frozen=True)
class Symbol:
    """A variable or a definition, with its shape and how it is typeset."""

    name: str
    shape: Shape
    latex: str
    expr: Node | None = None  # typed; None for a variable
    variable: Variable | None = None
    definition: Definition | None = None
    hidden: bool = False  # the scalar sum(G .* of) of a ``given`` item: no name of the spec

    @property
    def props(self) -> frozenset[Prop]:
        """The declared props (a definition written as a mapping may declare some)."""
        if self.variable:
            return self.variable.props
        return self.definition.props if self.definition else frozenset()


@dataclass(frozen=True)
class Condition:
    """An ``assume`` entry, its sides typed: ``left op right`` entrywise."""

    assumption: Assumption
    left: Node
    right: Node
    sizes_only: bool  # names only dimensions: a condition on the sampled sizes


@dataclass(frozen=True)
class Program:
    """A checked spec: symbols in order (variables, then definitions) and targets."""

    spec: Spec
    symbols: dict[str, Symbol]
    dims: tuple[str, ...]
    targets: tuple[Target, ...]
    conditions: tuple[Condition, ...] = ()  # the spec's ``assume``

    @functools.cached_property
    def symmetric(self) -> frozenset[str]:
        """Names equal to their own transpose: declared so (symmetric, positive-definite,
        diagonal), or definitions whose expression is certainly symmetric given the names
        before them (gen/expr/symmetry.py: X'X, A + A', r + r' - 2XX', f(K) entrywise)."""
        known = {
            s.name
            for s in self.symbols.values()
            if s.props & {Prop.SYMMETRIC, Prop.POSITIVE_DEFINITE, Prop.DIAGONAL}
        }
        for s in self.symbols.values():
            if s.expr is not None and s.name not in known and is_symmetric(s.expr, known):
                known.add(s.name)
        return frozenset(known)

    @property
    def definitions(self) -> list[Symbol]:
        """The definitions in spec order (then the hidden scalars of ``given`` items)."""
        return [s for s in self.symbols.values() if s.expr is not None]


class DerivativeName(str):
    """The name that stands for d(of)/d(wrt) inside a step of the chain or index method.

    It is an identifier (an expression's ``Name.id``, shown as ``∂of/∂wrt``) that
    carries the pair it stands for, so that nobody has to read the pair back from it.
    """

    of: str
    wrt: str

    def __new__(cls, of: str, wrt: str) -> DerivativeName:
        """The name of d(of)/d(wrt)."""
        made = super().__new__(cls, f"∂{of}/∂{wrt}")
        made.of, made.wrt = of, wrt
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return self.of, self.wrt


def derivative_name(of: str, wrt: str) -> DerivativeName:
    """The name that stands for d(of)/d(wrt) inside a step of the chain or index method."""
    return DerivativeName(of, wrt)


def shape_of(variable: Variable) -> Shape:
    """[] -> 1 x 1, [n] -> n x 1, [m, n] -> m x n."""
    dims = variable.shape
    if len(dims) == 0:
        return SCALAR
    if len(dims) == 1:
        return (dims[0], 1)
    return (dims[0], dims[1])


def build_program(spec: Spec) -> Program:
    """Parse and check every definition and target; raise GenErrors with all faults.

    A dimension of the spec (declared in ``dims``, or used in a shape when ``dims`` is
    omitted) may be used as a value (``1/N``, ``n - 1``): it stays a ``Name`` node, which
    shape inference gives the shape (1, 1). It is no symbol: never differentiated, and
    the interpreters and the checks' numpy bindings give it its size (SPEC section 8).
    """
    errors: list[GenError] = []
    symbols: dict[str, Symbol] = {}
    for var in spec.variables:
        shape = shape_of(var)
        _check_square(var.name, var.props, shape, var.span, errors)
        override = var.latex.value if var.latex else None
        symbols[var.name] = Symbol(var.name, shape, latex_name(var.name, override), variable=var)
    dims = tuple(d.name for d in spec.dims)
    failed: set[str] = set()  # definitions in error: what uses them is not judged again
    for definition in spec.definitions:
        typed = _typed(definition.expr, symbols, dims, errors, failed)
        if typed is not None and typed.shape is not None:
            _check_definition_props(definition, typed.shape, errors)
            override = definition.latex.value if definition.latex else None
            symbols[definition.name] = Symbol(
                definition.name,
                typed.shape,
                latex_name(definition.name, override),
                typed,
                definition=definition,
            )
        else:
            failed.add(definition.name)
    _check_differential_names(symbols, errors)
    targets = []
    for target in spec.targets:
        if target.of.value not in failed and target.wrt.value not in failed:
            if target.given is not None:
                target = _given(target, symbols, dims, errors)
            _check_target(target, symbols, spec, errors)
        targets.append(target)
    conditions = tuple(
        c
        for a in spec.assumptions
        if (c := _condition(a, symbols, dims, errors, failed)) is not None
    )
    if errors:
        raise GenErrors(errors)
    return Program(spec, symbols, dims, tuple(targets), conditions)


def _condition(
    assumption: Assumption,
    symbols: dict[str, Symbol],
    dims: tuple[str, ...],
    errors: list[GenError],
    failed: set[str],
) -> Condition | None:
    """An assumption's sides parsed and typed: equal shapes, or one side a scalar."""
    left = _typed(assumption.left, symbols, dims, errors, failed)
    right = _typed(assumption.right, symbols, dims, errors, failed)
    if left is None or right is None or left.shape is None or right.shape is None:
        return None
    if SCALAR not in (left.shape, right.shape) and left.shape != right.shape:
        errors.append(
            GenError(
                f"'{assumption.text.value}' compares [{left.shape[0]}, {left.shape[1]}] with "
                f"[{right.shape[0]}, {right.shape[1]}]: the sides need one shape (or a scalar)",
                assumption.text.span,
            )
        )
        return None
    sizes_only = (names(left) | names(right)) <= set(dims)
    return Condition(assumption, left, right, sizes_only)


GIVEN_LATEX = r"\mathcal{L}"  # how the scalar sum(G .* of) of a ``given`` item is typeset


def given_name(of: str, given: str) -> str:
    """The hidden name of sum(given .* of): an identifier no spec can write (it starts
    with '_'), unique per pair (the length of ``of`` separates the two names)."""
    return f"_L{len(of)}_{of}_{given}"


def _given(
    target: Target, symbols: dict[str, Symbol], dims: tuple[str, ...], errors: list[GenError]
) -> Target:
    """A ``given: G`` item as the derivative of the hidden scalar sum(G .* of).

    G must be a declared variable of the shape of ``of`` (a non-scalar), and not ``wrt``;
    the errors stand at ``given``. The target returned derives the hidden scalar, its own
    ``of`` kept as ``layer``.
    """
    assert target.given is not None
    given, of = target.given, target.of.value
    g, layer = symbols.get(given.value), symbols.get(of)
    problem = None
    if g is None or g.variable is None:
        problem = f"'given: {given.value}' must be a declared variable (the upstream gradient)"
    elif layer is None:
        return target  # reported by _check_target
    elif layer.shape == SCALAR:
        problem = f"'given' needs a non-scalar 'of'; '{of}' is a scalar: derive it directly"
    elif g.shape != layer.shape:
        problem = (
            f"'given: {given.value}' must have the shape of '{of}', "
            f"[{layer.shape[0]}, {layer.shape[1]}], not [{g.shape[0]}, {g.shape[1]}]"
        )
    elif target.wrt.value == given.value:
        problem = f"'{given.value}' is the upstream gradient, held constant: it cannot be 'wrt'"
    if problem is not None:
        errors.append(GenError(problem, given.span))
        return target
    name = given_name(of, given.value)
    if name not in symbols:
        text = Text(f"sum({given.value} .* {of})", given.where)
        typed = _typed(text, symbols, dims, errors, set())
        assert typed is not None and typed.shape == SCALAR
        symbols[name] = Symbol(name, SCALAR, GIVEN_LATEX, typed, hidden=True)
    return dataclasses.replace(target, of=Text(name, target.of.where), layer=target.of)


def _check_square(
    name: str, props: frozenset[Prop], shape: Shape, span: Span | None, errors: list[GenError]
) -> None:
    """A symmetric, positive-definite, invertible or diagonal name must be square."""
    if props & set(SQUARE_PROPS) and shape[0] != shape[1]:
        bad = sorted(p.value for p in props & set(SQUARE_PROPS))
        errors.append(
            GenError(
                f"'{name}' is declared {', '.join(bad)} but its shape "
                f"[{shape[0]}, {shape[1]}] is not square",
                span,
            )
        )


def _check_definition_props(definition: Definition, shape: Shape, errors: list[GenError]) -> None:
    """A definition's props must fit its inferred shape (located at the prop)."""
    spans = dict(definition.prop_spans)
    square = definition.props & set(SQUARE_PROPS)
    if square and shape[0] != shape[1]:
        first = min(square, key=lambda p: p.value)
        _check_square(definition.name, definition.props, shape, spans.get(first), errors)
    for prop in ROW_PROPS:
        if prop in definition.props and shape == SCALAR:
            errors.append(
                GenError(
                    f"'{prop.value}' needs a vector or a matrix (each row), "
                    f"but '{definition.name}' is a scalar",
                    spans.get(prop),
                )
            )


def _typed(
    text: Text,
    symbols: dict[str, Symbol],
    dims: tuple[str, ...],
    errors: list[GenError],
    failed: set[str],
) -> Node | None:
    try:
        tree = parse(text.value, text.where)
        if mentions(tree, failed):
            return None
        env = {name: sym.shape for name, sym in symbols.items()}
        return infer(tree, env, expr_text=text.value, dims=dims)
    except GenError as err:
        errors.append(err)
    except GenErrors as errs:
        errors.extend(errs.errors)
    return None


def _check_differential_names(symbols: dict[str, Symbol], errors: list[GenError]) -> None:
    for name, sym in symbols.items():
        if name.startswith("d") and name[1:] in symbols:
            span = (
                sym.variable.span
                if sym.variable
                else (sym.definition.span if sym.definition else None)
            )
            errors.append(
                GenError(
                    f"name '{name}' clashes with the differential of '{name[1:]}' "
                    f"(d{name[1:]} is written in the steps); rename one of them",
                    span,
                )
            )


def _check_target(
    target: Target, symbols: dict[str, Symbol], spec: Spec, errors: list[GenError]
) -> None:
    for key, text in (("of", target.of), ("wrt", target.wrt)):
        if text.value not in symbols:
            hint = difflib.get_close_matches(text.value, list(symbols), n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else ""
            what = "a variable or a definition"
            errors.append(GenError(f"'{key}: {text.value}' is not {what}{more}", text.span))
    if target.of.value not in symbols or target.wrt.value not in symbols:
        return
    wrt = symbols[target.wrt.value]
    discrete = sorted(p.value for p in wrt.props & DISCRETE_PROPS)
    if discrete:
        errors.append(
            GenError(
                f"'{wrt.name}' is declared {', '.join(discrete)}: its entries are discrete "
                "and cannot be differentiated by",
                target.wrt.span,
            )
        )
    if Prop.CONSTANT in wrt.props:
        errors.append(
            GenError(
                f"'{wrt.name}' is declared constant and cannot be differentiated by",
                target.wrt.span,
            )
        )
    of = symbols[target.of.value]
    wrt_matrix = wrt.shape[1] != 1
    if target.order == 2 and (of.shape != SCALAR or wrt_matrix):
        errors.append(
            GenError(
                "order 2 asks for a Hessian: 'of' must be a scalar and 'wrt' a vector or a scalar",
                target.span,
            )
        )
