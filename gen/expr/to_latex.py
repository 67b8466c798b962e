"""Tree -> LaTeX math, bracketed by the shared precedence table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose
from gen.expr.choice import as_sum
from gen.expr.functions import FUNCTIONS
from gen.expr.names import dim_latex, latex_name
from gen.expr.precedence import ADD, ATOM, BINARY, MUL, NEG, POSTFIX, POW
from gen.expr.shape import axis_argument, size_dim

FRAC_LIMIT = 40  # a division prints as \frac when both sides are at most this long
BREAK = r"\gsbreak"  # where a long right-hand side may break: before a top-level + or -
BREAK_INNER = r"\gsbreakin"  # the same inside brackets, taken only when the above do not do
_MARKS = {"top": BREAK, "inner": BREAK_INNER}
DIFFERENTIAL = r"\mathrm{d}"

_MUL_JOIN = {"*": " ", ".*": r" \odot ", "./": r" \oslash ", "/": " / "}
# Content this tall needs brackets that grow with it.
_TALL = re.compile(r"\\(?:frac|dfrac|tfrac|sum|prod|int|left|underbrace|overbrace|sqrt|begin)\b")
# Brackets by what they hold: plain, one size up around plain ones, two sizes up around those.
_BRACKETS = (("(", ")"), (r"\bigl(", r"\bigr)"), (r"\Bigl(", r"\Bigr)"))
TALL = len(_BRACKETS) + 1  # the level of \left( \right) and of tall content


class _Tex(NamedTuple):
    """Printed LaTeX, how tightly it binds, and what it must not be followed by.

    ``sup`` is true when a superscript may not follow the text as it is: it
    ends in one already (a second would be a double superscript) or it is a
    ``\\frac``; ``op`` is the binary operator at its top; ``dfirst`` and
    ``dlast`` say that it starts or ends with a differential factor (a thin
    space sets it apart from its neighbours in a product); ``level`` is the
    size of the largest brackets inside (0 none or only a function's plain
    brackets, 1 plain, 2 ``\\bigl``, 3 ``\\Bigl``, 4 ``\\left``).
    """

    text: str
    prec: int
    sup: bool = False
    op: str | None = None
    dfirst: bool = False
    dlast: bool = False
    level: int = 0


def to_latex(
    node: Node,
    names: Mapping[str, str] | None = None,
    transpose: str = r"^{\top}",
    *,
    bold: bool = False,
    breaks: bool = False,
) -> str:
    """Typeset ``node`` as LaTeX math.

    Products are juxtaposed (``X^{\\top} (X w - y)``), with ``\\cdot`` before a
    factor that starts with a digit and a thin space beside a differential
    (``X\\,\\mathrm{d}w``); Hadamard product and division are ``\\odot`` and
    ``\\oslash``; short divisions are ``\\frac``; ``inv(A)`` is ``A^{-1}``;
    ``kron(A, B)`` is ``A \\otimes B`` (bracketed as a factor of a product, a
    transpose, a power or another Kronecker product; its operands bracketed
    when they are sums, products or negations); ``vec(A)`` is
    ``\\operatorname{vec}(A)``; ``commutation(m, n)`` is ``K_{mn}``
    (``K_{m,n}`` unless both sizes are one letter or digit); a product of
    sizes is typeset by ``dim_latex`` (``eye(m*n)`` is ``I_{mn}``).
    Brackets appear where the precedence table needs them, and also around a
    negated right operand (``a (-b)``), around a base that already ends in a
    superscript (``(A^{\\top})^{2}``), and around a left factor whose product
    operator differs (``(a \\odot b) c``). Brackets grow with what they hold:
    ``(`` around plain content, ``\\bigl(`` around brackets, ``\\Bigl(``
    around those, ``\\left(`` around fractions and other tall content.

    Args:
        node: Any expression tree; a ``shape`` on the argument of ``norm2``
            chooses between the 2-norm and the Frobenius norm.
        names: LaTeX for identifiers; others go through ``latex_name``.
        transpose: What a transpose appends, e.g. ``^{\\top}``, ``^{T}`` or ``'``.
        bold: The identity and zero matrices in bold (``\\boldsymbol{I}``), to
            match names typeset in bold.
        breaks: Put ``\\gsbreak`` before each ``+`` and ``-`` of the top-level
            sum, and ``\\gsbreakin`` before those of a sum in brackets that is a
            factor at the top (``(a + b)^{\\top} \\mathrm{d}w``): the places where
            the sheet may break a long line. Such brackets are never ``\\left(``
            (a line cannot break inside those) but sized: ``\\biggl(`` around
            tall content. The macros are the sheet's (JSON never asks for them).

    Returns:
        The LaTeX, with balanced braces.
    """
    return _Printer(names or {}, transpose, bold).tex(node, "top" if breaks else None).text


class _Printer:
    """One typesetting pass."""

    def __init__(self, names: Mapping[str, str], transpose: str, bold: bool) -> None:
        self.names = names
        self.transpose = transpose
        self.bold = bold

    def name(self, name: str) -> str:
        return latex_name(name, self.names.get(name))

    def tex(self, node: Node, mode: str | None = None) -> _Tex:
        """Print ``node``; ``mode`` (``top``, ``inner`` or None) marks its sum's breaks."""
        inner_mode = "inner" if mode else None
        if isinstance(node, Num):
            value = node.value
            if value < 0:  # -1/2 as a mathematician writes it: -\frac{1}{2}, not \frac{-1}{2}
                inner = self.tex(Num(-value))
                return _Tex("-" + inner.text, NEG, level=inner.level)
            if value.denominator == 1:
                return _Tex(str(value.numerator), ATOM)
            return _Tex(
                rf"\frac{{{value.numerator}}}{{{value.denominator}}}", ATOM, sup=True, level=TALL
            )
        if isinstance(node, Name):
            text = self.name(node.id)
            d = text.startswith(DIFFERENTIAL)
            sup = "^" in text or "'" in text or text.startswith(r"\frac")
            return _Tex(
                text, ATOM, sup=sup, dfirst=d, dlast=d, level=TALL if _TALL.search(text) else 0
            )
        if isinstance(node, Neg):
            inner = self.tex(node.operand, inner_mode)
            # -(A B) reads the same as -A B, so only a sum needs brackets.
            text, level = _wrap(inner, inner.prec < MUL or _negative(inner))
            return _Tex("-" + text, NEG, level=level)
        if isinstance(node, Transpose):
            inner = self.tex(node.operand, inner_mode)
            base, level = _base(inner)
            d = inner.dfirst and base == inner.text
            return _Tex(base + self.transpose, POSTFIX, sup=True, dfirst=d, dlast=d, level=level)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Binary):
            return self.binary(node, mode)
        raise TypeError(f"not an expression node: {node!r}")

    def binary(self, node: Binary, mode: str | None = None) -> _Tex:
        op = node.op
        sum_op = op in ("+", "-")
        if op in ("^", ".^") or not mode:
            left, right = self.tex(node.left), self.tex(node.right)
        elif sum_op:  # the left operand continues the same chain of terms
            left, right = self.tex(node.left, mode), self.tex(node.right, "inner")
        else:  # a bracketed sum among the factors may break inside its brackets
            left, right = self.tex(node.left, "inner"), self.tex(node.right, "inner")
        if op in ("^", ".^"):
            entrywise = op == ".^" and node.shape != (1, 1)
            mark = r"\circ " if entrywise else ""
            base, level = _base(left)
            return _Tex(
                f"{base}^{{{mark}{right.text}}}", POW, sup=True, level=max(level, right.level)
            )
        if op == "/" and len(left.text) <= FRAC_LIMIT and len(right.text) <= FRAC_LIMIT:
            if left.prec == NEG and left.text.startswith("-"):  # -\frac{1}{2}, not \frac{-1}{2}
                frac = rf"\frac{{{left.text[1:]}}}{{{right.text}}}"
                return _Tex("-" + frac, NEG, level=TALL)
            return _Tex(rf"\frac{{{left.text}}}{{{right.text}}}", ATOM, sup=True, level=TALL)
        level = BINARY[op]
        # Sums and products associate: a + (b - c) and A (B C) print without brackets.
        associative = right.prec == level and op in ("+", "*") and right.op == op
        associative |= op == "+" and right.prec == ADD
        right_wrapped = (right.prec <= level and not associative) or _negative(right)
        if op == "+" and _negative(right) and right.prec >= MUL:
            # a + (-1/2 B) reads a - 1/2 B: the sign of a product's first factor.
            op, right = "-", right._replace(text=right.text[1:])
            right_wrapped = False
        if mode and sum_op and op == "+" and not right_wrapped:
            right = self.tex(node.right, mode)  # a + b - c: one chain of terms
        right_text, right_level = _wrap(right, right_wrapped)
        if level == ADD:
            left_text, left_level = _wrap(left, left.prec < level)
            mark = f"{_MARKS[mode]} " if mode else ""
            return _Tex(
                f"{left_text} {mark}{op} {right_text}",
                ADD,
                op=op,
                level=max(left_level, right_level),
            )
        mixed = left.prec == MUL and left.op != op
        left_wrapped = left.prec < level or mixed
        left_text, left_level = _wrap(left, left_wrapped)
        join = _MUL_JOIN[op]
        dlast = right.dlast and not right_wrapped
        if op == "*" and right_text[:1].isdigit():
            join = r" \cdot "
        elif op == "*" and (
            (left.dlast and not left_wrapped) or (right.dfirst and not right_wrapped)
        ):
            join = r"\,"
        return _Tex(
            f"{left_text}{join}{right_text}",
            MUL,
            op=op,
            dfirst=left.dfirst and not left_wrapped,
            dlast=dlast,
            level=max(left_level, right_level),
        )

    def call(self, node: Call) -> _Tex:
        """A call, laid out as its row of the function table says."""
        form = FUNCTIONS[node.func].latex
        kind = form.kind
        symbol = form.bold if self.bold and form.bold is not None else form.symbol
        if form.axis is not None and len(node.args) == 2:
            symbol = form.axis[axis_argument(node.func, node.args[1]) - 1]
        if kind == "identity":
            return _Tex(symbol, ATOM)
        if kind == "sized":
            sizes = r" \times ".join(self.size(arg) for arg in node.args)
            return _Tex(f"{symbol}_{{{sizes}}}", ATOM)
        if kind == "indexed":
            rows, cols = (self.size(arg) for arg in node.args)
            short = all(len(size) == 1 and size.isalnum() for size in (rows, cols))
            return _Tex(f"{symbol}_{{{rows}{'' if short else ','}{cols}}}", ATOM)
        if kind == "infix":
            return self.infix(symbol, *node.args)
        if kind in ("iverson", "choice"):
            return self.choice(node, kind, symbol)
        arg = self.tex(node.args[0])
        if kind == "superscript":
            base, level = _base(arg)
            return _Tex(f"{base}^{{{symbol}}}", POW, sup=True, level=level)
        if kind == "root":
            return _Tex(f"{symbol}{{{arg.text}}}", ATOM, level=TALL)
        if kind == "bars":
            return _Tex(rf"\lvert {arg.text} \rvert", ATOM, level=arg.level)
        if kind == "norm":
            shape = node.args[0].shape
            matrix = shape is not None and shape[0] != 1 and shape[1] != 1
            return _Tex(
                rf"\lVert {arg.text} \rVert_{{{'F' if matrix else '2'}}}", ATOM, level=arg.level
            )
        text, level = _brackets(arg)
        # A function's own plain brackets around a plain argument, tanh(A x), read
        # as part of its name: they do not make the brackets around it grow.
        if level == 1 and "(" not in arg.text:
            level = 0
        return _Tex(symbol + text, ATOM, level=level)

    def choice(self, node: Call, kind: str, symbol: str) -> _Tex:
        r"""A comparison as its Iverson bracket ``[P > Q]``; ``where(P > Q, A, B)`` as
        ``[P > Q] \odot A + [P \le Q] \odot B`` (``gen.expr.choice``)."""
        if kind == "choice":
            return self.tex(as_sum(node))
        left, right = (self.tex(arg).text for arg in node.args)
        return _Tex(f"[{left} {symbol} {right}]", ATOM)

    def infix(self, symbol: str, left_node: Node, right_node: Node) -> _Tex:
        """``A \\otimes B``, its operands bracketed unless they bind tighter than a product.

        It prints as a product whose operator differs from every other, so it is
        bracketed as a factor of a product, and as the base of a transpose or a power.
        """
        left, right = self.tex(left_node), self.tex(right_node)
        left_text, left_level = _wrap(left, left.prec < POW or _negative(left))
        right_text, right_level = _wrap(right, right.prec < POW or _negative(right))
        return _Tex(
            f"{left_text} {symbol} {right_text}", MUL, op=symbol, level=max(left_level, right_level)
        )

    def size(self, node: Node) -> str:
        """A size argument of eye, ones, zeros or commutation (``m*n`` is ``mn``)."""
        dim = size_dim(node)
        if dim is None:
            return self.tex(node).text
        return dim_latex(dim, self.name)


def _negative(tex: _Tex) -> bool:
    """Whether the text starts with a minus sign (it reads as subtraction after an operand)."""
    return tex.text.startswith("-")


def _base(tex: _Tex) -> tuple[str, int]:
    """``tex`` as the base of a superscript (bracketed when compound or superscripted)."""
    return _wrap(tex, tex.prec <= POW or tex.sup)


def _wrap(tex: _Tex, needed: bool) -> tuple[str, int]:
    """The text, in brackets sized to it when ``needed``, and its bracket level."""
    return _brackets(tex) if needed else (tex.text, tex.level)


def _brackets(tex: _Tex) -> tuple[str, int]:
    """``tex`` in round brackets one size above the brackets it holds, and their level.

    Tall content (fractions, sums, ``\\left``) gets ``\\left( \\right)``.
    """
    level = max(tex.level, TALL if _TALL.search(tex.text) else 0) + 1
    if level > len(_BRACKETS) and BREAK in tex.text:  # a line may break inside
        return rf"\biggl({tex.text}\biggr)", TALL
    if level > len(_BRACKETS):
        return rf"\left({tex.text}\right)", TALL
    opening, closing = _BRACKETS[level - 1]
    return f"{opening}{tex.text}{closing}", level
