"""Tree -> LaTeX math, bracketed by the shared precedence table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose
from gen.expr.names import latex_name
from gen.expr.precedence import ADD, ATOM, BINARY, MUL, NEG, POSTFIX, POW

FRAC_LIMIT = 40  # a division prints as \frac when both sides are at most this long

_MUL_JOIN = {"*": " ", ".*": r" \odot ", "./": r" \oslash ", "/": " / "}
_PLAIN = {
    "tr": r"\operatorname{tr}",
    "det": r"\det",
    "logdet": r"\log\det",
    "diag": r"\operatorname{diag}",
    "sum": r"\operatorname{sum}",
    "exp": r"\exp",
    "log": r"\log",
    "sin": r"\sin",
    "cos": r"\cos",
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
    "softmax": r"\operatorname{softmax}",
    "logsumexp": r"\operatorname{logsumexp}",
}


class _Tex(NamedTuple):
    """Printed LaTeX, how tightly it binds, and what it must not be followed by.

    ``sup`` is true when a superscript may not follow the text as it is: it
    ends in one already (a second would be a double superscript) or it is a
    ``\\frac``; ``op`` is the binary operator at its top.
    """

    text: str
    prec: int
    sup: bool = False
    op: str | None = None


def to_latex(
    node: Node,
    names: Mapping[str, str] | None = None,
    transpose: str = r"^{\top}",
) -> str:
    """Typeset ``node`` as LaTeX math.

    Products are juxtaposed (``X^{\\top} \\left(X w - y\\right)``), with
    ``\\cdot`` before a factor that starts with a digit; Hadamard product
    and division are ``\\odot`` and ``\\oslash``; short divisions are
    ``\\frac``; ``inv(A)`` is ``A^{-1}``. Brackets appear where the
    precedence table needs them, and also around a negated right operand
    (``a \\left(-b\\right)``), around a base that already ends in a
    superscript (``\\left(A^{\\top}\\right)^{2}``), and around a left factor
    whose product operator differs (``\\left(a \\odot b\\right) c``).

    Args:
        node: Any expression tree; a ``shape`` on the argument of ``norm2``
            chooses between the 2-norm and the Frobenius norm.
        names: LaTeX for identifiers; others go through ``latex_name``.
        transpose: What a transpose appends, e.g. ``^{\\top}`` or ``^{T}``.

    Returns:
        The LaTeX, with balanced braces.
    """
    return _Printer(names or {}, transpose).tex(node).text


class _Printer:
    """One typesetting pass."""

    def __init__(self, names: Mapping[str, str], transpose: str) -> None:
        self.names = names
        self.transpose = transpose

    def name(self, name: str) -> str:
        return latex_name(name, self.names.get(name))

    def tex(self, node: Node) -> _Tex:
        if isinstance(node, Num):
            value = node.value
            if value.denominator == 1:
                return _Tex(str(value.numerator), ATOM)
            return _Tex(rf"\frac{{{value.numerator}}}{{{value.denominator}}}", ATOM, sup=True)
        if isinstance(node, Name):
            text = self.name(node.id)
            return _Tex(text, ATOM, sup="^" in text or "'" in text)
        if isinstance(node, Neg):
            inner = self.tex(node.operand)
            # -(A B) reads the same as -A B, so only a sum needs brackets.
            return _Tex("-" + _wrap(inner, inner.prec < MUL or _negative(inner)), NEG)
        if isinstance(node, Transpose):
            inner = self.tex(node.operand)
            return _Tex(_base(inner) + self.transpose, POSTFIX, sup=True)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Binary):
            return self.binary(node)
        raise TypeError(f"not an expression node: {node!r}")

    def binary(self, node: Binary) -> _Tex:
        op = node.op
        left, right = self.tex(node.left), self.tex(node.right)
        if op in ("^", ".^"):
            entrywise = op == ".^" and node.shape != (1, 1)
            mark = r"\circ " if entrywise else ""
            return _Tex(f"{_base(left)}^{{{mark}{right.text}}}", POW, sup=True)
        if op == "/" and len(left.text) <= FRAC_LIMIT and len(right.text) <= FRAC_LIMIT:
            return _Tex(rf"\frac{{{left.text}}}{{{right.text}}}", ATOM, sup=True)
        level = BINARY[op]
        # Sums and products associate: a + (b - c) and A (B C) print without brackets.
        associative = right.prec == level and op in ("+", "*") and right.op == op
        associative |= op == "+" and right.prec == ADD
        right_text = _wrap(right, (right.prec <= level and not associative) or _negative(right))
        if level == ADD:
            left_text = _wrap(left, left.prec < level)
            return _Tex(f"{left_text} {op} {right_text}", ADD, op=op)
        mixed = left.prec == MUL and left.op != op
        left_text = _wrap(left, left.prec < level or mixed)
        join = _MUL_JOIN[op]
        if op == "*" and right_text[:1].isdigit():
            join = r" \cdot "
        return _Tex(f"{left_text}{join}{right_text}", MUL, op=op)

    def call(self, node: Call) -> _Tex:
        func = node.func
        if func == "I":
            return _Tex("I", ATOM)
        if func == "eye":
            return _Tex(f"I_{{{self.size(node.args[0])}}}", ATOM)
        if func == "ones":
            return _Tex(rf"\mathbf{{1}}_{{{self.size(node.args[0])}}}", ATOM)
        if func == "zeros":
            rows, cols = (self.size(arg) for arg in node.args)
            return _Tex(rf"0_{{{rows} \times {cols}}}", ATOM)
        arg = self.tex(node.args[0])
        if func == "inv":
            return _Tex(_base(arg) + "^{-1}", POW, sup=True)
        if func == "sqrt":
            return _Tex(rf"\sqrt{{{arg.text}}}", ATOM)
        if func == "norm2":
            shape = node.args[0].shape
            matrix = shape is not None and shape[0] != 1 and shape[1] != 1
            return _Tex(rf"\lVert {arg.text} \rVert_{{{'F' if matrix else '2'}}}", ATOM)
        return _Tex(rf"{_PLAIN[func]}\left({arg.text}\right)", ATOM)

    def size(self, node: Node) -> str:
        """A size argument of eye, ones or zeros."""
        if isinstance(node, Name):
            return self.name(node.id)
        return self.tex(node).text


def _negative(tex: _Tex) -> bool:
    """Whether the text starts with a minus sign (it reads as subtraction after an operand)."""
    return tex.text.startswith("-")


def _base(tex: _Tex) -> str:
    """``tex`` as the base of a superscript (bracketed when compound or superscripted)."""
    return _wrap(tex, tex.prec <= POW or tex.sup)


def _wrap(tex: _Tex, needed: bool) -> str:
    """The text, in ``\\left( \\right)`` when ``needed``."""
    return rf"\left({tex.text}\right)" if needed else tex.text
