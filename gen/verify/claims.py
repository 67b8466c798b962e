"""What a step claims to equal: the one dispatch from a ``Claim`` to what it is compared with.

A step's check form (``Step.check``) claims to equal what ``Step.equals`` names. Both
checks ask here what that is, each through its own ``Oracle``: the numeric check's
computes it by finite differences at a sampled point (gen/verify/numeric.py), the exact
check's entry by entry on SymPy matrices (gen/verify/exact.py). A new ``Claim`` is
handled here once, or mypy (``assert_never``) and tests/unit/verify/test_claims.py fail.
"""

from __future__ import annotations

from typing import NoReturn, Protocol, TypeVar

from gen.derive.steps import Claim, Derivation, Step

V_co = TypeVar("V_co", covariant=True)


class Oracle(Protocol[V_co]):
    """The values a check compares steps with, in its own kind of value.

    ``wrt`` is always the derivation's ``wrt``, except for a chain link's derivative;
    the direction of a differential is the check's ``d<wrt>``.
    """

    def derivative(self, of: str, wrt: str, order: int) -> V_co:
        """d(of)/d(wrt) (``order`` 2: the Hessian) in the derivation's layout and shape."""

    def differential(self, of: str, wrt: str) -> V_co:
        """The differential of ``of`` in the direction ``d<wrt>``, in the shape of ``of``."""

    def vec_differential(self, of: str, wrt: str) -> V_co:
        """vec of the differential of ``of`` in the direction ``d<wrt>``: one column."""

    def gradient(self, of: str, wrt: str) -> V_co:
        """The first derivative of the scalar ``of`` by ``wrt``, in the shape of ``wrt``."""

    def dgradient(self, of: str, wrt: str) -> V_co:
        """The Hessian of the scalar ``of`` by the vector ``wrt`` times ``d<wrt>``."""


def claimed(step: Step, d: Derivation, oracle: Oracle[V_co]) -> V_co | None:
    """What ``step``'s check form must equal, computed by ``oracle``.

    Args:
        step: A step of ``d``.
        d: The derivation: its pair, layout and order complete what a claim means.
        oracle: How the check computes derivatives and differentials.

    Returns:
        The value to compare the check form with; None for a step without a check form
        or a claim (nothing to compare).
    """
    claim = step.equals
    if step.check is None or claim is None:
        return None
    of = step.of or d.of
    if claim is Claim.DERIVATIVE:
        if step.wrt and (of, step.wrt) != (d.of, d.wrt):  # a chain link: another pair
            return oracle.derivative(of, step.wrt, 1)
        return oracle.derivative(d.of, d.wrt, d.order)
    if claim is Claim.DIFFERENTIAL:
        return oracle.differential(of, d.wrt)
    if claim is Claim.VEC_DIFFERENTIAL:
        return oracle.vec_differential(of, d.wrt)
    if claim is Claim.GRADIENT:
        return oracle.gradient(d.of, d.wrt)
    if claim is Claim.DGRADIENT:
        return oracle.dgradient(d.of, d.wrt)
    _never(claim)


def _never(claim: NoReturn) -> NoReturn:
    """Unreachable when every Claim is handled above (mypy checks it; typing.assert_never
    is Python 3.11+)."""
    raise ValueError(f"unknown claim {claim!r}")
