"""Every identity of the table (identities.py), in every layout, against its source.

For each row and each layout the spec is built in memory, the target is
derived by the differential method and verified (finite differences); the
result must then equal the SOURCE's closed form at random points that honour
the props, after the closed form is moved to the layout in question with
SPEC section 3's table, and have the shape that table gives.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.expr.ast import SCALAR, Shape
from gen.expr.evaluate import evaluate
from gen.expr.numpy_form import run_numpy
from gen.expr.parser import parse
from gen.expr.shape import infer
from gen.program import Program, build_program
from gen.spec.load import load_spec_text
from gen.spec.model import Method
from gen.verify.finite import fd_hessian, fd_jacobian
from gen.verify.numeric import program_forms, verify
from gen.verify.points import Point, sample_sizes
from tests.unit.derive.identities import IDENTITIES, Identity

LAYOUTS = ("numerator", "denominator", "mixed")
TARGET = "f"
PLACEHOLDER = "zplaceholder"  # the one target of a spec built only to evaluate a row
POINTS = (11, 12)  # seeds of the points where the closed form is compared
RTOL = 1e-7

BY_ID = {row.id: row for row in IDENTITIES}


# ----------------------------------------------------------------------------- the spec of a row


def _flow(value: dict[str, Any]) -> str:
    parts = [f"shape: [{', '.join(str(d) for d in value['shape'])}]"]
    if value.get("props"):
        parts.append(f"props: [{', '.join(value['props'])}]")
    return "{" + ", ".join(parts) + "}"


def spec_text(row: Identity, *, targets: bool = True) -> str:
    """The row as a spec: one derive item per layout (or, without targets, a placeholder item)."""
    lines = [f"title: {row.id}"]
    if row.dims:
        lines.append("dims:")
        lines += [f"  {d}: dimension {d}" for d in row.dims]
    lines.append("variables:")
    lines += [f"  {name}: {_flow(dict(v))}" for name, v in row.variables.items()]
    if not targets:
        lines.append(f"  {PLACEHOLDER}: {{shape: []}}")
    lines.append("define:")
    lines += [f'  {name}: "{expr}"' for name, expr in row.define.items()]
    lines.append(f'  {TARGET}: "{row.expr}"')
    lines.append("derive:")
    if not targets:
        return "\n".join([*lines, f"  - of: {PLACEHOLDER}", f"    wrt: {PLACEHOLDER}"]) + "\n"
    for layout in LAYOUTS:
        lines += [f"  - of: {TARGET}", f"    wrt: {row.wrt}", f"    layout: {layout}"]
        if row.order != 1:
            lines.append(f"    order: {row.order}")
    return "\n".join(lines) + "\n"


@functools.cache
def program_of(row_id: str) -> Program:
    """The checked program of a row (one per row, shared by its three layouts)."""
    return build_program(load_spec_text(spec_text(BY_ID[row_id]), f"{row_id}.yaml"))


@functools.cache
def table_program(row_id: str) -> Program:
    """The row's variables and definitions, with no target of the row (so vec rows build too)."""
    return build_program(load_spec_text(spec_text(BY_ID[row_id], targets=False), f"{row_id}.yaml"))


def derived(row: Identity, layout: str) -> tuple[Program, Derivation]:
    """The row derived by differentials in one layout, and verified."""
    program = program_of(row.id)
    (target,) = [t for t in program.targets if t.layout.value == layout]
    try:
        derivation = derive(program, target, Method.DIFFERENTIAL)
    except RecursionError as exc:  # reported in one line: a thousand frames are slow to print
        pytest.fail(f"{row.id}: the engine recursed without end ({exc})", pytrace=False)
    return program, verify(program, derivation)


# ----------------------------------------------------------------------------- SPEC section 3


def _role(shape: Shape) -> str:
    if shape == SCALAR:
        return "scalar"
    return "vector" if shape[1] == 1 else "matrix"


