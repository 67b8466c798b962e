"""Expression text -> AST: a hand-written precedence climber over SPEC section 2."""

from __future__ import annotations

import difflib
from fractions import Fraction

from gen.errors import ConstantTooLarge, GenError, Span, Where
from gen.expr.ast import Binary, Call, Name, Neg, Node, Num, Transpose, children
from gen.expr.choice import COMPARISONS, WHERE
from gen.expr.functions import FUNCTIONS, RESERVED, arity_text
from gen.expr.lexer import END, NAME, NUM, Source, Token, tokenize
from gen.expr.walk import nodes

MAX_DEPTH = 100
MAX_EXPONENT = 1000

_SUM_OPS = ("+", "-")
_PRODUCT_OPS = ("*", "/", ".*", "./")
_POWER_OPS = ("^", ".^")

_MAX_CONSTANT = 10**100  # a larger intermediate value of a constant exponent is refused

# A parsed piece: the node and the offsets of its text (parentheses included).
_Piece = tuple[Node, int, int]


def parse(text: str, where: Where | None = None) -> Node:
    """Parse one expression of the spec syntax.

    Precedence, loosest first: ``+ -``; ``* / .* ./`` (left-associative);
    unary minus; ``^ .^`` (right-associative, the exponent may start with a
    minus); postfix ``'`` and ``^T``. ``a / b`` of two number literals folds
    into one exact ``Num``.

    Args:
        text: The expression as written.
        where: Where the text stands in its file; None when it stands alone
            (spans are then line 1, columns counted in ``text``).

    Returns:
        The tree, a span on every node.

    Raises:
        GenError: On any syntax error or exceeded limit, with the span of the
            offending token.
    """
    source = Source(text, where)
    return _Parser(source, tokenize(source)).parse()


