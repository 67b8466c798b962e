"""Tree -> LaTeX math, bracketed by the shared precedence table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose
from gen.expr.choice import as_sum
from gen.expr.functions import FUNCTIONS
from gen.expr.names import dim_latex, latex_name
from gen.expr.precedence import ADD, ATOM, BINARY, MUL, NEG, POSTFIX, POW
from gen.expr.shape import axis_argument, size_dim

FRAC_LIMIT = 40  # a division prints as \frac when both sides are at most this long
# Where a long line may break, by priority (templates/macros.tex.j2 gives each a penalty):
BREAK = r"\gsbreak"  # before a + or - of the top-level sum
BREAK_OP = r"\gsbreakop"  # before a top-level \odot or \oslash
BREAK_INNER = r"\gsbreakin"  # before a + or - inside one pair of brackets
BREAK_INNER_OP = r"\gsbreakinop"  # before an \odot or \oslash inside one pair of brackets
BREAK_DEEP = r"\gsbreakdeep"  # before any of those inside two or more pairs
BREAK_MUL = r"\gsbreakmul"  # between two factors of a product, at any depth
BREAKS = (BREAK, BREAK_OP, BREAK_INNER, BREAK_INNER_OP, BREAK_DEEP, BREAK_MUL)
_MARK_RE = re.compile(r"\\gsbreak(?:inop|op|in|deep|mul)?(?![A-Za-z]) ?")
# Inside brackets a mark is demoted: a top-level one to its inner one, an inner one to deep.
_DEMOTE = MappingProxyType(
    {
        BREAK: BREAK_INNER,
        BREAK_OP: BREAK_INNER_OP,
        BREAK_INNER: BREAK_DEEP,
        BREAK_INNER_OP: BREAK_DEEP,
    }
)
_DEMOTE_RE = re.compile(r"\\gsbreak(?:op|in|inop)?(?![A-Za-z])")
# Brackets around no more than this many symbols never break inside: (X - \mu).
SHORT = 24
_STYLE_RE = re.compile(r"\\(?:mathrm|operatorname|mathbf|boldsymbol|hat|bar|tilde)(?![A-Za-z])")
_COMMAND_RE = re.compile(r"\\[A-Za-z]+")

DIFFERENTIAL = r"\mathrm{d}"

_MUL_JOIN = MappingProxyType({"*": " ", ".*": r" \odot ", "./": r" \oslash ", "/": " / "})
# Content this tall needs brackets that grow with it.
_TALL = re.compile(r"\\(?:frac|dfrac|tfrac|sum|prod|int|left|underbrace|overbrace|sqrt|begin)\b")
# Brackets by what they hold: plain, one size up around plain ones, two sizes up around those.
_BRACKETS = (("(", ")"), (r"\bigl(", r"\bigr)"), (r"\Bigl(", r"\Bigr)"))
TALL = len(_BRACKETS) + 1  # the level of \left( \right) and of tall content
# Where a line may break, brackets are never \left( \right) (no break inside those) but
# sized by depth, up to \Biggl; around a fraction they start at \biggl, around a root at \Bigl.
_SIZED = (*_BRACKETS, (r"\biggl(", r"\biggr)"), (r"\Biggl(", r"\Biggr)"))
_FRACTION = re.compile(r"\\(?:frac|dfrac|sum|prod|int|left|underbrace|overbrace|begin)\b")


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
        breaks: Mark the places where the sheet may break a long line, by
            priority: ``\\gsbreak`` before each ``+`` and ``-`` of the top-level
            sum, ``\\gsbreakop`` before a top-level ``\\odot`` or ``\\oslash``,
            ``\\gsbreakin`` and ``\\gsbreakinop`` before those inside brackets
            (a function's too), ``\\gsbreakmul`` between the factors of a product.
            No mark goes where TeX cannot break (fractions, scripts, roots, norms).
            Brackets are then never ``\\left(`` (a line cannot break inside those)
            but sized by depth: ``(``, ``\\bigl(``, ``\\Bigl(``, ``\\biggl(``,
            ``\\Biggl(``; ``\\biggl(`` at least around a fraction. The macros are
            the sheet's (JSON never asks for them).

    Returns:
        The LaTeX, with balanced braces.
    """
    return _Printer(names or {}, transpose, bold, breaks).tex(node).text