def spec_kind_and_shape(of: Shape, wrt: Shape, layout: str, order: int) -> tuple[str, Any]:
    """SPEC section 3's table, written out independently of gen.derive.layout.

    With y a scalar, u a p-vector, Y p x q, x a scalar, v an n-vector, X m x n.
    The vec rows give their shape as products of sizes ("p*q").
    """
    (p, q), (m, n) = of, wrt
    num, den = layout == "numerator", layout == "denominator"
    roles = (_role(of), _role(wrt))
    if order == 2:  # the Hessian of a scalar by an n-vector: n x n in every layout
        return "scalar-by-vector", (m, m)
    if roles == ("scalar", "scalar"):
        return "scalar-by-scalar", (1, 1)
    if roles == ("scalar", "vector"):
        return "scalar-by-vector", (1, m) if num else (m, 1)
    if roles == ("scalar", "matrix"):
        return "scalar-by-matrix", (n, m) if num else (m, n)
    if roles == ("vector", "scalar"):
        return "vector-by-scalar", (1, p) if den else (p, 1)
    if roles == ("vector", "vector"):
        return "vector-by-vector", (m, p) if den else (p, m)
    if roles == ("matrix", "scalar"):
        return "matrix-by-scalar", (q, p) if den else (p, q)
    pq, mn = f"{p}*{q}", f"{m}*{n}"
    return "vec-by-vec", (mn, pq) if den else (pq, mn)


def is_transposed(kind: str, layout: str) -> bool:
    """Whether ``layout`` lays this kind out as the transpose of mixed layout (SPEC section 3).

    For a scalar by anything, numerator layout is the transpose of the gradient
    (mixed = denominator); for everything else, denominator layout is the
    transpose of the Jacobian (mixed = numerator). ``any`` stands for a form
    valid in both layouts (a scalar by a scalar, a symmetric Hessian).
    """
    if layout in ("mixed", "any"):
        return False
    if kind.startswith("scalar-by-"):
        return layout == "numerator"
    return layout == "denominator"


def _size(d: Any, sizes: dict[str, int]) -> int:
    if isinstance(d, int):
        return d
    if "*" in str(d):
        return int(np.prod([_size(part, sizes) for part in str(d).split("*")]))
    return int(d) if str(d).isdigit() else sizes[d]


# ----------------------------------------------------------------------------- the closed forms


def commutation(m: int, n: int) -> np.ndarray:
    """K with K vec(A) = vec(A') for an m x n matrix A (columns stacked)."""
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[i * n + j, j * m + i] = 1.0
    return k


def values_at(point: Point, program: Program) -> dict[str, Any]:
    """Every variable and definition at the point."""
    env: dict[str, Any] = dict(point.values)
    for sym in program.definitions:
        assert sym.expr is not None
        env[sym.name] = evaluate(sym.expr, env, point.sizes)
    return env


def closed_form(row: Identity, program: Program, point: Point) -> np.ndarray:
    """The source's answer at the point, in the source's layout."""
    env = values_at(point, program)
    if row.answer_numpy is not None:
        bindings = {**env, **point.sizes, "K": commutation}
        return np.atleast_2d(np.asarray(run_numpy(row.answer_numpy, bindings), dtype=float))
    assert row.answer is not None
    shapes = {name: sym.shape for name, sym in program.symbols.items()}
    typed = infer(parse(row.answer), shapes, expr_text=row.answer, dims=program.dims)
    return np.atleast_2d(np.asarray(evaluate(typed, env, point.sizes), dtype=float))


# ----------------------------------------------------------------------------- the tests


def _params() -> list[Any]:
    out = []
    for row in IDENTITIES:
        marks = [pytest.mark.xfail(strict=True, reason=row.xfail)] if row.xfail else []
        for layout in LAYOUTS:
            out.append(pytest.param(row, layout, id=f"{row.id}-{layout}", marks=marks))
    return out