class _Parser:
    """One pass over the tokens of one expression."""

    def __init__(self, source: Source, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # -- helpers -----------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def _next(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != END:
            self.pos += 1
        return token

    def _error(self, message: str, start: int, end: int | None = None) -> GenError:
        return self.source.error(message, start, end)

    def _enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._too_deep(token.start)

    def _too_deep(self, start: int) -> GenError:
        return self._error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", start)

    def _expected(self, after: Token | None) -> GenError:
        """The error for a missing operand, ``after`` the token before it."""
        token = self.tok
        if after is None:
            if token.kind == END:
                return self._error("empty expression", 0)
            return self._unexpected(token)
        message = f"expected an expression after {after.quoted()}"
        if token.kind == END:
            return self._error(message, after.start, after.end)
        return self._error(message, token.start, token.end)

    def _unexpected(self, token: Token) -> GenError:
        """The error for a token where an operator or the end belongs."""
        message = f"unexpected {token.quoted()}"
        if token.is_op(*COMPARISONS):
            message = (
                f"a comparison ({token.quoted()}) stands only as the first argument of "
                "where(P > Q, A, B), or in assume"
            )
        elif token.kind in (NAME, NUM) or token.is_op("("):
            message += " (a product is written with '*')"
        return self._error(message, token.start, token.end)

    def _close(self, opening: Token) -> Token:
        """Consume the ``)`` that matches ``opening``."""
        token = self.tok
        if token.is_op(")"):
            return self._next()
        if token.kind == END:
            raise self._error("unclosed '('", opening.start, opening.end)
        raise self._unexpected(token)

    # -- grammar -----------------------------------------------------------

    def parse(self) -> Node:
        node, _, _ = self._sum(None)
        if self.tok.kind != END:
            raise self._unexpected(self.tok)
        self._check_depth(node)
        self._check_constants(node)
        return node

    def _sum(self, after: Token | None) -> _Piece:
        left, start, end = self._product(after)
        while self.tok.is_op(*_SUM_OPS):
            op = self._next()
            right, _, end = self._product(op)
            left = Binary(op.text, left, right, span=self.source.span(start, end))
        return left, start, end

    def _product(self, after: Token | None) -> _Piece:
        first = self.pos
        left, start, end = self._unary(after)
        literal = self._is_literal(first, left)
        while self.tok.is_op(*_PRODUCT_OPS):
            op = self._next()
            first = self.pos
            right, _, end = self._unary(op)
            span = self.source.span(start, end)
            if op.text == "/" and literal and self._is_literal(first, right):
                assert isinstance(left, Num) and isinstance(right, Num)
                if right.value == 0:
                    raise self._error("division by zero", start, end)
                left = Num(left.value / right.value, span=span)
            else:
                left = Binary(op.text, left, right, span=span)
                literal = False
        return left, start, end

    def _is_literal(self, first: int, node: Node) -> bool:
        """Whether ``node`` is exactly the one number token at ``first``."""
        return isinstance(node, Num) and self.pos == first + 1 and self.tokens[first].kind == NUM

    def _unary(self, after: Token | None) -> _Piece:
        minuses: list[Token] = []
        while self.tok.is_op("-"):
            minuses.append(self._next())
        node, start, end = self._power(minuses[-1] if minuses else after)
        for minus in reversed(minuses):
            start = minus.start
            node = Neg(node, span=self.source.span(start, end))
        return node, start, end

    def _power(self, after: Token | None) -> _Piece:
        node, start, end = self._postfix(after)
        if self.tok.is_op(*_POWER_OPS):
            op = self._next()
            self._enter(op)
            exponent, _, end = self._unary(op)
            self.depth -= 1
            self._check_exponent(exponent)
            node = Binary(op.text, node, exponent, span=self.source.span(start, end))
        return node, start, end

    def _postfix(self, after: Token | None) -> _Piece:
        node, start, end = self._atom(after)
        while True:
            if self.tok.is_op("'"):
                end = self._next().end
            elif self.tok.is_op("^") and self._transpose_letter():
                self._next()
                end = self._next().end
            else:
                return node, start, end
            node = Transpose(node, span=self.source.span(start, end))

    def _transpose_letter(self) -> bool:
        """Whether the token after the current ``^`` is the letter ``T``."""
        token = self.tokens[self.pos + 1]
        return token.kind == NAME and token.text == "T"

    def _atom(self, after: Token | None) -> _Piece:
        token = self.tok
        if token.kind == NUM:
            self._next()
            return Num(Fraction(token.text), span=self._span(token)), token.start, token.end
        if token.kind == NAME:
            self._next()
            if token.text in RESERVED:
                return self._call(token)
            if self.tok.is_op("("):
                raise self._unknown_function(token)
            return Name(token.text, span=self._span(token)), token.start, token.end
        if token.is_op("("):
            self._next()
            self._enter(token)
            node, _, _ = self._sum(token)
            close = self._close(token)
            self.depth -= 1
            return node, token.start, close.end
        raise self._expected(after)

    def _call(self, name: Token) -> _Piece:
        func = name.text
        row = FUNCTIONS[func]
        low, high = row.arity
        if high == 0:
            if self.tok.is_op("("):
                raise self._error(
                    f"'{func}' takes no arguments; {row.advice}", name.start, self.tok.end
                )
            return Call(func, (), span=self._span(name)), name.start, name.end
        if not self.tok.is_op("("):
            args = ", ".join(["..."] * low)
            raise self._error(f"'{func}' is a function: write {func}({args})", name.start, name.end)
        opening = self._next()
        self._enter(opening)
        args_list: list[Node] = []
        if not self.tok.is_op(")"):
            after = opening
            while True:
                first = func == WHERE and not args_list
                arg, _, _ = self._comparison(after) if first else self._sum(after)
                args_list.append(arg)
                if not self.tok.is_op(","):
                    break
                after = self._next()
        close = self._close(opening)
        self.depth -= 1
        if not low <= len(args_list) <= high:
            raise self._error(
                f"'{func}' takes {arity_text(row.arity)}, not {len(args_list)}",
                name.start,
                close.end,
            )
        span = self.source.span(name.start, close.end)
        if func == WHERE and [_number(arg) for arg in args_list[1:]] == [1, 0]:
            return args_list[0], name.start, close.end  # where(P > Q, 1, 0): the mask
        return Call(func, tuple(args_list), span=span), name.start, close.end

    def _comparison(self, after: Token) -> _Piece:
        """``P > Q`` (``<``, ``<=``, ``>``, ``>=``): the first argument of where."""
        left, start, _ = self._sum(after)
        if not self.tok.is_op(*COMPARISONS):
            raise self._error(
                "the first argument of where(P > Q, A, B) is a comparison with <, <=, > or >=",
                start,
                self.tok.start if self.tok.kind != END else None,
            )
        op = self._next()
        right, _, end = self._sum(op)
        return Call(op.text, (left, right), span=self.source.span(start, end)), start, end

    # -- checks ------------------------------------------------------------

    def _span(self, token: Token) -> Span:
        return self.source.span(token.start, token.end)

    def _unknown_function(self, name: Token) -> GenError:
        message = f"unknown function '{name.text}'"
        callable_names = sorted(
            f for f, row in FUNCTIONS.items() if row.arity[1] > 0 and f.isidentifier()
        )
        close = difflib.get_close_matches(name.text, callable_names, n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        return self._error(message, name.start, name.end)

    def _check_exponent(self, exponent: Node) -> None:
        """Refuse a constant exponent beyond ``MAX_EXPONENT`` (``2^2^2^2^2`` included)."""
        try:
            value = _constant(exponent)
        except ConstantTooLarge:
            value = None
            too_large = True
        else:
            too_large = value is not None and abs(value) > MAX_EXPONENT
        if too_large:
            shown = (
                f"exponent {value}" if value is not None and value.denominator == 1 else "exponent"
            )
            raise GenError(
                f"{shown} is too large (at most {MAX_EXPONENT} in absolute value)",
                exponent.span,
            )

    def _check_constants(self, root: Node) -> None:
        """Refuse a constant past ``_MAX_CONSTANT`` or a division of a constant by zero."""
        try:
            values = _values(root)
        except ConstantTooLarge as exc:
            node = exc.args[0] if exc.args and isinstance(exc.args[0], Node) else root
            raise GenError(
                "number is too large (at most 10^100 in absolute value)", node.span
            ) from None
        for node in nodes(root):
            if isinstance(node, Binary) and node.op in ("/", "./") and values[id(node.right)] == 0:
                raise GenError("division by zero", node.span)

    def _check_depth(self, root: Node) -> None:
        """Reject trees deeper than ``MAX_DEPTH`` (long chains such as a-a-a-...)."""
        stack: list[tuple[Node, int]] = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                span = node.span
                raise GenError(
                    f"expression is nested too deeply (more than {MAX_DEPTH} levels)", span
                )
            stack.extend((child, depth + 1) for child in children(node))


def _bounded(value: Fraction, node: Node) -> Fraction:
    if abs(value.numerator) > _MAX_CONSTANT or value.denominator > _MAX_CONSTANT:
        raise ConstantTooLarge(node)
    return value


def _number(node: Node) -> Fraction | None:
    """The value of a number literal (None for any other node)."""
    return node.value if isinstance(node, Num) else None


def _constant(node: Node) -> Fraction | None:
    """The value of an expression of numbers alone (None if it has a name or a call).

    Every constant subexpression is folded once, innermost first (linear in the tree).

    Raises:
        ConstantTooLarge: Some intermediate value passes ``_MAX_CONSTANT`` (its
            first argument is the node).
        GenError: A constant is divided by zero, or zero raised to a negative power.
    """
    return _values(node)[id(node)]


def _values(root: Node) -> dict[int, Fraction | None]:
    """The value of every subtree of ``root`` by id (None where it is not constant)."""
    values: dict[int, Fraction | None] = {}
    for item in reversed(list(nodes(root))):
        values[id(item)] = _fold(item, values)
    return values


def _fold(node: Node, values: dict[int, Fraction | None]) -> Fraction | None:
    """The value of ``node`` from those of its children (already in ``values``)."""
    if isinstance(node, Num):
        return _bounded(node.value, node)
    if isinstance(node, Neg):
        inner = values[id(node.operand)]
        return None if inner is None else -inner
    if not isinstance(node, Binary):
        return None
    left, right = values[id(node.left)], values[id(node.right)]
    if left is None or right is None:
        return None
    if node.op == "+":
        return _bounded(left + right, node)
    if node.op == "-":
        return _bounded(left - right, node)
    if node.op in ("*", ".*"):
        return _bounded(left * right, node)
    if node.op in ("/", "./"):
        if right == 0:
            raise GenError("division by zero", node.span)
        return _bounded(left / right, node)
    if right.denominator != 1:
        return None  # a fractional power: left to the shape check and the engine
    if abs(right) > MAX_EXPONENT or (
        abs(left) > 1
        and abs(right) * max(len(str(left.numerator)), len(str(left.denominator))) > 100
    ):
        raise ConstantTooLarge(node)
    if left == 0 and right < 0:
        raise GenError("division by zero (0 to a negative power)", node.span)
    return _bounded(left ** int(right), node)