def strip_breaks(latex: str) -> str:
    """``latex`` without its break marks (what ``to_latex`` prints without ``breaks``)."""
    return _MARK_RE.sub("", latex)


class _Printer:
    """One typesetting pass; with ``marks``, break marks and sized brackets."""

    def __init__(
        self, names: Mapping[str, str], transpose: str, bold: bool, marks: bool = False
    ) -> None:
        self.names = names
        self.transpose = transpose
        self.bold = bold
        self.marks = marks
        self.tall = 3 if marks else TALL  # the level of tall content

    def name(self, name: str) -> str:
        return latex_name(name, self.names.get(name))

    def mark(self, mark: str) -> str:
        """``mark`` and a space where marks are wanted, else nothing."""
        return f"{mark} " if self.marks else ""

    def brackets(self, tex: _Tex) -> tuple[str, int]:
        """``tex`` in brackets (sized, its marks demoted, where marks are wanted)."""
        return _sized(tex) if self.marks else _brackets(tex)

    def wrap(self, tex: _Tex, needed: bool) -> tuple[str, int]:
        """The text, in brackets when ``needed``, and its bracket level."""
        return self.brackets(tex) if needed else (tex.text, tex.level)

    def base(self, tex: _Tex) -> tuple[str, int]:
        """``tex`` as the base of a superscript (bracketed when compound or superscripted)."""
        return self.wrap(tex, tex.prec <= POW or tex.sup)

    def tex(self, node: Node) -> _Tex:
        """Print ``node``."""
        if isinstance(node, Num):
            value = node.value
            if value < 0:  # -1/2 as a mathematician writes it: -\frac{1}{2}, not \frac{-1}{2}
                inner = self.tex(Num(-value))
                return _Tex("-" + inner.text, NEG, level=inner.level)
            if value.denominator == 1:
                return _Tex(str(value.numerator), ATOM)
            return _Tex(
                rf"\frac{{{value.numerator}}}{{{value.denominator}}}",
                ATOM,
                sup=True,
                level=self.tall,
            )
        if isinstance(node, Name):
            text = self.name(node.id)
            d = text.startswith(DIFFERENTIAL)
            sup = "^" in text or "'" in text or text.startswith(r"\frac")
            return _Tex(
                text, ATOM, sup=sup, dfirst=d, dlast=d, level=self.tall if _TALL.search(text) else 0
            )
        if isinstance(node, Neg):
            inner = self.tex(node.operand)
            # -(A B) reads the same as -A B, so only a sum needs brackets.
            text, level = self.wrap(inner, inner.prec < MUL or _negative(inner))
            return _Tex("-" + text, NEG, level=level)
        if isinstance(node, Transpose):
            inner = self.tex(node.operand)
            base, level = self.base(inner)
            d = inner.dfirst and base == inner.text
            return _Tex(base + self.transpose, POSTFIX, sup=True, dfirst=d, dlast=d, level=level)
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
            base, level = self.base(left)
            exponent = strip_breaks(right.text)
            return _Tex(
                f"{base}^{{{mark}{exponent}}}", POW, sup=True, level=max(level, right.level)
            )
        numerator, denominator = strip_breaks(left.text), strip_breaks(right.text)
        if op == "/" and len(numerator) <= FRAC_LIMIT and len(denominator) <= FRAC_LIMIT:
            if left.prec == NEG and numerator.startswith("-"):  # -\frac{1}{2}, not \frac{-1}{2}
                frac = rf"\frac{{{numerator[1:]}}}{{{denominator}}}"
                return _Tex("-" + frac, NEG, level=self.tall)
            return _Tex(rf"\frac{{{numerator}}}{{{denominator}}}", ATOM, sup=True, level=self.tall)
        level = BINARY[op]
        # Sums and products associate: a + (b - c) and A (B C) print without brackets.
        associative = right.prec == level and op in ("+", "*") and right.op == op
        associative |= op == "+" and right.prec == ADD
        right_wrapped = (right.prec <= level and not associative) or _negative(right)
        if op == "+" and _negative(right) and right.prec >= MUL:
            # a + (-1/2 B) reads a - 1/2 B: the sign of a product's first factor.
            op, right = "-", right._replace(text=right.text[1:])
            right_wrapped = False
        right_text, right_level = self.wrap(right, right_wrapped)
        if level == ADD:
            left_text, left_level = self.wrap(left, left.prec < level)
            return _Tex(
                f"{left_text} {self.mark(BREAK)}{op} {right_text}",
                ADD,
                op=op,
                level=max(left_level, right_level),
            )
        mixed = left.prec == MUL and left.op != op
        left_wrapped = left.prec < level or mixed
        left_text, left_level = self.wrap(left, left_wrapped)
        join = _MUL_JOIN[op]
        dlast = right.dlast and not right_wrapped
        if op == "*" and right_text[:1].isdigit():
            join = r" \cdot "
        elif op == "*" and (
            (left.dlast and not left_wrapped) or (right.dfirst and not right_wrapped)
        ):
            join = r"\,"
        if self.marks and (op in (".*", "./") or "(" in left_text + right_text):
            # a product of plain factors (A w) is short: it breaks only beside brackets
            mark = BREAK_OP if op in (".*", "./") else BREAK_MUL
            join = f" {mark}{join}" if join.startswith(" ") else f" {mark} {join}"
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
            base, level = self.base(arg)
            return _Tex(f"{base}^{{{symbol}}}", POW, sup=True, level=level)
        plain = strip_breaks(arg.text)  # no break inside a root or bars
        if kind == "root":
            return _Tex(f"{symbol}{{{plain}}}", ATOM, level=2 if self.marks else TALL)
        if kind == "bars":
            return _Tex(rf"\lvert {plain} \rvert", ATOM, level=arg.level)
        if kind == "norm":
            shape = node.args[0].shape
            matrix = shape is not None and shape[0] != 1 and shape[1] != 1
            return _Tex(
                rf"\lVert {plain} \rVert_{{{'F' if matrix else '2'}}}", ATOM, level=arg.level
            )
        text, level = self.brackets(arg)
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
        left_text, left_level = self.wrap(left, left.prec < POW or _negative(left))
        right_text, right_level = self.wrap(right, right.prec < POW or _negative(right))
        return _Tex(
            f"{left_text} {symbol} {right_text}", MUL, op=symbol, level=max(left_level, right_level)
        )

    def size(self, node: Node) -> str:
        """A size argument of eye, ones, zeros or commutation (``m*n`` is ``mn``)."""
        dim = size_dim(node)
        if dim is None:
            return strip_breaks(self.tex(node).text)
        return dim_latex(dim, self.name)