@pytest.mark.parametrize(("row", "layout"), _params())
def test_identity(row: Identity, layout: str) -> None:
    program, d = derived(row, layout)
    of, wrt = program.symbols[TARGET].shape, program.symbols[row.wrt].shape

    # 1. The engine's own check: the result and every step agree with finite differences.
    assert d.check is not None
    assert d.check.numeric, f"{row.id}: {d.check.message or d.check.max_rel_error}"
    assert d.check.max_rel_error < 1e-6

    # 2. Kind and shape are SPEC section 3's.
    kind, shape = spec_kind_and_shape(of, wrt, layout, row.order)
    assert d.kind == kind
    sizes = sample_sizes(program.dims)
    if kind == "vec-by-vec":
        assert tuple(_size(s, sizes) for s in d.shape) == tuple(_size(s, sizes) for s in shape)
    else:
        assert tuple(d.shape) == shape

    # 3. The result equals the source's closed form, moved to this layout.
    flip = is_transposed(kind, row.layout) != is_transposed(kind, layout)
    code = program_forms(program).of(d.result)
    for seed in POINTS:
        point = Point(program, sizes, np.random.default_rng(seed))
        got = np.atleast_2d(np.asarray(run_numpy(code, point.bindings()), dtype=float))
        want = closed_form(row, program, point)
        want = want.T if flip else want
        assert got.shape == tuple(_size(s, sizes) for s in shape)
        assert got.shape == want.shape, f"{row.id}: {got.shape} vs the source's {want.shape}"
        scale = max(1.0, float(np.max(np.abs(want))))
        assert np.all(np.isfinite(want)), f"{row.id}: the closed form is not finite at the point"
        assert np.allclose(got, want, rtol=RTOL, atol=RTOL * scale), (
            f"{row.id} ({layout}): max |ours - source| = {np.max(np.abs(got - want)):.3g}"
        )


@pytest.mark.parametrize("row", IDENTITIES, ids=[row.id for row in IDENTITIES])
def test_the_source_form_agrees_with_finite_differences(row: Identity) -> None:
    # The table itself, independently of the engine (vec rows included): the source's
    # closed form equals central differences of the expression, in the source's layout.
    program = table_program(row.id)
    sizes = sample_sizes(program.dims)
    point = Point(program, sizes, np.random.default_rng(5))
    of, wrt = program.symbols[TARGET].shape, program.symbols[row.wrt].shape
    kind, _ = spec_kind_and_shape(of, wrt, "mixed", row.order)
    if row.order == 2:
        fd, tolerance = fd_hessian(point, TARGET, row.wrt), 1e-4
    else:
        jac, tolerance = fd_jacobian(point, TARGET, row.wrt), 1e-6  # d vec(f) / d vec(wrt)'
        value = np.atleast_2d(np.asarray(point.eval(TARGET)))
        if kind.startswith("scalar-by-"):  # the gradient, shaped like wrt (mixed layout)
            fd = jac.reshape(np.atleast_2d(np.asarray(point.eval(row.wrt))).shape, order="F")
        elif kind.endswith("-by-scalar"):  # shaped like f (mixed layout)
            fd = jac.reshape(value.shape, order="F")
        else:  # the Jacobian (mixed layout)
            fd = jac
    fd = fd.T if is_transposed(kind, row.layout) else fd
    want = closed_form(row, program, point)
    assert want.shape == fd.shape, (
        f"{row.id}: the source's form has shape {want.shape}, not {fd.shape}"
    )
    error = float(np.max(np.abs(want - fd))) / max(1.0, float(np.max(np.abs(fd))))
    assert error < tolerance, f"{row.id}: the source's form is off by {error:.3g}"


def test_the_table_is_large_and_cited() -> None:
    supported = [row for row in IDENTITIES if not row.xfail]
    assert len(supported) >= 120
    assert len(BY_ID) == len(IDENTITIES), "identity ids must be unique"
    for row in IDENTITIES:
        assert row.source.strip(), row.id
        assert row.layout in ("numerator", "denominator", "any"), row.id
        assert (row.answer is None) != (row.answer_numpy is None), row.id
        assert TARGET not in row.variables and TARGET not in row.define, row.id


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_of_a_gradient_are_transposes(layout: str) -> None:
    # The spine of the conversion above: numerator layout is the transpose of the gradient.
    program, d = derived(BY_ID["mc-101-tr-axb"], layout)
    _, den = derived(BY_ID["mc-101-tr-axb"], "denominator")
    point = Point(program, sample_sizes(program.dims), np.random.default_rng(3))
    got = run_numpy(program_forms(program).of(d.result), point.bindings())
    ref = run_numpy(program_forms(program).of(den.result), point.bindings())
    assert np.allclose(got, ref.T if layout == "numerator" else ref)
