"""The numeric check: each result and checkable step against central finite differences.

Every result and every checkable step is evaluated through its own numpy
form (what the JSON contract publishes, the dimension names bound to their
sampled sizes as Python ints, SPEC section 8) and compared with central finite
differences of the spec's expressions, evaluated by an independent
interpreter (``gen.expr.evaluate``). The error reported is
max|computed - finite difference| / max(max|finite difference|, floor): relative to the
derivative's own size, so that a wrong result of entries of size 1e-4 (the gradient of a
well-fit cross-entropy) is caught; the floor, ``FLOOR_RATIO`` times the size of the
function differentiated, keeps the rounding of the differences of a derivative that is
nearly 0 from counting as an error.

Nothing is computed twice at a point: the step checks are evaluated with their
repeated sub-expressions computed once (``StepForms``), and each finite difference
(a Jacobian, a Hessian, a directional difference) is taken once and shared by the
result and the steps that need it (``Point.memo``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from gen.derive.steps import Agreement, Check, Claim, Derivation, Step
from gen.errors import GenErrors
from gen.expr.numpy_form import NumpyForms, StepForms, numpy_sizes, run_numpy
from gen.program import Program
from gen.verify import points as sampled
from gen.verify.claims import claimed
from gen.verify.draws import Hazards, assumed_point
from gen.verify.finite import as_array, expected, fd_directional, fd_hessian, fd_jacobian
from gen.verify.points import Point, Value
from gen.verify.report import point_text, step_text

TOLERANCE = 1e-6
POINTS = 3
FLOOR_RATIO = 1e-3  # the smallest size a derivative is measured against, times |function|
# A Hessian's differences are differences of differences: they round off 1e4 times more
# (1 / HESSIAN_STEP of gen.verify.finite), so its floor is the function's size itself.
SECOND_FLOOR_RATIO = 1.0
TINY = 1e-12  # the floor of a function that is 0 at the point


def error_floor(point: Point, of: str, wrt: str, ratio: float = FLOOR_RATIO) -> float:
    """The smallest size a derivative of ``of`` by ``wrt`` is measured against at ``point``:
    ``ratio`` times the largest entry of ``of`` and of the definitions between them
    (a cross-entropy near 0 is a difference of logits of size 10: its differences round
    off at the logits' size)."""
    key = ("size", of, wrt)
    size = point.memo.get(key)
    if size is None:
        env = point.env()
        sizes = [
            float(np.max(np.abs(np.asarray(env[name], dtype=float))))
            for name in {of, *(s.name for s in point.path(of, wrt))}
            if np.size(env[name])
        ]
        size = point.memo[key] = max((s for s in sizes if math.isfinite(s)), default=0.0)
    return max(ratio * size, TINY)


def program_forms(program: Program) -> NumpyForms:
    """What the published numpy forms of ``program``'s expressions are printed with."""
    return NumpyForms(
        {s.name: s.expr for s in program.definitions if s.expr is not None},
        numpy_sizes({s.name: s.shape for s in program.symbols.values() if s.variable}),
    )


def verify(
    program: Program,
    derivation: Derivation,
    *,
    points: int = POINTS,
    seed: int = 0,
    precise: bool = False,
) -> Derivation:
    """The derivation with its result and checkable steps verified at ``points`` points.

    Plain central differences first; what fails them is checked again with the
    more precise Richardson differences before it counts as a failure.
    """
    if not precise:
        quick = _verify(program, derivation, points, seed, precise=False)
        if quick.check is not None and quick.check.numeric:
            return quick
    return _verify(program, derivation, points, seed, precise=True)


def _verify(
    program: Program, derivation: Derivation, points: int, seed: int, precise: bool
) -> Derivation:
    rng = np.random.default_rng(seed)
    sizes = sampled.sample_sizes(program.dims)
    worst = 0.0
    step_ok: list[bool | None] = [
        None if s.check is None or s.equals is None else True for s in derivation.steps
    ]
    failed = Failures(points, seed)
    wrt = derivation.wrt
    forms = program_forms(program)
    result_code = forms.of(derivation.result)
    # Steps are evaluated with the definitions bound to their values at the point (their
    # published forms wrap the same expression in lambdas that compute those values).
    steps = StepForms([s.check for s in derivation.steps], forms.sizes)
    hazards = Hazards.of(program)
    for index in range(points):
        found = assumed_point(program, rng, precise, hazards)
        # not evaluable: reported below
        point = found or Point(program, sizes, rng, precise, hazards.kinks)
        sizes = point.sizes
        failures = sampled.prop_failures(point)
        if failures:
            raise GenErrors(failures)
        try:
            want = expected(point, derivation, program.symbols)
            got = run_numpy(result_code, {**sizes, **point.bindings()})
            error = _error(
                got, want, error_floor(point, derivation.of, wrt, _ratio(derivation.order))
            )
            worst = max(worst, error)
            failed.result(error, index, point)
            wrt_value = point.eval(wrt)
            direction: Value = (
                float(rng.normal())
                if isinstance(wrt_value, float)
                else rng.normal(size=np.shape(wrt_value))
            )
            run = steps.at({**sizes, **point.env(), f"d{wrt}": direction})
            at = AtPoint(point, derivation, want, direction)
            for i, step in enumerate(derivation.steps):
                if step_ok[i] is not None:
                    error = step_error(step, run(i), at)
                    failed.step(i, step, error, index, point)
                    step_ok[i] = error <= TOLERANCE and bool(step_ok[i])
        except (FloatingPointError, ZeroDivisionError, np.linalg.LinAlgError, ValueError) as exc:
            worst = float("inf")
            failed.unevaluable(exc, index, point)
    checked = tuple(
        dataclasses.replace(s, verified=ok) for s, ok in zip(derivation.steps, step_ok, strict=True)
    )
    check = Check(
        numeric=worst <= TOLERANCE and all(ok is not False for ok in step_ok),
        max_rel_error=worst,
        points=points,
        message=failed.message(),
    )
    return dataclasses.replace(derivation, steps=checked, check=check)


class Failures:
    """What failed at the points of one check, for its message: the result's first failure,
    each step's first, or the first point that could not be evaluated (with the point)."""

    def __init__(self, points: int, seed: int) -> None:
        self.points, self.seed = points, seed
        self.parts: list[str] = []
        self.steps: set[int] = set()
        self.result_failed = False
        self.unevaluated = False

    def _where(self, index: int, point: Point) -> str:
        return point_text(index, self.points, self.seed, point.sizes, point.values)

    def result(self, error: float, index: int, point: Point) -> None:
        """Note the result's error at point ``index`` (its first failure only)."""
        if error > TOLERANCE and not self.result_failed:
            self.result_failed = True
            self.parts.append(
                f"the result is off by relative error {error:.3g} at {self._where(index, point)}"
            )

    def step(self, i: int, step: Step, error: float, index: int, point: Point) -> None:
        """Note step ``i``'s error at point ``index`` (its first failure only)."""
        if error > TOLERANCE and i not in self.steps:
            self.steps.add(i)
            self.parts.append(
                f"{step_text(i + 1, step)} is off by relative error {error:.3g} "
                f"at {self._where(index, point)}"
            )

    def unevaluable(self, exc: Exception, index: int, point: Point) -> None:
        """Note that point ``index`` could not be evaluated (the first such point only)."""
        if not self.unevaluated:
            self.unevaluated = True
            self.parts.append(f"could not evaluate at {self._where(index, point)}: {exc}")

    def message(self) -> str:
        """The failures, the first of each kind, in the order met ('' when none)."""
        return "; ".join(self.parts)


class AtPoint:
    """What the steps of a derivation claim, by finite differences at one point.

    ``derivative`` is the derivation's own derivative there (computed once for the
    result); ``direction`` is the value of ``d<wrt>``.
    """

    def __init__(
        self, point: Point, d: Derivation, derivative: np.ndarray, direction: Value
    ) -> None:
        self.point, self.d, self.want, self.direction = point, d, derivative, direction

    def derivative(self, of: str, wrt: str, order: int) -> Value:
        """d(of)/d(wrt) in the derivation's layout (the derivation's own: already taken)."""
        if (of, wrt, order) == (self.d.of, self.d.wrt, self.d.order):
            return self.want
        return expected(self.point, self.d, self.point.program.symbols, of, wrt)

    def differential(self, of: str, wrt: str) -> Value:
        """The directional difference of ``of`` along ``direction``."""
        return fd_directional(self.point, of, wrt, self.direction)

    def vec_differential(self, of: str, wrt: str) -> Value:
        """The directional difference, its columns stacked into one column."""
        return as_array(self.differential(of, wrt)).reshape(-1, 1, order="F")

    def gradient(self, of: str, wrt: str) -> Value:
        """The Jacobian of the scalar ``of``, in the shape of ``wrt``."""
        grad = fd_jacobian(self.point, of, wrt)
        return grad.reshape(as_array(self.point.eval(wrt)).shape, order="F")

    def dgradient(self, of: str, wrt: str) -> Value:
        """The Hessian times ``direction``."""
        return fd_hessian(self.point, of, wrt) @ as_array(self.direction)


def check_step(step: Step, got: Value, at: AtPoint) -> bool:
    """Whether a step's check form, evaluated at the point (``got``), equals what it claims.

    What it claims (``step.equals``) is computed by ``claims.claimed`` through ``at``.
    A step without a check form or a claim has nothing to be compared with: False.
    """
    return step_error(step, got, at) <= TOLERANCE


def step_error(step: Step, got: Value, at: AtPoint) -> float:
    """How far a step's check form, evaluated at the point (``got``), is from what it
    claims (infinite for a step without a claim)."""
    want = claimed(step, at.d, at)
    if want is None:
        return float("inf")
    second = step.equals is Claim.DGRADIENT or (
        step.equals is Claim.DERIVATIVE
        and (step.of or at.d.of, step.wrt or at.d.wrt) == (at.d.of, at.d.wrt)
        and at.d.order == 2
    )
    floor = error_floor(
        at.point, step.of or at.d.of, step.wrt or at.d.wrt, _ratio(2 if second else 1)
    )
    return _error(got, want, floor)


def _ratio(order: int) -> float:
    """The floor's ratio for a derivative of ``order``."""
    return SECOND_FLOOR_RATIO if order == 2 else FLOOR_RATIO


def _error(got: Value, want: Value, floor: float = 1.0) -> float:
    """max|got - want| / max(max|want|, floor); infinite when either is not finite or the
    shapes differ."""
    if isinstance(got, float) and isinstance(want, float):  # the same, without arrays
        if not (math.isfinite(got) and math.isfinite(want)):
            return float("inf")
        return float(abs(got - want) / max(floor, abs(want)))
    g, w = as_array(got), as_array(want)
    if g.shape != w.shape:
        if g.size == 1 and w.size == 1:
            g = g.reshape(w.shape)
        else:
            return float("inf")
    # A non-finite entry on either side makes one of the two maxima non-finite (inf - inf
    # and nan give nan, which np.max passes on): the error is then infinite.
    diff, scale = float(np.abs(g - w).max()), float(np.abs(w).max())
    if not (math.isfinite(diff) and math.isfinite(scale)):
        return float("inf")
    return diff / max(floor, scale)


def agree(
    program: Program, derivations: list[Derivation], *, points: int = POINTS, seed: int = 1
) -> list[Derivation]:
    """Mark each derivation of a target derived by several methods with their agreement.

    The results are evaluated at the same random points and compared, so that
    "the methods agree" on a sheet is a checked statement, not an assumption.
    """
    groups: dict[tuple[str, str, str, int], list[int]] = {}
    for i, d in enumerate(derivations):
        groups.setdefault((d.of, d.wrt, d.layout.value, d.order), []).append(i)
    out = list(derivations)
    for members in groups.values():
        if len(members) < 2:
            continue
        rng = np.random.default_rng(seed)
        worst = 0.0
        forms = program_forms(program)
        codes = [forms.of(derivations[i].result) for i in members]
        hazards = Hazards.of(program)
        for _ in range(points):
            sizes = sampled.sample_sizes(program.dims)
            found = assumed_point(program, rng, hazards=hazards)
            point = found or Point(program, sizes, rng, kinks=hazards.kinks)
            bindings = {**point.sizes, **point.bindings()}
            values = [run_numpy(code, bindings) for code in codes]
            first = derivations[members[0]]
            floor = error_floor(point, first.of, first.wrt)
            worst = max([worst] + [_error(v, values[0], floor) for v in values[1:]])
        agreement = Agreement(
            tuple(derivations[i].method.value for i in members), worst <= TOLERANCE, worst
        )
        for i in members:
            out[i] = dataclasses.replace(derivations[i], agreement=agreement)
    return out
