"""A table of textbook identities, each with its source, for tests/unit/derive/test_identities.py.

Every row is one derivative: the variables (shapes and props, as a spec's
``variables`` would write them), optional intermediate names (``define``),
the expression differentiated (``expr``, defined as ``f``), the variable or
name it is differentiated by (``wrt``), and the SOURCE's closed-form answer,
written in gradsheet's expression syntax (SPEC section 2) and stated in the
layout the source uses (``layout``: ``numerator``, ``denominator``, or
``any`` where both agree: scalar by scalar, and Hessians, which are
symmetric). The test converts that answer to each of the three layouts with
SPEC section 3's table and compares it with the engine's result numerically.

Sources and how they lay out derivatives:

- The Matrix Cookbook (Petersen & Pedersen, version of November 15, 2012):
  scalar by vector or matrix in denominator layout (the shape of the
  variable); Jacobians [dx/dy]_ij = dx_i/dy_j, i.e. numerator layout.
  Equation numbers were checked against that version's text.
- Wikipedia, "Matrix calculus", section "Identities": each table gives both
  layouts; rows are named by the table's caption and the expression.
- Magnus & Neudecker, Matrix Differential Calculus with Applications in
  Statistics and Econometrics (3rd ed., 2019): Jacobians in numerator
  layout (Df(x) = df/dx', m x n); for a scalar function of a matrix the
  derivative (vec G)' is quoted here as the matrix G (denominator layout).
- Machine-learning texts (Hastie, Tibshirani & Friedman, ESL 2nd ed.;
  Bishop, PRML 2006; Goodfellow, Bengio & Courville, Deep Learning 2016;
  Boyd & Vandenberghe, Convex Optimization 2004; Vaswani et al. 2017):
  gradients as columns shaped like the parameter (denominator layout).

Where the source's printed formula needs a note (a typo, a pseudo-inverse
written out, a Kronecker product the syntax lacks), the row says so in
``note``. Rows the engine cannot derive yet carry ``xfail`` (the reason);
the test marks them ``xfail(strict=True)`` so they flip when it can. Rows
whose closed form needs Kronecker products or the commutation matrix give it
as ``answer_numpy``: a numpy expression in the variables, the sizes (each
dimension name bound to its integer) and the helpers of the test (``K(m, n)``
the commutation matrix with K vec(A) = vec(A') for an m x n A).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MC = "Matrix Cookbook (Petersen & Pedersen, Nov 15 2012)"
WP = "Wikipedia, Matrix calculus"
MN = "Magnus & Neudecker, Matrix Differential Calculus (3rd ed. 2019)"
ESL = "Hastie, Tibshirani & Friedman, The Elements of Statistical Learning (2nd ed.)"
PRML = "Bishop, Pattern Recognition and Machine Learning (2006)"
DL = "Goodfellow, Bengio & Courville, Deep Learning (2016)"
BV = "Boyd & Vandenberghe, Convex Optimization (2004)"
ATT = "Vaswani et al., Attention Is All You Need (2017), eq. (1) (scaled dot-product attention)"

@dataclass(frozen=True)
class Identity:
    """One row of the table (see the module docstring)."""

    id: str
    source: str
    variables: Mapping[str, Mapping[str, Any]]
    expr: str
    wrt: str
    answer: str | None
    layout: str  # numerator | denominator | any: the layout of ``answer``
    define: Mapping[str, str] = field(default_factory=dict)
    dims: tuple[str, ...] = ()  # declared in this order (sizes 3, 4, 5, ...)
    order: int = 1
    answer_numpy: str | None = None
    xfail: str | None = None
    note: str = ""


def var(*shape: str | int, props: tuple[str, ...] = ()) -> dict[str, Any]:
    """A variable as a spec writes it: ``{shape: [...], props: [...]}``."""
    out: dict[str, Any] = {"shape": list(shape)}
    if props:
        out["props"] = list(props)
    return out


S = var()  # a scalar
C = ("constant",)
SYM = ("symmetric",)
PD = ("positive-definite",)
INV = ("invertible",)
POS = ("positive",)


def mc(eq: str) -> str:
    return f"{MC} eq. ({eq})"


def wp(table: str, row: str) -> str:
    return f"{WP}, table 'Identities: {table}', row {row}"


# ----------------------------------------------------------------------------- Matrix Cookbook

COOKBOOK = [
    # 2.0 the differential rules, with a matrix that depends on a scalar t
    Identity("mc-034-scale", mc("34") + ": d(aX) = a dX", {"a": S, "B": var("m", "n"), "C": var("m", "n"), "t": S},
             "a*(B + t*C)", "t", "a*C", "numerator"),
    Identity("mc-035-sum", mc("35") + ": d(X + Y) = dX + dY",
             {"B": var("m", "n"), "C": var("m", "n"), "D": var("m", "n"), "E": var("m", "n"), "t": S},
             "(B + t*C) + (D + t^2*E)", "t", "C + 2*t*E", "numerator"),
    Identity("mc-036-trace", mc("36") + ": d tr(X) = tr(dX)", {"B": var("n", "n"), "C": var("n", "n"), "t": S},
             "tr(B + t*C)", "t", "tr(C)", "any"),
    Identity("mc-037-product", mc("37") + ": d(XY) = (dX)Y + X(dY)",
             {"A": var("m", "n"), "B": var("m", "n"), "C": var("n", "p"), "D": var("n", "p"), "t": S},
             "(A + t*B)*(C + t*D)", "t", "B*(C + t*D) + (A + t*B)*D", "numerator"),
    Identity("mc-038-hadamard", mc("38") + ": d(X o Y) = (dX) o Y + X o (dY)",
             {"A": var("m", "n"), "B": var("m", "n"), "C": var("m", "n"), "D": var("m", "n"), "t": S},
             "(A + t*B) .* (C + t*D)", "t", "B .* (C + t*D) + (A + t*B) .* D", "numerator"),
    Identity("mc-040-inverse", mc("40") + ": d(X^-1) = -X^-1 (dX) X^-1",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "inv(A + t*B)", "t", "-inv(A + t*B)*B*inv(A + t*B)", "numerator"),
    Identity("mc-042-det", mc("42") + ": d det(X) = det(X) tr(X^-1 dX)",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "det(A + t*B)", "t", "det(A + t*B)*tr(inv(A + t*B)*B)", "any"),
    Identity("mc-043-logdet", mc("43") + ": d ln det(X) = tr(X^-1 dX)",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "logdet(A + t*B)", "t", "tr(inv(A + t*B)*B)", "any"),
    Identity("mc-044-transpose", mc("44") + ": d(X') = (dX)'", {"A": var("m", "n"), "B": var("m", "n"), "t": S},
             "(A + t*B)'", "t", "B'", "numerator"),
    Identity("mc-046-det-general", mc("46") + ": d det(Y)/dx = det(Y) tr(Y^-1 dY/dx)",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "det(A + t^2*B)", "t", "det(A + t^2*B)*tr(inv(A + t^2*B)*(2*t*B))", "any"),
    Identity("mc-059-inverse", mc("59") + ": dY^-1/dx = -Y^-1 (dY/dx) Y^-1",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "(A + t^2*B)^-1", "t", "-(A + t^2*B)^-1*(2*t*B)*(A + t^2*B)^-1", "numerator"),
    # 2.1 determinants
    Identity("mc-049-det", mc("49"), {"X": var("n", "n", props=INV)},
             "det(X)", "X", "det(X)*inv(X)'", "denominator"),
    Identity("mc-051-det-axb", mc("51"),
             {"A": var("n", "n", props=INV), "X": var("n", "n", props=INV), "B": var("n", "n", props=INV)},
             "det(A*X*B)", "X", "det(A*X*B)*inv(X)'", "denominator"),
    Identity("mc-052-det-xtax-square", mc("52") + " (X square and invertible)",
             {"A": var("n", "n", props=INV), "X": var("n", "n", props=INV)},
             "det(X'*A*X)", "X", "2*det(X'*A*X)*inv(X)'", "denominator"),
    Identity("mc-053-det-xtax-symmetric", mc("53") + " (X not square, A symmetric)",
             {"A": var("m", "m", props=PD), "X": var("m", "n")},
             "det(X'*A*X)", "X", "2*det(X'*A*X)*A*X*inv(X'*A*X)", "denominator", dims=("n", "m")),
    Identity("mc-054-det-xtax-general", mc("54") + " (X not square, A not symmetric)",
             {"A": var("m", "m", props=INV), "X": var("m", "n")},
             "det(X'*A*X)", "X", "det(X'*A*X)*(A*X*inv(X'*A*X) + A'*X*inv(X'*A'*X))", "denominator",
             dims=("n", "m")),
    Identity("mc-055-logdet-xtx", mc("55"), {"X": var("m", "n")},
             "logdet(X'*X)", "X", "2*X*inv(X'*X)", "denominator", dims=("n", "m"),
             note="the source's 2 (X^+)^T, with X^+ = (X'X)^-1 X' for a tall X of full rank"),
    Identity("mc-057-logdet", mc("57"), {"X": var("n", "n", props=INV)},
             "logdet(X)", "X", "inv(X)'", "denominator", note="logdet is log|det|, as in the source"),
    Identity("mc-058-det-power", mc("58"), {"X": var("n", "n", props=INV)},
             "det(X^3)", "X", "3*det(X^3)*inv(X)'", "denominator"),
    # 2.2 inverses
    Identity("mc-061-atxinvb", mc("61"), {"a": var("n"), "X": var("n", "n", props=INV), "b": var("n")},
             "a'*inv(X)*b", "X", "-inv(X)'*a*b'*inv(X)'", "denominator"),
    Identity("mc-062-det-inv", mc("62"), {"X": var("n", "n", props=INV)},
             "det(inv(X))", "X", "-det(inv(X))*inv(X)'", "denominator"),
    Identity("mc-063-tr-axinvb", mc("63"),
             {"A": var("p", "n"), "X": var("n", "n", props=INV), "B": var("n", "p")},
             "tr(A*X^-1*B)", "X", "-(X^-1*B*A*X^-1)'", "denominator"),
    Identity("mc-064-tr-inv-sum", mc("64"), {"X": var("n", "n", props=INV), "A": var("n", "n", props=INV)},
             "tr(inv(X + A))", "X", "-(inv(X + A)*inv(X + A))'", "denominator"),
    # 2.4.1 first order
    Identity("mc-069-xta", mc("69"), {"x": var("n"), "a": var("n", props=C)},
             "x'*a", "x", "a", "denominator"),
    Identity("mc-069-atx", mc("69"), {"a": var("n", props=C), "x": var("n")},
             "a'*x", "x", "a", "denominator"),
    Identity("mc-070-atxb", mc("70"), {"a": var("m"), "X": var("m", "n"), "b": var("n")},
             "a'*X*b", "X", "a*b'", "denominator"),
    Identity("mc-071-atxtb", mc("71"), {"a": var("n"), "X": var("m", "n"), "b": var("m")},
             "a'*X'*b", "X", "b*a'", "denominator"),
    Identity("mc-072-atxa", mc("72"), {"a": var("n"), "X": var("n", "n")},
             "a'*X*a", "X", "a*a'", "denominator"),
    Identity("mc-072-atxta", mc("72"), {"a": var("n"), "X": var("n", "n")},
             "a'*X'*a", "X", "a*a'", "denominator"),
    # 2.4.2 second order
    Identity("mc-077-btxtxc", mc("77"), {"b": var("n"), "X": var("m", "n"), "c": var("n")},
             "b'*X'*X*c", "X", "X*(b*c' + c*b')", "denominator"),
    Identity("mc-078-bilinear", mc("78"),
             {"B": var("p", "n"), "x": var("n"), "b": var("p"), "C": var("p", "q"), "D": var("q", "n"),
              "d": var("q")},
             "(B*x + b)'*C*(D*x + d)", "x", "B'*C*(D*x + d) + D'*C'*(B*x + b)", "denominator"),
    Identity("mc-081-quadratic", mc("81"), {"x": var("n"), "B": var("n", "n")},
             "x'*B*x", "x", "(B + B')*x", "denominator"),
    Identity("mc-082-btxtdxc", mc("82"), {"b": var("n"), "X": var("m", "n"), "D": var("m", "m"), "c": var("n")},
             "b'*X'*D*X*c", "X", "D'*X*b*c' + D*X*c*b'", "denominator"),
    Identity("mc-083-xbc-quadratic", mc("83"), {"X": var("m", "n"), "b": var("n"), "c": var("m"), "D": var("m", "m")},
             "(X*b + c)'*D*(X*b + c)", "X", "(D + D')*(X*b + c)*b'", "denominator"),
    Identity("mc-084-weighted-by-s", mc("84") + " (W symmetric)",
             {"x": var("m"), "A": var("m", "n"), "s": var("n"), "W": var("m", "m", props=SYM)},
             "(x - A*s)'*W*(x - A*s)", "s", "-2*A'*W*(x - A*s)", "denominator"),
    Identity("mc-085-weighted-by-x", mc("85") + " (W symmetric)",
             {"x": var("n"), "s": var("n"), "W": var("n", "n", props=SYM)},
             "(x - s)'*W*(x - s)", "x", "2*W*(x - s)", "denominator"),
    Identity("mc-086-weighted-by-s", mc("86") + " (W symmetric)",
             {"x": var("n"), "s": var("n"), "W": var("n", "n", props=SYM)},
             "(x - s)'*W*(x - s)", "s", "-2*W*(x - s)", "denominator"),
    Identity("mc-087-weighted-by-x", mc("87") + " (W symmetric)",
             {"x": var("m"), "A": var("m", "n"), "s": var("n"), "W": var("m", "m", props=SYM)},
             "(x - A*s)'*W*(x - A*s)", "x", "2*W*(x - A*s)", "denominator"),
    Identity("mc-088-weighted-by-a", mc("88") + " (W symmetric)",
             {"x": var("m"), "A": var("m", "n"), "s": var("n"), "W": var("m", "m", props=SYM)},
             "(x - A*s)'*W*(x - A*s)", "A", "-2*W*(x - A*s)*s'", "denominator"),
    # 2.4.3 higher order and non-linear
    Identity("mc-091-atxnb", mc("91") + " with n = 3", {"a": var("n"), "X": var("n", "n"), "b": var("n")},
             "a'*X^3*b", "X", "a*b'*(X*X)' + X'*a*b'*X' + (X*X)'*a*b'", "denominator"),
    Identity("mc-093-star", mc("93") + " with s = Bx, r = Cx",
             {"B": var("p", "n"), "C": var("q", "n"), "A": var("p", "q"), "x": var("n")},
             "s'*A*r", "x", "B'*A*r + C'*A'*s", "denominator", define={"s": "B*x", "r": "C*x"}),
    Identity("mc-quotient", f"{MC} sec. 2.4.3, the quotient (Ax)'(Ax)/(Bx)'(Bx)",
             {"A": var("m", "n"), "B": var("p", "n"), "x": var("n")},
             "(A*x)'*(A*x)/((B*x)'*(B*x))", "x",
             "2*A'*A*x/(x'*B'*B*x) - 2*(x'*A'*A*x)*B'*B*x/(x'*B'*B*x)^2", "denominator",
             note="the source prints x'BBx in the first denominator; B'B is meant"),
    # 2.4.4 gradient and Hessian
    Identity("mc-097-gradient", mc("97"), {"x": var("n"), "A": var("n", "n"), "b": var("n")},
             "x'*A*x + b'*x", "x", "(A + A')*x + b", "denominator"),
    Identity("mc-098-hessian", mc("98"), {"x": var("n"), "A": var("n", "n"), "b": var("n")},
             "x'*A*x + b'*x", "x", "A + A'", "any", order=2),
    # 2.5.1 traces, first order
    Identity("mc-099-tr", mc("99"), {"X": var("n", "n")}, "tr(X)", "X", "eye(n)", "denominator"),
    Identity("mc-100-tr-xa", mc("100"), {"X": var("m", "n"), "A": var("n", "m")},
             "tr(X*A)", "X", "A'", "denominator"),
    Identity("mc-101-tr-axb", mc("101"), {"A": var("p", "m"), "X": var("m", "n"), "B": var("n", "p")},
             "tr(A*X*B)", "X", "A'*B'", "denominator"),
    Identity("mc-102-tr-axtb", mc("102"), {"A": var("p", "n"), "X": var("m", "n"), "B": var("m", "p")},
             "tr(A*X'*B)", "X", "B*A", "denominator"),
    Identity("mc-103-tr-xta", mc("103"), {"X": var("m", "n"), "A": var("m", "n")},
             "tr(X'*A)", "X", "A", "denominator"),
    Identity("mc-104-tr-axt", mc("104"), {"A": var("m", "n"), "X": var("m", "n")},
             "tr(A*X')", "X", "A", "denominator"),
    # 2.5.2 traces, second order
    Identity("mc-106-tr-xx", mc("106"), {"X": var("n", "n")}, "tr(X*X)", "X", "2*X'", "denominator"),
    Identity("mc-107-tr-xxb", mc("107"), {"X": var("n", "n"), "B": var("n", "n")},
             "tr(X*X*B)", "X", "(X*B + B*X)'", "denominator"),
    Identity("mc-108-tr-xtbx", mc("108"), {"X": var("m", "n"), "B": var("m", "m")},
             "tr(X'*B*X)", "X", "B*X + B'*X", "denominator"),
    Identity("mc-109-tr-bxxt", mc("109"), {"B": var("m", "m"), "X": var("m", "n")},
             "tr(B*X*X')", "X", "B*X + B'*X", "denominator"),
    Identity("mc-110-tr-xxtb", mc("110"), {"X": var("m", "n"), "B": var("m", "m")},
             "tr(X*X'*B)", "X", "B*X + B'*X", "denominator"),
    Identity("mc-111-tr-xbxt", mc("111"), {"X": var("m", "n"), "B": var("n", "n")},
             "tr(X*B*X')", "X", "X*B' + X*B", "denominator"),
    Identity("mc-112-tr-bxtx", mc("112"), {"B": var("n", "n"), "X": var("m", "n")},
             "tr(B*X'*X)", "X", "X*B' + X*B", "denominator"),
    Identity("mc-113-tr-xtxb", mc("113"), {"X": var("m", "n"), "B": var("n", "n")},
             "tr(X'*X*B)", "X", "X*B' + X*B", "denominator"),
    Identity("mc-114-tr-axbx", mc("114"), {"A": var("n", "n"), "X": var("n", "n"), "B": var("n", "n")},
             "tr(A*X*B*X)", "X", "A'*X'*B' + B'*X'*A'", "denominator"),
    Identity("mc-115-tr-xtx", mc("115"), {"X": var("m", "n")}, "tr(X'*X)", "X", "2*X", "denominator"),
    Identity("mc-115-tr-xxt", mc("115"), {"X": var("m", "n")}, "tr(X*X')", "X", "2*X", "denominator"),
    Identity("mc-116-tr-btxtcxb", mc("116"), {"B": var("n", "p"), "X": var("m", "n"), "C": var("m", "m")},
             "tr(B'*X'*C*X*B)", "X", "C'*X*B*B' + C*X*B*B'", "denominator"),
    Identity("mc-117-tr-xtbxc", mc("117"), {"X": var("m", "n"), "B": var("m", "m"), "C": var("n", "n")},
             "tr(X'*B*X*C)", "X", "B*X*C + B'*X*C'", "denominator"),
    Identity("mc-118-tr-axbxtc", mc("118"),
             {"A": var("p", "m"), "X": var("m", "n"), "B": var("n", "n"), "C": var("m", "p")},
             "tr(A*X*B*X'*C)", "X", "A'*C'*X*B' + C*A*X*B", "denominator"),
    Identity("mc-119-tr-square", mc("119"),
             {"A": var("p", "m"), "X": var("m", "n"), "B": var("n", "q"), "C": var("p", "q")},
             "tr((A*X*B + C)*(A*X*B + C)')", "X", "2*A'*(A*X*B + C)*B'", "denominator"),
    Identity("mc-120-tr-tr", mc("120") + ": Tr(X (x) X) = Tr(X) Tr(X)", {"X": var("n", "n")},
             "tr(X)*tr(X)", "X", "2*tr(X)*eye(n)", "denominator"),
    # 2.5.3 traces, higher order
    Identity("mc-121-tr-x2", mc("121") + " with k = 2", {"X": var("n", "n")},
             "tr(X^2)", "X", "2*X'", "denominator"),
    Identity("mc-121-tr-x3", mc("121") + " with k = 3", {"X": var("n", "n")},
             "tr(X^3)", "X", "3*(X*X)'", "denominator"),
    Identity("mc-122-tr-axk", mc("122") + " with k = 3", {"A": var("n", "n"), "X": var("n", "n")},
             "tr(A*X^3)", "X", "(A*X*X + X*A*X + X*X*A)'", "denominator"),
    # 2.5.4 traces, other
    Identity("mc-124-tr-axinvb", mc("124"),
             {"A": var("p", "n"), "X": var("n", "n", props=INV), "B": var("n", "p")},
             "tr(A*inv(X)*B)", "X", "-inv(X)'*A'*B'*inv(X)'", "denominator"),
    # 2.6 and 2.7 norms
    Identity("mc-129-norm", mc("129"), {"x": var("n"), "a": var("n")},
             "norm2(x - a)", "x", "(x - a)/norm2(x - a)", "denominator"),
    Identity("mc-130-unit-vector", mc("130"), {"x": var("n"), "a": var("n")},
             "(x - a)/norm2(x - a)", "x", "I/norm2(x - a) - (x - a)*(x - a)'/norm2(x - a)^3", "numerator"),
    Identity("mc-131-norm-squared", mc("131"), {"x": var("n")},
             "norm2(x)^2", "x", "2*x", "denominator"),
    Identity("mc-131-xtx", mc("131"), {"x": var("n")}, "x'*x", "x", "2*x", "denominator"),
    Identity("mc-132-frobenius", mc("132"), {"X": var("m", "n")},
             "norm2(X)^2", "X", "2*X", "denominator"),
]


# ----------------------------------------------------------------------------- Wikipedia

WIKIPEDIA = [
    # vector-by-vector
    Identity("wp-vv-identity", wp("vector-by-vector", "dx/dx"), {"x": var("n")},
             "1*x", "x", "eye(n)", "numerator"),
    Identity("wp-vv-ax", wp("vector-by-vector", "d(Ax)/dx"), {"A": var("m", "n", props=C), "x": var("n")},
             "A*x", "x", "A'", "denominator"),
    Identity("wp-vv-xta", wp("vector-by-vector", "d(x'A)/dx"), {"x": var("n"), "A": var("n", "m", props=C)},
             "(x'*A)'", "x", "A", "denominator", note="x'A written as the column (x'A)'"),
    Identity("wp-vv-scaled", wp("vector-by-vector", "d(a u)/dx") + ", u = sin(x)", {"a": S, "x": var("n")},
             "a*sin(x)", "x", "a*diag(cos(x))", "numerator"),
    Identity("wp-vv-va", wp("vector-by-vector", "d(v a)/dx") + ", v = x'x", {"x": var("n"), "a": var("m", props=C)},
             "(x'*x)*a", "x", "2*x*a'", "denominator"),
    Identity("wp-vv-vu", wp("vector-by-vector", "d(v u)/dx") + ", v = b'x, u = Ax",
             {"b": var("n"), "x": var("n"), "A": var("m", "n")},
             "(b'*x)*(A*x)", "x", "(b'*x)*A + A*x*b'", "numerator"),
    Identity("wp-vv-au", wp("vector-by-vector", "d(A u)/dx") + ", u = exp(x)", {"A": var("m", "n"), "x": var("n")},
             "A*exp(x)", "x", "diag(exp(x))*A'", "denominator"),
    Identity("wp-vv-sum", wp("vector-by-vector", "d(u + v)/dx") + ", u = sin(x), v = Ax",
             {"A": var("n", "n"), "x": var("n")},
             "sin(x) + A*x", "x", "diag(cos(x)) + A", "numerator"),
    Identity("wp-vv-chain", wp("vector-by-vector", "d g(u)/dx") + ", g = tanh, u = Ax",
             {"A": var("m", "n"), "x": var("n")},
             "tanh(A*x)", "x", "diag(ones(m) - tanh(A*x).^2)*A", "numerator"),
    Identity("wp-vv-chain2", wp("vector-by-vector", "d f(g(u))/dx") + ", f = exp, g = tanh, u = Ax",
             {"A": var("m", "n"), "x": var("n")},
             "exp(tanh(A*x))", "x", "diag(exp(tanh(A*x)))*diag(ones(m) - tanh(A*x).^2)*A", "numerator"),
    # scalar-by-vector
    Identity("wp-sv-scaled", wp("scalar-by-vector", "d(a u)/dx") + ", u = x'x", {"a": S, "x": var("n")},
             "a*(x'*x)", "x", "2*a*x'", "numerator"),
    Identity("wp-sv-sum", wp("scalar-by-vector", "d(u + v)/dx") + ", u = x'x, v = b'x", {"x": var("n"), "b": var("n")},
             "x'*x + b'*x", "x", "2*x + b", "denominator"),
    Identity("wp-sv-product", wp("scalar-by-vector", "d(u v)/dx") + ", u = a'x, v = b'x",
             {"a": var("n"), "b": var("n"), "x": var("n")},
             "(a'*x)*(b'*x)", "x", "(a'*x)*b' + (b'*x)*a'", "numerator"),
    Identity("wp-sv-chain", wp("scalar-by-vector", "d g(u)/dx") + ", g = log, u = x'x", {"x": var("n")},
             "log(x'*x)", "x", "2*x/(x'*x)", "denominator"),
    Identity("wp-sv-chain2", wp("scalar-by-vector", "d f(g(u))/dx") + ", f = exp, g = sin, u = a'x",
             {"a": var("n"), "x": var("n")},
             "exp(sin(a'*x))", "x", "exp(sin(a'*x))*cos(a'*x)*a", "denominator"),
    Identity("wp-sv-dot", wp("scalar-by-vector", "d(u'v)/dx") + ", u = Ax, v = Bx",
             {"A": var("m", "n"), "B": var("m", "n"), "x": var("n")},
             "(A*x)'*(B*x)", "x", "A'*(B*x) + B'*(A*x)", "denominator",
             note="du/dx, dv/dx in denominator layout are A', B'"),
    Identity("wp-sv-dot-a", wp("scalar-by-vector", "d(u'Av)/dx") + ", u = Bx, v = Cx",
             {"B": var("m", "n"), "A": var("m", "p"), "C": var("p", "n"), "x": var("n")},
             "(B*x)'*A*(C*x)", "x", "(B*x)'*A*C + (C*x)'*A'*B", "numerator"),
    Identity("wp-sv-atx", wp("scalar-by-vector", "d(a'x)/dx"), {"a": var("n", props=C), "x": var("n")},
             "a'*x", "x", "a'", "numerator"),
    Identity("wp-sv-btax", wp("scalar-by-vector", "d(b'Ax)/dx"), {"b": var("m"), "A": var("m", "n"), "x": var("n")},
             "b'*A*x", "x", "b'*A", "numerator"),
    Identity("wp-sv-xtax", wp("scalar-by-vector", "d(x'Ax)/dx"), {"x": var("n"), "A": var("n", "n")},
             "x'*A*x", "x", "x'*(A + A')", "numerator"),
    Identity("wp-sv-xtsx", wp("scalar-by-vector", "d(x'Ax)/dx, A symmetric"),
             {"x": var("n"), "S": var("n", "n", props=SYM)},
             "x'*S*x", "x", "2*x'*S", "numerator"),
    Identity("wp-sv-hessian", wp("scalar-by-vector", "d2(x'Ax)/dx dx'"), {"x": var("n"), "A": var("n", "n")},
             "x'*A*x", "x", "A + A'", "any", order=2),
    Identity("wp-sv-hessian-sym", wp("scalar-by-vector", "d2(x'Ax)/dx dx', A symmetric"),
             {"x": var("n"), "S": var("n", "n", props=SYM)},
             "x'*S*x", "x", "2*S", "any", order=2),
    Identity("wp-sv-xtx", wp("scalar-by-vector", "d(x'x)/dx"), {"x": var("n")},
             "x'*x", "x", "2*x'", "numerator"),
    Identity("wp-sv-norm-squared", wp("scalar-by-vector", "d||x||^2/dx"), {"x": var("n")},
             "norm2(x)^2", "x", "2*x'", "numerator"),
    Identity("wp-sv-sum-squares", wp("scalar-by-vector", "d(x . x)/dx"), {"x": var("n")},
             "sum(x .^ 2)", "x", "2*x", "denominator"),
    Identity("wp-sv-atu", wp("scalar-by-vector", "d(a'u)/dx") + ", u = sin(x)", {"a": var("n"), "x": var("n")},
             "a'*sin(x)", "x", "a'*diag(cos(x))", "numerator"),
    Identity("wp-sv-axxtb", wp("scalar-by-vector", "d(a'x x'b)/dx"), {"a": var("n"), "x": var("n"), "b": var("n")},
             "a'*x*x'*b", "x", "(a*b' + b*a')*x", "denominator"),
    Identity("wp-sv-axb-c-dxe", wp("scalar-by-vector", "d((Ax + b)'C(Dx + e))/dx"),
             {"A": var("p", "n"), "x": var("n"), "b": var("p"), "C": var("p", "q"), "D": var("q", "n"),
              "e": var("q")},
             "(A*x + b)'*C*(D*x + e)", "x", "(D*x + e)'*C'*A + (A*x + b)'*C*D", "numerator"),
    Identity("wp-sv-distance", wp("scalar-by-vector", "d||x - a||/dx"), {"x": var("n"), "a": var("n")},
             "norm2(x - a)", "x", "(x - a)'/norm2(x - a)", "numerator"),
    # vector-by-scalar
    Identity("wp-vs-scaled", wp("vector-by-scalar", "d(a u)/dx") + ", u = exp(t b)", {"a": S, "b": var("n"), "t": S},
             "a*exp(t*b)", "t", "a*(b .* exp(t*b))", "numerator"),
    Identity("wp-vs-au", wp("vector-by-scalar", "d(A u)/dx") + ", u = sin(t b)",
             {"A": var("m", "n"), "b": var("n"), "t": S},
             "A*sin(t*b)", "t", "(b .* cos(t*b))'*A'", "denominator"),
    Identity("wp-vs-sum", wp("vector-by-scalar", "d(u + v)/dx") + ", u = t b, v = t^2 c",
             {"b": var("n"), "c": var("n"), "t": S},
             "t*b + t^2*c", "t", "b + 2*t*c", "numerator"),
    Identity("wp-vs-transpose", wp("vector-by-scalar", "d(u')/dx") + ", u = t b + t^2 c",
             {"b": var("n"), "c": var("n"), "t": S},
             "(t*b + t^2*c)'", "t", "(b + 2*t*c)'", "numerator",
             note="a row vector by a scalar: SPEC section 3 treats it as a 1 x n matrix"),
    Identity("wp-vs-chain", wp("vector-by-scalar", "d g(u)/dx") + ", g = exp, u = t b",
             {"b": var("n"), "t": S},
             "exp(t*b)", "t", "diag(exp(t*b))*b", "numerator"),
    Identity("wp-vs-uv", wp("vector-by-scalar", "d(U v)/dx") + ", U = A + tB, v = c + t d",
             {"A": var("m", "n"), "B": var("m", "n"), "c": var("n"), "d": var("n"), "t": S},
             "(A + t*B)*(c + t*d)", "t", "B*(c + t*d) + (A + t*B)*d", "numerator"),
    # scalar-by-scalar
    Identity("wp-ss-dot", f"{WP}, table 'Identities: scalar-by-scalar, with vectors involved', row d(u . v)/dx",
             {"b": var("n"), "c": var("n"), "d": var("n"), "e": var("n"), "t": S},
             "(b + t*c)'*(d + t*e)", "t", "(b + t*c)'*e + c'*(d + t*e)", "any"),
    Identity("wp-ss-chain", f"{WP}, table 'Identities: scalar-by-scalar, with vectors involved', row d g(u)/dx",
             {"b": var("n"), "t": S},
             "sum(exp(t*b))", "t", "exp(t*b)'*b", "any"),
    Identity("wp-ss-det", f"{WP}, table 'Identities: scalar-by-scalar, with matrices involved', row d|U|/dx",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "det(A + t*B)", "t", "det(A + t*B)*tr(inv(A + t*B)*B)", "any"),
    Identity("wp-ss-logdet", f"{WP}, table 'Identities: scalar-by-scalar, with matrices involved', row d ln|U|/dx",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "logdet(A + t^2*B)", "t", "tr(inv(A + t^2*B)*(2*t*B))", "any"),
    Identity("wp-ss-g-of-u", f"{WP}, table 'Identities: scalar-by-scalar, with matrices involved', row d g(U)/dx"
             " (mixed layout), g(U) = tr(U'U)",
             {"A": var("m", "n"), "B": var("m", "n"), "t": S},
             "tr((A + t*B)'*(A + t*B))", "t", "tr((2*(A + t*B))'*B)", "any"),
    Identity("wp-ss-differential", f"{WP}, table 'Conversion from differential to derivative form', row dy = a dx",
             {"t": S}, "t^3 + sin(t)", "t", "3*t^2 + cos(t)", "any"),
    # scalar-by-matrix
    Identity("wp-sm-atxb", wp("scalar-by-matrix", "d(a'Xb)/dX"), {"a": var("m"), "X": var("m", "n"), "b": var("n")},
             "a'*X*b", "X", "b*a'", "numerator"),
    Identity("wp-sm-atxtb", wp("scalar-by-matrix", "d(a'X'b)/dX"), {"a": var("n"), "X": var("m", "n"), "b": var("m")},
             "a'*X'*b", "X", "a*b'", "numerator"),
    Identity("wp-sm-f-xa-b", wp("scalar-by-matrix", "d f(Xa + b)/dX") + ", f = sum(exp(v))",
             {"X": var("m", "n"), "a": var("n"), "b": var("m")},
             "sum(exp(X*a + b))", "X", "exp(X*a + b)*a'", "denominator"),
    Identity("wp-sm-quadratic", wp("scalar-by-matrix", "d((Xa + b)'C(Xa + b))/dX"),
             {"X": var("m", "n"), "a": var("n"), "b": var("m"), "C": var("m", "m")},
             "(X*a + b)'*C*(X*a + b)", "X", "((C + C')*(X*a + b)*a')'", "numerator"),
    Identity("wp-sm-bilinear", wp("scalar-by-matrix", "d((Xa)'C(Xb))/dX"),
             {"X": var("m", "n"), "a": var("n"), "b": var("n"), "C": var("m", "m")},
             "(X*a)'*C*(X*b)", "X", "C*X*b*a' + C'*X*a*b'", "denominator"),
    Identity("wp-sm-tr", wp("scalar-by-matrix", "d tr(X)/dX"), {"X": var("n", "n")}, "tr(X)", "X", "eye(n)", "numerator"),
    Identity("wp-sm-tr-ax", wp("scalar-by-matrix", "d tr(AX)/dX"), {"A": var("n", "m"), "X": var("m", "n")},
             "tr(A*X)", "X", "A", "numerator"),
    Identity("wp-sm-tr-xa", wp("scalar-by-matrix", "d tr(XA)/dX"), {"X": var("m", "n"), "A": var("n", "m")},
             "tr(X*A)", "X", "A", "numerator"),
    Identity("wp-sm-tr-axt", wp("scalar-by-matrix", "d tr(AX')/dX"), {"A": var("m", "n"), "X": var("m", "n")},
             "tr(A*X')", "X", "A'", "numerator"),
    Identity("wp-sm-tr-xta", wp("scalar-by-matrix", "d tr(X'A)/dX"), {"X": var("m", "n"), "A": var("m", "n")},
             "tr(X'*A)", "X", "A'", "numerator"),
    Identity("wp-sm-tr-xtax", wp("scalar-by-matrix", "d tr(X'AX)/dX"), {"X": var("m", "n"), "A": var("m", "m")},
             "tr(X'*A*X)", "X", "X'*(A + A')", "numerator"),
    Identity("wp-sm-tr-xinva", wp("scalar-by-matrix", "d tr(X^-1 A)/dX"),
             {"X": var("n", "n", props=INV), "A": var("n", "n")},
             "tr(inv(X)*A)", "X", "-inv(X)*A*inv(X)", "numerator"),
    Identity("wp-sm-tr-axb", wp("scalar-by-matrix", "d tr(AXB)/dX"),
             {"A": var("p", "m"), "X": var("m", "n"), "B": var("n", "p")},
             "tr(A*X*B)", "X", "B*A", "numerator"),
    Identity("wp-sm-tr-bax", wp("scalar-by-matrix", "d tr(BAX)/dX"),
             {"B": var("n", "p"), "A": var("p", "m"), "X": var("m", "n")},
             "tr(B*A*X)", "X", "B*A", "numerator"),
    Identity("wp-sm-tr-axbxtc", wp("scalar-by-matrix", "d tr(AXBX'C)/dX"),
             {"A": var("p", "m"), "X": var("m", "n"), "B": var("n", "n"), "C": var("m", "p")},
             "tr(A*X*B*X'*C)", "X", "B*X'*C*A + B'*X'*A'*C'", "numerator"),
    Identity("wp-sm-tr-xn", wp("scalar-by-matrix", "d tr(X^n)/dX") + " with n = 3", {"X": var("n", "n")},
             "tr(X^3)", "X", "3*X^2", "numerator"),
    Identity("wp-sm-tr-axn", wp("scalar-by-matrix", "d tr(AX^n)/dX") + " with n = 2",
             {"A": var("n", "n"), "X": var("n", "n")},
             "tr(A*X^2)", "X", "A*X + X*A", "numerator"),
    Identity("wp-sm-det", wp("scalar-by-matrix", "d|X|/dX"), {"X": var("n", "n", props=INV)},
             "det(X)", "X", "det(X)*inv(X)", "numerator"),
    Identity("wp-sm-logdet-ax", wp("scalar-by-matrix", "d ln|aX|/dX"), {"a": var(props=POS), "X": var("n", "n", props=INV)},
             "logdet(a*X)", "X", "inv(X)", "numerator"),
    Identity("wp-sm-det-axb", wp("scalar-by-matrix", "d|AXB|/dX"),
             {"A": var("n", "n", props=INV), "X": var("n", "n", props=INV), "B": var("n", "n", props=INV)},
             "det(A*X*B)", "X", "det(A*X*B)*inv(X)", "numerator"),
    Identity("wp-sm-det-xn", wp("scalar-by-matrix", "d|X^n|/dX") + " with n = 2", {"X": var("n", "n", props=INV)},
             "det(X^2)", "X", "2*det(X^2)*inv(X)", "numerator"),
    Identity("wp-sm-logdet-xtx", wp("scalar-by-matrix", "d ln|X'X|/dX"), {"X": var("m", "n")},
             "logdet(X'*X)", "X", "2*inv(X'*X)*X'", "numerator", dims=("n", "m"),
             note="the source's 2 X^+, with X^+ = (X'X)^-1 X' for a tall X of full rank"),
    Identity("wp-sm-det-xtax-square", wp("scalar-by-matrix", "d|X'AX|/dX, X square and invertible"),
             {"A": var("n", "n", props=INV), "X": var("n", "n", props=INV)},
             "det(X'*A*X)", "X", "2*det(X'*A*X)*inv(X)", "numerator"),
    Identity("wp-sm-det-xtax-symmetric", wp("scalar-by-matrix", "d|X'AX|/dX, X non-square, A symmetric"),
             {"A": var("m", "m", props=PD), "X": var("m", "n")},
             "det(X'*A*X)", "X", "2*det(X'*A*X)*inv(X'*A'*X)*X'*A'", "numerator", dims=("n", "m")),
    Identity("wp-sm-det-xtax-general", wp("scalar-by-matrix", "d|X'AX|/dX, X non-square, A non-symmetric"),
             {"A": var("m", "m", props=INV), "X": var("m", "n")},
             "det(X'*A*X)", "X", "det(X'*A*X)*(inv(X'*A*X)*X'*A + inv(X'*A'*X)*X'*A')", "numerator",
             dims=("n", "m")),
    # matrix-by-scalar (numerator layout only in the source)
    Identity("wp-ms-scaled", f"{WP}, table 'Identities: matrix-by-scalar', row d(aU)/dx, U = exp(tB)",
             {"a": S, "B": var("m", "n"), "t": S},
             "a*exp(t*B)", "t", "a*(B .* exp(t*B))", "numerator"),
    Identity("wp-ms-aub", f"{WP}, table 'Identities: matrix-by-scalar', row d(AUB)/dx, U = tC",
             {"A": var("p", "m"), "C": var("m", "n"), "B": var("n", "q"), "t": S},
             "A*(t*C)*B", "t", "A*C*B", "numerator"),
    Identity("wp-ms-sum", f"{WP}, table 'Identities: matrix-by-scalar', row d(U + V)/dx",
             {"A": var("m", "n"), "B": var("m", "n"), "t": S},
             "t*A + t^2*B", "t", "A + 2*t*B", "numerator"),
    Identity("wp-ms-product", f"{WP}, table 'Identities: matrix-by-scalar', row d(UV)/dx",
             {"A": var("m", "n"), "B": var("m", "n"), "C": var("n", "p"), "D": var("n", "p"), "t": S},
             "(A + t*B)*(C + t^2*D)", "t", "(A + t*B)*(2*t*D) + B*(C + t^2*D)", "numerator"),
    Identity("wp-ms-hadamard", f"{WP}, table 'Identities: matrix-by-scalar', row d(U o V)/dx",
             {"A": var("m", "n"), "B": var("m", "n"), "C": var("m", "n"), "t": S},
             "(A + t*B) .* sin(t*C)", "t", "(A + t*B) .* (C .* cos(t*C)) + B .* sin(t*C)", "numerator"),
    Identity("wp-ms-inverse", f"{WP}, table 'Identities: matrix-by-scalar', row d(U^-1)/dx",
             {"A": var("n", "n", props=PD), "B": var("n", "n"), "t": S},
             "inv(A + t*B)", "t", "-inv(A + t*B)*B*inv(A + t*B)", "numerator"),
]


# ----------------------------------------------------------------------------- Magnus & Neudecker


def mn(where: str) -> str:
    return f"{MN}, {where}"


MAGNUS_NEUDECKER = [
    Identity("mn-9-atx", mn("ch. 9, 'Scalar functions of a vector': d(a'x) = a'dx"),
             {"a": var("n"), "x": var("n")}, "a'*x", "x", "a'", "numerator"),
    Identity("mn-9-xtax", mn("ch. 9, 'Scalar functions of a vector': d(x'Ax) = x'(A + A')dx"),
             {"x": var("n"), "A": var("n", "n")}, "x'*A*x", "x", "x'*(A + A')", "numerator"),
    Identity("mn-9-ax", mn("ch. 9, first identification table: df = A dx gives Df(x) = A"),
             {"A": var("m", "n"), "x": var("n")}, "A*x", "x", "A", "numerator"),
    Identity("mn-9-tr-ax", mn("ch. 9, 'Scalar functions of a matrix, I: trace': d tr(AX) = tr(A dX)"),
             {"A": var("n", "m"), "X": var("m", "n")}, "tr(A*X)", "X", "A'", "denominator"),
    Identity("mn-9-tr-xaxtb", mn("ch. 9, 'Scalar functions of a matrix, I: trace': tr(XAX'B)"),
             {"X": var("m", "n"), "A": var("n", "n"), "B": var("m", "m")},
             "tr(X*A*X'*B)", "X", "B'*X*A' + B*X*A", "denominator"),
    Identity("mn-9-tr-xaxb", mn("ch. 9, 'Scalar functions of a matrix, I: trace': tr(XAXB)"),
             {"X": var("n", "n"), "A": var("n", "n"), "B": var("n", "n")},
             "tr(X*A*X*B)", "X", "B'*X'*A' + A'*X'*B'", "denominator"),
    Identity("mn-9-tr-xtx", mn("ch. 9, 'Scalar functions of a matrix, I: trace': d tr(X'X) = 2 tr(X'dX)"),
             {"X": var("m", "n")}, "tr(X'*X)", "X", "2*X", "denominator"),
    Identity("mn-9-det", mn("ch. 9, 'Scalar functions of a matrix, II: determinant': d|X| = |X| tr(X^-1 dX)"),
             {"X": var("n", "n", props=INV)}, "det(X)", "X", "det(X)*inv(X)'", "denominator"),
    Identity("mn-9-det-xxt", mn("ch. 9, 'Scalar functions of a matrix, II: determinant': |XX'|"),
             {"X": var("m", "n")}, "det(X*X')", "X", "2*det(X*X')*inv(X*X')*X", "denominator"),
    Identity("mn-9-det-xtx", mn("ch. 9, 'Scalar functions of a matrix, II: determinant': |X'X|"),
             {"X": var("m", "n")}, "det(X'*X)", "X", "2*det(X'*X)*X*inv(X'*X)", "denominator",
             dims=("n", "m")),
    Identity("mn-9-det-x2", mn("ch. 9, 'Scalar functions of a matrix, II: determinant': |X^2|"),
             {"X": var("n", "n", props=INV)}, "det(X^2)", "X", "2*det(X^2)*inv(X)'", "denominator"),
    Identity("mn-10-hessian-table", mn("ch. 10, second identification table: d2f = (dx)'B dx gives H = (B + B')/2"),
             {"x": var("n"), "B": var("n", "n")}, "1/2*x'*B*x", "x", "(B + B')/2", "any", order=2),
    Identity("mn-10-hessian-xtax", mn("ch. 10, second identification table, with f = x'Ax"),
             {"x": var("n"), "A": var("n", "n")}, "x'*A*x", "x", "A + A'", "any", order=2),
    # the vec cases (Jacobians of vector and matrix functions of a matrix, matrix functions of a vector)
    Identity("mn-9-vec-x", mn("ch. 9, table of matrix functions: dF = dX gives DF(X) = I_mn"),
             {"X": var("m", "n")}, "1*X", "X", None, "numerator", answer_numpy="np.eye(m*n)"),
    Identity("mn-9-vec-xt", mn("ch. 9, table of matrix functions: F = X' gives DF(X) = K_mn"),
             {"X": var("m", "n")}, "X'", "X", None, "numerator", answer_numpy="K(m, n)"),
    Identity("mn-9-vec-xxt", mn("ch. 9, table of matrix functions: F = XX' gives DF(X) = 2 N_m (X (x) I_m)"),
             {"X": var("m", "n")}, "X*X'", "X", None, "numerator",
             answer_numpy="(np.eye(m*m) + K(m, m)) @ np.kron(X, np.eye(m))"),
    Identity("mn-9-vec-xtx", mn("ch. 9, table of matrix functions: F = X'X gives DF(X) = 2 N_n (I_n (x) X')"),
             {"X": var("m", "n")}, "X'*X", "X", None, "numerator",
             answer_numpy="(np.eye(n*n) + K(n, n)) @ np.kron(np.eye(n), X.T)"),
    Identity("mn-9-vec-inv", mn("ch. 9, table of matrix functions: F = X^-1 gives DF(X) = -(X'^-1 (x) X^-1)"),
             {"X": var("n", "n", props=INV)}, "inv(X)", "X", None, "numerator",
             answer_numpy="-np.kron(np.linalg.inv(X).T, np.linalg.inv(X))"),
    Identity("mn-2-vec-axb", mn("ch. 2, the vec operator: vec(AXB) = (B' (x) A) vec X"),
             {"A": var("p", "m"), "X": var("m", "n"), "B": var("n", "q")}, "A*X*B", "X", None, "numerator",
             answer_numpy="np.kron(B.T, A)"),
    Identity("mn-9-vec-xa", mn("ch. 9, vector functions of a matrix: f(X) = Xa, df = (a' (x) I_m) d vec X"),
             {"X": var("m", "n"), "a": var("n")}, "X*a", "X", None, "numerator",
             answer_numpy="np.kron(a.T, np.eye(m))"),
    Identity("mn-9-vec-xxt-by-x", mn("ch. 9, matrix functions of a vector: F(x) = xx', d vec F = (I (x) x + x (x) I) dx"),
             {"x": var("n")}, "x*x'", "x", None, "numerator",
             answer_numpy="np.kron(np.eye(n), x) + np.kron(x, np.eye(n))"),
]


# ----------------------------------------------------------------------------- entrywise functions

EW = wp("scalar-by-vector", "d(a'u)/dx") + " with a = 1"
ENTRYWISE = [
    Identity("ew-sum-exp", EW + ", u = exp(x)", {"x": var("n")}, "sum(exp(x))", "x", "exp(x)", "denominator"),
    Identity("ew-sum-log", EW + ", u = log(x), x > 0", {"x": var("n", props=POS)},
             "sum(log(x))", "x", "ones(n) ./ x", "denominator"),
    Identity("ew-sum-sqrt", EW + ", u = sqrt(x), x > 0", {"x": var("n", props=POS)},
             "sum(sqrt(x))", "x", "1/2*(ones(n) ./ sqrt(x))", "denominator"),
    Identity("ew-sum-sigmoid", EW + ", u = sigmoid(x); " + f"{DL}, sec. 3.10: sigmoid' = sigmoid (1 - sigmoid)",
             {"x": var("n")}, "sum(sigmoid(x))", "x", "sigmoid(x) .* (ones(n) - sigmoid(x))", "denominator"),
    Identity("ew-sum-tanh", EW + f", u = tanh(x); {PRML}, sec. 5.3.2: tanh' = 1 - tanh^2", {"x": var("n")},
             "sum(tanh(x))", "x", "ones(n) - tanh(x).^2", "denominator"),
    Identity("ew-sum-sin", EW + ", u = sin(x)", {"x": var("n")}, "sum(sin(x))", "x", "cos(x)", "denominator"),
    Identity("ew-sum-cos", EW + ", u = cos(x)", {"x": var("n")}, "sum(cos(x))", "x", "-sin(x)", "denominator"),
    Identity("ew-softplus", f"{DL}, sec. 3.10: the softplus zeta has zeta' = sigmoid", {"x": var("n")},
             "sum(log(ones(n) + exp(x)))", "x", "sigmoid(x)", "denominator"),
    Identity("ew-sigmoid-scalar", f"{PRML}, sec. 4.3.2: d sigmoid(a)/da = sigmoid(a)(1 - sigmoid(a))", {"a": S},
             "sigmoid(a)", "a", "sigmoid(a)*(1 - sigmoid(a))", "any"),
    Identity("ew-tanh-scalar", f"{PRML}, sec. 5.3.2: h(a) = tanh(a) has h'(a) = 1 - h(a)^2", {"a": S},
             "tanh(a)", "a", "1 - tanh(a)^2", "any"),
    Identity("ew-jacobian-exp", wp("vector-by-vector", "d g(u)/dx") + ", g = exp, u = x", {"x": var("n")},
             "exp(x)", "x", "diag(exp(x))", "numerator"),
    Identity("ew-jacobian-log", wp("vector-by-vector", "d g(u)/dx") + ", g = log, u = x > 0",
             {"x": var("n", props=POS)}, "log(x)", "x", "diag(ones(n) ./ x)", "numerator"),
    Identity("ew-jacobian-sqrt", wp("vector-by-vector", "d g(u)/dx") + ", g = sqrt, u = x > 0",
             {"x": var("n", props=POS)}, "sqrt(x)", "x", "diag(ones(n) ./ (2*sqrt(x)))", "numerator"),
    Identity("ew-jacobian-sigmoid", f"{PRML}, sec. 4.3.2, entry by entry: d sigmoid(x)/dx = diag(s .* (1 - s))",
             {"x": var("n")}, "sigmoid(x)", "x", "diag(sigmoid(x) .* (ones(n) - sigmoid(x)))", "numerator"),
    Identity("ew-jacobian-tanh", f"{PRML}, sec. 5.3.2, entry by entry: d tanh(x)/dx = diag(1 - tanh(x)^2)",
             {"x": var("n")}, "tanh(x)", "x", "diag(ones(n) - tanh(x).^2)", "numerator"),
    Identity("ew-hadamard", mc("38") + ", d(x o y) = dx o y: d(x .* y)/dx = diag(y)",
             {"x": var("n"), "y": var("n")}, "x .* y", "x", "diag(y)", "numerator"),
    Identity("ew-frobenius-entrywise", mc("132") + ": ||X||_F^2 = sum of squares", {"X": var("m", "n")},
             "sum(X .* X)", "X", "2*X", "denominator"),
]


# ----------------------------------------------------------------------------- machine learning

TWO_LAYER = {"W1": var("q", "n"), "b1": var("q"), "W2": var("k", "q"), "b2": var("k"), "x": var("n", props=C),
             "y": var("k", props=C)}
TWO_LAYER_DEF = {"h": "tanh(W1*x + b1)", "yhat": "W2*h + b2"}
BACKPROP = f"{DL}, sec. 6.5.4, Algorithm 6.4 (back-propagation through an MLP)"
G1 = "(W2'*(yhat - y)) .* (ones(q) - h.^2)"  # the gradient at the hidden pre-activation
MSE = "1/2*(yhat - y)'*(yhat - y)"  # the squared error (ml-mlp-norm-loss writes it with norm2)

SIGMOID_NET = {"W1": var("q", "n"), "W2": var("k", "q"), "x": var("n", props=C), "y": var("k", props=C)}
SIGMOID_DEF = {"h": "sigmoid(W1*x)", "p": "sigmoid(W2*h)"}
BCE = "-(y'*log(p) + (ones(k) - y)'*log(ones(k) - p))"

ATTENTION = {"K": var("m", "n"), "V": var("m", "p"), "q": var("n")}
ATT_DEF = {"a": "softmax(K*q/2)"}  # the scale 1/sqrt(d_k), with d_k = 4
SOFTMAX_J = "(diag(a) - a*a')"

ML = [
    Identity("ml-least-squares", f"{ESL}, sec. 3.2: dRSS/dbeta = -2X'(y - X beta)",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "(y - X*w)'*(y - X*w)", "w", "-2*X'*(y - X*w)", "denominator"),
    Identity("ml-least-squares-hessian", f"{ESL}, sec. 3.2: d2RSS/dbeta dbeta' = 2X'X",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "(y - X*w)'*(y - X*w)", "w", "2*X'*X", "any", order=2),
    Identity("ml-ridge", f"{ESL}, sec. 3.4.1 'Ridge regression': RSS + lambda beta'beta",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "lam": var(props=("positive", "constant")),
              "w": var("n")},
             "(y - X*w)'*(y - X*w) + lam*w'*w", "w", "-2*X'*(y - X*w) + 2*lam*w", "denominator"),
    Identity("ml-ridge-hessian", f"{ESL}, sec. 3.4.1 'Ridge regression': Hessian 2(X'X + lambda I)",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "lam": var(props=("positive", "constant")),
              "w": var("n")},
             "(y - X*w)'*(y - X*w) + lam*w'*w", "w", "2*(X'*X + lam*I)", "any", order=2),
    Identity("ml-ridge-half", f"{PRML}, sec. 3.1.4 'Regularized least squares'",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "lam": var(props=("positive", "constant")),
              "w": var("n")},
             "1/2*norm2(X*w - y)^2 + lam/2*norm2(w)^2", "w", "X'*(X*w - y) + lam*w", "denominator"),
    Identity("ml-ridge-by-lambda", f"{ESL}, sec. 3.4.1 'Ridge regression': d/dlambda of the penalty is beta'beta",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "lam": var(props=POS), "w": var("n")},
             "(y - X*w)'*(y - X*w) + lam*w'*w", "lam", "w'*w", "any"),
    Identity("ml-logistic-crossentropy", f"{PRML}, sec. 4.3.2 'Logistic regression': grad E = sum (y_n - t_n) phi_n",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "-(y'*log(p) + (ones(m) - y)'*log(ones(m) - p))", "w", "X'*(p - y)", "denominator",
             define={"p": "sigmoid(X*w)"}),
    Identity("ml-logistic-loglik", f"{ESL}, sec. 4.4.1: score dl/dbeta = sum x_i (y_i - p(x_i; beta))",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "y'*X*w - sum(log(ones(m) + exp(X*w)))", "w", "X'*(y - sigmoid(X*w))", "denominator"),
    Identity("ml-logistic-hessian", f"{ESL}, sec. 4.4.1: d2l/dbeta dbeta' = -X'WX, W = diag(p(1 - p))",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "y'*X*w - sum(log(ones(m) + exp(X*w)))", "w",
             "-X'*diag(sigmoid(X*w) .* (ones(m) - sigmoid(X*w)))*X", "any", order=2),
    Identity("ml-logistic-irls-hessian", f"{PRML}, sec. 4.3.3 'Iterative reweighted least squares': H = Phi'R Phi",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "-(y'*log(p) + (ones(m) - y)'*log(ones(m) - p))", "w", "X'*diag(p .* (ones(m) - p))*X", "any",
             define={"p": "sigmoid(X*w)"}, order=2),
    Identity("ml-logistic-by-logits", f"{PRML}, sec. 4.3.2: dE/da_n = y_n - t_n (by the activations)",
             {"X": var("m", "n", props=C), "y": var("m", props=C), "w": var("n")},
             "-(y'*log(sigmoid(z)) + (ones(m) - y)'*log(ones(m) - sigmoid(z)))", "z", "sigmoid(z) - y",
             "denominator", define={"z": "X*w"}),
    Identity("ml-softmax-jacobian", f"{PRML}, sec. 4.3.4: dy_k/da_j = y_k (I_kj - y_j)", {"z": var("n")},
             "softmax(z)", "z", "diag(softmax(z)) - softmax(z)*softmax(z)'", "numerator"),
    Identity("ml-logsumexp-gradient", "Wikipedia, LogSumExp: the gradient of LSE is the softmax", {"z": var("n")},
             "logsumexp(z)", "z", "softmax(z)", "denominator"),
    Identity("ml-logsumexp-hessian", f"{BV}, sec. 3.1.5, example 'Log-sum-exp': "
             "H = diag(e)/(1'e) - e e'/(1'e)^2, e = exp(x)", {"z": var("n")},
             "logsumexp(z)", "z", "diag(exp(z))/sum(exp(z)) - exp(z)*exp(z)'/sum(exp(z))^2", "any", order=2),
    Identity("ml-softmax-xent-logits", f"{PRML}, sec. 4.3.4: grad of -sum t log y by the activations is y - t",
             {"z": var("n"), "u": var("n", props=C)},
             "-t'*log(softmax(z))", "z", "softmax(z) - t", "denominator", define={"t": "softmax(u)"},
             note="t = softmax(u) is a probability vector (1't = 1), as the source assumes"),
    Identity("ml-softmax-xent-weights", f"{PRML}, sec. 4.3.4, eq. for grad_wj E: (y_j - t_j) phi",
             {"W": var("k", "n"), "x": var("n", props=C), "u": var("k", props=C)},
             "-t'*log(softmax(W*x))", "W", "(softmax(W*x) - t)*x'", "denominator", define={"t": "softmax(u)"}),
    Identity("ml-softmax-xent-logsumexp", f"{DL}, sec. 6.2.2.3: log softmax(z)_i = z_i - logsumexp(z)",
             {"z": var("n"), "u": var("n", props=C)},
             "logsumexp(z) - t'*z", "z", "softmax(z) - t", "denominator", define={"t": "softmax(u)"}),
    Identity("ml-gaussian-mean", f"{PRML}, sec. 2.3.4 'Maximum likelihood for the Gaussian': d/dmu = S^-1 (x - mu)",
             {"S": var("n", "n", props=PD), "x": var("n", props=C), "mu": var("n")},
             "-1/2*logdet(S) - 1/2*(x - mu)'*inv(S)*(x - mu)", "mu", "inv(S)*(x - mu)", "denominator"),
    Identity("ml-gaussian-covariance", mc("57") + " and " + mc("61") + ", applied to the Gaussian log-likelihood "
             f"({PRML}, sec. 2.3.4)",
             {"S": var("n", "n", props=PD), "x": var("n", props=C), "mu": var("n", props=C)},
             "-1/2*logdet(S) - 1/2*(x - mu)'*inv(S)*(x - mu)", "S",
             "-1/2*inv(S)' + 1/2*inv(S)'*(x - mu)*(x - mu)'*inv(S)'", "denominator"),
    Identity("ml-gaussian-sample-covariance", mc("57") + " and " + mc("124") + ": -N/2 ln|S| - 1/2 tr(S^-1 D'D)",
             {"N": var(props=("positive", "constant")), "S": var("n", "n", props=PD), "D": var("m", "n", props=C)},
             "-N/2*logdet(S) - 1/2*tr(inv(S)*D'*D)", "S",
             "-N/2*inv(S)' + 1/2*inv(S)'*D'*D*inv(S)'", "denominator"),
    Identity("ml-gaussian-precision", mc("57") + " and " + mc("72") + ", the log-likelihood in the precision L",
             {"L": var("n", "n", props=PD), "x": var("n", props=C), "mu": var("n", props=C)},
             "1/2*logdet(L) - 1/2*(x - mu)'*L*(x - mu)", "L", "1/2*inv(L)' - 1/2*(x - mu)*(x - mu)'",
             "denominator"),
    Identity("ml-gaussian-score-x", mc("85") + " with W = S^-1: the Gaussian score in x",
             {"S": var("n", "n", props=PD), "x": var("n"), "mu": var("n", props=C)},
             "-1/2*logdet(S) - 1/2*(x - mu)'*inv(S)*(x - mu)", "x", "-inv(S)*(x - mu)", "denominator"),
    Identity("ml-logdet-pd", f"{BV}, App. A.4.1: grad log det X = X^-1 on positive-definite X",
             {"X": var("n", "n", props=PD)}, "logdet(X)", "X", "inv(X)", "denominator"),
    Identity("ml-quadratic-gradient", f"{BV}, App. A.4.1: f = x'Px/2 + q'x + r, grad f = Px + q (P symmetric)",
             {"P": var("n", "n", props=SYM), "x": var("n"), "q": var("n"), "r": S},
             "1/2*x'*P*x + q'*x + r", "x", "P*x + q", "denominator"),
    Identity("ml-quadratic-hessian", f"{BV}, App. A.4.3: the Hessian of x'Px/2 + q'x + r is P",
             {"P": var("n", "n", props=SYM), "x": var("n"), "q": var("n"), "r": S},
             "1/2*x'*P*x + q'*x + r", "x", "P", "any", order=2),
    # a two-layer network, y_hat = W2 tanh(W1 x + b1) + b2, squared error
    Identity("ml-mlp-w2", BACKPROP + ": grad_W = g h'", TWO_LAYER, MSE, "W2",
             "(yhat - y)*h'", "denominator", define=TWO_LAYER_DEF),
    Identity("ml-mlp-b2", BACKPROP + ": grad_b = g", TWO_LAYER, MSE, "b2",
             "yhat - y", "denominator", define=TWO_LAYER_DEF),
    Identity("ml-mlp-w1", BACKPROP + ": g <- W'g, g <- g o f'(a), grad_W = g x'", TWO_LAYER,
             MSE, "W1", f"({G1})*x'", "denominator", define=TWO_LAYER_DEF),
    Identity("ml-mlp-b1", BACKPROP + ": grad_b = g at the first layer", TWO_LAYER,
             MSE, "b1", G1, "denominator", define=TWO_LAYER_DEF),
    Identity("ml-mlp-hidden", BACKPROP + ": the gradient by the hidden layer h is W2'g", TWO_LAYER,
             MSE, "h", "W2'*(yhat - y)", "denominator", define=TWO_LAYER_DEF),
    Identity("ml-mlp-jacobian", f"{DL}, sec. 6.5.2 (chain rule of calculus): dy/dx = W2 diag(1 - h^2) W1",
             {"W1": var("q", "n"), "b1": var("q"), "W2": var("k", "q"), "x": var("n")},
             "W2*tanh(W1*x + b1)", "x", "W2*diag(ones(q) - tanh(W1*x + b1).^2)*W1", "numerator"),
    Identity("ml-mlp-norm-loss", BACKPROP + ": grad_W = g h', the loss written with norm2", TWO_LAYER,
             "1/2*norm2(yhat - y)^2", "W2", "(yhat - y)*h'", "denominator", define=TWO_LAYER_DEF,),
    Identity("ml-mlp-sigmoid-w2", f"{PRML}, sec. 5.2 (K binary outputs, cross-entropy: dE/da_k = y_k - t_k) "
             "and sec. 5.3.1 (backpropagation)", SIGMOID_NET, BCE, "W2", "(p - y)*h'", "denominator",
             define=SIGMOID_DEF),
    Identity("ml-mlp-sigmoid-w1", f"{PRML}, sec. 5.3.1: delta_j = h'(a_j) sum_k w_kj delta_k, with h' = h(1 - h)",
             SIGMOID_NET, BCE, "W1", "((W2'*(p - y)) .* h .* (ones(q) - h))*x'", "denominator",
             define=SIGMOID_DEF),
    Identity("ml-mlp-sigmoid-scalar-output", f"{PRML}, sec. 5.3.1, one sigmoid output: dE/dw2 = (p - y) h",
             {"W1": var("q", "n"), "w2": var("q"), "x": var("n", props=C), "y": var(props=C)},
             "-(y*log(p) + (1 - y)*log(1 - p))", "w2", "(p - y)*h", "denominator",
             define={"h": "sigmoid(W1*x)", "p": "sigmoid(w2'*h)"}),
    Identity("ml-mlp-softmax-output", f"{PRML}, sec. 5.3.1, softmax output with cross-entropy: delta = y - t",
             {"W1": var("q", "n"), "W2": var("k", "q"), "x": var("n", props=C), "u": var("k", props=C)},
             "-t'*log(softmax(W2*h))", "W2", "(softmax(W2*h) - t)*h'", "denominator",
             define={"h": "tanh(W1*x)", "t": "softmax(u)"}),
    # attention for one query: a = softmax(K q / c), o = V'a, a scalar read-out w'o
    Identity("ml-attention-weights", ATT + "; softmax Jacobian of " + PRML + ", sec. 4.3.4",
             ATTENTION, "a", "q", f"{SOFTMAX_J}*K/2", "numerator", define=ATT_DEF),
    Identity("ml-attention-output", ATT + ": d(V'a)/dq by the chain rule", ATTENTION,
             "V'*a", "q", f"V'*{SOFTMAX_J}*K/2", "numerator", define=ATT_DEF),
    Identity("ml-attention-query", ATT + ": d(w'V'a)/dq",
             {**ATTENTION, "w": var("p", props=C)}, "w'*V'*a", "q", f"K'*{SOFTMAX_J}*V*w/2", "denominator",
             define=ATT_DEF),
    Identity("ml-attention-keys", ATT + ": d(w'V'a)/dK",
             {**ATTENTION, "w": var("p", props=C)}, "w'*V'*a", "K", f"{SOFTMAX_J}*V*w*q'/2", "denominator",
             define=ATT_DEF),
    Identity("ml-attention-values", ATT + ": d(w'V'a)/dV = a w'",
             {**ATTENTION, "w": var("p", props=C)}, "w'*V'*a", "V", "a*w'", "denominator", define=ATT_DEF),
    Identity("ml-attention-scores", ATT + ": d(w'V'a)/ds by the scores s = Kq/2",
             {**ATTENTION, "w": var("p", props=C)}, "w'*V'*softmax(s)", "s",
             "(diag(softmax(s)) - softmax(s)*softmax(s)')*V*w", "denominator", define={"s": "K*q/2"}),
    Identity("ml-attention-symbolic-scale", ATT + ": d(w'V'a)/dq with a symbolic scale c",
             {**ATTENTION, "c": var(props=("positive", "constant")), "w": var("p", props=C)},
             "w'*V'*softmax(K*q/c)", "q", "K'*(diag(softmax(K*q/c)) - softmax(K*q/c)*softmax(K*q/c)')*V*w/c",
             "denominator"),
]


IDENTITIES: list[Identity] = [*COOKBOOK, *WIKIPEDIA, *MAGNUS_NEUDECKER, *ENTRYWISE, *ML]