def _negative(tex: _Tex) -> bool:
    """Whether the text starts with a minus sign (it reads as subtraction after an operand)."""
    return tex.text.startswith("-")


def _brackets(tex: _Tex) -> tuple[str, int]:
    """``tex`` in round brackets one size above the brackets it holds, and their level.

    Tall content (fractions, sums, ``\\left``) gets ``\\left( \\right)``.
    """
    level = max(tex.level, TALL if _TALL.search(tex.text) else 0) + 1
    if level > len(_BRACKETS):
        return rf"\left({tex.text}\right)", TALL
    opening, closing = _BRACKETS[level - 1]
    return f"{opening}{tex.text}{closing}", level


def _sized(tex: _Tex) -> tuple[str, int]:
    """``tex`` in brackets a line may break inside, and their level (1 to 5).

    One size above the brackets it holds (at most ``\\Biggl``), at least ``\\biggl``
    around a fraction and ``\\Bigl`` around a root; its marks are demoted (top-level to
    inner, inner to deep), or dropped inside brackets around short content.
    """
    tall = 3 if _FRACTION.search(tex.text) else 2 if r"\sqrt" in tex.text else 0
    level = min(max(tex.level, tall) + 1, len(_SIZED))
    opening, closing = _SIZED[level - 1]
    plain = strip_breaks(tex.text)
    if symbols(plain) <= SHORT:
        return f"{opening}{plain}{closing}", level
    inner = _DEMOTE_RE.sub(lambda m: _DEMOTE[m.group(0)], tex.text)
    return f"{opening}{inner}{closing}", level


def symbols(latex: str) -> int:
    """About how many symbols ``latex`` prints (a command one, styles and braces none)."""
    text = _COMMAND_RE.sub("x", _STYLE_RE.sub("", latex))
    return sum(1 for char in text if char not in "{} ^_")
